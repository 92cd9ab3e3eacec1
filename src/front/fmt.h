/* SPDX-License-Identifier: MIT */
/*
 * fmt.h — numbers, sizes, durations and dates for people (CLI text output,
 * progress bar, server page titles). Every function writes into a caller
 * buffer and returns it, so calls can be used directly as printf arguments;
 * a buffer of S3I_FMT_MAX bytes is always enough. Thread-safe (no state).
 */
#ifndef S3I_FRONT_FMT_H
#define S3I_FRONT_FMT_H

#include <stddef.h>
#include <stdint.h>

#define S3I_FMT_MAX 48

/** Binary size: "0 B", "512 B", "1.5 KiB", "12.3 GiB", "1.0 EiB".
 *  One decimal below 100 of a unit, none from 100 up ("123 MiB"). */
char *s3i_fmt_size(char *buf, size_t cap, uint64_t bytes);

/** Integer with thousands separators: 1234567 → "1,234,567". */
char *s3i_fmt_count(char *buf, size_t cap, uint64_t v);

/** Rate with SI suffix: 1234567.0 → "1.23M", 950 → "950". */
char *s3i_fmt_rate(char *buf, size_t cap, double per_s);

/** Duration: "0.42 s", "12.3 s", "4m05s", "2h03m", "3d04h"; negative or
 *  non-finite input gives "?". */
char *s3i_fmt_duration(char *buf, size_t cap, double seconds);

/** UTC date and time from milliseconds since the epoch:
 *  "2026-11-22 01:00:00 UTC"; 0 gives "unknown". */
char *s3i_fmt_date_ms(char *buf, size_t cap, int64_t ms);

/** Percentage of PART in WHOLE, one decimal: "45.2%" ("-" when WHOLE is 0). */
char *s3i_fmt_percent(char *buf, size_t cap, uint64_t part, uint64_t whole);

#endif
