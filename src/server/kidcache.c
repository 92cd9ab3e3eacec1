/* SPDX-License-Identifier: MIT */
/*
 * kidcache.c — the bounded LRU of sorted children lists of kidcache.h.
 * Lists are allocated with malloc by the caller (copied from the library's
 * result) and freed here on eviction or when the cache is freed.
 */
#include "kidcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct list {
	uint64_t pos;
	s3inv_sort sort;
	uint64_t *kids; /* NULL: empty slot */
	size_t n;
	uint64_t dobj, dbytes;
	uint64_t used;  /* tick of last use */
};

struct s3i_kidcache {
	pthread_mutex_t mu;
	struct list slot[S3I_KIDCACHE_SLOTS];
	size_t bytes;
	uint64_t tick;
};

struct s3i_kidcache *s3i_kidcache_new(void)
{
	struct s3i_kidcache *c = calloc(1, sizeof *c);
	if (c)
		pthread_mutex_init(&c->mu, NULL);
	return c;
}

void s3i_kidcache_free(struct s3i_kidcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < S3I_KIDCACHE_SLOTS; i++)
		free(c->slot[i].kids);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

int s3i_kidcache_get(struct s3i_kidcache *c, uint64_t pos, s3inv_sort sort, uint64_t offset,
                     size_t limit, uint64_t *out, struct s3i_kidpage *page)
{
	int hit = 0;
	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < S3I_KIDCACHE_SLOTS; i++) {
		struct list *l = &c->slot[i];
		if (!l->kids || l->pos != pos || l->sort != sort)
			continue;
		l->used = ++c->tick;
		page->total = l->n;
		page->dobj = l->dobj;
		page->dbytes = l->dbytes;
		page->n = 0;
		if (offset < l->n) {
			size_t k = l->n - (size_t)offset;
			page->n = k < limit ? k : limit;
			memcpy(out, l->kids + offset, page->n * sizeof *out);
		}
		hit = 1;
		break;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void s3i_kidcache_put(struct s3i_kidcache *c, uint64_t pos, s3inv_sort sort, uint64_t *kids,
                      size_t n, uint64_t dobj, uint64_t dbytes)
{
	size_t need = n * sizeof *kids;
	if (!c || need > S3I_KIDCACHE_BYTES) {
		free(kids);
		return;
	}
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < S3I_KIDCACHE_SLOTS; i++) {
		if (c->slot[i].kids && c->slot[i].pos == pos && c->slot[i].sort == sort) {
			pthread_mutex_unlock(&c->mu); /* another request got there first */
			free(kids);
			return;
		}
	}
	for (;;) { /* evict the least recently used until the list fits */
		struct list *lru = NULL, *empty = NULL;
		for (size_t i = 0; i < S3I_KIDCACHE_SLOTS; i++) {
			struct list *l = &c->slot[i];
			if (!l->kids)
				empty = empty ? empty : l;
			else if (!lru || l->used < lru->used)
				lru = l;
		}
		if (empty && c->bytes + need <= S3I_KIDCACHE_BYTES) {
			*empty = (struct list){pos, sort, kids, n, dobj, dbytes, ++c->tick};
			c->bytes += need;
			break;
		}
		if (!lru) { /* cannot happen: need fits an empty cache */
			free(kids);
			break;
		}
		c->bytes -= lru->n * sizeof *lru->kids;
		free(lru->kids);
		memset(lru, 0, sizeof *lru);
	}
	pthread_mutex_unlock(&c->mu);
}
