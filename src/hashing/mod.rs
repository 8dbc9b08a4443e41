//! Semantic-hash addresses: codes thresholded to bits, buckets of equal addresses, and groups
//! of near-duplicate documents.
//!
//! Bit `i` of an address is set when code unit `i` exceeds its threshold: 0.5 for binary codes
//! trained with noise, the unit's median over the training corpus for real-valued codes (so
//! each bit splits the corpus in half). Addresses hold at most 64 bits.

pub mod lookup;
pub mod words;

use std::collections::HashMap;

use ndarray::ArrayView2;
use serde::Serialize;

/// The address of `code`: bit `i` set when `code[i] > thresholds[i]`.
pub fn address(code: &[f32], thresholds: &[f32]) -> u64 {
    code.iter()
        .zip(thresholds)
        .take(64)
        .enumerate()
        .fold(
            0u64,
            |a, (i, (&c, &t))| if c > t { a | (1 << i) } else { a },
        )
}

/// The median of each of the first `max` columns of `codes`.
pub fn medians(codes: ArrayView2<f32>, max: usize) -> Vec<f32> {
    codes
        .columns()
        .into_iter()
        .take(max)
        .map(|column| {
            let mut values: Vec<f32> = column.iter().copied().filter(|v| v.is_finite()).collect();
            if values.is_empty() {
                return 0.0;
            }
            let mid = values.len() / 2;
            let (_, median, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
            *median
        })
        .collect()
}

/// The addresses of the rows of `codes` under `thresholds`.
pub fn addresses_of(codes: ArrayView2<f32>, thresholds: &[f32]) -> Vec<u64> {
    codes
        .rows()
        .into_iter()
        .map(|code| match code.as_slice() {
            Some(values) => address(values, thresholds),
            None => address(&code.to_vec(), thresholds),
        })
        .collect()
}

/// Ranking scores of `addresses` by Hamming distance to `query`, nearest highest, with ties
/// broken at random by `random` (each score is minus the distance plus a number in [0, 0.5)).
pub fn hamming_scores(addresses: &[u64], query: u64, random: &mut crate::rng::Stream) -> Vec<f32> {
    addresses
        .iter()
        .map(|&a| -(lookup::distance(a, query) as f32) + 0.5 * random.uniform())
        .collect()
}

/// How evenly addresses spread over their space.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Distinct addresses in use.
    pub buckets: usize,
    /// The most documents at one address.
    pub largest: usize,
    /// The mean over bits of each bit's entropy, in bits: 1 when every bit splits the
    /// documents in half.
    pub entropy_per_bit: f64,
}

/// The spread of `addresses` of `bits` bits.
pub fn spread(addresses: &[u64], bits: usize) -> Spread {
    let table = buckets(addresses);
    let n = addresses.len().max(1) as f64;
    let entropy: f64 = (0..bits.min(64))
        .map(|bit| {
            let p = addresses.iter().filter(|&&a| a >> bit & 1 == 1).count() as f64 / n;
            [p, 1.0 - p]
                .iter()
                .filter(|&&q| q > 0.0)
                .map(|&q| -q * q.log2())
                .sum::<f64>()
        })
        .sum();
    Spread {
        buckets: table.len(),
        largest: table.values().map(Vec::len).max().unwrap_or(0),
        entropy_per_bit: entropy / bits.clamp(1, 64) as f64,
    }
}

/// The share of the values of `codes` within 0.1 of 0 or 1: how binary logistic codes are.
pub fn binary_share(codes: ArrayView2<f32>) -> f64 {
    let near = codes.iter().filter(|&&v| !(0.1..=0.9).contains(&v)).count();
    near as f64 / codes.len().max(1) as f64
}

/// An address as `0x` and zero-padded lower-case hex, one digit per four bits.
pub fn format_address(address: u64, bits: usize) -> String {
    let digits = bits.div_ceil(4).max(1);
    format!("0x{address:0digits$x}")
}

/// Documents grouped by address: the hash table that a lookup probes.
pub fn buckets(addresses: &[u64]) -> HashMap<u64, Vec<usize>> {
    let mut table: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, &a) in addresses.iter().enumerate() {
        table.entry(a).or_default().push(i);
    }
    table
}

/// A group of near-duplicate documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Row numbers of the documents, in index order.
    pub members: Vec<usize>,
    /// The lowest similarity of the links that joined the group.
    pub score: f32,
}

/// What confirms that two documents with nearby addresses are near-duplicates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Jaccard similarity of their sets of lower-case words, numbers included, estimated
    /// from their [`words::Signature`]s.
    #[default]
    Words,
    /// Cosine similarity of their stem counts.
    Cosine,
    /// Jaccard similarity of their sets of stems.
    Jaccard,
}

impl Measure {
    /// The threshold used when none is given.
    pub fn default_threshold(self) -> f32 {
        match self {
            Measure::Words | Measure::Jaccard => 0.7,
            Measure::Cosine => 0.9,
        }
    }
}

/// When two documents are near-duplicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Their addresses differ in at most this many bits.
    pub radius: usize,
    pub measure: Measure,
    /// Least similarity under `measure`.
    pub threshold: f32,
}

impl Default for Rule {
    /// Addresses at most 1 bit apart, word sets with Jaccard similarity at least 0.7.
    fn default() -> Self {
        Rule {
            radius: 1,
            measure: Measure::Words,
            threshold: Measure::Words.default_threshold(),
        }
    }
}

/// The similarity of rows `i` and `j` of `counts` (stem counts) under `measure`, which must be
/// [`Measure::Cosine`] or [`Measure::Jaccard`].
pub fn count_similarity(counts: &sprs::CsMat<f32>, i: usize, j: usize, measure: Measure) -> f32 {
    match (counts.outer_view(i), counts.outer_view(j)) {
        (Some(a), Some(b)) => similarity(a, b, measure),
        _ => 0.0,
    }
}

/// The similarity of two sparse rows (column-sorted) under `measure`.
fn similarity(a: sprs::CsVecView<f32>, b: sprs::CsVecView<f32>, measure: Measure) -> f32 {
    let (mut i, mut j) = (0, 0);
    let (ai, av, bi, bv) = (a.indices(), a.data(), b.indices(), b.data());
    let (mut dot, mut shared) = (0.0f64, 0usize);
    while i < ai.len() && j < bi.len() {
        match ai[i].cmp(&bi[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += av[i] as f64 * bv[j] as f64;
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    match measure {
        Measure::Cosine => {
            let norm = |v: &[f32]| v.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt();
            let norms = norm(av) * norm(bv);
            if norms == 0.0 {
                0.0
            } else {
                (dot / norms) as f32
            }
        }
        Measure::Jaccard | Measure::Words => {
            let union = ai.len() + bi.len() - shared;
            if union == 0 {
                0.0
            } else {
                shared as f32 / union as f32
            }
        }
    }
}

/// Groups documents whose `bits`-bit addresses lie within `rule.radius` of each other and
/// whose `similar(i, j)` (the similarity of rows `i` and `j` under `rule.measure`) is at least
/// `rule.threshold`, joined transitively; groups of one are left out. Groups are in the order of their first
/// member. Candidates come from a Hamming-ball lookup, so the work grows with the documents
/// near each address, not with the square of the index.
pub fn near_duplicates(
    addresses: &[u64],
    bits: usize,
    rule: Rule,
    similar: impl Fn(usize, usize) -> f32 + Sync,
) -> Vec<Group> {
    use rayon::prelude::*;
    let n = addresses.len();
    let (lookup, plan) = lookup::Lookup::new(addresses, bits, rule.radius);
    tracing::debug!(
        "near-duplicate candidates within {} bits: {plan}",
        rule.radius
    );
    let links: Vec<(usize, usize, f32)> = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| {
            lookup
                .ball(addresses[i], rule.radius)
                .into_iter()
                .map(|(j, _)| j as usize)
                .filter(|&j| j > i)
                .filter_map(|j| {
                    let s = similar(i, j);
                    (s >= rule.threshold).then_some((i, j, s))
                })
                .collect::<Vec<_>>()
        })
        .collect();

    let mut parent: Vec<usize> = (0..n).collect();
    let mut weakest: Vec<f32> = vec![1.0; n];
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, j, s) in links {
        let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
        let score = weakest[ri].min(weakest[rj]).min(s);
        let (keep, gone) = if ri < rj { (ri, rj) } else { (rj, ri) };
        parent[gone] = keep;
        weakest[keep] = score;
    }

    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut groups: Vec<Group> = groups
        .into_iter()
        .filter(|(_, members)| members.len() > 1)
        .map(|(r, members)| Group {
            members,
            score: weakest[r],
        })
        .collect();
    groups.sort_unstable_by_key(|g| g.members[0]);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_counts_buckets_and_bit_entropy() {
        let spread = spread(&[0b00, 0b01, 0b10, 0b11, 0b11], 2);
        assert_eq!((spread.buckets, spread.largest), (4, 2));
        // Each bit is set in 2 or 3 of 5 documents.
        let h = -(0.4f64 * 0.4f64.log2() + 0.6 * 0.6f64.log2());
        assert!((spread.entropy_per_bit - h).abs() < 1e-12);
        let codes = ndarray::array![[0.05f32, 0.5], [0.95, 1.0]];
        assert_eq!(binary_share(codes.view()), 0.75);
    }
    use ndarray::array;

    #[test]
    fn addresses_set_bits_above_thresholds() {
        assert_eq!(address(&[0.9, 0.1, 0.7], &[0.5, 0.5, 0.5]), 0b101);
        assert_eq!(format_address(0b101, 10), "0x005");
        assert_eq!(format_address(0xdead_beef, 32), "0xdeadbeef");
    }

    #[test]
    fn medians_split_each_column() {
        let codes = array![[1.0f32, 5.0], [2.0, 4.0], [3.0, 6.0]];
        assert_eq!(medians(codes.view(), 64), [2.0, 5.0]);
        assert_eq!(medians(codes.view(), 1), [2.0]);
    }

    #[test]
    fn near_duplicates_need_nearby_addresses_and_similar_words() {
        // Rows: stem counts. 0 and 2 are copies; 3 shares half of 0's stems; 4 copies 0 but
        // lives 2 bits away.
        let rows = vec![
            vec![(0, 1.0), (1, 1.0)],
            vec![(2, 1.0), (3, 1.0)],
            vec![(0, 1.0), (1, 1.0)],
            vec![(0, 1.0), (4, 1.0)],
            vec![(0, 1.0), (1, 1.0)],
        ];
        let counts = crate::text::from_rows(5, &rows);
        let addresses = [0b000, 0b000, 0b001, 0b000, 0b110];
        let rule = Rule {
            measure: Measure::Cosine,
            threshold: 0.9,
            ..Rule::default()
        };
        let counts = &counts;
        let by = |rule: Rule| move |i, j| count_similarity(counts, i, j, rule.measure);
        let groups = near_duplicates(&addresses, 3, rule, by(rule));
        assert_eq!(
            groups,
            [Group {
                members: vec![0, 2],
                score: 1.0
            }]
        );
        let wider = Rule { radius: 2, ..rule };
        assert_eq!(
            near_duplicates(&addresses, 3, wider, by(wider))[0].members,
            [0, 2, 4]
        );
        let loose = Rule {
            measure: Measure::Jaccard,
            threshold: 0.3,
            ..rule
        };
        let groups = near_duplicates(&addresses, 3, loose, by(loose));
        assert_eq!(groups[0].members, [0, 2, 3]);
        assert!((groups[0].score - 1.0 / 3.0).abs() < 1e-6);
    }
}
