//! Reading a directory tree: one document per regular file, labelled by its folder.
//!
//! A document's id is its path relative to the directory given, with `/` between components; its
//! label is the name of the folder that holds it, and a file at the top has none. The walk is in
//! sorted order, so two reads of the same tree agree. Hidden files and folders (names starting
//! with `.`) are passed over silently; files that cannot be read or are over the size limit,
//! symbolic-link loops and broken links are skipped with a reason, so one bad file does not stop
//! a read of thousands. A name with a newline or another control character keeps it in its id;
//! log lines show it escaped.

use std::borrow::Cow;
use std::path::Path;

use walkdir::{DirEntry, WalkDir};

use super::ReadReport;
use super::collect::{Collector, Filter, Origin};
use crate::progress::Progress;
use crate::{Error, Result};

/// What the walk found at one path, in walk order.
pub(super) enum Found {
    /// A regular file, not yet read.
    File {
        id: String,
        labels: Vec<String>,
        entry: DirEntry,
    },
    /// Something the walk could not look at or that is no file, with the id it would have had.
    Unreachable {
        id: String,
        reason: String,
        origin: String,
    },
}

impl Found {
    fn id(&self) -> &str {
        match self {
            Found::File { id, .. } | Found::Unreachable { id, .. } => id,
        }
    }
}

/// Reads every regular file under `root`.
pub(crate) fn read(root: &Path, filter: &Filter, progress: &dyn Progress) -> Result<ReadReport> {
    let found = walk(root)?;

    let mut collector = Collector::new(root, filter, progress, found.len() as u64);
    for found in found {
        if !collector.wants(found.id()) {
            continue;
        }
        match found {
            Found::File { id, labels, entry } => {
                let origin = Origin::File(format!("{:?}", entry.path()));
                collector.add_file(id, labels, entry.path(), origin)?;
            }
            Found::Unreachable { id, reason, origin } => {
                collector.skip(id, reason, Origin::File(origin))?;
            }
        }
    }
    collector.finish("regular files in the directory tree, hidden ones excepted")
}

/// Lists the regular files under `root` in sorted order, and what could not be looked at.
pub(super) fn walk(root: &Path) -> Result<Vec<Found>> {
    let mut found = Vec::new();

    // Links are followed so that a linked file or folder counts; walkdir notices loops and
    // reports them as errors instead of descending forever.
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let Some(path) = e.path().filter(|_| e.depth() > 0) else {
                    // The root itself could not be listed: nothing can be read.
                    let source = e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("the directory cannot be walked"));
                    return Err(Error::io(root, source));
                };
                let (id, _) = relative_id(root, path);
                let origin = format!("{path:?}");
                let reason = walk_error_reason(&e);
                found.push(Found::Unreachable { id, reason, origin });
                continue;
            }
        };

        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        let (id, labels) = relative_id(root, entry.path());
        if !file_type.is_file() {
            found.push(Found::Unreachable {
                id,
                reason: "not a regular file (a socket, pipe or device)".to_string(),
                origin: format!("{:?}", entry.path()),
            });
            continue;
        }
        found.push(Found::File { id, labels, entry });
    }
    Ok(found)
}

/// Whether a file or folder is hidden, by the Unix convention of a leading dot.
fn is_hidden(entry: &DirEntry) -> bool {
    let hidden = entry.file_name().as_encoded_bytes().starts_with(b".");
    if hidden {
        tracing::debug!(path = %entry.path().display(), "passed over because it is hidden");
    }
    hidden
}

/// Why the walk could not look at something.
fn walk_error_reason(e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "symbolic link loop: it leads back to {}, which is already being read",
            ancestor.display()
        );
    }
    match e.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "broken symbolic link: its target does not exist".to_string()
        }
        Some(io) => format!("cannot be read: {io}"),
        None => format!("cannot be read: {e}"),
    }
}

/// The id of `path` below `root` and its label, the name of the folder that holds it.
///
/// Components that are not valid UTF-8 are converted lossily, and a warning says so.
fn relative_id(root: &Path, path: &Path) -> (String, Vec<String>) {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut lossy = false;
    let components: Vec<String> = relative
        .components()
        .map(|component| {
            let name = component.as_os_str().to_string_lossy();
            lossy |= matches!(name, Cow::Owned(_));
            name.into_owned()
        })
        .collect();
    let id = components.join("/");
    if lossy {
        tracing::warn!(
            "file name {relative:?} is not valid UTF-8; its id {id:?} replaces the invalid bytes"
        );
    }

    let labels = match components.as_slice() {
        [.., folder, _file] => vec![folder.clone()],
        _ => Vec::new(),
    };
    (id, labels)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::*;
    use crate::corpus::Document;
    use crate::corpus::tests::{input_message, read_with};

    /// Writes `files` (relative path, contents) under a fresh temporary directory.
    fn tree(files: &[(&str, &[u8])]) -> Result<tempfile::TempDir> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        for (name, contents) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            fs::write(&path, contents).map_err(|e| Error::io(&path, e))?;
        }
        Ok(dir)
    }

    fn ids(report: &ReadReport) -> Vec<&str> {
        report.documents.iter().map(|d| d.id.as_str()).collect()
    }

    fn skip_reason<'r>(report: &'r ReadReport, id: &str) -> Option<&'r str> {
        report
            .skipped
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.reason.as_str())
    }

    #[test]
    fn ids_are_relative_paths_and_labels_are_folders() -> Result<()> {
        let dir = tree(&[
            ("train/sci.space/2", b"orbit"),
            ("train/sci.space/1", b"rocket"),
            ("train/rec.autos/9", b"engine"),
            ("top.txt", b"at the top"),
        ])?;
        let report = read_with(dir.path(), &[], &[])?;
        assert_eq!(
            ids(&report),
            [
                "top.txt",
                "train/rec.autos/9",
                "train/sci.space/1",
                "train/sci.space/2"
            ]
        );
        assert_eq!(
            report.documents[2],
            Document {
                id: "train/sci.space/1".to_string(),
                labels: vec!["sci.space".to_string()],
                text: "rocket".to_string(),
            }
        );
        assert!(report.documents[0].labels.is_empty());
        Ok(())
    }

    #[test]
    fn include_and_exclude_select_by_id() -> Result<()> {
        let dir = tree(&[
            ("train/a/1", b"one"),
            ("train/b/2", b"two"),
            ("test/a/3", b"three"),
            ("train/4", b"four"),
        ])?;
        let report = read_with(dir.path(), &["train/**"], &["**/b/*"])?;
        assert_eq!(ids(&report), ["train/4", "train/a/1"]);
        assert_eq!(report.filtered, 2);

        let report = read_with(dir.path(), &["train/*"], &[])?;
        assert_eq!(ids(&report), ["train/4"], "`*` must not cross folders");
        Ok(())
    }

    #[test]
    fn nothing_selected_suggests_checking_the_patterns() -> Result<()> {
        let dir = tree(&[("a/1", b"one")])?;
        let message = input_message(read_with(dir.path(), &["b/**"], &[]));
        assert!(message.contains("no documents found"), "{message}");
        assert!(message.contains("check those patterns"), "{message}");
        Ok(())
    }

    #[test]
    fn hidden_files_and_folders_are_passed_over() -> Result<()> {
        let dir = tree(&[
            (".git/config", b"x"),
            ("a/.DS_Store", b"y"),
            ("a/1", b"one"),
        ])?;
        let report = read_with(dir.path(), &[], &[])?;
        assert_eq!(ids(&report), ["a/1"]);
        assert!(report.skipped.is_empty());
        Ok(())
    }

    #[test]
    fn empty_binary_and_latin1_files() -> Result<()> {
        let dir = tree(&[
            ("a/empty", b""),
            ("a/blank", b"  \n\n"),
            ("a/image", b"GIF89a\0\x01\0"),
            ("a/latin1", b"caf\xE9"),
            ("a/utf8", "café".as_bytes()),
        ])?;
        let report = read_with(dir.path(), &[], &[])?;
        assert_eq!(ids(&report), ["a/latin1", "a/utf8"]);
        assert_eq!(report.documents[0].text, "café");
        assert_eq!(report.lenient, 1);
        assert_eq!(skip_reason(&report, "a/empty"), Some("empty"));
        assert_eq!(skip_reason(&report, "a/blank"), Some("empty"));
        assert_eq!(
            skip_reason(&report, "a/image"),
            Some("binary file: NUL bytes")
        );
        Ok(())
    }

    #[test]
    fn only_skipped_files_is_an_error_naming_the_reason() -> Result<()> {
        let dir = tree(&[("a", b""), ("b", b""), ("c", b"\0")])?;
        let message = input_message(read_with(dir.path(), &[], &[]));
        assert!(
            message.contains("3 skipped, most often because: empty (2×)"),
            "{message}"
        );
        assert!(!message.contains("--include"), "{message}");
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_skipped_not_followed_forever() -> Result<()> {
        let dir = tree(&[("a/1", b"one")])?;
        let link = dir.path().join("a/loop");
        std::os::unix::fs::symlink(dir.path().join("a"), &link).map_err(|e| Error::io(&link, e))?;
        let broken = dir.path().join("a/broken");
        std::os::unix::fs::symlink("/no/such/target", &broken)
            .map_err(|e| Error::io(&broken, e))?;

        let report = read_with(dir.path(), &[], &[])?;
        assert_eq!(ids(&report), ["a/1"]);
        let reason = skip_reason(&report, "a/loop").unwrap_or_default();
        assert!(reason.starts_with("symbolic link loop"), "{reason}");
        let reason = skip_reason(&report, "a/broken").unwrap_or_default();
        assert!(reason.starts_with("broken symbolic link"), "{reason}");
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_files_are_skipped_with_a_reason() -> Result<()> {
        use std::os::unix::fs::PermissionsExt;

        let dir = tree(&[("a/1", b"one"), ("a/secret", b"two")])?;
        let secret = dir.path().join("a/secret");
        fs::set_permissions(&secret, fs::Permissions::from_mode(0o000))
            .map_err(|e| Error::io(&secret, e))?;
        if fs::read(&secret).is_ok() {
            eprintln!("skipping: running with privileges that read any file (root?)");
            return Ok(());
        }
        let report = read_with(dir.path(), &[], &[])?;
        assert_eq!(ids(&report), ["a/1"]);
        let reason = skip_reason(&report, "a/secret").unwrap_or_default();
        assert!(reason.starts_with("cannot be read"), "{reason}");
        Ok(())
    }

    /// A read that fails even for root: `/proc/self/mem` cannot be read from offset 0.
    #[cfg(target_os = "linux")]
    #[test]
    fn read_errors_are_skipped_not_fatal() -> Result<()> {
        let dir = tree(&[("a/1", b"one")])?;
        let link = dir.path().join("a/mem");
        std::os::unix::fs::symlink("/proc/self/mem", &link).map_err(|e| Error::io(&link, e))?;
        let report = read_with(dir.path(), &[], &[])?;
        assert_eq!(ids(&report), ["a/1"]);
        let reason = skip_reason(&report, "a/mem").unwrap_or_default();
        assert!(reason.starts_with("cannot be read"), "{reason}");
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_get_lossy_ids() -> Result<()> {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;

        let dir = tree(&[])?;
        let folder = dir.path().join(OsStr::from_bytes(b"gr\xFCn"));
        fs::create_dir(&folder).map_err(|e| Error::io(&folder, e))?;
        let file: PathBuf = folder.join("1");
        fs::write(&file, "text").map_err(|e| Error::io(&file, e))?;

        let report = read_with(dir.path(), &[], &[])?;
        assert_eq!(ids(&report), ["gr\u{FFFD}n/1"]);
        assert_eq!(report.documents[0].labels, ["gr\u{FFFD}n"]);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn lossy_ids_that_collide_are_an_error() -> Result<()> {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;

        let dir = tree(&[])?;
        for name in [&b"a\xFC"[..], &b"a\xFD"[..]] {
            let path = dir.path().join(OsStr::from_bytes(name));
            fs::write(&path, "text").map_err(|e| Error::io(&path, e))?;
        }
        let message = input_message(read_with(dir.path(), &[], &[]));
        assert!(message.contains("occurs twice"), "{message}");
        assert!(message.contains("ids must be unique"), "{message}");
        Ok(())
    }
}
