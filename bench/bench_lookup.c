/* SPDX-License-Identifier: MIT */
/*
 * bench_lookup.c — full index lookups (s3inv_index_lookup and
 * s3inv_index_lookup_batch: MPHF slot → slot record → fingerprint → compare
 * with the front-coded stored prefix), hits and misses, against the MPHF
 * alone and libcmph CHD on the same keys.
 *
 * usage: bench_lookup [-r REPS] [--no-cmph] [-d DIR] [-k] [-i INDEX] [-b]
 *                     [--madv hugepage|random] [--drop] N [N ...]
 *
 * For each N: generate N unique S3-like prefixes (the generator of
 * bench_mphf.c: mixed shapes, ~28 bytes), sort them, write a real index
 * through the index writer (src/index/writer.h; root "" first, synthetic
 * counters) under DIR (default $TMPDIR or /tmp; removed afterwards unless
 * -k, which keeps it and prints its path on stderr), open it
 * through the public API, check that every key is found at a position that
 * decodes to it and that N absent keys all miss, then time lookups over the
 * keys in shuffled order: single hit / miss, batched hit / miss (batches of
 * 4096 through s3inv_index_lookup_batch; the shuffled keys are copied into
 * a fresh arena in query order, so reading them is sequential), the MPHF
 * alone, and cmph CHD (load 0.99). The check pass touches every page the
 * timed runs read, so they measure warm lookups. Figures are ns per key, medians of REPS runs,
 * process CPU time (the machine is shared) and wall time. Markdown table on
 * stdout, progress on stderr; exit 1 when a check fails.
 *
 * For quicker runs: -i INDEX opens an index kept earlier with -k for the
 * same N instead of writing one (the keys are generated the same way every
 * run, and the check still proves the index matches them); -b times only
 * the batched rows and the MPHF. Experiments on the mapping: --drop asks
 * the kernel to drop the file's cached pages before opening it (so they are
 * read again, as for an index opened cold), --madv applies
 * madvise(MADV_HUGEPAGE or MADV_RANDOM) to the whole mapping right after
 * open, before the check pass reads it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "index/format.h"
#include "index/reader.h"
#include "index/writer.h"
#include "util/thread.h"

#ifdef HAVE_CMPH
#include <cmph.h>
#endif

#define BATCH 4096

static void die(const char *what, const s3inv_error *err);

struct keyset {
	char *arena;
	char **ptr;
	size_t *len;
	size_t n;
};

static uint64_t rs = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static int b36(char *o, uint64_t v)
{
	char t[16];
	int n = 0, i;
	do {
		t[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
		v /= 36;
	} while (v);
	for (i = 0; i < n; i++)
		o[i] = t[n - 1 - i];
	o[n] = 0;
	return n;
}

/* N prefixes with ids FIRST..FIRST+N-1 (unique: each shape carries the id
 * in one delimited component, so sets with disjoint ids are disjoint). */
static void gen(struct keyset *k, size_t n, uint64_t first)
{
	size_t i, pos = 0, cap = n * 48 + 64;
	char id[16];
	k->arena = malloc(cap);
	k->ptr = malloc(n * sizeof *k->ptr);
	k->len = malloc(n * sizeof *k->len);
	if (!k->arena || !k->ptr || !k->len) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		uint64_t r = rnd();
		char *o = k->arena + pos;
		int l;
		b36(id, first + i);
		switch (r % 6) {
		case 0:
			l = sprintf(o, "logs/2026/%02u/%02u/host-%s/", (unsigned)(r >> 8) % 12 + 1,
			            (unsigned)(r >> 16) % 28 + 1, id);
			break;
		case 1:
			l = sprintf(o, "media/users/u%s/albums/a%u/", id, (unsigned)(r >> 8) % 40);
			break;
		case 2:
			l = sprintf(o, "backup/postgres/db-%u/%s/wal/", (unsigned)(r >> 8) % 8, id);
			break;
		case 3:
			l = sprintf(o, "warehouse/t%u/part=%s/", (unsigned)(r >> 8) % 300, id);
			break;
		case 4:
			l = sprintf(o, "src/github.com/org%u/%s/", (unsigned)(r >> 8) % 999, id);
			break;
		default:
			l = sprintf(o, "cdn/assets/v%u/img/%s/thumbs/", (unsigned)(r >> 8) % 5, id);
			break;
		}
		k->ptr[i] = o;
		k->len[i] = (size_t)l;
		pos += (size_t)l + 1;
	}
	k->n = n;
}

/* Shuffle the keys and lay them out again in the new order, so that the
 * caller's own key reads are sequential (as for `du --stdin`) and only the
 * index accesses are random. */
static void shuffle(struct keyset *k)
{
	size_t i, tot = 0, pos = 0;
	char *na;
	for (i = k->n; i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		char *p = k->ptr[i - 1];
		size_t l = k->len[i - 1];
		k->ptr[i - 1] = k->ptr[j];
		k->len[i - 1] = k->len[j];
		k->ptr[j] = p;
		k->len[j] = l;
	}
	for (i = 0; i < k->n; i++)
		tot += k->len[i] + 1;
	if (!(na = malloc(tot + 1)))
		die("out of memory", NULL);
	for (i = 0; i < k->n; i++) {
		memcpy(na + pos, k->ptr[i], k->len[i] + 1);
		k->ptr[i] = na + pos;
		pos += k->len[i] + 1;
	}
	free(k->arena);
	k->arena = na;
}

static int cmp_key(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y), m = lx < ly ? lx : ly;
	int c = memcmp(x, y, m);
	return c ? c : (lx > ly) - (lx < ly);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[n / 2];
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const s3inv_error *err)
{
	fprintf(stderr, "%s: %s\n", what, err ? err->msg : "failed");
	exit(2);
}

/* Write the index of K (sorted copy) to PATH. @return wall seconds. */
static double write_index(const struct keyset *k, const char *path, const char *dir)
{
	struct s3i_writer_meta meta = {0};
	struct s3i_writer *w = NULL;
	s3inv_error err = {0};
	char **sorted = malloc(k->n * sizeof *sorted);
	static const char *class_names[1] = {"STANDARD"};
	static const uint32_t class_map[1] = {0};
	struct s3i_prec root = {"", 0, 0, 0, 0, 0, 0, 0, NULL};
	struct s3i_cstat rc;
	double t0;
	uint64_t fsize = 0;
	size_t i;
	if (!sorted)
		die("out of memory", NULL);
	memcpy(sorted, k->ptr, k->n * sizeof *sorted);
	qsort(sorted, k->n, sizeof *sorted, cmp_key);
	meta.source_bucket = "bench";
	meta.delim = '/';
	meta.max_depth = -1;
	meta.has_size = true;
	meta.class_names = class_names;
	meta.n_classes = 1;
	meta.class_map = class_map;
	meta.class_map_len = 1;
	t0 = s3i_now();
	if (s3i_writer_open(&w, path, dir, &meta, NULL, &err) < 0)
		die("writer open", &err);
	root.objects = k->n;
	root.bytes = (uint64_t)k->n << 10;
	rc = (struct s3i_cstat){0, root.objects, root.bytes};
	root.n_classes = 1;
	root.classes = &rc;
	if (s3i_writer_add(w, &root, &err) < 0)
		die("writer add", &err);
	for (i = 0; i < k->n; i++) {
		struct s3i_prec p = {sorted[i], strlen(sorted[i]), 1 + i % 97, (uint64_t)(i % 9973) << 8,
		                     0, 0, 0, 1, &rc};
		rc = (struct s3i_cstat){0, p.objects, p.bytes}; /* one class: the prefix's totals */
		if (s3i_writer_add(w, &p, &err) < 0)
			die("writer add", &err);
	}
	if (s3i_writer_finish(w, 2, &fsize, &err) < 0)
		die("writer finish", &err);
	s3i_writer_free(w);
	free(sorted);
	return s3i_now() - t0;
}

static uint64_t sink;

struct timing {
	double cpu, wall;
};

#define TIMED(tm, nkeys, body)                                                                     \
	do {                                                                                       \
		double c0_ = cpu_now(), w0_ = s3i_now();                                           \
		body;                                                                              \
		(tm)->cpu = (cpu_now() - c0_) * 1e9 / (double)(nkeys);                             \
		(tm)->wall = (s3i_now() - w0_) * 1e9 / (double)(nkeys);                            \
	} while (0)

static size_t loop_lookup(const s3inv_index *x, const struct keyset *k)
{
	size_t i, found = 0;
	uint64_t pos, acc = 0;
	for (i = 0; i < k->n; i++)
		if (s3inv_index_lookup(x, k->ptr[i], k->len[i], &pos) == 0) {
			found++;
			acc += pos;
		}
	sink += acc;
	return found;
}

static size_t batch_lookup(const s3inv_index *x, const struct keyset *k, uint64_t *pos)
{
	size_t i, found = 0;
	for (i = 0; i < k->n; i += BATCH) {
		size_t e = k->n - i < BATCH ? k->n - i : BATCH;
		found += s3inv_index_lookup_batch(x, (const char *const *)k->ptr + i, k->len + i, e, pos + i);
	}
	return found;
}

static void mphf_loop(const s3inv_index *x, const struct keyset *k)
{
	size_t i;
	uint64_t acc = 0;
	for (i = 0; i < k->n; i++)
		acc += s3i_mphf_lookup(&x->mphf, k->ptr[i], k->len[i]);
	sink += acc;
}

static int check(const s3inv_index *x, const struct keyset *hit, const struct keyset *miss,
                 uint64_t *pos)
{
	char *buf = malloc(S3I_MAX_PREFIX);
	size_t i;
	int bad = 0;
	if (!buf)
		return 1;
	for (i = 0; i < hit->n && !bad; i++) {
		uint64_t p;
		long l;
		if (s3inv_index_lookup(x, hit->ptr[i], hit->len[i], &p) != 0) {
			fprintf(stderr, "hit %zu not found\n", i);
			bad = 1;
			break;
		}
		l = s3inv_index_prefix(x, p, buf, S3I_MAX_PREFIX);
		if (l != (long)hit->len[i] || memcmp(buf, hit->ptr[i], hit->len[i]) != 0) {
			fprintf(stderr, "hit %zu at a wrong position\n", i);
			bad = 1;
		}
	}
	if (!bad && batch_lookup(x, hit, pos) != hit->n) {
		fprintf(stderr, "batch: hits missing\n");
		bad = 1;
	}
	if (!bad && (loop_lookup(x, miss) != 0 || batch_lookup(x, miss, pos) != 0)) {
		fprintf(stderr, "a miss was found\n");
		bad = 1;
	}
	free(buf);
	return bad;
}

#ifdef HAVE_CMPH
static double cmph_ns(const struct keyset *k, double *wall)
{
	cmph_io_adapter_t *src = cmph_io_vector_adapter(k->ptr, (cmph_uint32)k->n);
	cmph_config_t *cfg = cmph_config_new(src);
	cmph_t *h;
	struct timing t;
	size_t i;
	cmph_config_set_algo(cfg, CMPH_CHD);
	cmph_config_set_graphsize(cfg, 0.99);
	h = cmph_new(cfg);
	cmph_config_destroy(cfg);
	cmph_io_vector_adapter_destroy(src);
	if (!h)
		die("cmph build", NULL);
	TIMED(&t, k->n, {
		uint64_t acc = 0;
		for (i = 0; i < k->n; i++)
			acc += cmph_search(h, k->ptr[i], (cmph_uint32)k->len[i]);
		sink += acc;
	});
	cmph_destroy(h);
	*wall = t.wall;
	return t.cpu;
}
#endif

static void usage(void)
{
	fprintf(stderr, "usage: bench_lookup [-r REPS] [--no-cmph] [-d DIR] [-k] [-i INDEX] [-b]\n"
	                "                    [--madv hugepage|random] [--drop] N [N ...]\n");
	exit(2);
}

enum { M_HIT, M_MISS, M_BHIT, M_BMISS, M_MPHF, M_COUNT };
static const char *mname[M_COUNT] = {
	"s3inv_index_lookup, hit", "s3inv_index_lookup, miss", "s3inv_index_lookup_batch, hit",
	"s3inv_index_lookup_batch, miss",
	"MPHF alone (s3i_mphf_lookup)"};

int main(int argc, char **argv)
{
	int reps = 3, cmph = 1, keep = 0, batch_only = 0, drop = 0, madv = -1, a, r, m;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", *given = NULL;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-r") && a + 1 < argc)
			reps = atoi(argv[++a]);
		else if (!strcmp(argv[a], "-d") && a + 1 < argc)
			dir = argv[++a];
		else if (!strcmp(argv[a], "--no-cmph"))
			cmph = 0;
		else if (!strcmp(argv[a], "-k"))
			keep = 1;
		else if (!strcmp(argv[a], "-i") && a + 1 < argc)
			given = argv[++a];
		else if (!strcmp(argv[a], "-b"))
			batch_only = 1;
		else if (!strcmp(argv[a], "--drop"))
			drop = 1;
		else if (!strcmp(argv[a], "--madv") && a + 1 < argc) {
			a++;
			if (!strcmp(argv[a], "hugepage"))
				madv = MADV_HUGEPAGE;
			else if (!strcmp(argv[a], "random"))
				madv = MADV_RANDOM;
			else
				usage();
		}
		else if (argv[a][0] == '-')
			usage();
		else
			break;
	}
	if (a >= argc || reps < 1 || reps > 15 || (given && a + 1 != argc))
		usage();
	printf("| n | what | ns/key (cpu) | ns/key (wall) |\n|---|---|---|---|\n");
	for (; a < argc; a++) {
		struct keyset hit = {0}, miss = {0};
		size_t n = (size_t)strtod(argv[a], NULL);
		char path[4096];
		double wsec, cpu[M_COUNT][16], wall[M_COUNT][16];
		uint64_t *pos;
		s3inv_index *x = NULL;
		s3inv_error err = {0};
		s3inv_index_info info;
		if (n == 0)
			usage();
		gen(&hit, n, 0);
		gen(&miss, n, n);
		if (given) {
			snprintf(path, sizeof path, "%s", given);
			fprintf(stderr, "n=%zu: using %s\n", n, path);
			wsec = 0;
		} else {
			snprintf(path, sizeof path, "%s/bench_lookup.%d.s3i", dir, (int)getpid());
			fprintf(stderr, "n=%zu: writing %s\n", n, path);
			wsec = write_index(&hit, path, dir);
		}
		if (drop) {
			int fd = open(path, O_RDONLY);
			if (fd < 0 || fdatasync(fd) < 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
				die("--drop", NULL);
			close(fd);
		}
		if (s3inv_index_open(&x, path, 0, &err) < 0)
			die("open", &err);
		if (madv >= 0 && madvise(x->map, x->size, madv) != 0)
			die("madvise", NULL);
		s3inv_index_info_get(x, &info);
		fprintf(stderr, "  %.1f s to write, %llu bytes (%.1f B/prefix)\n", wsec,
		        (unsigned long long)info.file_bytes, (double)info.file_bytes / (double)(n + 1));
		shuffle(&hit);
		shuffle(&miss);
		pos = malloc(n * sizeof *pos);
		if (!pos)
			die("out of memory", NULL);
		if (check(x, &hit, &miss, pos) != 0)
			return 1;
		for (r = 0; r < reps; r++) {
			struct timing t;
			fprintf(stderr, "  rep %d\n", r + 1);
#define RUN(id, body)                                                                              \
	do {                                                                                       \
		TIMED(&t, n, body);                                                                \
		cpu[id][r] = t.cpu;                                                                \
		wall[id][r] = t.wall;                                                              \
	} while (0)
			if (!batch_only) {
				RUN(M_HIT, sink += loop_lookup(x, &hit));
				RUN(M_MISS, sink += loop_lookup(x, &miss));
			}
			RUN(M_BHIT, sink += batch_lookup(x, &hit, pos));
			RUN(M_BMISS, sink += batch_lookup(x, &miss, pos));
			RUN(M_MPHF, mphf_loop(x, &hit));
		}
		for (m = batch_only ? M_BHIT : 0; m < M_COUNT; m++)
			printf("| %zu | %s | %.1f | %.1f |\n", n, mname[m], median(cpu[m], reps),
			       median(wall[m], reps));
#ifdef HAVE_CMPH
		if (cmph && !batch_only) {
			double w, c = cmph_ns(&hit, &w);
			printf("| %zu | cmph CHD (load 0.99) alone, same keys | %.1f | %.1f |\n", n, c, w);
		}
#else
		(void)cmph;
#endif
		fflush(stdout);
		s3inv_index_close(x);
		if (keep || given)
			fprintf(stderr, "kept %s\n", path);
		else
			unlink(path);
		free(pos);
		free(hit.arena);
		free(hit.ptr);
		free(hit.len);
		free(miss.arena);
		free(miss.ptr);
		free(miss.len);
	}
	if (sink == 42)
		fprintf(stderr, "\n");
	return 0;
}
