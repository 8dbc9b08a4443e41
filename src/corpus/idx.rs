//! Reading IDX files, the format of MNIST: a magic, big-endian dimensions, then the values.
//!
//! The magic is two zero bytes, a type byte and the number of dimensions; each dimension is a
//! big-endian `u32`; the values follow in row-major order. Only unsigned bytes (type `0x08`) are
//! read; the other types are an error that says so. A file may be gzipped, which is told by its
//! first two bytes (`1f 8b`), not by its name.
//!
//! No length is trusted: the dimensions must multiply to at most [`MAX_VALUES`], and the bytes
//! that follow the header must be exactly as many as they promise. For a plain file this is
//! checked before anything is allocated; a gzipped one is inflated no further than the promise
//! plus one byte, so memory never grows past what the file really holds.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use ndarray::Array2;

use super::items::{Items, Source};
use crate::{Error, Result};

/// The most values one IDX file may hold: 2³² (4 GiB of bytes, 16 GiB as `f32`).
pub const MAX_VALUES: u64 = 1 << 32;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The type byte of unsigned bytes, the only type read.
const UNSIGNED_BYTE: u8 = 0x08;

/// The type bytes the format defines, with their names for messages.
const TYPES: [(u8, &str); 6] = [
    (0x08, "unsigned byte"),
    (0x09, "signed byte"),
    (0x0B, "16-bit integer"),
    (0x0C, "32-bit integer"),
    (0x0D, "32-bit float"),
    (0x0E, "64-bit float"),
];

/// The contents of one IDX file of unsigned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idx {
    /// The dimensions, outermost first: `[count]` for labels, `[count, rows, cols]` for images.
    pub dims: Vec<usize>,
    /// The values in row-major order; as many as the dimensions multiply to.
    pub bytes: Vec<u8>,
}

/// Parses an IDX file, gzipped or not, from its bytes; `name` is the file named in errors.
///
/// # Errors
/// When the bytes are not valid gzip (after the gzip magic), have no IDX magic, hold another type
/// than unsigned bytes, have no or more than three dimensions, promise more than [`MAX_VALUES`]
/// values, or are more or fewer than the dimensions promise.
pub fn parse_idx(bytes: &[u8], name: &Path) -> Result<Idx> {
    if bytes.starts_with(&GZIP_MAGIC) {
        parse(MultiGzDecoder::new(bytes), None, name)
    } else {
        parse(bytes, Some(bytes.len() as u64), name)
    }
}

/// Reads the IDX file at `path`, gzipped or not; see [`parse_idx`].
pub fn read_idx(path: &Path) -> Result<Idx> {
    let (file, gzipped) = open(path)?;
    if gzipped {
        parse(MultiGzDecoder::new(BufReader::new(file)), None, path)
    } else {
        let length = file.metadata().map_err(|e| Error::io(path, e))?.len();
        parse(BufReader::new(file), Some(length), path)
    }
}

/// Whether the file at `path` starts, after un-gzipping, with an IDX magic of 1 to 3 dimensions.
///
/// A gzip stream that is damaged is no IDX file; the reader of whatever it is says more.
pub(crate) fn has_magic(path: &Path) -> Result<bool> {
    let (mut file, gzipped) = open(path)?;
    let mut start = [0u8; 4];
    let found = if gzipped {
        fill(&mut MultiGzDecoder::new(file), &mut start).unwrap_or(0)
    } else {
        fill(&mut file, &mut start).map_err(|e| Error::io(path, e))?
    };
    Ok(found == 4 && is_magic(&start))
}

/// Opens `path` at its start, and says whether it starts with the gzip magic.
fn open(path: &Path) -> Result<(File, bool)> {
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 2];
    let found = fill(&mut file, &mut magic).map_err(io)?;
    file.rewind().map_err(io)?;
    Ok((file, found == 2 && magic == GZIP_MAGIC))
}

/// Whether four bytes are an IDX magic of a known type and 1 to 3 dimensions.
fn is_magic(start: &[u8; 4]) -> bool {
    let known_type = TYPES.iter().any(|(byte, _)| *byte == start[2]);
    start[..2] == [0, 0] && known_type && (1..=3).contains(&start[3])
}

/// Reads IDX items from `path`, with labels from the IDX file `labels` when given.
pub(crate) fn read(path: &Path, labels: Option<&Path>) -> Result<Items> {
    let idx = read_idx(path)?;
    let (count, features, shape) = match *idx.dims.as_slice() {
        [count, rows, cols] => (count, rows * cols, Some((rows, cols))),
        [count, width] => (count, width, None),
        // `parse` keeps 1 to 3 dimensions, so this is one.
        _ => {
            return Err(Error::input(
                path,
                "has one dimension, so this looks like a label file; give the images and pass \
                 this file with --labels",
            ));
        }
    };
    if count == 0 || features == 0 {
        return Err(Error::input(
            path,
            format!(
                "holds no values (dimensions {}); give a file with items",
                joined(&idx.dims)
            ),
        ));
    }

    let labels = match labels {
        Some(labels) => read_labels(labels, path, count)?,
        None => vec![String::new(); count],
    };
    let values = idx
        .bytes
        .iter()
        .map(|&byte| f32::from(byte) / 255.0)
        .collect();
    let values = Array2::from_shape_vec((count, features), values)
        .expect("parse checked that the bytes are count × features");
    Ok(Items {
        ids: (0..count).map(|row| row.to_string()).collect(),
        labels,
        values,
        shape,
        skipped: Vec::new(),
        source: Source::Idx,
    })
}

/// The labels of the IDX label file `path` as digit strings, `count` of them for `images`.
fn read_labels(path: &Path, images: &Path, count: usize) -> Result<Vec<String>> {
    let idx = read_idx(path)?;
    let [found] = *idx.dims.as_slice() else {
        return Err(Error::input(
            path,
            format!(
                "is not a label file: it has dimensions {}, a label file has one; give the labels \
                 that belong to {}",
                joined(&idx.dims),
                images.display()
            ),
        ));
    };
    if found != count {
        return Err(Error::input(
            path,
            format!(
                "has {found} labels but {} has {count} items; give the label file that belongs to \
                 those items",
                images.display()
            ),
        ));
    }
    Ok(idx.bytes.iter().map(u8::to_string).collect())
}

/// Parses an IDX stream; `length` is its size in bytes when it is known before reading.
fn parse(mut reader: impl Read, length: Option<u64>, name: &Path) -> Result<Idx> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            Error::input(name, format!("is not valid gzip: {e}"))
        }
        _ => Error::io(name, e),
    };

    let mut magic = [0u8; 4];
    let found = fill(&mut reader, &mut magic).map_err(io)?;
    if found < 4 || magic[..2] != [0, 0] {
        return Err(Error::input(
            name,
            "is not an IDX file: it does not start with two zero bytes, a type and a number of \
             dimensions; give an IDX file such as MNIST's train-images-idx3-ubyte(.gz)",
        ));
    }
    check_type(magic[2], name)?;
    let ndims = usize::from(magic[3]);
    if !(1..=3).contains(&ndims) {
        return Err(Error::input(
            name,
            format!("has {ndims} dimensions; only IDX files of 1 to 3 dimensions are read"),
        ));
    }

    let mut header = [0u8; 12];
    let header = &mut header[..4 * ndims];
    let found = fill(&mut reader, header).map_err(io)?;
    if found < header.len() {
        return Err(truncated(
            name,
            "its dimensions",
            header.len() as u64,
            found as u64,
        ));
    }
    let dims: Vec<usize> = header
        .chunks_exact(4)
        .map(|chunk| u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1u64, |total, &d| total.checked_mul(d as u64));
    let expected = match expected {
        Some(expected) if expected <= MAX_VALUES => expected,
        _ => {
            return Err(Error::input(
                name,
                format!(
                    "promises {} values, more than the {MAX_VALUES} this reader takes; the header \
                     is damaged or the file is too large to read at once",
                    promised(&dims)
                ),
            ));
        }
    };

    let what = format!("the {} values it promises", promised(&dims));
    let offset = 4 + header.len() as u64;
    if let Some(length) = length {
        let found = length.saturating_sub(offset);
        if found != expected {
            return Err(wrong_length(name, &what, expected, found));
        }
    }
    // A plain file's length was checked, so its buffer is allocated once; a gzip stream's grows
    // only with what it really inflates to.
    let mut bytes = Vec::with_capacity(length.map_or(0, |_| expected as usize));
    reader
        .take(expected + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 != expected {
        return Err(wrong_length(name, &what, expected, bytes.len() as u64));
    }
    Ok(Idx { dims, bytes })
}

/// An error unless `byte` is the type of unsigned bytes.
fn check_type(byte: u8, name: &Path) -> Result<()> {
    if byte == UNSIGNED_BYTE {
        return Ok(());
    }
    let message = match TYPES.iter().find(|(b, _)| *b == byte) {
        Some((_, kind)) => format!(
            "holds values of type {kind} (0x{byte:02X}); only unsigned bytes (0x08), as in \
             MNIST, are read; convert the file to bytes or to a CSV of numbers"
        ),
        None => format!(
            "is not an IDX file: its type byte 0x{byte:02X} is none the format defines; give \
             an IDX file such as MNIST's train-images-idx3-ubyte(.gz)"
        ),
    };
    Err(Error::input(name, message))
}

/// The error for a file with more or fewer data bytes than its header promises.
fn wrong_length(name: &Path, what: &str, expected: u64, found: u64) -> Error {
    if found < expected {
        return truncated(name, what, expected, found);
    }
    Error::input(
        name,
        format!(
            "is longer than its header says: {what} take {expected} bytes, but more follow; the \
             header is damaged or this is not an IDX file"
        ),
    )
}

/// The error for a file that ends before `what`, `expected` bytes of it, is complete.
fn truncated(name: &Path, what: &str, expected: u64, found: u64) -> Error {
    Error::input(
        name,
        format!(
            "is truncated: {what} take {expected} bytes, but only {found} are there; the file \
             was cut off (download it again)"
        ),
    )
}

/// Dimensions for messages: `60000 × 28 × 28`.
fn joined(dims: &[usize]) -> String {
    let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
    parts.join(" × ")
}

/// Dimensions and their product for messages: `2 × 3 = 6`.
fn promised(dims: &[usize]) -> String {
    let product = dims.iter().map(|&d| d as u128).product::<u128>();
    if dims.len() == 1 {
        return product.to_string();
    }
    format!("{} = {product}", joined(dims))
}

/// Reads until `buf` is full or the stream ends, and says how many bytes were read.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::corpus::items::tests::{gzip, input_message, put, scratch};
    use crate::corpus::items::{ReadOptions, read as read_items};

    /// An IDX file of unsigned bytes with these dimensions and values.
    fn idx(dims: &[u32], values: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, UNSIGNED_BYTE, dims.len() as u8];
        for d in dims {
            bytes.extend(d.to_be_bytes());
        }
        bytes.extend(values);
        bytes
    }

    fn read_idx_items(path: &Path, labels: Option<PathBuf>) -> Result<Items> {
        let options = ReadOptions {
            labels,
            ..ReadOptions::default()
        };
        read_items(path, Source::Idx, &options)
    }

    #[test]
    fn images_and_labels_round_trip_plain_and_gzipped() -> Result<()> {
        let dir = scratch()?;
        let pixels: Vec<u8> = (0..12).map(|i| i * 20).collect();
        let images = idx(&[2, 2, 3], &pixels);
        let labels = idx(&[2], &[7, 3]);
        for (name, images, labels) in [
            ("plain", images.clone(), labels.clone()),
            ("gzipped", gzip(&images), gzip(&labels)),
        ] {
            let path = put(dir.path(), &format!("{name}-images"), &images)?;
            let label_path = put(dir.path(), &format!("{name}-labels"), &labels)?;
            let items = read_idx_items(&path, Some(label_path))?;
            assert_eq!(items.values.dim(), (2, 6), "{name}");
            assert_eq!(items.shape, Some((2, 3)), "{name}");
            assert_eq!(items.ids, ["0", "1"], "{name}");
            assert_eq!(items.labels, ["7", "3"], "{name}");
            assert!(
                (items.values[[1, 5]] - 220.0 / 255.0).abs() < 1e-6,
                "{name}"
            );
            assert!(items.values.is_standard_layout());
        }
        Ok(())
    }

    #[test]
    fn two_dimensions_are_vectors_without_labels() -> Result<()> {
        let dir = scratch()?;
        let path = put(dir.path(), "vectors", &idx(&[3, 2], &[0, 255, 1, 2, 3, 4]))?;
        let items = read_idx_items(&path, None)?;
        assert_eq!(items.values.dim(), (3, 2));
        assert_eq!(items.shape, None);
        assert_eq!(items.labels, ["", "", ""]);
        assert!((items.values[[0, 1]] - 1.0).abs() < 1e-6);
        Ok(())
    }

    #[test]
    fn a_truncated_file_says_how_many_bytes_are_missing() -> Result<()> {
        let whole = idx(&[2, 2, 2], &[1; 8]);
        let cut = &whole[..whole.len() - 3];
        for bytes in [cut.to_vec(), gzip(cut)] {
            let message = input_message(parse_idx(&bytes, Path::new("cut.idx")));
            assert!(message.contains("is truncated"), "{message}");
            assert!(message.contains("2 × 2 × 2 = 8 values"), "{message}");
            assert!(message.contains("take 8 bytes, but only 5"), "{message}");
        }

        let message = input_message(parse_idx(&whole[..9], Path::new("cut.idx")));
        assert!(
            message.contains("its dimensions take 12 bytes, but only 5"),
            "{message}"
        );

        let dir = scratch()?;
        let path = put(dir.path(), "cut.idx", cut)?;
        let message = input_message(read_idx(&path));
        assert!(message.contains("take 8 bytes, but only 5"), "{message}");
        Ok(())
    }

    #[test]
    fn extra_bytes_are_an_error() {
        let mut bytes = idx(&[2], &[1, 2]);
        bytes.push(3);
        for bytes in [bytes.clone(), gzip(&bytes)] {
            let message = input_message(parse_idx(&bytes, Path::new("long.idx")));
            assert!(message.contains("longer than its header says"), "{message}");
        }
    }

    #[test]
    fn a_label_count_that_differs_names_both_files() -> Result<()> {
        let dir = scratch()?;
        let images = put(dir.path(), "images", &idx(&[2, 1, 1], &[0, 1]))?;
        let labels = put(dir.path(), "labels", &idx(&[3], &[0, 1, 2]))?;
        let result = read_idx_items(&images, Some(labels.clone()));
        let Err(error) = result else {
            panic!("three labels for two images must fail");
        };
        let message = error.to_string();
        assert!(
            message.starts_with(&labels.display().to_string()),
            "{message}"
        );
        assert!(message.contains("has 3 labels"), "{message}");
        assert!(
            message.contains(&format!("{} has 2 items", images.display())),
            "{message}"
        );

        let message = input_message(read_idx_items(&images, Some(images.clone())));
        assert!(message.contains("is not a label file"), "{message}");
        Ok(())
    }

    #[test]
    fn a_label_file_alone_says_to_pass_it_as_labels() -> Result<()> {
        let dir = scratch()?;
        let labels = put(dir.path(), "labels", &idx(&[2], &[0, 1]))?;
        let message = input_message(read_idx_items(&labels, None));
        assert!(
            message.contains("pass this file with --labels"),
            "{message}"
        );
        Ok(())
    }

    #[test]
    fn bad_magic_types_and_dimensions_are_errors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", "is not an IDX file"),
            (b"P5\n28 28\n", "is not an IDX file"),
            (&[0, 0, 0x42, 1, 0, 0, 0, 0], "type byte 0x42 is none"),
            (&[0, 0, 0x0D, 1, 0, 0, 0, 0], "type 32-bit float (0x0D)"),
            (&[0, 0, 8, 0], "has 0 dimensions"),
            (&[0, 0, 8, 4, 0, 0, 0, 1], "has 4 dimensions"),
            (b"\x1f\x8bnot gzip at all", "is not valid gzip"),
        ];
        for (bytes, expected) in cases {
            let message = input_message(parse_idx(bytes, Path::new("bad.idx")));
            assert!(message.contains(expected), "{bytes:?}: {message}");
        }
    }

    #[test]
    fn a_huge_promise_is_refused_before_allocating() {
        let bytes = idx(&[u32::MAX, u32::MAX, u32::MAX], &[]);
        let message = input_message(parse_idx(&bytes, Path::new("huge.idx")));
        assert!(message.contains("more than the 4294967296"), "{message}");

        // Under the cap but far more than the file holds: refused by length, not by memory.
        let bytes = gzip(&idx(&[1 << 16, 1 << 15], &[0; 16]));
        let message = input_message(parse_idx(&bytes, Path::new("big.idx")));
        assert!(message.contains("but only 16 are there"), "{message}");
    }

    #[test]
    fn no_items_is_an_error() -> Result<()> {
        let dir = scratch()?;
        let path = put(dir.path(), "empty", &idx(&[0, 28, 28], &[]))?;
        let message = input_message(read_idx_items(&path, None));
        assert!(
            message.contains("holds no values (dimensions 0 × 28 × 28)"),
            "{message}"
        );
        Ok(())
    }

    /// MNIST's training set, when the shared data sets are beside the repository.
    #[test]
    fn reads_mnist_training_images_and_labels() -> Result<()> {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mnist"));
        let images = dir.join("train-images-idx3-ubyte.gz");
        if !images.exists() {
            eprintln!("skipping: MNIST is not at {}", dir.display());
            return Ok(());
        }
        let items = read_idx_items(&images, Some(dir.join("train-labels-idx1-ubyte.gz")))?;
        assert_eq!(items.values.dim(), (60000, 784));
        assert_eq!(items.shape, Some((28, 28)));
        assert_eq!(items.labels[0], "5");
        assert_eq!(items.ids[59999], "59999");
        assert!(items.values.iter().all(|v| (0.0..=1.0).contains(v)));
        Ok(())
    }
}
