#!/usr/bin/env bash
# The semantic-hashing scale benchmark: a million documents (the 20 Newsgroups posts and their
# near-copies, scripts/scale_corpus.py), a model trained on the 11,314 training posts, the rest
# encoded by `topics add` in ten parts; then lookups among the million addresses (and among a
# million random ones) by `benches/scale.rs` and by FAISS's binary indexes on the same codes.
#
#   scripts/scale.sh [DATA_DIR]        # DATA_DIR defaults to ../shared/data
#   BITS="32" DOCUMENTS=200000 scripts/scale.sh     # fewer widths or documents
#
# Installs faiss-cpu and numpy into target/venv-scale. Writes target/scale/{32,64}/ (add
# timings, info, ours.jsonl, faiss.jsonl) and target/scale/table.md, the README's table.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
news="$data/20news/20news-bydate.tar.gz"
[ -f "$news" ] || { echo "scale.sh: $news not found; give the data folder" >&2; exit 2; }
venv=target/venv-scale
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet faiss-cpu==1.12.0 numpy==2.3.4
fi
out=target/scale
mkdir -p "$out"
cargo build --release --quiet
bin=target/release/topics
corpus="$out/corpus"
if [ ! -f "$corpus/add-09.jsonl" ] || [ -n "${DOCUMENTS:-}" ]; then
  python3 scripts/scale_corpus.py "$news" "$corpus" --documents "${DOCUMENTS:-1000000}"
fi
for bits in ${BITS:-32 64}; do
  dir="$out/$bits"
  index="$dir/index"
  mkdir -p "$dir"
  start=$(date +%s.%N)
  "$bin" build "$corpus/train.jsonl" --bits "$bits" --index "$index" -q
  echo "build $(awk "BEGIN {print $(date +%s.%N) - $start}")" > "$dir/times.txt"
  for part in "$corpus"/add-*.jsonl; do
    count=$(wc -l < "$part")
    start=$(date +%s.%N)
    "$bin" add "$part" --index "$index" -q
    seconds=$(awk "BEGIN {print $(date +%s.%N) - $start}")
    echo "add $count $seconds" | tee -a "$dir/times.txt"
  done
  "$bin" info --json --index "$index" > "$dir/info.json"
  # Encoding alone (reading and tokenizing included, nothing written), with the index loaded.
  count=$(wc -l < "$corpus/add-00.jsonl")
  start=$(date +%s.%N)
  "$bin" encode "$corpus/add-00.jsonl" --index "$index" -q > /dev/null
  echo "encode $count $(awk "BEGIN {print $(date +%s.%N) - $start}")" | tee -a "$dir/times.txt"
  TOPICS_SCALE_INDEX="$index" TOPICS_SCALE_OUT="$dir" cargo bench --quiet --bench scale
  "$venv/bin/python" scripts/scale_faiss.py "$dir" "$bits"
done
# shellcheck disable=SC2086
python3 scripts/scale_table.py "$out" ${BITS:-32 64} | tee "$out/table.md"
