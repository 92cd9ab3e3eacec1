/* SPDX-License-Identifier: MIT */
/*
 * parquet.c — the Parquet inventory reader: footer, projection, row groups,
 * pages, rows.
 *
 * Pipeline for one file: read the tail (one pread of up to 64 KiB, a second
 * only when the footer is larger), decode FileMetaData (parquet_meta.c) and
 * find our seven columns by name; then, row group by row group, read each
 * projected column chunk with exactly one pread of its byte range
 * (dictionary page .. + total_compressed_size) and walk its pages. All
 * projected columns advance in lockstep in batches of up to BATCH rows
 * that never straddle a page of any column, so string values are slices of
 * the current page (or of the dictionary) for the whole batch, and rows are
 * handed to the sink straight from the batch arrays: no per-row allocation
 * and no copy of keys. Uncompressed pages are used in place in the chunk
 * buffer; compressed ones are inflated into one page buffer per column,
 * reused.
 *
 * Trust nothing: offsets and sizes from the footer are checked against the
 * file (data must lie between the leading magic and the footer), page
 * sizes against the chunk, value counts against the row group, dictionary
 * indices against the dictionary, and every decoder against its page end.
 * Chunks and pages over 1 GiB are refused before any allocation. Errors
 * name the file, row group and column.
 *
 * Not done here: nested schemas (only top-level leaves are projected),
 * BYTE_STREAM_SPLIT, BROTLI/LZO, page CRC checks, encryption.
 */
#include "format/parquet.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format/parquet_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

#define BATCH 1024
#define TAIL_READ (64u << 10)

enum { K_STR, K_INT, K_BOOL };

struct col {
	const struct s3i_pq_col *sc;
	int kind;
	int idx;                     /* PQ_C_* */
	/* the chunk of the current row group */
	uint8_t *chunk;
	size_t chunk_cap, clen, cpos;
	int codec;
	int64_t values_left;         /* values not yet in a page */
	bool data_seen;
	/* dictionary */
	bool has_dict;
	uint8_t *dict_buf;
	size_t dict_buf_cap;
	void *dict;                  /* sv / int64 / uint8 array */
	size_t dict_cap;             /* bytes */
	uint32_t dict_n;
	/* current data page */
	uint8_t *page_buf;
	size_t page_cap;
	uint32_t page_left;
	int enc;
	struct s3i_pq_rle defs;
	const uint8_t *vp, *vend;
	uint64_t bitpos;
	struct s3i_pq_rle idxs;
	struct s3i_pq_dbp dbp;
	struct s3i_pq_dlba dlba;
	struct s3i_pq_dba dba;
	struct s3i_buf dbabuf;
	/* the batch */
	uint8_t def[BATCH];
	uint32_t u32[BATCH];
	struct s3i_pq_sv s[BATCH];
	int64_t i[BATCH];
	uint8_t b[BATCH];
	size_t offs[BATCH];
};

struct reader {
	struct s3i_input *in;
	s3inv_error *err;
	uint8_t *tail, *footer;  /* footer points into tail or is its own buffer */
	bool footer_owned;
	uint64_t data_end;       /* first byte of the footer */
	struct s3i_pq_meta meta;
	struct s3i_pq_dctx dctx;
	struct col *cols[PQ_NCOLS];
	uint32_t rg;             /* current row group, for messages */
};

static int ferr(struct reader *r, const char *fmt, ...) S3I_PRINTF(2, 3);
static int ferr(struct reader *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return s3i_err_set(r->err, S3INV_EFORMAT, "%s: %s", r->in->name, msg);
}

static int cerr(struct reader *r, const struct col *c, const char *what)
{
	return s3i_err_set(r->err, S3INV_EFORMAT, "%s: row group %u: column '%s': %s",
	                   r->in->name, r->rg, c->sc->name, what);
}

static int grow(uint8_t **p, size_t *cap, size_t n, struct reader *r)
{
	uint8_t *q;
	if (n <= *cap)
		return 0;
	q = s3i_realloc(*p, n);
	if (!q)
		return s3i_err_set(r->err, S3INV_ENOMEM, "%s: out of memory (%zu bytes)",
		                   r->in->name, n);
	*p = q;
	*cap = n;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *type_name(int t)
{
	static const char *const n[] = {"BOOLEAN", "INT32", "INT64", "INT96",
	                                "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
	return t >= 0 && t <= PQ_FLBA ? n[t] : "unknown";
}

/* ---- footer ------------------------------------------------------------- */

static int read_footer(struct reader *r)
{
	struct s3i_input *in = r->in;
	uint64_t size = in->size, tail_n, flen;
	const char *what = NULL;
	int rc;

	if (!in->can_pread || size == UINT64_MAX)
		return s3i_err_set(r->err, S3INV_EINVAL, "%s: Parquet needs positioned reads",
		                   in->name);
	if (size < 12)
		return ferr(r, "not a Parquet file (%llu bytes, too small)", (unsigned long long)size);
	tail_n = size < TAIL_READ ? size : TAIL_READ;
	if (!(r->tail = s3i_malloc((size_t)tail_n)))
		return s3i_err_set(r->err, S3INV_ENOMEM, "%s: out of memory", in->name);
	if ((rc = s3i_input_pread(in, size - tail_n, r->tail, (size_t)tail_n, r->err)) < 0)
		return rc;
	if (memcmp(r->tail + tail_n - 4, "PARE", 4) == 0)
		return ferr(r, "encrypted Parquet footer (PARE) is not supported");
	if (memcmp(r->tail + tail_n - 4, "PAR1", 4) != 0)
		return ferr(r, "not a Parquet file (bad magic at the end)");
	if (tail_n == size && memcmp(r->tail, "PAR1", 4) != 0)
		return ferr(r, "not a Parquet file (bad magic at the start)");
	flen = le32(r->tail + tail_n - 8);
	if (flen > size - 12)
		return ferr(r, "footer length %llu beyond the file size %llu",
		            (unsigned long long)flen, (unsigned long long)size);
	if (flen > PQ_MAX_FOOTER)
		return ferr(r, "footer of %llu bytes is too large", (unsigned long long)flen);
	r->data_end = size - 8 - flen;
	if (flen + 8 <= tail_n) {
		r->footer = r->tail + (tail_n - 8 - flen);
	} else {
		if (!(r->footer = s3i_malloc((size_t)flen)))
			return s3i_err_set(r->err, S3INV_ENOMEM, "%s: out of memory", in->name);
		r->footer_owned = true;
		if ((rc = s3i_input_pread(in, r->data_end, r->footer, (size_t)flen, r->err)) < 0)
			return rc;
	}
	if ((rc = s3i_pq_meta_parse(&r->meta, r->footer, (size_t)flen, &what)) < 0)
		return rc == S3INV_EFORMAT ? ferr(r, "%s", what) : rc;
	return 0;
}

/* Check the projected columns' types; fill COLS. */
static int check_projection(struct reader *r, struct s3i_columns *cols)
{
	static const int want_kind[PQ_NCOLS] = {K_STR, K_INT, K_STR, K_BOOL, K_BOOL, K_STR, K_INT};
	bool *has[PQ_NCOLS] = {NULL, &cols->size, &cols->storage_class, &cols->is_latest,
	                       &cols->is_delete_marker, &cols->tier, &cols->last_modified};

	memset(cols, 0, sizeof *cols);
	if (r->meta.col[PQ_C_KEY].leaf < 0)
		return ferr(r, "no key column");
	for (int c = 0; c < PQ_NCOLS; c++) {
		const struct s3i_pq_col *sc = &r->meta.col[c];
		bool ok;
		if (sc->leaf < 0)
			continue;
		switch (want_kind[c]) {
		case K_STR: ok = sc->type == PQ_BYTE_ARRAY; break;
		case K_BOOL: ok = sc->type == PQ_BOOLEAN; break;
		default:
			ok = sc->type == PQ_INT64 || (c == PQ_C_SIZE && sc->type == PQ_INT32) ||
			     (c == PQ_C_LM && sc->type == PQ_INT96);
		}
		if (!ok)
			return ferr(r, "column '%s' has unsupported type %s", sc->name,
			            type_name(sc->type));
		if (sc->max_def > 1)
			return ferr(r, "column '%s' is nested, unsupported", sc->name);
		if (has[c])
			*has[c] = true;
	}
	return 0;
}

/* ---- values ------------------------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* An INT64 timestamp (or plain int) to what the row wants. */
static inline int64_t conv_i64(const struct col *c, int64_t v)
{
	if (c->idx != PQ_C_LM)
		return v;
	switch (c->sc->ts_unit) {
	case PQ_TS_MICROS: return floordiv(v, 1000);
	case PQ_TS_NANOS: return floordiv(v, 1000000);
	default: return v; /* millis, or unannotated int64 (AWS: ms) */
	}
}

/* INT96 (nanoseconds of day, Julian day) to ms since the epoch. */
static int64_t int96_ms(const uint8_t *p)
{
	uint64_t nanos = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
	int32_t jd = (int32_t)le32(p + 8);
	return ((int64_t)jd - 2440588) * 86400000 + (int64_t)(nanos / 1000000);
}

/* Decode N PLAIN values of C's type at *PP (bounded by END) into OUT arrays
 * (s, i or b of kind). *BITPOS is the bit cursor for booleans. */
static int plain_values(struct col *c, const uint8_t **pp, const uint8_t *end, uint64_t *bitpos,
                        size_t n, struct s3i_pq_sv *s, int64_t *iv, uint8_t *bv)
{
	const uint8_t *p = *pp;
	size_t avail = (size_t)(end - p);

	switch (c->sc->type) {
	case PQ_BYTE_ARRAY:
		for (size_t k = 0; k < n; k++) {
			uint32_t len;
			if (4 > (size_t)(end - p))
				return -1;
			len = le32(p);
			p += 4;
			if (len > (size_t)(end - p))
				return -1;
			s[k].p = p;
			s[k].n = len;
			p += len;
		}
		break;
	case PQ_INT32:
		if (n > avail / 4)
			return -1;
		for (size_t k = 0; k < n; k++, p += 4)
			iv[k] = conv_i64(c, (int32_t)le32(p));
		break;
	case PQ_INT64:
		if (n > avail / 8)
			return -1;
		for (size_t k = 0; k < n; k++, p += 8)
			iv[k] = conv_i64(c, (int64_t)((uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32));
		break;
	case PQ_INT96:
		if (n > avail / 12)
			return -1;
		for (size_t k = 0; k < n; k++, p += 12)
			iv[k] = int96_ms(p);
		break;
	case PQ_BOOLEAN: {
		uint64_t bit = *bitpos;
		if (n > (uint64_t)avail * 8 - bit)
			return -1;
		for (size_t k = 0; k < n; k++, bit++)
			bv[k] = (p[bit >> 3] >> (bit & 7)) & 1;
		*bitpos = bit;
		break;
	}
	default:
		return -1;
	}
	*pp = p;
	return 0;
}

static size_t elem_size(int kind)
{
	return kind == K_STR ? sizeof(struct s3i_pq_sv) : kind == K_INT ? sizeof(int64_t) : 1;
}

/* ---- pages -------------------------------------------------------------- */

/* Decompress a page payload (or use it in place); OUT and OUT_N get the data. */
static int page_data(struct reader *r, struct col *c, const uint8_t *src, size_t cn, size_t un,
                     uint8_t **buf, size_t *cap, const uint8_t **out, size_t *out_n)
{
	const char *what = NULL;
	int rc;

	if (c->codec == PQ_UNCOMPRESSED) {
		if (cn != un)
			return cerr(r, c, "uncompressed page: compressed and uncompressed sizes differ");
		*out = src;
		*out_n = cn;
		return 0;
	}
	if (un > PQ_MAX_PAGE)
		return cerr(r, c, "page larger than 1 GiB");
	if ((rc = grow(buf, cap, un ? un : 1, r)) < 0)
		return rc;
	rc = s3i_pq_decompress(c->codec, &r->dctx, src, cn, *buf, un, &what);
	if (rc == S3INV_ENOMEM)
		return s3i_err_set(r->err, rc, "%s: out of memory", r->in->name);
	if (rc < 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s (%s)", what, s3i_pq_codec_name(c->codec));
		return cerr(r, c, msg);
	}
	*out = *buf;
	*out_n = un;
	return 0;
}

static int load_dict(struct reader *r, struct col *c, const struct s3i_pq_page *pg,
                     const uint8_t *payload)
{
	const uint8_t *d, *p;
	size_t dn, need;
	uint64_t bit = 0;
	int rc;

	if (c->has_dict || c->data_seen)
		return cerr(r, c, "unexpected second dictionary page");
	if (!pg->has_header)
		return cerr(r, c, "dictionary page without its header");
	if (pg->encoding != PQ_PLAIN && pg->encoding != PQ_PLAIN_DICTIONARY)
		return cerr(r, c, "dictionary page is not PLAIN encoded");
	if ((rc = page_data(r, c, payload, (size_t)pg->csize, (size_t)pg->usize, &c->dict_buf,
	                    &c->dict_buf_cap, &d, &dn)) < 0)
		return rc;
	/* every dictionary entry takes at least one byte (4 for strings), which
	 * bounds the allocation by the page size */
	if ((uint64_t)pg->num_values > (uint64_t)dn * 8 ||
	    (c->sc->type != PQ_BOOLEAN && (uint64_t)pg->num_values > dn))
		return cerr(r, c, "dictionary holds more values than its page has bytes");
	need = (size_t)pg->num_values * elem_size(c->kind);
	if ((rc = grow((uint8_t **)&c->dict, &c->dict_cap, need ? need : 1, r)) < 0)
		return rc;
	p = d;
	if (plain_values(c, &p, d + dn, &bit, (size_t)pg->num_values, c->dict, c->dict,
	                 c->dict) < 0)
		return cerr(r, c, "dictionary page truncated");
	c->dict_n = (uint32_t)pg->num_values;
	c->has_dict = true;
	return 0;
}

/* Set up the value decoder for a page whose values are D[0..N). */
static int init_values(struct reader *r, struct col *c, const uint8_t *d, size_t n)
{
	int type = c->sc->type;

	c->vp = d;
	c->vend = d + n;
	c->bitpos = 0;
	switch (c->enc) {
	case PQ_PLAIN:
		return 0;
	case PQ_PLAIN_DICTIONARY:
	case PQ_RLE_DICTIONARY:
		if (!c->has_dict)
			return cerr(r, c, "dictionary-encoded page without a dictionary");
		if (n < 1 || d[0] > 32)
			return cerr(r, c, "bad dictionary index bit width");
		s3i_pq_rle_init(&c->idxs, d + 1, n - 1, d[0]);
		return 0;
	case PQ_RLE: {
		uint32_t len;
		if (type != PQ_BOOLEAN)
			return cerr(r, c, "RLE encoding for a non-boolean column");
		if (n < 4 || (len = le32(d)) > n - 4)
			return cerr(r, c, "RLE boolean data truncated");
		s3i_pq_rle_init(&c->idxs, d + 4, len, 1);
		return 0;
	}
	case PQ_DELTA_BINARY_PACKED:
		if (type != PQ_INT32 && type != PQ_INT64)
			return cerr(r, c, "DELTA_BINARY_PACKED for a non-integer column");
		return s3i_pq_dbp_init(&c->dbp, d, n) < 0 ? cerr(r, c, "bad DELTA_BINARY_PACKED header")
		                                          : 0;
	case PQ_DELTA_LENGTH_BYTE_ARRAY:
		if (type != PQ_BYTE_ARRAY)
			return cerr(r, c, "DELTA_LENGTH_BYTE_ARRAY for a non-binary column");
		return s3i_pq_dlba_init(&c->dlba, d, n) < 0
		           ? cerr(r, c, "bad DELTA_LENGTH_BYTE_ARRAY data") : 0;
	case PQ_DELTA_BYTE_ARRAY:
		if (type != PQ_BYTE_ARRAY)
			return cerr(r, c, "DELTA_BYTE_ARRAY for a non-binary column");
		return s3i_pq_dba_init(&c->dba, d, n) < 0 ? cerr(r, c, "bad DELTA_BYTE_ARRAY data")
		                                          : 0;
	default: {
		char msg[64];
		snprintf(msg, sizeof msg, "unsupported encoding %d", c->enc);
		return cerr(r, c, msg);
	}
	}
}

/* Advance C to its next data page with values. */
static int next_page(struct reader *r, struct col *c)
{
	struct s3i_pq_page pg;
	const char *what = NULL;
	size_t hlen;
	int rc;

	for (;;) {
		const uint8_t *payload, *d;
		size_t dn;

		if (c->values_left == 0)
			return cerr(r, c, "more rows than values in the column chunk");
		if (c->cpos >= c->clen)
			return cerr(r, c, "column chunk ends before its values");
		if (s3i_pq_page_parse(&pg, &hlen, c->chunk + c->cpos, c->clen - c->cpos, &what) < 0)
			return cerr(r, c, what);
		c->cpos += hlen;
		if ((size_t)pg.csize > c->clen - c->cpos)
			return cerr(r, c, "page runs past the end of the column chunk");
		payload = c->chunk + c->cpos;
		c->cpos += (size_t)pg.csize;
		if ((size_t)pg.usize > PQ_MAX_PAGE)
			return cerr(r, c, "page larger than 1 GiB");

		if (pg.type == PQ_DICTIONARY_PAGE) {
			if ((rc = load_dict(r, c, &pg, payload)) < 0)
				return rc;
			continue;
		}
		if (pg.type != PQ_DATA_PAGE && pg.type != PQ_DATA_PAGE_V2)
			continue; /* index pages and unknown kinds: skipped */
		if (!pg.has_header)
			return cerr(r, c, "data page without its header");
		c->data_seen = true;
		if ((int64_t)pg.num_values > c->values_left)
			return cerr(r, c, "page holds more values than the column chunk");
		c->enc = pg.encoding;

		if (pg.type == PQ_DATA_PAGE) {
			if ((rc = page_data(r, c, payload, (size_t)pg.csize, (size_t)pg.usize,
			                    &c->page_buf, &c->page_cap, &d, &dn)) < 0)
				return rc;
			if (c->sc->max_def) {
				uint32_t len;
				if (pg.def_encoding != PQ_RLE)
					return cerr(r, c, "definition levels not RLE encoded");
				if (dn < 4 || (len = le32(d)) > dn - 4)
					return cerr(r, c, "definition levels run past the page");
				s3i_pq_rle_init(&c->defs, d + 4, len, 1);
				d += 4 + len;
				dn -= 4 + (size_t)len;
			}
		} else {
			size_t lv = (size_t)pg.rep_len + (size_t)pg.def_len;
			if (lv > (size_t)pg.csize || lv > (size_t)pg.usize)
				return cerr(r, c, "level lengths exceed the page size");
			if (pg.rep_len)
				return cerr(r, c, "repetition levels in a flat column");
			if (c->sc->max_def)
				s3i_pq_rle_init(&c->defs, payload, (size_t)pg.def_len, 1);
			if (pg.v2_compressed) {
				if ((rc = page_data(r, c, payload + lv, (size_t)pg.csize - lv,
				                    (size_t)pg.usize - lv, &c->page_buf, &c->page_cap, &d,
				                    &dn)) < 0)
					return rc;
			} else {
				if (pg.csize != pg.usize)
					return cerr(r, c, "uncompressed page: sizes differ");
				d = payload + lv;
				dn = (size_t)pg.csize - lv;
			}
		}
		if ((rc = init_values(r, c, d, dn)) < 0)
			return rc;
		c->values_left -= pg.num_values;
		c->page_left = (uint32_t)pg.num_values;
		if (c->page_left)
			return 0;
	}
}

/* Decode the next N rows of C (N <= page_left) into its batch arrays. */
static int decode_batch(struct reader *r, struct col *c, size_t n)
{
	size_t nn = n;
	int t = c->sc->type;

	if (c->sc->max_def) {
		if (s3i_pq_rle_get8(&c->defs, c->def, n) < 0)
			return cerr(r, c, "definition levels truncated or corrupt");
		nn = 0;
		for (size_t k = 0; k < n; k++)
			nn += c->def[k];
	} else {
		memset(c->def, 1, n);
	}

	switch (c->enc) {
	case PQ_PLAIN:
		if (plain_values(c, &c->vp, c->vend, &c->bitpos, nn, c->s, c->i, c->b) < 0)
			return cerr(r, c, "PLAIN values run past the page");
		break;
	case PQ_PLAIN_DICTIONARY:
	case PQ_RLE_DICTIONARY:
		if (s3i_pq_rle_get(&c->idxs, c->u32, nn) < 0)
			return cerr(r, c, "dictionary indices truncated or corrupt");
		for (size_t k = 0; k < nn; k++)
			if (c->u32[k] >= c->dict_n)
				return cerr(r, c, "dictionary index out of range");
		if (c->kind == K_STR) {
			const struct s3i_pq_sv *dv = c->dict;
			for (size_t k = 0; k < nn; k++)
				c->s[k] = dv[c->u32[k]];
		} else if (c->kind == K_INT) {
			const int64_t *dv = c->dict;
			for (size_t k = 0; k < nn; k++)
				c->i[k] = dv[c->u32[k]];
		} else {
			const uint8_t *dv = c->dict;
			for (size_t k = 0; k < nn; k++)
				c->b[k] = dv[c->u32[k]];
		}
		break;
	case PQ_RLE:
		if (s3i_pq_rle_get8(&c->idxs, c->b, nn) < 0)
			return cerr(r, c, "RLE booleans truncated or corrupt");
		for (size_t k = 0; k < nn; k++)
			if (c->b[k] > 1)
				return cerr(r, c, "RLE boolean out of range");
		break;
	case PQ_DELTA_BINARY_PACKED:
		if (s3i_pq_dbp_get(&c->dbp, c->i, nn) < 0)
			return cerr(r, c, "DELTA_BINARY_PACKED values truncated or corrupt");
		for (size_t k = 0; k < nn; k++)
			c->i[k] = conv_i64(c, t == PQ_INT32 ? (int64_t)(int32_t)(uint32_t)c->i[k] : c->i[k]);
		break;
	case PQ_DELTA_LENGTH_BYTE_ARRAY:
		if (s3i_pq_dlba_get(&c->dlba, c->s, nn) < 0)
			return cerr(r, c, "DELTA_LENGTH_BYTE_ARRAY values truncated or corrupt");
		break;
	case PQ_DELTA_BYTE_ARRAY: {
		int rc;
		c->dbabuf.len = 0;
		rc = s3i_pq_dba_get(&c->dba, &c->dbabuf, c->offs, c->s, nn);
		if (rc == S3INV_ENOMEM)
			return s3i_err_set(r->err, rc, "%s: out of memory", r->in->name);
		if (rc < 0)
			return cerr(r, c, "DELTA_BYTE_ARRAY values truncated, corrupt or too large");
		for (size_t k = 0; k < nn; k++)
			c->s[k].p = (const uint8_t *)c->dbabuf.data + c->offs[k];
		break;
	}
	default:
		return cerr(r, c, "unsupported encoding");
	}

	if (nn < n) { /* spread the non-null values to their rows, from the back */
		size_t j = nn;
		for (size_t k = n; k-- > 0;) {
			if (!c->def[k])
				continue;
			j--;
			if (c->kind == K_STR)
				c->s[k] = c->s[j];
			else if (c->kind == K_INT)
				c->i[k] = c->i[j];
			else
				c->b[k] = c->b[j];
		}
	}
	c->page_left -= (uint32_t)n;
	return 0;
}

/* ---- row groups ------------------------------------------------------------ */

static int load_chunk(struct reader *r, struct col *c, const struct s3i_pq_chunk *ch,
                      int64_t rows)
{
	int rc;

	if (ch->num_values != rows)
		return cerr(r, c, "value count differs from the row group's row count");
	if (ch->start < 4 || (uint64_t)ch->start > r->data_end ||
	    (uint64_t)ch->len > r->data_end - (uint64_t)ch->start)
		return cerr(r, c, "column chunk lies outside the data area");
	if (ch->len > PQ_MAX_CHUNK)
		return cerr(r, c, "column chunk larger than 1 GiB");
	if ((rc = grow(&c->chunk, &c->chunk_cap, ch->len ? (size_t)ch->len : 1, r)) < 0)
		return rc;
	if (ch->len &&
	    (rc = s3i_input_pread(r->in, (uint64_t)ch->start, c->chunk, (size_t)ch->len, r->err)) < 0)
		return rc;
	c->clen = (size_t)ch->len;
	c->cpos = 0;
	c->codec = ch->codec;
	c->values_left = ch->num_values;
	c->has_dict = false;
	c->data_seen = false;
	c->dict_n = 0;
	c->page_left = 0;
	return 0;
}

static int read_group(struct reader *r, const struct s3i_pq_rg *rg, s3i_row_fn fn,
                      void *payload, volatile int *cancel)
{
	struct col *key = r->cols[PQ_C_KEY], *size = r->cols[PQ_C_SIZE];
	struct col *cls = r->cols[PQ_C_CLASS], *latest = r->cols[PQ_C_LATEST];
	struct col *dm = r->cols[PQ_C_DM], *tier = r->cols[PQ_C_TIER], *lm = r->cols[PQ_C_LM];
	int64_t left = rg->num_rows;
	struct s3i_row row;
	int rc;

	for (int k = 0; k < PQ_NCOLS; k++)
		if (r->cols[k] && (rc = load_chunk(r, r->cols[k], &rg->chunk[k], rg->num_rows)) < 0)
			return rc;
	while (left > 0) {
		size_t n = left < BATCH ? (size_t)left : BATCH;
		if (cancel && *cancel)
			return s3i_err_set(r->err, S3INV_ECANCELED, "%s: cancelled", r->in->name);
		for (int k = 0; k < PQ_NCOLS; k++) {
			struct col *c = r->cols[k];
			if (!c)
				continue;
			if (c->page_left == 0 && (rc = next_page(r, c)) < 0)
				return rc;
			if (c->page_left < n)
				n = c->page_left;
		}
		for (int k = 0; k < PQ_NCOLS; k++)
			if (r->cols[k] && (rc = decode_batch(r, r->cols[k], n)) < 0)
				return rc;
		memset(&row, 0, sizeof row);
		/* hot loop: one row per iteration, straight from the batch arrays */
		for (size_t k = 0; k < n; k++) {
			if (!key->def[k])
				return cerr(r, key, "null key");
			row.key = (const char *)key->s[k].p;
			row.key_len = key->s[k].n;
			row.size = 0;
			if (size && size->def[k]) {
				if (size->i[k] < 0)
					return cerr(r, size, "negative size");
				row.size = (uint64_t)size->i[k];
			}
			row.storage_class = "";
			row.storage_class_len = 0;
			if (cls && cls->def[k]) {
				row.storage_class = (const char *)cls->s[k].p;
				row.storage_class_len = cls->s[k].n;
			}
			row.tier = "";
			row.tier_len = 0;
			if (tier && tier->def[k]) {
				row.tier = (const char *)tier->s[k].p;
				row.tier_len = tier->s[k].n;
			}
			row.last_modified_ms = lm && lm->def[k] ? lm->i[k] : INT64_MIN;
			row.is_latest = latest && latest->def[k] ? latest->b[k] != 0 : true;
			row.is_delete_marker = dm && dm->def[k] ? dm->b[k] != 0 : false;
			if ((rc = fn(payload, &row)) < 0)
				return rc;
		}
		left -= (int64_t)n;
	}
	for (int k = 0; k < PQ_NCOLS; k++) {
		struct col *c = r->cols[k];
		if (c && (c->page_left || c->values_left))
			return cerr(r, c, "more values than rows in the row group");
	}
	return 0;
}

/* ---- entry points ------------------------------------------------------------ */

static void reader_free(struct reader *r)
{
	for (int k = 0; k < PQ_NCOLS; k++) {
		struct col *c = r->cols[k];
		if (!c)
			continue;
		s3i_free(c->chunk);
		s3i_free(c->dict_buf);
		s3i_free(c->dict);
		s3i_free(c->page_buf);
		s3i_pq_dba_free(&c->dba);
		s3i_buf_free(&c->dbabuf);
		s3i_free(c);
	}
	s3i_pq_codec_free(&r->dctx);
	if (r->footer_owned)
		s3i_free(r->footer);
	s3i_free(r->tail);
}

int s3i_parquet_info(struct s3i_input *in, struct s3i_parquet_info *out, s3inv_error *err)
{
	struct reader r;
	int rc;

	memset(&r, 0, sizeof r);
	memset(out, 0, sizeof *out);
	r.in = in;
	r.err = err;
	TRY(read_footer(&r));
	TRY(check_projection(&r, &out->cols));
	out->num_rows = (uint64_t)r.meta.num_rows;
	out->num_row_groups = r.meta.nrg;
out:
	reader_free(&r);
	return rc;
}

int s3i_parquet_columns(struct s3i_input *in, struct s3i_columns *out, s3inv_error *err)
{
	struct s3i_parquet_info info;
	int rc = s3i_parquet_info(in, &info, err);
	if (rc == 0)
		*out = info.cols;
	return rc;
}

int s3i_parquet_read_groups(struct s3i_input *in, uint32_t first, uint32_t count,
                            struct s3i_columns *cols_out, s3i_row_fn fn, void *payload,
                            volatile int *cancel, s3inv_error *err)
{
	static const int kind[PQ_NCOLS] = {K_STR, K_INT, K_STR, K_BOOL, K_BOOL, K_STR, K_INT};
	struct reader r;
	struct s3i_columns cols;
	struct s3i_pq_rgiter it;
	struct s3i_pq_rg rg;
	const char *what = NULL;
	int64_t total = 0;
	bool all = first == 0 && count == UINT32_MAX;
	int rc;

	memset(&r, 0, sizeof r);
	r.in = in;
	r.err = err;
	TRY(read_footer(&r));
	TRY(check_projection(&r, &cols));
	if (cols_out)
		*cols_out = cols;
	for (int k = 0; k < PQ_NCOLS; k++) {
		struct col *c;
		if (r.meta.col[k].leaf < 0)
			continue;
		if (!(c = r.cols[k] = s3i_calloc(1, sizeof *c))) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", in->name);
			goto out;
		}
		c->sc = &r.meta.col[k];
		c->kind = kind[k];
		c->idx = k;
		s3i_buf_init(&c->dbabuf, PQ_MAX_PAGE);
		s3i_buf_init(&c->dba.prev, PQ_MAX_PAGE);
	}
	s3i_pq_rgiter_init(&it, &r.meta);
	for (r.rg = 0;; r.rg++) {
		rc = s3i_pq_rgiter_next(&it, &rg, &what);
		if (rc < 0) {
			rc = ferr(&r, "row group %u: %s", r.rg, what);
			goto out;
		}
		if (rc == 0)
			break;
		total += rg.num_rows;
		if (r.rg < first || r.rg - first >= count)
			continue;
		TRY(read_group(&r, &rg, fn, payload, cancel));
	}
	rc = 0;
	if (all && total != r.meta.num_rows)
		rc = ferr(&r, "footer says %lld rows, row groups hold %lld",
		          (long long)r.meta.num_rows, (long long)total);
out:
	reader_free(&r);
	return rc;
}

int s3i_parquet_read(struct s3i_input *in, s3i_row_fn fn, void *payload, volatile int *cancel,
                     s3inv_error *err)
{
	return s3i_parquet_read_groups(in, 0, UINT32_MAX, NULL, fn, payload, cancel, err);
}
