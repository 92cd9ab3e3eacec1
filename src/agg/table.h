/* SPDX-License-Identifier: MIT */
/*
 * table.h — one worker's in-memory prefix table, and its sorted iterator.
 *
 * A prefix is (parent node id, component): node 0 is the bucket root "",
 * every other node (64 bytes, one cache line) stores its parent id and its
 * component (bytes between two delimiters: inline up to 8 bytes, else a
 * pointer into the table's string chunks, each stored once), plus its first
 * two storage classes inline; further classes, the non-current statistics
 * and delete markers live in pooled 64-byte overflow blocks of three.
 * Lookup is an open-addressing hash of the full prefix bytes (XXH3 of each
 * component seeded with its parent prefix's hash), so every level of a key
 * can be hashed, and its slot prefetched, before any node is looked at.
 * About 64 bytes of node + 8 of sort arrays + 11–21 of hash slot (+ long
 * components and overflow blocks) per prefix.
 *
 * All memory is reserved from the budget as the table grows. A row is
 * counted in two steps so that it is never half-applied: s3i_table_reserve
 * guarantees room for any key of a given length (it may fail: the caller
 * spills and retries), then s3i_table_add cannot fail.
 *
 * The iterator emits the prefixes in byte order (a DFS preorder with
 * siblings sorted by component + delimiter) with summed statistics; its
 * working arrays were already charged to the budget by the node pages.
 * Not thread-safe: one table per worker.
 */
#ifndef S3I_AGG_TABLE_H
#define S3I_AGG_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg/prec.h"
#include "s3inv.h"

struct s3i_budget;

/* Table keys: a current object of class c is counted under 2c, or 2c + 1
 * when it is below S3INV_SMALL_OBJECT and small objects are counted (so the
 * small-object counts cost no extra entry update); age bucket b under
 * S3I_TKEY_AGE0 + b. The iterator turns them into the prec's class ids
 * (prec.h). Non-current versions and delete markers have their own keys. */
#define S3I_TKEY_CLASS(c, small) ((uint32_t)(c) << 1 | (uint32_t)(small))
#define S3I_TKEY_AGE0 (4u * S3I_MAX_CLASSES)

/* Pseudo class ids for the overflow list (real ids are < S3I_MAX_CLASSES). */
#define S3I_CLS_NONE 0xFFFFFFFFu
#define S3I_CLS_NC 0xFFFFFFFEu /* objects/bytes = non-current versions */
#define S3I_CLS_DM 0xFFFFFFFDu /* objects = delete markers */

struct s3i_tnode;
struct s3i_text;
struct s3i_tstr;

struct s3i_table {
	struct s3i_budget *budget; /* may be NULL (no accounting) */
	uint64_t bytes;            /* reserved from the budget, total */
	uint32_t n_nodes;          /* 0 = empty (no root yet) */
	uint32_t n_ext;            /* overflow entries used (entry 0 unused) */
	/* nodes and overflow entries in fixed pages (ids stay valid) */
	struct s3i_tnode **npages;
	size_t n_npages, cap_npages;
	struct s3i_text **epages;
	size_t n_epages, cap_epages;
	/* node and overflow pages are carved from 2 MiB huge-page chunks */
	void *chunks;         /* list of chunks (link in each chunk's last bytes) */
	char *chunk_cur, *chunk_end;
	/* hash: slot = top 32 bits of the prefix hash << 32 | node id (0 =
	 * empty; the root is not hashed); home slot = hash >> shift */
	uint64_t *slots;
	uint64_t mask, grow_at;
	unsigned shift;
	/* component strings */
	struct s3i_tstr *strs;
	char *str_cur, *str_end;
	unsigned n_strs;
	/* the previous key and its path (ids and prefix lengths per level) */
	char *pk;
	size_t pk_len, pk_cap;
	uint32_t *path, *path_end;
	uint64_t *path_h; /* hash of each level's full prefix */
	size_t path_n, path_cap;
	bool path_valid;
	size_t max_key;    /* longest key counted since the last reset */
	size_t max_levels; /* deepest path (levels incl. root) since the last reset */
	uint64_t rows;     /* rows counted since the last reset */
};

void s3i_table_init(struct s3i_table *t, struct s3i_budget *budget);
/** Free everything (nodes, strings, hash) and release it from the budget;
 *  the table is empty and reusable. */
void s3i_table_reset(struct s3i_table *t);
/** Reset and free the path cache too. */
void s3i_table_free(struct s3i_table *t);

/** Make sure a key of KEY_LEN bytes with at most LEVELS prefixes below the
 *  root can be added without allocating. @return true, or false when the
 *  budget or the heap refused (the table is unchanged and valid). */
bool s3i_table_reserve(struct s3i_table *t, size_t key_len, size_t levels);

/** Add (OBJECTS, BYTES) under table key CLS (S3I_TKEY_CLASS, S3I_CLS_NC or
 *  S3I_CLS_DM), and under XKEY (the age bucket key) unless it is
 *  S3I_CLS_NONE, to every prefix of KEY up to MAX_LEVELS delimiters deep.
 *  Precondition: a successful s3i_table_reserve(t, key_len, >= levels of
 *  this key). */
void s3i_table_add(struct s3i_table *t, const char *key, size_t key_len, char delim,
                   size_t max_levels, uint32_t cls, uint32_t xkey, uint64_t objects,
                   uint64_t bytes);

/*
 * Batched adds (the aggregator's hot path): rows are first *prepared* in a
 * group (every level's prefix hashed, its slot and then its candidate node
 * prefetched, for all rows at once, so the cache misses of a whole group
 * overlap), then added one by one in order with s3i_table_add_prepared,
 * each after its own s3i_table_reserve. Preparing reads the table but never
 * changes it; a reset (spill) between two adds is fine (the next row then
 * resolves every level by hash).
 */
struct s3i_tbatch_row {
	const char *key;
	size_t key_len;
	uint32_t cls;
	uint32_t xkey; /* age bucket key, S3I_CLS_NONE when unused */
	uint64_t objects, bytes;
	/* filled by s3i_table_prepare */
	uint32_t lv;   /* first of its levels in the batch's level arrays */
	uint32_t k;    /* levels shared with the previous row (reusable ids) */
	uint32_t top;  /* its number of levels below the root */
};

struct s3i_tbatch {
	uint32_t *ends;   /* per level: offset after its delimiter */
	uint64_t *hashes; /* per level: hash of the full prefix */
	size_t lv_cap;
};

/** Prepare rows R[0..n) of a batch (levels up to MAX_LEVELS delimiters),
 *  after the table's current last key. @return how many rows (from R[0])
 *  were prepared: fewer than N when B's level arrays are full, 0 when R[0]
 *  alone has more levels than they hold (add it with s3i_table_add). */
size_t s3i_table_prepare(const struct s3i_table *t, struct s3i_tbatch *b,
                         struct s3i_tbatch_row *r, size_t n, char delim, size_t max_levels);

/** Add prepared row R[J] (R[J-1] is the previous one, added just before,
 *  unless J == 0). Precondition: a successful s3i_table_reserve for it. */
void s3i_table_add_prepared(struct s3i_table *t, const struct s3i_tbatch *b,
                            const struct s3i_tbatch_row *r, size_t j);

/** Number of class entries at most in one prec of this table. */
struct s3i_table_iter {
	struct s3i_table *t;
	char delim;
	uint32_t *order; /* non-root node ids grouped by parent, sorted */
	uint32_t *first; /* children of p: order[first[p+1] .. first[p+2]) */
	struct s3i_titer_level *stack;
	size_t depth, stack_cap;
	char *buf;
	struct s3i_cstat *cls;
	struct s3i_prec prec;
	bool root_done;
};

/** Prepare to walk T in prefix order (T must not change meanwhile).
 *  @return 0 or S3INV_ENOMEM. */
int s3i_table_iter_start(struct s3i_table_iter *it, struct s3i_table *t, char delim,
                         s3inv_error *err);
/** Next prefix: @return 1 with *out set (valid until the next call), 0 at
 *  the end. */
int s3i_table_iter_next(struct s3i_table_iter *it, const struct s3i_prec **out);
void s3i_table_iter_end(struct s3i_table_iter *it);

#endif
