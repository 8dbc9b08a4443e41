#!/usr/bin/env bash
# How cost grows with the corpus: training time and peak memory at 1,000, 10,000 and 100,000
# documents, and `topics add` (encode and index with a trained model) of 1,000 to 1,000,000.
# The documents are the 20 Newsgroups posts, then near-copies of them with 1 to 30 % of their
# words edited (scripts/scale_corpus.py, the corpus of scripts/scale.sh), since the real posts
# run out at 18,846.
#
#   scripts/growth.sh [DATA_DIR]          # DATA_DIR defaults to ../shared/data
#   EPOCHS="2 2" scripts/growth.sh        # pretraining and fine-tuning epochs of each build
#
# Builds train with 2 pretraining and 2 fine-tuning epochs (EPOCHS), so that the 100,000-document
# build takes minutes: pretraining and fine-tuning time is linear in the epochs, so a default
# build (15 and 40) costs what the table shows for them scaled by that count. The 1,000,000 are
# added in ten parts of about 100,000, each part rewriting the whole index, as a user adding a
# feed would. Writes target/growth/{growth.json,table.md} and docs/growth.svg. About 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
news="$data/20news/20news-bydate.tar.gz"
[ -f "$news" ] || { echo "growth.sh: $news not found; give the data folder" >&2; exit 2; }
read -r pretrain finetune <<< "${EPOCHS:-2 2}"
cargo build --release --quiet
bin=target/release/topics
corpus=target/scale/corpus
if [ ! -f "$corpus/add-09.jsonl" ]; then
  python3 scripts/scale_corpus.py "$news" "$corpus"
fi
out=target/growth
rm -rf "$out"
mkdir -p "$out"
awk 'NR <= 100000' "$corpus/train.jsonl" "$corpus/add-00.jsonl" > "$out/all.jsonl"
results="$out/runs.jsonl"

# One timed command: wall seconds and peak resident memory, with the documents it handled.
timed() {
  local what=$1 documents=$2
  shift 2
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@"
  read -r seconds kilobytes < "$out/time.txt"
  echo "{\"what\": \"$what\", \"documents\": $documents, \"seconds\": $seconds, \"peak_kib\": $kilobytes}" \
    >> "$results"
}

for n in 1000 10000 100000; do
  echo "growth.sh: building on $n documents" >&2
  head -n "$n" "$out/all.jsonl" > "$out/train-$n.jsonl"
  timed build "$n" "$bin" build "$out/train-$n.jsonl" --index "$out/index-$n" -q \
    --pretrain-epochs "$pretrain" --finetune-epochs "$finetune"
  "$bin" info --json --index "$out/index-$n" > "$out/info-$n.json"
done

# Adding with the model trained on 10,000 documents.
for n in 1000 10000 100000; do
  echo "growth.sh: adding $n documents" >&2
  rm -rf "$out/added"
  cp -r "$out/index-10000" "$out/added"
  tail -n "$n" "$corpus/add-09.jsonl" > "$out/add-$n.jsonl"
  timed add "$n" "$bin" add "$out/add-$n.jsonl" --index "$out/added" -q
done
rm -rf "$out/added"
cp -r "$out/index-10000" "$out/added"
total=0
for part in "$corpus"/add-*.jsonl; do
  count=$(wc -l < "$part")
  total=$((total + count))
  echo "growth.sh: adding $part ($total documents added in all)" >&2
  timed add-part "$total" "$bin" add "$part" --index "$out/added" -q
done
du -sb "$out/added" | cut -f1 > "$out/million-bytes.txt"
rm -rf "$out/added" "$out"/add-*.jsonl "$out"/train-*.jsonl "$out/all.jsonl"

python3 scripts/growth_report.py "$out" "$pretrain" "$finetune" docs/growth.svg | tee "$out/table.md"
