//! Principal component analysis: the linear baseline of the 2006 paper, computed by the tool on
//! the same data so that the autoencoder is always shown beside it.
//!
//! The covariance of the centred rows is formed by dense products in chunks; its leading
//! eigenvectors come from subspace iteration on `k + 10` directions, finished by a
//! Rayleigh–Ritz step solved exactly (Jacobi). Codes are `(x − mean) · V_k`, reconstructions
//! `code · V_kᵀ + mean`.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::linalg;
use crate::rng::{self, Purpose};
use crate::search::lsa::{orthonormalize, symmetric_eigen};

const OVERSAMPLE: usize = 10;
const ITERATIONS: usize = 60;

/// A fitted PCA: the mean and the leading principal directions.
#[derive(Debug, Clone)]
pub struct Pca {
    pub mean: Array1<f32>,
    /// Shape `(features, k)`, orthonormal columns, largest variance first.
    pub components: Array2<f32>,
    /// The variance along each component.
    pub variances: Vec<f32>,
}

impl Pca {
    /// Fits `k` components to `rows` of `values` (shape `(items, features)`).
    pub fn fit(values: ArrayView2<f32>, rows: &[usize], k: usize, seed: u64) -> Pca {
        let features = values.ncols();
        let n = rows.len().max(1) as f32;
        let mut mean = Array1::<f32>::zeros(features);
        for &r in rows {
            mean += &values.row(r);
        }
        mean /= n;

        let mut covariance = Array2::<f32>::zeros((features, features));
        for chunk in rows.chunks(4096) {
            let mut centred = Array2::zeros((chunk.len(), features));
            for (mut out, &r) in centred.rows_mut().into_iter().zip(chunk) {
                out.assign(&(&values.row(r) - &mean));
            }
            linalg::gemm(
                1.0 / n,
                centred.t(),
                centred.view(),
                1.0,
                &mut covariance.view_mut(),
            );
        }

        let l = (k + OVERSAMPLE).min(features).max(1);
        let mut stream = rng::stream(seed, Purpose::Init, &[8_000]);
        let mut basis = Array2::from_shape_simple_fn((features, l), || stream.normal());
        orthonormalize(&mut basis);
        for _ in 0..ITERATIONS {
            basis = linalg::matmul(covariance.view(), basis.view());
            orthonormalize(&mut basis);
        }
        let projected = linalg::matmul(covariance.view(), basis.view());
        let small = linalg::matmul(basis.t(), projected.view()).mapv(f64::from);
        let (eigenvalues, eigenvectors) = symmetric_eigen(small.view());
        let k = k.min(l);
        let rotation = eigenvectors.slice(ndarray::s![.., ..k]).mapv(|v| v as f32);
        Pca {
            mean,
            components: linalg::matmul(basis.view(), rotation.view()),
            variances: eigenvalues.iter().take(k).map(|&v| v as f32).collect(),
        }
    }

    /// The codes of `values`, shape `(items, k)`.
    pub fn encode(&self, values: ArrayView2<f32>) -> Array2<f32> {
        let centred = &values - &self.mean.view().insert_axis(Axis(0));
        linalg::matmul(centred.view(), self.components.view())
    }

    /// The reconstructions of `codes`, shape `(items, features)`.
    pub fn decode(&self, codes: ArrayView2<f32>) -> Array2<f32> {
        let mut out = linalg::matmul(codes, self.components.t());
        out += &self.mean.view().insert_axis(Axis(0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_directions_of_largest_variance() {
        // Points spread 10 along (1, 1, 0, 0)/√2 and 1 along (0, 0, 1, 0), plus a little noise.
        let mut stream = rng::stream(1, Purpose::Init, &[1]);
        let mut values = Array2::<f32>::zeros((500, 4));
        for mut row in values.rows_mut() {
            let (a, b) = (10.0 * stream.normal(), stream.normal());
            let noise = 0.01;
            row[0] = a / 2f32.sqrt() + noise * stream.normal() + 3.0;
            row[1] = a / 2f32.sqrt() + noise * stream.normal();
            row[2] = b + noise * stream.normal();
            row[3] = noise * stream.normal();
        }
        let rows: Vec<usize> = (0..500).collect();
        let pca = Pca::fit(values.view(), &rows, 2, 7);
        let first = pca.components.column(0);
        assert!(
            (first[0].abs() - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01,
            "{first}"
        );
        assert!((first[0] - first[1]).abs() < 0.01);
        assert!(pca.components.column(1)[2].abs() > 0.99);
        assert!(pca.variances[0] > 80.0 && pca.variances[1] < 1.5);
        let codes = pca.encode(values.view());
        let error = super::super::squared_error(values.view(), pca.decode(codes.view()).view());
        assert!(
            error < 0.01,
            "two components keep nearly everything: {error}"
        );
    }
}
