#!/bin/bash
# SPDX-License-Identifier: MIT
# test_serve_builds.sh — `s3inv serve --source`: background builds of the
# newest report of a local source folder. Two dated reports made by
# `s3inv gen` (the second a copy with a later creationTimestamp and a fixed
# manifest.checksum) and a larger third one: the newest is built and served
# (its root stats equal an index built by `s3inv build`), /api/reports and
# /api/builds describe them, --keep 1 removes the older index, a running
# build is cancelled (state cancelled, nothing left in the index folder) and
# retried while its progress is read from the Server-Sent Events stream, the
# token guards every builds endpoint, and a restarted server re-discovers
# the built index from the file instead of building again.
# usage: test_serve_builds.sh path/to/s3inv   (env S3INV_TMP)
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/serve_lib.sh"

TOKEN='s3cr3t token'
AUTH=(-H "Authorization: Bearer $TOKEN")
SRC=$T/src
OUT=$T/idx

stop() {
	kill -INT "$SPID" 2>/dev/null
	wait "$SPID"
}
post() { get "$1" -X POST "${@:2}"; }
# py EXPR: evaluate EXPR with d = the JSON in $T/out; prints the result
py() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/out"; }
# wait_for SECONDS PATH EXPR: poll GET PATH until EXPR (python, d = body) is True
wait_for() {
	local secs=$1 path=$2 expr=$3 i
	for i in $(seq 1 $((secs * 5))); do
		get "$path"
		if [ "$CODE" = 200 ] && [ "$(py "$expr" 2>/dev/null)" = True ]; then return 0; fi
		sleep 0.2
	done
	echo "  timed out waiting for $path: $expr -- last: $(head -c 600 "$T/out")" >&2
	return 1
}
# date_report DIR: set the creationTimestamp of the dated report DIR to
# its folder's date and fix manifest.checksum
date_report() {
	$PY - "$1/manifest.json" <<'PY'
import json, sys, hashlib, datetime
p = sys.argv[1]
d = datetime.datetime.strptime(p.split("/")[-2], "%Y-%m-%dT%H-%MZ").replace(tzinfo=datetime.timezone.utc)
m = json.load(open(p))
m["creationTimestamp"] = str(int(d.timestamp()) * 1000)
b = json.dumps(m, indent=2).encode()
open(p, "wb").write(b)
open(p.rsplit("/", 1)[0] + "/manifest.checksum", "w").write(hashlib.md5(b).hexdigest() + "\n")
PY
}
fail_all() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$SRC" "$T/big"
"$BIN" gen --objects 4000 --seed 5 --out "$SRC/2026-11-20T01-00Z" >/dev/null &&
	date_report "$SRC/2026-11-20T01-00Z" || fail_all "gen of the first report"
"$BIN" gen --objects 600k --files 8 --seed 6 --out "$T/big/2026-11-22T01-00Z" >/dev/null &&
	date_report "$T/big/2026-11-22T01-00Z" || fail_all "gen of the large report"
mkdir -p "$SRC/data" # a non-dated folder is ignored

# ---- usage errors
expect_rc 2 "$BIN" serve --source "$SRC"
check "--source without --index-dir names it" err_names "--index-dir"
expect_rc 2 "$BIN" serve --dir "$OUT" --keep 2
check "--keep without --source" err_names "need --source"
expect_rc 2 "$BIN" serve --source "$SRC" --index-dir "$OUT" --build-budget lots
check "bad --build-budget" err_names "--build-budget"
expect_rc 2 "$BIN" serve --source "$T/missing" --index-dir "$OUT"
check "missing source named" err_names "missing"

# ---- first start: the only report is built and served
SARGS=(--source "$SRC" --index-dir "$OUT" --keep 1 --build-threads 1 --build-budget 64MiB
	--source-rescan 3600 --rescan 1 --token "$TOKEN")
start s1 "${SARGS[@]}" || fail_all "server did not start"
N1=example-bucket-2026-11-20T01-00Z
check "first report built and served" wait_for 60 /api/indexes \
	"'$N1' in [i['name'] for i in d['indexes']]"
check "index file named <bucket>-<date>.s3i" test -f "$OUT/$N1.s3i"
"$BIN" build "$SRC/2026-11-20T01-00Z" -o "$T/ref1.s3i" >/dev/null 2>&1
"$BIN" du --json "$T/ref1.s3i" "" >"$T/ref1.json" 2>/dev/null
get "/api/stats?index=$N1&prefix="
check "served root stats = s3inv du --json of a CLI build" cmp -s "$T/out" "$T/ref1.json"

get /api/reports
check "reports: 200, enabled" test "$CODE $(py "d['enabled']")" = "200 True"
check "reports: one source, one report, built" test "$(py "[(len(d['sources']), len(d['sources'][0]['reports']), d['sources'][0]['reports'][0]['built'], d['sources'][0]['reports'][0]['index'])]")" = "[(1, 1, True, '$N1')]"
WANT=$($PY -c "import json,sys; m=json.load(open(sys.argv[1])); print([len(m['files']), sum(f['size'] for f in m['files']), int(m['creationTimestamp']), m['fileFormat']])" "$SRC/2026-11-20T01-00Z/manifest.json")
check "reports: files, bytes, creation, format from the manifest" test "$(py "(lambda r: [r['files'], r['bytes'], r['creation_ms'], r['format']])(d['sources'][0]['reports'][0])")" = "$WANT"
get /api/builds
check "builds: one done build at 100 %" test "$(py "[(b['state'], b['percent'], b['index'], b['error']) for b in d['builds']]")" = "[('done', 100, '$N1', None)]"

# ---- the token guards every builds endpoint
for p in /api/reports /api/builds /api/builds/events; do
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$URL$p")
	check "no token: 401 on $p" test "$CODE" = 401
done
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/builds/rescan")
check "no token: 401 on POST rescan" test "$CODE" = 401
get /api/builds/rescan
check "GET on a POST endpoint: 405" status_is 405
for q in "" "id=" "id=0" "id=abc" "id=-1" "id=1%00" "id=99999999999999999999"; do
	post "/api/builds/cancel?$q"
	check "cancel ?$q: 400" status_is 400
done
post "/api/builds/cancel?id=999"
check "cancel of an unknown id: 404" status_is 404
post "/api/builds/cancel?id=1"
check "cancel of a finished build: 409" status_is 409
post "/api/builds/retry?id=1"
check "retry of a done build: 409" status_is 409

# ---- a newer report: built on rescan, --keep 1 removes the older index
cp -r "$SRC/2026-11-20T01-00Z" "$SRC/2026-11-21T01-00Z" && date_report "$SRC/2026-11-21T01-00Z" ||
	bad "copy of the report"
N2=example-bucket-2026-11-21T01-00Z
post /api/builds/rescan
check "rescan: 202" status_is 202
check "newer report built and served" wait_for 60 /api/indexes \
	"'$N2' in [i['name'] for i in d['indexes']]"
check "--keep 1: older index file deleted" test ! -e "$OUT/$N1.s3i"
check "--keep 1: older index no longer served" wait_for 10 /api/indexes \
	"[i['name'] for i in d['indexes']] == ['$N2']"
get /api/reports
check "reports: newest first, only the newest built" test "$(py "[(r['date'], r['built']) for r in d['sources'][0]['reports']]")" = "[('2026-11-21T01-00Z', True), ('2026-11-20T01-00Z', False)]"
get "/api/indexes"
check "new index carries the new creation time" test "$(py "d['indexes'][0]['creation_ms']")" = "$(date -u -d 2026-11-21T01:00Z +%s)000"

# ---- a larger report: cancel the running build
mv "$T/big/2026-11-22T01-00Z" "$SRC/"
N3=example-bucket-2026-11-22T01-00Z
post /api/builds/rescan
check "large build starts" wait_for 60 /api/builds \
	"any(b['date'] == '2026-11-22T01-00Z' and b['state'] == 'running' for b in d['builds'])"
ID=$(py "[b['id'] for b in d['builds'] if b['date'] == '2026-11-22T01-00Z'][0]")
post "/api/builds/cancel?id=$ID"
check "cancel of the running build: 202" status_is 202
check "build cancelled" wait_for 60 /api/builds \
	"[b['state'] for b in d['builds'] if b['id'] == $ID] == ['cancelled']"
check "cancelled build has an error message" test "$(py "[b['error'] for b in d['builds'] if b['id'] == $ID][0] is not None")" = True
check "no index for the cancelled report" test ! -e "$OUT/$N3.s3i"
check "no partial files left" test "$(ls -A "$OUT")" = "$N2.s3i"
sleep 1
get /api/builds
check "a cancelled build is not restarted by itself" test "$(py "sum(b['date'] == '2026-11-22T01-00Z' for b in d['builds'])")" = 1

# ---- retry, with the progress read from the event stream
curl -sN -m 60 -D "$T/sse.hdr" "${AUTH[@]}" "$URL/api/builds/events" >"$T/sse.txt" &
CPID=$!
sleep 0.5
post "/api/builds/retry?id=$ID"
check "retry: 202" status_is 202
ID2=$(py "d['id']")
check "retry gives a new id" test "$ID2" != "$ID"
check "retried build done" wait_for 120 /api/builds \
	"[b['state'] for b in d['builds'] if b['id'] == $ID2] == ['done']"
wait "$CPID" # the stream ends by itself once no build is active
check "event stream: text/event-stream" grep -qi '^content-type: text/event-stream' "$T/sse.hdr"
$PY - "$T/sse.txt" "$ID2" >"$T/sse.check" 2>&1 <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
ev = [json.loads(l[6:]) for l in lines if l.startswith("data: ")]
run = [e["running"] for e in ev if e["running"] and e["running"]["id"] == int(sys.argv[2])]
assert len(run) >= 2, "want 2+ progress events of the build, got %d" % len(run)
pct = [r["percent"] for r in run]
assert all(0 <= p <= 100 for p in pct) and pct == sorted(pct), pct
assert all(r["state"] == "running" and r["phase"] in
           ("manifest", "scan", "merge", "write", "hash", "done") for r in run), run
assert any(r["eta_s"] is not None for r in run) or len(run) < 3, "no ETA"
last = ev[-1]
assert last["running"] is None and last["last"]["id"] == int(sys.argv[2]) and \
    last["last"]["state"] == "done", last
assert any(l.startswith("retry: ") for l in lines)
print("ok", len(ev), "events,", len(run), "of the build, percent", pct)
PY
check "event stream: progress events of the build ($(tail -1 "$T/sse.check"))" grep -q '^ok' "$T/sse.check"
check "retried build served" wait_for 10 /api/indexes "[i['name'] for i in d['indexes']] == ['$N3']"
check "--keep 1 again: only the newest index left" test "$(ls -A "$OUT")" = "$N3.s3i"
get /api/builds
check "builds: newest first with states done, cancelled, done, done" test "$(py "[b['state'] for b in d['builds']]")" = "['done', 'cancelled', 'done', 'done']"
check "builds: the retry names the build it retries" test "$(py "d['builds'][0]['retry_of']")" = "$ID"

# ---- restart: the built index is re-discovered, nothing is rebuilt
BEFORE=$(stat -c '%i %Y' "$OUT/$N3.s3i")
stop
check "server stopped cleanly" test $? = 0
start s2 "${SARGS[@]}" || fail_all "server did not restart"
check "restart: index served" wait_for 30 /api/indexes "[i['name'] for i in d['indexes']] == ['$N3']"
check "restart: reports listed" wait_for 30 /api/reports "d['scanned_ms'] is not None"
check "restart: newest report known as built" test "$(py "d['sources'][0]['reports'][0]['built']")" = True
get /api/builds
check "restart: no build started" test "$(py "d['builds']")" = "[]"
check "restart: index file untouched" test "$(stat -c '%i %Y' "$OUT/$N3.s3i")" = "$BEFORE"
check "restart: no 'building' notice" bash -c "! grep -q building '$T/s2.err'"
stop

# ---- without --source the builds endpoints say so
start s3 --dir "$OUT" || fail_all "plain server did not start"
get /api/reports
check "no --source: /api/reports says disabled" test "$(py "(d['enabled'], d['sources'])")" = "(False, [])"
get /api/builds
check "no --source: /api/builds is 404" status_is 404
stop
check "no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$T'/s*.err"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
