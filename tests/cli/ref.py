#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# ref.py — a slow, obvious reference for the CLI tests, independent of the
# C code: reads a CSV/CSV.GZ inventory report with Python's csv and gzip
# modules and computes every prefix's statistics by the rules of
# docs/architecture.md ("Semantics").
#
#   ref.py prefixes MANIFEST [DELIM]        every prefix, one per line (raw bytes),
#                                           skipping ones holding '\n' or ending in '\r'
#   ref.py compare MANIFEST DU_JSON [DELIM] check `du --stdin` output for those
#                                           prefixes (same order); prints mismatches
#   ref.py count MANIFEST [DELIM]           number of prefixes
#   ref.py jsonstr BYTES                    how s3inv's JSON shows a byte string
#   ref.py fix MANIFEST                     rewrite files[].size and MD5checksum from
#                                           the data files, and manifest.checksum
import codecs
import csv
import gzip
import io
import json
import os
import sys
import urllib.parse

codecs.register_error("s3inv_latin1", lambda e: (e.object[e.start:e.start + 1].decode("latin-1"), e.start + 1))


def as_json_text(b):
    """The str a JSON parser returns for bytes B written by s3inv's writer:
    valid UTF-8 as is, each invalid byte as the Latin-1 char of its value."""
    return b.decode("utf-8", errors="s3inv_latin1")


def truthy(v):
    return v.strip().lower() == "true"


def load(manifest, delim=b"/"):
    with open(manifest, "rb") as f:
        m = json.load(f)
    cols = [c.strip() for c in m["fileSchema"].split(",")]
    ix = {c: i for i, c in enumerate(cols)}
    root = os.path.dirname(os.path.abspath(manifest))
    has_versions = "IsLatest" in ix or "IsDeleteMarker" in ix
    stats = {}

    def st(p):
        s = stats.get(p)
        if s is None:
            s = stats[p] = {"objects": 0, "bytes": 0, "classes": {}, "nc_objects": 0,
                            "nc_bytes": 0, "dm": 0}
        return s

    for fe in m["files"]:
        path = os.path.join(root, "data", os.path.basename(fe["key"]))
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        text = raw.decode("latin-1")  # bytes-preserving; keys are %-encoded anyway
        for row in csv.reader(io.StringIO(text, newline="")):
            if not row:
                continue
            key = urllib.parse.unquote_to_bytes(row[ix["Key"]].replace("+", " "))
            size = int(row[ix["Size"]]) if "Size" in ix and row[ix["Size"]] != "" else 0
            latest = truthy(row[ix["IsLatest"]]) if "IsLatest" in ix else True
            dm = truthy(row[ix["IsDeleteMarker"]]) if "IsDeleteMarker" in ix else False
            cls = row[ix["StorageClass"]] if "StorageClass" in ix else ""
            if cls == "":
                cls = "STANDARD"
            if cls == "INTELLIGENT_TIERING" and "IntelligentTieringAccessTier" in ix:
                tier = row[ix["IntelligentTieringAccessTier"]]
                if tier:
                    cls = cls + ":" + tier
            prefixes = [b""]
            i = key.find(delim)
            while i >= 0:
                prefixes.append(key[:i + 1])
                i = key.find(delim, i + 1)
            for p in prefixes:
                s = st(p)
                if dm:
                    s["dm"] += 1
                elif latest:
                    s["objects"] += 1
                    s["bytes"] += size
                    c = s["classes"].setdefault(cls, [0, 0])
                    c[0] += 1
                    c[1] += size
                else:
                    s["nc_objects"] += 1
                    s["nc_bytes"] += size
    return stats, has_versions


def usable(p):
    return b"\n" not in p and not p.endswith(b"\r")


def main():
    cmd = sys.argv[1]
    if cmd == "jsonstr":
        print(as_json_text(sys.argv[2].encode("utf-8", "surrogateescape")))
        return 0
    if cmd == "fix":
        import hashlib
        with open(sys.argv[2], "rb") as f:
            m = json.load(f)
        root = os.path.dirname(os.path.abspath(sys.argv[2]))
        for fe in m["files"]:
            with open(os.path.join(root, "data", os.path.basename(fe["key"])), "rb") as f:
                b = f.read()
            fe["size"] = len(b)
            fe["MD5checksum"] = hashlib.md5(b).hexdigest()
        text = json.dumps(m, indent=2).encode()
        with open(sys.argv[2], "wb") as f:
            f.write(text)
        ck = os.path.join(root, "manifest.checksum")
        if os.path.exists(ck):
            with open(ck, "w") as f:
                f.write(hashlib.md5(text).hexdigest() + "\n")
        return 0
    delim_arg = sys.argv[4] if cmd == "compare" and len(sys.argv) > 4 else (
        sys.argv[3] if cmd != "compare" and len(sys.argv) > 3 else "/")
    delim = delim_arg.encode()
    stats, has_versions = load(sys.argv[2], delim)
    keys = sorted(p for p in stats if usable(p))
    if cmd == "count":
        print(len(stats))
        return 0
    if cmd == "prefixes":
        out = sys.stdout.buffer
        for p in keys:
            out.write(p + b"\n")
        return 0
    if cmd == "compare":
        bad = 0
        with open(sys.argv[3], "rb") as f:
            lines = f.read().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        if len(lines) != len(keys):
            print(f"line count {len(lines)} != prefixes {len(keys)}")
            return 1
        for p, line in zip(keys, lines):
            got = json.loads(line)
            s = stats[p]
            want = {"prefix": as_json_text(p), "depth": p.count(delim), "objects": s["objects"],
                    "bytes": s["bytes"],
                    "classes": {k: {"objects": v[0], "bytes": v[1]} for k, v in s["classes"].items()
                                if v[0] > 0}}
            if has_versions:
                want["noncurrent"] = {"objects": s["nc_objects"], "bytes": s["nc_bytes"]}
                want["delete_markers"] = s["dm"]
            if got != want:
                bad += 1
                if bad <= 5:
                    print("mismatch:\n  got  %s\n  want %s" % (json.dumps(got), json.dumps(want)))
        print(f"{len(keys) - bad}/{len(keys)} prefixes match")
        return 1 if bad else 0
    return 2


sys.exit(main())
