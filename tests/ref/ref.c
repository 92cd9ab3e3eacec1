/* SPDX-License-Identifier: MIT */
/*
 * ref.c — the slow reference aggregation (see ref.h for the semantics).
 *
 * Deliberately plain: read a whole data file with gzread, walk it one
 * character at a time through a quote-state CSV parser, decode the key,
 * and add the row to every prefix in a chained hash map keyed by the full
 * prefix string. No code is shared with libs3inv (not even its allocator),
 * so a bug there cannot hide here. Sorting at the end uses qsort.
 */
#define _POSIX_C_SOURCE 200809L
#include "ref.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

/* ---- the prefix map ------------------------------------------------- */

struct map {
	struct ref_prefix *v;
	size_t n, cap;
	size_t *slots; /* index + 1, 0 = empty */
	size_t nslots;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int map_grow(struct map *m)
{
	size_t ns = m->nslots ? m->nslots * 2 : 1024, i;
	size_t *s = calloc(ns, sizeof *s);
	if (!s)
		return -1;
	for (i = 0; i < m->n; i++) {
		size_t h = (size_t)fnv(m->v[i].prefix, m->v[i].len) & (ns - 1);
		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = i + 1;
	}
	free(m->slots);
	m->slots = s;
	m->nslots = ns;
	return 0;
}

static struct ref_prefix *map_get(struct map *m, const char *p, size_t len, int depth)
{
	size_t h;
	struct ref_prefix *e;
	if ((m->n + 1) * 2 > m->nslots && map_grow(m) < 0)
		return NULL;
	h = (size_t)fnv(p, len) & (m->nslots - 1);
	while (m->slots[h]) {
		e = &m->v[m->slots[h] - 1];
		if (e->len == len && memcmp(e->prefix, p, len) == 0)
			return e;
		h = (h + 1) & (m->nslots - 1);
	}
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 1024;
		struct ref_prefix *nv = realloc(m->v, nc * sizeof *nv);
		if (!nv)
			return NULL;
		m->v = nv;
		m->cap = nc;
	}
	e = &m->v[m->n];
	memset(e, 0, sizeof *e);
	e->prefix = malloc(len + 1);
	if (!e->prefix)
		return NULL;
	memcpy(e->prefix, p, len);
	e->prefix[len] = '\0';
	e->len = len;
	e->depth = depth;
	m->slots[h] = ++m->n;
	return e;
}

static int add_class(struct ref_prefix *e, const char *name, uint64_t size)
{
	size_t i;
	for (i = 0; i < e->n_classes; i++) {
		if (strcmp(e->classes[i].name, name) == 0) {
			e->classes[i].objects++;
			e->classes[i].bytes += size;
			if (size < 131072) {
				e->classes[i].small_objects++;
				e->classes[i].small_bytes += size;
			}
			return 0;
		}
	}
	if (e->n_classes == e->cap_classes) {
		size_t nc = e->cap_classes ? e->cap_classes * 2 : 2;
		struct ref_class *c = realloc(e->classes, nc * sizeof *c);
		if (!c)
			return -1;
		e->classes = c;
		e->cap_classes = nc;
	}
	e->classes[e->n_classes].name = strdup(name);
	if (!e->classes[e->n_classes].name)
		return -1;
	e->classes[e->n_classes].objects = 1;
	e->classes[e->n_classes].bytes = size;
	e->classes[e->n_classes].small_objects = size < 131072;
	e->classes[e->n_classes].small_bytes = size < 131072 ? size : 0;
	e->n_classes++;
	return 0;
}

/* ---- the report --------------------------------------------------- */

enum col { C_KEY, C_SIZE, C_LATEST, C_MARKER, C_CLASS, C_TIER, C_LASTMOD, C_N };

struct ctx {
	struct map map;
	struct ref_result *res;
	char delim;
	int max_depth;
	int col[C_N]; /* index in the schema, or -1 */
	int ncols;
	const char *file;
	unsigned long line;
};

static int fail(const struct ctx *c, const char *what)
{
	if (c && c->file)
		fprintf(stderr, "ref: %s: line %lu: %s\n", c->file, c->line, what);
	else
		fprintf(stderr, "ref: %s\n", what);
	return -1;
}

size_t ref_url_decode(char *out, const char *in, size_t len)
{
	size_t i, o = 0;
	for (i = 0; i < len; i++) {
		int hi, lo;
		if (in[i] == '+') {
			out[o++] = ' ';
			continue;
		}
		if (in[i] == '%' && len - i >= 3) {
			char a = in[i + 1], b = in[i + 2];
			hi = (a >= '0' && a <= '9')   ? a - '0'
			     : (a >= 'a' && a <= 'f') ? a - 'a' + 10
			     : (a >= 'A' && a <= 'F') ? a - 'A' + 10
			                              : -1;
			lo = (b >= '0' && b <= '9')   ? b - '0'
			     : (b >= 'a' && b <= 'f') ? b - 'a' + 10
			     : (b >= 'A' && b <= 'F') ? b - 'A' + 10
			                              : -1;
			if (hi >= 0 && lo >= 0) {
				out[o++] = (char)(hi * 16 + lo);
				i += 2;
				continue;
			}
		}
		out[o++] = in[i];
	}
	return o;
}

/* Age slot of an ISO-8601 date ("2026-11-20T06:40:01.000Z") in a report
 * of REPORT_MS: 0..6, or 7 when the date is empty. */
static int age_slot(const char *s, int64_t report_ms)
{
	struct tm tm;
	int64_t ms, days;
	memset(&tm, 0, sizeof tm);
	if (!s[0])
		return 7;
	if (sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	ms = (int64_t)timegm(&tm) * 1000;
	if (s[19] == '.')
		ms += atoi(s + 20) / (strlen(s + 20) > 4 ? 1000 : 1); /* .sss or .ssssss (rare) */
	days = ms >= report_ms ? 0 : (report_ms - ms) / 86400000;
	if (days < 30)
		return 0;
	if (days < 90)
		return 1;
	if (days < 180)
		return 2;
	if (days < 365)
		return 3;
	if (days < 730)
		return 4;
	if (days < 1825)
		return 5;
	return 6;
}

static bool is_true(const char *s)
{
	return strcasecmp(s, "true") == 0;
}

/* Add one parsed row (FIELDS are NUL-terminated, already unquoted). */
static int add_row(struct ctx *c, char **fields, const size_t *flen)
{
	const char *kraw = fields[c->col[C_KEY]];
	size_t klen = flen[c->col[C_KEY]], i;
	char *key = malloc(klen + 1);
	uint64_t size = 0;
	bool latest = true, marker = false;
	char cls[256];
	int depth = 0, rc = 0, age = -1;
	struct ref_prefix *e;

	if (!key)
		return fail(c, "out of memory");
	klen = ref_url_decode(key, kraw, klen);
	if (c->col[C_SIZE] >= 0 && fields[c->col[C_SIZE]][0]) {
		const char *s = fields[c->col[C_SIZE]];
		for (; *s; s++) {
			if (*s < '0' || *s > '9') {
				free(key);
				return fail(c, "non-numeric Size");
			}
			size = size * 10 + (uint64_t)(*s - '0');
		}
	}
	if (c->col[C_LATEST] >= 0)
		latest = is_true(fields[c->col[C_LATEST]]);
	if (c->col[C_MARKER] >= 0)
		marker = is_true(fields[c->col[C_MARKER]]);
	cls[0] = '\0';
	if (c->col[C_CLASS] >= 0) {
		const char *sc = fields[c->col[C_CLASS]];
		const char *tier = c->col[C_TIER] >= 0 ? fields[c->col[C_TIER]] : "";
		if (!sc[0])
			sc = "STANDARD";
		if (strcmp(sc, "INTELLIGENT_TIERING") == 0 && tier[0])
			snprintf(cls, sizeof cls, "INTELLIGENT_TIERING:%s", tier);
		else
			snprintf(cls, sizeof cls, "%s", sc);
	}

	if (c->res->has_age && (age = age_slot(fields[c->col[C_LASTMOD]], c->res->report_ms)) < 0) {
		free(key);
		return fail(c, "bad LastModifiedDate");
	}

	/* every prefix: "" and each leading part ending in the delimiter */
	for (i = 0; i <= klen; i++) {
		size_t plen;
		if (i == 0) {
			plen = 0;
		} else if (key[i - 1] == c->delim) {
			plen = i;
			depth++;
		} else {
			continue;
		}
		if (c->max_depth >= 0 && depth > c->max_depth)
			break;
		e = map_get(&c->map, key, plen, depth);
		if (!e) {
			rc = fail(c, "out of memory");
			break;
		}
		if (marker) {
			e->delete_markers++;
		} else if (!latest) {
			e->nc_objects++;
			e->nc_bytes += size;
		} else {
			e->objects++;
			e->bytes += size;
			if (age >= 0) {
				e->age_objects[age]++;
				e->age_bytes[age] += size;
			}
			if (cls[0] && add_class(e, cls, size) < 0) {
				rc = fail(c, "out of memory");
				break;
			}
		}
	}
	free(key);
	return rc;
}

/* Parse a whole CSV text: RFC 4180 quotes, "" inside quotes, LF or CRLF,
 * empty lines skipped, field count checked against the schema. */
static int parse_csv(struct ctx *c, const char *buf, size_t n)
{
	char **fields = calloc((size_t)c->ncols, sizeof *fields);
	size_t *flen = calloc((size_t)c->ncols, sizeof *flen);
	char *cur = malloc(n + 1);
	size_t i = 0, clen;
	int nf, rc = 0;

	if (!fields || !flen || !cur) {
		rc = fail(c, "out of memory");
		goto out;
	}
	c->line = 0;
	while (i < n) {
		/* one record */
		char *w = cur;
		c->line++;
		if (buf[i] == '\n' || (buf[i] == '\r' && i + 1 < n && buf[i + 1] == '\n')) {
			i += buf[i] == '\r' ? 2 : 1;
			continue;
		}
		nf = 0;
		for (;;) {
			char *start = w;
			if (i < n && buf[i] == '"') {
				i++;
				for (;;) {
					if (i >= n) {
						rc = fail(c, "unterminated quote");
						goto out;
					}
					if (buf[i] == '"') {
						if (i + 1 < n && buf[i + 1] == '"') {
							*w++ = '"';
							i += 2;
							continue;
						}
						i++;
						break;
					}
					*w++ = buf[i++];
				}
			} else {
				while (i < n && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
					*w++ = buf[i++];
			}
			clen = (size_t)(w - start);
			*w++ = '\0';
			if (nf < c->ncols) {
				fields[nf] = start;
				flen[nf] = clen;
			}
			nf++;
			if (i < n && buf[i] == ',') {
				i++;
				continue;
			}
			if (i < n && buf[i] == '\r')
				i++;
			if (i < n && buf[i] != '\n') {
				rc = fail(c, "garbage after a quoted field");
				goto out;
			}
			i++; /* the newline (or the end) */
			break;
		}
		if (nf != c->ncols) {
			rc = fail(c, "wrong number of fields");
			goto out;
		}
		c->res->rows++;
		if (add_row(c, fields, flen) < 0) {
			rc = -1;
			goto out;
		}
	}
out:
	free(cur);
	free(flen);
	free(fields);
	return rc;
}

static int read_file(struct ctx *c, const char *path)
{
	gzFile g = gzopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int r, rc = 0;

	c->file = path;
	c->line = 0;
	if (!g)
		return fail(c, "cannot open");
	for (;;) {
		if (cap - n < 65536) {
			size_t nc = cap ? cap * 2 : 1 << 20;
			char *nb = realloc(buf, nc);
			if (!nb) {
				rc = fail(c, "out of memory");
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		r = gzread(g, buf + n, 65536);
		if (r < 0) {
			rc = fail(c, "gzip read error");
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	{
		int errnum = 0;
		gzerror(g, &errnum);
		if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
			rc = fail(c, "gzip error");
			goto out;
		}
		if (errnum == Z_BUF_ERROR) {
			rc = fail(c, "truncated gzip");
			goto out;
		}
	}
	rc = parse_csv(c, buf, n);
out:
	gzclose(g);
	free(buf);
	c->file = NULL;
	return rc;
}

static int schema(struct ctx *c, const char *s)
{
	static const char *const names[C_N] = {"Key",          "Size",
	                                       "IsLatest",     "IsDeleteMarker",
	                                       "StorageClass", "IntelligentTieringAccessTier",
	                                       "LastModifiedDate"};
	int k;
	for (k = 0; k < C_N; k++)
		c->col[k] = -1;
	c->ncols = 0;
	while (*s) {
		const char *b, *e;
		while (*s == ' ')
			s++;
		b = s;
		while (*s && *s != ',')
			s++;
		e = s;
		while (e > b && e[-1] == ' ')
			e--;
		for (k = 0; k < C_N; k++)
			if (strlen(names[k]) == (size_t)(e - b) &&
			    strncmp(names[k], b, (size_t)(e - b)) == 0)
				c->col[k] = c->ncols;
		c->ncols++;
		if (*s == ',')
			s++;
	}
	if (c->col[C_KEY] < 0)
		return fail(NULL, "fileSchema has no Key");
	c->res->has_size = c->col[C_SIZE] >= 0;
	c->res->has_versions = c->col[C_LATEST] >= 0 || c->col[C_MARKER] >= 0;
	c->res->has_class = c->col[C_CLASS] >= 0;
	return 0;
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct ref_prefix *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->prefix, y->prefix, n);
	if (r)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int cmp_class(const void *a, const void *b)
{
	return strcmp(((const struct ref_class *)a)->name, ((const struct ref_class *)b)->name);
}

int ref_compute(struct ref_result **out, const char *manifest_path, char delim, int max_depth)
{
	struct ctx c;
	json_t *root = NULL, *files, *v;
	json_error_t jerr;
	char *dir = NULL, *slash;
	size_t i;
	int rc = 0;

	*out = NULL;
	memset(&c, 0, sizeof c);
	c.delim = delim;
	c.max_depth = max_depth;
	c.res = calloc(1, sizeof *c.res);
	dir = strdup(manifest_path);
	if (!c.res || !dir) {
		rc = fail(NULL, "out of memory");
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	root = json_load_file(manifest_path, 0, &jerr);
	if (!root) {
		fprintf(stderr, "ref: %s: %s\n", manifest_path, jerr.text);
		rc = -1;
		goto out;
	}
	v = json_object_get(root, "fileFormat");
	if (!json_is_string(v) || strcasecmp(json_string_value(v), "CSV") != 0) {
		rc = fail(NULL, "manifest: fileFormat is not CSV");
		goto out;
	}
	v = json_object_get(root, "fileSchema");
	if (!json_is_string(v)) {
		rc = fail(NULL, "manifest: no fileSchema");
		goto out;
	}
	if (schema(&c, json_string_value(v)) < 0) {
		rc = -1;
		goto out;
	}
	v = json_object_get(root, "creationTimestamp");
	if (json_is_string(v))
		c.res->report_ms = strtoll(json_string_value(v), NULL, 10);
	c.res->has_age = c.col[C_LASTMOD] >= 0 && c.res->report_ms > 0;
	if (!map_get(&c.map, "", 0, 0)) { /* the root exists even when empty */
		rc = fail(NULL, "out of memory");
		goto out;
	}
	files = json_object_get(root, "files");
	if (!json_is_array(files)) {
		rc = fail(NULL, "manifest: no files array");
		goto out;
	}
	for (i = 0; i < json_array_size(files); i++) {
		const char *key =
		    json_string_value(json_object_get(json_array_get(files, i), "key"));
		const char *base;
		char *path;
		size_t plen;
		FILE *probe;
		if (!key) {
			rc = fail(NULL, "manifest: a file without key");
			goto out;
		}
		base = strrchr(key, '/');
		base = base ? base + 1 : key;
		plen = strlen(dir) + strlen(key) + 8;
		path = malloc(plen);
		if (!path) {
			rc = fail(NULL, "out of memory");
			goto out;
		}
		snprintf(path, plen, "%sdata/%s", dir, base);
		probe = fopen(path, "rb");
		if (probe)
			fclose(probe);
		else
			snprintf(path, plen, "%s%s", dir, key);
		rc = read_file(&c, path);
		free(path);
		if (rc < 0)
			goto out;
	}
	qsort(c.map.v, c.map.n, sizeof *c.map.v, cmp_prefix);
	for (i = 0; i < c.map.n; i++)
		if (c.map.v[i].n_classes > 1)
			qsort(c.map.v[i].classes, c.map.v[i].n_classes, sizeof(struct ref_class),
			      cmp_class);
	c.res->p = c.map.v;
	c.res->n = c.map.n;
	c.map.v = NULL;
	*out = c.res;
	c.res = NULL;
out:
	if (c.res) {
		c.res->p = c.map.v;
		c.res->n = c.map.n;
		ref_free(c.res);
	}
	free(c.map.slots);
	json_decref(root);
	free(dir);
	return rc;
}

const struct ref_prefix *ref_find(const struct ref_result *res, const char *prefix, size_t len)
{
	size_t lo = 0, hi = res ? res->n : 0;
	struct ref_prefix key;
	key.prefix = (char *)prefix;
	key.len = len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cmp_prefix(&res->p[mid], &key);
		if (r == 0)
			return &res->p[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ref_class *ref_class_find(const struct ref_prefix *p, const char *name)
{
	size_t i;
	for (i = 0; p && i < p->n_classes; i++)
		if (strcmp(p->classes[i].name, name) == 0)
			return &p->classes[i];
	return NULL;
}

void ref_free(struct ref_result *res)
{
	size_t i, j;
	if (!res)
		return;
	for (i = 0; i < res->n; i++) {
		for (j = 0; j < res->p[i].n_classes; j++)
			free(res->p[i].classes[j].name);
		free(res->p[i].classes);
		free(res->p[i].prefix);
	}
	free(res->p);
	free(res);
}
