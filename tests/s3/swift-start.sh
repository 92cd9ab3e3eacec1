#!/bin/bash
# SPDX-License-Identifier: MIT
# The project's own copy (tests/s3/), adapted from the shared example: the test suite
# never calls ../shared at run time. PORT may be 'auto': five consecutive free ports
# are picked (checked with bash's /dev/tcp).
# Start a loopback S3 endpoint: OpenStack Swift (Debian 12 packages, 2.30.x) with its
# s3api middleware and tempauth, which verifies AWS SigV4 signatures.
#
#   usage: swift-start.sh PORT|auto DATADIR [BUCKET]
#   needs: apt-get install -y --no-install-recommends swift swift-proxy swift-account \
#            swift-container swift-object memcached
#
# Ports used, all on 127.0.0.1: PORT = S3 endpoint (swift-proxy-server),
#   PORT+1 account, PORT+2 container, PORT+3 object server, PORT+4 memcached.
# Credentials (tempauth): access key "$S3_ACCOUNT:$S3_USER" (default test:tester),
#   secret $S3_SECRET_KEY (default testing). Region string: $S3_REGION (default us-east-1).
# On success prints shell assignments (eval-able) and exits 0; the servers keep running.
# Stop with: stop.sh DATADIR   (kills only the PIDs listed in DATADIR/run/pids)
set -euo pipefail
PORT=${1:?usage: start.sh PORT DATADIR [BUCKET]}
D=${2:?usage: start.sh PORT DATADIR [BUCKET]}
BUCKET=${3:-inventory}
ACCOUNT=${S3_ACCOUNT:-test}
USERNAME=${S3_USER:-tester}
SECRET=${S3_SECRET_KEY:-testing}
REGION=${S3_REGION:-us-east-1}
WAIT=${S3_START_TIMEOUT:-60}
if [ "$PORT" = auto ]; then
  PORT=""
  for try in $(seq 1 40); do
    base=$(( 20000 + (RANDOM * 7 + $$) % 30000 ))
    ok=1
    for k in 0 1 2 3 4; do
      if (exec 3<>/dev/tcp/127.0.0.1/$((base+k))) 2>/dev/null; then ok=0; break; fi
    done
    [ $ok = 1 ] && { PORT=$base; break; }
  done
  [ -n "$PORT" ] || { echo "swift-start.sh: no free ports found" >&2; exit 2; }
fi
PY=/usr/bin/python3            # Debian's python3 (has the swift module), not a pyenv one
PA=$((PORT+1)); PC=$((PORT+2)); PO=$((PORT+3)); PM=$((PORT+4))

for b in swift-proxy-server swift-account-server swift-container-server swift-object-server; do
  command -v $b >/dev/null || { echo "start.sh: $b not found (apt-get install swift-proxy swift-account swift-container swift-object)" >&2; exit 2; }
done
D=$(mkdir -p "$D" && cd "$D" && pwd)
if [ -s "$D/run/pids" ]; then
  for p in $(cat "$D/run/pids"); do
    if kill -0 "$p" 2>/dev/null; then echo "start.sh: already running in $D (pid $p); run stop.sh $D first" >&2; exit 1; fi
  done
fi
mkdir -p "$D/etc" "$D/node/d1" "$D/log" "$D/run"
: > "$D/run/pids"
U=$(id -un)

cat > "$D/etc/swift.conf" <<EOF
[swift-hash]
swift_hash_path_suffix = s3-loopback-test
[storage-policy:0]
name = Policy-0
default = yes
EOF

backend_conf() { # port app
  cat <<EOF
[DEFAULT]
devices = $D/node
mount_check = false
bind_ip = 127.0.0.1
bind_port = $1
workers = 0
user = $U
swift_dir = $D/etc
log_level = WARNING
[pipeline:main]
pipeline = $2-server
[app:$2-server]
use = egg:swift#$2
EOF
}
backend_conf $PA account   > "$D/etc/account-server.conf"
backend_conf $PC container > "$D/etc/container-server.conf"
backend_conf $PO object    > "$D/etc/object-server.conf"

MEMCACHE_LINE="memcache_servers = 127.0.0.1:$PM"
cat > "$D/etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PORT
workers = 0
user = $U
swift_dir = $D/etc
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper proxy-logging cache s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_${ACCOUNT}_${USERNAME} = $SECRET .admin
[filter:s3api]
use = egg:swift#s3api
location = $REGION
storage_domain = localhost
[filter:cache]
use = egg:swift#memcache
$MEMCACHE_LINE
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF

# one-device, one-replica rings; rebuilt only when the ports change
if [ "$(cat "$D/etc/ring.ports" 2>/dev/null)" != "$PA $PC $PO" ]; then
  (cd "$D/etc" && "$PY" - "$PA" "$PC" "$PO" <<'EOF'
import sys
from swift.common.ring import RingBuilder
for name, port in zip(("account", "container", "object"), map(int, sys.argv[1:4])):
    b = RingBuilder(6, 1, 1)
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
               "port": port, "device": "d1", "weight": 1})
    b.rebalance()
    b.get_ring().save(name + ".ring.gz")
EOF
  ) || { echo "start.sh: building rings failed" >&2; exit 1; }
  echo "$PA $PC $PO" > "$D/etc/ring.ports"
fi

if command -v memcached >/dev/null; then
  memcached -l 127.0.0.1 -p $PM -U 0 -m 64 -u "$U" > "$D/log/memcached.log" 2>&1 &
  echo $! >> "$D/run/pids"; echo $PM > "$D/run/memcached.port"
else
  echo "start.sh: memcached not installed; proxy runs without it (logs 'memcached error-limited')" >&2
fi
for s in account container object proxy; do
  swift-$s-server "$D/etc/$s-server.conf" -v > "$D/log/$s.log" 2>&1 &
  echo $! >> "$D/run/pids"
done

# wait until every backend and then the proxy answer HTTP (any status), so that the proxy
# never sees a refused backend (it would error-limit that node for 60 s), then create the bucket
deadline=$(( $(date +%s) + WAIT ))
for p in $PA $PC $PO $PORT; do
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/" || true)" != 000 ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "start.sh: nothing answers on 127.0.0.1:$p after ${WAIT}s; logs in $D/log" >&2; exit 1
    fi
    sleep 0.05
  done
done
NETRC="$D/run/netrc"
printf 'machine 127.0.0.1\nlogin %s:%s\npassword %s\n' "$ACCOUNT" "$USERNAME" "$SECRET" > "$NETRC"
code=000
while :; do
  code=$(curl -s -o "$D/run/mb.out" -w '%{http_code}' --aws-sigv4 "aws:amz:$REGION:s3" \
         --netrc-file "$NETRC" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT \
         "http://127.0.0.1:$PORT/$BUCKET" || true)
  case "$code" in 200|409) break;; esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "start.sh: endpoint not ready after ${WAIT}s (last HTTP $code); logs in $D/log" >&2
    exit 1
  fi
  sleep 0.1
done

echo "S3_ENDPOINT=http://127.0.0.1:$PORT"
echo "S3_BUCKET=$BUCKET"
echo "S3_REGION=$REGION"
echo "S3_ACCESS_KEY=$ACCOUNT:$USERNAME"
echo "S3_SECRET_KEY=$SECRET"
echo "S3_PIDS=\"$(tr '\n' ' ' < "$D/run/pids" | sed 's/ $//')\""
echo "S3_DATADIR=$D"
