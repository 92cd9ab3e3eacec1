/* SPDX-License-Identifier: MIT */
/*
 * s3.c — the S3 source's front: the client context of a build, and finding
 * and loading a manifest from an s3:// URL.
 *
 * The client (struct s3i_s3, see s3_client.h) holds the resolved credentials
 * and region, the endpoint and addressing style, the retry policy and the
 * curl share handle (DNS, TLS sessions, connection pool; guarded by one
 * mutex per shared data kind) that every easy handle of the build uses, so
 * workers reuse keep-alive connections.
 *
 * Loading: a URL ending in manifest.json is fetched (and checked against a
 * manifest.checksum beside it when there is one). Any other URL is a prefix:
 * the dated report folders under it are listed (ListObjectsV2, delimiter
 * "/", all pages), newest first, and the first with a manifest.checksum
 * (AWS writes it last, so its presence means the report is complete) is
 * used; the notice callback is told which. Data file URLs are
 * s3://<destinationBucket>/<files[].key>: the manifest's bucket wins over
 * the URL's (they differ when a report was copied).
 *
 * Retry policy knobs read from the environment (for tests and unusual
 * networks): S3INV_MAX_ATTEMPTS (5), S3INV_RETRY_BASE_MS (200),
 * S3INV_STALL_SECONDS (30: a transfer with no byte for that long is
 * aborted and retried).
 */
#include "source/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "source/s3_client.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/md5.h"

#define MANIFEST_MAX ((size_t)256 << 20)
#define LIST_PAGE_MAX ((size_t)16 << 20)
#define MAX_DATES 100000

bool s3i_is_s3_url(const char *source)
{
	return source && strncmp(source, "s3://", 5) == 0;
}

/* ---- client ---------------------------------------------------------------- */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userptr)
{
	struct s3i_s3 *s = userptr;
	(void)h; (void)access;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		s3i_mutex_lock(&s->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userptr)
{
	struct s3i_s3 *s = userptr;
	(void)h;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		s3i_mutex_unlock(&s->locks[data]);
}

static long env_long(const char *name, long def, long lo, long hi)
{
	const char *v = getenv(name);
	char *end;
	long x;
	if (!v || !v[0])
		return def;
	x = strtol(v, &end, 10);
	if (*end || x < lo || x > hi)
		return def;
	return x;
}

static const char *nonempty(const char *v)
{
	return v && v[0] ? v : NULL;
}

int s3i_s3_new(struct s3i_s3 **out, const s3inv_build_options *opts, struct s3i_budget *budget,
               volatile int *cancel, s3inv_error *err)
{
	struct s3i_s3 *s;
	const char *region = NULL, *ep;
	unsigned i;
	int rc = 0;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return s3i_err_set(err, S3INV_ENOMEM, "s3: cannot initialise libcurl");
	s = s3i_calloc(1, sizeof *s);
	if (!s) {
		curl_global_cleanup();
		return s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
	}
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		s3i_mutex_init(&s->locks[i]);
	s3i_mutex_init(&s->region_lock);
	s->budget = budget;
	s->cancel = cancel;
	s->jitter_seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	s->max_attempts = (unsigned)env_long("S3INV_MAX_ATTEMPTS", 5, 1, 100);
	s->backoff_ms = (unsigned)env_long("S3INV_RETRY_BASE_MS", 200, 0, 60000);
	s->stall_s = env_long("S3INV_STALL_SECONDS", 30, 1, 3600);
	s->max_conn = opts && opts->max_connections ? opts->max_connections : S3I_S3_DEFAULT_CONN;
	if (s->max_conn > S3I_S3_MAX_CONN)
		s->max_conn = S3I_S3_MAX_CONN;
	s->part_size = opts && opts->part_size ? opts->part_size : S3I_S3_DEFAULT_PART;
	if (s->part_size < 1024) {
		rc = s3i_err_set(err, S3INV_EINVAL, "part size %llu is below the 1 KiB minimum",
		                 (unsigned long long)s->part_size);
		goto out;
	}
	if (s->part_size > ((uint64_t)1 << 30)) {
		rc = s3i_err_set(err, S3INV_EINVAL, "part size %llu is above the 1 GiB maximum",
		                 (unsigned long long)s->part_size);
		goto out;
	}
	s->requester_pays = opts && opts->requester_pays;
	ep = opts ? nonempty(opts->endpoint_url) : NULL;
	if (!ep)
		ep = nonempty(getenv("AWS_ENDPOINT_URL_S3"));
	if (!ep)
		ep = nonempty(getenv("AWS_ENDPOINT_URL"));
	if (ep) {
		size_t n = strlen(ep);
		if (strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0) {
			rc = s3i_err_set(err, S3INV_EINVAL, "endpoint URL '%s' must start with http:// or https://",
			                 ep);
			goto out;
		}
		while (n && ep[n - 1] == '/')
			n--;
		if (!(s->endpoint = s3i_strndup(ep, n))) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
			goto out;
		}
	}
	TRY(s3i_creds_resolve(&s->creds, opts ? opts->profile : NULL, err));

	if (opts && nonempty(opts->region)) {
		region = opts->region;
		s->region_fixed = true;
	}
	if (!region)
		region = nonempty(getenv("AWS_REGION"));
	if (!region)
		region = nonempty(getenv("AWS_DEFAULT_REGION"));
	if (!region)
		region = nonempty(s->creds.region);
	if (!region)
		region = "us-east-1";
	if (strlen(region) >= sizeof s->region || strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	                                              strlen(region)) {
		rc = s3i_err_set(err, S3INV_EINVAL, "region '%s' is not a region name", region);
		goto out;
	}
	snprintf(s->region, sizeof s->region, "%s", region);

	s->share = curl_share_init();
	if (!s->share) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory (curl share)");
		goto out;
	}
	curl_share_setopt(s->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(s->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(s->share, CURLSHOPT_USERDATA, s);
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
out:
	if (rc < 0) {
		s3i_s3_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void s3i_s3_free(struct s3i_s3 *s)
{
	unsigned i;
	if (!s)
		return;
	if (s->share)
		curl_share_cleanup(s->share);
	s3i_creds_free(&s->creds);
	s3i_free(s->endpoint);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		s3i_mutex_destroy(&s->locks[i]);
	s3i_mutex_destroy(&s->region_lock);
	s3i_free(s);
	curl_global_cleanup();
}

/* ---- listing ---------------------------------------------------------------- */

bool s3i_is_report_date(const char *p, size_t n)
{
	static const char pat[] = "dddd-dd-ddTdd-ddZ";
	size_t i;
	if (n != sizeof pat - 1)
		return false;
	for (i = 0; i < n; i++) {
		if (pat[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != pat[i])
			return false;
	}
	return true;
}

void s3i_s3_names_free(char **names, size_t n)
{
	size_t i;
	if (!names)
		return;
	for (i = 0; i < n; i++)
		s3i_free(names[i]);
	s3i_free(names);
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

static int sink_buf(void *payload, const char *p, size_t n)
{
	return s3i_buf_append(payload, p, n) < 0 ? S3INV_EFORMAT : 0;
}

/* Collect the dated CommonPrefixes of one ListObjectsV2 page. */
static int page_dates(char ***names, size_t *n, size_t *cap, const char *xml, size_t len,
                      const char *prefix)
{
	const char *p = xml, *end = xml + len;
	size_t plen = strlen(prefix);
	static const char open[] = "<CommonPrefixes>", close[] = "</CommonPrefixes>";

	for (;;) {
		const char *a = NULL, *b = NULL, *q;
		char val[1100];
		size_t vl;
		for (q = p; (size_t)(end - q) >= sizeof open - 1; q++)
			if (memcmp(q, open, sizeof open - 1) == 0) {
				a = q + sizeof open - 1;
				break;
			}
		if (!a)
			return 0;
		for (q = a; (size_t)(end - q) >= sizeof close - 1; q++)
			if (memcmp(q, close, sizeof close - 1) == 0) {
				b = q;
				break;
			}
		if (!b)
			return S3INV_EFORMAT;
		p = b + sizeof close - 1;
		if (!s3i_xml_tag(a, (size_t)(b - a), "Prefix", val, sizeof val))
			continue;
		vl = strlen(val);
		if (vl != plen + 18 || strncmp(val, prefix, plen) != 0 || val[vl - 1] != '/' ||
		    !s3i_is_report_date(val + plen, 17))
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			char **t;
			if (nc > MAX_DATES)
				return S3INV_EFORMAT;
			t = s3i_realloc(*names, nc * sizeof *t);
			if (!t)
				return S3INV_ENOMEM;
			*names = t;
			*cap = nc;
		}
		if (!((*names)[*n] = s3i_strndup(val + plen, 17)))
			return S3INV_ENOMEM;
		(*n)++;
	}
}

int s3i_s3_list_dates(char ***out, size_t *n, struct s3i_s3 *s, CURL *h, const char *bucket,
                      const char *prefix, s3inv_error *err)
{
	struct s3i_buf page = {0}, query = {0};
	char token[2048] = "", trunc[16];
	char **names = NULL;
	size_t cnt = 0, cap = 0;
	unsigned pages = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (;;) {
		s3i_buf_free(&query);
		s3i_buf_init(&query, 64 << 10);
		if (token[0]) {
			TRY(s3i_buf_printf(&query, "continuation-token="));
			TRY(s3i_s3_encode(&query, token, strlen(token), false));
			TRY(s3i_buf_putc(&query, '&'));
		}
		TRY(s3i_buf_printf(&query, "delimiter=%%2F&list-type=2&prefix="));
		TRY(s3i_s3_encode(&query, prefix, strlen(prefix), false));
		TRY(s3i_buf_cstr(&query));
		s3i_buf_free(&page);
		s3i_buf_init(&page, LIST_PAGE_MAX);
		rc = s3i_s3_request(s, h, "GET", bucket, "", query.data, 0, UINT64_MAX, sink_buf, &page,
		                    NULL, err);
		if (rc == S3INV_EFORMAT)
			s3i_err_set(err, rc, "s3://%s/%s: listing page too large", bucket, prefix);
		if (rc < 0)
			goto out;
		rc = page_dates(&names, &cnt, &cap, page.data ? page.data : "", page.len, prefix);
		if (rc < 0) {
			s3i_err_set(err, rc, "s3://%s/%s: %s", bucket, prefix,
			            rc == S3INV_ENOMEM ? "out of memory" : "malformed listing");
			goto out;
		}
		if (!s3i_xml_tag(page.data, page.len, "IsTruncated", trunc, sizeof trunc) ||
		    strcmp(trunc, "true") != 0)
			break;
		if (!s3i_xml_tag(page.data, page.len, "NextContinuationToken", token, sizeof token) ||
		    !token[0] || ++pages > 100000) {
			rc = s3i_err_set(err, S3INV_EFORMAT,
			                 "s3://%s/%s: truncated listing without a continuation token", bucket,
			                 prefix);
			goto out;
		}
	}
	qsort(names, cnt, sizeof *names, cmp_desc);
out:
	if (rc < 0 && err && err->code == 0)
		s3i_err_set(err, rc, "s3://%s/%s: listing failed", bucket, prefix);
	s3i_buf_free(&page);
	s3i_buf_free(&query);
	if (rc < 0) {
		s3i_s3_names_free(names, cnt);
		return rc;
	}
	*out = names;
	*n = cnt;
	return 0;
}

/* ---- manifest ------------------------------------------------------------------ */

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *p = s3i_malloc(n);
	if (p)
		snprintf(p, n, "%s%s", a, b);
	return p;
}

int s3i_s3_fetch_manifest(struct s3i_buf *json, bool *has_checksum, struct s3i_s3 *s, CURL *h,
                          const char *bucket, const char *dir, bool require_checksum,
                          s3inv_error *err)
{
	struct s3i_buf sum = {0};
	s3inv_error e2 = {0};
	char *ckey = join(dir, "manifest.checksum"), *mkey = join(dir, "manifest.json");
	char want[33] = "", got[33];
	unsigned tries;
	int rc = 0;

	*has_checksum = false;
	json->data = NULL;
	json->len = 0;
	if (!ckey || !mkey) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
		goto out;
	}
	rc = s3i_s3_get_small(s, h, bucket, ckey, &sum, 4096, &e2);
	if (rc == S3INV_ENOTFOUND) {
		if (require_checksum) {
			s3i_err_set(err, rc, "%s", e2.msg);
			goto out;
		}
		rc = 0;
	} else if (rc < 0) {
		s3i_err_set(err, rc, "%s", e2.msg);
		goto out;
	} else {
		size_t i = 0, k = 0;
		while (i < sum.len && (sum.data[i] == ' ' || sum.data[i] == '\t'))
			i++;
		for (; i < sum.len && k < 32; i++, k++) {
			char c = sum.data[i];
			if (c >= 'A' && c <= 'F')
				c = (char)(c + 32);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				break;
			want[k] = c;
		}
		want[k] = '\0';
		while (i < sum.len && (sum.data[i] == ' ' || sum.data[i] == '\n' || sum.data[i] == '\r' ||
		                       sum.data[i] == '\t'))
			i++;
		if (k != 32 || i != sum.len) {
			rc = s3i_err_set(err, S3INV_EFORMAT, "s3://%s/%s: not an MD5 checksum", bucket, ckey);
			goto out;
		}
		*has_checksum = true;
	}
	/* a manifest may be overwritten while we read it: fetch twice before giving up */
	for (tries = 0; tries < 2; tries++) {
		struct s3i_md5 md5;
		s3i_buf_free(json);
		TRY(s3i_s3_get_small(s, h, bucket, mkey, json, MANIFEST_MAX, err));
		if (!*has_checksum)
			break;
		if (s3i_md5_init(&md5) < 0) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory (MD5)");
			goto out;
		}
		s3i_md5_update(&md5, json->data, json->len);
		s3i_md5_final(&md5, got);
		if (strcmp(got, want) == 0)
			break;
		if (tries == 1)
			rc = s3i_err_set(err, S3INV_ECHECKSUM,
			                 "s3://%s/%s: MD5 %s differs from manifest.checksum %s", bucket, mkey,
			                 got, want);
	}
out:
	if (rc < 0)
		s3i_buf_free(json);
	s3i_buf_free(&sum);
	s3i_free(ckey);
	s3i_free(mkey);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int resolve_files(struct s3i_manifest *m, const char *url_bucket, s3inv_error *err)
{
	const char *bucket = m->dest_bucket && m->dest_bucket[0] ? m->dest_bucket : url_bucket;
	size_t i;
	for (i = 0; i < m->n_files; i++) {
		size_t n = strlen(bucket) + strlen(m->files[i].key) + 7;
		s3i_free(m->files[i].path);
		m->files[i].path = s3i_malloc(n);
		if (!m->files[i].path)
			return s3i_err_set(err, S3INV_ENOMEM, "manifest: out of memory");
		snprintf(m->files[i].path, n, "s3://%s/%s", bucket, m->files[i].key);
	}
	return 0;
}

int s3i_manifest_load_s3(struct s3i_manifest **out, struct s3i_s3 *s, const char *url,
                         void (*notice)(const char *line, void *payload), void *payload,
                         s3inv_error *err)
{
	char *bucket = NULL, *key = NULL, *dir = NULL, *murl = NULL;
	char **dates = NULL;
	size_t ndates = 0, i;
	struct s3i_buf json = {0};
	struct s3i_manifest *m = NULL;
	CURL *h = NULL;
	bool has_sum;
	unsigned skipped = 0;
	int rc = 0;

	*out = NULL;
	TRY(s3i_s3_url_split(&bucket, &key, url, err));
	h = s3i_s3_easy(s);
	if (!h) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
		goto out;
	}
	if (strcmp(key, "manifest.json") == 0 || ends_with(key, "/manifest.json")) {
		dir = s3i_strndup(key, strlen(key) - strlen("manifest.json"));
		if (!dir) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
			goto out;
		}
		TRY(s3i_s3_fetch_manifest(&json, &has_sum, s, h, bucket, dir, false, err));
	} else {
		const char *pfx = key;
		char *withslash = NULL;
		if (key[0] && !ends_with(key, "/")) {
			withslash = join(key, "/");
			if (!withslash) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
				goto out;
			}
			s3i_free(key);
			key = withslash;
			pfx = key;
		}
		TRY(s3i_s3_list_dates(&dates, &ndates, s, h, bucket, pfx, err));
		for (i = 0; i < ndates; i++) {
			s3inv_error e2 = {0};
			s3i_free(dir);
			dir = s3i_malloc(strlen(pfx) + 19);
			if (!dir) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
				goto out;
			}
			snprintf(dir, strlen(pfx) + 19, "%s%s/", pfx, dates[i]);
			rc = s3i_s3_fetch_manifest(&json, &has_sum, s, h, bucket, dir, true, &e2);
			if (rc == S3INV_ENOTFOUND) {
				skipped++;
				rc = 0;
				continue;
			}
			if (rc < 0) {
				s3i_err_set(err, rc, "%s", e2.msg);
				goto out;
			}
			if (notice) {
				char line[1200];
				snprintf(line, sizeof line, "using newest report %s (of %zu) under s3://%s/%s%s",
				         dates[i], ndates, bucket, pfx,
				         skipped ? " (newer ones without manifest.checksum skipped)" : "");
				notice(line, payload);
			}
			break;
		}
		if (i == ndates) {
			if (ndates > 0) {
				rc = s3i_err_set(err, S3INV_ENOTFOUND,
				                 "s3://%s/%s: none of the %zu dated reports is complete (no "
				                 "manifest.checksum)",
				                 bucket, pfx, ndates);
				goto out;
			}
			/* no dated folders: maybe the prefix is a report folder itself */
			s3i_free(dir);
			dir = s3i_strdup(pfx);
			if (!dir) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
				goto out;
			}
			{
				s3inv_error e2 = {0};
				rc = s3i_s3_fetch_manifest(&json, &has_sum, s, h, bucket, dir, false, &e2);
				if (rc == S3INV_ENOTFOUND) {
					rc = s3i_err_set(err, rc,
					                 "s3://%s/%s: no inventory report here (no dated "
					                 "YYYY-MM-DDTHH-MMZ/ folders, no manifest.json)",
					                 bucket, pfx);
					goto out;
				}
				if (rc < 0) {
					s3i_err_set(err, rc, "%s", e2.msg);
					goto out;
				}
			}
		}
	}
	murl = s3i_malloc(strlen(bucket) + strlen(dir) + 32);
	if (!murl) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "s3: out of memory");
		goto out;
	}
	sprintf(murl, "s3://%s/%smanifest.json", bucket, dir);
	TRY(s3i_manifest_parse(&m, murl, json.data, json.len, err));
	s3i_free(m->path);
	m->path = murl;
	murl = NULL;
	TRY(resolve_files(m, bucket, err));
out:
	if (h)
		curl_easy_cleanup(h);
	s3i_s3_names_free(dates, ndates);
	s3i_buf_free(&json);
	s3i_free(murl);
	s3i_free(dir);
	s3i_free(bucket);
	s3i_free(key);
	if (rc < 0) {
		s3i_manifest_free(m);
		return rc;
	}
	*out = m;
	return 0;
}
