/*
 * enumtab.h: enum <-> libvirt XML string tables
 *
 * VD_ENUM_IMPL(name, LAST, "s0", "s1", ...) defines a table whose length
 * the compiler checks against the enum's _LAST sentinel, and
 *   const char *name_to_string(int v);   NULL when out of range
 *   int name_from_string(const char *s); -1 when unknown
 *   int name_from_interned(const char *s); the same, finding first by its
 *       address a string that is the table's own (name_to_string()'s
 *       result, which a parser may leave in place of the text it read)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <string.h>

int vd_enum_from_string(const char *const *table, unsigned int n, const char *s);

#define VD_ENUM_DECL(name)                                                                         \
    const char *name##_to_string(int value);                                                       \
    int name##_from_interned(const char *str);                                                     \
    int name##_from_string(const char *str)

#define VD_ENUM_IMPL(name, last, ...)                                                              \
    VD_ENUM_DECL(name);                                                                            \
    static const char *const name##_table[] = {__VA_ARGS__};                                       \
    _Static_assert(sizeof(name##_table) / sizeof(name##_table[0]) == (last),                       \
                   "enum table " #name " does not match " #last);                                  \
    const char *name##_to_string(int value)                                                        \
    {                                                                                              \
        if (value < 0 || (unsigned int)value >= (unsigned int)(last))                              \
            return NULL;                                                                           \
        return name##_table[value];                                                                \
    }                                                                                              \
    int name##_from_string(const char *str)                                                        \
    {                                                                                              \
        return vd_enum_from_string(name##_table, (last), str);                                     \
    }                                                                                              \
    int name##_from_interned(const char *str)                                                      \
    {                                                                                              \
        for (unsigned int i_ = 0; i_ < (unsigned int)(last); i_++) {                               \
            if (name##_table[i_] == str)                                                           \
                return (int)i_;                                                                    \
        }                                                                                          \
        return vd_enum_from_string(name##_table, (last), str);                                     \
    }                                                                                              \
    VD_ENUM_DECL(name)
