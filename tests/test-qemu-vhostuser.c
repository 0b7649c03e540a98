/*
 * test-qemu-vhostuser.c: vhost-user-blk disks and CCW-addressed virtio
 * disks become the arguments libvirt 9.0 gives QEMU 7.2
 *
 * The expected argv is libvirt's own, read from the golden files of
 * tests/data/qemu (NNN-name.argv, written by scripts/gen-qemu-golden.py
 * from `virsh domxml-to-native qemu-argv`). The QMP commands of a
 * vhost-user disk are those libvirt sends when it hotplugs one
 * (chardev-add, then device_add).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <glib.h>

#include "vdisk/vdisk.h"

static vdisk_domain *
load_domain(const char *name, const char *kind)
{
    g_autofree char *path = g_strdup_printf("%s/qemu/%s.%s", VDISK_TEST_DATA, name, kind);
    g_autofree char *xml = NULL;
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    if (!g_file_get_contents(path, &xml, NULL, NULL))
        fail_msg("cannot read %s", path);
    if (vdisk_domain_from_xml(&dom, xml, &err) < 0)
        fail_msg("%s: %s", path, vdisk_error_get_message(err));
    return dom;
}

static vdisk_qemu_args *
translate(const vdisk_domain *dom)
{
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;

    if (vdisk_qemu_translate_domain(&args, dom, NULL, &err) < 0)
        fail_msg("translation failed: %s", vdisk_error_get_message(err));
    return args;
}

/* The argv of @dom's disks equals libvirt's, line by line. */
static void
assert_matches_golden(const char *name, const char *kind)
{
    g_autofree char *path = g_strdup_printf("%s/qemu/%s.argv", VDISK_TEST_DATA, name);
    g_autofree char *text = NULL;
    g_auto(GStrv) want = NULL;
    vdisk_domain *dom = load_domain(name, kind);
    vdisk_qemu_args *args = translate(dom);
    size_t n, i;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        fail_msg("cannot read %s", path);
    g_strchomp(text);
    want = g_strsplit(text, "\n", -1);
    n = g_strv_length(want);
    assert_int_equal(vdisk_qemu_args_count(args), n);
    for (i = 0; i < n; i++)
        assert_string_equal(vdisk_qemu_args_get(args, i), want[i]);
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

static void
test_vhostuser_disk_is_chardev_and_vhost_user_blk_pci(void **state)
{
    (void)state;
    assert_matches_golden("130-vhostuser-pc", "addressed.xml");
    assert_matches_golden("133-vhostuser-q35-root-port", "addressed.xml");
}

static void
test_vhostuser_queues_and_reconnect_match_libvirt(void **state)
{
    (void)state;
    assert_matches_golden("131-vhostuser-q35-queues-reconnect", "addressed.xml");
}

static void
test_vhostuser_disk_takes_no_storage_node_number(void **state)
{
    (void)state;
    /* the file disk before it gets libvirt-1, as with libvirt */
    assert_matches_golden("132-vhostuser-pc-address-with-file", "addressed.xml");
}

static void
test_vhostuser_socket_path_commas_are_doubled(void **state)
{
    vdisk_domain *dom = load_domain("132-vhostuser-pc-address-with-file", "addressed.xml");
    vdisk_qemu_args *args = translate(dom);

    (void)state;
    assert_string_equal(vdisk_qemu_args_get(args, 6), "-chardev");
    assert_string_equal(vdisk_qemu_args_get(args, 7),
                        "socket,id=chr-vu-virtio-disk2,path=/var/lib/vdisk-test/vhost blk,,2.sock,"
                        "reconnect=0");
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

static void
test_vhostuser_qmp_is_chardev_add_then_device_add(void **state)
{
    vdisk_domain *dom = load_domain("131-vhostuser-q35-queues-reconnect", "addressed.xml");
    vdisk_qemu_args *args = translate(dom);

    (void)state;
    assert_int_equal(vdisk_qemu_args_qmp_count(args), 2);
    assert_string_equal(
        vdisk_qemu_args_qmp_get(args, 0),
        "{\"execute\":\"chardev-add\",\"arguments\":{\"id\":\"chr-vu-virtio-disk1\","
        "\"backend\":{\"type\":\"socket\",\"data\":{\"addr\":{\"type\":\"unix\","
        "\"data\":{\"path\":\"/var/lib/vdisk-test/vhost-blk.sock\"}},"
        "\"server\":false,\"reconnect\":10}}}}");
    assert_string_equal(
        vdisk_qemu_args_qmp_get(args, 1),
        "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vhost-user-blk-pci\","
        "\"num-queues\":4,\"queue-size\":256,\"bus\":\"pci.2\",\"addr\":\"0x0\","
        "\"chardev\":\"chr-vu-virtio-disk1\",\"id\":\"virtio-disk1\","
        "\"bootindex\":1}}");
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

static void
test_vhostuser_qmp_without_reconnect_has_none(void **state)
{
    vdisk_domain *dom = load_domain("130-vhostuser-pc", "addressed.xml");
    vdisk_qemu_args *args = translate(dom);

    (void)state;
    assert_string_equal(
        vdisk_qemu_args_qmp_get(args, 0),
        "{\"execute\":\"chardev-add\",\"arguments\":{\"id\":\"chr-vu-virtio-disk0\","
        "\"backend\":{\"type\":\"socket\",\"data\":{\"addr\":{\"type\":\"unix\","
        "\"data\":{\"path\":\"/var/lib/vdisk-test/vhost-blk.sock\"}},"
        "\"server\":false}}}}");
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

static void
test_vhostuser_serial_is_refused_like_libvirt(void **state)
{
    vdisk_domain *dom = load_domain("135-refuse-vhostuser-serial", "xml");
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, &err), -1);
    assert_null(args);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_qemu_translate_domain: target 'vdc': serial is not supported "
                        "with vhostuser disk");
    vdisk_error_free(err);
    vdisk_domain_free(dom);
}

static void
test_ccw_address_is_virtio_blk_ccw_devno(void **state)
{
    (void)state;
    assert_matches_golden("136-s390-ccw-two-disks", "addressed.xml");
    assert_matches_golden("137-s390-ccw-options", "addressed.xml");
    assert_matches_golden("138-s390-ccw-cssid-1", "addressed.xml");
}

static void
test_ccw_disk_set_by_api_translates(void **state)
{
    vdisk_domain *dom = load_domain("137-s390-ccw-options", "addressed.xml");
    vdisk_disk *disk = vdisk_domain_get_disk(dom, 0);
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_disk_set_address_ccw(disk, 0xfe, 1, 0x42, &err), 0);
    assert_int_equal(vdisk_qemu_translate_disk(&args, disk, dom, NULL, &err), 0);
    assert_non_null(strstr(vdisk_qemu_args_get(args, 5),
                           "\"driver\":\"virtio-blk-ccw\",\"num-queues\":2,\"queue-size\":128,"
                           "\"devno\":\"fe.1.0042\""));
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vhostuser_disk_is_chardev_and_vhost_user_blk_pci),
        cmocka_unit_test(test_vhostuser_queues_and_reconnect_match_libvirt),
        cmocka_unit_test(test_vhostuser_disk_takes_no_storage_node_number),
        cmocka_unit_test(test_vhostuser_socket_path_commas_are_doubled),
        cmocka_unit_test(test_vhostuser_qmp_is_chardev_add_then_device_add),
        cmocka_unit_test(test_vhostuser_qmp_without_reconnect_has_none),
        cmocka_unit_test(test_vhostuser_serial_is_refused_like_libvirt),
        cmocka_unit_test(test_ccw_address_is_virtio_blk_ccw_devno),
        cmocka_unit_test(test_ccw_disk_set_by_api_translates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
