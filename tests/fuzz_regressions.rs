//! Inputs that `cargo fuzz` (see `fuzz/` and `docs/fuzzing.md`) found to crash `topics`, one
//! test per finding, named for what went wrong. Each holds the fuzzer's own input (without the
//! byte with which the target chooses its options) beside smaller cases written by hand.

use topics::text::{Headers, Language, Tokenizer};

/// Found by the `tokenizer` target: `Headers::Subject` sliced the subject at byte 3 to look
/// for "Re:", which panicked when that byte fell inside a character.
#[test]
fn a_subject_with_a_character_across_byte_three_does_not_panic() {
    let post = "From: a@b\nSubject: xaс@b\n\nbody";
    assert_eq!(Headers::Subject.apply(post), "xaс@b\nbody");
    assert_eq!(
        Headers::Subject.apply("From: a\nSubject: Да\n\nтекст"),
        "Да\nтекст"
    );

    // The fuzzer's own input: its first byte chose Turkish and `Headers::Subject`.
    let crash = b"FromCFrom: From: a@b\nSubject: xa\xd1\x81@b\nSubject: x\n\n.o";
    let text = std::str::from_utf8(crash).expect("the input is UTF-8");
    assert_eq!(Headers::Subject.apply(text), "x\n.o");
    let tokenizer = Tokenizer::new(Language::Turkish, None).with_headers(Headers::Subject);
    assert!(tokenizer.stems(text).is_empty());
}
