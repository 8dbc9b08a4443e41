//! Training the deep autoencoder on dense rows: images with intensities in [0, 1], or any
//! real-valued vectors.
//!
//! The recipe is the 2006 paper's: greedy CD-1 pretraining of each RBM on the hidden means of
//! the one below (batches of 100, momentum 0.5 then 0.9, weight cost 0.0002, weights drawn with
//! standard deviation 0.1), learning rate 0.1 for binary machines and 0.001 for those with
//! linear units, linear code units at the top, then the unrolled network fine-tuned on the
//! reconstruction error. Intensities are used as probabilities by logistic visible units and
//! their reconstructions are judged by cross-entropy; Gaussian visible units see data
//! standardised to zero mean and unit variance per column (the model keeps the scaling, so
//! queries are scaled the same way) and are judged by squared error.

use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::autoencoder::{Autoencoder, FineTuneSettings};
use crate::data::Data;
use crate::model::{TrainingReport, split};
use crate::progress::Progress;
use crate::rbm::{CdSettings, Hidden, Rbm, Visible};
use crate::settings::MAX_WEIGHTS;
use crate::{Error, Result};

/// Weights of RBMs with logistic visible units are drawn with this standard deviation, as in
/// the paper.
const INIT_STD: f32 = 0.1;

/// Weights of RBMs with Gaussian visible and rectified hidden units start smaller when the data
/// themselves are Gaussian: both kinds are unbounded, and with 0.1 the reconstructions of
/// standardised MNIST grew without limit in the first mini-batches, in the bottom machine and
/// then in the next (the error was NaN from the first epoch). Above logistic visible units
/// the same machines train well from 0.1.
const LINEAR_INIT_STD: f32 = 0.01;

/// Everything that decides how a model of dense rows is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorSettings {
    /// Widths of the hidden layers between the input and the code.
    pub layers: Vec<usize>,
    /// Width of the real-valued code.
    pub dims: usize,
    /// Logistic units for intensities in [0, 1], Gaussian for standardised real values.
    pub visible: Visible,
    /// Logistic or rectified linear hidden units below the code.
    pub hidden: Hidden,
    pub pretrain_epochs: usize,
    pub finetune_epochs: usize,
    pub batch_size: usize,
    /// Learning rate of RBMs with logistic visible and hidden units.
    pub rate: f32,
    /// Learning rate of RBMs with Gaussian visible units, rectified or linear hidden units.
    pub linear_rate: f32,
    /// Adam's step size while fine-tuning.
    pub finetune_rate: f32,
    /// Share of the training items held out to show a validation loss.
    pub validation: f32,
    /// Stop fine-tuning once the validation loss has not improved for this many epochs and
    /// keep the best epoch's weights; `None` trains every epoch.
    pub patience: Option<usize>,
    pub seed: u64,
}

impl Default for VectorSettings {
    /// The paper's image recipe: 784-1000-500-250-30 (the input width comes from the data),
    /// logistic units, 10 pretraining epochs per RBM as in the authors' published code (the
    /// paper ran 50), then fine-tuning with Adam until the validation loss stops falling, at
    /// most 30 epochs. On MNIST this reaches a test error of 2.97 per image, below the
    /// paper's 3.00, in about a fifth of the pretraining time (README, `scripts/mnist.sh`).
    fn default() -> Self {
        VectorSettings {
            layers: vec![1000, 500, 250],
            dims: 30,
            visible: Visible::Binary,
            hidden: Hidden::Binary,
            pretrain_epochs: 10,
            finetune_epochs: 30,
            batch_size: 100,
            rate: 0.1,
            linear_rate: 0.001,
            finetune_rate: 1e-3,
            validation: 1.0 / 60.0,
            patience: Some(5),
            seed: 42,
        }
    }
}

impl VectorSettings {
    /// Checks every value against `features` input columns; an error names the setting.
    pub fn check(&self, features: usize) -> Result<()> {
        if features == 0 {
            return Err(Error::setting(
                "input",
                0,
                "the items have no values to model",
            ));
        }
        if self.dims == 0 {
            return Err(Error::setting(
                "dims",
                0,
                "a code needs at least one number",
            ));
        }
        if let Some(position) = self.layers.iter().position(|&w| w == 0) {
            return Err(Error::setting(
                "layers",
                0,
                format!(
                    "hidden layer {} has no units; give widths of 1 or more",
                    position + 1
                ),
            ));
        }
        if self.visible == Visible::Softmax {
            return Err(Error::setting(
                "visible",
                "softmax",
                "word-count units model documents; use binary or gaussian for vectors",
            ));
        }
        if self.hidden == Hidden::Linear {
            return Err(Error::setting(
                "hidden",
                "linear",
                "only the code layer is linear; use binary or relu for the hidden layers",
            ));
        }
        if self.batch_size == 0 {
            return Err(Error::setting(
                "batch-size",
                0,
                "a mini-batch needs one item",
            ));
        }
        if self.finetune_epochs == 0 {
            return Err(Error::setting(
                "finetune-epochs",
                0,
                "the unrolled network needs at least one epoch of fine-tuning",
            ));
        }
        for (name, rate) in [
            ("rate", self.rate),
            ("linear-rate", self.linear_rate),
            ("finetune-rate", self.finetune_rate),
        ] {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(Error::setting(
                    name,
                    rate,
                    "a learning rate must be above 0",
                ));
            }
        }
        if !(0.0..0.5).contains(&self.validation) {
            return Err(Error::setting(
                "validation",
                self.validation,
                "hold out a share from 0 up to (not including) 0.5",
            ));
        }
        let widths = self.widths(features);
        let weights = widths.windows(2).try_fold(0u64, |sum, pair| {
            (pair[0] as u64)
                .checked_mul(pair[1] as u64)?
                .checked_add(sum)
        });
        if weights.is_none_or(|w| w > MAX_WEIGHTS) {
            let shown: Vec<String> = widths.iter().map(usize::to_string).collect();
            return Err(Error::setting(
                "layers",
                shown.join("-"),
                format!(
                    "the network would have more than the {MAX_WEIGHTS} weights that training \
                     can hold in memory; give narrower layers"
                ),
            ));
        }
        Ok(())
    }

    /// Layer widths from the input to the code, e.g. `[784, 1000, 500, 250, 30]`.
    pub fn widths(&self, features: usize) -> Vec<usize> {
        let mut widths = vec![features];
        widths.extend(&self.layers);
        widths.push(self.dims);
        widths
    }

    /// The kinds of units of RBM `layer` of `count`.
    fn units(&self, layer: usize, count: usize) -> (Visible, Hidden) {
        let visible = match (layer, self.hidden) {
            (0, _) => self.visible,
            (_, Hidden::Relu) => Visible::Gaussian,
            _ => Visible::Binary,
        };
        let hidden = if layer + 1 == count {
            Hidden::Linear
        } else {
            self.hidden
        };
        (visible, hidden)
    }

    /// CD settings of an RBM with these units, trained for the settings' epochs.
    fn cd(&self, visible: Visible, hidden: Hidden) -> CdSettings {
        let linear = visible == Visible::Gaussian || hidden != Hidden::Binary;
        CdSettings {
            batch_size: self.batch_size,
            ..CdSettings::paper(self.pretrain_epochs).with_rate(if linear {
                self.linear_rate
            } else {
                self.rate
            })
        }
    }
}

/// Per-column mean and standard deviation that standardise the input of Gaussian units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub mean: Vec<f32>,
    /// Standard deviations, raised to at least the mean of all columns' (1 when every column
    /// is constant).
    pub std: Vec<f32>,
}

impl Scaling {
    /// The scaling of `rows` of `values` (shape `(items, features)`).
    pub fn fit(values: ArrayView2<f32>, rows: &[usize]) -> Self {
        let features = values.ncols();
        let n = rows.len().max(1) as f64;
        let mut sum = vec![0.0f64; features];
        let mut squares = vec![0.0f64; features];
        for &r in rows {
            for (c, &v) in values.row(r).iter().enumerate() {
                sum[c] += f64::from(v);
                squares[c] += f64::from(v) * f64::from(v);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let spread: Vec<f64> = squares
            .iter()
            .zip(&mean)
            .map(|(s, m)| (s / n - m * m).max(0.0).sqrt())
            .collect();
        // A column that barely varies (an MNIST border pixel, dark in all but a few digits)
        // is scaled by the typical spread instead of its own, so that its rare values do not
        // become outliers of hundreds of standard deviations that Gaussian units blow up on.
        let typical = spread.iter().sum::<f64>() / spread.len().max(1) as f64;
        let floor = if typical > 0.0 { typical } else { 1.0 };
        let std = spread.iter().map(|&sd| sd.max(floor) as f32).collect();
        Scaling {
            mean: mean.into_iter().map(|m| m as f32).collect(),
            std,
        }
    }

    /// `values` standardised, shape kept.
    pub fn apply(&self, values: ArrayView2<f32>) -> Array2<f32> {
        let mut out = values.to_owned();
        for mut row in out.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
        out
    }

    /// Standardised `values` back in the data's units, in place.
    pub fn undo(&self, values: &mut Array2<f32>) {
        for mut row in values.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = *v * s + m;
            }
        }
    }
}

/// A trained encoder of dense rows into codes.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorModel {
    pub settings: VectorSettings,
    pub network: Autoencoder,
    /// Present for Gaussian visible units.
    pub scaling: Option<Scaling>,
}

impl VectorModel {
    /// The number of input values per item.
    pub fn features(&self) -> usize {
        self.network.inputs()
    }

    /// Width of the codes.
    pub fn code_width(&self) -> usize {
        self.network.code_width()
    }

    /// The codes of `values` (shape `(items, features)`), shape `(items, code)`.
    pub fn encode(&self, values: ArrayView2<f32>) -> Array2<f32> {
        let rows: Vec<usize> = (0..values.nrows()).collect();
        match &self.scaling {
            Some(scaling) => {
                let standard = scaling.apply(values);
                self.network.encode(&Data::Dense(standard.view()), &rows)
            }
            None => self.network.encode(&Data::Dense(values), &rows),
        }
    }

    /// The reconstructions of `codes` in the data's units, shape `(items, features)`.
    pub fn decode(&self, codes: ArrayView2<f32>) -> Array2<f32> {
        let mut out = self.network.decode(codes);
        if let Some(scaling) = &self.scaling {
            scaling.undo(&mut out);
        }
        out
    }

    /// Trains a model on the rows of `values` (shape `(items, features)`).
    ///
    /// Logistic visible units need values in [0, 1]; anything else is an error that says to
    /// use Gaussian units.
    pub fn train(
        values: ArrayView2<f32>,
        settings: &VectorSettings,
        progress: &dyn Progress,
    ) -> Result<(VectorModel, TrainingReport)> {
        let (items, features) = values.dim();
        settings.check(features)?;
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::setting(
                "input",
                bad,
                "the items hold a value that is not a finite number",
            ));
        }
        if settings.visible == Visible::Binary
            && let Some(bad) = values.iter().find(|v| !(0.0..=1.0).contains(*v))
        {
            return Err(Error::setting(
                "visible",
                "binary",
                format!(
                    "logistic visible units model values in [0, 1], and the items hold {bad}; \
                     use --visible gaussian for real-valued data"
                ),
            ));
        }
        let all: Vec<usize> = (0..items).collect();
        let (train, validation) = split(&all, settings.validation, settings.seed);
        if train.len() < settings.batch_size {
            return Err(Error::setting(
                "batch-size",
                settings.batch_size,
                format!(
                    "only {} items are left for training, fewer than one mini-batch; add items \
                     or lower --batch-size",
                    train.len()
                ),
            ));
        }
        let mut report = TrainingReport {
            train_documents: train.len(),
            validation_documents: validation.len(),
            pretrain_epochs: settings.pretrain_epochs,
            finetune_epochs: settings.finetune_epochs,
            ..TrainingReport::default()
        };

        let scaling = (settings.visible == Visible::Gaussian).then(|| Scaling::fit(values, &train));
        let standard = scaling.as_ref().map(|s| s.apply(values));
        let input = standard.as_ref().map_or(values, |s| s.view());
        let data = Data::Dense(input);

        let start = Instant::now();
        let stack = pretrain(input, &train, settings, progress, &mut report);
        report.timed("pretraining", start);

        let mut network = Autoencoder::unroll(&stack);
        let start = Instant::now();
        let fine_tune = FineTuneSettings {
            epochs: settings.finetune_epochs,
            batch_size: settings.batch_size,
            learning_rate: settings.finetune_rate,
            input_dropout: 0.0,
            code_noise: 0.0,
            patience: settings.patience,
        };
        report.fine_tuning = network.fine_tune(
            &data,
            &train,
            &validation,
            &fine_tune,
            settings.seed,
            progress,
        );
        report.finetune_epochs = report.fine_tuning.len();
        report.timed("fine-tuning", start);

        let model = VectorModel {
            settings: settings.clone(),
            network,
            scaling,
        };
        Ok((model, report))
    }
}

/// Greedy layer-wise pretraining on `rows` of `values`; returns the stack, bottom first.
fn pretrain(
    values: ArrayView2<f32>,
    rows: &[usize],
    settings: &VectorSettings,
    progress: &dyn Progress,
    report: &mut TrainingReport,
) -> Vec<Rbm> {
    let widths = settings.widths(values.ncols());
    let count = widths.len() - 1;
    let mut stack = Vec::with_capacity(count);
    let mut below: Option<Array2<f32>> = None;
    let all: Vec<usize> = (0..rows.len()).collect();

    for layer in 0..count {
        let (visible, hidden) = settings.units(layer, count);
        let mut rbm = Rbm::new(
            visible,
            hidden,
            widths[layer],
            widths[layer + 1],
            if settings.visible == Visible::Gaussian
                && (visible, hidden) == (Visible::Gaussian, Hidden::Relu)
            {
                LINEAR_INIT_STD
            } else {
                INIT_STD
            },
            settings.seed,
            layer as u64,
        );
        let cd = settings.cd(visible, hidden);
        let (input, input_rows) = match &below {
            None => (Data::Dense(values.view()), rows),
            Some(inputs) => (Data::Dense(inputs.view()), &all[..]),
        };
        if layer == 0 && visible == Visible::Binary {
            // Visible biases start at the log-odds of the mean intensity, so that the
            // reconstruction begins at the average item.
            let mean = column_means(input, input_rows);
            rbm.visible_bias = mean.mapv(|p| {
                let p = p.clamp(1e-3, 1.0 - 1e-3);
                (p / (1.0 - p)).ln()
            });
        }
        let history = if settings.pretrain_epochs > 0 {
            rbm.train(
                &input,
                input_rows,
                &cd,
                settings.seed,
                layer as u64,
                progress,
            )
        } else {
            Vec::new()
        };
        report.pretraining.push(history);
        if layer + 1 < count {
            below = Some(rbm.transform(&input, input_rows));
        }
        stack.push(rbm);
    }
    stack
}

/// The mean of each column over `rows` of `data`.
fn column_means(data: Data, rows: &[usize]) -> Array1<f32> {
    let mut sum = Array1::<f32>::zeros(data.cols());
    let mut batch = Array2::zeros((0, 0));
    for chunk in rows.chunks(1024) {
        data.fill(chunk, &mut batch);
        sum += &batch.sum_axis(Axis(0));
    }
    sum / rows.len().max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use crate::rng::{self, Purpose};

    /// Items that are noisy copies of four prototypes, intensities in [0, 1].
    fn prototypes(items: usize, features: usize) -> Array2<f32> {
        let mut stream = rng::stream(3, Purpose::Init, &[42]);
        Array2::from_shape_fn((items, features), |(r, c)| {
            let on = (c * 4 / features) == r % 4;
            let base = if on { 0.9 } else { 0.1 };
            (base + 0.1 * (stream.uniform() - 0.5)).clamp(0.0, 1.0)
        })
    }

    fn small(visible: Visible, hidden: Hidden) -> VectorSettings {
        VectorSettings {
            layers: vec![20, 10],
            dims: 4,
            visible,
            hidden,
            pretrain_epochs: 10,
            finetune_epochs: 60,
            batch_size: 20,
            validation: 0.1,
            patience: None,
            ..VectorSettings::default()
        }
    }

    fn trained_error(values: &Array2<f32>, settings: &VectorSettings) -> (f64, f64) {
        let (model, report) =
            VectorModel::train(values.view(), settings, &Silent).expect("settings are valid");
        assert_eq!(report.pretraining.len(), 3);
        let codes = model.encode(values.view());
        assert_eq!(codes.dim(), (values.nrows(), 4));
        let error = super::super::squared_error(values.view(), model.decode(codes.view()).view());
        let mean = values.mean_axis(Axis(0)).expect("rows exist");
        let baseline = values
            .rows()
            .into_iter()
            .map(|r| {
                r.iter()
                    .zip(&mean)
                    .map(|(a, b)| f64::from(a - b).powi(2))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / values.nrows() as f64;
        (error, baseline)
    }

    #[test]
    fn logistic_units_learn_the_prototypes() {
        let values = prototypes(400, 32);
        let (error, baseline) = trained_error(&values, &small(Visible::Binary, Hidden::Binary));
        assert!(
            error < 0.3 * baseline,
            "error {error} against the mean's {baseline}"
        );
    }

    #[test]
    fn gaussian_and_rectified_units_learn_standardised_data() {
        let values = prototypes(400, 32).mapv(|v| 10.0 * v - 3.0);
        for hidden in [Hidden::Binary, Hidden::Relu] {
            let settings = small(Visible::Gaussian, hidden);
            let (error, baseline) = trained_error(&values, &settings);
            assert!(
                error < 0.3 * baseline,
                "{hidden:?}: error {error} against {baseline}"
            );
        }
    }

    #[test]
    fn bad_settings_and_values_are_named() {
        let values = prototypes(100, 8);
        let message = |settings: VectorSettings, values: ArrayView2<f32>| {
            VectorModel::train(values, &settings, &Silent)
                .expect_err("must be refused")
                .to_string()
        };
        let base = small(Visible::Binary, Hidden::Binary);
        assert!(
            message(
                VectorSettings {
                    dims: 0,
                    ..base.clone()
                },
                values.view()
            )
            .contains("dims")
        );
        let outside = values.mapv(|v| v * 2.0);
        assert!(message(base.clone(), outside.view()).contains("--visible gaussian"));
        let mut broken = values.clone();
        broken[[3, 3]] = f32::NAN;
        assert!(message(base, broken.view()).contains("finite"));
    }

    #[test]
    fn scaling_round_trips() {
        let values = prototypes(50, 6).mapv(|v| 5.0 * v + 2.0);
        let rows: Vec<usize> = (0..50).collect();
        let scaling = Scaling::fit(values.view(), &rows);
        let mut standard = scaling.apply(values.view());
        let mean = standard.mean_axis(Axis(0)).expect("rows exist");
        assert!(mean.iter().all(|m| m.abs() < 1e-4), "{mean}");
        // A column that is nearly constant is not blown up.
        let mut rare = Array2::<f32>::zeros((1000, 2));
        rare.column_mut(0).fill(1.0);
        rare[[7, 1]] = 1.0;
        rare.column_mut(0)
            .iter_mut()
            .step_by(2)
            .for_each(|v| *v = 0.0);
        let rows: Vec<usize> = (0..1000).collect();
        let scaled = Scaling::fit(rare.view(), &rows).apply(rare.view());
        // Its own spread (0.03) would make the one 1 a value of 31; the typical (0.27) gives 3.8.
        assert!(scaled.iter().all(|v| v.abs() < 5.0), "{:?}", scaled.row(7));
        scaling.undo(&mut standard);
        assert!((standard - &values).iter().all(|d| d.abs() < 1e-4));
    }
}
