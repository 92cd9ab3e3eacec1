/* SPDX-License-Identifier: MIT */
/*
 * cmd_top.c — `s3inv top`: the largest prefixes exactly D levels below a
 * prefix (s3inv_query_top), as a ranked table or one JSON object.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"
#include "analysis.h"
#include "json.h"
#include "stats.h"

const char s3i_cli_help_top[] =
    "NAME\n"
    "    s3inv top - largest prefixes some levels below a prefix\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv top INDEX [PREFIX] [--depth D] [--limit N] [--by KEY] [--json]\n"
    "              [--older-than AGE] [--cost] [--prices FILE.json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Ranks the prefixes exactly D levels below PREFIX (default: the root)\n"
    "    by bytes or by objects and prints the N largest, with their share of\n"
    "    PREFIX. With D = 1 these are the largest children; deeper levels find\n"
    "    where data piles up (\"which user folder is the biggest\"). A PREFIX\n"
    "    without the trailing delimiter is tried with it too.\n"
    "\n"
    "OPTIONS\n"
    "    --depth D          levels below PREFIX, D >= 1 (default 1)\n"
    "    --limit N, -n N    how many (default 20; 0 = all)\n"
    "    --by KEY           bytes (default), objects, or noncurrent-bytes (bytes of\n"
    "                       non-current versions: where old versions pile up;\n"
    "                       the table then shows non-current bytes and share)\n"
    "    --older-than AGE   rank by the bytes of objects at least AGE old (30d,\n"
    "                       90d, 180d, 1y, 2y or 5y: the buckets of `s3inv age`):\n"
    "                       the old data to move to a colder class; JSON has\n"
    "                       \"by\":\"older-than\",\"older_than\":AGE and\n"
    "                       \"older\":[{\"objects\":O,\"bytes\":B}...] per result\n"
    "    --cost             add an estimated monthly storage cost column (text\n"
    "                       only; built-in us-east-1 prices, docs/cost.md)\n"
    "    --prices FILE.json prices to use instead (implies --cost)\n"
    "    --json             one JSON object on one line:\n"
    "                       {\"prefix\":P,\"levels\":D,\"by\":\"bytes\",\"results\":[<du JSON>...]}\n"
    "                       results largest first; each is the du JSON object.\n"
    "    -h, --help         show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success (also when no prefix is that deep)\n"
    "    1  PREFIX was not found\n"
    "    2  error (bad arguments, unreadable or damaged index)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv top bucket.s3i --depth 2 --limit 10\n"
    "    s3inv top bucket.s3i logs/ --by objects --json\n";

enum { O_JSON = 1, O_DEPTH, O_LIMIT, O_BY, O_COST, O_PRICES, O_OLDER };
static const struct s3i_opt opts[] = {{"json", 0, false, O_JSON},
                                      {"cost", 0, false, O_COST},
                                      {"prices", 0, true, O_PRICES},
                                      {"depth", 'd', true, O_DEPTH},
                                      {"limit", 'n', true, O_LIMIT},
                                      {"by", 0, true, O_BY},
                                      {"older-than", 0, true, O_OLDER},
                                      {NULL, 0, false, 0}};

static int print_text(const s3inv_index *idx, uint64_t ppos, const uint64_t *res, size_t n,
                      unsigned depth, s3inv_sort by, const s3inv_prices *prices,
                      const char *older_txt)
{
	s3inv_index_info info;
	s3inv_stats ps;
	char a[S3I_FMT_MAX], b[S3I_FMT_MAX], c[S3I_FMT_MAX];
	int rc;
	s3inv_index_info_get(idx, &info);
	if ((rc = s3inv_index_stats(idx, ppos, &ps)) < 0)
		return s3i_cli_fail(rc, NULL, "index: statistics");
	if (n == 0) {
		printf("no prefixes %u level%s below\n", depth, depth == 1 ? "" : "s");
		return 0;
	}
	{
		char h[32];
		snprintf(h, sizeof h, ">= %s", older_txt ? older_txt : "");
		printf("%5s %10s %6s %14s  ", "rank",
		       by == S3INV_SORT_NC_BYTES ? "nc bytes" : older_txt ? h : "bytes", "share",
		       "objects");
	}
	if (prices)
		printf("%10s  ", "cost/mo");
	printf("prefix\n");
	for (size_t i = 0; i < n; i++) {
		s3inv_error err = {0, ""};
		s3inv_stats st;
		char *p;
		size_t len;
		if ((rc = s3inv_index_stats(idx, res[i], &st)) < 0)
			return s3i_cli_fail(rc, NULL, "index: statistics");
		if ((rc = s3i_front_prefix_dup(&p, &len, idx, res[i], &err)) < 0)
			return s3i_cli_fail(rc, &err, "index");
		if (older_txt) {
			uint64_t o = 0, y = 0;
			if ((rc = s3inv_index_age_older(idx, res[i], (unsigned)(by - S3INV_SORT_OLDER), &o,
			                                &y)) < 0) {
				free(p);
				return s3i_cli_fail(rc, NULL, "index: age");
			}
			printf("%5zu %10s %6s %14s  ", i + 1, s3i_fmt_size(a, sizeof a, y),
			       s3i_fmt_percent(b, sizeof b, y, st.bytes), s3i_fmt_count(c, sizeof c, st.objects));
		} else if (by == S3INV_SORT_NC_BYTES) {
			printf("%5zu %10s %6s %14s  ", i + 1, s3i_fmt_size(a, sizeof a, st.nc_bytes),
			       s3i_fmt_percent(b, sizeof b, st.nc_bytes, ps.nc_bytes),
			       s3i_fmt_count(c, sizeof c, st.objects));
		} else {
			printf("%5zu %10s %6s %14s  ", i + 1,
			       info.has_size ? s3i_fmt_size(a, sizeof a, st.bytes) : "-",
			       by == S3INV_SORT_OBJECTS || !info.has_size
			           ? s3i_fmt_percent(b, sizeof b, st.objects, ps.objects)
			           : s3i_fmt_percent(b, sizeof b, st.bytes, ps.bytes),
			       s3i_fmt_count(c, sizeof c, st.objects));
		}
		if (prices) {
			s3inv_cost co;
			if ((rc = s3inv_cost_prefix(&co, idx, res[i], prices, &err)) < 0) {
				free(p);
				return s3i_cli_fail(rc, &err, "cost");
			}
			printf("%10s  ", s3i_cli_fmt_usd(a, sizeof a, co.total));
		}
		s3i_cli_put_prefix(p, len);
		putchar('\n');
		free(p);
		if (s3i_cli_stdout_failed())
			break;
	}
	return 0;
}

static int print_json(const s3inv_index *idx, uint64_t ppos, const uint64_t *res, size_t n,
                      unsigned depth, s3inv_sort by, const char *older_txt)
{
	struct s3i_json j;
	s3inv_error err = {0, ""};
	char *p = NULL;
	size_t len;
	int code = 0, rc;
	if ((rc = s3i_front_prefix_dup(&p, &len, idx, ppos, &err)) < 0)
		return s3i_cli_fail(rc, &err, "index");
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "prefix");
	s3i_json_strn(&j, p, len);
	s3i_json_key(&j, "levels");
	s3i_json_u64(&j, depth);
	s3i_json_key(&j, "by");
	s3i_json_str(&j, older_txt                   ? "older-than"
	                 : by == S3INV_SORT_OBJECTS  ? "objects"
	                 : by == S3INV_SORT_NC_BYTES ? "noncurrent-bytes"
	                                             : "bytes");
	if (older_txt) {
		s3i_json_key(&j, "older_than");
		s3i_json_str(&j, older_txt);
	}
	s3i_json_key(&j, "results");
	s3i_json_arr_open(&j);
	for (size_t i = 0; i < n; i++) {
		if (s3i_front_stats_json(&j, idx, res[i], &err) < 0) {
			code = s3i_cli_fail(err.code, &err, "index");
			goto out;
		}
	}
	s3i_json_arr_close(&j);
	if (older_txt) {
		if ((rc = s3i_front_older_json(&j, idx, res, n, (unsigned)(by - S3INV_SORT_OLDER),
		                               &err)) < 0) {
			code = s3i_cli_fail(rc, &err, "index");
			goto out;
		}
	}
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	if (!s3i_json_ok(&j))
		code = s3i_cli_error("out of memory");
	else
		s3i_json_flush(&j, stdout);
out:
	s3i_json_free(&j);
	free(p);
	return code;
}

int s3i_cli_top(int argc, char **argv)
{
	struct s3i_args a;
	const char *index = NULL, *prefix = "";
	bool json = false, have_prefix = false, cost = false;
	const char *prices_path = NULL;
	s3inv_prices *prices = NULL;
	s3inv_sort by = S3INV_SORT_BYTES;
	const char *older_txt = NULL;
	int older = 0;
	uint64_t depth = 1, limit = 20, pos;
	s3inv_index *idx = NULL;
	s3inv_error err = {0, ""};
	uint64_t *res = NULL;
	size_t n = 0;
	int id, rc, code = S3I_EXIT_OK;

	s3i_args_init(&a, argc, argv, "top", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("top");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_JSON: json = true; break;
		case O_COST: cost = true; break;
		case O_PRICES:
			cost = true;
			prices_path = a.arg;
			break;
		case O_DEPTH:
			if (s3i_cli_parse_u64(&depth, "top", "--depth", a.arg, 1, 65535, false) < 0)
				return S3I_EXIT_ERROR;
			break;
		case O_LIMIT:
			if (s3i_cli_parse_u64(&limit, "top", "--limit", a.arg, 0, SIZE_MAX, false) < 0)
				return S3I_EXIT_ERROR;
			break;
		case O_BY:
			if (strcmp(a.arg, "bytes") == 0)
				by = S3INV_SORT_BYTES;
			else if (strcmp(a.arg, "objects") == 0)
				by = S3INV_SORT_OBJECTS;
			else if (strcmp(a.arg, "noncurrent-bytes") == 0)
				by = S3INV_SORT_NC_BYTES;
			else
				return s3i_cli_usage("top",
				                     "invalid value '%s' for --by (bytes, objects or noncurrent-bytes)",
				                     a.arg);
			break;
		case O_OLDER:
			if ((older = s3inv_age_parse(a.arg)) < 0)
				return s3i_cli_usage("top", "invalid value '%s' for --older-than (30d, 90d, "
				                     "180d, 1y, 2y or 5y)", a.arg);
			older_txt = a.arg;
			break;
		default:
			if (!index)
				index = a.arg;
			else if (!have_prefix) {
				prefix = a.arg;
				have_prefix = true;
			} else
				return s3i_cli_usage("top", "unexpected argument '%s'", a.arg);
		}
	}
	if (!index)
		return s3i_cli_usage("top", "missing INDEX");
	if (cost && !json && s3i_cli_prices(&prices, prices_path) != 0)
		return S3I_EXIT_ERROR;
	if (s3i_cli_open(&idx, index, S3INV_OPEN_DEFAULT) != 0) {
		s3inv_prices_free(prices);
		return S3I_EXIT_ERROR;
	}
	if (older_txt && s3i_cli_older_sort(&by, idx, older, index) < 0) {
		code = S3I_EXIT_ERROR;
		goto out;
	}
	if (s3i_cli_lookup(idx, prefix, &pos) < 0) {
		code = S3I_EXIT_NOTFOUND;
		s3i_cli_error("%s: prefix '%s' not found", index, prefix);
		goto out;
	}
	rc = s3inv_query_top(&res, &n, idx, pos, (unsigned)depth, by, (size_t)limit, &err);
	if (rc < 0) {
		code = s3i_cli_fail(rc, &err, index);
		goto out;
	}
	code = json ? print_json(idx, pos, res, n, (unsigned)depth, by, older_txt)
	            : print_text(idx, pos, res, n, (unsigned)depth, by, prices, older_txt);
out:
	s3inv_prices_free(prices);
	s3inv_free(res);
	s3inv_index_close(idx);
	return code;
}
