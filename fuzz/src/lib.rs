//! What the fuzz targets share: a scratch directory, reading bytes as a corpus file, the
//! invariants every successful read keeps, and a tiny index built once per process.
//!
//! The targets are thin: each hands its input to one public entry point of `topics` and checks
//! what that entry point promises. Anything that panics, overflows or aborts is a finding.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use topics::corpus::{self, Document, ReadOptions, ReadReport};
use topics::index::{Index, store};
use topics::progress::Silent;
use topics::search::{self, lexical::Lexical, lexical::Weighting};
use topics::settings::Settings;

/// A directory that lives as long as the fuzzing process.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("topics-fuzz-")
            .tempdir()
            .expect("a temporary directory for the fuzz inputs")
    })
    .path()
}

/// Writes `bytes` to a file called `name` in the scratch directory and reads it as a corpus.
pub fn read_as(name: &str, bytes: &[u8]) -> topics::Result<ReadReport> {
    let path = scratch().join(name);
    fs::write(&path, bytes).expect("the scratch directory is writable");
    corpus::read(&path, &ReadOptions::default(), &Silent)
}

/// Panics unless `report` keeps what `corpus::read` promises: ids unique, texts never blank.
pub fn check_report(report: &ReadReport) {
    let mut ids = HashSet::new();
    for Document { id, text, .. } in &report.documents {
        assert!(ids.insert(id.as_str()), "id {id:?} read twice");
        assert!(!text.trim().is_empty(), "document {id:?} has a blank text");
        assert!(
            !text.contains('\r'),
            "document {id:?} kept a carriage return"
        );
    }
}

/// Sentences on three subjects: enough for a vocabulary, a network and two topics.
const SENTENCES: [&str; 12] = [
    "The heart pumps blood through the arteries and veins of the body.",
    "High blood pressure strains the heart and damages the arteries.",
    "Doctors measure blood pressure and heart rate at every visit.",
    "A healthy heart needs exercise, sleep and a diet low in salt.",
    "The engine of the car burns petrol and drives the wheels.",
    "Diesel engines use compression to ignite the fuel in the cylinder.",
    "Change the engine oil and check the brakes of the car every year.",
    "Electric cars have a battery and a motor instead of an engine.",
    "The telescope shows the moons of Jupiter and the rings of Saturn.",
    "Stars burn hydrogen in their cores and shine for billions of years.",
    "The moon orbits the earth and the earth orbits the sun.",
    "Astronomers point the telescope at distant galaxies and stars.",
];

/// A tiny index saved to disk, with the bytes of each of its files.
pub struct TinyIndex {
    /// The index as built, before it was saved.
    pub index: Index,
    /// Where it was saved.
    pub dir: PathBuf,
    /// Every file of the index by name, `manifest.json` first, the rest sorted.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Settings that train in well under a second on [`SENTENCES`].
fn tiny_settings() -> Settings {
    Settings {
        vocab: 60,
        min_df: 1,
        layers: vec![16, 8],
        dims: 3,
        pretrain_epochs: 2,
        finetune_epochs: 2,
        min_pretrain_updates: 6,
        min_finetune_updates: 6,
        batch_size: 4,
        validation: 0.0,
        topics: Some(2),
        seed: 7,
        ..Settings::default()
    }
}

/// The tiny index of this process, built and saved on first use.
pub fn tiny_index() -> &'static TinyIndex {
    static INDEX: OnceLock<TinyIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let documents = SENTENCES
            .iter()
            .enumerate()
            .map(|(i, text)| Document {
                id: format!("s{i:02}"),
                labels: vec![["heart", "car", "sky"][i / 4].to_string()],
                text: text.to_string(),
            })
            .collect();
        let read = ReadReport {
            documents,
            ..ReadReport::default()
        };
        let settings = tiny_settings()
            .check()
            .expect("the tiny settings are valid");
        let index =
            topics::build::build(&read, "fuzz", &settings, &Silent).expect("the tiny index builds");
        let dir = scratch().join("tiny-index");
        store::save(&index, &dir).expect("the tiny index saves");

        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
            .expect("the tiny index is readable")
            .map(|entry| {
                let path = entry.expect("a directory entry").path();
                let name = path.file_name().expect("a file name").to_string_lossy();
                (name.into_owned(), fs::read(&path).expect("an index file"))
            })
            .filter(|(name, _)| !name.starts_with('.'))
            .collect();
        files.sort_by_key(|(name, _)| (name != "manifest.json", name.clone()));
        TinyIndex { index, dir, files }
    })
}

/// Runs `text` through the query path of `topics query` against `index`: codes, cosines, the
/// lexical scores, the hybrid, the re-ranked shortlist and a Hamming ball of `radius`.
///
/// With `check_cosines`, panics when a query that has a word of the vocabulary gets a cosine
/// that is not finite or lies outside [-1, 1]; that only holds for an index whose weights and
/// codes are finite, which a damaged index need not have.
pub fn query(index: &Index, text: &str, radius: usize, check_cosines: bool) {
    let unit = search::unit_rows(index.codes.view());
    let (codes, known) = index.model.encode_texts(&[text]);
    let unit_query = search::unit_rows(codes.view());
    let addresses = index.model.addresses(codes.view());
    let scores = search::scores(unit.view(), unit_query.row(0));
    assert_eq!(scores.len(), index.len());
    if check_cosines && known[0] {
        for &s in &scores {
            assert!(
                s.is_finite() && s.abs() <= 1.0 + 1e-4,
                "cosine {s} for {text:?}"
            );
        }
    }
    let hits = search::top_k(&scores, 3, |_| true);
    assert!(hits.len() <= 3);

    for weighting in [Weighting::TfIdf, Weighting::Bm25] {
        let lexical = Lexical::new(&index.terms, weighting);
        let counts = Lexical::count(&index.terms, index.model.tokenizer(), text);
        let weights = lexical.query_weights(&counts);
        let lexical_scores = lexical.scores(&weights);
        let hybrid = search::hybrid_scores(&lexical_scores, &scores, search::HYBRID_WEIGHT);
        search::top_k(&hybrid, 3, |_| true);
        search::rerank_top_k(
            &scores,
            5,
            3,
            |_| true,
            |rows| lexical.scores_of(&weights, rows),
        );
    }

    let bits = index.model.address_bits();
    let (lookup, _) = topics::hashing::lookup::Lookup::new(&index.addresses, bits, radius);
    for (row, distance) in lookup.ball(addresses[0], radius) {
        assert!((row as usize) < index.len() && distance as usize <= radius);
    }
}
