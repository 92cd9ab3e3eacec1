#!/bin/bash
# SPDX-License-Identifier: MIT
# test_parquet_e2e.sh — the same inventory as CSV.GZ and as Parquet gives
# the same index, prefix by prefix.
#
# For each report (the three `s3inv gen` shapes, a report without version
# columns, and a one-file report so that the row groups of one file are
# split between threads): gen (CSV.GZ) -> tests/node/csv2parquet.js (DuckDB
# writes AWS's Parquet columns and types, keys form-decoded, empty fields as
# NULL; small row groups so that every file has several) -> build both ->
# the list of every prefix comes from tests/ref (refdump on the CSV report,
# an independent aggregation) -> `s3inv du --stdin --json` on both indexes,
# every line parsed and compared as a JSON object; `info --json` compared
# too (prefix count = ref's, rows, has_size, has_versions, classes, root).
# Codecs snappy and zstd; Parquet builds at --threads 1 and 2.
# Skipped (reported as a failure, since the point of the test is lost) when
# node or @duckdb/node-api is missing.
. "$(dirname "$0")/lib.sh"
SRC=${S3INV_SRC:-$(cd "$HERE/../.." && pwd)}
NODE_DIR=$SRC/tests/node

if ! command -v node >/dev/null || [ ! -d "$NODE_DIR/node_modules/@duckdb/node-api" ]; then
	bad "node or @duckdb/node-api missing (see tests/node/README.md): cannot write Parquet"
	finish
fi
REFDUMP=$T/refdump
if ! cc -O2 -std=c17 -I"$SRC/tests/ref" "$SRC/tests/ref/tool/refdump.c" "$SRC/tests/ref/ref.c" \
	-o "$REFDUMP" -ljansson -lz 2>"$T/cc.err"; then
	bad "cannot build refdump: $(head -c 400 "$T/cc.err")"
	finish
fi

# same_index A.s3i B.s3i PREFIXES: du of every prefix and info are equal
same_index() {
	$PY - "$BIN" "$1" "$2" "$3" <<'EOF'
import json, subprocess, sys
binp, a, b, prefixes = sys.argv[1:5]
data = open(prefixes, "rb").read()
def du(idx):
    p = subprocess.run([binp, "du", idx, "--stdin", "--json"], input=data, capture_output=True)
    if p.returncode not in (0, 1):  # 1: some prefix not found, compared below
        print(f"du {idx}: exit {p.returncode}: {p.stderr[:300]!r}"); sys.exit(1)
    return [json.loads(l) for l in p.stdout.decode("utf-8", "surrogateescape").splitlines()]
def info(idx):
    p = subprocess.run([binp, "info", idx, "--json"], capture_output=True, check=True)
    return json.loads(p.stdout)
da, db = du(a), du(b)
n = data.count(b"\n")
if len(da) != n or len(db) != n:
    print(f"{n} prefixes asked, {len(da)} and {len(db)} answers"); sys.exit(1)
bad = 0
for x, y in zip(da, db):
    if x != y or x.get("found") is False:
        bad += 1
        if bad <= 5:
            print("csv    ", x); print("parquet", y)
ia, ib = info(a), info(b)
# every prefix's age histogram too (export ndjson carries it)
ea = subprocess.run([binp, "export", a, "--format", "ndjson"], capture_output=True).stdout
eb = subprocess.run([binp, "export", b, "--format", "ndjson"], capture_output=True).stdout
if ea != eb or b'"age":[' not in ea:
    bad += 1
    print("export ndjson (with age) differs, or has no age")
for k in ("prefixes", "rows", "has_size", "has_versions", "has_age", "has_small", "creation_ms", "source_bucket",
          "dest_bucket", "classes", "root", "delimiter", "max_depth"):
    if ia.get(k) != ib.get(k):
        bad += 1
        print(f"info {k}: csv {ia.get(k)!r}, parquet {ib.get(k)!r}")
if ia.get("prefixes") != n:
    bad += 1
    print(f"csv index has {ia.get('prefixes')} prefixes, ref has {n}")
if ib.get("file_format", "").lower() != "parquet":
    bad += 1
    print(f"parquet index says file_format {ib.get('file_format')!r}")
if bad:
    print(f"{bad} differences"); sys.exit(1)
EOF
}

# one NAME "CODECS" GEN_ARGS... : the whole round trip for one generated
# report, converted with each codec
one() {
	local name=$1 codecs=$2
	shift 2
	local d=$T/$name
	expect_rc 0 "$BIN" gen --seed 23 --out "$d" "$@"
	[ "$RC" -eq 0 ] || return
	"$REFDUMP" "$d/manifest.json" | cut -f1 >"$d.prefixes" || {
		bad "refdump failed on $name"
		return
	}
	expect_rc 0 "$BIN" build "$d" -o "$d.s3i" --quiet --threads 2
	local rows
	rows=$("$BIN" info "$d.s3i" --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["rows"])')
	local codec th
	for codec in $codecs; do
		local p=$d-$codec
		expect_rc 0 env NODE_PATH="$NODE_DIR/node_modules" node "$NODE_DIR/csv2parquet.js" \
			"$d/manifest.json" "$p" --codec $codec --row-group-size 2048 --threads 1
		[ "$RC" -eq 0 ] || continue
		# csv2parquet prints "<file> <rows> <row groups>" per file
		cp "$T/out" "$p.files"
		check "$name/$codec: several row groups in every file ($(cut -d' ' -f3 "$p.files" | paste -sd' '))" \
			awk '$3 < 2 { bad = 1 } END { exit bad || NR == 0 }' "$p.files"
		check "$name/$codec: as many rows as the CSV report" \
			[ "$(awk '{ n += $2 } END { print n }' "$p.files")" = "$rows" ]
		check "$name/$codec: manifest lists as many files as the CSV one" $PY -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if len(a["files"]) == len(b["files"]) and b["fileFormat"] == "Parquet"
         and b["creationTimestamp"] == a["creationTimestamp"] else 1)' "$d/manifest.json" "$p/manifest.json"
		for th in 1 2; do
			expect_rc 0 "$BIN" build "$p" -o "$p.$th.s3i" --quiet --threads $th
			[ "$RC" -eq 0 ] || continue
			check "$name/$codec threads=$th: every prefix ($(wc -l <"$d.prefixes")) as the CSV.GZ build" \
				same_index "$d.s3i" "$p.$th.s3i" "$d.prefixes"
		done
	done
}

one mixed "snappy zstd" --objects 15000 --files 3 --shape mixed
one logs snappy --objects 15000 --files 3 --shape logs
one media zstd --objects 10000 --files 2 --shape media
one noversions "zstd snappy" --objects 8000 --files 2 --shape mixed --no-versions
# one file, threads 2: the file's row groups are shared between the workers
one onefile "snappy zstd" --objects 12000 --files 1 --shape mixed --sorted

# MD5 of a Parquet file is checked (local, sequential read): a damaged copy
# with the manifest's MD5 is refused naming the file, and --no-verify reads it
p=$T/mixed-snappy
f=$(ls "$p"/data/*.parquet | head -1)
cp -r "$p" "$T/damaged"
g=$T/damaged/data/$(basename "$f")
# flip one byte of the e_tag/padding area in the middle: still a valid file?
# not necessarily; only the MD5 error is asserted
$PY -c '
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 3] ^= 0x01
open(p, "wb").write(b)' "$g"
expect_rc 2 "$BIN" build "$T/damaged" -o "$T/damaged.s3i" --quiet
check "damaged Parquet file: one-line error naming the file" bash -c \
	"[ \$(wc -l <'$T/err') = 1 ] && grep -qF '$(basename "$f")' '$T/err'"
check "damaged Parquet file: no index left" [ ! -e "$T/damaged.s3i" ]
finish
