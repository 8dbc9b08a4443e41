//! Where results go: stdout, or a file written to a temporary name and renamed into place.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A destination for results: stdout, or a file that appears only once it is complete.
pub enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File {
        temp: tempfile::NamedTempFile,
        path: PathBuf,
    },
}

impl Sink {
    /// Stdout for `None` or `-`, else a temporary file beside `path`.
    pub fn open(path: Option<&Path>) -> Result<Sink> {
        match path {
            None => Ok(Sink::Stdout(BufWriter::new(io::stdout()))),
            Some(p) if p.as_os_str() == "-" => Ok(Sink::Stdout(BufWriter::new(io::stdout()))),
            Some(path) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let temp = tempfile::Builder::new()
                    .prefix(".topics-out-")
                    .tempfile_in(dir)
                    .with_context(|| format!("cannot create a file in {}", dir.display()))?;
                Ok(Sink::File {
                    temp,
                    path: path.to_path_buf(),
                })
            }
        }
    }

    /// Flushes, and for a file renames it into place.
    pub fn finish(self) -> Result<()> {
        match self {
            Sink::Stdout(mut out) => out.flush().or_else(ignore_broken_pipe),
            Sink::File { temp, path } => {
                temp.as_file()
                    .sync_all()
                    .with_context(|| format!("cannot write {}", path.display()))?;
                topics::files::make_readable(temp.path())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                temp.persist(&path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(())
            }
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(buf),
            Sink::File { temp, .. } => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::File { temp, .. } => temp.flush(),
        }
    }
}

/// A closed pipe (`topics query … | head`) is not an error.
pub fn ignore_broken_pipe(error: io::Error) -> Result<()> {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(error.into())
    }
}

/// Writes a whole file atomically.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut sink = Sink::open(Some(path))?;
    sink.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    sink.finish()
}

/// The text of `bytes` read from `path`, decoded leniently; binary bytes are an error that
/// says the file is not `what`.
pub fn decode_text(path: &Path, bytes: &[u8], what: &str) -> Result<String> {
    match topics::corpus::decode(bytes) {
        topics::corpus::Decoded::Text { text, .. } => Ok(text),
        topics::corpus::Decoded::Empty => Ok(String::new()),
        topics::corpus::Decoded::Binary { reason } => {
            anyhow::bail!("{}: {reason}, not {what}", path.display())
        }
    }
}

/// Reads a text file leniently, naming it in any error.
pub fn read_text_file(path: &Path, what: &str) -> Result<String> {
    decode_text(path, &read_file(path)?, what)
}

/// Reads a file, naming it in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}
