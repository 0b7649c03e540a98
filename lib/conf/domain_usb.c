/*
 * domain_usb.c: USB ports for USB disks, as libvirt's QEMU driver assigns
 * them when a domain is defined
 *
 * libvirt reserves the ports devices already name, then walks the devices
 * (disks first) and gives each USB device without an address the first free
 * port of the first USB controller with one (qemuDomainAssignUSBAddresses).
 * Disks come first in that walk, so their ports depend only on the
 * controllers and on the addresses already written. Each index is one bus:
 * the ports of an ICH9 EHCI1 and its UHCI companions are the EHCI1's (the
 * companions count none, as in virDomainUSBAddressControllerModelToPorts),
 * and two controllers with ports at one index are refused as libvirt
 * refuses them. Hubs are not modelled: with one in the domain nothing is
 * assigned.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "conf/domain_address.h"
#include "conf/domain_priv.h"
#include "conf/parse_util.h"
#include "util/error.h"

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
        {"ehci", 6},       {"ich9-ehci1", 6}, {"ich9-uhci1", 0},     {"ich9-uhci2", 0},
        {"ich9-uhci3", 0}, {"nec-xhci", 4},   {"qemu-xhci", 4},
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

/* Takes the first free port of the first bus with one. */
static bool
vd_usb_take_port(GArray *buses, unsigned int *bus, unsigned int *port)
{
    for (guint b = 0; b < buses->len; b++) {
        vd_usb_bus *ub = &g_array_index(buses, vd_usb_bus, b);

        for (unsigned int p = 1; p <= ub->nports; p++) {
            if (ub->used & (G_GUINT64_CONSTANT(1) << (p - 1)))
                continue;
            ub->used |= G_GUINT64_CONSTANT(1) << (p - 1);
            *bus = ub->index;
            *port = p;
            return true;
        }
    }
    return false;
}

/* Refuses, when a USB disk without address would get a port that depends
 * on what is not modelled, rather than leave it for QEMU to place. */
static int
vd_usb_refuse(const vdisk_domain *dom, const char *why, vdisk_error **err)
{
    for (guint i = 0; i < dom->disks->len; i++) {
        const vdisk_disk *disk = dom->disks->pdata[i];

        if (vdisk_disk_get_bus(disk) == VDISK_BUS_USB &&
            vdisk_disk_get_address_type(disk) == VDISK_ADDRESS_NONE)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "cannot place USB disk '%s': the port libvirt gives it depends on %s, "
                           "which libvdisk does not model; give the disk an <address type='usb' "
                           "bus='...' port='...'/> or translate the XML libvirt's dumpxml prints "
                           "for the domain",
                           vdisk_disk_get_target(disk) ? vdisk_disk_get_target(disk) : "", why);
    }
    return 0;
}

int
vd_domain_assign_usb_addresses(vdisk_domain *dom, vdisk_error **err)
{
    g_autoptr(GArray) buses = g_array_new(FALSE, TRUE, sizeof(vd_usb_bus));
    const vd_node *n;
    guint i;

    for (i = 0; i < dom->controllers->len; i++) {
        const vdisk_controller *c = dom->controllers->pdata[i];
        vd_usb_bus ub = {c->index, 0, 0};
        const char *ports;
        const char *model;

        if (c->type != VDISK_CONTROLLER_USB)
            continue;
        if (g_strcmp0(c->model, "none") == 0)
            continue;
        model = c->model ? c->model : vd_domain_default_usb_model(dom);
        ub.nports = vd_usb_model_ports(model);
        /* companions share the bus of their master */
        if (ub.nports == 0 && vd_controller_is_usb2(c))
            continue;
        /* only the xHCI controllers take their number of ports from @ports */
        if (c->node && (ports = vd_node_attr(c->node, "ports")) &&
            g_str_has_suffix(model, "-xhci") && !vd_parse_uint(ports, 10, &ub.nports))
            return vd_usb_refuse(dom, "a USB controller's ports attribute", err);
        for (guint b = 0; b < buses->len; b++) {
            if (g_array_index(buses, vd_usb_bus, b).index == c->index)
                return vd_fail(err, VDISK_ERR_INVALID, "duplicate USB controllers with index %u",
                               c->index);
        }
        if (ub.nports == 0 || ub.nports > 64) {
            g_autofree char *why =
                g_strdup_printf("the ports of a USB controller of model '%s'", model);

            return vd_usb_refuse(dom, why, err);
        }
        g_array_append_val(buses, ub);
    }
    if (buses->len == 0)
        return 0;

    /* the ports devices already name; hubs are not modelled */
    for (n = dom->devices->children; n; n = n->next) {
        const vd_node *addr;

        if (n->kind != VD_NODE_ELEMENT)
            continue;
        if (strcmp(n->name, "hub") == 0)
            return vd_usb_refuse(dom, "the domain's USB hub", err);
        addr = vd_node_child(n, "address");
        if (addr && g_strcmp0(vd_node_attr(addr, "type"), "usb") == 0 &&
            !vd_usb_reserve(buses, addr))
            return vd_usb_refuse(dom, "a USB port behind a hub", err);
    }

    /* libvirt's walk (virDomainUSBDeviceDefForeach): hubs, then USB host
     * devices, then disks; each device without an address takes the first
     * free port */
    for (n = dom->devices->children; n; n = n->next) {
        unsigned int bus, port;

        if (n->kind != VD_NODE_ELEMENT || strcmp(n->name, "hostdev") != 0 ||
            g_strcmp0(vd_node_attr(n, "mode"), "subsystem") != 0 ||
            g_strcmp0(vd_node_attr(n, "type"), "usb") != 0 || vd_node_child(n, "address"))
            continue;
        if (!vd_usb_take_port(buses, &bus, &port))
            return vd_usb_refuse(dom, "the USB hub libvirt adds when the ports are taken", err);
    }

    /* the disks, in the domain's (libvirt's) order */
    for (i = 0; i < dom->disks->len; i++) {
        vdisk_disk *disk = dom->disks->pdata[i];
        unsigned int bus, port;
        char portstr[4];

        if (vdisk_disk_get_bus(disk) != VDISK_BUS_USB ||
            vdisk_disk_get_address_type(disk) != VDISK_ADDRESS_NONE)
            continue;
        if (!vd_usb_take_port(buses, &bus, &port))
            return vd_usb_refuse(dom, "the USB hub libvirt adds when the ports are taken", err);
        g_snprintf(portstr, sizeof(portstr), "%u", port);
        if (vdisk_disk_set_address_usb(disk, bus, portstr, NULL) < 0)
            return vd_usb_refuse(dom, "a USB port libvdisk cannot write", err);
    }
    return 0;
}
