/* SPDX-License-Identifier: MIT */
/*
 * s3cat.c — a test driver for the S3 source, compiled by the tests/s3 scripts
 * against libs3inv.a, so the source layer can be tested against a real
 * server independently of the build driver.
 *
 *   s3cat get URL [SIZE|-] [MD5]   stream the object to stdout with read()
 *   s3cat pread URL OFF LEN         one positioned read to stdout
 *   s3cat manifest URL              load a manifest; print "path size md5" lines
 *   s3cat fetchall URL THREADS      load a manifest, read every data file with
 *                                   THREADS workers, MD5-checked; print
 *                                   "<files> <bytes> <peak reserved>"
 *   s3cat reports SOURCE            s3inv_reports_list, one line each
 *
 * Options come from the environment: S3CAT_ENDPOINT, S3CAT_REGION,
 * S3CAT_PROFILE, S3CAT_PART (bytes), S3CAT_CONN, S3CAT_BUDGET (bytes),
 * S3CAT_READ (read() block size), S3CAT_CANCEL_AFTER (bytes: set the cancel
 * flag after that many). Errors: "s3cat: <message>" on stderr, exit 1 for
 * not found, 2 otherwise.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/input.h"
#include "source/manifest.h"
#include "source/s3.h"
#include "util/alloc.h"
#include "util/budget.h"
#include "util/thread.h"
#include "s3inv.h"

static volatile int cancel_flag;

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	return v && v[0] ? strtoull(v, NULL, 10) : def;
}

static void notice(const char *line, void *payload)
{
	(void)payload;
	fprintf(stderr, "notice: %s\n", line);
}

static int die(const s3inv_error *e, int rc)
{
	fprintf(stderr, "s3cat: %s\n", e->msg[0] ? e->msg : s3inv_strerror(rc));
	return rc == S3INV_ENOTFOUND ? 1 : 2;
}

static void opts_from_env(s3inv_build_options *o)
{
	o->endpoint_url = getenv("S3CAT_ENDPOINT");
	o->region = getenv("S3CAT_REGION");
	o->profile = getenv("S3CAT_PROFILE");
	o->part_size = env_u64("S3CAT_PART", 0);
	o->max_connections = (unsigned)env_u64("S3CAT_CONN", 0);
	o->cancel = &cancel_flag;
}

struct job {
	struct s3i_s3 *s;
	struct s3i_manifest *m;
	_Atomic size_t next;
	_Atomic uint64_t bytes;
	s3inv_error errs[64];
};

static int worker(unsigned w, void *payload)
{
	struct job *j = payload;
	size_t bs = (size_t)env_u64("S3CAT_READ", 1 << 20);
	char *buf = s3i_malloc(bs);
	int rc = 0;
	if (!buf)
		return S3INV_ENOMEM;
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1), n;
		struct s3i_input *in = NULL;
		if (i >= j->m->n_files)
			break;
		rc = s3i_s3_open(&in, j->s, j->m->files[i].path, j->m->files[i].size, j->m->files[i].md5,
		                 &j->errs[w % 64]);
		while (rc == 0) {
			rc = s3i_input_read(in, buf, bs, &n, &j->errs[w % 64]);
			if (rc == 0 && n == 0)
				break;
			atomic_fetch_add(&j->bytes, n);
		}
		s3i_input_close(in);
		if (rc < 0)
			break;
	}
	s3i_free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	s3inv_build_options o = S3INV_BUILD_OPTIONS_INIT;
	s3inv_error e = {0};
	struct s3i_budget budget;
	struct s3i_s3 *s = NULL;
	uint64_t blimit = env_u64("S3CAT_BUDGET", (uint64_t)1 << 30);
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: s3cat get|pread|manifest|fetchall|reports URL ...\n");
		return 2;
	}
	opts_from_env(&o);
	s3i_budget_init(&budget, blimit, &cancel_flag);
	if (strcmp(argv[1], "reports") == 0) {
		s3inv_report *r = NULL;
		size_t n = 0, i;
		rc = s3inv_reports_list(&r, &n, argv[2], &o, &e);
		if (rc < 0)
			return die(&e, rc);
		for (i = 0; i < n; i++)
			printf("%s %s %s %" PRIu64 " %" PRIu64 " %s\n", r[i].date,
			       r[i].format[0] ? r[i].format : "-", r[i].complete ? "complete" : "incomplete",
			       r[i].files, r[i].bytes, r[i].manifest);
		s3inv_free(r);
		return 0;
	}
	rc = s3i_s3_new(&s, &o, &budget, &cancel_flag, &e);
	if (rc < 0)
		return die(&e, rc);
	if (strcmp(argv[1], "get") == 0) {
		struct s3i_input *in = NULL;
		uint64_t size = argc > 3 && strcmp(argv[3], "-") != 0 ? strtoull(argv[3], NULL, 10)
		                                                       : UINT64_MAX;
		uint64_t cancel_after = env_u64("S3CAT_CANCEL_AFTER", UINT64_MAX), total = 0;
		size_t bs = (size_t)env_u64("S3CAT_READ", 65536), n;
		char *buf = s3i_malloc(bs);
		rc = buf ? s3i_s3_open(&in, s, argv[2], size, argc > 4 ? argv[4] : NULL, &e)
		         : S3INV_ENOMEM;
		while (rc == 0) {
			rc = s3i_input_read(in, buf, bs, &n, &e);
			if (rc < 0 || n == 0)
				break;
			fwrite(buf, 1, n, stdout);
			total += n;
			if (total >= cancel_after)
				cancel_flag = 1;
		}
		s3i_input_close(in);
		s3i_free(buf);
		fprintf(stderr, "peak reserved %" PRIu64 "\n", (uint64_t)budget.peak);
	} else if (strcmp(argv[1], "pread") == 0 && argc > 4) {
		struct s3i_input *in = NULL;
		size_t len = (size_t)strtoull(argv[4], NULL, 10);
		char *buf = s3i_malloc(len ? len : 1);
		rc = buf ? s3i_s3_open(&in, s, argv[2], UINT64_MAX, NULL, &e) : S3INV_ENOMEM;
		if (rc == 0)
			rc = s3i_input_pread(in, strtoull(argv[3], NULL, 10), buf, len, &e);
		if (rc == 0)
			fwrite(buf, 1, len, stdout);
		s3i_input_close(in);
		s3i_free(buf);
	} else if (strcmp(argv[1], "manifest") == 0) {
		struct s3i_manifest *m = NULL;
		size_t i;
		rc = s3i_manifest_load_s3(&m, s, argv[2], notice, NULL, &e);
		if (rc == 0) {
			printf("manifest %s\n", m->path);
			for (i = 0; i < m->n_files; i++)
				printf("%s %" PRIu64 " %s\n", m->files[i].path, m->files[i].size, m->files[i].md5);
		}
		s3i_manifest_free(m);
	} else if (strcmp(argv[1], "fetchall") == 0 && argc > 3) {
		struct job j;
		unsigned i;
		memset(&j, 0, sizeof j);
		j.s = s;
		rc = s3i_manifest_load_s3(&j.m, s, argv[2], notice, NULL, &e);
		if (rc == 0) {
			rc = s3i_parallel((unsigned)atoi(argv[3]), worker, &j);
			for (i = 0; i < 64 && rc < 0; i++)
				if (j.errs[i].code) {
					e = j.errs[i];
					break;
				}
			if (rc == 0)
				printf("%zu %" PRIu64 " %" PRIu64 "\n", j.m->n_files, (uint64_t)j.bytes,
				       (uint64_t)budget.peak);
		}
		s3i_manifest_free(j.m);
	} else {
		fprintf(stderr, "s3cat: unknown command %s\n", argv[1]);
		rc = S3INV_EINVAL;
	}
	s3i_s3_free(s);
	if (budget.used != 0 && rc == 0) {
		fprintf(stderr, "s3cat: budget leak: %" PRIu64 " bytes still reserved\n",
		        (uint64_t)budget.used);
		rc = S3INV_EINVAL;
	}
	s3i_budget_destroy(&budget);
	return rc < 0 ? die(&e, rc) : 0;
}
