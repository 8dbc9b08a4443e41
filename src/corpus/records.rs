//! Reading documents stored as records: JSON Lines and CSV.
//!
//! A JSON Lines file holds one object per non-blank line with a string `id` (an integer is
//! accepted and written out in decimal), a string `text`, and optionally a string `label` or an
//! array of strings `labels`. A CSV file has a header naming the columns `id` and `text`, and
//! optionally `label` or `labels`, the latter separated by `|`. A malformed record is an error
//! with its line number: a corpus file is written by a program, so a broken line means the
//! program is wrong, and reading on would hide it. A record whose `text` is over the size limit
//! is skipped with a reason, like a file that is.
//!
//! The whole file is decoded with [`decode`] first, so byte-order marks and UTF-16 work; when a
//! file is not valid UTF-8 every record of it counts as decoded leniently.

use std::path::Path;

use serde_json::{Map, Value};

use super::ReadReport;
use super::collect::{Collector, Filter, Origin};
use super::decode::{Decoded, decode};
use crate::progress::Progress;
use crate::{Error, Result};

/// Separates the labels in a CSV `labels` column.
const LABEL_SEPARATOR: char = '|';

/// The decoded text of a record file, `None` when it is empty, and whether it was lenient.
pub(super) fn file_text(path: &Path, format: &str) -> Result<Option<(String, bool)>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    match decode(&bytes) {
        Decoded::Text {
            text,
            encoding,
            lenient,
        } => {
            if lenient {
                tracing::debug!(
                    path = %path.display(),
                    ?encoding,
                    "not valid in its encoding; decoded leniently"
                );
            }
            Ok(Some((text, lenient)))
        }
        Decoded::Empty => Ok(None),
        Decoded::Binary { reason } => Err(Error::input(
            path,
            format!("does not look like {format} but like a {reason}"),
        )),
    }
}

/// Reads a JSON Lines file: one object per non-blank line.
pub(crate) fn read_json_lines(
    path: &Path,
    filter: &Filter,
    progress: &dyn Progress,
) -> Result<ReadReport> {
    let (text, lenient) = file_text(path, "JSON Lines")?.unwrap_or_default();
    let total = text.lines().filter(|line| !line.trim().is_empty()).count();
    let mut collector = Collector::new(path, filter, progress, total as u64);

    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record = json_record(line).map_err(|message| Error::record(path, number, message))?;
        if !collector.wants(&record.id) {
            continue;
        }
        let Record { id, labels, text } = record;
        collector.add_text(id, labels, text, lenient, Origin::Line(number))?;
    }
    collector.finish("one JSON object with `id` and `text` per non-blank line")
}

/// A record's fields, checked.
#[derive(Debug)]
struct Record {
    id: String,
    labels: Vec<String>,
    text: String,
}

/// Parses one line of JSON Lines, or says what is wrong with it.
fn json_record(line: &str) -> Result<Record, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut object) = value else {
        return Err(format!(
            "expected an object with `id` and `text`, found {}",
            kind(&value)
        ));
    };

    let id = match object.remove("id") {
        None | Some(Value::Null) => return Err("missing `id`".to_string()),
        Some(Value::String(id)) => id,
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(other) => {
            return Err(format!(
                "`id` must be a string or an integer, found {}",
                kind(&other)
            ));
        }
    };
    if id.trim().is_empty() {
        return Err("empty id".to_string());
    }
    let text = match object.remove("text") {
        None | Some(Value::Null) => return Err(format!("missing `text` (document {id:?})")),
        Some(Value::String(text)) => text,
        Some(other) => {
            return Err(format!(
                "`text` is not a string but {} (document {id:?})",
                kind(&other)
            ));
        }
    };
    let labels = json_labels(&mut object).map_err(|e| format!("{e} (document {id:?})"))?;
    Ok(Record { id, labels, text })
}

/// The labels of a JSON record, from `label` or `labels`; empty strings are dropped.
fn json_labels(object: &mut Map<String, Value>) -> Result<Vec<String>, String> {
    let label = object.remove("label").filter(|v| !v.is_null());
    let labels = object.remove("labels").filter(|v| !v.is_null());
    let labels = match (label, labels) {
        (Some(_), Some(_)) => return Err("give `label` or `labels`, not both".to_string()),
        (None, None) => Vec::new(),
        (Some(Value::String(label)), None) => vec![label],
        (Some(other), None) => {
            return Err(format!("`label` must be a string, found {}", kind(&other)));
        }
        (None, Some(Value::Array(items))) => items
            .into_iter()
            .map(|item| match item {
                Value::String(label) => Ok(label),
                other => Err(format!(
                    "`labels` must hold strings, found {}",
                    kind(&other)
                )),
            })
            .collect::<Result<_, _>>()?,
        (None, Some(other)) => {
            return Err(format!(
                "`labels` must be an array of strings, found {}",
                kind(&other)
            ));
        }
    };
    Ok(labels
        .into_iter()
        .filter(|label| !label.is_empty())
        .collect())
}

/// What kind of JSON value this is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The positions of the columns a CSV corpus uses.
struct Columns {
    id: usize,
    text: usize,
    label: Option<usize>,
    labels: Option<usize>,
}

impl Columns {
    /// Finds the columns by name, ignoring case and surrounding spaces.
    fn find(path: &Path, header: &csv::StringRecord) -> Result<Columns> {
        let position = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let missing = |name: &str| {
            let found: Vec<String> = header.iter().map(|h| format!("{h:?}")).collect();
            let found = if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            };
            Error::input(
                path,
                format!(
                    "the CSV header has no `{name}` column (its columns: {found}); a CSV corpus \
                     needs columns `id` and `text`, optionally `label` or `labels`"
                ),
            )
        };
        let columns = Columns {
            id: position("id").ok_or_else(|| missing("id"))?,
            text: position("text").ok_or_else(|| missing("text"))?,
            label: position("label"),
            labels: position("labels"),
        };
        if columns.label.is_some() && columns.labels.is_some() {
            return Err(Error::input(
                path,
                "the CSV header has both `label` and `labels` columns; keep one",
            ));
        }
        Ok(columns)
    }

    /// The labels of one row, split on `|` for a `labels` column; blanks are dropped.
    fn labels(&self, row: &csv::StringRecord) -> Vec<String> {
        let (cell, split) = match (self.label, self.labels) {
            (Some(i), _) => (row.get(i), false),
            (None, Some(i)) => (row.get(i), true),
            (None, None) => (None, false),
        };
        let cell = cell.unwrap_or_default();
        let parts: Vec<&str> = if split {
            cell.split(LABEL_SEPARATOR).collect()
        } else {
            vec![cell]
        };
        parts
            .into_iter()
            .map(str::trim)
            .filter(|label| !label.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Reads a CSV file with a header row.
pub(crate) fn read_csv(
    path: &Path,
    filter: &Filter,
    progress: &dyn Progress,
) -> Result<ReadReport> {
    let looked_for = "rows under a header with `id` and `text` columns";
    let Some((text, lenient)) = file_text(path, "CSV")? else {
        // A blank file has not even a header: it is an empty corpus, not a malformed one.
        let collector = Collector::new(path, filter, progress, 0);
        return collector.finish(&format!("{looked_for}, but the file is blank"));
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| csv_error(path, &e, 1))?
        .clone();
    let columns = Columns::find(path, &header)?;
    let mut collector = Collector::new(path, filter, progress, 0);

    let mut row = csv::StringRecord::new();
    let mut last_line = 1;
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, &e, last_line + 1)),
        }
        let line = row.position().map_or(last_line + 1, |p| p.line());
        last_line = line;

        let id = row.get(columns.id).unwrap_or_default().to_string();
        if id.trim().is_empty() {
            return Err(Error::record(path, line, "empty id"));
        }
        if !collector.wants(&id) {
            continue;
        }
        let text = row.get(columns.text).unwrap_or_default().to_string();
        let labels = columns.labels(&row);
        collector.add_text(id, labels, text, lenient, Origin::Line(line))?;
    }
    collector.finish(looked_for)
}

/// A CSV error as a record error, at the line the csv reader names or at `fallback`.
fn csv_error(path: &Path, e: &csv::Error, fallback: u64) -> Error {
    let line = e.position().map_or(fallback, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields but the header has {expected_len}"),
        _ => format!("malformed CSV: {e}"),
    };
    Error::record(path, line, message)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::corpus::tests::{input_message, read_with};
    use crate::corpus::{Document, ReadReport};

    /// Writes `contents` to a file `name` in a fresh temporary directory.
    fn file(name: &str, contents: &[u8]) -> Result<(tempfile::TempDir, PathBuf)> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join(name);
        std::fs::write(&path, contents).map_err(|e| Error::io(&path, e))?;
        Ok((dir, path))
    }

    /// The line and message of an [`Error::Record`], failing the test on anything else.
    fn record_error(result: Result<ReadReport>) -> (u64, String) {
        match result {
            Err(Error::Record { line, message, .. }) => (line, message),
            other => panic!("expected a record error, got {other:?}"),
        }
    }

    fn doc(id: &str, labels: &[&str], text: &str) -> Document {
        Document {
            id: id.to_string(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            text: text.to_string(),
        }
    }

    #[test]
    fn json_lines_with_labels_and_integer_ids() -> Result<()> {
        let (_dir, path) = file(
            "c.jsonl",
            br#"{"id": "a", "text": "first", "label": "x"}

{"id": 7, "text": "second", "labels": ["x", "y"]}
{"id": "c", "text": "third", "extra": true}
{"id": "d", "text": "  "}
"#,
        )?;
        let report = read_with(&path, &[], &[])?;
        assert_eq!(
            report.documents,
            [
                doc("a", &["x"], "first"),
                doc("7", &["x", "y"], "second"),
                doc("c", &[], "third")
            ]
        );
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].reason, "empty");
        Ok(())
    }

    #[test]
    fn json_lines_are_filtered_by_id() -> Result<()> {
        let (_dir, path) = file(
            "c.ndjson",
            b"{\"id\": \"train/1\", \"text\": \"a\"}\n{\"id\": \"test/2\", \"text\": \"b\"}\n",
        )?;
        let report = read_with(&path, &["train/*"], &[])?;
        assert_eq!(report.documents, [doc("train/1", &[], "a")]);
        assert_eq!(report.filtered, 1);
        Ok(())
    }

    #[test]
    fn broken_json_lines_name_their_line() -> Result<()> {
        let cases: [(&str, &str); 7] = [
            (r#"{"id": "b", "text": "#, "invalid JSON"),
            (r#"{"id": "b"}"#, "missing `text`"),
            (r#"{"id": "b", "text": 3}"#, "`text` is not a string"),
            (r#"{"id": "", "text": "t"}"#, "empty id"),
            (r#"{"text": "t"}"#, "missing `id`"),
            (r#"["b", "t"]"#, "expected an object"),
            (
                r#"{"id": "b", "text": "t", "labels": "x"}"#,
                "`labels` must be an array",
            ),
        ];
        for (bad, expected) in cases {
            let contents = format!("{{\"id\": \"a\", \"text\": \"fine\"}}\n\n{bad}\n");
            let (_dir, path) = file("c.jsonl", contents.as_bytes())?;
            let (line, message) = record_error(read_with(&path, &[], &[]));
            assert_eq!(line, 3, "{bad}");
            assert!(message.contains(expected), "{bad}: {message}");
        }
        Ok(())
    }

    #[test]
    fn a_repeated_json_id_names_both_lines() -> Result<()> {
        let (_dir, path) = file(
            "c.jsonl",
            b"{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\", \"text\": \"y\"}\n\
              {\"id\": \"a\", \"text\": \"z\"}\n",
        )?;
        let (line, message) = record_error(read_with(&path, &[], &[]));
        assert_eq!(line, 3);
        assert!(
            message.contains("id \"a\" is also used by line 1"),
            "{message}"
        );
        assert!(message.contains("ids must be unique"), "{message}");
        Ok(())
    }

    #[test]
    fn record_files_are_decoded_first() -> Result<()> {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "id,text\n1,grüße\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        let (_dir, path) = file("c.csv", &utf16)?;
        let report = read_with(&path, &[], &[])?;
        assert_eq!(report.documents, [doc("1", &[], "grüße")]);
        assert_eq!(report.lenient, 0);

        let (_dir, path) = file(
            "c.jsonl",
            b"\xEF\xBB\xBF{\"id\": \"1\", \"text\": \"caf\xE9\"}\n",
        )?;
        let report = read_with(&path, &[], &[])?;
        assert_eq!(report.documents, [doc("1", &[], "café")]);
        assert_eq!(report.lenient, 1);
        Ok(())
    }

    #[test]
    fn csv_with_labels_split_on_bars() -> Result<()> {
        let (_dir, path) = file(
            "c.csv",
            b"ID , Text,labels\n1,\"first, with a comma\",a|b\n2,\"two\nlines\", c \n3,three,\n",
        )?;
        let report = read_with(&path, &[], &[])?;
        assert_eq!(
            report.documents,
            [
                doc("1", &["a", "b"], "first, with a comma"),
                doc("2", &["c"], "two\nlines"),
                doc("3", &[], "three"),
            ]
        );
        Ok(())
    }

    #[test]
    fn csv_single_label_column_is_not_split() -> Result<()> {
        let (_dir, path) = file("c.csv", b"text,id,label\nhello,1,a|b\n")?;
        let report = read_with(&path, &[], &[])?;
        assert_eq!(report.documents, [doc("1", &["a|b"], "hello")]);
        Ok(())
    }

    #[test]
    fn csv_missing_column_lists_the_columns_found() -> Result<()> {
        let (_dir, path) = file("c.csv", b"id,body\n1,hello\n")?;
        let message = input_message(read_with(&path, &[], &[]));
        assert!(message.contains("no `text` column"), "{message}");
        assert!(message.contains("\"id\", \"body\""), "{message}");
        Ok(())
    }

    #[test]
    fn header_only_and_blank_csv_are_empty_corpora() -> Result<()> {
        for contents in [&b"id,text\n"[..], b"", b"\n"] {
            let (_dir, path) = file("c.csv", contents)?;
            let message = input_message(read_with(&path, &[], &[]));
            assert!(
                message.contains("no documents found"),
                "{contents:?}: {message}"
            );
        }
        Ok(())
    }

    #[test]
    fn csv_record_errors_carry_the_line() -> Result<()> {
        let (_dir, path) = file("c.csv", b"id,text\n1,one\n2,two,extra\n")?;
        let (line, message) = record_error(read_with(&path, &[], &[]));
        assert_eq!(line, 3);
        assert!(
            message.contains("3 fields but the header has 2"),
            "{message}"
        );

        let (_dir, path) = file("c.csv", b"id,text\n1,one\n,two\n")?;
        let (line, message) = record_error(read_with(&path, &[], &[]));
        assert_eq!((line, message.as_str()), (3, "empty id"));

        let (_dir, path) = file("c.csv", b"id,text\n1,one\n1,again\n")?;
        let (line, message) = record_error(read_with(&path, &[], &[]));
        assert_eq!(line, 3);
        assert!(message.contains("is also used by line 2"), "{message}");
        Ok(())
    }

    #[test]
    fn a_binary_record_file_is_an_error() -> Result<()> {
        let (_dir, path) = file("c.jsonl", b"\0\0\0\x01")?;
        let message = input_message(read_with(&path, &[], &[]));
        assert!(
            message.contains("does not look like JSON Lines"),
            "{message}"
        );
        Ok(())
    }
}
