/* SPDX-License-Identifier: MIT */
/*
 * table.c — per-worker prefix table keyed by (parent id, component), and its
 * sorted iterator (see table.h for the layout and the two-step add).
 *
 * Hot path: s3i_table_add walks the key once. Consecutive keys usually share
 * a long head (files are often sorted, and even shuffled keys share "logs/"),
 * so the path of the previous key is kept: every level whose prefix lies
 * inside the common head of the two keys is reused without hashing. The
 * remaining levels are found or inserted by hash; then the row's
 * contribution is added to every node of the path (eager sums: the iterator
 * only has to read them).
 *
 * Sorted output: node ids are grouped by parent with a counting sort, each
 * group sorted by component + delimiter, then an explicit-stack DFS builds
 * the full prefix in one buffer. A child always has a larger id than its
 * parent (it is created after it), which the iterator does not need but the
 * tests rely on for nothing: order comes only from the sort.
 */
#include "agg/table.h"

#include <string.h>

#include "util/alloc.h"
#include "util/budget.h"
#include "util/err.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#define NODE_SHIFT 8
#define NODE_PAGE (1u << NODE_SHIFT)
#define EXT_SHIFT 8
#define EXT_PAGE (1u << EXT_SHIFT)
#define SLOTS_MIN 1024u
#define STR_MIN (16u << 10)
#define STR_MAX (1u << 20)
#define SORT_BYTES_PER_NODE 8u /* order[] + first[] of the iterator */
#define MAX_NODES 0xFFFFFF00u

/* A component of at most INLINE_COMP bytes is stored in the node itself
 * (zero-padded), so finding it costs no access to the string chunks; a
 * longer one points into them. */
#define INLINE_COMP 8u

/* 64 bytes, one cache line (pages are line-aligned): finding a prefix and
 * counting a row in it touches one line when it has at most two classes. */
struct s3i_tnode {
	uint32_t parent;
	uint32_t len;
	union {
		const char *p; /* len > INLINE_COMP */
		char b[8];     /* len <= INLINE_COMP, zero-padded */
		uint64_t w;
	} comp;
	uint32_t cls[2]; /* first two classes, S3I_CLS_NONE while unused */
	uint32_t ext;    /* first overflow block, 0 = none */
	uint32_t xext;   /* first overflow block of the age bucket keys, 0 = none */
	uint64_t st[2][2]; /* objects, bytes of cls[i] */
};

/* Overflow block, 64 bytes: three more classes of one prefix. */
#define EXT_N 3
struct s3i_text {
	uint32_t cls[EXT_N]; /* S3I_CLS_NONE while unused (only in the first block) */
	uint32_t next;
	uint64_t st[EXT_N][2];
};

_Static_assert(sizeof(struct s3i_tnode) == 64, "node: one cache line");
_Static_assert(sizeof(struct s3i_text) == 64, "overflow block: one cache line");

struct s3i_tstr {
	struct s3i_tstr *next;
	size_t size; /* bytes reserved, header included */
};

struct s3i_titer_level {
	uint32_t pos, end;
	size_t plen;
};

static inline struct s3i_tnode *node_at(const struct s3i_table *t, uint32_t id)
{
	return &t->npages[id >> NODE_SHIFT][id & (NODE_PAGE - 1)];
}

static inline const char *comp_of(const struct s3i_tnode *n)
{
	return n->len <= INLINE_COMP ? n->comp.b : n->comp.p;
}

/* The first LEN (<= 8) bytes at P as a zero-padded word (byte order as in
 * memory, like the inline copy). AVAIL bytes may be read from P. */
static inline uint64_t load_short(const char *p, size_t len, size_t avail)
{
	uint64_t w = 0;
	if (avail >= 8) {
		memcpy(&w, p, 8);
		if (len < 8) {
			unsigned char b[8];
			memcpy(b, &w, 8);
			memset(b + len, 0, 8 - len);
			memcpy(&w, b, 8);
		}
		return w;
	}
	memcpy(&w, p, len);
	return w;
}

static inline struct s3i_text *ext_at(const struct s3i_table *t, uint32_t id)
{
	return &t->epages[id >> EXT_SHIFT][id & (EXT_PAGE - 1)];
}

static bool take(struct s3i_table *t, uint64_t n)
{
	if (t->budget && !s3i_budget_try_reserve(t->budget, n))
		return false;
	t->bytes += n;
	return true;
}

static void give(struct s3i_table *t, uint64_t n)
{
	if (t->budget)
		s3i_budget_release(t->budget, n);
	t->bytes -= n;
}

/* Node and overflow pages (16 KiB) are carved from 2 MiB chunks mapped
 * at a 2 MiB boundary with MADV_HUGEPAGE: a table's random accesses then
 * touch one TLB entry per 2 MiB instead of per 4 KiB, and the first touch
 * of a chunk is one fault instead of 512. The budget is still charged per
 * page; a table's last chunk may be resident up to 2 MiB beyond it. */
#define CHUNK ((size_t)2 << 20)
#define CHUNK_LINK 64u /* the chunk's last line: link to the previous chunk */

static void *page_alloc(struct s3i_table *t, size_t sz)
{
	if ((size_t)(t->chunk_end - t->chunk_cur) < sz) {
		char *c = s3i_huge_alloc(CHUNK);
		if (!c)
			return NULL;
		memcpy(c + CHUNK - CHUNK_LINK, &t->chunks, sizeof t->chunks);
		t->chunks = c;
		t->chunk_cur = c;
		t->chunk_end = c + CHUNK - CHUNK_LINK;
	}
	void *p = t->chunk_cur;
	t->chunk_cur += sz;
	return p;
}

static void chunks_free(struct s3i_table *t)
{
	for (char *c = t->chunks, *prev; c; c = prev) {
		memcpy(&prev, c + CHUNK - CHUNK_LINK, sizeof prev);
		s3i_huge_free(c, CHUNK);
	}
	t->chunks = NULL;
	t->chunk_cur = t->chunk_end = NULL;
}

/* The hash slots: huge pages once they are large (random access). */
static uint64_t *slots_alloc(uint64_t n)
{
	return n * 8 >= CHUNK ? s3i_huge_alloc((size_t)n * 8) : s3i_calloc((size_t)n, 8);
}

static void slots_free(uint64_t *p, uint64_t n)
{
	if (n * 8 >= CHUNK)
		s3i_huge_free(p, (size_t)n * 8);
	else
		s3i_free(p);
}

void s3i_table_init(struct s3i_table *t, struct s3i_budget *budget)
{
	memset(t, 0, sizeof *t);
	t->budget = budget;
}

void s3i_table_reset(struct s3i_table *t)
{
	chunks_free(t);
	s3i_free(t->npages);
	s3i_free(t->epages);
	if (t->slots)
		slots_free(t->slots, t->mask + 1);
	for (struct s3i_tstr *s = t->strs, *n; s; s = n) {
		n = s->next;
		s3i_free(s);
	}
	if (t->budget && t->bytes)
		s3i_budget_release(t->budget, t->bytes);
	t->bytes = 0;
	t->npages = NULL;
	t->epages = NULL;
	t->n_npages = t->cap_npages = t->n_epages = t->cap_epages = 0;
	t->slots = NULL;
	t->mask = t->grow_at = 0;
	t->shift = 0;
	t->strs = NULL;
	t->str_cur = t->str_end = NULL;
	t->n_strs = 0;
	t->n_nodes = 0;
	t->n_ext = 0;
	t->path_valid = false;
	t->max_key = 0;
	t->max_levels = 0;
	t->rows = 0;
}

void s3i_table_free(struct s3i_table *t)
{
	if (!t)
		return;
	s3i_table_reset(t);
	s3i_free(t->pk);
	s3i_free(t->path);
	s3i_free(t->path_end);
	s3i_free(t->path_h);
	t->pk = NULL;
	t->path = t->path_end = NULL;
	t->path_h = NULL;
	t->pk_cap = t->path_cap = 0;
}

/* Grow a page-pointer array to hold one more page; charged to the budget. */
static bool grow_ptrs(struct s3i_table *t, void ***arr, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	if (!take(t, (ncap - *cap) * sizeof(void *)))
		return false;
	void **n = s3i_realloc(*arr, ncap * sizeof(void *));
	if (!n) {
		give(t, (ncap - *cap) * sizeof(void *));
		return false;
	}
	*arr = n;
	*cap = ncap;
	return true;
}

static bool add_node_page(struct s3i_table *t)
{
	if (t->n_npages == t->cap_npages &&
	    !grow_ptrs(t, (void ***)&t->npages, &t->cap_npages))
		return false;
	uint64_t sz = (uint64_t)NODE_PAGE * sizeof(struct s3i_tnode);
	if (!take(t, sz + (uint64_t)NODE_PAGE * SORT_BYTES_PER_NODE))
		return false;
	struct s3i_tnode *p = page_alloc(t, sz);
	if (!p) {
		give(t, sz + (uint64_t)NODE_PAGE * SORT_BYTES_PER_NODE);
		return false;
	}
	t->npages[t->n_npages++] = p;
	return true;
}

static bool add_ext_page(struct s3i_table *t)
{
	if (t->n_epages == t->cap_epages &&
	    !grow_ptrs(t, (void ***)&t->epages, &t->cap_epages))
		return false;
	uint64_t sz = (uint64_t)EXT_PAGE * sizeof(struct s3i_text);
	if (!take(t, sz))
		return false;
	struct s3i_text *p = page_alloc(t, sz);
	if (!p) {
		give(t, sz);
		return false;
	}
	t->epages[t->n_epages++] = p;
	return true;
}

/* Hash of a prefix: its parent prefix's hash H seeds XXH3 of the component,
 * so a level's hash depends on the key's bytes only, never on node ids. */
#define ROOT_HASH 0x9E3779B97F4A7C15u

static inline uint64_t hash_comp(uint64_t h, const char *comp, size_t len)
{
	return XXH3_64bits_withSeed(comp, len, h);
}

/* Slots are found from the top bits of the hash, which the slot keeps:
 * growing re-places every slot without touching a node or rehashing. */
static bool grow_slots(struct s3i_table *t)
{
	uint64_t ncap = t->slots ? (t->mask + 1) * 2 : SLOTS_MIN;
	uint64_t sz = ncap * sizeof(uint64_t);
	unsigned nshift = t->slots ? t->shift - 1 : 64 - 10; /* SLOTS_MIN = 2^10 */
	if (nshift < 32 || !take(t, sz))
		return false; /* more than 2^32 slots: beyond u32 node ids anyway */
	uint64_t *ns = slots_alloc(ncap);
	if (!ns) {
		give(t, sz);
		return false;
	}
	uint64_t nmask = ncap - 1;
	for (uint64_t j = 0; t->slots && j <= t->mask; j++) {
		uint64_t s = t->slots[j];
		if (!s)
			continue;
		uint64_t i = (s & 0xFFFFFFFF00000000u) >> nshift;
		while (ns[i])
			i = (i + 1) & nmask;
		ns[i] = s;
	}
	if (t->slots) {
		slots_free(t->slots, t->mask + 1);
		give(t, (t->mask + 1) * sizeof(uint64_t));
	}
	t->slots = ns;
	t->mask = nmask;
	t->shift = nshift;
	t->grow_at = ncap / 4 * 3;
	return true;
}

static bool add_str_chunk(struct s3i_table *t, size_t need)
{
	size_t sz = STR_MIN << (t->n_strs < 6 ? t->n_strs : 6);
	if (sz > STR_MAX)
		sz = STR_MAX;
	if (need + sizeof(struct s3i_tstr) > sz)
		sz = need + sizeof(struct s3i_tstr);
	if (!take(t, sz))
		return false;
	struct s3i_tstr *c = s3i_malloc(sz);
	if (!c) {
		give(t, sz);
		return false;
	}
	c->next = t->strs;
	c->size = sz;
	t->strs = c;
	t->n_strs++;
	t->str_cur = (char *)(c + 1);
	t->str_end = (char *)c + sz;
	return true;
}

static bool grow_path(struct s3i_table *t, size_t levels, size_t key_len)
{
	if (levels + 1 > t->path_cap) {
		size_t ncap = t->path_cap ? t->path_cap : 64;
		while (ncap < levels + 1)
			ncap *= 2;
		uint32_t *p = s3i_realloc(t->path, ncap * sizeof *p);
		if (!p)
			return false;
		t->path = p;
		p = s3i_realloc(t->path_end, ncap * sizeof *p);
		if (!p)
			return false;
		t->path_end = p;
		uint64_t *ph = s3i_realloc(t->path_h, ncap * sizeof *ph);
		if (!ph)
			return false;
		t->path_h = ph;
		t->path_cap = ncap;
	}
	if (key_len > t->pk_cap) {
		size_t ncap = t->pk_cap ? t->pk_cap : 256;
		while (ncap < key_len)
			ncap *= 2;
		char *p = s3i_realloc(t->pk, ncap);
		if (!p)
			return false;
		t->pk = p;
		t->pk_cap = ncap;
	}
	return true;
}

bool s3i_table_reserve(struct s3i_table *t, size_t key_len, size_t levels)
{
	if (levels > key_len)
		levels = key_len; /* one delimiter per level at least */
	uint64_t need = (uint64_t)t->n_nodes + levels + 1;
	if (need > MAX_NODES || levels > UINT32_MAX / 2)
		return false;
	if (levels + 1 > t->path_cap || key_len > t->pk_cap) {
		if (!grow_path(t, levels, key_len))
			return false;
	}
	while ((uint64_t)t->n_npages * NODE_PAGE < need)
		if (!add_node_page(t))
			return false;
	/* a row may open one overflow block per level for each of its two keys */
	uint64_t need_ext = (uint64_t)(t->n_ext ? t->n_ext : 1) + 2 * (levels + 1);
	if (need_ext > MAX_NODES)
		return false;
	while ((uint64_t)t->n_epages * EXT_PAGE < need_ext)
		if (!add_ext_page(t))
			return false;
	while (!t->slots || need > t->grow_at)
		if (!grow_slots(t))
			return false;
	if ((size_t)(t->str_end - t->str_cur) < key_len || !t->str_cur)
		if (!add_str_chunk(t, key_len))
			return false;
	return true;
}

/* Find the child COMP of PARENT whose full prefix hashes to H, inserting it
 * (room was reserved). AVAIL bytes may be read from COMP (>= len). */
static inline uint32_t find_or_insert(struct s3i_table *t, uint32_t parent, uint64_t h,
                                      const char *comp, size_t len, size_t avail)
{
	uint64_t tag = h & 0xFFFFFFFF00000000u;
	uint64_t i = h >> t->shift;
	uint64_t w = len <= INLINE_COMP ? load_short(comp, len, avail) : 0;
	for (;;) {
		uint64_t s = t->slots[i];
		if (!s)
			break;
		if ((s & 0xFFFFFFFF00000000u) == tag) {
			uint32_t id = (uint32_t)s;
			const struct s3i_tnode *n = node_at(t, id);
			if (n->parent == parent && n->len == len &&
			    (len <= INLINE_COMP ? n->comp.w == w : memcmp(n->comp.p, comp, len) == 0))
				return id;
		}
		i = (i + 1) & t->mask;
	}
	uint32_t id = t->n_nodes++;
	struct s3i_tnode *n = node_at(t, id);
	if (len <= INLINE_COMP) {
		n->comp.w = w;
	} else {
		memcpy(t->str_cur, comp, len);
		n->comp.p = t->str_cur;
		t->str_cur += len;
	}
	n->parent = parent;
	n->len = (uint32_t)len;
	n->cls[0] = n->cls[1] = S3I_CLS_NONE;
	n->ext = n->xext = 0;
	memset(n->st, 0, sizeof n->st);
	t->slots[i] = tag | id;
	return id;
}

/* A fresh overflow block (room was reserved) pushed on the chain at *HEAD. */
static inline struct s3i_text *new_ext(struct s3i_table *t, uint32_t *head)
{
	if (t->n_ext == 0)
		t->n_ext = 1; /* block 0 means "none" */
	uint32_t e = t->n_ext++;
	struct s3i_text *x = ext_at(t, e);
	x->cls[0] = x->cls[1] = x->cls[2] = S3I_CLS_NONE;
	x->next = *head;
	*head = e;
	return x;
}

static inline void node_add(struct s3i_table *t, struct s3i_tnode *n, uint32_t cls,
                            uint64_t objects, uint64_t bytes)
{
	for (int k = 0; k < 2; k++) {
		if (n->cls[k] == cls || n->cls[k] == S3I_CLS_NONE) {
			n->cls[k] = cls;
			n->st[k][0] += objects;
			n->st[k][1] += bytes;
			return;
		}
	}
	/* in the overflow blocks: a class found there swaps places with the
	 * second inline one, so the classes that dominate a prefix stay inline */
	struct s3i_text *room = NULL;
	for (uint32_t e = n->ext; e; ) {
		struct s3i_text *x = ext_at(t, e);
		for (int k = 0; k < EXT_N; k++) {
			if (x->cls[k] == cls) {
				uint64_t o = x->st[k][0] + objects, b = x->st[k][1] + bytes;
				x->cls[k] = n->cls[1];
				x->st[k][0] = n->st[1][0];
				x->st[k][1] = n->st[1][1];
				n->cls[1] = cls;
				n->st[1][0] = o;
				n->st[1][1] = b;
				return;
			}
			if (x->cls[k] == S3I_CLS_NONE && !room) {
				room = x;
				break;
			}
		}
		e = x->next;
	}
	if (!room)
		room = new_ext(t, &n->ext);
	for (int k = 0; k < EXT_N; k++) {
		if (room->cls[k] == S3I_CLS_NONE) {
			room->cls[k] = cls;
			room->st[k][0] = objects;
			room->st[k][1] = bytes;
			return;
		}
	}
}

/* Count the age bucket key CLS in N: in a free inline slot (a prefix with
 * one class), else in its own chain of overflow blocks, so it does not push
 * real classes out of the node's line. (A real class may later swap it from
 * an inline slot into the class chain; a second entry for the same key then
 * starts here, and the iterator sums entries with equal ids.) */
static inline void node_add_x(struct s3i_table *t, struct s3i_tnode *n, uint32_t cls,
                              uint64_t objects, uint64_t bytes)
{
	struct s3i_text *room = NULL;
	int slot = 0;
	/* a free inline slot (a prefix with one class) costs no other line */
	for (int k = 0; k < 2; k++) {
		if (n->cls[k] == cls || n->cls[k] == S3I_CLS_NONE) {
			n->cls[k] = cls;
			n->st[k][0] += objects;
			n->st[k][1] += bytes;
			return;
		}
	}
	for (uint32_t e = n->xext; e; ) {
		struct s3i_text *x = ext_at(t, e);
		for (int k = 0; k < EXT_N; k++) {
			if (x->cls[k] == cls) {
				x->st[k][0] += objects;
				x->st[k][1] += bytes;
				return;
			}
			if (x->cls[k] == S3I_CLS_NONE && !room) {
				room = x;
				slot = k;
			}
		}
		e = x->next;
	}
	if (!room) {
		room = new_ext(t, &n->xext);
		slot = 0;
	}
	room->cls[slot] = cls;
	room->st[slot][0] = objects;
	room->st[slot][1] = bytes;
}

static inline size_t common_len(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t m = alen < blen ? alen : blen, i = 0;
	while (i + 8 <= m) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
		i += 8;
	}
	while (i < m && a[i] == b[i])
		i++;
	return i;
}

static void init_root(struct s3i_table *t)
{
	struct s3i_tnode *r = node_at(t, 0);
	r->parent = S3I_CLS_NONE;
	r->len = 0;
	r->comp.w = 0;
	r->cls[0] = r->cls[1] = S3I_CLS_NONE;
	r->ext = r->xext = 0;
	memset(r->st, 0, sizeof r->st);
	t->n_nodes = 1;
	t->path_valid = false;
}

/* The path t->path[0..level] of KEY is resolved: remember the key, count
 * the row in every node of the path. */
static inline void finish_add(struct s3i_table *t, const char *key, size_t key_len, size_t level,
                              uint32_t cls, uint32_t xkey, uint64_t objects, uint64_t bytes)
{
	t->path_n = level + 1;
	if (key_len)
		memcpy(t->pk, key, key_len);
	t->pk_len = key_len;
	t->path_valid = true;
	if (key_len > t->max_key)
		t->max_key = key_len;
	if (level + 1 > t->max_levels)
		t->max_levels = level + 1;
	t->rows++;
	for (size_t l = 0; l <= level; l++)
		node_add(t, node_at(t, t->path[l]), cls, objects, bytes);
	if (xkey != S3I_CLS_NONE)
		for (size_t l = 0; l <= level; l++)
			node_add_x(t, node_at(t, t->path[l]), xkey, objects, bytes);
}

/*
 * Hot loop, in three passes over the levels below the reused head, so that
 * the cache misses of a key's levels overlap instead of following each
 * other: (1) find the delimiters, hash every level's full prefix and
 * prefetch its home slot; (2) read the slots and prefetch the node the
 * first matching tag names; (3) find or insert each level in order (the
 * parent id is known by then), with everything already on its way.
 */
void s3i_table_add(struct s3i_table *t, const char *key, size_t key_len, char delim,
                   size_t max_levels, uint32_t cls, uint32_t xkey, uint64_t objects,
                   uint64_t bytes)
{
	size_t level = 0, pos = 0, top;
	uint64_t h;

	if (t->n_nodes == 0)
		init_root(t);
	t->path[0] = 0;
	t->path_end[0] = 0;
	t->path_h[0] = ROOT_HASH;
	if (t->path_valid) {
		/* reuse every level of the previous key inside the common head */
		size_t lcp = common_len(key, key_len, t->pk, t->pk_len);
		while (level + 1 < t->path_n && t->path_end[level + 1] <= lcp)
			level++;
		pos = t->path_end[level];
	}
	/* (1) */
	top = level;
	h = t->path_h[level];
	while (top < max_levels) {
		const char *d = memchr(key + pos, delim, key_len - pos);
		if (!d)
			break;
		size_t q = (size_t)(d - key);
		h = hash_comp(h, key + pos, q - pos);
		top++;
		t->path_h[top] = h;
		t->path_end[top] = (uint32_t)(q + 1);
		__builtin_prefetch(&t->slots[h >> t->shift]);
		pos = q + 1;
	}
	/* (2) */
	for (size_t l = level + 1; l <= top; l++) {
		uint64_t hl = t->path_h[l], tag = hl & 0xFFFFFFFF00000000u;
		for (uint64_t i = hl >> t->shift;; i = (i + 1) & t->mask) {
			uint64_t s = t->slots[i];
			if (!s)
				break;
			if ((s & 0xFFFFFFFF00000000u) == tag) {
				__builtin_prefetch(node_at(t, (uint32_t)s));
				break;
			}
		}
	}
	/* (3) */
	for (size_t l = level + 1; l <= top; l++) {
		size_t b = t->path_end[l - 1];
		uint32_t id = find_or_insert(t, t->path[l - 1], t->path_h[l], key + b,
		                             t->path_end[l] - 1 - b, key_len - b);
		const struct s3i_tnode *n = node_at(t, id);
		if (n->ext && n->cls[0] != cls && n->cls[1] != cls)
			__builtin_prefetch(ext_at(t, n->ext));
		if (n->xext)
			__builtin_prefetch(ext_at(t, n->xext));
		t->path[l] = id;
	}
	finish_add(t, key, key_len, top, cls, xkey, objects, bytes);
}

/* ---- batched adds ---- */

size_t s3i_table_prepare(const struct s3i_table *t, struct s3i_tbatch *b,
                         struct s3i_tbatch_row *r, size_t n, char delim, size_t max_levels)
{
	size_t used = 0, j;

	/* (1) every row: reused head, hashes of the other levels, slot prefetch.
	 * Level l (>= 1) of row x is at index x->lv + l - 1 of the arrays. */
	for (j = 0; j < n; j++) {
		struct s3i_tbatch_row *x = &r[j];
		const char *key = x->key;
		size_t key_len = x->key_len, k = 0, pos = 0, top;
		uint64_t h = ROOT_HASH;

		if (j > 0) {
			const struct s3i_tbatch_row *p = &r[j - 1];
			size_t lcp = common_len(key, key_len, p->key, p->key_len);
			while (k < p->top && b->ends[p->lv - 1 + k] <= lcp)
				k++;
			if (k > b->lv_cap - used)
				break;
			for (size_t l = 0; l < k; l++) {
				b->ends[used + l] = b->ends[p->lv - 1 + l];
				b->hashes[used + l] = b->hashes[p->lv - 1 + l];
			}
		} else if (t->path_valid && t->n_nodes > 0) {
			size_t lcp = common_len(key, key_len, t->pk, t->pk_len);
			while (k + 1 < t->path_n && t->path_end[k + 1] <= lcp)
				k++;
			if (k > b->lv_cap - used)
				break;
			for (size_t l = 0; l < k; l++) {
				b->ends[used + l] = t->path_end[l + 1];
				b->hashes[used + l] = t->path_h[l + 1];
			}
		}
		if (k) {
			pos = b->ends[used + k - 1];
			h = b->hashes[used + k - 1];
		}
		top = k;
		while (top < max_levels) {
			const char *d = memchr(key + pos, delim, key_len - pos);
			if (!d)
				break;
			if (top + 1 > b->lv_cap - used)
				goto full;
			size_t q = (size_t)(d - key);
			h = hash_comp(h, key + pos, q - pos);
			b->hashes[used + top] = h;
			b->ends[used + top] = (uint32_t)(q + 1);
			top++;
			if (t->slots)
				__builtin_prefetch(&t->slots[h >> t->shift]);
			pos = q + 1;
		}
		x->lv = (uint32_t)used + 1;
		x->k = (uint32_t)k;
		x->top = (uint32_t)top;
		used += top;
	}
full:
	/* (2) the first node each new level's slot names */
	for (size_t i = 0; i < j && t->slots; i++) {
		for (size_t l = r[i].k + 1; l <= r[i].top; l++) {
			uint64_t hl = b->hashes[r[i].lv + l - 2], tag = hl & 0xFFFFFFFF00000000u;
			for (uint64_t q = hl >> t->shift;; q = (q + 1) & t->mask) {
				uint64_t s = t->slots[q];
				if (!s)
					break;
				if ((s & 0xFFFFFFFF00000000u) == tag) {
					__builtin_prefetch(node_at(t, (uint32_t)s));
					break;
				}
			}
		}
	}
	return j;
}

void s3i_table_add_prepared(struct s3i_table *t, const struct s3i_tbatch *b,
                            const struct s3i_tbatch_row *r, size_t j)
{
	const struct s3i_tbatch_row *x = &r[j];
	const char *key = x->key;
	size_t key_len = x->key_len, top = x->top, k = x->k, base = (size_t)x->lv - 1;

	if (t->n_nodes == 0)
		init_root(t);
	/* the previous row's ids (in t->path) are reusable only if it was
	 * added to this table since its last reset */
	if (!t->path_valid)
		k = 0;
	t->path[0] = 0;
	t->path_end[0] = 0;
	t->path_h[0] = ROOT_HASH;
	for (size_t l = k + 1; l <= top; l++) {
		size_t a = l == 1 ? 0 : b->ends[base + l - 2];
		size_t end = b->ends[base + l - 1];
		uint64_t hl = b->hashes[base + l - 1];
		uint32_t id = find_or_insert(t, t->path[l - 1], hl, key + a, end - 1 - a, key_len - a);
		const struct s3i_tnode *n = node_at(t, id);
		if (n->ext && n->cls[0] != x->cls && n->cls[1] != x->cls)
			__builtin_prefetch(ext_at(t, n->ext));
		if (n->xext)
			__builtin_prefetch(ext_at(t, n->xext));
		t->path[l] = id;
		t->path_end[l] = (uint32_t)end;
		t->path_h[l] = hl;
	}
	finish_add(t, key, key_len, top, x->cls, x->xkey, x->objects, x->bytes);
}

/* ---- sorted iterator ---- */

/* Sibling order: component + delimiter, bytewise. */
static inline int sib_cmp(const struct s3i_table *t, uint32_t a, uint32_t b, char delim)
{
	const struct s3i_tnode *x = node_at(t, a), *y = node_at(t, b);
	size_t m = x->len < y->len ? x->len : y->len;
	const char *xc = comp_of(x), *yc = comp_of(y);
	int r = memcmp(xc, yc, m);
	if (r)
		return r;
	unsigned char cx = x->len > m ? (unsigned char)xc[m] : (unsigned char)delim;
	unsigned char cy = y->len > m ? (unsigned char)yc[m] : (unsigned char)delim;
	return (int)cx - (int)cy;
}

static void sort_ids(const struct s3i_table *t, uint32_t *v, size_t n, char delim)
{
	while (n > 16) {
		/* median of three, Hoare partition; recurse on the smaller side */
		size_t mid = n / 2;
		if (sib_cmp(t, v[mid], v[0], delim) < 0) {
			uint32_t x = v[mid]; v[mid] = v[0]; v[0] = x;
		}
		if (sib_cmp(t, v[n - 1], v[0], delim) < 0) {
			uint32_t x = v[n - 1]; v[n - 1] = v[0]; v[0] = x;
		}
		if (sib_cmp(t, v[n - 1], v[mid], delim) < 0) {
			uint32_t x = v[n - 1]; v[n - 1] = v[mid]; v[mid] = x;
		}
		uint32_t p = v[mid];
		size_t i = 0, j = n - 1;
		for (;;) {
			while (sib_cmp(t, v[i], p, delim) < 0)
				i++;
			while (sib_cmp(t, v[j], p, delim) > 0)
				j--;
			if (i >= j)
				break;
			uint32_t x = v[i]; v[i] = v[j]; v[j] = x;
			i++;
			j--;
		}
		size_t left = j + 1;
		if (left < n - left) {
			sort_ids(t, v, left, delim);
			v += left;
			n -= left;
		} else {
			sort_ids(t, v + left, n - left, delim);
			n = left;
		}
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;
		while (j > 0 && sib_cmp(t, v[j - 1], x, delim) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

int s3i_table_iter_start(struct s3i_table_iter *it, struct s3i_table *t, char delim,
                         s3inv_error *err)
{
	uint32_t n = t->n_nodes;
	memset(it, 0, sizeof *it);
	it->t = t;
	it->delim = delim;
	it->root_done = (n == 0);
	if (n == 0)
		return 0;
	/* order[] and first[] were charged with the node pages */
	it->order = s3i_malloc((size_t)n * sizeof(uint32_t));
	it->first = s3i_calloc((size_t)n + 2, sizeof(uint32_t));
	it->stack_cap = t->max_levels + 1;
	it->stack = s3i_malloc(it->stack_cap * sizeof *it->stack);
	it->buf = s3i_malloc(t->max_key + 1);
	it->cls = s3i_malloc(S3I_CLS_END * sizeof *it->cls);
	if (!it->order || !it->first || !it->stack || !it->buf || !it->cls) {
		s3i_table_iter_end(it);
		return s3i_err_set(err, S3INV_ENOMEM, "aggregation: sorting a prefix table: out of memory");
	}
	for (uint32_t id = 1; id < n; id++)
		it->first[node_at(t, id)->parent + 1]++;
	for (uint32_t p = 1; p < n + 2; p++)
		it->first[p] += it->first[p - 1];
	for (uint32_t id = n - 1; id >= 1; id--)
		it->order[--it->first[node_at(t, id)->parent + 1]] = id;
	for (uint32_t p = 0; p < n; p++) {
		uint32_t a = it->first[p + 1], b = it->first[p + 2];
		if (b - a > 1)
			sort_ids(t, it->order + a, b - a, delim);
	}
	return 0;
}

/* Count class CLS's (O, B) into it->prec (classes kept sorted by id). */
static inline void cls_put(struct s3i_table_iter *it, uint32_t *k, uint32_t cls, uint64_t o,
                           uint64_t b)
{
	/* into the list sorted by id (a few entries); an id already there
	 * (a class counted as small and as large) is summed */
	uint32_t j = *k;
	while (j > 0 && it->cls[j - 1].cls > cls)
		j--;
	if (j > 0 && it->cls[j - 1].cls == cls) {
		it->cls[j - 1].objects += o;
		it->cls[j - 1].bytes += b;
		return;
	}
	if (*k >= S3I_CLS_END)
		return;
	memmove(&it->cls[j + 1], &it->cls[j], (*k - j) * sizeof *it->cls);
	(*k)++;
	it->cls[j].cls = cls;
	it->cls[j].objects = o;
	it->cls[j].bytes = b;
}

/* One table entry into it->prec: a table key (S3I_TKEY_*) becomes the
 * prec's class, small-object and age entries (prec.h). */
static inline void stat_one(struct s3i_table_iter *it, uint32_t *k, uint32_t key, uint64_t o,
                            uint64_t b)
{
	struct s3i_prec *p = &it->prec;
	if (key == S3I_CLS_NC) {
		p->nc_objects += o;
		p->nc_bytes += b;
	} else if (key == S3I_CLS_DM) {
		p->delete_markers += o;
	} else if (key < 2 * S3I_MAX_CLASSES) {
		cls_put(it, k, key >> 1, o, b);
		if (key & 1)
			cls_put(it, k, S3I_CLS_SMALL0 + (key >> 1), o, b);
		p->objects += o;
		p->bytes += b;
	} else if (key >= S3I_TKEY_AGE0 && key < S3I_TKEY_AGE0 + S3I_AGE_SLOTS) {
		cls_put(it, k, S3I_CLS_AGE0 + (key - S3I_TKEY_AGE0), o, b);
	}
}

/* Fill it->prec's statistics from node N. */
static void fill_stats(struct s3i_table_iter *it, const struct s3i_tnode *n)
{
	struct s3i_prec *p = &it->prec;
	uint32_t k = 0;
	p->objects = p->bytes = p->nc_objects = p->nc_bytes = p->delete_markers = 0;
	for (int i = 0; i < 2; i++)
		stat_one(it, &k, n->cls[i], n->st[i][0], n->st[i][1]);
	for (uint32_t e = n->ext; e; ) {
		const struct s3i_text *x = ext_at(it->t, e);
		for (int i = 0; i < EXT_N; i++)
			stat_one(it, &k, x->cls[i], x->st[i][0], x->st[i][1]);
		e = x->next;
	}
	for (uint32_t e = n->xext; e; ) {
		const struct s3i_text *x = ext_at(it->t, e);
		for (int i = 0; i < EXT_N; i++)
			stat_one(it, &k, x->cls[i], x->st[i][0], x->st[i][1]);
		e = x->next;
	}
	p->n_classes = k;
	p->classes = it->cls;
}

int s3i_table_iter_next(struct s3i_table_iter *it, const struct s3i_prec **out)
{
	struct s3i_table *t = it->t;
	if (!it->root_done) {
		it->root_done = true;
		it->prec.prefix = it->buf;
		it->prec.len = 0;
		fill_stats(it, node_at(t, 0));
		it->stack[0].pos = it->first[1];
		it->stack[0].end = it->first[2];
		it->stack[0].plen = 0;
		it->depth = 1;
		*out = &it->prec;
		return 1;
	}
	while (it->depth > 0) {
		struct s3i_titer_level *lv = &it->stack[it->depth - 1];
		if (lv->pos == lv->end) {
			it->depth--;
			continue;
		}
		uint32_t id = it->order[lv->pos++];
		const struct s3i_tnode *n = node_at(t, id);
		size_t plen = lv->plen;
		memcpy(it->buf + plen, comp_of(n), n->len);
		plen += n->len;
		it->buf[plen++] = it->delim;
		it->prec.prefix = it->buf;
		it->prec.len = plen;
		fill_stats(it, n);
		if (it->first[id + 2] > it->first[id + 1] && it->depth < it->stack_cap) {
			struct s3i_titer_level *c = &it->stack[it->depth++];
			c->pos = it->first[id + 1];
			c->end = it->first[id + 2];
			c->plen = plen;
		}
		*out = &it->prec;
		return 1;
	}
	return 0;
}

void s3i_table_iter_end(struct s3i_table_iter *it)
{
	s3i_free(it->order);
	s3i_free(it->first);
	s3i_free(it->stack);
	s3i_free(it->buf);
	s3i_free(it->cls);
	it->order = it->first = NULL;
	it->stack = NULL;
	it->buf = NULL;
	it->cls = NULL;
}
