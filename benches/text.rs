//! From texts to counts: tokenizing, building the vocabulary and the bag of words.
//!
//! All three run over the 3,005 texts of the embedded `corpora/medquad` corpus with the English
//! tokenizer and its stop words. `stems` is one thread, text after text; `Vocabulary::build`
//! (2000 stems, min_df 2) and `bag_of_words` spread the texts over rayon's threads. Throughput
//! is in bytes of text.
//!
//! Run with `cargo bench --bench text`, or briefly with
//! `cargo bench --bench text -- --warm-up-time 1 --measurement-time 3`.

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use topics::text::{self, Vocabulary};

use common::{MIN_DF, Medquad, VOCABULARY};

fn text_stages(c: &mut Criterion) {
    let medquad = Medquad::load();
    let Medquad {
        texts,
        name,
        tokenizer,
        vocabulary,
        counts: _,
    } = &medquad;
    let bytes: usize = texts.iter().map(String::len).sum();
    let corpus = format!("{name}-{}docs-{}kB", texts.len(), bytes / 1000);

    let mut group = c.benchmark_group("text");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(BenchmarkId::new("stems", &corpus), |bench| {
        bench.iter(|| {
            texts
                .iter()
                .map(|t| tokenizer.stems(black_box(t)).len())
                .sum::<usize>()
        })
    });
    group.bench_function(
        BenchmarkId::new(format!("vocabulary-{VOCABULARY}stems"), &corpus),
        |bench| bench.iter(|| Vocabulary::build(tokenizer, black_box(texts), VOCABULARY, MIN_DF)),
    );
    group.bench_function(
        BenchmarkId::new(format!("bag_of_words-{VOCABULARY}stems"), &corpus),
        |bench| bench.iter(|| text::bag_of_words(tokenizer, vocabulary, black_box(texts))),
    );
    group.finish();
}

criterion_group!(benches, text_stages);
criterion_main!(benches);
