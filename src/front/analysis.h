/* SPDX-License-Identifier: MIT */
/*
 * analysis.h — JSON pieces of the analysis answers that the CLI and the
 * server both emit, so their outputs are byte-identical: the "cost" object
 * of --cost / cost=1, and one row of a diff.
 */
#ifndef S3I_FRONT_ANALYSIS_H
#define S3I_FRONT_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "s3inv.h"

/** Write C as a "cost" object value:
 *  {"usd_month":T,"storage":S,"archive_overhead":A,"min_size":M|null,
 *   "monitoring":F|null,"unpriced_bytes":U,"prices":{"region":R,"date":D}} */
void s3i_front_cost_json(struct s3i_json *j, const s3inv_cost *c, const s3inv_prices *p);

/** Append ,"cost":{…} to the JSON object J has just closed (the du JSON of
 *  POS), reopening and closing it again. @return 0 or a negative code with
 *  ERR filled. */
int s3i_front_cost_append(struct s3i_json *j, const s3inv_index *idx, uint64_t pos,
                          const s3inv_prices *p, s3inv_error *err);

/** Open a diff row object and write its members, leaving it open (the
 *  caller may add "cost", then closes it):
 *  {"prefix":P,"old":{"objects":O,"bytes":B}|null,"new":…|null,
 *   "delta":{"objects":dO,"bytes":dB} */
void s3i_front_diff_row_open(struct s3i_json *j, const char *prefix, size_t len, bool has_old,
                             const s3inv_stats *o, bool has_new, const s3inv_stats *n);

/** Write the member "older":[{"objects":O,"bytes":B},…]: for each of the
 *  N prefixes at POS, its current objects in age bucket BUCKET and older.
 *  @return 0 or a negative code with ERR filled. */
int s3i_front_older_json(struct s3i_json *j, const s3inv_index *idx, const uint64_t *pos,
                         size_t n, unsigned bucket, s3inv_error *err);

/** Write the member "cost":{"old":OC,"new":NC,"delta":NC-OC} of a diff row. */
void s3i_front_diff_cost_json(struct s3i_json *j, double oc, double nc);

#endif
