//! Arbitrary bytes through `corpus::decode`, which must never fail and must keep its rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topics::corpus::{Decoded, Encoding, decode};

fuzz_target!(|data: &[u8]| {
    let decoded = decode(data);
    if let Decoded::Text {
        text,
        encoding,
        lenient,
    } = &decoded
    {
        assert!(!text.trim().is_empty(), "text that is only whitespace");
        if *encoding == Encoding::Utf8 && !lenient {
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            assert_eq!(text.as_bytes(), body, "valid UTF-8 is taken as it is");
        }
    }
    assert_eq!(decode(data), decoded, "decoding is deterministic");
});
