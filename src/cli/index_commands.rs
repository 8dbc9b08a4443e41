//! The commands that keep an index: `add`, `remove`, `dups`, `info` and `info --verify`.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use topics::hashing;
use topics::index::store;

use super::commands::{load_index, read_documents};
use super::output::{Sink, ignore_broken_pipe, read_text_file};
use super::progress::Bars;
use super::{AddArgs, Cli, DupMeasure, DupsArgs, InfoArgs, RemoveArgs};

pub(super) fn add(cli: &Cli, args: &AddArgs, bars: &Bars) -> Result<()> {
    let start = Instant::now();
    let _lock = store::lock(&cli.index)?;
    let mut index = load_index(cli)?;
    let read = read_documents(&args.read, bars)?;
    let before = index.len();
    let added = index.add(&read.documents)?;
    for skipped in &added.skipped {
        tracing::warn!(
            "{}: skipped, {}",
            topics::corpus::printable(&skipped.id),
            skipped.reason
        );
    }
    if added.added == 0 {
        bail!(
            "{}: no document could be added ({} read, {} skipped); the index is unchanged",
            args.read.path.display(),
            read.documents.len(),
            read.skipped.len() + added.skipped.len()
        );
    }
    index.report.added += added.added;
    store::save(&index, &cli.index)
        .with_context(|| format!("cannot write the index to {}", cli.index.display()))?;
    if added.unknown_stems > 0 {
        tracing::info!(
            "{} stems of the new documents are not in the index's vocabulary and count for \
             neither codes nor BM25; rebuild to learn them",
            added.unknown_stems
        );
    }
    tracing::info!(
        "added {} documents to {} ({before} before, {} now; {} skipped) in {:.1} s",
        added.added,
        cli.index.display(),
        index.len(),
        read.skipped.len() + added.skipped.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(super) fn remove(cli: &Cli, args: &RemoveArgs) -> Result<()> {
    let mut ids = args.ids.clone();
    if let Some(path) = &args.file {
        let text = read_text_file(path, "id file")?;
        ids.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from),
        );
    }
    if ids.is_empty() {
        bail!("give the ids to remove, or --file with one id per line");
    }
    ids.sort();
    ids.dedup();
    let _lock = store::lock(&cli.index)?;
    let mut index = load_index(cli)?;
    let left = index.remove(&ids)?;
    index.report.removed += ids.len();
    store::save(&index, &cli.index)
        .with_context(|| format!("cannot write the index to {}", cli.index.display()))?;
    tracing::info!(
        "removed {} documents from {}; {left} remain",
        ids.len(),
        cli.index.display()
    );
    Ok(())
}

/// Runs the command that `cli` names.

#[derive(Serialize)]
struct GroupRow<'a> {
    group: usize,
    ids: Vec<&'a str>,
    score: f32,
}

pub(super) fn dups(cli: &Cli, args: &DupsArgs) -> Result<()> {
    let measure = match args.measure {
        DupMeasure::Words => hashing::Measure::Words,
        DupMeasure::Cosine => hashing::Measure::Cosine,
        DupMeasure::Jaccard => hashing::Measure::Jaccard,
    };
    let threshold = args.threshold.unwrap_or(measure.default_threshold());
    if !(0.0..=1.0).contains(&threshold) {
        bail!("--threshold {threshold} is not a similarity of word content (between 0 and 1)");
    }
    let index = load_index(cli)?;
    if measure == hashing::Measure::Words && index.signatures.len() != index.len() {
        bail!(
            "{}: the index keeps no word signatures (it was built by an older topics); rebuild \
             it, or use --measure cosine",
            cli.index.display()
        );
    }
    let rule = hashing::Rule {
        radius: args.radius,
        measure,
        threshold,
    };
    let start = Instant::now();
    let bits = index.model.address_bits();
    let groups = match measure {
        hashing::Measure::Words => {
            hashing::near_duplicates(&index.addresses, bits, rule, |i, j| {
                hashing::words::similarity(&index.signatures[i], &index.signatures[j])
            })
        }
        _ => hashing::near_duplicates(&index.addresses, bits, rule, |i, j| {
            hashing::count_similarity(&index.terms.counts, i, j, measure)
        }),
    };
    tracing::debug!("grouped in {:.2} s", start.elapsed().as_secs_f64());
    let mut sink = Sink::open(None)?;
    let grouped: usize = groups.iter().map(|g| g.members.len()).sum();
    if args.json {
        for (g, group) in groups.iter().enumerate() {
            let ids = group
                .members
                .iter()
                .map(|&m| index.documents[m].id.as_str())
                .collect();
            serde_json::to_writer(
                &mut sink,
                &GroupRow {
                    group: g + 1,
                    ids,
                    score: group.score,
                },
            )?;
            writeln!(sink).or_else(ignore_broken_pipe)?;
        }
    } else {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["group", "id", "score"])?;
        for (g, group) in groups.iter().enumerate() {
            for &m in &group.members {
                writer.write_record([
                    (g + 1).to_string(),
                    index.documents[m].id.clone(),
                    format!("{:.4}", group.score),
                ])?;
            }
        }
        sink.write_all(&writer.into_inner().context("cannot write CSV")?)
            .or_else(ignore_broken_pipe)?;
    }
    sink.finish()?;
    tracing::info!(
        "{} groups of near-duplicates hold {grouped} of {} documents",
        groups.len(),
        index.len()
    );
    Ok(())
}

fn verify(cli: &Cli, json: bool) -> Result<()> {
    let checks = store::verify(&cli.index)?;
    let bad = checks.iter().filter(|c| c.problem.is_some()).count();
    let mut out = Sink::open(None)?;
    if json {
        let report = serde_json::json!({
            "index": cli.index.display().to_string(),
            "sound": bad == 0,
            "files": checks,
        });
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        for check in &checks {
            match &check.problem {
                None => writeln!(out, "ok      {:<18} {:>12} bytes", check.name, check.bytes)?,
                Some(problem) => writeln!(out, "DAMAGED {:<18} {problem}", check.name)?,
            }
        }
    }
    out.finish()?;
    if bad > 0 {
        bail!(
            "{}: {bad} of {} checks failed; rebuild the index (`topics build`)",
            cli.index.display(),
            checks.len()
        );
    }
    tracing::info!("{}: every file checks out", cli.index.display());
    Ok(())
}

/// The name and size of each file of the index at `dir`, as JSON for `info --json`.
pub(super) fn files_json(dir: &std::path::Path) -> Result<Vec<serde_json::Value>> {
    Ok(store::file_sizes(dir)?
        .into_iter()
        .map(|(name, bytes)| serde_json::json!({"name": name, "bytes": bytes}))
        .collect())
}

pub(super) fn info(cli: &Cli, args: &InfoArgs) -> Result<()> {
    if args.verify {
        return verify(cli, args.json);
    }
    if let Some(index) = super::commands::vector_index(cli)? {
        return super::vector_commands::info(cli, args, &index);
    }
    let index = load_index(cli)?;
    let model = &index.model;
    let report = &index.report;
    let mut out = Sink::open(None)?;
    if args.json {
        let json = serde_json::json!({
            "index": cli.index.display().to_string(),
            "format": store::FORMAT,
            "version": store::VERSION,
            "documents": index.len(),
            "vocabulary": model.vocabulary.len(),
            "widths": model.network.widths(),
            "code_width": model.code_width(),
            "address_bits": model.address_bits(),
            "address_spread": hashing::spread(&index.addresses, model.address_bits()),
            "binary_share": model
                .settings
                .bits
                .map(|_| hashing::binary_share(index.codes.view())),
            "settings": model.settings,
            "report": report,
            "files": files_json(&cli.index)?,
        });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        return out.finish();
    }
    let widths: Vec<String> = model
        .network
        .widths()
        .iter()
        .map(usize::to_string)
        .collect();
    let s = &model.settings;
    writeln!(
        out,
        "index        {} (format {} version {})",
        cli.index.display(),
        store::FORMAT,
        store::VERSION
    )?;
    writeln!(out, "source       {}", report.source)?;
    writeln!(
        out,
        "documents    {} indexed ({} added and {} removed since the build), {} read, {} skipped, {} decoded leniently (not UTF-8)",
        index.len(),
        report.added,
        report.removed,
        report.documents_read,
        report.skipped.len(),
        report.lenient
    )?;
    writeln!(
        out,
        "vocabulary   {} stems ({}, min-df {}, headers {}), most frequent: {}",
        model.vocabulary.len(),
        s.language,
        s.min_df,
        s.headers,
        model
            .vocabulary
            .words
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        out,
        "network      {} ({:?} code units)",
        widths.join("-"),
        model.network.code_activation()
    )?;
    let spread = hashing::spread(&index.addresses, model.address_bits());
    writeln!(
        out,
        "addresses    {} bits ({}): {} in use, the largest holds {} documents, {:.2} bits of \
         entropy per bit",
        model.address_bits(),
        if s.bits.is_some() {
            "binary code units at 0.5"
        } else {
            "each code unit at its median"
        },
        spread.buckets,
        spread.largest,
        spread.entropy_per_bit
    )?;
    if s.bits.is_some() {
        writeln!(
            out,
            "             {:.1} % of code values lie within 0.1 of 0 or 1",
            100.0 * hashing::binary_share(index.codes.view())
        )?;
    }
    writeln!(
        out,
        "training     {} train + {} validation documents; {} pretraining epochs per RBM, {} fine-tuning epochs, batch {}, dropout {}, seed {}",
        report.training.train_documents,
        report.training.validation_documents,
        report.training.pretrain_epochs,
        report.training.finetune_epochs,
        s.batch_size,
        s.dropout,
        s.seed
    )?;
    for (layer, errors) in report.training.pretraining.iter().enumerate() {
        if let (Some(first), Some(last)) = (errors.first(), errors.last()) {
            writeln!(
                out,
                "  RBM {}      reconstruction error {:.4} -> {:.4}",
                layer + 1,
                first.error,
                last.error
            )?;
        }
    }
    if let (Some(first), Some(last)) = (
        report.training.fine_tuning.first(),
        report.training.fine_tuning.last(),
    ) {
        let v = |e: &topics::autoencoder::EpochLoss| {
            e.validation.map_or("-".to_string(), |v| format!("{v:.4}"))
        };
        writeln!(
            out,
            "  fine-tuning train loss {:.4} -> {:.4}, validation {} -> {}",
            first.train,
            last.train,
            v(first),
            v(last)
        )?;
    }
    match &index.topics {
        Some(t) => writeln!(
            out,
            "topics       {} ({}, named by {}); `topics topics` lists them",
            t.k(),
            if t.choice.given {
                "as set"
            } else {
                "the number whose words cohere best"
            },
            t.naming
        )?,
        None => writeln!(out, "topics       none stored")?,
    }
    let stages: Vec<String> = report
        .training
        .timings
        .iter()
        .map(|t| format!("{} {:.1} s", t.stage, t.seconds))
        .collect();
    writeln!(
        out,
        "time         {:.1} s: {}",
        report.seconds,
        stages.join(", ")
    )?;
    let sizes = store::file_sizes(&cli.index)?;
    let total: u64 = sizes.iter().map(|(_, b)| b).sum();
    let per_document = |bytes: u64| bytes as f64 / index.len().max(1) as f64;
    let mut largest = sizes.clone();
    largest.sort_by_key(|(_, bytes)| std::cmp::Reverse(*bytes));
    let shown: Vec<String> = largest
        .iter()
        .take(3)
        .map(|(name, bytes)| format!("{name} {:.0} B", per_document(*bytes)))
        .collect();
    writeln!(
        out,
        "size         {:.1} MB on disk, {:.0} bytes per document (most: {})",
        total as f64 / 1e6,
        per_document(total),
        shown.join(", ")
    )?;
    out.finish()
}
