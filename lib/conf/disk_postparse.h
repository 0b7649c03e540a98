/*
 * disk_postparse.h: libvirt's post-parse defaults of a disk (disk_postparse.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/disk_priv.h"

/* libvirt's post-parse defaults; @dom may be NULL. */
int vd_disk_postparse(vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err);

/* libvirt's drive address (controller, bus, target, unit) of the disk of
 * target index @idx on @bus; false when @bus is not controller based. */
bool vd_drive_address_of_index(vdisk_bus bus, unsigned int idx, unsigned int v[4]);
/* The bus libvirt gives a disk of @device written without one, from its
 * target name @dev (may be NULL). */
vdisk_bus vd_disk_default_bus(vdisk_device device, const char *dev);
