/* SPDX-License-Identifier: MIT */
/*
 * mphf.h — minimal perfect hash function over byte strings (PtrHash-style:
 * hash → part → bucket → one-byte pilot → slot → rare remap).
 * See docs/mphf.md for the design and the serialized layout.
 *
 * Build: add every key once (they must be unique: a duplicate is detected
 * and reported, never an endless loop), then finish, which builds the parts
 * in parallel and serializes the function into one buffer. The output is
 * byte-identical whatever the thread count.
 * Query: open a view over the serialized bytes (e.g. inside the mmapped
 * index; validated at open) and map any key to a slot in [0, n). Keys not in
 * the set map to some slot too: the caller checks (fingerprint, then bytes).
 */
#ifndef S3I_MPHF_H
#define S3I_MPHF_H

#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"

struct s3i_budget;

struct s3i_hash128 {
	uint64_t lo, hi;
};

/** The key hash used by the MPHF (XXH3-128 with SEED). */
struct s3i_hash128 s3i_mphf_hash(uint64_t seed, const void *key, size_t len);

struct s3i_mphf_builder;

/** @param budget may be NULL; when the hashes exceed what it grants they
 *  are spilled under TMP_DIR by part range. */
int s3i_mphf_builder_new(struct s3i_mphf_builder **out, uint64_t seed, struct s3i_budget *budget,
                         const char *tmp_dir, s3inv_error *err);
/** Optional, before the first add: expect about N keys (saves regrowing
 *  the in-memory arrays; skipped when the budget cannot hold them). */
int s3i_mphf_builder_reserve(struct s3i_mphf_builder *b, uint64_t n, s3inv_error *err);
int s3i_mphf_builder_add(struct s3i_mphf_builder *b, const void *key, size_t len, s3inv_error *err);
/** Add COUNT keys, hashed by THREADS threads (the same result as adding
 *  them one by one, in order). */
int s3i_mphf_builder_add_batch(struct s3i_mphf_builder *b, const void *const *keys,
                               const size_t *lens, size_t count, unsigned threads,
                               s3inv_error *err);
/** Build with THREADS threads; *out (s3i_malloc'd, caller frees with s3i_free)
 *  receives the serialized function of *out_len bytes. */
int s3i_mphf_builder_finish(struct s3i_mphf_builder *b, unsigned threads, void **out,
                            size_t *out_len, s3inv_error *err);
void s3i_mphf_builder_free(struct s3i_mphf_builder *b);

/** A read-only view over serialized bytes (which must outlive it and be
 *  8-byte aligned). */
struct s3i_mphf {
	uint64_t n, seed;
	const void *priv[8]; /* implementation fields */
	uint64_t params[8];
};

/** Validate and open. @return 0 or S3INV_ECORRUPT. */
int s3i_mphf_open(struct s3i_mphf *m, const void *bytes, size_t len, s3inv_error *err);
/** Slot of KEY in [0, n) (n > 0). Thread-safe. */
uint64_t s3i_mphf_lookup(const struct s3i_mphf *m, const void *key, size_t len);
/** The same from a precomputed hash (batch lookups hash ahead). */
uint64_t s3i_mphf_slot(const struct s3i_mphf *m, struct s3i_hash128 h);
/** Prefetch what s3i_mphf_slot(m, h) will read. */
void s3i_mphf_prefetch(const struct s3i_mphf *m, struct s3i_hash128 h);
/** s3i_mphf_slot in two steps, for batches: s3i_mphf_start prefetches
 *  the pilot H needs and returns a token (the bucket, computed once);
 *  s3i_mphf_finish(m, h, token), later, returns s3i_mphf_slot(m, h). */
uint64_t s3i_mphf_start(const struct s3i_mphf *m, struct s3i_hash128 h);
uint64_t s3i_mphf_finish(const struct s3i_mphf *m, struct s3i_hash128 h, uint64_t token);

#endif
