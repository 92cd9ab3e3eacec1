/* SPDX-License-Identifier: MIT */
/*
 * analysis.c — the cost object and the diff row in JSON (analysis.h),
 * shared by the CLI and the server.
 */
#include "analysis.h"

#include <stdio.h>

void s3i_front_cost_json(struct s3i_json *j, const s3inv_cost *c, const s3inv_prices *p)
{
	s3i_json_obj_open(j);
	s3i_json_key(j, "usd_month");
	s3i_json_double(j, c->total);
	s3i_json_key(j, "storage");
	s3i_json_double(j, c->storage);
	s3i_json_key(j, "archive_overhead");
	s3i_json_double(j, c->archive_overhead);
	s3i_json_key(j, "min_size");
	if (c->min_size_known)
		s3i_json_double(j, c->min_size);
	else
		s3i_json_null(j);
	s3i_json_key(j, "monitoring");
	if (c->min_size_known)
		s3i_json_double(j, c->monitoring);
	else
		s3i_json_null(j);
	s3i_json_key(j, "unpriced_bytes");
	s3i_json_u64(j, c->unpriced_bytes);
	s3i_json_key(j, "prices");
	s3i_json_obj_open(j);
	s3i_json_key(j, "region");
	s3i_json_str(j, s3inv_prices_region(p));
	s3i_json_key(j, "date");
	s3i_json_str(j, s3inv_prices_date(p));
	s3i_json_obj_close(j);
	s3i_json_obj_close(j);
}

int s3i_front_cost_append(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                          const s3inv_prices *p, s3inv_error *err)
{
	s3inv_cost c;
	int rc = s3inv_cost_prefix(&c, idx, pos, p, err);
	if (rc < 0)
		return rc;
	/* reopen the object the du JSON writer just closed */
	if (j->len == 0 || j->p[j->len - 1] != '}') {
		if (err && err->code == 0) {
			err->code = S3INV_EINVAL;
			snprintf(err->msg, sizeof err->msg, "cost: no JSON object to extend");
		}
		return S3INV_EINVAL;
	}
	j->len--;
	j->depth++;
	j->need_comma[j->depth] = true;
	s3i_json_key(j, "cost");
	s3i_front_cost_json(j, &c, p);
	s3i_json_obj_close(j);
	return 0;
}

static void side(struct s3i_json *j, const char *key, bool present, const s3inv_stats *st)
{
	s3i_json_key(j, key);
	if (!present) {
		s3i_json_null(j);
		return;
	}
	s3i_json_obj_open(j);
	s3i_json_key(j, "objects");
	s3i_json_u64(j, st->objects);
	s3i_json_key(j, "bytes");
	s3i_json_u64(j, st->bytes);
	s3i_json_obj_close(j);
}

static int64_t sdelta(uint64_t a, uint64_t b)
{
	return b >= a ? (int64_t)(b - a) : -(int64_t)(a - b);
}

void s3i_front_diff_row_open(struct s3i_json *j, const char *prefix, size_t len, bool has_old,
                             const s3inv_stats *o, bool has_new, const s3inv_stats *n)
{
	static const s3inv_stats zero;
	if (!has_old)
		o = &zero;
	if (!has_new)
		n = &zero;
	s3i_json_obj_open(j);
	s3i_json_key(j, "prefix");
	s3i_json_strn(j, prefix, len);
	side(j, "old", has_old, o);
	side(j, "new", has_new, n);
	s3i_json_key(j, "delta");
	s3i_json_obj_open(j);
	s3i_json_key(j, "objects");
	s3i_json_i64(j, sdelta(o->objects, n->objects));
	s3i_json_key(j, "bytes");
	s3i_json_i64(j, sdelta(o->bytes, n->bytes));
	s3i_json_obj_close(j);
}

int s3i_front_older_json(struct s3i_json *j, const s3inv_index *idx, const uint64_t *pos,
                         size_t n, unsigned bucket, s3inv_error *err)
{
	s3i_json_key(j, "older");
	s3i_json_arr_open(j);
	for (size_t i = 0; i < n; i++) {
		uint64_t o = 0, y = 0;
		int rc = s3inv_index_age_older(idx, pos[i], bucket, &o, &y);
		if (rc < 0) {
			if (err && err->code == 0) {
				err->code = rc;
				snprintf(err->msg, sizeof err->msg, "index: age: %s", s3inv_strerror(rc));
			}
			return rc;
		}
		s3i_json_obj_open(j);
		s3i_json_key(j, "objects");
		s3i_json_u64(j, o);
		s3i_json_key(j, "bytes");
		s3i_json_u64(j, y);
		s3i_json_obj_close(j);
	}
	s3i_json_arr_close(j);
	return 0;
}

void s3i_front_diff_cost_json(struct s3i_json *j, double oc, double nc)
{
	s3i_json_key(j, "cost");
	s3i_json_obj_open(j);
	s3i_json_key(j, "old");
	s3i_json_double(j, oc);
	s3i_json_key(j, "new");
	s3i_json_double(j, nc);
	s3i_json_key(j, "delta");
	s3i_json_double(j, nc - oc);
	s3i_json_obj_close(j);
}
