/* SPDX-License-Identifier: MIT */
/*
 * gzip.c — streaming gzip decoding over an s3i_input (ISA-L igzip).
 *
 * This is the floor of a CSV.GZ build: every byte of a report goes through
 * it, so it inflates straight into the caller's buffer (no intermediate
 * copy) from one input buffer of S3I_GZ_INBUF bytes that it owns.
 *
 * The format is decided by the first two bytes (1f 8b), not the file name; a
 * plain file passes through unchanged. A gzip file is decoded member after
 * member (RFC 1952 allows concatenation, and parallel compressors emit it):
 * ISA-L parses each member's header (FEXTRA, FNAME, FCOMMENT, FHCRC) and
 * checks its CRC32 and ISIZE trailer. After a member, the input must end or
 * start another member: anything else (even zero padding) is an error, since
 * a data file with trailing garbage is damaged and its rows cannot be trusted.
 *
 * Errors are S3INV_EFORMAT naming the input: "<file>: truncated gzip stream"
 * when the input ends inside a member, "<file>: corrupt gzip data at byte N"
 * for bad deflate data or a checksum mismatch (N is the compressed offset
 * where the decoder stopped, approximate to a few bytes because it reads
 * ahead). Read errors of the input (including its MD5 check at end of file)
 * pass through unchanged.
 *
 * Not thread-safe: one decoder belongs to one worker.
 */
#include "format/gzip.h"

#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"

/* Compressed input buffer: large reads keep the syscall count negligible. */
#define S3I_GZ_INBUF ((size_t)1 << 20)

struct s3i_gz {
	struct s3i_input *in;
	uint8_t *ibuf;
	uint64_t ibase;       /* stream offset of ibuf[0] */
	bool gzip;
	bool in_eof;          /* the input returned end of file */
	bool member;          /* inside a member (header seen or being parsed) */
	bool done;
	struct inflate_state st;
};

/* Keep the unread tail [next_in, +avail_in), move it to the front and fill
 * the rest of ibuf from the input. Sets in_eof when the input is exhausted. */
static int refill(struct s3i_gz *z, s3inv_error *err)
{
	size_t keep = z->st.avail_in, n = 0;
	int rc;

	if (keep && z->st.next_in != z->ibuf)
		memmove(z->ibuf, z->st.next_in, keep);
	z->ibase += (uint64_t)(z->st.next_in - z->ibuf);
	z->st.next_in = z->ibuf;
	rc = s3i_input_read(z->in, z->ibuf + keep, S3I_GZ_INBUF - keep, &n, err);
	if (rc < 0)
		return rc;
	if (n == 0)
		z->in_eof = true;
	z->st.avail_in = (uint32_t)(keep + n);
	return 0;
}

static uint64_t in_offset(const struct s3i_gz *z)
{
	return z->ibase + (uint64_t)(z->st.next_in - z->ibuf);
}

int s3i_gz_open(struct s3i_gz **out, struct s3i_input *in, s3inv_error *err)
{
	struct s3i_gz *z;
	int rc = 0;

	*out = NULL;
	z = s3i_calloc(1, sizeof *z);
	if (!z)
		return s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory (gzip state)", in->name);
	z->in = in;
	z->ibuf = s3i_malloc(S3I_GZ_INBUF);
	if (!z->ibuf) {
		rc = s3i_err_set(err, S3INV_ENOMEM, "%s: out of memory (gzip buffer)", in->name);
		goto out;
	}
	isal_inflate_init(&z->st);
	z->st.next_in = z->ibuf;
	z->st.avail_in = 0;
	/* Peek at least two bytes (or to end of file) to decide the format. */
	while (z->st.avail_in < 2 && !z->in_eof)
		TRY(refill(z, err));
	z->gzip = z->st.avail_in >= 2 && z->ibuf[0] == 0x1f && z->ibuf[1] == 0x8b;
out:
	if (rc < 0) {
		s3i_gz_close(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* Plain input: hand out what the peek buffered, then read directly. */
static int plain_read(struct s3i_gz *z, uint8_t *buf, size_t cap, size_t *n, s3inv_error *err)
{
	size_t k = z->st.avail_in < cap ? z->st.avail_in : cap;
	int rc;

	if (k) {
		memcpy(buf, z->st.next_in, k);
		z->st.next_in += k;
		z->st.avail_in -= (uint32_t)k;
		*n = k;
		return 0;
	}
	if (z->in_eof)
		return 0;
	rc = s3i_input_read(z->in, buf, cap, n, err);
	if (rc == 0 && *n == 0)
		z->in_eof = true;
	return rc;
}

/* Between members: decide whether another member starts, the stream ends,
 * or garbage follows. @return 1 to start a member, 0 at the clean end. */
static int next_member(struct s3i_gz *z, s3inv_error *err)
{
	int rc;

	while (z->st.avail_in < 2 && !z->in_eof) {
		rc = refill(z, err);
		if (rc < 0)
			return rc;
	}
	if (z->st.avail_in == 0)
		return 0;
	if (z->st.next_in[0] != 0x1f || (z->st.avail_in >= 2 && z->st.next_in[1] != 0x8b))
		return s3i_err_set(err, S3INV_EFORMAT,
		                   "%s: corrupt gzip data at byte %llu (not a gzip member after the "
		                   "previous one)",
		                   z->in->name, (unsigned long long)in_offset(z));
	if (z->st.avail_in < 2)
		return s3i_err_set(err, S3INV_EFORMAT, "%s: truncated gzip stream", z->in->name);
	isal_inflate_reset(&z->st);
	z->st.crc_flag = ISAL_GZIP;
	z->member = true;
	return 1;
}

static const char *isal_problem(int ret)
{
	switch (ret) {
	case ISAL_INCORRECT_CHECKSUM: return "CRC32 or length mismatch";
	case ISAL_INVALID_WRAPPER: return "bad gzip header";
	case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
	case ISAL_INVALID_LOOKBACK: return "invalid distance";
	case ISAL_INVALID_SYMBOL: return "invalid symbol";
	case ISAL_NEED_DICT: return "preset dictionary";
	default: return "invalid block";
	}
}

int s3i_gz_read(struct s3i_gz *z, void *buf, size_t cap, size_t *n, s3inv_error *err)
{
	uint8_t *out = buf;
	size_t got = 0;
	int rc;

	*n = 0;
	if (!z->gzip)
		return plain_read(z, buf, cap, n, err);
	/* Hot loop: one isal_inflate call normally fills most of BUF. */
	while (got < cap && !z->done) {
		uint32_t in_before, out_before;
		int ret;

		if (!z->member) {
			rc = next_member(z, err);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				z->done = true;
				break;
			}
		}
		if (z->st.avail_in == 0 && !z->in_eof) {
			rc = refill(z, err);
			if (rc < 0)
				return rc;
			continue;
		}
		in_before = z->st.avail_in;
		out_before = cap - got > UINT32_MAX ? UINT32_MAX : (uint32_t)(cap - got);
		z->st.next_out = out + got;
		z->st.avail_out = out_before;
		ret = isal_inflate(&z->st);
		if (ret < 0)
			return s3i_err_set(err, S3INV_EFORMAT, "%s: corrupt gzip data at byte %llu (%s)",
			                   z->in->name, (unsigned long long)in_offset(z),
			                   isal_problem(ret));
		got += out_before - z->st.avail_out;
		if (z->st.block_state == ISAL_BLOCK_FINISH) {
			z->member = false;
			continue;
		}
		if (z->st.avail_in == in_before && z->st.avail_out == out_before) {
			/* No progress: the decoder wants more input than we hold. */
			if (z->in_eof)
				return s3i_err_set(err, S3INV_EFORMAT, "%s: truncated gzip stream",
				                   z->in->name);
			if (z->st.avail_in >= S3I_GZ_INBUF)
				return s3i_err_set(err, S3INV_EFORMAT,
				                   "%s: corrupt gzip data at byte %llu (decoder stalled)",
				                   z->in->name, (unsigned long long)in_offset(z));
			rc = refill(z, err);
			if (rc < 0)
				return rc;
		}
	}
	*n = got;
	return 0;
}

bool s3i_gz_is_compressed(const struct s3i_gz *z)
{
	return z->gzip;
}

void s3i_gz_close(struct s3i_gz *z)
{
	if (!z)
		return;
	s3i_free(z->ibuf);
	s3i_free(z);
}
