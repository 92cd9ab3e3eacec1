/* SPDX-License-Identifier: MIT */
/*
 * test_parquet.c — the Parquet reader (src/format/parquet*.c, thrift.c).
 *
 * References: fixtures written by DuckDB (tests/data/parquet, made by
 * make_fixtures.js) with the expected rows read back from each file by
 * DuckDB (the .tsv.gz next to it), compared row by row on every field; every
 * codec, page v1/v2, dictionary on/off, delta encodings, nulls, several row
 * groups, zero rows, no size column, ms/us/ns timestamps, other name cases
 * and a nested column. Decoders are also checked against streams encoded by
 * hand from the spec. Hostile input: every truncation, every byte flipped,
 * lying footers; the sanitizer build turns any over-read into a failure.
 * An in-memory input records every pread to prove the projection reads only
 * the needed column chunks, one pread each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "format/parquet.h"
#include "format/parquet_int.h"
#include "format/thrift.h"
#include "source/local.h"

/* ---- an in-memory input that records preads ------------------------------ */

struct mem {
	struct s3i_input base;
	unsigned char *p;
	size_t n;
	uint64_t reads, bytes;
	uint64_t max_read;
};

static int mem_read(struct s3i_input *in, void *buf, size_t cap, size_t *out, s3inv_error *err)
{
	(void)in; (void)buf; (void)cap; (void)err;
	*out = 0;
	fail_msg("the Parquet reader must not read sequentially");
	return 0;
}

static int mem_pread(struct s3i_input *in, uint64_t off, void *buf, size_t len, s3inv_error *err)
{
	struct mem *m = (struct mem *)in;
	(void)err;
	assert_true(off <= m->n && len <= m->n - off); /* the reader checks ranges first */
	memcpy(buf, m->p + off, len);
	m->reads++;
	m->bytes += len;
	if (len > m->max_read)
		m->max_read = len;
	return 0;
}

static void mem_close(struct s3i_input *in)
{
	(void)in;
}

static const struct s3i_input_ops mem_ops = {mem_read, mem_pread, mem_close};

static void mem_init(struct mem *m, const char *name, unsigned char *p, size_t n)
{
	memset(m, 0, sizeof *m);
	m->base.ops = &mem_ops;
	m->base.name = name;
	m->base.size = n;
	m->base.can_pread = true;
	m->p = p;
	m->n = n;
}

/* ---- helpers ----------------------------------------------------------- */

struct xrow {
	char *key;
	size_t key_len;
	uint64_t size;
	char cls[64], tier[64];
	int64_t lm;
	bool latest, dm;
};

struct rows {
	struct xrow *v;
	size_t n, cap;
	size_t stop_after;
	volatile int *cancel_at_first;
};

static int collect(void *payload, const struct s3i_row *r)
{
	struct rows *rs = payload;
	struct xrow *x;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 256;
		rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
	}
	x = &rs->v[rs->n++];
	memset(x, 0, sizeof *x);
	x->key = malloc(r->key_len + 1);
	if (r->key_len)
		memcpy(x->key, r->key, r->key_len);
	x->key[r->key_len] = '\0';
	x->key_len = r->key_len;
	x->size = r->size;
	assert_true(r->storage_class_len < sizeof x->cls);
	if (r->storage_class_len)
		memcpy(x->cls, r->storage_class, r->storage_class_len);
	assert_true(r->tier_len < sizeof x->tier);
	if (r->tier_len)
		memcpy(x->tier, r->tier, r->tier_len);
	x->lm = r->last_modified_ms;
	x->latest = r->is_latest;
	x->dm = r->is_delete_marker;
	if (rs->cancel_at_first)
		*rs->cancel_at_first = 1;
	if (rs->stop_after && rs->n == rs->stop_after)
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

static const char *data_path(const char *name)
{
	static char path[1024];
	const char *src = getenv("S3INV_SRC");
	snprintf(path, sizeof path, "%s/tests/data/parquet/%s", src && *src ? src : ".", name);
	return path;
}

static unsigned char *slurp(const char *name, size_t *n)
{
	FILE *f = fopen(data_path(name), "rb");
	unsigned char *p;
	long len;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)len + 1);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

/* Read fixture NAME from disk through the real local input. */
static int read_file(const char *name, struct rows *rs, s3inv_error *err)
{
	struct s3i_input *in = NULL;
	int rc;
	memset(err, 0, sizeof *err);
	assert_int_equal(s3i_local_open(&in, data_path(name), NULL, err), 0);
	rc = s3i_parquet_read(in, collect, rs, NULL, err);
	s3i_input_close(in);
	return rc;
}

static int read_mem(unsigned char *p, size_t n, struct rows *rs, s3inv_error *err)
{
	struct mem m;
	mem_init(&m, "mem.parquet", p, n);
	memset(err, 0, sizeof *err);
	return s3i_parquet_read(&m.base, collect, rs, NULL, err);
}

static int hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}

/* Compare RS with the DuckDB-read TSV (gzip) TSV. */
static void check_tsv(const char *fixture, const char *tsv, const struct rows *rs)
{
	gzFile g = gzopen(data_path(tsv), "rb");
	static char line[8192];
	size_t i = 0;

	assert_non_null(g);
	while (gzgets(g, line, sizeof line)) {
		char *f[7], *s = line;
		const struct xrow *x;
		size_t kl;
		line[strcspn(line, "\n")] = '\0';
		for (int k = 0; k < 7; k++) {
			f[k] = s;
			s = strchr(s, '\t');
			if (k < 6) {
				assert_non_null(s);
				*s++ = '\0';
			}
		}
		if (i >= rs->n)
			fail_msg("%s: reader gave %zu rows, DuckDB more", fixture, rs->n);
		x = &rs->v[i];
		kl = strlen(f[0]) / 2;
		if (kl != x->key_len)
			fail_msg("%s: row %zu: key length %zu, want %zu", fixture, i, x->key_len, kl);
		for (size_t k = 0; k < kl; k++)
			if ((unsigned char)x->key[k] != (hexval(f[0][2 * k]) << 4 | hexval(f[0][2 * k + 1])))
				fail_msg("%s: row %zu: key differs at byte %zu", fixture, i, k);
		if (x->size != (strcmp(f[1], "\\N") ? strtoull(f[1], NULL, 10) : 0))
			fail_msg("%s: row %zu: size %llu, want %s", fixture, i,
			         (unsigned long long)x->size, f[1]);
		if (strcmp(x->cls, strcmp(f[2], "\\N") ? f[2] : ""))
			fail_msg("%s: row %zu: class '%s', want %s", fixture, i, x->cls, f[2]);
		if (strcmp(x->tier, strcmp(f[3], "\\N") ? f[3] : ""))
			fail_msg("%s: row %zu: tier '%s', want %s", fixture, i, x->tier, f[3]);
		if (x->latest != (strcmp(f[4], "\\N") ? f[4][0] == '1' : true))
			fail_msg("%s: row %zu: is_latest %d, want %s", fixture, i, x->latest, f[4]);
		if (x->dm != (strcmp(f[5], "\\N") ? f[5][0] == '1' : false))
			fail_msg("%s: row %zu: is_delete_marker %d, want %s", fixture, i, x->dm, f[5]);
		if (x->lm != (strcmp(f[6], "\\N") ? strtoll(f[6], NULL, 10) : INT64_MIN))
			fail_msg("%s: row %zu: last_modified %lld, want %s", fixture, i,
			         (long long)x->lm, f[6]);
		i++;
	}
	gzclose(g);
	if (i != rs->n)
		fail_msg("%s: reader gave %zu rows, DuckDB %zu", fixture, rs->n, i);
}

/* ---- fixtures ----------------------------------------------------------- */

static const struct {
	const char *file, *tsv;
} fixtures[] = {
	{"v1_uncompressed.parquet", "rows160.tsv.gz"}, {"v2_uncompressed.parquet", "rows160.tsv.gz"},
	{"v1_snappy.parquet", "rows160.tsv.gz"},       {"v2_snappy.parquet", "rows160.tsv.gz"},
	{"v1_gzip.parquet", "rows160.tsv.gz"},         {"v2_gzip.parquet", "rows160.tsv.gz"},
	{"v1_zstd.parquet", "rows160.tsv.gz"},         {"v2_zstd.parquet", "rows160.tsv.gz"},
	{"v1_lz4_raw.parquet", "rows160.tsv.gz"},      {"v2_lz4_raw.parquet", "rows160.tsv.gz"},
	{"v1_nodict.parquet", "rows160.tsv.gz"},       {"v2_nodict.parquet", "rows160.tsv.gz"},
	{"multi_rg.parquet", "multi_rg.tsv.gz"},       {"empty.parquet", "empty.tsv.gz"},
	{"nosize.parquet", "nosize.tsv.gz"},           {"ts_micros.parquet", "ts_micros.tsv.gz"},
	{"ts_nanos.parquet", "ts_nanos.tsv.gz"},       {"upper_nested.parquet", "upper_nested.tsv.gz"},
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

static void test_parquet__fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFIX; i++) {
		struct rows rs = {0};
		s3inv_error err;
		FILE *f = fopen(data_path(fixtures[i].file), "rb");
		assert_non_null(f);
		fclose(f);
		if (read_file(fixtures[i].file, &rs, &err) != 0)
			fail_msg("%s: %s", fixtures[i].file, err.msg);
		check_tsv(fixtures[i].file, fixtures[i].tsv, &rs);
		rows_free(&rs);
	}
}

/* The hostile keys come through as raw bytes (no URL decoding). */
static void test_parquet__hostile_keys(void **state)
{
	static const char *const want[] = {"", "a", "a/", "a//b", "//", "trailing/", "/leading",
	                                   "dir/sub/file.txt", "plus+sign", "space key", "100%25",
	                                   "%", "%2F", "a+b%20c/d"};
	struct rows rs = {0};
	s3inv_error err;
	(void)state;
	assert_int_equal(read_file("v1_snappy.parquet", &rs, &err), 0);
	assert_true(rs.n >= 24);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(rs.v[i].key, want[i]);
	assert_string_equal(rs.v[14].key, "ünïcødé/日本語/ファイル.txt");
	assert_string_equal(rs.v[16].key, "tab\there");
	assert_string_equal(rs.v[17].key, "new\nline");
	assert_int_equal(rs.v[21].key_len, 1024);
	rows_free(&rs);
}

static void test_parquet__columns(void **state)
{
	struct s3i_input *in = NULL;
	struct s3i_parquet_info info;
	struct s3i_columns c;
	s3inv_error err = {0};
	(void)state;

	assert_int_equal(s3i_local_open(&in, data_path("v2_zstd.parquet"), NULL, &err), 0);
	assert_int_equal(s3i_parquet_info(in, &info, &err), 0);
	assert_true(info.cols.size && info.cols.storage_class && info.cols.is_latest &&
	            info.cols.is_delete_marker && info.cols.tier && info.cols.last_modified);
	assert_int_equal(info.num_rows, 160);
	assert_int_equal(info.num_row_groups, 1);
	s3i_input_close(in);

	assert_int_equal(s3i_local_open(&in, data_path("nosize.parquet"), NULL, &err), 0);
	assert_int_equal(s3i_parquet_columns(in, &c, &err), 0);
	assert_false(c.size || c.storage_class || c.is_latest || c.is_delete_marker || c.tier);
	assert_true(c.last_modified);
	s3i_input_close(in);

	assert_int_equal(s3i_local_open(&in, data_path("upper_nested.parquet"), NULL, &err), 0);
	assert_int_equal(s3i_parquet_columns(in, &c, &err), 0);
	assert_true(c.size && c.storage_class && c.is_latest);
	assert_false(c.is_delete_marker || c.tier || c.last_modified);
	s3i_input_close(in);

	assert_int_equal(s3i_local_open(&in, data_path("multi_rg.parquet"), NULL, &err), 0);
	assert_int_equal(s3i_parquet_info(in, &info, &err), 0);
	assert_int_equal(info.num_rows, 4200);
	assert_int_equal(info.num_row_groups, 3);
	s3i_input_close(in);
}

static void test_parquet__nokey(void **state)
{
	struct rows rs = {0};
	s3inv_error err;
	(void)state;
	assert_int_equal(read_file("nokey.parquet", &rs, &err), S3INV_EFORMAT);
	assert_non_null(strstr(err.msg, "nokey.parquet: no key column"));
	assert_int_equal(rs.n, 0);
}

/* Only the projected chunks are read, one pread each, plus the tail. */
static void test_parquet__projection_reads(void **state)
{
	size_t n;
	unsigned char *p = slurp("multi_rg.parquet", &n);
	struct mem m;
	struct rows rs = {0};
	s3inv_error err = {0};
	(void)state;

	mem_init(&m, "multi_rg.parquet", p, n);
	assert_int_equal(s3i_parquet_read(&m.base, collect, &rs, NULL, &err), 0);
	assert_int_equal(rs.n, 4200);
	/* 3 row groups x 7 columns + one tail read (the footer fits in 64 KiB) */
	assert_int_equal(m.reads, 1 + 3 * 7);
	/* chunk reads stay inside the data area and skip bucket and e_tag */
	assert_true(m.bytes - (n < 65536 ? n : 65536) < n - 8);
	rows_free(&rs);

	/* a file with only key + last_modified projected reads 2 chunks */
	free(p);
	p = slurp("nosize.parquet", &n);
	mem_init(&m, "nosize.parquet", p, n);
	assert_int_equal(s3i_parquet_read(&m.base, collect, &rs, NULL, &err), 0);
	assert_int_equal(m.reads, 1 + 2);
	rows_free(&rs);
	free(p);
}

static void test_parquet__read_groups(void **state)
{
	struct s3i_input *in = NULL;
	struct rows all = {0}, part = {0};
	struct s3i_columns cols;
	s3inv_error err = {0};
	(void)state;

	assert_int_equal(read_file("multi_rg.parquet", &all, &err), 0);
	assert_int_equal(s3i_local_open(&in, data_path("multi_rg.parquet"), NULL, &err), 0);
	for (uint32_t g = 0; g < 4; g++)
		assert_int_equal(s3i_parquet_read_groups(in, g, 1, &cols, collect, &part, NULL, &err), 0);
	assert_true(cols.size && cols.tier);
	assert_int_equal(part.n, all.n);
	for (size_t i = 0; i < all.n; i++) {
		assert_int_equal(part.v[i].key_len, all.v[i].key_len);
		assert_memory_equal(part.v[i].key, all.v[i].key, all.v[i].key_len);
		assert_int_equal(part.v[i].size, all.v[i].size);
	}
	rows_free(&part);
	/* the middle group alone: rows 2048..4095 */
	assert_int_equal(s3i_parquet_read_groups(in, 1, 1, NULL, collect, &part, NULL, &err), 0);
	assert_int_equal(part.n, 2048);
	assert_string_equal(part.v[0].key, all.v[2048].key);
	rows_free(&part);
	rows_free(&all);
	s3i_input_close(in);
}

static void test_parquet__sink_stop_and_cancel(void **state)
{
	struct rows rs = {0};
	s3inv_error err = {0};
	volatile int cancel = 0;
	struct s3i_input *in = NULL;
	(void)state;

	rs.stop_after = 7;
	assert_int_equal(read_file("multi_rg.parquet", &rs, &err), -99);
	assert_int_equal(rs.n, 7);
	rows_free(&rs);

	rs.cancel_at_first = &cancel;
	assert_int_equal(s3i_local_open(&in, data_path("multi_rg.parquet"), NULL, &err), 0);
	assert_int_equal(s3i_parquet_read(in, collect, &rs, &cancel, &err), S3INV_ECANCELED);
	assert_true(rs.n >= 1 && rs.n <= 1024); /* stops at the next batch */
	s3i_input_close(in);
	rows_free(&rs);
}

/* ---- hostile files ---------------------------------------------------------- */

static void expect_error(unsigned char *p, size_t n, const char *needle)
{
	struct rows rs = {0};
	s3inv_error err;
	int rc = read_mem(p, n, &rs, &err);
	if (rc != S3INV_EFORMAT || !strstr(err.msg, needle))
		fail_msg("want EFORMAT '%s', got %d '%s'", needle, rc, err.msg);
	assert_non_null(strstr(err.msg, "mem.parquet: "));
	rows_free(&rs);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void test_parquet__bad_footers(void **state)
{
	size_t n;
	unsigned char *p = slurp("v1_snappy.parquet", &n);
	unsigned char *q = malloc(n);
	uint32_t flen = (uint32_t)p[n - 8] | (uint32_t)p[n - 7] << 8 | (uint32_t)p[n - 6] << 16 |
	                (uint32_t)p[n - 5] << 24;
	(void)state;

	expect_error(p, 0, "too small");
	expect_error(p, 11, "too small");
	memcpy(q, p, n);
	q[n - 1] = 'X';
	expect_error(q, n, "bad magic at the end");
	memcpy(q, p, n);
	q[0] = 'X';
	expect_error(q, n, "bad magic at the start");
	memcpy(q, p, n);
	put32(q + n - 8, (uint32_t)n);
	expect_error(q, n, "footer length");
	memcpy(q, p, n);
	put32(q + n - 8, 0xffffffffu);
	expect_error(q, n, "beyond the file size");
	memcpy(q, p, n);
	put32(q + n - 8, flen - 10); /* footer cut short at the front */
	expect_error(q, n, "mem.parquet");
	memcpy(q, p, n);
	memcpy(q + n - 4, "PARE", 4);
	expect_error(q, n, "encrypted");
	/* a cut file keeps "PAR1" at neither end */
	expect_error(p, n / 2, "bad magic");
	free(q);
	free(p);
}

/* Every prefix of a file is an error, never a crash; so is a file whose
 * data area is cut while its footer is intact. */
static void test_parquet__truncations(void **state)
{
	size_t n;
	unsigned char *p = slurp("v2_zstd.parquet", &n);
	(void)state;

	for (size_t k = 0; k < n; k++) {
		struct rows rs = {0};
		s3inv_error err;
		assert_true(read_mem(p, k, &rs, &err) < 0);
		rows_free(&rs);
	}
	free(p);
}

/* Flip every byte (three ways) of a few fixtures: any result but a crash or
 * over-read; errors always name the file. */
static void test_parquet__corrupt_bytes(void **state)
{
	static const char *const names[] = {"v1_snappy.parquet", "v2_uncompressed.parquet",
	                                    "v1_nodict.parquet", "v2_gzip.parquet"};
	static const unsigned char flips[] = {0xff, 0x01, 0x80};
	size_t errors = 0, total = 0;
	(void)state;

	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t n;
		unsigned char *p = slurp(names[f], &n);
		for (size_t k = 0; k < n; k++) {
			for (size_t x = 0; x < sizeof flips; x++) {
				struct rows rs = {0};
				s3inv_error err;
				int rc;
				p[k] ^= flips[x];
				rc = read_mem(p, n, &rs, &err);
				p[k] ^= flips[x];
				total++;
				if (rc < 0) {
					errors++;
					if (rc != S3INV_EFORMAT && rc != S3INV_ENOMEM)
						fail_msg("%s byte %zu: code %d (%s)", names[f], k, rc, err.msg);
					assert_non_null(strstr(err.msg, "mem.parquet"));
				}
				rows_free(&rs);
			}
		}
		free(p);
	}
	/* most damage in headers and data is detected (not all: a flipped
	 * string byte is just another string) */
	assert_true(errors > total / 10);
}

/* ---- decoders against hand-encoded streams ------------------------------ */

static void test_parquet__rle_hybrid(void **state)
{
	/* width 3: RLE run of 5 x value 4, then bit-packed 1 group: 0..7 */
	static const uint8_t s[] = {10, 4, 3, 0x88, 0xc6, 0xfa};
	struct s3i_pq_rle r;
	uint32_t out[13];
	uint8_t o8[4];
	(void)state;

	s3i_pq_rle_init(&r, s, sizeof s, 3);
	assert_int_equal(s3i_pq_rle_get(&r, out, 13), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], 4);
	for (int i = 0; i < 8; i++)
		assert_int_equal(out[5 + i], i);
	assert_int_equal(s3i_pq_rle_get(&r, out, 1), S3INV_EFORMAT); /* exhausted */
	/* RLE value wider than the bit width */
	{
		static const uint8_t bad[] = {2, 9};
		s3i_pq_rle_init(&r, bad, sizeof bad, 3);
		assert_int_equal(s3i_pq_rle_get8(&r, o8, 1), S3INV_EFORMAT);
	}
	/* truncated varint */
	{
		static const uint8_t bad[] = {0x80};
		s3i_pq_rle_init(&r, bad, sizeof bad, 1);
		assert_int_equal(s3i_pq_rle_get8(&r, o8, 1), S3INV_EFORMAT);
	}
}

static void test_parquet__delta_binary_packed(void **state)
{
	/* spec example: 1 2 3 4 5 -> block 128, 4 miniblocks, 5 values, first 1,
	 * min delta 1, widths 0 0 0 0 (no miniblock bytes) */
	static const uint8_t a[] = {0x80, 0x01, 4, 5, 2, 2, 0, 0, 0, 0};
	/* 7 5 3 1 2 3 4 5: deltas -2 -2 -2 1 1 1 1 -> min -2, adds 0 0 0 3 3 3 3, width 2 */
	uint8_t b[64];
	size_t bn = 0;
	struct s3i_pq_dbp d;
	const uint8_t *end;
	int64_t out[8];
	(void)state;

	assert_int_equal(s3i_pq_dbp_init(&d, a, sizeof a), 0);
	assert_int_equal(s3i_pq_dbp_end(&d, &end), 0);
	assert_ptr_equal(end, a + sizeof a);
	assert_int_equal(s3i_pq_dbp_get(&d, out, 5), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], i + 1);
	assert_int_equal(s3i_pq_dbp_get(&d, out, 1), S3INV_EFORMAT);

	b[bn++] = 0x80; b[bn++] = 0x01; /* block 128 */
	b[bn++] = 4;                    /* 4 miniblocks of 32 */
	b[bn++] = 8;                    /* 8 values */
	b[bn++] = 14;                   /* first 7 (zigzag) */
	b[bn++] = 3;                    /* min delta -2 */
	b[bn++] = 2; b[bn++] = 9; b[bn++] = 9; b[bn++] = 9; /* widths: only the first used */
	memset(b + bn, 0, 8);           /* 32 values x 2 bits = 8 bytes */
	b[bn] = 0xc0;                   /* values 0 0 0 3 */
	b[bn + 1] = 0xff;               /* 3 3 3 3 */
	bn += 8;
	assert_int_equal(s3i_pq_dbp_init(&d, b, bn), 0);
	assert_int_equal(s3i_pq_dbp_end(&d, &end), 0);
	assert_ptr_equal(end, b + bn);
	assert_int_equal(s3i_pq_dbp_get(&d, out, 8), 0);
	{
		static const int64_t want[] = {7, 5, 3, 1, 2, 3, 4, 5};
		for (int i = 0; i < 8; i++)
			assert_int_equal(out[i], want[i]);
	}
	/* miniblock cut short */
	assert_int_equal(s3i_pq_dbp_init(&d, b, bn - 1), 0);
	assert_int_equal(s3i_pq_dbp_get(&d, out, 8), S3INV_EFORMAT);
	/* bad headers */
	{
		static const uint8_t z[] = {0, 4, 1, 0};
		static const uint8_t w[] = {0x80, 0x01, 4, 2, 0, 0, 65, 0, 0, 0};
		assert_int_equal(s3i_pq_dbp_init(&d, z, sizeof z), S3INV_EFORMAT);
		assert_int_equal(s3i_pq_dbp_init(&d, w, sizeof w), 0);
		assert_int_equal(s3i_pq_dbp_get(&d, out, 2), S3INV_EFORMAT); /* width 65 */
	}
}

/* Encode V (N values, all deltas >= 0 and < 256) as DELTA_BINARY_PACKED
 * with one block of 128 and width 8. */
static size_t enc_dbp(uint8_t *o, const int64_t *v, size_t n)
{
	size_t k = 0;
	o[k++] = 0x80; o[k++] = 0x01; o[k++] = 4; o[k++] = (uint8_t)n;
	o[k++] = (uint8_t)(v[0] * 2);
	if (n > 1) {
		o[k++] = 0; /* min delta 0 */
		o[k++] = 8; o[k++] = 8; o[k++] = 8; o[k++] = 8;
		memset(o + k, 0, 32);
		for (size_t i = 1; i < n; i++)
			o[k + i - 1] = (uint8_t)(v[i] - v[i - 1]);
		k += 32;
	}
	return k;
}

static void test_parquet__delta_byte_arrays(void **state)
{
	/* DELTA_LENGTH_BYTE_ARRAY of "Hello" "World" "Foobar" "ABCDEF" */
	static const char *const words[] = {"Hello", "World", "Foobar", "ABCDEF"};
	uint8_t buf[256];
	int64_t lens[4] = {5, 5, 6, 6};
	size_t k = 0;
	struct s3i_pq_dlba dl;
	struct s3i_pq_dba da;
	struct s3i_pq_sv sv[4];
	struct s3i_buf out;
	size_t offs[4];
	(void)state;

	/* lengths 5 5 6 6: deltas 0 1 0, all >= 0 as enc_dbp needs */
	k = enc_dbp(buf, lens, 4);
	for (int i = 0; i < 4; i++) {
		memcpy(buf + k, words[i], strlen(words[i]));
		k += strlen(words[i]);
	}
	assert_int_equal(s3i_pq_dlba_init(&dl, buf, k), 0);
	assert_int_equal(s3i_pq_dlba_get(&dl, sv, 4), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(sv[i].n, strlen(words[i]));
		assert_memory_equal(sv[i].p, words[i], sv[i].n);
	}
	/* a length past the data */
	assert_int_equal(s3i_pq_dlba_init(&dl, buf, k - 1), 0);
	assert_int_equal(s3i_pq_dlba_get(&dl, sv, 4), S3INV_EFORMAT);

	/* DELTA_BYTE_ARRAY: "axis" "axle" "babble" "babyhood":
	 * prefixes 0 2 0 3, suffixes "axis" "le" "babble" "yhood" */
	{
		static const char *const full[] = {"axis", "axle", "babble", "babyhood"};
		static const char *const sfx[] = {"axis", "le", "babble", "yhood"};
		/* prefix lengths 0 2 0 3, deltas +2 -2 +3: min delta -2, packed 4 0 5 */
		k = 0;
		buf[k++] = 0x80; buf[k++] = 0x01; buf[k++] = 4; buf[k++] = 4;
		buf[k++] = 0;          /* first prefix 0 */
		buf[k++] = 3;          /* min delta -2 (zigzag 3) */
		buf[k++] = 8; buf[k++] = 8; buf[k++] = 8; buf[k++] = 8;
		memset(buf + k, 0, 32);
		buf[k + 0] = 4;        /* 0 -> 2: delta 2 = -2 + 4 */
		buf[k + 1] = 0;        /* 2 -> 0: delta -2 */
		buf[k + 2] = 5;        /* 0 -> 3: delta 3 */
		k += 32;
		{
			/* suffix lengths 4 2 6 5: deltas -2 +4 -1, min -2, packed 0 6 1 */
			buf[k++] = 0x80; buf[k++] = 0x01; buf[k++] = 4; buf[k++] = 4;
			buf[k++] = 8;      /* first 4 */
			buf[k++] = 3;      /* min delta -2 */
			buf[k++] = 8; buf[k++] = 8; buf[k++] = 8; buf[k++] = 8;
			memset(buf + k, 0, 32);
			buf[k + 0] = 0;    /* 4 -> 2 */
			buf[k + 1] = 6;    /* 2 -> 6 */
			buf[k + 2] = 1;    /* 6 -> 5 */
			k += 32;
		}
		for (int i = 0; i < 4; i++) {
			memcpy(buf + k, sfx[i], strlen(sfx[i]));
			k += strlen(sfx[i]);
		}
		memset(&da, 0, sizeof da);
		s3i_buf_init(&da.prev, 1 << 20);
		s3i_buf_init(&out, 1 << 20);
		assert_int_equal(s3i_pq_dba_init(&da, buf, k), 0);
		assert_int_equal(s3i_pq_dba_get(&da, &out, offs, sv, 2), 0);
		assert_int_equal(s3i_pq_dba_get(&da, &out, offs + 2, sv + 2, 2), 0); /* across calls */
		for (int i = 0; i < 4; i++) {
			assert_int_equal(sv[i].n, strlen(full[i]));
			assert_memory_equal(out.data + offs[i], full[i], sv[i].n);
		}
		s3i_buf_free(&out);
		s3i_pq_dba_free(&da);
		/* a prefix longer than the previous value */
		buf[11] = 10; /* second delta 8: prefix 10 of "axle" */
		memset(&da, 0, sizeof da);
		s3i_buf_init(&da.prev, 1 << 20);
		s3i_buf_init(&out, 1 << 20);
		assert_int_equal(s3i_pq_dba_init(&da, buf, k), 0);
		assert_int_equal(s3i_pq_dba_get(&da, &out, offs, sv, 4), S3INV_EFORMAT);
		s3i_buf_free(&out);
		s3i_pq_dba_free(&da);
	}
}


/* ---- a hand-built file: what DuckDB does not write -------------------------
 * required columns, INT96 timestamps, RLE booleans, two pages per chunk.
 * A tiny compact-protocol writer (field headers with id deltas < 16). */

struct w {
	uint8_t b[4096];
	size_t n;
	int16_t last[8];
	int depth;
};

static void w_byte(struct w *w, uint8_t v) { w->b[w->n++] = v; }
static void w_var(struct w *w, uint64_t v)
{
	while (v >= 0x80) {
		w_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	w_byte(w, (uint8_t)v);
}
static void w_field(struct w *w, int id, int type)
{
	w_byte(w, (uint8_t)((id - w->last[w->depth]) << 4 | type));
	w->last[w->depth] = (int16_t)id;
}
static void w_int(struct w *w, int id, int type, int64_t v)
{
	w_field(w, id, type);
	w_var(w, (uint64_t)((v << 1) ^ (v >> 63)));
}
static void w_str(struct w *w, int id, const char *s)
{
	w_field(w, id, S3I_TT_BINARY);
	w_var(w, strlen(s));
	memcpy(w->b + w->n, s, strlen(s));
	w->n += strlen(s);
}
static void w_begin(struct w *w, int id) /* id 0: a list element */
{
	if (id)
		w_field(w, id, S3I_TT_STRUCT);
	w->last[++w->depth] = 0;
}
static void w_end(struct w *w)
{
	w_byte(w, 0);
	w->depth--;
}
static void w_list(struct w *w, int id, int et, int n)
{
	w_field(w, id, S3I_TT_LIST);
	w_byte(w, (uint8_t)(n << 4 | et));
}

/* A v1 data page header (+ payload) into OUT. */
static size_t page(uint8_t *out, int nvals, int enc, const uint8_t *pl, size_t pn)
{
	struct w w;
	memset(&w, 0, sizeof w);
	w_int(&w, 1, S3I_TT_I32, PQ_DATA_PAGE);
	w_int(&w, 2, S3I_TT_I32, (int64_t)pn);
	w_int(&w, 3, S3I_TT_I32, (int64_t)pn);
	w_begin(&w, 5);
	w_int(&w, 1, S3I_TT_I32, nvals);
	w_int(&w, 2, S3I_TT_I32, enc);
	w_int(&w, 3, S3I_TT_I32, PQ_RLE);
	w_int(&w, 4, S3I_TT_I32, PQ_RLE);
	w_end(&w);
	w_byte(&w, 0);
	memcpy(out, w.b, w.n);
	memcpy(out + w.n, pl, pn);
	return w.n + pn;
}

static void test_parquet__handmade_required(void **state)
{
	static const char *const keys[] = {"a/b", "", "c//d/"};
	static uint8_t file[8192];
	size_t n = 4, off[3], len[3];
	uint8_t pl[256];
	size_t pn;
	struct w w;
	struct rows rs = {0};
	s3inv_error err;
	(void)state;

	memcpy(file, "PAR1", 4);
	/* key: required BYTE_ARRAY, PLAIN, two pages (2 + 1 values) */
	off[0] = n;
	pn = 0;
	for (int i = 0; i < 2; i++) {
		put32(pl + pn, (uint32_t)strlen(keys[i]));
		memcpy(pl + pn + 4, keys[i], strlen(keys[i]));
		pn += 4 + strlen(keys[i]);
	}
	n += page(file + n, 2, PQ_PLAIN, pl, pn);
	put32(pl, (uint32_t)strlen(keys[2]));
	memcpy(pl + 4, keys[2], strlen(keys[2]));
	n += page(file + n, 1, PQ_PLAIN, pl, 4 + strlen(keys[2]));
	len[0] = n - off[0];
	/* last_modified_date: required INT96: 1970-01-02 00:00:01.5 etc. */
	off[1] = n;
	memset(pl, 0, 36);
	for (int i = 0; i < 3; i++) {
		uint64_t nanos = (uint64_t)i * 1500000000u + 999999; /* sub-ms part dropped */
		uint32_t jd = 2440588 + (uint32_t)i;
		put32(pl + 12 * i, (uint32_t)nanos);
		put32(pl + 12 * i + 4, (uint32_t)(nanos >> 32));
		put32(pl + 12 * i + 8, jd);
	}
	n += page(file + n, 3, PQ_PLAIN, pl, 36);
	len[1] = n - off[1];
	/* is_latest: required BOOLEAN, RLE: length 2, run of 3 x false... use
	 * bit-packed: header 3 (1 group), bits 1 0 1 */
	off[2] = n;
	put32(pl, 2);
	pl[4] = 3;
	pl[5] = 0x05;
	n += page(file + n, 3, PQ_RLE, pl, 6);
	len[2] = n - off[2];

	memset(&w, 0, sizeof w);
	w_int(&w, 1, S3I_TT_I32, 1);
	w_list(&w, 2, S3I_TT_STRUCT, 4);
	w_begin(&w, 0);
	w_str(&w, 4, "schema");
	w_int(&w, 5, S3I_TT_I32, 3);
	w_end(&w);
	{
		static const char *const names[] = {"key", "last_modified_date", "is_latest"};
		static const int types[] = {PQ_BYTE_ARRAY, PQ_INT96, PQ_BOOLEAN};
		for (int c = 0; c < 3; c++) {
			w_begin(&w, 0);
			w_int(&w, 1, S3I_TT_I32, types[c]);
			w_int(&w, 3, S3I_TT_I32, 0); /* REQUIRED */
			w_str(&w, 4, names[c]);
			w_end(&w);
		}
		w_int(&w, 3, S3I_TT_I64, 3);
		w_list(&w, 4, S3I_TT_STRUCT, 1);
		w_begin(&w, 0);
		w_list(&w, 1, S3I_TT_STRUCT, 3);
		for (int c = 0; c < 3; c++) {
			w_begin(&w, 0);
			w_int(&w, 2, S3I_TT_I64, (int64_t)off[c]);
			w_begin(&w, 3);
			w_int(&w, 1, S3I_TT_I32, types[c]);
			w_list(&w, 2, S3I_TT_I32, 1);
			w_var(&w, 0);
			w_list(&w, 3, S3I_TT_BINARY, 1);
			w_var(&w, strlen(names[c]));
			memcpy(w.b + w.n, names[c], strlen(names[c]));
			w.n += strlen(names[c]);
			w_int(&w, 4, S3I_TT_I32, PQ_UNCOMPRESSED);
			w_int(&w, 5, S3I_TT_I64, 3);
			w_int(&w, 6, S3I_TT_I64, (int64_t)len[c]);
			w_int(&w, 7, S3I_TT_I64, (int64_t)len[c]);
			w_int(&w, 9, S3I_TT_I64, (int64_t)off[c]);
			w_end(&w);
			w_end(&w);
		}
		w_int(&w, 2, S3I_TT_I64, 100);
		w_int(&w, 3, S3I_TT_I64, 3);
		w_end(&w);
	}
	w_byte(&w, 0);
	memcpy(file + n, w.b, w.n);
	n += w.n;
	put32(file + n, (uint32_t)w.n);
	memcpy(file + n + 4, "PAR1", 4);
	n += 8;

	if (read_mem(file, n, &rs, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(rs.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(rs.v[i].key, keys[i]);
		assert_int_equal(rs.v[i].lm, (int64_t)i * 86400000 + (int64_t)i * 1500);
		assert_int_equal(rs.v[i].latest, i != 1);
		assert_false(rs.v[i].dm);
		assert_int_equal(rs.v[i].size, 0);
	}
	rows_free(&rs);
	/* the same file with a page that claims more values than the chunk */
	assert_int_equal(file[off[0] + 8], 0x04); /* first page num_values 2 (zigzag 4) */
	file[off[0] + 8] = 0x08;                   /* -> 4 */
	assert_int_equal(read_mem(file, n, &rs, &err), S3INV_EFORMAT);
	assert_non_null(strstr(err.msg, "column 'key': page holds more values than the column chunk"));
	rows_free(&rs);
}

/* ---- thrift ------------------------------------------------------------------ */

static void test_parquet__thrift(void **state)
{
	struct s3i_thrift t;
	uint8_t deep[200];
	uint8_t buf[64];
	size_t k = 0;
	int16_t last, id;
	int ft, et;
	uint32_t n;
	int64_t v;
	(void)state;

	/* 100 nested structs (field 1, type struct) -> depth limit */
	for (int i = 0; i < 100; i++)
		deep[i] = 0x1c;
	memset(deep + 100, 0, 100);
	s3i_thrift_init(&t, deep, sizeof deep);
	assert_int_equal(s3i_thrift_skip(&t, S3I_TT_STRUCT), S3INV_EFORMAT);
	assert_non_null(strstr(t.what, "too deep"));

	/* a list claiming more elements than bytes */
	buf[0] = 0xf5;               /* size 15+ follows, i32 */
	buf[1] = 0xff; buf[2] = 0x7f; /* 16383 */
	s3i_thrift_init(&t, buf, 3);
	assert_int_equal(s3i_thrift_list(&t, S3I_TT_LIST, &et, &n), S3INV_EFORMAT);

	/* a struct: unknown field 7 (binary "xyz"), bool field 8 true, long-form
	 * field id 300 (i64 -2), then stop; skipping must consume all of it */
	buf[k++] = 0x78; buf[k++] = 3; buf[k++] = 'x'; buf[k++] = 'y'; buf[k++] = 'z';
	buf[k++] = 0x11;
	buf[k++] = 0x06; buf[k++] = 0xd8; buf[k++] = 0x04; /* zigzag(300) = 600 */
	buf[k++] = 3;                                         /* zigzag(-2) */
	buf[k++] = 0;
	s3i_thrift_init(&t, buf, k);
	assert_int_equal(s3i_thrift_struct_begin(&t, &last), 0);
	assert_int_equal(s3i_thrift_field(&t, &last, &ft, &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(s3i_thrift_skip(&t, ft), 0);
	assert_int_equal(s3i_thrift_field(&t, &last, &ft, &id), 0);
	assert_int_equal(id, 8);
	assert_int_equal(ft, S3I_TT_TRUE);
	assert_int_equal(s3i_thrift_field(&t, &last, &ft, &id), 0);
	assert_int_equal(id, 300);
	assert_int_equal(s3i_thrift_i64(&t, ft, &v), 0);
	assert_int_equal(v, -2);
	assert_int_equal(s3i_thrift_field(&t, &last, &ft, &id), 0);
	assert_int_equal(ft, S3I_TT_STOP);
	assert_int_equal(t.pos, k);
	s3i_thrift_init(&t, buf, k);
	assert_int_equal(s3i_thrift_skip(&t, S3I_TT_STRUCT), 0);
	assert_int_equal(t.pos, k);
	/* every truncation of it fails */
	for (size_t c = 0; c < k; c++) {
		s3i_thrift_init(&t, buf, c);
		assert_int_equal(s3i_thrift_skip(&t, S3I_TT_STRUCT), S3INV_EFORMAT);
	}
	/* an overlong varint */
	memset(buf, 0xff, 12);
	s3i_thrift_init(&t, buf, 12);
	assert_int_equal(s3i_thrift_i64(&t, S3I_TT_I64, &v), S3INV_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parquet__fixtures),
		cmocka_unit_test(test_parquet__hostile_keys),
		cmocka_unit_test(test_parquet__columns),
		cmocka_unit_test(test_parquet__nokey),
		cmocka_unit_test(test_parquet__projection_reads),
		cmocka_unit_test(test_parquet__read_groups),
		cmocka_unit_test(test_parquet__sink_stop_and_cancel),
		cmocka_unit_test(test_parquet__bad_footers),
		cmocka_unit_test(test_parquet__truncations),
		cmocka_unit_test(test_parquet__corrupt_bytes),
		cmocka_unit_test(test_parquet__rle_hybrid),
		cmocka_unit_test(test_parquet__delta_binary_packed),
		cmocka_unit_test(test_parquet__delta_byte_arrays),
		cmocka_unit_test(test_parquet__thrift),
		cmocka_unit_test(test_parquet__handmade_required),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
