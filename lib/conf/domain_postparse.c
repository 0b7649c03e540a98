/*
 * domain_postparse.c: libvirt's defaults for a domain: the order of its disks
 * and the controllers libvirt adds implicitly
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "conf/domain_postparse.h"
#include "conf/parse_util.h"
#include "conf/target_priv.h"
#include "util/error.h"

static bool
vd_domain_is_x86(const vdisk_domain *dom)
{
    return !dom->arch || strcmp(dom->arch, "x86_64") == 0 || strcmp(dom->arch, "i686") == 0;
}

/* The SCSI controllers libvirt adds for SCSI <hostdev>s while it parses
 * them (virDomainDefMaybeAddHostdevSCSIcontroller, after each hostdev):
 * every index up to the highest controller a hostdev's drive address names
 * (0 without an address), with the model of the controller that highest
 * address names when it has one. They take PCI slots like any other. */
static void
vd_domain_add_hostdev_scsi_controllers(vdisk_domain *dom)
{
    int max = -1;
    const char *model = NULL;

    for (const vd_node *n = dom->devices->children; n; n = n->next) {
        const vd_node *addr;
        unsigned int c = 0;

        if (n->kind != VD_NODE_ELEMENT || strcmp(n->name, "hostdev") != 0 ||
            g_strcmp0(vd_node_attr(n, "mode"), "subsystem") != 0 ||
            g_strcmp0(vd_node_attr(n, "type"), "scsi") != 0)
            continue;
        addr = vd_node_child(n, "address");
        if (addr && g_strcmp0(vd_node_attr(addr, "type"), "drive") == 0 &&
            (!vd_parse_uint(vd_node_attr(addr, "controller"), 10, &c) ||
             c > VD_MAX_DRIVE_CONTROLLER))
            c = 0;
        if ((int)c <= max)
            continue;
        max = (int)c;
        {
            const vdisk_controller *ctrl = vd_domain_controller(dom, VDISK_CONTROLLER_SCSI, c);

            if (ctrl && ctrl->model)
                model = ctrl->model;
        }
        for (int i = 0; i <= max; i++)
            vd_domain_add_controller(dom, VDISK_CONTROLLER_SCSI, (unsigned int)i,
                                     model ? model : vd_domain_default_scsi_model(dom));
    }
}

void
vd_domain_add_implicit_controllers(vdisk_domain *dom)
{
    static const struct {
        vdisk_bus bus;
        vdisk_controller_type type;
    } map[] = {
        {VDISK_BUS_SCSI, VDISK_CONTROLLER_SCSI},
        {VDISK_BUS_FDC, VDISK_CONTROLLER_FDC},
        {VDISK_BUS_IDE, VDISK_CONTROLLER_IDE},
        {VDISK_BUS_SATA, VDISK_CONTROLLER_SATA},
    };
    int max[G_N_ELEMENTS(map)];
    size_t m;
    guint i;

    /* the machine's own controllers: SATA 0 on q35, the USB controller */
    if (vd_domain_is_x86(dom) && g_strcmp0(dom->machine, "isapc") != 0) {
        if (vdisk_domain_is_q35(dom)) {
            vd_domain_add_controller(dom, VDISK_CONTROLLER_SATA, 0, NULL);
            vd_domain_add_controller(dom, VDISK_CONTROLLER_USB, 0, "qemu-xhci");
        } else {
            vd_domain_add_controller(dom, VDISK_CONTROLLER_USB, 0, "piix3-uhci");
        }
    }
    /* ppc64 machines get a USB controller too, qemu-xhci for a new domain */
    if (g_strcmp0(dom->arch, "ppc64") == 0 || g_strcmp0(dom->arch, "ppc64le") == 0)
        vd_domain_add_controller(dom, VDISK_CONTROLLER_USB, 0, "qemu-xhci");

    vd_domain_add_hostdev_scsi_controllers(dom);

    /* one controller of the bus's type for every index up to the highest
     * one a disk's drive address names */
    for (m = 0; m < G_N_ELEMENTS(map); m++)
        max[m] = -1;
    for (i = 0; i < dom->disks->len; i++) {
        const vdisk_disk *disk = dom->disks->pdata[i];
        const char *bus = vd_node_attr(vd_disk_child_named(disk, "target"), "bus");
        unsigned int v[4];

        for (m = 0; m < G_N_ELEMENTS(map); m++) {
            if (g_strcmp0(bus, vdisk_enum_to_string(VDISK_ENUM_BUS, map[m].bus)) == 0)
                break;
        }
        if (m == G_N_ELEMENTS(map) || vd_disk_drive_address(disk, v) < 0)
            continue;
        /* an address beyond the limit is refused by validation */
        if (v[0] <= VD_MAX_DRIVE_CONTROLLER && (int)v[0] > max[m])
            max[m] = (int)v[0];
    }
    for (m = 0; m < G_N_ELEMENTS(map); m++) {
        for (int c = 0; c <= max[m]; c++) {
            /* a SCSI controller gets the QEMU driver's default model */
            vd_domain_add_controller(
                dom, map[m].type, (unsigned int)c,
                map[m].type == VDISK_CONTROLLER_SCSI ? vd_domain_default_scsi_model(dom) : NULL);
        }
    }

    /* a virtio channel or console needs the virtio-serial controller its
     * address names, 0 without one (virDomainDefMaybeAddVirtioSerialController) */
    for (const vd_node *n = dom->devices->children; n; n = n->next) {
        const vd_node *addr;
        unsigned int c = 0;

        if (n->kind != VD_NODE_ELEMENT ||
            (strcmp(n->name, "channel") != 0 && strcmp(n->name, "console") != 0) ||
            g_strcmp0(vd_node_attr(vd_node_child(n, "target"), "type"), "virtio") != 0)
            continue;
        addr = vd_node_child(n, "address");
        if (addr && g_strcmp0(vd_node_attr(addr, "type"), "virtio-serial") == 0 &&
            (!vd_parse_uint(vd_node_attr(addr, "controller"), 10, &c) ||
             c > VD_MAX_DRIVE_CONTROLLER))
            c = 0;
        vd_domain_add_controller(dom, VDISK_CONTROLLER_VIRTIO_SERIAL, c, NULL);
    }
}

/* libvirt keeps a domain's disks ordered as virDomainDiskInsert() adds them:
 * a disk goes before the first later disk on the same bus whose target
 * index is higher, else right after the last disk on its bus, else at the
 * end. While parsing, "the same bus" means the bus as written (libvirt
 * infers missing ones only afterwards). */
/* Puts the disks' elements in the order of @dom->disks, together, where
 * the first disk element stood: libvirt formats them that way. */
static void
vd_domain_relink_disks(vdisk_domain *dom)
{
    vd_node *at = NULL;
    vd_node *n;
    guint i;

    for (n = dom->devices->children; n; n = n->next) {
        if (n->kind == VD_NODE_ELEMENT && strcmp(n->name, "disk") == 0)
            break;
        at = n;
    }
    for (i = 0; i < dom->disks->len; i++) {
        vd_node_unlink(((vdisk_disk *)dom->disks->pdata[i])->node);
    }
    for (i = 0; i < dom->disks->len; i++) {
        n = ((vdisk_disk *)dom->disks->pdata[i])->node;
        vd_node_insert_before(dom->devices, n, at ? at->next : dom->devices->children);
        at = n;
    }
}

/* Inserts the disks of @dom->disks one by one, then @extra (or nothing),
 * as libvirt does, and stores the result in @dom->disks. */
static void
vd_domain_insert_disks(vdisk_domain *dom, vdisk_disk *extra)
{
    guint n = dom->disks->len + (extra ? 1 : 0);
    g_autofree vd_order_key *keys = g_new0(vd_order_key, n + 1);
    g_autofree size_t *order = g_new(size_t, n + 1);
    g_autofree vdisk_disk **disks = g_new(vdisk_disk *, n + 1);
    g_autofree const char **buses = g_new(const char *, n + 1);
    guint nbuses = 0;
    guint i;

    for (i = 0; i < n; i++) {
        vdisk_disk *disk = i < dom->disks->len ? dom->disks->pdata[i] : extra;
        const char *target = vd_disk_target(disk);
        const char *bus = vd_disk_bus(disk);
        guint b;

        /* the few distinct buses (as written) get numbers */
        for (b = 0; b < nbuses; b++) {
            if (g_strcmp0(buses[b], bus) == 0)
                break;
        }
        if (b == nbuses)
            buses[nbuses++] = bus;
        disks[i] = disk;
        keys[i].bus = b;
        keys[i].targeted = target != NULL;
        keys[i].index = target ? vdisk_target_to_index(target) : -1;
    }
    vd_disk_insert_order(keys, n, order);
    if (extra)
        g_ptr_array_add(dom->disks, extra);
    for (i = 0; i < n; i++)
        dom->disks->pdata[i] = disks[order[i]];
    vd_domain_relink_disks(dom);
}

void
vd_domain_sort_disks(vdisk_domain *dom)
{
    if (dom->disks->len >= 2)
        vd_domain_insert_disks(dom, NULL);
}

/* Moves the last disk (just added) to where libvirt puts it: libvirt
 * attaches to a copy of the definition, whose disks are inserted again
 * one by one (now with their buses known), then inserts the new disk. */
void
vd_domain_place_new_disk(vdisk_domain *dom)
{
    vdisk_disk *disk = g_ptr_array_steal_index(dom->disks, dom->disks->len - 1);

    vd_domain_insert_disks(dom, disk);
}
