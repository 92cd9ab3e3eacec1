/* SPDX-License-Identifier: MIT */
/*
 * err.h — internal error helpers over the public s3inv_error.
 *
 * The code that detects a problem writes the message, with its place; the
 * first message wins (a later s3i_err_set on an already-set error keeps the
 * first text and code). Callers pass codes up unchanged with TRY().
 */
#ifndef S3I_ERR_H
#define S3I_ERR_H

#include "s3inv.h"

#if defined(__GNUC__)
#define S3I_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define S3I_PRINTF(a, b)
#endif

/** Record CODE and a printf-style message in ERR (if no error is recorded
 *  yet). ERR may be NULL. @return CODE, so `return s3i_err_set(...)` works. */
int s3i_err_set(s3inv_error *err, int code, const char *fmt, ...) S3I_PRINTF(3, 4);

/** Like s3i_err_set, appending ": <strerror(errnum)>". */
int s3i_err_sys(s3inv_error *err, int code, int errnum, const char *fmt, ...)
    S3I_PRINTF(4, 5);

/** Clear ERR (may be NULL). */
void s3i_err_clear(s3inv_error *err);

/** Evaluate an int expression; on a negative result store it in `rc` and
 *  jump to `out`. The enclosing function declares `int rc` and `out:`. */
#define TRY(expr)                    \
	do {                             \
		rc = (expr);                 \
		if (rc < 0)                  \
			goto out;                \
	} while (0)

#define S3I_UNUSED(x) ((void)(x))

#endif
