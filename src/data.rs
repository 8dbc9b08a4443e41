//! Training data as the networks see it: word counts (sparse) or dense vectors.
//!
//! Both kinds hand out dense mini-batches of chosen rows. Word counts also give each row's
//! length `D` (its total count), which scales the hidden biases of the word-count layer.

use ndarray::{Array2, ArrayView2};
use sprs::CsMatView;

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
