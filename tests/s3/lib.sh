# SPDX-License-Identifier: MIT
# lib.sh — shared by the tests/s3 scripts (sourced): start the loopback Swift
# S3 server once per script (stopped by PID in an EXIT trap), compile the
# s3cat driver against libs3inv.a, upload with curl --aws-sigv4, count checks.
#   needs: BIN (the s3inv binary), NAME (scratch dir name)
set -u
SRC=${S3INV_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=$(cd "$(dirname "$BIN")" && pwd)
T=${S3INV_TMP:-$BUILD/testtmp}/$NAME
rm -rf "$T"; mkdir -p "$T"
pass=0; fail=0
ok() { pass=$((pass+1)); echo "ok   [$SECONDS s] $*"; }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; }

PROXY_PIDS=""
cleanup() {
  for p in $PROXY_PIDS; do kill "$p" 2>/dev/null; done
  [ -d "$T/swift" ] && bash "$SRC/tests/s3/swift-stop.sh" "$T/swift" >/dev/null 2>&1
}
trap cleanup EXIT

command -v swift-proxy-server >/dev/null || { echo "swift not installed (scripts/install-deps.sh test)"; echo "0 passed, 1 failed"; exit 1; }
bash "$SRC/tests/s3/swift-start.sh" auto "$T/swift" inventory > "$T/env.sh" 2> "$T/start.err" || {
  cat "$T/start.err"; echo "0 passed, 1 failed"; exit 1; }
. "$T/env.sh"
printf 'machine 127.0.0.1\nlogin %s\npassword %s\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" > "$T/netrc"
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI 2>/dev/null || true

# the s3cat driver (tests/s3/s3cat.c) against the library just built
S3CAT=$T/s3cat
cc -std=c17 -O1 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$SRC/src" -I"$SRC/include" \
  "$SRC/tests/s3/s3cat.c" "$BUILD/libs3inv.a" $(pkg-config --libs libcurl jansson libcrypto zlib) \
  -lpthread -lm -o "$S3CAT" 2> "$T/cc.err" || { cat "$T/cc.err"; echo "0 passed, 1 failed"; exit 1; }

urlenc() { /usr/bin/python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/-_.~"))' "$1"; }
# put FILE KEY [ENDPOINT]
put() {
  curl -sS -f -o /dev/null --aws-sigv4 "aws:amz:$S3_REGION:s3" --netrc-file "$T/netrc" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -T "$1" "${3:-$S3_ENDPOINT}/$S3_BUCKET/$(urlenc "$2")"
}
# upload every file under DIR, keys relative to DIR
put_tree() {
  local d=$1 f
  (cd "$d" && find . -type f | sed 's|^\./||') | while IFS= read -r f; do put "$d/$f" "$f" || return 1; done
}
