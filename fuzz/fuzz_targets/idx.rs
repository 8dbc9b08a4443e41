//! Arbitrary bytes as an IDX file: `corpus::idx::parse_idx` on the bytes, and
//! `corpus::items::read` on the same bytes written to a file.
//!
//! When the first byte is odd the rest is gzip-compressed here first, so that the fuzzer reaches
//! the IDX parser behind the gzip reader instead of spending every input on the gzip header;
//! when it is even the rest is the file's bytes as they are.
//!
//! What parses must have 1 to 3 dimensions and exactly as many values as they multiply to; the
//! file reader must agree with the parser; items that are read keep `Items`' invariants.
#![no_main]

use std::io::Write;
use std::path::Path;

use flate2::{Compression, write::GzEncoder};
use libfuzzer_sys::fuzz_target;
use topics::corpus::idx::{parse_idx, read_idx};
use topics::corpus::items::{ReadOptions, Source, read};

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

    let parsed = parse_idx(&bytes, Path::new("input.idx"));
    if let Ok(idx) = &parsed {
        assert!((1..=3).contains(&idx.dims.len()), "dimensions {:?}", idx.dims);
        assert_eq!(idx.dims.iter().product::<usize>(), idx.bytes.len());
    }

    let path = topics_fuzz::scratch().join("input.idx");
    std::fs::write(&path, &bytes).expect("the scratch directory is writable");
    let from_file = read_idx(&path);
    assert_eq!(
        parsed.as_ref().ok(),
        from_file.as_ref().ok(),
        "the file reader and the parser disagree: {parsed:?} vs {from_file:?}"
    );

    if let Ok(items) = read(&path, Source::Idx, &ReadOptions::default()) {
        let (rows, features) = items.values.dim();
        assert!(rows > 0 && features > 0);
        assert_eq!(items.ids.len(), rows);
        assert_eq!(items.labels.len(), rows);
        assert!(items.values.iter().all(|v| (0.0..=1.0).contains(v)));
        if let Some((height, width)) = items.shape {
            assert_eq!(height * width, features);
        }
    }
});
