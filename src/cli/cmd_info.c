/* SPDX-License-Identifier: MIT */
/*
 * cmd_info.c — `s3inv info`: an index's metadata (format, source bucket,
 * report date, build provenance), its totals at the root and its storage
 * classes, as text or one JSON object.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "stats.h"

const char s3i_cli_help_info[] =
    "NAME\n"
    "    s3inv info - metadata and totals of an index\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv info INDEX [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints what the index was built from (source and destination bucket,\n"
    "    manifest, report date, file format), how (tool version, build time,\n"
    "    delimiter, max depth, hash function), its size and number of prefixes,\n"
    "    the totals at the bucket root and every storage class.\n"
    "\n"
    "OPTIONS\n"
    "    --json       one JSON object on one line:\n"
    "                 {\"format_version\":2,\"file_bytes\":N,\"prefixes\":N,\"rows\":N,\n"
    "                  \"delimiter\":\"/\",\"max_depth\":-1,\"has_size\":true,\n"
    "                  \"has_versions\":true,\"has_age\":true,\"has_small\":true,\n"
    "                  \"creation_ms\":N,\"source_bucket\":S,\n"
    "                  \"dest_bucket\":S,\"manifest\":S,\"file_format\":\"CSV\",\n"
    "                  \"tool_version\":S,\"built_at\":S,\"mphf\":S,\n"
    "                  \"classes\":[\"STANDARD\",...],\"root\":<du JSON of \"\">}\n"
    "                 (unknown strings are null; max_depth -1 = unlimited)\n"
    "    -h, --help   show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success\n"
    "    2  error (unreadable or damaged index)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv info bucket.s3i\n"
    "    s3inv info bucket.s3i --json | jq .root.objects\n";

enum { O_JSON = 1 };
static const struct s3i_opt opts[] = {{"json", 0, false, O_JSON}, {NULL, 0, false, 0}};

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "unknown";
}

static int print_json(const s3inv_index *idx, const s3inv_index_info *in)
{
	struct s3i_json j;
	s3inv_error err = {0, ""};
	char d[2] = {in->delimiter, 0};
	int code = 0;
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "format_version");
	s3i_json_u64(&j, in->format_version);
	s3i_json_key(&j, "file_bytes");
	s3i_json_u64(&j, in->file_bytes);
	s3i_json_key(&j, "prefixes");
	s3i_json_u64(&j, in->prefixes);
	s3i_json_key(&j, "rows");
	s3i_json_u64(&j, in->rows);
	s3i_json_key(&j, "delimiter");
	s3i_json_strn(&j, d, 1);
	s3i_json_key(&j, "max_depth");
	s3i_json_i64(&j, in->max_depth);
	s3i_json_key(&j, "has_size");
	s3i_json_bool(&j, in->has_size);
	s3i_json_key(&j, "has_versions");
	s3i_json_bool(&j, in->has_versions);
	s3i_json_key(&j, "has_age");
	s3i_json_bool(&j, in->has_age);
	s3i_json_key(&j, "has_small");
	s3i_json_bool(&j, in->has_small);
	s3i_json_key(&j, "creation_ms");
	s3i_json_i64(&j, in->creation_ms);
	s3i_json_key(&j, "source_bucket");
	s3i_json_str(&j, in->source_bucket);
	s3i_json_key(&j, "dest_bucket");
	s3i_json_str(&j, in->dest_bucket);
	s3i_json_key(&j, "manifest");
	s3i_json_str(&j, in->manifest);
	s3i_json_key(&j, "file_format");
	s3i_json_str(&j, in->file_format);
	s3i_json_key(&j, "tool_version");
	s3i_json_str(&j, in->tool_version);
	s3i_json_key(&j, "built_at");
	s3i_json_str(&j, in->built_at);
	s3i_json_key(&j, "mphf");
	s3i_json_str(&j, in->mphf);
	s3i_json_key(&j, "classes");
	s3i_json_arr_open(&j);
	for (uint32_t i = 0; i < in->n_classes; i++)
		s3i_json_str(&j, s3inv_index_class_name(idx, i));
	s3i_json_arr_close(&j);
	s3i_json_key(&j, "root");
	if (s3i_front_stats_json(&j, idx, 0, &err) < 0) {
		code = s3i_cli_fail(err.code, &err, "index");
		goto out;
	}
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	if (!s3i_json_ok(&j))
		code = s3i_cli_error("out of memory");
	else
		s3i_json_flush(&j, stdout);
out:
	s3i_json_free(&j);
	return code;
}

static int print_text(const s3inv_index *idx, const char *path, const s3inv_index_info *in)
{
	s3inv_stats st;
	s3inv_class_stats *cl = NULL;
	s3inv_error err = {0, ""};
	char a[S3I_FMT_MAX], b[S3I_FMT_MAX], c[S3I_FMT_MAX];
	size_t ncl = 0;
	int rc;
	if ((rc = s3inv_index_stats(idx, 0, &st)) < 0)
		return s3i_cli_fail(rc, NULL, "index: root statistics");
	if ((rc = s3i_front_classes(&cl, &ncl, idx, 0, &err)) < 0)
		return s3i_cli_fail(rc, &err, "index");
	printf("index            %s\n", path);
	printf("format version   %" PRIu32 "\n", in->format_version);
	printf("file size        %s (%s bytes)\n", s3i_fmt_size(a, sizeof a, in->file_bytes),
	       s3i_fmt_count(b, sizeof b, in->file_bytes));
	printf("prefixes         %s", s3i_fmt_count(a, sizeof a, in->prefixes));
	if (in->prefixes > 0)
		printf(" (%.1f bytes per prefix)", (double)in->file_bytes / (double)in->prefixes);
	printf("\nsource bucket    %s\n", or_unknown(in->source_bucket));
	printf("dest bucket      %s\n", or_unknown(in->dest_bucket));
	printf("report date      %s\n", s3i_fmt_date_ms(a, sizeof a, in->creation_ms));
	printf("manifest         %s\n", or_unknown(in->manifest));
	printf("file format      %s\n", or_unknown(in->file_format));
	printf("rows read        %s\n", s3i_fmt_count(a, sizeof a, in->rows));
	if (in->delimiter >= 0x20 && in->delimiter < 0x7f)
		printf("delimiter        '%c'\n", in->delimiter);
	else
		printf("delimiter        \\x%02x\n", (unsigned char)in->delimiter);
	if (in->max_depth < 0)
		printf("max depth        unlimited\n");
	else
		printf("max depth        %d\n", in->max_depth);
	printf("columns          size %s, versions %s, dates %s\n", in->has_size ? "yes" : "no",
	       in->has_versions ? "yes" : "no", in->has_age ? "yes (age histograms)" : "no");
	printf("built by         %s at %s\n", or_unknown(in->tool_version),
	       or_unknown(in->built_at));
	printf("hash             %s\n", or_unknown(in->mphf));
	printf("objects          %s\n", s3i_fmt_count(a, sizeof a, st.objects));
	if (in->has_size)
		printf("bytes            %s (%s bytes)\n", s3i_fmt_size(a, sizeof a, st.bytes),
		       s3i_fmt_count(b, sizeof b, st.bytes));
	printf("deepest prefix   depth %" PRIu32 "\n", st.max_depth);
	if (in->has_versions) {
		printf("noncurrent       %s objects, %s\n", s3i_fmt_count(a, sizeof a, st.nc_objects),
		       s3i_fmt_size(b, sizeof b, st.nc_bytes));
		printf("delete markers   %s\n", s3i_fmt_count(a, sizeof a, st.delete_markers));
	}
	printf("storage classes  %" PRIu32 "\n", in->n_classes);
	for (size_t i = 0; i < ncl; i++)
		printf("  %-42s %14s objects %10s %7s\n", cl[i].name ? cl[i].name : "?",
		       s3i_fmt_count(a, sizeof a, cl[i].objects), s3i_fmt_size(b, sizeof b, cl[i].bytes),
		       s3i_fmt_percent(c, sizeof c, cl[i].bytes, st.bytes));
	free(cl);
	return 0;
}

int s3i_cli_info(int argc, char **argv)
{
	struct s3i_args a;
	const char *index = NULL;
	bool json = false;
	s3inv_index *idx = NULL;
	s3inv_index_info in;
	int id, code;

	s3i_args_init(&a, argc, argv, "info", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("info");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_JSON: json = true; break;
		default:
			if (index)
				return s3i_cli_usage("info", "unexpected argument '%s'", a.arg);
			index = a.arg;
		}
	}
	if (!index)
		return s3i_cli_usage("info", "missing INDEX");
	if (s3i_cli_open(&idx, index, S3INV_OPEN_DEFAULT) != 0)
		return S3I_EXIT_ERROR;
	s3inv_index_info_get(idx, &in);
	code = json ? print_json(idx, &in) : print_text(idx, index, &in);
	s3inv_index_close(idx);
	return code;
}
