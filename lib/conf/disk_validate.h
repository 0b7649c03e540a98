/*
 * disk_validate.h: libvirt's refusals for a disk (disk_validate.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/disk_priv.h"

/* libvirt's define-time checks; @dom may be NULL. Changes nothing. */
int vd_disk_validate(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err);

/* The iotune groups of a domain, read once for checking its disks in a
 * row: the check that disks of one group have the same limits is then
 * linear in the number of disks. Valid while the domain is not changed. */
typedef struct vd_iotune_groups vd_iotune_groups;
vd_iotune_groups *vd_iotune_groups_new(const vdisk_domain *dom);
void vd_iotune_groups_free(vd_iotune_groups *groups);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_iotune_groups, vd_iotune_groups_free)

/* vd_disk_validate() with @dom's groups (NULL: read as needed). */
int vd_disk_validate_in(const vdisk_disk *disk, const vdisk_domain *dom,
                        const vd_iotune_groups *groups, vdisk_error **err);

/* The checks libvirt's QEMU driver makes only when the domain starts. */
int vd_disk_validate_start(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err);
