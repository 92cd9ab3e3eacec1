/* SPDX-License-Identifier: MIT */
/*
 * md5.c — streaming MD5 over OpenSSL EVP.
 */
#include "util/md5.h"

#include <openssl/evp.h>

#include "s3inv.h"

int s3i_md5_init(struct s3i_md5 *m)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	m->ctx = c;
	if (!c || EVP_DigestInit_ex(c, EVP_md5(), NULL) != 1) {
		s3i_md5_free(m);
		return S3INV_ENOMEM;
	}
	return 0;
}

void s3i_md5_update(struct s3i_md5 *m, const void *p, size_t n)
{
	EVP_DigestUpdate(m->ctx, p, n);
}

void s3i_md5_final(struct s3i_md5 *m, char hex[33])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[16];
	unsigned int len = 0, i;
	EVP_DigestFinal_ex(m->ctx, d, &len);
	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[32] = '\0';
	s3i_md5_free(m);
}

void s3i_md5_free(struct s3i_md5 *m)
{
	if (m->ctx)
		EVP_MD_CTX_free(m->ctx);
	m->ctx = NULL;
}

bool s3i_md5_is_hex(const char *s)
{
	size_t i;
	for (i = 0; i < 32; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return s[32] == '\0';
}
