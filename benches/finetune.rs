//! Fine-tuning and encoding with the unrolled 2000-500-250-125-10 autoencoder.
//!
//! The network is unrolled from freshly initialised RBMs (seed 42; pretraining changes the
//! weights, not the work), over the bag of words of the embedded `corpora/medquad` corpus
//! (3,005 documents, 2000 stems). `fine_tune` runs one epoch of batches of 100 with input
//! dropout 0.5 and Adam at 1e-3, no validation rows; every measured epoch starts from the same
//! network. `encode` computes the code of every document. Throughput is in documents.
//!
//! Run with `cargo bench --bench finetune`, or briefly with
//! `cargo bench --bench finetune -- --warm-up-time 1 --measurement-time 3`.

mod common;

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use topics::autoencoder::{Autoencoder, FineTuneSettings};
use topics::data::Data;
use topics::progress::Silent;
use topics::rbm::{Hidden, Rbm, Visible};

use common::{Medquad, SEED, WIDTHS};

/// The unrolled default stack, untrained.
fn network() -> Autoencoder {
    let count = WIDTHS.len() - 1;
    let stack: Vec<Rbm> = (0..count)
        .map(|layer| {
            let visible = if layer == 0 {
                Visible::Softmax
            } else {
                Visible::Binary
            };
            let hidden = if layer + 1 == count {
                Hidden::Linear
            } else {
                Hidden::Binary
            };
            common::machine(layer, visible, hidden)
        })
        .collect();
    Autoencoder::unroll(&stack)
}

fn autoencoder(c: &mut Criterion) {
    let medquad = Medquad::load();
    let rows = medquad.usable();
    let data = Data::Counts(medquad.counts.view());
    let network = network();
    let settings = FineTuneSettings {
        epochs: 1,
        batch_size: 100,
        learning_rate: 1e-3,
        input_dropout: 0.5,
        code_noise: 0.0,
        patience: None,
    };
    let docs = rows.len();

    let mut group = c.benchmark_group("autoencoder");
    group.sample_size(10);
    group.throughput(Throughput::Elements(docs as u64));
    group.bench_function(
        BenchmarkId::new(
            "fine_tune_epoch-2000-500-250-125-10",
            format!("{}-{docs}docs-batch100-dropout0.5-seed{SEED}", medquad.name),
        ),
        |bench| {
            bench.iter_batched(
                || network.clone(),
                |mut network| {
                    black_box(network.fine_tune(&data, &rows, &[], &settings, SEED, &Silent))
                },
                BatchSize::LargeInput,
            )
        },
    );
    group.bench_function(
        BenchmarkId::new(
            "encode-2000-500-250-125-10",
            format!("{}-{docs}docs-seed{SEED}", medquad.name),
        ),
        |bench| bench.iter(|| black_box(network.encode(&data, &rows))),
    );
    group.finish();
}

criterion_group!(benches, autoencoder);
criterion_main!(benches);
