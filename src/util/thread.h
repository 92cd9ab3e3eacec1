/* SPDX-License-Identifier: MIT */
/*
 * thread.h — pthreads behind a small portable face.
 *
 * s3i_parallel runs one function on N threads and joins them: the build's
 * workers pull their jobs (files, MPHF parts) from an atomic counter, so no
 * queue and no per-item lock is needed.
 */
#ifndef S3I_THREAD_H
#define S3I_THREAD_H

#include <pthread.h>

typedef pthread_mutex_t s3i_mutex;
typedef pthread_cond_t s3i_cond;

void s3i_mutex_init(s3i_mutex *m);
void s3i_mutex_destroy(s3i_mutex *m);
void s3i_mutex_lock(s3i_mutex *m);
void s3i_mutex_unlock(s3i_mutex *m);
void s3i_cond_init(s3i_cond *c);
void s3i_cond_destroy(s3i_cond *c);
void s3i_cond_wait(s3i_cond *c, s3i_mutex *m);
void s3i_cond_timedwait_ms(s3i_cond *c, s3i_mutex *m, unsigned ms);
void s3i_cond_broadcast(s3i_cond *c);

/** Worker body: WORKER is 0..n-1. Returns 0 or a negative code. */
typedef int (*s3i_worker_fn)(unsigned worker, void *payload);

/** Run FN on N threads (N-1 new ones plus the caller) and wait for all.
 *  @return the first negative code any worker returned, else 0; or
 *  S3INV_ENOMEM/EIO when threads cannot be created (then FN still runs on
 *  the threads that could be started, at least the caller's). */
int s3i_parallel(unsigned n, s3i_worker_fn fn, void *payload);

/** Online CPUs (at least 1). */
unsigned s3i_ncpu(void);

/** Physical memory in bytes (0 when unknown). */
unsigned long long s3i_physmem(void);

/** Peak resident set size of this process, bytes. */
unsigned long long s3i_peak_rss(void);

/** Monotonic seconds. */
double s3i_now(void);

#endif
