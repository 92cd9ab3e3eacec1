/* SPDX-License-Identifier: MIT */
/*
 * input.h — where bytes come from: one data file, local or remote.
 *
 * The source layer opens inputs; the format layer reads them without knowing
 * whether they are local files or S3 objects. An input supports sequential
 * reads (CSV, streamed through the gzip decoder) and, when `can_pread`,
 * positioned reads of exact ranges (Parquet footers and column chunks).
 *
 * When the input was opened with an expected MD5, sequential reading hashes
 * every byte and the read that reaches end-of-file returns S3INV_ECHECKSUM,
 * with the file named, if the digest differs. Positioned reads are not
 * hashed (see docs for what that means for Parquet over S3).
 *
 * Not thread-safe: one input belongs to one worker.
 */
#ifndef S3I_INPUT_H
#define S3I_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"

struct s3i_input;

struct s3i_input_ops {
	/** Read up to CAP bytes; *out_n == 0 means end of file.
	 *  @return 0 or a negative code (err filled, naming the file). */
	int (*read)(struct s3i_input *in, void *buf, size_t cap, size_t *out_n, s3inv_error *err);
	/** Read exactly LEN bytes at OFF (NULL when !can_pread). */
	int (*pread)(struct s3i_input *in, uint64_t off, void *buf, size_t len, s3inv_error *err);
	/** Release everything (accepts NULL). */
	void (*close)(struct s3i_input *in);
};

struct s3i_input {
	const struct s3i_input_ops *ops;
	const char *name;   /* for messages: the path or s3:// URL (owned by the input) */
	uint64_t size;      /* total size in bytes (UINT64_MAX when unknown) */
	bool can_pread;
};

static inline int s3i_input_read(struct s3i_input *in, void *buf, size_t cap, size_t *n,
                                 s3inv_error *err)
{
	return in->ops->read(in, buf, cap, n, err);
}

static inline int s3i_input_pread(struct s3i_input *in, uint64_t off, void *buf, size_t len,
                                  s3inv_error *err)
{
	return in->ops->pread(in, off, buf, len, err);
}

static inline void s3i_input_close(struct s3i_input *in)
{
	if (in)
		in->ops->close(in);
}

#endif
