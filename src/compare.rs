//! Side-by-side evaluation: the learned codes next to baselines computed on the same index and
//! the same queries.
//!
//! Methods: `codes` (cosine of the learned codes), `codes+bm25` (the codes' best
//! documents, [`default_shortlist`] of them, re-ordered by BM25, as the 2009 paper re-ranked a semantic-hashing shortlist by
//! TF-IDF), `hybrid` (BM25 scaled to a best of 1 plus half the codes' cosine, see
//! [`search::hybrid_scores`]), `tfidf` and `bm25` over every stem of the corpus, and LSA at the code's width and
//! at 50 dimensions over the model's vocabulary (`lsa10`, `lsa50`). Each is judged by
//! [`eval::evaluate`] on the same queries: those with a word of the model's vocabulary; the time to prepare the queries (tokenizing, encoding) is added to its
//! query time.

use std::time::Instant;

use ndarray::Array2;
use rayon::prelude::*;

use crate::corpus::Document;
use crate::eval::{self, Evaluation, Judgements};
use crate::hashing;
use crate::index::Index;
use crate::linalg;
use crate::progress::Progress;
use crate::rng::{self, Purpose};
use crate::search::lexical::{self, Lexical, Weighting};
use crate::search::lsa::{self, Lsa};
use crate::search::{self, unit_rows};

/// How many of the codes' best documents `codes+bm25` re-orders in an index of `n`, unless
/// told: 3 % of the index, at least 200.
///
/// Measured on 20 Newsgroups (11,314 posts), P@1 / P@100 of the re-ranked codes with a
/// shortlist of 100: 0.758 / 0.536, 300: 0.776 / 0.542, 1000: 0.785 / 0.510, 3000: 0.779 /
/// 0.475; on StackFAQ (718 answers) a longer list helps (P@1 0.536 at 100, 0.545 at 200).
pub fn default_shortlist(n: usize) -> usize {
    (n * 3 / 100).max(200).min(n)
}

/// Which methods to run besides the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Methods {
    pub relevance: Relevance,
    pub baselines: bool,
    pub curve: bool,
    /// Shortlist of `codes+bm25`; [`default_shortlist`] when `None`.
    pub shortlist: Option<usize>,
}

/// When an indexed document is relevant to a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relevance {
    /// It shares a label with the query.
    Labels,
    /// Its id, or its file name without the extension, is one of the query's labels: the
    /// query is a question and its labels name the documents that answer it.
    Answers,
}

/// The names a document answers to under [`Relevance::Answers`]: its id and its file stem.
pub fn answer_names(id: &str) -> Vec<String> {
    let file = id.rsplit('/').next().unwrap_or(id);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let mut names = vec![id.to_string()];
    if stem != id {
        names.push(stem.to_string());
    }
    names
}

/// Evaluations by method name, the learned codes first.
pub type Comparison = Vec<(String, Evaluation)>;

/// Scores of the shortlisted `rows` moved above every other score, in the order of `lexical`.
pub fn rerank(code_scores: &[f32], rows: &[usize], lexical: &[f32]) -> Vec<f32> {
    let mut scores = code_scores.to_vec();
    let lowest = lexical.iter().copied().fold(f32::INFINITY, f32::min);
    for (&r, &s) in rows.iter().zip(lexical) {
        // Codes' cosines are at most 1; shortlisted documents start above 2.
        scores[r] = 2.0 + (s - lowest);
    }
    scores
}

/// Evaluates the index against labelled `queries` with the chosen methods.
pub fn compare(
    index: &Index,
    queries: &[Document],
    methods: Methods,
    progress: &dyn Progress,
) -> Comparison {
    let texts: Vec<&str> = queries.iter().map(|d| d.text.as_str()).collect();
    let query_labels: Vec<Vec<String>> = queries.iter().map(|d| d.labels.clone()).collect();
    let query_ids: Vec<String> = queries.iter().map(|d| d.id.clone()).collect();
    let index_labels: Vec<Vec<String>> = match methods.relevance {
        Relevance::Labels => index.documents.iter().map(|d| d.labels.clone()).collect(),
        Relevance::Answers => index
            .documents
            .iter()
            .map(|d| answer_names(&d.id))
            .collect(),
    };
    let index_ids: Vec<String> = index.documents.iter().map(|d| d.id.clone()).collect();
    let judgements = Judgements::new(&index_labels, &index_ids, &query_labels, &query_ids);
    let n = index.len();
    let per_1000 = |seconds: f64| seconds / queries.len().max(1) as f64 * 1000.0;
    let mut results = Comparison::new();

    progress.begin("codes", 0);
    let start = Instant::now();
    let (codes, known) = index.model.encode_texts(&texts);
    let unit_queries = unit_rows(codes.view());
    let unit_index = unit_rows(index.codes.view());
    let prepare = per_1000(start.elapsed().as_secs_f64());
    let code_scores = |q: usize| search::scores(unit_index.view(), unit_queries.row(q));
    let mut codes_eval = eval::evaluate(&judgements, n, &known, methods.curve, |q| {
        Some(code_scores(q))
    });
    codes_eval.seconds_per_1000 += prepare;
    results.push((format!("codes{}", index.model.code_width()), codes_eval));
    let bits = index.model.settings.bits;
    if let Some(bits) = bits {
        let start = Instant::now();
        let query_addresses = index.model.addresses(codes.view());
        let prepare = prepare + per_1000(start.elapsed().as_secs_f64());
        let pair = (index.addresses.as_slice(), query_addresses.as_slice());
        let evaluation = hamming_evaluation(&judgements, &known, methods, pair, prepare);
        results.push((format!("hamming{bits}"), evaluation));
    }
    progress.end();
    if !methods.baselines {
        return results;
    }

    progress.begin("tfidf, bm25", 0);
    let tokenizer = index.model.tokenizer();
    let start = Instant::now();
    let term_queries: Vec<Vec<(usize, f32)>> = texts
        .par_iter()
        .map(|t| Lexical::count(&index.terms, tokenizer, t))
        .collect();
    let prepare = per_1000(start.elapsed().as_secs_f64());
    for weighting in [Weighting::TfIdf, Weighting::Bm25] {
        let lexical = Lexical::new(&index.terms, weighting);
        let weights: Vec<Vec<(usize, f32)>> = term_queries
            .iter()
            .map(|q| lexical.query_weights(q))
            .collect();
        let mut evaluation = eval::evaluate(&judgements, n, &known, methods.curve, |q| {
            Some(lexical.scores(&weights[q]))
        });
        evaluation.seconds_per_1000 += prepare;
        results.push((weighting.name().to_string(), evaluation));

        if weighting == Weighting::Bm25 {
            let shortlist_size = methods.shortlist.unwrap_or_else(|| default_shortlist(n));
            let mut reranked = eval::evaluate(&judgements, n, &known, methods.curve, |q| {
                let scores = code_scores(q);
                let shortlist: Vec<usize> = search::top_k(&scores, shortlist_size, |_| true)
                    .into_iter()
                    .map(|(r, _)| r)
                    .collect();
                let lexical_scores = lexical.scores_of(&weights[q], &shortlist);
                Some(rerank(&scores, &shortlist, &lexical_scores))
            });
            reranked.seconds_per_1000 += prepare;
            let mut hybrid = eval::evaluate(&judgements, n, &known, methods.curve, |q| {
                let lexical_scores = lexical.scores(&weights[q]);
                Some(search::hybrid_scores(
                    &lexical_scores,
                    &code_scores(q),
                    search::HYBRID_WEIGHT,
                ))
            });
            hybrid.seconds_per_1000 += prepare;
            results.insert(1, ("hybrid".to_string(), hybrid));
            results.insert(
                1,
                (format!("codes{}+bm25", index.model.code_width()), reranked),
            );
        }
    }
    progress.end();

    progress.begin("lsa", 0);
    let index_counts = index.terms.over(&index.model.vocabulary);
    let log_index = lsa::log_counts(&index_counts);
    let query_counts = index.model.bag_of_words(&texts);
    let log_queries = lsa::log_counts(&query_counts);
    let mut widths = vec![index.model.code_width(), 50];
    widths.dedup();
    for width in widths {
        let start = Instant::now();
        let fitted = Lsa::fit(&log_index, width, index.model.settings.seed);
        let fit_seconds = start.elapsed().as_secs_f64();
        let raw_documents = fitted.project(&log_index);
        let documents = unit_rows(raw_documents.view());
        let start = Instant::now();
        let raw_queries = fitted.project(&log_queries);
        let projected: Array2<f32> = unit_rows(raw_queries.view());
        let prepare = per_1000(start.elapsed().as_secs_f64());
        let mut evaluation = eval::evaluate(&judgements, n, &known, methods.curve, |q| {
            Some(search::scores(documents.view(), projected.row(q)))
        });
        evaluation.seconds_per_1000 += prepare;
        tracing::debug!("LSA-{width} fitted in {fit_seconds:.1} s");
        results.push((format!("lsa{width}"), evaluation));
        if bits == Some(width) {
            // Binarized LSA: each dimension thresholded at its median over the index.
            let thresholds = hashing::medians(raw_documents.view(), width);
            let index_addresses = hashing::addresses_of(raw_documents.view(), &thresholds);
            let start = Instant::now();
            let query_addresses = hashing::addresses_of(raw_queries.view(), &thresholds);
            let pair = (index_addresses.as_slice(), query_addresses.as_slice());
            // The queries' projection, timed above, is part of their preparation too.
            let prepare = prepare + per_1000(start.elapsed().as_secs_f64());
            let evaluation = hamming_evaluation(&judgements, &known, methods, pair, prepare);
            results.push((format!("lsa{width}-bits"), evaluation));
        }
    }
    progress.end();
    if let Some(bits) = bits {
        progress.begin("lsh", 0);
        let seed = index.model.settings.seed;
        let (tfidf, idf) = lexical::weigh(&index.terms.counts, Weighting::TfIdf);
        let lexical = Lexical::from_weighted(&tfidf, idf, Weighting::TfIdf);
        let mut stream = rng::stream(seed, Purpose::Init, &[8_000]);
        let planes = Array2::from_shape_simple_fn((tfidf.cols(), bits), || stream.normal());
        let zeros = vec![0.0; bits];
        let mut projected = Array2::zeros((tfidf.rows(), bits));
        linalg::sparse_dense(tfidf.view(), planes.view(), &mut projected.view_mut());
        let index_addresses = hashing::addresses_of(projected.view(), &zeros);
        let start = Instant::now();
        let query_addresses: Vec<u64> = term_queries
            .iter()
            .map(|q| {
                let mut code = vec![0.0f32; bits];
                for (t, w) in lexical.query_weights(q) {
                    for (c, p) in code.iter_mut().zip(planes.row(t)) {
                        *c += w * p;
                    }
                }
                hashing::address(&code, &zeros)
            })
            .collect();
        let pair = (index_addresses.as_slice(), query_addresses.as_slice());
        let prepare = per_1000(start.elapsed().as_secs_f64());
        let evaluation = hamming_evaluation(&judgements, &known, methods, pair, prepare);
        results.push((format!("lsh{bits}"), evaluation));
        progress.end();
    }
    results
}

/// Ranking by Hamming distance between `(index, query)` addresses, ties broken at random;
/// `prepare` seconds per 1000 queries are added to the query time.
fn hamming_evaluation(
    judgements: &Judgements,
    known: &[bool],
    methods: Methods,
    (index_addresses, query_addresses): (&[u64], &[u64]),
    prepare: f64,
) -> Evaluation {
    let n = index_addresses.len();
    let mut evaluation = eval::evaluate(judgements, n, known, methods.curve, |q| {
        let mut random = rng::stream(0, Purpose::Sample, &[9_000, q as u64]);
        let address = query_addresses[q];
        Some(hashing::hamming_scores(
            index_addresses,
            address,
            &mut random,
        ))
    });
    evaluation.seconds_per_1000 += prepare;
    evaluation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_answer_to_their_id_and_file_stem() {
        assert_eq!(answer_names("002-delete/4.txt"), ["002-delete/4.txt", "4"]);
        assert_eq!(answer_names("reut-12"), ["reut-12"]);
    }

    #[test]
    fn reranking_moves_the_shortlist_up_in_lexical_order() {
        let codes = [0.9, 0.8, 0.7, 0.1];
        let scores = rerank(&codes, &[0, 2], &[1.0, 5.0]);
        assert_eq!(search::full_ranking(&scores, |_| true), [2, 0, 1, 3]);
    }
}
