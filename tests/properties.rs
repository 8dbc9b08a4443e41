//! Invariants that must hold for any input: ranking, addresses, the tokenizer.

use proptest::prelude::*;
use topics::hashing::{address, format_address};
use topics::search::{full_ranking, top_k};
use topics::text::{Language, Tokenizer};

proptest! {
    /// The best k are the first k of the full ranking, in the same order.
    #[test]
    fn top_k_is_a_prefix_of_the_full_ranking(
        scores in prop::collection::vec(-1.0f32..1.0, 0..200),
        k in 0usize..50,
    ) {
        let best: Vec<usize> = top_k(&scores, k, |_| true).into_iter().map(|(r, _)| r).collect();
        let all = full_ranking(&scores, |_| true);
        prop_assert_eq!(&best[..], &all[..k.min(all.len())]);
        for pair in best.windows(2) {
            prop_assert!(scores[pair[0]] >= scores[pair[1]]);
        }
    }

    /// An address sets exactly the bits of the units above their thresholds, and prints in
    /// one hex digit per four bits.
    #[test]
    fn addresses_match_their_bits(code in prop::collection::vec(-3.0f32..3.0, 1..64)) {
        let thresholds = vec![0.0; code.len()];
        let a = address(&code, &thresholds);
        for (i, &c) in code.iter().enumerate() {
            prop_assert_eq!(a >> i & 1 == 1, c > 0.0);
        }
        let text = format_address(a, code.len());
        prop_assert_eq!(text.len(), 2 + code.len().div_ceil(4));
        prop_assert_eq!(u64::from_str_radix(&text[2..], 16).ok(), Some(a));
    }

    /// Any text tokenizes without panicking, into lower-case stems of 2 to 40 characters.
    #[test]
    fn any_text_tokenizes(text in "\\PC{0,200}") {
        let tokenizer = Tokenizer::new(Language::English, None);
        for stem in tokenizer.stems(&text) {
            prop_assert!(stem.chars().any(char::is_alphabetic));
            prop_assert!(stem.chars().count() <= 40);
        }
    }
}
