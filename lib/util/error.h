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
    const char *api; /* the public call that failed (static), or NULL */
    char *detail;    /* what went wrong, without the call's name */
    char *message;   /* "api: detail", composed once when the error is made */
};

/* The one error mechanism. Every public entry point starts with
 * VD_API_ENTER(): the outermost public call on the thread is the call an
 * error is named after (a public function the library calls internally does
 * not rename it). An error records that name once, when it is made, and its
 * message is composed then: "vdisk_disk_from_xml: target 'vda': ...". To
 * add context to an error a nested call returned, vd_error_wrap() makes the
 * caller's error from it; nothing rewrites a message afterwards. */
#define VD_API_ENTER()                                                                             \
    __attribute__((cleanup(vd_error_leave_api))) G_GNUC_UNUSED unsigned int vd_api_depth_ =        \
        vd_error_enter_api(__func__)

unsigned int vd_error_enter_api(const char *api);
void vd_error_leave_api(unsigned int *depth);
/* The public call being served on this thread (the outermost), or NULL. */
const char *vd_error_get_context(void);

/* Stores a new error in *@err unless @err is NULL or already set. */
void vd_error_set(vdisk_error **err, vdisk_error_code code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void vd_error_set_pos(vdisk_error **err, vdisk_error_code code, int line, int column,
                      const char *fmt, ...) G_GNUC_PRINTF(5, 6);
void vd_error_set_libvirt(vdisk_error **err, int libvirt_code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* An error with code @code that keeps libvirt's code @libvirt_code: a
 * refusal libvirt makes, reported as what it means (not found, refused). */
void vd_error_set_coded(vdisk_error **err, vdisk_error_code code, int libvirt_code, const char *fmt,
                        ...) G_GNUC_PRINTF(4, 5);

/* Moves @inner (taken; NULL: "failed without a reason") into *@err, keeping
 * its code, libvirt code and position; @fmt (may be NULL) is put before its
 * detail ("backing image: ..."). Returns -1. */
int vd_error_wrap(vdisk_error **err, vdisk_error *inner, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Returns -1 so error paths read "return vd_fail(...)". */
#define vd_fail(err, code, ...) (vd_error_set((err), (code), __VA_ARGS__), -1)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_error, vdisk_error_free)
