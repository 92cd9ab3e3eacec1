/* SPDX-License-Identifier: MIT */
/*
 * common.c — the helpers of cli.h: option parsing with exact messages,
 * error printing, number parsing, index opening and prefix lookup.
 *
 * The parser is ours rather than getopt_long so that every message has
 * the fixed form "s3inv: <cmd>: unknown option '--x'", options and
 * positionals can be mixed in any order without GNU argv permutation, and
 * "--opt=value" and "--opt value" both work.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void s3i_args_init(struct s3i_args *a, int argc, char **argv, const char *cmd,
                   const struct s3i_opt *opts)
{
	memset(a, 0, sizeof *a);
	a->argc = argc;
	a->argv = argv;
	a->i = 1;
	a->cmd = cmd;
	a->opts = opts;
}

static const struct s3i_opt *find_long(const struct s3i_opt *o, const char *name, size_t len)
{
	for (; o && o->name; o++)
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct s3i_opt *find_short(const struct s3i_opt *o, char c)
{
	for (; o && o->name; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

int s3i_args_next(struct s3i_args *a)
{
	const struct s3i_opt *o;
	const char *s, *eq;
	if (a->i >= a->argc)
		return S3I_OPT_END;
	s = a->argv[a->i++];
	a->arg = NULL;
	a->opt_text = s;
	if (a->only_pos || s[0] != '-' || s[1] == '\0') {
		a->arg = s;
		return S3I_OPT_POS;
	}
	if (strcmp(s, "--") == 0) {
		a->only_pos = true;
		return s3i_args_next(a);
	}
	if (s[1] == '-') {
		const char *name = s + 2;
		size_t len;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if (len == 4 && memcmp(name, "help", 4) == 0 && !eq)
			return S3I_OPT_HELP;
		o = find_long(a->opts, name, len);
		if (!o) {
			s3i_cli_usage(a->cmd, "unknown option '--%.*s'", (int)len, name);
			return S3I_OPT_ERROR;
		}
		if (!o->has_arg) {
			if (eq) {
				s3i_cli_usage(a->cmd, "option '--%s' takes no value", o->name);
				return S3I_OPT_ERROR;
			}
			return o->id;
		}
		if (eq) {
			a->arg = eq + 1;
			return o->id;
		}
	} else {
		if (s[1] == 'h' && s[2] == '\0')
			return S3I_OPT_HELP;
		o = s[2] == '\0' ? find_short(a->opts, s[1]) : NULL;
		if (!o) {
			s3i_cli_usage(a->cmd, "unknown option '%s'", s);
			return S3I_OPT_ERROR;
		}
		if (!o->has_arg)
			return o->id;
	}
	if (a->i >= a->argc) {
		s3i_cli_usage(a->cmd, "option '%s' needs a value", s);
		return S3I_OPT_ERROR;
	}
	a->arg = a->argv[a->i++];
	return o->id;
}

int s3i_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("s3inv: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 's3inv %s --help'.\n", cmd);
	else
		fputs("\nTry 's3inv --help'.\n", stderr);
	return S3I_EXIT_ERROR;
}

int s3i_cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("s3inv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return S3I_EXIT_ERROR;
}

int s3i_cli_fail(int rc, const s3inv_error *err, const char *context)
{
	char msg[sizeof err->msg];
	size_t n;
	if (err && err->msg[0])
		snprintf(msg, sizeof msg, "%s", err->msg);
	else if (context)
		snprintf(msg, sizeof msg, "%s: %s", context, s3inv_strerror(rc));
	else
		snprintf(msg, sizeof msg, "%s", s3inv_strerror(rc));
	/* one line, whatever the library wrote */
	for (n = 0; msg[n]; n++)
		if (msg[n] == '\n' || msg[n] == '\r')
			msg[n] = ' ';
	return s3i_cli_error("%s", msg);
}

int s3i_cli_parse_u64(uint64_t *out, const char *cmd, const char *opt, const char *text,
                      uint64_t min, uint64_t max, bool si)
{
	const char *s = text;
	uint64_t v = 0, mult = 1;
	if (!isdigit((unsigned char)*s))
		goto bad;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			goto bad;
		v = v * 10 + d;
	}
	if (si && *s) {
		switch (*s) {
		case 'k': case 'K': mult = 1000; break;
		case 'm': case 'M': mult = 1000000; break;
		case 'g': case 'G': mult = 1000000000; break;
		default: goto bad;
		}
		s++;
		if (v > UINT64_MAX / mult)
			goto bad;
		v *= mult;
	}
	if (*s || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	if (max == UINT64_MAX)
		s3i_cli_usage(cmd, "invalid value '%s' for %s (expected an integer >= %llu)", text,
		              opt, (unsigned long long)min);
	else
		s3i_cli_usage(cmd, "invalid value '%s' for %s (expected an integer in %llu..%llu)",
		              text, opt, (unsigned long long)min, (unsigned long long)max);
	return -1;
}

int s3i_cli_parse_size(uint64_t *out, const char *cmd, const char *opt, const char *text)
{
	if (s3inv_parse_size(out, text) == 0)
		return 0;
	s3i_cli_usage(cmd, "invalid size '%s' for %s (e.g. 4096, 64k, 256MiB, 1.5GiB)", text, opt);
	return -1;
}

int s3i_cli_open(s3inv_index **out, const char *path, unsigned flags)
{
	s3inv_error err = {0, ""};
	int rc = s3inv_index_open(out, path, flags, &err);
	if (rc < 0) {
		*out = NULL;
		return s3i_cli_fail(rc, &err, path);
	}
	return 0;
}

int s3i_cli_lookup(const s3inv_index *idx, const char *prefix, uint64_t *pos)
{
	s3inv_index_info info;
	size_t len = strlen(prefix);
	char *tmp;
	int rc = s3inv_index_lookup(idx, prefix, len, pos);
	if (rc == 0 || len == 0)
		return rc;
	s3inv_index_info_get(idx, &info);
	if (prefix[len - 1] == info.delimiter)
		return rc;
	tmp = malloc(len + 2);
	if (!tmp)
		return rc;
	memcpy(tmp, prefix, len);
	tmp[len] = info.delimiter;
	tmp[len + 1] = '\0';
	rc = s3inv_index_lookup(idx, tmp, len + 1, pos);
	free(tmp);
	return rc;
}

void s3i_cli_put_prefix(const char *s, size_t len)
{
	if (len == 0) {
		fputs("(root)", stdout);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

bool s3i_cli_stdout_failed(void)
{
	return ferror(stdout) != 0;
}

int s3i_cli_s3_option(s3inv_build_options *o, int id, const char *arg, const char *cmd)
{
	uint64_t v;
	switch (id) {
	case S3I_OPT_S3_REGION: o->region = arg; return 1;
	case S3I_OPT_S3_PROFILE: o->profile = arg; return 1;
	case S3I_OPT_S3_ENDPOINT: o->endpoint_url = arg; return 1;
	case S3I_OPT_S3_RPAYS: o->requester_pays = true; return 1;
	case S3I_OPT_S3_MAXCONN:
		if (s3i_cli_parse_u64(&v, cmd, "--max-connections", arg, 1, 1024, false) < 0)
			return -1;
		o->max_connections = (unsigned)v;
		return 1;
	case S3I_OPT_S3_PART:
		return s3i_cli_parse_size(&o->part_size, cmd, "--part-size", arg) < 0 ? -1 : 1;
	default: return 0;
	}
}

int s3i_cli_older_sort(s3inv_sort *out, const s3inv_index *idx, int b, const char *index)
{
	s3inv_index_info info;
	s3inv_index_info_get(idx, &info);
	if (!info.has_age) {
		s3i_cli_error("%s: --older-than needs age data, and the index has none (the report "
		              "had no LastModifiedDate)", index);
		return -1;
	}
	*out = (s3inv_sort)(S3INV_SORT_OLDER + b);
	return 0;
}
