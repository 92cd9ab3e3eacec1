/* SPDX-License-Identifier: MIT */
/*
 * test_diff.c — s3inv_diff_* against a naive diff of two reference results.
 *
 * Two (or three) generated reports of the same bucket differ in row count
 * (the generator's key tree then differs, so prefixes appear, vanish and
 * change) and in seed. Each is built into an index and aggregated by the
 * independent reference (tests/ref). The expected diff at PREFIX and depth
 * D is computed from the two reference results alone: the union of their
 * prefixes that start with PREFIX and sit D levels deeper, in byte order,
 * with both sides' statistics. The streamed walk must yield exactly that,
 * and the collector must give the same rows sorted by growth/shrink with
 * and without a limit. Also: a prefix only in one index, in neither,
 * different delimiters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ref.h"
#include "s3inv.h"

static char tmp[1024];

static const char *scratch(void)
{
	const char *t = getenv("S3INV_TMP");
	snprintf(tmp, sizeof tmp, "%s/test_diff", t ? t : "/tmp");
	mkdir(t ? t : "/tmp", 0755);
	mkdir(tmp, 0755);
	return tmp;
}

struct side {
	char dir[1200], index[1300], manifest[1300];
	struct ref_result *ref;
	s3inv_index *x;
};

static void prepare(struct side *s, const char *name, uint64_t rows, uint64_t seed, char delim)
{
	s3inv_gen_options g = S3INV_GEN_OPTIONS_INIT;
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3inv_error err = {0};
	snprintf(s->dir, sizeof s->dir, "%s/%s", scratch(), name);
	snprintf(s->manifest, sizeof s->manifest, "%s/manifest.json", s->dir);
	snprintf(s->index, sizeof s->index, "%s.d%d.s3i", s->dir, (int)delim);
	if (access(s->manifest, R_OK) != 0) {
		g.objects = rows;
		g.seed = seed;
		g.files = 2;
		g.creation_ms = 1790000000000LL + (int64_t)rows;
		if (s3inv_gen_run(s->dir, &g, &err) != 0)
			fail_msg("gen: %s", err.msg);
	}
	o.threads = 1;
	o.delimiter = delim;
	o.mem_budget = 256u << 20;
	if (s3inv_build_run(NULL, s->dir, s->index, &o, &err) != 0)
		fail_msg("build: %s", err.msg);
	assert_int_equal(ref_compute(&s->ref, s->manifest, delim, -1), 0);
	if (s3inv_index_open(&s->x, s->index, S3INV_OPEN_VERIFY, &err) != 0)
		fail_msg("open: %s", err.msg);
}

static void release(struct side *s)
{
	s3inv_index_close(s->x);
	ref_free(s->ref);
	unlink(s->index);
}

static int pcmp(const struct ref_prefix *a, const struct ref_prefix *b)
{
	size_t m = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->prefix, b->prefix, m);
	return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

/* the naive diff: reference prefixes under P (depth base + D), merged */
struct exp_row {
	const struct ref_prefix *o, *n;
};

static bool wanted(const struct ref_prefix *r, const char *p, size_t len, int target)
{
	return r->len >= len && memcmp(r->prefix, p, len) == 0 && r->depth == target;
}

static size_t naive(struct exp_row **out, const struct ref_result *a, const struct ref_result *b,
                    const char *p, size_t len, int target)
{
	struct exp_row *v = calloc(a->n + b->n + 1, sizeof *v);
	size_t i = 0, j = 0, n = 0;
	assert_non_null(v);
	for (;;) {
		while (i < a->n && !wanted(&a->p[i], p, len, target))
			i++;
		while (j < b->n && !wanted(&b->p[j], p, len, target))
			j++;
		if (i == a->n && j == b->n)
			break;
		int c = i == a->n ? 1 : j == b->n ? -1 : pcmp(&a->p[i], &b->p[j]);
		v[n].o = c <= 0 ? &a->p[i++] : NULL;
		v[n].n = c >= 0 ? &b->p[j++] : NULL;
		n++;
	}
	*out = v;
	return n;
}

static int depth_of(const char *p, size_t len, char delim)
{
	int d = 0;
	for (size_t i = 0; i < len; i++)
		d += p[i] == delim;
	return d;
}

static void check_stats(const struct ref_prefix *r, uint64_t pos, const s3inv_stats *st)
{
	if (!r) {
		assert_true(pos == UINT64_MAX);
		assert_int_equal(st->objects, 0);
		assert_int_equal(st->bytes, 0);
		return;
	}
	assert_true(pos != UINT64_MAX);
	if (st->objects != r->objects || st->bytes != r->bytes || st->nc_bytes != r->nc_bytes)
		fail_msg("'%s': diff %llu/%llu, reference %llu/%llu", r->prefix,
		         (unsigned long long)st->objects, (unsigned long long)st->bytes,
		         (unsigned long long)r->objects, (unsigned long long)r->bytes);
}

/* Walk + collect at PREFIX/DEPTH; returns the number of rows. */
static size_t check_one(const struct side *a, const struct side *b, const char *p, unsigned depth,
                        char delim, size_t *n_new, size_t *n_gone)
{
	struct exp_row *exp = NULL;
	size_t len = strlen(p), n, k = 0;
	s3inv_diff *d = NULL;
	s3inv_diff_entry e;
	s3inv_error err = {0};
	int rc;

	n = naive(&exp, a->ref, b->ref, p, len, depth_of(p, len, delim) + (int)depth);
	assert_int_equal(s3inv_diff_open(&d, a->x, b->x, p, len, depth, &err), 0);
	while ((rc = s3inv_diff_next(d, &e, &err)) == 0) {
		const struct ref_prefix *r;
		if (k >= n)
			fail_msg("extra diff row '%.*s'", (int)e.len, e.prefix);
		r = exp[k].o ? exp[k].o : exp[k].n;
		if (e.len != r->len || memcmp(e.prefix, r->prefix, r->len) != 0)
			fail_msg("row %zu: diff '%.*s', reference '%s'", k, (int)e.len, e.prefix, r->prefix);
		check_stats(exp[k].o, e.old_pos, &e.old_st);
		check_stats(exp[k].n, e.new_pos, &e.new_st);
		*n_new += !exp[k].o;
		*n_gone += !exp[k].n;
		k++;
	}
	assert_int_equal(rc, S3INV_ITEROVER);
	assert_int_equal(s3inv_diff_next(d, &e, &err), S3INV_ITEROVER); /* stays over */
	assert_int_equal(k, n);
	s3inv_diff_close(d);

	/* collector: growth order, every row (unchanged too), then limited */
	for (int sort = 0; sort < 3; sort++) {
		s3inv_diff_row *rows = NULL, *lim = NULL;
		size_t nr = 0, nl = 0;
		uint64_t total = 0;
		assert_int_equal(s3inv_diff_collect(&rows, &nr, &total, a->x, b->x, p, len, depth,
		                                    (s3inv_diff_sort)sort, 0, true, &err),
		                 0);
		assert_int_equal(nr, n);
		assert_int_equal(total, n);
		for (size_t i = 1; i < nr; i++) {
			if (sort == S3INV_DIFF_GROWTH)
				assert_true(rows[i - 1].d_bytes >= rows[i].d_bytes);
			else if (sort == S3INV_DIFF_SHRINK)
				assert_true(rows[i - 1].d_bytes <= rows[i].d_bytes);
		}
		assert_int_equal(s3inv_diff_collect(&lim, &nl, &total, a->x, b->x, p, len, depth,
		                                    (s3inv_diff_sort)sort, 3, true, &err),
		                 0);
		assert_int_equal(nl, n < 3 ? n : 3);
		for (size_t i = 0; i < nl; i++) { /* the limited answer is the head of the full one */
			assert_true(lim[i].old_pos == rows[i].old_pos);
			assert_true(lim[i].new_pos == rows[i].new_pos);
		}
		s3inv_free(rows);
		s3inv_free(lim);
	}
	free(exp);
	return n;
}

static void test_diff__against_reference(void **state)
{
	struct side a, b, c;
	size_t n_new = 0, n_gone = 0, rows = 0;
	(void)state;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	prepare(&a, "r3000", 3000, 1, '/');
	prepare(&b, "r4000", 4000, 1, '/');
	prepare(&c, "s2", 2500, 2, '/');
	for (unsigned depth = 0; depth <= 4; depth++) {
		rows += check_one(&a, &b, "", depth, '/', &n_new, &n_gone);
		rows += check_one(&b, &a, "", depth, '/', &n_new, &n_gone);
		rows += check_one(&a, &c, "", depth, '/', &n_new, &n_gone);
	}
	/* every prefix of the reference, at depth 1 and 2 below it */
	for (size_t i = 0; i < a.ref->n; i += 7) {
		rows += check_one(&a, &b, a.ref->p[i].prefix, 1, '/', &n_new, &n_gone);
		rows += check_one(&a, &b, a.ref->p[i].prefix, 2, '/', &n_new, &n_gone);
	}
	/* prefixes only in the new index: every row is new */
	for (size_t i = 0; i < b.ref->n; i++) {
		if (ref_find(a.ref, b.ref->p[i].prefix, b.ref->p[i].len))
			continue;
		size_t nn = 0, ng = 0, r = check_one(&a, &b, b.ref->p[i].prefix, 0, '/', &nn, &ng);
		assert_int_equal(r, 1);
		assert_int_equal(nn, 1);
		n_new += nn;
	}
	print_message("diff: %zu rows checked, %zu new, %zu gone\n", rows, n_new, n_gone);
	assert_true(n_new > 10 && n_gone > 10); /* the data exercised both */
	release(&a);
	release(&b);
	release(&c);
}

static void test_diff__errors(void **state)
{
	struct side a, b;
	s3inv_diff *d = NULL;
	s3inv_diff_row *rows = NULL;
	size_t n = 0;
	s3inv_error err = {0};
	(void)state;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	prepare(&a, "r3000", 3000, 1, '/');
	prepare(&b, "r3000", 3000, 1, '-');
	assert_int_equal(s3inv_diff_open(&d, a.x, a.x, "no such/", 8, 1, &err), S3INV_ENOTFOUND);
	assert_null(d);
	assert_true(strstr(err.msg, "neither") != NULL);
	memset(&err, 0, sizeof err);
	assert_int_equal(s3inv_diff_open(&d, a.x, b.x, "", 0, 1, &err), S3INV_EINVAL);
	assert_int_equal(s3inv_diff_collect(&rows, &n, NULL, a.x, a.x, "x", 1, 1, S3INV_DIFF_GROWTH,
	                                    0, false, NULL),
	                 S3INV_ENOTFOUND);
	/* an index against itself: nothing changed */
	assert_int_equal(s3inv_diff_collect(&rows, &n, NULL, a.x, a.x, "", 0, 2, S3INV_DIFF_GROWTH,
	                                    0, false, &err),
	                 0);
	assert_int_equal(n, 0);
	s3inv_free(rows);
	s3inv_diff_close(NULL);
	release(&a);
	release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff__against_reference),
	    cmocka_unit_test(test_diff__errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
