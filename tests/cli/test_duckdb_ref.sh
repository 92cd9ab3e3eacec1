#!/bin/bash
# SPDX-License-Identifier: MIT
# test_duckdb_ref.sh — three independent answers to "what is under every
# prefix?" must agree on generated reports with hostile keys:
#   1. tests/ref (C, jansson + zlib + a char-by-char CSV parser), built here
#      with cc as tests/ref/tool/refdump;
#   2. DuckDB (tests/node/duckdb_agg.js: read_csv, url_decode, unnest);
#   3. s3inv itself (build, then du --stdin --json on every prefix).
# Reports: each shape, shuffled gzip with versions; plus a sorted plain-CSV
# report without version columns; plus --max-depth and another delimiter
# (ref vs s3inv). DuckDB parts are skipped (with a note) when node or
# @duckdb/node-api is missing; the ref vs s3inv parts always run.
. "$(dirname "$0")/lib.sh"
SRC=${S3INV_SRC:-$(cd "$HERE/../.." && pwd)}
NODE_DIR=$SRC/tests/node

# --- the reference dumper ----------------------------------------------
REFDUMP=$T/refdump
if ! cc -O2 -std=c17 -I"$SRC/tests/ref" "$SRC/tests/ref/tool/refdump.c" "$SRC/tests/ref/ref.c" \
	-o "$REFDUMP" -ljansson -lz 2>"$T/cc.err"; then
	bad "cannot build refdump: $(head -c 400 "$T/cc.err")"
	finish
fi
HAVE_DUCK=1
if ! command -v node >/dev/null || [ ! -d "$NODE_DIR/node_modules/@duckdb/node-api" ]; then
	HAVE_DUCK=0
	echo "note: node or @duckdb/node-api missing: DuckDB comparisons skipped" >&2
fi

# compare_s3inv DIR [build options...]: every ref prefix through du --stdin
# --json must match objects, bytes, noncurrent, delete markers, depth and
# classes; s3inv must have exactly as many prefixes.
compare_s3inv() {
	local dir=$1
	shift
	local idx=$dir.s3i
	expect_rc 0 "$BIN" build "$dir" -o "$idx" --quiet "$@"
	[ "$RC" -eq 0 ] || return
	"$REFDUMP" "$dir/manifest.json" --full "${REFOPTS[@]}" >"$dir.full.tsv" || {
		bad "refdump failed on $dir"
		return
	}
	cut -f1 "$dir.full.tsv" >"$dir.prefixes"
	expect_rc 0 "$BIN" du "$idx" --stdin --json <"$dir.prefixes"
	cp "$T/out" "$dir.du.json"
	check "s3inv = ref on every prefix of $(basename "$dir") $*" python3 - "$dir.full.tsv" "$dir.du.json" <<'EOF'
import json, sys
ref = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8", errors="surrogateescape")]
# tolerate a stray leading ',' here; the line format is checked separately
du = [json.loads(l.lstrip(",")) for l in open(sys.argv[2], encoding="utf-8", errors="surrogateescape")]
bad = 0
if len(ref) != len(du):
    print(f"{len(ref)} ref prefixes, {len(du)} du lines"); sys.exit(1)
for r, d in zip(ref, du):
    p, obj, byt, nco, ncb, dm, depth = r[:7]
    cls = {c.split("=")[0]: tuple(int(x) for x in c.split("=")[1].split("/")) for c in r[7:]}
    got_cls = {k: (v["objects"], v["bytes"]) for k, v in d.get("classes", {}).items()}
    nc = d.get("noncurrent", {"objects": 0, "bytes": 0})
    want = (p, int(obj), int(byt), int(nco), int(ncb), int(dm), int(depth), cls)
    got = (d.get("prefix"), d.get("objects"), d.get("bytes"), nc["objects"], nc["bytes"],
           d.get("delete_markers", 0), d.get("depth"), got_cls)
    if d.get("found") is False or want != got:
        bad += 1
        if bad <= 5:
            print("ref  ", want); print("s3inv", got)
sys.exit(1 if bad else 0)
EOF
	check "du --stdin --json prints one JSON object per line ($(basename "$dir"))" \
		python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1], encoding="utf-8", errors="surrogateescape")]' "$dir.du.json"
	local n
	n=$("$BIN" info "$idx" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("prefixes", -1))' 2>/dev/null)
	check "s3inv has as many prefixes as ref ($(basename "$dir"): $n)" [ "$n" = "$(wc -l <"$dir.prefixes")" ]
}

# compare_duckdb DIR: DuckDB's prefix/objects/bytes TSV equals ref's, byte for byte
compare_duckdb() {
	local dir=$1
	[ "$HAVE_DUCK" = 1 ] || return
	"$REFDUMP" "$dir/manifest.json" >"$dir.ref.tsv" || {
		bad "refdump failed on $dir"
		return
	}
	expect_rc 0 env NODE_PATH="$NODE_DIR/node_modules" node "$NODE_DIR/duckdb_agg.js" \
		"$dir/manifest.json" --out "$dir.duck.tsv" --threads 2
	check "DuckDB = ref on every prefix of $(basename "$dir") ($(wc -l <"$dir.ref.tsv") prefixes)" \
		cmp -s "$dir.ref.tsv" "$dir.duck.tsv"
}

REFOPTS=()
for shape in mixed logs media; do
	d=$T/$shape
	expect_rc 0 "$BIN" gen --objects 20000 --files 3 --seed 17 --shape $shape --out "$d"
	compare_duckdb "$d"
	compare_s3inv "$d"
done

# sorted, plain CSV, no version columns
d=$T/plain
expect_rc 0 "$BIN" gen --objects 8000 --files 2 --seed 3 --no-gzip --sorted --no-versions --out "$d"
compare_duckdb "$d"
compare_s3inv "$d"

# --max-depth and another delimiter (ref and s3inv only)
REFOPTS=(--max-depth 2)
compare_s3inv "$T/mixed" --max-depth 2
REFOPTS=(--delimiter -)
compare_s3inv "$T/logs" --delimiter -
finish
