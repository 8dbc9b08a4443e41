//! Lexical search over every stem of the corpus: TF-IDF cosine and Okapi BM25.
//!
//! Both weight each document's counts once, store the weights by stem (a CSR of shape
//! `(stems, documents)`, i.e. posting lists), and score a query by walking the posting lists of
//! its stems. TF-IDF uses raw counts times `ln((1 + n) / (1 + df)) + 1` with rows scaled to
//! unit length, so scores are cosines; BM25 uses `k1 = 1.2`, `b = 0.75` and
//! `idf = ln(1 + (n - df + 0.5) / (df + 0.5))`.

use sprs::CsMat;

use crate::text::{self, Terms, Tokenizer};

/// How counts become weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighting {
    TfIdf,
    Bm25,
}

impl Weighting {
    /// The method's name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Weighting::TfIdf => "tfidf",
            Weighting::Bm25 => "bm25",
        }
    }
}

const BM25_K1: f32 = 1.2;
const BM25_B: f32 = 0.75;

/// Posting lists of weighted counts, ready to score queries.
#[derive(Debug, Clone)]
pub struct Lexical {
    weighting: Weighting,
    /// Shape `(stems, documents)`.
    postings: CsMat<f32>,
    idf: Vec<f32>,
    documents: usize,
}

impl Lexical {
    /// Weights the documents of `terms`.
    pub fn new(terms: &Terms, weighting: Weighting) -> Self {
        let (weighted, idf) = weigh(&terms.counts, weighting);
        Lexical::from_weighted(&weighted, idf, weighting)
    }

    /// Search over documents already weighted by [`weigh`], with the `idf` it returned.
    pub fn from_weighted(weighted: &CsMat<f32>, idf: Vec<f32>, weighting: Weighting) -> Self {
        Lexical {
            weighting,
            postings: weighted.transpose_view().to_csr(),
            idf,
            documents: weighted.rows(),
        }
    }

    /// The weighting in use.
    pub fn weighting(&self) -> Weighting {
        self.weighting
    }

    /// The query's stems and their weights, from its `(stem, count)` pairs.
    pub fn query_weights(&self, counts: &[(usize, f32)]) -> Vec<(usize, f32)> {
        match self.weighting {
            Weighting::Bm25 => counts.to_vec(),
            Weighting::TfIdf => {
                let weighted: Vec<(usize, f32)> =
                    counts.iter().map(|&(t, c)| (t, c * self.idf[t])).collect();
                let norm = weighted.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
                weighted
                    .into_iter()
                    .map(|(t, w)| (t, if norm > 0.0 { w / norm } else { 0.0 }))
                    .collect()
            }
        }
    }

    /// Counts `text` over the stems of `terms`, as [`Lexical::query_weights`] takes them.
    pub fn count(terms: &Terms, tokenizer: &Tokenizer, text: &str) -> Vec<(usize, f32)> {
        text::count_row(tokenizer, &terms.vocabulary, text)
    }

    /// The score of every document for a query with stem `weights`.
    pub fn scores(&self, weights: &[(usize, f32)]) -> Vec<f32> {
        let mut scores = vec![0.0f32; self.documents];
        for &(t, w) in weights {
            if let Some(postings) = self.postings.outer_view(t) {
                for (d, &v) in postings.iter() {
                    scores[d] += w * v;
                }
            }
        }
        scores
    }

    /// The score of the documents `rows` only, for re-ranking a shortlist.
    pub fn scores_of(&self, weights: &[(usize, f32)], rows: &[usize]) -> Vec<f32> {
        let all = self.scores(weights);
        rows.iter().map(|&r| all[r]).collect()
    }
}

/// The documents of `counts` weighted for lexical search, one row per document: TF-IDF rows
/// of unit length, or BM25 term weights; and each stem's inverse document frequency.
pub fn weigh(counts: &CsMat<f32>, weighting: Weighting) -> (CsMat<f32>, Vec<f32>) {
    let (n, stems) = counts.shape();
    let mut df = vec![0u32; stems];
    for &c in counts.indices() {
        df[c] += 1;
    }
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| {
            let (n, d) = (n as f32, d as f32);
            match weighting {
                Weighting::TfIdf => ((1.0 + n) / (1.0 + d)).ln() + 1.0,
                Weighting::Bm25 => (1.0 + (n - d + 0.5) / (d + 0.5)).ln(),
            }
        })
        .collect();

    let lengths = text::row_sums(counts);
    let mean_length = lengths.iter().sum::<f32>() / n.max(1) as f32;
    let mut weighted = counts.clone();
    let indptr: Vec<usize> = weighted.indptr().raw_storage().to_vec();
    let indices: Vec<usize> = weighted.indices().to_vec();
    let data = weighted.data_mut();
    for row in 0..n {
        let span = indptr[row]..indptr[row + 1];
        match weighting {
            Weighting::TfIdf => {
                let mut norm = 0.0f32;
                for k in span.clone() {
                    data[k] *= idf[indices[k]];
                    norm += data[k] * data[k];
                }
                let norm = norm.sqrt();
                if norm > 0.0 {
                    data[span].iter_mut().for_each(|v| *v /= norm);
                }
            }
            Weighting::Bm25 => {
                let scale =
                    BM25_K1 * (1.0 - BM25_B + BM25_B * lengths[row] / mean_length.max(1e-9));
                for k in span {
                    let tf = data[k];
                    data[k] = idf[indices[k]] * tf * (BM25_K1 + 1.0) / (tf + scale);
                }
            }
        }
    }
    (weighted, idf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Language, Vocabulary};

    fn terms() -> (Terms, Tokenizer) {
        let tokenizer = Tokenizer::new(Language::English, None);
        let texts = [
            "the space shuttle launch was delayed",
            "graphics card drivers for the new card",
            "shuttle orbit and space station",
            "a cheap graphics card",
        ];
        let vocabulary = Vocabulary::build_all(&tokenizer, &texts);
        (Terms::new(vocabulary, &tokenizer, &texts), tokenizer)
    }

    #[test]
    fn both_weightings_find_the_matching_documents() {
        let (terms, tokenizer) = terms();
        for weighting in [Weighting::TfIdf, Weighting::Bm25] {
            let lexical = Lexical::new(&terms, weighting);
            let query = lexical.query_weights(&Lexical::count(&terms, &tokenizer, "space shuttle"));
            let scores = lexical.scores(&query);
            assert!(
                scores[0] > scores[1] && scores[2] > scores[3],
                "{weighting:?}: {scores:?}"
            );
            let card = lexical.query_weights(&Lexical::count(&terms, &tokenizer, "card"));
            let scores = lexical.scores(&card);
            assert!(
                scores[1] > 0.0 && scores[3] > 0.0 && scores[0] == 0.0,
                "{scores:?}"
            );
            assert_eq!(lexical.scores_of(&card, &[3, 0]), [scores[3], 0.0]);
        }
    }

    #[test]
    fn tfidf_scores_are_cosines() {
        let (terms, tokenizer) = terms();
        let lexical = Lexical::new(&terms, Weighting::TfIdf);
        let text = "graphics card drivers for the new card";
        let query = lexical.query_weights(&Lexical::count(&terms, &tokenizer, text));
        let scores = lexical.scores(&query);
        assert!((scores[1] - 1.0).abs() < 1e-5, "{scores:?}");
        assert!(scores.iter().all(|&s| s <= 1.0 + 1e-5));
    }
}
