#!/usr/bin/env bash
# Rebuilds the README's semantic-hashing table: 20 Newsgroups indexed with learned binary
# codes of 16, 32 and 64 bits, each test post ranking the training posts by Hamming distance
# (ties broken at random), beside binarized LSA and random-hyperplane LSH at the same widths.
#
#   scripts/hashing.sh [DATA_DIR]        # DATA_DIR defaults to ../shared/data
#   BITS="32" scripts/hashing.sh         # only some widths
#
# Writes target/hashing/{16,32,64}.txt (every method's table) and .json, and each index's
# `topics info` (how binary the codes are, how the addresses spread) beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
news="$data/20news/20news-bydate.tar.gz"
[ -f "$news" ] || { echo "hashing.sh: $news not found; give the data folder" >&2; exit 2; }
out=target/hashing
mkdir -p "$out"
cargo build --release --quiet
bin=target/release/topics
for bits in ${BITS:-16 32 64}; do
  index="$out/bits$bits-index"
  "$bin" build "$news" --include '20news-bydate-train/**' --bits "$bits" --index "$index" -q
  "$bin" info --index "$index" > "$out/$bits-info.txt"
  grep -A1 '^addresses' "$out/$bits-info.txt"
  "$bin" eval "$news" --include '20news-bydate-test/**' --index "$index" -q | tee "$out/$bits.txt"
  "$bin" eval "$news" --include '20news-bydate-test/**' --index "$index" -q --json > "$out/$bits.json"
done
