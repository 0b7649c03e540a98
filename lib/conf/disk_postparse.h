/*
 * disk_postparse.h: libvirt's post-parse defaults of a disk (disk_postparse.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/disk_priv.h"

/* libvirt's post-parse defaults; @dom may be NULL. */
int vd_disk_postparse(vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err);
