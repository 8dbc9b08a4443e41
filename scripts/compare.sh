#!/usr/bin/env bash
# Rebuilds the README's comparison tables: the learned codes beside TF-IDF, BM25, LSA and the
# re-ranked codes, on 20 Newsgroups, Reuters-21578, StackFAQ and MedQuAD (question to
# answer), with the default settings.
#
#   scripts/compare.sh [DATA_DIR]          # DATA_DIR defaults to ../shared/data
#   SEEDS="1 2 3" scripts/compare.sh       # also 20 Newsgroups' codes with other seeds
#
# Writes target/compare/{20news,reuters,stackfaq,medquad-qa}.txt (tables), .json (one line each),
# 20news-curve.csv and .png (precision and recall against the number retrieved, every method)
# and 20news-map.png (the codes on their two principal axes), copies the two figures to docs/
# for the README, and prints the tables. Needs python3 for the conversions
# (scripts/reuters.py, scripts/medquad_qa.py).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
out=target/compare
mkdir -p "$out"
for needed in "$data/20news/20news-bydate.tar.gz" "$data/reuters21578/reuters21578.tar.gz" \
  "$data/medquad/MedQuAD.tar.gz"; do
  [ -f "$needed" ] || { echo "compare.sh: $needed not found; give the data folder" >&2; exit 2; }
done
cargo build --release --quiet
bin=target/release/topics
news="$data/20news/20news-bydate.tar.gz"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" | tee "$out/machine.txt"

run() { # name, build source, eval source, extra eval options…
  local name=$1 source=$2 test=$3
  shift 3
  local index="target/compare/$name-index"
  local start end
  start=$(date +%s)
  "$bin" build "$source" --index "$index" -q "${build_options[@]}"
  end=$(date +%s)
  echo "$name: build $((end - start)) s" | tee -a "$out/machine.txt"
  "$bin" eval "$test" --index "$index" -q "${eval_options[@]}" "$@" | tee "$out/$name.txt"
  "$bin" eval "$test" --index "$index" -q "${eval_options[@]}" --json > "$out/$name.json"
}

build_options=(--include '20news-bydate-train/**')
eval_options=(--include '20news-bydate-test/**')
run 20news "$news" "$news" --curve "$out/20news-curve.csv" --plot "$out/20news-curve.png"
"$bin" map --png "$out/20news-map.png" --index target/compare/20news-index -q
mkdir -p docs
cp "$out/20news-curve.png" "$out/20news-map.png" docs/

python3 scripts/reuters.py "$data/reuters21578/reuters21578.tar.gz" target/reuters
build_options=()
eval_options=()
run reuters target/reuters/train.jsonl target/reuters/test.jsonl
run stackfaq corpora/stackfaq/answers corpora/stackfaq/queries.jsonl

python3 scripts/medquad_qa.py "$data/medquad/MedQuAD.tar.gz" target/medquad-qa
run medquad-qa target/medquad-qa/answers target/medquad-qa/questions.tsv

for seed in ${SEEDS:-}; do
  index="target/compare/20news-seed$seed"
  "$bin" build "$news" --include '20news-bydate-train/**' --index "$index" -q --seed "$seed"
  echo "seed $seed: $("$bin" eval "$news" --include '20news-bydate-test/**' --index "$index" -q --no-baselines --json)" \
    | tee -a "$out/seeds.txt"
done
