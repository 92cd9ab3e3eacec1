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

/* Limits and block size (bytes of decompressed text per read). */
#define S3I_CSV_BLOCK ((size_t)1 << 20)
#define S3I_CSV_ROW_MAX ((size_t)1 << 20)
#define S3I_CSV_FIELD_MAX ((size_t)64 << 10)
/** Heap held by one s3i_csv_read (text buffer, gzip input buffer and ISA-L
 *  state), for the caller's memory budget. */
#define S3I_CSV_MEMORY (S3I_CSV_BLOCK + S3I_CSV_ROW_MAX + ((size_t)1 << 20) + ((size_t)128 << 10))

/** s3i_csv_read with an explicit decompressed block size BLOCK (0 = the
 *  default): tests use tiny blocks to exercise rows cut between reads. */
int s3i_csv_read_blocks(struct s3i_input *in, const struct s3i_colmap *cols, s3i_row_fn fn,
                        void *payload, volatile int *cancel, size_t block, s3inv_error *err);

#endif
