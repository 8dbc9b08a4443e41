//! Dense and sparse products, and where threads are spent.
//!
//! Dense products go to the `gemm` crate's f32 kernels (AVX2 with FMA, or portable, chosen at
//! run time; its AVX-512 kernels need a nightly compiler), spread over rayon's threads; on the
//! Zen 4 machine they run 1.2 to 1.6 times as fast as matrixmultiply's at the network's
//! batch-100 shapes and within 0.7 to 1.2 of OpenBLAS's (`benches/gemm.rs`,
//! `scripts/peers.sh`). Sparse products (CSR rows times a dense matrix) are spread over rows.
//! All arrays are f32 in standard (row-major) layout.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis, Zip};
use rayon::prelude::*;
use sprs::CsMatView;

/// `c = alpha · a · b + beta · c`, with shapes `(m, k) · (k, n) → (m, n)`.
///
/// Either operand may be a transposed view (`a.t()`); the kernel takes strides.
///
/// # Panics
/// When the shapes do not fit together.
pub fn gemm(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    c: &mut ArrayViewMut2<f32>,
) {
    let ((m, k), n) = (a.dim(), b.ncols());
    assert_eq!(k, b.nrows(), "inner dimensions of a product");
    assert_eq!((m, n), c.dim(), "shape of a product's result");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if beta == 0.0 {
            c.fill(0.0);
        } else {
            *c *= beta;
        }
        return;
    }
    if m == 1 || n == 1 {
        // The kernel takes another path for a single row or column, which rounds differently:
        // pad to two, so that a row's result never depends on the rows beside it.
        return gemm_padded(alpha, a, b, beta, c);
    }
    let ([a_rows, a_cols], [b_rows, b_cols], [c_rows, c_cols]) = (
        stride2(a.strides()),
        stride2(b.strides()),
        stride2(c.strides()),
    );
    // SAFETY: the pointers and strides describe the three views exactly, so every element the
    // kernel touches lies inside them; `c` is borrowed mutably and cannot alias `a` or `b`.
    // With `beta == 0` the kernel does not read `c`, so whatever it held is overwritten.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_cols,
            c_rows,
            beta != 0.0,
            a.as_ptr(),
            a_cols,
            a_rows,
            b.as_ptr(),
            b_cols,
            b_rows,
            beta,
            alpha,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(0),
        );
    }
}

/// [`gemm`] of a single row or column, computed as two.
fn gemm_padded(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    c: &mut ArrayViewMut2<f32>,
) {
    let ((m, k), n) = (a.dim(), b.ncols());
    let mut a2 = Array2::zeros((m.max(2), k));
    a2.slice_mut(ndarray::s![..m, ..]).assign(&a);
    let mut b2 = Array2::zeros((k, n.max(2)));
    b2.slice_mut(ndarray::s![.., ..n]).assign(&b);
    let mut c2 = Array2::zeros((m.max(2), n.max(2)));
    c2.slice_mut(ndarray::s![..m, ..n]).assign(c);
    gemm(alpha, a2.view(), b2.view(), beta, &mut c2.view_mut());
    c.assign(&c2.slice(ndarray::s![..m, ..n]));
}

fn stride2(strides: &[isize]) -> [isize; 2] {
    [strides[0], strides[1]]
}

/// `a · b` as a new array, shape `(m, k) · (k, n) → (m, n)`.
pub fn matmul(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    gemm(1.0, a, b, 0.0, &mut c.view_mut());
    c
}

/// `out = s · w` for a CSR matrix `s` of shape `(m, k)` and a dense `w` of shape `(k, n)`.
pub fn sparse_dense(s: CsMatView<f32>, w: ArrayView2<f32>, out: &mut ArrayViewMut2<f32>) {
    sparse_gemm(1.0, s, w, 0.0, out);
}

/// `out = alpha · s · w + beta · out` for a CSR matrix `s` of shape `(m, k)` and a dense `w` of
/// shape `(k, n)`, spread over the rows of `out`.
///
/// # Panics
/// When the shapes do not fit together.
pub fn sparse_gemm(
    alpha: f32,
    s: CsMatView<f32>,
    w: ArrayView2<f32>,
    beta: f32,
    out: &mut ArrayViewMut2<f32>,
) {
    assert_eq!(s.cols(), w.nrows(), "inner dimensions of a sparse product");
    assert_eq!(
        (s.rows(), w.ncols()),
        out.dim(),
        "shape of a sparse product's result"
    );
    out.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(r, mut row)| {
            if beta == 0.0 {
                row.fill(0.0);
            } else if beta != 1.0 {
                row *= beta;
            }
            if let Some(sparse) = s.outer_view(r) {
                for (c, &v) in sparse.iter() {
                    add_scaled(&mut row, alpha * v, w.row(c));
                }
            }
        });
}

/// `out += a · x`, on plain slices when both are contiguous, so that the loop compiles to
/// vector multiply-adds (ndarray's `scaled_add` did not, here); the same arithmetic either way.
fn add_scaled(out: &mut ArrayViewMut1<f32>, a: f32, x: ArrayView1<f32>) {
    match (out.as_slice_mut(), x.to_slice()) {
        (Some(out), Some(x)) => out.iter_mut().zip(x).for_each(|(o, &x)| *o += a * x),
        _ => out.scaled_add(a, &x),
    }
}

/// `out = alpha · sᵀ · h + beta · out` for a CSR matrix `s` of shape `(m, k)` and a dense `h`
/// of shape `(m, n)`: the weight gradient of a sparse input. The transpose is built as CSR, so
/// that each row of `out` is one thread's.
pub fn sparse_t_gemm(
    alpha: f32,
    s: CsMatView<f32>,
    h: ArrayView2<f32>,
    beta: f32,
    out: &mut ArrayViewMut2<f32>,
) {
    let transpose = s.transpose_view().to_csr();
    sparse_gemm(alpha, transpose.view(), h, beta, out);
}

/// Adds `bias` (length `n`) to every row of `x` (shape `(m, n)`), each row scaled by `scale[r]`
/// when given.
pub fn add_row_bias(x: &mut Array2<f32>, bias: ArrayView1<f32>, scale: Option<&[f32]>) {
    x.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(r, mut row)| match scale {
            None => row += &bias,
            Some(scale) => row.scaled_add(scale[r], &bias),
        });
}

/// The logistic function.
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Applies the logistic function to every element.
pub fn sigmoid_in_place(x: &mut Array2<f32>) {
    x.par_mapv_inplace(sigmoid);
}

/// Replaces each row of `x` by its softmax; returns each row's log of the normalizer.
pub fn softmax_rows(x: &mut Array2<f32>) -> Vec<f32> {
    x.axis_iter_mut(Axis(0))
        .into_par_iter()
        .map(|mut row| {
            let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            let mut sum = 0.0f32;
            row.mapv_inplace(|v| {
                let e = (v - max).exp();
                sum += e;
                e
            });
            row /= sum;
            max + sum.ln()
        })
        .collect()
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
    fn gemm_scales_and_accumulates_through_strided_views() {
        let naive = |a: ArrayView2<f32>, b: ArrayView2<f32>| {
            Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
                (0..a.ncols()).map(|p| a[[i, p]] * b[[p, j]]).sum::<f32>()
            })
        };
        let a = Array2::from_shape_fn((37, 70), |(i, j)| ((i * 31 + j * 17) % 13) as f32 - 6.0);
        let b = Array2::from_shape_fn((53, 70), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
        let start = Array2::from_shape_fn((37, 53), |(i, j)| (i + j) as f32);
        let mut c = start.clone();
        gemm(0.5, a.view(), b.t(), 2.0, &mut c.view_mut());
        let expected = naive(a.view(), b.t()) * 0.5 + &start * 2.0;
        assert!((c - &expected).iter().all(|d| d.abs() < 1e-3));

        let mut c = Array2::from_elem((70, 70), f32::NAN);
        gemm(1.0, a.t(), a.view(), 0.0, &mut c.view_mut());
        assert!((c - naive(a.t(), a.view())).iter().all(|d| d.abs() < 1e-3));
    }

    #[test]
    fn a_row_alone_gets_the_same_bits_as_in_a_batch() {
        let a = Array2::from_shape_fn((64, 300), |(i, j)| ((i * 7 + j * 13) as f32 * 0.01).sin());
        let b = Array2::from_shape_fn((300, 70), |(i, j)| ((i * 5 + j * 3) as f32 * 0.02).cos());
        let batch = matmul(a.view(), b.view());
        for row in [0, 17, 63] {
            let alone = matmul(a.slice(ndarray::s![row..row + 1, ..]), b.view());
            assert_eq!(alone.row(0), batch.row(row));
        }
        let column = matmul(a.view(), b.slice(ndarray::s![.., 5..6]));
        assert_eq!(column.column(0), batch.column(5));
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
