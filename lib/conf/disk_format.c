/*
 * disk_format.c: <disk> XML out
 *
 * The tree is kept in libvirt's canonical spelling and order by the parser
 * and by every setter, so formatting is a plain serialization.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/disk_priv.h"

void
vd_disk_format(GString *buf, const vdisk_disk *disk, unsigned int indent)
{
    vd_node_format(buf, disk->node, indent);
}
