//! Reading a CSV file of numbers: one item per row, one feature per numeric column.
//!
//! The first row is a header when any of its cells is not a number (`nan` and `inf` count as
//! numbers, so that a first row holding them is reported as bad data, not taken for names).
//! Under a header, a column named `id` or `label` (in any case, spaces around ignored) holds the
//! items' ids or labels, and every other column must hold numbers; without one, every column
//! does. Ids default to the row number counted from 0 among the data rows, labels to `""`. Every
//! value must be a finite `f32`; a bad cell, a row with another number of fields than the first,
//! an empty or repeated id are errors with the line number, like the other record readers: the
//! file was written by a program, and reading on would hide its mistake. Blank lines are passed
//! over. The file is decoded like the other record files, so a byte-order mark or UTF-16 works.

use std::collections::HashMap;
use std::path::Path;

use ndarray::Array2;

use super::items::{Items, Source};
use super::records::file_text;
use crate::{Error, Result};

/// Whether every cell is a number (possibly infinite or NaN).
pub(crate) fn all_numbers<'a>(mut cells: impl Iterator<Item = &'a str>) -> bool {
    cells.all(|cell| cell.trim().parse::<f32>().is_ok())
}

/// Which columns of a CSV of numbers hold what.
pub(crate) struct Columns {
    /// The `id` column, if any.
    id: Option<usize>,
    /// The `label` column, if any.
    label: Option<usize>,
    /// The columns of features with their names for messages, in file order.
    numeric: Vec<(usize, String)>,
}

impl Columns {
    /// The columns named by a header row.
    pub(crate) fn of_header(header: &csv::StringRecord) -> Columns {
        let named = |name: &str| {
            header
                .iter()
                .position(|cell| cell.trim().eq_ignore_ascii_case(name))
        };
        let (id, label) = (named("id"), named("label"));
        let numeric = header
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != id && Some(i) != label)
            .map(|(i, name)| (i, format!("{:?}", name.trim())))
            .collect();
        Columns { id, label, numeric }
    }

    /// `width` unnamed columns of features, for a file without a header.
    fn unnamed(width: usize) -> Columns {
        let numeric = (0..width).map(|i| (i, format!("{}", i + 1))).collect();
        Columns {
            id: None,
            label: None,
            numeric,
        }
    }

    /// The cells of `row` that must be numbers.
    pub(crate) fn numeric_cells<'r>(
        &'r self,
        row: &'r csv::StringRecord,
    ) -> impl Iterator<Item = &'r str> + 'r {
        self.numeric
            .iter()
            .map(|(i, _)| row.get(*i).unwrap_or_default())
    }
}

/// Reads the CSV of numbers at `path`.
pub(crate) fn read(path: &Path) -> Result<Items> {
    let Some((text, _)) = file_text(path, "a CSV of numbers")? else {
        return Err(Error::input(
            path,
            "is empty; a CSV of numbers has one row of numbers per item",
        ));
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let first = match rows.next() {
        None => {
            return Err(Error::input(
                path,
                "holds only blank lines; a CSV of numbers has one row of numbers per item",
            ));
        }
        Some(first) => first.map_err(|e| csv_error(path, &e))?,
    };

    let header = !all_numbers(first.iter());
    let columns = if header {
        Columns::of_header(&first)
    } else {
        Columns::unnamed(first.len())
    };
    if columns.numeric.is_empty() {
        return Err(Error::input(
            path,
            "has no column of numbers, only `id` and `label`; add the features as columns",
        ));
    }
    let first_name = if header {
        "the header".to_string()
    } else {
        format!("line {}", line_of(&text, &first))
    };
    let mut table = Table::new(path, columns, first.len(), first_name);
    if !header {
        table.add(&first, line_of(&text, &first))?;
    }
    for row in rows {
        let row = row.map_err(|e| csv_error(path, &e))?;
        table.add(&row, line_of(&text, &row))?;
    }
    table.finish()
}

/// The items of a CSV of numbers as its rows are added.
struct Table<'p> {
    path: &'p Path,
    columns: Columns,
    /// How many fields every row has: as many as the first.
    width: usize,
    /// What the first row is called in messages: `the header` or `line 1`.
    first: String,
    ids: Vec<String>,
    labels: Vec<String>,
    values: Vec<f32>,
    /// The line of each id from an `id` column, to name both lines of a repeated one.
    lines: HashMap<String, u64>,
}

impl<'p> Table<'p> {
    fn new(path: &'p Path, columns: Columns, width: usize, first: String) -> Table<'p> {
        Table {
            path,
            columns,
            width,
            first,
            ids: Vec::new(),
            labels: Vec::new(),
            values: Vec::new(),
            lines: HashMap::new(),
        }
    }

    /// Checks one data row, found at `line`, and adds it.
    fn add(&mut self, row: &csv::StringRecord, line: u64) -> Result<()> {
        let bad = |message: String| Error::record(self.path, line, message);
        if row.len() != self.width {
            return Err(bad(format!(
                "the row has {} fields but {} has {}; every row needs the same columns",
                row.len(),
                self.first,
                self.width
            )));
        }

        for ((_, name), cell) in self
            .columns
            .numeric
            .iter()
            .zip(self.columns.numeric_cells(row))
        {
            let value = match cell.trim().parse::<f32>() {
                Ok(value) if value.is_finite() => value,
                Ok(_) => {
                    return Err(bad(format!(
                        "column {name} holds {cell:?}, which is not finite; every value must be \
                         a finite number"
                    )));
                }
                Err(_) => {
                    return Err(bad(format!(
                        "column {name} holds {cell:?}, which is not a number; only `id` and \
                         `label` columns may hold text"
                    )));
                }
            };
            self.values.push(value);
        }

        let id = match self.columns.id {
            Some(i) => {
                let id = row.get(i).unwrap_or_default().trim().to_string();
                if id.is_empty() {
                    return Err(bad("empty id".to_string()));
                }
                if let Some(before) = self.lines.insert(id.clone(), line) {
                    return Err(bad(format!(
                        "id {id:?} is also used by line {before}; ids must be unique"
                    )));
                }
                id
            }
            None => self.ids.len().to_string(),
        };
        let label = self
            .columns
            .label
            .and_then(|i| row.get(i))
            .unwrap_or_default();
        self.ids.push(id);
        self.labels.push(label.trim().to_string());
        Ok(())
    }

    /// The items, or an error when there are none.
    fn finish(self) -> Result<Items> {
        if self.ids.is_empty() {
            return Err(Error::input(
                self.path,
                "has a header but no data rows; add one row of numbers per item",
            ));
        }
        let shape = (self.ids.len(), self.columns.numeric.len());
        let values = Array2::from_shape_vec(shape, self.values)
            .expect("every row added one value per numeric column");
        Ok(Items {
            ids: self.ids,
            labels: self.labels,
            values,
            shape: None,
            skipped: Vec::new(),
            source: Source::Numbers,
        })
    }
}

/// The line where `row` of `text` starts, counted from 1.
///
/// The csv reader puts a row's position before the blank lines it passes over on the way, so
/// those are counted here.
fn line_of(text: &str, row: &csv::StringRecord) -> u64 {
    let Some(position) = row.position() else {
        return 0;
    };
    let rest = text
        .as_bytes()
        .get(position.byte() as usize..)
        .unwrap_or_default();
    let blank = rest
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count();
    position.line() + blank as u64
}

/// A CSV error as a record error at the line the csv reader names.
fn csv_error(path: &Path, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::record(path, line, format!("malformed CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::items::tests::{input_message, put, scratch};
    use crate::corpus::items::{ReadOptions, read as read_items};

    fn read_csv(contents: &[u8]) -> Result<Items> {
        let dir = scratch()?;
        let path = put(dir.path(), "v.csv", contents)?;
        read_items(&path, Source::Numbers, &ReadOptions::default())
    }

    /// The line and message of an [`Error::Record`], failing the test on anything else.
    fn record_error(result: Result<Items>) -> (u64, String) {
        match result {
            Err(Error::Record { line, message, .. }) => (line, message),
            other => panic!("expected a record error, got {other:?}"),
        }
    }

    #[test]
    fn without_a_header_every_column_is_a_feature() -> Result<()> {
        let items = read_csv(b"1,2.5,-3\n\n4e1, 5 ,\"6\"\n")?;
        assert_eq!(items.values.dim(), (2, 3));
        assert_eq!(items.ids, ["0", "1"]);
        assert_eq!(items.labels, ["", ""]);
        let expected = [1.0, 2.5, -3.0, 40.0, 5.0, 6.0];
        for (value, expected) in items.values.iter().zip(expected) {
            assert!((value - expected).abs() < 1e-6, "{value} vs {expected}");
        }
        assert_eq!(items.shape, None);
        assert_eq!(items.source, Source::Numbers);
        Ok(())
    }

    #[test]
    fn a_header_names_the_id_and_label_columns() -> Result<()> {
        let items = read_csv(b"x, Label ,ID,y\n1,cat,a,2\n3, dog ,b,4\n")?;
        assert_eq!(items.ids, ["a", "b"]);
        assert_eq!(items.labels, ["cat", "dog"]);
        assert_eq!(items.values.dim(), (2, 2));
        assert!((items.values[[1, 0]] - 3.0).abs() < 1e-6);
        assert!((items.values[[1, 1]] - 4.0).abs() < 1e-6);

        let items = read_csv(b"a,b\n1,2\n")?;
        assert_eq!(items.ids, ["0"], "a header without `id` numbers the rows");
        Ok(())
    }

    #[test]
    fn bad_rows_name_their_line() {
        let cases: [(&[u8], u64, &str); 8] = [
            (
                b"id,x,y\na,1,2\nb,3,three\n",
                3,
                "column \"y\" holds \"three\", which is not a number",
            ),
            (
                b"1,2\n3,NaN\n",
                2,
                "column 2 holds \"NaN\", which is not finite",
            ),
            // A first row of numbers is data, even when they are not finite.
            (b"inf,2\n", 1, "column 1 holds \"inf\", which is not finite"),
            (b"x,y\n1,2\n3,4,5\n", 3, "3 fields but the header has 2"),
            (b"1,2\n\n3\n", 3, "1 fields but line 1 has 2"),
            (b"\n\r\n1,2\n3\n", 4, "1 fields but line 3 has 2"),
            (b"id,x\na,1\n,2\n", 3, "empty id"),
            (b"id,x\na,1\na,2\n", 3, "id \"a\" is also used by line 2"),
        ];
        for (contents, expected_line, expected) in cases {
            let (line, message) = record_error(read_csv(contents));
            assert_eq!(line, expected_line, "{message}");
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn no_rows_or_no_numbers_are_errors() {
        let message = input_message(read_csv(b"id,x,y\n"));
        assert!(message.contains("a header but no data rows"), "{message}");

        let message = input_message(read_csv(b"id,label\na,b\n"));
        assert!(message.contains("no column of numbers"), "{message}");

        for blank in [&b""[..], b"\n\n"] {
            let message = input_message(read_csv(blank));
            assert!(message.contains("one row of numbers per item"), "{message}");
        }
    }
}
