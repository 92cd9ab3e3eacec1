/* SPDX-License-Identifier: MIT */
/*
 * cmd_gen.c — `s3inv gen`: write a generated sample inventory report
 * (s3inv_gen_run) for demos, tests and benchmarks.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"

const char s3i_cli_help_gen[] =
    "NAME\n"
    "    s3inv gen - write a generated sample inventory report\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv gen --out DIR [--objects N] [--seed S] [--files F]\n"
    "              [--shape logs|media|mixed] [--gzip|--no-gzip] [--sorted]\n"
    "              [--no-versions]\n"
    "\n"
    "DESCRIPTION\n"
    "    Writes DIR/manifest.json (with real MD5 checksums) and DIR/data/ files\n"
    "    in the AWS CSV conventions: URL-encoded keys, quoted fields, columns\n"
    "    Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size,\n"
    "    LastModifiedDate, StorageClass, IntelligentTieringAccessTier. Keys are\n"
    "    realistic and hostile: spaces, '+', '%', unicode, '//', trailing '/',\n"
    "    root-level objects, 20-level-deep keys; storage classes are skewed;\n"
    "    rows are shuffled across files unless --sorted. The output depends\n"
    "    only on the options and the seed.\n"
    "\n"
    "OPTIONS\n"
    "    --out DIR, -o DIR   output directory (created; required)\n"
    "    --objects N         rows to write, versions and delete markers included\n"
    "                        (default 1000000; k/M/G suffixes mean 10^3/10^6/10^9)\n"
    "    --seed S            random seed (default 1)\n"
    "    --files F           number of data files (default: one per 250k rows)\n"
    "    --shape SHAPE       logs (dated log folders), media (photos/videos), or\n"
    "                        mixed (default)\n"
    "    --gzip, --no-gzip   write .csv.gz (default) or plain .csv files\n"
    "    --sorted            rows in key order instead of shuffled\n"
    "    --no-versions       current objects only, no version columns\n"
    "    -h, --help          show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  the report was written\n"
    "    2  error (bad arguments, I/O)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv gen --objects 1M --out /tmp/report\n"
    "    s3inv gen --objects 10000 --shape logs --no-gzip --sorted --out t\n";

enum { O_OUT = 1, O_OBJ, O_SEED, O_FILES, O_SHAPE, O_GZIP, O_NOGZIP, O_SORTED, O_NOVER, O_QUIET };
static const struct s3i_opt opts[] = {
    {"out", 'o', true, O_OUT},          {"objects", 0, true, O_OBJ},
    {"seed", 0, true, O_SEED},          {"files", 0, true, O_FILES},
    {"shape", 0, true, O_SHAPE},        {"gzip", 0, false, O_GZIP},
    {"no-gzip", 0, false, O_NOGZIP},    {"sorted", 0, false, O_SORTED},
    {"no-versions", 0, false, O_NOVER}, {"quiet", 'q', false, O_QUIET},
    {NULL, 0, false, 0}};

int s3i_cli_gen(int argc, char **argv)
{
	s3inv_gen_options o = S3INV_GEN_OPTIONS_INIT;
	s3inv_error err = {0, ""};
	struct s3i_args a;
	const char *out = NULL;
	bool quiet = false;
	uint64_t v;
	char n[S3I_FMT_MAX];
	int id, rc;

	s3i_args_init(&a, argc, argv, "gen", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("gen");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_OUT: out = a.arg; break;
		case O_OBJ:
			if (s3i_cli_parse_u64(&o.objects, "gen", "--objects", a.arg, 1, UINT64_MAX, true) < 0)
				return S3I_EXIT_ERROR;
			break;
		case O_SEED:
			if (s3i_cli_parse_u64(&o.seed, "gen", "--seed", a.arg, 0, UINT64_MAX, false) < 0)
				return S3I_EXIT_ERROR;
			break;
		case O_FILES:
			if (s3i_cli_parse_u64(&v, "gen", "--files", a.arg, 1, 100000, false) < 0)
				return S3I_EXIT_ERROR;
			o.files = (unsigned)v;
			break;
		case O_SHAPE:
			if (strcmp(a.arg, "logs") == 0)
				o.shape = S3INV_SHAPE_LOGS;
			else if (strcmp(a.arg, "media") == 0)
				o.shape = S3INV_SHAPE_MEDIA;
			else if (strcmp(a.arg, "mixed") == 0)
				o.shape = S3INV_SHAPE_MIXED;
			else
				return s3i_cli_usage("gen", "invalid value '%s' for --shape (logs, media or mixed)",
				                     a.arg);
			break;
		case O_GZIP: o.gzip = true; break;
		case O_NOGZIP: o.gzip = false; break;
		case O_SORTED: o.sorted = true; break;
		case O_NOVER: o.versions = false; break;
		case O_QUIET: quiet = true; break;
		default: return s3i_cli_usage("gen", "unexpected argument '%s'", a.arg);
		}
	}
	if (!out)
		return s3i_cli_usage("gen", "missing --out DIR");
	rc = s3inv_gen_run(out, &o, &err);
	if (rc < 0)
		return s3i_cli_fail(rc, &err, out);
	if (!quiet)
		printf("wrote %s rows to %s/manifest.json\n", s3i_fmt_count(n, sizeof n, o.objects), out);
	return S3I_EXIT_OK;
}
