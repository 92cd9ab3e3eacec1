/* SPDX-License-Identifier: MIT */
/*
 * prec.h — one prefix with its statistics, as it flows from the aggregator
 * through spill runs and the merge into the index writer.
 *
 * Streams of precs are sorted by prefix bytes (memcmp, shorter first on a
 * tie), which for prefixes ending in the delimiter is a preorder of the
 * prefix tree (architecture.md, principle 4). Class ids are the build's
 * global ids (s3i_classes); the writer renumbers them by name.
 */
#ifndef S3I_PREC_H
#define S3I_PREC_H

#include <stddef.h>
#include <stdint.h>

#define S3I_MAX_CLASSES 1024 /* distinct storage-class keys in one build */

/* Pseudo class ids ride in the class lists of precs next to the real ones
 * (ids below S3I_MAX_CLASSES), so the analysis counters survive tables,
 * runs and merges unchanged:
 *  - S3I_CLS_AGE0 + b: current objects in age bucket b (0..6 as in
 *    s3inv_age, 7 = no LastModifiedDate); the buckets of a prefix sum to
 *    its objects and bytes;
 *  - S3I_CLS_SMALL0 + c: current objects of class c below
 *    S3INV_SMALL_OBJECT bytes.
 * A prec's objects/bytes are the sums of its real classes only. */
#define S3I_AGE_SLOTS 8 /* 7 age buckets + "unknown" */
/* first day of each age bucket (s3inv_age_bucket_days) */
#define S3I_AGE_BOUND_DAYS {0, 30, 90, 180, 365, 730, 1825}
#define S3I_AGE_UNKNOWN 7
#define S3I_CLS_AGE0 S3I_MAX_CLASSES
#define S3I_CLS_SMALL0 (2 * S3I_MAX_CLASSES)
#define S3I_CLS_END (3 * S3I_MAX_CLASSES) /* every class id in a prec is below this */

struct s3i_cstat {
	uint32_t cls;
	uint64_t objects, bytes;
};

struct s3i_prec {
	const char *prefix;
	size_t len;
	uint64_t objects, bytes;        /* current versions */
	uint64_t nc_objects, nc_bytes;  /* non-current versions */
	uint64_t delete_markers;
	uint32_t n_classes;
	const struct s3i_cstat *classes; /* sorted by cls, objects > 0 */
};

/** The sink the merge streams into (the index writer). */
typedef int (*s3i_prec_fn)(void *payload, const struct s3i_prec *p);

#endif
