/* SPDX-License-Identifier: MIT */
/*
 * s3_client.c — one S3 request, done right: addressing, signing, judging the
 * answer, retrying.
 *
 * Signing is libcurl's SigV4 (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3"). curl
 * 7.88 signs the path and the query exactly as written, so this file writes
 * them canonically: every key byte but A-Za-z0-9-._~/ percent-encoded with
 * uppercase hex, query parameters sorted and encoded (callers pass them so).
 * The payload hash header is UNSIGNED-PAYLOAD (we only GET and HEAD); the
 * access key and secret are set separately (keys may hold ':'); a session
 * token goes in x-amz-security-token, which curl signs with the other
 * x-amz- headers. CURLOPT_PATH_AS_IS keeps "..", "//" in keys intact.
 *
 * Addressing: virtual-host style on AWS (https://BUCKET.s3.REGION.amazonaws.com,
 * path style when the bucket name has a '.'), path style with an endpoint URL.
 * The region may be learned from an answer (301 with x-amz-bucket-region, or
 * 400 AuthorizationHeaderMalformed naming the expected region) unless the
 * user fixed it; the request is then retried at once.
 *
 * Connections: every easy handle is attached to the client's share handle,
 * which shares DNS, TLS sessions and the connection pool, so keep-alive
 * connections are reused across requests and inputs. TLS peers are verified.
 *
 * Faults: connection errors, timeouts, cut-off bodies, stalls (no byte for
 * stall_s seconds: CURLOPT_LOW_SPEED_*), 500/502/503/504/429 and S3's
 * SlowDown/InternalError/RequestTimeout are retried with exponential backoff
 * and full jitter; a cut-off body resumes at the last byte received. After
 * max_attempts the error names the object, the status and the S3 error code.
 */
#include "source/s3_client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/thread.h"

#define ERRBODY_MAX ((size_t)64 << 10)

void s3i_resp_free(struct s3i_resp *r)
{
	if (!r)
		return;
	s3i_buf_free(&r->errbody);
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
}

int s3i_s3_url_split(char **bucket, char **key, const char *url, s3inv_error *err)
{
	const char *b, *slash;
	*bucket = *key = NULL;
	if (strncmp(url, "s3://", 5) != 0)
		return s3i_err_set(err, S3INV_EINVAL, "%s: not an s3:// URL", url);
	b = url + 5;
	slash = strchr(b, '/');
	if (!slash)
		slash = b + strlen(b);
	if (slash == b)
		return s3i_err_set(err, S3INV_EINVAL, "%s: no bucket name in URL", url);
	*bucket = s3i_strndup(b, (size_t)(slash - b));
	*key = s3i_strdup(*slash ? slash + 1 : "");
	if (!*bucket || !*key) {
		s3i_free(*bucket);
		s3i_free(*key);
		*bucket = *key = NULL;
		return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", url);
	}
	return 0;
}

CURL *s3i_s3_easy(struct s3i_s3 *s)
{
	CURL *h = curl_easy_init();
	if (h && s->share)
		curl_easy_setopt(h, CURLOPT_SHARE, s->share);
	return h;
}

int s3i_s3_encode(struct s3i_buf *out, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int rc;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		    (keep_slash && c == '/')) {
			if ((rc = s3i_buf_putc(out, (char)c)) < 0)
				return rc;
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			if ((rc = s3i_buf_append(out, e, 3)) < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- callbacks ------------------------------------------------------------- */

static size_t on_header(char *p, size_t sz, size_t nm, void *payload)
{
	struct s3i_resp *r = payload;
	size_t n = sz * nm;
	char line[256];
	size_t m = n < sizeof line - 1 ? n : sizeof line - 1;

	memcpy(line, p, m);
	line[m] = '\0';
	if (strncmp(line, "HTTP/", 5) == 0) {
		const char *sp = strchr(line, ' ');
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->region[0] = '\0';
		r->total = r->length = UINT64_MAX;
	} else if (strncasecmp(line, "x-amz-bucket-region:", 20) == 0) {
		char *v = line + 20;
		v += strspn(v, " \t");
		v[strcspn(v, " \t\r\n")] = '\0';
		snprintf(r->region, sizeof r->region, "%s", v);
	} else if (strncasecmp(line, "content-range:", 14) == 0) {
		const char *sl = strchr(line, '/');
		if (sl && isdigit((unsigned char)sl[1]))
			r->total = strtoull(sl + 1, NULL, 10);
	} else if (strncasecmp(line, "content-length:", 15) == 0) {
		r->length = strtoull(line + 15, NULL, 10);
	}
	return n;
}

static size_t on_body(char *p, size_t sz, size_t nm, void *payload)
{
	struct s3i_resp *r = payload;
	size_t n = sz * nm;
	if (r->status >= 200 && r->status < 300) {
		if (r->sink) {
			int rc = r->sink(r->payload, p, n);
			if (rc < 0) {
				r->sink_rc = rc;
				return 0;
			}
		}
		r->got += n;
		return n;
	}
	if (r->errbody.len < ERRBODY_MAX - 1) {
		size_t k = n < ERRBODY_MAX - 1 - r->errbody.len ? n : ERRBODY_MAX - 1 - r->errbody.len;
		(void)s3i_buf_append(&r->errbody, p, k);
	}
	return n;
}

static int on_progress(void *payload, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct s3i_resp *r = payload;
	double now;
	(void)a; (void)c; (void)d;
	if (r->cancel && *r->cancel)
		return 1;
	now = s3i_now();
	if ((int64_t)b != r->last_dl) {
		r->last_dl = (int64_t)b;
		r->last_move = now;
	} else if (now - r->last_move > (double)r->stall_s) {
		r->stalled = true;
		return 1;
	}
	return 0;
}

/* ---- prepare ----------------------------------------------------------------- */

static int add_hdr(struct curl_slist **l, const char *h)
{
	struct curl_slist *t = curl_slist_append(*l, h);
	if (!t)
		return S3INV_ENOMEM;
	*l = t;
	return 0;
}

int s3i_s3_prepare(struct s3i_s3 *s, CURL *h, struct s3i_resp *r, const char *method,
                   const char *bucket, const char *key, const char *query, bool ranged,
                   uint64_t off, uint64_t len, s3inv_error *err)
{
	struct s3i_buf url;
	char region[64], sigv4[128], hdr[160];
	bool path_style;
	int rc = 0;

	s3i_resp_free(r);
	r->h = h;
	r->status = 0;
	r->region[0] = '\0';
	r->total = r->length = UINT64_MAX;
	r->got = 0;
	r->sink_rc = 0;
	r->cancel = s->cancel;
	r->stall_s = s->stall_s;
	r->last_move = s3i_now();
	r->last_dl = 0;
	r->stalled = false;
	s3i_buf_init(&r->errbody, ERRBODY_MAX);

	s3i_mutex_lock(&s->region_lock);
	snprintf(region, sizeof region, "%s", s->region);
	s3i_mutex_unlock(&s->region_lock);

	s3i_buf_init(&url, 64 << 10);
	path_style = s->endpoint || strchr(bucket, '.');
	if (s->endpoint)
		rc = s3i_buf_printf(&url, "%s/", s->endpoint);
	else if (path_style)
		rc = s3i_buf_printf(&url, "https://s3.%s.amazonaws.com/", region);
	else
		rc = s3i_buf_printf(&url, "https://%s.s3.%s.amazonaws.com/", bucket, region);
	if (rc == 0 && path_style && bucket[0]) {
		rc = s3i_s3_encode(&url, bucket, strlen(bucket), false);
		if (rc == 0)
			rc = s3i_buf_putc(&url, '/');
	}
	if (rc == 0)
		rc = s3i_s3_encode(&url, key, strlen(key), true);
	if (rc == 0 && query && query[0])
		rc = s3i_buf_printf(&url, "?%s", query);
	if (rc == 0)
		rc = s3i_buf_cstr(&url);

	if (rc == 0)
		rc = add_hdr(&r->hdrs, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	if (rc == 0 && s->creds.session_token) {
		struct s3i_buf t;
		s3i_buf_init(&t, 16 << 10);
		rc = s3i_buf_printf(&t, "x-amz-security-token: %s", s->creds.session_token);
		if (rc == 0)
			rc = s3i_buf_cstr(&t);
		if (rc == 0)
			rc = add_hdr(&r->hdrs, t.data);
		s3i_buf_free(&t);
	}
	if (rc == 0 && s->requester_pays)
		rc = add_hdr(&r->hdrs, "x-amz-request-payer: requester");
	if (rc == 0 && ranged) {
		if (len == UINT64_MAX)
			snprintf(hdr, sizeof hdr, "Range: bytes=%llu-", (unsigned long long)off);
		else
			snprintf(hdr, sizeof hdr, "Range: bytes=%llu-%llu", (unsigned long long)off,
			         (unsigned long long)(off + len - 1));
		rc = add_hdr(&r->hdrs, hdr);
	}
	if (rc < 0) {
		s3i_buf_free(&url);
		return s3i_err_set(err, rc == S3INV_ENOMEM ? rc : S3INV_EINVAL,
		                   "s3://%s/%s: cannot build the request URL", bucket, key);
	}

	curl_easy_reset(h);
	if (s->share)
		curl_easy_setopt(h, CURLOPT_SHARE, s->share);
	curl_easy_setopt(h, CURLOPT_URL, url.data);
	s3i_buf_free(&url);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", region);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, s->creds.access_key);
	curl_easy_setopt(h, CURLOPT_PASSWORD, s->creds.secret_key);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* stalls are caught by on_progress (no byte for stall_s seconds); curl's own
	 * low-speed check averages over a window and reacts seconds later, so it
	 * only backs the watchdog up */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, s->stall_s * 2);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, r);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "s3inv/" S3INV_VERSION);
	return 0;
}

/* ---- judging ------------------------------------------------------------------ */

bool s3i_xml_tag(const char *xml, size_t len, const char *tag, char *out, size_t cap)
{
	char open[80], close[80];
	const char *a, *b, *end = xml + len;
	size_t ol, cl;
	struct s3i_buf t;
	bool ok = false;

	if (!xml || cap == 0)
		return false;
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	ol = strlen(open);
	cl = strlen(close);
	for (a = xml; a < end && (size_t)(end - a) >= ol; a++)
		if (memcmp(a, open, ol) == 0)
			break;
	if (a >= end || (size_t)(end - a) < ol)
		return false;
	a += ol;
	for (b = a; b < end && (size_t)(end - b) >= cl; b++)
		if (memcmp(b, close, cl) == 0)
			break;
	if ((size_t)(end - b) < cl)
		return false;
	s3i_buf_init(&t, cap);
	if (s3i_xml_unescape(&t, a, (size_t)(b - a)) == 0 && s3i_buf_cstr(&t) == 0) {
		snprintf(out, cap, "%s", t.data);
		ok = true;
	}
	s3i_buf_free(&t);
	return ok;
}

int s3i_xml_unescape(struct s3i_buf *out, const char *p, size_t n)
{
	static const struct {
		const char *e;
		char c;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	size_t i = 0, k;
	int rc;
	while (i < n) {
		if (p[i] == '&') {
			bool done = false;
			for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
				size_t el = strlen(ents[k].e);
				if (el <= n - i && memcmp(p + i, ents[k].e, el) == 0) {
					if ((rc = s3i_buf_putc(out, ents[k].c)) < 0)
						return rc;
					i += el;
					done = true;
					break;
				}
			}
			if (!done && n - i > 3 && p[i + 1] == '#') {
				/* numeric reference: &#NN; or &#xHH; (code points < 0x110000, as UTF-8) */
				char num[16];
				size_t j = i + 2, m = 0;
				unsigned long cp;
				while (j < n && p[j] != ';' && m < sizeof num - 1)
					num[m++] = p[j++];
				num[m] = '\0';
				if (j < n && p[j] == ';' && m > 0) {
					cp = (num[0] == 'x' || num[0] == 'X') ? strtoul(num + 1, NULL, 16)
					                                      : strtoul(num, NULL, 10);
					if (cp < 0x80) {
						rc = s3i_buf_putc(out, (char)cp);
					} else if (cp < 0x800) {
						char u[2] = {(char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F))};
						rc = s3i_buf_append(out, u, 2);
					} else if (cp < 0x10000) {
						char u[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
						             (char)(0x80 | (cp & 0x3F))};
						rc = s3i_buf_append(out, u, 3);
					} else if (cp < 0x110000) {
						char u[4] = {(char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)),
						             (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F))};
						rc = s3i_buf_append(out, u, 4);
					} else {
						rc = S3INV_EFORMAT;
					}
					if (rc < 0)
						return rc;
					i = j + 1;
					done = true;
				}
			}
			if (done)
				continue;
		}
		if ((rc = s3i_buf_putc(out, p[i])) < 0)
			return rc;
		i++;
	}
	return 0;
}

static bool retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP3:
		return true;
	default:
		return false;
	}
}

enum s3i_verdict s3i_s3_judge(struct s3i_s3 *s, CURLcode cc, const struct s3i_resp *r,
                              const char *what, char *msg, size_t msgcap, int *code)
{
	char s3code[64] = "", s3msg[128] = "", want[64] = "";
	const char *body = r->errbody.data;
	size_t blen = r->errbody.len;

	*code = S3INV_ENET;
	msg[0] = '\0';
	if (r->sink_rc < 0) {
		*code = r->sink_rc;
		return S3I_FAIL;
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK && r->stalled && !(s->cancel && *s->cancel)) {
		snprintf(msg, msgcap, "%s: transfer stalled (no data for %ld s)", what, r->stall_s);
		return S3I_RETRY;
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK || (s->cancel && *s->cancel)) {
		*code = S3INV_ECANCELED;
		snprintf(msg, msgcap, "%s: cancelled", what);
		return S3I_FAIL;
	}
	if (cc != CURLE_OK) {
		if (cc == CURLE_OPERATION_TIMEDOUT)
			snprintf(msg, msgcap, "%s: transfer stalled or timed out (%s)", what,
			         curl_easy_strerror(cc));
		else
			snprintf(msg, msgcap, "%s: %s", what, curl_easy_strerror(cc));
		if (cc == CURLE_OUT_OF_MEMORY)
			*code = S3INV_ENOMEM;
		return retryable_curl(cc) ? S3I_RETRY : S3I_FAIL;
	}
	if (r->status >= 200 && r->status < 300)
		return S3I_OK;
	if (body) {
		s3i_xml_tag(body, blen, "Code", s3code, sizeof s3code);
		s3i_xml_tag(body, blen, "Message", s3msg, sizeof s3msg);
		s3i_xml_tag(body, blen, "Region", want, sizeof want);
	}
	if (!want[0] && r->region[0])
		snprintf(want, sizeof want, "%s", r->region);
	if ((r->status == 301 || r->status == 307 || r->status == 400) && want[0] &&
	    !s->region_fixed) {
		bool changed = false;
		s3i_mutex_lock(&s->region_lock);
		if (strcmp(s->region, want) != 0) {
			snprintf(s->region, sizeof s->region, "%s", want);
			changed = true;
		}
		s3i_mutex_unlock(&s->region_lock);
		if (changed)
			return S3I_REGION;
	}
	snprintf(msg, msgcap, "%s: HTTP %ld%s%s", what, r->status, s3code[0] ? " " : "", s3code);
	if (r->status == 500 || r->status == 502 || r->status == 503 || r->status == 504 ||
	    r->status == 429 || r->status == 408 || strcmp(s3code, "SlowDown") == 0 ||
	    strcmp(s3code, "InternalError") == 0 || strcmp(s3code, "RequestTimeout") == 0)
		return S3I_RETRY;
	if (r->status == 403 || r->status == 401) {
		const char *why = "access denied";
		*code = S3INV_EAUTH;
		if (strcmp(s3code, "SignatureDoesNotMatch") == 0)
			why = "the secret key was refused";
		else if (strcmp(s3code, "InvalidAccessKeyId") == 0)
			why = "the access key is unknown";
		else if (strcmp(s3code, "ExpiredToken") == 0 || strcmp(s3code, "TokenRefreshRequired") == 0)
			why = "the session token has expired";
		else if (strcmp(s3code, "RequestTimeTooSkewed") == 0)
			why = "the clock is too far off";
		snprintf(msg, msgcap, "%s: authentication failed: %s (HTTP %ld %s; credentials from %s)",
		         what, why, r->status, s3code[0] ? s3code : "Forbidden", s->creds.source);
		return S3I_FAIL;
	}
	if (r->status == 404) {
		*code = S3INV_ENOTFOUND;
		if (strcmp(s3code, "NoSuchBucket") == 0)
			snprintf(msg, msgcap, "%s: no such bucket (HTTP 404 NoSuchBucket)", what);
		else
			snprintf(msg, msgcap, "%s: no such key (HTTP 404%s%s)", what, s3code[0] ? " " : "",
			         s3code);
		return S3I_FAIL;
	}
	if (r->status == 416) {
		*code = S3INV_EFORMAT;
		snprintf(msg, msgcap, "%s: requested range is past the end of the object (HTTP 416)", what);
		return S3I_FAIL;
	}
	if (r->status == 400 && strcmp(s3code, "AuthorizationHeaderMalformed") == 0) {
		char reg[64];
		*code = S3INV_EAUTH;
		s3i_mutex_lock(&s->region_lock);
		snprintf(reg, sizeof reg, "%s", s->region);
		s3i_mutex_unlock(&s->region_lock);
		snprintf(msg, msgcap, "%s: HTTP 400 AuthorizationHeaderMalformed (region '%s' refused%s%s): %s",
		         what, reg, want[0] ? ", expected " : "", want, s3msg);
		return S3I_FAIL;
	}
	if (s3msg[0]) {
		size_t n = strlen(msg);
		snprintf(msg + n, msgcap - n, ": %s", s3msg);
	}
	return S3I_FAIL;
}

unsigned s3i_s3_backoff_ms(struct s3i_s3 *s, unsigned attempt)
{
	double ms = (double)s->backoff_ms;
	unsigned i, r;
	for (i = 2; i < attempt && ms < 20000; i++)
		ms *= 2;
	if (ms > 20000)
		ms = 20000;
	/* "equal jitter": between half and all of the exponential step */
	s3i_mutex_lock(&s->region_lock);
	r = (unsigned)rand_r(&s->jitter_seed);
	s3i_mutex_unlock(&s->region_lock);
	return (unsigned)(ms / 2 + (ms / 2) * ((double)(r % 1000) / 1000.0));
}

int s3i_s3_backoff(struct s3i_s3 *s, unsigned attempt)
{
	double ms = (double)s3i_s3_backoff_ms(s, attempt);
	struct timespec ts;
	while (ms > 0) {
		double step = ms > 50 ? 50 : ms;
		if (s->cancel && *s->cancel)
			return S3INV_ECANCELED;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(step * 1e6);
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return s->cancel && *s->cancel ? S3INV_ECANCELED : 0;
}

int s3i_s3_request(struct s3i_s3 *s, CURL *h, const char *method, const char *bucket,
                   const char *key, const char *query, uint64_t off, uint64_t len,
                   int (*sink)(void *payload, const char *p, size_t n), void *payload,
                   struct s3i_resp *meta, s3inv_error *err)
{
	struct s3i_resp r = {0};
	char what[1100], msg[1400] = "";
	uint64_t done = 0;
	unsigned attempt = 0, region_changes = 0;
	int rc = 0, code = S3INV_ENET;
	bool head = strcmp(method, "HEAD") == 0;

	snprintf(what, sizeof what, "s3://%s/%s", bucket, key);
	for (;;) {
		enum s3i_verdict v;
		CURLcode cc;
		bool ranged = !head && (off + done > 0 || len != UINT64_MAX);
		uint64_t want = len == UINT64_MAX ? UINT64_MAX : len - done;

		attempt++;
		rc = s3i_s3_prepare(s, h, &r, method, bucket, key, query, ranged, off + done, want, err);
		if (rc < 0)
			break;
		r.sink = sink;
		r.payload = payload;
		cc = curl_easy_perform(h);
		done += r.got;
		v = s3i_s3_judge(s, cc, &r, what, msg, sizeof msg, &code);
		if (v == S3I_OK && len != UINT64_MAX && done < len && !head) {
			snprintf(msg, sizeof msg, "%s: body cut off after %llu of %llu bytes", what,
			         (unsigned long long)done, (unsigned long long)len);
			v = S3I_RETRY;
		} else if (v == S3I_OK && len == UINT64_MAX && !head && r.length != UINT64_MAX &&
		           r.got < r.length) {
			v = S3I_RETRY;
		}
		if (v == S3I_OK) {
			if (meta) {
				meta->status = r.status;
				meta->total = r.total;
				meta->length = r.length;
				snprintf(meta->region, sizeof meta->region, "%s", r.region);
			}
			break;
		}
		if (v == S3I_REGION && ++region_changes <= 2) {
			attempt--;
			continue;
		}
		if (v == S3I_RETRY && attempt < s->max_attempts) {
			if ((rc = s3i_s3_backoff(s, attempt + 1)) < 0) {
				s3i_err_set(err, rc, "%s: cancelled", what);
				break;
			}
			continue;
		}
		if (v == S3I_RETRY || v == S3I_REGION)
			rc = s3i_err_set(err, code, "%s after %u attempts", msg, attempt);
		else if (code == S3INV_ECANCELED || msg[0])
			rc = s3i_err_set(err, code, "%s", msg[0] ? msg : "cancelled");
		else
			rc = code; /* the sink wrote its own message */
		break;
	}
	s3i_resp_free(&r);
	return rc;
}

static int sink_buf(void *payload, const char *p, size_t n)
{
	return s3i_buf_append(payload, p, n) < 0 ? S3INV_EFORMAT : 0;
}

int s3i_s3_get_small(struct s3i_s3 *s, CURL *h, const char *bucket, const char *key,
                     struct s3i_buf *out, size_t max, s3inv_error *err)
{
	int rc;
	s3i_buf_init(out, max);
	rc = s3i_s3_request(s, h, "GET", bucket, key, NULL, 0, UINT64_MAX, sink_buf, out, NULL, err);
	if (rc == S3INV_EFORMAT && err && err->code == 0)
		rc = s3i_err_set(err, rc, "s3://%s/%s: larger than %zu bytes", bucket, key, max);
	if (rc == 0 && s3i_buf_cstr(out) < 0)
		rc = s3i_err_set(err, S3INV_ENOMEM, "s3://%s/%s: out of memory", bucket, key);
	if (rc < 0)
		s3i_buf_free(out);
	return rc;
}
