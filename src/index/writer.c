/* SPDX-License-Identifier: MIT */
/*
 * writer.c — the index writer (see writer.h and docs/index-format.md).
 *
 * Invariants while streaming: `stack` holds the ancestors of the previous
 * prefix (root at the bottom), each with its position, depth and deepest
 * depth seen below; their strings are prefixes of `prev`. Popping a node
 * (when the next prefix is not in its subtree) fixes its subtree end: those
 * (pos, end, maxdepth) triples arrive in postorder and are spooled, then
 * scattered into a temporary array at finish and packed in position order.
 * Counter columns are packed (format.h): blocks of 64 values at the bit
 * width of each block's largest value.
 */
#include "index/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "index/format.h"
#include "index/mphf.h"
#include "index/spool.h"
#include "util/alloc.h"
#include "util/budget.h"
#include "util/err.h"

#define MPHF_SEED 0x5333494e56ULL /* "S3INV" */

enum col {
	C_OBJ,
	C_BYTES,
	C_NCOBJ,
	C_NCBYTES,
	C_DM,
	C_DEPTH,
	C_CLSMASK,   /* class mask per prefix, at its final width */
	C_CLSBASE,   /* per S3I_CLASS_BLOCK prefixes: entries, values before it (u64 each) */
	C_CLSOBJ,    /* per class entry but each prefix's last */
	C_CLSBYTES,
	C_STRBLK,    /* u64 in the spool */
	C_STRDATA,
	C_PAIRS,     /* postorder (pos u64, end u64, maxdepth u32) */
	C_SUB,       /* subtree end - pos - 1, in position order (from C_PAIRS) */
	C_MAXD,      /* deepest depth below - depth, likewise */
	C_SCATTER,   /* C_PAIRS scattered by position (mapped at finish) */
	C_AGEMASK,   /* u8 per prefix: non-empty age buckets (bit 7: no date) */
	C_AGEBASE,   /* u64 per S3I_AGE_BLOCK prefixes: age entries before it */
	C_AGEOBJ,    /* per age entry (every non-empty bucket but the last) */
	C_AGEBYTES,
	C_SMSTATE,   /* small-state blocks (format.h) */
	C_SMOBJ,     /* per "some small" class entry: objects below S3INV_SMALL_OBJECT */
	C_SMBYTES,
	C_COUNT
};

/* A packed column: blocks of S3I_PACK_BLOCK values, each block stored at
 * the fewest bits that hold its largest value; a directory entry per
 * block, (data offset << 7) | bits. Values go to the column's data spool,
 * directory entries to its own spool; the section ends with 8 bytes of
 * padding. */
struct packer {
	uint64_t vals[S3I_PACK_BLOCK];
	unsigned n;
	struct s3i_spool dir;
	uint64_t count;
};

static bool is_packed(int c)
{
	return c == C_OBJ || c == C_BYTES || c == C_NCOBJ || c == C_NCBYTES || c == C_DM ||
	       c == C_DEPTH || c == C_SUB || c == C_MAXD || c == C_CLSOBJ || c == C_CLSBYTES ||
	       c == C_AGEOBJ || c == C_AGEBYTES || c == C_SMOBJ || c == C_SMBYTES;
}

struct frame {
	uint64_t pos;
	uint32_t depth, maxd;
	size_t len;
};

struct s3i_writer {
	char *path, *tmp_path;
	const char *tmp_dir;
	struct s3i_writer_meta meta;
	struct s3i_budget *budget;
	int out_fd;
	bool finished;
	struct s3i_spool sp[C_COUNT];
	struct packer pk[C_COUNT]; /* packed columns (is_packed) */
	uint64_t n, n_entries, n_vals, n_age;
	unsigned mask_w; /* bytes of a class mask */
	/* the small-state block being filled */
	uint64_t sm_w[2], sm_rank, n_some;
	unsigned sm_k;
	struct frame *stack;
	size_t depth_cap, sp_top;
	unsigned char *prev;
	size_t prev_len;
};

static const char *col_name[C_COUNT] = {"objects", "bytes", "noncurrent objects",
    "noncurrent bytes", "delete markers", "depth", "class masks", "class bases",
    "class objects", "class bytes", "string blocks", "strings", "subtree", "subtree ends",
    "deepest depths", "subtree scatter", "age masks", "age bases", "age objects", "age bytes",
    "small states", "small objects", "small bytes"};

static int pack_flush(struct s3i_writer *w, enum col c, s3inv_error *err)
{
	struct packer *k = &w->pk[c];
	unsigned char buf[S3I_PACK_BLOCK * 8 + 8], e[8];
	uint64_t max = 0;
	unsigned i, bits;
	int rc;
	if (k->n == 0)
		return 0;
	for (i = 0; i < k->n; i++)
		max |= k->vals[i];
	bits = s3i_pack_bits(max);
	s3i_put_le(e, (w->sp[c].size << 7) | bits, 8);
	if ((rc = s3i_spool_write(&k->dir, e, 8, err)) < 0)
		return rc;
	memset(buf, 0, sizeof buf);
	for (i = 0; i < k->n && bits; i++) {
		uint64_t v = k->vals[i], bit = (uint64_t)i * bits;
		if (bits <= 56) {
			s3i_put_bits(buf, bit, bits, v);
		} else {
			s3i_put_bits(buf, bit, 32, v & 0xffffffffULL);
			s3i_put_bits(buf, bit + 32, bits - 32, v >> 32);
		}
	}
	k->n = 0;
	return bits ? s3i_spool_write(&w->sp[c], buf, (size_t)S3I_PACK_BLOCK * bits / 8, err) : 0;
}

static int put(struct s3i_writer *w, enum col c, uint64_t v, unsigned width, s3inv_error *err)
{
	unsigned char b[8];
	if (is_packed(c)) {
		struct packer *k = &w->pk[c];
		k->vals[k->n++] = v;
		k->count++;
		return k->n == S3I_PACK_BLOCK ? pack_flush(w, c, err) : 0;
	}
	if (width < 8 && (v >> (8 * width)) != 0)
		return s3i_err_set(err, S3INV_EINVAL,
		                   "index writer: %s of a prefix exceed the root's", col_name[c]);
	if (width == 0)
		return 0;
	s3i_put_le(b, v, width);
	return s3i_spool_write(&w->sp[c], b, width, err);
}

static int put_varint(struct s3i_writer *w, uint64_t v, s3inv_error *err)
{
	unsigned char b[10];
	size_t k = 0;
	while (v >= 0x80) {
		b[k++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[k++] = (unsigned char)v;
	return s3i_spool_write(&w->sp[C_STRDATA], b, k, err);
}

int s3i_writer_open(struct s3i_writer **out, const char *path, const char *tmp_dir,
                    const struct s3i_writer_meta *meta, struct s3i_budget *budget,
                    s3inv_error *err)
{
	struct s3i_writer *w;
	int rc = 0, i;
	size_t plen = strlen(path);

	*out = NULL;
	w = s3i_calloc(1, sizeof *w);
	if (!w)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	w->out_fd = -1;
	for (i = 0; i < C_COUNT; i++)
		w->sp[i].fd = w->pk[i].dir.fd = -1;
	w->meta = *meta;
	w->budget = budget;
	if (meta->n_classes > S3I_INDEX_MAX_CLASSES) {
		rc = s3i_err_set(err, S3INV_EFORMAT,
		                 "%u distinct storage classes: the index holds at most %d",
		                 (unsigned)meta->n_classes, S3I_INDEX_MAX_CLASSES);
		goto out;
	}
	w->mask_w = s3i_width_for(meta->n_classes > 1 ? (1ULL << (meta->n_classes - 1)) : 1);
	w->tmp_dir = tmp_dir;
	w->path = s3i_strdup(path);
	w->tmp_path = s3i_malloc(plen + 16);
	w->prev = s3i_malloc(S3I_MAX_PREFIX);
	w->depth_cap = 64;
	w->stack = s3i_malloc(w->depth_cap * sizeof *w->stack);
	if (!w->path || !w->tmp_path || !w->prev || !w->stack) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	/* the output's temporary name is created now, so an unwritable
	 * destination fails before any data is read */
	memcpy(w->tmp_path, path, plen);
	memcpy(w->tmp_path + plen, ".tmp-XXXXXX", 12);
	w->out_fd = mkstemp(w->tmp_path);
	if (w->out_fd < 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: cannot create the index", path);
		w->tmp_path[0] = '\0';
		goto out;
	}
	fchmod(w->out_fd, 0644);
	for (i = 0; i < C_COUNT; i++) {
		TRY(s3i_spool_open(&w->sp[i], tmp_dir, col_name[i], err));
		if (is_packed(i))
			TRY(s3i_spool_open(&w->pk[i].dir, tmp_dir, col_name[i], err));
	}
out:
	if (rc < 0) {
		s3i_writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

uint64_t s3i_writer_count(const struct s3i_writer *w)
{
	return w->n;
}

static int pop(struct s3i_writer *w, s3inv_error *err)
{
	struct frame *f = &w->stack[--w->sp_top];
	unsigned char rec[20];
	s3i_put_le(rec, f->pos, 8);
	s3i_put_le(rec + 8, w->n, 8);
	s3i_put_le(rec + 16, f->maxd - f->depth, 4);
	if (w->sp_top > 0 && w->stack[w->sp_top - 1].maxd < f->maxd)
		w->stack[w->sp_top - 1].maxd = f->maxd;
	return s3i_spool_write(&w->sp[C_PAIRS], rec, sizeof rec, err);
}

/* A class entry on its way into the columns: final id, statistics, and the
 * objects below S3INV_SMALL_OBJECT among them. */
struct centry {
	uint32_t cls;
	uint64_t objects, bytes, sobj, sbytes;
};

/* Sort a prefix's class entries by final id: an insertion sort (a prefix
 * has a handful of classes; qsort's calls cost more than the sort). */
static void sort_centries(struct centry *cs, uint32_t k)
{
	for (uint32_t i = 1; i < k; i++) {
		struct centry x = cs[i];
		uint32_t j = i;
		while (j > 0 && cs[j - 1].cls > x.cls) {
			cs[j] = cs[j - 1];
			j--;
		}
		cs[j] = x;
	}
}

/* The age entries of a prefix: its mask, then the objects and bytes of
 * every non-empty bucket but the last (that one is the prefix's total
 * minus the others, so a prefix whose objects all fall in one bucket
 * stores nothing but its mask). */
static int add_age(struct s3i_writer *w, const struct s3i_cstat *age[S3I_AGE_SLOTS],
                   s3inv_error *err)
{
	unsigned mask = 0, last = 0, b;
	int rc = 0;
	if (w->n % S3I_AGE_BLOCK == 0)
		TRY(put(w, C_AGEBASE, w->n_age, 8, err));
	for (b = 0; b < S3I_AGE_SLOTS; b++)
		if (age[b]) {
			mask |= 1u << b;
			last = b;
		}
	TRY(put(w, C_AGEMASK, mask, 1, err));
	for (b = 0; b < last; b++)
		if (age[b]) {
			TRY(put(w, C_AGEOBJ, age[b]->objects, 8, err));
			TRY(put(w, C_AGEBYTES, age[b]->bytes, 8, err));
			w->n_age++;
		}
out:
	return rc;
}

static int small_flush(struct s3i_writer *w, s3inv_error *err)
{
	unsigned char b[S3I_SMALL_BLOCK_BYTES];
	if (w->sm_k == 0)
		return 0;
	s3i_put_le(b, w->sm_rank, 4);
	s3i_put_le(b + 4, w->sm_w[0], 8);
	s3i_put_le(b + 12, w->sm_w[1], 8);
	w->sm_w[0] = w->sm_w[1] = 0;
	w->sm_k = 0;
	w->sm_rank = w->n_some;
	return s3i_spool_write(&w->sp[C_SMSTATE], b, sizeof b, err);
}

/* The small-object state of class entry E; the counts of a "some" entry. */
static int add_small(struct s3i_writer *w, const struct centry *e, s3inv_error *err)
{
	uint64_t st = e->sobj == 0 ? S3I_SMALL_NONE
	            : e->sobj == e->objects && e->sbytes == e->bytes ? S3I_SMALL_ALL
	                                                           : S3I_SMALL_SOME;
	int rc = 0;
	if (w->n_some > 0xffffffffULL)
		return s3i_err_set(err, S3INV_EINVAL, "index writer: too many class entries");
	w->sm_w[w->sm_k / 32] |= st << (2 * (w->sm_k % 32));
	if (st == S3I_SMALL_SOME) {
		TRY(put(w, C_SMOBJ, e->sobj, 8, err));
		TRY(put(w, C_SMBYTES, e->sbytes, 8, err));
		w->n_some++;
	}
	if (++w->sm_k == S3I_SMALL_BLOCK)
		TRY(small_flush(w, err));
out:
	return rc;
}

static int add_classes(struct s3i_writer *w, const struct s3i_prec *p, s3inv_error *err)
{
	struct centry local[64], *cs = local;
	const struct s3i_cstat *age[S3I_AGE_SLOTS] = {NULL};
	uint64_t mask = 0, sumo = 0, sumb = 0;
	uint32_t i, j, k = 0;
	int rc = 0;
	if (p->n_classes > 64) {
		cs = s3i_malloc(p->n_classes * sizeof *cs);
		if (!cs)
			return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	}
	/* classes come sorted by id: real ones, then age buckets, then small
	 * objects per real class (S3I_CLS_SMALL0 + the class's build id) */
	for (i = 0; i < p->n_classes; i++) {
		const struct s3i_cstat *c = &p->classes[i];
		if (c->objects == 0 && c->bytes == 0)
			continue;
		if (c->cls >= S3I_CLS_AGE0 && c->cls < S3I_CLS_AGE0 + S3I_AGE_SLOTS) {
			age[c->cls - S3I_CLS_AGE0] = c;
			continue;
		}
		if (c->cls >= S3I_CLS_SMALL0) {
			for (j = 0; j < k; j++)
				if (S3I_CLS_SMALL0 + cs[j].cls == c->cls)
					break;
			if (j == k) {
				rc = s3i_err_set(err, S3INV_EINVAL,
				                 "index writer: small objects of class id %u without the class",
				                 (unsigned)(c->cls - S3I_CLS_SMALL0));
				goto out;
			}
			cs[j].sobj = c->objects;
			cs[j].sbytes = c->bytes;
			continue;
		}
		if (c->cls >= w->meta.class_map_len) {
			rc = s3i_err_set(err, S3INV_EINVAL, "index writer: unknown class id %u",
			                 (unsigned)c->cls);
			goto out;
		}
		cs[k] = (struct centry){c->cls, c->objects, c->bytes, 0, 0};
		k++;
	}
	for (j = 0; j < k; j++) {
		cs[j].cls = w->meta.class_map[cs[j].cls];
		if (cs[j].cls >= S3I_INDEX_MAX_CLASSES || cs[j].objects == 0) {
			rc = s3i_err_set(err, S3INV_EINVAL, "index writer: bad class entry %u",
			                 (unsigned)cs[j].cls);
			goto out;
		}
		mask |= 1ULL << cs[j].cls;
		sumo += cs[j].objects;
		sumb += cs[j].bytes;
	}
	/* the last entry's values are implied by the prefix's totals */
	if (sumo != p->objects || sumb != p->bytes) {
		rc = s3i_err_set(err, S3INV_EINVAL,
		                 "index writer: class statistics of prefix #%llu do not sum to its own",
		                 (unsigned long long)w->n);
		goto out;
	}
	sort_centries(cs, k);
	if (w->n % S3I_CLASS_BLOCK == 0) {
		TRY(put(w, C_CLSBASE, w->n_entries, 8, err));
		TRY(put(w, C_CLSBASE, w->n_vals, 8, err));
	}
	TRY(put(w, C_CLSMASK, mask, w->mask_w, err));
	for (i = 0; i < k; i++) {
		if (i + 1 < k) {
			TRY(put(w, C_CLSOBJ, cs[i].objects, 8, err));
			TRY(put(w, C_CLSBYTES, cs[i].bytes, 8, err));
			w->n_vals++;
		}
		if (w->meta.has_small)
			TRY(add_small(w, &cs[i], err));
	}
	w->n_entries += k;
	if (w->meta.has_age)
		TRY(add_age(w, age, err));
out:
	if (cs != local)
		s3i_free(cs);
	return rc;
}

static int add_string(struct s3i_writer *w, const struct s3i_prec *p, s3inv_error *err)
{
	int rc = 0;
	if (w->n % S3I_STR_BLOCK == 0) {
		/* block header: the block's number (a slot record points here);
		 * the directory points past it, at the first entry */
		TRY(put_varint(w, w->n / S3I_STR_BLOCK, err));
		TRY(put(w, C_STRBLK, w->sp[C_STRDATA].size, 8, err));
		TRY(put_varint(w, p->len, err));
		TRY(s3i_spool_write(&w->sp[C_STRDATA], p->prefix, p->len, err));
	} else {
		size_t s = 0, m = p->len < w->prev_len ? p->len : w->prev_len;
		while (s < m && p->prefix[s] == (char)w->prev[s])
			s++;
		TRY(put_varint(w, s, err));
		TRY(put_varint(w, p->len - s, err));
		TRY(s3i_spool_write(&w->sp[C_STRDATA], p->prefix + s, p->len - s, err));
	}
out:
	return rc;
}

int s3i_writer_add(struct s3i_writer *w, const struct s3i_prec *p, s3inv_error *err)
{
	uint32_t depth = 0;
	size_t i;
	int rc = 0, c;

	if (p->len >= S3I_MAX_PREFIX)
		return s3i_err_set(err, S3INV_EFORMAT, "prefix longer than %d bytes: %.40s...",
		                   S3I_MAX_PREFIX - 1, p->prefix);
	if (w->n == 0) {
		if (p->len != 0)
			return s3i_err_set(err, S3INV_EINVAL,
			                   "index writer: the stream does not start at the root");
	} else {
		size_t m = p->len < w->prev_len ? p->len : w->prev_len;
		c = memcmp(p->prefix, w->prev, m);
		if (c < 0 || (c == 0 && p->len <= w->prev_len))
			return s3i_err_set(err, S3INV_EINVAL,
			                   "index writer: prefixes out of order at #%llu",
			                   (unsigned long long)w->n);
	}
	for (i = 0; i < p->len; i++)
		depth += p->prefix[i] == w->meta.delim;
	if (depth > 0xffff)
		return s3i_err_set(err, S3INV_EFORMAT, "prefix deeper than 65535 levels");

	/* close the subtrees the new prefix is not in */
	while (w->sp_top > 0) {
		struct frame *t = &w->stack[w->sp_top - 1];
		if (t->len <= p->len && memcmp(w->prev, p->prefix, t->len) == 0)
			break;
		TRY(pop(w, err));
	}
	if (w->sp_top == w->depth_cap) {
		struct frame *ns = s3i_realloc(w->stack, 2 * w->depth_cap * sizeof *ns);
		if (!ns)
			return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		w->stack = ns;
		w->depth_cap *= 2;
	}
	w->stack[w->sp_top++] = (struct frame){w->n, depth, depth, p->len};

	TRY(put(w, C_OBJ, p->objects, 8, err));
	TRY(put(w, C_BYTES, p->bytes, 8, err));
	TRY(put(w, C_NCOBJ, p->nc_objects, 8, err));
	TRY(put(w, C_NCBYTES, p->nc_bytes, 8, err));
	TRY(put(w, C_DM, p->delete_markers, 8, err));
	TRY(put(w, C_DEPTH, depth, 2, err));
	TRY(add_classes(w, p, err));
	TRY(add_string(w, p, err));
	memcpy(w->prev, p->prefix, p->len);
	w->prev_len = p->len;
	w->n++;
out:
	return rc;
}

/* ---------------------------------------------------------------- finish */

struct sec {
	uint32_t id, width;
	uint64_t off, len, sum;
};

/* A sequential reader over a spool (buffered pread). */
struct sreader {
	struct s3i_spool *sp;
	unsigned char *buf;
	size_t len, pos;
	uint64_t off;
};

static int sr_fill(struct sreader *r, s3inv_error *err)
{
	size_t keep = r->len - r->pos, want;
	int rc;
	memmove(r->buf, r->buf + r->pos, keep);
	r->len = keep;
	r->pos = 0;
	want = (1u << 20) - keep;
	if ((uint64_t)want > r->sp->size - r->off)
		want = (size_t)(r->sp->size - r->off);
	if (want == 0)
		return 0;
	rc = s3i_spool_pread(r->sp, r->buf + keep, want, r->off, err);
	if (rc < 0)
		return rc;
	r->off += want;
	r->len += want;
	return 0;
}

/* ensure N bytes are buffered (N <= 1 MiB - slack) */
static int sr_need(struct sreader *r, size_t n, s3inv_error *err)
{
	if (r->len - r->pos >= n)
		return 0;
	int rc = sr_fill(r, err);
	if (rc < 0)
		return rc;
	if (r->len - r->pos < n)
		return s3i_err_set(err, S3INV_EIO, "%s: spool shorter than expected", r->sp->what);
	return 0;
}

static int sr_open(struct sreader *r, struct s3i_spool *sp, s3inv_error *err)
{
	r->sp = sp;
	r->len = r->pos = 0;
	r->off = 0;
	r->buf = s3i_malloc(1u << 20);
	if (!r->buf)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	return 0;
}

static void sr_close(struct sreader *r)
{
	s3i_free(r->buf);
	r->buf = NULL;
}

static int sr_varint(struct sreader *r, uint64_t *v, s3inv_error *err)
{
	unsigned shift = 0;
	int rc;
	*v = 0;
	for (;;) {
		if ((rc = sr_need(r, 1, err)) < 0)
			return rc;
		unsigned char b = r->buf[r->pos++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
		if (shift > 63)
			return s3i_err_set(err, S3INV_EIO, "strings spool: bad varint");
	}
}

/* Decode the next prefix (number I) of the string spool into KEY
 * (S3I_MAX_PREFIX bytes); at a block start, skip the block header and set
 * *BLK (may be NULL) to its offset. */
static int sr_next_key(struct sreader *r, uint64_t i, unsigned char *key, size_t *klen,
                       uint64_t *blk, s3inv_error *err)
{
	uint64_t shared = 0, len;
	int rc;
	if (i % S3I_STR_BLOCK == 0) {
		if (blk)
			*blk = r->off - (r->len - r->pos);
		if ((rc = sr_varint(r, &shared, err)) < 0)
			return rc;
		if (shared != i / S3I_STR_BLOCK)
			return s3i_err_set(err, S3INV_EIO, "strings spool: bad block header");
		shared = 0;
	} else if ((rc = sr_varint(r, &shared, err)) < 0) {
		return rc;
	}
	if ((rc = sr_varint(r, &len, err)) < 0)
		return rc;
	if (shared > *klen || len > S3I_MAX_PREFIX - shared)
		return s3i_err_set(err, S3INV_EIO, "strings spool: bad lengths");
	if ((rc = sr_need(r, (size_t)len, err)) < 0)
		return rc;
	memcpy(key + shared, r->buf + r->pos, (size_t)len);
	r->pos += (size_t)len;
	*klen = (size_t)(shared + len);
	return 0;
}

/* Copy LEN bytes of spool SP to the output at OFF, in large blocks. */
static int copy_raw(struct s3i_writer *w, struct s3i_spool *sp, uint64_t len, uint64_t off,
                    s3inv_error *err)
{
	unsigned char *buf = s3i_malloc(1u << 20);
	uint64_t done = 0;
	int rc = 0;
	if (!buf)
		return s3i_err_set(err, S3INV_ENOMEM, "out of memory");
	while (done < len) {
		size_t k = len - done > (1u << 20) ? (1u << 20) : (size_t)(len - done);
		if ((rc = s3i_spool_pread(sp, buf, k, done, err)) < 0)
			break;
		if ((rc = s3i_pwrite_all(w->out_fd, buf, k, off + done, w->path, err)) < 0)
			break;
		done += k;
	}
	s3i_free(buf);
	return rc;
}

/* A packed column's section: its block directory, then its data, then 8
 * bytes of zero padding (left by ftruncate). */
static int copy_packed(struct s3i_writer *w, enum col c, uint64_t off, s3inv_error *err)
{
	int rc = copy_raw(w, &w->pk[c].dir, w->pk[c].dir.size, off, err);
	if (rc == 0)
		rc = copy_raw(w, &w->sp[c], w->sp[c].size, off + w->pk[c].dir.size, err);
	return rc;
}

static uint64_t packed_len(const struct s3i_writer *w, enum col c)
{
	return w->pk[c].dir.size + w->sp[c].size + 8;
}

/* Copy spool C (values of width WIN) into the output at OFF with width WOUT. */
static int copy_column(struct s3i_writer *w, enum col c, unsigned win, unsigned wout,
                       uint64_t count, uint64_t off, s3inv_error *err)
{
	struct sreader r;
	unsigned char *obuf = NULL;
	size_t olen = 0;
	uint64_t i;
	int rc;
	if (wout == 0 || count == 0)
		return 0;
	TRY(s3i_spool_flush(&w->sp[c], err));
	if (win == wout)
		return copy_raw(w, &w->sp[c], count * win, off, err);
	TRY(sr_open(&r, &w->sp[c], err));
	obuf = s3i_malloc(1u << 20);
	if (!obuf) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out_r;
	}
	for (i = 0; i < count; i++) {
		uint64_t v = 0;
		if (win) {
			if ((rc = sr_need(&r, win, err)) < 0)
				goto out_r;
			v = s3i_get_le(r.buf + r.pos, win);
			r.pos += win;
		}
		if (olen + wout > (1u << 20)) {
			if ((rc = s3i_pwrite_all(w->out_fd, obuf, olen, off, w->path, err)) < 0)
				goto out_r;
			off += olen;
			olen = 0;
		}
		s3i_put_le(obuf + olen, v, wout);
		olen += wout;
	}
	rc = s3i_pwrite_all(w->out_fd, obuf, olen, off, w->path, err);
out_r:
	sr_close(&r);
out:
	s3i_free(obuf);
	return rc;
}

static int map_region(struct s3i_writer *w, uint64_t off, uint64_t len, unsigned char **base,
                      size_t *maplen, unsigned char **p, s3inv_error *err)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t start = off - off % (uint64_t)pg;
	*maplen = (size_t)(off + len - start);
	*base = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_SHARED, w->out_fd, (off_t)start);
	if (*base == MAP_FAILED)
		return s3i_err_sys(err, S3INV_EIO, errno, "%s: mmap failed", w->tmp_path);
	*p = *base + (off - start);
	return 0;
}

/* Scatter the postorder (pos, end, maxdepth - depth) triples by position
 * into a mapped temporary file (8 bytes a prefix), then append them in
 * position order to the packed SUBTREE (end - pos - 1) and MAXDEPTH columns. */
static int pack_subtrees(struct s3i_writer *w, s3inv_error *err)
{
	struct sreader r = {0};
	unsigned char *map = NULL;
	size_t maplen = (size_t)w->n * 8;
	uint64_t i;
	int rc;
	TRY(s3i_spool_flush(&w->sp[C_PAIRS], err));
	TRY(sr_open(&r, &w->sp[C_PAIRS], err));
	if (ftruncate(w->sp[C_SCATTER].fd, (off_t)maplen) != 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: temporary file", w->path);
		goto out;
	}
	map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, w->sp[C_SCATTER].fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: mmap of a temporary file", w->path);
		goto out;
	}
	for (i = 0; i < w->n; i++) {
		uint64_t pos, end;
		if ((rc = sr_need(&r, 20, err)) < 0)
			goto out;
		pos = s3i_get_le(r.buf + r.pos, 8);
		end = s3i_get_le(r.buf + r.pos + 8, 8);
		if (pos >= w->n || end <= pos || end > w->n) {
			rc = s3i_err_set(err, S3INV_EIO, "subtree spool: bad position");
			goto out;
		}
		s3i_put_le(map + pos * 8, end - pos - 1, 4);
		memcpy(map + pos * 8 + 4, r.buf + r.pos + 16, 4);
		r.pos += 20;
	}
	for (i = 0; i < w->n; i++) {
		TRY(put(w, C_SUB, s3i_get_le(map + i * 8, 4), 8, err));
		TRY(put(w, C_MAXD, s3i_get_le(map + i * 8 + 4, 4), 8, err));
	}
	rc = 0; /* the last blocks are flushed with every packed column's */
out:
	if (map)
		munmap(map, maplen);
	sr_close(&r);
	return rc;
}

/* Build the MPHF over every stored prefix (decoded from the string spool
 * into batches hashed by THREADS threads); then fill the slot records. */
enum { HB_KEYS = 16384, HB_BYTES = 1u << 20 };

static int build_hash(struct s3i_writer *w, unsigned threads, void **mphf, size_t *mlen,
                      s3inv_error *err)
{
	struct s3i_mphf_builder *b = NULL;
	struct sreader r = {0};
	unsigned char *key = NULL, *arena = NULL;
	const void **ptrs = NULL;
	size_t klen = 0, *lens = NULL, nk = 0, used = 0;
	uint64_t i;
	int rc;
	TRY(s3i_spool_flush(&w->sp[C_STRDATA], err));
	key = s3i_malloc(S3I_MAX_PREFIX);
	arena = s3i_malloc(HB_BYTES);
	ptrs = s3i_malloc(HB_KEYS * sizeof *ptrs);
	lens = s3i_malloc(HB_KEYS * sizeof *lens);
	if (!key || !arena || !ptrs || !lens) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	TRY(s3i_mphf_builder_new(&b, MPHF_SEED, w->budget, w->tmp_dir, err));
	TRY(s3i_mphf_builder_reserve(b, w->n, err));
	TRY(sr_open(&r, &w->sp[C_STRDATA], err));
	for (i = 0; i < w->n; i++) {
		TRY(sr_next_key(&r, i, key, &klen, NULL, err));
		if (klen > HB_BYTES - used || nk == HB_KEYS) {
			TRY(s3i_mphf_builder_add_batch(b, ptrs, lens, nk, threads, err));
			nk = used = 0;
		}
		memcpy(arena + used, key, klen); /* fits: keys are < 64 KiB */
		ptrs[nk] = arena + used;
		lens[nk++] = klen;
		used += klen;
		if ((i & 0xffff) == 0 && w->meta.cancel && *w->meta.cancel) {
			rc = s3i_err_set(err, S3INV_ECANCELED, "cancelled");
			goto out;
		}
	}
	TRY(s3i_mphf_builder_add_batch(b, ptrs, lens, nk, threads, err));
	TRY(s3i_mphf_builder_finish(b, threads, mphf, mlen, err));
out:
	sr_close(&r);
	s3i_mphf_builder_free(b);
	s3i_free(key);
	s3i_free(arena);
	s3i_free(ptrs);
	s3i_free(lens);
	return rc;
}

static int fill_slots(struct s3i_writer *w, const void *mphf_bytes, size_t mlen,
                      const struct sec *slots, s3inv_error *err)
{
	struct s3i_mphf m;
	struct sreader r = {0};
	unsigned char *key = NULL, *base = NULL, *p;
	size_t klen = 0, maplen = 0;
	uint64_t i, blk = 0;
	int rc;
	TRY(s3i_mphf_open(&m, mphf_bytes, mlen, err));
	key = s3i_malloc(S3I_MAX_PREFIX);
	if (!key) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	TRY(map_region(w, slots->off, slots->len, &base, &maplen, &p, err));
	TRY(sr_open(&r, &w->sp[C_STRDATA], err));
	for (i = 0; i < w->n; i++) {
		struct s3i_hash128 h;
		uint64_t s;
		TRY(sr_next_key(&r, i, key, &klen, &blk, err));
		h = s3i_mphf_hash(MPHF_SEED, key, klen);
		s = s3i_mphf_slot(&m, h);
		if (s >= w->n) {
			rc = s3i_err_set(err, S3INV_EINVAL, "MPHF maps a key outside [0,n)");
			goto out;
		}
		s3i_put_bits(p, s * slots->width, slots->width,
		             s3i_slot_record(s3i_fingerprint(h.lo, h.hi), i % S3I_STR_BLOCK, blk));
	}
out:
	if (base)
		munmap(base, maplen);
	sr_close(&r);
	s3i_free(key);
	return rc;
}

static char *meta_json(struct s3i_writer *w, s3inv_error *err)
{
	json_t *o = json_object(), *cls = json_array();
	char when[32], delim[2] = {w->meta.delim, 0}, *txt = NULL;
	time_t now = time(NULL);
	struct tm tm;
	uint32_t i;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!o || !cls)
		goto out;
	json_object_set_new(o, "tool", json_string("s3inv " S3INV_VERSION));
	json_object_set_new(o, "built_at", json_string(when));
	json_object_set_new(o, "source_bucket", json_string(w->meta.source_bucket ? w->meta.source_bucket : ""));
	json_object_set_new(o, "dest_bucket", json_string(w->meta.dest_bucket ? w->meta.dest_bucket : ""));
	json_object_set_new(o, "manifest", json_string(w->meta.manifest ? w->meta.manifest : ""));
	json_object_set_new(o, "file_format", json_string(w->meta.file_format ? w->meta.file_format : ""));
	json_object_set_new(o, "creation_ms", json_integer(w->meta.creation_ms));
	json_object_set_new(o, "rows", json_integer((json_int_t)w->meta.rows));
	json_object_set_new(o, "prefixes", json_integer((json_int_t)w->n));
	json_object_set_new(o, "delimiter", json_stringn(delim, 1));
	json_object_set_new(o, "max_depth", json_integer(w->meta.max_depth));
	json_object_set_new(o, "has_size", json_boolean(w->meta.has_size));
	json_object_set_new(o, "has_versions", json_boolean(w->meta.has_versions));
	json_object_set_new(o, "has_age", json_boolean(w->meta.has_age));
	json_object_set_new(o, "has_small", json_boolean(w->meta.has_small));
	json_object_set_new(o, "options", json_string(w->meta.options ? w->meta.options : ""));
	json_object_set_new(o, "mphf", json_string("ptrhash-style, xxh3, 8-bit fingerprints, bit-packed slot records"));
	for (i = 0; i < w->meta.n_classes; i++)
		json_array_append_new(cls, json_string(w->meta.class_names[i]));
	json_object_set(o, "classes", cls);
	txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(cls);
	json_decref(o);
	if (!txt)
		s3i_err_set(err, S3INV_ENOMEM, "out of memory writing metadata");
	return txt;
}

static uint64_t align_up(uint64_t v)
{
	return (v + S3I_ALIGN - 1) & ~(uint64_t)(S3I_ALIGN - 1);
}

static int checksum_section(struct s3i_writer *w, struct sec *s, s3inv_error *err)
{
	unsigned char *base, *p;
	size_t maplen;
	int rc;
	if (s->len == 0) {
		s->sum = XXH3_64bits("", 0);
		return 0;
	}
	rc = map_region(w, s->off, s->len, &base, &maplen, &p, err);
	if (rc < 0)
		return rc;
	s->sum = XXH3_64bits(p, (size_t)s->len);
	munmap(base, maplen);
	return 0;
}

int s3i_writer_finish(struct s3i_writer *w, unsigned threads, uint64_t *file_size,
                      s3inv_error *err)
{
	enum { S_META, S_OBJ, S_BYTES, S_NCOBJ, S_NCBYTES, S_DM, S_DEPTH, S_SUB, S_MAXD, S_CLSMASK,
	       S_CLSBASE, S_CLSOBJ, S_CLSBYTES, S_STRBLK, S_STRDATA, S_MPHF, S_SLOTS, S_AGEMASK,
	       S_AGEBASE, S_AGEOBJ, S_AGEBYTES, S_SMSTATE, S_SMOBJ, S_SMBYTES, NSEC };
	static const uint32_t ids[NSEC] = {S3I_SEC_META, S3I_SEC_OBJECTS, S3I_SEC_BYTES,
	    S3I_SEC_NC_OBJECTS, S3I_SEC_NC_BYTES, S3I_SEC_DMARKERS, S3I_SEC_DEPTH,
	    S3I_SEC_SUBTREE, S3I_SEC_MAXDEPTH, S3I_SEC_CLASS_MASK, S3I_SEC_CLASS_BASE,
	    S3I_SEC_CLASS_OBJ, S3I_SEC_CLASS_BYTES, S3I_SEC_STR_BLOCKS, S3I_SEC_STR_DATA,
	    S3I_SEC_MPHF, S3I_SEC_SLOTS, S3I_SEC_AGE_MASK, S3I_SEC_AGE_BASE, S3I_SEC_AGE_OBJ,
	    S3I_SEC_AGE_BYTES, S3I_SEC_SMALL_STATE, S3I_SEC_SMALL_OBJ, S3I_SEC_SMALL_BYTES};
	struct sec s[NSEC];
	unsigned char head[S3I_HEADER_SIZE + NSEC * S3I_SECTION_ENTRY];
	char *meta = NULL;
	void *mphf = NULL;
	size_t mlen = 0;
	uint64_t off, nblocks, nageblocks;
	int rc = 0, i;

	if (w->n == 0) {
		/* an empty inventory still has its root */
		struct s3i_prec root = {"", 0, 0, 0, 0, 0, 0, 0, NULL};
		TRY(s3i_writer_add(w, &root, err));
	}
	while (w->sp_top > 0)
		TRY(pop(w, err));
	if (w->meta.has_small)
		TRY(small_flush(w, err));
	if (w->n > 0xffffffffULL)
		return s3i_err_set(err, S3INV_EINVAL, "more than 2^32 prefixes: not supported by index format 1");
	if (s3i_slot_bits(w->sp[C_STRDATA].size) > S3I_SLOT_MAX_BITS)
		return s3i_err_set(err, S3INV_EINVAL, "prefix strings of 2^44 bytes or more: not supported");
	TRY(pack_subtrees(w, err));
	for (i = 0; i < C_COUNT; i++) {
		if (is_packed(i)) {
			TRY(pack_flush(w, (enum col)i, err));
			TRY(s3i_spool_flush(&w->pk[i].dir, err));
		}
		TRY(s3i_spool_flush(&w->sp[i], err));
	}

	TRY(build_hash(w, threads, &mphf, &mlen, err));
	meta = meta_json(w, err);
	if (!meta) {
		rc = S3INV_ENOMEM;
		goto out;
	}

	memset(s, 0, sizeof s);
	s[S_META].len = strlen(meta);
	s[S_CLSMASK].width = w->mask_w;
	s[S_CLSMASK].len = w->n * w->mask_w;
	s[S_CLSBASE].width = w->n_entries > 0xffffffffULL ? 8 : 4;
	s[S_CLSBASE].len = (w->n + S3I_CLASS_BLOCK - 1) / S3I_CLASS_BLOCK * 2 * s[S_CLSBASE].width;
	s[S_STRBLK].width = s3i_width_for(w->sp[C_STRDATA].size);
	s[S_STRDATA].len = w->sp[C_STRDATA].size;
	s[S_MPHF].len = mlen;
	s[S_SLOTS].width = s3i_slot_bits(w->sp[C_STRDATA].size);
	nblocks = (w->n + S3I_STR_BLOCK - 1) / S3I_STR_BLOCK;
	{
		static const int pk_sec[] = {S_OBJ, S_BYTES, S_NCOBJ, S_NCBYTES, S_DM, S_DEPTH, S_SUB,
		                             S_MAXD, S_CLSOBJ, S_CLSBYTES};
		static const enum col pk_col[] = {C_OBJ, C_BYTES, C_NCOBJ, C_NCBYTES, C_DM, C_DEPTH,
		                                  C_SUB, C_MAXD, C_CLSOBJ, C_CLSBYTES};
		for (i = 0; i < 10; i++) {
			s[pk_sec[i]].width = S3I_PACKED;
			s[pk_sec[i]].len = packed_len(w, pk_col[i]);
		}
	}
	s[S_STRBLK].len = nblocks * s[S_STRBLK].width;
	nageblocks = (w->n + S3I_AGE_BLOCK - 1) / S3I_AGE_BLOCK;
	if (w->meta.has_age) {
		s[S_AGEMASK].width = 1;
		s[S_AGEMASK].len = w->n;
		s[S_AGEBASE].width = s3i_width_for(w->n_age) ? s3i_width_for(w->n_age) : 1;
		s[S_AGEBASE].len = nageblocks * s[S_AGEBASE].width;
	}
	s[S_AGEOBJ].width = s[S_AGEBYTES].width = S3I_PACKED;
	if (w->meta.has_age) {
		s[S_AGEOBJ].len = packed_len(w, C_AGEOBJ);
		s[S_AGEBYTES].len = packed_len(w, C_AGEBYTES);
	}
	if (w->meta.has_small) {
		s[S_SMSTATE].width = 1;
		s[S_SMSTATE].len = w->sp[C_SMSTATE].size;
		s[S_SMOBJ].width = s[S_SMBYTES].width = S3I_PACKED;
		s[S_SMOBJ].len = packed_len(w, C_SMOBJ);
		s[S_SMBYTES].len = packed_len(w, C_SMBYTES);
	}
	s[S_SLOTS].len = s3i_slot_len(w->n, s[S_SLOTS].width);
	off = align_up(S3I_HEADER_SIZE + (uint64_t)NSEC * S3I_SECTION_ENTRY);
	for (i = 0; i < NSEC; i++) {
		s[i].id = ids[i];
		s[i].off = off;
		off = align_up(off + s[i].len);
	}
	if (ftruncate(w->out_fd, (off_t)off) != 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: cannot size the index", w->path);
		goto out;
	}

	TRY(s3i_pwrite_all(w->out_fd, meta, s[S_META].len, s[S_META].off, w->path, err));
	TRY(copy_packed(w, C_OBJ, s[S_OBJ].off, err));
	TRY(copy_packed(w, C_BYTES, s[S_BYTES].off, err));
	TRY(copy_packed(w, C_NCOBJ, s[S_NCOBJ].off, err));
	TRY(copy_packed(w, C_NCBYTES, s[S_NCBYTES].off, err));
	TRY(copy_packed(w, C_DM, s[S_DM].off, err));
	TRY(copy_packed(w, C_DEPTH, s[S_DEPTH].off, err));
	TRY(copy_packed(w, C_SUB, s[S_SUB].off, err));
	TRY(copy_packed(w, C_MAXD, s[S_MAXD].off, err));
	TRY(copy_column(w, C_CLSMASK, w->mask_w, w->mask_w, w->n, s[S_CLSMASK].off, err));
	TRY(copy_column(w, C_CLSBASE, 8, s[S_CLSBASE].width,
	                (w->n + S3I_CLASS_BLOCK - 1) / S3I_CLASS_BLOCK * 2, s[S_CLSBASE].off, err));
	TRY(copy_packed(w, C_CLSOBJ, s[S_CLSOBJ].off, err));
	TRY(copy_packed(w, C_CLSBYTES, s[S_CLSBYTES].off, err));
	TRY(copy_column(w, C_STRBLK, 8, s[S_STRBLK].width, nblocks, s[S_STRBLK].off, err));
	TRY(copy_column(w, C_STRDATA, 1, 1, w->sp[C_STRDATA].size, s[S_STRDATA].off, err));
	if (w->meta.has_age) {
		TRY(copy_column(w, C_AGEMASK, 1, 1, w->n, s[S_AGEMASK].off, err));
		TRY(copy_column(w, C_AGEBASE, 8, s[S_AGEBASE].width, nageblocks, s[S_AGEBASE].off, err));
		TRY(copy_packed(w, C_AGEOBJ, s[S_AGEOBJ].off, err));
		TRY(copy_packed(w, C_AGEBYTES, s[S_AGEBYTES].off, err));
	}
	if (w->meta.has_small) {
		TRY(copy_column(w, C_SMSTATE, 1, 1, w->sp[C_SMSTATE].size, s[S_SMSTATE].off, err));
		TRY(copy_packed(w, C_SMOBJ, s[S_SMOBJ].off, err));
		TRY(copy_packed(w, C_SMBYTES, s[S_SMBYTES].off, err));
	}
	TRY(s3i_pwrite_all(w->out_fd, mphf, mlen, s[S_MPHF].off, w->path, err));
	TRY(fill_slots(w, mphf, mlen, &s[S_SLOTS], err));
	if (w->meta.cancel && *w->meta.cancel) {
		rc = s3i_err_set(err, S3INV_ECANCELED, "cancelled");
		goto out;
	}
	for (i = 0; i < NSEC; i++)
		TRY(checksum_section(w, &s[i], err));

	memset(head, 0, sizeof head);
	memcpy(head, S3I_MAGIC, 8);
	s3i_put_le(head + 8, S3I_FORMAT_VERSION, 4);
	s3i_put_le(head + 12, S3I_HEADER_SIZE, 4);
	s3i_put_le(head + 16, NSEC, 4);
	s3i_put_le(head + 24, w->n, 8);
	s3i_put_le(head + 32, off, 8);
	for (i = 0; i < NSEC; i++) {
		unsigned char *e = head + S3I_HEADER_SIZE + i * S3I_SECTION_ENTRY;
		s3i_put_le(e, s[i].id, 4);
		s3i_put_le(e + 4, s[i].width, 4);
		s3i_put_le(e + 8, s[i].off, 8);
		s3i_put_le(e + 16, s[i].len, 8);
		s3i_put_le(e + 24, s[i].sum, 8);
	}
	s3i_put_le(head + 40, XXH3_64bits(head, sizeof head), 8);
	TRY(s3i_pwrite_all(w->out_fd, head, sizeof head, 0, w->path, err));
	if (fsync(w->out_fd) != 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: fsync failed", w->path);
		goto out;
	}
	if (rename(w->tmp_path, w->path) != 0) {
		rc = s3i_err_sys(err, S3INV_EIO, errno, "%s: cannot rename the index into place", w->path);
		goto out;
	}
	w->finished = true;
	{
		/* make the rename durable */
		char *dir = s3i_strdup(w->path), *slash;
		if (dir) {
			int dfd;
			slash = strrchr(dir, '/');
			if (slash)
				*(slash == dir ? slash + 1 : slash) = '\0';
			dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
			if (dfd >= 0) {
				fsync(dfd);
				close(dfd);
			}
			s3i_free(dir);
		}
	}
	if (file_size)
		*file_size = off;
out:
	s3i_free(mphf);
	free(meta); /* jansson's allocator */
	return rc;
}

void s3i_writer_free(struct s3i_writer *w)
{
	int i;
	if (!w)
		return;
	for (i = 0; i < C_COUNT; i++) {
		s3i_spool_close(&w->sp[i]);
		if (is_packed(i))
			s3i_spool_close(&w->pk[i].dir);
	}
	if (w->out_fd >= 0)
		close(w->out_fd);
	if (!w->finished && w->tmp_path && w->tmp_path[0])
		unlink(w->tmp_path);
	s3i_free(w->path);
	s3i_free(w->tmp_path);
	s3i_free(w->prev);
	s3i_free(w->stack);
	s3i_free(w);
}
