/* SPDX-License-Identifier: MIT */
/*
 * md5.h — streaming MD5 (OpenSSL's libcrypto underneath) for checking data
 * files against the manifest's MD5checksum while they are read.
 */
#ifndef S3I_MD5_H
#define S3I_MD5_H

#include <stdbool.h>
#include <stddef.h>

struct s3i_md5 {
	void *ctx; /* EVP_MD_CTX */
};

/** @return 0 or S3INV_ENOMEM. */
int s3i_md5_init(struct s3i_md5 *m);
void s3i_md5_update(struct s3i_md5 *m, const void *p, size_t n);
/** Write 32 lowercase hex digits and a NUL into HEX, and free the context. */
void s3i_md5_final(struct s3i_md5 *m, char hex[33]);
/** True when S is exactly 32 hex digits (either case) then NUL. */
bool s3i_md5_is_hex(const char *s);

/** Free without finishing (accepts a never-initialised zeroed struct). */
void s3i_md5_free(struct s3i_md5 *m);

#endif
