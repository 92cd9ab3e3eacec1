/* SPDX-License-Identifier: MIT */
/*
 * size.c — s3inv_parse_size: sizes typed by people ("256MiB", "2G",
 * "1.5GiB", "4096", "64k") to bytes.
 *
 * Grammar: DIGITS [ "." DIGITS ] [ " " ] [ UNIT ], UNIT one of B, K, M, G,
 * T, P, E (case-insensitive), each optionally followed by "iB" or "B"
 * ("KiB", "KB", "k" all mean 1024: memory budgets and part sizes are
 * binary quantities, and mixing decimal units in would make "2G" and "2GB"
 * differ surprisingly). A fraction is allowed with a unit ("1.5GiB") and
 * rounds down to whole bytes. Anything else — empty text, a sign, junk
 * after the unit, a value above UINT64_MAX — is S3INV_EINVAL. Pure
 * function, thread-safe.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "s3inv.h"

static int unit_shift(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'k': return 10;
	case 'm': return 20;
	case 'g': return 30;
	case 't': return 40;
	case 'p': return 50;
	case 'e': return 60;
	default: return -1;
	}
}

int s3inv_parse_size(uint64_t *out, const char *text)
{
	const char *s = text;
	uint64_t ip = 0, mult = 1, add;
	double frac = 0, scale = 0.1;
	int shift = 0;
	bool has_frac = false;

	if (!out || !text || !isdigit((unsigned char)*s))
		return S3INV_EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (ip > (UINT64_MAX - d) / 10)
			return S3INV_EINVAL;
		ip = ip * 10 + d;
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return S3INV_EINVAL;
		has_frac = true;
		for (; isdigit((unsigned char)*s); s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	if (*s == ' ')
		s++;
	if (*s && (shift = unit_shift(*s)) >= 0) {
		s++;
		if ((s[0] == 'i' || s[0] == 'I') && (s[1] == 'b' || s[1] == 'B'))
			s += 2;
		else if (s[0] == 'b' || s[0] == 'B')
			s++;
	} else if (*s == 'b' || *s == 'B') {
		shift = 0;
		s++;
	} else {
		shift = 0;
	}
	if (*s != '\0')
		return S3INV_EINVAL;
	if (shift == 0 && has_frac)
		return S3INV_EINVAL; /* "1.5" bytes means nothing */
	mult = (uint64_t)1 << shift;
	if (ip > UINT64_MAX / mult)
		return S3INV_EINVAL;
	add = (uint64_t)(frac * (double)mult);
	if (add > UINT64_MAX - ip * mult)
		return S3INV_EINVAL;
	*out = ip * mult + add;
	return 0;
}
