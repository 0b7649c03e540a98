/*
 * virt.c: what every part of the libvirt layer shares: libvirt's errors, a
 * domain's name for messages, a domain's XML read into a context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "virt/virt_priv.h"

/* libvirt's error as it stood when vd_dom_name() was last called: looking
 * the name up clears libvirt's last error, and the name is looked up while
 * the arguments of the report are evaluated, before the report reads it. */
static _Thread_local virErrorPtr vd_saved_error;

static void
vd_saved_error_clear(void)
{
    if (vd_saved_error) {
        virFreeError(vd_saved_error);
        vd_saved_error = NULL;
    }
}

const char *
vd_dom_name(virDomainPtr dom)
{
    virErrorPtr e = virSaveLastError();
    const char *name;

    if (e && e->code != VIR_ERR_OK) {
        vd_saved_error_clear();
        vd_saved_error = e;
    } else if (e) {
        virFreeError(e);
    }
    name = virDomainGetName(dom);
    return name ? name : "";
}

/* libvirt's last error, or the one vd_dom_name() saved from it. */
static virErrorPtr
vd_last_libvirt_error(void)
{
    virErrorPtr lverr = virGetLastError();

    if ((!lverr || lverr->code == VIR_ERR_OK) && vd_saved_error)
        return vd_saved_error;
    return lverr;
}

void
vd_virt_error(vdisk_error **err, const char *fmt, ...)
{
    virErrorPtr lverr;
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    lverr = vd_last_libvirt_error();
    if (lverr && lverr->code != VIR_ERR_OK && lverr->message)
        vd_error_set_libvirt(err, lverr->code, "%s: %s", what, lverr->message);
    else if (lverr && lverr->code != VIR_ERR_OK)
        vd_error_set_libvirt(err, lverr->code, "%s: libvirt gave no reason", what);
    else
        vd_error_set_libvirt(err, 0, "%s: libvirt reported no reason", what);
    virResetLastError();
    vd_saved_error_clear();
}

int
vd_virt_take_error(char **msg)
{
    virErrorPtr lverr = vd_last_libvirt_error();
    int code = lverr ? lverr->code : VIR_ERR_INTERNAL_ERROR;

    *msg = g_strdup(lverr && lverr->message ? lverr->message : "libvirt gave no reason");
    virResetLastError();
    vd_saved_error_clear();
    return code;
}

vdisk_disk *
vd_virt_disk_with_image(vdisk_domain *ctx, const char *path, const char *real)
{
    for (size_t d = 0; ctx && d < vdisk_domain_get_disk_count(ctx); d++) {
        vdisk_disk *disk = vdisk_domain_get_disk(ctx, d);

        for (const vdisk_source *src = vdisk_disk_get_source(disk); src;
             src = vdisk_source_get_backing(src)) {
            const char *p = vdisk_source_get_path(src);
            g_autofree char *rp = NULL;

            if (!p)
                continue;
            if (strcmp(p, path) == 0)
                return disk;
            if (real && (rp = realpath(p, NULL)) && strcmp(rp, real) == 0)
                return disk;
        }
    }
    return NULL;
}

bool
vd_virt_exists_error(int code, const char *msg)
{
    return code == VIR_ERR_CONFIG_UNSUPPORTED && msg && strstr(msg, "already exists");
}

int
vd_virt_after(int rc, vdisk_error **inner, vdisk_error **err)
{
    if (rc < 0)
        vd_error_wrap(err, g_steal_pointer(inner), NULL);
    else
        g_clear_pointer(inner, vdisk_error_free);
    return rc;
}

int
vd_virt_load_domain(vdisk_domain **out, virDomainPtr dom, bool inactive, vdisk_error **err)
{
    g_autofree char *xml = NULL;
    char *raw;
    vdisk_error *inner = NULL;
    int rc;

    *out = NULL;
    if (!(raw = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0))) {
        vd_virt_error(err, "cannot read the %s definition of domain '%s'",
                      inactive ? "persistent" : "live", vd_dom_name(dom));
        return -1;
    }
    xml = g_strdup(raw);
    free(raw);
    /* libvirt accepted this domain: read it, do not judge it */
    rc = vdisk_domain_from_xml_flags(
        out, xml, VDISK_PARSE_NO_VALIDATE | (inactive ? 0 : VDISK_PARSE_LIVE), &inner);
    return vd_virt_after(rc, &inner, err);
}

/* Whether the connection reaches libvirt on this host: a driver URI with no
 * host part, over the local socket (qemu:///system, qemu+unix:///system,
 * qemu:///embed?root=...). */
bool
vd_virt_connection_is_local(virConnectPtr conn)
{
    char *raw = virConnectGetURI(conn);
    g_autofree char *uri = NULL;
    const char *scheme_end;
    const char *plus;
    bool local = false;

    if (!raw) {
        virResetLastError();
        return false;
    }
    uri = g_strdup(raw);
    free(raw);
    if ((scheme_end = strstr(uri, "://")) && scheme_end[3] == '/') {
        plus = memchr(uri, '+', scheme_end - uri);
        local = !plus || strncmp(plus, "+unix://", 8) == 0;
    }
    return local;
}
