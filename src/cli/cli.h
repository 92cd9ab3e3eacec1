/* SPDX-License-Identifier: MIT */
/*
 * cli.h — what the subcommands of the s3inv program share: the command
 * table entry, a small option parser with exact error messages, exit codes
 * and error printing, index opening and prefix resolution.
 *
 * Conventions of every command (docs/cli.md):
 *  - exit 0 success, 1 a prefix was not found, 2 any error (usage, input,
 *    damaged index, I/O);
 *  - an error is exactly one line "s3inv: <message>" on stderr; a usage
 *    error adds one hint line "Try 's3inv <cmd> --help'.";
 *  - results go to stdout, notices and progress to stderr.
 *
 * The CLI includes only s3inv.h and the headers of src/front (house style). To add a
 * command: write cmd_<name>.c defining s3i_cli_<name> and s3i_cli_help_<name>,
 * declare them below and add one row to the table in main.c.
 */
#ifndef S3I_CLI_H
#define S3I_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"

enum { S3I_EXIT_OK = 0, S3I_EXIT_NOTFOUND = 1, S3I_EXIT_ERROR = 2 };

/* ---- commands: run(argc, argv) with argv[0] = the command name ---- */
#define S3I_CLI_COMMAND(name)                   \
	int s3i_cli_##name(int argc, char **argv); \
	extern const char s3i_cli_help_##name[]

S3I_CLI_COMMAND(build);
S3I_CLI_COMMAND(du);
S3I_CLI_COMMAND(age);
S3I_CLI_COMMAND(ls);
S3I_CLI_COMMAND(top);
S3I_CLI_COMMAND(diff);
S3I_CLI_COMMAND(export);
S3I_CLI_COMMAND(info);
S3I_CLI_COMMAND(verify);
S3I_CLI_COMMAND(gen);
S3I_CLI_COMMAND(reports);
S3I_CLI_COMMAND(serve);
S3I_CLI_COMMAND(version);
S3I_CLI_COMMAND(help);

/** Print the help of command NAME (or the general help when NULL) to
 *  stdout. @return 0, or 2 when there is no such command. */
int s3i_cli_print_help(const char *name);

/* ---- option parsing ---- */

/** One option of a command. NAME is the long name without "--"; SHORT is
 *  0 or a letter; ID is returned by s3i_args_next (> 0). */
struct s3i_opt {
	const char *name;
	char short_name;
	bool has_arg;
	int id;
};

/** Option ids every command gets for free. */
enum { S3I_OPT_END = -1, S3I_OPT_ERROR = -2, S3I_OPT_POS = 0, S3I_OPT_HELP = 1000 };

struct s3i_args {
	int argc;
	char **argv;
	int i;                     /* next argv index */
	const char *cmd;           /* command name, for messages */
	const struct s3i_opt *opts;/* terminated by a zero entry */
	bool only_pos;             /* after "--" */
	const char *arg;           /* the value of an option, or the positional */
	const char *opt_text;      /* the option as typed, for messages */
};

/** Start parsing ARGV[1..ARGC-1] of command CMD with option table OPTS. */
void s3i_args_init(struct s3i_args *a, int argc, char **argv, const char *cmd,
                   const struct s3i_opt *opts);

/** Next item: an option id (> 0, value in a->arg when it takes one),
 *  S3I_OPT_HELP for -h/--help, S3I_OPT_POS with the positional in a->arg,
 *  S3I_OPT_END, or S3I_OPT_ERROR after printing a usage error. Accepts
 *  "--name value", "--name=value", "-x value", and "--" ending options.
 *  A lone "-" is a positional. */
int s3i_args_next(struct s3i_args *a);

/** Print "s3inv: CMD: <message>" and the --help hint to stderr. @return 2. */
int s3i_cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Print "s3inv: <message>" (one line) to stderr. @return 2. */
int s3i_cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** Print a library failure: ERR's message when set, else CONTEXT and the
 *  text of RC. @return the exit status (2). */
int s3i_cli_fail(int rc, const s3inv_error *err, const char *context);

/** Parse an unsigned integer option value in [MIN, MAX] (plain digits; for
 *  counts also a k/M/G suffix meaning 10^3/10^6/10^9 when SI is true).
 *  Prints a usage error and returns -1 on failure. */
int s3i_cli_parse_u64(uint64_t *out, const char *cmd, const char *opt, const char *text,
                      uint64_t min, uint64_t max, bool si);

/** Parse a size option with s3inv_parse_size; usage error on failure. */
int s3i_cli_parse_size(uint64_t *out, const char *cmd, const char *opt, const char *text);

/* ---- S3 access options, shared by build, reports and serve ---- */

/** Option ids of the S3 options (above every command's own ids). */
enum {
	S3I_OPT_S3_REGION = 900,
	S3I_OPT_S3_PROFILE,
	S3I_OPT_S3_ENDPOINT,
	S3I_OPT_S3_RPAYS,
	S3I_OPT_S3_MAXCONN,
	S3I_OPT_S3_PART
};
/** The rows of an option table for them. */
#define S3I_CLI_S3_OPTS                                                                    \
	{"region", 0, true, S3I_OPT_S3_REGION}, {"profile", 0, true, S3I_OPT_S3_PROFILE},         \
	    {"endpoint-url", 0, true, S3I_OPT_S3_ENDPOINT},                                      \
	    {"requester-pays", 0, false, S3I_OPT_S3_RPAYS},                                      \
	    {"max-connections", 0, true, S3I_OPT_S3_MAXCONN},                                    \
	    {"part-size", 0, true, S3I_OPT_S3_PART}
/** Their help lines (OPTIONS section), a string literal. */
#define S3I_CLI_S3_HELP                                                              \
	"  S3 sources:\n"                                                                  \
	"    --region R              region (default: AWS_REGION, the profile, or\n"       \
	"                            learned from the bucket)\n"                           \
	"    --profile P             credentials profile (default: AWS_PROFILE)\n"         \
	"    --endpoint-url URL      S3-compatible endpoint (path-style addressing)\n"     \
	"    --requester-pays        send x-amz-request-payer: requester\n"                \
	"    --max-connections N     parallel connections\n"                               \
	"    --part-size SIZE        ranged GET part size\n"

/** Apply option ID with value ARG to O when it is one of the S3 options.
 *  @return 1 applied, 0 not an S3 option, -1 after a usage error. */
int s3i_cli_s3_option(s3inv_build_options *o, int id, const char *arg, const char *cmd);

/* ---- index helpers ---- */

/** The sort of `--older-than` (bucket B >= 1) when IDX has age data; prints
 *  the error and returns -1 when it has none. */
int s3i_cli_older_sort(s3inv_sort *out, const s3inv_index *idx, int b, const char *index);

/** Open INDEX; on failure prints the error. @return 0 or 2. */
int s3i_cli_open(s3inv_index **out, const char *path, unsigned flags);

/** Find PREFIX exactly; if absent, non-empty and not ending in the
 *  index's delimiter, try again with the delimiter appended (so "logs"
 *  finds "logs/"). @return 0 or S3INV_ENOTFOUND. */
int s3i_cli_lookup(const s3inv_index *idx, const char *prefix, uint64_t *pos);

/** Write PREFIX for a terminal: control characters (and DEL) become \xNN,
 *  the root "" is shown as "(root)". */
void s3i_cli_put_prefix(const char *s, size_t len);

/* ---- --cost / --prices (cost_opt.c, docs/cost.md) ---- */

struct s3i_json;

/** The built-in price table, or the one in PATH when non-NULL; prints the
 *  error. @return 0 or 2. */
int s3i_cli_prices(s3inv_prices **out, const char *path);

/** "$1.23", "$456", "$1.20M", "-$0.50". */
char *s3i_cli_fmt_usd(char *buf, size_t cap, double v);

/** Write C as the "cost" JSON object value. */

/** Append "cost":{...} inside the du JSON object that J ends with (just
 *  closed by s3i_front_stats_json). @return 0, or 2 after printing. */
int s3i_cli_cost_append(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                        const s3inv_prices *p);

/** True when a write to stdout failed (EPIPE included); the caller should
 *  stop producing output. */
bool s3i_cli_stdout_failed(void);

#endif
