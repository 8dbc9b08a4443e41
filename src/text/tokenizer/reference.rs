//! The tokenizer as it was before it was made fast, kept to prove the fast one gives the same
//! `(stem, word)` pairs in the same order for any text.
//!
//! The comparison runs on random strings heavy in the characters where word boundaries and
//! normalisation are subtle, on every file of the embedded corpora, and on the 20 Newsgroups
//! posts when `../shared/data/20news/20news-bydate.tar.gz` (or the archive that
//! `TOPICS_20NEWS` names) is present.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use rayon::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

use super::{Language, MAX_TOKEN_CHARS, Tokenizer};
use crate::corpus::{self, ReadOptions};
use crate::progress::Silent;
use crate::text::Headers;

/// Calls `each(stem, word)` for every kept token of `text`, exactly as the first tokenizer did.
fn for_each_reference(tokenizer: &Tokenizer, text: &str, mut each: impl FnMut(&str, &str)) {
    let text = tokenizer.headers.apply(text);
    for raw in text.unicode_words() {
        if !raw.chars().any(char::is_alphabetic) {
            continue;
        }
        let word = normalize_word_reference(raw);
        if tokenizer.stop_words.contains(&word) {
            continue;
        }
        let word = word
            .strip_suffix("'s")
            .unwrap_or(&word)
            .trim_matches('\'')
            .to_string();
        let chars = word.chars().count();
        if !(2..=MAX_TOKEN_CHARS).contains(&chars) || tokenizer.stop_words.contains(&word) {
            continue;
        }
        let stem = tokenizer.stemmer.stem(&word);
        each(&stem, &word);
    }
}

/// Lower case, with curly apostrophes made straight: the first `normalize_word`.
fn normalize_word_reference(word: &str) -> String {
    word.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'")
}

type Pairs = Vec<(String, String)>;

fn pairs_reference(tokenizer: &Tokenizer, text: &str) -> Pairs {
    let mut pairs = Vec::new();
    for_each_reference(tokenizer, text, |s, w| pairs.push((s.into(), w.into())));
    pairs
}

fn pairs(tokenizer: &Tokenizer, text: &str) -> Pairs {
    let mut pairs = Vec::new();
    tokenizer.for_each(text, |s, w| pairs.push((s.into(), w.into())));
    pairs
}

/// Tokenizers that together touch every path: languages with and without stop words and with
/// non-Latin stemmers, replaced stop words (some non-ASCII, some with apostrophes), every header
/// mode. They live as long as the tests, so what one case leaves in a cache meets the next.
static TOKENIZERS: LazyLock<Vec<Tokenizer>> = LazyLock::new(|| {
    let own_words = ["Don’t", "ÉTÉ", "straße", "x11r5", "it's", "’tis", "a.b"];
    vec![
        Tokenizer::new(Language::English, None),
        Tokenizer::new(Language::English, None).with_headers(Headers::Subject),
        Tokenizer::new(Language::English, None).with_headers(Headers::Drop),
        Tokenizer::new(
            Language::English,
            Some(own_words.iter().map(|w| w.to_string()).collect()),
        ),
        Tokenizer::new(Language::French, None),
        Tokenizer::new(Language::German, None),
        Tokenizer::new(Language::Turkish, None),
        Tokenizer::new(Language::Russian, None),
    ]
});

/// The English tokenizers of [`TOKENIZERS`]: enough for long corpora, which are in English.
const ENGLISH: usize = 4;

/// Panics with the first pair that differs, for every tokenizer.
fn assert_same(text: &str, origin: &str) {
    assert_same_for(&TOKENIZERS, text, origin);
}

/// Panics with the first pair that differs, for each of `tokenizers`.
fn assert_same_for(tokenizers: &[Tokenizer], text: &str, origin: &str) {
    for tokenizer in tokenizers {
        let expected = pairs_reference(tokenizer, text);
        let got = pairs(tokenizer, text);
        if got != expected {
            let at = got
                .iter()
                .zip(&expected)
                .take_while(|(a, b)| a == b)
                .count();
            panic!(
                "{origin}: {tokenizer:?} differs from the reference at token {at}: \
                 got {:?}, expected {:?}",
                got.get(at),
                expected.get(at)
            );
        }
    }
}

/// Characters where segmentation and normalisation are subtle, ASCII letters most often.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::char::range('a', 'z'),
        2 => prop::char::range('A', 'Z'),
        2 => prop::char::range('0', '9'),
        4 => prop::sample::select(vec![
            '\'', '.', ',', ':', ';', '_', '-', ' ', ' ', '\n', '\r', '\t', '"', '/', '@',
        ]),
        2 => prop::sample::select(vec![
            '\u{2019}', '\u{2018}', 'é', 'É', 'ß', 'ẞ', 'İ', 'ı', 'ş', 'я', 'Д', 'א', 'ア',
            '\u{301}', '\u{200d}', '\u{ad}', '\u{a0}', '\u{85}', '٣', 'ª', '😀', '\u{fb01}',
        ]),
    ]
}

/// Pieces of real text whose tokens are easy to get wrong, and separators between them.
fn tricky_piece() -> impl Strategy<Value = String> {
    let pieces = vec![
        "don't",
        "DON'T",
        "don’t",
        "driver's",
        "drivers'",
        "'s",
        "s's",
        "it's",
        "’tis",
        "o'clock",
        "rock'n'roll's",
        "e.g.",
        "i.e.",
        "U.S.A.",
        "cs.pitt.edu",
        "x11r5",
        "3d",
        "3D",
        "1,000",
        "1.5",
        "2;3",
        "10:30",
        "a:b",
        "a_b",
        "__init__",
        "_x",
        "co-op",
        "The",
        "THE",
        "the",
        "and",
        "graphics",
        "Believing",
        "caresses",
        "ponies",
        "ÉTÉ",
        "straße",
        "naïve",
        "café's",
        "İstanbul",
        "über",
        "Москва",
        "a",
        "I",
        "x",
        "zz",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "Subject: Re: spaces",
        "From: a@b.c",
        "\n\n",
        " ",
        " ",
        ", ",
        ". ",
        "'",
        "’",
        "-",
        ".",
        "\r\n",
        "\u{301}",
        "_",
    ];
    prop::sample::select(pieces).prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_characters_give_the_reference_tokens(
        chars in prop::collection::vec(tricky_char(), 0..120),
    ) {
        let text: String = chars.into_iter().collect();
        assert_same(&text, "a random string");
    }

    #[test]
    fn random_pieces_give_the_reference_tokens(
        pieces in prop::collection::vec(tricky_piece(), 0..40),
    ) {
        assert_same(&pieces.concat(), "random pieces");
    }
}

#[test]
fn twice_the_same_text_gives_the_reference_tokens() {
    let text = "The driver's card: don't, don’t, DON'T; e.g. cs.pitt.edu x11r5 3d 1,000 The";
    assert_same(text, "a sentence");
    assert_same(text, "the same sentence again");
}

/// Every file under `corpora/`, read whole, and the documents of its corpora as `topics`
/// reads them.
#[test]
fn embedded_corpora_give_the_reference_tokens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("the embedded corpora are readable");
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).expect("the embedded corpora are readable");
            assert_same(
                &String::from_utf8_lossy(&bytes),
                &entry.path().display().to_string(),
            );
            files += 1;
        }
    }
    assert!(files > 3000, "only {files} files under {}", root.display());

    for corpus in ["medquad", "stackfaq/answers", "stackfaq/queries.jsonl"] {
        let documents = read(&root.join(corpus));
        assert!(!documents.is_empty(), "no documents in {corpus}");
        for (id, text) in &documents {
            assert_same(text, &format!("{corpus}: {id}"));
        }

        // Again, the documents shared out between threads that use the tokenizers at once.
        documents.par_iter().for_each(|(id, text)| {
            assert_same_for(&TOKENIZERS[..ENGLISH], text, &format!("{corpus}: {id}"));
        });
    }
}

/// Every 20 Newsgroups post, training and test, when the archive is present.
#[test]
fn newsgroups_posts_give_the_reference_tokens() {
    let archive = std::env::var_os("TOPICS_20NEWS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/20news/20news-bydate.tar.gz")
        });
    if !archive.is_file() {
        println!(
            "skipped: no 20 Newsgroups archive at {} (set TOPICS_20NEWS)",
            archive.display()
        );
        return;
    }
    let posts = read(&archive);
    assert!(posts.len() > 18_000, "only {} posts", posts.len());
    for (id, text) in posts {
        assert_same_for(&TOKENIZERS[..ENGLISH], &text, &id);
    }
}

/// `(id, text)` of every document at `path`.
fn read(path: &Path) -> Vec<(String, String)> {
    let report = corpus::read(path, &ReadOptions::default(), &Silent)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    report
        .documents
        .into_iter()
        .map(|d| (d.id, d.text))
        .collect()
}
