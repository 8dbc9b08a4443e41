//! Arbitrary bytes in place of one file of a valid tiny index, then `store::load` and
//! `store::verify`.
//!
//! Input: the first byte picks the file (`manifest.json` first, then the others by name, see
//! `TinyIndex::files`); when the second byte is odd, the manifest's size and checksum of that
//! file are updated to the new bytes, so that parsing is reached; when even, the manifest is
//! left as it was, so the checks before parsing are what is fuzzed. The rest is the file.
//!
//! An index that loads must answer a query (see `topics_fuzz::query`), and `verify` must find
//! a problem exactly when `load` fails.
//!
//! With `TOPICS_FUZZ_SEEDS=DIR` set, the target first writes one seed per file and mode to
//! `DIR` (the index's own files), which is how `fuzz/seeds/index_load` was made.
#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use topics::index::store;

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The manifest with the size and checksum of file `name` set to those of `bytes`.
fn manifest_for(manifest: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut value: serde_json::Value =
        serde_json::from_slice(manifest).expect("the tiny index's manifest is JSON");
    let files = value["files"]
        .as_array_mut()
        .expect("the manifest lists files");
    for entry in files.iter_mut().filter(|e| e["name"] == name) {
        entry["bytes"] = bytes.len().into();
        entry["sha256"] = sha256_hex(bytes).into();
    }
    serde_json::to_vec_pretty(&value).expect("JSON serializes")
}

/// The directory the damaged index is written to, and the seeds written once when asked.
fn target_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tiny = topics_fuzz::tiny_index();
        if let Ok(seeds) = std::env::var("TOPICS_FUZZ_SEEDS") {
            fs::create_dir_all(&seeds).expect("the seed directory can be made");
            for (i, (name, bytes)) in tiny.files.iter().enumerate() {
                for fix in [0u8, 1] {
                    let mut seed = vec![i as u8, fix];
                    seed.extend_from_slice(bytes);
                    let path = Path::new(&seeds).join(format!("{name}-{fix}"));
                    fs::write(path, seed).expect("the seed can be written");
                }
            }
        }
        let dir = topics_fuzz::scratch().join("damaged-index");
        fs::create_dir_all(&dir).expect("the scratch directory is writable");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let [choice, fix, content @ ..] = data else {
        return;
    };
    let dir = target_dir();
    let tiny = topics_fuzz::tiny_index();
    let (manifest_name, manifest) = &tiny.files[0];
    let chosen = usize::from(*choice) % tiny.files.len();
    let chosen_name = &tiny.files[chosen].0;

    for (i, (name, bytes)) in tiny.files.iter().enumerate() {
        let bytes = if i == chosen {
            content
        } else {
            bytes.as_slice()
        };
        fs::write(dir.join(name), bytes).expect("the scratch directory is writable");
    }
    if chosen != 0 && fix % 2 == 1 {
        let updated = manifest_for(manifest, chosen_name, content);
        fs::write(dir.join(manifest_name), updated).expect("the scratch directory is writable");
    }

    let loaded = store::load(dir);
    let verdict = store::verify(dir);
    if let Ok(index) = &loaded {
        topics_fuzz::query(index, "heart blood pressure of the car engine", 1, false);
    }
    if let Ok(checks) = &verdict {
        let sound = checks.iter().all(|c| c.problem.is_none());
        assert_eq!(
            sound,
            loaded.is_ok(),
            "verify and load disagree: {checks:?}"
        );
    }
});
