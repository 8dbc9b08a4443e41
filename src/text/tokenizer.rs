//! Words to stems: Unicode word boundaries, lower case, stop words, Snowball stems.
//!
//! Decisions a reader may not expect: words split at hyphens ("co-operating" gives "co" and
//! "operating", as UAX #29 does); tokens without a letter ("1993", "--") are dropped, as are
//! tokens of one character and tokens over 40 characters (encoded blobs, not words); a trailing
//! possessive "'s" is removed before stemming; curly apostrophes count as straight ones.
//!
//! Each word is worked out once per cache (see [`super::cache`]) and remembered, since what
//! becomes of a word depends only on its spelling: a corpus has far fewer distinct words than
//! words, and stemming was most of the time spent here. Pure ASCII text is split into words by
//! a shorter loop that finds the same words (see [`super::ascii`]).

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::Headers;
use super::ascii;
use super::cache::CachePool;
use super::hash::WordHash;
use super::stopwords;

#[cfg(test)]
mod reference;

/// Longest token kept, in characters.
const MAX_TOKEN_CHARS: usize = 40;

/// The most distinct words a cache remembers: a few megabytes per thread, and enough for the
/// frequent words of a large corpus.
const CACHED_WORDS: usize = 1 << 16;

/// A language: picks the Snowball stemmer and the built-in stop-word list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Arabic,
    Danish,
    Dutch,
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

impl Language {
    /// Every language, in alphabetical order.
    pub const ALL: [Language; 18] = [
        Language::Arabic,
        Language::Danish,
        Language::Dutch,
        Language::English,
        Language::Finnish,
        Language::French,
        Language::German,
        Language::Greek,
        Language::Hungarian,
        Language::Italian,
        Language::Norwegian,
        Language::Portuguese,
        Language::Romanian,
        Language::Russian,
        Language::Spanish,
        Language::Swedish,
        Language::Tamil,
        Language::Turkish,
    ];

    /// The lower-case name used on the command line and in the index.
    pub fn name(self) -> &'static str {
        match self {
            Language::Arabic => "arabic",
            Language::Danish => "danish",
            Language::Dutch => "dutch",
            Language::English => "english",
            Language::Finnish => "finnish",
            Language::French => "french",
            Language::German => "german",
            Language::Greek => "greek",
            Language::Hungarian => "hungarian",
            Language::Italian => "italian",
            Language::Norwegian => "norwegian",
            Language::Portuguese => "portuguese",
            Language::Romanian => "romanian",
            Language::Russian => "russian",
            Language::Spanish => "spanish",
            Language::Swedish => "swedish",
            Language::Tamil => "tamil",
            Language::Turkish => "turkish",
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Language::Arabic => Algorithm::Arabic,
            Language::Danish => Algorithm::Danish,
            Language::Dutch => Algorithm::Dutch,
            Language::English => Algorithm::English,
            Language::Finnish => Algorithm::Finnish,
            Language::French => Algorithm::French,
            Language::German => Algorithm::German,
            Language::Greek => Algorithm::Greek,
            Language::Hungarian => Algorithm::Hungarian,
            Language::Italian => Algorithm::Italian,
            Language::Norwegian => Algorithm::Norwegian,
            Language::Portuguese => Algorithm::Portuguese,
            Language::Romanian => Algorithm::Romanian,
            Language::Russian => Algorithm::Russian,
            Language::Spanish => Algorithm::Spanish,
            Language::Swedish => Algorithm::Swedish,
            Language::Tamil => Algorithm::Tamil,
            Language::Turkish => Algorithm::Turkish,
        }
    }

    /// The built-in stop words, empty for languages that have none.
    pub fn stop_words(self) -> &'static [&'static str] {
        match self {
            Language::English => stopwords::ENGLISH,
            _ => &[],
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.to_lowercase();
        Language::ALL
            .into_iter()
            .find(|language| language.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = Language::ALL.iter().map(|l| l.name()).collect();
                format!("unknown language {s:?}; choose one of {}", names.join(", "))
            })
    }
}

/// Turns text into stems; cheap to share between threads.
pub struct Tokenizer {
    language: Language,
    stemmer: Stemmer,
    stop_words: HashSet<String, WordHash>,
    headers: Headers,
    words: CachePool,
}

impl fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokenizer")
            .field("language", &self.language)
            .field("stop_words", &self.stop_words.len())
            .field("headers", &self.headers)
            .finish()
    }
}

impl Tokenizer {
    /// A tokenizer for `language` with its built-in stop words, or with `stop_words` instead.
    ///
    /// ```
    /// use topics::text::{Language, Tokenizer};
    /// let tokenizer = Tokenizer::new(Language::English, None);
    /// assert_eq!(tokenizer.stems("The graphics cards are working!"), ["graphic", "card", "work"]);
    /// ```
    pub fn new(language: Language, stop_words: Option<Vec<String>>) -> Self {
        let stop_words = match stop_words {
            Some(words) => words.iter().map(|w| normalize_word(w)).collect(),
            None => language
                .stop_words()
                .iter()
                .map(|w| w.to_string())
                .collect(),
        };
        Tokenizer {
            language,
            stemmer: Stemmer::create(language.algorithm()),
            stop_words,
            headers: Headers::Keep,
            words: CachePool::new(CACHED_WORDS),
        }
    }

    /// The same tokenizer, handling a leading mail header block as `headers` says.
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }

    /// What this tokenizer does with mail headers.
    pub fn headers(&self) -> Headers {
        self.headers
    }

    /// The language this tokenizer stems for.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The stop words in use, sorted.
    pub fn stop_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self.stop_words.iter().cloned().collect();
        words.sort();
        words
    }

    /// Calls `each(stem, word)` for every kept token of `text`, in order.
    pub fn for_each(&self, text: &str, each: impl FnMut(&str, &str)) {
        let text = self.headers.apply(text);
        let mut words = self.words.lend();
        let make = |raw: &str, keep: &mut dyn FnMut(&str, &str)| self.token(raw, keep);
        if text.is_ascii() {
            words.visit_all(ascii::Words::new(&text), make, each);
        } else {
            let raws = text.unicode_words();
            words.visit_all(
                raws.filter(|raw| raw.chars().any(char::is_alphabetic)),
                make,
                each,
            );
        }
    }

    /// Calls `keep(stem, word)` if the word `raw` (as the text spells it, with at least one
    /// letter) is kept, with its stem and normalised form.
    fn token(&self, raw: &str, keep: &mut dyn FnMut(&str, &str)) {
        let word = normalize_word(raw);
        if self.stop_words.contains(&word) {
            return;
        }
        let word = word.strip_suffix("'s").unwrap_or(&word).trim_matches('\'');
        let chars = word.chars().count();
        if !(2..=MAX_TOKEN_CHARS).contains(&chars) || self.stop_words.contains(word) {
            return;
        }
        keep(&self.stemmer.stem(word), word);
    }

    /// The stems of `text`, in order.
    pub fn stems(&self, text: &str) -> Vec<String> {
        let mut stems = Vec::new();
        self.for_each(text, |stem, _| stems.push(stem.to_string()));
        stems
    }
}

/// Lower case, with curly apostrophes made straight.
fn normalize_word(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Tokenizer {
        Tokenizer::new(Language::English, None)
    }

    #[test]
    fn drops_stop_words_numbers_and_single_letters() {
        let stems = english().stems("In 1993 I bought 2 new SCSI drives, x and y.");
        assert_eq!(stems, ["bought", "new", "scsi", "drive"]);
    }

    #[test]
    fn splits_hyphens_and_strips_possessives() {
        let stems = english().stems("The co-operating driver's card");
        assert_eq!(stems, ["co", "oper", "driver", "card"]);
    }

    #[test]
    fn curly_apostrophes_are_stop_words_too() {
        assert!(english().stems("don\u{2019}t you\u{2019}re").is_empty());
    }

    #[test]
    fn reports_surface_words() {
        let mut pairs = Vec::new();
        english().for_each("Believing believes", |s, w| {
            pairs.push((s.to_string(), w.to_string()))
        });
        assert_eq!(
            pairs,
            [
                ("believ".into(), "believing".into()),
                ("believ".into(), "believes".into())
            ]
        );
    }

    #[test]
    fn replaced_stop_words() {
        let tokenizer = Tokenizer::new(Language::English, Some(vec!["Graphics".into()]));
        assert_eq!(tokenizer.stems("the graphics"), ["the"]);
    }

    #[test]
    fn may_be_used_again_inside_its_own_callback() {
        let tokenizer = english();
        let mut inner = Vec::new();
        tokenizer.for_each("Graphics cards", |_, word| {
            inner.extend(tokenizer.stems(&word.to_uppercase()))
        });
        assert_eq!(inner, ["graphic", "card"]);
    }

    #[test]
    fn is_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Tokenizer>();
    }

    #[test]
    fn drops_overlong_tokens() {
        let blob = "a".repeat(41);
        assert!(english().stems(&blob).is_empty());
    }

    #[test]
    fn parses_languages() {
        assert_eq!("German".parse::<Language>(), Ok(Language::German));
        assert!(
            "klingon"
                .parse::<Language>()
                .unwrap_err()
                .contains("english")
        );
        assert_eq!(
            Tokenizer::new(Language::French, None).stems("les chevaux"),
            ["le", "cheval"]
        );
    }
}
