#!/bin/bash
# make demo: generate a sample inventory of about 1M objects, index it, and
# show du, ls and top of it. Everything lands in ./demo/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/s3inv
OUT=demo
N=${DEMO_OBJECTS:-1000000}
mkdir -p "$OUT"
if [ ! -f "$OUT/report/manifest.json" ]; then
  echo "== generating a sample inventory of $N objects (mixed shape, CSV.GZ) in $OUT/report"
  "$BIN" gen --objects "$N" --out "$OUT/report" --shape mixed --seed 42
fi
echo
echo "== s3inv build $OUT/report -o $OUT/demo.s3i"
"$BIN" build "$OUT/report" -o "$OUT/demo.s3i"
echo
echo "== s3inv du $OUT/demo.s3i"
"$BIN" du "$OUT/demo.s3i"
echo
echo "== s3inv ls $OUT/demo.s3i --limit 15"
"$BIN" ls "$OUT/demo.s3i" --limit 15
echo
echo "== s3inv top $OUT/demo.s3i --depth 2 --limit 10"
"$BIN" top "$OUT/demo.s3i" --depth 2 --limit 10
echo
echo "Try: $BIN ls $OUT/demo.s3i <prefix>/   ·   $BIN du --json $OUT/demo.s3i   ·   $BIN --help"
