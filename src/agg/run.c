/* SPDX-License-Identifier: MIT */
/*
 * run.c — spill run writer and reader (format in run.h and
 * docs/aggregation.md).
 *
 * The writer front-codes records into a raw block buffer; when it passes
 * S3I_RUN_BLOCK it is zstd-compressed (level 1: runs are short-lived, speed
 * matters more than ratio) and written with its checksum in one write().
 * Any write failure (disk full) is S3INV_EIO naming the file, and the file
 * is removed. The reader reads one block at a time, checks its XXH3 and the
 * decompressed size, then decodes records with every length checked against
 * the block; the end marker carries the record and block counts, so a
 * truncated run is detected too. zstd allocates through s3i_malloc (custom
 * allocator) so allocation-failure tests reach it.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include "agg/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "util/alloc.h"
#include "util/err.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#define RUN_MAGIC "S3IRUN01"
#define RUN_VERSION 1u
#define HDR_LEN 16
#define BLK_HDR 24
#define FOOT_LEN 24
#define MAX_RLEN (64u << 20)
#define MAX_REC_FIXED (2 * 10 + 4 * 10 + S3I_CLS_END * 30)

static void *zalloc(void *opaque, size_t n)
{
	(void)opaque;
	return s3i_malloc(n);
}

static void zfree(void *opaque, void *p)
{
	(void)opaque;
	s3i_free(p);
}

static const ZSTD_customMem zmem = {zalloc, zfree, NULL};

struct ZSTD_DCtx_s *s3i_run_dctx_new(void)
{
	return ZSTD_createDCtx_advanced(zmem);
}

void s3i_run_dctx_free(struct ZSTD_DCtx_s *d)
{
	if (d)
		ZSTD_freeDCtx(d);
}

uint64_t s3i_run_writer_mem(void)
{
	ZSTD_compressionParameters cp = ZSTD_getCParams(1, S3I_RUN_BLOCK, 0);
	return ZSTD_estimateCCtxSize_usingCParams(cp) + 2 * (uint64_t)S3I_RUN_BLOCK +
	       ZSTD_compressBound(S3I_RUN_BLOCK) + 2 * MAX_REC_FIXED + 8192;
}

uint64_t s3i_run_reader_mem(void)
{
	return 2 * ((uint64_t)S3I_RUN_BLOCK + MAX_REC_FIXED) + 1024 +
	       S3I_CLS_END * sizeof(struct s3i_cstat) + 8192;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline unsigned char *put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* ---- writer ---- */

struct s3i_run_writer {
	int fd;
	char *path;
	ZSTD_CCtx *cctx;
	unsigned char *raw, *cbuf;
	size_t raw_len, raw_cap, cbuf_cap;
	char *prev;
	size_t prev_len, prev_cap;
	uint32_t nrec;
	uint64_t records, blocks, off;
};

static int write_all(struct s3i_run_writer *w, const void *p, size_t n, s3inv_error *err)
{
	const char *c = p;
	while (n > 0) {
		ssize_t k = write(w->fd, c, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return s3i_err_sys(err, S3INV_EIO, errno, "%s: writing spill run", w->path);
		}
		if (k == 0)
			return s3i_err_set(err, S3INV_EIO, "%s: writing spill run: no progress", w->path);
		c += k;
		n -= (size_t)k;
		w->off += (uint64_t)k;
	}
	return 0;
}

static void writer_free(struct s3i_run_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->cctx)
		ZSTD_freeCCtx(w->cctx);
	s3i_free(w->raw);
	s3i_free(w->cbuf);
	s3i_free(w->prev);
	s3i_free(w->path);
	s3i_free(w);
}

int s3i_run_writer_open(struct s3i_run_writer **out, const char *path, s3inv_error *err)
{
	struct s3i_run_writer *w = s3i_calloc(1, sizeof *w);
	unsigned char hdr[HDR_LEN];
	int rc = 0;

	*out = NULL;
	if (!w)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", path);
	w->fd = -1;
	w->path = s3i_strdup(path);
	w->raw_cap = S3I_RUN_BLOCK + MAX_REC_FIXED;
	w->raw = s3i_malloc(w->raw_cap);
	w->cbuf_cap = ZSTD_compressBound(w->raw_cap) + BLK_HDR;
	w->cbuf = s3i_malloc(w->cbuf_cap);
	w->prev_cap = 256;
	w->prev = s3i_malloc(w->prev_cap);
	w->cctx = ZSTD_createCCtx_advanced(zmem);
	if (!w->path || !w->raw || !w->cbuf || !w->prev || !w->cctx) {
		writer_free(w);
		return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", path);
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: creating spill run", path);
		writer_free(w);
		return rc;
	}
	memcpy(hdr, RUN_MAGIC, 8);
	put32(hdr + 8, RUN_VERSION);
	put32(hdr + 12, S3I_RUN_BLOCK);
	rc = write_all(w, hdr, sizeof hdr, err);
	if (rc < 0) {
		s3i_run_writer_abort(w);
		return rc;
	}
	*out = w;
	return 0;
}

static int flush_block(struct s3i_run_writer *w, s3inv_error *err)
{
	if (w->nrec == 0)
		return 0;
	size_t need = ZSTD_compressBound(w->raw_len) + BLK_HDR;
	if (need > w->cbuf_cap) {
		unsigned char *n = s3i_realloc(w->cbuf, need);
		if (!n)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", w->path);
		w->cbuf = n;
		w->cbuf_cap = need;
	}
	size_t c = ZSTD_compressCCtx(w->cctx, w->cbuf + BLK_HDR, w->cbuf_cap - BLK_HDR, w->raw,
	                             w->raw_len, 1);
	if (ZSTD_isError(c))
		return s3i_err_set(err, ZSTD_getErrorCode(c) == ZSTD_error_memory_allocation
		                            ? S3INV_ENOMEM
		                            : S3INV_EIO,
		                   "%s: compressing spill run: %s", w->path, ZSTD_getErrorName(c));
	put32(w->cbuf, (uint32_t)c);
	put32(w->cbuf + 4, (uint32_t)w->raw_len);
	put32(w->cbuf + 8, w->nrec);
	put32(w->cbuf + 12, 0);
	put64(w->cbuf + 16, XXH3_64bits_withSeed(w->cbuf + BLK_HDR, c,
	                                         (uint64_t)w->raw_len << 32 | w->nrec));
	int rc = write_all(w, w->cbuf, c + BLK_HDR, err);
	if (rc < 0)
		return rc;
	w->blocks++;
	w->raw_len = 0;
	w->nrec = 0;
	w->prev_len = 0; /* each block restarts the front coding */
	return 0;
}

int s3i_run_writer_add(struct s3i_run_writer *w, const struct s3i_prec *p, s3inv_error *err)
{
	size_t shared = 0;
	if (w->nrec > 0) {
		size_t m = p->len < w->prev_len ? p->len : w->prev_len;
		while (shared < m && p->prefix[shared] == w->prev[shared])
			shared++;
	}
	size_t suffix = p->len - shared;
	size_t need = 2 * 10 + suffix + (4 + 3 * (size_t)p->n_classes) * 10;
	if (need > w->raw_cap - w->raw_len) {
		size_t ncap = w->raw_len + need;
		unsigned char *n = s3i_realloc(w->raw, ncap);
		if (!n)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", w->path);
		w->raw = n;
		w->raw_cap = ncap;
	}
	if (p->len > w->prev_cap) {
		size_t ncap = w->prev_cap;
		while (ncap < p->len)
			ncap *= 2;
		char *n = s3i_realloc(w->prev, ncap);
		if (!n)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", w->path);
		w->prev = n;
		w->prev_cap = ncap;
	}
	unsigned char *q = w->raw + w->raw_len;
	q = put_varint(q, shared);
	q = put_varint(q, suffix);
	memcpy(q, p->prefix + shared, suffix);
	q += suffix;
	q = put_varint(q, p->nc_objects);
	q = put_varint(q, p->nc_bytes);
	q = put_varint(q, p->delete_markers);
	q = put_varint(q, p->n_classes);
	for (uint32_t i = 0; i < p->n_classes; i++) {
		q = put_varint(q, p->classes[i].cls);
		q = put_varint(q, p->classes[i].objects);
		q = put_varint(q, p->classes[i].bytes);
	}
	w->raw_len = (size_t)(q - w->raw);
	memcpy(w->prev + shared, p->prefix + shared, suffix);
	w->prev_len = p->len;
	w->nrec++;
	w->records++;
	if (w->raw_len >= S3I_RUN_BLOCK)
		return flush_block(w, err);
	return 0;
}

int s3i_run_writer_finish(struct s3i_run_writer *w, uint64_t *bytes_out, s3inv_error *err)
{
	unsigned char end[BLK_HDR + FOOT_LEN];
	int rc;

	rc = flush_block(w, err);
	if (rc < 0)
		goto fail;
	memset(end, 0, BLK_HDR);
	put64(end + BLK_HDR, w->records);
	put64(end + BLK_HDR + 8, w->blocks);
	put64(end + BLK_HDR + 16, XXH3_64bits(end + BLK_HDR, 16));
	rc = write_all(w, end, sizeof end, err);
	if (rc < 0)
		goto fail;
	if (close(w->fd) < 0) {
		w->fd = -1;
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: closing spill run", w->path);
		goto fail;
	}
	w->fd = -1;
	if (bytes_out)
		*bytes_out = w->off;
	writer_free(w);
	return 0;
fail:
	s3i_run_writer_abort(w);
	return rc;
}

void s3i_run_writer_abort(struct s3i_run_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	if (w->path)
		unlink(w->path);
	writer_free(w);
}

/* ---- reader ---- */

struct s3i_run_reader {
	int fd;
	char *path;
	ZSTD_DCtx *dctx;
	unsigned char *cbuf, *raw;
	size_t cbuf_cap, raw_cap, raw_len, pos;
	uint32_t left; /* records left in the current block */
	char *pfx;
	size_t pfx_cap;
	struct s3i_cstat *cls;
	struct s3i_prec prec;
	uint64_t records, blocks;
	bool done, fresh; /* fresh: next record starts a block (shared = 0) */
};

static int corrupt(struct s3i_run_reader *r, s3inv_error *err, const char *what)
{
	return s3i_err_set(err, S3INV_ECORRUPT, "%s: spill run damaged: %s", r->path, what);
}

/* Read exactly N bytes. @return 0, S3INV_EIO, or S3INV_ECORRUPT when short. */
static int read_full(struct s3i_run_reader *r, void *p, size_t n, s3inv_error *err)
{
	char *c = p;
	while (n > 0) {
		ssize_t k = read(r->fd, c, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return s3i_err_sys(err, S3INV_EIO, errno, "%s: reading spill run", r->path);
		}
		if (k == 0)
			return corrupt(r, err, "truncated");
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int s3i_run_reader_open(struct s3i_run_reader **out, const char *path,
                        struct ZSTD_DCtx_s *dctx, s3inv_error *err)
{
	struct s3i_run_reader *r = s3i_calloc(1, sizeof *r);
	unsigned char hdr[HDR_LEN];
	int rc;

	*out = NULL;
	if (!r)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", path);
	r->fd = -1;
	r->dctx = dctx;
	r->path = s3i_strdup(path);
	r->cls = s3i_malloc(S3I_CLS_END * sizeof *r->cls);
	r->pfx_cap = 256;
	r->pfx = s3i_malloc(r->pfx_cap);
	if (!r->path || !r->cls || !r->pfx) {
		s3i_run_reader_close(r);
		return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", path);
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: opening spill run", path);
		s3i_run_reader_close(r);
		return rc;
	}
	rc = read_full(r, hdr, sizeof hdr, err);
	if (rc == 0 && (memcmp(hdr, RUN_MAGIC, 8) != 0 || get32(hdr + 8) != RUN_VERSION))
		rc = corrupt(r, err, "bad header");
	if (rc < 0) {
		s3i_run_reader_close(r);
		return rc;
	}
	r->prec.prefix = r->pfx;
	r->prec.classes = r->cls;
	*out = r;
	return 0;
}

static int next_block(struct s3i_run_reader *r, s3inv_error *err)
{
	unsigned char h[BLK_HDR];
	int rc = read_full(r, h, sizeof h, err);
	if (rc < 0)
		return rc;
	uint32_t clen = get32(h), rlen = get32(h + 4), nrec = get32(h + 8);
	if (clen == 0) {
		unsigned char f[FOOT_LEN], extra;
		if (rlen || nrec || get32(h + 12) || get64(h + 16))
			return corrupt(r, err, "bad end marker");
		rc = read_full(r, f, sizeof f, err);
		if (rc < 0)
			return rc;
		if (get64(f + 16) != XXH3_64bits(f, 16) || get64(f) != r->records ||
		    get64(f + 8) != r->blocks)
			return corrupt(r, err, "record or block count mismatch");
		ssize_t k = read(r->fd, &extra, 1);
		if (k != 0)
			return corrupt(r, err, "data after the end");
		r->done = true;
		return 0;
	}
	if (rlen == 0 || nrec == 0 || get32(h + 12) || rlen > MAX_RLEN ||
	    clen > ZSTD_compressBound(rlen))
		return corrupt(r, err, "bad block header");
	if (clen > r->cbuf_cap) {
		unsigned char *n = s3i_realloc(r->cbuf, clen);
		if (!n)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", r->path);
		r->cbuf = n;
		r->cbuf_cap = clen;
	}
	if (rlen > r->raw_cap) {
		unsigned char *n = s3i_realloc(r->raw, rlen);
		if (!n)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", r->path);
		r->raw = n;
		r->raw_cap = rlen;
	}
	rc = read_full(r, r->cbuf, clen, err);
	if (rc < 0)
		return rc;
	if (XXH3_64bits_withSeed(r->cbuf, clen, (uint64_t)rlen << 32 | nrec) != get64(h + 16))
		return corrupt(r, err, "block checksum mismatch");
	size_t d = ZSTD_decompressDCtx(r->dctx, r->raw, rlen, r->cbuf, clen);
	if (ZSTD_isError(d)) {
		if (ZSTD_getErrorCode(d) == ZSTD_error_memory_allocation)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", r->path);
		return corrupt(r, err, "block does not decompress");
	}
	if (d != rlen)
		return corrupt(r, err, "block size mismatch");
	r->raw_len = rlen;
	r->pos = 0;
	r->left = nrec;
	r->blocks++;
	r->fresh = true; /* front coding restarts */
	return 0;
}

static inline bool get_varint(struct s3i_run_reader *r, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (r->pos >= r->raw_len)
			return false;
		unsigned char b = r->raw[r->pos++];
		if (shift == 63 && b > 1)
			return false;
		x |= (uint64_t)(b & 0x7F) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

int s3i_run_reader_next(struct s3i_run_reader *r, const struct s3i_prec **out, s3inv_error *err)
{
	uint64_t shared, suffix, n, v[3];
	int rc;

	if (r->done)
		return 0;
	if (r->left == 0) {
		if (r->pos != r->raw_len)
			return corrupt(r, err, "bytes after the last record of a block");
		rc = next_block(r, err);
		if (rc < 0)
			return rc;
		if (r->done)
			return 0;
	}
	size_t old_len = r->prec.len;
	bool first = (r->records == 0);
	if (!get_varint(r, &shared) || !get_varint(r, &suffix) || shared > (r->fresh ? 0 : old_len) ||
	    suffix > r->raw_len - r->pos)
		return corrupt(r, err, "bad record");
	if (shared + suffix > r->pfx_cap) {
		size_t ncap = r->pfx_cap;
		while (ncap < shared + suffix)
			ncap *= 2;
		char *p = s3i_realloc(r->pfx, ncap);
		if (!p)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: spill run: out of memory", r->path);
		r->pfx = p;
		r->pfx_cap = ncap;
		r->prec.prefix = p;
	}
	/* strict order: the new prefix must sort after the previous one, which
	 * is still in pfx (even across a block boundary: shared is 0 there) */
	const unsigned char *s = r->raw + r->pos;
	if (!first) {
		size_t l = shared;
		while (l < old_len && l - shared < suffix && (unsigned char)r->pfx[l] == s[l - shared])
			l++;
		bool greater = (l == old_len) ? (shared + suffix > old_len)
		                              : (l - shared < suffix &&
		                                 s[l - shared] > (unsigned char)r->pfx[l]);
		if (!greater)
			return corrupt(r, err, "prefixes out of order");
	}
	memcpy(r->pfx + shared, s, suffix);
	r->pos += suffix;
	r->prec.len = shared + suffix;
	if (!get_varint(r, &v[0]) || !get_varint(r, &v[1]) || !get_varint(r, &v[2]) ||
	    !get_varint(r, &n) || n > S3I_CLS_END)
		return corrupt(r, err, "bad record");
	r->prec.nc_objects = v[0];
	r->prec.nc_bytes = v[1];
	r->prec.delete_markers = v[2];
	r->prec.objects = r->prec.bytes = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (!get_varint(r, &v[0]) || !get_varint(r, &v[1]) || !get_varint(r, &v[2]) ||
		    v[0] >= S3I_CLS_END || (i > 0 && v[0] <= r->cls[i - 1].cls))
			return corrupt(r, err, "bad class list");
		r->cls[i].cls = (uint32_t)v[0];
		r->cls[i].objects = v[1];
		r->cls[i].bytes = v[2];
		if (v[0] < S3I_MAX_CLASSES) { /* pseudo classes are not in the sums */
			r->prec.objects += v[1];
			r->prec.bytes += v[2];
		}
	}
	r->prec.n_classes = (uint32_t)n;
	r->fresh = false;
	r->left--;
	r->records++;
	*out = &r->prec;
	return 1;
}

void s3i_run_reader_close(struct s3i_run_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	s3i_free(r->cbuf);
	s3i_free(r->raw);
	s3i_free(r->pfx);
	s3i_free(r->cls);
	s3i_free(r->path);
	s3i_free(r);
}
