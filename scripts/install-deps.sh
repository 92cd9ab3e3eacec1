#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what s3inv needs to build, test and benchmark, from Debian packages
# (and npm for the DuckDB and Playwright test peers). Idempotent and quiet when
# everything is present: `make` calls it before every build.
#
#   usage: scripts/install-deps.sh [core|test|bench|all]   (default: core)
set -eu
what=${1:-core}

core="build-essential cmake pkg-config clang libclang-rt-14-dev
 zlib1g-dev libisal-dev isal libdeflate-dev libzstd-dev libsnappy-dev liblz4-dev
 libxxhash-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libssl-dev
 libcmocka-dev"
test="swift swift-proxy swift-account swift-container swift-object memcached
 ncdu chromium"
bench="libcmph-dev hyperfine wrk linux-perf valgrind"

case "$what" in
  core) pkgs=$core ;;
  test) pkgs="$core $test" ;;
  bench) pkgs="$core $test $bench" ;;
  all) pkgs="$core $test $bench" ;;
  *) echo "install-deps.sh: unknown set '$what' (core|test|bench|all)" >&2; exit 2 ;;
esac

missing=""
# Node.js: use the machine's own if it has one (it may come from elsewhere than Debian)
if [ "$what" != core ] && ! command -v npm >/dev/null 2>&1; then pkgs="$pkgs nodejs npm"; fi
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm test peers (DuckDB as the independent reference, playwright-core for the web tests)
if [ "$what" != core ]; then
  root=$(cd "$(dirname "$0")/.." && pwd)
  if [ ! -d "$root/tests/node/node_modules/@duckdb/node-api" ] || [ ! -d "$root/tests/node/node_modules/playwright-core" ]; then
    echo "install-deps: npm install in tests/node" >&2
    (cd "$root/tests/node" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
