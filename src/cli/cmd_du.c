/* SPDX-License-Identifier: MIT */
/*
 * cmd_du.c — `s3inv du`: statistics of one or more prefixes, as text
 * blocks or du JSON lines, and the `--stdin` batch mode (prefixes one per
 * line, looked up 256 at a time with s3inv_index_lookup_batch, one JSON
 * line out per line in).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "stats.h"

#define BATCH 256

const char s3i_cli_help_du[] =
    "NAME\n"
    "    s3inv du - statistics of prefixes\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv du INDEX [PREFIX...] [--json] [--cost] [--prices FILE.json]\n"
    "    s3inv du INDEX --stdin\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints, for each PREFIX (default: the bucket root \"\"), the number of\n"
    "    current objects under it, their total size, the same per storage class,\n"
    "    and, when the inventory listed all versions, non-current versions and\n"
    "    delete markers. A prefix is the bucket root \"\" or a leading part of a\n"
    "    key ending in the delimiter (\"logs/\", \"logs/2026/\"). On the command\n"
    "    line a PREFIX without the trailing delimiter is tried with it too\n"
    "    (\"logs\" finds \"logs/\").\n"
    "\n"
    "OPTIONS\n"
    "    --json     one JSON object per prefix, one per line:\n"
    "               {\"prefix\":\"logs/\",\"depth\":1,\"objects\":123,\"bytes\":4567,\n"
    "                \"classes\":{\"STANDARD\":{\"objects\":100,\"bytes\":4000}},\n"
    "                \"noncurrent\":{\"objects\":5,\"bytes\":99},\"delete_markers\":2}\n"
    "               (noncurrent and delete_markers only for versioned reports);\n"
    "               a missing prefix prints {\"prefix\":\"x\",\"found\":false}.\n"
    "    --cost     add the estimated monthly storage cost (built-in us-east-1\n"
    "               prices; text line, or a \"cost\" object in JSON; see\n"
    "               docs/cost.md for the assumptions)\n"
    "    --prices FILE.json  prices to use instead (implies --cost)\n"
    "    --stdin    read prefixes from standard input, one per line (\"\\n\" or\n"
    "               \"\\r\\n\"; an empty line is the root), and print one JSON line\n"
    "               for each, in order. Prefixes are matched exactly.\n"
    "    -h, --help show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  every prefix was found\n"
    "    1  at least one prefix was not found\n"
    "    2  error (bad arguments, unreadable or damaged index)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv du bucket.s3i\n"
    "    s3inv du bucket.s3i logs/ photos/ --json\n"
    "    printf 'logs/\\nmissing/\\n' | s3inv du bucket.s3i --stdin\n";

enum { O_JSON = 1, O_STDIN, O_COST, O_PRICES };
static const struct s3i_opt opts[] = {{"json", 0, false, O_JSON},
                                      {"stdin", 0, false, O_STDIN},
                                      {"cost", 0, false, O_COST},
                                      {"prices", 0, true, O_PRICES},
                                      {NULL, 0, false, 0}};

static int print_text(const s3inv_index *idx, uint64_t pos, const s3inv_prices *prices)
{
	s3inv_error err = {0, ""};
	s3inv_index_info info;
	s3inv_stats st;
	s3inv_class_stats *cl = NULL;
	char *pfx = NULL, a[S3I_FMT_MAX], b[S3I_FMT_MAX], c[S3I_FMT_MAX];
	size_t plen, ncl;
	int rc = s3inv_index_stats(idx, pos, &st);
	if (rc < 0)
		return s3i_cli_fail(rc, NULL, "index: prefix statistics");
	if ((rc = s3i_front_prefix_dup(&pfx, &plen, idx, pos, &err)) < 0 ||
	    (rc = s3i_front_classes(&cl, &ncl, idx, pos, &err)) < 0) {
		free(pfx);
		return s3i_cli_fail(rc, &err, "index");
	}
	s3inv_index_info_get(idx, &info);
	s3i_cli_put_prefix(pfx, plen);
	printf("\n  objects          %s\n", s3i_fmt_count(a, sizeof a, st.objects));
	if (info.has_size)
		printf("  bytes            %s (%s bytes)\n", s3i_fmt_size(a, sizeof a, st.bytes),
		       s3i_fmt_count(b, sizeof b, st.bytes));
	else
		printf("  bytes            unknown (the report has no Size column)\n");
	printf("  depth            %" PRIu32 " (deepest prefix below: %" PRIu32 ")\n", st.depth,
	       st.max_depth);
	if (ncl > 0) {
		printf("  storage classes  %-27s %14s %10s %7s\n", "", "objects", "bytes", "share");
		for (size_t i = 0; i < ncl; i++) {
			if (cl[i].objects == 0)
				continue;
			printf("    %-42s %14s %10s %7s\n", cl[i].name ? cl[i].name : "?",
			       s3i_fmt_count(a, sizeof a, cl[i].objects),
			       s3i_fmt_size(b, sizeof b, cl[i].bytes),
			       info.has_size ? s3i_fmt_percent(c, sizeof c, cl[i].bytes, st.bytes)
			                     : s3i_fmt_percent(c, sizeof c, cl[i].objects, st.objects));
		}
	}
	if (prices) {
		s3inv_cost co;
		if ((rc = s3inv_cost_prefix(&co, idx, pos, prices, &err)) < 0) {
			free(cl);
			free(pfx);
			return s3i_cli_fail(rc, &err, "cost");
		}
		printf("  est. cost        %s/month (%s prices of %s: storage %s, archive overhead %s",
		       s3i_cli_fmt_usd(a, sizeof a, co.total), s3inv_prices_region(prices),
		       s3inv_prices_date(prices), s3i_cli_fmt_usd(b, sizeof b, co.storage),
		       s3i_cli_fmt_usd(c, sizeof c, co.archive_overhead));
		if (co.min_size_known)
			printf(", 128 KiB minimum %s, IT monitoring %s)\n",
			       s3i_cli_fmt_usd(a, sizeof a, co.min_size),
			       s3i_cli_fmt_usd(b, sizeof b, co.monitoring));
		else
			printf("; minimum sizes and monitoring not included)\n");
	}
	if (info.has_versions) {
		printf("  noncurrent       %s objects, %s\n", s3i_fmt_count(a, sizeof a, st.nc_objects),
		       s3i_fmt_size(b, sizeof b, st.nc_bytes));
		printf("  delete markers   %s\n", s3i_fmt_count(a, sizeof a, st.delete_markers));
	}
	free(cl);
	free(pfx);
	return 0;
}

static int run_stdin(const s3inv_index *idx)
{
	char *lines[BATCH] = {NULL};
	size_t caps[BATCH] = {0}, lens[BATCH];
	uint64_t pos[BATCH];
	struct s3i_json j;
	int code = S3I_EXIT_OK;
	bool eof = false;

	s3i_json_init(&j);
	while (!eof && code != S3I_EXIT_ERROR) {
		size_t n = 0;
		while (n < BATCH) {
			ssize_t r = getline(&lines[n], &caps[n], stdin);
			if (r < 0) {
				eof = true;
				break;
			}
			lens[n] = (size_t)r;
			if (lens[n] > 0 && lines[n][lens[n] - 1] == '\n')
				lens[n]--;
			if (lens[n] > 0 && lines[n][lens[n] - 1] == '\r')
				lens[n]--;
			n++;
		}
		if (ferror(stdin)) {
			code = s3i_cli_error("du: reading standard input failed");
			break;
		}
		if (n == 0)
			break;
		s3inv_index_lookup_batch(idx, (const char *const *)lines, lens, n, pos);
		for (size_t i = 0; i < n; i++) {
			s3inv_error err = {0, ""};
			if (pos[i] == UINT64_MAX) {
				s3i_front_missing_json(&j, lines[i], lens[i]);
				code = S3I_EXIT_NOTFOUND;
				continue;
			}
			if (s3i_front_stats_json(&j, idx, pos[i], &err) < 0) {
				code = s3i_cli_fail(err.code, &err, "index");
				break;
			}
			s3i_json_raw(&j, "\n", 1);
		}
		if (s3i_json_flush(&j, stdout) < 0 || s3i_cli_stdout_failed())
			break; /* closed pipe or write error: main reports it */
	}
	for (size_t i = 0; i < BATCH; i++)
		free(lines[i]);
	s3i_json_free(&j);
	return code;
}

int s3i_cli_du(int argc, char **argv)
{
	struct s3i_args a;
	const char *index = NULL;
	const char **pfx = NULL;
	size_t npfx = 0;
	bool json = false, use_stdin = false;
	s3inv_index *idx = NULL;
	s3inv_prices *prices = NULL;
	const char *prices_path = NULL;
	bool cost = false;
	int id, code = S3I_EXIT_OK;

	pfx = calloc((size_t)argc + 1, sizeof *pfx);
	if (!pfx)
		return s3i_cli_error("out of memory");
	s3i_args_init(&a, argc, argv, "du", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: free(pfx); return s3i_cli_print_help("du");
		case S3I_OPT_ERROR: free(pfx); return S3I_EXIT_ERROR;
		case O_JSON: json = true; break;
		case O_STDIN: use_stdin = true; break;
		case O_COST: cost = true; break;
		case O_PRICES:
			cost = true;
			prices_path = a.arg;
			break;
		default:
			if (!index)
				index = a.arg;
			else
				pfx[npfx++] = a.arg;
		}
	}
	if (!index) {
		free(pfx);
		return s3i_cli_usage("du", "missing INDEX");
	}
	if (use_stdin && npfx > 0) {
		free(pfx);
		return s3i_cli_usage("du", "--stdin takes no PREFIX arguments");
	}
	if (cost && use_stdin) {
		free(pfx);
		return s3i_cli_usage("du", "--cost does not apply to --stdin");
	}
	if ((cost && s3i_cli_prices(&prices, prices_path) != 0) ||
	    s3i_cli_open(&idx, index, S3INV_OPEN_DEFAULT) != 0) {
		s3inv_prices_free(prices);
		free(pfx);
		return S3I_EXIT_ERROR;
	}
	if (use_stdin) {
		code = run_stdin(idx);
		goto out;
	}
	if (npfx == 0)
		pfx[npfx++] = "";
	for (size_t i = 0; i < npfx && code != S3I_EXIT_ERROR; i++) {
		uint64_t pos;
		if (s3i_cli_lookup(idx, pfx[i], &pos) < 0) {
			if (json) {
				struct s3i_json j;
				s3i_json_init(&j);
				s3i_front_missing_json(&j, pfx[i], strlen(pfx[i]));
				s3i_json_flush(&j, stdout);
				s3i_json_free(&j);
			} else {
				s3i_cli_error("%s: prefix '%s' not found", index, pfx[i]);
			}
			code = S3I_EXIT_NOTFOUND;
			continue;
		}
		if (json) {
			struct s3i_json j;
			s3inv_error err = {0, ""};
			s3i_json_init(&j);
			if (s3i_front_stats_json(&j, idx, pos, &err) < 0)
				code = s3i_cli_fail(err.code, &err, index);
			else if (prices && s3i_cli_cost_append(&j, idx, pos, prices) != 0)
				code = S3I_EXIT_ERROR;
			else
				s3i_json_raw(&j, "\n", 1);
			if (code != S3I_EXIT_ERROR)
				s3i_json_flush(&j, stdout);
			s3i_json_free(&j);
		} else {
			if (i > 0)
				putchar('\n');
			if (print_text(idx, pos, prices) != 0)
				code = S3I_EXIT_ERROR;
		}
		if (s3i_cli_stdout_failed())
			break;
	}
out:
	s3inv_prices_free(prices);
	s3inv_index_close(idx);
	free(pfx);
	return code;
}
