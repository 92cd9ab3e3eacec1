#!/bin/bash
# SPDX-License-Identifier: MIT
# test_web.sh — the web page in a real browser: builds a small generated
# index, starts `s3inv serve` on a free loopback port, and runs
# web_test.js (playwright-core + Debian chromium), which clicks through
# two levels, checks the numbers shown against the JSON API, uses the
# search box and saves screenshots under $S3INV_TMP/web-test_web/shots.
# usage: test_web.sh path/to/s3inv   (env S3INV_SRC, S3INV_TMP)
set -u
BIN=${1:?usage: $0 path/to/s3inv}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
SRC=${S3INV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=${S3INV_TMP:-/tmp/s3inv-test}/web-test_web
rm -rf "$T"
mkdir -p "$T"

if [ ! -x /usr/bin/chromium ] || [ ! -d "$SRC/tests/node/node_modules/playwright-core" ]; then
	echo "chromium or playwright-core missing (run scripts/install-deps.sh)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

PID=
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -INT "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
}
trap cleanup EXIT INT TERM

"$BIN" gen --objects 30000 --seed 7 --out "$T/rep" >/dev/null 2>"$T/gen.err" &&
	"$BIN" build "$T/rep" -o "$T/web.s3i" >/dev/null 2>"$T/build.err" &&
	"$BIN" gen --objects 24000 --seed 7 --out "$T/rep-old" >/dev/null 2>>"$T/gen.err" &&
	"$BIN" build "$T/rep-old" -o "$T/old.s3i" >/dev/null 2>>"$T/build.err" || {
	echo "FAIL: could not build the test index: $(cat "$T/gen.err" "$T/build.err")"
	echo "0 passed, 1 failed"
	exit 1
}

"$BIN" serve --listen 127.0.0.1:0 --threads 2 "$T/web.s3i" "$T/old.s3i" >"$T/serve.out" 2>"$T/serve.err" &
PID=$!
PORT=
for _ in $(seq 1 100); do
	PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/serve.out")
	[ -n "$PORT" ] && break
	sleep 0.1
done
if [ -z "$PORT" ]; then
	echo "FAIL: server did not start: $(cat "$T/serve.err")"
	echo "0 passed, 1 failed"
	exit 1
fi

cd "$SRC/tests/node" || exit 1
NODE_PATH="$SRC/tests/node/node_modules" node "$SRC/tests/web/web_test.js" \
	"http://127.0.0.1:$PORT" web "$T/shots"
RC=$?
cleanup
PID=
if grep -q 'Sanitizer\|runtime error' "$T/serve.err"; then
	echo "FAIL: server stderr: $(head -c 2000 "$T/serve.err")"
	RC=1
fi
echo "screenshots: $T/shots" >&2
exit $RC
