/* SPDX-License-Identifier: MIT */
/*
 * s3_client.h — the S3 client shared by the S3 source files: one context per
 * build (credentials, region, endpoint, retry policy, curl share handle),
 * request preparation (addressing, SigV4 through libcurl, headers), the
 * classification of an answer (success, retry, or a final error with its
 * message), and a blocking request with retries and resume.
 *
 * Internal to src/source/ (s3.c, s3_input.c, s3_list.c, reports.c).
 */
#ifndef S3I_S3_CLIENT_H
#define S3I_S3_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "source/s3_creds.h"
#include "util/buf.h"
#include "util/thread.h"
#include "s3inv.h"

struct s3i_budget;

#define S3I_S3_DEFAULT_PART ((uint64_t)8 << 20)
#define S3I_S3_DEFAULT_CONN 4u
#define S3I_S3_MAX_CONN 64u

struct s3i_s3 {
	struct s3i_creds creds;
	char *endpoint;          /* scheme://host[:port] (no trailing '/'); NULL = AWS */
	bool requester_pays;
	bool region_fixed;       /* --region given: never learned from answers */
	unsigned max_conn;       /* ranged GETs in flight per input */
	uint64_t part_size;
	unsigned max_attempts;   /* per request (S3INV_MAX_ATTEMPTS, default 5) */
	unsigned backoff_ms;     /* first backoff (S3INV_RETRY_BASE_MS, default 200) */
	long stall_s;            /* abort a transfer idle this long (S3INV_STALL_SECONDS) */
	struct s3i_budget *budget;
	volatile int *cancel;
	CURLSH *share;
	s3i_mutex locks[CURL_LOCK_DATA_LAST];
	s3i_mutex region_lock;
	char region[64];
	unsigned jitter_seed;
};

/** What one answer said. Reset by s3i_s3_prepare. */
struct s3i_resp {
	CURL *h;
	long status;             /* last status line's code (0: none yet) */
	char region[64];         /* x-amz-bucket-region */
	uint64_t total;          /* object size from Content-Range, UINT64_MAX unknown */
	uint64_t length;         /* Content-Length, UINT64_MAX unknown */
	struct s3i_buf errbody;  /* body of a non-2xx answer (bounded) */
	uint64_t got;            /* 2xx body bytes passed to the sink in this attempt */
	int sink_rc;             /* negative when the sink refused bytes */
	/* sink for 2xx bodies: return 0 or a negative code (the transfer stops) */
	int (*sink)(void *payload, const char *p, size_t n);
	void *payload;
	volatile int *cancel;
	long stall_s;            /* abort when no byte moved for this long */
	double last_move;        /* s3i_now() of the last progress */
	int64_t last_dl;
	bool stalled;            /* aborted by the stall watchdog */
	struct curl_slist *hdrs; /* owned; freed by s3i_resp_reset / s3i_resp_free */
};

void s3i_resp_free(struct s3i_resp *r);

/** Split "s3://bucket/key" into new strings (key may be ""). @return 0 or EINVAL/ENOMEM. */
int s3i_s3_url_split(char **bucket, char **key, const char *url, s3inv_error *err);

/** A new easy handle bound to the client's share handle (NULL on OOM). */
CURL *s3i_s3_easy(struct s3i_s3 *s);

/** Set H up for one attempt: METHOD on BUCKET/KEY?QUERY (QUERY already
 *  canonical: sorted, encoded; may be NULL), bytes [OFF, OFF+LEN) when
 *  RANGED (LEN UINT64_MAX: to the end). R is reset and receives the answer.
 *  @return 0 or S3INV_ENOMEM/EINVAL. */
int s3i_s3_prepare(struct s3i_s3 *s, CURL *h, struct s3i_resp *r, const char *method,
                   const char *bucket, const char *key, const char *query, bool ranged,
                   uint64_t off, uint64_t len, s3inv_error *err);

enum s3i_verdict { S3I_OK = 0, S3I_RETRY = 1, S3I_REGION = 2, S3I_FAIL = 3 };

/** Judge a finished attempt. WHAT names the object in messages (s3://b/k).
 *  On S3I_RETRY / S3I_FAIL, MSG receives a description ("HTTP 503 SlowDown",
 *  "Connection reset ...") and *code the error code to report if it is final.
 *  On S3I_REGION the client's region was changed: retry at once. */
enum s3i_verdict s3i_s3_judge(struct s3i_s3 *s, CURLcode cc, const struct s3i_resp *r,
                              const char *what, char *msg, size_t msgcap, int *code);

/** Sleep before attempt ATTEMPT (2, 3, ...): exponential with jitter,
 *  waking to check cancellation. @return 0 or S3INV_ECANCELED. */
int s3i_s3_backoff(struct s3i_s3 *s, unsigned attempt);

/** The delay before attempt ATTEMPT, in milliseconds (thread-safe). */
unsigned s3i_s3_backoff_ms(struct s3i_s3 *s, unsigned attempt);

/** A blocking request with retries: 2xx body bytes go to SINK (resumed
 *  with a Range from the last byte received after a cut-off). LEN is the
 *  number of bytes wanted from OFF (UINT64_MAX: to the end; when OFF is 0
 *  too, no Range header is sent). META (may be NULL) receives the last
 *  answer's status/region/length. @return 0, or the final error with ERR
 *  naming WHAT, the status and the S3 error code. */
int s3i_s3_request(struct s3i_s3 *s, CURL *h, const char *method, const char *bucket,
                   const char *key, const char *query, uint64_t off, uint64_t len,
                   int (*sink)(void *payload, const char *p, size_t n), void *payload,
                   struct s3i_resp *meta, s3inv_error *err);

/** GET the whole object into OUT (at most MAX bytes). */
int s3i_s3_get_small(struct s3i_s3 *s, CURL *h, const char *bucket, const char *key,
                     struct s3i_buf *out, size_t max, s3inv_error *err);

/** Percent-encode for a path (keep A-Za-z0-9-._~ and, when KEEP_SLASH, '/'),
 *  uppercase hex, appended to OUT. */
int s3i_s3_encode(struct s3i_buf *out, const char *s, size_t n, bool keep_slash);

/** Text of the first <TAG>…</TAG> in XML (entities decoded) into OUT.
 *  @return true when found. */
bool s3i_xml_tag(const char *xml, size_t len, const char *tag, char *out, size_t cap);

/** Decode XML entities of [P, P+N) into a new string appended to OUT. */
int s3i_xml_unescape(struct s3i_buf *out, const char *p, size_t n);

/* ---- report discovery (s3.c) ---- */

/** True when NAME (N bytes) is a dated report folder name YYYY-MM-DDTHH-MMZ. */
bool s3i_is_report_date(const char *name, size_t n);

/** The dated report folders (YYYY-MM-DDTHH-MMZ) directly under PREFIX (which
 *  ends with '/' or is ""), newest first: ListObjectsV2 with delimiter "/",
 *  all pages. *out is an array of *n new strings (the 17-character names);
 *  free with s3i_s3_names_free. */
int s3i_s3_list_dates(char ***out, size_t *n, struct s3i_s3 *s, CURL *h, const char *bucket,
                      const char *prefix, s3inv_error *err);
void s3i_s3_names_free(char **names, size_t n);

/** Fetch DIR "manifest.json" (DIR is "" or ends with '/') and verify it
 *  against DIR "manifest.checksum" when that exists. *has_checksum tells
 *  whether it did. With REQUIRE_CHECKSUM, a missing checksum is
 *  S3INV_ENOTFOUND before the manifest is fetched (an unfinished report). */
int s3i_s3_fetch_manifest(struct s3i_buf *json, bool *has_checksum, struct s3i_s3 *s, CURL *h,
                          const char *bucket, const char *dir, bool require_checksum,
                          s3inv_error *err);

#endif
