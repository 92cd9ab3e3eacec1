/* SPDX-License-Identifier: MIT */
/*
 * parquet_meta.c — Parquet's footer (FileMetaData) and page headers, decoded
 * from the Thrift compact protocol into the few fields the reader uses.
 *
 * Structs and field ids follow the public parquet.thrift. Unknown fields,
 * and known ones we do not need (statistics, key/value metadata, column
 * orders, encryption), are skipped per the protocol, so newer writers work.
 * The schema is walked once as a tree (children counted on a bounded
 * stack) to give each leaf its column-chunk index and definition level; the
 * projection keeps the top-level leaves whose names match ours
 * case-insensitively. Row groups are not decoded here but on demand by
 * s3i_pq_rgiter_next, so a footer with a million row groups costs no
 * memory; the row-group list may come before the schema on the wire
 * (field order is not guaranteed), hence its position is remembered and
 * walked after the whole struct.
 *
 * Nothing here allocates: results point into the footer buffer.
 */
#include <string.h>
#include <strings.h>

#include "format/parquet_int.h"
#include "format/thrift.h"
#include "s3inv.h"

static const char *const col_names[PQ_NCOLS] = {
	"key", "size", "storage_class", "is_latest", "is_delete_marker",
	"intelligent_tiering_access_tier", "last_modified_date",
};

#define T(expr)                   \
	do {                          \
		if ((rc = (expr)) < 0)    \
			goto out;             \
	} while (0)

static int bad(struct s3i_thrift *t, const char *what)
{
	if (!t->what)
		t->what = what;
	return S3INV_EFORMAT;
}

/* ---- schema ------------------------------------------------------------ */

struct elem {
	int type;             /* -1: a group */
	int rep;              /* 0 required, 1 optional, 2 repeated; -1 absent */
	const uint8_t *name;
	size_t name_len;
	int32_t num_children;
	int ts_unit;
};

/* TimeUnit union: 1 MILLIS, 2 MICROS, 3 NANOS (each an empty struct). */
static int parse_time_unit(struct s3i_thrift *t, int *unit)
{
	int16_t last, id;
	int ft, rc;

	T(s3i_thrift_struct_begin(t, &last));
	for (;;) {
		T(s3i_thrift_field(t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		if (ft == S3I_TT_STRUCT && id >= 1 && id <= 3)
			*unit = id == 1 ? PQ_TS_MILLIS : id == 2 ? PQ_TS_MICROS : PQ_TS_NANOS;
		T(s3i_thrift_skip(t, ft));
	}
	s3i_thrift_struct_end(t);
out:
	return rc;
}

/* LogicalType union; we only look inside 8: TIMESTAMP {1: bool utc, 2: unit}. */
static int parse_logical(struct s3i_thrift *t, int *unit)
{
	int16_t last, id, last2, id2;
	int ft, ft2, rc;

	T(s3i_thrift_struct_begin(t, &last));
	for (;;) {
		T(s3i_thrift_field(t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		if (id != 8 || ft != S3I_TT_STRUCT) {
			T(s3i_thrift_skip(t, ft));
			continue;
		}
		T(s3i_thrift_struct_begin(t, &last2));
		for (;;) {
			T(s3i_thrift_field(t, &last2, &ft2, &id2));
			if (ft2 == S3I_TT_STOP)
				break;
			if (id2 == 2 && ft2 == S3I_TT_STRUCT)
				T(parse_time_unit(t, unit));
			else
				T(s3i_thrift_skip(t, ft2));
		}
		s3i_thrift_struct_end(t);
	}
	s3i_thrift_struct_end(t);
out:
	return rc;
}

static int parse_elem(struct s3i_thrift *t, struct elem *e)
{
	int16_t last, id;
	int ft, rc;
	int32_t v;
	bool has_name = false;

	memset(e, 0, sizeof *e);
	e->type = -1;
	e->rep = -1;
	T(s3i_thrift_struct_begin(t, &last));
	for (;;) {
		T(s3i_thrift_field(t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		switch (id) {
		case 1:
			T(s3i_thrift_i32(t, ft, &v));
			if (v < 0 || v > PQ_FLBA)
				return bad(t, "schema: unknown physical type");
			e->type = v;
			break;
		case 3:
			T(s3i_thrift_i32(t, ft, &v));
			e->rep = v;
			break;
		case 4:
			T(s3i_thrift_binary(t, ft, &e->name, &e->name_len));
			has_name = true;
			break;
		case 5:
			T(s3i_thrift_i32(t, ft, &e->num_children));
			if (e->num_children < 0)
				return bad(t, "schema: negative num_children");
			break;
		case 6: /* ConvertedType: 9 TIMESTAMP_MILLIS, 10 TIMESTAMP_MICROS */
			T(s3i_thrift_i32(t, ft, &v));
			if (v == 9 && !e->ts_unit)
				e->ts_unit = PQ_TS_MILLIS;
			else if (v == 10 && !e->ts_unit)
				e->ts_unit = PQ_TS_MICROS;
			break;
		case 10:
			if (ft != S3I_TT_STRUCT)
				return bad(t, "schema: logicalType is not a struct");
			T(parse_logical(t, &e->ts_unit));
			break;
		default:
			T(s3i_thrift_skip(t, ft));
		}
	}
	s3i_thrift_struct_end(t);
	if (!has_name)
		return bad(t, "schema: element without a name");
out:
	return rc;
}

#define MAX_NEST 64

static int parse_schema(struct s3i_thrift *t, int ft, struct s3i_pq_meta *m)
{
	struct {
		int32_t left;
		int def;
	} stack[MAX_NEST];
	int sp = 0, et, rc;
	uint32_t n, leaf = 0;
	struct elem e;

	T(s3i_thrift_list(t, ft, &et, &n));
	if (et != S3I_TT_STRUCT)
		return bad(t, "schema: not a list of structs");
	if (n == 0)
		return bad(t, "schema: empty");
	if (n > PQ_MAX_SCHEMA)
		return bad(t, "schema: too many elements");
	T(parse_elem(t, &e)); /* the root */
	if (e.type != -1 || e.num_children == 0)
		return bad(t, "schema: root is not a group");
	stack[0].left = e.num_children;
	stack[0].def = 0;
	sp = 1;
	for (uint32_t i = 1; i < n; i++) {
		int def;
		if (sp == 0)
			return bad(t, "schema: more elements than the tree declares");
		T(parse_elem(t, &e));
		stack[sp - 1].left--;
		def = stack[sp - 1].def + (e.rep == 1 || e.rep == 2);
		if (e.rep == 2 && sp == 1 && e.type != -1) {
			/* a repeated top-level leaf: counted as a leaf, never projected */
		}
		if (e.type == -1 || e.num_children > 0) {
			if (e.num_children == 0)
				return bad(t, "schema: group without children");
			if (sp >= MAX_NEST)
				return bad(t, "schema: nested too deep");
			stack[sp].left = e.num_children;
			stack[sp].def = def;
			sp++;
		} else {
			if (sp == 1 && e.rep != 2) {
				for (int c = 0; c < PQ_NCOLS; c++) {
					if (m->col[c].leaf < 0 && strlen(col_names[c]) == e.name_len &&
					    strncasecmp(col_names[c], (const char *)e.name, e.name_len) == 0) {
						m->col[c].leaf = (int)leaf;
						m->col[c].type = e.type;
						m->col[c].max_def = def;
						m->col[c].ts_unit = e.ts_unit;
					}
				}
			}
			if (leaf == INT32_MAX)
				return bad(t, "schema: too many leaves");
			leaf++;
		}
		while (sp > 0 && stack[sp - 1].left == 0)
			sp--;
	}
	if (sp != 0)
		return bad(t, "schema: fewer elements than the tree declares");
	m->nleaves = leaf;
out:
	return rc;
}

/* ---- FileMetaData -------------------------------------------------------- */

int s3i_pq_meta_parse(struct s3i_pq_meta *m, const uint8_t *buf, size_t len, const char **what)
{
	struct s3i_thrift t;
	int16_t last, id;
	int ft, rc = 0, et;
	bool have_schema = false, have_rows = false, have_rgs = false;
	size_t rg_list = 0;
	uint32_t n;

	memset(m, 0, sizeof *m);
	for (int c = 0; c < PQ_NCOLS; c++) {
		m->col[c].leaf = -1;
		m->col[c].name = col_names[c];
	}
	m->buf = buf;
	m->len = len;
	s3i_thrift_init(&t, buf, len);
	T(s3i_thrift_struct_begin(&t, &last));
	for (;;) {
		T(s3i_thrift_field(&t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		switch (id) {
		case 2:
			if (have_schema) {
				rc = bad(&t, "footer: two schemas");
				goto out;
			}
			T(parse_schema(&t, ft, m));
			have_schema = true;
			break;
		case 3:
			T(s3i_thrift_i64(&t, ft, &m->num_rows));
			if (m->num_rows < 0) {
				rc = bad(&t, "footer: negative num_rows");
				goto out;
			}
			have_rows = true;
			break;
		case 4:
			rg_list = t.pos;
			have_rgs = true;
			T(s3i_thrift_skip(&t, ft));
			break;
		default:
			T(s3i_thrift_skip(&t, ft));
		}
	}
	s3i_thrift_struct_end(&t);
	if (!have_schema || !have_rows || !have_rgs) {
		rc = bad(&t, !have_schema ? "footer: no schema"
		             : !have_rows ? "footer: no num_rows" : "footer: no row groups");
		goto out;
	}
	t.pos = rg_list;
	T(s3i_thrift_list(&t, S3I_TT_LIST, &et, &n));
	if (et != S3I_TT_STRUCT && n > 0) {
		rc = bad(&t, "footer: row groups are not structs");
		goto out;
	}
	m->nrg = n;
	m->rg_pos = t.pos;
out:
	if (rc < 0)
		*what = t.what ? t.what : "footer: malformed";
	return rc;
}

/* ---- row groups ----------------------------------------------------------- */

void s3i_pq_rgiter_init(struct s3i_pq_rgiter *it, const struct s3i_pq_meta *m)
{
	it->m = m;
	it->pos = m->rg_pos;
	it->next = 0;
}

static int parse_colmeta(struct s3i_thrift *t, struct s3i_pq_chunk *c, const char *name)
{
	int16_t last, id;
	int ft, rc, et;
	int32_t v;
	uint32_t n;
	int64_t dict = -1, data = -1;
	bool have_codec = false, have_nv = false, have_size = false, have_type = false;

	T(s3i_thrift_struct_begin(t, &last));
	for (;;) {
		T(s3i_thrift_field(t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		switch (id) {
		case 1:
			T(s3i_thrift_i32(t, ft, &v));
			c->type = v;
			have_type = true;
			break;
		case 3: { /* path_in_schema: must be just our name */
			const uint8_t *p;
			size_t pn;
			T(s3i_thrift_list(t, ft, &et, &n));
			if (n != 1 || et != S3I_TT_BINARY)
				return bad(t, "column chunk: path_in_schema does not match the schema");
			T(s3i_thrift_binary(t, et, &p, &pn));
			if (pn != strlen(name) || strncasecmp((const char *)p, name, pn) != 0)
				return bad(t, "column chunk: path_in_schema does not match the schema");
			break;
		}
		case 4:
			T(s3i_thrift_i32(t, ft, &v));
			c->codec = v;
			have_codec = true;
			break;
		case 5:
			T(s3i_thrift_i64(t, ft, &c->num_values));
			have_nv = true;
			break;
		case 7:
			T(s3i_thrift_i64(t, ft, &c->len));
			have_size = true;
			break;
		case 9:
			T(s3i_thrift_i64(t, ft, &data));
			break;
		case 11:
			T(s3i_thrift_i64(t, ft, &dict));
			break;
		default:
			T(s3i_thrift_skip(t, ft));
		}
	}
	s3i_thrift_struct_end(t);
	if (!have_codec || !have_nv || !have_size || !have_type || data < 0)
		return bad(t, "column chunk: metadata lacks a required field");
	if (c->num_values < 0 || c->len < 0)
		return bad(t, "column chunk: negative size or count");
	/* dictionary_page_offset 0 is written by some old writers for "none" */
	c->start = (dict > 0 && dict < data) ? dict : data;
out:
	return rc;
}

static int parse_chunk(struct s3i_thrift *t, struct s3i_pq_chunk *c, const char *name)
{
	int16_t last, id;
	int ft, rc;
	bool have_meta = false;

	T(s3i_thrift_struct_begin(t, &last));
	for (;;) {
		T(s3i_thrift_field(t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		if (id == 1 && ft == S3I_TT_BINARY)
			return bad(t, "column chunk: stored in another file (file_path), unsupported");
		if (id == 3 && ft == S3I_TT_STRUCT) {
			T(parse_colmeta(t, c, name));
			have_meta = true;
		} else {
			T(s3i_thrift_skip(t, ft));
		}
	}
	s3i_thrift_struct_end(t);
	if (!have_meta)
		return bad(t, "column chunk: no metadata (encrypted column?)");
out:
	return rc;
}

static int parse_columns(struct s3i_thrift *t, int ft, const struct s3i_pq_meta *m,
                         struct s3i_pq_rg *rg)
{
	int et, rc = 0;
	uint32_t n;

	T(s3i_thrift_list(t, ft, &et, &n));
	if (n != m->nleaves)
		return bad(t, "row group: column count differs from the schema");
	if (n && et != S3I_TT_STRUCT)
		return bad(t, "row group: columns are not structs");
	for (uint32_t i = 0; i < n; i++) {
		int c;
		for (c = 0; c < PQ_NCOLS; c++)
			if (m->col[c].leaf == (int)i)
				break;
		if (c == PQ_NCOLS) {
			T(s3i_thrift_skip(t, S3I_TT_STRUCT));
			continue;
		}
		T(parse_chunk(t, &rg->chunk[c], m->col[c].name));
		if (rg->chunk[c].type != m->col[c].type)
			return bad(t, "column chunk: type differs from the schema");
		/* a column in several projections (cannot happen: names differ) */
	}
out:
	return rc;
}

int s3i_pq_rgiter_next(struct s3i_pq_rgiter *it, struct s3i_pq_rg *out, const char **what)
{
	struct s3i_thrift t;
	int16_t last, id;
	int ft, rc = 0;
	bool have_cols = false, have_rows = false;

	if (it->next >= it->m->nrg)
		return 0;
	memset(out, 0, sizeof *out);
	s3i_thrift_init(&t, it->m->buf, it->m->len);
	t.pos = it->pos;
	T(s3i_thrift_struct_begin(&t, &last));
	for (;;) {
		T(s3i_thrift_field(&t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		if (id == 1) {
			T(parse_columns(&t, ft, it->m, out));
			have_cols = true;
		} else if (id == 3) {
			T(s3i_thrift_i64(&t, ft, &out->num_rows));
			have_rows = true;
		} else {
			T(s3i_thrift_skip(&t, ft));
		}
	}
	s3i_thrift_struct_end(&t);
	if (!have_cols || !have_rows) {
		rc = bad(&t, "row group: no columns or no num_rows");
		goto out;
	}
	if (out->num_rows < 0) {
		rc = bad(&t, "row group: negative num_rows");
		goto out;
	}
	it->pos = t.pos;
	it->next++;
	return 1;
out:
	*what = t.what ? t.what : "row group: malformed";
	return rc;
}

/* ---- PageHeader ------------------------------------------------------------ */

static int parse_dph(struct s3i_thrift *t, struct s3i_pq_page *pg, int kind)
{
	int16_t last, id;
	int ft, rc;
	int32_t v;
	int seen = 0;

	T(s3i_thrift_struct_begin(t, &last));
	for (;;) {
		T(s3i_thrift_field(t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		if (kind == PQ_DATA_PAGE_V2 && id == 7) { /* is_compressed */
			if (ft != S3I_TT_TRUE && ft != S3I_TT_FALSE)
				return bad(t, "page header: is_compressed is not a bool");
			pg->v2_compressed = ft == S3I_TT_TRUE;
			continue;
		}
		if (id < 1 || id > 6 || (kind != PQ_DATA_PAGE_V2 && id > 3)) {
			T(s3i_thrift_skip(t, ft));
			continue;
		}
		if (kind == PQ_DICTIONARY_PAGE && id == 3) {
			T(s3i_thrift_skip(t, ft)); /* is_sorted */
			continue;
		}
		T(s3i_thrift_i32(t, ft, &v));
		seen |= 1 << id;
		if (id == 1) {
			if (v < 0)
				return bad(t, "page header: negative num_values");
			pg->num_values = v;
		} else if (kind == PQ_DATA_PAGE_V2) {
			if (id == 4)
				pg->encoding = v;
			else if (id == 5)
				pg->def_len = v;
			else if (id == 6)
				pg->rep_len = v;
			if ((id == 5 || id == 6) && v < 0)
				return bad(t, "page header: negative level length");
		} else {
			if (id == 2)
				pg->encoding = v;
			else if (id == 3)
				pg->def_encoding = v;
		}
	}
	s3i_thrift_struct_end(t);
	if (!(seen & 2) || !(seen & 4) ||
	    (kind == PQ_DATA_PAGE_V2 && (!(seen & 16) || !(seen & 32) || !(seen & 64))))
		return bad(t, "page header: a required field is missing");
	pg->has_header = true;
out:
	return rc;
}

int s3i_pq_page_parse(struct s3i_pq_page *pg, size_t *hlen, const uint8_t *buf, size_t len,
                      const char **what)
{
	struct s3i_thrift t;
	int16_t last, id;
	int ft, rc = 0;
	int32_t v;
	bool have_type = false, have_u = false, have_c = false;

	memset(pg, 0, sizeof *pg);
	pg->v2_compressed = true;
	pg->def_encoding = PQ_RLE;
	s3i_thrift_init(&t, buf, len);
	T(s3i_thrift_struct_begin(&t, &last));
	for (;;) {
		T(s3i_thrift_field(&t, &last, &ft, &id));
		if (ft == S3I_TT_STOP)
			break;
		switch (id) {
		case 1:
			T(s3i_thrift_i32(&t, ft, &v));
			pg->type = v;
			have_type = true;
			break;
		case 2:
			T(s3i_thrift_i32(&t, ft, &pg->usize));
			have_u = true;
			break;
		case 3:
			T(s3i_thrift_i32(&t, ft, &pg->csize));
			have_c = true;
			break;
		case 5:
		case 7:
		case 8:
			if (ft != S3I_TT_STRUCT) {
				rc = bad(&t, "page header: sub-header is not a struct");
				goto out;
			}
			if (!have_type || (id == 5 && pg->type != PQ_DATA_PAGE) ||
			    (id == 7 && pg->type != PQ_DICTIONARY_PAGE) ||
			    (id == 8 && pg->type != PQ_DATA_PAGE_V2)) {
				T(s3i_thrift_skip(&t, ft));
				break;
			}
			T(parse_dph(&t, pg, pg->type));
			break;
		default:
			T(s3i_thrift_skip(&t, ft));
		}
	}
	s3i_thrift_struct_end(&t);
	if (!have_type || !have_u || !have_c) {
		rc = bad(&t, "page header: type or sizes missing");
		goto out;
	}
	if (pg->usize < 0 || pg->csize < 0) {
		rc = bad(&t, "page header: negative page size");
		goto out;
	}
	*hlen = t.pos;
out:
	if (rc < 0)
		*what = t.what ? t.what : "page header: malformed";
	return rc;
}
