/*
 * domain.c: the domain context disk work needs, read from <domain> XML
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_priv.h"
#include "conf/domain_address.h"
#include "conf/target_priv.h"
#include "conf/parse_util.h"
#include "util/error.h"

VD_ENUM_IMPL(vd_controller_type, VDISK_CONTROLLER_LAST, "ide", "fdc", "scsi", "sata",
             "virtio-serial", "ccid", "usb", "pci", "xenbus", "isa");

static void vd_domain_sort_disks(vdisk_domain *dom);
static void vd_domain_place_new_disk(vdisk_domain *dom);
static int vd_domain_validate_boot_order(const vdisk_domain *dom, vdisk_error **err);

static void
vd_controller_free(gpointer p)
{
    g_free(p);
}

static void
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
    if (dom->iothread_ids)
        g_array_free(dom->iothread_ids, TRUE);
    vd_doc_unref(dom->doc);
    g_free(dom);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_domain, vdisk_domain_free)

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

static int
vd_domain_from_xml_impl(vdisk_domain **out, const char *xml, unsigned int flags, vdisk_error **err)
{
    g_autoptr(vdisk_domain) dom = NULL;
    vd_node *root;
    vd_node *os;
    vd_node *n;
    size_t i;

    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (!xml)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no XML given");
    if (flags & ~VD_PARSE_FLAGS_ALL)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x",
                       flags & ~VD_PARSE_FLAGS_ALL);

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

    for (i = 0; i < dom->disks->len; i++) {
        if (vd_disk_parse(dom->disks->pdata[i], err) < 0)
            return -1;
    }
    if (!(flags & VDISK_PARSE_NO_DEFAULTS)) {
        vd_domain_sort_disks(dom);
        for (i = 0; i < dom->disks->len; i++) {
            if (vd_disk_postparse(dom->disks->pdata[i], dom, err) < 0)
                return -1;
        }
        vd_domain_add_implicit_controllers(dom);
        if (vd_domain_assign_pci_addresses(dom, err) < 0)
            return -1;
        vd_domain_assign_usb_addresses(dom);
    }
    if (!(flags & VDISK_PARSE_NO_VALIDATE)) {
        for (i = 0; i < dom->disks->len; i++) {
            if (vd_disk_validate(dom->disks->pdata[i], dom, err) < 0)
                return -1;
        }
        if (vd_domain_validate_disks(dom, err) < 0 || vd_domain_validate_boot_order(dom, err) < 0)
            return -1;
    }
    if (flags & VDISK_PARSE_VALIDATE_START) {
        for (i = 0; i < dom->disks->len; i++) {
            if (vd_disk_validate_start(dom->disks->pdata[i], dom, err) < 0)
                return -1;
        }
    }
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
vdisk_domain_to_xml(char **out, const vdisk_domain *dom, vdisk_error **err)
{
    GString *buf;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    buf = g_string_sized_new(4096);
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
    guint i;

    if (!dom || !dom->iothread_ids)
        return false;
    for (i = 0; i < dom->iothread_ids->len; i++) {
        if (g_array_index(dom->iothread_ids, unsigned int, i) == id)
            return true;
    }
    return false;
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

static const char *
vd_disk_target(const vdisk_disk *disk)
{
    return vd_node_attr(vd_node_child(disk->node, "target"), "dev");
}

static gint
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

    wrapped = vd_disk_wrap(dom->doc, copy, dom);
    g_ptr_array_add(dom->disks, wrapped);
    if (vd_disk_postparse(wrapped, dom, err) < 0 || vd_disk_validate(wrapped, dom, err) < 0 ||
        vd_domain_validate_disks(dom, err) < 0 || vd_domain_validate_boot_order(dom, err) < 0) {
        g_ptr_array_remove_index(dom->disks, dom->disks->len - 1);
        vd_node_unlink(copy);
        return -1;
    }
    vd_domain_add_implicit_controllers(dom);
    vd_domain_place_new_disk(dom);
    return 0;
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

const vdisk_controller *
vd_domain_controller(const vdisk_domain *dom, vdisk_controller_type type, unsigned int index)
{
    guint i;

    if (!dom)
        return NULL;
    for (i = 0; i < dom->controllers->len; i++) {
        const vdisk_controller *c = dom->controllers->pdata[i];

        if (c->type == type && c->index == index)
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

/* ---- implicit controllers and domain-wide checks ---------------------------------- */

static void
vd_domain_add_controller(vdisk_domain *dom, vdisk_controller_type type, unsigned int index,
                         const char *model)
{
    vdisk_controller *ctrl;

    if (vd_domain_controller(dom, type, index))
        return;
    ctrl = g_new0(vdisk_controller, 1);
    ctrl->type = type;
    ctrl->index = index;
    ctrl->model = model;
    ctrl->implicit = true;
    g_ptr_array_add(dom->controllers, ctrl);
}

/* Reads a drive address: 0 and the four numbers, -1 when the disk has none. */
int
vd_disk_drive_address(const vdisk_disk *disk, unsigned int v[4])
{
    static const char *const names[] = {"controller", "bus", "target", "unit"};
    const vd_node *addr = vd_node_child(disk->node, "address");
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

static bool
vd_domain_is_x86(const vdisk_domain *dom)
{
    return !dom->arch || strcmp(dom->arch, "x86_64") == 0 || strcmp(dom->arch, "i686") == 0;
}

void
vd_domain_add_implicit_controllers(vdisk_domain *dom)
{
    static const struct {
        vdisk_bus bus;
        vdisk_controller_type type;
    } map[] = {
        {VDISK_BUS_SCSI, VDISK_CONTROLLER_SCSI},
        {VDISK_BUS_FDC, VDISK_CONTROLLER_FDC},
        {VDISK_BUS_IDE, VDISK_CONTROLLER_IDE},
        {VDISK_BUS_SATA, VDISK_CONTROLLER_SATA},
    };
    int max[G_N_ELEMENTS(map)];
    size_t m;
    guint i;

    /* the machine's own controllers: SATA 0 on q35, the USB controller */
    if (vd_domain_is_x86(dom) && g_strcmp0(dom->machine, "isapc") != 0) {
        if (vdisk_domain_is_q35(dom)) {
            vd_domain_add_controller(dom, VDISK_CONTROLLER_SATA, 0, NULL);
            vd_domain_add_controller(dom, VDISK_CONTROLLER_USB, 0, "qemu-xhci");
        } else {
            vd_domain_add_controller(dom, VDISK_CONTROLLER_USB, 0, "piix3-uhci");
        }
    }

    /* one controller of the bus's type for every index up to the highest
     * one a disk's drive address names */
    for (m = 0; m < G_N_ELEMENTS(map); m++)
        max[m] = -1;
    for (i = 0; i < dom->disks->len; i++) {
        const vdisk_disk *disk = dom->disks->pdata[i];
        const char *bus = vd_node_attr(vd_node_child(disk->node, "target"), "bus");
        unsigned int v[4];

        for (m = 0; m < G_N_ELEMENTS(map); m++) {
            if (g_strcmp0(bus, vdisk_enum_to_string(VDISK_ENUM_BUS, map[m].bus)) == 0)
                break;
        }
        if (m == G_N_ELEMENTS(map) || vd_disk_drive_address(disk, v) < 0)
            continue;
        /* an address beyond the limit is refused by validation */
        if (v[0] <= VD_MAX_DRIVE_CONTROLLER && (int)v[0] > max[m])
            max[m] = (int)v[0];
    }
    for (m = 0; m < G_N_ELEMENTS(map); m++) {
        for (int c = 0; c <= max[m]; c++) {
            /* the QEMU driver's default SCSI model on x86 is lsilogic */
            vd_domain_add_controller(dom, map[m].type, (unsigned int)c,
                                     map[m].type == VDISK_CONTROLLER_SCSI ? "lsilogic" : NULL);
        }
    }
}

static const char *
vd_disk_bus(const vdisk_disk *disk)
{
    return vd_node_attr(vd_node_child(disk->node, "target"), "bus");
}

static const char *
vd_disk_source_desc(const vdisk_disk *disk)
{
    static const char *const attrs[] = {"file", "dev", "dir", "name", "volume"};
    const vd_node *src = vd_node_child(disk->node, "source");
    size_t i;

    for (i = 0; src && i < G_N_ELEMENTS(attrs); i++) {
        const char *v = vd_node_attr(src, attrs[i]);

        if (v)
            return v;
    }
    return "<null>";
}

/* libvirt keeps a domain's disks ordered as virDomainDiskInsert() adds them:
 * a disk goes before the first later disk on the same bus whose target
 * index is higher, else right after the last disk on its bus, else at the
 * end. While parsing, "the same bus" means the bus as written (libvirt
 * infers missing ones only afterwards). */
typedef struct {
    vdisk_disk *disk;
    const char *bus;
    guint bus_id; /* equal for equal buses */
    bool has_target;
    int index; /* of the target name (-1 when it is not a disk name) */
} vd_sort_key;

static vd_sort_key
vd_sort_key_of(vdisk_disk *disk)
{
    const char *target = vd_disk_target(disk);
    vd_sort_key k = {disk, vd_disk_bus(disk), 0, target != NULL, -1};

    if (target)
        k.index = vdisk_target_to_index(target);
    return k;
}

/* Where virDomainDiskInsert() puts @disk among @keys[0..n). */
static size_t
vd_disk_insert_position(const vd_sort_key *keys, size_t n, const vd_sort_key *disk)
{
    size_t insert_at = n;
    bool found = false;
    size_t j;

    for (j = n; j-- > 0;) {
        if (keys[j].bus_id != disk->bus_id)
            continue;
        if (keys[j].has_target && disk->has_target && keys[j].index > disk->index) {
            insert_at = j;
            found = true;
        } else if (!found) {
            insert_at = j + 1;
            found = true;
        }
    }
    return insert_at;
}

/* Puts the disks' elements in the order of @dom->disks, together, where
 * the first disk element stood: libvirt formats them that way. */
static void
vd_domain_relink_disks(vdisk_domain *dom)
{
    vd_node *at = NULL;
    vd_node *n;
    guint i;

    for (n = dom->devices->children; n; n = n->next) {
        if (n->kind == VD_NODE_ELEMENT && strcmp(n->name, "disk") == 0)
            break;
        at = n;
    }
    for (i = 0; i < dom->disks->len; i++) {
        vd_node_unlink(((vdisk_disk *)dom->disks->pdata[i])->node);
    }
    for (i = 0; i < dom->disks->len; i++) {
        n = ((vdisk_disk *)dom->disks->pdata[i])->node;
        vd_node_insert_before(dom->devices, n, at ? at->next : dom->devices->children);
        at = n;
    }
}

/* Inserts the disks of @dom->disks one by one, then @extra (or nothing),
 * as libvirt does, and stores the result in @dom->disks. */
static void
vd_domain_insert_disks(vdisk_domain *dom, vdisk_disk *extra)
{
    guint n = dom->disks->len;
    g_autofree vd_sort_key *keys = g_new(vd_sort_key, n + 1);
    g_autofree const char **buses = g_new(const char *, n + 1);
    guint nbuses = 0;
    size_t len = 0;
    guint i;

    for (i = 0; i <= n; i++) {
        vdisk_disk *disk = i < n ? dom->disks->pdata[i] : extra;
        vd_sort_key k;
        size_t pos;

        if (!disk)
            break;
        k = vd_sort_key_of(disk);
        /* the few distinct buses get numbers, so that the insertion
         * compares numbers rather than strings */
        for (k.bus_id = 0; k.bus_id < nbuses; k.bus_id++) {
            if (g_strcmp0(buses[k.bus_id], k.bus) == 0)
                break;
        }
        if (k.bus_id == nbuses)
            buses[nbuses++] = k.bus;
        pos = vd_disk_insert_position(keys, len, &k);
        memmove(keys + pos + 1, keys + pos, (len - pos) * sizeof(*keys));
        keys[pos] = k;
        len++;
    }
    if (extra)
        g_ptr_array_add(dom->disks, extra);
    for (i = 0; i < len; i++)
        dom->disks->pdata[i] = keys[i].disk;
    vd_domain_relink_disks(dom);
}

static void
vd_domain_sort_disks(vdisk_domain *dom)
{
    if (dom->disks->len >= 2)
        vd_domain_insert_disks(dom, NULL);
}

/* Moves the last disk (just added) to where libvirt puts it: libvirt
 * attaches to a copy of the definition, whose disks are inserted again
 * one by one (now with their buses known), then inserts the new disk. */
static void
vd_domain_place_new_disk(vdisk_domain *dom)
{
    vdisk_disk *disk = g_ptr_array_steal_index(dom->disks, dom->disks->len - 1);

    vd_domain_insert_disks(dom, disk);
}

typedef struct {
    const vdisk_disk *disk;
    const char *target;
    const char *bus;
    unsigned int addr[4];
    bool has_addr;
} vd_disk_key;

/* libvirt's boot order rules over every device of the domain: a disk's
 * <boot order> competes with interfaces', hostdevs', redirdevs'... */
static int
vd_domain_validate_boot_order(const vdisk_domain *dom, vdisk_error **err)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    const vd_node *os = vd_node_child(dom->doc->root, "os");
    unsigned int first = 0;
    const vd_node *dev;

    for (dev = dom->devices->children; dev; dev = dev->next) {
        const char *order = vd_node_attr(vd_node_child(dev, "boot"), "order");
        unsigned int n;

        if (dev->kind != VD_NODE_ELEMENT || !order || !vd_parse_uint(order, 10, &n) || !n)
            continue;
        /* libvirt: "boot order '%s' used for more than one device" */
        if (g_hash_table_contains(seen, GUINT_TO_POINTER(n)))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "boot order '%u' used for more than one device", n);
        g_hash_table_add(seen, GUINT_TO_POINTER(n));
        if (!first)
            first = n;
    }
    /* libvirt: "per-device boot elements cannot be used together with
     * os/boot elements" */
    if (first && vd_node_child(os, "boot"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "per-device boot elements (boot order '%u') cannot be used together "
                       "with os/boot elements",
                       first);
    return 0;
}

static int
vd_target_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether two of the disks share a target name. */
static bool
vd_domain_has_duplicate_target(const vd_disk_key *keys, guint n)
{
    g_autofree const char **targets = g_new(const char *, n ? n : 1);
    guint len = 0;
    guint i;

    for (i = 0; i < n; i++) {
        if (keys[i].target)
            targets[len++] = keys[i].target;
    }
    qsort(targets, len, sizeof(*targets), vd_target_ptr_cmp);
    for (i = 1; i < len; i++) {
        if (strcmp(targets[i - 1], targets[i]) == 0)
            return true;
    }
    return false;
}

static int
vd_drive_key_cmp(const void *a, const void *b)
{
    const vd_disk_key *ka = *(const vd_disk_key *const *)a;
    const vd_disk_key *kb = *(const vd_disk_key *const *)b;
    int c = g_strcmp0(ka->bus, kb->bus);

    return c ? c : memcmp(ka->addr, kb->addr, sizeof(ka->addr));
}

/* Whether two disks on the same bus have the same drive address. */
static bool
vd_domain_has_duplicate_drive(const vd_disk_key *keys, guint n)
{
    g_autofree const vd_disk_key **with = g_new(const vd_disk_key *, n ? n : 1);
    guint len = 0;
    guint i;

    for (i = 0; i < n; i++) {
        if (keys[i].has_addr)
            with[len++] = &keys[i];
    }
    qsort(with, len, sizeof(*with), vd_drive_key_cmp);
    for (i = 1; i < len; i++) {
        if (vd_drive_key_cmp(&with[i - 1], &with[i]) == 0)
            return true;
    }
    return false;
}

int
vd_domain_validate_disks(const vdisk_domain *dom, vdisk_error **err)
{
    g_autofree vd_disk_key *keys = g_new0(vd_disk_key, dom->disks->len ? dom->disks->len : 1);
    guint n = dom->disks->len;
    guint i;
    guint j;

    for (i = 0; i < n; i++) {
        keys[i].disk = dom->disks->pdata[i];
        keys[i].target = vd_disk_target(keys[i].disk);
        keys[i].bus = vd_disk_bus(keys[i].disk);
        keys[i].has_addr = vd_disk_drive_address(keys[i].disk, keys[i].addr) == 0;

        /* the implicit controllers such an address needs do not fit */
        if (keys[i].has_addr && keys[i].addr[0] > VD_MAX_DRIVE_CONTROLLER)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "target '%s': drive address controller '%u' needs more implicit "
                           "controllers than fit in the domain (at most %u)",
                           keys[i].target ? keys[i].target : "", keys[i].addr[0],
                           VD_MAX_DRIVE_CONTROLLER + 1);
    }

    /* sorted look-ups find whether anything is duplicated; the pairwise
     * scans below then name the pair libvirt would report */
    if (!vd_domain_has_duplicate_target(keys, n) && !vd_domain_has_duplicate_drive(keys, n))
        return 0;

    /* libvirt checks every pair for a duplicate target first... */
    for (i = 0; i < n; i++) {
        for (j = i + 1; j < n; j++) {
            /* libvirt: "target '%s' duplicated for disk sources '%s' and '%s'" */
            if (keys[i].target && g_strcmp0(keys[i].target, keys[j].target) == 0)
                return vd_fail(err, VDISK_ERR_EXISTS,
                               "target '%s': duplicated for disk sources '%s' and '%s'",
                               keys[i].target, vd_disk_source_desc(keys[i].disk),
                               vd_disk_source_desc(keys[j].disk));
        }
    }
    /* ...then for a duplicate drive address, among disks on the same bus */
    for (i = 0; i < n; i++) {
        if (!keys[i].has_addr)
            continue;
        for (j = i + 1; j < n; j++) {
            if (!keys[j].has_addr || g_strcmp0(keys[i].bus, keys[j].bus) != 0 ||
                memcmp(keys[i].addr, keys[j].addr, sizeof(keys[i].addr)) != 0)
                continue;
            /* libvirt: "Found duplicate drive address for disk with target name '%s'
             * controller='%u' bus='%u' target='%u' unit='%u'" */
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "target '%s': duplicate drive address controller='%u' bus='%u' "
                           "target='%u' unit='%u' (also used by target '%s')",
                           keys[i].target ? keys[i].target : "", keys[i].addr[0], keys[i].addr[1],
                           keys[i].addr[2], keys[i].addr[3], keys[j].target ? keys[j].target : "");
        }
    }
    return 0;
}
