/*
 * parse_util.c: number parsing the way libvirt's XML parser does it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "conf/parse_util.h"

bool
vd_parse_ull(const char *s, int base, unsigned long long *out)
{
    unsigned long long v;
    char *end = NULL;

    if (!s)
        return false;
    errno = 0;
    v = strtoull(s, &end, base);
    if (end == s || *end || errno || memchr(s, '-', (size_t)(end - s)))
        return false;
    *out = v;
    return true;
}

bool
vd_parse_uint(const char *s, int base, unsigned int *out)
{
    unsigned long v;
    char *end = NULL;

    if (!s)
        return false;
    errno = 0;
    v = strtoul(s, &end, base);
    if (end == s || *end || errno || memchr(s, '-', (size_t)(end - s)) || v > UINT_MAX)
        return false;
    *out = (unsigned int)v;
    return true;
}

int
vd_scale_integer(unsigned long long *value, const char *unit, unsigned long long scale,
                 unsigned long long limit)
{
    if (!unit || !*unit) {
        /* scale as given */
    } else if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
               g_ascii_strcasecmp(unit, "bytes") == 0) {
        scale = 1;
    } else {
        unsigned long long base;
        int steps;

        if (!unit[1] || g_ascii_strcasecmp(unit + 1, "iB") == 0)
            base = 1024;
        else if (g_ascii_tolower(unit[1]) == 'b' && !unit[2])
            base = 1000;
        else
            return -1;
        switch (g_ascii_tolower(unit[0])) {
        case 'k':
            steps = 1;
            break;
        case 'm':
            steps = 2;
            break;
        case 'g':
            steps = 3;
            break;
        case 't':
            steps = 4;
            break;
        case 'p':
            steps = 5;
            break;
        case 'e':
            steps = 6;
            break;
        default:
            return -1;
        }
        scale = 1;
        while (steps--)
            scale *= base;
    }
    if (scale == 0)
        return -1;
    if (*value && *value > limit / scale)
        return -2;
    *value *= scale;
    return 0;
}
