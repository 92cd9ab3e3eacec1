/* SPDX-License-Identifier: MIT */
/*
 * mphf_build.c — building the minimal perfect hash (PtrHash-style; the
 * design and the serialized layout are in docs/mphf.md).
 *
 * Pipeline: every key is hashed once (XXH3-128, 16 bytes kept per key);
 * at finish the hashes are distributed over P parts (fast-range of h.hi),
 * each part of S slots and B buckets is solved on its own by a worker
 * (s3i_parallel, parts pulled from an atomic counter), then the ~1% of used
 * slots >= n are remapped onto the free slots < n and everything is
 * serialized into one buffer.
 *
 * Solving a part: buckets in order of decreasing size; for each, the first
 * pilot (0..255) whose slots are all free wins; when none is free the
 * pilot whose colliding buckets cost least (sum of size^2, never one of the
 * 16 most recently placed) evicts them, and they are queued again. A part
 * that exceeds its eviction cap is retried from scratch with the next seed
 * byte (recorded per part); after MAX_ATTEMPTS the whole build is retried
 * with 1.5% more slots per part, and after that it fails with a clear
 * error. Identical 128-bit hashes in a bucket (duplicate keys) make every
 * pilot self-collide and are reported as S3INV_EINVAL "duplicate key".
 *
 * Memory: the hashes live in one array charged to the budget; when the
 * budget refuses, they are spilled under tmp_dir into SPILL_FILES files by
 * the top bits of h.hi. Parts are monotone in h.hi, so the files are then
 * processed one at a time (plus the one part that straddles two files).
 *
 * Determinism: the result depends only on the key set's hashes, their
 * order of insertion within a part, and the global seed — never on the
 * thread count or on the spill decision. (Within a bucket the order of keys
 * does not matter; bucket order is by size, then bucket index.)
 */
#include "index/mphf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/mphf_impl.h"
#include "util/alloc.h"
#include "util/budget.h"
#include "util/err.h"
#include "util/thread.h"

#define SPILL_FILES 128u
#define SPILL_SHIFT 57 /* 64 - log2(SPILL_FILES) */
#define SPILL_BUF (32u << 10)
#define MAX_ATTEMPTS 16u
#define GLOBAL_RETRIES 4u
#define RECENT 16u
#define UNSOLVED 1 /* internal: a part could not be solved (positive: not an error code) */

#define RUN_BITS 10 /* in-memory runs by the top bits of h.hi */
#define RUNS (1u << RUN_BITS)
#define RUN_SHIFT (64 - RUN_BITS)
_Static_assert(RUNS % SPILL_FILES == 0, "a spill file holds whole runs");

/* The in-memory hashes whose h.hi starts with one RUN_BITS-bit value, in
 * insertion order. Parts are monotone in h.hi, so a part's keys lie in a
 * few consecutive runs: finish needs no global sort and no second copy. */
struct run {
	struct s3i_hash128 *h;
	size_t n, cap;
};

struct s3i_mphf_builder {
	uint64_t seed;
	struct s3i_budget *budget;
	char *tmp_dir;
	struct run run[RUNS];     /* in-memory hashes */
	struct s3i_hash128 *hbuf; /* add_batch: the hashes of one batch */
	size_t hcap;
	uint64_t n;        /* keys added */
	uint64_t reserved; /* bytes charged to the budget for h */
	bool spilled;
	int fd[SPILL_FILES];
	uint64_t fcount[SPILL_FILES];
	unsigned char *wbuf; /* SPILL_FILES * SPILL_BUF */
	size_t wlen[SPILL_FILES];
};

/* ------------------------------------------------------------------ */
/* Adding keys, spilling                                                */
/* ------------------------------------------------------------------ */

int s3i_mphf_builder_new(struct s3i_mphf_builder **out, uint64_t seed, struct s3i_budget *budget,
                         const char *tmp_dir, s3inv_error *err)
{
	struct s3i_mphf_builder *b = s3i_calloc(1, sizeof *b);
	unsigned i;
	*out = NULL;
	if (!b)
		return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
	b->seed = seed;
	b->budget = budget;
	for (i = 0; i < SPILL_FILES; i++)
		b->fd[i] = -1;
	if (tmp_dir && !(b->tmp_dir = s3i_strdup(tmp_dir))) {
		s3i_free(b);
		return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
	}
	*out = b;
	return 0;
}

static int write_all(int fd, const void *p, size_t n, s3inv_error *err)
{
	const unsigned char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return s3i_err_sys(err, S3INV_EIO, w < 0 ? errno : ENOSPC,
			                   "mphf: writing spilled hashes");
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_at(int fd, void *p, size_t n, uint64_t off, s3inv_error *err)
{
	unsigned char *c = p;
	while (n) {
		ssize_t r = pread(fd, c, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return s3i_err_sys(err, S3INV_EIO, r < 0 ? errno : EIO,
			                   "mphf: reading spilled hashes");
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int spill_put(struct s3i_mphf_builder *b, struct s3i_hash128 h, s3inv_error *err)
{
	unsigned f = (unsigned)(h.hi >> SPILL_SHIFT);
	unsigned char *buf = b->wbuf + (size_t)f * SPILL_BUF;
	int rc;
	if (b->wlen[f] + sizeof h > SPILL_BUF) {
		if ((rc = write_all(b->fd[f], buf, b->wlen[f], err)) < 0)
			return rc;
		b->wlen[f] = 0;
	}
	memcpy(buf + b->wlen[f], &h, sizeof h);
	b->wlen[f] += sizeof h;
	b->fcount[f]++;
	return 0;
}

/* Switch to spill mode: open the files (unlinked at once, so they vanish
 * with the process) and move the in-memory hashes into them. */
static int start_spill(struct s3i_mphf_builder *b, s3inv_error *err)
{
	char path[4096];
	uint64_t i;
	unsigned f;
	int rc;
	if (!b->tmp_dir)
		return s3i_err_set(err, S3INV_ENOMEM,
		                   "mphf: hashes exceed the memory budget and no tmp dir is set");
	b->wbuf = s3i_malloc((size_t)SPILL_FILES * SPILL_BUF);
	if (!b->wbuf)
		return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
	for (f = 0; f < SPILL_FILES; f++) {
		int n = snprintf(path, sizeof path, "%s/s3i-mphf-XXXXXX", b->tmp_dir);
		if (n < 0 || (size_t)n >= sizeof path)
			return s3i_err_set(err, S3INV_EINVAL, "mphf: tmp dir path too long");
		b->fd[f] = mkstemp(path);
		if (b->fd[f] < 0)
			return s3i_err_sys(err, S3INV_EIO, errno, "mphf: %s: cannot create spill file",
			                   b->tmp_dir);
		unlink(path);
	}
	b->spilled = true;
	/* runs are in h.hi order, so a file receives its runs whole */
	for (i = 0; i < RUNS; i++) {
		struct run *r = &b->run[i];
		f = (unsigned)(i / (RUNS / SPILL_FILES));
		if (r->n && (rc = write_all(b->fd[f], r->h, r->n * sizeof *r->h, err)) < 0)
			return rc;
		b->fcount[f] += r->n;
		s3i_free(r->h);
		memset(r, 0, sizeof *r);
	}
	if (b->budget && b->reserved)
		s3i_budget_release(b->budget, b->reserved);
	b->reserved = 0;
	return 0;
}

int s3i_mphf_builder_reserve(struct s3i_mphf_builder *b, uint64_t n, s3inv_error *err)
{
	/* each run gets its expected share plus 4 standard deviations */
	uint64_t per = n / RUNS, cap = per + 4 * (uint64_t)__builtin_sqrt((double)per) + 16, more;
	unsigned r;
	if (b->spilled || b->n != 0 || b->run[0].cap != 0 || n == 0 ||
	    cap > SIZE_MAX / RUNS / sizeof(struct s3i_hash128))
		return 0;
	more = cap * RUNS * sizeof(struct s3i_hash128);
	if (b->budget) {
		if (!s3i_budget_try_reserve(b->budget, more))
			return 0; /* too big: the runs grow on demand, and spill */
		b->reserved += more; /* released by builder_free */
	}
	for (r = 0; r < RUNS; r++) {
		void *p = s3i_malloc((size_t)cap * sizeof *b->run[r].h);
		if (!p)
			return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
		b->run[r].h = p;
		b->run[r].cap = (size_t)cap;
	}
	return 0;
}

/* Keep one hash: in its run, or in its spill file. */
static int add_hash(struct s3i_mphf_builder *b, struct s3i_hash128 h, s3inv_error *err)
{
	struct run *r = &b->run[h.hi >> RUN_SHIFT];
	if (b->spilled) {
		int rc = spill_put(b, h, err);
		if (rc == 0)
			b->n++;
		return rc;
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		void *p;
		if (ncap > SIZE_MAX / sizeof *r->h)
			return s3i_err_set(err, S3INV_ENOMEM, "mphf: too many keys");
		if (b->budget) {
			uint64_t more = (uint64_t)(ncap - r->cap) * sizeof *r->h;
			if (!s3i_budget_try_reserve(b->budget, more)) {
				int rc = start_spill(b, err);
				if (rc < 0)
					return rc;
				return add_hash(b, h, err);
			}
			b->reserved += more;
		}
		p = s3i_realloc(r->h, ncap * sizeof *r->h);
		if (!p)
			return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
		r->h = p;
		r->cap = ncap;
	}
	r->h[r->n++] = h;
	b->n++;
	return 0;
}

int s3i_mphf_builder_add(struct s3i_mphf_builder *b, const void *key, size_t len, s3inv_error *err)
{
	return add_hash(b, s3i_mphf_hash(b->seed, key, len), err);
}

struct hash_job {
	const void *const *keys;
	const size_t *lens;
	size_t count;
	unsigned threads;
	uint64_t seed;
	struct s3i_hash128 *out;
};

static int hash_worker(unsigned id, void *arg)
{
	struct hash_job *j = arg;
	size_t a = j->count * id / j->threads, e = j->count * (id + 1) / j->threads, i;
	for (i = a; i < e; i++)
		j->out[i] = s3i_mphf_hash(j->seed, j->keys[i], j->lens[i]);
	return 0;
}

int s3i_mphf_builder_add_batch(struct s3i_mphf_builder *b, const void *const *keys,
                               const size_t *lens, size_t count, unsigned threads,
                               s3inv_error *err)
{
	struct hash_job j = {keys, lens, count, threads ? threads : 1, b->seed, NULL};
	size_t i;
	int rc = 0;
	if (count < 4096 || j.threads == 1) {
		for (i = 0; i < count && rc == 0; i++)
			rc = add_hash(b, s3i_mphf_hash(b->seed, keys[i], lens[i]), err);
		return rc;
	}
	if (count > b->hcap) {
		void *p = s3i_realloc(b->hbuf, count * sizeof *b->hbuf);
		if (!p)
			return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
		b->hbuf = p;
		b->hcap = count;
	}
	j.out = b->hbuf;
	s3i_parallel(j.threads, hash_worker, &j);
	for (i = 0; i < count && rc == 0; i++)
		rc = add_hash(b, j.out[i], err);
	return rc;
}

void s3i_mphf_builder_free(struct s3i_mphf_builder *b)
{
	unsigned f;
	if (!b)
		return;
	for (f = 0; f < SPILL_FILES; f++)
		if (b->fd[f] >= 0)
			close(b->fd[f]);
	if (b->budget && b->reserved)
		s3i_budget_release(b->budget, b->reserved);
	s3i_free(b->wbuf);
	s3i_free(b->hbuf);
	for (f = 0; f < RUNS; f++)
		s3i_free(b->run[f].h);
	s3i_free(b->tmp_dir);
	s3i_free(b);
}

/* ------------------------------------------------------------------ */
/* Solving one part                                                     */
/* ------------------------------------------------------------------ */

struct params {
	uint64_t n, seed, parts, slots, buckets, eps;
};

/* Per-worker scratch, sized for the largest part. */
struct scratch {
	uint64_t *lo, *hi;   /* keys of the part, grouped by bucket */
	uint32_t *kb;        /* bucket of each key (input order) */
	uint32_t *bstart;    /* B + 1 */
	uint32_t *order;     /* buckets by decreasing size */
	uint32_t *stack;     /* buckets waiting to be (re)placed */
	uint32_t *owner;     /* S: bucket + 1, or 0 when free */
	uint64_t *taken;     /* S bits: owner != 0; small enough for L1 */
	uint64_t *stamp;     /* B: value of the placement clock when placed */
	uint64_t *cand, *best; /* slots of the current / best pilot */
	uint32_t *coll;        /* distinct colliding buckets */
	uint32_t maxk;         /* largest bucket the cand arrays hold */
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void scratch_free(struct scratch *w)
{
	s3i_free(w->lo);
	s3i_free(w->hi);
	s3i_free(w->kb);
	s3i_free(w->bstart);
	s3i_free(w->order);
	s3i_free(w->stack);
	s3i_free(w->owner);
	s3i_free(w->taken);
	s3i_free(w->stamp);
	s3i_free(w->cand);
	s3i_free(w->best);
	s3i_free(w->coll);
	memset(w, 0, sizeof *w);
}

static int scratch_init(struct scratch *w, uint64_t maxcnt, const struct params *pp)
{
	size_t k = maxcnt ? (size_t)maxcnt : 1;
	memset(w, 0, sizeof *w);
	w->lo = s3i_malloc(k * sizeof *w->lo);
	w->hi = s3i_malloc(k * sizeof *w->hi);
	w->kb = s3i_malloc(k * sizeof *w->kb);
	w->bstart = s3i_malloc(((size_t)pp->buckets + 1) * sizeof *w->bstart);
	w->stamp = s3i_malloc((size_t)pp->buckets * sizeof *w->stamp);
	w->order = s3i_malloc((size_t)pp->buckets * sizeof *w->order);
	w->stack = s3i_malloc((size_t)pp->buckets * sizeof *w->stack);
	w->owner = s3i_malloc((size_t)pp->slots * sizeof *w->owner);
	w->taken = s3i_malloc(((size_t)pp->slots / 64 + 1) * sizeof *w->taken);
	w->maxk = 64;
	w->cand = s3i_malloc(w->maxk * sizeof *w->cand);
	w->best = s3i_malloc(w->maxk * sizeof *w->best);
	w->coll = s3i_malloc(w->maxk * sizeof *w->coll);
	if (!w->lo || !w->hi || !w->kb || !w->bstart || !w->order || !w->stack || !w->owner || !w->taken || !w->stamp ||
	    !w->cand || !w->best || !w->coll) {
		scratch_free(w);
		return S3INV_ENOMEM;
	}
	return 0;
}

static int scratch_fit(struct scratch *w, uint32_t k)
{
	uint32_t nk = w->maxk;
	void *a, *b, *c;
	if (k <= w->maxk)
		return 0;
	while (nk < k)
		nk *= 2;
	a = s3i_realloc(w->cand, nk * sizeof *w->cand);
	if (a)
		w->cand = a;
	b = s3i_realloc(w->best, nk * sizeof *w->best);
	if (b)
		w->best = b;
	c = s3i_realloc(w->coll, nk * sizeof *w->coll);
	if (c)
		w->coll = c;
	if (!a || !b || !c)
		return S3INV_ENOMEM;
	w->maxk = nk;
	return 0;
}

/* One part being solved. */
struct part {
	struct scratch *w;
	const struct params *pp;
	unsigned char *pilots; /* B pilots of this part (output) */
	unsigned seedbyte;
	uint64_t rng;
	uint64_t evictions, cap;
	uint64_t placed;  /* buckets placed so far (a clock) */
	uint64_t hp[256]; /* pilot hashes for this seed byte */
};

static bool is_recent(const struct part *p, uint32_t b)
{
	return p->w->stamp[b] + RECENT > p->placed;
}

static inline void set_slots(struct part *p, uint32_t b, unsigned pilot, uint64_t *out)
{
	const struct scratch *w = p->w;
	uint64_t hp = p->hp[pilot], S = p->pp->slots;
	uint32_t i, s = w->bstart[b], e = w->bstart[b + 1];
	for (i = s; i < e; i++)
		out[i - s] = mphf_inslot(w->lo[i], hp, S);
}

static inline void take(struct part *p, uint32_t b, unsigned pilot, const uint64_t *slots, uint32_t k)
{
	uint32_t i;
	for (i = 0; i < k; i++) {
		p->w->owner[slots[i]] = b + 1;
		p->w->taken[slots[i] >> 6] |= (uint64_t)1 << (slots[i] & 63);
	}
	p->pilots[b] = (unsigned char)pilot;
	p->w->stamp[b] = ++p->placed;
}

static bool self_collides(const uint64_t *s, uint32_t k)
{
	uint32_t i, j;
	for (i = 1; i < k; i++)
		for (j = 0; j < i; j++)
			if (s[i] == s[j])
				return true;
	return false;
}

static bool has_duplicate(const struct scratch *w, uint32_t b)
{
	uint32_t i, j;
	for (i = w->bstart[b] + 1; i < w->bstart[b + 1]; i++)
		for (j = w->bstart[b]; j < i; j++)
			if (w->lo[i] == w->lo[j] && w->hi[i] == w->hi[j])
				return true;
	return false;
}

/* Place bucket B. @return 0, UNSOLVED, or S3INV_EINVAL (duplicate key). */
static int place(struct part *p, uint32_t b, uint32_t *sp)
{
	struct scratch *w = p->w;
	const uint64_t S = p->pp->slots;
	uint32_t *owner = w->owner, k = w->bstart[b + 1] - w->bstart[b];
	const uint64_t *taken = w->taken;
	const uint64_t *lo = w->lo + w->bstart[b];
	uint64_t best_cost = UINT64_MAX, cost;
	unsigned pilot, t, start, best_pilot = 0, ncoll;
	uint32_t i, j;

	/* Fast path: the first pilot whose slots are all free. Hot loop: most
	 * tries fail on the first key, so that one is tested alone, without
	 * stores (restrict-qualified locals keep hp, lo and S in registers). */
	{
		const uint64_t *restrict hpt = p->hp, *restrict tk = taken, *restrict lk = lo;
		uint64_t *restrict cand = w->cand;
		const uint64_t x0 = lk[0];
		for (pilot = 0; pilot < 256; pilot++) {
			uint64_t hp = hpt[pilot], s0 = mphf_inslot(x0, hp, S);
			if (tk[s0 >> 6] >> (s0 & 63) & 1)
				continue;
			for (i = 1; i < k; i++) {
				uint64_t s = mphf_inslot(lk[i], hp, S);
				if (tk[s >> 6] >> (s & 63) & 1)
					break;
				cand[i] = s;
			}
			if (i < k)
				continue;
			cand[0] = s0;
			if (k > 1 && self_collides(cand, k))
				continue;
			take(p, b, pilot, cand, k);
			return 0;
		}
	}

	/* Slow path: evict the cheapest set of colliding buckets. */
	start = (unsigned)(splitmix(&p->rng) & 255);
	for (t = 0; t < 256; t++) {
		pilot = (start + t) & 255;
		set_slots(p, b, pilot, w->cand);
		if (k > 1 && self_collides(w->cand, k))
			continue;
		cost = 0;
		ncoll = 0;
		for (i = 0; i < k && cost < best_cost; i++) {
			uint32_t o = owner[w->cand[i]];
			uint64_t sz;
			if (!o)
				continue;
			if (is_recent(p, o - 1)) {
				cost = UINT64_MAX;
				break;
			}
			for (j = 0; j < ncoll && w->coll[j] != o; j++)
				;
			if (j < ncoll)
				continue;
			w->coll[ncoll++] = o;
			sz = w->bstart[o] - w->bstart[o - 1];
			cost += sz * sz;
		}
		if (cost < best_cost) {
			best_cost = cost;
			best_pilot = pilot;
			memcpy(w->best, w->cand, k * sizeof *w->best);
			if (cost <= 1)
				break; /* one single-key bucket: nothing cheaper exists */
		}
	}
	if (best_cost == UINT64_MAX)
		return has_duplicate(w, b) ? S3INV_EINVAL : UNSOLVED;
	/* Evict the distinct colliding buckets in ascending order, so that the
	 * result does not depend on the order of keys inside a bucket. */
	ncoll = 0;
	for (i = 0; i < k; i++) {
		uint32_t o = owner[w->best[i]], x;
		if (!o)
			continue;
		for (j = 0; j < ncoll && w->coll[j] < o; j++)
			;
		if (j < ncoll && w->coll[j] == o)
			continue;
		for (x = ncoll++; x > j; x--)
			w->coll[x] = w->coll[x - 1];
		w->coll[j] = o;
	}
	for (i = 0; i < ncoll; i++) {
		uint32_t o = w->coll[i];
		set_slots(p, o - 1, p->pilots[o - 1], w->cand);
		for (j = 0; j < w->bstart[o] - w->bstart[o - 1]; j++) {
			owner[w->cand[j]] = 0;
			w->taken[w->cand[j] >> 6] &= ~((uint64_t)1 << (w->cand[j] & 63));
		}
		w->stack[(*sp)++] = o - 1;
		p->evictions++;
	}
	take(p, b, best_pilot, w->best, k);
	return p->evictions > p->cap ? UNSOLVED : 0;
}

/* A stretch of hashes, some of which belong to the part being solved. */
struct seg {
	const struct s3i_hash128 *h;
	size_t n;
};

/* Group the keys of part PI found in SG[0..nseg) (exactly CNT of them) by
 * bucket and order the buckets by size. */
static int prepare(struct scratch *w, const struct params *pp, uint64_t pi, const struct seg *sg,
                   unsigned nseg, uint32_t cnt, uint32_t *maxk)
{
	const uint64_t B = pp->buckets;
	uint32_t i, big = 0, nb = (uint32_t)B, k;
	uint32_t *szc;
	unsigned g;
	size_t j;
	memset(w->bstart, 0, (B + 1) * sizeof *w->bstart);
	for (g = 0, k = 0; g < nseg; g++) {
		for (j = 0; j < sg[g].n; j++) {
			uint64_t frac;
			if (mphf_part(sg[g].h[j].hi, pp->parts, &frac) != pi || k == cnt)
				continue;
			w->kb[k] = (uint32_t)mphf_bucket(frac, pp->eps, B);
			w->bstart[w->kb[k] + 1]++;
			k++;
		}
	}
	if (k != cnt)
		return S3INV_EIO; /* the part's key count changed: cannot happen */
	for (i = 0; i < nb; i++) {
		if (w->bstart[i + 1] > big)
			big = w->bstart[i + 1];
		w->bstart[i + 1] += w->bstart[i];
	}
	/* scatter (order[] is borrowed as the fill cursor) */
	memcpy(w->order, w->bstart, B * sizeof *w->order);
	for (g = 0, k = 0; g < nseg; g++) {
		for (j = 0; j < sg[g].n; j++) {
			uint64_t frac;
			uint32_t d;
			if (mphf_part(sg[g].h[j].hi, pp->parts, &frac) != pi || k == cnt)
				continue;
			d = w->order[w->kb[k++]]++;
			w->lo[d] = sg[g].h[j].lo;
			w->hi[d] = sg[g].h[j].hi;
		}
	}
	/* counting sort of buckets by decreasing size, ties by index */
	szc = s3i_calloc((size_t)big + 2, sizeof *szc);
	if (!szc)
		return S3INV_ENOMEM;
	for (i = 0; i < nb; i++)
		szc[big - (w->bstart[i + 1] - w->bstart[i])]++;
	{
		uint32_t acc = 0, c;
		for (c = 0; c <= big; c++) {
			uint32_t x = szc[c];
			szc[c] = acc;
			acc += x;
		}
	}
	for (i = 0; i < nb; i++)
		w->order[szc[big - (w->bstart[i + 1] - w->bstart[i])]++] = i;
	s3i_free(szc);
	*maxk = big;
	return 0;
}

/* Solve part PI; on success write its pilots, seed byte and free slots.
 * @return 0, UNSOLVED, S3INV_EINVAL (duplicate) or S3INV_ENOMEM. */
static int solve_part(struct scratch *w, const struct params *pp, uint64_t pi,
                      const struct seg *sg, unsigned nseg, uint32_t cnt, unsigned char *pilots,
                      unsigned char *seedout, uint64_t *freeout)
{
	const uint64_t S = pp->slots, B = pp->buckets;
	uint32_t maxk, bi, sp;
	unsigned attempt;
	uint64_t s, nf;
	int rc;
	if ((rc = prepare(w, pp, pi, sg, nseg, cnt, &maxk)) < 0)
		return rc;
	if ((rc = scratch_fit(w, maxk)) < 0)
		return rc;
	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		struct part p = {.w = w, .pp = pp, .pilots = pilots, .seedbyte = attempt};
		p.rng = pp->seed ^ (pi * 0xd6e8feb86659fd93ull) ^ ((uint64_t)attempt << 56);
		p.cap = 16 * B + 1024;
		memset(w->owner, 0, S * sizeof *w->owner);
		memset(w->taken, 0, (S / 64 + 1) * sizeof *w->taken);
		memset(pilots, 0, B);
		memset(w->stamp, 0, B * sizeof *w->stamp);
		for (bi = 0; bi < 256; bi++)
			p.hp[bi] = mphf_pilot_hash(attempt, bi);
		rc = 0;
		for (bi = 0; bi < B && rc == 0; bi++) {
			uint32_t b = w->order[bi];
			if (w->bstart[b + 1] == w->bstart[b])
				break; /* the rest are empty: pilot 0 */
			sp = 0;
			w->stack[sp++] = b;
			while (sp && rc == 0)
				rc = place(&p, w->stack[--sp], &sp);
		}
		if (rc == S3INV_EINVAL)
			return rc;
		if (rc == 0)
			break;
	}
	if (rc != 0)
		return rc;
	*seedout = (unsigned char)attempt;
	for (s = 0, nf = 0; s < S; s++)
		if (!w->owner[s])
			freeout[nf++] = pi * S + s;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Building all parts                                                   */
/* ------------------------------------------------------------------ */

struct job {
	const struct params *pp;
	const struct run *runs;       /* in memory: the runs (hs and pstart unused) */
	const uint64_t *pcount;       /* in memory: keys of each part */
	const struct s3i_hash128 *hs; /* spilled: hashes sorted by part */
	const uint64_t *pstart;       /* index in hs of each part in [p0, p1], relative */
	uint64_t p0, p1;              /* parts to solve */
	const uint64_t *foff;         /* free-slot offset of each part (global) */
	unsigned char *pilots, *seeds;
	uint64_t *freeslots;
	uint64_t maxcnt;
	_Atomic uint64_t next;
	atomic_int stop;
	s3i_mutex lock;
	s3inv_error *err;
	int rc; /* first failure (UNSOLVED or a negative code) */
	uint64_t failed_part;
};

/* The smallest h.hi of part PI: ceil(PI * 2^64 / P). */
static uint64_t hi_min(uint64_t pi, uint64_t parts)
{
	return (uint64_t)((((mphf_u128)pi << 64) + parts - 1) / parts);
}

static int worker(unsigned id, void *arg)
{
	struct job *j = arg;
	struct scratch w;
	uint64_t pi;
	int rc = 0;
	(void)id;
	if (scratch_init(&w, j->maxcnt, j->pp) < 0) {
		rc = S3INV_ENOMEM;
		goto out;
	}
	while (!atomic_load(&j->stop) && (pi = atomic_fetch_add(&j->next, 1)) < j->p1) {
		struct seg sg[RUNS];
		unsigned nseg = 0;
		uint64_t cnt;
		if (j->runs) { /* the runs that hold h.hi values of part pi */
			uint64_t r, r0 = hi_min(pi, j->pp->parts) >> RUN_SHIFT, r1 = RUNS - 1;
			if (pi + 1 < j->pp->parts)
				r1 = (hi_min(pi + 1, j->pp->parts) - 1) >> RUN_SHIFT;
			for (r = r0; r <= r1; r++)
				sg[nseg++] = (struct seg){j->runs[r].h, j->runs[r].n};
			cnt = j->pcount[pi];
		} else {
			uint64_t a = j->pstart[pi - j->p0], e = j->pstart[pi - j->p0 + 1];
			sg[nseg++] = (struct seg){j->hs + a, (size_t)(e - a)};
			cnt = e - a;
		}
		rc = solve_part(&w, j->pp, pi, sg, nseg, (uint32_t)cnt,
		                j->pilots + pi * j->pp->buckets, j->seeds + pi, j->freeslots + j->foff[pi]);
		if (rc != 0) {
			s3i_mutex_lock(&j->lock);
			if (j->rc == 0) {
				j->rc = rc;
				j->failed_part = pi;
			}
			s3i_mutex_unlock(&j->lock);
			atomic_store(&j->stop, 1);
			break;
		}
	}
	scratch_free(&w);
out:
	if (rc < 0 && rc != S3INV_EINVAL) {
		s3i_mutex_lock(&j->lock);
		if (j->rc == 0)
			j->rc = rc;
		s3i_mutex_unlock(&j->lock);
		atomic_store(&j->stop, 1);
	}
	return 0;
}

/* Solve parts [p0, p1) whose hashes HS are sorted by part, PSTART[i] being
 * where part p0+i starts. @return 0, UNSOLVED or a negative code (ERR set
 * for negative codes). */
static int run_parts(const struct params *pp, const struct run *runs, const uint64_t *pcount,
                     const struct s3i_hash128 *hs, const uint64_t *pstart,
                     uint64_t p0, uint64_t p1, const uint64_t *foff, uint64_t maxcnt,
                     unsigned char *pilots, unsigned char *seeds, uint64_t *freeslots,
                     unsigned threads, s3inv_error *err)
{
	struct job j = {.pp = pp, .runs = runs, .pcount = pcount, .hs = hs, .pstart = pstart,
	                .p0 = p0, .p1 = p1, .foff = foff,
	                .pilots = pilots, .seeds = seeds, .freeslots = freeslots, .maxcnt = maxcnt,
	                .err = err};
	uint64_t np = p1 - p0;
	if (np == 0)
		return 0;
	atomic_init(&j.next, p0);
	atomic_init(&j.stop, 0);
	s3i_mutex_init(&j.lock);
	if (threads > np)
		threads = (unsigned)np;
	s3i_parallel(threads ? threads : 1, worker, &j);
	s3i_mutex_destroy(&j.lock);
	if (j.rc == S3INV_EINVAL)
		return s3i_err_set(err, S3INV_EINVAL, "mphf: duplicate key (part %llu)",
		                   (unsigned long long)j.failed_part);
	if (j.rc == S3INV_ENOMEM)
		return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory solving parts");
	if (j.rc == S3INV_EIO)
		return s3i_err_set(err, S3INV_EIO, "mphf: part %llu: key count changed",
		                   (unsigned long long)j.failed_part);
	if (j.rc < 0)
		return s3i_err_set(err, j.rc, "mphf: solving parts failed");
	return j.rc;
}

/* Counting sort of HS[0..cnt) by part, for parts in [p0, p0+np) into OUT;
 * PSTART (np+1 entries) receives the part boundaries. */
static void sort_by_part(const struct params *pp, const struct s3i_hash128 *hs, uint64_t cnt,
                         uint64_t p0, uint64_t np, struct s3i_hash128 *out, uint64_t *pstart)
{
	uint64_t i, frac;
	memset(pstart, 0, (np + 1) * sizeof *pstart);
	for (i = 0; i < cnt; i++)
		pstart[mphf_part(hs[i].hi, pp->parts, &frac) - p0 + 1]++;
	for (i = 0; i < np; i++)
		pstart[i + 1] += pstart[i];
	for (i = 0; i < cnt; i++) {
		uint64_t p = mphf_part(hs[i].hi, pp->parts, &frac) - p0;
		out[pstart[p]++] = hs[i];
	}
	for (i = np; i > 0; i--)
		pstart[i] = pstart[i - 1];
	pstart[0] = 0;
}

static void budget_take(struct s3i_budget *bg, uint64_t n)
{
	if (bg)
		s3i_budget_force(bg, n);
}

static void budget_give(struct s3i_budget *bg, uint64_t n)
{
	if (bg)
		s3i_budget_release(bg, n);
}

/* In-memory build: the workers read each part's keys from its runs. */
static int build_mem(struct s3i_mphf_builder *b, const struct params *pp, const uint64_t *pcount,
                     const uint64_t *foff, uint64_t maxcnt, unsigned char *pilots,
                     unsigned char *seeds, uint64_t *freeslots, unsigned threads,
                     s3inv_error *err)
{
	return run_parts(pp, b->run, pcount, NULL, NULL, 0, pp->parts, foff, maxcnt, pilots, seeds,
	                 freeslots, threads, err);
}

/* Spilled build: one file at a time, in h.hi order, carrying the part that
 * straddles into the next file. */
static int build_spilled(struct s3i_mphf_builder *b, const struct params *pp, const uint64_t *foff,
                         uint64_t maxcnt, unsigned char *pilots, unsigned char *seeds,
                         uint64_t *freeslots, unsigned threads, s3inv_error *err)
{
	struct s3i_hash128 *buf = NULL, *sorted = NULL;
	uint64_t *pstart = NULL, maxf = 0, carry = 0, done = 0, bytes, frac;
	unsigned f;
	int rc = 0;
	for (f = 0; f < SPILL_FILES; f++)
		if (b->fcount[f] > maxf)
			maxf = b->fcount[f];
	/* one file plus the carried part, and the sorted copy */
	bytes = 2 * (maxf + maxcnt) * sizeof *buf;
	budget_take(b->budget, bytes);
	buf = s3i_malloc((size_t)(maxf + maxcnt) * sizeof *buf);
	sorted = s3i_malloc((size_t)(maxf + maxcnt) * sizeof *buf);
	if (!buf || !sorted) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory reading spilled hashes");
		goto out;
	}
	for (f = 0; f < SPILL_FILES; f++) {
		uint64_t p_next, pmax, cnt, np, i, keep;
		cnt = carry;
		if (b->fcount[f])
			TRY(read_at(b->fd[f], buf + cnt, (size_t)(b->fcount[f] * sizeof *buf), 0, err));
		cnt += b->fcount[f];
		p_next = f + 1 < SPILL_FILES ? mphf_part((uint64_t)(f + 1) << SPILL_SHIFT, pp->parts, &frac)
		                             : pp->parts;
		pmax = p_next < pp->parts ? p_next + 1 : pp->parts;
		np = pmax - done;
		s3i_free(pstart);
		pstart = s3i_malloc(((size_t)np + 1) * sizeof *pstart);
		if (!pstart) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
			goto out;
		}
		sort_by_part(pp, buf, cnt, done, np, sorted, pstart);
		rc = run_parts(pp, NULL, NULL, sorted, pstart, done, p_next, foff, maxcnt, pilots, seeds,
		               freeslots, threads, err);
		if (rc != 0)
			goto out;
		/* carry the keys of part p_next to the front of buf */
		keep = cnt - pstart[p_next - done];
		for (i = 0; i < keep; i++)
			buf[i] = sorted[pstart[p_next - done] + i];
		carry = keep;
		done = p_next;
	}
out:
	budget_give(b->budget, bytes);
	s3i_free(buf);
	s3i_free(sorted);
	s3i_free(pstart);
	return rc;
}

/* Part sizes, exact: from memory or by reading the spill files once. */
static int count_parts(struct s3i_mphf_builder *b, const struct params *pp, uint64_t *pcount,
                       s3inv_error *err)
{
	uint64_t i, frac;
	int rc = 0;
	memset(pcount, 0, (size_t)pp->parts * sizeof *pcount);
	if (!b->spilled) {
		unsigned r;
		for (r = 0; r < RUNS; r++)
			for (i = 0; i < b->run[r].n; i++)
				pcount[mphf_part(b->run[r].h[i].hi, pp->parts, &frac)]++;
		return 0;
	}
	{
		enum { CH = 8192 };
		struct s3i_hash128 *tmp = s3i_malloc(CH * sizeof *tmp);
		unsigned f;
		if (!tmp)
			return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
		for (f = 0; f < SPILL_FILES && rc == 0; f++) {
			uint64_t off = 0;
			while (off < b->fcount[f] && rc == 0) {
				uint64_t k = b->fcount[f] - off < CH ? b->fcount[f] - off : CH;
				rc = read_at(b->fd[f], tmp, (size_t)(k * sizeof *tmp), off * sizeof *tmp, err);
				for (i = 0; rc == 0 && i < k; i++)
					pcount[mphf_part(tmp[i].hi, pp->parts, &frac)]++;
				off += k;
			}
		}
		s3i_free(tmp);
	}
	return rc;
}

static int flush_spill(struct s3i_mphf_builder *b, s3inv_error *err)
{
	unsigned f;
	int rc;
	for (f = 0; f < SPILL_FILES; f++) {
		if (b->wlen[f] && (rc = write_all(b->fd[f], b->wbuf + (size_t)f * SPILL_BUF, b->wlen[f],
		                                  err)) < 0)
			return rc;
		b->wlen[f] = 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Remap and serialization                                              */
/* ------------------------------------------------------------------ */

static uint64_t align8(uint64_t x) { return (x + 7) & ~(uint64_t)7; }

static int serialize(const struct params *pp, const unsigned char *pilots,
                     const unsigned char *seeds, const uint64_t *freeslots, void **out,
                     size_t *out_len, s3inv_error *err)
{
	struct mphf_hdr h;
	uint64_t nb = pp->parts * pp->buckets, rcount = pp->parts * pp->slots - pp->n;
	unsigned width = pp->n > UINT32_MAX ? 8u : 4u;
	unsigned char *buf;
	uint64_t total, s, fi, lo_free;
	memset(&h, 0, sizeof h);
	h.magic = MPHF_MAGIC;
	h.version = MPHF_VERSION;
	h.hash_id = MPHF_HASH_XXH3_128;
	h.n = pp->n;
	h.seed = pp->seed;
	h.parts = pp->parts;
	h.slots = pp->slots;
	h.buckets = pp->buckets;
	h.eps = pp->eps;
	h.remap_count = rcount;
	h.remap_width = width;
	h.pilots_off = MPHF_HDR_SIZE;
	h.seeds_off = h.pilots_off + align8(nb);
	h.remap_off = h.seeds_off + align8(pp->parts);
	total = h.remap_off + align8(rcount * width);
	h.total_len = total;
	if (total > SIZE_MAX)
		return s3i_err_set(err, S3INV_ENOMEM, "mphf: function too large");
	buf = s3i_calloc(1, (size_t)total);
	if (!buf)
		return s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory serializing");
	memcpy(buf, &h, sizeof h);
	if (nb)
		memcpy(buf + h.pilots_off, pilots, (size_t)nb);
	if (pp->parts)
		memcpy(buf + h.seeds_off, seeds, (size_t)pp->parts);
	/* Remap: the used slots >= n, in order, onto the free slots < n, in
	 * order. freeslots[] is ascending; its first lo_free entries are < n and
	 * exactly as many slots >= n are used. */
	for (lo_free = 0; lo_free < rcount && freeslots[lo_free] < pp->n; lo_free++)
		;
	for (s = pp->n, fi = lo_free; s < pp->n + rcount; s++) {
		uint64_t target = 0;
		if (fi < rcount && freeslots[fi] == s) {
			fi++; /* free: never looked up by a key of the set */
		} else {
			target = freeslots[s - pp->n - (fi - lo_free)];
		}
		if (width == 4) {
			uint32_t v = (uint32_t)target;
			memcpy(buf + h.remap_off + (s - pp->n) * 4, &v, 4);
		} else {
			memcpy(buf + h.remap_off + (s - pp->n) * 8, &target, 8);
		}
	}
	*out = buf;
	*out_len = (size_t)total;
	return 0;
}

/* Build with slots-per-part PP->slots; @return 0, UNSOLVED or negative. */
static int build_once(struct s3i_mphf_builder *b, const struct params *pp, const uint64_t *pcount,
                      uint64_t maxcnt, unsigned threads, void **out, size_t *out_len,
                      s3inv_error *err)
{
	unsigned char *pilots = NULL, *seeds = NULL;
	uint64_t *foff = NULL, *freeslots = NULL, i, acc = 0;
	uint64_t rcount = pp->parts * pp->slots - pp->n;
	int rc;
	pilots = s3i_calloc((size_t)(pp->parts * pp->buckets), 1);
	seeds = s3i_calloc((size_t)pp->parts, 1);
	foff = s3i_malloc((size_t)pp->parts * sizeof *foff);
	freeslots = s3i_malloc(((size_t)rcount + 1) * sizeof *freeslots);
	if (!pilots || !seeds || !foff || !freeslots) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
		goto out;
	}
	for (i = 0; i < pp->parts; i++) {
		foff[i] = acc;
		acc += pp->slots - pcount[i];
	}
	if (b->spilled)
		rc = build_spilled(b, pp, foff, maxcnt, pilots, seeds, freeslots, threads, err);
	else
		rc = build_mem(b, pp, pcount, foff, maxcnt, pilots, seeds, freeslots, threads, err);
	if (rc != 0)
		goto out;
	rc = serialize(pp, pilots, seeds, freeslots, out, out_len, err);
out:
	s3i_free(pilots);
	s3i_free(seeds);
	s3i_free(foff);
	s3i_free(freeslots);
	return rc;
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

int s3i_mphf_builder_finish(struct s3i_mphf_builder *b, unsigned threads, void **out,
                            size_t *out_len, s3inv_error *err)
{
	struct params pp;
	uint64_t *pcount = NULL, maxcnt = 0, target, i;
	unsigned retry;
	int rc;
	*out = NULL;
	*out_len = 0;
	memset(&pp, 0, sizeof pp);
	pp.n = b->n;
	pp.seed = b->seed;
	pp.eps = MPHF_EPS_DEFAULT;
	if (b->n == 0)
		return serialize(&pp, NULL, NULL, NULL, out, out_len, err);
	if (b->spilled)
		TRY(flush_spill(b, err));
	/* load alpha = 0.99; parts of 2^18 slots (2^20 beyond 2^30 keys) */
	target = b->n > ((uint64_t)1 << 30) ? (uint64_t)1 << 20 : (uint64_t)1 << 18;
	pp.parts = ceil_div(b->n, target - target / 100);
	/* lambda = 3.2: 2.5 bits/key of pilots; 3.5 (2.29 bits) costs ~45% more
	 * solver instructions, 3.0 (2.67 bits) ~15% fewer */
	pp.buckets = ceil_div(ceil_div(b->n, pp.parts) * 5, 16);
	pcount = s3i_malloc((size_t)pp.parts * sizeof *pcount);
	if (!pcount) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "mphf: out of memory");
		goto out;
	}
	TRY(count_parts(b, &pp, pcount, err));
	for (i = 0; i < pp.parts; i++)
		if (pcount[i] > maxcnt)
			maxcnt = pcount[i];
	pp.slots = ceil_div(b->n * 100, 99 * pp.parts);
	if (pp.slots < ceil_div(maxcnt * 1000, 995))
		pp.slots = ceil_div(maxcnt * 1000, 995);
	if (pp.buckets > pp.slots)
		pp.buckets = pp.slots;
	for (retry = 0;; retry++) {
		if (pp.slots > ((uint64_t)1 << 32)) {
			rc = s3i_err_set(err, S3INV_EINVAL, "mphf: a part holds too many keys");
			goto out;
		}
		rc = build_once(b, &pp, pcount, maxcnt, threads, out, out_len, err);
		if (rc != UNSOLVED)
			break;
		if (retry + 1 >= GLOBAL_RETRIES) {
			rc = s3i_err_set(err, S3INV_EINVAL,
			                 "mphf: a part could not be solved after %u seeds and %u table sizes",
			                 MAX_ATTEMPTS, GLOBAL_RETRIES);
			goto out;
		}
		pp.slots += pp.slots / 64 + 1;
	}
out:
	s3i_free(pcount);
	return rc;
}
