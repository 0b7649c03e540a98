/*
 * domain_validate.c: libvirt's define-time checks across a domain's disks:
 * duplicate targets and drive addresses, boot orders
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conf/disk_postparse.h"
#include "conf/domain_validate.h"
#include "conf/parse_util.h"
#include "conf/target_priv.h"
#include "util/error.h"

/* A drive address past the controllers a domain can hold. */
static int
vd_fail_drive_controller(vdisk_error **err, const char *target, unsigned int controller)
{
    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                   "target '%s': drive address controller '%u' needs more implicit "
                   "controllers than fit in the domain (at most %u)",
                   target ? target : "", controller, VD_MAX_DRIVE_CONTROLLER + 1);
}

int
vd_domain_check_read_disk(const vd_node *disk, bool defaults, vdisk_error **err)
{
    const vd_node *addr = vd_node_child(disk, "address");
    const vd_node *target = vd_node_child(disk, "target");
    const char *dev = vd_node_attr(target, "dev");
    unsigned int controller;

    /* post-parse would strip the prefix: leave such names to it */
    if (dev && g_str_has_prefix(dev, "ioemu:"))
        return 0;
    if (addr) {
        const char *c = vd_node_attr(addr, "controller");

        /* the parser refuses a controller that is not a number */
        if (g_strcmp0(vd_node_attr(addr, "type"), "drive") != 0 || !c ||
            !vd_parse_uint(c, 10, &controller))
            return 0;
    } else {
        const char *written = vd_node_attr(target, "bus");
        const char *device = vd_node_attr(disk, "device");
        unsigned int v[4];
        int bus;
        int d;
        int idx;

        /* without defaults, no address is derived from the name */
        if (!defaults || !dev || vd_target_parse(dev, &idx, NULL) < 0)
            return 0;
        d = device ? vd_device_from_string(device) : VDISK_DEVICE_DISK;
        bus = written ? vd_bus_from_string(written)
                      : (int)vd_disk_default_bus(d < 0 ? VDISK_DEVICE_DISK : (vdisk_device)d, dev);
        /* an unknown bus or device is the parser's to refuse */
        if (bus <= 0 || d < 0 || !vd_drive_address_of_index((vdisk_bus)bus, (unsigned int)idx, v))
            return 0;
        controller = v[0];
    }
    if (controller > VD_MAX_DRIVE_CONTROLLER)
        return vd_fail_drive_controller(err, dev, controller);
    return 0;
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
int
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
            return vd_fail_drive_controller(err, keys[i].target, keys[i].addr[0]);
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
