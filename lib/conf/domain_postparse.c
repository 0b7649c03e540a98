/*
 * domain_postparse.c: libvirt's defaults for a domain: the order of its disks
 * and the controllers libvirt adds implicitly
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/domain_postparse.h"
#include "conf/target_priv.h"
#include "util/error.h"

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

void
vd_domain_sort_disks(vdisk_domain *dom)
{
    if (dom->disks->len >= 2)
        vd_domain_insert_disks(dom, NULL);
}

/* Moves the last disk (just added) to where libvirt puts it: libvirt
 * attaches to a copy of the definition, whose disks are inserted again
 * one by one (now with their buses known), then inserts the new disk. */
void
vd_domain_place_new_disk(vdisk_domain *dom)
{
    vdisk_disk *disk = g_ptr_array_steal_index(dom->disks, dom->disks->len - 1);

    vd_domain_insert_disks(dom, disk);
}
