/* SPDX-License-Identifier: MIT */
/*
 * cmd_version.c — `s3inv version`: the program and index format versions.
 */
#include <stdio.h>

#include "cli.h"

const char s3i_cli_help_version[] =
    "NAME\n"
    "    s3inv version - print the version\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv version\n"
    "    s3inv --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints \"s3inv <version>\" on one line.\n"
    "\n"
    "EXIT STATUS\n"
    "    0.\n";

int s3i_cli_version(int argc, char **argv)
{
	struct s3i_args a;
	int id;
	s3i_args_init(&a, argc, argv, "version", NULL);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		if (id == S3I_OPT_HELP)
			return s3i_cli_print_help("version");
		if (id == S3I_OPT_ERROR)
			return S3I_EXIT_ERROR;
		return s3i_cli_usage("version", "unexpected argument '%s'", a.arg);
	}
	printf("s3inv %s\n", S3INV_VERSION);
	return S3I_EXIT_OK;
}
