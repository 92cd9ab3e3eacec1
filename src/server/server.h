/* SPDX-License-Identifier: MIT */
/*
 * server.h — `s3inv serve`: the HTTP/JSON API and the embedded web page
 * over a set of open indexes. This is the entry point the CLI calls; the
 * pieces live in indexset.h (the served set), http.h (libmicrohttpd glue,
 * request limits, auth, routing), api.c (the JSON handlers), metrics.h
 * (Prometheus counters) and assets.h (the web page compiled in).
 *
 * The server uses only the public API (s3inv.h) and src/front, like the
 * CLI; memory is plain malloc, and pthreads are used directly (the server
 * is a program, not part of libs3inv, and libmicrohttpd is pthread-based).
 *
 * It is read-only: nothing a request says can create, write or open a
 * file. Index names in requests are looked up in the served set, never
 * joined into paths.
 */
#ifndef S3I_SERVER_H
#define S3I_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of the API (docs/http-api.md). */
#define S3I_SRV_MAX_URI 8192            /* request target, query string included */
#define S3I_SRV_MAX_BODY (1u << 20)     /* POST body */
#define S3I_SRV_MAX_PAGE 1000           /* children/top page size, batch prefixes */
#define S3I_SRV_MAX_PREFIX 4096         /* bytes of a prefix parameter */

struct s3i_server_config {
	const char *listen;        /* "HOST:PORT", "[V6]:PORT" or "PORT"; NULL = 127.0.0.1:8080 */
	const char *token;         /* bearer token, or NULL for none */
	unsigned threads;          /* thread-pool size; 0 = number of CPUs */
	const char *const *paths;  /* index files (fixed set), or NULL with dir */
	size_t npaths;
	const char *dir;           /* directory of *.s3i files, rescanned; or NULL */
	double rescan_s;           /* seconds between rescans; <= 0 = 5 */
	bool quiet;                /* no per-change notices on stderr */
	/* background builds (builds.h): with sources, dir is the index directory */
	const char *const *sources; /* report folders or s3:// prefixes, or NULL */
	size_t nsources;
	unsigned keep;              /* indexes kept per source; 0 = all */
	uint64_t build_budget;      /* bytes; 0 = library default */
	unsigned build_threads;     /* 0 = library default */
	double source_rescan_s;     /* seconds between source rescans; <= 0 = 60 */
	const char *prices;         /* price table JSON for cost=1, or NULL = built-in */
	const struct s3inv_build_options *s3; /* S3 access of the sources (region, profile,
	                                       * endpoint, ...), or NULL for the defaults */
};

/** Open the indexes, start listening, print one line
 *  "s3inv: serving N index(es) on http://HOST:PORT/" to stdout, then serve
 *  until *STOP becomes non-zero (set it from a signal handler), rescanning
 *  between sleeps. Errors are printed as one "s3inv: ..." line on stderr.
 *  @return 0 on a clean stop, 2 when the server could not start. */
int s3i_server_run(const struct s3i_server_config *cfg, volatile sig_atomic_t *stop);

#endif
