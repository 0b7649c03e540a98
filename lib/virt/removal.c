/*
 * removal.c: asking libvirt to unplug a live disk, and waiting for QEMU to let go
 *
 * The removal is requested with virDomainDetachDeviceAlias(), which returns as
 * soon as QEMU has been asked (libvirt's own 5 second wait would hide whether
 * the guest released the device). The disk is gone when libvirt has removed
 * it from the live definition, which it does only after QEMU reported
 * DEVICE_DELETED and the block nodes were deleted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <libvirt/virterror.h>

#include "virt/connect.h"
#include "virt/removal.h"
#include "virt/virt_priv.h"

/* Poll interval for the live XML while no event has arrived. */
#define VD_REMOVAL_POLL_MS 100

/* Shared by the waiting thread and libvirt's event thread (one reference
 * each registered callback holds). The flags are atomic as well as set
 * under @lock, and the reference count is kept here with atomics, so that
 * what orders the two threads' accesses is visible to ThreadSanitizer
 * (glib's mutex and reference-counted boxes are not instrumented). */
typedef struct {
    gint refs;
    GMutex lock;
    GCond cond;
    char *alias;
    gint removed;
    gint failed;
} vd_removal_waiter;

static vd_removal_waiter *
vd_removal_waiter_new(const char *alias)
{
    vd_removal_waiter *w = g_new0(vd_removal_waiter, 1);

    w->refs = 1;
    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    w->alias = g_strdup(alias);
    return w;
}

static void
vd_removal_waiter_ref(vd_removal_waiter *w)
{
    g_atomic_int_inc(&w->refs);
}

static void
vd_removal_waiter_unref(void *opaque)
{
    vd_removal_waiter *w = opaque;

    if (!g_atomic_int_dec_and_test(&w->refs))
        return;
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
    g_free(w->alias);
    g_free(w);
}

static void
vd_removal_note(vd_removal_waiter *w, const char *alias, bool failed)
{
    if (!alias || strcmp(alias, w->alias) != 0)
        return;
    g_mutex_lock(&w->lock);
    g_atomic_int_set(failed ? &w->failed : &w->removed, 1);
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
}

static void
vd_removal_removed_cb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                      const char *alias, void *opaque)
{
    vd_removal_note(opaque, alias, false);
}

static void
vd_removal_failed_cb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                     const char *alias, void *opaque)
{
    vd_removal_note(opaque, alias, true);
}

/* Registers @cb for @event; -1 (and libvirt's error cleared) when the
 * connection cannot deliver events. */
static int
vd_removal_register(virConnectPtr conn, virDomainPtr dom, int event,
                    virConnectDomainEventGenericCallback cb, vd_removal_waiter *w)
{
    int id;

    vd_removal_waiter_ref(w);
    id = virConnectDomainEventRegisterAny(conn, dom, event, cb, w, vd_removal_waiter_unref);
    if (id < 0) {
        vd_removal_waiter_unref(w);
        virResetLastError();
    }
    return id;
}

/* 1 when the live domain still has a disk @target, 0 when not, -1 on error. */
static int
vd_removal_still_there(virDomainPtr dom, const char *target, vdisk_error **err)
{
    g_autoptr(vdisk_domain) ctx = NULL;

    if (virDomainIsActive(dom) == 0)
        return 0; /* the domain stopped: nothing holds the disk any more */
    if (vd_virt_load_domain(&ctx, dom, false, err) < 0)
        return -1;
    return vdisk_domain_find_disk(ctx, target) != NULL;
}

vd_removal_result
vd_hotplug_remove_live(virDomainPtr dom, const char *target, const char *alias,
                       unsigned int timeout_ms, vdisk_error **err)
{
    virConnectPtr conn = virDomainGetConnect(dom);
    vd_removal_waiter *w = vd_removal_waiter_new(alias);
    vd_removal_result res = VD_REMOVAL_PENDING;
    int id_removed;
    int id_failed = -1;
    gint64 deadline;

    id_removed = vd_removal_register(conn, dom, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                     VIR_DOMAIN_EVENT_CALLBACK(vd_removal_removed_cb), w);
    if (id_removed >= 0)
        id_failed = vd_removal_register(conn, dom, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
                                        VIR_DOMAIN_EVENT_CALLBACK(vd_removal_failed_cb), w);

    if (virDomainDetachDeviceAlias(dom, alias, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        vd_virt_error(err, "target '%s': libvirt refused to detach it", target);
        res = VD_REMOVAL_ERROR;
        goto cleanup;
    }

    deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    for (;;) {
        gint64 now = g_get_monotonic_time();
        gint64 until = MIN(deadline, now + VD_REMOVAL_POLL_MS * G_TIME_SPAN_MILLISECOND);
        bool removed;
        bool failed;
        int there;

        g_mutex_lock(&w->lock);
        if (!g_atomic_int_get(&w->removed) && !g_atomic_int_get(&w->failed) && now < until)
            g_cond_wait_until(&w->cond, &w->lock, until);
        removed = g_atomic_int_get(&w->removed);
        failed = g_atomic_int_get(&w->failed);
        g_mutex_unlock(&w->lock);

        if (failed) {
            res = VD_REMOVAL_FAILED;
            break;
        }
        /* The event comes before libvirt has finished tearing the disk
         * down; the live XML is what says it is gone. */
        if ((there = vd_removal_still_there(dom, target, err)) < 0) {
            res = VD_REMOVAL_ERROR;
            break;
        }
        if (there == 0) {
            res = VD_REMOVAL_DONE;
            break;
        }
        if (g_get_monotonic_time() >= deadline)
            break;
        if (removed)
            g_usleep(10 * G_TIME_SPAN_MILLISECOND); /* libvirt is finishing the removal */
    }

cleanup:
    if (id_failed >= 0)
        virConnectDomainEventDeregisterAny(conn, id_failed);
    if (id_removed >= 0)
        virConnectDomainEventDeregisterAny(conn, id_removed);
    vd_removal_waiter_unref(w);
    return res;
}
