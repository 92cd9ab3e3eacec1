#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_corrupt.sh — damaged indexes: a byte flipped at offsets spread over
# the whole file, truncated copies, an empty file. Every query command must
# end with exit 0, 1 or 2 — never a crash (exit >= 128, sanitizer report) —
# and an error must be one line; verify must report every flip (exit 2).
. "$(dirname "$0")/lib.sh"

expect_rc 0 "$BIN" gen --objects 3000 --files 2 --seed 5 --out "$T/r"
expect_rc 0 "$BIN" build "$T/r" -o "$T/good.s3i" --quiet
expect_rc 0 "$BIN" verify "$T/good.s3i"
size=$(stat -c %s "$T/good.s3i" 2>/dev/null || echo 0)
if [ "$size" -le 1024 ]; then
	# nothing to corrupt; and never let a bad size reach `head -c`
	bad "no usable index to corrupt ($size bytes)"
	finish
fi
first=$("$BIN" ls "$T/good.s3i" --json --sort name | $PY -c \
	'import json,sys; print(json.load(sys.stdin)["children"][0]["prefix"])')

# all query commands on FILE; each must not crash; errors are one line
queries() {
	local f=$1 what=$2
	local -a cmds=("ls $f --json" "top $f --depth 3" "info $f --json")
	local c
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		run "$BIN" $c
		if no_crash && [ "$RC" -le 2 ]; then ok; else bad "$what: '$c' exit $RC: $(head -c 300 "$T/err")"; fi
		if [ "$RC" -eq 2 ]; then
			check "$what: '$c': one-line error" one_line_error
		fi
	done
	printf '\n%s\nnope/\n' "$first" | "$BIN" du "$f" --stdin >"$T/out" 2>"$T/err"
	RC=$?
	if no_crash && [ "$RC" -le 2 ]; then ok; else bad "$what: du --stdin exit $RC"; fi
}

# Offsets to flip: bytes of the header and the section table, the middle
# and last byte of every section (layout of docs/index-format.md:
# 64-byte header with n_sections at 16, then 32-byte entries id u32,
# width u32, offset u64, length u64, checksum u64), and the alignment
# padding at the end. A flip inside the header, table or a section must
# make verify fail; one in padding must at least not crash anything.
$PY - "$T/good.s3i" >"$T/offsets" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack_from("<I", b, 16)[0]
covered = [(0, 64 + 32 * n)]
offs = {o: 1 for o in list(range(0, 64, 8)) + [64 + 32 * i + 8 for i in range(n)]}
for i in range(n):
    _id, _w, off, ln, _ck = struct.unpack_from("<IIQQQ", b, 64 + 32 * i)
    if ln and off + ln <= len(b):
        covered.append((off, off + ln))
        for o in (off + ln // 2, off + ln - 1):
            offs[o] = 1
end = max(e for _, e in covered)
for o in (end, len(b) - 1):
    if o < len(b):
        offs[o] = 0
for o in sorted(offs):
    inside = any(a <= o < e for a, e in covered)
    print(o, 1 if inside else 0)
PY
check "found the sections ($(wc -l <"$T/offsets") offsets)" test "$(wc -l <"$T/offsets")" -gt 20
verify_missed=""
while read -r off inside; do
	cp "$T/good.s3i" "$T/bad.s3i"
	byte=$(od -An -tu1 -j "$off" -N1 "$T/bad.s3i" | tr -d ' ')
	printf "\\$(printf %03o $((byte ^ 0x5a)))" |
		dd of="$T/bad.s3i" bs=1 seek="$off" conv=notrunc status=none
	run "$BIN" verify "$T/bad.s3i"
	if ! no_crash; then bad "verify crashed on a flip at $off (exit $RC)"; fi
	if [ "$inside" = 1 ]; then
		if [ "$RC" -eq 2 ] && one_line_error; then ok; else verify_missed="$verify_missed $off"; fi
	fi
	queries "$T/bad.s3i" "flip at $off"
done <"$T/offsets"
check "verify reports every flipped byte (missed at:$verify_missed)" test -z "$verify_missed"

for keep in 0 7 64 $((size / 2)) $((size - 1)); do
	head -c "$keep" "$T/good.s3i" >"$T/trunc.s3i"
	for c in du ls top info verify; do
		run "$BIN" "$c" "$T/trunc.s3i"
		check "truncated to $keep: $c exit 2 (got $RC)" test "$RC" -eq 2
		check "truncated to $keep: $c one line" one_line_error
		check "truncated to $keep: $c names the file" err_names "trunc.s3i"
	done
done

# garbage of the right size, and the header of a good index on garbage
head -c "$size" /dev/urandom >"$T/noise.s3i"
queries "$T/noise.s3i" "random bytes"
{ head -c 256 "$T/good.s3i"; head -c "$((size - 256))" /dev/urandom; } >"$T/hdr.s3i"
queries "$T/hdr.s3i" "good header on random bytes"
expect_rc 2 "$BIN" verify "$T/hdr.s3i"

finish
