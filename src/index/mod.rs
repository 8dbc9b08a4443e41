//! The index: a trained model with the codes and addresses of every indexed document.
//!
//! On disk an index is a directory (see [`store`]): configuration and vocabulary in JSON, the
//! network's weights in safetensors, codes and addresses in a compact binary file, document ids,
//! labels and first lines in JSON Lines, and a manifest with the format version and a SHA-256 of
//! every file. Rows of `codes`, `addresses` and `documents` correspond one to one.

mod formats;
pub mod lock;
pub mod store;
mod update;

pub use update::Added;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::corpus::Skipped;
use crate::hashing::words::Signature;
use crate::model::{Model, TrainingReport};
use crate::text::Terms;
use crate::topics::Topics;

/// Longest first line kept for display, in characters.
const TITLE_CHARS: usize = 160;

/// What the index keeps of a document besides its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub id: String,
    #[serde(default)]
    pub labels: Vec<String>,
    /// The first non-blank line of the text, shortened for display.
    #[serde(default)]
    pub title: String,
}

impl DocumentInfo {
    /// The info of a document with `id`, `labels` and `text`.
    pub fn new(id: &str, labels: &[String], text: &str) -> Self {
        DocumentInfo {
            id: id.to_string(),
            labels: labels.to_vec(),
            title: first_line(text),
        }
    }

    /// The labels joined by `|`, empty when there are none.
    pub fn label(&self) -> String {
        self.labels.join("|")
    }
}

/// The first non-blank line of `text`, trimmed and cut to [`TITLE_CHARS`] characters.
pub fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut title: String = line.chars().take(TITLE_CHARS).collect();
    if line.chars().count() > TITLE_CHARS {
        title.push('…');
    }
    title
}

/// How an index came to be, kept for `topics info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildReport {
    /// The path the documents were read from, as given.
    pub source: String,
    /// Documents read from the source.
    pub documents_read: usize,
    /// Documents left out, with the reason.
    pub skipped: Vec<SkippedDocument>,
    /// Documents whose bytes were decoded leniently (not UTF-8).
    pub lenient: usize,
    pub training: TrainingReport,
    /// Documents added by `topics add` since the build.
    #[serde(default)]
    pub added: usize,
    /// Documents removed by `topics remove` since the build.
    #[serde(default)]
    pub removed: usize,
    /// Wall time of the whole build, in seconds.
    pub seconds: f64,
}

/// A skipped document, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedDocument {
    pub id: String,
    pub reason: String,
}

impl From<&Skipped> for SkippedDocument {
    fn from(s: &Skipped) -> Self {
        SkippedDocument {
            id: s.id.clone(),
            reason: s.reason.clone(),
        }
    }
}

/// A model and the codes of the documents it indexes.
#[derive(Debug)]
pub struct Index {
    pub model: Model,
    pub documents: Vec<DocumentInfo>,
    /// Shape `(documents, code)`.
    pub codes: Array2<f32>,
    pub addresses: Vec<u64>,
    /// The indexed documents counted over every stem of the corpus, for lexical search.
    pub terms: Terms,
    /// The corpus's topics, when they were computed.
    pub topics: Option<Topics>,
    /// Each document's word signature for near-duplicate checks; empty for an index built
    /// before they were kept.
    pub signatures: Vec<Signature>,
    pub report: BuildReport,
    /// Which files were read: an index read in part ([`store::Parts::Codes`]) has empty terms
    /// and signatures, and `store::save` refuses it.
    pub parts: store::Parts,
}

impl Index {
    /// The number of indexed documents.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The row of the document with `id`.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.documents.iter().position(|d| d.id == id)
    }

    /// The topic of the document at `row`, when the index has topics.
    pub fn topic_of(&self, row: usize) -> Option<u32> {
        self.topics
            .as_ref()
            .and_then(|t| t.assignments.get(row).copied())
    }
}
