#!/bin/bash
# SPDX-License-Identifier: MIT
# test_s3_parquet.sh — a Parquet inventory read from a real S3 server (Swift +
# s3api on loopback, tests/s3/lib.sh) gives the same index as the local
# copy, and is read by exact ranges: the footer and the projected column
# chunks only, never a whole file, never an unprojected column.
#
# The report: `s3inv gen` (CSV.GZ) -> tests/node/csv2parquet.js (snappy,
# small row groups) -> uploaded in the AWS layout with a manifest naming
# the Swift bucket as destination. A small logging proxy (node, written
# below; Swift's own proxy log runs at WARNING and records no Range
# headers) sits between s3inv and Swift and writes one JSON line per
# request: method, path, Range, status, bytes sent. The allowed ranges are
# computed independently with DuckDB's parquet_metadata(): for each row
# group, [dictionary_page_offset or data_page_offset, + total_compressed_size)
# of the seven columns the index uses; a footer read is a range ending at
# the last byte of the file, at most 64 KiB unless the footer is larger.
#   usage: test_s3_parquet.sh path/to/s3inv
BIN=${1:?usage: test_s3_parquet.sh path/to/s3inv}
NAME=s3-parquet
. "$(dirname "$0")/lib.sh"
NODE_DIR=$SRC/tests/node
export NODE_PATH=$NODE_DIR/node_modules
if ! command -v node >/dev/null || [ ! -d "$NODE_DIR/node_modules/@duckdb/node-api" ]; then
  bad "node or @duckdb/node-api missing (see tests/node/README.md): cannot write Parquet"
  finish; exit
fi
REFDUMP=$T/refdump
cc -O2 -std=c17 -I"$SRC/tests/ref" "$SRC/tests/ref/tool/refdump.c" "$SRC/tests/ref/ref.c" \
  -o "$REFDUMP" -ljansson -lz 2> "$T/refcc.err" || { bad "cannot build refdump: $(head -c 300 "$T/refcc.err")"; finish; exit; }

# --- the report: CSV.GZ -> Parquet -> AWS layout under pq/src/ ---
"$BIN" gen --objects 12000 --files 2 --seed 5 --shape mixed --out "$T/csv" > /dev/null 2> "$T/gen.err" ||
  { bad "gen: $(cat "$T/gen.err")"; finish; exit; }
node "$NODE_DIR/csv2parquet.js" "$T/csv/manifest.json" "$T/pq" --codec snappy --row-group-size 2048 \
  --threads 1 > "$T/pq.files" 2> "$T/c2p.err" || { bad "csv2parquet: $(cat "$T/c2p.err")"; finish; exit; }
check "csv2parquet: several row groups in every file ($(cut -d' ' -f3 "$T/pq.files" | paste -sd' '))" \
  awk '$3 < 2 { bad = 1 } END { exit bad || NR == 0 }' "$T/pq.files"
DATE=2026-11-20T01-00Z
/usr/bin/python3 - "$T/pq" "$T/up" "$DATE" <<'EOF'
import hashlib, json, os, shutil, sys
src, up, date = sys.argv[1:4]
m = json.load(open(os.path.join(src, "manifest.json")))
m["destinationBucket"] = "arn:aws:s3:::inventory"
os.makedirs(os.path.join(up, "pq/src/data"), exist_ok=True)
os.makedirs(os.path.join(up, "pq/src", date), exist_ok=True)
for f in m["files"]:
    name = os.path.basename(f["key"])
    shutil.copyfile(os.path.join(src, "data", name), os.path.join(up, "pq/src/data", name))
    f["key"] = "pq/src/data/" + name
mj = json.dumps(m, indent=2).encode()
open(os.path.join(up, "pq/src", date, "manifest.json"), "wb").write(mj)
open(os.path.join(up, "pq/src", date, "manifest.checksum"), "w").write(hashlib.md5(mj).hexdigest() + "\n")
EOF
check "upload the Parquet report" put_tree "$T/up"

# the allowed ranges, from DuckDB: name size column start length (projected
# columns), and the e_tag chunks (never to be read)
node - "$T/pq/data" > "$T/chunks.tsv" 2> "$T/chunks.err" <<'EOF'
const fs = require('fs'), path = require('path');
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  const dir = process.argv[2];
  for (const name of fs.readdirSync(dir).sort()) {
    const f = path.join(dir, name), size = fs.statSync(f).size;
    const r = await c.runAndReadAll(`SELECT path_in_schema, coalesce(dictionary_page_offset, data_page_offset)::BIGINT, ` +
      `total_compressed_size::BIGINT FROM parquet_metadata('${f.replace(/'/g, "''")}')`);
    for (const [col, start, len] of r.getRows()) process.stdout.write(`${name}\t${size}\t${col}\t${start}\t${len}\n`);
  }
})().catch((e) => { console.error(e.message); process.exit(2); });
EOF
check "parquet_metadata of the files (DuckDB)" test -s "$T/chunks.tsv"

# --- the logging proxy ---
cat > "$T/rangelog.js" <<'EOF'
// forward to 127.0.0.1:UPPORT verbatim (Host kept: signatures still verify);
// append {"method","url","range","status","bytes"} per request to LOG
const http = require('http'), fs = require('fs');
const [upPort, portFile, log] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const up = http.request({ host: '127.0.0.1', port: Number(upPort), method: req.method,
      path: req.url, headers: req.headers }, (ur) => {
      let bytes = 0;
      res.writeHead(ur.statusCode, ur.headers);
      ur.on('data', (c) => { bytes += c.length; res.write(c); });
      ur.on('end', () => {
        res.end();
        fs.appendFileSync(log, JSON.stringify({ method: req.method, url: req.url,
          range: req.headers.range || null, status: ur.statusCode, bytes }) + '\n');
      });
    });
    up.on('error', () => req.socket.destroy());
    up.end(Buffer.concat(chunks));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile + '.tmp', String(server.address().port));
  fs.renameSync(portFile + '.tmp', portFile);
});
EOF
UPPORT=${S3_ENDPOINT##*:}
PF=$T/proxy.port
node "$T/rangelog.js" "$UPPORT" "$PF" "$T/requests.log" 2> "$T/proxy.err" &
PROXY_PIDS="$PROXY_PIDS $!"
for i in $(seq 1 100); do [ -s "$PF" ] && break; sleep 0.05; done
P=http://127.0.0.1:$(cat "$PF" 2>/dev/null)

# --- local build, prefix list from the reference ---
"$REFDUMP" "$T/csv/manifest.json" | cut -f1 > "$T/prefixes" || bad "refdump"
"$BIN" build "$T/pq" -o "$T/local.s3i" --quiet --threads 1 > "$T/bl.out" 2>&1
check "local build of the Parquet report" test -s "$T/local.s3i"

# same A B: du --stdin --json of every prefix (JSON objects) and info are equal
same() {
  /usr/bin/python3 - "$BIN" "$1" "$2" "$T/prefixes" <<'EOF'
import json, subprocess, sys
binp, a, b, pf = sys.argv[1:5]
data = open(pf, "rb").read()
def du(idx):
    p = subprocess.run([binp, "du", idx, "--stdin", "--json"], input=data, capture_output=True)
    return p.returncode, [json.loads(l) for l in p.stdout.decode("utf-8", "surrogateescape").splitlines()]
(ra, da), (rb, db) = du(a), du(b)
info = [json.loads(subprocess.run([binp, "info", i, "--json"], capture_output=True).stdout) for i in (a, b)]
keys = ("prefixes", "rows", "has_size", "has_versions", "classes", "root")
ok = ra == 0 and rb == 0 and len(da) == data.count(b"\n") and da == db and \
    all(info[0].get(k) == info[1].get(k) for k in keys) and info[0]["prefixes"] == len(da)
if not ok:
    print(f"du exit {ra}/{rb}, {len(da)}/{len(db)} lines for {data.count(10)} prefixes")
    print([(k, info[0].get(k), info[1].get(k)) for k in keys if info[0].get(k) != info[1].get(k)])
sys.exit(0 if ok else 1)
EOF
}

# ranges LOG: every request for a .parquet object is a ranged GET of the
# footer or of exactly one projected column chunk; every projected chunk
# was read; no e_tag (or other unprojected) chunk, no whole file
ranges() {
  /usr/bin/python3 - "$1" "$T/chunks.tsv" <<'EOF'
import json, re, sys, urllib.parse
log, chunks = sys.argv[1:3]
PROJ = {"key", "size", "storage_class", "is_latest", "is_delete_marker",
        "intelligent_tiering_access_tier", "last_modified_date"}
size, allowed, other = {}, {}, {}
for line in open(chunks):
    name, sz, col, start, ln = line.rstrip("\n").split("\t")
    size[name] = int(sz)
    (allowed if col in PROJ else other).setdefault(name, set()).add((int(start), int(ln)))
seen = {n: set() for n in size}
bad = footers = chunk_gets = 0
got = 0
for line in open(log):
    r = json.loads(line)
    path = urllib.parse.unquote(urllib.parse.urlsplit(r["url"]).path)
    name = path.rsplit("/", 1)[-1]
    if not name.endswith(".parquet"):
        continue
    if name not in size:
        bad += 1; print("unknown object", path); continue
    n = size[name]
    m = re.fullmatch(r"bytes=(\d+)-(\d*)", r["range"] or "")
    if r["method"] != "GET" or not m or r["status"] != 206:
        bad += 1; print("not a ranged GET answered 206:", r); continue
    a = int(m.group(1)); b = int(m.group(2)) if m.group(2) else n - 1
    ln = b - a + 1
    got += r["bytes"]
    if r["bytes"] != ln:
        bad += 1; print("bytes sent differ from the range:", r)
    if ln >= n:
        bad += 1; print("whole file fetched:", r)
    elif (a, ln) in allowed[name]:
        seen[name].add((a, ln)); chunk_gets += 1
    elif b == n - 1 and ln <= 65536:
        footers += 1
    else:
        bad += 1
        print("range neither footer nor projected chunk:", name, a, ln,
              "(an unprojected column)" if (a, ln) in other.get(name, ()) else "")
for name in size:
    missing = allowed[name] - seen[name]
    if missing:
        bad += 1; print(f"{name}: {len(missing)} projected chunks never read")
total = sum(size.values())
print(f"{footers} footer reads, {chunk_gets} column-chunk reads, {got} of {total} bytes")
if got >= total:
    bad += 1; print("read as many bytes as the files hold")
sys.exit(1 if bad or footers == 0 else 0)
EOF
}

for th in 1 2; do
  : > "$T/requests.log"
  if "$BIN" build "s3://inventory/pq/src/" -o "$T/s3.$th.s3i" --endpoint-url "$P" --quiet --threads $th \
      > "$T/bs3.out" 2>&1; then
    ok "build s3:// --threads $th"
    check "s3:// --threads $th: every prefix ($(wc -l < "$T/prefixes")) as the local build" same "$T/local.s3i" "$T/s3.$th.s3i"
    ranges "$T/requests.log" > "$T/ranges.$th.out"; rc=$?
    [ $rc = 0 ] || head -5 "$T/ranges.$th.out"
    check "s3:// --threads $th: footer + projected column chunks only: $(tail -1 "$T/ranges.$th.out")" [ $rc = 0 ]
  else
    bad "build s3:// --threads $th: $(tail -1 "$T/bs3.out")"
  fi
done

# a damaged object (one byte flipped in the footer's length) fails cleanly
f=$(ls "$T/up/pq/src/data" | head -1)
cp "$T/up/pq/src/data/$f" "$T/damaged.parquet"
/usr/bin/python3 -c '
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-6] ^= 0x7f
open(p, "wb").write(b)' "$T/damaged.parquet"
put "$T/damaged.parquet" "pq/src/data/$f"
"$BIN" build "s3://inventory/pq/src/" -o "$T/bad.s3i" --endpoint-url "$S3_ENDPOINT" --quiet --threads 2 \
  > /dev/null 2> "$T/bad.err"; rc=$?
check "damaged footer over S3: exit 2, one line naming the object, no index" \
  bash -c "[ $rc = 2 ] && [ \$(wc -l < '$T/bad.err') = 1 ] && grep -qF '$f' '$T/bad.err' && [ ! -e '$T/bad.s3i' ]"
finish
