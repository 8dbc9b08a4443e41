#!/usr/bin/env python3
"""The README's scale table from target/scale/BITS/{ours,faiss}.jsonl and times.txt.

    scale_table.py target/scale 32 64
"""

import json
import sys
from pathlib import Path


def main():
    out, widths = Path(sys.argv[1]), sys.argv[2:]
    print("| bits | addresses | query | topics p50 / p99 µs | FAISS p50 / p99 µs | FAISS ÷ topics (p50) |")
    print("|---|---|---|---|---|---|")
    notes = []
    for bits in widths:
        ours = [json.loads(line) for line in (out / bits / "ours.jsonl").open()]
        index = next(r for r in ours if r["what"] == "index")
        theirs = [json.loads(line) for line in (out / bits / "faiss.jsonl").open()]
        for set_name in ("real", "random"):
            for what, radius in [("ball", r) for r in range(4)] + [("nearest", None)]:
                def pick(rows):
                    return next(r for r in rows if r.get("set") == set_name
                                and r["what"] == what and r.get("radius") == radius)
                a, b = pick(ours), pick(theirs)
                if what == "ball":
                    query = f"radius {radius}: {a['plan']} / {b['index']}, {a['mean_hits']:.0f} hits"
                else:
                    query = f"100 nearest: popcount scan / {b['index']}"
                print(f"| {bits} | {set_name} | {query} | {a['p50_us']:.1f} / {a['p99_us']:.1f} | "
                      f"{b['p50_us']:.1f} / {b['p99_us']:.1f} | {b['p50_us'] / a['p50_us']:.2f} |")
            table = next(r for r in ours if r.get("set") == set_name and r["what"] == "table")
            notes.append(f"{bits} bits, {set_name}: {table['buckets']} buckets (largest "
                         f"{table['largest_bucket']}, a query's own {table['mean_query_bucket']:.1f} "
                         f"on average), table built in {table['build_seconds']:.2f} s, table and "
                         f"addresses {table['bytes_per_document']:.1f} bytes per document")
        lines = [line.split() for line in (out / bits / "times.txt").open()]
        adds = [line for line in lines if line[0] == "add"]
        for _, count, seconds in [line for line in lines if line[0] == "encode"]:
            notes.append(f"{bits} bits: `topics encode` of {count} documents took {float(seconds):.1f} s "
                         f"({int(count) / float(seconds):.0f} documents/s, loading the index "
                         f"({index['load_seconds']:.1f} s), reading and tokenizing included)")
        documents = sum(int(a[1]) for a in adds)
        seconds = sum(float(a[2]) for a in adds)
        notes.append(f"{bits} bits: {index['documents']} documents, {index['disk_bytes_per_document']:.0f} "
                     f"bytes per document on disk, {index['memory_bytes_per_document']:.0f} in memory; "
                     f"`add` of {documents} in {len(adds)} parts took {seconds:.0f} s "
                     f"({documents / seconds:.0f} documents/s, each part rewriting the whole index)")
    print()
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
