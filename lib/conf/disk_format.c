/*
 * disk_format.c: <disk> XML out
 *
 * The tree is kept in libvirt's canonical spelling and order by the parser
 * and by every setter, so formatting is a plain serialization.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/disk_format.h"
#include "util/error.h"

/* A disk of a domain is written as a document of its own: the namespace
 * declarations it uses from <domain> or <devices> go on <disk>. */
void
vd_disk_format(GString *buf, const vdisk_disk *disk, unsigned int indent)
{
    vd_node_format_alone(buf, disk->node, indent, vd_disk_known_element);
}

int
vdisk_disk_to_xml(char **out, const vdisk_disk *disk, vdisk_error **err)
{
    GString *buf;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    buf = g_string_sized_new(512);
    vd_disk_format(buf, disk, 0);
    *out = g_string_free(buf, FALSE);
    return 0;
}
