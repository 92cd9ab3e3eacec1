/* SPDX-License-Identifier: MIT */
/*
 * main.c — the s3inv program: global setup and the command table.
 *
 * Like duc and the libgit2 cli, main only dispatches: each subcommand lives
 * in cmd_<name>.c and gets (argc, argv) with argv[0] = its name. main sets
 * up what every command relies on: SIGPIPE ignored (so `s3inv ... | head`
 * ends quietly: a failed write is noticed through ferror and the exit
 * code, never a signal), line-buffered stdout, and a final flush whose
 * failure is reported unless it is EPIPE.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
	const char *summary;
};

static const struct cmd commands[] = {
	{"build", s3i_cli_build, s3i_cli_help_build, "build an index from an inventory report"},
	{"du", s3i_cli_du, s3i_cli_help_du, "statistics of prefixes"},
	{"age", s3i_cli_age, s3i_cli_help_age, "how old the objects under a prefix are"},
	{"ls", s3i_cli_ls, s3i_cli_help_ls, "child prefixes of a prefix, and its direct objects"},
	{"top", s3i_cli_top, s3i_cli_help_top, "largest prefixes some levels below a prefix"},
	{"diff", s3i_cli_diff, s3i_cli_help_diff, "what changed between two indexes of a bucket"},
	{"export", s3i_cli_export, s3i_cli_help_export, "the prefix table as CSV, NDJSON or an ncdu export"},
	{"info", s3i_cli_info, s3i_cli_help_info, "metadata and totals of an index"},
	{"verify", s3i_cli_verify, s3i_cli_help_verify, "check every checksum and invariant of an index"},
	{"reports", s3i_cli_reports, s3i_cli_help_reports, "list the inventory reports under a source"},
	{"serve", s3i_cli_serve, s3i_cli_help_serve, "HTTP/JSON API and web page over indexes"},
	{"gen", s3i_cli_gen, s3i_cli_help_gen, "write a generated sample inventory report"},
	{"version", s3i_cli_version, s3i_cli_help_version, "print the version"},
	{"help", s3i_cli_help, s3i_cli_help_help, "show help for a command"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int s3i_cli_print_help(const char *name)
{
	const struct cmd *c;
	if (!name) {
		printf("Usage: s3inv <command> [options] [arguments]\n"
		       "\n"
		       "s3inv turns an AWS S3 Inventory report (manifest.json + CSV/CSV.GZ/Parquet\n"
		       "data files, local or in S3) into one memory-mapped prefix index (.s3i) and\n"
		       "answers du/ls/top questions over it in microseconds.\n"
		       "\n"
		       "Commands:\n");
		for (size_t i = 0; i < NCOMMANDS; i++)
			printf("  %-9s %s\n", commands[i].name, commands[i].summary);
		printf("\n"
		       "Global options:\n"
		       "  -h, --help     show this help (or 's3inv <command> --help')\n"
		       "  --version      print the version\n"
		       "\n"
		       "Exit status: 0 success, 1 a prefix was not found, 2 any error.\n"
		       "\n"
		       "Example:\n"
		       "  s3inv gen --objects 100000 --out /tmp/report\n"
		       "  s3inv build /tmp/report -o /tmp/bucket.s3i\n"
		       "  s3inv ls /tmp/bucket.s3i logs/\n"
		       "\n"
		       "See docs/cli.md for every command, option and JSON shape.\n");
		return S3I_EXIT_OK;
	}
	c = find(name);
	if (!c)
		return s3i_cli_usage(NULL, "unknown command '%s'", name);
	fputs(c->help, stdout);
	return S3I_EXIT_OK;
}

/* `s3inv help [COMMAND]` */
int s3i_cli_help(int argc, char **argv)
{
	if (argc > 2)
		return s3i_cli_usage("help", "too many arguments");
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return s3i_cli_print_help("help");
	return s3i_cli_print_help(argc == 2 ? argv[1] : NULL);
}

const char s3i_cli_help_help[] =
    "NAME\n"
    "    s3inv help - show help for a command\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv help [COMMAND]\n"
    "    s3inv COMMAND --help\n"
    "\n"
    "DESCRIPTION\n"
    "    Without COMMAND, lists the commands. With COMMAND, prints its manual:\n"
    "    synopsis, description, options, exit status and examples.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 2 for an unknown command.\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv help du\n";

static int finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			return code; /* the reader went away: not our error */
		s3i_cli_error("write error: %s", strerror(errno));
		return S3I_EXIT_ERROR;
	}
	return code;
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2) {
		s3i_cli_usage(NULL, "no command given");
		return S3I_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return finish(s3i_cli_print_help(NULL));
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return finish(s3i_cli_version(1, argv + 1));
	if (argv[1][0] == '-')
		return s3i_cli_usage(NULL, "unknown option '%s'", argv[1]);
	c = find(argv[1]);
	if (!c)
		return s3i_cli_usage(NULL, "unknown command '%s'", argv[1]);
	return finish(c->run(argc - 1, argv + 1));
}
