/* SPDX-License-Identifier: MIT */
/*
 * alloc.c — heap wrappers with an allocation-failure hook for tests.
 */
#include "util/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>

#include "s3inv.h"

static atomic_long fail_countdown = -1;

void s3i_alloc_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}

static int should_fail(void)
{
	long v = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
	if (v < 0)
		return 0;
	return atomic_fetch_sub(&fail_countdown, 1) == 0;
}

void *s3i_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *s3i_calloc(size_t n, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *s3i_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

void s3i_free(void *p)
{
	free(p);
}

char *s3i_strndup(const char *s, size_t n)
{
	char *d = s3i_malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

char *s3i_strdup(const char *s)
{
	return s3i_strndup(s, strlen(s));
}

void s3inv_free(void *p)
{
	s3i_free(p);
}

#define HUGE_PAGE ((size_t)2 << 20)

void *s3i_huge_alloc(size_t n)
{
	size_t len = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	char *raw, *p;
	if (n == 0 || should_fail())
		return NULL;
	raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = raw + (HUGE_PAGE - (uintptr_t)raw % HUGE_PAGE) % HUGE_PAGE;
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + len + HUGE_PAGE > p + len)
		munmap(p + len, (size_t)(raw + len + HUGE_PAGE - (p + len)));
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

void s3i_huge_free(void *p, size_t n)
{
	if (p)
		munmap(p, (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE);
}
