/* SPDX-License-Identifier: MIT */
/*
 * server.c — s3i_server_run: resolve the listening address, open the
 * index set, start the HTTP daemon, then sleep in short slices until told
 * to stop, rescanning the set on schedule. See server.h.
 *
 * Signals: SIGINT and SIGTERM are blocked while the daemon's threads are
 * created (they inherit the mask), then unblocked in this thread, so the
 * signal interrupts our sleep rather than landing in a worker. Shutdown
 * order matters: the daemon is stopped (no request holds an index any
 * more) before the set is freed.
 */
#include "server.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "builds.h"
#include "http.h"
#include "indexset.h"

/* Split LISTEN into host and port and resolve it (numeric port; the host
 * may be a name). "PORT" alone means 127.0.0.1:PORT. */
static int resolve(struct sockaddr_storage *out, socklen_t *outlen, char *shown, size_t shown_cap,
                   const char *listen, char *msg, size_t cap)
{
	char host[256];
	const char *port, *colon;
	struct addrinfo hints, *res = NULL;
	int rc;
	size_t hlen;

	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':')
			goto bad;
		hlen = (size_t)(end - listen - 1);
		if (hlen == 0 || hlen >= sizeof host)
			goto bad;
		memcpy(host, listen + 1, hlen);
		port = end + 2;
	} else if ((colon = strrchr(listen, ':')) != NULL) {
		hlen = (size_t)(colon - listen);
		if (hlen == 0 || hlen >= sizeof host || memchr(listen, ':', hlen))
			goto bad;
		memcpy(host, listen, hlen);
		port = colon + 1;
	} else {
		hlen = strlen("127.0.0.1");
		memcpy(host, "127.0.0.1", hlen);
		port = listen;
	}
	host[hlen] = '\0';
	if (!*port || strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    atoi(port) > 65535)
		goto bad;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(msg, cap, "--listen %s: %s", listen, gai_strerror(rc));
		return -1;
	}
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*outlen = res->ai_addrlen;
	freeaddrinfo(res);
	snprintf(shown, shown_cap, "%s%s%s", strchr(host, ':') ? "[" : "", host,
	         strchr(host, ':') ? "]" : "");
	return 0;
bad:
	snprintf(msg, cap, "--listen %s: expected HOST:PORT, [IPV6]:PORT or PORT", listen);
	return -1;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		return memcmp(&a->sin6_addr, &in6addr_loopback, sizeof a->sin6_addr) == 0;
	}
	return false;
}

int s3i_server_run(const struct s3i_server_config *cfg, volatile sig_atomic_t *stop)
{
	struct s3i_srv srv;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	char host[300], msg[512];
	unsigned threads = cfg->threads;
	double rescan = cfg->rescan_s > 0 ? cfg->rescan_s : 5.0, next;
	sigset_t block, old;
	size_t nserved;
	int code = 0;

	memset(&srv, 0, sizeof srv);
	if (resolve(&ss, &sslen, host, sizeof host, cfg->listen ? cfg->listen : "127.0.0.1:8080",
	            msg, sizeof msg) < 0) {
		fprintf(stderr, "s3inv: serve: %s\n", msg);
		return 2;
	}
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (cfg->nsources > 0) { /* creates the index directory, then builds in the background */
		struct s3i_builds_config bc = {cfg->sources, cfg->nsources, cfg->dir,
		                               cfg->keep, cfg->build_budget, cfg->build_threads,
		                               cfg->source_rescan_s, cfg->quiet ? NULL : stderr,
		                               cfg->s3};
		sigset_t bl, prev;
		int rc;
		sigemptyset(&bl); /* the builder thread inherits a mask without SIGINT/SIGTERM */
		sigaddset(&bl, SIGINT);
		sigaddset(&bl, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &bl, &prev);
		rc = s3i_builds_start(&srv.builds, &bc, msg, sizeof msg);
		pthread_sigmask(SIG_SETMASK, &prev, NULL);
		if (rc < 0) {
			fprintf(stderr, "s3inv: serve: %s\n", msg);
			return 2;
		}
	}
	if (s3i_indexset_new(&srv.set, cfg->paths, cfg->npaths, cfg->dir,
	                     cfg->quiet ? NULL : stderr, msg, sizeof msg) < 0) {
		fprintf(stderr, "s3inv: serve: %s\n", msg);
		s3i_builds_stop(srv.builds);
		return 2;
	}
	{
		s3inv_error perr = {0, ""};
		int prc = cfg->prices ? s3inv_prices_load(&srv.prices, cfg->prices, &perr)
		                      : s3inv_prices_builtin(&srv.prices, &perr);
		if (prc < 0) {
			fprintf(stderr, "s3inv: serve: %s\n", perr.msg[0] ? perr.msg : s3inv_strerror(prc));
			s3i_indexset_free(srv.set);
			s3i_builds_stop(srv.builds);
			return 2;
		}
	}
	srv.token = cfg->token;
	srv.token_len = cfg->token ? strlen(cfg->token) : 0;
	if (!is_loopback(&ss) && !cfg->token)
		fprintf(stderr, "s3inv: serve: warning: listening on a non-loopback address without "
		                "--token: anyone who can reach it can read the indexes\n");

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (s3i_http_start(&srv, &ss, (unsigned)sslen, threads, msg, sizeof msg) < 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		fprintf(stderr, "s3inv: serve: %s: %s\n", cfg->listen ? cfg->listen : "127.0.0.1:8080",
		        msg);
		s3i_indexset_free(srv.set);
		return 2;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	{
		struct s3i_indexset_counts c;
		s3i_indexset_counts(srv.set, &c);
		nserved = (size_t)c.served;
	}
	printf("s3inv: serving %zu index%s on http://%s:%u/ (%u threads)\n", nserved,
	       nserved == 1 ? "" : "es", host, s3i_http_port(&srv), threads);
	fflush(stdout);

	next = s3i_metrics_now() + rescan;
	while (!*stop) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL); /* a signal cuts it short */
		if (*stop)
			break;
		if (srv.builds && s3i_builds_take_changed(srv.builds)) {
			s3i_indexset_rescan(srv.set); /* a build finished or --keep removed one */
			next = s3i_metrics_now() + rescan;
		}
		if (s3i_metrics_now() >= next) {
			s3i_indexset_rescan(srv.set);
			next = s3i_metrics_now() + rescan;
		}
	}
	s3i_http_stop(&srv);
	s3i_builds_stop(srv.builds); /* cancels a running build */
	s3i_indexset_free(srv.set);
	s3inv_prices_free(srv.prices);
	fprintf(stderr, "s3inv: serve: stopped\n");
	return code;
}
