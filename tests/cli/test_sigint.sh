#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_sigint.sh — Ctrl-C (SIGINT) and SIGTERM during a build: the build
# stops with a non-zero exit, leaves no index under the output name and no
# temporary or run file in the output folder or --tmp-dir.
. "$(dirname "$0")/lib.sh"

expect_rc 0 "$BIN" gen --objects 400000 --files 4 --seed 9 --out "$T/r"

# build in the background; signal it once the scan phase has begun
interrupt() {
	local sig=$1
	rm -rf "$T/outdir" "$T/tmpdir"
	mkdir -p "$T/outdir" "$T/tmpdir"
	"$BIN" build "$T/r" -o "$T/outdir/x.s3i" --threads 1 --mem-budget 16MiB \
		--tmp-dir "$T/tmpdir" --progress >"$T/out" 2>"$T/err" &
	local pid=$! i
	for i in $(seq 1 400); do
		grep -q '^scan' "$T/err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid"
	RC=$?
}

for sig in INT TERM; do
	interrupt "$sig"
	if [ "$RC" -eq 0 ]; then
		echo "note: the build finished before SIG$sig arrived; nothing to check" >&2
		ok
		continue
	fi
	check "SIG$sig: exit non-zero ($RC)" test "$RC" -ne 0
	check "SIG$sig: exit 2, not killed by the signal ($RC)" test "$RC" -eq 2
	check "SIG$sig: says interrupted" grep -q "^s3inv: build: interrupted by SIG$sig" "$T/err"
	check "SIG$sig: no index" test ! -e "$T/outdir/x.s3i"
	check "SIG$sig: output folder empty ($(ls -A "$T/outdir"))" test -z "$(ls -A "$T/outdir")"
	check "SIG$sig: tmp folder empty ($(ls -A "$T/tmpdir"))" test -z "$(ls -A "$T/tmpdir")"
done

# the same report builds when left alone
rm -rf "$T/outdir" && mkdir -p "$T/outdir"
expect_rc 0 "$BIN" build "$T/r" -o "$T/outdir/x.s3i" --quiet
check "uninterrupted build: only the index remains" test "$(ls -A "$T/outdir")" = "x.s3i"

finish
