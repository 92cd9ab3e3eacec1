/* SPDX-License-Identifier: MIT */
/*
 * assets.h — the web page's files compiled into the binary.
 *
 * The table is generated at build time by src/server/embed.cmake from
 * the files of src/server/web into ${CMAKE_BINARY_DIR}/gen/s3inv_web_assets.c, so the
 * server needs no files at run time and works offline. Paths start with
 * "/" ("/index.html", "/app.js"); the ETag is a hash of the content.
 */
#ifndef S3I_SERVER_ASSETS_H
#define S3I_SERVER_ASSETS_H

#include <stddef.h>

struct s3i_asset {
	const char *path;         /* "/app.js" */
	const char *type;         /* Content-Type */
	const unsigned char *data;
	size_t len;
	const char *etag;         /* quoted, e.g. "\"5d41...\"" */
};

extern const struct s3i_asset s3i_web_assets[];
extern const size_t s3i_web_nassets;

#endif
