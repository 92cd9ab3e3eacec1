/* SPDX-License-Identifier: MIT */
/*
 * cmd_reports.c — `s3inv reports`: the inventory reports found under a
 * local directory or an s3:// prefix (s3inv_reports_list), newest first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"
#include "json.h"

const char s3i_cli_help_reports[] =
    "NAME\n"
    "    s3inv reports - list the inventory reports under a source\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv reports SOURCE [--json] [--region R] [--profile P]\n"
    "                  [--endpoint-url URL] [--requester-pays]\n"
    "\n"
    "DESCRIPTION\n"
    "    Lists the dated reports (YYYY-MM-DDTHH-MMZ/manifest.json) under SOURCE,\n"
    "    a local directory or an s3:// prefix such as\n"
    "    s3://inv-bucket/source-bucket/config-id/, newest first: date, format,\n"
    "    number of data files, their total size, and whether the report is\n"
    "    complete. `s3inv build SOURCE` uses the newest complete one.\n"
    "\n"
    "OPTIONS\n"
    "    --json               one JSON object on one line:\n"
    "                         {\"source\":S,\"reports\":[{\"date\":D,\"manifest\":M,\n"
    "                          \"format\":\"CSV\",\"files\":N,\"bytes\":N,\n"
    "                          \"creation_ms\":N,\"complete\":true},...]}\n"
    S3I_CLI_S3_HELP
    "    -h, --help           show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success (also when no report was found)\n"
    "    2  error (unreadable source, S3 failure)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv reports ./inventory/my-bucket/daily/\n"
    "    s3inv reports s3://inv-bucket/my-bucket/daily/ --json\n";

enum { O_JSON = 1 };
static const struct s3i_opt opts[] = {
    {"json", 0, false, O_JSON}, S3I_CLI_S3_OPTS, {NULL, 0, false, 0}};

static void print_json(const char *source, const s3inv_report *r, size_t n)
{
	struct s3i_json j;
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "source");
	s3i_json_str(&j, source);
	s3i_json_key(&j, "reports");
	s3i_json_arr_open(&j);
	for (size_t i = 0; i < n; i++) {
		s3i_json_obj_open(&j);
		s3i_json_key(&j, "date");
		s3i_json_strn(&j, r[i].date, strnlen(r[i].date, sizeof r[i].date));
		s3i_json_key(&j, "manifest");
		s3i_json_strn(&j, r[i].manifest, strnlen(r[i].manifest, sizeof r[i].manifest));
		s3i_json_key(&j, "format");
		s3i_json_strn(&j, r[i].format, strnlen(r[i].format, sizeof r[i].format));
		s3i_json_key(&j, "files");
		s3i_json_u64(&j, r[i].files);
		s3i_json_key(&j, "bytes");
		s3i_json_u64(&j, r[i].bytes);
		s3i_json_key(&j, "creation_ms");
		s3i_json_i64(&j, r[i].creation_ms);
		s3i_json_key(&j, "complete");
		s3i_json_bool(&j, r[i].complete);
		s3i_json_obj_close(&j);
	}
	s3i_json_arr_close(&j);
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	if (s3i_json_flush(&j, stdout) < 0 && !s3i_cli_stdout_failed())
		s3i_cli_error("out of memory");
	s3i_json_free(&j);
}

static void print_text(const char *source, const s3inv_report *r, size_t n)
{
	char a[S3I_FMT_MAX], b[S3I_FMT_MAX];
	if (n == 0) {
		printf("no reports under %s\n", source);
		return;
	}
	printf("%-20s %-8s %8s %10s  %-8s %s\n", "date", "format", "files", "size", "status",
	       "manifest");
	for (size_t i = 0; i < n; i++) {
		printf("%-20.32s %-8.16s %8s %10s  %-8s %.1024s\n", r[i].date,
		       r[i].format[0] ? r[i].format : "?", s3i_fmt_count(a, sizeof a, r[i].files),
		       s3i_fmt_size(b, sizeof b, r[i].bytes), r[i].complete ? "complete" : "partial",
		       r[i].manifest);
	}
}

int s3i_cli_reports(int argc, char **argv)
{
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3inv_error err = {0, ""};
	s3inv_report *r = NULL;
	struct s3i_args a;
	const char *source = NULL;
	bool json = false;
	size_t n = 0;
	int id, rc;

	s3i_args_init(&a, argc, argv, "reports", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("reports");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_JSON: json = true; break;
		default:
			if (id != S3I_OPT_POS) {
				if (s3i_cli_s3_option(&o, id, a.arg, "reports") < 0)
					return S3I_EXIT_ERROR;
				break;
			}
			if (source)
				return s3i_cli_usage("reports", "unexpected argument '%s'", a.arg);
			source = a.arg;
		}
	}
	if (!source)
		return s3i_cli_usage("reports", "missing SOURCE");
	rc = s3inv_reports_list(&r, &n, source, &o, &err);
	if (rc < 0)
		return s3i_cli_fail(rc, &err, source);
	if (json)
		print_json(source, r, n);
	else
		print_text(source, r, n);
	s3inv_free(r);
	return S3I_EXIT_OK;
}
