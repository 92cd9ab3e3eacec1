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
