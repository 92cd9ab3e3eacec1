/* SPDX-License-Identifier: MIT */
/*
 * test_manifest.c — manifest.json parsing, fileSchema mapping and local
 * report resolution (src/source/manifest.c): the AWS examples, every error
 * message, newest dated folder choice, manifest.checksum, and the key →
 * path rule of docs/local-reports.md on directory trees built here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "source/manifest.h"
#include "util/md5.h"

/* ---- helpers ----------------------------------------------------------- */

static char base[1024];

static void reset_dir(const char *name)
{
	const char *t = getenv("S3INV_TMP");
	char cmd[2100];
	snprintf(base, sizeof base, "%s/manifest-%s", t && *t ? t : "/tmp/s3inv-test", name);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", base, base);
	assert_int_equal(system(cmd), 0);
}

/* Write TEXT to base/REL, creating folders. Returns the full path. */
static const char *put(const char *rel, const char *text)
{
	static char path[2048];
	char cmd[4200];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", base, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *at(const char *rel)
{
	static char path[2048];
	snprintf(path, sizeof path, "%s%s%s", base, *rel ? "/" : "", rel);
	return path;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int parse(struct s3i_manifest **m, const char *json, s3inv_error *err)
{
	memset(err, 0, sizeof *err);
	return s3i_manifest_parse(m, "dir/manifest.json", json, strlen(json), err);
}

static void expect_parse_error(const char *json, const char *msg)
{
	struct s3i_manifest *m = (void *)1;
	s3inv_error err;
	int rc = parse(&m, json, &err);
	if (rc != S3INV_EFORMAT || !strstr(err.msg, msg))
		fail_msg("json [%s]: rc %d, message '%s', wanted '%s'", json, rc, err.msg, msg);
	assert_null(m);
}

static const char *manifest_json(const char *k1, const char *k2)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
	         "{\"sourceBucket\":\"src\",\"destinationBucket\":\"arn:aws:s3:::dst\","
	         "\"creationTimestamp\":\"1700000000000\",\"fileFormat\":\"CSV\","
	         "\"fileSchema\":\"Bucket, Key, Size\",\"files\":[{\"key\":\"%s\",\"size\":3,"
	         "\"MD5checksum\":\"\"}%s%s%s]}",
	         k1, k2 ? ",{\"key\":\"" : "", k2 ? k2 : "", k2 ? "\",\"size\":4}" : "");
	return buf;
}

/* ---- parsing ----------------------------------------------------------- */

static void test_manifest__aws_doc_example(void **state)
{
	const char *src = getenv("S3INV_SRC");
	struct s3i_manifest *m = NULL;
	s3inv_error err;
	char path[1024], *text;
	size_t len;
	(void)state;
	if (!src)
		skip();
	snprintf(path, sizeof path, "%s/tests/data/manifest/aws-doc-csv.json", src);
	text = read_all(path, &len);
	memset(&err, 0, sizeof err);
	assert_int_equal(s3i_manifest_parse(&m, "aws-doc-csv.json", text, len, &err), 0);
	assert_string_equal(m->source_bucket, "amzn-s3-demo-source-bucket");
	assert_string_equal(m->dest_bucket, "example-inventory-destination-bucket");
	assert_int_equal(m->creation_ms, 1514944800000LL);
	assert_int_equal(m->format, S3I_FMT_CSV);
	assert_string_equal(m->format_name, "CSV");
	assert_int_equal(m->n_files, 1);
	assert_string_equal(m->files[0].md5, "f11166069f1990abeb9c97ace9cdfabc");
	assert_int_equal(m->files[0].size, 2147483647);
	assert_int_equal(m->total_size, 2147483647);
	assert_null(m->files[0].path);
	assert_int_equal(m->cols.ncols, 20);
	assert_int_equal(m->cols.bucket, 0);
	assert_int_equal(m->cols.key, 1);
	assert_int_equal(m->cols.is_latest, 3);
	assert_int_equal(m->cols.is_delete_marker, 4);
	assert_int_equal(m->cols.size, 5);
	assert_int_equal(m->cols.last_modified, 6);
	assert_int_equal(m->cols.storage_class, 8);
	assert_int_equal(m->cols.tier, 15);
	s3i_manifest_free(m);
	free(text);
}

static void test_manifest__jackson_style_and_variants(void **state)
{
	const char *src = getenv("S3INV_SRC");
	struct s3i_manifest *m = NULL;
	s3inv_error err;
	char path[1024], *text;
	size_t len;
	(void)state;
	if (!src)
		skip();
	snprintf(path, sizeof path, "%s/tests/data/manifest/jackson-style.json", src);
	text = read_all(path, &len);
	memset(&err, 0, sizeof err);
	assert_int_equal(s3i_manifest_parse(&m, "jackson-style.json", text, len, &err), 0);
	assert_int_equal(m->creation_ms, 1748826000000LL);
	assert_string_equal(m->dest_bucket, "inventory-dest");
	assert_int_equal(m->format, S3I_FMT_CSV);
	assert_int_equal(m->cols.key, 0);
	assert_int_equal(m->cols.size, 1);
	assert_int_equal(m->cols.bucket, 2);
	assert_int_equal(m->cols.last_modified, 3);
	assert_int_equal(m->cols.storage_class, -1);
	assert_int_equal(m->cols.is_latest, -1);
	assert_int_equal(m->cols.ncols, 4);
	assert_string_equal(m->files[0].md5, "052f8b3a1b8b71fc1cd43a68786b3512");
	assert_int_equal(m->total_size, 21196182ULL + 90520972ULL);
	s3i_manifest_free(m);
	free(text);

	/* Parquet: no CSV column map; destination without ARN stays as is */
	assert_int_equal(parse(&m,
	                       "{\"fileFormat\":\"Parquet\",\"destinationBucket\":\"plain\","
	                       "\"fileSchema\":\"message s3.inventory { required binary key; }\","
	                       "\"files\":[{\"key\":\"x.parquet\"}]}",
	                       &err),
	                 0);
	assert_int_equal(m->format, S3I_FMT_PARQUET);
	assert_string_equal(m->dest_bucket, "plain");
	assert_int_equal(m->cols.key, -1);
	assert_int_equal(m->creation_ms, 0);
	assert_string_equal(m->files[0].md5, "");
	s3i_manifest_free(m);
	assert_int_equal(parse(&m, "{\"fileFormat\":\"orc\",\"files\":[]}", &err), 0);
	assert_int_equal(m->format, S3I_FMT_ORC);
	assert_int_equal(m->n_files, 0);
	s3i_manifest_free(m);
}

static void test_manifest__colmap(void **state)
{
	struct s3i_colmap c;
	s3inv_error err = {0};
	(void)state;
	assert_int_equal(s3i_manifest_colmap(&c, "Key", &err), 0);
	assert_int_equal(c.key, 0);
	assert_int_equal(c.ncols, 1);
	assert_int_equal(s3i_manifest_colmap(&c, "Bucket,Key,ETag,  storageclass ,X,"
	                                          "INTELLIGENTTIERINGACCESSTIER,IsDeleteMarker,ISLATEST",
	                                     &err),
	                 0);
	assert_int_equal(c.ncols, 8);
	assert_int_equal(c.storage_class, 3);
	assert_int_equal(c.tier, 5);
	assert_int_equal(c.is_delete_marker, 6);
	assert_int_equal(c.is_latest, 7);
	assert_int_equal(c.size, -1);
	assert_int_equal(s3i_manifest_colmap(&c, "Bucket, Size, Keys", &err), S3INV_EFORMAT);
	assert_string_equal(err.msg, "manifest.json: fileSchema has no Key column");
	memset(&err, 0, sizeof err);
	assert_int_equal(s3i_manifest_colmap(&c, "", &err), S3INV_EFORMAT);
}

static void test_manifest__parse_errors(void **state)
{
	(void)state;
	expect_parse_error("{\"fileFormat\": \"CSV\",\n \"files\": [ }", "dir/manifest.json: not JSON: line 2 column");
	expect_parse_error("", "not JSON");
	expect_parse_error("[1,2]", "dir/manifest.json: not a JSON object");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Key\"}",
	                   "dir/manifest.json: no files array");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Key\",\"files\":{}}",
	                   "no files array");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Key\",\"files\":"
	                   "[{\"key\":\"a\"},{\"size\":1}]}",
	                   "dir/manifest.json: files[1] has no key");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Key\",\"files\":"
	                   "[{\"key\":\"\"}]}",
	                   "files[0] has no key");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Key\",\"files\":[7]}",
	                   "files[0] is not an object");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Size\",\"files\":"
	                   "[{\"key\":\"a\"}]}",
	                   "dir/manifest.json: fileSchema has no Key column");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"files\":[{\"key\":\"a\"}]}",
	                   "fileSchema is missing");
	expect_parse_error("{\"fileFormat\":\"JSON\",\"files\":[]}",
	                   "dir/manifest.json: unsupported fileFormat 'JSON'");
	expect_parse_error("{\"files\":[]}", "fileFormat is missing");
	expect_parse_error("{\"fileFormat\":3,\"files\":[]}", "dir/manifest.json: fileFormat must be a string");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Key\",\"creationTimestamp\":"
	                   "\"12a\",\"files\":[]}",
	                   "creationTimestamp is not a number");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Key\",\"creationTimestamp\":"
	                   "\"99999999999999999999\",\"files\":[]}",
	                   "creationTimestamp is not a number");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Key\",\"files\":"
	                   "[{\"key\":\"a\",\"size\":-1}]}",
	                   "files[0] (a): size is not a non-negative integer");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Key\",\"files\":"
	                   "[{\"key\":\"a\",\"size\":\"12\"}]}",
	                   "size is not a non-negative integer");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Key\",\"files\":"
	                   "[{\"key\":\"a\",\"MD5checksum\":\"abc\"}]}",
	                   "files[0] (a): MD5checksum is not 32 hex digits");
	expect_parse_error("{\"fileFormat\":\"CSV\",\"fileSchema\":\"Key\",\"files\":"
	                   "[{\"key\":\"a\",\"MD5checksum\":\"g1166069f1990abeb9c97ace9cdfabcd\"}]}",
	                   "MD5checksum is not 32 hex digits");
}

/* ---- local resolution -------------------------------------------------- */

struct notes {
	char last[512];
	int n;
};

static void on_notice(const char *line, void *payload)
{
	struct notes *n = payload;
	snprintf(n->last, sizeof n->last, "%s", line);
	n->n++;
}

static int load(struct s3i_manifest **m, const char *source, struct notes *n, s3inv_error *err)
{
	memset(err, 0, sizeof *err);
	if (n)
		memset(n, 0, sizeof *n);
	return s3i_manifest_load_local(m, source, n ? on_notice : NULL, n, err);
}

static void test_manifest__source_forms_and_newest(void **state)
{
	struct s3i_manifest *m = NULL;
	struct notes n;
	s3inv_error err;
	char want[4096];
	(void)state;
	reset_dir("forms");
	put("cfg/data/a.csv", "x");
	put("cfg/2026-11-20T01-00Z/manifest.json", manifest_json("cfg/data/a.csv", NULL));
	put("cfg/2026-11-22T01-00Z/manifest.json",
	    manifest_json("cfg/data/a.csv", "cfg/data/b.csv"));
	put("cfg/data/b.csv", "y");
	put("cfg/2026-11-21T01-00Z/manifest.json", "not even json");
	put("cfg/2026-11-23T01-00Z/manifest.checksum", "incomplete run: no manifest.json\n");
	put("cfg/2026-11-24T01-00Z.bak/manifest.json", "{}");
	put("cfg/hive/dt=2026-11-22-01-00/symlink.txt", "s3://dst/cfg/data/a.csv\n");

	/* a folder of dated folders: the newest with a manifest.json wins */
	assert_int_equal(load(&m, at("cfg"), &n, &err), 0);
	assert_int_equal(n.n, 1);
	snprintf(want, sizeof want, "using newest report 2026-11-22T01-00Z (of 3) in %s", at("cfg"));
	assert_string_equal(n.last, want);
	snprintf(want, sizeof want, "%s/2026-11-22T01-00Z/manifest.json", at("cfg"));
	assert_string_equal(m->path, want);
	assert_int_equal(m->n_files, 2);
	assert_non_null(strstr(m->files[1].path, "/cfg/data/b.csv"));
	assert_string_equal(m->dest_bucket, "dst");
	s3i_manifest_free(m);

	/* the dated folder itself, and its manifest.json */
	assert_int_equal(load(&m, at("cfg/2026-11-20T01-00Z"), &n, &err), 0);
	assert_int_equal(n.n, 0);
	assert_int_equal(m->n_files, 1);
	s3i_manifest_free(m);
	assert_int_equal(load(&m, at("cfg/2026-11-20T01-00Z/manifest.json"), NULL, &err), 0);
	assert_int_equal(m->n_files, 1);
	s3i_manifest_free(m);

	/* errors: nothing there, an empty folder, a bad manifest */
	assert_int_equal(load(&m, at("nope"), NULL, &err), S3INV_ENOTFOUND);
	assert_null(m);
	put("empty/readme.txt", "");
	assert_int_equal(load(&m, at("empty"), NULL, &err), S3INV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no manifest.json and no dated report folders"));
	assert_int_equal(load(&m, at("cfg/2026-11-21T01-00Z"), NULL, &err), S3INV_EFORMAT);
	assert_non_null(strstr(err.msg, "2026-11-21T01-00Z/manifest.json: not JSON: line 1"));
}

static void test_manifest__path_resolution_rule(void **state)
{
	struct s3i_manifest *m = NULL;
	s3inv_error err;
	char want[4096];
	const char *key = "pfx/src/cfg/data/f1.csv.gz";
	(void)state;

	/* the AWS layout synced to disk: root is 4 levels above the manifest */
	reset_dir("rule");
	put("bucket/pfx/src/cfg/2026-01-01T00-00Z/manifest.json", manifest_json(key, NULL));
	put("bucket/pfx/src/cfg/data/f1.csv.gz", "z");
	assert_int_equal(load(&m, at("bucket/pfx/src/cfg"), NULL, &err), 0);
	assert_non_null(strstr(m->files[0].path, "/bucket/pfx/src/cfg/data/f1.csv.gz"));
	s3i_manifest_free(m);

	/* <root>/<key> wins over data/<basename>: root = the manifest's folder */
	reset_dir("rule");
	put("r/manifest.json", manifest_json(key, NULL));
	put("r/pfx/src/cfg/data/f1.csv.gz", "1");
	put("r/data/f1.csv.gz", "2");
	assert_int_equal(load(&m, at("r"), NULL, &err), 0);
	snprintf(want, sizeof want, "/r/%s", key);
	assert_non_null(strstr(m->files[0].path, want));
	s3i_manifest_free(m);

	/* fallback 1: data/<basename> beside the manifest */
	reset_dir("rule");
	put("r/manifest.json", manifest_json(key, NULL));
	put("r/data/f1.csv.gz", "2");
	put("data/f1.csv.gz", "3");
	assert_int_equal(load(&m, at("r"), NULL, &err), 0);
	assert_non_null(strstr(m->files[0].path, "/r/data/f1.csv.gz"));
	s3i_manifest_free(m);

	/* fallback 2: ../data/<basename> (the shared data/ of a config) */
	reset_dir("rule");
	put("cfg/2026-01-01T00-00Z/manifest.json", manifest_json(key, NULL));
	put("cfg/data/f1.csv.gz", "3");
	assert_int_equal(load(&m, at("cfg"), NULL, &err), 0);
	assert_non_null(strstr(m->files[0].path, "cfg/2026-01-01T00-00Z/../data/f1.csv.gz"));
	s3i_manifest_free(m);

	/* 5 levels up is too far; missing files are named */
	reset_dir("rule");
	put("a/b/c/d/e/f/manifest.json", manifest_json("k/x.csv", "k/y.csv"));
	put("a/k/x.csv", "far");
	put("a/b/k/x.csv", "4 up");
	assert_int_equal(load(&m, at("a/b/c/d/e/f"), NULL, &err), S3INV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "f/manifest.json: data file k/y.csv not found (looked in"));
	put("a/b/k/y.csv", "4 up");
	assert_int_equal(load(&m, at("a/b/c/d/e/f"), NULL, &err), 0);
	assert_non_null(strstr(m->files[0].path, "/a/b/k/x.csv"));
	s3i_manifest_free(m);
	put("a/b/c/d/e/f/manifest.json", manifest_json("k/z.csv", NULL));
	put("a/k/z.csv", "5 up");
	assert_int_equal(load(&m, at("a/b/c/d/e/f"), NULL, &err), S3INV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "data file k/z.csv not found"));

	/* hostile key characters are used verbatim as path text */
	reset_dir("rule");
	put("r/manifest.json", manifest_json("we ird/a+b%2B/caf\xc3\xa9.csv", NULL));
	put("r/we ird/a+b%2B/caf\xc3\xa9.csv", "x");
	assert_int_equal(load(&m, at("r"), NULL, &err), 0);
	s3i_manifest_free(m);
}

static void test_manifest__checksum_file(void **state)
{
	struct s3i_manifest *m = NULL;
	struct s3i_md5 md5;
	s3inv_error err;
	char hex[33], text[64];
	const char *json = manifest_json("data/a.csv", NULL);
	(void)state;
	reset_dir("ck");
	put("r/manifest.json", json);
	put("r/data/a.csv", "x");
	assert_int_equal(s3i_md5_init(&md5), 0);
	s3i_md5_update(&md5, json, strlen(json));
	s3i_md5_final(&md5, hex);
	snprintf(text, sizeof text, "%s\n", hex); /* the real object is 33 bytes */
	put("r/manifest.checksum", text);
	assert_int_equal(load(&m, at("r"), NULL, &err), 0);
	s3i_manifest_free(m);
	for (int i = 0; i < 32; i++)
		if (hex[i] >= 'a')
			hex[i] = (char)(hex[i] - 32);
	snprintf(text, sizeof text, "  %s\r\n", hex);
	put("r/manifest.checksum", text);
	assert_int_equal(load(&m, at("r"), NULL, &err), 0);
	s3i_manifest_free(m);
	put("r/manifest.checksum", "0123456789abcdef0123456789abcdef\n");
	assert_int_equal(load(&m, at("r"), NULL, &err), S3INV_ECHECKSUM);
	assert_non_null(strstr(err.msg, "r/manifest.json: MD5 mismatch: manifest.checksum says "
	                                "0123456789abcdef0123456789abcdef, file has "));
	assert_null(m);
	put("r/manifest.checksum", "");
	assert_int_equal(load(&m, at("r"), NULL, &err), S3INV_ECHECKSUM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest__aws_doc_example),
		cmocka_unit_test(test_manifest__jackson_style_and_variants),
		cmocka_unit_test(test_manifest__colmap),
		cmocka_unit_test(test_manifest__parse_errors),
		cmocka_unit_test(test_manifest__source_forms_and_newest),
		cmocka_unit_test(test_manifest__path_resolution_rule),
		cmocka_unit_test(test_manifest__checksum_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
