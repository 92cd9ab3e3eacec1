#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_age.sh — `s3inv age`, `ls/top --older-than` and the age columns,
# against a Python reference that reads the CSV itself: a generated report
# (ages spread over years, versions, hostile keys) and a hand-written one
# with dates after the report, empty dates, the exact bucket bounds and a
# root-level object; a report without LastModifiedDate has no age data.
. "$(dirname "$0")/lib.sh"

"$BIN" gen --objects 4000 --seed 11 --files 2 --out "$T/r" >/dev/null 2>&1
"$BIN" build "$T/r" -o "$T/a.s3i" --threads 2 >/dev/null 2>&1

# the reference: every prefix's age buckets from the CSV (gzip or plain)
cat >"$T/ref.py" <<'PY'
import csv, datetime, gzip, io, json, os, sys, urllib.parse
man = sys.argv[1]
m = json.load(open(man))
cols = [c.strip() for c in m["fileSchema"].split(",")]
rep = int(m["creationTimestamp"])
bounds = [30, 90, 180, 365, 730, 1825]
agg = {}
def bucket(s):
    if not s: return None
    t = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    ms = int(t.timestamp() * 1000) + (int(s[20:23]) if len(s) > 23 else 0)
    d = 0 if ms >= rep else (rep - ms) // 86400000
    return sum(1 for b in bounds if d >= b)
for f in m["files"]:
    p = os.path.join(os.path.dirname(man), "data", os.path.basename(f["key"]))
    raw = open(p, "rb").read()
    if raw[:2] == b"\x1f\x8b": raw = gzip.decompress(raw)
    for row in csv.reader(io.StringIO(raw.decode("utf-8"), newline="")):
        r = dict(zip(cols, row))
        key = urllib.parse.unquote_plus(r["Key"])
        pfx = [""] + [key[:i + 1] for i, c in enumerate(key) if c == "/"]
        for p_ in pfx:
            agg.setdefault(p_, [[0, 0] for _ in range(7)])
        if r.get("IsLatest", "true").lower() != "true" or r.get("IsDeleteMarker", "false").lower() == "true":
            continue
        b = bucket(r.get("LastModifiedDate", ""))
        size = int(r["Size"] or 0)
        for p_ in pfx:
            if b is not None:
                agg[p_][b][0] += 1; agg[p_][b][1] += size
json.dump(agg, open(sys.argv[2], "w"))
PY
$PY "$T/ref.py" "$T/r/manifest.json" "$T/ref.json"
"$BIN" export "$T/a.s3i" --format ndjson >"$T/all.ndjson"
check "every prefix: age == reference" $PY -c '
import json,sys
ref=json.load(open(sys.argv[1])); n=0
for l in open(sys.argv[2]):
    d=json.loads(l); n+=1
    got=[[b["objects"],b["bytes"]] for b in d["age"]]
    assert got==ref[d["prefix"]],(d["prefix"],got,ref[d["prefix"]])
assert n==len(ref),(n,len(ref))
assert sum(1 for v in ref[""] if v[0])>=6   # ages spread over the years' "$T/ref.json" "$T/all.ndjson"

expect_rc 0 "$BIN" age "$T/a.s3i" --json
check "age --json: shape, report date, seven buckets" pyjson '
import json,sys
d=json.loads(open(sys.argv[1]).read())
assert d["prefix"]=="" and d["report_date"]=="2026-11-22"
assert [b["bucket"] for b in d["age"]]==["<30d","30-90d","90-180d","180d-1y","1-2y","2-5y",">=5y"]'
expect_rc 0 "$BIN" age "$T/a.s3i"
check "age text: a table with every bucket" bash -c "grep -q '>= 5 years' '$T/out' && grep -q '< 30 days' '$T/out'"
expect_rc 1 "$BIN" age "$T/a.s3i" no-such-prefix/
check "age: missing prefix is exit 1, one line" one_line_error
expect_rc 2 "$BIN" ls "$T/a.s3i" --older-than 45d
check "--older-than 45d: not a bucket bound" bash -c "grep -q '30d, 90d' '$T/err'"

# ls --older-than: children ranked by bytes >= 1 year old, as the reference says
for age in 90d 1y 5y; do
	expect_rc 0 "$BIN" ls "$T/a.s3i" --older-than $age --json
	check "ls --older-than $age: ranking and values == reference" $PY -c '
import json,sys
ref=json.load(open(sys.argv[1])); d=json.loads(open(sys.argv[2]).read())
b={"90d":2,"1y":4,"5y":6}[sys.argv[3]]
old=[sum(v[1] for v in ref[c["prefix"]][b:]) for c in d["children"]]
assert [o["bytes"] for o in d["older"]]==old,(old,d["older"])
assert old==sorted(old,reverse=True),old
assert d["older_than"]==sys.argv[3]' "$T/ref.json" "$T/out" $age
done
expect_rc 0 "$BIN" top "$T/a.s3i" --depth 2 --older-than 2y --json --limit 0
check "top --older-than 2y: the largest old prefixes at depth 2" $PY -c '
import json,sys
ref=json.load(open(sys.argv[1])); d=json.loads(open(sys.argv[2]).read())
want=sorted((sum(v[1] for v in a[5:]) for p,a in ref.items() if p.count("/")==2),reverse=True)
assert [o["bytes"] for o in d["older"]]==want,(len(want),len(d["older"]))
assert d["by"]=="older-than"' "$T/ref.json" "$T/out"

# hand-written: bounds, future and empty dates, a root-level object
mkdir -p "$T/h/data"
cat >"$T/h/data/a.csv" <<'CSV'
"b","root-object","10","2026-11-21T01:00:00.000Z"
"b","a/future","20","2027-01-01T00:00:00.000Z"
"b","a/exactly-30-days","40","2026-10-23T01:00:00.000Z"
"b","a/29-days-23h","80","2026-10-23T01:00:00.001Z"
"b","a/b/exactly-5-years","160","2021-11-23T01:00:00.000Z"
"b","a/b/no-date","320",""
"b","a/b/old%20file","640","1999-01-01T00:00:00.000Z"
CSV
cat >"$T/h/manifest.json" <<'JSON'
{"sourceBucket":"b","destinationBucket":"arn:aws:s3:::d","version":"2016-11-30",
 "creationTimestamp":"1795309200000","fileFormat":"CSV",
 "fileSchema":"Bucket, Key, Size, LastModifiedDate",
 "files":[{"key":"b/inv/data/a.csv","size":1,"MD5checksum":"00000000000000000000000000000000"}]}
JSON
"$BIN" build "$T/h" -o "$T/h.s3i" --no-verify >/dev/null 2>&1
expect_rc 0 "$BIN" age "$T/h.s3i" "" a/ a/b/ --json
check "hand-written ages (bounds, future, no date)" $PY -c '
import json,sys
got={}
for l in open(sys.argv[1]):
    d=json.loads(l); got[d["prefix"]]=[(b["objects"],b["bytes"]) for b in d["age"]]
z=(0,0)
# root: 10+20+80 (<30d), 40 (30-90d), 160+640 (>=5y); no-date not shown
assert got[""]==[(3,110),(1,40),z,z,z,z,(2,800)],got[""]
assert got["a/"]==[(2,100),(1,40),z,z,z,z,(2,800)],got["a/"]
assert got["a/b/"]==[z,z,z,z,z,z,(2,800)],got["a/b/"]' "$T/out"
expect_rc 0 "$BIN" age "$T/h.s3i" a/b/
check "age text: objects without a date are mentioned" grep -q "1 objects without a LastModifiedDate" "$T/out"

# no LastModifiedDate: no age data, a clear error
sed 's/, LastModifiedDate//' "$T/h/manifest.json" >"$T/h/m2.json"
cut -d, -f1-3 "$T/h/data/a.csv" >"$T/h/data/b.csv"
sed -i 's/a\.csv/b.csv/' "$T/h/m2.json"
"$BIN" build "$T/h/m2.json" -o "$T/nodate.s3i" --no-verify >/dev/null 2>&1
expect_rc 2 "$BIN" age "$T/nodate.s3i"
check "no LastModifiedDate: age says so in one line" bash -c "one_line_error(){ [ \$(wc -l <'$T/err') -eq 1 ]; }; one_line_error && grep -q 'no age data' '$T/err'"
expect_rc 2 "$BIN" top "$T/nodate.s3i" --older-than 1y
check "no age data: --older-than is an error" grep -q "needs age data" "$T/err"
expect_rc 0 "$BIN" info --json "$T/nodate.s3i"
check "info: has_age false" pyjson 'import json,sys; d=json.load(open(sys.argv[1])); assert d["has_age"] is False and d["has_small"] is True'
finish
