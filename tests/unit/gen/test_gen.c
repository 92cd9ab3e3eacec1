/* SPDX-License-Identifier: MIT */
/*
 * test_gen.c — the sample-report generator (s3inv_gen_run).
 *
 * Checks what the other tests and the benchmarks rely on: same seed, same
 * bytes; shuffling and the number of files only permute rows; the manifest
 * lists the real sizes and MD5s (recomputed here with OpenSSL directly, not
 * through libs3inv) and manifest.checksum matches; exact row counts; the
 * AWS CSV conventions; every shape carries every hostile key feature;
 * version columns, non-current rows and delete markers only when asked;
 * sorted output is in byte order; bad options are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ref.h"
#include "s3inv.h"

/* ---- helpers -------------------------------------------------------- */

static char g_tmp[512];

static const char *tmpdir(const char *name)
{
	static char path[640];
	snprintf(path, sizeof path, "%s/%s", g_tmp, name);
	return path;
}

static int run_gen(const char *dir, uint64_t n, uint64_t seed, unsigned files, s3inv_shape shape,
                   bool gzip, bool sorted, bool versions)
{
	s3inv_gen_options o = S3INV_GEN_OPTIONS_INIT;
	s3inv_error err = {0, ""};
	int rc;
	o.objects = n;
	o.seed = seed;
	o.files = files;
	o.shape = shape;
	o.gzip = gzip;
	o.sorted = sorted;
	o.versions = versions;
	rc = s3inv_gen_run(dir, &o, &err);
	if (rc != 0)
		print_error("gen: %d %s\n", rc, err.msg);
	return rc;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long sz;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	b = malloc((size_t)sz + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)sz, f), (size_t)sz);
	b[sz] = '\0';
	fclose(f);
	*n = (size_t)sz;
	return b;
}

/* The decompressed text of a data file (gzip or plain, any members). */
static char *slurp_csv(const char *path, size_t *n)
{
	gzFile g = gzopen(path, "rb");
	size_t cap = 1 << 20, len = 0;
	char *b = malloc(cap);
	int r;
	assert_non_null(g);
	for (;;) {
		if (cap - len < 65536) {
			cap *= 2;
			b = realloc(b, cap);
			assert_non_null(b);
		}
		r = gzread(g, b + len, 65536);
		assert_true(r >= 0);
		if (r == 0)
			break;
		len += (size_t)r;
	}
	gzclose(g);
	b[len] = '\0';
	*n = len;
	return b;
}

static void md5_hex(const char *p, size_t n, char hex[33])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0, i;
	EVP_Digest(p, n, d, &dl, EVP_md5(), NULL);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* A report loaded into memory: every CSV line of every file, in order. */
struct report {
	json_t *manifest;
	char *text; /* all files' CSV, concatenated */
	size_t len;
	size_t nlines;
	char **lines; /* pointers into text, NUL-terminated (newline cut) */
	int ncols;
};

static void load(struct report *r, const char *dir)
{
	char path[1024];
	json_error_t je;
	json_t *files;
	size_t i, cap = 0;
	memset(r, 0, sizeof *r);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	r->manifest = json_load_file(path, 0, &je);
	assert_non_null(r->manifest);
	files = json_object_get(r->manifest, "files");
	assert_true(json_is_array(files));
	for (i = 0; i < json_array_size(files); i++) {
		const char *key =
		    json_string_value(json_object_get(json_array_get(files, i), "key"));
		size_t n;
		char *t;
		assert_non_null(key);
		snprintf(path, sizeof path, "%s/data/%s", dir, strrchr(key, '/') + 1);
		t = slurp_csv(path, &n);
		if (r->len + n + 1 > cap) {
			cap = (r->len + n + 1) * 2;
			r->text = realloc(r->text, cap);
			assert_non_null(r->text);
		}
		memcpy(r->text + r->len, t, n);
		r->len += n;
		free(t);
	}
	if (!r->text)
		r->text = calloc(1, 1);
	r->text[r->len] = '\0';
	for (i = 0; i < r->len; i++)
		if (r->text[i] == '\n')
			r->nlines++;
	r->lines = calloc(r->nlines + 1, sizeof *r->lines);
	{
		char *p = r->text;
		size_t k = 0;
		while (k < r->nlines) {
			char *nl = strchr(p, '\n');
			*nl = '\0';
			r->lines[k++] = p;
			p = nl + 1;
		}
	}
	{
		const char *s = json_string_value(json_object_get(r->manifest, "fileSchema"));
		assert_non_null(s);
		r->ncols = 1;
		for (; *s; s++)
			r->ncols += *s == ',';
	}
}

static void unload(struct report *r)
{
	json_decref(r->manifest);
	free(r->text);
	free(r->lines);
}

/* Split one CSV line (every field quoted, "" doubling) into at most MAX
 * fields, unquoted into OUT storage. @return the field count. */
static int split(const char *line, char fields[][1200], int max)
{
	int nf = 0;
	const char *p = line;
	for (;;) {
		char *w;
		assert_true(nf < max);
		w = fields[nf];
		assert_int_equal(*p, '"'); /* every field is quoted */
		p++;
		for (;;) {
			assert_true(*p != '\0');
			if (*p == '"' && p[1] == '"') {
				*w++ = '"';
				p += 2;
			} else if (*p == '"') {
				p++;
				break;
			} else {
				*w++ = *p++;
			}
		}
		*w = '\0';
		nf++;
		if (*p == ',') {
			p++;
			continue;
		}
		assert_int_equal(*p, '\0');
		return nf;
	}
}

/* days since 1970-01-01 (an independent copy of the civil algorithm) */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2), era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- tests ---------------------------------------------------------- */

static void test_gen__deterministic(void **state)
{
	(void)state;
	const char *names[] = {"det1", "det2"};
	char p1[1024], p2[1024];
	struct report r;
	size_t i, n1, n2;
	int k;
	for (k = 0; k < 2; k++)
		assert_int_equal(
		    run_gen(tmpdir(names[k]), 5000, 42, 3, S3INV_SHAPE_MIXED, true, false, true),
		    0);
	snprintf(p1, sizeof p1, "%s/manifest.json", tmpdir("det1"));
	snprintf(p2, sizeof p2, "%s/manifest.json", tmpdir("det2"));
	{
		char *a = slurp(p1, &n1), *b = slurp(p2, &n2);
		assert_int_equal(n1, n2);
		assert_memory_equal(a, b, n1);
		free(a);
		free(b);
	}
	load(&r, tmpdir("det1"));
	for (i = 0; i < json_array_size(json_object_get(r.manifest, "files")); i++) {
		const char *key = json_string_value(json_object_get(
		    json_array_get(json_object_get(r.manifest, "files"), i), "key"));
		char *a, *b;
		snprintf(p1, sizeof p1, "%s/data/%s", tmpdir("det1"), strrchr(key, '/') + 1);
		snprintf(p2, sizeof p2, "%s/data/%s", tmpdir("det2"), strrchr(key, '/') + 1);
		a = slurp(p1, &n1);
		b = slurp(p2, &n2);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(n1, n2);
		assert_memory_equal(a, b, n1);
		free(a);
		free(b);
	}
	unload(&r);

	/* another seed gives other rows */
	assert_int_equal(run_gen(tmpdir("det3"), 5000, 43, 3, S3INV_SHAPE_MIXED, true, false, true),
	                 0);
	snprintf(p2, sizeof p2, "%s/manifest.json", tmpdir("det3"));
	{
		char *a = slurp(p1, &n1), *b = slurp(p2, &n2);
		assert_true(n1 != n2 || memcmp(a, b, n1) != 0);
		free(a);
		free(b);
	}
}

/* Shuffled or sorted, 1 file (one thread) or 7 files (parallel): the same
 * multiset of rows; the shuffled order is not the sorted one. */
static void test_gen__shuffle_is_a_permutation(void **state)
{
	(void)state;
	struct report a, b, c;
	size_t i, same = 0;
	assert_int_equal(
	    run_gen(tmpdir("perm_sorted"), 4000, 7, 1, S3INV_SHAPE_MEDIA, false, true, true), 0);
	assert_int_equal(
	    run_gen(tmpdir("perm_shuf"), 4000, 7, 7, S3INV_SHAPE_MEDIA, true, false, true), 0);
	assert_int_equal(
	    run_gen(tmpdir("perm_shuf1"), 4000, 7, 1, S3INV_SHAPE_MEDIA, true, false, true), 0);
	load(&a, tmpdir("perm_sorted"));
	load(&b, tmpdir("perm_shuf"));
	load(&c, tmpdir("perm_shuf1"));
	assert_int_equal(a.nlines, 4000);
	assert_int_equal(b.nlines, 4000);
	for (i = 0; i < a.nlines; i++)
		same += strcmp(a.lines[i], b.lines[i]) == 0;
	assert_true(same < a.nlines / 2);
	/* the shuffle is global: files=1 holds the same sequence as files=7 */
	for (i = 0; i < b.nlines; i++)
		assert_string_equal(b.lines[i], c.lines[i]);
	qsort(a.lines, a.nlines, sizeof *a.lines, cmp_str);
	qsort(b.lines, b.nlines, sizeof *b.lines, cmp_str);
	for (i = 0; i < a.nlines; i++)
		assert_string_equal(a.lines[i], b.lines[i]);
	unload(&a);
	unload(&b);
	unload(&c);
}

static void test_gen__manifest_md5_and_sizes(void **state)
{
	(void)state;
	const char *dir = tmpdir("md5");
	char path[1024], hex[33];
	json_t *m, *files;
	json_error_t je;
	size_t i, n;
	char *text, *sum;

	assert_int_equal(run_gen(dir, 30000, 5, 4, S3INV_SHAPE_LOGS, true, false, true), 0);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	text = slurp(path, &n);
	md5_hex(text, n, hex);
	snprintf(path, sizeof path, "%s/manifest.checksum", dir);
	sum = slurp(path, &n);
	assert_int_equal(n, 33);
	assert_memory_equal(sum, hex, 32);
	assert_int_equal(sum[32], '\n');
	free(sum);

	m = json_loads(text, 0, &je);
	assert_non_null(m);
	free(text);
	assert_string_equal(json_string_value(json_object_get(m, "fileFormat")), "CSV");
	assert_string_equal(json_string_value(json_object_get(m, "version")), "2016-11-30");
	assert_string_equal(json_string_value(json_object_get(m, "sourceBucket")),
	                    "example-bucket");
	assert_string_equal(json_string_value(json_object_get(m, "destinationBucket")),
	                    "arn:aws:s3:::example-bucket-inventory");
	assert_string_equal(json_string_value(json_object_get(m, "creationTimestamp")),
	                    "1795309200000");
	files = json_object_get(m, "files");
	assert_int_equal(json_array_size(files), 4);
	for (i = 0; i < 4; i++) {
		json_t *f = json_array_get(files, i);
		const char *key = json_string_value(json_object_get(f, "key"));
		struct stat st;
		char *data;
		assert_non_null(key);
		assert_int_equal(strncmp(key, "example-bucket/inv/data/", 24), 0);
		assert_non_null(strstr(key, ".csv.gz"));
		snprintf(path, sizeof path, "%s/data/%s", dir, key + 24);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal((uint64_t)json_integer_value(json_object_get(f, "size")),
		                 (uint64_t)st.st_size);
		data = slurp(path, &n);
		assert_int_equal((unsigned char)data[0], 0x1f);
		assert_int_equal((unsigned char)data[1], 0x8b);
		md5_hex(data, n, hex);
		assert_string_equal(json_string_value(json_object_get(f, "MD5checksum")), hex);
		free(data);
	}
	json_decref(m);
}

static void test_gen__row_counts_exact(void **state)
{
	(void)state;
	static const struct {
		uint64_t n;
		unsigned files;
	} cases[] = {{0, 0}, {1, 0}, {13, 5}, {1000, 3}, {2501, 0}, {3, 8}};
	size_t c;
	for (c = 0; c < sizeof cases / sizeof *cases; c++) {
		struct report r;
		char name[64];
		snprintf(name, sizeof name, "count%zu", c);
		assert_int_equal(run_gen(tmpdir(name), cases[c].n, c, cases[c].files,
		                         (s3inv_shape)(c % 3), c % 2 == 0, false, c % 3 != 1),
		                 0);
		load(&r, tmpdir(name));
		assert_int_equal(r.nlines, cases[c].n);
		assert_int_equal(json_array_size(json_object_get(r.manifest, "files")),
		                 cases[c].files ? cases[c].files : 1);
		unload(&r);
	}
}

struct features {
	bool space, plus, percent, accent, cjk, emoji, dslash, marker, root, deep, quote, comma;
	bool enc_plus, enc_pct2b, raw_quote, raw_comma, lower_hex;
	size_t nc, dm_latest, dm_old, empty_class;
};

static void scan(const struct report *r, struct features *f, bool versions, int64_t creation_ms)
{
	char(*fl)[1200] = malloc(16 * sizeof *fl);
	char key[1200];
	size_t i;
	int ncols = versions ? 13 : 10;
	memset(f, 0, sizeof *f);
	for (i = 0; i < r->nlines; i++) {
		const char *line = r->lines[i];
		int nf = split(line, fl, 16), depth = 0;
		size_t kl, q;
		const char *size = versions ? fl[5] : fl[2], *date = versions ? fl[6] : fl[3];
		assert_int_equal(nf, ncols);
		assert_string_equal(fl[0], "example-bucket");
		kl = ref_url_decode(key, fl[1], strlen(fl[1]));
		key[kl] = '\0';
		assert_true(kl > 0);
		/* raw-CSV level features */
		f->enc_plus |= strstr(fl[1], "+") != NULL;
		f->enc_pct2b |= strstr(fl[1], "%2B") != NULL;
		f->raw_quote |= strstr(line, "\"\"") != NULL && strchr(fl[1], '"') != NULL;
		f->raw_comma |= strchr(fl[1], ',') != NULL;
		f->lower_hex |= strstr(fl[1], "%e6") != NULL || strstr(fl[1], "%c3") != NULL;
		/* decoded-key features */
		f->space |= strchr(key, ' ') != NULL;
		f->plus |= strchr(key, '+') != NULL;
		f->percent |= strchr(key, '%') != NULL;
		f->accent |= strstr(key, "\xc3\xa9") != NULL || strstr(key, "\xc3\xaf") != NULL;
		f->cjk |= strstr(key, "\xe6\x97\xa5\xe6\x9c\xac") != NULL ||
		          strstr(key, "\xe6\x9d\xb1") != NULL;
		f->emoji |= strstr(key, "\xf0\x9f") != NULL;
		f->dslash |= strstr(key, "//") != NULL;
		f->marker |= key[kl - 1] == '/';
		f->root |= strchr(key, '/') == NULL;
		for (q = 0; q < kl; q++)
			depth += key[q] == '/';
		f->deep |= depth >= 20;
		f->quote |= strchr(key, '"') != NULL;
		f->comma |= strchr(key, ',') != NULL;
		/* the other columns */
		assert_int_equal(strlen(date), 24);
		assert_int_equal(date[4], '-');
		assert_int_equal(date[10], 'T');
		assert_string_equal(date + 19, ".000Z");
		{
			int y, mo, d, h, mi, se;
			int64_t t;
			assert_int_equal(
			    sscanf(date, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se), 6);
			assert_true(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
			            se < 60);
			t = days_from_civil(y, mo, d) * 86400000 +
			    ((h * 60 + mi) * 60 + se) * 1000LL;
			assert_true(t < creation_ms);
			assert_true(t > creation_ms - (int64_t)8 * 366 * 86400000);
		}
		if (versions) {
			bool latest = strcmp(fl[3], "true") == 0, dm = strcmp(fl[4], "true") == 0;
			assert_true(latest || strcmp(fl[3], "false") == 0);
			assert_true(dm || strcmp(fl[4], "false") == 0);
			if (dm) {
				assert_string_equal(size, ""); /* markers have no size, ETag */
				assert_string_equal(fl[7], "");
				assert_int_equal(strlen(fl[2]), 32);
				if (latest)
					f->dm_latest++;
				else
					f->dm_old++;
			} else if (!latest) {
				f->nc++;
			}
			if (dm)
				continue;
		}
		f->empty_class += fl[versions ? 8 : 5][0] == '\0';
		assert_true(size[0] != '\0');
		for (q = 0; size[q]; q++)
			assert_true(size[q] >= '0' && size[q] <= '9');
	}
	free(fl);
}

static void test_gen__hostile_features_in_every_shape(void **state)
{
	(void)state;
	static const s3inv_shape shapes[] = {S3INV_SHAPE_MIXED, S3INV_SHAPE_LOGS,
	                                     S3INV_SHAPE_MEDIA};
	size_t s;
	for (s = 0; s < 3; s++) {
		struct report r;
		struct features f;
		char name[64];
		snprintf(name, sizeof name, "hostile%zu", s);
		assert_int_equal(
		    run_gen(tmpdir(name), 6000, 11 + s, 2, shapes[s], true, false, true), 0);
		load(&r, tmpdir(name));
		scan(&r, &f, true, 1795309200000LL);
		assert_true(f.space);
		assert_true(f.plus);
		assert_true(f.percent);
		assert_true(f.accent);
		assert_true(f.cjk);
		assert_true(f.emoji);
		assert_true(f.dslash);
		assert_true(f.marker);
		assert_true(f.root);
		assert_true(f.deep);
		assert_true(f.quote);
		assert_true(f.comma);
		assert_true(f.enc_plus);  /* spaces written as '+' */
		assert_true(f.enc_pct2b); /* a literal '+' written as %2B */
		assert_true(f.nc > 0);
		assert_true(f.dm_latest > 0);
		assert_true(f.dm_old > 0);
		unload(&r);
	}
}

/* Small reports still get every feature (forced at fixed rows). */
static void test_gen__hostile_features_small(void **state)
{
	(void)state;
	struct report r;
	struct features f;
	assert_int_equal(
	    run_gen(tmpdir("hostile_small"), 12, 3, 1, S3INV_SHAPE_LOGS, false, true, false), 0);
	load(&r, tmpdir("hostile_small"));
	scan(&r, &f, false, 1795309200000LL);
	assert_true(f.space && f.plus && f.percent && f.accent && f.cjk && f.emoji);
	assert_true(f.dslash && f.marker && f.deep && f.quote && f.comma);
	unload(&r);
}

static void test_gen__versions_only_when_asked(void **state)
{
	(void)state;
	struct report r;
	struct features f;
	size_t i;
	assert_int_equal(
	    run_gen(tmpdir("nover"), 5000, 9, 2, S3INV_SHAPE_MIXED, true, false, false), 0);
	load(&r, tmpdir("nover"));
	assert_string_equal(
	    json_string_value(json_object_get(r.manifest, "fileSchema")),
	    "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, "
	    "ReplicationStatus, EncryptionStatus, IntelligentTieringAccessTier");
	scan(&r, &f, false, 1795309200000LL); /* asserts 10 columns and a size on every row */
	unload(&r);

	assert_int_equal(run_gen(tmpdir("ver"), 20000, 9, 2, S3INV_SHAPE_MIXED, true, false, true),
	                 0);
	load(&r, tmpdir("ver"));
	assert_string_equal(
	    json_string_value(json_object_get(r.manifest, "fileSchema")),
	    "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, "
	    "ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, "
	    "EncryptionStatus, IntelligentTieringAccessTier");
	scan(&r, &f, true, 1795309200000LL);
	/* rates: a few percent non-current rows, around a percent of markers */
	assert_true(f.nc > r.nlines / 100 && f.nc < r.nlines / 5);
	assert_true(f.dm_latest + f.dm_old > r.nlines / 400 &&
	            f.dm_latest + f.dm_old < r.nlines / 20);
	/* a key's versions share the key: every non-current row's key also has a
	 * latest row (current or marker) */
	{
		char(*fl)[1200] = malloc(16 * sizeof *fl);
		char **latest = calloc(r.nlines, sizeof *latest);
		size_t nl = 0;
		for (i = 0; i < r.nlines; i++) {
			split(r.lines[i], fl, 16);
			if (strcmp(fl[3], "true") == 0)
				latest[nl++] = strdup(fl[1]);
		}
		qsort(latest, nl, sizeof *latest, cmp_str);
		for (i = 0; i < r.nlines; i++) {
			char *k;
			split(r.lines[i], fl, 16);
			if (strcmp(fl[3], "false") != 0 || strcmp(fl[4], "true") == 0)
				continue;
			k = fl[1];
			assert_non_null(bsearch(&k, latest, nl, sizeof *latest, cmp_str));
		}
		for (i = 0; i < nl; i++)
			free(latest[i]);
		free(latest);
		free(fl);
	}
	unload(&r);
}

/* sorted: decoded keys never decrease (byte order), across files */
static void test_gen__sorted_in_byte_order(void **state)
{
	(void)state;
	static const s3inv_shape shapes[] = {S3INV_SHAPE_MIXED, S3INV_SHAPE_LOGS,
	                                     S3INV_SHAPE_MEDIA};
	size_t s, i;
	for (s = 0; s < 3; s++) {
		struct report r;
		char name[64], prev[1200] = "", key[1200];
		size_t plen = 0, unsorted = 0;
		char(*fl)[1200] = malloc(16 * sizeof *fl);
		snprintf(name, sizeof name, "sorted%zu", s);
		assert_int_equal(run_gen(tmpdir(name), 20000, 21, 3, shapes[s], false, true, true),
		                 0);
		load(&r, tmpdir(name));
		for (i = 0; i < r.nlines; i++) {
			size_t kl;
			int c;
			split(r.lines[i], fl, 16);
			kl = ref_url_decode(key, fl[1], strlen(fl[1]));
			c = memcmp(prev, key, plen < kl ? plen : kl);
			if (c > 0 || (c == 0 && plen > kl))
				unsorted++;
			memcpy(prev, key, kl);
			plen = kl;
		}
		assert_int_equal(unsorted, 0);
		free(fl);
		unload(&r);
	}
}

/* shapes have their shape: logs date trees, media albums, mixed sections */
static void test_gen__shapes(void **state)
{
	(void)state;
	struct report r;
	struct ref_result *res;
	char path[1024];
	size_t i;

	assert_int_equal(
	    run_gen(tmpdir("shape_logs"), 20000, 1, 2, S3INV_SHAPE_LOGS, true, false, true), 0);
	snprintf(path, sizeof path, "%s/manifest.json", tmpdir("shape_logs"));
	assert_int_equal(ref_compute(&res, path, '/', -1), 0);
	assert_non_null(ref_find(res, "cdn-edge/", 9));
	assert_non_null(ref_find(res, "api-gateway/", 12));
	{
		size_t dated = 0;
		for (i = 0; i < res->n; i++) {
			const char *p = res->p[i].prefix;
			/* service/yyyy/mm/dd/hh/host-NN/ */
			const char *s = strchr(p, '/');
			if (s && strlen(s) == 23 && strncmp(s + 14, "/host-", 6) == 0 &&
			    s[1] == '2')
				dated++;
		}
		assert_true(dated > 1000);
	}
	ref_free(res);

	assert_int_equal(
	    run_gen(tmpdir("shape_media"), 20000, 1, 2, S3INV_SHAPE_MEDIA, true, false, true), 0);
	snprintf(path, sizeof path, "%s/manifest.json", tmpdir("shape_media"));
	assert_int_equal(ref_compute(&res, path, '/', -1), 0);
	assert_non_null(ref_find(res, "users/", 6));
	{
		size_t albums = 0;
		for (i = 0; i < res->n; i++) {
			const char *p = res->p[i].prefix;
			const char *a = strstr(p, "/albums/a");
			/* users/uNNN/albums/aNN/ */
			albums += strncmp(p, "users/u", 7) == 0 && a && res->p[i].depth == 4 &&
			          p[res->p[i].len - 1] == '/';
		}
		assert_true(albums > 50);
	}
	{
		const struct ref_prefix *root = ref_find(res, "", 0);
		const struct ref_class *g = ref_class_find(root, "GLACIER");
		const struct ref_class *d = ref_class_find(root, "DEEP_ARCHIVE");
		assert_non_null(g);
		assert_non_null(d);
		assert_true(g->objects + d->objects > root->objects / 10); /* archive skew */
		assert_true(root->bytes / root->objects > 1000000);        /* large objects */
	}
	ref_free(res);

	assert_int_equal(
	    run_gen(tmpdir("shape_mixed"), 20000, 1, 2, S3INV_SHAPE_MIXED, true, false, true), 0);
	snprintf(path, sizeof path, "%s/manifest.json", tmpdir("shape_mixed"));
	assert_int_equal(ref_compute(&res, path, '/', -1), 0);
	{
		static const char *const top[] = {"backups/", "datasets/", "logs/", "tmp/",
		                                  "users/"};
		const struct ref_prefix *tmp, *root = ref_find(res, "", 0);
		size_t tmp_children = 0, classes_seen = 0;
		for (i = 0; i < 5; i++)
			assert_non_null(ref_find(res, top[i], strlen(top[i])));
		tmp = ref_find(res, "tmp/", 4);
		assert_true(tmp->objects > 1000); /* a hot folder with many siblings */
		for (i = 0; i < res->n; i++)
			tmp_children +=
			    res->p[i].depth == 2 && strncmp(res->p[i].prefix, "tmp/", 4) == 0;
		assert_true(tmp_children < 50); /* its objects sit directly in tmp/ */
		static const char *const cls[] = {"STANDARD",
		                                  "STANDARD_IA",
		                                  "ONEZONE_IA",
		                                  "GLACIER_IR",
		                                  "GLACIER",
		                                  "DEEP_ARCHIVE",
		                                  "INTELLIGENT_TIERING:FREQUENT_ACCESS",
		                                  "INTELLIGENT_TIERING:INFREQUENT_ACCESS",
		                                  "INTELLIGENT_TIERING:ARCHIVE_INSTANT_ACCESS",
		                                  "INTELLIGENT_TIERING:ARCHIVE_ACCESS",
		                                  "INTELLIGENT_TIERING:DEEP_ARCHIVE_ACCESS"};
		for (i = 0; i < sizeof cls / sizeof *cls; i++)
			classes_seen += ref_class_find(root, cls[i]) != NULL;
		assert_int_equal(classes_seen, sizeof cls / sizeof *cls);
		assert_true(ref_class_find(root, "STANDARD")->objects > root->objects / 3);
	}
	ref_free(res);

	/* some StorageClass fields are empty */
	load(&r, tmpdir("shape_mixed"));
	{
		struct features f;
		scan(&r, &f, true, 1795309200000LL);
		assert_true(f.empty_class > 0);
		assert_true(f.raw_quote);
		assert_true(f.raw_comma);
	}
	unload(&r);
}

static void test_gen__bad_options(void **state)
{
	(void)state;
	s3inv_gen_options o = S3INV_GEN_OPTIONS_INIT;
	s3inv_error err = {0, ""};
	char path[1024];
	FILE *f;

	o.objects = 10;
	o.bucket = "bad\"bucket";
	assert_int_equal(s3inv_gen_run(tmpdir("bad"), &o, &err), S3INV_EINVAL);
	assert_non_null(strstr(err.msg, "bucket"));

	o = (s3inv_gen_options)S3INV_GEN_OPTIONS_INIT;
	o.version = 99;
	err = (s3inv_error){0, ""};
	assert_int_equal(s3inv_gen_run(tmpdir("bad"), &o, &err), S3INV_EINVAL);

	o = (s3inv_gen_options)S3INV_GEN_OPTIONS_INIT;
	o.shape = (s3inv_shape)17;
	err = (s3inv_error){0, ""};
	assert_int_equal(s3inv_gen_run(tmpdir("bad"), &o, &err), S3INV_EINVAL);

	err = (s3inv_error){0, ""};
	assert_int_equal(s3inv_gen_run("", NULL, &err), S3INV_EINVAL);

	/* output "directory" is a regular file */
	snprintf(path, sizeof path, "%s/plainfile", g_tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	o = (s3inv_gen_options)S3INV_GEN_OPTIONS_INIT;
	o.objects = 10;
	err = (s3inv_error){0, ""};
	assert_int_equal(s3inv_gen_run(path, &o, &err), S3INV_EIO);
	assert_non_null(strstr(err.msg, "plainfile"));

	/* a custom bucket name lands in rows and the manifest */
	o = (s3inv_gen_options)S3INV_GEN_OPTIONS_INIT;
	o.objects = 5;
	o.bucket = "my.bucket-1";
	o.creation_ms = 1700000000000LL;
	assert_int_equal(s3inv_gen_run(tmpdir("custom"), &o, NULL), 0);
	{
		struct report r;
		struct features ft;
		load(&r, tmpdir("custom"));
		assert_string_equal(json_string_value(json_object_get(r.manifest, "sourceBucket")),
		                    "my.bucket-1");
		assert_string_equal(
		    json_string_value(json_object_get(r.manifest, "creationTimestamp")),
		    "1700000000000");
		assert_int_equal(r.nlines, 5);
		assert_int_equal(strncmp(r.lines[0], "\"my.bucket-1\",", 14), 0);
		(void)ft;
		unload(&r);
	}
}

static int setup(void **state)
{
	const char *base = getenv("S3INV_TMP");
	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(g_tmp, sizeof g_tmp, "%s/test_gen.XXXXXX", base);
	return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[700];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gen__deterministic),
	    cmocka_unit_test(test_gen__shuffle_is_a_permutation),
	    cmocka_unit_test(test_gen__manifest_md5_and_sizes),
	    cmocka_unit_test(test_gen__row_counts_exact),
	    cmocka_unit_test(test_gen__hostile_features_in_every_shape),
	    cmocka_unit_test(test_gen__hostile_features_small),
	    cmocka_unit_test(test_gen__versions_only_when_asked),
	    cmocka_unit_test(test_gen__sorted_in_byte_order),
	    cmocka_unit_test(test_gen__shapes),
	    cmocka_unit_test(test_gen__bad_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
