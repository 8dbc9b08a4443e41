//! Reading documents: directory trees, `.tar.gz` archives, JSON Lines, CSV and single files.
//!
//! Every command that reads documents goes through [`read`], so they all accept the same inputs
//! with the same options. Ids are unique within one read; labels come from folder names or from
//! the records' `label` / `labels` fields. Bytes become text through [`decode`], which never
//! fails: files that are empty or binary are skipped with a reason, files that are not valid
//! UTF-8 are read as Windows-1252 or Latin-1 and counted in [`ReadReport::lenient`]. Line
//! endings become `\n`. A document larger than [`ReadOptions::max_document_bytes`] is skipped
//! with a reason before its bytes are read, so one huge file never fills memory. A read that
//! finds no document at all is an error that says why.
//!
//! The readers live one per file: `tree` (directories), `archive` (`.tar.gz`), `records`
//! (JSON Lines and CSV); `collect` holds what they share.

mod archive;
mod collect;
mod decode;
pub mod idx;
pub mod items;
mod numbers;
mod pictures;
mod records;
mod tree;

use std::path::Path;

pub use collect::printable;
pub use decode::{Decoded, Encoding, decode};
pub use items::{Items, Source};

use crate::progress::Progress;
use crate::{Error, Result};
use collect::{Collector, Filter, Limited, Origin};

/// One document: its id, its labels (possibly none) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Unique within one read: a relative path, an archive member path or a record's `id`.
    pub id: String,
    /// The folder that holds the document, or the record's `label` / `labels`.
    pub labels: Vec<String>,
    /// The decoded text; never blank.
    pub text: String,
}

/// The most bytes one document may have unless [`ReadOptions`] says otherwise: 64 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Options shared by every reader.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Glob patterns an id must match to be read (all ids when empty).
    ///
    /// `*` and `?` do not match `/`; `**` does, so `20news-bydate-train/**` selects everything
    /// under that folder.
    pub include: Vec<String>,
    /// Glob patterns whose matching ids are left out.
    pub exclude: Vec<String>,
    /// Documents with more bytes than this are skipped with a reason, unread.
    ///
    /// For files and archive members the size is known before reading, and a file that grows
    /// while it is read is cut off one byte past the limit; for a record of a JSON Lines or CSV
    /// file it is the length of its `text`.
    pub max_document_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            include: Vec::new(),
            exclude: Vec::new(),
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }
}

/// A document that was passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The id the document would have had.
    pub id: String,
    /// Why it was passed over, such as `"empty"` or `"binary file: NUL bytes"`.
    pub reason: String,
}

/// What [`read`] found.
#[derive(Debug, Clone, Default)]
pub struct ReadReport {
    /// The documents, in the order of the input (sorted by path for directories).
    pub documents: Vec<Document>,
    /// Documents that were passed over, with the reason.
    pub skipped: Vec<Skipped>,
    /// Documents whose bytes were not valid UTF-8 and were decoded leniently (as Windows-1252,
    /// Latin-1, or damaged UTF-16); see [`Decoded::Text`].
    pub lenient: usize,
    /// Documents left out by [`ReadOptions::include`] / [`ReadOptions::exclude`].
    pub filtered: usize,
}

/// The kinds of input [`read`] understands, told apart by what the path is and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A directory tree: one document per regular file, labelled by its folder.
    Tree,
    /// A gzip-compressed tar archive (`.tar.gz`, `.tgz`): one document per regular member.
    Archive,
    /// JSON Lines (`.jsonl`, `.ndjson`): one object per line.
    JsonLines,
    /// CSV with a header (`.csv`).
    Csv,
    /// Any other file: one plain-text document.
    Text,
}

impl Format {
    /// The format of the existing file or directory `path`.
    pub fn of(path: &Path) -> Result<Format> {
        let metadata = std::fs::metadata(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::input(
                    path,
                    "does not exist; give a directory, a .tar.gz, .jsonl, .csv or text file",
                )
            } else {
                Error::io(path, e)
            }
        })?;
        if metadata.is_dir() {
            return Ok(Format::Tree);
        }
        if !metadata.is_file() {
            return Err(Error::input(
                path,
                "is neither a regular file nor a directory, so it cannot be read as documents",
            ));
        }

        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let format = if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Format::Archive
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            Format::JsonLines
        } else if name.ends_with(".csv") {
            Format::Csv
        } else {
            Format::Text
        };
        Ok(format)
    }
}

/// Reads every document under `path`.
///
/// `path` may be a directory, a `.tar.gz` / `.tgz` archive, a `.jsonl` / `.ndjson` or `.csv`
/// file, or any other file, which is one plain-text document named by its file name (see
/// [`Format`]). Documents whose id does not pass `options` are not read at all. Progress is
/// reported as one stage, `"reading"`.
///
/// # Errors
/// When `path` does not exist or cannot be read, when an archive is damaged or not gzip, when a
/// record is malformed, when two documents share an id, when a glob is invalid, and when no
/// document is found at all.
///
/// # Example
/// ```no_run
/// use std::path::Path;
/// use topics::corpus::{ReadOptions, read};
/// use topics::progress::Silent;
///
/// let options = ReadOptions {
///     include: vec!["20news-bydate-train/**".to_string()],
///     ..ReadOptions::default()
/// };
/// let report = read(Path::new("20news-bydate.tar.gz"), &options, &Silent)?;
/// println!("{} documents, {} skipped", report.documents.len(), report.skipped.len());
/// # Ok::<(), topics::Error>(())
/// ```
pub fn read(path: &Path, options: &ReadOptions, progress: &dyn Progress) -> Result<ReadReport> {
    let filter = Filter::new(options)?;
    let format = Format::of(path)?;
    tracing::debug!(path = %path.display(), ?format, "reading documents");
    match format {
        Format::Tree => tree::read(path, &filter, progress),
        Format::Archive => archive::read(path, &filter, progress),
        Format::JsonLines => records::read_json_lines(path, &filter, progress),
        Format::Csv => records::read_csv(path, &filter, progress),
        Format::Text => read_text_file(path, &filter, progress),
    }
}

/// Reads a single file as one document with no label, named by its file name.
fn read_text_file(path: &Path, filter: &Filter, progress: &dyn Progress) -> Result<ReadReport> {
    let id = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    let mut collector = Collector::new(path, filter, progress, 1);
    if collector.wants(&id) {
        let origin = Origin::File(format!("{:?}", path));
        // Unlike a file in a tree, the one file given cannot be passed over: its read error is
        // the command's error.
        match collect::read_limited(path, filter.max_bytes()).map_err(|e| Error::io(path, e))? {
            Limited::Bytes(bytes) => collector.add_bytes(id, Vec::new(), &bytes, origin)?,
            Limited::TooLarge(size) => collector.skip_too_large(id, size, origin)?,
        }
    }
    collector.finish("the text of this one file")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::progress::Silent;

    /// Reads `path` with the given include and exclude globs.
    pub(crate) fn read_with(path: &Path, include: &[&str], exclude: &[&str]) -> Result<ReadReport> {
        let options = ReadOptions {
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            ..ReadOptions::default()
        };
        read(path, &options, &Silent)
    }

    /// The message of an [`Error::Input`], failing the test on anything else.
    pub(crate) fn input_message(result: Result<ReadReport>) -> String {
        match result {
            Err(Error::Input { message, .. }) => message,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn formats_follow_the_path() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let cases = [
            ("a.tar.gz", Format::Archive),
            ("a.TGZ", Format::Archive),
            ("a.jsonl", Format::JsonLines),
            ("a.ndjson", Format::JsonLines),
            ("a.csv", Format::Csv),
            ("a.txt", Format::Text),
            ("README", Format::Text),
        ];
        for (name, format) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, "x").map_err(|e| Error::io(&path, e))?;
            assert_eq!(Format::of(&path)?, format, "{name}");
        }
        assert_eq!(Format::of(dir.path())?, Format::Tree);
        Ok(())
    }

    #[test]
    fn a_missing_path_says_it_does_not_exist() {
        let message = input_message(read_with(Path::new("/no/such/corpus"), &[], &[]));
        assert!(message.contains("does not exist"), "{message}");
    }

    #[test]
    fn a_single_file_is_one_unlabelled_document() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("note.txt");
        std::fs::write(&path, "space is big").map_err(|e| Error::io(&path, e))?;
        let report = read_with(&path, &[], &[])?;
        assert_eq!(
            report.documents,
            vec![Document {
                id: "note.txt".to_string(),
                labels: vec![],
                text: "space is big".to_string(),
            }]
        );
        Ok(())
    }

    #[test]
    fn a_single_binary_file_is_no_documents() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("image.png");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").map_err(|e| Error::io(&path, e))?;
        let message = input_message(read_with(&path, &[], &[]));
        assert!(message.contains("binary file: NUL bytes"), "{message}");
        Ok(())
    }
}
