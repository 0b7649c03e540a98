/*
 * hotplug_render.c: the QMP commands libvirt 9.0 sends QEMU when it
 * hot-plugs a disk into a running domain, or unplugs one, computed
 * against the domain as it runs now
 *
 * A hot-plugged disk is translated as libvirt's attach translates it
 * (qemuDomainAttachDeviceDiskLiveInternal): placed on the live buses
 * (conf's vd_domain_hotplug_place_disk()), its backing chain read from the
 * image headers on this host (qemuDomainDetermineDiskChain, which numbers
 * the images it finds before the chain is numbered again from the top),
 * its nodes numbered after the ones the domain used so far. That counter
 * (the private nodenameindex) is not in the live XML, where disks
 * unplugged earlier no longer show the numbers they took: libvirt keeps it
 * in the domain's status XML (<nodename index='N'/>), which is read from
 * the daemon's state directory. Only local daemons have it on this host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "qemu/qemu_priv.h"
#include "virt/chain_probe.h"
#include "virt/virt_priv.h"

/* Where the daemon behind @conn keeps the status XML of domain @name
 * (the QEMU driver's stateDir): only for local URIs. */
static char *
vd_status_path(virConnectPtr conn, const char *name, vdisk_error **err)
{
    g_autoptr(GUri) uri = NULL;
    g_autofree char *text = NULL;
    char *raw;
    const char *scheme, *path, *query;

    if (!(raw = virConnectGetURI(conn))) {
        vd_virt_error(err, "cannot read the connection's URI");
        return NULL;
    }
    text = g_strdup(raw);
    free(raw);
    if (!(uri = g_uri_parse(text, G_URI_FLAGS_NONE, NULL)))
        goto remote;
    scheme = g_uri_get_scheme(uri);
    path = g_uri_get_path(uri);
    query = g_uri_get_query(uri);
    if ((strcmp(scheme, "qemu") != 0 && strcmp(scheme, "qemu+unix") != 0) ||
        (g_uri_get_host(uri) && *g_uri_get_host(uri)))
        goto remote;
    if (strcmp(path, "/system") == 0)
        return g_strdup_printf("/run/libvirt/qemu/%s.xml", name);
    if (strcmp(path, "/session") == 0)
        return g_strdup_printf("%s/libvirt/qemu/run/%s.xml", g_get_user_runtime_dir(), name);
    if (strcmp(path, "/embed") == 0 && query && g_str_has_prefix(query, "root=")) {
        g_autofree char *root = g_uri_unescape_string(query + 5, NULL);

        return g_strdup_printf("%s/run/qemu/%s.xml", root, name);
    }

remote:
    vd_error_set(err, VDISK_ERR_UNSUPPORTED,
                 "the node names domain '%s' uses are kept in the status XML of the daemon at "
                 "'%s', which is not on this host",
                 name, text);
    return NULL;
}

/* libvirt's nodenameindex of the running domain @dom. */
static int
vd_nodename_counter(virDomainPtr dom, unsigned long long *index, vdisk_error **err)
{
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    GError *gerr = NULL;
    vdisk_error *inner = NULL;

    if (virDomainGetUUIDString(dom, uuid) < 0) {
        vd_virt_error(err, "cannot read the UUID of domain '%s'", vd_dom_name(dom));
        return -1;
    }
    if (!(path = vd_status_path(virDomainGetConnect(dom), vd_dom_name(dom), err)))
        return -1;
    if (!g_file_get_contents(path, &xml, NULL, &gerr)) {
        vd_error_set(err, VDISK_ERR_SYSTEM,
                     "cannot read the status XML of domain '%s' (the node names it uses): %s",
                     vd_dom_name(dom), gerr->message);
        g_error_free(gerr);
        return -1;
    }
    if (vd_status_xml_nodename_index(xml, uuid, index, &inner) < 0)
        return vd_error_wrap(err, inner, "%s", path);
    return 0;
}

static int
vd_require_running(virDomainPtr dom, vdisk_error **err)
{
    int active = virDomainIsActive(dom);

    if (active < 0) {
        vd_virt_error(err, "cannot tell whether domain '%s' runs", vd_dom_name(dom));
        return -1;
    }
    if (!active)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "domain '%s' is not running", vd_dom_name(dom));
    return 0;
}

/* qemuDiskConfigBlkdeviotuneEnabled */
static bool
vd_has_iotune(const vdisk_disk *disk)
{
    for (int f = 0; f < VDISK_IOTUNE_LAST; f++) {
        if (vdisk_disk_get_iotune(disk, (vdisk_iotune_field)f))
            return true;
    }
    return false;
}

/* What libvirt sends besides blockdev-add and device_add, or sends in a
 * form this translation cannot reproduce: refused. */
static int
vd_attach_modelled(const vdisk_disk *disk, vdisk_error **err)
{
    const char *target = vdisk_disk_get_target(disk) ? vdisk_disk_get_target(disk) : "";

    if (vdisk_disk_get_transient(disk))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': hot-plugging a transient disk (libvirt creates an overlay "
                       "with a snapshot) is not modelled",
                       target);
    if (vd_has_iotune(disk))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': libvirt sets <iotune> of a hot-plugged disk with "
                       "block_set_io_throttle after device_add: not modelled",
                       target);
    for (const vdisk_source *s = vdisk_disk_get_source_const(disk); s;
         s = vdisk_source_get_backing(s)) {
        if (vdisk_source_get_auth_username(s) ||
            vdisk_source_get_encryption_format(s) != VDISK_ENCRYPTION_DEFAULT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': libvirt sends the secrets of a hot-plugged disk "
                           "encrypted with the domain's master key under a random IV: not "
                           "reproducible",
                           target);
        if (vdisk_source_get_reservations_managed(s) == VDISK_TRISTATE_ON)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': libvirt may start the managed pr-helper for a "
                           "hot-plugged disk first: not modelled",
                           target);
    }
    return 0;
}

int
vdisk_hotplug_attach_commands(vdisk_qemu_args **out, virDomainPtr dom, const vdisk_disk *disk,
                              const vdisk_qemu_opts *opts, vdisk_error **err)
{
    g_autoptr(vdisk_domain) live = NULL;
    g_autoptr(vdisk_qemu_opts) o = NULL;
    vdisk_disk *placed = NULL;
    vdisk_error *inner = NULL;
    unsigned long long counter = 0;

    VD_API_ENTER();
    if (!out || !dom || !disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "out, dom and disk must not be NULL");
    *out = NULL;
    if (vd_libvirt_load(err) < 0 || vd_require_running(dom, err) < 0)
        return -1;
    if (vd_attach_modelled(disk, err) < 0)
        return -1;
    if (vd_virt_load_domain(&live, dom, false, err) < 0)
        return -1;
    if (vd_nodename_counter(dom, &counter, err) < 0)
        return -1;
    if (counter >= G_MAXUINT)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "domain '%s': node name counter %llu",
                       vd_dom_name(dom), counter);
    if (vd_domain_hotplug_place_disk(live, disk, &placed, &inner) < 0)
        return vd_error_wrap(err, inner, "domain '%s'", vd_dom_name(dom));

    /* the caller's options, numbered from where the domain is, the chain
     * read from the images as libvirt's attach reads it */
    o = vd_qemu_opts_copy(opts);
    o->first_node = (unsigned int)counter + 1;
    o->hotplug = true;
    vd_qemu_opts_set_probe(o, vd_virt_chain_probe_ops());
    if (vdisk_qemu_translate_disk(out, placed, live, o, &inner) < 0)
        return vd_error_wrap(err, inner, "domain '%s'", vd_dom_name(dom));
    return 0;
}

int
vdisk_hotplug_detach_commands(vdisk_qemu_args **out, virDomainPtr dom, const char *target,
                              vdisk_error **err)
{
    g_autoptr(vdisk_domain) live = NULL;
    const vdisk_disk *disk;
    vdisk_error *inner = NULL;

    VD_API_ENTER();
    if (!out || !dom || !target)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "out, dom and target must not be NULL");
    *out = NULL;
    if (vd_libvirt_load(err) < 0 || vd_require_running(dom, err) < 0)
        return -1;
    if (vd_virt_load_domain(&live, dom, false, err) < 0)
        return -1;
    if (!(disk = vdisk_domain_find_disk(live, target)))
        return vd_fail(err, VDISK_ERR_NOT_FOUND, "domain '%s': disk %s not found", vd_dom_name(dom),
                       target);
    if (vd_qemu_unplug_commands(out, disk, &inner) < 0)
        return vd_error_wrap(err, inner, "domain '%s'", vd_dom_name(dom));
    return 0;
}
