//! `topics topics` and `topics eval --topics`: the corpus's topics, and how good they are.

use std::io::Write;
use std::time::Instant;

use anyhow::{Result, bail};
use serde::Serialize;
use topics::index::Index;
use topics::topics::{self as clusters, Corpus, Topics, measure};

use super::commands::{load_index, read_documents};
use super::output::{Sink, ignore_broken_pipe};
use super::progress::Bars;
use super::{Cli, EvalArgs, TopicsArgs};

/// The index's topics, or new ones when `k` or `naming` ask for others.
fn topics_of(index: &Index, k: Option<usize>, naming: Option<clusters::Naming>) -> Result<Topics> {
    if k == Some(0) {
        bail!("--k 0: give at least 1 topic");
    }
    let settings = &index.model.settings;
    let naming = naming.unwrap_or(settings.naming);
    if let Some(stored) = &index.topics
        && k.is_none_or(|k| k == stored.k())
        && stored.naming == naming
    {
        return Ok(stored.clone());
    }
    let start = Instant::now();
    let counts = index.terms.over(&index.model.vocabulary);
    let corpus = Corpus {
        network: &index.model.network,
        vocabulary: &index.model.vocabulary,
        counts: &counts,
    };
    let topics = clusters::discover(index.codes.view(), &corpus, k, naming, settings.seed);
    let stored = match &index.topics {
        Some(t) => format!("the index stores {} topics named by {}", t.k(), t.naming),
        None => "the index stores no topics".to_string(),
    };
    tracing::info!(
        "clustered the codes into {} topics in {:.1} s ({stored}; rebuild with --topics and \
         --naming to store these)",
        topics.k(),
        start.elapsed().as_secs_f64()
    );
    Ok(topics)
}

#[derive(Serialize)]
struct TopicRow<'a> {
    topic: usize,
    size: usize,
    words: &'a [String],
    stems: &'a [String],
    documents: Vec<&'a str>,
    titles: Vec<&'a str>,
}

/// `topics topics`.
pub fn list(cli: &Cli, args: &TopicsArgs) -> Result<()> {
    let index = load_index(cli)?;
    let topics = topics_of(&index, args.k, args.naming)?;
    let mut out = Sink::open(None)?;
    let write = |out: &mut Sink| -> std::io::Result<()> {
        if !args.json {
            let how = if topics.choice.given {
                "k as set".to_string()
            } else {
                "k chosen for the most coherent words".to_string()
            };
            writeln!(
                out,
                "{} topics of {} documents, named by {} ({how})",
                topics.k(),
                index.len(),
                match topics.naming {
                    clusters::Naming::Decoder => "the decoder",
                    clusters::Naming::ClassTfidf => "class TF-IDF",
                }
            )?;
        }
        for (t, topic) in topics.topics.iter().enumerate() {
            let words = &topic.words[..args.words.min(topic.words.len())];
            let stems = &topic.stems[..args.words.min(topic.stems.len())];
            let rows = &topic.documents[..args.docs.min(topic.documents.len())];
            if args.json {
                let row = TopicRow {
                    topic: t + 1,
                    size: topic.size,
                    words,
                    stems,
                    documents: rows
                        .iter()
                        .map(|&r| index.documents[r].id.as_str())
                        .collect(),
                    titles: rows
                        .iter()
                        .map(|&r| index.documents[r].title.as_str())
                        .collect(),
                };
                serde_json::to_writer(&mut *out, &row)?;
                writeln!(out)?;
                continue;
            }
            writeln!(out, "\ntopic {} · {} documents", t + 1, topic.size)?;
            writeln!(out, "  {}", words.join(", "))?;
            for &r in rows {
                let document = &index.documents[r];
                writeln!(out, "    {}  {}", document.id, document.title)?;
            }
        }
        Ok(())
    };
    write(&mut out).or_else(ignore_broken_pipe)?;
    out.finish()
}

#[derive(Serialize)]
struct TopicsEvalJson {
    k: usize,
    index_documents: usize,
    reference_documents: usize,
    methods: Vec<measure::TopicScores>,
}

/// `topics eval --topics`.
pub fn evaluate(cli: &Cli, args: &EvalArgs, bars: &Bars) -> Result<()> {
    if args.read.path.extension().is_some_and(|e| e == "tsv") {
        bail!(
            "{}: --topics measures topics over documents, not a question file",
            args.read.path.display()
        );
    }
    let index = load_index(cli)?;
    let read = read_documents(&args.read, bars)?;
    let k = match (args.k, &index.topics) {
        (Some(0), _) => bail!("--k 0: give at least 1 topic"),
        (Some(k), _) => k,
        (None, Some(topics)) => topics.k(),
        (None, None) => topics_of(&index, None, None)?.k(),
    };
    let texts: Vec<&str> = read.documents.iter().map(|d| d.text.as_str()).collect();
    let start = Instant::now();
    let results = measure::compare(&index, &texts, k, index.model.settings.seed);
    tracing::info!(
        "measured {k} topics three ways in {:.1} s; coherence over {} indexed and {} read documents",
        start.elapsed().as_secs_f64(),
        index.len(),
        texts.len()
    );
    let mut out = Sink::open(None)?;
    if args.json {
        let json = TopicsEvalJson {
            k,
            index_documents: index.len(),
            reference_documents: index.len() + texts.len(),
            methods: results,
        };
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out).or_else(ignore_broken_pipe)?;
        return out.finish();
    }
    let write = |out: &mut Sink| -> std::io::Result<()> {
        writeln!(
            out,
            "{:<34} {:>6} {:>7} {:>7} {:>8}",
            "method", "topics", "NPMI", "NMI", "seconds"
        )?;
        for r in &results {
            let nmi = r.nmi.map_or("-".to_string(), |v| format!("{v:.3}"));
            writeln!(
                out,
                "{:<34} {:>6} {:>7.3} {nmi:>7} {:>8.1}",
                r.method, r.topics, r.npmi, r.seconds
            )?;
        }
        Ok(())
    };
    write(&mut out).or_else(ignore_broken_pipe)?;
    out.finish()
}
