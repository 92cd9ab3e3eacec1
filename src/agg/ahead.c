/* SPDX-License-Identifier: MIT */
/*
 * ahead.c — read-ahead sources for the final merge (see ahead.h).
 *
 * A read-ahead source owns a ring of NBUF chunks. Its producer thread
 * serializes precs into the chunk at `tail` (header, class entries,
 * prefix bytes, 8-byte aligned) and publishes it when the next record does
 * not fit or the source ends; the merging thread parses the chunk at
 * `head` in place (a prec it returns points into the chunk, which stays
 * unreleased until the following call) and hands it back. One mutex and
 * one condition variable per source; a chunk holds hundreds of prefixes,
 * so they are taken a few times per thousand prefixes.
 *
 * Threads: s3i_parallel runs the merge as worker 0 and producer k as worker
 * k + 1. A producer claims its source first; if the merge needs a source
 * nobody claimed within CLAIM_MS (its thread could not be started), it
 * claims it itself and reads it inline, so a missing thread costs speed,
 * never correctness. On any error or at the end the merge sets `stop`,
 * which ends producers waiting for room.
 */
#include "agg/ahead.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/thread.h"

#define NBUF 4
#define CHUNK ((size_t)256 << 10) /* > the largest record: 64 KiB prefix + 3072 classes */
#define CLAIM_MS 200

enum { FREE, FULL };

struct rec_head {
	uint64_t objects, bytes, nc_objects, nc_bytes, delete_markers;
	uint32_t len, n_classes;
};

struct ahead {
	struct s3i_msrc inner;
	s3i_mutex m;
	s3i_cond c;
	unsigned char *buf[NBUF];
	size_t fill[NBUF];
	int state[NBUF];
	unsigned head, tail; /* chunk being read / being written */
	bool done, stop;     /* producer finished (rc, err) / merge finished */
	int rc;
	s3inv_error err;
	atomic_int claim; /* 0 nobody, 1 its thread, 2 the merge (inline) */
	/* the merge's side */
	bool holding; /* a FULL chunk at head is being read */
	size_t rpos;
	struct s3i_prec out;
};

struct job {
	struct ahead *a;
	size_t n_ahead;
	struct s3i_msrc *srcs, *wrapped;
	size_t n;
	s3i_prec_fn sink;
	void *payload;
	volatile int *cancel;
	s3inv_error *err;
};

uint64_t s3i_ahead_mem(void)
{
	return (uint64_t)NBUF * CHUNK + sizeof(struct ahead);
}

static size_t rec_size(const struct s3i_prec *p)
{
	return sizeof(struct rec_head) + (size_t)p->n_classes * sizeof(struct s3i_cstat) +
	       ((p->len + 7) & ~(size_t)7);
}

/* Publish the chunk at tail (if it holds anything) and wait for the next
 * one to be free. @return false when the merge stopped. */
static bool publish(struct ahead *a, bool last)
{
	s3i_mutex_lock(&a->m);
	if (a->fill[a->tail]) {
		a->state[a->tail] = FULL;
		a->tail = (a->tail + 1) % NBUF;
	}
	if (last)
		a->done = true;
	s3i_cond_broadcast(&a->c);
	while (!last && !a->stop && a->state[a->tail] != FREE)
		s3i_cond_wait(&a->c, &a->m);
	bool ok = !a->stop;
	if (ok && !last)
		a->fill[a->tail] = 0;
	s3i_mutex_unlock(&a->m);
	return ok;
}

static void produce(struct ahead *a)
{
	a->fill[a->tail] = 0;
	for (;;) {
		const struct s3i_prec *p;
		s3inv_error e = {0};
		int r = a->inner.next(a->inner.self, &p, &e);
		if (r <= 0) {
			s3i_mutex_lock(&a->m);
			a->rc = r;
			if (r < 0)
				a->err = e;
			s3i_mutex_unlock(&a->m);
			publish(a, true);
			return;
		}
		size_t need = rec_size(p);
		if (need > CHUNK) {
			s3i_mutex_lock(&a->m);
			a->rc = s3i_err_set(&a->err, S3INV_EINVAL, "aggregation: merge: prefix record too large");
			s3i_mutex_unlock(&a->m);
			publish(a, true);
			return;
		}
		if (CHUNK - a->fill[a->tail] < need && !publish(a, false))
			return;
		unsigned char *w = a->buf[a->tail] + a->fill[a->tail];
		struct rec_head h = {p->objects, p->bytes, p->nc_objects, p->nc_bytes,
		                     p->delete_markers, (uint32_t)p->len, p->n_classes};
		memcpy(w, &h, sizeof h);
		w += sizeof h;
		if (p->n_classes)
			memcpy(w, p->classes, (size_t)p->n_classes * sizeof *p->classes);
		w += (size_t)p->n_classes * sizeof *p->classes;
		if (p->len)
			memcpy(w, p->prefix, p->len);
		a->fill[a->tail] += need;
	}
}

/* The merge's next(): the next record of the chunk at head. */
static int ahead_next(void *self, const struct s3i_prec **out, s3inv_error *err)
{
	struct ahead *a = self;
	int expect = 0;
	if (atomic_load(&a->claim) == 0) {
		s3i_mutex_lock(&a->m);
		for (int i = 0; i < CLAIM_MS / 10 && atomic_load(&a->claim) == 0; i++)
			s3i_cond_timedwait_ms(&a->c, &a->m, 10);
		s3i_mutex_unlock(&a->m);
		atomic_compare_exchange_strong(&a->claim, &expect, 2);
	}
	if (atomic_load(&a->claim) == 2)
		return a->inner.next(a->inner.self, out, err);
	s3i_mutex_lock(&a->m);
	if (a->holding && a->rpos >= a->fill[a->head]) {
		/* hand the finished chunk back */
		a->state[a->head] = FREE;
		a->head = (a->head + 1) % NBUF;
		a->holding = false;
		s3i_cond_broadcast(&a->c);
	}
	if (!a->holding) {
		while (a->state[a->head] != FULL && !a->done)
			s3i_cond_wait(&a->c, &a->m);
		if (a->state[a->head] != FULL) { /* done, and every chunk read */
			int rc = a->rc;
			if (rc < 0)
				s3i_err_set(err, rc, "%s", a->err.msg);
			s3i_mutex_unlock(&a->m);
			return rc;
		}
		a->holding = true;
		a->rpos = 0;
	}
	s3i_mutex_unlock(&a->m);
	const unsigned char *r = a->buf[a->head] + a->rpos;
	struct rec_head h;
	memcpy(&h, r, sizeof h);
	a->out.objects = h.objects;
	a->out.bytes = h.bytes;
	a->out.nc_objects = h.nc_objects;
	a->out.nc_bytes = h.nc_bytes;
	a->out.delete_markers = h.delete_markers;
	a->out.n_classes = h.n_classes;
	a->out.len = h.len;
	a->out.classes = (const struct s3i_cstat *)(const void *)(r + sizeof h);
	a->out.prefix = (const char *)(r + sizeof h + (size_t)h.n_classes * sizeof(struct s3i_cstat));
	a->rpos += sizeof h + (size_t)h.n_classes * sizeof(struct s3i_cstat) +
	           (((size_t)h.len + 7) & ~(size_t)7);
	*out = &a->out;
	return 1;
}

static int job_worker(unsigned w, void *payload)
{
	struct job *j = payload;
	if (w > 0) {
		struct ahead *a = &j->a[w - 1];
		int expect = 0;
		if (w - 1 < j->n_ahead && atomic_compare_exchange_strong(&a->claim, &expect, 1))
			produce(a);
		return 0;
	}
	int rc = s3i_merge_run(j->wrapped, j->n, j->sink, j->payload, j->cancel, j->err);
	for (size_t i = 0; i < j->n_ahead; i++) {
		struct ahead *a = &j->a[i];
		int expect = 0;
		atomic_compare_exchange_strong(&a->claim, &expect, 2); /* a thread that never ran */
		s3i_mutex_lock(&a->m);
		a->stop = true;
		s3i_cond_broadcast(&a->c);
		s3i_mutex_unlock(&a->m);
	}
	return rc;
}

int s3i_merge_run_ahead(struct s3i_msrc *srcs, size_t n, size_t n_ahead, s3i_prec_fn sink,
                        void *payload, volatile int *cancel, s3inv_error *err)
{
	struct job j = {NULL, n_ahead, srcs, NULL, n, sink, payload, cancel, err};
	int rc = 0;
	size_t i, k, n_init = 0;
	if (n_ahead > n)
		n_ahead = j.n_ahead = n;
	if (n_ahead == 0)
		return s3i_merge_run(srcs, n, sink, payload, cancel, err);
	j.a = s3i_calloc(n_ahead, sizeof *j.a);
	j.wrapped = s3i_malloc(n * sizeof *j.wrapped);
	if (!j.a || !j.wrapped) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge: out of memory");
		goto out;
	}
	for (i = 0; i < n_ahead; i++) {
		struct ahead *a = &j.a[i];
		a->inner = srcs[i];
		for (k = 0; k < NBUF; k++)
			if (!(a->buf[k] = s3i_malloc(CHUNK))) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "aggregation: merge: out of memory");
				goto out;
			}
		s3i_mutex_init(&a->m);
		s3i_cond_init(&a->c);
		atomic_init(&a->claim, 0);
		n_init++;
		j.wrapped[i] = (struct s3i_msrc){ahead_next, a};
	}
	for (; i < n; i++)
		j.wrapped[i] = srcs[i];
	rc = s3i_parallel((unsigned)(n_ahead + 1), job_worker, &j);
out:
	for (i = 0; i < n_init; i++) {
		s3i_mutex_destroy(&j.a[i].m);
		s3i_cond_destroy(&j.a[i].c);
	}
	for (i = 0; j.a && i < n_ahead; i++)
		for (k = 0; k < NBUF; k++)
			s3i_free(j.a[i].buf[k]);
	s3i_free(j.a);
	s3i_free(j.wrapped);
	return rc;
}
