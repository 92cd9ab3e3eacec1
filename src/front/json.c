/* SPDX-License-Identifier: MIT */
/*
 * json.c — the JSON writer of json.h: a growable buffer, separator
 * bookkeeping and string escaping with UTF-8 validation.
 *
 * Validation follows RFC 3629 (the table of well-formed byte sequences in
 * Unicode §3.9): no overlong forms, no surrogates, nothing above U+10FFFF.
 * Each byte of an ill-formed sequence is escaped on its own as \u00XX, and
 * scanning resumes at the next byte, so one bad byte never swallows the
 * good text after it.
 */
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void s3i_json_init(struct s3i_json *j)
{
	memset(j, 0, sizeof *j);
}

void s3i_json_free(struct s3i_json *j)
{
	if (!j)
		return;
	free(j->p);
	s3i_json_init(j);
}

void s3i_json_reset(struct s3i_json *j)
{
	j->len = 0;
	if (j->p)
		j->p[0] = '\0';
	j->oom = false;
	j->depth = 0;
	j->after_key = false;
	memset(j->need_comma, 0, sizeof j->need_comma);
}

bool s3i_json_ok(const struct s3i_json *j)
{
	return !j->oom;
}

/* Make room for N more bytes plus a NUL. */
static bool reserve(struct s3i_json *j, size_t n)
{
	size_t want, cap;
	char *p;
	if (j->oom)
		return false;
	if (n < j->cap - j->len) /* cap > len always holds once allocated */
		return true;
	if (n > SIZE_MAX / 2 - j->len) {
		j->oom = true;
		return false;
	}
	want = j->len + n + 1;
	cap = j->cap ? j->cap : 256;
	while (cap < want)
		cap *= 2;
	p = realloc(j->p, cap);
	if (!p) {
		j->oom = true;
		return false;
	}
	j->p = p;
	j->cap = cap;
	return true;
}

void s3i_json_raw(struct s3i_json *j, const char *s, size_t len)
{
	if (!reserve(j, len))
		return;
	memcpy(j->p + j->len, s, len);
	j->len += len;
	j->p[j->len] = '\0';
}

static void put(struct s3i_json *j, char c)
{
	s3i_json_raw(j, &c, 1);
}

/* Separator before a value or key at the current level. */
static void sep(struct s3i_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	/* top-level values are separate documents (JSON lines): no comma */
	if (j->depth > 0 && j->need_comma[j->depth])
		put(j, ',');
	j->need_comma[j->depth] = true;
}

static void open_c(struct s3i_json *j, char c)
{
	sep(j);
	put(j, c);
	if (j->depth < S3I_JSON_MAX_NEST)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_c(struct s3i_json *j, char c)
{
	put(j, c);
	if (j->depth > 0)
		j->depth--;
}

void s3i_json_obj_open(struct s3i_json *j) { open_c(j, '{'); }
void s3i_json_obj_close(struct s3i_json *j) { close_c(j, '}'); }
void s3i_json_arr_open(struct s3i_json *j) { open_c(j, '['); }
void s3i_json_arr_close(struct s3i_json *j) { close_c(j, ']'); }

/* Length of the well-formed UTF-8 sequence at S (at most LEN bytes), or 0
 * when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (len >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xE0)
			lo = 0xA0; /* no overlongs */
		if (c == 0xED)
			hi = 0x9F; /* no surrogates */
		if (len < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F; /* nothing above U+10FFFF */
		if (len < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

static void put_u(struct s3i_json *j, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	char b[6] = {'\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
	             hex[v & 15]};
	s3i_json_raw(j, b, sizeof b);
}

void s3i_json_escape(struct s3i_json *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0; /* run: start of the pending pass-through bytes */
	put(j, '"');
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		const char *esc = NULL;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		n = (c >= 0x80) ? utf8_seq(s + i, len - i) : 1;
		if (n == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			s3i_json_raw(j, str + run, i - run);
			put_u(j, s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
			i += 3;
			run = i;
			continue;
		}
		if (n > 1) {
			i += n; /* valid multi-byte sequence: passes through */
			continue;
		}
		s3i_json_raw(j, str + run, i - run);
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default: break;
		}
		if (esc)
			s3i_json_raw(j, esc, 2);
		else
			put_u(j, c); /* control char, or a byte of invalid UTF-8 */
		i++;
		run = i;
	}
	s3i_json_raw(j, str + run, len - run);
	put(j, '"');
}

void s3i_json_keyn(struct s3i_json *j, const char *s, size_t len)
{
	sep(j);
	s3i_json_escape(j, s, len);
	put(j, ':');
	j->after_key = true;
}

void s3i_json_key(struct s3i_json *j, const char *s)
{
	s3i_json_keyn(j, s, strlen(s));
}

void s3i_json_strn(struct s3i_json *j, const char *s, size_t len)
{
	sep(j);
	s3i_json_escape(j, s, len);
}

void s3i_json_str(struct s3i_json *j, const char *s)
{
	if (!s) {
		s3i_json_null(j);
		return;
	}
	s3i_json_strn(j, s, strlen(s));
}

static void put_num(struct s3i_json *j, const char *b, int n)
{
	sep(j);
	if (n > 0)
		s3i_json_raw(j, b, (size_t)n);
}

void s3i_json_u64(struct s3i_json *j, uint64_t v)
{
	char b[24];
	put_num(j, b, snprintf(b, sizeof b, "%" PRIu64, v));
}

void s3i_json_i64(struct s3i_json *j, int64_t v)
{
	char b[24];
	put_num(j, b, snprintf(b, sizeof b, "%" PRId64, v));
}

void s3i_json_double(struct s3i_json *j, double v)
{
	char b[40];
	if (!isfinite(v)) {
		s3i_json_null(j);
		return;
	}
	put_num(j, b, snprintf(b, sizeof b, "%.6g", v));
}

void s3i_json_bool(struct s3i_json *j, bool v)
{
	sep(j);
	s3i_json_raw(j, v ? "true" : "false", v ? 4 : 5);
}

void s3i_json_null(struct s3i_json *j)
{
	sep(j);
	s3i_json_raw(j, "null", 4);
}

int s3i_json_flush(struct s3i_json *j, FILE *f)
{
	int rc = 0;
	if (j->oom) {
		errno = ENOMEM;
		rc = -1;
	} else if (j->len > 0 && fwrite(j->p, 1, j->len, f) != j->len) {
		rc = -1;
	}
	s3i_json_reset(j);
	return rc;
}
