/*
 * connect.h: libvirt's event loop, which connections start (connect.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* true once vdisk_connect_open() (or vd_virt_event_loop_start()) has
 * registered libvirt's default event implementation and its thread runs.
 * Without it, libvirt delivers no domain events on any connection. */
bool vd_virt_event_loop_running(void);

/* Registers libvirt's default event implementation and starts the thread
 * running it, once per process. Later calls return the first call's result. */
int vd_virt_event_loop_start(vdisk_error **err);
