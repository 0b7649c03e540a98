/*
 * test-fixed-point.c: with libvirt's defaults applied, formatting is a fixed
 * point, and what post-parse adds takes libvirt's place in the order
 *
 * The defaults (driver name and type, target bus, drive addresses, ports,
 * ...) are added to elements that may already hold other attributes in any
 * order; a second parse must not move anything.
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

#include "conf/schema.h"
#include "vdisk/disk.h"
#include "vdisk/domain.h"

/* Formats @xml parsed with @flags (NULL when refused), and checks that
 * parsing and formatting the result again gives the same text. */
static char *
disk_fixed_point(const char *name, const char *xml, unsigned int flags)
{
    vdisk_disk *a = NULL;
    vdisk_disk *b = NULL;
    vdisk_error *err = NULL;
    char *out1 = NULL;
    g_autofree char *out2 = NULL;

    if (vdisk_disk_from_xml_flags(&a, xml, flags, &err) < 0) {
        vdisk_error_free(err);
        return NULL;
    }
    if (vdisk_disk_to_xml(&out1, a, &err) < 0)
        fail_msg("%s: to_xml: %s", name, vdisk_error_get_message(err));
    if (vdisk_disk_from_xml_flags(&b, out1, flags, &err) < 0)
        fail_msg("%s: formatted disk refused: %s\n%s", name, vdisk_error_get_message(err), out1);
    if (vdisk_disk_to_xml(&out2, b, &err) < 0)
        fail_msg("%s: to_xml: %s", name, vdisk_error_get_message(err));
    if (strcmp(out1, out2) != 0)
        fail_msg("%s: not a fixed point\n--- first\n%s--- second\n%s", name, out1, out2);
    vdisk_disk_free(a);
    vdisk_disk_free(b);
    return out1;
}

static char *
domain_fixed_point(const char *name, const char *xml, unsigned int flags)
{
    vdisk_domain *a = NULL;
    vdisk_domain *b = NULL;
    vdisk_error *err = NULL;
    char *out1 = NULL;
    g_autofree char *out2 = NULL;

    if (vdisk_domain_from_xml_flags(&a, xml, flags, &err) < 0) {
        vdisk_error_free(err);
        return NULL;
    }
    if (vdisk_domain_to_xml(&out1, a, &err) < 0)
        fail_msg("%s: to_xml: %s", name, vdisk_error_get_message(err));
    if (vdisk_domain_from_xml_flags(&b, out1, flags, &err) < 0)
        fail_msg("%s: formatted domain refused: %s\n%s", name, vdisk_error_get_message(err), out1);
    if (vdisk_domain_to_xml(&out2, b, &err) < 0)
        fail_msg("%s: to_xml: %s", name, vdisk_error_get_message(err));
    if (strcmp(out1, out2) != 0)
        fail_msg("%s: not a fixed point\n--- first\n%s--- second\n%s", name, out1, out2);
    vdisk_domain_free(a);
    vdisk_domain_free(b);
    return out1;
}

static const unsigned int flag_sets[] = {
    0,
    VDISK_PARSE_NO_VALIDATE,
    VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE,
};

/* Every .xml file of tests/data/@sub through @check with each flag set;
 * returns how many were accepted with defaults applied. */
static unsigned int
walk(const char *sub, bool domains)
{
    g_autofree char *dirpath = g_build_filename(VDISK_TEST_DATA, sub, NULL);
    g_autoptr(GDir) dir = g_dir_open(dirpath, 0, NULL);
    const char *name;
    unsigned int accepted = 0;

    assert_non_null(dir);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        size_t i;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        path = g_build_filename(dirpath, name, NULL);
        assert_true(g_file_get_contents(path, &xml, NULL, NULL));
        for (i = 0; i < G_N_ELEMENTS(flag_sets); i++) {
            g_autofree char *out = domains ? domain_fixed_point(name, xml, flag_sets[i])
                                           : disk_fixed_point(name, xml, flag_sets[i]);
            if (out && flag_sets[i] == 0)
                accepted++;
        }
    }
    return accepted;
}

static void
test_corpus_disks_with_defaults(void **state)
{
    assert_true(walk("disks", false) > 50);
    /* refused by libvirt, but the parser may still read them without checks */
    walk("refuse", false);
}

static void
test_corpus_domains_with_defaults(void **state)
{
    assert_true(walk("qemu", true) > 50);
}

/* Post-parse adds driver@name and driver@type, target@bus and so on to
 * elements that already hold attributes; whatever those are and in whatever
 * order they were written, the result is libvirt's order. */
static void
test_defaults_take_libvirts_place(void **state)
{
    static const char *const driver_attrs[] = {
        "cache='none'",      "io='native'", "ioeventfd='on'",   "event_idx='off'",
        "discard='unmap'",   "queues='2'",  "queue_size='256'", "iommu='on'",
        "ats='on'",          "packed='on'", "page_per_vq='on'", "copy_on_read='on'",
        "detect_zeroes='on'"};
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(driver_attrs); i++) {
        g_autofree char *xml =
            g_strdup_printf("<disk type='file' device='disk'><driver %s/><source file='/a'/>"
                            "<target dev='vda'/></disk>",
                            driver_attrs[i]);
        g_autofree char *out = disk_fixed_point(driver_attrs[i], xml, VDISK_PARSE_NO_VALIDATE);
        g_autofree char *want =
            g_strdup_printf("<driver name='qemu' type='raw' %s/>", driver_attrs[i]);

        assert_non_null(out);
        if (!strstr(out, want))
            fail_msg("%s: defaults not in libvirt's place\n%s", driver_attrs[i], out);
    }
}

/* The minimized input of a domain whose vhost-user disk had its driver
 * defaults appended after packed='on'. */
static void
test_vhostuser_packed_domain(void **state)
{
    static const char xml[] =
        "<domain><cpu><numa><cell memAccess='shared'/> </numa></cpu><devices>\n"
        "<disk type='vhostuser'><driver packed='on'/><source type='unix' path=''> </source>"
        "<target dev='vdo'/></disk>b</devices>\n</domain>\n";
    g_autofree char *out = domain_fixed_point("vhostuser-packed", xml, 0);

    assert_non_null(out);
    assert_non_null(strstr(out, "<driver name='qemu' type='raw' packed='on'/>"));
    assert_non_null(strstr(out, "<disk type='vhostuser' device='disk' snapshot='no'>"));
}

/* libvirt reads the first of each repeated <iotune> value and writes only
 * that one (checked with virsh define + dumpxml): formatting the result
 * must not bring a later copy forward on the next pass. */
static void
test_repeated_iotune_values(void **state)
{
    static const char xml[] =
        "<disk type='file' device='disk'><source file='/a'/><target dev='vda'/><iotune>"
        "<total_bytes_sec>0</total_bytes_sec><read_iops_sec>400</read_iops_sec>"
        "<write_iops_sec>100</write_iops_sec><group_name>tenant</group_name>"
        "<total_bytes_sec>5000</total_bytes_sec><read_iops_sec>300</read_iops_sec>"
        "<group_name>other</group_name></iotune></disk>";
    g_autofree char *out = disk_fixed_point("repeated-iotune", xml, 0);

    assert_non_null(out);
    assert_non_null(strstr(out, "  <iotune>\n    <read_iops_sec>400</read_iops_sec>\n"
                                "    <write_iops_sec>100</write_iops_sec>\n"
                                "    <group_name>tenant</group_name>\n  </iotune>\n"));
}

/* The one insertion rule: a new attribute goes after every known attribute
 * ranked before it, an unknown one travels with the known one before it. */
static void
test_insertion_rule(void **state)
{
    g_autoptr(vd_doc) doc = vd_doc_new();
    vd_node *disk = vd_node_new(doc, "disk");
    vd_node *driver = vd_node_new(doc, "driver");
    g_autoptr(GString) buf = g_string_new(NULL);
    vd_node *c;

    vd_node_append(disk, driver);
    vd_node_set_attr(doc, driver, "packed", "on");
    vd_node_set_attr(doc, driver, "x-unknown", "1");
    vd_node_set_attr(doc, driver, "cache", "none");
    vd_schema_set_attr(doc, driver, "type", "raw");
    vd_schema_set_attr(doc, driver, "name", "qemu");
    vd_schema_set_attr(doc, driver, "queues", "4");
    vd_node_format(buf, driver, 0);
    assert_string_equal(buf->str,
                        "<driver name='qemu' type='raw' queues='4' packed='on' x-unknown='1' "
                        "cache='none'/>\n");
    /* sorting what the rule built changes nothing but the misplaced 'cache' */
    vd_schema_sort_attrs(driver);
    g_string_truncate(buf, 0);
    vd_node_format(buf, driver, 0);
    assert_string_equal(buf->str,
                        "<driver name='qemu' type='raw' cache='none' queues='4' packed='on' "
                        "x-unknown='1'/>\n");

    /* children: the same rule */
    vd_schema_insert_child(disk, vd_node_new(doc, "target"));
    vd_schema_insert_child(disk, vd_node_new(doc, "source"));
    vd_schema_insert_child(disk, vd_node_new(doc, "address"));
    vd_schema_ensure_child(doc, disk, "readonly");
    {
        static const char *const want[] = {"driver", "source", "target", "readonly", "address"};
        size_t i = 0;

        for (c = disk->children; c; c = c->next, i++) {
            assert_true(i < G_N_ELEMENTS(want));
            assert_string_equal(c->name, want[i]);
        }
        assert_int_equal(i, G_N_ELEMENTS(want));
    }
}

/* The element look-up tells apart what shares a name. */
static void
test_element_lookup(void **state)
{
    g_autoptr(vd_doc) doc = vd_doc_new();
    vd_node *disk = vd_node_new(doc, "disk");
    vd_node *addr = vd_node_new(doc, "address");
    vd_node *src = vd_node_new(doc, "source");
    vd_node *pr = vd_node_new(doc, "reservations");
    vd_node *prsrc = vd_node_new(doc, "source");
    vd_node *nvme = vd_node_new(doc, "address");

    vd_node_append(disk, addr);
    vd_node_append(disk, src);
    vd_node_append(src, pr);
    vd_node_append(pr, prsrc);
    vd_node_append(src, nvme);
    vd_node_set_attr(doc, addr, "type", "drive");
    assert_int_equal(vd_schema_element(addr), VD_EL_ADDRESS_IN_DISK_DRIVE);
    assert_int_equal(vd_schema_rank_attr(addr, "unit"), 4);
    vd_node_set_attr(doc, addr, "type", "pci");
    assert_int_equal(vd_schema_element(addr), VD_EL_ADDRESS_IN_DISK_PCI);
    assert_int_equal(vd_schema_rank_attr(addr, "unit"), -1);
    assert_int_equal(vd_schema_element(src), VD_EL_SOURCE);
    assert_int_equal(vd_schema_element(prsrc), VD_EL_SOURCE_IN_RESERVATIONS);
    assert_int_equal(vd_schema_rank_attr(prsrc, "mode"), 2);
    assert_int_equal(vd_schema_element(nvme), VD_EL_ADDRESS_IN_SOURCE);
    /* nvme's <address> and vhost-user's <reconnect> share a place */
    assert_int_equal(vd_schema_rank_child(src, "address"), vd_schema_rank_child(src, "reconnect"));
    assert_int_equal(vd_schema_rank_child(src, "host"), 1);
    assert_int_equal(vd_schema_element(vd_node_new(doc, "nosuch")), VD_EL_UNKNOWN);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_disks_with_defaults),
        cmocka_unit_test(test_corpus_domains_with_defaults),
        cmocka_unit_test(test_defaults_take_libvirts_place),
        cmocka_unit_test(test_vhostuser_packed_domain),
        cmocka_unit_test(test_repeated_iotune_values),
        cmocka_unit_test(test_insertion_rule),
        cmocka_unit_test(test_element_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
