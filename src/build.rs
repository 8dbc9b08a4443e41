//! `topics build`: from documents to a saved index.
//!
//! Reads nothing itself: it takes what [`crate::corpus::read`] found, trains a model on it,
//! encodes every document and assembles the [`Index`]. Documents without any word of the
//! vocabulary get no code; they are reported as skipped.

use std::time::Instant;

use crate::Result;
use crate::corpus::ReadReport;
use crate::hashing::words;
use crate::index::{BuildReport, DocumentInfo, Index, SkippedDocument};
use crate::model::{Model, Timing, Trained};
use crate::progress::Progress;
use crate::settings::Checked;
use crate::text;
use crate::text::Terms;
use crate::topics;

/// Trains a model on the documents of `read` and indexes them.
pub fn build(
    read: &ReadReport,
    source: &str,
    settings: &Checked,
    progress: &dyn Progress,
) -> Result<Index> {
    let start = Instant::now();
    let texts: Vec<&str> = read.documents.iter().map(|d| d.text.as_str()).collect();
    let Trained {
        model,
        counts,
        all_stems,
        report: training,
    } = Model::train(&texts, settings, progress)?;

    let encoding = Instant::now();
    progress.begin("encoding", 0);
    let lengths = text::row_sums(&counts);
    let kept: Vec<usize> = (0..lengths.len()).filter(|&i| lengths[i] > 0.0).collect();
    let codes = model.encode_rows(&counts, &kept);
    let addresses = model.addresses(codes.view());
    progress.end();

    let mut skipped: Vec<SkippedDocument> =
        read.skipped.iter().map(SkippedDocument::from).collect();
    for (i, &d) in lengths.iter().enumerate() {
        if d == 0.0 {
            let id = &read.documents[i].id;
            tracing::warn!(
                "{}: skipped, it has no word of the vocabulary",
                crate::corpus::printable(id)
            );
            skipped.push(SkippedDocument {
                id: id.clone(),
                reason: "no word of the vocabulary".to_string(),
            });
        }
    }
    let documents = kept
        .iter()
        .map(|&i| {
            let d = &read.documents[i];
            DocumentInfo::new(&d.id, &d.labels, &d.text)
        })
        .collect();

    let kept_texts: Vec<&str> = kept.iter().map(|&i| texts[i]).collect();
    let terms = Terms::new(all_stems, model.tokenizer(), &kept_texts);
    tracing::debug!(
        "{} stems in the whole vocabulary, {} counts stored",
        terms.vocabulary.len(),
        terms.counts.nnz()
    );

    let encoding_seconds = encoding.elapsed().as_secs_f64();
    progress.begin("topics", 0);
    let clustering = Instant::now();
    let vocabulary_counts = terms.over(&model.vocabulary);
    let corpus = topics::Corpus {
        network: &model.network,
        vocabulary: &model.vocabulary,
        counts: &vocabulary_counts,
    };
    let found = topics::discover(
        codes.view(),
        &corpus,
        settings.topics,
        settings.naming,
        settings.seed,
    );
    progress.end();
    match settings.topics {
        Some(_) => tracing::info!("{} topics", found.k()),
        None => tracing::info!(
            "{} topics, the number whose words cohere best (set --topics to choose)",
            found.k()
        ),
    }

    let mut training = training;
    training.timings.push(Timing {
        stage: "encoding".to_string(),
        seconds: encoding_seconds,
    });
    training.timings.push(Timing {
        stage: "topics".to_string(),
        seconds: clustering.elapsed().as_secs_f64(),
    });
    let report = BuildReport {
        source: source.to_string(),
        documents_read: read.documents.len(),
        skipped,
        lenient: read.lenient,
        training,
        added: 0,
        removed: 0,
        seconds: start.elapsed().as_secs_f64(),
    };
    let signatures = {
        use rayon::prelude::*;
        kept_texts.par_iter().map(|t| words::signature(t)).collect()
    };
    Ok(Index {
        terms,
        topics: Some(found),
        signatures,
        model,
        documents,
        codes,
        addresses,
        report,
        parts: crate::index::store::Parts::All,
    })
}
