//! Images and other real-valued vectors: the same RBM stack, unrolling and fine-tuning that
//! serve documents, on dense rows instead of word counts.
//!
//! [`model`] trains the 784-1000-500-250-30 autoencoder of Hinton & Salakhutdinov (2006) or any
//! other shape, with logistic visible units for intensities in [0, 1] or Gaussian ones for
//! standardised data, and logistic or rectified hidden units. [`pca`] is the baseline the paper
//! measured against. [`store`] keeps a trained model with the codes of its items on disk, in the
//! same checked, atomically replaced index format as documents.

pub mod index;
pub mod model;
pub mod pca;
pub mod search;

pub use index::{ItemInfo, VectorIndex, VectorReport};
pub use model::{Scaling, VectorModel, VectorSettings};

use ndarray::ArrayView2;

/// Mean over rows of the squared error summed over columns: the paper's reconstruction error
/// per image, with `original` and `reconstruction` of the same shape `(items, features)`.
pub fn squared_error(original: ArrayView2<f32>, reconstruction: ArrayView2<f32>) -> f64 {
    debug_assert_eq!(original.dim(), reconstruction.dim());
    let total: f64 = original
        .iter()
        .zip(reconstruction.iter())
        .map(|(&a, &b)| f64::from(a - b).powi(2))
        .sum();
    total / original.nrows().max(1) as f64
}
