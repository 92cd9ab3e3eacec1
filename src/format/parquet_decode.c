/* SPDX-License-Identifier: MIT */
/*
 * parquet_decode.c — Parquet's value and level encodings, and its codecs.
 *
 * Streaming decoders over one page's bytes, each returning values in
 * batches so the driver never materialises a page: the RLE/bit-packed
 * hybrid (definition levels, dictionary indices, RLE booleans),
 * DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY
 * (formats as in the public Parquet encodings spec). Every varint, run and
 * miniblock is checked against the page end before it is read; a stream
 * that ends early is S3INV_EFORMAT, never an over-read. Delta arithmetic is
 * done in uint64 (wrapping), as the spec requires.
 *
 * Codecs (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, and Hadoop-framed LZ4)
 * decompress one page into a caller buffer of exactly the size the page
 * header declares; any other produced size is damage.
 */
#include <string.h>

#include <libdeflate.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zstd.h>

#include "format/parquet_int.h"
#include "s3inv.h"

static int varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return S3INV_EFORMAT;
		v |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
	}
	return S3INV_EFORMAT;
}

/* Portable little-endian load; compilers turn it into one load on LE hosts. */
static inline uint64_t le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* WIDTH (0..64) bits at bit BIT of P, which has NBYTES bytes; the caller
 * guarantees BIT + WIDTH <= NBYTES * 8. */
static inline uint64_t bits_at(const uint8_t *p, size_t nbytes, uint64_t bit, int width)
{
	size_t byte = (size_t)(bit >> 3);
	unsigned sh = (unsigned)(bit & 7);
	uint64_t v;

	if (width == 0)
		return 0;
	if (nbytes - byte >= 8 && sh + (unsigned)width <= 64) {
		v = le64(p + byte) >> sh;
	} else { /* near the end of the buffer, or a 64-bit value not byte aligned */
		v = 0;
		for (int i = 0; i < width; i++) {
			uint64_t b = bit + (uint64_t)i;
			v |= (uint64_t)((p[b >> 3] >> (b & 7)) & 1) << i;
		}
		return v;
	}
	return width == 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

/* ---- RLE / bit-packed hybrid --------------------------------------------- */

void s3i_pq_rle_init(struct s3i_pq_rle *r, const uint8_t *p, size_t len, int width)
{
	memset(r, 0, sizeof *r);
	r->p = p;
	r->end = p + len;
	r->width = width;
}

static int rle_next_run(struct s3i_pq_rle *r)
{
	uint64_t h;
	if (varint(&r->p, r->end, &h) < 0)
		return S3INV_EFORMAT;
	if (h & 1) {
		uint64_t groups = h >> 1, bytes, avail = (uint64_t)(r->end - r->p), nvals;
		if (groups == 0 || groups > (UINT64_C(1) << 28))
			return S3INV_EFORMAT;
		bytes = groups * (uint64_t)r->width;
		if (bytes > avail)  /* writers may truncate the last run's padding */
			bytes = avail;
		nvals = r->width ? bytes * 8 / (uint64_t)r->width : groups * 8;
		if (nvals > groups * 8)
			nvals = groups * 8;
		if (nvals == 0)
			return S3INV_EFORMAT;
		r->packed = true;
		r->bp = r->p;
		r->bp_bytes = (size_t)bytes;
		r->bp_bit = 0;
		r->left = (uint32_t)nvals;
		r->p += bytes;
	} else {
		size_t nb = ((size_t)r->width + 7) / 8;
		uint32_t v = 0;
		if ((h >> 1) == 0 || (h >> 1) > UINT32_MAX)
			return S3INV_EFORMAT;
		if (nb > (size_t)(r->end - r->p))
			return S3INV_EFORMAT;
		for (size_t i = 0; i < nb; i++)
			v |= (uint32_t)r->p[i] << (8 * i);
		r->p += nb;
		if (r->width < 32 && (v >> r->width))
			return S3INV_EFORMAT;
		r->packed = false;
		r->value = v;
		r->left = (uint32_t)(h >> 1);
	}
	return 0;
}

int s3i_pq_rle_get(struct s3i_pq_rle *r, uint32_t *out, size_t n)
{
	while (n) {
		size_t k;
		if (r->left == 0 && rle_next_run(r) < 0)
			return S3INV_EFORMAT;
		k = n < r->left ? n : r->left;
		if (r->packed) {
			for (size_t i = 0; i < k; i++) {
				out[i] = (uint32_t)bits_at(r->bp, r->bp_bytes, r->bp_bit, r->width);
				r->bp_bit += (uint64_t)r->width;
			}
		} else {
			for (size_t i = 0; i < k; i++)
				out[i] = r->value;
		}
		r->left -= (uint32_t)k;
		out += k;
		n -= k;
	}
	return 0;
}

/* Hot path for definition levels and booleans (width 1). */
int s3i_pq_rle_get8(struct s3i_pq_rle *r, uint8_t *out, size_t n)
{
	while (n) {
		size_t k;
		if (r->left == 0 && rle_next_run(r) < 0)
			return S3INV_EFORMAT;
		k = n < r->left ? n : r->left;
		if (!r->packed) {
			memset(out, (int)r->value, k);
		} else if (r->width == 1) {
			for (size_t i = 0; i < k; i++, r->bp_bit++)
				out[i] = (r->bp[r->bp_bit >> 3] >> (r->bp_bit & 7)) & 1;
		} else {
			for (size_t i = 0; i < k; i++) {
				out[i] = (uint8_t)bits_at(r->bp, r->bp_bytes, r->bp_bit, r->width);
				r->bp_bit += (uint64_t)r->width;
			}
		}
		r->left -= (uint32_t)k;
		out += k;
		n -= k;
	}
	return 0;
}

/* ---- DELTA_BINARY_PACKED --------------------------------------------------- */

int s3i_pq_dbp_init(struct s3i_pq_dbp *d, const uint8_t *p, size_t len)
{
	uint64_t first;
	memset(d, 0, sizeof *d);
	d->p = p;
	d->end = p + len;
	if (varint(&d->p, d->end, &d->block_size) < 0 || varint(&d->p, d->end, &d->nmini) < 0 ||
	    varint(&d->p, d->end, &d->total) < 0 || varint(&d->p, d->end, &first) < 0)
		return S3INV_EFORMAT;
	if (d->block_size == 0 || d->block_size > (1u << 20) || d->block_size % 128 ||
	    d->nmini == 0 || d->block_size % d->nmini)
		return S3INV_EFORMAT;
	d->per_mini = d->block_size / d->nmini;
	if (d->per_mini % 32)
		return S3INV_EFORMAT;
	if (d->total > (UINT64_C(1) << 40))
		return S3INV_EFORMAT;
	d->last = (first >> 1) ^ (uint64_t)-(int64_t)(first & 1);
	d->left = d->total;
	d->first = d->total > 0;
	return 0;
}

/* Start the next block: min delta and the miniblock widths. */
static int dbp_block(struct s3i_pq_dbp *d)
{
	uint64_t md;
	if (varint(&d->p, d->end, &md) < 0)
		return S3INV_EFORMAT;
	d->min_delta = (md >> 1) ^ (uint64_t)-(int64_t)(md & 1);
	if (d->nmini > (uint64_t)(d->end - d->p))
		return S3INV_EFORMAT;
	d->widths = d->p;
	d->p += d->nmini;
	d->mini = 0;
	d->in_mini = 0;
	d->in_block = true;
	return 0;
}

/* Enter miniblock d->mini: check its bytes are present. */
static int dbp_mini(struct s3i_pq_dbp *d)
{
	uint64_t w = d->widths[d->mini], bytes;
	if (w > 64)
		return S3INV_EFORMAT;
	bytes = w * d->per_mini / 8;
	if (bytes > (uint64_t)(d->end - d->p))
		return S3INV_EFORMAT;
	d->mp = d->p;
	d->p += bytes;
	d->in_mini = 0;
	return 0;
}

int s3i_pq_dbp_get(struct s3i_pq_dbp *d, int64_t *out, size_t n)
{
	if (n > d->left)
		return S3INV_EFORMAT;
	for (size_t i = 0; i < n; i++) {
		if (d->first) {
			d->first = false;
		} else {
			int w;
			if (!d->in_block || (d->mini == d->nmini - 1 && d->in_mini == d->per_mini)) {
				if (dbp_block(d) < 0 || dbp_mini(d) < 0)
					return S3INV_EFORMAT;
			} else if (d->in_mini == d->per_mini) {
				d->mini++;
				if (dbp_mini(d) < 0)
					return S3INV_EFORMAT;
			}
			w = d->widths[d->mini];
			d->last += d->min_delta +
			           bits_at(d->mp, (size_t)(w * d->per_mini / 8), d->in_mini * (uint64_t)w, w);
			d->in_mini++;
		}
		out[i] = (int64_t)d->last;
		d->left--;
	}
	return 0;
}

int s3i_pq_dbp_end(const struct s3i_pq_dbp *d0, const uint8_t **end)
{
	/* Walk headers from the start of the stream: values after the first
	 * come in blocks; only the miniblocks that hold values are stored. */
	struct s3i_pq_dbp d = *d0;
	uint64_t rest;

	if (d.in_block || d.left != d.total)
		return S3INV_EFORMAT; /* only valid on a fresh decoder */
	rest = d.total ? d.total - 1 : 0;
	while (rest) {
		if (dbp_block(&d) < 0)
			return S3INV_EFORMAT;
		for (d.mini = 0; d.mini < d.nmini && rest; d.mini++) {
			if (dbp_mini(&d) < 0)
				return S3INV_EFORMAT;
			rest -= rest < d.per_mini ? rest : d.per_mini;
		}
	}
	*end = d.p;
	return 0;
}

/* ---- DELTA_LENGTH_BYTE_ARRAY --------------------------------------------- */

int s3i_pq_dlba_init(struct s3i_pq_dlba *d, const uint8_t *p, size_t len)
{
	if (s3i_pq_dbp_init(&d->len, p, len) < 0)
		return S3INV_EFORMAT;
	if (s3i_pq_dbp_end(&d->len, &d->data) < 0)
		return S3INV_EFORMAT;
	d->end = p + len;
	return 0;
}

int s3i_pq_dlba_get(struct s3i_pq_dlba *d, struct s3i_pq_sv *out, size_t n)
{
	while (n) {
		size_t k = n < 256 ? n : 256;
		if (s3i_pq_dbp_get(&d->len, d->lens, k) < 0)
			return S3INV_EFORMAT;
		for (size_t i = 0; i < k; i++) {
			if (d->lens[i] < 0 || (uint64_t)d->lens[i] > (uint64_t)(d->end - d->data))
				return S3INV_EFORMAT;
			out[i].p = d->data;
			out[i].n = (size_t)d->lens[i];
			d->data += d->lens[i];
		}
		out += k;
		n -= k;
	}
	return 0;
}

/* ---- DELTA_BYTE_ARRAY ------------------------------------------------------ */

int s3i_pq_dba_init(struct s3i_pq_dba *d, const uint8_t *p, size_t len)
{
	const uint8_t *sfx;
	if (s3i_pq_dbp_init(&d->prefix, p, len) < 0 || s3i_pq_dbp_end(&d->prefix, &sfx) < 0)
		return S3INV_EFORMAT;
	if (s3i_pq_dlba_init(&d->suffix, sfx, (size_t)(p + len - sfx)) < 0)
		return S3INV_EFORMAT;
	if (d->suffix.len.total != d->prefix.total)
		return S3INV_EFORMAT;
	d->prev.len = 0;
	return 0;
}

int s3i_pq_dba_get(struct s3i_pq_dba *d, struct s3i_buf *outbuf, size_t *offs,
                   struct s3i_pq_sv *out, size_t n)
{
	int rc;
	while (n) {
		size_t k = n < 256 ? n : 256;
		if (s3i_pq_dbp_get(&d->prefix, d->pre, k) < 0 || s3i_pq_dlba_get(&d->suffix, out, k) < 0)
			return S3INV_EFORMAT;
		for (size_t i = 0; i < k; i++) {
			size_t pre, sl = out[i].n;
			const uint8_t *s = out[i].p;
			if (d->pre[i] < 0 || (uint64_t)d->pre[i] > d->prev.len)
				return S3INV_EFORMAT;
			pre = (size_t)d->pre[i];
			offs[i] = outbuf->len;
			if ((rc = s3i_buf_append(outbuf, d->prev.data, pre)) < 0 ||
			    (rc = s3i_buf_append(outbuf, s, sl)) < 0)
				return rc;
			/* prev = the value just built (prefix of prev + suffix) */
			d->prev.len = pre;
			if ((rc = s3i_buf_append(&d->prev, s, sl)) < 0)
				return rc;
			out[i].p = NULL;
			out[i].n = pre + sl;
		}
		offs += k;
		out += k;
		n -= k;
	}
	return 0;
}

void s3i_pq_dba_free(struct s3i_pq_dba *d)
{
	s3i_buf_free(&d->prev);
}

/* ---- codecs ------------------------------------------------------------------- */

const char *s3i_pq_codec_name(int codec)
{
	static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
	                                    "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
	return codec >= 0 && codec <= PQ_LZ4_RAW ? names[codec] : "unknown";
}

/* Hadoop's LZ4 framing: blocks of [u32 BE raw size][u32 BE compressed
 * size][lz4 block]. Returns -1 when SRC is not in that framing. */
static int lz4_hadoop(const uint8_t *src, size_t cn, uint8_t *dst, size_t un)
{
	size_t in = 0, outp = 0;
	while (in < cn) {
		uint32_t raw, comp;
		int got;
		if (8 > cn - in)
			return -1;
		raw = (uint32_t)src[in] << 24 | (uint32_t)src[in + 1] << 16 |
		      (uint32_t)src[in + 2] << 8 | src[in + 3];
		comp = (uint32_t)src[in + 4] << 24 | (uint32_t)src[in + 5] << 16 |
		       (uint32_t)src[in + 6] << 8 | src[in + 7];
		in += 8;
		if (comp > cn - in || raw > un - outp || comp > INT32_MAX || raw > INT32_MAX)
			return -1;
		got = LZ4_decompress_safe((const char *)src + in, (char *)dst + outp, (int)comp,
		                          (int)raw);
		if (got < 0 || (uint32_t)got != raw)
			return -1;
		in += comp;
		outp += raw;
	}
	return outp == un ? 0 : -1;
}

int s3i_pq_decompress(int codec, struct s3i_pq_dctx *ctx, const uint8_t *src, size_t cn, uint8_t *dst,
                      size_t un, const char **what)
{
	switch (codec) {
	case PQ_UNCOMPRESSED:
		if (cn != un) {
			*what = "uncompressed page: sizes differ";
			return S3INV_EFORMAT;
		}
		if (un)
			memcpy(dst, src, un);
		return 0;
	case PQ_SNAPPY: {
		size_t len;
		if (snappy_uncompressed_length((const char *)src, cn, &len) != SNAPPY_OK ||
		    len != un) {
			*what = "snappy: decompressed size differs from the page header";
			return S3INV_EFORMAT;
		}
		if (snappy_uncompress((const char *)src, cn, (char *)dst, &len) != SNAPPY_OK ||
		    len != un) {
			*what = "snappy: corrupt data";
			return S3INV_EFORMAT;
		}
		return 0;
	}
	case PQ_GZIP: {
		struct libdeflate_decompressor *d = ctx->deflate;
		size_t got = 0;
		enum libdeflate_result r;
		if (!d && !(d = ctx->deflate = libdeflate_alloc_decompressor()))
			return S3INV_ENOMEM;
		r = libdeflate_gzip_decompress(d, src, cn, dst, un, &got);
		if (r != LIBDEFLATE_SUCCESS) /* maybe a zlib stream (some writers) */
			r = libdeflate_zlib_decompress(d, src, cn, dst, un, &got);
		if (r != LIBDEFLATE_SUCCESS || got != un) {
			*what = r == LIBDEFLATE_SUCCESS ? "gzip: decompressed size differs from the page header"
			                                : "gzip: corrupt data";
			return S3INV_EFORMAT;
		}
		return 0;
	}
	case PQ_ZSTD: {
		size_t got;
		if (!ctx->zstd && !(ctx->zstd = ZSTD_createDCtx()))
			return S3INV_ENOMEM;
		got = ZSTD_decompressDCtx(ctx->zstd, dst, un, src, cn);
		if (ZSTD_isError(got) || got != un) {
			*what = ZSTD_isError(got) ? "zstd: corrupt data"
			                          : "zstd: decompressed size differs from the page header";
			return S3INV_EFORMAT;
		}
		return 0;
	}
	case PQ_LZ4_RAW:
	case PQ_LZ4: {
		int got;
		if (cn > INT32_MAX || un > INT32_MAX) {
			*what = "lz4: page too large";
			return S3INV_EFORMAT;
		}
		if (codec == PQ_LZ4 && lz4_hadoop(src, cn, dst, un) == 0)
			return 0;
		got = LZ4_decompress_safe((const char *)src, (char *)dst, (int)cn, (int)un);
		if (got < 0 || (size_t)got != un) {
			*what = got < 0 ? "lz4: corrupt data"
			                : "lz4: decompressed size differs from the page header";
			return S3INV_EFORMAT;
		}
		return 0;
	}
	default:
		*what = "unsupported compression codec";
		return S3INV_EFORMAT;
	}
}

void s3i_pq_codec_free(struct s3i_pq_dctx *ctx)
{
	if (ctx->zstd)
		ZSTD_freeDCtx(ctx->zstd);
	if (ctx->deflate)
		libdeflate_free_decompressor(ctx->deflate);
	ctx->zstd = NULL;
	ctx->deflate = NULL;
}
