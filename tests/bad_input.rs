//! Bad input of every kind, given to the real binary.
//!
//! Each test is one case of `docs/bad-input.md` and asserts how it ends: the document is
//! skipped with a warning that names it and the summary counts it, or the command stops with
//! exit code 1 (or 2 for a usage error) and a message naming the file, line or value. Nothing
//! panics, nothing hangs (every run has a time limit), and a failed command leaves an index
//! that was already at its `--index` byte for byte as it was.
//!
//! Corpora are a few dozen short documents on three subjects and the models are tiny, so a
//! build takes well under a second; the one index the failing cases point at is built once.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

/// Settings for a model of a tiny corpus that trains in milliseconds.
const TINY: &[&str] = &[
    "--vocab",
    "500",
    "--min-df",
    "1",
    "--layers",
    "16",
    "--dims",
    "4",
    "--epochs",
    "3",
    "--batch-size",
    "5",
];

/// Longer than any command here needs; a run past it has hung.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Four sentences on each of three subjects; documents are three of one subject's sentences.
const SUBJECTS: [(&str, [&str; 4]); 3] = [
    (
        "space",
        [
            "The rocket reached orbit after a long launch from the coast.",
            "Astronauts on the station watched the planet turn below them.",
            "A telescope measured the light of a distant galaxy.",
            "The probe sent pictures of the moon and its craters back to Earth.",
        ],
    ),
    (
        "health",
        [
            "Doctors treat high blood pressure with diet, exercise and medicine.",
            "The patient felt pain in the chest and went to the hospital.",
            "Vaccines protect children from measles and other diseases.",
            "Sleep and healthy food lower the risk of heart disease.",
        ],
    ),
    (
        "cars",
        [
            "The engine of the old car needed new oil and a fresh battery.",
            "She drove the truck on the highway and checked the brakes.",
            "Electric vehicles charge their batteries at the station overnight.",
            "The mechanic replaced the tires and tuned the motor.",
        ],
    ),
];

/// Documents per subject in [`corpus`].
const PER_SUBJECT: usize = 10;

/// The `(relative path, text)` of 30 documents, ten per subject folder.
fn documents() -> Vec<(String, String)> {
    let mut documents = Vec::new();
    for (subject, sentences) in SUBJECTS {
        for i in 0..PER_SUBJECT {
            let text = [i, i + 1, i + 3]
                .map(|s| sentences[s % sentences.len()])
                .join(" ");
            documents.push((format!("{subject}/{i}.txt"), format!("{text}\n")));
        }
    }
    documents
}

/// Writes the documents of [`documents`] under `dir/name` and returns that folder.
fn corpus(dir: &Path, name: &str) -> PathBuf {
    let root = dir.join(name);
    for (path, text) in documents() {
        write(&root.join(path), text.as_bytes());
    }
    root
}

/// Writes `bytes` to `path`, making its folders.
fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("folder");
    }
    fs::write(path, bytes).expect("write");
}

/// The binary, with a time limit.
fn topics() -> Command {
    let mut command = Command::cargo_bin("topics").expect("the binary is built for tests");
    command.timeout(TIME_LIMIT);
    command
}

/// How a run of the binary ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `topics args…`.
fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = topics().args(args).output().expect("the binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Run {
    /// Checks the exit code, that stderr holds every one of `needles`, and that nothing panicked.
    fn ends(&self, code: i32, needles: &[&str]) -> &Self {
        assert_eq!(self.code, Some(code), "exit code; stderr:\n{}", self.stderr);
        for needle in needles {
            assert!(
                self.stderr.contains(needle),
                "expected {needle:?} in stderr:\n{}",
                self.stderr
            );
        }
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }
}

/// Builds an index of `source` with [`TINY`] settings and `extra` into `dir/index`; checks it
/// succeeds, and returns the index and the run.
fn build(dir: &Path, source: &Path, extra: &[&str]) -> (PathBuf, Run) {
    let index = dir.join("index");
    let mut args: Vec<&OsStr> = vec![OsStr::new("build"), source.as_os_str()];
    args.extend(TINY.iter().chain(extra).map(OsStr::new));
    args.extend([OsStr::new("--index"), index.as_os_str()]);
    let run = run(args);
    run.ends(0, &[]);
    (index, run)
}

/// The index every failing case points at, with the stderr of its build.
///
/// Its corpus has the documents of [`documents`] and, under `enc/`, one document of each
/// encoding case.
struct Shared {
    _dir: TempDir,
    index: PathBuf,
    build: Run,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        let root = corpus(dir.path(), "corpus");
        for (name, bytes) in encoded_documents() {
            write(&root.join("enc").join(name), &bytes);
        }
        let (index, build) = build(dir.path(), &root, &[]);
        Shared {
            _dir: dir,
            index,
            build,
        }
    })
}

/// One document per encoding case, each with a word no other document has.
fn encoded_documents() -> Vec<(&'static str, Vec<u8>)> {
    let utf16 = |text: &str, bom: [u8; 2], unit: fn(u16) -> [u8; 2]| -> Vec<u8> {
        bom.into_iter()
            .chain(text.encode_utf16().flat_map(unit))
            .collect()
    };
    vec![
        (
            "latin1.txt",
            b"Caf\xE9 cr\xE8me in Z\xFCrich: the na\xEFve ma\xEEtre ordered cr\xE8me br\xFBl\xE9e."
                .to_vec(),
        ),
        (
            "windows1252.txt",
            b"\x93Quoted\x94 prices in Wolfsburg rose \x96 to 5\x80 for a coffee.".to_vec(),
        ),
        (
            "utf16le.txt",
            utf16(
                "Quokka sightings on the island delight visitors.",
                [0xFF, 0xFE],
                u16::to_le_bytes,
            ),
        ),
        (
            "utf16be.txt",
            utf16(
                "Kakapo parrots cannot fly but climb trees.",
                [0xFE, 0xFF],
                u16::to_be_bytes,
            ),
        ),
        (
            "utf8-bom.txt",
            b"\xEF\xBB\xBFZeppelin airships floated over the harbour.".to_vec(),
        ),
        (
            "line-endings.txt",
            b"Narwhal tusks are teeth\r\nthat spiral\rthrough arctic water\nin winter.".to_vec(),
        ),
        (
            "nul.txt",
            b"Okapi live in the forest\0 of the Congo basin.".to_vec(),
        ),
        ("nul-late.txt", {
            // Past the first 8 KiB, which decide whether a file is binary.
            let mut bytes = b"Pangolins eat ants.\n".repeat(500);
            bytes.extend(b"\0Pangolins roll into a ball.\n");
            bytes
        }),
    ]
}

/// Every file of the index `dir`, by path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("index readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = fs::read(&path).expect("index file readable");
                files.insert(path, bytes);
            }
        }
    }
    files
}

/// Runs `topics args… --index <shared index>`, checks it ends with `code` naming every one of
/// `needles`, and that the shared index is byte for byte what it was.
fn on_shared_index<S: AsRef<OsStr>>(args: &[S], code: i32, needles: &[&str]) -> Run {
    let index = &shared().index;
    let before = snapshot(index);
    let mut all: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    all.extend([OsStr::new("--index"), index.as_os_str()]);
    let run = run(all);
    run.ends(code, needles);
    assert!(
        snapshot(index) == before,
        "the index at {} was changed",
        index.display()
    );
    run
}

/// The best document for `question` by `--hybrid` (BM25 plus codes), as JSON: `id`, `title`.
fn best_for(question: &str) -> serde_json::Value {
    let run = run([
        OsStr::new("query"),
        OsStr::new("--hybrid"),
        OsStr::new(question),
        OsStr::new("-k"),
        OsStr::new("1"),
        OsStr::new("--json"),
        OsStr::new("--index"),
        shared().index.as_os_str(),
    ]);
    run.ends(0, &[]);
    serde_json::from_str(run.stdout.trim()).expect("one JSON line")
}

/// The ids of the index `index`, from `topics export`.
fn exported_ids(index: &Path) -> Vec<String> {
    let run = run([
        OsStr::new("export"),
        OsStr::new("--index"),
        index.as_os_str(),
    ]);
    run.ends(0, &[]);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    reader
        .records()
        .map(|row| row.expect("CSV row")[0].to_string())
        .collect()
}

fn text_of(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

// ---- corpus trees ----

#[test]
fn missing_path_is_an_error_naming_it() {
    let dir = TempDir::new().expect("temp dir");
    let missing = dir.path().join("no-such-corpus");
    on_shared_index(
        &["build", &text_of(&missing)],
        1,
        &[&text_of(&missing), "does not exist"],
    );
}

#[test]
fn empty_folder_is_an_error_saying_nothing_was_found() {
    let dir = TempDir::new().expect("temp dir");
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).expect("mkdir");
    on_shared_index(
        &["build", &text_of(&empty)],
        1,
        &[&text_of(&empty), "no documents found", "none skipped"],
    );
}

#[test]
fn only_binary_files_is_an_error_naming_the_reason() {
    let dir = TempDir::new().expect("temp dir");
    let root = dir.path().join("binary");
    write(&root.join("a.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(&root.join("b.bin"), &[0, 1, 2, 3, 255, 0, 7]);
    let run = on_shared_index(
        &["build", &text_of(&root)],
        1,
        &[
            &text_of(&root),
            "no documents found",
            "2 skipped, most often because: binary file: NUL bytes",
        ],
    );
    assert!(
        run.stderr.contains("skipped a.png: binary file"),
        "{}",
        run.stderr
    );
}

#[test]
fn zero_byte_files_are_skipped_and_counted() {
    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    write(&root.join("space/zero.txt"), b"");
    write(&root.join("health/blank.txt"), b" \n\t\n");
    let (_, run) = build(dir.path(), &root, &[]);
    run.ends(
        0,
        &[
            "skipped health/blank.txt: empty",
            "skipped space/zero.txt: empty",
            "read 30 documents",
            "(2 skipped,",
            "indexed 30 documents (2 skipped)",
        ],
    );
}

/// Permission denied cannot happen to root, so as root this checks a file that fails to read
/// for everyone, `/proc/self/mem`, and says that the permission case was not tried.
#[cfg(unix)]
#[test]
fn unreadable_files_are_skipped_and_counted() {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    let secret = root.join("health/secret.txt");
    write(&secret, b"a secret about the heart");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod");
    let root_reads_anything = fs::read(&secret).is_ok();
    if root_reads_anything {
        fs::remove_file(&secret).expect("remove");
        eprintln!("not tried: permission denied (running as root, which reads any file)");
    }
    #[cfg(target_os = "linux")]
    std::os::unix::fs::symlink("/proc/self/mem", root.join("space/mem")).expect("symlink");

    let (_, run) = build(dir.path(), &root, &[]);
    let mut expected = vec![];
    if !root_reads_anything {
        expected.push("skipped health/secret.txt: cannot be read: Permission denied");
    }
    if cfg!(target_os = "linux") {
        expected.push("skipped space/mem: cannot be read");
    }
    let skipped = format!("indexed 30 documents ({} skipped)", expected.len());
    expected.push(&skipped);
    run.ends(0, &expected);
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_are_skipped_without_hanging() {
    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    std::os::unix::fs::symlink(root.join("space"), root.join("space/again")).expect("symlink");
    std::os::unix::fs::symlink("itself", root.join("itself")).expect("symlink");
    let (_, run) = build(dir.path(), &root, &[]);
    run.ends(
        0,
        &[
            "skipped space/again: symbolic link loop",
            "skipped itself: cannot be read",
            "indexed 30 documents (2 skipped)",
        ],
    );
}

#[cfg(unix)]
#[test]
fn names_not_utf8_or_with_newlines_are_kept_and_shown_escaped() {
    use std::os::unix::ffi::OsStrExt;

    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    let text = b"The comet passed close to the moon and the planet.";
    write(
        &root.join("space").join(OsStr::from_bytes(b"caf\xE9.txt")),
        text,
    );
    write(&root.join("space/line\nbreak.txt"), text);
    let (index, built) = build(dir.path(), &root, &[]);
    built.ends(
        0,
        &[
            "is not valid UTF-8; its id \"space/caf\u{FFFD}.txt\"",
            "indexed 32 documents (0 skipped)",
        ],
    );

    // The ids are the names, lossily converted; the newline stays in the id and in CSV.
    let ids = exported_ids(&index);
    assert!(
        ids.iter().any(|id| id == "space/caf\u{FFFD}.txt"),
        "{ids:?}"
    );
    assert!(
        ids.iter().any(|id| id == "space/line\nbreak.txt"),
        "{ids:?}"
    );

    // A table shows one document per line, the newline escaped.
    let table = run([
        OsStr::new("query"),
        OsStr::new("--hybrid"),
        OsStr::new("comet"),
        OsStr::new("-k"),
        OsStr::new("32"),
        OsStr::new("--index"),
        index.as_os_str(),
    ]);
    table.ends(0, &[]);
    assert_eq!(table.stdout.lines().count(), 32, "{}", table.stdout);
    assert!(
        table.stdout.contains("space/line\\nbreak.txt"),
        "{}",
        table.stdout
    );
}

/// The default limit is 64 MiB per document: a 200 MiB file is skipped without being read, so
/// the build takes no longer and no more memory than without it.
#[test]
fn a_200_mb_document_is_skipped_as_too_large() {
    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    let huge = root.join("space/huge.txt");
    let mut file = fs::File::create(&huge).expect("create");
    let block = SUBJECTS[0].1.join(" ").repeat(4096);
    let mut written = 0;
    while written < 200 << 20 {
        let n = block.len().min((200 << 20) - written);
        file.write_all(&block.as_bytes()[..n]).expect("write");
        written += n;
    }
    drop(file);

    let (_, run) = build(dir.path(), &root, &[]);
    run.ends(
        0,
        &[
            "skipped space/huge.txt: too large: 200 MiB is over the 64 MiB limit for one \
             document (--max-document-mb raises it)",
            "indexed 30 documents (1 skipped)",
        ],
    );
}

#[test]
fn the_size_limit_is_a_setting() {
    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    let big = SUBJECTS[1].1.join(" ").repeat(8000);
    assert!(big.len() > 1 << 20);
    write(&root.join("health/big.txt"), big.as_bytes());

    let (_, run) = build(dir.path(), &root, &["--max-document-mb", "1"]);
    run.ends(
        0,
        &[
            "skipped health/big.txt: too large: 1.9 MiB is over the 1 MiB limit",
            "indexed 30 documents (1 skipped)",
        ],
    );
    let (_, run) = build(dir.path(), &root, &[]);
    run.ends(0, &["indexed 31 documents (0 skipped)"]);
    on_shared_index(
        &["build", &text_of(&root), "--max-document-mb", "0"],
        2,
        &["--max-document-mb", "0"],
    );
}

/// A 50 MiB line is under the size limit: it is read and indexed as one document.
#[test]
fn a_50_mb_line_without_newline_is_one_document() {
    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    let sentence = format!("{} ", SUBJECTS[2].1[0]);
    let line = sentence.repeat((50 << 20) / sentence.len() + 1);
    write(
        &root.join("cars/one-line.txt"),
        &line.as_bytes()[..50 << 20],
    );
    let (index, run) = build(dir.path(), &root, &[]);
    run.ends(0, &["indexed 31 documents (0 skipped)"]);
    assert!(
        exported_ids(&index)
            .iter()
            .any(|id| id == "cars/one-line.txt")
    );
}

// ---- encodings ----

#[test]
fn latin1_is_decoded_leniently_and_counted() {
    let best = best_for("zürich");
    assert_eq!(best["id"], "enc/latin1.txt");
    assert_eq!(
        best["title"],
        "Café crème in Zürich: the naïve maître ordered crème brûlée."
    );
    // Latin-1 and Windows-1252 are the two lenient documents.
    shared().build.ends(0, &["2 decoded leniently"]);
}

#[test]
fn windows_1252_has_its_quotes_and_euro_sign() {
    let best = best_for("wolfsburg");
    assert_eq!(best["id"], "enc/windows1252.txt");
    assert_eq!(
        best["title"],
        "“Quoted” prices in Wolfsburg rose – to 5€ for a coffee."
    );
}

#[test]
fn utf16_with_a_byte_order_mark_is_decoded() {
    let best = best_for("quokka");
    assert_eq!(best["id"], "enc/utf16le.txt");
    assert_eq!(
        best["title"],
        "Quokka sightings on the island delight visitors."
    );
    let best = best_for("kakapo");
    assert_eq!(best["id"], "enc/utf16be.txt");
    assert_eq!(best["title"], "Kakapo parrots cannot fly but climb trees.");
}

#[test]
fn nul_bytes_in_the_first_8_kib_skip_the_document_as_binary() {
    shared().build.ends(
        0,
        &["skipped enc/nul.txt: binary file: NUL bytes", "(1 skipped,"],
    );
    on_shared_index(
        &["query", "okapi"],
        1,
        &["\"okapi\"", "no word of the index's vocabulary"],
    );
    // A NUL past the first 8 KiB is kept, and only separates words.
    assert_eq!(best_for("pangolin")["id"], "enc/nul-late.txt");
}

#[test]
fn a_utf8_byte_order_mark_is_dropped() {
    let best = best_for("zeppelin");
    assert_eq!(best["id"], "enc/utf8-bom.txt");
    assert_eq!(best["title"], "Zeppelin airships floated over the harbour.");
}

#[test]
fn mixed_line_endings_all_end_lines() {
    let best = best_for("narwhal");
    assert_eq!(best["id"], "enc/line-endings.txt");
    assert_eq!(best["title"], "Narwhal tusks are teeth");
    assert_eq!(best_for("spiral")["id"], "enc/line-endings.txt");
    assert_eq!(best_for("arctic")["id"], "enc/line-endings.txt");
}

// ---- archives ----

/// The bytes of a `.tar.gz` of `members` (raw name, contents), names written as given.
fn tar_gz(members: &[(&[u8], &[u8])]) -> Vec<u8> {
    let gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(gzip);
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        // The raw name field, so that `..` and absolute paths reach the archive unchanged.
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_cksum();
        builder.append(&header, *data).expect("append");
    }
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// The documents of [`documents`] as archive members.
fn document_members() -> Vec<(Vec<u8>, Vec<u8>)> {
    documents()
        .into_iter()
        .map(|(path, text)| (path.into_bytes(), text.into_bytes()))
        .collect()
}

fn as_members(owned: &[(Vec<u8>, Vec<u8>)]) -> Vec<(&[u8], &[u8])> {
    owned
        .iter()
        .map(|(n, d)| (n.as_slice(), d.as_slice()))
        .collect()
}

#[test]
fn a_truncated_tar_gz_is_an_error_naming_it() {
    let dir = TempDir::new().expect("temp dir");
    let members = document_members();
    let bytes = tar_gz(&as_members(&members));
    let path = dir.path().join("corpus.tar.gz");
    fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    on_shared_index(
        &["build", &text_of(&path)],
        1,
        &[&text_of(&path), "damaged or truncated", "pack it again"],
    );
}

#[test]
fn a_file_only_named_like_gzip_is_an_error_saying_so() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("corpus.tar.gz");
    fs::write(&path, "id,text\n1,this is a CSV file with the wrong name\n").expect("write");
    on_shared_index(
        &["build", &text_of(&path)],
        1,
        &[&text_of(&path), "is not gzip-compressed", "69 64 2c 74"],
    );
}

#[test]
fn members_with_dot_dot_or_absolute_paths_are_only_ids() {
    let dir = TempDir::new().expect("temp dir");
    let mut members = document_members();
    let text = b"The comet passed close to the moon and the planet.".to_vec();
    members.push((b"../escaped/comet.txt".to_vec(), text.clone()));
    members.push((b"/tmp/topics-absolute/comet.txt".to_vec(), text));
    let path = dir.path().join("corpus.tar.gz");
    fs::write(&path, tar_gz(&as_members(&members))).expect("write");
    let absolute = Path::new("/tmp/topics-absolute");
    assert!(
        !absolute.exists(),
        "{} exists before the test",
        absolute.display()
    );

    let (index, run) = build(dir.path(), &path, &[]);
    run.ends(0, &["indexed 32 documents (0 skipped)"]);
    let ids = exported_ids(&index);
    assert!(ids.iter().any(|id| id == "../escaped/comet.txt"), "{ids:?}");
    assert!(
        ids.iter().any(|id| id == "tmp/topics-absolute/comet.txt"),
        "{ids:?}"
    );
    let parent = dir.path().parent().expect("parent");
    assert!(!parent.join("escaped").exists() && !dir.path().join("escaped").exists());
    assert!(!absolute.exists());
}

/// 100,000 empty members: each is skipped, 20 are named one by one, the rest counted.
#[test]
fn a_tar_bomb_of_empty_members_is_skipped_and_counted() {
    let dir = TempDir::new().expect("temp dir");
    let mut members = document_members();
    members.extend((0..100_000).map(|i| (format!("bomb/{i}").into_bytes(), Vec::new())));
    let path = dir.path().join("bomb.tar.gz");
    fs::write(&path, tar_gz(&as_members(&members))).expect("write");

    let (_, run) = build(dir.path(), &path, &[]);
    run.ends(
        0,
        &[
            "skipped bomb/0: empty",
            "skipped bomb/19: empty",
            "99980 more documents skipped, not listed one by one; most often: empty (100000×)",
            "indexed 30 documents (100000 skipped)",
        ],
    );
    assert!(!run.stderr.contains("skipped bomb/20:"), "{}", run.stderr);
    assert!(run.stderr.lines().count() < 100, "{}", run.stderr);
}

// ---- JSON Lines and CSV ----

/// Writes `contents` to `dir/name`.
fn record_file(dir: &TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, contents).expect("write");
    path
}

const GOOD_LINE: &str = r#"{"id": "a", "text": "The rocket reached orbit."}"#;

#[test]
fn a_broken_json_line_is_an_error_with_its_line_number() {
    let dir = TempDir::new().expect("temp dir");
    let path = record_file(
        &dir,
        "corpus.jsonl",
        &format!("{GOOD_LINE}\n\n{{\"id\": \"b\", \"text\": \n"),
    );
    let needle = format!("{}, line 3: invalid JSON", path.display());
    on_shared_index(&["build", &text_of(&path)], 1, &[&needle]);
}

#[test]
fn a_missing_text_field_is_an_error_with_its_line_number() {
    let dir = TempDir::new().expect("temp dir");
    let path = record_file(
        &dir,
        "corpus.jsonl",
        &format!("{GOOD_LINE}\n{{\"id\": \"b\", \"body\": \"x\"}}\n"),
    );
    let needle = format!(
        "{}, line 2: missing `text` (document \"b\")",
        path.display()
    );
    on_shared_index(&["build", &text_of(&path)], 1, &[&needle]);
}

#[test]
fn a_missing_text_column_is_an_error_listing_the_columns() {
    let dir = TempDir::new().expect("temp dir");
    let path = record_file(&dir, "corpus.csv", "id,body\n1,The rocket reached orbit.\n");
    on_shared_index(
        &["build", &text_of(&path)],
        1,
        &[&text_of(&path), "no `text` column", "\"id\", \"body\""],
    );
}

#[test]
fn text_that_is_not_a_string_is_an_error_with_its_line_number() {
    let dir = TempDir::new().expect("temp dir");
    let path = record_file(
        &dir,
        "corpus.jsonl",
        &format!("{GOOD_LINE}\n{{\"id\": \"b\", \"text\": [\"orbit\"]}}\n"),
    );
    let needle = format!(
        "{}, line 2: `text` is not a string but an array",
        path.display()
    );
    on_shared_index(&["build", &text_of(&path)], 1, &[&needle]);
}

#[test]
fn duplicate_ids_are_an_error_naming_both_lines() {
    let dir = TempDir::new().expect("temp dir");
    let path = record_file(
        &dir,
        "corpus.jsonl",
        &format!("{GOOD_LINE}\n{{\"id\": \"b\", \"text\": \"x\"}}\n{GOOD_LINE}\n"),
    );
    let needle = format!(
        "{}, line 3: id \"a\" is also used by line 1; ids must be unique",
        path.display()
    );
    on_shared_index(&["build", &text_of(&path)], 1, &[&needle]);

    let path = record_file(&dir, "corpus.csv", "id,text\n1,orbit\n2,moon\n1,again\n");
    let needle = format!(
        "{}, line 4: id \"1\" is also used by line 2",
        path.display()
    );
    on_shared_index(&["build", &text_of(&path)], 1, &[&needle]);
}

#[test]
fn an_empty_id_is_an_error_with_its_line_number() {
    let dir = TempDir::new().expect("temp dir");
    let path = record_file(
        &dir,
        "corpus.jsonl",
        &format!("{GOOD_LINE}\n{{\"id\": \"  \", \"text\": \"x\"}}\n"),
    );
    let needle = format!("{}, line 2: empty id", path.display());
    on_shared_index(&["build", &text_of(&path)], 1, &[&needle]);

    let path = record_file(&dir, "corpus.csv", "id,text\n1,orbit\n,moon\n");
    let needle = format!("{}, line 3: empty id", path.display());
    on_shared_index(&["build", &text_of(&path)], 1, &[&needle]);
}

#[test]
fn a_header_only_csv_is_an_error_saying_nothing_was_found() {
    let dir = TempDir::new().expect("temp dir");
    let path = record_file(&dir, "corpus.csv", "id,text,label\n");
    on_shared_index(
        &["build", &text_of(&path)],
        1,
        &[&text_of(&path), "no documents found", "none skipped"],
    );
}

// ---- settings and queries ----

#[test]
fn vocab_0_is_an_error_naming_the_setting() {
    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    on_shared_index(
        &["build", &text_of(&root), "--vocab", "0"],
        1,
        &["invalid setting --vocab 0", "at least one stem"],
    );
}

#[test]
fn dims_0_is_an_error_naming_the_setting() {
    let dir = TempDir::new().expect("temp dir");
    let root = corpus(dir.path(), "corpus");
    on_shared_index(
        &["build", &text_of(&root), "--dims", "0"],
        1,
        &["invalid setting --dims 0", "at least one number"],
    );
}

#[test]
fn layer_widths_that_do_not_fit_are_errors_naming_them() {
    let dir = TempDir::new().expect("temp dir");
    let root = text_of(&corpus(dir.path(), "corpus"));
    on_shared_index(
        &["build", &root, "--layers", "100,0"],
        1,
        &["invalid setting --layers 100,0", "at least one unit"],
    );
    on_shared_index(
        &["build", &root, "--layers", "100,wide"],
        2,
        &["\"wide\" is not a layer width"],
    );
    on_shared_index(
        &["build", &root, "--layers", "1000000,1000"],
        1,
        &[
            "invalid setting --layers 1000000,1000",
            "2000-1000000-1000-10",
            "would have 3000010000 weights",
            "narrower layers or a smaller --vocab",
        ],
    );
}

#[test]
fn k_0_is_a_usage_error() {
    on_shared_index(&["query", "rocket", "-k", "0"], 2, &["'-k <K>'", "'0'"]);
    on_shared_index(
        &["query", "rocket", "--rerank", "--shortlist", "0"],
        2,
        &["'--shortlist <N>'", "'0'"],
    );
}

#[test]
fn an_empty_query_is_a_usage_error() {
    for empty in ["", "   "] {
        on_shared_index(&["query", empty], 2, &["the query is empty"]);
    }
}

#[test]
fn a_query_of_stop_words_or_unknown_words_is_an_error_saying_which() {
    on_shared_index(
        &["query", "what is the of and"],
        1,
        &[
            "\"what is the of and\" has no word of the index's vocabulary",
            "only stop words",
        ],
    );
    on_shared_index(
        &["query", "the zzyzx of xyzzy"],
        1,
        &["none of its words (zzyzx, xyzzy) is in the vocabulary"],
    );

    // In a file of queries such a line is skipped, named by its number.
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("queries.txt");
    fs::write(&path, "\nwhat is the of and\nrocket orbit\n").expect("write");
    let needle = format!(
        "{}, line 2: the query \"what is the of and\" has no word of the index's vocabulary",
        path.display()
    );
    let run = on_shared_index(
        &["query", "--file", &text_of(&path), "-k", "2"],
        0,
        &[&needle, "1 of 2 queries skipped"],
    );
    assert!(
        run.stdout.starts_with("query: rocket orbit\n"),
        "{}",
        run.stdout
    );
}

/// A query longer than 64 KiB is refused: on the command line as a usage error, in a file of
/// queries by skipping its line with a warning; when no query is left, that is an error.
#[test]
fn a_10_mb_query_is_refused_naming_its_line() {
    let dir = TempDir::new().expect("temp dir");
    let huge = "rocket orbit moon ".repeat((10 << 20) / 18 + 1);
    let path = dir.path().join("queries.txt");
    fs::write(&path, format!("{huge}\n")).expect("write");
    on_shared_index(
        &["query", "--file", &text_of(&path)],
        1,
        &[
            &format!(
                "{}, line 1: the query has {} bytes",
                path.display(),
                huge.len()
            ),
            "more than the 64 KiB a query may have",
            "none of its 1 queries could be answered",
        ],
    );

    fs::write(&path, format!("{huge}\nrocket orbit\n")).expect("write");
    let run = on_shared_index(
        &["query", "--file", &text_of(&path), "-k", "2"],
        0,
        &["line 1: the query has", "1 of 2 queries skipped"],
    );
    assert!(
        run.stdout.starts_with("query: rocket orbit\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);

    // The command line takes up to 128 KiB an argument, so 100 KB stands for 10 MB there.
    let long = "rocket ".repeat(100_000 / 7);
    on_shared_index(
        &["query", long.as_str()],
        2,
        &["more than the 64 KiB a query may have"],
    );
}

#[test]
fn a_seed_outside_the_range_is_a_usage_error() {
    let dir = TempDir::new().expect("temp dir");
    let root = text_of(&corpus(dir.path(), "corpus"));
    for seed in ["-1", "18446744073709551616", "seven"] {
        on_shared_index(
            &["build", &root, "--seed", seed],
            2,
            &[&format!("invalid value '{seed}' for '--seed <SEED>'")],
        );
    }
}
