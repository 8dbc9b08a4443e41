//! The binary files of an index and their checks: the network's tensors in safetensors, codes
//! and addresses (`codes.bin`), word signatures (`words.bin`) and sparse term counts
//! (`terms.bin`). Every reader checks the lengths a header claims against the bytes there are
//! before it allocates, and refuses values that are not finite numbers.

use ndarray::{
    Array1, Array2, ArrayView, ArrayView1, ArrayView2, ArrayViewD, Dimension, IntoDimension,
};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde::{Deserialize, Serialize};
use sprs::CsMat;
use std::collections::HashMap;
use std::path::Path;

use super::store::{FORMAT, WEIGHTS};
use crate::autoencoder::{Activation, Autoencoder, Layer};
use crate::hashing::words::{SIGNATURE, Signature};
use crate::{Error, Result};

pub(crate) const WORDS_MAGIC: &[u8; 8] = b"TOPWORD1";
pub(crate) const TERMS_MAGIC: &[u8; 8] = b"TOPTERM1";
pub(crate) const CODES_MAGIC: &[u8; 8] = b"TOPCODE1";
pub(crate) const CODES_HEADER: usize = 8 + 4 + 4 + 8;

/// The activations of a network, kept in the configuration beside its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NetworkLayout {
    counts: bool,
    encoder: Vec<Activation>,
    decoder: Vec<Activation>,
}

impl NetworkLayout {
    pub(crate) fn of(network: &Autoencoder) -> Self {
        NetworkLayout {
            counts: network.counts,
            encoder: network.encoder.iter().map(|l| l.activation).collect(),
            decoder: network.decoder.iter().map(|l| l.activation).collect(),
        }
    }
}

pub(crate) fn f32_bytes<'a>(values: impl IntoIterator<Item = &'a f32>) -> Vec<u8> {
    values.into_iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The network's tensors by their names in `model.safetensors`: `encoder.0.weight` of shape
/// `(inputs, outputs)`, `encoder.0.bias` of shape `(outputs)`, and so on to the decoder's last.
fn tensors(network: &Autoencoder) -> Vec<(String, ArrayViewD<'_, f32>)> {
    let mut tensors = Vec::new();
    for (half, layers) in [("encoder", &network.encoder), ("decoder", &network.decoder)] {
        for (i, layer) in layers.iter().enumerate() {
            tensors.push((
                format!("{half}.{i}.weight"),
                layer.weights.view().into_dyn(),
            ));
            tensors.push((format!("{half}.{i}.bias"), layer.bias.view().into_dyn()));
        }
    }
    tensors
}

pub(crate) fn weights_bytes(network: &Autoencoder) -> Result<Vec<u8>> {
    let buffers: Vec<(String, Vec<usize>, Vec<u8>)> = tensors(network)
        .into_iter()
        .map(|(name, values)| (name, values.shape().to_vec(), f32_bytes(values.iter())))
        .collect();
    let mut views = Vec::with_capacity(buffers.len());
    for (name, shape, bytes) in &buffers {
        let view = TensorView::new(Dtype::F32, shape.clone(), bytes)
            .map_err(|e| Error::index(WEIGHTS, format!("tensor {name}: {e}")))?;
        views.push((name.clone(), view));
    }
    let metadata = HashMap::from([("format".to_string(), FORMAT.to_string())]);
    safetensors::serialize(views, Some(metadata))
        .map_err(|e| Error::index(WEIGHTS, format!("cannot serialize: {e}")))
}

/// Where `values` first holds NaN or an infinity, as `"NaN at [3, 5]"`; `None` when every
/// value is finite.
fn non_finite<D: Dimension>(values: ArrayView<f32, D>) -> Option<String> {
    let (at, value) = values.indexed_iter().find(|(_, v)| !v.is_finite())?;
    let at = at.into_dimension();
    let what = if value.is_nan() {
        "NaN"
    } else if *value > 0.0 {
        "infinity"
    } else {
        "-infinity"
    };
    Some(format!("{what} at {:?}", at.slice()))
}

/// Refuses to save an index whose weights or codes hold NaN or an infinity, which only a
/// training that diverged makes: such an index would load as damaged.
pub(crate) fn check_finite(
    network: &Autoencoder,
    codes: ArrayView2<f32>,
    rate: f32,
    dir: &Path,
) -> Result<()> {
    let weights = tensors(network)
        .into_iter()
        .find_map(|(name, values)| non_finite(values).map(|w| format!("tensor {name} holds {w}")));
    let Some(what) =
        weights.or_else(|| non_finite(codes).map(|w| format!("the codes hold {w} (item, number)")))
    else {
        return Ok(());
    };
    Err(Error::index(
        dir,
        format!(
            "training diverged ({what}), so nothing was written; build again with a lower \
             --finetune-rate (this one was {rate:e}) or another --seed"
        ),
    ))
}

/// Word signatures: magic, count (u64), then each signature's u16 minima, little endian.
pub(crate) fn signature_bytes(signatures: &[Signature]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(16 + signatures.len() * SIGNATURE * 2);
    bytes.extend_from_slice(WORDS_MAGIC);
    bytes.extend_from_slice(&(signatures.len() as u64).to_le_bytes());
    for signature in signatures {
        bytes.extend(signature.iter().flat_map(|m| m.to_le_bytes()));
    }
    bytes
}

pub(crate) fn read_signatures(
    bytes: &[u8],
    documents: usize,
) -> std::result::Result<Vec<Signature>, String> {
    if bytes.len() < 16 || &bytes[..8] != WORDS_MAGIC {
        return Err("is not a word-signature file".to_string());
    }
    let mut count = [0u8; 8];
    count.copy_from_slice(&bytes[8..16]);
    let count = u64::from_le_bytes(count);
    if count != documents as u64 || (bytes.len() - 16) as u64 != count * SIGNATURE as u64 * 2 {
        return Err(format!(
            "claims {count} signatures in {} bytes for an index of {documents} documents",
            bytes.len()
        ));
    }
    Ok(bytes[16..]
        .chunks_exact(SIGNATURE * 2)
        .map(|chunk| {
            let mut signature = [0u16; SIGNATURE];
            for (m, b) in signature.iter_mut().zip(chunk.chunks_exact(2)) {
                *m = u16::from_le_bytes([b[0], b[1]]);
            }
            signature
        })
        .collect())
}

/// Codes and their addresses: magic, width (u32), address bits (u32), rows (u64), then the
/// codes (f32, row by row) and the addresses (u64), all little endian.
pub(crate) fn codes_bytes(codes: &Array2<f32>, addresses: &[u64], bits: usize) -> Vec<u8> {
    let (rows, width) = codes.dim();
    let mut bytes = Vec::with_capacity(CODES_HEADER + rows * (width * 4 + 8));
    bytes.extend_from_slice(CODES_MAGIC);
    bytes.extend_from_slice(&(width as u32).to_le_bytes());
    bytes.extend_from_slice(&(bits as u32).to_le_bytes());
    bytes.extend_from_slice(&(rows as u64).to_le_bytes());
    bytes.extend(f32_bytes(codes.iter()));
    bytes.extend(addresses.iter().flat_map(|a| a.to_le_bytes()));
    bytes
}

/// A CSR matrix: magic, rows, columns, entries (u64 each), then the row offsets (u64), the
/// column of each entry (u32) and its value (f32), all little endian.
pub(crate) fn csr_bytes(matrix: &CsMat<f32>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(32 + matrix.rows() * 8 + matrix.nnz() * 8);
    bytes.extend_from_slice(TERMS_MAGIC);
    for n in [matrix.rows(), matrix.cols(), matrix.nnz()] {
        bytes.extend_from_slice(&(n as u64).to_le_bytes());
    }
    for &offset in matrix.indptr().raw_storage() {
        bytes.extend_from_slice(&(offset as u64).to_le_bytes());
    }
    for &column in matrix.indices() {
        bytes.extend_from_slice(&(column as u32).to_le_bytes());
    }
    bytes.extend(f32_bytes(matrix.data()));
    bytes
}

pub(crate) fn read_csr(
    bytes: &[u8],
    rows: usize,
    columns: usize,
) -> std::result::Result<CsMat<f32>, String> {
    if bytes.len() < 32 || &bytes[..8] != TERMS_MAGIC {
        return Err("is not a term-count file".to_string());
    }
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let (stored_rows, stored_columns, nnz) = (word(8), word(16), word(24));
    if stored_rows != rows as u64 || stored_columns != columns as u64 {
        return Err(format!(
            "holds {stored_rows} × {stored_columns} counts, expected {rows} documents × {columns} stems"
        ));
    }
    let expected = (rows as u64 + 1)
        .checked_mul(8)
        .and_then(|n| nnz.checked_mul(8).and_then(|m| m.checked_add(n)))
        .and_then(|n| n.checked_add(32));
    if expected != Some(bytes.len() as u64) {
        return Err(format!(
            "claims {nnz} counts, which does not match its {} bytes",
            bytes.len()
        ));
    }
    let nnz = nnz as usize;
    let offsets_end = 32 + (rows + 1) * 8;
    let indptr: Vec<usize> = bytes[32..offsets_end]
        .chunks_exact(8)
        .map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a) as usize
        })
        .collect();
    let indices_end = offsets_end + nnz * 4;
    let indices: Vec<usize> = bytes[offsets_end..indices_end]
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect();
    let data = f32_values(&bytes[indices_end..]);
    if let Some(what) = non_finite(ArrayView1::from(&data)) {
        return Err(format!("holds a count of {what}"));
    }
    CsMat::try_new((rows, columns), indptr, indices, data)
        .map_err(|(_, _, _, e)| format!("is not a valid sparse matrix: {e}"))
}

pub(crate) fn read_tensor(
    tensors: &SafeTensors,
    name: &str,
    shape: &[usize],
) -> std::result::Result<Vec<f32>, String> {
    let view = tensors
        .tensor(name)
        .map_err(|e| format!("tensor {name}: {e}"))?;
    if view.dtype() != Dtype::F32 {
        return Err(format!("tensor {name} is {:?}, not F32", view.dtype()));
    }
    if view.shape() != shape {
        return Err(format!(
            "tensor {name} has shape {:?}, expected {shape:?}",
            view.shape()
        ));
    }
    Ok(f32_values(view.data()))
}

pub(crate) fn read_weights(
    bytes: &[u8],
    layout: &NetworkLayout,
) -> std::result::Result<Autoencoder, String> {
    let tensors =
        SafeTensors::deserialize(bytes).map_err(|e| format!("is not safetensors: {e}"))?;
    let mut halves = Vec::new();
    for (half, activations) in [("encoder", &layout.encoder), ("decoder", &layout.decoder)] {
        let mut layers = Vec::new();
        for (i, &activation) in activations.iter().enumerate() {
            let name = format!("{half}.{i}.weight");
            let shape = tensors
                .tensor(&name)
                .map_err(|e| format!("tensor {name}: {e}"))?
                .shape()
                .to_vec();
            let [rows, cols] = shape[..] else {
                return Err(format!(
                    "tensor {name} has shape {shape:?}, expected two dimensions"
                ));
            };
            let weights =
                Array2::from_shape_vec((rows, cols), read_tensor(&tensors, &name, &[rows, cols])?)
                    .map_err(|e| format!("tensor {name}: {e}"))?;
            let bias_name = format!("{half}.{i}.bias");
            let bias = Array1::from(read_tensor(&tensors, &bias_name, &[cols])?);
            for (name, what) in [
                (&name, non_finite(weights.view())),
                (&bias_name, non_finite(bias.view())),
            ] {
                if let Some(what) = what {
                    return Err(format!("tensor {name} holds {what}"));
                }
            }
            layers.push(Layer {
                weights,
                bias,
                activation,
            });
        }
        halves.push(layers);
    }
    let decoder = halves.pop().unwrap_or_default();
    let encoder = halves.pop().unwrap_or_default();
    if encoder.is_empty() || decoder.len() != encoder.len() {
        return Err("has no layers, or an encoder and decoder of different depths".to_string());
    }
    let mut widths = vec![encoder[0].weights.nrows()];
    for layer in encoder.iter().chain(&decoder) {
        if layer.weights.nrows() != *widths.last().unwrap_or(&0) {
            return Err("has layers whose widths do not chain".to_string());
        }
        widths.push(layer.weights.ncols());
    }
    if widths.last() != widths.first() {
        return Err("has a decoder whose output width differs from the input".to_string());
    }
    Ok(Autoencoder {
        encoder,
        decoder,
        counts: layout.counts,
    })
}

pub(crate) fn read_codes(
    bytes: &[u8],
    expected_width: usize,
) -> std::result::Result<(Array2<f32>, Vec<u64>), String> {
    if bytes.len() < CODES_HEADER || &bytes[..8] != CODES_MAGIC {
        return Err("is not a codes file".to_string());
    }
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let width = word(8) as usize;
    let mut count_bytes = [0u8; 8];
    count_bytes.copy_from_slice(&bytes[16..24]);
    let rows = u64::from_le_bytes(count_bytes);
    if width != expected_width {
        return Err(format!(
            "holds codes of width {width}, the model makes {expected_width}"
        ));
    }
    let expected = rows
        .checked_mul(width as u64 * 4 + 8)
        .and_then(|n| n.checked_add(CODES_HEADER as u64));
    if expected != Some(bytes.len() as u64) {
        return Err(format!(
            "claims {rows} codes of width {width}, which does not match its {} bytes",
            bytes.len()
        ));
    }
    let rows = rows as usize;
    let values_end = CODES_HEADER + rows * width * 4;
    let values = f32_values(&bytes[CODES_HEADER..values_end]);
    let codes = Array2::from_shape_vec((rows, width), values).map_err(|e| e.to_string())?;
    if let Some(what) = non_finite(codes.view()) {
        return Err(format!("holds {what} (document, number)"));
    }
    let addresses = bytes[values_end..]
        .chunks_exact(8)
        .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .collect();
    Ok((codes, addresses))
}

pub(crate) fn f32_values(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}
