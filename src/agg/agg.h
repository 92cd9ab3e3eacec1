/* SPDX-License-Identifier: MIT */
/*
 * agg.h — aggregation: rows → per-worker prefix tables → (spill runs) →
 * one sorted, unique stream of prefixes with summed statistics.
 *
 * Each worker owns one s3i_agg (rows never cross threads). A table is keyed
 * by (parent id, component), stores each component once in an arena, and
 * keeps per-class statistics sparse. Its memory is reserved from the shared
 * budget; when the budget refuses, the table is written out as a sorted run
 * (front-coded, zstd-compressed blocks) under tmp_dir and reset.
 * s3i_agg_merge then merges every table still in memory and every run with
 * a loser tree whose fan-in comes from the budget (extra passes write
 * intermediate runs only when there are more runs than the fan-in), and the
 * last merge streams straight into the sink: there is never a final merged
 * file, and no run at all when everything fits.
 */
#ifndef S3I_AGG_H
#define S3I_AGG_H

#include <stdint.h>

#include "agg/classes.h"
#include "agg/prec.h"
#include "format/row.h"
#include "util/budget.h"
#include "util/thread.h"

/** State shared by the workers of one build (thread-safe parts guarded). */
struct s3i_agg_shared {
	struct s3i_budget *budget;
	struct s3i_classes *classes;
	const char *tmp_dir;    /* run files go here */
	char delim;
	int max_depth;          /* -1 = unlimited */
	volatile int *cancel;
	unsigned max_fanin;     /* 0 = from the budget; tests force 2 or 3 */
	uint64_t spill_limit;   /* 0 = spill only when the budget refuses; tests
	                         * set a small per-table limit to force many runs */
	bool age;               /* count age buckets (prec.h S3I_CLS_AGE0) */
	bool small;             /* count objects below S3INV_SMALL_OBJECT per class */
	int64_t report_ms;      /* the report's date, for the age buckets */
	/* filled by the aggregators (guarded by lock) */
	s3i_mutex lock;
	char **runs;            /* paths of run files written */
	size_t n_runs, cap_runs;
	uint64_t run_bytes;     /* total bytes of run files written */
	unsigned merge_passes;  /* intermediate passes done by s3i_agg_merge */
	unsigned long run_seq;  /* for unique run names */
};

void s3i_agg_shared_init(struct s3i_agg_shared *sh);
/** Remove every run file still listed and free the list. */
void s3i_agg_shared_cleanup(struct s3i_agg_shared *sh);

struct s3i_agg;

int s3i_agg_new(struct s3i_agg **out, struct s3i_agg_shared *sh, s3inv_error *err);
void s3i_agg_free(struct s3i_agg *a);

/** Count ROW (class already resolved to CLS) in every prefix of its key:
 *  current versions that are not delete markers add to objects/bytes and
 *  the class; non-current versions to nc_objects/nc_bytes; delete markers
 *  to delete_markers. Spills when the budget says so.
 *  @return 0, S3INV_EIO (spill failed), S3INV_ENOMEM (cannot even spill). */
int s3i_agg_add(struct s3i_agg *a, const struct s3i_row *row, uint32_t cls, s3inv_error *err);

/** Age bucket of an object modified at MODIFIED_MS (INT64_MIN = unknown)
 *  in a report of REPORT_MS: 0..S3INV_AGE_BUCKETS-1 by whole days of age
 *  (a date after the report is age 0), S3I_AGE_UNKNOWN when unknown. */
uint32_t s3i_age_bucket(int64_t report_ms, int64_t modified_ms);

/** Merge the tables of AGGS (N of them, each still holding what it did not
 *  spill) and every run listed in SH into SINK, in prefix order, each prefix
 *  once. Run files are removed as they are consumed.
 *  @return 0, SINK's code, S3INV_EIO, S3INV_ECANCELED. */
int s3i_agg_merge(struct s3i_agg **aggs, size_t n, struct s3i_agg_shared *sh, s3i_prec_fn sink,
                  void *payload, s3inv_error *err);

#endif
