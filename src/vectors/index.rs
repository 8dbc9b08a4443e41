//! An index of images or vectors: the trained model, the PCA baseline at the same width, and
//! the codes of every item, stored like a document index (manifest with checksums, atomic
//! replacement) with `kind: vectors` in its manifest.
//!
//! Files: `manifest.json`, `config.json` (settings, network layout, scaling, image size,
//! report), `model.safetensors` (the autoencoder), `pca.safetensors` (mean and components),
//! `codes.bin` (codes and their addresses), `pca-codes.bin` and `items.jsonl` (id and label of
//! each item). Rows of the codes and items correspond one to one.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView2};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde::{Deserialize, Serialize};

use super::model::{Scaling, VectorModel, VectorSettings};
use super::pca::Pca;
use crate::hashing;
use crate::index::SkippedDocument;
use crate::index::store::{self, IndexFiles, Kind, NetworkLayout};
use crate::model::TrainingReport;
use crate::progress::Progress;
use crate::{Error, Result};

const CONFIG: &str = "config.json";
const WEIGHTS: &str = "model.safetensors";
const PCA: &str = "pca.safetensors";
const CODES: &str = "codes.bin";
const PCA_CODES: &str = "pca-codes.bin";
const ITEMS: &str = "items.jsonl";

/// What the index keeps of an item besides its codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemInfo {
    pub id: String,
    /// Empty when the item has none.
    #[serde(default)]
    pub label: String,
}

/// How a vector index came to be, kept for `topics info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VectorReport {
    /// The path the items were read from, as given.
    pub source: String,
    /// The IDX label file given with the source, if any.
    #[serde(default)]
    pub labels: Option<String>,
    /// What was read: `idx`, `pictures` or `numbers`.
    pub source_kind: String,
    pub items_read: usize,
    pub skipped: Vec<SkippedDocument>,
    pub training: TrainingReport,
}

/// A trained model with the codes of every item it indexed.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    pub model: VectorModel,
    /// `(height, width)` when the items are images: query images are resized to it.
    pub shape: Option<(usize, usize)>,
    pub items: Vec<ItemInfo>,
    /// Shape `(items, code)`.
    pub codes: Array2<f32>,
    /// The binarized codes: each unit thresholded at its median over the indexed items.
    pub addresses: Vec<u64>,
    pub thresholds: Vec<f32>,
    pub pca: Pca,
    /// PCA codes of the items at the autoencoder's code width, shape `(items, code)`.
    pub pca_codes: Array2<f32>,
    pub report: VectorReport,
}

#[derive(Debug, Serialize, Deserialize)]
struct Config {
    settings: VectorSettings,
    network: NetworkLayout,
    scaling: Option<Scaling>,
    shape: Option<(usize, usize)>,
    thresholds: Vec<f32>,
    report: VectorReport,
}

impl VectorIndex {
    /// Trains on `values` (shape `(items, features)`) and indexes every item; `items` names
    /// the rows. PCA at the same code width is fitted on the same rows.
    pub fn build(
        values: ArrayView2<f32>,
        items: Vec<ItemInfo>,
        shape: Option<(usize, usize)>,
        settings: &VectorSettings,
        mut report: VectorReport,
        progress: &dyn Progress,
    ) -> Result<VectorIndex> {
        if items.len() != values.nrows() {
            return Err(Error::setting(
                "input",
                values.nrows(),
                format!("rows of values for {} named items", items.len()),
            ));
        }
        let (model, training) = VectorModel::train(values, settings, progress)?;
        report.training = training;

        progress.begin("encoding", 0);
        let start = Instant::now();
        let codes = model.encode(values);
        report.training.timed("encoding", start);
        progress.end();

        progress.begin("PCA", 0);
        let start = Instant::now();
        let rows: Vec<usize> = (0..values.nrows()).collect();
        let pca = Pca::fit(values, &rows, model.code_width(), settings.seed);
        let pca_codes = pca.encode(values);
        report.training.timed("PCA", start);
        progress.end();

        let thresholds = hashing::medians(codes.view(), 64);
        let addresses = hashing::addresses_of(codes.view(), &thresholds);
        Ok(VectorIndex {
            model,
            shape,
            items,
            codes,
            addresses,
            thresholds,
            pca,
            pca_codes,
            report,
        })
    }

    /// The labels of the items, `""` where there is none.
    pub fn labels(&self) -> Vec<String> {
        self.items.iter().map(|i| i.label.clone()).collect()
    }

    /// Writes the index to `dir` atomically, replacing an index already there.
    pub fn save(&self, dir: &Path) -> Result<()> {
        store::check_finite(
            &self.model.network,
            self.codes.view(),
            self.model.settings.finetune_rate,
            dir,
        )?;
        let config = Config {
            settings: self.model.settings.clone(),
            network: NetworkLayout::of(&self.model.network),
            scaling: self.model.scaling.clone(),
            shape: self.shape,
            thresholds: self.thresholds.clone(),
            report: self.report.clone(),
        };
        let bits = self.thresholds.len();
        let mut items = Vec::new();
        for item in &self.items {
            serde_json::to_writer(&mut items, item)
                .map_err(|e| Error::index(ITEMS, format!("cannot serialize: {e}")))?;
            items.push(b'\n');
        }
        let none = vec![0u64; self.pca_codes.nrows()];
        let files = [
            (CONFIG, store::json_bytes(&config, CONFIG)?),
            (WEIGHTS, store::weights_bytes(&self.model.network)?),
            (PCA, pca_bytes(&self.pca)?),
            (
                CODES,
                store::codes_bytes(&self.codes, &self.addresses, bits),
            ),
            (PCA_CODES, store::codes_bytes(&self.pca_codes, &none, 0)),
            (ITEMS, items),
        ];
        store::write_files(dir, Kind::Vectors, &files)
    }

    /// Loads the index in `dir`, verifying every checksum and length.
    pub fn load(dir: &Path) -> Result<VectorIndex> {
        let files = IndexFiles::open(dir, Kind::Vectors)?;
        let file = |name: &str| files.get(name);
        let damaged = |name: &str, what: String| files.damaged(name, what);

        let config: Config = files.json(CONFIG)?;
        let network = store::read_weights(file(WEIGHTS)?, &config.network)
            .map_err(|what| damaged(WEIGHTS, what))?;
        let features = network.inputs();
        if let Some((h, w)) = config.shape
            && h.checked_mul(w) != Some(features)
        {
            return Err(damaged(
                CONFIG,
                format!("gives images of {h}×{w} for a network of {features} inputs"),
            ));
        }
        if let Some(scaling) = &config.scaling
            && (scaling.mean.len() != features || scaling.std.len() != features)
        {
            return Err(damaged(
                CONFIG,
                "has a scaling of the wrong width".to_string(),
            ));
        }
        let width = network.code_width();
        let (codes, addresses) =
            store::read_codes(file(CODES)?, width).map_err(|what| damaged(CODES, what))?;
        let (pca_codes, _) =
            store::read_codes(file(PCA_CODES)?, width).map_err(|what| damaged(PCA_CODES, what))?;
        let pca = read_pca(file(PCA)?, features, width).map_err(|what| damaged(PCA, what))?;
        let items = read_items(file(ITEMS)?).map_err(|what| damaged(ITEMS, what))?;
        if items.len() != codes.nrows() || pca_codes.nrows() != codes.nrows() {
            return Err(damaged(
                ITEMS,
                format!(
                    "lists {} items for {} codes and {} PCA codes",
                    items.len(),
                    codes.nrows(),
                    pca_codes.nrows()
                ),
            ));
        }
        if config.thresholds.len() != width.min(64) {
            return Err(damaged(
                CONFIG,
                "has address thresholds of the wrong width".to_string(),
            ));
        }
        Ok(VectorIndex {
            model: VectorModel {
                settings: config.settings,
                network,
                scaling: config.scaling,
            },
            shape: config.shape,
            items,
            codes,
            addresses,
            thresholds: config.thresholds,
            pca,
            pca_codes,
            report: config.report,
        })
    }
}

fn pca_bytes(pca: &Pca) -> Result<Vec<u8>> {
    let mean = store::f32_bytes(pca.mean.iter());
    let components = store::f32_bytes(pca.components.iter());
    let variances = store::f32_bytes(pca.variances.iter());
    let (features, k) = pca.components.dim();
    let views = vec![
        ("mean".to_string(), tensor(vec![features], &mean)?),
        (
            "components".to_string(),
            tensor(vec![features, k], &components)?,
        ),
        ("variances".to_string(), tensor(vec![k], &variances)?),
    ];
    safetensors::serialize(views, None::<HashMap<String, String>>)
        .map_err(|e| Error::index(PCA, format!("cannot serialize: {e}")))
}

fn tensor(shape: Vec<usize>, bytes: &[u8]) -> Result<TensorView<'_>> {
    TensorView::new(Dtype::F32, shape, bytes)
        .map_err(|e| Error::index(PCA, format!("cannot serialize: {e}")))
}

fn read_pca(bytes: &[u8], features: usize, k: usize) -> std::result::Result<Pca, String> {
    let tensors =
        SafeTensors::deserialize(bytes).map_err(|e| format!("is not safetensors: {e}"))?;
    let values = |name: &str, shape: &[usize]| -> std::result::Result<Vec<f32>, String> {
        let values = store::read_tensor(&tensors, name, shape)?;
        if values.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "holds a value in {name} that is not a finite number"
            ));
        }
        Ok(values)
    };
    let mean = Array1::from(values("mean", &[features])?);
    let components = Array2::from_shape_vec((features, k), values("components", &[features, k])?)
        .map_err(|e| e.to_string())?;
    let variances = values("variances", &[k])?;
    Ok(Pca {
        mean,
        components,
        variances,
    })
}

fn read_items(bytes: &[u8]) -> std::result::Result<Vec<ItemInfo>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("is not UTF-8: {e}"))?;
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|e| format!("line {} cannot be read: {e}", n + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn small_index() -> VectorIndex {
        let values =
            Array2::from_shape_fn(
                (120, 16),
                |(r, c)| {
                    if (c * 3 / 16) == r % 3 { 0.9 } else { 0.1 }
                },
            );
        let items = (0..120)
            .map(|i| ItemInfo {
                id: format!("item{i}"),
                label: (i % 3).to_string(),
            })
            .collect();
        let settings = VectorSettings {
            layers: vec![8],
            dims: 3,
            pretrain_epochs: 2,
            finetune_epochs: 3,
            batch_size: 20,
            ..VectorSettings::default()
        };
        VectorIndex::build(
            values.view(),
            items,
            Some((4, 4)),
            &settings,
            VectorReport::default(),
            &Silent,
        )
        .expect("a small index builds")
    }

    #[test]
    fn saves_and_loads_every_part() {
        let index = small_index();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("digits");
        index.save(&path).expect("saves");
        let loaded = VectorIndex::load(&path).expect("loads");
        assert_eq!(loaded.items, index.items);
        assert_eq!(loaded.codes, index.codes);
        assert_eq!(loaded.pca_codes, index.pca_codes);
        assert_eq!(loaded.addresses, index.addresses);
        assert_eq!(loaded.model, index.model);
        assert_eq!(loaded.shape, Some((4, 4)));
        assert_eq!(loaded.pca.components, index.pca.components);

        let message = crate::index::store::load(&path)
            .expect_err("not a document index")
            .to_string();
        assert!(
            message.contains("holds images or vectors, not documents"),
            "{message}"
        );
    }
}
