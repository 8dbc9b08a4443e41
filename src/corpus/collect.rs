//! What every reader shares: the filter by id and size, and the collector of documents.
//!
//! A reader finds candidate documents and hands each to a [`Collector`], which applies the
//! filter, skips documents over the size limit, decodes bytes, makes line endings `\n`, checks
//! that ids are unique, counts and logs skips and lenient decodes, and reports progress.
//! [`Collector::finish`] turns an empty result into an error that says what was looked for and
//! why nothing was found.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::decode::{Decoded, decode};
use super::{Document, ReadOptions, ReadReport, Skipped};
use crate::progress::Progress;
use crate::{Error, Result};

/// How many skipped documents are logged one by one before the rest are only counted.
const SKIPS_LOGGED: usize = 20;

/// Which documents are read: the include/exclude globs of [`ReadOptions`], compiled, and its
/// size limit.
#[derive(Debug)]
pub(crate) struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    max_bytes: u64,
}

impl Filter {
    /// Compiles the options' globs; `*` and `?` do not match `/`, `**` does.
    pub(crate) fn new(options: &ReadOptions) -> Result<Self> {
        if options.max_document_bytes == 0 {
            return Err(Error::setting(
                "max-document-mb",
                0,
                "a document needs room for at least one byte",
            ));
        }
        Ok(Filter {
            include: glob_set("include", &options.include)?,
            exclude: glob_set("exclude", &options.exclude)?,
            max_bytes: options.max_document_bytes,
        })
    }

    /// The most bytes a document may have.
    pub(crate) fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Whether any pattern was given at all.
    pub(crate) fn is_active(&self) -> bool {
        self.include.is_some() || self.exclude.is_some()
    }

    /// Whether the document with this id is to be read.
    pub(crate) fn accepts(&self, id: &str) -> bool {
        let included = self.include.as_ref().is_none_or(|set| set.is_match(id));
        let excluded = self.exclude.as_ref().is_some_and(|set| set.is_match(id));
        included && !excluded
    }
}

fn glob_set(name: &'static str, patterns: &[String]) -> Result<Option<GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(glob(name, pattern)?);
    }
    let set = builder.build().map_err(|e| {
        Error::setting(
            name,
            patterns.join(" "),
            format!("the patterns cannot be compiled: {e}"),
        )
    })?;
    Ok(Some(set))
}

fn glob(name: &'static str, pattern: &str) -> Result<Glob> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| Error::setting(name, pattern, format!("not a valid glob: {}", e.kind())))
}

/// A file's bytes, or only its size when it has more than the limit.
pub(crate) enum Limited {
    Bytes(Vec<u8>),
    /// At least this many bytes: the file's size, or one past the limit for a file that grew.
    TooLarge(u64),
}

/// Reads the file at `path` unless it has more than `max_bytes`, never reading more than one
/// byte past the limit, so a huge file costs no memory and a file that grows is cut short.
pub(crate) fn read_limited(path: &Path, max_bytes: u64) -> std::io::Result<Limited> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > max_bytes {
        return Ok(Limited::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    Ok(if read > max_bytes {
        Limited::TooLarge(read)
    } else {
        Limited::Bytes(bytes)
    })
}

/// A number of bytes for people: `512 bytes`, `2.1 KiB`, `64 MiB`, `1.5 GiB`.
pub(crate) fn human_size(bytes: u64) -> String {
    let units = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    let Some(&(unit, scale)) = units.iter().find(|(_, scale)| bytes >= *scale) else {
        return format!("{bytes} bytes");
    };
    if bytes.is_multiple_of(scale) {
        format!("{} {unit}", bytes / scale)
    } else {
        format!("{:.1} {unit}", bytes as f64 / scale as f64)
    }
}

/// An id as a log line or a table shows it: control characters such as a newline in a file name
/// are escaped, so that one document takes one line.
///
/// ```
/// assert_eq!(topics::corpus::printable("a\nb.txt"), "a\\nb.txt");
/// ```
pub fn printable(id: &str) -> Cow<'_, str> {
    if !id.chars().any(char::is_control) {
        return Cow::Borrowed(id);
    }
    Cow::Owned(
        id.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// `text` with every `\r\n` and lone `\r` made a `\n`.
fn unix_line_endings(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Where in the input a document came from, to name both places when an id repeats.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A file, named by its path as found (not lossily converted).
    File(String),
    /// The `n`th member of an archive, counted from 1.
    Member(u64),
    /// A record starting on this line of a JSON Lines or CSV file.
    Line(u64),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "file {path}"),
            Origin::Member(n) => write!(f, "member {n}"),
            Origin::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// Ends the progress stage when dropped, so an error does not leave a stage open.
struct Stage<'a>(&'a dyn Progress);

impl Drop for Stage<'_> {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// Gathers the documents of one read.
pub(crate) struct Collector<'a> {
    source: &'a Path,
    filter: &'a Filter,
    stage: Stage<'a>,
    report: ReadReport,
    seen: HashMap<String, Origin>,
}

impl<'a> Collector<'a> {
    /// Starts collecting from `source` and begins the progress stage with `total` steps (0 when
    /// unknown).
    pub(crate) fn new(
        source: &'a Path,
        filter: &'a Filter,
        progress: &'a dyn Progress,
        total: u64,
    ) -> Self {
        progress.begin("reading", total);
        Collector {
            source,
            filter,
            stage: Stage(progress),
            report: ReadReport::default(),
            seen: HashMap::new(),
        }
    }

    /// Whether the document `id` passes the filter; one that does not is counted and done with.
    pub(crate) fn wants(&mut self, id: &str) -> bool {
        let wanted = self.filter.accepts(id);
        if !wanted {
            tracing::trace!(id = %printable(id), "left out by --include/--exclude");
            self.report.filtered += 1;
            self.stage.0.advance(1);
        }
        wanted
    }

    /// Whether a document of `size` bytes is over the limit; one that is, is skipped with the
    /// reason and done with.
    pub(crate) fn too_large(&mut self, id: &str, size: u64, origin: &Origin) -> Result<bool> {
        if size <= self.filter.max_bytes {
            return Ok(false);
        }
        self.skip_too_large(id.to_string(), size, origin.clone())?;
        Ok(true)
    }

    /// Passes over a document of `size` bytes, more than the limit.
    pub(crate) fn skip_too_large(&mut self, id: String, size: u64, origin: Origin) -> Result<()> {
        let reason = format!(
            "too large: {} is over the {} limit for one document (--max-document-mb raises it)",
            human_size(size),
            human_size(self.filter.max_bytes)
        );
        self.skip(id, reason, origin)
    }

    /// Reads the file at `path` as a document, or skips it when it is over the size limit or
    /// cannot be read.
    pub(crate) fn add_file(
        &mut self,
        id: String,
        labels: Vec<String>,
        path: &Path,
        origin: Origin,
    ) -> Result<()> {
        match read_limited(path, self.filter.max_bytes) {
            Ok(Limited::Bytes(bytes)) => self.add_bytes(id, labels, &bytes, origin),
            Ok(Limited::TooLarge(size)) => self.skip_too_large(id, size, origin),
            Err(e) => self.skip(id, format!("cannot be read: {e}"), origin),
        }
    }

    /// Decodes a document's bytes and keeps it, or skips it when it is too large, empty or
    /// binary.
    pub(crate) fn add_bytes(
        &mut self,
        id: String,
        labels: Vec<String>,
        bytes: &[u8],
        origin: Origin,
    ) -> Result<()> {
        if self.too_large(&id, bytes.len() as u64, &origin)? {
            return Ok(());
        }
        match decode(bytes) {
            Decoded::Text {
                text,
                encoding,
                lenient,
            } => {
                if lenient {
                    tracing::debug!(
                        id = %printable(&id),
                        ?encoding,
                        "not valid in its encoding; decoded leniently"
                    );
                }
                self.keep(id, labels, text, lenient, origin)
            }
            other => {
                let reason = other.skip_reason().unwrap_or("not text").to_string();
                self.skip(id, reason, origin)
            }
        }
    }

    /// Keeps a document whose text is already decoded, or skips it when the text is too large
    /// or blank.
    pub(crate) fn add_text(
        &mut self,
        id: String,
        labels: Vec<String>,
        text: String,
        lenient: bool,
        origin: Origin,
    ) -> Result<()> {
        if self.too_large(&id, text.len() as u64, &origin)? {
            return Ok(());
        }
        self.keep(id, labels, text, lenient, origin)
    }

    /// Keeps a document, or skips it when its text is blank.
    fn keep(
        &mut self,
        id: String,
        labels: Vec<String>,
        text: String,
        lenient: bool,
        origin: Origin,
    ) -> Result<()> {
        if text.trim().is_empty() {
            return self.skip(id, "empty".to_string(), origin);
        }
        self.claim(&id, origin)?;
        self.report.lenient += usize::from(lenient);
        let text = unix_line_endings(text);
        self.report.documents.push(Document { id, labels, text });
        self.stage.0.advance(1);
        Ok(())
    }

    /// Passes over a document, logging why.
    pub(crate) fn skip(&mut self, id: String, reason: String, origin: Origin) -> Result<()> {
        self.claim(&id, origin)?;
        if self.report.skipped.len() < SKIPS_LOGGED {
            tracing::warn!("skipped {}: {reason}", printable(&id));
        }
        self.report.skipped.push(Skipped { id, reason });
        self.stage.0.advance(1);
        Ok(())
    }

    /// Records that `id` is taken, failing when it already was.
    fn claim(&mut self, id: &str, origin: Origin) -> Result<()> {
        let Some(first) = self.seen.get(id) else {
            self.seen.insert(id.to_string(), origin);
            return Ok(());
        };
        let message = format!("id {id:?} is also used by {first}; ids must be unique");
        Err(match origin {
            Origin::Line(line) => Error::record(self.source, line, message),
            other => Error::input(
                self.source,
                format!("id {id:?} occurs twice ({first} and {other}); ids must be unique"),
            ),
        })
    }

    /// Ends the read: logs a summary, or fails when no document was found.
    ///
    /// `looked_for` says what the reader was looking for, such as "regular files".
    pub(crate) fn finish(self, looked_for: &str) -> Result<ReadReport> {
        let report = self.report;
        let skipped = report.skipped.len();
        if skipped > SKIPS_LOGGED {
            tracing::warn!(
                "{} more documents skipped, not listed one by one; most often: {}",
                skipped - SKIPS_LOGGED,
                most_common_reason(&report.skipped).unwrap_or_default()
            );
        }

        if report.documents.is_empty() {
            return Err(Error::input(
                self.source,
                no_documents_message(&report, looked_for, self.filter.is_active()),
            ));
        }
        tracing::info!(
            "read {} documents from {} ({} skipped, {} left out by --include/--exclude, \
             {} decoded leniently)",
            report.documents.len(),
            self.source.display(),
            skipped,
            report.filtered,
            report.lenient,
        );
        Ok(report)
    }
}

fn no_documents_message(report: &ReadReport, looked_for: &str, filtered: bool) -> String {
    let mut message = format!("no documents found (looked for {looked_for})");
    match most_common_reason(&report.skipped) {
        Some(reason) => message.push_str(&format!(
            "; {} skipped, most often because: {reason}",
            report.skipped.len()
        )),
        None => message.push_str("; none skipped"),
    }
    if filtered {
        message.push_str(&format!(
            "; {} left out by --include/--exclude, check those patterns \
             (`*` does not match `/`, use `**` to match across folders)",
            report.filtered
        ));
    }
    message
}

/// The reason shared by most skips, with how many times it occurs; ties go to the earliest.
fn most_common_reason(skipped: &[Skipped]) -> Option<String> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (position, skip) in skipped.iter().enumerate() {
        counts.entry(&skip.reason).or_insert((0, position)).0 += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(_, (count, first))| (count, std::cmp::Reverse(first)))
        .map(|(reason, (count, _))| format!("{reason} ({count}×)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn options(include: &[&str], exclude: &[&str]) -> ReadOptions {
        ReadOptions {
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            ..ReadOptions::default()
        }
    }

    #[test]
    fn star_does_not_cross_folders() -> Result<()> {
        let filter = Filter::new(&options(&["train/*"], &[]))?;
        assert!(filter.accepts("train/1"));
        assert!(!filter.accepts("train/sci.space/1"));

        let filter = Filter::new(&options(&["train/**"], &["**/sci.*/*"]))?;
        assert!(filter.accepts("train/rec.autos/1"));
        assert!(!filter.accepts("train/sci.space/1"));
        assert!(!filter.accepts("test/rec.autos/1"));
        Ok(())
    }

    #[test]
    fn no_patterns_accept_everything() -> Result<()> {
        let filter = Filter::new(&ReadOptions::default())?;
        assert!(!filter.is_active());
        assert!(filter.accepts("anything/at/all"));
        Ok(())
    }

    #[test]
    fn a_bad_glob_is_a_setting_error() {
        let err = Filter::new(&options(&["a/{b"], &[])).map(|_| ());
        assert!(
            matches!(
                err,
                Err(Error::Setting {
                    name: "include",
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(1000), "1000 bytes");
        assert_eq!(human_size(2200), "2.1 KiB");
        assert_eq!(human_size(64 << 20), "64 MiB");
        assert_eq!(human_size((64 << 20) + 1), "64.0 MiB");
        assert_eq!(human_size(3 << 29), "1.5 GiB");
    }

    #[test]
    fn control_characters_in_ids_are_shown_escaped() {
        assert_eq!(printable("a/b.txt"), "a/b.txt");
        assert_eq!(printable("line\nbreak\t.txt"), "line\\nbreak\\t.txt");
    }

    #[test]
    fn line_endings_become_newlines() {
        assert_eq!(unix_line_endings("a\r\nb\rc\nd".to_string()), "a\nb\nc\nd");
        assert_eq!(unix_line_endings("plain".to_string()), "plain");
    }

    #[test]
    fn reads_stop_one_byte_past_the_limit() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("f");
        std::fs::write(&path, "0123456789").map_err(|e| Error::io(&path, e))?;
        let read = |limit| read_limited(&path, limit).map_err(|e| Error::io(&path, e));
        assert!(matches!(read(10)?, Limited::Bytes(bytes) if bytes == b"0123456789"));
        assert!(matches!(read(9)?, Limited::TooLarge(10)));
        Ok(())
    }

    #[test]
    fn a_zero_size_limit_is_a_setting_error() {
        let options = ReadOptions {
            max_document_bytes: 0,
            ..ReadOptions::default()
        };
        let err = Filter::new(&options).map(|_| ());
        assert!(
            matches!(
                err,
                Err(Error::Setting {
                    name: "max-document-mb",
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn the_most_common_reason_is_named() {
        let skip = |reason: &str| Skipped {
            id: "x".to_string(),
            reason: reason.to_string(),
        };
        let skipped = [skip("empty"), skip("binary"), skip("binary")];
        assert_eq!(most_common_reason(&skipped).as_deref(), Some("binary (2×)"));
        assert_eq!(most_common_reason(&[]), None);
    }

    #[test]
    fn nothing_found_explains_itself() -> Result<()> {
        let filter = Filter::new(&options(&["nomatch/**"], &[]))?;
        let mut collector = Collector::new(Path::new("corpus"), &filter, &Silent, 0);
        assert!(!collector.wants("a/b"));
        let message = match collector.finish("regular files") {
            Err(Error::Input { message, .. }) => message,
            other => panic!("expected an input error, got {other:?}"),
        };
        assert!(
            message.contains("no documents found (looked for regular files)"),
            "{message}"
        );
        assert!(
            message.contains("1 left out by --include/--exclude"),
            "{message}"
        );
        Ok(())
    }
}
