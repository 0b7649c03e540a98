/*
 * test-disk-api.c: every disk-level accessor survives set -> to_xml ->
 * from_xml -> get, setters write libvirt's canonical XML, and bad input
 * is refused
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

static vdisk_disk *
base_disk(void)
{
    vdisk_disk *d = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_from_xml_flags(&d,
                                  "<disk type='file' device='disk'><source file='/a.img'/>"
                                  "<target dev='sda' bus='scsi'/></disk>",
                                  RAW, &err) < 0)
        fail_msg("%s", vdisk_error_get_message(err));
    return d;
}

/* Formats @d, parses the text again and returns the new disk, after
 * checking that the text is a fixed point. */
static vdisk_disk *
reparse(const vdisk_disk *d)
{
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    vdisk_disk *out = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_to_xml(&xml, d, &err), 0);
    if (vdisk_disk_from_xml_flags(&out, xml, RAW, &err) < 0)
        fail_msg("%s\n%s", vdisk_error_get_message(err), xml);
    assert_int_equal(vdisk_disk_to_xml(&xml2, out, &err), 0);
    assert_string_equal(xml, xml2);
    assert_true(vdisk_disk_equal(d, out));
    return out;
}

static char *
xml_of(const vdisk_disk *d)
{
    char *xml = NULL;
    assert_int_equal(vdisk_disk_to_xml(&xml, d, NULL), 0);
    return xml;
}

#define OK(call)                                                                                   \
    do {                                                                                           \
        vdisk_error *e_ = NULL;                                                                    \
        if ((call) < 0)                                                                            \
            fail_msg("%s: %s", #call, vdisk_error_get_message(e_));                                \
    } while (0)

#define ENUM_ROUNDTRIP(field, last)                                                                \
    do {                                                                                           \
        int v_;                                                                                    \
        for (v_ = 1; v_ < (last); v_++) {                                                          \
            vdisk_disk *d_ = base_disk();                                                          \
            vdisk_disk *r_;                                                                        \
            vdisk_error *e_ = NULL;                                                                \
            if (vdisk_disk_set_##field(d_, v_, &e_) < 0) {                                         \
                /* some members are refused on purpose, with the code the parser   */              \
                /* gives the same value                                             */              \
                assert_true(vdisk_error_get_code(e_) == VDISK_ERR_UNSUPPORTED ||                   \
                            vdisk_error_get_code(e_) == VDISK_ERR_INVALID);                        \
                vdisk_error_free(e_);                                                              \
                vdisk_disk_free(d_);                                                               \
                continue;                                                                          \
            }                                                                                      \
            r_ = reparse(d_);                                                                      \
            assert_int_equal(vdisk_disk_get_##field(r_), v_);                                      \
            assert_int_equal(vdisk_disk_set_##field(r_, 0, &e_), 0);                               \
            assert_int_equal(vdisk_disk_get_##field(r_), 0);                                       \
            vdisk_disk_free(d_);                                                                   \
            vdisk_disk_free(r_);                                                                   \
        }                                                                                          \
        {                                                                                          \
            vdisk_disk *d_ = base_disk();                                                          \
            vdisk_error *e_ = NULL;                                                                \
            assert_int_equal(vdisk_disk_set_##field(d_, (last), &e_), -1);                         \
            assert_int_equal(vdisk_error_get_code(e_), VDISK_ERR_INVALID_ARG);                     \
            assert_non_null(strstr(vdisk_error_get_message(e_), "vdisk_disk_set_" #field ": "));   \
            vdisk_error_free(e_);                                                                  \
            vdisk_disk_free(d_);                                                                   \
        }                                                                                          \
    } while (0)

static void
test_enum_fields_round_trip(void **state)
{
    ENUM_ROUNDTRIP(device, VDISK_DEVICE_LAST);
    ENUM_ROUNDTRIP(model, VDISK_MODEL_LAST);
    ENUM_ROUNDTRIP(snapshot, VDISK_SNAPSHOT_LAST);
    ENUM_ROUNDTRIP(rawio, VDISK_TRISTATE_LAST);
    ENUM_ROUNDTRIP(sgio, VDISK_SGIO_LAST);
    ENUM_ROUNDTRIP(cache, VDISK_CACHE_LAST);
    ENUM_ROUNDTRIP(error_policy, VDISK_ERROR_POLICY_LAST);
    ENUM_ROUNDTRIP(rerror_policy, VDISK_ERROR_POLICY_LAST);
    ENUM_ROUNDTRIP(io, VDISK_IO_LAST);
    ENUM_ROUNDTRIP(ioeventfd, VDISK_TRISTATE_LAST);
    ENUM_ROUNDTRIP(event_idx, VDISK_TRISTATE_LAST);
    ENUM_ROUNDTRIP(copy_on_read, VDISK_TRISTATE_LAST);
    ENUM_ROUNDTRIP(discard, VDISK_DISCARD_LAST);
    ENUM_ROUNDTRIP(detect_zeroes, VDISK_DETECT_ZEROES_LAST);
    ENUM_ROUNDTRIP(bus, VDISK_BUS_LAST);
}

static void
test_rerror_enospace_is_refused(void **state)
{
    vdisk_disk *d = base_disk();
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_set_rerror_policy(d, VDISK_ERROR_POLICY_ENOSPACE, &err), -1);
    /* the code the parser gives the same value */
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_disk_set_rerror_policy: target 'sda': invalid disk read error "
                        "policy: 'enospace'");
    vdisk_error_free(err);
    vdisk_disk_free(d);
}

static void
test_enum_out_of_range_names_call_and_value(void **state)
{
    vdisk_disk *d = base_disk();
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_set_cache(d, (vdisk_cache)42, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_disk_set_cache: target 'sda': invalid cache mode 42");
    vdisk_error_free(err);
    err = NULL;
    assert_int_equal(vdisk_disk_set_bus(d, (vdisk_bus)-1, &err), -1);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_disk_set_bus: target 'sda': invalid disk bus -1");
    vdisk_error_free(err);
    vdisk_disk_free(d);
}

static void
test_tray_and_removable_round_trip(void **state)
{
    vdisk_disk *d = base_disk();
    vdisk_disk *r;

    OK(vdisk_disk_set_device(d, VDISK_DEVICE_CDROM, &e_));
    OK(vdisk_disk_set_tray(d, VDISK_TRAY_OPEN, &e_));
    OK(vdisk_disk_set_bus(d, VDISK_BUS_USB, &e_));
    OK(vdisk_disk_set_removable(d, VDISK_TRISTATE_OFF, &e_));
    r = reparse(d);
    assert_int_equal(vdisk_disk_get_tray(r), VDISK_TRAY_OPEN);
    assert_int_equal(vdisk_disk_get_removable(r), VDISK_TRISTATE_OFF);
    OK(vdisk_disk_set_tray(r, VDISK_TRAY_CLOSED, &e_));
    assert_int_equal(vdisk_disk_get_tray(r), VDISK_TRAY_DEFAULT);
    vdisk_disk_free(d);
    vdisk_disk_free(r);
}

static void
test_numeric_fields_round_trip(void **state)
{
    vdisk_disk *d = base_disk();
    vdisk_disk *r;
    unsigned int c;
    unsigned int h;
    unsigned int s;
    vdisk_trans t;

    OK(vdisk_disk_set_iothread(d, 3, &e_));
    OK(vdisk_disk_set_queues(d, 4, &e_));
    OK(vdisk_disk_set_queue_size(d, 512, &e_));
    OK(vdisk_disk_set_metadata_cache_max_size(d, 1048576, &e_));
    OK(vdisk_disk_set_rotation_rate(d, 7200, &e_));
    OK(vdisk_disk_set_boot_order(d, 2, &e_));
    OK(vdisk_disk_set_geometry(d, 100, 16, 63, VDISK_TRANS_LBA, &e_));
    OK(vdisk_disk_set_blockio(d, 512, 4096, &e_));
    r = reparse(d);
    assert_int_equal(vdisk_disk_get_iothread(r), 3);
    assert_int_equal(vdisk_disk_get_queues(r), 4);
    assert_int_equal(vdisk_disk_get_queue_size(r), 512);
    assert_int_equal(vdisk_disk_get_metadata_cache_max_size(r), 1048576);
    assert_int_equal(vdisk_disk_get_rotation_rate(r), 7200);
    assert_int_equal(vdisk_disk_get_boot_order(r), 2);
    assert_int_equal(vdisk_disk_get_geometry(r, &c, &h, &s, &t), 0);
    assert_int_equal(c, 100);
    assert_int_equal(h, 16);
    assert_int_equal(s, 63);
    assert_int_equal(t, VDISK_TRANS_LBA);
    assert_int_equal(vdisk_disk_get_logical_block_size(r), 512);
    assert_int_equal(vdisk_disk_get_physical_block_size(r), 4096);

    /* zero removes, and emptied elements go away */
    OK(vdisk_disk_set_iothread(r, 0, &e_));
    OK(vdisk_disk_set_queues(r, 0, &e_));
    OK(vdisk_disk_set_queue_size(r, 0, &e_));
    OK(vdisk_disk_set_metadata_cache_max_size(r, 0, &e_));
    OK(vdisk_disk_set_rotation_rate(r, 0, &e_));
    OK(vdisk_disk_set_boot_order(r, 0, &e_));
    OK(vdisk_disk_set_geometry(r, 0, 0, 0, VDISK_TRANS_DEFAULT, &e_));
    OK(vdisk_disk_set_blockio(r, 0, 0, &e_));
    {
        g_autofree char *xml = xml_of(r);
        assert_string_equal(xml, "<disk type='file' device='disk'>\n"
                                 "  <source file='/a.img'/>\n"
                                 "  <target dev='sda' bus='scsi'/>\n"
                                 "</disk>\n");
    }
    vdisk_disk_free(d);
    vdisk_disk_free(r);
}

static void
test_setters_write_libvirt_order(void **state)
{
    vdisk_disk *d = base_disk();
    g_autofree char *xml = NULL;

    OK(vdisk_disk_set_alias(d, "ua-x", &e_));
    OK(vdisk_disk_set_serial(d, "S1", &e_));
    OK(vdisk_disk_set_readonly(d, 1, &e_));
    OK(vdisk_disk_set_iotune(d, VDISK_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH, 5, &e_));
    OK(vdisk_disk_set_iotune_group(d, "g", &e_));
    OK(vdisk_disk_set_iotune(d, VDISK_IOTUNE_TOTAL_BYTES_SEC, 1000, &e_));
    OK(vdisk_disk_set_detect_zeroes(d, VDISK_DETECT_ZEROES_ON, &e_));
    OK(vdisk_disk_set_driver_name(d, "qemu", &e_));
    OK(vdisk_disk_set_cache(d, VDISK_CACHE_NONE, &e_));
    OK(vdisk_disk_set_address_drive(d, 0, 0, 0, 1, &e_));
    OK(vdisk_disk_set_boot_order(d, 1, &e_));
    OK(vdisk_disk_set_wwn(d, "5000c50015ea71ad", &e_));
    OK(vdisk_disk_set_transient(d, 1, &e_));
    OK(vdisk_disk_set_transient_share_backing(d, VDISK_TRISTATE_ON, &e_));
    OK(vdisk_disk_set_model(d, VDISK_MODEL_VIRTIO, &e_));
    OK(vdisk_disk_set_backend_domain(d, "dom0", &e_));
    OK(vdisk_disk_set_vendor(d, "V", &e_));
    OK(vdisk_disk_set_product(d, "P", &e_));
    OK(vdisk_disk_set_shareable(d, 1, &e_));
    xml = xml_of(d);
    assert_string_equal(xml,
                        "<disk type='file' device='disk' model='virtio'>\n"
                        "  <driver name='qemu' cache='none' detect_zeroes='on'/>\n"
                        "  <source file='/a.img'/>\n"
                        "  <backenddomain name='dom0'/>\n"
                        "  <target dev='sda' bus='scsi'/>\n"
                        "  <iotune>\n"
                        "    <total_bytes_sec>1000</total_bytes_sec>\n"
                        "    <group_name>g</group_name>\n"
                        "    <write_iops_sec_max_length>5</write_iops_sec_max_length>\n"
                        "  </iotune>\n"
                        "  <readonly/>\n"
                        "  <shareable/>\n"
                        "  <transient shareBacking='yes'/>\n"
                        "  <serial>S1</serial>\n"
                        "  <wwn>5000c50015ea71ad</wwn>\n"
                        "  <vendor>V</vendor>\n"
                        "  <product>P</product>\n"
                        "  <boot order='1'/>\n"
                        "  <alias name='ua-x'/>\n"
                        "  <address type='drive' controller='0' bus='0' target='0' unit='1'/>\n"
                        "</disk>\n");
    {
        vdisk_disk *r = reparse(d);
        assert_string_equal(vdisk_disk_get_alias(r), "ua-x");
        assert_string_equal(vdisk_disk_get_serial(r), "S1");
        assert_string_equal(vdisk_disk_get_wwn(r), "5000c50015ea71ad");
        assert_string_equal(vdisk_disk_get_vendor(r), "V");
        assert_string_equal(vdisk_disk_get_product(r), "P");
        assert_string_equal(vdisk_disk_get_backend_domain(r), "dom0");
        assert_string_equal(vdisk_disk_get_driver_name(r), "qemu");
        assert_string_equal(vdisk_disk_get_iotune_group(r), "g");
        assert_int_equal(vdisk_disk_get_iotune(r, VDISK_IOTUNE_TOTAL_BYTES_SEC), 1000);
        assert_int_equal(vdisk_disk_get_iotune(r, VDISK_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH), 5);
        assert_true(vdisk_disk_get_readonly(r));
        assert_true(vdisk_disk_get_shareable(r));
        assert_true(vdisk_disk_get_transient(r));
        assert_int_equal(vdisk_disk_get_transient_share_backing(r), VDISK_TRISTATE_ON);
        vdisk_disk_free(r);
    }
    vdisk_disk_free(d);
}

static void
test_every_iotune_field_round_trips(void **state)
{
    int f;

    for (f = 0; f < VDISK_IOTUNE_LAST; f++) {
        vdisk_disk *d = base_disk();
        vdisk_disk *r;

        OK(vdisk_disk_set_iotune(d, (vdisk_iotune_field)f, 1000 + (unsigned)f, &e_));
        r = reparse(d);
        assert_int_equal(vdisk_disk_get_iotune(r, (vdisk_iotune_field)f), 1000 + f);
        OK(vdisk_disk_set_iotune(r, (vdisk_iotune_field)f, 0, &e_));
        assert_int_equal(vdisk_disk_get_iotune(r, (vdisk_iotune_field)f), 0);
        {
            g_autofree char *xml = xml_of(r);
            assert_null(strstr(xml, "iotune"));
        }
        vdisk_disk_free(d);
        vdisk_disk_free(r);
    }
}

static void
test_addresses_round_trip(void **state)
{
    vdisk_disk *d = base_disk();
    vdisk_disk *r;
    unsigned int a;
    unsigned int b;
    unsigned int c;
    unsigned int e;
    const char *port = NULL;
    vdisk_error *err = NULL;

    OK(vdisk_disk_set_address_pci(d, 0, 0, 5, 1, &e_));
    r = reparse(d);
    assert_int_equal(vdisk_disk_get_address_type(r), VDISK_ADDRESS_PCI);
    assert_int_equal(vdisk_disk_get_address_pci(r, &a, &b, &c, &e), 0);
    assert_int_equal(a, 0);
    assert_int_equal(b, 0);
    assert_int_equal(c, 5);
    assert_int_equal(e, 1);
    assert_int_equal(vdisk_disk_get_address_drive(r, &a, &b, &c, &e), -1);
    vdisk_disk_free(r);

    OK(vdisk_disk_set_address_usb(d, 1, "2.3", &e_));
    r = reparse(d);
    assert_int_equal(vdisk_disk_get_address_usb(r, &a, &port), 0);
    assert_int_equal(a, 1);
    assert_string_equal(port, "2.3");
    assert_int_equal(vdisk_disk_get_address_pci(r, &a, &b, &c, &e), -1);
    vdisk_disk_free(r);

    assert_int_equal(vdisk_disk_set_address_ccw(d, 0xff, 0, 0, NULL), -1);
    assert_int_equal(vdisk_disk_set_address_ccw(d, 0xfe, 4, 0, NULL), -1);
    /* zero ssid and devno are a full address (libvirt 9.0 defines
     * cssid='0xfe' ssid='0x0' devno='0x0000') */
    OK(vdisk_disk_set_address_ccw(d, 0xfe, 0, 0, &e_));
    r = reparse(d);
    assert_int_equal(vdisk_disk_get_address_ccw(r, &a, &b, &c), 0);
    assert_int_equal(a, 0xfe);
    assert_int_equal(b, 0);
    assert_int_equal(c, 0);
    vdisk_disk_free(r);
    OK(vdisk_disk_set_address_ccw(d, 0xfe, 1, 0x10, &e_));
    r = reparse(d);
    assert_int_equal(vdisk_disk_get_address_ccw(r, &a, &b, &c), 0);
    assert_int_equal(a, 0xfe);
    assert_int_equal(b, 1);
    assert_int_equal(c, 0x10);
    vdisk_disk_free(r);

    OK(vdisk_disk_set_address_drive(d, 1, 0, 0, 3, &e_));
    r = reparse(d);
    assert_int_equal(vdisk_disk_get_address_drive(r, &a, &b, &c, &e), 0);
    assert_int_equal(a, 1);
    assert_int_equal(e, 3);
    assert_int_equal(vdisk_disk_get_address_type(r), VDISK_ADDRESS_DRIVE);
    vdisk_disk_free(r);

    assert_int_equal(vdisk_disk_set_address_pci(d, 0, 0, 0x20, 0, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    vdisk_error_free(err);
    err = NULL;
    assert_int_equal(vdisk_disk_set_address_usb(d, 0, "0.1", &err), -1);
    vdisk_error_free(err);

    OK(vdisk_disk_clear_address(d, &e_));
    assert_int_equal(vdisk_disk_get_address_type(d), VDISK_ADDRESS_NONE);
    vdisk_disk_free(d);
}

static void
test_partial_geometry_is_refused(void **state)
{
    vdisk_disk *d = base_disk();
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_set_geometry(d, 10, 0, 2, VDISK_TRANS_DEFAULT, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_disk_set_geometry: target 'sda': geometry needs cylinders, heads "
                        "and sectors (got 10/0/2)");
    vdisk_error_free(err);
    vdisk_disk_free(d);
}

static void
test_enum_strings_are_libvirts(void **state)
{
    assert_string_equal(vdisk_enum_to_string(VDISK_ENUM_BUS, VDISK_BUS_SATA), "sata");
    assert_null(vdisk_enum_to_string(VDISK_ENUM_BUS, VDISK_BUS_NONE));
    assert_null(vdisk_enum_to_string(VDISK_ENUM_CACHE, VDISK_CACHE_LAST));
    assert_string_equal(vdisk_enum_to_string(VDISK_ENUM_IO, VDISK_IO_IO_URING), "io_uring");
    assert_string_equal(vdisk_enum_to_string(VDISK_ENUM_MODEL, VDISK_MODEL_VIRTIO_NON_TRANSITIONAL),
                        "virtio-non-transitional");
    assert_string_equal(vdisk_enum_to_string(VDISK_ENUM_IOTUNE_FIELD, 0), "total_bytes_sec");
    assert_string_equal(vdisk_enum_to_string(VDISK_ENUM_TRANSPORT, VDISK_TRANSPORT_RDMA), "rdma");
    assert_int_equal(vdisk_enum_from_string(VDISK_ENUM_DEVICE, "lun"), VDISK_DEVICE_LUN);
    assert_int_equal(vdisk_enum_from_string(VDISK_ENUM_DEVICE, "tape"), -1);
    assert_int_equal(vdisk_enum_from_string(VDISK_ENUM_CACHE, "default"), VDISK_CACHE_DEFAULT);
    assert_int_equal(vdisk_enum_from_string(VDISK_ENUM_FORMAT, "qcow2"), VDISK_FORMAT_QCOW2);
    assert_int_equal(vdisk_enum_from_string(VDISK_ENUM_PROTOCOL, "nfs"), VDISK_PROTOCOL_NFS);
    assert_int_equal(vdisk_enum_from_string(VDISK_ENUM_LAST, "x"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enum_fields_round_trip),
        cmocka_unit_test(test_rerror_enospace_is_refused),
        cmocka_unit_test(test_enum_out_of_range_names_call_and_value),
        cmocka_unit_test(test_tray_and_removable_round_trip),
        cmocka_unit_test(test_numeric_fields_round_trip),
        cmocka_unit_test(test_setters_write_libvirt_order),
        cmocka_unit_test(test_every_iotune_field_round_trips),
        cmocka_unit_test(test_addresses_round_trip),
        cmocka_unit_test(test_partial_geometry_is_refused),
        cmocka_unit_test(test_enum_strings_are_libvirts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
