/*
 * domain_spapr.c: the spapr-vio addresses the QEMU driver gives a pseries
 * domain's devices
 *
 * libvirt puts spapr-vlan NICs, ibmvscsi controllers, the serial ports, the
 * NVRAM and the TPM on the spapr-vio bus, in that order, each at QEMU's
 * default reg for its kind unless it names one; a reg that is taken moves
 * to the next 0x1000 up, and a named reg that is taken is refused
 * (qemuDomainAssignSpaprVIOAddresses). Of those devices only the SCSI
 * controllers carry disks; their reg is written into their <address>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "conf/domain_address.h"
#include "util/error.h"

/* QEMU's default regs (spapr_llan.c, spapr_vscsi.c, spapr_vty.c, ...) */
#define VD_VIO_NET 0x1000ull
#define VD_VIO_SCSI 0x2000ull
#define VD_VIO_SERIAL 0x30000000ull
#define VD_VIO_NVRAM 0x3000ull
#define VD_VIO_TPM 0x4000ull

typedef struct {
    vd_node *node;           /* the device element, NULL for an implicit controller */
    vdisk_controller *ctrl;  /* a SCSI controller, or NULL */
    unsigned long long base; /* 0: not assigned here, only in the way of others */
    bool has_reg;
    unsigned long long reg;
} vd_vio_dev;

/* The device's <address type='spapr-vio'>, or NULL. */
static vd_node *
vd_vio_address(const vd_node *node)
{
    vd_node *a = vd_node_child(node, "address");

    return a && g_strcmp0(vd_node_attr(a, "type"), "spapr-vio") == 0 ? a : NULL;
}

/* Adds @node when it is on spapr-vio: when @vio (its kind's rule puts it
 * there without an address) or its address says so. */
static void
vd_vio_add(GArray *devs, vd_node *node, vdisk_controller *ctrl, bool vio, unsigned long long base)
{
    vd_node *a = vd_vio_address(node);
    vd_vio_dev dev = {.node = node, .ctrl = ctrl, .base = base};
    const char *reg = a ? vd_node_attr(a, "reg") : NULL;

    if (!a && !(vio && !vd_node_child(node, "address")))
        return;
    if (reg) {
        char *end = NULL;

        dev.reg = g_ascii_strtoull(reg, &end, 16);
        dev.has_reg = end && end != reg && !*end;
    }
    g_array_append_val(devs, dev);
}

static bool
vd_vio_taken(const GArray *devs, guint self)
{
    const vd_vio_dev *me = &g_array_index(devs, vd_vio_dev, self);

    for (guint i = 0; i < devs->len; i++) {
        const vd_vio_dev *o = &g_array_index(devs, vd_vio_dev, i);

        if (i != self && o->has_reg && o->reg == me->reg)
            return true;
    }
    return false;
}

int
vd_domain_assign_spapr_vio_addresses(vdisk_domain *dom, vdisk_error **err)
{
    g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(vd_vio_dev));
    vd_node *console = NULL;
    bool serial = false;
    vd_node *n;
    guint i;

    for (n = dom->devices->children; n; n = n->next) {
        if (n->kind == VD_NODE_ELEMENT && strcmp(n->name, "interface") == 0)
            vd_vio_add(devs, n, NULL,
                       g_strcmp0(vd_node_attr(vd_node_child(n, "model"), "type"), "spapr-vlan") ==
                           0,
                       VD_VIO_NET);
    }
    /* the controllers in libvirt's list: those of the XML by type and
     * index, then the implicit ones as they were added */
    for (i = 0; i < dom->controllers->len; i++) {
        vdisk_controller *c = dom->controllers->pdata[i];
        bool vscsi =
            c->type == VDISK_CONTROLLER_SCSI &&
            strcmp(c->model ? c->model : vd_domain_default_scsi_model(dom), "ibmvscsi") == 0;

        if (c->node) {
            vd_vio_add(devs, c->node, c->type == VDISK_CONTROLLER_SCSI ? c : NULL, vscsi,
                       VD_VIO_SCSI);
        } else if (vscsi) {
            vd_vio_dev dev = {.ctrl = c, .base = VD_VIO_SCSI};

            g_array_append_val(devs, dev);
        }
    }
    /* the serial ports: spapr-vio unless their target says otherwise; a
     * first console of the serial kind is the first serial port when no
     * <serial> is given (virDomainDefAddConsoleCompat) */
    for (n = dom->devices->children; n; n = n->next) {
        const char *ttype;

        if (n->kind != VD_NODE_ELEMENT)
            continue;
        ttype = vd_node_attr(vd_node_child(n, "target"), "type");
        if (strcmp(n->name, "serial") == 0) {
            serial = true;
            vd_vio_add(devs, n, NULL, !ttype || strcmp(ttype, "spapr-vio-serial") == 0,
                       VD_VIO_SERIAL);
        } else if (strcmp(n->name, "console") == 0 && !console &&
                   (!ttype || strcmp(ttype, "serial") == 0)) {
            console = n;
        }
    }
    if (!serial && console)
        vd_vio_add(devs, console, NULL, true, VD_VIO_SERIAL);
    for (n = dom->devices->children; n; n = n->next) {
        if (n->kind != VD_NODE_ELEMENT)
            continue;
        if (strcmp(n->name, "nvram") == 0)
            vd_vio_add(devs, n, NULL, true, VD_VIO_NVRAM);
        else if (strcmp(n->name, "tpm") == 0)
            vd_vio_add(devs, n, NULL, g_strcmp0(vd_node_attr(n, "model"), "spapr-tpm-proxy") != 0,
                       VD_VIO_TPM);
    }
    /* any other device that names a spapr-vio reg is in the way */
    for (n = dom->devices->children; n; n = n->next) {
        static const char *const done[] = {"interface", "controller", "serial", "console",
                                           "nvram",     "tpm",        NULL};
        bool known = false;

        if (n->kind != VD_NODE_ELEMENT)
            continue;
        for (const char *const *d = done; *d; d++)
            known = known || strcmp(n->name, *d) == 0;
        if (!known)
            vd_vio_add(devs, n, NULL, false, 0);
    }

    for (i = 0; i < devs->len; i++) {
        vd_vio_dev *dev = &g_array_index(devs, vd_vio_dev, i);
        vd_node *a;

        if (!dev->base)
            continue;
        if (dev->has_reg) {
            if (vd_vio_taken(devs, i))
                return vd_fail(err, VDISK_ERR_INVALID, "spapr-vio address %#llx already in use",
                               dev->reg);
            continue;
        }
        dev->reg = dev->base;
        dev->has_reg = true;
        while (vd_vio_taken(devs, i))
            dev->reg += 0x1000;
        if (!dev->ctrl || !dev->node)
            continue;
        /* the disks' controllers show their address */
        if (!(a = vd_node_child(dev->node, "address"))) {
            a = vd_node_new(dom->doc, "address");
            vd_node_append(dev->node, a);
        }
        vd_node_set_attr(dom->doc, a, "type", "spapr-vio");
        vd_node_set_attr_static(dom->doc, a, "reg",
                                vd_arena_printf(dom->doc, "0x%08llx", dev->reg));
    }
    return 0;
}
