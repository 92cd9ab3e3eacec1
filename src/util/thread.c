/* SPDX-License-Identifier: MIT */
/*
 * thread.c — pthread wrappers, s3i_parallel, and process facts (CPUs, RAM,
 * peak RSS, monotonic time). Platform specifics stay in this file.
 */
#include "util/thread.h"

#include <errno.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "s3inv.h"
#include "util/alloc.h"

void s3i_mutex_init(s3i_mutex *m) { pthread_mutex_init(m, NULL); }
void s3i_mutex_destroy(s3i_mutex *m) { pthread_mutex_destroy(m); }
void s3i_mutex_lock(s3i_mutex *m) { pthread_mutex_lock(m); }
void s3i_mutex_unlock(s3i_mutex *m) { pthread_mutex_unlock(m); }
void s3i_cond_init(s3i_cond *c) { pthread_cond_init(c, NULL); }
void s3i_cond_destroy(s3i_cond *c) { pthread_cond_destroy(c); }
void s3i_cond_wait(s3i_cond *c, s3i_mutex *m) { pthread_cond_wait(c, m); }
void s3i_cond_broadcast(s3i_cond *c) { pthread_cond_broadcast(c); }

void s3i_cond_timedwait_ms(s3i_cond *c, s3i_mutex *m, unsigned ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(c, m, &ts);
}

struct par_arg {
	s3i_worker_fn fn;
	void *payload;
	unsigned worker;
	int rc;
};

static void *par_main(void *p)
{
	struct par_arg *a = p;
	a->rc = a->fn(a->worker, a->payload);
	return NULL;
}

int s3i_parallel(unsigned n, s3i_worker_fn fn, void *payload)
{
	struct par_arg *args;
	pthread_t *tids;
	unsigned started = 0, i;
	int rc = 0;

	if (n <= 1)
		return fn(0, payload);
	args = s3i_calloc(n, sizeof *args);
	tids = s3i_calloc(n, sizeof *tids);
	if (!args || !tids) {
		s3i_free(args);
		s3i_free(tids);
		return fn(0, payload);
	}
	for (i = 1; i < n; i++) {
		args[i] = (struct par_arg){fn, payload, i, 0};
		if (pthread_create(&tids[i], NULL, par_main, &args[i]) != 0)
			break;
		started = i;
	}
	args[0] = (struct par_arg){fn, payload, 0, 0};
	args[0].rc = fn(0, payload);
	for (i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i <= started; i++)
		if (args[i].rc < 0 && rc == 0)
			rc = args[i].rc;
	s3i_free(args);
	s3i_free(tids);
	return rc;
}

unsigned s3i_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

unsigned long long s3i_physmem(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), sz = sysconf(_SC_PAGESIZE);
	return (pages > 0 && sz > 0) ? (unsigned long long)pages * (unsigned long long)sz : 0;
}

unsigned long long s3i_peak_rss(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (unsigned long long)ru.ru_maxrss * 1024ULL;
}

double s3i_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
