//! What the benches share: the embedded medquad corpus as texts and as a bag of words.
//!
//! Every bench that needs real documents reads `corpora/medquad` (or the corpus that
//! `TOPICS_BENCH_CORPUS` names, filtered by the glob in `TOPICS_BENCH_INCLUDE`, so that
//! `scripts/peers.sh` can time the same documents as its peers) the way `topics build` does:
//! the English tokenizer with its stop words, a vocabulary of 2000 stems found in at least two
//! documents, and the CSR bag of words `(documents, 2000)` over it.

// Every bench compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::path::Path;

use sprs::CsMat;
use topics::corpus::{self, ReadOptions};
use topics::progress::Silent;
use topics::rbm::{Hidden, Rbm, Visible};
use topics::text::{self, Language, Tokenizer, Vocabulary};

/// The vocabulary size of the bottom layer, as in the 2006 paper.
pub const VOCABULARY: usize = 2000;

/// The least number of documents a stem must occur in (the command line's default).
pub const MIN_DF: u32 = 2;

/// The seed of every bench.
pub const SEED: u64 = 42;

/// The standard deviation of the initial weights (the library's choice in `model.rs`).
pub const INIT_STD: f32 = 0.1;

/// The default document network, vocabulary to code.
pub const WIDTHS: [usize; 5] = [VOCABULARY, 500, 250, 125, 10];

/// An untrained machine for `layer` of the default stack, with the given kinds of units.
pub fn machine(layer: usize, visible: Visible, hidden: Hidden) -> Rbm {
    Rbm::new(
        visible,
        hidden,
        WIDTHS[layer],
        WIDTHS[layer + 1],
        INIT_STD,
        SEED,
        layer as u64,
    )
}

/// The medquad corpus, read and counted once.
pub struct Medquad {
    pub texts: Vec<String>,
    /// What the benches' parameters call the corpus: `medquad` or the file name of
    /// `TOPICS_BENCH_CORPUS`.
    pub name: String,
    pub tokenizer: Tokenizer,
    pub vocabulary: Vocabulary,
    /// Shape `(documents, vocabulary)`.
    pub counts: CsMat<f32>,
}

impl Medquad {
    /// Reads `corpora/medquad` and builds its vocabulary and bag of words.
    ///
    /// # Panics
    /// When the corpus is missing from the checkout: the benches cannot run without it.
    pub fn load() -> Medquad {
        let (path, name) = match std::env::var_os("TOPICS_BENCH_CORPUS") {
            Some(path) => {
                let path = std::path::PathBuf::from(path);
                let name = path
                    .file_name()
                    .map(|n| {
                        n.to_string_lossy()
                            .split('.')
                            .next()
                            .unwrap_or("")
                            .to_string()
                    })
                    .unwrap_or_default();
                (path, name)
            }
            None => (
                Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/medquad"),
                "medquad".to_string(),
            ),
        };
        let options = ReadOptions {
            include: std::env::var("TOPICS_BENCH_INCLUDE").into_iter().collect(),
            ..ReadOptions::default()
        };
        let report = corpus::read(&path, &options, &Silent)
            .unwrap_or_else(|e| panic!("the benches need their corpus: {e}"));
        let texts: Vec<String> = report.documents.into_iter().map(|d| d.text).collect();
        let tokenizer = Tokenizer::new(Language::English, None);
        let vocabulary = Vocabulary::build(&tokenizer, &texts, VOCABULARY, MIN_DF);
        let counts = text::bag_of_words(&tokenizer, &vocabulary, &texts);
        Medquad {
            texts,
            name,
            tokenizer,
            vocabulary,
            counts,
        }
    }

    /// The documents that hold at least one word of the vocabulary: those training uses.
    pub fn usable(&self) -> Vec<usize> {
        text::row_sums(&self.counts)
            .iter()
            .enumerate()
            .filter(|(_, d)| **d > 0.0)
            .map(|(i, _)| i)
            .collect()
    }
}
