/*
 * disk_parse.h: the parse stage of a disk (disk_parse.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/disk_priv.h"

/* Checks every value libvirt's parser checks, rewrites them in libvirt's
 * canonical spelling and orders children and attributes as libvirt formats
 * them. No defaults. */
int vd_disk_parse(vdisk_disk *disk, vdisk_error **err);
