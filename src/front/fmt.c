/* SPDX-License-Identifier: MIT */
/*
 * fmt.c — human-readable formatting of sizes, counts, rates, durations and
 * dates (fmt.h). Pure functions over caller buffers; dates use gmtime_r so
 * the output never depends on the local time zone.
 */
#include "fmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

char *s3i_fmt_size(char *buf, size_t cap, uint64_t bytes)
{
	static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)bytes;
	unsigned u = 0;
	if (bytes < 1024) {
		snprintf(buf, cap, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024.0 && u < 6) {
		v /= 1024.0;
		u++;
	}
	/* keep "1023.9 KiB" from printing as "1024.0 KiB" */
	if (v >= 99.95 || u == 6)
		snprintf(buf, cap, "%.0f %s", v, unit[u]);
	else
		snprintf(buf, cap, "%.1f %s", v, unit[u]);
	if (u < 6 && strncmp(buf, "1024 ", 5) == 0)
		snprintf(buf, cap, "1.0 %s", unit[u + 1]);
	return buf;
}

char *s3i_fmt_count(char *buf, size_t cap, uint64_t v)
{
	char digits[24], out[32];
	int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, cap, "%s", out);
	return buf;
}

char *s3i_fmt_rate(char *buf, size_t cap, double v)
{
	if (!isfinite(v) || v < 0)
		snprintf(buf, cap, "?");
	else if (v < 1e3)
		snprintf(buf, cap, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, cap, "%.1fk", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, cap, "%.2fM", v / 1e6);
	else
		snprintf(buf, cap, "%.2fG", v / 1e9);
	return buf;
}

char *s3i_fmt_duration(char *buf, size_t cap, double s)
{
	uint64_t t;
	if (!isfinite(s) || s < 0 || s > 1e12) {
		snprintf(buf, cap, "?");
		return buf;
	}
	if (s < 10.0) {
		snprintf(buf, cap, "%.2f s", s);
		return buf;
	}
	if (s < 60.0) {
		snprintf(buf, cap, "%.1f s", s);
		return buf;
	}
	t = (uint64_t)(s + 0.5);
	if (t < 3600)
		snprintf(buf, cap, "%" PRIu64 "m%02" PRIu64 "s", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, cap, "%" PRIu64 "h%02" PRIu64 "m", t / 3600, (t % 3600) / 60);
	else
		snprintf(buf, cap, "%" PRIu64 "d%02" PRIu64 "h", t / 86400, (t % 86400) / 3600);
	return buf;
}

char *s3i_fmt_date_ms(char *buf, size_t cap, int64_t ms)
{
	struct tm tm;
	time_t t;
	if (ms == 0) {
		snprintf(buf, cap, "unknown");
		return buf;
	}
	/* floor division, so dates before 1970 round down */
	t = (time_t)(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
	if (!gmtime_r(&t, &tm) || strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, cap, "?");
	return buf;
}

char *s3i_fmt_percent(char *buf, size_t cap, uint64_t part, uint64_t whole)
{
	if (whole == 0)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.1f%%", 100.0 * (double)part / (double)whole);
	return buf;
}
