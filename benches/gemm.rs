//! Dense and sparse products at the network's shapes: `linalg::gemm` and `linalg::sparse_dense`.
//!
//! Names read `gemm/MxKxN` for `(m, k) · (k, n)`; `-at` means the left operand is a transposed
//! view (the `Vᵀ·H` gradient), `-bt` the right one (the downward pass `h·Wᵀ`). Throughput is in
//! FLOPs (`2·m·k·n`, or `2·nnz·n` for sparse), so criterion's elements/s are FLOP/s. Operands
//! are standard normal numbers from seed 7; the sparse rows hold uniform counts 1 to 4.
//!
//! Before criterion starts, the binary prints to stderr the CPU, its vector units, an estimate
//! of the fp32 peak of all cores and the best-of-10 GFLOP/s of `linalg::matmul` at two shapes.
//!
//! With `TOPICS_GEMM_JSON` set it prints instead one JSON line per shape (best of 20), for
//! `scripts/peers.sh` to set beside numpy's products.
//!
//! Run with `cargo bench --bench gemm`, or briefly with
//! `cargo bench --bench gemm -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group};
use ndarray::{Array2, ArrayView2};
use topics::linalg;
use topics::rng::{self, Purpose};
use topics::text;

const SEED: u64 = 7;

/// A `(rows, cols)` array of standard normal numbers from stream `tag` of [`SEED`].
fn normal(rows: usize, cols: usize, tag: u64) -> Array2<f32> {
    let mut stream = rng::stream(SEED, Purpose::Init, &[tag]);
    Array2::from_shape_simple_fn((rows, cols), || stream.normal())
}

/// How the operands of one product are laid out.
#[derive(Clone, Copy)]
enum Layout {
    Plain,
    /// The left operand is the transposed view of a `(k, m)` array.
    TransposedA,
    /// The right operand is the transposed view of an `(n, k)` array.
    TransposedB,
}

/// The shapes `(m, k, n)` of the products that training and encoding spend their time in.
const SHAPES: &[(usize, usize, usize, Layout)] = &[
    (100, 2000, 500, Layout::Plain),       // bottom layer up, batch 100
    (256, 2000, 500, Layout::Plain),       // bottom layer up, batch 256
    (100, 500, 2000, Layout::Plain),       // decoder down (weights stored transposed)
    (100, 500, 2000, Layout::TransposedB), // RBM reconstruction h·Wᵀ
    (2000, 100, 500, Layout::TransposedA), // weight gradient Vᵀ·H
    (100, 500, 250, Layout::Plain),        // second layer
    (100, 250, 125, Layout::Plain),        // third layer
    (100, 125, 10, Layout::Plain),         // code layer
    (1000, 784, 1000, Layout::Plain),      // MNIST-sized
];

fn flops(m: usize, k: usize, n: usize) -> u64 {
    2 * (m * k * n) as u64
}

/// The stored operands of shape `tag` of [`SHAPES`] and the suffix of its name.
fn operands(tag: usize) -> (Array2<f32>, Array2<f32>, &'static str) {
    let (m, k, n, layout) = SHAPES[tag];
    let tag = tag as u64;
    match layout {
        Layout::Plain => (normal(m, k, 2 * tag), normal(k, n, 2 * tag + 1), ""),
        Layout::TransposedA => (normal(k, m, 2 * tag), normal(k, n, 2 * tag + 1), "-at"),
        Layout::TransposedB => (normal(m, k, 2 * tag), normal(n, k, 2 * tag + 1), "-bt"),
    }
}

/// The operands as the product sees them.
fn views<'a>(
    layout: Layout,
    a: &'a Array2<f32>,
    b: &'a Array2<f32>,
) -> (ArrayView2<'a, f32>, ArrayView2<'a, f32>) {
    match layout {
        Layout::Plain => (a.view(), b.view()),
        Layout::TransposedA => (a.t(), b.view()),
        Layout::TransposedB => (a.view(), b.t()),
    }
}

fn dense(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm");
    for (tag, &(m, k, n, layout)) in SHAPES.iter().enumerate() {
        let (a, b, suffix) = operands(tag);
        let (a, b) = views(layout, &a, &b);
        let mut out = Array2::<f32>::zeros((m, n));

        group.throughput(Throughput::Elements(flops(m, k, n)));
        group.bench_function(format!("{m}x{k}x{n}{suffix}"), |bench| {
            bench.iter(|| linalg::gemm(1.0, black_box(a), black_box(b), 0.0, &mut out.view_mut()))
        });
    }
    group.finish();
}

/// For `scripts/peers.sh`: one JSON line per shape of [`SHAPES`] with the best-of-20 seconds
/// and GFLOP/s of `linalg::gemm`, after two untimed calls.
fn json_table() {
    for (tag, &(m, k, n, layout)) in SHAPES.iter().enumerate() {
        let (a, b, suffix) = operands(tag);
        let (a, b) = views(layout, &a, &b);
        let mut out = Array2::<f32>::zeros((m, n));
        let mut run = || {
            let start = Instant::now();
            linalg::gemm(1.0, black_box(a), black_box(b), 0.0, &mut out.view_mut());
            start.elapsed().as_secs_f64()
        };
        run();
        run();
        let best = (0..20).map(|_| run()).fold(f64::INFINITY, f64::min);
        let layout = match layout {
            Layout::Plain => "plain",
            Layout::TransposedA => "at",
            Layout::TransposedB => "bt",
        };
        println!(
            "{{\"shape\": \"{m}x{k}x{n}{suffix}\", \"m\": {m}, \"k\": {k}, \"n\": {n}, \
             \"layout\": \"{layout}\", \"seconds\": {best:e}, \"gflops\": {:.2}}}",
            flops(m, k, n) as f64 / best / 1e9
        );
    }
}

/// A CSR matrix `(rows, cols)` with about `density` of its entries set to counts 1 to 4.
fn sparse(rows: usize, cols: usize, density: f64, tag: u64) -> sprs::CsMat<f32> {
    let mut stream = rng::stream(SEED, Purpose::Sample, &[tag]);
    let per_row = ((cols as f64 * density).round() as usize).max(1);
    let rows: Vec<Vec<(usize, f32)>> = (0..rows)
        .map(|_| {
            let mut columns: Vec<usize> = (0..per_row).map(|_| stream.below(cols)).collect();
            columns.sort_unstable();
            columns.dedup();
            columns
                .into_iter()
                .map(|c| (c, 1.0 + stream.below(4) as f32))
                .collect()
        })
        .collect();
    text::from_rows(cols, &rows)
}

fn sparse_dense(c: &mut Criterion) {
    let (m, k, n) = (256, 2000, 500);
    let w = normal(k, n, 100);
    let mut out = Array2::<f32>::zeros((m, n));
    let mut group = c.benchmark_group("sparse_dense");
    for (tag, percent) in [1u64, 5].into_iter().enumerate() {
        let s = sparse(m, k, percent as f64 / 100.0, tag as u64);
        group.throughput(Throughput::Elements(2 * (s.nnz() * n) as u64));
        group.bench_function(format!("{m}x{k}x{n}/density-{percent}pct"), |bench| {
            bench.iter(|| linalg::sparse_dense(black_box(s.view()), w.view(), &mut out.view_mut()))
        });
    }
    group.finish();
}

/// The value of `key` in the first processor's block of `/proc/cpuinfo`.
fn cpuinfo(key: &str) -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
}

/// Best-of-10 GFLOP/s of `linalg::matmul` at `(m, k, n)`, after one untimed call.
fn best_gflops(m: usize, k: usize, n: usize) -> f64 {
    let a = normal(m, k, 1000);
    let b = normal(k, n, 1001);
    black_box(linalg::matmul(a.view(), b.view()));
    let best = (0..10)
        .map(|_| {
            let start = Instant::now();
            black_box(linalg::matmul(a.view(), b.view()));
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    flops(m, k, n) as f64 / best / 1e9
}

/// Prints the CPU, an estimated fp32 peak and what `matmul` reaches of it, to stderr.
#[cfg(target_arch = "x86_64")]
fn report_peak() {
    let avx512 = std::arch::is_x86_feature_detected!("avx512f");
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    let fma = std::arch::is_x86_feature_detected!("fma");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mhz: f64 = cpuinfo("cpu MHz")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let lanes = if avx512 {
        16
    } else if avx2 {
        8
    } else {
        4
    };
    let per_lane = if fma { 2.0 } else { 1.0 };
    // Two FMA units per core, each `lanes` wide, two FLOPs per fused multiply-add.
    let peak = cores as f64 * mhz / 1000.0 * 2.0 * lanes as f64 * per_lane;

    let model = cpuinfo("model name").unwrap_or_else(|| "unknown".to_string());
    let family = cpuinfo("cpu family").unwrap_or_default();
    eprintln!("cpu: {model} (family {family})");
    eprintln!("features: avx512f {avx512}, avx2 {avx2}, fma {fma}");
    eprintln!(
        "estimated fp32 peak: {cores} cores x {:.2} GHz x 2 FMA units x {lanes} lanes x {per_lane} \
         = {peak:.0} GFLOP/s (an estimate, not a measurement)",
        mhz / 1000.0
    );
    // Zen 4 (AMD family 25 with AVX-512) runs each 512-bit FMA as two 256-bit halves, so its
    // real peak is half the 16-lane estimate. The MHz is the nominal clock: boost can beat it.
    let zen4 = avx512 && cpuinfo("vendor_id").as_deref() == Some("AuthenticAMD") && family == "25";
    let real_peak = if zen4 { peak / 2.0 } else { peak };
    if zen4 {
        eprintln!("Zen 4 splits 512-bit FMAs in two: about {real_peak:.0} GFLOP/s at that clock");
    }
    for (m, k, n) in [(256, 2000, 500), (1000, 784, 1000)] {
        let gflops = best_gflops(m, k, n);
        let zen4_share = format!(", {:.0}% of the Zen 4 peak", 100.0 * gflops / real_peak);
        eprintln!(
            "matmul {m}x{k}x{n}: {gflops:.1} GFLOP/s best of 10, {:.0}% of the estimated peak{}",
            100.0 * gflops / peak,
            if zen4 { zen4_share.as_str() } else { "" }
        );
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn report_peak() {
    eprintln!("no peak estimate: it knows only x86_64 vector units");
}

criterion_group!(benches, dense, sparse_dense);

fn main() {
    if std::env::var_os("TOPICS_GEMM_JSON").is_some() {
        return json_table();
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` and `--list` do not need the report.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list") {
        report_peak();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
