#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve.sh — `s3inv serve` through its HTTP API with curl: every
# endpoint's answer against the CLI's own JSON (/api/stats must be the
# exact line of `s3inv du --json`), parameter validation and limits,
# bearer auth, metrics, the embedded page, a watched directory (new,
# replaced while requests run, removed and corrupt files) and a clean stop
# on SIGINT. JSON is parsed with python3.
# usage: test_serve.sh path/to/s3inv   (env S3INV_TMP)
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/serve_lib.sh"

# (grep, not python: python starts slowly on a loaded machine)
is_error_json() { grep -q '^{"error":"[^"]' "$T/out"; }
# rep C N: N copies of character C
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }
# pload N PAR PATH-TEMPLATE: N GETs of PATH ({} = request number) over PAR
# keep-alive connections; prints the number answered 200
pload() {
	python3 - "$URL" "$@" <<'PY'
import http.client, sys, threading, urllib.parse
url, n, par, tmpl = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(url)
ok = [0] * par
def worker(w):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    for i in range(w, n, par):
        try:
            c.request("GET", tmpl.replace("{}", str(i)))
            r = c.getresponse(); r.read()
            ok[w] += r.status == 200
        except Exception:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
ts = [threading.Thread(target=worker, args=(w,)) for w in range(par)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sum(ok))
PY
}

# ---- indexes
"$BIN" gen --objects 4000 --seed 3 --out "$T/ra" >/dev/null &&
	"$BIN" build "$T/ra" -o "$T/a.s3i" >/dev/null 2>"$T/build.err" &&
	"$BIN" gen --objects 3000 --seed 4 --shape logs --out "$T/rb" >/dev/null &&
	"$BIN" build "$T/rb" -o "$T/b.s3i" >/dev/null 2>>"$T/build.err" ||
	{ echo "FAIL: cannot build test indexes: $(cat "$T/build.err")"; echo "0 passed, 1 failed"; exit 1; }

# ---- usage errors
expect_rc 2 "$BIN" serve
check "no index: usage error names it" err_names "missing INDEX"
expect_rc 2 "$BIN" serve --dir "$T" "$T/a.s3i"
expect_rc 2 "$BIN" serve --listen 127.0.0.1:0 "$T/missing.s3i"
check "missing index named" err_names missing.s3i
cp "$T/a.s3i" "$T/bad.s3i"
# overwrite one byte in the middle with a different value (corruption)
sz=$(stat -c %s "$T/bad.s3i")
old=$(od -An -tu1 -j $((sz / 2)) -N1 "$T/bad.s3i" | tr -d ' ')
printf "\\x$(printf %02x $(((old + 1) % 256)))" | dd of="$T/bad.s3i" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
expect_rc 2 "$BIN" serve --listen 127.0.0.1:0 "$T/bad.s3i"
check "corrupt index refused at start (verified open)" one_line_error
expect_rc 2 "$BIN" serve --listen nonsense:99999 "$T/a.s3i"
expect_rc 2 "$BIN" serve --listen 127.0.0.1:0 "$T/a.s3i" "$T/ra/../a.s3i"
check "duplicate names refused" err_names "already served"
expect_rc 0 "$BIN" serve --help
check "help mentions --dir" grep -q -- '--dir DIR' "$T/out"

# ---- a server over two indexes
start two "$T/a.s3i" "$T/b.s3i" || { echo "0 passed, 1 failed"; exit 1; }

get /healthz
check "healthz 200" status_is 200
check "healthz body" grep -qx '{"status":"ok","indexes":2}' "$T/out"

get /api/indexes
check "indexes 200" status_is 200
"$BIN" info --json "$T/a.s3i" >"$T/info_a.json"
check "indexes: names, metadata and root equal s3inv info" python3 - "$T/out" "$T/info_a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); info = json.load(open(sys.argv[2]))
names = [x["name"] for x in d["indexes"]]
assert names == ["a", "b"], names
a = d["indexes"][0]
for k in ("prefixes", "rows", "has_size", "has_versions", "creation_ms", "source_bucket", "classes", "root", "delimiter"):
    assert a[k] == info[k], (k, a[k], info[k])
PY

# stats: byte-identical to du --json, including hostile prefixes
"$BIN" top --json --depth 2 --limit 0 "$T/a.s3i" >"$T/top_all.json"
python3 - "$T/top_all.json" >"$T/prefixes.txt" <<'PY'
import json, sys, re
res = [r["prefix"] for r in json.load(open(sys.argv[1]))["results"]]
hostile = [p for p in res if re.search(r"[ +%&#?=]|[^\x00-\x7f]|//", p)]
plain = [p for p in res if p not in hostile]
import urllib.parse
for p in ["", "logs/"] + plain[:3] + hostile[:6]:
    print(urllib.parse.quote(p, safe="") + "\t" + p)
PY
check "generated index has hostile prefixes" [ "$(wc -l <"$T/prefixes.txt")" -ge 6 ]
n=0
while IFS=$'\t' read -r enc p; do
	n=$((n + 1))
	get "/api/stats?index=a&prefix=$enc"
	"$BIN" du --json "$T/a.s3i" "$p" >"$T/du.json" 2>/dev/null
	if [ "$CODE" = 200 ] && cmp -s "$T/out" "$T/du.json"; then ok; else bad "stats of '$p' differs from du --json (status $CODE)"; fi
done <"$T/prefixes.txt"
get "/api/stats?index=a&prefix=logs"
check "stats: prefix without trailing / found" grep -q '^{"prefix":"logs/",' "$T/out"
get "/api/stats?index=a&prefix=no%20such%2F"
check "stats: missing prefix is 404" status_is 404
check "stats: 404 body names the prefix" grep -q '^{"error":"prefix not found","prefix":"no such/"}$' "$T/out"
get "/api/stats?prefix="
check "stats: index required with two indexes (400)" status_is 400
check "stats: 400 is JSON" is_error_json
get "/api/stats?index=nope"
check "stats: unknown index 404" status_is 404
get "/api/stats?index=..%2Fb"
check "stats: path-like index name is just unknown" status_is 404
get "/api/stats?index=%2Ftmp%2Fb"
check "stats: absolute path as index name is unknown" status_is 404
get "/api/stats?index=b&prefix="
"$BIN" du --json "$T/b.s3i" >"$T/du.json"
check "stats: second index answers its own" cmp -s "$T/out" "$T/du.json"

# children: equal to ls --json; paging; validation
for sort in bytes objects name; do
	get "/api/children?index=a&prefix=&sort=$sort&limit=3"
	"$BIN" ls --json --sort $sort --limit 3 "$T/a.s3i" >"$T/ls.json"
	check "children sort=$sort equals ls --json" cmp -s "$T/out" "$T/ls.json"
done
get "/api/children?index=a&prefix=logs/&limit=1000"
cp "$T/out" "$T/all.json"
"$BIN" ls --json "$T/a.s3i" logs/ >"$T/ls.json"
check "children (all of logs/) equals ls --json" cmp -s "$T/all.json" "$T/ls.json"
: >"$T/pages.txt"
for off in 0 2 4 6 8 10 12 14 16 18 20; do
	get "/api/children?index=a&prefix=logs/&limit=2&offset=$off"
	cp "$T/out" "$T/page$off.json"
done
check "children: pages of 2 concatenate to the whole list" python3 - "$T" <<'PY'
import json, sys, os
t = sys.argv[1]
whole = json.load(open(os.path.join(t, "all.json")))
got = []
for off in range(0, 22, 2):
    p = json.load(open(os.path.join(t, "page%d.json" % off)))
    assert p["total"] == whole["total"] and p["direct"] == whole["direct"]
    got += p["children"]
assert got == whole["children"][:22], (len(got), len(whole["children"]))
PY
get "/api/children?index=a&prefix=logs/&offset=4000000"
check "children: offset past the end gives an empty page" grep -q '"total":[1-9][0-9]*,"children":\[\],' "$T/out"
for bad_q in "limit=0" "limit=1001" "limit=abc" "limit=-1" "limit=1e3" "offset=-1" "sort=size" "sort=" "limit=99999999999999999999999"; do
	get "/api/children?index=a&$bad_q"
	if [ "$CODE" = 400 ] && is_error_json; then ok; else bad "children $bad_q: status $CODE"; fi
done
get "/api/children?index=a&prefix=$(rep x 5000)"
check "children: prefix over 4096 bytes is 400" status_is 400

# top: equal to top --json
get "/api/top?index=a&depth=2&limit=5&by=objects"
"$BIN" top --json --depth 2 --limit 5 --by objects "$T/a.s3i" >"$T/top.json"
check "top equals top --json" cmp -s "$T/out" "$T/top.json"
get "/api/top?index=a&depth=0"
check "top depth=0 is 400" status_is 400
get "/api/top?index=a&depth=2&limit=7&older_than=1y"
"$BIN" top --json --depth 2 --limit 7 --older-than 1y "$T/a.s3i" >"$T/topo.json"
check "top older_than equals top --older-than --json" cmp -s "$T/out" "$T/topo.json"
get "/api/top?index=a&older_than=45d"
check "top older_than=45d is 400" status_is 400
get "/api/top?index=a&depth=2&limit=5&by=noncurrent-bytes"
"$BIN" top --json --depth 2 --limit 5 --by noncurrent-bytes "$T/a.s3i" >"$T/topn.json"
check "top by=noncurrent-bytes equals the CLI" cmp -s "$T/out" "$T/topn.json"

# age, cost, diff: the same answers as the CLI
get "/api/age?index=a&prefix=logs/"
"$BIN" age --json "$T/a.s3i" logs/ >"$T/age.json"
check "age equals age --json" cmp -s "$T/out" "$T/age.json"
get "/api/age?index=a&prefix=no/such/"
check "age of a missing prefix is 404" status_is 404
get "/api/stats?index=a&prefix=logs/&cost=1"
"$BIN" du --json --cost "$T/a.s3i" logs/ >"$T/cost.json"
check "stats cost=1 equals du --json --cost" cmp -s "$T/out" "$T/cost.json"
get "/api/children?index=a&prefix=&cost=1&limit=3"
check "children cost=1: a cost object per child" python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); assert d["children"] and all(c["cost"]["usd_month"]>=0 for c in d["children"])' "$T/out"
get "/api/stats?index=a&cost=maybe"
check "cost=maybe is 400" status_is 400
for q in "depth=1&sort=growth" "depth=2&sort=name&unchanged=1" "depth=1&sort=shrink&cost=1"; do
	get "/api/diff?old=a&new=b&limit=1000&$q"
	cp "$T/out" "$T/diff-api.json"
	args=$(echo "$q" | sed 's/depth=\([0-9]*\)/--depth \1/; s/&sort=/ --sort /; s/&unchanged=1/ --show-unchanged/; s/&cost=1/ --cost/')
	"$BIN" diff --json $args "$T/a.s3i" "$T/b.s3i" >"$T/diff-cli.json"
	check "diff ($q) rows equal diff --json" python3 -c '
import json,sys
api=json.load(open(sys.argv[1])); cli=[json.loads(l) for l in open(sys.argv[2])]
assert api["rows"]==cli,(len(api["rows"]),len(cli))
assert api["total"]==len(cli) and api["old"]["name"]=="a" and api["new"]["name"]=="b"
assert "warning" not in api' "$T/diff-api.json" "$T/diff-cli.json"
done
get "/api/diff?old=a&new=b&limit=2&offset=1&depth=1&sort=name"
check "diff paging: offset and limit" python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); assert len(d["rows"])==2 and d["total"]>=3' "$T/out"
get "/api/diff?old=a"
check "diff without new is 400" status_is 400
get "/api/diff?old=a&new=nope"
check "diff with an unknown index is 404" status_is 404
get "/api/diff?old=a&new=b&prefix=no/such/"
check "diff of a prefix in neither is 404" status_is 404

# batch
cut -f2- "$T/prefixes.txt" >"$T/plist.txt"
python3 - "$T/plist.txt" >"$T/batch.json" <<'PY'
import json, sys
ps = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
print(json.dumps({"index": "a", "prefixes": ps + ["missing/", "logs"]}))
PY
get /api/batch -X POST --data-binary "@$T/batch.json" -H 'Content-Type: application/json'
check "batch 200" status_is 200
"$BIN" du "$T/a.s3i" --stdin <"$T/plist.txt" >"$T/du_lines.json"
check "batch: found entries equal du --stdin, missing ones found:false" python3 - "$T/out" "$T/du_lines.json" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
want = [json.loads(l) for l in open(sys.argv[2])]
assert got[:len(want)] == want
assert got[len(want):] == [{"prefix": "missing/", "found": False}, {"prefix": "logs", "found": False}], got[len(want):]
PY
get /api/batch -X POST --data-binary '{"index":"a","prefixes":['
check "batch: bad JSON is 400" status_is 400
get /api/batch -X POST --data-binary '{"index":"a","prefixes":[1]}'
check "batch: non-string prefix is 400" status_is 400
{ printf '{"index":"a","prefixes":["x/"'; for _ in $(seq 1 1000); do printf ',"x/"'; done; printf ']}'; } >"$T/big.json"
get /api/batch -X POST --data-binary "@$T/big.json"
check "batch: 1001 prefixes is 400" status_is 400
{ printf '{"index":"a","prefixes":["'; rep x 1100000; printf '"]}'; } >"$T/huge.json"
get /api/batch -X POST --data-binary "@$T/huge.json"
check "batch: body over 1 MiB is 413" status_is 413
get /api/batch -X POST -H 'Transfer-Encoding: chunked' --data-binary "@$T/huge.json"
check "batch: chunked body over 1 MiB is 413" status_is 413
get /api/batch
check "batch: GET is 405" status_is 405
get /api/stats -X DELETE
check "stats: DELETE is 405" status_is 405

# limits and unknown paths
get "/api/stats?index=a&prefix=$(rep y 9000)"
check "request target over 8 KiB is 414" status_is 414
get /api/nothing
check "unknown endpoint 404" status_is 404
check "unknown endpoint JSON" is_error_json
get /../../etc/passwd --path-as-is
check "path traversal is just an unknown path" status_is 404

# the page
get /
check "page 200" status_is 200
check "page links its script" grep -q 'src="/app.js"' "$T/out"
CT=$(curl -s -o /dev/null -w '%{content_type}' "$URL/app.js")
check "app.js content type" [ "$CT" = "text/javascript; charset=utf-8" ]
check "page is the embedded file" cmp -s "$T/out" "$S3INV_SRC/src/server/web/index.html"
ETAG=$(curl -s -D - -o /dev/null "$URL/style.css" | tr -d '\r' | sed -n 's/^ETag: //Ip')
get /style.css -H "If-None-Match: $ETAG"
check "static file revalidates with 304" status_is 304

# concurrency: many parallel requests all answered
check "300 requests on 16 parallel keep-alive connections all 200" [ "$(pload 300 16 '/api/children?index=a&prefix=logs/&limit=50&offset={}')" -eq 300 ]

# metrics
get /metrics
check "metrics 200" status_is 200
check "metrics: children requests counted" python3 - "$T/out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r'^s3inv_http_requests_total\{endpoint="children",code="200"\} (\d+)$', t, re.M)
assert m and int(m.group(1)) >= 300 + 3 + 1 + 11 + 1, m and m.group(1)
assert re.search(r'^s3inv_http_requests_total\{endpoint="children",code="400"\} 10$', t, re.M)
assert re.search(r'^s3inv_http_request_duration_seconds_bucket\{endpoint="children",le="\+Inf"\} \d+$', t, re.M)
assert re.search(r'^s3inv_indexes_served 2$', t, re.M)
assert re.search(r'^s3inv_index_handles_open 2$', t, re.M)
assert "# TYPE s3inv_http_request_duration_seconds histogram" in t
PY

# SIGINT stops cleanly
kill -INT "$SPID"
for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
check "SIGINT stops the server" bash -c "! kill -0 $SPID 2>/dev/null"
wait "$SPID"
check "exit status 0 after SIGINT" [ $? -eq 0 ]
check "stop notice" grep -q 'stopped' "$T/two.err"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$T/two.err'"

# ---- a wide prefix (3000 children): pages come from the sorted-list cache
python3 - "$T/rw" <<'PY'
import hashlib, json, os, random, sys
out = sys.argv[1]; os.makedirs(out + "/data", exist_ok=True); rnd = random.Random(9)
path = out + "/data/w.csv"
with open(path, "w") as f:
    for i in range(3000):
        for k in range(rnd.randint(1, 3)):
            f.write('"b","wide/f%05d/p%d","%d","2026-01-01T00:00:00.000Z","","%s","false","","",""\n'
                    % (i, k, rnd.choice([0, 5, 5, 7, 1000, rnd.randint(0, 10**9)]), rnd.choice(["STANDARD", "GLACIER"])))
    f.write('"b","wide/direct.txt","42","2026-01-01T00:00:00.000Z","","STANDARD","false","","",""\n')
json.dump({"sourceBucket": "b", "destinationBucket": "arn:aws:s3:::d", "version": "2016-11-30",
           "creationTimestamp": "1795309200000", "fileFormat": "CSV",
           "fileSchema": "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, IntelligentTieringAccessTier",
           "files": [{"key": "b/inv/data/w.csv", "size": os.path.getsize(path),
                      "MD5checksum": hashlib.md5(open(path, "rb").read()).hexdigest()}]}, open(out + "/manifest.json", "w"))
PY
"$BIN" build "$T/rw" -o "$T/w.s3i" >/dev/null 2>"$T/build.err" || bad "wide report build: $(cat "$T/build.err")"
start wide "$T/w.s3i" || exit 1
for sort in bytes objects name; do
	"$BIN" ls --json --sort $sort "$T/w.s3i" wide/ >"$T/wide_$sort.json"
	for off in 0 1000 2950 2999 3000; do
		for rep in 1 2; do # the second answer comes from the cache
			get "/api/children?prefix=wide/&sort=$sort&limit=100&offset=$off"
			cp "$T/out" "$T/wp_${sort}_${off}_$rep.json"
		done
	done
done
check "wide prefix: every page (first and cached) equals the slice of ls --json" python3 - "$T" <<'PY'
import json, os, sys
t = sys.argv[1]
for sort in ("bytes", "objects", "name"):
    whole = json.load(open(os.path.join(t, "wide_%s.json" % sort)))
    assert whole["total"] == 3000
    for off in (0, 1000, 2950, 2999, 3000):
        for rep in (1, 2):
            p = json.load(open(os.path.join(t, "wp_%s_%d_%d.json" % (sort, off, rep))))
            assert p["total"] == 3000 and p["direct"] == whole["direct"] and p["prefix"] == "wide/"
            assert p["children"] == whole["children"][off:off + 100], (sort, off, rep)
PY
kill -INT "$SPID"
wait "$SPID"

# ---- token
start tok --token s3cr3t "$T/a.s3i" || exit 1
get /api/indexes
check "token: missing is 401" status_is 401
check "token: 401 is JSON" is_error_json
get /api/indexes -H 'Authorization: Bearer wrong'
check "token: wrong is 401" status_is 401
get /api/indexes -H 'Authorization: Bearer s3cr3t'
check "token: right is 200" status_is 200
get /api/stats -H 'Authorization: Bearer s3cr3t'
check "token: one index, no index parameter needed" status_is 200
get /metrics
check "token: metrics needs it" status_is 401
get /healthz
check "token: healthz is open" status_is 200
kill -INT "$SPID"
wait "$SPID"

# ---- a watched directory
mkdir -p "$T/dir"
cp "$T/a.s3i" "$T/dir/a.s3i"
start dir --dir "$T/dir" --rescan 1 || exit 1
names() { curl -s "$URL/api/indexes" | grep -o '"name":"[^"]*"' | sed 's/"name":"\(.*\)"/\1/' | paste -sd' '; }
wait_names() {
	for _ in $(seq 1 50); do
		[ "$(names)" = "$1" ] && return 0
		sleep 0.2
	done
	echo "  names: '$(names)', want '$1'" >&2
	return 1
}
check "dir: initial set" wait_names "a"
cp "$T/b.s3i" "$T/dir/.b.s3i.part" && mv "$T/dir/.b.s3i.part" "$T/dir/b.s3i"
check "dir: new file appears" wait_names "a b"
cp "$T/bad.s3i" "$T/dir/c.s3i"
sleep 2.5
check "dir: corrupt file is not served" wait_names "a b"
check "dir: corrupt file reported once" [ "$(grep -c 'c.s3i' "$T/dir.err")" -eq 1 ]
# replace a.s3i by b's content while requests run
pload 2000 4 '/api/children?index=a&limit=5&offset={}' >"$T/during.txt" &
LOAD=$!
sleep 0.3
cp "$T/b.s3i" "$T/dir/.a.tmp" && mv "$T/dir/.a.tmp" "$T/dir/a.s3i"
"$BIN" du --json "$T/b.s3i" >"$T/want_a.json"
replaced() {
	for _ in $(seq 1 50); do
		curl -s "$URL/api/stats?index=a" >"$T/now_a.json"
		cmp -s "$T/now_a.json" "$T/want_a.json" && return 0
		sleep 0.2
	done
	return 1
}
check "dir: replaced file is re-opened" replaced
wait $LOAD
check "dir: every request during the swap succeeded" [ "$(cat "$T/during.txt")" -eq 2000 ]
get /metrics
check "dir: reload counted" grep -qx 's3inv_index_reloads_total 1' "$T/out"
check "dir: old handle closed once unused" grep -qx 's3inv_index_handles_open 2' "$T/out"
rm "$T/dir/b.s3i"
check "dir: removed file disappears" wait_names "a"
kill -INT "$SPID"
wait "$SPID"
check "dir: clean exit" [ $? -eq 0 ]
check "dir: no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$T/dir.err'"
PIDS=()
finish
