//! The library's one error type.
//!
//! Every message names what went wrong (the file, the line, the value) and, where the user can do
//! something about it, says what to do. The binary adds context with `anyhow`; the library never
//! panics on bad input.

use std::path::{Path, PathBuf};

/// What can go wrong anywhere in `topics`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        /// Not a `source`: the message holds it, and the binary prints sources after it.
        error: std::io::Error,
    },

    /// Input that is there but cannot be used: the message says why and what to do.
    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },

    /// One line or record of a JSON Lines or CSV file is malformed.
    #[error("{}, line {line}: {message}", path.display())]
    Record {
        path: PathBuf,
        line: u64,
        message: String,
    },

    /// A setting that cannot be trained or used.
    #[error("invalid setting --{name} {value}: {message}")]
    Setting {
        name: &'static str,
        value: String,
        message: String,
    },

    /// The disk filled up (or the quota ran out) while a new index was written to `path`; the
    /// staging directory is removed and the index that was there is unchanged.
    #[error(
        "{}: {error}; free some space on that disk (or give --index a folder on another one) and \
         run the command again; the index that was there is unchanged",
        path.display()
    )]
    Full {
        path: PathBuf,
        /// Not a `source`: the message holds it, and the binary prints sources after it.
        error: std::io::Error,
    },

    /// An index directory that is missing, damaged or of another format version.
    #[error("index {}: {message}", path.display())]
    Index { path: PathBuf, message: String },

    /// A query that cannot be answered, such as one with no known word.
    #[error("{0}")]
    Query(String),

    /// A change to an index that cannot be made as asked; nothing was changed.
    #[error("{0}")]
    Change(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            error,
        }
    }

    /// An I/O error on `path` while a new index is staged beside the old one: a full disk (or
    /// quota) becomes [`Error::Full`], which says the old index is unchanged.
    pub fn staging(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        match source.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Error::Full {
                path: path.as_ref().to_path_buf(),
                error: source,
            },
            _ => Error::io(path, source),
        }
    }

    /// Unusable input at `path`.
    pub fn input(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.as_ref().to_path_buf(),
            message: message.into(),
        }
    }

    /// A malformed record at `line` (counted from 1) of `path`.
    pub fn record(path: impl AsRef<Path>, line: u64, message: impl Into<String>) -> Self {
        Error::Record {
            path: path.as_ref().to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// A setting `name` whose `value` cannot be used.
    pub fn setting(name: &'static str, value: impl ToString, message: impl Into<String>) -> Self {
        Error::Setting {
            name,
            value: value.to_string(),
            message: message.into(),
        }
    }

    /// A damaged, missing or foreign index at `path`.
    pub fn index(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::Index {
            path: path.as_ref().to_path_buf(),
            message: message.into(),
        }
    }
}
