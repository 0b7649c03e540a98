/*
 * domain_ccw.c: CCW addresses the QEMU driver gives a new s390-ccw domain's devices
 *
 * On an s390-ccw machine libvirt 9.0 first declares the virtio devices
 * without an address to be CCW devices (qemuDomainPrimeVirtioDeviceAddresses,
 * qemuDomainPrimeVfioDeviceAddresses), then walks every device twice in the
 * order of virDomainDeviceInfoIterate(): the first walk reserves the
 * addresses the definition names and refuses a second device on one of
 * them, the second gives each CCW device without an address the lowest
 * free devno of cssid 0xfe, ssid 0, from the last one given on
 * (virDomainCCWAddressSetCreateFromDomain). Disks come first in that walk,
 * so their devnos depend only on the addresses the other devices name;
 * the controllers' depend on the nets, host devices and videos before them
 * too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/domain_ccw.h"
#include "conf/parse_util.h"
#include "util/error.h"

/* The device lists of libvirt's domain definition, in the order
 * virDomainDeviceInfoIterate() walks them; graphics, audio and leases
 * have no address and are not walked. */
typedef enum {
    VD_CCW_DISK,
    VD_CCW_NET,
    VD_CCW_SOUND,
    VD_CCW_HOSTDEV,
    VD_CCW_VIDEO,
    VD_CCW_CONTROLLER,
    VD_CCW_SMARTCARD,
    VD_CCW_SERIAL,
    VD_CCW_PARALLEL,
    VD_CCW_CHANNEL,
    VD_CCW_CONSOLE,
    VD_CCW_INPUT,
    VD_CCW_FS,
    VD_CCW_WATCHDOG,
    VD_CCW_MEMBALLOON,
    VD_CCW_RNG,
    VD_CCW_NVRAM,
    VD_CCW_HUB,
    VD_CCW_SHMEM,
    VD_CCW_TPM,
    VD_CCW_PANIC,
    VD_CCW_MEMORY,
    VD_CCW_REDIRDEV,
    VD_CCW_IOMMU,
    VD_CCW_VSOCK,
    VD_CCW_LAST
} vd_ccw_class;

/* the element of each list */
static const char *const vd_ccw_elements[] = {
    "disk",       "interface", "sound",   "hostdev", "video", "controller", "smartcard",
    "serial",     "parallel",  "channel", "console", "input", "filesystem", "watchdog",
    "memballoon", "rng",       "nvram",   "hub",     "shmem", "tpm",        "panic",
    "memory",     "redirdev",  "iommu",   "vsock",
};
_Static_assert(G_N_ELEMENTS(vd_ccw_elements) == VD_CCW_LAST, "one element per device list");

#define VD_CCW_MAX_CSSID 0xfeu
#define VD_CCW_MAX_SSID 3u
#define VD_CCW_MAX_DEVNO 0xffffu

typedef struct {
    vd_ccw_class cls;
    vd_node *node;     /* its element; NULL for a device libvirt adds */
    vdisk_disk *disk;  /* a disk */
    bool fixed;        /* the definition names its address */
    unsigned int a[3]; /* cssid, ssid, devno: named or assigned */
} vd_ccw_dev;

typedef struct {
    const vdisk_domain *dom;
    GArray *devs;                  /* vd_ccw_dev, in libvirt's order */
    GPtrArray *lists[VD_CCW_LAST]; /* the elements of each list, in document order */
    bool graphics;
    /* whether every device before the controllers is modelled, so that
     * the controllers' devnos are libvirt's */
    bool controllers_known;
} vd_ccw_plan;

static bool
vd_attr_is(const vd_node *node, const char *name, const char *value)
{
    return g_strcmp0(vd_node_attr(node, name), value) == 0;
}

/* A device for messages: a disk's label, else "<name>". */
static const char *
vd_ccw_describe(const vd_ccw_dev *dev)
{
    static _Thread_local char buf[64];

    if (dev->disk)
        return vd_disk_label(dev->disk);
    g_snprintf(buf, sizeof(buf), "<%s>", dev->node ? dev->node->name : vd_ccw_elements[dev->cls]);
    return buf;
}

/* Adds a CCW device of @cls: @fixed with the address in @a, else one to
 * be given an address. */
static void
vd_ccw_add(vd_ccw_plan *plan, vd_ccw_class cls, vd_node *node, bool fixed, const unsigned int a[3])
{
    vd_ccw_dev dev = {.cls = cls, .node = node, .fixed = fixed};

    if (fixed)
        memcpy(dev.a, a, sizeof(dev.a));
    g_array_append_val(plan->devs, dev);
}

/* Reads the <address type='ccw'> of a device other than a disk as
 * libvirt's parser does (virCCWDeviceAddressParseXML): 1 when it has one
 * (*@fixed when it names cssid, ssid and devno, as it must or none of
 * them), 0 when it has no CCW address, -1 with @err set when libvirt
 * refuses it. */
static int
vd_ccw_read_address(const vd_node *node, bool *fixed, unsigned int a[3], vdisk_error **err)
{
    static const char *const names[] = {"cssid", "ssid", "devno"};
    const vd_node *addr = vd_node_child(node, "address");
    unsigned int present = 0;

    if (!addr || !vd_attr_is(addr, "type", "ccw"))
        return 0;
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        const char *v = vd_node_attr(addr, names[i]);

        a[i] = 0;
        if (!v)
            continue;
        if (!vd_parse_uint(v, 0, &a[i]))
            return vd_fail(err, VDISK_ERR_INVALID,
                           "<%s>: invalid value for attribute '%s' in element 'address': '%s'",
                           node->name, names[i], v);
        present++;
    }
    if (a[0] > VD_CCW_MAX_CSSID || a[1] > VD_CCW_MAX_SSID || a[2] > VD_CCW_MAX_DEVNO)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "<%s>: invalid specification for virtio ccw address: cssid='0x%x' "
                       "ssid='0x%x' devno='0x%04x'",
                       node->name, a[0], a[1], a[2]);
    if (present != 0 && present != G_N_ELEMENTS(names))
        return vd_fail(err, VDISK_ERR_INVALID,
                       "<%s>: invalid partial specification for virtio ccw address", node->name);
    *fixed = present != 0;
    return 1;
}

/* Adds the device of @node when it is a CCW device: one with a CCW address
 * of its own, or, when @primed, one without any address. -1 when its
 * address is refused. */
static int
vd_ccw_add_node(vd_ccw_plan *plan, vd_ccw_class cls, vd_node *node, bool primed, vdisk_error **err)
{
    unsigned int a[3];
    bool fixed = false;
    int rc = vd_ccw_read_address(node, &fixed, a, err);

    if (rc < 0)
        return -1;
    if (rc > 0 || (primed && !vd_node_child(node, "address")))
        vd_ccw_add(plan, cls, node, fixed, a);
    return 0;
}

/* A virtio net (virDomainNetIsVirtioModel) once libvirt gave it its
 * default model, virtio on s390 except for host devices. */
static bool
vd_ccw_net_is_virtio(vd_ccw_plan *plan, const vd_node *n)
{
    const char *model = vd_node_attr(vd_node_child(n, "model"), "type");
    static const char *const virtio[] = {"virtio", "virtio-transitional",
                                         "virtio-non-transitional"};

    if (model) {
        for (size_t i = 0; i < G_N_ELEMENTS(virtio); i++) {
            if (g_ascii_strcasecmp(model, virtio[i]) == 0)
                return true;
        }
        return false;
    }
    if (vd_attr_is(n, "type", "hostdev"))
        return false;
    /* a network's interface gets no model when the network is a pool of
     * host devices: the host decides */
    if (vd_attr_is(n, "type", "network"))
        plan->controllers_known = false;
    return true;
}

static int
vd_ccw_add_nets(vd_ccw_plan *plan, vdisk_error **err)
{
    GPtrArray *nets = plan->lists[VD_CCW_NET];

    for (guint i = 0; nets && i < nets->len; i++) {
        vd_node *n = nets->pdata[i];
        bool primed = !vd_node_child(n, "address") && vd_ccw_net_is_virtio(plan, n);

        if (vd_ccw_add_node(plan, VD_CCW_NET, n, primed, err) < 0)
            return -1;
    }
    return 0;
}

/* The host devices: first those of <interface type='hostdev'>, which
 * libvirt walks a second time here (their address is reserved twice, so
 * one they name is refused as in use), then the <hostdev>s. */
static int
vd_ccw_add_hostdevs(vd_ccw_plan *plan, vdisk_error **err)
{
    GPtrArray *nets = plan->lists[VD_CCW_NET];
    GPtrArray *hostdevs = plan->lists[VD_CCW_HOSTDEV];

    for (guint i = 0; nets && i < nets->len; i++) {
        vd_node *n = nets->pdata[i];
        unsigned int a[3];
        bool fixed = false;

        if (vd_attr_is(n, "type", "hostdev") && vd_ccw_read_address(n, &fixed, a, err) > 0 && fixed)
            vd_ccw_add(plan, VD_CCW_HOSTDEV, n, true, a);
    }
    for (guint i = 0; hostdevs && i < hostdevs->len; i++) {
        vd_node *n = hostdevs->pdata[i];
        const char *mode = vd_node_attr(n, "mode");
        bool subsys = !mode || strcmp(mode, "subsys") == 0;
        bool mdev = subsys && vd_attr_is(n, "type", "mdev");

        /* a vfio-ap device never has an address */
        if (mdev && vd_attr_is(n, "model", "vfio-ap"))
            continue;
        if (subsys && vd_attr_is(n, "type", "scsi")) {
            /* libvirt adds the SCSI controllers up to the one it names,
             * which are walked among the controllers */
            const vd_node *a = vd_node_child(n, "address");
            unsigned int c = 0;

            if (!vd_attr_is(a, "type", "drive") ||
                !vd_parse_uint(vd_node_attr(a, "controller"), 10, &c))
                plan->controllers_known = false;
            for (unsigned int k = 0; plan->controllers_known && k <= c; k++) {
                if (!vd_domain_controller(plan->dom, VDISK_CONTROLLER_SCSI, k))
                    plan->controllers_known = false;
            }
        }
        if (vd_ccw_add_node(plan, VD_CCW_HOSTDEV, n,
                            subsys && (vd_attr_is(n, "type", "scsi_host") ||
                                       (mdev && vd_attr_is(n, "model", "vfio-ccw"))),
                            err) < 0)
            return -1;
    }
    return 0;
}

/* The videos, the primary one first as libvirt's parser puts it; a video
 * of model 'none' loses its address. A domain with graphics and no video
 * gets libvirt's default one, virtio on s390. */
static int
vd_ccw_add_videos(vd_ccw_plan *plan, vdisk_error **err)
{
    GPtrArray *videos = plan->lists[VD_CCW_VIDEO];
    guint primary = 0;

    if (!videos) {
        if (plan->graphics)
            vd_ccw_add(plan, VD_CCW_VIDEO, NULL, false, NULL);
        return 0;
    }
    for (guint i = 0; i < videos->len; i++) {
        if (vd_attr_is(vd_node_child(videos->pdata[i], "model"), "primary", "yes")) {
            primary = i;
            break;
        }
    }
    for (guint i = 0; i < videos->len; i++) {
        vd_node *n = videos->pdata[i == 0 ? primary : i <= primary ? i - 1 : i];
        const char *type = vd_node_attr(vd_node_child(n, "model"), "type");

        if (g_strcmp0(type, "none") == 0)
            continue;
        if (vd_ccw_add_node(plan, VD_CCW_VIDEO, n, !type || strcmp(type, "virtio") == 0, err) < 0)
            return -1;
    }
    return 0;
}

/* The controllers in libvirt's order, the implicit ones among them; every
 * SCSI and virtio-serial controller is a CCW device. A USB controller of
 * model 'none' has no address. */
static int
vd_ccw_add_controllers(vd_ccw_plan *plan, vdisk_error **err)
{
    for (guint i = 0; i < plan->dom->controllers->len; i++) {
        const vdisk_controller *ctrl = plan->dom->controllers->pdata[i];
        bool primed =
            ctrl->type == VDISK_CONTROLLER_SCSI || ctrl->type == VDISK_CONTROLLER_VIRTIO_SERIAL;

        if (!ctrl->node) {
            if (primed)
                vd_ccw_add(plan, VD_CCW_CONTROLLER, NULL, false, NULL);
            continue;
        }
        if (ctrl->type == VDISK_CONTROLLER_USB && g_strcmp0(ctrl->model, "none") == 0)
            continue;
        if (vd_ccw_add_node(plan, VD_CCW_CONTROLLER, ctrl->node, primed, err) < 0)
            return -1;
    }
    return 0;
}

/* The character devices: serials, parallels, channels, consoles. A first
 * console that is a serial console (target type 'serial' or none) becomes
 * the serial port when there is none and is dropped otherwise
 * (virDomainDefAddConsoleCompat); either way it is not walked as a
 * console. */
static int
vd_ccw_add_chardevs(vd_ccw_plan *plan, vdisk_error **err)
{
    static const vd_ccw_class order[] = {VD_CCW_SERIAL, VD_CCW_PARALLEL, VD_CCW_CHANNEL,
                                         VD_CCW_CONSOLE};
    GPtrArray *consoles = plan->lists[VD_CCW_CONSOLE];
    vd_node *compat = NULL;

    if (consoles) {
        const char *type = vd_node_attr(vd_node_child(consoles->pdata[0], "target"), "type");

        if (!type || strcmp(type, "serial") == 0)
            compat = consoles->pdata[0];
    }
    for (size_t k = 0; k < G_N_ELEMENTS(order); k++) {
        GPtrArray *list = plan->lists[order[k]];

        if (order[k] == VD_CCW_SERIAL && compat && !list &&
            vd_ccw_add_node(plan, VD_CCW_SERIAL, compat, false, err) < 0)
            return -1;
        for (guint i = 0; list && i < list->len; i++) {
            if (list->pdata[i] == compat)
                continue;
            if (vd_ccw_add_node(plan, order[k], list->pdata[i], false, err) < 0)
                return -1;
        }
    }
    return 0;
}

/* Whether a device of @cls without an address is a CCW device. */
static bool
vd_ccw_primed(vd_ccw_class cls, const vd_node *n)
{
    switch (cls) {
    case VD_CCW_INPUT:
        return vd_attr_is(n, "bus", "virtio");
    case VD_CCW_MEMORY:
        return vd_attr_is(n, "model", "virtio-pmem") || vd_attr_is(n, "model", "virtio-mem");
    case VD_CCW_FS:
    case VD_CCW_MEMBALLOON:
    case VD_CCW_RNG:
    case VD_CCW_VSOCK:
        return true;
    case VD_CCW_SMARTCARD:
    case VD_CCW_WATCHDOG:
    case VD_CCW_NVRAM:
    case VD_CCW_HUB:
    case VD_CCW_SHMEM:
    case VD_CCW_TPM:
    case VD_CCW_PANIC:
    case VD_CCW_REDIRDEV:
    case VD_CCW_IOMMU:
    case VD_CCW_SOUND:
    case VD_CCW_SERIAL:
    case VD_CCW_PARALLEL:
    case VD_CCW_CHANNEL:
    case VD_CCW_CONSOLE:
        return false;
    case VD_CCW_DISK:
    case VD_CCW_NET:
    case VD_CCW_HOSTDEV:
    case VD_CCW_VIDEO:
    case VD_CCW_CONTROLLER:
    case VD_CCW_LAST:
        break; /* walked by their own functions */
    }
    return false;
}

/* The devices of a list walked as they are, in document order; a domain
 * without a <memballoon> gets libvirt's virtio one. A balloon of model
 * 'none' has no address. */
static int
vd_ccw_add_list(vd_ccw_plan *plan, vd_ccw_class cls, vdisk_error **err)
{
    GPtrArray *list = plan->lists[cls];

    if (cls == VD_CCW_MEMBALLOON && !list)
        vd_ccw_add(plan, cls, NULL, false, NULL);
    for (guint i = 0; list && i < list->len; i++) {
        vd_node *n = list->pdata[i];

        if (cls == VD_CCW_MEMBALLOON && vd_attr_is(n, "model", "none"))
            continue;
        if (vd_ccw_add_node(plan, cls, n, vd_ccw_primed(cls, n), err) < 0)
            return -1;
    }
    return 0;
}

/* The disks: a virtio disk without an address, or any disk with a CCW
 * one. A virtio disk that asks for a PCI address would get a zPCI one,
 * which is not modelled. */
static int
vd_ccw_add_disks(vd_ccw_plan *plan, vdisk_error **err)
{
    for (guint i = 0; i < plan->dom->disks->len; i++) {
        vdisk_disk *disk = plan->dom->disks->pdata[i];
        bool virtio = vdisk_disk_get_bus(disk) == VDISK_BUS_VIRTIO;
        vd_ccw_dev dev = {.cls = VD_CCW_DISK, .node = disk->node, .disk = disk};
        unsigned int pci[4];

        switch (vdisk_disk_get_address_type(disk)) {
        case VDISK_ADDRESS_NONE:
            if (!virtio)
                continue;
            break;
        case VDISK_ADDRESS_CCW:
            dev.fixed = vd_node_attr(vd_disk_child_named(disk, "address"), "devno") != NULL;
            if (dev.fixed)
                vdisk_disk_get_address_ccw(disk, &dev.a[0], &dev.a[1], &dev.a[2]);
            break;
        case VDISK_ADDRESS_PCI:
            if (virtio &&
                vdisk_disk_get_address_pci(disk, &pci[0], &pci[1], &pci[2], &pci[3]) == 0 &&
                !(pci[0] | pci[1] | pci[2] | pci[3]))
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "cannot place virtio disk '%s': on s390x libvirt gives it a zPCI "
                               "address, whose placement libvdisk does not model; give the disk "
                               "an <address type='ccw'/> or a whole PCI address",
                               vd_disk_target(disk) ? vd_disk_target(disk) : "");
            continue;
        case VDISK_ADDRESS_DRIVE:
        case VDISK_ADDRESS_USB:
        case VDISK_ADDRESS_VIRTIO_MMIO:
        case VDISK_ADDRESS_LAST:
            continue;
        }
        g_array_append_val(plan->devs, dev);
    }
    return 0;
}

/* Sorts the device elements into their lists. */
static void
vd_ccw_read_devices(vd_ccw_plan *plan)
{
    for (vd_node *n = plan->dom->devices->children; n; n = n->next) {
        size_t cls;

        if (n->kind != VD_NODE_ELEMENT)
            continue;
        if (strcmp(n->name, "graphics") == 0) {
            plan->graphics = true;
            continue;
        }
        for (cls = VD_CCW_NET; cls < VD_CCW_LAST; cls++) {
            if (strcmp(n->name, vd_ccw_elements[cls]) == 0)
                break;
        }
        /* disks and controllers come from the domain's own lists */
        if (cls == VD_CCW_LAST || cls == VD_CCW_CONTROLLER)
            continue;
        if (!plan->lists[cls])
            plan->lists[cls] = g_ptr_array_new();
        g_ptr_array_add(plan->lists[cls], n);
    }
}

/* Builds the CCW devices in libvirt's order. */
static int
vd_ccw_plan_build(vd_ccw_plan *plan, vdisk_error **err)
{
    vd_ccw_read_devices(plan);
    if (vd_ccw_add_disks(plan, err) < 0 || vd_ccw_add_nets(plan, err) < 0 ||
        vd_ccw_add_list(plan, VD_CCW_SOUND, err) < 0 || vd_ccw_add_hostdevs(plan, err) < 0 ||
        vd_ccw_add_videos(plan, err) < 0 || vd_ccw_add_controllers(plan, err) < 0 ||
        vd_ccw_add_list(plan, VD_CCW_SMARTCARD, err) < 0 || vd_ccw_add_chardevs(plan, err) < 0)
        return -1;
    for (int cls = VD_CCW_INPUT; cls < VD_CCW_LAST; cls++) {
        if (vd_ccw_add_list(plan, (vd_ccw_class)cls, err) < 0)
            return -1;
    }
    return 0;
}

/* The address as one number, never 0 (a key of the set of used ones). */
static gpointer
vd_ccw_key(const unsigned int a[3])
{
    return GUINT_TO_POINTER(((a[0] << 18) | (a[1] << 16) | a[2]) + 1u);
}

/* Reserves the addresses the definition names, then gives the others the
 * next free devno (virDomainCCWAddressValidate, virDomainCCWAddressAllocate). */
static int
vd_ccw_assign(vd_ccw_plan *plan, vdisk_error **err)
{
    g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
    unsigned int next[3] = {VD_CCW_MAX_CSSID, 0, 0};

    for (guint d = 0; d < plan->devs->len; d++) {
        vd_ccw_dev *dev = &g_array_index(plan->devs, vd_ccw_dev, d);

        if (!dev->fixed)
            continue;
        if (!g_hash_table_add(used, vd_ccw_key(dev->a)))
            return vd_fail(err, VDISK_ERR_INVALID,
                           "%s: the CCW devno '%x.%x.%04x' is in use already", vd_ccw_describe(dev),
                           dev->a[0], dev->a[1], dev->a[2]);
    }
    for (guint d = 0; d < plan->devs->len; d++) {
        vd_ccw_dev *dev = &g_array_index(plan->devs, vd_ccw_dev, d);

        if (dev->fixed)
            continue;
        while (g_hash_table_contains(used, vd_ccw_key(next))) {
            if (++next[2] > VD_CCW_MAX_DEVNO)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: there are no more free CCW devnos",
                               vd_ccw_describe(dev));
        }
        memcpy(dev->a, next, sizeof(dev->a));
        g_hash_table_add(used, vd_ccw_key(next));
    }
    return 0;
}

/* Writes an address given to a controller of the XML, as libvirt formats it. */
static void
vd_ccw_write_controller(vd_doc *doc, vd_node *node, const unsigned int a[3])
{
    vd_node *addr = vd_node_child(node, "address");

    if (!addr) {
        addr = vd_node_new(doc, "address");
        vd_node_set_attr(doc, addr, "type", "ccw");
        vd_node_append(node, addr);
    }
    vd_node_set_attr_static(doc, addr, "cssid", vd_arena_hex(doc, a[0], 1));
    vd_node_set_attr_static(doc, addr, "ssid", vd_arena_hex(doc, a[1], 1));
    vd_node_set_attr_static(doc, addr, "devno", vd_arena_hex(doc, a[2], 4));
}

int
vd_domain_assign_ccw_addresses(vdisk_domain *dom, vdisk_error **err)
{
    g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(vd_ccw_dev));
    vd_ccw_plan plan = {.dom = dom, .devs = devs, .controllers_known = true};
    int rc = -1;

    /* qemuDomainIsS390CCW() */
    if (!dom->arch || (strcmp(dom->arch, "s390x") != 0 && strcmp(dom->arch, "s390") != 0) ||
        !g_str_has_prefix(dom->machine ? dom->machine : "", "s390-ccw"))
        return 0;
    if (vd_ccw_plan_build(&plan, err) < 0 || vd_ccw_assign(&plan, err) < 0)
        goto cleanup;
    for (guint d = 0; d < devs->len; d++) {
        vd_ccw_dev *dev = &g_array_index(devs, vd_ccw_dev, d);
        vdisk_error *ignored = NULL;

        if (dev->fixed)
            continue;
        if (dev->disk) {
            if (vdisk_disk_set_address_ccw(dev->disk, dev->a[0], dev->a[1], dev->a[2], &ignored) <
                0)
                vdisk_error_free(ignored);
        } else if (dev->cls == VD_CCW_CONTROLLER && dev->node && plan.controllers_known) {
            vd_ccw_write_controller(dom->doc, dev->node, dev->a);
        }
    }
    rc = 0;
cleanup:
    for (size_t i = 0; i < G_N_ELEMENTS(plan.lists); i++) {
        if (plan.lists[i])
            g_ptr_array_free(plan.lists[i], TRUE);
    }
    return rc;
}
