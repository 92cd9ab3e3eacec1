/* SPDX-License-Identifier: MIT */
/*
 * format.h — the on-disk layout of an .s3i index, shared by the writer and
 * the reader. The specification, with rationale, is docs/index-format.md.
 *
 * Little-endian throughout. A 64-byte header, a table of sections (32 bytes
 * each), then the sections, each 64-byte aligned, each with an XXH3-64
 * checksum. Per-prefix columns are fixed width (0, 1, 2, 4 or 8 bytes,
 * recorded in the section's `width`): 0 means every value is zero and
 * nothing is stored. Counter columns are packed instead (width S3I_PACKED):
 * blocks of 64 values, each at its own bit width (0..64, the fewest bits
 * that hold the block's largest value), behind a directory of one u64 per
 * block, (data offset << 7) | bits, and followed by 8 bytes of padding.
 * Prefixes are in byte order = preorder of the tree.
 */
#ifndef S3I_FORMAT_H
#define S3I_FORMAT_H

#include <stdint.h>
#include <string.h>

#define S3I_MAGIC "S3INVIDX"
#define S3I_FORMAT_VERSION 3
#define S3I_HEADER_SIZE 64
#define S3I_SECTION_ENTRY 32
#define S3I_ALIGN 64
#define S3I_STR_BLOCK 16       /* prefixes per front-coded block */
#define S3I_MAX_PREFIX 65536   /* longest prefix stored (bytes) */
#define S3I_PACK_BLOCK 64      /* values per block of a packed column */
#define S3I_PACKED 0x80        /* section width of a packed column */

/* header: magic[8] version u32 header_size u32 n_sections u32 flags u32
 *         n_prefixes u64 file_size u64 table_checksum u64 reserved[16]
 * section entry: id u32 width u32 offset u64 length u64 checksum u64 */

enum s3i_section_id {
	S3I_SEC_META = 1,        /* JSON: metadata and the class names */
	S3I_SEC_OBJECTS = 10,
	S3I_SEC_BYTES = 11,
	S3I_SEC_NC_OBJECTS = 12,
	S3I_SEC_NC_BYTES = 13,
	S3I_SEC_DMARKERS = 14,
	S3I_SEC_DEPTH = 15,      /* packed */
	S3I_SEC_SUBTREE = 16,    /* packed: subtree end - position - 1 (0 for a leaf) */
	S3I_SEC_MAXDEPTH = 17,   /* packed: deepest depth in the subtree - depth */
	S3I_SEC_CLASS_MASK = 18, /* per prefix, `width` bytes: bit c = class c has objects */
	S3I_SEC_CLASS_BASE = 19, /* per S3I_CLASS_BLOCK prefixes: entries, then values, before it */
	S3I_SEC_CLASS_OBJ = 20,  /* per class value (every entry but a prefix's last): packed */
	S3I_SEC_CLASS_BYTES = 21,
	S3I_SEC_STR_BLOCKS = 30, /* ceil(n/16) offsets into STR_DATA, of each block's first entry */
	S3I_SEC_STR_DATA = 31,   /* blocks: varint block number; first = varint len + bytes;
	                            then varint shared, varint len, bytes */
	S3I_SEC_MPHF = 40,       /* serialized s3i_mphf */
	S3I_SEC_SLOTS = 41,      /* per MPHF slot, `width` bits: fp8 | entry-in-block 4 | block offset */
	/* analysis (width 0 / empty when the report lacks the columns) */
	S3I_SEC_AGE_MASK = 50,   /* u8 per prefix: bit b set = age bucket b non-empty (7: no date) */
	S3I_SEC_AGE_BASE = 51,   /* per S3I_AGE_BLOCK prefixes: age entries before the block */
	S3I_SEC_AGE_OBJ = 52,    /* per age entry: objects (packed) */
	S3I_SEC_AGE_BYTES = 53,  /* per age entry: bytes (packed) */
	S3I_SEC_SMALL_STATE = 54, /* per class entry, 2 bits: none / all / some below 128 KiB */
	S3I_SEC_SMALL_OBJ = 55,  /* per "some" entry: objects below 128 KiB (packed) */
	S3I_SEC_SMALL_BYTES = 56 /* per "some" entry: their bytes (packed) */
};

/* Small-object state of a class entry: none of its objects is below
 * 128 KiB, all are (small = the entry's own objects and bytes), or some
 * are (their count and bytes stored densely, in entry order). State blocks
 * cover 64 entries: u32 count of "some" entries before the block, then two
 * u64 words of 32 two-bit states each. */
enum { S3I_SMALL_NONE = 0, S3I_SMALL_ALL = 1, S3I_SMALL_SOME = 2 };
#define S3I_SMALL_BLOCK 64
#define S3I_SMALL_BLOCK_BYTES 20

/* Age entries: a prefix with mask m stores one entry per set bit of m but
 * the highest (that bucket is the prefix's objects/bytes minus the others),
 * so it has popcount(m) - (m != 0) entries. */
#define S3I_AGE_BLOCK 64

/* Age entries stored for a prefix with age mask M. */
static inline unsigned s3i_age_count(unsigned m)
{
	return (unsigned)__builtin_popcount(m) - (m != 0);
}

/* Class entries: a prefix has one entry per set bit of its class mask
 * (class ids in order); values (objects, bytes) are stored for every entry
 * but the last, which is the prefix's objects/bytes minus the others. A
 * base per block of S3I_CLASS_BLOCK prefixes gives the entries and the
 * values before the block; the rest is popcounts of the block's masks. */
#define S3I_CLASS_BLOCK 64
#define S3I_INDEX_MAX_CLASSES 64 /* bits of the widest class mask */

static inline uint16_t s3i_fingerprint(uint64_t lo, uint64_t hi)
{
	return (uint16_t)(((lo ^ (hi >> 17)) * 0x9E3779B97F4A7C15ULL) >> 48);
}

/* Slot records (section 41): bit-packed, `width` bits each, record s at
 * bit s*width: bits 0-7 a fingerprint of the key's hash, bits 8-11 the
 * entry in its string block, the rest the byte offset in STR_DATA of the
 * block (its header, which holds the block number). The section has 8
 * bytes of zero padding so that any record is read with one unaligned
 * 8-byte load. */
#define S3I_SLOT_FP_BITS 8
#define S3I_SLOT_K_BITS 4 /* log2(S3I_STR_BLOCK) */
#define S3I_SLOT_MAX_BITS 56
_Static_assert(S3I_STR_BLOCK == 1 << S3I_SLOT_K_BITS, "slot record entry field");

static inline unsigned s3i_slot_fp(uint16_t fingerprint)
{
	return fingerprint >> 8;
}

/* Bits of a slot record for a string section of STR_LEN bytes. */
static inline unsigned s3i_slot_bits(uint64_t str_len)
{
	uint64_t m = str_len > 1 ? str_len - 1 : 1;
	unsigned ob = 0;
	while (ob < 64 && m >> ob)
		ob++;
	return S3I_SLOT_FP_BITS + S3I_SLOT_K_BITS + ob;
}

/* Bytes of the slot section: N records of BITS bits, then 8 bytes of padding. */
static inline uint64_t s3i_slot_len(uint64_t n, unsigned bits)
{
	return (n * bits + 7) / 8 + 8;
}

static inline uint64_t s3i_slot_record(uint16_t fingerprint, uint64_t k, uint64_t blk)
{
	return s3i_slot_fp(fingerprint) | k << S3I_SLOT_FP_BITS |
	       blk << (S3I_SLOT_FP_BITS + S3I_SLOT_K_BITS);
}

/* The W-bit field (W <= 56) at bit BIT of P: one unaligned 8-byte load
 * (the 8 bytes at P + BIT/8 must exist). */
static inline uint64_t s3i_get_bits(const unsigned char *p, uint64_t bit, unsigned w)
{
	uint64_t v;
	memcpy(&v, p + (bit >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return (v >> (bit & 7)) & (((uint64_t)1 << w) - 1);
}

/* Store VAL in that field. */
static inline void s3i_put_bits(unsigned char *p, uint64_t bit, unsigned w, uint64_t val)
{
	uint64_t v, m = (((uint64_t)1 << w) - 1) << (bit & 7);
	memcpy(&v, p + (bit >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	v = (v & ~m) | (val << (bit & 7) & m);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p + (bit >> 3), &v, 8);
}

static inline uint64_t s3i_get_le(const unsigned char *p, unsigned w)
{
	switch (w) {
	case 1: return p[0];
	case 2: return (uint64_t)p[0] | (uint64_t)p[1] << 8;
	case 4: return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
	case 8: {
		uint64_t v = 0;
		for (int i = 7; i >= 0; i--)
			v = v << 8 | p[i];
		return v;
	}
	default: return 0;
	}
}

static inline void s3i_put_le(unsigned char *p, uint64_t v, unsigned w)
{
	for (unsigned i = 0; i < w; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline unsigned s3i_width_for(uint64_t max)
{
	return max == 0 ? 0 : max <= 0xff ? 1 : max <= 0xffff ? 2 : max <= 0xffffffffULL ? 4 : 8;
}

/* Bits of a packed block whose values OR to MAX (0 when all are 0). */
static inline unsigned s3i_pack_bits(uint64_t max)
{
	return max ? 64u - (unsigned)__builtin_clzll(max) : 0;
}

/* Value K of a packed block of BITS-bit values at P (the 8 bytes after
 * the block must be readable: the section's padding). */
static inline uint64_t s3i_pack_get(const unsigned char *p, unsigned k, unsigned bits)
{
	uint64_t bit = (uint64_t)k * bits;
	if (bits <= 56)
		return bits ? s3i_get_bits(p, bit, bits) : 0;
	return s3i_get_bits(p, bit, 32) | s3i_get_bits(p, bit + 32, bits - 32) << 32;
}

/* Entries (*E) and stored values (*V) of the masks of K prefixes of W
 * bytes each at P. */
static inline void s3i_class_count(const unsigned char *p, unsigned w, uint64_t k, uint64_t *e,
                                   uint64_t *v)
{
	uint64_t ne = 0, nz = 0, i = 0;
	if (w == 1) { /* eight masks a word: bits, and the non-zero bytes */
		const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, hi = 0x8080808080808080ULL;
		for (; i + 8 <= k; i += 8) {
			uint64_t x;
			memcpy(&x, p + i, 8);
			ne += (uint64_t)__builtin_popcountll(x);
			nz += (uint64_t)__builtin_popcountll((((x & lo7) + lo7) | x) & hi);
		}
	}
	for (; i < k; i++) {
		uint64_t x = s3i_get_le(p + i * w, w);
		ne += (uint64_t)__builtin_popcountll(x);
		nz += x != 0;
	}
	*e = ne;
	*v = ne - nz;
}

/* "Some" entries among the first K (0..64) states of small-state block B. */
static inline uint64_t s3i_small_some(const unsigned char *b, unsigned k)
{
	const uint64_t hi = 0xAAAAAAAAAAAAAAAAULL; /* the high bit of every 2-bit state */
	uint64_t w0 = s3i_get_le(b + 4, 8), w1 = s3i_get_le(b + 12, 8);
	if (k < 32)
		return (uint64_t)__builtin_popcountll(w0 & hi & ((1ULL << (2 * k)) - 1));
	return (uint64_t)__builtin_popcountll(w0 & hi) +
	       (uint64_t)__builtin_popcountll(w1 & hi & (k == 64 ? ~0ULL : (1ULL << (2 * (k - 32))) - 1));
}

#endif
