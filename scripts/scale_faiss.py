#!/usr/bin/env python3
"""FAISS's binary indexes on the same addresses and queries as `benches/scale.rs`.

    scale_faiss.py OUT_DIR BITS        # reads OUT_DIR/{real,random}-BITS.{addresses,queries}

Writes OUT_DIR/faiss.jsonl: for each set, the build time of IndexBinaryMultiHash (tables of
16 bits: 2 for 32-bit codes, 4 for 64-bit ones, each probed within radius // tables flips, so
that every code within the radius is found), its radius 0-3 range-search latency percentiles on
one thread, and IndexBinaryFlat's search for the 100 nearest on two threads.

IndexBinaryHash, FAISS's single-table index, is left out: here (faiss-cpu 1.12.0) it took
0.7 s per radius-0 query among a million random 32-bit codes with b = 32, 0.11 s with b = 16
and 19 ms with b = 8, against 21 to 39 us for IndexBinaryMultiHash at radius 0 and 1.
"""

import json
import sys
import time
from pathlib import Path

import faiss
import numpy as np

QUERIES_NEAREST = 100


def codes(path, bits):
    values = np.fromfile(path, dtype="<u8")
    return np.ascontiguousarray(values.view(np.uint8).reshape(-1, 8)[:, : bits // 8])


def percentiles(times):
    times = np.sort(np.array(times) * 1e6)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def main():
    out, bits = Path(sys.argv[1]), int(sys.argv[2])
    results = []
    for name in ("real", "random"):
        base = codes(out / f"{name}-{bits}.addresses", bits)
        queries = codes(out / f"{name}-{bits}.queries", bits)
        n = len(base)

        faiss.omp_set_num_threads(1)
        start = time.perf_counter()
        tables = bits // 16
        hashed = faiss.IndexBinaryMultiHash(bits, tables, 16)
        kind = f"IndexBinaryMultiHash({tables} x 16)"
        hashed.add(base)
        build = time.perf_counter() - start
        for radius in range(4):
            hashed.nflip = radius // tables
            times, hits = [], 0
            for q in queries:
                start = time.perf_counter()
                lims, _, _ = hashed.range_search(q[None, :], radius + 1)
                times.append(time.perf_counter() - start)
                hits += int(lims[1])
            p50, p99 = percentiles(times)
            results.append({"set": name, "bits": bits, "documents": n, "what": "ball",
                            "radius": radius, "index": kind, "build_seconds": build,
                            "p50_us": p50, "p99_us": p99, "mean_hits": hits / len(queries)})
            print(f"{name} {bits}-bit {kind} radius {radius}: p50 {p50:.1f} us, p99 {p99:.1f} us,"
                  f" {hits / len(queries):.1f} hits", file=sys.stderr)

        faiss.omp_set_num_threads(2)
        flat = faiss.IndexBinaryFlat(bits)
        flat.add(base)
        times = []
        for q in queries:
            start = time.perf_counter()
            flat.search(q[None, :], QUERIES_NEAREST)
            times.append(time.perf_counter() - start)
        p50, p99 = percentiles(times)
        results.append({"set": name, "bits": bits, "documents": n, "what": "nearest",
                        "k": QUERIES_NEAREST, "index": "IndexBinaryFlat", "p50_us": p50,
                        "p99_us": p99})
        print(f"{name} {bits}-bit IndexBinaryFlat top {QUERIES_NEAREST}: p50 {p50:.1f} us, "
              f"p99 {p99:.1f} us", file=sys.stderr)
    with (out / "faiss.jsonl").open("w") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
