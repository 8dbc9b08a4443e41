#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ in turn, one process at a time, each for the given
# number of seconds (default 60), starting from the committed seeds in fuzz/seeds/<target>
# and the corpus grown by earlier runs in fuzz/corpus/<target> (not committed).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Prints, and writes to target/fuzz-summary.txt, one line per target: the seconds it fuzzed,
# the inputs it executed, and the crashes it found (crash, timeout, out-of-memory and leak
# files new in fuzz/artifacts/<target>). libFuzzer stops at the first crash of a target, so a
# target that crashes runs for less than the time given; the script goes on with the next.
# Each target's full log is in target/fuzz-logs/<target>.log.
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Every fuzzing
# process runs on one thread, so the fuzzing uses one core.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
export RAYON_NUM_THREADS=1 MATMUL_NUM_THREADS=1
cargo +nightly fuzz build >&2
bin=fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release

# The crash, timeout, out-of-memory and leak files of target $1.
findings() {
  find "fuzz/artifacts/$1" -type f \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l
}

mkdir -p target/fuzz-logs
summary=target/fuzz-summary.txt
header=$(printf '%-12s %8s %12s %8s %8s' target seconds executions exec/s crashes)
rows=()
echo "$header"
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before=$(findings "$t")
  log="target/fuzz-logs/$t.log"
  start=$(date +%s.%N)
  # The binary itself rather than `cargo fuzz run`, so that the time is the fuzzing's alone.
  # A crash makes libFuzzer exit non-zero; that is a finding, not a failure of this script.
  "$bin/$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -artifact_prefix="fuzz/artifacts/$t/" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1 || true
  end=$(date +%s.%N)
  after=$(findings "$t")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  row=$(printf '%-12s %8.0f %12s %8s %8d' "$t" "$(echo "$end - $start" | bc)" \
    "${runs:-?}" "${rate:-?}" "$((after - before))")
  echo "$row"
  rows+=("$row")
  if [ "$after" -gt "$before" ]; then
    grep -m1 -E 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer' "$log" \
      | sed 's/^/    /' || true
  fi
done
{
  echo "fuzzing of $(git rev-parse --short HEAD) on $(date -u +%Y-%m-%dT%H:%MZ)," \
    "$seconds s per target"
  echo "$header"
  printf '%s\n' "${rows[@]}"
} >"$summary"
echo "summary in $summary"
