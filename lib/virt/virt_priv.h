/*
 * virt_priv.h: what the parts of the libvirt layer share (virt.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "vdisk/blockjob.h"
#include "util/error.h"
/* libvirt's functions are called through the table libvirt.so.0 fills */
#include "virt/virt_dl.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_domain, vdisk_domain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_disk, vdisk_disk_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_job_status, vdisk_job_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePool, virStoragePoolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVol, virStorageVolFree)

/* The one wrapper of libvirt's errors: "@fmt...: libvirt's message", with
 * libvirt's code kept; libvirt's last error is cleared. */
void vd_virt_error(vdisk_error **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Whether libvirt refused with @code and @msg because a file it was to
 * create exists ("... already exists and is not a block device"). */
bool vd_virt_exists_error(int code, const char *msg);

/* libvirt's last error as code and message (the caller's), then cleared. */
int vd_virt_take_error(char **msg);

/* The domain's name for a message. Looking it up would clear libvirt's last
 * error, so that error is kept for the next vd_virt_error(). */
const char *vd_dom_name(virDomainPtr dom);

/* After a public call made with its own error @inner: moves it (when @rc <
 * 0) into @err. Returns @rc. */
int vd_virt_after(int rc, vdisk_error **inner, vdisk_error **err);

/* Whether @conn reaches libvirt on this host: a URI with no host part, over
 * the local socket (qemu:///system, qemu+unix:///system, qemu:///embed?...):
 * the paths libvirt uses are then this host's. */
bool vd_virt_connection_is_local(virConnectPtr conn);

/* The disk of @ctx whose chain (top or backing) has image @path, or that
 * resolves to @real (realpath() of @path, NULL to compare paths only);
 * NULL when none. */
vdisk_disk *vd_virt_disk_with_image(vdisk_domain *ctx, const char *path, const char *real);

/* The live (or, @inactive, persistent) definition of @dom as a context,
 * read without libvirt's checks (libvirt accepted it). */
int vd_virt_load_domain(vdisk_domain **out, virDomainPtr dom, bool inactive, vdisk_error **err);

/* How a pool's volumes reach a domain, as libvirt decides when a
 * type='volume' disk starts. */
typedef enum {
    VD_POOL_PATH,    /* a file, block device or directory path */
    VD_POOL_ISCSI,   /* a path in host mode, a network source in direct mode */
    VD_POOL_NETWORK, /* a network source, or nothing libvirt can use */
} vd_pool_kind;

/* The kind of a pool of libvirt type @type (storage.c). */
vd_pool_kind vd_pool_kind_of(const char *type);
