/*
 * disk_enums.h: libvirt's XML strings for the disk enums
 *
 * One table per public enum of vdisk/disk.h, in libvirt 9.0's spelling.
 * Where libvirt has a string for the unset member ("default", "none") the
 * table holds it at index 0; where it has none (disk@device, target@tray,
 * host@transport) index 0 is NULL. Tri-state fields use either the on/off
 * or the yes/no table, as libvirt does for that field.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdisk/disk.h"
#include "util/enumtab.h"

VD_ENUM_DECL(vd_type);
VD_ENUM_DECL(vd_device);
VD_ENUM_DECL(vd_bus);
VD_ENUM_DECL(vd_cache);
VD_ENUM_DECL(vd_error_policy);
VD_ENUM_DECL(vd_io);
VD_ENUM_DECL(vd_discard);
VD_ENUM_DECL(vd_detect_zeroes);
VD_ENUM_DECL(vd_snapshot);
VD_ENUM_DECL(vd_sgio);
VD_ENUM_DECL(vd_model);
VD_ENUM_DECL(vd_tray);
VD_ENUM_DECL(vd_trans);
VD_ENUM_DECL(vd_startup_policy);
VD_ENUM_DECL(vd_format);
VD_ENUM_DECL(vd_protocol);
VD_ENUM_DECL(vd_transport);
VD_ENUM_DECL(vd_pool_mode);
VD_ENUM_DECL(vd_auth_type);
VD_ENUM_DECL(vd_encryption_format);
VD_ENUM_DECL(vd_encryption_engine);
/* "default", "on", "off" */
VD_ENUM_DECL(vd_tristate_switch);
/* "default", "yes", "no" */
VD_ENUM_DECL(vd_tristate_bool);
/* the public subset: "none", "pci", "drive", "usb", "ccw" */
VD_ENUM_DECL(vd_address_type);
/* iotune child element names, "total_bytes_sec", ... */
VD_ENUM_DECL(vd_iotune_field);

/* Every address type libvirt knows (its virDomainDeviceAddressType table). */
typedef enum {
    VD_ADDR_FULL_NONE = 0,
    VD_ADDR_FULL_PCI,
    VD_ADDR_FULL_DRIVE,
    VD_ADDR_FULL_VIRTIO_SERIAL,
    VD_ADDR_FULL_CCID,
    VD_ADDR_FULL_USB,
    VD_ADDR_FULL_SPAPRVIO,
    VD_ADDR_FULL_VIRTIO_S390,
    VD_ADDR_FULL_CCW,
    VD_ADDR_FULL_VIRTIO_MMIO,
    VD_ADDR_FULL_ISA,
    VD_ADDR_FULL_DIMM,
    VD_ADDR_FULL_UNASSIGNED,
    VD_ADDR_FULL_LAST
} vd_address_type_full;
VD_ENUM_DECL(vd_address_type_full);
