//! Bags of words: documents as sparse rows of stem counts over a vocabulary.
//!
//! The matrix is CSR with one row per document and one column per stem, shape
//! `(documents, vocabulary)`. Counts stay counts here; the network divides each row by its
//! length (its total count) to get the word probabilities it reconstructs.

use rayon::prelude::*;
use sprs::{CsMat, CsMatView, TriMat};

use super::{Tokenizer, Vocabulary};

/// Documents counted over the whole vocabulary of the corpus: what lexical search (TF-IDF,
/// BM25) and LSA work on, beside the network's smaller vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    /// Every stem, most frequent first.
    pub vocabulary: Vocabulary,
    /// CSR `(documents, stems)` of counts.
    pub counts: CsMat<f32>,
}

impl Terms {
    /// Counts `texts` over `vocabulary`.
    pub fn new<S: AsRef<str> + Sync>(
        vocabulary: Vocabulary,
        tokenizer: &Tokenizer,
        texts: &[S],
    ) -> Self {
        let counts = bag_of_words(tokenizer, &vocabulary, texts);
        Terms { vocabulary, counts }
    }

    /// The same documents counted over `vocabulary` only (a subset of these stems, such as a
    /// model's): CSR `(documents, vocabulary)`.
    pub fn over(&self, vocabulary: &Vocabulary) -> CsMat<f32> {
        restrict(&self.counts, &self.vocabulary, vocabulary)
    }
}

/// `counts` (documents by the stems of `from`) counted over the stems of `to` only; stems of
/// `to` that `from` lacks stay zero.
pub fn restrict(counts: &CsMat<f32>, from: &Vocabulary, to: &Vocabulary) -> CsMat<f32> {
    let map: Vec<Option<usize>> = from
        .stems
        .iter()
        .map(|stem| to.column(stem).map(|c| c as usize))
        .collect();
    let rows: Vec<Vec<(usize, f32)>> = counts
        .outer_iterator()
        .map(|row| {
            let mut kept: Vec<(usize, f32)> = row
                .iter()
                .filter_map(|(c, &v)| map[c].map(|m| (m, v)))
                .collect();
            kept.sort_unstable_by_key(|&(c, _)| c);
            kept
        })
        .collect();
    from_rows(to.len(), &rows)
}

/// The rows `rows` of `matrix`, in that order, copied straight into a new CSR matrix.
pub fn select_rows(matrix: CsMatView<f32>, rows: &[usize]) -> CsMat<f32> {
    let mut indptr = Vec::with_capacity(rows.len() + 1);
    let (mut indices, mut values) = (Vec::new(), Vec::new());
    indptr.push(0);
    for &r in rows {
        if let Some(row) = matrix.outer_view(r) {
            indices.extend_from_slice(row.indices());
            values.extend_from_slice(row.data());
        }
        indptr.push(indices.len());
    }
    CsMat::new((rows.len(), matrix.cols()), indptr, indices, values)
}

/// Counts the vocabulary's stems in each text; rows are in the order of `texts`.
pub fn bag_of_words<S: AsRef<str> + Sync>(
    tokenizer: &Tokenizer,
    vocabulary: &Vocabulary,
    texts: &[S],
) -> CsMat<f32> {
    let rows: Vec<Vec<(usize, f32)>> = texts
        .par_iter()
        .map(|text| count_row(tokenizer, vocabulary, text.as_ref()))
        .collect();
    from_rows(vocabulary.len(), &rows)
}

/// The sorted `(column, count)` pairs of one text.
pub fn count_row(tokenizer: &Tokenizer, vocabulary: &Vocabulary, text: &str) -> Vec<(usize, f32)> {
    count_row_and_unknown(tokenizer, vocabulary, text, |_| {})
}

/// [`count_row`], calling `unknown(stem)` for each stem outside the vocabulary on the way.
pub fn count_row_and_unknown(
    tokenizer: &Tokenizer,
    vocabulary: &Vocabulary,
    text: &str,
    mut unknown: impl FnMut(&str),
) -> Vec<(usize, f32)> {
    let mut columns = Vec::new();
    tokenizer.for_each(text, |stem, _| match vocabulary.column(stem) {
        Some(column) => columns.push(column as usize),
        None => unknown(stem),
    });
    columns.sort_unstable();
    let mut row: Vec<(usize, f32)> = Vec::new();
    for column in columns {
        match row.last_mut() {
            Some((last, count)) if *last == column => *count += 1.0,
            _ => row.push((column, 1.0)),
        }
    }
    row
}

/// A CSR matrix of `columns` columns from sorted sparse rows.
pub fn from_rows(columns: usize, rows: &[Vec<(usize, f32)>]) -> CsMat<f32> {
    let nnz = rows.iter().map(Vec::len).sum();
    let mut triplets = TriMat::with_capacity((rows.len(), columns), nnz);
    for (r, row) in rows.iter().enumerate() {
        for &(c, v) in row {
            triplets.add_triplet(r, c, v);
        }
    }
    triplets.to_csr()
}

/// The total count of each row: the document lengths `D`.
pub fn row_sums(matrix: &CsMat<f32>) -> Vec<f32> {
    matrix
        .outer_iterator()
        .map(|row| row.data().iter().sum())
        .collect()
}

/// Each row divided by its sum: word probabilities. Rows without words stay empty.
pub fn to_probabilities(matrix: &CsMat<f32>) -> CsMat<f32> {
    let sums = row_sums(matrix);
    let mut scaled = matrix.clone();
    scale_rows(&mut scaled, |row| {
        if sums[row] > 0.0 {
            1.0 / sums[row]
        } else {
            1.0
        }
    });
    scaled
}

/// Multiplies every entry of row `r` by `factor(r)`.
pub fn scale_rows(matrix: &mut CsMat<f32>, factor: impl Fn(usize) -> f32) {
    let indptr: Vec<usize> = matrix.indptr().raw_storage().to_vec();
    let data = matrix.data_mut();
    for row in 0..indptr.len().saturating_sub(1) {
        let f = factor(row);
        data[indptr[row]..indptr[row + 1]]
            .iter_mut()
            .for_each(|v| *v *= f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;

    #[test]
    fn counts_and_scales() {
        let tokenizer = Tokenizer::new(Language::English, None);
        let texts = ["space space shuttle", "shuttle orbit", "nothing known here"];
        let vocabulary = Vocabulary::build(&tokenizer, &texts[..2], 10, 1);
        let counts = bag_of_words(&tokenizer, &vocabulary, &texts);
        assert_eq!(counts.shape(), (3, vocabulary.len()));
        let space = vocabulary.column("space").expect("in vocabulary") as usize;
        let shuttl = vocabulary.column("shuttl").expect("in vocabulary") as usize;
        assert_eq!(counts.get(0, space), Some(&2.0));
        assert_eq!(row_sums(&counts), [3.0, 2.0, 0.0]);

        let probabilities = to_probabilities(&counts);
        let p = probabilities.get(0, shuttl).copied().unwrap_or_default();
        assert!((p - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(probabilities.outer_view(2).map(|r| r.nnz()), Some(0));
        for row in probabilities.outer_iterator().take(2) {
            assert!((row.data().iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
    }
}
