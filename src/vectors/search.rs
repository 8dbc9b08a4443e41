//! Nearest codes by Euclidean distance, and how often they share the query's label.
//!
//! Image codes are compared by Euclidean distance, for the autoencoder and for PCA alike (PCA's
//! codes are a rotation of the data, so their distances are the data's within its leading
//! subspace). Distances to a block of queries come from one dense product,
//! `|x|² − 2 q·x` (the query's own `|q|²` does not change its ranking), then each query keeps
//! its `k` best.

use ndarray::{Array1, ArrayView2, Axis, s};
use rayon::prelude::*;

use crate::eval::CUTOFFS;
use crate::linalg;
use crate::search::top_k;

/// Queries handled by one dense product.
const BLOCK: usize = 256;

/// For each query (row of `queries`), the `k` rows of `codes` nearest to it, nearest first,
/// with their squared distances; rows `skip(query, row)` rejects are left out.
pub fn nearest(
    codes: ArrayView2<f32>,
    queries: ArrayView2<f32>,
    k: usize,
    skip: impl Fn(usize, usize) -> bool + Sync,
) -> Vec<Vec<(usize, f32)>> {
    let norms: Array1<f32> = codes.rows().into_iter().map(|r| r.dot(&r)).collect();
    let mut out = Vec::with_capacity(queries.nrows());
    for start in (0..queries.nrows()).step_by(BLOCK) {
        let block = queries.slice(s![start..(start + BLOCK).min(queries.nrows()), ..]);
        let mut scores = linalg::matmul(block, codes.t());
        let query_norms: Vec<f32> = block.rows().into_iter().map(|r| r.dot(&r)).collect();
        let found: Vec<Vec<(usize, f32)>> = scores
            .axis_iter_mut(Axis(0))
            .into_par_iter()
            .enumerate()
            .map(|(i, mut row)| {
                // Higher is nearer: −|x − q|² up to the constant |q|².
                row.iter_mut()
                    .zip(&norms)
                    .for_each(|(dot, norm)| *dot = 2.0 * *dot - norm);
                let row = row
                    .as_slice()
                    .expect("a fresh product is in standard layout");
                top_k(row, k, |r| !skip(start + i, r))
                    .into_iter()
                    .map(|(r, score)| (r, (query_norms[i] - score).max(0.0)))
                    .collect()
            })
            .collect();
        out.extend(found);
    }
    out
}

/// Mean precision at 1, 10 and 100 of `neighbours` (nearest first, as from [`nearest`]):
/// the share of each query's first k neighbours whose label equals the query's. Queries
/// without a label are passed over.
pub fn precision(
    neighbours: &[Vec<(usize, f32)>],
    index_labels: &[String],
    query_labels: &[String],
) -> [f64; 3] {
    let mut sums = [0.0f64; 3];
    let mut counted = 0usize;
    for (found, label) in neighbours.iter().zip(query_labels) {
        if label.is_empty() {
            continue;
        }
        counted += 1;
        for (sum, &cutoff) in sums.iter_mut().zip(&CUTOFFS) {
            let hits = found
                .iter()
                .take(cutoff)
                .filter(|(row, _)| index_labels[*row] == *label)
                .count();
            *sum += hits as f64 / cutoff as f64;
        }
    }
    sums.map(|s| s / counted.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn finds_the_nearest_rows_in_order() {
        let codes = array![[0.0f32, 0.0], [1.0, 0.0], [5.0, 5.0], [0.9, 0.1]];
        let queries = array![[1.0f32, 0.0], [4.0, 4.0]];
        let found = nearest(codes.view(), queries.view(), 2, |_, _| false);
        assert_eq!(found[0].iter().map(|f| f.0).collect::<Vec<_>>(), [1, 3]);
        assert!(found[0][0].1.abs() < 1e-6 && (found[0][1].1 - 0.02).abs() < 1e-5);
        assert_eq!(found[1][0].0, 2);
        assert!((found[1][0].1 - 2.0).abs() < 1e-5);

        let skipped = nearest(codes.view(), queries.view(), 1, |q, r| q == 0 && r == 1);
        assert_eq!(skipped[0][0].0, 3);
    }

    #[test]
    fn precision_counts_shared_labels() {
        let labels: Vec<String> = ["a", "b", "a"].map(String::from).to_vec();
        let neighbours = vec![vec![(0, 0.0), (1, 1.0), (2, 2.0)], vec![(1, 0.0)]];
        let queries = vec!["a".to_string(), String::new()];
        let [p1, p10, _] = precision(&neighbours, &labels, &queries);
        assert!((p1 - 1.0).abs() < 1e-12);
        assert!((p10 - 0.2).abs() < 1e-12);
    }
}
