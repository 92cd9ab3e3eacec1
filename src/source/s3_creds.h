/* SPDX-License-Identifier: MIT */
/*
 * s3_creds.h — AWS credentials and region: the usual provider chain.
 *
 * Order: environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN), the shared profile files (~/.aws/credentials and
 * ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE; profile
 * from the option, AWS_PROFILE, or "default"), container credentials
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on 169.254.170.2, or _FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]), then EC2 instance metadata
 * (IMDSv2: PUT a token, GET the role, GET its credentials; endpoint
 * overridable with AWS_EC2_METADATA_SERVICE_ENDPOINT, skipped when
 * AWS_EC2_METADATA_DISABLED=true). An explicitly given profile (the option,
 * as the AWS CLI's --profile) is tried before the environment.
 *
 * Temporary credentials are not refreshed when they expire during a build.
 */
#ifndef S3I_S3_CREDS_H
#define S3I_S3_CREDS_H

#include <stdbool.h>
#include <stddef.h>

#include "s3inv.h"

struct s3i_creds {
	char *access_key;
	char *secret_key;
	char *session_token; /* NULL when none */
	char *region;        /* from the profile, NULL when none */
	char source[96];     /* where they came from: "environment", "profile 'x'", ... */
};

/** Resolve credentials through the chain. PROFILE may be NULL (then
 *  AWS_PROFILE or "default"). Region from the profile is filled when found
 *  (even if the keys came from elsewhere).
 *  @return 0, S3INV_EAUTH (nothing found: the message lists what was tried),
 *  S3INV_EFORMAT (a provider answered with something unusable), S3INV_ENOMEM. */
int s3i_creds_resolve(struct s3i_creds *out, const char *profile, s3inv_error *err);

void s3i_creds_free(struct s3i_creds *c);

/** Look KEY up in section SECTION of the INI text (LEN bytes), in the AWS
 *  shared-file dialect: '#' and ';' comments, "key = value", names compared
 *  case-sensitively for sections and case-insensitively for keys, nested
 *  (indented) sub-settings ignored. @return a new string, or NULL when absent
 *  (or out of memory: *oom is set). */
char *s3i_ini_get(const char *text, size_t len, const char *section, const char *key,
                  bool *oom);

#endif
