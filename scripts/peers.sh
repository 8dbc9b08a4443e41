#!/usr/bin/env bash
# Speed beside the peers, on the same 20 Newsgroups posts, machine and run: scikit-learn's
# BernoulliRBM epoch (2000 -> 500) against `topics`' word-count RBM epoch at the same shape,
# and the LSA pipeline and gensim's LSI (scripts/peers.py) beside them. Prints ratios.
#
#   scripts/peers.sh [DATA_DIR]       # DATA_DIR defaults to ../shared/data
#
# Installs scikit-learn, gensim and threadpoolctl into target/venv-peers; writes
# target/peers/peers.json and target/peers/ratios.txt.
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
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" | tee "$out/ratios.txt"
"$venv/bin/python" scripts/peers.py "$news" > "$out/peers.json"
"$venv/bin/python" -c "
import json; r = json.load(open('$out/peers.json'))
for lib in r['blas']:
    print('numpy BLAS:', lib.get('internal_api'), lib.get('version'), 'kernel', lib.get('architecture'), lib.get('num_threads'), 'threads')
" | tee -a "$out/ratios.txt"

# topics' word-count epoch on the same training posts (criterion; the mean of 10 epochs).
TOPICS_BENCH_CORPUS="$news" TOPICS_BENCH_INCLUDE='20news-bydate-train/**' \
  cargo bench --bench rbm -- softmax-binary-2000x500 --warm-up-time 1 --measurement-time 20 \
  2>&1 | tee "$out/rbm-bench.txt" | grep -E 'time:' || true
ours=$(grep -A2 'softmax-binary-2000x500' "$out/rbm-bench.txt" | grep -oE 'time: +\[[^]]*\]' | awk '{ v=$4; u=$5; if (u=="ms") v/=1000; print v }' | head -1)
"$venv/bin/python" -c "
import json; r = json.load(open('$out/peers.json'))
theirs = r['sklearn_rbm_epoch_2000x500_s']; ours = float('$ours')
print(f'RBM epoch 2000x500, {r[\"train_posts\"]} posts: scikit-learn {theirs:.2f} s, topics {ours:.2f} s: {theirs / ours:.1f} x faster')
l = r['sklearn_lsa10']
print(f'scikit-learn LSA-10: fit {l[\"fit_tfidf_s\"] + l[\"fit_svd_s\"]:.1f} s, {l[\"ms_per_1000_queries\"]:.0f} ms per 1000 queries; gensim LSI-10 fit {r[\"gensim_lsi10_fit_s\"]:.1f} s')
" | tee -a "$out/ratios.txt"
