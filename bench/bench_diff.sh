#!/bin/bash
# Diff benchmark (issue 6): two generated reports of one bucket (BENCH_OBJECTS
# rows and 2% more, so prefixes appear and grow), built once each; then
# `s3inv diff` at the root (children) and at depth 2, sorted by growth and
# streamed in name order, JSON to /dev/null: wall time (median of REPS) and
# peak RSS. Writes bench/out/diff.md; `bash bench/section.sh diff FILE`
# puts it into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-$PWD/build/s3inv}
N=${BENCH_OBJECTS:-10000000}
N2=$((N + N / 50))
W=${BENCH_DIR:-$PWD/bench/out}
REPS=${BENCH_REPS:-5}
mkdir -p "$W"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { /usr/bin/time -f '%e %M' -o "$W/time.txt" "$@" >/dev/null 2>"$W/err.txt" || { cat "$W/err.txt" >&2; return 1; }; cat "$W/time.txt"; }

for n in $N $N2; do
  R=$W/report-diff-$n
  [ -f "$R/manifest.json" ] || "$BIN" gen --objects "$n" --out "$R" --seed 7 >/dev/null
  [ -f "$W/diff-$n.s3i" ] || "$BIN" build "$R" -o "$W/diff-$n.s3i" --quiet
done
A=$W/diff-$N.s3i
B=$W/diff-$N2.s3i
pa=$("$BIN" info "$A" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["prefixes"])')
pb=$("$BIN" info "$B" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["prefixes"])')

out=$W/diff.md
{
echo "## Diff of two indexes (issue 6)"
echo
echo "\`bash bench/bench_diff.sh\` (mixed shape, $N and $N2 rows, seed 7: $pa and $pb prefixes), medians of $REPS, $(date -u +%Y-%m-%d), $(nproc) cores (shared). Output as JSON lines to /dev/null; page cache warm."
echo
echo "| diff (\`s3inv diff A B --json …\`) | rows out | wall | peak RSS |"
echo "|---|---|---|---|"
} >"$out"
for spec in "root, depth 1, --sort growth|--depth 1" "root, depth 1, --sort name|--depth 1 --sort name" \
            "root, depth 2, --sort growth|--depth 2" "root, depth 2, --sort name|--depth 2 --sort name" \
            "root, depth 2, growth --limit 20|--depth 2 --limit 20" "root, depth 4, --sort growth|--depth 4"; do
  label=${spec%%|*}
  args=${spec#*|}
  # shellcheck disable=SC2086
  rows=$("$BIN" diff "$A" "$B" $args --json | wc -l)
  # shellcheck disable=SC2086
  res=$(for i in $(seq "$REPS"); do timed "$BIN" diff "$A" "$B" $args --json; done)
  t=$(echo "$res" | cut -d' ' -f1 | median)
  m=$(echo "$res" | cut -d' ' -f2 | median)
  echo "| $label | $rows | ${t} s | $((m / 1024)) MiB |" >>"$out"
done
echo >>"$out"
echo "The walk visits only the prefixes on the way down to the requested depth in both subtrees (skipping subtrees too shallow to reach it), decodes each visited prefix once and never loads an index: peak RSS is the process plus the file pages of the two maps it touches (counted in RSS, shared with the page cache), which is why it grows with depth." >>"$out"
cat "$out"
