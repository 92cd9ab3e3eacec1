/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csv.c — the CSV reader (quotes, field counts, decoding, carry-over
 * between blocks; gzip input too, decided by the magic) on arbitrary bytes.
 * Byte 0 picks the schema, byte 1 the decompressed block size (tiny blocks
 * cut rows anywhere) and the input chunk size.
 */
#include "format/csv.h"
#include "fuzz.h"
#include "fuzz_input.h"
#include "source/manifest.h"

static int sink(void *payload, const struct s3i_row *r)
{
	unsigned *sum = payload;
	size_t i;
	/* touch every byte the reader hands out, so ASan checks the slices */
	for (i = 0; i < r->key_len; i++)
		*sum += (unsigned char)r->key[i];
	for (i = 0; i < r->storage_class_len; i++)
		*sum += (unsigned char)r->storage_class[i];
	for (i = 0; i < r->tier_len; i++)
		*sum += (unsigned char)r->tier[i];
	*sum += (unsigned)r->size + (unsigned)r->is_latest + (unsigned)r->is_delete_marker +
	        (unsigned)r->last_modified_ms;
	return *sum == 0xdeadbeef ? -99 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const schemas[] = {
		"Bucket, Key, Size",
		"Key",
		"Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, "
		"StorageClass, IntelligentTieringAccessTier",
		"Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, "
		"IsMultipartUploaded",
		"Size, StorageClass, Key, LastModifiedDate",
	};
	struct s3i_colmap cols;
	struct fuzz_input in;
	s3inv_error err = {0};
	unsigned sum = 0;
	size_t block;

	if (size < 2)
		return 0;
	if (s3i_manifest_colmap(&cols, schemas[data[0] % 5], &err) < 0)
		return 0;
	block = data[1] < 64 ? (size_t)data[1] + 1 : 0;
	fuzz_input_init(&in, data + 2, size - 2, data[1] & 1 ? 7 : 0);
	(void)s3i_csv_read_blocks(&in.base, &cols, sink, &sum, NULL, block, &err);
	return 0;
}
