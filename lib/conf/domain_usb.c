/*
 * domain_usb.c: USB ports for USB disks, as libvirt's QEMU driver assigns
 * them when a domain is defined
 *
 * libvirt reserves the ports devices already name, then walks the devices
 * (disks first) and gives each USB device without an address the first free
 * port of the first USB controller with one (qemuDomainAssignUSBAddresses).
 * Disks come first in that walk, so their ports depend only on the
 * controllers and on the addresses already written. Hubs and companion
 * controllers are not modelled: with one of them in the domain nothing is
 * assigned.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/domain_address.h"
#include "conf/domain_priv.h"
#include "conf/parse_util.h"

typedef struct {
    unsigned int index;
    unsigned int nports;
    guint64 used; /* bit p-1 set: port p taken */
} vd_usb_bus;

/* virDomainUSBAddressControllerModelToPorts() for the models QEMU has. */
static unsigned int
vd_usb_model_ports(const char *model)
{
    static const struct {
        const char *model;
        unsigned int ports;
    } table[] = {
        {"piix3-uhci", 2}, {"piix4-uhci", 2}, {"vt82c686b-uhci", 2}, {"pci-ohci", 3},
        {"ehci", 6},       {"ich9-ehci1", 6}, {"ich9-uhci1", 2},     {"ich9-uhci2", 2},
        {"ich9-uhci3", 2}, {"nec-xhci", 4},   {"qemu-xhci", 4},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(table); i++) {
        if (g_strcmp0(table[i].model, model) == 0)
            return table[i].ports;
    }
    return 0;
}

/* Marks the port a device's <address type='usb'> names; false when the
 * address is one this code does not model (a port behind a hub). */
static bool
vd_usb_reserve(GArray *buses, const vd_node *addr)
{
    unsigned int bus = 0;
    unsigned int port = 0;
    const char *b = vd_node_attr(addr, "bus");
    const char *p = vd_node_attr(addr, "port");
    guint i;

    if (!p || strchr(p, '.') || !vd_parse_uint(p, 10, &port) || port == 0 || port > 64 ||
        (b && !vd_parse_uint(b, 10, &bus)))
        return false;
    for (i = 0; i < buses->len; i++) {
        vd_usb_bus *ub = &g_array_index(buses, vd_usb_bus, i);
        if (ub->index == bus) {
            ub->used |= G_GUINT64_CONSTANT(1) << (port - 1);
            return true;
        }
    }
    return true; /* a bus we do not know: nothing of ours lives there */
}

void
vd_domain_assign_usb_addresses(vdisk_domain *dom)
{
    g_autoptr(GArray) buses = g_array_new(FALSE, TRUE, sizeof(vd_usb_bus));
    const vd_node *n;
    guint i;

    for (i = 0; i < dom->controllers->len; i++) {
        const vdisk_controller *c = dom->controllers->pdata[i];
        vd_usb_bus ub = {c->index, 0, 0};
        const char *ports;

        if (c->type != VDISK_CONTROLLER_USB)
            continue;
        if (g_strcmp0(c->model, "none") == 0)
            continue;
        /* companion controllers share a bus with their master */
        if (c->node && vd_node_child(c->node, "master"))
            return;
        ub.nports = vd_usb_model_ports(c->model ? c->model : "piix3-uhci");
        if (c->node && (ports = vd_node_attr(c->node, "ports")) &&
            !vd_parse_uint(ports, 10, &ub.nports))
            return;
        if (ub.nports == 0 || ub.nports > 64)
            return;
        g_array_append_val(buses, ub);
    }
    if (buses->len == 0)
        return;

    /* the ports devices already name; hubs are not modelled */
    for (n = dom->devices->children; n; n = n->next) {
        const vd_node *addr;

        if (n->kind != VD_NODE_ELEMENT)
            continue;
        if (strcmp(n->name, "hub") == 0)
            return;
        addr = vd_node_child(n, "address");
        if (addr && g_strcmp0(vd_node_attr(addr, "type"), "usb") == 0 &&
            !vd_usb_reserve(buses, addr))
            return;
    }

    /* the disks, in the domain's (libvirt's) order */
    for (i = 0; i < dom->disks->len; i++) {
        vdisk_disk *disk = dom->disks->pdata[i];
        gboolean placed = FALSE;
        guint b;

        if (vdisk_disk_get_bus(disk) != VDISK_BUS_USB ||
            vdisk_disk_get_address_type(disk) != VDISK_ADDRESS_NONE)
            continue;
        for (b = 0; b < buses->len && !placed; b++) {
            vd_usb_bus *ub = &g_array_index(buses, vd_usb_bus, b);
            unsigned int p;

            for (p = 1; p <= ub->nports; p++) {
                char port[4];

                if (ub->used & (G_GUINT64_CONSTANT(1) << (p - 1)))
                    continue;
                g_snprintf(port, sizeof(port), "%u", p);
                if (vdisk_disk_set_address_usb(disk, ub->index, port, NULL) < 0)
                    return;
                ub->used |= G_GUINT64_CONSTANT(1) << (p - 1);
                placed = TRUE;
                break;
            }
        }
        if (!placed)
            return; /* libvirt would add a hub here; not modelled */
    }
}
