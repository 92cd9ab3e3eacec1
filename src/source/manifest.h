/* SPDX-License-Identifier: MIT */
/*
 * manifest.h — an S3 Inventory manifest.json, parsed and resolved.
 *
 * Parsing (jansson) checks the members the reader relies on: fileFormat,
 * files[] with key/size/MD5checksum, fileSchema for CSV. Local resolution:
 * SOURCE may be a manifest.json, a report folder holding one, or a folder of
 * dated report folders (YYYY-MM-DDTHH-MMZ/manifest.json: the newest wins).
 * Each files[].key resolves to a local path by the rule in docs/local-reports.md:
 * the key relative to the report root (the folder above the dated folder, or
 * the manifest's folder), then `data/<basename>` beside the manifest, then
 * `../data/<basename>` (the shared data/ of the AWS layout).
 */
#ifndef S3I_MANIFEST_H
#define S3I_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "format/row.h"
#include "s3inv.h"

struct s3i_manifest_file {
	char *key;         /* files[].key verbatim */
	char *path;        /* resolved local path or s3:// URL (owned) */
	uint64_t size;
	char md5[33];      /* lowercase hex; "" when the manifest had none */
};

enum s3i_file_format { S3I_FMT_CSV = 0, S3I_FMT_PARQUET = 1, S3I_FMT_ORC = 2 };

struct s3i_manifest {
	char *path;           /* the manifest actually used (path or URL) */
	char *source_bucket;
	char *dest_bucket;    /* the bucket name (ARN stripped) */
	char *file_schema;
	enum s3i_file_format format;
	char *format_name;    /* as written: "CSV", "Parquet", "ORC" */
	int64_t creation_ms;  /* 0 when absent */
	size_t n_files;
	struct s3i_manifest_file *files;
	uint64_t total_size;  /* sum of files[].size */
	struct s3i_colmap cols; /* CSV: from fileSchema; -1 for absent columns */
};

/** Parse manifest JSON text (LEN bytes). NAME is used in messages.
 *  @return 0, or S3INV_EFORMAT with err naming NAME and the problem. */
int s3i_manifest_parse(struct s3i_manifest **out, const char *name, const char *json,
                       size_t len, s3inv_error *err);

/** Map a CSV fileSchema ("Bucket, Key, Size, ...") to column positions.
 *  @return 0, or S3INV_EFORMAT when Key is missing. */
int s3i_manifest_colmap(struct s3i_colmap *out, const char *schema, s3inv_error *err);

/** Find and parse a local manifest from SOURCE (see the file comment), and
 *  resolve every file to a local path. NOTICE (may be NULL) receives a line
 *  such as "using newest report 2026-11-22T01-00Z of 3". */
int s3i_manifest_load_local(struct s3i_manifest **out, const char *source,
                            void (*notice)(const char *line, void *payload), void *payload,
                            s3inv_error *err);

void s3i_manifest_free(struct s3i_manifest *m);

#endif
