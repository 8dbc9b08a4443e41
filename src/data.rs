//! Training data as the networks see it: word counts (sparse) or dense vectors.
//!
//! Both kinds hand out mini-batches of chosen rows: sparse ones for word counts, whose products
//! with a layer's weights then cost in proportion to the words present, dense ones otherwise.
//! Word counts also give each row's length `D` (its total count), which scales the hidden
//! biases of the word-count layer.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Zip};
use rayon::prelude::*;
use sprs::{CsMat, CsMatView};

use crate::linalg;
use crate::rng::Streams;

/// Rows of training data.
#[derive(Debug, Clone, Copy)]
pub enum Data<'a> {
    /// Word counts, CSR of shape `(documents, vocabulary)`.
    Counts(CsMatView<'a, f32>),
    /// Dense real-valued rows, shape `(items, features)`.
    Dense(ArrayView2<'a, f32>),
}

impl<'a> Data<'a> {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        match self {
            Data::Counts(m) => m.rows(),
            Data::Dense(m) => m.nrows(),
        }
    }

    /// The number of columns (visible units).
    pub fn cols(&self) -> usize {
        match self {
            Data::Counts(m) => m.cols(),
            Data::Dense(m) => m.ncols(),
        }
    }

    /// Whether rows are word counts.
    pub fn is_counts(&self) -> bool {
        matches!(self, Data::Counts(_))
    }

    /// Copies `rows` into `out`, shape `(rows.len(), cols)`, resizing it when needed.
    pub fn fill(&self, rows: &[usize], out: &mut Array2<f32>) {
        if out.dim() != (rows.len(), self.cols()) {
            *out = Array2::zeros((rows.len(), self.cols()));
        }
        match self {
            Data::Counts(m) => {
                out.fill(0.0);
                for (i, &r) in rows.iter().enumerate() {
                    if let Some(row) = m.outer_view(r) {
                        for (c, &v) in row.iter() {
                            out[[i, c]] = v;
                        }
                    }
                }
            }
            Data::Dense(m) => {
                for (i, &r) in rows.iter().enumerate() {
                    out.row_mut(i).assign(&m.row(r));
                }
            }
        }
    }

    /// `rows` as a mini-batch: sparse for word counts, dense otherwise.
    pub fn batch(&self, rows: &[usize]) -> Batch {
        match self {
            Data::Counts(m) => Batch::Sparse(crate::text::select_rows(*m, rows)),
            Data::Dense(_) => {
                let mut out = Array2::zeros((0, 0));
                self.fill(rows, &mut out);
                Batch::Dense(out)
            }
        }
    }

    /// The length `D` of each of `rows`: the total count for word counts, 1 for dense rows.
    pub fn lengths(&self, rows: &[usize]) -> Vec<f32> {
        match self {
            Data::Counts(m) => rows
                .iter()
                .map(|&r| m.outer_view(r).map_or(0.0, |row| row.data().iter().sum()))
                .collect(),
            Data::Dense(_) => vec![1.0; rows.len()],
        }
    }
}

/// A mini-batch of rows, shape `(rows, columns)`.
#[derive(Debug, Clone)]
pub enum Batch {
    /// Word counts (or word probabilities), CSR.
    Sparse(CsMat<f32>),
    Dense(Array2<f32>),
}

impl Batch {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        match self {
            Batch::Sparse(m) => m.rows(),
            Batch::Dense(m) => m.nrows(),
        }
    }

    /// `self · w`, shape `(rows, w.ncols())`.
    pub fn times(&self, w: ArrayView2<f32>) -> Array2<f32> {
        match self {
            Batch::Sparse(m) => {
                let mut out = Array2::zeros((m.rows(), w.ncols()));
                linalg::sparse_gemm(1.0, m.view(), w, 0.0, &mut out.view_mut());
                out
            }
            Batch::Dense(m) => linalg::matmul(m.view(), w),
        }
    }

    /// `out = alpha · selfᵀ · h + beta · out`: the weight gradient of this batch as a layer's
    /// input.
    pub fn t_times(&self, alpha: f32, h: ArrayView2<f32>, beta: f32, out: &mut ArrayViewMut2<f32>) {
        match self {
            Batch::Sparse(m) => linalg::sparse_t_gemm(alpha, m.view(), h, beta, out),
            Batch::Dense(m) => linalg::gemm(alpha, m.t(), h, beta, out),
        }
    }

    /// The sum of each column.
    pub fn column_sums(&self) -> Array1<f32> {
        match self {
            Batch::Sparse(m) => {
                let mut sums = Array1::zeros(m.cols());
                for (&v, (_, c)) in m.iter() {
                    sums[c] += v;
                }
                sums
            }
            Batch::Dense(m) => linalg::column_sums(m.view()),
        }
    }

    /// Each row divided by its length in `lengths` (left alone when 0): word probabilities.
    pub fn per_length(&self, lengths: &[f32]) -> Batch {
        let mut scaled = self.clone();
        let scale = |r: usize| {
            if lengths[r] > 0.0 {
                1.0 / lengths[r]
            } else {
                1.0
            }
        };
        match &mut scaled {
            Batch::Sparse(m) => {
                for (r, row) in stored_rows_mut(m).into_iter().enumerate() {
                    row.iter_mut().for_each(|v| *v *= scale(r));
                }
            }
            Batch::Dense(m) => {
                for (r, mut row) in m.rows_mut().into_iter().enumerate() {
                    row *= scale(r);
                }
            }
        }
        scaled
    }

    /// Drops each entry with probability `1 - keep` and scales the rest by `1 / keep`, from one
    /// random stream per row of `streams`. A sparse batch's zeros stay zero either way, so only
    /// its stored entries are drawn for.
    pub fn dropout(&mut self, keep: f32, streams: &Streams) {
        let drop = |stream: &mut crate::rng::Stream, v: &mut f32| {
            *v = if stream.uniform() < keep {
                *v / keep
            } else {
                0.0
            };
        };
        match self {
            Batch::Sparse(m) => {
                stored_rows_mut(m)
                    .into_par_iter()
                    .enumerate()
                    .for_each(|(r, row)| {
                        let mut stream = streams.row(r);
                        row.iter_mut().for_each(|v| drop(&mut stream, v));
                    });
            }
            Batch::Dense(m) => {
                m.axis_iter_mut(ndarray::Axis(0))
                    .into_par_iter()
                    .enumerate()
                    .for_each(|(r, mut row)| {
                        let mut stream = streams.row(r);
                        row.iter_mut().for_each(|v| drop(&mut stream, v));
                    });
            }
        }
    }

    /// `a ← a - scale · self`, with `a` dense of the same shape.
    pub fn subtract_from(&self, scale: f32, a: &mut Array2<f32>) {
        match self {
            Batch::Sparse(m) => {
                for (&v, (r, c)) in m.iter() {
                    a[[r, c]] -= scale * v;
                }
            }
            Batch::Dense(m) => Zip::from(a).and(m).for_each(|a, &v| *a -= scale * v),
        }
    }

    /// The batch as a dense array.
    pub fn to_dense(&self) -> Array2<f32> {
        match self {
            Batch::Sparse(m) => m.to_dense(),
            Batch::Dense(m) => m.clone(),
        }
    }
}

/// The stored values of each row of `m`.
fn stored_rows_mut(m: &mut CsMat<f32>) -> Vec<&mut [f32]> {
    let indptr = m.indptr().to_proper().into_owned();
    let mut rest = m.data_mut();
    let mut rows = Vec::with_capacity(indptr.len().saturating_sub(1));
    for bounds in indptr.windows(2) {
        let (row, tail) = rest.split_at_mut(bounds[1] - bounds[0]);
        rows.push(row);
        rest = tail;
    }
    rows
}
