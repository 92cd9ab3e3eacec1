/* SPDX-License-Identifier: MIT */
/*
 * age.c — age buckets of the current objects of a prefix (s3inv_age_*,
 * s3inv_index_age). The histograms themselves are counted at build time
 * (agg) and stored as index sections; this file names the buckets and
 * reads them back.
 */
#include "index/reader.h"

static const char *const labels[S3INV_AGE_BUCKETS] = {
	"<30d", "30-90d", "90-180d", "180d-1y", "1-2y", "2-5y", ">=5y"
};
static const uint32_t days[S3INV_AGE_BUCKETS] = {0, 30, 90, 180, 365, 730, 1825};

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
	(void)idx;
	(void)pos;
	(void)out;
	return S3INV_ENOTFOUND; /* TODO(age): indexes do not store age yet */
}
