/* SPDX-License-Identifier: MIT */
/*
 * mphf_impl.h — private to mphf_build.c and mphf_query.c: the serialized
 * header layout and the inline part/bucket/slot arithmetic that build and
 * query must share bit for bit. Nothing outside src/index/mphf_*.c includes
 * this; the contract for everyone else is mphf.h, the layout is described
 * in docs/mphf.md.
 */
#ifndef S3I_MPHF_IMPL_H
#define S3I_MPHF_IMPL_H

#include <stdint.h>

#define MPHF_MAGIC 0x314648504d493353ull /* "S3IMPHF1" as little-endian bytes */
#define MPHF_VERSION 1u
#define MPHF_HASH_XXH3_128 1u
#define MPHF_HDR_SIZE 128u

/* Bucket function: f(x) = x * (eps + (1 - eps) * x^2), eps as 0.64 fixed
 * point. A cubic with minimum slope eps: the first buckets get ~lambda/eps
 * keys, the last ~lambda/(3 - 2 eps). Big buckets are placed first, while
 * the part is empty. */
#define MPHF_EPS_DEFAULT 0x3333333333333333ull /* 0.2 */

/* Multipliers: C mixes h.lo ^ hp(pilot) before fast-range; C2 spreads the
 * (seed byte, pilot) pair into the 64-bit pilot hash. Both odd. */
#define MPHF_C 0x517cc1b727220a95ull
#define MPHF_C2 0x9e3779b97f4a7c15ull

/* Serialized header, all fields little-endian (we only build for LE hosts;
 * the open check of the magic rejects a byte-swapped file). */
struct mphf_hdr {
	uint64_t magic;
	uint32_t version, hash_id;
	uint64_t n, seed;
	uint64_t parts;       /* P */
	uint64_t slots;       /* S, slots per part */
	uint64_t buckets;     /* B, buckets per part */
	uint64_t eps;         /* bucket function parameter (0.64 fixed point) */
	uint64_t remap_count; /* P*S - n */
	uint32_t remap_width; /* 4 or 8 bytes */
	uint32_t flags;       /* 0 */
	uint64_t pilots_off, seeds_off, remap_off;
	uint64_t total_len;
	uint64_t reserved[2]; /* zero */
};
_Static_assert(sizeof(struct mphf_hdr) == MPHF_HDR_SIZE, "header layout");

__extension__ typedef unsigned __int128 mphf_u128;

static inline uint64_t mphf_mulhi(uint64_t a, uint64_t b)
{
	return (uint64_t)(((mphf_u128)a * b) >> 64);
}

/* Part of a hash and the position inside it (uniform 64-bit fraction). */
static inline uint64_t mphf_part(uint64_t hi, uint64_t parts, uint64_t *frac)
{
	mphf_u128 t = (mphf_u128)hi * parts;
	*frac = (uint64_t)t;
	return (uint64_t)(t >> 64);
}

static inline uint64_t mphf_bucket(uint64_t x, uint64_t eps, uint64_t buckets)
{
	uint64_t x2 = mphf_mulhi(x, x);
	uint64_t g = eps + mphf_mulhi(x2, (uint64_t)0 - eps);
	return mphf_mulhi(mphf_mulhi(x, g), buckets);
}

static inline uint64_t mphf_pilot_hash(unsigned seedbyte, unsigned pilot)
{
	return MPHF_C2 * (((uint64_t)seedbyte << 8 | pilot) + 1);
}

/* Slot inside the part, in [0, S). */
static inline uint64_t mphf_inslot(uint64_t lo, uint64_t hp, uint64_t slots)
{
	return mphf_mulhi(MPHF_C * (lo ^ hp), slots);
}

#endif
