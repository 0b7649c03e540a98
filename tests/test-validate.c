/*
 * test-validate.c: libvirt's define-time refusals of a disk
 *
 * Each case names the message libvirt 9.0 (QEMU driver, x86_64, machine
 * 'pc') gave when `virsh define` was run on a domain holding the same disk.
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

#define F "<source file='/var/lib/libvirt/images/a.img'/>"

typedef struct {
    const char *what;    /* the behaviour */
    const char *libvirt; /* libvirt's message for the same input */
    const char *xml;
    vdisk_error_code code;
    const char *message; /* expected substring of ours */
} refusal;

static const refusal refusals[] = {
    {"partition in target", "invalid disk target 'vda1', partitions can't appear in disk targets",
     "<disk type='file' device='disk'>" F "<target dev='vda1'/></disk>", VDISK_ERR_UNSUPPORTED,
     "target 'vda1': invalid disk target 'vda1', partitions can't appear in disk targets"},
    {"sgio on disk", "sgio can be used only with device='lun'",
     "<disk type='file' device='disk' sgio='filtered'>" F "<target dev='vda'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'vda': sgio 'filtered' can be used only with device 'lun'"},
    {"unfiltered sgio", "unfiltered sgio is no longer supported",
     "<disk type='block' device='lun' sgio='unfiltered'><source dev='/dev/sdx'/>"
     "<target dev='sda'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'sda': sgio 'unfiltered' is no longer supported"},
    {"rawio on disk", "rawio can be used only with device='lun'",
     "<disk type='file' device='disk' rawio='yes'>" F "<target dev='vda'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'vda': rawio 'yes' can be used only with device 'lun'"},
    {"tray on disk", "tray is only valid for cdrom and floppy",
     "<disk type='file' device='disk'>" F "<target dev='vda' tray='open'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'vda': tray 'open' is only valid for cdrom and floppy"},
    {"removable off usb", "removable is only valid for usb disks",
     "<disk type='file' device='disk'>" F "<target dev='vda' removable='on'/></disk>",
     VDISK_ERR_INVALID, "target 'vda': removable 'on' is only valid for bus 'usb', not 'virtio'"},
    {"queues off virtio", "queues attribute in disk driver element is only supported by virtio-blk",
     "<disk type='file' device='disk'><driver name='qemu' queues='2'/>" F
     "<target dev='sda'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'sda': queues '2' are only supported on bus 'virtio'"},
    {"iothread off virtio", "IOThreads not available for bus scsi target sda",
     "<disk type='file' device='disk'><driver name='qemu' iothread='1'/>" F
     "<target dev='sda'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'sda': iothread '1' is not available for bus 'scsi'"},
    {"unsafe serial", "driver serial 'a/b' contains unsafe characters",
     "<disk type='file' device='disk'>" F "<target dev='vda'/><serial>a/b</serial></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'vda': serial 'a/b' contains unsafe characters"},
    {"malformed wwn", "Malformed wwn: 0x123",
     "<disk type='file' device='disk'>" F "<target dev='sda'/><wwn>0x123</wwn></disk>",
     VDISK_ERR_INVALID, "target 'sda': malformed wwn '0x123'"},
    {"vendor too long", "disk vendor is more than 8 characters",
     "<disk type='file' device='disk'>" F "<target dev='sda'/><vendor>123456789</vendor></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'sda': vendor '123456789' is more than 8 characters"},
    {"vendor off scsi", "Only scsi disk supports vendor and product",
     "<disk type='file' device='disk'>" F "<target dev='vda'/><vendor>x</vendor></disk>",
     VDISK_ERR_UNSUPPORTED,
     "target 'vda': vendor and product are only supported on bus 'scsi', not 'virtio'"},
    {"floppy on ide", "Invalid bus type 'ide' for floppy disk",
     "<disk type='file' device='floppy'>" F "<target dev='fda' bus='ide'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'fda': invalid bus 'ide' for a floppy"},
    {"cdrom on virtio", "disk type of 'vda' does not support ejectable media",
     "<disk type='file' device='cdrom'>" F "<target dev='vda'/></disk>", VDISK_ERR_UNSUPPORTED,
     "target 'vda': bus 'virtio' does not support ejectable media (cdrom)"},
    {"io native with default cache",
     "io='native' needs either no disk cache or directsync cache mode",
     "<disk type='file' device='disk'><driver name='qemu' io='native'/>" F
     "<target dev='vda'/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'vda': io 'native' needs cache 'none' or 'directsync'"},
    {"disk without source", "missing source information for device vda",
     "<disk type='file' device='disk'><target dev='vda'/></disk>", VDISK_ERR_UNSUPPORTED,
     "target 'vda': a disk device needs a source"},
    {"readonly sata disk", "readonly sata disks are not supported",
     "<disk type='file' device='disk'>" F "<target dev='sdb' bus='sata'/><readonly/></disk>",
     VDISK_ERR_UNSUPPORTED, "target 'sdb': read-only sata disks are not supported"},
};

static void
test_refusals_match_libvirt(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const refusal *r = &refusals[i];
        vdisk_disk *disk = NULL;
        vdisk_error *err = NULL;

        if (vdisk_disk_from_xml(&disk, r->xml, &err) == 0)
            fail_msg("%s: accepted (libvirt: %s)", r->what, r->libvirt);
        assert_null(disk);
        if (vdisk_error_get_code(err) != r->code ||
            !strstr(vdisk_error_get_message(err), r->message))
            fail_msg("%s: got %s '%s', want %s '%s'", r->what,
                     vdisk_error_code_name(vdisk_error_get_code(err)), vdisk_error_get_message(err),
                     vdisk_error_code_name(r->code), r->message);
        vdisk_error_free(err);
    }
}

static void
test_message_names_the_public_call(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_disk_from_xml(&disk, refusals[0].xml, &err), -1);
    assert_true(strncmp(vdisk_error_get_message(err),
                        "vdisk_disk_from_xml: ", strlen("vdisk_disk_from_xml: ")) == 0);
    vdisk_error_free(err);
}

static void
test_accepted_disks(void **state)
{
    static const char *const ok[] = {
        "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>",
        "<disk type='file' device='cdrom'><target dev='hdc'/></disk>",
        "<disk type='block' device='lun' sgio='filtered' rawio='yes'><source dev='/dev/sdx'/>"
        "<target dev='sda' bus='scsi'/></disk>",
        "<disk type='file' device='disk'><driver name='qemu' io='native' cache='none'/>" F
        "<target dev='vda'/></disk>",
        "<disk type='file' device='disk'>" F "<target dev='sda'/><vendor>ACME</vendor>"
        "<product>Disk</product><wwn>0x5000c50015ea71ac</wwn></disk>",
        "<disk type='file' device='floppy'><target dev='fda'/></disk>",
        "<disk type='file' device='disk'>" F "<target dev='sdc' bus='usb' removable='on'/></disk>",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        vdisk_disk *disk = NULL;
        vdisk_error *err = NULL;

        if (vdisk_disk_from_xml(&disk, ok[i], &err) < 0)
            fail_msg("refused %s: %s", ok[i], vdisk_error_get_message(err));
        vdisk_disk_free(disk);
    }
}

static void
test_no_validate_flag_skips_checks(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(
        vdisk_disk_from_xml_flags(&disk, refusals[1].xml, VDISK_PARSE_NO_VALIDATE, &err), 0);
    assert_int_equal(vdisk_disk_validate(disk, NULL, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    vdisk_error_free(err);
    vdisk_disk_free(disk);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals_match_libvirt),
        cmocka_unit_test(test_message_names_the_public_call),
        cmocka_unit_test(test_accepted_disks),
        cmocka_unit_test(test_no_validate_flag_skips_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
