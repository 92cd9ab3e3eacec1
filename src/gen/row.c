/* SPDX-License-Identifier: MIT */
/*
 * row.c — the columns of a generated row and its CSV text.
 *
 * Every value is a pure function of (seed, key identity, row number), so a
 * row is the same whichever file or thread writes it. Per-key draws (the
 * current version's class, encryption, replication) use the key's hash;
 * per-row draws (dates and sizes of older versions, version ids, ETags) use
 * the row's. Formatting is hand-written (no printf): the generator writes
 * tens of millions of rows.
 */
#include "gen/row.h"

#include <math.h>
#include <string.h>

#define DAY_MS 86400000LL

/* ---- a tiny per-row random stream ---------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return s3i_gen_mix(r->s);
}

static double unit(struct rng *r)
{
	return (double)(next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- column values -------------------------------------------------- */

struct cls {
	const char *name;
	unsigned weight; /* per mille */
};

static const struct cls cls_logs[] = {
    {"STANDARD", 700}, {"STANDARD_IA", 120}, {"GLACIER_IR", 50}, {"INTELLIGENT_TIERING", 50},
    {"GLACIER", 40},   {"DEEP_ARCHIVE", 20}, {"ONEZONE_IA", 10}, {"", 10},
};
static const struct cls cls_photos[] = {
    {"STANDARD", 330},
    {"STANDARD_IA", 150},
    {"GLACIER", 200},
    {"DEEP_ARCHIVE", 150},
    {"INTELLIGENT_TIERING", 100},
    {"GLACIER_IR", 50},
    {"ONEZONE_IA", 10},
    {"", 10},
};
static const struct cls cls_datasets[] = {
    {"STANDARD", 500},  {"INTELLIGENT_TIERING", 250}, {"STANDARD_IA", 150},
    {"GLACIER_IR", 80}, {"ONEZONE_IA", 10},           {"", 10},
};
static const struct cls cls_backups[] = {
    {"STANDARD", 200},     {"STANDARD_IA", 200}, {"GLACIER", 250},
    {"DEEP_ARCHIVE", 300}, {"GLACIER_IR", 40},   {"", 10},
};
static const struct cls cls_tmp[] = {
    {"STANDARD", 950},
    {"ONEZONE_IA", 20},
    {"REDUCED_REDUNDANCY", 10},
    {"", 20},
};
static const struct cls cls_root[] = {
    {"STANDARD", 950},
    {"INTELLIGENT_TIERING", 30},
    {"", 20},
};

static const char *pick_class(enum s3i_gen_sect s, uint64_t h, int64_t age_days)
{
	const struct cls *t;
	size_t n, i;
	unsigned v = (unsigned)(h % 1000), acc = 0;
	switch (s) {
	case S3I_GEN_SECT_LOGS:
		t = cls_logs, n = sizeof cls_logs / sizeof *t;
		break;
	case S3I_GEN_SECT_PHOTOS:
		t = cls_photos, n = sizeof cls_photos / sizeof *t;
		break;
	case S3I_GEN_SECT_DATASETS:
		t = cls_datasets, n = sizeof cls_datasets / sizeof *t;
		break;
	case S3I_GEN_SECT_BACKUPS:
		t = cls_backups, n = sizeof cls_backups / sizeof *t;
		break;
	case S3I_GEN_SECT_TMP:
		t = cls_tmp, n = sizeof cls_tmp / sizeof *t;
		break;
	default:
		t = cls_root, n = sizeof cls_root / sizeof *t;
		break;
	}
	for (i = 0; i + 1 < n; i++) {
		acc += t[i].weight;
		if (v < acc)
			break;
	}
	/* lifecycle rules move objects only after 30 days */
	if (age_days < 30 && t[i].name[0] && strcmp(t[i].name, "INTELLIGENT_TIERING") != 0)
		return "STANDARD";
	return t[i].name;
}

static const char *pick_tier(uint64_t h, int64_t age_days)
{
	unsigned v = (unsigned)(h % 100);
	if (v < 5)
		return "";
	if (age_days < 30)
		return "FREQUENT_ACCESS";
	if (age_days < 90)
		return "INFREQUENT_ACCESS";
	if (age_days < 180 || v < 60)
		return "ARCHIVE_INSTANT_ACCESS";
	return v < 85 ? "ARCHIVE_ACCESS" : "DEEP_ARCHIVE_ACCESS";
}

/* A heavy-tailed size: log-normal body (median, sigma) with a Pareto-like
 * tail on 0.2% of objects, capped at 5 TiB. */
static uint64_t lognormal(struct rng *r, double median, double sigma)
{
	double z = (unit(r) + unit(r) + unit(r) + unit(r) - 2.0) * 1.7320508075688772;
	double v = median * exp(sigma * z);
	if (next(r) % 1000 < 2)
		v /= (unit(r) + 1e-4);
	if (v > 5.0 * 1099511627776.0)
		v = 5.0 * 1099511627776.0;
	return v < 0 ? 0 : (uint64_t)v;
}

static uint64_t pick_size(const struct s3i_gen_key *k, struct rng *r)
{
	if (k->folder || next(r) % 1000 < 5)
		return 0;
	switch (k->sect) {
	case S3I_GEN_SECT_LOGS:
		return lognormal(r, 40e3, 1.2);
	case S3I_GEN_SECT_PHOTOS:
		return k->variant == 2 ? lognormal(r, 200e6, 1.0) : lognormal(r, 3e6, 0.6);
	case S3I_GEN_SECT_DATASETS:
		return lognormal(r, 128e6, 0.5);
	case S3I_GEN_SECT_BACKUPS:
		return lognormal(r, 2e9, 1.0);
	case S3I_GEN_SECT_TMP:
		return lognormal(r, 100e3, 2.5);
	default:
		return lognormal(r, 5e3, 1.5);
	}
}

/* ---- formatting ----------------------------------------------------- */

struct w {
	char *p;
};

static void wr(struct w *w, const char *s, size_t n)
{
	memcpy(w->p, s, n);
	w->p += n;
}

static void wrs(struct w *w, const char *s)
{
	wr(w, s, strlen(s));
}

static void wrnum(struct w *w, uint64_t v, unsigned width)
{
	char tmp[24];
	unsigned i = 24;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (24 - i < width)
		tmp[--i] = '0';
	wr(w, tmp + i, 24 - i);
}

/* A quoted field with a plain ASCII value (no quotes inside). */
static void field(struct w *w, const char *s, bool comma)
{
	*w->p++ = '"';
	wrs(w, s);
	*w->p++ = '"';
	if (comma)
		*w->p++ = ',';
}

static void wrtime(struct w *w, int64_t ms)
{
	int64_t day = ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
	int64_t in = ms - day * DAY_MS;
	int y;
	unsigned m, d;
	s3i_gen_civil_from_days(day, &y, &m, &d);
	*w->p++ = '"';
	wrnum(w, (uint64_t)y, 4);
	*w->p++ = '-';
	wrnum(w, m, 2);
	*w->p++ = '-';
	wrnum(w, d, 2);
	*w->p++ = 'T';
	wrnum(w, (uint64_t)(in / 3600000), 2);
	*w->p++ = ':';
	wrnum(w, (uint64_t)(in / 60000 % 60), 2);
	*w->p++ = ':';
	wrnum(w, (uint64_t)(in / 1000 % 60), 2);
	wrs(w, ".000Z\",");
}

static bool unreserved(unsigned char b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
	       b == '-' || b == '_' || b == '.' || b == '*' || b == '/';
}

/* The Key field: URL-encoded like S3 does ('/' kept, ' ' -> '+'). Hostile
 * keys choose, by a hash bit, lower-case hex digits and raw '"' / ','
 * (doubled quotes) instead of %22 / %2C: a reader must accept both. */
static void wrkey(struct w *w, const struct s3i_gen_key *k)
{
	static const char HEX[] = "0123456789ABCDEF", hex[] = "0123456789abcdef";
	bool odd = k->hostile >= 0 && ((k->key_id >> 50) & 1);
	bool raw = k->hostile >= 0 && ((k->key_id >> 51) & 1);
	const char *digits = odd ? hex : HEX;
	size_t i;
	*w->p++ = '"';
	for (i = 0; i < k->len; i++) {
		unsigned char b = (unsigned char)k->key[i];
		if (unreserved(b)) {
			*w->p++ = (char)b;
		} else if (b == ' ') {
			*w->p++ = '+';
		} else if (raw && b == '"') {
			*w->p++ = '"';
			*w->p++ = '"';
		} else if (raw && b == ',') {
			*w->p++ = ',';
		} else {
			*w->p++ = '%';
			*w->p++ = digits[b >> 4];
			*w->p++ = digits[b & 15];
		}
	}
	wrs(w, "\",");
}

const char *s3i_gen_schema(bool versions)
{
	return versions
	           ? "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, "
	             "ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, "
	             "EncryptionStatus, IntelligentTieringAccessTier"
	           : "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, "
	             "IsMultipartUploaded, ReplicationStatus, EncryptionStatus, "
	             "IntelligentTieringAccessTier";
}

/* The key's LastModifiedDate (its newest row). */
static int64_t key_time(const struct s3i_gen_rowctx *c, const struct s3i_gen_key *k, struct rng *kr)
{
	const struct s3i_gen_tree *t = c->t;
	int64_t day = k->day, ms;
	int hour = k->hour;
	if (day < 0) {
		double u = unit(kr);
		day = t->report_day - 1 - (int64_t)(u * u * (double)t->days_back);
	}
	if (hour < 0)
		hour = (int)(next(kr) % 24);
	ms = day * DAY_MS + (int64_t)hour * 3600000 + (int64_t)(next(kr) % 3600) * 1000;
	if (ms >= c->report_ms)
		ms = c->report_ms - 1000;
	return ms;
}

size_t s3i_gen_row_format(char *dst, const struct s3i_gen_rowctx *c, const struct s3i_gen_key *k,
                          uint64_t row)
{
	static const char vid_chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
	static const char hexd[] = "0123456789abcdef";
	const struct s3i_gen_tree *t = c->t;
	struct rng kr = {s3i_gen_h2(t->seed, k->key_id)};
	struct rng rr = {s3i_gen_h2(t->seed ^ 0x726f77ULL, row)};
	struct w w = {dst};
	bool marker = k->role == S3I_GEN_MARKER_LATEST || k->role == S3I_GEN_MARKER_OLD;
	bool older = k->role == S3I_GEN_NONCURRENT || k->role == S3I_GEN_MARKER_OLD;
	int64_t ms = key_time(c, k, &kr), age;
	uint64_t kh = next(&kr), size;
	const char *cls, *tier = "";
	char buf[48];
	int q;

	if (older)
		ms -= (int64_t)(1 + next(&rr) % 400) * DAY_MS + (int64_t)(next(&rr) % DAY_MS);
	age = (c->report_ms - ms) / DAY_MS;

	*w.p++ = '"';
	wr(&w, c->bucket, c->bucket_len);
	wrs(&w, "\",");
	wrkey(&w, k);
	if (t->versions) {
		/* VersionId: empty for "null" versions of single-row keys */
		if (k->nrows == 1 && kh % 10 == 0) {
			wrs(&w, "\"\",");
		} else {
			uint64_t v = 0;
			*w.p++ = '"';
			for (q = 0; q < 32; q++) {
				if (q % 10 == 0)
					v = next(&rr);
				*w.p++ = vid_chars[v & 63];
				v >>= 6;
			}
			wrs(&w, "\",");
		}
		field(&w,
		      k->role == S3I_GEN_CURRENT || k->role == S3I_GEN_MARKER_LATEST ? "true"
		                                                                     : "false",
		      true);
		field(&w, marker ? "true" : "false", true);
	}
	if (marker) {
		wrs(&w, "\"\",");
		wrtime(&w, ms);
		wrs(&w, "\"\",\"\",\"\",\"\",\"\",\"\"\n");
		return (size_t)(w.p - dst);
	}
	/* the current version keeps the key's draws; older ones their own */
	size = pick_size(k, older ? &rr : &kr);
	*w.p++ = '"';
	wrnum(&w, size, 1);
	wrs(&w, "\",");
	wrtime(&w, ms);
	/* ETag */
	*w.p++ = '"';
	{
		uint64_t a = next(&rr), b = next(&rr);
		for (q = 0; q < 16; q++) {
			buf[q] = hexd[(a >> (4 * q)) & 15];
			buf[16 + q] = hexd[(b >> (4 * q)) & 15];
		}
	}
	wr(&w, buf, 32);
	bool multipart = size >= 16u << 20 && next(&rr) % 10 < 7;
	if (multipart) {
		uint64_t parts = size / (16u << 20) + 1;
		*w.p++ = '-';
		wrnum(&w, parts > 10000 ? 10000 : parts, 1);
	}
	wrs(&w, "\",");
	cls = pick_class(k->sect, older ? next(&rr) : next(&kr), age);
	if (strcmp(cls, "INTELLIGENT_TIERING") == 0)
		tier = pick_tier(older ? next(&rr) : next(&kr), age);
	field(&w, cls, true);
	field(&w, multipart ? "true" : "false", true);
	{
		unsigned v = (unsigned)(next(&kr) % 100);
		field(&w,
		      v < 85   ? ""
		      : v < 95 ? "COMPLETED"
		      : v < 97 ? "PENDING"
		      : v < 98 ? "FAILED"
		               : "REPLICA",
		      true);
		v = (unsigned)(next(&kr) % 100);
		field(&w,
		      v < 80   ? "SSE-S3"
		      : v < 95 ? "SSE-KMS"
		      : v < 99 ? "NOT-SSE"
		               : "DSSE-KMS",
		      true);
	}
	field(&w, tier, false);
	*w.p++ = '\n';
	return (size_t)(w.p - dst);
}
