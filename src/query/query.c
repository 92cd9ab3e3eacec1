/* SPDX-License-Identifier: MIT */
/*
 * query.c — children and top-N over an open index.
 *
 * Children are walked with the subtree-end column (O(children), never the
 * whole subtree); top-N at depth D walks the subtree, jumping over every
 * subtree once it reaches depth D, keeping the best LIMIT in a heap.
 * Byte order of positions is name order, so sorting by name is free.
 */
#include <string.h>

#include "index/reader.h"
#include "util/alloc.h"
#include "util/err.h"

struct item {
	uint64_t key, pos;
};

static uint64_t sort_key(const s3inv_index *x, uint64_t pos, s3inv_sort by)
{
	switch (by) {
	case S3INV_SORT_OBJECTS: return s3i_index_col(&x->obj, pos);
	case S3INV_SORT_NC_BYTES: return s3i_index_col(&x->ncbytes, pos);
	case S3INV_SORT_NAME: return UINT64_MAX - pos;
	default:
		if (by > S3INV_SORT_OLDER && by < S3INV_SORT_OLDER + S3INV_AGE_BUCKETS) {
			uint64_t o, b;
			return s3inv_index_age_older(x, pos, (unsigned)(by - S3INV_SORT_OLDER), &o, &b) == 0
			           ? b
			           : 0;
		}
		return s3i_index_col(&x->bytes, pos);
	}
}

/* "a ranks before b": larger key first, then earlier position (name order). */
static int before(const struct item *a, const struct item *b)
{
	return a->key > b->key || (a->key == b->key && a->pos < b->pos);
}

/* Min-heap on rank (the worst kept item at the root). */
static void sift_down(struct item *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && before(&h[m], &h[l]))
			m = l;
		if (r < n && before(&h[m], &h[r]))
			m = r;
		if (m == i)
			return;
		struct item t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void sift_up(struct item *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!before(&h[p], &h[i]))
			return;
		struct item t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

struct topn {
	struct item *h;
	size_t n, cap, limit;
};

static int topn_push(struct topn *t, struct item it)
{
	if (t->limit && t->n == t->limit) {
		if (before(&it, &t->h[0])) {
			t->h[0] = it;
			sift_down(t->h, t->n, 0);
		}
		return 0;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct item *nh = s3i_realloc(t->h, nc * sizeof *nh);
		if (!nh)
			return S3INV_ENOMEM;
		t->h = nh;
		t->cap = nc;
	}
	t->h[t->n] = it;
	sift_up(t->h, t->n++);
	return 0;
}

static int topn_finish(struct topn *t, uint64_t **out, size_t *n, s3inv_error *err)
{
	size_t k = t->n;
	uint64_t *res = s3i_malloc((k ? k : 1) * sizeof *res);
	if (!res) {
		s3i_free(t->h);
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	}
	/* heap-sort: repeatedly move the worst to the back */
	while (t->n > 0) {
		struct item w = t->h[0];
		t->h[0] = t->h[--t->n];
		sift_down(t->h, t->n, 0);
		res[t->n] = w.pos;
	}
	s3i_free(t->h);
	*out = res;
	*n = k;
	return 0;
}

int s3inv_query_children(uint64_t **out, size_t *n, const s3inv_index *x, uint64_t pos,
                         s3inv_sort sort, size_t limit, s3inv_error *err)
{
	struct topn t = {NULL, 0, 0, limit};
	uint64_t c, guard = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (pos >= x->n)
		return s3i_err_set(err, S3INV_EINVAL, "position out of range");
	rc = s3inv_index_first_child(x, pos, &c);
	while (rc == 0) {
		if (++guard > x->n) {
			s3i_free(t.h);
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: children do not terminate", x->path);
		}
		if (topn_push(&t, (struct item){sort_key(x, c, sort), c}) < 0) {
			s3i_free(t.h);
			return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		}
		rc = s3inv_index_next_sibling(x, c, &c);
	}
	if (rc != S3INV_ITEROVER) {
		s3i_free(t.h);
		return s3i_err_set(err, rc, "%s: damaged subtree columns", x->path);
	}
	return topn_finish(&t, out, n, err);
}

int s3inv_query_top(uint64_t **out, size_t *n, const s3inv_index *x, uint64_t pos,
                    unsigned depth, s3inv_sort by, size_t limit, s3inv_error *err)
{
	struct topn t = {NULL, 0, 0, limit};
	uint64_t end, i, target;
	*out = NULL;
	*n = 0;
	if (pos >= x->n)
		return s3i_err_set(err, S3INV_EINVAL, "position out of range");
	if (depth == 0)
		return s3i_err_set(err, S3INV_EINVAL, "top: depth must be at least 1");
	end = s3i_index_end(x, pos);
	target = s3i_index_col(&x->depth, pos) + depth;
	if (end > x->n || end <= pos)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged subtree columns", x->path);
	if (s3i_index_maxdepth(x, pos) < target)
		return topn_finish(&t, out, n, err);
	for (i = pos + 1; i < end;) {
		uint64_t d = s3i_index_col(&x->depth, i), e = s3i_index_end(x, i);
		if (e <= i || e > end) {
			s3i_free(t.h);
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged subtree columns", x->path);
		}
		if (d == target) {
			if (topn_push(&t, (struct item){sort_key(x, i, by), i}) < 0) {
				s3i_free(t.h);
				return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
			}
			i = e;
		} else if (s3i_index_maxdepth(x, i) < target) {
			i = e; /* nothing deep enough below */
		} else {
			i++;
		}
	}
	return topn_finish(&t, out, n, err);
}
