/* SPDX-License-Identifier: MIT */
/*
 * parquet.h — the Parquet inventory reader: footer → projected column
 * chunks → rows. Reads only the columns the index uses, by exact ranges
 * (s3i_input pread), row group by row group. Keys are raw (not URL-encoded).
 *
 * Columns are found by name, case-insensitively, among the top-level leaves
 * of the file's schema: key (required), size, storage_class, is_latest,
 * is_delete_marker, intelligent_tiering_access_tier, last_modified_date.
 * Every other column (bucket, e_tag, ...) is never read. See docs/parquet.md.
 */
#ifndef S3I_PARQUET_H
#define S3I_PARQUET_H

#include <stdint.h>

#include "format/row.h"
#include "source/input.h"

/** Read every row of the Parquet file IN (which must support pread) and
 *  call FN for each. @return 0, FN's code, S3INV_EFORMAT (naming the file
 *  and the problem), S3INV_EIO, S3INV_ECANCELED. */
int s3i_parquet_read(struct s3i_input *in, s3i_row_fn fn, void *payload, volatile int *cancel,
                     s3inv_error *err);

/** What a Parquet file's footer says, for planning a build. */
struct s3i_parquet_info {
	struct s3i_columns cols;   /* which optional columns the file has */
	uint64_t num_rows;         /* as the footer declares */
	uint32_t num_row_groups;
};

/** Read only the footer of IN (one or two preads at the end of the file)
 *  and fill OUT. Fails like s3i_parquet_read on a bad footer, and with
 *  S3INV_EFORMAT "<file>: no key column" when there is no key column.
 *  @return 0, S3INV_EFORMAT, S3INV_EIO, S3INV_ENOMEM. */
int s3i_parquet_info(struct s3i_input *in, struct s3i_parquet_info *out, s3inv_error *err);

/** Convenience over s3i_parquet_info: just the column set. */
int s3i_parquet_columns(struct s3i_input *in, struct s3i_columns *out, s3inv_error *err);

/** Like s3i_parquet_read, for row groups [FIRST, FIRST + COUNT) only
 *  (COUNT may run past the end): the unit of parallel work. Each call reads
 *  the footer again. When COLS is non-NULL it receives the column set
 *  before the first row is delivered. */
int s3i_parquet_read_groups(struct s3i_input *in, uint32_t first, uint32_t count,
                            struct s3i_columns *cols, s3i_row_fn fn, void *payload,
                            volatile int *cancel, s3inv_error *err);

#endif
