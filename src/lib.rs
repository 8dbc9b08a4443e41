//! `topics` turns a collection of documents into tiny learned codes and searches with them.
//!
//! A deep autoencoder in the manner of Hinton & Salakhutdinov (Science 2006) is pretrained as a
//! stack of restricted Boltzmann machines, unrolled and fine-tuned, and compresses each document's
//! bag of words to a code of a few numbers. See `ARCHITECTURE.md` for the data flow.

pub mod autoencoder;
pub mod build;
pub mod compare;
pub mod corpus;
pub mod data;
pub mod error;
pub mod eval;
pub mod files;
pub mod hashing;
pub mod index;
pub mod linalg;
pub mod model;
pub mod plot;
pub mod progress;
pub mod rbm;
pub mod rng;
pub mod search;
pub mod settings;
pub mod text;
pub mod topics;
pub mod vectors;

pub use error::{Error, Result};
