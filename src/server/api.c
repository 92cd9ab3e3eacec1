/* SPDX-License-Identifier: MIT */
/*
 * api.c — the JSON endpoints of `s3inv serve` and their route table.
 *
 * Every handler takes its index from the served set (one reference, put
 * back before returning), reads only the public API, and answers in the
 * shapes of the CLI's --json output, written by the same front functions:
 * /api/stats is byte-for-byte the line of `s3inv du --json`, /api/children
 * the object of `s3inv ls --json` (plus paging), /api/top the object of
 * `s3inv top --json`. docs/http-api.md is the reference.
 *
 * Parameters are validated strictly: numbers are plain decimal digits in
 * a range, enumerations are exact words, a prefix is at most
 * S3I_SRV_MAX_PREFIX bytes; anything else is a 400 naming the parameter.
 * A prefix that is absent is a 404. A library failure (damaged index) is
 * mapped by s3i_http_status_of.
 *
 * Not here yet: diff of two indexes, age histogram, cost (issue 6). They
 * slot in as handlers plus one row each in s3i_api_routes.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builds.h"
#include "http.h"
#include "server.h"
#include "analysis.h"
#include "stats.h"

/* A short, printable excerpt of user text for error messages. */
#define EXCERPT(len) ((int)((len) > 200 ? 200 : (len)))

/* The index named by ?index= (or the only one when absent), with a
 * reference; replies with an error and returns NULL otherwise. */
static struct s3i_srv_index *want_index(struct s3i_srv *srv, struct s3i_http_req *r,
                                        const char *name, size_t len)
{
	struct s3i_srv_index *e = s3i_indexset_get(srv->set, name, len);
	if (e)
		return e;
	if (!name)
		s3i_http_error(r, 400, "parameter 'index' is required when several indexes are served");
	else
		s3i_http_error(r, 404, "no index named '%.*s'", EXCERPT(len), name);
	return NULL;
}

static struct s3i_srv_index *index_arg(struct s3i_srv *srv, struct s3i_http_req *r)
{
	size_t len = 0;
	const char *name = s3i_http_arg(r, "index", &len);
	return want_index(srv, r, name, len);
}

/* ?prefix= (default ""): false after replying 400 when too long. */
static bool prefix_arg(struct s3i_http_req *r, const char **p, size_t *len)
{
	*p = s3i_http_arg(r, "prefix", len);
	if (!*p) {
		*p = "";
		*len = 0;
	}
	if (*len > S3I_SRV_MAX_PREFIX) {
		s3i_http_error(r, 400, "parameter 'prefix' is longer than %u bytes", S3I_SRV_MAX_PREFIX);
		return false;
	}
	return true;
}

/* Exact lookup; a non-empty prefix without the trailing delimiter is tried
 * with it too (as on the command line). Replies 404 when absent. */
static bool lookup(struct s3i_http_req *r, const struct s3i_srv_index *e, const char *p,
                   size_t len, uint64_t *pos)
{
	char buf[S3I_SRV_MAX_PREFIX + 1];
	if (s3inv_index_lookup(e->idx, p, len, pos) == 0)
		return true;
	if (len > 0 && p[len - 1] != e->info.delimiter && len < sizeof buf) {
		memcpy(buf, p, len);
		buf[len] = e->info.delimiter;
		if (s3inv_index_lookup(e->idx, buf, len + 1, pos) == 0)
			return true;
	}
	{
		struct s3i_json j;
		s3i_json_init(&j);
		s3i_json_obj_open(&j);
		s3i_json_key(&j, "error");
		s3i_json_str(&j, "prefix not found");
		s3i_json_key(&j, "prefix");
		s3i_json_strn(&j, p, len);
		s3i_json_obj_close(&j);
		s3i_json_raw(&j, "\n", 1);
		s3i_http_reply(r, 404, NULL, &j);
	}
	return false;
}

/* ?NAME= as a decimal in [MIN, MAX] (DEF when absent); replies 400 and
 * returns false when malformed. */
static bool uint_arg(struct s3i_http_req *r, const char *name, uint64_t def, uint64_t min,
                     uint64_t max, uint64_t *out)
{
	size_t len = 0;
	const char *v = s3i_http_arg(r, name, &len);
	uint64_t x = 0;
	*out = def;
	if (!v)
		return true;
	if (len == 0 || len > 20)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)v[i] - '0';
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			goto bad;
		x = x * 10 + d;
	}
	if (x < min || x > max)
		goto bad;
	*out = x;
	return true;
bad:
	s3i_http_error(r, 400, "parameter '%s' must be an integer from %" PRIu64 " to %" PRIu64,
	               name, min, max);
	return false;
}

/* ?NAME= as one of WORDS (NULL-terminated; VALS alongside); DEF when absent. */
static bool enum_arg(struct s3i_http_req *r, const char *name, const char *const *words,
                     const s3inv_sort *vals, s3inv_sort def, s3inv_sort *out)
{
	size_t len = 0;
	const char *v = s3i_http_arg(r, name, &len);
	*out = def;
	if (!v)
		return true;
	for (size_t i = 0; words[i]; i++) {
		if (strlen(words[i]) == len && memcmp(words[i], v, len) == 0) {
			*out = vals[i];
			return true;
		}
	}
	s3i_http_error(r, 400, "parameter '%s' has an unknown value '%.*s'", name, EXCERPT(len), v);
	return false;
}

/* ?NAME=0|1|false|true (DEF when absent); replies 400 when malformed. */
static bool bool_arg(struct s3i_http_req *r, const char *name, bool def, bool *out)
{
	size_t len = 0;
	const char *v = s3i_http_arg(r, name, &len);
	*out = def;
	if (!v)
		return true;
	if ((len == 1 && v[0] == '1') || (len == 4 && memcmp(v, "true", 4) == 0)) {
		*out = true;
		return true;
	}
	if ((len == 1 && v[0] == '0') || (len == 5 && memcmp(v, "false", 5) == 0)) {
		*out = false;
		return true;
	}
	s3i_http_error(r, 400, "parameter '%s' must be 0 or 1", name);
	return false;
}

/* The du JSON of POS, with ,"cost":{…} when COST. */
static int stats_json(struct s3i_srv *srv, struct s3i_json *j, const s3inv_index *idx,
                      uint64_t pos, bool cost, s3inv_error *err)
{
	int rc = s3i_front_stats_json(j, idx, pos, err);
	if (rc == 0 && cost)
		rc = s3i_front_cost_append(j, idx, pos, srv->prices, err);
	return rc;
}

static void reply_lib_error(struct s3i_http_req *r, int rc, const s3inv_error *err)
{
	s3i_http_error(r, s3i_http_status_of(rc), "%s",
	               err && err->msg[0] ? err->msg : s3inv_strerror(rc));
}

/* ---------------------------------------------------------------- */

static void write_info(struct s3i_json *j, const struct s3i_srv_index *e)
{
	const s3inv_index_info *in = &e->info;
	char d[2] = {in->delimiter, 0};
	s3i_json_key(j, "name");
	s3i_json_strn(j, e->name, e->name_len);
	s3i_json_key(j, "format_version");
	s3i_json_u64(j, in->format_version);
	s3i_json_key(j, "file_bytes");
	s3i_json_u64(j, in->file_bytes);
	s3i_json_key(j, "prefixes");
	s3i_json_u64(j, in->prefixes);
	s3i_json_key(j, "rows");
	s3i_json_u64(j, in->rows);
	s3i_json_key(j, "delimiter");
	s3i_json_strn(j, d, 1);
	s3i_json_key(j, "max_depth");
	s3i_json_i64(j, in->max_depth);
	s3i_json_key(j, "has_size");
	s3i_json_bool(j, in->has_size);
	s3i_json_key(j, "has_versions");
	s3i_json_bool(j, in->has_versions);
	s3i_json_key(j, "has_age");
	s3i_json_bool(j, in->has_age);
	s3i_json_key(j, "has_small");
	s3i_json_bool(j, in->has_small);
	s3i_json_key(j, "creation_ms");
	s3i_json_i64(j, in->creation_ms);
	s3i_json_key(j, "source_bucket");
	s3i_json_str(j, in->source_bucket);
	s3i_json_key(j, "dest_bucket");
	s3i_json_str(j, in->dest_bucket);
	s3i_json_key(j, "file_format");
	s3i_json_str(j, in->file_format);
	s3i_json_key(j, "tool_version");
	s3i_json_str(j, in->tool_version);
	s3i_json_key(j, "built_at");
	s3i_json_str(j, in->built_at);
	s3i_json_key(j, "classes");
	s3i_json_arr_open(j);
	for (uint32_t i = 0; i < in->n_classes; i++)
		s3i_json_str(j, s3inv_index_class_name(e->idx, i));
	s3i_json_arr_close(j);
}

/* GET /api/indexes */
static void h_indexes(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_srv_index **v = NULL;
	struct s3i_json j;
	size_t n = 0;
	int rc = 0;
	s3inv_error err = {0, ""};
	if (s3i_indexset_list(srv->set, &v, &n) < 0) {
		s3i_http_error(r, 503, "out of memory");
		return;
	}
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "indexes");
	s3i_json_arr_open(&j);
	for (size_t i = 0; i < n && rc == 0; i++) {
		s3i_json_obj_open(&j);
		write_info(&j, v[i]);
		s3i_json_key(&j, "root");
		rc = s3i_front_stats_json(&j, v[i]->idx, 0, &err);
		s3i_json_obj_close(&j);
	}
	s3i_json_arr_close(&j);
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	for (size_t i = 0; i < n; i++)
		s3i_indexset_put(v[i]);
	free(v);
	if (rc < 0) {
		s3i_json_free(&j);
		reply_lib_error(r, rc, &err);
		return;
	}
	s3i_http_reply(r, 200, NULL, &j);
}

/* GET /api/stats?index=&prefix= : the du --json line */
static void h_stats(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_srv_index *e;
	struct s3i_json j;
	s3inv_error err = {0, ""};
	const char *p;
	size_t len;
	uint64_t pos;
	bool cost;
	int rc;
	if (!prefix_arg(r, &p, &len) || !bool_arg(r, "cost", false, &cost) ||
	    !(e = index_arg(srv, r)))
		return;
	if (lookup(r, e, p, len, &pos)) {
		s3i_json_init(&j);
		rc = stats_json(srv, &j, e->idx, pos, cost, &err);
		s3i_json_raw(&j, "\n", 1);
		if (rc < 0) {
			s3i_json_free(&j);
			reply_lib_error(r, rc, &err);
		} else {
			s3i_http_reply(r, 200, NULL, &j);
		}
	}
	s3i_indexset_put(e);
}

/* Count the children of POS and the objects directly under it (not in
 * any child), as `s3inv ls` does. */
static int direct_of(const s3inv_index *idx, uint64_t pos, const s3inv_stats *parent,
                     uint64_t *count, uint64_t *dobj, uint64_t *dbytes)
{
	s3inv_stats st;
	uint64_t c, objects = 0, bytes = 0;
	int rc = s3inv_index_first_child(idx, pos, &c);
	*count = 0;
	while (rc == 0) {
		if (s3inv_index_stats(idx, c, &st) < 0 || c <= pos || c >= parent->subtree_end)
			return S3INV_ECORRUPT;
		if (++*count > parent->subtree_end - pos)
			return S3INV_ECORRUPT;
		objects += st.objects;
		bytes += st.bytes;
		rc = s3inv_index_next_sibling(idx, c, &c);
	}
	if (rc != S3INV_ITEROVER || objects > parent->objects || bytes > parent->bytes)
		return S3INV_ECORRUPT;
	*dobj = parent->objects - objects;
	*dbytes = parent->bytes - bytes;
	return 0;
}

static const char *const sort_words[] = {"bytes", "objects", "name", NULL};
static const s3inv_sort sort_vals[] = {S3INV_SORT_BYTES, S3INV_SORT_OBJECTS, S3INV_SORT_NAME};

/* The page [OFFSET, OFFSET+LIMIT) of the children of POS with the count
 * and direct objects: from the entry's cache, else computed — and, for a
 * wide prefix, the whole sorted list is computed once and cached. PAGE
 * has room for LIMIT positions. */
static int children_page(const struct s3i_srv_index *e, uint64_t pos, s3inv_sort sort,
                         uint64_t offset, size_t limit, uint64_t *page,
                         struct s3i_kidpage *kp, s3inv_error *err)
{
	s3inv_stats ps;
	uint64_t *kids = NULL, *copy;
	size_t n = 0;
	int rc;
	if (s3i_kidcache_get(e->kids, pos, sort, offset, limit, page, kp))
		return 0;
	if ((rc = s3inv_index_stats(e->idx, pos, &ps)) < 0 ||
	    (rc = direct_of(e->idx, pos, &ps, &kp->total, &kp->dobj, &kp->dbytes)) < 0)
		return rc;
	kp->n = 0;
	if (offset >= kp->total)
		return 0;
	if (kp->total >= S3I_KIDCACHE_MIN && e->kids) {
		if ((rc = s3inv_query_children(&kids, &n, e->idx, pos, sort, 0, err)) < 0)
			return rc;
	} else if ((rc = s3inv_query_children(&kids, &n, e->idx, pos, sort,
	                                      (size_t)(offset + limit), err)) < 0) {
		return rc;
	}
	if (offset < n) {
		kp->n = n - (size_t)offset < limit ? n - (size_t)offset : limit;
		memcpy(page, kids + offset, kp->n * sizeof *page);
	}
	if (kp->total >= S3I_KIDCACHE_MIN && e->kids && n == kp->total &&
	    (copy = malloc(n * sizeof *copy)) != NULL) {
		memcpy(copy, kids, n * sizeof *copy);
		s3i_kidcache_put(e->kids, pos, sort, copy, n, kp->dobj, kp->dbytes);
	}
	s3inv_free(kids);
	return 0;
}

/* GET /api/children?index=&prefix=&sort=&limit=&offset= */
static void h_children(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_srv_index *e;
	struct s3i_json j;
	struct s3i_kidpage kp;
	s3inv_error err = {0, ""};
	s3inv_sort sort;
	const char *p;
	char *pp = NULL;
	size_t len, pplen;
	uint64_t pos, limit, offset, page[S3I_SRV_MAX_PAGE];
	bool cost;
	int rc;
	if (!prefix_arg(r, &p, &len) || !bool_arg(r, "cost", false, &cost) ||
	    !enum_arg(r, "sort", sort_words, sort_vals, S3INV_SORT_BYTES, &sort) ||
	    !uint_arg(r, "limit", 100, 1, S3I_SRV_MAX_PAGE, &limit) ||
	    !uint_arg(r, "offset", 0, 0, UINT32_MAX, &offset) || !(e = index_arg(srv, r)))
		return;
	s3i_json_init(&j);
	if (!lookup(r, e, p, len, &pos))
		goto out;
	if ((rc = children_page(e, pos, sort, offset, (size_t)limit, page, &kp, &err)) < 0 ||
	    (rc = s3i_front_prefix_dup(&pp, &pplen, e->idx, pos, &err)) < 0) {
		reply_lib_error(r, rc, &err);
		goto out;
	}
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "prefix");
	s3i_json_strn(&j, pp, pplen);
	s3i_json_key(&j, "total");
	s3i_json_u64(&j, kp.total);
	s3i_json_key(&j, "children");
	s3i_json_arr_open(&j);
	for (size_t i = 0; i < kp.n; i++) {
		if ((rc = stats_json(srv, &j, e->idx, page[i], cost, &err)) < 0) {
			reply_lib_error(r, rc, &err);
			goto out;
		}
	}
	s3i_json_arr_close(&j);
	s3i_json_key(&j, "direct");
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "objects");
	s3i_json_u64(&j, kp.dobj);
	s3i_json_key(&j, "bytes");
	s3i_json_u64(&j, kp.dbytes);
	s3i_json_obj_close(&j);
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	s3i_http_reply(r, 200, NULL, &j);
out:
	s3i_json_free(&j);
	free(pp);
	s3i_indexset_put(e);
}

static const char *const by_words[] = {"bytes", "objects", "noncurrent-bytes", NULL};
static const s3inv_sort by_vals[] = {S3INV_SORT_BYTES, S3INV_SORT_OBJECTS, S3INV_SORT_NC_BYTES};

/* GET /api/top?index=&prefix=&depth=&limit=&by= : the top --json object */
static void h_top(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_srv_index *e;
	struct s3i_json j;
	s3inv_error err = {0, ""};
	s3inv_sort by;
	const char *p;
	char *pp = NULL;
	size_t len, pplen, n = 0;
	uint64_t pos, depth, limit, *res = NULL;
	bool cost;
	int rc, older = 0;
	size_t olen = 0;
	const char *otxt = s3i_http_arg(r, "older_than", &olen);
	if (!prefix_arg(r, &p, &len) || !uint_arg(r, "depth", 1, 1, 65535, &depth) ||
	    !uint_arg(r, "limit", 20, 1, S3I_SRV_MAX_PAGE, &limit) ||
	    !bool_arg(r, "cost", false, &cost) ||
	    !enum_arg(r, "by", by_words, by_vals, S3INV_SORT_BYTES, &by))
		return;
	if (otxt) {
		char tb[16] = "";
		if (olen < sizeof tb) {
			memcpy(tb, otxt, olen);
			tb[olen] = '\0';
			older = s3inv_age_parse(tb);
		}
		if (olen >= sizeof tb || older < 0) {
			s3i_http_error(r, 400, "parameter 'older_than' must be 30d, 90d, 180d, 1y, 2y or 5y");
			return;
		}
		by = (s3inv_sort)(S3INV_SORT_OLDER + older);
	}
	if (!(e = index_arg(srv, r)))
		return;
	s3i_json_init(&j);
	if (!lookup(r, e, p, len, &pos))
		goto out;
	if (older && !e->info.has_age) {
		s3i_http_error(r, 404, "no age data in this index (the report had no LastModifiedDate)");
		goto out;
	}
	if ((rc = s3i_front_prefix_dup(&pp, &pplen, e->idx, pos, &err)) < 0 ||
	    (rc = s3inv_query_top(&res, &n, e->idx, pos, (unsigned)depth, by, (size_t)limit,
	                          &err)) < 0) {
		reply_lib_error(r, rc, &err);
		goto out;
	}
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "prefix");
	s3i_json_strn(&j, pp, pplen);
	s3i_json_key(&j, "levels");
	s3i_json_u64(&j, depth);
	s3i_json_key(&j, "by");
	s3i_json_str(&j, older                        ? "older-than"
	                 : by == S3INV_SORT_OBJECTS  ? "objects"
	                 : by == S3INV_SORT_NC_BYTES ? "noncurrent-bytes"
	                                             : "bytes");
	if (older) {
		s3i_json_key(&j, "older_than");
		s3i_json_strn(&j, otxt, olen);
	}
	s3i_json_key(&j, "results");
	s3i_json_arr_open(&j);
	for (size_t i = 0; i < n; i++) {
		if ((rc = stats_json(srv, &j, e->idx, res[i], cost, &err)) < 0) {
			reply_lib_error(r, rc, &err);
			goto out;
		}
	}
	s3i_json_arr_close(&j);
	if (older) {
		if ((rc = s3i_front_older_json(&j, e->idx, res, n, (unsigned)older, &err)) < 0) {
			reply_lib_error(r, rc, &err);
			goto out;
		}
	}
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	s3i_http_reply(r, 200, NULL, &j);
out:
	s3i_json_free(&j);
	s3inv_free(res);
	free(pp);
	s3i_indexset_put(e);
}

/* POST /api/batch {"index":N,"prefixes":[...]} : an array of du JSON
 * objects or {"prefix":P,"found":false}, in order; exact matches only. */
static void h_batch(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_srv_index *e = NULL;
	struct s3i_json j;
	s3inv_error err = {0, ""};
	json_error_t jerr;
	json_t *doc, *jidx, *jpfx;
	const char **pfx = NULL;
	size_t *lens = NULL, n, blen;
	uint64_t *pos = NULL;
	const char *body = s3i_http_body(r, &blen);
	int rc;

	s3i_json_init(&j);
	doc = json_loadb(body, blen, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!doc) {
		s3i_http_error(r, 400, "request body: line %d, column %d: %s", jerr.line, jerr.column,
		               jerr.text);
		return;
	}
	jidx = json_object_get(doc, "index");
	jpfx = json_object_get(doc, "prefixes");
	if (!json_is_object(doc) || !json_is_array(jpfx) || (jidx && !json_is_string(jidx))) {
		s3i_http_error(r, 400, "request body must be {\"index\":NAME,\"prefixes\":[...]}");
		goto out;
	}
	n = json_array_size(jpfx);
	if (n > S3I_SRV_MAX_PAGE) {
		s3i_http_error(r, 400, "at most %u prefixes per batch", S3I_SRV_MAX_PAGE);
		goto out;
	}
	pfx = malloc((n ? n : 1) * sizeof *pfx);
	lens = malloc((n ? n : 1) * sizeof *lens);
	pos = malloc((n ? n : 1) * sizeof *pos);
	if (!pfx || !lens || !pos) {
		s3i_http_error(r, 503, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(jpfx, i);
		if (!json_is_string(s)) {
			s3i_http_error(r, 400, "prefixes[%zu] is not a string", i);
			goto out;
		}
		pfx[i] = json_string_value(s);
		lens[i] = json_string_length(s);
	}
	e = want_index(srv, r, jidx ? json_string_value(jidx) : NULL,
	               jidx ? json_string_length(jidx) : 0);
	if (!e)
		goto out;
	s3inv_index_lookup_batch(e->idx, pfx, lens, n, pos);
	s3i_json_arr_open(&j);
	for (size_t i = 0; i < n; i++) {
		if (pos[i] == UINT64_MAX) {
			s3i_json_obj_open(&j);
			s3i_json_key(&j, "prefix");
			s3i_json_strn(&j, pfx[i], lens[i]);
			s3i_json_key(&j, "found");
			s3i_json_bool(&j, false);
			s3i_json_obj_close(&j);
		} else if ((rc = s3i_front_stats_json(&j, e->idx, pos[i], &err)) < 0) {
			reply_lib_error(r, rc, &err);
			goto out;
		}
	}
	s3i_json_arr_close(&j);
	s3i_json_raw(&j, "\n", 1);
	s3i_http_reply(r, 200, NULL, &j);
out:
	s3i_json_free(&j);
	s3i_indexset_put(e);
	free(pfx);
	free(lens);
	free(pos);
	json_decref(doc);
}

/* GET /healthz (no token) */
/* GET /api/age?index=&prefix= : the age --json line */
static void h_age(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_srv_index *e;
	struct s3i_json j;
	s3inv_error err = {0, ""};
	const char *p;
	size_t len;
	uint64_t pos;
	int rc;
	if (!prefix_arg(r, &p, &len) || !(e = index_arg(srv, r)))
		return;
	if (!e->info.has_age) {
		s3i_http_error(r, 404, "no age data in this index (the report had no LastModifiedDate)");
	} else if (lookup(r, e, p, len, &pos)) {
		s3i_json_init(&j);
		rc = s3i_front_age_json(&j, e->idx, pos, &err);
		s3i_json_raw(&j, "\n", 1);
		if (rc < 0) {
			s3i_json_free(&j);
			reply_lib_error(r, rc, &err);
		} else {
			s3i_http_reply(r, 200, NULL, &j);
		}
	}
	s3i_indexset_put(e);
}

static const char *const dsort_words[] = {"growth", "shrink", "name", NULL};
static const s3inv_sort dsort_vals[] = {(s3inv_sort)S3INV_DIFF_GROWTH,
                                        (s3inv_sort)S3INV_DIFF_SHRINK,
                                        (s3inv_sort)S3INV_DIFF_NAME};

/* *USD = the monthly cost at POS (0 on the side where the prefix is absent). */
static int cost_at(struct s3i_srv *srv, const s3inv_index *idx, uint64_t pos, double *usd,
                   s3inv_error *err)
{
	s3inv_cost c;
	int rc;
	*usd = 0;
	if (pos == UINT64_MAX)
		return 0;
	if ((rc = s3inv_cost_prefix(&c, idx, pos, srv->prices, err)) < 0)
		return rc;
	*usd = c.total;
	return 0;
}

/* GET /api/diff?old=&new=&prefix=&depth=&sort=&limit=&offset=&unchanged=&cost=
 * : the rows of `s3inv diff --json`, a page of them, with both indexes'
 * metadata; a warning when they come from different source buckets. */
static void h_diff(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_srv_index *a = NULL, *b = NULL;
	struct s3i_json j;
	s3inv_error err = {0, ""};
	s3inv_diff_row *rows = NULL;
	s3inv_sort sort;
	const char *p, *on, *nn;
	size_t len, olen = 0, nlen = 0, n = 0;
	uint64_t depth, limit, offset, total = 0;
	bool unchanged, cost;
	int rc;
	if (!prefix_arg(r, &p, &len) || !uint_arg(r, "depth", 1, 0, 65535, &depth) ||
	    !uint_arg(r, "limit", 100, 1, S3I_SRV_MAX_PAGE, &limit) ||
	    !uint_arg(r, "offset", 0, 0, 100000, &offset) ||
	    !bool_arg(r, "unchanged", false, &unchanged) || !bool_arg(r, "cost", false, &cost) ||
	    !enum_arg(r, "sort", dsort_words, dsort_vals, (s3inv_sort)S3INV_DIFF_GROWTH, &sort))
		return;
	on = s3i_http_arg(r, "old", &olen);
	nn = s3i_http_arg(r, "new", &nlen);
	if (!on || !nn) {
		s3i_http_error(r, 400, "parameters 'old' and 'new' (index names) are required");
		return;
	}
	if (!(a = want_index(srv, r, on, olen)))
		return;
	if (!(b = want_index(srv, r, nn, nlen))) {
		s3i_indexset_put(a);
		return;
	}
	s3i_json_init(&j);
	rc = s3inv_diff_collect(&rows, &n, &total, a->idx, b->idx, p, len, (unsigned)depth,
	                        (s3inv_diff_sort)sort, (size_t)(offset + limit), unchanged, &err);
	if (rc == S3INV_ENOTFOUND) {
		s3i_http_error(r, 404, "prefix '%.*s' is in neither index", EXCERPT(len), p);
		goto out;
	}
	if (rc < 0) {
		reply_lib_error(r, rc, &err);
		goto out;
	}
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "old");
	s3i_json_obj_open(&j);
	write_info(&j, a);
	s3i_json_obj_close(&j);
	s3i_json_key(&j, "new");
	s3i_json_obj_open(&j);
	write_info(&j, b);
	s3i_json_obj_close(&j);
	if (strcmp(a->info.source_bucket ? a->info.source_bucket : "",
	           b->info.source_bucket ? b->info.source_bucket : "") != 0) {
		s3i_json_key(&j, "warning");
		s3i_json_str(&j, "the two indexes come from different source buckets");
	}
	s3i_json_key(&j, "prefix");
	s3i_json_strn(&j, p, len);
	s3i_json_key(&j, "depth");
	s3i_json_u64(&j, depth);
	s3i_json_key(&j, "total");
	s3i_json_u64(&j, total);
	s3i_json_key(&j, "rows");
	s3i_json_arr_open(&j);
	for (size_t i = (size_t)offset; i < n; i++) {
		const s3inv_diff_row *w = &rows[i];
		bool ho = w->old_pos != UINT64_MAX, hn = w->new_pos != UINT64_MAX;
		s3inv_stats os, ns;
		char *pp = NULL;
		size_t pplen = 0;
		if ((ho && (rc = s3inv_index_stats(a->idx, w->old_pos, &os)) < 0) ||
		    (hn && (rc = s3inv_index_stats(b->idx, w->new_pos, &ns)) < 0) ||
		    (rc = s3i_front_prefix_dup(&pp, &pplen, hn ? b->idx : a->idx,
		                               hn ? w->new_pos : w->old_pos, &err)) < 0) {
			reply_lib_error(r, rc, &err);
			goto out;
		}
		s3i_front_diff_row_open(&j, pp, pplen, ho, &os, hn, &ns);
		free(pp);
		if (cost) {
			double oc, nc;
			if ((rc = cost_at(srv, a->idx, w->old_pos, &oc, &err)) < 0 ||
			    (rc = cost_at(srv, b->idx, w->new_pos, &nc, &err)) < 0) {
				reply_lib_error(r, rc, &err);
				goto out;
			}
			s3i_front_diff_cost_json(&j, oc, nc);
		}
		s3i_json_obj_close(&j);
	}
	s3i_json_arr_close(&j);
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	s3i_http_reply(r, 200, NULL, &j);
out:
	s3i_json_free(&j);
	s3inv_free(rows);
	s3i_indexset_put(a);
	s3i_indexset_put(b);
}

static void h_healthz(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_indexset_counts c;
	struct s3i_json j;
	s3i_indexset_counts(srv->set, &c);
	s3i_json_init(&j);
	s3i_json_obj_open(&j);
	s3i_json_key(&j, "status");
	s3i_json_str(&j, "ok");
	s3i_json_key(&j, "indexes");
	s3i_json_u64(&j, c.served);
	s3i_json_obj_close(&j);
	s3i_json_raw(&j, "\n", 1);
	s3i_http_reply(r, 200, NULL, &j);
}

/* GET /metrics (Prometheus text) */
static void h_metrics(struct s3i_srv *srv, struct s3i_http_req *r)
{
	struct s3i_json j;
	s3i_json_init(&j);
	s3i_metrics_render(&j, &srv->metrics, srv->set);
	s3i_http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", &j);
}

const struct s3i_route s3i_api_routes[] = {
    {"/api/indexes", "indexes", S3I_HTTP_GET, false, h_indexes},
    {"/api/stats", "stats", S3I_HTTP_GET, false, h_stats},
    {"/api/children", "children", S3I_HTTP_GET, false, h_children},
    {"/api/top", "top", S3I_HTTP_GET, false, h_top},
    {"/api/age", "age", S3I_HTTP_GET, false, h_age},
    {"/api/diff", "diff", S3I_HTTP_GET, false, h_diff},
    {"/api/batch", "batch", S3I_HTTP_POST, false, h_batch},
    /* issue 6 adds here: /api/diff, /api/age, /api/cost */
    /* background builds (serve --source; builds_api.c) */
    {"/api/reports", "reports", S3I_HTTP_GET, false, s3i_builds_h_reports},
    {"/api/builds", "builds", S3I_HTTP_GET, false, s3i_builds_h_list},
    {"/api/builds/events", "builds_events", S3I_HTTP_GET, false, s3i_builds_h_events},
    {"/api/builds/rescan", "builds_rescan", S3I_HTTP_POST, false, s3i_builds_h_rescan},
    {"/api/builds/cancel", "builds_cancel", S3I_HTTP_POST, false, s3i_builds_h_cancel},
    {"/api/builds/retry", "builds_retry", S3I_HTTP_POST, false, s3i_builds_h_retry},
    {"/healthz", "healthz", S3I_HTTP_GET, true, h_healthz},
    {"/metrics", "metrics", S3I_HTTP_GET, false, h_metrics},
};
const size_t s3i_api_nroutes = sizeof s3i_api_routes / sizeof s3i_api_routes[0];
