//! Arbitrary bytes as a `.tar.gz` file read by `corpus::read`.
//!
//! When the first byte is odd the rest is gzip-compressed here first, so that the fuzzer can
//! reach the tar reader instead of spending every input on the gzip header; when it is even
//! the rest is the file's bytes as they are.
#![no_main]

use std::io::Write;

use flate2::{Compression, write::GzEncoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 1 {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(rest).expect("gzip into memory");
        encoder.finish().expect("gzip into memory")
    } else {
        rest.to_vec()
    };
    if let Ok(report) = topics_fuzz::read_as("input.tar.gz", &bytes) {
        topics_fuzz::check_report(&report);
    }
});
