//! Retrieval quality: labelled test documents query the index, and a retrieved document is
//! relevant when it shares a label with the query.
//!
//! Reported: mean precision at 1, 10 and 100 over the queries that have a label, and optionally
//! precision and recall against the number retrieved (1, 2, 4, … and the whole index), the
//! curve the papers draw. A query whose id is also in the index does not retrieve itself.

use std::collections::HashMap;

use ndarray::ArrayView2;
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

/// Mean precision of the learned codes, and the curve when asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub queries: usize,
    /// Queries passed over because they have no label (or no word of the vocabulary).
    pub skipped: usize,
    pub p_at_1: f64,
    pub p_at_10: f64,
    pub p_at_100: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<CurvePoint>,
}

/// One query's precision at each of [`CUTOFFS`], and its (precision, recall) curve.
type QueryResult = ([f64; 3], Vec<(f64, f64)>);

/// Labels as small integers, for fast comparisons.
struct LabelIds(HashMap<String, u32>);

impl LabelIds {
    fn ids(&mut self, labels: &[String]) -> Vec<u32> {
        let mut ids: Vec<u32> = labels
            .iter()
            .map(|l| {
                let n = self.0.len() as u32;
                *self.0.entry(l.clone()).or_insert(n)
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

fn shares(a: &[u32], b: &[u32]) -> bool {
    a.iter().any(|x| b.binary_search(x).is_ok())
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

/// Evaluates unit-length `query_codes` against unit-length `index_codes`.
///
/// `query_ids` let a query that is itself indexed skip its own entry; `usable[q]` false passes
/// a query over (for example one without any word of the vocabulary).
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    index_codes: ArrayView2<f32>,
    index_labels: &[Vec<String>],
    index_ids: &[String],
    query_codes: ArrayView2<f32>,
    query_labels: &[Vec<String>],
    query_ids: &[String],
    usable: &[bool],
    curve: bool,
) -> Evaluation {
    let mut label_ids = LabelIds(HashMap::new());
    let index_sets: Vec<Vec<u32>> = index_labels.iter().map(|l| label_ids.ids(l)).collect();
    let query_sets: Vec<Vec<u32>> = query_labels.iter().map(|l| label_ids.ids(l)).collect();
    let positions: HashMap<&str, usize> = index_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let cutoffs = curve_cutoffs(index_codes.nrows());

    let active: Vec<usize> = (0..query_codes.nrows())
        .filter(|&q| usable[q] && !query_sets[q].is_empty())
        .collect();

    // Per query: precision at each cut-off, and the curve's precision and recall.
    let per_query: Vec<QueryResult> = active
        .par_iter()
        .map(|&q| {
            let own = positions.get(query_ids[q].as_str()).copied();
            let keep = |r: usize| Some(r) != own;
            let scores: Vec<f32> = index_codes
                .rows()
                .into_iter()
                .map(|row| row.dot(&query_codes.row(q)))
                .collect();
            let relevant = |r: usize| shares(&query_sets[q], &index_sets[r]);
            let mut precision = [0.0; 3];
            let ranked: Vec<usize> = if curve {
                search::full_ranking(&scores, keep)
            } else {
                search::top_k(&scores, CUTOFFS[2], keep)
                    .into_iter()
                    .map(|(r, _)| r)
                    .collect()
            };
            let mut hits = 0usize;
            let mut hits_at = Vec::with_capacity(ranked.len());
            for &r in &ranked {
                hits += usize::from(relevant(r));
                hits_at.push(hits);
            }
            for (slot, &k) in CUTOFFS.iter().enumerate() {
                let k = k.min(ranked.len());
                if k > 0 {
                    precision[slot] = hits_at[k - 1] as f64 / k as f64;
                }
            }
            let mut points = Vec::new();
            if curve {
                let total = hits.max(1) as f64;
                for &k in &cutoffs {
                    let k = k.min(ranked.len());
                    if k > 0 {
                        points.push((
                            hits_at[k - 1] as f64 / k as f64,
                            hits_at[k - 1] as f64 / total,
                        ));
                    }
                }
            }
            (precision, points)
        })
        .collect();

    let n = per_query.len().max(1) as f64;
    let mean = |slot: usize| per_query.iter().map(|(p, _)| p[slot]).sum::<f64>() / n;
    let mut curve_points = Vec::new();
    if curve && !per_query.is_empty() {
        for (i, &k) in cutoffs.iter().enumerate() {
            let (p, r) = per_query.iter().fold((0.0, 0.0), |(p, r), (_, pts)| {
                let (pp, rr) = pts.get(i).copied().unwrap_or((0.0, 0.0));
                (p + pp, r + rr)
            });
            curve_points.push(CurvePoint {
                retrieved: k,
                precision: p / n,
                recall: r / n,
            });
        }
    }
    Evaluation {
        queries: per_query.len(),
        skipped: query_codes.nrows() - per_query.len(),
        p_at_1: mean(0),
        p_at_10: mean(1),
        p_at_100: mean(2),
        curve: curve_points,
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
        let result = evaluate(
            index.view(),
            &labels(&["x", "y", "x"]),
            &ids,
            queries.view(),
            &labels(&["x", "y"]),
            &qids,
            &[true, true],
            true,
        );
        assert_eq!(result.queries, 2);
        // q1 ranks a, c (both x) then b; query "b" skips itself and ranks c, a: no y left.
        assert!((result.p_at_1 - 0.5).abs() < 1e-9);
        assert!((result.p_at_10 - (2.0 / 3.0) / 2.0).abs() < 1e-9);
        assert_eq!(
            result.curve.iter().map(|p| p.retrieved).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!((result.curve[1].recall - 0.5).abs() < 1e-9);
    }

    #[test]
    fn cutoffs_double_up_to_the_index() {
        assert_eq!(curve_cutoffs(10), [1, 2, 4, 8, 10]);
        assert_eq!(curve_cutoffs(8), [1, 2, 4, 8]);
        assert_eq!(curve_cutoffs(0), Vec::<usize>::new());
    }
}
