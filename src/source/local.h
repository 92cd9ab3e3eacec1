/* SPDX-License-Identifier: MIT */
/*
 * local.h — a local data file as an s3i_input (read(2)/pread(2)).
 */
#ifndef S3I_LOCAL_H
#define S3I_LOCAL_H

#include "source/input.h"

/** Open PATH. When MD5_HEX is non-NULL and non-empty, sequential reads are
 *  hashed and checked at end of file (S3INV_ECHECKSUM naming PATH).
 *  @return 0, S3INV_ENOTFOUND (missing), S3INV_EIO, S3INV_ENOMEM. */
int s3i_local_open(struct s3i_input **out, const char *path, const char *md5_hex,
                   s3inv_error *err);

#endif
