/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gzip.c — the gzip decoder (member boundaries, headers, trailers,
 * truncation) on arbitrary bytes. Byte 0 picks the input chunk size and
 * byte 1 the output size, so refills and full output buffers land anywhere.
 */
#include <stdlib.h>

#include "format/gzip.h"
#include "fuzz.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	struct s3i_gz *z = NULL;
	s3inv_error err = {0};
	unsigned char *out;
	size_t cap, chunk;

	if (size < 2)
		return 0;
	chunk = data[0] < 128 ? (size_t)data[0] + 1 : 0;
	cap = (size_t)data[1] * 61 + 1;
	out = malloc(cap);
	if (!out)
		return 0;
	fuzz_input_init(&in, data + 2, size - 2, chunk);
	if (s3i_gz_open(&z, &in.base, &err) == 0) {
		size_t n = 0, total = 0;
		/* bounded: a small input may inflate a lot; stop after 64 MiB */
		while (s3i_gz_read(z, out, cap, &n, &err) == 0 && n > 0 && total < ((size_t)64 << 20))
			total += n;
		s3i_gz_close(z);
	}
	free(out);
	return 0;
}
