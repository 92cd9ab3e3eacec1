#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_noncurrent.sh — non-current versions in the query commands:
# `top --by noncurrent-bytes` ranks exactly like sorting the export's
# prefixes of that depth by non-current bytes (ties in name order), `ls`
# and `du` text show non-current versions and delete markers of a
# versioned report and nothing of the kind for an unversioned one.
. "$(dirname "$0")/lib.sh"

"$BIN" gen --objects 6000 --seed 5 --files 2 --out "$T/v" >/dev/null 2>&1
"$BIN" gen --objects 2000 --seed 5 --files 1 --no-versions --out "$T/p" >/dev/null 2>&1
"$BIN" build "$T/v" -o "$T/v.s3i" >/dev/null 2>&1
"$BIN" build "$T/p" -o "$T/p.s3i" >/dev/null 2>&1
"$BIN" export "$T/v.s3i" --format ndjson >"$T/all.ndjson" 2>/dev/null

for d in 1 2 3; do
	expect_rc 0 "$BIN" top "$T/v.s3i" --by noncurrent-bytes --depth $d --limit 0 --json
	check "top --by noncurrent-bytes --depth $d == sorted export" $PY -c '
import json,sys
d=int(sys.argv[3])
top=json.load(open(sys.argv[1]))
assert top["by"]=="noncurrent-bytes"
full=[json.loads(l) for l in open(sys.argv[2],encoding="utf-8")]
key=lambda p: p.encode("utf-8","surrogatepass")
want=sorted((j for j in full if j["depth"]==d), key=lambda j:(-j["noncurrent"]["bytes"], key(j["prefix"])))
got=top["results"]
assert [g["prefix"] for g in got]==[w["prefix"] for w in want]
assert any(w["noncurrent"]["bytes"]>0 for w in want)' "$T/out" "$T/all.ndjson" $d
done
expect_rc 0 "$BIN" top "$T/v.s3i" --by noncurrent-bytes --limit 3
check "top text: nc bytes column" grep -q "nc bytes" "$T/out"
expect_rc 0 "$BIN" ls "$T/v.s3i"
check "ls text: non-current versions and delete markers" grep -q "non-current versions (.*) and .* delete markers" "$T/out"
expect_rc 0 "$BIN" du "$T/v.s3i"
check "du text: noncurrent line" grep -q "noncurrent .* objects" "$T/out"
check "du text: delete markers line" grep -q "delete markers" "$T/out"
expect_rc 0 "$BIN" ls "$T/p.s3i"
check "unversioned ls: no version line" bash -c "! grep -q non-current '$T/out'"
expect_rc 0 "$BIN" du "$T/p.s3i"
check "unversioned du: no version line" bash -c "! grep -q noncurrent '$T/out'"
expect_rc 2 "$BIN" top "$T/v.s3i" --by nc
finish
