#!/bin/bash
# make bench: every benchmark, figures into BENCHMARKS.md (each its own section).
#   BENCH_OBJECTS (default 10000000) rows per generated report.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/bench_*.sh; do
  echo "== $b"
  bash "$b"
done
