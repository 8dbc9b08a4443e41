#!/usr/bin/env bash
# Rebuilds the README's MNIST figures: the 784-1000-500-250-30 autoencoder trained with the
# default recipe on the 60,000 training digits, judged on the 10,000 test digits beside PCA
# with 30 components (reconstruction error per image, search precision at 1, 10 and 100),
# the reconstruction picture and the map of the codes.
#
#   scripts/mnist.sh [DATA_DIR]              # DATA_DIR defaults to ../shared/data
#   EXTRA="--pretrain-epochs 50" scripts/mnist.sh   # other settings, e.g. the paper's 50 epochs
#   NAME=relu EXTRA="--hidden relu" scripts/mnist.sh
#   NAME=map2d EXTRA="--dims 2" scripts/mnist.sh    # the paper's 2-D codes, for the map
#
# Writes target/mnist/$NAME/{build.log,eval.txt,eval.json,info.txt}; the default run also
# draws docs/mnist-recon.png, the map2d run docs/mnist-map.png (test digits, 2-D codes).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}/mnist
[ -f "$data/train-images-idx3-ubyte.gz" ] || {
  echo "mnist.sh: $data/train-images-idx3-ubyte.gz not found; give the data folder" >&2
  exit 2
}
name=${NAME:-default}
out=target/mnist/$name
mkdir -p "$out"
cargo build --release --quiet
bin=target/release/topics
index="$out/index"
lscpu | grep -E 'Model name|^CPU\(s\)' > "$out/machine.txt"
# shellcheck disable=SC2086
/usr/bin/time -v "$bin" build "$data/train-images-idx3-ubyte.gz" \
  --labels "$data/train-labels-idx1-ubyte.gz" --index "$index" ${EXTRA:-} 2>&1 \
  | grep -v '^\s*$' | tee "$out/build.log" | grep -E 'indexed|took|s$|Elapsed|Maximum resident'
"$bin" info --index "$index" > "$out/info.txt"
test_args=("$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" --index "$index")
"$bin" eval "${test_args[@]}" | tee "$out/eval.txt"
"$bin" eval "${test_args[@]}" --json > "$out/eval.json"
if [ "$name" = default ]; then
  "$bin" show --png docs/mnist-recon.png "$data/t10k-images-idx3-ubyte.gz" \
    --labels "$data/t10k-labels-idx1-ubyte.gz" --index "$index"
fi
if [ "$name" = map2d ]; then
  "$bin" map --png docs/mnist-map.png --index "$index"
fi
