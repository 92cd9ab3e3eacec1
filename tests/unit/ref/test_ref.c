/* SPDX-License-Identifier: MIT */
/*
 * test_ref.c — the slow reference (tests/ref) on tiny hand-written
 * reports whose every answer was computed by hand.
 *
 * The reference is what every other aggregation test trusts, so it gets
 * its own hand-checked cases: versions and delete markers, folder markers,
 * "//", URL-decoding ('+', %2B, lower-case hex, a malformed '%'), quoted
 * '"' and ',', case-insensitive booleans, empty and Intelligent-Tiering
 * classes, a multi-member gzip file next to a plain one, empty and CRLF
 * lines, --max-depth, another delimiter, a schema without Size / versions
 * / StorageClass, and malformed inputs.
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
#include <zlib.h>

#include "ref.h"

static char g_tmp[512];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* Append TEXT as one more gzip member. */
static void gz_member(const char *dir, const char *name, const char *text)
{
	char path[1024];
	gzFile g;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	g = gzopen(path, "ab");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
	assert_int_equal(gzclose(g), Z_OK);
}

static const char *mkreport(const char *name, const char *schema, const char *files_json)
{
	static char dir[700];
	char path[800], *m;
	size_t n;
	snprintf(dir, sizeof dir, "%s/%s", g_tmp, name);
	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/data", dir);
	mkdir(path, 0755);
	n = strlen(schema) + strlen(files_json) + 512;
	m = malloc(n);
	assert_non_null(m);
	snprintf(m, n,
	         "{\"sourceBucket\":\"b\",\"destinationBucket\":\"arn:aws:s3:::d\","
	         "\"version\":\"2016-11-30\",\"creationTimestamp\":\"1\",\"fileFormat\":\"CSV\","
	         "\"fileSchema\":\"%s\",\"files\":[%s]}",
	         schema, files_json);
	write_file(dir, "manifest.json", m);
	free(m);
	return dir;
}

#define SCHEMA                                                                                     \
	"Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, "         \
	"StorageClass, IsMultipartUploaded, IntelligentTieringAccessTier"
#define T "\"2026-01-01T00:00:00.000Z\""

static char g_manifest[1024];

static int setup_report(void)
{
	const char *dir =
	    mkreport("main", SCHEMA,
	             "{\"key\":\"b/inv/data/A.csv.gz\",\"size\":1,\"MD5checksum\":\"x\"},"
	             "{\"key\":\"b/inv/data/B.csv\",\"size\":1,\"MD5checksum\":\"x\"}");
	char sub[800];
	snprintf(sub, sizeof sub, "%s/data", dir);
	/* A: two gzip members */
	gz_member(sub, "A.csv.gz",
	          "\"b\",\"a/b/c.txt\",\"v1\",\"true\",\"false\",\"10\"," T
	          ",\"e\",\"STANDARD\",\"false\",\"\"\n"
	          "\"b\",\"a/b/\",\"v1\",\"true\",\"false\",\"0\"," T
	          ",\"e\",\"STANDARD\",\"false\",\"\"\n"
	          "\"b\",\"a//x\",\"v\",\"true\",\"false\",\"5\"," T
	          ",\"e\",\"GLACIER\",\"false\",\"\"\n"
	          "\"b\",\"a/b/c.txt\",\"v0\",\"false\",\"false\",\"7\"," T
	          ",\"e\",\"STANDARD_IA\",\"false\",\"\"\n");
	gz_member(sub, "A.csv.gz",
	          "\n"
	          "\"b\",\"a/d+e%2Bf.txt\",\"\",\"TRUE\",\"False\",\"100\"," T
	          ",\"e\",\"\",\"false\",\"\"\n"
	          "\"b\",\"a/b/gone\",\"m\",\"true\",\"true\",\"\"," T ",\"\",\"\",\"\",\"\"\n"
	          "\"b\",\"a/b/old-marker\",\"m\",\"false\",\"true\",\"\"," T
	          ",\"\",\"\",\"\",\"\"\n");
	/* B: plain CSV, a CRLF line, quotes and commas, lower-case hex */
	write_file(sub, "B.csv",
	           "\"b\",\"top.txt\",\"x\",\"true\",\"false\",\"1000\"," T
	           ",\"e\",\"INTELLIGENT_TIERING\",\"false\",\"ARCHIVE_ACCESS\"\r\n"
	           "\"b\",\"q/\"\"quoted\"\",comma/f\",\"x\",\"true\",\"false\",\"3\"," T
	           ",\"e\",\"INTELLIGENT_TIERING\",\"false\",\"\"\n"
	           "\"b\",\"%E6%97%A5/%f0%9f%98%80\",\"x\",\"true\",\"false\",\"20\"," T
	           ",\"e\",\"DEEP_ARCHIVE\",\"false\",\"\"\n"
	           "\"b\",\"a/%zz%4\",\"x\",\"true\",\"false\",\"1\"," T
	           ",\"e\",\"STANDARD\",\"false\",\"\"\n"
	           "\n");
	snprintf(g_manifest, sizeof g_manifest, "%s/manifest.json", dir);
	return 0;
}

static void check(const struct ref_prefix *p, uint64_t obj, uint64_t bytes, uint64_t nc,
                  uint64_t ncb, uint64_t dm, int depth)
{
	assert_non_null(p);
	assert_int_equal(p->objects, obj);
	assert_int_equal(p->bytes, bytes);
	assert_int_equal(p->nc_objects, nc);
	assert_int_equal(p->nc_bytes, ncb);
	assert_int_equal(p->delete_markers, dm);
	assert_int_equal(p->depth, depth);
}

static void check_class(const struct ref_prefix *p, const char *name, uint64_t obj, uint64_t bytes)
{
	const struct ref_class *c = ref_class_find(p, name);
	assert_non_null(c);
	assert_int_equal(c->objects, obj);
	assert_int_equal(c->bytes, bytes);
}

#define FIND(r, s) ref_find(r, s, sizeof(s) - 1)

static void test_ref__hand_computed(void **state)
{
	struct ref_result *r;
	const struct ref_prefix *root;
	static const char *const order[] = {
	    "", "a/", "a//", "a/b/", "q/", "q/\"quoted\",comma/", "\xe6\x97\xa5/"};
	size_t i;
	(void)state;
	assert_int_equal(ref_compute(&r, g_manifest, '/', -1), 0);
	assert_int_equal(r->rows, 11);
	assert_true(r->has_size && r->has_versions && r->has_class);
	assert_int_equal(r->n, 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(r->p[i].len, strlen(order[i]));
		assert_memory_equal(r->p[i].prefix, order[i], r->p[i].len);
	}
	root = FIND(r, "");
	check(root, 8, 1139, 1, 7, 2, 0);
	assert_int_equal(root->n_classes, 5);
	check_class(root, "STANDARD", 4, 111); /* "" counts as STANDARD */
	check_class(root, "GLACIER", 1, 5);
	check_class(root, "INTELLIGENT_TIERING:ARCHIVE_ACCESS", 1, 1000);
	check_class(root, "INTELLIGENT_TIERING", 1, 3);
	check_class(root, "DEEP_ARCHIVE", 1, 20);
	assert_null(ref_class_find(root, "STANDARD_IA")); /* non-current: no class */
	/* classes are sorted by name */
	for (i = 1; i < root->n_classes; i++)
		assert_true(strcmp(root->classes[i - 1].name, root->classes[i].name) < 0);

	check(FIND(r, "a/"), 5, 116, 1, 7, 2, 1);
	check(FIND(r, "a/b/"), 2, 10, 1, 7, 2, 2);
	check(FIND(r, "a//"), 1, 5, 0, 0, 0, 2);
	check_class(FIND(r, "a//"), "GLACIER", 1, 5);
	check(FIND(r, "q/"), 1, 3, 0, 0, 0, 1);
	check(FIND(r, "q/\"quoted\",comma/"), 1, 3, 0, 0, 0, 2);
	check(FIND(r, "\xe6\x97\xa5/"), 1, 20, 0, 0, 0, 1);
	assert_null(FIND(r, "a"));
	assert_null(FIND(r, "a/b"));
	assert_null(FIND(r, "a/b/c.txt"));
	assert_null(FIND(r, "top.txt"));
	ref_free(r);
	(void)state;
}

static void test_ref__max_depth(void **state)
{
	struct ref_result *r;
	(void)state;
	assert_int_equal(ref_compute(&r, g_manifest, '/', 1), 0);
	assert_int_equal(r->n, 4); /* "", a/, q/, 日/ */
	check(FIND(r, ""), 8, 1139, 1, 7, 2, 0);
	check(FIND(r, "a/"), 5, 116, 1, 7, 2, 1);
	assert_null(FIND(r, "a/b/"));
	ref_free(r);
	assert_int_equal(ref_compute(&r, g_manifest, '/', 0), 0);
	assert_int_equal(r->n, 1);
	check(FIND(r, ""), 8, 1139, 1, 7, 2, 0);
	ref_free(r);
}

static void test_ref__other_delimiter(void **state)
{
	struct ref_result *r;
	(void)state;
	assert_int_equal(ref_compute(&r, g_manifest, '.', -1), 0);
	assert_int_equal(r->n, 4);
	check(FIND(r, "a/b/c."), 1, 10, 1, 7, 0, 1);
	check(FIND(r, "a/d e+f."), 1, 100, 0, 0, 0, 1);
	check(FIND(r, "top."), 1, 1000, 0, 0, 0, 1);
	check(FIND(r, ""), 8, 1139, 1, 7, 2, 0);
	ref_free(r);
}

static void test_ref__url_decode(void **state)
{
	char out[64];
	size_t n;
	(void)state;
	n = ref_url_decode(out, "a+b%2Bc%2b%41%4", 15);
	assert_int_equal(n, 9);
	assert_memory_equal(out, "a b+c+A%4", 9);
	n = ref_url_decode(out, "%zz%", 4);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "%zz%", 4);
	n = ref_url_decode(out, "%C3%A9/", 7);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\xc3\xa9/", 3);
}

static void test_ref__minimal_schema(void **state)
{
	struct ref_result *r;
	char path[1024], sub[800];
	const char *dir =
	    mkreport("minimal", "Bucket, Key, LastModifiedDate",
	             "{\"key\":\"b/inv/data/M.csv\",\"size\":1,\"MD5checksum\":\"x\"}");
	(void)state;
	snprintf(sub, sizeof sub, "%s/data", dir);
	write_file(sub, "M.csv", "\"b\",\"x/y\"," T "\n\"b\",\"x/z\"," T "\n");
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	assert_int_equal(ref_compute(&r, path, '/', -1), 0);
	assert_false(r->has_size);
	assert_false(r->has_versions);
	assert_false(r->has_class);
	assert_int_equal(r->n, 2);
	check(FIND(r, ""), 2, 0, 0, 0, 0, 0);
	check(FIND(r, "x/"), 2, 0, 0, 0, 0, 1);
	assert_int_equal(FIND(r, "")->n_classes, 0);
	ref_free(r);
}

static void test_ref__bad_input(void **state)
{
	static const struct {
		const char *name, *csv;
	} bad[] = {
	    {"unterminated", "\"b\",\"x/y\",\"1\"\n\"b\",\"x/z,1\n"},
	    {"columns", "\"b\",\"x/y\"\n"},
	    {"size", "\"b\",\"x/y\",\"12a\"\n"},
	    {"garbage", "\"b\",\"x/y\"z,\"1\"\n"},
	};
	struct ref_result *r;
	char path[1024], sub[800];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *dir =
		    mkreport(bad[i].name, "Bucket, Key, Size",
		             "{\"key\":\"b/inv/data/X.csv\",\"size\":1,\"MD5checksum\":\"x\"}");
		snprintf(sub, sizeof sub, "%s/data", dir);
		write_file(sub, "X.csv", bad[i].csv);
		snprintf(path, sizeof path, "%s/manifest.json", dir);
		assert_int_equal(ref_compute(&r, path, '/', -1), -1);
		assert_null(r);
	}
	/* a listed file that does not exist */
	{
		const char *dir =
		    mkreport("missing", "Bucket, Key",
		             "{\"key\":\"b/inv/data/nope.csv\",\"size\":1,\"MD5checksum\":\"x\"}");
		snprintf(path, sizeof path, "%s/manifest.json", dir);
		assert_int_equal(ref_compute(&r, path, '/', -1), -1);
	}
	/* a truncated gzip file */
	{
		const char *dir =
		    mkreport("trunc", "Bucket, Key",
		             "{\"key\":\"b/inv/data/T.csv.gz\",\"size\":1,\"MD5checksum\":\"x\"}");
		char gz[900];
		FILE *f;
		long sz;
		snprintf(sub, sizeof sub, "%s/data", dir);
		gz_member(sub, "T.csv.gz", "\"b\",\"x/y\"\n\"b\",\"x/z\"\n\"b\",\"x/w\"\n");
		snprintf(gz, sizeof gz, "%s/T.csv.gz", sub);
		f = fopen(gz, "rb+");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		fclose(f);
		assert_int_equal(truncate(gz, sz - 6), 0);
		snprintf(path, sizeof path, "%s/manifest.json", dir);
		assert_int_equal(ref_compute(&r, path, '/', -1), -1);
	}
	/* not JSON; no Key column */
	{
		const char *dir = mkreport("nokey", "Bucket, Size", "");
		snprintf(path, sizeof path, "%s/manifest.json", dir);
		assert_int_equal(ref_compute(&r, path, '/', -1), -1);
		write_file(dir, "manifest.json", "{not json");
		assert_int_equal(ref_compute(&r, path, '/', -1), -1);
	}
}

static int setup(void **state)
{
	const char *base = getenv("S3INV_TMP");
	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(g_tmp, sizeof g_tmp, "%s/test_ref.XXXXXX", base);
	if (!mkdtemp(g_tmp))
		return -1;
	return setup_report();
}

static int teardown(void **state)
{
	char cmd[700];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref__hand_computed),   cmocka_unit_test(test_ref__max_depth),
	    cmocka_unit_test(test_ref__other_delimiter), cmocka_unit_test(test_ref__url_decode),
	    cmocka_unit_test(test_ref__minimal_schema),  cmocka_unit_test(test_ref__bad_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
