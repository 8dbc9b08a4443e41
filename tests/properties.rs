//! Invariants that must hold for any input: ranking, addresses and Hamming distance, the
//! tokenizer, codes whatever the batch and the thread count, training whatever the thread
//! count, and save then load.

use ndarray::{Array2, Axis};
use proptest::prelude::*;
use topics::autoencoder::{Autoencoder, FineTuneSettings};
use topics::hashing::lookup::distance;
use topics::hashing::{address, format_address};
use topics::progress::Silent;
use topics::rbm::{CdSettings, Hidden, Rbm, Visible};
use topics::search::{full_ranking, top_k};
use topics::text::{Language, Tokenizer};
use topics::vectors::{ItemInfo, VectorIndex, VectorReport, VectorSettings};

/// An unrolled 40-16-8-3 network with random weights, logistic inputs.
fn network(seed: u64) -> Autoencoder {
    let widths = [40, 16, 8, 3];
    let stack: Vec<Rbm> = (0..3)
        .map(|i| {
            let hidden = if i == 2 {
                Hidden::Linear
            } else {
                Hidden::Binary
            };
            Rbm::new(
                Visible::Binary,
                hidden,
                widths[i],
                widths[i + 1],
                0.3,
                seed,
                i as u64,
            )
        })
        .collect();
    Autoencoder::unroll(&stack)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

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

    /// The tokenizer gives the same stems for the same text, every time.
    #[test]
    fn tokenizing_is_deterministic(text in "\\PC{0,200}") {
        let tokenizer = Tokenizer::new(Language::English, None);
        prop_assert_eq!(tokenizer.stems(&text), tokenizer.stems(&text));
    }

    /// Hamming distance is a metric on addresses.
    #[test]
    fn hamming_distance_is_a_metric(a: u64, b: u64, c: u64) {
        prop_assert_eq!(distance(a, a), 0);
        prop_assert_eq!(distance(a, b), distance(b, a));
        prop_assert_eq!(distance(a, b) == 0, a == b);
        prop_assert!(distance(a, c) <= distance(a, b) + distance(b, c));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// An item's code is the same bits whether it is encoded alone or in a batch, on one
    /// thread or two.
    #[test]
    fn codes_do_not_depend_on_the_batch_or_the_threads(
        values in prop::collection::vec(0.0f32..1.0, 40 * 37),
        seed in 0u64..1000,
    ) {
        let model = network(seed);
        let values = Array2::from_shape_vec((37, 40), values).expect("37 rows of 40");
        let data = topics::data::Data::Dense(values.view());
        let all: Vec<usize> = (0..37).collect();
        let one = pool(1).install(|| model.encode(&data, &all));
        let two = pool(2).install(|| model.encode(&data, &all));
        prop_assert_eq!(&one, &two);
        for row in [0, 18, 36] {
            let alone = model.encode(&data, &[row]);
            prop_assert_eq!(alone.index_axis(Axis(0), 0), one.index_axis(Axis(0), row));
        }
    }
}

/// Pretrains a word-count stack and fine-tunes it, as a build does, on `counts`.
fn trained(counts: &sprs::CsMat<f32>, seed: u64) -> Autoencoder {
    let widths = [counts.cols(), 24, 12, 4];
    let rows: Vec<usize> = (0..counts.rows()).collect();
    let mut stack: Vec<Rbm> = Vec::new();
    let mut below: Option<Array2<f32>> = None;
    for layer in 0..3 {
        let visible = if layer == 0 {
            Visible::Softmax
        } else {
            Visible::Binary
        };
        let hidden = if layer == 2 {
            Hidden::Linear
        } else {
            Hidden::Binary
        };
        let mut rbm = Rbm::new(
            visible,
            hidden,
            widths[layer],
            widths[layer + 1],
            0.01,
            seed,
            layer as u64,
        );
        let data = match &below {
            None => topics::data::Data::Counts(counts.view()),
            Some(values) => topics::data::Data::Dense(values.view()),
        };
        let settings = CdSettings {
            batch_size: 16,
            ..CdSettings::paper(2)
        };
        rbm.train(&data, &rows, &settings, seed, layer as u64, &Silent);
        below = Some(rbm.transform(&data, &rows));
        stack.push(rbm);
    }
    let mut network = Autoencoder::unroll(&stack);
    let settings = FineTuneSettings {
        epochs: 2,
        batch_size: 16,
        learning_rate: 1e-3,
        input_dropout: 0.5,
        code_noise: 0.0,
        patience: None,
    };
    let data = topics::data::Data::Counts(counts.view());
    network.fine_tune(&data, &rows[..40], &rows[40..], &settings, seed, &Silent);
    network
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    /// The same seed trains the same network, to the bit, on one thread or two: sampling,
    /// dropout and shuffling draw from streams named by row, never by thread.
    #[test]
    fn training_does_not_depend_on_the_threads(seed in 0u64..1000) {
        let mut stream = topics::rng::stream(seed, topics::rng::Purpose::Init, &[99]);
        let rows: Vec<Vec<(usize, f32)>> = (0..53)
            .map(|_| {
                let mut columns: Vec<usize> = (0..12).map(|_| stream.below(60)).collect();
                columns.sort_unstable();
                columns.dedup();
                columns.into_iter().map(|c| (c, 1.0 + stream.below(3) as f32)).collect()
            })
            .collect();
        let counts = topics::text::from_rows(60, &rows);
        let one = pool(1).install(|| trained(&counts, seed));
        let two = pool(2).install(|| trained(&counts, seed));
        prop_assert_eq!(&one, &two);
        let all: Vec<usize> = (0..counts.rows()).collect();
        let data = topics::data::Data::Counts(counts.view());
        prop_assert_eq!(one.encode(&data, &all), two.encode(&data, &all));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Saving an index, loading it and saving it again gives the same bytes, file by file.
    #[test]
    fn save_then_load_is_bit_identical(seed in 0u64..1000) {
        let values = Array2::from_shape_fn((60, 12), |(r, c)| {
            (((r * 7 + c * 3 + seed as usize) % 11) as f32) / 10.0
        });
        let items = (0..60)
            .map(|i| ItemInfo { id: format!("item {i}"), label: (i % 3).to_string() })
            .collect();
        let settings = VectorSettings {
            layers: vec![8],
            dims: 3,
            pretrain_epochs: 1,
            finetune_epochs: 2,
            batch_size: 20,
            seed,
            ..VectorSettings::default()
        };
        let index = VectorIndex::build(
            values.view(), items, Some((3, 4)), &settings, VectorReport::default(), &Silent,
        ).expect("builds");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (first, second) = (dir.path().join("a"), dir.path().join("b"));
        index.save(&first).expect("saves");
        VectorIndex::load(&first).expect("loads").save(&second).expect("saves again");
        let mut names: Vec<_> = std::fs::read_dir(&first)
            .expect("lists")
            .map(|e| e.expect("an entry").file_name())
            .collect();
        names.sort();
        prop_assert!(names.len() >= 6);
        for name in names {
            let a = std::fs::read(first.join(&name)).expect("reads");
            let b = std::fs::read(second.join(&name)).expect("reads");
            prop_assert!(a == b, "{:?} differs after a round trip", name);
        }
    }
}
