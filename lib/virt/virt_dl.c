/*
 * virt_dl.c: loading libvirt on first use (see virt_dl.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define VD_LIBVIRT_NO_REDIRECT
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "virt/virt_dl.h"

vd_libvirt_table vd_libvirt;

static const char *vd_libvirt_soname = VD_LIBVIRT_SONAME;
/* Why the load failed (set once, under the pthread_once), or NULL. */
static char *vd_libvirt_failure;
static bool vd_libvirt_loaded;

void
vd_libvirt_set_soname(const char *soname)
{
    vd_libvirt_soname = soname;
}

/* libvirt's global error handler while libvdisk loaded libvirt: prints
 * nothing, since every failure reaches the caller as a vdisk_error. */
static void
vd_libvirt_quiet(void *opaque, virErrorPtr error)
{
    (void)opaque;
    (void)error;
}

static void *
vd_libvirt_open(void)
{
    const char *soname = vd_libvirt_soname;
    vd_libvirt_table table = {0};
    void *handle;
    void *sym;
    bool ours;

    /* Whether the program had libvirt already: then its error handler is
     * its own business (it may have set one), else nobody could have set
     * one yet and libvirt's default would print every failure on stderr. */
    if ((handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)))
        dlclose(handle);
    ours = handle == NULL;
    /* Never closed: connections and domains may outlive any one call. A
     * libvirt the program already has (it handed us its virConnectPtr) is
     * found by its soname and returned, not loaded a second time. */
    if (!(handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL))) {
        const char *why = dlerror();

        vd_libvirt_failure =
            g_strdup_printf("libvirt is not available: cannot load %s: %s (is libvirt installed?)",
                            soname, why ? why : "unknown reason");
        return NULL;
    }
#define VD_LIBVIRT_RESOLVE(fn)                                                                     \
    if (!(sym = dlsym(handle, #fn))) {                                                             \
        vd_libvirt_failure = g_strdup_printf("libvirt is not usable: %s has no %s (libvirt "       \
                                             "9.0 or later is needed)",                            \
                                             soname, #fn);                                         \
        return NULL;                                                                               \
    }                                                                                              \
    table.fn = (__typeof__(table.fn))sym;
    VD_LIBVIRT_FUNCTIONS(VD_LIBVIRT_RESOLVE)
#undef VD_LIBVIRT_RESOLVE
    vd_libvirt = table;
    /* once, at load: a handler the program sets later replaces this one */
    if (ours)
        table.virSetErrorFunc(NULL, vd_libvirt_quiet);
    return handle;
}

static void
vd_libvirt_open_once(void)
{
    vd_libvirt_loaded = vd_libvirt_open() != NULL;
}

int
vd_libvirt_load(vdisk_error **err)
{
    /* pthread_once, not GOnce: a thread that finds the table filled reads
     * it through the once's own synchronisation, which ThreadSanitizer
     * sees (glib's fast path pairs with a store it cannot see). */
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, vd_libvirt_open_once);
    if (!vd_libvirt_loaded)
        return vd_fail(err, VDISK_ERR_SYSTEM, "%s", vd_libvirt_failure);
    return 0;
}

/* ---- libvirt-qemu.so.0 ----------------------------------------------------------- */

#define VD_LIBVIRT_QEMU_SONAME "libvirt-qemu.so.0"

typedef int (*vd_qemu_monitor_fn)(virDomainPtr, const char *, char **, unsigned int);

static vd_qemu_monitor_fn vd_qemu_monitor;
static char *vd_libvirt_qemu_failure;

/* Under a pthread_once, as vd_libvirt_open_once(). */
static void
vd_libvirt_qemu_open(void)
{
    void *handle;
    void *sym;

    /* never closed, like libvirt.so.0 */
    if (!(handle = dlopen(VD_LIBVIRT_QEMU_SONAME, RTLD_NOW | RTLD_LOCAL))) {
        const char *why = dlerror();

        vd_libvirt_qemu_failure = g_strdup_printf("cannot load %s: %s", VD_LIBVIRT_QEMU_SONAME,
                                                  why ? why : "unknown reason");
        return;
    }
    if (!(sym = dlsym(handle, "virDomainQemuMonitorCommand"))) {
        vd_libvirt_qemu_failure =
            g_strdup_printf("%s has no virDomainQemuMonitorCommand", VD_LIBVIRT_QEMU_SONAME);
        return;
    }
    vd_qemu_monitor = (vd_qemu_monitor_fn)sym;
}

int
vd_libvirt_qemu_monitor(virDomainPtr dom, const char *cmd, char **reply, vdisk_error **err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    char *raw = NULL;
    virErrorPtr lverr;

    *reply = NULL;
    if (vd_libvirt_load(err) < 0)
        return -1;
    pthread_once(&once, vd_libvirt_qemu_open);
    if (!vd_qemu_monitor)
        return vd_fail(err, VDISK_ERR_SYSTEM, "%s", vd_libvirt_qemu_failure);
    /* 0: VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT, a QMP command */
    if (vd_qemu_monitor(dom, cmd, &raw, 0) < 0) {
        lverr = vd_libvirt.virGetLastError();
        vd_error_set_libvirt(err, lverr ? lverr->code : 0, "QMP %s: %s", cmd,
                             lverr && lverr->message ? lverr->message : "libvirt gave no reason");
        vd_libvirt.virResetLastError();
        return -1;
    }
    *reply = g_strdup(raw);
    free(raw);
    return 0;
}
