/* SPDX-License-Identifier: MIT */
/*
 * arena.c — chunked bump allocator (see arena.h).
 */
#include "util/arena.h"

#include "util/alloc.h"
#include "util/budget.h"

struct s3i_arena_chunk {
	struct s3i_arena_chunk *next;
	size_t size;
	/* data follows */
};

void s3i_arena_init(struct s3i_arena *a, size_t chunk_size, struct s3i_budget *budget)
{
	a->head = NULL;
	a->cur = a->end = NULL;
	a->chunk_size = chunk_size ? chunk_size : (1u << 20);
	a->total = 0;
	a->budget = budget;
}

void *s3i_arena_alloc(struct s3i_arena *a, size_t n)
{
	size_t need = (n + 7) & ~(size_t)7;
	if ((size_t)(a->end - a->cur) < need || !a->cur) {
		size_t sz = a->chunk_size;
		struct s3i_arena_chunk *c;
		if (need + sizeof *c > sz)
			sz = need + sizeof *c;
		if (a->budget && !s3i_budget_try_reserve(a->budget, sz))
			return NULL;
		c = s3i_malloc(sz);
		if (!c) {
			if (a->budget)
				s3i_budget_release(a->budget, sz);
			return NULL;
		}
		c->next = a->head;
		c->size = sz;
		a->head = c;
		a->cur = (char *)(c + 1);
		a->end = (char *)c + sz;
		a->total += sz;
	}
	void *p = a->cur;
	a->cur += need;
	return p;
}

void s3i_arena_reset(struct s3i_arena *a)
{
	struct s3i_arena_chunk *c = a->head;
	while (c) {
		struct s3i_arena_chunk *next = c->next;
		if (a->budget)
			s3i_budget_release(a->budget, c->size);
		s3i_free(c);
		c = next;
	}
	a->head = NULL;
	a->cur = a->end = NULL;
	a->total = 0;
}
