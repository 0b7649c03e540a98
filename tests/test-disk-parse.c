/*
 * test-disk-parse.c: values libvirt's parser refuses are refused with the
 * right code and a message naming the disk and the value
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

#include "vdisk/disk.h"

#define RAW (VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE)

static void
expect_refused(const char *body, vdisk_error_code code, const char *message)
{
    g_autofree char *xml =
        g_strdup_printf("<disk type='file' device='disk'><source file='/a'/>%s</disk>", body);
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_from_xml_flags(&disk, xml, RAW, &err), -1);
    assert_null(disk);
    assert_non_null(err);
    if (vdisk_error_get_code(err) != code || strcmp(vdisk_error_get_message(err), message) != 0)
        fail_msg("got [%s] '%s', expected [%s] '%s'",
                 vdisk_error_code_name(vdisk_error_get_code(err)), vdisk_error_get_message(err),
                 vdisk_error_code_name(code), message);
    vdisk_error_free(err);
}

static char *
parse_format(const char *xml)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;

    if (vdisk_disk_from_xml_flags(&disk, xml, RAW, &err) < 0)
        fail_msg("%s", vdisk_error_get_message(err));
    assert_int_equal(vdisk_disk_to_xml(&out, disk, &err), 0);
    vdisk_disk_free(disk);
    return out;
}

#define P "vdisk_disk_from_xml_flags: target 'vda': "
#define T "<target dev='vda' bus='virtio'/>"

static void
test_unknown_enum_values_are_refused(void **state)
{
    expect_refused(T "<driver name='qemu' cache='fast'/>", VDISK_ERR_INVALID,
                   P "unknown cache mode 'fast'");
    expect_refused(T "<driver error_policy='default'/>", VDISK_ERR_INVALID,
                   P "unknown disk error policy 'default'");
    expect_refused(T "<driver io='aio'/>", VDISK_ERR_INVALID, P "unknown disk io mode 'aio'");
    expect_refused(T "<driver discard='trim'/>", VDISK_ERR_INVALID,
                   P "unknown disk discard mode 'trim'");
    expect_refused(T "<driver detect_zeroes='yes'/>", VDISK_ERR_INVALID,
                   P "unknown disk detect_zeroes mode 'yes'");
    expect_refused("<target dev='vda' bus='none'/>", VDISK_ERR_INVALID,
                   P "unknown disk bus 'none'");
    expect_refused("<target dev='vda' bus='nvme'/>", VDISK_ERR_INVALID,
                   P "unknown disk bus 'nvme'");
    expect_refused("<target dev='vda' tray='half'/>", VDISK_ERR_INVALID,
                   P "unknown disk tray status 'half'");
    expect_refused(T "<geometry cyls='1' heads='1' secs='1' trans='default'/>", VDISK_ERR_INVALID,
                   P "unknown disk geometry translation 'default'");
}

static void
test_disk_attributes_are_checked(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(
        vdisk_disk_from_xml_flags(&disk, "<disk type='file' device='tape'>" T "</disk>", RAW, &err),
        -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID);
    assert_string_equal(vdisk_error_get_message(err), P "unknown disk device 'tape'");
    vdisk_error_free(err);
    err = NULL;
    assert_int_equal(vdisk_disk_from_xml_flags(
                         &disk, "<disk type='file' snapshot='default'>" T "</disk>", RAW, &err),
                     -1);
    assert_string_equal(vdisk_error_get_message(err), P "unknown disk snapshot mode 'default'");
    vdisk_error_free(err);
    err = NULL;
    assert_int_equal(
        vdisk_disk_from_xml_flags(&disk, "<disk type='file' rawio='on'>" T "</disk>", RAW, &err),
        -1);
    assert_string_equal(vdisk_error_get_message(err),
                        P "invalid value for attribute 'rawio' in element 'disk': 'on', expected "
                          "'yes' or 'no'");
    vdisk_error_free(err);
}

static void
test_tristates_refuse_default_and_wrong_spelling(void **state)
{
    expect_refused(T "<driver ioeventfd='yes'/>", VDISK_ERR_INVALID,
                   P "invalid value for attribute 'ioeventfd' in element 'driver': 'yes', "
                     "expected 'on' or 'off'");
    expect_refused(T "<driver event_idx='default'/>", VDISK_ERR_INVALID,
                   P "invalid value for attribute 'event_idx' in element 'driver': 'default', "
                     "expected 'on' or 'off'");
    expect_refused(T "<transient shareBacking='on'/>", VDISK_ERR_INVALID,
                   P "invalid value for attribute 'shareBacking' in element 'transient': 'on', "
                     "expected 'yes' or 'no'");
}

static void
test_numbers_are_checked(void **state)
{
    expect_refused(T "<driver iothread='0'/>", VDISK_ERR_INVALID,
                   P "invalid value for attribute 'iothread' in element 'driver': zero is not "
                     "permitted");
    expect_refused(T "<driver queues='-1'/>", VDISK_ERR_INVALID,
                   P "invalid value for attribute 'queues' in element 'driver': '-1', expected a "
                     "non-negative integer");
    expect_refused(T "<blockio logical_block_size='4k'/>", VDISK_ERR_INVALID,
                   P "invalid value for attribute 'logical_block_size' in element 'blockio': "
                     "'4k', expected a non-negative integer");
    expect_refused(T "<iotune><total_bytes_sec>lots</total_bytes_sec></iotune>", VDISK_ERR_INVALID,
                   P "disk iotune field 'total_bytes_sec' must be an integer, not 'lots'");
    expect_refused(T "<boot/>", VDISK_ERR_INVALID,
                   P "missing required attribute 'order' in element 'boot'");
    expect_refused(T "<driver><metadata_cache><max_size unit='parsecs'>1</max_size>"
                     "</metadata_cache></driver>",
                   VDISK_ERR_INVALID, P "unknown suffix 'parsecs'");
}

static void
test_read_error_policy_enospace_is_refused(void **state)
{
    expect_refused(T "<driver rerror_policy='enospace'/>", VDISK_ERR_UNSUPPORTED,
                   P "invalid disk read error policy: 'enospace'");
}

static void
test_addresses_are_checked(void **state)
{
    expect_refused(T "<address/>", VDISK_ERR_INVALID, P "no type specified for device address");
    expect_refused(T "<address type='nubus'/>", VDISK_ERR_UNSUPPORTED,
                   P "unknown address type 'nubus'");
    expect_refused(T "<address type='pci' slot='0x20'/>", VDISK_ERR_INVALID,
                   P "invalid PCI address slot='0x20', must be <= 0x1F");
    expect_refused(T "<address type='ccw' cssid='0xfe' ssid='0'/>", VDISK_ERR_INVALID,
                   P "invalid partial specification for virtio ccw address");
    /* all three given, zeros included, is a full address (libvirt 9.0
     * checks presence, not values) */
    {
        g_autofree char *out = parse_format("<disk type='file' device='disk'>"
                                            "<address type='ccw' cssid='0xfe' ssid='0' "
                                            "devno='0'/></disk>");
        assert_non_null(strstr(out, "<address type='ccw' cssid='0xfe' ssid='0x0' "
                                    "devno='0x0000'/>"));
    }
    expect_refused(T "<address type='usb' bus='0' port='1.x'/>", VDISK_ERR_INVALID,
                   P "cannot parse <address> 'port' attribute '1.x'");
}

static void
test_root_must_be_disk(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_from_xml(&disk, "<interface type='network'/>", &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_XML);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_disk_from_xml: unexpected root element <interface>, expecting "
                        "<disk>");
    vdisk_error_free(err);
}

static void
test_label_falls_back_to_source(void **state)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_from_xml_flags(&disk,
                                               "<disk type='file'><source file='/x.img'/>"
                                               "<driver cache='fast'/></disk>",
                                               RAW, &err),
                     -1);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_disk_from_xml_flags: disk with source '/x.img': unknown cache "
                        "mode 'fast'");
    vdisk_error_free(err);
}

static void
test_numbers_are_rewritten_in_canonical_form(void **state)
{
    g_autofree char *out = parse_format(
        "<disk type='file' device='disk'><target dev='sda' bus='scsi' rotation_rate=' +010'/>"
        "<driver queues='004' iothread='+2' queue_size='0'/>"
        "<blockio logical_block_size='0' physical_block_size='04096'/>"
        "<address type='ccw' cssid='254' ssid='0x3' devno='0x12'/></disk>");

    assert_string_equal(out, "<disk type='file' device='disk'>\n"
                             "  <driver iothread='2' queues='4'/>\n"
                             "  <blockio physical_block_size='4096'/>\n"
                             "  <target dev='sda' bus='scsi' rotation_rate='10'/>\n"
                             "  <address type='ccw' cssid='0xfe' ssid='0x3' devno='0x0012'/>\n"
                             "</disk>\n");
}

static void
test_accepted_defaults_are_dropped(void **state)
{
    g_autofree char *out = parse_format(
        "<disk type='file' device='cdrom' model='default'>"
        "<driver cache='default'/><target dev='hdc' bus='ide' tray='closed' rotation_rate='0'/>"
        "<geometry cyls='10' heads='0' secs='2'/><transient shareBacking='no'/>"
        "<iotune><total_bytes_sec>0</total_bytes_sec><group_name></group_name></iotune>"
        "<serial></serial><readonly/></disk>");

    assert_string_equal(out, "<disk type='file' device='cdrom'>\n"
                             "  <target dev='hdc' bus='ide'/>\n"
                             "  <readonly/>\n"
                             "  <transient/>\n"
                             "</disk>\n");
}

static void
test_values_libvirt_refuses_later_are_kept(void **state)
{
    /* snapshot='no' on a read-only disk is dropped as libvirt does; a tray on
     * a plain disk and removable= on SCSI are kept for the define-time checks */
    g_autofree char *out =
        parse_format("<disk type='file' device='disk' snapshot='no'><readonly/>"
                     "<target removable='on' dev='sda' tray='open' bus='scsi'/></disk>");

    assert_string_equal(out, "<disk type='file' device='disk'>\n"
                             "  <target dev='sda' bus='scsi' tray='open' removable='on'/>\n"
                             "  <readonly/>\n"
                             "</disk>\n");
}

static void
test_disk_without_source_becomes_file(void **state)
{
    /* libvirt resets the type of a disk without <source> to 'file' */
    static const char *const types[] = {"block", "network", "volume", "dir"};

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        g_autofree char *in = g_strdup_printf(
            "<disk type='%s' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>",
            types[i]);
        g_autofree char *out = parse_format(in);

        assert_string_equal(out, "<disk type='file' device='cdrom'>\n"
                                 "  <target dev='hdc' bus='ide'/>\n"
                                 "  <readonly/>\n"
                                 "</disk>\n");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_enum_values_are_refused),
        cmocka_unit_test(test_disk_attributes_are_checked),
        cmocka_unit_test(test_tristates_refuse_default_and_wrong_spelling),
        cmocka_unit_test(test_numbers_are_checked),
        cmocka_unit_test(test_read_error_policy_enospace_is_refused),
        cmocka_unit_test(test_addresses_are_checked),
        cmocka_unit_test(test_root_must_be_disk),
        cmocka_unit_test(test_label_falls_back_to_source),
        cmocka_unit_test(test_numbers_are_rewritten_in_canonical_form),
        cmocka_unit_test(test_accepted_defaults_are_dropped),
        cmocka_unit_test(test_values_libvirt_refuses_later_are_kept),
        cmocka_unit_test(test_disk_without_source_becomes_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
