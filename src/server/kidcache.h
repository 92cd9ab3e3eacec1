/* SPDX-License-Identifier: MIT */
/*
 * kidcache.h — sorted children of wide prefixes, kept per open index.
 *
 * A page of /api/children needs the count of a prefix's children, the
 * objects directly under it and the page in sort order; each costs a walk
 * over every child, so a prefix with 100k children costs milliseconds per
 * page. For prefixes with at least S3I_KIDCACHE_MIN children the server
 * computes the whole sorted list once and keeps it here; later pages are
 * a copy of up to 1000 positions. An open index never changes, so entries
 * never go stale: the cache lives and dies with its index (a replaced file
 * gets a new index and a new, empty cache).
 *
 * Bounded: at most S3I_KIDCACHE_SLOTS lists and S3I_KIDCACHE_BYTES of
 * positions per index, least recently used evicted first. Thread-safe (one
 * mutex, held only to search and copy).
 */
#ifndef S3I_SERVER_KIDCACHE_H
#define S3I_SERVER_KIDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"

#define S3I_KIDCACHE_MIN 2048
#define S3I_KIDCACHE_SLOTS 16
#define S3I_KIDCACHE_BYTES (64u << 20)

struct s3i_kidcache;

/** @return a new empty cache, or NULL when out of memory. */
struct s3i_kidcache *s3i_kidcache_new(void);
void s3i_kidcache_free(struct s3i_kidcache *c);

/** Summary of a cached list. */
struct s3i_kidpage {
	uint64_t total;          /* children */
	uint64_t dobj, dbytes;   /* direct objects */
	size_t n;                /* positions copied into the caller's array */
};

/** Copy positions [OFFSET, OFFSET+LIMIT) of the children of POS in order
 *  SORT into OUT (room for LIMIT). @return 1 on a hit (PAGE filled), 0 on
 *  a miss. */
int s3i_kidcache_get(struct s3i_kidcache *c, uint64_t pos, s3inv_sort sort, uint64_t offset,
                     size_t limit, uint64_t *out, struct s3i_kidpage *page);

/** Store the full sorted list KIDS (N positions, malloc'd; taken over and
 *  freed by the cache in every case) with its direct counts. */
void s3i_kidcache_put(struct s3i_kidcache *c, uint64_t pos, s3inv_sort sort, uint64_t *kids,
                      size_t n, uint64_t dobj, uint64_t dbytes);

#endif
