#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_usage.sh — help texts, usage errors, option values and exit codes of
# every command, with no index needed (plus a missing / non-index file).
. "$(dirname "$0")/lib.sh"

CMDS="build du ls top info verify gen reports version help"

expect_rc 2 "$BIN"
check "no command: one-line error + hint" grep -q '^s3inv: no command given' "$T/err"

expect_rc 0 "$BIN" --help
for c in $CMDS; do
	check "--help lists $c" grep -q "^  $c " "$T/out"
done
expect_rc 0 "$BIN" -h
expect_rc 0 "$BIN" --version
check "--version prints s3inv X.Y.Z" grep -Eq '^s3inv [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"
expect_rc 0 "$BIN" version
check "version prints s3inv X.Y.Z" grep -Eq '^s3inv [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"

for c in $CMDS; do
	expect_rc 0 "$BIN" "$c" --help
	for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS"; do
		check "$c --help has $section" grep -q "^$section" "$T/out"
	done
	expect_rc 0 "$BIN" help "$c"
	check "help $c = $c --help" grep -q "s3inv $c" "$T/out"
done
for c in build du ls top info verify gen reports; do
	expect_rc 0 "$BIN" "$c" -h
	check "$c --help has OPTIONS and EXAMPLES" grep -q '^EXAMPLES' "$T/out"
	expect_rc 2 "$BIN" "$c" --bogus-option
	check "$c: unknown option message" \
		test "$(head -1 "$T/err")" = "s3inv: $c: unknown option '--bogus-option'"
	check "$c: hint line" grep -q "^Try 's3inv $c --help'" "$T/err"
	expect_rc 2 "$BIN" "$c" --bogus=1
	check "$c: unknown --x=v" test "$(head -1 "$T/err")" = "s3inv: $c: unknown option '--bogus'"
	expect_rc 2 "$BIN" "$c" -Z
	check "$c: unknown short option" test "$(head -1 "$T/err")" = "s3inv: $c: unknown option '-Z'"
done

expect_rc 2 "$BIN" frobnicate
check "unknown command" test "$(head -1 "$T/err")" = "s3inv: unknown command 'frobnicate'"
expect_rc 2 "$BIN" --frob
check "unknown global option" test "$(head -1 "$T/err")" = "s3inv: unknown option '--frob'"
expect_rc 2 "$BIN" help frobnicate

# missing arguments
expect_rc 2 "$BIN" du
check "du: missing INDEX" grep -q '^s3inv: du: missing INDEX' "$T/err"
expect_rc 2 "$BIN" ls
expect_rc 2 "$BIN" top
expect_rc 2 "$BIN" info
expect_rc 2 "$BIN" verify
expect_rc 2 "$BIN" build
check "build: missing SOURCE" grep -q '^s3inv: build: missing SOURCE' "$T/err"
expect_rc 2 "$BIN" build "$T/src"
check "build: missing -o" grep -q '^s3inv: build: missing -o' "$T/err"
expect_rc 2 "$BIN" gen --objects 10
check "gen: missing --out" grep -q '^s3inv: gen: missing --out' "$T/err"
expect_rc 2 "$BIN" reports
expect_rc 2 "$BIN" build "$T/src" -o
check "option without value" grep -q "needs a value" "$T/err"
expect_rc 2 "$BIN" version extra
expect_rc 2 "$BIN" info a b
expect_rc 2 "$BIN" du x --json=yes
check "flag with a value" grep -q "takes no value" "$T/err"

# bad option values: all usage errors (exit 2) before touching any file
for bad in "--mem-budget 12Q" "--mem-budget -5" "--mem-budget 0" "--mem-budget 99999999999T" \
	"--mem-budget 1.5" "--threads 0" "--threads x" "--threads 99999" "--max-depth -1" \
	"--delimiter ab" "--delimiter=" "--part-size 1x" "--max-connections 0"; do
	# shellcheck disable=SC2086
	expect_rc 2 "$BIN" build "$T/src" -o "$T/x.s3i" $bad
	check "build $bad: usage error" grep -q '^s3inv: build: ' "$T/err"
	check "build $bad: no output" test ! -e "$T/x.s3i"
done
expect_rc 2 "$BIN" ls "$T/none.s3i" --sort size
check "ls --sort size" grep -q "invalid value 'size' for --sort" "$T/err"
expect_rc 2 "$BIN" ls "$T/none.s3i" --limit -1
expect_rc 2 "$BIN" top "$T/none.s3i" --depth 0
expect_rc 2 "$BIN" top "$T/none.s3i" --by name
expect_rc 2 "$BIN" gen --out "$T/g" --shape round
expect_rc 2 "$BIN" gen --out "$T/g" --objects 0
expect_rc 2 "$BIN" gen --out "$T/g" --objects 12q
expect_rc 2 "$BIN" du "$T/none.s3i" a --stdin
check "gen: no output on usage error" test ! -e "$T/g"

# a missing index and a file that is not an index: one line naming it
for c in du ls top info verify; do
	expect_rc 2 "$BIN" "$c" "$T/missing.s3i"
	check "$c missing index: one line" one_line_error
	check "$c missing index: names it" err_names "missing.s3i"
done
printf 'this is not an index\n' >"$T/text.s3i"
for c in du ls top info verify; do
	expect_rc 2 "$BIN" "$c" "$T/text.s3i"
	check "$c non-index: one line" one_line_error
	check "$c non-index: names it" err_names "text.s3i"
done
mkdir -p "$T/dir.s3i"
expect_rc 2 "$BIN" du "$T/dir.s3i"
check "directory as index: one line" one_line_error

# a closed pipe is not an error
"$BIN" --help 2>"$T/err" | head -c 1 >/dev/null
check "help into a closed pipe: no message" test ! -s "$T/err"

finish
