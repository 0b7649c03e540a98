/*
 * test-restart.c: libvirtd restarts under an open connection
 *
 * A transient domain (vdtest-hotplug-restart-*) runs with a disk plugged in
 * through the library; then the system libvirtd (as scripts/start-libvirt.sh
 * started it) is stopped and started again. The old connection is dead: list,
 * next-target, attach and detach on it fail cleanly with VDISK_ERR_LIBVIRT and
 * libvirt's own code. QEMU kept running, so on a new connection the domain is
 * still there with the same disks, in libvirt's view and in QEMU's (QMP).
 *
 * It restarts the daemon every other test uses: ctest runs it alone
 * (RUN_SERIAL, resource lock "libvirtd"). Exits 77 (skipped) when not root or
 * when no libvirtd answers on qemu:///system.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include <vdisk/vdisk.h>
#include <vdisk/hotplug.h>

#include "hotplug-util.h"

#define URI "qemu:///system"

#ifndef VDISK_START_LIBVIRT
#error "VDISK_START_LIBVIRT must name scripts/start-libvirt.sh"
#endif

static char *imgdir;
static char *dom_name;

/* ---- the daemon ------------------------------------------------------------------- */

/* The pid of the running libvirtd, from the pid files the daemon writes when
 * started as scripts/start-libvirt.sh does; 0 when none is running. */
static pid_t
libvirtd_pid(void)
{
    static const char *const files[] = {"/run/libvirtd.pid", "/run/libvirt/libvirtd.pid"};
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *text = NULL;
        long pid;

        if (!g_file_get_contents(files[i], &text, NULL, NULL))
            continue;
        pid = strtol(text, NULL, 10);
        if (pid > 1 && kill((pid_t)pid, 0) == 0)
            return (pid_t)pid;
    }
    return 0;
}

static int
start_libvirt(void)
{
    const char *argv[] = {VDISK_START_LIBVIRT, NULL};
    g_autofree char *errout = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                      &errout, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "%s failed: %s\n", VDISK_START_LIBVIRT, errout ? errout : "");
        return -1;
    }
    return 0;
}

/* Stops libvirtd (SIGTERM: the daemon leaves QEMU processes running) and
 * starts it again with the project's script. */
static void
restart_libvirtd(void)
{
    pid_t pid = libvirtd_pid();
    gint64 deadline = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;

    if (pid == 0)
        fail_msg("no libvirtd pid file names a running daemon");
    assert_int_equal(kill(pid, SIGTERM), 0);
    while (kill(pid, 0) == 0 || errno != ESRCH) {
        if (g_get_monotonic_time() > deadline)
            fail_msg("libvirtd (%d) did not stop within 60s", (int)pid);
        g_usleep(50 * G_TIME_SPAN_MILLISECOND);
    }
    if (start_libvirt() < 0)
        fail_msg("libvirtd did not come back");
    assert_int_not_equal(libvirtd_pid(), 0);
    assert_int_not_equal(libvirtd_pid(), pid);
}

/* ---- looking at QEMU ---------------------------------------------------------------- */

static void
ignore_libvirt_errors(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What QEMU has plugged in: every "qdev" and "file" value of query-block and
 * every "node-name" of query-named-block-nodes, sorted, one a line. */
static char *
qemu_disks(virDomainPtr dom)
{
    g_autofree char *blocks = qmp(dom, "{\"execute\":\"query-block\"}");
    g_autofree char *nodes = qmp(dom, "{\"execute\":\"query-named-block-nodes\"}");
    g_autoptr(GRegex) re = g_regex_new("\"(qdev|file|node-name)\": ?\"([^\"]*)\"", 0, 0, NULL);
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
    const char *texts[] = {blocks, nodes};
    g_autoptr(GString) out = g_string_new(NULL);
    size_t i;
    guint j;

    for (i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GMatchInfo) m = NULL;

        g_regex_match(re, texts[i], 0, &m);
        while (g_match_info_matches(m)) {
            g_autofree char *key = g_match_info_fetch(m, 1);
            g_autofree char *val = g_match_info_fetch(m, 2);

            g_ptr_array_add(found, g_strdup_printf("%zu %s=%s", i, key, val));
            g_match_info_next(m, NULL);
        }
    }
    g_ptr_array_sort(found, compare_strings);
    for (j = 0; j < found->len; j++)
        g_string_append_printf(out, "%s\n", (char *)g_ptr_array_index(found, j));
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The disks libvirt lists for @dom, "TARGET PATH" one a line. */
static char *
listed_disks(virDomainPtr dom)
{
    vdisk_domain *ctx = NULL;
    vdisk_error *err = NULL;
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    GString *out = g_string_new(NULL);
    size_t i;

    if (vdisk_hotplug_list(&ctx, dom, 0, &err) < 0)
        fail_msg("list: %s", vdisk_error_get_message(err));
    for (i = 0; i < vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk(ctx, i);
        const char *path = vdisk_disk_get_path(d);

        g_ptr_array_add(lines, g_strdup_printf("%s %s %s", vdisk_disk_get_target(d),
                                               path ? path : "-", vdisk_disk_get_alias(d)));
    }
    vdisk_domain_free(ctx);
    g_ptr_array_sort(lines, compare_strings);
    for (i = 0; i < lines->len; i++)
        g_string_append_printf(out, "%s\n", (char *)g_ptr_array_index(lines, i));
    return g_string_free(out, FALSE);
}

static char *
make_image(const char *name)
{
    char *path = g_build_filename(imgdir, name, NULL);
    g_autofree char *errout = NULL;
    int status = 0;
    const char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", path, "16M", NULL};

    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                             &errout, &status, NULL));
    if (status != 0)
        fail_msg("qemu-img create %s failed: %s", path, errout);
    return path;
}

static vdisk_disk *
new_disk(const char *path, const char *target)
{
    g_autofree char *xml =
        g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                        "<source file='%s'/><target dev='%s' bus='scsi'/></disk>",
                        path, target);
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_from_xml(&disk, xml, &err) < 0)
        fail_msg("disk: %s", vdisk_error_get_message(err));
    return disk;
}

/* A failure on the dead connection: libvirt's error, kept, under the call's name. */
static void
assert_dead_connection_error(vdisk_error *err, const char *call)
{
    const char *msg;

    assert_non_null(err);
    msg = vdisk_error_get_message(err);
    assert_non_null(msg);
    print_message("%s\n", msg);
    if (vdisk_error_get_code(err) != VDISK_ERR_LIBVIRT)
        fail_msg("%s on the dead connection: code %d, not VDISK_ERR_LIBVIRT: %s", call,
                 (int)vdisk_error_get_code(err), msg);
    assert_int_not_equal(vdisk_error_get_libvirt_code(err), VIR_ERR_OK);
    assert_true(g_str_has_prefix(msg, call));
    assert_non_null(strstr(msg, dom_name)); /* which domain could not be reached */
    vdisk_error_free(err);
}

/* ---- the case --------------------------------------------------------------------- */

static void
test_old_connection_fails_cleanly_and_domain_survives_restart(void **state)
{
    g_autofree char *img_a = make_image("restart-a.qcow2");
    g_autofree char *img_b = make_image("restart-b.qcow2");
    g_autofree char *xml = NULL;
    g_autofree char *qemu_before = NULL;
    g_autofree char *qemu_after = NULL;
    g_autofree char *listed_before = NULL;
    g_autofree char *listed_after = NULL;
    vdisk_disk *a = new_disk(img_a, "sda");
    vdisk_disk *b = new_disk(img_b, "sdb");
    virConnectPtr old = NULL;
    virConnectPtr fresh = NULL;
    virDomainPtr dom;
    virDomainPtr again;
    vdisk_domain *ctx = NULL;
    vdisk_error *err = NULL;
    char *name = NULL;
    char uuid_before[VIR_UUID_STRING_BUFLEN];
    char uuid_after[VIR_UUID_STRING_BUFLEN];
    int id_before;

    (void)state;
    if (vdisk_connect_open(&old, URI, 0, &err) < 0)
        fail_msg("open: %s", vdisk_error_get_message(err));
    xml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                          "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                          "<devices><controller type='scsi' index='0' model='virtio-scsi'/>"
                          "<video><model type='none'/></video><memballoon model='none'/>"
                          "</devices></domain>",
                          dom_name);
    if (!(dom = virDomainCreateXML(old, xml, 0)))
        fail_msg("cannot start %s: %s", dom_name, virGetLastErrorMessage());
    if (vdisk_hotplug_attach(dom, a, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("attach: %s", vdisk_error_get_message(err));
    assert_int_equal(virDomainGetUUIDString(dom, uuid_before), 0);
    id_before = (int)virDomainGetID(dom);
    listed_before = listed_disks(dom);
    qemu_before = qemu_disks(dom);
    assert_non_null(strstr(listed_before, img_a));
    assert_non_null(strstr(qemu_before, img_a));

    restart_libvirtd();

    /* the old connection: every call fails with libvirt's reason, nothing crashes */
    assert_int_equal(vdisk_hotplug_list(&ctx, dom, 0, &err), -1);
    assert_null(ctx);
    assert_dead_connection_error(err, "vdisk_hotplug_list: ");
    err = NULL;
    assert_int_equal(vdisk_hotplug_list(&ctx, dom, VDISK_HOTPLUG_INACTIVE, &err), -1);
    assert_dead_connection_error(err, "vdisk_hotplug_list: ");
    err = NULL;
    assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_SCSI, &err), -1);
    assert_null(name);
    assert_dead_connection_error(err, "vdisk_hotplug_next_target: ");
    err = NULL;
    assert_int_equal(vdisk_hotplug_attach(dom, b, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_dead_connection_error(err, "vdisk_hotplug_attach: ");
    err = NULL;
    assert_int_equal(vdisk_hotplug_attach(dom, b, 0, &err), -1);
    assert_dead_connection_error(err, "vdisk_hotplug_attach: ");
    err = NULL;
    assert_int_equal(vdisk_hotplug_detach(dom, "sda", VDISK_HOTPLUG_LIVE, 5000, &err), -1);
    assert_dead_connection_error(err, "vdisk_hotplug_detach: ");
    err = NULL;
    assert_int_equal(vdisk_hotplug_detach(dom, "sda", 0, 5000, &err), -1);
    assert_dead_connection_error(err, "vdisk_hotplug_detach: ");
    err = NULL;
    assert_int_equal(virConnectIsAlive(old), 0);

    /* a new connection finds the domain as it was, in libvirt and in QEMU */
    if (vdisk_connect_open(&fresh, URI, 0, &err) < 0)
        fail_msg("reopen: %s", vdisk_error_get_message(err));
    if (!(again = virDomainLookupByName(fresh, dom_name)))
        fail_msg("%s is gone after the restart: %s", dom_name, virGetLastErrorMessage());
    assert_int_equal(virDomainIsActive(again), 1);
    assert_int_equal(virDomainIsPersistent(again), 0);
    assert_int_equal(virDomainGetUUIDString(again, uuid_after), 0);
    assert_string_equal(uuid_before, uuid_after);
    assert_int_equal((int)virDomainGetID(again), id_before);
    listed_after = listed_disks(again);
    assert_string_equal(listed_before, listed_after);
    qemu_after = qemu_disks(again);
    assert_string_equal(qemu_before, qemu_after);

    /* and it works on it: sdb in and out, sda out */
    if (vdisk_hotplug_attach(again, b, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("attach after restart: %s", vdisk_error_get_message(err));
    g_free(qemu_after);
    qemu_after = qemu_disks(again);
    assert_non_null(strstr(qemu_after, img_b));
    if (vdisk_hotplug_detach(again, "sdb", VDISK_HOTPLUG_LIVE, 10000, &err) < 0 ||
        vdisk_hotplug_detach(again, "sda", VDISK_HOTPLUG_LIVE, 10000, &err) < 0)
        fail_msg("detach after restart: %s", vdisk_error_get_message(err));
    g_free(qemu_after);
    qemu_after = qemu_disks(again);
    assert_null(strstr(qemu_after, img_a));
    assert_null(strstr(qemu_after, img_b));

    assert_int_equal(virDomainDestroy(again), 0);
    virDomainFree(again);
    virDomainFree(dom);
    virConnectClose(old);
    virConnectClose(fresh);
    vdisk_disk_free(a);
    vdisk_disk_free(b);
}

/* ---- main ------------------------------------------------------------------------- */

static int
group_setup(void **state)
{
    (void)state;
    virSetErrorFunc(NULL, ignore_libvirt_errors);
    dom_name = g_strdup_printf("vdtest-hotplug-restart-%d", (int)getpid());
    imgdir = g_strdup("/var/lib/libvirt/images/vdtest-hotplug-restart-XXXXXX");
    return g_mkdtemp_full(imgdir, 0755) ? 0 : -1;
}

/* Whatever happened, the daemon runs again and the domain and images are gone. */
static int
group_teardown(void **state)
{
    g_autoptr(GDir) dir = NULL;
    virConnectPtr c;
    const char *entry;

    (void)state;
    start_libvirt();
    if ((c = virConnectOpen(URI))) {
        virDomainPtr dom = virDomainLookupByName(c, dom_name);

        if (dom) {
            virDomainDestroy(dom);
            virDomainFree(dom);
        }
        virConnectClose(c);
    }
    if (imgdir && (dir = g_dir_open(imgdir, 0, NULL))) {
        while ((entry = g_dir_read_name(dir))) {
            g_autofree char *p = g_build_filename(imgdir, entry, NULL);

            g_unlink(p);
        }
        g_rmdir(imgdir);
    }
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_connection_fails_cleanly_and_domain_survives_restart),
    };
    virConnectPtr probe;

    if (geteuid() != 0) {
        fprintf(stderr, "skipped: restarting the system libvirtd needs root\n");
        return 77;
    }
    virSetErrorFunc(NULL, ignore_libvirt_errors);
    if (!(probe = virConnectOpen(URI))) {
        fprintf(stderr, "skipped: nothing answers on %s (run scripts/start-libvirt.sh)\n", URI);
        return 77;
    }
    virConnectClose(probe);
    if (libvirtd_pid() == 0) {
        fprintf(stderr, "skipped: libvirtd runs without a pid file (not started by "
                        "scripts/start-libvirt.sh)\n");
        return 77;
    }
    return cmocka_run_group_tests_name("hotplug-libvirtd-restart", tests, group_setup,
                                       group_teardown);
}
