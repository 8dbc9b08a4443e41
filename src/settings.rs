//! Build settings: a plain struct anyone can fill in, checked once before any work starts.
//!
//! [`Settings`] holds what a user asked for; [`Settings::check`] turns it into [`Checked`] or
//! explains which value cannot work. Nothing trains on unchecked values.

use serde::{Deserialize, Serialize};

use crate::autoencoder::FineTuneSettings;
use crate::rbm::CdSettings;
use crate::text::{Headers, Language};
use crate::topics::Naming;
use crate::{Error, Result};

/// The most epochs [`Checked::epochs_for`] raises a stage to.
pub const MAX_EPOCHS: usize = 1000;

/// The most weights the encoder may have: 2^28, 1 GiB of f32. Fine-tuning holds the encoder, the
/// decoder, their gradients and Adam's two moments, about 8 GiB at this size, and that is about
/// a third of the memory of the machines `topics` is built on.
pub const MAX_WEIGHTS: u64 = 1 << 28;

/// Everything that decides how an index is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Number of stems in the vocabulary (the network's input width).
    pub vocab: usize,
    /// Stems found in fewer documents than this are left out of the vocabulary.
    pub min_df: u32,
    pub language: Language,
    /// Stop words replacing the language's built-in list.
    pub stop_words: Option<Vec<String>>,
    /// What the tokenizer does with a mail header block at the top of a document.
    #[serde(default)]
    pub headers: Headers,
    /// Widths of the hidden layers between the input and the code.
    pub layers: Vec<usize>,
    /// Width of the real-valued code.
    pub dims: usize,
    /// When set, the code is this many logistic units trained with noise to be binary.
    pub bits: Option<usize>,
    pub pretrain_epochs: usize,
    pub finetune_epochs: usize,
    /// Small corpora get more epochs, so that each RBM makes at least this many updates.
    pub min_pretrain_updates: usize,
    /// Likewise for fine-tuning.
    pub min_finetune_updates: usize,
    pub batch_size: usize,
    /// Learning rate of the word-count RBM's weights and visible biases.
    pub bottom_rate: f32,
    /// Learning rate of the word-count RBM's hidden biases, whose input is scaled by `D`.
    pub bottom_hidden_bias_rate: f32,
    /// Learning rate of the binary middle RBMs.
    pub middle_rate: f32,
    /// Learning rate of the top RBM with linear code units.
    pub top_rate: f32,
    /// Gibbs steps of the word-count RBM's negative phase.
    pub bottom_cd_steps: usize,
    /// Adam's step size while fine-tuning.
    pub finetune_rate: f32,
    /// Dropout on the encoder's input while fine-tuning.
    pub dropout: f32,
    /// Standard deviation of the noise on the input of binary code units while fine-tuning.
    pub code_noise: f32,
    /// Share of the training documents held out to show a validation loss.
    pub validation: f32,
    /// Stop fine-tuning once the validation loss has not improved for this many epochs, and
    /// keep the weights of the best epoch; `None` trains every epoch.
    #[serde(default)]
    pub patience: Option<usize>,
    /// Number of topics the codes are clustered into; `None` lets the silhouette choose.
    #[serde(default)]
    pub topics: Option<usize>,
    /// How topics are named.
    #[serde(default)]
    pub naming: Naming,
    pub seed: u64,
}

impl Default for Settings {
    /// The recipe of Hinton & Salakhutdinov (2006) with the departures `RESEARCH.md` records:
    /// smaller rates for the word-count layer, Adam and input dropout for fine-tuning.
    fn default() -> Self {
        Settings {
            vocab: 2000,
            min_df: 2,
            language: Language::English,
            stop_words: None,
            headers: Headers::Keep,
            layers: vec![500, 250, 125],
            dims: 10,
            bits: None,
            pretrain_epochs: 15,
            finetune_epochs: 40,
            min_pretrain_updates: 400,
            min_finetune_updates: 1200,
            batch_size: 100,
            bottom_rate: 0.01,
            bottom_hidden_bias_rate: 1e-5,
            middle_rate: 0.1,
            top_rate: 0.001,
            bottom_cd_steps: 1,
            finetune_rate: 1e-3,
            dropout: 0.5,
            code_noise: 4.0,
            validation: 0.05,
            patience: None,
            topics: None,
            naming: Naming::Decoder,
            seed: 42,
        }
    }
}

/// Settings that passed [`Settings::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct Checked(Settings);

impl std::ops::Deref for Checked {
    type Target = Settings;
    fn deref(&self) -> &Settings {
        &self.0
    }
}

impl Settings {
    /// Checks every value; the error names the first setting that cannot work and why.
    pub fn check(self) -> Result<Checked> {
        if self.vocab == 0 {
            return Err(Error::setting(
                "vocab",
                0,
                "the vocabulary needs at least one stem",
            ));
        }
        if self.layers.contains(&0) {
            let shown: Vec<String> = self.layers.iter().map(usize::to_string).collect();
            return Err(Error::setting(
                "layers",
                shown.join(","),
                "every hidden layer needs at least one unit",
            ));
        }
        if self.dims == 0 {
            return Err(Error::setting(
                "dims",
                0,
                "the code needs at least one number",
            ));
        }
        if let Some(bits) = self.bits
            && !(1..=64).contains(&bits)
        {
            return Err(Error::setting("bits", bits, "addresses have 1 to 64 bits"));
        }
        self.check_size()?;
        if self.batch_size == 0 {
            return Err(Error::setting(
                "batch-size",
                0,
                "a mini-batch needs at least one document",
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::setting(
                "dropout",
                self.dropout,
                "dropout is a share in [0, 1)",
            ));
        }
        if !(0.0..0.5).contains(&self.validation) {
            return Err(Error::setting(
                "validation",
                self.validation,
                "the held-out share is in [0, 0.5)",
            ));
        }
        if let Some(patience) = self.patience {
            if patience == 0 {
                return Err(Error::setting(
                    "patience",
                    0,
                    "give at least 1 epoch without improvement before stopping",
                ));
            }
            if self.validation == 0.0 {
                return Err(Error::setting(
                    "patience",
                    patience,
                    "early stopping watches the validation loss: give --validation above 0",
                ));
            }
        }
        if self.topics == Some(0) {
            return Err(Error::setting(
                "topics",
                0,
                "give at least 1 topic, or leave --topics out to let the codes choose",
            ));
        }
        if self.bottom_cd_steps == 0 {
            return Err(Error::setting(
                "cd-steps",
                0,
                "contrastive divergence needs a step",
            ));
        }
        for (name, rate) in [
            ("bottom-rate", self.bottom_rate),
            ("middle-rate", self.middle_rate),
            ("top-rate", self.top_rate),
            ("finetune-rate", self.finetune_rate),
        ] {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(Error::setting(
                    name,
                    rate,
                    "a learning rate is a positive number",
                ));
            }
        }
        if !(self.code_noise.is_finite() && self.code_noise >= 0.0) {
            return Err(Error::setting(
                "code-noise",
                self.code_noise,
                "noise is a standard deviation ≥ 0",
            ));
        }
        Ok(Checked(self))
    }

    /// Fails when the network the settings ask for has more weights than [`MAX_WEIGHTS`].
    ///
    /// The input is taken as the vocabulary asked for; the one built may be smaller.
    fn check_size(&self) -> Result<()> {
        let code = self.bits.unwrap_or(self.dims);
        let widths: Vec<u64> = std::iter::once(self.vocab)
            .chain(self.layers.iter().copied())
            .chain(std::iter::once(code))
            .map(|w| w as u64)
            .collect();
        let weights = widths.windows(2).try_fold(0u64, |sum, pair| {
            pair[0].checked_mul(pair[1])?.checked_add(sum)
        });
        if weights.is_some_and(|w| w <= MAX_WEIGHTS) {
            return Ok(());
        }
        let shown: Vec<String> = self.layers.iter().map(usize::to_string).collect();
        let network: Vec<String> = widths.iter().map(u64::to_string).collect();
        let count = weights.map_or("more than 2^64".to_string(), |w| w.to_string());
        Err(Error::setting(
            "layers",
            shown.join(","),
            format!(
                "the network {} (with --vocab {} as its input) would have {count} weights, more \
                 than the {MAX_WEIGHTS} that training can hold in memory; give narrower layers \
                 or a smaller --vocab",
                network.join("-"),
                self.vocab
            ),
        ))
    }
}

impl Checked {
    /// The settings as given.
    pub fn settings(&self) -> &Settings {
        &self.0
    }

    /// Width of the code layer: the number of bits when binary codes are asked for.
    pub fn code_width(&self) -> usize {
        self.bits.unwrap_or(self.dims)
    }

    /// Layer widths from the input to the code, e.g. `[2000, 500, 250, 125, 10]`; the input is
    /// the vocabulary actually built, which may be smaller than asked for.
    pub fn widths(&self, vocabulary: usize) -> Vec<usize> {
        let mut widths = vec![vocabulary];
        widths.extend(&self.layers);
        widths.push(self.code_width());
        widths
    }

    /// Pretraining and fine-tuning epochs for `documents` training documents: the settings'
    /// epochs, raised for small corpora so that each RBM makes at least
    /// `min_pretrain_updates` mini-batch updates and fine-tuning `min_finetune_updates`, and
    /// never above [`MAX_EPOCHS`].
    ///
    /// With the defaults (15 and 40 epochs, 400 and 1200 updates, batches of 100) corpora of
    /// 3,000 training documents or more train as the papers did. StackFAQ's 682 training
    /// answers get 58 and 172 epochs, which raised its question-to-answer P@1 from 0.109 to
    /// 0.333 (115 and 343 epochs gave 0.327; 15 and 343 gave 0.219: pretraining matters
    /// most). On MedQuAD's 2,855, more pretraining (28 epochs) made questions find their
    /// answers less often, so the thresholds leave it at 15.
    pub fn epochs_for(&self, documents: usize) -> (usize, usize) {
        let batches = documents.div_ceil(self.batch_size).max(1);
        let scaled = |epochs: usize, updates: usize| {
            epochs
                .max(updates.div_ceil(batches))
                .min(MAX_EPOCHS.max(epochs))
        };
        (
            scaled(self.pretrain_epochs, self.min_pretrain_updates),
            scaled(self.finetune_epochs, self.min_finetune_updates),
        )
    }

    /// CD settings of RBM `layer` of `count`, trained for `epochs`.
    pub fn cd(&self, layer: usize, count: usize, epochs: usize) -> CdSettings {
        let base = CdSettings {
            batch_size: self.batch_size,
            ..CdSettings::paper(epochs)
        };
        let top_linear = layer + 1 == count && self.bits.is_none();
        if layer == 0 {
            CdSettings {
                hidden_bias_rate: self.bottom_hidden_bias_rate,
                cd_steps: self.bottom_cd_steps,
                ..base.with_rate(if top_linear {
                    self.top_rate
                } else {
                    self.bottom_rate
                })
            }
        } else if top_linear {
            base.with_rate(self.top_rate)
        } else {
            base.with_rate(self.middle_rate)
        }
    }

    /// Fine-tuning settings for `epochs`.
    pub fn fine_tune(&self, epochs: usize) -> FineTuneSettings {
        FineTuneSettings {
            epochs,
            batch_size: self.batch_size,
            learning_rate: self.finetune_rate,
            input_dropout: self.dropout,
            code_noise: if self.bits.is_some() {
                self.code_noise
            } else {
                0.0
            },
            patience: self.patience,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_paper() {
        let checked = Settings::default().check().expect("defaults are valid");
        assert_eq!(checked.widths(2000), [2000, 500, 250, 125, 10]);
        assert_eq!(checked.cd(1, 4, 15).learning_rate, 0.1);
        assert_eq!(checked.cd(3, 4, 15).learning_rate, 0.001);
        assert_eq!(checked.cd(0, 4, 15).hidden_bias_rate, 1e-5);
        assert_eq!(checked.fine_tune(40).code_noise, 0.0);
    }

    #[test]
    fn small_corpora_get_more_epochs() {
        let checked = Settings::default().check().expect("valid");
        assert_eq!(checked.epochs_for(11_314), (15, 40));
        assert_eq!(checked.epochs_for(682), (58, 172));
        assert_eq!(checked.epochs_for(1), (400, 1000));
        assert_eq!(checked.epochs_for(2855), (15, 42));
        let fixed = Settings {
            min_pretrain_updates: 0,
            min_finetune_updates: 0,
            ..Settings::default()
        };
        assert_eq!(fixed.check().expect("valid").epochs_for(718), (15, 40));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let cases = [
            Settings {
                vocab: 0,
                ..Settings::default()
            },
            Settings {
                dims: 0,
                ..Settings::default()
            },
            Settings {
                layers: vec![500, 0],
                ..Settings::default()
            },
            Settings {
                bits: Some(65),
                ..Settings::default()
            },
            Settings {
                dropout: 1.0,
                ..Settings::default()
            },
            Settings {
                layers: vec![usize::MAX, 2],
                ..Settings::default()
            },
            Settings {
                vocab: 1 << 30,
                ..Settings::default()
            },
        ];
        let names = [
            "--vocab",
            "--dims",
            "--layers",
            "--bits",
            "--dropout",
            "--layers",
            "--vocab 1073741824 as its input",
        ];
        for (settings, name) in cases.into_iter().zip(names) {
            let message = settings.check().expect_err("invalid").to_string();
            assert!(message.contains(name), "{message}");
        }
    }

    #[test]
    fn early_stopping_needs_patience_and_validation() {
        for (patience, validation) in [(0, 0.05), (3, 0.0)] {
            let settings = Settings {
                patience: Some(patience),
                validation,
                ..Settings::default()
            };
            let message = settings.check().expect_err("invalid").to_string();
            assert!(message.contains("--patience"), "{message}");
        }
        let checked = Settings {
            patience: Some(3),
            ..Settings::default()
        };
        assert_eq!(
            checked.check().expect("valid").fine_tune(40).patience,
            Some(3)
        );
    }

    #[test]
    fn bits_make_a_binary_code_layer() {
        let checked = Settings {
            bits: Some(32),
            ..Settings::default()
        }
        .check()
        .expect("valid");
        assert_eq!(checked.code_width(), 32);
        assert_eq!(checked.cd(3, 4, 15).learning_rate, 0.1);
        assert_eq!(checked.fine_tune(40).code_noise, 4.0);
    }
}
