/* SPDX-License-Identifier: MIT */
/*
 * cmd_ls.c — `s3inv ls`: the child prefixes of a prefix with their
 * statistics, plus the objects directly under it (in no child).
 *
 * "direct" = the prefix's counts minus the sum over ALL its children (not
 * only the ones shown under --limit), so children + direct = parent always
 * holds; with an index built with --max-depth, objects below the deepest
 * kept level count as direct objects of the deepest prefix. A sum of
 * children above the parent can only come from a damaged index and is
 * reported as such.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"
#include "analysis.h"
#include "json.h"
#include "stats.h"

#define BAR 10

const char s3i_cli_help_ls[] =
    "NAME\n"
    "    s3inv ls - child prefixes of a prefix, and its direct objects\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv ls INDEX [PREFIX] [--sort bytes|objects|name] [--limit N] [--json]\n"
    "             [--older-than AGE] [--cost] [--prices FILE.json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Lists the immediate child prefixes of PREFIX (default: the bucket root)\n"
    "    with their objects, bytes and share of PREFIX, like `du -s *` in a\n"
    "    directory, and the objects directly under PREFIX that are in no child\n"
    "    (\"direct\"). Children plus direct always add up to PREFIX. A PREFIX\n"
    "    without the trailing delimiter is tried with it too.\n"
    "\n"
    "OPTIONS\n"
    "    --sort KEY   bytes (default, largest first), objects (most first) or\n"
    "                 name (byte order)\n"
    "    --limit N    show at most N children (0 = all, the default)\n"
    "    --older-than AGE  rank the children by the bytes of their objects at\n"
    "                 least AGE old (30d, 90d, 180d, 1y, 2y or 5y: the age\n"
    "                 buckets of `s3inv age`) and show that column; JSON adds\n"
    "                 \"older_than\":AGE and \"older\":[{\"objects\":O,\"bytes\":B}...],\n"
    "                 one per child, in order. Needs an index with age data.\n"
    "    --cost       add an estimated monthly storage cost column (text only;\n"
    "                 built-in us-east-1 prices, see docs/cost.md)\n"
    "    --prices FILE.json  prices to use instead (implies --cost)\n"
    "    --json       one JSON object on one line:\n"
    "                 {\"prefix\":P,\"total\":T,\"children\":[<du JSON>...],\n"
    "                  \"direct\":{\"objects\":O,\"bytes\":B}}\n"
    "                 where T is the number of children before --limit and each\n"
    "                 child is the du JSON object (see s3inv du --help).\n"
    "    -h, --help   show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success\n"
    "    1  PREFIX was not found\n"
    "    2  error (bad arguments, unreadable or damaged index)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv ls bucket.s3i\n"
    "    s3inv ls bucket.s3i logs/2026/ --sort name\n"
    "    s3inv ls bucket.s3i --limit 10 --json\n";

enum { O_JSON = 1, O_SORT, O_LIMIT, O_COST, O_PRICES, O_OLDER };
static const struct s3i_opt opts[] = {{"json", 0, false, O_JSON},
                                      {"cost", 0, false, O_COST},
                                      {"prices", 0, true, O_PRICES},
                                      {"sort", 0, true, O_SORT},
                                      {"older-than", 0, true, O_OLDER},
                                      {"limit", 'n', true, O_LIMIT},
                                      {NULL, 0, false, 0}};

/* Sum every child of POS; count them. */
static int sum_children(const s3inv_index *idx, uint64_t pos, const s3inv_stats *parent,
                        uint64_t *count, uint64_t *objects, uint64_t *bytes)
{
	s3inv_stats st;
	uint64_t c;
	int rc = s3inv_index_first_child(idx, pos, &c);
	*count = *objects = *bytes = 0;
	while (rc == 0) {
		if (s3inv_index_stats(idx, c, &st) < 0 || c <= pos || c >= parent->subtree_end)
			return S3INV_ECORRUPT;
		if (++*count > parent->subtree_end - pos)
			return S3INV_ECORRUPT; /* a loop in a damaged index */
		*objects += st.objects;
		*bytes += st.bytes;
		rc = s3inv_index_next_sibling(idx, c, &c);
	}
	if (rc != S3INV_ITEROVER)
		return S3INV_ECORRUPT;
	if (*objects > parent->objects || *bytes > parent->bytes)
		return S3INV_ECORRUPT;
	return 0;
}

static void bar(char *out, uint64_t part, uint64_t whole)
{
	int n = whole ? (int)((double)part / (double)whole * BAR + 0.5) : 0;
	if (n > BAR)
		n = BAR;
	for (int i = 0; i < BAR; i++)
		out[i] = i < n ? '#' : ' ';
	out[BAR] = '\0';
}

static int print_text(const s3inv_index *idx, const s3inv_stats *ps, const char *ppfx,
                      size_t pplen, const uint64_t *kids, size_t nk, uint64_t total,
                      uint64_t dobj, uint64_t dbytes, const s3inv_prices *prices, int older,
                      const char *older_txt)
{
	s3inv_index_info info;
	char a[S3I_FMT_MAX], b[S3I_FMT_MAX], c[S3I_FMT_MAX], br[BAR + 1];
	s3inv_index_info_get(idx, &info);
	s3i_cli_put_prefix(ppfx, pplen);
	printf(": %s objects, %s in %" PRIu64 " child prefix%s\n",
	       s3i_fmt_count(a, sizeof a, ps->objects),
	       info.has_size ? s3i_fmt_size(b, sizeof b, ps->bytes) : "unknown bytes", total,
	       total == 1 ? "" : "es");
	if (info.has_versions)
		printf("  plus %s non-current versions (%s) and %s delete markers\n",
		       s3i_fmt_count(a, sizeof a, ps->nc_objects), s3i_fmt_size(b, sizeof b, ps->nc_bytes),
		       s3i_fmt_count(c, sizeof c, ps->delete_markers));
	printf("%10s %6s  %-*s %14s  ", "bytes", "share", BAR + 2, "", "objects");
	if (older > 0) {
		char h[32];
		snprintf(h, sizeof h, ">= %s", older_txt);
		printf("%10s  ", h);
	}
	if (prices)
		printf("%10s  ", "cost/mo");
	printf("name\n");
	for (size_t i = 0; i < nk; i++) {
		s3inv_error err = {0, ""};
		s3inv_stats st;
		char *p = NULL;
		size_t len;
		int rc;
		if ((rc = s3inv_index_stats(idx, kids[i], &st)) < 0)
			return s3i_cli_fail(rc, NULL, "index: child statistics");
		if ((rc = s3i_front_prefix_dup(&p, &len, idx, kids[i], &err)) < 0)
			return s3i_cli_fail(rc, &err, "index");
		if (info.has_size) {
			bar(br, st.bytes, ps->bytes);
			printf("%10s %6s [%s] %14s  ", s3i_fmt_size(a, sizeof a, st.bytes),
			       s3i_fmt_percent(b, sizeof b, st.bytes, ps->bytes), br,
			       s3i_fmt_count(c, sizeof c, st.objects));
		} else {
			bar(br, st.objects, ps->objects);
			printf("%10s %6s [%s] %14s  ", "-",
			       s3i_fmt_percent(b, sizeof b, st.objects, ps->objects), br,
			       s3i_fmt_count(c, sizeof c, st.objects));
		}
		if (older > 0) {
			uint64_t o = 0, y = 0;
			if ((rc = s3inv_index_age_older(idx, kids[i], (unsigned)older, &o, &y)) < 0) {
				free(p);
				return s3i_cli_fail(rc, NULL, "index: age");
			}
			printf("%10s  ", info.has_size ? s3i_fmt_size(a, sizeof a, y)
			                               : s3i_fmt_count(a, sizeof a, o));
		}
		if (prices) {
			s3inv_cost co;
			if ((rc = s3inv_cost_prefix(&co, idx, kids[i], prices, &err)) < 0) {
				free(p);
				return s3i_cli_fail(rc, &err, "cost");
			}
			printf("%10s  ", s3i_cli_fmt_usd(a, sizeof a, co.total));
		}
		/* the child's own component, relative to the parent */
		if (len >= pplen && memcmp(p, ppfx, pplen) == 0)
			s3i_cli_put_prefix(p + pplen, len - pplen);
		else
			s3i_cli_put_prefix(p, len);
		putchar('\n');
		free(p);
		if (s3i_cli_stdout_failed())
			return 0;
	}
	if (nk < total)
		printf("%10s %6s  %-*s %14s  (%" PRIu64 " more not shown)\n", "", "", BAR + 2, "", "",
		       total - nk);
	if (dobj > 0 || nk == 0) {
		bar(br, info.has_size ? dbytes : dobj, info.has_size ? ps->bytes : ps->objects);
		printf("%10s %6s [%s] %14s  %s(direct objects)\n",
		       info.has_size ? s3i_fmt_size(a, sizeof a, dbytes) : "-",
		       info.has_size ? s3i_fmt_percent(b, sizeof b, dbytes, ps->bytes)
		                     : s3i_fmt_percent(b, sizeof b, dobj, ps->objects),
		       br, s3i_fmt_count(c, sizeof c, dobj), prices ? "            " : "");
	}
	return 0;
}

static int print_json(const s3inv_index *idx, const char *ppfx, size_t pplen,
                      const uint64_t *kids, size_t nk, uint64_t total, uint64_t dobj,
                      uint64_t dbytes, int older, const char *older_txt)
{
	struct s3i_json j;
	int code = 0;
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "prefix");
	s3i_json_strn(&j, ppfx, pplen);
	s3i_json_key(&j, "total");
	s3i_json_u64(&j, total);
	s3i_json_key(&j, "children");
	s3i_json_arr_open(&j);
	for (size_t i = 0; i < nk; i++) {
		s3inv_error err = {0, ""};
		if (s3i_front_stats_json(&j, idx, kids[i], &err) < 0) {
			code = s3i_cli_fail(err.code, &err, "index");
			goto out;
		}
	}
	s3i_json_arr_close(&j);
	s3i_json_key(&j, "direct");
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "objects");
	s3i_json_u64(&j, dobj);
	s3i_json_key(&j, "bytes");
	s3i_json_u64(&j, dbytes);
	s3i_json_obj_close(&j);
	if (older > 0) {
		s3i_json_key(&j, "older_than");
		s3i_json_str(&j, older_txt);
		s3inv_error aerr = {0, ""};
		if (s3i_front_older_json(&j, idx, kids, nk, (unsigned)older, &aerr) < 0) {
			code = s3i_cli_fail(aerr.code, &aerr, "index");
			goto out;
		}
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

int s3i_cli_ls(int argc, char **argv)
{
	struct s3i_args a;
	const char *index = NULL, *prefix = NULL;
	bool json = false, cost = false;
	const char *prices_path = NULL;
	s3inv_prices *prices = NULL;
	s3inv_sort sort = S3INV_SORT_BYTES;
	int older = 0;
	const char *older_txt = NULL;
	uint64_t limit = 0, pos, total, cobj, cbytes;
	s3inv_index *idx = NULL;
	s3inv_stats ps;
	s3inv_error err = {0, ""};
	uint64_t *kids = NULL;
	size_t nk = 0, pplen = 0;
	char *ppfx = NULL;
	int id, rc, code = S3I_EXIT_OK;

	s3i_args_init(&a, argc, argv, "ls", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("ls");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_JSON: json = true; break;
		case O_COST: cost = true; break;
		case O_PRICES:
			cost = true;
			prices_path = a.arg;
			break;
		case O_SORT:
			if (strcmp(a.arg, "bytes") == 0)
				sort = S3INV_SORT_BYTES;
			else if (strcmp(a.arg, "objects") == 0)
				sort = S3INV_SORT_OBJECTS;
			else if (strcmp(a.arg, "name") == 0)
				sort = S3INV_SORT_NAME;
			else
				return s3i_cli_usage("ls", "invalid value '%s' for --sort (bytes, objects or name)",
				                     a.arg);
			break;
		case O_OLDER:
			if ((older = s3inv_age_parse(a.arg)) < 0)
				return s3i_cli_usage("ls", "invalid value '%s' for --older-than (30d, 90d, "
				                     "180d, 1y, 2y or 5y)", a.arg);
			older_txt = a.arg;
			break;
		case O_LIMIT:
			if (s3i_cli_parse_u64(&limit, "ls", "--limit", a.arg, 0, SIZE_MAX, false) < 0)
				return S3I_EXIT_ERROR;
			break;
		default:
			if (!index)
				index = a.arg;
			else if (!prefix)
				prefix = a.arg;
			else
				return s3i_cli_usage("ls", "unexpected argument '%s'", a.arg);
		}
	}
	if (!index)
		return s3i_cli_usage("ls", "missing INDEX");
	if (!prefix)
		prefix = "";
	if (cost && !json && s3i_cli_prices(&prices, prices_path) != 0)
		return S3I_EXIT_ERROR;
	if (s3i_cli_open(&idx, index, S3INV_OPEN_DEFAULT) != 0) {
		s3inv_prices_free(prices);
		return S3I_EXIT_ERROR;
	}
	if (older > 0 && s3i_cli_older_sort(&sort, idx, older, index) < 0) {
		code = S3I_EXIT_ERROR;
		goto out;
	}
	if (s3i_cli_lookup(idx, prefix, &pos) < 0) {
		code = S3I_EXIT_NOTFOUND;
		s3i_cli_error("%s: prefix '%s' not found", index, prefix);
		goto out;
	}
	if ((rc = s3inv_index_stats(idx, pos, &ps)) < 0 ||
	    (rc = sum_children(idx, pos, &ps, &total, &cobj, &cbytes)) < 0) {
		code = s3i_cli_error("%s: damaged index: children of '%s' are inconsistent", index,
		                     prefix);
		goto out;
	}
	if ((rc = s3inv_query_children(&kids, &nk, idx, pos, sort, (size_t)limit, &err)) < 0 ||
	    (rc = s3i_front_prefix_dup(&ppfx, &pplen, idx, pos, &err)) < 0) {
		code = s3i_cli_fail(rc, &err, index);
		goto out;
	}
	if (json)
		code = print_json(idx, ppfx, pplen, kids, nk, total, ps.objects - cobj,
		                  ps.bytes - cbytes, older, older_txt);
	else
		code = print_text(idx, &ps, ppfx, pplen, kids, nk, total, ps.objects - cobj,
		                  ps.bytes - cbytes, prices, older, older_txt);
out:
	s3inv_prices_free(prices);
	free(ppfx);
	s3inv_free(kids);
	s3inv_index_close(idx);
	return code;
}
