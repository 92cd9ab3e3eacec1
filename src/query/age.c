/* SPDX-License-Identifier: MIT */
/*
 * age.c — age buckets of the current objects of a prefix (s3inv_age_*,
 * s3inv_index_age). The histograms themselves are counted at build time
 * (agg) and stored as index sections; this file names the buckets and
 * reads them back.
 */
#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "index/reader.h"
#include "agg/prec.h"

static const char *const labels[S3INV_AGE_BUCKETS] = {
	"<30d", "30-90d", "90-180d", "180d-1y", "1-2y", "2-5y", ">=5y"
};
static const uint32_t days[S3INV_AGE_BUCKETS] = S3I_AGE_BOUND_DAYS;

const char *s3inv_age_bucket_label(unsigned b)
{
	return b < S3INV_AGE_BUCKETS ? labels[b] : NULL;
}

uint32_t s3inv_age_bucket_days(unsigned b)
{
	return b < S3INV_AGE_BUCKETS ? days[b] : UINT32_MAX;
}

int s3inv_index_age(const s3inv_index *idx, uint64_t pos, s3inv_age *out)
{
	s3inv_stats st;
	uint64_t first, so = 0, sb = 0;
	unsigned count, mask, last = 0, b, e = 0;
	int rc;
	memset(out, 0, sizeof *out);
	if (!idx->info.has_age || idx->agemask.w != 1)
		return S3INV_ENOTFOUND;
	if ((rc = s3inv_index_stats(idx, pos, &st)) < 0)
		return rc;
	if ((rc = s3i_index_age_entries(idx, pos, &first, &count)) < 0)
		return rc;
	mask = idx->agemask.p[pos];
	if (mask == 0)
		return st.objects == 0 ? 0 : S3INV_ECORRUPT;
	for (b = 0; b < S3I_AGE_SLOTS; b++)
		if (mask & (1u << b))
			last = b;
	/* explicit buckets, then the last one = the prefix's totals minus them */
	for (b = 0; b < last; b++) {
		uint64_t o, y;
		if (!(mask & (1u << b)))
			continue;
		o = s3i_index_col(&idx->ageobj, first + e);
		y = s3i_index_col(&idx->agebytes, first + e);
		e++;
		if (o == 0 || o > st.objects - so || y > st.bytes - sb)
			return S3INV_ECORRUPT;
		so += o;
		sb += y;
		if (b < S3INV_AGE_BUCKETS) {
			out->objects[b] = o;
			out->bytes[b] = y;
		}
	}
	if (e != count || so >= st.objects)
		return S3INV_ECORRUPT;
	if (last < S3INV_AGE_BUCKETS) { /* bucket 7 (no date) is not shown */
		out->objects[last] = st.objects - so;
		out->bytes[last] = st.bytes - sb;
	}
	return 0;
}

int s3inv_index_age_older(const s3inv_index *idx, uint64_t pos, unsigned b, uint64_t *objects,
                          uint64_t *bytes)
{
	s3inv_age age;
	int rc;
	*objects = *bytes = 0;
	if (b >= S3INV_AGE_BUCKETS)
		return S3INV_EINVAL;
	if ((rc = s3inv_index_age(idx, pos, &age)) < 0)
		return rc;
	for (; b < S3INV_AGE_BUCKETS; b++) {
		*objects += age.objects[b];
		*bytes += age.bytes[b];
	}
	return 0;
}

int s3inv_age_parse(const char *text)
{
	char *end;
	unsigned long v;
	uint32_t d;
	if (!text || text[0] < '0' || text[0] > '9')
		return S3INV_EINVAL;
	v = strtoul(text, &end, 10);
	if (v > 100000)
		return S3INV_EINVAL;
	if (strcmp(end, "d") == 0)
		d = (uint32_t)v;
	else if (strcmp(end, "y") == 0)
		d = v == 1 ? 365 : v == 2 ? 730 : v == 5 ? 1825 : 0;
	else
		return S3INV_EINVAL;
	for (unsigned b = 1; b < S3INV_AGE_BUCKETS; b++)
		if (days[b] == d)
			return (int)b;
	return S3INV_EINVAL;
}
