/* SPDX-License-Identifier: MIT */
/*
 * cost.c — estimated monthly storage cost of a prefix from a price table:
 * the built-in, dated us-east-1 table or one loaded from JSON
 * (s3inv_prices_*), applied to the per-class statistics of the index
 * (s3inv_cost_prefix). docs/cost.md lists every assumption.
 *
 * Per class key (a StorageClass, or INTELLIGENT_TIERING:<tier>; a key not
 * in the table falls back to the part before ':'): bytes x price per
 * GB-month (GB = 2^30 bytes, as AWS bills). GLACIER and DEEP_ARCHIVE add
 * their per-object metadata: 32 KiB at the class's rate and 8 KiB at
 * STANDARD's. The minimum billable size (128 KiB for STANDARD_IA,
 * ONEZONE_IA, GLACIER_IR) and the Intelligent-Tiering monitoring fee (per
 * object of at least 128 KiB) use the per-class counts of objects below
 * 128 KiB that the build stores (small_objects/small_bytes): an object of
 * s bytes < 128 KiB is billed 128 KiB, so a class adds small_objects x
 * 128 KiB - small_bytes at its rate. Without those counts (a report without
 * Size) both parts are 0 and min_size_known is false, so callers can say
 * the figure is a lower bound; likewise when a price file sets a minimum or
 * monitoring threshold other than 128 KiB, which the counts cannot answer.
 * A class without a price is counted in unpriced_*, not in total.
 */
#include <jansson.h>
#include <string.h>

#include "index/reader.h"
#include "util/alloc.h"
#include "util/err.h"

#define MAX_PRICES 64
#define GIB 1073741824.0

struct price {
	char key[96];
	double gb_month;
	uint64_t min_bytes;  /* minimum billable object size, 0 = none */
	bool archive;        /* per-object archive metadata overhead */
};

struct s3inv_prices {
	char date[32], region[32];
	struct price p[MAX_PRICES];
	size_t n;
	double it_monitor_per_1000;   /* USD per 1,000 monitored objects per month */
	uint64_t it_monitor_min_bytes;/* objects below are not monitored */
	uint64_t archive_bytes, archive_standard_bytes;
};

/* us-east-1, USD per GB-month, first pricing tier (docs/cost.md). */
static const struct price builtin[] = {
    {"STANDARD", 0.023, 0, false},
    {"REDUCED_REDUNDANCY", 0.024, 0, false},
    {"STANDARD_IA", 0.0125, 131072, false},
    {"ONEZONE_IA", 0.01, 131072, false},
    {"GLACIER_IR", 0.004, 131072, false},
    {"GLACIER", 0.0036, 0, true},
    {"DEEP_ARCHIVE", 0.00099, 0, true},
    {"EXPRESS_ONEZONE", 0.11, 0, false},
    {"INTELLIGENT_TIERING", 0.023, 0, false},
    {"INTELLIGENT_TIERING:FREQUENT_ACCESS", 0.023, 0, false},
    {"INTELLIGENT_TIERING:INFREQUENT_ACCESS", 0.0125, 0, false},
    {"INTELLIGENT_TIERING:ARCHIVE_INSTANT_ACCESS", 0.004, 0, false},
    {"INTELLIGENT_TIERING:ARCHIVE_ACCESS", 0.0036, 0, false},
    {"INTELLIGENT_TIERING:DEEP_ARCHIVE_ACCESS", 0.00099, 0, false},
};
#define BUILTIN_DATE "2025-06-01"

static void set_builtin(struct s3inv_prices *p)
{
	memset(p, 0, sizeof *p);
	strcpy(p->date, BUILTIN_DATE);
	strcpy(p->region, "us-east-1");
	p->n = sizeof builtin / sizeof builtin[0];
	memcpy(p->p, builtin, sizeof builtin);
	p->it_monitor_per_1000 = 0.0025;
	p->it_monitor_min_bytes = 131072;
	p->archive_bytes = 32768;
	p->archive_standard_bytes = 8192;
}

int s3inv_prices_builtin(s3inv_prices **out, s3inv_error *err)
{
	*out = s3i_malloc(sizeof **out);
	if (!*out)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	set_builtin(*out);
	return 0;
}

void s3inv_prices_free(s3inv_prices *p)
{
	s3i_free(p);
}

const char *s3inv_prices_date(const s3inv_prices *p)
{
	return p->date;
}

const char *s3inv_prices_region(const s3inv_prices *p)
{
	return p->region;
}

static struct price *find(struct s3inv_prices *p, const char *key, size_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->p[i].key) == len && memcmp(p->p[i].key, key, len) == 0)
			return &p->p[i];
	return NULL;
}

static int bad(s3inv_error *err, const char *path, const char *what)
{
	return s3i_err_set(err, S3INV_EFORMAT, "%s: %s", path, what);
}

static int load_json(struct s3inv_prices *p, json_t *root, const char *path, s3inv_error *err)
{
	json_t *v, *st;
	const char *k;
	if (!json_is_object(root))
		return bad(err, path, "not a JSON object");
	if ((v = json_object_get(root, "date")) && json_is_string(v))
		snprintf(p->date, sizeof p->date, "%s", json_string_value(v));
	if ((v = json_object_get(root, "region")) && json_is_string(v))
		snprintf(p->region, sizeof p->region, "%s", json_string_value(v));
	st = json_object_get(root, "storage_gb_month");
	if (!json_is_object(st))
		return bad(err, path, "\"storage_gb_month\" must be an object of class: USD per GB-month");
	json_object_foreach(st, k, v) {
		struct price *e;
		size_t len = strlen(k);
		if (!json_is_number(v) || json_number_value(v) < 0)
			return s3i_err_set(err, S3INV_EFORMAT, "%s: storage_gb_month.%s: not a price >= 0",
			                   path, k);
		if (len == 0 || len >= sizeof p->p[0].key)
			return bad(err, path, "storage_gb_month: bad class name");
		e = find(p, k, len);
		if (!e) {
			if (p->n == MAX_PRICES)
				return bad(err, path, "storage_gb_month: too many classes");
			e = &p->p[p->n++];
			memset(e, 0, sizeof *e);
			memcpy(e->key, k, len + 1);
		}
		e->gb_month = json_number_value(v);
	}
	if ((v = json_object_get(root, "min_billable_bytes"))) {
		if (!json_is_object(v))
			return bad(err, path, "\"min_billable_bytes\" must be an object");
		json_t *m;
		json_object_foreach(v, k, m) {
			struct price *e = find(p, k, strlen(k));
			if (!json_is_integer(m) || json_integer_value(m) < 0)
				return bad(err, path, "min_billable_bytes: not an integer >= 0");
			if (e)
				e->min_bytes = (uint64_t)json_integer_value(m);
		}
	}
	if ((v = json_object_get(root, "intelligent_tiering_monitoring_per_1000")) &&
	    json_is_number(v))
		p->it_monitor_per_1000 = json_number_value(v);
	if ((v = json_object_get(root, "archive_overhead_bytes")) && json_is_integer(v))
		p->archive_bytes = (uint64_t)json_integer_value(v);
	if ((v = json_object_get(root, "archive_overhead_standard_bytes")) && json_is_integer(v))
		p->archive_standard_bytes = (uint64_t)json_integer_value(v);
	return 0;
}

int s3inv_prices_load(s3inv_prices **out, const char *path, s3inv_error *err)
{
	json_error_t je;
	json_t *root;
	int rc;
	*out = NULL;
	root = json_load_file(path, 0, &je);
	if (!root) {
		if (je.line < 1)
			return s3i_err_set(err, S3INV_EIO, "%s: %s", path, je.text);
		return s3i_err_set(err, S3INV_EFORMAT, "%s: line %d: %s", path, je.line, je.text);
	}
	if ((rc = s3inv_prices_builtin(out, err)) == 0)
		rc = load_json(*out, root, path, err);
	json_decref(root);
	if (rc < 0) {
		s3inv_prices_free(*out);
		*out = NULL;
	}
	return rc;
}

/* The price of class KEY: exact, else the part before ':'. */
static const struct price *lookup(const struct s3inv_prices *p, const char *key)
{
	const char *colon = strchr(key, ':');
	const struct price *e = find((struct s3inv_prices *)p, key, strlen(key));
	if (!e && colon)
		e = find((struct s3inv_prices *)p, key, (size_t)(colon - key));
	return e;
}

int s3inv_cost_prefix(s3inv_cost *out, const s3inv_index *x, uint64_t pos,
                      const s3inv_prices *p, s3inv_error *err)
{
	const struct price *std = lookup(p, "STANDARD");
	bool small = x->info.has_small;
	s3inv_class_stats cs[S3I_INDEX_MAX_CLASSES];
	int nc;
	memset(out, 0, sizeof *out);
	if (pos >= x->n)
		return s3i_err_set(err, S3INV_EINVAL, "cost: position out of range");
	nc = s3inv_index_class_stats(x, pos, cs, S3I_INDEX_MAX_CLASSES);
	if (nc < 0 || nc > S3I_INDEX_MAX_CLASSES)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged class columns", x->path);
	for (int i = 0; i < nc; i++) {
		uint32_t id = cs[i].class_id;
		uint64_t objects = cs[i].objects, bytes = cs[i].bytes;
		const struct price *e;
		e = lookup(p, x->class_names[id]);
		if (!e) {
			out->unpriced_objects += objects;
			out->unpriced_bytes += bytes;
			continue;
		}
		out->storage += (double)bytes / GIB * e->gb_month;
		if (small) {
			uint64_t so = cs[i].small_objects, sb = cs[i].small_bytes;
			if (so > objects || sb > bytes || sb > so * (uint64_t)S3INV_SMALL_OBJECT)
				return s3i_err_set(err, S3INV_ECORRUPT, "%s: damaged small-object columns",
				                   x->path);
			if (e->min_bytes == S3INV_SMALL_OBJECT)
				out->min_size += (double)(so * (uint64_t)S3INV_SMALL_OBJECT - sb) / GIB *
				                 e->gb_month;
			else if (e->min_bytes)
				small = false; /* a minimum the counts cannot answer */
			if (strncmp(x->class_names[id], "INTELLIGENT_TIERING", 19) == 0) {
				if (p->it_monitor_min_bytes == S3INV_SMALL_OBJECT)
					out->monitoring += (double)(objects - so) / 1000.0 * p->it_monitor_per_1000;
				else
					small = false;
			}
		}
		if (e->archive)
			out->archive_overhead +=
			    (double)objects * ((double)p->archive_bytes / GIB * e->gb_month +
			                       (double)p->archive_standard_bytes / GIB *
			                           (std ? std->gb_month : 0));
	}
	out->min_size_known = small;
	if (!small)
		out->min_size = out->monitoring = 0;
	out->total = out->storage + out->archive_overhead + out->min_size + out->monitoring;
	return 0;
}
