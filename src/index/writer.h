/* SPDX-License-Identifier: MIT */
/*
 * writer.h — the index writer: one pass over the sorted prefix stream.
 *
 * s3i_writer_add takes prefixes in byte order, each once, the root "" first
 * (the merge guarantees it). A stack of open ancestors gives depth, subtree
 * end and deepest depth below; columns are appended to unlinked spool files
 * as they come. s3i_writer_finish builds the minimal perfect hash over the
 * stored prefixes (re-read from the string spool, so no key is held in
 * memory during the merge), lays out the sections, writes them to
 * "<out>.tmp-XXXXXX", checksums each, syncs and renames. Any error (or
 * s3i_writer_free without finish) removes the temporary file: there is
 * never a partial index under the final name.
 */
#ifndef S3I_WRITER_H
#define S3I_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "agg/prec.h"
#include "s3inv.h"

struct s3i_budget;

struct s3i_writer_meta {
	const char *source_bucket, *dest_bucket, *manifest, *file_format;
	int64_t creation_ms;
	uint64_t rows;
	char delim;
	int max_depth;
	bool has_size, has_versions;
	bool has_age;   /* age buckets (S3I_CLS_AGE0 pseudo classes) are in the stream */
	bool has_small; /* small-object counts (S3I_CLS_SMALL0) are in the stream */
	/* class names in final (sorted) order, and the map from the build's
	 * class ids to final ids */
	const char *const *class_names;
	uint32_t n_classes;
	const uint32_t *class_map;
	uint32_t class_map_len;
	const char *options; /* build options as text, for `info` */
	volatile int *cancel;
};

struct s3i_writer;

int s3i_writer_open(struct s3i_writer **out, const char *path, const char *tmp_dir,
                    const struct s3i_writer_meta *meta, struct s3i_budget *budget,
                    s3inv_error *err);
int s3i_writer_add(struct s3i_writer *w, const struct s3i_prec *p, s3inv_error *err);
/** Prefixes added so far. */
uint64_t s3i_writer_count(const struct s3i_writer *w);
int s3i_writer_finish(struct s3i_writer *w, unsigned threads, uint64_t *file_size,
                      s3inv_error *err);
/** Free; removes the temporary output unless finish succeeded. */
void s3i_writer_free(struct s3i_writer *w);

#endif
