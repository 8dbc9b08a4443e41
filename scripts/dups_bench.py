#!/usr/bin/env python3
"""Near-duplicate benchmark: `topics dups` against MinHash LSH and 64-bit SimHash.

Takes real documents, makes near-copies of some of them with known edit rates (words deleted,
inserted, replaced and reordered, 1 % to 30 %), mixes them in, and reports the pair precision,
recall and F1 of each method against the pairs it planted (an original and its copies, and
copies of one original among themselves), with each method's time.

    scripts/dups.sh [DATA_DIR]          # makes the virtual environment, then runs this

Usage of this file directly (inside that environment):
    dups_bench.py CORPUS.jsonl OUT_DIR [--copies N] [--seed S]

CORPUS.jsonl has one {"id", "text"} object per line (scripts/dups.sh writes it from a
real corpus). MinHash is tuned on the benchmark itself: the best F1 over several shingle
sizes and thresholds is reported, as the issue asks; `topics dups` runs with its defaults.
"""

import argparse
import json
import logging
import random
import re
import subprocess
import sys
import time
from pathlib import Path

RATES = [0.01, 0.05, 0.10, 0.20, 0.30]
WORD = re.compile(r"\w+", re.UNICODE)


def edit(words, rate, rng, vocabulary):
    """A copy of `words` with about `rate` of them changed by one of four edits each."""
    out = list(words)
    edits = max(1, round(rate * len(out)))
    for _ in range(edits):
        if not out:
            break
        kind = rng.randrange(4)
        i = rng.randrange(len(out))
        if kind == 0:
            del out[i]
        elif kind == 1:
            out.insert(i, rng.choice(vocabulary))
        elif kind == 2:
            out[i] = rng.choice(vocabulary)
        else:
            j = min(len(out) - 1, i + rng.randrange(1, 4))
            out[i], out[j] = out[j], out[i]
    return out


def planted_pairs(groups):
    pairs = set()
    for members in groups:
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                pairs.add(tuple(sorted((members[a], members[b]))))
    return pairs


def score(found, truth):
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def pairs_of_groups(groups):
    return planted_pairs([sorted(g) for g in groups])


def run_topics(binary, corpus, out_dir, ids):
    index = out_dir / "index"
    start = time.perf_counter()
    subprocess.run([binary, "build", str(corpus), "--index", str(index), "-q"], check=True)
    built = time.perf_counter() - start
    start = time.perf_counter()
    result = subprocess.run(
        [binary, "dups", "--json", "--index", str(index), "-q"],
        check=True,
        capture_output=True,
        text=True,
    )
    grouped = time.perf_counter() - start
    groups = [json.loads(line)["ids"] for line in result.stdout.splitlines() if line]
    return pairs_of_groups(groups), built, grouped


def shingles(words, k):
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def run_minhash(docs, k, threshold, permutations=128):
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=permutations)
    sketches = {}
    for doc_id, words in docs.items():
        m = MinHash(num_perm=permutations, seed=1)
        for s in shingles(words, k):
            m.update(s.encode("utf-8"))
        sketches[doc_id] = m
        lsh.insert(doc_id, m)
    found = set()
    for doc_id, m in sketches.items():
        for other in lsh.query(m):
            if other != doc_id:
                found.add(tuple(sorted((doc_id, other))))
    return found, time.perf_counter() - start


def run_simhash(docs, distance=3):
    from simhash import Simhash, SimhashIndex

    logging.disable(logging.WARNING)  # the index warns of every large bucket it meets

    start = time.perf_counter()
    hashes = {doc_id: Simhash(words, f=64) for doc_id, words in docs.items()}
    index = SimhashIndex(list(hashes.items()), f=64, k=distance)
    found = set()
    for doc_id, h in hashes.items():
        for other in index.get_near_dups(h):
            if other != doc_id:
                found.add(tuple(sorted((doc_id, other))))
    return found, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=1000, help="originals that get copies")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--topics", default="target/release/topics")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    originals = [json.loads(line) for line in args.corpus.open(encoding="utf-8") if line.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    words = {d["id"]: WORD.findall(d["text"]) for d in originals}
    vocabulary = sorted({w for ws in words.values() for w in ws})
    chosen = rng.sample([d["id"] for d in originals if len(words[d["id"]]) >= 20], args.copies)

    mixed = dict(words)
    groups = []
    for n, original in enumerate(chosen):
        group = [original]
        # One to three copies, each at its own rate.
        for c in range(rng.randint(1, 3)):
            rate = RATES[(n + c) % len(RATES)]
            copy_id = f"copy-{n}-{c}-{int(rate * 100)}pct"
            mixed[copy_id] = edit(words[original], rate, rng, vocabulary)
            group.append(copy_id)
        groups.append(group)
    truth = planted_pairs(groups)

    corpus = args.out / "mixed.jsonl"
    with corpus.open("w", encoding="utf-8") as f:
        for doc_id, ws in mixed.items():
            f.write(json.dumps({"id": doc_id, "text": " ".join(ws)}) + "\n")
    print(
        f"{len(originals)} documents, {len(mixed) - len(originals)} near-copies of "
        f"{len(chosen)} of them: {len(truth)} planted pairs",
        file=sys.stderr,
    )

    rows = []
    found, built, grouped = run_topics(args.topics, corpus, args.out, mixed)
    rows.append(("topics dups (defaults)", *score(found, truth), grouped, f"build {built:.0f} s"))
    lowered = {k: [w.lower() for w in v] for k, v in mixed.items()}
    found, seconds = run_simhash(lowered)
    rows.append(("SimHash 64 bits, distance <= 3", *score(found, truth), seconds, ""))
    best = None
    for k in (1, 2, 3, 5):
        for threshold in (0.3, 0.5, 0.7, 0.9):
            found, seconds = run_minhash(lowered, k, threshold)
            result = (f"MinHash LSH, {k}-word shingles, threshold {threshold}", *score(found, truth), seconds, "")
            print("  " + " ".join(str(x) for x in result), file=sys.stderr)
            if best is None or result[3] > best[3]:
                best = result
    rows.append((best[0] + " (best of 16)", *best[1:]))

    table = ["| method | pair precision | recall | F1 | seconds | |", "|---|---|---|---|---|---|"]
    for name, p, r, f1, seconds, extra in rows:
        table.append(f"| {name} | {p:.3f} | {r:.3f} | {f1:.3f} | {seconds:.1f} | {extra} |")
    text = "\n".join(table)
    (args.out / "table.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
