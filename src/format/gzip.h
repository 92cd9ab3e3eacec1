/* SPDX-License-Identifier: MIT */
/*
 * gzip.h — a decompressing stream over an s3i_input.
 *
 * Decides by the magic bytes (1f 8b), not the name: a plain file passes
 * through. Multi-member gzip is decoded member after member. A truncated or
 * damaged stream is S3INV_EFORMAT naming the input. ISA-L's igzip does the
 * inflating (several times faster than zlib).
 */
#ifndef S3I_GZIP_H
#define S3I_GZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "source/input.h"

struct s3i_gz;

/** Wrap IN (borrowed: the caller closes it after s3i_gz_close). */
int s3i_gz_open(struct s3i_gz **out, struct s3i_input *in, s3inv_error *err);
/** Read up to CAP decompressed bytes; *n == 0 at the end. */
int s3i_gz_read(struct s3i_gz *z, void *buf, size_t cap, size_t *n, s3inv_error *err);
bool s3i_gz_is_compressed(const struct s3i_gz *z);
void s3i_gz_close(struct s3i_gz *z);

#endif
