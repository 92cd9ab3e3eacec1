/* SPDX-License-Identifier: MIT */
/*
 * fuzz_index.c — libFuzzer target: open an arbitrary byte string as an
 * index (without checksum verification, so damaged sections reach the
 * accessors) and run every query over it. Nothing may crash, hang or read
 * out of bounds; errors are fine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "s3inv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;
	s3inv_index *x = NULL;
	s3inv_error err = {0};

	snprintf(path, sizeof path, "/tmp/fuzz-index-%ld.s3i", (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	close(fd);
	if (s3inv_index_open(&x, path, 0, &err) == 0) {
		s3inv_index_info info;
		uint64_t pos, *res = NULL;
		size_t n = 0, i;
		s3inv_stats st;
		s3inv_class_stats cs[16];
		char buf[256];
		const char *qs[] = {"", "a/", "logs/", "x/y/", "\xff/"};
		s3inv_index_info_get(x, &info);
		for (i = 0; i < sizeof qs / sizeof qs[0]; i++)
			if (s3inv_index_lookup(x, qs[i], strlen(qs[i]), &pos) == 0)
				s3inv_index_stats(x, pos, &st);
		for (pos = 0; pos < info.prefixes && pos < 64; pos++) {
			s3inv_index_stats(x, pos, &st);
			s3inv_index_class_stats(x, pos, cs, 16);
			s3inv_index_prefix(x, pos, buf, sizeof buf);
			{
				s3inv_age age;
				uint64_t o, b;
				s3inv_index_age(x, pos, &age);
				s3inv_index_age_older(x, pos, 3, &o, &b);
			}
		}
		if (s3inv_query_children(&res, &n, x, 0, (s3inv_sort)(S3INV_SORT_OLDER + 2), 5, &err) == 0)
			s3inv_free(res);
		if (s3inv_query_children(&res, &n, x, 0, S3INV_SORT_BYTES, 5, &err) == 0)
			s3inv_free(res);
		if (s3inv_query_top(&res, &n, x, 0, 2, S3INV_SORT_OBJECTS, 5, &err) == 0)
			s3inv_free(res);
		s3inv_index_close(x);
	}
	s3inv_index_verify(path, &err);
	unlink(path);
	return 0;
}
