//! Latent semantic analysis: a truncated SVD of `log(1 + count)`, the classic baseline of the
//! 2006 paper.
//!
//! The SVD is randomized (Halko, Martinsson & Tropp 2011): project the sparse matrix on a
//! Gaussian sample of `k + 10` directions, sharpen with two power iterations, orthonormalize,
//! and solve the small problem exactly by a Jacobi eigen-decomposition. Documents and queries
//! are projected the same way (`x · V_k`, as scikit-learn's `TruncatedSVD.transform`) and
//! compared by cosine.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use sprs::CsMat;

use crate::linalg;
use crate::rng::{self, Purpose};

const OVERSAMPLE: usize = 10;
const POWER_ITERATIONS: usize = 2;

/// A fitted LSA model: the top right singular vectors.
#[derive(Debug, Clone)]
pub struct Lsa {
    /// Shape `(stems, k)`.
    pub components: Array2<f32>,
    /// The `k` largest singular values, largest first.
    pub singular_values: Vec<f32>,
}

/// `log(1 + x)` of every stored entry.
pub fn log_counts(counts: &CsMat<f32>) -> CsMat<f32> {
    counts.map(|&v| v.ln_1p())
}

/// Orthonormalizes the columns of `y` in place (modified Gram–Schmidt, twice for stability).
pub(crate) fn orthonormalize(y: &mut Array2<f32>) {
    for _ in 0..2 {
        for j in 0..y.ncols() {
            for i in 0..j {
                let dot = y.column(i).dot(&y.column(j));
                let previous = y.column(i).to_owned();
                y.column_mut(j).scaled_add(-dot, &previous);
            }
            let norm = y.column(j).dot(&y.column(j)).sqrt();
            if norm > 1e-12 {
                y.column_mut(j).mapv_inplace(|v| v / norm);
            }
        }
    }
}

/// Eigenvalues (descending) and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi.
pub(crate) fn symmetric_eigen(matrix: ArrayView2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = matrix.nrows();
    let mut a = matrix.to_owned();
    let mut v = Array2::<f64>::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]].powi(2))
            .sum();
        if off < 1e-22 * (1.0 + a.diag().iter().map(|d| d * d).sum::<f64>()) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[[p, q]].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * a[[p, q]]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[[j, j]].total_cmp(&a[[i, i]]));
    let values = order.iter().map(|&i| a[[i, i]]).collect();
    let vectors = Array2::from_shape_fn((n, n), |(r, c)| v[[r, order[c]]]);
    (values, vectors)
}

impl Lsa {
    /// Fits `k` components to `matrix` (CSR `(documents, stems)`, already log-scaled).
    pub fn fit(matrix: &CsMat<f32>, k: usize, seed: u64) -> Lsa {
        let (n, stems) = matrix.shape();
        let l = (k + OVERSAMPLE).min(n).min(stems).max(1);
        let transpose: CsMat<f32> = matrix.transpose_view().to_csr();
        let mut stream = rng::stream(seed, Purpose::Init, &[7_000]);
        let omega = Array2::from_shape_simple_fn((stems, l), || stream.normal());

        let mut y = Array2::zeros((n, l));
        linalg::sparse_dense(matrix.view(), omega.view(), &mut y.view_mut());
        orthonormalize(&mut y);
        let mut z = Array2::zeros((stems, l));
        for _ in 0..POWER_ITERATIONS {
            linalg::sparse_dense(transpose.view(), y.view(), &mut z.view_mut());
            orthonormalize(&mut z);
            linalg::sparse_dense(matrix.view(), z.view(), &mut y.view_mut());
            orthonormalize(&mut y);
        }
        // B = Qᵀ A is (l, stems); C = Aᵀ Q = Bᵀ. B Bᵀ = Cᵀ C is small and symmetric.
        linalg::sparse_dense(transpose.view(), y.view(), &mut z.view_mut());
        let gram = linalg::matmul(z.t(), z.view()).mapv(f64::from);
        let (values, vectors) = symmetric_eigen(gram.view());
        let k = k.min(l);
        let mut components = Array2::zeros((stems, k));
        let mut singular_values = Vec::with_capacity(k);
        let vectors = vectors.mapv(|v| v as f32);
        for (j, value) in values.iter().enumerate().take(k) {
            let s = value.max(0.0).sqrt() as f32;
            singular_values.push(s);
            if s > 0.0 {
                let column: Array1<f32> = z.dot(&vectors.column(j)) / s;
                components.column_mut(j).assign(&column);
            }
        }
        Lsa {
            components,
            singular_values,
        }
    }

    /// The projections `x · V_k` of the rows of `matrix` (log-scaled), shape `(rows, k)`.
    pub fn project(&self, matrix: &CsMat<f32>) -> Array2<f32> {
        let mut out = Array2::zeros((matrix.rows(), self.components.ncols()));
        linalg::sparse_dense(matrix.view(), self.components.view(), &mut out.view_mut());
        out
    }

    /// The number of components.
    pub fn width(&self) -> usize {
        self.components.len_of(Axis(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn jacobi_finds_eigenpairs() {
        let m = array![[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 1.0]];
        let (values, vectors) = symmetric_eigen(m.view());
        assert!(values.windows(2).all(|w| w[0] >= w[1]));
        for (j, &value) in values.iter().enumerate() {
            let v = vectors.column(j);
            let mv = m.dot(&v);
            for i in 0..3 {
                assert!((mv[i] - value * v[i]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn recovers_the_singular_values_of_a_low_rank_matrix() {
        // Rank 2: rows are mixtures of two patterns.
        let u = array![
            [1.0f32, 0.0],
            [0.0, 1.0],
            [1.0, 1.0],
            [2.0, 0.5],
            [0.3, 2.0],
            [1.0, 0.0]
        ];
        let v = array![[3.0f32, 0.0, 1.0, 0.0, 2.0], [0.0, 2.0, 0.0, 1.0, 0.0]];
        let dense = u.dot(&v);
        let matrix = CsMat::csr_from_dense(dense.view(), 0.0);
        let lsa = Lsa::fit(&matrix, 2, 1);
        let projected = lsa.project(&matrix);
        // The projection keeps every row's length: the matrix has rank 2.
        for (row, p) in dense.rows().into_iter().zip(projected.rows()) {
            assert!((row.dot(&row) - p.dot(&p)).abs() < 1e-2 * (1.0 + row.dot(&row)));
        }
        assert!(lsa.singular_values[0] >= lsa.singular_values[1]);
        assert_eq!(lsa.width(), 2);
    }
}
