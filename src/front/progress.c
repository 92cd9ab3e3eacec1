/* SPDX-License-Identifier: MIT */
/*
 * progress.c — the progress line of progress.h.
 *
 * The rate shown is inventory rows per second over the whole build so far
 * (rows / elapsed); the ETA is extrapolated from compressed bytes read in
 * the scan phase, the only phase whose total is known in advance. Later
 * phases show their own counters (prefixes written, runs merged).
 */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *phase_name(s3inv_phase ph)
{
	switch (ph) {
	case S3INV_PHASE_MANIFEST: return "manifest";
	case S3INV_PHASE_SCAN: return "scan";
	case S3INV_PHASE_MERGE: return "merge";
	case S3INV_PHASE_WRITE: return "write";
	case S3INV_PHASE_HASH: return "hash";
	case S3INV_PHASE_DONE: return "done";
	}
	return "?";
}

void s3i_pbar_init(struct s3i_pbar *b, FILE *f, bool force, bool quiet)
{
	memset(b, 0, sizeof *b);
	b->f = f;
	b->tty = isatty(fileno(f)) == 1;
	b->enabled = !quiet && (b->tty || force);
	b->last_phase = -1;
	b->cols = 0;
	if (b->tty) {
		struct winsize ws;
		if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
			b->cols = ws.ws_col;
	}
}

static void render(const struct s3i_pbar *b, const s3inv_progress *p, char *line, size_t cap)
{
	char a[S3I_FMT_MAX], c[S3I_FMT_MAX], r[S3I_FMT_MAX], e[S3I_FMT_MAX], n[S3I_FMT_MAX];
	double rate = p->elapsed_s > 0 ? (double)p->rows / p->elapsed_s : 0;
	(void)b;
	if (p->phase <= S3INV_PHASE_SCAN) {
		char eta[S3I_FMT_MAX + 8] = "";
		int pct = 0;
		if (p->bytes_total > 0 && p->bytes_done <= p->bytes_total) {
			pct = (int)(100.0 * (double)p->bytes_done / (double)p->bytes_total);
			if (p->bytes_done > 0 && p->elapsed_s > 0.5) {
				double left = p->elapsed_s * (double)(p->bytes_total - p->bytes_done) /
				              (double)p->bytes_done;
				snprintf(eta, sizeof eta, "  ETA %s", s3i_fmt_duration(e, sizeof e, left));
			}
		}
		snprintf(line, cap, "%-8s %" PRIu64 "/%" PRIu64 " files  %s/%s  %3d%%  %s rows  %s obj/s%s",
		         phase_name(p->phase), p->files_done, p->files_total,
		         s3i_fmt_size(a, sizeof a, p->bytes_done), s3i_fmt_size(c, sizeof c, p->bytes_total),
		         pct, s3i_fmt_count(n, sizeof n, p->rows), s3i_fmt_rate(r, sizeof r, rate), eta);
	} else {
		snprintf(line, cap, "%-8s %s prefixes  %" PRIu64 " runs  %s rows  elapsed %s",
		         phase_name(p->phase), s3i_fmt_count(n, sizeof n, p->prefixes), p->runs,
		         s3i_fmt_count(a, sizeof a, p->rows), s3i_fmt_duration(e, sizeof e, p->elapsed_s));
	}
}

void s3i_pbar_update(struct s3i_pbar *b, const s3inv_progress *p)
{
	char line[256];
	double now;
	int len;
	if (!b->enabled)
		return;
	now = mono();
	if ((int)p->phase == b->last_phase && now - b->last < (b->tty ? 0.1 : 1.0))
		return;
	b->last = now;
	b->last_phase = (int)p->phase;
	render(b, p, line, sizeof line);
	len = (int)strlen(line);
	if (b->cols > 0 && len > b->cols - 1) {
		/* a wrapped line cannot be redrawn with '\r': cut it */
		len = b->cols - 1;
		line[len] = '\0';
	}
	if (b->tty) {
		/* pad with spaces over a longer previous line */
		fprintf(b->f, "\r%s%*s", line, b->last_len > len ? b->last_len - len : 0, "");
		b->drawn = true;
	} else {
		fprintf(b->f, "%s\n", line);
	}
	b->last_len = len;
	fflush(b->f);
}

void s3i_pbar_clear(struct s3i_pbar *b)
{
	if (b->enabled && b->tty && b->drawn) {
		fprintf(b->f, "\r%*s\r", b->last_len, "");
		fflush(b->f);
	}
	b->drawn = false;
	b->last_len = 0;
}

void s3i_pbar_cb(const s3inv_progress *p, void *payload)
{
	s3i_pbar_update(payload, p);
}
