//! One epoch of CD-1 for each kind of RBM in the 2000-500-250-125-10 stack, on real data.
//!
//! The data is the embedded `corpora/medquad` corpus (3,005 documents): its bag of words over
//! 2000 stems feeds the word-count layer (`Softmax` visible, `Binary` hidden, 2000→500); that
//! layer's hidden means, after one epoch of training, feed a binary 500→250 layer; the means of
//! a 250→125 layer feed the linear code layer (`Linear` hidden, 125→10). Settings are the
//! defaults' (`Checked::cd`: `CdSettings::paper(1)` with each layer's rates, batches of 100),
//! seed 42. Every measured epoch starts from the same untrained machine, so the weights the
//! timing sees do not drift. Throughput is in documents.
//!
//! Run with `cargo bench --bench rbm`, or briefly with
//! `cargo bench --bench rbm -- --warm-up-time 1 --measurement-time 3`.

mod common;

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array2;
use topics::data::Data;
use topics::progress::Silent;
use topics::rbm::{Hidden, Rbm, Visible};
use topics::settings::{Checked, Settings};

use common::{Medquad, SEED, WIDTHS, machine};

fn settings() -> Checked {
    Settings {
        pretrain_epochs: 1,
        ..Settings::default()
    }
    .check()
    .expect("the default settings are valid")
}

/// Measures one epoch of `rbm` (cloned fresh each time) on `rows` of `data` from `corpus`.
fn epoch(
    c: &mut Criterion,
    (corpus, name): (&str, &str),
    layer: usize,
    rbm: &Rbm,
    data: &Data,
    rows: &[usize],
) {
    let cd = settings().cd(layer, WIDTHS.len() - 1, 1);
    let mut group = c.benchmark_group("rbm_cd1_epoch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows.len() as u64));
    let parameter = format!(
        "{corpus}-{}docs-batch{}-seed{SEED}",
        rows.len(),
        cd.batch_size
    );
    group.bench_function(BenchmarkId::new(name, parameter), |bench| {
        bench.iter_batched(
            || rbm.clone(),
            |mut rbm| black_box(rbm.train(data, rows, &cd, SEED, layer as u64, &Silent)),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn rbm_epochs(c: &mut Criterion) {
    let medquad = Medquad::load();
    let rows = medquad.usable();
    let counts = Data::Counts(medquad.counts.view());

    // The word-count layer starts at the unigram distribution, as `Model::train` does.
    let mut bottom = machine(0, Visible::Softmax, Hidden::Binary);
    for (b, f) in bottom
        .visible_bias
        .iter_mut()
        .zip(medquad.vocabulary.frequencies())
    {
        *b = f.max(1e-9).ln();
    }
    epoch(
        c,
        (&medquad.name, "softmax-binary-2000x500"),
        0,
        &bottom,
        &counts,
        &rows,
    );

    // The layers above learn from the means of trained layers below, one epoch each.
    let cd = settings();
    let count = WIDTHS.len() - 1;
    bottom.train(&counts, &rows, &cd.cd(0, count, 1), SEED, 0, &Silent);
    let means: Array2<f32> = bottom.transform(&counts, &rows);
    let all: Vec<usize> = (0..means.nrows()).collect();
    let binary = machine(1, Visible::Binary, Hidden::Binary);
    epoch(
        c,
        (&medquad.name, "binary-binary-500x250"),
        1,
        &binary,
        &Data::Dense(means.view()),
        &all,
    );

    let mut second = binary;
    second.train(
        &Data::Dense(means.view()),
        &all,
        &cd.cd(1, count, 1),
        SEED,
        1,
        &Silent,
    );
    let means = second.transform(&Data::Dense(means.view()), &all);
    let mut third = machine(2, Visible::Binary, Hidden::Binary);
    third.train(
        &Data::Dense(means.view()),
        &all,
        &cd.cd(2, count, 1),
        SEED,
        2,
        &Silent,
    );
    let means = third.transform(&Data::Dense(means.view()), &all);
    let linear = machine(3, Visible::Binary, Hidden::Linear);
    epoch(
        c,
        (&medquad.name, "binary-linear-125x10"),
        3,
        &linear,
        &Data::Dense(means.view()),
        &all,
    );
}

criterion_group!(benches, rbm_epochs);
criterion_main!(benches);
