/*
 * unplug.c: the QMP commands libvirt 9.0 sends to unplug a disk from a
 * running domain
 *
 * qemuDomainDetachDeviceLive asks QEMU to remove the device (device_del
 * with the disk's alias) and, once QEMU reports it gone,
 * qemuDomainRemoveDiskDevice deletes its block nodes: the copy-on-read
 * filter first, then each source of the chain from the top down, its
 * format node, its slice node (when it has one) and its storage node
 * (qemuBlockStorageSourceChainDetach). The node names are the ones the
 * live XML shows through the index of each source.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "qemu/qemu_priv.h"
#include "util/error.h"

static const char *
vd_unplug_target(const vdisk_disk *disk)
{
    const char *target = vdisk_disk_get_target(disk);

    return target ? target : "";
}

/* qemuDomainDetachPrepDisk */
static int
vd_unplug_check(const vdisk_disk *disk, vdisk_error **err)
{
    vdisk_bus bus = vdisk_disk_get_bus(disk);

    switch (vdisk_disk_get_device(disk)) {
    case VDISK_DEVICE_DEFAULT:
    case VDISK_DEVICE_DISK:
    case VDISK_DEVICE_LUN:
        break;
    case VDISK_DEVICE_CDROM:
        if (bus == VDISK_BUS_USB || bus == VDISK_BUS_SCSI)
            break;
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': disk device type 'cdrom' cannot be detached",
                       vd_unplug_target(disk));
    case VDISK_DEVICE_FLOPPY:
    case VDISK_DEVICE_LAST:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': disk device type 'floppy' cannot be detached",
                       vd_unplug_target(disk));
    }
    switch (bus) {
    case VDISK_BUS_VIRTIO:
    case VDISK_BUS_USB:
    case VDISK_BUS_SCSI:
        return 0;
    case VDISK_BUS_NONE:
    case VDISK_BUS_IDE:
    case VDISK_BUS_FDC:
    case VDISK_BUS_XEN:
    case VDISK_BUS_UML:
    case VDISK_BUS_SATA:
    case VDISK_BUS_SD:
    case VDISK_BUS_LAST:
        break;
    }
    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                   "disk '%s': This type of disk cannot be hot unplugged", vd_unplug_target(disk));
}

static void
vd_unplug_del(vdisk_qemu_args *args, const char *node)
{
    vd_prop *a = vd_prop_object_new();

    vd_prop_add_str(a, "node-name", node);
    vd_qemu_args_add_command(args, "blockdev-del", a);
}

int
vd_qemu_unplug_commands(vdisk_qemu_args **out, const vdisk_disk *disk, vdisk_error **err)
{
    g_autoptr(vdisk_qemu_args) args = vd_qemu_args_new(1);
    const vdisk_source *src = vdisk_disk_get_source_const(disk);
    const char *alias = vdisk_disk_get_alias(disk);
    vd_prop *dev;

    *out = NULL;
    if (vd_unplug_check(disk, err) < 0)
        return -1;
    if (!alias)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "disk '%s': the live XML gives the disk no alias: is the domain running?",
                       vd_unplug_target(disk));
    if (vdisk_source_get_type(src) == VDISK_TYPE_VHOSTUSER)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': unplugging a vhost-user disk (its chardev) is not modelled",
                       vd_unplug_target(disk));
    if (vdisk_disk_get_transient(disk))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': unplugging a transient disk (its overlay) is not modelled",
                       vd_unplug_target(disk));
    for (const vdisk_source *s = src; s; s = vdisk_source_get_backing(s)) {
        if (!vdisk_source_is_present(s))
            break;
        if (vdisk_source_get_auth_username(s) ||
            vdisk_source_get_encryption_format(s) != VDISK_ENCRYPTION_DEFAULT ||
            vdisk_source_get_tls(s) == VDISK_TRISTATE_ON ||
            vdisk_source_get_reservations_managed(s) != VDISK_TRISTATE_DEFAULT ||
            vdisk_source_get_type(s) == VDISK_TYPE_NETWORK)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': the objects libvirt deletes with a network, encrypted or "
                           "reserved source (secrets, TLS, pr-manager) are not modelled",
                           vd_unplug_target(disk));
    }

    if (!vdisk_source_is_present(src) || !vdisk_source_get_path(src))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': unplugging a disk without a medium is not modelled",
                       vd_unplug_target(disk));

    dev = vd_prop_object_new();
    vd_prop_add_str(dev, "id", alias);
    vd_qemu_args_add_command(args, "device_del", dev);

    {
        if (vdisk_disk_get_copy_on_read(disk) == VDISK_TRISTATE_ON) {
            g_autofree char *cor = g_strdup_printf("libvirt-CoR-%s", vd_unplug_target(disk));

            vd_unplug_del(args, cor);
        }
        for (; src; src = vdisk_source_get_backing(src)) {
            unsigned int index = vdisk_source_get_index(src);
            unsigned long long off, size;
            char name[48];

            if (!vdisk_source_is_present(src))
                break;
            if (!index)
                return vd_fail(err, VDISK_ERR_INVALID,
                               "disk '%s': the live XML gives source '%s' no index, so its node "
                               "names are unknown",
                               vd_unplug_target(disk),
                               vdisk_source_get_path(src) ? vdisk_source_get_path(src) : "");
            g_snprintf(name, sizeof(name), "libvirt-%u-format", index);
            vd_unplug_del(args, name);
            /* qemuBlockStorageSourceNeedsStorageSliceLayer */
            if (vdisk_source_get_slice(src, &off, &size) == 0 &&
                ((vdisk_source_get_format(src) != VDISK_FORMAT_RAW &&
                  vdisk_source_get_format(src) != VDISK_FORMAT_NONE) ||
                 vdisk_source_get_encryption_format(src) == VDISK_ENCRYPTION_LUKS)) {
                g_snprintf(name, sizeof(name), "libvirt-%u-slice-sto", index);
                vd_unplug_del(args, name);
            }
            g_snprintf(name, sizeof(name), "libvirt-%u-storage", index);
            vd_unplug_del(args, name);
        }
    }
    vd_qemu_args_render(args);
    *out = g_steal_pointer(&args);
    return 0;
}
