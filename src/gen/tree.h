/* SPDX-License-Identifier: MIT */
/*
 * tree.h — the key space of the sample-data generator.
 *
 * A generated bucket is an implicit tree whose leaves are inventory rows,
 * numbered 0..n-1 in key order (depth-first, children in byte order). Every
 * node splits its leaf range among its children by a deterministic, skewed
 * rule drawn from a hash of the node's identity, so row i's key is computed
 * from (seed, i) alone by one descent from the root: no key is ever stored,
 * any row can be produced by any thread, and rows 0..n-1 in order are the
 * report sorted by key. Shuffling is a permutation of row numbers (gen.c).
 *
 * Names of siblings are "<constant prefix><zero-padded index><suffix>" (or
 * a sorted fixed list, or dates), so the index alone orders them: hostile
 * suffixes (spaces, '+', '%', unicode, "//", trailing '/', 20 extra levels,
 * '"' and ',') come after the index and never break the order.
 *
 * With versions, leaves of a folder are taken in pairs: a pair is either
 * two keys, or one key with two rows (current + non-current, delete marker
 * + non-current, or current + superseded delete marker).
 *
 * It does not format rows, encode keys or choose sizes: see row.h.
 */
#ifndef S3I_GEN_TREE_H
#define S3I_GEN_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"

#define S3I_GEN_KEY_MAX 1024

/** Sections of a bucket: they pick size, class and date distributions. */
enum s3i_gen_sect {
	S3I_GEN_SECT_ROOT = 0, /* root-level objects */
	S3I_GEN_SECT_LOGS,
	S3I_GEN_SECT_PHOTOS,
	S3I_GEN_SECT_DATASETS,
	S3I_GEN_SECT_BACKUPS,
	S3I_GEN_SECT_TMP,
	S3I_GEN_SECT_COUNT
};

/** What a row is (only CURRENT without versions). */
enum s3i_gen_role {
	S3I_GEN_CURRENT = 0,   /* IsLatest true, not a delete marker */
	S3I_GEN_NONCURRENT,    /* IsLatest false, an older version */
	S3I_GEN_MARKER_LATEST, /* delete marker, IsLatest true */
	S3I_GEN_MARKER_OLD     /* delete marker, IsLatest false */
};

/** Hostile key features (one per hostile key). */
enum s3i_gen_hostile {
	S3I_GEN_H_SPACE = 0,
	S3I_GEN_H_PLUS,
	S3I_GEN_H_PERCENT,
	S3I_GEN_H_ACCENT,
	S3I_GEN_H_CJK,
	S3I_GEN_H_EMOJI,
	S3I_GEN_H_DSLASH,
	S3I_GEN_H_MARKER, /* key ends in '/' */
	S3I_GEN_H_DEEP,   /* 20 more levels */
	S3I_GEN_H_QUOTE,
	S3I_GEN_H_COMMA,
	S3I_GEN_H_MIX,
	S3I_GEN_H_COUNT
};

/** Everything fixed for one generated report. */
struct s3i_gen_tree {
	uint64_t n; /* rows */
	uint64_t seed;
	s3inv_shape shape;
	bool versions;
	int64_t report_day; /* days since 1970-01-01 of the report */
	unsigned days_back; /* span of LastModifiedDate (about six years) */
};

/** One row's key and the facts the row formatter needs. */
struct s3i_gen_key {
	char key[S3I_GEN_KEY_MAX]; /* decoded key bytes (not NUL-terminated) */
	size_t len;
	enum s3i_gen_sect sect;
	enum s3i_gen_role role;
	uint64_t key_id; /* identity of the key: equal for all rows of a key */
	uint64_t leader; /* row number of the key's first row */
	unsigned nrows;  /* rows of this key (1 or 2) */
	int64_t day;     /* day of LastModifiedDate fixed by the path, or -1 */
	int hour;        /* hour fixed by the path, or -1 */
	int hostile;     /* enum s3i_gen_hostile, or -1 */
	int variant;     /* extension variant (0 = the section's usual) */
	bool folder;     /* a folder-marker object (size 0) */
};

/** Fill T. REPORT_MS is the report's creationTimestamp. */
void s3i_gen_tree_init(struct s3i_gen_tree *t, uint64_t n, uint64_t seed, s3inv_shape shape,
                       bool versions, int64_t report_ms);

/** Compute row I (0 <= i < t->n, in key order) into OUT. Pure function of
 *  (T, I); thread-safe. */
void s3i_gen_tree_key(const struct s3i_gen_tree *t, uint64_t i, struct s3i_gen_key *out);

/** The report day index of a civil date and back (proleptic Gregorian). */
int64_t s3i_gen_days_from_civil(int y, unsigned m, unsigned d);
void s3i_gen_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

/** 64-bit mixing (splitmix64 finaliser) and a two-input hash. */
static inline uint64_t s3i_gen_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline uint64_t s3i_gen_h2(uint64_t a, uint64_t b)
{
	return s3i_gen_mix(a ^ s3i_gen_mix(b + 0x9e3779b97f4a7c15ULL));
}

#endif
