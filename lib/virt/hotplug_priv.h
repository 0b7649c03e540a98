/*
 * hotplug_priv.h: internals shared by the hotplug files of the libvirt layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "vdisk/hotplug.h"
#include "util/error.h"

/* The conf layer's objects, freed on scope exit in this layer. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_domain, vdisk_domain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_disk, vdisk_disk_free)

/* Stores libvirt's last error (its code, and its message after ours) in
 * @err, then clears it. */
void vd_hotplug_libvirt_error(vdisk_error **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The domain's name, for messages. Looking it up clears libvirt's last
 * error, so the error is saved first for vd_hotplug_libvirt_error() to
 * report: the name may be an argument of that very report. */
const char *vd_dom_name(virDomainPtr dom);

/* Moves @inner, raised by another public call, into @err under the current
 * call's name: code, libvirt code and position are kept. */
void vd_hotplug_rethrow(vdisk_error **err, vdisk_error *inner);

/* The domain's disks: live (or the definition of a stopped domain), or the
 * persistent configuration with @inactive. */
int vd_hotplug_load(vdisk_domain **out, virDomainPtr dom, bool inactive, vdisk_error **err);

/* The outcome of waiting for a live disk to go away. */
typedef enum {
    VD_REMOVAL_DONE = 0,
    VD_REMOVAL_PENDING,
    VD_REMOVAL_FAILED, /* the guest refused (DEVICE_REMOVAL_FAILED) */
    VD_REMOVAL_ERROR,  /* libvirt failed while we asked; @err is set */
} vd_removal_result;

/* Asks for the live removal of the disk @target (alias @alias) and waits up
 * to @timeout_ms for QEMU to release it. The device-removed event is used
 * when the connection delivers events; the live XML is polled in any case,
 * so a connection without a running event loop still sees the end. */
vd_removal_result vd_hotplug_remove_live(virDomainPtr dom, const char *target, const char *alias,
                                         unsigned int timeout_ms, vdisk_error **err);
