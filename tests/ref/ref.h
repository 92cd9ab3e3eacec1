/* SPDX-License-Identifier: MIT */
/*
 * ref.h — the slow, obvious reference aggregation used by the tests.
 *
 * Computes, for a local CSV / CSV.GZ inventory report, the statistics of
 * every prefix exactly as architecture.md defines them, with code that
 * shares nothing with libs3inv: jansson for the manifest, zlib's gzread for
 * the data files (plain files and multi-member gzip included), a
 * char-by-char CSV parser, its own URL decoder, and a hash map of full
 * prefix strings. Memory is O(prefixes x prefix length): fine for tests,
 * not for 10M-row reports.
 *
 * Semantics:
 *  - prefixes of a key: "" and every leading part ending in DELIM; depth =
 *    number of delimiters; with max_depth >= 0 only depths <= max_depth;
 *  - a row is current when IsLatest is "true" (any case) or the column is
 *    absent; a delete marker when IsDeleteMarker is "true";
 *  - current non-marker rows count in objects/bytes and in their class;
 *    non-current non-marker rows in nc_objects/nc_bytes; markers (any
 *    IsLatest) in delete_markers;
 *  - class key: StorageClass, "" -> "STANDARD", and
 *    "INTELLIGENT_TIERING:<tier>" when the tier column is non-empty;
 *    without a StorageClass column no class statistics are kept;
 *  - data file of files[i].key: data/<basename> beside the manifest,
 *    else <manifest dir>/<key>;
 *  - age (current non-marker rows, when the schema has LastModifiedDate
 *    and the manifest a creationTimestamp): whole days between the row's
 *    date (parsed with timegm) and the report's; a date after the report
 *    is 0 days; buckets <30, <90, <180, <365, <730, <1825, else the last;
 *    an empty date goes to the eighth, "unknown" slot;
 *  - small objects: current non-marker rows below 131072 bytes, per class.
 * Errors are printed to stderr ("ref: ...") and returned as -1: this is
 * test code, not the library.
 */
#ifndef S3INV_TEST_REF_H
#define S3INV_TEST_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ref_class {
	char *name; /* NUL-terminated */
	uint64_t objects, bytes;
	uint64_t small_objects, small_bytes; /* of those, below 128 KiB */
};

struct ref_prefix {
	char *prefix; /* NUL-terminated copy; len excludes the NUL */
	size_t len;
	int depth;
	uint64_t objects, bytes;
	uint64_t nc_objects, nc_bytes;
	uint64_t delete_markers;
	uint64_t age_objects[8], age_bytes[8]; /* 7 buckets + unknown date */
	size_t n_classes;
	struct ref_class *classes; /* sorted by name (strcmp) */
	size_t cap_classes;
};

struct ref_result {
	struct ref_prefix *p; /* sorted bytewise (memcmp, shorter first) */
	size_t n;
	uint64_t rows;     /* data rows read */
	bool has_size;     /* the schema has Size */
	bool has_versions; /* the schema has IsLatest or IsDeleteMarker */
	bool has_class;    /* the schema has StorageClass */
	bool has_age;      /* LastModifiedDate in the schema and a creationTimestamp */
	int64_t report_ms; /* creationTimestamp */
};

/** Aggregate the report of MANIFEST_PATH. *out receives a result to free
 *  with ref_free. @return 0, or -1 (message on stderr). */
int ref_compute(struct ref_result **out, const char *manifest_path, char delim, int max_depth);

/** The prefix PREFIX[0..len), or NULL. */
const struct ref_prefix *ref_find(const struct ref_result *res, const char *prefix, size_t len);

/** Objects/bytes of class NAME at P (zeros when absent). */
const struct ref_class *ref_class_find(const struct ref_prefix *p, const char *name);

/** Decode a CSV key ('+' -> space, %XX -> byte, a malformed '%' kept):
 *  writes at most LEN bytes to OUT and returns the decoded length. */
size_t ref_url_decode(char *out, const char *in, size_t len);

void ref_free(struct ref_result *res);

#endif
