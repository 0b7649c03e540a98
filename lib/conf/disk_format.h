/*
 * disk_format.h: a disk written back as libvirt formats it (disk_format.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/disk_priv.h"

void vd_disk_format(GString *buf, const vdisk_disk *disk, unsigned int indent);
