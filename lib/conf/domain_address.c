/*
 * domain_address.c: PCI addresses the QEMU driver gives a new domain's devices
 *
 * libvirt places devices in two passes. A dry run walks every device in a
 * fixed order and adds buses (pci-bridge on pc, pcie-root-port and
 * pcie-to-pci-bridge on q35) whenever the existing ones are full; the
 * controllers for those buses then take their own slots. The real pass
 * starts over with the final set of buses and gives each device the first
 * free slot of the first bus that accepts it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "conf/domain_address.h"
#include "conf/parse_util.h"
#include "conf/schema.h"
#include "util/error.h"

/* what a device plugs as, and what a bus accepts */
enum {
    VD_PCI_HOTPLUG = 1u << 0,
    VD_PCI_AUTO = 1u << 1,
    VD_PCI_AGGREGATE = 1u << 2,
    VD_PCI_T_PCI = 1u << 3,
    VD_PCI_T_PCIE = 1u << 4,
    VD_PCI_T_ROOT_PORT = 1u << 5,
    VD_PCI_T_BRIDGE = 1u << 6,
    VD_PCI_T_PCIE_TO_PCI = 1u << 7,
    VD_PCI_T_UPSTREAM = 1u << 8,
    VD_PCI_T_DMI = 1u << 9,
    VD_PCI_T_DOWNSTREAM = 1u << 10,
};
#define VD_PCI_TYPES 0x7f8u

typedef enum {
    VD_PCI_MODEL_NONE,
    VD_PCI_MODEL_PCI_ROOT,
    VD_PCI_MODEL_PCIE_ROOT,
    VD_PCI_MODEL_PCI_BRIDGE,
    VD_PCI_MODEL_PCIE_ROOT_PORT,
    VD_PCI_MODEL_PCIE_TO_PCI_BRIDGE,
    VD_PCI_MODEL_DMI_TO_PCI_BRIDGE,
    VD_PCI_MODEL_PCIE_SWITCH_UPSTREAM_PORT,
    VD_PCI_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT,
} vd_pci_model;

typedef struct {
    vd_pci_model model;
    unsigned int flags;
    unsigned int min_slot;
    unsigned int max_slot;
    guint8 functions[32];
    bool aggregate[32];
} vd_pci_bus;

typedef struct {
    GArray *buses; /* vd_pci_bus */
    bool dry_run;
    bool pcie_root;  /* the root bus is a pcie-root */
    bool multi_root; /* more pci-roots (pseries PHBs) are the buses to add */
    /* none of the buses before hint_bus had room for a device of
     * hint_flags; buses only fill up, so they never will */
    unsigned int hint_flags;
    unsigned int hint_bus;
} vd_pci_set;

/* the order of the device classes in libvirt's assignment */
typedef enum {
    VD_PCI_CLASS_PCI_CONTROLLER,
    VD_PCI_CLASS_FS,
    VD_PCI_CLASS_NET,
    VD_PCI_CLASS_SOUND,
    VD_PCI_CLASS_CONTROLLER,
    VD_PCI_CLASS_DISK,
    VD_PCI_CLASS_HOSTDEV,
    VD_PCI_CLASS_BALLOON,
    VD_PCI_CLASS_RNG,
    VD_PCI_CLASS_WATCHDOG,
    VD_PCI_CLASS_VIDEO,
    VD_PCI_CLASS_SHMEM,
    VD_PCI_CLASS_INPUT,
    VD_PCI_CLASS_SERIAL,
    VD_PCI_CLASS_IOMMU,
    VD_PCI_CLASS_VSOCK,
    VD_PCI_CLASS_MEMORY,
    VD_PCI_CLASS_LAST,
} vd_pci_class;

typedef struct {
    vd_pci_class cls;
    unsigned int sub; /* the order within the class: the primary video first */
    unsigned int flags;
    bool has_addr;        /* an address of its own (kept) */
    unsigned int addr[4]; /* domain, bus, slot, function */
    bool fixed;           /* at a chipset address, not taken from the free slots */
    bool multi;           /* assigned: multifunction='on' */
    int usb2_function;    /* an ICH9 USB2 controller: its function in the group's slot, else -1 */
    vd_pci_model model;   /* PCI controllers */
    unsigned int index;   /* PCI controllers */
    vd_node *node;        /* the element to write, or NULL */
    vdisk_disk *disk;
    vdisk_controller *ctrl;
} vd_pci_dev;

typedef struct {
    const vdisk_domain *dom;
    vd_machine machine;
    bool pc;        /* the i440fx chipset */
    bool q35;       /* the ICH9 chipset */
    bool pcie_root; /* the root bus is a pcie-root (q35, virt) */
    bool pseries;
    bool mmio; /* virtio devices without an address go on virtio-mmio */
    unsigned int pcie_flags;
    GArray *devs;         /* vd_pci_dev */
    GArray *extra_models; /* vd_pci_model of buses the dry run added, from bus 1 */
    int max_index;        /* highest PCI controller index in the definition */
    const vd_node *unknown; /* the device whose placement is not modelled */
    /* a running domain: every device has its address, @live_disk is the
     * one being hot-plugged, the only device to get one */
    const vdisk_disk *live_disk;
} vd_pci_plan;

static void
vd_pci_bus_set_model(vd_pci_bus *bus, vd_pci_model model)
{
    memset(bus, 0, sizeof(*bus));
    bus->model = model;
    switch (model) {
    case VD_PCI_MODEL_PCI_ROOT:
        bus->flags = VD_PCI_AUTO | VD_PCI_T_PCI | VD_PCI_T_BRIDGE | VD_PCI_HOTPLUG;
        bus->min_slot = 1;
        bus->max_slot = 31;
        break;
    case VD_PCI_MODEL_PCI_BRIDGE:
    case VD_PCI_MODEL_PCIE_TO_PCI_BRIDGE:
        bus->flags = VD_PCI_AUTO | VD_PCI_T_PCI | VD_PCI_T_BRIDGE | VD_PCI_HOTPLUG;
        bus->min_slot = 1;
        bus->max_slot = 31;
        break;
    case VD_PCI_MODEL_PCIE_ROOT:
        bus->flags = VD_PCI_T_PCIE | VD_PCI_T_ROOT_PORT | VD_PCI_T_DMI;
        bus->min_slot = 1;
        bus->max_slot = 31;
        break;
    case VD_PCI_MODEL_PCIE_ROOT_PORT:
    case VD_PCI_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        bus->flags = VD_PCI_AUTO | VD_PCI_T_PCIE | VD_PCI_T_UPSTREAM | VD_PCI_T_PCIE_TO_PCI |
                     VD_PCI_HOTPLUG;
        bus->min_slot = 0;
        bus->max_slot = 0;
        break;
    case VD_PCI_MODEL_DMI_TO_PCI_BRIDGE:
        /* standard PCI slots 0-31, not hot-pluggable */
        bus->flags = VD_PCI_T_PCI | VD_PCI_T_BRIDGE;
        bus->min_slot = 0;
        bus->max_slot = 31;
        break;
    case VD_PCI_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
        bus->flags = VD_PCI_T_DOWNSTREAM;
        bus->min_slot = 0;
        bus->max_slot = 31;
        break;
    case VD_PCI_MODEL_NONE:
        break;
    }
}

/* How a PCI controller of @model plugs into its parent bus. */
static unsigned int
vd_pci_model_connect(vd_pci_model model)
{
    switch (model) {
    case VD_PCI_MODEL_PCI_BRIDGE:
        return VD_PCI_T_BRIDGE;
    case VD_PCI_MODEL_PCIE_ROOT_PORT:
        return VD_PCI_T_ROOT_PORT | VD_PCI_AGGREGATE;
    case VD_PCI_MODEL_PCIE_TO_PCI_BRIDGE:
        return VD_PCI_T_PCIE_TO_PCI;
    case VD_PCI_MODEL_DMI_TO_PCI_BRIDGE:
        return VD_PCI_T_DMI;
    case VD_PCI_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
        return VD_PCI_T_UPSTREAM;
    case VD_PCI_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        return VD_PCI_T_DOWNSTREAM;
    case VD_PCI_MODEL_NONE:
    case VD_PCI_MODEL_PCI_ROOT:
    case VD_PCI_MODEL_PCIE_ROOT:
        return 0;
    }
    return 0;
}

static vd_pci_model
vd_pci_model_from_string(const char *s)
{
    static const char *const names[] = {"",
                                        "pci-root",
                                        "pcie-root",
                                        "pci-bridge",
                                        "pcie-root-port",
                                        "pcie-to-pci-bridge",
                                        "dmi-to-pci-bridge",
                                        "pcie-switch-upstream-port",
                                        "pcie-switch-downstream-port"};
    size_t i;

    for (i = 1; s && i < G_N_ELEMENTS(names); i++) {
        if (strcmp(s, names[i]) == 0)
            return (vd_pci_model)i;
    }
    return VD_PCI_MODEL_NONE;
}

static vd_pci_bus *
vd_pci_bus_at(vd_pci_set *set, unsigned int i)
{
    return &g_array_index(set->buses, vd_pci_bus, i);
}

static bool
vd_pci_bus_full(const vd_pci_bus *bus)
{
    for (unsigned int s = bus->min_slot; s <= bus->max_slot; s++) {
        if (!bus->functions[s])
            return false;
    }
    return true;
}

static bool
vd_pci_compatible(unsigned int bus_flags, unsigned int dev_flags)
{
    if ((dev_flags & VD_PCI_AUTO) && !(bus_flags & VD_PCI_AUTO))
        return false;
    if ((dev_flags & VD_PCI_HOTPLUG) && !(bus_flags & VD_PCI_HOTPLUG))
        return false;
    return (dev_flags & bus_flags & VD_PCI_TYPES) != 0;
}

/* Reserves one function: false when it is taken or off the buses. */
static bool
vd_pci_reserve(vd_pci_set *set, const unsigned int addr[4], unsigned int flags)
{
    vd_pci_bus *bus;

    if (addr[0] != 0 || addr[1] >= set->buses->len || addr[2] > 31 || addr[3] > 7)
        return false;
    bus = vd_pci_bus_at(set, addr[1]);
    if (bus->functions[addr[2]] & (1u << addr[3]))
        return false;
    if (!bus->functions[addr[2]] && (flags & VD_PCI_AGGREGATE))
        bus->aggregate[addr[2]] = true;
    bus->functions[addr[2]] |= (guint8)(1u << addr[3]);
    return true;
}

/* The first free slot (or free function of an aggregate slot) on @bus. */
static bool
vd_pci_find_on_bus(const vd_pci_bus *bus, unsigned int flags, unsigned int *slot,
                   unsigned int *function)
{
    if (!vd_pci_compatible(bus->flags, flags))
        return false;
    for (unsigned int s = bus->min_slot; s <= bus->max_slot; s++) {
        if (!bus->functions[s]) {
            *slot = s;
            *function = 0;
            return true;
        }
        if ((flags & VD_PCI_AGGREGATE) && bus->aggregate[s]) {
            for (unsigned int f = 0; f < 8; f++) {
                if (!(bus->functions[s] & (1u << f))) {
                    *slot = s;
                    *function = f;
                    return true;
                }
            }
        }
    }
    return false;
}

/* Adds the buses a device of @flags needs (dry run only); the index of the
 * bus it goes on, or -1 when libvirt would give up. */
static int
vd_pci_grow(vd_pci_set *set, unsigned int flags)
{
    vd_pci_bus bus;

    if ((flags & VD_PCI_T_PCI) && set->multi_root) {
        /* pseries adds PHBs, which plug into no slot */
        vd_pci_bus_set_model(&bus, VD_PCI_MODEL_PCI_ROOT);
    } else if (flags & VD_PCI_T_PCI) {
        bool have_bridge = false;

        for (unsigned int i = 0; i < set->buses->len; i++) {
            if (vd_pci_bus_at(set, i)->flags & VD_PCI_T_BRIDGE)
                have_bridge = true;
        }
        if (set->pcie_root && !have_bridge) {
            vd_pci_bus_set_model(&bus, VD_PCI_MODEL_PCIE_ROOT_PORT);
            bus.flags = VD_PCI_T_PCIE_TO_PCI;
            g_array_append_val(set->buses, bus);
            vd_pci_bus_set_model(&bus, VD_PCI_MODEL_PCIE_TO_PCI_BRIDGE);
        } else {
            vd_pci_bus_set_model(&bus, VD_PCI_MODEL_PCI_BRIDGE);
        }
    } else if (flags & (VD_PCI_T_PCIE | VD_PCI_T_UPSTREAM)) {
        vd_pci_bus_set_model(&bus, VD_PCI_MODEL_PCIE_ROOT_PORT);
    } else {
        return -1;
    }
    g_array_append_val(set->buses, bus);
    return (int)set->buses->len - 1;
}

/* libvirt's ReserveNextAddr: false when no slot is left. @function: the
 * function to take of a free slot, or -1 for the first free one. */
static bool
vd_pci_reserve_next_function(vd_pci_set *set, unsigned int flags, int want, unsigned int out[4])
{
    unsigned int slot = 0;
    unsigned int function = 0;
    unsigned int b;
    int nb;

    for (b = flags == set->hint_flags ? set->hint_bus : 0; b < set->buses->len; b++) {
        if (vd_pci_find_on_bus(vd_pci_bus_at(set, b), flags, &slot, &function))
            goto found;
    }
    if (!set->dry_run || (nb = vd_pci_grow(set, flags)) < 0)
        return false;
    b = (unsigned int)nb;
    slot = vd_pci_bus_at(set, b)->min_slot;
    function = 0;
found:
    set->hint_flags = flags;
    set->hint_bus = b;
    out[0] = 0;
    out[1] = b;
    out[2] = slot;
    out[3] = want >= 0 ? (unsigned int)want : function;
    return vd_pci_reserve(set, out, flags);
}

static bool
vd_pci_reserve_next(vd_pci_set *set, unsigned int flags, unsigned int out[4])
{
    return vd_pci_reserve_next_function(set, flags, -1, out);
}

/* ---- the devices ------------------------------------------------------------------- */

static bool
vd_attr_is(const vd_node *node, const char *name, const char *value)
{
    return g_strcmp0(vd_node_attr(node, name), value) == 0;
}

/* Reads a PCI <address>: 1 when present and wanted as it is, 0 when the
 * device needs one, -1 when it has an address of another type. */
static int
vd_pci_read_address(const vd_node *node, unsigned int addr[4])
{
    static const char *const names[] = {"domain", "bus", "slot", "function"};
    const vd_node *a = vd_node_child(node, "address");

    if (!a)
        return 0;
    if (!vd_attr_is(a, "type", "pci"))
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        const char *v = vd_node_attr(a, names[i]);

        addr[i] = 0;
        if (v && !vd_parse_uint(v, 0, &addr[i]))
            return -1;
    }
    /* an all-zero address asks for one */
    return (addr[0] | addr[1] | addr[2] | addr[3]) ? 1 : 0;
}

/* Whether the device of @node is on the machine's other bus: an <address>
 * of type spapr-vio on pseries, virtio-mmio on the ARM and RISC-V machines. */
static bool
vd_pci_elsewhere(const vd_pci_plan *plan, const vd_node *node)
{
    const char *type = vd_node_attr(vd_node_child(node, "address"), "type");

    if (!type)
        return false;
    if (plan->pseries)
        return strcmp(type, "spapr-vio") == 0;
    if (plan->machine == VD_MACHINE_ARM_VIRT || plan->machine == VD_MACHINE_RISCV_VIRT)
        return strcmp(type, "virtio-mmio") == 0;
    return false;
}

/* Whether a virtio device of @node goes on virtio-mmio rather than PCI:
 * libvirt gives the virtio devices that have no <address> the
 * virtio-mmio type when the machine uses it (qemuDomainAssignVirtioMMIOAddresses,
 * qemuDomainPrimeVirtioDeviceAddresses). */
static bool
vd_pci_primed_mmio(const vd_pci_plan *plan, const vd_node *node)
{
    return plan->mmio && !vd_node_child(node, "address");
}

/* Adds a device read from @node: false when its address cannot be modelled. */
static bool
vd_pci_add_node(vd_pci_plan *plan, vd_pci_class cls, unsigned int flags, vd_node *node)
{
    vd_pci_dev dev = {.cls = cls, .flags = flags, .node = node, .usb2_function = -1};
    int rc;

    if (node && vd_pci_elsewhere(plan, node))
        return true;
    rc = node ? vd_pci_read_address(node, dev.addr) : 0;
    if (rc < 0) {
        plan->unknown = node;
        return false;
    }
    dev.has_addr = rc > 0;
    g_array_append_val(plan->devs, dev);
    return true;
}

/* A virtio device of the kinds libvirt moves to virtio-mmio. */
static bool
vd_pci_add_virtio_node(vd_pci_plan *plan, vd_pci_class cls, unsigned int flags, vd_node *node)
{
    if (node && vd_pci_primed_mmio(plan, node))
        return true;
    return vd_pci_add_node(plan, cls, flags, node);
}

static bool
vd_pci_add_controller(vd_pci_plan *plan, vdisk_controller *ctrl)
{
    unsigned int pci = VD_PCI_T_PCI | VD_PCI_AUTO | VD_PCI_HOTPLUG;
    const char *model = ctrl->model;
    vd_pci_dev dev = {
        .cls = VD_PCI_CLASS_CONTROLLER, .ctrl = ctrl, .node = ctrl->node, .usb2_function = -1};
    int rc;

    if (vd_pci_elsewhere(plan, ctrl->node))
        return true;
    /* virtio-mmio takes the SCSI and virtio-serial controllers, any model */
    if (plan->mmio && !vd_node_child(ctrl->node, "address") &&
        (ctrl->type == VDISK_CONTROLLER_SCSI || ctrl->type == VDISK_CONTROLLER_VIRTIO_SERIAL))
        return true;
    switch (ctrl->type) {
    case VDISK_CONTROLLER_PCI:
        dev.cls = VD_PCI_CLASS_PCI_CONTROLLER;
        dev.index = ctrl->index;
        dev.model = vd_pci_model_from_string(model);
        if (dev.model == VD_PCI_MODEL_NONE)
            return false;
        if (dev.model == (plan->pcie_root ? VD_PCI_MODEL_PCI_ROOT : VD_PCI_MODEL_PCIE_ROOT))
            return false;
        /* only pseries has more than one root: its PHBs */
        if ((dev.model == VD_PCI_MODEL_PCI_ROOT || dev.model == VD_PCI_MODEL_PCIE_ROOT) !=
                (ctrl->index == 0) &&
            !(plan->pseries && dev.model == VD_PCI_MODEL_PCI_ROOT))
            return false;
        if (vd_attr_is(vd_node_child(ctrl->node, "target"), "hotplug", "off"))
            return false;
        dev.flags = vd_pci_model_connect(dev.model);
        break;
    case VDISK_CONTROLLER_USB:
        if (!model)
            model = vd_domain_default_usb_model(plan->dom);
        if (strcmp(model, "none") == 0)
            return true;
        if (strcmp(model, "qemu-xhci") == 0 || strcmp(model, "nec-xhci") == 0)
            dev.flags = plan->pcie_flags;
        else if (strcmp(model, "piix3-uhci") == 0 || strcmp(model, "piix4-uhci") == 0 ||
                 strcmp(model, "ehci") == 0 || strcmp(model, "pci-ohci") == 0 ||
                 strcmp(model, "vt82c686b-uhci") == 0)
            dev.flags = pci;
        else if (strcmp(model, "ich9-ehci1") == 0)
            dev.flags = pci, dev.usb2_function = 7;
        else if (g_str_has_prefix(model, "ich9-uhci") && model[9] >= '1' && model[9] <= '3' &&
                 !model[10])
            dev.flags = pci, dev.usb2_function = model[9] - '1';
        else
            return false;
        if (plan->pc && ctrl->index == 0 && strcmp(model, "piix3-uhci") == 0)
            dev.fixed = true;
        break;
    case VDISK_CONTROLLER_IDE:
        /* only pc has an IDE controller (built in) */
        if (!plan->pc)
            return false;
        dev.flags = pci;
        dev.fixed = ctrl->index == 0;
        break;
    case VDISK_CONTROLLER_SCSI:
        if (!model)
            model = vd_domain_default_scsi_model(plan->dom);
        /* pseries puts its ibmvscsi controllers on spapr-vio */
        if (plan->pseries && strcmp(model, "ibmvscsi") == 0 &&
            !vd_node_child(ctrl->node, "address"))
            return true;
        if (strcmp(model, "ibmvscsi") == 0 || strcmp(model, "lsilogic") == 0 ||
            strcmp(model, "lsisas1068") == 0 || strcmp(model, "lsisas1078") == 0 ||
            strcmp(model, "virtio-transitional") == 0 || strcmp(model, "buslogic") == 0 ||
            strcmp(model, "vmpvscsi") == 0 || strcmp(model, "am53c974") == 0 ||
            strcmp(model, "dc390") == 0)
            dev.flags = pci;
        else if (strcmp(model, "virtio-scsi") == 0 || strcmp(model, "virtio-non-transitional") == 0)
            dev.flags = plan->pcie_flags;
        else
            return false;
        break;
    case VDISK_CONTROLLER_SATA:
        dev.flags = pci;
        dev.fixed = plan->q35 && ctrl->index == 0;
        break;
    case VDISK_CONTROLLER_VIRTIO_SERIAL:
        dev.flags = model && strcmp(model, "virtio-transitional") == 0 ? pci : plan->pcie_flags;
        break;
    case VDISK_CONTROLLER_FDC:
    case VDISK_CONTROLLER_CCID:
        return true;
    case VDISK_CONTROLLER_XENBUS:
    case VDISK_CONTROLLER_ISA:
    case VDISK_CONTROLLER_LAST:
        return false;
    }
    if (ctrl->node) {
        if ((rc = vd_pci_read_address(ctrl->node, dev.addr)) < 0)
            return false;
        dev.has_addr = rc > 0;
    } else if (ctrl->has_pci) {
        memcpy(dev.addr, ctrl->pci, sizeof(dev.addr));
        dev.has_addr = true;
    }
    g_array_append_val(plan->devs, dev);
    return true;
}

/* Whether @value is one of the NULL-terminated @list. */
static bool
vd_str_in(const char *value, const char *const *list)
{
    for (; value && *list; list++) {
        if (strcmp(value, *list) == 0)
            return true;
    }
    return false;
}

/* virtio devices: conventional PCI when transitional, else the machine's
 * flags (qemuDomainDeviceCalculatePCIConnectFlags' virtioFlags) */
static unsigned int
vd_pci_virtio_flags(const vd_pci_plan *plan, const char *model)
{
    if (g_strcmp0(model, "virtio-transitional") == 0)
        return VD_PCI_T_PCI | VD_PCI_AUTO | VD_PCI_HOTPLUG;
    return plan->pcie_flags;
}

/* A <hostdev> (or <interface type='hostdev'>): false when libvirt's choice
 * depends on the host (a PCI device without an address on q35: libvirt
 * reads the host's PCI config to tell PCI from PCIe). */
static bool
vd_pci_add_hostdev(vd_pci_plan *plan, vd_node *n, bool net)
{
    unsigned int pci = VD_PCI_T_PCI | VD_PCI_AUTO | VD_PCI_HOTPLUG;
    const vd_node *a = vd_node_child(n, "address");
    const char *type = net ? "pci" : vd_node_attr(n, "type");
    const char *mode = vd_node_attr(n, "mode");
    unsigned int flags;

    if (!net && mode && strcmp(mode, "subsys") != 0)
        return true;
    if (vd_attr_is(a, "type", "unassigned"))
        return true;
    if (g_strcmp0(type, "pci") == 0) {
        if (!plan->pcie_root)
            flags = pci;
        else if (a)
            flags = plan->pcie_flags;
        else
            return false;
    } else if (g_strcmp0(type, "scsi_host") == 0) {
        return vd_pci_add_virtio_node(plan, VD_PCI_CLASS_HOSTDEV,
                                      vd_pci_virtio_flags(plan, vd_node_attr(n, "model")), n);
    } else if (g_strcmp0(type, "mdev") == 0) {
        if (!vd_attr_is(n, "model", "vfio-pci"))
            return true;
        flags = plan->pcie_flags;
    } else {
        return true; /* USB, SCSI: not PCI */
    }
    return vd_pci_add_node(plan, VD_PCI_CLASS_HOSTDEV, flags, n);
}

/* libvirt's video model when none is given (qemuDomainDefaultVideoDevice):
 * vga on ppc64, virtio on the virt machines, cirrus on x86. */
static const char *
vd_pci_default_video(const vd_pci_plan *plan)
{
    if (plan->pseries)
        return "vga";
    if (plan->machine == VD_MACHINE_ARM_VIRT || plan->machine == VD_MACHINE_RISCV_VIRT)
        return "virtio";
    return "cirrus";
}

/* Adds the PCI device @n is (none for devices that are not PCI); false
 * when its placement is not modelled, with @plan->unknown set to it. */
static bool
vd_pci_add_element(vd_pci_plan *plan, vd_node *n, bool *balloon, bool *video)
{
    static const char *const no_pci[] = {"disk",      "controller", "emulator",    "audio",
                                         "hub",       "redirdev",   "redirfilter", "panic",
                                         "smartcard", "lease",      "tpm",         "parallel",
                                         "nvram",     "graphics",   NULL};
    static const char *const libvirt_devices[] = {"crypto", NULL};
    unsigned int pci = VD_PCI_T_PCI | VD_PCI_AUTO | VD_PCI_HOTPLUG;
    const char *name = n->name;
    const char *model = vd_node_attr(n, "model");

    if (vd_str_in(name, no_pci))
        return true;
    if (strcmp(name, "filesystem") == 0) {
        const char *driver = vd_node_attr(vd_node_child(n, "driver"), "type");
        static const char *const not_pci[] = {"loop", "nbd", "ploop", NULL};

        if (vd_str_in(driver, not_pci))
            return true;
        if (g_strcmp0(driver, "virtiofs") == 0)
            return vd_pci_add_node(plan, VD_PCI_CLASS_FS, plan->pcie_flags, n);
        return vd_pci_add_node(plan, VD_PCI_CLASS_FS, vd_pci_virtio_flags(plan, model), n);
    }
    if (strcmp(name, "interface") == 0) {
        const char *nic = vd_node_attr(vd_node_child(n, "model"), "type");
        static const char *const virtio[] = {"virtio", "virtio-non-transitional", NULL};

        static const char *const not_pci[] = {"usb-net", "spapr-vlan", "lan9118", "smc91c111",
                                              NULL};

        if (vd_attr_is(n, "type", "hostdev"))
            return vd_pci_add_hostdev(plan, n, true);
        /* without a model, libvirt's default (qemuDomainDefaultNetModel):
         * virtio on the virt machines, lan9118 on other ARM boards, else
         * rtl8139 */
        if (!nic &&
            (plan->machine == VD_MACHINE_ARM_VIRT || plan->machine == VD_MACHINE_RISCV_VIRT))
            nic = "virtio";
        else if (!nic && plan->machine == VD_MACHINE_VEXPRESS)
            nic = "lan9118";
        if (vd_str_in(nic, not_pci))
            return true;
        if (vd_str_in(nic, virtio))
            return vd_pci_add_virtio_node(plan, VD_PCI_CLASS_NET, plan->pcie_flags, n);
        if (g_strcmp0(nic, "virtio-transitional") == 0)
            return vd_pci_add_virtio_node(plan, VD_PCI_CLASS_NET, pci, n);
        if (g_strcmp0(nic, "e1000e") == 0)
            return vd_pci_add_node(plan, VD_PCI_CLASS_NET, plan->pcie_flags, n);
        return vd_pci_add_node(plan, VD_PCI_CLASS_NET, pci, n);
    }
    if (strcmp(name, "sound") == 0) {
        static const char *const pci_models[] = {"es1370", "ac97", "ich6", "ich9", NULL};
        static const char *const other[] = {"sb16", "pcspk", "usb", "ich7", NULL};

        if (vd_str_in(model, other))
            return true;
        if (vd_str_in(model, pci_models))
            return vd_pci_add_node(plan, VD_PCI_CLASS_SOUND, pci, n);
        return false;
    }
    if (strcmp(name, "hostdev") == 0)
        return vd_pci_add_hostdev(plan, n, false);
    if (strcmp(name, "memballoon") == 0) {
        *balloon = true;
        if (g_strcmp0(model, "none") == 0 || g_strcmp0(model, "xen") == 0)
            return true;
        if (g_strcmp0(model, "virtio") == 0 || g_strcmp0(model, "virtio-non-transitional") == 0 ||
            g_strcmp0(model, "virtio-transitional") == 0)
            return vd_pci_add_virtio_node(plan, VD_PCI_CLASS_BALLOON,
                                          vd_pci_virtio_flags(plan, model), n);
        return false;
    }
    if (strcmp(name, "rng") == 0)
        return vd_pci_add_virtio_node(plan, VD_PCI_CLASS_RNG, vd_pci_virtio_flags(plan, model), n);
    if (strcmp(name, "watchdog") == 0) {
        if (g_strcmp0(model, "i6300esb") == 0)
            return vd_pci_add_node(plan, VD_PCI_CLASS_WATCHDOG, pci, n);
        return g_strcmp0(model, "ib700") == 0 || g_strcmp0(model, "itco") == 0 ||
               g_strcmp0(model, "diag288") == 0;
    }
    if (strcmp(name, "video") == 0) {
        const vd_node *m = vd_node_child(n, "model");
        const char *type = vd_node_attr(m, "type");
        static const char *const none[] = {"none", "ramfb", "gop", NULL};
        static const char *const pci_types[] = {"vga",  "cirrus", "vmvga",     "xen",
                                                "vbox", "qxl",    "parallels", NULL};
        vd_pci_dev *dev;

        *video = true;
        if (!type)
            type = vd_pci_default_video(plan);
        if (vd_str_in(type, none))
            return true;
        if (vd_str_in(type, pci_types)) {
            if (!vd_pci_add_node(plan, VD_PCI_CLASS_VIDEO, pci, n))
                return false;
        } else if (strcmp(type, "virtio") == 0) {
            if (vd_pci_primed_mmio(plan, n))
                return true;
            if (!vd_pci_add_node(plan, VD_PCI_CLASS_VIDEO, plan->pcie_flags, n))
                return false;
        } else if (strcmp(type, "bochs") == 0) {
            if (!vd_pci_add_node(plan, VD_PCI_CLASS_VIDEO, plan->pcie_flags, n))
                return false;
        } else {
            return false;
        }
        /* libvirt moves the primary video first */
        dev = &g_array_index(plan->devs, vd_pci_dev, plan->devs->len - 1);
        dev->sub = vd_attr_is(m, "primary", "yes") ? 0 : 1;
        return true;
    }
    if (strcmp(name, "shmem") == 0)
        return vd_pci_add_node(plan, VD_PCI_CLASS_SHMEM, pci, n);
    if (strcmp(name, "input") == 0) {
        if (vd_attr_is(n, "bus", "virtio"))
            return vd_pci_add_virtio_node(plan, VD_PCI_CLASS_INPUT,
                                          vd_pci_virtio_flags(plan, model), n);
        return true;
    }
    if (strcmp(name, "serial") == 0) {
        const char *ttype = vd_node_attr(vd_node_child(n, "target"), "type");

        if (g_strcmp0(ttype, "pci-serial") == 0)
            return vd_pci_add_node(plan, VD_PCI_CLASS_SERIAL, pci, n);
        return true;
    }
    if (strcmp(name, "console") == 0 || strcmp(name, "channel") == 0)
        return true; /* virtio ones sit on the virtio-serial controller */
    if (strcmp(name, "iommu") == 0) {
        /* virtio-iommu must be integrated in the root bus: not modelled */
        return g_strcmp0(model, "virtio") != 0;
    }
    if (strcmp(name, "vsock") == 0) {
        if (!model || g_strcmp0(model, "virtio") == 0 ||
            g_strcmp0(model, "virtio-non-transitional") == 0 ||
            g_strcmp0(model, "virtio-transitional") == 0)
            return vd_pci_add_node(plan, VD_PCI_CLASS_VSOCK, vd_pci_virtio_flags(plan, model), n);
        return false;
    }
    if (strcmp(name, "memory") == 0) {
        if (g_strcmp0(model, "virtio-pmem") == 0 || g_strcmp0(model, "virtio-mem") == 0)
            return vd_pci_add_virtio_node(plan, VD_PCI_CLASS_MEMORY, plan->pcie_flags, n);
        return g_strcmp0(model, "dimm") == 0 || g_strcmp0(model, "nvdimm") == 0 ||
               g_strcmp0(model, "sgx-epc") == 0;
    }
    /* crypto, and any device libvirt knows that is not listed above: not
     * modelled; elements libvirt does not know (other namespaces) are no
     * devices to it */
    return !vd_str_in(name, libvirt_devices);
}

static gint
vd_pci_dev_class_cmp(gconstpointer a, gconstpointer b)
{
    const vd_pci_dev *x = a;
    const vd_pci_dev *y = b;

    if (x->cls != y->cls)
        return (int)x->cls - (int)y->cls;
    return (int)x->sub - (int)y->sub;
}

/* Builds the devices in libvirt's order: false when one is not modelled. */
static bool
vd_pci_plan_build(vd_pci_plan *plan, vdisk_domain *dom)
{
    bool balloon = false;
    bool video = false;
    bool graphics = false;
    guint i;
    vd_node *n;

    plan->max_index = -1;
    /* explicit controllers first, then the machine's and the disks' implicit ones
     * in the order libvirt adds them (the USB controller first) */
    for (int pass = 0; pass < 3; pass++) {
        for (i = 0; i < dom->controllers->len; i++) {
            vdisk_controller *ctrl = dom->controllers->pdata[i];
            bool usb = ctrl->type == VDISK_CONTROLLER_USB;

            if ((pass == 0) != !ctrl->implicit || (pass == 1 && !usb) || (pass == 2 && usb))
                continue;
            if (!vd_pci_add_controller(plan, ctrl)) {
                plan->unknown = ctrl->node;
                return false;
            }
            if (ctrl->type == VDISK_CONTROLLER_PCI && (int)ctrl->index > plan->max_index)
                plan->max_index = (int)ctrl->index;
        }
    }
    for (n = dom->devices->children; n; n = n->next) {
        if (n->kind != VD_NODE_ELEMENT)
            continue;
        graphics = graphics || strcmp(n->name, "graphics") == 0;
        if (!vd_pci_add_element(plan, n, &balloon, &video)) {
            /* a running domain's PCI devices all show their address: the
             * kinds not modelled just keep theirs */
            if (plan->live_disk) {
                plan->unknown = NULL;
                (void)vd_pci_add_node(plan, VD_PCI_CLASS_SHMEM, VD_PCI_T_PCI, n);
                continue;
            }
            plan->unknown = n;
            return false;
        }
    }
    /* nothing of a running domain is implicit any more */
    if (plan->live_disk)
        balloon = video = true;
    /* a domain with graphics and no video gets libvirt's default one */
    if (graphics && !video) {
        bool virtio = strcmp(vd_pci_default_video(plan), "virtio") == 0;
        vd_pci_dev dev = {.cls = VD_PCI_CLASS_VIDEO,
                          .flags = virtio ? plan->pcie_flags
                                          : VD_PCI_T_PCI | VD_PCI_AUTO | VD_PCI_HOTPLUG,
                          .usb2_function = -1};

        if (!(virtio && plan->mmio))
            g_array_append_val(plan->devs, dev);
    }
    for (i = 0; i < dom->disks->len; i++) {
        vdisk_disk *disk = dom->disks->pdata[i];
        vd_pci_dev dev = {.cls = VD_PCI_CLASS_DISK, .flags = plan->pcie_flags, .usb2_function = -1};
        const char *bus = vd_node_attr(vd_disk_child_named(disk, "target"), "bus");
        const char *model = vd_node_attr(disk->node, "model");
        int rc;

        if (g_strcmp0(bus, "virtio") != 0)
            continue;
        if (vd_pci_elsewhere(plan, disk->node))
            continue;
        if (g_strcmp0(model, "virtio-transitional") == 0)
            dev.flags = VD_PCI_T_PCI | VD_PCI_AUTO | VD_PCI_HOTPLUG;
        if ((rc = vd_pci_read_address(disk->node, dev.addr)) < 0) {
            plan->unknown = disk->node;
            return false;
        }
        dev.has_addr = rc > 0;
        dev.disk = disk;
        dev.node = disk->node;
        g_array_append_val(plan->devs, dev);
    }
    /* libvirt adds a virtio memballoon unless one is configured, except on
     * ARM (qemuDomainDefAddDefaultDevices) */
    if (!balloon && plan->machine != VD_MACHINE_ARM_VIRT && plan->machine != VD_MACHINE_VEXPRESS &&
        !plan->mmio) {
        vd_pci_dev dev = {
            .cls = VD_PCI_CLASS_BALLOON, .flags = plan->pcie_flags, .usb2_function = -1};

        g_array_append_val(plan->devs, dev);
    }
    if (plan->max_index < 0)
        plan->max_index = 0; /* the implicit pci-root or pcie-root */
    g_array_sort(plan->devs, vd_pci_dev_class_cmp); /* stable in glib */
    return true;
}

static bool
vd_pci_plan_has_bus(const vd_pci_plan *plan, unsigned int i)
{
    for (guint d = 0; d < plan->devs->len; d++) {
        const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);

        if (dev->cls == VD_PCI_CLASS_PCI_CONTROLLER && dev->index == i)
            return true;
    }
    return false;
}

/* The model of bus @i: from the definition, from the dry run, or libvirt's default. */
static vd_pci_model
vd_pci_plan_bus_model(const vd_pci_plan *plan, unsigned int i)
{
    for (guint d = 0; d < plan->devs->len; d++) {
        const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);

        if (dev->cls == VD_PCI_CLASS_PCI_CONTROLLER && dev->index == i)
            return dev->model;
    }
    if (i == 0)
        return plan->pcie_root ? VD_PCI_MODEL_PCIE_ROOT : VD_PCI_MODEL_PCI_ROOT;
    if (i - 1 < plan->extra_models->len)
        return g_array_index(plan->extra_models, vd_pci_model, i - 1);
    /* pseries adds PHBs (qemuDomainPCIAddressSetCreate) */
    if (plan->pseries)
        return VD_PCI_MODEL_PCI_ROOT;
    return plan->pcie_root ? VD_PCI_MODEL_PCIE_ROOT_PORT : VD_PCI_MODEL_PCI_BRIDGE;
}

/* An ICH9 USB2 controller: the slot of the first controller of its group
 * (same index) that has an address, at the function of its model, else a
 * free slot; the UHCI1 at function 0 is multifunction. As in libvirt, an
 * address a dry run finds in a free slot is not kept, one found in the
 * group's slot is. */
static bool
vd_pci_place_usb2(const vd_pci_plan *plan, vd_pci_set *set, GArray *assigned, bool *present,
                  guint d)
{
    const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);
    vd_pci_dev *out = &g_array_index(assigned, vd_pci_dev, d);
    unsigned int a[4];

    for (guint j = 0; j < plan->devs->len; j++) {
        const vd_pci_dev *o = &g_array_index(plan->devs, vd_pci_dev, j);

        if (o->usb2_function < 0 || !present[j] || o->ctrl->index != dev->ctrl->index)
            continue;
        memcpy(a, o->has_addr ? o->addr : g_array_index(assigned, vd_pci_dev, j).addr, sizeof(a));
        a[3] = (unsigned int)dev->usb2_function;
        if (!vd_pci_reserve(set, a, dev->flags))
            return false;
        memcpy(out->addr, a, sizeof(a));
        out->multi = dev->usb2_function == 0;
        present[d] = true;
        return true;
    }
    if (!vd_pci_reserve_next_function(set, dev->flags, dev->usb2_function, a))
        return false;
    memcpy(out->addr, a, sizeof(a));
    out->multi = dev->usb2_function == 0;
    present[d] = !set->dry_run;
    return true;
}

/* The primary (first) video: QEMU puts the first VGA device in the first
 * free slot after the chipset's, @slot (2 on pc, 1 on q35), so libvirt
 * gives it that slot when it is free and the next free one otherwise; a
 * dry run does not keep the latter, and reserves another one for it later
 * (qemuDomainValidateDevicePCISlotsPIIX3/Q35). */
static bool
vd_pci_place_primary_video(const vd_pci_plan *plan, vd_pci_set *set, GArray *assigned, bool *placed,
                           bool *present, unsigned int slot)
{
    unsigned int at[4] = {0, 0, slot, 0};

    for (guint d = 0; d < plan->devs->len; d++) {
        const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);

        if (dev->cls != VD_PCI_CLASS_VIDEO)
            continue;
        if (dev->has_addr)
            return true;
        if (vd_pci_bus_at(set, 0)->functions[slot]) {
            if (!vd_pci_reserve_next(set, dev->flags, at))
                return false;
            if (set->dry_run)
                return true;
        } else if (!vd_pci_reserve(set, at, 0)) {
            return false;
        }
        memcpy(g_array_index(assigned, vd_pci_dev, d).addr, at, sizeof(at));
        placed[d] = present[d] = true;
        return true;
    }
    return true;
}

/* One pass over the devices; false when libvirt would refuse the domain. */
static bool
vd_pci_pass(vd_pci_plan *plan, unsigned int nbuses, bool dry_run, GArray *assigned,
            unsigned int *nbuses_out)
{
    vd_pci_set set = {
        .dry_run = dry_run, .pcie_root = plan->pcie_root, .multi_root = plan->pseries};
    g_autoptr(GArray) buses = g_array_new(FALSE, TRUE, sizeof(vd_pci_bus));
    g_autofree bool *placed = NULL;  /* given its address by the chipset step */
    g_autofree bool *present = NULL; /* has an address other devices can see */
    unsigned int a[4];
    guint d;

    set.buses = buses;
    for (unsigned int i = 0; i < nbuses; i++) {
        vd_pci_bus bus;

        vd_pci_bus_set_model(&bus, vd_pci_plan_bus_model(plan, i));
        g_array_append_val(buses, bus);
    }
    g_array_set_size(assigned, 0);
    g_array_set_size(assigned, plan->devs->len);
    placed = g_new0(bool, plan->devs->len + 1);
    present = g_new0(bool, plan->devs->len + 1);
    for (d = 0; d < plan->devs->len; d++)
        present[d] = g_array_index(plan->devs, vd_pci_dev, d).has_addr;

    /* the addresses the definition gives */
    for (d = 0; d < plan->devs->len; d++) {
        const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);

        if (dev->has_addr && !dev->fixed && !vd_pci_reserve(&set, dev->addr, dev->flags))
            return false;
    }

    /* the chipset's own functions */
    for (d = 0; d < plan->devs->len; d++) {
        const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);
        unsigned int fixed[4] = {0, 0, 1, 1};

        if (!dev->fixed)
            continue;
        if (plan->q35)
            fixed[2] = 0x1f, fixed[3] = 2;
        else if (dev->ctrl->type == VDISK_CONTROLLER_USB)
            fixed[3] = 2;
        if (dev->has_addr && memcmp(dev->addr, fixed, sizeof(fixed)) != 0)
            return false;
        if (!plan->q35 && !vd_pci_reserve(&set, fixed, 0))
            return false;
        memcpy(g_array_index(assigned, vd_pci_dev, d).addr, fixed, sizeof(fixed));
    }
    if (plan->q35) {
        unsigned int isa[4] = {0, 0, 0x1f, 0};

        /* the first ICH9 UHCI1 goes where real Q35 hardware has it, 1D.0,
         * a second one at 1A.0, and a DMI-to-PCI bridge at 1E.0, when
         * those slots are free (qemuDomainValidateDevicePCISlotsQ35) */
        for (d = 0; d < plan->devs->len; d++) {
            const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);
            vd_pci_dev *out = &g_array_index(assigned, vd_pci_dev, d);
            unsigned int at[4] = {0, 0, 0, 0};

            if (dev->has_addr)
                continue;
            if (dev->usb2_function == 0) {
                at[2] = !vd_pci_bus_at(&set, 0)->functions[0x1d]   ? 0x1d
                        : !vd_pci_bus_at(&set, 0)->functions[0x1a] ? 0x1a
                                                                   : 0;
                out->multi = at[2] != 0;
            } else if (dev->cls == VD_PCI_CLASS_PCI_CONTROLLER &&
                       dev->model == VD_PCI_MODEL_DMI_TO_PCI_BRIDGE &&
                       !vd_pci_bus_at(&set, 0)->functions[0x1e]) {
                at[2] = 0x1e;
            }
            if (!at[2])
                continue;
            if (!vd_pci_reserve(&set, at, 0))
                return false;
            memcpy(out->addr, at, sizeof(at));
            placed[d] = present[d] = true;
        }

        unsigned int smbus[4] = {0, 0, 0x1f, 3};
        unsigned int sata[4] = {0, 0, 0x1f, 2};

        if (!vd_pci_reserve(&set, isa, 0) || !vd_pci_reserve(&set, smbus, 0))
            return false;
        (void)vd_pci_reserve(&set, sata, 0);
        if (!vd_pci_place_primary_video(plan, &set, assigned, placed, present, 1))
            return false;
        /* an ICH9 sound card goes where Q35 hardware has its HD audio */
        for (d = 0; d < plan->devs->len && !vd_pci_bus_at(&set, 0)->functions[0x1b]; d++) {
            const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);
            unsigned int at[4] = {0, 0, 0x1b, 0};

            if (dev->cls != VD_PCI_CLASS_SOUND || dev->has_addr ||
                !vd_attr_is(dev->node, "model", "ich9"))
                continue;
            if (!vd_pci_reserve(&set, at, 0))
                return false;
            memcpy(g_array_index(assigned, vd_pci_dev, d).addr, at, sizeof(at));
            placed[d] = present[d] = true;
        }
    } else if (plan->pc) {
        unsigned int isa[4] = {0, 0, 1, 0};
        unsigned int bridge[4] = {0, 0, 1, 3};

        if (!vd_pci_reserve(&set, isa, 0) || !vd_pci_reserve(&set, bridge, 0))
            return false;
        if (!vd_pci_place_primary_video(plan, &set, assigned, placed, present, 2))
            return false;
    }

    /* with a pci-root, one slot is kept for a future pci-bridge while there is room */
    if (dry_run && !plan->pcie_root) {
        bool full = true;

        for (unsigned int i = 0; i < buses->len; i++)
            full = full && vd_pci_bus_full(vd_pci_bus_at(&set, i));
        if (!full && !vd_pci_reserve_next(&set, VD_PCI_T_PCI | VD_PCI_AUTO, a))
            return false;
    }

    for (d = 0; d < plan->devs->len; d++) {
        const vd_pci_dev *dev = &g_array_index(plan->devs, vd_pci_dev, d);
        vd_pci_dev *out = &g_array_index(assigned, vd_pci_dev, d);

        if (dev->has_addr || dev->fixed || placed[d] || dev->flags == 0)
            continue;
        if (plan->live_disk && dev->disk != plan->live_disk)
            continue;
        if (dev->cls == VD_PCI_CLASS_PCI_CONTROLLER &&
            (dev->model == VD_PCI_MODEL_PCI_ROOT || dev->model == VD_PCI_MODEL_PCIE_ROOT))
            continue;
        if (dev->usb2_function >= 0) {
            if (!vd_pci_place_usb2(plan, &set, assigned, present, d))
                return false;
            continue;
        }
        if (!vd_pci_reserve_next(&set, dev->flags, a))
            return false;
        memcpy(out->addr, a, sizeof(a));
        present[d] = !dry_run;
    }

    if (dry_run) {
        /* a new pcie-root domain whose buses libvirt added gets one more root port */
        if (plan->max_index <= 0 && buses->len > (unsigned int)plan->max_index + 1 &&
            plan->pcie_root && !vd_pci_reserve_next(&set, VD_PCI_T_PCIE | VD_PCI_AUTO, a))
            return false;
        /* the controllers of the added buses take their slots */
        g_array_set_size(plan->extra_models, 0);
        for (unsigned int i = 1; i < buses->len; i++) {
            vd_pci_model model = vd_pci_bus_at(&set, i)->model;

            g_array_append_val(plan->extra_models, model);
            /* a PHB plugs into no slot */
            if (vd_pci_plan_has_bus(plan, i) || vd_pci_model_connect(model) == 0)
                continue;
            if (!vd_pci_reserve_next(&set, vd_pci_model_connect(model), a))
                return false;
        }
    }
    *nbuses_out = buses->len;
    return true;
}

/* "0x" and @value in lower-case hex, at least @width digits: what
 * "0x%0<width>x" prints, without printf (one call per attribute of every
 * assigned address). */
static const char *
vd_pci_hex(vd_doc *doc, unsigned int value, unsigned int width)
{
    char digits[2 + 2 * sizeof(unsigned int) + 1];
    char *end = digits + sizeof(digits) - 1;
    char *p = end;
    unsigned int n = 0;

    do {
        *--p = "0123456789abcdef"[value & 0xf];
        value >>= 4;
        n++;
    } while (value || n < width);
    *--p = 'x';
    *--p = '0';
    return vd_arena_strndup(doc, p, (size_t)(end - p));
}

static void
vd_pci_write(vdisk_domain *dom, vd_pci_dev *dev, const unsigned int a[4], bool multi)
{
    vd_node *addr;

    if (dev->disk) {
        vdisk_error *ignored = NULL;
        vd_doc *doc = dev->disk->doc;

        /* the setter with a zero address replaces any old address with a
         * bare <address type='pci'/>; the numbers are written here as the
         * setter writes them */
        if (a[1] > 0xFF || a[2] > 0x1F || a[3] > 7 ||
            vdisk_disk_set_address_pci(dev->disk, 0, 0, 0, 0, &ignored) < 0) {
            if (vdisk_disk_set_address_pci(dev->disk, a[0], a[1], a[2], a[3], &ignored) < 0)
                vdisk_error_free(ignored);
            return;
        }
        if (!(a[0] || a[1] || a[2]))
            return;
        addr = vd_disk_child_named(dev->disk, "address");
        vd_node_set_attr_static(doc, addr, "domain", vd_pci_hex(doc, a[0], 4));
        vd_node_set_attr_static(doc, addr, "bus", vd_pci_hex(doc, a[1], 2));
        vd_node_set_attr_static(doc, addr, "slot", vd_pci_hex(doc, a[2], 2));
        vd_node_set_attr_static(doc, addr, "function", vd_pci_hex(doc, a[3], 1));
        return;
    }
    if (!dev->ctrl)
        return;
    /* the controllers disks sit on */
    switch (dev->ctrl->type) {
    case VDISK_CONTROLLER_SCSI:
    case VDISK_CONTROLLER_SATA:
    case VDISK_CONTROLLER_IDE:
    case VDISK_CONTROLLER_USB:
    case VDISK_CONTROLLER_VIRTIO_SERIAL:
        break;
    case VDISK_CONTROLLER_PCI:
    case VDISK_CONTROLLER_FDC:
    case VDISK_CONTROLLER_CCID:
    case VDISK_CONTROLLER_XENBUS:
    case VDISK_CONTROLLER_ISA:
    case VDISK_CONTROLLER_LAST:
        return;
    }
    dev->ctrl->has_pci = true;
    memcpy(dev->ctrl->pci, a, sizeof(dev->ctrl->pci));
    if (!dev->ctrl->node)
        return;
    if (!(addr = vd_node_child(dev->ctrl->node, "address"))) {
        addr = vd_node_new(dom->doc, "address");
        vd_node_append(dev->ctrl->node, addr);
    }
    vd_node_set_attr(dom->doc, addr, "type", "pci");
    vd_node_set_attr_static(dom->doc, addr, "domain", vd_pci_hex(dom->doc, a[0], 4));
    vd_node_set_attr_static(dom->doc, addr, "bus", vd_pci_hex(dom->doc, a[1], 2));
    vd_node_set_attr_static(dom->doc, addr, "slot", vd_pci_hex(dom->doc, a[2], 2));
    vd_node_set_attr_static(dom->doc, addr, "function", vd_pci_hex(dom->doc, a[3], 1));
    if (multi)
        vd_node_set_attr(dom->doc, addr, "multifunction", "on");
}

/* The first virtio disk that needs the PCI address libvirt would assign
 * (none, or an empty <address type='pci'/>), or NULL. */
static const vdisk_disk *
vd_pci_disk_wanting_address(const vdisk_domain *dom)
{
    for (guint i = 0; i < dom->disks->len; i++) {
        const vdisk_disk *disk = dom->disks->pdata[i];
        const vd_node *a = vd_disk_child_named(disk, "address");
        unsigned int addr[4];

        if (g_strcmp0(vd_disk_bus(disk), "virtio") != 0)
            continue;
        if (!a || (vd_attr_is(a, "type", "pci") && vd_pci_read_address(disk->node, addr) == 0))
            return disk;
    }
    return NULL;
}

/* Refuses, when a disk's address depends on what is not modelled, rather
 * than give it an address libvirt would not. */
static int
vd_pci_refuse(const vdisk_domain *dom, const char *why, vdisk_error **err)
{
    const vdisk_disk *disk = vd_pci_disk_wanting_address(dom);

    if (!disk)
        return 0;
    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                   "cannot place virtio disk '%s': the PCI address libvirt gives it depends on %s; "
                   "give the disk an <address type='pci' .../> or translate the XML libvirt's "
                   "dumpxml prints for the domain",
                   vd_disk_target(disk) ? vd_disk_target(disk) : "", why);
}

/* "<name type='...' model='...'>" of @n, for messages. */
static char *
vd_pci_describe(const vd_node *n)
{
    GString *buf = g_string_new("<");
    static const char *const attrs[] = {"type", "model", "bus"};
    const vd_node *m = vd_node_child(n, "model");

    g_string_append(buf, n->name);
    for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
        const char *v = vd_node_attr(n, attrs[i]);

        if (v)
            g_string_append_printf(buf, " %s='%s'", attrs[i], v);
    }
    g_string_append(buf, ">");
    if (m && vd_node_attr(m, "type"))
        g_string_append_printf(buf, " (model type '%s')", vd_node_attr(m, "type"));
    return g_string_free(buf, FALSE);
}

/* Whether a device of @dom already has a virtio-mmio address
 * (qemuDomainHasVirtioMMIODevices). */
static bool
vd_mmio_in_use(const vdisk_domain *dom)
{
    for (const vd_node *n = dom->devices->children; n; n = n->next) {
        if (n->kind == VD_NODE_ELEMENT &&
            vd_attr_is(vd_node_child(n, "address"), "type", "virtio-mmio"))
            return true;
    }
    return false;
}

/* Gives the virtio disks without an <address> a virtio-mmio one. */
static void
vd_mmio_assign_disks(vdisk_domain *dom)
{
    for (guint i = 0; i < dom->disks->len; i++) {
        vdisk_disk *disk = dom->disks->pdata[i];
        vd_node *a;

        if (g_strcmp0(vd_disk_bus(disk), "virtio") != 0 || vd_disk_child_named(disk, "address"))
            continue;
        a = vd_node_new(disk->doc, "address");
        vd_node_set_attr_static(disk->doc, a, "type", "virtio-mmio");
        vd_schema_insert_child(disk->node, a);
    }
}

int
vd_domain_assign_pci_addresses(vdisk_domain *dom, vdisk_error **err)
{
    vd_pci_plan plan = {0};
    g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(vd_pci_dev));
    g_autoptr(GArray) extra = g_array_new(FALSE, TRUE, sizeof(vd_pci_model));
    g_autoptr(GArray) assigned = g_array_new(FALSE, TRUE, sizeof(vd_pci_dev));
    unsigned int nbuses = 0;

    plan.dom = dom;
    plan.machine = vd_domain_machine(dom);
    switch (plan.machine) {
    case VD_MACHINE_PC:
        plan.pc = true;
        break;
    case VD_MACHINE_Q35:
        plan.q35 = plan.pcie_root = true;
        break;
    case VD_MACHINE_ARM_VIRT:
    case VD_MACHINE_RISCV_VIRT:
        /* QEMU 7.2 has gpex: a pcie-root, and virtio-pci unless a device
         * already sits on virtio-mmio */
        plan.pcie_root = true;
        plan.mmio = vd_mmio_in_use(dom);
        break;
    case VD_MACHINE_VEXPRESS:
        /* no PCI: the virtio devices go on virtio-mmio */
        vd_mmio_assign_disks(dom);
        return 0;
    case VD_MACHINE_PSERIES:
        plan.pseries = true;
        if (vd_domain_assign_spapr_vio_addresses(dom, err) < 0)
            return -1;
        break;
    case VD_MACHINE_OTHER:
        return 0;
    }
    if (plan.mmio)
        vd_mmio_assign_disks(dom);
    plan.pcie_flags =
        (plan.pcie_root ? VD_PCI_T_PCIE : VD_PCI_T_PCI) | VD_PCI_AUTO | VD_PCI_HOTPLUG;
    plan.devs = devs;
    plan.extra_models = extra;
    if (!vd_pci_plan_build(&plan, dom)) {
        g_autofree char *what =
            plan.unknown ? vd_pci_describe(plan.unknown) : g_strdup("a device of the domain");
        g_autofree char *why =
            g_strdup_printf("%s, whose PCI placement libvdisk does not model", what);

        return vd_pci_refuse(dom, why, err);
    }
    if (!vd_pci_pass(&plan, (unsigned int)plan.max_index + 1, true, assigned, &nbuses))
        return vd_pci_refuse(dom, "a PCI topology libvdisk does not model", err);
    /* the controllers of the buses the dry run added join the PCI controllers */
    for (unsigned int i = 1; i < nbuses; i++) {
        vd_pci_dev dev = {.cls = VD_PCI_CLASS_PCI_CONTROLLER, .index = i, .usb2_function = -1};

        if (vd_pci_plan_has_bus(&plan, i))
            continue;
        dev.model = g_array_index(extra, vd_pci_model, i - 1);
        dev.flags = vd_pci_model_connect(dev.model);
        g_array_append_val(devs, dev);
    }
    g_array_sort(devs, vd_pci_dev_class_cmp);
    if (!vd_pci_pass(&plan, nbuses, false, assigned, &nbuses))
        return vd_pci_refuse(dom, "a PCI topology libvdisk does not model", err);
    for (guint d = 0; d < devs->len; d++) {
        vd_pci_dev *dev = &g_array_index(devs, vd_pci_dev, d);

        if (dev->has_addr || dev->flags == 0)
            continue;
        vd_pci_write(dom, dev, g_array_index(assigned, vd_pci_dev, d).addr,
                     g_array_index(assigned, vd_pci_dev, d).multi);
    }
    return 0;
}

int
vd_domain_hotplug_pci_address(vdisk_domain *dom, const vdisk_disk *disk, vdisk_error **err)
{
    vd_pci_plan plan = {0};
    g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(vd_pci_dev));
    g_autoptr(GArray) extra = g_array_new(FALSE, TRUE, sizeof(vd_pci_model));
    g_autoptr(GArray) assigned = g_array_new(FALSE, TRUE, sizeof(vd_pci_dev));
    const char *target = vd_disk_target(disk) ? vd_disk_target(disk) : "";
    unsigned int nbuses = 0;

    plan.dom = dom;
    plan.machine = vd_domain_machine(dom);
    plan.live_disk = disk;
    switch (plan.machine) {
    case VD_MACHINE_PC:
        plan.pc = true;
        break;
    case VD_MACHINE_Q35:
        plan.q35 = plan.pcie_root = true;
        break;
    case VD_MACHINE_ARM_VIRT:
    case VD_MACHINE_RISCV_VIRT:
    case VD_MACHINE_VEXPRESS:
    case VD_MACHINE_PSERIES:
    case VD_MACHINE_OTHER:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "cannot place virtio disk '%s': the address libvirt gives a disk "
                       "hot-plugged into a running domain is modelled for the x86 pc and q35 "
                       "machines only",
                       target);
    }
    plan.pcie_flags =
        (plan.pcie_root ? VD_PCI_T_PCIE : VD_PCI_T_PCI) | VD_PCI_AUTO | VD_PCI_HOTPLUG;
    plan.devs = devs;
    plan.extra_models = extra;
    if (!vd_pci_plan_build(&plan, dom)) {
        g_autofree char *what =
            plan.unknown ? vd_pci_describe(plan.unknown) : g_strdup("a device of the domain");

        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "cannot place virtio disk '%s': the PCI address libvirt gives it depends "
                       "on %s, whose PCI placement libvdisk does not model",
                       target, what);
    }
    if (!vd_pci_pass(&plan, (unsigned int)plan.max_index + 1, false, assigned, &nbuses))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "cannot place virtio disk '%s': No more available PCI slots (libvirt "
                       "hot-plugs only into free slots of hot-pluggable buses)",
                       target);
    for (guint d = 0; d < devs->len; d++) {
        vd_pci_dev *dev = &g_array_index(devs, vd_pci_dev, d);

        if (dev->disk == disk && !dev->has_addr)
            vd_pci_write(dom, dev, g_array_index(assigned, vd_pci_dev, d).addr, false);
    }
    return 0;
}
