/* SPDX-License-Identifier: MIT */
/*
 * merge.h — k-way merge of sorted prec streams with a loser tree.
 *
 * Each source yields precs in strictly increasing prefix order (memcmp,
 * shorter first on a tie). The merge emits every distinct prefix once, with
 * the statistics of all sources holding it summed and their class lists
 * merged by class id. It knows nothing of where sources come from (an
 * in-memory table iterator, a run file reader) nor where the output goes
 * (the index writer, or a run writer for an intermediate pass).
 */
#ifndef S3I_AGG_MERGE_H
#define S3I_AGG_MERGE_H

#include <stddef.h>

#include "agg/prec.h"
#include "s3inv.h"

/** A sorted source: next() returns 1 with *out set (valid until its next
 *  call), 0 at the end, or a negative code with ERR filled. */
struct s3i_msrc {
	int (*next)(void *self, const struct s3i_prec **out, s3inv_error *err);
	void *self;
};

/** Merge N sources into SINK. CANCEL (may be NULL) is polled every few
 *  thousand prefixes. @return 0, a source's or SINK's code, S3INV_ENOMEM,
 *  S3INV_ECANCELED. */
int s3i_merge_run(struct s3i_msrc *srcs, size_t n, s3i_prec_fn sink, void *payload,
                  volatile int *cancel, s3inv_error *err);

#endif
