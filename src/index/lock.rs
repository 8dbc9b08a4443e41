//! Claiming an index for a change, and clearing what interrupted changes left beside it.
//!
//! Everything a writer puts beside the index `NAME` is named after it, in the same folder:
//! the lock file `.NAME.lock`, the staging directories `.NAME.staging-XXXXXX` a save writes the
//! new index into, and `.NAME.old-PID`, where a save that cannot exchange two directories in one
//! step moves the old index for a moment. A process killed in the middle of a save leaves its
//! staging directory (or the old index) behind; the next writer of the same index, holding the
//! lock, removes them, so they never pile up and another index's files are never touched.

use std::fs;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The random characters tempfile appends to a staging directory's prefix.
const STAGING_RANDOM: usize = 6;

/// An exclusive claim on changing one index, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
}

/// Claims the right to change the index at `dir` (build, add, remove): a lock file beside it,
/// `.NAME.lock`. A second claim while one is held fails at once with a message that says so.
///
/// Holding the lock, it clears what interrupted saves of this index left (see
/// [`remove_leftovers`]); the lock is released by the system when its process dies, however it
/// dies, so a killed command never blocks the next one.
pub fn lock(dir: &Path) -> Result<Lock> {
    let parent = parent_made(dir)?;
    let path = parent.join(format!(".{}.lock", index_name(dir)));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => {
            remove_leftovers(dir)?;
            Ok(Lock { _file: file })
        }
        Err(fs::TryLockError::WouldBlock) => Err(Error::index(
            dir,
            "is being changed by another topics command (build, add or remove); try again when \
             it has finished",
        )),
        Err(fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// The folder that holds `dir` (`.` for a bare name), created if missing.
pub(super) fn parent_made(dir: &Path) -> Result<PathBuf> {
    let parent = parent_of(dir);
    fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    Ok(parent)
}

fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The last component of `dir`, which names everything beside it.
fn index_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".to_string())
}

/// A new, empty staging directory for the index at `dir`, in the folder `parent` that holds it.
pub(super) fn staging_dir(dir: &Path, parent: &Path) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&staging_prefix(dir))
        .rand_bytes(STAGING_RANDOM)
        .tempdir_in(parent)
        .map_err(|e| Error::staging(parent, e))
}

fn staging_prefix(dir: &Path) -> String {
    format!(".{}.staging-", index_name(dir))
}

/// Where a save that cannot exchange directories moves the old index at `dir` for a moment.
pub(super) fn old_dir(dir: &Path, parent: &Path) -> PathBuf {
    parent.join(format!("{}{}", old_prefix(dir), std::process::id()))
}

fn old_prefix(dir: &Path) -> String {
    format!(".{}.old-", index_name(dir))
}

/// What an interrupted save can leave beside an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leftover {
    /// A staging directory: a new index, complete or not, or the old one after the exchange.
    Staging,
    /// The old index, moved aside by a save that renames in two steps.
    Old,
}

/// The staging and old directories of the index at `dir` that are beside it now, by path.
///
/// Only names this module makes count: the prefix, then six random letters and digits (staging)
/// or a process id (old). So `.a.staging-…` of an index named `a.staging-x` never passes for
/// one of `a`'s.
pub fn leftovers(dir: &Path) -> Result<Vec<(PathBuf, Leftover)>> {
    let parent = parent_of(dir);
    let (staging, old) = (staging_prefix(dir), old_prefix(dir));
    let entries = match fs::read_dir(&parent) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&parent, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&parent, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = if let Some(rest) = name.strip_prefix(&staging) {
            let random =
                rest.len() == STAGING_RANDOM && rest.chars().all(|c| c.is_ascii_alphanumeric());
            random.then_some(Leftover::Staging)
        } else if let Some(rest) = name.strip_prefix(&old) {
            let pid = !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit());
            pid.then_some(Leftover::Old)
        } else {
            None
        };
        if let Some(kind) = kind {
            found.push((entry.path(), kind));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// Removes the staging and old directories that interrupted saves of the index at `dir` left
/// beside it. Call it only while holding the index's [`Lock`], so that no save is using them.
///
/// Where `dir` holds no index but an old one was moved aside by a save killed between its two
/// renames, that old index is put back first: the interrupted change is undone. A leftover that
/// cannot be removed is only a warning; it takes space but does no harm.
pub fn remove_leftovers(dir: &Path) -> Result<()> {
    let found = leftovers(dir)?;
    let moved_aside = found
        .iter()
        .find(|(path, kind)| *kind == Leftover::Old && super::store::is_index(path));
    if let Some((old, _)) = moved_aside
        && !super::store::is_index(dir)
    {
        // The save was killed between its renames, so `dir` is absent (or an empty folder
        // made since); anything else there makes the rename fail, and the error names it.
        let _ = fs::remove_dir(dir);
        fs::rename(old, dir).map_err(|e| Error::io(old, e))?;
        tracing::info!(
            "{}: put back the index that an interrupted save had moved to {}",
            dir.display(),
            old.display()
        );
    }
    for (path, _) in found.iter().filter(|(path, _)| path.exists()) {
        match fs::remove_dir_all(path) {
            Ok(()) => tracing::info!(
                "removed {}, left by an interrupted save of {}",
                path.display(),
                dir.display()
            ),
            Err(e) => tracing::warn!(
                "cannot remove {}, left by an interrupted save of {}: {e}",
                path.display(),
                dir.display()
            ),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Makes `path` a directory that passes for an index (it has a manifest).
    fn fake_index(path: &Path, marker: &str) {
        fs::create_dir_all(path).expect("dir");
        fs::write(path.join("manifest.json"), marker).expect("manifest");
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("readable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_second_lock_on_one_index_fails_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("index");
        let first = lock(&path).expect("first lock");
        let message = lock(&path).expect_err("second lock").to_string();
        assert!(message.contains("another topics command"), "{message}");
        drop(first);
        lock(&path).expect("free again");
    }

    #[test]
    fn staging_directories_are_named_for_their_index() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = dir.path().join("notes");
        let staging = staging_dir(&index, dir.path()).expect("staging");
        let name = staging.path().file_name().expect("name").to_string_lossy();
        assert!(name.starts_with(".notes.staging-"), "{name}");
        assert_eq!(
            leftovers(&index).expect("listed"),
            vec![(staging.path().to_path_buf(), Leftover::Staging)]
        );
    }

    #[test]
    fn the_lock_removes_this_index_s_leftovers_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = dir.path().join("index");
        fake_index(&index, "current");
        for ours in [
            ".index.staging-a1B2c3",
            ".index.staging-zzzzzz",
            ".index.old-4242",
        ] {
            fake_index(&dir.path().join(ours), "stale");
        }
        let theirs = [
            ".index2.staging-a1B2c3",
            ".other.staging-a1B2c3",
            ".index.staging-x.staging-a1B2c3",
            ".index.staging-toolong",
            ".index.old-",
            ".index.old-12x",
        ];
        for name in theirs {
            fs::create_dir(dir.path().join(name)).expect("dir");
        }
        assert_eq!(leftovers(&index).expect("listed").len(), 3);

        let held = lock(&index).expect("locked");
        let mut expected: Vec<String> = theirs.iter().map(|n| n.to_string()).collect();
        expected.extend([".index.lock".to_string(), "index".to_string()]);
        expected.sort();
        assert_eq!(names(dir.path()), expected);
        assert_eq!(
            fs::read_to_string(index.join("manifest.json")).expect("manifest"),
            "current"
        );
        drop(held);
    }

    #[test]
    fn an_index_moved_aside_by_a_killed_save_is_put_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = dir.path().join("index");
        fake_index(&dir.path().join(".index.old-77"), "previous");
        fake_index(&dir.path().join(".index.staging-Qw3rty"), "new");

        let _held = lock(&index).expect("locked");
        assert_eq!(
            fs::read_to_string(index.join("manifest.json")).expect("manifest"),
            "previous"
        );
        assert_eq!(names(dir.path()), [".index.lock", "index"]);
    }
}
