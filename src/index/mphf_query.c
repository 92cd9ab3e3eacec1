/* SPDX-License-Identifier: MIT */
/*
 * mphf_query.c — the read side of the minimal perfect hash: validate a
 * serialized function (s3i_mphf_open) and map keys to slots.
 *
 * A lookup is: XXH3-128 of the key; part and in-part position from one
 * 64x64 multiply of h.hi; the bucket from a cubic of that position; one
 * random byte read (the bucket's pilot); slot = part*S + fast-range of
 * C*(h.lo ^ hp(pilot)); and, for the ~1% of keys whose slot is >= n, one
 * read of the remap table. The view never writes and never allocates, so
 * one opened struct may be shared by any number of threads.
 *
 * s3i_mphf_open checks every header field and every section's bounds
 * against the buffer length, and every remap entry against n, so a lookup
 * on an opened view can never read out of bounds or return a slot >= n.
 */
#include "index/mphf.h"

#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "index/mphf_impl.h"
#include "util/err.h"

enum { PV_PILOTS, PV_SEEDS, PV_REMAP };
enum { PM_PARTS, PM_SLOTS, PM_BUCKETS, PM_EPS, PM_RWIDTH, PM_RCOUNT };

struct s3i_hash128 s3i_mphf_hash(uint64_t seed, const void *key, size_t len)
{
	XXH128_hash_t h = XXH3_128bits_withSeed(len ? key : "", len, seed);
	struct s3i_hash128 r = {h.low64, h.high64};
	return r;
}

static int bad(s3inv_error *err, const char *what)
{
	return s3i_err_set(err, S3INV_ECORRUPT, "mphf: header: %s", what);
}

static uint64_t align8(uint64_t x) { return (x + 7) & ~(uint64_t)7; }

/* Is [off, off+len) inside [MPHF_HDR_SIZE, total) and 8-byte aligned? */
static int section_ok(uint64_t off, uint64_t len, uint64_t total)
{
	if (off % 8 || off < MPHF_HDR_SIZE || off > total)
		return 0;
	return len <= total - off;
}

int s3i_mphf_open(struct s3i_mphf *m, const void *bytes, size_t len, s3inv_error *err)
{
	struct mphf_hdr h;
	uint64_t i, nbuckets, rbytes;
	memset(m, 0, sizeof *m);
	if (!bytes || len < MPHF_HDR_SIZE)
		return bad(err, "truncated");
	if ((uintptr_t)bytes % 8)
		return s3i_err_set(err, S3INV_EINVAL, "mphf: buffer not 8-byte aligned");
	memcpy(&h, bytes, sizeof h);
	if (h.magic != MPHF_MAGIC)
		return bad(err, "bad magic");
	if (h.version != MPHF_VERSION)
		return bad(err, "unsupported version");
	if (h.hash_id != MPHF_HASH_XXH3_128)
		return bad(err, "unknown hash function");
	if (h.flags != 0 || h.reserved[0] != 0 || h.reserved[1] != 0)
		return bad(err, "unknown flags");
	if (h.total_len != len)
		return bad(err, "length mismatch");
	if (h.n == 0) {
		if (h.parts || h.slots || h.buckets || h.remap_count)
			return bad(err, "empty function with parts");
	} else {
		if (h.parts == 0 || h.slots == 0 || h.buckets == 0)
			return bad(err, "zero parts, slots or buckets");
		if (h.slots > ((uint64_t)1 << 32) || h.buckets > h.slots)
			return bad(err, "part too large");
		if (h.parts > UINT64_MAX / h.slots || h.parts * h.slots < h.n)
			return bad(err, "fewer slots than keys");
		if (h.parts * h.slots - h.n != h.remap_count)
			return bad(err, "remap count");
		if (h.parts > UINT64_MAX / h.buckets)
			return bad(err, "bucket count overflow");
	}
	if (h.eps == 0)
		return bad(err, "bucket function");
	if (h.remap_width != (h.n > UINT32_MAX ? 8u : 4u))
		return bad(err, "remap width");
	nbuckets = h.parts * h.buckets;
	if (h.remap_count > UINT64_MAX / 8)
		return bad(err, "remap count");
	rbytes = h.remap_count * h.remap_width;
	/* the sections follow the header in a fixed order, each 8-byte padded */
	if (h.pilots_off != MPHF_HDR_SIZE || !section_ok(h.pilots_off, nbuckets, len) ||
	    h.seeds_off != h.pilots_off + align8(nbuckets))
		return bad(err, "pilots section out of bounds");
	if (!section_ok(h.seeds_off, h.parts, len) || h.remap_off != h.seeds_off + align8(h.parts))
		return bad(err, "seeds section out of bounds");
	if (!section_ok(h.remap_off, rbytes, len) || len - h.remap_off != align8(rbytes))
		return bad(err, "remap section out of bounds");
	/* every remap target must be a slot < n */
	if (h.remap_width == 4) {
		const uint32_t *r = (const uint32_t *)((const unsigned char *)bytes + h.remap_off);
		for (i = 0; i < h.remap_count; i++)
			if (r[i] >= h.n)
				return s3i_err_set(err, S3INV_ECORRUPT, "mphf: remap entry %llu out of range",
				                   (unsigned long long)i);
	} else {
		const uint64_t *r = (const uint64_t *)((const unsigned char *)bytes + h.remap_off);
		for (i = 0; i < h.remap_count; i++)
			if (r[i] >= h.n)
				return s3i_err_set(err, S3INV_ECORRUPT, "mphf: remap entry %llu out of range",
				                   (unsigned long long)i);
	}
	m->n = h.n;
	m->seed = h.seed;
	m->priv[PV_PILOTS] = (const unsigned char *)bytes + h.pilots_off;
	m->priv[PV_SEEDS] = (const unsigned char *)bytes + h.seeds_off;
	m->priv[PV_REMAP] = (const unsigned char *)bytes + h.remap_off;
	m->params[PM_PARTS] = h.parts;
	m->params[PM_SLOTS] = h.slots;
	m->params[PM_BUCKETS] = h.buckets;
	m->params[PM_EPS] = h.eps;
	m->params[PM_RWIDTH] = h.remap_width;
	m->params[PM_RCOUNT] = h.remap_count;
	return 0;
}

/* Hot path: no checks beyond n == 0; open has proven every index below is
 * in bounds (part < P, bucket < B, slot < P*S, slot - n < remap_count).
 * The steps are shared by s3i_mphf_slot and the two-step start/finish. */

/* Global bucket index of H (part * B + bucket); *PART its part. */
static inline uint64_t global_bucket(const struct s3i_mphf *m, struct s3i_hash128 h,
                                     uint64_t *part)
{
	uint64_t frac, B = m->params[PM_BUCKETS];
	*part = mphf_part(h.hi, m->params[PM_PARTS], &frac);
	return *part * B + mphf_bucket(frac, m->params[PM_EPS], B);
}

/* Slot of H in PART whose bucket is GB, through the remap table when it
 * falls in the part's tail (>= n). */
static inline uint64_t slot_of(const struct s3i_mphf *m, struct s3i_hash128 h, uint64_t part,
                               uint64_t gb)
{
	const unsigned char *pilots = m->priv[PV_PILOTS], *seeds = m->priv[PV_SEEDS];
	uint64_t S = m->params[PM_SLOTS];
	uint64_t slot = part * S + mphf_inslot(h.lo, mphf_pilot_hash(seeds[part], pilots[gb]), S);
	if (__builtin_expect(slot >= m->n, 0)) {
		if (m->params[PM_RWIDTH] == 4)
			return ((const uint32_t *)m->priv[PV_REMAP])[slot - m->n];
		return ((const uint64_t *)m->priv[PV_REMAP])[slot - m->n];
	}
	return slot;
}

uint64_t s3i_mphf_slot(const struct s3i_mphf *m, struct s3i_hash128 h)
{
	uint64_t part, gb;
	if (m->n == 0)
		return 0;
	gb = global_bucket(m, h, &part);
	return slot_of(m, h, part, gb);
}

void s3i_mphf_prefetch(const struct s3i_mphf *m, struct s3i_hash128 h)
{
	(void)s3i_mphf_start(m, h);
}

/* The token is the global bucket index (< P * B, so the pilot read in
 * finish is in bounds as in s3i_mphf_slot); finish recomputes only the
 * part (one multiply), not the bucket's cubic. */
uint64_t s3i_mphf_start(const struct s3i_mphf *m, struct s3i_hash128 h)
{
	const unsigned char *pilots = m->priv[PV_PILOTS];
	uint64_t part, gb;
	if (m->n == 0)
		return 0;
	gb = global_bucket(m, h, &part);
	__builtin_prefetch(pilots + gb);
	return gb;
}

uint64_t s3i_mphf_finish(const struct s3i_mphf *m, struct s3i_hash128 h, uint64_t token)
{
	uint64_t frac, part;
	if (m->n == 0)
		return 0;
	part = mphf_part(h.hi, m->params[PM_PARTS], &frac);
	return slot_of(m, h, part, token);
}

uint64_t s3i_mphf_lookup(const struct s3i_mphf *m, const void *key, size_t len)
{
	XXH128_hash_t x = XXH3_128bits_withSeed(len ? key : "", len, m->seed);
	struct s3i_hash128 h = {x.low64, x.high64};
	return s3i_mphf_slot(m, h);
}
