/* SPDX-License-Identifier: MIT */
/*
 * ahead.h — the final merge with its in-memory sources read ahead.
 *
 * The sorted walk of a prefix table (node reads, class lists) is as much
 * work per prefix as the index writer's; run one after the other on the
 * merging thread, they were the build's longest serial stretch. Here each
 * read-ahead source gets a thread that copies its precs into a ring of
 * chunks while the caller's thread merges and feeds the sink.
 */
#ifndef S3I_AGG_AHEAD_H
#define S3I_AGG_AHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "agg/merge.h"

/** Memory of one read-ahead source (its ring of chunks). */
uint64_t s3i_ahead_mem(void);

/** s3i_merge_run over SRCS[0..n), the first N_AHEAD of them each read on a
 *  thread of its own (a source whose thread does not start is read inline).
 *  Each of those sources is used by that one thread only. Same results and
 *  codes as s3i_merge_run. */
int s3i_merge_run_ahead(struct s3i_msrc *srcs, size_t n, size_t n_ahead, s3i_prec_fn sink,
                        void *payload, volatile int *cancel, s3inv_error *err);

#endif
