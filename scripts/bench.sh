#!/usr/bin/env bash
# Throughput and peak memory of `rootline analyze` against ripgrep searching
# the same tree for the same patterns (`rootline catalog export --rg`).
#
# usage: scripts/bench.sh [SIZE] [TREE_DIR]
#   SIZE      size of the generated tree (default 2G; K/M/G suffixes)
#   TREE_DIR  where the tree is (default target/bench-tree-SIZE); generated
#             with rootline-benchgen when absent, reused when its
#             .benchgen.json says same size, seed, incident count and format
#
# environment (all optional):
#   BENCH_SEED=1  BENCH_INCIDENTS=20  BENCH_RUNS=3   generator seed, incidents, timed runs
#   ROOTLINE=path  BENCHGEN=path   use these binaries instead of target/release/*
#   BENCH_NO_BUILD=1               skip `cargo build --release`
#
# Caches are not dropped (that needs root): every command runs once to warm
# the page cache, then BENCH_RUNS times; the best wall time is reported, with
# the largest peak RSS seen over those runs.
set -euo pipefail

SIZE=${1:-2G}
cd "$(dirname "$0")/.."
TREE=${2:-target/bench-tree-$SIZE}
SEED=${BENCH_SEED:-1}
INCIDENTS=${BENCH_INCIDENTS:-20}
RUNS=${BENCH_RUNS:-3}
PATTERNS=target/bench-patterns.txt
BIN_DIR=${CARGO_TARGET_DIR:-target}/release
ROOTLINE=${ROOTLINE:-$BIN_DIR/rootline}
BENCHGEN=${BENCHGEN:-$BIN_DIR/rootline-benchgen}
TIME=/usr/bin/time

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

case $SIZE in
  *[!0-9.KkMmGgIiBb]* | '') die "bad SIZE '$SIZE' (expected e.g. 2G, 500M)" ;;
esac
case $RUNS in
  '' | *[!0-9]* | 0) die "bad BENCH_RUNS '$RUNS'" ;;
esac

if [ ! -x "$TIME" ]; then
  die "$TIME is missing: apt-get install time"
fi

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  say "bench: cargo build --release -p rootline -p rootline-benchgen"
  cargo build --release -p rootline -p rootline-benchgen >&2
fi
[ -x "$ROOTLINE" ] || die "no rootline binary at $ROOTLINE"
[ -x "$BENCHGEN" ] || die "no rootline-benchgen binary at $BENCHGEN"

# ------------------------------------------------------------------ the tree

# A top-level scalar of the pretty-printed metadata ("key": value,).
meta() {
  sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$TREE/.benchgen.json" | head -n 1
}

FORMAT=$("$BENCHGEN" --version | sed -n 's/.*(format \([0-9]*\)).*/\1/p')
reuse=0
if [ -f "$TREE/.benchgen.json" ]; then
  if [ "$(meta size)" = "$SIZE" ] && [ "$(meta seed)" = "$SEED" ] &&
    [ "$(meta incidents_requested)" = "$INCIDENTS" ] && [ "$(meta format_version)" = "$FORMAT" ]; then
    reuse=1
  else
    say "bench: $TREE was generated with other parameters; regenerating"
    rm -rf -- "$TREE"
  fi
elif [ -e "$TREE" ] && [ -n "$(ls -A -- "$TREE" 2>/dev/null)" ]; then
  # No metadata: either not ours or an interrupted generation. Never delete
  # a directory we cannot prove we wrote.
  die "$TREE exists but has no .benchgen.json; remove it or pick another TREE_DIR"
fi
if [ "$reuse" = 1 ]; then
  say "bench: reusing $TREE (size $SIZE, seed $SEED, $INCIDENTS incidents)"
else
  say "bench: generating $TREE (size $SIZE, seed $SEED, $INCIDENTS incidents)"
  "$BENCHGEN" --out "$TREE" --size "$SIZE" --seed "$SEED" --incidents "$INCIDENTS"
fi

TREE_BYTES=$(du -sb -- "$TREE" | cut -f1)
NFILES=$(find "$TREE" -type f ! -name '.benchgen.json' | wc -l)
NGZ=$(find "$TREE" -type f -name '*.gz' | wc -l)
GZ_BYTES=$(find "$TREE" -type f -name '*.gz' -exec du -cb {} + | awk '/total$/ { t += $1 } END { print t + 0 }')

# ------------------------------------------------------------------ patterns

mkdir -p target
if ! "$ROOTLINE" catalog export --rg >"$PATTERNS.tmp"; then
  rm -f "$PATTERNS.tmp"
  die "'$ROOTLINE catalog export --rg' failed"
fi
mv "$PATTERNS.tmp" "$PATTERNS"
NPAT=$(grep -c . "$PATTERNS" || true)
[ "$NPAT" -gt 0 ] || die "$PATTERNS is empty"

# ------------------------------------------------------------------ measuring

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rootline-bench.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT

# run_one NAME OKCODES CMD... : one run under /usr/bin/time; sets SECS, RSS_KIB, STATUS.
run_one() {
  local ok=$2
  shift 2
  STATUS=0
  "$TIME" -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || STATUS=$?
  # time(1) prefixes "Command exited with non-zero status N" on failure.
  read -r SECS RSS_KIB < <(tail -n 1 "$WORK/time")
  case " $ok " in
    *" $STATUS "*) return 0 ;;
  esac
  say "bench: '$*' exited $STATUS:"
  head -n 5 "$WORK/stderr" >&2
  return 1
}

ROWS=()
# measure LABEL OKCODES CMD... : warm-up, then RUNS timed runs; appends a row.
measure() {
  local label=$1 ok=$2
  shift 2
  say "bench: $label"
  local best="" peak=0 failed=0 codes="" i
  run_one "$label" "$ok" "$@" || failed=1
  for ((i = 0; i < RUNS && failed == 0; i++)); do
    if ! run_one "$label" "$ok" "$@"; then
      failed=1
      break
    fi
    case " $codes " in *" $STATUS "*) ;; *) codes="$codes $STATUS" ;; esac
    if [ -z "$best" ] || awk -v a="$SECS" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$SECS
    fi
    if [ "$RSS_KIB" -gt "$peak" ]; then peak=$RSS_KIB; fi
  done
  if [ "$failed" = 1 ]; then
    ROWS+=("$(printf '%-44s %10s %10s %14s' "$label" "failed" "-" "(exit $STATUS)")")
    return
  fi
  # Accepted non-zero exits are shown: a fast run that found nothing is suspect.
  case $codes in " 0") ;; *) label="$label (exit${codes})" ;; esac
  ROWS+=("$(awk -v l="$label" -v s="$best" -v b="$TREE_BYTES" -v r="$peak" 'BEGIN {
    t = (s > 0) ? s : 0.01
    printf "%-44s %10.2f %10.1f %14.1f", l, s, b / t / 1e6, r / 1024
  }')")
}

# (a) rootline: 0 and 1 are both accepted as a run (0: the analysis ran);
# any other status fails the row. A non-zero accepted status is shown.
measure "rootline analyze --format json" "0 1" "$ROOTLINE" analyze "$TREE" --format json

# (b)-(d) ripgrep: exit 0 = matches, 1 = none, 2 = error.
RG_VERSION=""
if command -v rg >/dev/null 2>&1; then
  RG_VERSION=$(rg --version | head -n 1)
  # For a directory rg never maps files unless asked, so (b) asks.
  measure "rg --mmap -c -f PATTERNS" "0 1" rg --mmap -c -f "$PATTERNS" "$TREE"
  measure "rg --no-mmap -c -f PATTERNS" "0 1" rg --no-mmap -c -f "$PATTERNS" "$TREE"
  if command -v gzip >/dev/null 2>&1; then
    measure "rg -z -c -f PATTERNS (also reads .gz)" "0 1" rg -z -c -f "$PATTERNS" "$TREE"
  fi
else
  say "bench: rg (ripgrep) is missing: apt-get install ripgrep — skipping the rg rows"
fi

# ------------------------------------------------------------------ report

echo
echo "rootline bench — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo 'unknown CPU')"
echo "tree:     $TREE — $TREE_BYTES bytes (du -sb), $NFILES files, $NGZ .gz ($GZ_BYTES bytes compressed); seed $SEED, $INCIDENTS incidents"
echo "patterns: $NPAT, from '$ROOTLINE catalog export --rg' ($PATTERNS)"
echo "rootline: $("$ROOTLINE" --version 2>/dev/null | head -n 1 || echo unknown)"
if [ -n "$RG_VERSION" ]; then
  echo "ripgrep:  $RG_VERSION"
else
  echo "ripgrep:  not installed (apt-get install ripgrep)"
fi
echo "method:   1 warm-up run, then best wall time of $RUNS; peak RSS = largest max RSS of those runs; MB/s = tree bytes / seconds"
echo
printf '%-44s %10s %10s %14s\n' "tool" "seconds" "MB/s" "peak RSS MiB"
printf '%-44s %10s %10s %14s\n' "----" "-------" "----" "------------"
printf '%s\n' "${ROWS[@]}"
echo
echo "notes: rootline decompresses .gz files; plain rg skips them as binary, so rows"
echo "       without -z search less text. rg -z pipes each .gz through gzip(1)."
echo "       rg only counts matching lines; rootline also parses, correlates and reports."
