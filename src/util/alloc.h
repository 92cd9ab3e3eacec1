/* SPDX-License-Identifier: MIT */
/*
 * alloc.h — the only door to the heap.
 *
 * Every allocation in libs3inv goes through these wrappers (curl's rule), so
 * tests can fail the Nth allocation (s3i_alloc_fail_after) and check that
 * every path reports S3INV_ENOMEM cleanly. Bulk memory is additionally
 * reserved from the build's s3i_budget by its owner (see budget.h): the
 * wrappers do not know about budgets, which are per build, not global.
 */
#ifndef S3I_ALLOC_H
#define S3I_ALLOC_H

#include <stddef.h>

void *s3i_malloc(size_t n);
void *s3i_calloc(size_t n, size_t size);
void *s3i_realloc(void *p, size_t n);
void s3i_free(void *p);
char *s3i_strdup(const char *s);
char *s3i_strndup(const char *s, size_t n);

/** Zeroed memory for large randomly accessed arrays (hash tables, node
 *  pages): N bytes rounded up to 2 MiB, mapped at a 2 MiB boundary and
 *  advised as huge pages (one TLB entry and one fault per 2 MiB where the
 *  kernel allows). Free with s3i_huge_free and the same N. */
void *s3i_huge_alloc(size_t n);
void s3i_huge_free(void *p, size_t n);

/** Test hook: make the allocation after N more succeed return NULL
 *  (N < 0 disables). The one piece of process-wide state in the library,
 *  atomic and used only by the allocation-failure tests. */
void s3i_alloc_fail_after(long n);

#endif
