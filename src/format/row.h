/* SPDX-License-Identifier: MIT */
/*
 * row.h — the unified inventory row that every format reader yields.
 *
 * Readers call the sink once per row; every pointer is a borrowed slice of
 * the reader's buffers, valid only during the call (rows never cross
 * threads, and are never copied: the aggregator copies what it keeps).
 * `key` is already URL-decoded for CSV (raw for Parquet/ORC).
 */
#ifndef S3I_ROW_H
#define S3I_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"

/** Which optional columns the file has (decided once per file). */
struct s3i_columns {
	bool size, storage_class, is_latest, is_delete_marker, tier, last_modified;
};

struct s3i_row {
	const char *key;
	size_t key_len;
	uint64_t size;             /* 0 when absent or empty (delete markers) */
	const char *storage_class; /* empty (len 0) when absent or "" */
	size_t storage_class_len;
	const char *tier;          /* IntelligentTieringAccessTier, len 0 when absent */
	size_t tier_len;
	int64_t last_modified_ms;  /* ms since epoch; INT64_MIN when absent/empty */
	bool is_latest;            /* true when the column is absent or empty */
	bool is_delete_marker;     /* false when absent or empty */
};

/** The sink: return 0 to continue, or a negative code to stop the reader
 *  (it returns that code unchanged). */
typedef int (*s3i_row_fn)(void *payload, const struct s3i_row *row);

/** Map of our columns to positions in a file (CSV) or schema (Parquet):
 *  -1 when absent. Filled from the manifest's fileSchema for CSV. */
struct s3i_colmap {
	int bucket, key, size, storage_class, is_latest, is_delete_marker, tier, last_modified;
	int ncols;                 /* total columns per row (CSV) */
};

#endif
