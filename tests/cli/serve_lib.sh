# SPDX-License-Identifier: MIT
# serve_lib.sh — helpers of the `s3inv serve` tests (sourced after lib.sh):
# servers started on free loopback ports and stopped at exit, HTTP GETs with
# the status kept. Set AUTH=(-H "Authorization: Bearer …") to send a token.

PIDS=()
AUTH=()
serve_cleanup() {
	for p in "${PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
}
trap serve_cleanup EXIT

# start NAME ARGS... : start a server on a free port; sets URL and SPID
start() {
	local name=$1
	shift
	"$BIN" serve --listen 127.0.0.1:0 --threads 4 "$@" >"$T/$name.out" 2>"$T/$name.err" &
	SPID=$!
	PIDS+=("$SPID")
	URL=
	for _ in $(seq 1 100); do
		URL=$(sed -n 's|.*\(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$T/$name.out")
		[ -n "$URL" ] && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "server $name did not start: $(cat "$T/$name.err")" >&2
	return 1
}
# get PATH [CURL ARGS...]: body in $T/out, status in CODE (AUTH sent when set)
get() {
	local path=$1
	shift
	CODE=$(curl -s -o "$T/out" -w '%{http_code}' ${AUTH[@]+"${AUTH[@]}"} "$@" "$URL$path")
}
status_is() { [ "$CODE" = "$1" ] || { echo "  status $CODE, want $1: $(head -c 300 "$T/out")" >&2; return 1; }; }
