#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_badinput.sh — every kind of bad build input ends with exit 2, one
# line "s3inv: ..." naming the offending file, and nothing left behind:
# no index under the output name, no temporary file in the output folder.
. "$(dirname "$0")/lib.sh"
REF="$PY $HERE/ref.py"

expect_rc 0 "$BIN" gen --objects 3000 --files 3 --seed 11 --no-gzip --out "$T/csv"
expect_rc 0 "$BIN" gen --objects 3000 --files 3 --seed 11 --gzip --out "$T/gz"

# fresh COPY of report $1 in $T/case (echoed)
fresh() {
	rm -rf "$T/case" "$T/outdir"
	cp -r "$T/$1" "$T/case"
	mkdir -p "$T/outdir"
}
datafile() { ls "$T/case/data/"* | sed -n "${1}p"; }
# expect_fail DESCRIPTION NAMED-TEXT [extra build args...]
expect_fail() {
	local desc=$1 named=$2
	shift 2
	run "$BIN" build "$T/case" -o "$T/outdir/x.s3i" --threads 2 "$@"
	if [ "$RC" -eq 2 ]; then ok; else bad "$desc: exit $RC, want 2: $(head -c 300 "$T/err")"; fi
	check "$desc: one-line error ($(head -1 "$T/err"))" one_line_error
	check "$desc: message names '$named' ($(head -1 "$T/err"))" err_names "$named"
	check "$desc: no index left" test ! -e "$T/outdir/x.s3i"
	check "$desc: nothing left in the output folder ($(ls -A "$T/outdir"))" \
		test -z "$(ls -A "$T/outdir")"
}

# the good reports build (sanity)
fresh csv
run "$BIN" build "$T/case" -o "$T/outdir/x.s3i" --quiet
check "good report builds (exit $RC)" test "$RC" -eq 0 -a -s "$T/outdir/x.s3i"

fresh csv
rm -rf "$T/case"
run "$BIN" build "$T/case/nope" -o "$T/outdir/x.s3i"
check "missing source: exit 2" test "$RC" -eq 2
check "missing source: one line" one_line_error
check "missing source: names it" err_names "nope"
check "missing source: no index" test ! -e "$T/outdir/x.s3i"

fresh csv
printf '{ "fileFormat": "CSV", "files": [ oops' >"$T/case/manifest.json"
expect_fail "manifest not JSON" "manifest.json"

fresh csv
$PY - "$T/case/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["fileSchema"] = ", ".join(c for c in m["fileSchema"].split(", ") if c != "Key")
json.dump(m, open(sys.argv[1], "w"))
PY
expect_fail "manifest without Key" "manifest.json"

fresh csv
f=$(datafile 2)
rm "$f"
expect_fail "missing data file" "$(basename "$f")"

fresh csv
f=$(datafile 1)
# change one digit of a Size field: still valid CSV, different MD5
$PY - "$f" "$T/case/manifest.json" <<'PY'
import json, sys
col = [c.strip() for c in json.load(open(sys.argv[2]))["fileSchema"].split(",")].index("Size")
b = bytearray(open(sys.argv[1], "rb").read())
i = 0
for _ in range(col):
    i = b.index(b'","', i) + 3     # first char of the Size field of row 1
b[i] = ord("1") if b[i] != ord("1") else ord("2")
open(sys.argv[1], "wb").write(b)
PY
expect_fail "MD5 mismatch" "$(basename "$f")"
run "$BIN" build "$T/case" -o "$T/outdir/x.s3i" --no-verify --quiet
check "MD5 mismatch: --no-verify builds (exit $RC)" test "$RC" -eq 0

fresh gz
f=$(datafile 3)
head -c $(($(stat -c %s "$f") / 2)) "$f" >"$T/half" && cp "$T/half" "$f"
expect_fail "truncated gzip (MD5 checked)" "$(basename "$f")"
$REF fix "$T/case/manifest.json"
expect_fail "truncated gzip (MD5 fixed)" "$(basename "$f")"

# malformed CSV: good rows, then a bad one at line 3 (manifest MD5 fixed)
bad_csv() {
	fresh csv
	f=$(datafile 2)
	$PY - "$f" "$1" "$T/case/manifest.json" <<'PY'
import json, sys
path, kind = sys.argv[1], sys.argv[2]
size = [c.strip() for c in json.load(open(sys.argv[3]))["fileSchema"].split(",")].index("Size")
lines = open(path, "rb").read().split(b"\n")[:5]
fields = lines[2].split(b'","')
if kind == "quote":
    lines[2] = lines[2][:-1]                       # drop the closing quote
    lines = lines[:3]                              # ... at the end of the file
elif kind == "columns":
    lines[2] = b'","'.join(fields[:-2]) + b'"'
elif kind == "size":
    fields[size] = b"12x4"
    lines[2] = b'","'.join(fields)
open(path, "wb").write(b"\n".join(lines) + (b"\n" if kind != "quote" else b""))
PY
	$REF fix "$T/case/manifest.json"
}
bad_csv quote
expect_fail "unterminated quote" "$(basename "$f")"
bad_csv columns
expect_fail "wrong column count" "$(basename "$f")"
check "wrong column count: says which line" err_names "3"
bad_csv size
expect_fail "non-numeric size" "$(basename "$f")"

# unwritable output
fresh csv
run "$BIN" build "$T/case" -o "$T/no/such/dir/x.s3i"
check "output dir missing: exit 2" test "$RC" -eq 2
check "output dir missing: one line" one_line_error
check "output dir missing: names it" err_names "$T/no/such/dir"
: >"$T/afile"
run "$BIN" build "$T/case" -o "$T/afile/x.s3i"
check "output under a file: exit 2" test "$RC" -eq 2
check "output under a file: one line" one_line_error
check "output under a file: names it" err_names "afile"
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$T/ro" && chmod 555 "$T/ro"
	run "$BIN" build "$T/case" -o "$T/ro/x.s3i"
	check "read-only dir: exit 2" test "$RC" -eq 2
	check "read-only dir: nothing left" test -z "$(ls -A "$T/ro")"
	chmod 755 "$T/ro"
fi
run "$BIN" build "$T/case" -o /proc/x.s3i
check "output in /proc: exit 2" test "$RC" -eq 2
check "output in /proc: one line" one_line_error
# an existing index is not damaged by a failed rebuild
fresh csv
run "$BIN" build "$T/case" -o "$T/outdir/keep.s3i" --quiet
cp "$T/outdir/keep.s3i" "$T/keep.copy"
rm "$(datafile 1)"
run "$BIN" build "$T/case" -o "$T/outdir/keep.s3i"
check "failed rebuild: exit 2" test "$RC" -eq 2
check "failed rebuild: the old index is untouched" cmp -s "$T/outdir/keep.s3i" "$T/keep.copy"
check "failed rebuild: no temp files" test "$(ls -A "$T/outdir")" = "keep.s3i"

finish
