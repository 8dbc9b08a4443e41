//! Seeded random streams.
//!
//! All randomness derives from the user's `--seed`, split into independent streams named by
//! small integers (layer, epoch, batch, purpose), so that results do not depend on how work is
//! spread over threads.

use rand_core::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Purposes of random streams, so that two uses never share one.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Purpose {
    Init = 1,
    Shuffle = 2,
    Sample = 3,
    Split = 4,
    Dropout = 5,
    Noise = 6,
    Clusters = 7,
}

/// A random stream for `purpose` at position `path` (e.g. `[layer, epoch, batch]`) of `seed`.
pub fn stream(seed: u64, purpose: Purpose, path: &[u64]) -> Stream {
    Streams::new(seed, purpose, path).stream()
}

/// The streams below one position: `Streams::new(seed, purpose, path).row(i)` is
/// `stream(seed, purpose, [path…, i])`. Work spread over rows draws from one stream per row, so
/// that its numbers do not depend on how rows are shared between threads.
#[derive(Debug, Clone, Copy)]
pub struct Streams(u64);

impl Streams {
    /// The position `path` of `purpose` under `seed`.
    pub fn new(seed: u64, purpose: Purpose, path: &[u64]) -> Self {
        let mut state = splitmix(seed ^ 0x746f_7069_6373);
        state = splitmix(state ^ purpose as u64);
        Streams(
            path.iter()
                .fold(state, |state, &step| step_into(state, step)),
        )
    }

    /// The position one step down, at `step`.
    pub fn below(&self, step: u64) -> Streams {
        Streams(step_into(self.0, step))
    }

    /// The stream of row `i` below this position.
    pub fn row(&self, i: usize) -> Stream {
        self.below(i as u64).stream()
    }

    fn stream(self) -> Stream {
        Stream(Xoshiro256PlusPlus::seed_from_u64(self.0))
    }
}

fn step_into(state: u64, step: u64) -> u64 {
    splitmix(state ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One random stream.
#[derive(Debug, Clone)]
pub struct Stream(Xoshiro256PlusPlus);

impl Stream {
    /// A uniform number in `[0, 1)`.
    #[inline]
    pub fn uniform(&mut self) -> f32 {
        (self.0.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// A standard normal number.
    #[inline]
    pub fn normal(&mut self) -> f32 {
        StandardNormal.sample(&mut self.0)
    }

    /// A uniform index in `0..n`; `n` must be positive.
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        ((self.0.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f32> = (0..4)
            .map(|_| 0.0)
            .scan(stream(7, Purpose::Init, &[1]), |s, _| Some(s.uniform()))
            .collect();
        let b: Vec<f32> = (0..4)
            .map(|_| 0.0)
            .scan(stream(7, Purpose::Init, &[1]), |s, _| Some(s.uniform()))
            .collect();
        let c: Vec<f32> = (0..4)
            .map(|_| 0.0)
            .scan(stream(7, Purpose::Init, &[2]), |s, _| Some(s.uniform()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|&u| (0.0..1.0).contains(&u)));
    }

    #[test]
    fn a_row_stream_is_the_stream_one_step_down() {
        let streams = Streams::new(7, Purpose::Sample, &[3, 4]);
        let mut row = streams.row(5);
        let mut direct = stream(7, Purpose::Sample, &[3, 4, 5]);
        assert!((0..8).all(|_| row.uniform() == direct.uniform()));
    }

    #[test]
    fn normals_have_unit_variance() {
        let mut s = stream(1, Purpose::Noise, &[]);
        let xs: Vec<f32> = (0..20_000).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f32>() / xs.len() as f32;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / xs.len() as f32;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut items: Vec<usize> = (0..100).collect();
        stream(3, Purpose::Shuffle, &[0]).shuffle(&mut items);
        let mut sorted = items.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(items, sorted);
    }
}
