//! Answering a query from a loaded index: cosine ranking of codes, and hash-table probes.
//!
//! `query` scores one unit 10-d query against every code (`search::scores`) and keeps the best
//! ten (`search::top_k`), over 11,314 codes (the size of 20 Newsgroups' training set) and over
//! 1,000,000. Codes and queries are standard normal vectors from seed 9, scaled to unit length.
//! `probe` looks up 1000 addresses in the table `hashing::buckets` builds over 1,000,000
//! random 32-bit addresses (built once, outside the timing): once addresses that are in the
//! table, once fresh random ones, which almost all miss.
//!
//! `ball` answers radius queries, 0 to 3 bits, around stored addresses among 1,000,000 random
//! ones of 32 and of 64 bits: with the path `Lookup` plans (table probes of the whole ball or
//! multi-index hashing) and with the popcount scan beside it.
//!
//! `loaded` answers a query text against a real index, in process, as `topics query` does
//! once the index is loaded: tokenize, encode, score every code, keep the best ten. It runs
//! when `TOPICS_BENCH_INDEX` names a document index (`scripts/peers.sh` builds the 20
//! Newsgroups one) and says that it skips otherwise. With `TOPICS_BENCH_TEXTS` naming a corpus
//! too (and `TOPICS_BENCH_INCLUDE` a glob of it), it also encodes those texts in process,
//! tokenizing included, as `topics encode` does once they are read; throughput is in texts.
//!
//! Run with `cargo bench --bench search`, or briefly with
//! `cargo bench --bench search -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Array2};
use topics::corpus::{self, ReadOptions};
use topics::hashing::lookup::{self, Lookup};
use topics::index::store;
use topics::progress::Silent;
use topics::rng::{self, Purpose};
use topics::{hashing, search};

const SEED: u64 = 9;
const DIMS: usize = 10;
const K: usize = 10;

/// `rows` unit vectors of [`DIMS`] numbers from stream `tag` of [`SEED`].
fn unit_codes(rows: usize, tag: u64) -> Array2<f32> {
    let mut stream = rng::stream(SEED, Purpose::Init, &[tag]);
    let codes = Array2::from_shape_simple_fn((rows, DIMS), || stream.normal());
    search::unit_rows(codes.view())
}

fn query(c: &mut Criterion) {
    let query: Array1<f32> = unit_codes(1, 0).row(0).to_owned();
    let mut group = c.benchmark_group("query");
    for (tag, n) in [11_314usize, 1_000_000].into_iter().enumerate() {
        let codes = unit_codes(n, tag as u64 + 1);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(
            BenchmarkId::new(format!("scores+top_k{K}"), format!("{n}x{DIMS}-seed{SEED}")),
            |bench| {
                bench.iter(|| {
                    let scores = search::scores(codes.view(), black_box(query.view()));
                    search::top_k(&scores, K, |_| true)
                })
            },
        );
    }
    group.finish();
}

fn probe(c: &mut Criterion) {
    const STORED: usize = 1_000_000;
    const LOOKUPS: usize = 1000;
    let mut stream = rng::stream(SEED, Purpose::Sample, &[0]);
    let addresses: Vec<u64> = (0..STORED).map(|_| stream.below(1 << 32) as u64).collect();
    let table = hashing::buckets(&addresses);
    let hits: Vec<u64> = (0..LOOKUPS)
        .map(|_| addresses[stream.below(STORED)])
        .collect();
    let fresh: Vec<u64> = (0..LOOKUPS).map(|_| stream.below(1 << 32) as u64).collect();

    let mut group = c.benchmark_group("probe");
    group.throughput(Throughput::Elements(LOOKUPS as u64));
    for (name, wanted) in [("stored", &hits), ("random", &fresh)] {
        group.bench_function(
            BenchmarkId::new(
                format!("{LOOKUPS}-{name}-addresses"),
                format!("{STORED}x32bit-seed{SEED}"),
            ),
            |bench| {
                bench.iter(|| {
                    black_box(wanted)
                        .iter()
                        .map(|a| table.get(a).map_or(0, Vec::len))
                        .sum::<usize>()
                })
            },
        );
    }
    group.finish();
}

fn ball(c: &mut Criterion) {
    const STORED: usize = 1_000_000;
    let mut group = c.benchmark_group("ball");
    group.sample_size(20);
    for bits in [32usize, 64] {
        let mut stream = rng::stream(SEED, Purpose::Sample, &[bits as u64]);
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        let addresses: Vec<u64> = (0..STORED)
            .map(|_| (stream.below(1 << 32) as u64) << 32 | stream.below(1 << 32) as u64)
            .map(|a| a & mask)
            .collect();
        let queries: Vec<u64> = (0..64).map(|_| addresses[stream.below(STORED)]).collect();
        for radius in 0..=3 {
            let (lookup, plan) = Lookup::new(&addresses, bits, radius);
            let mut next = 0;
            let parameter = format!("{STORED}x{bits}bit-r{radius}-seed{SEED}");
            group.bench_function(
                BenchmarkId::new(format!("planned ({plan})"), &parameter),
                |b| {
                    b.iter(|| {
                        next = (next + 1) % queries.len();
                        lookup.ball(black_box(queries[next]), radius).len()
                    })
                },
            );
            group.bench_function(BenchmarkId::new("scan", &parameter), |b| {
                b.iter(|| {
                    next = (next + 1) % queries.len();
                    lookup::scan(&addresses, black_box(queries[next]), radius).len()
                })
            });
        }
    }
    group.finish();
}

/// Queries of a few words to a few sentences, as people type them.
const QUERIES: &[&str] = &[
    "graphics card driver for windows",
    "is there life on mars and when will nasa send people there",
    "which hockey team won the playoffs last season",
    "encryption keys escrow clipper chip government wiretap",
    "my car engine makes a noise when I brake, what should I check before driving it again",
];

fn loaded(c: &mut Criterion) {
    let Some(path) = std::env::var_os("TOPICS_BENCH_INDEX") else {
        eprintln!("search/loaded: skipped, TOPICS_BENCH_INDEX names no index");
        return;
    };
    let path = std::path::PathBuf::from(path);
    let index = match store::load_parts(&path, store::Parts::Codes) {
        Ok(index) => index,
        Err(e) => {
            eprintln!("search/loaded: skipped, {e}");
            return;
        }
    };
    let unit = search::unit_rows(index.codes.view());
    let mut group = c.benchmark_group("loaded");
    group.throughput(Throughput::Elements(QUERIES.len() as u64));
    group.bench_function(
        BenchmarkId::new(
            format!("{}-queries-encode+scores+top_k{K}", QUERIES.len()),
            format!("{}docs", index.len()),
        ),
        |bench| {
            bench.iter(|| {
                QUERIES
                    .iter()
                    .map(|q| {
                        let (code, _) = index.model.encode_texts(&[black_box(*q)]);
                        let query = search::unit_rows(code.view());
                        let scores = search::scores(unit.view(), query.row(0));
                        search::top_k(&scores, K, |_| true).len()
                    })
                    .sum::<usize>()
            })
        },
    );
    if let Some(texts) = std::env::var_os("TOPICS_BENCH_TEXTS") {
        let options = ReadOptions {
            include: std::env::var("TOPICS_BENCH_INCLUDE").into_iter().collect(),
            ..ReadOptions::default()
        };
        match corpus::read(std::path::Path::new(&texts), &options, &Silent) {
            Ok(report) => {
                let texts: Vec<String> = report.documents.into_iter().map(|d| d.text).collect();
                group.throughput(Throughput::Elements(texts.len() as u64));
                group.sample_size(20);
                group.bench_function(
                    BenchmarkId::new("encode_texts", format!("{}texts", texts.len())),
                    |bench| bench.iter(|| index.model.encode_texts(black_box(&texts))),
                );
            }
            Err(e) => eprintln!("search/loaded: texts skipped, {e}"),
        }
    }
    group.finish();
}

criterion_group!(benches, query, probe, ball, loaded);
criterion_main!(benches);
