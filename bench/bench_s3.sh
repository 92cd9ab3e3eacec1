#!/bin/bash
# SPDX-License-Identifier: MIT
# S3 benchmark (issue 4): `s3inv build s3://…` from the loopback Swift S3
# server against curl fetching the same data files to /dev/null (2 in
# parallel, SigV4 too), in one run; the build from the local copy as the
# no-network reference; and the memory budget's high-water mark with the
# in-flight part buffers counted (parts × part size × threads).
#   BENCH_S3_OBJECTS (default 2000000) rows; BENCH_REPS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BIN=${BENCH_BIN:-$PWD/build/s3inv}
N=${BENCH_S3_OBJECTS:-2000000}
REPS=${BENCH_REPS:-3}
W=${BENCH_DIR:-$PWD/bench/out}/s3
mkdir -p "$W"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

R=$W/report-$N
[ -f "$R/manifest.json" ] || "$BIN" gen --objects "$N" --out "$R" --seed 11 >/dev/null
DEST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["destinationBucket"].split(":")[-1])' "$R/manifest.json")
SWIFT=$W/swift
trap 'bash "$SRC/tests/s3/swift-stop.sh" "$SWIFT" >/dev/null 2>&1' EXIT
bash tests/s3/swift-start.sh auto "$SWIFT" "$DEST" > "$W/env.sh"
. "$W/env.sh"
printf 'machine 127.0.0.1\nlogin %s\npassword %s\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" > "$W/netrc"
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_EC2_METADATA_DISABLED=true
SIG=(--aws-sigv4 "aws:amz:$S3_REGION:s3" --netrc-file "$W/netrc" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
# upload: data files at their manifest keys, the manifest in a dated folder
python3 -c 'import json,sys; [print(f["key"]) for f in json.load(open(sys.argv[1]))["files"]]' "$R/manifest.json" > "$W/keys"
while IFS= read -r k; do
  curl -sS -f -o /dev/null "${SIG[@]}" -T "$R/data/$(basename "$k")" "$S3_ENDPOINT/$DEST/$k"
done < "$W/keys"
MKEY=bench/2026-11-22T01-00Z/manifest.json
curl -sS -f -o /dev/null "${SIG[@]}" -T "$R/manifest.json" "$S3_ENDPOINT/$DEST/$MKEY"
URL=s3://$DEST/$MKEY
gz=$(du -cb "$R"/data/* | tail -1 | cut -f1)
nf=$(wc -l < "$W/keys")

fetch_curl() { # all data files, 2 at a time, to /dev/null
  sed "s|^|$S3_ENDPOINT/$DEST/|" "$W/keys" | xargs -P 2 -n 1 curl -sS -f -o /dev/null "${SIG[@]}"
}
run() { local t0 t1; t0=$(now); "$@" > "$W/out.txt" 2>&1 || { cat "$W/out.txt" >&2; return 1; }; t1=$(now); printf "%.2f\n" "$(echo "$t1 - $t0" | bc)"; }

tc=$(for i in $(seq $REPS); do run fetch_curl; done | median)
ts2=$(for i in $(seq $REPS); do run "$BIN" build "$URL" -o "$W/s3.s3i" --endpoint-url "$S3_ENDPOINT" --threads 2; done | median)
peak=$(sed -n 's/.*budget high-water \(.*\))/\1/p' "$W/out.txt")
ts1=$(for i in $(seq $REPS); do run "$BIN" build "$URL" -o "$W/s3.s3i" --endpoint-url "$S3_ENDPOINT" --threads 1; done | median)
tl2=$(for i in $(seq $REPS); do run "$BIN" build "$R" -o "$W/local.s3i" --threads 2; done | median)
tsmall=$(run "$BIN" build "$URL" -o "$W/s3b.s3i" --endpoint-url "$S3_ENDPOINT" --threads 2 --part-size 256k --mem-budget 64MiB)
peak_small=$(sed -n 's/.*budget high-water \(.*\))/\1/p' "$W/out.txt")
mb() { echo "scale=1; $gz / 1048576 / $1" | bc; }

out=$W/s3.md
{
echo "## S3"
echo
echo "\`bash bench/bench_s3.sh\` (BENCH_S3_OBJECTS=$N rows, $nf CSV.GZ files, $(echo "scale=1; $gz/1048576" | bc) MiB; medians of $REPS), $(date -u +%Y-%m-%d), $(nproc) cores shared with other jobs. Server: Swift + s3api on loopback (Python; it is the bottleneck of every line that touches it)."
echo
echo "| what | wall s | MB/s of data |"
echo "|---|---|---|"
echo "| curl --aws-sigv4, all data files to /dev/null, 2 in parallel | $tc | $(mb "$tc") |"
echo "| s3inv build s3:// --threads 1 (default 8 MiB parts, 4 connections) | $ts1 | $(mb "$ts1") |"
echo "| s3inv build s3:// --threads 2 | $ts2 | $(mb "$ts2") |"
echo "| s3inv build s3:// --threads 2 --part-size 256k --mem-budget 64MiB | $tsmall | $(mb "$tsmall") |"
echo "| s3inv build from the local copy --threads 2 (no network) | $tl2 | $(mb "$tl2") |"
echo
echo "Noise: the machine is shared; compare lines of one run only."
echo
echo "Budget high-water mark (everything reserved, part buffers in flight included): $peak at the default budget; $peak_small with --mem-budget 64MiB and 256 KiB parts."
} > "$out"
cat "$out"
bash bench/section.sh s3 "$out"
