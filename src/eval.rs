//! Retrieval quality: labelled test documents query the index, and a retrieved document is
//! relevant when it shares a label with the query.
//!
//! Any method that scores every indexed document for a query can be judged the same way:
//! mean precision at 1, 10 and 100, mean average precision over the whole ranking, the time to
//! retrieve the top 100 per 1000 queries, and optionally precision and recall against the number
//! retrieved (1, 2, 4, … and the whole index), the curve the papers draw. A query whose id is
//! also in the index does not retrieve itself; queries without a label are passed over.

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::search;

/// The cut-offs at which precision is always reported.
pub const CUTOFFS: [usize; 3] = [1, 10, 100];

/// One point of a precision–recall curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    pub retrieved: usize,
    pub precision: f64,
    pub recall: f64,
}

/// How well one method retrieved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub queries: usize,
    /// Queries passed over because they have no label (or no word the method knows).
    pub skipped: usize,
    pub p_at_1: f64,
    pub p_at_10: f64,
    pub p_at_100: f64,
    /// Mean average precision over the whole ranking.
    pub map: f64,
    /// Mean reciprocal rank of the first relevant document.
    pub mrr: f64,
    /// Mean share of each query's relevant documents found in the first 1 and 10.
    pub recall_at_1: f64,
    pub recall_at_10: f64,
    /// Wall time to score every document and take the best 100, per 1000 queries, in seconds.
    pub seconds_per_1000: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<CurvePoint>,
}

/// The relevance judgements: labels of the index and of the queries.
pub struct Judgements {
    index: Vec<Vec<u32>>,
    queries: Vec<Vec<u32>>,
    /// For each query, the index row with the same id, if any.
    own: Vec<Option<usize>>,
}

fn label_ids(names: &mut HashMap<String, u32>, labels: &[String]) -> Vec<u32> {
    let mut ids: Vec<u32> = labels
        .iter()
        .map(|l| {
            let next = names.len() as u32;
            *names.entry(l.clone()).or_insert(next)
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl Judgements {
    /// Judgements from the labels and ids of the index and of the queries.
    pub fn new(
        index_labels: &[Vec<String>],
        index_ids: &[String],
        query_labels: &[Vec<String>],
        query_ids: &[String],
    ) -> Self {
        let mut names = HashMap::new();
        let index = index_labels
            .iter()
            .map(|l| label_ids(&mut names, l))
            .collect();
        let queries = query_labels
            .iter()
            .map(|l| label_ids(&mut names, l))
            .collect();
        let positions: HashMap<&str, usize> = index_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let own = query_ids
            .iter()
            .map(|id| positions.get(id.as_str()).copied())
            .collect();
        Judgements {
            index,
            queries,
            own,
        }
    }

    fn relevant(&self, query: usize, row: usize) -> bool {
        let (a, b) = (&self.queries[query], &self.index[row]);
        a.iter().any(|x| b.binary_search(x).is_ok())
    }

    /// The number of queries.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// Whether there is no query.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }
}

/// The cut-offs of the curve for an index of `n` documents: 1, 2, 4, … and `n`.
pub fn curve_cutoffs(n: usize) -> Vec<usize> {
    let mut cutoffs: Vec<usize> = std::iter::successors(Some(1usize), |k| k.checked_mul(2))
        .take_while(|&k| k < n)
        .collect();
    if n > 0 {
        cutoffs.push(n);
    }
    cutoffs
}

/// What one query contributes.
struct QueryResult {
    precision: [f64; 3],
    average_precision: f64,
    reciprocal_rank: f64,
    recall: [f64; 2],
    curve: Vec<(f64, f64)>,
}

/// Judges a method that gives, for query `q`, the score of each of `documents` documents
/// (`None` when it cannot answer the query). Queries run in parallel.
pub fn evaluate<F>(
    judgements: &Judgements,
    documents: usize,
    usable: &[bool],
    curve: bool,
    score: F,
) -> Evaluation
where
    F: Fn(usize) -> Option<Vec<f32>> + Sync,
{
    let active: Vec<usize> = (0..judgements.len())
        .filter(|&q| usable[q] && !judgements.queries[q].is_empty())
        .collect();

    // The timed pass: what a search does, score everything and keep the best 100.
    let start = Instant::now();
    active.par_iter().for_each(|&q| {
        if let Some(scores) = score(q) {
            let own = judgements.own[q];
            std::hint::black_box(search::top_k(&scores, CUTOFFS[2], |r| Some(r) != own));
        }
    });
    let seconds = start.elapsed().as_secs_f64();

    let cutoffs = curve_cutoffs(documents);
    let results: Vec<QueryResult> = active
        .par_iter()
        .filter_map(|&q| {
            let scores = score(q)?;
            let own = judgements.own[q];
            let ranked = search::full_ranking(&scores, |r| Some(r) != own);
            Some(judge(judgements, q, &ranked, curve.then_some(&cutoffs[..])))
        })
        .collect();

    let n = results.len().max(1) as f64;
    let mean = |f: &dyn Fn(&QueryResult) -> f64| results.iter().map(f).sum::<f64>() / n;
    let mut points = Vec::new();
    if curve && !results.is_empty() {
        for (i, &k) in cutoffs.iter().enumerate() {
            let (p, r) = results.iter().fold((0.0, 0.0), |(p, r), result| {
                let (pp, rr) = result.curve.get(i).copied().unwrap_or((0.0, 0.0));
                (p + pp, r + rr)
            });
            points.push(CurvePoint {
                retrieved: k,
                precision: p / n,
                recall: r / n,
            });
        }
    }
    Evaluation {
        queries: results.len(),
        skipped: judgements.len() - results.len(),
        p_at_1: mean(&|r| r.precision[0]),
        p_at_10: mean(&|r| r.precision[1]),
        p_at_100: mean(&|r| r.precision[2]),
        map: mean(&|r| r.average_precision),
        mrr: mean(&|r| r.reciprocal_rank),
        recall_at_1: mean(&|r| r.recall[0]),
        recall_at_10: mean(&|r| r.recall[1]),
        seconds_per_1000: seconds / active.len().max(1) as f64 * 1000.0,
        curve: points,
    }
}

fn judge(
    judgements: &Judgements,
    q: usize,
    ranked: &[usize],
    cutoffs: Option<&[usize]>,
) -> QueryResult {
    let mut hits = 0usize;
    let mut hits_at = Vec::with_capacity(ranked.len());
    let mut precision_sum = 0.0;
    let mut reciprocal_rank = 0.0;
    for (i, &r) in ranked.iter().enumerate() {
        if judgements.relevant(q, r) {
            hits += 1;
            precision_sum += hits as f64 / (i + 1) as f64;
            if hits == 1 {
                reciprocal_rank = 1.0 / (i + 1) as f64;
            }
        }
        hits_at.push(hits);
    }
    let found = |k: usize| {
        hits_at
            .get(k.min(ranked.len()).saturating_sub(1))
            .copied()
            .unwrap_or(0)
    };
    let recall = [1, 10].map(|k| found(k) as f64 / hits.max(1) as f64);
    let mut precision = [0.0; 3];
    for (slot, &k) in CUTOFFS.iter().enumerate() {
        let k = k.min(ranked.len());
        if k > 0 {
            precision[slot] = hits_at[k - 1] as f64 / k as f64;
        }
    }
    let mut curve = Vec::new();
    for &k in cutoffs.unwrap_or(&[]) {
        let k = k.min(ranked.len());
        if k > 0 {
            let found = hits_at[k - 1] as f64;
            curve.push((found / k as f64, found / hits.max(1) as f64));
        }
    }
    QueryResult {
        precision,
        average_precision: precision_sum / hits.max(1) as f64,
        reciprocal_rank,
        recall,
        curve,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn labels(names: &[&str]) -> Vec<Vec<String>> {
        names.iter().map(|n| vec![n.to_string()]).collect()
    }

    #[test]
    fn precision_counts_shared_labels() {
        let index = array![[1.0f32, 0.0], [0.0, 1.0], [0.8, 0.6]];
        let queries = array![[1.0f32, 0.0], [0.0, 1.0]];
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let qids: Vec<String> = ["q1", "b"].map(String::from).to_vec();
        let judgements =
            Judgements::new(&labels(&["x", "y", "x"]), &ids, &labels(&["x", "y"]), &qids);
        let result = evaluate(&judgements, 3, &[true, true], true, |q| {
            Some(search::scores(index.view(), queries.row(q)))
        });
        assert_eq!(result.queries, 2);
        // q1 ranks a, c (both x) then b; query "b" skips itself and ranks c, a: no y left.
        assert!((result.p_at_1 - 0.5).abs() < 1e-9);
        assert!((result.p_at_10 - (2.0 / 3.0) / 2.0).abs() < 1e-9);
        // q1: relevant at ranks 1 and 2, AP 1; query "b" has no relevant document, AP 0.
        assert!((result.map - 0.5).abs() < 1e-9);
        assert!((result.mrr - 0.5).abs() < 1e-9);
        assert!((result.recall_at_1 - 0.25).abs() < 1e-9);
        assert!((result.recall_at_10 - 0.5).abs() < 1e-9);
        assert_eq!(
            result.curve.iter().map(|p| p.retrieved).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!((result.curve[1].recall - 0.5).abs() < 1e-9);
        assert!(result.seconds_per_1000 >= 0.0);
    }

    #[test]
    fn unusable_and_unlabelled_queries_are_skipped() {
        let ids: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let qids: Vec<String> = ["q1", "q2", "q3"].map(String::from).to_vec();
        let query_labels = vec![vec!["x".to_string()], vec![], vec!["y".to_string()]];
        let judgements = Judgements::new(&labels(&["x", "y"]), &ids, &query_labels, &qids);
        let result = evaluate(&judgements, 2, &[true, true, false], false, |_| {
            Some(vec![1.0, 0.0])
        });
        assert_eq!((result.queries, result.skipped), (1, 2));
        assert!((result.p_at_1 - 1.0).abs() < 1e-9);
        assert!(result.curve.is_empty());
    }

    #[test]
    fn cutoffs_double_up_to_the_index() {
        assert_eq!(curve_cutoffs(10), [1, 2, 4, 8, 10]);
        assert_eq!(curve_cutoffs(8), [1, 2, 4, 8]);
        assert_eq!(curve_cutoffs(0), Vec::<usize>::new());
    }
}
