/* SPDX-License-Identifier: MIT */
/*
 * spool.h — anonymous temporary files with buffered appends, used by the
 * index writer to hold columns until the prefix count is known.
 *
 * A spool is created under a directory and unlinked at once: it lives only
 * as long as its descriptor, so a crash or Ctrl-C leaves nothing behind.
 * Appends go through a 256 KiB buffer; reads happen after s3i_spool_flush.
 * Not thread-safe.
 */
#ifndef S3I_SPOOL_H
#define S3I_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"

struct s3i_spool {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	uint64_t size;    /* bytes appended so far (flushed or not) */
	const char *what; /* for messages */
};

int s3i_spool_open(struct s3i_spool *s, const char *dir, const char *what, s3inv_error *err);
int s3i_spool_write(struct s3i_spool *s, const void *p, size_t n, s3inv_error *err);
int s3i_spool_flush(struct s3i_spool *s, s3inv_error *err);
/** Read exactly N bytes at OFF (after a flush). */
int s3i_spool_pread(struct s3i_spool *s, void *p, size_t n, uint64_t off, s3inv_error *err);
void s3i_spool_close(struct s3i_spool *s);

/** pwrite all of N bytes to FD at OFF, naming WHAT in errors (disk full). */
int s3i_pwrite_all(int fd, const void *p, size_t n, uint64_t off, const char *what,
                   s3inv_error *err);

#endif
