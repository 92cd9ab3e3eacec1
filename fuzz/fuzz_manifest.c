/* SPDX-License-Identifier: MIT */
/*
 * fuzz_manifest.c — manifest.json parsing and fileSchema mapping on
 * arbitrary bytes (the whole input as JSON, and as a schema string).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "source/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3i_manifest *m = NULL;
	struct s3i_colmap cols;
	s3inv_error err = {0};
	char *s;

	if (s3i_manifest_parse(&m, "fuzz/manifest.json", (const char *)data, size, &err) == 0) {
		size_t i, n = 0;
		for (i = 0; i < m->n_files; i++)
			n += strlen(m->files[i].key) + strlen(m->files[i].md5);
		(void)n;
		s3i_manifest_free(m);
	}
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&err, 0, sizeof err);
	(void)s3i_manifest_colmap(&cols, s, &err);
	free(s);
	return 0;
}
