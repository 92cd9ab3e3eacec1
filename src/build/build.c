/* SPDX-License-Identifier: MIT */
/*
 * build.c — s3inv_build_run: the pipeline of architecture.md, end to end.
 *
 *   manifest (local or s3://) → workers, each taking one data file from
 *   bytes to aggregate (open → gunzip/CSV or Parquet → rows → its own
 *   prefix table) → merge of tables and spilled runs → index writer → MPHF
 *   → rename into place.
 *
 * The caller's thread coordinates: it reports progress, mirrors the user's
 * cancel flag into the internal `stop` flag every layer polls, and after
 * the scan drives the merge, whose sink is the index writer. The first
 * error of any worker wins and stops the others. On every failure path the
 * writer removes its temporary output and the aggregation its run files.
 */
#include <ctype.h>
#include <stdatomic.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg/agg.h"
#include "format/csv.h"
#include "format/parquet.h"
#include "index/writer.h"
#include "source/local.h"
#include "source/manifest.h"
#include "source/s3.h"
#include "util/alloc.h"
#include "util/budget.h"
#include "util/err.h"
#include "util/thread.h"

#define CLASS_CACHE 16
/* Parquet: a report with fewer than this many files per thread is split
 * into row-group ranges, about this many work items per thread */
#define PQ_SPLIT_FILES_PER_THREAD 4
#define PQ_ITEMS_PER_THREAD 4

struct build;

/* Parquet row-group parallelism: one unit of work, row groups
 * [first, first + count) of one file (count UINT32_MAX: the whole file) */
struct pq_item {
	size_t file;
	uint32_t first, count;
};

struct worker {
	struct build *b;
	struct s3i_agg *agg;
	s3inv_error err;
	uint64_t rows;
	/* class-key cache: avoids the registry's lock per row */
	struct {
		char cls[48], tier[48];
		size_t cls_len, tier_len;
		uint32_t id;
	} cache[CLASS_CACHE];
	unsigned n_cache, next_evict;
};

struct build {
	const s3inv_build_options *opts;
	struct s3i_manifest *m;
	struct s3i_s3 *s3;
	struct s3i_budget budget;
	struct s3i_classes classes;
	struct s3i_agg_shared sh;
	struct worker *w;
	unsigned nw;
	volatile int stop;
	_Atomic uint64_t next_file, files_done, bytes_done, rows;
	_Atomic unsigned active;
	_Atomic int failed;      /* first failing code, 0 if none */
	_Atomic bool pq_size, pq_versions, pq_dates; /* Parquet: some file had these columns */
	/* Parquet split into row-group ranges (NULL: one work item per file) */
	struct pq_item *items;
	size_t n_items;
	uint32_t *pq_groups;          /* per file: row groups in its footer */
	_Atomic uint32_t *items_left; /* per file: items not yet finished */
	_Atomic uint64_t next_plan;
	s3inv_error plan_err;         /* the first planning error */
	_Atomic int failed_worker;
	double t0;
	double last_progress;
	s3inv_progress prog;
};

static void report(struct build *b, s3inv_phase phase, bool force)
{
	double now = s3i_now();
	if (!b->opts->progress || (!force && now - b->last_progress < 0.1))
		return;
	b->last_progress = now;
	b->prog.phase = phase;
	b->prog.files_done = atomic_load(&b->files_done);
	b->prog.files_total = b->m ? b->m->n_files : 0;
	b->prog.bytes_done = atomic_load(&b->bytes_done);
	b->prog.bytes_total = b->m ? b->m->total_size : 0;
	b->prog.rows = atomic_load(&b->rows);
	b->prog.runs = b->sh.n_runs;
	b->prog.elapsed_s = now - b->t0;
	b->opts->progress(&b->prog, b->opts->progress_payload);
}

static bool user_cancelled(const struct build *b)
{
	return b->opts->cancel && *b->opts->cancel;
}

static int class_of(struct worker *w, const struct s3i_row *r, uint32_t *id)
{
	unsigned i;
	for (i = 0; i < w->n_cache; i++) {
		if (w->cache[i].cls_len == r->storage_class_len &&
		    w->cache[i].tier_len == r->tier_len &&
		    memcmp(w->cache[i].cls, r->storage_class, r->storage_class_len) == 0 &&
		    memcmp(w->cache[i].tier, r->tier, r->tier_len) == 0) {
			*id = w->cache[i].id;
			return 0;
		}
	}
	int rc = s3i_classes_id(&w->b->classes, id, r->storage_class, r->storage_class_len, r->tier,
	                        r->tier_len, &w->err);
	if (rc < 0)
		return rc;
	if (r->storage_class_len <= sizeof w->cache[0].cls && r->tier_len <= sizeof w->cache[0].tier) {
		i = w->n_cache < CLASS_CACHE ? w->n_cache++ : (w->next_evict++ % CLASS_CACHE);
		memcpy(w->cache[i].cls, r->storage_class, r->storage_class_len);
		memcpy(w->cache[i].tier, r->tier, r->tier_len);
		w->cache[i].cls_len = r->storage_class_len;
		w->cache[i].tier_len = r->tier_len;
		w->cache[i].id = *id;
	}
	return 0;
}

static int on_row(void *payload, const struct s3i_row *r)
{
	struct worker *w = payload;
	uint32_t cls;
	int rc = class_of(w, r, &cls);
	if (rc < 0)
		return rc;
	w->rows++;
	return s3i_agg_add(w->agg, r, cls, &w->err);
}

static int open_input(struct build *b, const struct s3i_manifest_file *f, struct s3i_input **in,
                      s3inv_error *err)
{
	const char *md5 = b->opts->verify_md5 ? f->md5 : NULL;
	if (s3i_is_s3_url(f->path))
		return s3i_s3_open(in, b->s3, f->path, f->size ? f->size : UINT64_MAX, md5, err);
	return s3i_local_open(in, f->path, md5, err);
}

/* Read IN to the end (a local Parquet file whose MD5 is to be checked:
 * the input verifies it when sequential reading reaches end of file). */
static int drain(struct s3i_input *in, s3inv_error *err)
{
	char buf[1 << 16];
	size_t n;
	int rc;
	do {
		rc = s3i_input_read(in, buf, sizeof buf, &n, err);
	} while (rc == 0 && n > 0);
	return rc;
}

/* floor(size * k / n) without overflow, for k <= n */
static uint64_t share(uint64_t size, uint64_t k, uint64_t n)
{
	return size / n * k + size % n * k / n;
}

/* Scan work item I: file I, or with row-group splitting items[I] (a range
 * of row groups of one Parquet file). The rows of an item go to this
 * worker's table only; the file's MD5 (local, verify on) is checked by the
 * item that starts at row group 0, the file counts as done with its last. */
static int scan_file(struct worker *w, size_t i)
{
	struct build *b = w->b;
	size_t fi = b->items ? b->items[i].file : i;
	const struct s3i_manifest_file *f = &b->m->files[fi];
	uint32_t first = b->items ? b->items[i].first : 0;
	uint32_t count = b->items ? b->items[i].count : UINT32_MAX;
	struct s3i_input *in = NULL;
	uint64_t rows0 = w->rows;
	bool file_done = true;
	int rc;

	rc = open_input(b, f, &in, &w->err);
	if (rc < 0)
		return rc;
	if (b->m->format == S3I_FMT_CSV) {
		rc = s3i_csv_read(in, &b->m->cols, on_row, w, &b->stop, &w->err);
	} else if (b->m->format == S3I_FMT_PARQUET) {
		struct s3i_columns cols = {0};
		if (b->opts->verify_md5 && f->md5[0] && !s3i_is_s3_url(f->path) && first == 0)
			rc = drain(in, &w->err); /* sequential reads check the MD5 at EOF */
		if (rc == 0)
			rc = s3i_parquet_read_groups(in, first, count, &cols, on_row, w, &b->stop,
			                             &w->err);
		if (cols.size)
			atomic_store(&b->pq_size, true);
		if (cols.is_latest || cols.is_delete_marker)
			atomic_store(&b->pq_versions, true);
		if (cols.last_modified)
			atomic_store(&b->pq_dates, true);
	} else
		rc = s3i_err_set(&w->err, S3INV_EFORMAT, "%s: %s inventories are not supported",
		                 b->m->path, b->m->format_name);
	s3i_input_close(in);
	atomic_fetch_add(&b->rows, w->rows - rows0);
	if (b->items) {
		/* bytes in proportion to the row groups read: the shares of a
		 * file's items telescope to exactly its size */
		uint64_t g = b->pq_groups[fi];
		uint64_t end = count > g - first ? g : first + count;
		file_done = atomic_fetch_sub(&b->items_left[fi], 1) == 1;
		atomic_fetch_add(&b->bytes_done, g == 0 ? f->size : share(f->size, end, g) -
		                                                        share(f->size, first, g));
	} else
		atomic_fetch_add(&b->bytes_done, f->size);
	if (file_done)
		atomic_fetch_add(&b->files_done, 1);
	return rc;
}

static int scan_worker(unsigned id, void *payload)
{
	struct build *b = payload;
	struct worker *w;
	int rc = 0;

	if (id == 0) {
		/* the coordinating thread: progress and cancellation */
		while (atomic_load(&b->active) > 0) {
			if (user_cancelled(b))
				b->stop = 1;
			report(b, S3INV_PHASE_SCAN, false);
			usleep(20000);
		}
		report(b, S3INV_PHASE_SCAN, true);
		return 0;
	}
	w = &b->w[id - 1];
	for (;;) {
		uint64_t i = atomic_fetch_add(&b->next_file, 1);
		if (i >= (b->items ? b->n_items : b->m->n_files) || b->stop)
			break;
		rc = scan_file(w, (size_t)i);
		if (rc < 0) {
			int expected = 0;
			if (rc != S3INV_ECANCELED &&
			    atomic_compare_exchange_strong(&b->failed, &expected, rc))
				atomic_store(&b->failed_worker, (int)id - 1);
			b->stop = 1;
			break;
		}
	}
	atomic_fetch_sub(&b->active, 1);
	return rc;
}

/* Parquet planning, on every thread: read each file's footer for its
 * number of row groups (and its columns). The first error wins. */
static int plan_worker(unsigned id, void *payload)
{
	struct build *b = payload;
	s3inv_error err;
	int rc = 0;
	(void)id;
	memset(&err, 0, sizeof err);
	for (;;) {
		uint64_t i = atomic_fetch_add(&b->next_plan, 1);
		struct s3i_parquet_info info;
		struct s3i_input *in = NULL;
		if (user_cancelled(b))
			b->stop = 1; /* no coordinating thread yet: poll here */
		if (i >= b->m->n_files || b->stop)
			break;
		const struct s3i_manifest_file *f = &b->m->files[i];
		if (s3i_is_s3_url(f->path))
			rc = s3i_s3_open(&in, b->s3, f->path, f->size ? f->size : UINT64_MAX, NULL, &err);
		else
			rc = s3i_local_open(&in, f->path, NULL, &err);
		if (rc == 0)
			rc = s3i_parquet_info(in, &info, &err);
		s3i_input_close(in);
		if (rc < 0) {
			int expected = 0;
			if (rc != S3INV_ECANCELED &&
			    atomic_compare_exchange_strong(&b->failed, &expected, rc))
				b->plan_err = err;
			b->stop = 1;
			break;
		}
		b->pq_groups[i] = info.num_row_groups;
		if (info.cols.size)
			atomic_store(&b->pq_size, true);
		if (info.cols.is_latest || info.cols.is_delete_marker)
			atomic_store(&b->pq_versions, true);
		if (info.cols.last_modified)
			atomic_store(&b->pq_dates, true);
	}
	return rc;
}

/* A Parquet report with few files for its threads: split the files into
 * ranges of row groups, about PQ_ITEMS_PER_THREAD per thread, so that one
 * big file still keeps every thread busy. Each item is read by one worker
 * (rows never cross threads); it re-reads its file's footer. Leaves
 * b->items NULL (one item per file) when there is no need. */
static int plan_row_groups(struct build *b, s3inv_error *err)
{
	size_t nf = b->m->n_files, i, k;
	uint64_t total = 0, target, chunk;
	int rc = 0;

	if (b->m->format != S3I_FMT_PARQUET || b->nw < 2 || nf == 0 ||
	    nf >= (size_t)b->nw * PQ_SPLIT_FILES_PER_THREAD)
		return 0;
	b->pq_groups = s3i_calloc(nf, sizeof *b->pq_groups);
	b->items_left = s3i_calloc(nf, sizeof *b->items_left);
	if (!b->pq_groups || !b->items_left)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	s3i_parallel(b->nw < nf ? b->nw : (unsigned)nf, plan_worker, b);
	if (atomic_load(&b->failed) < 0) {
		rc = atomic_load(&b->failed);
		if (err && err->code == 0)
			*err = b->plan_err;
		s3i_err_set(err, rc, "build failed");
		goto out;
	}
	if (b->stop || user_cancelled(b)) {
		rc = s3i_err_set(err, S3INV_ECANCELED, "cancelled");
		goto out;
	}
	for (i = 0; i < nf; i++)
		total += b->pq_groups[i];
	target = (uint64_t)b->nw * PQ_ITEMS_PER_THREAD;
	chunk = total / target + (total % target != 0);
	if (chunk == 0)
		chunk = 1;
	b->n_items = 0;
	for (i = 0; i < nf; i++)
		b->n_items += b->pq_groups[i] ? (b->pq_groups[i] + chunk - 1) / chunk : 1;
	b->items = s3i_calloc(b->n_items, sizeof *b->items);
	if (!b->items) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0, k = 0; i < nf; i++) {
		uint32_t g = b->pq_groups[i], first = 0;
		do {
			uint32_t n = g - first < chunk ? g - first : (uint32_t)chunk;
			b->items[k].file = i;
			b->items[k].first = first;
			b->items[k].count = g ? n : UINT32_MAX;
			atomic_fetch_add(&b->items_left[i], 1);
			k++;
			first += n;
		} while (first < g);
	}
out:
	return rc;
}

struct sink {
	struct build *b;
	struct s3i_writer *wr;
	s3inv_error *err;
	uint64_t objects, bytes;
};

static int on_prec(void *payload, const struct s3i_prec *p)
{
	struct sink *s = payload;
	uint64_t n = s3i_writer_count(s->wr);
	if (n == 0) {
		s->objects = p->objects;
		s->bytes = p->bytes;
	}
	if ((n & 0x3fff) == 0) {
		if (user_cancelled(s->b))
			s->b->stop = 1;
		if (s->b->stop)
			return s3i_err_set(s->err, S3INV_ECANCELED, "cancelled");
		s->b->prog.prefixes = n;
		report(s->b, S3INV_PHASE_WRITE, false);
	}
	return s3i_writer_add(s->wr, p, s->err);
}

static void dirname_of(char *dst, size_t cap, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dst, cap, ".");
	else if (slash == path)
		snprintf(dst, cap, "/");
	else
		snprintf(dst, cap, "%.*s", (int)(slash - path), path);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

static int load_manifest(struct build *b, const char *source, s3inv_error *err)
{
	const s3inv_build_options *o = b->opts;
	int rc;
	report(b, S3INV_PHASE_MANIFEST, true);
	if (s3i_is_s3_url(source)) {
		TRY(s3i_s3_new(&b->s3, o, &b->budget, &b->stop, err));
		TRY(s3i_manifest_load_s3(&b->m, b->s3, source, o->notice, o->progress_payload, err));
	} else {
		TRY(s3i_manifest_load_local(&b->m, source, o->notice, o->progress_payload, err));
	}
	if (b->m->format == S3I_FMT_ORC)
		rc = s3i_err_set(err, S3INV_EFORMAT, "%s: ORC inventories are not supported yet",
		                 b->m->path);
out:
	return rc;
}

/* Does a Parquet fileSchema text ("message s3.inventory { ... optional
 * int64 size; ... }") declare a field NAME? Case-insensitive, whole word. */
static bool schema_has(const char *schema, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = schema; p && *p; p++) {
		if (strncasecmp(p, name, n) == 0 &&
		    (p == schema || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
			return true;
	}
	return false;
}

/* Parquet: the files' own schemas are authoritative; say so when the
 * manifest's fileSchema disagrees about a column the index uses. */
static void cross_check_schema(struct build *b)
{
	const char *fs = b->m->file_schema;
	char line[256];
	bool size = atomic_load(&b->pq_size), vers = atomic_load(&b->pq_versions);
	if (!fs || !*fs || !b->opts->notice)
		return;
	if (schema_has(fs, "size") != size) {
		snprintf(line, sizeof line,
		         "%s: fileSchema %s a size column but the data files %s; using the files' schema",
		         b->m->path, size ? "lacks" : "declares", size ? "have one" : "do not");
		b->opts->notice(line, b->opts->progress_payload);
	}
	if ((schema_has(fs, "is_latest") || schema_has(fs, "is_delete_marker")) != vers) {
		snprintf(line, sizeof line,
		         "%s: fileSchema and the data files disagree on version columns; using the files' schema",
		         b->m->path);
		b->opts->notice(line, b->opts->progress_payload);
	}
}

static int write_index(struct build *b, const char *out_path, const char *tmp_dir,
                       s3inv_build_summary *sum, s3inv_error *err)
{
	const s3inv_build_options *o = b->opts;
	struct s3i_writer_meta meta;
	struct s3i_writer *wr = NULL;
	struct s3i_agg **aggs = NULL;
	char **names = NULL, ***order = NULL, opts_txt[256];
	uint32_t *map = NULL, i, nc = b->classes.n;
	struct sink sk = {b, NULL, err, 0, 0};
	int rc = 0;

	names = s3i_calloc(nc + 1, sizeof *names);
	order = s3i_calloc(nc + 1, sizeof *order);
	map = s3i_calloc(nc + 1, sizeof *map);
	aggs = s3i_calloc(b->nw, sizeof *aggs);
	if (!names || !order || !map || !aggs) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nc; i++)
		order[i] = &b->classes.names[i];
	qsort(order, nc, sizeof *order, cmp_names);
	for (i = 0; i < nc; i++) {
		names[i] = *order[i];
		map[order[i] - b->classes.names] = i;
	}
	snprintf(opts_txt, sizeof opts_txt, "threads=%u mem_budget=%llu max_depth=%d delimiter=%c verify_md5=%s",
	         b->nw, (unsigned long long)b->budget.limit, o->max_depth, o->delimiter,
	         o->verify_md5 ? "yes" : "no");
	memset(&meta, 0, sizeof meta);
	meta.source_bucket = b->m->source_bucket;
	meta.dest_bucket = b->m->dest_bucket;
	meta.manifest = b->m->path;
	meta.file_format = b->m->format_name;
	meta.creation_ms = b->m->creation_ms;
	meta.rows = atomic_load(&b->rows);
	meta.delim = o->delimiter;
	meta.max_depth = o->max_depth;
	if (b->m->format == S3I_FMT_CSV) {
		meta.has_size = b->m->cols.size >= 0;
		meta.has_versions = b->m->cols.is_latest >= 0 || b->m->cols.is_delete_marker >= 0;
		meta.has_age = b->sh.age;
		meta.has_small = b->sh.small;
	} else {
		meta.has_size = atomic_load(&b->pq_size);
		meta.has_versions = atomic_load(&b->pq_versions);
		meta.has_age = b->sh.age && atomic_load(&b->pq_dates);
		meta.has_small = atomic_load(&b->pq_size);
		cross_check_schema(b);
	}
	meta.class_names = (const char *const *)names;
	meta.n_classes = nc;
	meta.class_map = map;
	meta.class_map_len = nc;
	meta.options = opts_txt;
	meta.cancel = &b->stop;
	TRY(s3i_writer_open(&wr, out_path, tmp_dir, &meta, &b->budget, err));
	sk.wr = wr;
	for (i = 0; i < b->nw; i++)
		aggs[i] = b->w[i].agg;
	report(b, S3INV_PHASE_MERGE, true);
	TRY(s3i_agg_merge(aggs, b->nw, &b->sh, on_prec, &sk, err));
	/* the tables are consumed: give their memory back before hashing */
	for (i = 0; i < b->nw; i++) {
		s3i_agg_free(b->w[i].agg);
		b->w[i].agg = NULL;
	}
	b->prog.prefixes = s3i_writer_count(wr);
	report(b, S3INV_PHASE_HASH, true);
	TRY(s3i_writer_finish(wr, b->nw, &sum->index_bytes, err));
	sum->prefixes = s3i_writer_count(wr);
	sum->objects = sk.objects;
	sum->bytes = sk.bytes;
out:
	s3i_writer_free(wr);
	s3i_free(names);
	s3i_free(order);
	s3i_free(map);
	s3i_free(aggs);
	return rc;
}

int s3inv_build_run(s3inv_build_summary *summary, const char *source, const char *out_path,
                    const s3inv_build_options *opts, s3inv_error *err)
{
	s3inv_build_options defaults = S3INV_BUILD_OPTIONS_INIT;
	s3inv_build_summary local_sum;
	struct build *b;
	char tmp_dir[4096];
	unsigned i;
	int rc = 0;

	if (!opts)
		opts = &defaults;
	if (!summary)
		summary = &local_sum;
	memset(summary, 0, sizeof *summary);
	if (!source || !out_path || !*out_path)
		return s3i_err_set(err, S3INV_EINVAL, "build: a source and an output path are required");
	if (opts->delimiter == '\0')
		return s3i_err_set(err, S3INV_EINVAL, "build: the delimiter cannot be NUL");
	b = s3i_calloc(1, sizeof *b);
	if (!b)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	b->opts = opts;
	b->t0 = s3i_now();
	b->nw = opts->threads ? opts->threads : s3i_ncpu();
	if (b->nw > 256)
		b->nw = 256;
	s3i_budget_init(&b->budget,
	                opts->mem_budget ? opts->mem_budget
	                                 : (s3i_physmem() ? s3i_physmem() / 4 : (1ULL << 30)),
	                &b->stop);
	s3i_classes_init(&b->classes);
	s3i_agg_shared_init(&b->sh);
	if (opts->tmp_dir && *opts->tmp_dir)
		snprintf(tmp_dir, sizeof tmp_dir, "%s", opts->tmp_dir);
	else
		dirname_of(tmp_dir, sizeof tmp_dir, out_path);
	if (access(tmp_dir, W_OK) != 0) {
		rc = s3i_err_set(err, S3INV_EIO, "%s: temporary directory is not writable", tmp_dir);
		goto out;
	}
	b->sh.budget = &b->budget;
	b->sh.classes = &b->classes;
	b->sh.tmp_dir = tmp_dir;
	b->sh.delim = opts->delimiter;
	b->sh.max_depth = opts->max_depth;
	b->sh.cancel = &b->stop;

	TRY(load_manifest(b, source, err));
	snprintf(summary->manifest_path, sizeof summary->manifest_path, "%s", b->m->path);
	TRY(plan_row_groups(b, err));
	/* age buckets need the report's date and a LastModifiedDate column, the
	 * small-object counts a Size column (Parquet: known from the files'
	 * schemas once planned or read; a report without them only pays for
	 * the "unknown" bucket) */
	b->sh.report_ms = b->m->creation_ms;
	if (b->m->format == S3I_FMT_CSV) {
		b->sh.age = b->m->creation_ms > 0 && b->m->cols.last_modified >= 0;
		b->sh.small = b->m->cols.size >= 0;
	} else {
		b->sh.age = b->m->creation_ms > 0;
		b->sh.small = true;
	}
	if (b->items && b->nw > b->n_items)
		b->nw = (unsigned)b->n_items;
	else if (!b->items && b->nw > b->m->n_files && b->m->n_files > 0)
		b->nw = (unsigned)b->m->n_files;
	/* each worker's table gets a fair share of the budget (3/4 of it for
	 * tables, the rest for buffers): a worker whose table is empty can then
	 * always make progress, and no worker waits on memory another one holds
	 * while idle */
	b->sh.spill_limit = b->budget.limit / 4 * 3 / b->nw;
	b->w = s3i_calloc(b->nw, sizeof *b->w);
	if (!b->w) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < b->nw; i++) {
		b->w[i].b = b;
		TRY(s3i_agg_new(&b->w[i].agg, &b->sh, err));
	}
	atomic_store(&b->active, b->nw);
	s3i_parallel(b->nw + 1, scan_worker, b);
	if (atomic_load(&b->failed) < 0) {
		rc = atomic_load(&b->failed);
		if (err && err->code == 0)
			*err = b->w[atomic_load(&b->failed_worker)].err;
		s3i_err_set(err, rc, "build failed");
		goto out;
	}
	if (user_cancelled(b)) {
		rc = s3i_err_set(err, S3INV_ECANCELED, "cancelled");
		goto out;
	}
	summary->rows = atomic_load(&b->rows);
	TRY(write_index(b, out_path, tmp_dir, summary, err));
	report(b, S3INV_PHASE_DONE, true);
out:
	if (rc < 0 && rc != S3INV_ECANCELED && user_cancelled(b) && err) {
		/* Ctrl-C surfaces as whatever layer noticed it first: say so plainly */
		s3i_err_clear(err);
		rc = s3i_err_set(err, S3INV_ECANCELED, "cancelled");
	}
	summary->runs = b->sh.run_seq;
	summary->merge_passes = b->sh.merge_passes;
	if (b->w) {
		for (i = 0; i < b->nw; i++)
			s3i_agg_free(b->w[i].agg);
		s3i_free(b->w);
	}
	s3i_free(b->items);
	s3i_free(b->pq_groups);
	s3i_free((void *)b->items_left);
	s3i_agg_shared_cleanup(&b->sh);
	s3i_classes_free(&b->classes);
	s3i_manifest_free(b->m);
	s3i_s3_free(b->s3);
	summary->peak_reserved = atomic_load(&b->budget.peak);
	summary->peak_rss = s3i_peak_rss();
	summary->wall_s = s3i_now() - b->t0;
	s3i_budget_destroy(&b->budget);
	s3i_free(b);
	return rc;
}
