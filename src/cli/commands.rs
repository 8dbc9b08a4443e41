//! What each command does, on top of the library.

use std::io::{Read, Write};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use topics::compare::{self, Methods, Relevance};
use topics::corpus::{self, ReadOptions, ReadReport};
use topics::hashing::format_address;
use topics::hashing::lookup::{self, Lookup};
use topics::index::Index;
use topics::index::store::{self, Kind};
use topics::progress::Progress;
use topics::search::lexical::{Lexical, Weighting};
use topics::settings::Settings;
use topics::vectors::VectorIndex;
use topics::{eval, plot, search};

use super::output::{Sink, decode_text, ignore_broken_pipe, read_file, read_text_file, write_file};
use super::progress::Bars;
use super::{
    BuildArgs, Cli, Command, EncodeArgs, EvalArgs, ExportArgs, MapArgs, MapColor, QueryArgs,
    ReadArgs, Rerank, check_query_length,
};
use super::{index_commands, vector_commands};

pub fn run(cli: Cli) -> Result<()> {
    let bars = Bars::new(cli.quiet);
    match &cli.command {
        Command::Build(args) => build(&cli, args, &bars),
        Command::Add(args) => index_commands::add(&cli, args, &bars),
        Command::Remove(args) => index_commands::remove(&cli, args),
        Command::Query(args) => query(&cli, args),
        Command::Encode(args) => encode(&cli, args, &bars),
        Command::Export(args) => export(&cli, args),
        Command::Dups(args) => index_commands::dups(&cli, args),
        Command::Eval(args) => evaluate(&cli, args, &bars),
        Command::Topics(args) => super::topic_commands::list(&cli, args),
        Command::Map(args) => map(&cli, args),
        Command::Show(args) => vector_commands::show(&cli, args),
        Command::Info(args) => index_commands::info(&cli, args),
    }
}

pub(super) fn read_documents(args: &ReadArgs, progress: &dyn Progress) -> Result<ReadReport> {
    let options = ReadOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        // The parser keeps the number of MiB within a range whose bytes fit in a u64.
        max_document_bytes: args.max_document_mb << 20,
    };
    let start = Instant::now();
    let report = corpus::read(&args.path, &options, progress)?;
    tracing::debug!("reading took {:.2} s", start.elapsed().as_secs_f64());
    Ok(report)
}

/// The index at `--index` when it holds images or vectors; `None` for documents (or no index,
/// which loading it as documents then reports).
pub(super) fn vector_index(cli: &Cli) -> Result<Option<VectorIndex>> {
    if store::is_index(&cli.index) && store::kind(&cli.index)? == Kind::Vectors {
        return Ok(Some(VectorIndex::load(&cli.index)?));
    }
    Ok(None)
}

pub(super) fn load_index(cli: &Cli) -> Result<Index> {
    load_index_parts(cli, store::Parts::All)
}

/// [`load_index`] of only `parts`.
pub(super) fn load_index_parts(cli: &Cli, parts: store::Parts) -> Result<Index> {
    let start = Instant::now();
    let index = store::load_parts(&cli.index, parts)?;
    tracing::debug!(
        "loaded {} documents from {} in {:.2} s",
        index.len(),
        cli.index.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(index)
}

fn settings_of(args: &BuildArgs) -> Result<Settings> {
    let stop_words = match &args.stop_words {
        None => None,
        Some(path) => {
            let text = read_text_file(path, "a list of stop words")?;
            Some(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from)
                    .collect(),
            )
        }
    };
    let defaults = Settings::default();
    let (pretrain, finetune) = args.epochs_asked();
    let language = args
        .language
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--language: {e}"))?;
    Ok(Settings {
        vocab: args.vocab,
        min_df: args.min_df,
        language,
        stop_words,
        headers: args.headers,
        layers: args.layers_or(&defaults.layers),
        dims: args.bits.or(args.dims).unwrap_or(defaults.dims),
        bits: args.bits,
        pretrain_epochs: pretrain.unwrap_or(defaults.pretrain_epochs),
        finetune_epochs: finetune.unwrap_or(defaults.finetune_epochs),
        // Epochs a user chose are kept as they are, however small the corpus.
        min_pretrain_updates: if pretrain.is_some() {
            0
        } else {
            defaults.min_pretrain_updates
        },
        min_finetune_updates: if finetune.is_some() {
            0
        } else {
            defaults.min_finetune_updates
        },
        batch_size: args.batch_size,
        bottom_cd_steps: args.cd_steps,
        finetune_rate: args.finetune_rate,
        dropout: args.dropout.unwrap_or(defaults.dropout),
        validation: args.validation,
        patience: args.patience,
        topics: args.topics,
        naming: args.naming,
        seed: args.seed,
        ..defaults
    })
}

fn build(cli: &Cli, args: &BuildArgs, bars: &Bars) -> Result<()> {
    if let Some(source) = vector_commands::source_of(args)? {
        return vector_commands::build(cli, args, source, bars);
    }
    let start = Instant::now();
    let settings = settings_of(args)?.check()?;
    let _lock = store::lock(&cli.index)?;
    let read = read_documents(&args.read, bars)?;
    let index = topics::build::build(
        &read,
        &args.read.path.display().to_string(),
        &settings,
        bars,
    )?;
    store::save(&index, &cli.index)
        .with_context(|| format!("cannot write the index to {}", cli.index.display()))?;

    let report = &index.report;
    let last = report.training.fine_tuning.last();
    tracing::info!(
        "indexed {} documents ({} skipped) with codes of {} in {}; vocabulary {} stems; \
         final loss train {} validation {}; {:.1} s in all",
        index.len(),
        report.skipped.len(),
        index.model.code_width(),
        cli.index.display(),
        index.model.vocabulary.len(),
        last.map_or("-".into(), |e| format!("{:.4}", e.train)),
        last.and_then(|e| e.validation)
            .map_or("-".into(), |v| format!("{v:.4}")),
        start.elapsed().as_secs_f64()
    );
    for timing in &report.training.timings {
        tracing::info!("  {:<14} {:>8.1} s", timing.stage, timing.seconds);
    }
    Ok(())
}

/// One result line of a query.
#[derive(Serialize)]
struct Hit<'a> {
    query: &'a str,
    rank: usize,
    score: f32,
    id: &'a str,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<u32>,
    /// Hamming distance of the document's address to the query's, with --radius.
    #[serde(skip_serializing_if = "Option::is_none")]
    distance: Option<u32>,
    title: &'a str,
}

fn query(cli: &Cli, args: &QueryArgs) -> Result<()> {
    if let Some(index) = vector_index(cli)? {
        return vector_commands::query(cli, args, &index);
    }
    if let Some(image) = &args.image {
        bail!(
            "{}: the index holds documents; --image {} needs an index built from images",
            cli.index.display(),
            image.display()
        );
    }
    // Ranking by code alone reads neither the counts of every stem nor the signatures.
    let parts = if args.rerank.is_some() || args.hybrid {
        store::Parts::All
    } else {
        store::Parts::Codes
    };
    let index = load_index_parts(cli, parts)?;
    let unit = search::unit_rows(index.codes.view());
    let label_ok = |r: usize| {
        args.label
            .as_ref()
            .is_none_or(|l| index.documents[r].labels.iter().any(|x| x == l))
    };

    let lexical = match (args.rerank, args.hybrid) {
        (Some(Rerank::Tfidf), _) => Some(Lexical::new(&index.terms, Weighting::TfIdf)),
        (Some(Rerank::Bm25), _) | (None, true) => Some(Lexical::new(&index.terms, Weighting::Bm25)),
        (None, false) => None,
    };
    let shortlist = args
        .shortlist
        .unwrap_or_else(|| compare::default_shortlist(index.len()));
    let bits = index.model.address_bits();
    let lookup = args.radius.map(|radius| {
        let start = Instant::now();
        let (lookup, plan) = Lookup::new(&index.addresses, bits, radius);
        tracing::debug!(
            "radius {radius} over {} addresses of {bits} bits: {plan} (ready in {:.1} ms)",
            index.len(),
            start.elapsed().as_secs_f64() * 1e3
        );
        lookup
    });
    // The documents within --radius of `address`, nearest first, then by cosine or by their
    // lexical score with --rerank; the best k.
    let in_ball =
        |address: u64, scores: &[f32], counts: &[(usize, f32)], keep: &dyn Fn(usize) -> bool| {
            let (Some(lookup), Some(radius)) = (&lookup, args.radius) else {
                return Vec::new();
            };
            let ball: Vec<(usize, u32)> = lookup
                .ball(address, radius)
                .into_iter()
                .map(|(r, d)| (r as usize, d))
                .filter(|&(r, _)| keep(r))
                .collect();
            tracing::debug!("{} documents within radius {radius}", ball.len());
            if ball.is_empty() {
                tracing::warn!(
                    "no document lies within {radius} bits of the query's address; try a larger \
                 --radius"
                );
            }
            let order: Vec<f32> = match &lexical {
                Some(lexical) => {
                    let rows: Vec<usize> = ball.iter().map(|&(r, _)| r).collect();
                    lexical.scores_of(&lexical.query_weights(counts), &rows)
                }
                None => ball.iter().map(|&(r, _)| scores[r]).collect(),
            };
            let mut ranked: Vec<(usize, u32, f32)> = ball
                .iter()
                .zip(order)
                .map(|(&(r, d), o)| (r, d, o))
                .collect();
            ranked.sort_by(|a, b| match lexical {
                Some(_) => b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)),
                None => a.1.cmp(&b.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)),
            });
            ranked
                .into_iter()
                .take(args.k)
                .map(|(r, _, _)| (r, scores[r]))
                .collect()
        };
    // The best k by code; with --rerank the shortlist re-ordered by its lexical score; with
    // --hybrid every document by BM25 and code together.
    let rank = |address: u64,
                scores: &[f32],
                counts: &[(usize, f32)],
                keep: &dyn Fn(usize) -> bool| match &lexical {
        _ if args.radius.is_some() => in_ball(address, scores, counts, keep),
        None => search::top_k(scores, args.k, keep),
        Some(lexical) if args.hybrid => {
            let lexical_scores = lexical.scores(&lexical.query_weights(counts));
            let hybrid = search::hybrid_scores(&lexical_scores, scores, search::HYBRID_WEIGHT);
            search::top_k(&hybrid, args.k, keep)
        }
        Some(lexical) => {
            let weights = lexical.query_weights(counts);
            search::rerank_top_k(scores, shortlist, args.k, keep, |rows| {
                lexical.scores_of(&weights, rows)
            })
        }
    };

    let mut out = Sink::open(None)?;
    if let Some(id) = &args.id {
        let Some(own) = index.position(id) else {
            bail!(
                "no document with id {id:?} in {}; `topics export` lists the ids",
                cli.index.display()
            );
        };
        let scores = search::scores(unit.view(), unit.row(own));
        let counts: Vec<(usize, f32)> = index
            .terms
            .counts
            .outer_view(own)
            .map(|row| row.iter().map(|(c, &v)| (c, v)).collect())
            .unwrap_or_default();
        let address = index.addresses[own];
        let hits = rank(address, &scores, &counts, &|r| r != own && label_ok(r));
        let shown = args.radius.map(|_| address);
        print_hits(&mut out, &index, id, &hits, shown, args.json, false)?;
        return out.finish();
    }

    // Each query with the line of --file it comes from.
    let (lines, queries, too_long): (Vec<usize>, Vec<String>, usize) =
        match (&args.text, &args.file) {
            (Some(text), _) => (vec![1], vec![text.clone()], 0),
            (None, Some(path)) => {
                let (numbered, too_long) = read_query_lines(path)?;
                let (lines, queries) = numbered.into_iter().unzip();
                (lines, queries, too_long)
            }
            (None, None) => bail!("give a query text, --file or --id"),
        };
    let total = queries.len() + too_long;
    let none_answered = |path: &std::path::Path| {
        anyhow::anyhow!(
            "{}: none of its {total} queries could be answered (see the warnings above)",
            path.display()
        )
    };
    if let (true, Some(path)) = (queries.is_empty(), &args.file) {
        return Err(none_answered(path));
    }
    let mut skipped = too_long;
    let (codes, known) = index.model.encode_texts(&queries);
    let unit_queries = search::unit_rows(codes.view());
    let addresses = index.model.addresses(codes.view());
    let batch = args.file.is_some();
    for (q, text) in queries.iter().enumerate() {
        if !known[q] {
            let why = why_unknown(&index, text);
            if let Some(path) = &args.file {
                tracing::warn!(
                    "{}, line {}: the query {} has no word of the index's vocabulary: {why}; \
                     skipped",
                    path.display(),
                    lines[q],
                    shorten(text)
                );
                skipped += 1;
                continue;
            }
            bail!(
                "the query {} has no word of the index's vocabulary: {why}, so nothing can be \
                 ranked; try other words",
                shorten(text)
            );
        }
        let scores = search::scores(unit.view(), unit_queries.row(q));
        let counts = Lexical::count(&index.terms, index.model.tokenizer(), text);
        let hits = rank(addresses[q], &scores, &counts, &label_ok);
        let shown = args.radius.map(|_| addresses[q]);
        print_hits(&mut out, &index, text, &hits, shown, args.json, batch)?;
    }
    out.finish()?;
    if let Some(path) = &args.file {
        if skipped == total {
            return Err(none_answered(path));
        }
        if skipped > 0 {
            tracing::warn!("{skipped} of {total} queries skipped");
        }
    }
    Ok(())
}

/// Why a query with no word of the vocabulary has none, for messages.
fn why_unknown(index: &Index, text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    index.model.tokenizer().for_each(text, |_, word| {
        if !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    });
    if words.is_empty() {
        return "it has only stop words, numbers or single letters".to_string();
    }
    let shown = 5;
    let mut list = words
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if words.len() > shown {
        list.push_str(&format!(" and {} more", words.len() - shown));
    }
    format!("none of its words ({list}) is in the vocabulary")
}

/// A query as it is quoted in messages: its first 60 characters, with the length of the rest.
fn shorten(text: &str) -> String {
    const SHOWN: usize = 60;
    let mut chars = text.char_indices();
    match chars.nth(SHOWN) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes in all)", &text[..cut], text.len()),
    }
}

/// The non-blank lines of a query file (or stdin for `-`) with their line numbers, and how many
/// were skipped for being too long.
fn read_query_lines(path: &std::path::Path) -> Result<(Vec<(usize, String)>, usize)> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read queries from stdin")?;
        bytes
    } else {
        read_file(path)?
    };
    let text = decode_text(path, &bytes, "a file of queries")?;
    let mut lines = Vec::new();
    let mut skipped = 0;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if let Err(why) = check_query_length(line) {
            tracing::warn!("{}, line {}: {why}; skipped", path.display(), number + 1);
            skipped += 1;
            continue;
        }
        lines.push((number + 1, line.to_string()));
    }
    if lines.is_empty() && skipped == 0 {
        bail!("{}: no queries in it (one query per line)", path.display());
    }
    Ok((lines, skipped))
}

fn print_hits(
    out: &mut Sink,
    index: &Index,
    query: &str,
    hits: &[(usize, f32)],
    address: Option<u64>,
    json: bool,
    header: bool,
) -> Result<()> {
    let write = |out: &mut Sink| -> std::io::Result<()> {
        if !json && header {
            writeln!(out, "query: {query}")?;
        }
        for (rank, &(r, score)) in hits.iter().enumerate() {
            let document = &index.documents[r];
            if json {
                let hit = Hit {
                    query,
                    rank: rank + 1,
                    score,
                    id: &document.id,
                    label: document.label(),
                    topic: index.topic_of(r).map(|t| t + 1),
                    distance: address.map(|a| lookup::distance(a, index.addresses[r])),
                    title: &document.title,
                };
                serde_json::to_writer(&mut *out, &hit)?;
                writeln!(out)?;
            } else {
                let mut topic = index
                    .topic_of(r)
                    .map_or(String::new(), |t| format!("  topic {}", t + 1));
                if let Some(a) = address {
                    topic += &format!("  {} bits away", lookup::distance(a, index.addresses[r]));
                }
                writeln!(
                    out,
                    "{:>3}  {score:.3}  {}  {}{topic}  {}",
                    rank + 1,
                    corpus::printable(&document.id),
                    corpus::printable(&document.label()),
                    corpus::printable(&document.title)
                )?;
            }
        }
        if !json && header {
            writeln!(out)?;
        }
        Ok(())
    };
    write(out).or_else(ignore_broken_pipe)
}

fn code_header(width: usize, topics: bool) -> Vec<String> {
    let mut header = vec!["id".to_string(), "label".to_string()];
    if topics {
        header.push("topic".to_string());
    }
    header.extend((1..=width).map(|i| format!("c{i}")));
    header.push("address".to_string());
    header
}

fn code_record(
    id: &str,
    label: &str,
    topic: Option<u32>,
    code: ndarray::ArrayView1<f32>,
    address: &str,
) -> Vec<String> {
    let mut record = vec![id.to_string(), label.to_string()];
    if let Some(topic) = topic {
        record.push((topic + 1).to_string());
    }
    record.extend(code.iter().map(|v| format!("{v}")));
    record.push(address.to_string());
    record
}

fn export(cli: &Cli, args: &ExportArgs) -> Result<()> {
    if let Some(index) = vector_index(cli)? {
        return vector_commands::export(args, &index);
    }
    let index = load_index(cli)?;
    let bits = index.model.address_bits();
    let mut sink = Sink::open(args.csv.as_deref())?;
    {
        let mut writer = csv::Writer::from_writer(&mut sink);
        writer.write_record(code_header(
            index.model.code_width(),
            index.topics.is_some(),
        ))?;
        for (r, document) in index.documents.iter().enumerate() {
            let address = format_address(index.addresses[r], bits);
            writer.write_record(code_record(
                &document.id,
                &document.label(),
                index.topic_of(r),
                index.codes.row(r),
                &address,
            ))?;
        }
        writer.flush().or_else(ignore_broken_pipe)?;
    }
    sink.finish()?;
    if let Some(path) = args.csv.as_ref().filter(|p| p.as_os_str() != "-") {
        tracing::info!("wrote {} rows to {}", index.len(), path.display());
    }
    Ok(())
}

#[derive(Serialize)]
struct EncodedRow<'a> {
    id: &'a str,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<u32>,
    code: Vec<f32>,
    address: String,
}

fn encode(cli: &Cli, args: &EncodeArgs, bars: &Bars) -> Result<()> {
    let index = load_index_parts(cli, store::Parts::Codes)?;
    let read = read_documents(&args.read, bars)?;
    let texts: Vec<&str> = read.documents.iter().map(|d| d.text.as_str()).collect();
    let (codes, known) = index.model.encode_texts(&texts);
    let addresses = index.model.addresses(codes.view());
    let bits = index.model.address_bits();
    let topics = index.topics.as_ref().map(|t| t.assign(codes.view()));
    let topic_of = |i: usize| topics.as_ref().map(|t| t[i]);

    let mut sink = Sink::open(None)?;
    let mut writer = (!args.json).then(|| csv::Writer::from_writer(Vec::new()));
    if let Some(w) = writer.as_mut() {
        w.write_record(code_header(index.model.code_width(), topics.is_some()))?;
    }
    for (i, document) in read.documents.iter().enumerate() {
        if !known[i] {
            tracing::warn!(
                "{}: no word of the index's vocabulary, no code",
                document.id
            );
            continue;
        }
        let label = document.labels.join("|");
        let address = format_address(addresses[i], bits);
        match writer.as_mut() {
            Some(w) => w.write_record(code_record(
                &document.id,
                &label,
                topic_of(i),
                codes.row(i),
                &address,
            ))?,
            None => {
                let row = EncodedRow {
                    id: &document.id,
                    label,
                    topic: topic_of(i).map(|t| t + 1),
                    code: codes.row(i).to_vec(),
                    address,
                };
                serde_json::to_writer(&mut sink, &row)?;
                writeln!(sink).or_else(ignore_broken_pipe)?;
            }
        }
    }
    if let Some(w) = writer {
        sink.write_all(&w.into_inner().context("cannot write CSV")?)
            .or_else(ignore_broken_pipe)?;
    }
    sink.finish()
}

#[derive(Serialize)]
struct EvalJson {
    method: String,
    #[serde(flatten)]
    codes: eval::Evaluation,
    index_documents: usize,
    code_width: usize,
    seconds: f64,
    baselines: serde_json::Map<String, serde_json::Value>,
}

fn evaluate(cli: &Cli, args: &EvalArgs, bars: &Bars) -> Result<()> {
    if let Some(index) = vector_index(cli)? {
        if args.topics {
            bail!(
                "{}: topics are found in indexes of documents",
                cli.index.display()
            );
        }
        return vector_commands::evaluate(args, &index);
    }
    if args.topics {
        return super::topic_commands::evaluate(cli, args, bars);
    }
    let index = load_index(cli)?;
    let questions = args.read.path.extension().is_some_and(|e| e == "tsv");
    let read = if questions {
        read_questions(&args.read.path)?
    } else {
        read_documents(&args.read, bars)?
    };
    if read.documents.iter().all(|d| d.labels.is_empty()) {
        bail!(
            "{}: no document has a label, so relevance cannot be judged; labels come from folder \
             names or a label/labels field",
            args.read.path.display()
        );
    }
    let start = Instant::now();
    let methods = Methods {
        relevance: if questions {
            Relevance::Answers
        } else {
            Relevance::Labels
        },
        baselines: !args.no_baselines,
        curve: args.curve.is_some() || args.plot.is_some(),
        shortlist: args.shortlist,
    };
    let results = compare::compare(&index, &read.documents, methods, bars);
    let seconds = start.elapsed().as_secs_f64();
    let Some((codes_name, codes)) = results.first().cloned() else {
        bail!("nothing was evaluated");
    };
    if codes.skipped > 0 {
        tracing::warn!(
            "{} queries skipped: no label, or no word of the vocabulary",
            codes.skipped
        );
    }

    if let Some(path) = &args.curve {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["method", "retrieved", "precision", "recall"])?;
        for (name, evaluation) in &results {
            for point in &evaluation.curve {
                writer.write_record([
                    name.clone(),
                    point.retrieved.to_string(),
                    format!("{:.6}", point.precision),
                    format!("{:.6}", point.recall),
                ])?;
            }
        }
        write_file(path, &writer.into_inner().context("cannot write CSV")?)?;
        tracing::info!(
            "wrote precision and recall against the number retrieved to {}",
            path.display()
        );
    }

    if let Some(path) = &args.plot {
        let curves: Vec<(String, Vec<eval::CurvePoint>)> = results
            .iter()
            .map(|(name, e)| (name.clone(), e.curve.clone()))
            .collect();
        let title = format!(
            "{} queries against {} documents",
            codes.queries,
            index.len()
        );
        plot::curves_png(path, &title, &curves)?;
        tracing::info!("drew precision against recall to {}", path.display());
    }

    let mut out = Sink::open(None)?;
    if args.json {
        let mut baselines = serde_json::Map::new();
        for (name, evaluation) in results.iter().skip(1) {
            let mut evaluation = evaluation.clone();
            evaluation.curve.clear();
            baselines.insert(name.clone(), serde_json::to_value(evaluation)?);
        }
        let mut summary = codes;
        summary.curve.clear();
        let json = EvalJson {
            method: codes_name,
            codes: summary,
            index_documents: index.len(),
            code_width: index.model.code_width(),
            seconds,
            baselines,
        };
        serde_json::to_writer(&mut out, &json)?;
        writeln!(out).or_else(ignore_broken_pipe)?;
    } else {
        writeln!(
            out,
            "{} queries against {} documents ({} skipped), {:.1} s",
            codes.queries,
            index.len(),
            codes.skipped,
            seconds
        )?;
        let row = |e: &eval::Evaluation| -> Vec<f64> {
            if questions {
                vec![e.mrr, e.recall_at_1, e.recall_at_10, e.seconds_per_1000]
            } else {
                vec![e.p_at_1, e.p_at_10, e.p_at_100, e.map, e.seconds_per_1000]
            }
        };
        let header: &[&str] = if questions {
            &["MRR", "R@1", "R@10", "s/1000 q"]
        } else {
            &["P@1", "P@10", "P@100", "MAP", "s/1000 q"]
        };
        let cells: Vec<String> = header.iter().map(|h| format!("{h:>9}")).collect();
        writeln!(out, "{:<14}{}", "method", cells.join(""))?;
        for (name, e) in &results {
            let cells: Vec<String> = row(e).iter().map(|v| format!("{v:>9.3}")).collect();
            writeln!(out, "{name:<14}{}", cells.join(""))?;
        }
    }
    out.finish()
}

/// Reads a question file: one `question<TAB>answer id` per line; a question on several lines
/// has several answers. The answer id is a document's id or its file name without extension.
fn read_questions(path: &std::path::Path) -> Result<ReadReport> {
    let text = read_text_file(path, "a question file")?;
    let mut order: Vec<String> = Vec::new();
    let mut answers: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let Some((question, answer)) = line.split_once('\t') else {
            bail!(
                "{}, line {}: expected `question<TAB>answer id`, found no tab",
                path.display(),
                number + 1
            );
        };
        let (question, answer) = (question.trim(), answer.trim());
        if question.is_empty() || answer.is_empty() {
            bail!(
                "{}, line {}: the question or the answer id is empty",
                path.display(),
                number + 1
            );
        }
        let entry = answers.entry(question.to_string()).or_insert_with(|| {
            order.push(question.to_string());
            Vec::new()
        });
        entry.push(answer.to_string());
    }
    if order.is_empty() {
        bail!(
            "{}: no questions in it (one `question<TAB>answer id` per line)",
            path.display()
        );
    }
    let documents = order
        .into_iter()
        .enumerate()
        .map(|(i, question)| corpus::Document {
            id: format!("question {}", i + 1),
            labels: answers.remove(&question).unwrap_or_default(),
            text: question,
        })
        .collect();
    Ok(ReadReport {
        documents,
        ..ReadReport::default()
    })
}

fn map(cli: &Cli, args: &MapArgs) -> Result<()> {
    if let Some(index) = vector_index(cli)? {
        return vector_commands::map(args, &index);
    }
    let index = load_index(cli)?;
    let points = plot::project_2d(index.codes.view());
    let labels: Vec<String> = index
        .documents
        .iter()
        .map(|d| d.labels.first().cloned().unwrap_or_default())
        .collect();
    let unlabelled = labels.iter().all(String::is_empty);
    let by_topic = match args.color {
        Some(MapColor::Topic) => true,
        Some(MapColor::Label) => false,
        None if unlabelled && index.topics.is_some() => {
            tracing::info!("the documents have no labels: colouring them by topic");
            true
        }
        None => false,
    };
    let labels = match (&index.topics, by_topic) {
        (Some(topics), true) => topics
            .assignments
            .iter()
            .map(|&t| {
                let words = &topics.topics[t as usize].words;
                let named: Vec<&str> = words.iter().take(2).map(String::as_str).collect();
                format!("{} {}", t + 1, named.join(" "))
            })
            .collect(),
        (None, true) => bail!(
            "{}: the index stores no topics to colour by; rebuild it with this topics",
            cli.index.display()
        ),
        (_, false) => labels,
    };
    let how = if index.model.code_width() == 2 {
        "2-D codes"
    } else {
        "codes on their two principal axes"
    };
    let title = format!("{} documents, {how}", index.len());
    plot::map_png(&args.png, &title, points.view(), &labels)?;
    tracing::info!("drew {} documents to {}", index.len(), args.png.display());
    Ok(())
}
