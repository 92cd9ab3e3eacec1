/* SPDX-License-Identifier: MIT */
/*
 * stats.h — one prefix of an open index as the CLI and the server show it.
 *
 * s3i_front_stats_json writes the one-line "du JSON" of a prefix, the
 * shape every JSON output of s3inv reuses (du, ls children, top, the HTTP
 * API), so the CLI and the server emit byte-identical lines:
 *
 *   {"prefix":"logs/","depth":1,"objects":123,"bytes":4567,
 *    "classes":{"STANDARD":{"objects":100,"bytes":4000},...},
 *    "noncurrent":{"objects":5,"bytes":99},"delete_markers":2}
 *
 * Classes with zero objects are omitted; "noncurrent" and
 * "delete_markers" are present only when the index has version columns.
 * Only the public API (s3inv.h) is used; memory is plain malloc.
 */
#ifndef S3I_FRONT_STATS_H
#define S3I_FRONT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "s3inv.h"

/** Append the du JSON object of the prefix at POS to J (no newline).
 *  @return 0, or a negative S3INV_E* code with ERR filled (ERR may be NULL);
 *  on error nothing useful was appended. */
int s3i_front_stats_json(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                         s3inv_error *err);

/** The prefix string at POS, malloc'd and NUL-terminated (it may contain
 *  NUL bytes: use *LEN). @return 0 or a negative code. Caller frees *OUT. */
int s3i_front_prefix_dup(char **out, size_t *len, const s3inv_index *idx, uint64_t pos,
                         s3inv_error *err);

/** All per-class statistics at POS, malloc'd (caller frees *OUT; NULL when
 *  there are none). @return 0 or a negative code. */
int s3i_front_classes(s3inv_class_stats **out, size_t *n, const s3inv_index *idx,
                      uint64_t pos, s3inv_error *err);

/** Write A as the age array [{"bucket":"<30d","objects":N,"bytes":N},…]. */
void s3i_front_age_array(struct s3i_json *j, const s3inv_age *a);

/** Write {"prefix":P,"found":false} and a newline: a prefix not found. */
void s3i_front_missing_json(struct s3i_json *j, const char *p, size_t len);

/** Append the age JSON of the prefix at POS to J (no newline), the shape of
 *  `s3inv age --json` and GET /api/age:
 *
 *   {"prefix":"logs/","report_date":"2026-11-22","age":[
 *     {"bucket":"<30d","objects":N,"bytes":N},... all S3INV_AGE_BUCKETS]}
 *
 *  @return 0, S3INV_ENOTFOUND (the index has no age data), or another
 *  negative code with ERR filled. */
int s3i_front_age_json(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                       s3inv_error *err);

#endif
