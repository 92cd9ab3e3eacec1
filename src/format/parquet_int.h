/* SPDX-License-Identifier: MIT */
/*
 * parquet_int.h — internals of the Parquet reader shared by parquet.c (the
 * driver), parquet_meta.c (footer and page headers from Thrift) and
 * parquet_decode.c (level/value decoders and codecs). Not a contract for
 * other layers: use parquet.h.
 *
 * Enum values are those of the public parquet.thrift.
 */
#ifndef S3I_PARQUET_INT_H
#define S3I_PARQUET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Physical types. */
enum { PQ_BOOLEAN = 0, PQ_INT32, PQ_INT64, PQ_INT96, PQ_FLOAT, PQ_DOUBLE, PQ_BYTE_ARRAY, PQ_FLBA };
/* Encodings. */
enum {
	PQ_PLAIN = 0, PQ_PLAIN_DICTIONARY = 2, PQ_RLE = 3, PQ_BIT_PACKED = 4,
	PQ_DELTA_BINARY_PACKED = 5, PQ_DELTA_LENGTH_BYTE_ARRAY = 6, PQ_DELTA_BYTE_ARRAY = 7,
	PQ_RLE_DICTIONARY = 8
};
/* Codecs. */
enum {
	PQ_UNCOMPRESSED = 0, PQ_SNAPPY = 1, PQ_GZIP = 2, PQ_LZO = 3, PQ_BROTLI = 4, PQ_LZ4 = 5,
	PQ_ZSTD = 6, PQ_LZ4_RAW = 7
};
/* Page types. */
enum { PQ_DATA_PAGE = 0, PQ_INDEX_PAGE = 1, PQ_DICTIONARY_PAGE = 2, PQ_DATA_PAGE_V2 = 3 };
/* Timestamp units (ours): how to turn an INT64 into milliseconds. */
enum { PQ_TS_NONE = 0, PQ_TS_MILLIS, PQ_TS_MICROS, PQ_TS_NANOS };

/* The columns the index reads, in the order of struct s3i_columns. */
enum { PQ_C_KEY = 0, PQ_C_SIZE, PQ_C_CLASS, PQ_C_LATEST, PQ_C_DM, PQ_C_TIER, PQ_C_LM, PQ_NCOLS };

/* Hard limits: anything larger is refused as damage, not allocated. */
#define PQ_MAX_FOOTER (256u << 20)   /* FileMetaData bytes */
#define PQ_MAX_CHUNK (1u << 30)      /* one column chunk, compressed */
#define PQ_MAX_PAGE (1u << 30)       /* one page, uncompressed */
#define PQ_MAX_SCHEMA 100000u        /* schema elements */

/** One projected column as the schema describes it. */
struct s3i_pq_col {
	int leaf;             /* leaf index (column chunk position), -1 when absent */
	int type;             /* physical type */
	int max_def;          /* 0 required, 1 optional */
	int ts_unit;          /* PQ_TS_* from the logical/converted type */
	const char *name;     /* our name (static) */
};

/** One projected column chunk of one row group. */
struct s3i_pq_chunk {
	int64_t start, len;   /* byte range to read (dictionary page .. end) */
	int64_t num_values;
	int codec;
	int type;
};

struct s3i_pq_rg {
	int64_t num_rows;
	struct s3i_pq_chunk chunk[PQ_NCOLS];
};

/** What the footer says, reduced to the projection. Borrows the footer
 *  buffer it was parsed from (row groups are decoded lazily, one at a time,
 *  so memory does not grow with their number). */
struct s3i_pq_meta {
	struct s3i_pq_col col[PQ_NCOLS];
	int64_t num_rows;
	uint32_t nleaves;
	uint32_t nrg;            /* row groups declared */
	const uint8_t *buf;      /* the footer */
	size_t len;
	size_t rg_pos;           /* offset of the first RowGroup in buf */
};

/** Decode FileMetaData from BUF (LEN bytes, borrowed by OUT). On failure
 *  returns S3INV_EFORMAT with *what set to static text. */
int s3i_pq_meta_parse(struct s3i_pq_meta *out, const uint8_t *buf, size_t len,
                      const char **what);

/** Walks the row groups of a parsed footer in order. */
struct s3i_pq_rgiter {
	const struct s3i_pq_meta *m;
	size_t pos;
	uint32_t next;           /* index of the next row group */
};

void s3i_pq_rgiter_init(struct s3i_pq_rgiter *it, const struct s3i_pq_meta *m);
/** Decode the next row group into OUT (chunks of absent columns zeroed).
 *  @return 1 when one was decoded, 0 at the end, or S3INV_EFORMAT. */
int s3i_pq_rgiter_next(struct s3i_pq_rgiter *it, struct s3i_pq_rg *out, const char **what);

/** A page header, reduced to what the reader uses. */
struct s3i_pq_page {
	int type;
	int32_t usize, csize;
	int32_t num_values;
	int encoding;
	int def_encoding;          /* v1 */
	int32_t def_len, rep_len;  /* v2 */
	bool v2_compressed;        /* v2: values section compressed (default true) */
	bool has_header;           /* the type's sub-header was present */
};

/** Decode a PageHeader at BUF; *hlen gets its size in bytes. */
int s3i_pq_page_parse(struct s3i_pq_page *out, size_t *hlen, const uint8_t *buf, size_t len,
                      const char **what);

/* ---- decoders (parquet_decode.c); all return 0 or S3INV_EFORMAT ------ */

/** RLE / bit-packed hybrid stream of WIDTH-bit values (0..32). */
struct s3i_pq_rle {
	const uint8_t *p, *end;
	int width;
	uint32_t left;           /* values left in the current run */
	bool packed;
	uint32_t value;          /* RLE run value */
	const uint8_t *bp;       /* bit-packed run start */
	size_t bp_bytes;         /* bytes available in the bit-packed run */
	uint64_t bp_bit;         /* next bit in the run */
};

void s3i_pq_rle_init(struct s3i_pq_rle *r, const uint8_t *p, size_t len, int width);
int s3i_pq_rle_get(struct s3i_pq_rle *r, uint32_t *out, size_t n);
int s3i_pq_rle_get8(struct s3i_pq_rle *r, uint8_t *out, size_t n);

/** DELTA_BINARY_PACKED stream. */
struct s3i_pq_dbp {
	const uint8_t *p, *end;
	uint64_t block_size, nmini, per_mini;
	uint64_t total, left;      /* values in the stream, values not yet returned */
	uint64_t last;             /* previous value (two's complement) */
	bool first;                /* the first value is still to be returned */
	uint64_t min_delta;
	const uint8_t *widths;     /* bit widths of the current block */
	uint64_t mini;             /* current miniblock index in the block */
	uint64_t in_mini;          /* values returned from the current miniblock */
	const uint8_t *mp;         /* current miniblock data */
	bool in_block;
};

int s3i_pq_dbp_init(struct s3i_pq_dbp *d, const uint8_t *p, size_t len);
int s3i_pq_dbp_get(struct s3i_pq_dbp *d, int64_t *out, size_t n);
/** Where the stream ends (walks the block headers without unpacking). */
int s3i_pq_dbp_end(const struct s3i_pq_dbp *d, const uint8_t **end);

/** A byte-array view. */
struct s3i_pq_sv {
	const uint8_t *p;
	size_t n;
};

/** DELTA_LENGTH_BYTE_ARRAY: lengths then concatenated bytes. */
struct s3i_pq_dlba {
	struct s3i_pq_dbp len;
	const uint8_t *data, *end;
	int64_t lens[256];
};

int s3i_pq_dlba_init(struct s3i_pq_dlba *d, const uint8_t *p, size_t len);
int s3i_pq_dlba_get(struct s3i_pq_dlba *d, struct s3i_pq_sv *out, size_t n);

/** DELTA_BYTE_ARRAY: prefix lengths (DBP), then suffixes (DLBA). Values are
 *  built in OUTBUF (appended; the caller resets it per batch): out[i].p is
 *  set to NULL and out[i].n to the length, offsets in OFFS; the caller
 *  fixes pointers once the batch is complete (OUTBUF may move). PREV keeps
 *  the last value across batches. */
struct s3i_pq_dba {
	struct s3i_pq_dbp prefix;
	struct s3i_pq_dlba suffix;
	struct s3i_buf prev;
	int64_t pre[256];
};

int s3i_pq_dba_init(struct s3i_pq_dba *d, const uint8_t *p, size_t len);
int s3i_pq_dba_get(struct s3i_pq_dba *d, struct s3i_buf *outbuf, size_t *offs,
                   struct s3i_pq_sv *out, size_t n);
void s3i_pq_dba_free(struct s3i_pq_dba *d);

/** Decompressor contexts, created on first use and reused (zeroed at start). */
struct s3i_pq_dctx {
	void *zstd;     /* ZSTD_DCtx */
	void *deflate;  /* struct libdeflate_decompressor */
};

/** Decompress SRC (CN bytes) with CODEC into DST of exactly UN bytes.
 *  @return 0, S3INV_EFORMAT (*what gets static text), S3INV_ENOMEM. */
int s3i_pq_decompress(int codec, struct s3i_pq_dctx *ctx, const uint8_t *src, size_t cn,
                      uint8_t *dst, size_t un, const char **what);
void s3i_pq_codec_free(struct s3i_pq_dctx *ctx);
const char *s3i_pq_codec_name(int codec);

#endif
