/* SPDX-License-Identifier: MIT */
/*
 * reader.c — an open index: mmap, validation, accessors and exact lookup
 * (the public s3inv_index_* API; layout in docs/index-format.md).
 *
 * Open validates the header checksum, every section's bounds, widths and
 * exact lengths, the metadata and the MPHF header; with S3INV_OPEN_VERIFY
 * it also checks every section's checksum. After that, every accessor
 * reads within its section for any pos < n; the few values that point
 * elsewhere (class and age entry counts, string block offsets, varints,
 * slot positions, subtree ends) are checked where they are used, so a
 * damaged file gives an error or a miss, never a crash. An open index is
 * immutable and may be shared by any number of threads.
 */
#include "index/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "index/format.h"
#include "util/alloc.h"
#include "util/err.h"

#define MPHF_SEED 0x5333494e56ULL

static const struct {
	uint32_t id;
	const char *name;
	int kind; /* 0 blob, 1 column of n, 2 class masks, 3 column of class values, 4 blocks,
	           * 5 slots, 6 one value per S3I_AGE_BLOCK prefixes, 7 column of age entries,
	           * 8 small-state blocks, 9 column of "some small" entries, 10 class bases */
} sec_desc[] = {
	{S3I_SEC_META, "meta", 0},           {S3I_SEC_OBJECTS, "objects", 1},
	{S3I_SEC_BYTES, "bytes", 1},         {S3I_SEC_NC_OBJECTS, "nc_objects", 1},
	{S3I_SEC_NC_BYTES, "nc_bytes", 1},   {S3I_SEC_DMARKERS, "delete_markers", 1},
	{S3I_SEC_DEPTH, "depth", 1},         {S3I_SEC_SUBTREE, "subtree", 1},
	{S3I_SEC_MAXDEPTH, "maxdepth", 1},   {S3I_SEC_CLASS_MASK, "class_mask", 2},
	{S3I_SEC_CLASS_BASE, "class_base", 10}, {S3I_SEC_CLASS_OBJ, "class_objects", 3},
	{S3I_SEC_CLASS_BYTES, "class_bytes", 3}, {S3I_SEC_STR_BLOCKS, "string_blocks", 4},
	{S3I_SEC_STR_DATA, "strings", 0},    {S3I_SEC_MPHF, "mphf", 0},
	{S3I_SEC_SLOTS, "slots", 5},
	{S3I_SEC_AGE_MASK, "age_mask", 1},   {S3I_SEC_AGE_BASE, "age_base", 6},
	{S3I_SEC_AGE_OBJ, "age_objects", 7}, {S3I_SEC_AGE_BYTES, "age_bytes", 7},
	{S3I_SEC_SMALL_STATE, "small_state", 8},
	{S3I_SEC_SMALL_OBJ, "small_objects", 9}, {S3I_SEC_SMALL_BYTES, "small_bytes", 9},
};
#define NDESC (sizeof sec_desc / sizeof sec_desc[0])

const char *s3i_section_name(uint32_t id)
{
	for (size_t i = 0; i < NDESC; i++)
		if (sec_desc[i].id == id)
			return sec_desc[i].name;
	return "unknown";
}

static struct s3i_col *col_for(struct s3inv_index *x, uint32_t id)
{
	switch (id) {
	case S3I_SEC_OBJECTS: return &x->obj;
	case S3I_SEC_BYTES: return &x->bytes;
	case S3I_SEC_NC_OBJECTS: return &x->ncobj;
	case S3I_SEC_NC_BYTES: return &x->ncbytes;
	case S3I_SEC_DMARKERS: return &x->dm;
	case S3I_SEC_DEPTH: return &x->depth;
	case S3I_SEC_SUBTREE: return &x->sub;
	case S3I_SEC_MAXDEPTH: return &x->maxd;
	case S3I_SEC_CLASS_MASK: return &x->clsmask;
	case S3I_SEC_CLASS_BASE: return &x->clsbase;
	case S3I_SEC_CLASS_OBJ: return &x->clsobj;
	case S3I_SEC_CLASS_BYTES: return &x->clsbytes;
	case S3I_SEC_STR_BLOCKS: return &x->strblk;
	case S3I_SEC_AGE_MASK: return &x->agemask;
	case S3I_SEC_AGE_BASE: return &x->agebase;
	case S3I_SEC_AGE_OBJ: return &x->ageobj;
	case S3I_SEC_AGE_BYTES: return &x->agebytes;
	case S3I_SEC_SMALL_STATE: return &x->smstate;
	case S3I_SEC_SMALL_OBJ: return &x->smobj;
	case S3I_SEC_SMALL_BYTES: return &x->smbytes;
	default: return NULL;
	}
}

static int parse_meta(struct s3inv_index *x, const char *p, size_t len, s3inv_error *err)
{
	json_error_t je;
	json_t *m = json_loadb(p, len, 0, &je), *cls;
	size_t i;
	if (!m || !json_is_object(m)) {
		json_decref(m);
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'meta': not valid JSON", x->path);
	}
	x->meta = m;
#define S(k) (json_string_value(json_object_get(m, k)) ? json_string_value(json_object_get(m, k)) : "")
	x->info.source_bucket = S("source_bucket");
	x->info.dest_bucket = S("dest_bucket");
	x->info.manifest = S("manifest");
	x->info.file_format = S("file_format");
	x->info.tool_version = S("tool");
	x->info.built_at = S("built_at");
	x->info.mphf = S("mphf");
	x->info.delimiter = S("delimiter")[0] ? S("delimiter")[0] : '/';
#undef S
	x->info.creation_ms = (int64_t)json_integer_value(json_object_get(m, "creation_ms"));
	x->info.rows = (uint64_t)json_integer_value(json_object_get(m, "rows"));
	x->info.max_depth = json_is_integer(json_object_get(m, "max_depth"))
	                        ? (int)json_integer_value(json_object_get(m, "max_depth"))
	                        : -1;
	x->info.has_size = json_is_true(json_object_get(m, "has_size"));
	x->info.has_versions = json_is_true(json_object_get(m, "has_versions"));
	x->info.has_age = json_is_true(json_object_get(m, "has_age"));
	x->info.has_small = json_is_true(json_object_get(m, "has_small"));
	cls = json_object_get(m, "classes");
	if (!json_is_array(cls) || json_array_size(cls) > 65536)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'meta': no class table", x->path);
	x->n_classes = (uint32_t)json_array_size(cls);
	x->class_names = s3i_calloc(x->n_classes + 1, sizeof *x->class_names);
	if (!x->class_names)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	for (i = 0; i < x->n_classes; i++) {
		const char *s = json_string_value(json_array_get(cls, i));
		if (!s)
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'meta': bad class name", x->path);
		x->class_names[i] = s;
	}
	x->info.n_classes = x->n_classes;
	return 0;
}

static int validate(struct s3inv_index *x, unsigned flags, s3inv_error *err)
{
	const unsigned char *h = x->map;
	uint64_t nsec, table_end, n_entries, nb, i;
	unsigned char head[S3I_HEADER_SIZE + 64 * S3I_SECTION_ENTRY];
	const unsigned char *meta = NULL, *mphf = NULL;
	uint64_t meta_len = 0, mphf_len = 0;
	bool seen[NDESC] = {false};
	int rc;

	if (x->size < S3I_HEADER_SIZE || memcmp(h, S3I_MAGIC, 8) != 0)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: not an s3inv index (bad magic)", x->path);
	if (s3i_get_le(h + 8, 4) != S3I_FORMAT_VERSION)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: unsupported index format version %u",
		                   x->path, (unsigned)s3i_get_le(h + 8, 4));
	nsec = s3i_get_le(h + 16, 4);
	if (s3i_get_le(h + 12, 4) != S3I_HEADER_SIZE || nsec == 0 || nsec > 64)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: header: bad section count", x->path);
	table_end = S3I_HEADER_SIZE + nsec * S3I_SECTION_ENTRY;
	if (table_end > x->size)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: truncated (section table cut off)", x->path);
	if (s3i_get_le(h + 32, 8) != x->size)
		return s3i_err_set(err, S3INV_ECORRUPT,
		                   "%s: truncated or extended: header says %llu bytes, file has %llu",
		                   x->path, (unsigned long long)s3i_get_le(h + 32, 8),
		                   (unsigned long long)x->size);
	memcpy(head, h, (size_t)table_end);
	memset(head + 40, 0, 8);
	if (XXH3_64bits(head, (size_t)table_end) != s3i_get_le(h + 40, 8))
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: header: checksum mismatch", x->path);
	x->n = s3i_get_le(h + 24, 8);
	if (x->n == 0 || x->n > 0xffffffffULL)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: header: bad prefix count", x->path);

	/* first pass: bounds, widths, checksums */
	for (i = 0; i < nsec; i++) {
		const unsigned char *e = h + S3I_HEADER_SIZE + i * S3I_SECTION_ENTRY;
		uint32_t id = (uint32_t)s3i_get_le(e, 4), w = (uint32_t)s3i_get_le(e + 4, 4);
		uint64_t off = s3i_get_le(e + 8, 8), len = s3i_get_le(e + 16, 8);
		size_t d;
		for (d = 0; d < NDESC && sec_desc[d].id != id; d++)
			;
		if (d == NDESC)
			continue; /* unknown sections are skipped (forward compatibility) */
		if (seen[d])
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: section '%s' appears twice", x->path, sec_desc[d].name);
		seen[d] = true;
		if (off < table_end || off > x->size || len > x->size - off || off % 8 != 0)
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: section '%s': out of bounds",
			                   x->path, sec_desc[d].name);
		if ((flags & S3INV_OPEN_VERIFY) || id == S3I_SEC_META) {
			if (XXH3_64bits(x->map + off, (size_t)len) != s3i_get_le(e + 24, 8))
				return s3i_err_set(err, S3INV_ECHECKSUM, "%s: section '%s': checksum mismatch",
				                   x->path, sec_desc[d].name);
		}
		if (sec_desc[d].kind == 5) {
			if (w <= S3I_SLOT_FP_BITS + S3I_SLOT_K_BITS || w > S3I_SLOT_MAX_BITS ||
			    len != s3i_slot_len(x->n, w))
				return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'slots': bad size", x->path);
			x->slots = x->map + off;
			x->slot_w = w;
		} else if (sec_desc[d].kind != 0) {
			struct s3i_col *c = col_for(x, id);
			if (w != 0 && w != 1 && w != 2 && w != 4 && w != 8 && w != S3I_PACKED)
				return s3i_err_set(err, S3INV_ECORRUPT, "%s: section '%s': bad width %u",
				                   x->path, sec_desc[d].name, w);
			c->p = x->map + off;
			c->w = w;
			c->len = len;
		} else if (id == S3I_SEC_META) {
			meta = x->map + off;
			meta_len = len;
		} else if (id == S3I_SEC_STR_DATA) {
			x->str = x->map + off;
			x->str_len = len;
		} else if (id == S3I_SEC_MPHF) {
			mphf = x->map + off;
			mphf_len = len;
		}
	}
	for (i = 0; i < NDESC; i++)
		if (!seen[i])
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: section '%s' is missing", x->path,
			                   sec_desc[i].name);
	/* exact column lengths; the class entries and values: the last
	 * block's bases plus its masks' */
	x->clsmask.n = x->n;
	nb = (x->n + S3I_CLASS_BLOCK - 1) / S3I_CLASS_BLOCK;
	x->clsbase.n = 2 * nb;
	if ((x->clsmask.w != 1 && x->clsmask.w != 2 && x->clsmask.w != 4 && x->clsmask.w != 8) ||
	    x->clsmask.len != x->n * x->clsmask.w)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'class_mask': bad size", x->path);
	if ((x->clsbase.w != 4 && x->clsbase.w != 8) || x->clsbase.len != x->clsbase.n * x->clsbase.w)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'class_base': bad size", x->path);
	{
		uint64_t q = (nb - 1) * S3I_CLASS_BLOCK, e, v;
		s3i_class_count(x->clsmask.p + q * x->clsmask.w, x->clsmask.w, x->n - q, &e, &v);
		x->n_entries = n_entries = s3i_col_get(&x->clsbase, 2 * (nb - 1)) + e;
		x->n_vals = s3i_col_get(&x->clsbase, 2 * (nb - 1) + 1) + v;
		if (x->n_entries < e || x->n_vals < v || x->n_vals > x->n_entries)
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'class_base': bad counts",
			                   x->path);
	}
	x->strblk.n = (x->n + S3I_STR_BLOCK - 1) / S3I_STR_BLOCK;
	/* age entries: the last block's base plus its prefixes' counts */
	x->agebase.n = (x->n + S3I_AGE_BLOCK - 1) / S3I_AGE_BLOCK;
	x->n_age = 0;
	if (x->agemask.w != 0 && x->agemask.w != 1)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'age_mask': bad width", x->path);
	if (x->agemask.w && (x->agemask.len != x->n || x->agebase.w == S3I_PACKED ||
	                     x->agebase.w == 0 || x->agebase.len != x->agebase.n * x->agebase.w))
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'age_base': bad size", x->path);
	if (x->agemask.w) {
		uint64_t q = (x->agebase.n - 1) * S3I_AGE_BLOCK;
		x->n_age = s3i_col_get(&x->agebase, x->agebase.n - 1);
		for (; q < x->n; q++)
			x->n_age += s3i_age_count(x->agemask.p[q]);
	}
	/* small-object states: blocks of S3I_SMALL_BLOCK entries; the "some"
	 * entries are the last block's count plus its own */
	x->n_small = 0;
	if (x->smstate.len) {
		uint64_t ns = (n_entries + S3I_SMALL_BLOCK - 1) / S3I_SMALL_BLOCK;
		const unsigned char *lb;
		if (x->smstate.len != ns * S3I_SMALL_BLOCK_BYTES)
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'small_state': bad size",
			                   x->path);
		if (ns) {
			lb = x->smstate.p + (ns - 1) * S3I_SMALL_BLOCK_BYTES;
			x->n_small = s3i_get_le(lb, 4) + s3i_small_some(lb, S3I_SMALL_BLOCK);
		}
	}
	for (i = 0; i < NDESC; i++) {
		struct s3i_col *c = col_for(x, sec_desc[i].id);
		if (!c || sec_desc[i].kind == 2 || sec_desc[i].kind == 4 || sec_desc[i].kind == 8 ||
		    sec_desc[i].kind == 10)
			continue;
		c->n = sec_desc[i].kind == 1 ? x->n
		     : sec_desc[i].kind == 6 ? x->agebase.n
		     : sec_desc[i].kind == 7 ? x->n_age
		     : sec_desc[i].kind == 9 ? x->n_small
		                             : x->n_vals;
		if (c->w == S3I_PACKED) {
			/* directory, data, 8 bytes of padding; an absent
			 * analysis section (length 0) reads as zeros */
			c->nblocks = (c->n + S3I_PACK_BLOCK - 1) / S3I_PACK_BLOCK;
			if (c->len == 0 && sec_desc[i].kind != 1) {
				c->nblocks = 0;
				continue;
			}
			if (c->len < c->nblocks * 8 + 8)
				return s3i_err_set(err, S3INV_ECORRUPT, "%s: section '%s': bad size",
				                   x->path, sec_desc[i].name);
			c->data = c->p + c->nblocks * 8;
			c->dlen = c->len - c->nblocks * 8 - 8;
			continue;
		}
		if (c->len != c->n * c->w || (c->w == 0 && c->len != 0))
			return s3i_err_set(err, S3INV_ECORRUPT, "%s: section '%s': bad size", x->path,
			                   sec_desc[i].name);
	}
	if (x->strblk.w == 0 || x->strblk.len != x->strblk.n * x->strblk.w)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'string_blocks': bad size", x->path);
	if (x->sub.w != S3I_PACKED || x->depth.w != S3I_PACKED || x->maxd.w != S3I_PACKED)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'subtree': bad width", x->path);
	TRY(parse_meta(x, (const char *)meta, (size_t)meta_len, err));
	if ((rc = s3i_mphf_open(&x->mphf, mphf, (size_t)mphf_len, err)) < 0) {
		s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'mphf': damaged", x->path);
		goto out;
	}
	if (x->mphf.n != x->n)
		return s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'mphf': wrong key count", x->path);
	x->info.prefixes = x->n;
	x->info.file_bytes = x->size;
	x->info.format_version = S3I_FORMAT_VERSION;
out:
	return rc;
}

int s3inv_index_open(s3inv_index **out, const char *path, unsigned flags, s3inv_error *err)
{
	struct s3inv_index *x;
	struct stat st;
	int rc = 0;

	*out = NULL;
	x = s3i_calloc(1, sizeof *x);
	if (!x)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	x->fd = -1;
	x->map = MAP_FAILED;
	x->path = s3i_strdup(path);
	if (!x->path) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	x->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (x->fd < 0) {
		rc = s3i_err_sys(err, errno == ENOENT ? S3INV_ENOTFOUND : S3INV_EIO, errno, "%s", path);
		goto out;
	}
	if (fstat(x->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = s3i_err_set(err, S3INV_EIO, "%s: not a regular file", path);
		goto out;
	}
	x->size = (size_t)st.st_size;
	if (x->size < S3I_HEADER_SIZE) {
		rc = s3i_err_set(err, S3INV_ECORRUPT, "%s: not an s3inv index (too short: %zu bytes)",
		                 path, x->size);
		goto out;
	}
	x->map = mmap(NULL, x->size, PROT_READ, MAP_SHARED, x->fd, 0);
	if (x->map == MAP_FAILED) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: mmap failed", path);
		goto out;
	}
	TRY(validate(x, flags, err));
out:
	if (rc < 0) {
		s3inv_index_close(x);
		return rc;
	}
	*out = x;
	return 0;
}

void s3inv_index_close(s3inv_index *x)
{
	if (!x)
		return;
	if (x->map != MAP_FAILED && x->map)
		munmap(x->map, x->size);
	if (x->fd >= 0)
		close(x->fd);
	json_decref(x->meta);
	s3i_free(x->class_names);
	s3i_free(x->path);
	s3i_free(x);
}

void s3inv_index_info_get(const s3inv_index *x, s3inv_index_info *out)
{
	*out = x->info;
}

/* ---------------------------------------------------------------- strings */

static int rd_varint(const struct s3inv_index *x, uint64_t *off, uint64_t *v)
{
	unsigned shift = 0;
	*v = 0;
	for (;;) {
		unsigned char b;
		if (*off >= x->str_len || shift > 63)
			return S3INV_ECORRUPT;
		b = x->str[(*off)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
}

/* Decode the prefix at POS into BUF (S3I_MAX_PREFIX bytes); *len = its length. */
int s3i_index_decode(const struct s3inv_index *x, uint64_t pos, unsigned char *buf, size_t *len)
{
	uint64_t b = pos / S3I_STR_BLOCK, off, i, cur = 0;
	if (pos >= x->n)
		return S3INV_EINVAL;
	off = s3i_col_get(&x->strblk, b);
	for (i = b * S3I_STR_BLOCK; i <= pos; i++) {
		uint64_t shared = 0, n;
		if (i != b * S3I_STR_BLOCK && rd_varint(x, &off, &shared) < 0)
			return S3INV_ECORRUPT;
		if (rd_varint(x, &off, &n) < 0)
			return S3INV_ECORRUPT;
		if (shared > cur || n > S3I_MAX_PREFIX - shared || n > x->str_len - off)
			return S3INV_ECORRUPT;
		memcpy(buf + shared, x->str + off, (size_t)n);
		off += n;
		cur = shared + n;
	}
	*len = (size_t)cur;
	return 0;
}

long s3inv_index_prefix(const s3inv_index *x, uint64_t pos, char *buf, size_t cap)
{
	unsigned char *tmp = s3i_malloc(S3I_MAX_PREFIX);
	size_t len = 0;
	int rc;
	if (!tmp)
		return S3INV_ENOMEM;
	rc = s3i_index_decode(x, pos, tmp, &len);
	if (rc < 0) {
		s3i_free(tmp);
		return rc;
	}
	if (cap > 0) {
		size_t k = len < cap - 1 ? len : cap - 1;
		memcpy(buf, tmp, k);
		buf[k] = '\0';
	}
	s3i_free(tmp);
	return (long)len;
}

/* ---------------------------------------------------------------- lookup */

/* rd_varint with the one-byte case (every length below 128) inline. */
static inline int rd_len(const struct s3inv_index *x, uint64_t *off, uint64_t *v)
{
	if (*off < x->str_len && x->str[*off] < 0x80) {
		*v = x->str[(*off)++];
		return 0;
	}
	return rd_varint(x, off, v);
}

/* Compare entry K of the string block whose first entry is at OFF with
 * KEY, without decoding it into a buffer. A forward pass over the
 * front-coded block reads only the entry headers (shared length, suffix
 * length) up to entry K, skipping the bytes; then, from K backwards, each
 * entry contributes the bytes [shared_i, need) of the final string,
 * compared with memcmp against the same range of KEY (need starts at the
 * final length and drops to shared_i), so every byte is compared once and
 * the first mismatch ends the walk; K's own suffix is compared first.
 * Damage reads as "not equal", with the same bounds checks as
 * s3i_index_decode. @return 1 equal, 0 different. */
static int prefix_equals(const struct s3inv_index *x, uint64_t off, unsigned k, const char *key,
                         size_t len)
{
	/* the section in locals, so the walk keeps them in registers */
	const unsigned char *kp = (const unsigned char *)key, *str = x->str;
	const uint64_t slen = x->str_len;
	uint64_t eoff[S3I_STR_BLOCK], eshared[S3I_STR_BLOCK], cur = 0, need;
	unsigned c;
/* a varint into V: one byte inline, longer ones through rd_varint */
#define RD(v)                                                                                      \
	do {                                                                                       \
		if (off < slen && str[off] < 0x80)                                                 \
			(v) = str[off++];                                                          \
		else if (rd_varint(x, &off, &(v)) < 0)                                             \
			return 0;                                                                  \
	} while (0)
	for (c = 0;; c++) {
		uint64_t shared = 0, n;
		if (c != 0)
			RD(shared);
		RD(n);
		if (shared > cur || n > S3I_MAX_PREFIX - shared || n > slen - off)
			return 0;
		eoff[c] = off;
		eshared[c] = shared;
		cur = shared + n;
		if (c == k)
			break;
		off += n;
	}
#undef RD
	if (cur != len)
		return 0;
	need = len;
	for (;;) {
		uint64_t sh = eshared[c];
		if (sh < need) {
			if (memcmp(str + eoff[c], kp + sh, (size_t)(need - sh)) != 0)
				return 0;
			need = sh;
		}
		if (need == 0 || c == 0)
			return need == 0;
		c--;
	}
}

/* Slot record of SLOT without its fingerprint ((block offset << 4) | entry)
 * when the fingerprint matches H, else UINT64_MAX. */
static inline uint64_t slot_rec(const struct s3inv_index *x, uint64_t slot, struct s3i_hash128 h)
{
	uint64_t r;
	if (slot >= x->n)
		return UINT64_MAX;
	r = s3i_get_bits(x->slots, slot * x->slot_w, x->slot_w);
	if ((r & ((1u << S3I_SLOT_FP_BITS) - 1)) != s3i_slot_fp(s3i_fingerprint(h.lo, h.hi)))
		return UINT64_MAX;
	return r >> S3I_SLOT_FP_BITS;
}

/* Prefetch the first lines of the string block a slot record REC points
 * to (a block's first entry is ~30 bytes, the next ones ~10: 16 entries
 * take ~160 bytes, 3 or 4 lines from an arbitrary start). A macro, not a function: GCC's pure-const
 * analysis takes a static function that only prefetches for one without
 * effects and deletes its calls before they are inlined. */
#define BLOCK_LINES 4
#define PREFETCH_BLOCK(x, rec)                                                                     \
	do {                                                                                       \
		uint64_t off_ = (rec) >> S3I_SLOT_K_BITS;                                          \
		if (off_ < (x)->str_len)                                                           \
			for (unsigned i_ = 0; i_ < BLOCK_LINES; i_++)                              \
				__builtin_prefetch((x)->str + off_ + (uint64_t)i_ * 64);           \
	} while (0)

/* Compare KEY with the prefix a slot record REC points to; on a match,
 * *POS = its position (block number from the block header * 16 + entry).
 * @return 1 equal, 0 not (or damaged). */
static int rec_equals(const struct s3inv_index *x, uint64_t rec, const char *key, size_t len,
                      uint64_t *pos)
{
	uint64_t off = rec >> S3I_SLOT_K_BITS, b, p;
	unsigned k = (unsigned)(rec & (S3I_STR_BLOCK - 1));
	if (rec == UINT64_MAX || rd_len(x, &off, &b) < 0 || b >= x->strblk.n)
		return 0;
	p = b * S3I_STR_BLOCK + k;
	if (p >= x->n || !prefix_equals(x, off, k, key, len))
		return 0;
	*pos = p;
	return 1;
}

int s3inv_index_lookup(const s3inv_index *x, const char *prefix, size_t len, uint64_t *pos)
{
	struct s3i_hash128 h;
	uint64_t rec;
	if (len >= S3I_MAX_PREFIX)
		return S3INV_ENOTFOUND;
	h = s3i_mphf_hash(MPHF_SEED, prefix, len);
	rec = slot_rec(x, s3i_mphf_slot(&x->mphf, h), h);
	if (rec == UINT64_MAX)
		return S3INV_ENOTFOUND;
	PREFETCH_BLOCK(x, rec);
	return rec_equals(x, rec, prefix, len, pos) ? 0 : S3INV_ENOTFOUND;
}

/* Batch lookup as a pipeline over groups of G keys (a ring of 4 groups):
 * at step g, group g-1 gets its slots (records prefetched), group g-2 its
 * records read (fingerprint; the string block's first lines prefetched),
 * group g hashed (pilots prefetched, buckets kept) and group g-3
 * compared. Each stage's memory access was prefetched one step earlier. A
 * hit costs two dependent random reads after the pilot: the record and
 * the block (whose header gives the position).
 *
 * Why groups rather than one key per stage and step: the records and
 * blocks are spread over tens of MB, so nearly every prefetch misses the
 * TLB, and a prefetch retires only once its page walk is done. One key
 * per step puts a whole hash and compare (hundreds of instructions, about
 * the reorder window) between two such prefetches, so their walks hardly
 * overlap; the two light stages run over a whole group first, so G slot
 * prefetches, then G block prefetches, are in flight together. G = 8:
 * paired runs (old and new pipeline in one process, bench_lookup's keys)
 * gave ~0.9x the one-key pipeline's time at 10M prefixes for G = 8 to 64,
 * but 1.04x at 1M for G = 8 against 1.07-1.13x for G = 4, 16 and 32 (the
 * index's page tables cached there, a burst only fills the miss buffers). */
enum { G = 8, RING = 4 * G };

struct bstate {
	struct s3i_hash128 h;
	uint64_t v; /* bucket token, then slot, then record (UINT64_MAX: miss) */
};

static inline void b_hash(const struct s3inv_index *x, struct bstate *q, const char *key,
                          size_t len)
{
	if (len >= S3I_MAX_PREFIX) {
		q->v = UINT64_MAX;
	} else {
		q->h = s3i_mphf_hash(MPHF_SEED, key, len);
		q->v = s3i_mphf_start(&x->mphf, q->h);
	}
}

static inline void b_slot(const struct s3inv_index *x, struct bstate *q)
{
	if (q->v != UINT64_MAX) {
		q->v = s3i_mphf_finish(&x->mphf, q->h, q->v);
		if (q->v < x->n) { /* the record's 8-byte window may span two lines */
			const unsigned char *r = x->slots + (q->v * x->slot_w >> 3);
			__builtin_prefetch(r);
			__builtin_prefetch(r + 7);
		}
	}
}

static inline void b_rec(const struct s3inv_index *x, struct bstate *q)
{
	if (q->v != UINT64_MAX) {
		q->v = slot_rec(x, q->v, q->h);
		if (q->v != UINT64_MAX)
			PREFETCH_BLOCK(x, q->v);
	}
}

size_t s3inv_index_lookup_batch(const s3inv_index *x, const char *const *prefixes,
                                const size_t *lens, size_t n, uint64_t *pos)
{
	struct bstate st[RING];
	size_t g, i, found = 0, ng = (n + G - 1) / G;
	for (g = 0; g < ng + 3; g++) {
		size_t lo, hi;
		if (g >= 1 && g - 1 < ng) /* slots of group g-1 */
			for (i = (g - 1) * G, hi = i + G < n ? i + G : n; i < hi; i++)
				b_slot(x, &st[i % RING]);
		if (g >= 2 && g - 2 < ng) /* records of group g-2 */
			for (i = (g - 2) * G, hi = i + G < n ? i + G : n; i < hi; i++)
				b_rec(x, &st[i % RING]);
		if (g < ng) /* hash group g */
			for (i = g * G, hi = i + G < n ? i + G : n; i < hi; i++)
				b_hash(x, &st[i % RING], prefixes[i], lens[i]);
		if (g >= 3 && g - 3 < ng) { /* compare group g-3 */
			for (lo = (g - 3) * G, i = lo, hi = i + G < n ? i + G : n; i < hi; i++) {
				if (rec_equals(x, st[i % RING].v, prefixes[i], lens[i], &pos[i]))
					found++;
				else
					pos[i] = UINT64_MAX;
			}
		}
	}
	return found;
}

/* ---------------------------------------------------------------- stats */

int s3i_index_class_span(const struct s3inv_index *x, uint64_t pos, uint64_t *mask,
                         uint64_t *entry, uint64_t *val)
{
	uint64_t q = pos / S3I_CLASS_BLOCK, e, v;
	unsigned w = x->clsmask.w;
	if (pos >= x->n)
		return S3INV_EINVAL;
	s3i_class_count(x->clsmask.p + q * S3I_CLASS_BLOCK * w, w, pos % S3I_CLASS_BLOCK, &e, &v);
	*entry = s3i_col_get(&x->clsbase, 2 * q) + e;
	*val = s3i_col_get(&x->clsbase, 2 * q + 1) + v;
	*mask = s3i_get_le(x->clsmask.p + pos * w, w);
	e = (uint64_t)__builtin_popcountll(*mask);
	if (*entry > x->n_entries || e > x->n_entries - *entry || *val > x->n_vals ||
	    e - (e != 0) > x->n_vals - *val)
		return S3INV_ECORRUPT;
	return 0;
}

int s3inv_index_stats(const s3inv_index *x, uint64_t pos, s3inv_stats *out)
{
	uint64_t mask, e, v;
	if (pos >= x->n)
		return S3INV_EINVAL;
	memset(out, 0, sizeof *out);
	out->pos = pos;
	out->depth = (uint32_t)s3i_col_get(&x->depth, pos);
	out->max_depth = (uint32_t)s3i_index_maxdepth(x, pos);
	out->subtree_end = s3i_index_end(x, pos);
	out->objects = s3i_col_get(&x->obj, pos);
	out->bytes = s3i_col_get(&x->bytes, pos);
	out->nc_objects = s3i_col_get(&x->ncobj, pos);
	out->nc_bytes = s3i_col_get(&x->ncbytes, pos);
	out->delete_markers = s3i_col_get(&x->dm, pos);
	if (out->subtree_end > x->n || s3i_index_class_span(x, pos, &mask, &e, &v) < 0)
		return S3INV_ECORRUPT;
	out->n_classes = (uint32_t)__builtin_popcountll(mask);
	return 0;
}

int s3inv_index_class_stats(const s3inv_index *x, uint64_t pos, s3inv_class_stats *out,
                            size_t cap)
{
	uint64_t mask, e, v, objects, bytes, so = 0, sb = 0;
	unsigned k = 0, n;
	if (pos >= x->n)
		return S3INV_EINVAL;
	if (s3i_index_class_span(x, pos, &mask, &e, &v) < 0)
		return S3INV_ECORRUPT;
	n = (unsigned)__builtin_popcountll(mask);
	/* the last entry is the prefix's totals minus the others */
	objects = s3i_col_get(&x->obj, pos);
	bytes = s3i_col_get(&x->bytes, pos);
	for (; mask; mask &= mask - 1, k++) {
		uint32_t id = (uint32_t)__builtin_ctzll(mask);
		uint64_t o, b;
		if (id >= x->n_classes)
			return S3INV_ECORRUPT;
		if (k + 1 < n) {
			o = s3i_col_get(&x->clsobj, v + k);
			b = s3i_col_get(&x->clsbytes, v + k);
			if (o == 0 || o >= objects || b > bytes)
				return S3INV_ECORRUPT;
			objects -= o;
			bytes -= b;
		} else {
			o = objects;
			b = bytes;
		}
		if (s3i_index_small(x, e + k, o, b, &so, &sb) < 0)
			return S3INV_ECORRUPT;
		if (k < cap)
			out[k] = (s3inv_class_stats){x->class_names[id], id, o, b, so, sb};
	}
	return (int)n;
}

const char *s3inv_index_class_name(const s3inv_index *x, uint32_t id)
{
	return id < x->n_classes ? x->class_names[id] : NULL;
}

int s3inv_index_first_child(const s3inv_index *x, uint64_t pos, uint64_t *child)
{
	uint64_t end;
	if (pos >= x->n)
		return S3INV_EINVAL;
	end = s3i_index_end(x, pos);
	if (pos + 1 < end && end <= x->n) {
		*child = pos + 1;
		return 0;
	}
	return S3INV_ITEROVER;
}

int s3inv_index_next_sibling(const s3inv_index *x, uint64_t pos, uint64_t *next)
{
	uint64_t end;
	if (pos >= x->n)
		return S3INV_EINVAL;
	end = s3i_index_end(x, pos);
	if (end < x->n && s3i_col_get(&x->depth, end) == s3i_col_get(&x->depth, pos)) {
		*next = end;
		return 0;
	}
	return S3INV_ITEROVER;
}

uint64_t s3i_index_col(const struct s3i_col *c, uint64_t i)
{
	return s3i_col_get(c, i);
}

int s3i_index_age_entries(const struct s3inv_index *x, uint64_t pos, uint64_t *first,
                          unsigned *count)
{
	uint64_t q = pos / S3I_AGE_BLOCK * S3I_AGE_BLOCK, off;
	*first = 0;
	*count = 0;
	if (!x->agemask.w || pos >= x->n)
		return 0;
	off = s3i_col_get(&x->agebase, pos / S3I_AGE_BLOCK);
	for (; q < pos; q++)
		off += s3i_age_count(x->agemask.p[q]);
	*count = s3i_age_count(x->agemask.p[pos]);
	if (off > x->n_age || *count > x->n_age - off)
		return S3INV_ECORRUPT;
	*first = off;
	return 0;
}

int s3i_index_small(const struct s3inv_index *x, uint64_t i, uint64_t objects, uint64_t bytes,
                    uint64_t *so, uint64_t *sb)
{
	const unsigned char *b;
	uint64_t w0, w1, r;
	unsigned k, st;
	*so = *sb = 0;
	if (!x->smstate.len)
		return 0;
	if (i >= x->n_entries)
		return S3INV_ECORRUPT;
	b = x->smstate.p + i / S3I_SMALL_BLOCK * S3I_SMALL_BLOCK_BYTES;
	k = (unsigned)(i % S3I_SMALL_BLOCK);
	w0 = s3i_get_le(b + 4, 8);
	w1 = s3i_get_le(b + 12, 8);
	st = (unsigned)((k < 32 ? w0 >> (2 * k) : w1 >> (2 * (k - 32))) & 3);
	if (st == S3I_SMALL_NONE)
		return 0;
	if (st == S3I_SMALL_ALL) {
		*so = objects;
		*sb = bytes;
		return 0;
	}
	if (st != S3I_SMALL_SOME)
		return S3INV_ECORRUPT;
	/* rank: the block's count plus the "some" entries before this one in it */
	r = s3i_get_le(b, 4) + s3i_small_some(b, k);
	if (r >= x->n_small)
		return S3INV_ECORRUPT;
	*so = s3i_col_get(&x->smobj, r);
	*sb = s3i_col_get(&x->smbytes, r);
	if (*so == 0 || *so >= objects || *sb > bytes)
		return S3INV_ECORRUPT;
	return 0;
}
