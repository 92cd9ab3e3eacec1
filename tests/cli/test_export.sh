#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_export.sh — `s3inv export` end to end on a generated versioned
# report with hostile keys: NDJSON lines are byte-identical to `du --json`
# of the same prefixes, CSV rows (parsed by Python's csv module) agree with
# them column by column, --max-depth and PREFIX limit the walk, and the
# ncdu export is read back by Debian's ncdu itself (`ncdu -f IN -o OUT`
# imports it and re-exports): ncdu's totals of every directory equal the
# index's bytes of that prefix.
. "$(dirname "$0")/lib.sh"

"$BIN" gen --objects 5000 --seed 3 --files 2 --out "$T/r" >/dev/null 2>&1
"$BIN" build "$T/r" -o "$T/a.s3i" >/dev/null 2>&1

expect_rc 0 "$BIN" export "$T/a.s3i" --format ndjson
cp "$T/out" "$T/all.ndjson"
expect_rc 0 "$BIN" info "$T/a.s3i" --json
check "ndjson: one line per prefix of the index" $PY -c '
import json,sys
n=json.load(open(sys.argv[1]))["prefixes"]
lines=open(sys.argv[2],"rb").read().split(b"\n")[:-1]
assert len(lines)==n,(len(lines),n)' "$T/out" "$T/all.ndjson"
# du --stdin of the same prefixes gives the same bytes
$PY - "$T/all.ndjson" "$T/prefixes" "$T/expect" <<'PYEOF'
import json, re, sys
ps, ex = open(sys.argv[2], "wb"), open(sys.argv[3], "wb")
for line in open(sys.argv[1], "rb"):
    p = json.loads(line)["prefix"]
    if any(ord(c) < 0x20 for c in p):
        continue
    ps.write(p.encode("utf-8") + b"\n")
    # du JSON has no age histogram: the export appends it last
    ex.write(re.sub(rb',"age":\[[^]]*\]\}\n$', b"}\n", line))
PYEOF
"$BIN" du "$T/a.s3i" --stdin <"$T/prefixes" >"$T/du.ndjson" 2>/dev/null
check "ndjson lines == du --json lines" cmp -s "$T/du.ndjson" "$T/expect"
check "ndjson age == s3inv age --json (first 200 prefixes)" $PY -c '
import json,subprocess,sys
for line in list(open(sys.argv[1]))[:200]:
    d=json.loads(line)
    a=json.loads(subprocess.run([sys.argv[2],"age","--json",sys.argv[3],"--",d["prefix"]],capture_output=True).stdout)
    assert a["age"]==d["age"],(d["prefix"],a,d["age"])
    assert sum(b["objects"] for b in d["age"])==d["objects"]' "$T/all.ndjson" "$BIN" "$T/a.s3i"

expect_rc 0 "$BIN" export "$T/a.s3i" --format csv
check "csv rows agree with ndjson" $PY -c '
import csv,json,sys
rows=list(csv.reader(open(sys.argv[1],encoding="utf-8",newline="")))
head,rows=rows[0],rows[1:]
nd=[json.loads(l) for l in open(sys.argv[2],encoding="utf-8")]
assert head[:7]==["prefix","depth","objects","bytes","nc_objects","nc_bytes","delete_markers"],head
assert len(rows)==len(nd)
for r,j in zip(rows,nd):
    assert r[0]==j["prefix"],(r[0],j["prefix"])
    assert [int(x) for x in r[1:7]]==[j["depth"],j["objects"],j["bytes"],j["noncurrent"]["objects"],j["noncurrent"]["bytes"],j["delete_markers"]]
    cls={}; age=[]
    for k in range(7,len(head),2):
        name=head[k][:-len("_objects")]
        if name.startswith("age_"): age.append({"bucket":name[4:],"objects":int(r[k]),"bytes":int(r[k+1])})
        elif int(r[k]): cls[name]={"objects":int(r[k]),"bytes":int(r[k+1])}
    assert cls==j["classes"],(r[0],cls,j["classes"])
    assert age==j["age"],(r[0],age,j["age"])' "$T/out" "$T/all.ndjson"

# --max-depth and PREFIX: exactly the rows of the full export in that range
expect_rc 0 "$BIN" export "$T/a.s3i" logs --max-depth 2 --format ndjson
check "PREFIX + --max-depth = filtered full export" $PY -c '
import json,sys
got=[json.loads(l) for l in open(sys.argv[1],encoding="utf-8")]
full=[json.loads(l) for l in open(sys.argv[2],encoding="utf-8")]
want=[j for j in full if j["prefix"].startswith("logs/") and j["depth"]<=3]
assert got==want and len(got)>5,(len(got),len(want))' "$T/out" "$T/all.ndjson"

# ncdu: Debian ncdu imports the export and re-exports it
expect_rc 0 "$BIN" export "$T/a.s3i" --format ncdu
cp "$T/out" "$T/a.ncdu.json"
if command -v ncdu >/dev/null; then
	timeout 60 ncdu -f "$T/a.ncdu.json" -o "$T/re.json" </dev/null >/dev/null 2>"$T/ncdu.err"
	check "ncdu -f imports the export: $(head -c 300 "$T/ncdu.err")" test -s "$T/re.json"
	check "ncdu totals == index bytes at every prefix" $PY -c '
import json,sys
full={j["prefix"]:j for j in map(json.loads,open(sys.argv[2],encoding="utf-8"))}
d=json.load(open(sys.argv[1],encoding="utf-8"))
assert d[0]==1 and d[2]["progname"]=="ncdu"
seen=0
def walk(n,path):
    global seen
    if not isinstance(n,list): return n.get("asize",0),n.get("dsize",0)
    a=sum(walk(c,path+[c[0]["name"] if isinstance(c,list) else None])[0] for c in n[1:])
    p="".join(x+"/" for x in path[1:])
    if "(empty name)" not in p and p in full:
        assert a==full[p]["bytes"],(p,a,full[p]["bytes"]); seen+=1
    return a,a
walk(d[3],["root"])
assert seen>len(full)//2,(seen,len(full))' "$T/re.json" "$T/all.ndjson"
else
	bad "ncdu is not installed"
fi
expect_rc 0 "$BIN" export "$T/a.s3i" users --max-depth 1 --format ncdu
check "ncdu root names the bucket and prefix" grep -q '\[{"name":"s3://example-bucket/users/"}' "$T/out"

# errors
expect_rc 2 "$BIN" export "$T/a.s3i"
check "missing --format" grep -q "missing --format" "$T/err"
expect_rc 2 "$BIN" export "$T/a.s3i" --format xml
expect_rc 1 "$BIN" export "$T/a.s3i" nope/ --format csv
check "not found: one line" one_line_error
printf 'S3INVIDXgarbage' >"$T/bad.s3i"
expect_rc 2 "$BIN" export "$T/bad.s3i" --format csv
check "damaged index: one line" one_line_error
finish
