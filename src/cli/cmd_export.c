/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c — `s3inv export`: the prefix table of a subtree as CSV,
 * NDJSON (one du JSON object per line) or ncdu's JSON export format.
 *
 * Everything streams from s3inv_walk (preorder, sequential string decode):
 * memory is constant for CSV/NDJSON and O(depth) for ncdu, whose nested
 * arrays are closed with a stack of open prefixes. In the ncdu export each
 * prefix is a directory named by its last component (without the
 * delimiter) and the objects directly under a prefix (its counts minus
 * its children's) are one file entry named "(N objects)"; so ncdu's
 * totals equal the index's at every level. With --max-depth the objects
 * of deeper prefixes are direct objects of the deepest exported one.
 * An empty component (the "" between the slashes of "a//b") is named
 * "(empty name)", since ncdu refuses an empty name.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "stats.h"

static bool has_age(const s3inv_index *idx)
{
	s3inv_index_info info;
	s3inv_index_info_get(idx, &info);
	return info.has_age;
}

static int age_fail(s3inv_error *err, int rc, const char *what)
{
	if (err && err->code == 0) {
		err->code = rc;
		snprintf(err->msg, sizeof err->msg, "index: %s: %s", what, s3inv_strerror(rc));
	}
	return rc;
}

const char s3i_cli_help_export[] =
    "NAME\n"
    "    s3inv export - the prefix table as CSV, NDJSON or an ncdu export\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv export INDEX [PREFIX] [--max-depth D] --format csv|ndjson|ncdu\n"
    "\n"
    "DESCRIPTION\n"
    "    Streams every prefix of the subtree of PREFIX (default: the whole\n"
    "    bucket), in byte order, down to D levels below PREFIX, to stdout:\n"
    "      csv     header line, then one row per prefix: prefix, depth, objects,\n"
    "              bytes, nc_objects, nc_bytes, delete_markers, and for each\n"
    "              storage class of the index <class>_objects, <class>_bytes,\n"
    "              then, when the index has age data, age_<bucket>_objects and\n"
    "              age_<bucket>_bytes for the buckets of `s3inv age`\n"
    "              (RFC 4180 quoting; for DuckDB, Athena or a spreadsheet)\n"
    "      ndjson  one du JSON object per line (see s3inv du --help), plus\n"
    "              \"age\":[{\"bucket\":\"<30d\",\"objects\":N,\"bytes\":N},...] when the\n"
    "              index has age data\n"
    "      ncdu    ncdu's JSON export: `ncdu -f FILE` browses the bucket. Each\n"
    "              prefix is a directory; the objects directly under a prefix\n"
    "              are one file entry \"(N objects)\" holding their bytes; an\n"
    "              empty component (\"a//\") is named \"(empty name)\".\n"
    "\n"
    "OPTIONS\n"
    "    --format F, -f F   csv, ndjson or ncdu (required)\n"
    "    --max-depth D      levels below PREFIX to export (default: all)\n"
    "    -h, --help         show this help\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success\n"
    "    1  PREFIX was not found\n"
    "    2  error (bad arguments, unreadable or damaged index, write error)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv export bucket.s3i --format csv > prefixes.csv\n"
    "    s3inv export bucket.s3i logs/ --max-depth 2 --format ndjson\n"
    "    s3inv export bucket.s3i --format ncdu > bucket.ncdu.json && ncdu -f bucket.ncdu.json\n";

enum { O_FORMAT = 1, O_MAXDEPTH };
static const struct s3i_opt opts[] = {
    {"format", 'f', true, O_FORMAT}, {"max-depth", 0, true, O_MAXDEPTH}, {NULL, 0, false, 0}};

enum fmt { F_NONE, F_CSV, F_NDJSON, F_NCDU };

#define FLUSH_AT (256u << 10)
#define EMPTY_NAME "(empty name)"

static void csv_field(struct s3i_json *j, const char *s, size_t len)
{
	s3i_json_raw(j, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			s3i_json_raw(j, "\"", 1);
		s3i_json_raw(j, s + i, 1);
	}
	s3i_json_raw(j, "\"", 1);
}

static void put_u64(struct s3i_json *j, uint64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof b, ",%" PRIu64, v);
	s3i_json_raw(j, b, (size_t)n);
}

static int row_csv(struct s3i_json *j, const s3inv_index *idx, const s3inv_walk_entry *e,
                   uint32_t ncls, uint64_t *per, s3inv_error *err)
{
	s3inv_class_stats *cl = NULL;
	size_t ncl = 0;
	int rc = s3i_front_classes(&cl, &ncl, idx, e->st.pos, err);
	if (rc < 0)
		return rc;
	csv_field(j, e->prefix, e->len);
	put_u64(j, e->st.depth);
	put_u64(j, e->st.objects);
	put_u64(j, e->st.bytes);
	put_u64(j, e->st.nc_objects);
	put_u64(j, e->st.nc_bytes);
	put_u64(j, e->st.delete_markers);
	memset(per, 0, 2 * (size_t)ncls * sizeof *per);
	for (size_t i = 0; i < ncl; i++)
		if (cl[i].class_id < ncls) {
			per[2 * cl[i].class_id] = cl[i].objects;
			per[2 * cl[i].class_id + 1] = cl[i].bytes;
		}
	for (uint32_t c = 0; c < 2 * ncls; c++)
		put_u64(j, per[c]);
	free(cl);
	if (has_age(idx)) {
		s3inv_age age;
		if ((rc = s3inv_index_age(idx, e->st.pos, &age)) < 0)
			return age_fail(err, rc, "age");
		for (unsigned b = 0; b < S3INV_AGE_BUCKETS; b++) {
			put_u64(j, age.objects[b]);
			put_u64(j, age.bytes[b]);
		}
	}
	s3i_json_raw(j, "\n", 1);
	return 0;
}

/* the du JSON of stats.h, from the walk entry (no second prefix decode) */
static int row_ndjson(struct s3i_json *j, const s3inv_index *idx, bool versions,
                      const s3inv_walk_entry *e, s3inv_error *err)
{
	s3inv_class_stats *cl = NULL;
	size_t ncl = 0;
	int rc = s3i_front_classes(&cl, &ncl, idx, e->st.pos, err);
	if (rc < 0)
		return rc;
	s3i_json_obj_open(j);
	s3i_json_key(j, "prefix");
	s3i_json_strn(j, e->prefix, e->len);
	s3i_json_key(j, "depth");
	s3i_json_u64(j, e->st.depth);
	s3i_json_key(j, "objects");
	s3i_json_u64(j, e->st.objects);
	s3i_json_key(j, "bytes");
	s3i_json_u64(j, e->st.bytes);
	s3i_json_key(j, "classes");
	s3i_json_obj_open(j);
	for (size_t i = 0; i < ncl; i++) {
		if (cl[i].objects == 0)
			continue;
		s3i_json_key(j, cl[i].name ? cl[i].name : "?");
		s3i_json_obj_open(j);
		s3i_json_key(j, "objects");
		s3i_json_u64(j, cl[i].objects);
		s3i_json_key(j, "bytes");
		s3i_json_u64(j, cl[i].bytes);
		s3i_json_obj_close(j);
	}
	s3i_json_obj_close(j);
	if (versions) {
		s3i_json_key(j, "noncurrent");
		s3i_json_obj_open(j);
		s3i_json_key(j, "objects");
		s3i_json_u64(j, e->st.nc_objects);
		s3i_json_key(j, "bytes");
		s3i_json_u64(j, e->st.nc_bytes);
		s3i_json_obj_close(j);
		s3i_json_key(j, "delete_markers");
		s3i_json_u64(j, e->st.delete_markers);
	}
	if (has_age(idx)) {
		s3inv_age age;
		if ((rc = s3inv_index_age(idx, e->st.pos, &age)) < 0) {
			free(cl);
			return age_fail(err, rc, "age");
		}
		s3i_json_key(j, "age");
		s3i_front_age_array(j, &age);
	}
	s3i_json_obj_close(j);
	s3i_json_raw(j, "\n", 1);
	free(cl);
	return 0;
}

/* ---- ncdu: a stack of open directories ---- */

struct open_dir {
	uint32_t depth;
	size_t plen;                 /* length of its prefix */
	uint64_t objects, bytes;     /* its totals */
	uint64_t kobjects, kbytes;   /* sum over its exported children */
};

struct ncdu {
	struct open_dir *v;
	size_t n, cap;
};

static void ncdu_close_top(struct s3i_json *j, struct ncdu *s)
{
	struct open_dir *d = &s->v[--s->n];
	uint64_t o = d->objects >= d->kobjects ? d->objects - d->kobjects : 0;
	uint64_t b = d->bytes >= d->kbytes ? d->bytes - d->kbytes : 0;
	if (o > 0) {
		char name[64], num[96];
		int k = snprintf(name, sizeof name, "(%" PRIu64 " object%s)", o, o == 1 ? "" : "s");
		s3i_json_raw(j, ",{\"name\":", 9);
		s3i_json_escape(j, name, (size_t)k);
		k = snprintf(num, sizeof num, ",\"asize\":%" PRIu64 ",\"dsize\":%" PRIu64 "}", b, b);
		s3i_json_raw(j, num, (size_t)k);
	}
	s3i_json_raw(j, "]", 1);
}

static int ncdu_entry(struct s3i_json *j, struct ncdu *s, const s3inv_walk_entry *e,
                      const char *root_name, char delim)
{
	const char *name = root_name;
	size_t nlen = strlen(root_name);
	while (s->n > 0 && s->v[s->n - 1].depth >= e->st.depth)
		ncdu_close_top(j, s);
	if (s->n > 0) {
		struct open_dir *p = &s->v[s->n - 1];
		p->kobjects += e->st.objects;
		p->kbytes += e->st.bytes;
		name = e->prefix + p->plen;
		nlen = e->len - p->plen;
		if (nlen > 0 && name[nlen - 1] == delim)
			nlen--;
		s3i_json_raw(j, ",", 1);
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct open_dir *nv = realloc(s->v, nc * sizeof *nv);
		if (!nv)
			return S3INV_ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n++] = (struct open_dir){e->st.depth, e->len, e->st.objects, e->st.bytes, 0, 0};
	s3i_json_raw(j, "[{\"name\":", 9);
	if (nlen == 0) /* "a//": ncdu rejects an empty name */
		s3i_json_escape(j, EMPTY_NAME, sizeof EMPTY_NAME - 1);
	else
		s3i_json_escape(j, name, nlen);
	s3i_json_raw(j, "}", 1);
	return 0;
}

static void csv_header(struct s3i_json *j, const s3inv_index *idx, uint32_t ncls)
{
	s3i_json_raw(j, "prefix,depth,objects,bytes,nc_objects,nc_bytes,delete_markers", 61);
	for (uint32_t c = 0; c < ncls; c++) {
		const char *n = s3inv_index_class_name(idx, c);
		char col[300];
		for (int k = 0; k < 2; k++) {
			int len = snprintf(col, sizeof col, "%s_%s", n ? n : "?", k ? "bytes" : "objects");
			s3i_json_raw(j, ",", 1);
			csv_field(j, col, (size_t)len < sizeof col ? (size_t)len : sizeof col - 1);
		}
	}
	if (has_age(idx))
		for (unsigned b = 0; b < S3INV_AGE_BUCKETS; b++)
			for (int k = 0; k < 2; k++) {
				char col[64];
				int len = snprintf(col, sizeof col, "age_%s_%s", s3inv_age_bucket_label(b),
				                   k ? "bytes" : "objects");
				s3i_json_raw(j, ",", 1);
				csv_field(j, col, (size_t)len);
			}
	s3i_json_raw(j, "\n", 1);
}

static int run(const s3inv_index *idx, uint64_t pos, int levels, enum fmt f)
{
	s3inv_index_info info;
	s3inv_walk *w = NULL;
	s3inv_walk_entry e;
	s3inv_error err = {0, ""};
	struct s3i_json j;
	struct ncdu stack = {NULL, 0, 0};
	uint64_t *per = NULL;
	char root[1200];
	int rc, code = 0;

	s3inv_index_info_get(idx, &info);
	s3i_json_init(&j);
	per = calloc(2 * (size_t)info.n_classes + 1, sizeof *per);
	if (!per)
		return s3i_cli_error("out of memory");
	if ((rc = s3inv_walk_open(&w, idx, pos, levels, &err)) < 0) {
		free(per);
		return s3i_cli_fail(rc, &err, "export");
	}
	if (f == F_CSV)
		csv_header(&j, idx, info.n_classes);
	if (f == F_NCDU) {
		char head[256];
		int k = snprintf(head, sizeof head,
		                 "[1,2,{\"progname\":\"s3inv\",\"progver\":\"%s\",\"timestamp\":%lld},\n",
		                 S3INV_VERSION, (long long)(info.creation_ms / 1000));
		s3i_json_raw(&j, head, (size_t)k);
	}
	while ((rc = s3inv_walk_next(w, &e, &err)) == 0) {
		if (f == F_CSV)
			rc = row_csv(&j, idx, &e, info.n_classes, per, &err);
		else if (f == F_NDJSON)
			rc = row_ndjson(&j, idx, info.has_versions, &e, &err);
		else {
			if (stack.n == 0)
				snprintf(root, sizeof root, "s3://%s/%.*s", info.source_bucket[0] ? info.source_bucket : "bucket",
				         (int)(e.len > 1000 ? 1000 : e.len), e.prefix);
			rc = ncdu_entry(&j, &stack, &e, root, info.delimiter);
			if (rc < 0)
				s3i_cli_error("out of memory");
		}
		if (rc < 0)
			break;
		if (j.len >= FLUSH_AT && (s3i_json_flush(&j, stdout) < 0 || s3i_cli_stdout_failed())) {
			rc = S3INV_ITEROVER;
			goto out; /* closed pipe or write error: main reports it */
		}
	}
	if (rc != S3INV_ITEROVER) {
		code = err.msg[0] ? s3i_cli_fail(rc, &err, "export") : S3I_EXIT_ERROR;
		goto out;
	}
	if (f == F_NCDU) {
		while (stack.n > 0)
			ncdu_close_top(&j, &stack);
		s3i_json_raw(&j, "]\n", 2);
	}
	if (!s3i_json_ok(&j))
		code = s3i_cli_error("out of memory");
	else
		s3i_json_flush(&j, stdout);
out:
	s3inv_walk_close(w);
	s3i_json_free(&j);
	free(stack.v);
	free(per);
	return code;
}

int s3i_cli_export(int argc, char **argv)
{
	struct s3i_args a;
	const char *index = NULL, *prefix = NULL;
	enum fmt f = F_NONE;
	uint64_t maxd = UINT64_MAX, pos;
	s3inv_index *idx = NULL;
	int id, code;

	s3i_args_init(&a, argc, argv, "export", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: return s3i_cli_print_help("export");
		case S3I_OPT_ERROR: return S3I_EXIT_ERROR;
		case O_FORMAT:
			if (strcmp(a.arg, "csv") == 0)
				f = F_CSV;
			else if (strcmp(a.arg, "ndjson") == 0)
				f = F_NDJSON;
			else if (strcmp(a.arg, "ncdu") == 0)
				f = F_NCDU;
			else
				return s3i_cli_usage("export", "invalid value '%s' for --format (csv, ndjson or ncdu)",
				                     a.arg);
			break;
		case O_MAXDEPTH:
			if (s3i_cli_parse_u64(&maxd, "export", "--max-depth", a.arg, 0, 65535, false) < 0)
				return S3I_EXIT_ERROR;
			break;
		default:
			if (!index)
				index = a.arg;
			else if (!prefix)
				prefix = a.arg;
			else
				return s3i_cli_usage("export", "unexpected argument '%s'", a.arg);
		}
	}
	if (!index)
		return s3i_cli_usage("export", "missing INDEX");
	if (f == F_NONE)
		return s3i_cli_usage("export", "missing --format (csv, ndjson or ncdu)");
	if (s3i_cli_open(&idx, index, S3INV_OPEN_DEFAULT) != 0)
		return S3I_EXIT_ERROR;
	if (s3i_cli_lookup(idx, prefix ? prefix : "", &pos) < 0) {
		code = S3I_EXIT_NOTFOUND;
		s3i_cli_error("%s: prefix '%s' not found", index, prefix);
		goto out;
	}
	code = run(idx, pos, maxd == UINT64_MAX ? -1 : (int)maxd, f);
out:
	s3inv_index_close(idx);
	return code;
}
