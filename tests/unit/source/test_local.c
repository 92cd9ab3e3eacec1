/* SPDX-License-Identifier: MIT */
/*
 * test_local.c — local data files as s3i_input (src/source/local.c):
 * sequential reads of various sizes against the bytes written, MD5 checked
 * at end of file (match, upper-case, mismatch, reported once), pread bounds,
 * missing files, directories and malformed expected digests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "../testutil.h"

#include "source/local.h"
#include "util/md5.h"

static const char *tmp_path(const char *name)
{
	return s3i_test_path("local", name);
}

static const char *write_file(const char *name, const void *p, size_t n)
{
	return s3i_test_write("local", name, p, n);
}

static unsigned char *pattern(size_t n)
{
	unsigned char *p = malloc(n + 1);
	unsigned s = 99;
	for (size_t i = 0; i < n; i++) {
		s = s * 1103515245u + 12345u;
		p[i] = (unsigned char)(s >> 16);
	}
	return p;
}

static void md5_of(char hex[33], const void *p, size_t n)
{
	struct s3i_md5 m;
	assert_int_equal(s3i_md5_init(&m), 0);
	s3i_md5_update(&m, p, n);
	s3i_md5_final(&m, hex);
}

/* Read everything with CAP-byte reads; returns the code of the last read. */
static int read_all(struct s3i_input *in, size_t cap, unsigned char *dst, size_t *total,
                    s3inv_error *err)
{
	unsigned char *buf = malloc(cap);
	int rc;
	*total = 0;
	for (;;) {
		size_t n = 0;
		rc = s3i_input_read(in, buf, cap, &n, err);
		if (rc < 0 || n == 0)
			break;
		memcpy(dst + *total, buf, n);
		*total += n;
	}
	free(buf);
	return rc;
}

static void test_local__sequential_and_md5(void **state)
{
	size_t n = (3u << 20) + 17, caps[] = {1u << 20, 4096, 1000003, 8u << 20}, got;
	unsigned char *data = pattern(n), *back = malloc(n);
	const char *path = write_file("seq.bin", data, n);
	char hex[33], upper[33];
	struct s3i_input *in;
	s3inv_error err = {0};
	(void)state;
	md5_of(hex, data, n);
	for (int i = 0; i < 33; i++)
		upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 32 : hex[i]);
	for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
		assert_int_equal(s3i_local_open(&in, path, i % 2 ? upper : hex, &err), 0);
		assert_int_equal(in->size, n);
		assert_true(in->can_pread);
		assert_string_equal(in->name, path);
		assert_int_equal(read_all(in, caps[i], back, &got, &err), 0);
		assert_int_equal(got, n);
		assert_memory_equal(back, data, n);
		s3i_input_close(in);
	}
	/* mismatch: reported at end of file, once, naming the file */
	hex[0] = hex[0] == '0' ? '1' : '0';
	assert_int_equal(s3i_local_open(&in, path, hex, &err), 0);
	assert_int_equal(read_all(in, 1u << 20, back, &got, &err), S3INV_ECHECKSUM);
	assert_int_equal(got, n);
	assert_non_null(strstr(err.msg, "seq.bin: MD5 mismatch: manifest says "));
	assert_non_null(strstr(err.msg, hex));
	{
		size_t k = 1;
		s3inv_error e2 = {0};
		assert_int_equal(s3i_input_read(in, back, 10, &k, &e2), 0);
		assert_int_equal(k, 0);
	}
	s3i_input_close(in);
	free(data);
	free(back);
}

static void test_local__empty_file_md5(void **state)
{
	struct s3i_input *in;
	s3inv_error err = {0};
	unsigned char b[4];
	size_t got;
	const char *path = write_file("empty", "", 0);
	(void)state;
	assert_int_equal(s3i_local_open(&in, path, "d41d8cd98f00b204e9800998ecf8427e", &err), 0);
	assert_int_equal(in->size, 0);
	assert_int_equal(read_all(in, 4, b, &got, &err), 0);
	assert_int_equal(got, 0);
	s3i_input_close(in);
	assert_int_equal(s3i_local_open(&in, path, "d41d8cd98f00b204e9800998ecf8427f", &err), 0);
	assert_int_equal(read_all(in, 4, b, &got, &err), S3INV_ECHECKSUM);
	s3i_input_close(in);
}

static void test_local__pread(void **state)
{
	unsigned char *data = pattern(10000), buf[100];
	const char *path = write_file("pread.bin", data, 10000);
	struct s3i_input *in;
	s3inv_error err = {0};
	(void)state;
	assert_int_equal(s3i_local_open(&in, path, NULL, &err), 0);
	assert_int_equal(s3i_input_pread(in, 0, buf, 100, &err), 0);
	assert_memory_equal(buf, data, 100);
	assert_int_equal(s3i_input_pread(in, 9900, buf, 100, &err), 0);
	assert_memory_equal(buf, data + 9900, 100);
	assert_int_equal(s3i_input_pread(in, 10000, buf, 0, &err), 0);
	assert_int_equal(s3i_input_pread(in, 9901, buf, 100, &err), S3INV_EFORMAT);
	assert_non_null(strstr(err.msg, "pread.bin: read of 100 bytes at offset 9901 is past the end"));
	memset(&err, 0, sizeof err);
	assert_int_equal(s3i_input_pread(in, UINT64_MAX, buf, 100, &err), S3INV_EFORMAT);
	s3i_input_close(in);
	free(data);
}

static void test_local__open_errors(void **state)
{
	struct s3i_input *in = (void *)1;
	s3inv_error err = {0};
	const char *path = write_file("ok", "x", 1);
	(void)state;
	assert_int_equal(s3i_local_open(&in, tmp_path("missing"), NULL, &err), S3INV_ENOTFOUND);
	assert_null(in);
	assert_non_null(strstr(err.msg, "local/missing"));
	memset(&err, 0, sizeof err);
	path = write_file("ok", "x", 1);
	assert_int_equal(s3i_local_open(&in, path, "xyz", &err), S3INV_EINVAL);
	assert_non_null(strstr(err.msg, "expected MD5 is not 32 hex digits"));
	memset(&err, 0, sizeof err);
	path = tmp_path("");
	assert_int_equal(s3i_local_open(&in, path, NULL, &err), S3INV_EIO);
	assert_non_null(strstr(err.msg, "is a directory"));
	s3i_input_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local__sequential_and_md5),
		cmocka_unit_test(test_local__empty_file_md5),
		cmocka_unit_test(test_local__pread),
		cmocka_unit_test(test_local__open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
