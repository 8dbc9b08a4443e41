#!/usr/bin/env python3
"""Writes the one-million-document corpus of the semantic-hashing scale benchmark.

The 11,314 20 Newsgroups training posts go to train.jsonl (what the model is trained on); the
7,532 test posts and near-copies of random posts, each with about 1 to 30 % of its words
deleted, inserted, replaced or reordered (the edits of dups_bench.py), fill add-00.jsonl ...
add-09.jsonl to a million documents in all (what `topics add` encodes afterwards).

    scale_corpus.py 20news-bydate.tar.gz OUT_DIR [--documents N] [--seed S]
"""

import argparse
import json
import random
import re
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dups_bench import RATES, edit  # noqa: E402

WORD = re.compile(r"\S+")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("news", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    train, test = [], []
    with tarfile.open(args.news) as archive:
        for member in archive:
            if not member.isfile():
                continue
            text = archive.extractfile(member).read().decode("latin-1")
            (train if member.name.startswith("20news-bydate-train/") else test).append(
                (member.name, text))
    with (args.out / "train.jsonl").open("w", encoding="utf-8") as f:
        for doc_id, text in train:
            f.write(json.dumps({"id": doc_id, "text": text}) + "\n")

    originals = train + test
    words = [WORD.findall(text) for _, text in originals]
    vocabulary = sorted({w for ws in words[:2000] for w in ws})
    rest = args.documents - len(train)
    per_part = -(-rest // args.parts)
    written = 0
    for part in range(args.parts):
        with (args.out / f"add-{part:02}.jsonl").open("w", encoding="utf-8") as f:
            for _ in range(min(per_part, rest - written)):
                if written < len(test):
                    doc_id, text = test[written]
                else:
                    n = rng.randrange(len(originals))
                    rate = RATES[written % len(RATES)]
                    doc_id = f"copy/{written}/{int(rate * 100)}pct/{originals[n][0]}"
                    text = " ".join(edit(words[n], rate, rng, vocabulary))
                f.write(json.dumps({"id": doc_id, "text": text}) + "\n")
                written += 1
    print(f"{len(train)} training posts, {written} documents to add in {args.parts} parts",
          file=sys.stderr)


if __name__ == "__main__":
    main()
