//! The vocabulary: the most frequent stems of a training corpus and the words they came from.
//!
//! Stems are ranked by their count over the corpus (ties broken alphabetically, so the result
//! does not depend on the order of documents or threads), ignoring stems found in fewer than
//! `min_df` documents. For each stem the most frequent surface word is kept, so that people can
//! be shown "believe" rather than "believ".

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Tokenizer;
use super::hash::WordHash;

/// Counts of one stem while the vocabulary is being built.
#[derive(Debug, Default, Clone)]
struct StemStats {
    count: u64,
    documents: u32,
    words: HashMap<String, u64>,
}

/// The fixed list of stems that documents are counted over.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    /// Stems, most frequent first; a stem's position is its column in the bag of words.
    pub stems: Vec<String>,
    /// For each stem, the word it most often came from.
    pub words: Vec<String>,
    /// For each stem, the number of training documents it occurs in.
    pub document_frequency: Vec<u32>,
    /// For each stem, its count over the training corpus.
    pub counts: Vec<u64>,
    /// The number of training documents the vocabulary was built from.
    pub documents: u64,
    #[serde(skip)]
    lookup: HashMap<String, u32, WordHash>,
}

impl Vocabulary {
    /// Builds the vocabulary of at most `size` stems from `texts`, tokenized in parallel.
    pub fn build<S: AsRef<str> + Sync>(
        tokenizer: &Tokenizer,
        texts: &[S],
        size: usize,
        min_df: u32,
    ) -> Vocabulary {
        Vocabulary::build_all(tokenizer, texts).top(size, min_df)
    }

    /// Every stem of `texts`, most frequent first: the whole vocabulary that lexical
    /// baselines such as TF-IDF work over.
    pub fn build_all<S: AsRef<str> + Sync>(tokenizer: &Tokenizer, texts: &[S]) -> Vocabulary {
        let stats = texts
            .par_iter()
            .fold(HashMap::<String, StemStats>::new, |mut stats, text| {
                let mut seen: HashMap<String, ()> = HashMap::new();
                tokenizer.for_each(text.as_ref(), |stem, word| {
                    let entry = stats.entry(stem.to_string()).or_default();
                    entry.count += 1;
                    *entry.words.entry(word.to_string()).or_default() += 1;
                    if seen.insert(stem.to_string(), ()).is_none() {
                        entry.documents += 1;
                    }
                });
                stats
            })
            .reduce(HashMap::new, merge_stats);

        let mut ranked: Vec<(String, StemStats)> = stats.into_iter().collect();
        ranked.sort_by(|(a, sa), (b, sb)| sb.count.cmp(&sa.count).then_with(|| a.cmp(b)));

        let mut vocabulary = Vocabulary {
            stems: Vec::with_capacity(ranked.len()),
            words: Vec::with_capacity(ranked.len()),
            document_frequency: Vec::with_capacity(ranked.len()),
            counts: Vec::with_capacity(ranked.len()),
            documents: texts.len() as u64,
            lookup: HashMap::default(),
        };
        for (stem, stats) in ranked {
            let word = stats
                .words
                .into_iter()
                .max_by(|(a, ca), (b, cb)| ca.cmp(cb).then_with(|| b.cmp(a)))
                .map(|(word, _)| word)
                .unwrap_or_else(|| stem.clone());
            vocabulary.stems.push(stem);
            vocabulary.words.push(word);
            vocabulary.document_frequency.push(stats.documents);
            vocabulary.counts.push(stats.count);
        }
        vocabulary.rebuild_lookup();
        vocabulary
    }

    /// The `size` most frequent stems found in at least `min_df` documents, in rank order.
    pub fn top(&self, size: usize, min_df: u32) -> Vocabulary {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.document_frequency[i] >= min_df)
            .take(size)
            .collect();
        let mut vocabulary = Vocabulary {
            stems: keep.iter().map(|&i| self.stems[i].clone()).collect(),
            words: keep.iter().map(|&i| self.words[i].clone()).collect(),
            document_frequency: keep.iter().map(|&i| self.document_frequency[i]).collect(),
            counts: keep.iter().map(|&i| self.counts[i]).collect(),
            documents: self.documents,
            lookup: HashMap::default(),
        };
        vocabulary.rebuild_lookup();
        vocabulary
    }

    /// Restores the stem → column map after deserializing.
    pub fn rebuild_lookup(&mut self) {
        self.lookup = self
            .stems
            .iter()
            .enumerate()
            .map(|(i, stem)| (stem.clone(), i as u32))
            .collect();
    }

    /// The number of stems.
    pub fn len(&self) -> usize {
        self.stems.len()
    }

    /// Whether the vocabulary has no stem at all.
    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    /// The column of `stem`, if it is in the vocabulary.
    pub fn column(&self, stem: &str) -> Option<u32> {
        self.lookup.get(stem).copied()
    }

    /// Each stem's share of all counted words, the starting point of the visible biases.
    pub fn frequencies(&self) -> Vec<f32> {
        let total: u64 = self.counts.iter().sum::<u64>().max(1);
        self.counts
            .iter()
            .map(|&c| c as f32 / total as f32)
            .collect()
    }
}

fn merge_stats(
    mut into: HashMap<String, StemStats>,
    from: HashMap<String, StemStats>,
) -> HashMap<String, StemStats> {
    if into.len() < from.len() {
        return merge_stats(from, into);
    }
    for (stem, stats) in from {
        let entry = into.entry(stem).or_default();
        entry.count += stats.count;
        entry.documents += stats.documents;
        for (word, count) in stats.words {
            *entry.words.entry(word).or_default() += count;
        }
    }
    into
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;

    #[test]
    fn ranks_by_count_and_keeps_surface_words() {
        let tokenizer = Tokenizer::new(Language::English, None);
        let texts = [
            "graphics cards and graphics drivers",
            "a graphic card for games",
            "believe me, I believed it",
        ];
        let vocabulary = Vocabulary::build(&tokenizer, &texts, 3, 1);
        assert_eq!(vocabulary.stems, ["graphic", "believ", "card"]);
        assert_eq!(vocabulary.words[0], "graphics");
        assert_eq!(vocabulary.document_frequency, [2, 1, 2]);
        assert_eq!(vocabulary.column("card"), Some(2));
        assert_eq!(vocabulary.column("game"), None);
    }

    #[test]
    fn min_df_drops_rare_stems() {
        let tokenizer = Tokenizer::new(Language::English, None);
        let texts = ["space shuttle launch", "space station", "orbit"];
        let vocabulary = Vocabulary::build(&tokenizer, &texts, 10, 2);
        assert_eq!(vocabulary.stems, ["space"]);
        let frequencies = vocabulary.frequencies();
        assert!((frequencies[0] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn survives_a_json_round_trip() {
        let tokenizer = Tokenizer::new(Language::English, None);
        let vocabulary = Vocabulary::build(&tokenizer, &["alpha beta beta"], 5, 1);
        let json = serde_json::to_string(&vocabulary).expect("serializable");
        let mut back: Vocabulary = serde_json::from_str(&json).expect("parses");
        back.rebuild_lookup();
        assert_eq!(back, vocabulary);
        assert_eq!(back.column("beta"), Some(0));
    }
}
