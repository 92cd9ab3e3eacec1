#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_diff.sh — `s3inv diff` end to end: two generated reports of one
# bucket (different sizes, so prefixes appear, vanish and change), every
# JSON row checked against the du JSON of both indexes; sort orders,
# limits, the header and the different-bucket warning, exit codes.
. "$(dirname "$0")/lib.sh"

"$BIN" gen --objects 3000 --seed 1 --files 2 --out "$T/r1" >/dev/null 2>&1
"$BIN" gen --objects 4000 --seed 1 --files 2 --out "$T/r2" >/dev/null 2>&1
"$BIN" build "$T/r1" -o "$T/a.s3i" >/dev/null 2>&1
"$BIN" build "$T/r2" -o "$T/b.s3i" >/dev/null 2>&1

# every depth-2 row against du of both sides
expect_rc 0 "$BIN" diff "$T/a.s3i" "$T/b.s3i" --depth 2 --sort name --json --show-unchanged
cp "$T/out" "$T/diff.json"
$PY - "$T/diff.json" "$BIN" "$T/a.s3i" "$T/b.s3i" <<'PYEOF' && ok || bad "diff rows match du on both indexes"
import json, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
binp, a, b = sys.argv[2:5]
def du(idx):
    # every prefix at depth 2 through ls of each depth-1 child
    out = {}
    top = json.loads(subprocess.run([binp, "ls", idx, "--json"], capture_output=True).stdout)
    for c in top["children"]:
        kids = json.loads(subprocess.run([binp, "ls", idx, "--json", "--", c["prefix"]], capture_output=True).stdout)
        for k in kids["children"]:
            out[k["prefix"]] = k
    return out
A, B = du(a), du(b)
assert len(rows) == len(set(A) | set(B)), (len(rows), len(set(A) | set(B)))
names = [r["prefix"].encode("utf-8", "surrogateescape") for r in rows]
assert names == sorted(names), "name order"
new = gone = 0
for r in rows:
    p = r["prefix"]
    for side, D in (("old", A), ("new", B)):
        if p in D:
            assert r[side] == {"objects": D[p]["objects"], "bytes": D[p]["bytes"]}, (p, side)
        else:
            assert r[side] is None, (p, side)
    o = r["old"] or {"objects": 0, "bytes": 0}
    n = r["new"] or {"objects": 0, "bytes": 0}
    assert r["delta"] == {"objects": n["objects"] - o["objects"], "bytes": n["bytes"] - o["bytes"]}
    new += r["old"] is None
    gone += r["new"] is None
assert new > 0 and gone > 0, (new, gone)
PYEOF

# growth and shrink orders, limit
expect_rc 0 "$BIN" diff "$T/a.s3i" "$T/b.s3i" --depth 2 --json --limit 5
check "growth: 5 rows, bytes delta descending" pyjson '
import json,sys
r=[json.loads(l) for l in open(sys.argv[1])]
d=[x["delta"]["bytes"] for x in r]
assert len(r)==5 and d==sorted(d,reverse=True), d'
expect_rc 0 "$BIN" diff "$T/a.s3i" "$T/b.s3i" --depth 2 --json --sort shrink
check "shrink: ascending, unchanged dropped" pyjson '
import json,sys
r=[json.loads(l) for l in open(sys.argv[1])]
d=[x["delta"]["bytes"] for x in r]
assert d==sorted(d) and all(x["delta"]!={"objects":0,"bytes":0} or x["old"] is None or x["new"] is None for x in r)'

# text: header with both reports, then rows
expect_rc 0 "$BIN" diff "$T/a.s3i" "$T/b.s3i"
check "text header names both indexes" grep -q "^old: $T/a.s3i (bucket example-bucket, report 2026-11-22" "$T/out"
check "text has a new/gone-free root listing" grep -q "backups/" "$T/out"
check "no warning for the same bucket" test ! -s "$T/err"

# a prefix without its delimiter, a prefix in neither
expect_rc 0 "$BIN" diff "$T/a.s3i" "$T/b.s3i" backups --depth 0 --json
check "backups finds backups/" grep -q '"prefix":"backups/"' "$T/out"
expect_rc 1 "$BIN" diff "$T/a.s3i" "$T/b.s3i" no-such-prefix/
check "not found: one line" one_line_error

# a different source bucket: warning, still a diff
mkdir -p "$T/r3"
cp -r "$T/r1/data" "$T/r3/"
sed 's/"sourceBucket" *: *"example-bucket"/"sourceBucket" : "other-bucket"/' "$T/r1/manifest.json" >"$T/r3/manifest.json"
"$BIN" build "$T/r3/manifest.json" -o "$T/c.s3i" >/dev/null 2>"$T/build.err"
if [ -f "$T/c.s3i" ]; then
	expect_rc 0 "$BIN" diff "$T/a.s3i" "$T/c.s3i" --json
	check "different buckets: warning on stderr" grep -q "different source buckets ('example-bucket' and 'other-bucket')" "$T/err"
else
	bad "build of the renamed-bucket report: $(cat "$T/build.err")"
fi

# an index built with --max-depth: a warning that deeper prefixes are absent
"$BIN" build "$T/r1" -o "$T/shallow.s3i" --max-depth 1 >/dev/null 2>&1
expect_rc 0 "$BIN" diff "$T/shallow.s3i" "$T/b.s3i" --depth 2 --json
check "max-depth warning" grep -q "built with --max-depth 1: it has no prefix 2 levels deep" "$T/err"
expect_rc 0 "$BIN" diff "$T/shallow.s3i" "$T/b.s3i" --depth 1 --json
check "no warning within max-depth" test ! -s "$T/err"

# usage errors
expect_rc 2 "$BIN" diff "$T/a.s3i"
check "missing NEW: usage" grep -q "missing NEW index" "$T/err"
expect_rc 2 "$BIN" diff "$T/a.s3i" "$T/b.s3i" --sort size
expect_rc 2 "$BIN" diff "$T/a.s3i" "$T/nonexistent.s3i"
check "missing index: one line" one_line_error
printf 'garbage' >"$T/bad.s3i"
expect_rc 2 "$BIN" diff "$T/bad.s3i" "$T/b.s3i"
expect_rc 0 "$BIN" diff --help
finish
