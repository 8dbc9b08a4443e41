//! The `topics` binary on images and vectors, as a user would drive it: build from IDX files
//! and folders of PNGs, query by image, evaluate beside PCA, draw reconstructions and maps,
//! export and inspect; and the bad inputs of images.
//!
//! The images are small synthetic ones (bars in three directions), so that each model trains in
//! seconds; the full MNIST recipe runs in `scripts/mnist.sh`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;
use predicates::prelude::*;
use tempfile::TempDir;

const SIDE: usize = 8;

/// Settings for a model that trains in seconds.
const QUICK: &[&str] = &[
    "--layers",
    "32,16",
    "--dims",
    "4",
    "--epochs",
    "3",
    "--batch-size",
    "50",
    "-q",
];

fn topics() -> Command {
    Command::cargo_bin("topics").expect("the binary is built for integration tests")
}

/// A noisy 8×8 bar: label 0 horizontal, 1 vertical, 2 diagonal, at a place set by `n`.
fn bar(label: u8, n: usize) -> Vec<u8> {
    let at = n % SIDE;
    (0..SIDE * SIDE)
        .map(|p| {
            let (y, x) = (p / SIDE, p % SIDE);
            let on = match label {
                0 => y == at,
                1 => x == at,
                _ => (x + at) % SIDE == y,
            };
            let noise = ((p * 31 + n * 17) % 23) as u8;
            if on { 230 - noise } else { noise }
        })
        .collect()
}

fn idx_bytes(magic: u8, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0x08, magic];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// `count` bars as gzipped IDX images and labels in `dir`, named `name-*`.
fn bars(dir: &Path, name: &str, count: usize, offset: usize) -> (PathBuf, PathBuf) {
    let labels: Vec<u8> = (0..count).map(|i| (i % 3) as u8).collect();
    let pixels: Vec<u8> = labels
        .iter()
        .enumerate()
        .flat_map(|(i, &l)| bar(l, i / 3 + offset))
        .collect();
    let side = SIDE as u32;
    let images = dir.join(format!("{name}-images-idx3-ubyte.gz"));
    let label_file = dir.join(format!("{name}-labels-idx1-ubyte.gz"));
    fs::write(
        &images,
        gzip(&idx_bytes(3, &[count as u32, side, side], &pixels)),
    )
    .expect("write");
    fs::write(&label_file, gzip(&idx_bytes(1, &[count as u32], &labels))).expect("write");
    (images, label_file)
}

struct Shared {
    dir: TempDir,
    index: PathBuf,
    test: (PathBuf, PathBuf),
}

/// One index of 600 bars shared by the tests that only read it.
fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        let (images, labels) = bars(dir.path(), "train", 600, 0);
        let test = bars(dir.path(), "test", 90, 3);
        let index = dir.path().join("index");
        topics()
            .arg("build")
            .arg(&images)
            .arg("--labels")
            .arg(&labels)
            .args(QUICK)
            .arg("--index")
            .arg(&index)
            .assert()
            .success();
        Shared { dir, index, test }
    })
}

fn stdout_of(command: &mut Command) -> String {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn png(path: &Path, pixels: &[u8], side: u32) {
    image::GrayImage::from_raw(side, side, pixels.to_vec())
        .expect("pixels fit")
        .save(path)
        .expect("a PNG is written");
}

#[test]
fn build_says_it_read_images_and_info_describes_the_index() {
    let dir = TempDir::new().expect("temp dir");
    let (images, labels) = bars(dir.path(), "train", 300, 0);
    let index = dir.path().join("index");
    topics()
        .arg("build")
        .arg(&images)
        .arg("--labels")
        .arg(&labels)
        .args(&QUICK[..QUICK.len() - 1])
        .arg("--index")
        .arg(&index)
        .assert()
        .success()
        .stderr(predicate::str::contains("as IDX images"))
        .stderr(predicate::str::contains("indexed 300 items"));
    let info = stdout_of(topics().args(["info", "--index"]).arg(&index));
    assert!(info.contains("64-32-16-4"), "{info}");
    assert!(info.contains("8×8"), "{info}");
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        topics().args(["info", "--json", "--index"]).arg(&index),
    ))
    .expect("JSON");
    assert_eq!(json["kind"], "vectors");
    assert_eq!(json["items"], 300);
    topics()
        .args(["info", "--verify", "--index"])
        .arg(&index)
        .assert()
        .success();
}

#[test]
fn eval_prints_the_autoencoder_beside_pca() {
    let shared = shared();
    let (images, labels) = &shared.test;
    let table = stdout_of(
        topics()
            .arg("eval")
            .arg(images)
            .arg("--labels")
            .arg(labels)
            .arg("--index")
            .arg(&shared.index),
    );
    assert!(
        table.contains("autoencoder-4") && table.contains("pca-4"),
        "{table}"
    );

    let line = stdout_of(
        topics()
            .arg("eval")
            .arg(images)
            .arg("--labels")
            .arg(labels)
            .arg("--json")
            .arg("--index")
            .arg(&shared.index),
    );
    let json: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    for key in ["reconstruction_error", "p_at_1", "p_at_10", "p_at_100"] {
        let ours = json[key].as_f64().expect("a number");
        let pca = json["baselines"]["pca"][key].as_f64().expect("a number");
        assert!(ours.is_finite() && pca.is_finite(), "{key}: {line}");
    }
    // Bars of three directions are easy: nearest codes share the label far above chance (1/3).
    assert!(json["p_at_1"].as_f64().expect("a number") > 0.6, "{line}");
    assert!(
        json["reconstruction_error"].as_f64().expect("a number") < 8.0,
        "{line}"
    );
}

#[test]
fn query_by_image_finds_its_own_kind() {
    let shared = shared();
    let query = shared.dir.path().join("query.png");
    png(&query, &bar(1, 5), SIDE as u32);
    let lines = stdout_of(
        topics()
            .arg("query")
            .arg("--image")
            .arg(&query)
            .args(["-k", "5", "--json", "--index"])
            .arg(&shared.index),
    );
    let hits: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(hits.len(), 5);
    let vertical = hits.iter().filter(|h| h["label"] == "1").count();
    assert!(vertical >= 3, "{lines}");
    let distances: Vec<f64> = hits
        .iter()
        .map(|h| h["distance"].as_f64().expect("number"))
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first: {distances:?}"
    );

    // A larger image is resized to the index's 8×8.
    let big = shared.dir.path().join("big.png");
    let pixels: Vec<u8> = (0..32 * 32)
        .map(|p| if p % 32 == 12 || p % 32 == 13 { 230 } else { 5 })
        .collect();
    png(&big, &pixels, 32);
    topics()
        .arg("query")
        .arg("--image")
        .arg(&big)
        .arg("--index")
        .arg(&shared.index)
        .assert()
        .success();

    // By id, without itself.
    let by_id = stdout_of(
        topics()
            .args(["query", "--id", "4", "-k", "3", "--index"])
            .arg(&shared.index),
    );
    assert_eq!(by_id.lines().count(), 3);
    assert!(
        !by_id
            .lines()
            .any(|l| l.split_whitespace().nth(2) == Some("4")),
        "{by_id}"
    );
}

#[test]
fn show_and_map_draw_pngs_and_export_writes_codes() {
    let shared = shared();
    let recon = shared.dir.path().join("recon.png");
    topics()
        .args(["show", "--png"])
        .arg(&recon)
        .args(["--count", "6", "--index"])
        .arg(&shared.index)
        .assert()
        .success();
    let picture = image::open(&recon).expect("a PNG").to_luma8();
    // Three rows (originals, autoencoder, PCA) of six 8×8 images enlarged 7 times.
    assert_eq!(picture.height(), 2 + 3 * (8 * 7 + 2));
    assert_eq!(picture.width(), 2 + 6 * (8 * 7 + 2));

    let map = shared.dir.path().join("map.png");
    topics()
        .args(["map", "--png"])
        .arg(&map)
        .arg("--index")
        .arg(&shared.index)
        .assert()
        .success();
    assert!(image::open(&map).is_ok());

    let csv = stdout_of(topics().args(["export", "--index"]).arg(&shared.index));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,label,code0,code1,code2,code3"));
    assert_eq!(lines.count(), 600);
}

#[test]
fn a_folder_of_pngs_is_read_with_labels_from_subfolders_and_bad_files_are_skipped() {
    let dir = TempDir::new().expect("temp dir");
    let root = dir.path().join("photos");
    for label in 0..3u8 {
        let folder = root.join(format!("kind{label}"));
        fs::create_dir_all(&folder).expect("mkdir");
        for n in 0..40 {
            png(
                &folder.join(format!("{n}.png")),
                &bar(label, n),
                SIDE as u32,
            );
        }
    }
    fs::write(
        root.join("kind0").join("broken.png"),
        b"\x89PNG\r\n\x1a\nnot really",
    )
    .expect("write");
    let index = dir.path().join("index");
    topics()
        .arg("build")
        .arg(&root)
        .args(["--image-size", "8x8"])
        .args(QUICK)
        .arg("--index")
        .arg(&index)
        .assert()
        .success()
        .stderr(predicate::str::contains("broken.png"));
    let csv = stdout_of(topics().args(["export", "--index"]).arg(&index));
    assert_eq!(csv.lines().count(), 1 + 120);
    assert!(csv.contains("kind2/7.png,kind2,"), "{csv}");
}

#[test]
fn a_csv_of_numbers_trains_gaussian_units() {
    let dir = TempDir::new().expect("temp dir");
    let mut text = String::from("id,label,a,b,c,d,e,f\n");
    for n in 0..300 {
        let label = n % 3;
        let values: Vec<String> = (0..6)
            .map(|c| {
                let on = c / 2 == label;
                let v = if on { 40.0 } else { -10.0 } + ((n * 7 + c * 13) % 11) as f64;
                format!("{v}")
            })
            .collect();
        text.push_str(&format!("v{n},{label},{}\n", values.join(",")));
    }
    let path = dir.path().join("vectors.csv");
    fs::write(&path, text).expect("write");
    let index = dir.path().join("index");
    topics()
        .arg("build")
        .arg(&path)
        .args([
            "--layers",
            "16",
            "--dims",
            "3",
            "--epochs",
            "5",
            "--batch-size",
            "30",
        ])
        .arg("--index")
        .arg(&index)
        .assert()
        .success()
        .stderr(predicate::str::contains("vectors"));
    let info = stdout_of(topics().args(["info", "--index"]).arg(&index));
    assert!(info.contains("Gaussian visible"), "{info}");
    let by_id = stdout_of(
        topics()
            .args(["query", "--id", "v3", "-k", "5", "--index"])
            .arg(&index),
    );
    let same = by_id
        .lines()
        .filter(|l| l.trim_end().ends_with(" 0"))
        .count();
    assert!(same >= 4, "{by_id}");
}

#[test]
fn bad_image_inputs_are_clear_errors() {
    let dir = TempDir::new().expect("temp dir");
    let (images, labels) = bars(dir.path(), "train", 300, 0);

    // A truncated IDX file.
    let bytes = idx_bytes(3, &[300, 8, 8], &vec![7u8; 1000]);
    let truncated = dir.path().join("cut-idx3-ubyte");
    fs::write(&truncated, bytes).expect("write");
    topics()
        .arg("build")
        .arg(&truncated)
        .args(QUICK)
        .arg("--index")
        .arg(dir.path().join("a"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cut-idx3-ubyte"));

    // A label file whose count does not match.
    let (_, few_labels) = bars(dir.path(), "few", 200, 0);
    topics()
        .arg("build")
        .arg(&images)
        .arg("--labels")
        .arg(&few_labels)
        .args(QUICK)
        .arg("--index")
        .arg(dir.path().join("b"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("200").and(predicate::str::contains("300")));

    // A corrupt PNG as a query.
    let shared = shared();
    let corrupt = dir.path().join("corrupt.png");
    fs::write(&corrupt, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRgarbage").expect("write");
    topics()
        .arg("query")
        .arg("--image")
        .arg(&corrupt)
        .arg("--index")
        .arg(&shared.index)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("corrupt.png"));

    // A text query against an image index, and an image query against a text index.
    topics()
        .args(["query", "heart attack", "--index"])
        .arg(&shared.index)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--image"));
    let text_index = dir.path().join("text");
    topics()
        .arg("build")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/stackfaq"))
        .args([
            "--vocab", "500", "--layers", "50", "--epochs", "2", "-q", "--index",
        ])
        .arg(&text_index)
        .assert()
        .success();
    let query = dir.path().join("q.png");
    png(&query, &bar(0, 1), SIDE as u32);
    topics()
        .arg("query")
        .arg("--image")
        .arg(&query)
        .arg("--index")
        .arg(&text_index)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("needs an index built from images"));
    topics()
        .args(["dups", "--index"])
        .arg(&shared.index)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not documents"));

    // Labels with documents, and values outside [0, 1] for logistic units.
    topics()
        .arg("build")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/stackfaq"))
        .arg("--labels")
        .arg(&labels)
        .arg("--index")
        .arg(dir.path().join("c"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--labels"));
    let csv = dir.path().join("wide.csv");
    fs::write(&csv, "a,b\n".to_string() + &"3,4\n".repeat(200)).expect("write");
    topics()
        .arg("build")
        .arg(&csv)
        .args(["--visible", "binary", "--epochs", "1", "--index"])
        .arg(dir.path().join("d"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--visible gaussian"));
}
