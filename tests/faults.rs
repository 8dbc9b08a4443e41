//! Faults of the machine rather than of the input, given to the real binary: a disk that is
//! full when an index is written.
//!
//! The disk is a small tmpfs the test mounts, so it needs root (or the right to mount); without
//! it the test says why it skipped and passes. Commands killed at many points of their run are
//! the subject of `scripts/kill.sh`, which is too slow for `cargo test`; `docs/faults.md`
//! describes both.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;

const CDC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/medquad/cdc");

/// Settings for a model of 261 documents that trains in about a second.
const TINY: &[&str] = &[
    "--vocab", "300", "--layers", "32", "--dims", "4", "--epochs", "2", "--topics", "3", "-q",
];

/// The size of the file system: an index of these settings takes about 0.4 MB.
const TMPFS_SIZE: &str = "8m";

/// Longer than any command here needs; a run past it has hung.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// A tmpfs mounted on a temporary folder, unmounted when dropped (also when a test fails).
struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` on a new temporary folder, or says why it cannot.
    fn mount(size: &str) -> Result<Tmpfs, String> {
        if !is_root() {
            return Err("not running as root".to_string());
        }
        let dir = TempDir::new().map_err(|e| format!("no temporary folder: {e}"))?;
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            // Busy (a child still running after a failed assertion): detach it instead.
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// Whether this process runs with the effective user id 0.
fn is_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1).map(|e| e == "0"))
            .unwrap_or(false)
    })
}

/// How a run of the binary ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `topics args…` with a time limit.
fn run(args: &[&str]) -> Run {
    let output = assert_cmd::Command::cargo_bin("topics")
        .expect("the binary is built for tests")
        .timeout(TIME_LIMIT)
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn text_of(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// The answers of the index at `index` to a few queries, by codes and by BM25 with codes.
fn answers(index: &Path) -> String {
    let mut all = String::new();
    for mode in [&[][..], &["--hybrid"][..]] {
        for question in [
            "how is the flu spread",
            "vaccine for children",
            "parasite in water",
        ] {
            let mut args = vec!["query", question, "-k", "5", "--index", text_of(index)];
            args.extend(mode);
            let run = run(&args);
            assert_eq!(run.code, Some(0), "query failed: {}", run.stderr);
            all.push_str(&run.stdout);
        }
    }
    all
}

/// What is in `folder` besides the index, its lock file and the filler: what a command left.
fn left_behind(folder: &Path) -> Vec<String> {
    fs::read_dir(folder)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !["index", ".index.lock", "filler"].contains(&name.as_str()))
        .collect()
}

/// Every file of the index at `index`, with its bytes.
fn files_of(index: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(index)
        .expect("index readable")
        .map(|e| {
            let path = e.expect("entry").path();
            let bytes = fs::read(&path).expect("index file");
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Writes zeros to `path` until the file system has no space left.
fn fill(path: &Path) {
    let mut file = fs::File::create(path).expect("filler");
    for chunk in [1 << 16, 4096, 1] {
        let zeros = vec![0u8; chunk];
        while file.write_all(&zeros).is_ok() {}
    }
    let _ = file.sync_all();
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_index_is_unchanged() {
    let tmpfs = match Tmpfs::mount(TMPFS_SIZE) {
        Ok(tmpfs) => tmpfs,
        Err(why) => {
            eprintln!("skipped a_full_disk_is_a_clear_error_and_the_index_is_unchanged: {why}");
            return;
        }
    };
    let index = tmpfs.path().join("index");
    let index_arg = text_of(&index);
    let mut args = vec!["build", CDC, "--exclude", "00004*", "--index", index_arg];
    args.extend(TINY);
    let built = run(&args);
    assert_eq!(
        built.code,
        Some(0),
        "the first build failed: {}",
        built.stderr
    );
    let before = answers(&index);
    let files = files_of(&index);
    fill(&tmpfs.path().join("filler"));

    let mut rebuild = vec!["build", CDC, "--seed", "7", "--index", index_arg];
    rebuild.extend(TINY);
    let add = [
        "add",
        CDC,
        "--include",
        "00004*",
        "-q",
        "--index",
        index_arg,
    ];
    let staging = format!("{}/.index.staging-", text_of(tmpfs.path()));
    for (command, args) in [("build", &rebuild[..]), ("add", &add[..])] {
        let run = run(args);
        assert_eq!(run.code, Some(1), "{command}: {}", run.stderr);
        let named = format!("cannot write the index to {index_arg}: {staging}");
        for needle in [
            named.as_str(),
            "No space left on device (os error 28); free some space on that disk",
            "the index that was there is unchanged",
        ] {
            assert!(
                run.stderr.contains(needle),
                "{command}: {needle:?} in {}",
                run.stderr
            );
        }
        assert_eq!(
            run.stderr.matches("No space left").count(),
            1,
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        let left = left_behind(tmpfs.path());
        assert!(left.is_empty(), "{command} left {left:?} behind");
        assert!(
            files_of(&index) == files,
            "{command} changed the index's files"
        );
        assert_eq!(answers(&index), before, "{command} changed the answers");
    }

    // With space again, the same add goes through.
    fs::remove_file(tmpfs.path().join("filler")).expect("filler removed");
    let run = run(&add);
    assert_eq!(run.code, Some(0), "add with space: {}", run.stderr);
    assert!(left_behind(tmpfs.path()).is_empty());
    assert!(answers(&index) != before, "the added documents answer");
}
