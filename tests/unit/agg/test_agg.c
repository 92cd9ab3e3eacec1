/* SPDX-License-Identifier: MIT */
/*
 * test_agg.c — the aggregation layer against a naive reference.
 *
 * Rows come from a small deterministic generator with hostile keys (empty,
 * "a/", "a//b", "/x", 20-level-deep keys, unicode bytes, '+', siblings that
 * sort differently once the delimiter is appended, long shared heads). The
 * reference expands every row into (full prefix string, contribution)
 * pairs, sorts them with qsort and folds equal strings: no tree, no hash,
 * no front coding, nothing shared with the code under test. Every prefix of
 * the merged stream is compared with it, for 1 and 2 aggregators, in
 * memory and with tiny spill limits and fan-ins that force many runs and
 * several merge passes, for other delimiters and max_depth, plus damaged
 * runs, budget accounting and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agg/agg.h"
#include "agg/run.h"
#include "agg/table.h"
#include "util/alloc.h"
#include "util/budget.h"

/* ---- generator ---- */

#define MAXK 512

struct trow {
	char key[MAXK];
	size_t len;
	uint64_t size;
	int cls; /* index into class_names */
	int tier;
	bool latest, dm;
};

static const char *class_names[] = {"", "STANDARD", "GLACIER", "INTELLIGENT_TIERING",
                                    "DEEP_ARCHIVE", "NEW_CLASS_X"};
static const char *tiers[] = {"", "FREQUENT_ACCESS", "ARCHIVE_INSTANT_ACCESS"};

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static const char *fixed_keys[] = {
    "", "a", "a/", "a//b", "/x", "//", "///", "a/b/c.txt", "a/b/", "a-b/c", "a.b/c",
    "a/b-c/d", "a/b/c/", "+", "a+b/c d/e%20f", "\xc3\xbc/\xe6\x97\xa5\xe6\x9c\xac/x",
    "\xff\xfe/\x01/z", "a|b|c/d-e", "x-y-z|w/v", "logs/2024/01/01/app.log",
    "logs/2024/01/02/app.log", "logs/2024/01/", "logs/2024-01/x", "logs/2024.01/x",
};

static void gen_rows(struct trow *rows, size_t n, uint64_t seed)
{
	static const char alpha[] = "ab-.|_ +\xc3/";
	rng_state = seed * 2654435761u + 88172645463325252ull;
	for (size_t i = 0; i < n; i++) {
		struct trow *r = &rows[i];
		uint64_t x = rnd();
		r->len = 0;
		if (i < sizeof fixed_keys / sizeof fixed_keys[0]) {
			r->len = strlen(fixed_keys[i]);
			memcpy(r->key, fixed_keys[i], r->len);
		} else if (x % 17 == 0) {
			/* deep key: 20+ levels */
			int d = 20 + (int)(rnd() % 5);
			for (int l = 0; l < d; l++) {
				r->key[r->len++] = (char)('a' + rnd() % 3);
				r->key[r->len++] = '/';
			}
			r->key[r->len++] = 'f';
		} else if (x % 11 == 0) {
			/* long shared head */
			static const char head[] = "very/long/shared/head/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/";
			memcpy(r->key, head, sizeof head - 1);
			r->len = sizeof head - 1;
			r->len += (size_t)snprintf(r->key + r->len, 32, "%u/f", (unsigned)(rnd() % 50));
		} else {
			size_t len = rnd() % 24;
			for (size_t j = 0; j < len; j++)
				r->key[r->len++] = alpha[rnd() % (sizeof alpha - 1)];
		}
		r->size = rnd() % 5 == 0 ? 0 : rnd() % 100000;
		r->cls = (int)(rnd() % 6);
		r->tier = (int)(rnd() % 3);
		r->dm = rnd() % 13 == 0;
		r->latest = r->dm ? rnd() % 2 : rnd() % 7 != 0;
		if (r->dm)
			r->size = 0;
	}
}

/* ---- reference ---- */

#define MAXC 16

struct rstat {
	char *prefix;
	size_t len;
	uint64_t objects, bytes, nc_objects, nc_bytes, dm;
	char cname[MAXC][48];
	uint64_t cobj[MAXC], cbytes[MAXC];
	int nc;
};

static int rcmp(const void *x, const void *y)
{
	const struct rstat *a = x, *b = y;
	size_t m = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->prefix, b->prefix, m);
	if (r)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

static void class_key(const struct trow *r, char *out)
{
	const char *c = class_names[r->cls];
	if (!*c)
		c = "STANDARD";
	if (!strcmp(c, "INTELLIGENT_TIERING") && *tiers[r->tier])
		sprintf(out, "%s:%s", c, tiers[r->tier]);
	else
		strcpy(out, c);
}

static void rstat_add_class(struct rstat *s, const char *name, uint64_t o, uint64_t b)
{
	for (int i = 0; i < s->nc; i++) {
		if (!strcmp(s->cname[i], name)) {
			s->cobj[i] += o;
			s->cbytes[i] += b;
			return;
		}
	}
	assert_true(s->nc < MAXC);
	strcpy(s->cname[s->nc], name);
	s->cobj[s->nc] = o;
	s->cbytes[s->nc++] = b;
}

/* Expand, sort, fold. Returns the number of distinct prefixes in *out. */
static size_t reference(const struct trow *rows, size_t n, char delim, int max_depth,
                        struct rstat **out)
{
	size_t cap = 1024, k = 0;
	struct rstat *v = calloc(cap, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const struct trow *r = &rows[i];
		int depth = 0;
		for (size_t end = 0; end <= r->len; end++) {
			/* prefix = key[0..end) when end == 0 or key[end-1] == delim */
			if (end > 0 && r->key[end - 1] != delim)
				continue;
			if (end > 0)
				depth++;
			if (max_depth >= 0 && depth > max_depth)
				break;
			if (k == cap) {
				cap *= 2;
				v = realloc(v, cap * sizeof *v);
			}
			struct rstat *s = &v[k++];
			memset(s, 0, sizeof *s);
			s->prefix = malloc(end + 1);
			memcpy(s->prefix, r->key, end);
			s->len = end;
			if (r->dm) {
				s->dm = 1;
			} else if (!r->latest) {
				s->nc_objects = 1;
				s->nc_bytes = r->size;
			} else {
				char name[64];
				class_key(r, name);
				s->objects = 1;
				s->bytes = r->size;
				rstat_add_class(s, name, 1, r->size);
			}
		}
	}
	qsort(v, k, sizeof *v, rcmp);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m > 0 && rcmp(&v[m - 1], &v[i]) == 0) {
			struct rstat *d = &v[m - 1];
			d->objects += v[i].objects;
			d->bytes += v[i].bytes;
			d->nc_objects += v[i].nc_objects;
			d->nc_bytes += v[i].nc_bytes;
			d->dm += v[i].dm;
			for (int c = 0; c < v[i].nc; c++)
				rstat_add_class(d, v[i].cname[c], v[i].cobj[c], v[i].cbytes[c]);
			free(v[i].prefix);
		} else {
			v[m++] = v[i];
		}
	}
	*out = v;
	return m;
}

static void ref_free(struct rstat *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].prefix);
	free(v);
}

/* ---- the sink: collect the stream ---- */

struct got {
	struct rstat *v;
	size_t n, cap;
	struct s3i_classes *classes;
	bool order_ok;
	long fail_at; /* sink fails at this record (-1 never) */
};

static int collect(void *payload, const struct s3i_prec *p)
{
	struct got *g = payload;
	if (g->fail_at >= 0 && (long)g->n == g->fail_at)
		return S3INV_EIO;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->v = realloc(g->v, g->cap * sizeof *g->v);
	}
	struct rstat *s = &g->v[g->n];
	memset(s, 0, sizeof *s);
	s->prefix = malloc(p->len + 1);
	memcpy(s->prefix, p->prefix, p->len);
	s->len = p->len;
	s->objects = p->objects;
	s->bytes = p->bytes;
	s->nc_objects = p->nc_objects;
	s->nc_bytes = p->nc_bytes;
	s->dm = p->delete_markers;
	uint64_t so = 0, sb = 0;
	for (uint32_t i = 0; i < p->n_classes; i++) {
		if (i > 0 && p->classes[i].cls <= p->classes[i - 1].cls)
			g->order_ok = false; /* classes must be sorted by id */
		if (p->classes[i].objects == 0)
			g->order_ok = false;
		assert_true(p->classes[i].cls < g->classes->n);
		rstat_add_class(s, g->classes->names[p->classes[i].cls], p->classes[i].objects,
		                p->classes[i].bytes);
		so += p->classes[i].objects;
		sb += p->classes[i].bytes;
	}
	if (so != p->objects || sb != p->bytes)
		g->order_ok = false;
	if (g->n > 0 && rcmp(&g->v[g->n - 1], s) >= 0)
		g->order_ok = false;
	g->n++;
	return 0;
}

static void compare(const struct rstat *ref, size_t nref, const struct got *g)
{
	assert_true(g->order_ok);
	assert_int_equal(g->n, nref);
	for (size_t i = 0; i < nref; i++) {
		const struct rstat *a = &ref[i], *b = &g->v[i];
		if (a->len != b->len || memcmp(a->prefix, b->prefix, a->len) != 0) {
			print_error("prefix %zu: want '%.*s' got '%.*s'\n", i, (int)a->len, a->prefix,
			            (int)b->len, b->prefix);
			fail();
		}
		assert_int_equal(a->objects, b->objects);
		assert_int_equal(a->bytes, b->bytes);
		assert_int_equal(a->nc_objects, b->nc_objects);
		assert_int_equal(a->nc_bytes, b->nc_bytes);
		assert_int_equal(a->dm, b->dm);
		assert_int_equal(a->nc, b->nc);
		for (int c = 0; c < a->nc; c++) {
			int j = 0;
			while (j < b->nc && strcmp(b->cname[j], a->cname[c]))
				j++;
			assert_true(j < b->nc);
			assert_int_equal(a->cobj[c], b->cobj[j]);
			assert_int_equal(a->cbytes[c], b->cbytes[j]);
		}
	}
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].prefix);
	free(g->v);
	memset(g, 0, sizeof *g);
}

/* ---- driver ---- */

static char tmpdir[512];

static void make_tmpdir(void)
{
	const char *t = getenv("S3INV_TMP");
	char base[400];
	snprintf(base, sizeof base, "%s", t && *t ? t : "/tmp");
	mkdir(base, 0700);
	snprintf(tmpdir, sizeof tmpdir, "%s/aggXXXXXX", base);
	assert_non_null(mkdtemp(tmpdir));
}

static size_t count_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	size_t n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

struct cfg {
	size_t n_aggs;
	char delim;
	int max_depth;
	uint64_t spill_limit, budget;
	unsigned fanin;
};

struct result {
	int rc;
	size_t runs_written;
	unsigned passes;
	uint64_t budget_left;
	s3inv_error err;
};

/* Feed ROWS round-robin into cfg->n_aggs aggregators and merge into G. */
static struct result run_agg(const struct trow *rows, size_t n, const struct cfg *c, struct got *g,
                             void (*tamper)(struct s3i_agg_shared *))
{
	struct result res = {0};
	struct s3i_budget b;
	struct s3i_classes classes;
	struct s3i_agg_shared sh;
	struct s3i_agg *aggs[4] = {0};
	volatile int cancel = 0;
	int rc = 0;

	s3i_budget_init(&b, c->budget ? c->budget : (1ull << 32), &cancel);
	s3i_classes_init(&classes);
	s3i_agg_shared_init(&sh);
	sh.budget = &b;
	sh.classes = &classes;
	sh.tmp_dir = tmpdir;
	sh.delim = c->delim;
	sh.max_depth = c->max_depth;
	sh.cancel = &cancel;
	sh.max_fanin = c->fanin;
	sh.spill_limit = c->spill_limit;
	g->classes = &classes;
	g->order_ok = true;
	for (size_t i = 0; i < c->n_aggs; i++) {
		rc = s3i_agg_new(&aggs[i], &sh, &res.err);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct trow *r = &rows[i];
		struct s3i_row row = {0};
		uint32_t id;
		row.key = r->key;
		row.key_len = r->len;
		row.size = r->size;
		row.storage_class = class_names[r->cls];
		row.storage_class_len = strlen(class_names[r->cls]);
		row.tier = tiers[r->tier];
		row.tier_len = strlen(tiers[r->tier]);
		row.is_latest = r->latest;
		row.is_delete_marker = r->dm;
		rc = s3i_classes_id(&classes, &id, row.storage_class, row.storage_class_len, row.tier,
		                    row.tier_len, &res.err);
		if (rc < 0)
			goto out;
		rc = s3i_agg_add(aggs[i % c->n_aggs], &row, id, &res.err);
		if (rc < 0)
			goto out;
	}
	res.runs_written = sh.run_seq;
	if (tamper)
		tamper(&sh);
	rc = s3i_agg_merge(aggs, c->n_aggs, &sh, collect, g, &res.err);
	res.passes = sh.merge_passes;
out:
	res.rc = rc;
	for (size_t i = 0; i < c->n_aggs; i++)
		s3i_agg_free(aggs[i]);
	s3i_agg_shared_cleanup(&sh);
	res.budget_left = atomic_load(&b.used);
	/* names stay valid for compare(): copied out by collect() already */
	s3i_classes_free(&classes);
	s3i_budget_destroy(&b);
	g->classes = NULL;
	return res;
}

static unsigned last_passes;

static void check(size_t nrows, uint64_t seed, const struct cfg *c, bool expect_runs)
{
	struct trow *rows = calloc(nrows, sizeof *rows);
	struct rstat *ref;
	struct got g = {.fail_at = -1};
	gen_rows(rows, nrows, seed);
	size_t nref = reference(rows, nrows, c->delim, c->max_depth, &ref);
	struct result r = run_agg(rows, nrows, c, &g, NULL);
	if (r.rc)
		print_error("rc %d: %s\n", r.rc, r.err.msg);
	assert_int_equal(r.rc, 0);
	compare(ref, nref, &g);
	if (expect_runs)
		assert_true(r.runs_written > 1);
	else
		assert_int_equal(r.runs_written, 0);
	if (c->fanin && expect_runs)
		assert_true(r.passes >= 1);
	last_passes = r.passes;
	assert_int_equal(r.budget_left, 0);
	assert_int_equal(count_files(), 0);
	ref_free(ref, nref);
	got_free(&g);
	free(rows);
}

/* ---- tests ---- */

static void test_agg__one_in_memory(void **state)
{
	(void)state;
	struct cfg c = {1, '/', -1, 0, 0, 0};
	check(5000, 1, &c, false);
}

static void test_agg__two_in_memory(void **state)
{
	(void)state;
	struct cfg c = {2, '/', -1, 0, 0, 0};
	check(5000, 2, &c, false);
	check(1, 3, &c, false); /* one row: the second table is empty */
}

static void test_agg__spill_many_runs(void **state)
{
	(void)state;
	for (unsigned fanin = 2; fanin <= 3; fanin++) {
		struct cfg c = {1, '/', -1, 200000, 0, fanin};
		check(8000, 4, &c, true);
		assert_true(last_passes >= 2);
		c.n_aggs = 2;
		check(8000, 5, &c, true);
		assert_true(last_passes >= 2);
	}
	/* fan-in from the budget */
	struct cfg c = {2, '/', -1, 200000, 0, 0};
	check(8000, 6, &c, true);
}

static void test_agg__spill_by_budget(void **state)
{
	(void)state;
	/* a budget just above two writers: the tables must spill to stay in it */
	struct cfg c = {2, '/', -1, 0, 2 * s3i_run_writer_mem() + 600000, 2};
	check(15000, 7, &c, true);
}

static void test_agg__max_depth(void **state)
{
	(void)state;
	for (int d = 0; d <= 3; d++) {
		struct cfg c = {2, '/', d, 0, 0, 0};
		check(3000, 8 + (uint64_t)d, &c, false);
		c.spill_limit = 150000;
		c.fanin = 2;
		check(6000, 12 + (uint64_t)d, &c, d >= 2);
	}
}

static void test_agg__other_delimiters(void **state)
{
	(void)state;
	struct cfg c = {2, '|', -1, 0, 0, 0};
	check(4000, 20, &c, false);
	c.delim = '-';
	check(4000, 21, &c, false);
	c.spill_limit = 150000;
	c.fanin = 3;
	check(20000, 22, &c, true);
}

static const char *victim_mode;

static void tamper_run(struct s3i_agg_shared *sh)
{
	assert_true(sh->n_runs > 0);
	const char *path = sh->runs[sh->n_runs / 2];
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	if (!strcmp(victim_mode, "truncate")) {
		assert_int_equal(truncate(path, st.st_size - 30), 0);
	} else if (!strcmp(victim_mode, "cut_block")) {
		assert_int_equal(truncate(path, st.st_size / 2), 0);
	} else {
		FILE *f = fopen(path, "r+b");
		long off = !strcmp(victim_mode, "header") ? 3 : (long)st.st_size / 2;
		assert_non_null(f);
		fseek(f, off, SEEK_SET);
		int ch = fgetc(f);
		fseek(f, off, SEEK_SET);
		fputc(ch ^ 0x10, f);
		fclose(f);
	}
}

static void test_agg__corrupt_run(void **state)
{
	(void)state;
	static const char *modes[] = {"flip", "header", "truncate", "cut_block"};
	size_t nrows = 20000;
	struct trow *rows = calloc(nrows, sizeof *rows);
	gen_rows(rows, nrows, 30);
	for (size_t m = 0; m < 4; m++) {
		struct cfg c = {1, '/', -1, 200000, 0, 64};
		struct got g = {.fail_at = -1};
		victim_mode = modes[m];
		struct result r = run_agg(rows, nrows, &c, &g, tamper_run);
		assert_true(r.runs_written > 1);
		assert_true(r.rc == S3INV_ECORRUPT);
		assert_non_null(strstr(r.err.msg, "spill run damaged"));
		assert_non_null(strstr(r.err.msg, tmpdir));
		assert_int_equal(r.budget_left, 0);
		assert_int_equal(count_files(), 0);
		got_free(&g);
	}
	free(rows);
}

static void test_agg__sink_error(void **state)
{
	(void)state;
	size_t nrows = 5000;
	struct trow *rows = calloc(nrows, sizeof *rows);
	gen_rows(rows, nrows, 31);
	struct cfg c = {2, '/', -1, 100000, 0, 2};
	struct got g = {.fail_at = 100};
	struct result r = run_agg(rows, nrows, &c, &g, NULL);
	assert_int_equal(r.rc, S3INV_EIO);
	assert_int_equal(r.budget_left, 0);
	assert_int_equal(count_files(), 0);
	got_free(&g);
	free(rows);
}

static void test_agg__budget_too_small(void **state)
{
	(void)state;
	struct trow rows[1];
	gen_rows(rows, 1, 32);
	struct cfg c = {1, '/', -1, 0, 4096, 0};
	struct got g = {.fail_at = -1};
	struct result r = run_agg(rows, 1, &c, &g, NULL);
	assert_int_equal(r.rc, S3INV_ENOMEM);
	assert_non_null(strstr(r.err.msg, "memory budget too small"));
	assert_int_equal(r.budget_left, 0);
	/* room for the writer, not for a table */
	c.budget = s3i_run_writer_mem() + 1000;
	r = run_agg(rows, 1, &c, &g, NULL);
	assert_int_equal(r.rc, S3INV_ENOMEM);
	assert_non_null(strstr(r.err.msg, "memory budget too small"));
	assert_int_equal(r.budget_left, 0);
	got_free(&g);
}

static void test_agg__bad_tmp_dir(void **state)
{
	(void)state;
	size_t nrows = 5000;
	struct trow *rows = calloc(nrows, sizeof *rows);
	gen_rows(rows, nrows, 33);
	char saved[512];
	strcpy(saved, tmpdir);
	strcat(tmpdir, "/does/not/exist");
	struct cfg c = {1, '/', -1, 100000, 0, 0};
	struct got g = {.fail_at = -1};
	struct result r = run_agg(rows, nrows, &c, &g, NULL);
	strcpy(tmpdir, saved);
	assert_int_equal(r.rc, S3INV_EIO);
	assert_non_null(strstr(r.err.msg, "does/not/exist"));
	assert_int_equal(r.budget_left, 0);
	got_free(&g);
	free(rows);
}

/* After a run armed with s3i_alloc_fail_after(k): did the failure fire?
 * If it did not, the countdown is still pending and one of the next k+1
 * allocations fails. */
static bool failure_fired(long k)
{
	for (long i = 0; i <= k + 1; i++) {
		void *p = s3i_malloc(1);
		if (!p) {
			s3i_alloc_fail_after(-1);
			return false;
		}
		s3i_free(p);
	}
	return true;
}

static void test_agg__alloc_failures(void **state)
{
	long k, recovered = 0;
	(void)state;
	size_t nrows = 2500;
	struct trow *rows = calloc(nrows, sizeof *rows);
	struct rstat *ref;
	gen_rows(rows, nrows, 40);
	size_t nref = reference(rows, nrows, '/', -1, &ref);
	bool finished = false;
	for (k = 0; k < 100000 && !finished; k++) {
		struct cfg c = {2, '/', -1, 150000, 0, 2};
		struct got g = {.fail_at = -1};
		s3i_alloc_fail_after(k);
		struct result r = run_agg(rows, nrows, &c, &g, NULL);
		bool fired = failure_fired(k);
		s3i_alloc_fail_after(-1);
		if (r.rc == 0) {
			/* no failure, or one the layer recovered from by spilling:
			 * either way the stream must be exact */
			compare(ref, nref, &g);
			if (!fired) {
				assert_true(r.runs_written >= 3);
				finished = true;
			} else {
				recovered++;
			}
		} else {
			if (r.rc != S3INV_ENOMEM)
				print_error("k=%ld rc=%d %s\n", k, r.rc, r.err.msg);
			assert_int_equal(r.rc, S3INV_ENOMEM);
			assert_true(fired);
			assert_true(r.err.msg[0] != '\0');
		}
		assert_int_equal(r.budget_left, 0);
		assert_int_equal(count_files(), 0);
		got_free(&g);
	}
	assert_true(finished);
	print_message("allocation failure test: each of %ld allocations failed in turn "
	              "(%ld recovered by spilling)\n", k - 1, recovered);
	ref_free(ref, nref);
	free(rows);
}

static void test_agg__classes(void **state)
{
	(void)state;
	struct s3i_classes c;
	uint32_t a, b, d, e, f;
	s3i_classes_init(&c);
	assert_int_equal(s3i_classes_id(&c, &a, "", 0, "", 0, NULL), 0);
	assert_int_equal(s3i_classes_id(&c, &b, "STANDARD", 8, "X", 1, NULL), 0);
	assert_int_equal(a, b);
	assert_string_equal(c.names[a], "STANDARD");
	assert_int_equal(s3i_classes_id(&c, &d, "INTELLIGENT_TIERING", 19, "ARCHIVE_ACCESS", 14, NULL), 0);
	assert_string_equal(c.names[d], "INTELLIGENT_TIERING:ARCHIVE_ACCESS");
	assert_int_equal(s3i_classes_id(&c, &e, "INTELLIGENT_TIERING", 19, "", 0, NULL), 0);
	assert_string_equal(c.names[e], "INTELLIGENT_TIERING");
	assert_int_not_equal(d, e);
	assert_int_equal(s3i_classes_id(&c, &f, "INTELLIGENT_TIERING", 19, "ARCHIVE_ACCESS", 14, NULL), 0);
	assert_int_equal(d, f);
	/* past the limit: a clean error */
	int rc = 0;
	char name[32];
	for (int i = 0; i < S3I_MAX_CLASSES + 5 && rc == 0; i++) {
		snprintf(name, sizeof name, "C%d", i);
		rc = s3i_classes_id(&c, &f, name, strlen(name), "", 0, NULL);
	}
	assert_int_equal(rc, S3INV_EFORMAT);
	s3i_classes_free(&c);
}

int main(int argc, char **argv)
{
	make_tmpdir();
	if (argc > 1)
		cmocka_set_test_filter(argv[1]); /* run one case by name */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agg__one_in_memory),
	    cmocka_unit_test(test_agg__two_in_memory),
	    cmocka_unit_test(test_agg__spill_many_runs),
	    cmocka_unit_test(test_agg__spill_by_budget),
	    cmocka_unit_test(test_agg__max_depth),
	    cmocka_unit_test(test_agg__other_delimiters),
	    cmocka_unit_test(test_agg__corrupt_run),
	    cmocka_unit_test(test_agg__sink_error),
	    cmocka_unit_test(test_agg__budget_too_small),
	    cmocka_unit_test(test_agg__bad_tmp_dir),
	    cmocka_unit_test(test_agg__alloc_failures),
	    cmocka_unit_test(test_agg__classes),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(tmpdir);
	return rc;
}
