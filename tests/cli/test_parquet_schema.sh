#!/bin/bash
# test_parquet_schema.sh — the Parquet files' own schema is authoritative:
# a manifest whose fileSchema disagrees with the data files (here: declares a
# size column the file lacks) still builds from the file's columns, says so
# in one notice, and the index reports bytes as unknown.
set -u
BIN=${1:?usage: test_parquet_schema.sh S3INV}
T=${S3INV_TMP:-/tmp}/cli-test_parquet_schema
SRC=${S3INV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$T" && mkdir -p "$T/r/data"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cp "$SRC/tests/data/parquet/nosize.parquet" "$T/r/data/nosize.parquet"
md5=$(md5sum "$T/r/data/nosize.parquet" | cut -d' ' -f1)
size=$(stat -c %s "$T/r/data/nosize.parquet")
schema='message s3.inventory {  required binary bucket (STRING);  required binary key (STRING);  optional int64 size;  optional binary storage_class (STRING);}'
cat >"$T/r/manifest.json" <<JSON
{"sourceBucket":"b","destinationBucket":"arn:aws:s3:::d","version":"2016-11-30",
 "creationTimestamp":"1763773200000","fileFormat":"Parquet","fileSchema":"$schema",
 "files":[{"key":"b/inv/data/nosize.parquet","size":$size,"MD5checksum":"$md5"}]}
JSON
"$BIN" build "$T/r" -o "$T/x.s3i" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "build exit $rc: $(cat "$T/err")"
grep -q "fileSchema declares a size column but the data files do not" "$T/err" && ok || bad "no notice about the size column: $(cat "$T/err")"
has=$("$BIN" info --json "$T/x.s3i" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("has_size", d.get("columns", {}).get("size")))' 2>&1)
[ "$has" = "False" ] && ok || bad "index says has_size=$has, want False"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
