/* SPDX-License-Identifier: MIT */
/*
 * reports.c — s3inv_reports_list: the inventory reports found under a local
 * folder or an s3:// prefix, newest first, with what each manifest says
 * (format, number of data files, their total size, creation time).
 *
 * A report is a dated folder YYYY-MM-DDTHH-MMZ/ holding manifest.json (names
 * sort chronologically, so newest first is descending byte order). In S3 a
 * report is "complete" when its manifest.checksum exists (AWS writes it
 * last); locally when its manifest.json parses. A manifest that cannot be
 * read or parsed still yields an entry, with an empty format, so the user
 * sees the folder. When SOURCE holds no dated folders but a manifest.json of
 * its own, that one report is listed. Nothing is cached; each call lists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/manifest.h"
#include "source/s3.h"
#include "source/s3_client.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

#define MANIFEST_MAX ((size_t)256 << 20)

static void fill_from_manifest(s3inv_report *r, const char *name, const char *json, size_t len)
{
	struct s3i_manifest *m = NULL;
	s3inv_error e = {0};
	if (s3i_manifest_parse(&m, name, json, len, &e) < 0)
		return;
	snprintf(r->format, sizeof r->format, "%s", m->format_name ? m->format_name : "");
	r->files = m->n_files;
	r->bytes = m->total_size;
	r->creation_ms = m->creation_ms;
	s3i_manifest_free(m);
}

static int read_file(struct s3i_buf *out, const char *path)
{
	char tmp[65536];
	int fd, rc = 0;
	s3i_buf_init(out, MANIFEST_MAX);
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == ENOENT ? S3INV_ENOTFOUND : S3INV_EIO;
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? S3INV_EIO : 0;
			break;
		}
		if ((rc = s3i_buf_append(out, tmp, (size_t)n)) < 0)
			break;
	}
	close(fd);
	if (rc < 0)
		s3i_buf_free(out);
	return rc;
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(((const s3inv_report *)b)->date, ((const s3inv_report *)a)->date);
}

static int grow(s3inv_report **v, size_t n, size_t *cap)
{
	s3inv_report *t;
	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 8;
	t = s3i_realloc(*v, *cap * sizeof *t);
	if (!t)
		return S3INV_ENOMEM;
	*v = t;
	return 0;
}

static void local_one(s3inv_report *r, const char *date, const char *mpath)
{
	struct s3i_buf b = {0};
	memset(r, 0, sizeof *r);
	snprintf(r->date, sizeof r->date, "%s", date);
	snprintf(r->manifest, sizeof r->manifest, "%s", mpath);
	if (read_file(&b, mpath) == 0) {
		fill_from_manifest(r, mpath, b.data ? b.data : "", b.len);
		r->complete = r->format[0] != '\0';
	}
	s3i_buf_free(&b);
}

static int list_local(s3inv_report **out, size_t *n, const char *source, s3inv_error *err)
{
	DIR *d;
	struct dirent *de;
	s3inv_report *v = NULL;
	size_t cnt = 0, cap = 0, sl = strlen(source);
	char path[4096];
	struct stat st;
	int rc = 0;

	while (sl > 1 && source[sl - 1] == '/')
		sl--;
	d = opendir(source);
	if (!d)
		return s3i_err_sys(err, errno == ENOENT ? S3INV_ENOTFOUND : S3INV_EIO, errno, "%s",
		                   source);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		if (!s3i_is_report_date(de->d_name, nl))
			continue;
		snprintf(path, sizeof path, "%.*s/%s/manifest.json", (int)sl, source, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (grow(&v, cnt, &cap) < 0) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", source);
			goto out;
		}
		local_one(&v[cnt++], de->d_name, path);
	}
	if (cnt == 0) {
		/* SOURCE may be a report folder itself */
		const char *base;
		snprintf(path, sizeof path, "%.*s/manifest.json", (int)sl, source);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (grow(&v, cnt, &cap) < 0) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", source);
				goto out;
			}
			base = source + sl;
			while (base > source && base[-1] != '/')
				base--;
			{
				char date[32];
				size_t bl = (size_t)(source + sl - base);
				snprintf(date, sizeof date, "%.*s",
				         s3i_is_report_date(base, bl) ? (int)bl : 0, base);
				local_one(&v[cnt++], date, path);
			}
		}
	}
	qsort(v, cnt, sizeof *v, cmp_desc);
out:
	closedir(d);
	if (rc < 0) {
		s3i_free(v);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int list_s3(s3inv_report **out, size_t *n, const char *source,
                   const s3inv_build_options *opts, s3inv_error *err)
{
	struct s3i_s3 *s = NULL;
	char *bucket = NULL, *key = NULL, **dates = NULL;
	size_t ndates = 0, i, kl;
	s3inv_report *v = NULL;
	CURL *h = NULL;
	int rc = 0;

	TRY(s3i_s3_new(&s, opts, NULL, opts ? opts->cancel : NULL, err));
	TRY(s3i_s3_url_split(&bucket, &key, source, err));
	kl = strlen(key);
	if (kl && key[kl - 1] != '/') {
		char *t = s3i_realloc(key, kl + 2);
		if (!t) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", source);
			goto out;
		}
		key = t;
		key[kl] = '/';
		key[kl + 1] = '\0';
	}
	h = s3i_s3_easy(s);
	if (!h) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", source);
		goto out;
	}
	TRY(s3i_s3_list_dates(&dates, &ndates, s, h, bucket, key, err));
	if (ndates) {
		v = s3i_calloc(ndates, sizeof *v);
		if (!v) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", source);
			goto out;
		}
	}
	for (i = 0; i < ndates; i++) {
		s3inv_report *r = &v[i];
		struct s3i_buf json = {0};
		s3inv_error e2 = {0};
		bool has_sum = false;
		char dir[1100];

		snprintf(dir, sizeof dir, "%s%s/", key, dates[i]);
		snprintf(r->date, sizeof r->date, "%s", dates[i]);
		snprintf(r->manifest, sizeof r->manifest, "s3://%.64s/%.900smanifest.json", bucket, dir);
		rc = s3i_s3_fetch_manifest(&json, &has_sum, s, h, bucket, dir, false, &e2);
		if (rc == S3INV_ECANCELED || rc == S3INV_EAUTH || rc == S3INV_ENOMEM) {
			s3i_err_set(err, rc, "%s", e2.msg);
			goto out;
		}
		rc = 0;
		r->complete = has_sum;
		if (json.data)
			fill_from_manifest(r, r->manifest, json.data, json.len);
		s3i_buf_free(&json);
	}
out:
	if (h)
		curl_easy_cleanup(h);
	s3i_s3_names_free(dates, ndates);
	s3i_free(bucket);
	s3i_free(key);
	s3i_s3_free(s);
	if (rc < 0) {
		s3i_free(v);
		return rc;
	}
	*out = v;
	*n = ndates;
	return 0;
}

S3INV_API int s3inv_reports_list(s3inv_report **out, size_t *n, const char *source,
                                 const s3inv_build_options *opts, s3inv_error *err)
{
	*out = NULL;
	*n = 0;
	if (!source || !source[0])
		return s3i_err_set(err, S3INV_EINVAL, "reports: no source given");
	if (s3i_is_s3_url(source))
		return list_s3(out, n, source, opts, err);
	return list_local(out, n, source, err);
}
