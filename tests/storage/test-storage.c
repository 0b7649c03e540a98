/*
 * test-storage.c: volumes in a real libvirtd dir pool are created with the
 * asked format and backing, resolved to their paths, and deleted only
 * once no domain disk uses them
 *
 * Needs libvirtd on qemu:///system (or VDISK_TEST_URI); exits 77 (skipped)
 * when it does not answer.
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

#include "vdisk/hotplug.h"
#include "util/error.h"

static virConnectPtr conn;
static virStoragePoolPtr pool;
static char *pool_name;
static char *pool_dir;

static int
setup(void **state)
{
    g_autoptr(GError) gerr = NULL;
    g_autofree char *xml = NULL;

    pool_name = g_strdup_printf("vdtest-storage-%d", (int)getpid());
    if (!(pool_dir = g_dir_make_tmp("vdtest-storage-XXXXXX", &gerr)))
        return -1;
    xml = g_strdup_printf("<pool type='dir'><name>%s</name><target><path>%s</path></target>"
                          "</pool>",
                          pool_name, pool_dir);
    if (!(pool = virStoragePoolDefineXML(conn, xml, 0)))
        return -1;
    if (virStoragePoolCreate(pool, 0) < 0)
        return -1;
    return 0;
}

static int
teardown(void **state)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", pool_dir);

    static const char *const doms[] = {"vdtest-storage-del1", "vdtest-storage-del2",
                                       "vdtest-storage-del3"};
    size_t i;

    /* what a failed test left behind */
    for (i = 0; i < G_N_ELEMENTS(doms); i++) {
        virDomainPtr dom = virDomainLookupByName(conn, doms[i]);

        if (dom) {
            virDomainUndefine(dom);
            virDomainFree(dom);
        }
    }
    if (pool) {
        virStoragePoolDestroy(pool);
        virStoragePoolUndefine(pool);
        virStoragePoolFree(pool);
    }
    if (system(cmd) != 0)
        return -1;
    return 0;
}

static char *
vol_path(const char *name)
{
    return g_strdup_printf("%s/%s", pool_dir, name);
}

static char *
disk_xml(const vdisk_disk *disk)
{
    g_autoptr(vdisk_error) err = NULL;
    char *xml = NULL;

    assert_int_equal(vdisk_disk_to_xml(&xml, disk, &err), 0);
    return xml;
}

static void
assert_err(vdisk_error *err, vdisk_error_code code, const char *api, const char *needle)
{
    assert_non_null(err);
    if (vdisk_error_get_code(err) != code || !g_str_has_prefix(vdisk_error_get_message(err), api) ||
        !strstr(vdisk_error_get_message(err), needle))
        fail_msg("got %s '%s', wanted %s from %s with '%s'",
                 vdisk_error_code_name(vdisk_error_get_code(err)), vdisk_error_get_message(err),
                 vdisk_error_code_name(code), api, needle);
}

static void
test_raw_volume_gives_file_disk_with_path(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *path = vol_path("raw1.img");
    g_autofree char *xml = NULL;
    g_autofree char *expect = NULL;
    vdisk_disk *disk = NULL;
    vdisk_format fmt;
    unsigned int flags;

    assert_int_equal(vdisk_volume_create(&disk, conn, pool_name, "raw1.img", 1024 * 1024,
                                         VDISK_FORMAT_RAW, NULL, 0, &err),
                     0);
    assert_null(err);
    xml = disk_xml(disk);
    expect = g_strdup_printf("<disk type='file' device='disk'>\n"
                             "  <driver name='qemu' type='raw'/>\n"
                             "  <source file='%s'/>\n"
                             "</disk>\n",
                             path);
    assert_string_equal(xml, expect);
    assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    assert_int_equal(vdisk_image_probe_format(path, &fmt, &flags, &err), 0);
    assert_int_equal(fmt, VDISK_FORMAT_RAW);
    vdisk_disk_free(disk);
}

static void
test_qcow2_volume_records_backing_and_its_format(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *backing = vol_path("raw1.img");
    g_autofree char *path = vol_path("top.qcow2");
    g_autofree char *volxml = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    virStorageVolPtr vol;
    vdisk_disk *disk = NULL;
    vdisk_format fmt;

    assert_int_equal(vdisk_volume_create(&disk, conn, pool_name, "top.qcow2", 0, VDISK_FORMAT_QCOW2,
                                         backing, 0, &err),
                     0);
    assert_int_equal(vdisk_disk_get_type(disk), VDISK_TYPE_FILE);
    assert_int_equal(vdisk_disk_get_format(disk), VDISK_FORMAT_QCOW2);
    assert_string_equal(vdisk_disk_get_path(disk), path);
    assert_int_equal(vdisk_image_probe_format(path, &fmt, NULL, &err), 0);
    assert_int_equal(fmt, VDISK_FORMAT_QCOW2);

    /* libvirt and qemu-img both see the backing file with its format */
    assert_non_null(vol = virStorageVolLookupByPath(conn, path));
    assert_non_null(volxml = virStorageVolGetXMLDesc(vol, 0));
    virStorageVolFree(vol);
    assert_non_null(strstr(volxml, "<format type='raw'/>"));
    cmd = g_strdup_printf("qemu-img info -U --output=json '%s'", path);
    assert_true(g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL));
    assert_non_null(strstr(out, "\"backing-filename-format\": \"raw\""));
    assert_non_null(strstr(out, backing));
    vdisk_disk_free(disk);
}

static void
test_raw_with_backing_refused(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *backing = vol_path("raw1.img");
    vdisk_disk *disk = NULL;

    assert_int_equal(vdisk_volume_create(&disk, conn, pool_name, "bad.img", 1024 * 1024,
                                         VDISK_FORMAT_RAW, backing, 0, &err),
                     -1);
    assert_null(disk);
    assert_err(err, VDISK_ERR_INVALID_ARG, "vdisk_volume_create: ", "cannot have a backing");
}

static void
test_existing_volume_refused(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    vdisk_disk *disk = NULL;

    assert_int_equal(vdisk_volume_create(&disk, conn, pool_name, "raw1.img", 1024 * 1024,
                                         VDISK_FORMAT_RAW, NULL, 0, &err),
                     -1);
    assert_err(err, VDISK_ERR_EXISTS, "vdisk_volume_create: ", "already has a volume 'raw1.img'");
}

static void
test_unknown_pool_not_found(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    vdisk_disk *disk = NULL;

    assert_int_equal(vdisk_volume_create(&disk, conn, "vdtest-storage-no-such-pool", "x.img",
                                         1024 * 1024, VDISK_FORMAT_RAW, NULL, 0, &err),
                     -1);
    assert_err(err, VDISK_ERR_NOT_FOUND,
               "vdisk_volume_create: ", "no storage pool 'vdtest-storage-no-such-pool'");
}

static void
test_volume_source_resolves_to_file_path(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *path = vol_path("vs.qcow2");
    g_autofree char *xml = NULL;
    g_autofree char *expect = NULL;
    vdisk_disk *disk = NULL;

    assert_int_equal(vdisk_volume_create(&disk, conn, pool_name, "vs.qcow2", 2 * 1024 * 1024,
                                         VDISK_FORMAT_QCOW2, NULL, VDISK_VOLUME_AS_VOLUME_SOURCE,
                                         &err),
                     0);
    xml = disk_xml(disk);
    expect = g_strdup_printf("<disk type='volume' device='disk'>\n"
                             "  <driver name='qemu' type='qcow2'/>\n"
                             "  <source pool='%s' volume='vs.qcow2'/>\n"
                             "</disk>\n",
                             pool_name);
    assert_string_equal(xml, expect);

    assert_int_equal(vdisk_volume_resolve(disk, conn, &err), 0);
    g_free(xml);
    g_free(expect);
    xml = disk_xml(disk);
    expect = g_strdup_printf("<disk type='file' device='disk'>\n"
                             "  <driver name='qemu' type='qcow2'/>\n"
                             "  <source file='%s'/>\n"
                             "</disk>\n",
                             path);
    assert_string_equal(xml, expect);
    vdisk_disk_free(disk);
}

static void
test_resolve_missing_volume_leaves_disk_unchanged(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *in = g_strdup_printf("<disk type='volume' device='disk'>\n"
                                          "  <driver name='qemu' type='raw'/>\n"
                                          "  <source pool='%s' volume='gone.img'/>\n"
                                          "  <target dev='vdc' bus='virtio'/>\n"
                                          "</disk>\n",
                                          pool_name);
    g_autofree char *out = NULL;
    vdisk_disk *disk = NULL;

    assert_int_equal(vdisk_disk_from_xml_flags(&disk, in, VDISK_PARSE_NO_DEFAULTS, &err), 0);
    assert_int_equal(vdisk_volume_resolve(disk, conn, &err), -1);
    assert_err(err, VDISK_ERR_NOT_FOUND, "vdisk_volume_resolve: ", "no volume 'gone.img'");
    out = disk_xml(disk);
    assert_string_equal(out, in);
    vdisk_disk_free(disk);
}

static void
test_resolve_mode_outside_iscsi_refused(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *in = g_strdup_printf("<disk type='volume' device='disk'>\n"
                                          "  <source pool='%s' volume='raw1.img' mode='host'/>\n"
                                          "  <target dev='vdc' bus='virtio'/>\n"
                                          "</disk>\n",
                                          pool_name);
    vdisk_disk *disk = NULL;

    assert_int_equal(vdisk_disk_from_xml_flags(&disk, in, VDISK_PARSE_NO_DEFAULTS, &err), 0);
    assert_int_equal(vdisk_volume_resolve(disk, conn, &err), -1);
    assert_err(err, VDISK_ERR_INVALID, "vdisk_volume_resolve: target 'vdc'", "iscsi");
    vdisk_disk_free(disk);
}

static virDomainPtr
define_domain_using(const char *name, const char *disk)
{
    g_autofree char *xml =
        g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                        "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                        "<devices>%s</devices></domain>",
                        name, disk);
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    assert_non_null(dom);
    return dom;
}

static void
test_delete_refused_while_config_uses_path(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autoptr(vdisk_error) err2 = NULL;
    g_autofree char *path = vol_path("del1.img");
    g_autofree char *disk = NULL;
    vdisk_disk *d = NULL;
    virDomainPtr dom;

    assert_int_equal(vdisk_volume_create(&d, conn, pool_name, "del1.img", 1024 * 1024,
                                         VDISK_FORMAT_RAW, NULL, 0, &err),
                     0);
    vdisk_disk_free(d);
    disk = g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                           "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>",
                           path);
    dom = define_domain_using("vdtest-storage-del1", disk);

    assert_int_equal(vdisk_volume_delete(conn, pool_name, "del1.img", dom, &err), -1);
    assert_err(err, VDISK_ERR_EXISTS, "vdisk_volume_delete: ", "target 'vdb'");
    assert_non_null(strstr(vdisk_error_get_message(err), "vdtest-storage-del1"));
    assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

    /* detached from the configuration: now it may go */
    assert_int_equal(virDomainDetachDeviceFlags(dom, disk, VIR_DOMAIN_AFFECT_CONFIG), 0);
    assert_int_equal(vdisk_volume_delete(conn, pool_name, "del1.img", dom, &err2), 0);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    virDomainUndefine(dom);
    virDomainFree(dom);
}

static void
test_delete_refused_while_config_uses_volume_source(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *disk = NULL;
    vdisk_disk *d = NULL;
    virDomainPtr dom;

    assert_int_equal(vdisk_volume_create(&d, conn, pool_name, "del2.qcow2", 1024 * 1024,
                                         VDISK_FORMAT_QCOW2, NULL, 0, &err),
                     0);
    vdisk_disk_free(d);
    disk = g_strdup_printf("<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
                           "<source pool='%s' volume='del2.qcow2'/>"
                           "<target dev='vdc' bus='virtio'/></disk>",
                           pool_name);
    dom = define_domain_using("vdtest-storage-del2", disk);
    assert_int_equal(vdisk_volume_delete(conn, pool_name, "del2.qcow2", dom, &err), -1);
    assert_err(err, VDISK_ERR_EXISTS, "vdisk_volume_delete: ", "target 'vdc'");
    virDomainUndefine(dom);
    virDomainFree(dom);
}

static void
test_delete_refused_while_backing_of_a_disk(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *top = vol_path("top.qcow2");
    g_autofree char *raw = vol_path("raw1.img");
    g_autofree char *disk = NULL;
    virDomainPtr dom;

    disk = g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                           "<source file='%s'/><backingStore type='file'><format type='raw'/>"
                           "<source file='%s'/></backingStore>"
                           "<target dev='vdd' bus='virtio'/></disk>",
                           top, raw);
    dom = define_domain_using("vdtest-storage-del3", disk);
    assert_int_equal(vdisk_volume_delete(conn, pool_name, "raw1.img", dom, &err), -1);
    assert_err(err, VDISK_ERR_EXISTS, "vdisk_volume_delete: ", "target 'vdd'");
    virDomainUndefine(dom);
    virDomainFree(dom);
}

static void
test_delete_without_domain_and_missing_volume(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *path = vol_path("vs.qcow2");

    assert_int_equal(vdisk_volume_delete(conn, pool_name, "vs.qcow2", NULL, &err), 0);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    assert_int_equal(vdisk_volume_delete(conn, pool_name, "vs.qcow2", NULL, &err), -1);
    assert_err(err, VDISK_ERR_NOT_FOUND, "vdisk_volume_delete: ", "no volume 'vs.qcow2'");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_volume_gives_file_disk_with_path),
        cmocka_unit_test(test_qcow2_volume_records_backing_and_its_format),
        cmocka_unit_test(test_raw_with_backing_refused),
        cmocka_unit_test(test_existing_volume_refused),
        cmocka_unit_test(test_unknown_pool_not_found),
        cmocka_unit_test(test_volume_source_resolves_to_file_path),
        cmocka_unit_test(test_resolve_missing_volume_leaves_disk_unchanged),
        cmocka_unit_test(test_resolve_mode_outside_iscsi_refused),
        cmocka_unit_test(test_delete_refused_while_config_uses_path),
        cmocka_unit_test(test_delete_refused_while_config_uses_volume_source),
        cmocka_unit_test(test_delete_refused_while_backing_of_a_disk),
        cmocka_unit_test(test_delete_without_domain_and_missing_volume),
    };
    g_autoptr(vdisk_error) err = NULL;
    const char *uri = g_getenv("VDISK_TEST_URI") ? g_getenv("VDISK_TEST_URI") : "qemu:///system";
    int rc;

    if (vdisk_connect_open(&conn, uri, 0, &err) < 0) {
        fprintf(stderr, "skipped: %s\n", vdisk_error_get_message(err));
        return 77;
    }
    rc = cmocka_run_group_tests(tests, setup, teardown);
    virConnectClose(conn);
    return rc;
}
