/*
 * domain.c: the domain context object: its accessors and its disks and controllers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/domain_priv.h"
#include "conf/parse_util.h"
#include "util/error.h"

/* The machine types translation knows: a name and the prefix of its
 * versioned names (pc-i440fx-7.2, ...). */
typedef enum {
    VD_FAMILY_PC,
    VD_FAMILY_Q35,
    VD_FAMILY_VIRT,
    VD_FAMILY_VEXPRESS,
    VD_FAMILY_PSERIES,
    VD_FAMILY_S390_CCW,
    VD_FAMILY_LAST
} vd_machine_family;

static const struct {
    const char *name;   /* NULL: versioned names only */
    const char *prefix; /* the versioned names */
} vd_machine_families[] = {
    [VD_FAMILY_PC] = {"pc", "pc-i440fx-"},
    [VD_FAMILY_Q35] = {"q35", "pc-q35-"},
    [VD_FAMILY_VIRT] = {"virt", "virt-"},
    [VD_FAMILY_VEXPRESS] = {NULL, "vexpress-"},
    [VD_FAMILY_PSERIES] = {"pseries", "pseries-"},
    [VD_FAMILY_S390_CCW] = {"s390-ccw-virtio", "s390-ccw-virtio-"},
};
G_STATIC_ASSERT(G_N_ELEMENTS(vd_machine_families) == VD_FAMILY_LAST);

static bool
vd_machine_in(const char *machine, vd_machine_family family)
{
    return machine && ((vd_machine_families[family].name &&
                        strcmp(machine, vd_machine_families[family].name) == 0) ||
                       (g_str_has_prefix(machine, vd_machine_families[family].prefix) &&
                        machine[strlen(vd_machine_families[family].prefix)]));
}

bool
vd_machine_known(const char *machine)
{
    int f;

    for (f = 0; f < VD_FAMILY_LAST; f++) {
        if (vd_machine_in(machine, (vd_machine_family)f))
            return true;
    }
    return false;
}

char *
vd_machine_known_names(void)
{
    GString *s = g_string_new(NULL);
    int f;

    for (f = 0; f < VD_FAMILY_LAST; f++) {
        if (vd_machine_families[f].name)
            g_string_append_printf(s, "%s%s", s->len ? ", " : "", vd_machine_families[f].name);
        g_string_append_printf(s, "%s%s*", s->len ? ", " : "", vd_machine_families[f].prefix);
    }
    return g_string_free(s, FALSE);
}

vd_machine
vd_machine_of(const char *arch, const char *machine)
{
    bool virt = vd_machine_in(machine, VD_FAMILY_VIRT);

    if (!arch || strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0) {
        if (vd_machine_in(machine, VD_FAMILY_Q35))
            return VD_MACHINE_Q35;
        if (vd_machine_in(machine, VD_FAMILY_PC))
            return VD_MACHINE_PC;
        return VD_MACHINE_OTHER;
    }
    if (strcmp(arch, "aarch64") == 0 || strcmp(arch, "armv7l") == 0 ||
        strcmp(arch, "armv6l") == 0) {
        if (virt)
            return VD_MACHINE_ARM_VIRT;
        if (vd_machine_in(machine, VD_FAMILY_VEXPRESS))
            return VD_MACHINE_VEXPRESS;
        return VD_MACHINE_OTHER;
    }
    if (g_str_has_prefix(arch, "riscv"))
        return virt ? VD_MACHINE_RISCV_VIRT : VD_MACHINE_OTHER;
    if ((strcmp(arch, "ppc64") == 0 || strcmp(arch, "ppc64le") == 0) &&
        vd_machine_in(machine, VD_FAMILY_PSERIES))
        return VD_MACHINE_PSERIES;
    return VD_MACHINE_OTHER;
}

vd_machine
vd_domain_machine(const vdisk_domain *dom)
{
    return dom ? vd_machine_of(dom->arch, dom->machine) : VD_MACHINE_OTHER;
}

const char *
vd_domain_default_scsi_model(const vdisk_domain *dom)
{
    if (vd_domain_machine(dom) == VD_MACHINE_PSERIES)
        return "ibmvscsi";
    if (dom && dom->arch && g_str_has_prefix(dom->arch, "s390"))
        return "virtio-scsi";
    /* every other QEMU 7.2 system emulator has lsi53c895a */
    return "lsilogic";
}

const char *
vd_domain_default_usb_model(const vdisk_domain *dom)
{
    const char *arch = dom ? dom->arch : NULL;

    if (vdisk_domain_is_q35(dom) || g_strcmp0(arch, "aarch64") == 0 ||
        g_strcmp0(arch, "ppc64") == 0 || g_strcmp0(arch, "ppc64le") == 0)
        return "qemu-xhci";
    return "piix3-uhci";
}

void
vd_controller_free(gpointer p)
{
    g_free(p);
}

void
vd_disk_release(gpointer p)
{
    vd_disk_unwrap(p);
}

void
vdisk_domain_free(vdisk_domain *dom)
{
    if (!dom)
        return;
    if (dom->disks)
        g_ptr_array_free(dom->disks, TRUE);
    if (dom->controllers)
        g_ptr_array_free(dom->controllers, TRUE);
    if (dom->controller_index)
        g_array_free(dom->controller_index, TRUE);
    if (dom->iothread_ids)
        g_array_free(dom->iothread_ids, TRUE);
    if (dom->scsi_hostdev_drives)
        g_array_free(dom->scsi_hostdev_drives, TRUE);
    vd_doc_unref(dom->doc);
    g_free(dom);
}


int
vdisk_domain_to_xml(char **out, const vdisk_domain *dom, vdisk_error **err)
{
    GString *buf;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    /* the output is about the size of the input, defaults added: one
     * allocation, instead of doubling up to it */
    buf = g_string_sized_new(MAX(4096, dom->doc->input_bytes + dom->doc->input_bytes / 4));
    vd_node_format(buf, dom->doc->root, 0);
    *out = g_string_free(buf, FALSE);
    return 0;
}

const char *
vdisk_domain_get_name(const vdisk_domain *dom)
{
    return dom ? dom->name : NULL;
}

const char *
vdisk_domain_get_virt_type(const vdisk_domain *dom)
{
    return dom ? dom->virt_type : NULL;
}

const char *
vdisk_domain_get_arch(const vdisk_domain *dom)
{
    return dom ? dom->arch : NULL;
}

const char *
vdisk_domain_get_machine(const vdisk_domain *dom)
{
    return dom ? dom->machine : NULL;
}

int
vdisk_domain_is_q35(const vdisk_domain *dom)
{
    if (!dom || !dom->machine)
        return 0;
    return strcmp(dom->machine, "q35") == 0 || g_str_has_prefix(dom->machine, "pc-q35-");
}

unsigned int
vdisk_domain_get_iothreads(const vdisk_domain *dom)
{
    return dom ? dom->iothreads : 0;
}

bool
vd_domain_has_iothread(const vdisk_domain *dom, unsigned int id)
{
    const GArray *ids = dom ? dom->iothread_ids : NULL;
    guint lo = 0, hi;

    if (!ids || id == 0)
        return false;
    /* the listed ids, sorted: how many are <= @id, and is @id one */
    hi = ids->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;

        if (g_array_index(ids, unsigned int, mid) <= id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && g_array_index(ids, unsigned int, lo - 1) == id)
        return true;
    /* the others take 1, 2, ... skipping the listed ones: @id is the
     * (id - lo)th of them, which exists while <iothreads> leaves room */
    return (unsigned long long)(id - lo) <= (unsigned long long)dom->iothreads - ids->len;
}

#define VD_QEMU_NS_URI "http://libvirt.org/schemas/domain/qemu/1.0"

/* Whether element @node is @local in libvirt's QEMU namespace: its prefix
 * (or the default namespace) declared with that URI on it or an ancestor. */
static bool
vd_is_qemu_ns_element(const vd_node *node, const char *local)
{
    const char *colon;
    g_autofree char *decl = NULL;
    const vd_node *n;

    if (node->kind != VD_NODE_ELEMENT || !node->name)
        return false;
    colon = strchr(node->name, ':');
    if (strcmp(colon ? colon + 1 : node->name, local) != 0)
        return false;
    decl = colon ? g_strdup_printf("xmlns:%.*s", (int)(colon - node->name), node->name)
                 : g_strdup("xmlns");
    for (n = node; n; n = n->parent) {
        const char *uri = n->kind == VD_NODE_ELEMENT ? vd_node_attr(n, decl) : NULL;

        if (uri)
            return strcmp(uri, VD_QEMU_NS_URI) == 0;
    }
    return false;
}

static const char *const vd_qemu_override_types[] = {
    [VD_QEMU_OVERRIDE_STRING] = "string", [VD_QEMU_OVERRIDE_SIGNED] = "signed",
    [VD_QEMU_OVERRIDE_UNSIGNED] = "unsigned", [VD_QEMU_OVERRIDE_BOOL] = "bool",
    [VD_QEMU_OVERRIDE_REMOVE] = "remove",
};

/* One <qemu:property>, checked as libvirt's namespace parser checks it
 * (qemuDomainDefNamespaceParseOverrideProperties). */
static int
vd_qemu_override_read(const vd_node *p, vd_qemu_override *out, vdisk_error **err)
{
    const char *type = vd_node_attr(p, "type");
    long long ll;
    unsigned long long ull;
    char *end = NULL;

    memset(out, 0, sizeof(*out));
    out->name = vd_node_attr(p, "name");
    out->value = vd_node_attr(p, "value");
    if (!out->name)
        return vd_fail(err, VDISK_ERR_INVALID, "missing 'name' attribute for qemu:property");
    if (strcmp(out->name, "id") == 0)
        return vd_fail(err, VDISK_ERR_INVALID, "property with name 'id' can't be overridden");
    if (!type)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "missing required attribute 'type' of qemu:property '%s'", out->name);
    for (size_t i = 1; i < G_N_ELEMENTS(vd_qemu_override_types); i++) {
        if (strcmp(type, vd_qemu_override_types[i]) == 0)
            out->type = (vd_qemu_override_type)i;
    }
    if (!out->type)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "invalid value for attribute 'type' of qemu:property '%s': '%s'",
                       out->name, type);
    if (!out->value && out->type != VD_QEMU_OVERRIDE_REMOVE)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "missing 'value' attribute for 'qemu:property' '%s'", out->name);
    switch (out->type) {
    case VD_QEMU_OVERRIDE_SIGNED:
        errno = 0;
        ll = strtoll(out->value, &end, 10);
        if (end == out->value || *end || errno)
            goto invalid;
        (void)ll;
        break;
    case VD_QEMU_OVERRIDE_UNSIGNED:
        if (!vd_parse_ull(out->value, 10, &ull))
            goto invalid;
        break;
    case VD_QEMU_OVERRIDE_BOOL:
        if (strcmp(out->value, "true") != 0 && strcmp(out->value, "false") != 0)
            goto invalid;
        break;
    case VD_QEMU_OVERRIDE_REMOVE:
        if (out->value)
            return vd_fail(err, VDISK_ERR_INVALID,
                           "setting 'value' attribute of 'qemu:property' '%s' doesn't make sense "
                           "with 'remove' type",
                           out->name);
        break;
    case VD_QEMU_OVERRIDE_STRING:
    case VD_QEMU_OVERRIDE_NONE:
        break;
    }
    return 0;

invalid:
    return vd_fail(err, VDISK_ERR_INVALID,
                   "invalid value '%s' of 'value' attribute of 'qemu:property' '%s'", out->value,
                   out->name);
}

void
vd_domain_note_overrides(vdisk_domain *dom)
{
    const vd_node *o;

    dom->has_overrides = false;
    for (o = dom->doc->root->children; o && !dom->has_overrides; o = o->next)
        dom->has_overrides = vd_is_qemu_ns_element(o, "override");
    dom->overrides_gen = dom->doc->root->gen;
    dom->overrides_known = true;
}

bool
vd_domain_may_have_overrides(const vdisk_domain *dom)
{
    if (!dom || !dom->doc || !dom->doc->root)
        return false;
    return !dom->overrides_known || dom->overrides_gen != dom->doc->root->gen || dom->has_overrides;
}

int
vd_domain_qemu_device_overrides(const vdisk_domain *dom, const char *alias, GArray *out,
                                vdisk_error **err)
{
    const vd_node *o;

    if (!vd_domain_may_have_overrides(dom))
        return 0;
    /* libvirt: ./qemu:override/qemu:device, then ./qemu:frontend/qemu:property
     * of each, in document order */
    for (o = dom->doc->root->children; o; o = o->next) {
        if (!vd_is_qemu_ns_element(o, "override"))
            continue;
        for (const vd_node *d = o->children; d; d = d->next) {
            const char *a;

            if (!vd_is_qemu_ns_element(d, "device"))
                continue;
            if (!(a = vd_node_attr(d, "alias")))
                return vd_fail(err, VDISK_ERR_INVALID,
                               "missing 'alias' attribute for qemu:device");
            for (const vd_node *f = d->children; f; f = f->next) {
                if (!vd_is_qemu_ns_element(f, "frontend"))
                    continue;
                for (const vd_node *p = f->children; p; p = p->next) {
                    vd_qemu_override prop;

                    if (!vd_is_qemu_ns_element(p, "property"))
                        continue;
                    if (vd_qemu_override_read(p, &prop, err) < 0)
                        return -1;
                    if (out && alias && strcmp(a, alias) == 0)
                        g_array_append_val(out, prop);
                }
            }
        }
    }
    return 0;
}

void
vd_domain_get_boot(const vdisk_domain *dom, vd_domain_boot *out)
{
    vd_node *os;
    vd_node *boot;
    vd_node *dev;
    unsigned int i = 0;

    memset(out, 0, sizeof(*out));
    if (!dom || !dom->doc || !dom->doc->root || !(os = vd_node_child(dom->doc->root, "os")))
        return;
    out->os = true;
    for (boot = vd_node_child(os, "boot"); boot; boot = vd_node_next_sibling(boot, "boot")) {
        const char *name = vd_node_attr(boot, "dev");

        out->os_boot = true;
        i++;
        if (!name)
            continue;
        if (strcmp(name, "hd") == 0)
            out->hd = i;
        else if (strcmp(name, "cdrom") == 0)
            out->cdrom = i;
        else if (strcmp(name, "fd") == 0)
            out->fd = i;
        else if (strcmp(name, "network") == 0)
            out->network = i;
    }
    for (dev = dom->devices ? dom->devices->children : NULL; dev; dev = dev->next) {
        if (dev->name && vd_node_child(dev, "boot")) {
            out->device_boot = true;
            break;
        }
    }
}

size_t
vdisk_domain_get_disk_count(const vdisk_domain *dom)
{
    return dom ? dom->disks->len : 0;
}

vdisk_disk *
vdisk_domain_get_disk(vdisk_domain *dom, size_t i)
{
    if (!dom || i >= dom->disks->len)
        return NULL;
    return dom->disks->pdata[i];
}

const vdisk_disk *
vdisk_domain_get_disk_const(const vdisk_domain *dom, size_t i)
{
    if (!dom || i >= dom->disks->len)
        return NULL;
    return dom->disks->pdata[i];
}

const char *
vd_disk_target(const vdisk_disk *disk)
{
    return vd_node_attr(vd_disk_child_named(disk, "target"), "dev");
}

gint
vd_domain_find_index(const vdisk_domain *dom, const char *target)
{
    guint i;

    for (i = 0; target && i < dom->disks->len; i++) {
        if (g_strcmp0(vd_disk_target(dom->disks->pdata[i]), target) == 0)
            return (gint)i;
    }
    return -1;
}

vdisk_disk *
vdisk_domain_find_disk(vdisk_domain *dom, const char *target)
{
    gint i;

    if (!dom || (i = vd_domain_find_index(dom, target)) < 0)
        return NULL;
    return dom->disks->pdata[i];
}

int
vdisk_domain_remove_disk(vdisk_domain *dom, const char *target, vdisk_error **err)
{
    gint i;
    vdisk_disk *disk;

    VD_API_ENTER();
    if (!dom || !target)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no %s given", dom ? "target" : "domain");
    if ((i = vd_domain_find_index(dom, target)) < 0)
        return vd_fail(err, VDISK_ERR_NOT_FOUND, "no disk with target '%s'", target);
    disk = dom->disks->pdata[i];
    vd_node_unlink(disk->node);
    g_ptr_array_remove_index(dom->disks, (guint)i);
    return 0;
}

size_t
vdisk_domain_get_controller_count(const vdisk_domain *dom)
{
    return dom ? dom->controllers->len : 0;
}

const vdisk_controller *
vdisk_domain_get_controller(const vdisk_domain *dom, size_t i)
{
    if (!dom || i >= dom->controllers->len)
        return NULL;
    return dom->controllers->pdata[i];
}

static int
vd_controller_key_cmp(const void *pa, const void *pb)
{
    const vd_controller_key *a = pa;
    const vd_controller_key *b = pb;

    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return a->pos < b->pos ? -1 : (a->pos > b->pos ? 1 : 0);
}

void
vd_domain_index_controllers(vdisk_domain *dom)
{
    guint i;

    if (!dom->controller_index)
        dom->controller_index = g_array_new(FALSE, FALSE, sizeof(vd_controller_key));
    g_array_set_size(dom->controller_index, 0);
    for (i = 0; i < dom->controllers->len; i++) {
        const vdisk_controller *c = dom->controllers->pdata[i];
        vd_controller_key k = {(unsigned int)c->type, c->index, i};

        if (c->has_index)
            g_array_append_val(dom->controller_index, k);
    }
    if (dom->controller_index->len > 1)
        qsort(dom->controller_index->data, dom->controller_index->len, sizeof(vd_controller_key),
              vd_controller_key_cmp);
    dom->controllers_indexed = true;
}

/* The position of the first key of the index not below (@type, @index). */
static guint
vd_controller_key_lower_bound(const vdisk_domain *dom, unsigned int type, unsigned int index)
{
    const vd_controller_key *keys = (const vd_controller_key *)dom->controller_index->data;
    guint lo = 0;
    guint hi = dom->controller_index->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;

        if (keys[mid].type < type || (keys[mid].type == type && keys[mid].index < index))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first controller of @type and @index in dom->controllers, by a
 * binary search of the index. */
static const vdisk_controller *
vd_domain_controller_indexed(const vdisk_domain *dom, vdisk_controller_type type,
                             unsigned int index)
{
    const vd_controller_key *keys = (const vd_controller_key *)dom->controller_index->data;
    guint at = vd_controller_key_lower_bound(dom, (unsigned int)type, index);

    if (at < dom->controller_index->len && keys[at].type == (unsigned int)type &&
        keys[at].index == index)
        return dom->controllers->pdata[keys[at].pos];
    return NULL;
}

const vdisk_controller *
vd_domain_controller(const vdisk_domain *dom, vdisk_controller_type type, unsigned int index)
{
    guint i;

    if (!dom)
        return NULL;
    if (dom->controllers_indexed)
        return vd_domain_controller_indexed(dom, type, index);
    for (i = 0; i < dom->controllers->len; i++) {
        const vdisk_controller *c = dom->controllers->pdata[i];

        if (c->type == type && c->has_index && c->index == index)
            return c;
    }
    return NULL;
}

const vdisk_controller *
vdisk_domain_find_controller(const vdisk_domain *dom, vdisk_controller_type type,
                             unsigned int index)
{
    return vd_domain_controller(dom, type, index);
}

vdisk_controller_type
vdisk_controller_get_type(const vdisk_controller *ctrl)
{
    return ctrl ? ctrl->type : VDISK_CONTROLLER_LAST;
}

unsigned int
vdisk_controller_get_index(const vdisk_controller *ctrl)
{
    return ctrl ? ctrl->index : 0;
}

const char *
vdisk_controller_get_model(const vdisk_controller *ctrl)
{
    return ctrl ? ctrl->model : NULL;
}

const char *
vdisk_controller_get_alias(const vdisk_controller *ctrl)
{
    return ctrl ? ctrl->alias : NULL;
}

int
vdisk_controller_get_address_pci(const vdisk_controller *ctrl, unsigned int *domain,
                                 unsigned int *bus, unsigned int *slot, unsigned int *function)
{
    if (!ctrl || !ctrl->has_pci)
        return -1;
    if (domain)
        *domain = ctrl->pci[0];
    if (bus)
        *bus = ctrl->pci[1];
    if (slot)
        *slot = ctrl->pci[2];
    if (function)
        *function = ctrl->pci[3];
    return 0;
}

void
vd_domain_add_controller(vdisk_domain *dom, vdisk_controller_type type, unsigned int index,
                         const char *model)
{
    vdisk_controller *ctrl;

    if (vd_domain_controller(dom, type, index))
        return;
    ctrl = g_new0(vdisk_controller, 1);
    ctrl->type = type;
    ctrl->index = index;
    ctrl->has_index = true;
    ctrl->model = model;
    ctrl->implicit = true;
    ctrl->master_startport = -1;
    g_ptr_array_add(dom->controllers, ctrl);
    if (dom->controllers_indexed) {
        /* the only one of its type and index: its key goes where the
         * search for it ends */
        vd_controller_key k = {(unsigned int)type, index, dom->controllers->len - 1};

        g_array_insert_val(dom->controller_index,
                           vd_controller_key_lower_bound(dom, (unsigned int)type, index), k);
    }
}

bool
vd_controller_is_usb2(const vdisk_controller *ctrl)
{
    return ctrl->type == VDISK_CONTROLLER_USB && ctrl->model &&
           (strcmp(ctrl->model, "ich9-ehci1") == 0 || strcmp(ctrl->model, "ich9-uhci1") == 0 ||
            strcmp(ctrl->model, "ich9-uhci2") == 0 || strcmp(ctrl->model, "ich9-uhci3") == 0);
}

/* The order libvirt keeps the indexed controllers of one type in: by
 * index, a master before its companions of the same index. */
static guint64
vd_controller_order_key(const vdisk_controller *ctrl)
{
    return (guint64)ctrl->index * 2 + (ctrl->master_startport >= 0);
}

/* One controller while vd_domain_order_controllers() places it. */
typedef struct vd_ctrl_slot vd_ctrl_slot;
struct vd_ctrl_slot {
    vdisk_controller *ctrl;
    guint64 key;        /* vd_controller_order_key() */
    guint rank;         /* in the indexed controllers sorted by (type, key, seq) */
    guint seq;          /* document order */
    vd_ctrl_slot *prev; /* in its type's run */
    vd_ctrl_slot *next;
};

static int
vd_ctrl_slot_cmp(const void *pa, const void *pb)
{
    const vd_ctrl_slot *a = *(vd_ctrl_slot *const *)pa;
    const vd_ctrl_slot *b = *(vd_ctrl_slot *const *)pb;

    if (a->ctrl->type != b->ctrl->type)
        return a->ctrl->type < b->ctrl->type ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq ? 1 : 0);
}

/* The first rank at or after @from marked in Fenwick tree @tree of @n
 * ranks (1-based counts), or @n when none is. */
static guint
vd_fenwick_next(const guint *tree, guint n, guint from)
{
    guint before = 0;
    guint pos = 0;
    guint step = 1;

    for (guint i = from; i > 0; i &= i - 1)
        before += tree[i];
    /* the (before + 1)-th marked rank */
    while (step * 2 <= n)
        step *= 2;
    for (; step; step /= 2) {
        if (pos + step <= n && tree[pos + step] <= before) {
            pos += step;
            before -= tree[pos];
        }
    }
    return pos; /* 0-based rank, n when there are not enough */
}

void
vd_domain_order_controllers(vdisk_domain *dom)
{
    guint n = dom->controllers->len;
    g_autofree vd_ctrl_slot *slots = NULL;
    g_autofree vd_ctrl_slot **sorted = NULL;
    g_autofree guint *tree = NULL;
    vd_ctrl_slot *head[VDISK_CONTROLLER_LAST] = {NULL};
    vd_ctrl_slot *tail[VDISK_CONTROLLER_LAST] = {NULL};
    unsigned int types[VDISK_CONTROLLER_LAST];
    unsigned int ntypes = 0;
    guint nindexed = 0;
    guint out = 0;

    if (n < 2)
        return;
    slots = g_new0(vd_ctrl_slot, n);
    sorted = g_new(vd_ctrl_slot *, n);
    for (guint i = 0; i < n; i++) {
        slots[i].ctrl = dom->controllers->pdata[i];
        slots[i].key = vd_controller_order_key(slots[i].ctrl);
        slots[i].seq = i;
        if (slots[i].ctrl->has_index)
            sorted[nindexed++] = &slots[i];
    }
    qsort(sorted, nindexed, sizeof(*sorted), vd_ctrl_slot_cmp);
    for (guint r = 0; r < nindexed; r++)
        sorted[r]->rank = r;
    tree = g_new0(guint, nindexed + 1);

    /* Each controller in document order goes where libvirt's
     * virDomainControllerInsertPreAlloced() puts it, given those before:
     * the first of its type after all others; one without an index after
     * the last of its type; else before the first of its type whose index
     * is higher (or, for a master, equal on a companion), else after the
     * last of its type. So each type keeps one run, the runs stay in the
     * order their types first appear, and the indexed controllers of a
     * run stay sorted by (key, seq): the one to go before is the next
     * placed indexed controller in that order. */
    for (guint i = 0; i < n; i++) {
        vd_ctrl_slot *s = &slots[i];
        unsigned int t = (unsigned int)s->ctrl->type;
        vd_ctrl_slot *before = NULL;

        if (!head[t]) {
            types[ntypes++] = t;
            head[t] = tail[t] = s;
        } else {
            if (s->ctrl->has_index) {
                /* the first rank of this type whose key is above the
                 * threshold, by binary search from this one's rank */
                guint lo = s->rank + 1;
                guint hi = nindexed;
                guint next;

                while (lo < hi) {
                    guint mid = lo + (hi - lo) / 2;
                    const vd_ctrl_slot *m = sorted[mid];

                    if ((unsigned int)m->ctrl->type == t && m->key <= s->key)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                next = vd_fenwick_next(tree, nindexed, lo);
                if (next < nindexed && (unsigned int)sorted[next]->ctrl->type == t)
                    before = sorted[next];
            }
            if (before) {
                s->next = before;
                s->prev = before->prev;
                if (before->prev)
                    before->prev->next = s;
                else
                    head[t] = s;
                before->prev = s;
            } else {
                s->prev = tail[t];
                tail[t]->next = s;
                tail[t] = s;
            }
        }
        if (s->ctrl->has_index) {
            for (guint j = s->rank + 1; j <= nindexed; j += j & -j)
                tree[j]++;
        }
    }
    for (unsigned int k = 0; k < ntypes; k++) {
        for (vd_ctrl_slot *s = head[types[k]]; s; s = s->next)
            dom->controllers->pdata[out++] = s->ctrl;
    }
    /* positions move: indexed again once all are read */
    dom->controllers_indexed = false;
}

/* Reads a drive address: 0 and the four numbers, -1 when the disk has none. */
int
vd_disk_drive_address(const vdisk_disk *disk, unsigned int v[4])
{
    static const char *const names[] = {"controller", "bus", "target", "unit"};
    const vd_node *addr = vd_disk_child_named(disk, "address");
    size_t i;

    if (!addr || g_strcmp0(vd_node_attr(addr, "type"), "drive") != 0)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        const char *s = vd_node_attr(addr, names[i]);

        v[i] = 0;
        if (s && !vd_parse_uint(s, 0, &v[i]))
            v[i] = 0;
    }
    return 0;
}

const char *
vd_disk_bus(const vdisk_disk *disk)
{
    return vd_node_attr(vd_disk_child_named(disk, "target"), "bus");
}

const char *
vd_disk_source_desc(const vdisk_disk *disk)
{
    static const char *const attrs[] = {"file", "dev", "dir", "name", "volume"};
    const vd_node *src = vd_disk_child_named(disk, "source");
    size_t i;

    for (i = 0; src && i < G_N_ELEMENTS(attrs); i++) {
        const char *v = vd_node_attr(src, attrs[i]);

        if (v)
            return v;
    }
    return "<null>";
}
