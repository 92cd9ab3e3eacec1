/* SPDX-License-Identifier: MIT */
/*
 * indexset.h — the set of indexes a server answers for, shared by every
 * request thread.
 *
 * Each served index is an entry: a name (the file's basename without
 * ".s3i"), its path, the open handle (opened once with S3INV_OPEN_VERIFY)
 * and the identity of the file it came from (device, inode, size, mtime).
 * Entries are reference-counted: the set holds one reference, and each
 * request takes one with s3i_indexset_get and drops it with
 * s3i_indexset_put. An entry is immutable once published, so a request can
 * use it without any lock; only the set's array is guarded by a mutex.
 *
 * Rescanning (only ever from one thread, the server's main loop) re-stats
 * every file. A file whose identity changed is opened and verified outside
 * the lock, then swapped in under it; the old entry is released and closed
 * when its last request puts it back, so requests running on the old
 * mapping finish on it. In directory mode new *.s3i files appear and
 * removed ones disappear. A file that fails to open is reported once per
 * identity (not on every scan); if it replaced a served index, the old
 * index stays served.
 *
 * Names are matched as bytes against the set; nothing from a request is
 * ever used to build a path.
 */
#ifndef S3I_SERVER_INDEXSET_H
#define S3I_SERVER_INDEXSET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kidcache.h"
#include "s3inv.h"

struct s3i_srv_index {
	char *name;            /* NUL-terminated, no '/' */
	size_t name_len;
	char *path;
	s3inv_index *idx;
	s3inv_index_info info; /* strings borrowed from idx */
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	atomic_uint refs;
	atomic_uint_fast64_t *open_gauge; /* the set's count of open handles */
	struct s3i_kidcache *kids;        /* sorted children of wide prefixes (may be NULL) */
};

struct s3i_indexset;

/** Counters the metrics page shows. */
struct s3i_indexset_counts {
	uint64_t served;       /* entries in the set */
	uint64_t open;         /* handles open, including retired ones still in use */
	uint64_t reloads;      /* replaced files re-opened */
	uint64_t failures;     /* files that failed to open (once per identity) */
};

/** A set over the files PATHS (fixed list; replaced files are still
 *  re-opened on rescan) or, when DIR is non-NULL, over the *.s3i files in DIR.
 *  Every file is opened now; in fixed-list mode any failure or duplicate
 *  name fails the whole set, in directory mode bad files are reported on
 *  LOG and skipped. LOG (may be NULL) receives one line per notice.
 *  @return 0, or -1 with a message in MSG (CAP bytes). */
int s3i_indexset_new(struct s3i_indexset **out, const char *const *paths, size_t npaths,
                     const char *dir, FILE *log, char *msg, size_t cap);

/** Free the set and close its indexes. Every reference taken from it must
 *  have been put first (stop the HTTP daemon before). Accepts NULL. */
void s3i_indexset_free(struct s3i_indexset *s);

/** Re-stat the files and apply changes (see above). Call from one thread
 *  at a time only. @return the number of changes (added, replaced, removed). */
int s3i_indexset_rescan(struct s3i_indexset *s);

/** The entry named NAME (LEN bytes) with one reference taken, or NULL.
 *  NAME == NULL means "the only index" and finds one only when the set
 *  holds exactly one. Thread-safe. */
struct s3i_srv_index *s3i_indexset_get(struct s3i_indexset *s, const char *name, size_t len);

/** Drop a reference taken by s3i_indexset_get/_list. Accepts NULL. Thread-safe. */
void s3i_indexset_put(struct s3i_srv_index *e);

/** A snapshot of every entry, sorted by name, each with a reference taken:
 *  *out is malloc'd (free it after putting each entry). Thread-safe.
 *  @return 0, or -1 when out of memory. */
int s3i_indexset_list(struct s3i_indexset *s, struct s3i_srv_index ***out, size_t *n);

/** Current counters. Thread-safe. */
void s3i_indexset_counts(struct s3i_indexset *s, struct s3i_indexset_counts *out);

#endif
