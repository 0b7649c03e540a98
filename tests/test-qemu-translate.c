/*
 * test-qemu-translate.c: disks become the -blockdev/-device arguments
 * libvirt 9.0 gives QEMU 7.2, and the same trees render as QMP
 *
 * Every expected argument below was produced by libvirt itself:
 * `virsh -c qemu:///system domxml-to-native qemu-argv` on the same XML,
 * against libvirt 9.0 and qemu-system-x86_64 7.2.
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

/* A qcow2 -> qcow2 -> block chain on virtio with cache/io/discard/
 * detect_zeroes/serial, and a cdrom on virtio-scsi with an error policy. */
static const char chain_domain[] =
    "<domain type='kvm'><name>vdtest-translate-2</name><memory>131072</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
    "<disk type='file' device='disk'>"
    "<driver name='qemu' type='qcow2' cache='none' io='native' discard='unmap' "
    "detect_zeroes='unmap'/>"
    "<source file='/tmp/tr/b.qcow2'/>"
    "<backingStore type='file'><format type='qcow2'/><source file='/tmp/tr/base.qcow2'/>"
    "<backingStore type='block'><format type='raw'/><source dev='/dev/sdz'/><backingStore/>"
    "</backingStore></backingStore>"
    "<target dev='vdb' bus='virtio'/><serial>a b</serial>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></disk>"
    "<disk type='file' device='cdrom'>"
    "<driver name='qemu' type='raw' cache='writethrough' error_policy='enospace'/>"
    "<source file='/tmp/tr/c.iso'/><target dev='sdb' bus='scsi'/><readonly/>"
    "<address type='drive' controller='0' bus='0' target='0' unit='1'/></disk>"
    "<controller type='scsi' index='0' model='virtio-scsi'/>"
    "</devices></domain>";

static const char *const chain_expected[] = {
    "-blockdev",
    "{\"driver\":\"host_device\",\"filename\":\"/dev/sdz\",\"aio\":\"native\",\"node-name\":"
    "\"libvirt-4-storage\",\"cache\":{\"direct\":true,\"no-flush\":false},\"auto-read-only\":true,"
    "\"discard\":\"unmap\"}",
    "-blockdev",
    "{\"node-name\":\"libvirt-4-format\",\"read-only\":true,\"discard\":\"unmap\",\"cache\":{"
    "\"direct\":true,\"no-flush\":false},\"driver\":\"raw\",\"file\":\"libvirt-4-storage\"}",
    "-blockdev",
    "{\"driver\":\"file\",\"filename\":\"/tmp/tr/base.qcow2\",\"aio\":\"native\",\"node-name\":"
    "\"libvirt-3-storage\",\"cache\":{\"direct\":true,\"no-flush\":false},\"auto-read-only\":true,"
    "\"discard\":\"unmap\"}",
    "-blockdev",
    "{\"node-name\":\"libvirt-3-format\",\"read-only\":true,\"discard\":\"unmap\",\"cache\":{"
    "\"direct\":true,\"no-flush\":false},\"driver\":\"qcow2\",\"file\":\"libvirt-3-storage\","
    "\"backing\":\"libvirt-4-format\"}",
    "-blockdev",
    "{\"driver\":\"file\",\"filename\":\"/tmp/tr/b.qcow2\",\"aio\":\"native\",\"node-name\":"
    "\"libvirt-2-storage\",\"cache\":{\"direct\":true,\"no-flush\":false},\"auto-read-only\":true,"
    "\"discard\":\"unmap\"}",
    "-blockdev",
    "{\"node-name\":\"libvirt-2-format\",\"read-only\":false,\"discard\":\"unmap\","
    "\"detect-zeroes\":\"unmap\",\"cache\":{\"direct\":true,\"no-flush\":false},\"driver\":"
    "\"qcow2\",\"file\":\"libvirt-2-storage\",\"backing\":\"libvirt-3-format\"}",
    "-device",
    "{\"driver\":\"virtio-blk-pci\",\"bus\":\"pci.0\",\"addr\":\"0x7\",\"drive\":"
    "\"libvirt-2-format\",\"id\":\"virtio-disk1\",\"bootindex\":1,\"write-cache\":\"on\","
    "\"serial\":\"a\\\\ b\"}",
    "-blockdev",
    "{\"driver\":\"file\",\"filename\":\"/tmp/tr/c.iso\",\"node-name\":\"libvirt-1-storage\","
    "\"cache\":{\"direct\":false,\"no-flush\":false},\"auto-read-only\":true,\"discard\":"
    "\"unmap\"}",
    "-blockdev",
    "{\"node-name\":\"libvirt-1-format\",\"read-only\":true,\"cache\":{\"direct\":false,"
    "\"no-flush\":false},\"driver\":\"raw\",\"file\":\"libvirt-1-storage\"}",
    "-device",
    "{\"driver\":\"scsi-cd\",\"bus\":\"scsi0.0\",\"channel\":0,\"scsi-id\":0,\"lun\":1,"
    "\"device_id\":\"drive-scsi0-0-0-1\",\"drive\":\"libvirt-1-format\",\"id\":"
    "\"scsi0-0-0-1\",\"write-cache\":\"off\",\"werror\":\"enospc\"}",
};

static vdisk_domain *
parse_domain(const char *xml)
{
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    if (vdisk_domain_from_xml(&dom, xml, &err) < 0)
        fail_msg("%s", vdisk_error_get_message(err));
    return dom;
}

static void
assert_args(const vdisk_qemu_args *args, const char *const *expected, size_t n)
{
    size_t i;

    assert_int_equal(vdisk_qemu_args_count(args), n);
    for (i = 0; i < n; i++)
        assert_string_equal(vdisk_qemu_args_get(args, i), expected[i]);
    assert_null(vdisk_qemu_args_get(args, n));
}

static void
test_domain_chain_and_scsi_cd_match_libvirt(void **state)
{
    vdisk_domain *dom = parse_domain(chain_domain);
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, &err), 0);
    assert_args(args, chain_expected, G_N_ELEMENTS(chain_expected));
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

/* libvirt sorts disks by bus and target index (hda before hdd), then
 * numbers the nodes from the last disk to the first, each chain top down;
 * an empty cdrom takes a number without any -blockdev. Expected from
 * domxml-to-native of this domain. */
static void
test_domain_numbers_nodes_from_last_disk(void **state)
{
    static const char xml[] =
        "<domain type='kvm'><name>vdtest-translate-3</name><memory>131072</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='/tmp/tr/a.img'/><target dev='vda' bus='virtio'/>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></disk>"
        "<disk type='file' device='cdrom'><target dev='hdd' bus='ide'/><readonly/></disk>"
        "<disk type='block' device='disk'><driver name='qemu' type='raw' cache='writeback'/>"
        "<source dev='/dev/sdy'/><target dev='hda' bus='ide'/></disk>"
        "</devices></domain>";
    static const char *const expected[] = {
        "-blockdev",
        "{\"driver\":\"file\",\"filename\":\"/tmp/tr/a.img\",\"node-name\":\"libvirt-3-storage\","
        "\"auto-read-only\":true,\"discard\":\"unmap\"}",
        "-blockdev",
        "{\"node-name\":\"libvirt-3-format\",\"read-only\":false,\"driver\":\"raw\",\"file\":"
        "\"libvirt-3-storage\"}",
        "-device",
        "{\"driver\":\"virtio-blk-pci\",\"bus\":\"pci.0\",\"addr\":\"0x2\",\"drive\":"
        "\"libvirt-3-format\",\"id\":\"virtio-disk0\",\"bootindex\":1}",
        "-blockdev",
        "{\"driver\":\"host_device\",\"filename\":\"/dev/sdy\",\"node-name\":\"libvirt-2-storage\","
        "\"cache\":{\"direct\":false,\"no-flush\":false},\"auto-read-only\":true,\"discard\":"
        "\"unmap\"}",
        "-blockdev",
        "{\"node-name\":\"libvirt-2-format\",\"read-only\":false,\"cache\":{\"direct\":false,"
        "\"no-flush\":false},\"driver\":\"raw\",\"file\":\"libvirt-2-storage\"}",
        "-device",
        "{\"driver\":\"ide-hd\",\"bus\":\"ide.0\",\"unit\":0,\"drive\":\"libvirt-2-format\","
        "\"id\":\"ide0-0-0\",\"write-cache\":\"on\"}",
        "-device",
        "{\"driver\":\"ide-cd\",\"bus\":\"ide.1\",\"unit\":1,\"id\":\"ide0-1-1\"}",
    };
    vdisk_domain *dom = parse_domain(xml);
    vdisk_qemu_args *args = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, NULL), 0);
    assert_args(args, expected, G_N_ELEMENTS(expected));
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

static void
test_lone_disk_starts_at_first_node_index(void **state)
{
    static const char xml[] = "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                              "<source file='/x.qcow2'/><backingStore/>"
                              "<target dev='vdc' bus='virtio'/></disk>";
    vdisk_disk *disk = NULL;
    vdisk_qemu_opts *opts = vdisk_qemu_opts_new();
    vdisk_qemu_args *args = NULL;

    (void)state;
    assert_int_equal(vdisk_disk_from_xml(&disk, xml, NULL), 0);
    assert_int_equal(vdisk_qemu_opts_set_first_node_index(opts, 7, NULL), 0);
    assert_int_equal(vdisk_qemu_translate_disk(&args, disk, NULL, opts, NULL), 0);
    assert_int_equal(vdisk_qemu_args_count(args), 6);
    assert_string_equal(vdisk_qemu_args_get(args, 3),
                        "{\"node-name\":\"libvirt-7-format\",\"read-only\":false,\"driver\":"
                        "\"qcow2\",\"file\":\"libvirt-7-storage\",\"backing\":null}");
    assert_string_equal(vdisk_qemu_args_get(args, 5),
                        "{\"driver\":\"virtio-blk-pci\",\"drive\":\"libvirt-7-format\",\"id\":"
                        "\"virtio-disk2\"}");
    vdisk_qemu_args_free(args);
    vdisk_qemu_opts_free(opts);
    vdisk_disk_free(disk);
}

static void
test_qmp_and_shell_render_the_same_trees(void **state)
{
    vdisk_domain *dom = parse_domain(chain_domain);
    vdisk_qemu_args *args = NULL;
    char *shell;
    char *want;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, NULL), 0);
    assert_int_equal(vdisk_qemu_args_qmp_count(args), G_N_ELEMENTS(chain_expected) / 2);
    want = g_strdup_printf("{\"execute\":\"blockdev-add\",\"arguments\":%s}", chain_expected[1]);
    assert_string_equal(vdisk_qemu_args_qmp_get(args, 0), want);
    g_free(want);
    want = g_strdup_printf("{\"execute\":\"device_add\",\"arguments\":%s}", chain_expected[13]);
    assert_string_equal(vdisk_qemu_args_qmp_get(args, 6), want);
    g_free(want);
    assert_null(vdisk_qemu_args_qmp_get(args, 10));

    shell = vdisk_qemu_args_to_shell(args);
    want = g_strdup_printf("-blockdev '%s' -blockdev", chain_expected[1]);
    assert_true(g_str_has_prefix(shell, want));
    g_free(want);
    vdisk_free(shell);
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

/* A floppy's boot index from <os><boot dev='fd'/> is a -global of the pc
 * machine's floppy controller, before the disks, with no QMP command. */
static void
test_floppy_boot_index_is_a_global(void **state)
{
    static const char xml[] =
        "<domain type='kvm'><name>vdtest-translate-fd</name><memory>131072</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/><boot dev='fd'/></os>"
        "<devices><disk type='file' device='floppy'><driver name='qemu' type='raw'/>"
        "<source file='/tmp/fd.img'/><target dev='fdb' bus='fdc'/>"
        "<address type='drive' controller='0' bus='0' target='0' unit='1'/></disk>"
        "</devices></domain>";
    vdisk_domain *dom = parse_domain(xml);
    vdisk_qemu_args *args = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, NULL), 0);
    assert_int_equal(vdisk_qemu_args_count(args), 8);
    assert_string_equal(vdisk_qemu_args_get(args, 0), "-global");
    assert_string_equal(vdisk_qemu_args_get(args, 1), "isa-fdc.bootindexB=2");
    assert_string_equal(vdisk_qemu_args_get(args, 7),
                        "{\"driver\":\"floppy\",\"unit\":1,\"drive\":\"libvirt-1-format\","
                        "\"id\":\"fdc0-0-1\"}");
    assert_int_equal(vdisk_qemu_args_qmp_count(args), 3);
    assert_true(g_str_has_prefix(vdisk_qemu_args_qmp_get(args, 0),
                                 "{\"execute\":\"blockdev-add\""));
    assert_null(vdisk_qemu_args_qmp_get(args, 3));
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

/* <os><boot dev='hd'/> gives the boot index to the first disk even when it
 * is a transient disk sharing its backing image, which libvirt attaches
 * only after start: no other disk gets it. */
static void
test_boot_index_of_a_later_attached_disk_is_not_passed_on(void **state)
{
    static const char xml[] =
        "<domain type='kvm'><name>vdtest-translate-tr</name><memory>131072</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>"
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/>"
        "<source file='/tmp/a.qcow2'/><target dev='vda' bus='virtio'/>"
        "<transient shareBacking='yes'/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/>"
        "<source file='/tmp/b.qcow2'/><target dev='hda' bus='ide'/><transient/></disk>"
        "</devices></domain>";
    vdisk_domain *dom = parse_domain(xml);
    vdisk_qemu_args *args = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, NULL), 0);
    assert_int_equal(vdisk_qemu_args_count(args), 6);
    assert_string_equal(vdisk_qemu_args_get(args, 5),
                        "{\"driver\":\"ide-hd\",\"bus\":\"ide.0\",\"unit\":0,\"drive\":"
                        "\"libvirt-1-format\",\"id\":\"ide0-0-0\",\"write-cache\":\"on\"}");
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

/* Refusals libvirt makes at start time, with its reason, naming the disk. */
static void
assert_refused(const char *domxml, const char *message)
{
    vdisk_domain *dom = parse_domain(domxml);
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, &err), -1);
    assert_null(args);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    assert_string_equal(vdisk_error_get_message(err), message);
    vdisk_error_free(err);
    vdisk_domain_free(dom);
}

#define DOM(devices)                                                                               \
    "<domain type='kvm'><name>vdtest-translate-r</name><memory>131072</memory>"                    \
    "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" devices "</devices></domain>"

static void
test_refuses_lun_with_qcow2(void **state)
{
    (void)state;
    /* libvirt: "disk device 'lun' must use 'raw' format" */
    assert_refused(DOM("<disk type='block' device='lun'><driver name='qemu' type='qcow2'/>"
                       "<source dev='/dev/sdx'/><target dev='sda' bus='scsi'/></disk>"),
                   "vdisk_qemu_translate_domain: target 'sda': disk device 'lun' must use 'raw' "
                   "format");
}

static void
test_refuses_backing_under_raw(void **state)
{
    (void)state;
    /* libvirt: "storage format 'raw' does not support backing store" */
    assert_refused(DOM("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                       "<source file='/a'/><backingStore type='file'><format type='raw'/>"
                       "<source file='/b'/></backingStore>"
                       "<target dev='vda' bus='virtio'/></disk>"),
                   "vdisk_qemu_translate_domain: target 'vda': storage format 'raw' does not "
                   "support backing store");
}

static void
test_refuses_ide_target_not_zero(void **state)
{
    (void)state;
    /* libvirt: "target must be 0 for ide controller" */
    assert_refused(DOM("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                       "<source file='/a'/><target dev='hda' bus='ide'/>"
                       "<address type='drive' controller='0' bus='0' target='1' unit='0'/>"
                       "</disk>"),
                   "vdisk_qemu_translate_domain: target 'hda': target must be 0 for ide "
                   "controller");
}

static void
test_refuses_acpi_index_off_pci(void **state)
{
    (void)state;
    /* libvirt: "ACPI index is only supported for PCI devices" */
    assert_refused(DOM("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                       "<source file='/a'/><target dev='sda' bus='scsi'/><acpi index='3'/>"
                       "<address type='drive' controller='0' bus='0' target='0' unit='0'/>"
                       "</disk>"),
                   "vdisk_qemu_translate_domain: target 'sda': ACPI index is only supported "
                   "for PCI devices");
}

/* libvirt looks a pool volume up when the domain starts; translation
 * reads no storage pool, so the caller must resolve it first. */
static void
test_unresolved_volume_source_is_an_error(void **state)
{
    (void)state;
    assert_refused(DOM("<disk type='volume' device='disk'><driver name='qemu' type='raw'/>"
                       "<source pool='default' volume='v1.img'/>"
                       "<target dev='vda' bus='virtio'/></disk>"),
                   "vdisk_qemu_translate_domain: target 'vda': storage pool 'default' volume "
                   "'v1.img' must be resolved on the host before translation");
}

static void
test_old_qemu_version_refused(void **state)
{
    vdisk_qemu_opts *opts = vdisk_qemu_opts_new();
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_opts_set_qemu_version(opts, 7, 2, 0, NULL), 0);
    assert_int_equal(vdisk_qemu_opts_set_qemu_version(opts, 6, 2, 0, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    vdisk_error_free(err);
    vdisk_qemu_opts_free(opts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain_chain_and_scsi_cd_match_libvirt),
        cmocka_unit_test(test_domain_numbers_nodes_from_last_disk),
        cmocka_unit_test(test_lone_disk_starts_at_first_node_index),
        cmocka_unit_test(test_qmp_and_shell_render_the_same_trees),
        cmocka_unit_test(test_floppy_boot_index_is_a_global),
        cmocka_unit_test(test_boot_index_of_a_later_attached_disk_is_not_passed_on),
        cmocka_unit_test(test_refuses_lun_with_qcow2),
        cmocka_unit_test(test_refuses_backing_under_raw),
        cmocka_unit_test(test_refuses_ide_target_not_zero),
        cmocka_unit_test(test_refuses_acpi_index_off_pci),
        cmocka_unit_test(test_unresolved_volume_source_is_an_error),
        cmocka_unit_test(test_old_qemu_version_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
