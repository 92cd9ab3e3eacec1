/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parquet.c — libFuzzer target: read an arbitrary byte string as a
 * Parquet inventory file through an in-memory positioned input, taking
 * every row. Nothing may crash, hang, over-read or leak; errors are fine,
 * but a failed read must name the file. Seeds: fuzz/corpus/fuzz_parquet/
 * (small DuckDB-written files from tests/data/parquet, every codec and
 * page version). Uses internal headers (src/ on the include path).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
	struct s3i_input base;
	const uint8_t *p;
	size_t n;
};

static int mem_read(struct s3i_input *in, void *buf, size_t cap, size_t *out, s3inv_error *err)
{
	(void)in; (void)buf; (void)cap; (void)err;
	*out = 0;
	return 0;
}

static int mem_pread(struct s3i_input *in, uint64_t off, void *buf, size_t len, s3inv_error *err)
{
	struct mem *m = (struct mem *)in;
	(void)err;
	if (off > m->n || len > m->n - off)
		abort(); /* the reader must check ranges before reading */
	memcpy(buf, m->p + off, len);
	return 0;
}

static void mem_close(struct s3i_input *in)
{
	(void)in;
}

static const struct s3i_input_ops ops = {mem_read, mem_pread, mem_close};

static int sink(void *payload, const struct s3i_row *r)
{
	volatile uint64_t *acc = payload;
	/* touch every byte handed out, so an over-read shows */
	for (size_t i = 0; i < r->key_len; i++)
		*acc += (uint8_t)r->key[i];
	for (size_t i = 0; i < r->storage_class_len; i++)
		*acc += (uint8_t)r->storage_class[i];
	for (size_t i = 0; i < r->tier_len; i++)
		*acc += (uint8_t)r->tier[i];
	*acc += r->size + (uint64_t)r->last_modified_ms + r->is_latest + r->is_delete_marker;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m;
	s3inv_error err = {0};
	struct s3i_parquet_info info;
	volatile uint64_t acc = 0;
	int rc;

	memset(&m, 0, sizeof m);
	m.base.ops = &ops;
	m.base.name = "fuzz.parquet";
	m.base.size = size;
	m.base.can_pread = true;
	m.p = data;
	m.n = size;
	(void)s3i_parquet_info(&m.base, &info, &err);
	memset(&err, 0, sizeof err);
	rc = s3i_parquet_read(&m.base, sink, (void *)&acc, NULL, &err);
	if (rc < 0 && strncmp(err.msg, "fuzz.parquet", 12) != 0)
		abort();
	return 0;
}
