/* SPDX-License-Identifier: MIT */
/*
 * thrift.h — a bounded reader for the Thrift compact protocol, the encoding
 * of Parquet's footer (FileMetaData) and page headers.
 *
 * The reader walks a byte slice; it never reads past `len`, counts struct
 * nesting against a depth limit, and checks every declared length and list
 * size against the bytes that remain (a list of N elements needs at least N
 * bytes), so hostile input costs at most one pass over the slice. Decoding
 * of Parquet's own structs lives in parquet_meta.c; this file knows only
 * the wire format. On failure a reader function returns S3INV_EFORMAT and
 * leaves a static description in `t->what` (the caller adds the file name).
 */
#ifndef S3I_THRIFT_H
#define S3I_THRIFT_H

#include <stddef.h>
#include <stdint.h>

/* Compact protocol type codes (as they appear in field and list headers). */
enum {
	S3I_TT_STOP = 0,
	S3I_TT_TRUE = 1,   /* bool field true; in lists: any bool */
	S3I_TT_FALSE = 2,
	S3I_TT_I8 = 3,
	S3I_TT_I16 = 4,
	S3I_TT_I32 = 5,
	S3I_TT_I64 = 6,
	S3I_TT_DOUBLE = 7,
	S3I_TT_BINARY = 8,
	S3I_TT_LIST = 9,
	S3I_TT_SET = 10,
	S3I_TT_MAP = 11,
	S3I_TT_STRUCT = 12,
};

#define S3I_THRIFT_MAX_DEPTH 32

struct s3i_thrift {
	const uint8_t *p;
	size_t len, pos;
	int depth;          /* structs currently open */
	const char *what;   /* static text of the first problem */
};

void s3i_thrift_init(struct s3i_thrift *t, const void *p, size_t len);

/** Enter a struct (depth check); each s3i_thrift_field loop runs inside one. */
int s3i_thrift_struct_begin(struct s3i_thrift *t, int16_t *last_id);
void s3i_thrift_struct_end(struct s3i_thrift *t);

/** Read the next field header of the current struct. *type is S3I_TT_STOP at
 *  the end (then call s3i_thrift_struct_end). LAST_ID carries the previous
 *  field id for delta encoding. */
int s3i_thrift_field(struct s3i_thrift *t, int16_t *last_id, int *type, int16_t *id);

int s3i_thrift_varint(struct s3i_thrift *t, uint64_t *out);
/** A zigzag integer of field type TYPE (I8, I16, I32 or I64), range-checked
 *  into int64. I8 is a raw byte. */
int s3i_thrift_int(struct s3i_thrift *t, int type, int64_t *out);
/** An i32 field value, failing if TYPE is not an integer type or the value
 *  does not fit in int32. */
int s3i_thrift_i32(struct s3i_thrift *t, int type, int32_t *out);
int s3i_thrift_i64(struct s3i_thrift *t, int type, int64_t *out);
/** A binary/string: *out points into the slice (borrowed), *n checked. */
int s3i_thrift_binary(struct s3i_thrift *t, int type, const uint8_t **out, size_t *n);
/** A list or set header: element type and count (count <= bytes remaining). */
int s3i_thrift_list(struct s3i_thrift *t, int type, int *elem_type, uint32_t *n);
/** Skip one value of TYPE (any type, nested, depth-limited). For a field of
 *  bool type the value is in the header and nothing is read. */
int s3i_thrift_skip(struct s3i_thrift *t, int type);
/** Skip one list element of ELEM_TYPE (bools take one byte in lists). */
int s3i_thrift_skip_elem(struct s3i_thrift *t, int elem_type);

#endif
