/* SPDX-License-Identifier: MIT */
/*
 * cost_opt.c — what the --cost / --prices options of du, ls, top and diff
 * share: loading the price table, formatting dollars, and the "cost" JSON
 * object. The estimate itself is the library's (s3inv_cost_prefix);
 * assumptions are in docs/cost.md.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"

int s3i_cli_prices(s3inv_prices **out, const char *path)
{
	s3inv_error err = {0, ""};
	int rc = path ? s3inv_prices_load(out, path, &err) : s3inv_prices_builtin(out, &err);
	if (rc < 0) {
		*out = NULL;
		return s3i_cli_fail(rc, &err, path ? path : "prices");
	}
	return 0;
}

char *s3i_cli_fmt_usd(char *buf, size_t cap, double v)
{
	double a = fabs(v);
	const char *sign = v < 0 ? "-" : "";
	if (a >= 1e6)
		snprintf(buf, cap, "%s$%.2fM", sign, a / 1e6);
	else if (a >= 100)
		snprintf(buf, cap, "%s$%.0f", sign, a);
	else
		snprintf(buf, cap, "%s$%.2f", sign, a);
	return buf;
}

void s3i_cli_cost_json(struct s3i_json *j, const s3inv_cost *c, const s3inv_prices *p)
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

int s3i_cli_cost_append(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                        const s3inv_prices *p)
{
	s3inv_error err = {0, ""};
	s3inv_cost c;
	int rc = s3inv_cost_prefix(&c, idx, pos, p, &err);
	if (rc < 0)
		return s3i_cli_fail(rc, &err, "cost");
	/* reopen the object the du JSON writer just closed */
	if (j->len == 0 || j->p[j->len - 1] != '}')
		return s3i_cli_error("cost: internal error (no JSON object to extend)");
	j->len--;
	j->depth++;
	j->need_comma[j->depth] = true;
	s3i_json_key(j, "cost");
	s3i_cli_cost_json(j, &c, p);
	s3i_json_obj_close(j);
	return 0;
}
