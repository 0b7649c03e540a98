/*
 * parse_util.h: number parsing the way libvirt's XML parser does it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

/* strtoul() semantics as libvirt uses them: leading blanks and '+' are
 * accepted, a '-' anywhere in the number, trailing text, an empty string or
 * a value that does not fit are refused. @base 0 accepts 0x.. and 0... */
bool vd_parse_uint(const char *s, int base, unsigned int *out);
bool vd_parse_ull(const char *s, int base, unsigned long long *out);

/* Scales @value by @unit (NULL or empty: @scale) as libvirt's
 * virScaleInteger(): b/byte/bytes, k/KiB (1024), KB (1000), ... up to E.
 * Returns 0, -1 for an unknown unit, -2 when the result exceeds @limit. */
int vd_scale_integer(unsigned long long *value, const char *unit, unsigned long long scale,
                     unsigned long long limit);
