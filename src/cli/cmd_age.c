/* SPDX-License-Identifier: MIT */
/*
 * cmd_age.c — `s3inv age`: the age histogram of the current objects of a
 * prefix (objects and bytes in seven buckets by age relative to the
 * report's date), as a table with bars or as one JSON line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "stats.h"

const char s3i_cli_help_age[] =
    "NAME\n"
    "    s3inv age - how old the objects under a prefix are\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv age INDEX [PREFIX...] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints, for each PREFIX (default: the bucket root \"\"), the current\n"
    "    objects under it and their bytes by age: the time between their\n"
    "    LastModifiedDate and the date of the inventory report, in the buckets\n"
    "    <30 days, 30-90 days, 90-180 days, 180 days-1 year, 1-2 years,\n"
    "    2-5 years and 5 years or more (whole days; a date after the report is\n"
    "    age 0). Objects without a date are in no bucket. The histograms are\n"
    "    counted when the index is built and need a report with the\n"
    "    LastModifiedDate field.\n"
    "\n"
    "OPTIONS\n"
    "    --json     one JSON object per prefix, one per line:\n"
    "               {\"prefix\":\"logs/\",\"report_date\":\"2026-11-22\",\"age\":[\n"
    "                {\"bucket\":\"<30d\",\"objects\":12,\"bytes\":3456},...]}\n"
    "               (all seven buckets, in order; a missing prefix prints\n"
    "               {\"prefix\":\"x\",\"found\":false})\n"
    "    -h, --help show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  every prefix was found\n"
    "    1  at least one prefix was not found\n"
    "    2  error (bad arguments, unreadable or damaged index, an index\n"
    "       without age data)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv age bucket.s3i\n"
    "    s3inv age bucket.s3i logs/ --json\n"
    "    s3inv ls bucket.s3i --older-than 1y     # where the old bytes are\n";

enum { O_JSON = 1 };
static const struct s3i_opt opts[] = {{"json", 0, false, O_JSON}, {NULL, 0, false, 0}};

static const char *const long_label[S3INV_AGE_BUCKETS] = {
	"< 30 days", "30-90 days", "90-180 days", "180 days-1 year", "1-2 years", "2-5 years",
	">= 5 years"};

static void bar(char *out, uint64_t part, uint64_t whole)
{
	int n = whole ? (int)((double)part / (double)whole * 30.0 + 0.5) : 0;
	int i;
	for (i = 0; i < n && i < 30; i++)
		out[i] = '#';
	out[i] = '\0';
}

static int print_text(const s3inv_index *idx, uint64_t pos, const s3inv_age *age)
{
	s3inv_index_info info;
	s3inv_stats st;
	char date[32], a[32], b[32], c[32], br[32];
	uint64_t so = 0, sb = 0;
	s3inv_index_info_get(idx, &info);
	if (s3inv_index_stats(idx, pos, &st) < 0)
		return s3i_cli_error("%s: damaged index", info.manifest);
	for (unsigned i = 0; i < S3INV_AGE_BUCKETS; i++) {
		so += age->objects[i];
		sb += age->bytes[i];
	}
	{
		char *pfx = NULL;
		size_t plen = 0;
		s3inv_error err = {0, ""};
		if (s3i_front_prefix_dup(&pfx, &plen, idx, pos, &err) < 0)
			return s3i_cli_fail(err.code, &err, "age");
		s3i_cli_put_prefix(pfx, plen);
		free(pfx);
	}
	printf("  %s objects, %s, by age on %s\n", s3i_fmt_count(a, sizeof a, so),
	       s3i_fmt_size(b, sizeof b, sb), s3i_fmt_date_ms(date, sizeof date, info.creation_ms));
	printf("  %-16s %14s %11s %6s\n", "age", "objects", "bytes", "share");
	for (unsigned i = 0; i < S3INV_AGE_BUCKETS; i++) {
		uint64_t part = info.has_size ? age->bytes[i] : age->objects[i];
		bar(br, part, info.has_size ? sb : so);
		printf("  %-16s %14s %11s %6s %s\n", long_label[i],
		       s3i_fmt_count(a, sizeof a, age->objects[i]),
		       info.has_size ? s3i_fmt_size(b, sizeof b, age->bytes[i]) : "-",
		       s3i_fmt_percent(c, sizeof c, part, info.has_size ? sb : so), br);
	}
	if (so < st.objects)
		printf("  (%s objects without a LastModifiedDate are not shown)\n",
		       s3i_fmt_count(a, sizeof a, st.objects - so));
	return 0;
}

int s3i_cli_age(int argc, char **argv)
{
	struct s3i_args a;
	const char *index = NULL;
	const char **pfx = NULL;
	size_t npfx = 0;
	bool json = false;
	s3inv_index *idx = NULL;
	s3inv_index_info info;
	int id, code = S3I_EXIT_OK;

	pfx = calloc((size_t)argc + 1, sizeof *pfx);
	if (!pfx)
		return s3i_cli_error("out of memory");
	s3i_args_init(&a, argc, argv, "age", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: free(pfx); return s3i_cli_print_help("age");
		case S3I_OPT_ERROR: free(pfx); return S3I_EXIT_ERROR;
		case O_JSON: json = true; break;
		default:
			if (!index)
				index = a.arg;
			else
				pfx[npfx++] = a.arg;
		}
	}
	if (!index) {
		free(pfx);
		return s3i_cli_usage("age", "missing INDEX");
	}
	if (s3i_cli_open(&idx, index, S3INV_OPEN_DEFAULT) != 0) {
		free(pfx);
		return S3I_EXIT_ERROR;
	}
	s3inv_index_info_get(idx, &info);
	if (!info.has_age) {
		code = s3i_cli_error("%s: the index has no age data (the report had no "
		                     "LastModifiedDate field, or no creationTimestamp)", index);
		goto out;
	}
	if (npfx == 0)
		pfx[npfx++] = "";
	for (size_t i = 0; i < npfx && code != S3I_EXIT_ERROR; i++) {
		uint64_t pos;
		s3inv_age age;
		int rc;
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
			if (s3i_front_age_json(&j, idx, pos, &err) < 0)
				code = s3i_cli_fail(err.code, &err, index);
			else
				s3i_json_raw(&j, "\n", 1);
			if (code != S3I_EXIT_ERROR)
				s3i_json_flush(&j, stdout);
			s3i_json_free(&j);
		} else {
			if ((rc = s3inv_index_age(idx, pos, &age)) < 0) {
				code = s3i_cli_fail(rc, NULL, index);
				break;
			}
			if (i > 0)
				putchar('\n');
			if (print_text(idx, pos, &age) != 0)
				code = S3I_EXIT_ERROR;
		}
		if (s3i_cli_stdout_failed())
			break;
	}
out:
	s3inv_index_close(idx);
	free(pfx);
	return code;
}
