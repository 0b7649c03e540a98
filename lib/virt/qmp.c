/*
 * qmp.c: reading QEMU's QMP replies
 *
 * Only what lib/virt asks QEMU needs: the elements of a reply's "return"
 * array and the members of one object. QEMU's replies are well-formed JSON
 * (libvirt checked them), so a scanner that keeps track of strings and
 * nesting is all it takes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdbool.h>
#include <string.h>

#include "virt/qmp.h"

/* The end (one past) of the JSON value starting at @p, or NULL. */
static const char *
vd_qmp_skip(const char *p)
{
    int depth = 0;

    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
        }
        return *p ? p + 1 : NULL;
    }
    if (*p != '{' && *p != '[') {
        while (*p && !strchr(",}] \t\r\n", *p))
            p++;
        return p;
    }
    for (; *p; p++) {
        if (*p == '"') {
            if (!(p = vd_qmp_skip(p)))
                return NULL;
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (--depth == 0)
                return p + 1;
        }
    }
    return NULL;
}

static const char *
vd_qmp_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

static char *
vd_qmp_unquote(const char *start, const char *end)
{
    GString *out = g_string_new(NULL);
    const char *p;

    for (p = start + 1; p < end - 1; p++) {
        if (*p == '\\' && p + 1 < end - 1) {
            p++;
            switch (*p) {
            case 'n':
                g_string_append_c(out, '\n');
                break;
            case 't':
                g_string_append_c(out, '\t');
                break;
            default:
                g_string_append_c(out, *p);
                break;
            }
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}

char *
vd_qmp_member(const char *obj, const char *key)
{
    const char *p = vd_qmp_space(obj);

    if (*p != '{')
        return NULL;
    p = vd_qmp_space(p + 1);
    while (*p == '"') {
        const char *kend = vd_qmp_skip(p);
        const char *vstart;
        const char *vend;
        bool match;

        if (!kend)
            return NULL;
        match = (size_t)(kend - p - 2) == strlen(key) && strncmp(p + 1, key, kend - p - 2) == 0;
        p = vd_qmp_space(kend);
        if (*p != ':')
            return NULL;
        vstart = vd_qmp_space(p + 1);
        if (!(vend = vd_qmp_skip(vstart)))
            return NULL;
        if (match)
            return *vstart == '"' ? vd_qmp_unquote(vstart, vend) : g_strndup(vstart, vend - vstart);
        p = vd_qmp_space(vend);
        if (*p != ',')
            return NULL;
        p = vd_qmp_space(p + 1);
    }
    return NULL;
}

GPtrArray *
vd_qmp_return_elements(const char *reply)
{
    g_autofree char *ret = vd_qmp_member(reply, "return");
    GPtrArray *out;
    const char *p;

    if (!ret || *ret != '[')
        return NULL;
    out = g_ptr_array_new_with_free_func(g_free);
    p = vd_qmp_space(ret + 1);
    while (*p && *p != ']') {
        const char *end = vd_qmp_skip(p);

        if (!end)
            break;
        g_ptr_array_add(out, g_strndup(p, end - p));
        p = vd_qmp_space(end);
        if (*p == ',')
            p = vd_qmp_space(p + 1);
    }
    return out;
}
