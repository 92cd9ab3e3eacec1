/* SPDX-License-Identifier: MIT */
/*
 * s3_input.c — an S3 object as an s3i_input: parallel ranged GETs, consumed
 * in order, in bounded and accounted memory.
 *
 * The object is cut into parts of part_size bytes. Up to max_conn parts are
 * in flight at once on one curl multi handle owned by the input (its easy
 * handles share the client's connection pool, so keep-alive connections
 * outlive the input). Each part downloads into its own buffer of exactly its
 * length, reserved from the build's memory budget before it is allocated:
 * the first part of an input waits for budget (s3i_budget_reserve), the
 * others only start when the budget has room (try_reserve), so inputs
 * competing for memory never deadlock and what is in flight is what is
 * counted. read() copies from the oldest part as soon as its bytes arrive
 * (no need to wait for the whole part), hashes them (MD5, checked at end of
 * file), and frees the part when it is consumed. All transfers are driven
 * from read() on the caller's thread: no thread of our own, no temporary file.
 *
 * A failed part attempt (connection error, stall, 5xx, SlowDown, cut-off
 * body) is retried after a backoff with a Range from its last byte received;
 * the other parts keep going meanwhile. After the retry budget the input
 * fails with the object's URL, the status and the S3 error code; the error is
 * sticky. pread() is one blocking ranged GET of exactly the range asked.
 *
 * Not thread-safe: one input belongs to one worker.
 */
#include "source/s3.h"

#include <stdio.h>
#include <string.h>

#include "source/s3_client.h"
#include "util/alloc.h"
#include "util/budget.h"
#include "util/err.h"
#include "util/md5.h"
#include "util/thread.h"

enum pstate { P_FREE = 0, P_RUN, P_WAIT, P_DONE };

struct part {
	CURL *h;
	struct s3i_resp r;
	struct s3input *in;
	char *buf;
	uint64_t off, len, got;
	uint64_t reserved;
	unsigned attempts;
	double retry_at;
	enum pstate st;
};

struct s3input {
	struct s3i_input base;
	struct s3i_s3 *s;
	char *bucket, *key, *url;
	CURLM *multi;
	CURL *ph;
	struct part *slots;
	unsigned nslots;
	uint64_t part_size, nparts, head, next, pos;
	bool hashing, eof;
	struct s3i_md5 md5;
	char want[33];
	int failed;
	s3inv_error ferr; /* the sticky error's message */
};

static struct part *slot_of(struct s3input *in, uint64_t i)
{
	return &in->slots[i % in->nslots];
}

static int part_sink(void *payload, const char *p, size_t n)
{
	struct part *pt = payload;
	if (pt->r.status != 206 && (pt->off + pt->got != 0 || pt->len != pt->in->base.size)) {
		s3i_err_set(&pt->in->ferr, S3INV_ENET, "%s: server ignored the Range header (HTTP %ld)",
		            pt->in->url, pt->r.status);
		return S3INV_ENET;
	}
	if (n > pt->len - pt->got) {
		s3i_err_set(&pt->in->ferr, S3INV_EFORMAT,
		            "%s: server sent more bytes than the range asked (bytes %llu-%llu)",
		            pt->in->url, (unsigned long long)pt->off,
		            (unsigned long long)(pt->off + pt->len - 1));
		return S3INV_EFORMAT;
	}
	memcpy(pt->buf + pt->got, p, n);
	pt->got += n;
	return 0;
}

static int fail(struct s3input *in, int code)
{
	if (!in->failed)
		in->failed = code;
	return in->failed;
}

static int launch(struct s3input *in, struct part *pt)
{
	int rc;
	pt->attempts++;
	rc = s3i_s3_prepare(in->s, pt->h, &pt->r, "GET", in->bucket, in->key, NULL, true,
	                    pt->off + pt->got, pt->len - pt->got, &in->ferr);
	if (rc < 0)
		return fail(in, rc);
	pt->r.sink = part_sink;
	pt->r.payload = pt;
	curl_easy_setopt(pt->h, CURLOPT_PRIVATE, pt);
	if (curl_multi_add_handle(in->multi, pt->h) != CURLM_OK) {
		s3i_err_set(&in->ferr, S3INV_ENOMEM, "%s: cannot add a transfer", in->url);
		return fail(in, S3INV_ENOMEM);
	}
	pt->st = P_RUN;
	return 0;
}

static void release_part(struct s3input *in, struct part *pt)
{
	if (pt->st == P_RUN)
		curl_multi_remove_handle(in->multi, pt->h);
	s3i_free(pt->buf);
	pt->buf = NULL;
	if (pt->reserved && in->s->budget)
		s3i_budget_release(in->s->budget, pt->reserved);
	pt->reserved = 0;
	pt->st = P_FREE;
	s3i_resp_free(&pt->r);
}

/* Start part NEXT if memory allows. @return 1 started, 0 not now, <0 error. */
static int start_next(struct s3input *in)
{
	struct part *pt = slot_of(in, in->next);
	uint64_t off = in->next * in->part_size;
	uint64_t len = in->base.size - off < in->part_size ? in->base.size - off : in->part_size;
	int rc;

	if (in->s->budget) {
		if (in->next == in->head) {
			if ((rc = s3i_budget_reserve(in->s->budget, len)) < 0) {
				s3i_err_set(&in->ferr, rc, "%s: cancelled", in->url);
				return fail(in, rc);
			}
		} else if (!s3i_budget_try_reserve(in->s->budget, len)) {
			return 0;
		}
	}
	pt->reserved = in->s->budget ? len : 0;
	pt->buf = s3i_malloc((size_t)len ? (size_t)len : 1);
	if (!pt->buf) {
		if (pt->reserved)
			s3i_budget_release(in->s->budget, pt->reserved);
		pt->reserved = 0;
		s3i_err_set(&in->ferr, S3INV_ENOMEM, "%s: out of memory for a %llu-byte part", in->url,
		            (unsigned long long)len);
		return fail(in, S3INV_ENOMEM);
	}
	pt->in = in;
	pt->off = off;
	pt->len = len;
	pt->got = 0;
	pt->attempts = 0;
	in->next++;
	if ((rc = launch(in, pt)) < 0)
		return rc;
	return 1;
}

/* A transfer finished: judge it, then retry, finish or fail the part. */
static int finished(struct s3input *in, struct part *pt, CURLcode cc)
{
	char msg[1400];
	int code;
	enum s3i_verdict v;

	curl_multi_remove_handle(in->multi, pt->h);
	pt->st = P_WAIT;
	v = s3i_s3_judge(in->s, cc, &pt->r, in->url, msg, sizeof msg, &code);
	if (v == S3I_OK && pt->r.total != UINT64_MAX && pt->r.total != in->base.size) {
		s3i_err_set(&in->ferr, S3INV_ECHECKSUM, "%s: object is %llu bytes, expected %llu",
		            in->url, (unsigned long long)pt->r.total,
		            (unsigned long long)in->base.size);
		return fail(in, S3INV_ECHECKSUM);
	}
	if (v == S3I_OK && pt->got < pt->len) {
		snprintf(msg, sizeof msg, "%s: body cut off at byte %llu", in->url,
		         (unsigned long long)(pt->off + pt->got));
		code = S3INV_ENET;
		v = S3I_RETRY;
	}
	switch (v) {
	case S3I_OK:
		pt->st = P_DONE;
		s3i_resp_free(&pt->r);
		return 0;
	case S3I_REGION:
		pt->attempts--;
		return launch(in, pt);
	case S3I_RETRY:
		if (pt->attempts < in->s->max_attempts) {
			pt->retry_at = s3i_now() + s3i_s3_backoff_ms(in->s, pt->attempts + 1) / 1000.0;
			return 0;
		}
		s3i_err_set(&in->ferr, code, "%s after %u attempts", msg, pt->attempts);
		return fail(in, code);
	case S3I_FAIL:
	default:
		if (msg[0])
			s3i_err_set(&in->ferr, code, "%s", msg);
		else if (code == S3INV_ECANCELED)
			s3i_err_set(&in->ferr, code, "%s: cancelled", in->url);
		return fail(in, code);
	}
}

/* One round of transfers: start what may start, move bytes, handle ends. */
static int drive(struct s3input *in)
{
	CURLMsg *m;
	int running = 0, left, rc, timeout = 100;
	double now = s3i_now();
	uint64_t i;

	if (in->s->cancel && *in->s->cancel) {
		s3i_err_set(&in->ferr, S3INV_ECANCELED, "%s: cancelled", in->url);
		return fail(in, S3INV_ECANCELED);
	}
	while (in->next < in->nparts && in->next - in->head < in->nslots) {
		rc = start_next(in);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
	}
	for (i = in->head; i < in->next; i++) {
		struct part *pt = slot_of(in, i);
		if (pt->st != P_WAIT)
			continue;
		if (pt->retry_at <= now) {
			if ((rc = launch(in, pt)) < 0)
				return rc;
		} else {
			int ms = (int)((pt->retry_at - now) * 1000) + 1;
			if (ms < timeout)
				timeout = ms;
		}
	}
	curl_multi_perform(in->multi, &running);
	while ((m = curl_multi_info_read(in->multi, &left))) {
		struct part *pt = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&pt);
		if (pt && (rc = finished(in, pt, m->data.result)) < 0)
			return rc;
	}
	/* bytes for the reader already? then do not wait */
	{
		struct part *hp = in->head < in->next ? slot_of(in, in->head) : NULL;
		if (hp && hp->got > in->pos)
			return 0;
	}
	if (running)
		curl_multi_poll(in->multi, NULL, 0, timeout, NULL);
	else if (timeout < 100) {
		struct timespec ts = {0, (long)timeout * 1000000L};
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int s3in_read(struct s3i_input *base, void *buf, size_t cap, size_t *out_n,
                     s3inv_error *err)
{
	struct s3input *in = (struct s3input *)base;
	char got[33];
	int rc;

	*out_n = 0;
	if (in->failed)
		return s3i_err_set(err, in->failed, "%s", in->ferr.msg);
	if (in->eof || cap == 0)
		return 0;
	for (;;) {
		if (in->head == in->nparts) {
			in->eof = true;
			if (in->hashing) {
				in->hashing = false;
				s3i_md5_final(&in->md5, got);
				if (strcmp(got, in->want) != 0)
					return s3i_err_set(err, S3INV_ECHECKSUM,
					                   "%s: MD5 mismatch: manifest says %s, object has %s",
					                   in->url, in->want, got);
			}
			return 0;
		}
		if (in->head < in->next) {
			struct part *pt = slot_of(in, in->head);
			if (pt->got > in->pos) {
				size_t n = pt->got - in->pos < cap ? (size_t)(pt->got - in->pos) : cap;
				memcpy(buf, pt->buf + in->pos, n);
				if (in->hashing)
					s3i_md5_update(&in->md5, buf, n);
				in->pos += n;
				if (in->pos == pt->len && pt->st == P_DONE) {
					release_part(in, pt);
					in->head++;
					in->pos = 0;
				}
				*out_n = n;
				return 0;
			}
			if (pt->st == P_DONE && in->pos == pt->len) {
				release_part(in, pt);
				in->head++;
				in->pos = 0;
				continue;
			}
		}
		if ((rc = drive(in)) < 0)
			return s3i_err_set(err, rc, "%s", in->ferr.msg[0] ? in->ferr.msg : in->url);
	}
}

struct range_sink {
	char *buf;
	size_t len, got;
};

static int range_sink(void *payload, const char *p, size_t n)
{
	struct range_sink *r = payload;
	if (n > r->len - r->got)
		return S3INV_EFORMAT;
	memcpy(r->buf + r->got, p, n);
	r->got += n;
	return 0;
}

static int s3in_pread(struct s3i_input *base, uint64_t off, void *buf, size_t len,
                      s3inv_error *err)
{
	struct s3input *in = (struct s3input *)base;
	struct range_sink rs = {buf, len, 0};
	int rc;

	if (off > in->base.size || len > in->base.size - off)
		return s3i_err_set(err, S3INV_EFORMAT,
		                   "%s: read of %zu bytes at offset %llu is past the end (%llu bytes)",
		                   in->url, len, (unsigned long long)off,
		                   (unsigned long long)in->base.size);
	if (len == 0)
		return 0;
	rc = s3i_s3_request(in->s, in->ph, "GET", in->bucket, in->key, NULL, off, len, range_sink,
	                    &rs, NULL, err);
	if (rc == S3INV_EFORMAT)
		s3i_err_set(err, rc, "%s: server sent more bytes than the range asked", in->url);
	return rc;
}

static void s3in_close(struct s3i_input *base)
{
	struct s3input *in = (struct s3input *)base;
	unsigned i;
	if (!in)
		return;
	if (in->slots) {
		for (i = 0; i < in->nslots; i++) {
			struct part *pt = &in->slots[i];
			if (pt->st != P_FREE)
				release_part(in, pt);
			s3i_resp_free(&pt->r);
			if (pt->h)
				curl_easy_cleanup(pt->h);
		}
	}
	if (in->multi)
		curl_multi_cleanup(in->multi);
	if (in->ph)
		curl_easy_cleanup(in->ph);
	s3i_md5_free(&in->md5);
	s3i_free(in->slots);
	s3i_free(in->bucket);
	s3i_free(in->key);
	s3i_free(in->url);
	s3i_free(in);
}

static const struct s3i_input_ops s3_ops = {
	.read = s3in_read,
	.pread = s3in_pread,
	.close = s3in_close,
};

int s3i_s3_open(struct s3i_input **out, struct s3i_s3 *s, const char *url, uint64_t size,
                const char *md5_hex, s3inv_error *err)
{
	struct s3input *in;
	char probe[1];
	unsigned i;
	int rc = 0;

	*out = NULL;
	in = s3i_calloc(1, sizeof *in);
	if (!in)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", url);
	in->s = s;
	in->base.ops = &s3_ops;
	in->base.can_pread = true;
	in->url = s3i_strdup(url);
	if (!in->url) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", url);
		goto out;
	}
	in->base.name = in->url;
	TRY(s3i_s3_url_split(&in->bucket, &in->key, url, err));
	if (!in->key[0]) {
		rc = s3i_err_set(err, S3INV_EINVAL, "%s: no object key in URL", url);
		goto out;
	}
	if (md5_hex && md5_hex[0]) {
		if (!s3i_md5_is_hex(md5_hex)) {
			rc = s3i_err_set(err, S3INV_EINVAL, "%s: expected MD5 is not 32 hex digits: '%s'",
			                 url, md5_hex);
			goto out;
		}
		for (i = 0; i < 33; i++)
			in->want[i] = (char)((md5_hex[i] >= 'A' && md5_hex[i] <= 'F') ? md5_hex[i] + 32
			                                                                 : md5_hex[i]);
		if (s3i_md5_init(&in->md5) < 0) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory (MD5)", url);
			goto out;
		}
		in->hashing = true;
	}
	in->ph = s3i_s3_easy(s);
	in->multi = curl_multi_init();
	in->nslots = s->max_conn ? s->max_conn : S3I_S3_DEFAULT_CONN;
	in->slots = s3i_calloc(in->nslots, sizeof *in->slots);
	if (!in->ph || !in->multi || !in->slots) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", url);
		goto out;
	}
	for (i = 0; i < in->nslots; i++) {
		in->slots[i].h = s3i_s3_easy(s);
		if (!in->slots[i].h) {
			rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory", url);
			goto out;
		}
	}
	if (size == UINT64_MAX) {
		/* a one-byte GET rather than HEAD: error answers then carry S3's code */
		struct s3i_resp meta = {0};
		struct range_sink one = {probe, 1, 0};
		s3inv_error e2 = {0};
		rc = s3i_s3_request(s, in->ph, "GET", in->bucket, in->key, NULL, 0, 1, range_sink, &one,
		                    &meta, &e2);
		if (rc == S3INV_EFORMAT && strstr(e2.msg, "HTTP 416")) {
			size = 0; /* an empty object has no byte 0 */
			rc = 0;
		} else if (rc < 0) {
			s3i_err_set(err, rc, "%s", e2.msg);
			goto out;
		} else if (meta.total == UINT64_MAX) {
			rc = s3i_err_set(err, S3INV_ENET, "%s: no object size in the answer", url);
			goto out;
		} else {
			size = meta.total;
		}
	}
	in->base.size = size;
	in->part_size = s->part_size ? s->part_size : S3I_S3_DEFAULT_PART;
	in->nparts = size / in->part_size + (size % in->part_size ? 1 : 0);
out:
	if (rc < 0) {
		s3in_close(&in->base);
		return rc;
	}
	*out = &in->base;
	return 0;
}
