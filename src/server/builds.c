/* SPDX-License-Identifier: MIT */
/*
 * builds.c — the background builder of `s3inv serve --source`. See
 * builds.h for the design; this paragraph is about the moving parts.
 *
 * State: per source, the last report listing (or its error); per index
 * file in the output directory, what it was built from (manifest path,
 * source bucket, creation time), read from its own header at each rescan;
 * and a bounded list of jobs. One mutex guards all of it; one condition
 * variable wakes the builder (rescan, retry, stop) and the event streams
 * (progress). The builder thread drops the mutex while it lists, opens or
 * builds, so a request never waits for disk or network.
 *
 * A job is queued for the newest complete report of a source when no index
 * was built from its manifest and no job for it is queued, running, failed
 * or cancelled (a failed or cancelled build waits for an explicit retry
 * rather than looping). A build writes OUT/.build-<id>.partial; the library
 * writes it under a temporary name and renames it only when complete, and
 * removes everything on error or cancellation. The finished file is then
 * opened, its source bucket checked against a conservative character set,
 * and hard-linked to its final name (never overwriting an existing file),
 * so a served *.s3i is always complete.
 *
 * Keep: after a successful build, the indexes of the same source (their
 * manifest lies under the source) beyond the newest KEEP by creation time
 * are deleted. The server's index set notices at its next rescan and
 * closes them once the last request using them is done.
 */
#include "builds.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "s3inv.h"

#define MAX_JOBS 64       /* jobs remembered; the oldest finished ones go first */
#define MAX_SOURCES 64
#define MAX_BUILT 4096    /* index files looked at in the output directory */

enum state { ST_QUEUED, ST_RUNNING, ST_DONE, ST_FAILED, ST_CANCELLED };
static const char *const state_names[] = {"queued", "running", "done", "failed", "cancelled"};
static const char *const phase_names[] = {"manifest", "scan", "merge", "write", "hash", "done"};

struct job {
	uint64_t id;
	size_t src;            /* index into sources */
	s3inv_report rep;      /* the report it builds */
	enum state st;
	s3inv_progress prog;
	bool has_prog;
	double queued_at, started_at, ended_at; /* wall clock, seconds */
	char error[256];
	char output[300];      /* final file name, set when done */
	volatile int cancel;
	uint64_t retry_of;
};

struct source {
	char *name;            /* as given */
	char *norm;            /* absolute path (local) or URL, with a trailing '/' */
	s3inv_report *reports; /* newest first; s3inv_free */
	size_t nreports;
	char error[256];       /* of the last listing */
	double listed_at;
};

struct built {             /* one index file in the output directory */
	char *file;            /* basename */
	char *manifest;
	char *bucket;
	int64_t creation_ms;
	double mtime;
};

struct s3i_builds {
	struct s3i_builds_config cfg;
	char *dir;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t wake;     /* builder: rescan, retry, stop */
	pthread_cond_t progress; /* event streams */
	bool stop, rescan_asked;
	atomic_bool changed;
	struct source src[MAX_SOURCES];
	size_t nsrc;
	struct built *built;
	size_t nbuilt;
	struct job *jobs[MAX_JOBS];
	size_t njobs;
	uint64_t next_id;
	uint64_t seq;            /* bumped on every change the streams show */
	unsigned streams;
	double last_scan;
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void logf_(struct s3i_builds *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void logf_(struct s3i_builds *b, const char *fmt, ...)
{
	va_list ap;
	if (!b->cfg.log)
		return;
	va_start(ap, fmt);
	fputs("s3inv: serve: ", b->cfg.log);
	vfprintf(b->cfg.log, fmt, ap);
	fputc('\n', b->cfg.log);
	va_end(ap);
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

static bool starts_with(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* A report folder name as AWS writes it: YYYY-MM-DDTHH-MMZ. */
static bool valid_date(const char *d)
{
	static const char pat[] = "dddd-dd-ddTdd-ddZ";
	if (strlen(d) != sizeof pat - 1)
		return false;
	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? (d[i] < '0' || d[i] > '9') : d[i] != pat[i])
			return false;
	}
	return true;
}

/* A bucket name safe in a file name: 1-63 of [a-z0-9.-_], not starting with '.'. */
static bool valid_bucket(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_'))
			return false;
	}
	return true;
}

static void free_built(struct built *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].manifest);
		free(v[i].bucket);
	}
	free(v);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Read the metadata of every *.s3i in the output directory (builder thread,
 * no lock held). A file that cannot be opened is skipped. */
static int scan_dir(struct s3i_builds *b, struct built **out, size_t *n)
{
	DIR *d = opendir(b->dir);
	struct dirent *de;
	struct built *v = NULL;
	size_t cnt = 0, cap = 0;
	char path[PATH_MAX];
	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL && cnt < MAX_BUILT) {
		s3inv_index *idx = NULL;
		s3inv_index_info in;
		struct stat st;
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".s3i"))
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", b->dir, de->d_name) >= sizeof path)
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (s3inv_index_open(&idx, path, S3INV_OPEN_DEFAULT, NULL) < 0)
			continue;
		s3inv_index_info_get(idx, &in);
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct built *p = realloc(v, nc * sizeof *v);
			if (!p) {
				s3inv_index_close(idx);
				break;
			}
			v = p;
			cap = nc;
		}
		v[cnt].file = dupstr(de->d_name);
		v[cnt].manifest = dupstr(in.manifest ? in.manifest : "");
		v[cnt].bucket = dupstr(in.source_bucket ? in.source_bucket : "");
		v[cnt].creation_ms = in.creation_ms;
		v[cnt].mtime = (double)st.st_mtime;
		s3inv_index_close(idx);
		cnt++;
		if (!v[cnt - 1].file || !v[cnt - 1].manifest || !v[cnt - 1].bucket)
			break;
	}
	closedir(d);
	*out = v;
	*n = cnt;
	return 0;
}

/* The index built from MANIFEST, or NULL. Lock held. */
static const struct built *find_built(const struct s3i_builds *b, const char *manifest)
{
	for (size_t i = 0; i < b->nbuilt; i++)
		if (strcmp(b->built[i].manifest, manifest) == 0)
			return &b->built[i];
	return NULL;
}

/* Drop the oldest finished job to make room. Lock held. */
static bool make_room(struct s3i_builds *b)
{
	if (b->njobs < MAX_JOBS)
		return true;
	for (size_t i = 0; i < b->njobs; i++) {
		if (b->jobs[i]->st >= ST_DONE) {
			free(b->jobs[i]);
			memmove(&b->jobs[i], &b->jobs[i + 1], (b->njobs - i - 1) * sizeof b->jobs[0]);
			b->njobs--;
			return true;
		}
	}
	return false;
}

/* Queue a build of REP from source SRC. Lock held. */
static struct job *queue_job(struct s3i_builds *b, size_t src, const s3inv_report *rep,
                             uint64_t retry_of)
{
	struct job *j;
	if (!make_room(b) || (j = calloc(1, sizeof *j)) == NULL)
		return NULL;
	j->id = b->next_id++;
	j->src = src;
	j->rep = *rep;
	j->st = ST_QUEUED;
	j->queued_at = wall_now();
	j->retry_of = retry_of;
	b->jobs[b->njobs++] = j;
	b->seq++;
	pthread_cond_broadcast(&b->progress);
	return j;
}

/* After a rescan: queue the newest complete report of each source when it
 * has no index and no pending or unsuccessful job. Lock held. */
static void plan(struct s3i_builds *b)
{
	for (size_t s = 0; s < b->nsrc; s++) {
		const s3inv_report *rep = NULL;
		bool blocked = false;
		for (size_t i = 0; i < b->src[s].nreports; i++) {
			if (b->src[s].reports[i].complete && valid_date(b->src[s].reports[i].date)) {
				rep = &b->src[s].reports[i];
				break;
			}
		}
		if (!rep || find_built(b, rep->manifest))
			continue;
		for (size_t i = 0; i < b->njobs; i++)
			if (b->jobs[i]->src == s && strcmp(b->jobs[i]->rep.manifest, rep->manifest) == 0 &&
			    b->jobs[i]->st != ST_DONE)
				blocked = true;
		if (!blocked && queue_job(b, s, rep, 0))
			logf_(b, "queued build of %s (%s)", rep->date, b->src[s].name);
	}
}

/* The dated folder of a manifest path (".../2026-11-22T01-00Z/manifest.json"),
 * or "" when it has none. */
static void date_of(char out[32], const char *manifest)
{
	size_t n = strlen(manifest), e, st;
	out[0] = '\0';
	if (n < 15 || strcmp(manifest + n - 14, "/manifest.json") != 0)
		return;
	e = n - 14;
	st = e;
	while (st > 0 && manifest[st - 1] != '/')
		st--;
	if (e - st < 32) {
		memcpy(out, manifest + st, e - st);
		out[e - st] = '\0';
		if (!valid_date(out))
			out[0] = '\0';
	}
}

/* Newer first: by report folder date, then creation time, then name. */
static bool newer(const struct built *a, const struct built *b)
{
	char da[32], db[32];
	int c;
	date_of(da, a->manifest);
	date_of(db, b->manifest);
	if ((c = strcmp(da, db)) != 0)
		return c > 0;
	if (a->creation_ms != b->creation_ms)
		return a->creation_ms > b->creation_ms;
	return strcmp(a->file, b->file) > 0;
}

/* Delete the indexes of source S beyond the newest KEEP; JUST_BUILT (a
 * file name) is never deleted. Builder thread, no lock. */
static void apply_keep(struct s3i_builds *b, size_t s, const struct built *v, size_t n,
                       const char *just_built)
{
	const struct built **mine;
	size_t m = 0;
	char path[PATH_MAX];
	if (b->cfg.keep == 0 || n == 0)
		return;
	mine = malloc(n * sizeof *mine);
	if (!mine)
		return;
	for (size_t i = 0; i < n; i++)
		if (starts_with(v[i].manifest, b->src[s].norm))
			mine[m++] = &v[i];
	/* newest first: insertion sort by creation time, then name */
	for (size_t i = 1; i < m; i++) {
		const struct built *x = mine[i];
		size_t k = i;
		while (k > 0 && newer(x, mine[k - 1])) {
			mine[k] = mine[k - 1];
			k--;
		}
		mine[k] = x;
	}
	for (size_t i = b->cfg.keep; i < m; i++) {
		if (strcmp(mine[i]->file, just_built) == 0)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", b->dir, mine[i]->file) >= sizeof path)
			continue;
		if (unlink(path) == 0) {
			logf_(b, "removed %s (--keep %u)", mine[i]->file, b->cfg.keep);
			atomic_store(&b->changed, true);
		} else {
			logf_(b, "cannot remove %s: %s", path, strerror(errno));
		}
	}
	free(mine);
}

/* List every source and the output directory, then plan. Builder thread. */
/* Build options with the configured S3 access. */
static void s3_opts(const struct s3i_builds *b, s3inv_build_options *o)
{
	const s3inv_build_options *s = b->cfg.s3;
	if (!s)
		return;
	o->region = s->region;
	o->profile = s->profile;
	o->endpoint_url = s->endpoint_url;
	o->requester_pays = s->requester_pays;
	o->max_connections = s->max_connections;
	o->part_size = s->part_size;
}

static void rescan(struct s3i_builds *b)
{
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3_opts(b, &o);
	struct built *v;
	size_t nv;
	for (size_t s = 0; s < b->nsrc; s++) {
		s3inv_report *reps = NULL;
		size_t n = 0;
		s3inv_error err;
		int rc;
		memset(&err, 0, sizeof err);
		rc = s3inv_reports_list(&reps, &n, b->src[s].name, &o, &err);
		pthread_mutex_lock(&b->mu);
		s3inv_free(b->src[s].reports);
		b->src[s].reports = rc < 0 ? NULL : reps;
		b->src[s].nreports = rc < 0 ? 0 : n;
		if (rc < 0) {
			snprintf(b->src[s].error, sizeof b->src[s].error, "%s",
			         err.msg[0] ? err.msg : s3inv_strerror(rc));
			s3inv_free(reps);
		} else {
			b->src[s].error[0] = '\0';
		}
		b->src[s].listed_at = wall_now();
		pthread_mutex_unlock(&b->mu);
		if (rc < 0)
			logf_(b, "source %s: %s", b->src[s].name, b->src[s].error);
	}
	if (scan_dir(b, &v, &nv) < 0)
		logf_(b, "%s: cannot read the index directory", b->dir);
	pthread_mutex_lock(&b->mu);
	free_built(b->built, b->nbuilt);
	b->built = v;
	b->nbuilt = nv;
	b->last_scan = wall_now();
	plan(b);
	b->seq++;
	pthread_cond_broadcast(&b->progress);
	pthread_mutex_unlock(&b->mu);
}

struct prog_ctx {
	struct s3i_builds *b;
	struct job *j;
};

/* The build's progress callback (builder thread): publish a copy. */
static void on_progress(const s3inv_progress *p, void *payload)
{
	struct prog_ctx *c = payload;
	pthread_mutex_lock(&c->b->mu);
	c->j->prog = *p;
	c->j->has_prog = true;
	c->b->seq++;
	pthread_cond_broadcast(&c->b->progress);
	pthread_mutex_unlock(&c->b->mu);
}

/* Build job J (state running). Builder thread, no lock held. */
static void run_job(struct s3i_builds *b, struct job *j)
{
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3inv_error err;
	s3inv_index *idx = NULL;
	s3inv_index_info in;
	struct prog_ctx ctx = {b, j};
	char part[PATH_MAX], final[PATH_MAX], name[300];
	enum state st = ST_FAILED;
	char msg[256] = "";
	int rc;

	memset(&err, 0, sizeof err);
	s3_opts(b, &o);
	o.threads = b->cfg.threads;
	o.mem_budget = b->cfg.budget;
	o.tmp_dir = b->dir;
	o.progress = on_progress;
	o.progress_payload = &ctx;
	o.cancel = &j->cancel;
	if ((size_t)snprintf(part, sizeof part, "%s/.build-%" PRIu64 ".partial", b->dir, j->id) >=
	    sizeof part) {
		snprintf(msg, sizeof msg, "index directory path too long");
		goto out;
	}
	logf_(b, "building %s (%s)", j->rep.date, b->src[j->src].name);
	rc = s3inv_build_run(NULL, j->rep.manifest, part, &o, &err);
	if (rc == S3INV_ECANCELED) {
		st = ST_CANCELLED;
		snprintf(msg, sizeof msg, "cancelled");
		goto out;
	}
	if (rc < 0) {
		snprintf(msg, sizeof msg, "%s", err.msg[0] ? err.msg : s3inv_strerror(rc));
		goto out;
	}
	if (s3inv_index_open(&idx, part, S3INV_OPEN_DEFAULT, &err) < 0) {
		snprintf(msg, sizeof msg, "%s", err.msg[0] ? err.msg : "cannot open the new index");
		goto out;
	}
	s3inv_index_info_get(idx, &in);
	if (!valid_bucket(in.source_bucket ? in.source_bucket : "")) {
		snprintf(msg, sizeof msg, "source bucket '%.100s' is not usable in a file name",
		         in.source_bucket ? in.source_bucket : "");
		goto out;
	}
	snprintf(name, sizeof name, "%s-%s.s3i", in.source_bucket, j->rep.date);
	if ((size_t)snprintf(final, sizeof final, "%s/%s", b->dir, name) >= sizeof final) {
		snprintf(msg, sizeof msg, "index directory path too long");
		goto out;
	}
	if (link(part, final) != 0) {
		snprintf(msg, sizeof msg, "%.120s: %s", name,
		         errno == EEXIST ? "exists already (built from another source?)"
		                         : strerror(errno));
		goto out;
	}
	st = ST_DONE;
	pthread_mutex_lock(&b->mu);
	snprintf(j->output, sizeof j->output, "%s", name);
	pthread_mutex_unlock(&b->mu);
	atomic_store(&b->changed, true);
	logf_(b, "built %s", name);
out:
	s3inv_index_close(idx);
	unlink(part); /* the library left nothing on failure; on success the link remains */
	if (st == ST_DONE) {
		struct built *v;
		size_t nv;
		if (scan_dir(b, &v, &nv) == 0) {
			apply_keep(b, j->src, v, nv, name);
			free_built(v, nv);
		}
		if (scan_dir(b, &v, &nv) == 0) {
			pthread_mutex_lock(&b->mu);
			free_built(b->built, b->nbuilt);
			b->built = v;
			b->nbuilt = nv;
			pthread_mutex_unlock(&b->mu);
		}
	} else {
		logf_(b, "build of %s failed: %s", j->rep.date, msg);
	}
	pthread_mutex_lock(&b->mu);
	j->st = st;
	j->ended_at = wall_now();
	if (st != ST_DONE)
		snprintf(j->error, sizeof j->error, "%s", msg);
	b->seq++;
	pthread_cond_broadcast(&b->progress);
	pthread_mutex_unlock(&b->mu);
}

static void *builder(void *arg)
{
	struct s3i_builds *b = arg;
	double rescan_s = b->cfg.rescan_s > 0 ? b->cfg.rescan_s : 60.0;
	double next = 0;
	pthread_mutex_lock(&b->mu);
	while (!b->stop) {
		struct job *j = NULL;
		if (b->rescan_asked || wall_now() >= next) {
			b->rescan_asked = false;
			pthread_mutex_unlock(&b->mu);
			rescan(b);
			pthread_mutex_lock(&b->mu);
			next = wall_now() + rescan_s;
			continue;
		}
		for (size_t i = 0; i < b->njobs && !j; i++)
			if (b->jobs[i]->st == ST_QUEUED)
				j = b->jobs[i];
		if (j) {
			j->st = ST_RUNNING;
			j->started_at = wall_now();
			b->seq++;
			pthread_cond_broadcast(&b->progress);
			pthread_mutex_unlock(&b->mu);
			run_job(b, j);
			pthread_mutex_lock(&b->mu);
			continue;
		}
		{
			struct timespec ts;
			double until = next < wall_now() + 1.0 ? next : wall_now() + 1.0;
			ts.tv_sec = (time_t)until;
			ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
			pthread_cond_timedwait(&b->wake, &b->mu, &ts);
		}
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* ---------------------------------------------------------------- */

static int normalize_source(struct source *s, const char *name, char *msg, size_t cap)
{
	char real[PATH_MAX];
	size_t n;
	s->name = dupstr(name);
	if (!s->name)
		goto oom;
	if (starts_with(name, "s3://")) {
		n = strlen(name);
		s->norm = malloc(n + 2);
		if (!s->norm)
			goto oom;
		memcpy(s->norm, name, n + 1);
		if (n > 0 && name[n - 1] != '/')
			memcpy(s->norm + n, "/", 2);
		return 0;
	}
	if (!realpath(name, real)) {
		snprintf(msg, cap, "--source %s: %s", name, strerror(errno));
		return -1;
	}
	free(s->name); /* build from the absolute path, so manifests match after a cd */
	s->name = dupstr(real);
	n = strlen(real);
	s->norm = malloc(n + 2);
	if (!s->name || !s->norm)
		goto oom;
	memcpy(s->norm, real, n + 1);
	if (real[n - 1] != '/')
		memcpy(s->norm + n, "/", 2);
	return 0;
oom:
	snprintf(msg, cap, "out of memory");
	return -1;
}

int s3i_builds_start(struct s3i_builds **out, const struct s3i_builds_config *cfg, char *msg,
                     size_t cap)
{
	struct s3i_builds *b;
	char real[PATH_MAX];
	*out = NULL;
	if (cfg->nsources == 0 || cfg->nsources > MAX_SOURCES || !cfg->index_dir) {
		snprintf(msg, cap, "--source needs --index-dir (and at most %d sources)", MAX_SOURCES);
		return -1;
	}
	if (mkdir(cfg->index_dir, 0755) != 0 && errno != EEXIST) {
		snprintf(msg, cap, "--index-dir %s: %s", cfg->index_dir, strerror(errno));
		return -1;
	}
	if (!realpath(cfg->index_dir, real)) {
		snprintf(msg, cap, "--index-dir %s: %s", cfg->index_dir, strerror(errno));
		return -1;
	}
	b = calloc(1, sizeof *b);
	if (!b || (b->dir = dupstr(real)) == NULL) {
		free(b);
		snprintf(msg, cap, "out of memory");
		return -1;
	}
	b->cfg = *cfg;
	b->next_id = 1;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->wake, NULL);
	pthread_cond_init(&b->progress, NULL);
	for (size_t i = 0; i < cfg->nsources; i++) {
		if (normalize_source(&b->src[i], cfg->sources[i], msg, cap) < 0) {
			b->nsrc = i + 1;
			s3i_builds_stop(b);
			return -1;
		}
		b->nsrc = i + 1;
	}
	/* leftovers of a server killed during a build */
	{
		DIR *d = opendir(b->dir);
		struct dirent *de;
		char path[PATH_MAX];
		while (d && (de = readdir(d)) != NULL) {
			if (starts_with(de->d_name, ".build-") && (has_suffix(de->d_name, ".partial") ||
			                                           strstr(de->d_name, ".partial.tmp-"))) {
				if ((size_t)snprintf(path, sizeof path, "%s/%s", b->dir, de->d_name) < sizeof path)
					unlink(path);
			}
		}
		if (d)
			closedir(d);
	}
	if (pthread_create(&b->thread, NULL, builder, b) != 0) {
		snprintf(msg, cap, "cannot start the builder thread");
		s3i_builds_stop(b);
		return -1;
	}
	b->thread_started = true;
	*out = b;
	return 0;
}

void s3i_builds_stop(struct s3i_builds *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	for (size_t i = 0; i < b->njobs; i++)
		if (b->jobs[i]->st == ST_RUNNING)
			b->jobs[i]->cancel = 1;
	pthread_cond_broadcast(&b->wake);
	pthread_cond_broadcast(&b->progress);
	pthread_mutex_unlock(&b->mu);
	if (b->thread_started)
		pthread_join(b->thread, NULL);
	for (size_t i = 0; i < b->nsrc; i++) {
		free(b->src[i].name);
		free(b->src[i].norm);
		s3inv_free(b->src[i].reports);
	}
	free_built(b->built, b->nbuilt);
	for (size_t i = 0; i < b->njobs; i++)
		free(b->jobs[i]);
	pthread_cond_destroy(&b->wake);
	pthread_cond_destroy(&b->progress);
	pthread_mutex_destroy(&b->mu);
	free(b->dir);
	free(b);
}

bool s3i_builds_take_changed(struct s3i_builds *b)
{
	return atomic_exchange(&b->changed, false);
}

void s3i_builds_rescan(struct s3i_builds *b)
{
	pthread_mutex_lock(&b->mu);
	b->rescan_asked = true;
	pthread_cond_broadcast(&b->wake);
	pthread_mutex_unlock(&b->mu);
}

static struct job *find_job(struct s3i_builds *b, uint64_t id)
{
	for (size_t i = 0; i < b->njobs; i++)
		if (b->jobs[i]->id == id)
			return b->jobs[i];
	return NULL;
}

int s3i_builds_cancel(struct s3i_builds *b, uint64_t id)
{
	struct job *j;
	int rc = 0;
	pthread_mutex_lock(&b->mu);
	j = find_job(b, id);
	if (!j) {
		rc = -1;
	} else if (j->st == ST_QUEUED) {
		j->st = ST_CANCELLED;
		j->ended_at = wall_now();
		snprintf(j->error, sizeof j->error, "cancelled before it started");
	} else if (j->st == ST_RUNNING) {
		j->cancel = 1;
	} else {
		rc = -2;
	}
	b->seq++;
	pthread_cond_broadcast(&b->progress);
	pthread_mutex_unlock(&b->mu);
	return rc;
}

int64_t s3i_builds_retry(struct s3i_builds *b, uint64_t id)
{
	struct job *j, *n;
	int64_t rc;
	pthread_mutex_lock(&b->mu);
	j = find_job(b, id);
	if (!j) {
		rc = 0;
	} else if (j->st != ST_FAILED && j->st != ST_CANCELLED) {
		rc = -1;
	} else {
		struct job copy = *j;
		n = queue_job(b, copy.src, &copy.rep, copy.id);
		rc = n ? (int64_t)n->id : -2;
		pthread_cond_broadcast(&b->wake);
	}
	pthread_mutex_unlock(&b->mu);
	return rc;
}

/* ---------------------------------------------------------------- */

/* Overall percent: the scan is 90 % of the work (by bytes), the rest 10 %. */
static double percent_of(const struct job *j)
{
	const s3inv_progress *p = &j->prog;
	if (j->st == ST_DONE)
		return 100.0;
	if (!j->has_prog)
		return 0.0;
	switch (p->phase) {
	case S3INV_PHASE_MANIFEST: return 0.0;
	case S3INV_PHASE_SCAN:
		if (p->bytes_total > 0)
			return 90.0 * (double)p->bytes_done / (double)p->bytes_total;
		if (p->files_total > 0)
			return 90.0 * (double)p->files_done / (double)p->files_total;
		return 0.0;
	case S3INV_PHASE_MERGE: return 92.0;
	case S3INV_PHASE_WRITE: return 95.0;
	case S3INV_PHASE_HASH: return 98.0;
	default: return 100.0;
	}
}

static void ms_or_null(struct s3i_json *j, const char *key, double t)
{
	s3i_json_key(j, key);
	if (t > 0)
		s3i_json_i64(j, (int64_t)(t * 1000.0));
	else
		s3i_json_null(j);
}

/* One job as JSON. Lock held. */
static void job_json(struct s3i_builds *b, const struct job *jb, struct s3i_json *j)
{
	double pct = percent_of(jb), el = 0, eta = -1;
	if (jb->st == ST_RUNNING) {
		el = wall_now() - jb->started_at;
		if (pct >= 1.0 && pct < 100.0)
			eta = el * (100.0 - pct) / pct;
	} else if (jb->started_at > 0 && jb->ended_at > 0) {
		el = jb->ended_at - jb->started_at;
	}
	s3i_json_obj_open(j);
	s3i_json_key(j, "id");
	s3i_json_u64(j, jb->id);
	s3i_json_key(j, "source");
	s3i_json_str(j, b->src[jb->src].name);
	s3i_json_key(j, "date");
	s3i_json_str(j, jb->rep.date);
	s3i_json_key(j, "manifest");
	s3i_json_str(j, jb->rep.manifest);
	s3i_json_key(j, "state");
	s3i_json_str(j, state_names[jb->st]);
	s3i_json_key(j, "phase");
	if (jb->st == ST_RUNNING && !jb->has_prog)
		s3i_json_str(j, "manifest"); /* started, no progress reported yet */
	else if (jb->st == ST_RUNNING && (unsigned)jb->prog.phase <= S3INV_PHASE_DONE)
		s3i_json_str(j, phase_names[jb->prog.phase]);
	else if (jb->st == ST_DONE)
		s3i_json_str(j, "done");
	else
		s3i_json_null(j);
	s3i_json_key(j, "percent");
	s3i_json_double(j, (double)(int64_t)(pct * 10.0) / 10.0);
	s3i_json_key(j, "eta_s");
	if (eta >= 0)
		s3i_json_double(j, (double)(int64_t)(eta * 10.0) / 10.0);
	else
		s3i_json_null(j);
	s3i_json_key(j, "elapsed_s");
	s3i_json_double(j, (double)(int64_t)(el * 10.0) / 10.0);
	s3i_json_key(j, "files_done");
	s3i_json_u64(j, jb->prog.files_done);
	s3i_json_key(j, "files_total");
	s3i_json_u64(j, jb->has_prog ? jb->prog.files_total : jb->rep.files);
	s3i_json_key(j, "bytes_done");
	s3i_json_u64(j, jb->prog.bytes_done);
	s3i_json_key(j, "bytes_total");
	s3i_json_u64(j, jb->has_prog ? jb->prog.bytes_total : jb->rep.bytes);
	s3i_json_key(j, "rows");
	s3i_json_u64(j, jb->prog.rows);
	ms_or_null(j, "queued_ms", jb->queued_at);
	ms_or_null(j, "started_ms", jb->started_at);
	ms_or_null(j, "ended_ms", jb->ended_at);
	s3i_json_key(j, "index");
	if (jb->output[0])
		s3i_json_strn(j, jb->output, strlen(jb->output) - 4); /* served name: no .s3i */
	else
		s3i_json_null(j);
	s3i_json_key(j, "error");
	if (jb->error[0] && jb->st != ST_DONE)
		s3i_json_str(j, jb->error);
	else
		s3i_json_null(j);
	s3i_json_key(j, "retry_of");
	if (jb->retry_of)
		s3i_json_u64(j, jb->retry_of);
	else
		s3i_json_null(j);
	s3i_json_obj_close(j);
}

void s3i_builds_reports_json(struct s3i_builds *b, struct s3i_json *j)
{
	pthread_mutex_lock(&b->mu);
	s3i_json_obj_open(j);
	s3i_json_key(j, "enabled");
	s3i_json_bool(j, true);
	s3i_json_key(j, "index_dir");
	s3i_json_str(j, b->dir);
	ms_or_null(j, "scanned_ms", b->last_scan);
	s3i_json_key(j, "sources");
	s3i_json_arr_open(j);
	for (size_t s = 0; s < b->nsrc; s++) {
		const struct source *src = &b->src[s];
		s3i_json_obj_open(j);
		s3i_json_key(j, "source");
		s3i_json_str(j, src->name);
		s3i_json_key(j, "error");
		if (src->error[0])
			s3i_json_str(j, src->error);
		else
			s3i_json_null(j);
		ms_or_null(j, "listed_ms", src->listed_at);
		s3i_json_key(j, "reports");
		s3i_json_arr_open(j);
		for (size_t i = 0; i < src->nreports; i++) {
			const s3inv_report *r = &src->reports[i];
			const struct built *bt = find_built(b, r->manifest);
			s3i_json_obj_open(j);
			s3i_json_key(j, "date");
			s3i_json_str(j, r->date);
			s3i_json_key(j, "manifest");
			s3i_json_str(j, r->manifest);
			s3i_json_key(j, "format");
			s3i_json_str(j, r->format);
			s3i_json_key(j, "files");
			s3i_json_u64(j, r->files);
			s3i_json_key(j, "bytes");
			s3i_json_u64(j, r->bytes);
			s3i_json_key(j, "creation_ms");
			s3i_json_i64(j, r->creation_ms);
			s3i_json_key(j, "complete");
			s3i_json_bool(j, r->complete);
			s3i_json_key(j, "built");
			s3i_json_bool(j, bt != NULL);
			s3i_json_key(j, "index");
			if (bt)
				s3i_json_strn(j, bt->file, strlen(bt->file) - 4);
			else
				s3i_json_null(j);
			s3i_json_obj_close(j);
		}
		s3i_json_arr_close(j);
		s3i_json_obj_close(j);
	}
	s3i_json_arr_close(j);
	s3i_json_obj_close(j);
	s3i_json_raw(j, "\n", 1);
	pthread_mutex_unlock(&b->mu);
}

void s3i_builds_list_json(struct s3i_builds *b, struct s3i_json *j)
{
	pthread_mutex_lock(&b->mu);
	s3i_json_obj_open(j);
	s3i_json_key(j, "builds");
	s3i_json_arr_open(j);
	for (size_t i = b->njobs; i-- > 0;) /* newest first */
		job_json(b, b->jobs[i], j);
	s3i_json_arr_close(j);
	s3i_json_obj_close(j);
	s3i_json_raw(j, "\n", 1);
	pthread_mutex_unlock(&b->mu);
}

bool s3i_builds_event_json(struct s3i_builds *b, uint64_t *seq, double wait_s,
                           struct s3i_json *j)
{
	const struct job *run = NULL;
	size_t queued = 0;
	pthread_mutex_lock(&b->mu);
	if (b->seq == *seq && !b->stop && wait_s > 0) {
		double until = wall_now() + wait_s;
		struct timespec ts;
		ts.tv_sec = (time_t)until;
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&b->progress, &b->mu, &ts);
	}
	for (size_t i = 0; i < b->njobs; i++) {
		if (b->jobs[i]->st == ST_RUNNING)
			run = b->jobs[i];
		else if (b->jobs[i]->st == ST_QUEUED)
			queued++;
	}
	*seq = b->seq;
	s3i_json_obj_open(j);
	s3i_json_key(j, "seq");
	s3i_json_u64(j, b->seq);
	s3i_json_key(j, "queued");
	s3i_json_u64(j, queued);
	s3i_json_key(j, "running");
	if (run)
		job_json(b, run, j);
	else
		s3i_json_null(j);
	s3i_json_key(j, "last");
	{
		const struct job *last = NULL;
		for (size_t i = 0; i < b->njobs; i++)
			if (b->jobs[i]->st >= ST_DONE &&
			    (!last || b->jobs[i]->ended_at >= last->ended_at))
				last = b->jobs[i];
		if (last)
			job_json(b, last, j);
		else
			s3i_json_null(j);
	}
	s3i_json_obj_close(j);
	pthread_mutex_unlock(&b->mu);
	return run || queued > 0;
}

bool s3i_builds_stream_enter(struct s3i_builds *b, unsigned max)
{
	bool ok;
	pthread_mutex_lock(&b->mu);
	ok = b->streams < max;
	if (ok)
		b->streams++;
	pthread_mutex_unlock(&b->mu);
	return ok;
}

void s3i_builds_stream_leave(struct s3i_builds *b)
{
	pthread_mutex_lock(&b->mu);
	if (b->streams > 0)
		b->streams--;
	pthread_mutex_unlock(&b->mu);
}
