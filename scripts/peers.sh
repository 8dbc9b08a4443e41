#!/usr/bin/env bash
# Speed beside the peers, on the same 20 Newsgroups posts, machine and run, with ratios:
# - dense products at the network's shapes: `topics`' pure-Rust kernel (benches/gemm.rs)
#   against numpy's OpenBLAS, whose kernel threadpoolctl names;
# - one RBM epoch 2000 -> 500 on the 11,314 training posts: `topics` (benches/rbm.rs) against
#   scikit-learn's BernoulliRBM (batch 100, one iteration, float32), and against its floor,
#   the epoch's dense work at the measured speed of our products;
# - one fine-tuning epoch, and both epochs on one thread and on two;
# - the LSA pipeline a user would write (TfidfVectorizer + TruncatedSVD) and gensim's LSI;
# - encoding and `topics add` of the 7,532 test posts, and `topics query` from process start
#   and in process (benches/search.rs, `loaded`).
#
#   scripts/peers.sh [DATA_DIR]       # DATA_DIR defaults to ../shared/data
#
# Installs scikit-learn, gensim and threadpoolctl into target/venv-peers, builds the default
# 20 Newsgroups index into target/peers/20news-index when it is missing, and writes everything
# it measured to target/peers/ (report.md is the table the README shows). About 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
news="$data/20news/20news-bydate.tar.gz"
[ -f "$news" ] || { echo "peers.sh: $news not found; give the data folder" >&2; exit 2; }
venv=target/venv-peers
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet scikit-learn==1.7.2 gensim==4.4.0 threadpoolctl
fi
out=target/peers
mkdir -p "$out"
cargo build --release --quiet
bin=target/release/topics
index="$out/20news-index"
lscpu | sed -n 's/^Model name: *//p' > "$out/machine.txt"
nproc >> "$out/machine.txt"
grep -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ' >> "$out/machine.txt"

if [ ! -f "$index/manifest.json" ]; then
  echo "peers.sh: building the default 20 Newsgroups index (about 1.5 minutes)" >&2
  /usr/bin/time -f '%e %M' -o "$out/build-time.txt" \
    "$bin" build "$news" --include '20news-bydate-train/**' --index "$index" -q
fi
"$bin" info --index "$index" --json > "$out/info.json"

echo "peers.sh: topics' products" >&2
TOPICS_GEMM_JSON=1 cargo bench --quiet --bench gemm > "$out/gemm.jsonl" 2> /dev/null

# numpy (at the same shapes) and the Python peers. Some machines pin an old OpenBLAS kernel
# through these two variables (see the env notes); a current numpy runs slower under them, so
# they are unset for this command alone.
echo "peers.sh: numpy and the Python peers (about 2 minutes)" >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" scripts/peers.py "$news" \
  "$out/gemm.jsonl" > "$out/peers.json"

echo "peers.sh: topics' epochs on two threads and on one" >&2
export TOPICS_BENCH_CORPUS="$news" TOPICS_BENCH_INCLUDE='20news-bydate-train/**'
for threads in 2 1; do
  RAYON_NUM_THREADS=$threads cargo bench --quiet --bench rbm -- softmax-binary-2000x500 \
    --warm-up-time 1 --measurement-time 15 --save-baseline "threads$threads" > /dev/null 2>&1
  RAYON_NUM_THREADS=$threads cargo bench --quiet --bench finetune -- fine_tune_epoch \
    --warm-up-time 1 --measurement-time 20 --save-baseline "threads$threads" > /dev/null 2>&1
done
unset TOPICS_BENCH_CORPUS TOPICS_BENCH_INCLUDE
TOPICS_BENCH_INDEX="$index" TOPICS_BENCH_TEXTS="$news" TOPICS_BENCH_INCLUDE='20news-bydate-test/**' \
  cargo bench --quiet --bench search -- loaded --warm-up-time 1 --measurement-time 5 \
  --save-baseline peers > /dev/null 2>&1

echo "peers.sh: encoding, adding and querying" >&2
"$venv/bin/python" - "$bin" "$news" "$index" "$out" <<'EOF'
import json, shutil, statistics, subprocess, sys, time
bin, news, index, out = sys.argv[1:]
test = ["--include", "20news-bydate-test/**"]

def seconds(command, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times

result = {"encode_s": min(seconds([bin, "encode", news, *test, "--index", index, "-q"], 5))}
adds = []
for _ in range(3):
    shutil.rmtree(f"{out}/added", ignore_errors=True)
    shutil.copytree(index, f"{out}/added")
    adds += seconds([bin, "add", news, *test, "--index", f"{out}/added", "-q"], 1)
result["add_s"] = min(adds)
shutil.rmtree(f"{out}/added", ignore_errors=True)
query = seconds([bin, "query", "graphics card driver for windows", "--index", index], 30)
result["query_process_s"] = {"median": statistics.median(query), "max": max(query)}
json.dump(result, open(f"{out}/commands.json", "w"), indent=1)
EOF

"$venv/bin/python" scripts/peers_report.py "$out" | tee "$out/report.md"
