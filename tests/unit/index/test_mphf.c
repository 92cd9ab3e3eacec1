/* SPDX-License-Identifier: MIT */
/*
 * test_mphf.c — the minimal perfect hash (src/index/mphf.h).
 *
 * The reference is the definition itself: every key of the set must map to
 * a distinct slot in [0, n) (checked with a bitmap, i.e. a bijection), for
 * random and adversarial key sets and every size class (0, 1, tiny, less
 * than one part, exactly one part, many parts). Also: byte-identical output
 * at 1, 2 and 4 threads and with the hashes spilled to disk; a round trip
 * through a file and mmap; duplicate keys rejected; damaged or truncated
 * serialized bytes rejected at open (never a crash, never a slot >= n).
 * Sizes shrink unless S3INV_SLOW is set, so the ASan build stays fast.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "index/mphf.h"
#include "util/alloc.h"
#include "util/budget.h"

#define SEED 0x5eed5eed12345678ull

/* A key set: concatenated bytes with offsets. */
struct keys {
	unsigned char *data;
	size_t *off; /* n + 1 */
	size_t n, cap, dcap;
};

static void keys_add(struct keys *k, const void *p, size_t len)
{
	if (k->n + 2 > k->cap) {
		k->cap = k->cap ? k->cap * 2 : 1024;
		k->off = realloc(k->off, k->cap * sizeof *k->off);
		assert_non_null(k->off);
		if (k->n == 0)
			k->off[0] = 0;
	}
	if (k->off[k->n] + len > k->dcap) {
		k->dcap = (k->dcap + len) * 2;
		k->data = realloc(k->data, k->dcap);
		assert_non_null(k->data);
	}
	if (len)
		memcpy(k->data + k->off[k->n], p, len);
	k->off[k->n + 1] = k->off[k->n] + len;
	k->n++;
}

static void keys_free(struct keys *k)
{
	free(k->data);
	free(k->off);
	memset(k, 0, sizeof *k);
}

static const unsigned char *key_at(const struct keys *k, size_t i, size_t *len)
{
	*len = k->off[i + 1] - k->off[i];
	return k->data + k->off[i];
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t scaled(size_t fast, size_t slow) { return getenv("S3INV_SLOW") ? slow : fast; }

/* Unique realistic prefixes: the index makes them unique by construction. */
static void gen_prefixes(struct keys *k, size_t n)
{
	char buf[128];
	size_t i;
	for (i = 0; i < n; i++) {
		int len;
		switch (i % 3) {
		case 0:
			len = snprintf(buf, sizeof buf, "logs/2026/%02zu/%02zu/host-%04zu/app/", i % 12 + 1,
			               i % 28 + 1, i);
			break;
		case 1:
			len = snprintf(buf, sizeof buf, "media/users/u%zu/albums/a%zu/", i, i % 17);
			break;
		default:
			len = snprintf(buf, sizeof buf, "data/%zx/", i);
			break;
		}
		keys_add(k, buf, (size_t)len);
	}
}

static int build(const struct keys *k, unsigned threads, struct s3i_budget *bg, const char *tmp,
                 void **out, size_t *len, s3inv_error *err)
{
	struct s3i_mphf_builder *b = NULL;
	size_t i, kl;
	int rc = s3i_mphf_builder_new(&b, SEED, bg, tmp, err);
	for (i = 0; rc == 0 && i < k->n; i++) {
		const unsigned char *p = key_at(k, i, &kl);
		rc = s3i_mphf_builder_add(b, p, kl, err);
	}
	if (rc == 0)
		rc = s3i_mphf_builder_finish(b, threads, out, len, err);
	s3i_mphf_builder_free(b);
	return rc;
}

/* Every key to a distinct slot in [0, n); lookup == slot(hash). */
static void check_bijection(const void *bytes, size_t len, const struct keys *k)
{
	struct s3i_mphf m;
	s3inv_error err = {0};
	unsigned char *seen;
	size_t i, kl;
	assert_int_equal(s3i_mphf_open(&m, bytes, len, &err), 0);
	assert_int_equal(m.n, k->n);
	seen = calloc(k->n / 8 + 1, 1);
	assert_non_null(seen);
	for (i = 0; i < k->n; i++) {
		const unsigned char *p = key_at(k, i, &kl);
		uint64_t s = s3i_mphf_lookup(&m, p, kl);
		struct s3i_hash128 h = s3i_mphf_hash(SEED, p, kl);
		s3i_mphf_prefetch(&m, h);
		assert_int_equal(s3i_mphf_slot(&m, h), s);
		assert_true(s < k->n);
		assert_false(seen[s / 8] & (1u << (s % 8)));
		seen[s / 8] |= (unsigned char)(1u << (s % 8));
	}
	free(seen);
}

static void build_and_check(const struct keys *k, unsigned threads)
{
	void *out = NULL;
	size_t len = 0;
	s3inv_error err = {0};
	int rc = build(k, threads, NULL, NULL, &out, &len, &err);
	if (rc != 0)
		print_error("build: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_true(len % 8 == 0);
	check_bijection(out, len, k);
	/* bits per key stays small for sets of a useful size */
	if (k->n >= 100000)
		assert_true((double)len * 8 / (double)k->n < 3.2);
	s3i_free(out);
}

static void test_mphf__empty(void **state)
{
	struct keys k = {0};
	void *out = NULL;
	size_t len = 0;
	struct s3i_mphf m;
	(void)state;
	assert_int_equal(build(&k, 1, NULL, NULL, &out, &len, NULL), 0);
	assert_int_equal(s3i_mphf_open(&m, out, len, NULL), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(s3i_mphf_lookup(&m, "x", 1), 0); /* defined, harmless */
	s3i_free(out);
}

static void test_mphf__tiny_sizes(void **state)
{
	size_t n;
	(void)state;
	for (n = 1; n <= 300; n += (n < 40 ? 1 : 37)) {
		struct keys k = {0};
		gen_prefixes(&k, n);
		build_and_check(&k, 1);
		keys_free(&k);
	}
}

static void test_mphf__empty_string_and_binary(void **state)
{
	struct keys k = {0};
	unsigned char buf[8];
	unsigned i;
	(void)state;
	keys_add(&k, "", 0);
	keys_add(&k, "\0", 1);
	keys_add(&k, "\0\0", 2);
	keys_add(&k, "\xff\xfe\xfd", 3);
	keys_add(&k, "\xc3\x28", 2); /* invalid UTF-8 */
	keys_add(&k, "a/b c+%20//", 11);
	for (i = 0; i < 5000; i++) {
		memcpy(buf, &i, 4);
		buf[4] = 0x80;
		buf[5] = (unsigned char)(i * 7);
		keys_add(&k, buf, 6);
	}
	build_and_check(&k, 2);
	keys_free(&k);
}

static void test_mphf__last_byte_and_long_prefix(void **state)
{
	struct keys k = {0};
	unsigned char *buf = malloc(2100);
	unsigned i;
	(void)state;
	assert_non_null(buf);
	memset(buf, 'p', 2100);
	/* keys differing only in the last two bytes */
	for (i = 0; i < 65536; i++) {
		buf[30] = (unsigned char)(i >> 8);
		buf[31] = (unsigned char)i;
		keys_add(&k, buf, 32);
	}
	/* 2 KiB shared prefix, differing in the last 3 bytes */
	memset(buf, 'q', 2100);
	for (i = 0; i < 20000; i++) {
		buf[2097] = (unsigned char)(i >> 16);
		buf[2098] = (unsigned char)(i >> 8);
		buf[2099] = (unsigned char)i;
		keys_add(&k, buf, 2100);
	}
	/* prefixes of one another */
	memset(buf, 'r', 2100);
	for (i = 0; i < 2100; i++)
		keys_add(&k, buf, i + 1);
	build_and_check(&k, 2);
	keys_free(&k);
	free(buf);
}

static void test_mphf__random_bytes(void **state)
{
	struct keys k = {0};
	unsigned char buf[24];
	size_t i, n = scaled(100000, 1000000);
	(void)state;
	for (i = 0; i < n; i++) {
		uint64_t a = rnd(), b = rnd();
		memcpy(buf, &a, 8);
		memcpy(buf + 8, &b, 8);
		memcpy(buf + 16, &i, 8); /* unique */
		keys_add(&k, buf, 8 + (size_t)(a % 17));
		if (a % 17 < 16) { /* short key: make it unique via its index */
			k.n--;
			memcpy(buf, &i, 8);
			keys_add(&k, buf, 8 + (size_t)(a % 9));
		}
	}
	build_and_check(&k, 2);
	keys_free(&k);
}

/* n = 0.99 * 2^18 (the largest single part) and just above (two parts). */
static void test_mphf__one_part_boundary(void **state)
{
	struct keys k = {0};
	(void)state;
	gen_prefixes(&k, 259522);
	build_and_check(&k, 1);
	keys_add(&k, "one more", 8);
	build_and_check(&k, 2);
	keys_free(&k);
}

static void test_mphf__many_parts(void **state)
{
	struct keys k = {0};
	(void)state;
	gen_prefixes(&k, scaled(800000, 4000000));
	build_and_check(&k, 2);
	keys_free(&k);
}

static void test_mphf__deterministic_threads_and_spill(void **state)
{
	struct keys k = {0};
	void *o1 = NULL, *o2 = NULL, *o4 = NULL, *os = NULL;
	size_t l1, l2, l4, ls;
	struct s3i_budget bg;
	s3inv_error err = {0};
	const char *tmp = getenv("S3INV_TMP");
	(void)state;
	gen_prefixes(&k, scaled(600000, 3000000));
	assert_int_equal(build(&k, 1, NULL, NULL, &o1, &l1, &err), 0);
	assert_int_equal(build(&k, 2, NULL, NULL, &o2, &l2, &err), 0);
	assert_int_equal(build(&k, 4, NULL, NULL, &o4, &l4, &err), 0);
	assert_int_equal(l1, l2);
	assert_int_equal(l1, l4);
	assert_memory_equal(o1, o2, l1);
	assert_memory_equal(o1, o4, l1);
	/* a 64 KiB budget forces the spill path: same bytes */
	if (!tmp)
		tmp = "/tmp";
	mkdir(tmp, 0777);
	s3i_budget_init(&bg, 64 << 10, NULL);
	assert_int_equal(build(&k, 2, &bg, tmp, &os, &ls, &err), 0);
	assert_int_equal(atomic_load(&bg.used), 0); /* everything released */
	s3i_budget_destroy(&bg);
	assert_int_equal(l1, ls);
	assert_memory_equal(o1, os, l1);
	check_bijection(os, ls, &k);
	s3i_free(o1);
	s3i_free(o2);
	s3i_free(o4);
	s3i_free(os);
	keys_free(&k);
}

static void test_mphf__spill_without_tmp_dir(void **state)
{
	struct keys k = {0};
	void *o = NULL;
	size_t l;
	struct s3i_budget bg;
	s3inv_error err = {0};
	(void)state;
	gen_prefixes(&k, 10000);
	s3i_budget_init(&bg, 1024, NULL);
	assert_int_equal(build(&k, 1, &bg, NULL, &o, &l, &err), S3INV_ENOMEM);
	assert_non_null(strstr(err.msg, "budget"));
	s3i_budget_destroy(&bg);
	keys_free(&k);
}

static void test_mphf__file_mmap_round_trip(void **state)
{
	struct keys k = {0};
	void *o = NULL, *map;
	size_t l;
	char path[4096];
	const char *tmp = getenv("S3INV_TMP");
	int fd;
	(void)state;
	gen_prefixes(&k, 300000);
	assert_int_equal(build(&k, 2, NULL, NULL, &o, &l, NULL), 0);
	if (!tmp)
		tmp = "/tmp";
	mkdir(tmp, 0777);
	snprintf(path, sizeof path, "%s/test_mphf.%d.bin", tmp, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, o, l), (ssize_t)l);
	map = mmap(NULL, l, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(map != MAP_FAILED);
	check_bijection(map, l, &k);
	munmap(map, l);
	close(fd);
	unlink(path);
	s3i_free(o);
	keys_free(&k);
}

static void test_mphf__duplicate_key(void **state)
{
	struct keys k = {0};
	void *o = NULL;
	size_t l, kl;
	s3inv_error err = {0};
	const unsigned char *p;
	(void)state;
	gen_prefixes(&k, 50000);
	p = key_at(&k, 1234, &kl);
	{
		unsigned char copy[128];
		memcpy(copy, p, kl);
		keys_add(&k, copy, kl);
	}
	assert_int_equal(build(&k, 2, NULL, NULL, &o, &l, &err), S3INV_EINVAL);
	assert_non_null(strstr(err.msg, "duplicate key"));
	assert_null(o);
	keys_free(&k);
	/* two empty strings */
	keys_add(&k, "", 0);
	keys_add(&k, "", 0);
	memset(&err, 0, sizeof err);
	assert_int_equal(build(&k, 1, NULL, NULL, &o, &l, &err), S3INV_EINVAL);
	keys_free(&k);
}

/* Open must either reject the bytes or give a view whose lookups stay in
 * [0, n) — never crash or read out of bounds (ASan watches). */
static void probe_damaged(const unsigned char *bytes, size_t len, const struct keys *k,
                          int *rejected)
{
	struct s3i_mphf m;
	size_t i, kl;
	s3inv_error err = {0};
	int rc = s3i_mphf_open(&m, bytes, len, &err);
	if (rc != 0) {
		assert_int_equal(rc, S3INV_ECORRUPT);
		assert_true(err.msg[0] != 0);
		(*rejected)++;
		return;
	}
	for (i = 0; i < k->n; i += 7) {
		const unsigned char *p = key_at(k, i, &kl);
		assert_true(s3i_mphf_lookup(&m, p, kl) < m.n);
	}
}

static void test_mphf__corrupt(void **state)
{
	struct keys k = {0};
	void *o = NULL;
	unsigned char *copy;
	size_t l, off, cut;
	int rejected = 0;
	static const uint64_t vals[] = {0, 1, 2, 7, 8, 0x80, 0xffffffffull, 0x100000000ull,
	                                0x7fffffffffffffffull, UINT64_MAX};
	(void)state;
	gen_prefixes(&k, 30000);
	assert_int_equal(build(&k, 1, NULL, NULL, &o, &l, NULL), 0);
	copy = malloc(l);
	assert_non_null(copy);
	/* every 32-bit and 64-bit header field set to hostile values: all are
	 * rejected except the seed and the bucket-function parameter, which
	 * only give another (in-range) function */
	for (off = 0; off < 128; off += 4) {
		int lenient = (off >= 24 && off < 32) || (off >= 56 && off < 64);
		size_t v;
		for (v = 0; v < sizeof vals / sizeof vals[0]; v++) {
			int w;
			for (w = 4; w <= 8; w += 4) {
				int before = rejected;
				uint32_t v32 = (uint32_t)vals[v];
				if (w == 8 && off % 8)
					continue;
				memcpy(copy, o, l);
				memcpy(copy + off, w == 4 ? (const void *)&v32 : (const void *)&vals[v],
				       (size_t)w);
				if (memcmp(copy, o, l) == 0)
					continue;
				probe_damaged(copy, l, &k, &rejected);
				if (!lenient && rejected == before)
					fail_msg("header offset %zu width %d value %llx accepted", off, w,
					         (unsigned long long)vals[v]);
			}
		}
	}
	/* a remap entry pointing at or beyond n */
	{
		struct s3i_mphf m;
		uint64_t roff;
		uint32_t bad = 30000;
		memcpy(&roff, (unsigned char *)o + 96, 8); /* remap_off */
		memcpy(copy, o, l);
		memcpy(copy + roff, &bad, 4);
		assert_int_equal(s3i_mphf_open(&m, copy, l, NULL), S3INV_ECORRUPT);
	}
	/* truncated: every length below the real one */
	for (cut = 0; cut < l; cut += (cut < 256 ? 1 : 997)) {
		unsigned char *t = malloc(cut + 8);
		struct s3i_mphf m;
		assert_non_null(t);
		memcpy(t, o, cut);
		assert_int_equal(s3i_mphf_open(&m, t, cut, NULL), S3INV_ECORRUPT);
		free(t);
	}
	/* random byte flips anywhere */
	for (off = 0; off < 2000; off++) {
		memcpy(copy, o, l);
		copy[rnd() % l] ^= (unsigned char)(1u << (rnd() % 8));
		probe_damaged(copy, l, &k, &rejected);
	}
	free(copy);
	s3i_free(o);
	keys_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mphf__empty),
	    cmocka_unit_test(test_mphf__tiny_sizes),
	    cmocka_unit_test(test_mphf__empty_string_and_binary),
	    cmocka_unit_test(test_mphf__last_byte_and_long_prefix),
	    cmocka_unit_test(test_mphf__random_bytes),
	    cmocka_unit_test(test_mphf__one_part_boundary),
	    cmocka_unit_test(test_mphf__many_parts),
	    cmocka_unit_test(test_mphf__deterministic_threads_and_spill),
	    cmocka_unit_test(test_mphf__spill_without_tmp_dir),
	    cmocka_unit_test(test_mphf__file_mmap_round_trip),
	    cmocka_unit_test(test_mphf__duplicate_key),
	    cmocka_unit_test(test_mphf__corrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
