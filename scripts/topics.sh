#!/usr/bin/env bash
# Rebuilds the README's topic figures: the topics of the embedded MedQuAD sample and of
# 20 Newsgroups, their coherence (NPMI) and agreement with labels (NMI) beside class TF-IDF
# words and k-means on LSA-100 of TF-IDF, on 20 Newsgroups and Reuters-21578, and the
# 20 Newsgroups map coloured by topic.
#
#   scripts/topics.sh [DATA_DIR]        # DATA_DIR defaults to ../shared/data
#   K=30 scripts/topics.sh              # another number of topics for the measures (20)
#
# Writes target/topics/*.txt and *.json, copies docs/20news-topics-map.png, prints the tables.
# Coherence counts co-occurrence over the indexed documents plus the test documents (all
# 18,846 posts for 20 Newsgroups, all 10,794 stories for Reuters). Needs python3 for
# scripts/reuters.py.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
k=${K:-20}
out=target/topics
mkdir -p "$out" docs
news="$data/20news/20news-bydate.tar.gz"
for needed in "$news" "$data/reuters21578/reuters21578.tar.gz"; do
  [ -f "$needed" ] || { echo "topics.sh: $needed not found; give the data folder" >&2; exit 2; }
done
cargo build --release --quiet
bin=target/release/topics

"$bin" build corpora/medquad --index "$out/medquad-index" -q
"$bin" topics --index "$out/medquad-index" --docs 1 | tee "$out/medquad-topics.txt"

"$bin" build "$news" --include '20news-bydate-train/**' --index "$out/20news-index" -q
"$bin" topics --index "$out/20news-index" --docs 1 | tee "$out/20news-topics.txt"
"$bin" eval "$news" --include '20news-bydate-test/**' --index "$out/20news-index" -q \
  --topics --k "$k" --json > "$out/20news-measures.json"
"$bin" eval "$news" --include '20news-bydate-test/**' --index "$out/20news-index" -q \
  --topics --k "$k" | tee "$out/20news-measures.txt"
"$bin" map --color topic --png "$out/20news-topics-map.png" --index "$out/20news-index" -q
cp "$out/20news-topics-map.png" docs/

python3 scripts/reuters.py "$data/reuters21578/reuters21578.tar.gz" target/reuters
"$bin" build target/reuters/train.jsonl --index "$out/reuters-index" -q
"$bin" eval target/reuters/test.jsonl --index "$out/reuters-index" -q --topics --k "$k" \
  | tee "$out/reuters-measures.txt"
