//! Reading documents: directory trees, `.tar.gz` archives, JSON Lines, CSV and single files.
//!
//! Every command that reads documents goes through [`read`], so they all accept the same inputs
//! with the same options. Ids are unique within one read; labels come from folder names or from
//! the records' `label` / `labels` fields.

use std::path::Path;

use crate::Result;
use crate::progress::Progress;

/// One document: its id, its labels (possibly none) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub labels: Vec<String>,
    pub text: String,
}

/// Options shared by every reader.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Glob patterns an id must match to be read (all ids when empty).
    pub include: Vec<String>,
    /// Glob patterns whose matching ids are left out.
    pub exclude: Vec<String>,
}

/// A document that was passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub id: String,
    pub reason: String,
}

/// What [`read`] found.
#[derive(Debug, Clone, Default)]
pub struct ReadReport {
    pub documents: Vec<Document>,
    pub skipped: Vec<Skipped>,
    /// Documents whose bytes were not valid UTF-8 and were decoded leniently.
    pub lenient: usize,
}

/// Reads every document under `path`.
pub fn read(path: &Path, options: &ReadOptions, progress: &dyn Progress) -> Result<ReadReport> {
    todo!()
}
