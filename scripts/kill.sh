#!/usr/bin/env bash
# Kills `topics build` and `topics add` with SIGKILL at many points of their run and checks,
# after every kill, that the index is the old one or the new one, whole.
#
#   scripts/kill.sh [POINTS] [STAGING_POINTS] [SWAP_POINTS]
#
# Builds the release binary, then an index of corpora/medquad without its cdc/ folder (small
# settings, seed 42) in a temporary folder, and records its answers to four queries (by codes,
# and by BM25 with codes) and its `info --verify` report. Two commands change that index:
#   build  a rebuild of the same documents onto the same --index with --seed 7;
#   add    `topics add` of the 261 cdc/ documents.
# Each first runs to its end three times: that gives its wall time T, the moments its save began
# (its staging directory appeared) and its new index took the old one's place (medians of the
# three), and the new index's answers, which must be the same each time. Then it is started
# again and killed (scripts/kill_at.py)
#   POINTS times (default 50) at T*i/(POINTS+1), i = 1..POINTS, spread over the whole run;
#   STAGING_POINTS times (default 15) at 1.2*W*j/STAGING_POINTS after its staging directory
#     appeared, j = 0.., where W is how long a run takes from there to the swap;
#   SWAP_POINTS times (default 10) at 1.5*E*k/SWAP_POINTS after the swap, where E is how long
#     a run takes from the swap to its end (removing the old index, exiting).
# After every kill:
#   - no lock is left: `flock -n` takes the index's lock file at once;
#   - `topics info --verify` passes;
#   - the index is the old one (every file byte for byte as before, the same verify report and
#     answers) or the new one (the new index's answers); a run that ended before its kill must
#     have made the new one;
#   - at most one staging directory of a killed save is beside the index (each command clears
#     those before it) and nothing else.
# A kill that left the new index is followed by putting the old one back, so every run starts
# from the old index. Last, each command runs once more to its end, with no clean-up since its
# last kill: it must succeed, give the new answers and leave nothing beside the index.
#
# Prints a table per command: points, kills (and runs that ended first), kills after the save
# began and after the swap, old and new outcomes, kills that left a staging directory, and
# failures; writes it to target/kill-summary.txt and every point to target/kill-log.txt. Exits
# 1 on any failure, keeping the temporary folder. Takes a few minutes on two busy cores; it
# lowers its own priority, and the commands it kills run five steps lower still.
# Needs bash, awk, python3 (standard library only) and flock (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
renice -n 10 -p $$ >/dev/null

points=${1:-50}
staging_points=${2:-15}
swap_points=${3:-10}
started=$(date +%s)

cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/topics")
helper=$(realpath scripts/kill_at.py)
corpus=$(realpath corpora/medquad)

work=$(mktemp -d "${TMPDIR:-/tmp}/topics-kill.XXXXXX")
parent=$work/live
index=$parent/index
old=$work/old
mkdir -p "$parent" "$work/ref"
printf '%s\n' "what are the symptoms of diabetes" "how is the flu spread" \
  "treatment for breast cancer" "high blood pressure in children" >"$work/queries.txt"
echo "work folder $work" >&2

set -f # the globs below are for topics, not for the shell
settings=(--vocab 1000 --layers 100,50 --pretrain-epochs 2 --finetune-epochs 2 --topics 8 -q)
declare -A commands=(
  [build]="$bin build $corpus --exclude cdc/** ${settings[*]} --seed 7 --index $index"
  [add]="$bin add $corpus --include cdc/** -q --index $index"
)

# Writes the index's answers to $1.codes and $1.hybrid; fails if a query fails.
answers() {
  "$bin" query --file "$work/queries.txt" -k 5 --index "$index" >"$1.codes" 2>>"$1.err" &&
    "$bin" query --file "$work/queries.txt" -k 5 --hybrid --index "$index" >"$1.hybrid" \
      2>>"$1.err"
}

# Whether the answers at $1 are those at $2.
same_answers() {
  cmp -s "$1.codes" "$2.codes" && cmp -s "$1.hybrid" "$2.hybrid"
}

# Puts the old index back in place (what is beside it stays, for the next command to clear).
restore() {
  rm -rf "$index"
  cp -a "$old" "$index"
}

# The names beside the index other than the index and its lock file, one a line.
beside() {
  find "$parent" -mindepth 1 -maxdepth 1 ! -name index ! -name .index.lock -printf '%f\n'
}

# Runs command $1 and kills it $2 seconds (negative: never) after $3: start, staging or swap.
# Prints the helper's line: ended rc elapsed staged swapped.
run() {
  local after=()
  [ "$3" = start ] || after=(--after "$3")
  # shellcheck disable=SC2086 # the command line is split on purpose; no path has a space
  python3 "$helper" "$index" "$2" "${after[@]}" -- ${commands[$1]} 2>"$work/last.err" </dev/null
}

# The median of field $1 of the lines $2...
median() {
  local field=$1
  shift
  printf '%s\n' "$@" | awk -v f="$field" '{ print $f }' | sort -g | awk '{ v[NR] = $1 }
    END { print v[int((NR + 1) / 2)] }'
}

# The number awk makes of the expression $1.
calc() {
  awk "BEGIN { printf \"%.4f\", $1 }"
}

"$bin" build "$corpus" --exclude 'cdc/**' "${settings[@]}" --seed 42 --index "$index"
cp -a "$index" "$old"
answers "$work/ref/old"
"$bin" info --verify --index "$index" >"$work/ref/old.verify" 2>/dev/null

log=target/kill-log.txt
printf '%-7s %-7s %8s  %-34s %-6s %s\n' command after delay "ended rc elapsed staged swapped" \
  index left >"$log"
failures=0
fail() {
  echo "FAIL $*" >&2
  failures=$((failures + 1))
  command_failures=$((command_failures + 1))
}

# Checks the index after a run of command $1 that ended as the helper's line $3 says ($2 names
# the run in messages). Sets outcome (old, new or bad) and left (staging directories beside).
check() {
  local name=$1 label=$2 ended rc rest now=$work/now
  read -r ended rc rest <<<"$3"
  outcome=bad
  if [ "$ended" = exited ] && [ "$rc" != 0 ]; then
    fail "$name $label: exited $rc: $(tail -3 "$work/last.err")"
  fi
  if ! flock -n "$parent/.index.lock" true; then
    fail "$name $label: the lock is still held"
  fi
  rm -f "$now".*
  if ! "$bin" info --verify --index "$index" >"$now.verify" 2>"$now.err"; then
    fail "$name $label: info --verify failed: $(tail -3 "$now.err")"
  elif ! answers "$now"; then
    fail "$name $label: a query failed: $(tail -3 "$now.err")"
  elif diff -rq "$index" "$old" >/dev/null && cmp -s "$now.verify" "$work/ref/old.verify" &&
    same_answers "$now" "$work/ref/old"; then
    outcome=old
    if [ "$ended" = exited ]; then
      fail "$name $label: ran to its end but left the old index"
    fi
  elif same_answers "$now" "$work/ref/$name-new"; then
    outcome=new
  else
    fail "$name $label: the index is neither the old one nor the new one"
  fi
  local names
  names=$(beside)
  left=$(grep -c -E '^\.index\.(staging-[A-Za-z0-9]{6}|old-[0-9]+)$' <<<"$names" || true)
  if [ "$left" -gt 1 ]; then
    fail "$name $label: $left staging directories beside the index:" $names
  fi
  if [ -n "$names" ] && [ "$(wc -l <<<"$names")" -ne "$left" ]; then
    fail "$name $label: unexpected files beside the index:" $names
  fi
  if [ "$outcome" = new ]; then
    restore
  fi
}

header=$(printf '%-7s %6s %6s %10s %13s %11s %5s %5s %9s %8s %6s' command points killed \
  "ended first" "after staging" "after swap" old new "left dirs" failures rerun)
rows=()
for name in build add; do
  command_failures=0
  # Three runs to the end: the median of their times, and the new index's answers, which
  # must be the same each time.
  times=()
  for run_number in 1 2 3; do
    read -r ended rc elapsed staged swapped <<<"$(run "$name" -1 start)"
    if [ "$ended $rc" != "exited 0" ] || [ "$staged" = - ] || [ "$swapped" = - ]; then
      echo "$name did not run to its end: $ended $rc: $(tail -5 "$work/last.err")" >&2
      exit 1
    fi
    times+=("$elapsed $staged $swapped")
    answers "$work/ref/$name-new-$run_number"
    if ! same_answers "$work/ref/$name-new-$run_number" "$work/ref/$name-new-1"; then
      echo "$name gives other answers on run $run_number than on run 1" >&2
      exit 1
    fi
    restore
  done
  for ext in codes hybrid; do
    mv "$work/ref/$name-new-1.$ext" "$work/ref/$name-new.$ext"
  done
  if same_answers "$work/ref/$name-new" "$work/ref/old"; then
    echo "$name gives the old answers: the old and new index cannot be told apart" >&2
    exit 1
  fi
  elapsed=$(median 1 "${times[@]}")
  staged=$(median 2 "${times[@]}")
  swapped=$(median 3 "${times[@]}")
  printf '%s: %.3f s, save from %.3f s, swap at %.3f s; killing it %d + %d + %d times\n' \
    "$name" "$elapsed" "$staged" "$swapped" "$points" "$staging_points" "$swap_points" >&2

  plan=()
  for ((i = 1; i <= points; i++)); do
    plan+=("start $(calc "$elapsed * $i / ($points + 1)")")
  done
  for ((j = 0; j < staging_points; j++)); do
    plan+=("staging $(calc "($swapped - $staged) * 1.2 * $j / $staging_points")")
  done
  for ((k = 0; k < swap_points; k++)); do
    plan+=("swap $(calc "($elapsed - $swapped) * 1.5 * $k / $swap_points")")
  done

  killed=0 first=0 saving=0 swapping=0 olds=0 news=0 leftovers=0
  for step in "${plan[@]}"; do
    read -r after delay <<<"$step"
    line=$(run "$name" "$delay" "$after")
    read -r ended _ _ staged_at swapped_at <<<"$line"
    check "$name" "killed $delay s after $after ($line)" "$line"
    if [ "$swapped_at" != - ] && [ "$outcome" = old ]; then
      fail "$name killed $delay s after $after ($line): the old index is back after the swap"
    fi
    if [ "$ended" = killed ]; then
      killed=$((killed + 1))
      [ "$staged_at" != - ] && saving=$((saving + 1))
      [ "$swapped_at" != - ] && swapping=$((swapping + 1))
    else
      first=$((first + 1))
    fi
    [ "$outcome" = old ] && olds=$((olds + 1))
    [ "$outcome" = new ] && news=$((news + 1))
    [ "$left" -gt 0 ] && leftovers=$((leftovers + 1))
    printf '%-7s %-7s %8s  %-34s %-6s %d\n' "$name" "$after" "$delay" "$line" "$outcome" \
      "$left" >>"$log"
  done

  # A last run to its end, with no clean-up since the last kill.
  before=$command_failures
  line=$(run "$name" -1 start)
  check "$name" "rerun ($line)" "$line"
  if [ "$outcome" != new ] || [ "$left" -ne 0 ]; then
    fail "$name rerun: the index is $outcome, $left staging directories beside it"
  fi
  rerun=$([ "$before" = "$command_failures" ] && echo ok || echo FAILED)
  rows+=("$(printf '%-7s %6d %6d %10d %13d %11d %5d %5d %9d %8d %6s' "$name" "${#plan[@]}" \
    "$killed" "$first" "$saving" "$swapping" "$olds" "$news" "$leftovers" "$command_failures" \
    "$rerun")")
done

{
  echo "kills of $(git rev-parse --short HEAD) on $(date -u +%Y-%m-%dT%H:%MZ)," \
    "$(($(date +%s) - started)) s in all"
  echo "$header"
  printf '%s\n' "${rows[@]}"
} | tee target/kill-summary.txt
if [ "$failures" -gt 0 ]; then
  echo "$failures failures; the work folder $work is kept" >&2
  exit 1
fi
rm -rf "$work"
