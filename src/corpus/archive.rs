//! Reading a gzip-compressed tar archive in one streaming pass, without unpacking it.
//!
//! A document's id is the member's path inside the archive with leading `./` and `/` removed
//! and `/` between components, so `./20news-bydate-train/sci.space/61234` becomes
//! `20news-bydate-train/sci.space/61234`; its label is the name of the folder that holds it.
//! Only regular-file members are documents; folders, links and device entries are ignored, and
//! hidden members (a component starting with `.`) are passed over as in a directory tree.
//! Member paths are only ever ids: nothing is written to disk, so `..` or absolute paths are
//! harmless. A member over the size limit is skipped without being read. A truncated or corrupt
//! archive, or a file that only has the name of one, is an error naming the archive, never a
//! panic.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::GzDecoder;

use super::ReadReport;
use super::collect::{Collector, Filter, Origin};
use crate::progress::Progress;
use crate::{Error, Result};

/// Read buffer between the file and the decompressor.
const BUFFER_LEN: usize = 256 * 1024;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: &[u8] = b"\x1f\x8b";

/// Reads every regular-file member of the `.tar.gz` archive at `path`.
pub(crate) fn read(path: &Path, filter: &Filter, progress: &dyn Progress) -> Result<ReadReport> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buffered = BufReader::with_capacity(BUFFER_LEN, file);
    check_gzip_magic(path, &mut buffered)?;
    let gzip = GzDecoder::new(buffered);
    let mut archive = tar::Archive::new(gzip);
    let mut collector = Collector::new(path, filter, progress, 0);

    let entries = archive.entries().map_err(|e| damaged(path, &e, None))?;
    let mut member = 0;
    for entry in entries {
        member += 1;
        let mut entry = entry.map_err(|e| damaged(path, &e, None))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_contiguous()) {
            continue;
        }

        let Some((id, labels)) = member_id(&entry.path_bytes()) else {
            continue;
        };
        if !collector.wants(&id) {
            // The tar reader skips over the member's data when the next entry is asked for.
            continue;
        }
        if collector.too_large(&id, entry.size(), &Origin::Member(member))? {
            continue;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(path, &e, Some(&id)))?;
        collector.add_bytes(id, labels, &bytes, Origin::Member(member))?;
    }

    // Reading to the end of the gzip stream checks its length and checksum, so an archive cut
    // after its last member is noticed too.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink())
        .map_err(|e| damaged(path, &e, None))?;
    collector.finish("regular-file members of the archive, hidden ones excepted")
}

/// Fails unless the file starts as gzip does, so that a file named `.tar.gz` that is something
/// else is called what it is rather than damaged.
fn check_gzip_magic(path: &Path, reader: &mut BufReader<File>) -> Result<()> {
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(GZIP_MAGIC) {
        return Ok(());
    }
    let what = if head.is_empty() {
        "is empty".to_string()
    } else if head.len() > 262 && &head[257..262] == b"ustar" {
        "is an uncompressed tar archive".to_string()
    } else {
        let shown: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("starts with the bytes {}", shown.join(" "))
    };
    Err(Error::input(
        path,
        format!(
            "is named like a .tar.gz but is not gzip-compressed: it {what}, where gzip starts \
             with 1f 8b; compress it with gzip, or give the folder it was packed from"
        ),
    ))
}

/// The error for an archive that cannot be read to the end.
fn damaged(path: &Path, e: &std::io::Error, member: Option<&str>) -> Error {
    let at = member
        .map(|id| format!(" (while reading member {id})"))
        .unwrap_or_default();
    Error::input(
        path,
        format!("the archive is damaged or truncated{at}: {e}; download or pack it again"),
    )
}

/// The id and label of a member path, or `None` for a hidden member or one with an empty path.
fn member_id(raw: &[u8]) -> Option<(String, Vec<String>)> {
    let name = String::from_utf8_lossy(raw);
    if let Cow::Owned(_) = name {
        tracing::warn!("archive member name is not valid UTF-8; its id {name:?} is lossy");
    }

    let components: Vec<&str> = name
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if let Some(hidden) = components
        .iter()
        .find(|c| c.starts_with('.') && **c != "..")
    {
        tracing::debug!(member = %name, "passed over because {hidden:?} is hidden");
        return None;
    }
    let labels = match components.as_slice() {
        [] => return None,
        [.., folder, _file] => vec![folder.to_string()],
        [_file] => Vec::new(),
    };
    Some((components.join("/"), labels))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;
    use crate::corpus::tests::{input_message, read_with};

    /// A member of a test archive.
    enum Member<'a> {
        File(&'a str, &'a [u8]),
        Dir(&'a str),
        Symlink(&'a str, &'a str),
    }

    /// The bytes of a `.tar.gz` holding `members`, with names written as given.
    fn tar_gz(members: &[Member]) -> std::io::Result<Vec<u8>> {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for member in members {
            let mut header = tar::Header::new_gnu();
            let (name, data, kind): (&str, &[u8], _) = match member {
                Member::File(name, data) => (name, data, tar::EntryType::Regular),
                Member::Dir(name) => (name, b"", tar::EntryType::Directory),
                Member::Symlink(name, target) => {
                    header.set_link_name(target)?;
                    (name, b"", tar::EntryType::Symlink)
                }
            };
            header.set_entry_type(kind);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            // Set the raw name so that `./`, `..` and absolute paths reach the archive as given.
            let field = &mut header.as_old_mut().name;
            field[..name.len()].copy_from_slice(name.as_bytes());
            header.set_cksum();
            builder.append(&header, data)?;
        }
        builder.into_inner()?.finish()
    }

    fn write_archive(dir: &Path, name: &str, members: &[Member]) -> Result<PathBuf> {
        let path = dir.join(name);
        let bytes = tar_gz(members).map_err(|e| Error::io(&path, e))?;
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    fn tempdir() -> Result<tempfile::TempDir> {
        tempfile::tempdir().map_err(|e| Error::io("tempdir", e))
    }

    #[test]
    fn member_paths_become_ids_and_folders_labels() -> Result<()> {
        let dir = tempdir()?;
        let path = write_archive(
            dir.path(),
            "corpus.tar.gz",
            &[
                Member::Dir("./a/"),
                Member::File("./a/b", b"inside a"),
                Member::File("top", b"at the root"),
                Member::File("/abs/x", b"absolute"),
                Member::File("../up/y", b"climbing"),
                Member::Symlink("a/link", "b"),
                Member::File("a/.hidden", b"hidden"),
            ],
        )?;
        let report = read_with(&path, &[], &[])?;
        let found: Vec<(&str, &[String])> = report
            .documents
            .iter()
            .map(|d| (d.id.as_str(), d.labels.as_slice()))
            .collect();
        let label = |s: &str| vec![s.to_string()];
        assert_eq!(
            found,
            [
                ("a/b", label("a").as_slice()),
                ("top", &[][..]),
                ("abs/x", label("abs").as_slice()),
                ("../up/y", label("up").as_slice()),
            ]
        );
        assert_eq!(report.documents[0].text, "inside a");
        assert!(!dir.path().join("up").exists() && !Path::new("/abs/x").exists());
        Ok(())
    }

    #[test]
    fn filters_select_members() -> Result<()> {
        let dir = tempdir()?;
        let path = write_archive(
            dir.path(),
            "c.tgz",
            &[
                Member::File("train/a/1", b"one"),
                Member::File("test/a/2", b"two"),
                Member::File("train/b/3", b"three"),
            ],
        )?;
        let report = read_with(&path, &["train/**"], &["train/b/*"])?;
        let ids: Vec<&str> = report.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["train/a/1"]);
        assert_eq!(report.filtered, 2);
        Ok(())
    }

    #[test]
    fn members_are_decoded_like_files() -> Result<()> {
        let dir = tempdir()?;
        let path = write_archive(
            dir.path(),
            "c.tar.gz",
            &[
                Member::File("a/latin", b"na\xEFve"),
                Member::File("a/empty", b""),
                Member::File("a/bin", b"\0\0\0"),
            ],
        )?;
        let report = read_with(&path, &[], &[])?;
        assert_eq!(report.documents.len(), 1);
        assert_eq!(report.documents[0].text, "naïve");
        assert_eq!(report.lenient, 1);
        let reasons: Vec<&str> = report.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons, ["empty", "binary file: NUL bytes"]);
        Ok(())
    }

    #[test]
    fn a_repeated_member_is_a_duplicate_id() -> Result<()> {
        let dir = tempdir()?;
        let members = [Member::File("a/1", b"one"), Member::File("./a/1", b"again")];
        let path = write_archive(dir.path(), "c.tar.gz", &members)?;
        let message = input_message(read_with(&path, &[], &[]));
        assert!(
            message.contains("\"a/1\" occurs twice (member 1 and member 2)"),
            "{message}"
        );
        assert!(message.contains("ids must be unique"), "{message}");
        Ok(())
    }

    #[test]
    fn a_truncated_archive_is_damaged_not_a_panic() -> Result<()> {
        let dir = tempdir()?;
        let text = "words and more words ".repeat(2000);
        let members: Vec<(String, Vec<u8>)> = (0..20)
            .map(|i| (format!("a/{i}"), format!("{i} {text}").into_bytes()))
            .collect();
        let members: Vec<Member> = members
            .iter()
            .map(|(name, data)| Member::File(name, data))
            .collect();
        let bytes = tar_gz(&members).map_err(|e| Error::io("archive", e))?;

        for cut in [bytes.len() / 2, bytes.len() - 4, 5] {
            let path = dir.path().join(format!("cut{cut}.tar.gz"));
            std::fs::write(&path, &bytes[..cut]).map_err(|e| Error::io(&path, e))?;
            let message = input_message(read_with(&path, &[], &[]));
            assert!(
                message.contains("damaged or truncated"),
                "cut at {cut}: {message}"
            );
        }
        Ok(())
    }

    #[test]
    fn a_file_only_named_like_gzip_says_what_it_is() -> Result<()> {
        let dir = tempdir()?;
        let path = dir.path().join("not.tar.gz");
        std::fs::write(&path, "this is no gzip at all").map_err(|e| Error::io(&path, e))?;
        let message = input_message(read_with(&path, &[], &[]));
        assert!(message.contains("not gzip-compressed"), "{message}");
        assert!(
            message.contains("starts with the bytes 74 68 69 73"),
            "{message}"
        );

        let mut plain = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(3);
        header.set_cksum();
        plain
            .append_data(&mut header, "a/1", &b"one"[..])
            .map_err(|e| Error::io(&path, e))?;
        let bytes = plain.into_inner().map_err(|e| Error::io(&path, e))?;
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        let message = input_message(read_with(&path, &[], &[]));
        assert!(message.contains("an uncompressed tar archive"), "{message}");

        std::fs::write(&path, "").map_err(|e| Error::io(&path, e))?;
        let message = input_message(read_with(&path, &[], &[]));
        assert!(message.contains("it is empty"), "{message}");
        Ok(())
    }

    #[test]
    fn members_over_the_size_limit_are_skipped_unread() -> Result<()> {
        let dir = tempdir()?;
        let big = "many words ".repeat(200);
        let path = write_archive(
            dir.path(),
            "c.tar.gz",
            &[
                Member::File("a/small", b"small words"),
                Member::File("a/big", big.as_bytes()),
            ],
        )?;
        let options = crate::corpus::ReadOptions {
            max_document_bytes: 1000,
            ..crate::corpus::ReadOptions::default()
        };
        let report = crate::corpus::read(&path, &options, &crate::progress::Silent)?;
        assert_eq!(report.documents.len(), 1);
        assert_eq!(report.skipped[0].id, "a/big");
        assert!(
            report.skipped[0].reason.starts_with("too large: 2.1 KiB"),
            "{}",
            report.skipped[0].reason
        );
        Ok(())
    }

    /// The real 20 Newsgroups archive, when the shared data is present.
    #[test]
    fn reads_the_20news_training_set() -> Result<()> {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/20news/20news-bydate.tar.gz"
        ));
        if !path.exists() {
            eprintln!("skipping: {} is absent", path.display());
            return Ok(());
        }
        let report = read_with(path, &["20news-bydate-train/**"], &[])?;
        assert_eq!(report.documents.len(), 11_314);
        let labels: BTreeSet<&str> = report
            .documents
            .iter()
            .flat_map(|d| d.labels.iter().map(String::as_str))
            .collect();
        assert_eq!(labels.len(), 20);
        assert!(labels.contains("sci.space"));
        assert!(
            report
                .documents
                .iter()
                .all(|d| d.id.starts_with("20news-bydate-train/"))
        );
        Ok(())
    }
}
