/*
 * hotplug.c: listing, attaching, detaching and updating the disks of a domain
 *
 * Every operation is checked as far as it can be before libvirt is asked, so
 * that bad input never leaves a domain half changed: the disk is validated
 * against the domain's own context, buses QEMU cannot hotplug are refused,
 * and a LIVE|CONFIG request checks both sides first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <string.h>

#include "conf/conf.h"
#include "virt/removal.h"
#include "virt/virt_priv.h"

/* How long an attach waits for QEMU to release a disk it rolls back. */
#define VD_HOTPLUG_ROLLBACK_TIMEOUT_MS 10000

/* ---- domain state --------------------------------------------------------------- */


/* Where a change goes. */
typedef struct {
    bool live;
    bool config;
    bool active;
    bool persistent;
} vd_scope;

static int
vd_scope_resolve(vd_scope *scope, virDomainPtr dom, unsigned int flags, vdisk_error **err)
{
    int active = virDomainIsActive(dom);
    int persistent = virDomainIsPersistent(dom);

    if (active < 0 || persistent < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'",
                                 vd_dom_name(dom));
        return -1;
    }
    scope->active = active;
    scope->persistent = persistent;
    scope->live = flags & VDISK_HOTPLUG_LIVE;
    scope->config = flags & VDISK_HOTPLUG_CONFIG;
    if (!scope->live && !scope->config) {
        scope->live = scope->active;
        scope->config = !scope->active;
    }
    if (scope->live && !scope->active)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "domain '%s' is not running: it has no live disks to change",
                       vd_dom_name(dom));
    if (scope->config && !scope->persistent)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "domain '%s' is transient: it has no persistent configuration",
                       vd_dom_name(dom));
    return 0;
}

static unsigned int
vd_scope_affect(const vd_scope *scope)
{
    return (scope->live ? VIR_DOMAIN_AFFECT_LIVE : 0) |
           (scope->config ? VIR_DOMAIN_AFFECT_CONFIG : 0);
}

/* Every entry point's first check: a domain is given, and libvirt (whose
 * functions the rest calls) is loaded. */
static int
vd_check_dom(virDomainPtr dom, vdisk_error **err)
{
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    return vd_libvirt_load(err);
}

/* ---- list ----------------------------------------------------------------------- */

int
vdisk_hotplug_list(vdisk_domain **out, virDomainPtr dom, unsigned int flags, vdisk_error **err)
{
    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (flags & ~(unsigned int)VDISK_HOTPLUG_INACTIVE)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x",
                       flags & ~(unsigned int)VDISK_HOTPLUG_INACTIVE);
    return vd_virt_load_domain(out, dom, flags & VDISK_HOTPLUG_INACTIVE, err);
}

/* ---- target names --------------------------------------------------------------- */

/* The target prefix of @bus and how many names libvirt can place on it
 * (for @ctx's machine); NULL for buses with no name of their own. */
static const char *
vd_bus_prefix(vdisk_bus bus, const vdisk_domain *ctx, int *limit)
{
    /* libvirt's names go up to "zzz" (18278); no bus here holds more */
    *limit = 18278;
    switch (bus) {
    case VDISK_BUS_VIRTIO:
        return "vd";
    case VDISK_BUS_SCSI:
    case VDISK_BUS_USB:
        return "sd";
    case VDISK_BUS_SATA:
        /* ich9-ahci: one controller of six ports on q35; a controller is
         * needed on other machines, where each one adds six more */
        if (ctx && vdisk_domain_is_q35(ctx))
            *limit = 6;
        return "sd";
    case VDISK_BUS_IDE:
        /* one controller, two buses of two units (i440fx); q35 has none
         * of its own, libvirt places its ide disks nowhere */
        *limit = 4;
        return "hd";
    case VDISK_BUS_FDC:
        *limit = 2;
        return "fd";
    case VDISK_BUS_XEN:
        return "xvd";
    case VDISK_BUS_UML:
        return "ubd";
    case VDISK_BUS_SD:
    case VDISK_BUS_NONE:
    case VDISK_BUS_LAST:
        break;
    }
    return NULL;
}

static void
vd_mark_used(GHashTable *used, vdisk_domain *ctx, const char *prefix)
{
    size_t i;

    for (i = 0; ctx && i < vdisk_domain_get_disk_count(ctx); i++) {
        const char *t = vdisk_disk_get_target(vdisk_domain_get_disk_const(ctx, i));
        int idx;

        if (t && g_str_has_prefix(t, prefix) && (idx = vdisk_target_to_index(t)) >= 0) {
            /* "sd" must not count "sdx" names of another prefix like "xvd" */
            g_autofree char *again = vdisk_target_from_index(prefix, idx);

            if (again && strcmp(again, t) == 0)
                g_hash_table_add(used, GINT_TO_POINTER(idx + 1));
        }
    }
}

int
vdisk_hotplug_next_target(char **out, virDomainPtr dom, vdisk_bus bus, vdisk_error **err)
{
    g_autoptr(vdisk_domain) live = NULL;
    g_autoptr(vdisk_domain) config = NULL;
    g_autoptr(GHashTable) used = NULL;
    const char *prefix;
    int persistent;
    int active;
    int limit;
    int i;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if ((int)bus < 0 || bus >= VDISK_BUS_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unknown bus %d", (int)bus);
    if (vd_bus_prefix(bus, NULL, &limit) == NULL)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "bus '%s' has no target names of its own",
                       bus == VDISK_BUS_NONE ? "none" : vdisk_enum_to_string(VDISK_ENUM_BUS, bus));

    if ((active = virDomainIsActive(dom)) < 0 || (persistent = virDomainIsPersistent(dom)) < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'",
                                 vd_dom_name(dom));
        return -1;
    }
    if (vd_virt_load_domain(&live, dom, false, err) < 0)
        return -1;
    if (active && persistent && vd_virt_load_domain(&config, dom, true, err) < 0)
        return -1;

    prefix = vd_bus_prefix(bus, live, &limit);
    used = g_hash_table_new(g_direct_hash, g_direct_equal);
    vd_mark_used(used, live, prefix);
    vd_mark_used(used, config, prefix);
    for (i = 0; i < limit; i++) {
        if (!g_hash_table_contains(used, GINT_TO_POINTER(i + 1))) {
            *out = vdisk_target_from_index(prefix, i);
            return 0;
        }
    }
    return vd_fail(err, VDISK_ERR_EXISTS,
                   "domain '%s': no free target name on bus '%s' (all %d '%s' names are taken)",
                   vd_dom_name(dom), vdisk_enum_to_string(VDISK_ENUM_BUS, bus), limit, prefix);
}

/* ---- attach --------------------------------------------------------------------- */

/* A short description of a disk's top source, for messages and comparison. */
static char *
vd_source_describe(const vdisk_disk *disk)
{
    const vdisk_source *src = vdisk_disk_get_source_const(disk);
    const char *path;

    if (!vdisk_source_is_present(src))
        return g_strdup("(no medium)");
    if ((path = vdisk_source_get_path(src)))
        return g_strdup(path);
    switch (vdisk_source_get_type(src)) {
    case VDISK_TYPE_NETWORK: {
        const vdisk_host *h = vdisk_source_get_host(src, 0);

        return g_strdup_printf(
            "%s://%s/%s",
            vdisk_enum_to_string(VDISK_ENUM_PROTOCOL, vdisk_source_get_protocol(src)) ?: "network",
            h && vdisk_host_get_name(h) ? vdisk_host_get_name(h) : "",
            vdisk_source_get_name(src) ?: "");
    }
    case VDISK_TYPE_VOLUME:
        return g_strdup_printf("volume %s/%s", vdisk_source_get_pool(src) ?: "",
                               vdisk_source_get_volume(src) ?: "");
    case VDISK_TYPE_VHOSTUSER:
        return g_strdup_printf("vhost-user %s", vdisk_source_get_vhostuser_path(src) ?: "");
    case VDISK_TYPE_NVME: {
        unsigned int d = 0, b = 0, s = 0, f = 0;

        vdisk_source_get_nvme_address(src, &d, &b, &s, &f);
        return g_strdup_printf("nvme %04x:%02x:%02x.%x/%u", d, b, s, f,
                               vdisk_source_get_nvme_namespace(src));
    }
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_FILE:
    case VDISK_TYPE_BLOCK:
    case VDISK_TYPE_DIR:
        /* an ejected cdrom keeps an empty <source index=.../> */
        return g_strdup("(no medium)");
    case VDISK_TYPE_LAST:
        break;
    }
    return g_strdup("(unknown source)");
}

static bool
vd_same_source(const vdisk_disk *a, const vdisk_disk *b)
{
    g_autofree char *da = vd_source_describe(a);
    g_autofree char *db = vd_source_describe(b);
    vdisk_type ta = vdisk_disk_get_type(a);
    vdisk_type tb = vdisk_disk_get_type(b);

    /* type is unset (file) in a bare descriptor */
    if (ta == VDISK_TYPE_NONE)
        ta = VDISK_TYPE_FILE;
    if (tb == VDISK_TYPE_NONE)
        tb = VDISK_TYPE_FILE;
    return ta == tb && strcmp(da, db) == 0;
}

static vdisk_bus
vd_effective_bus(const vdisk_disk *disk)
{
    vdisk_bus bus = vdisk_disk_get_bus(disk);

    return bus != VDISK_BUS_NONE ? bus : vdisk_bus_from_target(vdisk_disk_get_target(disk));
}

/* What QEMU (through libvirt 9.0) cannot plug into a running domain. */
static int
vd_check_hotpluggable(const vdisk_disk *disk, bool unplug, vdisk_error **err)
{
    vdisk_bus bus = vd_effective_bus(disk);
    vdisk_device device = vdisk_disk_get_device(disk);
    const char *verb = unplug ? "unplugged from" : "plugged into";

    switch (bus) {
    case VDISK_BUS_VIRTIO:
    case VDISK_BUS_SCSI:
    case VDISK_BUS_USB:
        break;
    case VDISK_BUS_IDE:
    case VDISK_BUS_SATA:
    case VDISK_BUS_FDC:
    case VDISK_BUS_XEN:
    case VDISK_BUS_UML:
    case VDISK_BUS_SD:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: a disk on bus '%s' cannot be %s a running domain (change media "
                       "or use the persistent configuration)",
                       vd_disk_label(disk), vdisk_enum_to_string(VDISK_ENUM_BUS, bus), verb);
    case VDISK_BUS_NONE:
    case VDISK_BUS_LAST:
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: no bus set and none follows from the "
                       "target name",
                       vd_disk_label(disk));
    }
    if (unplug)
        return 0;
    switch (device) {
    case VDISK_DEVICE_FLOPPY:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: a floppy cannot be plugged into a running domain", vd_disk_label(disk));
    case VDISK_DEVICE_CDROM:
        if (bus == VDISK_BUS_VIRTIO)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: a cdrom cannot sit on bus 'virtio'",
                           vd_disk_label(disk));
        break;
    case VDISK_DEVICE_LUN:
        if (bus == VDISK_BUS_USB)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: device 'lun' cannot sit on bus 'usb'",
                           vd_disk_label(disk));
        break;
    case VDISK_DEVICE_DEFAULT:
    case VDISK_DEVICE_DISK:
    case VDISK_DEVICE_LAST:
        break;
    }
    return 0;
}

/* Whether one side (live or config) needs the disk: 1 yes, 0 already there
 * with the same source, -1 error (target taken, invalid disk). */
static int
vd_attach_check(virDomainPtr dom, const vdisk_disk *disk, bool inactive, vdisk_error **err)
{
    g_autoptr(vdisk_domain) ctx = NULL;
    vdisk_error *inner = NULL;
    const vdisk_disk *there;

    if (vd_virt_load_domain(&ctx, dom, inactive, err) < 0)
        return -1;
    if ((there = vdisk_domain_find_disk(ctx, vdisk_disk_get_target(disk)))) {
        g_autofree char *theirs = NULL;
        g_autofree char *ours = NULL;

        if (vd_same_source(there, disk))
            return 0;
        theirs = vd_source_describe(there);
        ours = vd_source_describe(disk);
        return vd_fail(err, VDISK_ERR_EXISTS,
                       "%s: the target is taken in the %s definition of domain '%s' by source "
                       "'%s' (not '%s')",
                       vd_disk_label(disk), inactive ? "persistent" : "live", vd_dom_name(dom),
                       theirs, ours);
    }
    if (vd_virt_after(vdisk_domain_add_disk(ctx, disk, &inner), &inner, err) < 0)
        return -1;
    return 1;
}

/* The live alias of @target, the caller's; NULL with @err set when none. */
static char *
vd_live_alias(virDomainPtr dom, const char *target, vdisk_error **err)
{
    g_autoptr(vdisk_domain) ctx = NULL;
    const vdisk_disk *disk;
    const char *alias;

    if (vd_virt_load_domain(&ctx, dom, false, err) < 0)
        return NULL;
    if (!(disk = vdisk_domain_find_disk(ctx, target))) {
        vd_error_set(err, VDISK_ERR_NOT_FOUND, "target '%s': domain '%s' has no such live disk",
                     target, vd_dom_name(dom));
        return NULL;
    }
    if (!(alias = vdisk_disk_get_alias(disk))) {
        vd_error_set(err, VDISK_ERR_INTERNAL, "target '%s': libvirt gave the live disk no alias",
                     target);
        return NULL;
    }
    return g_strdup(alias);
}

int
vdisk_hotplug_attach(virDomainPtr dom, const vdisk_disk *disk, unsigned int flags,
                     vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG;
    g_autofree char *xml = NULL;
    const char *target;
    vd_scope scope;
    int need_live = 0;
    int need_config = 0;

    VD_API_ENTER();
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    if (!(target = vdisk_disk_get_target(disk)))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: no target name set (see vdisk_hotplug_next_target)",
                       vd_disk_label(disk));
    if (vd_scope_resolve(&scope, dom, flags, err) < 0)
        return -1;

    /* every check on both sides before anything changes */
    if (scope.live && (need_live = vd_attach_check(dom, disk, false, err)) < 0)
        return -1;
    if (scope.config && (need_config = vd_attach_check(dom, disk, true, err)) < 0)
        return -1;
    if (need_live && vd_check_hotpluggable(disk, false, err) < 0)
        return -1;
    if (!need_live && !need_config)
        return 0;
    if (vdisk_disk_to_xml(&xml, disk, NULL) < 0)
        return vd_fail(err, VDISK_ERR_INTERNAL, "%s: cannot format the disk", vd_disk_label(disk));

    if (need_live && virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        vd_virt_error(err, "%s: libvirt refused to attach it to running domain '%s'",
                                 vd_disk_label(disk), vd_dom_name(dom));
        return -1;
    }
    if (!need_config)
        return 0;
    if (virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_CONFIG) == 0)
        return 0;

    /* the configuration refused it: take the live disk away again */
    {
        g_autofree char *lvmsg = NULL;
        g_autofree char *alias = NULL;
        vdisk_error *rberr = NULL;
        /* every outcome is set below; this one only if the enum is not */
        const char *outcome = "detaching the live disk again failed, it stays attached";
        int lvcode = vd_virt_take_error(&lvmsg);

        if (!need_live) {
            outcome = "the live domain was not changed";
        } else if (!(alias = vd_live_alias(dom, target, &rberr))) {
            outcome = "the live disk could not be found to detach it again";
        } else {
            switch (vd_hotplug_remove_live(dom, target, alias, VD_HOTPLUG_ROLLBACK_TIMEOUT_MS,
                                           &rberr)) {
            case VD_REMOVAL_DONE:
                outcome = "the live disk was detached again";
                break;
            case VD_REMOVAL_PENDING:
                outcome = "detaching the live disk again is still pending";
                break;
            case VD_REMOVAL_FAILED:
                outcome = "the guest refused to release the live disk, which stays attached";
                break;
            case VD_REMOVAL_ERROR:
                outcome = "detaching the live disk again failed, it stays attached";
                break;
            }
        }
        vd_error_set_libvirt(err, lvcode,
                             "%s: libvirt refused it in the persistent configuration of domain "
                             "'%s' (%s); %s%s%s",
                             vd_disk_label(disk), vd_dom_name(dom), lvmsg, outcome,
                             rberr ? ": " : "", rberr ? vdisk_error_get_message(rberr) : "");
        vdisk_error_free(rberr);
    }
    return -1;
}

/* ---- detach --------------------------------------------------------------------- */

int
vdisk_hotplug_detach(virDomainPtr dom, const char *target, unsigned int flags,
                     unsigned int timeout_ms, vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG;
    g_autoptr(vdisk_domain) live = NULL;
    g_autoptr(vdisk_domain) config = NULL;
    vdisk_disk *live_disk = NULL;
    vdisk_disk *config_disk = NULL;
    g_autofree char *alias = NULL;
    g_autofree char *config_xml = NULL;
    vd_removal_result res = VD_REMOVAL_DONE;
    vd_scope scope;

    VD_API_ENTER();
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (!target || !*target)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no target given");
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    if (vd_scope_resolve(&scope, dom, flags, err) < 0)
        return -1;

    if (scope.live) {
        if (vd_virt_load_domain(&live, dom, false, err) < 0)
            return -1;
        live_disk = vdisk_domain_find_disk(live, target);
    }
    if (scope.config) {
        if (vd_virt_load_domain(&config, dom, true, err) < 0)
            return -1;
        config_disk = vdisk_domain_find_disk(config, target);
    }
    if (!live_disk && !config_disk)
        return vd_fail(err, VDISK_ERR_NOT_FOUND, "target '%s': domain '%s' has no such disk%s",
                       target, vd_dom_name(dom),
                       scope.live && scope.config ? " (live or persistent)"
                       : scope.live               ? " (live)"
                                                  : " (persistent)");
    if (live_disk) {
        if (vd_check_hotpluggable(live_disk, true, err) < 0)
            return -1;
        if (!vdisk_disk_get_alias(live_disk))
            return vd_fail(err, VDISK_ERR_INTERNAL,
                           "target '%s': libvirt gave the live disk no alias", target);
        alias = g_strdup(vdisk_disk_get_alias(live_disk));
    }
    if (config_disk && vdisk_disk_to_xml(&config_xml, config_disk, NULL) < 0)
        return vd_fail(err, VDISK_ERR_INTERNAL, "target '%s': cannot format the disk", target);

    if (live_disk) {
        res = vd_hotplug_remove_live(dom, target, alias, timeout_ms, err);
        if (res == VD_REMOVAL_ERROR)
            return -1;
        if (res == VD_REMOVAL_FAILED)
            return vd_fail(err, VDISK_ERR_LIBVIRT,
                           "target '%s': the guest refused to release the disk; it stays "
                           "attached%s",
                           target, config_disk ? " and in the persistent configuration" : "");
    }
    if (config_disk && virDomainDetachDeviceFlags(dom, config_xml, VIR_DOMAIN_AFFECT_CONFIG) < 0) {
        vd_virt_error(err,
                                 "target '%s': libvirt refused to remove it from the persistent "
                                 "configuration%s",
                                 target,
                                 !live_disk               ? ""
                                 : res == VD_REMOVAL_DONE ? " (the live disk is detached)"
                                                          : " (the live removal is pending)");
        return -1;
    }
    if (res == VD_REMOVAL_PENDING)
        return vd_fail(err, VDISK_ERR_PENDING,
                       "target '%s': removal still pending after %u ms, the guest has not "
                       "released the device (it stays in use until it does)%s",
                       target, timeout_ms,
                       config_disk ? "; it was removed from the persistent configuration" : "");
    return 0;
}

/* ---- media and I/O limits --------------------------------------------------------- */

int
vdisk_hotplug_change_media(virDomainPtr dom, const char *target, const char *source,
                           unsigned int flags, vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG | VDISK_HOTPLUG_FORCE;
    g_autoptr(vdisk_domain) ctx = NULL;
    g_autoptr(vdisk_disk) copy = NULL;
    g_autofree char *xml = NULL;
    vdisk_disk *disk;
    vdisk_source *src;
    vdisk_error *inner = NULL;
    vdisk_format format;
    vd_scope scope;
    unsigned int affect;

    VD_API_ENTER();
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (!target || !*target)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no target given");
    if (source && !*source)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': empty source path", target);
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    if (vd_scope_resolve(&scope, dom, flags, err) < 0)
        return -1;
    if (vd_virt_load_domain(&ctx, dom, !scope.live, err) < 0)
        return -1;
    if (!(disk = vdisk_domain_find_disk(ctx, target)))
        return vd_fail(err, VDISK_ERR_NOT_FOUND, "target '%s': domain '%s' has no such disk",
                       target, vd_dom_name(dom));
    switch (vdisk_disk_get_device(disk)) {
    case VDISK_DEVICE_CDROM:
    case VDISK_DEVICE_FLOPPY:
        break;
    case VDISK_DEVICE_DEFAULT:
    case VDISK_DEVICE_DISK:
    case VDISK_DEVICE_LUN:
    case VDISK_DEVICE_LAST:
        return vd_fail(
            err, VDISK_ERR_UNSUPPORTED,
            "target '%s': device '%s' has no removable medium (only cdrom and "
            "floppy have)",
            target, vdisk_enum_to_string(VDISK_ENUM_DEVICE, vdisk_disk_get_device(disk)) ?: "disk");
    }

    if (vd_virt_after(vdisk_disk_copy(&copy, disk, &inner), &inner, err) < 0)
        return -1;
    src = vdisk_disk_get_source(copy);
    format = vdisk_source_get_format(src);
    if (vd_virt_after(vdisk_source_clear(src, &inner), &inner, err) < 0)
        return -1;
    if (source) {
        vdisk_type type = g_str_has_prefix(source, "/dev/") ? VDISK_TYPE_BLOCK : VDISK_TYPE_FILE;

        if (vd_virt_after(vdisk_source_set_type(src, type, &inner), &inner, err) < 0 ||
            vd_virt_after(vdisk_source_set_path(src, source, &inner), &inner, err) < 0 ||
            vd_virt_after(vdisk_source_set_format(src, format ? format : VDISK_FORMAT_RAW, &inner),
                     &inner, err) < 0)
            return -1;
    }
    if (vd_virt_after(vdisk_disk_to_xml(&xml, copy, &inner), &inner, err) < 0)
        return -1;

    affect = vd_scope_affect(&scope);
    if (flags & VDISK_HOTPLUG_FORCE)
        affect |= VIR_DOMAIN_DEVICE_MODIFY_FORCE;
    if (virDomainUpdateDeviceFlags(dom, xml, affect) < 0) {
        if (source)
            vd_virt_error(err, "target '%s': libvirt refused to insert '%s'", target,
                                     source);
        else
            vd_virt_error(err, "target '%s': libvirt refused to eject the medium",
                                     target);
        return -1;
    }
    return 0;
}

int
vdisk_hotplug_set_iotune(virDomainPtr dom, const char *target, const vdisk_disk *iotune_from,
                         unsigned int flags, vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    const char *group;
    vd_scope scope;
    int rc = -1;
    int i;

    VD_API_ENTER();
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (!target || !*target)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no target given");
    if (!iotune_from)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': no iotune values given", target);
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    if (vd_scope_resolve(&scope, dom, flags, err) < 0)
        return -1;

    for (i = 0; i < VDISK_IOTUNE_LAST; i++) {
        const char *name = vdisk_enum_to_string(VDISK_ENUM_IOTUNE_FIELD, i);

        if (virTypedParamsAddULLong(&params, &nparams, &maxparams, name,
                                    vdisk_disk_get_iotune(iotune_from, i)) < 0) {
            vd_virt_error(err, "target '%s': cannot set iotune value '%s'", target,
                                     name);
            goto cleanup;
        }
    }
    if ((group = vdisk_disk_get_iotune_group(iotune_from)) &&
        virTypedParamsAddString(&params, &nparams, &maxparams, VIR_DOMAIN_BLOCK_IOTUNE_GROUP_NAME,
                                group) < 0) {
        vd_virt_error(err, "target '%s': cannot set iotune group '%s'", target, group);
        goto cleanup;
    }
    if (virDomainSetBlockIoTune(dom, target, params, nparams, vd_scope_affect(&scope)) < 0) {
        vd_virt_error(err, "target '%s': libvirt refused the I/O limits", target);
        goto cleanup;
    }
    rc = 0;

cleanup:
    virTypedParamsFree(params, nparams);
    return rc;
}
