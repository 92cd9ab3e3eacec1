/* SPDX-License-Identifier: MIT */
/*
 * merge.c — loser-tree merge of sorted prec streams (see merge.h).
 *
 * The tree holds, at each inner node, the loser of the match played there;
 * tree[0] holds the overall winner. Replacing the winner's record costs one
 * walk from its leaf to the root: log2(k) comparisons, against the heap's
 * 2·log2(k). An exhausted source compares greater than everything; ties
 * between sources are broken by source index so the merge is deterministic.
 *
 * Equal prefixes from several sources are folded into one accumulator
 * (prefix copied, statistics summed, class lists merged) before the sink
 * sees them, so the output is strictly increasing.
 */
#include "agg/merge.h"

#include <stdbool.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"

struct lt {
	size_t k;
	size_t *tree;                /* k entries; tree[0] = winner */
	const struct s3i_prec **cur; /* NULL = exhausted */
};

static inline int pcmp(const struct s3i_prec *a, const struct s3i_prec *b)
{
	size_t m = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->prefix, b->prefix, m);
	if (r)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Does source A beat source B? Index k is the virtual "minus infinity". */
static inline bool beats(const struct lt *t, size_t a, size_t b)
{
	if (a == t->k)
		return true;
	if (b == t->k)
		return false;
	const struct s3i_prec *x = t->cur[a], *y = t->cur[b];
	if (!x)
		return false;
	if (!y)
		return true;
	int r = pcmp(x, y);
	return r < 0 || (r == 0 && a < b);
}

static void adjust(struct lt *t, size_t s)
{
	for (size_t n = (s + t->k) / 2; n > 0; n /= 2) {
		if (beats(t, t->tree[n], s)) {
			size_t x = t->tree[n];
			t->tree[n] = s;
			s = x;
		}
	}
	t->tree[0] = s;
}

struct acc {
	char *buf;
	size_t cap;
	struct s3i_prec p;
	struct s3i_cstat *cls, *tmp;
};

static int acc_set(struct acc *a, const struct s3i_prec *p, s3inv_error *err)
{
	if (p->len > a->cap || !a->buf) {
		size_t ncap = a->cap ? a->cap : 256;
		while (ncap < p->len)
			ncap *= 2;
		char *n = s3i_realloc(a->buf, ncap);
		if (!n)
			return s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge: out of memory");
		a->buf = n;
		a->cap = ncap;
	}
	if (p->len)
		memcpy(a->buf, p->prefix, p->len);
	a->p = *p;
	a->p.prefix = a->buf;
	uint32_t n = p->n_classes < S3I_CLS_END ? p->n_classes : S3I_CLS_END;
	memcpy(a->cls, p->classes, n * sizeof *a->cls);
	a->p.n_classes = n;
	a->p.classes = a->cls;
	return 0;
}

static void acc_add(struct acc *a, const struct s3i_prec *p)
{
	a->p.objects += p->objects;
	a->p.bytes += p->bytes;
	a->p.nc_objects += p->nc_objects;
	a->p.nc_bytes += p->nc_bytes;
	a->p.delete_markers += p->delete_markers;
	uint32_t i = 0, j = 0, k = 0, na = a->p.n_classes, nb = p->n_classes;
	while ((i < na || j < nb) && k < S3I_CLS_END) {
		if (j >= nb || (i < na && a->cls[i].cls < p->classes[j].cls)) {
			a->tmp[k++] = a->cls[i++];
		} else if (i >= na || p->classes[j].cls < a->cls[i].cls) {
			a->tmp[k++] = p->classes[j++];
		} else {
			a->tmp[k] = a->cls[i++];
			a->tmp[k].objects += p->classes[j].objects;
			a->tmp[k++].bytes += p->classes[j++].bytes;
		}
	}
	struct s3i_cstat *x = a->cls;
	a->cls = a->tmp;
	a->tmp = x;
	a->p.classes = a->cls;
	a->p.n_classes = k;
}

static int advance(struct lt *t, struct s3i_msrc *srcs, size_t i, s3inv_error *err)
{
	int rc = srcs[i].next(srcs[i].self, &t->cur[i], err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		t->cur[i] = NULL;
	return 0;
}

int s3i_merge_run(struct s3i_msrc *srcs, size_t n, s3i_prec_fn sink, void *payload,
                  volatile int *cancel, s3inv_error *err)
{
	struct lt t = {n, NULL, NULL};
	struct acc a = {0};
	int rc = 0;
	uint64_t emitted = 0;

	if (n == 0)
		return 0;
	t.tree = s3i_malloc(n * sizeof *t.tree);
	t.cur = s3i_calloc(n, sizeof *t.cur);
	a.cls = s3i_malloc(S3I_CLS_END * sizeof *a.cls);
	a.tmp = s3i_malloc(S3I_CLS_END * sizeof *a.tmp);
	if (!t.tree || !t.cur || !a.cls || !a.tmp) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		t.tree[i] = n;
		TRY(advance(&t, srcs, i, err));
	}
	for (size_t i = n; i-- > 0;)
		adjust(&t, i);
	for (;;) {
		size_t w = t.tree[0];
		if (!t.cur[w])
			break;
		TRY(acc_set(&a, t.cur[w], err));
		TRY(advance(&t, srcs, w, err));
		adjust(&t, w);
		for (;;) {
			w = t.tree[0];
			const struct s3i_prec *c = t.cur[w];
			if (!c || c->len != a.p.len || memcmp(c->prefix, a.p.prefix, c->len) != 0)
				break;
			acc_add(&a, c);
			TRY(advance(&t, srcs, w, err));
			adjust(&t, w);
		}
		TRY(sink(payload, &a.p));
		if ((++emitted & 4095) == 0 && cancel && *cancel) {
			rc = s3i_err_set(err, S3INV_ECANCELED, "aggregation: merge: cancelled");
			goto out;
		}
	}
out:
	s3i_free(t.tree);
	s3i_free(t.cur);
	s3i_free(a.buf);
	s3i_free(a.cls);
	s3i_free(a.tmp);
	return rc;
}
