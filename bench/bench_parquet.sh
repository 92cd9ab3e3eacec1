#!/bin/bash
# SPDX-License-Identifier: MIT
# Parquet benchmark (issue 5), in one run on the same generated inventory:
#   - s3inv build of the CSV.GZ report (`s3inv gen`, mixed shape),
#   - s3inv build of the same rows as Parquet (tests/node/csv2parquet.js:
#     snappy, DuckDB's default row groups of 122,880 rows), one Parquet file
#     per CSV file, and all rows in ONE Parquet file (row-group parallelism),
#   - DuckDB's all-prefix aggregation over the same Parquet files
#     (bench/duckdb_parquet.js: objects and bytes per prefix only; s3inv
#     also keeps classes, non-current versions and delete markers),
# at 1 and 2 threads, medians of BENCH_REPS (3) runs under nice. Wall time
# and user CPU seconds (from /usr/bin/time: less noisy than wall time on
# this shared machine). The table goes into BENCHMARKS.md (section parquet).
#   BENCH_OBJECTS (default 10000000) rows; BENCH_BIN (default build/s3inv);
#   BENCH_DIR (default bench/out; the reports are kept there and reused);
#   BENCH_DRY=1: print the table, leave BENCHMARKS.md alone.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-$PWD/build/s3inv}
N=${BENCH_OBJECTS:-10000000}
REPS=${BENCH_REPS:-3}
W=${BENCH_DIR:-$PWD/bench/out}/parquet
mkdir -p "$W"
export NODE_PATH=$PWD/tests/node/node_modules
NICE="nice -n 5"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed CMD...: "wall user sys maxrss_kib" of one run
timed() {
  /usr/bin/time -f '%e %U %S %M' -o "$W/time.txt" $NICE "$@" > "$W/cmd.out" 2> "$W/err.txt" ||
    { cat "$W/err.txt" >&2; return 1; }
  cat "$W/time.txt"
}
# bench NAME CMD...: REPS runs; sets WALL USER RSS (medians) and keeps the
# last stdout in $W/cmd.out
bench() {
  local name=$1 i
  shift
  : > "$W/runs.txt"
  for i in $(seq "$REPS"); do timed "$@" >> "$W/runs.txt"; done
  WALL=$(cut -d' ' -f1 "$W/runs.txt" | median)
  USER=$(awk '{print $2 + $3}' "$W/runs.txt" | median)
  RSS=$(( $(cut -d' ' -f4 "$W/runs.txt" | median) / 1024 ))
  echo "$name: wall $WALL s, cpu $USER s, rss $RSS MiB ($(tr '\n' '|' < "$W/runs.txt"))" >&2
}

R=$W/csv-$N
[ -f "$R/manifest.json" ] || "$BIN" gen --objects "$N" --out "$R" --shape mixed --seed 7 > /dev/null
P=$W/parquet-$N
[ -f "$P/manifest.json" ] || $NICE node tests/node/csv2parquet.js "$R/manifest.json" "$P" --codec snappy > "$P.files"
P1=$W/parquet1-$N
[ -f "$P1/manifest.json" ] || $NICE node tests/node/csv2parquet.js "$R/manifest.json" "$P1" --codec snappy \
  --single-file > "$P1.files"
csvb=$(du -cb "$R"/data/* | tail -1 | cut -f1)
pqb=$(du -cb "$P"/data/* | tail -1 | cut -f1)
pq1b=$(du -cb "$P1"/data/* | tail -1 | cut -f1)
nf=$(ls "$R"/data | wc -l)
rg=$(awk '{ n += $3 } END { print n }' "$P.files")
rg1=$(awk '{ n += $3 } END { print n }' "$P1.files")

out=$W/parquet.md
{
echo "## Parquet reports (issue 5)"
echo
echo "\`bash bench/bench_parquet.sh\` (BENCH_OBJECTS=$N, mixed shape, medians of $REPS under nice), $(date -u +%Y-%m-%d), $(nproc) cores, shared and loaded:"
echo "user+sys CPU seconds are the steadier figure. Same rows in every format; Parquet written by DuckDB"
echo "(tests/node/csv2parquet.js, snappy, 122,880-row groups, AWS column names and types). DuckDB computes"
echo "objects and bytes per prefix only; s3inv also keeps storage classes, non-current versions and delete markers."
echo
echo "| input | files | row groups | data | threads | wall s | CPU s | rows/s (wall) | peak RSS | prefixes |"
echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$out"

row() { # input files groups bytes threads
  local rps
  rps=$(echo "scale=0; $N / $WALL" | bc)
  echo "| $1 | $2 | $3 | $(( $4 / 1048576 )) MiB | $5 | $WALL | $USER | $rps | $RSS MiB | $PREFIXES |" >> "$out"
}
prefixes_of() { "$BIN" info --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["prefixes"])'; }

declare -A T
for th in 1 2; do
  bench "csv.gz t$th" "$BIN" build "$R" -o "$W/csv.s3i" --threads $th --quiet
  PREFIXES=$(prefixes_of "$W/csv.s3i"); T[csv$th]=$WALL; T[csvc$th]=$USER
  row "s3inv, CSV.GZ" "$nf" - "$csvb" $th
done
for th in 1 2; do
  bench "parquet t$th" "$BIN" build "$P" -o "$W/pq.s3i" --threads $th --quiet
  PREFIXES=$(prefixes_of "$W/pq.s3i"); T[pq$th]=$WALL; T[pqc$th]=$USER
  row "s3inv, Parquet" "$nf" "$rg" "$pqb" $th
done
for th in 1 2; do
  bench "parquet 1 file t$th" "$BIN" build "$P1" -o "$W/pq1.s3i" --threads $th --quiet
  PREFIXES=$(prefixes_of "$W/pq1.s3i"); T[pq1$th]=$WALL; T[pq1c$th]=$USER
  row "s3inv, Parquet, one file" 1 "$rg1" "$pq1b" $th
done
for th in 1 2; do
  bench "duckdb t$th" node bench/duckdb_parquet.js "$P/manifest.json" --threads $th
  PREFIXES=$(awk '{print $4}' "$W/cmd.out"); T[dk$th]=$WALL; T[dkc$th]=$USER
  T[dkq$th]=$(awk '{print $2}' "$W/cmd.out")
  row "DuckDB read_parquet all-prefix (process)" "$nf" "$rg" "$pqb" $th
done
# the indexes agree with each other and with DuckDB's prefix count
same=$(python3 - "$BIN" "$W/csv.s3i" "$W/pq.s3i" "$W/pq1.s3i" <<'EOF'
import json, subprocess, sys
b = sys.argv[1]
info = [json.loads(subprocess.run([b, "info", "--json", i], capture_output=True).stdout) for i in sys.argv[2:]]
print("yes" if all(i["root"] == info[0]["root"] and i["prefixes"] == info[0]["prefixes"] for i in info) else "NO")
EOF
)

r() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
{
echo
echo "DuckDB's own timing of the query inside the process (excludes node start-up): ${T[dkq1]} s at 1 thread, ${T[dkq2]} s at 2."
echo
echo "- s3inv, CSV.GZ time / Parquet time (same rows): wall $(r "${T[csv1]}" "${T[pq1]}") at 1 thread, $(r "${T[csv2]}" "${T[pq2]}") at 2; CPU $(r "${T[csvc1]}" "${T[pqc1]}") at 1 (> 1: Parquet is faster)."
echo "- DuckDB time / s3inv time over the same Parquet files: wall $(r "${T[dk1]}" "${T[pq1]}") at 1 thread, $(r "${T[dk2]}" "${T[pq2]}") at 2; CPU $(r "${T[dkc1]}" "${T[pqc1]}") at 1, $(r "${T[dkc2]}" "${T[pqc2]}") at 2 (> 1: s3inv is faster)."
echo "- One Parquet file, its row groups split between threads: wall at 1 thread / at 2 threads $(r "${T[pq11]}" "${T[pq12]}"); CPU at 2 / at 1 $(r "${T[pq1c2]}" "${T[pq1c1]}") (the split's overhead)."
echo "- Root and prefix count identical across the CSV.GZ, Parquet and one-file Parquet indexes: $same; DuckDB prefixes in the table above."
} >> "$out"
cat "$out"
[ -n "${BENCH_DRY:-}" ] || bash bench/section.sh parquet "$out"
