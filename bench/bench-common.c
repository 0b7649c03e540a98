/*
 * bench-common.c: timing and statistics shared by the benchmark programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* clock_gettime */
#include "bench-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double
bench_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

bench_stats
bench_summarize(double *v, size_t n)
{
    bench_stats s;

    qsort(v, n, sizeof(*v), cmp_double);
    s.best = v[0];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

void
bench_write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    if (!fp) {
        perror(path);
        exit(2);
    }
    fputs(text, fp);
    fclose(fp);
}
