/* SPDX-License-Identifier: MIT */
/*
 * row.h — one generated inventory row, formatted as AWS writes CSV.
 *
 * Given a key from tree.h, draws the row's other columns from hashes of
 * (seed, key) and (seed, row): sizes from heavy-tailed per-section
 * distributions, LastModifiedDate over about six years before the report
 * (older versions earlier than the current one), storage classes skewed by
 * section and age, Intelligent-Tiering tiers, ETags (multipart "-N" for
 * large objects), version ids. Then writes the CSV line: no header, every
 * field in double quotes, "" for no value, the key URL-encoded ('+' for a
 * space, %2B for '+', %XX for other bytes; '"' and ',' either encoded or
 * raw with CSV quote doubling, so both reader paths are exercised).
 */
#ifndef S3I_GEN_ROW_H
#define S3I_GEN_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "gen/tree.h"

/** Bytes a formatted row may need at most (bucket <= 255 bytes). */
#define S3I_GEN_ROW_MAX (4 * S3I_GEN_KEY_MAX + 1024)

struct s3i_gen_rowctx {
	const struct s3i_gen_tree *t;
	const char *bucket;
	size_t bucket_len;
	int64_t report_ms;
};

/** The fileSchema of generated reports. */
const char *s3i_gen_schema(bool versions);

/** Format row number ROW (whose key is K) into DST, which holds at least
 *  S3I_GEN_ROW_MAX bytes. @return the bytes written, newline included. */
size_t s3i_gen_row_format(char *dst, const struct s3i_gen_rowctx *c, const struct s3i_gen_key *k,
                          uint64_t row);

#endif
