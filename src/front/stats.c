/* SPDX-License-Identifier: MIT */
/*
 * stats.c — the du JSON of a prefix and the small readers it needs
 * (prefix string, class list) over the public API. See stats.h.
 *
 * A damaged index can make an accessor fail; every failure is returned as
 * a code with a message naming the position, never printed here.
 */
#include "stats.h"
#include "fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(s3inv_error *err, int code, const char *what, uint64_t pos)
{
	if (err && err->code == 0) {
		err->code = code;
		snprintf(err->msg, sizeof err->msg, "index: %s at position %" PRIu64 ": %s", what,
		         pos, s3inv_strerror(code));
	}
	return code;
}

int s3i_front_prefix_dup(char **out, size_t *len, const s3inv_index *idx, uint64_t pos,
                         s3inv_error *err)
{
	size_t cap = 256;
	*out = NULL;
	*len = 0;
	for (int tries = 0; tries < 2; tries++) {
		char *b = malloc(cap);
		long n;
		if (!b)
			return fail(err, S3INV_ENOMEM, "prefix", pos);
		n = s3inv_index_prefix(idx, pos, b, cap);
		if (n < 0) {
			free(b);
			return fail(err, (int)n, "prefix", pos);
		}
		if ((unsigned long)n < cap) {
			b[n] = '\0';
			*out = b;
			*len = (size_t)n;
			return 0;
		}
		free(b);
		if ((unsigned long)n > SIZE_MAX / 2)
			break;
		cap = (size_t)n + 1;
	}
	return fail(err, S3INV_ECORRUPT, "prefix length", pos);
}

int s3i_front_classes(s3inv_class_stats **out, size_t *n, const s3inv_index *idx,
                      uint64_t pos, s3inv_error *err)
{
	size_t cap = 16;
	*out = NULL;
	*n = 0;
	for (int tries = 0; tries < 2; tries++) {
		s3inv_class_stats *c = malloc(cap * sizeof *c);
		int k;
		if (!c)
			return fail(err, S3INV_ENOMEM, "classes", pos);
		k = s3inv_index_class_stats(idx, pos, c, cap);
		if (k < 0) {
			free(c);
			return fail(err, k, "classes", pos);
		}
		if ((size_t)k <= cap) {
			if (k == 0) {
				free(c);
				c = NULL;
			}
			*out = c;
			*n = (size_t)k;
			return 0;
		}
		free(c);
		cap = (size_t)k;
	}
	return fail(err, S3INV_ECORRUPT, "class count", pos);
}

int s3i_front_stats_json(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                         s3inv_error *err)
{
	s3inv_index_info info;
	s3inv_stats st;
	s3inv_class_stats *cl = NULL;
	char *pfx = NULL;
	size_t plen = 0, ncl = 0;
	int rc;

	rc = s3inv_index_stats(idx, pos, &st);
	if (rc < 0)
		return fail(err, rc, "stats", pos);
	if ((rc = s3i_front_prefix_dup(&pfx, &plen, idx, pos, err)) < 0)
		return rc;
	if ((rc = s3i_front_classes(&cl, &ncl, idx, pos, err)) < 0) {
		free(pfx);
		return rc;
	}
	s3inv_index_info_get(idx, &info);

	s3i_json_obj_open(j);
	s3i_json_key(j, "prefix");
	s3i_json_strn(j, pfx, plen);
	s3i_json_key(j, "depth");
	s3i_json_u64(j, st.depth);
	s3i_json_key(j, "objects");
	s3i_json_u64(j, st.objects);
	s3i_json_key(j, "bytes");
	s3i_json_u64(j, st.bytes);
	s3i_json_key(j, "classes");
	s3i_json_obj_open(j);
	for (size_t i = 0; i < ncl; i++) {
		if (cl[i].objects == 0)
			continue;
		s3i_json_key(j, cl[i].name ? cl[i].name : "?");
		s3i_json_obj_open(j);
		s3i_json_key(j, "objects");
		s3i_json_u64(j, cl[i].objects);
		s3i_json_key(j, "bytes");
		s3i_json_u64(j, cl[i].bytes);
		s3i_json_obj_close(j);
	}
	s3i_json_obj_close(j);
	if (info.has_versions) {
		s3i_json_key(j, "noncurrent");
		s3i_json_obj_open(j);
		s3i_json_key(j, "objects");
		s3i_json_u64(j, st.nc_objects);
		s3i_json_key(j, "bytes");
		s3i_json_u64(j, st.nc_bytes);
		s3i_json_obj_close(j);
		s3i_json_key(j, "delete_markers");
		s3i_json_u64(j, st.delete_markers);
	}
	s3i_json_obj_close(j);
	free(cl);
	free(pfx);
	if (!s3i_json_ok(j))
		return fail(err, S3INV_ENOMEM, "json", pos);
	return 0;
}

int s3i_front_age_json(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                       s3inv_error *err)
{
	s3inv_index_info info;
	s3inv_age age;
	char *pfx = NULL, date[32];
	size_t plen = 0;
	int rc = s3inv_index_age(idx, pos, &age);
	if (rc == S3INV_ENOTFOUND) {
		if (err && err->code == 0) {
			err->code = rc;
			snprintf(err->msg, sizeof err->msg,
			         "index: no age data (the report had no LastModifiedDate)");
		}
		return rc;
	}
	if (rc < 0)
		return fail(err, rc, "age", pos);
	if ((rc = s3i_front_prefix_dup(&pfx, &plen, idx, pos, err)) < 0)
		return rc;
	s3inv_index_info_get(idx, &info);
	s3i_json_obj_open(j);
	s3i_json_key(j, "prefix");
	s3i_json_strn(j, pfx, plen);
	s3i_json_key(j, "report_date");
	if (info.creation_ms > 0) {
		s3i_fmt_date_ms(date, sizeof date, info.creation_ms);
		date[10] = '\0'; /* "2026-11-22 01:00:00 UTC" -> "2026-11-22" */
		s3i_json_str(j, date);
	} else {
		s3i_json_null(j);
	}
	s3i_json_key(j, "age");
	s3i_front_age_array(j, &age);
	s3i_json_obj_close(j);
	free(pfx);
	if (!s3i_json_ok(j))
		return fail(err, S3INV_ENOMEM, "json", pos);
	return 0;
}

void s3i_front_age_array(struct s3i_json *j, const s3inv_age *a)
{
	s3i_json_arr_open(j);
	for (unsigned b = 0; b < S3INV_AGE_BUCKETS; b++) {
		s3i_json_obj_open(j);
		s3i_json_key(j, "bucket");
		s3i_json_str(j, s3inv_age_bucket_label(b));
		s3i_json_key(j, "objects");
		s3i_json_u64(j, a->objects[b]);
		s3i_json_key(j, "bytes");
		s3i_json_u64(j, a->bytes[b]);
		s3i_json_obj_close(j);
	}
	s3i_json_arr_close(j);
}

void s3i_front_missing_json(struct s3i_json *j, const char *p, size_t len)
{
	s3i_json_obj_open(j);
	s3i_json_key(j, "prefix");
	s3i_json_strn(j, p, len);
	s3i_json_key(j, "found");
	s3i_json_bool(j, false);
	s3i_json_obj_close(j);
	s3i_json_raw(j, "\n", 1);
}
