/* SPDX-License-Identifier: MIT */
/*
 * csv.h — the S3 Inventory CSV reader: (gzip) bytes → rows.
 *
 * RFC 4180 with the inventory's conventions: no header, every field quoted,
 * "" is no value, doubled quotes inside quotes, embedded commas and
 * newlines. Only the mapped columns are decoded; the Key is URL-decoded
 * (%XX and + as space). Every row must have exactly cols->ncols fields.
 * Errors name the input and the line: "data/x.csv.gz: line 1042: unterminated quote".
 */
#ifndef S3I_CSV_H
#define S3I_CSV_H

#include "format/row.h"
#include "source/input.h"

/** Read all rows of IN (gzip or plain) and call FN for each.
 *  CANCEL (may be NULL) is polled between blocks.
 *  @return 0, FN's negative code, S3INV_EFORMAT, S3INV_EIO, S3INV_ECHECKSUM,
 *  S3INV_ECANCELED. */
int s3i_csv_read(struct s3i_input *in, const struct s3i_colmap *cols, s3i_row_fn fn,
                 void *payload, volatile int *cancel, s3inv_error *err);

/** Form-URL-decode SRC into DST (which may equal SRC): %XX → byte, + → ' '.
 *  A '%' not followed by two hex digits is kept literally.
 *  @return the decoded length (<= len). */
size_t s3i_url_decode(char *dst, const char *src, size_t len);

#endif
