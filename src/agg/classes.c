/* SPDX-License-Identifier: MIT */
/*
 * classes.c — the build's storage-class registry (see classes.h).
 *
 * A class key is formed once per distinct (StorageClass, tier) pair and
 * looked up by a linear scan under the mutex: there are at most
 * S3I_MAX_CLASSES keys and workers cache ids, so the lock is taken once per
 * new pair per worker, never per row. Ids are indexes into names[], given
 * in order of first sight and never reused until s3i_classes_free.
 */
#include "agg/classes.h"

#include <string.h>

#include "agg/prec.h"
#include "util/alloc.h"
#include "util/err.h"

#define IT_CLASS "INTELLIGENT_TIERING"
#define IT_LEN (sizeof IT_CLASS - 1)
#define STD_CLASS "STANDARD"

void s3i_classes_init(struct s3i_classes *c)
{
	s3i_mutex_init(&c->lock);
	c->n = 0;
	memset(c->names, 0, sizeof c->names);
}

void s3i_classes_free(struct s3i_classes *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->n; i++)
		s3i_free(c->names[i]);
	c->n = 0;
	s3i_mutex_destroy(&c->lock);
}

int s3i_classes_id(struct s3i_classes *c, uint32_t *id, const char *cls, size_t cls_len,
                   const char *tier, size_t tier_len, s3inv_error *err)
{
	char key[512];
	size_t len;
	int rc = 0;

	if (cls_len == 0) {
		cls = STD_CLASS;
		cls_len = sizeof STD_CLASS - 1;
	}
	if (tier_len > sizeof key - 2 || cls_len > sizeof key - 2 - tier_len)
		return s3i_err_set(err, S3INV_EFORMAT, "storage class: value too long (%zu bytes)",
		                   cls_len + tier_len);
	memcpy(key, cls, cls_len);
	len = cls_len;
	if (tier_len > 0 && cls_len == IT_LEN && memcmp(cls, IT_CLASS, IT_LEN) == 0) {
		key[len++] = ':';
		memcpy(key + len, tier, tier_len);
		len += tier_len;
	}
	key[len] = '\0';

	s3i_mutex_lock(&c->lock);
	for (uint32_t i = 0; i < c->n; i++) {
		if (strlen(c->names[i]) == len && memcmp(c->names[i], key, len) == 0) {
			*id = i;
			goto out;
		}
	}
	if (c->n >= S3I_MAX_CLASSES ||
	    c->n >= (uint32_t)(sizeof c->names / sizeof c->names[0])) {
		rc = s3i_err_set(err, S3INV_EFORMAT, "storage class '%s': more than %d distinct classes",
		                 key, S3I_MAX_CLASSES);
		goto out;
	}
	c->names[c->n] = s3i_strndup(key, len);
	if (!c->names[c->n]) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "storage class registry: out of memory");
		goto out;
	}
	*id = c->n++;
out:
	s3i_mutex_unlock(&c->lock);
	return rc;
}
