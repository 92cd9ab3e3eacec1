#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_json.sh — JSON output with hostile prefixes: control characters,
# '"', '\', DEL, U+2028, emoji, and invalid UTF-8 (stray bytes, overlong
# forms, surrogates, truncated sequences). Every line must be valid JSON
# and valid UTF-8 with no raw control character; each prefix must decode
# to the documented form (valid UTF-8 as is, each invalid byte as the
# Latin-1 character of its value), and the same prefix typed on --stdin
# must be found.
. "$(dirname "$0")/lib.sh"

R=$T/report
mkdir -p "$R/data"
# keys as S3 writes them in CSV: URL-encoded (raw bytes in comments)
$PY - "$R" <<'PY'
import sys
root = sys.argv[1]
keys = [
    "ctl%01%1Fdir/a",        # \x01 \x1f
    "tab%09nl%0Acr%0Ddir/b", # \t \n \r
    "quote%22back%5Cdir/c",  # " and \
    "del%7Fdir/d",           # DEL (valid, passes through)
    "ls%E2%80%A8ps%E2%80%A9/e",  # U+2028 U+2029
    "emoji%F0%9F%98%80/f",   # U+1F600
    "bad%FFbyte/g",          # invalid: 0xFF
    "overlong%C0%AF/h",      # invalid: overlong '/'
    "surr%ED%A0%80/i",       # invalid: surrogate
    "trunc%E2%82/j",         # invalid: truncated 3-byte sequence
    "lone%80cont/k",         # invalid: stray continuation byte
    "big%F4%90%80%80/l",     # invalid: above U+10FFFF
    "caf%C3%A9+au+lait/m",   # valid é, '+' = space
    "pct%2541/n",            # a literal "%41"
]
with open(root + "/data/part-0.csv", "w") as f:
    for i, k in enumerate(keys):
        f.write('"bkt","%s","%d","STANDARD"\n' % (k, 100 + i))
with open(root + "/manifest.json", "w") as f:
    f.write('{"sourceBucket":"bkt","destinationBucket":"arn:aws:s3:::inv","version":"2016-11-30",'
            '"creationTimestamp":"1795309200000","fileFormat":"CSV",'
            '"fileSchema":"Bucket, Key, Size, StorageClass",'
            '"files":[{"key":"bkt/inv/data/part-0.csv","size":0,"MD5checksum":"0"}]}')
PY
$PY "$HERE/ref.py" fix "$R/manifest.json"
expect_rc 0 "$BIN" build "$R" -o "$T/h.s3i" --quiet
expect_rc 0 "$BIN" ls "$T/h.s3i" --json --sort name
check "ls JSON: strict UTF-8, no raw control bytes" $PY -c '
import sys
b = open(sys.argv[1], "rb").read()
b.decode("utf-8")                      # strict
assert b.endswith(b"\n") and b.count(b"\n") == 1
assert not any(c < 0x20 for c in b[:-1]), "raw control byte"
assert b"\\u2028" in b and b"\\u2029" in b
assert b"\\u0001" in b and b"\\u001f" in b and b"\\n" in b and b"\\t" in b and b"\\r" in b
assert b"\\\"" in b and b"\\\\" in b' "$T/out"
check "ls JSON: every prefix decodes to the documented form" $PY -c '
import json, sys, urllib.parse
sys.path.insert(0, sys.argv[2])
def show(b):
    return b.decode("utf-8", errors="s3inv_latin1")
import codecs
codecs.register_error("s3inv_latin1", lambda e: (e.object[e.start:e.start+1].decode("latin-1"), e.start+1))
ls = json.load(open(sys.argv[1]))
keys = [l.split(",")[1].strip("\"") for l in open(sys.argv[3])]
want = sorted({urllib.parse.unquote_to_bytes(k.replace("+", " ")).split(b"/")[0] + b"/" for k in keys})
got = [c["prefix"] for c in ls["children"]]
assert got == [show(w) for w in want], (got, [show(w) for w in want])
assert ls["total"] == len(keys)
assert all(c["objects"] == 1 for c in ls["children"])' "$T/out" "$HERE" "$R/data/part-0.csv"

# every prefix, typed raw on stdin (except the one holding a newline)
$PY "$HERE/ref.py" prefixes "$R/manifest.json" >"$T/prefixes"
"$BIN" du "$T/h.s3i" --stdin <"$T/prefixes" >"$T/du" 2>"$T/err"
RC=$?
check "du --stdin: all hostile prefixes found (exit $RC)" test "$RC" -eq 0
check "du --stdin: equals the reference" $PY "$HERE/ref.py" compare "$R/manifest.json" "$T/du"
check "du --stdin: valid UTF-8 throughout" $PY -c 'open(__import__("sys").argv[1], "rb").read().decode("utf-8")' "$T/du"

# a missing prefix with invalid UTF-8 is echoed escaped too
printf 'no\377such/\n' | "$BIN" du "$T/h.s3i" --stdin >"$T/out" 2>"$T/err"
RC=$?
check "missing invalid-UTF-8 prefix: exit 1" test "$RC" -eq 1
check "missing invalid-UTF-8 prefix: escaped" pyjson '
import json, sys
b = open(sys.argv[1], "rb").read(); b.decode("utf-8")
assert json.loads(b) == {"prefix": "no\u00ffsuch/", "found": False}'

# text output shows control characters escaped, never raw
expect_rc 0 "$BIN" ls "$T/h.s3i" --sort name
check "ls text: control bytes escaped" $PY -c '
import sys
b = open(sys.argv[1], "rb").read()
assert b"\\x01\\x1f" in b and b"\\x0a" in b
assert not any(c < 0x20 and c != 0x0a for c in b)' "$T/out"

finish
