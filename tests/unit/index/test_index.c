/* SPDX-License-Identifier: MIT */
/*
 * test_index.c — the index writer and reader against a naive model.
 *
 * A random set of hostile keys is expanded into all its prefixes with a
 * plain sorted array (the model); the sorted stream goes through the
 * writer; every prefix must then be found at its own position with the
 * model's statistics and classes, every absent string must miss, children
 * and top-N must equal the model's, batch lookups must answer as single
 * ones, layout corners (block boundaries, long prefixes) must hold, verify
 * must pass, and every flipped
 * byte or truncation must be refused at open (never a crash).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/writer.h"
#include "s3inv.h"

#define NCLS 3

struct mp {
	char *s;
	size_t len;
	uint64_t objects, bytes, nc_objects, nc_bytes, dm;
	uint64_t cobj[NCLS], cbytes[NCLS];
};

struct model {
	struct mp *p;
	size_t n, cap;
};

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *parts[] = {"a", "b", "logs", "2026", "x y", "+", "%41", "\xc3\xa9", "\xe6\x97\xa5",
                              "", "deep", "z", "\xff\xfe", "a-b", "a.b"};

static int cmp_mp(const void *a, const void *b)
{
	const struct mp *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, m);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static struct mp *model_get(struct model *m, const char *s, size_t len)
{
	/* linear-probe free: collected unsorted, merged after sorting */
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->p = realloc(m->p, m->cap * sizeof *m->p);
	}
	struct mp *p = &m->p[m->n++];
	memset(p, 0, sizeof *p);
	p->s = malloc(len + 1);
	memcpy(p->s, s, len);
	p->len = len;
	return p;
}

static void model_build(struct model *m, size_t nkeys, char delim)
{
	char key[512];
	size_t i, j, k;
	memset(m, 0, sizeof *m);
	for (i = 0; i < nkeys; i++) {
		size_t depth = rnd() % 8, len = 0;
		if (rnd() % 50 == 0)
			depth = 25;
		for (j = 0; j < depth && len < 400; j++) {
			const char *pt = parts[rnd() % (sizeof parts / sizeof parts[0])];
			len += (size_t)snprintf(key + len, sizeof key - len, "%s%u%c", pt,
			                        (unsigned)(rnd() % 4), delim);
		}
		if (rnd() % 5)
			len += (size_t)snprintf(key + len, sizeof key - len, "f%u", (unsigned)(rnd() % 100));
		uint64_t size = rnd() % 100000, kind = rnd() % 10;
		unsigned cls = (unsigned)(rnd() % NCLS);
		/* every prefix of the key: "" and each part ending in delim */
		for (k = 0; k <= len; k++) {
			if (k > 0 && key[k - 1] != delim)
				continue;
			struct mp *p = model_get(m, key, k);
			if (kind < 7) {
				p->objects = 1;
				p->bytes = size;
				p->cobj[cls] = 1;
				p->cbytes[cls] = size;
			} else if (kind < 9) {
				p->nc_objects = 1;
				p->nc_bytes = size;
			} else {
				p->dm = 1;
			}
		}
	}
	qsort(m->p, m->n, sizeof *m->p, cmp_mp);
	/* merge duplicates */
	for (i = 0, j = 0; i < m->n; i++) {
		if (j > 0 && cmp_mp(&m->p[j - 1], &m->p[i]) == 0) {
			struct mp *d = &m->p[j - 1], *s = &m->p[i];
			d->objects += s->objects;
			d->bytes += s->bytes;
			d->nc_objects += s->nc_objects;
			d->nc_bytes += s->nc_bytes;
			d->dm += s->dm;
			for (k = 0; k < NCLS; k++) {
				d->cobj[k] += s->cobj[k];
				d->cbytes[k] += s->cbytes[k];
			}
			free(s->s);
		} else {
			m->p[j++] = m->p[i];
		}
	}
	m->n = j;
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->p[i].s);
	free(m->p);
}

static const char *tmpdir(void)
{
	static char dir[1024];
	const char *t = getenv("S3INV_TMP");
	snprintf(dir, sizeof dir, "%s", t ? t : "/tmp");
	mkdir(dir, 0755);
	return dir;
}

/* Writer metadata of a test index with N classes NAMES (sorted) and the
 * build-id -> final-id MAP. */
static struct s3i_writer_meta test_meta(char delim, const char **names, const uint32_t *map,
                                        uint32_t n)
{
	struct s3i_writer_meta meta = {0};
	meta.source_bucket = "test-bucket";
	meta.delim = delim;
	meta.max_depth = -1;
	meta.has_size = meta.has_versions = true;
	meta.class_names = names;
	meta.n_classes = n;
	meta.class_map = map;
	meta.class_map_len = n;
	return meta;
}

static void write_index(const struct model *m, const char *path, char delim)
{
	static const char *names[NCLS] = {"GLACIER", "STANDARD", "STANDARD_IA"};
	/* build ids 0,1,2 are STANDARD, GLACIER, STANDARD_IA: final ids by name */
	static const uint32_t map[NCLS] = {1, 0, 2};
	struct s3i_writer_meta meta = test_meta(delim, names, map, NCLS);
	struct s3i_writer *w;
	s3inv_error err = {0};
	assert_int_equal(s3i_writer_open(&w, path, tmpdir(), &meta, NULL, &err), 0);
	for (size_t i = 0; i < m->n; i++) {
		struct s3i_cstat cs[NCLS];
		uint32_t nc = 0;
		for (uint32_t k = 0; k < NCLS; k++)
			if (m->p[i].cobj[k])
				cs[nc++] = (struct s3i_cstat){k, m->p[i].cobj[k], m->p[i].cbytes[k]};
		struct s3i_prec p = {m->p[i].s, m->p[i].len, m->p[i].objects, m->p[i].bytes,
		                     m->p[i].nc_objects, m->p[i].nc_bytes, m->p[i].dm, nc, cs};
		int rc = s3i_writer_add(w, &p, &err);
		if (rc)
			fail_msg("add #%zu: %s", i, err.msg);
	}
	uint64_t size = 0;
	int rc = s3i_writer_finish(w, 2, &size, &err);
	if (rc)
		fail_msg("finish: %s", err.msg);
	s3i_writer_free(w);
	assert_true(size > 0);
}

static void check_all(const struct model *m, const char *path)
{
	static const uint32_t map[NCLS] = {1, 0, 2};
	s3inv_index *x;
	s3inv_error err = {0};
	char buf[1024];
	assert_int_equal(s3inv_index_open(&x, path, S3INV_OPEN_VERIFY, &err), 0);
	for (size_t i = 0; i < m->n; i++) {
		uint64_t pos;
		s3inv_stats st;
		s3inv_class_stats cs[8];
		assert_int_equal(s3inv_index_lookup(x, m->p[i].s, m->p[i].len, &pos), 0);
		assert_int_equal(pos, i);
		assert_int_equal(s3inv_index_stats(x, pos, &st), 0);
		assert_int_equal(st.objects, m->p[i].objects);
		assert_int_equal(st.bytes, m->p[i].bytes);
		assert_int_equal(st.nc_objects, m->p[i].nc_objects);
		assert_int_equal(st.nc_bytes, m->p[i].nc_bytes);
		assert_int_equal(st.delete_markers, m->p[i].dm);
		int nc = s3inv_index_class_stats(x, pos, cs, 8);
		int want = 0;
		for (uint32_t k = 0; k < NCLS; k++)
			if (m->p[i].cobj[k]) {
				want++;
				int found = 0;
				for (int j = 0; j < nc; j++)
					if (cs[j].class_id == map[k]) {
						assert_int_equal(cs[j].objects, m->p[i].cobj[k]);
						assert_int_equal(cs[j].bytes, m->p[i].cbytes[k]);
						found = 1;
					}
				assert_true(found);
			}
		assert_int_equal(nc, want);
		long len = s3inv_index_prefix(x, pos, buf, sizeof buf);
		assert_int_equal(len, (long)m->p[i].len);
		assert_memory_equal(buf, m->p[i].s, m->p[i].len);
	}
	/* misses: stored prefixes with a changed byte, or cut short */
	for (size_t i = 0; i < m->n; i++) {
		uint64_t pos;
		char q[600];
		size_t len = m->p[i].len;
		memcpy(q, m->p[i].s, len);
		q[len] = '#';
		assert_int_equal(s3inv_index_lookup(x, q, len + 1, &pos), S3INV_ENOTFOUND);
		if (len > 1) {
			assert_int_equal(s3inv_index_lookup(x, q, len - 1, &pos), S3INV_ENOTFOUND);
			q[len / 2] ^= 0x55;
			if (s3inv_index_lookup(x, q, len, &pos) == 0)
				assert_memory_equal(m->p[pos].s, q, len); /* it exists for real */
		}
	}
	s3inv_index_close(x);
}

static void check_children_top(const struct model *m, const char *path, char delim)
{
	s3inv_index *x;
	s3inv_error err = {0};
	assert_int_equal(s3inv_index_open(&x, path, 0, &err), 0);
	for (size_t i = 0; i < m->n; i += 1 + m->n / 200) {
		uint64_t *kids = NULL;
		size_t nk = 0, want = 0, j, depth = 0;
		for (j = 0; j < m->p[i].len; j++)
			depth += m->p[i].s[j] == delim;
		assert_int_equal(s3inv_query_children(&kids, &nk, x, i, S3INV_SORT_NAME, 0, &err), 0);
		for (j = i + 1; j < m->n; j++) {
			size_t d = 0, k;
			if (m->p[j].len < m->p[i].len || memcmp(m->p[j].s, m->p[i].s, m->p[i].len) != 0)
				break;
			for (k = 0; k < m->p[j].len; k++)
				d += m->p[j].s[k] == delim;
			if (d == depth + 1) {
				assert_true(want < nk);
				assert_int_equal(kids[want], j);
				want++;
			}
		}
		assert_int_equal(nk, want);
		s3inv_free(kids);
		/* top 3 by bytes at depth 2: the model's best three values */
		uint64_t *top = NULL;
		size_t nt = 0;
		assert_int_equal(s3inv_query_top(&top, &nt, x, i, 2, S3INV_SORT_BYTES, 3, &err), 0);
		uint64_t best[3] = {0, 0, 0};
		size_t nb = 0;
		for (j = i + 1; j < m->n; j++) {
			size_t d = 0, k;
			if (m->p[j].len < m->p[i].len || memcmp(m->p[j].s, m->p[i].s, m->p[i].len) != 0)
				break;
			for (k = 0; k < m->p[j].len; k++)
				d += m->p[j].s[k] == delim;
			if (d != depth + 2)
				continue;
			uint64_t v = m->p[j].bytes;
			nb++;
			for (k = 0; k < 3; k++)
				if (v > best[k]) {
					uint64_t t = best[k];
					best[k] = v;
					v = t;
				}
		}
		assert_int_equal(nt, nb < 3 ? nb : 3);
		for (j = 0; j < nt; j++) {
			s3inv_stats st;
			s3inv_index_stats(x, top[j], &st);
			assert_int_equal(st.bytes, best[j]);
		}
		s3inv_free(top);
	}
	s3inv_index_close(x);
}

/* Batch lookups (hits and misses interleaved, batch sizes around the
 * pipeline depth) must answer exactly what single lookups answer. */
static void check_batch(const struct model *m, const char *path)
{
	s3inv_index *x;
	s3inv_error err = {0};
	size_t nq = 2 * m->n + 3, i, found = 0, bs, rounds = 0;
	const char **q = malloc(nq * sizeof *q);
	size_t *ql = malloc(nq * sizeof *ql);
	uint64_t *pos = malloc(nq * sizeof *pos);
	char **own = malloc(nq * sizeof *own);
	assert_int_equal(s3inv_index_open(&x, path, 0, &err), 0);
	for (i = 0; i < nq; i++) {
		const struct mp *p = &m->p[(i / 2) % m->n];
		own[i] = malloc(p->len + 2);
		memcpy(own[i], p->s, p->len);
		ql[i] = p->len;
		if (i % 2) { /* a miss: one more byte */
			own[i][p->len] = '\x01';
			ql[i]++;
		}
		q[i] = own[i];
	}
	for (bs = 1; bs <= 70; bs += 23, rounds++) {
		for (i = 0; i < nq; i += bs) {
			size_t e = nq - i < bs ? nq - i : bs, j;
			found += s3inv_index_lookup_batch(x, q + i, ql + i, e, pos + i);
			for (j = i; j < i + e; j++) {
				uint64_t p1;
				int rc = s3inv_index_lookup(x, q[j], ql[j], &p1);
				if (rc == 0)
					assert_int_equal(pos[j], p1);
				else
					assert_int_equal(pos[j], UINT64_MAX);
				assert_int_equal(rc == 0, j % 2 == 0);
			}
		}
	}
	assert_int_equal(found, rounds * ((nq + 1) / 2));
	for (i = 0; i < nq; i++)
		free(own[i]);
	free(own);
	free(q);
	free(ql);
	free(pos);
	s3inv_index_close(x);
}

/* Layout corners: prefix counts around the 16-prefix string blocks (a
 * block header per block, a slot record's entry field 0..15), long
 * prefixes (wide string sections, so wider slot records, and entries far
 * from their block start), and many absent strings, every one a miss. */
static void test_index__layout_corners(void **state)
{
	static const size_t counts[] = {1, 2, 15, 16, 17, 31, 32, 33, 48, 257};
	(void)state;
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		struct model m = {0};
		char path[1100], key[64];
		s3inv_error err = {0};
		s3inv_index *x;
		size_t i;
		model_get(&m, "", 0);
		for (i = 1; i < counts[c]; i++) {
			int l = snprintf(key, sizeof key, "k%05zu/", i);
			struct mp *p = model_get(&m, key, (size_t)l);
			p->objects = 1;
			p->bytes = i;
		}
		if (counts[c] >= 17) { /* long prefixes inside a block */
			size_t big[] = {3000, 65535 - 8, 70};
			for (i = 0; i < 3; i++) {
				struct mp *p = model_get(&m, "k00003/", 7);
				free(p->s);
				p->len = 7 + big[i];
				p->s = malloc(p->len);
				memcpy(p->s, "k00003/", 7);
				memset(p->s + 7, 'a' + (int)i, big[i] - 1);
				p->s[p->len - 1] = '/';
				p->objects = 1;
			}
		}
		qsort(m.p, m.n, sizeof *m.p, cmp_mp);
		for (i = 0; i < m.n; i++) /* no counters: this test is about strings */
			m.p[i].objects = m.p[i].bytes = 0;
		snprintf(path, sizeof path, "%s/test_index_corner.s3i", tmpdir());
		write_index(&m, path, '/');
		assert_int_equal(s3inv_index_open(&x, path, S3INV_OPEN_VERIFY, &err), 0);
		for (i = 0; i < m.n; i++) {
			uint64_t pos;
			char *buf = malloc(65536);
			assert_int_equal(s3inv_index_lookup(x, m.p[i].s, m.p[i].len, &pos), 0);
			assert_int_equal(pos, i);
			assert_int_equal(s3inv_index_prefix(x, i, buf, 65536), (long)m.p[i].len);
			assert_memory_equal(buf, m.p[i].s, m.p[i].len);
			free(buf);
		}
		for (i = 0; i < 20000; i++) { /* absent: never a hit */
			uint64_t pos;
			int l = snprintf(key, sizeof key, "k%05zu/%c", i % (counts[c] + 2), (char)('A' + i % 7));
			if (i % 3 == 0)
				l = snprintf(key, sizeof key, "k%05zu", i);
			else if (i % 3 == 1)
				l = snprintf(key, sizeof key, "x%zu/", i);
			assert_int_equal(s3inv_index_lookup(x, key, (size_t)l, &pos), S3INV_ENOTFOUND);
		}
		s3inv_index_close(x);
		if (s3inv_index_verify(path, &err))
			fail_msg("verify (%zu): %s", counts[c], err.msg);
		check_batch(&m, path);
		unlink(path);
		model_free(&m);
	}
}

static void test_index__roundtrip(void **state)
{
	(void)state;
	struct model m;
	char path[1100];
	s3inv_error err = {0};
	model_build(&m, 5000, '/');
	snprintf(path, sizeof path, "%s/test_index_rt.s3i", tmpdir());
	write_index(&m, path, '/');
	check_all(&m, path);
	check_children_top(&m, path, '/');
	check_batch(&m, path);
	int rc = s3inv_index_verify(path, &err);
	if (rc)
		fail_msg("verify: %s", err.msg);
	unlink(path);
	model_free(&m);
}

static void test_index__other_delimiter(void **state)
{
	(void)state;
	struct model m;
	char path[1100];
	s3inv_error err = {0};
	model_build(&m, 2000, '|');
	snprintf(path, sizeof path, "%s/test_index_delim.s3i", tmpdir());
	write_index(&m, path, '|');
	check_all(&m, path);
	check_children_top(&m, path, '|');
	assert_int_equal(s3inv_index_verify(path, &err), 0);
	unlink(path);
	model_free(&m);
}

static void test_index__empty(void **state)
{
	(void)state;
	struct model m = {0};
	char path[1100];
	s3inv_index *x;
	s3inv_error err = {0};
	uint64_t pos;
	s3inv_stats st;
	snprintf(path, sizeof path, "%s/test_index_empty.s3i", tmpdir());
	write_index(&m, path, '/');
	assert_int_equal(s3inv_index_open(&x, path, S3INV_OPEN_VERIFY, &err), 0);
	assert_int_equal(s3inv_index_lookup(x, "", 0, &pos), 0);
	assert_int_equal(pos, 0);
	assert_int_equal(s3inv_index_stats(x, 0, &st), 0);
	assert_int_equal(st.objects, 0);
	assert_int_equal(s3inv_index_lookup(x, "a/", 2, &pos), S3INV_ENOTFOUND);
	s3inv_index_close(x);
	assert_int_equal(s3inv_index_verify(path, &err), 0);
	unlink(path);
}

/* Every bit width of the packed columns (0..64, values up to 2^64 - 1),
 * class masks of 64 classes (8-byte masks) with the last entry implied,
 * and a 65th class refused at open. */
static void test_index__wide_values(void **state)
{
	enum { NK = 300, NC = 64 };
	static char names_buf[NC][8];
	static const char *names[NC];
	static uint32_t map[NC];
	static uint64_t co[NK][NC], cb[NK][NC];
	uint64_t ro = 0, rb = 0, rnc = 0, obj[NK], byt[NK], ncb[NK];
	struct s3i_writer_meta meta;
	struct s3i_writer *w;
	s3inv_error err = {0};
	s3inv_index *x;
	char path[1100], key[32];
	size_t i, c;
	(void)state;
	for (c = 0; c < NC; c++) {
		snprintf(names_buf[c], sizeof names_buf[c], "C%02zu", c);
		names[c] = names_buf[c];
		map[c] = (uint32_t)c;
	}
	memset(co, 0, sizeof co);
	memset(cb, 0, sizeof cb);
	for (i = 0; i < NK; i++) {
		obj[i] = byt[i] = 0;
		/* values of every bit width up to 47 (sums stay below 2^63);
		 * child 7 holds one 2^62-byte class, child 9 a 64-bit nc_bytes */
		for (c = 0; c < NC; c++) {
			if (rnd() % 3 && !(i == 7 && c == 5))
				continue;
			unsigned bits = (unsigned)((i + c) % 48);
			co[i][c] = 1 + (rnd() & ((1ULL << (bits / 2)) - 1));
			cb[i][c] = bits ? rnd() & ((1ULL << bits) - 1) : 0;
			if (i == 7 && c == 5)
				cb[i][c] = 1ULL << 62;
			obj[i] += co[i][c];
			byt[i] += cb[i][c];
		}
		ncb[i] = i == 9 ? 0xF000000000000001ULL : i;
		ro += obj[i];
		rb += byt[i];
		rnc += ncb[i];
	}
	snprintf(path, sizeof path, "%s/test_index_wide.s3i", tmpdir());
	meta = test_meta('/', names, map, NC);
	assert_int_equal(s3i_writer_open(&w, path, tmpdir(), &meta, NULL, &err), 0);
	for (i = 0; i <= NK; i++) {
		struct s3i_cstat cs[NC];
		uint32_t nc = 0;
		const uint64_t(*o)[NC] = i ? &co[i - 1] : NULL;
		int l = i ? snprintf(key, sizeof key, "k%04zu/", i - 1) : 0;
		for (c = 0; c < NC; c++) {
			uint64_t vo = 0, vb = 0;
			if (i == 0)
				for (size_t j = 0; j < NK; j++) {
					vo += co[j][c];
					vb += cb[j][c];
				}
			else {
				vo = (*o)[c];
				vb = cb[i - 1][c];
			}
			if (vo)
				cs[nc++] = (struct s3i_cstat){(uint32_t)c, vo, vb};
		}
		struct s3i_prec p = {key, (size_t)l, i ? obj[i - 1] : ro, i ? byt[i - 1] : rb, 0,
		                     i ? ncb[i - 1] : rnc, 0, nc, cs};
		if (s3i_writer_add(w, &p, &err))
			fail_msg("add #%zu: %s", i, err.msg);
	}
	if (s3i_writer_finish(w, 1, NULL, &err))
		fail_msg("finish: %s", err.msg);
	s3i_writer_free(w);
	assert_int_equal(s3inv_index_open(&x, path, S3INV_OPEN_VERIFY, &err), 0);
	for (i = 0; i <= NK; i++) {
		s3inv_stats st;
		s3inv_class_stats cs[NC];
		int nc, k = 0;
		assert_int_equal(s3inv_index_stats(x, i, &st), 0);
		assert_int_equal(st.objects, i ? obj[i - 1] : ro);
		assert_int_equal(st.bytes, i ? byt[i - 1] : rb);
		assert_int_equal(st.nc_bytes, i ? ncb[i - 1] : rnc);
		assert_int_equal(st.subtree_end, i ? i + 1 : NK + 1);
		assert_int_equal(st.max_depth, 1);
		nc = s3inv_index_class_stats(x, i, cs, NC);
		for (c = 0; c < NC; c++) {
			uint64_t vo = 0, vb = 0;
			for (size_t j = 0; j < NK; j++)
				if (i == 0 || j == i - 1) {
					vo += co[j][c];
					vb += cb[j][c];
				}
			if (!vo)
				continue;
			assert_true(k < nc);
			assert_int_equal(cs[k].class_id, c);
			assert_int_equal(cs[k].objects, vo);
			assert_int_equal(cs[k].bytes, vb);
			k++;
		}
		assert_int_equal(nc, k);
	}
	s3inv_index_close(x);
	if (s3inv_index_verify(path, &err))
		fail_msg("verify: %s", err.msg);
	unlink(path);
	/* a 65th class: a clear error, no index */
	meta.n_classes = NC + 1;
	assert_int_not_equal(s3i_writer_open(&w, path, tmpdir(), &meta, NULL, &err), 0);
	assert_non_null(strstr(err.msg, "storage classes"));
	assert_int_equal(access(path, F_OK), -1);
}

static void test_index__corruption(void **state)
{
	(void)state;
	struct model m;
	char path[1100], bad[1100];
	FILE *f;
	long size;
	unsigned char *data;
	model_build(&m, 300, '/');
	snprintf(path, sizeof path, "%s/test_index_corrupt.s3i", tmpdir());
	snprintf(bad, sizeof bad, "%s/test_index_corrupt_bad.s3i", tmpdir());
	write_index(&m, path, '/');
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)size);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	/* flip one byte at many offsets: open with verify must refuse each */
	for (long off = 0; off < size; off += 1 + size / 400) {
		s3inv_index *x = NULL;
		s3inv_error err = {0};
		data[off] ^= 0x5a;
		f = fopen(bad, "wb");
		fwrite(data, 1, (size_t)size, f);
		fclose(f);
		data[off] ^= 0x5a;
		int rc = s3inv_index_open(&x, bad, S3INV_OPEN_VERIFY, &err);
		if (rc == 0) {
			/* a flip in alignment padding is harmless: the file must still
			 * verify and answer exactly */
			s3inv_index_close(x);
			s3inv_error e2 = {0};
			assert_int_equal(s3inv_index_verify(bad, &e2), 0);
		} else {
			assert_true(rc == S3INV_ECORRUPT || rc == S3INV_ECHECKSUM);
			assert_true(strstr(err.msg, bad) != NULL);
		}
		/* without verification open may succeed, but queries must not crash */
		if (s3inv_index_open(&x, bad, 0, &err) == 0) {
			uint64_t pos, *kids = NULL;
			size_t nk;
			s3inv_stats st;
			char buf[600];
			for (size_t i = 0; i < m.n; i++) {
				if (s3inv_index_lookup(x, m.p[i].s, m.p[i].len, &pos) == 0) {
					s3inv_index_stats(x, pos, &st);
					s3inv_index_prefix(x, pos, buf, sizeof buf);
				}
			}
			if (s3inv_query_children(&kids, &nk, x, 0, S3INV_SORT_BYTES, 10, &err) == 0)
				s3inv_free(kids);
			if (s3inv_query_top(&kids, &nk, x, 0, 2, S3INV_SORT_BYTES, 10, &err) == 0)
				s3inv_free(kids);
			s3inv_index_close(x);
		}
	}
	/* truncations */
	for (long cut = 0; cut < size; cut += 1 + size / 50) {
		s3inv_index *x = NULL;
		s3inv_error err = {0};
		f = fopen(bad, "wb");
		fwrite(data, 1, (size_t)cut, f);
		fclose(f);
		assert_true(s3inv_index_open(&x, bad, 0, &err) < 0);
		assert_true(err.msg[0] != '\0');
	}
	free(data);
	unlink(bad);
	unlink(path);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_index__roundtrip),
	    cmocka_unit_test(test_index__other_delimiter),
	    cmocka_unit_test(test_index__empty),
	    cmocka_unit_test(test_index__layout_corners),
	    cmocka_unit_test(test_index__corruption),
	    cmocka_unit_test(test_index__wide_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
