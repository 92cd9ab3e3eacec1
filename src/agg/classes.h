/* SPDX-License-Identifier: MIT */
/*
 * classes.h — the build's storage-class registry: class key string → id.
 *
 * Keys are the StorageClass value, or "INTELLIGENT_TIERING:<tier>" when the
 * tier is known; an empty class is "STANDARD". Ids are assigned in order of
 * first sight (so they differ between runs and thread counts: the index
 * writer renumbers by name). Thread-safe: a mutex guards insertion; workers
 * keep a small private cache so the lock is taken once per new key, not per row.
 */
#ifndef S3I_CLASSES_H
#define S3I_CLASSES_H

#include <stddef.h>
#include <stdint.h>

#include "s3inv.h"
#include "util/thread.h"

struct s3i_classes {
	s3i_mutex lock;
	uint32_t n;
	char *names[1024];
};

void s3i_classes_init(struct s3i_classes *c);
void s3i_classes_free(struct s3i_classes *c);
/** Id of the key formed from CLASS and TIER (see above).
 *  @return 0 with *id set, S3INV_ENOMEM, or S3INV_EFORMAT past 1024 classes. */
int s3i_classes_id(struct s3i_classes *c, uint32_t *id, const char *cls, size_t cls_len,
                   const char *tier, size_t tier_len, s3inv_error *err);

#endif
