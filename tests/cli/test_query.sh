#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_query.sh — gen → build → du / ls / top / info / verify on small
# generated reports, every JSON output parsed (never compared as text) and
# checked against ref.py, an independent Python reference over the CSV.
. "$(dirname "$0")/lib.sh"
REF="$PY $HERE/ref.py"

# --- two reports: gzip + versions (mixed), plain CSV without versions (logs)
expect_rc 0 "$BIN" gen --objects 6000 --files 3 --seed 7 --out "$T/mixed"
check "gen wrote a manifest" test -s "$T/mixed/manifest.json"
expect_rc 0 "$BIN" gen --objects 4000 --files 2 --seed 3 --shape logs --no-gzip --no-versions \
	--out "$T/logs"
expect_rc 0 "$BIN" build "$T/mixed" -o "$T/mixed.s3i" --threads 2
check "build printed a summary" grep -q 'prefixes' "$T/out"
check "build: index exists" test -s "$T/mixed.s3i"
expect_rc 0 "$BIN" build "$T/logs/manifest.json" -o "$T/logs.s3i" --quiet
check "build --quiet prints nothing" test ! -s "$T/out" -a ! -s "$T/err"
expect_rc 0 "$BIN" build "$T/logs" -o "$T/logs-p.s3i" --progress --mem-budget 64MiB
check "--progress on a pipe draws lines" grep -q 'files' "$T/err"
expect_rc 0 "$BIN" build "$T/logs" -o "$T/logs-np.s3i"
check "no progress on a pipe by default" test ! -s "$T/err"

# --- every prefix against the reference, through du --stdin
for r in mixed logs; do
	$REF prefixes "$T/$r/manifest.json" >"$T/$r.prefixes"
	check "$r: reference found prefixes" test -s "$T/$r.prefixes"
	"$BIN" du "$T/$r.s3i" --stdin <"$T/$r.prefixes" >"$T/$r.du" 2>"$T/err"
	RC=$?
	check "$r: du --stdin all found (exit $RC)" test "$RC" -eq 0
	check "$r: du --stdin equals the reference" $REF compare "$T/$r/manifest.json" "$T/$r.du"
	run "$BIN" info "$T/$r.s3i" --json
	check "$r: info prefixes = reference count" \
		test "$(pyjson 'import json,sys; print(json.load(open(sys.argv[1]))["prefixes"])')" \
		= "$($REF count "$T/$r/manifest.json")"
done

# --- du
expect_rc 0 "$BIN" du "$T/mixed.s3i" --json
check "du root JSON" pyjson '
import json,sys; d=json.loads(open(sys.argv[1]).read())
assert d["prefix"]=="" and d["depth"]==0 and d["objects"]>0 and d["bytes"]>0
assert sum(c["objects"] for c in d["classes"].values())==d["objects"]
assert sum(c["bytes"] for c in d["classes"].values())==d["bytes"]
assert all(c["objects"]>0 for c in d["classes"].values())
assert "noncurrent" in d and "delete_markers" in d'
expect_rc 0 "$BIN" du "$T/logs.s3i" --json
check "no version fields without version columns" pyjson '
import json,sys; d=json.loads(open(sys.argv[1]).read())
assert "noncurrent" not in d and "delete_markers" not in d'
expect_rc 0 "$BIN" du "$T/mixed.s3i"
check "du text: objects line" grep -q '^  objects' "$T/out"
check "du text: classes" grep -q 'STANDARD' "$T/out"

first=$(sed -n 2p "$T/mixed.prefixes")            # a depth-1 prefix
nodelim=${first%/}
expect_rc 1 "$BIN" du "$T/mixed.s3i" "$first" "no/such/prefix/" --json
check "du: 2 lines, one found:false" pyjson '
import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]
assert len(l)==2 and "objects" in l[0] and l[1]=={"prefix":"no/such/prefix/","found":False}'
expect_rc 1 "$BIN" du "$T/mixed.s3i" "no/such/"
check "du text: missing prefix is one line" one_line_error
check "du text: names the prefix" err_names "no/such/"
expect_rc 0 "$BIN" du "$T/mixed.s3i" "$nodelim" --json
check "du: '$nodelim' finds '$first'" pyjson "
import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d['prefix']=='$first', d"

# --stdin: CRLF, an empty line (root), a missing prefix
printf '%s\r\nmissing/\n\n%s' "$first" "$first" >"$T/in"
run "$BIN" du "$T/mixed.s3i" --stdin <"$T/in"
check "du --stdin: exit 1 with a missing prefix" test "$RC" -eq 1
check "du --stdin: one line each, in order" pyjson "
import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]
assert len(l)==4, l
assert l[0]['prefix']=='$first' and l[0]['objects']>0
assert l[1]=={'prefix':'missing/','found':False}
assert l[2]['prefix']=='' and l[3]['prefix']=='$first'"
run "$BIN" du "$T/mixed.s3i" --stdin </dev/null
check "du --stdin: empty input, no output, exit 0" test "$RC" -eq 0 -a ! -s "$T/out"
# more than one batch of 256, and lines as long as a key can be
$PY -c '
import sys
for i in range(700): sys.stdout.write(("missing/%d/\n" % i) if i % 3 else "\n")
sys.stdout.write("x" * 5000 + "/\n")' >"$T/many"
run "$BIN" du "$T/mixed.s3i" --stdin <"$T/many"
check "du --stdin: 701 lines out" test "$(wc -l <"$T/out")" -eq 701
check "du --stdin: batches keep the order" pyjson '
import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]
for i,d in enumerate(l[:700]):
    assert (d["prefix"]=="" and "objects" in d) if i%3==0 else d=={"prefix":"missing/%d/"%i,"found":False}, (i,d)
assert l[700]["found"] is False and len(l[700]["prefix"])==5001'

# --- ls: children + direct == parent, for the root and a few deeper prefixes
for p in "" "$first" $(awk -F/ 'NF==3' "$T/mixed.prefixes" | head -3); do
	expect_rc 0 "$BIN" du "$T/mixed.s3i" "$p" --json
	cp "$T/out" "$T/parent.json"
	expect_rc 0 "$BIN" ls "$T/mixed.s3i" "$p" --json
	check "ls '$p': children + direct = parent" $PY -c '
import json,sys
par=json.load(open(sys.argv[1])); ls=json.load(open(sys.argv[2]))
assert ls["prefix"]==par["prefix"]
assert ls["total"]==len(ls["children"])
o=sum(c["objects"] for c in ls["children"])+ls["direct"]["objects"]
b=sum(c["bytes"] for c in ls["children"])+ls["direct"]["bytes"]
assert (o,b)==(par["objects"],par["bytes"]), (o,b,par)
for c in ls["children"]:
    assert c["depth"]==par["depth"]+1 and c["prefix"].startswith(par["prefix"])
by=[c["bytes"] for c in ls["children"]]; assert by==sorted(by,reverse=True)' "$T/parent.json" "$T/out"
done
# children of the root, independently: depth-1 prefixes of the reference
check "ls root lists the reference's depth-1 prefixes" $PY -c '
import json,subprocess,sys
ls=json.loads(subprocess.run([sys.argv[1],"ls",sys.argv[2],"--json"],capture_output=True).stdout)
want=[l for l in open(sys.argv[3],"rb").read().decode("utf-8","replace").split("\n") if l.count("/")==1 and l.endswith("/")]
got=[c["prefix"] for c in ls["children"]]
assert sorted(got)==sorted(want), (got,want)' "$BIN" "$T/mixed.s3i" "$T/mixed.prefixes"
expect_rc 0 "$BIN" ls "$T/mixed.s3i" --json --limit 2 --sort objects
check "ls --limit 2: two children, total of all, by objects" pyjson '
import json,sys; ls=json.load(open(sys.argv[1]))
assert len(ls["children"])==min(2,ls["total"]) and ls["total"]>=2
o=[c["objects"] for c in ls["children"]]; assert o==sorted(o,reverse=True)'
expect_rc 0 "$BIN" ls "$T/mixed.s3i" --json --sort name
check "ls --sort name: byte order" pyjson '
import json,sys; ls=json.load(open(sys.argv[1]))
n=[c["prefix"].encode("utf-8","surrogatepass") for c in ls["children"]]; assert n==sorted(n)'
expect_rc 0 "$BIN" ls "$T/mixed.s3i"
check "ls text: a bar and percentages" grep -q '%.*\[#* *\]' "$T/out"
expect_rc 1 "$BIN" ls "$T/mixed.s3i" "no/such/"
check "ls missing: one line" one_line_error

# --- top
expect_rc 0 "$BIN" top "$T/mixed.s3i" --depth 2 --limit 5 --json
check "top --depth 2: the 5 largest depth-2 prefixes" $PY -c '
import json,subprocess,sys
top=json.load(open(sys.argv[1]))
r=top["results"]; assert top["levels"]==2 and top["by"]=="bytes" and top["prefix"]==""
assert 0<len(r)<=5 and all(x["depth"]==2 for x in r)
pre=[l for l in open(sys.argv[3],"rb").read().split(b"\n") if l.count(b"/")==2 and l.endswith(b"/")]
du=subprocess.run([sys.argv[2],"du",sys.argv[4],"--stdin"],input=b"\n".join(pre)+b"\n",capture_output=True).stdout
allb=sorted((json.loads(x)["bytes"] for x in du.splitlines()),reverse=True)
assert [x["bytes"] for x in r]==allb[:len(r)], ([x["bytes"] for x in r],allb[:5])' \
	"$T/out" "$BIN" "$T/mixed.prefixes" "$T/mixed.s3i"
expect_rc 0 "$BIN" top "$T/mixed.s3i" "$first" --by objects --json
check "top under a prefix, by objects" pyjson "
import json,sys; t=json.load(open(sys.argv[1])); r=t['results']
assert t['by']=='objects' and all(x['prefix'].startswith('$first') for x in r)
o=[x['objects'] for x in r]; assert o==sorted(o,reverse=True)"
expect_rc 0 "$BIN" top "$T/mixed.s3i" --depth 200
check "top too deep: says so" grep -q 'no prefixes' "$T/out"
expect_rc 0 "$BIN" top "$T/mixed.s3i"
check "top text: ranked" grep -q '^    1 ' "$T/out"
expect_rc 1 "$BIN" top "$T/mixed.s3i" "no/such/"

# --- info, verify
expect_rc 0 "$BIN" info "$T/mixed.s3i" --json
check "info JSON" pyjson '
import json,sys; i=json.load(open(sys.argv[1]))
assert i["delimiter"]=="/" and i["max_depth"]==-1 and i["has_versions"] is True
assert i["prefixes"]>0 and i["file_bytes"]>0 and i["root"]["prefix"]==""
assert set(i["root"]["classes"]) <= set(i["classes"])'
expect_rc 0 "$BIN" info "$T/mixed.s3i"
check "info text" grep -q '^prefixes' "$T/out"
expect_rc 0 "$BIN" verify "$T/mixed.s3i"
check "verify: one line ok" test "$(wc -l <"$T/out")" -eq 1
check "verify says ok" grep -q ': ok' "$T/out"

# --- another delimiter and --max-depth
expect_rc 0 "$BIN" build "$T/logs" -o "$T/logs-d.s3i" --delimiter - --quiet
$REF prefixes "$T/logs/manifest.json" - >"$T/logs-d.prefixes"
"$BIN" du "$T/logs-d.s3i" --stdin <"$T/logs-d.prefixes" >"$T/logs-d.du" 2>/dev/null
check "--delimiter -: equals the reference" $REF compare "$T/logs/manifest.json" "$T/logs-d.du" -
expect_rc 0 "$BIN" build "$T/mixed" -o "$T/mixed-d1.s3i" --max-depth 1 --quiet
expect_rc 0 "$BIN" info "$T/mixed-d1.s3i" --json
check "--max-depth 1 recorded, deepest is 1" pyjson '
import json,sys; i=json.load(open(sys.argv[1])); assert i["max_depth"]==1, i'
expect_rc 0 "$BIN" ls "$T/mixed-d1.s3i" "$first" --json
check "--max-depth 1: no children below depth 1, all direct" pyjson '
import json,sys; l=json.load(open(sys.argv[1])); assert l["total"]==0 and l["direct"]["objects"]>0'

# --- output into a closed pipe: no message, no crash
"$BIN" du "$T/mixed.s3i" --stdin <"$T/mixed.prefixes" 2>"$T/err" | head -1 >/dev/null
check "du --stdin | head -1: quiet" test ! -s "$T/err"
"$BIN" ls "$T/mixed.s3i" 2>"$T/err" | head -1 >/dev/null
check "ls | head -1: quiet" test ! -s "$T/err"
"$BIN" top "$T/mixed.s3i" --limit 0 2>"$T/err" | head -c 10 >/dev/null
s=${PIPESTATUS[0]}
check "top | head: quiet, exit $s < 128" test ! -s "$T/err" -a "$s" -lt 128

finish
