/*
 * libvdisk - virtual disks for libvirt/QEMU hosts
 *
 * vdisk.h: the umbrella header. Include this one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_VDISK_H
#define VDISK_VDISK_H

#include <vdisk/common.h>
#include <vdisk/disk.h>
#include <vdisk/domain.h>
#include <vdisk/qemu.h>

#endif /* VDISK_VDISK_H */
