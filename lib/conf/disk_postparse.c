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

static bool
vd_disk_is_readonly(const vdisk_disk *disk)
{
    return vd_node_child(disk->node, "readonly") != NULL;
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

/* libvirt's drive address from the target index, for controller-based buses. */
static int
vd_assign_drive_address(vdisk_disk *disk, vdisk_bus bus, const char *dev, vdisk_error **err)
{
    unsigned int controller = 0;
    unsigned int busno = 0;
    unsigned int unit = 0;
    vd_node *addr;
    int idx;

    if (vd_target_parse(dev, &idx, NULL) < 0)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "%s: unknown disk name '%s' and no address specified", vd_disk_label(disk),
                       dev);

    switch (bus) {
    case VDISK_BUS_SCSI:
        /* the QEMU driver uses libvirt's narrow SCSI bus: 7 units per
         * controller, whatever the controller model */
        controller = (unsigned int)idx / 7;
        unit = (unsigned int)idx % 7;
        break;
    case VDISK_BUS_IDE:
        controller = (unsigned int)idx / 4;
        busno = ((unsigned int)idx % 4) / 2;
        unit = (unsigned int)idx % 2;
        break;
    case VDISK_BUS_SATA:
        controller = (unsigned int)idx / 6;
        unit = (unsigned int)idx % 6;
        break;
    case VDISK_BUS_FDC:
        controller = (unsigned int)idx / 2;
        unit = (unsigned int)idx % 2;
        break;
    case VDISK_BUS_NONE:
    case VDISK_BUS_VIRTIO:
    case VDISK_BUS_XEN:
    case VDISK_BUS_USB:
    case VDISK_BUS_UML:
    case VDISK_BUS_SD:
    case VDISK_BUS_LAST:
        /* not controller based: no address at this stage */
        return 0;
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
    vd_node *group = iotune ? vd_node_child(iotune, "group_name") : NULL;
    const char *name;
    guint i;

    if (!dom || !group || vd_iotune_has_values(iotune))
        return;
    name = vd_node_text(disk->doc, group);
    for (i = 0; i < dom->disks->len; i++) {
        const vdisk_disk *d = dom->disks->pdata[i];
        vd_node *other = vd_node_child(d->node, "iotune");
        vd_node *og = other ? vd_node_child(other, "group_name") : NULL;

        if (d == disk || !og || g_strcmp0(vd_node_text(d->doc, og), name) != 0 ||
            !vd_iotune_has_values(other))
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
    const char *dev;
    const char *device;
    const char *type;
    vd_node *driver;
    vd_node *mirror;

    if (!disk || !disk->node)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    target = vd_node_child(disk->node, "target");
    source = vd_node_child(disk->node, "source");
    dev = vd_node_attr(target, "dev");
    device = vd_node_attr(disk->node, "device");
    type = vd_node_attr(disk->node, "type");

    /* old Xen configurations prefix the target with "ioemu:" */
    if (dev && g_str_has_prefix(dev, "ioemu:")) {
        vd_node_set_attr(disk->doc, target, "dev", dev + strlen("ioemu:"));
        dev = vd_node_attr(target, "dev");
    }

    if (g_strcmp0(device, "cdrom") == 0)
        vd_disk_ensure_child(disk, "readonly");

    if (target && !vd_node_attr(target, "bus")) {
        vdisk_bus bus = VDISK_BUS_IDE;

        if (g_strcmp0(device, "floppy") == 0) {
            bus = VDISK_BUS_FDC;
        } else if (dev) {
            bus = vd_target_bus(dev);
            /* only a floppy device gets fdc; "fd" names default to ide */
            if (bus == VDISK_BUS_NONE || bus == VDISK_BUS_FDC)
                bus = VDISK_BUS_IDE;
        }
        vd_schema_set_attr(disk->doc, target, "bus", vdisk_enum_to_string(VDISK_ENUM_BUS, bus));
    }

    /* a read-only disk is never snapshotted; libvirt does not write the
     * implied snapshot='no' out */
    if (vd_disk_is_readonly(disk) && g_strcmp0(vd_node_attr(disk->node, "snapshot"), "no") == 0)
        vd_node_set_attr(disk->doc, disk->node, "snapshot", NULL);

    if (g_strcmp0(type, "network") == 0 && source &&
        g_strcmp0(vd_node_attr(source, "protocol"), "iscsi") == 0) {
        const char *name = vd_node_attr(source, "name");

        /* an iSCSI name without LUN means LUN 0 */
        if (name && !strchr(name, '/'))
            vd_node_set_attr(disk->doc, source, "name", vd_arena_printf(disk->doc, "%s/0", name));
    }

    /* network hosts without a port get their protocol's default port */
    vd_source_apply_default_ports(disk);

    if (g_strcmp0(type, "nvme") == 0 && source && !vd_node_attr(source, "managed"))
        vd_schema_set_attr(disk->doc, source, "managed", "yes");

    if (g_strcmp0(type, "vhostuser") == 0 && !vd_node_attr(disk->node, "snapshot") &&
        !vd_disk_is_readonly(disk))
        vd_schema_set_attr(disk->doc, disk->node, "snapshot", "no");

    if (!vd_node_child(disk->node, "address") && dev) {
        const char *bus = vd_node_attr(target, "bus");
        int b = vdisk_enum_from_string(VDISK_ENUM_BUS, bus);

        if (vd_assign_drive_address(disk, b < 0 ? VDISK_BUS_NONE : (vdisk_bus)b, dev, err) < 0)
            return -1;
    }

    vd_expand_iotune_group(disk, dom);

    /* the QEMU driver's defaults */
    driver = vd_disk_ensure_child(disk, "driver");
    if (!vd_node_attr(driver, "name"))
        vd_schema_set_attr(disk->doc, driver, "name", "qemu");
    if (!vd_node_attr(driver, "type") && g_strcmp0(type, "volume") != 0)
        vd_schema_set_attr(disk->doc, driver, "type", "raw");

    mirror = vd_node_child(disk->node, "mirror");
    if (mirror && !vd_node_attr(mirror, "format") && !vd_node_child(mirror, "format")) {
        vd_node *fmt = vd_node_new(disk->doc, "format");

        vd_schema_set_attr_static(disk->doc, fmt, "type", "raw");
        vd_schema_insert_child(mirror, fmt);
    }

    vd_walk_chain_encryption(disk);
    return 0;
}
