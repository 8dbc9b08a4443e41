//! Dense and sparse products, and where threads are spent.
//!
//! Dense products go to `matrixmultiply`'s threaded f32 kernel through ndarray, which uses both
//! cores by itself; callers therefore never run a dense product inside a rayon loop. Sparse
//! products (CSR corpus rows times a dense matrix) are spread over rows with rayon instead.
//! All arrays are f32 in standard (row-major) layout.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};
use rayon::prelude::*;
use sprs::CsMatView;

/// `c = alpha · a · b + beta · c`, with shapes `(m, k) · (k, n) → (m, n)`.
///
/// Either operand may be a transposed view (`a.t()`); the kernel takes strides.
pub fn gemm(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    c: &mut ArrayViewMut2<f32>,
) {
    debug_assert_eq!(a.ncols(), b.nrows());
    debug_assert_eq!((a.nrows(), b.ncols()), c.dim());
    ndarray::linalg::general_mat_mul(alpha, &a, &b, beta, c);
}

/// `a · b` as a new array, shape `(m, k) · (k, n) → (m, n)`.
pub fn matmul(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    gemm(1.0, a, b, 0.0, &mut c.view_mut());
    c
}

/// `out = s · w` for a CSR matrix `s` of shape `(m, k)` and a dense `w` of shape `(k, n)`.
pub fn sparse_dense(s: CsMatView<f32>, w: ArrayView2<f32>, out: &mut ArrayViewMut2<f32>) {
    debug_assert_eq!(s.cols(), w.nrows());
    debug_assert_eq!((s.rows(), w.ncols()), out.dim());
    out.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(r, mut row)| {
            row.fill(0.0);
            if let Some(sparse) = s.outer_view(r) {
                for (c, &v) in sparse.iter() {
                    row.scaled_add(v, &w.row(c));
                }
            }
        });
}

/// Adds `bias` (length `n`) to every row of `x` (shape `(m, n)`), each row scaled by `scale[r]`
/// when given.
pub fn add_row_bias(x: &mut Array2<f32>, bias: ArrayView1<f32>, scale: Option<&[f32]>) {
    match scale {
        None => x.rows_mut().into_iter().for_each(|mut row| row += &bias),
        Some(scale) => {
            for (mut row, &s) in x.rows_mut().into_iter().zip(scale) {
                row.scaled_add(s, &bias);
            }
        }
    }
}

/// The logistic function.
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Applies the logistic function to every element.
pub fn sigmoid_in_place(x: &mut Array2<f32>) {
    x.mapv_inplace(sigmoid);
}

/// Replaces each row of `x` by its softmax; returns each row's log of the normalizer.
pub fn softmax_rows(x: &mut Array2<f32>) -> Vec<f32> {
    let mut log_norms = Vec::with_capacity(x.nrows());
    for mut row in x.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let mut sum = 0.0f32;
        row.mapv_inplace(|v| {
            let e = (v - max).exp();
            sum += e;
            e
        });
        row.mapv_inplace(|v| v / sum);
        log_norms.push(max + sum.ln());
    }
    log_norms
}

/// Column sums of `x` (shape `(m, n)` → `n`).
pub fn column_sums(x: ArrayView2<f32>) -> ndarray::Array1<f32> {
    x.sum_axis(Axis(0))
}

/// Column sums of `x` with each row weighted by `weights[r]`.
pub fn weighted_column_sums(x: ArrayView2<f32>, weights: &[f32]) -> ndarray::Array1<f32> {
    let mut sums = ndarray::Array1::zeros(x.ncols());
    for (row, &w) in x.rows().into_iter().zip(weights) {
        sums.scaled_add(w, &row);
    }
    sums
}

/// Elementwise `a ← a ⊙ b`.
pub fn mul_in_place(a: &mut Array2<f32>, b: ArrayView2<f32>) {
    Zip::from(a).and(b).for_each(|x, &y| *x *= y);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use sprs::CsMat;

    #[test]
    fn gemm_matches_a_hand_product() {
        let a = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let b = array![[1.0f32, 0.0, 2.0], [0.0, 1.0, 3.0]];
        let c = matmul(a.view(), b.view());
        assert_eq!(
            c,
            array![[1.0, 2.0, 8.0], [3.0, 4.0, 18.0], [5.0, 6.0, 28.0]]
        );
        let ct = matmul(b.t(), a.t());
        assert_eq!(ct, c.t());
    }

    #[test]
    fn sparse_product_matches_dense() {
        let dense = array![[0.0f32, 2.0, 0.0], [1.0, 0.0, 3.0]];
        let sparse = CsMat::csr_from_dense(dense.view(), 0.0);
        let w = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let mut out = Array2::from_elem((2, 2), 9.0);
        sparse_dense(sparse.view(), w.view(), &mut out.view_mut());
        assert_eq!(out, matmul(dense.view(), w.view()));
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let mut x = array![[1.0f32, 2.0, 3.0], [1000.0, 1000.0, 0.0]];
        let log_norms = softmax_rows(&mut x);
        for row in x.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        assert!((x[[1, 0]] - 0.5).abs() < 1e-6);
        assert!((log_norms[1] - (1000.0 + 2f32.ln())).abs() < 1e-3);
    }

    #[test]
    fn biases_scale_by_row() {
        let mut x = Array2::zeros((2, 2));
        add_row_bias(&mut x, array![1.0f32, 2.0].view(), Some(&[1.0, 3.0]));
        assert_eq!(x, array![[1.0, 2.0], [3.0, 6.0]]);
        assert_eq!(
            weighted_column_sums(x.view(), &[1.0, 0.5]),
            array![2.5, 5.0]
        );
    }
}
