/* SPDX-License-Identifier: MIT */
/*
 * arena.h — bump allocator for bulk data (key components, table chunks).
 *
 * Memory comes in chunks reserved from an optional budget; nothing is freed
 * individually; s3i_arena_reset releases everything in one call. Not
 * thread-safe: each worker owns its arena.
 */
#ifndef S3I_ARENA_H
#define S3I_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct s3i_budget;

struct s3i_arena_chunk;

struct s3i_arena {
	struct s3i_arena_chunk *head;
	char *cur, *end;
	size_t chunk_size;
	uint64_t total;          /* bytes held in chunks (what was reserved) */
	struct s3i_budget *budget; /* may be NULL */
};

void s3i_arena_init(struct s3i_arena *a, size_t chunk_size, struct s3i_budget *budget);

/** Allocate N bytes aligned to 8. Returns NULL when the heap or the budget
 *  (try_reserve: never blocks) refuses. */
void *s3i_arena_alloc(struct s3i_arena *a, size_t n);

/** Free all chunks and release them from the budget. */
void s3i_arena_reset(struct s3i_arena *a);

#endif
