//! The words of ASCII text, as `unicode_words` finds them, without stepping through the gaps.
//!
//! For ASCII the word boundaries of UAX #29 come down to a few classes: letters, digits and `_`
//! join each other; `.` and `'` join two letters or two digits, `:` two letters, `,` and `;` two
//! digits; nothing else belongs to a word. unicode-segmentation already takes that short path
//! for ASCII strings (its `AsciiWordBoundIter`), but it yields every space and punctuation mark
//! as a segment of its own that `unicode_words` then filters out. Here the gaps are skipped in
//! one loop, and only the words with a letter are reported, which are the only ones the
//! tokenizer keeps. Text with any non-ASCII byte must go through `unicode_words` instead.

/// Whether `b` is always part of a word: a letter, a digit or `_`.
#[inline]
fn is_core(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `b`, between `before` and `after`, joins them into one word (rules WB6, WB7, WB11
/// and WB12).
#[inline]
fn joins(before: u8, b: u8, after: u8) -> bool {
    // Comparisons rather than a `match`, which compiles to a jump table whose target the
    // processor mispredicts at nearly every word's end.
    let letters = before.is_ascii_alphabetic() && after.is_ascii_alphabetic();
    let digits = before.is_ascii_digit() && after.is_ascii_digit();
    (letters && (b == b'.' || b == b'\'' || b == b':'))
        || (digits && (b == b'.' || b == b'\'' || b == b',' || b == b';'))
}

/// The words of an ASCII text that hold a letter, in order: the words of `unicode_words()` that
/// have an alphabetic character.
pub(super) struct Words<'a> {
    text: &'a str,
    next: usize,
}

impl<'a> Words<'a> {
    pub(super) fn new(text: &'a str) -> Words<'a> {
        debug_assert!(text.is_ascii(), "only ASCII text is split here");
        Words { text, next: 0 }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let n = bytes.len();
        let mut i = self.next;
        loop {
            while i < n && !is_core(bytes[i]) {
                i += 1;
            }
            if i == n {
                self.next = n;
                return None;
            }

            // `bytes[i]` is a letter, digit or `_`, and so is the byte after any joining one.
            let start = i;
            let mut letter = false;
            loop {
                while i < n && is_core(bytes[i]) {
                    letter |= bytes[i].is_ascii_alphabetic();
                    i += 1;
                }
                if i + 1 < n && joins(bytes[i - 1], bytes[i], bytes[i + 1]) {
                    i += 1;
                } else {
                    break;
                }
            }
            if letter {
                self.next = i;
                return Some(&self.text[start..i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    use super::*;

    fn words(text: &str) -> Vec<&str> {
        Words::new(text).collect()
    }

    fn expected(text: &str) -> Vec<&str> {
        text.unicode_words()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .collect()
    }

    #[test]
    fn splits_as_uax29_does() {
        let text = "Don't e.g. cs.pitt.edu x11r5 3d 1,000 1.5 2;3 10:30 a:b a_b __ _x co-op \
                    a..b a.1 1.a a'1 1'2 a''b a.b. .ab 12 _1_ 'quoted' \"q\" \r\nend";
        assert_eq!(
            words(text),
            [
                "Don't",
                "e.g",
                "cs.pitt.edu",
                "x11r5",
                "3d",
                "a:b",
                "a_b",
                "_x",
                "co",
                "op",
                "a",
                "b",
                "a",
                "a",
                "a",
                "a",
                "b",
                "a.b",
                "ab",
                "quoted",
                "q",
                "end"
            ]
        );
        assert_eq!(words(text), expected(text));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn matches_unicode_words(
            chars in prop::collection::vec(prop_oneof![
                4 => prop::char::range('a', 'e'),
                1 => prop::char::range('X', 'Z'),
                3 => prop::char::range('0', '3'),
                5 => prop::sample::select(vec![
                    '\'', '.', ',', ':', ';', '_', '-', ' ', '\n', '\r', '\t', '"', '\u{b}',
                    '\u{c}', '\u{0}', '\u{7f}', '@', '/',
                ]),
            ], 0..80),
        ) {
            let text: String = chars.into_iter().collect();
            prop_assert_eq!(words(&text), expected(&text));
        }

        #[test]
        fn matches_unicode_words_on_any_ascii(text in "[\\x00-\\x7f]{0,80}") {
            prop_assert_eq!(words(&text), expected(&text));
        }
    }
}
