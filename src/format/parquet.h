/* SPDX-License-Identifier: MIT */
/*
 * parquet.h — the Parquet inventory reader: footer → projected column
 * chunks → rows. Reads only the columns the index uses, by exact ranges
 * (s3i_input pread), row group by row group. Keys are raw (not URL-encoded).
 */
#ifndef S3I_PARQUET_H
#define S3I_PARQUET_H

#include "format/row.h"
#include "source/input.h"

/** Read every row of the Parquet file IN (which must support pread) and
 *  call FN for each. @return 0, FN's code, S3INV_EFORMAT (naming the file
 *  and the problem), S3INV_EIO, S3INV_ECANCELED. */
int s3i_parquet_read(struct s3i_input *in, s3i_row_fn fn, void *payload, volatile int *cancel,
                     s3inv_error *err);

#endif
