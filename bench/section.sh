#!/bin/bash
# usage: bench/section.sh NAME FILE — replace the section between
# <!-- NAME:begin --> and <!-- NAME:end --> of BENCHMARKS.md with FILE
# (appended when absent). Each benchmark owns its section.
set -euo pipefail
name=$1 file=$2
md="$(cd "$(dirname "$0")/.." && pwd)/BENCHMARKS.md"
[ -f "$md" ] || printf '# Benchmarks\n\nFigures from `make bench` on the project machine (2 cores, 24 GiB, shared and noisy: medians and ratios against a peer run in the same command).\n' > "$md"
python3 - "$md" "$name" "$file" <<'PY'
import sys, re
md, name, f = sys.argv[1:4]
text = open(md).read()
body = open(f).read().rstrip("\n")
block = f"<!-- {name}:begin -->\n{body}\n<!-- {name}:end -->"
pat = re.compile(re.escape(f"<!-- {name}:begin -->") + ".*?" + re.escape(f"<!-- {name}:end -->"), re.S)
text = pat.sub(lambda m: block, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
open(md, "w").write(text)
PY
