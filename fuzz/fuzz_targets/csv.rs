//! Arbitrary bytes as a `.csv` file read by `corpus::read`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = topics_fuzz::read_as("input.csv", data) {
        topics_fuzz::check_report(&report);
    }
});
