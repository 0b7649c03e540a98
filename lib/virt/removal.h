/*
 * removal.h: a live disk's removal, waited for (removal.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libvirt/libvirt.h>

#include "util/error.h"

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
