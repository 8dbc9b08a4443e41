//! The `topics` binary driven as a user would: build on the embedded corpora, then query,
//! export, find duplicates, evaluate, and inspect; and bad input of every kind.
//!
//! Models here are small (few epochs, narrow layers) so the whole file runs in about a minute.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

const MEDQUAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/medquad");
const STACKFAQ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/stackfaq");

/// Settings for a model that trains in seconds.
const QUICK: &[&str] = &[
    "--vocab", "1000", "--layers", "100,50", "--epochs", "4", "-q",
];

fn topics() -> Command {
    Command::cargo_bin("topics").expect("the binary is built for integration tests")
}

/// Builds an index of `source` with `extra` settings into `dir/index`.
fn build(dir: &Path, source: &str, extra: &[&str]) -> PathBuf {
    let index = dir.join("index");
    topics()
        .arg("build")
        .arg(source)
        .args(QUICK)
        .args(extra)
        .arg("--index")
        .arg(&index)
        .assert()
        .success();
    index
}

/// One index of the MedQuAD sample shared by the tests that only read it.
fn medquad_index() -> &'static Path {
    static INDEX: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = INDEX.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        let index = build(dir.path(), MEDQUAD, &[]);
        (dir, index)
    });
    path
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

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .map(|p| if p.is_dir() { count_files(&p) } else { 1 })
        .sum()
}

#[test]
fn query_returns_ranked_documents_as_json_lines() {
    let index = medquad_index();
    let out = stdout_of(
        topics()
            .args([
                "query",
                "what are the symptoms of diabetes",
                "-k",
                "7",
                "--json",
                "--index",
            ])
            .arg(index),
    );
    let hits: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(hits.len(), 7);
    for (i, hit) in hits.iter().enumerate() {
        assert_eq!(hit["rank"], i + 1);
        assert_eq!(hit["query"], "what are the symptoms of diabetes");
        assert!(hit["id"].as_str().is_some_and(|id| id.ends_with(".txt")));
        assert!(hit["label"].is_string());
    }
    let scores: Vec<f64> = hits
        .iter()
        .map(|h| h["score"].as_f64().expect("score"))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
}

#[test]
fn query_batch_label_filter_and_more_like_this() {
    let index = medquad_index();
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("questions.txt");
    fs::write(
        &file,
        "is breast cancer inherited\n\nhow can I prevent a heart attack\n",
    )
    .expect("write");
    let out = stdout_of(
        topics()
            .arg("query")
            .arg("--file")
            .arg(&file)
            .args(["--json", "-k", "3", "--index"])
            .arg(index),
    );
    let queries: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("JSON")["query"]
                .as_str()
                .expect("query")
                .to_string()
        })
        .collect();
    assert_eq!(queries.len(), 6);
    assert_eq!(queries[0], "is breast cancer inherited");
    assert_eq!(queries[5], "how can I prevent a heart attack");

    let out = stdout_of(
        topics()
            .args([
                "query",
                "cancer treatment",
                "--label",
                "nhlbi",
                "-k",
                "5",
                "--index",
            ])
            .arg(index),
    );
    assert_eq!(out.lines().count(), 5);
    assert!(out.lines().all(|l| l.contains("  nhlbi  ")), "{out}");

    let id = "cancer-gov/0000027_1-4.txt";
    let out = stdout_of(
        topics()
            .args(["query", "--id", id, "-k", "4", "--index"])
            .arg(index),
    );
    assert_eq!(out.lines().count(), 4);
    assert!(
        !out.contains(id),
        "a document is not more like itself: {out}"
    );
}

#[test]
fn query_without_known_words_says_so() {
    topics()
        .args(["query", "the of and zzzqqq", "--index"])
        .arg(medquad_index())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no word of the index's vocabulary",
        ));
}

#[test]
fn export_has_one_row_per_document() {
    let index = medquad_index();
    let dir = TempDir::new().expect("temp dir");
    let csv_path = dir.path().join("codes.csv");
    topics()
        .args(["export", "--csv"])
        .arg(&csv_path)
        .arg("--index")
        .arg(index)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&csv_path).expect("CSV");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let expected: Vec<String> = ["id", "label", "topic"]
        .into_iter()
        .map(String::from)
        .chain((1..=10).map(|i| format!("c{i}")))
        .chain(["address".to_string()])
        .collect();
    assert_eq!(header, expected);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), count_files(Path::new(MEDQUAD)));
    for row in &rows {
        let topic: usize = row[2].parse().expect("a topic number");
        assert!(topic >= 1, "topics count from 1");
        let address = &row[13];
        assert!(
            address.starts_with("0x") && address.len() == 5,
            "10 bits are 3 hex digits: {address}"
        );
        for value in row.iter().skip(3).take(10) {
            value.parse::<f32>().expect("codes are numbers");
        }
    }
}

#[test]
fn map_and_curve_figures_are_pngs() {
    let dir = TempDir::new().expect("temp dir");
    let map = dir.path().join("map.png");
    topics()
        .args(["map", "-q", "--png"])
        .arg(&map)
        .arg("--index")
        .arg(medquad_index())
        .assert()
        .success();
    let curve = dir.path().join("curve.png");
    let csv = dir.path().join("curve.csv");
    topics()
        .args(["eval", MEDQUAD, "-q", "--plot"])
        .arg(&curve)
        .arg("--curve")
        .arg(&csv)
        .arg("--index")
        .arg(medquad_index())
        .assert()
        .success();
    for png in [&map, &curve] {
        let bytes = fs::read(png).expect("written");
        assert_eq!(&bytes[1..4], b"PNG", "{}", png.display());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for written in [&map, &csv, &medquad_index().to_path_buf()] {
            let mode = fs::metadata(written)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o044,
                0o044,
                "{} is not readable by others",
                written.display()
            );
        }
    }
    let rows = fs::read_to_string(&csv).expect("curve");
    for method in [
        "codes10,",
        "codes10+bm25,",
        "hybrid,",
        "tfidf,",
        "bm25,",
        "lsa10,",
        "lsa50,",
    ] {
        assert!(
            rows.lines().any(|l| l.starts_with(method)),
            "no {method} rows"
        );
    }
}

#[test]
fn info_describes_the_index() {
    let out = stdout_of(topics().args(["info", "--index"]).arg(medquad_index()));
    assert!(out.contains("1000-100-50-10"), "{out}");
    assert!(out.contains("documents    3005 indexed"), "{out}");
    let json = stdout_of(
        topics()
            .args(["info", "--json", "--index"])
            .arg(medquad_index()),
    );
    let info: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(info["code_width"], 10);
    assert_eq!(
        info["report"]["training"]["fine_tuning"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
}

#[test]
fn eval_of_stackfaq_queries_beats_chance_by_far() {
    let dir = TempDir::new().expect("temp dir");
    let answers = format!("{STACKFAQ}/answers");
    let index = build(
        dir.path(),
        &answers,
        &["--vocab", "1000", "--epochs", "15", "--batch-size", "50"],
    );
    let out = stdout_of(
        topics()
            .arg("eval")
            .arg(format!("{STACKFAQ}/queries.jsonl"))
            .args(["--json", "--index"])
            .arg(&index),
    );
    let result: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let p10 = result["p_at_10"].as_f64().expect("p_at_10");
    assert!(result["queries"].as_u64().expect("queries") > 1200);
    // 125 threads: a random ranking puts an answer of the right thread in about 1 of 125 places.
    let chance = 1.0 / 125.0;
    assert!(
        p10 > 4.0 * chance,
        "P@10 {p10} is not far above chance {chance}"
    );
    let baselines = result["baselines"].as_object().expect("baselines");
    for method in ["codes10+bm25", "hybrid", "tfidf", "bm25", "lsa10", "lsa50"] {
        let p1 = baselines[method]["p_at_1"].as_f64().expect("p_at_1");
        assert!((0.0..=1.0).contains(&p1), "{method}: {p1}");
        assert!(
            baselines[method]["map"].as_f64().is_some(),
            "{method} has no MAP"
        );
    }
    // Re-ranking the codes' shortlist by BM25 answers questions far better than codes alone.
    let reranked = baselines["codes10+bm25"]["p_at_1"]
        .as_f64()
        .expect("p_at_1");
    assert!(
        reranked > result["p_at_1"].as_f64().expect("p_at_1") + 0.1,
        "{out}"
    );

    // The same questions as a question file with the answers' ids: MRR and recall.
    let tsv = dir.path().join("questions.tsv");
    let mut lines = String::new();
    for line in fs::read_to_string(format!("{STACKFAQ}/queries.jsonl"))
        .expect("queries")
        .lines()
    {
        let query: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let thread = query["label"].as_str().expect("label");
        for answer in fs::read_dir(format!("{answers}/{thread}")).expect("thread") {
            let name = answer
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            lines.push_str(&format!(
                "{}\t{thread}/{name}\n",
                query["text"].as_str().expect("text")
            ));
        }
    }
    fs::write(&tsv, lines).expect("write");
    let out = stdout_of(
        topics()
            .arg("eval")
            .arg(&tsv)
            .args(["--json", "--index"])
            .arg(&index),
    );
    let answered: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    let mrr = answered["mrr"].as_f64().expect("mrr");
    assert!(mrr > 5.0 * chance && mrr <= 1.0, "MRR {mrr}");
    assert!(
        answered["baselines"]["bm25"]["recall_at_10"]
            .as_f64()
            .is_some()
    );
    let table = stdout_of(topics().arg("eval").arg(&tsv).arg("--index").arg(&index));
    assert!(table.contains("MRR") && table.contains("R@10"), "{table}");
    fs::write(&tsv, "a question without a tab\n").expect("write");
    fails_with(
        &[
            "eval",
            &tsv.to_string_lossy(),
            "--index",
            &index.to_string_lossy(),
        ],
        1,
        "line 1",
    );

    let question = "how do I delete my facebook account";
    for mode in ["--rerank", "--hybrid"] {
        let top = stdout_of(
            topics()
                .args(["query", mode, question, "-k", "1", "--index"])
                .arg(&index),
        );
        assert!(
            top.contains("002-delete-facebook-account/"),
            "{mode}: {top}"
        );
    }
}

#[test]
fn an_inserted_exact_copy_is_found_by_dups() {
    let dir = TempDir::new().expect("temp dir");
    let corpus = dir.path().join("corpus");
    for label in ["cancer-gov", "nhlbi", "ninds"] {
        let from = Path::new(MEDQUAD).join(label);
        let to = corpus.join(label);
        fs::create_dir_all(&to).expect("mkdir");
        for entry in fs::read_dir(&from).expect("readable") {
            let path = entry.expect("entry").path();
            fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let original = "nhlbi/0000058-8.txt";
    fs::copy(
        corpus.join(original),
        corpus.join("ninds/copy-of-0000058-8.txt"),
    )
    .expect("copy");
    let source = corpus.to_string_lossy().into_owned();
    let index = build(dir.path(), &source, &[]);
    let out = stdout_of(topics().args(["dups", "--json", "--index"]).arg(&index));
    let groups: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let found = groups.iter().any(|g| {
        let ids = g["ids"].as_array().expect("ids");
        ids.iter().any(|i| i == original) && ids.iter().any(|i| i == "ninds/copy-of-0000058-8.txt")
    });
    assert!(found, "the copy is not grouped with its original: {out}");
    let csv = stdout_of(topics().args(["dups", "--index"]).arg(&index));
    assert!(csv.starts_with("group,id,score\n"), "{csv}");
}

#[test]
fn the_same_seed_gives_the_same_codes() {
    let dir = TempDir::new().expect("temp dir");
    let corpus = format!("{MEDQUAD}/cdc");
    let settings = ["--seed", "7", "--epochs", "2"];
    let first = build(&dir.path().join("a"), &corpus, &settings);
    let second = build(&dir.path().join("b"), &corpus, &settings);
    let third = build(
        &dir.path().join("c"),
        &corpus,
        &["--seed", "8", "--epochs", "2"],
    );
    let codes = |index: &Path| fs::read(index.join("codes.bin")).expect("codes");
    assert_eq!(codes(&first), codes(&second));
    assert_ne!(codes(&first), codes(&third));
}

#[test]
fn encode_prints_codes_without_touching_the_index() {
    let index = medquad_index();
    let dir = TempDir::new().expect("temp dir");
    let note = dir.path().join("notes.txt");
    fs::write(
        &note,
        "High blood pressure raises the risk of heart disease and stroke.",
    )
    .expect("write");
    let before = fs::read(index.join("codes.bin")).expect("codes");
    let out = stdout_of(topics().arg("encode").arg(&note).arg("--index").arg(index));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("id,label,topic,c1,"), "{out}");
    assert!(lines[1].starts_with("notes.txt,,"));
    let json = stdout_of(
        topics()
            .arg("encode")
            .arg(&note)
            .arg("--json")
            .arg("--index")
            .arg(index),
    );
    let row: serde_json::Value = serde_json::from_str(json.trim()).expect("JSON");
    assert_eq!(row["code"].as_array().map(Vec::len), Some(10));
    assert_eq!(fs::read(index.join("codes.bin")).expect("codes"), before);
}

// ---- bad input: a clear message, a non-zero exit, no panic, nothing lost ----

/// Runs `topics args…` and checks it fails with code 1 (or 2 for usage) naming `needle`.
fn fails_with(args: &[&str], code: i32, needle: &str) {
    let output = topics().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: expected {needle:?} in {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
}

#[test]
fn bad_corpora_are_clear_errors() {
    let dir = TempDir::new().expect("temp dir");
    let d = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let index = d("index");

    fails_with(&["build", &d("missing"), "--index", &index], 1, "missing");

    fs::create_dir(d("empty")).expect("mkdir");
    fails_with(
        &["build", &d("empty"), "--index", &index],
        1,
        "no documents",
    );

    fs::create_dir(d("binary")).expect("mkdir");
    fs::write(dir.path().join("binary/a.bin"), [0u8, 1, 2, 0, 255, 0, 3]).expect("write");
    fails_with(&["build", &d("binary"), "--index", &index], 1, "binary");

    let few = dir.path().join("few");
    fs::create_dir(&few).expect("mkdir");
    for i in 0..5 {
        fs::write(
            few.join(format!("{i}.txt")),
            "heart disease blood pressure treatment",
        )
        .expect("write");
    }
    fails_with(
        &["build", &d("few"), "--index", &index],
        1,
        "fewer than one mini-batch",
    );

    fs::write(
        d("dup.jsonl"),
        "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"a\",\"text\":\"y\"}\n",
    )
    .expect("write");
    fails_with(&["build", &d("dup.jsonl"), "--index", &index], 1, "line 2");

    fs::write(
        d("broken.jsonl"),
        "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\": \"b\", \n",
    )
    .expect("write");
    fails_with(
        &["build", &d("broken.jsonl"), "--index", &index],
        1,
        "line 2",
    );

    fs::write(d("notext.csv"), "id,body\n1,hello\n").expect("write");
    fails_with(&["build", &d("notext.csv"), "--index", &index], 1, "text");

    assert!(
        !Path::new(&index).exists(),
        "a failed build leaves no index behind"
    );
}

#[test]
fn bad_settings_are_clear_errors() {
    let dir = TempDir::new().expect("temp dir");
    let index = dir.path().join("index").to_string_lossy().into_owned();
    fails_with(
        &["build", MEDQUAD, "--vocab", "0", "--index", &index],
        1,
        "--vocab",
    );
    fails_with(
        &["build", MEDQUAD, "--dims", "0", "--index", &index],
        1,
        "--dims",
    );
    fails_with(
        &["build", MEDQUAD, "--layers", "100,0", "--index", &index],
        1,
        "--layers",
    );
    fails_with(
        &["build", MEDQUAD, "--language", "klingon", "--index", &index],
        1,
        "klingon",
    );
    fails_with(
        &["build", MEDQUAD, "--seed", "-1", "--index", &index],
        2,
        "--seed",
    );
    fails_with(&["query", "--index", &index], 2, "Usage");
}

#[test]
fn missing_damaged_and_foreign_indexes_are_clear_errors() {
    let dir = TempDir::new().expect("temp dir");
    let missing = dir.path().join("nowhere").to_string_lossy().into_owned();
    fails_with(&["query", "heart", "--index", &missing], 1, "topics build");

    // A folder of the user's that is not an index is never replaced by a build.
    let mine = dir.path().join("mine");
    fs::create_dir(&mine).expect("mkdir");
    fs::write(mine.join("thesis.txt"), "precious").expect("write");
    let mine_arg = mine.to_string_lossy().into_owned();
    fails_with(
        &[
            "build",
            &format!("{MEDQUAD}/cdc"),
            "--epochs",
            "1",
            "--index",
            &mine_arg,
        ],
        1,
        "not a topics index",
    );
    assert_eq!(
        fs::read_to_string(mine.join("thesis.txt")).expect("kept"),
        "precious"
    );
    fails_with(&["info", "--index", &mine_arg], 1, "not a topics index");

    // Every file of an index is checked: a flipped byte or a cut file is named.
    let index = build(dir.path(), &format!("{MEDQUAD}/cdc"), &["--epochs", "1"]);
    let index_arg = index.to_string_lossy().into_owned();
    for name in [
        "codes.bin",
        "model.safetensors",
        "vocabulary.json",
        "documents.jsonl",
        "config.json",
        "terms.json",
        "terms.bin",
    ] {
        let path = index.join(name);
        let original = fs::read(&path).expect("read");
        let mut flipped = original.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x20;
        fs::write(&path, &flipped).expect("write");
        fails_with(&["info", "--index", &index_arg], 1, name);
        fs::write(&path, &original[..middle]).expect("write");
        fails_with(&["info", "--index", &index_arg], 1, "truncated");
        fs::remove_file(&path).expect("remove");
        fails_with(&["info", "--index", &index_arg], 1, "missing");
        fs::write(&path, &original).expect("restore");
    }
    let manifest = index.join("manifest.json");
    let text = fs::read_to_string(&manifest).expect("manifest");
    fs::write(&manifest, text.replace("\"version\": 1", "\"version\": 99")).expect("write");
    fails_with(&["info", "--index", &index_arg], 1, "newer topics");
}

#[test]
fn a_rebuild_replaces_an_index_whole() {
    let dir = TempDir::new().expect("temp dir");
    let index = build(dir.path(), &format!("{MEDQUAD}/cdc"), &["--epochs", "1"]);
    build(dir.path(), &format!("{MEDQUAD}/ghr"), &["--epochs", "1"]);
    let out = stdout_of(topics().args(["info", "--index"]).arg(&index));
    assert!(out.contains("ghr"), "{out}");
    let leftovers: Vec<String> = fs::read_dir(dir.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".index.lock")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn questions_find_the_documents_that_answer_them() {
    let dir = TempDir::new().expect("temp dir");
    let index = build(
        dir.path(),
        MEDQUAD,
        &["--vocab", "2000", "--layers", "250,125", "--epochs", "10"],
    );
    let questions = [
        (
            "what are the symptoms of diabetes",
            "nih-senior-health/0000015-4.txt",
        ),
        ("how can I prevent a heart attack", "nhlbi/0000058-8.txt"),
        ("is breast cancer inherited", "cancer-gov/0000027_1-4.txt"),
        (
            "what are the symptoms of high blood pressure",
            "nhlbi/0000071-5.txt",
        ),
        ("what causes a prolactinoma", "niddk/0000015-6.txt"),
        (
            "how many people have acute promyelocytic leukemia",
            "ghr/0000013-2.txt",
        ),
    ];
    let mut found = Vec::new();
    for (question, answer) in questions {
        let out = stdout_of(
            topics()
                .args(["query", question, "-k", "10", "--index"])
                .arg(&index),
        );
        if out.lines().any(|l| l.contains(answer)) {
            found.push(question);
        }
    }
    // Among 3,005 documents a random ranking puts a given one in the top 10 with chance 0.3 %.
    assert!(
        found.len() >= 2,
        "only {found:?} found their answer in the top 10"
    );
}

#[test]
fn bits_train_binary_addresses() {
    let dir = TempDir::new().expect("temp dir");
    let index = build(dir.path(), MEDQUAD, &["--bits", "16"]);
    let out = stdout_of(topics().args(["export", "--index"]).arg(&index));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(reader.headers().expect("header").len(), 3 + 16 + 1);
    let mut near_ends = 0usize;
    let mut values = 0usize;
    let mut addresses = std::collections::HashSet::new();
    for row in reader.records() {
        let row = row.expect("row");
        for value in row.iter().skip(3).take(16) {
            let v: f32 = value.parse().expect("number");
            assert!(
                (0.0..=1.0).contains(&v),
                "logistic code units lie in [0, 1]: {v}"
            );
            near_ends += usize::from(!(0.1..=0.9).contains(&v));
            values += 1;
        }
        let address = &row[19];
        assert_eq!(address.len(), 2 + 4, "16 bits are 4 hex digits: {address}");
        addresses.insert(address.to_string());
    }
    // The noise pushes code units towards 0 or 1, and the addresses spread the documents.
    assert!(
        near_ends * 2 > values,
        "only {near_ends} of {values} code values are near 0 or 1"
    );
    assert!(
        addresses.len() > 20,
        "only {} distinct addresses",
        addresses.len()
    );
    let info = stdout_of(topics().args(["info", "--index"]).arg(&index));
    assert!(
        info.contains("16 bits (binary code units at 0.5)"),
        "{info}"
    );

    // A Hamming ball around the query's address: nearest first, none beyond the radius.
    let ball = |extra: &[&str]| {
        let query = "high blood pressure and heart disease";
        stdout_of(
            topics()
                .args(["query", query, "--radius", "3", "-k", "50", "--json"])
                .args(extra)
                .arg("--index")
                .arg(&index),
        )
    };
    let out = ball(&[]);
    let distances: Vec<u64> = json_lines(&out)
        .iter()
        .map(|hit| hit["distance"].as_u64().expect("a distance"))
        .collect();
    assert!(
        !distances.is_empty(),
        "the ball of radius 3 holds documents"
    );
    assert!(distances.iter().all(|&d| d <= 3), "{distances:?}");
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    let reranked = ball(&["--rerank"]);
    let ids = |out: &str| -> std::collections::BTreeSet<String> {
        json_lines(out)
            .iter()
            .map(|hit| hit["id"].as_str().expect("id").to_string())
            .collect()
    };
    if distances.len() < 50 {
        assert_eq!(
            ids(&out),
            ids(&reranked),
            "--rerank re-orders the same ball"
        );
    }
}

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn topics_cover_every_document_with_readable_words() {
    let index = medquad_index();
    let out = stdout_of(
        topics()
            .args(["topics", "--json", "--docs", "10", "--index"])
            .arg(index),
    );
    let list = json_lines(&out);
    assert!(list.len() >= 2, "{out}");
    let mut covered = 0;
    let mut shown_differently = 0;
    let tokenizer = topics::text::Tokenizer::new(topics::text::Language::English, None);
    for (t, topic) in list.iter().enumerate() {
        assert_eq!(topic["topic"], t + 1);
        let size = topic["size"].as_u64().expect("size") as usize;
        assert!(size > 0, "no topic is empty");
        covered += size;
        let words = topic["words"].as_array().expect("words");
        let stems = topic["stems"].as_array().expect("stems");
        assert_eq!(words.len(), 10);
        for (word, stem) in words.iter().zip(stems) {
            let (word, stem) = (word.as_str().expect("word"), stem.as_str().expect("stem"));
            assert_eq!(tokenizer.stems(word), [stem], "{word} is shown for {stem}");
            shown_differently += usize::from(word != stem);
        }
        let documents = topic["documents"].as_array().expect("documents");
        assert!(!documents.is_empty() && documents.len() <= size.min(10));
    }
    assert!(shown_differently > 0, "words, not stems, are shown");
    assert_eq!(covered, count_files(Path::new(MEDQUAD)));

    let text = stdout_of(topics().args(["topics", "--index"]).arg(index));
    assert!(
        text.contains(&format!("{} topics of", list.len())),
        "{text}"
    );
}

#[test]
fn topics_for_another_k_are_deterministic_and_leave_the_index_alone() {
    let index = medquad_index();
    let before = fs::read(index.join("manifest.json")).expect("manifest");
    let run = || {
        stdout_of(
            topics()
                .args([
                    "topics", "--k", "3", "--naming", "ctfidf", "--json", "--index",
                ])
                .arg(index),
        )
    };
    let first = run();
    assert_eq!(json_lines(&first).len(), 3);
    assert_eq!(first, run());
    assert_eq!(
        fs::read(index.join("manifest.json")).expect("manifest"),
        before
    );
    fails_with(
        &[
            "topics",
            "--k",
            "0",
            "--index",
            index.to_str().expect("UTF-8 path"),
        ],
        1,
        "--k 0",
    );
}

#[test]
fn queries_show_topics_and_eval_measures_them() {
    let index = medquad_index();
    let out = stdout_of(
        topics()
            .args([
                "query",
                "what causes high blood pressure",
                "--json",
                "--index",
            ])
            .arg(index),
    );
    for hit in json_lines(&out) {
        assert!(hit["topic"].as_u64().is_some_and(|t| t >= 1), "{hit}");
    }
    let out = stdout_of(
        topics()
            .args([
                "eval", MEDQUAD, "--topics", "--k", "5", "--json", "-q", "--index",
            ])
            .arg(index),
    );
    let result: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(result["k"], 5);
    let methods = result["methods"].as_array().expect("methods");
    assert_eq!(methods.len(), 3);
    for method in methods {
        let npmi = method["npmi"].as_f64().expect("npmi");
        let nmi = method["nmi"].as_f64().expect("MedQuAD has labels");
        assert!(
            (-1.0..=1.0).contains(&npmi) && (0.0..=1.0).contains(&nmi),
            "{method}"
        );
        assert_eq!(method["topics"], 5);
    }
}

#[test]
fn add_and_remove_change_the_index_without_retraining() {
    let dir = TempDir::new().expect("temp dir");
    let index = build(dir.path(), MEDQUAD, &["--exclude", "cdc/**"]);
    let weights = fs::read(index.join("model.safetensors")).expect("weights");
    let rows = |index: &Path| {
        let out = stdout_of(topics().args(["export", "--index"]).arg(index));
        out.lines().count() - 1
    };
    let cdc = count_files(&Path::new(MEDQUAD).join("cdc"));
    let before = rows(&index);
    assert_eq!(before, count_files(Path::new(MEDQUAD)) - cdc);

    topics()
        .args(["add", MEDQUAD, "--include", "cdc/**", "-q", "--index"])
        .arg(&index)
        .assert()
        .success();
    assert_eq!(rows(&index), before + cdc);
    assert_eq!(
        fs::read(index.join("model.safetensors")).expect("weights"),
        weights
    );
    // An added document's code is the one `encode` gives it, and it answers queries.
    let one = "cdc/0000440-7.txt";
    let export = stdout_of(topics().args(["export", "--index"]).arg(&index));
    let exported = export
        .lines()
        .find(|l| l.starts_with(one))
        .expect("added row");
    let encoded = stdout_of(
        topics()
            .arg("encode")
            .arg(Path::new(MEDQUAD).join(one))
            .arg("--index")
            .arg(&index),
    );
    let codes = |line: &str| line.split(',').skip(3).collect::<Vec<_>>().join(",");
    let encoded_line = encoded.lines().nth(1).expect("encoded row");
    assert_eq!(codes(exported), codes(encoded_line));
    let hits = stdout_of(
        topics()
            .args(["query", "--id", one, "--json", "--index"])
            .arg(&index),
    );
    assert_eq!(json_lines(&hits).len(), 10);

    // Adding the same ids again, or removing an unknown one, changes nothing.
    let manifest = fs::read(index.join("manifest.json")).expect("manifest");
    let index_arg = index.to_str().expect("UTF-8 path");
    fails_with(
        &["add", MEDQUAD, "--include", "cdc/**", "--index", index_arg],
        1,
        "already in the index",
    );
    fails_with(
        &["remove", "no/such.txt", "--index", index_arg],
        1,
        "not in the index",
    );
    assert_eq!(
        fs::read(index.join("manifest.json")).expect("manifest"),
        manifest
    );

    topics()
        .args(["remove", one, "cdc/0000001-1.txt", "-q", "--index"])
        .arg(&index)
        .assert()
        .success();
    assert_eq!(rows(&index), before + cdc - 2);
    fails_with(
        &["query", "--id", one, "--index", index_arg],
        1,
        "no document with id",
    );
    let topics_out = stdout_of(topics().args(["topics", "--json", "--index"]).arg(&index));
    let sizes: u64 = json_lines(&topics_out)
        .iter()
        .map(|t| t["size"].as_u64().expect("size"))
        .sum();
    assert_eq!(
        sizes as usize,
        before + cdc - 2,
        "topic sizes follow the changes"
    );
}

#[test]
fn info_verify_names_every_damaged_file() {
    let dir = TempDir::new().expect("temp dir");
    let copy = dir.path().join("index");
    fs::create_dir(&copy).expect("dir");
    for entry in fs::read_dir(medquad_index()).expect("index") {
        let entry = entry.expect("entry");
        fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy");
    }
    let out = stdout_of(topics().args(["info", "--verify", "--index"]).arg(&copy));
    assert!(out.lines().all(|l| l.starts_with("ok ")), "{out}");
    assert!(out.contains("topics.json"), "{out}");

    let documents = copy.join("documents.jsonl");
    let mut bytes = fs::read(&documents).expect("documents");
    bytes[10] ^= 1;
    fs::write(&documents, bytes).expect("write");
    fs::remove_file(copy.join("terms.bin")).expect("remove");
    let output = topics()
        .args(["info", "--verify", "--index"])
        .arg(&copy)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("DAMAGED documents.jsonl") && out.contains("checksum"),
        "{out}"
    );
    assert!(
        out.contains("DAMAGED terms.bin") && out.contains("missing"),
        "{out}"
    );
    assert!(out.contains("ok      codes.bin"), "{out}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("2 of 9 checks failed"), "{stderr}");
}

#[test]
fn queries_during_changes_see_the_old_index_or_the_new_one() {
    let dir = TempDir::new().expect("temp dir");
    let index = build(dir.path(), MEDQUAD, &["--exclude", "cdc/**"]);
    let cdc: Vec<String> = fs::read_dir(Path::new(MEDQUAD).join("cdc"))
        .expect("cdc")
        .map(|e| format!("cdc/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for _ in 0..3 {
                topics()
                    .args(["add", MEDQUAD, "--include", "cdc/**", "-q", "--index"])
                    .arg(&index)
                    .assert()
                    .success();
                topics()
                    .arg("remove")
                    .args(&cdc)
                    .args(["-q", "--index"])
                    .arg(&index)
                    .assert()
                    .success();
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut queries = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let output = topics()
                .args(["query", "heart attack symptoms", "-k", "3", "--index"])
                .arg(&index)
                .output()
                .expect("runs");
            assert!(
                output.status.success(),
                "query {queries} failed while the index changed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            queries += 1;
        }
        writer.join().expect("writer");
        assert!(queries > 0);
    });
    // A second writer while one holds the lock is refused at once.
    let _held = topics::index::store::lock(&index).expect("lock");
    let index_arg = index.to_str().expect("UTF-8 path");
    fails_with(
        &["remove", "ghr/0000001-1.txt", "--index", index_arg],
        1,
        "another topics command",
    );
}
