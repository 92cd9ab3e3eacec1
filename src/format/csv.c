/* SPDX-License-Identifier: MIT */
/*
 * csv.c — the S3 Inventory CSV reader: (gzip) bytes → s3i_row.
 *
 * Where it sits: a build worker calls s3i_csv_read on one data file; bytes
 * come from the source layer through the gzip decoder (plain files pass
 * through), rows go to the aggregator's sink in the same thread.
 *
 * How it is fast: decompressed text lands in one buffer in large blocks. A
 * row is found with memchr('\n') and its fields with memchr('"') (quoted) or
 * memchr(',') (unquoted) bounded by that line end, so every byte is touched
 * by vectorised libc scans and almost never by a per-byte loop. A closing
 * quote not found before the line end means the field holds a newline: the
 * row is extended to the next line end, which is also how physical lines are
 * counted for messages. Only the mapped columns are decoded; the others are
 * skipped as spans. Decoding (doubled quotes, URL-decoding of Key) is done
 * in place, and only once a row is known to be complete, so a row that is
 * cut by the end of a block is parsed again, untouched, after the next read:
 * the unfinished tail is moved to the front of the buffer (carry-over).
 *
 * Bounded memory: the buffer is block + S3I_CSV_ROW_MAX bytes; a row longer
 * than S3I_CSV_ROW_MAX or a field longer than S3I_CSV_FIELD_MAX is an error,
 * not growth.
 *
 * Accepted: RFC 4180 quoted and unquoted fields, doubled quotes, embedded
 * commas and newlines, CRLF line ends, blank lines (skipped), a last line
 * without newline. Rejected with "<file>: line N: <problem>": a wrong field
 * count, an unterminated quote, text after a closing quote, a non-numeric
 * Size, a non-boolean IsLatest/IsDeleteMarker, a malformed LastModifiedDate.
 * A quote inside an unquoted field is kept literally (lenient).
 *
 * Not thread-safe: each call owns its buffer; run one per worker.
 */
#include "format/csv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format/gzip.h"
#include "util/alloc.h"
#include "util/err.h"

enum role { R_NONE = 0, R_KEY, R_SIZE, R_CLASS, R_LATEST, R_DM, R_TIER, R_LM, R_COUNT };

struct span {
	char *p;
	size_t len;
	bool dq;  /* holds doubled quotes to undo */
	bool set;
};

struct csv {
	const char *name;
	uint8_t *role;     /* role of each column, ncols entries */
	int ncols;
	uint64_t line;     /* physical line where the next row starts (1-based) */
	struct span sp[R_COUNT];
};

#define NEED_MORE 1

/* ---- field decoding ---------------------------------------------------- */

static size_t undouble(char *p, size_t len)
{
	size_t i, o = 0;
	for (i = 0; i < len; i++) {
		p[o++] = p[i];
		if (p[i] == '"' && i + 1 < len && p[i + 1] == '"')
			i++;
	}
	return o;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* SWAR: a byte of V equal to '%' or '+' (classic "has zero byte" test). */
static inline uint64_t has_escape(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t a = v ^ 0x2525252525252525ull, b = v ^ 0x2b2b2b2b2b2b2b2bull;
	return ((a - ones) & ~a & highs) | ((b - ones) & ~b & highs);
}

size_t s3i_url_decode(char *dst, const char *src, size_t len)
{
	size_t i = 0, o;

	/* Fast skip of the (usual) plain prefix, 8 bytes at a time. */
	while (len - i >= 8) {
		uint64_t v;
		memcpy(&v, src + i, 8);
		if (has_escape(v))
			break;
		i += 8;
	}
	while (i < len && src[i] != '%' && src[i] != '+')
		i++;
	if (dst != src)
		memmove(dst, src, i);
	o = i;
	while (i < len) {
		char c = src[i];
		if (c == '+') {
			dst[o++] = ' ';
			i++;
		} else if (c == '%' && len - i >= 3 && hexval((unsigned char)src[i + 1]) >= 0 &&
		           hexval((unsigned char)src[i + 2]) >= 0) {
			dst[o++] = (char)(hexval((unsigned char)src[i + 1]) * 16 +
			                  hexval((unsigned char)src[i + 2]));
			i += 3;
		} else {
			dst[o++] = c;
			i++;
		}
	}
	return o;
}

static int parse_u64(uint64_t *out, const char *p, size_t len)
{
	uint64_t v = 0;
	size_t i;
	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int parse_bool(bool *out, const char *p, size_t len)
{
	if (len == 4 && (p[0] | 0x20) == 't' && (p[1] | 0x20) == 'r' && (p[2] | 0x20) == 'u' &&
	    (p[3] | 0x20) == 'e') {
		*out = true;
		return 0;
	}
	if (len == 5 && (p[0] | 0x20) == 'f' && (p[1] | 0x20) == 'a' && (p[2] | 0x20) == 'l' &&
	    (p[3] | 0x20) == 's' && (p[4] | 0x20) == 'e') {
		*out = false;
		return 0;
	}
	return -1;
}

static int digits(const char *p, int n)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9)
			return -1;
		v = v * 10 + (int)d;
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days inverse). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff…]Z" → ms since the epoch. */
static int parse_iso8601(int64_t *out, const char *p, size_t len)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, s, ms = 0;
	size_t i = 19;

	if (len < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't') ||
	    p[13] != ':' || p[16] != ':')
		return -1;
	y = digits(p, 4);
	mo = digits(p + 5, 2);
	d = digits(p + 8, 2);
	h = digits(p + 11, 2);
	mi = digits(p + 14, 2);
	s = digits(p + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || s < 0 || s > 60)
		return -1;
	if (p[i] == '.') {
		int nd = 0;
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++, nd++)
			if (nd < 3)
				ms = ms * 10 + (p[i] - '0');
		if (nd == 0)
			return -1;
		for (; nd < 3; nd++)
			ms *= 10;
	}
	if (i + 1 != len || (p[i] != 'Z' && p[i] != 'z'))
		return -1;
	*out = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000 + ms;
	return 0;
}

/* ---- row scanning ------------------------------------------------------ */

static int row_error(const struct csv *c, uint64_t line, s3inv_error *err, const char *what)
{
	return s3i_err_set(err, S3INV_EFORMAT, "%s: line %llu: %s", c->name,
	                   (unsigned long long)line, what);
}

/*
 * Find the fields of the row starting at BUF[POS]; LEN bytes are valid, EOF
 * says whether more can come. Stores spans of mapped columns in c->sp.
 * @return 0 with *nf fields and *next (the offset after the row), NEED_MORE
 * when the row is cut by the end of the buffer, or S3INV_EFORMAT. *nl is the
 * number of newlines inside the row's fields. Does not modify the buffer.
 */
static int scan_row(struct csv *c, char *buf, size_t pos, size_t len, bool eof, int *nf,
                    size_t *next, unsigned *nl, s3inv_error *err)
{
	char *p = buf + pos, *lim = buf + len, *eol;
	int f = 0;

	*nl = 0;
	memset(c->sp, 0, sizeof c->sp);
	eol = memchr(p, '\n', (size_t)(lim - p));
	if (!eol) {
		if (!eof)
			return NEED_MORE;
		eol = lim;
	}
	for (;;) {
		char *fs, *fe;
		bool dq = false;

		if (p < eol && *p == '"') {
			char *q = p + 1;
			uint64_t qline = c->line + *nl; /* where the quote opened */
			for (;;) {
				char *hit = memchr(q, '"', (size_t)(eol - q));
				if (!hit) {
					if (eol == lim) {
						if (!eof)
							return NEED_MORE;
						return row_error(c, qline, err, "unterminated quote");
					}
					(*nl)++;
					q = eol + 1;
					eol = memchr(q, '\n', (size_t)(lim - q));
					if (!eol) {
						if (!eof)
							return NEED_MORE;
						eol = lim;
					}
					continue;
				}
				if (hit + 1 == lim && !eof)
					return NEED_MORE;
				if (hit + 1 < lim && hit[1] == '"') {
					dq = true;
					q = hit + 2;
					continue;
				}
				fs = p + 1;
				fe = hit;
				p = hit + 1;
				break;
			}
			if (p < eol && *p == '\r' && p + 1 == eol)
				p = eol;
			if (p != eol && *p != ',') {
				char what[64];
				snprintf(what, sizeof what, "unexpected '%c' after a closing quote",
				         (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f ? *p : '?');
				return row_error(c, c->line + *nl, err, what);
			}
		} else {
			char *hit = p < eol ? memchr(p, ',', (size_t)(eol - p)) : NULL;
			fs = p;
			fe = hit ? hit : eol;
			p = fe;
			if (!hit && fe > fs && fe[-1] == '\r')
				fe--;
		}
		if ((size_t)(fe - fs) > S3I_CSV_FIELD_MAX)
			return row_error(c, c->line + *nl, err, "field longer than 64 KiB");
		if (f < c->ncols && c->role[f]) {
			struct span *s = &c->sp[c->role[f]];
			s->p = fs;
			s->len = (size_t)(fe - fs);
			s->dq = dq;
			s->set = true;
		}
		f++;
		if (p == eol)
			break;
		p++; /* the comma */
	}
	if ((size_t)(eol - (buf + pos)) > S3I_CSV_ROW_MAX)
		return row_error(c, c->line, err, "row longer than 1 MiB");
	*nf = f;
	*next = eol < lim ? (size_t)(eol + 1 - buf) : len;
	return 0;
}

static const char *field(struct span *s, size_t *len)
{
	if (s->dq) {
		s->len = undouble(s->p, s->len);
		s->dq = false;
	}
	*len = s->len;
	return s->p;
}

/* Decode the mapped fields of a complete row into R (in place in the buffer). */
static int decode_row(struct csv *c, struct s3i_row *r, s3inv_error *err)
{
	char what[160];
	const char *v;
	size_t n;

	r->key = c->sp[R_KEY].p;
	r->key_len = 0;
	if (c->sp[R_KEY].set) {
		v = field(&c->sp[R_KEY], &n);
		r->key_len = s3i_url_decode(c->sp[R_KEY].p, v, n);
	}
	r->size = 0;
	if (c->sp[R_SIZE].set) {
		v = field(&c->sp[R_SIZE], &n);
		if (n && parse_u64(&r->size, v, n) < 0) {
			snprintf(what, sizeof what, "Size is not a number: '%.*s'", n > 40 ? 40 : (int)n, v);
			return row_error(c, c->line, err, what);
		}
	}
	r->storage_class = "";
	r->storage_class_len = 0;
	if (c->sp[R_CLASS].set)
		r->storage_class = field(&c->sp[R_CLASS], &r->storage_class_len);
	r->tier = "";
	r->tier_len = 0;
	if (c->sp[R_TIER].set)
		r->tier = field(&c->sp[R_TIER], &r->tier_len);
	r->is_latest = true;
	if (c->sp[R_LATEST].set) {
		v = field(&c->sp[R_LATEST], &n);
		if (n && parse_bool(&r->is_latest, v, n) < 0) {
			snprintf(what, sizeof what, "IsLatest is not true or false: '%.*s'",
			         n > 40 ? 40 : (int)n, v);
			return row_error(c, c->line, err, what);
		}
	}
	r->is_delete_marker = false;
	if (c->sp[R_DM].set) {
		v = field(&c->sp[R_DM], &n);
		if (n && parse_bool(&r->is_delete_marker, v, n) < 0) {
			snprintf(what, sizeof what, "IsDeleteMarker is not true or false: '%.*s'",
			         n > 40 ? 40 : (int)n, v);
			return row_error(c, c->line, err, what);
		}
	}
	r->last_modified_ms = INT64_MIN;
	if (c->sp[R_LM].set) {
		v = field(&c->sp[R_LM], &n);
		if (n && parse_iso8601(&r->last_modified_ms, v, n) < 0) {
			snprintf(what, sizeof what, "LastModifiedDate is not an ISO-8601 time: '%.*s'",
			         n > 40 ? 40 : (int)n, v);
			return row_error(c, c->line, err, what);
		}
	}
	return 0;
}

static int setup(struct csv *c, const char *name, const struct s3i_colmap *cols,
                 s3inv_error *err)
{
	const int idx[R_COUNT] = {-1, cols->key, cols->size, cols->storage_class, cols->is_latest,
	                          cols->is_delete_marker, cols->tier, cols->last_modified};
	int r;

	memset(c, 0, sizeof *c);
	c->name = name;
	c->line = 1;
	if (cols->ncols <= 0 || cols->ncols > 4096)
		return s3i_err_set(err, S3INV_EINVAL, "%s: bad column count %d", name, cols->ncols);
	if (cols->key < 0 || cols->key >= cols->ncols)
		return s3i_err_set(err, S3INV_EINVAL, "%s: no Key column", name);
	c->ncols = cols->ncols;
	c->role = s3i_calloc((size_t)c->ncols, 1);
	if (!c->role)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", name);
	for (r = 1; r < R_COUNT; r++)
		if (idx[r] >= 0 && idx[r] < c->ncols)
			c->role[idx[r]] = (uint8_t)r;
	return 0;
}

int s3i_csv_read_blocks(struct s3i_input *in, const struct s3i_colmap *cols, s3i_row_fn fn,
                        void *payload, volatile int *cancel, size_t block, s3inv_error *err)
{
	struct csv c;
	struct s3i_gz *z = NULL;
	char *buf = NULL;
	size_t cap, pos = 0, len = 0;
	bool eof = false;
	int rc;

	if (block == 0)
		block = S3I_CSV_BLOCK;
	TRY(setup(&c, in->name, cols, err));
	cap = block + S3I_CSV_ROW_MAX + 1;
	buf = s3i_malloc(cap);
	if (!buf) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory (CSV buffer)", in->name);
		goto out;
	}
	TRY(s3i_gz_open(&z, in, err));
	for (;;) {
		size_t n = 0;

		/* Rows complete in the buffer. */
		while (pos < len) {
			struct s3i_row row;
			size_t next = 0;
			unsigned nl = 0;
			int nf = 0;

			rc = scan_row(&c, buf, pos, len, eof, &nf, &next, &nl, err);
			if (rc < 0)
				goto out;
			if (rc == NEED_MORE)
				break;
			if (nf == 1 && nl == 0 && c.ncols > 1 && next - pos <= 2 &&
			    (buf[pos] == '\n' || buf[pos] == '\r')) {
				/* a blank line */
			} else if (nf != c.ncols) {
				char what[64];
				snprintf(what, sizeof what, "expected %d fields, found %d", c.ncols, nf);
				rc = row_error(&c, c.line, err, what);
				goto out;
			} else {
				TRY(decode_row(&c, &row, err));
				TRY(fn(payload, &row));
			}
			c.line += 1 + nl;
			pos = next;
		}
		if (eof)
			break;
		if (len - pos > S3I_CSV_ROW_MAX) {
			rc = row_error(&c, c.line, err, "row longer than 1 MiB");
			goto out;
		}
		if (cancel && *cancel) {
			rc = s3i_err_set(err, S3INV_ECANCELED, "%s: cancelled", in->name);
			goto out;
		}
		if (pos) {
			memmove(buf, buf + pos, len - pos);
			len -= pos;
			pos = 0;
		}
		TRY(s3i_gz_read(z, buf + len, cap - len < block ? cap - len : block, &n, err));
		if (n == 0)
			eof = true;
		len += n;
	}
	rc = 0;
out:
	s3i_gz_close(z);
	s3i_free(buf);
	s3i_free(c.role);
	return rc;
}

int s3i_csv_read(struct s3i_input *in, const struct s3i_colmap *cols, s3i_row_fn fn,
                 void *payload, volatile int *cancel, s3inv_error *err)
{
	return s3i_csv_read_blocks(in, cols, fn, payload, cancel, S3I_CSV_BLOCK, err);
}
