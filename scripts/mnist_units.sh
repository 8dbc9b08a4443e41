#!/usr/bin/env bash
# Compares the kinds of units on MNIST at one short training budget: logistic or rectified
# (noisy ReLU) hidden units, on intensities in [0, 1] (logistic visible units) and on
# standardised pixels (Gaussian visible units, which see each pixel scaled to zero mean and
# unit variance; reconstructions are scaled back, so errors are in the same units).
#
#   scripts/mnist_units.sh [DATA_DIR]          # DATA_DIR defaults to ../shared/data
#   BUDGET="--pretrain-epochs 10 --finetune-epochs 30" scripts/mnist_units.sh
#   VISIBLE=gaussian scripts/mnist_units.sh      # only some kinds of visible units
#
# Prints one table row per combination; each run's files are in target/mnist/units-*/.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
budget=${BUDGET:---pretrain-epochs 3 --finetune-epochs 8}
printf '%-26s %14s %7s %7s %7s %9s\n' "units" "reconstruction" "P@1" "P@10" "P@100" "run s"
for visible in ${VISIBLE:-binary gaussian}; do
  for hidden in binary relu; do
    name="units-$visible-$hidden"
    start=$(date +%s)
    if ! NAME=$name EXTRA="--visible $visible --hidden $hidden $budget" \
      scripts/mnist.sh "$data" > /dev/null 2>&1; then
      printf '%-26s failed: %s\n' "$visible visible, $hidden hidden" \
        "$(grep -m1 '^Error' "target/mnist/$name/build.log" || echo 'see target/mnist/'"$name")"
      continue
    fi
    seconds=$(( $(date +%s) - start ))
    python3 - "$visible" "$hidden" "$seconds" "target/mnist/$name/eval.json" <<'PY'
import json, sys
visible, hidden, seconds, path = sys.argv[1:]
e = json.load(open(path))
print(f"{visible + ' visible, ' + hidden + ' hidden':<26} {e['reconstruction_error']:>14.3f} "
      f"{e['p_at_1']:>7.3f} {e['p_at_10']:>7.3f} {e['p_at_100']:>7.3f} {seconds:>9}")
PY
  done
done
