#!/bin/bash
# SPDX-License-Identifier: MIT
# The project's own copy of the shared example (tests/s3/).
# usage: stop.sh DATADIR  — stops the processes that start.sh recorded in DATADIR/run/pids,
# by PID only, and only if that PID still runs a command line naming DATADIR or memcached.
set -u
D=${1:?usage: stop.sh DATADIR}
D=$(cd "$D" 2>/dev/null && pwd) || { echo "stop.sh: no such dir $1" >&2; exit 1; }
F="$D/run/pids"
[ -s "$F" ] || { echo "stop.sh: nothing recorded in $F"; exit 0; }
PIDS=""; MP=$(cat "$D/run/memcached.port" 2>/dev/null || echo none)
for p in $(cat "$F"); do
  cmd=$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null) || continue
  case "$cmd" in
    *"$D"*|"memcached -l 127.0.0.1 -p $MP "*) echo "stopping pid $p: $cmd"; kill "$p" 2>/dev/null && PIDS="$PIDS $p";;
    *) echo "stop.sh: pid $p is now '$cmd', not ours; left alone" >&2;;
  esac
done
for i in $(seq 1 50); do
  alive=""; for p in $PIDS; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && break; sleep 0.1
done
for p in $alive; do echo "stop.sh: pid $p ignored SIGTERM, sending SIGKILL"; kill -9 "$p" 2>/dev/null; done
: > "$F"
