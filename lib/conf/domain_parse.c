/*
 * domain_parse.c: reading a <domain> into its context: identity, iothreads,
 * memory, controllers, disks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_parse.h"
#include "conf/parse_util.h"
#include "util/error.h"

static int
vd_domain_read_iothreads(vdisk_domain *dom, vd_node *root, vdisk_error **err)
{
    vd_node *n = vd_node_child(root, "iothreads");
    vd_node *ids = vd_node_child(root, "iothreadids");
    unsigned int i;

    dom->iothread_ids = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    if (n) {
        const char *text = vd_node_text(dom->doc, n);
        g_autofree char *trimmed = g_strstrip(g_strdup(text ? text : ""));

        if (!vd_parse_uint(trimmed, 0, &dom->iothreads))
            return vd_fail(err, VDISK_ERR_INVALID, "invalid iothreads count '%s'", trimmed);
    }
    for (n = ids ? vd_node_child(ids, "iothread") : NULL; n;
         n = vd_node_next_sibling(n, "iothread")) {
        unsigned int id;
        const char *s = vd_node_attr(n, "id");

        if (!vd_parse_uint(s, 0, &id) || id == 0)
            return vd_fail(err, VDISK_ERR_INVALID, "invalid iothread id '%s'", s ? s : "");
        g_array_append_val(dom->iothread_ids, id);
    }
    /* like libvirt, the ids not listed are numbered from 1 upwards, skipping
     * the ones in use, until there are as many as <iothreads> says */
    for (i = 1; dom->iothread_ids->len < dom->iothreads; i++) {
        if (!vd_domain_has_iothread(dom, i))
            g_array_append_val(dom->iothread_ids, i);
    }
    if (dom->iothreads < dom->iothread_ids->len)
        dom->iothreads = dom->iothread_ids->len;
    return 0;
}

/* Whether guest memory is shared the way vhost-user devices need it: with
 * no NUMA cells, <memoryBacking><access mode='shared'/>; with cells, each
 * cell shared by its memAccess or by that default. */
static bool
vd_domain_memory_is_shared(vd_node *root)
{
    vd_node *mb = vd_node_child(root, "memoryBacking");
    vd_node *access = mb ? vd_node_child(mb, "access") : NULL;
    bool dflt = g_strcmp0(vd_node_attr(access, "mode"), "shared") == 0;
    vd_node *cpu = vd_node_child(root, "cpu");
    vd_node *numa = cpu ? vd_node_child(cpu, "numa") : NULL;
    vd_node *cell = numa ? vd_node_child(numa, "cell") : NULL;

    if (!cell)
        return dflt;
    for (; cell; cell = vd_node_next_sibling(cell, "cell")) {
        const char *mode = vd_node_attr(cell, "memAccess");

        if (mode ? strcmp(mode, "shared") != 0 : !dflt)
            return false;
    }
    return true;
}

static int
vd_domain_read_controller(vdisk_domain *dom, vd_node *node, vdisk_error **err)
{
    g_autofree vdisk_controller *ctrl = g_new0(vdisk_controller, 1);
    const char *type = vd_node_attr(node, "type");
    const char *index = vd_node_attr(node, "index");
    vd_node *alias = vd_node_child(node, "alias");
    vd_node *addr = vd_node_child(node, "address");
    int t;

    if (!type)
        return vd_fail(err, VDISK_ERR_INVALID, "controller without a type");
    if ((t = vd_controller_type_from_string(type)) < 0)
        return vd_fail(err, VDISK_ERR_INVALID, "unknown controller type '%s'", type);
    ctrl->type = (vdisk_controller_type)t;
    ctrl->node = node;
    ctrl->model = vd_node_attr(node, "model");
    ctrl->alias = alias ? vd_node_attr(alias, "name") : NULL;
    if (index) {
        if (!vd_parse_uint(index, 0, &ctrl->index))
            return vd_fail(err, VDISK_ERR_INVALID, "invalid controller index '%s'", index);
    } else {
        /* libvirt gives a controller without index the first free one */
        while (vd_domain_controller(dom, ctrl->type, ctrl->index))
            ctrl->index++;
    }
    if (addr && g_strcmp0(vd_node_attr(addr, "type"), "pci") == 0) {
        static const char *const names[] = {"domain", "bus", "slot", "function"};
        size_t i;

        ctrl->has_pci = true;
        for (i = 0; i < G_N_ELEMENTS(names); i++) {
            const char *v = vd_node_attr(addr, names[i]);

            if (v && !vd_parse_uint(v, 0, &ctrl->pci[i]))
                return vd_fail(err, VDISK_ERR_INVALID, "invalid controller PCI %s '%s'", names[i],
                               v);
        }
    }
    if (vd_domain_controller(dom, ctrl->type, ctrl->index))
        return vd_fail(err, VDISK_ERR_INVALID, "multiple '%s' controllers with index '%u'", type,
                       ctrl->index);
    g_ptr_array_add(dom->controllers, g_steal_pointer(&ctrl));
    return 0;
}

/* Reads @xml into a new domain context: its identity, iothreads, memory,
 * controllers and disks (wrapped, not yet parsed). */
int
vd_domain_parse(vdisk_domain **out, const char *xml, vdisk_error **err)
{
    g_autoptr(vdisk_domain) dom = NULL;
    vd_node *root;
    vd_node *os;
    vd_node *n;

    dom = g_new0(vdisk_domain, 1);
    dom->disks = g_ptr_array_new_with_free_func(vd_disk_release);
    dom->controllers = g_ptr_array_new_with_free_func(vd_controller_free);
    if (vd_doc_parse(&dom->doc, xml, strlen(xml), "domain XML", err) < 0)
        return -1;
    root = dom->doc->root;
    if (!root || strcmp(root->name, "domain") != 0)
        return vd_fail(err, VDISK_ERR_XML, "expected root element <domain>, found <%s>",
                       root ? root->name : "");

    dom->virt_type = vd_node_attr(root, "type");
    if ((n = vd_node_child(root, "name")))
        dom->name = vd_node_text(dom->doc, n);
    if ((os = vd_node_child(root, "os")) && (n = vd_node_child(os, "type"))) {
        dom->arch = vd_node_attr(n, "arch");
        dom->machine = vd_node_attr(n, "machine");
    }
    if (vd_domain_read_iothreads(dom, root, err) < 0)
        return -1;
    dom->shared_memory = vd_domain_memory_is_shared(root);

    dom->devices = vd_node_child(root, "devices");
    if (!dom->devices) {
        dom->devices = vd_node_new(dom->doc, "devices");
        vd_node_append(root, dom->devices);
    }
    for (n = vd_node_child(dom->devices, "controller"); n;
         n = vd_node_next_sibling(n, "controller")) {
        if (vd_domain_read_controller(dom, n, err) < 0)
            return -1;
    }
    for (n = vd_node_child(dom->devices, "disk"); n; n = vd_node_next_sibling(n, "disk"))
        g_ptr_array_add(dom->disks, vd_disk_wrap(dom->doc, n, dom));

    *out = g_steal_pointer(&dom);
    return 0;
}
