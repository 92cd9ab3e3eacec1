/* SPDX-License-Identifier: MIT */
/*
 * tree.c — row number -> key, by one descent of an implicit tree.
 *
 * Each node covers a contiguous range of rows [0, n) (relative to itself)
 * and splits it among k children with boundaries b(c) = floor(n * F(c/k)),
 * F a monotone skew (linear, x^2, sqrt, ...) chosen by a hash of the node's
 * identity; or among a fixed, byte-sorted list of named sections by integer
 * weights. Children with an empty range simply do not exist. Descending
 * from the root with i, each step finds the child whose range holds i and
 * appends its name. The invariant that makes sorted output free: a child's
 * name sorts after every earlier sibling's (same-width zero-padded indices
 * behind a constant prefix, dates, or a sorted list), and every character a
 * hostile suffix starts with (' ', '+', '%', '-', '/', ',', '"') sorts
 * before the letters that begin ordinary names, which matters only for the
 * folder marker (empty name) that may open a folder.
 *
 * Cost: a handful of hashes and double operations per level, about ten
 * levels: well under a microsecond a row.
 */
#include "gen/tree.h"

#include <math.h>
#include <string.h>

/* ---- node kinds ---------------------------------------------------- */

enum kind {
	K_ROOT_MIXED,
	K_ROOT_LOGS,
	K_ROOT_MEDIA,
	K_SERVICES,
	K_DATASETS,
	K_SVC,   /* service: one child per day, "yyyy/mm/dd/" */
	K_HOUR,  /* "hh/" */
	K_HOST,  /* "host-NN/" */
	K_USERS, /* "uNNN/" */
	K_USER,  /* "albums/" */
	K_ALBUMS,
	K_DSVER,
	K_DSPART,
	K_BACKUPS,
	K_BKDAY,
	/* leaf folders: their children are rows */
	K_LOGFILES,
	K_PHOTOS,
	K_DSFILES,
	K_BKFILES,
	K_TMP,
	K_ROOTFILES
};

struct entry {
	const char *name; /* "" = the rows sit directly in this folder */
	unsigned weight;
	enum kind kind;
};

/* Each list is sorted bytewise by the names its rows produce: the ""
 * entries are K_ROOTFILES, whose names start with "root-object-". */
static const struct entry root_mixed[] = {
    {"backups/", 40, K_BACKUPS}, {"datasets/", 120, K_DATASETS}, {"logs/", 400, K_SERVICES},
    {"", 2, K_ROOTFILES},        {"tmp/", 100, K_TMP},           {"users/", 338, K_USERS},
};
static const struct entry root_logs[] = {
    {"api-gateway/", 180, K_SVC}, {"auth-service/", 80, K_SVC}, {"billing/", 50, K_SVC},
    {"cdn-edge/", 300, K_SVC},    {"checkout/", 60, K_SVC},     {"ingest/", 140, K_SVC},
    {"", 2, K_ROOTFILES},         {"search/", 90, K_SVC},       {"web-frontend/", 100, K_SVC},
};
static const struct entry root_media[] = {
    {"", 2, K_ROOTFILES},
    {"shared/", 100, K_ALBUMS},
    {"users/", 898, K_USERS},
};
static const struct entry services[] = {
    {"api-gateway/", 180, K_SVC}, {"auth-service/", 80, K_SVC},  {"billing/", 50, K_SVC},
    {"cdn-edge/", 300, K_SVC},    {"checkout/", 60, K_SVC},      {"ingest/", 140, K_SVC},
    {"search/", 90, K_SVC},       {"web-frontend/", 100, K_SVC},
};
static const struct entry datasets[] = {
    {"clickstream/", 35, K_DSVER},     {"genomics/", 20, K_DSVER},
    {"imagenet-mirror/", 25, K_DSVER}, {"sensor-telemetry/", 15, K_DSVER},
    {"weather/", 5, K_DSVER},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- splitting a range --------------------------------------------- */

enum skew { SK_LIN, SK_SQ, SK_SQRT, SK_RSQ, SK_CUBE };

/* Monotone maps of [0,1] onto [0,1] (correctly rounded IEEE operations are
 * monotone, so the boundaries below never decrease). */
static double skew_f(enum skew s, double x)
{
	switch (s) {
	case SK_SQ:
		return x * x;
	case SK_SQRT:
		return sqrt(x);
	case SK_RSQ:
		return 1.0 - (1.0 - x) * (1.0 - x);
	case SK_CUBE:
		return x * x * x;
	default:
		return x;
	}
}

static double skew_inv(enum skew s, double y)
{
	switch (s) {
	case SK_SQ:
		return sqrt(y);
	case SK_SQRT:
		return y * y;
	case SK_RSQ:
		return 1.0 - sqrt(1.0 - y);
	case SK_CUBE:
		return cbrt(y);
	default:
		return y;
	}
}

/* Boundary c of a node with n rows and k children: floor(n*F(c/k) + ph),
 * with a per-node phase ph in [0,1) so that a node with fewer rows than
 * children puts them at random children, not always the last ones. */
static uint64_t bound(uint64_t n, uint64_t k, enum skew s, double ph, uint64_t c)
{
	double v;
	uint64_t b;
	if (c == 0)
		return 0;
	if (c >= k)
		return n;
	v = (double)n * skew_f(s, (double)c / (double)k) + ph;
	b = v <= 0 ? 0 : (uint64_t)v;
	return b > n ? n : b;
}

struct split {
	uint64_t n, k;
	enum skew s;
	double ph;
};

/* The child c holding row i (i < n, k >= 1), and its range [*lo, *hi). */
static uint64_t pick(struct split sp, uint64_t i, uint64_t *lo, uint64_t *hi)
{
	uint64_t c, a, b, n = sp.n, k = sp.k;
	double y = ((double)i + 0.5 - sp.ph) / (double)n;
	double g = (double)k * skew_inv(sp.s, y < 0 ? 0 : y > 1 ? 1 : y);
	c = g <= 0 ? 0 : (uint64_t)g;
	if (c >= k)
		c = k - 1;
	if (!(bound(n, k, sp.s, sp.ph, c) <= i && i < bound(n, k, sp.s, sp.ph, c + 1))) {
		/* binary search: the largest c with bound(c) <= i */
		a = 0;
		b = k - 1;
		while (a < b) {
			uint64_t m = a + (b - a + 1) / 2;
			if (bound(n, k, sp.s, sp.ph, m) <= i)
				a = m;
			else
				b = m - 1;
		}
		c = a;
	}
	*lo = bound(n, k, sp.s, sp.ph, c);
	*hi = bound(n, k, sp.s, sp.ph, c + 1);
	return c;
}

static double node_phase(uint64_t id)
{
	return (double)(s3i_gen_mix(id ^ 0x7068ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static enum skew node_skew(uint64_t id)
{
	static const enum skew pool[] = {SK_LIN, SK_SQ, SK_SQRT, SK_RSQ, SK_LIN, SK_SQ};
	return pool[(id >> 17) % NELEM(pool)];
}

static uint64_t clamp64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Child c of k spread over RANGE values (k <= range), increasing in c,
 * with a per-node offset so that sparse nodes do not all start at 0. */
static uint64_t spread(uint64_t c, uint64_t k, uint64_t range, uint64_t id)
{
	uint64_t step = range / k;
	return c * range / k + (step > 1 ? (id >> 23) % step : 0);
}

/* ---- names --------------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len)
		n = o->cap - o->len; /* keys are far shorter; never overflow */
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static unsigned ndigits(uint64_t v)
{
	unsigned d = 1;
	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

/* V in decimal, zero-padded to WIDTH digits. */
static void putnum(struct out *o, uint64_t v, unsigned width)
{
	char tmp[24];
	unsigned d = ndigits(v), i;
	if (width > 20)
		width = 20;
	if (width < d)
		width = d;
	for (i = width; i-- > 0;) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	put(o, tmp, width);
}

static void putdate(struct out *o, int64_t day, char sep, bool trailing)
{
	int y;
	unsigned m, d;
	char s[2] = {sep, 0};
	s3i_gen_civil_from_days(day, &y, &m, &d);
	putnum(o, (uint64_t)y, 4);
	puts_(o, s);
	putnum(o, m, 2);
	puts_(o, s);
	putnum(o, d, 2);
	if (trailing)
		puts_(o, "/");
}

/* A hostile suffix, written right after a leaf's index digits. Returns
 * false when the usual extension must not follow (folder markers). */
static bool put_hostile(struct out *o, int f, uint64_t h)
{
	bool alt = (h >> 40) & 1;
	switch (f) {
	case S3I_GEN_H_SPACE:
		puts_(o, alt ? " old stuff/my pic" : " copy (1)");
		break;
	case S3I_GEN_H_PLUS:
		puts_(o, alt ? "+1 more/a+b" : "+v2");
		break;
	case S3I_GEN_H_PERCENT:
		puts_(o, alt ? "%2B50% off" : " 100%/%41%zz");
		break;
	case S3I_GEN_H_ACCENT:
		puts_(o, alt ? "/\xc3\x9c"
		               "bersicht na\xc3\xafve"
		             : "-caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9");
		break;
	case S3I_GEN_H_CJK:
		puts_(o, alt ? "/\xe5\x86\x99\xe7\x9c\x9f/\xe6\x9d\xb1\xe4\xba\xac"
		             : "-\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
		break;
	case S3I_GEN_H_EMOJI:
		puts_(o, alt ? "/\xf0\x9f\x93\x81 stuff \xf0\x9f\x98\x80" : "-\xf0\x9f\x8e\x89");
		break;
	case S3I_GEN_H_DSLASH:
		puts_(o, alt ? "///y//z" : "//x");
		break;
	case S3I_GEN_H_MARKER:
		puts_(o, alt ? " folder/" : "/");
		return false;
	case S3I_GEN_H_DEEP: {
		unsigned l;
		for (l = 1; l <= 20; l++) {
			puts_(o, "/l");
			putnum(o, l, 2);
		}
		puts_(o, "/deep");
		break;
	}
	case S3I_GEN_H_QUOTE:
		puts_(o, alt ? "\"\"double\"\"" : " \"quoted\"");
		break;
	case S3I_GEN_H_COMMA:
		puts_(o, alt ? ", a, b" : ",v2,final");
		break;
	default:
		puts_(o, " a,b \"c\" +d %e \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80/x");
		break;
	}
	return true;
}

/* ---- leaves -------------------------------------------------------- */

/* Pair kinds with versions: 0 two keys, 1 current + non-current,
 * 2 delete marker (latest) + non-current, 3 current + old delete marker.
 * Tuned so that, at 10M rows (few single-row folders), about 8% of keys
 * get a non-current version and 2% a delete marker. */
static unsigned pair_kind(uint64_t h)
{
	unsigned v = (unsigned)(h % 1000);
	return v < 135 ? 1 : v < 155 ? 2 : v < 175 ? 3 : 0;
}

static const enum s3i_gen_role pair_roles[4][2] = {
    {S3I_GEN_CURRENT, S3I_GEN_CURRENT},
    {S3I_GEN_CURRENT, S3I_GEN_NONCURRENT},
    {S3I_GEN_MARKER_LATEST, S3I_GEN_NONCURRENT},
    {S3I_GEN_CURRENT, S3I_GEN_MARKER_OLD},
};

/* The hostile feature forced on a key whose rows are [g, g+len), so that
 * every feature appears at least once when n >= S3I_GEN_H_COUNT: row
 * floor(f*n/H) gets feature f. */
static int forced_feature(uint64_t n, uint64_t g, unsigned len)
{
	const uint64_t nf = S3I_GEN_H_COUNT;
	uint64_t r, f;
	if (n < nf)
		return -1;
	for (r = g; r < g + len; r++) {
		f = (r * nf + n - 1) / n;
		if (f < nf && f * n / nf == r)
			return (int)f;
	}
	return -1;
}

struct leafdir {
	const char *prefix;
	unsigned min_width;
	uint64_t base;
	bool markers; /* may open with a folder-marker object */
};

static void leaf(const struct s3i_gen_tree *t, enum kind kind, uint64_t id, uint64_t n, uint64_t j,
                 uint64_t i, struct out *o, struct s3i_gen_key *k)
{
	static const char *const log_pfx[] = {"access-", "app-", "error-", "audit-"};
	static const char *const root_ext[] = {".txt", ".html", ".json", ".ico"};
	struct leafdir ld = {"part-", 5, 0, false};
	uint64_t name_idx = j, local_leader = j, hk, hh;
	unsigned pk = 0;
	bool ext = true;
	int hostile;

	switch (kind) {
	case K_LOGFILES:
		ld = (struct leafdir){log_pfx[(id >> 9) & 3], 5, 0, true};
		break;
	case K_PHOTOS:
		ld = (struct leafdir){"IMG_", 4, 1 + (id >> 20) % 8000, true};
		break;
	case K_DSFILES:
		ld = (struct leafdir){"part-", 5, 0, true};
		break;
	case K_BKFILES:
		ld = (struct leafdir){"dump-", 4, 0, true};
		break;
	case K_TMP:
		ld = (struct leafdir){"upload-", 6, 0, false};
		break;
	default:
		ld = (struct leafdir){"root-object-", 4, 0, false};
		break;
	}

	if (t->versions && (j | 1) < n) {
		pk = pair_kind(s3i_gen_h2(id ^ 0x7061697273ULL, j / 2));
		if (pk != 0) {
			name_idx = j & ~(uint64_t)1;
			local_leader = name_idx;
		}
	}
	k->role = pair_roles[pk][j & 1];
	k->nrows = pk != 0 ? 2 : 1;
	k->leader = i - (j - local_leader);
	k->key_id = s3i_gen_h2(id, name_idx);
	hk = k->key_id;

	hostile = forced_feature(t->n, k->leader, k->nrows);
	hh = s3i_gen_h2(t->seed ^ 0x686f7374ULL, k->leader);
	if (hostile < 0 && hh % 1000 < 6)
		hostile = (int)((hh >> 20) % S3I_GEN_H_COUNT);
	k->hostile = hostile;

	if (ld.markers && hostile < 0 && name_idx == 0 && s3i_gen_h2(id, 0x6d61726bULL) % 100 < 4) {
		k->folder = true; /* the folder's own marker object: key ends in '/' */
		return;
	}
	puts_(o, ld.prefix);
	putnum(
	    o, ld.base + name_idx,
	    (unsigned)(ld.min_width > ndigits(ld.base + n) ? ld.min_width : ndigits(ld.base + n)));
	if (kind == K_TMP) {
		static const char hex[] = "0123456789abcdef";
		char s[8];
		int q;
		s[0] = '-';
		for (q = 0; q < 6; q++)
			s[1 + q] = hex[(hk >> (4 * q)) & 15];
		put(o, s, 7);
	}
	if (hostile >= 0)
		ext = put_hostile(o, hostile, hh);
	if (!ext) {
		k->folder = true;
		return;
	}
	switch (kind) {
	case K_LOGFILES:
		puts_(o, ".log.gz");
		break;
	case K_PHOTOS: {
		unsigned v = (unsigned)((hk >> 32) % 100);
		k->variant = v < 85 ? 0 : v < 95 ? 1 : 2;
		puts_(o, k->variant == 0 ? ".jpg" : k->variant == 1 ? ".heic" : ".mov");
		break;
	}
	case K_DSFILES:
		puts_(o, ".snappy.parquet");
		break;
	case K_BKFILES:
		puts_(o, ".tar.zst");
		break;
	case K_TMP:
		puts_(o, ".part");
		break;
	default:
		k->variant = (int)((hk >> 32) & 3);
		puts_(o, root_ext[k->variant]);
		break;
	}
}

/* ---- the descent --------------------------------------------------- */

static const struct entry *list_of(enum kind kind, size_t *n)
{
	switch (kind) {
	case K_ROOT_MIXED:
		*n = NELEM(root_mixed);
		return root_mixed;
	case K_ROOT_LOGS:
		*n = NELEM(root_logs);
		return root_logs;
	case K_ROOT_MEDIA:
		*n = NELEM(root_media);
		return root_media;
	case K_SERVICES:
		*n = NELEM(services);
		return services;
	case K_DATASETS:
		*n = NELEM(datasets);
		return datasets;
	default:
		*n = 0;
		return NULL;
	}
}

static enum s3i_gen_sect sect_of(enum kind kind)
{
	switch (kind) {
	case K_LOGFILES:
		return S3I_GEN_SECT_LOGS;
	case K_PHOTOS:
		return S3I_GEN_SECT_PHOTOS;
	case K_DSFILES:
		return S3I_GEN_SECT_DATASETS;
	case K_BKFILES:
		return S3I_GEN_SECT_BACKUPS;
	case K_TMP:
		return S3I_GEN_SECT_TMP;
	default:
		return S3I_GEN_SECT_ROOT;
	}
}

void s3i_gen_tree_key(const struct s3i_gen_tree *t, uint64_t i, struct s3i_gen_key *k)
{
	struct out o = {k->key, 0, sizeof k->key};
	enum kind kind = t->shape == S3INV_SHAPE_LOGS    ? K_ROOT_LOGS
	                 : t->shape == S3INV_SHAPE_MEDIA ? K_ROOT_MEDIA
	                                                 : K_ROOT_MIXED;
	uint64_t id = s3i_gen_h2(t->seed, 0x726f6f74ULL + (uint64_t)t->shape);
	uint64_t n = t->n, r = i, lo, hi, c, kk;
	int64_t day0 = t->report_day - (int64_t)t->days_back;

	k->len = 0;
	k->day = -1;
	k->hour = -1;
	k->hostile = -1;
	k->variant = 0;
	k->folder = false;
	for (;;) {
		size_t ne;
		const struct entry *e = list_of(kind, &ne);
		if (e) {
			uint64_t tot = 0, cw = 0;
			size_t q;
			for (q = 0; q < ne; q++)
				tot += e[q].weight;
			lo = 0;
			for (q = 0; q < ne; q++) {
				cw += e[q].weight;
				hi = q + 1 == ne ? n : (n / tot) * cw + (n % tot) * cw / tot;
				if (r < hi)
					break;
				lo = hi;
			}
			puts_(&o, e[q].name);
			kind = e[q].kind;
			c = q;
		} else {
			enum kind next = kind;
			switch (kind) {
			case K_SVC:
				/* at least ~4 rows a day: small reports keep several
				 * objects (and versions) per folder */
				kk = clamp64(n / 4, 1, t->days_back);
				c = pick((struct split){n, kk, SK_SQ, node_phase(id)}, r, &lo, &hi);
				k->day = day0 + (int64_t)spread(c, kk, t->days_back, id);
				putdate(&o, k->day, '/', true);
				next = K_HOUR;
				break;
			case K_HOUR:
				kk = clamp64(n / 3, 1, 24);
				c = pick((struct split){n, kk, node_skew(id), node_phase(id)}, r,
				         &lo, &hi);
				k->hour = (int)spread(c, kk, 24, id);
				putnum(&o, (uint64_t)k->hour, 2);
				puts_(&o, "/");
				next = K_HOST;
				break;
			case K_HOST:
				c = pick((struct split){n, clamp64(n / 6 + 1, 1, 12), node_skew(id),
				                        node_phase(id)},
				         r, &lo, &hi);
				puts_(&o, "host-");
				putnum(&o, c + 1, 2);
				puts_(&o, "/");
				next = K_LOGFILES;
				break;
			case K_USERS:
				kk = n / 250 > 0 ? n / 250 : 1;
				c = pick((struct split){n, kk, SK_CUBE, node_phase(id)}, r, &lo,
				         &hi);
				puts_(&o, "u");
				putnum(&o, c, ndigits(kk - 1) > 3 ? ndigits(kk - 1) : 3);
				puts_(&o, "/");
				next = K_USER;
				break;
			case K_USER:
				c = 0, lo = 0, hi = n;
				puts_(&o, "albums/");
				next = K_ALBUMS;
				break;
			case K_ALBUMS:
				kk = n / 40 > 0 ? n / 40 : 1;
				c = pick((struct split){n, kk, node_skew(id), node_phase(id)}, r,
				         &lo, &hi);
				puts_(&o, "a");
				putnum(&o, c, ndigits(kk - 1) > 2 ? ndigits(kk - 1) : 2);
				puts_(&o, "/");
				next = K_PHOTOS;
				break;
			case K_DSVER:
				c = pick((struct split){n, clamp64(n / 20000 + 1, 1, 12), SK_SQ,
				                        node_phase(id)},
				         r, &lo, &hi);
				puts_(&o, "v");
				putnum(&o, c + 1, 3);
				puts_(&o, "/");
				next = K_DSPART;
				break;
			case K_DSPART:
				kk = clamp64(n / 200 + 1, 1, 730);
				c = pick((struct split){n, kk, SK_LIN, node_phase(id)}, r, &lo,
				         &hi);
				k->day = t->report_day - (int64_t)kk + (int64_t)c;
				puts_(&o, "date=");
				putdate(&o, k->day, '-', true);
				next = K_DSFILES;
				break;
			case K_BACKUPS:
				c = pick((struct split){n, clamp64(n / 1500 + 1, 1, 40),
				                        node_skew(id), node_phase(id)},
				         r, &lo, &hi);
				puts_(&o, "db-");
				putnum(&o, c + 1, 2);
				puts_(&o, "/");
				next = K_BKDAY;
				break;
			case K_BKDAY:
				kk = clamp64(n / 3, 1, t->days_back);
				c = pick((struct split){n, kk, SK_LIN, node_phase(id)}, r, &lo,
				         &hi);
				k->day = day0 + (int64_t)spread(c, kk, t->days_back, id);
				putdate(&o, k->day, '-', true);
				next = K_BKFILES;
				break;
			default: /* a leaf folder */
				k->sect = sect_of(kind);
				leaf(t, kind, id, n, r, i, &o, k);
				k->len = o.len;
				return;
			}
			kind = next;
		}
		id = s3i_gen_h2(id, c * 64 + (uint64_t)kind);
		r -= lo;
		n = hi - lo;
	}
}

/* ---- dates (H. Hinnant's civil calendar algorithms) ------------------ */

int64_t s3i_gen_days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void s3i_gen_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

void s3i_gen_tree_init(struct s3i_gen_tree *t, uint64_t n, uint64_t seed, s3inv_shape shape,
                       bool versions, int64_t report_ms)
{
	t->n = n;
	t->seed = s3i_gen_mix(seed ^ 0x5333494e56ULL);
	t->shape = shape;
	t->versions = versions;
	t->report_day =
	    report_ms >= 0 ? report_ms / 86400000 : -((-report_ms + 86399999) / 86400000);
	t->days_back = 6 * 365;
}
