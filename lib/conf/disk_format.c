/*
 * disk_format.c: <disk> XML out
 *
 * The tree is kept in libvirt's canonical spelling and order by the parser
 * and by every setter, so formatting is a plain serialization.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/disk_priv.h"
#include "conf/schema.h"

bool
vd_disk_known_element(const vd_node *node)
{
    return vd_schema_element(node) != VD_EL_UNKNOWN;
}

/* A disk of a domain is written as a document of its own: the namespace
 * declarations it uses from <domain> or <devices> go on <disk>. */
void
vd_disk_format(GString *buf, const vdisk_disk *disk, unsigned int indent)
{
    vd_node_format_alone(buf, disk->node, indent, vd_disk_known_element);
}
