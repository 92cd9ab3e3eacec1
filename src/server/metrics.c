/* SPDX-License-Identifier: MIT */
/*
 * metrics.c — the counters of metrics.h and their Prometheus rendering.
 *
 * Metric names (docs/http-api.md):
 *   s3inv_http_requests_total{endpoint,code}      counter
 *   s3inv_http_request_duration_seconds{endpoint} histogram (le buckets)
 *   s3inv_indexes_served                           gauge
 *   s3inv_index_handles_open                       gauge (retired ones in use too)
 *   s3inv_index_reloads_total, s3inv_index_open_failures_total  counters
 *   s3inv_uptime_seconds                           gauge
 * Status codes outside the fixed set are counted under code="other".
 */
#include "metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const unsigned codes[S3I_METRICS_NSTATUS - 1] = {200, 204, 304, 400, 401, 404,
                                                        405, 413, 414, 500, 503};
static const double bounds[S3I_METRICS_NBUCKETS - 1] = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
    0.01,    0.025,  0.05,    0.1,    0.25,  1.0};

double s3i_metrics_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void s3i_metrics_init(struct s3i_metrics *m, const char *const *names, size_t n)
{
	memset(m, 0, sizeof *m);
	if (n > S3I_METRICS_MAX_EP)
		n = S3I_METRICS_MAX_EP;
	for (size_t i = 0; i < n; i++)
		m->names[i] = names[i];
	m->n = n;
	for (size_t i = 0; i < S3I_METRICS_MAX_EP; i++) {
		for (size_t k = 0; k < S3I_METRICS_NSTATUS; k++)
			atomic_init(&m->ep[i].by_status[k], 0);
		for (size_t k = 0; k < S3I_METRICS_NBUCKETS; k++)
			atomic_init(&m->ep[i].bucket[k], 0);
		atomic_init(&m->ep[i].sum_us, 0);
	}
	m->started = s3i_metrics_now();
}

void s3i_metrics_record(struct s3i_metrics *m, size_t ep, unsigned status, double seconds)
{
	struct s3i_metrics_ep *e;
	size_t k = S3I_METRICS_NSTATUS - 1, b = S3I_METRICS_NBUCKETS - 1;
	if (ep >= m->n)
		return;
	e = &m->ep[ep];
	for (size_t i = 0; i < S3I_METRICS_NSTATUS - 1; i++)
		if (codes[i] == status) {
			k = i;
			break;
		}
	for (size_t i = 0; i < S3I_METRICS_NBUCKETS - 1; i++)
		if (seconds <= bounds[i]) {
			b = i;
			break;
		}
	if (seconds < 0)
		seconds = 0;
	atomic_fetch_add_explicit(&e->by_status[k], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->sum_us, (uint_fast64_t)(seconds * 1e6 + 0.5),
	                          memory_order_relaxed);
}

static void put(struct s3i_json *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Append formatted text (at most 1 KiB per call). */
static void put(struct s3i_json *o, const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n > 0)
		s3i_json_raw(o, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

void s3i_metrics_render(struct s3i_json *o, struct s3i_metrics *m, struct s3i_indexset *s)
{
	struct s3i_indexset_counts c;
	put(o, "# HELP s3inv_http_requests_total HTTP requests answered, by endpoint and status.\n"
	       "# TYPE s3inv_http_requests_total counter\n");
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < S3I_METRICS_NSTATUS; k++) {
			uint64_t v = atomic_load_explicit(&m->ep[i].by_status[k], memory_order_relaxed);
			if (v == 0)
				continue;
			if (k < S3I_METRICS_NSTATUS - 1)
				put(o, "s3inv_http_requests_total{endpoint=\"%s\",code=\"%u\"} %" PRIu64 "\n",
				    m->names[i], codes[k], v);
			else
				put(o, "s3inv_http_requests_total{endpoint=\"%s\",code=\"other\"} %" PRIu64
				       "\n",
				    m->names[i], v);
		}
	}
	put(o, "# HELP s3inv_http_request_duration_seconds Time from request line to response "
	       "sent.\n"
	       "# TYPE s3inv_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->n; i++) {
		uint64_t cum = 0;
		for (size_t b = 0; b < S3I_METRICS_NBUCKETS; b++) {
			cum += atomic_load_explicit(&m->ep[i].bucket[b], memory_order_relaxed);
			if (b < S3I_METRICS_NBUCKETS - 1)
				put(o,
				    "s3inv_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} "
				    "%" PRIu64 "\n",
				    m->names[i], bounds[b], cum);
			else
				put(o,
				    "s3inv_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} "
				    "%" PRIu64 "\n",
				    m->names[i], cum);
		}
		put(o, "s3inv_http_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n", m->names[i],
		    (double)atomic_load_explicit(&m->ep[i].sum_us, memory_order_relaxed) * 1e-6);
		put(o, "s3inv_http_request_duration_seconds_count{endpoint=\"%s\"} %" PRIu64 "\n",
		    m->names[i], cum);
	}
	s3i_indexset_counts(s, &c);
	put(o,
	    "# HELP s3inv_indexes_served Indexes in the served set.\n"
	    "# TYPE s3inv_indexes_served gauge\n"
	    "s3inv_indexes_served %" PRIu64 "\n"
	    "# HELP s3inv_index_handles_open Open index handles, including replaced ones still in "
	    "use.\n"
	    "# TYPE s3inv_index_handles_open gauge\n"
	    "s3inv_index_handles_open %" PRIu64 "\n",
	    c.served, c.open);
	put(o,
	    "# HELP s3inv_index_reloads_total Index files re-opened after they were replaced.\n"
	    "# TYPE s3inv_index_reloads_total counter\n"
	    "s3inv_index_reloads_total %" PRIu64 "\n"
	    "# HELP s3inv_index_open_failures_total Index files that could not be opened.\n"
	    "# TYPE s3inv_index_open_failures_total counter\n"
	    "s3inv_index_open_failures_total %" PRIu64 "\n",
	    c.reloads, c.failures);
	put(o,
	    "# HELP s3inv_uptime_seconds Seconds since the server started.\n"
	    "# TYPE s3inv_uptime_seconds gauge\n"
	    "s3inv_uptime_seconds %.3f\n",
	    s3i_metrics_now() - m->started);
}
