/* SPDX-License-Identifier: MIT */
/*
 * http.c — libmicrohttpd glue: the daemon, per-request state, limits,
 * auth, routing, static assets and metrics recording. See http.h.
 *
 * Request life cycle. libmicrohttpd calls uri_log() first (we allocate the
 * request state there and start its clock), then on_request() once before
 * the body, once per body chunk, and once after the body; finally
 * on_done() records metrics and frees the state. For a POST, every check
 * that needs no body (target length, route, method, token, Content-Length)
 * runs on the first call, so a bad request is refused before its body is
 * read, and the handler runs on the last call. Other methods are answered
 * on the second call (see begin() for why not the first).
 *
 * A handler sends exactly one reply; if it returns without one the client
 * gets a 500 rather than a hung connection.
 *
 * Static files (the web page) are served without the bearer token: they
 * hold no data, and a browser cannot attach a header to the page load
 * itself. The page asks for the token and sends it on every API call.
 */
#include "http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "server.h"

struct s3i_http_req {
	struct MHD_Connection *conn;
	double t0;
	size_t uri_len;
	size_t slot;          /* metrics slot */
	unsigned status;      /* sent status, 0 until replied */
	bool started, post, too_big;
	const struct s3i_route *route;
	char *body;
	size_t body_len, body_cap;
};

/* metrics slots after the routes */
#define SLOT_STATIC (s3i_api_nroutes)
#define SLOT_OTHER (s3i_api_nroutes + 1)

static const char json_type[] = "application/json";
static const char page_csp[] =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

unsigned s3i_http_status_of(int code)
{
	switch (code) {
	case S3INV_ENOTFOUND: return 404;
	case S3INV_EINVAL: return 400;
	case S3INV_ENOMEM: return 503;
	default: return 500;
	}
}

/* Queue RESP with STATUS; records the status; destroys RESP. */
static void queue(struct s3i_http_req *r, unsigned status, struct MHD_Response *resp)
{
	if (!resp) {
		r->status = 500; /* nothing sent: the connection will be closed */
		return;
	}
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (MHD_queue_response(r->conn, status, resp) == MHD_YES)
		r->status = status;
	else
		r->status = 500;
	MHD_destroy_response(resp);
}

void s3i_http_reply(struct s3i_http_req *r, unsigned status, const char *ctype,
                    struct s3i_json *body)
{
	struct MHD_Response *resp;
	if (r->status) {
		s3i_json_free(body);
		return;
	}
	if (!s3i_json_ok(body)) {
		s3i_json_free(body);
		s3i_http_error(r, 503, "out of memory");
		return;
	}
	if (body->len == 0) {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		s3i_json_free(body);
	} else {
		resp = MHD_create_response_from_buffer(body->len, body->p, MHD_RESPMEM_MUST_FREE);
		if (resp)
			s3i_json_init(body); /* MHD owns the buffer now */
		else
			s3i_json_free(body);
	}
	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype ? ctype : json_type);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
		if (status == 401)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			                        "Bearer realm=\"s3inv\"");
	}
	queue(r, status, resp);
}

void s3i_http_reply_stream(struct s3i_http_req *r, const char *ctype, s3i_http_stream_fn fn,
                           void *cls, void (*free_fn)(void *cls))
{
	struct MHD_Response *resp;
	if (r->status) {
		free_fn(cls);
		return;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, fn, cls, free_fn);
	if (!resp) {
		free_fn(cls);
		s3i_http_error(r, 503, "out of memory");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	queue(r, 200, resp);
}

void s3i_http_error(struct s3i_http_req *r, unsigned status, const char *fmt, ...)
{
	struct s3i_json j;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "error");
	s3i_json_str(&j, msg);
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	if (!s3i_json_ok(&j)) { /* cannot even say so: send a fixed body */
		s3i_json_free(&j);
		queue(r, 503,
		      MHD_create_response_from_buffer(26, (void *)"{\"error\":\"out of memory\"}\n",
		                                      MHD_RESPMEM_PERSISTENT));
		return;
	}
	s3i_http_reply(r, status, NULL, &j);
}

const char *s3i_http_arg(struct s3i_http_req *r, const char *name, size_t *len)
{
	const char *v = NULL;
	size_t n = 0;
	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v,
	                                  &n) != MHD_YES)
		return NULL;
	if (!v) { /* "?name" without "=": an empty value */
		v = "";
		n = 0;
	}
	*len = n;
	return v;
}

const char *s3i_http_body(struct s3i_http_req *r, size_t *len)
{
	*len = r->body_len;
	return r->body ? r->body : "";
}

/* Constant-time comparison of the Authorization header with the token. */
static bool authorized(const struct s3i_srv *srv, struct s3i_http_req *r)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                            MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n;
	unsigned char diff = 0;
	if (!srv->token)
		return true;
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	n = strlen(h);
	if (n != srv->token_len)
		return false;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(h[i] ^ srv->token[i]);
	return diff == 0;
}

static const struct s3i_asset *find_asset(const char *url)
{
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	for (size_t i = 0; i < s3i_web_nassets; i++)
		if (strcmp(s3i_web_assets[i].path, url) == 0)
			return &s3i_web_assets[i];
	return NULL;
}

static void send_asset(struct s3i_http_req *r, const struct s3i_asset *a)
{
	const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                              MHD_HTTP_HEADER_IF_NONE_MATCH);
	bool fresh = inm && strcmp(inm, a->etag) == 0;
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    fresh ? 0 : a->len, fresh ? (void *)"" : (void *)a->data, MHD_RESPMEM_PERSISTENT);
	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
		if (strncmp(a->type, "text/html", 9) == 0) {
			MHD_add_response_header(resp, "Content-Security-Policy", page_csp);
			MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
			MHD_add_response_header(resp, "X-Frame-Options", "DENY");
		}
	}
	queue(r, fresh ? 304 : 200, resp);
}

static void dispatch(struct s3i_srv *srv, struct s3i_http_req *r)
{
	r->route->fn(srv, r);
	if (!r->status)
		s3i_http_error(r, 500, "internal error: the handler sent no reply");
}

/* Checks that need no body, then (GET) the handler. Called on the first
 * call for POST, so a bad POST is refused before its body is read, and on
 * the second call for everything else: a response queued on the very
 * first call makes libmicrohttpd close the connection (it cannot know the
 * request has no body), which would defeat keep-alive. */
static void begin(struct s3i_srv *srv, struct s3i_http_req *r, const char *url,
                  const char *method)
{
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0;
	const struct s3i_asset *a;
	const char *cl;

	r->slot = SLOT_OTHER;
	if (r->uri_len > S3I_SRV_MAX_URI) {
		s3i_http_error(r, 414, "request target longer than %u bytes", S3I_SRV_MAX_URI);
		return;
	}
	for (size_t i = 0; i < s3i_api_nroutes; i++) {
		if (strcmp(s3i_api_routes[i].path, url) == 0) {
			r->route = &s3i_api_routes[i];
			r->slot = i;
			break;
		}
	}
	if (!r->route) {
		if (get && (a = find_asset(url)) != NULL) {
			r->slot = SLOT_STATIC;
			send_asset(r, a);
			return;
		}
		s3i_http_error(r, 404, "no such endpoint");
		return;
	}
	if (!((get && (r->route->methods & S3I_HTTP_GET)) ||
	      (post && (r->route->methods & S3I_HTTP_POST)))) {
		static const char body[] = "{\"error\":\"method not allowed\"}\n";
		struct MHD_Response *resp = MHD_create_response_from_buffer(
		    sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
		if (resp) {
			unsigned m = r->route->methods;
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, json_type);
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
			                        (m & S3I_HTTP_GET) && (m & S3I_HTTP_POST) ? "GET, HEAD, POST"
			                        : (m & S3I_HTTP_GET)                      ? "GET, HEAD"
			                                                                  : "POST");
		}
		queue(r, 405, resp);
		return;
	}
	if (!r->route->open && !authorized(srv, r)) {
		s3i_http_error(r, 401, "missing or wrong bearer token");
		return;
	}
	if (post) {
		cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
		                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > S3I_SRV_MAX_BODY) {
			s3i_http_error(r, 413, "request body larger than %u bytes", S3I_SRV_MAX_BODY);
			return;
		}
		return; /* wait for the body */
	}
	dispatch(srv, r);
}

static bool append_body(struct s3i_http_req *r, const char *data, size_t n)
{
	if (r->too_big || n > S3I_SRV_MAX_BODY - r->body_len) {
		r->too_big = true;
		return false;
	}
	if (n >= r->body_cap - r->body_len || !r->body) {
		size_t cap = r->body_cap ? r->body_cap : 4096;
		char *p;
		while (cap - r->body_len <= n)
			cap *= 2;
		p = realloc(r->body, cap);
		if (!p)
			return false;
		r->body = p;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct s3i_srv *srv = cls;
	struct s3i_http_req *r = *con_cls;
	(void)version;
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->t0 = s3i_metrics_now();
		r->uri_len = strlen(url);
		r->slot = SLOT_OTHER;
		*con_cls = r;
	}
	r->conn = conn;
	if (r->status) { /* replied early: drop the rest of the body */
		*upload_size = 0;
		return MHD_YES;
	}
	if (!r->started) {
		r->started = true;
		r->post = strcmp(method, "POST") == 0;
		if (r->post)
			begin(srv, r, url, method); /* refuse early, before the body */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!append_body(r, upload_data, *upload_size) && !r->too_big) {
			*upload_size = 0;
			return MHD_NO; /* out of memory: close the connection */
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!r->post)
		begin(srv, r, url, method);
	else if (r->too_big)
		s3i_http_error(r, 413, "request body larger than %u bytes", S3I_SRV_MAX_BODY);
	else
		dispatch(srv, r);
	return MHD_YES;
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct s3i_http_req *r = calloc(1, sizeof *r);
	(void)cls;
	if (r) {
		r->t0 = s3i_metrics_now();
		r->uri_len = strlen(uri);
		r->conn = conn;
		r->slot = SLOT_OTHER;
	}
	return r;
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	struct s3i_srv *srv = cls;
	struct s3i_http_req *r = *con_cls;
	(void)conn;
	(void)toe;
	if (!r)
		return;
	if (r->status)
		s3i_metrics_record(&srv->metrics, r->slot, r->status, s3i_metrics_now() - r->t0);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;

/* libmicrohttpd's error log, as one "s3inv: serve: ..." line each. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char b[512];
	size_t n;
	(void)cls;
	vsnprintf(b, sizeof b, fmt, ap);
	n = strlen(b);
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		b[--n] = '\0';
	fprintf(stderr, "s3inv: serve: %s\n", b);
}

int s3i_http_start(struct s3i_srv *srv, const void *addr, unsigned addrlen, unsigned threads,
                   char *msg, size_t cap)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	const struct sockaddr *sa = addr;
	struct MHD_OptionItem ops[] = {
	    {MHD_OPTION_SOCK_ADDR, 0, (void *)sa},
	    {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_log, srv},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_done, srv},
	    {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
	    {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
	    {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
	    {MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	(void)addrlen;
	if (threads <= 1)
		ops[6].option = MHD_OPTION_END;
	if (sa->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s3i_metrics_init(&srv->metrics, NULL, 0);
	{
		const char *names[S3I_METRICS_MAX_EP];
		size_t n = 0;
		for (size_t i = 0; i < s3i_api_nroutes && n < S3I_METRICS_MAX_EP - 2; i++)
			names[n++] = s3i_api_routes[i].name;
		names[n++] = "static";
		names[n++] = "other";
		s3i_metrics_init(&srv->metrics, names, n);
	}
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	                               MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	                               MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
	if (!srv->daemon) {
		snprintf(msg, cap, "cannot listen (address in use, or not permitted?)");
		return -1;
	}
	return 0;
}

unsigned s3i_http_port(struct s3i_srv *srv)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return di ? di->port : 0;
}

void s3i_http_stop(struct s3i_srv *srv)
{
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}
