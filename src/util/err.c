/* SPDX-License-Identifier: MIT */
/*
 * err.c — error records and static error texts.
 *
 * Messages are formatted into the caller's fixed-size s3inv_error, never onto
 * the heap, so running out of memory can always be reported.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *s3inv_strerror(int code)
{
	switch (code) {
	case S3INV_OK: return "success";
	case S3INV_ENOTFOUND: return "not found";
	case S3INV_EFORMAT: return "malformed input";
	case S3INV_ECORRUPT: return "corrupt index";
	case S3INV_ECHECKSUM: return "checksum mismatch";
	case S3INV_EIO: return "I/O error";
	case S3INV_ENOMEM: return "out of memory";
	case S3INV_ECANCELED: return "cancelled";
	case S3INV_EINVAL: return "invalid argument";
	case S3INV_EAUTH: return "authentication failed";
	case S3INV_ENET: return "network error";
	case S3INV_ITEROVER: return "end of iteration";
	default: return "unknown error";
	}
}

static int vset(s3inv_error *err, int code, const char *fmt, va_list ap) S3I_PRINTF(3, 0);

static int vset(s3inv_error *err, int code, const char *fmt, va_list ap)
{
	if (!err || err->code != 0)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return code;
}

int s3i_err_set(s3inv_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int s3i_err_sys(s3inv_error *err, int code, int errnum, const char *fmt, ...)
{
	char head[200], sys[128];
	va_list ap;
	if (!err || err->code != 0)
		return code;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	/* XSI strerror_r (we build with _POSIX_C_SOURCE, no _GNU_SOURCE here) */
	if (strerror_r(errnum, sys, sizeof sys) != 0)
		snprintf(sys, sizeof sys, "error %d", errnum);
	return s3i_err_set(err, code, "%s: %s", head, sys);
}

void s3i_err_clear(s3inv_error *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
