//! Arbitrary UTF-8 through the `Tokenizer`: the first byte picks the language and the header
//! mode. Tokenizing twice gives the same tokens, and every kept word has 2 to 40 characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topics::text::{Headers, Language, Tokenizer};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let language = Language::ALL[usize::from(choice) % Language::ALL.len()];
    let headers = Headers::ALL[usize::from(choice / 32) % Headers::ALL.len()];
    let tokenizer = Tokenizer::new(language, None).with_headers(headers);

    let mut first = Vec::new();
    tokenizer.for_each(text, |stem, word| {
        let chars = word.chars().count();
        assert!(
            (2..=40).contains(&chars),
            "kept the word {word:?} of {chars} characters"
        );
        first.push(stem.to_string());
    });
    assert_eq!(
        tokenizer.stems(text),
        first,
        "the same text gives the same stems"
    );
});
