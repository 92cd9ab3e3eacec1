/* SPDX-License-Identifier: MIT */
/*
 * cmd_build.c — `s3inv build`: option parsing for s3inv_build_run, the
 * progress bar, notices, Ctrl-C, and the final summary.
 *
 * SIGINT and SIGTERM only set the volatile cancel flag the library polls
 * (the handler does nothing else); the build then unwinds through its
 * normal error path, which removes the temporary index and run files, and
 * we exit 2 with "interrupted" (the project's 0/1/2 rule; README). The
 * handler is one-shot: a second Ctrl-C kills the process the usual way.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"
#include "progress.h"

const char s3i_cli_help_build[] =
    "NAME\n"
    "    s3inv build - build an index from an inventory report\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv build SOURCE -o OUT.s3i [options]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads an S3 Inventory report (CSV, CSV.GZ or Parquet data files) and\n"
    "    writes one index file answering du/ls/top for every prefix. SOURCE is\n"
    "      - a manifest.json,\n"
    "      - a report directory holding manifest.json,\n"
    "      - a directory of dated reports (YYYY-MM-DDTHH-MMZ/manifest.json): the\n"
    "        newest is used and a notice says which, or\n"
    "      - an s3:// URL of a manifest.json or of such a directory.\n"
    "    Data file keys of the manifest are resolved relative to the report\n"
    "    root, falling back to data/<basename> beside the manifest.\n"
    "    The index is written under a temporary name, synced and renamed: on an\n"
    "    error or Ctrl-C no file is left under OUT.s3i and temporary files are\n"
    "    removed. Progress is shown on stderr when it is a terminal; a summary\n"
    "    is printed on stdout at the end.\n"
    "\n"
    "OPTIONS\n"
    "    -o, --output FILE       the index to write (required)\n"
    "    --mem-budget SIZE       memory budget (default: a quarter of RAM); the\n"
    "                            build spills sorted runs to disk to stay within\n"
    "                            it. SIZE: 4096, 64k, 256MiB, 2G, 1.5GiB (binary)\n"
    "    --threads N             worker threads (default: number of CPUs)\n"
    "    --tmp-dir DIR           where run files go (default: beside the output)\n"
    "    --max-depth N           keep prefixes of depth <= N only\n"
    "    --delimiter C           the key delimiter, one byte (default '/')\n"
    "    --no-verify             skip the MD5 check of data files\n"
    "    --quiet, -q             no progress, notices or summary\n"
    "    --progress              show progress even when stderr is not a terminal\n"
    "                            (one line per second)\n"
    S3I_CLI_S3_HELP
    "    -h, --help              show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  the index was written\n"
    "    2  error (bad arguments or input, I/O, memory) or interrupted\n"
    "       (SIGINT, SIGTERM); nothing is left behind\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv build ./inventory/my-bucket/daily/ -o my-bucket.s3i\n"
    "    s3inv build report/manifest.json -o b.s3i --mem-budget 512MiB --threads 2\n"
    "    s3inv build s3://inv-bucket/my-bucket/daily/ -o b.s3i --region eu-west-1\n";

enum {
	O_OUT = 1, O_MEM, O_THREADS, O_TMP, O_MAXDEPTH, O_DELIM, O_NOVERIFY, O_QUIET,
	O_PROGRESS
};
static const struct s3i_opt opts[] = {
    {"output", 'o', true, O_OUT},          {"mem-budget", 0, true, O_MEM},
    {"threads", 'j', true, O_THREADS},     {"tmp-dir", 0, true, O_TMP},
    {"max-depth", 0, true, O_MAXDEPTH},    {"delimiter", 0, true, O_DELIM},
    {"no-verify", 0, false, O_NOVERIFY},   {"quiet", 'q', false, O_QUIET},
    {"progress", 0, false, O_PROGRESS},    S3I_CLI_S3_OPTS,
    {NULL, 0, false, 0}};

/* The only state a signal handler touches. */
static volatile int cancel_flag;
static volatile int cancel_signal;

static void on_signal(int sig)
{
	cancel_signal = sig;
	cancel_flag = 1;
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND; /* a second signal kills */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct ctx {
	struct s3i_pbar bar;
	bool quiet;
};

static void on_notice(const char *line, void *payload)
{
	struct ctx *c = payload;
	if (c->quiet)
		return;
	s3i_pbar_clear(&c->bar);
	fprintf(stderr, "s3inv: %s\n", line);
}

static void on_progress(const s3inv_progress *p, void *payload)
{
	struct ctx *c = payload;
	s3i_pbar_update(&c->bar, p);
}

static void print_summary(const s3inv_build_summary *s, const char *out)
{
	char a[S3I_FMT_MAX], b[S3I_FMT_MAX];
	printf("built %s", out);
	if (s->manifest_path[0])
		printf(" from %s", s->manifest_path);
	printf("\n  rows           %s", s3i_fmt_count(a, sizeof a, s->rows));
	if (s->wall_s > 0)
		printf(" (%s objects/s)", s3i_fmt_rate(b, sizeof b, (double)s->rows / s->wall_s));
	printf("\n  objects        %s (%s)\n", s3i_fmt_count(a, sizeof a, s->objects),
	       s3i_fmt_size(b, sizeof b, s->bytes));
	printf("  prefixes       %s\n", s3i_fmt_count(a, sizeof a, s->prefixes));
	printf("  index size     %s", s3i_fmt_size(a, sizeof a, s->index_bytes));
	if (s->prefixes > 0)
		printf(" (%.1f bytes per prefix)", (double)s->index_bytes / (double)s->prefixes);
	printf("\n  runs spilled   %" PRIu64 " (%u merge pass%s)\n", s->runs, s->merge_passes,
	       s->merge_passes == 1 ? "" : "es");
	printf("  wall time      %s\n", s3i_fmt_duration(a, sizeof a, s->wall_s));
	printf("  peak RSS       %s (budget high-water %s)\n", s3i_fmt_size(a, sizeof a, s->peak_rss),
	       s3i_fmt_size(b, sizeof b, s->peak_reserved));
}

int s3i_cli_build(int argc, char **argv)
{
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3inv_build_summary sum;
	s3inv_error err = {0, ""};
	struct s3i_args a;
	struct ctx c;
	const char *source = NULL, *out = NULL;
	bool quiet = false, progress = false;
	uint64_t v;
	int id, rc;

	s3i_args_init(&a, argc, argv, "build", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("build");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_OUT: out = a.arg; break;
		case O_MEM:
			if (s3i_cli_parse_size(&o.mem_budget, "build", "--mem-budget", a.arg) < 0)
				return S3I_EXIT_ERROR;
			if (o.mem_budget == 0)
				return s3i_cli_usage("build", "--mem-budget must be above 0");
			break;
		case O_THREADS:
			if (s3i_cli_parse_u64(&v, "build", "--threads", a.arg, 1, 1024, false) < 0)
				return S3I_EXIT_ERROR;
			o.threads = (unsigned)v;
			break;
		case O_TMP: o.tmp_dir = a.arg; break;
		case O_MAXDEPTH:
			if (s3i_cli_parse_u64(&v, "build", "--max-depth", a.arg, 0, 65535, false) < 0)
				return S3I_EXIT_ERROR;
			o.max_depth = (int)v;
			break;
		case O_DELIM:
			if (strlen(a.arg) != 1)
				return s3i_cli_usage("build", "--delimiter takes exactly one byte, not '%s'",
				                     a.arg);
			o.delimiter = a.arg[0];
			break;
		case O_NOVERIFY: o.verify_md5 = false; break;
		case O_QUIET: quiet = true; break;
		case O_PROGRESS: progress = true; break;
		default:
			if (id != S3I_OPT_POS) {
				if (s3i_cli_s3_option(&o, id, a.arg, "build") < 0)
					return S3I_EXIT_ERROR;
				break;
			}
			if (source)
				return s3i_cli_usage("build", "unexpected argument '%s'", a.arg);
			source = a.arg;
		}
	}
	if (!source)
		return s3i_cli_usage("build", "missing SOURCE");
	if (!out)
		return s3i_cli_usage("build", "missing -o OUT.s3i");

	c.quiet = quiet;
	s3i_pbar_init(&c.bar, stderr, progress, quiet);
	/* notice and progress share progress_payload */
	o.progress = c.bar.enabled ? on_progress : NULL;
	o.progress_payload = &c;
	o.notice = on_notice;
	o.cancel = &cancel_flag;
	install_handlers();

	memset(&sum, 0, sizeof sum);
	rc = s3inv_build_run(&sum, source, out, &o, &err);
	s3i_pbar_clear(&c.bar);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (rc < 0) {
		if (cancel_flag) {
			s3i_cli_error("build: interrupted by %s; %s not written",
			              cancel_signal == SIGTERM ? "SIGTERM" : "SIGINT", out);
			return S3I_EXIT_ERROR;
		}
		return s3i_cli_fail(rc, &err, source);
	}
	if (!quiet)
		print_summary(&sum, out);
	return S3I_EXIT_OK;
}
