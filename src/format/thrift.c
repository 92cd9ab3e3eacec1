/* SPDX-License-Identifier: MIT */
/*
 * thrift.c — the Thrift compact protocol, read-only and bounded.
 *
 * Wire format (Apache Thrift compact protocol spec): integers are ULEB128
 * varints, signed ones zigzag-encoded; a field header is one byte with the
 * id delta in the high nibble (0: a zigzag i16 id follows) and the type in
 * the low nibble; bool fields carry their value in the type nibble; a list
 * header packs a size < 15 in the high nibble (15: a varint size follows);
 * a map header is a varint size and, when non-zero, one byte of key/value
 * types; binaries are a varint length and the bytes.
 *
 * Every read is checked against the bytes left (`n > len - pos`); a list
 * may not declare more elements than bytes remain, since every element
 * takes at least one byte, which bounds both time and any allocation a
 * caller sizes from the count. Nesting (structs, lists, maps) is limited to
 * S3I_THRIFT_MAX_DEPTH so a hostile footer cannot exhaust the stack.
 */
#include "format/thrift.h"

#include "s3inv.h"

static int fail(struct s3i_thrift *t, const char *what)
{
	if (!t->what)
		t->what = what;
	return S3INV_EFORMAT;
}

void s3i_thrift_init(struct s3i_thrift *t, const void *p, size_t len)
{
	t->p = p;
	t->len = len;
	t->pos = 0;
	t->depth = 0;
	t->what = NULL;
}

int s3i_thrift_varint(struct s3i_thrift *t, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		uint8_t b;
		if (t->pos >= t->len)
			return fail(t, "thrift: truncated varint");
		b = t->p[t->pos++];
		if (shift == 63 && (b & 0x7e))
			return fail(t, "thrift: varint overflows 64 bits");
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return fail(t, "thrift: varint too long");
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int s3i_thrift_int(struct s3i_thrift *t, int type, int64_t *out)
{
	uint64_t v;
	int rc;

	if (type == S3I_TT_I8) {
		if (t->pos >= t->len)
			return fail(t, "thrift: truncated byte");
		*out = (int8_t)t->p[t->pos++];
		return 0;
	}
	if (type != S3I_TT_I16 && type != S3I_TT_I32 && type != S3I_TT_I64)
		return fail(t, "thrift: field has the wrong type (integer expected)");
	if ((rc = s3i_thrift_varint(t, &v)) < 0)
		return rc;
	*out = unzigzag(v);
	if (type == S3I_TT_I16 && (*out < INT16_MIN || *out > INT16_MAX))
		return fail(t, "thrift: i16 out of range");
	if (type == S3I_TT_I32 && (*out < INT32_MIN || *out > INT32_MAX))
		return fail(t, "thrift: i32 out of range");
	return 0;
}

int s3i_thrift_i32(struct s3i_thrift *t, int type, int32_t *out)
{
	int64_t v;
	int rc = s3i_thrift_int(t, type, &v);
	if (rc < 0)
		return rc;
	if (v < INT32_MIN || v > INT32_MAX)
		return fail(t, "thrift: i32 out of range");
	*out = (int32_t)v;
	return 0;
}

int s3i_thrift_i64(struct s3i_thrift *t, int type, int64_t *out)
{
	return s3i_thrift_int(t, type, out);
}

int s3i_thrift_binary(struct s3i_thrift *t, int type, const uint8_t **out, size_t *n)
{
	uint64_t len;
	int rc;

	if (type != S3I_TT_BINARY)
		return fail(t, "thrift: field has the wrong type (binary expected)");
	if ((rc = s3i_thrift_varint(t, &len)) < 0)
		return rc;
	if (len > t->len - t->pos)
		return fail(t, "thrift: binary longer than the data");
	*out = t->p + t->pos;
	*n = (size_t)len;
	t->pos += (size_t)len;
	return 0;
}

int s3i_thrift_list(struct s3i_thrift *t, int type, int *elem_type, uint32_t *n)
{
	uint64_t size;
	uint8_t b;
	int rc;

	if (type != S3I_TT_LIST && type != S3I_TT_SET)
		return fail(t, "thrift: field has the wrong type (list expected)");
	if (t->pos >= t->len)
		return fail(t, "thrift: truncated list header");
	b = t->p[t->pos++];
	size = b >> 4;
	if (size == 15 && (rc = s3i_thrift_varint(t, &size)) < 0)
		return rc;
	if (size > t->len - t->pos)
		return fail(t, "thrift: list longer than the data");
	*elem_type = b & 0x0f;
	*n = (uint32_t)size;
	return 0;
}

int s3i_thrift_struct_begin(struct s3i_thrift *t, int16_t *last_id)
{
	if (t->depth >= S3I_THRIFT_MAX_DEPTH)
		return fail(t, "thrift: nesting too deep");
	t->depth++;
	*last_id = 0;
	return 0;
}

void s3i_thrift_struct_end(struct s3i_thrift *t)
{
	if (t->depth > 0)
		t->depth--;
}

int s3i_thrift_field(struct s3i_thrift *t, int16_t *last_id, int *type, int16_t *id)
{
	uint8_t b;
	int rc;

	if (t->pos >= t->len)
		return fail(t, "thrift: truncated struct");
	b = t->p[t->pos++];
	*type = b & 0x0f;
	if (*type == S3I_TT_STOP) {
		*id = 0;
		return 0;
	}
	if (b >> 4) {
		int v = *last_id + (b >> 4);
		if (v > INT16_MAX)
			return fail(t, "thrift: field id out of range");
		*id = (int16_t)v;
	} else {
		int64_t v;
		if ((rc = s3i_thrift_int(t, S3I_TT_I16, &v)) < 0)
			return rc;
		*id = (int16_t)v;
	}
	if (*type > S3I_TT_STRUCT)
		return fail(t, "thrift: unknown field type");
	*last_id = *id;
	return 0;
}

static int skip_value(struct s3i_thrift *t, int type, int in_list)
{
	uint64_t v;
	int rc = 0;

	switch (type) {
	case S3I_TT_TRUE:
	case S3I_TT_FALSE:
		if (!in_list)
			return 0;
		if (t->pos >= t->len) /* one byte in a list */
			return fail(t, "thrift: truncated bool");
		t->pos++;
		return 0;
	case S3I_TT_I8:
		if (t->pos >= t->len)
			return fail(t, "thrift: truncated byte");
		t->pos++;
		return 0;
	case S3I_TT_I16:
	case S3I_TT_I32:
	case S3I_TT_I64:
		return s3i_thrift_varint(t, &v);
	case S3I_TT_DOUBLE:
		if (8 > t->len - t->pos)
			return fail(t, "thrift: truncated double");
		t->pos += 8;
		return 0;
	case S3I_TT_BINARY: {
		const uint8_t *p;
		size_t n;
		return s3i_thrift_binary(t, type, &p, &n);
	}
	case S3I_TT_LIST:
	case S3I_TT_SET: {
		int et;
		uint32_t n;
		if ((rc = s3i_thrift_list(t, type, &et, &n)) < 0)
			return rc;
		if (t->depth >= S3I_THRIFT_MAX_DEPTH)
			return fail(t, "thrift: nesting too deep");
		t->depth++;
		for (uint32_t i = 0; i < n && rc == 0; i++)
			rc = skip_value(t, et, 1);
		t->depth--;
		return rc;
	}
	case S3I_TT_MAP: {
		uint8_t kv;
		if ((rc = s3i_thrift_varint(t, &v)) < 0)
			return rc;
		if (v == 0)
			return 0;
		if (v > t->len - t->pos)
			return fail(t, "thrift: map longer than the data");
		if (t->pos >= t->len)
			return fail(t, "thrift: truncated map header");
		kv = t->p[t->pos++];
		if (t->depth >= S3I_THRIFT_MAX_DEPTH)
			return fail(t, "thrift: nesting too deep");
		t->depth++;
		for (uint64_t i = 0; i < v && rc == 0; i++) {
			rc = skip_value(t, kv >> 4, 1);
			if (rc == 0)
				rc = skip_value(t, kv & 0x0f, 1);
		}
		t->depth--;
		return rc;
	}
	case S3I_TT_STRUCT: {
		int16_t last, id;
		int ft;
		if ((rc = s3i_thrift_struct_begin(t, &last)) < 0)
			return rc;
		for (;;) {
			if ((rc = s3i_thrift_field(t, &last, &ft, &id)) < 0)
				return rc;
			if (ft == S3I_TT_STOP)
				break;
			if ((rc = skip_value(t, ft, 0)) < 0)
				return rc;
		}
		s3i_thrift_struct_end(t);
		return 0;
	}
	default:
		return fail(t, "thrift: unknown type");
	}
}

int s3i_thrift_skip(struct s3i_thrift *t, int type)
{
	return skip_value(t, type, 0);
}

int s3i_thrift_skip_elem(struct s3i_thrift *t, int elem_type)
{
	return skip_value(t, elem_type, 1);
}
