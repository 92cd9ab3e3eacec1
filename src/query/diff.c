/* SPDX-License-Identifier: MIT */
/*
 * diff.c — what changed between two indexes: a streaming merge-walk of the
 * same subtree in both (s3inv_diff_open/next/close), and a collector that
 * sorts and limits the rows (s3inv_diff_collect).
 *
 * Both indexes store prefixes in byte order, which is a preorder of the
 * prefix tree, so the prefixes exactly D levels below PREFIX appear in the
 * same relative order in both. Each side keeps a cursor into its subtree
 * [pos, subtree_end): it jumps over the subtree of every prefix it yields
 * (nothing below the target depth is wanted) and of every prefix whose
 * deepest descendant is too shallow, so a walk visits only the prefixes on
 * the way to the target level, once. The two current prefixes are decoded
 * into two buffers and compared with memcmp (shorter first): equal means
 * the prefix is in both, otherwise the smaller one is new (only in NEW) or
 * gone (only in OLD). Memory: two S3I_MAX_PREFIX buffers; nothing else
 * grows with the index. Damaged subtree columns are S3INV_ECORRUPT.
 *
 * The collector keeps at most 2 x LIMIT rows, sorting and truncating to
 * LIMIT whenever the buffer fills (O(rows log LIMIT)); without a limit it
 * keeps every changed row.
 */
#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "index/reader.h"
#include "util/alloc.h"
#include "util/err.h"

struct side {
	const struct s3inv_index *x;
	uint64_t i, end; /* cursor and end of the subtree being walked */
	uint64_t cur;    /* position of the current prefix (when !done) */
	unsigned char *buf;
	size_t len;
	bool done;
};

struct s3inv_diff {
	struct side s[2]; /* 0 = old, 1 = new */
	uint64_t target;  /* depth wanted */
	bool pending[2];  /* side k was consumed: advance it on the next call */
};

/* Move side S to its next prefix at depth TARGET, decoding it. */
static int side_advance(struct side *s, uint64_t target, s3inv_error *err)
{
	const struct s3inv_index *x = s->x;
	while (s->i < s->end) {
		uint64_t i = s->i, d = s3i_index_col(&x->depth, i), e = s3i_index_end(x, i);
		if (e <= i || e > s->end)
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged subtree columns", x->path);
		if (d == target) {
			s->cur = i;
			s->i = e;
			if (s3i_index_decode(x, i, s->buf, &s->len) < 0)
				return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged prefix strings",
				                   x->path);
			return 0;
		}
		if (d > target || s3i_index_maxdepth(x, i) < target)
			s->i = e; /* nothing at the target depth below */
		else
			s->i = i + 1;
	}
	s->done = true;
	return 0;
}

void s3inv_diff_close(s3inv_diff *d)
{
	if (!d)
		return;
	s3i_free(d->s[0].buf);
	s3i_free(d->s[1].buf);
	s3i_free(d);
}

int s3inv_diff_open(s3inv_diff **out, const s3inv_index *old_idx, const s3inv_index *new_idx,
                    const char *prefix, size_t len, unsigned depth, s3inv_error *err)
{
	struct s3inv_diff *d;
	uint64_t base = UINT64_MAX;
	int rc = 0, found = 0;

	*out = NULL;
	if (old_idx->info.delimiter != new_idx->info.delimiter)
		return s3i_err_set(err, S3INV_EINVAL,
		                   "diff: the indexes use different delimiters ('%c' and '%c')",
		                   old_idx->info.delimiter, new_idx->info.delimiter);
	d = s3i_calloc(1, sizeof *d);
	if (!d)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	for (int k = 0; k < 2; k++) {
		struct side *s = &d->s[k];
		uint64_t pos;
		s->x = k ? new_idx : old_idx;
		s->done = true;
		s->buf = s3i_malloc(S3I_MAX_PREFIX);
		if (!s->buf) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
			goto out;
		}
		if (s3inv_index_lookup(s->x, prefix, len, &pos) != 0)
			continue;
		s->i = pos;
		s->end = s3i_index_end(s->x, pos);
		if (s->end <= pos || s->end > s->x->n) {
			rc = s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged subtree columns", s->x->path);
			goto out;
		}
		s->done = false;
		base = s3i_index_col(&s->x->depth, pos);
		found++;
	}
	if (!found) {
		rc = s3i_err_set(err, S3INV_ENOTFOUND, "diff: prefix '%.*s' is in neither index",
		                 (int)(len > 200 ? 200 : len), prefix);
		goto out;
	}
	d->target = base + depth;
	for (int k = 0; k < 2; k++)
		if (!d->s[k].done)
			TRY(side_advance(&d->s[k], d->target, err));
out:
	if (rc < 0) {
		s3inv_diff_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* memcmp order, shorter first on a tie: the order of the index. */
static int cmp_prefix(const struct side *a, const struct side *b)
{
	size_t m = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->buf, b->buf, m);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

int s3inv_diff_next(s3inv_diff *d, s3inv_diff_entry *out, s3inv_error *err)
{
	struct side *o = &d->s[0], *n = &d->s[1];
	int c, rc;

	/* sides consumed by the previous entry move on now, so the prefix that
	 * entry borrowed stayed valid until this call */
	for (int k = 0; k < 2; k++) {
		if (d->pending[k]) {
			d->pending[k] = false;
			if ((rc = side_advance(&d->s[k], d->target, err)) < 0)
				return rc;
		}
	}
	if (o->done && n->done)
		return S3INV_ITEROVER;
	c = o->done ? 1 : n->done ? -1 : cmp_prefix(o, n);
	memset(out, 0, sizeof *out);
	out->old_pos = out->new_pos = UINT64_MAX;
	if (c <= 0) {
		out->old_pos = o->cur;
		out->prefix = (const char *)o->buf;
		out->len = o->len;
		if (s3inv_index_stats(o->x, o->cur, &out->old_st) < 0)
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged columns", o->x->path);
		d->pending[0] = true;
	}
	if (c >= 0) {
		out->new_pos = n->cur;
		out->prefix = (const char *)n->buf;
		out->len = n->len;
		if (s3inv_index_stats(n->x, n->cur, &out->new_st) < 0)
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged columns", n->x->path);
		d->pending[1] = true;
	}
	return 0;
}

/* ---------------------------------------------------------------- collect */

struct crow {
	s3inv_diff_row r;
	uint64_t seq; /* walk order: ties keep name order */
};



static int cmp_growth(const void *pa, const void *pb)
{
	const struct crow *a = pa, *b = pb;
	if (a->r.d_bytes != b->r.d_bytes)
		return a->r.d_bytes > b->r.d_bytes ? -1 : 1;
	if (a->r.d_objects != b->r.d_objects)
		return a->r.d_objects > b->r.d_objects ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_shrink(const void *pa, const void *pb)
{
	const struct crow *a = pa, *b = pb;
	if (a->r.d_bytes != b->r.d_bytes)
		return a->r.d_bytes < b->r.d_bytes ? -1 : 1;
	if (a->r.d_objects != b->r.d_objects)
		return a->r.d_objects < b->r.d_objects ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_seq(const void *pa, const void *pb)
{
	const struct crow *a = pa, *b = pb;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void sort_rows(struct crow *v, size_t n, s3inv_diff_sort sort)
{
	if (n < 2)
		return;
	qsort(v, n, sizeof *v,
	      sort == S3INV_DIFF_GROWTH ? cmp_growth : sort == S3INV_DIFF_SHRINK ? cmp_shrink : cmp_seq);
}

static int64_t delta(uint64_t a, uint64_t b)
{
	return b >= a ? (int64_t)(b - a) : -(int64_t)(a - b);
}

int s3inv_diff_collect(s3inv_diff_row **out, size_t *n, uint64_t *total,
                       const s3inv_index *old_idx, const s3inv_index *new_idx, const char *prefix,
                       size_t len, unsigned depth, s3inv_diff_sort sort, size_t limit,
                       bool unchanged, s3inv_error *err)
{
	struct s3inv_diff *d = NULL;
	struct crow *v = NULL;
	size_t nv = 0, cap = 0, maxkeep = limit ? (limit > SIZE_MAX / 4 ? SIZE_MAX / 4 : limit) * 2 : 0;
	uint64_t count = 0;
	s3inv_diff_row *res = NULL;
	s3inv_diff_entry e;
	int rc;


	*out = NULL;
	*n = 0;
	if (total)
		*total = 0;
	TRY(s3inv_diff_open(&d, old_idx, new_idx, prefix, len, depth, err));
	while ((rc = s3inv_diff_next(d, &e, err)) == 0) {
		struct crow c;
		if (!unchanged && e.old_pos != UINT64_MAX && e.new_pos != UINT64_MAX &&
		    e.old_st.objects == e.new_st.objects && e.old_st.bytes == e.new_st.bytes)
			continue;
		c.r.old_pos = e.old_pos;
		c.r.new_pos = e.new_pos;
		c.r.d_objects = delta(e.old_st.objects, e.new_st.objects);
		c.r.d_bytes = delta(e.old_st.bytes, e.new_st.bytes);
		c.seq = count++;
		if (limit && sort == S3INV_DIFF_NAME && nv == limit)
			continue; /* walk order is name order: the first LIMIT are the answer */
		if (maxkeep && nv == maxkeep) {
			sort_rows(v, nv, sort);
			nv = limit;
		}
		if (nv == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct crow *nw = s3i_realloc(v, nc * sizeof *nw);
			if (!nw) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
				goto out;
			}
			v = nw;
			cap = nc;
		}
		v[nv++] = c;
	}
	if (rc != S3INV_ITEROVER)
		goto out;
	rc = 0;
	sort_rows(v, nv, sort);
	if (limit && nv > limit)
		nv = limit;
	res = s3i_malloc((nv ? nv : 1) * sizeof *res);
	if (!res) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nv; i++)
		res[i] = v[i].r;
	*out = res;
	*n = nv;
	if (total)
		*total = count;
out:
	s3i_free(v);
	s3inv_diff_close(d);
	return rc;
}
