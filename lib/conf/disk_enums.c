/*
 * disk_enums.c: libvirt 9.0's XML strings for the disk enums
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/disk_enums.h"
#include "util/error.h"

VD_ENUM_IMPL(vd_type, VDISK_TYPE_LAST, "none", "file", "block", "dir", "network", "volume", "nvme",
             "vhostuser");

VD_ENUM_IMPL(vd_device, VDISK_DEVICE_LAST, NULL, "disk", "cdrom", "floppy", "lun");

VD_ENUM_IMPL(vd_bus, VDISK_BUS_LAST, "none", "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml",
             "sata", "sd");

VD_ENUM_IMPL(vd_cache, VDISK_CACHE_LAST, "default", "none", "writethrough", "writeback",
             "directsync", "unsafe");

VD_ENUM_IMPL(vd_error_policy, VDISK_ERROR_POLICY_LAST, "default", "stop", "report", "ignore",
             "enospace");

VD_ENUM_IMPL(vd_io, VDISK_IO_LAST, "default", "native", "threads", "io_uring");

VD_ENUM_IMPL(vd_discard, VDISK_DISCARD_LAST, "default", "unmap", "ignore");

VD_ENUM_IMPL(vd_detect_zeroes, VDISK_DETECT_ZEROES_LAST, "default", "off", "on", "unmap");

VD_ENUM_IMPL(vd_snapshot, VDISK_SNAPSHOT_LAST, "default", "no", "internal", "external", "manual");

VD_ENUM_IMPL(vd_sgio, VDISK_SGIO_LAST, "default", "filtered", "unfiltered");

VD_ENUM_IMPL(vd_model, VDISK_MODEL_LAST, "default", "virtio", "virtio-transitional",
             "virtio-non-transitional");

VD_ENUM_IMPL(vd_tray, VDISK_TRAY_LAST, NULL, "closed", "open");

VD_ENUM_IMPL(vd_trans, VDISK_TRANS_LAST, "default", "none", "auto", "lba");

VD_ENUM_IMPL(vd_startup_policy, VDISK_STARTUP_POLICY_LAST, "default", "mandatory", "requisite",
             "optional");

VD_ENUM_IMPL(vd_format, VDISK_FORMAT_LAST, "none", "raw", "dir", "bochs", "cloop", "dmg", "iso",
             "vpc", "vdi", "fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk");

VD_ENUM_IMPL(vd_protocol, VDISK_PROTOCOL_LAST, "none", "nbd", "rbd", "sheepdog", "gluster", "iscsi",
             "http", "https", "ftp", "ftps", "tftp", "ssh", "vxhs", "nfs");

VD_ENUM_IMPL(vd_transport, VDISK_TRANSPORT_LAST, NULL, "tcp", "unix", "rdma");

VD_ENUM_IMPL(vd_pool_mode, VDISK_POOL_MODE_LAST, "default", "host", "direct");

VD_ENUM_IMPL(vd_auth_type, VDISK_AUTH_LAST, "none", "chap", "ceph");

VD_ENUM_IMPL(vd_encryption_format, VDISK_ENCRYPTION_LAST, "default", "qcow", "luks", "luks2");

VD_ENUM_IMPL(vd_encryption_engine, VDISK_ENCRYPTION_ENGINE_LAST, "default", "qemu", "librbd");

VD_ENUM_IMPL(vd_tristate_switch, VDISK_TRISTATE_LAST, "default", "on", "off");

VD_ENUM_IMPL(vd_tristate_bool, VDISK_TRISTATE_LAST, "default", "yes", "no");

VD_ENUM_IMPL(vd_address_type, VDISK_ADDRESS_LAST, "none", "pci", "drive", "usb", "ccw");

VD_ENUM_IMPL(vd_address_type_full, VD_ADDR_FULL_LAST, "none", "pci", "drive", "virtio-serial",
             "ccid", "usb", "spapr-vio", "virtio-s390", "ccw", "virtio-mmio", "isa", "dimm",
             "unassigned");

VD_ENUM_IMPL(vd_iotune_field, VDISK_IOTUNE_LAST, "total_bytes_sec", "read_bytes_sec",
             "write_bytes_sec", "total_iops_sec", "read_iops_sec", "write_iops_sec",
             "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
             "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max", "size_iops_sec",
             "total_bytes_sec_max_length", "read_bytes_sec_max_length",
             "write_bytes_sec_max_length", "total_iops_sec_max_length", "read_iops_sec_max_length",
             "write_iops_sec_max_length");

typedef struct {
    const char *(*to_string)(int value);
    int (*from_string)(const char *str);
} vd_enum_ops;

static const vd_enum_ops vd_enum_table[] = {
    [VDISK_ENUM_TYPE] = {vd_type_to_string, vd_type_from_string},
    [VDISK_ENUM_DEVICE] = {vd_device_to_string, vd_device_from_string},
    [VDISK_ENUM_BUS] = {vd_bus_to_string, vd_bus_from_string},
    [VDISK_ENUM_CACHE] = {vd_cache_to_string, vd_cache_from_string},
    [VDISK_ENUM_ERROR_POLICY] = {vd_error_policy_to_string, vd_error_policy_from_string},
    [VDISK_ENUM_IO] = {vd_io_to_string, vd_io_from_string},
    [VDISK_ENUM_DISCARD] = {vd_discard_to_string, vd_discard_from_string},
    [VDISK_ENUM_DETECT_ZEROES] = {vd_detect_zeroes_to_string, vd_detect_zeroes_from_string},
    [VDISK_ENUM_SNAPSHOT] = {vd_snapshot_to_string, vd_snapshot_from_string},
    [VDISK_ENUM_SGIO] = {vd_sgio_to_string, vd_sgio_from_string},
    [VDISK_ENUM_MODEL] = {vd_model_to_string, vd_model_from_string},
    [VDISK_ENUM_TRAY] = {vd_tray_to_string, vd_tray_from_string},
    [VDISK_ENUM_TRANS] = {vd_trans_to_string, vd_trans_from_string},
    [VDISK_ENUM_STARTUP_POLICY] = {vd_startup_policy_to_string, vd_startup_policy_from_string},
    [VDISK_ENUM_FORMAT] = {vd_format_to_string, vd_format_from_string},
    [VDISK_ENUM_PROTOCOL] = {vd_protocol_to_string, vd_protocol_from_string},
    [VDISK_ENUM_TRANSPORT] = {vd_transport_to_string, vd_transport_from_string},
    [VDISK_ENUM_POOL_MODE] = {vd_pool_mode_to_string, vd_pool_mode_from_string},
    [VDISK_ENUM_AUTH_TYPE] = {vd_auth_type_to_string, vd_auth_type_from_string},
    [VDISK_ENUM_ENCRYPTION_FORMAT] = {vd_encryption_format_to_string,
                                      vd_encryption_format_from_string},
    [VDISK_ENUM_ENCRYPTION_ENGINE] = {vd_encryption_engine_to_string,
                                      vd_encryption_engine_from_string},
    [VDISK_ENUM_ADDRESS_TYPE] = {vd_address_type_to_string, vd_address_type_from_string},
    [VDISK_ENUM_IOTUNE_FIELD] = {vd_iotune_field_to_string, vd_iotune_field_from_string},
};
_Static_assert(sizeof(vd_enum_table) / sizeof(vd_enum_table[0]) == VDISK_ENUM_LAST,
               "vd_enum_table does not cover every vdisk_enum");

const char *
vdisk_enum_to_string(vdisk_enum which, int value)
{
    if ((int)which < 0 || which >= VDISK_ENUM_LAST)
        return NULL;
    /* iotune fields have no unset member: 0 is total_bytes_sec */
    if (value == 0 && which != VDISK_ENUM_IOTUNE_FIELD)
        return NULL;
    return vd_enum_table[which].to_string(value);
}

int
vdisk_enum_from_string(vdisk_enum which, const char *str)
{
    if ((int)which < 0 || which >= VDISK_ENUM_LAST)
        return -1;
    return vd_enum_table[which].from_string(str);
}
