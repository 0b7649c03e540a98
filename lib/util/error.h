/*
 * error.h: internal error reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "vdisk/common.h"

struct vdisk_error {
    vdisk_error_code code;
    int libvirt_code;
    int line;
    int column;
    char *message;
};

/* Every public entry point names itself first, so that any error raised
 * below it is prefixed with the call's name ("vdisk_disk_from_xml: ...").
 * Only the outermost public call on the thread names itself: a public
 * function the library calls internally keeps its caller's name. The name
 * is dropped when the outermost call returns. */
#define VD_API_ENTER()                                                                             \
    __attribute__((cleanup(vd_error_leave_api))) G_GNUC_UNUSED unsigned int vd_api_depth_ =        \
        vd_error_enter_api(__func__)

unsigned int vd_error_enter_api(const char *api);
void vd_error_leave_api(unsigned int *depth);
const char *vd_error_get_context(void);
/* Renames the current public call (for calls that report on behalf of
 * another public name). */
void vd_error_set_context(const char *api);

/* Stores a new error in *@err unless @err is NULL or already set. */
void vd_error_set(vdisk_error **err, vdisk_error_code code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void vd_error_set_pos(vdisk_error **err, vdisk_error_code code, int line, int column,
                      const char *fmt, ...) G_GNUC_PRINTF(5, 6);
void vd_error_set_libvirt(vdisk_error **err, int libvirt_code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Returns -1 so error paths read "return vd_error_fail(...)". */
#define vd_fail(err, code, ...) (vd_error_set((err), (code), __VA_ARGS__), -1)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_error, vdisk_error_free)
