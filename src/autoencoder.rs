//! The deep autoencoder: a pretrained RBM stack unrolled into an encoder and a mirrored decoder,
//! fine-tuned by backpropagation of the reconstruction error.
//!
//! Encoder layer `i` starts as RBM `i` (weights, hidden biases); decoder layers start as the
//! transposed weights with the visible biases, in reverse order, and the two halves are then
//! trained apart (untied). For word counts the first layer keeps the pretraining's scaling: its
//! input is the count vector and its bias is multiplied by the document length `D`, and the
//! output is a softmax over the vocabulary compared with the document's word probabilities by
//! cross-entropy. Logistic outputs use binary cross-entropy, linear outputs squared error.
//!
//! Fine-tuning uses Adam on shuffled mini-batches, with optional dropout on the encoder's input
//! and Gaussian noise on the input of logistic code units (Semantic Hashing, 2009), which pushes
//! those units towards 0 or 1.

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{Batch, Data};
use crate::linalg;
use crate::progress::Progress;
use crate::rbm::{Hidden, Rbm, Visible};
use crate::rng::{self, Purpose, Streams};

/// The nonlinearity of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Logistic,
    Linear,
    Relu,
    Softmax,
}

/// One fully connected layer: `f(x·W + b)`, weights of shape `(inputs, outputs)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub weights: Array2<f32>,
    pub bias: Array1<f32>,
    pub activation: Activation,
}

/// An encoder and a decoder.
#[derive(Debug, Clone, PartialEq)]
pub struct Autoencoder {
    pub encoder: Vec<Layer>,
    pub decoder: Vec<Layer>,
    /// Whether the input is word counts: first-layer bias scaled by `D`, softmax output.
    pub counts: bool,
}

/// Hyper-parameters of fine-tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineTuneSettings {
    pub epochs: usize,
    pub batch_size: usize,
    /// Adam's step size.
    pub learning_rate: f32,
    /// Share of input entries dropped (and the rest scaled up) while training, 0 for none.
    pub input_dropout: f32,
    /// Standard deviation of the Gaussian noise added to the input of logistic code units.
    pub code_noise: f32,
    /// Stop once the validation loss has not improved for this many epochs and restore the
    /// best epoch's weights; `None` trains every epoch.
    pub patience: Option<usize>,
}

/// Train and validation loss after one epoch of fine-tuning.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochLoss {
    pub epoch: usize,
    pub train: f32,
    /// `None` when no validation rows were held out.
    pub validation: Option<f32>,
}

/// What a forward pass keeps for the backward pass.
struct Forward {
    /// The first layer's input: sparse for word counts.
    input: Batch,
    /// The output of each layer, the last one the network's.
    outputs: Vec<Array2<f32>>,
}

impl Forward {
    fn output(&self) -> &Array2<f32> {
        self.outputs.last().expect("a network has layers")
    }
}

/// Gradients or Adam moments, shaped like the layers.
#[derive(Clone)]
struct Params {
    weights: Vec<Array2<f32>>,
    biases: Vec<Array1<f32>>,
}

impl Params {
    fn zeros_like(layers: &[&Layer]) -> Self {
        Params {
            weights: layers
                .iter()
                .map(|l| Array2::zeros(l.weights.raw_dim()))
                .collect(),
            biases: layers
                .iter()
                .map(|l| Array1::zeros(l.bias.raw_dim()))
                .collect(),
        }
    }
}

fn activation_of_hidden(hidden: Hidden) -> Activation {
    match hidden {
        Hidden::Binary => Activation::Logistic,
        Hidden::Linear => Activation::Linear,
        Hidden::Relu => Activation::Relu,
    }
}

fn activation_of_visible(visible: Visible) -> Activation {
    match visible {
        Visible::Softmax => Activation::Softmax,
        Visible::Binary => Activation::Logistic,
        Visible::Gaussian => Activation::Linear,
    }
}

fn activate(x: &mut Array2<f32>, activation: Activation) {
    match activation {
        Activation::Logistic => linalg::sigmoid_in_place(x),
        Activation::Linear => {}
        Activation::Relu => x.par_mapv_inplace(|v| v.max(0.0)),
        Activation::Softmax => {
            linalg::softmax_rows(x);
        }
    }
}

/// Multiplies `delta` by the derivative of `activation` at the layer's output `y`.
fn backprop_activation(delta: &mut Array2<f32>, y: ArrayView2<f32>, activation: Activation) {
    match activation {
        Activation::Logistic => Zip::from(delta)
            .and(y)
            .par_for_each(|d, &y| *d *= y * (1.0 - y)),
        Activation::Relu => Zip::from(delta).and(y).par_for_each(|d, &y| {
            if y <= 0.0 {
                *d = 0.0
            }
        }),
        Activation::Linear | Activation::Softmax => {}
    }
}

impl Autoencoder {
    /// Unrolls a pretrained stack: encoder from the bottom up, mirrored decoder.
    pub fn unroll(stack: &[Rbm]) -> Self {
        let encoder = stack
            .iter()
            .map(|rbm| Layer {
                weights: rbm.weights.clone(),
                bias: rbm.hidden_bias.clone(),
                activation: activation_of_hidden(rbm.hidden),
            })
            .collect();
        // A decoder layer reconstructs the input of an encoder layer, so it takes that input's
        // kind of units: the hidden units of the machine below, or the data's at the bottom.
        let decoder = stack
            .iter()
            .enumerate()
            .rev()
            .map(|(depth, rbm)| Layer {
                weights: rbm.weights.t().as_standard_layout().into_owned(),
                bias: rbm.visible_bias.clone(),
                activation: match depth {
                    0 => activation_of_visible(rbm.visible),
                    _ => activation_of_hidden(stack[depth - 1].hidden),
                },
            })
            .collect();
        Autoencoder {
            encoder,
            decoder,
            counts: stack
                .first()
                .is_some_and(|rbm| rbm.visible == Visible::Softmax),
        }
    }

    /// The number of inputs (vocabulary size for word counts).
    pub fn inputs(&self) -> usize {
        self.encoder.first().map_or(0, |l| l.weights.nrows())
    }

    /// The width of the code.
    pub fn code_width(&self) -> usize {
        self.encoder.last().map_or(0, |l| l.weights.ncols())
    }

    /// The activation of the code units.
    pub fn code_activation(&self) -> Activation {
        self.encoder
            .last()
            .map_or(Activation::Linear, |l| l.activation)
    }

    /// Widths of every layer from the input to the code, e.g. `[2000, 500, 250, 125, 10]`.
    pub fn widths(&self) -> Vec<usize> {
        let mut widths = vec![self.inputs()];
        widths.extend(self.encoder.iter().map(|l| l.weights.ncols()));
        widths
    }

    fn layers(&self) -> Vec<&Layer> {
        self.encoder.iter().chain(self.decoder.iter()).collect()
    }

    fn layers_mut(&mut self) -> Vec<&mut Layer> {
        self.encoder
            .iter_mut()
            .chain(self.decoder.iter_mut())
            .collect()
    }

    /// The codes of `rows` of `data`, shape `(rows, code)`, computed in chunks.
    pub fn encode(&self, data: &Data, rows: &[usize]) -> Array2<f32> {
        let mut codes = Array2::zeros((rows.len(), self.code_width()));
        for (chunk, mut out) in rows
            .chunks(1024)
            .zip(codes.axis_chunks_iter_mut(Axis(0), 1024))
        {
            let lengths = data.lengths(chunk);
            let mut x = self.first_layer_forward(&data.batch(chunk), &lengths);
            for layer in 1..self.encoder.len() {
                x = self.layer_forward(layer, x.view(), &lengths);
            }
            out.assign(&x);
        }
        codes
    }

    /// The reconstructions of `codes` (shape `(n, code)`), shape `(n, inputs)`: word
    /// distributions for word counts.
    pub fn decode(&self, codes: ArrayView2<f32>) -> Array2<f32> {
        let offset = self.encoder.len();
        let ones = vec![1.0; codes.nrows()];
        let mut x = codes.to_owned();
        for layer in 0..self.decoder.len() {
            x = self.layer_forward(offset + layer, x.view(), &ones);
        }
        x
    }

    /// Output of layer `index` (encoder then decoder, never the first) for input `x`.
    fn layer_forward(&self, index: usize, x: ArrayView2<f32>, lengths: &[f32]) -> Array2<f32> {
        let product = linalg::matmul(x, self.layer(index).weights.view());
        self.layer_output(index, product, lengths)
    }

    /// The first layer's output for a data batch: a sparse product for word counts.
    fn first_layer_forward(&self, batch: &Batch, lengths: &[f32]) -> Array2<f32> {
        let product = batch.times(self.layer(0).weights.view());
        self.layer_output(0, product, lengths)
    }

    /// Layer `index`'s activation of `product`, its input times its weights, plus its bias
    /// (scaled by the lengths `D` in the first layer of a word-count network).
    fn layer_output(&self, index: usize, mut y: Array2<f32>, lengths: &[f32]) -> Array2<f32> {
        let layer = self.layer(index);
        let scale = (self.counts && index == 0).then_some(lengths);
        linalg::add_row_bias(&mut y, layer.bias.view(), scale);
        activate(&mut y, layer.activation);
        y
    }

    fn layer(&self, index: usize) -> &Layer {
        if index < self.encoder.len() {
            &self.encoder[index]
        } else {
            &self.decoder[index - self.encoder.len()]
        }
    }

    /// The target a batch is reconstructed towards: word probabilities for counts.
    fn target(&self, batch: &Batch, lengths: &[f32]) -> Batch {
        if self.counts {
            batch.per_length(lengths)
        } else {
            batch.clone()
        }
    }

    /// The forward pass of a training batch, with code-input noise from `noise` when given.
    fn forward(
        &self,
        input: Batch,
        lengths: &[f32],
        code_noise: f32,
        noise: Option<&mut rng::Stream>,
    ) -> Forward {
        let code_layer = self.encoder.len() - 1;
        let mut outputs: Vec<Array2<f32>> = Vec::with_capacity(self.layers().len());
        let mut noise = noise;
        for index in 0..self.encoder.len() + self.decoder.len() {
            let layer = self.layer(index);
            let mut y = match outputs.last() {
                None => input.times(layer.weights.view()),
                Some(x) => linalg::matmul(x.view(), layer.weights.view()),
            };
            let scale = (self.counts && index == 0).then_some(lengths);
            linalg::add_row_bias(&mut y, layer.bias.view(), scale);
            if index == code_layer
                && code_noise > 0.0
                && let Some(stream) = noise.as_deref_mut()
            {
                y.mapv_inplace(|v| v + code_noise * stream.normal());
            }
            activate(&mut y, layer.activation);
            outputs.push(y);
        }
        Forward { input, outputs }
    }

    /// Mean loss of `output` against `target` over the batch.
    fn loss(&self, output: ArrayView2<f32>, target: &Batch) -> f32 {
        let activation = self
            .decoder
            .last()
            .map_or(Activation::Linear, |l| l.activation);
        let target = match target {
            // Cross-entropy against word probabilities needs only the words present.
            Batch::Sparse(p) if activation == Activation::Softmax => {
                let total = p.iter().fold(0.0f64, |s, (&p, (r, c))| {
                    if p > 0.0 {
                        s - p as f64 * (output[[r, c]].max(1e-30) as f64).ln()
                    } else {
                        s
                    }
                });
                return (total / output.nrows().max(1) as f64) as f32;
            }
            Batch::Sparse(p) => &p.to_dense(),
            Batch::Dense(p) => p,
        };
        let total = Zip::from(output).and(target).fold(0.0f64, |s, &q, &p| {
            s + match activation {
                Activation::Softmax if p > 0.0 => -(p as f64) * (q.max(1e-30) as f64).ln(),
                Activation::Softmax => 0.0,
                Activation::Logistic => {
                    let q = q.clamp(1e-7, 1.0 - 1e-7) as f64;
                    -(p as f64) * q.ln() - (1.0 - p as f64) * (1.0 - q).ln()
                }
                Activation::Linear | Activation::Relu => 0.5 * ((q - p) as f64).powi(2),
            }
        });
        (total / output.nrows().max(1) as f64) as f32
    }

    /// Loss and gradients of one batch, the gradients written into `grads` (shaped like the
    /// layers), whose memory is reused from batch to batch.
    fn gradients(
        &self,
        forward: &Forward,
        target: &Batch,
        lengths: &[f32],
        grads: &mut Params,
    ) -> f32 {
        let layers = self.layers();
        let output = forward.output();
        let loss = self.loss(output.view(), target);
        let n = output.nrows() as f32;

        // For each output kind the loss is matched to the activation, so dL/dz = (q - p) / n.
        let mut delta = output / n;
        target.subtract_from(1.0 / n, &mut delta);
        for index in (0..layers.len()).rev() {
            let weight_grad = &mut grads.weights[index].view_mut();
            match index {
                0 => forward.input.t_times(1.0, delta.view(), 0.0, weight_grad),
                _ => {
                    let input = forward.outputs[index - 1].view();
                    linalg::gemm(1.0, input.t(), delta.view(), 0.0, weight_grad);
                }
            }
            grads.biases[index] = if self.counts && index == 0 {
                linalg::weighted_column_sums(delta.view(), lengths)
            } else {
                linalg::column_sums(delta.view())
            };
            if index > 0 {
                let input = forward.outputs[index - 1].view();
                let mut below = linalg::matmul(delta.view(), layers[index].weights.t());
                backprop_activation(&mut below, input, layers[index - 1].activation);
                delta = below;
            }
        }
        loss
    }

    /// Mean loss on `rows` without dropout or noise.
    pub fn evaluate(&self, data: &Data, rows: &[usize]) -> f32 {
        let mut total = 0.0f64;
        for chunk in rows.chunks(1024) {
            let batch = data.batch(chunk);
            let lengths = data.lengths(chunk);
            let target = self.target(&batch, &lengths);
            let forward = self.forward(batch, &lengths, 0.0, None);
            total += self.loss(forward.output().view(), &target) as f64 * chunk.len() as f64;
        }
        (total / rows.len().max(1) as f64) as f32
    }

    /// Fine-tunes every weight on `train` rows, reporting the loss on `validation` each epoch.
    pub fn fine_tune(
        &mut self,
        data: &Data,
        train: &[usize],
        validation: &[usize],
        settings: &FineTuneSettings,
        seed: u64,
        progress: &dyn Progress,
    ) -> Vec<EpochLoss> {
        let batch_size = settings.batch_size.max(1);
        progress.begin(
            "fine-tuning",
            (settings.epochs * train.len().div_ceil(batch_size)) as u64,
        );
        let mut adam = Adam::new(&self.layers(), settings.learning_rate);
        let mut grads = Params::zeros_like(&self.layers());
        let mut order = train.to_vec();
        let mut history = Vec::with_capacity(settings.epochs);
        let keep = 1.0 - settings.input_dropout;
        let mut best: Option<(f32, usize, [Vec<Layer>; 2])> = None;

        for epoch in 0..settings.epochs {
            rng::stream(seed, Purpose::Shuffle, &[100, epoch as u64]).shuffle(&mut order);
            let mut epoch_loss = 0.0f64;
            for (b, chunk) in order.chunks(batch_size).enumerate() {
                let mut input = data.batch(chunk);
                let lengths = data.lengths(chunk);
                let target = self.target(&input, &lengths);
                let path = [epoch as u64, b as u64];
                if settings.input_dropout > 0.0 {
                    input.dropout(keep, &Streams::new(seed, Purpose::Dropout, &path));
                }
                let mut noise = rng::stream(seed, Purpose::Noise, &path);
                let forward = self.forward(input, &lengths, settings.code_noise, Some(&mut noise));
                let loss = self.gradients(&forward, &target, &lengths, &mut grads);
                adam.step(&mut self.layers_mut(), &grads);
                epoch_loss += loss as f64 * chunk.len() as f64;
                progress.advance(1);
            }
            let train_loss = (epoch_loss / train.len().max(1) as f64) as f32;
            let validation_loss = (!validation.is_empty()).then(|| self.evaluate(data, validation));
            let shown = validation_loss.map_or("-".to_string(), |v| format!("{v:.4}"));
            progress.note(&format!(
                "epoch {}/{} train {train_loss:.4} validation {shown}",
                epoch + 1,
                settings.epochs
            ));
            tracing::debug!(
                epoch = epoch + 1,
                train = format!("{train_loss:.4}"),
                validation = shown,
                "fine-tuning epoch"
            );
            history.push(EpochLoss {
                epoch: epoch + 1,
                train: train_loss,
                validation: validation_loss,
            });
            let (Some(patience), Some(loss)) = (settings.patience, validation_loss) else {
                continue;
            };
            match &best {
                Some((best_loss, _, _)) if loss >= *best_loss => {}
                _ => best = Some((loss, epoch, [self.encoder.clone(), self.decoder.clone()])),
            }
            if let Some((_, best_epoch, _)) = &best
                && epoch - best_epoch >= patience
            {
                progress.note(&format!(
                    "stopping early: no better validation loss for {patience} epochs"
                ));
                break;
            }
        }
        if let Some((loss, epoch, [encoder, decoder])) = best
            && epoch + 1 < history.len()
        {
            progress.note(&format!(
                "keeping epoch {} with validation loss {loss:.4}",
                epoch + 1
            ));
            self.encoder = encoder;
            self.decoder = decoder;
        }
        progress.end();
        history
    }
}

/// Adam (Kingma & Ba 2015) over every layer's weights and biases.
struct Adam {
    rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    steps: i32,
    first: Params,
    second: Params,
}

impl Adam {
    fn new(layers: &[&Layer], rate: f32) -> Self {
        let zeros = Params::zeros_like(layers);
        Adam {
            rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            steps: 0,
            first: zeros.clone(),
            second: zeros,
        }
    }

    fn step(&mut self, layers: &mut [&mut Layer], grads: &Params) {
        self.steps += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let step = self.rate * (1.0 - b2.powi(self.steps)).sqrt() / (1.0 - b1.powi(self.steps));
        let eps = self.epsilon;
        // Plain slices in equal chunks, so that the loop compiles to vector square roots and
        // divisions; Adam touches every parameter each batch and would otherwise rival the
        // products.
        let update = |params: &mut [f32], grads: &[f32], first: &mut [f32], second: &mut [f32]| {
            let chunks = params
                .par_chunks_mut(ADAM_CHUNK)
                .zip(grads.par_chunks(ADAM_CHUNK))
                .zip(first.par_chunks_mut(ADAM_CHUNK))
                .zip(second.par_chunks_mut(ADAM_CHUNK));
            chunks.for_each(|(((p, g), m), v)| {
                let n = p.len().min(g.len()).min(m.len()).min(v.len());
                let (p, g, m, v) = (&mut p[..n], &g[..n], &mut m[..n], &mut v[..n]);
                for i in 0..n {
                    m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                    v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
                    p[i] -= step * m[i] / (v[i].sqrt() + eps);
                }
            });
        };
        for (i, layer) in layers.iter_mut().enumerate() {
            if !layer.weights.is_standard_layout() {
                layer.weights = layer.weights.as_standard_layout().into_owned();
            }
            update(
                standard_mut(&mut layer.weights),
                standard(&grads.weights[i]),
                standard_mut(&mut self.first.weights[i]),
                standard_mut(&mut self.second.weights[i]),
            );
            update(
                standard_mut(&mut layer.bias),
                standard(&grads.biases[i]),
                standard_mut(&mut self.first.biases[i]),
                standard_mut(&mut self.second.biases[i]),
            );
        }
    }
}

/// Parameters per thread's share of an Adam step.
const ADAM_CHUNK: usize = 16 * 1024;

/// The elements of an array in standard layout, as `Adam::step` makes every parameter array.
fn standard<D: ndarray::Dimension>(a: &ndarray::Array<f32, D>) -> &[f32] {
    a.as_slice()
        .expect("parameter arrays are built in standard layout")
}

fn standard_mut<D: ndarray::Dimension>(a: &mut ndarray::Array<f32, D>) -> &mut [f32] {
    a.as_slice_mut()
        .expect("parameter arrays are built in standard layout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sprs::CsMat;

    /// A small word-count network with random weights, and a batch of counts.
    fn tiny() -> (Autoencoder, CsMat<f32>) {
        let model = tiny_of(Visible::Softmax, Hidden::Binary, &[7, 5, 3]);
        let dense = ndarray::array![
            [2.0f32, 0.0, 1.0, 0.0, 3.0, 0.0, 1.0],
            [0.0, 1.0, 0.0, 4.0, 0.0, 2.0, 0.0],
            [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 5.0]
        ];
        (model, CsMat::csr_from_dense(dense.view(), 0.0))
    }

    /// An unrolled stack of `widths` with `visible` units at the bottom, `hidden` units in
    /// between and linear code units.
    fn tiny_of(visible: Visible, hidden: Hidden, widths: &[usize]) -> Autoencoder {
        let count = widths.len() - 1;
        let mut stack = Vec::new();
        for i in 0..count {
            let below = match (i, hidden) {
                (0, _) => visible,
                (_, Hidden::Relu) => Visible::Gaussian,
                _ => Visible::Binary,
            };
            let units = if i + 1 == count {
                Hidden::Linear
            } else {
                hidden
            };
            let mut rbm = Rbm::new(below, units, widths[i], widths[i + 1], 0.3, 4, i as u64);
            // Rectified units are kept well away from their kink, where differences fail.
            let lift = if hidden == Hidden::Relu { 0.6 } else { 0.0 };
            rbm.visible_bias
                .iter_mut()
                .enumerate()
                .for_each(|(j, b)| *b = 0.1 * j as f32 - 0.2 + lift);
            rbm.hidden_bias
                .iter_mut()
                .enumerate()
                .for_each(|(j, b)| *b = 0.05 * j as f32 + lift);
            stack.push(rbm);
        }
        let mut model = Autoencoder::unroll(&stack);
        // Untie the halves so that a mix-up of encoder and decoder gradients would show.
        model.decoder[0].weights.mapv_inplace(|w| w * 1.3);
        model
    }

    fn batch_loss(model: &Autoencoder, data: &Data) -> (f32, Params) {
        let rows: Vec<usize> = (0..data.rows()).collect();
        let batch = data.batch(&rows);
        let lengths = data.lengths(&rows);
        let target = model.target(&batch, &lengths);
        let forward = model.forward(batch, &lengths, 0.0, None);
        let mut grads = Params::zeros_like(&model.layers());
        let loss = model.gradients(&forward, &target, &lengths, &mut grads);
        (loss, grads)
    }

    /// Compares analytic gradients of some weights and a bias of every layer with central
    /// differences of the loss.
    fn check_gradients(model: &Autoencoder, data: &Data, what: &str) {
        let (_, grads) = batch_loss(model, data);
        let h = 2e-3f32;
        let loss = |m: &Autoencoder| batch_loss(m, data).0;
        let layers = model.encoder.len() + model.decoder.len();
        for layer in 0..layers {
            let (rows, cols) = model.layer(layer).weights.dim();
            for (i, j) in [(0, 0), (1, 2), (2, 1)] {
                let (i, j) = (i % rows, j % cols);
                let mut plus = model.clone();
                let mut minus = model.clone();
                plus.layers_mut()[layer].weights[[i, j]] += h;
                minus.layers_mut()[layer].weights[[i, j]] -= h;
                let numeric = (loss(&plus) - loss(&minus)) / (2.0 * h);
                let analytic = grads.weights[layer][[i, j]];
                assert!(
                    (numeric - analytic).abs() < 3e-4 + 0.02 * analytic.abs(),
                    "{what}: layer {layer} weight ({i},{j}): numeric {numeric} analytic {analytic}"
                );
            }
            let mut plus = model.clone();
            let mut minus = model.clone();
            plus.layers_mut()[layer].bias[1] += h;
            minus.layers_mut()[layer].bias[1] -= h;
            let numeric = (loss(&plus) - loss(&minus)) / (2.0 * h);
            let analytic = grads.biases[layer][1];
            assert!(
                (numeric - analytic).abs() < 3e-4 + 0.02 * analytic.abs(),
                "{what}: layer {layer} bias 1: numeric {numeric} analytic {analytic}"
            );
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (model, counts) = tiny();
        check_gradients(&model, &Data::Counts(counts.view()), "word counts");
    }

    #[test]
    fn gradients_match_for_every_kind_of_unit() {
        let intensities =
            Array2::from_shape_fn((4, 6), |(i, j)| ((i * 5 + j * 3) % 7) as f32 / 6.0);
        let standard = intensities.mapv(|v| 3.0 * v - 1.5);
        for (visible, hidden, values) in [
            (Visible::Binary, Hidden::Binary, &intensities),
            (Visible::Binary, Hidden::Relu, &intensities),
            (Visible::Gaussian, Hidden::Binary, &standard),
            (Visible::Gaussian, Hidden::Relu, &standard),
        ] {
            let model = tiny_of(visible, hidden, &[6, 5, 4, 2]);
            let output = model.decoder.last().expect("a decoder").activation;
            let expected = match visible {
                Visible::Gaussian => Activation::Linear,
                _ => Activation::Logistic,
            };
            assert_eq!(output, expected);
            let what = format!("{visible:?} visible, {hidden:?} hidden");
            check_gradients(&model, &Data::Dense(values.view()), &what);
        }
    }

    #[test]
    fn fine_tuning_lowers_the_loss() {
        let (mut model, counts) = tiny();
        let data = Data::Counts(counts.view());
        let before = model.evaluate(&data, &[0, 1, 2]);
        let settings = FineTuneSettings {
            epochs: 200,
            batch_size: 3,
            learning_rate: 0.01,
            input_dropout: 0.0,
            code_noise: 0.0,
            patience: None,
        };
        let history = model.fine_tune(
            &data,
            &[0, 1, 2],
            &[0],
            &settings,
            1,
            &crate::progress::Silent,
        );
        let after = model.evaluate(&data, &[0, 1, 2]);
        assert!(after < before - 0.1, "loss {before} -> {after}");
        assert!(history.last().and_then(|e| e.validation).is_some());
    }

    #[test]
    fn early_stopping_keeps_the_best_epoch() {
        let (mut model, counts) = tiny();
        let data = Data::Counts(counts.view());
        let settings = FineTuneSettings {
            epochs: 500,
            batch_size: 2,
            learning_rate: 0.05,
            input_dropout: 0.0,
            code_noise: 0.0,
            patience: Some(3),
        };
        let history = model.fine_tune(&data, &[0, 1], &[2], &settings, 1, &crate::progress::Silent);
        let best = history
            .iter()
            .filter_map(|e| e.validation)
            .fold(f32::INFINITY, f32::min);
        assert!(
            history.len() < 500,
            "fitting two documents never hurt the third"
        );
        assert!((model.evaluate(&data, &[2]) - best).abs() < 1e-6);
    }

    #[test]
    fn unrolled_shapes_mirror_the_stack() {
        let (model, counts) = tiny();
        assert_eq!(model.widths(), [7, 5, 3]);
        let codes = model.encode(&Data::Counts(counts.view()), &[2, 0]);
        assert_eq!(codes.dim(), (2, 3));
        let words = model.decode(codes.view());
        assert_eq!(words.dim(), (2, 7));
        for row in words.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-5);
        }
    }
}
