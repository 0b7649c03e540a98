/*
 * enumtab.c: enum table look-ups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "util/enumtab.h"

int
vd_enum_from_string(const char *const *table, unsigned int n, const char *s)
{
    unsigned int i;

    if (!s)
        return -1;
    for (i = 0; i < n; i++) {
        const char *a = table[i];
        const char *b = s;

        /* the first byte rules out most entries; the rest of these short
         * strings is compared here, cheaper than a call */
        if (!a || *a != *b)
            continue;
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == *b)
            return (int)i;
    }
    return -1;
}
