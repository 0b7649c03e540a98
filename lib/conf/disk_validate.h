/*
 * disk_validate.h: libvirt's refusals for a disk (disk_validate.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/disk_priv.h"

/* libvirt's define-time checks; @dom may be NULL. Changes nothing. */
int vd_disk_validate(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err);

/* The checks libvirt's QEMU driver makes only when the domain starts. */
int vd_disk_validate_start(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err);
