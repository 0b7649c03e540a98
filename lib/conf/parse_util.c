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

static int
vd_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A number as nearly every one in libvirt's XML is written, read without
 * strtoull(): decimal digits (base 10, or base 0 without the leading 0 that
 * means octal) or hex digits after an optional 0x (base 16, or base 0 with
 * the 0x), at most as many as @bytes can hold whatever they are. False for
 * anything else, which strtoull() then reads (signs, blanks, octal, more
 * digits, junk). */
static bool
vd_parse_plain(const char *s, int base, size_t bytes, unsigned long long *out)
{
    unsigned long long v = 0;
    unsigned int max = bytes == 4 ? 9 : 19;
    unsigned int i;
    int d;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && (base == 0 || base == 16)) {
        s += 2;
        base = 16;
    } else if (base == 0 && !(s[0] == '0' && s[1])) {
        base = 10;
    }
    if (base == 16) {
        max = (unsigned int)bytes * 2;
        for (i = 0; (d = vd_hex_digit(s[i])) >= 0; i++) {
            if (i == max)
                return false;
            v = v << 4 | (unsigned int)d;
        }
    } else if (base == 10) {
        for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
            if (i == max)
                return false;
            v = v * 10 + (unsigned int)(s[i] - '0');
        }
    } else {
        return false;
    }
    if (i == 0 || s[i])
        return false;
    *out = v;
    return true;
}

bool
vd_parse_ull(const char *s, int base, unsigned long long *out)
{
    unsigned long long v;
    char *end = NULL;

    if (!s)
        return false;
    if (vd_parse_plain(s, base, sizeof(v), out))
        return true;
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
    unsigned long long plain;
    unsigned long v;
    char *end = NULL;

    if (!s)
        return false;
    if (vd_parse_plain(s, base, sizeof(*out), &plain)) {
        *out = (unsigned int)plain;
        return true;
    }
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
