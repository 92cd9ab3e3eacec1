/* SPDX-License-Identifier: MIT */
/*
 * refdump.c — print the reference aggregation of a report as TSV:
 * "prefix<TAB>objects<TAB>bytes" in byte order, one line per prefix (the
 * format of tests/node/duckdb_agg.js --out). With --full, also nc_objects,
 * nc_bytes, delete_markers, depth and the classes. A helper for shell tests
 * (tests/cli/test_duckdb_ref.sh builds it with cc); it lives outside
 * tests/ref/ so the unit-test library does not pick up its main().
 *
 * usage: refdump MANIFEST [--full] [--delimiter C] [--max-depth N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

int main(int argc, char **argv)
{
	struct ref_result *r;
	const char *manifest = NULL;
	char delim = '/';
	int max_depth = -1, full = 0, i;
	size_t k, q;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--full") == 0)
			full = 1;
		else if (strcmp(argv[i], "--delimiter") == 0 && i + 1 < argc)
			delim = argv[++i][0];
		else if (strcmp(argv[i], "--max-depth") == 0 && i + 1 < argc)
			max_depth = atoi(argv[++i]);
		else
			manifest = argv[i];
	}
	if (!manifest) {
		fprintf(stderr,
		        "usage: refdump MANIFEST [--full] [--delimiter C] [--max-depth N]\n");
		return 2;
	}
	if (ref_compute(&r, manifest, delim, max_depth) < 0)
		return 2;
	for (k = 0; k < r->n; k++) {
		const struct ref_prefix *p = &r->p[k];
		fwrite(p->prefix, 1, p->len, stdout);
		printf("\t%llu\t%llu", (unsigned long long)p->objects,
		       (unsigned long long)p->bytes);
		if (full) {
			printf("\t%llu\t%llu\t%llu\t%d", (unsigned long long)p->nc_objects,
			       (unsigned long long)p->nc_bytes,
			       (unsigned long long)p->delete_markers, p->depth);
			for (q = 0; q < p->n_classes; q++)
				printf("\t%s=%llu/%llu", p->classes[q].name,
				       (unsigned long long)p->classes[q].objects,
				       (unsigned long long)p->classes[q].bytes);
		}
		putchar('\n');
	}
	ref_free(r);
	return 0;
}
