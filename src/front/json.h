/* SPDX-License-Identifier: MIT */
/*
 * json.h — a small JSON writer shared by the CLI and the HTTP server.
 *
 * Output goes into a growable in-memory buffer (struct s3i_json) that the
 * caller flushes wherever it likes (stdout, an HTTP response). The writer
 * tracks commas itself: s3i_json_key / value calls inside an object or an
 * array insert the separators, so callers cannot produce `{,` or `,}`.
 *
 * Strings: every control character (U+0000..U+001F), '"' and '\\' are
 * escaped; U+2028/U+2029 are escaped too (harmless in JSON, dangerous when
 * JSON is embedded in a <script>). Valid UTF-8 passes through unchanged.
 * Bytes that are not part of a valid UTF-8 sequence (stray continuation
 * bytes, overlong forms, surrogates, code points above U+10FFFF, truncated
 * sequences) are written one by one as "\u00XX", i.e. each such byte is
 * read back as the Latin-1 character of the same value. Output is therefore
 * always valid JSON and always valid UTF-8; a key with invalid UTF-8 is
 * not recoverable byte-exactly from it (documented in docs/cli.md).
 *
 * Memory: plain malloc/realloc (the front layer does not use src/util).
 * On allocation failure the writer stops growing, sets `oom` and further
 * calls do nothing; check s3i_json_ok() before using the text.
 * Not thread-safe; one writer per thread.
 */
#ifndef S3I_FRONT_JSON_H
#define S3I_FRONT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define S3I_JSON_MAX_NEST 32

struct s3i_json {
	char *p;       /* the text, NUL-terminated when len > 0 */
	size_t len, cap;
	bool oom;      /* an allocation failed; the text is incomplete */
	int depth;     /* nesting level of open containers */
	bool need_comma[S3I_JSON_MAX_NEST + 1];
	bool after_key; /* a key was just written: the next value needs no comma */
};

/** Initialise an empty writer (no allocation yet). */
void s3i_json_init(struct s3i_json *j);
/** Free the buffer; the writer may be re-initialised. Accepts NULL. */
void s3i_json_free(struct s3i_json *j);
/** Forget the text but keep the buffer (for writing many lines). */
void s3i_json_reset(struct s3i_json *j);
/** True when no allocation failed. */
bool s3i_json_ok(const struct s3i_json *j);

void s3i_json_obj_open(struct s3i_json *j);
void s3i_json_obj_close(struct s3i_json *j);
void s3i_json_arr_open(struct s3i_json *j);
void s3i_json_arr_close(struct s3i_json *j);
/** An object key (LEN bytes of S, escaped as a string). */
void s3i_json_key(struct s3i_json *j, const char *s);
void s3i_json_keyn(struct s3i_json *j, const char *s, size_t len);
/** Values. */
void s3i_json_str(struct s3i_json *j, const char *s); /* NULL writes null */
void s3i_json_strn(struct s3i_json *j, const char *s, size_t len);
void s3i_json_u64(struct s3i_json *j, uint64_t v);
void s3i_json_i64(struct s3i_json *j, int64_t v);
void s3i_json_double(struct s3i_json *j, double v); /* non-finite writes null */
void s3i_json_bool(struct s3i_json *j, bool v);
void s3i_json_null(struct s3i_json *j);
/** Append raw bytes (e.g. "\n" between lines); no separator logic. */
void s3i_json_raw(struct s3i_json *j, const char *s, size_t len);

/** Append S (LEN bytes) to J as a quoted, escaped JSON string, following
 *  the rules above. Used by the value/key functions; exposed for tests. */
void s3i_json_escape(struct s3i_json *j, const char *s, size_t len);

/** Write the text to F and reset the writer.
 *  @return 0, or -1 when the write failed (errno set) or the writer is oom. */
int s3i_json_flush(struct s3i_json *j, FILE *f);

#endif
