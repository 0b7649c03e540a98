/*
 * domain_hotplug.c: what libvirt's QEMU driver decides about a disk it
 * hot-plugs into a running domain, and what a running domain's status XML
 * says about its node names
 *
 * libvirt parses the new disk against the live definition (its post-parse
 * defaults, the SCSI drive address from the live controllers), then
 * qemuDomainAttachDeviceDiskLiveInternal refuses what cannot be
 * hot-plugged and gives the disk the address its bus needs: the first free
 * slot of a hot-pluggable PCI bus for virtio, the first free USB port.
 * Nothing else of the domain changes, and no bus is added.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "conf/domain_address.h"
#include "conf/domain_priv.h"
#include "conf/parse_util.h"
#include "util/error.h"
#include "util/xtree.h"

/* A disk with no PCI address, or an empty <address type='pci'/>, asks for one. */
static bool
vd_hp_wants_pci(const vdisk_disk *disk)
{
    unsigned int a[4] = {0, 0, 0, 0};

    if (vdisk_disk_get_address_type(disk) == VDISK_ADDRESS_NONE)
        return true;
    if (vdisk_disk_get_address_pci(disk, &a[0], &a[1], &a[2], &a[3]) < 0)
        return false;
    return !(a[0] | a[1] | a[2] | a[3]);
}

static const char *
vd_hp_target(const vdisk_disk *disk)
{
    return vd_disk_target(disk) ? vd_disk_target(disk) : "";
}

/* The checks of qemuDomainAttachDeviceDiskLiveInternal made before the
 * disk joins the live definition. */
static int
vd_hp_check(const vdisk_domain *live, const vdisk_disk *disk, vdisk_error **err)
{
    const char *target = vd_hp_target(disk);
    vdisk_device device = vdisk_disk_get_device(disk);
    vdisk_bus bus = vdisk_disk_get_bus(disk);

    for (guint i = 0; i < live->disks->len; i++) {
        const vdisk_disk *d = live->disks->pdata[i];

        if (g_strcmp0(vd_disk_target(d), target) != 0)
            continue;
        if (device == VDISK_DEVICE_CDROM || device == VDISK_DEVICE_FLOPPY)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': the domain has a %s with this target: libvirt changes "
                           "its medium instead of hot-plugging a disk, which is not modelled "
                           "here",
                           target, vd_device_to_string(device));
        return vd_fail(err, VDISK_ERR_EXISTS, "disk '%s': target '%s' duplicated", target, target);
    }
    if (device == VDISK_DEVICE_FLOPPY)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': floppy device hotplug isn't supported", target);
    switch (bus) {
    case VDISK_BUS_VIRTIO:
        if (device == VDISK_DEVICE_CDROM)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': cdrom device with virtio bus isn't supported", target);
        break;
    case VDISK_BUS_USB:
        if (device == VDISK_DEVICE_LUN)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': disk device='lun' is not supported for usb bus", target);
        break;
    case VDISK_BUS_SCSI:
        break;
    case VDISK_BUS_NONE:
    case VDISK_BUS_IDE:
    case VDISK_BUS_FDC:
    case VDISK_BUS_XEN:
    case VDISK_BUS_UML:
    case VDISK_BUS_SATA:
    case VDISK_BUS_SD:
    case VDISK_BUS_LAST:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "disk '%s': disk bus '%s' cannot be hotplugged.",
                       target, bus == VDISK_BUS_NONE ? "none" : vd_bus_to_string(bus));
    }
    return 0;
}

/* The drive address libvirt's parser gave the SCSI disk must be free, and
 * its controller (and every one with a lower index) must be there: libvirt
 * would hot-plug a missing one first, which is not modelled. */
static int
vd_hp_check_scsi(const vdisk_domain *live, const vdisk_disk *disk, vdisk_error **err)
{
    unsigned int a[4] = {0, 0, 0, 0};
    const char *target = vd_hp_target(disk);

    if (vdisk_disk_get_address_type(disk) != VDISK_ADDRESS_DRIVE)
        return vd_fail(err, VDISK_ERR_INTERNAL, "disk '%s': unexpected disk address type", target);
    vdisk_disk_get_address_drive(disk, &a[0], &a[1], &a[2], &a[3]);
    for (guint i = 0; i < live->disks->len; i++) {
        const vdisk_disk *d = live->disks->pdata[i];
        unsigned int b[4] = {0, 0, 0, 0};

        if (d == disk || vdisk_disk_get_bus(d) != VDISK_BUS_SCSI ||
            vdisk_disk_get_address_type(d) != VDISK_ADDRESS_DRIVE)
            continue;
        vdisk_disk_get_address_drive(d, &b[0], &b[1], &b[2], &b[3]);
        if (memcmp(a, b, sizeof(a)) == 0)
            return vd_fail(err, VDISK_ERR_EXISTS,
                           "disk '%s': Domain already contains a disk with that address", target);
    }
    for (unsigned int c = 0; c <= a[0]; c++) {
        bool found = false;

        for (guint i = 0; i < live->controllers->len; i++) {
            const vdisk_controller *ctrl = live->controllers->pdata[i];

            if (ctrl->type == VDISK_CONTROLLER_SCSI && ctrl->index == c && !ctrl->implicit)
                found = true;
        }
        if (!found)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': the domain has no SCSI controller %u: libvirt would "
                           "hot-plug one before the disk, which is not modelled",
                           target, c);
    }
    return 0;
}

int
vd_domain_hotplug_place_disk(vdisk_domain *live, const vdisk_disk *disk, vdisk_disk **placed,
                             vdisk_error **err)
{
    vdisk_disk *d = NULL;

    *placed = NULL;
    if (vd_hp_check(live, disk, err) < 0)
        return -1;
    if (vdisk_domain_add_disk(live, disk, err) < 0)
        return -1;
    for (guint i = 0; i < live->disks->len; i++) {
        if (g_strcmp0(vd_disk_target(live->disks->pdata[i]), vd_disk_target(disk)) == 0)
            d = live->disks->pdata[i];
    }
    if (!d)
        return vd_fail(err, VDISK_ERR_INTERNAL, "disk '%s': lost while placing it",
                       vd_hp_target(disk));
    switch (vdisk_disk_get_bus(d)) {
    case VDISK_BUS_SCSI:
        if (vd_hp_check_scsi(live, d, err) < 0)
            return -1;
        break;
    case VDISK_BUS_VIRTIO:
        if (vd_hp_wants_pci(d)) {
            if (vd_domain_hotplug_pci_address(live, d, err) < 0)
                return -1;
        } else if (vdisk_disk_get_address_type(d) != VDISK_ADDRESS_PCI) {
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': hot-plugging a virtio disk at an address that is not "
                           "PCI is not modelled",
                           vd_hp_target(d));
        }
        break;
    case VDISK_BUS_USB:
        if (vdisk_disk_get_address_type(d) == VDISK_ADDRESS_NONE) {
            if (vd_domain_assign_usb_addresses(live, err) < 0)
                return -1;
            if (vdisk_disk_get_address_type(d) == VDISK_ADDRESS_NONE)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "disk '%s': no free USB port outside hubs (libvirt refuses "
                               "with \"No free USB ports\" when there is none; ports behind "
                               "hubs are not modelled)",
                               vd_hp_target(d));
        }
        break;
    case VDISK_BUS_NONE:
    case VDISK_BUS_IDE:
    case VDISK_BUS_FDC:
    case VDISK_BUS_XEN:
    case VDISK_BUS_UML:
    case VDISK_BUS_SATA:
    case VDISK_BUS_SD:
    case VDISK_BUS_LAST:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "disk '%s': disk bus '%s' cannot be hotplugged.",
                       vd_hp_target(d), vd_bus_to_string(vdisk_disk_get_bus(d)));
    }
    *placed = d;
    return 0;
}

int
vd_status_xml_nodename_index(const char *xml, const char *uuid, unsigned long long *index,
                             vdisk_error **err)
{
    g_autoptr(vd_doc) doc = NULL;
    const vd_node *dom, *u, *n;
    const char *value;
    guint64 v = 0;

    *index = 0;
    if (vd_doc_parse(&doc, xml, strlen(xml), "libvirt's status XML", err) < 0)
        return -1;
    if (strcmp(doc->root->name, "domstatus") != 0 || !(dom = vd_node_child(doc->root, "domain")))
        return vd_fail(err, VDISK_ERR_INVALID, "not a libvirt domain status XML (no <domstatus>)");
    if (!(u = vd_node_child(dom, "uuid")) || g_strcmp0(vd_node_text(doc, u), uuid) != 0)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "libvirt's status XML is not the one of domain %s (it has uuid '%s')", uuid,
                       u ? vd_node_text(doc, u) : "");
    /* qemuDomainObjPrivateXMLParse: no element, no node name used yet */
    if (!(n = vd_node_child(doc->root, "nodename")) || !(value = vd_node_attr(n, "index")))
        return 0;
    if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT, &v, NULL))
        return vd_fail(err, VDISK_ERR_INVALID, "failed to parse node name index '%s'", value);
    *index = v;
    return 0;
}
