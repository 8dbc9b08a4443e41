//! Writing, loading and verifying an index directory.
//!
//! Files: `manifest.json` (format name and version, and the size and SHA-256 of every other
//! file), `config.json` (settings, network layout, address thresholds, build report),
//! `vocabulary.json`, `model.safetensors` (weights, readable from Python), `codes.bin`,
//! `documents.jsonl`, and the documents' counts over every stem of the corpus for lexical
//! search (`terms.json`, `terms.bin`), the corpus's topics (`topics.json`) and each document's
//! word signature (`words.bin`); the last two are optional.
//!
//! An index is written to a staging directory beside its destination (`.NAME.staging-XXXXXX`,
//! see [`super::lock`]) and exchanged with the old one in one step, so an interrupted write
//! never leaves a half-written index, and a directory that is not an index is never replaced.
//! Loading checks every checksum and every length before it trusts the contents; the binary
//! files' own layouts and checks are in `formats`.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use super::lock::{Lock, lock};
use super::lock::{old_dir, parent_made, staging_dir};
use super::{BuildReport, DocumentInfo, Index};
use crate::model::Model;
use crate::settings::Settings;
use crate::text::{Terms, Vocabulary};
use crate::topics::Topics;
use crate::{Error, Result};
use sprs::CsMat;

pub(crate) use super::formats::{
    NetworkLayout, check_finite, codes_bytes, f32_bytes, read_codes, read_tensor, read_weights,
    weights_bytes,
};
use super::formats::{csr_bytes, read_csr, read_signatures, signature_bytes};

/// The format name in every manifest.
pub const FORMAT: &str = "topics-index";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

const MANIFEST: &str = "manifest.json";
const CONFIG: &str = "config.json";
const VOCABULARY: &str = "vocabulary.json";
pub(crate) const WEIGHTS: &str = "model.safetensors";
const CODES: &str = "codes.bin";
const DOCUMENTS: &str = "documents.jsonl";
const TERM_STEMS: &str = "terms.json";
const TERM_COUNTS: &str = "terms.bin";
const TOPICS: &str = "topics.json";
const WORDS: &str = "words.bin";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    /// What the index holds; indexes from before images were supported hold documents.
    #[serde(default)]
    kind: Kind,
    written_by: String,
    files: Vec<FileEntry>,
}

/// What an index holds: documents (text) or dense items (images, vectors).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Documents,
    Vectors,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Documents => "documents",
            Kind::Vectors => "images or vectors",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    name: String,
    bytes: u64,
    sha256: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Config {
    settings: Settings,
    network: NetworkLayout,
    thresholds: Vec<f32>,
    query_length: f32,
    report: BuildReport,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `dir` holds an index manifest.
pub fn is_index(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// Writes `index` to `dir` atomically, replacing an index already there.
///
/// A `dir` that exists, is not empty and is not an index is left alone: that is an error.
pub fn save(index: &Index, dir: &Path) -> Result<()> {
    if index.parts != Parts::All {
        return Err(Error::index(
            dir,
            "was read without its terms and signatures, so it cannot be written back; \
             this is a bug in topics: please report it",
        ));
    }
    check_finite(
        &index.model.network,
        index.codes.view(),
        index.model.settings.finetune_rate,
        dir,
    )?;
    let mut files = vec![
        (CONFIG, config_bytes(index)?),
        (VOCABULARY, json_bytes(&index.model.vocabulary, VOCABULARY)?),
        (WEIGHTS, weights_bytes(&index.model.network)?),
        (
            CODES,
            codes_bytes(&index.codes, &index.addresses, index.model.address_bits()),
        ),
        (DOCUMENTS, documents_bytes(&index.documents)?),
        (TERM_STEMS, json_bytes(&index.terms.vocabulary, TERM_STEMS)?),
        (TERM_COUNTS, csr_bytes(&index.terms.counts)),
    ];
    if let Some(topics) = &index.topics {
        files.push((TOPICS, json_bytes(topics, TOPICS)?));
    }
    if !index.signatures.is_empty() {
        files.push((WORDS, signature_bytes(&index.signatures)));
    }
    write_files(dir, Kind::Documents, &files)
}

/// Writes an index of `kind` made of `files` (name, bytes) and its manifest to `dir`
/// atomically: staged in a temporary directory beside it, then swapped into place.
pub(crate) fn write_files(dir: &Path, kind: Kind, files: &[(&str, Vec<u8>)]) -> Result<()> {
    if dir.exists() && !is_index(dir) {
        let empty = fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .next()
            .is_none();
        if !empty {
            return Err(Error::index(
                dir,
                "exists and is not a topics index; refusing to replace it (choose another --index)",
            ));
        }
    }
    let parent = parent_made(dir)?;
    let staging = staging_dir(dir, &parent)?;

    let mut entries = Vec::new();
    for (name, bytes) in files {
        write_synced(&staging.path().join(name), bytes)?;
        entries.push(FileEntry {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
    }
    let manifest = Manifest {
        format: FORMAT.to_string(),
        version: VERSION,
        kind,
        written_by: format!("topics {}", env!("CARGO_PKG_VERSION")),
        files: entries,
    };
    write_synced(
        &staging.path().join(MANIFEST),
        &json_bytes(&manifest, MANIFEST)?,
    )?;

    crate::files::make_readable(staging.path()).map_err(|e| Error::io(staging.path(), e))?;
    // The staging directory's entries reach the disk before it becomes the index, so that a
    // power cut after the exchange cannot leave an index with files missing.
    sync_dir(staging.path()).map_err(|e| Error::staging(staging.path(), e))?;
    let staged = staging.keep();
    let result = swap_into_place(&staged, dir, &parent);
    if result.is_err() {
        let _ = fs::remove_dir_all(&staged);
    }
    result
}

/// Puts `staged` in the place of `dir`. Where the system can exchange two directories in one
/// step (Linux), a reader finds either the old index or the new one at `dir`, never nothing;
/// elsewhere the old one is moved aside first.
fn swap_into_place(staged: &Path, dir: &Path, parent: &Path) -> Result<()> {
    if dir.exists() {
        if exchange(staged, dir) {
            // `staged` now holds the old index.
            fs::remove_dir_all(staged).map_err(|e| Error::io(staged, e))?;
        } else {
            let old = old_dir(dir, parent);
            fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
            if let Err(e) = fs::rename(staged, dir) {
                let _ = fs::rename(&old, dir);
                return Err(Error::io(dir, e));
            }
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
    } else {
        fs::rename(staged, dir).map_err(|e| Error::io(dir, e))?;
    }
    // The index is in place; a failure to make that durable is not worth failing for.
    let _ = sync_dir(parent);
    Ok(())
}

/// Flushes the entries of the directory `dir` to disk. Where a directory cannot be opened as a
/// file (Windows), there is nothing to flush, and that is not an error.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    match fs::File::open(dir) {
        Ok(handle) => handle.sync_all(),
        Err(_) => Ok(()),
    }
}

/// Exchanges the directories `a` and `b` atomically; false where that cannot be done.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs::File::create(path).map_err(|e| Error::staging(path, e))?;
    file.write_all(bytes).map_err(|e| Error::staging(path, e))?;
    file.sync_all().map_err(|e| Error::staging(path, e))
}

pub(crate) fn json_bytes<T: Serialize>(value: &T, name: &str) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(value)
        .map_err(|e| Error::index(name, format!("cannot serialize: {e}")))
}

fn config_bytes(index: &Index) -> Result<Vec<u8>> {
    let network = &index.model.network;
    let config = Config {
        settings: index.model.settings.clone(),
        network: NetworkLayout::of(network),
        thresholds: index.model.thresholds.clone(),
        query_length: index.model.query_length,
        report: index.report.clone(),
    };
    json_bytes(&config, CONFIG)
}

fn documents_bytes(documents: &[DocumentInfo]) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for document in documents {
        serde_json::to_writer(&mut bytes, document)
            .map_err(|e| Error::index(DOCUMENTS, format!("cannot serialize: {e}")))?;
        bytes.push(b'\n');
    }
    Ok(bytes)
}

/// Loads the index in `dir`, verifying the manifest, every checksum and every length.
pub fn load(dir: &Path) -> Result<Index> {
    load_parts(dir, Parts::All)
}

/// The parts of an index a command reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    /// Every file.
    All,
    /// All but the counts of every stem and the word signatures, which only lexical ranking,
    /// near-duplicates and writing need: enough to encode and rank by code, in a fraction of
    /// the time. The files left out are not read, so not verified either.
    Codes,
}

impl Parts {
    fn wants(self, name: &str) -> bool {
        self == Parts::All || ![TERM_STEMS, TERM_COUNTS, WORDS].contains(&name)
    }
}

/// [`load`], reading only `parts`.
pub fn load_parts(dir: &Path, parts: Parts) -> Result<Index> {
    // A writer may replace the index while it is read: a file then fails the checksum of the
    // manifest read before it. Read again while the manifest keeps changing under us.
    let mut attempt = 0;
    loop {
        let manifest = fs::read(dir.join(MANIFEST)).ok();
        match load_once(dir, parts) {
            Err(Error::Index { .. })
                if attempt < 5 && fs::read(dir.join(MANIFEST)).ok() != manifest =>
            {
                attempt += 1;
                tracing::debug!(
                    "{}: replaced while being read; reading it again",
                    dir.display()
                );
            }
            result => return result,
        }
    }
}

fn load_once(dir: &Path, parts: Parts) -> Result<Index> {
    let files = IndexFiles::open_some(dir, Kind::Documents, |name| parts.wants(name))?;
    let file = |name: &str| files.get(name);
    let damaged = |name: &str, what: String| files.damaged(name, what);

    let config: Config = files.json(CONFIG)?;
    let mut vocabulary: Vocabulary = files.json(VOCABULARY)?;
    vocabulary.rebuild_lookup();
    let network =
        read_weights(file(WEIGHTS)?, &config.network).map_err(|what| damaged(WEIGHTS, what))?;
    if network.inputs() != vocabulary.len() {
        return Err(damaged(
            WEIGHTS,
            format!(
                "takes {} inputs but the vocabulary has {} stems",
                network.inputs(),
                vocabulary.len()
            ),
        ));
    }
    let (codes, addresses) =
        read_codes(file(CODES)?, network.code_width()).map_err(|what| damaged(CODES, what))?;
    let documents = read_documents(file(DOCUMENTS)?).map_err(|what| damaged(DOCUMENTS, what))?;
    if documents.len() != codes.nrows() {
        return Err(damaged(
            DOCUMENTS,
            format!(
                "lists {} documents but codes.bin holds {}",
                documents.len(),
                codes.nrows()
            ),
        ));
    }
    let terms = match parts {
        Parts::All => {
            let mut term_stems: Vocabulary = files.json(TERM_STEMS)?;
            term_stems.rebuild_lookup();
            let term_counts = read_csr(file(TERM_COUNTS)?, documents.len(), term_stems.len())
                .map_err(|what| damaged(TERM_COUNTS, what))?;
            Terms {
                vocabulary: term_stems,
                counts: term_counts,
            }
        }
        Parts::Codes => Terms {
            vocabulary: Vocabulary::default(),
            counts: CsMat::zero((documents.len(), 0)),
        },
    };
    let topics = match files.optional(TOPICS) {
        None => None,
        Some(_) => {
            let topics: Topics = files.json(TOPICS)?;
            check_topics(&topics, documents.len(), codes.ncols())
                .map_err(|what| damaged(TOPICS, what))?;
            Some(topics)
        }
    };
    let signatures = match files.optional(WORDS) {
        None => Vec::new(),
        Some(bytes) => {
            read_signatures(bytes, documents.len()).map_err(|what| damaged(WORDS, what))?
        }
    };
    let model = Model::from_parts(
        config.settings,
        vocabulary,
        network,
        config.thresholds,
        config.query_length,
    );
    Ok(Index {
        terms,
        topics,
        signatures,
        model,
        documents,
        codes,
        addresses,
        report: config.report,
        parts,
    })
}

/// The verified files of an index, handing out their bytes with errors that name the file.
pub(crate) struct IndexFiles<'a> {
    dir: &'a Path,
    files: HashMap<String, Vec<u8>>,
}

impl<'a> IndexFiles<'a> {
    /// Checks the manifest of the index at `dir`, which must hold `kind`, and every file.
    pub(crate) fn open(dir: &'a Path, kind: Kind) -> Result<Self> {
        Self::open_some(dir, kind, |_| true)
    }

    /// [`IndexFiles::open`] reading and checking only the files `wanted` names.
    pub(crate) fn open_some(
        dir: &'a Path,
        kind: Kind,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<Self> {
        Ok(IndexFiles {
            dir,
            files: verified_files_of(dir, Some(kind), wanted)?,
        })
    }

    /// The bytes of `name`, which the manifest must list.
    pub(crate) fn get(&self, name: &str) -> Result<&[u8]> {
        self.optional(name).ok_or_else(|| {
            Error::index(
                self.dir,
                format!("the manifest lists no {name}: rebuild the index"),
            )
        })
    }

    /// The bytes of `name`, when the manifest lists it.
    pub(crate) fn optional(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// `name` parsed as JSON.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T> {
        serde_json::from_slice(self.get(name)?)
            .map_err(|e| self.damaged(name, format!("cannot be read: {e}")))
    }

    /// The error for file `name`, whose contents are wrong as `what` says.
    pub(crate) fn damaged(&self, name: &str, what: String) -> Error {
        Error::index(self.dir.join(name), format!("{what}; rebuild the index"))
    }
}

/// Whether `topics` fits an index of `documents` codes of width `width`.
fn check_topics(
    topics: &Topics,
    documents: usize,
    width: usize,
) -> std::result::Result<(), String> {
    if topics.assignments.len() != documents {
        return Err(format!(
            "assigns {} documents but the index holds {documents}",
            topics.assignments.len()
        ));
    }
    if topics.centres.len() != topics.topics.len()
        || topics.centres.iter().any(|c| c.len() != width)
    {
        return Err("has centres that do not fit the topics or the codes".to_string());
    }
    let k = topics.topics.len() as u32;
    if let Some(bad) = topics.assignments.iter().find(|&&a| a >= k) {
        return Err(format!("assigns topic {bad} of only {k}"));
    }
    if topics
        .topics
        .iter()
        .any(|t| t.documents.iter().any(|&row| row >= documents) || t.words.len() != t.stems.len())
    {
        return Err("names a typical document or word that does not exist".to_string());
    }
    Ok(())
}

/// What the index at `dir` holds, from its manifest.
pub fn kind(dir: &Path) -> Result<Kind> {
    Ok(read_manifest(dir)?.kind)
}

/// Checks the manifest and every file it lists; returns the files' bytes by name.
pub fn verified_files(dir: &Path) -> Result<HashMap<String, Vec<u8>>> {
    verified_files_of(dir, None, |_| true)
}

/// [`verified_files`] of an index that must hold `kind`, when given.
pub(crate) fn verified_files_of(
    dir: &Path,
    kind: Option<Kind>,
    wanted: impl Fn(&str) -> bool,
) -> Result<HashMap<String, Vec<u8>>> {
    let manifest = read_manifest(dir)?;
    if let Some(kind) = kind
        && manifest.kind != kind
    {
        return Err(Error::index(
            dir,
            format!(
                "holds {}, not {}: this command needs an index of {}",
                manifest.kind.noun(),
                kind.noun(),
                kind.noun()
            ),
        ));
    }
    let mut files = HashMap::new();
    for entry in manifest.files.into_iter().filter(|e| wanted(&e.name)) {
        let bytes = checked_file(dir, &entry)?;
        files.insert(entry.name, bytes);
    }
    Ok(files)
}

/// The manifest of the index at `dir`, once its format and version are ones this reads.
fn read_manifest(dir: &Path) -> Result<Manifest> {
    if !dir.is_dir() {
        return Err(Error::index(
            dir,
            "does not exist or is not a directory: build one with `topics build PATH` or point --index at one",
        ));
    }
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.is_file() {
        return Err(Error::index(
            dir,
            "is not a topics index (it has no manifest.json)",
        ));
    }
    let bytes = fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| Error::index(&manifest_path, format!("is damaged: {e}")))?;
    if manifest.format != FORMAT {
        return Err(Error::index(
            &manifest_path,
            format!("is of format {:?}, not {FORMAT}", manifest.format),
        ));
    }
    if manifest.version > VERSION {
        return Err(Error::index(
            dir,
            format!(
                "was written by a newer topics ({}, format {}); this one reads format {VERSION}: upgrade topics",
                manifest.written_by, manifest.version
            ),
        ));
    }
    if manifest.version < VERSION {
        return Err(Error::index(
            dir,
            format!(
                "has the old format {}; rebuild it with this topics",
                manifest.version
            ),
        ));
    }
    Ok(manifest)
}

/// The bytes of the file `entry` names, once its size and checksum match the manifest's.
fn checked_file(dir: &Path, entry: &FileEntry) -> Result<Vec<u8>> {
    if entry.name.contains(['/', '\\']) || entry.name.starts_with('.') {
        return Err(Error::index(
            dir.join(MANIFEST),
            format!("names an odd file {:?}", entry.name),
        ));
    }
    let path = dir.join(&entry.name);
    let bytes = fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::index(&path, "is missing; rebuild the index"),
        _ => Error::io(&path, e),
    })?;
    if bytes.len() as u64 != entry.bytes {
        return Err(Error::index(
            &path,
            format!(
                "has {} bytes, the manifest says {}: it is truncated or damaged; rebuild the index",
                bytes.len(),
                entry.bytes
            ),
        ));
    }
    if sha256_hex(&bytes) != entry.sha256 {
        return Err(Error::index(
            &path,
            "fails its checksum: it is damaged; rebuild the index",
        ));
    }
    Ok(bytes)
}

/// The name and size in bytes of every file the manifest of the index at `dir` lists.
pub fn file_sizes(dir: &Path) -> Result<Vec<(String, u64)>> {
    Ok(read_manifest(dir)?
        .files
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect())
}

/// One file's verdict from [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub name: String,
    pub bytes: u64,
    /// What is wrong with it, or `None` when its size, checksum and contents check out.
    pub problem: Option<String>,
}

/// Checks every file of the index at `dir` and what they hold together, going on past the
/// first problem. The manifest itself must be readable; then each listed file gets a verdict,
/// and when every file is sound, loading the whole index checks that they agree.
pub fn verify(dir: &Path) -> Result<Vec<FileCheck>> {
    let manifest = read_manifest(dir)?;
    let mut checks: Vec<FileCheck> = manifest
        .files
        .iter()
        .map(|entry| FileCheck {
            name: entry.name.clone(),
            bytes: entry.bytes,
            problem: checked_file(dir, entry).err().map(|e| e.to_string()),
        })
        .collect();
    let together = || match manifest.kind {
        Kind::Documents => load(dir).map(|_| ()),
        Kind::Vectors => crate::vectors::VectorIndex::load(dir).map(|_| ()),
    };
    if checks.iter().all(|c| c.problem.is_none())
        && let Err(e) = together()
    {
        checks.push(FileCheck {
            name: "(the files together)".to_string(),
            bytes: 0,
            problem: Some(e.to_string()),
        });
    }
    Ok(checks)
}

fn read_documents(bytes: &[u8]) -> std::result::Result<Vec<DocumentInfo>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("is not UTF-8: {e}"))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::autoencoder::Autoencoder;
    use crate::index::formats::CODES_HEADER;
    use crate::rbm::{Hidden, Rbm, Visible};
    use crate::text::{Language, Tokenizer};

    fn tiny_index() -> Index {
        let tokenizer = Tokenizer::new(Language::English, None);
        let texts = [
            "heart blood pressure",
            "cancer cells treatment",
            "blood cancer",
        ];
        let vocabulary = Vocabulary::build(&tokenizer, &texts, 10, 1);
        let stack = [
            Rbm::new(
                Visible::Softmax,
                Hidden::Binary,
                vocabulary.len(),
                4,
                0.1,
                1,
                0,
            ),
            Rbm::new(Visible::Binary, Hidden::Linear, 4, 2, 0.1, 1, 1),
        ];
        let network = Autoencoder::unroll(&stack);
        let model = Model::from_parts(
            Settings::default(),
            vocabulary,
            network,
            vec![0.0, 0.1],
            3.0,
        );
        let (codes, _) = model.encode_texts(&texts);
        let addresses = model.addresses(codes.view());
        let documents = texts
            .iter()
            .enumerate()
            .map(|(i, t)| DocumentInfo::new(&format!("d{i}"), &["x".to_string()], t))
            .collect();
        let terms = Terms::new(
            Vocabulary::build_all(&tokenizer, &texts),
            &tokenizer,
            &texts,
        );
        let counts = terms.over(&model.vocabulary);
        let corpus = crate::topics::Corpus {
            network: &model.network,
            vocabulary: &model.vocabulary,
            counts: &counts,
        };
        let topics = crate::topics::discover(codes.view(), &corpus, Some(2), Default::default(), 1);
        Index {
            model,
            documents,
            codes,
            addresses,
            terms,
            topics: Some(topics),
            signatures: texts
                .iter()
                .map(|t| crate::hashing::words::signature(t))
                .collect(),
            report: BuildReport::default(),
            parts: Parts::All,
        }
    }

    #[test]
    fn new_documents_join_the_topic_k_means_would_give_them() {
        let index = tiny_index();
        let topics = index.topics.as_ref().expect("tiny index has topics");
        assert_eq!(topics.assign(index.codes.view()), topics.assignments);
    }

    #[test]
    fn topics_that_do_not_fit_the_index_are_refused() {
        let index = tiny_index();
        let topics = index.topics.expect("tiny index has topics");
        assert_eq!(check_topics(&topics, 3, 2), Ok(()));
        let mut short = topics.clone();
        short.assignments.pop();
        assert!(
            check_topics(&short, 3, 2)
                .unwrap_err()
                .contains("assigns 2 documents")
        );
        let mut beyond = topics.clone();
        beyond.assignments[0] = 9;
        assert!(check_topics(&beyond, 3, 2).unwrap_err().contains("topic 9"));
        assert!(check_topics(&topics, 3, 5).is_err());
    }

    /// [`tiny_index`], saved to `index` in a new temporary folder.
    fn saved_tiny_index() -> (tempfile::TempDir, PathBuf, Index) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("index");
        let index = tiny_index();
        save(&index, &path).expect("saved");
        (dir, path, index)
    }

    #[test]
    fn save_and_load_round_trip() {
        let (_dir, path, index) = saved_tiny_index();
        let loaded = load(&path).expect("loaded");
        assert_eq!(loaded.codes, index.codes);
        assert_eq!(loaded.addresses, index.addresses);
        assert_eq!(loaded.documents, index.documents);
        assert_eq!(loaded.model.network, index.model.network);
        assert_eq!(loaded.model.vocabulary, index.model.vocabulary);
        assert_eq!(loaded.model.thresholds, index.model.thresholds);
        assert_eq!(loaded.model.settings, index.model.settings);
        assert_eq!(loaded.terms, index.terms);
        assert_eq!(loaded.topics, index.topics);
        assert_eq!(loaded.signatures, index.signatures);
        let (again, _) = loaded.model.encode_texts(&["heart blood pressure"]);
        assert_eq!(again.row(0), index.codes.row(0));
    }

    #[test]
    fn an_index_read_for_its_codes_ranks_alike_and_cannot_be_written() {
        let (dir, path, index) = saved_tiny_index();
        // A damaged terms file does not matter to a reader that does not read it.
        fs::write(path.join(TERM_COUNTS), b"damaged").expect("write");
        let codes_only = load_parts(&path, Parts::Codes).expect("loaded");
        assert_eq!(codes_only.codes, index.codes);
        assert_eq!(codes_only.documents, index.documents);
        assert_eq!(codes_only.terms.counts.rows(), index.len());
        assert!(codes_only.signatures.is_empty());
        assert!(load(&path).is_err(), "a full read checks the terms");
        let other = dir.path().join("other");
        let refused = save(&codes_only, &other).expect_err("a partial index is not written");
        assert!(
            refused.to_string().contains("without its terms"),
            "{refused}"
        );
        assert!(!other.exists());
    }

    /// Replaces the file `name` of the index at `dir` with `bytes` and gives the manifest its
    /// new size and checksum, as a build that wrote those bytes would have.
    fn rewrite_with_checksum(dir: &Path, name: &str, bytes: &[u8]) {
        fs::write(dir.join(name), bytes).expect("write");
        let path = dir.join(MANIFEST);
        let mut manifest: Manifest =
            serde_json::from_slice(&fs::read(&path).expect("manifest")).expect("parsed");
        let entry = manifest
            .files
            .iter_mut()
            .find(|f| f.name == name)
            .expect("listed");
        entry.bytes = bytes.len() as u64;
        entry.sha256 = sha256_hex(bytes);
        fs::write(&path, serde_json::to_vec(&manifest).expect("JSON")).expect("write");
    }

    #[test]
    fn loading_refuses_nan_or_infinite_values_that_pass_the_checksum() {
        let (_dir, path, index) = saved_tiny_index();
        let good_codes = fs::read(path.join(CODES)).expect("codes");

        let mut codes = good_codes.clone();
        let at = CODES_HEADER + (index.codes.ncols() + 1) * 4;
        codes[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        rewrite_with_checksum(&path, CODES, &codes);
        let message = load(&path).expect_err("NaN code").to_string();
        assert!(
            message.contains("codes.bin: holds NaN at [1, 1]") && message.contains("rebuild"),
            "{message}"
        );
        rewrite_with_checksum(&path, CODES, &good_codes);
        load(&path).expect("sound again");

        let mut network = index.model.network.clone();
        network.decoder[1].bias[0] = f32::NEG_INFINITY;
        rewrite_with_checksum(&path, WEIGHTS, &weights_bytes(&network).expect("bytes"));
        let message = load(&path).expect_err("infinite weight").to_string();
        assert!(
            message.contains("model.safetensors: tensor decoder.1.bias holds -infinity at [0]"),
            "{message}"
        );
        let checks = verify(&path).expect("verified");
        assert!(
            checks
                .iter()
                .any(|c| c.problem.as_ref().is_some_and(|p| p.contains("-infinity"))),
            "{checks:?}"
        );
    }

    #[test]
    fn a_save_that_would_write_nan_says_training_diverged_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("index");
        let mut index = tiny_index();
        index.model.network.encoder[0].weights[[1, 2]] = f32::NAN;
        let message = save(&index, &path).expect_err("refused").to_string();
        assert!(
            message.contains("training diverged (tensor encoder.0.weight holds NaN at [1, 2])")
                && message.contains("--finetune-rate"),
            "{message}"
        );

        let mut index = tiny_index();
        index.codes[[2, 1]] = f32::INFINITY;
        let message = save(&index, &path).expect_err("refused").to_string();
        assert!(
            message.contains("the codes hold infinity at [2, 1]"),
            "{message}"
        );
        assert_eq!(fs::read_dir(dir.path()).expect("listed").count(), 0);
    }

    #[test]
    fn codes_files_that_lie_about_their_length_are_refused() {
        let index = tiny_index();
        let mut bytes = codes_bytes(&index.codes, &index.addresses, index.model.address_bits());
        assert!(read_codes(&bytes, 2).is_ok());
        assert!(read_codes(&bytes, 3).is_err());
        bytes[16..24].copy_from_slice(&1_000_000_000_000u64.to_le_bytes());
        let error = read_codes(&bytes, 2).expect_err("refused");
        assert!(error.contains("does not match"), "{error}");
        assert!(read_codes(b"TOPCODE1", 2).is_err());
    }
}
