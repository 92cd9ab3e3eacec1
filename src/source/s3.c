/* SPDX-License-Identifier: MIT */
/*
 * s3.c — placeholder until the S3 source lands: every entry point reports
 * that S3 sources are not supported in this build.
 */
#include "source/s3.h"

#include <string.h>

#include "util/err.h"

bool s3i_is_s3_url(const char *source)
{
	return strncmp(source, "s3://", 5) == 0;
}

int s3i_s3_new(struct s3i_s3 **out, const s3inv_build_options *opts, struct s3i_budget *budget,
               volatile int *cancel, s3inv_error *err)
{
	(void)opts; (void)budget; (void)cancel;
	*out = NULL;
	return s3i_err_set(err, S3INV_EINVAL, "s3:// sources are not supported yet");
}

void s3i_s3_free(struct s3i_s3 *s)
{
	(void)s;
}

int s3i_manifest_load_s3(struct s3i_manifest **out, struct s3i_s3 *s, const char *url,
                         void (*notice)(const char *line, void *payload), void *payload,
                         s3inv_error *err)
{
	(void)s; (void)notice; (void)payload;
	*out = NULL;
	return s3i_err_set(err, S3INV_EINVAL, "%s: s3:// sources are not supported yet", url);
}

int s3i_s3_open(struct s3i_input **out, struct s3i_s3 *s, const char *url, uint64_t size,
                const char *md5_hex, s3inv_error *err)
{
	(void)s; (void)size; (void)md5_hex;
	*out = NULL;
	return s3i_err_set(err, S3INV_EINVAL, "%s: s3:// sources are not supported yet", url);
}
