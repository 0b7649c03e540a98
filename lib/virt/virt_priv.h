/*
 * virt_priv.h: shared internals of the libvirt layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "util/error.h"

/* true once vdisk_connect_open() (or vd_virt_event_loop_start()) has
 * registered libvirt's default event implementation and its thread runs.
 * Without it, libvirt delivers no domain events on any connection. */
bool vd_virt_event_loop_running(void);

/* Registers libvirt's default event implementation and starts the thread
 * running it, once per process. Later calls return the first call's result. */
int vd_virt_event_loop_start(vdisk_error **err);

/* Stores libvirt's last error (code and message) in @err, after @what
 * ("cannot open 'qemu:///system'"). */
void vd_virt_error(vdisk_error **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Autoptr cleanups for the libvirt objects the layer looks up. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePool, virStoragePoolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVol, virStorageVolFree)
