# SPDX-License-Identifier: MIT
# lib.sh — shared helpers of the tests/cli/test_*.sh scripts (sourced, not run).
#
# Each script gets the s3inv binary as $1 and S3INV_TMP (scratch root) in
# the environment; it works under $S3INV_TMP/cli-<script name>, counts
# checks and ends with "N passed, M failed" (exit 1 when M > 0).
set -u
BIN=${1:?usage: $0 path/to/s3inv}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
if [ ! -x "$BIN" ]; then
	echo "not executable: $BIN" >&2
	exit 2
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=${S3INV_TMP:-/tmp/s3inv-test}/cli-$(basename "$0" .sh)
rm -rf "$T"
mkdir -p "$T"
# a plain interpreter (version-manager shims can cost seconds per start)
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
PASS=0
FAIL=0
RC=0

ok() { PASS=$((PASS + 1)); }
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL: $*" >&2
}
# check DESCRIPTION COMMAND... : passes when COMMAND succeeds
check() {
	local desc=$1
	shift
	if "$@"; then ok; else bad "$desc"; fi
}
# run COMMAND...: stdout in $T/out, stderr in $T/err, status in RC
run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}
# expect_rc WANT COMMAND...
expect_rc() {
	local want=$1
	shift
	run "$@"
	if [ "$RC" -eq "$want" ]; then
		ok
	else
		bad "exit $RC, want $want: $* -- stderr: $(head -c 400 "$T/err")"
	fi
}
# The error convention: exactly one line on stderr, starting "s3inv: ".
one_line_error() {
	[ "$(wc -l <"$T/err")" -eq 1 ] && head -1 "$T/err" | grep -q '^s3inv: '
}
# err_names TEXT: the (one-line) error mentions TEXT
err_names() { grep -qF -- "$1" "$T/err"; }
# never a crash: no signal exit, no sanitizer report
no_crash() {
	[ "$RC" -lt 128 ] && ! grep -q 'Sanitizer\|runtime error' "$T/err"
}
# pyjson SCRIPT: run python with $T/out as argv[1]; pass when it exits 0
pyjson() { $PY -c "$1" "$T/out"; }
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ] || exit 1
	exit 0
}
