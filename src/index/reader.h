/* SPDX-License-Identifier: MIT */
/*
 * reader.h — internals of an open index, shared by reader.c, verify.c and
 * the query layer (which reads columns directly for scans).
 */
#ifndef S3I_READER_H
#define S3I_READER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "index/format.h"
#include "index/mphf.h"
#include "s3inv.h"

struct s3i_col {
	const unsigned char *p;
	unsigned w;          /* fixed width, or S3I_PACKED */
	uint64_t n, len;
	/* packed: block directory and data (without the padding) */
	const unsigned char *data;
	uint64_t nblocks, dlen;
};

struct s3inv_index {
	char *path;
	int fd;
	unsigned char *map;
	size_t size;
	uint64_t n, n_entries, n_vals, n_age;
	struct s3i_col obj, bytes, ncobj, ncbytes, dm, depth, sub, maxd, clsmask, clsbase, clsobj,
	    clsbytes, strblk;
	struct s3i_col agemask, agebase, ageobj, agebytes, smstate, smobj, smbytes; /* analysis */
	uint64_t n_small; /* class entries with some (not all) objects below 128 KiB */
	const unsigned char *str;
	uint64_t str_len;
	struct s3i_mphf mphf;
	const unsigned char *slots;
	unsigned slot_w; /* bits per slot record (format.h) */
	json_t *meta;
	const char **class_names;
	uint32_t n_classes;
	s3inv_index_info info;
};

/* Value I of column C (0 for a zero-width column). Packed blocks are
 * bounds-checked here: a damaged directory reads as 0, never outside the
 * section. */
static inline uint64_t s3i_col_get(const struct s3i_col *c, uint64_t i)
{
	if (c->w == S3I_PACKED) {
		uint64_t b = i / S3I_PACK_BLOCK, e, off;
		unsigned bits;
		if (b >= c->nblocks)
			return 0;
		e = s3i_get_le(c->p + b * 8, 8);
		bits = (unsigned)(e & 0x7f);
		off = e >> 7;
		if (bits == 0 || bits > 64 || off > c->dlen || (uint64_t)bits * 8 > c->dlen - off)
			return 0;
		return s3i_pack_get(c->data + off, (unsigned)(i % S3I_PACK_BLOCK), bits);
	}
	return c->w ? s3i_get_le(c->p + i * c->w, c->w) : 0;
}

/** Value I of column C (0 for a zero-width column). I must be < C->n. */
uint64_t s3i_index_col(const struct s3i_col *c, uint64_t i);

/* End of the subtree of POS (first position after it; > POS, may exceed n
 * when damaged: callers check) and the deepest depth within it. */
static inline uint64_t s3i_index_end(const struct s3inv_index *x, uint64_t pos)
{
	return pos + 1 + s3i_col_get(&x->sub, pos);
}

static inline uint64_t s3i_index_maxdepth(const struct s3inv_index *x, uint64_t pos)
{
	return s3i_col_get(&x->depth, pos) + s3i_col_get(&x->maxd, pos);
}

/** Class mask of POS, and the positions of its first class entry (small
 *  states) and first stored class value (format.h).
 *  @return 0, S3INV_EINVAL or S3INV_ECORRUPT. */
int s3i_index_class_span(const struct s3inv_index *x, uint64_t pos, uint64_t *mask,
                         uint64_t *entry, uint64_t *val);

/** Decode the prefix at POS into BUF (S3I_MAX_PREFIX bytes).
 *  @return 0, S3INV_EINVAL (pos out of range) or S3INV_ECORRUPT. */
int s3i_index_decode(const struct s3inv_index *x, uint64_t pos, unsigned char *buf, size_t *len);

const char *s3i_section_name(uint32_t id);

/** Objects and bytes below 128 KiB of class entry I, whose own objects
 *  and bytes are OBJECTS and BYTES (zeros without small-object data).
 *  @return 0 or S3INV_ECORRUPT. */
int s3i_index_small(const struct s3inv_index *x, uint64_t i, uint64_t objects, uint64_t bytes,
                    uint64_t *so, uint64_t *sb);

/** Position of the first age entry of POS and its number of entries
 *  (format.h: one per set bit of the mask but the highest).
 *  @return 0 or S3INV_ECORRUPT. */
int s3i_index_age_entries(const struct s3inv_index *x, uint64_t pos, uint64_t *first,
                          unsigned *count);

#endif
