#!/usr/bin/env bash
# Reproduces the README's 20 Newsgroups figures: build the default model on the 11,314
# training posts, then let the 7,532 test posts query it (relevant = same newsgroup).
#
#   scripts/20news.sh [DATA_DIR] [extra build options…]
#
# DATA_DIR defaults to ../shared/data. Prints the build's timings, the machine, and the
# evaluation as a table and as JSON; the index is left in target/20news-index.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
shift || true
archive="$data/20news/20news-bydate.tar.gz"
if [ ! -f "$archive" ]; then
  echo "20news.sh: $archive not found; give the folder that holds 20news/ as the first argument" >&2
  exit 2
fi
cargo build --release --quiet
bin=target/release/topics
index=target/20news-index

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" >&2
start=$(date +%s.%N)
"$bin" build "$archive" --include '20news-bydate-train/**' --index "$index" "$@"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "build wall time: %.1f s\n", e - s }' >&2
"$bin" info --index "$index"
"$bin" eval "$archive" --include '20news-bydate-test/**' --index "$index" -q
"$bin" eval "$archive" --include '20news-bydate-test/**' --index "$index" -q --json
