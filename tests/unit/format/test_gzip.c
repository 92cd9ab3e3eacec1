/* SPDX-License-Identifier: MIT */
/*
 * test_gzip.c — the gzip decoder (src/format/gzip.c) against zlib as an
 * independent encoder: single and multi-member streams, header flags
 * (FEXTRA/FNAME/FCOMMENT/FHCRC), plain pass-through, every truncation point,
 * corrupt data and trailers, garbage after a member, odd output sizes, and
 * the MD5 check of the underlying input at end of file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "../testutil.h"

#include "format/gzip.h"
#include "source/local.h"
#include "util/md5.h"

/* ---- helpers ----------------------------------------------------------- */

struct bytes {
	unsigned char *p;
	size_t n, cap;
};

static void append(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
	}
	assert_non_null(b->p);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* One gzip member of DATA, written by zlib. */
static void gz_member(struct bytes *out, const void *data, size_t n, int level)
{
	z_stream s;
	unsigned char *buf;
	size_t cap = compressBound((uLong)n) + 64;
	memset(&s, 0, sizeof s);
	assert_int_equal(deflateInit2(&s, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	buf = malloc(cap);
	s.next_in = (Bytef *)data;
	s.avail_in = (uInt)n;
	s.next_out = buf;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	append(out, buf, cap - s.avail_out);
	deflateEnd(&s);
	free(buf);
}

/* A member with every optional header field, built by hand around raw
 * deflate data from zlib. */
static void gz_member_flags(struct bytes *out, const void *data, size_t n)
{
	unsigned char hdr[10] = {0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3};
	unsigned char extra[] = {6, 0, 'A', 'B', 2, 0, 'x', 'y'};
	const char *fname = "data.csv", *comment = "a comment";
	struct bytes h = {0};
	z_stream s;
	unsigned char *buf, trailer[8];
	size_t cap = compressBound((uLong)n) + 64;
	uLong crc;
	uint16_t hcrc;

	append(&h, hdr, sizeof hdr);
	append(&h, extra, sizeof extra);
	append(&h, fname, strlen(fname) + 1);
	append(&h, comment, strlen(comment) + 1);
	hcrc = (uint16_t)crc32(0, h.p, (uInt)h.n);
	append(&h, &(unsigned char[]){(unsigned char)hcrc, (unsigned char)(hcrc >> 8)}, 2);
	append(out, h.p, h.n);
	free(h.p);

	memset(&s, 0, sizeof s);
	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	buf = malloc(cap);
	s.next_in = (Bytef *)data;
	s.avail_in = (uInt)n;
	s.next_out = buf;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	append(out, buf, cap - s.avail_out);
	deflateEnd(&s);
	free(buf);
	crc = crc32(0, data, (uInt)n);
	for (int i = 0; i < 4; i++) {
		trailer[i] = (unsigned char)(crc >> (8 * i));
		trailer[4 + i] = (unsigned char)((uint32_t)n >> (8 * i));
	}
	append(out, trailer, 8);
}

static const char *tmp_path(const char *name)
{
	return s3i_test_path("gzip", name);
}

static const char *write_file(const char *name, const void *p, size_t n)
{
	return s3i_test_write("gzip", name, p, n);
}

/* Decode the file at PATH reading CAP bytes at a time. Returns the code;
 * *out gets the output. */
static int decode(const char *path, const char *md5, size_t cap, struct bytes *out,
                  s3inv_error *err, bool *compressed)
{
	struct s3i_input *in = NULL;
	struct s3i_gz *z = NULL;
	unsigned char *buf = malloc(cap);
	int rc;

	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	rc = s3i_local_open(&in, path, md5, err);
	if (rc < 0)
		goto out;
	rc = s3i_gz_open(&z, in, err);
	if (rc < 0)
		goto out;
	if (compressed)
		*compressed = s3i_gz_is_compressed(z);
	for (;;) {
		size_t n = 0;
		rc = s3i_gz_read(z, buf, cap, &n, err);
		if (rc < 0 || n == 0)
			break;
		append(out, buf, n);
	}
out:
	s3i_gz_close(z);
	s3i_input_close(in);
	free(buf);
	return rc;
}

static void fill_text(unsigned char *p, size_t n, unsigned seed)
{
	/* Compressible CSV-ish text with some noise. */
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (i % 97 == 96) ? '\n' : (unsigned char)("abcdefgh/\",0123"[(seed >> 16) % 15]);
	}
}

static void fill_random(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

/* ---- tests ------------------------------------------------------------- */

static void test_gzip__single_member(void **state)
{
	const char *text = "\"b\",\"hello world\"\n\"b\",\"x\"\n";
	struct bytes gz = {0}, out;
	s3inv_error err;
	bool comp = false;
	(void)state;
	gz_member(&gz, text, strlen(text), 6);
	assert_int_equal(decode(write_file("one.gz", gz.p, gz.n), NULL, 4096, &out, &err, &comp), 0);
	assert_true(comp);
	assert_int_equal(out.n, strlen(text));
	assert_memory_equal(out.p, text, out.n);
	free(out.p);
	free(gz.p);
}

static void test_gzip__multi_member_and_odd_caps(void **state)
{
	size_t sizes[] = {0, 1, 100, 70000, 1500000, 3};
	size_t caps[] = {1, 7, 4093, 65536, (1u << 20) + 3, 5u << 20};
	struct bytes gz = {0}, want = {0}, out;
	s3inv_error err;
	unsigned char *tmp;
	const char *path;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		tmp = malloc(sizes[i] + 1);
		if (i % 2)
			fill_random(tmp, sizes[i], (unsigned)i);
		else
			fill_text(tmp, sizes[i], (unsigned)i);
		gz_member(&gz, tmp, sizes[i], i == 3 ? 0 : 6); /* level 0: stored blocks */
		append(&want, tmp, sizes[i]);
		free(tmp);
	}
	gz_member_flags(&gz, "flagged member\n", 15);
	append(&want, "flagged member\n", 15);
	path = write_file("multi.gz", gz.p, gz.n);
	for (i = 0; i < sizeof caps / sizeof *caps; i++) {
		if (caps[i] == 1 && want.n > 200000)
			continue; /* byte-at-a-time over megabytes is slow under ASan */
		assert_int_equal(decode(path, NULL, caps[i], &out, &err, NULL), 0);
		assert_int_equal(out.n, want.n);
		assert_memory_equal(out.p, want.p, want.n);
		free(out.p);
	}
	/* byte-at-a-time on a small multi-member stream */
	{
		struct bytes small = {0};
		gz_member(&small, "abc", 3, 6);
		gz_member(&small, "", 0, 6);
		gz_member_flags(&small, "defg", 4);
		assert_int_equal(decode(write_file("small.gz", small.p, small.n), NULL, 1, &out, &err,
		                        NULL),
		                 0);
		assert_int_equal(out.n, 7);
		assert_memory_equal(out.p, "abcdefg", 7);
		free(out.p);
		free(small.p);
	}
	free(gz.p);
	free(want.p);
}

static void test_gzip__plain_passthrough(void **state)
{
	const char *cases[] = {"", "x", "\x1f", "\x1f\x8a rest", "\"a\",\"b\"\n"};
	struct bytes out;
	s3inv_error err;
	bool comp = true;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = strlen(cases[i]);
		assert_int_equal(decode(write_file("plain", cases[i], n), NULL, 3, &out, &err, &comp), 0);
		assert_false(comp);
		assert_int_equal(out.n, n);
		if (n)
			assert_memory_equal(out.p, cases[i], n);
		free(out.p);
	}
}

static void test_gzip__truncated_everywhere(void **state)
{
	struct bytes gz = {0}, two = {0}, out;
	unsigned char text[3000];
	s3inv_error err;
	const char *path;
	size_t cut;
	(void)state;
	fill_text(text, sizeof text, 7);
	gz_member(&gz, text, sizeof text, 6);
	/* every cut in the header and the trailer, every 5th in between */
	for (cut = 2; cut < gz.n; cut += (cut < 40 || cut + 16 > gz.n) ? 1 : 5) {
		path = write_file("trunc.gz", gz.p, cut);
		assert_int_equal(decode(path, NULL, 1000, &out, &err, NULL), S3INV_EFORMAT);
		assert_non_null(strstr(err.msg, "trunc.gz: truncated gzip stream"));
		free(out.p);
	}
	/* a complete member followed by a cut second member */
	append(&two, gz.p, gz.n);
	append(&two, gz.p, gz.n);
	for (cut = gz.n + 1; cut < two.n; cut += 7) {
		path = write_file("trunc2.gz", two.p, cut);
		assert_int_equal(decode(path, NULL, 4096, &out, &err, NULL), S3INV_EFORMAT);
		assert_non_null(strstr(err.msg, "truncated gzip stream"));
		free(out.p);
	}
	free(gz.p);
	free(two.p);
}

static void test_gzip__corrupt(void **state)
{
	struct bytes gz = {0}, out;
	unsigned char text[5000];
	s3inv_error err;
	size_t i;
	int rc;
	(void)state;
	fill_text(text, sizeof text, 3);
	gz_member(&gz, text, sizeof text, 9);
	/* trailer bytes: CRC32 (n-8..n-5) and ISIZE (n-4..n-1) */
	for (i = gz.n - 8; i < gz.n; i++) {
		gz.p[i] ^= 0x40;
		rc = decode(write_file("bad.gz", gz.p, gz.n), NULL, 4096, &out, &err, NULL);
		gz.p[i] ^= 0x40;
		assert_int_equal(rc, S3INV_EFORMAT);
		assert_non_null(strstr(err.msg, "bad.gz: corrupt gzip data at byte "));
		free(out.p);
	}
	/* deflate body: every flip must be caught (bad block or CRC) */
	for (i = 10; i < gz.n - 8; i += 3) {
		gz.p[i] ^= 0x21;
		rc = decode(write_file("bad.gz", gz.p, gz.n), NULL, 4096, &out, &err, NULL);
		gz.p[i] ^= 0x21;
		assert_int_equal(rc, S3INV_EFORMAT);
		assert_true(strstr(err.msg, "corrupt gzip data at byte ") ||
		            strstr(err.msg, "truncated gzip stream"));
		free(out.p);
	}
	/* bad compression method in the header */
	gz.p[2] = 7;
	assert_int_equal(decode(write_file("bad.gz", gz.p, gz.n), NULL, 4096, &out, &err, NULL),
	                 S3INV_EFORMAT);
	assert_non_null(strstr(err.msg, "corrupt gzip data at byte"));
	free(out.p);
	free(gz.p);
}

static void test_gzip__garbage_after_member(void **state)
{
	const char *tails[] = {"x", "\0\0\0\0", "garbage", "\x1f"};
	size_t tail_len[] = {1, 4, 7, 1};
	struct bytes out;
	s3inv_error err;
	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct bytes gz = {0};
		char want[96];
		gz_member(&gz, "abc\n", 4, 6);
		snprintf(want, sizeof want, "tail.gz: corrupt gzip data at byte %zu ", gz.n);
		append(&gz, tails[i], tail_len[i]);
		assert_int_equal(decode(write_file("tail.gz", gz.p, gz.n), NULL, 4096, &out, &err, NULL),
		                 S3INV_EFORMAT);
		if (i == 3)
			assert_non_null(strstr(err.msg, "tail.gz: truncated gzip stream"));
		else
			assert_non_null(strstr(err.msg, want));
		free(out.p);
		free(gz.p);
	}
}

static void test_gzip__md5_of_compressed_bytes(void **state)
{
	struct bytes gz = {0}, out;
	struct s3i_md5 m;
	char hex[33], upper[33];
	s3inv_error err;
	const char *path;
	(void)state;
	gz_member(&gz, "hello\n", 6, 6);
	path = write_file("md5.gz", gz.p, gz.n);
	assert_int_equal(s3i_md5_init(&m), 0);
	s3i_md5_update(&m, gz.p, gz.n);
	s3i_md5_final(&m, hex);
	for (int i = 0; i < 33; i++)
		upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 32 : hex[i]);
	assert_int_equal(decode(path, hex, 4096, &out, &err, NULL), 0);
	free(out.p);
	assert_int_equal(decode(path, upper, 4096, &out, &err, NULL), 0);
	free(out.p);
	assert_int_equal(decode(path, "00000000000000000000000000000000", 4096, &out, &err, NULL),
	                 S3INV_ECHECKSUM);
	assert_non_null(strstr(err.msg, "md5.gz: MD5 mismatch: manifest says "
	                                "00000000000000000000000000000000, file has "));
	assert_non_null(strstr(err.msg, hex));
	free(out.p);
	free(gz.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip__single_member),
		cmocka_unit_test(test_gzip__multi_member_and_odd_caps),
		cmocka_unit_test(test_gzip__plain_passthrough),
		cmocka_unit_test(test_gzip__truncated_everywhere),
		cmocka_unit_test(test_gzip__corrupt),
		cmocka_unit_test(test_gzip__garbage_after_member),
		cmocka_unit_test(test_gzip__md5_of_compressed_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
