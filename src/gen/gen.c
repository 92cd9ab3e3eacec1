/* SPDX-License-Identifier: MIT */
/*
 * gen.c — s3inv_gen_run: write a realistic, hostile, deterministic S3
 * Inventory report (manifest.json, manifest.checksum, data/<uuid>.csv[.gz]).
 *
 * Row r (0..n-1, in key order) is a pure function of (seed, r): tree.c
 * descends an implicit key tree, row.c draws and formats the columns. Data
 * file f holds the slots [f*n/F, (f+1)*n/F); slot s holds row s when
 * sorted, else row P(s), P a keyed Feistel permutation of [0, n) (cycle
 * walking), which shuffles rows across and within files while holding no
 * key in memory. Files are written in parallel (s3i_parallel, one file at a
 * time per thread from an atomic counter); the bytes do not depend on the
 * thread count.
 *
 * Compression: libdeflate level 6, one gzip member per 2 MiB of CSV (a
 * multi-member file, as readers must handle anyway). On these rows it
 * compressed 2.7x faster than zlib's deflate at level 6 (91 vs 33 MB/s on
 * one core) with a slightly better ratio (2.99 vs 2.90). The MD5 in the manifest is that of the
 * bytes as stored. The manifest is written last, under a temporary name then renamed, so a reader
 * never sees one that lists unfinished files. On error the data files of this run are removed.
 *
 * libdeflate allocates its compressor with its own malloc (setting its
 * global allocator would affect other users in the process).
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/row.h"
#include "gen/tree.h"
#include "s3inv.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/md5.h"
#include "util/thread.h"

#define CHUNK (2u << 20)      /* CSV bytes per gzip member */
#define ROWS_PER_FILE 250000u /* default file size */
#define MAX_FILES 100000u
#define MAX_PATH 4096

/* ---- a keyed permutation of [0, n) ----------------------------------- */

struct perm {
	uint64_t n, mask;
	unsigned half;
	uint64_t keys[4];
};

static void perm_init(struct perm *p, uint64_t n, uint64_t seed)
{
	unsigned half = 1, q;
	while (half < 32 && ((uint64_t)1 << (2 * half)) < n)
		half++;
	p->n = n;
	p->half = half;
	p->mask = ((uint64_t)1 << half) - 1;
	for (q = 0; q < 4; q++)
		p->keys[q] = s3i_gen_h2(seed ^ 0x7065726dULL, q);
}

static uint64_t perm_apply(const struct perm *p, uint64_t x)
{
	do {
		uint64_t l = x >> p->half, r = x & p->mask, t;
		unsigned q;
		for (q = 0; q < 4; q++) {
			t = r;
			r = l ^ (s3i_gen_h2(p->keys[q], r) & p->mask);
			l = t;
		}
		x = (l << p->half) | r;
	} while (x >= p->n); /* cycle walking: stays a bijection on [0, n) */
	return x;
}

/* ---- the job shared by the writer threads ---------------------------- */

struct file_res {
	char name[64]; /* <uuid>.csv[.gz] */
	uint64_t size;
	char md5[33];
	bool written;
};

struct job {
	const char *out_dir;
	struct s3i_gen_tree tree;
	struct s3i_gen_rowctx rowctx;
	struct perm perm;
	bool gzip, sorted;
	unsigned nfiles;
	struct file_res *files;
	s3inv_error *errs; /* one per worker */
	atomic_uint next;
	atomic_int stop;
};

static int write_all(int fd, const char *p, size_t n, const char *path, s3inv_error *err)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return s3i_err_sys(err, S3INV_EIO, errno, "%s: write", path);
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct writer {
	int fd;
	const char *path;
	struct libdeflate_compressor *z;
	char *zbuf;
	size_t zcap;
	struct s3i_md5 md5;
	uint64_t size;
};

/* Write CSV bytes [p, p+n) as stored: one gzip member, or plain. */
static int flush_chunk(struct writer *wr, const char *p, size_t n, s3inv_error *err)
{
	if (wr->z) {
		size_t zn = libdeflate_gzip_compress(wr->z, p, n, wr->zbuf, wr->zcap);
		if (zn == 0)
			return s3i_err_set(err, S3INV_EIO, "%s: gzip compression failed", wr->path);
		p = wr->zbuf;
		n = zn;
	}
	s3i_md5_update(&wr->md5, p, n);
	wr->size += n;
	return write_all(wr->fd, p, n, wr->path, err);
}

static int write_file(struct job *j, unsigned f, char *chunk, struct s3i_gen_key *key,
                      struct libdeflate_compressor *z, char *zbuf, size_t zcap, s3inv_error *err)
{
	struct file_res *res = &j->files[f];
	uint64_t n = j->tree.n, F = j->nfiles;
	uint64_t lo = (n / F) * f + (n % F) * f / F;
	uint64_t hi = (n / F) * (f + 1) + (n % F) * (f + 1) / F, s;
	char path[MAX_PATH];
	struct writer wr = {-1, path, z, zbuf, zcap, {NULL}, 0};
	size_t len = 0;
	int rc = 0;

	snprintf(path, sizeof path, "%s/data/%s", j->out_dir, res->name);
	wr.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (wr.fd < 0)
		return s3i_err_sys(err, S3INV_EIO, errno, "%s: open", path);
	res->written = true;
	TRY(s3i_md5_init(&wr.md5));
	for (s = lo; s < hi; s++) {
		uint64_t r = j->sorted ? s : perm_apply(&j->perm, s);
		s3i_gen_tree_key(&j->tree, r, key);
		len += s3i_gen_row_format(chunk + len, &j->rowctx, key, r);
		if (len >= CHUNK) {
			TRY(flush_chunk(&wr, chunk, len, err));
			len = 0;
			if (atomic_load(&j->stop)) {
				rc = S3INV_ECANCELED;
				goto out;
			}
		}
	}
	if (len > 0 || wr.size == 0)
		TRY(flush_chunk(&wr, chunk, len, err)); /* an empty file is still valid gzip */
	s3i_md5_final(&wr.md5, res->md5);
	res->size = wr.size;
out:
	s3i_md5_free(&wr.md5);
	if (close(wr.fd) != 0 && rc == 0)
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: close", path);
	return rc;
}

static int worker(unsigned w, void *payload)
{
	struct job *j = payload;
	s3inv_error *err = &j->errs[w];
	struct libdeflate_compressor *z = NULL;
	size_t zcap = 0;
	char *chunk = s3i_malloc(CHUNK + S3I_GEN_ROW_MAX), *zbuf = NULL;
	struct s3i_gen_key *key = s3i_malloc(sizeof *key);
	int rc = 0;

	if (!chunk || !key) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "gen: out of memory");
		goto out;
	}
	if (j->gzip) {
		z = libdeflate_alloc_compressor(6);
		if (!z) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "gen: out of memory (compressor)");
			goto out;
		}
		zcap = libdeflate_gzip_compress_bound(z, CHUNK + S3I_GEN_ROW_MAX);
		zbuf = s3i_malloc(zcap);
		if (!zbuf) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "gen: out of memory");
			goto out;
		}
	}
	for (;;) {
		unsigned f = atomic_fetch_add(&j->next, 1);
		if (f >= j->nfiles || atomic_load(&j->stop))
			break;
		rc = write_file(j, f, chunk, key, z, zbuf, zcap, err);
		if (rc < 0) {
			atomic_store(&j->stop, 1);
			break;
		}
	}
out:
	if (z)
		libdeflate_free_compressor(z);
	s3i_free(zbuf);
	s3i_free(key);
	s3i_free(chunk);
	return rc;
}

/* ---- names, directories, manifest ------------------------------------ */

static void uuid_name(char *out, size_t cap, uint64_t seed, unsigned f, bool gzip)
{
	uint64_t a = s3i_gen_h2(seed ^ 0x75756964ULL, 2 * (uint64_t)f);
	uint64_t b = s3i_gen_h2(seed ^ 0x75756964ULL, 2 * (uint64_t)f + 1);
	snprintf(out, cap, "%08x-%04x-4%03x-%04x-%012llx.csv%s", (unsigned)(a >> 32),
	         (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
	         0x8000 | ((unsigned)(b >> 48) & 0x3fff),
	         (unsigned long long)(b & 0xffffffffffffULL), gzip ? ".gz" : "");
}

static int make_dir(const char *path, s3inv_error *err)
{
	struct stat st;
	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return s3i_err_sys(err, S3INV_EIO, errno, "%s: mkdir", path);
}

static bool bucket_ok(const char *b)
{
	size_t n = strlen(b), i;
	if (n == 0 || n > 255)
		return false;
	for (i = 0; i < n; i++) {
		char c = b[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static int write_text(const char *path, const char *p, size_t n, s3inv_error *err)
{
	char tmp[MAX_PATH];
	int fd, rc;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return s3i_err_sys(err, S3INV_EIO, errno, "%s: open", tmp);
	rc = write_all(fd, p, n, tmp, err);
	if (close(fd) != 0 && rc == 0)
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: close", tmp);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: rename", path);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int write_manifest(const struct job *j, const char *bucket, int64_t creation_ms,
                          s3inv_error *err)
{
	struct s3i_buf b;
	struct s3i_md5 md5 = {NULL};
	char path[MAX_PATH], hex[34];
	unsigned f;
	int rc = 0;

	s3i_buf_init(&b, (size_t)j->nfiles * 256 + 4096);
	TRY(s3i_buf_printf(&b,
	                   "{\n  \"sourceBucket\" : \"%s\",\n"
	                   "  \"destinationBucket\" : \"arn:aws:s3:::%s-inventory\",\n"
	                   "  \"version\" : \"2016-11-30\",\n"
	                   "  \"creationTimestamp\" : \"%lld\",\n"
	                   "  \"fileFormat\" : \"CSV\",\n"
	                   "  \"fileSchema\" : \"%s\",\n"
	                   "  \"files\" : [ ",
	                   bucket, bucket, (long long)creation_ms,
	                   s3i_gen_schema(j->tree.versions)));
	for (f = 0; f < j->nfiles; f++)
		TRY(s3i_buf_printf(&b,
		                   "%s{\n    \"key\" : \"%s/inv/data/%s\",\n    \"size\" : %llu,\n"
		                   "    \"MD5checksum\" : \"%s\"\n  }",
		                   f ? ", " : "", bucket, j->files[f].name,
		                   (unsigned long long)j->files[f].size, j->files[f].md5));
	TRY(s3i_buf_printf(&b, " ]\n}\n"));

	/* the checksum first: a manifest.json never stands without it */
	TRY(s3i_md5_init(&md5));
	s3i_md5_update(&md5, b.data, b.len);
	s3i_md5_final(&md5, hex);
	hex[32] = '\n';
	snprintf(path, sizeof path, "%s/manifest.checksum", j->out_dir);
	TRY(write_text(path, hex, 33, err));
	snprintf(path, sizeof path, "%s/manifest.json", j->out_dir);
	TRY(write_text(path, b.data, b.len, err));
out:
	if (rc < 0)
		s3i_err_set(err, rc, "%s: cannot write the manifest", j->out_dir);
	s3i_md5_free(&md5);
	s3i_buf_free(&b);
	return rc;
}

/* ---- the entry point ------------------------------------------------- */

int s3inv_gen_run(const char *out_dir, const s3inv_gen_options *opts, s3inv_error *err)
{
	s3inv_gen_options o = S3INV_GEN_OPTIONS_INIT;
	struct job *j = NULL;
	const char *bucket;
	char path[MAX_PATH];
	unsigned nthreads, f;
	int64_t creation;
	int rc = 0;

	if (opts)
		o = *opts;
	if (!out_dir || !*out_dir || strlen(out_dir) > MAX_PATH - 128)
		return s3i_err_set(err, S3INV_EINVAL, "gen: an output directory is required");
	if (o.version != S3INV_GEN_OPTIONS_VERSION)
		return s3i_err_set(err, S3INV_EINVAL, "gen: unknown options version %u", o.version);
	if (o.shape != S3INV_SHAPE_MIXED && o.shape != S3INV_SHAPE_LOGS &&
	    o.shape != S3INV_SHAPE_MEDIA)
		return s3i_err_set(err, S3INV_EINVAL, "gen: unknown shape %d", (int)o.shape);
	bucket = o.bucket ? o.bucket : "example-bucket";
	if (!bucket_ok(bucket))
		return s3i_err_set(err, S3INV_EINVAL,
		                   "gen: bucket name must be 1-255 characters of [A-Za-z0-9._-]");
	if (o.objects > ((uint64_t)1 << 50))
		return s3i_err_set(err, S3INV_EINVAL, "gen: too many objects");
	if (o.files == 0)
		o.files = (unsigned)((o.objects + ROWS_PER_FILE - 1) / ROWS_PER_FILE);
	if (o.files == 0)
		o.files = 1;
	if (o.files > MAX_FILES)
		return s3i_err_set(err, S3INV_EINVAL, "gen: at most %u files", MAX_FILES);
	creation = o.creation_ms ? o.creation_ms
	                         : s3i_gen_days_from_civil(2026, 11, 22) * 86400000LL + 3600000LL;

	j = s3i_calloc(1, sizeof *j);
	nthreads = s3i_ncpu();
	if (nthreads > o.files)
		nthreads = o.files;
	if (!j || !(j->files = s3i_calloc(o.files, sizeof *j->files)) ||
	    !(j->errs = s3i_calloc(nthreads, sizeof *j->errs))) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "gen: out of memory");
		goto out;
	}
	j->out_dir = out_dir;
	s3i_gen_tree_init(&j->tree, o.objects, o.seed, o.shape, o.versions, creation);
	j->rowctx = (struct s3i_gen_rowctx){&j->tree, bucket, strlen(bucket), creation};
	perm_init(&j->perm, o.objects, j->tree.seed);
	j->gzip = o.gzip;
	j->sorted = o.sorted;
	j->nfiles = o.files;
	atomic_init(&j->next, 0);
	atomic_init(&j->stop, 0);
	for (f = 0; f < o.files; f++)
		uuid_name(j->files[f].name, sizeof j->files[f].name, j->tree.seed, f, o.gzip);

	TRY(make_dir(out_dir, err));
	snprintf(path, sizeof path, "%s/data", out_dir);
	TRY(make_dir(path, err));
	rc = s3i_parallel(nthreads, worker, j);
	if (rc < 0) {
		unsigned w;
		for (w = 0; w < nthreads; w++)
			if (j->errs[w].code < 0 && j->errs[w].code != S3INV_ECANCELED)
				s3i_err_set(err, j->errs[w].code, "%s", j->errs[w].msg);
		s3i_err_set(err, rc, "gen: writing data files failed");
		goto out;
	}
	TRY(write_manifest(j, bucket, creation, err));
out:
	if (rc < 0 && j && j->files) {
		for (f = 0; f < o.files; f++) {
			if (!j->files[f].written)
				continue;
			snprintf(path, sizeof path, "%s/data/%s", out_dir, j->files[f].name);
			unlink(path);
		}
	}
	if (j) {
		s3i_free(j->files);
		s3i_free(j->errs);
	}
	s3i_free(j);
	return rc;
}
