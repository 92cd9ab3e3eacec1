/* SPDX-License-Identifier: MIT */
/*
 * verify.c — s3inv_index_verify: every checksum, then every structural
 * invariant of docs/index-format.md, in one pass over the prefixes:
 * strictly increasing strings ending in the delimiter, depth = delimiters,
 * parent = nearest open ancestor whose string is a prefix, depth = parent
 * depth + 1, subtree ends nested, deepest depth consistent, counts never
 * above the parent's, class statistics summing to the prefix's (the last
 * entry's being the rest: never zero or negative) and their block bases, small
 * objects within their class (at most 128 KiB - 1 bytes each), age entries
 * where the masks say and summing to at most the prefix's (exactly when
 * every object had a date: no "unknown" bit), the age entry count, and the
 * hash mapping every stored prefix back to its own position.
 */
#include <string.h>

#include "index/format.h"
#include "index/reader.h"
#include "util/alloc.h"
#include "util/err.h"

struct vframe {
	uint64_t pos, end;
	size_t len;
};

static int fail(s3inv_error *err, const char *path, uint64_t pos, const char *what)
{
	return s3i_err_set(err, S3INV_ECORRUPT, "%s: prefix #%llu: %s", path,
	                   (unsigned long long)pos, what);
}

int s3inv_index_verify(const char *path, s3inv_error *err)
{
	s3inv_index *x = NULL;
	unsigned char *cur = NULL, *prev = NULL;
	struct vframe *st = NULL;
	size_t top = 0, cap = 0, clen = 0, plen = 0;
	uint64_t i;
	int rc;

	TRY(s3inv_index_open(&x, path, S3INV_OPEN_VERIFY, err));
	cur = s3i_malloc(S3I_MAX_PREFIX);
	prev = s3i_malloc(S3I_MAX_PREFIX);
	cap = 64;
	st = s3i_malloc(cap * sizeof *st);
	if (!cur || !prev || !st) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < x->n; i++) {
		s3inv_stats s;
		s3inv_class_stats cs[64];
		uint64_t sumo = 0, sumb = 0, d = 0, found;
		size_t k;
		int nc;
		unsigned char *t;
		if (s3i_index_decode(x, i, cur, &clen) < 0) {
			rc = fail(err, path, i, "undecodable string");
			goto out;
		}
		if (s3inv_index_stats(x, i, &s) < 0) {
			rc = fail(err, path, i, "bad subtree end or class offsets");
			goto out;
		}
		for (k = 0; k < clen; k++)
			d += cur[k] == (unsigned char)x->info.delimiter;
		if (d != s.depth) {
			rc = fail(err, path, i, "depth does not match the prefix");
			goto out;
		}
		if (i == 0) {
			if (clen != 0 || s.subtree_end != x->n) {
				rc = fail(err, path, i, "the root is not first or does not span the index");
				goto out;
			}
		} else {
			size_t m = clen < plen ? clen : plen;
			int c = memcmp(cur, prev, m);
			if (c < 0 || (c == 0 && clen <= plen)) {
				rc = fail(err, path, i, "prefixes out of order");
				goto out;
			}
			if (clen == 0 || cur[clen - 1] != (unsigned char)x->info.delimiter) {
				rc = fail(err, path, i, "prefix does not end in the delimiter");
				goto out;
			}
		}
		while (top > 0 && st[top - 1].end <= i)
			top--;
		if (i > 0) {
			s3inv_stats ps;
			if (top == 0) {
				rc = fail(err, path, i, "no parent");
				goto out;
			}
			s3inv_index_stats(x, st[top - 1].pos, &ps);
			if (st[top - 1].len >= clen || memcmp(prev, cur, st[top - 1].len) != 0 ||
			    ps.depth + 1 != s.depth || s.subtree_end > ps.subtree_end ||
			    s.objects > ps.objects || s.bytes > ps.bytes || s.max_depth > ps.max_depth) {
				rc = fail(err, path, i, "inconsistent with its parent");
				goto out;
			}
		}
		if (s.max_depth < s.depth) {
			rc = fail(err, path, i, "deepest depth below its own");
			goto out;
		}
		nc = s3inv_index_class_stats(x, i, cs, 64);
		if (nc < 0) {
			rc = fail(err, path, i, "bad class entry");
			goto out;
		}
		for (k = 0; k < (size_t)nc && k < 64; k++) {
			sumo += cs[k].objects;
			sumb += cs[k].bytes;
			if (k > 0 && cs[k].class_id <= cs[k - 1].class_id) {
				rc = fail(err, path, i, "class entries out of order");
				goto out;
			}
		}
		if (nc <= 64 && (sumo != s.objects || sumb != s.bytes)) {
			rc = fail(err, path, i, "class statistics do not sum to the prefix's");
			goto out;
		}
		for (k = 0; k < (size_t)nc && k < 64; k++)
			if (cs[k].small_objects > cs[k].objects || cs[k].small_bytes > cs[k].bytes ||
			    cs[k].small_bytes > cs[k].small_objects * (uint64_t)(S3INV_SMALL_OBJECT - 1) ||
			    (!x->info.has_small && cs[k].small_objects)) {
				rc = fail(err, path, i, "small-object counts exceed their class");
				goto out;
			}
		if (x->info.has_age) {
			s3inv_age age;
			uint64_t ao = 0;
			unsigned m = x->agemask.w ? x->agemask.p[i] : 0;
			if (m > 0xff || s3inv_index_age(x, i, &age) < 0) {
				rc = fail(err, path, i, "damaged age histogram");
				goto out;
			}
			for (k = 0; k < S3INV_AGE_BUCKETS; k++) {
				ao += age.objects[k];
				if ((age.objects[k] != 0) != ((m >> k & 1) != 0)) {
					rc = fail(err, path, i, "age buckets do not match the age mask");
					goto out;
				}
			}
			if (ao > s.objects || (!(m & 0x80) && ao != s.objects)) {
				rc = fail(err, path, i, "age buckets do not sum to the prefix's objects");
				goto out;
			}
		}
		if (s3inv_index_lookup(x, (const char *)cur, clen, &found) < 0 || found != i) {
			rc = fail(err, path, i, "the hash does not find this prefix");
			goto out;
		}
		if (top == cap) {
			struct vframe *ns = s3i_realloc(st, 2 * cap * sizeof *ns);
			if (!ns) {
				rc = s3i_err_set(err, S3INV_ENOMEM, "out of memory");
				goto out;
			}
			st = ns;
			cap *= 2;
		}
		st[top++] = (struct vframe){i, s.subtree_end, clen};
		t = prev;
		prev = cur;
		cur = t;
		plen = clen;
	}
	{
		/* class bases: entries and values before each block */
		uint64_t e = 0, v = 0;
		for (i = 0; i < x->n; i += S3I_CLASS_BLOCK) {
			uint64_t k = x->n - i < S3I_CLASS_BLOCK ? x->n - i : S3I_CLASS_BLOCK, de, dv;
			if (s3i_index_col(&x->clsbase, 2 * (i / S3I_CLASS_BLOCK)) != e ||
			    s3i_index_col(&x->clsbase, 2 * (i / S3I_CLASS_BLOCK) + 1) != v) {
				rc = fail(err, path, i, "class entry offsets are inconsistent");
				goto out;
			}
			s3i_class_count(x->clsmask.p + i * x->clsmask.w, x->clsmask.w, k, &de, &dv);
			e += de;
			v += dv;
		}
	}
	if (x->info.has_age) {
		/* the bases: each block's base = the entries before it (the offsets
		 * inside a block follow from its masks) */
		uint64_t acc = 0;
		for (i = 0; i < x->n; i++) {
			if (i % S3I_AGE_BLOCK == 0 &&
			    s3i_index_col(&x->agebase, i / S3I_AGE_BLOCK) != acc) {
				rc = fail(err, path, i, "age entry offsets are inconsistent");
				goto out;
			}
			acc += s3i_age_count(x->agemask.p[i]);
		}
		if (acc != x->n_age) {
			rc = s3i_err_set(err, S3INV_ECORRUPT, "%s: section 'age_objects': %llu entries, "
			                 "the masks say %llu", path, (unsigned long long)x->n_age,
			                 (unsigned long long)acc);
			goto out;
		}
	}
	rc = 0;
out:
	s3i_free(cur);
	s3i_free(prev);
	s3i_free(st);
	s3inv_index_close(x);
	return rc;
}
