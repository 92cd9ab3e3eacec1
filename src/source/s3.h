/* SPDX-License-Identifier: MIT */
/*
 * s3.h — inventories in S3: SigV4 over libcurl, the credential chain,
 * streamed parallel ranged GETs with retries, newest-report discovery.
 *
 * The rest of the library sees only s3i_input and s3i_manifest: where bytes
 * come from stays in this layer.
 */
#ifndef S3I_S3_H
#define S3I_S3_H

#include <stdbool.h>
#include <stdint.h>

#include "source/input.h"
#include "source/manifest.h"

struct s3i_budget;
struct s3i_s3;

/** True when SOURCE starts with "s3://". */
bool s3i_is_s3_url(const char *source);

/** A client context for one build: credentials, region, endpoint, curl
 *  share handle, retry policy. Inputs opened from it may be used by
 *  different threads at once (one input per thread). In-flight buffers are
 *  reserved from BUDGET (may be NULL). */
int s3i_s3_new(struct s3i_s3 **out, const s3inv_build_options *opts, struct s3i_budget *budget,
               volatile int *cancel, s3inv_error *err);
void s3i_s3_free(struct s3i_s3 *s);

/** Load the manifest at URL (a manifest.json, or a prefix whose newest
 *  complete dated report is picked, with NOTICE told which). files[].path
 *  become s3://<destination bucket>/<key>. */
int s3i_manifest_load_s3(struct s3i_manifest **out, struct s3i_s3 *s, const char *url,
                         void (*notice)(const char *line, void *payload), void *payload,
                         s3inv_error *err);

/** Open the object at URL (s3://bucket/key) as an input of SIZE bytes
 *  (UINT64_MAX: ask with HEAD). Sequential reads stream ranged GETs and
 *  check MD5_HEX (may be NULL/empty); pread fetches exact ranges. */
int s3i_s3_open(struct s3i_input **out, struct s3i_s3 *s, const char *url, uint64_t size,
                const char *md5_hex, s3inv_error *err);

#endif
