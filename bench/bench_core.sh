#!/bin/bash
# Core build benchmark (issue 2): generated CSV.GZ reports of BENCH_OBJECTS
# rows, logs and mixed shapes. Side by side in one run: s3inv build at 1 and
# 2 threads, the decompression floor (igzip -d on 2 processes, zcat), and
# DuckDB computing the same all-prefix aggregation; peak RSS at two budgets;
# index bytes per prefix; du --stdin lookups per second.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/build/s3inv
N=${BENCH_OBJECTS:-10000000}
W=${BENCH_DIR:-$PWD/bench/out}
REPS=${BENCH_REPS:-3}
mkdir -p "$W"
NODE_PATH=$PWD/tests/node/node_modules
export NODE_PATH

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wall seconds and peak RSS (KiB) of a command: "secs kib"
timed() { /usr/bin/time -f '%e %M' -o "$W/time.txt" "$@" >/dev/null 2>"$W/err.txt" || { cat "$W/err.txt" >&2; return 1; }; cat "$W/time.txt"; }

out=$W/core.md
{
echo "## Core build (issue 2)"
echo
echo "\`bash bench/bench_core.sh\` (BENCH_OBJECTS=$N, medians of $REPS), $(date -u +%Y-%m-%d), $(nproc) cores."
echo
echo "| shape | rows | data (gz) | s3inv 1 thread | s3inv 2 threads | rows/s (2t) | igzip -d ×2 procs | zcat | DuckDB all-prefix | vs DuckDB | vs igzip | CPU s s3inv 2t / DuckDB | prefixes | index B/prefix |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$out"

for shape in logs mixed; do
  R=$W/report-$shape-$N
  if [ ! -f "$R/manifest.json" ]; then
    "$BIN" gen --objects "$N" --out "$R" --shape "$shape" --seed 7 >/dev/null
  fi
  gz=$(du -cb "$R"/data/* | tail -1 | cut -f1)
  t1=$(for i in $(seq $REPS); do timed "$BIN" build "$R" -o "$W/$shape.s3i" --threads 1 --quiet | cut -d' ' -f1; done | median)
  t2=$(for i in $(seq $REPS); do timed "$BIN" build "$R" -o "$W/$shape.s3i" --threads 2 --quiet | cut -d' ' -f1; done | median)
  files=("$R"/data/*)
  half=$(( (${#files[@]} + 1) / 2 ))
  tig=$(for i in $(seq $REPS); do
      s=$(date +%s.%N)
      (cat "${files[@]:0:$half}" | igzip -d -c >/dev/null) & (cat "${files[@]:$half}" | igzip -d -c >/dev/null) & wait
      e=$(date +%s.%N); echo "$e - $s" | bc; done | median | xargs printf '%.2f')
  tz=$(timed sh -c "zcat $R/data/* > /dev/null" | cut -d' ' -f1)
  tduck=$(for i in 1; do node tests/node/duckdb_agg.js "$R/manifest.json" --timing 2>/dev/null | awk '/^duckdb:/ {print $2}'; done | median)
  # CPU seconds (user + sys, all threads) of one 2-thread build and of one
  # DuckDB run (the node process, startup included): the fairer comparison
  # on a shared machine
  c2=$(/usr/bin/time -f '%U %S' -o "$W/time.txt" "$BIN" build "$R" -o "$W/$shape.s3i" --threads 2 --quiet >/dev/null 2>&1; awk '{printf "%.2f", $1 + $2}' "$W/time.txt")
  cduck=$(/usr/bin/time -f '%U %S' -o "$W/time.txt" node tests/node/duckdb_agg.js "$R/manifest.json" >/dev/null 2>&1; awk '{printf "%.2f", $1 + $2}' "$W/time.txt")
  prefixes=$("$BIN" info --json "$W/$shape.s3i" | python3 -c 'import json,sys; print(json.load(sys.stdin)["prefixes"])')
  isize=$(stat -c %s "$W/$shape.s3i")
  bpp=$(echo "scale=1; $isize / $prefixes" | bc)
  rps=$(echo "scale=0; $N / $t2" | bc)
  vsd=$( [ -n "$tduck" ] && awk -v a="$tduck" -v b="$t2" 'BEGIN { printf "%.2f", a / b }' || echo "n/a")
  vsi=$(awk -v a="$t2" -v b="$tig" 'BEGIN { printf "%.2f", a / b }')
  vsc=$(awk -v a="$cduck" -v b="$c2" 'BEGIN { printf "%.2f", a / b }')
  echo "| $shape | $N | $((gz/1048576)) MiB | ${t1} s | ${t2} s | $rps | ${tig} s | ${tz} s | ${tduck:-n/a} s | ${vsd}× faster | ${vsi}× the floor | ${c2} / ${cduck} s (${vsc}×) | $prefixes | $bpp |" >> "$out"
done

{
echo
echo "Peak RSS against the memory budget (mixed shape, 2 threads):"
echo
echo "| --mem-budget | wall s | peak RSS | runs spilled | RSS − budget |"
echo "|---|---|---|---|---|"
} >> "$out"
R=$W/report-mixed-$N
for b in 64MiB 256MiB 2GiB; do
  r=$(timed "$BIN" build "$R" -o "$W/b.s3i" --threads 2 --mem-budget $b --quiet)
  secs=${r% *}; kib=${r#* }
  runs=$("$BIN" build "$R" -o "$W/b.s3i" --threads 2 --mem-budget $b 2>&1 | grep -oiE 'runs?[^0-9]*[0-9]+' | grep -oE '[0-9]+' | head -1 || true)
  bb=$(python3 -c "import re;s='$b';u={'K':1<<10,'M':1<<20,'G':1<<30};m=re.match(r'(\d+)([KMG])',s);print(int(m.group(1))*u[m.group(2)])")
  echo "| $b | $secs | $((kib/1024)) MiB | ${runs:-?} | $(( (kib*1024 - bb) / 1048576 )) MiB |" >> "$out"
done

# lookups per second through du --stdin: every prefix of the mixed index,
# shuffled, 1M queries (the query file is written first; only du is timed,
# its JSON output going to /dev/null)
"$BIN" export "$W/mixed.s3i" --format ndjson | python3 -c '
import json, random, sys
ps = [json.loads(l)["prefix"] for l in sys.stdin]
qs = (ps * (1 + 1000000 // max(1, len(ps))))[:1000000]
random.seed(1); random.shuffle(qs)
sys.stdout.write("\n".join(qs) + "\n")' > "$W/queries.txt"
nq=$(wc -l < "$W/queries.txt")
np=$("$BIN" info --json "$W/mixed.s3i" | python3 -c 'import json,sys; print(json.load(sys.stdin)["prefixes"])')
tq=$(for i in $(seq $REPS); do /usr/bin/time -f %e -o "$W/time.txt" "$BIN" du --stdin --json "$W/mixed.s3i" < "$W/queries.txt" > /dev/null; cat "$W/time.txt"; done | median)
awk -v n="$nq" -v p="$np" -v t="$tq" 'BEGIN { printf "\n`du --stdin --json` over %d lookups (random order, every one of the %d prefixes of the mixed index): %.2f s, %.0f lookups/s including the JSON output (to /dev/null).\n", n, p, t, n / t }' >> "$out"
bash bench/section.sh core "$out"
cat "$out"
