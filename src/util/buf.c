/* SPDX-License-Identifier: MIT */
/*
 * buf.c — bounded growable buffer (see buf.h).
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "s3inv.h"
#include "util/alloc.h"

void s3i_buf_init(struct s3i_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : ((size_t)1 << 30);
}

void s3i_buf_free(struct s3i_buf *b)
{
	s3i_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int s3i_buf_reserve(struct s3i_buf *b, size_t n)
{
	size_t cap;
	char *d;
	if (n <= b->cap - b->len)
		return 0;
	if (n > b->max - b->len - 1 || b->len + 1 > b->max)
		return S3INV_EFORMAT;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n + 1)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	d = s3i_realloc(b->data, cap);
	if (!d)
		return S3INV_ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

int s3i_buf_append(struct s3i_buf *b, const void *p, size_t n)
{
	int rc = s3i_buf_reserve(b, n);
	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int s3i_buf_putc(struct s3i_buf *b, char c)
{
	return s3i_buf_append(b, &c, 1);
}

int s3i_buf_printf(struct s3i_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;
	char small[256];
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return S3INV_EINVAL;
	if ((size_t)n < sizeof small)
		return s3i_buf_append(b, small, (size_t)n);
	rc = s3i_buf_reserve(b, (size_t)n + 1);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int s3i_buf_cstr(struct s3i_buf *b)
{
	int rc = s3i_buf_reserve(b, 1);
	if (rc < 0)
		return rc;
	b->data[b->len] = '\0';
	return 0;
}
