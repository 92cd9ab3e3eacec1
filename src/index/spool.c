/* SPDX-License-Identifier: MIT */
/*
 * spool.c — unlinked temporary files with buffered appends (see spool.h).
 */
#include "index/spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"

#define SPOOL_BUF (256u << 10)

int s3i_pwrite_all(int fd, const void *p, size_t n, uint64_t off, const char *what,
                   s3inv_error *err)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = pwrite(fd, c, n, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return s3i_err_sys(err, S3INV_EIO, errno, "%s: write failed", what);
		}
		if (w == 0)
			return s3i_err_set(err, S3INV_EIO, "%s: write failed: no space", what);
		c += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int s3i_spool_open(struct s3i_spool *s, const char *dir, const char *what, s3inv_error *err)
{
	char path[4096];
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->what = what;
	if ((size_t)snprintf(path, sizeof path, "%s/.s3inv-%ld-XXXXXX", dir, (long)getpid()) >=
	    sizeof path)
		return s3i_err_set(err, S3INV_EINVAL, "%s: temporary directory path too long", dir);
	s->fd = mkstemp(path);
	if (s->fd < 0)
		return s3i_err_sys(err, S3INV_EIO, errno, "%s: cannot create a temporary file", dir);
	unlink(path);
	s->buf = s3i_malloc(SPOOL_BUF);
	if (!s->buf) {
		s3i_spool_close(s);
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	}
	s->cap = SPOOL_BUF;
	return 0;
}

int s3i_spool_flush(struct s3i_spool *s, s3inv_error *err)
{
	int rc;
	if (s->len == 0)
		return 0;
	rc = s3i_pwrite_all(s->fd, s->buf, s->len, s->size - s->len, s->what, err);
	s->len = 0;
	return rc;
}

int s3i_spool_write(struct s3i_spool *s, const void *p, size_t n, s3inv_error *err)
{
	const unsigned char *c = p;
	while (n > 0) {
		size_t k = s->cap - s->len;
		if (k == 0) {
			int rc = s3i_spool_flush(s, err);
			if (rc < 0)
				return rc;
			continue;
		}
		if (k > n)
			k = n;
		memcpy(s->buf + s->len, c, k);
		s->len += k;
		s->size += k;
		c += k;
		n -= k;
	}
	return 0;
}

int s3i_spool_pread(struct s3i_spool *s, void *p, size_t n, uint64_t off, s3inv_error *err)
{
	char *c = p;
	while (n > 0) {
		ssize_t r = pread(s->fd, c, n, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return s3i_err_sys(err, S3INV_EIO, errno, "%s: read failed", s->what);
		}
		if (r == 0)
			return s3i_err_set(err, S3INV_EIO, "%s: short read", s->what);
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

void s3i_spool_close(struct s3i_spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s3i_free(s->buf);
	s->buf = NULL;
}
