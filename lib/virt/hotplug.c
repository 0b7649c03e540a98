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
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "virt/intent.h"
#include "virt/qmp.h"
#include "virt/removal.h"
#include "virt/virt_priv.h"

/* How long an attach waits for QEMU to release a disk it rolls back. */
#define VD_HOTPLUG_ROLLBACK_TIMEOUT_MS 10000

/* ---- domain state --------------------------------------------------------------- */

/* Every entry point's first check: a domain is given, and libvirt (whose
 * functions the rest calls) is loaded. */
static int
vd_check_dom(virDomainPtr dom, vdisk_error **err)
{
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    return vd_libvirt_load(err);
}

/* Where a change goes. */
typedef struct {
    bool live;
    bool config;
    bool active;
    bool persistent;
    /* PERSISTENT on a transient domain: live only */
    bool live_only;
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
    memset(scope, 0, sizeof(*scope));
    scope->active = active;
    scope->persistent = persistent;
    scope->live = flags & VDISK_HOTPLUG_LIVE;
    scope->config = flags & VDISK_HOTPLUG_CONFIG;
    if (flags & VDISK_HOTPLUG_PERSISTENT) {
        if (scope->live || scope->config)
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "persistent (live and, when there is one, the persistent "
                           "definition) goes with neither live nor config");
        scope->live = scope->active;
        scope->config = scope->persistent;
        scope->live_only = scope->active && !scope->persistent;
    } else if (!scope->live && !scope->config) {
        scope->live = scope->active;
        scope->config = !scope->active;
    }
    if (scope->live && !scope->active)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "domain '%s' is not running: it has no live disks to change",
                       vd_dom_name(dom));
    if (scope->config && !scope->persistent)
        return vd_fail(err, VDISK_ERR_TRANSIENT,
                       "domain '%s' is transient: it has no persistent definition to change "
                       "(change it live only; 'persistent' means live plus the persistent "
                       "definition where there is one)",
                       vd_dom_name(dom));
    return 0;
}

int
vdisk_hotplug_resolve_flags(virDomainPtr dom, unsigned int flags, unsigned int *resolved,
                            vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG | VDISK_HOTPLUG_PERSISTENT;
    vd_scope scope;

    VD_API_ENTER();
    if (!resolved)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *resolved = 0;
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    if (vd_scope_resolve(&scope, dom, flags, err) < 0)
        return -1;
    *resolved = (scope.live ? VDISK_HOTPLUG_LIVE : 0) | (scope.config ? VDISK_HOTPLUG_CONFIG : 0);
    return 0;
}

static unsigned int
vd_scope_affect(const vd_scope *scope)
{
    return (scope->live ? VIR_DOMAIN_AFFECT_LIVE : 0) |
           (scope->config ? VIR_DOMAIN_AFFECT_CONFIG : 0);
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
    if (flags & VDISK_HOTPLUG_INACTIVE) {
        int persistent = virDomainIsPersistent(dom);

        if (persistent < 0) {
            vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(dom));
            return -1;
        }
        /* libvirt hands out the live definition for a transient domain */
        if (!persistent)
            return vd_fail(err, VDISK_ERR_TRANSIENT,
                           "domain '%s' is transient: it has no persistent definition to list",
                           vd_dom_name(dom));
    }
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

/* The alias libvirt 9.0 gives a disk without a drive address when it is
 * attached (qemuAssignDeviceDiskAlias): "<bus>-disk<index of its name>";
 * NULL for the buses whose alias follows from the drive address. */
static char *
vd_index_alias(vdisk_bus bus, const char *target)
{
    int idx = vdisk_target_to_index(target);

    switch (bus) {
    case VDISK_BUS_VIRTIO:
    case VDISK_BUS_USB:
    case VDISK_BUS_XEN:
    case VDISK_BUS_UML:
    case VDISK_BUS_SD:
        return idx >= 0
                   ? g_strdup_printf("%s-disk%d", vdisk_enum_to_string(VDISK_ENUM_BUS, bus), idx)
                   : NULL;
    case VDISK_BUS_SCSI:
    case VDISK_BUS_IDE:
    case VDISK_BUS_SATA:
    case VDISK_BUS_FDC:
    case VDISK_BUS_NONE:
    case VDISK_BUS_LAST:
        break;
    }
    return NULL;
}

static bool
vd_same_drive_address(const vdisk_disk *a, const vdisk_disk *b)
{
    unsigned int ca, ba, ta, ua, cb, bb, tb, ub;

    if (vdisk_disk_get_address_drive(a, &ca, &ba, &ta, &ua) < 0 ||
        vdisk_disk_get_address_drive(b, &cb, &bb, &tb, &ub) < 0)
        return false;
    return ca == cb && ba == bb && ta == tb && ua == ub;
}

static vdisk_bus vd_effective_bus(const vdisk_disk *disk);

/* Whether @cand (a disk with the target to try) can take its target in @ctx:
 * 1 yes; 0 when another disk has the name, the alias libvirt would give it
 * (@live: aliases are only in the live definition) or the drive address it
 * would get, or the domain refuses it there (*@why then says why, when it
 * is not a name taken); -1 on error. */
static int
vd_target_free_in(vdisk_domain *ctx, const vdisk_disk *cand, bool live, vdisk_error **why)
{
    const char *target = vdisk_disk_get_target(cand);
    vdisk_bus bus = vd_effective_bus(cand);
    g_autofree char *alias = vd_index_alias(bus, target);
    vdisk_error *inner = NULL;
    const vdisk_disk *added;
    bool taken = false;
    size_t i;

    if (!ctx)
        return 1;
    if (vdisk_domain_find_disk(ctx, target))
        return 0;
    for (i = 0; live && alias && i < vdisk_domain_get_disk_count(ctx); i++) {
        const char *a = vdisk_disk_get_alias(vdisk_domain_get_disk_const(ctx, i));

        if (a && strcmp(a, alias) == 0)
            return 0;
    }
    /* the address libvirt places the disk at, as it would */
    if (vdisk_domain_add_disk(ctx, cand, &inner) < 0) {
        if (why && !*why)
            *why = inner;
        else
            vdisk_error_free(inner);
        return 0;
    }
    added = vdisk_domain_find_disk(ctx, target);
    /* the context keeps its disks in libvirt's order, the new one among them */
    for (i = 0; added && i < vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk_const(ctx, i);

        if (d != added && vd_effective_bus(d) == bus && vd_same_drive_address(d, added))
            taken = true;
    }
    if (vdisk_domain_remove_disk(ctx, target, &inner) < 0) {
        vdisk_error_free(inner);
        return -1;
    }
    return taken ? 0 : 1;
}

/* The first target name for @templ's bus free in @live and @config (either
 * may be NULL), skipping @skip (may be NULL): see vd_target_free_in(). */
static int
vd_first_free_target(char **out, virDomainPtr dom, const vdisk_disk *templ, vdisk_domain *live,
                     vdisk_domain *config, GHashTable *skip, vdisk_error **err)
{
    vdisk_bus bus = vd_effective_bus(templ);
    g_autoptr(vdisk_disk) cand = NULL;
    vdisk_error *why = NULL;
    vdisk_error *inner = NULL;
    const char *prefix;
    int limit;
    int i;

    *out = NULL;
    if (!(prefix = vd_bus_prefix(bus, live ? live : config, &limit)))
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "bus '%s' has no target names of its own",
                       bus == VDISK_BUS_NONE ? "none" : vdisk_enum_to_string(VDISK_ENUM_BUS, bus));
    if (vd_virt_after(vdisk_disk_copy(&cand, templ, &inner), &inner, err) < 0)
        return -1;
    /* the bus stays the one asked for whatever the name says */
    if (vd_virt_after(vdisk_disk_set_bus(cand, bus, &inner), &inner, err) < 0)
        return -1;
    for (i = 0; i < limit; i++) {
        g_autofree char *name = vdisk_target_from_index(prefix, i);
        int ok;

        if (skip && g_hash_table_contains(skip, name))
            continue;
        if (vd_virt_after(vdisk_disk_set_target(cand, name, &inner), &inner, err) < 0)
            return -1;
        if ((ok = vd_target_free_in(live, cand, true, &why)) < 0 ||
            (ok && (ok = vd_target_free_in(config, cand, false, &why)) < 0)) {
            vdisk_error_free(why);
            return vd_fail(err, VDISK_ERR_INTERNAL, "cannot try target '%s'", name);
        }
        if (ok) {
            vdisk_error_free(why);
            *out = g_steal_pointer(&name);
            return 0;
        }
    }
    if (why) {
        /* no name was free because the domain refuses the disk: say why */
        vd_error_wrap(err, why, "domain '%s': no target on bus '%s' can take the disk",
                      vd_dom_name(dom), vdisk_enum_to_string(VDISK_ENUM_BUS, bus));
        return -1;
    }
    return vd_fail(err, VDISK_ERR_EXISTS,
                   "domain '%s': no free target name on bus '%s' (all %d '%s' names are taken)",
                   vd_dom_name(dom), vdisk_enum_to_string(VDISK_ENUM_BUS, bus), limit, prefix);
}

/* The live and (when the domain runs and has one) persistent definitions
 * a target must be free in. */
static int
vd_load_both(vdisk_domain **live, vdisk_domain **config, virDomainPtr dom, vdisk_error **err)
{
    int persistent;
    int active;

    *live = *config = NULL;
    if ((active = virDomainIsActive(dom)) < 0 || (persistent = virDomainIsPersistent(dom)) < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(dom));
        return -1;
    }
    if (vd_virt_load_domain(live, dom, false, err) < 0)
        return -1;
    if (active && persistent && vd_virt_load_domain(config, dom, true, err) < 0) {
        g_clear_pointer(live, vdisk_domain_free);
        return -1;
    }
    return 0;
}

int
vdisk_hotplug_next_target(char **out, virDomainPtr dom, vdisk_bus bus, vdisk_error **err)
{
    g_autoptr(vdisk_domain) live = NULL;
    g_autoptr(vdisk_domain) config = NULL;
    g_autoptr(vdisk_disk) templ = NULL;
    g_autofree char *xml = NULL;
    vdisk_error *inner = NULL;
    int limit;

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
    if (vd_load_both(&live, &config, dom, err) < 0)
        return -1;
    /* a disk with no source: what any disk on @bus would get */
    xml =
        g_strdup_printf("<disk type='file' device='%s'><source file='/vdisk-next-target'/><target "
                        "dev='%sa' bus='%s'/></disk>",
                        bus == VDISK_BUS_FDC ? "floppy" : "disk", vd_bus_prefix(bus, NULL, &limit),
                        vdisk_enum_to_string(VDISK_ENUM_BUS, bus));
    if (vd_virt_after(vdisk_disk_from_xml_flags(
                          &templ, xml, VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE, &inner),
                      &inner, err) < 0)
        return -1;
    return vd_first_free_target(out, dom, templ, live, config, NULL, err);
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
 * with the same source, -1 error (target taken: VDISK_ERR_EXISTS; invalid disk). */
static int
vd_attach_check(vdisk_domain *ctx, virDomainPtr dom, const vdisk_disk *disk, bool inactive,
                vdisk_error **err)
{
    vdisk_error *inner = NULL;
    const vdisk_disk *there;

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
    /* only checked: the context is read again for the next attempt */
    if (vdisk_domain_remove_disk(ctx, vdisk_disk_get_target(disk), &inner) < 0)
        vdisk_error_free(inner);
    return 1;
}

/* The target of the disk in @ctx that uses @disk's source, or NULL. Two
 * read-only disks, or two shareable ones, may use one source: not counted. */
static const char *
vd_target_of_source(const vdisk_domain *ctx, const vdisk_disk *disk)
{
    size_t i;

    if (!ctx || !vdisk_source_is_present(vdisk_disk_get_source_const(disk)))
        return NULL;
    for (i = 0; i < vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk_const(ctx, i);

        if (!vdisk_source_is_present(vdisk_disk_get_source_const(d)) || !vd_same_source(d, disk))
            continue;
        if ((vdisk_disk_get_readonly(d) && vdisk_disk_get_readonly(disk)) ||
            (vdisk_disk_get_shareable(d) && vdisk_disk_get_shareable(disk)))
            continue;
        return vdisk_disk_get_target(d);
    }
    return NULL;
}

/* A file or block source that libvirt would refuse for what it is on this
 * host: missing (VDISK_ERR_NOT_FOUND) or a directory
 * (VDISK_ERR_INVALID_ARG), told apart before libvirt or QEMU word it their
 * way, so an attach, with or without a format, and a media change refuse it
 * alike. Only on a local connection (the path is this host's), and not for
 * a source a startupPolicy lets be missing; what cannot be looked at
 * (permissions) is left to libvirt, which may reach it. */
static int
vd_check_local_source(virDomainPtr dom, const char *label, const vdisk_source *src,
                      vdisk_error **err)
{
    vdisk_type type = vdisk_source_get_type(src);
    const char *path = vdisk_source_get_path(src);
    struct stat st;

    if (!path || (type != VDISK_TYPE_NONE && type != VDISK_TYPE_FILE && type != VDISK_TYPE_BLOCK) ||
        vdisk_source_get_startup_policy(src) != VDISK_STARTUP_POLICY_DEFAULT ||
        !vd_virt_connection_is_local(virDomainGetConnect(dom)))
        return 0;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            return vd_fail(err, VDISK_ERR_NOT_FOUND, "%s: source '%s' does not exist", label,
                           path);
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: source '%s' is a directory, not an image (a directory is a "
                       "type='dir' disk)",
                       label, path);
    return 0;
}

/* A disk given without a format: what its header says decides (see
 * vdisk_hotplug_attach_auto()). */
static int
vd_attach_settle_format(virDomainPtr dom, vdisk_disk *disk, unsigned int flags,
                        unsigned int *result, vdisk_error **err)
{
    vdisk_source *src = vdisk_disk_get_source(disk);
    vdisk_type type = vdisk_source_get_type(src);
    vdisk_error *inner = NULL;
    vdisk_format format = VDISK_FORMAT_NONE;
    unsigned int pflags = 0;
    const char *path = vdisk_source_get_path(src);
    const char *name;

    if (vdisk_source_get_format(src) != VDISK_FORMAT_NONE || !vdisk_source_is_present(src) || !path)
        return 0;
    /* network, volume, nvme, vhost-user sources: libvirt's own rules */
    if (type != VDISK_TYPE_NONE && type != VDISK_TYPE_FILE && type != VDISK_TYPE_BLOCK)
        return 0;
    if (!vd_virt_connection_is_local(virDomainGetConnect(dom)))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: no format given for '%s', and its header cannot be read from this "
                       "host (the connection is remote): give the format (e.g. qcow2 or raw)",
                       vd_disk_label(disk), path);
    if (vdisk_image_probe_format(path, &format, &pflags, &inner) < 0) {
        vd_error_wrap(err, inner, "%s: no format given, and the header of '%s' cannot be used",
                      vd_disk_label(disk), path);
        return -1;
    }
    name = vdisk_enum_to_string(VDISK_ENUM_FORMAT, format);
    if (format == VDISK_FORMAT_ISO && !(flags & VDISK_HOTPLUG_PROBE_FORMAT))
        format = VDISK_FORMAT_RAW; /* an ISO 9660 image is raw data to QEMU */
    if (format != VDISK_FORMAT_RAW && !(flags & VDISK_HOTPLUG_PROBE_FORMAT))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: no format given, and '%s' has a %s header: give format '%s' "
                       "(--format %s) if it is a %s image, or format 'raw' (--format raw) "
                       "when a guest may have written that header into a raw disk; it is "
                       "never attached with a format read from its own header unless asked",
                       vd_disk_label(disk), path, name, name, name, name);
    if (vd_virt_after(vdisk_source_set_format(src, format, &inner), &inner, err) < 0)
        return -1;
    *result |= VDISK_ATTACH_FORMAT_PROBED;
    if (pflags & VDISK_PROBE_GUESSED)
        *result |= VDISK_ATTACH_FORMAT_GUESSED;
    return 0;
}

/* Whether libvirt's refusal (its message @msg) says a concurrent caller took
 * the target, its alias or its address first. */
static bool
vd_taken_meanwhile(const char *msg)
{
    static const char *const signs[] = {
        "already exists",              /* config: target %s already exists */
        "duplicated for disk sources", /* live: target 'sdb' duplicated ... */
        "already contains a disk with that address",
        "Duplicate device ID", /* QEMU: the alias */
        "Duplicate ID",
        "double use of", /* a PCI or USB address */
        "is already in use",
    };
    size_t i;

    for (i = 0; msg && i < G_N_ELEMENTS(signs); i++) {
        if (strstr(msg, signs[i]))
            return true;
    }
    return false;
}

/* What to change when libvirt or QEMU refuses a hot-plug the machine cannot
 * do, or NULL. */
static char *
vd_hotplug_hint(virDomainPtr dom, const char *msg)
{
    g_autofree char *xml = NULL;
    char *raw;
    bool acpi;

    if (!msg)
        return NULL;
    if (strstr(msg, "No more available PCI slots"))
        return g_strdup("the domain has no free hot-pluggable PCI slot: add a pci-bridge "
                        "(pc machines) or pcie-root-port (q35) controller to the persistent "
                        "definition and restart the domain, or use a bus with room "
                        "(virtio-scsi, usb)");
    if (!strstr(msg, "does not support hotplugging"))
        return NULL;
    if ((raw = virDomainGetXMLDesc(dom, 0))) {
        xml = g_strdup(raw);
        free(raw);
    } else {
        virResetLastError();
    }
    acpi = xml && (strstr(xml, "<acpi/>") || strstr(xml, "<acpi>"));
    if (xml && !acpi && strstr(msg, "pci.0"))
        return g_strdup("the machine cannot hot-plug PCI devices: a 'pc' machine does so "
                        "through ACPI, and the domain runs without it: add <acpi/> to "
                        "<features> in the persistent definition and restart the domain, or "
                        "attach to the persistent definition only");
    return g_strdup("the bus the device would sit on does not take devices while the domain "
                    "runs (a PCI Express root bus, or a controller without hotplug): put the "
                    "disk behind a controller that can hot-plug (a pcie-root-port on q35, a "
                    "virtio-scsi controller, usb), or attach it to the persistent definition "
                    "and restart the domain");
}

#define VD_ATTACH_TRIES 64

/* The attach behind both public calls. @disk is the caller's copy, changed
 * (target, format) as the attach goes; @auto_target when its target was
 * unset. */
static int
vd_attach(virDomainPtr dom, vdisk_disk *disk, unsigned int flags, bool auto_target,
          unsigned int *result, vdisk_error **err)
{
    g_autoptr(GHashTable) tried = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    vdisk_error *inner = NULL;
    vd_scope scope;
    int attempt;

    *result = 0;
    if (vd_scope_resolve(&scope, dom, flags, err) < 0)
        return -1;
    if (scope.live_only)
        *result |= VDISK_ATTACH_LIVE_ONLY;
    if (auto_target && vd_effective_bus(disk) == VDISK_BUS_NONE)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: no target and no bus set: the bus decides the target's name",
                       vd_disk_label(disk));
    if (vd_check_local_source(dom, vd_disk_label(disk), vdisk_disk_get_source_const(disk), err) <
            0 ||
        vd_attach_settle_format(dom, disk, flags, result, err) < 0)
        return -1;

    for (attempt = 0;; attempt++) {
        g_autoptr(vdisk_domain) live = NULL;
        g_autoptr(vdisk_domain) config = NULL;
        g_autoptr(vd_intent) intent = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *lvmsg = NULL;
        g_autofree char *hint = NULL;
        const char *live_has = NULL;
        const char *config_has = NULL;
        unsigned int affect = 0;
        int need_live = 0;
        int need_config = 0;
        int lvcode;

        if (vd_load_both(&live, &config, dom, err) < 0)
            return -1;
        if (!scope.active)
            g_clear_pointer(&live, vdisk_domain_free);
        if (!scope.active && vd_virt_load_domain(&config, dom, true, err) < 0)
            return -1;
        if (scope.live)
            live_has = vd_target_of_source(live, disk);
        if (scope.config)
            config_has = vd_target_of_source(config, disk);

        if (auto_target && (live_has || config_has)) {
            /* the source is there already: ensure it, under its own target */
            if (live_has && config_has && strcmp(live_has, config_has) != 0)
                return vd_fail(err, VDISK_ERR_EXISTS,
                               "%s: domain '%s' already has source '%s' as target '%s' in its "
                               "live definition and as '%s' in its persistent one",
                               vd_disk_label(disk), vd_dom_name(dom),
                               vdisk_disk_get_path(disk) ?: "(this source)", live_has, config_has);
            if (vd_virt_after(vdisk_disk_set_target(disk, live_has ?: config_has, &inner), &inner,
                              err) < 0)
                return -1;
            *result |= VDISK_ATTACH_EXISTING;
        } else if (auto_target) {
            g_autofree char *name = NULL;

            if (vd_first_free_target(&name, dom, disk, live, config, tried, err) < 0)
                return -1;
            if (vd_virt_after(vdisk_disk_set_target(disk, name, &inner), &inner, err) < 0)
                return -1;
        } else {
            const char *target = vdisk_disk_get_target(disk);
            const char *other = live_has && strcmp(live_has, target) != 0       ? live_has
                                : config_has && strcmp(config_has, target) != 0 ? config_has
                                                                                : NULL;

            if (other) {
                g_autofree char *src = vd_source_describe(disk);

                return vd_fail(err, VDISK_ERR_EXISTS,
                               "%s: domain '%s' already has source '%s' as target '%s' (%s "
                               "definition); attach it there, or detach it first",
                               vd_disk_label(disk), vd_dom_name(dom), src, other,
                               other == live_has ? "live" : "persistent");
            }
        }

        /* every check on both sides before anything changes */
        if (scope.live && (need_live = vd_attach_check(live, dom, disk, false, &inner)) < 0) {
            if (auto_target && vdisk_error_get_code(inner) == VDISK_ERR_EXISTS &&
                attempt + 1 < VD_ATTACH_TRIES) {
                g_hash_table_add(tried, g_strdup(vdisk_disk_get_target(disk)));
                g_clear_pointer(&inner, vdisk_error_free);
                *result &= ~(unsigned int)VDISK_ATTACH_EXISTING;
                *result |= VDISK_ATTACH_TARGET_RETRIED;
                continue;
            }
            vd_error_wrap(err, inner, NULL);
            return -1;
        }
        if (scope.config && (need_config = vd_attach_check(config, dom, disk, true, &inner)) < 0) {
            if (auto_target && vdisk_error_get_code(inner) == VDISK_ERR_EXISTS &&
                attempt + 1 < VD_ATTACH_TRIES) {
                g_hash_table_add(tried, g_strdup(vdisk_disk_get_target(disk)));
                g_clear_pointer(&inner, vdisk_error_free);
                *result &= ~(unsigned int)VDISK_ATTACH_EXISTING;
                *result |= VDISK_ATTACH_TARGET_RETRIED;
                continue;
            }
            vd_error_wrap(err, inner, NULL);
            return -1;
        }
        if (!need_live && !need_config) {
            *result |= VDISK_ATTACH_EXISTING;
            return 0;
        }
        if (need_live && vd_check_hotpluggable(disk, false, err) < 0)
            return -1;
        if (vd_virt_after(vdisk_disk_to_xml(&xml, disk, &inner), &inner, err) < 0)
            return -1;

        /* both sides in one call: libvirt changes the persistent definition
         * only when the live attach worked, all under the domain's job */
        affect =
            (need_live ? VIR_DOMAIN_AFFECT_LIVE : 0) | (need_config ? VIR_DOMAIN_AFFECT_CONFIG : 0);
        if (need_live && need_config &&
            vd_intent_begin(&intent, dom, VD_INTENT_ATTACH, vdisk_disk_get_target(disk), xml, NULL,
                            err) < 0)
            return -1;
        if (virDomainAttachDeviceFlags(dom, xml, affect) == 0) {
            vd_intent_end(dom, g_steal_pointer(&intent));
            *result |= (need_live ? VDISK_ATTACH_LIVE_CHANGED : 0) |
                       (need_config ? VDISK_ATTACH_CONFIG_CHANGED : 0);
            return 0;
        }
        lvcode = vd_virt_take_error(&lvmsg);
        vd_intent_end(dom, g_steal_pointer(&intent));
        if (auto_target && attempt + 1 < VD_ATTACH_TRIES &&
            (vd_taken_meanwhile(lvmsg) || strstr(lvmsg, "\"write\" lock"))) {
            /* a concurrent caller took the name, alias or address (or is
             * attaching this very source): read the domain again */
            g_hash_table_add(tried, g_strdup(vdisk_disk_get_target(disk)));
            *result &= ~(unsigned int)VDISK_ATTACH_EXISTING;
            *result |= VDISK_ATTACH_TARGET_RETRIED;
            if (strstr(lvmsg, "\"write\" lock"))
                g_usleep(50 * G_TIME_SPAN_MILLISECOND); /* let that attach finish */
            continue;
        }
        hint = vd_hotplug_hint(dom, lvmsg);
        vd_error_set_libvirt(err, lvcode,
                             "%s: libvirt refused to attach it to %s of domain '%s' (nothing "
                             "was changed): %s%s%s",
                             vd_disk_label(disk),
                             need_live && need_config ? "the running domain and the persistent "
                                                        "definition"
                             : need_live              ? "the running domain"
                                                      : "the persistent definition",
                             vd_dom_name(dom), lvmsg, hint ? "; " : "", hint ? hint : "");
        return -1;
    }
}

int
vdisk_hotplug_attach(virDomainPtr dom, const vdisk_disk *disk, unsigned int flags,
                     vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG |
                               VDISK_HOTPLUG_PERSISTENT | VDISK_HOTPLUG_PROBE_FORMAT;
    g_autoptr(vdisk_disk) copy = NULL;
    vdisk_error *inner = NULL;
    unsigned int result = 0;

    VD_API_ENTER();
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    if (!vdisk_disk_get_target(disk))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: no target name set (see vdisk_hotplug_next_target, or "
                       "vdisk_hotplug_attach_auto)",
                       vd_disk_label(disk));
    if (vd_virt_after(vdisk_disk_copy(&copy, disk, &inner), &inner, err) < 0)
        return -1;
    return vd_attach(dom, copy, flags, false, &result, err);
}

int
vdisk_hotplug_attach_auto(virDomainPtr dom, vdisk_disk *disk, unsigned int flags,
                          unsigned int *result, vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG |
                               VDISK_HOTPLUG_PERSISTENT | VDISK_HOTPLUG_PROBE_FORMAT;
    g_autoptr(vdisk_disk) copy = NULL;
    vdisk_error *inner = NULL;
    unsigned int res = 0;
    bool auto_target;

    VD_API_ENTER();
    if (result)
        *result = 0;
    if (vd_check_dom(dom, err) < 0)
        return -1;
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    auto_target = vdisk_disk_get_target(disk) == NULL;
    if (vd_virt_after(vdisk_disk_copy(&copy, disk, &inner), &inner, err) < 0)
        return -1;
    if (vd_attach(dom, copy, flags, auto_target, &res, err) < 0)
        return -1;
    /* the caller's disk gets the target and format used */
    if (vd_virt_after(vdisk_disk_set_target(disk, vdisk_disk_get_target(copy), &inner), &inner,
                      err) < 0 ||
        vd_virt_after(vdisk_source_set_format(
                          vdisk_disk_get_source(disk),
                          vdisk_source_get_format(vdisk_disk_get_source_const(copy)), &inner),
                      &inner, err) < 0)
        return -1;
    if (result)
        *result = res;
    return 0;
}

/* ---- detach --------------------------------------------------------------------- */

int
vdisk_hotplug_detach(virDomainPtr dom, const char *target, unsigned int flags,
                     unsigned int timeout_ms, vdisk_error **err)
{
    const unsigned int known = VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG | VDISK_HOTPLUG_PERSISTENT;
    g_autoptr(vdisk_domain) live = NULL;
    g_autoptr(vd_intent) intent = NULL;
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
    /* both sides change: recorded, so that an interrupted detach can be
     * finished (the record stays while the live removal is pending, and
     * when the persistent side could not be changed after the live one) */
    if (live_disk && config_disk &&
        vd_intent_begin(&intent, dom, VD_INTENT_DETACH, target, config_xml, NULL, err) < 0)
        return -1;

    if (live_disk) {
        res = vd_hotplug_remove_live(dom, target, alias, timeout_ms, err);
        if (res == VD_REMOVAL_ERROR) {
            vd_intent_end(dom, g_steal_pointer(&intent));
            return -1;
        }
        if (res == VD_REMOVAL_FAILED) {
            vd_intent_end(dom, g_steal_pointer(&intent));
            return vd_fail(err, VDISK_ERR_LIBVIRT,
                           "target '%s': the guest refused to release the disk; it stays "
                           "attached%s",
                           target, config_disk ? " and in the persistent configuration" : "");
        }
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
    if (res != VD_REMOVAL_PENDING)
        vd_intent_end(dom, g_steal_pointer(&intent));
    if (res == VD_REMOVAL_PENDING)
        return vd_fail(err, VDISK_ERR_PENDING,
                       "target '%s': removal still pending after %u ms, the guest has not "
                       "released the device (it stays in use until it does)%s",
                       target, timeout_ms,
                       config_disk ? "; it was removed from the persistent configuration" : "");
    return 0;
}

/* ---- media and I/O limits --------------------------------------------------------- */

/* The device id QEMU knows @disk's tray by: the alias for drive-addressed
 * disks, as libvirt's qomName. */
static const char *
vd_media_qom_name(const vdisk_disk *disk)
{
    return vdisk_disk_get_alias(disk);
}

/* Whether QEMU's query-block says the tray of device @id is open: 1, 0, -1. */
static int
vd_media_tray_open(virDomainPtr dom, const char *id, vdisk_error **err)
{
    g_autofree char *reply = NULL;
    g_autoptr(GPtrArray) devices = NULL;
    guint i;

    if (vd_libvirt_qemu_monitor(dom, "{\"execute\":\"query-block\"}", &reply, err) < 0)
        return -1;
    devices = vd_qmp_return_elements(reply);
    for (i = 0; devices && i < devices->len; i++) {
        g_autofree char *qdev = vd_qmp_member(devices->pdata[i], "qdev");
        g_autofree char *tray = NULL;

        if (!qdev || strcmp(qdev, id) != 0)
            continue;
        tray = vd_qmp_member(devices->pdata[i], "tray_open");
        return tray && strcmp(tray, "true") == 0;
    }
    return vd_fail(err, VDISK_ERR_NOT_FOUND, "QEMU has no block device '%s'", id);
}

#define VD_TRAY_WAIT_MS 5000

/* Opens the tray of live cdrom @disk over QMP (blockdev-open-tray, as
 * libvirt's media change does when it knows the tray) and waits until QEMU
 * reports it open. libvirt learns of it from QEMU's DEVICE_TRAY_MOVED
 * event, and closes the tray itself after the medium change. */
static int
vd_media_open_tray(virDomainPtr dom, const vdisk_disk *disk, bool force, vdisk_error **err)
{
    const char *id = vd_media_qom_name(disk);
    g_autofree char *cmd = NULL;
    g_autofree char *reply = NULL;
    vdisk_error *inner = NULL;
    gint64 deadline;
    int open;

    if (!id)
        return vd_fail(err, VDISK_ERR_INTERNAL, "the live disk has no alias");
    cmd = g_strdup_printf("{\"execute\":\"blockdev-open-tray\",\"arguments\":{\"id\":\"%s\","
                          "\"force\":%s}}",
                          id, force ? "true" : "false");
    if (vd_libvirt_qemu_monitor(dom, cmd, &reply, &inner) < 0) {
        vd_error_wrap(err, inner,
                      "libvirt 9.0 does not open the tray of a cdrom plugged in while the domain "
                      "runs, and opening it over QMP failed");
        return -1;
    }
    deadline = g_get_monotonic_time() + VD_TRAY_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    while ((open = vd_media_tray_open(dom, id, err)) == 0) {
        if (g_get_monotonic_time() > deadline)
            return vd_fail(err, VDISK_ERR_LIBVIRT,
                           "the guest keeps the tray of '%s' locked and did not open it "
                           "within %d ms (force opens it regardless)",
                           id, VD_TRAY_WAIT_MS);
        g_usleep(20 * G_TIME_SPAN_MILLISECOND);
    }
    return open < 0 ? -1 : 0;
}

int
vdisk_hotplug_change_media(virDomainPtr dom, const char *target, const char *source,
                           unsigned int flags, vdisk_error **err)
{
    const unsigned int known =
        VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG | VDISK_HOTPLUG_PERSISTENT | VDISK_HOTPLUG_FORCE;
    g_autoptr(vdisk_domain) ctx = NULL;
    g_autoptr(vdisk_disk) copy = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *old_xml = NULL;
    g_autofree char *lvmsg = NULL;
    g_autoptr(vd_intent) intent = NULL;
    vdisk_disk *disk;
    vdisk_source *src;
    vdisk_error *inner = NULL;
    vdisk_format format;
    vd_scope scope;
    unsigned int affect;
    bool opened = false;
    int lvcode;

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
        if (vd_check_local_source(dom, vd_disk_label(copy), src, err) < 0)
            return -1;
    }
    if (vd_virt_after(vdisk_disk_to_xml(&xml, copy, &inner), &inner, err) < 0)
        return -1;

    if (scope.live && scope.config &&
        (vd_virt_after(vdisk_disk_to_xml(&old_xml, disk, &inner), &inner, err) < 0 ||
         vd_intent_begin(&intent, dom, VD_INTENT_MEDIA, target, xml, old_xml, err) < 0))
        return -1;

    affect = vd_scope_affect(&scope);
    if (flags & VDISK_HOTPLUG_FORCE)
        affect |= VIR_DOMAIN_DEVICE_MODIFY_FORCE;
    for (;;) {
        g_autoptr(vdisk_error) why = NULL;

        if (virDomainUpdateDeviceFlags(dom, xml, affect) == 0) {
            vd_intent_end(dom, g_steal_pointer(&intent));
            return 0;
        }
        g_clear_pointer(&lvmsg, g_free);
        lvcode = vd_virt_take_error(&lvmsg);
        /* libvirt 9.0 does not know that a cdrom plugged in after the start
         * has a tray, so it never opens it (9.1 reads the tray after the
         * hotplug): open it as libvirt would and ask again */
        if (opened || !scope.live || !strstr(lvmsg, "is not open") ||
            vd_media_open_tray(dom, disk, (flags & VDISK_HOTPLUG_FORCE) != 0, &why) < 0) {
            vd_intent_end(dom, g_steal_pointer(&intent));
            vd_error_set_libvirt(err, lvcode, "target '%s': libvirt refused to %s%s%s%s: %s%s%s",
                                 target, source ? "insert '" : "eject the medium",
                                 source ? source : "", source ? "'" : "", " (nothing was changed)",
                                 lvmsg, why ? "; " : "", why ? vdisk_error_get_message(why) : "");
            return -1;
        }
        opened = true;
    }
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
