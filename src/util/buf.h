/* SPDX-License-Identifier: MIT */
/*
 * buf.h — growable byte buffer with a hard maximum (curl dynbuf's toobig):
 * no input can grow it without bound.
 */
#ifndef S3I_BUF_H
#define S3I_BUF_H

#include <stddef.h>

struct s3i_buf {
	char *data;
	size_t len, cap, max;
};

void s3i_buf_init(struct s3i_buf *b, size_t max);
void s3i_buf_free(struct s3i_buf *b);
/** Ensure room for N more bytes. @return 0, S3INV_ENOMEM, or S3INV_EFORMAT past max. */
int s3i_buf_reserve(struct s3i_buf *b, size_t n);
int s3i_buf_append(struct s3i_buf *b, const void *p, size_t n);
int s3i_buf_putc(struct s3i_buf *b, char c);
int s3i_buf_printf(struct s3i_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Make data NUL-terminated (not counted in len). */
int s3i_buf_cstr(struct s3i_buf *b);

#endif
