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
#include "analysis.h"
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

int s3i_cli_cost_append(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                        const s3inv_prices *p)
{
	s3inv_error err = {0, ""};
	int rc = s3i_front_cost_append(j, idx, pos, p, &err);
	return rc < 0 ? s3i_cli_fail(rc, &err, "cost") : 0;
}
