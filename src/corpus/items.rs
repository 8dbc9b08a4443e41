//! Reading dense items: IDX files (the MNIST format), folders of images and CSV files of numbers.
//!
//! Where [`crate::corpus::read`] yields documents to be tokenized, [`read`] here yields one row
//! of real numbers per item, ready for an autoencoder with real-valued visible units. Every read
//! keeps the same invariants: `ids`, `labels` and the rows of `values` are equally many and in the
//! order of the input; `values` is in standard layout with no NaN or infinity; ids are unique.
//! [`detect`] tells which reader a path wants by looking at its first bytes only, and says
//! `None` for anything that is documents.
//!
//! The readers live one per file: `idx`, `pictures` and `numbers`.

use std::io::Read;
use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::decode::{Decoded, decode};
use super::{Skipped, idx, numbers, pictures, tree};
use crate::{Error, Result};

pub use pictures::read_picture;

/// What kind of input a path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An IDX file of unsigned bytes, gzipped or not: images `(count, rows, cols)` or vectors
    /// `(count, width)`.
    Idx,
    /// A folder of PNG and JPEG images, labelled by the folder that holds each.
    Pictures,
    /// A CSV file with one row of numbers per item, optionally with `id` and `label` columns.
    Numbers,
}

/// Dense items read from IDX files, a folder of images or a CSV of numbers.
#[derive(Debug, Clone)]
pub struct Items {
    /// One per row, unique: the row number for IDX and CSV without an `id` column, the path
    /// below the folder for pictures.
    pub ids: Vec<String>,
    /// One per row; `""` when the item has no label.
    pub labels: Vec<String>,
    /// Shape `(items, features)`, standard layout; pixels are intensities in `[0, 1]`.
    pub values: Array2<f32>,
    /// `(height, width)` when the items are images, whose rows of pixels are laid end to end.
    pub shape: Option<(usize, usize)>,
    /// Pictures that could not be decoded, with the reason; always empty for IDX and CSV, where
    /// a bad item is an error.
    pub skipped: Vec<Skipped>,
    /// Which reader made these items.
    pub source: Source,
}

/// The size pictures are resized to unless [`ReadOptions`] says otherwise: MNIST's 28 × 28.
pub const DEFAULT_PICTURE_SIZE: (usize, usize) = (28, 28);

/// Options for [`read`].
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// An IDX file of labels (one dimension, unsigned bytes) for the items of an IDX file.
    pub labels: Option<PathBuf>,
    /// `(height, width)` pictures are resized to; ignored for IDX and CSV.
    pub size: (usize, usize),
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            labels: None,
            size: DEFAULT_PICTURE_SIZE,
        }
    }
}

/// How much of a CSV file [`detect`] looks at.
const DETECT_CSV_BYTES: u64 = 256 * 1024;

/// Pictures must be at least this share of a folder's regular files for it to be [`Source::Pictures`].
const PICTURE_SHARE: f64 = 0.9;

/// Some(source) when `path` holds images or numeric vectors, None when it is text (documents).
///
/// The rules, cheapest first:
/// - A directory is [`Source::Pictures`] when it holds at least one `.png`, `.jpg` or `.jpeg`
///   file and such files are at least 90% of its regular files (hidden ones not counted), so a
///   `README.md` or `LICENSE` beside the images does not matter. Only names are looked at.
/// - A file whose first bytes, after un-gzipping when it starts with the gzip magic `1f 8b`,
///   are an IDX magic (`00 00`, a type byte, 1 to 3 dimensions) is [`Source::Idx`]. A label file
///   is too; [`read`] then says to pass it as the labels.
/// - A single PNG or JPEG file is an error: images are read from a folder.
/// - A `.csv` file whose first row has a `text` column is documents (`None`). Otherwise, when
///   every cell of its first data row that is not in an `id` or `label` column is a number, and
///   there is at least one such cell, it is [`Source::Numbers`]. The first row is a header when
///   any cell of it is not a number. At most the first 256 KiB are read.
/// - Anything else is `None`.
///
/// # Errors
/// When `path` does not exist or cannot be read, and when it is a single image file.
pub fn detect(path: &Path) -> Result<Option<Source>> {
    let metadata = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::input(
                path,
                "does not exist; give an IDX file, a folder of images or a CSV",
            )
        } else {
            Error::io(path, e)
        }
    })?;
    if metadata.is_dir() {
        return detect_folder(path);
    }

    if idx::has_magic(path)? {
        return Ok(Some(Source::Idx));
    }
    if pictures::is_picture_name(path) || pictures::has_picture_magic(path)? {
        return Err(Error::input(
            path,
            "is a single image; put the images in a folder (one subfolder per label, if they \
             have labels) and give the folder",
        ));
    }
    let is_csv = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
    if is_csv && csv_is_numbers(path)? {
        return Ok(Some(Source::Numbers));
    }
    Ok(None)
}

/// Pictures when at least [`PICTURE_SHARE`] of the folder's regular files are images.
fn detect_folder(path: &Path) -> Result<Option<Source>> {
    let (mut pictures, mut files) = (0usize, 0usize);
    for found in tree::walk(path)? {
        if let tree::Found::File { entry, .. } = found {
            files += 1;
            pictures += usize::from(pictures::is_picture_name(entry.path()));
        }
    }
    tracing::debug!(path = %path.display(), pictures, files, "looked for pictures");
    let mostly_pictures = pictures > 0 && pictures as f64 >= PICTURE_SHARE * files as f64;
    Ok(mostly_pictures.then_some(Source::Pictures))
}

/// Whether the start of a CSV file looks like rows of numbers rather than documents.
fn csv_is_numbers(path: &Path) -> Result<bool> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut start = Vec::new();
    file.take(DETECT_CSV_BYTES)
        .read_to_end(&mut start)
        .map_err(|e| Error::io(path, e))?;
    let Decoded::Text { text, .. } = decode(&start) else {
        return Ok(false);
    };

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records().map_while(|row| row.ok());
    let Some(first) = rows.next() else {
        return Ok(false);
    };
    if first
        .iter()
        .any(|cell| cell.trim().eq_ignore_ascii_case("text"))
    {
        return Ok(false);
    }
    if numbers::all_numbers(first.iter()) {
        return Ok(true);
    }
    let Some(data) = rows.next() else {
        return Ok(false);
    };
    let columns = numbers::Columns::of_header(&first);
    let cells: Vec<&str> = columns.numeric_cells(&data).collect();
    Ok(!cells.is_empty() && numbers::all_numbers(cells.into_iter()))
}

/// Reads the items at `path` as `source` says (see [`detect`]).
///
/// # Errors
/// When `path` cannot be read or is malformed for its source (the message names the file, the
/// line or byte count, and what to do), when `options.labels` is given for anything but IDX,
/// when `options.size` has a zero or is too large, and when no item is found.
///
/// # Example
/// ```no_run
/// use std::path::{Path, PathBuf};
/// use topics::corpus::items::{ReadOptions, Source, read};
///
/// let options = ReadOptions {
///     labels: Some(PathBuf::from("train-labels-idx1-ubyte.gz")),
///     ..ReadOptions::default()
/// };
/// let items = read(Path::new("train-images-idx3-ubyte.gz"), Source::Idx, &options)?;
/// assert_eq!(items.values.ncols(), 28 * 28);
/// # Ok::<(), topics::Error>(())
/// ```
pub fn read(path: &Path, source: Source, options: &ReadOptions) -> Result<Items> {
    if let (Some(labels), false) = (&options.labels, source == Source::Idx) {
        return Err(Error::input(
            labels,
            "a label file goes only with IDX images; pictures take their labels from their \
             folders and a CSV from its `label` column",
        ));
    }
    tracing::debug!(path = %path.display(), ?source, "reading items");
    let items = match source {
        Source::Idx => idx::read(path, options.labels.as_deref())?,
        Source::Pictures => pictures::read(path, options.size)?,
        Source::Numbers => numbers::read(path)?,
    };
    tracing::info!(
        path = %path.display(),
        items = items.values.nrows(),
        features = items.values.ncols(),
        skipped = items.skipped.len(),
        "read items"
    );
    Ok(items)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes `contents` to `name` under `dir`, making its folders.
    pub(crate) fn put(dir: &Path, name: &str, contents: &[u8]) -> Result<PathBuf> {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, contents).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// A fresh temporary directory.
    pub(crate) fn scratch() -> Result<tempfile::TempDir> {
        tempfile::tempdir().map_err(|e| Error::io("tempdir", e))
    }

    /// The message of an [`Error::Input`], failing the test on anything else.
    pub(crate) fn input_message<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Err(Error::Input { message, .. }) => message,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    /// `bytes`, gzipped.
    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).expect("gzip into memory");
        gz.finish().expect("gzip into memory")
    }

    /// A picture of `width` × `height` grey pixels, all `value`, encoded as `format`.
    pub(crate) fn encoded(
        format: image::ImageFormat,
        width: u32,
        height: u32,
        value: u8,
    ) -> Vec<u8> {
        let picture = image::GrayImage::from_pixel(width, height, image::Luma([value]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        picture
            .write_to(&mut bytes, format)
            .expect("a picture encodes into memory");
        bytes.into_inner()
    }

    /// A PNG of `width` × `height` grey pixels, all `value`.
    pub(crate) fn png(width: u32, height: u32, value: u8) -> Vec<u8> {
        encoded(image::ImageFormat::Png, width, height, value)
    }

    #[test]
    fn detect_tells_each_kind() -> Result<()> {
        let dir = scratch()?;
        let idx = put(
            dir.path(),
            "images.idx",
            &[0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1],
        )?;
        let labels = put(dir.path(), "labels.idx", &[0, 0, 8, 1, 0, 0, 0, 0])?;
        let numbers = put(dir.path(), "v.csv", b"id,x,y,label\na,1,2.5,p\n")?;
        let bare = put(dir.path(), "bare.csv", b"1,2,3\n4,5,6\n")?;
        let documents = put(dir.path(), "d.csv", b"id,text\n1,hello\n")?;
        let words = put(dir.path(), "w.csv", b"id,name\n1,hello\n")?;
        let note = put(dir.path(), "note.txt", b"just words")?;
        let photo = put(dir.path(), "photo.png", &png(2, 2, 9))?;
        assert_eq!(detect(&idx)?, Some(Source::Idx));
        assert_eq!(detect(&labels)?, Some(Source::Idx));
        assert_eq!(detect(&numbers)?, Some(Source::Numbers));
        assert_eq!(detect(&bare)?, Some(Source::Numbers));
        assert_eq!(detect(&documents)?, None);
        assert_eq!(detect(&words)?, None);
        assert_eq!(detect(&note)?, None);
        let message = input_message(detect(&photo));
        assert!(message.contains("put the images in a folder"), "{message}");
        Ok(())
    }

    #[test]
    fn detect_tells_picture_folders_from_text_folders() -> Result<()> {
        let pictures = scratch()?;
        for i in 0..9 {
            put(pictures.path(), &format!("a/{i}.PNG"), &png(2, 2, 9))?;
        }
        put(pictures.path(), "README.md", b"nine pictures")?;
        assert_eq!(detect(pictures.path())?, Some(Source::Pictures));

        put(pictures.path(), "b/notes.txt", b"one file too many")?;
        assert_eq!(detect(pictures.path())?, None);

        let text = scratch()?;
        put(text.path(), "sci.space/1", b"orbit")?;
        put(text.path(), "sci.space/2", b"rocket")?;
        assert_eq!(detect(text.path())?, None);
        assert_eq!(detect(scratch()?.path())?, None, "an empty folder");
        Ok(())
    }

    #[test]
    fn detect_sees_through_gzip() -> Result<()> {
        let dir = scratch()?;
        let bytes = gzip(&[0, 0, 8, 1, 0, 0, 0, 0]);
        let path = put(dir.path(), "labels.gz", &bytes)?;
        assert_eq!(detect(&path)?, Some(Source::Idx));

        let text = put(dir.path(), "text.gz", b"\x1f\x8bnot really gzip")?;
        assert_eq!(detect(&text)?, None);
        Ok(())
    }

    #[test]
    fn a_missing_path_says_it_does_not_exist() {
        let message = input_message(detect(Path::new("/no/such/items")));
        assert!(message.contains("does not exist"), "{message}");
    }

    #[test]
    fn labels_go_only_with_idx() -> Result<()> {
        let dir = scratch()?;
        let path = put(dir.path(), "v.csv", b"1,2\n")?;
        let options = ReadOptions {
            labels: Some(dir.path().join("labels.idx")),
            ..ReadOptions::default()
        };
        let message = input_message(read(&path, Source::Numbers, &options));
        assert!(message.contains("only with IDX"), "{message}");
        Ok(())
    }
}
