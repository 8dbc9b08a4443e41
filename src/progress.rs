//! How long-running library work reports its progress without printing anything itself.
//!
//! The library calls a [`Progress`]; the command line implements it with progress bars on
//! stderr, tests and embedders pass [`Silent`].

/// Receives progress of one stage at a time: `begin`, any number of `advance`/`note`, `end`.
pub trait Progress: Sync {
    /// A stage starts; `total` is the number of steps, 0 when unknown.
    fn begin(&self, stage: &str, total: u64);
    /// `steps` more steps of the current stage are done.
    fn advance(&self, steps: u64);
    /// A short status of the current stage, such as the latest loss.
    fn note(&self, message: &str);
    /// The current stage is over.
    fn end(&self);
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _stage: &str, _total: u64) {}
    fn advance(&self, _steps: u64) {}
    fn note(&self, _message: &str) {}
    fn end(&self) {}
}
