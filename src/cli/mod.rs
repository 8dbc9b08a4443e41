//! The command line: arguments, and what each command prints.
//!
//! Results go to stdout (tables, CSV or JSON Lines); progress, logs and the summary of long
//! work go to stderr. Exit codes: 0 success, 1 failure, 2 usage error.

mod commands;
mod index_commands;
mod output;
pub mod progress;
mod topic_commands;
mod vector_commands;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use topics::text::Headers;
use topics::topics::Naming;

pub use commands::run;

const EXAMPLES: &str = "\
Examples:
  topics build corpora/medquad
  topics query \"what are the symptoms of diabetes\"
  topics query --file questions.txt --json
  topics export --csv codes.csv
  topics dups
  topics eval test-corpus/";

/// Learn tiny codes for documents with a deep autoencoder, and search with them.
#[derive(Debug, Parser)]
#[command(name = "topics", version, about, after_help = EXAMPLES)]
#[command(args_override_self = true, allow_negative_numbers = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// The index directory.
    #[arg(
        long,
        global = true,
        default_value = "topics-index",
        value_name = "DIR"
    )]
    pub index: PathBuf,

    /// Only warnings and errors on stderr, no progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// More detail on stderr (-vv for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model on documents and index them.
    #[command(after_help = "Examples:
  topics build corpora/medquad
  topics build 20news-bydate.tar.gz --include '20news-bydate-train/**'
  topics build notes.jsonl --epochs 5 --seed 7 --index notes-index")]
    Build(BuildArgs),

    /// Encode more documents with the trained model and add them to the index (no retraining).
    #[command(after_help = "Examples:
  topics add new-posts/
  topics add more.jsonl --index notes-index")]
    Add(AddArgs),

    /// Drop documents from the index by id.
    #[command(after_help = "Examples:
  topics remove cdc/0000440-7.txt nhlbi/0000044-1.txt
  topics remove --file stale-ids.txt")]
    Remove(RemoveArgs),

    /// Find the documents closest to a question, a batch of questions or a document.
    #[command(after_help = "Examples:
  topics query \"how do I get my graphics card to work\"
  topics query --file questions.txt --json     (one query per line; - reads stdin)
  topics query --id cancer-gov/0000027_1-4.txt -k 5
  topics query --rerank \"how do I delete my facebook account\"
  topics query --hybrid \"how do I delete my facebook account\"
  topics query --radius 2 \"heart attack\"      (documents within 2 bits of its address)")]
    Query(QueryArgs),

    /// Print the codes of documents without adding them to the index.
    #[command(after_help = "Examples:
  topics encode notes.txt
  topics encode new-posts/ --json")]
    Encode(EncodeArgs),

    /// Write every indexed document's code and address as CSV.
    #[command(after_help = "Examples:
  topics export --csv codes.csv
  topics export > codes.csv")]
    Export(ExportArgs),

    /// Groups of near-duplicate documents: same address and nearly the same code.
    #[command(after_help = "Examples:
  topics dups
  topics dups --threshold 0.999 --json
  topics dups --radius 0 --measure jaccard --threshold 0.8")]
    Dups(DupsArgs),

    /// Precision of labelled test documents used as queries: the codes beside TF-IDF, BM25, LSA.
    #[command(after_help = "Examples:
  topics eval test-corpus/
  topics eval 20news-bydate.tar.gz --include '20news-bydate-test/**' --json
  topics eval corpora/stackfaq/queries.jsonl --curve curve.csv --plot curve.png
  topics eval questions.tsv     (question<TAB>answer id: MRR and recall at 1 and 10)
  topics eval test-corpus/ --topics --k 20   (topic coherence and NMI instead of retrieval)")]
    Eval(EvalArgs),

    /// The corpus's topics: clusters of codes, their size, words and typical documents.
    #[command(after_help = "Examples:
  topics topics
  topics topics --k 30 --json       (another number of topics is computed now, not stored)
  topics topics --naming ctfidf --words 15 --docs 5")]
    Topics(TopicsArgs),

    /// Draw every indexed document or image as a point of its code, coloured by label.
    #[command(after_help = "Examples:
  topics map --png map.png          (codes wider than 2 are projected on 2 principal axes)
  topics map --png topics.png --color topic
  topics build corpus/ --dims 2 --index two && topics map --png map.png --index two")]
    Map(MapArgs),

    /// Draw images of an image index above their reconstructions by the autoencoder and by
    /// PCA at the same code width.
    #[command(after_help = "Examples:
  topics show --png recon.png
  topics show --png recon.png t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz")]
    Show(ShowArgs),

    /// What the index holds: documents, vocabulary, network, settings, losses, format.
    #[command(after_help = "Examples:
  topics info
  topics info --json --index notes-index
  topics info --verify")]
    Info(InfoArgs),
}

/// What `topics dups` confirms candidates by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DupMeasure {
    Words,
    Cosine,
    Jaccard,
}

/// What colours the points of `topics map`.
/// What a build's input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputKind {
    Text,
    Image,
    Vectors,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VisibleUnits {
    Binary,
    Gaussian,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HiddenUnits {
    Binary,
    Relu,
}

fn parse_size(text: &str) -> Result<(usize, usize), String> {
    let parsed = text.split_once(['x', 'X', '×']).and_then(|(h, w)| {
        let (h, w) = (
            h.trim().parse::<usize>().ok()?,
            w.trim().parse::<usize>().ok()?,
        );
        (h > 0 && w > 0 && h <= 4096 && w <= 4096).then_some((h, w))
    });
    parsed.ok_or_else(|| {
        format!("{text:?} is not a size: give HEIGHTxWIDTH, each from 1 to 4096, such as 28x28")
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MapColor {
    Label,
    Topic,
}

/// What `--rerank` re-orders a shortlist by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Rerank {
    Bm25,
    Tfidf,
}

/// Layer widths as given on the command line, e.g. `500,250,125`; a later `--layers` replaces
/// an earlier one rather than adding to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widths(pub Vec<usize>);

fn parse_widths(text: &str) -> Result<Widths, String> {
    if text.trim().is_empty() {
        return Ok(Widths(Vec::new()));
    }
    text.split(',')
        .map(|w| {
            w.trim()
                .parse::<usize>()
                .map_err(|_| format!("{w:?} is not a layer width"))
        })
        .collect::<Result<Vec<usize>, String>>()
        .map(Widths)
}

/// How documents are read; the same for every command that reads them.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// A directory tree of text files, a .tar.gz of one, a .jsonl or .csv file, or one text file.
    pub path: PathBuf,

    /// Read only documents whose id matches this glob (repeatable), e.g. 'train/**'.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Leave out documents whose id matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Skip documents larger than this many MiB, with a warning that names them.
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = 64,
        value_parser = clap::value_parser!(u64).range(1..=MAX_DOCUMENT_MIB)
    )]
    pub max_document_mb: u64,
}

/// The largest `--max-document-mb`: 1 TiB.
const MAX_DOCUMENT_MIB: u64 = 1 << 20;

/// The longest query, in bytes: a question or a passage, not a book.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// A query given on the command line: not blank and at most [`MAX_QUERY_BYTES`].
fn parse_query(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("the query is empty: give some words to search for".to_string());
    }
    check_query_length(text)?;
    Ok(text.to_string())
}

/// Fails for a query longer than [`MAX_QUERY_BYTES`], saying how long it is.
pub fn check_query_length(text: &str) -> Result<(), String> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(format!(
            "the query has {} bytes, more than the {} KiB a query may have: give its key words, \
             or index the text and use --id",
            text.len(),
            MAX_QUERY_BYTES / 1024
        ));
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// What the input holds [default: told from the input: IDX files and folders of images
    /// are images, a CSV of numbers is vectors, anything else is documents].
    #[arg(long, value_enum, help_heading = "Input")]
    pub kind: Option<InputKind>,

    /// An IDX file of labels, one per image of an IDX input (MNIST's label files).
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub labels: Option<PathBuf>,

    /// The size, HEIGHTxWIDTH, images from a folder are resized to (query images too).
    #[arg(long, value_parser = parse_size, default_value = "28x28", value_name = "HxW", help_heading = "Images and vectors")]
    pub image_size: (usize, usize),

    /// Visible units: logistic for intensities in [0, 1], Gaussian for standardised real
    /// values [default: binary for images, gaussian for vectors].
    #[arg(long, value_enum, help_heading = "Images and vectors")]
    pub visible: Option<VisibleUnits>,

    /// Hidden units below the code: logistic, or noisy rectified linear units.
    #[arg(
        long,
        value_enum,
        default_value = "binary",
        help_heading = "Images and vectors"
    )]
    pub hidden: HiddenUnits,

    /// Number of stems in the vocabulary (the network's input width).
    #[arg(long, default_value_t = 2000, help_heading = "Text")]
    pub vocab: usize,

    /// Leave out stems found in fewer documents than this.
    #[arg(long, default_value_t = 2, help_heading = "Text")]
    pub min_df: u32,

    /// Language of the stemmer and of the built-in stop words.
    #[arg(long, default_value = "english", help_heading = "Text")]
    pub language: String,

    /// A file of stop words, one per line, replacing the built-in list.
    #[arg(long, value_name = "FILE", help_heading = "Text")]
    pub stop_words: Option<PathBuf>,

    /// What to do with a mail or news header block ("From: …", "Subject: …") at the top of
    /// a document: keep it as text, keep only the subject, or drop it.
    #[arg(
        long,
        default_value = "keep",
        value_name = "MODE",
        help_heading = "Text"
    )]
    pub headers: Headers,

    /// Widths of the hidden layers between the input and the code [default: 500,250,125 for
    /// documents, 1000,500,250 for images and vectors].
    #[arg(long, value_parser = parse_widths, help_heading = "Network")]
    pub layers: Option<Widths>,

    /// Numbers in each item's code [default: 10 for documents, 30 for images and vectors].
    #[arg(long, help_heading = "Network")]
    pub dims: Option<usize>,

    /// Train binary codes of this many bits (logistic code units with noise) instead.
    #[arg(long, conflicts_with = "dims", help_heading = "Network")]
    pub bits: Option<usize>,

    /// Epochs of pretraining (each RBM) and of fine-tuning alike; overrides the two below.
    #[arg(long, help_heading = "Training")]
    pub epochs: Option<usize>,

    /// Epochs of contrastive-divergence training of each RBM [default: 15, more for corpora
    /// under 2,700 training documents, so that each RBM makes 400 updates; images and vectors
    /// 10, as in the authors' code (the paper ran 50)].
    #[arg(long, help_heading = "Training")]
    pub pretrain_epochs: Option<usize>,

    /// Epochs of fine-tuning the unrolled autoencoder [default: 40, more for corpora under
    /// 3,000 training documents, so that it makes 1,200 updates; images and vectors at most
    /// 30, stopping when the validation loss has not improved for 5].
    #[arg(long, help_heading = "Training")]
    pub finetune_epochs: Option<usize>,

    /// Documents per mini-batch.
    #[arg(long, default_value_t = 100, help_heading = "Training")]
    pub batch_size: usize,

    /// Dropout on the encoder's input while fine-tuning documents (0 for the papers' recipe)
    /// [default: 0.5].
    #[arg(long, help_heading = "Training")]
    pub dropout: Option<f32>,

    /// Gibbs steps in the word-count RBM's negative phase (CD-k).
    #[arg(long, default_value_t = 1, help_heading = "Training")]
    pub cd_steps: usize,

    /// Adam's step size while fine-tuning.
    #[arg(long, default_value_t = 1e-3, help_heading = "Training")]
    pub finetune_rate: f32,

    /// Share of the documents held out to show a validation loss.
    #[arg(long, default_value_t = 0.05, help_heading = "Training")]
    pub validation: f32,

    /// Number of topics to cluster the codes into [default: the number among 2 to 50 whose
    /// words cohere best, at most one per 10 documents].
    #[arg(long, value_name = "K", help_heading = "Topics")]
    pub topics: Option<usize>,

    /// How topics are named: by the decoder's words for the cluster's centre, or by
    /// class-based TF-IDF over its documents.
    #[arg(
        long,
        default_value = "decoder",
        value_name = "HOW",
        help_heading = "Topics"
    )]
    pub naming: Naming,

    /// Stop fine-tuning when the validation loss has not improved for N epochs, keeping the
    /// best epoch's weights [default: train every epoch].
    #[arg(long, value_name = "N", help_heading = "Training")]
    pub patience: Option<usize>,

    /// Seed of every random choice: the same corpus, seed and settings give the same codes.
    #[arg(
        long,
        default_value_t = 42,
        allow_hyphen_values = true,
        help_heading = "Training"
    )]
    pub seed: u64,
}

impl BuildArgs {
    /// The hidden layers asked for, or `default`.
    pub fn layers_or(&self, default: &[usize]) -> Vec<usize> {
        self.layers
            .as_ref()
            .map_or(default.to_vec(), |w| w.0.clone())
    }

    /// The pretraining and fine-tuning epochs asked for (`--epochs` sets both).
    pub fn epochs_asked(&self) -> (Option<usize>, Option<usize>) {
        (
            self.epochs.or(self.pretrain_epochs),
            self.epochs.or(self.finetune_epochs),
        )
    }
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The question or text to match.
    #[arg(
        conflicts_with_all = ["file", "id", "image"],
        required_unless_present_any = ["file", "id", "image"],
        value_parser = parse_query
    )]
    pub text: Option<String>,

    /// Read one query per line from this file (- for stdin).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["id", "image"])]
    pub file: Option<PathBuf>,

    /// Find the images most like this image file (PNG or JPEG), in an index of images.
    #[arg(long, value_name = "FILE", conflicts_with = "id")]
    pub image: Option<PathBuf>,

    /// Find the documents most like this indexed document.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// How many documents to return per query.
    #[arg(
        short,
        default_value_t = 10,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub k: usize,

    /// Keep only documents with this label.
    #[arg(long)]
    pub label: Option<String>,

    /// Re-order the codes' best documents by BM25 (or --rerank=tfidf): best for questions.
    #[arg(
        long,
        value_name = "METHOD",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "bm25"
    )]
    pub rerank: Option<Rerank>,

    /// Rank every document by BM25 (scaled to a best of 1) plus half the codes' cosine: the
    /// best mode for questions.
    #[arg(long, conflicts_with = "rerank")]
    pub hybrid: bool,

    /// How many of the codes' best documents --rerank re-orders (default: 3 % of the index,
    /// at least 200).
    #[arg(
        long,
        value_name = "N",
        requires = "rerank",
        conflicts_with = "radius",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub shortlist: Option<usize>,

    /// Semantic hashing: only documents whose address is within this Hamming distance of the
    /// query's, nearest first, then by the codes' cosine (--rerank orders them by BM25).
    #[arg(long, value_name = "R", conflicts_with = "hybrid")]
    pub radius: Option<usize>,

    /// JSON Lines, one object per result, instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Ids of the documents to drop.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,

    /// A file of ids to drop, one per line.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// JSON Lines instead of CSV.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write CSV to this file (- or nothing for stdout).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DupsArgs {
    /// Candidates: documents whose addresses differ in at most this many bits.
    #[arg(long, default_value_t = 1, value_name = "R")]
    pub radius: usize,

    /// What confirms a candidate pair: the share of their words in common (Jaccard of word
    /// sets, numbers included, estimated from signatures kept in the index), the cosine of
    /// their stem counts, or the Jaccard of their stem sets.
    #[arg(long, value_enum, default_value = "words", value_name = "HOW")]
    pub measure: DupMeasure,

    /// Least similarity under --measure to call two candidates near-duplicates [default: 0.7
    /// for words and jaccard, 0.9 for cosine].
    #[arg(long)]
    pub threshold: Option<f32>,

    /// JSON Lines, one object per group, instead of CSV.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// An IDX file of labels for an IDX test set of an image index.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,

    /// Write precision and recall against the number retrieved to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub curve: Option<PathBuf>,

    /// Draw every method's precision against recall to this PNG file.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,

    /// Evaluate only the learned codes, not TF-IDF, BM25, LSA and re-ranking beside them.
    #[arg(long)]
    pub no_baselines: bool,

    /// How many of the codes' best documents BM25 re-orders (default: 3 % of the index, at
    /// least 200).
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub shortlist: Option<usize>,

    /// Measure the index's topics instead of retrieval: NPMI coherence of their top 10 words
    /// (over the indexed documents and those of PATH) and NMI against labels, beside class
    /// TF-IDF words and k-means on LSA-100.
    #[arg(long)]
    pub topics: bool,

    /// Number of topics for --topics [default: the index's].
    #[arg(long, value_name = "K", requires = "topics")]
    pub k: Option<usize>,

    /// One JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TopicsArgs {
    /// Number of topics [default: the index's]; another number clusters the codes now and
    /// does not change the index.
    #[arg(long, value_name = "K")]
    pub k: Option<usize>,

    /// How topics are named [default: the index's]: decoder or ctfidf.
    #[arg(long, value_name = "HOW")]
    pub naming: Option<Naming>,

    /// Words shown per topic (at most 20).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub words: usize,

    /// Typical documents shown per topic (at most 10).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub docs: usize,

    /// JSON Lines, one object per topic, instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MapArgs {
    /// The PNG file to write.
    #[arg(long, value_name = "FILE")]
    pub png: PathBuf,

    /// Colour points by their label or by their topic [default: label when documents have
    /// labels, else topic].
    #[arg(long, value_enum, value_name = "BY")]
    pub color: Option<MapColor>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Write the picture to this PNG file.
    #[arg(long, value_name = "FILE")]
    pub png: PathBuf,

    /// Images to show them from [default: the images the index was built from].
    pub path: Option<PathBuf>,

    /// An IDX file of labels for an IDX PATH.
    #[arg(long, value_name = "FILE", requires = "path")]
    pub labels: Option<PathBuf>,

    /// How many images to show: one of each label first, when there are labels.
    #[arg(
        long,
        default_value_t = 10,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100)
    )]
    pub count: usize,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// Check every file of the index (size, checksum, contents) and say what is wrong; exit
    /// code 1 if anything is.
    #[arg(long)]
    pub verify: bool,
}
