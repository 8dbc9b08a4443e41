//! How good topics are: NPMI coherence of their words and NMI agreement with labels.
//!
//! Coherence counts documents, not windows: `P(w)` is the share of reference documents that
//! contain `w`, `P(w, v)` the share that contain both. A pair's normalised pointwise mutual
//! information is `ln(P(w,v) / (P(w) P(v))) / -ln P(w,v)`, from -1 (never together) to 1
//! (always together); a topic's coherence is the mean over pairs of its top words (Bouma 2009;
//! Lau, Newman & Baldwin 2014).

use std::collections::HashMap;

use sprs::CsMat;

/// Which reference documents contain each of a set of columns.
#[derive(Debug, Clone, Default)]
pub struct Occurrences {
    documents: usize,
    postings: HashMap<usize, Vec<u32>>,
}

impl Occurrences {
    /// Collects the documents containing each of `columns`; add reference matrices with
    /// [`Occurrences::add`].
    pub fn new(columns: impl IntoIterator<Item = usize>) -> Self {
        Occurrences {
            documents: 0,
            postings: columns.into_iter().map(|c| (c, Vec::new())).collect(),
        }
    }

    /// Adds the rows of `counts` (documents by the same columns) as reference documents.
    pub fn add(&mut self, counts: &CsMat<f32>) {
        for row in counts.outer_iterator() {
            let document = self.documents as u32;
            for (c, &v) in row.iter() {
                if v > 0.0
                    && let Some(list) = self.postings.get_mut(&c)
                {
                    list.push(document);
                }
            }
            self.documents += 1;
        }
    }

    /// The number of reference documents.
    pub fn documents(&self) -> usize {
        self.documents
    }

    fn count(&self, column: usize) -> usize {
        self.postings.get(&column).map_or(0, Vec::len)
    }

    fn count_both(&self, a: usize, b: usize) -> usize {
        let (Some(x), Some(y)) = (self.postings.get(&a), self.postings.get(&b)) else {
            return 0;
        };
        let (mut i, mut j, mut both) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        both
    }

    /// The NPMI of columns `a` and `b`: -1 when they never share a document.
    pub fn npmi(&self, a: usize, b: usize) -> f64 {
        let n = self.documents as f64;
        let both = self.count_both(a, b) as f64 / n;
        if both == 0.0 {
            return -1.0;
        }
        if both == 1.0 {
            return 1.0;
        }
        let (pa, pb) = (self.count(a) as f64 / n, self.count(b) as f64 / n);
        (both / (pa * pb)).ln() / -both.ln()
    }

    /// The mean NPMI over all pairs of `words` (columns); 0 for fewer than two words.
    pub fn coherence(&self, words: &[usize]) -> f64 {
        let mut total = 0.0;
        let mut pairs = 0;
        for (i, &a) in words.iter().enumerate() {
            for &b in &words[i + 1..] {
                total += self.npmi(a, b);
                pairs += 1;
            }
        }
        if pairs == 0 {
            0.0
        } else {
            total / pairs as f64
        }
    }
}

/// Normalised mutual information of two labelings of the same items, `2 I / (H(a) + H(b))`
/// (the arithmetic normalisation); 1 when they agree up to renaming, near 0 when independent.
pub fn nmi(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let mut joint: HashMap<(u32, u32), usize> = HashMap::new();
    let mut left: HashMap<u32, usize> = HashMap::new();
    let mut right: HashMap<u32, usize> = HashMap::new();
    for (&x, &y) in a.iter().zip(b).take(n) {
        *joint.entry((x, y)).or_default() += 1;
        *left.entry(x).or_default() += 1;
        *right.entry(y).or_default() += 1;
    }
    let n = n as f64;
    let entropy = |counts: &HashMap<u32, usize>| -> f64 {
        counts
            .values()
            .map(|&c| {
                let p = c as f64 / n;
                -p * p.ln()
            })
            .sum()
    };
    let (ha, hb) = (entropy(&left), entropy(&right));
    let information: f64 = joint
        .iter()
        .map(|(&(x, y), &c)| {
            let p = c as f64 / n;
            p * (p * n * n / (left[&x] as f64 * right[&y] as f64)).ln()
        })
        .sum();
    if ha + hb == 0.0 {
        return 1.0;
    }
    (2.0 * information / (ha + hb)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sprs::TriMat;

    fn matrix(rows: &[&[usize]], columns: usize) -> CsMat<f32> {
        let mut triplets = TriMat::new((rows.len(), columns));
        for (r, row) in rows.iter().enumerate() {
            for &c in *row {
                triplets.add_triplet(r, c, 1.0);
            }
        }
        triplets.to_csr()
    }

    #[test]
    fn words_always_together_cohere_and_apart_do_not() {
        let mut occurrences = Occurrences::new([0, 1, 2, 3]);
        occurrences.add(&matrix(&[&[0, 1], &[0, 1], &[2], &[3], &[2, 3]], 4));
        assert_eq!(occurrences.documents(), 5);
        assert!((occurrences.npmi(0, 1) - 1.0).abs() < 1e-9);
        assert_eq!(occurrences.npmi(0, 2), -1.0);
        // P(2)=P(3)=0.4, P(2,3)=0.2: ln(0.2/0.16)/-ln(0.2).
        let expected = (0.2f64 / 0.16).ln() / -(0.2f64).ln();
        assert!((occurrences.npmi(2, 3) - expected).abs() < 1e-9);
        assert!((occurrences.coherence(&[0, 1, 2]) - (1.0 - 1.0 - 1.0) / 3.0).abs() < 1e-9);
    }

    #[test]
    fn nmi_is_one_for_a_renaming_and_low_for_independence() {
        assert!((nmi(&[0, 0, 1, 1, 2, 2], &[5, 5, 3, 3, 9, 9]) - 1.0).abs() < 1e-9);
        assert!(nmi(&[0, 1, 0, 1], &[0, 0, 1, 1]) < 1e-9);
        let partial = nmi(&[0, 0, 1, 1], &[0, 0, 0, 1]);
        assert!(partial > 0.0 && partial < 1.0);
    }
}
