/* SPDX-License-Identifier: MIT */
/*
 * test_build.c — the whole pipeline against the independent reference.
 *
 * Generated reports (each shape, hostile keys, versions) are built through
 * the public API in several configurations — 1 and 2 threads, a budget
 * large enough to need no run file and one so small that the build spills
 * many runs and merges them in more than one pass, another delimiter,
 * --max-depth — and every prefix of the reference (tests/ref, which shares
 * no code with the library) must be found in the index with identical
 * statistics and classes, and the index must hold no other prefix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ref.h"
#include "s3inv.h"

static char tmp[1024];

static const char *scratch(void)
{
	const char *t = getenv("S3INV_TMP");
	snprintf(tmp, sizeof tmp, "%s/test_build", t ? t : "/tmp");
	mkdir(t ? t : "/tmp", 0755);
	mkdir(tmp, 0755);
	return tmp;
}

static void gen(const char *dir, s3inv_shape shape, uint64_t rows, bool versions, uint64_t seed)
{
	s3inv_gen_options g = S3INV_GEN_OPTIONS_INIT;
	s3inv_error err = {0};
	char manifest[1200];
	snprintf(manifest, sizeof manifest, "%s/manifest.json", dir);
	if (access(manifest, R_OK) == 0)
		return;
	g.objects = rows;
	g.shape = shape;
	g.versions = versions;
	g.seed = seed;
	g.files = 5;
	if (s3inv_gen_run(dir, &g, &err) != 0)
		fail_msg("gen %s: %s", dir, err.msg);
}

static void compare(const char *index, const char *manifest, char delim, int max_depth)
{
	struct ref_result *ref = NULL;
	s3inv_index *x = NULL;
	s3inv_index_info info;
	s3inv_error err = {0};
	size_t i;

	assert_int_equal(ref_compute(&ref, manifest, delim, max_depth), 0);
	if (s3inv_index_open(&x, index, S3INV_OPEN_VERIFY, &err) != 0)
		fail_msg("open: %s", err.msg);
	s3inv_index_info_get(x, &info);
	assert_int_equal(info.prefixes, ref->n);
	assert_int_equal(info.rows, ref->rows);
	assert_int_equal(info.has_versions, ref->has_versions);
	assert_int_equal(info.has_age, ref->has_age);
	assert_int_equal(info.has_small, ref->has_size);
	for (i = 0; i < ref->n; i++) {
		const struct ref_prefix *r = &ref->p[i];
		uint64_t pos;
		s3inv_stats st;
		s3inv_class_stats cs[64];
		int nc, k;
		if (s3inv_index_lookup(x, r->prefix, r->len, &pos) != 0)
			fail_msg("prefix '%s' (#%zu) missing from the index", r->prefix, i);
		assert_int_equal(pos, i); /* same byte order */
		assert_int_equal(s3inv_index_stats(x, pos, &st), 0);
		if (st.objects != r->objects || st.bytes != r->bytes || st.nc_objects != r->nc_objects ||
		    st.nc_bytes != r->nc_bytes || st.delete_markers != r->delete_markers ||
		    (int)st.depth != r->depth)
			fail_msg("prefix '%s': index %llu/%llu nc %llu/%llu dm %llu d%u, reference "
			         "%llu/%llu nc %llu/%llu dm %llu d%d",
			         r->prefix, (unsigned long long)st.objects, (unsigned long long)st.bytes,
			         (unsigned long long)st.nc_objects, (unsigned long long)st.nc_bytes,
			         (unsigned long long)st.delete_markers, st.depth,
			         (unsigned long long)r->objects, (unsigned long long)r->bytes,
			         (unsigned long long)r->nc_objects, (unsigned long long)r->nc_bytes,
			         (unsigned long long)r->delete_markers, r->depth);
		nc = s3inv_index_class_stats(x, pos, cs, 64);
		size_t want = 0;
		for (size_t j = 0; j < r->n_classes; j++)
			want += r->classes[j].objects > 0;
		if ((size_t)nc != want)
			fail_msg("prefix '%s': %d classes, reference %zu", r->prefix, nc, want);
		for (k = 0; k < nc; k++) {
			const struct ref_class *rc = ref_class_find(r, cs[k].name);
			if (!rc || rc->objects != cs[k].objects || rc->bytes != cs[k].bytes)
				fail_msg("prefix '%s' class %s: index %llu/%llu, reference %llu/%llu", r->prefix,
				         cs[k].name, (unsigned long long)cs[k].objects,
				         (unsigned long long)cs[k].bytes,
				         rc ? (unsigned long long)rc->objects : 0ULL,
				         rc ? (unsigned long long)rc->bytes : 0ULL);
			if (info.has_small && (rc->small_objects != cs[k].small_objects ||
			                       rc->small_bytes != cs[k].small_bytes))
				fail_msg("prefix '%s' class %s: small %llu/%llu, reference %llu/%llu",
				         r->prefix, cs[k].name, (unsigned long long)cs[k].small_objects,
				         (unsigned long long)cs[k].small_bytes,
				         (unsigned long long)rc->small_objects,
				         (unsigned long long)rc->small_bytes);
		}
		if (info.has_age) {
			s3inv_age age;
			assert_int_equal(s3inv_index_age(x, pos, &age), 0);
			for (k = 0; k < S3INV_AGE_BUCKETS; k++)
				if (age.objects[k] != r->age_objects[k] || age.bytes[k] != r->age_bytes[k])
					fail_msg("prefix '%s' age bucket %s: index %llu/%llu, reference %llu/%llu",
					         r->prefix, s3inv_age_bucket_label((unsigned)k),
					         (unsigned long long)age.objects[k],
					         (unsigned long long)age.bytes[k],
					         (unsigned long long)r->age_objects[k],
					         (unsigned long long)r->age_bytes[k]);
		} else {
			s3inv_age age;
			assert_int_equal(s3inv_index_age(x, pos, &age), S3INV_ENOTFOUND);
		}
	}
	s3inv_index_close(x);
	ref_free(ref);
	if (s3inv_index_verify(index, &err) != 0)
		fail_msg("verify: %s", err.msg);
}

static void build_and_compare(const char *report, unsigned threads, uint64_t budget, char delim,
                              int max_depth, s3inv_build_summary *sum)
{
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3inv_error err = {0};
	char index[1200], manifest[1200];
	o.threads = threads;
	o.mem_budget = budget;
	o.delimiter = delim;
	o.max_depth = max_depth;
	snprintf(index, sizeof index, "%s.t%u.s3i", report, threads);
	snprintf(manifest, sizeof manifest, "%s/manifest.json", report);
	if (s3inv_build_run(sum, report, index, &o, &err) != 0)
		fail_msg("build %s: %s", report, err.msg);
	compare(index, manifest, delim, max_depth);
	unlink(index);
}

static void test_build__shapes_threads_budgets(void **state)
{
	(void)state;
	static const struct {
		s3inv_shape shape;
		const char *name;
	} shapes[] = {{S3INV_SHAPE_MIXED, "mixed"}, {S3INV_SHAPE_LOGS, "logs"}, {S3INV_SHAPE_MEDIA, "media"}};
	char dir[1200];
	for (size_t s = 0; s < 3; s++) {
		snprintf(dir, sizeof dir, "%s/%s", scratch(), shapes[s].name);
		gen(dir, shapes[s].shape, 30000, true, 11 + s);
		for (unsigned t = 1; t <= 2; t++) {
			s3inv_build_summary sum;
			build_and_compare(dir, t, 1ULL << 30, '/', -1, &sum);
			assert_int_equal(sum.runs, 0); /* everything fit: no run file */
			assert_int_equal(sum.rows, 30000);
		}
	}
}

static void test_build__tiny_budget_spills_and_merges(void **state)
{
	(void)state;
	char dir[1200];
	snprintf(dir, sizeof dir, "%s/mixed-150k", scratch());
	gen(dir, S3INV_SHAPE_MIXED, 150000, true, 21);
	unsigned passes = 0;
	for (unsigned t = 1; t <= 2; t++) {
		s3inv_build_summary sum;
		build_and_compare(dir, t, 4u << 20, '/', -1, &sum);
		passes += sum.merge_passes;
		print_message("tiny budget, %u thread(s): %llu runs, %u merge passes, peak reserved %llu\n", t,
		              (unsigned long long)sum.runs, sum.merge_passes,
		              (unsigned long long)sum.peak_reserved);
		assert_true(sum.runs > 2);
	}
	assert_true(passes > 0); /* more runs than the fan-in: intermediate passes */
}

static void test_build__delimiter_and_max_depth(void **state)
{
	(void)state;
	char dir[1200];
	s3inv_build_summary sum;
	snprintf(dir, sizeof dir, "%s/logs", scratch());
	gen(dir, S3INV_SHAPE_LOGS, 30000, true, 12);
	build_and_compare(dir, 2, 1ULL << 30, '-', -1, &sum);
	build_and_compare(dir, 2, 1ULL << 30, '/', 2, &sum);
	build_and_compare(dir, 1, 1ULL << 30, '/', 0, &sum);
}

static void test_build__no_versions(void **state)
{
	(void)state;
	char dir[1200];
	s3inv_build_summary sum;
	snprintf(dir, sizeof dir, "%s/plain", scratch());
	gen(dir, S3INV_SHAPE_MIXED, 10000, false, 13);
	build_and_compare(dir, 2, 1ULL << 30, '/', -1, &sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build__shapes_threads_budgets),
	    cmocka_unit_test(test_build__tiny_budget_spills_and_merges),
	    cmocka_unit_test(test_build__delimiter_and_max_depth),
	    cmocka_unit_test(test_build__no_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
