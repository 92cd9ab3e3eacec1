/* SPDX-License-Identifier: MIT */
/*
 * agg.c — the aggregation layer's driver: rows into the worker's table,
 * spills to run files when the budget (or the test-only spill_limit) says
 * so, and the final merge of tables and runs into the sink (see agg.h).
 *
 * Memory: each s3i_agg reserves, at creation, what one run writer holds,
 * so a spill never needs memory the budget has not granted. The table
 * reserves its own pages as it grows. The merge reserves one reader per
 * run it opens (plus a writer for an intermediate pass); its fan-in is
 * sh->max_fanin, or what the available budget allows, between 2 and 64.
 * Run files are registered in sh->runs as soon as they are complete and
 * removed as soon as a merge has consumed them; s3i_agg_shared_cleanup
 * removes whatever an error path left behind.
 */
#include "agg/agg.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agg/ahead.h"
#include "agg/merge.h"
#include "agg/run.h"
#include "agg/table.h"
#include "util/alloc.h"
#include "util/err.h"

#define FANIN_MAX 64
#define CANCEL_EVERY 4096
/* Rows are added in batches (see s3i_table_prepare): up to BATCH_ROWS rows,
 * their keys copied into BATCH_KEYS bytes, their levels in BATCH_LEVELS
 * entries. A longer key, or a row with more levels, is added alone. */
#define BATCH_ROWS 16
#define BATCH_KEYS ((size_t)16 << 10)
#define BATCH_LEVELS ((size_t)1024)
#define BATCH_MEM (BATCH_KEYS + BATCH_LEVELS * (sizeof(uint32_t) + sizeof(uint64_t)))

struct s3i_agg {
	struct s3i_agg_shared *sh;
	struct s3i_table t;
	size_t max_levels;
	uint64_t reserved; /* from the budget: a run writer (for spilling) + the batch */
	uint64_t spills;
	/* rows not yet in the table */
	struct s3i_tbatch_row rows[BATCH_ROWS];
	size_t n_rows;
	char *keys;
	size_t keys_used;
	struct s3i_tbatch tb;
};

void s3i_agg_shared_init(struct s3i_agg_shared *sh)
{
	memset(sh, 0, sizeof *sh);
	sh->tmp_dir = ".";
	sh->delim = '/';
	sh->max_depth = -1;
	s3i_mutex_init(&sh->lock);
}

/* Remove the first N runs of the list (their files too). Under the lock. */
static void drop_runs(struct s3i_agg_shared *sh, size_t n)
{
	s3i_mutex_lock(&sh->lock);
	if (n > sh->n_runs)
		n = sh->n_runs;
	for (size_t i = 0; i < n; i++) {
		unlink(sh->runs[i]);
		s3i_free(sh->runs[i]);
	}
	if (n > 0 && sh->n_runs > n)
		memmove(sh->runs, sh->runs + n, (sh->n_runs - n) * sizeof *sh->runs);
	sh->n_runs -= n;
	s3i_mutex_unlock(&sh->lock);
}

void s3i_agg_shared_cleanup(struct s3i_agg_shared *sh)
{
	if (!sh)
		return;
	drop_runs(sh, sh->n_runs);
	s3i_free(sh->runs);
	sh->runs = NULL;
	sh->cap_runs = 0;
	s3i_mutex_destroy(&sh->lock);
}

static bool cancelled(const struct s3i_agg_shared *sh)
{
	return sh->cancel && *sh->cancel;
}

/* A fresh run file name under tmp_dir, into PATH (heap, caller frees). */
static int run_name(struct s3i_agg_shared *sh, char **path, s3inv_error *err)
{
	unsigned long seq;
	s3i_mutex_lock(&sh->lock);
	seq = sh->run_seq++;
	s3i_mutex_unlock(&sh->lock);
	int n = snprintf(NULL, 0, "%s/s3inv-%ld-%lu.run", sh->tmp_dir, (long)getpid(), seq);
	*path = n > 0 ? s3i_malloc((size_t)n + 1) : NULL;
	if (!*path)
		return s3i_err_set(err, S3INV_ENOMEM, "aggregation: run name: out of memory");
	snprintf(*path, (size_t)n + 1, "%s/s3inv-%ld-%lu.run", sh->tmp_dir, (long)getpid(), seq);
	return 0;
}

/* Append PATH (ownership taken) to the shared run list. */
static int register_run(struct s3i_agg_shared *sh, char *path, uint64_t bytes, s3inv_error *err)
{
	int rc = 0;
	s3i_mutex_lock(&sh->lock);
	if (sh->n_runs == sh->cap_runs) {
		size_t ncap = sh->cap_runs ? sh->cap_runs * 2 : 16;
		char **n = s3i_realloc(sh->runs, ncap * sizeof *n);
		if (!n) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "aggregation: run list: out of memory");
			goto out;
		}
		sh->runs = n;
		sh->cap_runs = ncap;
	}
	sh->runs[sh->n_runs++] = path;
	sh->run_bytes += bytes;
out:
	s3i_mutex_unlock(&sh->lock);
	if (rc < 0) {
		unlink(path);
		s3i_free(path);
	}
	return rc;
}

int s3i_agg_new(struct s3i_agg **out, struct s3i_agg_shared *sh, s3inv_error *err)
{
	struct s3i_agg *a;
	*out = NULL;
	a = s3i_calloc(1, sizeof *a);
	if (!a)
		return s3i_err_set(err, S3INV_ENOMEM, "aggregation: out of memory");
	a->sh = sh;
	s3i_table_init(&a->t, sh->budget);
	a->max_levels = sh->max_depth < 0 ? SIZE_MAX : (size_t)sh->max_depth;
	if (sh->budget && !s3i_budget_try_reserve(sh->budget, s3i_run_writer_mem() + BATCH_MEM)) {
		uint64_t avail = s3i_budget_available(sh->budget);
		s3i_free(a);
		return s3i_err_set(err, S3INV_ENOMEM,
		                   "memory budget too small: an aggregator needs %llu bytes to be "
		                   "able to spill, %llu available",
		                   (unsigned long long)(s3i_run_writer_mem() + BATCH_MEM),
		                   (unsigned long long)avail);
	}
	a->reserved = sh->budget ? s3i_run_writer_mem() + BATCH_MEM : 0;
	a->keys = s3i_malloc(BATCH_KEYS);
	a->tb.ends = s3i_malloc(BATCH_LEVELS * sizeof *a->tb.ends);
	a->tb.hashes = s3i_malloc(BATCH_LEVELS * sizeof *a->tb.hashes);
	a->tb.lv_cap = BATCH_LEVELS;
	if (!a->keys || !a->tb.ends || !a->tb.hashes) {
		s3i_agg_free(a);
		return s3i_err_set(err, S3INV_ENOMEM, "aggregation: out of memory");
	}
	*out = a;
	return 0;
}

void s3i_agg_free(struct s3i_agg *a)
{
	if (!a)
		return;
	s3i_table_free(&a->t);
	s3i_free(a->keys);
	s3i_free(a->tb.ends);
	s3i_free(a->tb.hashes);
	if (a->sh->budget && a->reserved)
		s3i_budget_release(a->sh->budget, a->reserved);
	s3i_free(a);
}

static int table_src_next(void *self, const struct s3i_prec **out, s3inv_error *err)
{
	(void)err;
	return s3i_table_iter_next(self, out);
}

static int run_src_next(void *self, const struct s3i_prec **out, s3inv_error *err)
{
	return s3i_run_reader_next(self, out, err);
}

static int writer_sink(void *payload, const struct s3i_prec *p)
{
	void **pw = payload; /* {writer, err} */
	return s3i_run_writer_add(pw[0], p, pw[1]);
}

/* Write the table as one sorted run, register it, reset the table. */
static int spill(struct s3i_agg *a, s3inv_error *err)
{
	struct s3i_agg_shared *sh = a->sh;
	struct s3i_table_iter it;
	struct s3i_run_writer *w = NULL;
	const struct s3i_prec *p;
	char *path = NULL;
	uint64_t bytes = 0, n = 0;
	int rc;

	memset(&it, 0, sizeof it);
	TRY(run_name(sh, &path, err));
	TRY(s3i_table_iter_start(&it, &a->t, sh->delim, err));
	TRY(s3i_run_writer_open(&w, path, err));
	while (s3i_table_iter_next(&it, &p) == 1) {
		TRY(s3i_run_writer_add(w, p, err));
		if ((++n % CANCEL_EVERY) == 0 && cancelled(sh)) {
			rc = s3i_err_set(err, S3INV_ECANCELED, "aggregation: spill: cancelled");
			goto out;
		}
	}
	rc = s3i_run_writer_finish(w, &bytes, err);
	w = NULL;
	if (rc < 0)
		goto out;
	rc = register_run(sh, path, bytes, err);
	path = NULL;
	if (rc < 0)
		goto out;
	a->spills++;
	s3i_table_reset(&a->t);
out:
	s3i_run_writer_abort(w);
	s3i_table_iter_end(&it);
	s3i_free(path);
	return rc;
}

static int too_small(struct s3i_agg *a, s3inv_error *err, size_t key_len)
{
	return s3i_err_set(err, S3INV_ENOMEM,
	                   "memory budget too small: an empty prefix table cannot hold one key of "
	                   "%zu bytes (%llu bytes available)",
	                   key_len,
	                   a->sh->budget ? (unsigned long long)s3i_budget_available(a->sh->budget)
	                                 : 0ULL);
}

/* Make room in the table for a key of KEY_LEN bytes: spill when the
 * (test-only) spill limit or the budget says so. */
static int make_room(struct s3i_agg *a, size_t key_len, s3inv_error *err)
{
	struct s3i_table *t = &a->t;
	size_t levels = key_len < a->max_levels ? key_len : a->max_levels;
	int rc;

	if (a->sh->spill_limit && t->bytes > a->sh->spill_limit && t->n_nodes > 0) {
		rc = spill(a, err);
		if (rc < 0)
			return rc;
	}
	if (!s3i_table_reserve(t, key_len, levels)) {
		if (t->n_nodes == 0)
			return too_small(a, err, key_len);
		rc = spill(a, err);
		if (rc < 0)
			return rc;
		if (!s3i_table_reserve(t, key_len, levels))
			return too_small(a, err, key_len);
	}
	return 0;
}

static int add_one(struct s3i_agg *a, const char *key, size_t key_len, uint32_t cls,
                   uint32_t xkey, uint64_t objects, uint64_t bytes,
                   s3inv_error *err)
{
	int rc = make_room(a, key_len, err);
	if (rc < 0)
		return rc;
	s3i_table_add(&a->t, key, key_len, a->sh->delim, a->max_levels, cls, xkey, objects, bytes);
	return 0;
}

/* Add the pending rows to the table: prepare as many as the level arrays
 * hold (their cache misses overlap), then add them in order. */
static int flush(struct s3i_agg *a, s3inv_error *err)
{
	size_t i = 0, n = a->n_rows;
	int rc = 0;

	a->n_rows = 0;
	a->keys_used = 0;
	while (i < n) {
		struct s3i_tbatch_row *r = a->rows + i;
		size_t m = s3i_table_prepare(&a->t, &a->tb, r, n - i, a->sh->delim, a->max_levels);
		if (m == 0) {
			TRY(add_one(a, r->key, r->key_len, r->cls, r->xkey, r->objects, r->bytes, err));
			i++;
			continue;
		}
		for (size_t j = 0; j < m; j++) {
			TRY(make_room(a, r[j].key_len, err));
			s3i_table_add_prepared(&a->t, &a->tb, r, j);
		}
		i += m;
	}
out:
	return rc;
}

uint32_t s3i_age_bucket(int64_t report_ms, int64_t modified_ms)
{
	static const int64_t bound_days[S3INV_AGE_BUCKETS] = S3I_AGE_BOUND_DAYS;
	int64_t days;
	uint32_t b = 0;
	if (modified_ms == INT64_MIN)
		return S3I_AGE_UNKNOWN;
	if (modified_ms >= report_ms)
		return 0;
	days = (report_ms - modified_ms) / 86400000; /* whole days */
	while (b + 1 < S3INV_AGE_BUCKETS && days >= bound_days[b + 1])
		b++;
	return b;
}

int s3i_agg_add(struct s3i_agg *a, const struct s3i_row *row, uint32_t cls, s3inv_error *err)
{
	uint64_t objects = 1, bytes = row->size;
	uint32_t xkey = S3I_CLS_NONE;
	int rc;

	if (row->is_delete_marker) {
		cls = S3I_CLS_DM;
		bytes = 0;
	} else if (!row->is_latest) {
		cls = S3I_CLS_NC;
	} else {
		if (a->sh->age)
			xkey = S3I_TKEY_AGE0 + s3i_age_bucket(a->sh->report_ms, row->last_modified_ms);
		cls = S3I_TKEY_CLASS(cls, a->sh->small && row->size < S3INV_SMALL_OBJECT);
	}
	if (row->key_len > BATCH_KEYS - a->keys_used) {
		rc = flush(a, err);
		if (rc < 0)
			return rc;
		if (row->key_len > BATCH_KEYS)
			return add_one(a, row->key, row->key_len, cls, xkey, objects, bytes, err);
	}
	struct s3i_tbatch_row *r = &a->rows[a->n_rows++];
	r->key = a->keys + a->keys_used;
	r->key_len = row->key_len;
	r->cls = cls;
	r->xkey = xkey;
	r->objects = objects;
	r->bytes = bytes;
	if (row->key_len)
		memcpy(a->keys + a->keys_used, row->key, row->key_len);
	a->keys_used += row->key_len;
	if (a->n_rows == BATCH_ROWS)
		return flush(a, err);
	return 0;
}

/* Merge runs[0..g) into one new run appended to the list. */
static int merge_pass(struct s3i_agg_shared *sh, size_t g, void *dctx, s3inv_error *err)
{
	struct s3i_run_reader **rd = NULL;
	struct s3i_msrc *src = NULL;
	struct s3i_run_writer *w = NULL;
	char *path = NULL;
	uint64_t bytes = 0, mem = g * s3i_run_reader_mem() + s3i_run_writer_mem();
	int rc = 0;

	if (sh->budget)
		s3i_budget_force(sh->budget, mem);
	rd = s3i_calloc(g, sizeof *rd);
	src = s3i_calloc(g, sizeof *src);
	if (!rd || !src) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge pass: out of memory");
		goto out;
	}
	for (size_t i = 0; i < g; i++) {
		TRY(s3i_run_reader_open(&rd[i], sh->runs[i], dctx, err));
		src[i].next = run_src_next;
		src[i].self = rd[i];
	}
	TRY(run_name(sh, &path, err));
	TRY(s3i_run_writer_open(&w, path, err));
	void *pw[2] = {w, err};
	TRY(s3i_merge_run(src, g, writer_sink, pw, sh->cancel, err));
	rc = s3i_run_writer_finish(w, &bytes, err);
	w = NULL;
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < g; i++) {
		s3i_run_reader_close(rd[i]);
		rd[i] = NULL;
	}
	drop_runs(sh, g);
	rc = register_run(sh, path, bytes, err);
	path = NULL;
	if (rc < 0)
		goto out;
	sh->merge_passes++;
out:
	s3i_run_writer_abort(w);
	for (size_t i = 0; rd && i < g; i++)
		s3i_run_reader_close(rd[i]);
	s3i_free(rd);
	s3i_free(src);
	s3i_free(path);
	if (sh->budget)
		s3i_budget_release(sh->budget, mem);
	return rc;
}

static unsigned fanin_of(struct s3i_agg_shared *sh)
{
	uint64_t f;
	if (sh->max_fanin)
		return sh->max_fanin < 2 ? 2 : sh->max_fanin;
	if (!sh->budget)
		return FANIN_MAX;
	f = s3i_budget_available(sh->budget) / s3i_run_reader_mem();
	if (f < 2)
		f = 2;
	if (f > FANIN_MAX)
		f = FANIN_MAX;
	return (unsigned)f;
}

/* Sorting a table for its iterator is O(nodes log fan-out) of random node
 * reads: the tables are sorted in parallel, one thread each, before the
 * single-threaded final merge. */
struct iters_job {
	struct s3i_table_iter *its;
	struct s3i_agg **aggs;
	size_t n;
	char delim;
	atomic_size_t next;   /* the next table to sort: threads take them in turn, so
	                       * every table is sorted even if a thread did not start */
	s3inv_error *errs;
};

static int iters_worker(unsigned w, void *payload)
{
	struct iters_job *j = payload;
	int rc = 0;
	(void)w;
	for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
		if (!j->aggs[i] || j->aggs[i]->t.n_nodes == 0)
			continue;
		int r = s3i_table_iter_start(&j->its[i], &j->aggs[i]->t, j->delim, &j->errs[i]);
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

static int iters_start(struct s3i_table_iter *its, struct s3i_agg **aggs, size_t n, char delim,
                       s3inv_error *err)
{
	struct iters_job j = {its, aggs, n, delim, 0, NULL};
	int rc;
	if (n == 0)
		return 0;
	j.errs = s3i_calloc(n, sizeof *j.errs);
	if (!j.errs)
		return s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge: out of memory");
	rc = s3i_parallel((unsigned)n, iters_worker, &j);
	for (size_t i = 0; rc < 0 && i < n; i++)
		if (j.errs[i].code < 0) {
			s3i_err_set(err, j.errs[i].code, "%s", j.errs[i].msg);
			break;
		}
	if (rc < 0)
		s3i_err_set(err, rc, "aggregation: merge: cannot sort the prefix tables");
	s3i_free(j.errs);
	return rc;
}

int s3i_agg_merge(struct s3i_agg **aggs, size_t n, struct s3i_agg_shared *sh, s3i_prec_fn sink,
                  void *payload, s3inv_error *err)
{
	struct s3i_table_iter *its = NULL;
	struct s3i_run_reader **rd = NULL;
	struct s3i_msrc *src = NULL;
	void *dctx = NULL;
	size_t n_tables = 0, n_src = 0, n_rd = 0;
	uint64_t mem = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (aggs[i])
			TRY(flush(aggs[i], err));
	for (size_t i = 0; i < n; i++)
		if (aggs[i] && aggs[i]->t.n_nodes > 0)
			n_tables++;
	unsigned fanin = fanin_of(sh);
	size_t final_runs = fanin > n_tables + 1 ? fanin - n_tables : 1;
	if (sh->n_runs > 0) {
		dctx = s3i_run_dctx_new();
		if (!dctx)
			return s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge: out of memory");
	}
	/* intermediate passes, only while there are more runs than the final
	 * merge may open */
	while (sh->n_runs > final_runs) {
		if (cancelled(sh)) {
			rc = s3i_err_set(err, S3INV_ECANCELED, "aggregation: merge: cancelled");
			goto out;
		}
		size_t g = sh->n_runs - final_runs + 1;
		if (g > fanin)
			g = fanin;
		TRY(merge_pass(sh, g, dctx, err));
	}
	/* the final merge streams into the sink */
	its = s3i_calloc(n ? n : 1, sizeof *its);
	rd = s3i_calloc(sh->n_runs ? sh->n_runs : 1, sizeof *rd);
	src = s3i_calloc(n_tables + sh->n_runs + 1, sizeof *src);
	if (!its || !rd || !src) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge: out of memory");
		goto out;
	}
	mem = sh->n_runs * s3i_run_reader_mem();
	if (sh->budget && mem)
		s3i_budget_force(sh->budget, mem);
	TRY(iters_start(its, aggs, n, sh->delim, err));
	for (size_t i = 0; i < n; i++) {
		if (!aggs[i] || aggs[i]->t.n_nodes == 0)
			continue;
		src[n_src].next = table_src_next;
		src[n_src++].self = &its[i];
	}
	for (; n_rd < sh->n_runs; n_rd++) {
		TRY(s3i_run_reader_open(&rd[n_rd], sh->runs[n_rd], dctx, err));
		src[n_src].next = run_src_next;
		src[n_src++].self = rd[n_rd];
	}
	if (cancelled(sh)) {
		rc = s3i_err_set(err, S3INV_ECANCELED, "aggregation: merge: cancelled");
		goto out;
	}
	/* the tables' sorted walks run on threads of their own, ahead of the
	 * merge and the sink (agg/ahead.h) */
	if (sh->budget && n_tables) {
		s3i_budget_force(sh->budget, n_tables * s3i_ahead_mem());
		mem += n_tables * s3i_ahead_mem();
	}
	TRY(s3i_merge_run_ahead(src, n_src, n_tables, sink, payload, sh->cancel, err));
	for (size_t i = 0; i < n_rd; i++) {
		s3i_run_reader_close(rd[i]);
		rd[i] = NULL;
	}
	drop_runs(sh, n_rd);
	for (size_t i = 0; i < n; i++)
		if (aggs[i])
			s3i_table_reset(&aggs[i]->t);
out:
	for (size_t i = 0; its && i < n; i++)
		s3i_table_iter_end(&its[i]);
	for (size_t i = 0; rd && i < n_rd; i++)
		s3i_run_reader_close(rd[i]);
	if (sh->budget && mem)
		s3i_budget_release(sh->budget, mem);
	s3i_free(its);
	s3i_free(rd);
	s3i_free(src);
	s3i_run_dctx_free(dctx);
	return rc;
}
