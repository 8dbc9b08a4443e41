//! Changing an index without retraining: `add` encodes new documents with the trained model,
//! `remove` drops documents. Codes, addresses, lexical counts and topics stay in step.
//!
//! Added documents are counted over the stems the index already knows; a stem first seen in
//! them cannot join the lexical vocabulary without recounting every document, so it is left
//! out (and reported). They join the nearest topic; topics are not re-clustered.

use std::collections::{HashMap, HashSet};

use ndarray::{Axis, concatenate};
use rayon::prelude::*;

use super::{DocumentInfo, Index, SkippedDocument};
use crate::corpus::Document;
use crate::{Error, Result, text};

/// What [`Index::add`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Added {
    /// Documents encoded and indexed.
    pub added: usize,
    /// Documents left out, with the reason.
    pub skipped: Vec<SkippedDocument>,
    /// Distinct stems of the added documents that the index does not know.
    pub unknown_stems: usize,
}

/// A document's sorted `(column, count)` pairs.
type SparseRow = Vec<(usize, f32)>;

impl Index {
    /// Encodes `documents` with the index's model and appends them. An id the index already
    /// holds, or one given twice, is an error and nothing changes.
    pub fn add(&mut self, documents: &[Document]) -> Result<Added> {
        let mut known: HashSet<&str> = self.documents.iter().map(|d| d.id.as_str()).collect();
        for document in documents {
            if !known.insert(document.id.as_str()) {
                return Err(Error::Change(format!(
                    "{:?} is already in the index (or given twice): remove it first with \
                     `topics remove ID`, or give the new document another id; nothing was added",
                    document.id
                )));
            }
        }
        let texts: Vec<&str> = documents.iter().map(|d| d.text.as_str()).collect();
        // Tokenize once, over every stem the index knows (the model's stems are among them),
        // noting the stems it does not know.
        let (tokenizer, vocabulary) = (self.model.tokenizer(), &self.terms.vocabulary);
        let (rows, unknown_of): (Vec<SparseRow>, Vec<HashSet<String>>) = texts
            .par_iter()
            .map(|text| {
                let mut unknown = HashSet::new();
                let row = text::count_row_and_unknown(tokenizer, vocabulary, text, |stem| {
                    if !unknown.contains(stem) {
                        unknown.insert(stem.to_string());
                    }
                });
                (row, unknown)
            })
            .unzip();
        let all_counts = text::from_rows(vocabulary.len(), &rows);
        let model_counts = text::restrict(&all_counts, vocabulary, &self.model.vocabulary);
        let usable: Vec<bool> = text::row_sums(&model_counts)
            .iter()
            .map(|&d| d > 0.0)
            .collect();
        let kept: Vec<usize> = (0..documents.len()).filter(|&i| usable[i]).collect();
        let skipped = (0..documents.len())
            .filter(|&i| !usable[i])
            .map(|i| SkippedDocument {
                id: documents[i].id.clone(),
                reason: "no word of the vocabulary".to_string(),
            })
            .collect();

        let codes = self.model.encode_rows(&model_counts, &kept);
        let addresses = self.model.addresses(codes.view());
        let kept_texts: Vec<&str> = kept.iter().map(|&i| texts[i]).collect();
        let counts = text::select_rows(all_counts.view(), &kept);
        let mut unknown: HashSet<&str> = HashSet::new();
        for &i in &kept {
            unknown.extend(unknown_of[i].iter().map(String::as_str));
        }

        if let Some(topics) = &mut self.topics {
            let assigned = topics.assign(codes.view());
            for &t in &assigned {
                topics.topics[t as usize].size += 1;
            }
            topics.assignments.extend(assigned);
        }
        self.codes = concatenate(Axis(0), &[self.codes.view(), codes.view()])
            .expect("codes of one model have one width");
        self.addresses.extend(addresses);
        if !self.signatures.is_empty() {
            let signatures: Vec<_> = kept_texts
                .par_iter()
                .map(|t| crate::hashing::words::signature(t))
                .collect();
            self.signatures.extend(signatures);
        }
        self.terms.counts = sprs::vstack(&[self.terms.counts.view(), counts.view()]);
        self.documents.extend(kept.iter().map(|&i| {
            let d = &documents[i];
            DocumentInfo::new(&d.id, &d.labels, &d.text)
        }));
        Ok(Added {
            added: kept.len(),
            skipped,
            unknown_stems: unknown.len(),
        })
    }

    /// Drops the documents with `ids`. An id the index does not hold is an error and nothing
    /// changes. Returns how many documents remain.
    pub fn remove(&mut self, ids: &[String]) -> Result<usize> {
        let rows: HashMap<&str, usize> = self
            .documents
            .iter()
            .enumerate()
            .map(|(r, d)| (d.id.as_str(), r))
            .collect();
        let mut gone = vec![false; self.len()];
        for id in ids {
            let Some(&row) = rows.get(id.as_str()) else {
                return Err(Error::Change(format!(
                    "{id:?} is not in the index (`topics export` lists the ids); nothing was \
                     removed"
                )));
            };
            gone[row] = true;
        }
        let kept: Vec<usize> = (0..self.len()).filter(|&r| !gone[r]).collect();
        if kept.is_empty() {
            return Err(Error::Change(
                "those are all the index's documents, and an index keeps at least one: build \
                 a new index instead; nothing was removed"
                    .to_string(),
            ));
        }
        let mut renumber = vec![usize::MAX; self.len()];
        for (new, &old) in kept.iter().enumerate() {
            renumber[old] = new;
        }

        self.codes = self.codes.select(Axis(0), &kept);
        self.addresses = kept.iter().map(|&r| self.addresses[r]).collect();
        if !self.signatures.is_empty() {
            self.signatures = kept.iter().map(|&r| self.signatures[r]).collect();
        }
        self.documents = kept.iter().map(|&r| self.documents[r].clone()).collect();
        self.terms.counts = text::select_rows(self.terms.counts.view(), &kept);
        if let Some(topics) = &mut self.topics {
            for (r, &t) in topics.assignments.iter().enumerate() {
                if gone[r] {
                    topics.topics[t as usize].size -= 1;
                }
            }
            topics.assignments = kept.iter().map(|&r| topics.assignments[r]).collect();
            for topic in &mut topics.topics {
                topic.documents = topic
                    .documents
                    .iter()
                    .filter(|&&r| !gone[r])
                    .map(|&r| renumber[r])
                    .collect();
            }
        }
        Ok(kept.len())
    }
}
