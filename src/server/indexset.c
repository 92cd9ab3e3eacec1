/* SPDX-License-Identifier: MIT */
/*
 * indexset.c — the served set of indexes: opening, name lookup with
 * reference counting, and rescans that add, replace and drop indexes while
 * requests run. See indexset.h for the model.
 *
 * Locking: one mutex guards the array of entry pointers (and its length).
 * Lookups hold it for a binary search and one atomic increment. Opening and
 * verifying a file — which reads the whole file — happens with the lock
 * released; only the pointer swap is done under it. The rescan thread is
 * the only writer of the array, so it may read the array without the lock.
 */
#include "indexset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct failed {
	char *path;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	bool seen; /* still present in the last scan */
};

struct s3i_indexset {
	pthread_mutex_t mu;
	struct s3i_srv_index **v; /* sorted by name */
	size_t n, cap;
	char *dir;                /* directory mode when non-NULL */
	FILE *log;
	struct failed *bad;       /* files that failed to open, by identity */
	size_t nbad, capbad;
	atomic_uint_fast64_t open;
	atomic_uint_fast64_t reloads, failures;
};

struct ident {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

static int ident_of(struct ident *id, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}

static bool same_ident(const struct ident *a, uint64_t dev, uint64_t ino, uint64_t size,
                       int64_t mtime_ns)
{
	return a->dev == dev && a->ino == ino && a->size == size && a->mtime_ns == mtime_ns;
}

static void logf_(struct s3i_indexset *s, const char *what, const char *path, const char *msg)
{
	if (s->log) {
		fprintf(s->log, "s3inv: serve: %s %s%s%s\n", what, path, msg ? ": " : "",
		        msg ? msg : "");
		fflush(s->log);
	}
}

/* The served name of PATH: its basename without a trailing ".s3i". */
static char *name_of(const char *path, size_t *len)
{
	const char *b = strrchr(path, '/');
	size_t n;
	char *r;
	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".s3i") == 0)
		n -= 4;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, b, n);
	r[n] = '\0';
	*len = n;
	return r;
}

static void entry_close(struct s3i_srv_index *e)
{
	if (!e)
		return;
	if (e->idx && e->open_gauge)
		atomic_fetch_sub(e->open_gauge, 1);
	s3inv_index_close(e->idx);
	s3i_kidcache_free(e->kids);
	free(e->name);
	free(e->path);
	free(e);
}

/* Open PATH into a new entry with one reference (the set's). */
static int entry_open(struct s3i_srv_index **out, struct s3i_indexset *s, const char *path,
                      const struct ident *id, s3inv_error *err)
{
	struct s3i_srv_index *e = calloc(1, sizeof *e);
	int rc;
	*out = NULL;
	if (!e || !(e->path = strdup(path)) || !(e->name = name_of(path, &e->name_len))) {
		entry_close(e);
		err->code = S3INV_ENOMEM;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return S3INV_ENOMEM;
	}
	rc = s3inv_index_open(&e->idx, path, S3INV_OPEN_VERIFY, err);
	if (rc < 0) {
		entry_close(e);
		return rc;
	}
	atomic_fetch_add(&s->open, 1);
	e->open_gauge = &s->open;
	s3inv_index_info_get(e->idx, &e->info);
	e->kids = s3i_kidcache_new(); /* NULL only means no caching */
	e->dev = id->dev;
	e->ino = id->ino;
	e->size = id->size;
	e->mtime_ns = id->mtime_ns;
	atomic_init(&e->refs, 1);
	*out = e;
	return 0;
}

static int cmp_name(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Index of NAME in s->v, or where it would go (*found false). */
static size_t find(const struct s3i_indexset *s, const char *name, size_t len, bool *found)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_name(s->v[mid]->name, s->v[mid]->name_len, name, len);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Insert E (whose name is absent) under the lock. */
static int insert(struct s3i_indexset *s, struct s3i_srv_index *e)
{
	bool found;
	size_t at;
	pthread_mutex_lock(&s->mu); /* readers may be searching s->v */
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		struct s3i_srv_index **nv = realloc(s->v, nc * sizeof *nv);
		if (!nv) {
			pthread_mutex_unlock(&s->mu);
			return -1;
		}
		s->v = nv;
		s->cap = nc;
	}
	at = find(s, e->name, e->name_len, &found);
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
	s->v[at] = e;
	s->n++;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Remember that PATH with identity ID failed; true when it is new (log it). */
static bool note_failure(struct s3i_indexset *s, const char *path, const struct ident *id)
{
	for (size_t i = 0; i < s->nbad; i++) {
		if (strcmp(s->bad[i].path, path) == 0) {
			s->bad[i].seen = true;
			if (same_ident(id, s->bad[i].dev, s->bad[i].ino, s->bad[i].size,
			               s->bad[i].mtime_ns))
				return false;
			s->bad[i].dev = id->dev;
			s->bad[i].ino = id->ino;
			s->bad[i].size = id->size;
			s->bad[i].mtime_ns = id->mtime_ns;
			return true;
		}
	}
	if (s->nbad == s->capbad) {
		size_t nc = s->capbad ? s->capbad * 2 : 4;
		struct failed *nb = realloc(s->bad, nc * sizeof *nb);
		if (!nb)
			return true;
		s->bad = nb;
		s->capbad = nc;
	}
	s->bad[s->nbad].path = strdup(path);
	if (!s->bad[s->nbad].path)
		return true;
	s->bad[s->nbad].dev = id->dev;
	s->bad[s->nbad].ino = id->ino;
	s->bad[s->nbad].size = id->size;
	s->bad[s->nbad].mtime_ns = id->mtime_ns;
	s->bad[s->nbad].seen = true;
	s->nbad++;
	return true;
}

static void forget_failure(struct s3i_indexset *s, const char *path)
{
	for (size_t i = 0; i < s->nbad; i++) {
		if (strcmp(s->bad[i].path, path) == 0) {
			free(s->bad[i].path);
			s->bad[i] = s->bad[--s->nbad];
			return;
		}
	}
}

/* Open PATH (identity ID) and put it in the set, replacing the entry of
 * the same name if any. @return 1 when the set changed, 0 when not,
 * -1 when the file failed (noted and logged once). */
static int load(struct s3i_indexset *s, const char *path, const struct ident *id)
{
	s3inv_error err = {0, ""};
	struct s3i_srv_index *e, *old = NULL;
	bool found;
	size_t at;
	if (entry_open(&e, s, path, id, &err) < 0) {
		atomic_fetch_add(&s->failures, 1);
		if (note_failure(s, path, id))
			logf_(s, "cannot serve", path, err.msg[0] ? err.msg : s3inv_strerror(err.code));
		return -1;
	}
	forget_failure(s, path);
	pthread_mutex_lock(&s->mu);
	at = find(s, e->name, e->name_len, &found);
	if (found) {
		old = s->v[at];
		s->v[at] = e;
	}
	pthread_mutex_unlock(&s->mu);
	if (found) {
		if (strcmp(old->path, path) != 0)
			logf_(s, "name clash, now serving", path, NULL);
		else
			logf_(s, "re-opened", path, NULL);
		atomic_fetch_add(&s->reloads, 1);
		s3i_indexset_put(old);
		return 1;
	}
	if (insert(s, e) < 0) {
		entry_close(e);
		logf_(s, "cannot serve", path, "out of memory");
		return -1;
	}
	return 1;
}

static bool has_suffix(const char *name, const char *suf)
{
	size_t n = strlen(name), k = strlen(suf);
	return n > k && strcmp(name + n - k, suf) == 0;
}

/* Directory mode: drop entries whose file is gone, then load new or
 * changed *.s3i files. */
static int scan_dir(struct s3i_indexset *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	size_t dlen = strlen(s->dir);
	int changes = 0;
	if (!d) {
		logf_(s, "cannot read directory", s->dir, strerror(errno));
		return 0;
	}
	for (size_t i = 0; i < s->nbad; i++)
		s->bad[i].seen = false;
	/* vanished files */
	for (size_t i = 0; i < s->n;) {
		struct ident id;
		if (ident_of(&id, s->v[i]->path) == 0) {
			i++;
			continue;
		}
		struct s3i_srv_index *gone = s->v[i];
		pthread_mutex_lock(&s->mu);
		memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof *s->v);
		s->n--;
		pthread_mutex_unlock(&s->mu);
		logf_(s, "no longer serving", gone->path, "file removed");
		s3i_indexset_put(gone);
		changes++;
	}
	while ((de = readdir(d)) != NULL) {
		struct ident id;
		char *path;
		size_t nlen = strlen(de->d_name);
		bool found;
		size_t at;
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".s3i"))
			continue;
		path = malloc(dlen + 1 + nlen + 1);
		if (!path)
			break;
		memcpy(path, s->dir, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, de->d_name, nlen + 1);
		if (ident_of(&id, path) != 0) {
			free(path);
			continue;
		}
		at = find(s, de->d_name, nlen - 4, &found);
		if (!found || !same_ident(&id, s->v[at]->dev, s->v[at]->ino, s->v[at]->size,
		                          s->v[at]->mtime_ns)) {
			bool known_bad = false;
			for (size_t i = 0; i < s->nbad; i++)
				if (strcmp(s->bad[i].path, path) == 0 &&
				    same_ident(&id, s->bad[i].dev, s->bad[i].ino, s->bad[i].size,
				               s->bad[i].mtime_ns)) {
					s->bad[i].seen = true;
					known_bad = true;
				}
			if (!known_bad && load(s, path, &id) > 0)
				changes++;
		}
		free(path);
	}
	closedir(d);
	for (size_t i = 0; i < s->nbad;) {
		if (!s->bad[i].seen) {
			free(s->bad[i].path);
			s->bad[i] = s->bad[--s->nbad];
		} else {
			i++;
		}
	}
	return changes;
}

/* Fixed-list mode: re-open files whose identity changed; a vanished file
 * keeps being served from its mapping. */
static int scan_files(struct s3i_indexset *s)
{
	int changes = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct s3i_srv_index *e = s->v[i];
		struct ident id;
		char *path;
		if (ident_of(&id, e->path) != 0 || same_ident(&id, e->dev, e->ino, e->size, e->mtime_ns))
			continue;
		bool known_bad = false;
		for (size_t k = 0; k < s->nbad; k++)
			if (strcmp(s->bad[k].path, e->path) == 0 &&
			    same_ident(&id, s->bad[k].dev, s->bad[k].ino, s->bad[k].size,
			               s->bad[k].mtime_ns))
				known_bad = true;
		if (known_bad)
			continue;
		path = strdup(e->path); /* e may be released by load() */
		if (path && load(s, path, &id) > 0)
			changes++;
		free(path);
	}
	return changes;
}

int s3i_indexset_rescan(struct s3i_indexset *s)
{
	return s->dir ? scan_dir(s) : scan_files(s);
}

int s3i_indexset_new(struct s3i_indexset **out, const char *const *paths, size_t npaths,
                     const char *dir, FILE *log, char *msg, size_t cap)
{
	struct s3i_indexset *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s) {
		snprintf(msg, cap, "out of memory");
		return -1;
	}
	pthread_mutex_init(&s->mu, NULL);
	s->log = log;
	if (dir) {
		struct stat st;
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(msg, cap, "%s: not a directory", dir);
			goto fail;
		}
		if (!(s->dir = strdup(dir))) {
			snprintf(msg, cap, "out of memory");
			goto fail;
		}
		scan_dir(s);
		*out = s;
		return 0;
	}
	for (size_t i = 0; i < npaths; i++) {
		s3inv_error err = {0, ""};
		struct s3i_srv_index *e;
		struct ident id;
		bool found;
		if (ident_of(&id, paths[i]) != 0) {
			snprintf(msg, cap, "%s: not a readable file", paths[i]);
			goto fail;
		}
		if (entry_open(&e, s, paths[i], &id, &err) < 0) {
			snprintf(msg, cap, "%s", err.msg[0] ? err.msg : s3inv_strerror(err.code));
			goto fail;
		}
		find(s, e->name, e->name_len, &found);
		if (found) {
			snprintf(msg, cap, "%s: another index is already served as '%s'", paths[i],
			         e->name);
			entry_close(e);
			goto fail;
		}
		if (insert(s, e) < 0) {
			entry_close(e);
			snprintf(msg, cap, "out of memory");
			goto fail;
		}
	}
	*out = s;
	return 0;
fail:
	s3i_indexset_free(s);
	return -1;
}

void s3i_indexset_free(struct s3i_indexset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		s3i_indexset_put(s->v[i]);
	for (size_t i = 0; i < s->nbad; i++)
		free(s->bad[i].path);
	free(s->bad);
	free(s->v);
	free(s->dir);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

struct s3i_srv_index *s3i_indexset_get(struct s3i_indexset *s, const char *name, size_t len)
{
	struct s3i_srv_index *e = NULL;
	bool found;
	pthread_mutex_lock(&s->mu);
	if (!name) {
		if (s->n == 1)
			e = s->v[0];
	} else {
		size_t at = find(s, name, len, &found);
		if (found)
			e = s->v[at];
	}
	if (e)
		atomic_fetch_add(&e->refs, 1);
	pthread_mutex_unlock(&s->mu);
	return e;
}

void s3i_indexset_put(struct s3i_srv_index *e)
{
	if (e && atomic_fetch_sub(&e->refs, 1) == 1)
		entry_close(e);
}

int s3i_indexset_list(struct s3i_indexset *s, struct s3i_srv_index ***out, size_t *n)
{
	struct s3i_srv_index **v;
	pthread_mutex_lock(&s->mu);
	v = malloc((s->n ? s->n : 1) * sizeof *v);
	if (!v) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		v[i] = s->v[i];
		atomic_fetch_add(&v[i]->refs, 1);
	}
	*n = s->n;
	pthread_mutex_unlock(&s->mu);
	*out = v;
	return 0;
}

void s3i_indexset_counts(struct s3i_indexset *s, struct s3i_indexset_counts *out)
{
	pthread_mutex_lock(&s->mu);
	out->served = s->n;
	pthread_mutex_unlock(&s->mu);
	out->open = atomic_load(&s->open);
	out->reloads = atomic_load(&s->reloads);
	out->failures = atomic_load(&s->failures);
}
