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
        /* the first byte rules out most entries without a call */
        if (table[i] && table[i][0] == s[0] && strcmp(table[i], s) == 0)
            return (int)i;
    }
    return -1;
}
