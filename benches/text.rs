//! From texts to counts: tokenizing, building the vocabulary and the bag of words.
//!
//! All three run over the 3,005 texts of the embedded `corpora/medquad` corpus with the English
//! tokenizer and its stop words. `stems` is one thread, text after text; `Vocabulary::build`
//! (2000 stems, min_df 2) and `bag_of_words` spread the texts over rayon's threads. Throughput
//! is in bytes of text.
//!
//! When the 20 Newsgroups archive is present (`../shared/data/20news/20news-bydate.tar.gz`, or
//! the file `TOPICS_20NEWS` names), `stems` and `bag_of_words` also run over its 11,314
//! training posts, headers included as `topics build` reads them, with throughput in posts.
//!
//! The tokenizer remembers the words it has met, and every case but one reuses a tokenizer that
//! has already seen its corpus (as `topics build` does after the vocabulary); the `fresh` case
//! gives `bag_of_words` a new tokenizer each time, as `topics encode` has for new documents.
//!
//! Run with `cargo bench --bench text`, or briefly with
//! `cargo bench --bench text -- --warm-up-time 1 --measurement-time 3`.

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use topics::corpus::{self, ReadOptions};
use topics::progress::Silent;
use topics::text::{self, Language, Tokenizer, Vocabulary};

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

/// The 20 Newsgroups archive, if it is where the data usually are.
fn newsgroups_archive() -> Option<PathBuf> {
    let path = std::env::var_os("TOPICS_20NEWS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/20news/20news-bydate.tar.gz")
        });
    path.is_file().then_some(path)
}

fn newsgroups(c: &mut Criterion) {
    let Some(archive) = newsgroups_archive() else {
        eprintln!("text-20news skipped: no 20 Newsgroups archive (set TOPICS_20NEWS)");
        return;
    };
    let options = ReadOptions {
        include: vec!["20news-bydate-train/**".into()],
        ..ReadOptions::default()
    };
    let report = corpus::read(&archive, &options, &Silent)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", archive.display()));
    let posts: Vec<String> = report.documents.into_iter().map(|d| d.text).collect();
    let tokenizer = Tokenizer::new(Language::English, None);
    let vocabulary = Vocabulary::build(&tokenizer, &posts, VOCABULARY, MIN_DF);
    let corpus = format!("train-{}posts", posts.len());

    let mut group = c.benchmark_group("text-20news");
    group.sample_size(10);
    group.throughput(Throughput::Elements(posts.len() as u64));
    group.bench_function(BenchmarkId::new("stems", &corpus), |bench| {
        bench.iter(|| {
            posts
                .iter()
                .map(|t| tokenizer.stems(black_box(t)).len())
                .sum::<usize>()
        })
    });
    let threads = rayon::current_num_threads();
    group.bench_function(
        BenchmarkId::new(
            format!("bag_of_words-{VOCABULARY}stems-{threads}threads"),
            &corpus,
        ),
        |bench| bench.iter(|| text::bag_of_words(&tokenizer, &vocabulary, black_box(&posts))),
    );
    group.bench_function(
        BenchmarkId::new(
            format!("bag_of_words-{VOCABULARY}stems-{threads}threads-fresh"),
            &corpus,
        ),
        |bench| {
            bench.iter_batched_ref(
                || Tokenizer::new(Language::English, None),
                |fresh| text::bag_of_words(fresh, &vocabulary, black_box(&posts)),
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
}

criterion_group!(benches, text_stages, newsgroups);
criterion_main!(benches);
