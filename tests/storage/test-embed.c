/*
 * test-embed.c: vdisk_connect_open() runs libvirt's embedded QEMU driver
 * (qemu:///embed?root=DIR) with its own event loop: a transient TCG domain
 * starts, QEMU answers query-block for its disk, and the domain goes away
 *
 * Exits 77 (skipped) when the embedded driver cannot run here (no QEMU).
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

#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "vdisk/hotplug.h"
#include "util/error.h"
#include "virt/connect.h"

static char *root;

static int
teardown(void **state)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);

    return system(cmd) == 0 ? 0 : -1;
}

static void
test_embed_without_root_refused(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    virConnectPtr conn = NULL;

    assert_int_equal(vdisk_connect_open(&conn, "qemu:///embed", 0, &err), -1);
    assert_null(conn);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_non_null(strstr(vdisk_error_get_message(err), "root directory"));
}

static void
test_foreign_driver_refused(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    virConnectPtr conn = NULL;

    assert_int_equal(vdisk_connect_open(&conn, "lxc:///system", 0, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_true(g_str_has_prefix(vdisk_error_get_message(err), "vdisk_connect_open: "));
}

static void
test_embedded_domain_runs_and_answers_query_block(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s", root);
    g_autofree char *img = g_strdup_printf("%s/disk.qcow2", root);
    g_autofree char *mk = g_strdup_printf("qemu-img create -q -f qcow2 '%s' 16M", img);
    g_autofree char *xml = NULL;
    char *reply = NULL;
    virConnectPtr conn = NULL;
    virDomainPtr dom;

    if (system(mk) != 0)
        skip();
    if (vdisk_connect_open(&conn, uri, 0, &err) < 0)
        fail_msg("%s", vdisk_error_get_message(err));
    assert_true(vd_virt_event_loop_running());

    xml = g_strdup_printf("<domain type='qemu'><name>vdtest-storage-embed</name>"
                          "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                          "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                          "<source file='%s'/><target dev='vda' bus='virtio'/></disk>"
                          "<video><model type='none'/></video>"
                          "<memballoon model='none'/></devices></domain>",
                          img);
    dom = virDomainCreateXML(conn, xml, 0);
    if (!dom) {
        g_autofree char *why = g_strdup(virGetLastErrorMessage());

        virConnectClose(conn);
        fail_msg("embedded domain did not start: %s", why);
    }
    assert_int_equal(virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-block\"}", &reply, 0),
                     0);
    assert_non_null(strstr(reply, "\"return\""));
    assert_non_null(strstr(reply, img));
    assert_non_null(
        strstr(reply, "\"qdev\": \"/machine/peripheral/virtio-disk0/virtio-backend\"") ||
        strstr(reply, "virtio-disk0"));
    free(reply);
    assert_int_equal(virDomainDestroy(dom), 0);
    virDomainFree(dom);
    assert_true(virConnectClose(conn) >= 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embed_without_root_refused),
        cmocka_unit_test(test_foreign_driver_refused),
        cmocka_unit_test(test_embedded_domain_runs_and_answers_query_block),
    };
    g_autoptr(GError) gerr = NULL;

    if (!g_file_test("/usr/bin/qemu-system-x86_64", G_FILE_TEST_IS_EXECUTABLE)) {
        fprintf(stderr, "skipped: no /usr/bin/qemu-system-x86_64\n");
        return 77;
    }
    if (!(root = g_dir_make_tmp("vdtest-storage-embed-XXXXXX", &gerr)))
        return 1;
    /* QEMU runs as libvirt's unprivileged user and must reach the image */
    if (g_chmod(root, 0755) < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, teardown);
}
