//! Restricted Boltzmann machines and their training by contrastive divergence.
//!
//! One implementation serves every layer of the stack; the kinds of units differ:
//! - visible [`Visible::Softmax`]: word counts as a replicated softmax (Salakhutdinov & Hinton
//!   2009). The upward input is the count vector and the hidden biases are scaled by the
//!   document length `D`; the reconstruction is `D · softmax(h·Wᵀ + b)`, mean field.
//! - visible [`Visible::Binary`]: logistic units driven by probabilities (mean-field
//!   reconstruction); [`Visible::Gaussian`]: unit-variance linear units.
//! - hidden [`Hidden::Binary`]: logistic units sampled to 0/1 in the positive phase;
//!   [`Hidden::Linear`]: unit-variance Gaussian units (the code layer);
//!   [`Hidden::Relu`]: noisy rectified linear units (Nair & Hinton 2010).
//!
//! Weights have shape `(visible, hidden)`. Training is CD-k on shuffled mini-batches with
//! momentum and L2 weight decay, exactly as in Hinton & Salakhutdinov (2006); every random draw
//! comes from a stream named by layer, epoch, batch and row, so the result depends only on the
//! seed, not on the number of threads. Word-count batches stay sparse: the data's upward product
//! and its share of the weight gradient cost in proportion to the words present, so an epoch's
//! dense work is the reconstruction's three products.

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{Batch, Data};
use crate::linalg::{self, sigmoid};
use crate::progress::Progress;
use crate::rng::{self, Purpose, Streams};

/// The kind of visible units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visible {
    Softmax,
    Binary,
    Gaussian,
}

/// The kind of hidden units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hidden {
    Binary,
    Linear,
    Relu,
}

/// Hyper-parameters of contrastive-divergence training for one RBM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CdSettings {
    pub epochs: usize,
    pub batch_size: usize,
    /// Learning rate of the weights.
    pub learning_rate: f32,
    /// Learning rate of the visible biases.
    pub visible_bias_rate: f32,
    /// Learning rate of the hidden biases.
    pub hidden_bias_rate: f32,
    pub initial_momentum: f32,
    pub final_momentum: f32,
    /// The epoch (from 0) at which momentum switches to its final value.
    pub momentum_switch: usize,
    /// L2 weight cost, multiplied by the learning rate in each update.
    pub weight_decay: f32,
    /// Gibbs steps in the negative phase (CD-k).
    pub cd_steps: usize,
}

impl CdSettings {
    /// The 2006 paper's settings for binary layers: rate 0.1, momentum 0.5 then 0.9 after five
    /// epochs, weight cost 0.0002, batches of 100, CD-1.
    pub fn paper(epochs: usize) -> Self {
        CdSettings {
            epochs,
            batch_size: 100,
            learning_rate: 0.1,
            visible_bias_rate: 0.1,
            hidden_bias_rate: 0.1,
            initial_momentum: 0.5,
            final_momentum: 0.9,
            momentum_switch: 5,
            weight_decay: 0.0002,
            cd_steps: 1,
        }
    }

    /// All three learning rates set to `rate`.
    pub fn with_rate(mut self, rate: f32) -> Self {
        self.learning_rate = rate;
        self.visible_bias_rate = rate;
        self.hidden_bias_rate = rate;
        self
    }
}

/// A restricted Boltzmann machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Rbm {
    pub visible: Visible,
    pub hidden: Hidden,
    /// Shape `(visible, hidden)`.
    pub weights: Array2<f32>,
    pub visible_bias: Array1<f32>,
    pub hidden_bias: Array1<f32>,
}

/// Momentum buffers of one RBM's parameters.
struct Increments {
    weights: Array2<f32>,
    visible_bias: Array1<f32>,
    hidden_bias: Array1<f32>,
}

/// The summary of one epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochError {
    pub epoch: usize,
    /// Mean reconstruction error: cross-entropy per document of the word distribution for
    /// softmax visible units, squared error per item otherwise.
    pub error: f32,
}

impl Rbm {
    /// A machine of `visible × hidden` units, weights drawn from N(0, `init_std`²), biases 0.
    pub fn new(
        visible: Visible,
        hidden: Hidden,
        n_visible: usize,
        n_hidden: usize,
        init_std: f32,
        seed: u64,
        layer: u64,
    ) -> Self {
        let mut stream = rng::stream(seed, Purpose::Init, &[layer]);
        let weights =
            Array2::from_shape_simple_fn((n_visible, n_hidden), || init_std * stream.normal());
        Rbm {
            visible,
            hidden,
            weights,
            visible_bias: Array1::zeros(n_visible),
            hidden_bias: Array1::zeros(n_hidden),
        }
    }

    /// The number of visible units.
    pub fn n_visible(&self) -> usize {
        self.weights.nrows()
    }

    /// The number of hidden units.
    pub fn n_hidden(&self) -> usize {
        self.weights.ncols()
    }

    /// Hidden pre-activations `v·W + D·c` for a batch `v` of shape `(batch, visible)`.
    fn hidden_input(&self, v: ArrayView2<f32>, lengths: &[f32]) -> Array2<f32> {
        self.with_hidden_bias(linalg::matmul(v, self.weights.view()), lengths)
    }

    /// [`Rbm::hidden_input`] of a data batch.
    fn hidden_input_of(&self, batch: &Batch, lengths: &[f32]) -> Array2<f32> {
        self.with_hidden_bias(batch.times(self.weights.view()), lengths)
    }

    fn with_hidden_bias(&self, mut pre: Array2<f32>, lengths: &[f32]) -> Array2<f32> {
        let scale = (self.visible == Visible::Softmax).then_some(lengths);
        linalg::add_row_bias(&mut pre, self.hidden_bias.view(), scale);
        pre
    }

    /// Turns pre-activations into the hidden units' means, in place.
    fn hidden_mean(&self, pre: &mut Array2<f32>) {
        match self.hidden {
            Hidden::Binary => linalg::sigmoid_in_place(pre),
            Hidden::Linear => {}
            Hidden::Relu => pre.par_mapv_inplace(|x| x.max(0.0)),
        }
    }

    /// Samples hidden states from pre-activations `pre`, row `i` from `streams.row(i)`.
    fn hidden_sample(&self, pre: &Array2<f32>, streams: &Streams) -> Array2<f32> {
        let hidden = self.hidden;
        let mut sample = pre.clone();
        sample
            .axis_iter_mut(Axis(0))
            .into_par_iter()
            .enumerate()
            .for_each(|(i, mut row)| {
                let mut stream = streams.row(i);
                row.mapv_inplace(|x| match hidden {
                    Hidden::Binary => f32::from(stream.uniform() < sigmoid(x)),
                    Hidden::Linear => x + stream.normal(),
                    Hidden::Relu => (x + sigmoid(x).sqrt() * stream.normal()).max(0.0),
                });
            });
        sample
    }

    /// The mean-field reconstruction of the visible units from hidden states `h`.
    fn reconstruct(&self, h: ArrayView2<f32>, lengths: &[f32]) -> Array2<f32> {
        let mut v = linalg::matmul(h, self.weights.t());
        linalg::add_row_bias(&mut v, self.visible_bias.view(), None);
        match self.visible {
            Visible::Softmax => {
                linalg::softmax_rows(&mut v);
                v.axis_iter_mut(Axis(0))
                    .into_par_iter()
                    .zip(lengths)
                    .for_each(|(mut row, &d)| row *= d);
            }
            Visible::Binary => linalg::sigmoid_in_place(&mut v),
            Visible::Gaussian => {}
        }
        v
    }

    /// The hidden units' means for `rows` of `data`, shape `(rows, hidden)`: the input of the
    /// next machine in the stack.
    pub fn transform(&self, data: &Data, rows: &[usize]) -> Array2<f32> {
        let mut out = Array2::zeros((rows.len(), self.n_hidden()));
        for (chunk, mut target) in rows
            .chunks(1024)
            .zip(out.axis_chunks_iter_mut(Axis(0), 1024))
        {
            let mut pre = self.hidden_input_of(&data.batch(chunk), &data.lengths(chunk));
            self.hidden_mean(&mut pre);
            target.assign(&pre);
        }
        out
    }

    /// Mean reconstruction error of `rows` of `data` after one up-down pass, no sampling.
    pub fn reconstruction_error(&self, data: &Data, rows: &[usize]) -> f32 {
        let mut total = 0.0f64;
        for chunk in rows.chunks(1024) {
            let batch = data.batch(chunk);
            let lengths = data.lengths(chunk);
            let mut h = self.hidden_input_of(&batch, &lengths);
            self.hidden_mean(&mut h);
            let v = self.reconstruct(h.view(), &lengths);
            total += self.batch_error(&batch, v.view(), &lengths) as f64 * chunk.len() as f64;
        }
        (total / rows.len().max(1) as f64) as f32
    }

    /// Mean error of reconstructions `v1` of the batch `v0`: for word counts the
    /// cross-entropy of the reconstructed word distribution at the words present.
    fn batch_error(&self, v0: &Batch, v1: ArrayView2<f32>, lengths: &[f32]) -> f32 {
        let total = match v0 {
            Batch::Sparse(m) => m.iter().fold(0.0f64, |s, (&x, (r, c))| {
                let d = lengths[r];
                if x > 0.0 && d > 0.0 {
                    s - (x / d) as f64 * ((v1[[r, c]] / d).max(1e-30) as f64).ln()
                } else {
                    s
                }
            }),
            Batch::Dense(v0) => Zip::from(v0)
                .and(v1)
                .fold(0.0f64, |s, &x, &y| s + ((x - y) as f64).powi(2)),
        };
        (total / v0.rows().max(1) as f64) as f32
    }

    /// Trains on `rows` of `data` by CD-k; returns each epoch's mean reconstruction error.
    ///
    /// `layer` names this machine's random streams. Progress counts mini-batches.
    pub fn train(
        &mut self,
        data: &Data,
        rows: &[usize],
        settings: &CdSettings,
        seed: u64,
        layer: u64,
        progress: &dyn Progress,
    ) -> Vec<EpochError> {
        let batch_size = settings.batch_size.max(1);
        let batches_per_epoch = rows.len().div_ceil(batch_size);
        progress.begin(
            &format!("RBM {} {}-{}", layer + 1, self.n_visible(), self.n_hidden()),
            (settings.epochs * batches_per_epoch) as u64,
        );

        let mut increments = Increments {
            weights: Array2::zeros(self.weights.raw_dim()),
            visible_bias: Array1::zeros(self.n_visible()),
            hidden_bias: Array1::zeros(self.n_hidden()),
        };
        let mut order = rows.to_vec();
        let mut history = Vec::with_capacity(settings.epochs);

        for epoch in 0..settings.epochs {
            rng::stream(seed, Purpose::Shuffle, &[layer, epoch as u64]).shuffle(&mut order);
            let momentum = if epoch < settings.momentum_switch {
                settings.initial_momentum
            } else {
                settings.final_momentum
            };
            let mut epoch_error = 0.0f64;
            for (b, chunk) in order.chunks(batch_size).enumerate() {
                let batch = data.batch(chunk);
                let lengths = data.lengths(chunk);
                let streams = Streams::new(seed, Purpose::Sample, &[layer, epoch as u64, b as u64]);
                let error = self.cd_step(
                    &batch,
                    &lengths,
                    settings,
                    momentum,
                    &mut increments,
                    &streams,
                );
                epoch_error += error as f64 * chunk.len() as f64;
                progress.advance(1);
            }
            let error = (epoch_error / rows.len().max(1) as f64) as f32;
            progress.note(&format!(
                "epoch {}/{} error {error:.4}",
                epoch + 1,
                settings.epochs
            ));
            tracing::debug!(
                layer = layer + 1,
                epoch = epoch + 1,
                error = format!("{error:.4}"),
                "RBM {}-{} epoch",
                self.n_visible(),
                self.n_hidden()
            );
            history.push(EpochError {
                epoch: epoch + 1,
                error,
            });
        }
        progress.end();
        history
    }

    /// One CD-k update on the batch `v0`; returns its reconstruction error. Step `k` of the
    /// chain samples row `i` from `streams.below(k).row(i)`.
    fn cd_step(
        &mut self,
        v0: &Batch,
        lengths: &[f32],
        settings: &CdSettings,
        momentum: f32,
        increments: &mut Increments,
        streams: &Streams,
    ) -> f32 {
        let n = v0.rows() as f32;
        let step_streams = |step: usize| streams.below(step as u64);

        // Positive phase: hidden means from the data, and a sample to reconstruct from.
        let pre0 = self.hidden_input_of(v0, lengths);
        let mut h_sample = self.hidden_sample(&pre0, &step_streams(0));
        let mut h0 = pre0;
        self.hidden_mean(&mut h0);

        // Negative phase: k steps of mean-field reconstruction and resampling.
        let mut v1 = self.reconstruct(h_sample.view(), lengths);
        let mut h1 = self.hidden_input(v1.view(), lengths);
        for step in 1..settings.cd_steps.max(1) {
            h_sample = self.hidden_sample(&h1, &step_streams(step));
            v1 = self.reconstruct(h_sample.view(), lengths);
            h1 = self.hidden_input(v1.view(), lengths);
        }
        self.hidden_mean(&mut h1);
        let error = self.batch_error(v0, v1.view(), lengths);

        // Gradients: <v h>_data - <v h>_model, averaged over the batch. Momentum scales the
        // increments inside the model's product; weight decay joins the pass that applies them.
        let lr = settings.learning_rate;
        let decay = lr * settings.weight_decay;
        let mut weight_increments = increments.weights.view_mut();
        linalg::gemm(-lr / n, v1.t(), h1.view(), momentum, &mut weight_increments);
        v0.t_times(lr / n, h0.view(), 1.0, &mut weight_increments);

        let visible_grad = (v0.column_sums() - linalg::column_sums(v1.view())) / n;
        increments.visible_bias *= momentum;
        increments
            .visible_bias
            .scaled_add(settings.visible_bias_rate, &visible_grad);

        let hidden_diff = h0 - &h1;
        let hidden_grad = if self.visible == Visible::Softmax {
            linalg::weighted_column_sums(hidden_diff.view(), lengths)
        } else {
            linalg::column_sums(hidden_diff.view())
        } / n;
        increments.hidden_bias *= momentum;
        increments
            .hidden_bias
            .scaled_add(settings.hidden_bias_rate, &hidden_grad);

        Zip::from(&mut self.weights)
            .and(&mut increments.weights)
            .par_for_each(|w, inc| {
                *inc -= decay * *w;
                *w += *inc;
            });
        self.visible_bias += &increments.visible_bias;
        self.hidden_bias += &increments.hidden_bias;
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use sprs::CsMat;

    /// Rows made of two repeated patterns with a little noise: easy to model.
    fn two_patterns(rows: usize, cols: usize) -> Array2<f32> {
        let mut stream = rng::stream(5, Purpose::Init, &[99]);
        Array2::from_shape_fn((rows, cols), |(r, c)| {
            let on = (c < cols / 2) == (r % 2 == 0);
            let flip = stream.uniform() < 0.05;
            f32::from(on != flip)
        })
    }

    #[test]
    fn binary_rbm_error_falls() {
        let data = two_patterns(400, 30);
        let rows: Vec<usize> = (0..400).collect();
        let mut rbm = Rbm::new(Visible::Binary, Hidden::Binary, 30, 8, 0.1, 1, 0);
        let before = rbm.reconstruction_error(&Data::Dense(data.view()), &rows);
        let history = rbm.train(
            &Data::Dense(data.view()),
            &rows,
            &CdSettings::paper(10),
            1,
            0,
            &Silent,
        );
        let after = rbm.reconstruction_error(&Data::Dense(data.view()), &rows);
        assert_eq!(history.len(), 10);
        assert!(after < 0.5 * before, "error {before} -> {after}");
        assert!(history[9].error < history[0].error);
    }

    #[test]
    fn softmax_rbm_learns_word_counts() {
        let patterns = two_patterns(300, 40).mapv(|x| 3.0 * x);
        let counts = CsMat::csr_from_dense(patterns.view(), 0.0);
        let rows: Vec<usize> = (0..300).collect();
        let data = Data::Counts(counts.view());
        let mut rbm = Rbm::new(Visible::Softmax, Hidden::Binary, 40, 8, 0.01, 2, 0);
        let before = rbm.reconstruction_error(&data, &rows);
        let settings = CdSettings {
            hidden_bias_rate: 1e-5,
            ..CdSettings::paper(10).with_rate(0.01)
        };
        rbm.train(&data, &rows, &settings, 2, 0, &Silent);
        let after = rbm.reconstruction_error(&data, &rows);
        // A uniform guess over 20 of 40 words costs ln 40 = 3.69; the patterns allow ln 20 ≈ 3.0.
        assert!(after < before - 0.3, "cross-entropy {before} -> {after}");
    }

    #[test]
    fn training_is_reproducible() {
        let data = two_patterns(200, 12);
        let rows: Vec<usize> = (0..200).collect();
        let train = || {
            let mut rbm = Rbm::new(Visible::Binary, Hidden::Linear, 12, 3, 0.1, 9, 2);
            rbm.train(
                &Data::Dense(data.view()),
                &rows,
                &CdSettings::paper(2).with_rate(0.001),
                9,
                2,
                &Silent,
            );
            rbm
        };
        assert_eq!(train(), train());
    }
}
