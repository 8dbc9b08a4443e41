#!/usr/bin/env python3
"""The tables and the log-log plot of scripts/growth.sh.

    growth_report.py OUT_DIR PRETRAIN_EPOCHS FINETUNE_EPOCHS PLOT.svg

Prints Markdown: each build's stages by corpus size, `topics add` by the number of documents
added, and the growth exponent of each between 10,000 and 100,000 documents (1 is linear).
Draws seconds against documents on logarithmic axes as an SVG, with no plotting library.
"""

import json
import math
import os
import sys

STAGES = ["vocabulary", "bag of words", "pretraining", "fine-tuning", "encoding", "topics"]


def exponent(points):
    """The slope of log(seconds) against log(documents) between the last two points."""
    (n1, t1), (n2, t2) = points[-2:]
    if t1 <= 0 or t2 <= 0:
        return float("nan")
    return math.log(t2 / t1) / math.log(n2 / n1)


def svg(series, path):
    """Seconds against documents, both logarithmic; `series` maps a name to its points."""
    width, height, left, bottom, top, right = 640, 400, 60, 40, 20, 170
    points = [p for values in series.values() for p in values if p[1] > 0]
    xs = [math.log10(n) for n, _ in points]
    ys = [math.log10(t) for _, t in points]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    sx = lambda x: left + (math.log10(x) - x0) / (x1 - x0) * (width - left - right)
    sy = lambda y: height - bottom - (math.log10(y) - y0) / (y1 - y0) * (height - bottom - top)
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for e in range(x0, x1 + 1):
        x = sx(10 ** e)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{10 ** e:,}</text>')
    for e in range(y0, y1 + 1):
        y = sy(10 ** e)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10.0 ** e:g} s</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle">'
               'documents</text>')
    for i, (name, values) in enumerate(series.items()):
        colour = colours[i % len(colours)]
        values = [p for p in values if p[1] > 0]
        line = " ".join(f"{sx(n):.1f},{sy(t):.1f}" for n, t in values)
        out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, t in values:
            out.append(f'<circle cx="{sx(n):.1f}" cy="{sy(t):.1f}" r="3" fill="{colour}"/>')
        y = top + 14 + 18 * i
        out.append(f'<line x1="{width - right + 10}" y1="{y - 4}" x2="{width - right + 30}" '
                   f'y2="{y - 4}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{width - right + 36}" y="{y}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    out, pretrain, finetune, plot = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    runs = [json.loads(line) for line in open(os.path.join(out, "runs.jsonl"))]
    builds = [r for r in runs if r["what"] == "build"]
    adds = [r for r in runs if r["what"] == "add"]
    parts = [r for r in runs if r["what"] == "add-part"]

    stages = {}
    memory = []
    print(f"Builds ({pretrain} pretraining and {finetune} fine-tuning epochs; seconds):")
    print()
    print("| documents | " + " | ".join(STAGES) + " | whole build | peak memory |")
    print("|---" * (len(STAGES) + 3) + "|")
    for run in builds:
        n = run["documents"]
        info = json.load(open(os.path.join(out, f"info-{n}.json")))
        timings = {t["stage"]: t["seconds"] for t in info["report"]["training"]["timings"]}
        for stage in STAGES:
            stages.setdefault(stage, []).append((n, timings.get(stage, 0.0)))
        stages.setdefault("whole build", []).append((n, run["seconds"]))
        memory.append((n, run["peak_kib"]))
        cells = " | ".join(f"{timings.get(s, 0.0):.1f}" for s in STAGES)
        print(f"| {n:,} | {cells} | {run['seconds']:.1f} | {run['peak_kib'] / 1024:.0f} MiB |")
    print("| growth exponent, 10,000 → 100,000 | " + " | ".join(
        f"{exponent(stages[s]):.2f}" for s in STAGES + ["whole build"])
        + f" | {exponent(memory):.2f} |")
    print()
    print("`topics add` into a copy of the 10,000-document index:")
    print()
    print("| documents added | seconds | documents/s | peak memory |")
    print("|---|---|---|---|")
    for run in adds:
        print(f"| {run['documents']:,} | {run['seconds']:.1f} | "
              f"{run['documents'] / run['seconds']:,.0f} | {run['peak_kib'] / 1024:.0f} MiB |")
    add_points = [(r["documents"], r["seconds"]) for r in adds]
    print()
    print(f"Growth exponent of `add`, 10,000 → 100,000: {exponent(add_points):.2f}.")
    if parts:
        total = sum(r["seconds"] for r in parts)
        first, last = parts[0], parts[-1]
        size = int(open(os.path.join(out, "million-bytes.txt")).read())
        documents = last["documents"] + 10_000
        print()
        print(f"Adding {last['documents']:,} documents in {len(parts)} parts took {total:.0f} s "
              f"({last['documents'] / total:,.0f} documents/s); the first part "
              f"{first['seconds']:.1f} s, the last {last['seconds']:.1f} s, since each rewrites "
              f"the whole index; peak memory {max(r['peak_kib'] for r in parts) / 1024:.0f} MiB; "
              f"the index of {documents:,} documents takes {size / 1e9:.2f} GB "
              f"({size / documents:,.0f} bytes a document).")
    series = {s: stages[s] for s in ["whole build", "pretraining", "fine-tuning", "topics"]}
    series["add"] = add_points
    if parts:
        series["add, cumulative"] = [(r["documents"], sum(p["seconds"] for p in parts[:i + 1]))
                                     for i, r in enumerate(parts)]
    svg(series, plot)


if __name__ == "__main__":
    main()
