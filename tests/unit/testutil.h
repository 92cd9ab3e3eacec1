/* SPDX-License-Identifier: MIT */
/*
 * testutil.h — scratch files for the unit tests: a path under $S3INV_TMP
 * (set by ctest to <build>/testtmp; /tmp/s3inv-test otherwise) in a
 * subdirectory per test, and writing a buffer to such a file. Header-only,
 * for inclusion after <cmocka.h>.
 */
#ifndef S3I_TESTUTIL_H
#define S3I_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* SUB/NAME under the scratch directory (both created); a static buffer,
 * valid until the next call. */
static inline const char *s3i_test_path(const char *sub, const char *name)
{
	static char path[1024];
	char dir[512];
	const char *t = getenv("S3INV_TMP");
	const char *root = t && *t ? t : "/tmp/s3inv-test";
	snprintf(dir, sizeof dir, "%s/%s", root, sub);
	mkdir(root, 0777);
	mkdir(dir, 0777);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

/* Write N bytes of P to SUB/NAME; the test fails if that does not work. */
static inline const char *s3i_test_write(const char *sub, const char *name, const void *p,
                                         size_t n)
{
	const char *path = s3i_test_path(sub, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (n)
		assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

#endif
