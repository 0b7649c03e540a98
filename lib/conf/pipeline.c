/*
 * pipeline.c: the one driver of the stages, for a disk and for a domain
 *
 *   parse -> post-parse defaults -> define-time checks -> start-time checks
 *
 * Every public call that reads XML, applies defaults or validates runs
 * its stages here; the stages themselves (disk_parse.c, disk_postparse.c,
 * disk_validate.c, domain_parse.c, domain_postparse.c, domain_validate.c,
 * domain_ccw.c, domain_address.c, domain_usb.c) know nothing of each
 * other's order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "conf/disk_parse.h"
#include "conf/disk_postparse.h"
#include "conf/disk_validate.h"
#include "conf/domain_address.h"
#include "conf/domain_ccw.h"
#include "conf/domain_parse.h"
#include "conf/domain_postparse.h"
#include "conf/domain_validate.h"
#include "conf/source_priv.h"
#include "util/error.h"

static int
vd_check_parse_args(const void *out, const char *xml, unsigned int flags, vdisk_error **err)
{
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    if (!xml)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no XML given");
    if (flags & ~VD_PARSE_FLAGS_ALL)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x",
                       flags & ~VD_PARSE_FLAGS_ALL);
    return 0;
}

/* The checks of @flags for the disks of @dom from index @first on, then
 * the domain-wide ones. */
static int
vd_pipeline_domain_checks(const vdisk_domain *dom, guint first, unsigned int flags,
                          vdisk_error **err)
{
    guint i;

    if (!(flags & VDISK_PARSE_NO_VALIDATE)) {
        g_autoptr(vd_iotune_groups) groups = vd_iotune_groups_new(dom);

        for (i = first; i < dom->disks->len; i++) {
            if (vd_disk_validate_in(dom->disks->pdata[i], dom, groups, err) < 0)
                return -1;
        }
        if (vd_domain_validate_disks(dom, err) < 0 || vd_domain_validate_boot_order(dom, err) < 0)
            return -1;
    }
    /* checked when libvirt parses its QEMU namespace, validation or not */
    if (vd_domain_qemu_device_overrides(dom, NULL, NULL, err) < 0)
        return -1;
    if (flags & VDISK_PARSE_VALIDATE_START) {
        for (i = first; i < dom->disks->len; i++) {
            if (vd_disk_validate_start(dom->disks->pdata[i], dom, err) < 0)
                return -1;
        }
    }
    return 0;
}

/* ---- a disk ------------------------------------------------------------ */

/* The stages of @flags for a lone disk (@dom: the domain whose defaults and
 * checks apply, or NULL). */
static int
vd_pipeline_disk(vdisk_disk *disk, const vdisk_domain *dom, unsigned int flags, vdisk_error **err)
{
    if (!(flags & VDISK_PARSE_LIVE))
        vd_source_drop_status(disk->doc, disk->node);
    if (vd_disk_parse(disk, err) < 0)
        return -1;
    vd_disk_remember_kids(disk);
    if (!(flags & VDISK_PARSE_NO_DEFAULTS) && vd_disk_postparse(disk, dom, err) < 0)
        return -1;
    vd_disk_remember_kids(disk);
    if (!(flags & VDISK_PARSE_NO_VALIDATE) && vd_disk_validate(disk, dom, err) < 0)
        return -1;
    if ((flags & VDISK_PARSE_VALIDATE_START) && vd_disk_validate_start(disk, dom, err) < 0)
        return -1;
    return 0;
}

static int
vd_disk_from_xml_impl(vdisk_disk **out, const char *xml, unsigned int flags, vdisk_error **err)
{
    g_autoptr(vd_doc) doc = NULL;
    vdisk_disk *disk;

    if (vd_check_parse_args(out, xml, flags, err) < 0)
        return -1;
    *out = NULL;
    if (vd_doc_parse(&doc, xml, strlen(xml), "disk XML", err) < 0)
        return -1;
    disk = vd_disk_wrap(doc, doc->root, NULL);
    if (vd_pipeline_disk(disk, NULL, flags, err) < 0) {
        vd_disk_unwrap(disk);
        return -1;
    }
    *out = disk;
    return 0;
}

int
vdisk_disk_from_xml(vdisk_disk **out, const char *xml, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_disk_from_xml_impl(out, xml, 0, err);
}

int
vdisk_disk_from_xml_flags(vdisk_disk **out, const char *xml, unsigned int flags, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_disk_from_xml_impl(out, xml, flags, err);
}

int
vdisk_disk_apply_defaults(vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    VD_API_ENTER();
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    return vd_disk_postparse(disk, dom, err);
}

int
vdisk_disk_validate(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    VD_API_ENTER();
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    return vd_disk_validate(disk, dom, err);
}

int
vdisk_disk_validate_start(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    VD_API_ENTER();
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    return vd_disk_validate_start(disk, dom, err);
}

/* ---- a domain ---------------------------------------------------------- */

static int
vd_domain_from_xml_impl(vdisk_domain **out, const char *xml, unsigned int flags, vdisk_error **err)
{
    g_autoptr(vdisk_domain) dom = NULL;
    guint i;

    if (vd_check_parse_args(out, xml, flags, err) < 0)
        return -1;
    *out = NULL;
    if (vd_domain_parse(&dom, xml, flags, err) < 0)
        return -1;
    for (i = 0; i < dom->disks->len; i++) {
        if (!(flags & VDISK_PARSE_LIVE))
            vd_source_drop_status(dom->doc, ((vdisk_disk *)dom->disks->pdata[i])->node);
        if (vd_disk_parse(dom->disks->pdata[i], err) < 0)
            return -1;
        vd_disk_remember_kids(dom->disks->pdata[i]);
    }
    if (!(flags & VDISK_PARSE_NO_DEFAULTS)) {
        vd_domain_sort_disks(dom);
        for (i = 0; i < dom->disks->len; i++) {
            if (vd_disk_postparse(dom->disks->pdata[i], dom, err) < 0)
                return -1;
        }
        vd_domain_add_implicit_controllers(dom);
        /* CCW before PCI and USB, as qemuDomainAssignAddresses() does */
        if (vd_domain_assign_ccw_addresses(dom, err) < 0)
            return -1;
        if (vd_domain_assign_pci_addresses(dom, err) < 0)
            return -1;
        if (vd_domain_assign_usb_addresses(dom, err) < 0)
            return -1;
        for (i = 0; i < dom->disks->len; i++)
            vd_disk_remember_kids(dom->disks->pdata[i]);
    }
    vd_domain_note_overrides(dom);
    if (vd_pipeline_domain_checks(dom, 0, flags, err) < 0)
        return -1;
    *out = g_steal_pointer(&dom);
    return 0;
}

int
vdisk_domain_from_xml(vdisk_domain **out, const char *xml, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_domain_from_xml_impl(out, xml, 0, err);
}

int
vdisk_domain_from_xml_flags(vdisk_domain **out, const char *xml, unsigned int flags,
                            vdisk_error **err)
{
    VD_API_ENTER();
    return vd_domain_from_xml_impl(out, xml, flags, err);
}

int
vdisk_domain_add_disk(vdisk_domain *dom, const vdisk_disk *disk, vdisk_error **err)
{
    vd_node *copy;
    vd_node *after = NULL;
    vd_node *n;
    vdisk_disk *wrapped;

    VD_API_ENTER();
    if (!dom || !disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no %s given", dom ? "disk" : "domain");

    /* a disk of another domain takes along the namespaces it uses there */
    copy = vd_node_copy_to(dom->doc, disk->node, dom->devices, vd_disk_known_element);
    /* the new disk goes after the last disk, or first among the devices */
    for (n = vd_node_child(dom->devices, "disk"); n; n = vd_node_next_sibling(n, "disk"))
        after = n;
    if (after && after->next)
        vd_node_insert_before(dom->devices, copy, after->next);
    else if (after)
        vd_node_append(dom->devices, copy);
    else if (dom->devices->children)
        vd_node_insert_before(dom->devices, copy, dom->devices->children);
    else
        vd_node_append(dom->devices, copy);

    /* the disk was parsed when it was made: defaults and checks, in the
     * domain, as libvirt's attach does */
    wrapped = vd_disk_wrap(dom->doc, copy, dom);
    g_ptr_array_add(dom->disks, wrapped);
    if (vd_disk_postparse(wrapped, dom, err) < 0 ||
        vd_pipeline_domain_checks(dom, dom->disks->len - 1, 0, err) < 0) {
        g_ptr_array_remove_index(dom->disks, dom->disks->len - 1);
        vd_node_unlink(copy);
        return -1;
    }
    vd_domain_add_implicit_controllers(dom);
    vd_domain_place_new_disk(dom);
    vd_disk_remember_kids(wrapped);
    return 0;
}
