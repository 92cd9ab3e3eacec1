/* SPDX-License-Identifier: MIT */
/*
 * test_csv.c — the inventory CSV reader (src/format/csv.c).
 *
 * References used: rows generated here from known values and encoded by an
 * RFC 4180 + URL encoder written in this test (round trip), timegm() for
 * timestamps, zlib for gzip input. Every row-boundary position is exercised
 * by re-reading with decompressed block sizes 1..64. Every error has its
 * message checked, with physical line numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include <cmocka.h>

#include "../testutil.h"

#include "format/csv.h"
#include "source/local.h"
#include "source/manifest.h"

/* ---- helpers ----------------------------------------------------------- */

struct crow {
	char *key;
	size_t key_len;
	uint64_t size;
	char cls[64], tier[64];
	int64_t lm;
	bool latest, dm;
};

struct rows {
	struct crow *v;
	size_t n;
	int stop_after; /* return -99 after this many rows (0: never) */
};

static int collect(void *payload, const struct s3i_row *r)
{
	struct rows *rs = payload;
	struct crow *c;
	rs->v = realloc(rs->v, (rs->n + 1) * sizeof *rs->v);
	c = &rs->v[rs->n++];
	memset(c, 0, sizeof *c);
	c->key = malloc(r->key_len + 1);
	memcpy(c->key, r->key ? r->key : "", r->key_len);
	c->key[r->key_len] = '\0';
	c->key_len = r->key_len;
	c->size = r->size;
	assert_true(r->storage_class_len < sizeof c->cls);
	memcpy(c->cls, r->storage_class, r->storage_class_len);
	assert_true(r->tier_len < sizeof c->tier);
	memcpy(c->tier, r->tier, r->tier_len);
	c->lm = r->last_modified_ms;
	c->latest = r->is_latest;
	c->dm = r->is_delete_marker;
	if (rs->stop_after && (int)rs->n == rs->stop_after)
		return -99;
	return 0;
}

static void rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].key);
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

static const char *tmp_path(const char *name)
{
	return s3i_test_path("csv", name);
}

static const char *write_file(const char *name, const void *p, size_t n)
{
	return s3i_test_write("csv", name, p, n);
}

static void colmap(struct s3i_colmap *m, const char *schema)
{
	s3inv_error err = {0};
	assert_int_equal(s3i_manifest_colmap(m, schema, &err), 0);
}

/* Parse TEXT (written to NAME, gzipped when GZ) with SCHEMA and BLOCK. */
static int run_n(const char *name, const char *text, size_t len, const char *schema,
                 size_t block, bool gz, struct rows *rs, s3inv_error *err,
                 volatile int *cancel)
{
	struct s3i_input *in = NULL;
	struct s3i_colmap m;
	const char *path;
	int rc;

	memset(err, 0, sizeof *err);
	colmap(&m, schema);
	if (gz) {
		uLongf cap = compressBound((uLong)len) + 64;
		unsigned char *buf = malloc(cap);
		z_stream s;
		memset(&s, 0, sizeof s);
		assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
		s.next_in = (Bytef *)text;
		s.avail_in = (uInt)len;
		s.next_out = buf;
		s.avail_out = (uInt)cap;
		assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
		path = write_file(name, buf, cap - s.avail_out);
		deflateEnd(&s);
		free(buf);
	} else {
		path = write_file(name, text, len);
	}
	assert_int_equal(s3i_local_open(&in, path, NULL, err), 0);
	rc = s3i_csv_read_blocks(in, &m, collect, rs, cancel, block, err);
	s3i_input_close(in);
	return rc;
}

static int run(const char *text, const char *schema, struct rows *rs, s3inv_error *err)
{
	return run_n("t.csv", text, strlen(text), schema, 0, false, rs, err, NULL);
}

static int64_t ref_ms(int y, int mo, int d, int h, int mi, int s, int ms)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

#define DANDI_SCHEMA \
	"Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, " \
	"IsMultipartUploaded"

/* ---- tests ------------------------------------------------------------- */

static void test_csv__aws_rows(void **state)
{
	/* Appendix C1 of s3-inventory-format.md (real dandiarchive rows). */
	const char *text =
	    "\"dandiarchive\",\"zarr/73fb586f-b58a-49fc-876e-282ba962d310/0/0/0/14/4/100\","
	    "\"nuYD8l5blCvLV3DbAiN1IXuwo7aF3F98\",\"true\",\"false\",\"1511723\","
	    "\"2022-12-12T13:20:39.000Z\",\"627c47efe292876b91978324485cd2ec\",\"false\"\n"
	    "\"dandiarchive\",\"zarr/73fb586f-b58a-49fc-876e-282ba962d310/0/0/0/14/4/100\","
	    "\"t5w9XO56_Yi1eF6HE7KUgoLumufisMyo\",\"false\",\"true\",\"\","
	    "\"2022-12-11T17:55:08.000Z\",\"\",\"\"\n"
	    "\"dandiarchive\",\"dandiarchive/dandiarchive/hive/dt%3D2024-05-07-01-00/symlink.txt\","
	    "\"t4Z7oFATOK2678GfaU8oLcjWDMAS0RgK\",\"true\",\"false\",\"38129\","
	    "\"2024-05-07T21:12:55.000Z\",\"f58c1f0e5fb20a9152788f825375884a\",\"false\"\n";
	struct rows rs = {0};
	s3inv_error err;
	(void)state;
	assert_int_equal(run(text, DANDI_SCHEMA, &rs, &err), 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.v[0].key, "zarr/73fb586f-b58a-49fc-876e-282ba962d310/0/0/0/14/4/100");
	assert_int_equal(rs.v[0].size, 1511723);
	assert_true(rs.v[0].latest);
	assert_false(rs.v[0].dm);
	assert_int_equal(rs.v[0].lm, ref_ms(2022, 12, 12, 13, 20, 39, 0));
	assert_string_equal(rs.v[0].cls, ""); /* no StorageClass column */
	assert_false(rs.v[1].latest);
	assert_true(rs.v[1].dm);
	assert_int_equal(rs.v[1].size, 0);
	assert_string_equal(rs.v[2].key, "dandiarchive/dandiarchive/hive/dt=2024-05-07-01-00/symlink.txt");
	assert_int_equal(rs.v[2].lm, ref_ms(2024, 5, 7, 21, 12, 55, 0));
	rows_free(&rs);
}

static void test_csv__hostile_keys(void **state)
{
	static const struct {
		const char *enc, *dec;
	} k[] = {
	    {"a+b", "a b"},          {"a%2Bb", "a+b"},       {"100%25", "100%"},
	    {"caf%C3%A9/x", "caf\xc3\xa9/x"}, {"a//b", "a//b"}, {"dir/", "dir/"},
	    {"%zz%4", "%zz%4"},      {"%", "%"},             {"50%+", "50% "},
	    {"%2f%2F", "//"},        {"", ""},               {"%00x", "\0x"},
	    {"+++", "   "},          {"a%2", "a%2"},         {"long/%E2%82%AC+%2B", "long/\xe2\x82\xac +"},
	};
	char text[4096] = "";
	struct rows rs = {0};
	s3inv_error err;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof k / sizeof *k; i++) {
		strcat(text, "\"bkt\",\"");
		strcat(text, k[i].enc);
		strcat(text, "\",\"1\"\n");
	}
	assert_int_equal(run(text, "Bucket, Key, Size", &rs, &err), 0);
	assert_int_equal(rs.n, sizeof k / sizeof *k);
	for (i = 0; i < rs.n; i++) {
		size_t want = strcmp(k[i].enc, "%00x") == 0 ? 2 : strlen(k[i].dec);
		assert_int_equal(rs.v[i].key_len, want);
		assert_memory_equal(rs.v[i].key, k[i].dec, want);
	}
	rows_free(&rs);
}

static void test_csv__url_decode_api(void **state)
{
	char buf[32] = "a%20b+c%2";
	char out[32];
	(void)state;
	assert_int_equal(s3i_url_decode(out, buf, strlen(buf)), 7);
	assert_memory_equal(out, "a b c%2", 7);
	assert_int_equal(s3i_url_decode(buf, buf, strlen(buf)), 7); /* in place */
	assert_memory_equal(buf, "a b c%2", 7);
	strcpy(buf, "0123456789abcdef%41");
	assert_int_equal(s3i_url_decode(buf, buf, strlen(buf)), 17);
	assert_memory_equal(buf, "0123456789abcdefA", 17);
	assert_int_equal(s3i_url_decode(out, "", 0), 0);
}

static void test_csv__quotes_commas_newlines(void **state)
{
	const char *text = "\"b\",\"say \"\"hi\"\", then, go\",\"7\"\n"
	                   "\"b\",\"two\nlines\r\nthree\",\"8\"\n"
	                   "b,unquoted key,9\n"
	                   "\"b\",\"\"\"\",\"\"\r\n"
	                   "\n"
	                   "\"b\",mixed \"q,10\n"
	                   "\"b\",\"last\",\"11\"";
	struct rows rs = {0};
	s3inv_error err;
	(void)state;
	assert_int_equal(run(text, "Bucket, Key, Size", &rs, &err), 0);
	assert_int_equal(rs.n, 6);
	assert_string_equal(rs.v[0].key, "say \"hi\", then, go");
	assert_int_equal(rs.v[0].size, 7);
	assert_string_equal(rs.v[1].key, "two\nlines\r\nthree");
	assert_string_equal(rs.v[2].key, "unquoted key");
	assert_int_equal(rs.v[2].size, 9);
	assert_string_equal(rs.v[3].key, "\"");
	assert_int_equal(rs.v[3].size, 0);
	assert_string_equal(rs.v[4].key, "mixed \"q");
	assert_string_equal(rs.v[5].key, "last");
	assert_int_equal(rs.v[5].size, 11);
	rows_free(&rs);
}

static void test_csv__defaults_and_columns(void **state)
{
	const char *schema = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, "
	                     "LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, "
	                     "ReplicationStatus, EncryptionStatus, IntelligentTieringAccessTier";
	const char *text =
	    "\"b\",\"k1\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\n"
	    "\"b\",\"k2\",\"v\",\"FALSE\",\"True\",\"18446744073709551615\","
	    "\"1970-01-01T00:00:00Z\",\"e\",\"INTELLIGENT_TIERING\",\"\",\"\",\"SSE-S3\","
	    "\"ARCHIVE_INSTANT_ACCESS\"\n"
	    "\"b\",\"k3\",\"\",\"true\",\"false\",\"0\",\"1969-12-31T23:59:59.5Z\",\"\","
	    "\"GLACIER\",\"\",\"\",\"\",\"\"\n"
	    "\"b\",\"k4\",\"\",\"true\",\"false\",\"5\",\"2024-02-29T23:59:59.123456Z\",\"\","
	    "\"STANDARD\",\"\",\"\",\"\",\"\"\n";
	struct rows rs = {0};
	s3inv_error err;
	(void)state;
	assert_int_equal(run(text, schema, &rs, &err), 0);
	assert_int_equal(rs.n, 4);
	assert_true(rs.v[0].latest);
	assert_false(rs.v[0].dm);
	assert_int_equal(rs.v[0].size, 0);
	assert_true(rs.v[0].lm == INT64_MIN);
	assert_string_equal(rs.v[0].cls, "");
	assert_false(rs.v[1].latest);
	assert_true(rs.v[1].dm);
	assert_true(rs.v[1].size == UINT64_MAX);
	assert_int_equal(rs.v[1].lm, 0);
	assert_string_equal(rs.v[1].cls, "INTELLIGENT_TIERING");
	assert_string_equal(rs.v[1].tier, "ARCHIVE_INSTANT_ACCESS");
	assert_int_equal(rs.v[2].lm, ref_ms(1969, 12, 31, 23, 59, 59, 500));
	assert_string_equal(rs.v[2].cls, "GLACIER");
	assert_int_equal(rs.v[3].lm, ref_ms(2024, 2, 29, 23, 59, 59, 123));
	rows_free(&rs);
}

static void test_csv__timestamps_vs_timegm(void **state)
{
	static const int d[][7] = {
	    {2022, 12, 12, 13, 20, 39, 0}, {2000, 2, 29, 0, 0, 0, 1},  {1900, 3, 1, 12, 0, 0, 999},
	    {2100, 12, 31, 23, 59, 59, 0}, {2038, 1, 19, 3, 14, 8, 0}, {1601, 1, 1, 0, 0, 0, 0},
	    {9999, 12, 31, 23, 59, 59, 999},
	};
	char text[2048] = "", line[128];
	struct rows rs = {0};
	s3inv_error err;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof d / sizeof *d; i++) {
		snprintf(line, sizeof line, "\"b\",\"k\",\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"\n", d[i][0],
		         d[i][1], d[i][2], d[i][3], d[i][4], d[i][5], d[i][6]);
		strcat(text, line);
	}
	assert_int_equal(run(text, "Bucket, Key, LastModifiedDate", &rs, &err), 0);
	assert_int_equal(rs.n, sizeof d / sizeof *d);
	for (i = 0; i < rs.n; i++)
		assert_int_equal(rs.v[i].lm,
		                 ref_ms(d[i][0], d[i][1], d[i][2], d[i][3], d[i][4], d[i][5], d[i][6]));
	rows_free(&rs);
}

static void expect_error(const char *text, const char *schema, const char *msg)
{
	struct rows rs = {0};
	s3inv_error err;
	int rc = run(text, schema, &rs, &err);
	if (rc != S3INV_EFORMAT || !strstr(err.msg, msg))
		fail_msg("input [%s]: rc %d, message '%s', wanted '%s'", text, rc, err.msg, msg);
	rows_free(&rs);
}

static void test_csv__errors(void **state)
{
	const char *s3 = "Bucket, Key, Size";
	char *big;
	(void)state;
	expect_error("\"b\",\"k\",\"1\"\n\"b\",\"k\"\n", s3, "t.csv: line 2: expected 3 fields, found 2");
	expect_error("\"b\",\"k\",\"1\"\n\"b\",\"k\",\"1\",\"x\"\n", s3,
	             "line 2: expected 3 fields, found 4");
	/* physical lines: the embedded newline counts */
	expect_error("\"b\",\"k\nk\",\"1\"\n\"b\",\"k\"\n", s3, "line 3: expected 3 fields, found 2");
	expect_error("\"b\",\"k\",\"abc\"\n", s3, "t.csv: line 1: Size is not a number: 'abc'");
	expect_error("\"b\",\"k\",\"-1\"\n", s3, "line 1: Size is not a number: '-1'");
	expect_error("\"b\",\"k\",\"18446744073709551616\"\n", s3, "Size is not a number");
	expect_error("\"b\",\"k\",\"1 \"\n", s3, "Size is not a number: '1 '");
	expect_error("\"b\",\"k\",\"1\"\n\"b\",\"unterminated,1\nb,k,1\n", s3,
	             "line 2: unterminated quote");
	expect_error("\"b\",\"k\"x,\"1\"\n", s3, "line 1: unexpected 'x' after a closing quote");
	expect_error("\"b\",\"k\",\"yes\"\n", "Bucket, Key, IsLatest",
	             "line 1: IsLatest is not true or false: 'yes'");
	expect_error("\"b\",\"k\",\"1\"\n", "Bucket, Key, IsDeleteMarker",
	             "IsDeleteMarker is not true or false: '1'");
	expect_error("\"b\",\"k\",\"2022-13-12T13:20:39.000Z\"\n", "Bucket, Key, LastModifiedDate",
	             "line 1: LastModifiedDate is not an ISO-8601 time: '2022-13-12T13:20:39.000Z'");
	expect_error("\"b\",\"k\",\"2022-12-12 13:20:39Z\"\n", "Bucket, Key, LastModifiedDate",
	             "LastModifiedDate is not an ISO-8601 time");
	expect_error("\"b\",\"k\",\"2022-12-12T13:20:39.Z\"\n", "Bucket, Key, LastModifiedDate",
	             "LastModifiedDate is not an ISO-8601 time");
	expect_error("\"b\",\"k\",\"2022-02-30T13:20:39Z+\"\n", "Bucket, Key, LastModifiedDate",
	             "LastModifiedDate is not an ISO-8601 time");
	/* a field over 64 KiB, a row over 1 MiB */
	big = malloc((2u << 20) + 64);
	memset(big, 'x', (2u << 20) + 64);
	memcpy(big, "\"b\",\"", 5);
	memcpy(big + 5 + 70000, "\",\"1\"\n", 7);
	expect_error(big, s3, "line 1: field longer than 64 KiB");
	memset(big, 'x', (2u << 20) + 64);
	for (size_t i = 0; i < (1u << 20) + 100; i += 60000)
		big[i] = ',';
	memcpy(big + (1u << 20) + 200, "\n", 2);
	expect_error(big, s3, "line 1: row longer than 1 MiB");
	free(big);
}

static void test_csv__sink_stops_and_cancel(void **state)
{
	const char *text = "\"b\",\"1\"\n\"b\",\"2\"\n\"b\",\"3\"\n";
	struct rows rs = {0};
	s3inv_error err;
	volatile int cancel = 1;
	(void)state;
	rs.stop_after = 2;
	assert_int_equal(run_n("s.csv", text, strlen(text), "Bucket, Key", 0, false, &rs, &err, NULL),
	                 -99);
	assert_int_equal(rs.n, 2);
	rows_free(&rs);
	assert_int_equal(run_n("s.csv", text, strlen(text), "Bucket, Key", 0, false, &rs, &err,
	                       &cancel),
	                 S3INV_ECANCELED);
	assert_int_equal(rs.n, 0);
	rows_free(&rs);
}

/* ---- round trip: random rows, RFC 4180 + URL encoding, every block size -- */

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

struct gen {
	char *text;
	size_t len, cap;
};

static void put(struct gen *g, const char *p, size_t n)
{
	if (g->len + n + 1 > g->cap) {
		g->cap = (g->len + n + 1) * 2;
		g->text = realloc(g->text, g->cap);
	}
	memcpy(g->text + g->len, p, n);
	g->len += n;
	g->text[g->len] = '\0';
}

/* Encode a key as S3 does (URL-encode, space as +), then CSV-quote it. */
static void put_key(struct gen *g, const char *k, size_t n, bool quote)
{
	static const char hex[] = "0123456789ABCDEF";
	if (quote)
		put(g, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c == ' ') {
			put(g, "+", 1);
		} else if (c == '"' && quote) {
			put(g, "\"\"", 2);
		} else if ((c >= 'a' && c <= 'z') || c == '/' || c == '"' || c == ',' || c == '\n' ||
		           (c >= '0' && c <= '9') || c == '.') {
			/* quoted CSV can carry , " and newline; unquoted only plain bytes */
			if (!quote && (c == '"' || c == ',' || c == '\n')) {
				char e[3] = {'%', hex[c >> 4], hex[c & 15]};
				put(g, e, 3);
			} else {
				put(g, (const char *)&c, 1);
			}
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			put(g, e, 3);
		}
	}
	if (quote)
		put(g, "\"", 1);
}

static void test_csv__round_trip_every_block_size(void **state)
{
	static const char alphabet[] = "ab/ ,\"\n+%.\xc3\xa9z0";
	struct crow want[300];
	struct gen g = {0};
	unsigned seed = 12345;
	size_t nrows = sizeof want / sizeof *want, i, block;
	(void)state;
	for (i = 0; i < nrows; i++) {
		char key[64], line[128];
		size_t kl = rnd(&seed) % (i % 50 == 0 ? 60 : 20);
		bool quote = rnd(&seed) % 4 != 0;
		for (size_t j = 0; j < kl; j++)
			key[j] = alphabet[rnd(&seed) % (sizeof alphabet - 1)];
		memset(&want[i], 0, sizeof want[i]);
		want[i].key = malloc(kl + 1);
		memcpy(want[i].key, key, kl);
		want[i].key[kl] = '\0';
		want[i].key_len = kl;
		want[i].size = (uint64_t)rnd(&seed) * rnd(&seed);
		snprintf(want[i].cls, sizeof want[i].cls, "%s",
		         rnd(&seed) % 2 ? "STANDARD" : "GLACIER_IR");
		put(&g, quote ? "\"bkt\"," : "bkt,", quote ? 6 : 4);
		put_key(&g, key, kl, quote);
		snprintf(line, sizeof line, quote ? ",\"%llu\",\"%s\"%s" : ",%llu,%s%s",
		         (unsigned long long)want[i].size, want[i].cls, rnd(&seed) % 5 ? "\n" : "\r\n");
		put(&g, line, strlen(line));
	}
	for (block = 1; block <= 70; block += (block < 20 ? 1 : 7)) {
		for (int gz = 0; gz < 2; gz++) {
			struct rows rs = {0};
			s3inv_error err;
			int rc = run_n("rt.csv", g.text, g.len, "Bucket, Key, Size, StorageClass", block,
			               gz, &rs, &err, NULL);
			if (rc != 0)
				fail_msg("block %zu: rc %d: %s", block, rc, err.msg);
			assert_int_equal(rs.n, nrows);
			for (i = 0; i < nrows; i++) {
				assert_int_equal(rs.v[i].key_len, want[i].key_len);
				assert_memory_equal(rs.v[i].key, want[i].key, want[i].key_len);
				assert_int_equal(rs.v[i].size, want[i].size);
				assert_string_equal(rs.v[i].cls, want[i].cls);
			}
			rows_free(&rs);
		}
	}
	for (i = 0; i < nrows; i++)
		free(want[i].key);
	free(g.text);
}

static void test_csv__errors_at_every_block_size(void **state)
{
	/* line numbers must not depend on where blocks end */
	const char *text = "\"b\",\"k\nk\",\"1\"\n\"b\",\"k\",\"2\"\r\n\n\"b\",\"k\",\"x\"\n";
	(void)state;
	for (size_t block = 1; block < 40; block++) {
		struct rows rs = {0};
		s3inv_error err;
		int rc = run_n("e.csv", text, strlen(text), "Bucket, Key, Size", block, block % 2, &rs,
		               &err, NULL);
		assert_int_equal(rc, S3INV_EFORMAT);
		assert_non_null(strstr(err.msg, "e.csv: line 5: Size is not a number: 'x'"));
		assert_int_equal(rs.n, 2);
		rows_free(&rs);
	}
}

static void test_csv__fixtures(void **state)
{
	const char *src = getenv("S3INV_SRC");
	char path[1024];
	struct s3i_input *in = NULL;
	struct s3i_colmap m;
	struct rows rs = {0};
	s3inv_error err = {0};
	(void)state;
	if (!src)
		skip();
	snprintf(path, sizeof path, "%s/tests/data/csv/hostile.csv", src);
	colmap(&m, "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, "
	           "StorageClass, IntelligentTieringAccessTier");
	assert_int_equal(s3i_local_open(&in, path, NULL, &err), 0);
	assert_int_equal(s3i_csv_read(in, &m, collect, &rs, NULL, &err), 0);
	s3i_input_close(in);
	assert_int_equal(rs.n, 8);
	assert_string_equal(rs.v[0].key, "photos/2024/summer trip/IMG 0001.jpg");
	assert_string_equal(rs.v[1].key, "a+b=c&d/100%/caf\xc3\xa9.txt");
	assert_string_equal(rs.v[2].key, "weird//double/slash/");
	assert_string_equal(rs.v[3].key, "quote\"comma,newline\nkey");
	assert_string_equal(rs.v[4].tier, "ARCHIVE_INSTANT_ACCESS");
	assert_true(rs.v[5].dm);
	assert_false(rs.v[6].latest);
	assert_string_equal(rs.v[7].key, "root-object");
	rows_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv__aws_rows),
		cmocka_unit_test(test_csv__hostile_keys),
		cmocka_unit_test(test_csv__url_decode_api),
		cmocka_unit_test(test_csv__quotes_commas_newlines),
		cmocka_unit_test(test_csv__defaults_and_columns),
		cmocka_unit_test(test_csv__timestamps_vs_timegm),
		cmocka_unit_test(test_csv__errors),
		cmocka_unit_test(test_csv__sink_stops_and_cancel),
		cmocka_unit_test(test_csv__round_trip_every_block_size),
		cmocka_unit_test(test_csv__errors_at_every_block_size),
		cmocka_unit_test(test_csv__fixtures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
