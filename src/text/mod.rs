//! From text to numbers: tokenizer, stop words, stems and their words, vocabulary, bag of words.

mod ascii;
mod bow;
mod cache;
mod hash;
mod headers;
mod stopwords;
mod tokenizer;
mod vocab;

pub use bow::{
    Terms, bag_of_words, count_row, count_row_and_unknown, from_rows, restrict, row_sums,
    scale_rows, select_rows, to_probabilities,
};
pub use headers::Headers;
pub use tokenizer::{Language, Tokenizer};
pub use vocab::Vocabulary;
