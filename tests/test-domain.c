/*
 * test-domain.c: the domain context reads a <domain>, gives its disks
 * libvirt's defaults in context and makes libvirt's domain-wide checks
 *
 * Expected disks and refusal messages come from libvirt 9.0 (`virsh define`
 * then `virsh dumpxml --inactive`, QEMU driver, x86_64), PCI addresses
 * included.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "vdisk/domain.h"

#define F "<source file='/var/lib/libvirt/images/a.img'/>"

static char *
domain_xml(const char *machine, const char *extra, const char *devices)
{
    return g_strdup_printf("<domain type='kvm'><name>vdtest</name><memory>131072</memory>%s"
                           "<os><type arch='x86_64' machine='%s'>hvm</type></os>"
                           "<devices>%s</devices></domain>",
                           extra, machine, devices);
}

static vdisk_domain *
load_ok(const char *machine, const char *extra, const char *devices)
{
    g_autofree char *xml = domain_xml(machine, extra, devices);
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    if (vdisk_domain_from_xml(&dom, xml, &err) < 0)
        fail_msg("refused: %s", vdisk_error_get_message(err));
    return dom;
}

static void
expect_refused(const char *machine, const char *extra, const char *devices, vdisk_error_code code,
               const char *message)
{
    g_autofree char *xml = domain_xml(machine, extra, devices);
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    if (vdisk_domain_from_xml(&dom, xml, &err) == 0)
        fail_msg("accepted, want '%s'", message);
    assert_null(dom);
    if (vdisk_error_get_code(err) != code || !strstr(vdisk_error_get_message(err), message))
        fail_msg("got %s '%s', want %s '%s'", vdisk_error_code_name(vdisk_error_get_code(err)),
                 vdisk_error_get_message(err), vdisk_error_code_name(code), message);
    vdisk_error_free(err);
}

static char *
disk_xml(const vdisk_disk *disk)
{
    char *out = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_to_xml(&out, disk, &err), 0);
    return out;
}

static void
test_reads_name_type_machine(void **state)
{
    vdisk_domain *dom = load_ok("pc-q35-7.2", "<iothreads>2</iothreads>", "");

    (void)state;
    assert_string_equal(vdisk_domain_get_name(dom), "vdtest");
    assert_string_equal(vdisk_domain_get_virt_type(dom), "kvm");
    assert_string_equal(vdisk_domain_get_arch(dom), "x86_64");
    assert_string_equal(vdisk_domain_get_machine(dom), "pc-q35-7.2");
    assert_int_equal(vdisk_domain_is_q35(dom), 1);
    assert_int_equal(vdisk_domain_get_iothreads(dom), 2);
    assert_int_equal(vdisk_domain_get_disk_count(dom), 0);
    vdisk_domain_free(dom);

    dom = load_ok("pc-i440fx-7.2", "", "");
    assert_int_equal(vdisk_domain_is_q35(dom), 0);
    vdisk_domain_free(dom);
}

static void
test_controllers_are_read(void **state)
{
    vdisk_domain *dom =
        load_ok("pc", "",
                "<controller type='scsi' index='0' model='virtio-scsi'><alias name='ua-s'/>"
                "<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>"
                "</controller>");
    const vdisk_controller *c;
    unsigned int d, b, s, f;

    (void)state;
    c = vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SCSI, 0);
    assert_non_null(c);
    assert_int_equal(vdisk_controller_get_type(c), VDISK_CONTROLLER_SCSI);
    assert_string_equal(vdisk_controller_get_model(c), "virtio-scsi");
    assert_string_equal(vdisk_controller_get_alias(c), "ua-s");
    assert_int_equal(vdisk_controller_get_address_pci(c, &d, &b, &s, &f), 0);
    assert_int_equal(s, 5);
    assert_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SCSI, 1));
    vdisk_domain_free(dom);
}

static void
test_implicit_controllers_follow_disk_addresses(void **state)
{
    /* libvirt added scsi 0 and 1 (lsilogic), fdc 0 and ide 0 for these disks */
    vdisk_domain *dom = load_ok("pc", "",
                                "<disk type='file' device='disk'>" F "<target dev='sdh'/></disk>"
                                "<disk type='file' device='floppy'>" F "<target dev='fdb'/></disk>"
                                "<disk type='file' device='cdrom'><target dev='hdc'/></disk>");
    const vdisk_controller *c;

    (void)state;
    c = vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SCSI, 1);
    assert_non_null(c);
    assert_string_equal(vdisk_controller_get_model(c), "lsilogic");
    assert_non_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SCSI, 0));
    assert_non_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_FDC, 0));
    assert_non_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_IDE, 0));
    assert_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SATA, 0));
    vdisk_domain_free(dom);
}

static void
test_q35_has_implicit_sata_and_sata_addresses(void **state)
{
    vdisk_domain *dom = load_ok(
        "q35", "", "<disk type='file' device='disk'>" F "<target dev='sdh' bus='sata'/></disk>");
    g_autofree char *out = NULL;

    (void)state;
    assert_non_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SATA, 0));
    assert_non_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SATA, 1));
    out = disk_xml(vdisk_domain_find_disk(dom, "sdh"));
    assert_string_equal(out,
                        "<disk type='file' device='disk'>\n"
                        "  <driver name='qemu' type='raw'/>\n"
                        "  <source file='/var/lib/libvirt/images/a.img'/>\n"
                        "  <target dev='sdh' bus='sata'/>\n"
                        "  <address type='drive' controller='1' bus='0' target='0' unit='1'/>\n"
                        "</disk>\n");
    vdisk_domain_free(dom);
}

static void
test_iotune_group_is_expanded_from_other_disk(void **state)
{
    vdisk_domain *dom = load_ok("q35", "",
                                "<disk type='file' device='disk'>" F "<target dev='vda'/>"
                                "<iotune><total_bytes_sec>1000</total_bytes_sec>"
                                "<group_name>g</group_name></iotune></disk>"
                                "<disk type='file' device='disk'>" F "<target dev='vdb'/>"
                                "<iotune><group_name>g</group_name></iotune></disk>");
    g_autofree char *out = NULL;

    (void)state;
    out = disk_xml(vdisk_domain_find_disk(dom, "vdb"));
    assert_string_equal(out, "<disk type='file' device='disk'>\n"
                             "  <driver name='qemu' type='raw'/>\n"
                             "  <source file='/var/lib/libvirt/images/a.img'/>\n"
                             "  <target dev='vdb' bus='virtio'/>\n"
                             "  <iotune>\n"
                             "    <total_bytes_sec>1000</total_bytes_sec>\n"
                             "    <group_name>g</group_name>\n"
                             "  </iotune>\n"
                             "  <address type='pci' domain='0x0000' bus='0x03' slot='0x00' "
                             "function='0x0'/>\n"
                             "</disk>\n");
    vdisk_domain_free(dom);
}

/* libvirt: "different iotunes for disks vda and vdc": the first disk of a
 * group whose limits differ from another's names that other disk; a group
 * whose disks agree is accepted. */
static void
test_iotune_group_limits_must_agree(void **state)
{
    vdisk_domain *dom;

    (void)state;
    expect_refused("q35", "",
                   "<disk type='file' device='disk'>" F "<target dev='vda'/>"
                   "<iotune><total_bytes_sec>1000</total_bytes_sec>"
                   "<group_name>g</group_name></iotune></disk>"
                   "<disk type='file' device='disk'>" F "<target dev='vdb'/>"
                   "<iotune><total_bytes_sec>1000</total_bytes_sec>"
                   "<group_name>g</group_name></iotune></disk>"
                   "<disk type='file' device='disk'>" F "<target dev='vdc'/>"
                   "<iotune><total_bytes_sec>2000</total_bytes_sec>"
                   "<group_name>g</group_name></iotune></disk>",
                   VDISK_ERR_UNSUPPORTED,
                   "target 'vda': iotune group 'g' differs from the one of target 'vdc'");
    dom = load_ok("q35", "",
                  "<disk type='file' device='disk'>" F "<target dev='vda'/>"
                  "<iotune><total_bytes_sec>1000</total_bytes_sec>"
                  "<group_name>g</group_name></iotune></disk>"
                  "<disk type='file' device='disk'>" F "<target dev='vdb'/>"
                  "<iotune><total_bytes_sec>2000</total_bytes_sec>"
                  "<group_name>h</group_name></iotune></disk>"
                  "<disk type='file' device='disk'>" F "<target dev='vdc'/>"
                  "<iotune><total_bytes_sec>1000</total_bytes_sec>"
                  "<group_name>g</group_name></iotune></disk>");
    vdisk_domain_free(dom);
}

static void
test_duplicate_target_refused(void **state)
{
    (void)state;
    /* libvirt: "target 'vda' duplicated for disk sources
     * '/var/lib/libvirt/images/a.img' and '/var/lib/libvirt/images/a.img'" */
    expect_refused("pc", "",
                   "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>"
                   "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>",
                   VDISK_ERR_EXISTS,
                   "target 'vda': duplicated for disk sources '/var/lib/libvirt/images/a.img' "
                   "and '/var/lib/libvirt/images/a.img'");
}

static void
test_duplicate_drive_address_refused(void **state)
{
    (void)state;
    /* libvirt: "Found duplicate drive address for disk with target name 'sda'
     * controller='0' bus='0' target='0' unit='0'" */
    expect_refused("pc", "",
                   "<disk type='file' device='disk'>" F "<target dev='sda'/></disk>"
                   "<disk type='file' device='disk'>" F "<target dev='sdb'/>"
                   "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>",
                   VDISK_ERR_UNSUPPORTED,
                   "target 'sda': duplicate drive address controller='0' bus='0' target='0' "
                   "unit='0'");
}

#define TOO_FAR                                                                                    \
    "drive address controller '256' needs more implicit controllers than fit in the domain "       \
    "(at most 256)"

/* A drive address past controller 255, written or derived from the target
 * name (sdbpy is index 1792: controller 256 at 7 units a controller). */
static void
test_drive_controller_past_limit_refused(void **state)
{
    (void)state;
    expect_refused("pc", "",
                   "<disk type='file' device='disk'>" F "<target dev='sdb' bus='scsi'/>"
                   "<address type='drive' controller='256' bus='0' target='0' unit='0'/></disk>",
                   VDISK_ERR_UNSUPPORTED, "target 'sdb': " TOO_FAR);
    expect_refused("pc", "",
                   "<disk type='file' device='disk'>" F "<target dev='sdbpy' bus='scsi'/></disk>",
                   VDISK_ERR_UNSUPPORTED, "target 'sdbpy': " TOO_FAR);
    expect_refused("pc", "", "<disk type='file' device='disk'>" F "<target dev='sdbpy'/></disk>",
                   VDISK_ERR_UNSUPPORTED, "target 'sdbpy': " TOO_FAR);
}

/* The limit applies as soon as the disk is read: what follows it is not
 * even read (here, XML that is not well-formed), so that a huge domain is
 * refused before it is built. Without defaults no address is derived, and
 * without validation there is no limit. */
static void
test_drive_controller_limit_applies_while_reading(void **state)
{
    const char *head =
        "<domain type='kvm'><name>vdtest</name>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<disk type='file' device='disk'>" F "<target dev='sdbpy' bus='scsi'/></disk>";
    g_autofree char *broken = g_strconcat(head, "<disk><oops></disk></devices></domain>", NULL);
    g_autofree char *whole = g_strconcat(head, "</devices></domain>", NULL);
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_domain_from_xml(&dom, broken, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    assert_non_null(strstr(vdisk_error_get_message(err), "target 'sdbpy': " TOO_FAR));
    vdisk_error_free(err);
    err = NULL;

    assert_int_equal(vdisk_domain_from_xml_flags(&dom, whole, VDISK_PARSE_NO_DEFAULTS, &err), 0);
    vdisk_domain_free(dom);
    dom = NULL;
    assert_int_equal(vdisk_domain_from_xml_flags(&dom, whole, VDISK_PARSE_NO_VALIDATE, &err), 0);
    vdisk_domain_free(dom);
}

static void
test_same_drive_address_on_other_buses_accepted(void **state)
{
    vdisk_domain *dom;

    (void)state;
    /* libvirt 9.0 defines this (hda, sda and fda all at 0:0:0:0): drive
     * addresses clash only between disks on the same bus */
    dom = load_ok("pc", "",
                  "<disk type='file' device='disk'>" F "<target dev='hda'/></disk>"
                  "<disk type='file' device='disk'>" F "<target dev='sda'/></disk>"
                  "<disk type='file' device='floppy'>" F "<target dev='fda'/></disk>");
    assert_int_equal(vdisk_domain_get_disk_count(dom), 3);
    vdisk_domain_free(dom);
}

static void
assert_target_order(vdisk_domain *dom, const char *const *expected, size_t n)
{
    size_t i;

    assert_int_equal(vdisk_domain_get_disk_count(dom), n);
    for (i = 0; i < n; i++)
        assert_string_equal(vdisk_disk_get_target(vdisk_domain_get_disk(dom, i)), expected[i]);
}

static void
test_disks_ordered_as_libvirt_inserts_them(void **state)
{
    vdisk_domain *dom;
    vdisk_disk *disk = NULL;
    g_autofree char *xml = NULL;
    /* `virsh define` + `virsh dumpxml` of this domain on libvirt 9.0 lists
     * the disks as vda, hda, sda, sdb, vdc, hdd: at insertion time no bus
     * is inferred yet, so all share the unset bus and sort by index. */
    static const char *const parsed[] = {"vda", "hda", "sda", "sdb", "vdc", "hdd"};
    /* `virsh attach-device --config` of vdb to that domain gives vda, vdb,
     * vdc, hda, hdd, sda, sdb: libvirt attaches to a copy of the definition,
     * whose disks are inserted again with their buses known */
    static const char *const added[] = {"vda", "vdb", "vdc", "hda", "hdd", "sda", "sdb"};

    (void)state;
    dom = load_ok("pc", "",
                  "<disk type='file' device='disk'>" F "<target dev='vdc'/></disk>"
                  "<disk type='file' device='cdrom'><target dev='hdd'/></disk>"
                  "<controller type='usb' model='piix3-uhci'/>"
                  "<disk type='file' device='disk'>" F "<target dev='sdb'/></disk>"
                  "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>"
                  "<disk type='file' device='disk'>" F "<target dev='hda'/></disk>"
                  "<disk type='file' device='disk'>" F "<target dev='sda'/></disk>");
    assert_target_order(dom, parsed, G_N_ELEMENTS(parsed));
    /* the elements moved too: formatting shows the same order */
    assert_int_equal(vdisk_domain_to_xml(&xml, dom, NULL), 0);
    assert_true(strstr(xml, "dev='vda'") < strstr(xml, "dev='hda'"));
    assert_true(strstr(xml, "dev='sdb'") < strstr(xml, "dev='vdc'"));
    assert_true(strstr(xml, "dev='hdd'") < strstr(xml, "<controller"));

    assert_int_equal(vdisk_disk_from_xml(&disk,
                                         "<disk type='file' device='disk'>" F
                                         "<target dev='vdb'/></disk>",
                                         NULL),
                     0);
    assert_int_equal(vdisk_domain_add_disk(dom, disk, NULL), 0);
    assert_target_order(dom, added, G_N_ELEMENTS(added));
    vdisk_disk_free(disk);
    vdisk_domain_free(dom);
}

static unsigned int
pci_slot(const vdisk_disk *disk)
{
    unsigned int domain, bus, slot, function;

    assert_int_equal(vdisk_disk_get_address_pci(disk, &domain, &bus, &slot, &function), 0);
    return slot;
}

static vdisk_domain *
reload(vdisk_domain *dom, char **xml_out)
{
    vdisk_domain *again = NULL;
    vdisk_error *err = NULL;
    char *xml = NULL;

    assert_int_equal(vdisk_domain_to_xml(&xml, dom, NULL), 0);
    vdisk_domain_free(dom);
    if (vdisk_domain_from_xml(&again, xml, &err) < 0)
        fail_msg("refused: %s", vdisk_error_get_message(err));
    *xml_out = xml;
    return again;
}

static void
test_disk_order_changes_once_when_defined_again(void **state)
{
    vdisk_domain *dom;
    g_autofree char *xml1 = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *xml3 = NULL;
    /* libvirt 9.0 (`virsh define`, `virsh dumpxml --inactive`, that output
     * defined again, dumped again): the first definition keeps vdb (bus
     * written, slot 2) before vda (bus not written, slot 3), since the
     * buses differ when the disks are inserted; defining the dumped XML
     * again, where both say bus='virtio', gives vda, vdb, addresses kept,
     * and that is a fixed point. */
    static const char *const pass1[] = {"vdb", "vda"};
    static const char *const pass2[] = {"vda", "vdb"};

    (void)state;
    dom = load_ok("pc", "",
                  "<disk type='file' device='disk'>" F "<target dev='vdb' bus='virtio'/></disk>"
                  "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>");
    assert_target_order(dom, pass1, G_N_ELEMENTS(pass1));
    assert_int_equal(pci_slot(vdisk_domain_get_disk(dom, 0)), 2);
    assert_int_equal(pci_slot(vdisk_domain_get_disk(dom, 1)), 3);

    dom = reload(dom, &xml1);
    assert_true(strstr(xml1, "dev='vdb'") < strstr(xml1, "dev='vda'"));
    assert_target_order(dom, pass2, G_N_ELEMENTS(pass2));
    assert_int_equal(pci_slot(vdisk_domain_get_disk(dom, 0)), 3);
    assert_int_equal(pci_slot(vdisk_domain_get_disk(dom, 1)), 2);

    dom = reload(dom, &xml2);
    assert_true(strstr(xml2, "dev='vda'") < strstr(xml2, "dev='vdb'"));
    assert_target_order(dom, pass2, G_N_ELEMENTS(pass2));
    dom = reload(dom, &xml3);
    assert_string_equal(xml2, xml3);
    vdisk_domain_free(dom);
}

static size_t
count(const char *haystack, const char *needle)
{
    size_t n = 0;

    for (; (haystack = strstr(haystack, needle)); haystack++)
        n++;
    return n;
}

/* A namespace declared on <domain> or <devices> and used inside a disk
 * goes with the disk when it is formatted alone, so that the disk's XML
 * reads back as the same disk; the domain's XML keeps it where it was. */
static void
check_disk_takes_namespace(const char *domain_ns, const char *devices_ns, const char *inside,
                           const char *decl)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='kvm'%s><name>vdtest</name><memory>131072</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices%s>"
        "<disk type='file' device='disk'>" F "<target dev='vda'/>%s</disk></devices></domain>",
        domain_ns, devices_ns, inside);
    g_autofree char *whole = NULL;
    g_autofree char *again_xml = NULL;
    g_autofree char *alone = NULL;
    g_autofree char *alone2 = NULL;
    g_autofree char *copy_xml = NULL;
    g_autofree char *expect_root = g_strdup_printf("<disk %s type='file' device='disk'>\n", decl);
    vdisk_domain *dom = NULL;
    vdisk_domain *again = NULL;
    vdisk_disk *parsed = NULL;
    vdisk_disk *copy = NULL;
    vdisk_error *err = NULL;
    const vdisk_disk *disk;

    if (vdisk_domain_from_xml(&dom, xml, &err) < 0)
        fail_msg("refused: %s", vdisk_error_get_message(err));
    disk = vdisk_domain_get_disk_const(dom, 0);
    alone = disk_xml(disk);
    assert_true(g_str_has_prefix(alone, expect_root));
    assert_int_equal(count(alone, "xmlns"), 1);
    if (vdisk_disk_from_xml(&parsed, alone, &err) < 0)
        fail_msg("disk alone refused: %s\n%s", vdisk_error_get_message(err), alone);
    assert_true(vdisk_disk_equal(parsed, disk));
    alone2 = disk_xml(parsed);
    assert_string_equal(alone, alone2);
    /* a copy stands alone too */
    assert_int_equal(vdisk_disk_copy(&copy, disk, NULL), 0);
    assert_true(vdisk_disk_equal(copy, parsed));
    copy_xml = disk_xml(copy);
    assert_string_equal(copy_xml, alone);

    /* the domain: the declaration once, where it was, and a fixed point */
    assert_int_equal(vdisk_domain_to_xml(&whole, dom, NULL), 0);
    assert_int_equal(count(whole, "xmlns"), 1);
    assert_non_null(strstr(whole, *domain_ns ? "<domain " : "<devices "));
    assert_non_null(strstr(whole, decl));
    assert_true(strstr(whole, decl) < strstr(whole, *domain_ns ? "<name>" : "<disk "));
    assert_non_null(strstr(whole, "    <disk type='file' device='disk'>\n"));
    assert_int_equal(vdisk_domain_from_xml(&again, whole, NULL), 0);
    assert_int_equal(vdisk_domain_to_xml(&again_xml, again, NULL), 0);
    assert_string_equal(whole, again_xml);

    vdisk_disk_free(parsed);
    vdisk_disk_free(copy);
    vdisk_domain_free(again);
    vdisk_domain_free(dom);
}

static void
test_disk_alone_takes_namespaces_in_scope(void **state)
{
    (void)state;
    check_disk_takes_namespace(" xmlns:q='urn:q'", "", "<q:meta/>", "xmlns:q='urn:q'");
    check_disk_takes_namespace("", " xmlns:q='urn:q'", "<q:meta/>", "xmlns:q='urn:q'");
    /* a prefixed attribute is a use as well */
    check_disk_takes_namespace("", " xmlns:q='urn:q'", "<meta q:a='1'/>", "xmlns:q='urn:q'");
    check_disk_takes_namespace(" xmlns='urn:d'", "", "<meta/>", "xmlns='urn:d'");
    check_disk_takes_namespace("", " xmlns='urn:d'", "<meta/>", "xmlns='urn:d'");
}

/* Nothing is taken along that the disk does not use: a default namespace
 * only counts for elements libvirt does not know, which it reads whatever
 * their namespace; a declaration the disk makes itself stays as it is. */
static void
test_disk_alone_takes_only_what_it_uses(void **state)
{
    vdisk_domain *dom;
    vdisk_error *err = NULL;
    g_autofree char *alone = NULL;
    g_autofree char *alone2 = NULL;

    (void)state;
    dom = load_ok("pc", "",
                  "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>"
                  "<disk type='file' device='disk' xmlns:q='urn:q2'>" F
                  "<target dev='vdb'/><q:meta/></disk>");
    alone = disk_xml(vdisk_domain_get_disk_const(dom, 1));
    assert_true(g_str_has_prefix(alone, "<disk xmlns:q='urn:q2' type='file' device='disk'>\n"));
    assert_int_equal(count(alone, "xmlns"), 1);
    vdisk_domain_free(dom);

    /* known elements only, no prefix used */
    dom = NULL;
    if (vdisk_domain_from_xml(&dom,
                              "<domain type='kvm' xmlns='urn:d' xmlns:q='urn:q'>"
                              "<name>vdtest</name><memory>131072</memory>"
                              "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                              "<devices><disk type='file' device='disk'>" F
                              "<target dev='vda'/></disk></devices></domain>",
                              &err) < 0)
        fail_msg("refused: %s", vdisk_error_get_message(err));
    alone2 = disk_xml(vdisk_domain_get_disk_const(dom, 0));
    assert_int_equal(count(alone2, "xmlns"), 0);
    vdisk_domain_free(dom);
}

/* A disk added from another domain takes along the declarations it uses
 * there: the domain it joins still formats as well-formed XML. */
static void
test_disk_from_other_domain_takes_namespaces(void **state)
{
    vdisk_domain *from = NULL;
    vdisk_domain *to;
    vdisk_domain *again = NULL;
    vdisk_error *err = NULL;
    g_autofree char *xml = NULL;

    (void)state;
    if (vdisk_domain_from_xml(&from,
                              "<domain type='kvm' xmlns:q='urn:q'><name>vdtest</name>"
                              "<memory>131072</memory>"
                              "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                              "<devices><disk type='file' device='disk'>" F
                              "<target dev='vdb'/><q:meta/></disk></devices></domain>",
                              &err) < 0)
        fail_msg("refused: %s", vdisk_error_get_message(err));
    to = load_ok("pc", "", "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>");
    assert_int_equal(vdisk_domain_add_disk(to, vdisk_domain_get_disk_const(from, 0), NULL), 0);
    assert_int_equal(vdisk_domain_to_xml(&xml, to, NULL), 0);
    assert_non_null(strstr(xml, "    <disk xmlns:q='urn:q' type='file' device='disk'>\n"));
    if (vdisk_domain_from_xml(&again, xml, &err) < 0)
        fail_msg("refused: %s\n%s", vdisk_error_get_message(err), xml);
    vdisk_domain_free(again);
    vdisk_domain_free(to);
    g_free(xml);

    /* nothing declared again that is in scope alike where it goes */
    to = NULL;
    if (vdisk_domain_from_xml(&to,
                              "<domain type='kvm' xmlns:q='urn:q'><name>vdtest</name>"
                              "<memory>131072</memory>"
                              "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                              "<devices/></domain>",
                              &err) < 0)
        fail_msg("refused: %s", vdisk_error_get_message(err));
    assert_int_equal(vdisk_domain_add_disk(to, vdisk_domain_get_disk_const(from, 0), NULL), 0);
    assert_int_equal(vdisk_domain_to_xml(&xml, to, NULL), 0);
    assert_int_equal(count(xml, "xmlns"), 1);
    assert_non_null(strstr(xml, "    <disk type='file' device='disk'>\n"));
    vdisk_domain_free(to);
    vdisk_domain_free(from);
}

/* An <iotune> taken from the disk of its group comes with the namespaces
 * it uses there. */
static void
test_iotune_from_other_disk_takes_namespaces(void **state)
{
    vdisk_domain *dom = load_ok("q35", "",
                                "<disk type='file' device='disk' xmlns:q='urn:q'>" F
                                "<target dev='vda'/><iotune><total_bytes_sec>1000</total_bytes_sec>"
                                "<group_name>g</group_name><q:x/></iotune></disk>"
                                "<disk type='file' device='disk'>" F "<target dev='vdb'/>"
                                "<iotune><group_name>g</group_name></iotune></disk>");
    vdisk_domain *again = NULL;
    vdisk_error *err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *xml = NULL;

    (void)state;
    out = disk_xml(vdisk_domain_find_disk(dom, "vdb"));
    assert_non_null(strstr(out, "  <iotune xmlns:q='urn:q'>\n"));
    assert_non_null(strstr(out, "    <q:x/>\n"));
    assert_int_equal(vdisk_domain_to_xml(&xml, dom, NULL), 0);
    assert_int_equal(count(xml, "xmlns:q"), 2);
    if (vdisk_domain_from_xml(&again, xml, &err) < 0)
        fail_msg("refused: %s\n%s", vdisk_error_get_message(err), xml);
    vdisk_domain_free(again);
    vdisk_domain_free(dom);
}

static void
test_boot_order_rules(void **state)
{
    (void)state;
    /* libvirt 9.0 (virsh define): "boot order '1' used for more than one device" */
    expect_refused("pc", "",
                   "<disk type='file' device='disk'>" F "<target dev='vda'/><boot order='1'/></disk>"
                   "<interface type='network'><source network='default'/><boot order='1'/>"
                   "</interface>",
                   VDISK_ERR_UNSUPPORTED, "boot order '1' used for more than one device");
    /* libvirt 9.0: "per-device boot elements cannot be used together with os/boot
     * elements" */
    expect_refused("pc", "<os><boot dev='hd'/></os>",
                   "<disk type='file' device='disk'>" F "<target dev='vda'/><boot order='2'/></disk>",
                   VDISK_ERR_UNSUPPORTED, "cannot be used together with os/boot elements");
}

static void
test_iothread_must_exist_in_domain(void **state)
{
    vdisk_domain *dom;

    (void)state;
    /* libvirt: "Disk iothread '1' not defined in iothreadid" */
    expect_refused("pc", "",
                   "<disk type='file' device='disk'><driver name='qemu' iothread='1'/>" F
                   "<target dev='vda'/></disk>",
                   VDISK_ERR_UNSUPPORTED, "target 'vda': iothread '1' is not defined");
    /* libvirt: "Disk iothread '2' not defined in iothreadid" */
    expect_refused("pc", "<iothreads>1</iothreads>",
                   "<disk type='file' device='disk'><driver name='qemu' iothread='2'/>" F
                   "<target dev='vda'/></disk>",
                   VDISK_ERR_UNSUPPORTED, "target 'vda': iothread '2' is not defined");
    dom = load_ok("pc", "<iothreads>2</iothreads>",
                  "<disk type='file' device='disk'><driver name='qemu' iothread='2'/>" F
                  "<target dev='vda'/></disk>");
    vdisk_domain_free(dom);
}

static void
test_ide_refused_on_q35(void **state)
{
    (void)state;
    /* libvirt: "IDE controllers are unsupported for this QEMU binary or machine type" */
    expect_refused("q35", "", "<disk type='file' device='disk'>" F "<target dev='hda'/></disk>",
                   VDISK_ERR_UNSUPPORTED,
                   "target 'hda': bus 'ide' is not supported by machine type 'q35'");
}

static void
test_add_find_remove_disk(void **state)
{
    vdisk_domain *dom = load_ok("pc", "",
                                "<disk type='file' device='disk'>" F
                                "<target dev='vda'/></disk><controller type='usb' index='0'/>");
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *whole = NULL;

    (void)state;
    assert_int_equal(vdisk_disk_from_xml_flags(
                         &disk, "<disk type='file' device='disk'>" F "<target dev='hdb'/></disk>",
                         VDISK_PARSE_NO_DEFAULTS, &err),
                     0);
    assert_int_equal(vdisk_domain_add_disk(dom, disk, &err), 0);
    assert_int_equal(vdisk_domain_get_disk_count(dom), 2);
    out = disk_xml(vdisk_domain_find_disk(dom, "hdb"));
    assert_non_null(
        strstr(out, "<address type='drive' controller='0' bus='0' target='0' unit='1'/>"));
    assert_non_null(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_IDE, 0));

    /* a second disk on the same target is refused and leaves the domain as it was */
    assert_int_equal(vdisk_domain_add_disk(dom, disk, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_EXISTS);
    vdisk_error_free(err);
    err = NULL;
    assert_int_equal(vdisk_domain_get_disk_count(dom), 2);

    assert_int_equal(vdisk_domain_to_xml(&whole, dom, &err), 0);
    assert_non_null(strstr(whole, "<target dev='hdb' bus='ide'/>"));
    /* the new disk follows the last disk, before the controller */
    assert_true(strstr(whole, "dev='hdb'") < strstr(whole, "<controller"));

    assert_int_equal(vdisk_domain_remove_disk(dom, "vda", &err), 0);
    assert_null(vdisk_domain_find_disk(dom, "vda"));
    assert_int_equal(vdisk_domain_get_disk_count(dom), 1);
    assert_int_equal(vdisk_domain_remove_disk(dom, "vda", &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_NOT_FOUND);
    vdisk_error_free(err);
    vdisk_disk_free(disk);
    vdisk_domain_free(dom);
}

/* A controller as libvirt's virDomainControllerInsertPreAlloced() sees it. */
typedef struct {
    int type; /* 0 usb, 1 scsi, 2 sata, 3 virtio-serial */
    int idx;  /* -1: written without an index */
    bool companion;
    unsigned int id;
} ref_ctrl;

/* libvirt 9.0's virDomainControllerInsertPreAlloced(), transcribed. */
static void
ref_insert(ref_ctrl *v, size_t *n, ref_ctrl c)
{
    gint insert_at = -1;

    for (gint i = (gint)*n - 1; i >= 0; i--) {
        const ref_ctrl *cur = &v[i];

        if (cur->type != c.type)
            continue;
        if (c.idx == -1) {
            insert_at = i + 1;
            break;
        }
        if (cur->idx > c.idx)
            insert_at = i;
        else if (!c.companion && cur->companion && cur->idx == c.idx)
            insert_at = i;
        else if (insert_at == -1)
            insert_at = i + 1;
    }
    if (insert_at == -1)
        insert_at = (gint)*n;
    memmove(&v[insert_at + 1], &v[insert_at], (*n - (size_t)insert_at) * sizeof(*v));
    v[insert_at] = c;
    (*n)++;
}

/* Controllers of several types, with and without indexes, USB masters and
 * companions sharing indexes, in random document order: the domain lists
 * them in the order libvirt's one-by-one insertion gives, with the
 * indexes libvirt gives those written without one. */
static void
test_controllers_ordered_as_libvirt_inserts_them(void **state)
{
    static const char *const types[] = {"usb", "scsi", "sata", "virtio-serial"};
    g_autoptr(GRand) rnd = g_rand_new_with_seed(20261201);

    (void)state;
    for (unsigned int round = 0; round < 200; round++) {
        unsigned int count = 1 + (unsigned int)g_rand_int_range(rnd, 0, round < 100 ? 12 : 120);
        g_autofree ref_ctrl *ref = g_new0(ref_ctrl, count);
        g_autoptr(GString) devices = g_string_new(NULL);
        g_autofree char *xml = NULL;
        size_t n = 0;
        size_t got = 0;
        vdisk_domain *dom = NULL;
        vdisk_error *err = NULL;
        /* non-USB indexes are unique (libvirt refuses duplicates) */
        int next_unique[4] = {0, 0, 0, 0};

        for (unsigned int i = 0; i < count; i++) {
            ref_ctrl c = {g_rand_int_range(rnd, 0, 4), -1, false, i};

            if (i == 0)
                c.type = 0; /* a USB master comes first */
            if (c.type == 0) {
                c.companion = i > 0 && g_rand_boolean(rnd);
                if (i == 0 || g_rand_int_range(rnd, 0, 4) != 0)
                    c.idx = g_rand_int_range(rnd, 0, 4);
            } else if (g_rand_int_range(rnd, 0, 4) != 0) {
                c.idx = next_unique[c.type] + g_rand_int_range(rnd, 0, 3);
                next_unique[c.type] = c.idx + 1;
                /* written in any order */
                if (g_rand_boolean(rnd))
                    c.idx = 1000 - c.idx;
            }
            g_string_append_printf(devices, "<controller type='%s'", types[c.type]);
            if (c.idx >= 0)
                g_string_append_printf(devices, " index='%d'", c.idx);
            if (c.type == 0)
                g_string_append_printf(devices, " model='%s'",
                                       c.companion ? "ich9-uhci1" : "ich9-ehci1");
            g_string_append_printf(devices, "><alias name='ua-c%u'/>", i);
            if (c.companion)
                g_string_append(devices, "<master startport='0'/>");
            g_string_append(devices, "</controller>");
            ref_insert(ref, &n, c);
        }
        /* libvirt's index assignment after that, in order: a USB2
         * controller joins the group of the USB2 controller before it
         * unless the group has its model; else the lowest free index */
        for (size_t i = 0; i < n; i++) {
            const ref_ctrl *prev = NULL;
            bool taken = true;

            if (ref[i].idx >= 0)
                continue;
            for (size_t p = i; ref[i].type == 0 && p-- > 0;) {
                if (ref[p].type == 0) {
                    prev = &ref[p];
                    break;
                }
            }
            for (size_t j = 0; prev && prev->idx >= 0 && j < n; j++) {
                if (j != i && ref[j].type == 0 && ref[j].idx == prev->idx &&
                    ref[j].companion == ref[i].companion)
                    break;
                if (j == n - 1)
                    taken = false;
            }
            if (prev && prev->idx >= 0 && !taken) {
                ref[i].idx = prev->idx;
                continue;
            }
            for (ref[i].idx = 0;; ref[i].idx++) {
                size_t j;

                for (j = 0;
                     j < n && !(ref[j].type == ref[i].type && j != i && ref[j].idx == ref[i].idx);
                     j++)
                    ;
                if (j == n)
                    break;
            }
        }
        xml = domain_xml("q35", "", devices->str);
        if (vdisk_domain_from_xml_flags(
                &dom, xml, VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE, &err) < 0)
            fail_msg("round %u refused: %s\n%s", round, vdisk_error_get_message(err), xml);
        for (size_t i = 0; i < vdisk_domain_get_controller_count(dom); i++) {
            const char *alias = vdisk_controller_get_alias(vdisk_domain_get_controller(dom, i));
            char want[32];

            if (!alias || strncmp(alias, "ua-c", 4) != 0)
                continue;
            assert_true(got < n);
            g_snprintf(want, sizeof(want), "ua-c%u", ref[got].id);
            if (strcmp(alias, want) != 0)
                fail_msg("round %u: controller %zu is %s, libvirt puts %s there\n%s", round, got,
                         alias, want, xml);
            if (vdisk_controller_get_index(vdisk_domain_get_controller(dom, i)) !=
                (unsigned int)ref[got].idx)
                fail_msg("round %u: controller %s has index %u, libvirt gives %d\n%s", round, alias,
                         vdisk_controller_get_index(vdisk_domain_get_controller(dom, i)),
                         ref[got].idx, xml);
            got++;
        }
        assert_int_equal(got, n);
        vdisk_domain_free(dom);
    }
}

/* libvirt refuses two controllers of a type other than USB with one index,
 * naming the first repeat in its order of controllers (types in the order
 * they first appear); USB controllers may share one. */
static void
test_duplicate_controller_index_refused(void **state)
{
    (void)state;
    expect_refused("q35", "",
                   "<controller type='scsi' index='1'/><controller type='sata' index='0'/>"
                   "<controller type='sata' index='0'/><controller type='scsi' index='1'/>",
                   VDISK_ERR_INVALID, "multiple 'scsi' controllers with index '1'");
    expect_refused("q35", "",
                   "<controller type='usb' index='0' model='ich9-ehci1'/>"
                   "<controller type='usb' index='0' model='ich9-uhci1'/>"
                   "<controller type='sata' index='0'/><controller type='sata' index='0'/>",
                   VDISK_ERR_INVALID, "multiple 'sata' controllers with index '0'");
}

static void
test_no_defaults_keeps_domain_xml(void **state)
{
    g_autofree char *xml =
        domain_xml("pc", "", "<disk type='file' device='disk'>" F "<target dev='vda'/></disk>");
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;
    g_autofree char *out = NULL;

    (void)state;
    assert_int_equal(vdisk_domain_from_xml_flags(&dom, xml, VDISK_PARSE_NO_DEFAULTS, &err), 0);
    assert_int_equal(vdisk_domain_to_xml(&out, dom, &err), 0);
    assert_null(strstr(out, "<driver"));
    assert_non_null(strstr(out, "<target dev='vda'/>"));
    vdisk_domain_free(dom);
}

static void
test_not_a_domain_refused(void **state)
{
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_domain_from_xml(&dom, "<disk/>", &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_XML);
    assert_non_null(strstr(vdisk_error_get_message(err), "vdisk_domain_from_xml: "));
    vdisk_error_free(err);
    vdisk_domain_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_name_type_machine),
        cmocka_unit_test(test_controllers_are_read),
        cmocka_unit_test(test_implicit_controllers_follow_disk_addresses),
        cmocka_unit_test(test_q35_has_implicit_sata_and_sata_addresses),
        cmocka_unit_test(test_iotune_group_is_expanded_from_other_disk),
        cmocka_unit_test(test_duplicate_target_refused),
        cmocka_unit_test(test_duplicate_drive_address_refused),
        cmocka_unit_test(test_same_drive_address_on_other_buses_accepted),
        cmocka_unit_test(test_disks_ordered_as_libvirt_inserts_them),
        cmocka_unit_test(test_disk_order_changes_once_when_defined_again),
        cmocka_unit_test(test_disk_alone_takes_namespaces_in_scope),
        cmocka_unit_test(test_disk_alone_takes_only_what_it_uses),
        cmocka_unit_test(test_disk_from_other_domain_takes_namespaces),
        cmocka_unit_test(test_iotune_from_other_disk_takes_namespaces),
        cmocka_unit_test(test_boot_order_rules),
        cmocka_unit_test(test_iothread_must_exist_in_domain),
        cmocka_unit_test(test_ide_refused_on_q35),
        cmocka_unit_test(test_add_find_remove_disk),
        cmocka_unit_test(test_controllers_ordered_as_libvirt_inserts_them),
        cmocka_unit_test(test_duplicate_controller_index_refused),
        cmocka_unit_test(test_no_defaults_keeps_domain_xml),
        cmocka_unit_test(test_not_a_domain_refused),
        cmocka_unit_test(test_iotune_group_limits_must_agree),
        cmocka_unit_test(test_drive_controller_past_limit_refused),
        cmocka_unit_test(test_drive_controller_limit_applies_while_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
