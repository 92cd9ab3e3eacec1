/* SPDX-License-Identifier: MIT */
/*
 * export.c — an in-order walk of a subtree (s3inv_walk_*), the engine of
 * `s3inv export` (CSV, NDJSON, ncdu JSON are written by the CLI).
 *
 * Preorder is storage order, so a walk is a cursor over [pos, subtree_end)
 * that jumps over the subtree of every prefix at the last wanted level.
 * Prefix strings are front-coded in blocks of S3I_STR_BLOCK: while the
 * cursor moves one position at a time inside a block, the walker decodes
 * just the next entry on top of the previous string (one varint pair and
 * a memcpy), and only after a jump or at a block start does it decode
 * from the block's start (s3i_index_decode). Every length and offset is
 * checked against the string section; damage is S3INV_ECORRUPT.
 */
#include <string.h>

#include "index/format.h"
#include "index/reader.h"
#include "util/alloc.h"
#include "util/err.h"

struct s3inv_walk {
	const struct s3inv_index *x;
	uint64_t i, end;    /* cursor and end of the subtree */
	uint64_t last_depth;/* deepest depth wanted (UINT64_MAX: all) */
	uint64_t prev;      /* position held in buf, UINT64_MAX when none */
	uint64_t off;       /* string offset after prev's entry */
	unsigned char *buf;
	size_t len;
};

void s3inv_walk_close(s3inv_walk *w)
{
	if (!w)
		return;
	s3i_free(w->buf);
	s3i_free(w);
}

int s3inv_walk_open(s3inv_walk **out, const s3inv_index *x, uint64_t pos, int max_levels,
                    s3inv_error *err)
{
	struct s3inv_walk *w;
	*out = NULL;
	if (pos >= x->n)
		return s3i_err_set(err, S3INV_EINVAL, "walk: position out of range");
	w = s3i_calloc(1, sizeof *w);
	if (!w || !(w->buf = s3i_malloc(S3I_MAX_PREFIX))) {
		s3i_free(w);
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	}
	w->x = x;
	w->i = pos;
	w->end = s3i_index_end(x, pos);
	w->last_depth = max_levels < 0 ? UINT64_MAX
	                               : s3i_index_col(&x->depth, pos) + (uint64_t)max_levels;
	w->prev = UINT64_MAX;
	if (w->end <= pos || w->end > x->n) {
		s3inv_walk_close(w);
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged subtree columns", x->path);
	}
	*out = w;
	return 0;
}

static int rd_varint(const struct s3inv_index *x, uint64_t *off, uint64_t *v)
{
	unsigned shift = 0;
	*v = 0;
	for (;;) {
		unsigned char b;
		if (*off >= x->str_len || shift > 63)
			return S3INV_ECORRUPT;
		b = x->str[(*off)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
}

/* Skip the entry at *OFF (of a block's first prefix when FIRST). */
static int skip_entry(const struct s3inv_index *x, uint64_t *off, bool first)
{
	uint64_t shared = 0, n;
	if ((!first && rd_varint(x, off, &shared) < 0) || rd_varint(x, off, &n) < 0 ||
	    n > x->str_len - *off)
		return S3INV_ECORRUPT;
	*off += n;
	return 0;
}

/* Put the prefix at POS into w->buf: incrementally after POS-1 in the same
 * block, else from the block's start (then remember the offset after it). */
static int decode_at(struct s3inv_walk *w, uint64_t pos)
{
	const struct s3inv_index *x = w->x;
	uint64_t shared, n;
	if (w->prev != UINT64_MAX && pos == w->prev + 1 && pos % S3I_STR_BLOCK != 0) {
		if (rd_varint(x, &w->off, &shared) < 0 || rd_varint(x, &w->off, &n) < 0 ||
		    shared > w->len || n > S3I_MAX_PREFIX - shared || n > x->str_len - w->off)
			return S3INV_ECORRUPT;
		memcpy(w->buf + shared, x->str + w->off, (size_t)n);
		w->off += n;
		w->len = (size_t)(shared + n);
	} else {
		uint64_t b = pos / S3I_STR_BLOCK, off, k;
		if (s3i_index_decode(x, pos, w->buf, &w->len) < 0)
			return S3INV_ECORRUPT;
		off = s3i_index_col(&x->strblk, b);
		for (k = b * S3I_STR_BLOCK; k <= pos; k++)
			if (skip_entry(x, &off, k == b * S3I_STR_BLOCK) < 0)
				return S3INV_ECORRUPT;
		w->off = off;
	}
	w->prev = pos;
	return 0;
}

int s3inv_walk_next(s3inv_walk *w, s3inv_walk_entry *out, s3inv_error *err)
{
	const struct s3inv_index *x = w->x;
	uint64_t i = w->i;
	if (i >= w->end)
		return S3INV_ITEROVER;
	if (s3inv_index_stats(x, i, &out->st) < 0 || out->st.subtree_end > w->end)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged columns at position %llu",
		                   x->path, (unsigned long long)i);
	if (decode_at(w, i) < 0)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged prefix strings at position %llu",
		                   x->path, (unsigned long long)i);
	out->prefix = (const char *)w->buf;
	out->len = w->len;
	w->i = out->st.depth >= w->last_depth ? out->st.subtree_end : i + 1;
	return 0;
}
