/* SPDX-License-Identifier: MIT */
/*
 * budget.h — one memory budget per build, honestly accounted.
 *
 * Every stage reserves what it really holds (download and decode buffers,
 * aggregation tables, merge buffers, hash arrays) and releases it when done.
 * try_reserve never blocks: a table that cannot grow spills instead. reserve
 * blocks (backpressure) until enough is released or the build is cancelled.
 * Thread-safe: atomics plus one mutex/condition for waiters.
 */
#ifndef S3I_BUDGET_H
#define S3I_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/thread.h"

struct s3i_budget {
	uint64_t limit;
	_Atomic uint64_t used;
	_Atomic uint64_t peak;
	s3i_mutex lock;
	s3i_cond freed;
	volatile int *cancel;
};

void s3i_budget_init(struct s3i_budget *b, uint64_t limit, volatile int *cancel);
void s3i_budget_destroy(struct s3i_budget *b);

/** Reserve N bytes if they fit. @return true when reserved. */
bool s3i_budget_try_reserve(struct s3i_budget *b, uint64_t n);

/** Reserve N bytes, waiting for releases; N larger than the whole limit is
 *  granted once nothing else is reserved (so one oversized need cannot
 *  deadlock). @return 0, or S3INV_ECANCELED. */
int s3i_budget_reserve(struct s3i_budget *b, uint64_t n);

/** Reserve N bytes unconditionally (may exceed the limit; counted in peak). */
void s3i_budget_force(struct s3i_budget *b, uint64_t n);

void s3i_budget_release(struct s3i_budget *b, uint64_t n);

uint64_t s3i_budget_available(const struct s3i_budget *b);

#endif
