/* SPDX-License-Identifier: MIT */
/*
 * builds_api.c — the HTTP side of background builds: GET /api/reports,
 * GET /api/builds, POST /api/builds/rescan|cancel|retry and the
 * Server-Sent Events stream GET /api/builds/events. builds.c holds the
 * state; these handlers only format it and post requests to it.
 *
 * The event stream is a libmicrohttpd callback response. Its producer
 * runs on a pool thread, and libmicrohttpd calls it again at once when it
 * returns no data, so it waits for progress in short slices (at most
 * SLICE_S) and sends an SSE comment line when nothing is due: the pool
 * thread, shared with other connections, is never held for long. Events
 * go out at most twice a second while a build runs. The stream ends after
 * IDLE_END_S without any queued or running build, or after MAX_STREAM_S,
 * with a "retry:" hint, and the page reconnects; at most MAX_STREAMS
 * streams are open at once (503 beyond).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builds.h"
#include "http.h"

#define SLICE_S 0.25
#define EVENT_EVERY_S 0.5
#define HEARTBEAT_S 5.0
#define IDLE_END_S 2.0
#define MAX_STREAM_S 60.0
#define MAX_STREAMS 4

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool have_builds(struct s3i_srv *srv, struct s3i_http_req *r)
{
	if (srv->builds)
		return true;
	s3i_http_error(r, 404, "no --source configured: background builds are off");
	return false;
}

static void reply_json(struct s3i_http_req *r, unsigned status, struct s3i_json *j)
{
	s3i_http_reply(r, status, NULL, j);
	s3i_json_free(j);
}

/* ?id= as a positive decimal; replies 400 and returns false when malformed. */
static bool id_arg(struct s3i_http_req *r, uint64_t *id)
{
	size_t len = 0;
	const char *v = s3i_http_arg(r, "id", &len);
	uint64_t x = 0;
	if (!v || len == 0 || len > 18)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			goto bad;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x == 0)
		goto bad;
	*id = x;
	return true;
bad:
	s3i_http_error(r, 400, "parameter 'id' must be a positive integer (a build id)");
	return false;
}

/* GET /api/reports. Without --source: 200 {"enabled":false,"sources":[]},
 * so the page can ask without provoking an error. */
void s3i_builds_h_reports(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_json j;
	s3i_json_init(&j);
	if (!srv->builds) {
		static const char off[] = "{\"enabled\":false,\"sources\":[]}\n";
		s3i_json_raw(&j, off, sizeof off - 1);
		reply_json(r, 200, &j);
		return;
	}
	s3i_builds_reports_json(srv->builds, &j);
	reply_json(r, 200, &j);
}

/* GET /api/builds */
void s3i_builds_h_list(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_json j;
	if (!have_builds(srv, r))
		return;
	s3i_json_init(&j);
	s3i_builds_list_json(srv->builds, &j);
	reply_json(r, 200, &j);
}

static void reply_ok(struct s3i_http_req *r, unsigned status, const char *key, uint64_t v)
{
	struct s3i_json j;
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "ok");
	s3i_json_bool(&j, true);
	if (key) {
		s3i_json_key(&j, key);
		s3i_json_u64(&j, v);
	}
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	reply_json(r, status, &j);
}

/* POST /api/builds/rescan */
void s3i_builds_h_rescan(struct s3i_srv *srv, struct s3i_http_req *r)
{
	if (!have_builds(srv, r))
		return;
	s3i_builds_rescan(srv->builds);
	reply_ok(r, 202, NULL, 0);
}

/* POST /api/builds/cancel?id=N */
void s3i_builds_h_cancel(struct s3i_srv *srv, struct s3i_http_req *r)
{
	uint64_t id;
	int rc;
	if (!have_builds(srv, r) || !id_arg(r, &id))
		return;
	rc = s3i_builds_cancel(srv->builds, id);
	if (rc == -1)
		s3i_http_error(r, 404, "no build with id %llu", (unsigned long long)id);
	else if (rc == -2)
		s3i_http_error(r, 409, "build %llu has already finished", (unsigned long long)id);
	else
		reply_ok(r, 202, "id", id);
}

/* POST /api/builds/retry?id=N */
void s3i_builds_h_retry(struct s3i_srv *srv, struct s3i_http_req *r)
{
	uint64_t id;
	int64_t rc;
	if (!have_builds(srv, r) || !id_arg(r, &id))
		return;
	rc = s3i_builds_retry(srv->builds, id);
	if (rc == 0)
		s3i_http_error(r, 404, "no build with id %llu", (unsigned long long)id);
	else if (rc == -1)
		s3i_http_error(r, 409, "build %llu is not failed or cancelled",
		               (unsigned long long)id);
	else if (rc < 0)
		s3i_http_error(r, 503, "too many builds queued");
	else
		reply_ok(r, 202, "id", (uint64_t)rc);
}

/* ---------------------------------------------------------------- */

struct stream {
	struct s3i_builds *b;
	uint64_t seq;  /* state sent in the last event */
	uint64_t seen; /* latest state observed */
	double t0, last_event, idle_since;
	bool started, ended;
	struct s3i_json out; /* pending bytes */
	size_t off;
};

static void stream_free(void *cls)
{
	struct stream *s = cls;
	s3i_builds_stream_leave(s->b);
	s3i_json_free(&s->out);
	free(s);
}

/* Append "data: <state>\n\n"; returns whether a build is active. */
static bool add_event(struct stream *s, double wait_s)
{
	struct s3i_json ev;
	bool active;
	s3i_json_init(&ev);
	active = s3i_builds_event_json(s->b, &s->seq, wait_s, &ev);
	s3i_json_raw(&s->out, "data: ", 6);
	s3i_json_raw(&s->out, ev.p ? ev.p : "", ev.len);
	s3i_json_raw(&s->out, "\n\n", 2);
	s3i_json_free(&ev);
	return active;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	double now;
	(void)pos;
	if (s->off >= s->out.len) {
		bool active;
		if (s->ended)
			return -1; /* MHD_CONTENT_READER_END_OF_STREAM */
		s3i_json_reset(&s->out);
		s->off = 0;
		now = mono();
		if (!s->started) {
			s->started = true;
			s->t0 = s->last_event = now;
			s3i_json_raw(&s->out, "retry: 3000\n\n", 13);
			active = add_event(s, 0);
			s->seen = s->seq;
			s->idle_since = active ? 0 : now;
		} else {
			/* wait a slice for progress newer than the last seen */
			{
				struct s3i_json probe;
				s3i_json_init(&probe);
				active = s3i_builds_event_json(s->b, &s->seen, SLICE_S, &probe);
				s3i_json_free(&probe);
			}
			now = mono();
			if ((s->seen != s->seq && now - s->last_event >= EVENT_EVERY_S) ||
			    now - s->last_event >= HEARTBEAT_S) {
				active = add_event(s, 0);
				s->seen = s->seq;
				s->last_event = now;
			} else {
				s3i_json_raw(&s->out, ":\n", 2);
			}
			if (active)
				s->idle_since = 0;
			else if (s->idle_since == 0)
				s->idle_since = now;
			if ((s->idle_since > 0 && now - s->idle_since >= IDLE_END_S) ||
			    now - s->t0 >= MAX_STREAM_S) {
				if (s->seen != s->seq) /* the final state, if not sent yet */
					add_event(s, 0);
				s3i_json_raw(&s->out, active ? "retry: 1000\n\n" : "retry: 10000\n\n",
				             active ? 13 : 14);
				s->ended = true;
			}
		}
		if (!s3i_json_ok(&s->out))
			return -1;
	}
	{
		size_t n = s->out.len - s->off;
		if (n > max)
			n = max;
		memcpy(buf, s->out.p + s->off, n);
		s->off += n;
		return (ssize_t)n;
	}
}

/* GET /api/builds/events */
void s3i_builds_h_events(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct stream *s;
	if (!have_builds(srv, r))
		return;
	if (!s3i_builds_stream_enter(srv->builds, MAX_STREAMS)) {
		s3i_http_error(r, 503, "too many event streams open (at most %d)", MAX_STREAMS);
		return;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		s3i_builds_stream_leave(srv->builds);
		s3i_http_error(r, 503, "out of memory");
		return;
	}
	s->b = srv->builds;
	s->seq = (uint64_t)-1;
	s3i_json_init(&s->out);
	s3i_http_reply_stream(r, "text/event-stream; charset=utf-8", stream_read, s, stream_free);
}
