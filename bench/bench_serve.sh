#!/bin/bash
# SPDX-License-Identifier: MIT
# Server benchmark (issue 7): `s3inv serve` under wrk on loopback — 64
# connections for 30 s asking for a children page of 100 rows (sorted by
# bytes) of a prefix with 100k children (a report written by this script).
# Reports p50/p99/max latency and requests/s, and the latency of
# single requests on an idle server (curl, median of 20).
#   BENCH_SERVE_CHILDREN (default 100000); BENCH_SERVE_SECONDS (30);
#   BENCH_SERVE_THREADS (server threads, default: CPUs); BENCH_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-$PWD/build/s3inv}
N=${BENCH_SERVE_CHILDREN:-100000}
SECS=${BENCH_SERVE_SECONDS:-30}
THREADS=${BENCH_SERVE_THREADS:-$(nproc)}
W=${BENCH_DIR:-$PWD/bench/out}/serve
mkdir -p "$W"
command -v wrk >/dev/null || { echo "wrk not installed (scripts/install-deps.sh)" >&2; exit 1; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# s3inv gen's trees top out at a few thousand children per prefix, so the
# report is written here: wide/ holds CHILDREN folders of 1-3 objects each
# (sizes and classes vary, so the sort by bytes has work to do), plus a
# little elsewhere. Same CSV conventions and manifest as s3inv gen.
R=$W/report-wide-$N
IDX=$W/wide-$N.s3i
if [ ! -f "$R/manifest.json" ]; then
	python3 - "$R" "$N" <<'PY'
import hashlib, json, os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out + "/data", exist_ok=True)
rnd = random.Random(5)
classes = ["STANDARD"] * 6 + ["STANDARD_IA", "GLACIER", "INTELLIGENT_TIERING"]
path = out + "/data/wide.csv"
rows = 0
with open(path, "w") as f:
    def row(key):
        global rows
        rows += 1
        f.write('"example-bucket","%s","%d","2026-01-%02dT00:00:00.000Z","%032x","%s","false","","SSE-S3",""\n'
                % (key, int(rnd.lognormvariate(12, 2.5)), rnd.randint(1, 28), rnd.getrandbits(128), rnd.choice(classes)))
    for i in range(n):
        for k in range(rnd.randint(1, 3)):
            row("wide/f%07d/part-%d.bin" % (i, k))
    for i in range(20000):
        row("other/%03d/obj-%d" % (i % 500, i))
md5 = hashlib.md5(open(path, "rb").read()).hexdigest()
json.dump({"sourceBucket": "example-bucket", "destinationBucket": "arn:aws:s3:::example-bucket-inventory",
           "version": "2016-11-30", "creationTimestamp": "1795309200000", "fileFormat": "CSV",
           "fileSchema": "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, IntelligentTieringAccessTier",
           "files": [{"key": "example-bucket/inv/data/wide.csv", "size": os.path.getsize(path), "MD5checksum": md5}]},
          open(out + "/manifest.json", "w"), indent=2)
PY
fi
[ -f "$IDX" ] || nice "$BIN" build "$R" -o "$IDX" >/dev/null
NAME=$(basename "$IDX" .s3i)
best=wide/
bestn=$("$BIN" ls --json --limit 1 "$IDX" "$best" | grep -o '"total":[0-9]*' | cut -d: -f2)
echo "prefix $best has $bestn children"

PID=
trap '[ -n "$PID" ] && kill -INT "$PID" 2>/dev/null; wait 2>/dev/null || true' EXIT
"$BIN" serve --quiet --listen 127.0.0.1:0 --threads "$THREADS" "$IDX" >"$W/serve.out" 2>"$W/serve.err" &
PID=$!
URL=
for _ in $(seq 1 200); do
	URL=$(sed -n 's|.*\(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$W/serve.out")
	[ -n "$URL" ] && break
	sleep 0.1
done
[ -n "$URL" ] || { echo "server did not start: $(cat "$W/serve.err")" >&2; exit 1; }
Q="$URL/api/children?index=$NAME&prefix=$best&limit=100&sort=bytes"
msum() { curl -s "$URL/metrics" | awk -v k="s3inv_http_request_duration_seconds_$1{endpoint=\"children\"}" '$1 == k {print $2}'; }
# the first request sorts all children and caches the list
first_ms=$(curl -sf -o "$W/page.json" -w '%{time_total}' "$Q" | awk '{printf "%.1f", $1 * 1000}')
rows=$(grep -o '"depth":2' "$W/page.json" | wc -l)
# idle, one request at a time: server-side time from /metrics (curl's own
# start-up dominates its timing on this machine), and curl's total
s0=$(msum sum) c0=$(msum count)
for _ in $(seq 1 50); do curl -s -o /dev/null -w '%{time_total}\n' "$Q"; done | median >"$W/idle.txt"
s1=$(msum sum) c1=$(msum count)
server_ms=$(awk -v a="$s0" -v b="$s1" -v c="$c0" -v d="$c1" 'BEGIN {printf "%.3f", (b - a) / (d - c) * 1000}')
idle_ms=$(awk '{printf "%.2f", $1 * 1000}' "$W/idle.txt")

wrk -t2 -c64 -d"${SECS}s" --latency "$Q" >"$W/wrk.txt"
cat "$W/wrk.txt"
lat() { awk -v k="$1" '$1 == k {print $2}' "$W/wrk.txt"; }
p50=$(lat 50%) p90=$(lat 90%) p99=$(lat 99%)
rps=$(awk '/^Requests\/sec/ {print $2}' "$W/wrk.txt")
max=$(awk '/^ +Latency/ {print $4}' "$W/wrk.txt")
errs=$(grep -E 'Non-2xx|Socket errors' "$W/wrk.txt" || true)

M=$W/section.md
{
	echo "## Server: children page under load (\`bench/bench_serve.sh\`)"
	echo
	echo "\`s3inv serve\` (libmicrohttpd, $THREADS threads) on loopback; \`wrk -t2 -c64 -d${SECS}s\` asking"
	echo "\`/api/children?prefix=$best&limit=100&sort=bytes\` of a report written by the script"
	echo "(**$bestn children** of 1-3 objects each, $(grep -c . "$R/data/wide.csv") rows): $rows rows per answer ($(wc -c <"$W/page.json") bytes)."
	echo "wrk runs on the same 2 cores as the server (and the machine is shared), so"
	echo "the latencies include queueing behind 64 connections."
	echo
	echo "| measure | value |"
	echo "|---|---|"
	echo "| p50 latency | $p50 |"
	echo "| p90 latency | $p90 |"
	echo "| p99 latency | $p99 |"
	echo "| max latency | $max |"
	echo "| requests/s | $rps |"
	echo "| first request (sorts the 100k children, then cached) | $first_ms ms |"
	echo "| idle, one request: server time (mean of 50, from /metrics) | $server_ms ms |"
	echo "| idle, one request: curl total incl. connect (median of 50) | $idle_ms ms |"
	[ -z "$errs" ] || echo "| errors | $(echo "$errs" | tr '\n' ' ') |"
	echo
	echo "The first request for the prefix walks its $bestn children (count, direct objects)"
	echo "and sorts them all; the sorted list is kept with the open index (LRU, 64 MiB per"
	echo "index), so every later page copies 100 positions and writes 100 du JSON objects."
} >"$M"
bash bench/section.sh serve "$M"
cat "$M"
