//! Topic quality side by side: the index's codes named two ways, and k-means on LSA of TF-IDF.
//!
//! Every method gets the same k, the same reference documents for coherence (the indexed
//! documents plus any extra ones) and the same labels, so their figures compare directly.

use std::time::Instant;

use super::quality::{Occurrences, nmi};
use super::{Choice, Corpus, Naming, RESTARTS, Topics, from_clustering, kmeans, top_word_columns};
use crate::index::Index;
use crate::search::lexical::{Weighting, weigh};
use crate::search::lsa::Lsa;
use crate::search::unit_rows;
use crate::text;
use serde::Serialize;

/// Top words per topic that coherence is measured on.
pub const COHERENCE_WORDS: usize = 10;
/// Width of the LSA baseline's document vectors.
pub const LSA_WIDTH: usize = 100;

/// One method's topics, measured.
#[derive(Debug, Clone, Serialize)]
pub struct TopicScores {
    pub method: String,
    pub topics: usize,
    /// Mean NPMI of each topic's top [`COHERENCE_WORDS`] words, over topics.
    pub npmi: f64,
    /// Each topic's NPMI, largest topic first.
    pub per_topic: Vec<f64>,
    /// NMI between topic and first label, over labelled documents; `None` without labels.
    pub nmi: Option<f64>,
    /// The top words of each topic, as shown to people.
    pub words: Vec<Vec<String>>,
    pub seconds: f64,
}

/// Measures `k` topics of `index` three ways; `extra` texts join the coherence reference.
pub fn compare(index: &Index, extra: &[&str], k: usize, seed: u64) -> Vec<TopicScores> {
    let model = &index.model;
    let counts = index.terms.over(&model.vocabulary);
    let corpus = Corpus {
        network: &model.network,
        vocabulary: &model.vocabulary,
        counts: &counts,
    };
    let extra_counts = text::bag_of_words(model.tokenizer(), &index.terms.vocabulary, extra);
    let reference = |occurrences: &mut Occurrences| {
        occurrences.add(&index.terms.counts);
        occurrences.add(&extra_counts);
    };
    let labels = first_labels(index);

    // One clustering of the codes, named both ways; each method's time counts the clustering.
    let start = Instant::now();
    let unit = unit_rows(index.codes.view());
    let clustering = kmeans::kmeans(unit.view(), k, seed, RESTARTS);
    let clustered = start.elapsed();
    let mut results = Vec::new();
    for naming in Naming::ALL {
        let start = Instant::now();
        let topics = from_clustering(
            index.codes.view(),
            &unit,
            clustering.clone(),
            &corpus,
            naming,
            Choice::given(),
            seed,
        );
        let method = format!("codes{} + {} words", model.code_width(), naming);
        let seconds = (clustered + start.elapsed()).as_secs_f64();
        results.push(score(&method, &topics, index, &reference, &labels, seconds));
    }

    let start = Instant::now();
    let (tfidf, _) = weigh(&index.terms.counts, Weighting::TfIdf);
    let lsa = Lsa::fit(&tfidf, LSA_WIDTH, seed);
    let vectors = unit_rows(lsa.project(&tfidf).view());
    let clustering = kmeans::kmeans(vectors.view(), k, seed, RESTARTS);
    let topics = from_clustering(
        vectors.view(),
        &vectors,
        clustering,
        &corpus,
        Naming::ClassTfidf,
        Choice::given(),
        seed,
    );
    results.push(score(
        &format!("LSA-{LSA_WIDTH} of TF-IDF + ctfidf words"),
        &topics,
        index,
        &reference,
        &labels,
        start.elapsed().as_secs_f64(),
    ));
    results
}

/// Each indexed document's first label as a number, or `None` when it has none.
fn first_labels(index: &Index) -> Vec<Option<u32>> {
    let mut names: Vec<&str> = index
        .documents
        .iter()
        .filter_map(|d| d.labels.first().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    index
        .documents
        .iter()
        .map(|d| {
            d.labels
                .first()
                .and_then(|l| names.binary_search(&l.as_str()).ok())
                .map(|n| n as u32)
        })
        .collect()
}

fn score(
    method: &str,
    topics: &Topics,
    index: &Index,
    reference: &dyn Fn(&mut Occurrences),
    labels: &[Option<u32>],
    seconds: f64,
) -> TopicScores {
    let columns = top_word_columns(topics, &index.terms.vocabulary);
    let mut occurrences = Occurrences::new(columns.iter().flatten().copied());
    reference(&mut occurrences);
    let per_topic: Vec<f64> = columns.iter().map(|c| occurrences.coherence(c)).collect();
    let npmi = per_topic.iter().sum::<f64>() / per_topic.len().max(1) as f64;
    let (topic_of, label_of): (Vec<u32>, Vec<u32>) = topics
        .assignments
        .iter()
        .zip(labels)
        .filter_map(|(&t, l)| l.map(|l| (t, l)))
        .unzip();
    TopicScores {
        method: method.to_string(),
        topics: topics.k(),
        npmi,
        per_topic,
        nmi: (!label_of.is_empty()).then(|| nmi(&topic_of, &label_of)),
        words: topics
            .topics
            .iter()
            .map(|t| t.words.iter().take(COHERENCE_WORDS).cloned().collect())
            .collect(),
        seconds,
    }
}
