/* SPDX-License-Identifier: MIT */
/*
 * fuzz_input.h — an in-memory s3i_input for the fuzz targets (short reads of
 * a chosen size, so the readers' refill paths are exercised too). Include it
 * from exactly one .c per executable.
 */
#ifndef S3I_FUZZ_INPUT_H
#define S3I_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "source/input.h"

struct fuzz_input {
	struct s3i_input base;
	const uint8_t *p;
	size_t n, pos, chunk;
};

static int fuzz_read(struct s3i_input *in, void *buf, size_t cap, size_t *out_n,
                     s3inv_error *err)
{
	struct fuzz_input *f = (struct fuzz_input *)in;
	size_t k = f->n - f->pos;
	(void)err;
	if (k > cap)
		k = cap;
	if (f->chunk && k > f->chunk)
		k = f->chunk;
	if (k)
		memcpy(buf, f->p + f->pos, k);
	f->pos += k;
	*out_n = k;
	return 0;
}

static int fuzz_pread(struct s3i_input *in, uint64_t off, void *buf, size_t len,
                      s3inv_error *err)
{
	struct fuzz_input *f = (struct fuzz_input *)in;
	(void)err;
	if (off > f->n || len > f->n - off)
		return S3INV_EFORMAT;
	memcpy(buf, f->p + off, len);
	return 0;
}

static void fuzz_close(struct s3i_input *in)
{
	(void)in;
}

static const struct s3i_input_ops fuzz_ops = {fuzz_read, fuzz_pread, fuzz_close};

/* An input over P[0..N) delivering at most CHUNK bytes per read (0: any). */
static inline void fuzz_input_init(struct fuzz_input *f, const uint8_t *p, size_t n, size_t chunk)
{
	f->base.ops = &fuzz_ops;
	f->base.name = "fuzz-input";
	f->base.size = n;
	f->base.can_pread = true;
	f->p = p;
	f->n = n;
	f->pos = 0;
	f->chunk = chunk;
}

#endif
