/*
 * test-postparse.c: a disk gets libvirt's post-parse defaults
 *
 * Every expected <disk> below was taken from `virsh dumpxml` of libvirt
 * 9.0 (QEMU driver, x86_64, machine 'pc') after `virsh define` of a domain
 * holding the input disk; the PCI address the QEMU driver assigns to virtio
 * disks is left out (it is not a disk post-parse default).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vdisk/domain.h"
#include "conf/disk_postparse.h"

static char *
defaults_of(const char *xml)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;

    if (vdisk_disk_from_xml_flags(&disk, xml, VDISK_PARSE_NO_VALIDATE, &err) < 0)
        fail_msg("parse failed: %s", vdisk_error_get_message(err));
    assert_int_equal(vdisk_disk_to_xml(&out, disk, &err), 0);
    vdisk_disk_free(disk);
    return out;
}

static void
expect_defaults(const char *in, const char *libvirt_out)
{
    char *out = defaults_of(in);

    if (strcmp(out, libvirt_out) != 0)
        fail_msg("got:\n%s\nlibvirt gives:\n%s", out, libvirt_out);
    free(out);
}

static void
test_virtio_bus_from_vd_target_and_qemu_raw_driver(void **state)
{
    (void)state;
    expect_defaults("<disk type='file' device='disk'>"
                    "<source file='/var/lib/libvirt/images/a.img'/>"
                    "<target dev='vda'/></disk>",
                    "<disk type='file' device='disk'>\n"
                    "  <driver name='qemu' type='raw'/>\n"
                    "  <source file='/var/lib/libvirt/images/a.img'/>\n"
                    "  <target dev='vda' bus='virtio'/>\n"
                    "</disk>\n");
}

static void
test_ide_address_from_hd_target_keeps_cache(void **state)
{
    (void)state;
    expect_defaults("<disk type='file' device='disk'><driver cache='none'/>"
                    "<source file='/var/lib/libvirt/images/b.qcow2'/>"
                    "<target dev='hdb'/></disk>",
                    "<disk type='file' device='disk'>\n"
                    "  <driver name='qemu' type='raw' cache='none'/>\n"
                    "  <source file='/var/lib/libvirt/images/b.qcow2'/>\n"
                    "  <target dev='hdb' bus='ide'/>\n"
                    "  <address type='drive' controller='0' bus='0' target='0' unit='1'/>\n"
                    "</disk>\n");
}

static void
test_empty_cdrom_becomes_readonly_raw(void **state)
{
    (void)state;
    expect_defaults("<disk type='file' device='cdrom'><target dev='hdc'/></disk>",
                    "<disk type='file' device='cdrom'>\n"
                    "  <driver name='qemu' type='raw'/>\n"
                    "  <target dev='hdc' bus='ide'/>\n"
                    "  <readonly/>\n"
                    "  <address type='drive' controller='0' bus='1' target='0' unit='0'/>\n"
                    "</disk>\n");
}

static void
test_scsi_narrow_bus_puts_sdh_on_second_controller(void **state)
{
    (void)state;
    expect_defaults("<disk type='file' device='disk'>"
                    "<source file='/var/lib/libvirt/images/c.img'/>"
                    "<target dev='sdh'/></disk>",
                    "<disk type='file' device='disk'>\n"
                    "  <driver name='qemu' type='raw'/>\n"
                    "  <source file='/var/lib/libvirt/images/c.img'/>\n"
                    "  <target dev='sdh' bus='scsi'/>\n"
                    "  <address type='drive' controller='1' bus='0' target='0' unit='0'/>\n"
                    "</disk>\n");
}

static void
test_readonly_drops_snapshot_no(void **state)
{
    (void)state;
    expect_defaults("<disk type='file' device='disk' snapshot='no'>"
                    "<source file='/var/lib/libvirt/images/d.img'/>"
                    "<target dev='sdb' bus='scsi'/><readonly/></disk>",
                    "<disk type='file' device='disk'>\n"
                    "  <driver name='qemu' type='raw'/>\n"
                    "  <source file='/var/lib/libvirt/images/d.img'/>\n"
                    "  <target dev='sdb' bus='scsi'/>\n"
                    "  <readonly/>\n"
                    "  <address type='drive' controller='0' bus='0' target='0' unit='1'/>\n"
                    "</disk>\n");
}

static void
test_floppy_gets_fdc_and_unit(void **state)
{
    (void)state;
    expect_defaults("<disk type='file' device='floppy'>"
                    "<source file='/var/lib/libvirt/images/f.img'/>"
                    "<target dev='fdb'/></disk>",
                    "<disk type='file' device='floppy'>\n"
                    "  <driver name='qemu' type='raw'/>\n"
                    "  <source file='/var/lib/libvirt/images/f.img'/>\n"
                    "  <target dev='fdb' bus='fdc'/>\n"
                    "  <address type='drive' controller='0' bus='0' target='0' unit='1'/>\n"
                    "</disk>\n");
}

static void
test_ioemu_prefix_is_stripped(void **state)
{
    (void)state;
    /* libvirt then gives the usb disk a usb address: that is the QEMU
     * driver's USB port assignment, not a disk default */
    expect_defaults("<disk type='file' device='disk'>"
                    "<source file='/var/lib/libvirt/images/e.img'/>"
                    "<target dev='ioemu:xvda' bus='usb'/></disk>",
                    "<disk type='file' device='disk'>\n"
                    "  <driver name='qemu' type='raw'/>\n"
                    "  <source file='/var/lib/libvirt/images/e.img'/>\n"
                    "  <target dev='xvda' bus='usb'/>\n"
                    "</disk>\n");
}

static void
test_iscsi_name_gets_lun_zero(void **state)
{
    (void)state;
    expect_defaults("<disk type='network' device='disk'>"
                    "<source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool'>"
                    "<host name='example.com' port='3260'/></source>"
                    "<target dev='vdb'/></disk>",
                    "<disk type='network' device='disk'>\n"
                    "  <driver name='qemu' type='raw'/>\n"
                    "  <source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool/0'>\n"
                    "    <host name='example.com' port='3260'/>\n"
                    "  </source>\n"
                    "  <target dev='vdb' bus='virtio'/>\n"
                    "</disk>\n");
}

static void
test_volume_gets_driver_name_only(void **state)
{
    (void)state;
    expect_defaults("<disk type='volume' device='disk'>"
                    "<source pool='default' volume='x.img'/>"
                    "<target dev='vdc'/></disk>",
                    "<disk type='volume' device='disk'>\n"
                    "  <driver name='qemu'/>\n"
                    "  <source pool='default' volume='x.img'/>\n"
                    "  <target dev='vdc' bus='virtio'/>\n"
                    "</disk>\n");
}

static void
test_encryption_engine_defaults_to_qemu(void **state)
{
    (void)state;
    expect_defaults(
        "<disk type='file' device='disk'>"
        "<source file='/var/lib/libvirt/images/g.img'>"
        "<encryption format='luks'>"
        "<secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>"
        "</encryption></source>"
        "<target dev='sda' bus='scsi'/></disk>",
        "<disk type='file' device='disk'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        "  <source file='/var/lib/libvirt/images/g.img'>\n"
        "    <encryption format='luks' engine='qemu'>\n"
        "      <secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>\n"
        "    </encryption>\n"
        "  </source>\n"
        "  <target dev='sda' bus='scsi'/>\n"
        "  <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n"
        "</disk>\n");
}

static void
test_unknown_target_without_address_is_refused(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    (void)state;
    /* libvirt: "Unknown disk name 'nvme0' and no address specified" */
    assert_int_equal(
        vdisk_disk_from_xml_flags(&disk,
                                  "<disk type='file' device='disk'>"
                                  "<source file='/a'/><target dev='nvme0' bus='virtio'/>"
                                  "</disk>",
                                  VDISK_PARSE_NO_VALIDATE, &err),
        -1);
    assert_null(disk);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID);
    assert_non_null(strstr(vdisk_error_get_message(err),
                           "target 'nvme0': unknown disk name 'nvme0' and no address specified"));
    vdisk_error_free(err);
}

static void
test_no_defaults_flag_keeps_xml(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;

    (void)state;
    assert_int_equal(vdisk_disk_from_xml_flags(&disk,
                                               "<disk type='file' device='disk'>"
                                               "<source file='/a'/><target dev='vda'/></disk>",
                                               VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE,
                                               &err),
                     0);
    assert_int_equal(vdisk_disk_to_xml(&out, disk, &err), 0);
    assert_string_equal(out, "<disk type='file' device='disk'>\n"
                             "  <source file='/a'/>\n"
                             "  <target dev='vda'/>\n"
                             "</disk>\n");
    free(out);
    vdisk_disk_free(disk);
}

static void
test_defaults_are_idempotent(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *a = NULL;
    char *b = NULL;

    (void)state;
    assert_int_equal(vdisk_disk_from_xml_flags(&disk,
                                               "<disk type='file' device='cdrom'>"
                                               "<target dev='hdc'/></disk>",
                                               VDISK_PARSE_NO_VALIDATE, &err),
                     0);
    assert_int_equal(vdisk_disk_to_xml(&a, disk, &err), 0);
    assert_int_equal(vd_disk_postparse(disk, NULL, &err), 0);
    assert_int_equal(vdisk_disk_to_xml(&b, disk, &err), 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    vdisk_disk_free(disk);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtio_bus_from_vd_target_and_qemu_raw_driver),
        cmocka_unit_test(test_ide_address_from_hd_target_keeps_cache),
        cmocka_unit_test(test_empty_cdrom_becomes_readonly_raw),
        cmocka_unit_test(test_scsi_narrow_bus_puts_sdh_on_second_controller),
        cmocka_unit_test(test_readonly_drops_snapshot_no),
        cmocka_unit_test(test_floppy_gets_fdc_and_unit),
        cmocka_unit_test(test_ioemu_prefix_is_stripped),
        cmocka_unit_test(test_iscsi_name_gets_lun_zero),
        cmocka_unit_test(test_volume_gets_driver_name_only),
        cmocka_unit_test(test_encryption_engine_defaults_to_qemu),
        cmocka_unit_test(test_unknown_target_without_address_is_refused),
        cmocka_unit_test(test_no_defaults_flag_keeps_xml),
        cmocka_unit_test(test_defaults_are_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
