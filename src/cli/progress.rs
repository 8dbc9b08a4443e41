//! Progress bars and log lines on stderr, kept from tearing each other.
//!
//! Bars show only when stderr is a terminal and `-q` was not given. Log lines go through
//! [`LogWriter`], which hides the current bar while a line is written.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use topics::progress::Progress;

/// The bar being shown, if any, shared with the log writer.
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// A [`Progress`] drawn as one indicatif bar per stage; without a terminal, each note becomes
/// a log line instead, and with bars the stage's last note is logged when it ends.
pub struct Bars {
    enabled: bool,
    /// The current stage and its latest note.
    stage: Mutex<(String, String)>,
}

impl Bars {
    /// Bars on stderr, unless `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool) -> Self {
        Bars {
            enabled: !quiet && io::stderr().is_terminal(),
            stage: Mutex::new((String::new(), String::new())),
        }
    }

    fn with_bar(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(current) = CURRENT.lock()
            && let Some(bar) = current.as_ref()
        {
            f(bar);
        }
    }
}

impl Progress for Bars {
    fn begin(&self, stage: &str, total: u64) {
        if let Ok(mut current) = self.stage.lock() {
            *current = (stage.to_string(), String::new());
        }
        if !self.enabled {
            return;
        }
        let bar = if total > 0 {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix:>16} [{bar:30}] {pos}/{len} {elapsed}<{eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        } else {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{prefix:>16} {spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        };
        bar.set_prefix(stage.to_string());
        if let Ok(mut current) = CURRENT.lock()
            && let Some(old) = current.replace(bar)
        {
            old.finish_and_clear();
        }
    }

    fn advance(&self, steps: u64) {
        self.with_bar(|bar| bar.inc(steps));
    }

    fn note(&self, message: &str) {
        if let Ok(mut current) = self.stage.lock() {
            current.1 = message.to_string();
            if !self.enabled {
                tracing::info!("{}: {message}", current.0);
            }
        }
        self.with_bar(|bar| bar.set_message(message.to_string()));
    }

    fn end(&self) {
        if self.enabled
            && let Ok(current) = self.stage.lock()
            && !current.1.is_empty()
        {
            tracing::info!("{}: {}", current.0, current.1);
        }
        if let Ok(mut current) = CURRENT.lock()
            && let Some(bar) = current.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// Writes log lines to stderr around the current bar.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let bar = CURRENT.lock().ok().and_then(|c| c.clone());
        match bar {
            Some(bar) => bar.suspend(|| io::stderr().write_all(buf))?,
            None => io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// Sets up logging: warnings only with `quiet`, debug lines with `verbose`, else info.
pub fn init_logging(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => tracing::Level::WARN,
        (false, 0) => tracing::Level::INFO,
        (false, 1) => tracing::Level::DEBUG,
        (false, _) => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .without_time()
        .with_target(false)
        .with_ansi(io::stderr().is_terminal())
        .with_writer(|| LogWriter)
        .try_init();
}
