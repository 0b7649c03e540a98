/*
 * test-disk-roundtrip.c: what libvirt formats comes back out unchanged,
 * and parse -> format is a fixed point
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
#include "vdisk/domain.h"

#define RAW (VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE)

static char *
format_disk(const vdisk_disk *disk)
{
    char *out = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_to_xml(&out, disk, &err) < 0)
        fail_msg("to_xml: %s", vdisk_error_get_message(err));
    return out;
}

static vdisk_disk *
parse_disk(const char *xml, unsigned int flags)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_from_xml_flags(&disk, xml, flags, &err) < 0) {
        g_autofree char *msg = g_strdup(vdisk_error_get_message(err));
        vdisk_error_free(err);
        fail_msg("from_xml: %s\n%s", msg, xml);
    }
    return disk;
}

/* Parses @xml, formats it, and checks parse(format(x)) equals parse(x) and
 * formats to the same text. Returns the first formatting. */
static char *
check_fixed_point(const char *xml, unsigned int flags)
{
    vdisk_disk *a = parse_disk(xml, flags);
    char *out1 = format_disk(a);
    vdisk_disk *b = parse_disk(out1, flags);
    g_autofree char *out2 = format_disk(b);

    assert_true(vdisk_disk_equal(a, b));
    assert_string_equal(out1, out2);
    vdisk_disk_free(a);
    vdisk_disk_free(b);
    return out1;
}

static void
test_libvirt_output_is_reproduced_byte_for_byte(void **state)
{
    g_autoptr(GDir) dir = g_dir_open(VDISK_TEST_DATA "/disks", 0, NULL);
    const char *name;
    unsigned int n = 0;

    assert_non_null(dir);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *out = NULL;

        if (!g_str_has_suffix(name, ".libvirt.xml"))
            continue;
        path = g_build_filename(VDISK_TEST_DATA, "disks", name, NULL);
        assert_true(g_file_get_contents(path, &xml, NULL, NULL));
        out = check_fixed_point(xml, RAW);
        if (strcmp(out, xml) != 0)
            fail_msg("%s: formatted output differs\n--- libvirt\n%s--- vdisk\n%s", name, xml, out);
        n++;
    }
    assert_true(n > 10);
}

static void
test_every_input_reaches_a_fixed_point(void **state)
{
    g_autoptr(GDir) dir = g_dir_open(VDISK_TEST_DATA "/disks", 0, NULL);
    const char *name;

    assert_non_null(dir);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *out = NULL;
        vdisk_disk *disk = NULL;
        vdisk_error *err = NULL;

        if (!g_str_has_suffix(name, ".xml") || g_str_has_suffix(name, ".libvirt.xml"))
            continue;
        path = g_build_filename(VDISK_TEST_DATA, "disks", name, NULL);
        assert_true(g_file_get_contents(path, &xml, NULL, NULL));
        /* inputs libvirt refuses may be refused here too */
        if (vdisk_disk_from_xml_flags(&disk, xml, RAW, &err) < 0) {
            vdisk_error_free(err);
            continue;
        }
        vdisk_disk_free(disk);
        out = check_fixed_point(xml, RAW);
        assert_non_null(out);
    }
}

static void
test_defaults_are_dropped_and_order_is_libvirts(void **state)
{
    /* the input is shuffled; the expected text is libvirt 9.0's dumpxml of
     * the same disk with the post-parse additions taken out */
    static const char *in =
        "<disk snapshot='external' type='file' model='default' device='disk'>"
        "<serial>ABC</serial>"
        "<target bus='virtio' dev='vda'/>"
        "<driver queue_size='256' name='qemu' type='qcow2' cache='none' error_policy='stop' "
        "rerror_policy='report' io='native' ioeventfd='on' event_idx='off' copy_on_read='on' "
        "discard='unmap' iothread='1' detect_zeroes='unmap' queues='4' packed='on' ats='on' "
        "iommu='on'>"
        "<metadata_cache><max_size unit='KiB'>2</max_size></metadata_cache></driver>"
        "<source file='/var/lib/libvirt/images/a.qcow2'/>"
        "<iotune><write_iops_sec>20</write_iops_sec><total_bytes_sec>0010</total_bytes_sec>"
        "<group_name>grp</group_name><total_iops_sec_max_length>3</total_iops_sec_max_length>"
        "<total_iops_sec_max>50</total_iops_sec_max><read_iops_sec>0</read_iops_sec></iotune>"
        "<blockio physical_block_size='4096' logical_block_size='512'/>"
        "<geometry secs='63' heads='16' cyls='100'/>"
        "<boot order='1' loadparm='ab'/>"
        "<address type='pci' slot='0x5'/>"
        "<transient shareBacking='no'/>"
        "</disk>";
    static const char *expect =
        "<disk type='file' device='disk' snapshot='external'>\n"
        "  <driver name='qemu' type='qcow2' cache='none' error_policy='stop' "
        "rerror_policy='report' io='native' ioeventfd='on' event_idx='off' copy_on_read='on' "
        "discard='unmap' iothread='1' detect_zeroes='unmap' queues='4' queue_size='256' "
        "iommu='on' ats='on' packed='on'>\n"
        "    <metadata_cache>\n"
        "      <max_size unit='bytes'>2048</max_size>\n"
        "    </metadata_cache>\n"
        "  </driver>\n"
        "  <source file='/var/lib/libvirt/images/a.qcow2'/>\n"
        "  <geometry cyls='100' heads='16' secs='63'/>\n"
        "  <blockio logical_block_size='512' physical_block_size='4096'/>\n"
        "  <target dev='vda' bus='virtio'/>\n"
        "  <iotune>\n"
        "    <total_bytes_sec>10</total_bytes_sec>\n"
        "    <write_iops_sec>20</write_iops_sec>\n"
        "    <total_iops_sec_max>50</total_iops_sec_max>\n"
        "    <group_name>grp</group_name>\n"
        "    <total_iops_sec_max_length>3</total_iops_sec_max_length>\n"
        "  </iotune>\n"
        "  <transient/>\n"
        "  <serial>ABC</serial>\n"
        "  <boot order='1' loadparm='AB'/>\n"
        "  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n"
        "</disk>\n";
    g_autofree char *out = check_fixed_point(in, RAW);

    assert_string_equal(out, expect);
}

static void
test_removable_media_and_usb_canonical(void **state)
{
    static const char *in =
        "<disk type='file' device='cdrom'><target dev='hdc' bus='ide' tray='open'/>"
        "<driver name='qemu' type='raw' cache='default'/><readonly/>"
        "<address type='drive' unit='1'/></disk>";
    static const char *expect = "<disk type='file' device='cdrom'>\n"
                                "  <driver name='qemu' type='raw'/>\n"
                                "  <target dev='hdc' bus='ide' tray='open'/>\n"
                                "  <readonly/>\n"
                                "  <address type='drive' controller='0' bus='0' target='0' "
                                "unit='1'/>\n"
                                "</disk>\n";
    static const char *in2 =
        "<disk type='block' device='disk' snapshot='no'><source dev='/dev/sdb'/>"
        "<target dev='sda' bus='scsi' rotation_rate='+7200' tray='closed'/>"
        "<alias name='ua-lun0'/><product>PROD</product><vendor>VEND</vendor><readonly/></disk>";
    static const char *expect2 = "<disk type='block' device='disk'>\n"
                                 "  <source dev='/dev/sdb'/>\n"
                                 "  <target dev='sda' bus='scsi' rotation_rate='7200'/>\n"
                                 "  <readonly/>\n"
                                 "  <vendor>VEND</vendor>\n"
                                 "  <product>PROD</product>\n"
                                 "  <alias name='ua-lun0'/>\n"
                                 "</disk>\n";
    static const char *in3 = "<disk type='file' device='disk'><source file='/tmp/u.img'/>"
                             "<address port='01' bus='0' type='usb'/>"
                             "<target removable='on' dev='sdb' bus='usb'/></disk>";
    static const char *expect3 = "<disk type='file' device='disk'>\n"
                                 "  <source file='/tmp/u.img'/>\n"
                                 "  <target dev='sdb' bus='usb' removable='on'/>\n"
                                 "  <address type='usb' bus='0' port='1'/>\n"
                                 "</disk>\n";
    g_autofree char *out = check_fixed_point(in, RAW);
    g_autofree char *out2 = check_fixed_point(in2, RAW);
    g_autofree char *out3 = check_fixed_point(in3, RAW);

    assert_string_equal(out, expect);
    assert_string_equal(out2, expect2);
    assert_string_equal(out3, expect3);
}

static void
test_unknown_content_survives_in_place(void **state)
{
    static const char *in = "<disk type='file' device='disk' x:extra='1' xmlns:x='urn:x'>"
                            "<driver name='qemu' future='yes'/>"
                            "<x:note>keep me</x:note>"
                            "<target dev='vda' bus='virtio'/>"
                            "<mystery><deep a='b'/></mystery>"
                            "<serial>S</serial>"
                            "</disk>";
    static const char *expect = "<disk xmlns:x='urn:x' type='file' device='disk' x:extra='1'>\n"
                                "  <driver name='qemu' future='yes'/>\n"
                                "  <x:note>keep me</x:note>\n"
                                "  <target dev='vda' bus='virtio'/>\n"
                                "  <mystery>\n"
                                "    <deep a='b'/>\n"
                                "  </mystery>\n"
                                "  <serial>S</serial>\n"
                                "</disk>\n";
    g_autofree char *out = check_fixed_point(in, RAW);

    assert_string_equal(out, expect);
}

/* Unknown elements carrying namespace declarations (default and prefixed),
 * attribute values and text with characters XML escapes, and one that is
 * not ASCII. A URI cannot hold '<', '"' or 'é' (libxml2 refuses them in a
 * namespace name), so those are in the URIs percent-encoded. */
#define ESCAPED_IN                                                                                 \
    "<x:meta xmlns:x='urn:a&amp;b&#38;&apos;%3C%22%C3%A9' "                                        \
    "x:v='&amp;&lt;&gt;&apos;&quot;\xc3\xa9'>"                                                     \
    "<plain xmlns=\"urn:d&amp;'%3C%22%C3%A9\">t&amp;&lt;&gt;'\"\xc3\xa9</plain></x:meta>"
#define ESCAPED_OUT_META                                                                           \
    "<x:meta xmlns:x='urn:a&amp;b&amp;&apos;%3C%22%C3%A9' "                                        \
    "x:v='&amp;&lt;&gt;&apos;&quot;\xc3\xa9'>\n"
#define ESCAPED_OUT_PLAIN                                                                          \
    "<plain xmlns='urn:d&amp;&apos;%3C%22%C3%A9'>t&amp;&lt;&gt;&apos;&quot;\xc3\xa9</plain>\n"

static void
test_escaped_unknown_content_unchanged(void **state)
{
    static const char *in = "<disk type='file' device='disk'><source file='/a'/>"
                            "<target dev='vda'/>" ESCAPED_IN "</disk>";
    /* the fuzz input that found it */
    static const char *found = "<disk type='network'><source protocol='rbd' name='l/'>3"
                               "<disk xmlns='&amp;'></disk> </source><target dev='vdi'/></disk>";
    g_autofree char *out = check_fixed_point(in, 0);
    g_autofree char *out_raw = check_fixed_point(in, RAW);
    g_autofree char *out_found = check_fixed_point(found, 0);

    assert_non_null(strstr(out, "  " ESCAPED_OUT_META));
    assert_non_null(strstr(out, "    " ESCAPED_OUT_PLAIN));
    assert_non_null(strstr(out_raw, "  " ESCAPED_OUT_META));
    assert_non_null(strstr(out_found, "    <disk xmlns='&amp;'/>\n"));
}

static char *
format_domain(const vdisk_domain *dom)
{
    char *out = NULL;
    vdisk_error *err = NULL;

    if (vdisk_domain_to_xml(&out, dom, &err) < 0)
        fail_msg("domain to_xml: %s", vdisk_error_get_message(err));
    return out;
}

static vdisk_domain *
parse_domain(const char *xml)
{
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    if (vdisk_domain_from_xml(&dom, xml, &err) < 0) {
        g_autofree char *msg = g_strdup(vdisk_error_get_message(err));
        vdisk_error_free(err);
        fail_msg("domain from_xml: %s\n%s", msg, xml);
    }
    return dom;
}

static void
test_escaped_unknown_content_unchanged_in_domain(void **state)
{
    /* in a disk, and beside the disks (declared on <domain> itself too) */
    static const char *in =
        "<domain type='kvm' xmlns:q='urn:q&amp;&apos;'><name>t</name><memory>131072</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/a'/><target dev='vda'/>" ESCAPED_IN
        "</disk>" ESCAPED_IN "<q:dev/></devices></domain>";
    vdisk_domain *a = parse_domain(in);
    g_autofree char *out1 = format_domain(a);
    vdisk_domain *b = parse_domain(out1);
    g_autofree char *out2 = format_domain(b);
    g_autofree char *disk_out = format_disk(vdisk_domain_get_disk(b, 0));

    assert_string_equal(out1, out2);
    assert_non_null(strstr(out1, "<domain xmlns:q='urn:q&amp;&apos;' type='kvm'>"));
    assert_non_null(strstr(out1, ESCAPED_OUT_META));
    assert_non_null(strstr(out1, ESCAPED_OUT_PLAIN));
    assert_non_null(strstr(disk_out, "  " ESCAPED_OUT_META));
    assert_non_null(strstr(disk_out, "    " ESCAPED_OUT_PLAIN));
    vdisk_domain_free(a);
    vdisk_domain_free(b);
}

static void
test_copy_is_equal_and_independent(void **state)
{
    vdisk_disk *a = parse_disk("<disk type='file' device='disk'><source file='/a'/>"
                               "<target dev='vda' bus='virtio'/></disk>",
                               RAW);
    vdisk_disk *b = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_copy(&b, a, &err), 0);
    assert_true(vdisk_disk_equal(a, b));
    assert_int_equal(vdisk_disk_set_serial(b, "X", &err), 0);
    assert_false(vdisk_disk_equal(a, b));
    assert_null(vdisk_disk_get_serial(a));
    vdisk_disk_free(a);
    vdisk_disk_free(b);
    vdisk_disk_free(NULL);
}

static void
test_new_disk_is_file_disk(void **state)
{
    vdisk_disk *d = vdisk_disk_new();
    g_autofree char *out = format_disk(d);

    assert_string_equal(out, "<disk type='file' device='disk'/>\n");
    assert_int_equal(vdisk_disk_get_device(d), VDISK_DEVICE_DISK);
    vdisk_disk_free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libvirt_output_is_reproduced_byte_for_byte),
        cmocka_unit_test(test_every_input_reaches_a_fixed_point),
        cmocka_unit_test(test_defaults_are_dropped_and_order_is_libvirts),
        cmocka_unit_test(test_removable_media_and_usb_canonical),
        cmocka_unit_test(test_unknown_content_survives_in_place),
        cmocka_unit_test(test_escaped_unknown_content_unchanged),
        cmocka_unit_test(test_escaped_unknown_content_unchanged_in_domain),
        cmocka_unit_test(test_copy_is_equal_and_independent),
        cmocka_unit_test(test_new_disk_is_file_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
