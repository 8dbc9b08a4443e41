//! Finding the documents near an address: probing a hash table for every address within a
//! Hamming radius, multi-index hashing for radii where that enumeration explodes (Norouzi,
//! Punjani & Fleet 2012), and a linear scan with popcount.
//!
//! All three return the same documents: `(row, distance)` for every address within the radius,
//! in row order within each distance. [`plan`] picks the cheapest for a radius and index size.

use std::fmt;

/// The Hamming distance of two addresses.
#[inline]
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Mask of the low `bits` bits.
fn mask(bits: usize) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The number of addresses of `bits` bits within `radius` of one address.
pub fn ball_size(bits: usize, radius: usize) -> u128 {
    let mut total = 0u128;
    let mut choose = 1u128;
    for i in 0..=radius.min(bits) {
        total += choose;
        choose = choose * (bits - i) as u128 / (i + 1) as u128;
    }
    total
}

/// Calls `visit` with every address within `radius` of `address` on its low `bits` bits,
/// nearest first.
fn for_each_within(address: u64, bits: usize, radius: usize, visit: &mut impl FnMut(u64, u32)) {
    fn flip(
        address: u64,
        from: usize,
        left: usize,
        bits: usize,
        flipped: u32,
        visit: &mut impl FnMut(u64, u32),
    ) {
        if left == 0 {
            visit(address, flipped);
            return;
        }
        for bit in from..bits {
            if bits - bit < left {
                break;
            }
            flip(
                address ^ (1 << bit),
                bit + 1,
                left - 1,
                bits,
                flipped + 1,
                visit,
            );
        }
    }
    for d in 0..=radius.min(bits) {
        flip(address, 0, d, bits, 0, visit);
    }
}

/// Rows grouped by address, with an open-addressing table from address to group.
#[derive(Debug, Clone)]
pub struct Table {
    bits: usize,
    /// Distinct addresses, ascending.
    keys: Vec<u64>,
    /// Group `g` is `rows[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    rows: Vec<u32>,
    /// Index into `keys`, or `u32::MAX` for an empty slot; the length is a power of two.
    slots: Vec<u32>,
}

impl Table {
    /// The table of `addresses` (one per row) of `bits` bits.
    pub fn new(addresses: &[u64], bits: usize) -> Table {
        let mut order: Vec<u32> = (0..addresses.len() as u32).collect();
        order.sort_by_key(|&r| (addresses[r as usize], r));
        let mut keys = Vec::new();
        let mut starts = Vec::new();
        for (i, &r) in order.iter().enumerate() {
            let a = addresses[r as usize];
            if keys.last() != Some(&a) {
                keys.push(a);
                starts.push(i as u32);
            }
        }
        starts.push(order.len() as u32);
        let capacity = (keys.len() * 2).next_power_of_two().max(2);
        let mut slots = vec![u32::MAX; capacity];
        for (g, &key) in keys.iter().enumerate() {
            let mut slot = Self::home(key, capacity);
            while slots[slot] != u32::MAX {
                slot = (slot + 1) & (capacity - 1);
            }
            slots[slot] = g as u32;
        }
        Table {
            bits,
            keys,
            starts,
            rows: order,
            slots,
        }
    }

    /// Fibonacci hashing of `key` to a slot.
    #[inline]
    fn home(key: u64, capacity: usize) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - capacity.trailing_zeros())) as usize
    }

    /// The bytes the table holds: keys, group starts, rows and slots.
    pub fn bytes(&self) -> usize {
        self.keys.len() * 8 + (self.starts.len() + self.rows.len() + self.slots.len()) * 4
    }

    /// The rows at exactly `address`, in row order.
    pub fn bucket(&self, address: u64) -> &[u32] {
        let capacity = self.slots.len();
        let mut slot = Self::home(address, capacity);
        loop {
            let g = self.slots[slot];
            if g == u32::MAX {
                return &[];
            }
            if self.keys[g as usize] == address {
                let g = g as usize;
                return &self.rows[self.starts[g] as usize..self.starts[g + 1] as usize];
            }
            slot = (slot + 1) & (capacity - 1);
        }
    }

    /// The number of distinct addresses.
    pub fn buckets(&self) -> usize {
        self.keys.len()
    }

    /// The most rows that share one address.
    pub fn largest_bucket(&self) -> usize {
        self.starts
            .windows(2)
            .map(|w| (w[1] - w[0]) as usize)
            .max()
            .unwrap_or(0)
    }

    /// Every row within `radius` of `address`, nearest first, by probing each address of the
    /// ball.
    pub fn ball(&self, address: u64, radius: usize) -> Vec<(u32, u32)> {
        let mut found = Vec::new();
        for_each_within(address, self.bits, radius, &mut |probe, d| {
            found.extend(self.bucket(probe).iter().map(|&r| (r, d)));
        });
        sort_hits(&mut found);
        found
    }
}

/// Hits by distance, then row.
fn sort_hits(hits: &mut [(u32, u32)]) {
    hits.sort_unstable_by_key(|&(row, d)| (d, row));
}

/// Rows of `chunk` (numbered from `offset`) within `radius` of `address`, appended to `found`.
#[inline(always)]
fn scan_chunk(
    chunk: &[u64],
    offset: usize,
    address: u64,
    radius: u32,
    found: &mut Vec<(u32, u32)>,
) {
    for (i, &a) in chunk.iter().enumerate() {
        let d = (a ^ address).count_ones();
        if d <= radius {
            found.push(((offset + i) as u32, d));
        }
    }
}

/// [`scan_chunk`] compiled with the processor's popcount instruction, which the baseline
/// x86-64 target leaves out.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn scan_chunk_popcnt(
    chunk: &[u64],
    offset: usize,
    address: u64,
    radius: u32,
    found: &mut Vec<(u32, u32)>,
) {
    scan_chunk(chunk, offset, address, radius, found)
}

fn scan_part(chunk: &[u64], offset: usize, address: u64, radius: usize) -> Vec<(u32, u32)> {
    let mut found = Vec::new();
    let radius = radius.min(64) as u32;
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor has just been seen to support popcnt.
        unsafe { scan_chunk_popcnt(chunk, offset, address, radius, &mut found) };
        return found;
    }
    scan_chunk(chunk, offset, address, radius, &mut found);
    found
}

/// Every row within `radius` of `address`, by popcount over all of `addresses` (in parallel
/// for large indexes).
pub fn scan(addresses: &[u64], address: u64, radius: usize) -> Vec<(u32, u32)> {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 16;
    let mut found: Vec<(u32, u32)> = if addresses.len() > CHUNK {
        let parts: Vec<Vec<(u32, u32)>> = addresses
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| scan_part(chunk, c * CHUNK, address, radius))
            .collect();
        parts.concat()
    } else {
        scan_part(addresses, 0, address, radius)
    };
    sort_hits(&mut found);
    found
}

// TODO: scan addresses of 32 bits or fewer packed as u32, half the memory traffic: at a
// million 32-bit addresses FAISS's IndexBinaryFlat, which reads 4 bytes a code, is 1.4 times
// as fast as this scan of 8-byte addresses (level at 64 bits; README, scripts/scale.sh).
/// The `k` rows nearest to `address` by Hamming distance, nearest first, then in row order:
/// one popcount pass over all of `addresses` (in parallel for large indexes) that counts the
/// distances, and a second over the distances kept, the linear scan FAISS's `IndexBinaryFlat`
/// does.
pub fn nearest(addresses: &[u64], address: u64, k: usize) -> Vec<(u32, u32)> {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 16;
    if k == 0 {
        return Vec::new();
    }
    let mut found: Vec<(u32, u32)> = addresses
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(c, chunk)| nearest_in_chunk(chunk, c * CHUNK, address, k))
        .collect();
    sort_hits(&mut found);
    found.truncate(k);
    found
}

/// The `k` nearest rows of one chunk (numbered from `offset`), in row order.
fn nearest_in_chunk(chunk: &[u64], offset: usize, address: u64, k: usize) -> Vec<(u32, u32)> {
    let mut distances = vec![0u8; chunk.len()];
    let mut counts = [0usize; 65];
    distances_of(chunk, address, &mut distances, &mut counts);
    // The smallest distance whose cumulative count reaches k: every nearer row is kept, and
    // rows at that distance in row order until k.
    let mut total = 0;
    let mut limit = 64;
    for (d, &count) in counts.iter().enumerate() {
        total += count;
        if total >= k {
            limit = d;
            break;
        }
    }
    let mut at_limit = k - (total - counts[limit]).min(k);
    let mut found = Vec::with_capacity(k.min(chunk.len()));
    for (i, &d) in distances.iter().enumerate() {
        let d = usize::from(d);
        if d < limit || (d == limit && at_limit > 0) {
            if d == limit {
                at_limit -= 1;
            }
            found.push(((offset + i) as u32, d as u32));
        }
    }
    found
}

/// Hamming distances of `chunk` to `address` into `out`, and how many rows are at each.
fn distances_of(chunk: &[u64], address: u64, out: &mut [u8], counts: &mut [usize; 65]) {
    // The distances alone vectorise (with AVX-512's per-lane popcount where the processor
    // has it); counting them is a second, cheap pass over one byte per row.
    #[inline(always)]
    fn body(chunk: &[u64], address: u64, out: &mut [u8]) {
        for (o, &a) in out.iter_mut().zip(chunk) {
            *o = (a ^ address).count_ones() as u8;
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
    fn with_avx512(chunk: &[u64], address: u64, out: &mut [u8]) {
        body(chunk, address, out)
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn with_popcnt(chunk: &[u64], address: u64, out: &mut [u8]) {
        body(chunk, address, out)
    }
    let mut done = false;
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512vpopcntdq") && std::is_x86_feature_detected!("avx512f")
    {
        // SAFETY: the processor has just been seen to support these instructions.
        unsafe { with_avx512(chunk, address, out) };
        done = true;
    } else if std::is_x86_feature_detected!("popcnt") {
        // SAFETY: as above.
        unsafe { with_popcnt(chunk, address, out) };
        done = true;
    }
    if !done {
        body(chunk, address, out);
    }
    for &d in out.iter() {
        counts[usize::from(d)] += 1;
    }
}

/// Multi-index hashing: the address split into substrings, each with its own table. Two
/// addresses within `r` agree within `r / m` bits on at least one of `m` substrings, so probing
/// each substring's small ball finds every candidate, and the full distance filters them.
#[derive(Debug, Clone)]
pub struct MultiIndex {
    /// `(shift, width)` of each substring.
    parts: Vec<(usize, usize)>,
    tables: Vec<Table>,
    addresses: Vec<u64>,
}

impl MultiIndex {
    /// Splits `bits`-bit addresses into `m` substrings of nearly equal width.
    pub fn new(addresses: &[u64], bits: usize, m: usize) -> MultiIndex {
        let m = m.clamp(1, bits.max(1));
        let mut parts = Vec::with_capacity(m);
        let mut shift = 0;
        for i in 0..m {
            let width = bits / m + usize::from(i < bits % m);
            parts.push((shift, width));
            shift += width;
        }
        let tables = parts
            .iter()
            .map(|&(shift, width)| {
                let substrings: Vec<u64> = addresses
                    .iter()
                    .map(|&a| (a >> shift) & mask(width))
                    .collect();
                Table::new(&substrings, width)
            })
            .collect();
        MultiIndex {
            parts,
            tables,
            addresses: addresses.to_vec(),
        }
    }

    /// Every row within `radius` of `address`, nearest first.
    pub fn ball(&self, address: u64, radius: usize) -> Vec<(u32, u32)> {
        let sub_radius = radius / self.parts.len();
        let mut candidates: Vec<u32> = Vec::new();
        for (&(shift, width), table) in self.parts.iter().zip(&self.tables) {
            let part = (address >> shift) & mask(width);
            for_each_within(part, width, sub_radius, &mut |probe, _| {
                candidates.extend_from_slice(table.bucket(probe));
            });
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut found: Vec<(u32, u32)> = candidates
            .into_iter()
            .filter_map(|r| {
                let d = distance(self.addresses[r as usize], address);
                (d as usize <= radius).then_some((r, d))
            })
            .collect();
        sort_hits(&mut found);
        found
    }
}

/// How a radius lookup runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Probe the table at every address of the ball.
    Ball,
    /// Multi-index hashing with this many substrings.
    MultiIndex(usize),
    /// Popcount over every address.
    Scan,
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plan::Ball => f.write_str("hash-table probes of the whole ball"),
            Plan::MultiIndex(m) => write!(f, "multi-index hashing with {m} substrings"),
            Plan::Scan => f.write_str("a linear popcount scan"),
        }
    }
}

/// Relative cost of one table probe against one popcount of the scan.
const PROBE_COST: f64 = 40.0;

/// The cheapest way to find every address within `radius` among `n` of `bits` bits.
///
/// A probe costs about [`PROBE_COST`] scanned addresses. Multi-index hashing with `m`
/// substrings probes `m` small balls and checks the candidates, about `n / 2^(bits/m)` per
/// probe when addresses spread evenly.
pub fn plan(bits: usize, radius: usize, n: usize) -> Plan {
    let scan = n as f64;
    let ball = ball_size(bits, radius) as f64 * PROBE_COST;
    let mut best = (Plan::Scan, scan);
    if ball < best.1 {
        best = (Plan::Ball, ball);
    }
    for m in 2..=bits.clamp(2, 8) {
        let width = bits / m;
        let probes = m as f64 * ball_size(width, radius / m) as f64;
        let candidates = probes * n as f64 / 2f64.powi(width as i32);
        let cost = probes * PROBE_COST + candidates;
        if cost < best.1 {
            best = (Plan::MultiIndex(m), cost);
        }
    }
    best.0
}

/// The structure a [`Plan`] probes, built once for many queries at one radius.
#[derive(Debug, Clone)]
pub enum Lookup<'a> {
    Ball(Table),
    MultiIndex(MultiIndex),
    Scan(&'a [u64]),
}

impl<'a> Lookup<'a> {
    /// The cheapest lookup of `addresses` (of `bits` bits) at `radius`, with its plan.
    pub fn new(addresses: &'a [u64], bits: usize, radius: usize) -> (Lookup<'a>, Plan) {
        let plan = plan(bits, radius, addresses.len());
        let lookup = match plan {
            Plan::Ball => Lookup::Ball(Table::new(addresses, bits)),
            Plan::MultiIndex(m) => Lookup::MultiIndex(MultiIndex::new(addresses, bits, m)),
            Plan::Scan => Lookup::Scan(addresses),
        };
        (lookup, plan)
    }

    /// Every row within `radius` of `address`, nearest first, then in row order.
    pub fn ball(&self, address: u64, radius: usize) -> Vec<(u32, u32)> {
        match self {
            Lookup::Ball(table) => table.ball(address, radius),
            Lookup::MultiIndex(multi) => multi.ball(address, radius),
            Lookup::Scan(addresses) => scan(addresses, address, radius),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{self, Purpose};

    fn random_addresses(n: usize, bits: usize, seed: u64) -> Vec<u64> {
        let mut random = rng::stream(seed, Purpose::Sample, &[]);
        (0..n)
            .map(|_| {
                let high = (random.uniform() * 65536.0) as u64;
                let low = (random.uniform() * 65536.0) as u64;
                let more = (random.uniform() * 65536.0) as u64;
                let most = (random.uniform() * 65536.0) as u64;
                ((most << 48) | (more << 32) | (high << 16) | low) & mask(bits)
            })
            .collect()
    }

    #[test]
    fn nearest_takes_the_k_smallest_distances_with_ties_in_row_order() {
        let addresses = random_addresses(200_000, 32, 9);
        let query = addresses[1234] ^ 0b101;
        for k in [1, 10, 100, 5000] {
            let found = nearest(&addresses, query, k);
            let mut all: Vec<(u32, u32)> = addresses
                .iter()
                .enumerate()
                .map(|(r, &a)| (r as u32, distance(a, query)))
                .collect();
            sort_hits(&mut all);
            assert_eq!(found, all[..k], "k = {k}");
        }
        assert!(nearest(&addresses, query, 0).is_empty());
        assert_eq!(nearest(&addresses[..3], query, 10).len(), 3);
    }

    #[test]
    fn ball_sizes_count_the_addresses_within_a_radius() {
        assert_eq!(ball_size(32, 0), 1);
        assert_eq!(ball_size(32, 2), 1 + 32 + 496);
        assert_eq!(ball_size(4, 9), 16);
        let mut seen = Vec::new();
        for_each_within(0b1010, 4, 1, &mut |a, d| seen.push((a, d)));
        assert_eq!(
            seen,
            [
                (0b1010, 0),
                (0b1011, 1),
                (0b1000, 1),
                (0b1110, 1),
                (0b0010, 1)
            ]
        );
    }

    #[test]
    fn probing_multi_index_and_scan_agree() {
        for bits in [8, 16, 32, 64] {
            // Few distinct addresses, so that balls hold many rows.
            let mut addresses = random_addresses(500, bits, bits as u64);
            for i in 0..500 {
                if i % 3 == 0 {
                    addresses[i] = addresses[i / 3];
                }
            }
            let table = Table::new(&addresses, bits);
            let multi = MultiIndex::new(&addresses, bits, 4);
            for (q, &query) in addresses.iter().enumerate().take(20) {
                for radius in 0..=3 {
                    let expected = scan(&addresses, query, radius);
                    assert!(expected.contains(&(q as u32, 0)));
                    assert_eq!(
                        multi.ball(query, radius),
                        expected,
                        "{bits} bits r {radius}"
                    );
                    if bits <= 32 {
                        assert_eq!(
                            table.ball(query, radius),
                            expected,
                            "{bits} bits r {radius}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn buckets_hold_equal_addresses() {
        let table = Table::new(&[5, 3, 5, 9, 5], 4);
        assert_eq!(table.bucket(5), [0, 2, 4]);
        assert_eq!(table.bucket(3), [1]);
        assert!(table.bucket(7).is_empty());
        assert_eq!((table.buckets(), table.largest_bucket()), (3, 3));
    }

    #[test]
    fn plans_follow_the_cost_of_each_path() {
        assert_eq!(plan(32, 0, 1_000_000), Plan::Ball);
        assert_eq!(plan(16, 1, 1_000_000), Plan::Ball);
        assert!(matches!(plan(32, 2, 1_000_000), Plan::MultiIndex(_)));
        assert_eq!(plan(64, 3, 100), Plan::Scan);
        assert!(matches!(plan(64, 3, 1_000_000), Plan::MultiIndex(_)));
    }
}
