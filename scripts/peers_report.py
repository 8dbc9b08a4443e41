#!/usr/bin/env python3
"""The speed report of scripts/peers.sh, as the Markdown the README shows.

    peers_report.py OUT_DIR     # OUT_DIR holds what peers.sh measured (target/peers)

Every ratio sets two figures of the same run on the same machine side by side.
"""

import glob
import json
import os
import sys

# The dense products of one word-count RBM epoch per batch of 100 (the data's own products are
# sparse): the reconstruction h·Wᵀ, its upward pass, and its share of the weight gradient.
RBM_DENSE_SHAPES = ["100x500x2000-bt", "100x2000x500", "2000x100x500-at"]


def criterion_seconds(pattern):
    """The mean of the criterion measurement whose estimates.json matches `pattern`."""
    paths = sorted(glob.glob(os.path.join("target", "criterion", pattern, "estimates.json")))
    if not paths:
        return None
    return json.load(open(paths[-1]))["mean"]["point_estimate"] / 1e9


def finetune_dense_flops(widths, documents):
    """Dense FLOPs of one fine-tuning epoch: every product but the sparse first layer's."""
    per_document = 0
    layers = list(zip(widths, widths[1:])) + list(zip(widths[::-1], widths[::-1][1:]))
    for index, (inputs, outputs) in enumerate(layers):
        products = 1 if index == 0 else 3  # forward, weight gradient, input gradient
        if index == 0:
            continue  # the first layer's forward and gradient run on the CSR batch
        per_document += products * 2 * inputs * outputs
    return per_document * documents


def main():
    out = sys.argv[1]
    lines = open(os.path.join(out, "machine.txt")).read().split("\n")
    model, cores, features = (lines + ["", "", ""])[:3]
    peers = json.load(open(os.path.join(out, "peers.json")))
    ours = {row["shape"]: row for row in map(json.loads, open(os.path.join(out, "gemm.jsonl")))}
    numpy = {row["shape"]: row for row in peers.get("numpy_gemm", [])}
    info = json.load(open(os.path.join(out, "info.json")))
    commands = json.load(open(os.path.join(out, "commands.json")))

    print(f"Machine: {model}, {cores} cores ({features.strip() or 'no AVX2'}).")
    for lib in peers["blas"]:
        if lib.get("internal_api") == "openblas":
            print(f"numpy's BLAS: OpenBLAS {lib.get('version')}, kernel {lib.get('architecture')}, "
                  f"{lib.get('num_threads')} threads.")
    print()
    print("| product (m×k×n) | topics GFLOP/s | numpy (OpenBLAS) GFLOP/s | topics ÷ OpenBLAS |")
    print("|---|---|---|---|")
    for shape, row in ours.items():
        theirs = numpy.get(shape)
        if theirs:
            print(f"| {shape} | {row['gflops']:.0f} | {theirs['gflops']:.0f} | "
                  f"{row['gflops'] / theirs['gflops']:.2f} |")
    print()

    train = peers["train_posts"]
    batches = train / 100
    rbm = {t: criterion_seconds(f"rbm_cd1_epoch/softmax-binary-2000x500/*{train}docs*/threads{t}")
           for t in (1, 2)}
    floor_seconds = batches * sum(ours[s]["seconds"] for s in RBM_DENSE_SHAPES if s in ours)
    floor_gflop = batches * sum(2 * ours[s]["m"] * ours[s]["k"] * ours[s]["n"]
                                for s in RBM_DENSE_SHAPES if s in ours) / 1e9
    sklearn = peers["sklearn_rbm_epoch_2000x500_s"]
    widths = info["widths"]
    tune = {t: criterion_seconds(f"autoencoder/fine_tune_epoch*/*{train}docs*/threads{t}")
            for t in (1, 2)}
    tune_gflop = finetune_dense_flops(widths, train) / 1e9
    big = ours.get("100x500x2000", {}).get("gflops")
    print("| epoch, 11,314 training posts | topics, 2 threads | 1 thread | 1 → 2 threads | "
          "floor | topics ÷ floor | peer | peer ÷ topics |")
    print("|---|---|---|---|---|---|---|---|")
    if rbm[2] and rbm[1]:
        print(f"| RBM 2000→500, CD-1, batches of 100 | {rbm[2]:.2f} s | {rbm[1]:.2f} s | "
              f"{rbm[1] / rbm[2]:.2f}× | {floor_seconds:.2f} s ({floor_gflop:.0f} GFLOP dense) | "
              f"{rbm[2] / floor_seconds:.2f} | scikit-learn BernoulliRBM {sklearn:.2f} s | "
              f"{sklearn / rbm[2]:.1f}× |")
    if tune[2] and tune[1] and big:
        floor = tune_gflop / big
        print(f"| fine-tuning {'-'.join(map(str, widths))}, batches of 100 | {tune[2]:.2f} s | "
              f"{tune[1]:.2f} s | {tune[1] / tune[2]:.2f}× | {floor:.2f} s ({tune_gflop:.0f} GFLOP "
              f"dense at {big:.0f} GFLOP/s) | {tune[2] / floor:.2f} | | |")
    print()

    report = info["report"]
    stages = report["training"]["timings"]
    print("| stage of the default 20 Newsgroups build | seconds | share |")
    print("|---|---|---|")
    total = report["seconds"]
    for stage in stages:
        print(f"| {stage['stage']} | {stage['seconds']:.1f} | {stage['seconds'] / total:.0%} |")
    memory = ""
    build_time = os.path.join(out, "build-time.txt")
    if os.path.exists(build_time):
        _, kilobytes = open(build_time).read().split()[:2]
        memory = f", peak memory {int(kilobytes) / 1024:.0f} MiB"
    print(f"| whole build | {total:.1f} | {memory.lstrip(', ')} |")
    print()

    test = peers["test_posts"]
    loaded = criterion_seconds("loaded/*queries*/*/peers")
    encoded = criterion_seconds(f"loaded/encode_texts/{test}texts/peers")
    per_query = loaded / 5 if loaded else None
    lsa = peers["sklearn_lsa10"]
    print("| work | topics | peer, same run |")
    print("|---|---|---|")
    print(f"| `topics encode` of the {test:,} test posts (read, tokenize, encode, print) | "
          f"{test / commands['encode_s']:,.0f} posts/s | |")
    if encoded:
        print(f"| the same posts encoded in process: tokenize, encode (`Model::encode_texts`) | "
              f"{test / encoded:,.0f} posts/s | a sentence transformer: 1,000 posts in 44.5 s, "
              f"measured for this project, not in this run |")
    print(f"| `topics add` of the same posts (read, tokenize, encode, write the index) | "
          f"{test / commands['add_s']:,.0f} posts/s | |")
    q = commands["query_process_s"]
    print(f"| `topics query`, process start to last line (median of 30) | {q['median'] * 1e3:.0f} ms "
          f"(slowest {q['max'] * 1e3:.0f} ms) | |")
    if per_query:
        print(f"| a query in process: tokenize, encode, rank 11,314 codes | "
              f"{per_query * 1e3:.2f} ms | scikit-learn LSA-10: {lsa['ms_per_1000_queries'] / 1e3:.2f} ms "
              f"(transform and rank, per query in batches) |")
    print(f"| fitting LSA-10 (TfidfVectorizer + TruncatedSVD) / gensim LSI-10 | | "
          f"{lsa['fit_tfidf_s'] + lsa['fit_svd_s']:.1f} s / {peers['gensim_lsi10_fit_s']:.1f} s |")


if __name__ == "__main__":
    main()
