/* SPDX-License-Identifier: MIT */
/*
 * test_size.c — s3inv_parse_size: units, fractions, and every kind of junk.
 * Expected values are written out as products of powers of two, not
 * recomputed with the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "s3inv.h"

static uint64_t parse_ok(const char *s)
{
	uint64_t v = 12345;
	int rc = s3inv_parse_size(&v, s);
	if (rc != 0)
		fail_msg("'%s' rejected", s);
	return v;
}

static void expect_bad(const char *s)
{
	uint64_t v = 777;
	if (s3inv_parse_size(&v, s) != S3INV_EINVAL)
		fail_msg("'%s' accepted as %llu", s, (unsigned long long)v);
	assert_int_equal(v, 777); /* untouched on error */
}

static void test_size__plain_bytes(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("4096"), 4096);
	assert_int_equal(parse_ok("4096B"), 4096);
	assert_int_equal(parse_ok("18446744073709551615"), UINT64_MAX);
}

static void test_size__binary_units(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("64k"), 64 * 1024);
	assert_int_equal(parse_ok("64K"), 64 * 1024);
	assert_int_equal(parse_ok("64KiB"), 64 * 1024);
	assert_int_equal(parse_ok("64kb"), 64 * 1024);
	assert_int_equal(parse_ok("256MiB"), 256ULL << 20);
	assert_int_equal(parse_ok("256M"), 256ULL << 20);
	assert_int_equal(parse_ok("2G"), 2ULL << 30);
	assert_int_equal(parse_ok("2GB"), 2ULL << 30);
	assert_int_equal(parse_ok("2 GiB"), 2ULL << 30);
	assert_int_equal(parse_ok("3T"), 3ULL << 40);
	assert_int_equal(parse_ok("1P"), 1ULL << 50);
	assert_int_equal(parse_ok("15E"), 15ULL << 60);
}

static void test_size__fractions(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1.5GiB"), 3ULL << 29);
	assert_int_equal(parse_ok("0.5k"), 512);
	assert_int_equal(parse_ok("1.25M"), 5ULL << 18);
	assert_int_equal(parse_ok("0.0001k"), 0); /* rounds down */
}

static void test_size__junk(void **state)
{
	(void)state;
	expect_bad("");
	expect_bad(" 1G");
	expect_bad("-1");
	expect_bad("+1");
	expect_bad("G");
	expect_bad("1X");
	expect_bad("1GiBx");
	expect_bad("1 G B");
	expect_bad("1..5G");
	expect_bad("1.G");
	expect_bad(".5G");
	expect_bad("1.5");  /* a fraction of a byte */
	expect_bad("1e9");
	expect_bad("0x10");
	expect_bad("1Gi");
	expect_bad("1iB");
	expect_bad("12\n");
}

static void test_size__overflow(void **state)
{
	(void)state;
	expect_bad("18446744073709551616");
	expect_bad("99999999999999999999999");
	expect_bad("16E");
	expect_bad("17179869184G"); /* 2^34 GiB = 2^64 */
	assert_int_equal(parse_ok("17179869183G"), 17179869183ULL << 30);
}

static void test_size__null(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(s3inv_parse_size(&v, NULL), S3INV_EINVAL);
	assert_int_equal(s3inv_parse_size(NULL, "1"), S3INV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_size__plain_bytes), cmocka_unit_test(test_size__binary_units),
	    cmocka_unit_test(test_size__fractions),   cmocka_unit_test(test_size__junk),
	    cmocka_unit_test(test_size__overflow),    cmocka_unit_test(test_size__null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
