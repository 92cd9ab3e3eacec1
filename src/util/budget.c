/* SPDX-License-Identifier: MIT */
/*
 * budget.c — the build's memory budget (see budget.h).
 */
#include "util/budget.h"

#include "s3inv.h"

static void note_peak(struct s3i_budget *b, uint64_t now)
{
	uint64_t p = atomic_load(&b->peak);
	while (now > p && !atomic_compare_exchange_weak(&b->peak, &p, now))
		;
}

void s3i_budget_init(struct s3i_budget *b, uint64_t limit, volatile int *cancel)
{
	b->limit = limit;
	atomic_init(&b->used, 0);
	atomic_init(&b->peak, 0);
	s3i_mutex_init(&b->lock);
	s3i_cond_init(&b->freed);
	b->cancel = cancel;
}

void s3i_budget_destroy(struct s3i_budget *b)
{
	s3i_cond_destroy(&b->freed);
	s3i_mutex_destroy(&b->lock);
}

bool s3i_budget_try_reserve(struct s3i_budget *b, uint64_t n)
{
	uint64_t u = atomic_load(&b->used);
	do {
		if (n > b->limit || u > b->limit - n)
			return false;
	} while (!atomic_compare_exchange_weak(&b->used, &u, u + n));
	note_peak(b, u + n);
	return true;
}

void s3i_budget_force(struct s3i_budget *b, uint64_t n)
{
	uint64_t now = atomic_fetch_add(&b->used, n) + n;
	note_peak(b, now);
}

int s3i_budget_reserve(struct s3i_budget *b, uint64_t n)
{
	if (s3i_budget_try_reserve(b, n))
		return 0;
	s3i_mutex_lock(&b->lock);
	for (;;) {
		if (b->cancel && *b->cancel) {
			s3i_mutex_unlock(&b->lock);
			return S3INV_ECANCELED;
		}
		if (s3i_budget_try_reserve(b, n))
			break;
		if (n > b->limit) {
			uint64_t zero = 0;
			if (atomic_compare_exchange_strong(&b->used, &zero, n)) {
				note_peak(b, n);
				break;
			}
		}
		s3i_cond_timedwait_ms(&b->freed, &b->lock, 100);
	}
	s3i_mutex_unlock(&b->lock);
	return 0;
}

void s3i_budget_release(struct s3i_budget *b, uint64_t n)
{
	atomic_fetch_sub(&b->used, n);
	s3i_mutex_lock(&b->lock);
	s3i_cond_broadcast(&b->freed);
	s3i_mutex_unlock(&b->lock);
}

uint64_t s3i_budget_available(const struct s3i_budget *b)
{
	uint64_t u = atomic_load(&((struct s3i_budget *)b)->used);
	return u >= b->limit ? 0 : b->limit - u;
}
