//! k-means with k-means++ seeding (Arthur & Vassilvitskii 2007).
//!
//! Points are few-dimensional codes, so distances are computed directly: the assignment step
//! runs over rows in parallel, each point against every centre at once from centres stored
//! dimension by dimension, which the compiler turns into vector arithmetic. Every random choice
//! comes from the seed.

use ndarray::{Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::rng::{self, Purpose};

/// Lloyd iterations at most per run.
const MAX_ITERATIONS: usize = 300;

/// A partition of points into `k` clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Shape `(k, dimensions)`: the mean of each cluster's points.
    pub centres: Array2<f32>,
    /// For each point, its cluster.
    pub assignments: Vec<u32>,
    /// The sum of squared distances of points to their centres.
    pub inertia: f64,
}

impl Clustering {
    /// The number of clusters.
    pub fn k(&self) -> usize {
        self.centres.nrows()
    }

    /// Points in each cluster.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.k()];
        for &a in &self.assignments {
            sizes[a as usize] += 1;
        }
        sizes
    }
}

fn squared_distance(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The nearest centre of `point` and its squared distance.
pub(crate) fn nearest(point: ArrayView1<f32>, centres: ArrayView2<f32>) -> (u32, f32) {
    let mut best = (0, f32::INFINITY);
    for (c, centre) in centres.outer_iter().enumerate() {
        let d = squared_distance(point, centre);
        if d < best.1 {
            best = (c as u32, d);
        }
    }
    best
}

/// [`nearest`] with the centres' transpose `by_dimension` (shape `(dimensions, k)`), computing
/// the distances to every centre together in `distances` (length `k`). The sums run over the
/// dimensions in the same order as [`nearest`]'s, so both give the same bits.
fn nearest_of_all(
    point: ArrayView1<f32>,
    by_dimension: &Array2<f32>,
    distances: &mut [f32],
) -> (u32, f32) {
    distances.fill(0.0);
    for (&x, centres) in point.iter().zip(by_dimension.outer_iter()) {
        let centres = centres
            .to_slice()
            .expect("the transpose is built in standard layout");
        for (d, &c) in distances.iter_mut().zip(centres) {
            *d += (x - c) * (x - c);
        }
    }
    let mut best = (0, f32::INFINITY);
    for (c, &d) in distances.iter().enumerate() {
        if d < best.1 {
            best = (c as u32, d);
        }
    }
    best
}

/// Runs k-means `restarts` times from different seedings and keeps the lowest inertia.
/// `k` is capped at the number of points (a cluster stays empty only when points repeat);
/// an empty input gives no clusters.
pub fn kmeans(points: ArrayView2<f32>, k: usize, seed: u64, restarts: usize) -> Clustering {
    let n = points.nrows();
    let k = k.min(n);
    if k == 0 {
        return Clustering {
            centres: Array2::zeros((0, points.ncols())),
            assignments: vec![0; n],
            inertia: 0.0,
        };
    }
    (0..restarts.max(1) as u64)
        .map(|run| lloyd(points, seeding(points, k, seed, run)))
        .min_by(|a, b| a.inertia.total_cmp(&b.inertia))
        .expect("at least one run")
}

/// k-means++: each next centre is a point drawn with probability proportional to its squared
/// distance to the centres chosen so far.
fn seeding(points: ArrayView2<f32>, k: usize, seed: u64, run: u64) -> Array2<f32> {
    let n = points.nrows();
    let mut random = rng::stream(seed, Purpose::Clusters, &[run]);
    let mut centres = Array2::zeros((k, points.ncols()));
    centres.row_mut(0).assign(&points.row(random.below(n)));
    let mut distances: Vec<f32> = points
        .outer_iter()
        .map(|p| squared_distance(p, centres.row(0)))
        .collect();
    for c in 1..k {
        let total: f64 = distances.iter().map(|&d| d as f64).sum();
        let chosen = if total > 0.0 {
            let mut target = random.uniform() as f64 * total;
            let mut chosen = n - 1;
            for (i, &d) in distances.iter().enumerate() {
                target -= d as f64;
                if target < 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        } else {
            // Every point sits on a centre already: any point will do.
            random.below(n)
        };
        centres.row_mut(c).assign(&points.row(chosen));
        for (d, p) in distances.iter_mut().zip(points.outer_iter()) {
            *d = d.min(squared_distance(p, centres.row(c)));
        }
    }
    centres
}

/// Lloyd's iterations from `centres` until no point changes cluster.
fn lloyd(points: ArrayView2<f32>, mut centres: Array2<f32>) -> Clustering {
    let (n, dims) = points.dim();
    let k = centres.nrows();
    let mut assignments = vec![u32::MAX; n];
    let mut nearest_of = vec![(0u32, 0f32); n];
    for _ in 0..MAX_ITERATIONS {
        let by_dimension = centres.t().as_standard_layout().into_owned();
        nearest_of.par_iter_mut().enumerate().for_each_init(
            || vec![0f32; k],
            |distances, (i, slot)| *slot = nearest_of_all(points.row(i), &by_dimension, distances),
        );
        let mut changed = 0;
        for (a, &(c, _)) in assignments.iter_mut().zip(&nearest_of) {
            if *a != c {
                *a = c;
                changed += 1;
            }
        }
        if changed == 0 {
            break;
        }
        let mut sums = Array2::<f64>::zeros((k, dims));
        let mut sizes = vec![0usize; k];
        for (p, &a) in points.outer_iter().zip(&assignments) {
            sizes[a as usize] += 1;
            for (s, &v) in sums.row_mut(a as usize).iter_mut().zip(p) {
                *s += v as f64;
            }
        }
        for (c, &size) in sizes.iter().enumerate() {
            if size == 0 {
                // An empty cluster takes the point worst served by its centre.
                let worst = (0..n)
                    .max_by(|&a, &b| nearest_of[a].1.total_cmp(&nearest_of[b].1))
                    .unwrap_or(0);
                centres.row_mut(c).assign(&points.row(worst));
                nearest_of[worst].1 = 0.0;
                continue;
            }
            for (centre, &s) in centres.row_mut(c).iter_mut().zip(sums.row(c)) {
                *centre = (s / size as f64) as f32;
            }
        }
    }
    let inertia = points
        .outer_iter()
        .zip(&assignments)
        .map(|(p, &a)| squared_distance(p, centres.row(a as usize)) as f64)
        .sum();
    Clustering {
        centres,
        assignments,
        inertia,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nearest_of_all_agrees_with_nearest() {
        let points =
            Array2::from_shape_fn((40, 10), |(i, j)| ((i * 7 + j * 3) as f32 * 0.37).sin());
        let centres = Array2::from_shape_fn((13, 10), |(i, j)| ((i * 5 + j) as f32 * 0.91).cos());
        let by_dimension = centres.t().as_standard_layout().into_owned();
        let mut distances = vec![0.0; 13];
        for point in points.outer_iter() {
            assert_eq!(
                nearest_of_all(point, &by_dimension, &mut distances),
                nearest(point, centres.view())
            );
        }
    }

    /// Three tight groups of points around (0,0), (10,0) and (0,10).
    fn groups() -> Array2<f32> {
        let mut points = Array2::zeros((30, 2));
        for i in 0..30 {
            let (x, y) = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)][i % 3];
            let jitter = (i / 3) as f32 * 0.05;
            points[[i, 0]] = x + jitter;
            points[[i, 1]] = y - jitter;
        }
        points
    }

    #[test]
    fn clear_groups_are_found() {
        let points = groups();
        let clustering = kmeans(points.view(), 3, 7, 3);
        assert_eq!(clustering.sizes(), [10, 10, 10]);
        for i in 0..30 {
            assert_eq!(clustering.assignments[i], clustering.assignments[i % 3]);
        }
        let two = kmeans(points.view(), 2, 7, 3);
        assert!(two.inertia > clustering.inertia);
    }

    #[test]
    fn the_same_seed_gives_the_same_clusters() {
        let points = groups();
        assert_eq!(
            kmeans(points.view(), 4, 1, 2),
            kmeans(points.view(), 4, 1, 2)
        );
    }

    #[test]
    fn no_cluster_is_left_empty() {
        // Five copies of one point and one far point: k = 3 must still fill every cluster.
        let points = array![
            [0.0f32, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [5.0, 5.0],
            [5.1, 5.0]
        ];
        let clustering = kmeans(points.view(), 3, 3, 1);
        assert!(
            clustering.sizes().iter().all(|&s| s > 0),
            "{:?}",
            clustering.sizes()
        );
        assert_eq!(kmeans(points.view(), 10, 3, 1).k(), 6);
        assert_eq!(kmeans(Array2::<f32>::zeros((0, 2)).view(), 3, 3, 1).k(), 0);
    }
}
