#!/bin/bash
# SPDX-License-Identifier: MIT
# Run every libFuzzer target briefly from its seed corpus; fail on a crash.
#   scripts/fuzz-smoke.sh [SECONDS]    (default 10 per target)
# Configures build-fuzz with clang and -DS3INV_FUZZ=ON, builds the
# fuzz/fuzz_*.c targets as <target>_fuzzer, and runs each on a scratch copy
# of fuzz/corpus/<target>/ (the committed corpus is never modified). A crash
# leaves its reproducer in build-fuzz/fuzz/crashes/<target>/: add it to the
# corpus once fixed. Skips (exit 0) when clang is not installed.
set -euo pipefail
secs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=${S3INV_FUZZ_BUILD:-$root/build-fuzz}
if ! command -v clang >/dev/null; then
  echo "fuzz-smoke: clang not found, skipping"; echo "0 passed, 0 failed"; exit 0
fi
CC=clang cmake -S "$root" -B "$bdir" -DCMAKE_BUILD_TYPE=Debug -DS3INV_FUZZ=ON >/dev/null
targets=()
for src in "$root"/fuzz/fuzz_*.c; do targets+=("$(basename "$src" .c)"); done
nice cmake --build "$bdir" -j2 --target "${targets[@]/%/_fuzzer}" >/dev/null
pass=0; fail=0
for t in "${targets[@]}"; do
  scratch="$bdir/fuzz/scratch/$t"; crashes="$bdir/fuzz/crashes/$t"
  rm -rf "$scratch"; mkdir -p "$scratch" "$crashes"
  if [ -d "$root/fuzz/corpus/$t" ]; then cp -r "$root/fuzz/corpus/$t/." "$scratch/"; fi
  if nice "$bdir/fuzz/${t}_fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=0 "$scratch" \
       >"$bdir/fuzz/$t.log" 2>&1; then
    echo "ok   $t ($(grep -c '' "$bdir/fuzz/$t.log") log lines, corpus $(ls "$scratch" | wc -l) files)"
    pass=$((pass + 1))
  else
    echo "FAIL $t: see $bdir/fuzz/$t.log and $crashes/"; tail -30 "$bdir/fuzz/$t.log"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
