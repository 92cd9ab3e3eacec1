/* SPDX-License-Identifier: MIT */
/*
 * s3inv.h — the public API of libs3inv, and the only header the CLI, the
 * server and API-level tests include.
 *
 * libs3inv turns an AWS S3 Inventory report (manifest.json + CSV, CSV.GZ or
 * Parquet data files, on local disk or in S3) into one memory-mapped index
 * file (.s3i), and answers prefix questions over it: statistics of a prefix,
 * its children, the largest prefixes below it.
 *
 * Conventions (see docs/ and the house style):
 *  - Every function that can fail returns 0 or a negative S3INV_E* code and
 *    fills the caller-owned s3inv_error (which may be NULL).
 *  - Handles are opaque; whoever opens closes. Every _close/_free accepts NULL.
 *  - Nothing is thread-safe unless said so. An open s3inv_index is immutable
 *    and may be shared by any number of threads.
 *  - Option structs are append-only; initialise them with their _INIT macro.
 */
#ifndef S3INV_H
#define S3INV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define S3INV_API __attribute__((visibility("default")))
#else
#define S3INV_API
#endif

#define S3INV_VERSION "0.1.0"

/** Return codes. 0 is success; errors are negative. */
enum {
	S3INV_OK = 0,
	S3INV_ENOTFOUND = -1, /**< a prefix (or file, or object) does not exist */
	S3INV_EFORMAT = -2,   /**< malformed input: manifest, CSV, gzip, Parquet */
	S3INV_ECORRUPT = -3,  /**< a damaged or truncated index file */
	S3INV_ECHECKSUM = -4, /**< MD5 or section checksum mismatch */
	S3INV_EIO = -5,       /**< a system call failed (open, read, write, disk full) */
	S3INV_ENOMEM = -6,    /**< out of memory or over the memory budget */
	S3INV_ECANCELED = -7, /**< cancelled (Ctrl-C) */
	S3INV_EINVAL = -8,    /**< invalid argument or option */
	S3INV_EAUTH = -9,     /**< S3 credentials missing or refused */
	S3INV_ENET = -10,     /**< network or HTTP failure after retries */
	S3INV_ITEROVER = -100 /**< an iterator reached its end (not an error) */
};

/** Caller-owned error record: the first message written wins. */
typedef struct s3inv_error {
	int code;
	char msg[256];
} s3inv_error;

/** Static text for a return code. Never NULL. */
S3INV_API const char *s3inv_strerror(int code);

/** Parse a size such as "256MiB", "2G", "1.5GiB", "4096" into bytes.
 *  @return 0, or S3INV_EINVAL for a malformed size. */
S3INV_API int s3inv_parse_size(uint64_t *out, const char *text);

/* ------------------------------------------------------------------ */
/* Building an index                                                   */
/* ------------------------------------------------------------------ */

/** Build phases, reported through the progress callback. */
typedef enum s3inv_phase {
	S3INV_PHASE_MANIFEST = 0, /**< reading and checking the manifest */
	S3INV_PHASE_SCAN = 1,     /**< reading data files, aggregating prefixes */
	S3INV_PHASE_MERGE = 2,    /**< merging spilled runs */
	S3INV_PHASE_WRITE = 3,    /**< writing the index (columns, strings) */
	S3INV_PHASE_HASH = 4,     /**< building the minimal perfect hash */
	S3INV_PHASE_DONE = 5
} s3inv_phase;

/** A progress snapshot, passed to the progress callback (coordinating thread). */
typedef struct s3inv_progress {
	s3inv_phase phase;
	uint64_t files_done, files_total;
	uint64_t bytes_done, bytes_total; /**< data-file bytes as stored (compressed) */
	uint64_t rows;                    /**< inventory rows read so far */
	uint64_t prefixes;                /**< prefixes written (WRITE/HASH phases) */
	uint64_t runs;                    /**< run files spilled so far */
	double elapsed_s;
} s3inv_progress;

typedef void (*s3inv_progress_cb)(const s3inv_progress *p, void *payload);

/** Options of s3inv_build_run. Initialise with S3INV_BUILD_OPTIONS_INIT. */
typedef struct s3inv_build_options {
	unsigned version;        /**< S3INV_BUILD_OPTIONS_VERSION */
	unsigned threads;        /**< worker threads; 0 = number of CPUs */
	uint64_t mem_budget;     /**< bytes; 0 = a quarter of physical RAM */
	const char *tmp_dir;     /**< run files; NULL = directory of the output */
	int max_depth;           /**< keep prefixes of depth <= max_depth; -1 = all */
	char delimiter;          /**< '/' by default */
	bool verify_md5;         /**< check each data file against MD5checksum */
	/* S3 access (ignored for local sources) */
	const char *region;      /**< NULL = from environment or profile */
	const char *profile;     /**< NULL = AWS_PROFILE or "default" */
	const char *endpoint_url;/**< S3-compatible endpoint; path-style addressing */
	bool requester_pays;
	unsigned max_connections;/**< 0 = default */
	uint64_t part_size;      /**< ranged GET part size; 0 = default */
	/* progress and cancellation */
	s3inv_progress_cb progress; /**< may be NULL; called about 10 times a second */
	void *progress_payload;
	volatile int *cancel;    /**< when non-NULL and *cancel != 0, the build stops
	                          *   with S3INV_ECANCELED (set it from a signal handler) */
	/** Called once with a line describing a choice the build made (e.g. which
	 *  dated report folder was picked). May be NULL. */
	void (*notice)(const char *line, void *payload);
} s3inv_build_options;

#define S3INV_BUILD_OPTIONS_VERSION 1
#define S3INV_BUILD_OPTIONS_INIT                                                   \
	{                                                                              \
		S3INV_BUILD_OPTIONS_VERSION, 0, 0, NULL, -1, '/', true, NULL, NULL, NULL, \
		    false, 0, 0, NULL, NULL, NULL, NULL                                    \
	}

/** What a finished build reports. */
typedef struct s3inv_build_summary {
	uint64_t rows;          /**< inventory rows read */
	uint64_t objects;       /**< current objects counted at the root */
	uint64_t bytes;
	uint64_t prefixes;      /**< prefixes in the index */
	uint64_t runs;          /**< run files spilled (0 when everything fit) */
	unsigned merge_passes;  /**< intermediate merge passes */
	uint64_t index_bytes;   /**< size of the index file */
	uint64_t peak_rss;      /**< bytes, from getrusage */
	uint64_t peak_reserved; /**< high-water mark of the memory budget */
	double wall_s;
	char manifest_path[1024]; /**< the manifest actually used */
} s3inv_build_summary;

/** Build an index from SOURCE (a manifest.json, a report directory, a
 *  directory of dated reports, or an s3:// URL) into OUT_PATH.
 *  The index is written under a temporary name, synced and renamed; on any
 *  error or cancellation no file exists under OUT_PATH and temporary files
 *  are removed.
 *  @param summary may be NULL.
 *  @return 0 or a negative S3INV_E* code with err filled. */
S3INV_API int s3inv_build_run(s3inv_build_summary *summary, const char *source,
                              const char *out_path, const s3inv_build_options *opts,
                              s3inv_error *err);

/** One inventory report found under a source (local folder or s3:// prefix). */
typedef struct s3inv_report {
	char date[32];        /**< the dated folder name, e.g. 2026-11-22T01-00Z */
	char manifest[1024];  /**< path or s3:// URL of its manifest.json */
	char format[16];      /**< "CSV", "Parquet", "ORC"; "" when unreadable */
	uint64_t files;       /**< data files listed in the manifest */
	uint64_t bytes;       /**< their total size as stored */
	int64_t creation_ms;  /**< creationTimestamp of the manifest */
	bool complete;        /**< manifest.checksum present (S3) or manifest readable */
} s3inv_report;

/** List the reports under SOURCE (a local directory or an s3:// prefix),
 *  newest first. *out is allocated (free with s3inv_free); OPTS carries the
 *  S3 options (may be NULL for local sources). */
S3INV_API int s3inv_reports_list(s3inv_report **out, size_t *n, const char *source,
                                 const s3inv_build_options *opts, s3inv_error *err);

/* ------------------------------------------------------------------ */
/* Reading an index                                                    */
/* ------------------------------------------------------------------ */

typedef struct s3inv_index s3inv_index;

/** Statistics of one prefix (copied out of the index). */
typedef struct s3inv_stats {
	uint64_t pos;            /**< preorder position, 0 = the root "" */
	uint32_t depth;          /**< number of delimiters in the prefix */
	uint32_t max_depth;      /**< deepest prefix depth in this subtree */
	uint64_t subtree_end;    /**< first position after this prefix's subtree */
	uint64_t objects;        /**< current objects under the prefix */
	uint64_t bytes;          /**< their total size (0 when the report has no Size) */
	uint64_t nc_objects;     /**< non-current versions */
	uint64_t nc_bytes;
	uint64_t delete_markers;
	uint32_t n_classes;      /**< storage classes with objects here */
} s3inv_stats;

/** Per storage class statistics of a prefix. `name` is borrowed from the index. */
typedef struct s3inv_class_stats {
	const char *name;
	uint32_t class_id;
	uint64_t objects;
	uint64_t bytes;
	uint64_t small_objects; /**< of those, objects below S3INV_SMALL_OBJECT bytes
	                         *   (0 unless s3inv_index_info.has_small) */
	uint64_t small_bytes;   /**< their total size */
} s3inv_class_stats;

/** Objects below this size (128 KiB) are counted per class at build time:
 *  the minimum billable size of STANDARD_IA, ONEZONE_IA and GLACIER_IR, and
 *  the threshold of the Intelligent-Tiering monitoring fee. */
#define S3INV_SMALL_OBJECT (128u * 1024u)

/** Index-wide metadata; strings are borrowed from the index. */
typedef struct s3inv_index_info {
	uint32_t format_version;
	uint64_t prefixes;
	uint64_t file_bytes;
	uint32_t n_classes;
	char delimiter;
	int max_depth;           /**< -1 when unlimited */
	bool has_size;           /**< the report had a Size column */
	bool has_versions;       /**< the report had IsLatest / IsDeleteMarker */
	int64_t creation_ms;     /**< inventory creationTimestamp, ms since epoch; 0 unknown */
	uint64_t rows;           /**< inventory rows read at build time */
	const char *source_bucket;
	const char *dest_bucket;
	const char *manifest;    /**< manifest path or URL used at build time */
	const char *file_format; /**< "CSV", "Parquet" */
	const char *tool_version;
	const char *built_at;    /**< ISO-8601 UTC */
	const char *mphf;        /**< description of the hash function */
	bool has_age;            /**< per-prefix age histograms (LastModifiedDate present) */
	bool has_small;          /**< per-class counts of objects below S3INV_SMALL_OBJECT */
} s3inv_index_info;

/** Open flags. */
enum {
	S3INV_OPEN_DEFAULT = 0,
	S3INV_OPEN_VERIFY = 1 /**< check every section checksum at open (reads the whole file) */
};

/** Open (memory-map) an index. The header and every section's bounds are
 *  validated; a damaged file is S3INV_ECORRUPT, never a crash.
 *  @param out receives the handle; close with s3inv_index_close. */
S3INV_API int s3inv_index_open(s3inv_index **out, const char *path, unsigned flags,
                               s3inv_error *err);
S3INV_API void s3inv_index_close(s3inv_index *idx);

S3INV_API void s3inv_index_info_get(const s3inv_index *idx, s3inv_index_info *out);

/** Exact lookup of a prefix ("" is the root).
 *  @param pos receives its preorder position.
 *  @return 0, or S3INV_ENOTFOUND (never a false hit). Thread-safe. */
S3INV_API int s3inv_index_lookup(const s3inv_index *idx, const char *prefix, size_t len,
                                 uint64_t *pos);

/** Batch lookup with prefetching: pos[i] = position or UINT64_MAX when absent.
 *  Thread-safe. @return the number found. */
S3INV_API size_t s3inv_index_lookup_batch(const s3inv_index *idx, const char *const *prefixes,
                                          const size_t *lens, size_t n, uint64_t *pos);

/** Statistics of the prefix at POS. @return 0, or S3INV_EINVAL when pos is out of range. */
S3INV_API int s3inv_index_stats(const s3inv_index *idx, uint64_t pos, s3inv_stats *out);

/** Per-class statistics at POS, at most CAP of them, in class-id order.
 *  @return the number of classes at POS (may exceed cap), or a negative code. */
S3INV_API int s3inv_index_class_stats(const s3inv_index *idx, uint64_t pos,
                                      s3inv_class_stats *out, size_t cap);

/** Name of class ID (borrowed), or NULL. */
S3INV_API const char *s3inv_index_class_name(const s3inv_index *idx, uint32_t id);

/** Copy the prefix string at POS into BUF (NUL-terminated when it fits).
 *  @return its length (which may be >= cap: then BUF holds a truncated copy),
 *  or a negative code. */
S3INV_API long s3inv_index_prefix(const s3inv_index *idx, uint64_t pos, char *buf, size_t cap);

/** Children iteration: the first child of POS, then each next sibling.
 *  @return 0 with *child / *next set, or S3INV_ITEROVER. */
S3INV_API int s3inv_index_first_child(const s3inv_index *idx, uint64_t pos, uint64_t *child);
S3INV_API int s3inv_index_next_sibling(const s3inv_index *idx, uint64_t pos, uint64_t *next);

/** Check every checksum and structural invariant of the index at PATH.
 *  @return 0, or S3INV_ECORRUPT / S3INV_ECHECKSUM / S3INV_EIO with err naming
 *  the section and the problem. */
S3INV_API int s3inv_index_verify(const char *path, s3inv_error *err);

/* ---- Age of the current objects (src/query/age.c) ---- */

/** Age buckets, relative to the report's creationTimestamp: <30 days,
 *  30-90, 90-180, 180-365, 1-2 years (365-730 days), 2-5 years
 *  (730-1825), >=5 years. A modification date after the report date
 *  counts as age 0. */
#define S3INV_AGE_BUCKETS 7

/** Age histogram of the current objects of a prefix. */
typedef struct s3inv_age {
	uint64_t objects[S3INV_AGE_BUCKETS];
	uint64_t bytes[S3INV_AGE_BUCKETS];
} s3inv_age;

/** Short label of age bucket B ("<30d", "30-90d", "90-180d", "180d-1y",
 *  "1-2y", "2-5y", ">=5y"), or NULL when B is out of range. */
S3INV_API const char *s3inv_age_bucket_label(unsigned b);

/** Lower bound of age bucket B in days (0, 30, 90, 180, 365, 730, 1825),
 *  or UINT32_MAX when B is out of range. */
S3INV_API uint32_t s3inv_age_bucket_days(unsigned b);

/** Age histogram of the prefix at POS.
 *  @return 0, S3INV_ENOTFOUND when the index has no age data (the report
 *  had no LastModifiedDate), S3INV_EINVAL (pos out of range),
 *  S3INV_ECORRUPT. Thread-safe. */
S3INV_API int s3inv_index_age(const s3inv_index *idx, uint64_t pos, s3inv_age *out);

/** Objects and bytes of the prefix at POS in age bucket B and the older
 *  ones (B = 1: at least 30 days old; B = 4: at least a year).
 *  @return 0, S3INV_ENOTFOUND (no age data), S3INV_EINVAL, S3INV_ECORRUPT. */
S3INV_API int s3inv_index_age_older(const s3inv_index *idx, uint64_t pos, unsigned b,
                                    uint64_t *objects, uint64_t *bytes);

/** Parse an age such as "90d", "1y", "2y", "5y", "30d" into the bucket
 *  that starts there (the age must be a bucket bound: 30d 90d 180d 1y/365d
 *  2y/730d 5y/1825d). @return the bucket (1..6) or S3INV_EINVAL. */
S3INV_API int s3inv_age_parse(const char *text);

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

typedef enum s3inv_sort {
	S3INV_SORT_BYTES = 0,
	S3INV_SORT_OBJECTS = 1,
	S3INV_SORT_NAME = 2,
	S3INV_SORT_NC_BYTES = 3,
	/** S3INV_SORT_OLDER + b: bytes of the current objects in age bucket b
	 *  and older (s3inv_index_age_older), 1 <= b < S3INV_AGE_BUCKETS */
	S3INV_SORT_OLDER = 16
} s3inv_sort;

/** Positions of the children of POS, sorted. *out is allocated (free with
 *  s3inv_free); *n receives the count. LIMIT 0 = all. With a limit the
 *  selection costs O(children · log limit). */
S3INV_API int s3inv_query_children(uint64_t **out, size_t *n, const s3inv_index *idx,
                                   uint64_t pos, s3inv_sort sort, size_t limit,
                                   s3inv_error *err);

/** The LIMIT largest prefixes exactly DEPTH levels below POS (DEPTH >= 1),
 *  by bytes or objects. *out is allocated (free with s3inv_free). */
S3INV_API int s3inv_query_top(uint64_t **out, size_t *n, const s3inv_index *idx, uint64_t pos,
                              unsigned depth, s3inv_sort by, size_t limit, s3inv_error *err);

/** Free memory returned by the library. Accepts NULL. */
S3INV_API void s3inv_free(void *p);

/* ---- Diff of two indexes (src/query/diff.c) ---- */

typedef struct s3inv_diff s3inv_diff;

/** One prefix of a diff. Positions are UINT64_MAX and statistics zero on
 *  the side where the prefix does not exist (a new or a gone prefix). */
typedef struct s3inv_diff_entry {
	const char *prefix;   /**< borrowed from the iterator, valid until the next call */
	size_t len;
	uint64_t old_pos, new_pos;
	s3inv_stats old_st, new_st;
} s3inv_diff_entry;

/** Start a streaming merge-walk of the subtrees of PREFIX in OLD and NEW,
 *  yielding every prefix exactly DEPTH levels below PREFIX (DEPTH 0: PREFIX
 *  itself) that exists in either index, in byte order. Both indexes sort
 *  prefixes the same way, so the walk is O(prefixes visited in both
 *  subtrees), skips every subtree too shallow to reach DEPTH, and holds two
 *  prefix buffers, never an index. PREFIX must exist in at least one index.
 *  Both indexes must stay open until s3inv_diff_close.
 *  @return 0, S3INV_ENOTFOUND (PREFIX in neither), S3INV_EINVAL (different
 *  delimiters), S3INV_ENOMEM. */
S3INV_API int s3inv_diff_open(s3inv_diff **out, const s3inv_index *old_idx,
                              const s3inv_index *new_idx, const char *prefix, size_t len,
                              unsigned depth, s3inv_error *err);

/** Next prefix of the walk.
 *  @return 0 with *out filled, S3INV_ITEROVER at the end, or S3INV_ECORRUPT. */
S3INV_API int s3inv_diff_next(s3inv_diff *d, s3inv_diff_entry *out, s3inv_error *err);

/** Free the iterator. Accepts NULL. */
S3INV_API void s3inv_diff_close(s3inv_diff *d);

/** Order of s3inv_diff_collect. */
typedef enum s3inv_diff_sort {
	S3INV_DIFF_NAME = 0,   /**< byte order (the walk's order) */
	S3INV_DIFF_GROWTH = 1, /**< largest byte growth first (objects on a tie) */
	S3INV_DIFF_SHRINK = 2  /**< largest byte shrink first */
} s3inv_diff_sort;

/** A diff row kept by s3inv_diff_collect: positions (UINT64_MAX when absent). */
typedef struct s3inv_diff_row {
	uint64_t old_pos, new_pos;
	int64_t d_objects, d_bytes; /**< new minus old */
} s3inv_diff_row;

/** Run the whole walk of s3inv_diff_open and keep the rows, sorted by
 *  SORT, at most LIMIT of them (0 = all); rows whose objects and bytes are
 *  equal on both sides are dropped unless UNCHANGED. *out is allocated
 *  (free with s3inv_free); memory is O(rows kept) (O(LIMIT) with a limit).
 *  @param total receives the number of rows before the limit (may be NULL). */
S3INV_API int s3inv_diff_collect(s3inv_diff_row **out, size_t *n, uint64_t *total,
                                 const s3inv_index *old_idx, const s3inv_index *new_idx,
                                 const char *prefix, size_t len, unsigned depth,
                                 s3inv_diff_sort sort, size_t limit, bool unchanged,
                                 s3inv_error *err);

/* ---- Walking a subtree in order (src/query/export.c) ---- */

typedef struct s3inv_walk s3inv_walk;

/** One prefix of a walk; PREFIX is borrowed from the walker and valid
 *  until the next call. */
typedef struct s3inv_walk_entry {
	const char *prefix;
	size_t len;
	s3inv_stats st;
} s3inv_walk_entry;

/** Walk the subtree of POS in preorder (= byte order), POS first, down to
 *  MAX_LEVELS levels below POS (-1 = every level); deeper subtrees are
 *  skipped in one jump. Prefixes are decoded sequentially (one front-coded
 *  entry per step), so a walk costs O(prefixes yielded) and constant memory.
 *  @return 0, S3INV_EINVAL (pos out of range), S3INV_ENOMEM. */
S3INV_API int s3inv_walk_open(s3inv_walk **out, const s3inv_index *idx, uint64_t pos,
                              int max_levels, s3inv_error *err);
/** @return 0 with *out filled, S3INV_ITEROVER, or S3INV_ECORRUPT. */
S3INV_API int s3inv_walk_next(s3inv_walk *w, s3inv_walk_entry *out, s3inv_error *err);
/** Accepts NULL. */
S3INV_API void s3inv_walk_close(s3inv_walk *w);

/* ---- Storage cost estimates (src/query/cost.c, docs/cost.md) ---- */

typedef struct s3inv_prices s3inv_prices;

/** The built-in, dated us-east-1 price table (see docs/cost.md).
 *  @return 0 or S3INV_ENOMEM. Free with s3inv_prices_free. */
S3INV_API int s3inv_prices_builtin(s3inv_prices **out, s3inv_error *err);

/** Load a price table from a JSON file (format in docs/cost.md); keys it
 *  does not set keep their built-in values.
 *  @return 0, S3INV_EIO, S3INV_EFORMAT (with the place of the problem). */
S3INV_API int s3inv_prices_load(s3inv_prices **out, const char *path, s3inv_error *err);

S3INV_API void s3inv_prices_free(s3inv_prices *p);

/** The table's date and region (borrowed). */
S3INV_API const char *s3inv_prices_date(const s3inv_prices *p);
S3INV_API const char *s3inv_prices_region(const s3inv_prices *p);

/** Estimated monthly storage cost of the current objects of a prefix. */
typedef struct s3inv_cost {
	double storage;        /**< bytes x class price, per class */
	double archive_overhead; /**< GLACIER / DEEP_ARCHIVE: 32 KiB at the class rate
	                          *   + 8 KiB at STANDARD, per object */
	double min_size;       /**< extra for objects below the minimum billable size
	                        *   (0 unless min_size_known) */
	double monitoring;     /**< Intelligent-Tiering monitoring fee (0 unless
	                        *   min_size_known, since it applies to objects >= 128 KiB) */
	double total;          /**< the sum of the above */
	bool min_size_known;   /**< the index has per-class small-object counts */
	uint64_t unpriced_objects; /**< objects of classes without a price (not in total) */
	uint64_t unpriced_bytes;
} s3inv_cost;

/** Estimate the monthly cost of the current objects at POS with PRICES.
 *  Non-current versions are not included (see docs/cost.md).
 *  @return 0, S3INV_EINVAL, S3INV_ECORRUPT. Thread-safe. */
S3INV_API int s3inv_cost_prefix(s3inv_cost *out, const s3inv_index *idx, uint64_t pos,
                                const s3inv_prices *prices, s3inv_error *err);

/* ------------------------------------------------------------------ */
/* Sample data                                                         */
/* ------------------------------------------------------------------ */

typedef enum s3inv_shape {
	S3INV_SHAPE_MIXED = 0,
	S3INV_SHAPE_LOGS = 1,
	S3INV_SHAPE_MEDIA = 2
} s3inv_shape;

typedef struct s3inv_gen_options {
	unsigned version;
	uint64_t objects;   /**< rows to write (including versions and markers) */
	uint64_t seed;
	unsigned files;     /**< data files; 0 = about one per 250k rows */
	s3inv_shape shape;
	bool gzip;          /**< .csv.gz instead of .csv */
	bool sorted;        /**< rows in key order instead of shuffled */
	bool versions;      /**< include IsLatest/IsDeleteMarker and old versions */
	const char *bucket; /**< source bucket name; NULL = "example-bucket" */
	int64_t creation_ms;/**< 0 = a fixed date (2026-11-22T01:00Z) */
} s3inv_gen_options;

#define S3INV_GEN_OPTIONS_VERSION 1
#define S3INV_GEN_OPTIONS_INIT \
	{ S3INV_GEN_OPTIONS_VERSION, 1000000, 1, 0, S3INV_SHAPE_MIXED, true, false, true, NULL, 0 }

/** Write a generated inventory report (manifest.json with real MD5s, data/
 *  files in the AWS CSV conventions) under OUT_DIR. Deterministic in seed. */
S3INV_API int s3inv_gen_run(const char *out_dir, const s3inv_gen_options *opts,
                            s3inv_error *err);

#ifdef __cplusplus
}
#endif
#endif
