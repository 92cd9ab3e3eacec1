/* SPDX-License-Identifier: MIT */
/*
 * local.c — a data file on local disk as an s3i_input.
 *
 * Sequential reads go straight from read(2) into the caller's buffer (the
 * caller picks the block size: the gzip and CSV readers use >= 1 MiB), so
 * there is no copy and no buffer of our own. The kernel is told the access is
 * sequential (posix_fadvise) so readahead is generous. When the manifest gave
 * an MD5, every sequentially read byte is hashed and the read that reaches
 * end of file compares the digest: a mismatch is S3INV_ECHECKSUM naming the
 * path, reported once, instead of the end-of-file. Positioned reads (pread)
 * are for Parquet footers and column chunks and are not hashed.
 *
 * Not thread-safe: an input belongs to one worker.
 */
#include "source/local.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/md5.h"

struct local {
	struct s3i_input base;
	int fd;
	char *path;
	bool hashing;    /* MD5 requested and still valid (no gap in the sequence) */
	bool eof;        /* end of file already reported (and checked) */
	uint64_t pos;    /* bytes read sequentially so far */
	struct s3i_md5 md5;
	char want[33];
};

static int local_read(struct s3i_input *in, void *buf, size_t cap, size_t *out_n,
                      s3inv_error *err)
{
	struct local *l = (struct local *)in;
	char got[33];
	ssize_t n;

	*out_n = 0;
	if (l->eof || cap == 0)
		return 0;
	do {
		n = read(l->fd, buf, cap);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return s3i_err_sys(err, S3INV_EIO, errno, "%s: read", l->path);
	if (n == 0) {
		l->eof = true;
		if (l->hashing) {
			l->hashing = false;
			s3i_md5_final(&l->md5, got);
			if (strcmp(got, l->want) != 0)
				return s3i_err_set(err, S3INV_ECHECKSUM,
				                   "%s: MD5 mismatch: manifest says %s, file has %s",
				                   l->path, l->want, got);
		}
		return 0;
	}
	if (l->hashing)
		s3i_md5_update(&l->md5, buf, (size_t)n);
	l->pos += (uint64_t)n;
	*out_n = (size_t)n;
	return 0;
}

static int local_pread(struct s3i_input *in, uint64_t off, void *buf, size_t len,
                       s3inv_error *err)
{
	struct local *l = (struct local *)in;
	size_t done = 0;

	if (off > l->base.size || len > l->base.size - off)
		return s3i_err_set(err, S3INV_EFORMAT,
		                   "%s: read of %zu bytes at offset %llu is past the end (%llu bytes)",
		                   l->path, len, (unsigned long long)off,
		                   (unsigned long long)l->base.size);
	while (done < len) {
		ssize_t n = pread(l->fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return s3i_err_sys(err, S3INV_EIO, errno, "%s: pread", l->path);
		if (n == 0)
			return s3i_err_set(err, S3INV_EIO, "%s: file shrank while reading", l->path);
		done += (size_t)n;
	}
	return 0;
}

static void local_close(struct s3i_input *in)
{
	struct local *l = (struct local *)in;
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	s3i_md5_free(&l->md5);
	s3i_free(l->path);
	s3i_free(l);
}

static const struct s3i_input_ops local_ops = {
	.read = local_read,
	.pread = local_pread,
	.close = local_close,
};

int s3i_local_open(struct s3i_input **out, const char *path, const char *md5_hex,
                   s3inv_error *err)
{
	struct local *l;
	struct stat st;
	int rc = 0, i;

	*out = NULL;
	l = s3i_calloc(1, sizeof *l);
	if (!l)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", path);
	l->fd = -1;
	l->path = s3i_strdup(path);
	if (!l->path) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	l->base.ops = &local_ops;
	l->base.name = l->path;
	l->base.can_pread = true;
	if (md5_hex && md5_hex[0]) {
		if (!s3i_md5_is_hex(md5_hex)) {
			rc = s3i_err_set(err, S3INV_EINVAL, "%s: expected MD5 is not 32 hex digits: '%s'",
			                 path, md5_hex);
			goto out;
		}
		for (i = 0; i < 33; i++)
			l->want[i] = (char)((md5_hex[i] >= 'A' && md5_hex[i] <= 'F') ? md5_hex[i] + 32
			                                                                 : md5_hex[i]);
		if (s3i_md5_init(&l->md5) < 0) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory (MD5)", path);
			goto out;
		}
		l->hashing = true;
	}
	do {
		l->fd = open(path, O_RDONLY | O_CLOEXEC);
	} while (l->fd < 0 && errno == EINTR);
	if (l->fd < 0) {
		rc = s3i_err_sys(err, errno == ENOENT ? S3INV_ENOTFOUND : S3INV_EIO, errno, "%s",
		                 path);
		goto out;
	}
	if (fstat(l->fd, &st) < 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: stat", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = s3i_err_set(err, S3INV_EIO, "%s: is a directory", path);
		goto out;
	}
	l->base.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
	(void)posix_fadvise(l->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
out:
	if (rc < 0) {
		local_close(&l->base);
		return rc;
	}
	*out = &l->base;
	return 0;
}
