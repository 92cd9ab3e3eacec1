/* SPDX-License-Identifier: MIT */
/*
 * test_cost.c — s3inv_cost_prefix and the price tables.
 *
 * The expected cost of every prefix of a generated report is computed from
 * the independent reference's per-class objects and bytes with the prices
 * written out again here (the documented table of docs/cost.md, not the
 * library's array), so a wrong price, a wrong class fallback or a wrong
 * overhead formula fails. Loading: overrides and added classes, syntax
 * errors with their line, bad values, a missing file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ref.h"
#include "s3inv.h"

static char dir[1024], idxpath[1100], manifest[1100];

static void setup_report(void)
{
	const char *t = getenv("S3INV_TMP");
	s3inv_gen_options g = S3INV_GEN_OPTIONS_INIT;
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3inv_error err = {0};
	mkdir(t ? t : "/tmp", 0755);
	snprintf(dir, sizeof dir, "%s/test_cost", t ? t : "/tmp");
	snprintf(idxpath, sizeof idxpath, "%s.s3i", dir);
	snprintf(manifest, sizeof manifest, "%s/manifest.json", dir);
	if (access(manifest, R_OK) != 0) {
		g.objects = 4000;
		g.seed = 9;
		g.files = 1;
		if (s3inv_gen_run(dir, &g, &err) != 0)
			fail_msg("gen: %s", err.msg);
	}
	o.threads = 1;
	if (s3inv_build_run(NULL, dir, idxpath, &o, &err) != 0)
		fail_msg("build: %s", err.msg);
}

/* docs/cost.md, us-east-1, USD per GB-month */
static double doc_price(const char *cls, bool *archive)
{
	static const struct {
		const char *k;
		double p;
	} t[] = {{"STANDARD", 0.023},
	         {"REDUCED_REDUNDANCY", 0.024},
	         {"STANDARD_IA", 0.0125},
	         {"ONEZONE_IA", 0.01},
	         {"GLACIER_IR", 0.004},
	         {"GLACIER", 0.0036},
	         {"DEEP_ARCHIVE", 0.00099},
	         {"EXPRESS_ONEZONE", 0.11},
	         {"INTELLIGENT_TIERING", 0.023},
	         {"INTELLIGENT_TIERING:FREQUENT_ACCESS", 0.023},
	         {"INTELLIGENT_TIERING:INFREQUENT_ACCESS", 0.0125},
	         {"INTELLIGENT_TIERING:ARCHIVE_INSTANT_ACCESS", 0.004},
	         {"INTELLIGENT_TIERING:ARCHIVE_ACCESS", 0.0036},
	         {"INTELLIGENT_TIERING:DEEP_ARCHIVE_ACCESS", 0.00099}};
	*archive = strcmp(cls, "GLACIER") == 0 || strcmp(cls, "DEEP_ARCHIVE") == 0;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].k, cls) == 0)
			return t[i].p;
	return -1;
}

static void close_to(double a, double b, const char *what)
{
	if (fabs(a - b) > 1e-9 * (fabs(b) + 1e-6))
		fail_msg("%s: library %.12g, expected %.12g", what, a, b);
}

static void test_cost__every_prefix_vs_reference(void **state)
{
	struct ref_result *ref = NULL;
	s3inv_index *x = NULL;
	s3inv_prices *p = NULL;
	s3inv_error err = {0};
	const double gib = 1073741824.0;
	size_t archived = 0;
	(void)state;
	setup_report();
	assert_int_equal(ref_compute(&ref, manifest, '/', -1), 0);
	assert_int_equal(s3inv_index_open(&x, idxpath, S3INV_OPEN_VERIFY, &err), 0);
	assert_int_equal(s3inv_prices_builtin(&p, &err), 0);
	assert_string_equal(s3inv_prices_region(p), "us-east-1");
	assert_string_equal(s3inv_prices_date(p), "2025-06-01");
	for (size_t i = 0; i < ref->n; i++) {
		const struct ref_prefix *r = &ref->p[i];
		double storage = 0, overhead = 0, minsize = 0, monitor = 0;
		uint64_t pos;
		s3inv_cost c;
		for (size_t k = 0; k < r->n_classes; k++) {
			bool arch;
			double pr = doc_price(r->classes[k].name, &arch);
			assert_true(pr >= 0);
			storage += (double)r->classes[k].bytes / gib * pr;
			/* 128 KiB minimum billable size (docs/cost.md) and the
			 * Intelligent-Tiering monitoring fee, $0.0025 per 1,000
			 * objects of at least 128 KiB */
			if (!strcmp(r->classes[k].name, "STANDARD_IA") ||
			    !strcmp(r->classes[k].name, "ONEZONE_IA") ||
			    !strcmp(r->classes[k].name, "GLACIER_IR"))
				minsize += ((double)r->classes[k].small_objects * 131072.0 -
				            (double)r->classes[k].small_bytes) / gib * pr;
			if (!strncmp(r->classes[k].name, "INTELLIGENT_TIERING", 19))
				monitor += (double)(r->classes[k].objects - r->classes[k].small_objects) /
				           1000.0 * 0.0025;
			if (arch) {
				overhead += (double)r->classes[k].objects *
				            (32768.0 / gib * pr + 8192.0 / gib * 0.023);
				archived += r->classes[k].objects;
			}
		}
		assert_int_equal(s3inv_index_lookup(x, r->prefix, r->len, &pos), 0);
		assert_int_equal(s3inv_cost_prefix(&c, x, pos, p, &err), 0);
		close_to(c.storage, storage, r->prefix);
		close_to(c.archive_overhead, overhead, r->prefix);
		close_to(c.min_size, minsize, r->prefix);
		close_to(c.monitoring, monitor, r->prefix);
		close_to(c.total, storage + overhead + minsize + monitor, r->prefix);
		assert_true(c.min_size_known);
		assert_int_equal(c.unpriced_bytes, 0);
	}
	assert_true(archived > 0);
	assert_int_equal(s3inv_cost_prefix(&(s3inv_cost){0}, x, UINT64_MAX, p, &err), S3INV_EINVAL);
	s3inv_prices_free(p);
	s3inv_index_close(x);
	ref_free(ref);
}

static const char *write_file(const char *name, const char *text)
{
	static char path[1200];
	FILE *f;
	snprintf(path, sizeof path, "%s.%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_cost__load_prices(void **state)
{
	s3inv_prices *p = NULL;
	s3inv_index *x = NULL;
	s3inv_error err = {0};
	uint64_t pos = 0;
	s3inv_cost c1, c2;
	(void)state;
	setup_report();
	assert_int_equal(s3inv_index_open(&x, idxpath, 0, &err), 0);
	/* STANDARD at 1 $/GB-month, everything else unchanged */
	assert_int_equal(s3inv_prices_load(&p, write_file("p1.json",
	                 "{\"date\":\"2030-01-01\",\"region\":\"eu-west-9\","
	                 "\"storage_gb_month\":{\"STANDARD\":1.0,\"NEW_CLASS\":2}}"), &err), 0);
	assert_string_equal(s3inv_prices_date(p), "2030-01-01");
	assert_string_equal(s3inv_prices_region(p), "eu-west-9");
	assert_int_equal(s3inv_cost_prefix(&c1, x, pos, p, &err), 0);
	s3inv_prices_free(p);
	assert_int_equal(s3inv_prices_builtin(&p, &err), 0);
	assert_int_equal(s3inv_cost_prefix(&c2, x, pos, p, &err), 0);
	s3inv_prices_free(p);
	{
		s3inv_class_stats cs[64];
		int n = s3inv_index_class_stats(x, pos, cs, 64);
		double std_bytes = 0, std_objs_overhead = 0;
		for (int k = 0; k < n; k++) {
			if (strcmp(cs[k].name, "STANDARD") == 0)
				std_bytes = (double)cs[k].bytes;
			if (strcmp(cs[k].name, "GLACIER") == 0 || strcmp(cs[k].name, "DEEP_ARCHIVE") == 0)
				std_objs_overhead += (double)cs[k].objects * 8192.0;
		}
		/* the STANDARD part (bytes, and the 8 KiB per archived object) moved from 0.023 to 1 */
		close_to(c1.total - c2.total, (std_bytes + std_objs_overhead) / 1073741824.0 * (1.0 - 0.023),
		         "override");
	}
	/* errors */
	memset(&err, 0, sizeof err);
	assert_int_equal(s3inv_prices_load(&p, write_file("p2.json", "{\n\"storage_gb_month\": {\n"), &err),
	                 S3INV_EFORMAT);
	assert_null(p);
	assert_true(strstr(err.msg, "line") != NULL);
	memset(&err, 0, sizeof err);
	assert_int_equal(s3inv_prices_load(&p, write_file("p3.json", "{\"storage_gb_month\":{\"STANDARD\":-1}}"), &err),
	                 S3INV_EFORMAT);
	assert_true(strstr(err.msg, "STANDARD") != NULL);
	memset(&err, 0, sizeof err);
	assert_int_equal(s3inv_prices_load(&p, write_file("p4.json", "[1,2]"), &err), S3INV_EFORMAT);
	memset(&err, 0, sizeof err);
	assert_int_equal(s3inv_prices_load(&p, write_file("p5.json", "{\"prices\":{}}"), &err), S3INV_EFORMAT);
	memset(&err, 0, sizeof err);
	assert_int_equal(s3inv_prices_load(&p, "/nonexistent/prices.json", &err), S3INV_EIO);
	s3inv_prices_free(NULL);
	s3inv_index_close(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cost__every_prefix_vs_reference),
	    cmocka_unit_test(test_cost__load_prices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
