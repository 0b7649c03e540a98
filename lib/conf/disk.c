/*
 * disk.c: the disk object's lifecycle
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/disk_priv.h"
#include "conf/schema.h"
#include "util/error.h"

vdisk_disk *
vd_disk_wrap(vd_doc *doc, vd_node *node, vdisk_domain *domain)
{
    vdisk_disk *disk = g_new0(vdisk_disk, 1);

    disk->doc = vd_doc_ref(doc);
    disk->node = node;
    disk->domain = domain;
    disk->top.disk = disk;
    disk->top.holder = node;
    disk->top.depth = 0;
    disk->top.is_mirror = false;
    disk->top.next_view = NULL;
    disk->views = NULL;
    vd_disk_remember_kids(disk);
    return disk;
}

void
vd_disk_remember_kids(vdisk_disk *disk)
{
    /* literal names: their keys are computed at compile time */
    disk->kids[VD_DISK_KID_DRIVER] = vd_node_child(disk->node, "driver");
    disk->kids[VD_DISK_KID_SOURCE] = vd_node_child(disk->node, "source");
    disk->kids[VD_DISK_KID_TARGET] = vd_node_child(disk->node, "target");
    disk->kids[VD_DISK_KID_ADDRESS] = vd_node_child(disk->node, "address");
    disk->kids_gen = disk->node->gen;
    disk->kids_known = true;
}

void
vd_disk_unwrap(vdisk_disk *disk)
{
    vdisk_source *v;

    if (!disk)
        return;
    v = disk->views;
    while (v) {
        vdisk_source *next = v->next_view;
        g_free(v);
        v = next;
    }
    vd_doc_unref(disk->doc);
    g_free(disk);
}

const char *
vd_disk_label(const vdisk_disk *disk)
{
    static _Thread_local char buf[512];
    static const char *const path_attrs[] = {"file", "dev", "dir", "name", "volume", "path"};
    const vd_node *target;
    const vd_node *source;
    const char *dev;
    size_t i;

    if (!disk || !disk->node)
        return "disk";
    target = vd_disk_child_named(disk, "target");
    dev = vd_node_attr(target, "dev");
    if (dev) {
        g_snprintf(buf, sizeof(buf), "target '%s'", dev);
        return buf;
    }
    source = vd_disk_child_named(disk, "source");
    for (i = 0; source && i < G_N_ELEMENTS(path_attrs); i++) {
        const char *p = vd_node_attr(source, path_attrs[i]);
        if (p) {
            g_snprintf(buf, sizeof(buf), "disk with source '%s'", p);
            return buf;
        }
    }
    return "disk without target";
}

bool
vd_disk_known_element(const vd_node *node)
{
    return vd_schema_element(node) != VD_EL_UNKNOWN;
}

vdisk_disk *
vdisk_disk_new(void)
{
    g_autoptr(vd_doc) doc = vd_doc_new();
    vd_node *node;

    VD_API_ENTER();
    node = vd_node_new(doc, "disk");
    vd_node_set_attr_static(doc, node, "type", "file");
    vd_node_set_attr_static(doc, node, "device", "disk");
    doc->root = node;
    return vd_disk_wrap(doc, node, NULL);
}

int
vdisk_disk_copy(vdisk_disk **out, const vdisk_disk *disk, vdisk_error **err)
{
    g_autoptr(vd_doc) doc = NULL;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    doc = vd_doc_new();
    doc->root = vd_node_copy_to(doc, disk->node, NULL, vd_disk_known_element);
    *out = vd_disk_wrap(doc, doc->root, NULL);
    return 0;
}

int
vdisk_disk_equal(const vdisk_disk *a, const vdisk_disk *b)
{
    VD_API_ENTER();
    if (a == b)
        return 1;
    if (!a || !b)
        return 0;
    return vd_node_equal_alone(a->node, b->node, vd_disk_known_element) ? 1 : 0;
}

void
vdisk_disk_free(vdisk_disk *disk)
{
    if (!disk || disk->domain)
        return;
    vd_disk_unwrap(disk);
}
