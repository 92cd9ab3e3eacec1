/* SPDX-License-Identifier: MIT */
/*
 * parquet.c — placeholder until the Parquet reader lands.
 */
#include "format/parquet.h"

#include "util/err.h"

int s3i_parquet_read(struct s3i_input *in, s3i_row_fn fn, void *payload, volatile int *cancel,
                     s3inv_error *err)
{
	(void)fn; (void)payload; (void)cancel;
	return s3i_err_set(err, S3INV_EFORMAT, "%s: Parquet inventories are not supported yet",
	                   in->name);
}
