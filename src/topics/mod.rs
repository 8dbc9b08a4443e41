//! Topics: clusters of document codes, each named by the words that set it apart.
//!
//! Codes are scaled to unit length (search ranks by cosine, so the clusters follow the same
//! geometry) and clustered by k-means. When no k is given, each k of [`CANDIDATES`] is tried
//! (capped so that a topic holds [`MIN_TOPIC_DOCUMENTS`] documents on average) and the topics
//! whose words cohere best over the corpus win; the silhouette of the codes was tried first and
//! always preferred 2 topics on 20 Newsgroups. A topic's words come from the decoder ([`Naming::Decoder`]: the word distribution
//! the decoder gives the cluster's mean code, contrasted with the corpus's) or from the counts of
//! its documents ([`Naming::ClassTfidf`]: class-based TF-IDF). [`quality`] measures them.

pub mod kmeans;
pub mod measure;
pub mod quality;

use std::fmt;
use std::str::FromStr;

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use sprs::CsMat;

use crate::autoencoder::Autoencoder;
use crate::search;
use crate::text::Vocabulary;

/// Numbers of topics tried when none is given.
pub const CANDIDATES: [usize; 12] = [2, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50];
/// The automatic k leaves at least this many documents per topic on average.
pub const MIN_TOPIC_DOCUMENTS: usize = 10;
/// Words kept per topic, best first.
pub const WORDS_KEPT: usize = 20;
/// Typical documents kept per topic, nearest the centre first.
pub const DOCUMENTS_KEPT: usize = 10;
/// Corpora larger than this choose k on a sample of this many codes.
const CHOICE_SAMPLE: usize = 20_000;
/// Seedings of k-means tried; the lowest inertia wins.
pub(crate) const RESTARTS: usize = 4;

/// How a topic's words are chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Naming {
    /// The decoder's words for the cluster's mean code, weighted by `p · ln(p / q)` against
    /// the corpus's word distribution `q`.
    #[default]
    Decoder,
    /// Class-based TF-IDF over the words of the cluster's documents.
    #[serde(rename = "ctfidf")]
    ClassTfidf,
}

impl Naming {
    pub const ALL: [Naming; 2] = [Naming::Decoder, Naming::ClassTfidf];

    pub fn name(self) -> &'static str {
        match self {
            Naming::Decoder => "decoder",
            Naming::ClassTfidf => "ctfidf",
        }
    }
}

impl fmt::Display for Naming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Naming {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Naming::ALL
            .into_iter()
            .find(|n| n.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown naming {s:?}; choose decoder or ctfidf"))
    }
}

/// One topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// Documents in the topic.
    pub size: usize,
    /// Stems that name the topic, best first.
    pub stems: Vec<String>,
    /// The word each stem most often came from, in the same order.
    pub words: Vec<String>,
    /// The naming method's weight of each stem.
    pub weights: Vec<f32>,
    /// Rows of the typical documents, nearest the centre first.
    pub documents: Vec<usize>,
}

/// How k was chosen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// Whether the user gave k.
    pub given: bool,
    /// The coherence (mean NPMI) of each candidate k tried, when it was chosen automatically.
    pub coherence: Vec<(usize, f64)>,
}

/// The topics of an indexed corpus; topics are numbered by size, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topics {
    pub naming: Naming,
    pub choice: Choice,
    /// The seed the clustering used.
    pub seed: u64,
    /// Centres in the space of unit-length codes, one per topic.
    pub centres: Vec<Vec<f32>>,
    /// For each indexed document, its topic.
    pub assignments: Vec<u32>,
    pub topics: Vec<Topic>,
}

/// What [`discover`] needs besides the codes.
pub struct Corpus<'a> {
    pub network: &'a Autoencoder,
    pub vocabulary: &'a Vocabulary,
    /// The documents counted over `vocabulary`, one row per code.
    pub counts: &'a CsMat<f32>,
}

impl Topics {
    /// The number of topics.
    pub fn k(&self) -> usize {
        self.topics.len()
    }

    /// The nearest topic of each of `codes`, for documents that were not clustered: the
    /// centre nearest its unit-length code, as k-means assigns them.
    pub fn assign(&self, codes: ArrayView2<f32>) -> Vec<u32> {
        let unit = search::unit_rows(codes);
        let width = unit.ncols();
        let centres =
            Array2::from_shape_fn((self.centres.len(), width), |(t, j)| self.centres[t][j]);
        unit.outer_iter()
            .map(|code| kmeans::nearest(code, centres.view()).0)
            .collect()
    }
}

/// Clusters `codes` into `k` topics and names them; without `k`, tries every candidate of
/// [`CANDIDATES`] (at most one topic per [`MIN_TOPIC_DOCUMENTS`] documents) and keeps the
/// topics whose top words are the most coherent over the corpus (mean NPMI), judged on a
/// sample of [`CHOICE_SAMPLE`] codes for larger corpora.
pub fn discover(
    codes: ArrayView2<f32>,
    corpus: &Corpus,
    k: Option<usize>,
    naming: Naming,
    seed: u64,
) -> Topics {
    let unit = search::unit_rows(codes);
    let cluster = |k: usize, choice: Choice| {
        let clustering = kmeans::kmeans(unit.view(), k, seed, RESTARTS);
        from_clustering(codes, &unit, clustering, corpus, naming, choice, seed)
    };
    if let Some(k) = k {
        return cluster(k, Choice::given());
    }
    let n = codes.nrows();
    if n <= CHOICE_SAMPLE {
        let (scores, best) = try_candidates(codes, &unit, corpus, naming, seed, RESTARTS);
        let mut topics = best.expect("at least one candidate");
        topics.choice = Choice {
            given: false,
            coherence: scores,
        };
        return topics;
    }
    // A large corpus chooses k on a sample of its codes, then clusters them all.
    let mut rows: Vec<usize> = (0..n).collect();
    crate::rng::stream(seed, crate::rng::Purpose::Clusters, &[u64::MAX]).shuffle(&mut rows);
    rows.truncate(CHOICE_SAMPLE);
    rows.sort_unstable();
    let sample = codes.select(ndarray::Axis(0), &rows);
    let sample_counts = crate::text::select_rows(corpus.counts.view(), &rows);
    let sample_corpus = Corpus {
        counts: &sample_counts,
        ..*corpus
    };
    let sample_unit = search::unit_rows(sample.view());
    let (scores, best) =
        try_candidates(sample.view(), &sample_unit, &sample_corpus, naming, seed, 1);
    let k = best.map_or(1, |t| t.k());
    tracing::debug!("{k} topics chosen on a sample of {CHOICE_SAMPLE} codes");
    cluster(
        k,
        Choice {
            given: false,
            coherence: scores,
        },
    )
}

/// Every candidate k's topics of `codes` (unit rows `unit`), their coherence, and the most
/// coherent topics.
fn try_candidates(
    codes: ArrayView2<f32>,
    unit: &Array2<f32>,
    corpus: &Corpus,
    naming: Naming,
    seed: u64,
    restarts: usize,
) -> (Vec<(usize, f64)>, Option<Topics>) {
    let cap = (codes.nrows() / MIN_TOPIC_DOCUMENTS).max(1);
    let mut candidates: Vec<usize> = CANDIDATES.iter().copied().filter(|&k| k <= cap).collect();
    if candidates.is_empty() {
        candidates.push(cap);
    }
    let mut best: Option<(f64, Topics)> = None;
    let mut scores = Vec::new();
    for k in candidates {
        let clustering = kmeans::kmeans(unit.view(), k, seed, restarts);
        let topics = from_clustering(
            codes,
            unit,
            clustering,
            corpus,
            naming,
            Choice::given(),
            seed,
        );
        let coherence = coherence(&topics, corpus);
        tracing::debug!("{k} topics: coherence {coherence:.4}");
        scores.push((k, coherence));
        if best.as_ref().is_none_or(|(b, _)| coherence > *b) {
            best = Some((coherence, topics));
        }
    }
    (scores, best.map(|(_, t)| t))
}

/// The mean NPMI of the topics' top [`measure::COHERENCE_WORDS`] words, over the documents
/// of `corpus`.
fn coherence(topics: &Topics, corpus: &Corpus) -> f64 {
    let columns = top_word_columns(topics, corpus.vocabulary);
    let mut occurrences = quality::Occurrences::new(columns.iter().flatten().copied());
    occurrences.add(corpus.counts);
    columns
        .iter()
        .map(|c| occurrences.coherence(c))
        .sum::<f64>()
        / columns.len().max(1) as f64
}

impl Choice {
    /// The choice of a user who gave k.
    pub fn given() -> Self {
        Choice {
            given: true,
            coherence: Vec::new(),
        }
    }
}

/// Topics from a clustering of `unit` (the unit rows of `codes`), named as `naming` says.
pub(crate) fn from_clustering(
    codes: ArrayView2<f32>,
    unit: &Array2<f32>,
    clustering: kmeans::Clustering,
    corpus: &Corpus,
    naming: Naming,
    choice: Choice,
    seed: u64,
) -> Topics {
    // Number topics by size, largest first.
    let sizes = clustering.sizes();
    let mut order: Vec<usize> = (0..clustering.k()).filter(|&c| sizes[c] > 0).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut renumber = vec![u32::MAX; clustering.k()];
    for (new, &old) in order.iter().enumerate() {
        renumber[old] = new as u32;
    }
    let assignments: Vec<u32> = clustering
        .assignments
        .iter()
        .map(|&a| renumber[a as usize])
        .collect();
    let k = order.len();
    let centres: Vec<Vec<f32>> = order
        .iter()
        .map(|&c| clustering.centres.row(c).to_vec())
        .collect();

    let weights = match naming {
        Naming::Decoder => decoder_weights(codes, &assignments, k, corpus),
        Naming::ClassTfidf => class_tfidf(corpus.counts, &assignments, k),
    };
    let topics = (0..k)
        .map(|t| {
            let best = top_columns(weights.row(t).as_slice().unwrap_or(&[]), WORDS_KEPT);
            Topic {
                size: sizes[order[t]],
                stems: best
                    .iter()
                    .map(|&(c, _)| corpus.vocabulary.stems[c].clone())
                    .collect(),
                words: best
                    .iter()
                    .map(|&(c, _)| corpus.vocabulary.words[c].clone())
                    .collect(),
                weights: best.iter().map(|&(_, w)| w).collect(),
                documents: typical(unit, &assignments, t as u32, &centres[t]),
            }
        })
        .collect();
    Topics {
        naming,
        choice,
        seed,
        centres,
        assignments,
        topics,
    }
}

/// For each topic, the columns in `vocabulary` of its top [`measure::COHERENCE_WORDS`] stems.
pub(crate) fn top_word_columns(topics: &Topics, vocabulary: &Vocabulary) -> Vec<Vec<usize>> {
    topics
        .topics
        .iter()
        .map(|t| {
            t.stems
                .iter()
                .take(measure::COHERENCE_WORDS)
                .filter_map(|stem| vocabulary.column(stem).map(|c| c as usize))
                .collect()
        })
        .collect()
}

/// The `n` columns of `weights` with the highest positive weight, best first.
fn top_columns(weights: &[f32], n: usize) -> Vec<(usize, f32)> {
    let mut ranked: Vec<(usize, f32)> = weights
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, w)| *w > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(n);
    ranked
}

/// Rows of topic `topic` nearest its centre, at most [`DOCUMENTS_KEPT`].
fn typical(unit: &Array2<f32>, assignments: &[u32], topic: u32, centre: &[f32]) -> Vec<usize> {
    let mut members: Vec<(usize, f32)> = assignments
        .iter()
        .enumerate()
        .filter(|(_, a)| **a == topic)
        .map(|(row, _)| {
            let dot: f32 = unit.row(row).iter().zip(centre).map(|(a, b)| a * b).sum();
            (row, dot)
        })
        .collect();
    members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    members
        .into_iter()
        .take(DOCUMENTS_KEPT)
        .map(|(row, _)| row)
        .collect()
}

/// Shape `(k, vocabulary)`: `p · ln(p / q)` for the decoder's distribution `p` of each topic's
/// mean code and the corpus's word distribution `q`.
fn decoder_weights(
    codes: ArrayView2<f32>,
    assignments: &[u32],
    k: usize,
    corpus: &Corpus,
) -> Array2<f32> {
    let mut means = Array2::<f32>::zeros((k, codes.ncols()));
    let mut sizes = vec![0f32; k];
    for (code, &a) in codes.outer_iter().zip(assignments) {
        let mut mean = means.row_mut(a as usize);
        mean += &code;
        sizes[a as usize] += 1.0;
    }
    for (mut mean, &size) in means.outer_iter_mut().zip(&sizes) {
        mean /= size.max(1.0);
    }
    let decoded = corpus.network.decode(means.view());
    let background = corpus.vocabulary.frequencies();
    let mut weights = decoded;
    for mut row in weights.outer_iter_mut() {
        for (p, &q) in row.iter_mut().zip(&background) {
            *p = if *p > 0.0 && q > 0.0 {
                *p * (*p / q).ln()
            } else {
                0.0
            };
        }
    }
    weights
}

/// Shape `(k, columns)`: class-based TF-IDF (Grootendorst 2022). A word's share of its topic's
/// words times `ln(1 + A / f)`, where `A` is the mean number of words per topic and `f` the
/// word's count over all topics.
pub fn class_tfidf(counts: &CsMat<f32>, assignments: &[u32], k: usize) -> Array2<f32> {
    let columns = counts.cols();
    let mut totals = Array2::<f32>::zeros((k, columns));
    for (row, &a) in counts.outer_iterator().zip(assignments) {
        let mut target = totals.row_mut(a as usize);
        for (c, &v) in row.iter() {
            target[c] += v;
        }
    }
    let per_word = totals.sum_axis(Axis(0));
    let average = per_word.sum() / k.max(1) as f32;
    for mut topic in totals.outer_iter_mut() {
        let words = topic.sum();
        if words == 0.0 {
            continue;
        }
        for (v, &f) in topic.iter_mut().zip(&per_word) {
            *v = if f > 0.0 {
                *v / words * (1.0 + average / f).ln()
            } else {
                0.0
            };
        }
    }
    totals
}
