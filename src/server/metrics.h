/* SPDX-License-Identifier: MIT */
/*
 * metrics.h — request counters and latency histograms of the server, shown
 * at /metrics in the Prometheus text format (version 0.0.4).
 *
 * Each endpoint has a slot (a route number, plus "static" and "other");
 * per slot we count requests by status class of a fixed set of codes and
 * keep a cumulative latency histogram. Everything is a relaxed atomic
 * counter, so recording costs a few uncontended increments and needs no
 * lock; a scrape reads counters that may be a request apart from each
 * other, which Prometheus tolerates.
 */
#ifndef S3I_SERVER_METRICS_H
#define S3I_SERVER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "indexset.h"
#include "json.h"

#define S3I_METRICS_MAX_EP 32
#define S3I_METRICS_NSTATUS 12
#define S3I_METRICS_NBUCKETS 14

struct s3i_metrics_ep {
	atomic_uint_fast64_t by_status[S3I_METRICS_NSTATUS];
	atomic_uint_fast64_t bucket[S3I_METRICS_NBUCKETS]; /* not cumulative */
	atomic_uint_fast64_t sum_us;
};

struct s3i_metrics {
	const char *names[S3I_METRICS_MAX_EP]; /* endpoint label of each slot */
	size_t n;
	struct s3i_metrics_ep ep[S3I_METRICS_MAX_EP];
	double started;                        /* s3i_metrics_now() at start */
};

/** Zero M and name its slots (NAMES[0..N-1], static strings; N <= MAX). */
void s3i_metrics_init(struct s3i_metrics *m, const char *const *names, size_t n);

/** Record one request of slot EP answered with STATUS after SECONDS. */
void s3i_metrics_record(struct s3i_metrics *m, size_t ep, unsigned status, double seconds);

/** Append the Prometheus text of M and of the index set S to OUT (the JSON
 *  writer used as a byte buffer). */
void s3i_metrics_render(struct s3i_json *out, struct s3i_metrics *m, struct s3i_indexset *s);

/** Monotonic clock in seconds. */
double s3i_metrics_now(void);

#endif
