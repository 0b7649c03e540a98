/*
 * disk_postparse.c: libvirt's post-parse defaults for a disk
 *
 * What libvirt 9.0 fills in when the QEMU driver defines a domain: the
 * generic ones (bus from the target name, read-only cdroms, drive addresses
 * from the target index, ...) and the QEMU driver's (driver name 'qemu',
 * raw format, encryption engine). Values are written into the tree in the
 * place and spelling libvirt formats them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/disk_postparse.h"
#include "conf/schema.h"
#include "conf/domain_priv.h"
#include "conf/source_priv.h"
#include "conf/target_priv.h"
#include "util/error.h"

/* Returns the <disk> child @name, creating it where libvirt formats it. */
static vd_node *
vd_disk_ensure_child(vdisk_disk *disk, const char *name)
{
    return vd_schema_ensure_child(disk->doc, disk->node, name);
}

/* Encryption engine default for every source of the chain (the QEMU driver
 * sets 'qemu' where none is given). */
static void
vd_default_encryption_engine(vdisk_disk *disk, vd_node *holder, vd_node *source)
{
    vd_node *enc = source ? vd_node_child(source, "encryption") : NULL;

    if (!enc && holder == disk->node)
        enc = vd_node_child(holder, "encryption"); /* the legacy place */
    if (enc && !vd_node_attr(enc, "engine"))
        vd_schema_set_attr(disk->doc, enc, "engine", "qemu");
}

static void
vd_walk_chain_encryption(vdisk_disk *disk)
{
    vd_node *holder = disk->node;

    while (holder) {
        vd_node *bs = vd_node_child(holder, "backingStore");

        vd_default_encryption_engine(disk, holder, vd_node_child(holder, "source"));
        /* an empty <backingStore/> ends the chain */
        holder = bs && vd_node_attr(bs, "type") ? bs : NULL;
    }
}

bool
vd_drive_address_of_index(vdisk_bus bus, unsigned int idx, unsigned int v[4])
{
    v[0] = v[1] = v[2] = v[3] = 0;
    switch (bus) {
    case VDISK_BUS_SCSI:
        /* the QEMU driver uses libvirt's narrow SCSI bus: 7 units per
         * controller, whatever the controller model */
        v[0] = idx / 7;
        v[3] = idx % 7;
        return true;
    case VDISK_BUS_IDE:
        v[0] = idx / 4;
        v[1] = (idx % 4) / 2;
        v[3] = idx % 2;
        return true;
    case VDISK_BUS_SATA:
        v[0] = idx / 6;
        v[3] = idx % 6;
        return true;
    case VDISK_BUS_FDC:
        v[0] = idx / 2;
        v[3] = idx % 2;
        return true;
    case VDISK_BUS_NONE:
    case VDISK_BUS_VIRTIO:
    case VDISK_BUS_XEN:
    case VDISK_BUS_USB:
    case VDISK_BUS_UML:
    case VDISK_BUS_SD:
    case VDISK_BUS_LAST:
        break;
    }
    /* not controller based: no address at this stage */
    return false;
}

vdisk_bus
vd_disk_default_bus(vdisk_device device, const char *dev)
{
    vdisk_bus bus = VDISK_BUS_IDE;

    if (device == VDISK_DEVICE_FLOPPY) {
        bus = VDISK_BUS_FDC;
    } else if (dev) {
        bus = vd_target_bus(dev);
        /* only a floppy device gets fdc; "fd" names default to ide */
        if (bus == VDISK_BUS_NONE || bus == VDISK_BUS_FDC)
            bus = VDISK_BUS_IDE;
    }
    return bus;
}

/* libvirt's drive address from the target index, for controller-based buses. */
static int
vd_assign_drive_address(vdisk_disk *disk, const vdisk_domain *dom, vdisk_bus bus, const char *dev,
                        vdisk_error **err)
{
    unsigned int v[4];
    unsigned int controller;
    unsigned int busno;
    unsigned int unit;
    vd_node *addr;
    int idx;

    if (vd_target_parse(dev, &idx, NULL) < 0)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "%s: unknown disk name '%s' and no address specified", vd_disk_label(disk),
                       dev);
    if (!vd_drive_address_of_index(bus, (unsigned int)idx, v))
        return 0;
    controller = v[0];
    busno = v[1];
    unit = v[3];

    if (bus == VDISK_BUS_SCSI) {
        /* libvirt: "using disk target name '%s' conflicts with SCSI host
         * device address controller='%u' bus='%u' target='%u' unit='%u" */
        if (dom && dom->scsi_hostdev_drives) {
            guint i;

            for (i = 0; i < dom->scsi_hostdev_drives->len; i++) {
                const unsigned int *h = g_array_index(dom->scsi_hostdev_drives, vd_drive_addr, i).v;

                if (h[0] == controller && h[1] == 0 && h[2] == 0 && h[3] == unit)
                    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                                   "%s: the drive address of disk name '%s' (controller='%u' "
                                   "bus='0' target='0' unit='%u') is a SCSI host device's",
                                   vd_disk_label(disk), dev, controller, unit);
            }
        }
    }

    addr = vd_disk_ensure_child(disk, "address");
    vd_schema_set_attr_static(disk->doc, addr, "type", "drive");
    vd_schema_set_attr_static(disk->doc, addr, "controller",
                              vd_arena_decimal(disk->doc, controller));
    vd_schema_set_attr_static(disk->doc, addr, "bus", vd_arena_decimal(disk->doc, busno));
    vd_schema_set_attr_static(disk->doc, addr, "target", "0");
    vd_schema_set_attr_static(disk->doc, addr, "unit", vd_arena_decimal(disk->doc, unit));
    return 0;
}

static bool
vd_iotune_has_values(const vd_node *iotune)
{
    const vd_node *c;

    for (c = iotune ? iotune->children : NULL; c; c = c->next) {
        if (c->kind == VD_NODE_ELEMENT && strcmp(c->name, "group_name") != 0)
            return true;
    }
    return false;
}

/* A disk naming only an iotune group takes the group's settings from the
 * first disk of the domain that has them. */
static void
vd_expand_iotune_group(vdisk_disk *disk, const vdisk_domain *dom)
{
    vd_node *iotune = vd_node_child(disk->node, "iotune");
    const char *name = vdisk_disk_get_iotune_group(disk);
    guint i;

    if (!dom || !name || vd_iotune_has_values(iotune))
        return;
    for (i = 0; i < dom->disks->len; i++) {
        const vdisk_disk *d = dom->disks->pdata[i];
        vd_node *other;

        if (d == disk || g_strcmp0(vdisk_disk_get_iotune_group(d), name) != 0 ||
            !vd_iotune_has_values(other = vd_node_child(d->node, "iotune")))
            continue;
        {
            /* with the namespaces it uses in the other disk */
            vd_node *copy = vd_node_copy_to(disk->doc, other, disk->node, vd_disk_known_element);

            vd_node_insert_before(disk->node, copy, iotune);
            vd_node_unlink(iotune);
        }
        return;
    }
}

int
vd_disk_postparse(vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    vd_node *target;
    vd_node *source;
    const vdisk_source *top;
    const char *dev;
    vdisk_device device;
    vdisk_type type;
    vd_node *driver;
    vd_node *mirror;

    if (!disk || !disk->node)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    top = vdisk_disk_get_source_const(disk);
    target = vd_disk_child_named(disk, "target");
    source = vd_disk_child_named(disk, "source");
    dev = vdisk_disk_get_target(disk);
    device = vdisk_disk_get_device(disk);
    type = vdisk_source_get_type(top);

    /* old Xen configurations prefix the target with "ioemu:" */
    if (dev && g_str_has_prefix(dev, "ioemu:")) {
        vd_node_set_attr(disk->doc, target, "dev", dev + strlen("ioemu:"));
        dev = vdisk_disk_get_target(disk);
    }

    if (device == VDISK_DEVICE_CDROM)
        vd_disk_ensure_child(disk, "readonly");

    if (target && vdisk_disk_get_bus(disk) == VDISK_BUS_NONE)
        vd_schema_set_attr(disk->doc, target, "bus",
                           vd_bus_to_string(vd_disk_default_bus(device, dev)));

    /* a read-only disk is never snapshotted; libvirt does not write the
     * implied snapshot='no' out */
    if (vdisk_disk_get_readonly(disk) && vdisk_disk_get_snapshot(disk) == VDISK_SNAPSHOT_NO)
        vd_node_set_attr(disk->doc, disk->node, "snapshot", NULL);

    if (vdisk_source_get_protocol(top) == VDISK_PROTOCOL_ISCSI) {
        const char *name = vdisk_source_get_name(top);

        /* an iSCSI name without LUN means LUN 0 */
        if (name && !strchr(name, '/'))
            vd_node_set_attr(disk->doc, source, "name", vd_arena_printf(disk->doc, "%s/0", name));
    }

    /* network hosts without a port get their protocol's default port */
    vd_source_apply_default_ports(disk);

    if (type == VDISK_TYPE_NVME && source &&
        vdisk_source_get_nvme_managed(top) == VDISK_TRISTATE_DEFAULT)
        vd_schema_set_attr(disk->doc, source, "managed",
                           vd_tristate_bool_to_string(VDISK_TRISTATE_ON));

    if (type == VDISK_TYPE_VHOSTUSER && vdisk_disk_get_snapshot(disk) == VDISK_SNAPSHOT_DEFAULT &&
        !vdisk_disk_get_readonly(disk))
        vd_schema_set_attr(disk->doc, disk->node, "snapshot",
                           vd_snapshot_to_string(VDISK_SNAPSHOT_NO));

    if (vd_disk_address_type_full(disk) == VD_ADDR_FULL_NONE && dev &&
        vd_assign_drive_address(disk, dom, vdisk_disk_get_bus(disk), dev, err) < 0)
        return -1;

    vd_expand_iotune_group(disk, dom);

    /* the QEMU driver's defaults */
    driver = vd_disk_ensure_child(disk, "driver");
    if (!vdisk_disk_get_driver_name(disk))
        vd_schema_set_attr(disk->doc, driver, "name", "qemu");
    if (vdisk_disk_get_format(disk) == VDISK_FORMAT_NONE && type != VDISK_TYPE_VOLUME)
        vd_schema_set_attr(disk->doc, driver, "type", vd_format_to_string(VDISK_FORMAT_RAW));

    mirror = vd_node_child(disk->node, "mirror");
    if (mirror && !vd_node_attr(mirror, "format") && !vd_node_child(mirror, "format")) {
        vd_node *fmt = vd_node_new(disk->doc, "format");

        vd_schema_set_attr_static(disk->doc, fmt, "type", "raw");
        vd_schema_insert_child(mirror, fmt);
    }

    vd_walk_chain_encryption(disk);
    return 0;
}
