//! Semantic hashing at scale: lookups among the addresses of a large index, and of as many
//! random addresses, with the figures `scripts/scale.sh` puts beside FAISS's.
//!
//! Run by `scripts/scale.sh`, or by hand:
//! `TOPICS_SCALE_INDEX=DIR TOPICS_SCALE_OUT=OUT cargo bench --bench scale`. For the index's
//! addresses and for as many random ones of the same width it reports, as JSON lines in
//! `OUT/ours.jsonl` and as a table on stderr: the time to build each lookup structure and its
//! bytes per document, the latency percentiles (p50, p99) of 1,000 queries for radius 0 to 3
//! (the planned path: table probes of the whole ball or multi-index hashing) and of the linear
//! scan for the 100 nearest, and the hits met. Queries are the addresses of 1,000 indexed
//! documents drawn with seed 7. It also writes the addresses and queries as little-endian u64
//! (`OUT/{real,random}-{bits}.{addresses,queries}`) for FAISS. Without `TOPICS_SCALE_INDEX` it
//! says so and does nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;
use topics::hashing::lookup::{self, Lookup, Table};
use topics::index::store;
use topics::rng::{self, Purpose};

const QUERIES: usize = 1000;
const SEED: u64 = 7;
const NEAREST: usize = 100;

/// Resident memory of this process in bytes, from `/proc/self/status` (0 where unknown).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

/// Microseconds per query of `run` over `queries`, sorted.
fn latencies(queries: &[u64], mut run: impl FnMut(u64) -> usize) -> (Vec<f64>, f64) {
    let mut times = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for &q in queries {
        let start = Instant::now();
        hits += std::hint::black_box(run(q));
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    (times, hits as f64 / queries.len().max(1) as f64)
}

fn write_u64s(path: &Path, values: &[u64]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

struct Report {
    out: std::fs::File,
}

impl Report {
    fn line(&mut self, value: serde_json::Value) {
        writeln!(self.out, "{value}").expect("the results file is writable");
    }
}

/// Every figure for one set of addresses.
fn measure(name: &str, addresses: &[u64], bits: usize, out_dir: &Path, report: &mut Report) {
    let n = addresses.len();
    let mut stream = rng::stream(SEED, Purpose::Sample, &[bits as u64]);
    let queries: Vec<u64> = (0..QUERIES).map(|_| addresses[stream.below(n)]).collect();
    write_u64s(&out_dir.join(format!("{name}-{bits}.addresses")), addresses);
    write_u64s(&out_dir.join(format!("{name}-{bits}.queries")), &queries);

    let start = Instant::now();
    let table = Table::new(addresses, bits);
    let table_seconds = start.elapsed().as_secs_f64();
    let own: Vec<usize> = queries.iter().map(|&q| table.bucket(q).len()).collect();
    let table_bytes = table.bytes();
    report.line(json!({
        "set": name, "bits": bits, "documents": n, "what": "table",
        "build_seconds": table_seconds,
        "bytes_per_document": (table_bytes + 8 * n) as f64 / n as f64,
        "buckets": table.buckets(), "largest_bucket": table.largest_bucket(),
        "mean_query_bucket": own.iter().sum::<usize>() as f64 / own.len() as f64,
    }));
    eprintln!(
        "{name} {bits}-bit: {n} addresses, {} buckets (largest {}), table built in {:.3} s, \
         table + addresses {:.1} bytes/document",
        table.buckets(),
        table.largest_bucket(),
        table_seconds,
        (table_bytes + 8 * n) as f64 / n as f64
    );
    drop(table);

    for radius in 0..=3 {
        let start = Instant::now();
        let (planned, plan) = Lookup::new(addresses, bits, radius);
        let build = start.elapsed().as_secs_f64();
        let (times, hits) = latencies(&queries, |q| planned.ball(q, radius).len());
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        eprintln!(
            "  radius {radius} ({plan}): p50 {p50:.1} µs, p99 {p99:.1} µs, {hits:.1} hits, \
             built in {build:.3} s"
        );
        report.line(json!({
            "set": name, "bits": bits, "documents": n, "what": "ball", "radius": radius,
            "plan": plan.to_string(), "build_seconds": build,
            "p50_us": p50, "p99_us": p99, "mean_hits": hits,
        }));
    }
    let (times, _) = latencies(&queries, |q| lookup::nearest(addresses, q, NEAREST).len());
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    eprintln!("  scan for the {NEAREST} nearest: p50 {p50:.1} µs, p99 {p99:.1} µs");
    report.line(json!({
        "set": name, "bits": bits, "documents": n, "what": "nearest", "k": NEAREST,
        "p50_us": p50, "p99_us": p99,
    }));
}

fn main() {
    let Some(index_dir) = std::env::var_os("TOPICS_SCALE_INDEX").map(PathBuf::from) else {
        eprintln!(
            "scale: TOPICS_SCALE_INDEX is not set, so there is nothing to measure; \
             scripts/scale.sh builds the index and runs this"
        );
        return;
    };
    let out_dir = std::env::var_os("TOPICS_SCALE_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/scale"));
    std::fs::create_dir_all(&out_dir).expect("the output folder can be made");
    let mut report = Report {
        out: std::fs::File::create(out_dir.join("ours.jsonl")).expect("results file"),
    };

    let before = resident_bytes();
    let start = Instant::now();
    let index = store::load(&index_dir)
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", index_dir.display()));
    let load_seconds = start.elapsed().as_secs_f64();
    let in_memory = resident_bytes().saturating_sub(before);
    let on_disk: u64 = store::file_sizes(&index_dir)
        .expect("the index lists its files")
        .iter()
        .map(|(_, bytes)| bytes)
        .sum();
    let n = index.len();
    let bits = index.model.address_bits();
    eprintln!(
        "index {}: {n} documents of {bits} bits, loaded in {load_seconds:.1} s; {:.0} bytes per \
         document on disk, {:.0} in memory",
        index_dir.display(),
        on_disk as f64 / n as f64,
        in_memory as f64 / n as f64
    );
    report.line(json!({
        "what": "index", "documents": n, "bits": bits, "load_seconds": load_seconds,
        "disk_bytes_per_document": on_disk as f64 / n as f64,
        "memory_bytes_per_document": in_memory as f64 / n as f64,
    }));

    let addresses = index.addresses.clone();
    drop(index);
    measure("real", &addresses, bits, &out_dir, &mut report);

    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let mut stream = rng::stream(SEED, Purpose::Init, &[bits as u64]);
    let random: Vec<u64> = (0..addresses.len())
        .map(|_| ((stream.below(1 << 32) as u64) << 32 | stream.below(1 << 32) as u64) & mask)
        .collect();
    measure("random", &random, bits, &out_dir, &mut report);
}
