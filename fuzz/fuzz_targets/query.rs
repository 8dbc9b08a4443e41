//! Arbitrary query text against a tiny index loaded from disk, through the path of
//! `topics query`: codes, cosines, TF-IDF and BM25, the hybrid, re-ranking and a Hamming
//! ball. The first byte picks the radius (0 to 3); the rest is the text, read leniently.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use topics::index::{Index, store};

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| store::load(&topics_fuzz::tiny_index().dir).expect("the tiny index loads"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    topics_fuzz::query(index(), &text, usize::from(choice % 4), true);
});
