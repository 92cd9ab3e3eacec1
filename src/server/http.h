/* SPDX-License-Identifier: MIT */
/*
 * http.h — the HTTP layer between libmicrohttpd and the API handlers.
 *
 * http.c owns everything about the wire: the daemon (internal polling
 * thread plus a thread pool), per-request state, the limits (request
 * target length, body size), bearer-token auth, method checks, routing by
 * exact path through a route table, the static web assets, and metrics.
 * Handlers (api.c) see only a request handle: they read query parameters
 * and the body and send exactly one reply, JSON or text.
 *
 * To add an endpoint: write a handler in api.c (or a new file) and add one
 * row to s3i_api_routes. Its metrics slot and its 405/401 handling come
 * with the row.
 */
#ifndef S3I_SERVER_HTTP_H
#define S3I_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "indexset.h"
#include "json.h"
#include "metrics.h"
#include "s3inv.h"

struct s3i_http_req;

/** What every handler can reach. Immutable while the daemon runs (the
 *  index set and the metrics are themselves thread-safe). */
struct s3i_srv {
	struct s3i_indexset *set;
	struct s3i_metrics metrics;
	const char *token;  /* NULL: no auth */
	size_t token_len;
	struct MHD_Daemon *daemon;
	struct s3i_builds *builds; /* background builds (serve --source), or NULL */
	s3inv_prices *prices;      /* for cost=1 (read-only, shared by the threads) */
};

enum { S3I_HTTP_GET = 1, S3I_HTTP_POST = 2 };

typedef void (*s3i_http_handler)(struct s3i_srv *srv, struct s3i_http_req *r);

struct s3i_route {
	const char *path;   /* exact path, e.g. "/api/stats" */
	const char *name;   /* metrics label */
	unsigned methods;   /* S3I_HTTP_GET and/or S3I_HTTP_POST (GET implies HEAD) */
	bool open;          /* answered without the token (/healthz) */
	s3i_http_handler fn;
};

/** The API's route table (api.c). */
extern const struct s3i_route s3i_api_routes[];
extern const size_t s3i_api_nroutes;

/** Value of query parameter NAME (URL-decoded; may contain NUL bytes,
 *  *LEN is its length), or NULL when absent. Borrowed until the reply. */
const char *s3i_http_arg(struct s3i_http_req *r, const char *name, size_t *len);

/** The request body (POST), possibly empty. Borrowed until the reply. */
const char *s3i_http_body(struct s3i_http_req *r, size_t *len);

/** Reply with STATUS and the text in BODY, whose buffer is taken over
 *  (BODY is re-initialised). CTYPE NULL means JSON. When BODY ran out of
 *  memory, a 503 error is sent instead. Only the first reply counts. */
void s3i_http_reply(struct s3i_http_req *r, unsigned status, const char *ctype,
                    struct s3i_json *body);

/** Stream producer of s3i_http_reply_stream (libmicrohttpd's content
 *  reader): fill BUF with at most MAX bytes and return how many (never 0:
 *  it would be called again at once), or -1 to end the stream. It runs on
 *  a pool thread, so it may wait only briefly (a fraction of a second). */
typedef ssize_t (*s3i_http_stream_fn)(void *cls, uint64_t pos, char *buf, size_t max);

/** Reply 200 with a body of unknown length produced by FN (chunked), for
 *  Server-Sent Events. FREE_FN(CLS) runs when the stream ends, also when
 *  the reply cannot be queued. */
void s3i_http_reply_stream(struct s3i_http_req *r, const char *ctype, s3i_http_stream_fn fn,
                           void *cls, void (*free_fn)(void *cls));

/** Reply {"error": <formatted message>} with STATUS. */
void s3i_http_error(struct s3i_http_req *r, unsigned status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** The HTTP status of a library error code (404, 400, 503, 500). */
unsigned s3i_http_status_of(int code);

/** Start the daemon on ADDR (a struct sockaddr of ADDRLEN bytes) with
 *  THREADS pool threads; SRV->daemon is set. @return 0, or -1 with a
 *  message in MSG. */
int s3i_http_start(struct s3i_srv *srv, const void *addr, unsigned addrlen, unsigned threads,
                   char *msg, size_t cap);

/** The port actually bound (useful with port 0). */
unsigned s3i_http_port(struct s3i_srv *srv);

/** Stop the daemon: closes the listening socket, lets running handlers
 *  finish, closes connections. Accepts a never-started SRV. */
void s3i_http_stop(struct s3i_srv *srv);

#endif
