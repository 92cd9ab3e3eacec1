/* SPDX-License-Identifier: MIT */
/*
 * progress.h — the build progress line on stderr.
 *
 * One line, redrawn in place with '\r' at most 10 times a second:
 *   scan   12/40 files  1.2 GiB/4.0 GiB  30%  1.52M obj/s  ETA 1m12s
 * It is shown only when the stream is a terminal, or when forced
 * (--progress); forced output to a non-terminal prints a plain line per
 * update (at most one a second) instead of redrawing, so logs stay
 * readable. Used from the thread that runs the build's progress callback.
 * Not thread-safe.
 */
#ifndef S3I_FRONT_PROGRESS_H
#define S3I_FRONT_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "s3inv.h"

struct s3i_pbar {
	FILE *f;
	bool enabled;  /* draw anything at all */
	bool tty;      /* redraw in place */
	bool drawn;    /* a line is on screen (needs clearing) */
	double last;   /* monotonic time of the last draw, seconds */
	int last_len;  /* visible length of the last line (for clearing) */
	int last_phase;
	int cols;      /* terminal width, 0 when unknown */
};

/** Set up a bar on F. FORCE draws even when F is not a terminal; QUIET
 *  disables it (QUIET wins). */
void s3i_pbar_init(struct s3i_pbar *b, FILE *f, bool force, bool quiet);

/** Redraw from P, unless the last draw was less than 0.1 s ago (1 s when
 *  not a terminal) and the phase did not change. */
void s3i_pbar_update(struct s3i_pbar *b, const s3inv_progress *p);

/** Erase the line (terminal) so that following output starts clean. */
void s3i_pbar_clear(struct s3i_pbar *b);

/** A s3inv_progress_cb adapter: PAYLOAD is a struct s3i_pbar *. */
void s3i_pbar_cb(const s3inv_progress *p, void *payload);

#endif
