/*
 * connect.c: opening libvirt connections to the QEMU driver, and the
 * process-wide event loop that delivers domain events on them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "vdisk/hotplug.h"
#include "virt/connect.h"
#include "virt/virt_priv.h"

#define VD_CONNECT_FLAGS_ALL ((unsigned int)(VDISK_CONNECT_READONLY | VDISK_CONNECT_NO_EVENT_LOOP))

/* ---- the event loop ------------------------------------------------------------- */

/* Set once, under pthread_once, and never cleared: the thread runs for the rest of
 * the process's life (libvirt offers no way to unregister an event
 * implementation). */
static gint vd_event_loop_ok;
static char *vd_event_loop_failure;

static gpointer
vd_event_loop_thread(gpointer data)
{
    (void)data;
    for (;;) {
        /* Failures are transient (a poll() interrupted); keep serving. */
        if (virEventRunDefaultImpl() < 0)
            g_usleep(10000);
    }
    return NULL;
}

static void
vd_event_loop_init(void)
{
    GThread *thread;
    g_autoptr(GError) gerr = NULL;

    if (virEventRegisterDefaultImpl() < 0) {
        virErrorPtr last = virGetLastError();

        vd_event_loop_failure =
            g_strdup_printf("cannot register libvirt's default event loop: %s",
                            last && last->message ? last->message : "unknown libvirt error");
        return;
    }
    thread = g_thread_try_new("vdisk-virt-events", vd_event_loop_thread, NULL, &gerr);
    if (!thread) {
        vd_event_loop_failure =
            g_strdup_printf("cannot start libvirt's event loop thread: %s", gerr->message);
        return;
    }
    g_thread_unref(thread); /* detached: it runs until the process exits */
    g_atomic_int_set(&vd_event_loop_ok, 1);
}

int
vd_virt_event_loop_start(vdisk_error **err)
{
    /* pthread_once, as vd_libvirt_load() (virt_dl.c) says why */
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, vd_event_loop_init);
    if (!g_atomic_int_get(&vd_event_loop_ok))
        return vd_fail(err, VDISK_ERR_SYSTEM, "%s", vd_event_loop_failure);
    return 0;
}

bool
vd_virt_event_loop_running(void)
{
    return g_atomic_int_get(&vd_event_loop_ok) != 0;
}

/* ---- URIs ----------------------------------------------------------------------- */

/* Checks that @uri names the QEMU driver ("qemu" or "qemu+TRANSPORT") and,
 * for qemu:///embed, that a root directory is given. */
static int
vd_check_uri(const char *uri, vdisk_error **err)
{
    static const char *const transports[] = {"tcp",    "ssh",     "tls", "unix",
                                             "libssh", "libssh2", "ext"};
    const char *colon = strchr(uri, ':');
    g_autofree char *scheme = NULL;
    const char *plus;
    size_t i;

    if (!colon || colon == uri)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "'%s' is not a libvirt URI", uri);
    scheme = g_ascii_strdown(uri, colon - uri);
    plus = strchr(scheme, '+');
    if (plus ? strncmp(scheme, "qemu", plus - scheme) != 0 || plus - scheme != 4
             : strcmp(scheme, "qemu") != 0)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "URI '%s' does not name libvirt's QEMU driver (qemu://, qemu+tcp://, "
                       "qemu+ssh://, qemu+tls://, ...)",
                       uri);
    if (plus) {
        for (i = 0; i < G_N_ELEMENTS(transports); i++) {
            if (strcmp(plus + 1, transports[i]) == 0)
                break;
        }
        if (i == G_N_ELEMENTS(transports))
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "URI '%s': unknown transport '%s'", uri,
                           plus + 1);
        return 0;
    }
    if (g_str_has_prefix(colon, ":///embed")) {
        const char *query = colon + strlen(":///embed");

        if (*query != '?' || !strstr(query, "root="))
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "URI '%s': an embedded driver needs its root directory "
                           "(qemu:///embed?root=DIR)",
                           uri);
    }
    return 0;
}

static void
vd_virt_quiet(void *opaque, virErrorPtr error)
{
    (void)opaque;
    (void)error;
}

static int
vd_connect_open_one(virConnectPtr *out, const char *uri, unsigned int flags, vdisk_error **err)
{
    virConnectPtr conn;

    if (uri && vd_check_uri(uri, err) < 0)
        return -1;
    /* With VDISK_CONNECT_NO_EVENT_LOOP and no loop of the caller's,
     * libvirt itself refuses qemu:///embed and says why. */
    if (!(flags & VDISK_CONNECT_NO_EVENT_LOOP) && vd_virt_event_loop_start(err) < 0)
        return -1;
    if (flags & VDISK_CONNECT_READONLY)
        conn = virConnectOpenReadOnly(uri);
    else
        conn = virConnectOpen(uri);
    if (!conn) {
        vd_virt_error(err, "cannot open '%s'", uri ? uri : "(libvirt's default URI)");
        return -1;
    }
    /* Failures come back as vdisk_error objects; libvirt's default handler
     * would also print them. */
    virConnSetErrorFunc(conn, NULL, vd_virt_quiet);
    *out = conn;
    return 0;
}

int
vdisk_connect_open(virConnectPtr *out, const char *uri, unsigned int flags, vdisk_error **err)
{
    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no place for the connection (out is NULL)");
    *out = NULL;
    if (flags & ~VD_CONNECT_FLAGS_ALL)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unknown flags 0x%x",
                       flags & ~VD_CONNECT_FLAGS_ALL);
    if (vd_libvirt_load(err) < 0)
        return -1;
    return vd_connect_open_one(out, uri, flags, err);
}

int
vdisk_connect_open_first(virConnectPtr *out, size_t *which, const char *const *uris, size_t n,
                         unsigned int flags, vdisk_error **err)
{
    g_autoptr(GString) reasons = NULL;
    int last_code = 0;
    size_t i;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no place for the connection (out is NULL)");
    *out = NULL;
    if (!uris || n == 0)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no URI given");
    if (flags & ~VD_CONNECT_FLAGS_ALL)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unknown flags 0x%x",
                       flags & ~VD_CONNECT_FLAGS_ALL);
    for (i = 0; i < n; i++) {
        if (!uris[i])
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "URI %zu is NULL", i);
    }
    if (vd_libvirt_load(err) < 0)
        return -1;

    reasons = g_string_new(NULL);
    for (i = 0; i < n; i++) {
        g_autoptr(vdisk_error) one = NULL;
        const char *msg;

        if (vd_connect_open_one(out, uris[i], flags, &one) == 0) {
            if (which)
                *which = i;
            return 0;
        }
        /* Configuration faults are the caller's, not a host that is down. */
        if (one->code == VDISK_ERR_INVALID_ARG || one->code == VDISK_ERR_SYSTEM) {
            if (err && !*err)
                *err = g_steal_pointer(&one);
            return -1;
        }
        last_code = one->libvirt_code;
        msg = one->message;
        if (g_str_has_prefix(msg, "vdisk_connect_open_first: "))
            msg += strlen("vdisk_connect_open_first: ");
        g_string_append_printf(reasons, "%s%s", i ? "; " : "", msg);
    }
    vd_error_set_libvirt(err, last_code, "no host answered: %s", reasons->str);
    return -1;
}

int
vdisk_connect_close(virConnectPtr conn)
{
    VD_API_ENTER();
    /* a connection exists only once libvirt is loaded */
    if (!conn || vd_libvirt_load(NULL) < 0)
        return conn ? -1 : 0;
    return virConnectClose(conn);
}

/* ---- domains -------------------------------------------------------------------- */

/* true when libvirt's last error says only that there is no such domain
 * (or, for a UUID lookup, that @what is not a UUID): try the next way. */
static bool
vd_lookup_missed(void)
{
    virErrorPtr e = virGetLastError();

    return !e || e->code == VIR_ERR_OK || e->code == VIR_ERR_NO_DOMAIN ||
           e->code == VIR_ERR_INVALID_ARG;
}

int
vdisk_connect_lookup_domain(virDomainPtr *out, virConnectPtr conn, const char *domain,
                            vdisk_error **err)
{
    virDomainPtr dom;
    char *end;
    long id;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no place for the domain (out is NULL)");
    *out = NULL;
    if (!conn)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no connection given");
    if (!domain || !*domain)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain name given");
    if (vd_libvirt_load(err) < 0)
        return -1;

    /* as virsh looks a domain up: name, then UUID, then numeric id */
    if ((dom = virDomainLookupByName(conn, domain)))
        goto found;
    if (!vd_lookup_missed())
        goto failed;
    if ((dom = virDomainLookupByUUIDString(conn, domain)))
        goto found;
    if (!vd_lookup_missed())
        goto failed;
    errno = 0;
    id = strtol(domain, &end, 10);
    if (*end == '\0' && end != domain && errno == 0 && id >= 0 && id <= INT_MAX) {
        if ((dom = virDomainLookupByID(conn, (int)id)))
            goto found;
        if (!vd_lookup_missed())
            goto failed;
    }
    virResetLastError();
    if (err && !*err) {
        /* not found, with libvirt's code for it */
        vd_error_set_libvirt(err, VIR_ERR_NO_DOMAIN, "no domain '%s' (by name, UUID or id)",
                             domain);
        (*err)->code = VDISK_ERR_NOT_FOUND;
    }
    return -1;

failed:
    vd_virt_error(err, "cannot look up domain '%s'", domain);
    return -1;

found:
    *out = dom;
    return 0;
}

void
vdisk_domain_ptr_free(virDomainPtr dom)
{
    VD_API_ENTER();
    /* a domain exists only once libvirt is loaded */
    if (dom && vd_libvirt_load(NULL) == 0)
        virDomainFree(dom);
}

const char *
vdisk_domain_ptr_get_name(virDomainPtr dom)
{
    VD_API_ENTER();
    if (!dom || vd_libvirt_load(NULL) < 0)
        return NULL;
    return virDomainGetName(dom);
}
