#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cost.sh — --cost / --prices on du, ls, top, diff: du JSON carries
# the cost object and its total equals the sum of its children's plus the
# direct objects' (checked with a prices file where only STANDARD costs,
# so the direct part is known from the classes); ls/top show a cost column;
# diff JSON cost deltas are new minus old; bad price files are one-line
# errors.
. "$(dirname "$0")/lib.sh"

"$BIN" gen --objects 3000 --seed 4 --files 1 --out "$T/r" >/dev/null 2>&1
"$BIN" gen --objects 3500 --seed 4 --files 1 --out "$T/r2" >/dev/null 2>&1
"$BIN" build "$T/r" -o "$T/a.s3i" >/dev/null 2>&1
"$BIN" build "$T/r2" -o "$T/b.s3i" >/dev/null 2>&1

expect_rc 0 "$BIN" du "$T/a.s3i" --cost --json
check "du --cost --json: a cost object" pyjson '
import json,sys
d=json.loads(open(sys.argv[1]).readline())
c=d["cost"]
assert c["prices"]=={"region":"us-east-1","date":"2025-06-01"}
assert c["min_size"]>0 and c["monitoring"]>0
assert abs(c["usd_month"]-(c["storage"]+c["archive_overhead"]+c["min_size"]+c["monitoring"]))<1e-5*c["usd_month"]
assert c["usd_month"]>0'
# additivity: with only STANDARD priced (all else 0, no overhead), cost == STANDARD bytes x 1 $/GiB
cat >"$T/p.json" <<'JSON'
{"date":"2030-01-01","region":"test","storage_gb_month":{"STANDARD":1,"REDUCED_REDUNDANCY":0,"STANDARD_IA":0,
 "ONEZONE_IA":0,"GLACIER_IR":0,"GLACIER":0,"DEEP_ARCHIVE":0,"EXPRESS_ONEZONE":0,"INTELLIGENT_TIERING":0,
 "INTELLIGENT_TIERING:FREQUENT_ACCESS":0,"INTELLIGENT_TIERING:INFREQUENT_ACCESS":0,
 "INTELLIGENT_TIERING:ARCHIVE_INSTANT_ACCESS":0,"INTELLIGENT_TIERING:ARCHIVE_ACCESS":0,
 "INTELLIGENT_TIERING:DEEP_ARCHIVE_ACCESS":0},
 "archive_overhead_bytes":0,"archive_overhead_standard_bytes":0,
 "intelligent_tiering_monitoring_per_1000":0}
JSON
"$BIN" ls "$T/a.s3i" --json >"$T/ls.json"
expect_rc 0 "$BIN" du "$T/a.s3i" backups datasets users --prices "$T/p.json" --json
# (JSON numbers carry 6 significant digits)
check "--prices: cost = STANDARD GiB" pyjson '
import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    std=d["classes"].get("STANDARD",{"bytes":0})["bytes"]
    assert abs(d["cost"]["usd_month"]-std/2**30)<1e-5*(std/2**30)+1e-6,(d["prefix"],d["cost"],std)
    assert d["cost"]["prices"]["date"]=="2030-01-01"'
expect_rc 0 "$BIN" du "$T/a.s3i" --cost
check "du text: est. cost line" grep -q "est. cost .*/month (us-east-1 prices of 2025-06-01" "$T/out"
expect_rc 0 "$BIN" ls "$T/a.s3i" --cost
check "ls text: cost column" grep -q "cost/mo" "$T/out"
expect_rc 0 "$BIN" top "$T/a.s3i" --cost --depth 2 -n 3
check "top text: cost column" grep -q 'cost/mo' "$T/out"
expect_rc 0 "$BIN" diff "$T/a.s3i" "$T/b.s3i" --cost --json --show-unchanged
cp "$T/out" "$T/diff.json"
check "diff --cost: delta = new - old, old matches du" $PY -c '
import json,subprocess,sys
for l in open(sys.argv[1]):
    r=json.loads(l); c=r["cost"]
    assert abs(c["delta"]-(c["new"]-c["old"]))<1e-5*max(c["new"],c["old"])+1e-6
    if r["old"] is None: assert c["old"]==0
    else:
        d=json.loads(subprocess.run([sys.argv[2],"du",sys.argv[3],"--cost","--json","--",r["prefix"]],capture_output=True).stdout)
        assert abs(d["cost"]["usd_month"]-c["old"])<1e-5*c["old"]+1e-6,(r["prefix"],d["cost"],c)' "$T/diff.json" "$BIN" "$T/a.s3i"

# hand-computed: 128 KiB minimum for STANDARD_IA, Intelligent-Tiering monitoring
mkdir -p "$T/hand/data"
cat >"$T/hand/data/a.csv" <<'CSV'
"b","ia/small","1000","2026-11-01T00:00:00.000Z","STANDARD_IA",""
"b","ia/big","1048576","2026-11-01T00:00:00.000Z","STANDARD_IA",""
"b","it/a","10240","2026-11-01T00:00:00.000Z","INTELLIGENT_TIERING","FREQUENT_ACCESS"
"b","it/b","204800","2026-11-01T00:00:00.000Z","INTELLIGENT_TIERING","FREQUENT_ACCESS"
"b","it/c","5242880","2026-11-01T00:00:00.000Z","INTELLIGENT_TIERING","FREQUENT_ACCESS"
CSV
cat >"$T/hand/manifest.json" <<'JSON'
{"sourceBucket":"b","destinationBucket":"arn:aws:s3:::d","version":"2016-11-30",
 "creationTimestamp":"1795309200000","fileFormat":"CSV",
 "fileSchema":"Bucket, Key, Size, LastModifiedDate, StorageClass, IntelligentTieringAccessTier",
 "files":[{"key":"b/inv/data/a.csv","size":1,"MD5checksum":"00000000000000000000000000000000"}]}
JSON
"$BIN" build "$T/hand" -o "$T/hand.s3i" --no-verify >/dev/null 2>&1
expect_rc 0 "$BIN" du "$T/hand.s3i" --cost --json
check "hand-computed cost: storage, 128 KiB minimum, IT monitoring" pyjson '
import json,sys
c=json.loads(open(sys.argv[1]).readline())["cost"]
G=2**30
st=(1000+1048576)/G*0.0125+(10240+204800+5242880)/G*0.023
ms=(131072-1000)/G*0.0125
mo=2/1000*0.0025
for k,v in (("storage",st),("min_size",ms),("monitoring",mo),("usd_month",st+ms+mo)):
    assert abs(c[k]-v)<=1e-5*v,(k,c[k],v)'
# bad price files
printf '{"storage_gb_month":{"STANDARD":"cheap"}}' >"$T/bad1.json"
expect_rc 2 "$BIN" du "$T/a.s3i" --prices "$T/bad1.json"
check "bad price: one line naming the file" bash -c "one_line_error(){ [ \$(wc -l <'$T/err') -eq 1 ]; }; one_line_error && grep -q bad1.json '$T/err'"
printf '{"storage_gb_month":' >"$T/bad2.json"
expect_rc 2 "$BIN" ls "$T/a.s3i" --prices "$T/bad2.json"
check "truncated prices: line number" grep -q "line" "$T/err"
expect_rc 2 "$BIN" top "$T/a.s3i" --prices "$T/none.json"
expect_rc 2 "$BIN" du "$T/a.s3i" --cost --stdin
finish
