/*
 * error.c: error objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdlib.h>

#include "util/error.h"
#include "util/enumtab.h"

static _Thread_local const char *vd_context;
static _Thread_local unsigned int vd_context_depth;

VD_ENUM_IMPL(vd_error_code, VDISK_ERR_LAST, "ok", "internal", "no-memory", "invalid-argument",
             "xml", "invalid", "unsupported", "not-found", "exists", "libvirt", "pending", "system",
             "transient", "cancelled");

unsigned int
vd_error_enter_api(const char *api)
{
    if (vd_context_depth++ == 0)
        vd_context = api;
    return vd_context_depth;
}

const char *
vd_error_get_context(void)
{
    return vd_context;
}

void
vd_error_leave_api(unsigned int *depth)
{
    (void)depth;
    if (--vd_context_depth == 0)
        vd_context = NULL;
}

/* Makes the error (taking @detail), named after the current public call. */
static void
vd_error_make(vdisk_error **err, vdisk_error_code code, int lvcode, int line, int column,
              char *detail)
{
    vdisk_error *e = g_new0(vdisk_error, 1);

    e->code = code;
    e->libvirt_code = lvcode;
    e->line = line;
    e->column = column;
    e->api = vd_context;
    e->detail = detail;
    e->message = e->api ? g_strdup_printf("%s: %s", e->api, detail) : g_strdup(detail);
    *err = e;
}

static void
vd_error_setv(vdisk_error **err, vdisk_error_code code, int lvcode, int line, int column,
              const char *fmt, va_list ap)
{
    if (!err || *err)
        return;
    vd_error_make(err, code, lvcode, line, column, g_strdup_vprintf(fmt, ap));
}

int
vd_error_wrap(vdisk_error **err, vdisk_error *inner, const char *fmt, ...)
{
    g_autofree char *prefix = NULL;
    const char *detail = inner && inner->detail ? inner->detail : "failed without a reason";
    va_list ap;

    if (err && !*err) {
        if (fmt) {
            va_start(ap, fmt);
            prefix = g_strdup_vprintf(fmt, ap);
            va_end(ap);
        }
        vd_error_make(err, inner ? inner->code : VDISK_ERR_INTERNAL,
                      inner ? inner->libvirt_code : 0, inner ? inner->line : 0,
                      inner ? inner->column : 0,
                      prefix ? g_strdup_printf("%s: %s", prefix, detail) : g_strdup(detail));
    }
    vdisk_error_free(inner);
    return -1;
}

void
vd_error_set(vdisk_error **err, vdisk_error_code code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vd_error_setv(err, code, 0, 0, 0, fmt, ap);
    va_end(ap);
}

void
vd_error_set_pos(vdisk_error **err, vdisk_error_code code, int line, int column, const char *fmt,
                 ...)
{
    va_list ap;

    va_start(ap, fmt);
    vd_error_setv(err, code, 0, line, column, fmt, ap);
    va_end(ap);
}

void
vd_error_set_libvirt(vdisk_error **err, int libvirt_code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vd_error_setv(err, VDISK_ERR_LIBVIRT, libvirt_code, 0, 0, fmt, ap);
    va_end(ap);
}

void
vd_error_set_coded(vdisk_error **err, vdisk_error_code code, int libvirt_code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vd_error_setv(err, code, libvirt_code, 0, 0, fmt, ap);
    va_end(ap);
}

vdisk_error_code
vdisk_error_get_code(const vdisk_error *err)
{
    return err ? err->code : VDISK_ERR_OK;
}

const char *
vdisk_error_get_message(const vdisk_error *err)
{
    return err ? err->message : "no error";
}

int
vdisk_error_get_libvirt_code(const vdisk_error *err)
{
    return err ? err->libvirt_code : 0;
}

int
vdisk_error_get_line(const vdisk_error *err)
{
    return err ? err->line : 0;
}

int
vdisk_error_get_column(const vdisk_error *err)
{
    return err ? err->column : 0;
}

void
vdisk_error_free(vdisk_error *err)
{
    if (!err)
        return;
    g_free(err->detail);
    g_free(err->message);
    g_free(err);
}

const char *
vdisk_error_code_name(vdisk_error_code code)
{
    const char *name = vd_error_code_to_string(code);
    return name ? name : "unknown";
}

void
vdisk_free(void *ptr)
{
    g_free(ptr);
}

const char *
vdisk_version(void)
{
    return G_STRINGIFY(VDISK_VERSION_MAJOR) "." G_STRINGIFY(VDISK_VERSION_MINOR) "." G_STRINGIFY(
        VDISK_VERSION_MICRO);
}
