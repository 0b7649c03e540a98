/*
 * domain_parse.c: reading a <domain> into its context: identity, iothreads,
 * memory, controllers, disks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_parse.h"
#include "conf/domain_validate.h"
#include "conf/parse_util.h"
#include "util/error.h"

static gint
vd_uint_cmp(gconstpointer a, gconstpointer b)
{
    unsigned int x = *(const unsigned int *)a;
    unsigned int y = *(const unsigned int *)b;

    return x < y ? -1 : x > y;
}

static int
vd_domain_read_iothreads(vdisk_domain *dom, vd_node *root, vdisk_error **err)
{
    vd_node *n = vd_node_child(root, "iothreads");
    vd_node *ids = vd_node_child(root, "iothreadids");

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
     * the ones in use, until there are as many as <iothreads> says; they
     * are not listed here (<iothreads>1000000000</iothreads> would take a
     * list of a billion): vd_domain_has_iothread() counts them */
    g_array_sort(dom->iothread_ids, vd_uint_cmp);
    for (guint k = 1; k < dom->iothread_ids->len; k++) {
        unsigned int id = g_array_index(dom->iothread_ids, unsigned int, k);

        if (id == g_array_index(dom->iothread_ids, unsigned int, k - 1))
            return vd_fail(err, VDISK_ERR_INVALID, "duplicate iothread id '%u' found", id);
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

/* The startport libvirt gives an ICH9 UHCI companion written without
 * <master>, or -1. */
static int
vd_usb_companion_startport(const char *model)
{
    static const char *const companions[] = {"ich9-uhci1", "ich9-uhci2", "ich9-uhci3"};

    for (size_t i = 0; model && i < G_N_ELEMENTS(companions); i++) {
        if (strcmp(model, companions[i]) == 0)
            return (int)(2 * i);
    }
    return -1;
}

static int
vd_domain_read_controller(vdisk_domain *dom, vd_node *node, vdisk_error **err)
{
    g_autofree vdisk_controller *ctrl = g_new0(vdisk_controller, 1);
    const char *type = vd_node_attr(node, "type");
    const char *index = vd_node_attr(node, "index");
    vd_node *alias = vd_node_child(node, "alias");
    vd_node *addr = vd_node_child(node, "address");
    vd_node *master = vd_node_child(node, "master");
    int t;

    if (!type)
        return vd_fail(err, VDISK_ERR_INVALID, "controller without a type");
    if ((t = vd_controller_type_from_string(type)) < 0)
        return vd_fail(err, VDISK_ERR_INVALID, "unknown controller type '%s'", type);
    ctrl->type = (vdisk_controller_type)t;
    ctrl->node = node;
    ctrl->model = vd_node_attr(node, "model");
    ctrl->alias = alias ? vd_node_attr(alias, "name") : NULL;
    ctrl->master_startport = -1;
    if (index) {
        if (!vd_parse_uint(index, 0, &ctrl->index))
            return vd_fail(err, VDISK_ERR_INVALID, "invalid controller index '%s'", index);
        ctrl->has_index = true;
    }
    if (master) {
        const char *sp = vd_node_attr(master, "startport");
        unsigned int v = 0;

        if (sp && (!vd_parse_uint(sp, 10, &v) || v > G_MAXINT))
            return vd_fail(err, VDISK_ERR_INVALID, "invalid master startport '%s'", sp);
        ctrl->master_startport = (int)v;
    } else if (ctrl->type == VDISK_CONTROLLER_USB) {
        /* libvirt gives a UHCI companion without <master> its usual ports
         * on the EHCI1 master, and formats them */
        ctrl->master_startport = vd_usb_companion_startport(ctrl->model);
        if (ctrl->master_startport >= 0) {
            vd_node *m = vd_node_new(dom->doc, "master");
            char port[16];

            g_snprintf(port, sizeof(port), "%d", ctrl->master_startport);
            vd_node_set_attr(dom->doc, m, "startport", port);
            if (addr)
                vd_node_insert_before(node, m, addr);
            else
                vd_node_append(node, m);
        }
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
    g_ptr_array_add(dom->controllers, g_steal_pointer(&ctrl));
    return 0;
}

/* The USB controllers that have an index, by index and model: whether a
 * USB2 controller may join the group of the one before it. */
static char *
vd_usb_group_key(unsigned int index, const char *model)
{
    /* "INDEX MODEL", or "INDEX" when the model is unset */
    return model ? g_strdup_printf("%u %s", index, model) : g_strdup_printf("%u", index);
}

static GHashTable *
vd_usb_groups_new(const vdisk_domain *dom)
{
    GHashTable *groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < dom->controllers->len; i++) {
        const vdisk_controller *c = dom->controllers->pdata[i];

        if (c->type == VDISK_CONTROLLER_USB && c->has_index)
            g_hash_table_add(groups, vd_usb_group_key(c->index, c->model));
    }
    return groups;
}

/* The order of a controller's first attributes in libvirt's formatter. */
static int
vd_controller_attr_rank(const vd_node *parent, const char *name)
{
    (void)parent;
    if (strcmp(name, "type") == 0)
        return 0;
    if (strcmp(name, "index") == 0)
        return 1;
    if (strcmp(name, "model") == 0)
        return 2;
    return -1;
}

/* libvirt's post-parse index assignment (virDomainDefPostParseControllers
 * in 9.0's domain_postparse.c): a controller written without an index gets
 * the lowest unused one of its type, except a USB2 controller that follows
 * a USB2 controller: it joins that controller's group unless the group
 * already has its model. Then, as libvirt checks, no two controllers of a
 * type other than USB share an index. */
static int
vd_domain_assign_controller_indexes(vdisk_domain *dom, vdisk_error **err)
{
    char num[16];
    guint i;
    /* the lowest index of each type that no controller written with one
     * has and none was given yet: it only grows, as indexes are only
     * given, so it moves along the written ones sorted by type and index */
    unsigned int lowest[VDISK_CONTROLLER_LAST] = {0};
    guint at[VDISK_CONTROLLER_LAST];
    const vd_controller_key *keys = NULL;
    guint nkeys = 0;
    /* the USB controller before the one at hand, and the USB groups */
    const vdisk_controller *last_usb = NULL;
    g_autoptr(GHashTable) usb_groups = NULL;
    bool any_missing;

    for (i = 0; i < dom->controllers->len; i++) {
        if (!((const vdisk_controller *)dom->controllers->pdata[i])->has_index)
            break;
    }
    any_missing = i < dom->controllers->len;
    if (any_missing) {
        /* one is written without an index */
        vd_domain_index_controllers(dom);
        keys = (const vd_controller_key *)dom->controller_index->data;
        nkeys = dom->controller_index->len;
    }
    for (unsigned int t = 0, k = 0; t < VDISK_CONTROLLER_LAST; t++) {
        while (k < nkeys && keys[k].type < t)
            k++;
        at[t] = k;
    }
    /* indexes change here: look-ups walk the controllers until they are
     * indexed again */
    dom->controllers_indexed = false;
    for (i = 0; i < dom->controllers->len; i++) {
        vdisk_controller *ctrl = dom->controllers->pdata[i];
        const vdisk_controller *prev = NULL;

        if (ctrl->type == VDISK_CONTROLLER_USB && !usb_groups && any_missing)
            usb_groups = vd_usb_groups_new(dom);
        if (ctrl->has_index) {
            if (ctrl->type == VDISK_CONTROLLER_USB)
                last_usb = ctrl;
            continue;
        }
        if (vd_controller_is_usb2(ctrl) && (prev = last_usb)) {
            g_autofree char *key = vd_usb_group_key(prev->index, ctrl->model);

            if (!vd_controller_is_usb2(prev) || !prev->has_index ||
                g_hash_table_contains(usb_groups, key))
                prev = NULL;
        }
        if (ctrl->type == VDISK_CONTROLLER_USB)
            last_usb = ctrl;
        if (prev) {
            ctrl->index = prev->index;
        } else {
            unsigned int t = (unsigned int)ctrl->type;
            unsigned int x = lowest[t];

            for (; at[t] < nkeys && keys[at[t]].type == t && keys[at[t]].index <= x; at[t]++) {
                if (keys[at[t]].index == x)
                    x++;
            }
            ctrl->index = x;
            lowest[t] = x + 1;
        }
        ctrl->has_index = true;
        if (usb_groups && ctrl->type == VDISK_CONTROLLER_USB)
            g_hash_table_add(usb_groups, vd_usb_group_key(ctrl->index, ctrl->model));
        /* libvirt formats the index it gave, after the type */
        g_snprintf(num, sizeof(num), "%u", ctrl->index);
        vd_node_set_attr(dom->doc, ctrl->node, "index", num);
        vd_node_sort_attrs(ctrl->node, vd_controller_attr_rank);
    }
    vd_domain_index_controllers(dom);
    {
        /* the first controller in order that repeats an earlier one's type
         * and index: the second of a run of equal keys, which the index
         * sorts by position */
        guint dup = G_MAXUINT;

        keys = (const vd_controller_key *)dom->controller_index->data;

        for (i = 1; i < dom->controller_index->len; i++) {
            if (keys[i].type == (unsigned int)VDISK_CONTROLLER_USB ||
                keys[i].type != keys[i - 1].type || keys[i].index != keys[i - 1].index)
                continue;
            if (keys[i].pos < dup)
                dup = keys[i].pos;
            while (i + 1 < dom->controller_index->len && keys[i + 1].type == keys[i].type &&
                   keys[i + 1].index == keys[i].index)
                i++;
        }
        if (dup != G_MAXUINT) {
            const vdisk_controller *ctrl = dom->controllers->pdata[dup];

            return vd_fail(err, VDISK_ERR_INVALID, "multiple '%s' controllers with index '%u'",
                           vd_node_attr(ctrl->node, "type"), ctrl->index);
        }
    }
    return 0;
}

/* libvirt's parser: USB controllers need a master among them. */
static int
vd_domain_check_usb_master(const vdisk_domain *dom, vdisk_error **err)
{
    bool usb = false;

    for (guint i = 0; i < dom->controllers->len; i++) {
        const vdisk_controller *c = dom->controllers->pdata[i];

        if (c->type != VDISK_CONTROLLER_USB || g_strcmp0(c->model, "none") == 0)
            continue;
        if (c->master_startport < 0)
            return 0;
        usb = true;
    }
    if (usb)
        return vd_fail(err, VDISK_ERR_INVALID, "no master USB controller specified");
    return 0;
}

/* The drive addresses SCSI <hostdev>s give themselves: libvirt refuses a
 * disk whose name maps to one of them. */
static void
vd_domain_read_scsi_hostdevs(vdisk_domain *dom)
{
    static const char *const names[] = {"controller", "bus", "target", "unit"};
    vd_node *h;

    dom->scsi_hostdev_drives = g_array_new(FALSE, TRUE, sizeof(vd_drive_addr));
    for (h = vd_node_child(dom->devices, "hostdev"); h; h = vd_node_next_sibling(h, "hostdev")) {
        vd_node *a = vd_node_child(h, "address");
        vd_drive_addr d = {{0, 0, 0, 0}};
        size_t i;

        if (g_strcmp0(vd_node_attr(h, "mode"), "capabilities") == 0 ||
            g_strcmp0(vd_node_attr(h, "type"), "scsi") != 0 ||
            g_strcmp0(vd_node_attr(a, "type"), "drive") != 0)
            continue;
        for (i = 0; i < G_N_ELEMENTS(names); i++) {
            const char *s = vd_node_attr(a, names[i]);

            if (s && !vd_parse_uint(s, 0, &d.v[i]))
                break;
        }
        if (i == G_N_ELEMENTS(names))
            g_array_append_val(dom->scsi_hostdev_drives, d);
    }
}

/* The limits that apply while the XML is read, to each <disk> of
 * <domain><devices> as soon as it is whole: a domain they refuse is refused
 * before the rest of it is built. @ctx: the pipeline's flags. */
static int
vd_domain_check_read(void *ctx, const vd_node *node, unsigned int depth, vdisk_error **err)
{
    unsigned int flags = *(const unsigned int *)ctx;
    const vd_node *devices = node->parent;

    if (depth != 3 || strcmp(node->name, "disk") != 0 || strcmp(devices->name, "devices") != 0 ||
        strcmp(devices->parent->name, "domain") != 0)
        return 0;
    return vd_domain_check_read_disk(node, !(flags & VDISK_PARSE_NO_DEFAULTS), err);
}

/* Reads @xml into a new domain context: its identity, iothreads, memory,
 * controllers and disks (wrapped, not yet parsed). */
int
vd_domain_parse(vdisk_domain **out, const char *xml, unsigned int flags, vdisk_error **err)
{
    g_autoptr(vdisk_domain) dom = NULL;
    vd_node *root;
    vd_node *os;
    vd_node *n;
    int rc;

    dom = g_new0(vdisk_domain, 1);
    dom->disks = g_ptr_array_new_with_free_func(vd_disk_release);
    dom->controllers = g_ptr_array_new_with_free_func(vd_controller_free);
    if (flags & VDISK_PARSE_NO_VALIDATE)
        rc = vd_doc_parse(&dom->doc, xml, strlen(xml), "domain XML", err);
    else
        rc = vd_doc_parse_checked(&dom->doc, xml, strlen(xml), "domain XML", vd_domain_check_read,
                                  &flags, err);
    if (rc < 0)
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
    vd_domain_order_controllers(dom);
    vd_domain_read_scsi_hostdevs(dom);
    if (vd_domain_assign_controller_indexes(dom, err) < 0 ||
        vd_domain_check_usb_master(dom, err) < 0)
        return -1;
    for (n = vd_node_child(dom->devices, "disk"); n; n = vd_node_next_sibling(n, "disk"))
        g_ptr_array_add(dom->disks, vd_disk_wrap(dom->doc, n, dom));

    *out = g_steal_pointer(&dom);
    return 0;
}
