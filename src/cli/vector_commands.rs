//! The commands on an index of images or vectors: build, query by image or id, eval beside
//! PCA, show reconstructions, map, info and export.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use ndarray::{Array2, ArrayView2, Axis};
use serde::Serialize;
use topics::corpus::items::{self, Items, ReadOptions, Source};
use topics::index::store;
use topics::rbm::{Hidden, Visible};
use topics::vectors::{self, ItemInfo, VectorIndex, VectorReport, VectorSettings, search};

use super::output::{Sink, ignore_broken_pipe};
use super::progress::Bars;
use super::{
    BuildArgs, Cli, EvalArgs, ExportArgs, HiddenUnits, InfoArgs, InputKind, MapArgs, QueryArgs,
    ShowArgs, VisibleUnits,
};

/// What `build` should read `args`' input as: `None` for documents.
pub(super) fn source_of(args: &BuildArgs) -> Result<Option<Source>> {
    let path = &args.read.path;
    if args.kind.is_none() && !path.exists() {
        // The document reader says what is missing.
        return Ok(None);
    }
    let detected = items::detect(path)?;
    let source = match (args.kind, detected) {
        (Some(InputKind::Text), _) => None,
        (Some(InputKind::Image), Some(s @ (Source::Idx | Source::Pictures))) => Some(s),
        (Some(InputKind::Image), _) if path.is_dir() => Some(Source::Pictures),
        (Some(InputKind::Image), _) => Some(Source::Idx),
        (Some(InputKind::Vectors), Some(Source::Idx)) => Some(Source::Idx),
        (Some(InputKind::Vectors), _) => Some(Source::Numbers),
        (None, detected) => detected,
    };
    let told = if args.kind.is_some() {
        "as --kind says"
    } else {
        "told from the input; --kind overrides"
    };
    match source {
        Some(source) => tracing::info!("reading {} as {} ({told})", path.display(), noun(source)),
        None => tracing::debug!("reading {} as documents ({told})", path.display()),
    }
    if source.is_none() && args.labels.is_some() {
        bail!(
            "--labels {}: label files go with IDX images; documents carry their labels in \
             their folders or records",
            args.labels
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string())
        );
    }
    Ok(source)
}

fn noun(source: Source) -> &'static str {
    match source {
        Source::Idx => "IDX images",
        Source::Pictures => "a folder of images",
        Source::Numbers => "a CSV of numbers (vectors)",
    }
}

fn read_items(
    path: &Path,
    source: Source,
    labels: Option<&Path>,
    size: (usize, usize),
) -> Result<Items> {
    let start = Instant::now();
    let options = ReadOptions {
        labels: labels.map(Path::to_path_buf),
        size,
    };
    let items = items::read(path, source, &options)?;
    tracing::info!(
        "read {} items of {} values from {} in {:.1} s ({} skipped)",
        items.ids.len(),
        items.values.ncols(),
        path.display(),
        start.elapsed().as_secs_f64(),
        items.skipped.len()
    );
    Ok(items)
}

fn settings_of(args: &BuildArgs, source: Source) -> Result<VectorSettings> {
    if args.bits.is_some() {
        bail!("--bits trains binary codes for documents; images and vectors get real codes");
    }
    if args.dropout.is_some() {
        tracing::warn!("--dropout applies to documents only; images and vectors train without it");
    }
    let defaults = VectorSettings::default();
    let (pretrain, finetune) = args.epochs_asked();
    let visible = match args.visible {
        Some(VisibleUnits::Binary) => Visible::Binary,
        Some(VisibleUnits::Gaussian) => Visible::Gaussian,
        None if source == Source::Numbers => Visible::Gaussian,
        None => Visible::Binary,
    };
    Ok(VectorSettings {
        layers: args.layers_or(&defaults.layers),
        dims: args.dims.unwrap_or(defaults.dims),
        visible,
        hidden: match args.hidden {
            HiddenUnits::Binary => Hidden::Binary,
            HiddenUnits::Relu => Hidden::Relu,
        },
        pretrain_epochs: pretrain.unwrap_or(defaults.pretrain_epochs),
        finetune_epochs: finetune.unwrap_or(defaults.finetune_epochs),
        batch_size: args.batch_size,
        finetune_rate: args.finetune_rate,
        validation: args.validation,
        patience: args.patience.or(defaults.patience),
        seed: args.seed,
        ..defaults
    })
}

/// `topics build` of images or vectors.
pub(super) fn build(cli: &Cli, args: &BuildArgs, source: Source, bars: &Bars) -> Result<()> {
    let start = Instant::now();
    let settings = settings_of(args, source)?;
    let _lock = store::lock(&cli.index)?;
    let read = read_items(
        &args.read.path,
        source,
        args.labels.as_deref(),
        args.image_size,
    )?;
    settings.check(read.values.ncols())?;
    let report = VectorReport {
        source: args.read.path.display().to_string(),
        labels: args.labels.as_ref().map(|p| p.display().to_string()),
        source_kind: format!("{source:?}").to_lowercase(),
        items_read: read.ids.len() + read.skipped.len(),
        skipped: read.skipped.iter().map(Into::into).collect(),
        ..VectorReport::default()
    };
    let infos = read
        .ids
        .iter()
        .zip(&read.labels)
        .map(|(id, label)| ItemInfo {
            id: id.clone(),
            label: label.clone(),
        })
        .collect();
    let index = VectorIndex::build(
        read.values.view(),
        infos,
        read.shape,
        &settings,
        report,
        bars,
    )?;
    index
        .save(&cli.index)
        .with_context(|| format!("cannot write the index to {}", cli.index.display()))?;

    let training = &index.report.training;
    let last = training.fine_tuning.last();
    tracing::info!(
        "indexed {} items with codes of {} in {}; network {}; final loss train {} validation \
         {}; {:.1} s in all",
        index.items.len(),
        index.model.code_width(),
        cli.index.display(),
        widths_text(&index),
        last.map_or("-".into(), |e| format!("{:.4}", e.train)),
        last.and_then(|e| e.validation)
            .map_or("-".into(), |v| format!("{v:.4}")),
        start.elapsed().as_secs_f64()
    );
    for timing in &training.timings {
        tracing::info!("  {:<14} {:>8.1} s", timing.stage, timing.seconds);
    }
    Ok(())
}

fn widths_text(index: &VectorIndex) -> String {
    let widths: Vec<String> = index
        .model
        .network
        .widths()
        .iter()
        .map(usize::to_string)
        .collect();
    widths.join("-")
}

/// One result line of an image query.
#[derive(Serialize)]
struct Hit<'a> {
    query: &'a str,
    rank: usize,
    distance: f32,
    id: &'a str,
    label: &'a str,
}

/// `topics query` on an index of images or vectors.
pub(super) fn query(cli: &Cli, args: &QueryArgs, index: &VectorIndex) -> Result<()> {
    let (name, code, own) = match (&args.image, &args.id) {
        (Some(path), _) => {
            let Some(shape) = index.shape else {
                bail!(
                    "{}: the index holds vectors, not images; query it with --id ID",
                    cli.index.display()
                );
            };
            let pixels = items::read_picture(path, shape)?;
            let values = Array2::from_shape_vec((1, pixels.len()), pixels)
                .context("an image of the index's size")?;
            (
                path.display().to_string(),
                index.model.encode(values.view()),
                None,
            )
        }
        (None, Some(id)) => {
            let Some(row) = index.items.iter().position(|i| &i.id == id) else {
                bail!("{}: no item has the id {id:?}", cli.index.display());
            };
            let code = index.codes.row(row).insert_axis(Axis(0)).to_owned();
            (id.clone(), code, Some(row))
        }
        (None, None) => bail!(
            "{}: the index holds {}; query it with --image FILE or --id ID",
            cli.index.display(),
            if index.shape.is_some() {
                "images"
            } else {
                "vectors"
            }
        ),
    };
    let keep = |r: usize| {
        Some(r) != own
            && args
                .label
                .as_ref()
                .is_none_or(|l| &index.items[r].label == l)
    };
    let found = search::nearest(index.codes.view(), code.view(), args.k, |_, r| !keep(r));
    let mut out = Sink::open(None)?;
    for (rank, &(row, distance)) in found[0].iter().enumerate() {
        let item = &index.items[row];
        let hit = Hit {
            query: &name,
            rank: rank + 1,
            distance: distance.sqrt(),
            id: &item.id,
            label: &item.label,
        };
        if args.json {
            serde_json::to_writer(&mut out, &hit)?;
            writeln!(out).or_else(ignore_broken_pipe)?;
        } else {
            writeln!(
                out,
                "{:>3}  {:>8.3}  {}  {}",
                hit.rank, hit.distance, hit.id, hit.label
            )
            .or_else(ignore_broken_pipe)?;
        }
    }
    out.finish()
}

/// How well one method reconstructs and retrieves the test items.
#[derive(Debug, Serialize)]
struct Quality {
    reconstruction_error: f64,
    p_at_1: f64,
    p_at_10: f64,
    p_at_100: f64,
    /// Seconds to encode the test items and find each one's 100 nearest codes, per 1000.
    seconds_per_1000: f64,
}

fn quality(
    codes: ArrayView2<f32>,
    test: ArrayView2<f32>,
    test_codes: ArrayView2<f32>,
    reconstruction: ArrayView2<f32>,
    index_labels: &[String],
    test_labels: &[String],
    encode_seconds: f64,
) -> Quality {
    let start = Instant::now();
    let found = search::nearest(codes, test_codes, 100, |_, _| false);
    let seconds = encode_seconds + start.elapsed().as_secs_f64();
    let [p_at_1, p_at_10, p_at_100] = search::precision(&found, index_labels, test_labels);
    Quality {
        reconstruction_error: vectors::squared_error(test, reconstruction),
        p_at_1,
        p_at_10,
        p_at_100,
        seconds_per_1000: seconds * 1000.0 / test.nrows().max(1) as f64,
    }
}

/// Reads test items shaped like the index's.
fn read_like_index(index: &VectorIndex, path: &Path, labels: Option<&Path>) -> Result<Items> {
    let source = match items::detect(path)? {
        Some(source) => source,
        None if index.shape.is_some() => bail!(
            "{}: this is not IDX images or a folder of images, which an image index needs",
            path.display()
        ),
        None => Source::Numbers,
    };
    let size = index.shape.unwrap_or((28, 28));
    let read = read_items(path, source, labels, size)?;
    if read.values.ncols() != index.model.features() {
        bail!(
            "{}: items of {} values, but the index was built from items of {}",
            path.display(),
            read.values.ncols(),
            index.model.features()
        );
    }
    Ok(read)
}

/// `topics eval` on an index of images or vectors: reconstruction error and search precision
/// of the autoencoder's codes beside PCA's at the same width.
pub(super) fn evaluate(args: &EvalArgs, index: &VectorIndex) -> Result<()> {
    let test = read_like_index(index, &args.read.path, args.labels.as_deref())?;
    if test.labels.iter().all(String::is_empty) {
        tracing::warn!(
            "{}: the test items have no labels, so search precision cannot be judged (give \
             --labels FILE for IDX images)",
            args.read.path.display()
        );
    }
    let index_labels = index.labels();

    let start = Instant::now();
    let codes = index.model.encode(test.values.view());
    let encode_seconds = start.elapsed().as_secs_f64();
    let reconstruction = index.model.decode(codes.view());
    let autoencoder = quality(
        index.codes.view(),
        test.values.view(),
        codes.view(),
        reconstruction.view(),
        &index_labels,
        &test.labels,
        encode_seconds,
    );

    let start = Instant::now();
    let pca_codes = index.pca.encode(test.values.view());
    let encode_seconds = start.elapsed().as_secs_f64();
    let pca_reconstruction = index.pca.decode(pca_codes.view());
    let pca = quality(
        index.pca_codes.view(),
        test.values.view(),
        pca_codes.view(),
        pca_reconstruction.view(),
        &index_labels,
        &test.labels,
        encode_seconds,
    );

    let mut out = Sink::open(None)?;
    let width = index.model.code_width();
    if args.json {
        let json = serde_json::json!({
            "method": format!("autoencoder-{width}"),
            "items": test.ids.len(),
            "reconstruction_error": autoencoder.reconstruction_error,
            "p_at_1": autoencoder.p_at_1,
            "p_at_10": autoencoder.p_at_10,
            "p_at_100": autoencoder.p_at_100,
            "seconds_per_1000": autoencoder.seconds_per_1000,
            "baselines": { "pca": pca },
        });
        serde_json::to_writer(&mut out, &json)?;
        writeln!(out)?;
        return out.finish();
    }
    writeln!(
        out,
        "{} test items against {} indexed; reconstruction error is the squared error summed \
         over values, per item; precision is of the nearest codes (Euclidean), relevant = \
         same label",
        test.ids.len(),
        index.items.len()
    )?;
    writeln!(
        out,
        "{:<16} {:>14} {:>7} {:>7} {:>7} {:>10}",
        "method", "reconstruction", "P@1", "P@10", "P@100", "s/1000"
    )?;
    for (name, q) in [
        (format!("autoencoder-{width}"), &autoencoder),
        (format!("pca-{width}"), &pca),
    ] {
        writeln!(
            out,
            "{:<16} {:>14.3} {:>7.3} {:>7.3} {:>7.3} {:>10.4}",
            name, q.reconstruction_error, q.p_at_1, q.p_at_10, q.p_at_100, q.seconds_per_1000
        )?;
    }
    out.finish()
}

/// Rows of `labels` to show: the first item of each label in label order, then the next
/// items in order, `count` in all.
fn chosen(labels: &[String], count: usize) -> Vec<usize> {
    let mut firsts: Vec<(&str, usize)> = Vec::new();
    for (row, label) in labels.iter().enumerate() {
        if !label.is_empty() && !firsts.iter().any(|(l, _)| *l == label.as_str()) {
            firsts.push((label.as_str(), row));
        }
    }
    firsts.sort();
    let mut rows: Vec<usize> = firsts.into_iter().map(|(_, r)| r).take(count).collect();
    for row in 0..labels.len() {
        if rows.len() >= count {
            break;
        }
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
    rows
}

/// `topics show`: originals above their reconstructions by the autoencoder and by PCA.
pub(super) fn show(cli: &Cli, args: &ShowArgs) -> Result<()> {
    let index = VectorIndex::load(&cli.index)?;
    let Some(shape) = index.shape else {
        bail!(
            "{}: the index holds vectors, not images; there is nothing to draw",
            cli.index.display()
        );
    };
    let (path, labels) = match &args.path {
        Some(path) => (path.clone(), args.labels.clone()),
        None => (
            index.report.source.clone().into(),
            index.report.labels.clone().map(Into::into),
        ),
    };
    let read = read_like_index(&index, &path, labels.as_deref()).with_context(|| {
        format!(
            "cannot read the images to show; give them as PATH (the index was built from {})",
            index.report.source
        )
    })?;
    let rows = chosen(&read.labels, args.count);
    let originals = read.values.select(Axis(0), &rows);
    let codes = index.model.encode(originals.view());
    let autoencoder = index.model.decode(codes.view());
    let pca = index.pca.decode(index.pca.encode(originals.view()).view());
    let grid = topics::plot::image_grid(&[originals.view(), autoencoder.view(), pca.view()], shape);
    topics::plot::write_grey_png(&args.png, grid.view())?;
    tracing::info!(
        "wrote {}: {} images (top), the autoencoder's reconstructions, PCA's at {} numbers",
        args.png.display(),
        rows.len(),
        index.model.code_width()
    );
    Ok(())
}

/// `topics map` of an index of images or vectors, coloured by label.
pub(super) fn map(args: &MapArgs, index: &VectorIndex) -> Result<()> {
    let points = topics::plot::project_2d(index.codes.view());
    let how = if index.model.code_width() == 2 {
        "2-D codes"
    } else {
        "codes on their two principal axes"
    };
    let title = format!("{} items, {how}", index.items.len());
    topics::plot::map_png(&args.png, &title, points.view(), &index.labels())?;
    tracing::info!("wrote {}", args.png.display());
    Ok(())
}

/// `topics export` of an index of images or vectors: id, label, code.
pub(super) fn export(args: &ExportArgs, index: &VectorIndex) -> Result<()> {
    let mut sink = Sink::open(args.csv.as_deref())?;
    {
        let mut writer = csv::Writer::from_writer(&mut sink);
        let mut header = vec!["id".to_string(), "label".to_string()];
        header.extend((0..index.model.code_width()).map(|i| format!("code{i}")));
        writer.write_record(&header)?;
        for (item, code) in index.items.iter().zip(index.codes.rows()) {
            let mut record = vec![item.id.clone(), item.label.clone()];
            record.extend(code.iter().map(|v| format!("{v:.6}")));
            writer.write_record(&record)?;
        }
        writer.flush().or_else(ignore_broken_pipe)?;
    }
    sink.finish()
}

/// `topics info` of an index of images or vectors.
pub(super) fn info(cli: &Cli, args: &InfoArgs, index: &VectorIndex) -> Result<()> {
    let mut out = Sink::open(None)?;
    let report = &index.report;
    if args.json {
        let json = serde_json::json!({
            "index": cli.index.display().to_string(),
            "format": store::FORMAT,
            "version": store::VERSION,
            "kind": "vectors",
            "items": index.items.len(),
            "image_size": index.shape,
            "widths": index.model.network.widths(),
            "code_width": index.model.code_width(),
            "settings": index.model.settings,
            "report": report,
            "files": super::index_commands::files_json(&cli.index)?,
        });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        return out.finish();
    }
    let s = &index.model.settings;
    writeln!(
        out,
        "index        {} (format {} version {}, images and vectors)",
        cli.index.display(),
        store::FORMAT,
        store::VERSION
    )?;
    writeln!(
        out,
        "source       {} ({})",
        report.source, report.source_kind
    )?;
    writeln!(
        out,
        "items        {} indexed, {} read, {} skipped",
        index.items.len(),
        report.items_read,
        report.skipped.len()
    )?;
    if let Some((h, w)) = index.shape {
        writeln!(out, "images       {h}×{w} grey")?;
    }
    writeln!(
        out,
        "network      {} ({:?} visible, {:?} hidden, linear code)",
        widths_text(index),
        s.visible,
        s.hidden
    )?;
    let training = &report.training;
    writeln!(
        out,
        "training     {} items ({} held out), {} pretraining epochs per RBM, {} of fine-tuning",
        training.train_documents,
        training.validation_documents,
        training.pretrain_epochs,
        training.finetune_epochs
    )?;
    for timing in &training.timings {
        writeln!(out, "  {:<14} {:>8.1} s", timing.stage, timing.seconds)?;
    }
    if let Some(last) = training.fine_tuning.last() {
        writeln!(
            out,
            "final loss   train {:.4} validation {}",
            last.train,
            last.validation.map_or("-".into(), |v| format!("{v:.4}"))
        )?;
    }
    let total: u64 = store::file_sizes(&cli.index)?.iter().map(|f| f.1).sum();
    writeln!(out, "size         {:.1} MB on disk", total as f64 / 1e6)?;
    out.finish()
}
