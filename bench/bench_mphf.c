/* SPDX-License-Identifier: MIT */
/*
 * bench_mphf.c — the minimal perfect hash against Debian's libcmph (CHD at
 * load 0.99, BDZ) on the same realistic prefix keys.
 *
 * usage: bench_mphf [-r REPS] [-t THREADS] [--no-cmph] N [N ...]
 *
 * For each N: generate N unique S3-like prefixes (mixed shapes and depths,
 * ~30 bytes on average), build our MPHF at 1 and THREADS (default 2)
 * threads, measure bits/key and lookup ns (a plain loop over the keys, and
 * batches of 32 hashed ahead with the pilot prefetched), then the same for
 * cmph. Every figure is the median of REPS (default 3) runs. Prints a
 * markdown table on stdout; progress on stderr. Checks that our function is
 * a bijection onto [0, N) and exits 1 if not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/mphf.h"
#include "util/alloc.h"
#include "util/budget.h"
#include "util/thread.h"

#ifdef HAVE_CMPH
#include <cmph.h>
#endif

#define SEED 0x9d2c5680aa55aa55ull
#define BATCH 32
#define CHUNK 65536 /* keys per s3i_mphf_builder_add_batch call */

struct keyset {
	char *arena;
	char **ptr;
	uint32_t *len;
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

/* N unique prefixes: each shape has its own leading component and carries
 * the key's index in base 36 in one delimited component. */
static void gen_ids(struct keyset *k, size_t n, uint64_t first);

static void gen(struct keyset *k, size_t n)
{
	k->arena = malloc(n * 48 + 64);
	k->ptr = malloc(n * sizeof *k->ptr);
	k->len = malloc(n * sizeof *k->len);
	if (!k->arena || !k->ptr || !k->len) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	gen_ids(k, n, 0);
}

/* Keys FIRST..FIRST+N-1 into K's buffers (room for N keys), continuing the
 * random stream. */
static void gen_ids(struct keyset *k, size_t n, uint64_t first)
{
	size_t i, pos = 0;
	char id[16];
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
		k->len[i] = (uint32_t)l;
		pos += (size_t)l + 1;
	}
	k->n = n;
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

static double build_ours(const struct keyset *k, unsigned threads, void **out, size_t *len,
                         double *cpu)
{
	double c0 = cpu_now();
	struct s3i_mphf_builder *b = NULL;
	s3inv_error err = {0};
	double t0 = s3i_now();
	size_t i, j;
	static size_t lens[CHUNK];
	int rc = s3i_mphf_builder_new(&b, SEED, NULL, NULL, &err);
	if (rc == 0)
		rc = s3i_mphf_builder_reserve(b, k->n, &err);
	for (i = 0; rc == 0 && i < k->n; i += CHUNK) {
		size_t e = k->n - i < CHUNK ? k->n - i : CHUNK;
		for (j = 0; j < e; j++)
			lens[j] = k->len[i + j];
		rc = s3i_mphf_builder_add_batch(b, (const void *const *)(k->ptr + i), lens, e, threads,
		                                &err);
	}
	if (rc == 0)
		rc = s3i_mphf_builder_finish(b, threads, out, len, &err);
	s3i_mphf_builder_free(b);
	if (rc != 0) {
		fprintf(stderr, "build failed: %s\n", err.msg);
		exit(2);
	}
	*cpu = cpu_now() - c0;
	return s3i_now() - t0;
}

static uint64_t sink;

static double lookup_loop(const struct s3i_mphf *m, const struct keyset *k)
{
	double t0 = s3i_now();
	uint64_t acc = 0;
	size_t i;
	for (i = 0; i < k->n; i++)
		acc += s3i_mphf_lookup(m, k->ptr[i], k->len[i]);
	sink += acc;
	return (s3i_now() - t0) * 1e9 / (double)k->n;
}

static double lookup_batched(const struct s3i_mphf *m, const struct keyset *k)
{
	struct s3i_hash128 h[BATCH];
	double t0 = s3i_now();
	uint64_t acc = 0;
	size_t i, j, e;
	for (i = 0; i < k->n; i += BATCH) {
		e = k->n - i < BATCH ? k->n - i : BATCH;
		for (j = 0; j < e; j++) {
			h[j] = s3i_mphf_hash(m->seed, k->ptr[i + j], k->len[i + j]);
			s3i_mphf_prefetch(m, h[j]);
		}
		for (j = 0; j < e; j++)
			acc += s3i_mphf_slot(m, h[j]);
	}
	sink += acc;
	return (s3i_now() - t0) * 1e9 / (double)k->n;
}

static int check_bijection(const struct s3i_mphf *m, const struct keyset *k)
{
	unsigned char *seen = calloc(k->n / 8 + 1, 1);
	size_t i;
	if (!seen)
		return -1;
	for (i = 0; i < k->n; i++) {
		uint64_t s = s3i_mphf_lookup(m, k->ptr[i], k->len[i]);
		if (s >= k->n || (seen[s / 8] >> (s % 8) & 1)) {
			free(seen);
			return -1;
		}
		seen[s / 8] |= (unsigned char)(1u << (s % 8));
	}
	free(seen);
	return 0;
}

#ifdef HAVE_CMPH
static double build_cmph(const struct keyset *k, CMPH_ALGO algo, cmph_t **out)
{
	double t0 = s3i_now();
	cmph_io_adapter_t *src = cmph_io_vector_adapter(k->ptr, (cmph_uint32)k->n);
	cmph_config_t *cfg = cmph_config_new(src);
	cmph_config_set_algo(cfg, algo);
	if (algo == CMPH_CHD)
		cmph_config_set_graphsize(cfg, 0.99);
	*out = cmph_new(cfg);
	cmph_config_destroy(cfg);
	cmph_io_vector_adapter_destroy(src);
	if (!*out) {
		fprintf(stderr, "cmph build failed\n");
		exit(2);
	}
	return s3i_now() - t0;
}

static double cmph_loop(cmph_t *h, const struct keyset *k)
{
	double t0 = s3i_now();
	uint64_t acc = 0;
	size_t i;
	for (i = 0; i < k->n; i++)
		acc += cmph_search(h, k->ptr[i], k->len[i]);
	sink += acc;
	return (s3i_now() - t0) * 1e9 / (double)k->n;
}

static void bench_cmph(const struct keyset *k, CMPH_ALGO algo, const char *name, int reps)
{
	double tb[16], tc[16], tl[16];
	double bits = 0;
	int r;
	for (r = 0; r < reps; r++) {
		cmph_t *h;
		fprintf(stderr, "  %s rep %d\n", name, r + 1);
		tc[r] = cpu_now();
		tb[r] = build_cmph(k, algo, &h);
		tc[r] = cpu_now() - tc[r];
		bits = (double)cmph_packed_size(h) * 8 / (double)k->n;
		tl[r] = cmph_loop(h, k);
		cmph_destroy(h);
	}
	printf("| %s | %zu | %.2f / %.2f | — | %.2f | — | %.2f | %.1f | — |\n", name, k->n,
	       median(tb, reps), median(tc, reps), (double)k->n / median(tc, reps) / 1e6, bits,
	       median(tl, reps));
	fflush(stdout);
}
#endif

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double v = 0;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			v = strtod(line + 6, NULL) / 1024;
	if (f)
		fclose(f);
	return v;
}

/* --stream: N keys generated chunk by chunk (never all in memory), built
 * under a memory budget of BUDGET MiB with the hashes spilled under TMP
 * when they exceed it, then checked to be a bijection (the keys are
 * generated again). One table row: build wall and CPU seconds, bits per
 * key, peak RSS of the whole process. */
static int stream(size_t n, unsigned threads, uint64_t budget_mib, const char *tmp)
{
	struct keyset k = {0};
	struct s3i_budget bgs, *bg = &bgs;
	struct s3i_mphf_builder *b = NULL;
	struct s3i_mphf m;
	s3inv_error err = {0};
	static size_t lens[CHUNK];
	unsigned char *seen = calloc(n / 8 + 1, 1);
	uint64_t rs0 = rs;
	void *out = NULL;
	size_t len = 0, i, j;
	double t0, c0, tb, cb;
	int rc;
	k.arena = malloc(CHUNK * 48 + 64);
	k.ptr = malloc(CHUNK * sizeof *k.ptr);
	k.len = malloc(CHUNK * sizeof *k.len);
	s3i_budget_init(bg, budget_mib << 20, NULL);
	if (!seen || !k.arena || !k.ptr || !k.len) {
		fprintf(stderr, "out of memory\n");
		return 2;
	}
	t0 = s3i_now();
	c0 = cpu_now();
	rc = s3i_mphf_builder_new(&b, SEED, bg, tmp, &err);
	if (rc == 0)
		rc = s3i_mphf_builder_reserve(b, n, &err);
	for (i = 0; rc == 0 && i < n; i += CHUNK) {
		size_t e = n - i < CHUNK ? n - i : CHUNK;
		gen_ids(&k, e, i);
		for (j = 0; j < e; j++)
			lens[j] = k.len[j];
		rc = s3i_mphf_builder_add_batch(b, (const void *const *)k.ptr, lens, e, threads, &err);
	}
	if (rc == 0)
		rc = s3i_mphf_builder_finish(b, threads, &out, &len, &err);
	s3i_mphf_builder_free(b);
	tb = s3i_now() - t0;
	cb = cpu_now() - c0;
	if (rc != 0 || s3i_mphf_open(&m, out, len, &err) != 0) {
		fprintf(stderr, "build failed: %s\n", err.msg);
		return 2;
	}
	rs = rs0;
	for (i = 0; i < n; i += CHUNK) {
		size_t e = n - i < CHUNK ? n - i : CHUNK;
		gen_ids(&k, e, i);
		for (j = 0; j < e; j++) {
			uint64_t s = s3i_mphf_lookup(&m, k.ptr[j], k.len[j]);
			if (s >= n || (seen[s / 8] >> (s % 8) & 1)) {
				fprintf(stderr, "not a minimal perfect hash\n");
				return 1;
			}
			seen[s / 8] |= (unsigned char)(1u << (s % 8));
		}
	}
	printf("| %zu | %u | %llu MiB | %.1f | %.1f | %.2f | %.2f | %.0f MiB | %.0f MiB | bijection ok |\n",
	       n, threads, (unsigned long long)budget_mib, tb, cb, (double)n / cb / 1e6,
	       (double)len * 8 / (double)n, (double)bg->peak / 1048576.0, rss_mib());
	s3i_free(out);
	s3i_budget_destroy(bg);
	free(seen);
	free(k.arena);
	free(k.ptr);
	free(k.len);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_mphf [-r REPS] [-t THREADS] [--no-cmph] N [N ...]\n"
	                "       bench_mphf --stream [-t THREADS] [-b BUDGET_MIB] [-d TMPDIR] N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int reps = 3, cmph = 1, a, header = 0, streaming = 0;
	unsigned threads = 2;
	uint64_t budget = 1024;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-r") && a + 1 < argc)
			reps = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--stream"))
			streaming = 1;
		else if (!strcmp(argv[a], "-b") && a + 1 < argc)
			budget = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "-d") && a + 1 < argc)
			tmp = argv[++a];
		else if (!strcmp(argv[a], "-t") && a + 1 < argc)
			threads = (unsigned)atoi(argv[++a]);
		else if (!strcmp(argv[a], "--no-cmph"))
			cmph = 0;
		else if (argv[a][0] == '-')
			usage();
		else
			break;
	}
	if (a >= argc || reps < 1 || reps > 15 || threads < 1)
		usage();
	if (streaming) {
		printf("| n | threads | budget | build s (wall) | build s (cpu) | Mkeys/s (cpu) | bits/key "
		       "| budget peak | peak RSS | check |\n|---|---|---|---|---|---|---|---|---|---|\n");
		return stream((size_t)strtod(argv[a], NULL), threads, budget, tmp);
	}
	for (; a < argc; a++) {
		struct keyset k = {0};
		size_t n = (size_t)strtod(argv[a], NULL), i, tot = 0;
		double t1[16], t2[16], c1[16], c2[16], ll[16], lb[16], bits = 0;
		int r;
		if (n == 0)
			usage();
		gen(&k, n);
		for (i = 0; i < n; i++)
			tot += k.len[i];
		fprintf(stderr, "n=%zu, %.1f bytes/key on average\n", n, (double)tot / (double)n);
		if (!header) {
			printf("| method | n | build s, 1 thread (wall / cpu) | build s, %u threads (wall / cpu) "
			       "| Mkeys/s per thread (cpu) | speedup %u thr (wall) | bits/key | lookup ns, loop "
			       "| lookup ns, batched+prefetch |\n",
			       threads, threads);
			printf("|---|---|---|---|---|---|---|---|---|\n");
			header = 1;
		}
		{ /* untimed warm-up: both timed builds then find a warm allocator */
			void *o = NULL;
			size_t l = 0;
			double c;
			build_ours(&k, threads, &o, &l, &c);
			s3i_free(o);
		}
		for (r = 0; r < reps; r++) {
			void *o1 = NULL, *o2 = NULL;
			size_t l1 = 0, l2 = 0;
			struct s3i_mphf m;
			fprintf(stderr, "  s3inv rep %d\n", r + 1);
			t1[r] = build_ours(&k, 1, &o1, &l1, &c1[r]);
			t2[r] = build_ours(&k, threads, &o2, &l2, &c2[r]);
			if (l1 != l2 || memcmp(o1, o2, l1) != 0) {
				fprintf(stderr, "output differs between thread counts\n");
				return 1;
			}
			if (s3i_mphf_open(&m, o1, l1, NULL) != 0 || (r == 0 && check_bijection(&m, &k) != 0)) {
				fprintf(stderr, "not a minimal perfect hash\n");
				return 1;
			}
			bits = (double)l1 * 8 / (double)n;
			ll[r] = lookup_loop(&m, &k);
			lb[r] = lookup_batched(&m, &k);
			s3i_free(o1);
			s3i_free(o2);
		}
		printf("| s3inv (PtrHash-style) | %zu | %.2f / %.2f | %.2f / %.2f | %.2f | %.2f× | %.2f | %.1f "
		       "| %.1f |\n",
		       n, median(t1, reps), median(c1, reps), median(t2, reps), median(c2, reps),
		       (double)n / median(c1, reps) / 1e6, median(t1, reps) / median(t2, reps), bits,
		       median(ll, reps), median(lb, reps));
		fflush(stdout);
#ifdef HAVE_CMPH
		if (cmph) {
			bench_cmph(&k, CMPH_CHD, "cmph CHD (load 0.99)", reps);
			bench_cmph(&k, CMPH_BDZ, "cmph BDZ", reps);
		}
#else
		(void)cmph;
#endif
		free(k.arena);
		free(k.ptr);
		free(k.len);
	}
	if (sink == 42)
		fprintf(stderr, "\n");
	return 0;
}
