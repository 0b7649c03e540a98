/*
 * test-remote.c: over qemu+tcp:// (VDISK_REMOTE_URI, default
 * qemu+tcp://127.0.0.1/system) vdisk_connect_open() gives a connection with
 * a running event loop: a volume made there is attached to a running
 * transient domain, its deletion is refused while attached, the
 * device-removed event arrives after the detach, and then it is deleted
 *
 * Exits 77 (skipped) when nothing answers on the URI. Under ctest a private
 * libvirtd (scripts/start-libvirt-tcp.sh --private) listens on the URI and a
 * skip counts as a failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "vdisk/hotplug.h"
#include "util/error.h"
#include "virt/connect.h"

static const char *uri;
static virConnectPtr conn;
static virStoragePoolPtr pool;
static virDomainPtr dom;
static char *pool_name;
static char *pool_dir;
static char *dom_name;

static GMutex removed_lock;
static GCond removed_cond;
static char *removed_alias;

static int
setup(void **state)
{
    g_autoptr(GError) gerr = NULL;
    g_autofree char *pxml = NULL;
    g_autofree char *dxml = NULL;

    pool_name = g_strdup_printf("vdtest-storage-remote-%d", (int)getpid());
    dom_name = g_strdup_printf("vdtest-storage-remote-%d", (int)getpid());
    if (!(pool_dir = g_dir_make_tmp("vdtest-storage-remote-XXXXXX", &gerr)) ||
        g_chmod(pool_dir, 0755) < 0)
        return -1;
    pxml = g_strdup_printf("<pool type='dir'><name>%s</name><target><path>%s</path></target>"
                           "</pool>",
                           pool_name, pool_dir);
    if (!(pool = virStoragePoolCreateXML(conn, pxml, 0)))
        return -1;
    dxml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                           "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                           "<devices><video><model type='none'/></video>"
                           "<memballoon model='none'/></devices></domain>",
                           dom_name);
    if (!(dom = virDomainCreateXML(conn, dxml, 0))) {
        fprintf(stderr, "cannot start %s: %s\n", dom_name, virGetLastErrorMessage());
        return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", pool_dir);

    if (dom) {
        virDomainDestroy(dom);
        virDomainFree(dom);
    }
    if (pool) {
        virStoragePoolDestroy(pool);
        virStoragePoolFree(pool);
    }
    return system(cmd) == 0 ? 0 : -1;
}

static void
on_device_removed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    g_mutex_lock(&removed_lock);
    g_free(removed_alias);
    removed_alias = g_strdup(alias);
    g_cond_broadcast(&removed_cond);
    g_mutex_unlock(&removed_lock);
}

static void
test_tcp_connection_is_remote_with_event_loop(void **state)
{
    g_autofree char *got = virConnectGetURI(conn);

    assert_non_null(got);
    assert_true(g_str_has_prefix(got, "qemu+tcp://"));
    assert_true(vd_virt_event_loop_running());
    assert_int_equal(virConnectIsAlive(conn), 1);
}

static void
test_open_first_skips_dead_host(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    const char *uris[] = {"qemu+tcp://127.0.0.1:1/system", uri};
    virConnectPtr c = NULL;
    size_t which = 9;

    assert_int_equal(vdisk_connect_open_first(&c, &which, uris, 2, 0, &err), 0);
    assert_int_equal(which, 1);
    virConnectClose(c);
    assert_int_equal(vdisk_connect_open_first(&c, &which, uris, 1, 0, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_LIBVIRT);
    assert_non_null(strstr(vdisk_error_get_message(err), "127.0.0.1:1"));
}

static void
test_volume_deleted_only_after_removed_event(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autoptr(vdisk_error) err2 = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *path = NULL;
    vdisk_disk *disk = NULL;
    gint64 deadline;
    int cb;

    assert_int_equal(vdisk_volume_create(&disk, conn, pool_name, "hot.qcow2", 8 * 1024 * 1024,
                                         VDISK_FORMAT_QCOW2, NULL, 0, &err),
                     0);
    path = g_strdup(vdisk_disk_get_path(disk));
    assert_int_equal(vdisk_disk_set_target(disk, "sda", &err), 0);
    assert_int_equal(vdisk_disk_set_bus(disk, VDISK_BUS_USB, &err), 0);
    assert_int_equal(vdisk_disk_to_xml(&xml, disk, &err), 0);
    vdisk_disk_free(disk);

    /* USB storage leaves at once: no guest has to agree */
    assert_int_equal(virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE), 0);
    assert_int_equal(vdisk_volume_delete(conn, pool_name, "hot.qcow2", dom, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_EXISTS);
    assert_non_null(strstr(vdisk_error_get_message(err), "target 'sda'"));
    assert_non_null(strstr(vdisk_error_get_message(err), "live state"));
    assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

    cb = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                          VIR_DOMAIN_EVENT_CALLBACK(on_device_removed), NULL, NULL);
    assert_true(cb >= 0);
    assert_int_equal(virDomainDetachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE), 0);
    deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&removed_lock);
    while (!removed_alias && g_cond_wait_until(&removed_cond, &removed_lock, deadline))
        ;
    g_mutex_unlock(&removed_lock);
    virConnectDomainEventDeregisterAny(conn, cb);
    assert_non_null(removed_alias);
    assert_string_equal(removed_alias, "usb-disk0");

    assert_int_equal(vdisk_volume_delete(conn, pool_name, "hot.qcow2", dom, &err2), 0);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_connection_is_remote_with_event_loop),
        cmocka_unit_test(test_open_first_skips_dead_host),
        cmocka_unit_test(test_volume_deleted_only_after_removed_event),
    };
    g_autoptr(vdisk_error) err = NULL;
    int rc;

    uri =
        g_getenv("VDISK_REMOTE_URI") ? g_getenv("VDISK_REMOTE_URI") : "qemu+tcp://127.0.0.1/system";
    if (vdisk_connect_open(&conn, uri, 0, &err) < 0) {
        fprintf(stderr, "skipped: %s (run scripts/start-libvirt-tcp.sh)\n",
                vdisk_error_get_message(err));
        return 77;
    }
    rc = cmocka_run_group_tests(tests, setup, teardown);
    virConnectClose(conn);
    return rc;
}
