/*
 * target.c: libvirt's disk target names ("vda", "sdab", "hdc") and indexes
 *
 * A target name is a known prefix, one or more lower-case letters read as a
 * bijective base-26 number ("a" = 0, "z" = 25, "aa" = 26, ...) and optional
 * trailing digits (a partition number, which callers decide about).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "conf/target_priv.h"
#include "util/error.h"

/* The prefixes in the order libvirt tries them. */
static const char *const vd_target_prefixes[] = {"fd", "hd", "vd", "sd", "xvd", "ubd"};

static bool
vd_is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

int
vd_target_parse(const char *name, int *index, int *partition)
{
    const char *p = NULL;
    long long idx = 0;
    size_t i;
    size_t ndigits;

    if (!name)
        return -1;

    for (i = 0; i < G_N_ELEMENTS(vd_target_prefixes); i++) {
        size_t len = strlen(vd_target_prefixes[i]);

        if (strncmp(name, vd_target_prefixes[i], len) == 0) {
            p = name + len;
            break;
        }
    }
    if (!p || !vd_is_lower(*p))
        return -1;

    for (i = 0; vd_is_lower(*p); i++, p++) {
        idx = (idx + (i == 0 ? 0 : 1)) * 26 + (*p - 'a');
        /* libvirt keeps the index in an int; longer names are refused here
         * instead of wrapping around */
        if (idx > INT_MAX)
            return -1;
    }

    ndigits = strspn(p, "0123456789");
    if (p[ndigits] != '\0')
        return -1;

    if (partition) {
        long long part = 0;

        /* a partition number never starts with 0 ("vda0" is partition 0,
         * "vda01" is not a name) */
        if (ndigits > 1 && *p == '0')
            return -1;
        for (i = 0; i < ndigits; i++) {
            part = part * 10 + (p[i] - '0');
            if (part > INT_MAX)
                return -1;
        }
        *partition = (int)part;
    }

    if (index)
        *index = (int)idx;
    return 0;
}

int
vdisk_target_to_index(const char *name)
{
    int idx;

    VD_API_ENTER();
    if (vd_target_parse(name, &idx, NULL) < 0)
        return -1;
    return idx;
}

char *
vdisk_target_from_index(const char *prefix, int index)
{
    GString *buf;
    long long n;

    VD_API_ENTER();
    if (!prefix || index < 0)
        return NULL;

    buf = g_string_new(NULL);
    for (n = index; n >= 0; n = n / 26 - 1)
        g_string_prepend_c(buf, (char)('a' + n % 26));
    g_string_prepend(buf, prefix);
    return g_string_free(buf, FALSE);
}

vdisk_bus
vd_target_bus(const char *name)
{
    if (!name)
        return VDISK_BUS_NONE;
    /* libvirt's post-parse never infers fdc from "fd" (only a floppy device
     * gets it); this public helper answers for the name alone */
    if (g_str_has_prefix(name, "hd"))
        return VDISK_BUS_IDE;
    if (g_str_has_prefix(name, "sd"))
        return VDISK_BUS_SCSI;
    if (g_str_has_prefix(name, "vd"))
        return VDISK_BUS_VIRTIO;
    if (g_str_has_prefix(name, "xvd"))
        return VDISK_BUS_XEN;
    if (g_str_has_prefix(name, "ubd"))
        return VDISK_BUS_UML;
    if (g_str_has_prefix(name, "fd"))
        return VDISK_BUS_FDC;
    return VDISK_BUS_NONE;
}

vdisk_bus
vdisk_bus_from_target(const char *name)
{
    VD_API_ENTER();
    return vd_target_bus(name);
}
