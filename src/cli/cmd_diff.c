/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c — `s3inv diff OLD NEW [PREFIX]`: what grew, shrank, appeared
 * or disappeared between two indexes of the same bucket.
 *
 * In name order the rows stream straight from the library's merge-walk
 * (s3inv_diff_next): constant memory, output as it is found. Sorted by
 * growth or shrink they go through s3inv_diff_collect (positions and
 * deltas only, at most 2 x --limit of them with a limit). A header line
 * (text mode) names both reports and their dates; a different source
 * bucket is a warning on stderr in every mode, since a diff across
 * buckets is almost always a mistake but can be what someone wants.
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

const char s3i_cli_help_diff[] =
    "NAME\n"
    "    s3inv diff - what changed between two indexes of a bucket\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv diff OLD.s3i NEW.s3i [PREFIX] [--depth D] [--sort growth|shrink|name]\n"
    "               [--limit N] [--show-unchanged] [--json] [--cost] [--prices FILE]\n"
    "\n"
    "DESCRIPTION\n"
    "    Compares the prefixes exactly D levels below PREFIX (default: the\n"
    "    children of the bucket root) in two indexes, usually built from two\n"
    "    reports of the same bucket, and prints for each the objects and bytes\n"
    "    before and after and the change. A prefix only in NEW is \"new\", one\n"
    "    only in OLD is \"gone\". Prefixes whose objects and bytes did not change\n"
    "    are left out unless --show-unchanged. The two indexes are walked side\n"
    "    by side in their common sort order (a streaming merge, never a load),\n"
    "    so the cost is the size of the two subtrees. A header line shows both\n"
    "    reports' dates; indexes of different source buckets get a warning.\n"
    "    PREFIX may be in only one of the indexes; without the trailing\n"
    "    delimiter it is tried with it too.\n"
    "\n"
    "OPTIONS\n"
    "    --depth D, -d D    levels below PREFIX (default 1; 0 = PREFIX itself)\n"
    "    --sort KEY         growth (default: largest byte growth first), shrink\n"
    "                       (largest loss first) or name (byte order, streamed)\n"
    "    --limit N, -n N    at most N rows (default 0 = all)\n"
    "    --show-unchanged   also list prefixes that did not change\n"
    "    --json             one JSON object per prefix, one per line:\n"
    "                       {\"prefix\":\"logs/\",\"old\":{\"objects\":1,\"bytes\":2},\n"
    "                        \"new\":{\"objects\":3,\"bytes\":5},\n"
    "                        \"delta\":{\"objects\":2,\"bytes\":3}}\n"
    "                       with \"old\" or \"new\" null for a new or gone prefix.\n"
    "    --cost             add the estimated monthly storage cost before, after\n"
    "                       and its change (text column; JSON \"cost\":{\"old\",\n"
    "                       \"new\",\"delta\"} in USD); docs/cost.md\n"
    "    --prices FILE.json prices to use instead of the built-in ones (implies --cost)\n"
    "    -h, --help         show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success (also when nothing changed)\n"
    "    1  PREFIX is in neither index\n"
    "    2  error (bad arguments, unreadable or damaged index, different\n"
    "       delimiters)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv diff last-week.s3i today.s3i\n"
    "    s3inv diff last-week.s3i today.s3i logs/ --depth 2 --limit 10\n"
    "    s3inv diff a.s3i b.s3i --sort name --json\n";

enum { O_JSON = 1, O_DEPTH, O_SORT, O_LIMIT, O_UNCHANGED, O_COST, O_PRICES };
static const struct s3i_opt opts[] = {{"json", 0, false, O_JSON},
                                      {"depth", 'd', true, O_DEPTH},
                                      {"sort", 0, true, O_SORT},
                                      {"limit", 'n', true, O_LIMIT},
                                      {"show-unchanged", 0, false, O_UNCHANGED},
                                      {"cost", 0, false, O_COST},
                                      {"prices", 0, true, O_PRICES},
                                      {NULL, 0, false, 0}};

struct ctx {
	bool json, has_size;
	struct s3i_json j;
	const s3inv_prices *prices; /* --cost */
	const s3inv_index *idx[2];
};

/* cost of POS in index K (0 when absent) */
static int cost_of(double *out, const struct ctx *c, int k, uint64_t pos)
{
	s3inv_error err = {0, ""};
	s3inv_cost co;
	int rc;
	*out = 0;
	if (pos == UINT64_MAX)
		return 0;
	if ((rc = s3inv_cost_prefix(&co, c->idx[k], pos, c->prices, &err)) < 0)
		return s3i_cli_fail(rc, &err, "cost");
	*out = co.total;
	return 0;
}

/* "+1.5 MiB", "-12 B", "0 B" */
static char *fmt_dsize(char *buf, size_t cap, uint64_t a, uint64_t b)
{
	char t[S3I_FMT_MAX];
	if (a == b)
		snprintf(buf, cap, "0 B");
	else
		snprintf(buf, cap, "%c%s", b > a ? '+' : '-', s3i_fmt_size(t, sizeof t, b > a ? b - a : a - b));
	return buf;
}

static char *fmt_dcount(char *buf, size_t cap, uint64_t a, uint64_t b)
{
	char t[S3I_FMT_MAX];
	if (a == b)
		snprintf(buf, cap, "0");
	else
		snprintf(buf, cap, "%c%s", b > a ? '+' : '-', s3i_fmt_count(t, sizeof t, b > a ? b - a : a - b));
	return buf;
}

/* One row, text or JSON. */
static int print_row(struct ctx *c, const char *p, size_t len, bool has_old,
                     const s3inv_stats *o, bool has_new, const s3inv_stats *n, uint64_t opos,
                     uint64_t npos)
{
	static const s3inv_stats zero;
	double oc = 0, nc = 0;
	if (c->prices && (cost_of(&oc, c, 0, opos) != 0 || cost_of(&nc, c, 1, npos) != 0))
		return S3I_EXIT_ERROR;
	if (!has_old)
		o = &zero;
	if (!has_new)
		n = &zero;
	if (c->json) {
		struct s3i_json *j = &c->j;
		s3i_front_diff_row_open(j, p, len, has_old, o, has_new, n);
		if (c->prices) {
			s3i_front_diff_cost_json(j, oc, nc);
		}
		s3i_json_obj_close(j);
		s3i_json_raw(j, "\n", 1);
		if (!s3i_json_ok(j))
			return s3i_cli_error("out of memory");
		s3i_json_flush(j, stdout);
	} else {
		char a[S3I_FMT_MAX], b[S3I_FMT_MAX], d[S3I_FMT_MAX], e[S3I_FMT_MAX];
		if (c->has_size)
			printf("%10s %10s %11s %12s  %-5s ", has_old ? s3i_fmt_size(a, sizeof a, o->bytes) : "-",
			       has_new ? s3i_fmt_size(b, sizeof b, n->bytes) : "-",
			       fmt_dsize(d, sizeof d, o->bytes, n->bytes),
			       fmt_dcount(e, sizeof e, o->objects, n->objects),
			       !has_old ? "new" : !has_new ? "gone" : "");
		else
			printf("%12s %12s %12s  %-5s ", has_old ? s3i_fmt_count(a, sizeof a, o->objects) : "-",
			       has_new ? s3i_fmt_count(b, sizeof b, n->objects) : "-",
			       fmt_dcount(e, sizeof e, o->objects, n->objects),
			       !has_old ? "new" : !has_new ? "gone" : "");
		if (c->prices) {
			char u[S3I_FMT_MAX];
			printf("%10s  ", nc - oc >= 0.005 ? (u[0] = '+', s3i_cli_fmt_usd(u + 1, sizeof u - 1, nc - oc), u)
			                                  : s3i_cli_fmt_usd(u, sizeof u, nc - oc));
		}
		s3i_cli_put_prefix(p, len);
		putchar('\n');
	}
	return 0;
}

static void print_header(const struct ctx *c, const char *old_path, const s3inv_index_info *oi,
                         const char *new_path, const s3inv_index_info *ni)
{
	char a[S3I_FMT_MAX], b[S3I_FMT_MAX];
	if (strcmp(oi->source_bucket, ni->source_bucket) != 0)
		s3i_cli_error("warning: the indexes come from different source buckets ('%s' and '%s')",
		              oi->source_bucket, ni->source_bucket);
	if (c->json)
		return;
	printf("old: %s (bucket %s, report %s)\nnew: %s (bucket %s, report %s)\n", old_path,
	       oi->source_bucket, s3i_fmt_date_ms(a, sizeof a, oi->creation_ms), new_path,
	       ni->source_bucket, s3i_fmt_date_ms(b, sizeof b, ni->creation_ms));
	if (c->has_size)
		printf("%10s %10s %11s %12s  %-5s ", "old bytes", "new bytes", "change", "objects", "");
	else
		printf("%12s %12s %12s  %-5s ", "old objects", "new objects", "change", "");
	if (c->prices)
		printf("%10s  ", "cost/mo");
	printf("prefix\n");
	if (c->prices)
		printf("(cost change: %s prices of %s; see docs/cost.md)\n", s3inv_prices_region(c->prices),
		       s3inv_prices_date(c->prices));
}

static int run_streamed(struct ctx *c, const s3inv_index *oi, const s3inv_index *ni,
                        const char *prefix, size_t plen, unsigned depth, uint64_t limit,
                        bool unchanged)
{
	s3inv_diff *d = NULL;
	s3inv_diff_entry e;
	s3inv_error err = {0, ""};
	uint64_t shown = 0;
	int rc, code = 0;
	if ((rc = s3inv_diff_open(&d, oi, ni, prefix, plen, depth, &err)) < 0)
		return rc == S3INV_ENOTFOUND ? (s3i_cli_fail(rc, &err, "diff"), S3I_EXIT_NOTFOUND)
		                             : s3i_cli_fail(rc, &err, "diff");
	while ((!limit || shown < limit) && (rc = s3inv_diff_next(d, &e, &err)) == 0) {
		bool ho = e.old_pos != UINT64_MAX, hn = e.new_pos != UINT64_MAX;
		if (!unchanged && ho && hn && e.old_st.objects == e.new_st.objects &&
		    e.old_st.bytes == e.new_st.bytes)
			continue;
		if ((code = print_row(c, e.prefix, e.len, ho, &e.old_st, hn, &e.new_st, e.old_pos,
		                      e.new_pos)) != 0)
			break;
		shown++;
		if (s3i_cli_stdout_failed())
			break;
	}
	if (rc < 0 && rc != S3INV_ITEROVER)
		code = s3i_cli_fail(rc, &err, "diff");
	s3inv_diff_close(d);
	return code;
}

static int run_sorted(struct ctx *c, const s3inv_index *oi, const s3inv_index *ni,
                      const char *prefix, size_t plen, unsigned depth, s3inv_diff_sort sort,
                      uint64_t limit, bool unchanged)
{
	s3inv_diff_row *rows = NULL;
	s3inv_error err = {0, ""};
	size_t n = 0;
	int rc, code = 0;
	rc = s3inv_diff_collect(&rows, &n, NULL, oi, ni, prefix, plen, depth, sort, (size_t)limit,
	                        unchanged, &err);
	if (rc < 0)
		return rc == S3INV_ENOTFOUND ? (s3i_cli_fail(rc, &err, "diff"), S3I_EXIT_NOTFOUND)
		                             : s3i_cli_fail(rc, &err, "diff");
	for (size_t i = 0; i < n && code == 0; i++) {
		s3inv_stats os, ns;
		bool ho = rows[i].old_pos != UINT64_MAX, hn = rows[i].new_pos != UINT64_MAX;
		char *p = NULL;
		size_t len = 0;
		if ((ho && (rc = s3inv_index_stats(oi, rows[i].old_pos, &os)) < 0) ||
		    (hn && (rc = s3inv_index_stats(ni, rows[i].new_pos, &ns)) < 0) ||
		    (rc = s3i_front_prefix_dup(&p, &len, ho ? oi : ni, ho ? rows[i].old_pos : rows[i].new_pos,
		                               &err)) < 0) {
			code = s3i_cli_fail(rc, &err, "diff: index");
			break;
		}
		code = print_row(c, p, len, ho, &os, hn, &ns, rows[i].old_pos, rows[i].new_pos);
		free(p);
		if (s3i_cli_stdout_failed())
			break;
	}
	s3inv_free(rows);
	return code;
}

int s3i_cli_diff(int argc, char **argv)
{
	struct s3i_args a;
	const char *paths[2] = {NULL, NULL}, *prefix = NULL;
	s3inv_index *idx[2] = {NULL, NULL};
	s3inv_index_info info[2];
	s3inv_diff_sort sort = S3INV_DIFF_GROWTH;
	uint64_t depth = 1, limit = 0, pos;
	bool unchanged = false;
	struct ctx c = {false, false, {0}, NULL, {NULL, NULL}};
	s3inv_prices *prices = NULL;
	const char *prices_path = NULL;
	bool cost = false;
	char *pfx = NULL;
	size_t plen;
	int id, code = S3I_EXIT_OK;

	s3i_args_init(&a, argc, argv, "diff", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("diff");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_JSON: c.json = true; break;
		case O_UNCHANGED: unchanged = true; break;
		case O_COST: cost = true; break;
		case O_PRICES:
			cost = true;
			prices_path = a.arg;
			break;
		case O_DEPTH:
			if (s3i_cli_parse_u64(&depth, "diff", "--depth", a.arg, 0, 65535, false) < 0)
				return S3I_EXIT_ERROR;
			break;
		case O_LIMIT:
			if (s3i_cli_parse_u64(&limit, "diff", "--limit", a.arg, 0, SIZE_MAX / 4, false) < 0)
				return S3I_EXIT_ERROR;
			break;
		case O_SORT:
			if (strcmp(a.arg, "growth") == 0)
				sort = S3INV_DIFF_GROWTH;
			else if (strcmp(a.arg, "shrink") == 0)
				sort = S3INV_DIFF_SHRINK;
			else if (strcmp(a.arg, "name") == 0)
				sort = S3INV_DIFF_NAME;
			else
				return s3i_cli_usage("diff",
				                     "invalid value '%s' for --sort (growth, shrink or name)", a.arg);
			break;
		default:
			if (!paths[0])
				paths[0] = a.arg;
			else if (!paths[1])
				paths[1] = a.arg;
			else if (!prefix)
				prefix = a.arg;
			else
				return s3i_cli_usage("diff", "unexpected argument '%s'", a.arg);
		}
	}
	if (!paths[1])
		return s3i_cli_usage("diff", paths[0] ? "missing NEW index" : "missing OLD and NEW indexes");
	if (!prefix)
		prefix = "";
	if (cost && s3i_cli_prices(&prices, prices_path) != 0)
		return S3I_EXIT_ERROR;
	c.prices = prices;
	for (int k = 0; k < 2; k++) {
		if (s3i_cli_open(&idx[k], paths[k], S3INV_OPEN_DEFAULT) != 0) {
			code = S3I_EXIT_ERROR;
			goto out;
		}
		s3inv_index_info_get(idx[k], &info[k]);
		c.idx[k] = idx[k];
	}
	/* "logs" finds "logs/" when either index has it */
	plen = strlen(prefix);
	pfx = malloc(plen + 2);
	if (!pfx) {
		code = s3i_cli_error("out of memory");
		goto out;
	}
	memcpy(pfx, prefix, plen + 1);
	if (plen > 0 && s3inv_index_lookup(idx[0], pfx, plen, &pos) != 0 &&
	    s3inv_index_lookup(idx[1], pfx, plen, &pos) != 0 && pfx[plen - 1] != info[0].delimiter) {
		pfx[plen++] = info[0].delimiter;
		pfx[plen] = '\0';
	}
	c.has_size = info[0].has_size || info[1].has_size;
	{
		uint64_t want = depth;
		for (size_t i = 0; i < plen; i++)
			want += pfx[i] == info[0].delimiter;
		for (int k = 0; k < 2; k++)
			if (info[k].max_depth >= 0 && want > (uint64_t)info[k].max_depth)
				s3i_cli_error("warning: %s was built with --max-depth %d: it has no prefix "
				              "%" PRIu64 " levels deep, so they all look %s",
				              paths[k], info[k].max_depth, want, k ? "gone" : "new");
	}
	s3i_json_init(&c.j);
	print_header(&c, paths[0], &info[0], paths[1], &info[1]);
	if (sort == S3INV_DIFF_NAME)
		code = run_streamed(&c, idx[0], idx[1], pfx, plen, (unsigned)depth, limit, unchanged);
	else
		code = run_sorted(&c, idx[0], idx[1], pfx, plen, (unsigned)depth, sort, limit, unchanged);
	s3i_json_free(&c.j);
out:
	s3inv_prices_free(prices);
	free(pfx);
	s3inv_index_close(idx[0]);
	s3inv_index_close(idx[1]);
	return code;
}
