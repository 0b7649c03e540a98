/*
 * bench-common.h: timing and statistics shared by the benchmark programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>

/* Microseconds on the monotonic clock, from an arbitrary origin. */
double bench_now_us(void);

/* The summary of a set of timings. */
typedef struct {
    double best;
    double median;
} bench_stats;

/* Best (smallest) and median of the @n > 0 values in @v; sorts @v in place. */
bench_stats bench_summarize(double *v, size_t n);

/* Writes @text to @path, replacing it; on failure prints why and exits with status 2. */
void bench_write_file(const char *path, const char *text);

#endif /* BENCH_COMMON_H */
