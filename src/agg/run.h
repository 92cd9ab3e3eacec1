/* SPDX-License-Identifier: MIT */
/*
 * run.h — spill run files: a sorted stream of precs on disk.
 *
 * Layout (little-endian; docs/aggregation.md has the details):
 *   header  "S3IRUN01" u32 version=1 u32 block_target
 *   blocks  u32 clen, u32 rlen, u32 nrec, u32 0, u64 XXH3(payload), payload
 *           (zstd of rlen bytes of front-coded records; each block restarts
 *           the front coding so it decodes on its own)
 *   end     a block header with clen = rlen = nrec = 0, then
 *           u64 records, u64 blocks, u64 XXH3 of those 16 bytes
 *   record  varint shared, varint suffix_len, suffix, varint nc_objects,
 *           nc_bytes, delete_markers, n_classes, then per class varint cls,
 *           objects, bytes (objects/bytes of the prefix are the class sums)
 * A reader checks every checksum, bound and the strict prefix order, so a
 * damaged or truncated run is an S3INV_EIO/S3INV_ECORRUPT error naming the
 * file, never garbage. Writers and readers are single-threaded objects; they
 * do not charge the budget themselves (their owners reserve
 * S3I_RUN_WRITER_MEM / S3I_RUN_READER_MEM).
 */
#ifndef S3I_AGG_RUN_H
#define S3I_AGG_RUN_H

#include <stdint.h>

#include "agg/prec.h"
#include "s3inv.h"

#define S3I_RUN_BLOCK (128u << 10) /* raw bytes per block (target) */

struct s3i_run_writer;
struct s3i_run_reader;
struct ZSTD_DCtx_s;

/** Approximate bytes a writer holds (zstd context + two block buffers). */
uint64_t s3i_run_writer_mem(void);
/** Approximate bytes a reader holds (compressed + raw block, record). */
uint64_t s3i_run_reader_mem(void);

/** Create PATH (must not exist) for writing. @return 0, S3INV_EIO, S3INV_ENOMEM. */
int s3i_run_writer_open(struct s3i_run_writer **out, const char *path, s3inv_error *err);
/** Append P (prefixes must come in strictly increasing order). */
int s3i_run_writer_add(struct s3i_run_writer *w, const struct s3i_prec *p, s3inv_error *err);
/** Write the end, close, free W (whatever the outcome). On error the file
 *  is removed. @return 0, S3INV_EIO. BYTES_OUT (may be NULL) gets the size. */
int s3i_run_writer_finish(struct s3i_run_writer *w, uint64_t *bytes_out, s3inv_error *err);
/** Close, remove the partial file, free W. Accepts NULL. */
void s3i_run_writer_abort(struct s3i_run_writer *w);

/** Open PATH for reading; DCTX is a decompression context shared by the
 *  caller's readers (used one block at a time). */
int s3i_run_reader_open(struct s3i_run_reader **out, const char *path,
                        struct ZSTD_DCtx_s *dctx, s3inv_error *err);
/** @return 1 with *out set (valid until the next call), 0 at the verified
 *  end, S3INV_EIO / S3INV_ECORRUPT / S3INV_ENOMEM. */
int s3i_run_reader_next(struct s3i_run_reader *r, const struct s3i_prec **out, s3inv_error *err);
/** Close and free R (the file is not removed). Accepts NULL. */
void s3i_run_reader_close(struct s3i_run_reader *r);

/** zstd decompression context allocated through s3i_malloc (NULL on OOM). */
struct ZSTD_DCtx_s *s3i_run_dctx_new(void);
void s3i_run_dctx_free(struct ZSTD_DCtx_s *d);

#endif
