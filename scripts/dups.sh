#!/usr/bin/env bash
# The near-duplicate benchmark: `topics dups` against MinHash LSH (datasketch) and 64-bit
# SimHash (simhash) on real documents with planted near-copies (scripts/dups_bench.py).
#
#   scripts/dups.sh [DATA_DIR]       # DATA_DIR defaults to ../shared/data
#
# Runs on the 7,532 20 Newsgroups test posts and on the Reuters-21578 ModApte test stories,
# 1,000 of each corpus given 1 to 3 copies at edit rates of 1 to 30 %. Installs the Python
# packages into target/venv-dups; writes target/dups/{20news,reuters}/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
news="$data/20news/20news-bydate.tar.gz"
reuters="$data/reuters21578/reuters21578.tar.gz"
for needed in "$news" "$reuters"; do
  [ -f "$needed" ] || { echo "dups.sh: $needed not found; give the data folder" >&2; exit 2; }
done
venv=target/venv-dups
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet datasketch==2.0.0 simhash==2.1.2
fi
cargo build --release --quiet
mkdir -p target/dups

"$venv/bin/python" - "$news" target/dups/20news.jsonl <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as archive, open(sys.argv[2], "w", encoding="utf-8") as out:
    for member in archive:
        if member.isfile() and member.name.startswith("20news-bydate-test/"):
            text = archive.extractfile(member).read().decode("latin-1")
            out.write(json.dumps({"id": member.name, "text": text}) + "\n")
PY
python3 scripts/reuters.py "$reuters" target/reuters
for corpus in 20news reuters; do
  source=target/dups/20news.jsonl
  [ "$corpus" = reuters ] && source=target/reuters/test.jsonl
  echo "== $corpus" >&2
  "$venv/bin/python" scripts/dups_bench.py "$source" "target/dups/$corpus" | tee "target/dups/$corpus.md"
done
