//! Words already met: what the tokenizer made of each, so that a frequent word is lower-cased,
//! checked against the stop words and stemmed once rather than at every occurrence.
//!
//! What becomes of a word (dropped, or kept as a stem and a normalised word) depends only on the
//! word as the text spells it and on the tokenizer's stop words and stemmer, so a remembered
//! outcome is exactly the one the tokenizer would work out again; a word is found only by
//! comparing its whole text.
//!
//! A cache remembers words in two generations of at most `limit` words each: new words go into
//! the recent one; when it is full it becomes the older one and the previous older one is
//! forgotten. A word met again while in the older generation is copied back to the recent one,
//! so frequent words stay while the long tail of words met once (a corpus has many: names,
//! addresses, typing errors) passes through. Words longer than [`LONGEST_CACHED`] bytes are not
//! remembered: they are rare and nearly all dropped as too long.
//!
//! Looking words up is a large part of the tokenizer's time, most of it spent waiting for
//! memory, so a generation is a table of small slots (open addressing, at most half full) over
//! one buffer that holds the text of its words one after the other: a word costs 24 to 48 bytes
//! of slots and the bytes of its text, its stem and its normalised form. Words are looked up a
//! batch at a time, after the slots of the whole batch were read, so that the waits overlap.
//!
//! The tokenizer lends one cache to each call from a pool, so threads sharing a tokenizer never
//! wait for each other word by word; the pool keeps no more caches than calls ran at once.

use std::sync::Mutex;

use super::hash::WordHash;

/// The longest word, in bytes, that a cache remembers.
const LONGEST_CACHED: usize = 64;

/// How many words are looked up together.
const BATCH: usize = 16;

/// The number of slots of a generation's first table; it doubles as words arrive.
const FIRST_SLOTS: usize = 1 << 10;

/// Where one remembered word lies in its generation's text, and what became of it.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The high half of the word's hash: most words that are not this one differ in it.
    tag: u32,
    /// Where the word's text starts: the word as spelt, then its stem and normalised form.
    start: u32,
    /// The length in bytes of the word as spelt; 0 marks an empty slot.
    raw_len: u8,
    stem_len: u8,
    word_len: u8,
    /// Whether the word is kept (else it is dropped and has no stem).
    kept: bool,
}

/// One generation of remembered words.
#[derive(Debug, Default)]
struct Generation {
    /// A power of two in number, at least twice `words` once anything is stored.
    slots: Vec<Slot>,
    text: String,
    words: usize,
}

impl Generation {
    fn raw(&self, slot: Slot) -> &str {
        let start = slot.start as usize;
        &self.text[start..start + usize::from(slot.raw_len)]
    }

    /// What became of the word in `slot`: its stem and normalised form, if kept.
    fn outcome(&self, slot: Slot) -> Option<(&str, &str)> {
        if !slot.kept {
            return None;
        }
        let stem = slot.start as usize + usize::from(slot.raw_len);
        let word = stem + usize::from(slot.stem_len);
        Some((
            &self.text[stem..word],
            &self.text[word..word + usize::from(slot.word_len)],
        ))
    }

    /// The slot holding `raw`, or the index of the empty slot where it would go; `slots`
    /// must not be empty.
    fn find(&self, raw: &str, hash: u64) -> Result<Slot, usize> {
        let mask = self.slots.len() - 1;
        let tag = (hash >> 32) as u32;
        let mut i = hash as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot.raw_len == 0 {
                return Err(i);
            }
            if slot.tag == tag && usize::from(slot.raw_len) == raw.len() && self.raw(slot) == raw {
                return Ok(slot);
            }
            i = (i + 1) & mask;
        }
    }

    fn get(&self, raw: &str, hash: u64) -> Option<Slot> {
        if self.slots.is_empty() {
            return None;
        }
        self.find(raw, hash).ok()
    }

    /// Remembers that `raw`, whose hash is `hash`, became `outcome`; a word too long to record
    /// is left out, to be worked out again.
    fn insert(&mut self, raw: &str, hash: u64, outcome: Option<(&str, &str)>, hasher: WordHash) {
        let (stem, word) = outcome.unwrap_or(("", ""));
        let (Ok(raw_len @ 1..), Ok(stem_len), Ok(word_len), Ok(start)) = (
            u8::try_from(raw.len()),
            u8::try_from(stem.len()),
            u8::try_from(word.len()),
            u32::try_from(self.text.len()),
        ) else {
            return;
        };
        if 2 * (self.words + 1) > self.slots.len() {
            self.grow(hasher);
        }
        let Err(i) = self.find(raw, hash) else {
            return;
        };
        self.text.push_str(raw);
        self.text.push_str(stem);
        self.text.push_str(word);
        self.slots[i] = Slot {
            tag: (hash >> 32) as u32,
            start,
            raw_len,
            stem_len,
            word_len,
            kept: outcome.is_some(),
        };
        self.words += 1;
    }

    /// Twice the slots, the words placed again by their hashes.
    fn grow(&mut self, hasher: WordHash) {
        let size = (2 * self.slots.len()).max(FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        for slot in old.into_iter().filter(|slot| slot.raw_len > 0) {
            let mut i = hasher.hash_str(self.raw(slot)) as usize & (size - 1);
            while self.slots[i].raw_len > 0 {
                i = (i + 1) & (size - 1);
            }
            self.slots[i] = slot;
        }
    }

    /// Reads the first slot of each word of `batch` and the start of its text, so that their
    /// memory is fetched for all the words at once rather than word after word.
    fn touch(&self, batch: &[(&str, u64)]) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        let text = self.text.as_bytes();
        let mut sink = 0u32;
        for &(_, hash) in batch {
            let slot = self.slots[hash as usize & mask];
            if slot.raw_len > 0 {
                sink ^= u32::from(text[slot.start as usize]);
            }
        }
        std::hint::black_box(sink);
    }

    /// Forgets every word, keeping the memory for the next ones.
    fn clear(&mut self) {
        self.slots.fill(Slot::default());
        self.text.clear();
        self.words = 0;
    }
}

/// The words one cache has met, in two generations.
#[derive(Debug, Default)]
struct WordCache {
    recent: Generation,
    older: Generation,
    hasher: WordHash,
}

/// The idle caches of one tokenizer.
#[derive(Debug)]
pub(super) struct CachePool {
    idle: Mutex<Vec<WordCache>>,
    limit: usize,
}

impl CachePool {
    /// A pool whose caches hold at most `limit` words in each generation.
    pub(super) fn new(limit: usize) -> CachePool {
        CachePool {
            idle: Mutex::new(Vec::new()),
            limit: limit.max(1),
        }
    }

    /// An idle cache, or a new one when every cache is in use; it returns to the pool when
    /// dropped.
    pub(super) fn lend(&self) -> Lent<'_> {
        // A poisoned lock only means a thread panicked between a push and a pop, which leaves
        // the list whole; a fresh cache is correct anyway.
        let cache = self
            .idle
            .lock()
            .ok()
            .and_then(|mut idle| idle.pop())
            .unwrap_or_default();
        Lent { pool: self, cache }
    }
}

/// A cache lent by a [`CachePool`].
pub(super) struct Lent<'a> {
    pool: &'a CachePool,
    cache: WordCache,
}

impl Lent<'_> {
    /// Calls `each(stem, word)` for each of `raws` that is kept, in order. What a word becomes
    /// is worked out only when this cache does not remember it, by `make(raw, keep)`, which
    /// calls `keep(stem, word)` once if `raw` is kept and not at all if it is dropped.
    ///
    /// Words are taken [`BATCH`] at a time and their slots read before any is looked up, so
    /// that the memory of a batch is fetched at once rather than word after word.
    pub(super) fn visit_all<'t>(
        &mut self,
        mut raws: impl Iterator<Item = &'t str>,
        mut make: impl FnMut(&str, &mut dyn FnMut(&str, &str)),
        mut each: impl FnMut(&str, &str),
    ) {
        let hasher = self.cache.hasher;
        let mut batch = [("", 0u64); BATCH];
        loop {
            let mut n = 0;
            for raw in raws.by_ref().take(BATCH) {
                batch[n] = (raw, hasher.hash_str(raw));
                n += 1;
            }
            if n == 0 {
                return;
            }
            self.cache.recent.touch(&batch[..n]);
            for &(raw, hash) in &batch[..n] {
                self.visit(raw, hash, &mut make, &mut each);
            }
        }
    }

    /// Calls `each(stem, word)` if `raw`, whose hash is `hash`, is kept.
    fn visit(
        &mut self,
        raw: &str,
        hash: u64,
        make: &mut impl FnMut(&str, &mut dyn FnMut(&str, &str)),
        each: &mut impl FnMut(&str, &str),
    ) {
        if raw.len() > LONGEST_CACHED {
            make(raw, each);
            return;
        }
        let WordCache {
            recent,
            older,
            hasher,
        } = &mut self.cache;
        let hasher = *hasher;
        if let Some(slot) = recent.get(raw, hash) {
            if let Some((stem, word)) = recent.outcome(slot) {
                each(stem, word);
            }
            return;
        }

        if let Some(slot) = older.get(raw, hash) {
            let outcome = older.outcome(slot);
            if let Some((stem, word)) = outcome {
                each(stem, word);
            }
            recent.insert(raw, hash, outcome, hasher);
        } else {
            let mut kept = false;
            make(raw, &mut |stem, word| {
                kept = true;
                each(stem, word);
                recent.insert(raw, hash, Some((stem, word)), hasher);
            });
            if !kept {
                recent.insert(raw, hash, None, hasher);
            }
        }
        if recent.words >= self.pool.limit {
            std::mem::swap(recent, older);
            recent.clear();
        }
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let cache = std::mem::take(&mut self.cache);
        if let Ok(mut idle) = self.pool.idle.lock() {
            idle.push(cache);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `word` without its last character.
    fn cut(word: &str) -> &str {
        word.char_indices().last().map_or("", |(i, _)| &word[..i])
    }

    /// What `raw` becomes, counting in `calls` the times it had to be worked out: "the" is
    /// dropped, any other word is kept with its last character cut off as its stem.
    fn seen(lent: &mut Lent<'_>, raw: &str, calls: &mut usize) -> Option<(String, String)> {
        let mut pair = None;
        lent.visit_all(
            std::iter::once(raw),
            |raw, keep| {
                *calls += 1;
                if raw != "the" {
                    keep(cut(raw), raw);
                }
            },
            |stem, word| pair = Some((stem.to_string(), word.to_string())),
        );
        pair
    }

    fn kept(stem: &str, word: &str) -> Option<(String, String)> {
        Some((stem.to_string(), word.to_string()))
    }

    #[test]
    fn works_a_word_out_once_and_remembers_the_words_met_again() {
        let pool = CachePool::new(3);
        let mut calls = 0;
        let mut lent = pool.lend();
        assert_eq!(seen(&mut lent, "cards", &mut calls), kept("card", "cards"));
        assert_eq!(seen(&mut lent, "the", &mut calls), None);
        assert_eq!(seen(&mut lent, "cards", &mut calls), kept("card", "cards"));
        assert_eq!(seen(&mut lent, "the", &mut calls), None);
        assert_eq!(calls, 2);

        // "words" fills the recent generation, which becomes the older one.
        seen(&mut lent, "words", &mut calls);
        assert_eq!(lent.cache.older.words, 3);
        assert_eq!(seen(&mut lent, "cards", &mut calls), kept("card", "cards"));
        assert_eq!(calls, 3);

        // Two new words fill the recent generation again; "the" and "words", not met since,
        // are forgotten, while "cards" was copied back.
        seen(&mut lent, "drivers", &mut calls);
        seen(&mut lent, "buses", &mut calls);
        assert_eq!(calls, 5);
        assert_eq!(seen(&mut lent, "cards", &mut calls), kept("card", "cards"));
        assert_eq!(seen(&mut lent, "the", &mut calls), None);
        assert_eq!(seen(&mut lent, "words", &mut calls), kept("word", "words"));
        assert_eq!(calls, 7);
    }

    #[test]
    fn long_words_are_worked_out_every_time() {
        let pool = CachePool::new(10);
        let mut calls = 0;
        let mut lent = pool.lend();
        let long = "a".repeat(LONGEST_CACHED + 1);
        seen(&mut lent, &long, &mut calls);
        assert_eq!(seen(&mut lent, &long, &mut calls), kept(&long[1..], &long));
        assert_eq!(calls, 2);
        assert_eq!(lent.cache.recent.words, 0);
    }

    #[test]
    fn tables_grow_and_keep_every_word() {
        let pool = CachePool::new(100_000);
        let mut calls = 0;
        let mut lent = pool.lend();
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}é")).collect();
        for word in &words {
            seen(&mut lent, word, &mut calls);
        }
        for word in &words {
            assert_eq!(seen(&mut lent, word, &mut calls), kept(cut(word), word));
        }
        assert_eq!(calls, words.len());
        assert!(lent.cache.recent.slots.len() >= 2 * words.len());
    }

    #[test]
    fn caches_return_to_the_pool() {
        let pool = CachePool::new(10);
        let mut calls = 0;
        {
            let mut first = pool.lend();
            let mut second = pool.lend();
            seen(&mut first, "cards", &mut calls);
            seen(&mut second, "cards", &mut calls);
        }
        assert_eq!(calls, 2);
        assert_eq!(pool.idle.lock().map(|idle| idle.len()).ok(), Some(2));
        let mut again = pool.lend();
        seen(&mut again, "cards", &mut calls);
        assert_eq!(calls, 2);
    }
}
