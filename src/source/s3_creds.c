/* SPDX-License-Identifier: MIT */
/*
 * s3_creds.c — the AWS credential provider chain (see s3_creds.h for the
 * order), the shared-file INI dialect, and the two metadata endpoints
 * (container credentials and EC2 IMDSv2), queried with short timeouts so a
 * machine outside AWS fails over in about a second.
 *
 * Every provider that was consulted appends a short note to a "tried" list;
 * when nothing yields keys, the one S3INV_EAUTH message is that list, so the
 * user sees at once which variables and files were looked at. Nothing here
 * holds global state: environment variables are read at resolve time.
 */
#include "source/s3_creds.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

#define FILE_MAX ((size_t)4 << 20)
#define META_MAX ((size_t)64 << 10)

/* ---- INI ---------------------------------------------------------------- */

static const char *trim(const char *s, const char *e, const char **end)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*end = e;
	return s;
}

char *s3i_ini_get(const char *text, size_t len, const char *section, const char *key,
                  bool *oom)
{
	const char *p = text, *end = text + len;
	bool in = false;
	size_t seclen = strlen(section), keylen = strlen(key);

	*oom = false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s, *e;
		bool indented = p < le && (*p == ' ' || *p == '\t');

		s = trim(p, le, &e);
		p = nl ? nl + 1 : end;
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			const char *n, *ne;
			if (e[-1] != ']' || e - s < 2) {
				in = false;
				continue;
			}
			n = trim(s + 1, e - 1, &ne);
			in = (size_t)(ne - n) == seclen && memcmp(n, section, seclen) == 0;
			continue;
		}
		if (!in || indented)
			continue;
		{
			const char *eq = memchr(s, '=', (size_t)(e - s)), *k, *ke, *v, *ve;
			char *r;
			if (!eq)
				continue;
			k = trim(s, eq, &ke);
			if ((size_t)(ke - k) != keylen || strncasecmp(k, key, keylen) != 0)
				continue;
			v = trim(eq + 1, e, &ve);
			r = s3i_strndup(v, (size_t)(ve - v));
			if (!r)
				*oom = true;
			return r;
		}
	}
	return NULL;
}

/* ---- helpers ------------------------------------------------------------- */

struct tried {
	char text[224];
};

static void tried_add(struct tried *t, const char *what)
{
	size_t n = strlen(t->text);
	snprintf(t->text + n, sizeof t->text - n, "%s%s", n ? ", " : "", what);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

/* Read a whole small file into *out (NUL-terminated). 0, ENOTFOUND, EIO, ENOMEM. */
static int slurp(struct s3i_buf *out, const char *path)
{
	char tmp[8192];
	int fd, rc = 0;

	s3i_buf_init(out, FILE_MAX);
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? S3INV_ENOTFOUND : S3INV_EIO;
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = S3INV_EIO;
			break;
		}
		if (n == 0)
			break;
		if ((rc = s3i_buf_append(out, tmp, (size_t)n)) < 0)
			break;
	}
	close(fd);
	if (rc == 0)
		rc = s3i_buf_cstr(out);
	if (rc < 0)
		s3i_buf_free(out);
	return rc;
}

static int set_keys(struct s3i_creds *c, const char *ak, const char *sk, const char *tok,
                    const char *source)
{
	c->access_key = s3i_strdup(ak);
	c->secret_key = s3i_strdup(sk);
	c->session_token = tok && tok[0] ? s3i_strdup(tok) : NULL;
	snprintf(c->source, sizeof c->source, "%s", source);
	if (!c->access_key || !c->secret_key || (tok && tok[0] && !c->session_token))
		return S3INV_ENOMEM;
	return 0;
}

/* ---- profile files ------------------------------------------------------- */

static char *home_path(const char *envname, const char *rel)
{
	const char *v = env(envname), *home;
	char *p;
	size_t n;
	if (v)
		return s3i_strdup(v);
	home = env("HOME");
	if (!home)
		return NULL;
	n = strlen(home) + strlen(rel) + 2;
	p = s3i_malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", home, rel);
	return p;
}

/* Look KEY up for PROFILE: credentials file [p] first, then config [profile p]
 * (or [default]). */
static char *profile_get(const struct s3i_buf *cred, const struct s3i_buf *conf,
                         const char *profile, const char *key, bool *oom)
{
	char sect[300];
	char *v = NULL;
	*oom = false;
	if (cred->data)
		v = s3i_ini_get(cred->data, cred->len, profile, key, oom);
	if (v || *oom || !conf->data)
		return v;
	snprintf(sect, sizeof sect, "profile %s", profile);
	v = s3i_ini_get(conf->data, conf->len, sect, key, oom);
	if (!v && !*oom && strcmp(profile, "default") == 0)
		v = s3i_ini_get(conf->data, conf->len, "default", key, oom);
	return v;
}

/* 1 when keys were found, 0 when not, <0 on error. Fills region regardless. */
static int from_profile(struct s3i_creds *c, const char *profile, struct tried *t,
                        s3inv_error *err)
{
	struct s3i_buf cred = {0}, conf = {0};
	char *cpath = home_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
	char *fpath = home_path("AWS_CONFIG_FILE", ".aws/config");
	char *ak = NULL, *sk = NULL, *tok = NULL, note[160];
	bool oom1 = false, oom2 = false, oom3 = false, oom4 = false;
	int rc = 0, r;

	if (cpath && (r = slurp(&cred, cpath)) < 0 && r != S3INV_ENOTFOUND) {
		rc = s3i_err_set(err, r, "%s: cannot read AWS credentials file", cpath);
		goto out;
	}
	if (fpath && (r = slurp(&conf, fpath)) < 0 && r != S3INV_ENOTFOUND) {
		rc = s3i_err_set(err, r, "%s: cannot read AWS config file", fpath);
		goto out;
	}
	ak = profile_get(&cred, &conf, profile, "aws_access_key_id", &oom1);
	sk = profile_get(&cred, &conf, profile, "aws_secret_access_key", &oom2);
	tok = profile_get(&cred, &conf, profile, "aws_session_token", &oom3);
	if (!c->region)
		c->region = profile_get(&cred, &conf, profile, "region", &oom4);
	if (oom1 || oom2 || oom3 || oom4) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "AWS profile '%s': out of memory", profile);
		goto out;
	}
	snprintf(note, sizeof note, "profile '%s' (%s, %s)", profile,
	         cred.data ? "credentials file" : "no credentials file",
	         conf.data ? "config file" : "no config file");
	if (ak && sk) {
		char src[96];
		snprintf(src, sizeof src, "profile '%s'", profile);
		rc = set_keys(c, ak, sk, tok, src);
		if (rc < 0)
			s3i_err_set(err, rc, "AWS profile: out of memory");
		else
			rc = 1;
	} else {
		tried_add(t, note);
	}
out:
	s3i_free(ak);
	s3i_free(sk);
	s3i_free(tok);
	s3i_buf_free(&cred);
	s3i_buf_free(&conf);
	s3i_free(cpath);
	s3i_free(fpath);
	return rc;
}

/* ---- metadata endpoints --------------------------------------------------- */

static size_t meta_write(char *p, size_t sz, size_t nm, void *payload)
{
	struct s3i_buf *b = payload;
	return s3i_buf_append(b, p, sz * nm) < 0 ? 0 : sz * nm;
}

/* One small HTTP request with short timeouts. *status gets the HTTP status
 * (0 when there was no answer). */
static int http_small(struct s3i_buf *body, long *status, const char *method, const char *url,
                      const char *hdr1, const char *hdr2)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hs = NULL, *tmp;
	CURLcode cc;
	int rc = 0;

	*status = 0;
	s3i_buf_init(body, META_MAX);
	if (!h)
		return S3INV_ENOMEM;
	if (hdr1) {
		if (!(tmp = curl_slist_append(hs, hdr1)))
			goto oom;
		hs = tmp;
	}
	if (hdr2) {
		if (!(tmp = curl_slist_append(hs, hdr2)))
			goto oom;
		hs = tmp;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, meta_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		if (s3i_buf_cstr(body) < 0)
			rc = S3INV_ENOMEM;
	} else if (cc == CURLE_WRITE_ERROR) {
		rc = S3INV_EFORMAT;
	}
	goto out;
oom:
	rc = S3INV_ENOMEM;
out:
	curl_slist_free_all(hs);
	curl_easy_cleanup(h);
	if (rc < 0)
		s3i_buf_free(body);
	return rc;
}

/* Keys from a JSON document {AccessKeyId, SecretAccessKey, Token}. */
static int keys_from_json(struct s3i_creds *c, const struct s3i_buf *b, const char *source,
                          s3inv_error *err)
{
	json_error_t je;
	json_t *root = json_loadb(b->data, b->len, 0, &je);
	const char *ak, *sk, *tok;
	int rc;

	if (!root)
		return s3i_err_set(err, S3INV_EFORMAT, "%s: credentials are not JSON: %s", source,
		                   je.text);
	ak = json_string_value(json_object_get(root, "AccessKeyId"));
	sk = json_string_value(json_object_get(root, "SecretAccessKey"));
	tok = json_string_value(json_object_get(root, "Token"));
	if (!ak || !sk || !ak[0] || !sk[0]) {
		json_decref(root);
		return s3i_err_set(err, S3INV_EFORMAT,
		                   "%s: credentials lack AccessKeyId/SecretAccessKey", source);
	}
	rc = set_keys(c, ak, sk, tok, source);
	json_decref(root);
	if (rc < 0)
		return s3i_err_set(err, rc, "%s: out of memory", source);
	return 1;
}

static int from_container(struct s3i_creds *c, struct tried *t, s3inv_error *err)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tok = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *tokfile = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	char url[1024], auth[2100];
	struct s3i_buf body, tb = {0};
	long status;
	int rc;

	if (!rel && !full) {
		tried_add(t, "container credentials (not configured)");
		return 0;
	}
	if (rel)
		snprintf(url, sizeof url, "http://169.254.170.2%s", rel);
	else
		snprintf(url, sizeof url, "%s", full);
	auth[0] = '\0';
	if (!rel && tokfile && !tok) {
		if (slurp(&tb, tokfile) == 0) {
			size_t n = tb.len;
			while (n && (tb.data[n - 1] == '\n' || tb.data[n - 1] == '\r'))
				n--;
			snprintf(auth, sizeof auth, "Authorization: %.*s", (int)(n < 2000 ? n : 2000),
			         tb.data);
			s3i_buf_free(&tb);
		}
	} else if (!rel && tok) {
		snprintf(auth, sizeof auth, "Authorization: %s", tok);
	}
	rc = http_small(&body, &status, "GET", url, auth[0] ? auth : NULL, NULL);
	if (rc == S3INV_ENOMEM)
		return s3i_err_set(err, rc, "container credentials: out of memory");
	if (rc < 0 || status != 200) {
		char note[160];
		if (rc == 0)
			s3i_buf_free(&body);
		if (status)
			snprintf(note, sizeof note, "container credentials (%.100s: HTTP %ld)", url, status);
		else
			snprintf(note, sizeof note, "container credentials (%.100s: no answer)", url);
		tried_add(t, note);
		return 0;
	}
	rc = keys_from_json(c, &body, "container credentials", err);
	s3i_buf_free(&body);
	return rc;
}

static int from_imds(struct s3i_creds *c, struct tried *t, s3inv_error *err)
{
	const char *dis = env("AWS_EC2_METADATA_DISABLED");
	const char *ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char base[512], url[1024], tokhdr[600], note[200];
	struct s3i_buf body;
	long status;
	int rc;
	size_t n;

	if (dis && strcasecmp(dis, "true") == 0) {
		tried_add(t, "EC2 instance metadata (disabled)");
		return 0;
	}
	snprintf(base, sizeof base, "%s", ep ? ep : "http://169.254.169.254");
	n = strlen(base);
	while (n && base[n - 1] == '/')
		base[--n] = '\0';

	snprintf(url, sizeof url, "%s/latest/api/token", base);
	rc = http_small(&body, &status, "PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600",
	                NULL);
	if (rc == S3INV_ENOMEM)
		return s3i_err_set(err, rc, "instance metadata: out of memory");
	if (rc < 0 || status != 200 || body.len == 0 || body.len > 500) {
		if (rc == 0)
			s3i_buf_free(&body);
		snprintf(note, sizeof note, "EC2 instance metadata (%.80s: %s)", base,
		         status ? "token refused" : "no answer");
		tried_add(t, note);
		return 0;
	}
	snprintf(tokhdr, sizeof tokhdr, "X-aws-ec2-metadata-token: %.*s", (int)body.len, body.data);
	s3i_buf_free(&body);

	snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/", base);
	rc = http_small(&body, &status, "GET", url, tokhdr, NULL);
	if (rc == S3INV_ENOMEM)
		return s3i_err_set(err, rc, "instance metadata: out of memory");
	if (rc < 0 || status != 200 || body.len == 0) {
		if (rc == 0)
			s3i_buf_free(&body);
		snprintf(note, sizeof note, "EC2 instance metadata (no IAM role)");
		tried_add(t, note);
		return 0;
	}
	/* first line is the role name */
	n = strcspn(body.data, "\r\n");
	if (n == 0 || n > 256 || memchr(body.data, '/', n)) {
		s3i_buf_free(&body);
		return s3i_err_set(err, S3INV_EFORMAT, "instance metadata: unusable role name");
	}
	snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/%.*s", base, (int)n,
	         body.data);
	s3i_buf_free(&body);
	rc = http_small(&body, &status, "GET", url, tokhdr, NULL);
	if (rc == S3INV_ENOMEM)
		return s3i_err_set(err, rc, "instance metadata: out of memory");
	if (rc < 0 || status != 200) {
		if (rc == 0)
			s3i_buf_free(&body);
		tried_add(t, "EC2 instance metadata (role credentials unavailable)");
		return 0;
	}
	rc = keys_from_json(c, &body, "EC2 instance metadata", err);
	s3i_buf_free(&body);
	return rc;
}

static int from_env(struct s3i_creds *c, struct tried *t, s3inv_error *err)
{
	const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");
	int rc;
	if (!ak || !sk) {
		tried_add(t, ak ? "environment (AWS_SECRET_ACCESS_KEY unset)"
		                : "environment (AWS_ACCESS_KEY_ID unset)");
		return 0;
	}
	rc = set_keys(c, ak, sk, env("AWS_SESSION_TOKEN"), "environment");
	if (rc < 0)
		return s3i_err_set(err, rc, "AWS credentials: out of memory");
	return 1;
}

int s3i_creds_resolve(struct s3i_creds *out, const char *profile, s3inv_error *err)
{
	struct tried t = {{0}};
	const char *prof = profile && profile[0] ? profile : env("AWS_PROFILE");
	bool explicit_profile = profile && profile[0];
	int rc;

	memset(out, 0, sizeof *out);
	if (!prof)
		prof = "default";
	if (explicit_profile) {
		rc = from_profile(out, prof, &t, err);
		if (rc == 0)
			rc = from_env(out, &t, err);
	} else {
		rc = from_env(out, &t, err);
		/* the profile is still read for its region */
		if (rc == 1 && !out->region) {
			struct s3i_creds tmp = {0};
			struct tried ignore = {{0}};
			if (from_profile(&tmp, prof, &ignore, NULL) >= 0) {
				out->region = tmp.region;
				tmp.region = NULL;
			}
			s3i_creds_free(&tmp);
		} else if (rc == 0) {
			rc = from_profile(out, prof, &t, err);
		}
	}
	if (rc == 0)
		rc = from_container(out, &t, err);
	if (rc == 0)
		rc = from_imds(out, &t, err);
	if (rc == 0)
		rc = s3i_err_set(err, S3INV_EAUTH, "no AWS credentials found; tried %s", t.text);
	if (rc < 0) {
		s3i_creds_free(out);
		return rc;
	}
	return 0;
}

void s3i_creds_free(struct s3i_creds *c)
{
	if (!c)
		return;
	s3i_free(c->access_key);
	s3i_free(c->secret_key);
	s3i_free(c->session_token);
	s3i_free(c->region);
	c->access_key = c->secret_key = c->session_token = c->region = NULL;
}
