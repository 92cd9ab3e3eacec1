/* SPDX-License-Identifier: MIT */
/*
 * builds.h — background builds for `s3inv serve --source`: list the
 * inventory reports under each source, build the newest one not yet built
 * into the index directory (which the server serves like --dir), keep the
 * last N indexes per source, and expose the state to the API (reports,
 * builds, progress for the Server-Sent Events stream, cancel, retry).
 *
 * One builder thread does everything that touches the disk or the
 * network: rescans (s3inv_reports_list per source, then a look at every
 * *.s3i in the index directory), builds (one at a time, s3inv_build_run
 * with its progress callback and cancel flag), renames and deletions.
 * Request threads only read a snapshot under the manager's mutex and post
 * requests (rescan, cancel, retry); nothing from a request is used to build
 * a path. Output names are <source-bucket>-<report date>.s3i, both taken
 * from the built index and the report folder name and validated.
 *
 * There is no database: what is built is re-discovered at every rescan
 * from the index files' own metadata (manifest path, creation time), so a
 * restarted server sees its earlier builds and does not redo them. Jobs
 * (the build history shown by /api/builds) live in memory only.
 */
#ifndef S3I_SERVER_BUILDS_H
#define S3I_SERVER_BUILDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct s3i_builds;

struct s3i_builds_config {
	const char *const *sources; /* local report folders or s3:// prefixes */
	size_t nsources;
	const char *index_dir;      /* where indexes are written (created if absent) */
	unsigned keep;              /* indexes kept per source; 0 = all */
	uint64_t budget;            /* build memory budget, bytes; 0 = library default */
	unsigned threads;           /* build threads; 0 = library default */
	double rescan_s;            /* seconds between source rescans; <= 0 = 60 */
	FILE *log;                  /* one line per notice, or NULL */
	const struct s3inv_build_options *s3; /* S3 access options (must outlive the builds), or NULL */
};

/** Check the configuration, create the index directory if needed and
 *  start the builder thread (it rescans at once).
 *  @return 0, or -1 with a message in MSG. */
int s3i_builds_start(struct s3i_builds **out, const struct s3i_builds_config *cfg, char *msg,
                     size_t cap);

/** Cancel a running build, stop the thread and free everything. Accepts NULL. */
void s3i_builds_stop(struct s3i_builds *b);

/** True once after the index directory changed (an index was written or
 *  deleted): the caller then rescans its index set. Thread-safe. */
bool s3i_builds_take_changed(struct s3i_builds *b);

/** Ask for a rescan of the sources as soon as the builder is free. */
void s3i_builds_rescan(struct s3i_builds *b);

/** Cancel job ID. @return 0, -1 when there is no such job, -2 when it is
 *  already finished. */
int s3i_builds_cancel(struct s3i_builds *b, uint64_t id);

/** Queue a new build of the report of job ID (failed or cancelled).
 *  @return the new job's id (> 0), 0 when there is no such job, -1 when it
 *  is not failed or cancelled, -2 out of memory. */
int64_t s3i_builds_retry(struct s3i_builds *b, uint64_t id);

/** JSON of GET /api/reports and GET /api/builds (one object each, with a
 *  trailing newline). */
void s3i_builds_reports_json(struct s3i_builds *b, struct s3i_json *j);
void s3i_builds_list_json(struct s3i_builds *b, struct s3i_json *j);

/** For the event stream: wait up to WAIT_S seconds for progress newer than
 *  *SEQ, then write the current state as one JSON object (no newline) and
 *  update *SEQ. @return true when a build is queued or running. */
bool s3i_builds_event_json(struct s3i_builds *b, uint64_t *seq, double wait_s,
                           struct s3i_json *j);

/* HTTP handlers (builds_api.c; rows in s3i_api_routes). Without --source
 * they answer 404 "no --source configured", except /api/reports, which
 * says {"enabled":false,"sources":[]}. */
struct s3i_srv;
struct s3i_http_req;
void s3i_builds_h_reports(struct s3i_srv *srv, struct s3i_http_req *r);
void s3i_builds_h_list(struct s3i_srv *srv, struct s3i_http_req *r);
void s3i_builds_h_rescan(struct s3i_srv *srv, struct s3i_http_req *r);
void s3i_builds_h_cancel(struct s3i_srv *srv, struct s3i_http_req *r);
void s3i_builds_h_retry(struct s3i_srv *srv, struct s3i_http_req *r);
void s3i_builds_h_events(struct s3i_srv *srv, struct s3i_http_req *r);

/** SSE streams open now: take a slot (false when MAX are taken) / give it back. */
bool s3i_builds_stream_enter(struct s3i_builds *b, unsigned max);
void s3i_builds_stream_leave(struct s3i_builds *b);

#endif
