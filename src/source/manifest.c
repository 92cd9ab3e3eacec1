/* SPDX-License-Identifier: MIT */
/*
 * manifest.c — parse an S3 Inventory manifest.json and, for local reports,
 * find it and resolve its data files to paths.
 *
 * Parsing (jansson) keeps only what the build needs and checks it, so that a
 * bad manifest fails before any data file is opened, with a message naming
 * the manifest: JSON syntax (with jansson's line and column), fileFormat
 * (CSV, Parquet or ORC, any case), files[] entries (key required; size a
 * non-negative integer; MD5checksum 32 hex digits or absent), and for CSV a
 * fileSchema that names a Key column. Unknown members are ignored, as AWS
 * may add some. creationTimestamp is epoch milliseconds as a string of
 * digits (a JSON number is accepted too); destinationBucket's ARN prefix is
 * stripped.
 *
 * Local resolution follows docs/local-reports.md: SOURCE is a manifest.json,
 * a folder holding one, or a folder of dated report folders
 * (YYYY-MM-DDTHH-MMZ, newest by name, which sorts chronologically). A
 * manifest.checksum beside the manifest is verified. Each files[].key is
 * looked for as <root>/<key> with root = the manifest's folder and up to four
 * of its ancestors (the first where the file exists), then as
 * data/<basename> and ../data/<basename> beside the manifest.
 *
 * Deliberately not here: S3 (source/s3.c has its own loader), data file
 * contents, and the column layout of Parquet/ORC (read from their footers).
 * jansson allocates with its own malloc while parsing; everything the
 * manifest keeps is copied into s3i_malloc'd memory.
 */
#include "source/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/md5.h"

/* A manifest of 100k files is ~20 MB; refuse anything absurd. */
#define MANIFEST_MAX ((size_t)256 << 20)
/* How many ancestors of the manifest's folder may be the report root. */
#define ROOT_LEVELS 4

/* ---- fileSchema → column map ------------------------------------------ */

static bool name_is(const char *p, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(p, want, n) == 0;
}

static int colmap_named(struct s3i_colmap *out, const char *name, const char *schema,
                        s3inv_error *err)
{
	struct s3i_colmap m = {-1, -1, -1, -1, -1, -1, -1, -1, 0};
	const char *p = schema;

	for (;;) {
		const char *e = strchr(p, ',');
		const char *s = p, *t = e ? e : p + strlen(p);
		int *slot = NULL;
		while (s < t && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\n' || t[-1] == '\r'))
			t--;
		if (m.ncols >= 4096)
			return s3i_err_set(err, S3INV_EFORMAT, "%s: fileSchema has too many columns",
			                   name);
		if (name_is(s, (size_t)(t - s), "Bucket"))
			slot = &m.bucket;
		else if (name_is(s, (size_t)(t - s), "Key"))
			slot = &m.key;
		else if (name_is(s, (size_t)(t - s), "Size"))
			slot = &m.size;
		else if (name_is(s, (size_t)(t - s), "StorageClass"))
			slot = &m.storage_class;
		else if (name_is(s, (size_t)(t - s), "IsLatest"))
			slot = &m.is_latest;
		else if (name_is(s, (size_t)(t - s), "IsDeleteMarker"))
			slot = &m.is_delete_marker;
		else if (name_is(s, (size_t)(t - s), "IntelligentTieringAccessTier"))
			slot = &m.tier;
		else if (name_is(s, (size_t)(t - s), "LastModifiedDate"))
			slot = &m.last_modified;
		if (slot && *slot < 0)
			*slot = m.ncols;
		m.ncols++;
		if (!e)
			break;
		p = e + 1;
	}
	if (m.key < 0)
		return s3i_err_set(err, S3INV_EFORMAT, "%s: fileSchema has no Key column", name);
	*out = m;
	return 0;
}

int s3i_manifest_colmap(struct s3i_colmap *out, const char *schema, s3inv_error *err)
{
	return colmap_named(out, "manifest.json", schema, err);
}

/* ---- parsing ----------------------------------------------------------- */

void s3i_manifest_free(struct s3i_manifest *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->n_files; i++) {
		s3i_free(m->files[i].key);
		s3i_free(m->files[i].path);
	}
	s3i_free(m->files);
	s3i_free(m->path);
	s3i_free(m->source_bucket);
	s3i_free(m->dest_bucket);
	s3i_free(m->file_schema);
	s3i_free(m->format_name);
	s3i_free(m);
}

/* Copy the string member KEY of OBJ (or "" when absent). -1 when present but
 * not a string. */
static int dup_member(char **out, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = "";
	if (v && !json_is_null(v)) {
		if (!json_is_string(v))
			return -1;
		s = json_string_value(v);
	}
	*out = s3i_strdup(s);
	return *out ? 0 : S3INV_ENOMEM;
}

static bool hex32(const char *s)
{
	size_t i;
	for (i = 0; i < 32; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')))
			return false;
	return s[32] == '\0';
}

static int parse_files(struct s3i_manifest *m, const char *name, json_t *files,
                       s3inv_error *err)
{
	size_t i, n = json_array_size(files);

	m->files = s3i_calloc(n ? n : 1, sizeof *m->files);
	if (!m->files)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", name);
	for (i = 0; i < n; i++) {
		json_t *f = json_array_get(files, i), *k, *sz, *md5;
		struct s3i_manifest_file *mf = &m->files[i];
		if (!json_is_object(f))
			return s3i_err_set(err, S3INV_EFORMAT, "%s: files[%zu] is not an object", name, i);
		k = json_object_get(f, "key");
		if (!json_is_string(k) || json_string_length(k) == 0)
			return s3i_err_set(err, S3INV_EFORMAT, "%s: files[%zu] has no key", name, i);
		mf->key = s3i_strdup(json_string_value(k));
		m->n_files = i + 1;
		if (!mf->key)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", name);
		sz = json_object_get(f, "size");
		if (sz && !json_is_null(sz)) {
			if (!json_is_integer(sz) || json_integer_value(sz) < 0)
				return s3i_err_set(err, S3INV_EFORMAT,
				                   "%s: files[%zu] (%s): size is not a non-negative integer",
				                   name, i, mf->key);
			mf->size = (uint64_t)json_integer_value(sz);
			m->total_size += mf->size;
		}
		md5 = json_object_get(f, "MD5checksum");
		if (md5 && !json_is_null(md5)) {
			const char *h = json_is_string(md5) ? json_string_value(md5) : NULL;
			size_t j;
			if (!h || (h[0] && !hex32(h)))
				return s3i_err_set(err, S3INV_EFORMAT,
				                   "%s: files[%zu] (%s): MD5checksum is not 32 hex digits",
				                   name, i, mf->key);
			for (j = 0; h[j]; j++)
				mf->md5[j] = (char)((h[j] >= 'A' && h[j] <= 'F') ? h[j] + 32 : h[j]);
		}
	}
	return 0;
}

static int parse_timestamp(int64_t *out, json_t *v)
{
	const char *s;
	int64_t x = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return -1;
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		x = x * 10 + (*s - '0');
	}
	*out = x;
	return 0;
}

int s3i_manifest_parse(struct s3i_manifest **out, const char *name, const char *json,
                       size_t len, s3inv_error *err)
{
	struct s3i_manifest *m = NULL;
	json_error_t jerr;
	json_t *root = NULL, *files;
	const char *fmt, *colon;
	int rc = 0;

	*out = NULL;
	root = json_loadb(json, len, 0, &jerr);
	if (!root)
		return s3i_err_set(err, S3INV_EFORMAT, "%s: not JSON: line %d column %d: %s", name,
		                   jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = s3i_err_set(err, S3INV_EFORMAT, "%s: not a JSON object", name);
		goto out;
	}
	m = s3i_calloc(1, sizeof *m);
	if (!m) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	{
		static const char *const names[] = {"sourceBucket", "destinationBucket", "fileSchema",
		                                    "fileFormat"};
		char **slots[] = {&m->source_bucket, &m->dest_bucket, &m->file_schema, &m->format_name};
		for (int i = 0; i < 4; i++) {
			int r = dup_member(slots[i], root, names[i]);
			if (r == -1) {
				rc = s3i_err_set(err, S3INV_EFORMAT, "%s: %s must be a string", name, names[i]);
				goto out;
			}
			if (r < 0) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", name);
				goto out;
			}
		}
	}
	/* "arn:aws:s3:::bucket" → "bucket" (bucket names cannot hold ':'). */
	colon = strrchr(m->dest_bucket, ':');
	if (colon)
		memmove(m->dest_bucket, colon + 1, strlen(colon + 1) + 1);
	if (parse_timestamp(&m->creation_ms, json_object_get(root, "creationTimestamp")) < 0) {
		rc = s3i_err_set(err, S3INV_EFORMAT,
		                 "%s: creationTimestamp is not a number of milliseconds", name);
		goto out;
	}
	fmt = m->format_name;
	if (!*fmt) {
		rc = s3i_err_set(err, S3INV_EFORMAT, "%s: fileFormat is missing", name);
		goto out;
	} else if (strcasecmp(fmt, "CSV") == 0) {
		m->format = S3I_FMT_CSV;
	} else if (strcasecmp(fmt, "Parquet") == 0) {
		m->format = S3I_FMT_PARQUET;
	} else if (strcasecmp(fmt, "ORC") == 0) {
		m->format = S3I_FMT_ORC;
	} else {
		rc = s3i_err_set(err, S3INV_EFORMAT,
		                 "%s: unsupported fileFormat '%.40s' (expected CSV, Parquet or ORC)", name,
		                 fmt);
		goto out;
	}
	files = json_object_get(root, "files");
	if (!json_is_array(files)) {
		rc = s3i_err_set(err, S3INV_EFORMAT, "%s: no files array", name);
		goto out;
	}
	TRY(parse_files(m, name, files, err));
	m->cols = (struct s3i_colmap){-1, -1, -1, -1, -1, -1, -1, -1, 0};
	if (m->format == S3I_FMT_CSV) {
		if (!*m->file_schema) {
			rc = s3i_err_set(err, S3INV_EFORMAT, "%s: fileSchema is missing (needed for CSV)",
			                 name);
			goto out;
		}
		TRY(colmap_named(&m->cols, name, m->file_schema, err));
	}
out:
	json_decref(root);
	if (rc < 0) {
		s3i_manifest_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

/* ---- local files ------------------------------------------------------- */

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = s3i_malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Read the whole file PATH (at most MAX bytes) into *OUT (NUL-terminated). */
static int slurp(char **out, size_t *len, const char *path, size_t max, s3inv_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t done = 0;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return s3i_err_sys(err, errno == ENOENT ? S3INV_ENOTFOUND : S3INV_EIO, errno, "%s",
		                   path);
	if (fstat(fd, &st) < 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		rc = s3i_err_set(err, S3INV_EFORMAT, "%s: not a regular file of at most %zu bytes",
		                 path, max);
		goto out;
	}
	buf = s3i_malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: read", path);
			goto out;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	buf[done] = '\0';
out:
	close(fd);
	if (rc < 0) {
		s3i_free(buf);
		return rc;
	}
	*out = buf;
	*len = done;
	return 0;
}

static bool dated_name(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd-ddZ";
	size_t i;
	for (i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	return s[i] == '\0';
}

/* SOURCE is a folder without manifest.json: pick its newest dated report. */
static int newest_report(char **out, const char *dir,
                         void (*notice)(const char *line, void *payload), void *payload,
                         s3inv_error *err)
{
	char best[32] = "", line[PATH_MAX + 96];
	struct dirent *de;
	size_t count = 0;
	DIR *d;
	int rc = 0;

	*out = NULL;
	d = opendir(dir);
	if (!d)
		return s3i_err_sys(err, S3INV_EIO, errno, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		char *sub, *mf;
		bool ok;
		if (!dated_name(de->d_name))
			continue;
		sub = join(dir, de->d_name);
		mf = sub ? join(sub, "manifest.json") : NULL;
		if (!mf) {
			s3i_free(sub);
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", dir);
			goto out;
		}
		ok = is_file(mf);
		s3i_free(mf);
		s3i_free(sub);
		if (!ok)
			continue;
		count++;
		if (strcmp(de->d_name, best) > 0)
			memcpy(best, de->d_name, sizeof "YYYY-MM-DDTHH-MMZ");
	}
	if (!count) {
		rc = s3i_err_set(err, S3INV_ENOTFOUND,
		                 "%s: no manifest.json and no dated report folders "
		                 "(YYYY-MM-DDTHH-MMZ/manifest.json)",
		                 dir);
		goto out;
	}
	if (notice) {
		snprintf(line, sizeof line, "using newest report %s (of %zu) in %s", best, count, dir);
		notice(line, payload);
	}
	{
		char *sub = join(dir, best);
		*out = sub ? join(sub, "manifest.json") : NULL;
		s3i_free(sub);
		if (!*out)
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", dir);
	}
out:
	closedir(d);
	return rc;
}

/* manifest.checksum beside PATH, when present, must be the MD5 of TEXT. */
static int check_manifest_md5(const char *path, const char *dir, const char *text, size_t len,
                              s3inv_error *err)
{
	struct s3i_md5 md5 = {0};
	char *ck_path, *ck = NULL, got[33];
	size_t cklen = 0, s = 0, e, i;
	int rc = 0;

	ck_path = join(dir, "manifest.checksum");
	if (!ck_path)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", path);
	if (!is_file(ck_path))
		goto out;
	TRY(slurp(&ck, &cklen, ck_path, 4096, err));
	if (s3i_md5_init(&md5) < 0) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	s3i_md5_update(&md5, text, len);
	s3i_md5_final(&md5, got);
	e = cklen;
	while (s < e && (ck[s] == ' ' || ck[s] == '\n' || ck[s] == '\r' || ck[s] == '\t'))
		s++;
	while (e > s && (ck[e - 1] == ' ' || ck[e - 1] == '\n' || ck[e - 1] == '\r' ||
	                 ck[e - 1] == '\t'))
		e--;
	for (i = s; i < e; i++)
		if (ck[i] >= 'A' && ck[i] <= 'F')
			ck[i] = (char)(ck[i] + 32);
	if (e - s != 32 || memcmp(ck + s, got, 32) != 0)
		rc = s3i_err_set(err, S3INV_ECHECKSUM,
		                 "%s: MD5 mismatch: manifest.checksum says %.*s, file has %s", path,
		                 (int)(e - s > 40 ? 40 : e - s), ck + s, got);
out:
	s3i_free(ck);
	s3i_free(ck_path);
	return rc;
}

/* Resolve F->key to a local path (docs/local-reports.md). DIR is the
 * manifest's folder made absolute. */
static int resolve_file(struct s3i_manifest_file *f, const char *mpath, const char *dir,
                        s3inv_error *err)
{
	char root[PATH_MAX], *cand;
	const char *base = strrchr(f->key, '/');
	int lvl;

	base = base ? base + 1 : f->key;
	snprintf(root, sizeof root, "%s", dir);
	for (lvl = 0; lvl <= ROOT_LEVELS; lvl++) {
		char *slash;
		cand = join(root, f->key);
		if (!cand)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", mpath);
		if (is_file(cand)) {
			f->path = cand;
			return 0;
		}
		s3i_free(cand);
		slash = strrchr(root, '/');
		if (!slash || slash == root)
			break; /* "/" has no useful parent for keys */
		*slash = '\0';
	}
	if (*base) {
		char tail[PATH_MAX];
		snprintf(tail, sizeof tail, "data/%s", base);
		cand = join(dir, tail);
		if (cand && is_file(cand)) {
			f->path = cand;
			return 0;
		}
		s3i_free(cand);
		snprintf(tail, sizeof tail, "../data/%s", base);
		cand = join(dir, tail);
		if (cand && is_file(cand)) {
			f->path = cand;
			return 0;
		}
		s3i_free(cand);
	}
	return s3i_err_set(err, S3INV_ENOTFOUND,
	                   "%s: data file %s not found (looked in <root>/<key> for the manifest's "
	                   "folder and %d parents, then data/ and ../data/ beside it)",
	                   mpath, f->key, ROOT_LEVELS);
}

int s3i_manifest_load_local(struct s3i_manifest **out, const char *source,
                            void (*notice)(const char *line, void *payload), void *payload,
                            s3inv_error *err)
{
	struct s3i_manifest *m = NULL;
	char *mpath = NULL, *text = NULL, *slash, dir[PATH_MAX], absdir[PATH_MAX];
	size_t len = 0, i;
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (stat(source, &st) < 0)
		return s3i_err_sys(err, errno == ENOENT ? S3INV_ENOTFOUND : S3INV_EIO, errno, "%s",
		                   source);
	if (S_ISDIR(st.st_mode)) {
		mpath = join(source, "manifest.json");
		if (!mpath)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", source);
		if (!is_file(mpath)) {
			s3i_free(mpath);
			TRY(newest_report(&mpath, source, notice, payload, err));
		}
	} else {
		mpath = s3i_strdup(source);
		if (!mpath)
			return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", source);
	}
	TRY(slurp(&text, &len, mpath, MANIFEST_MAX, err));
	snprintf(dir, sizeof dir, "%s", mpath);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	TRY(check_manifest_md5(mpath, dir, text, len, err));
	TRY(s3i_manifest_parse(&m, mpath, text, len, err));
	if (!realpath(dir, absdir)) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s", dir);
		goto out;
	}
	for (i = 0; i < m->n_files; i++)
		TRY(resolve_file(&m->files[i], mpath, absdir, err));
	m->path = mpath;
	mpath = NULL;
out:
	s3i_free(text);
	s3i_free(mpath);
	if (rc < 0) {
		s3i_manifest_free(m);
		return rc;
	}
	*out = m;
	return 0;
}
