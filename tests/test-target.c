/*
 * test-target.c: target names map to libvirt's indexes and buses
 *
 * Expected values follow libvirt 9.0's virDiskNameToIndex/virIndexToDiskName
 * (src/util/virutil.c) and the bus inference of virDomainDiskDefPostParse.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vdisk/disk.h"
#include "conf/target_priv.h"

static void
test_to_index_single_letters(void **state)
{
    (void)state;
    assert_int_equal(vdisk_target_to_index("vda"), 0);
    assert_int_equal(vdisk_target_to_index("hdc"), 2);
    assert_int_equal(vdisk_target_to_index("sdz"), 25);
    assert_int_equal(vdisk_target_to_index("xvdb"), 1);
    assert_int_equal(vdisk_target_to_index("ubda"), 0);
    assert_int_equal(vdisk_target_to_index("fdb"), 1);
}

static void
test_to_index_multiple_letters_are_bijective_base26(void **state)
{
    (void)state;
    assert_int_equal(vdisk_target_to_index("sdaa"), 26);
    assert_int_equal(vdisk_target_to_index("vdab"), 27);
    assert_int_equal(vdisk_target_to_index("vdzz"), 26 + 26 * 26 - 1);
    assert_int_equal(vdisk_target_to_index("vdaaa"), 26 + 26 * 26);
}

static void
test_to_index_ignores_trailing_partition_digits(void **state)
{
    (void)state;
    /* virDiskNameToIndex ignores a partition number; the QEMU driver's
     * validation is what refuses it (see test-validate) */
    assert_int_equal(vdisk_target_to_index("vda1"), 0);
    assert_int_equal(vdisk_target_to_index("sdb12"), 1);
}

static void
test_to_index_refuses_non_disk_names(void **state)
{
    (void)state;
    assert_int_equal(vdisk_target_to_index(NULL), -1);
    assert_int_equal(vdisk_target_to_index(""), -1);
    assert_int_equal(vdisk_target_to_index("vd"), -1);
    assert_int_equal(vdisk_target_to_index("nvme0n1"), -1);
    assert_int_equal(vdisk_target_to_index("vdA"), -1);
    assert_int_equal(vdisk_target_to_index("vda1x"), -1);
    assert_int_equal(vdisk_target_to_index("vd1"), -1);
    assert_int_equal(vdisk_target_to_index("xda"), -1);
}

static void
test_to_index_refuses_index_beyond_int(void **state)
{
    (void)state;
    /* "vdfxshrxw" is INT_MAX; one more letter cannot be represented */
    char *name = vdisk_target_from_index("vd", INT_MAX);

    assert_non_null(name);
    assert_int_equal(vdisk_target_to_index(name), INT_MAX);
    free(name);
    assert_int_equal(vdisk_target_to_index("vdaaaaaaaaa"), -1);
    assert_int_equal(vdisk_target_to_index("vdzzzzzzzzzzzz"), -1);
}

static void
test_from_index_round_trips(void **state)
{
    static const char *const prefixes[] = {"vd", "sd", "hd", "fd", "xvd", "ubd"};
    size_t p;
    int i;

    (void)state;
    for (p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
        for (i = 0; i < 20000; i += 7) {
            char *name = vdisk_target_from_index(prefixes[p], i);

            assert_non_null(name);
            assert_int_equal(vdisk_target_to_index(name), i);
            free(name);
        }
    }
}

static void
test_from_index_known_names(void **state)
{
    char *name;

    (void)state;
    name = vdisk_target_from_index("vd", 27);
    assert_string_equal(name, "vdab");
    free(name);
    name = vdisk_target_from_index("sd", 25);
    assert_string_equal(name, "sdz");
    free(name);
    name = vdisk_target_from_index("hd", 702);
    assert_string_equal(name, "hdaaa");
    free(name);
    assert_null(vdisk_target_from_index("vd", -1));
    assert_null(vdisk_target_from_index(NULL, 0));
}

static void
test_parse_partition_rules(void **state)
{
    int idx = -1;
    int part = -1;

    (void)state;
    assert_int_equal(vd_target_parse("vdb3", &idx, &part), 0);
    assert_int_equal(idx, 1);
    assert_int_equal(part, 3);
    assert_int_equal(vd_target_parse("vda0", &idx, &part), 0);
    assert_int_equal(part, 0);
    /* a multi-digit partition must not start with 0 */
    assert_int_equal(vd_target_parse("vda01", &idx, &part), -1);
    assert_int_equal(vd_target_parse("vda01", &idx, NULL), 0);
}

static void
test_bus_from_target_prefixes(void **state)
{
    (void)state;
    assert_int_equal(vdisk_bus_from_target("hda"), VDISK_BUS_IDE);
    assert_int_equal(vdisk_bus_from_target("sda"), VDISK_BUS_SCSI);
    assert_int_equal(vdisk_bus_from_target("vda"), VDISK_BUS_VIRTIO);
    assert_int_equal(vdisk_bus_from_target("xvda"), VDISK_BUS_XEN);
    assert_int_equal(vdisk_bus_from_target("ubda"), VDISK_BUS_UML);
    assert_int_equal(vdisk_bus_from_target("fda"), VDISK_BUS_FDC);
    assert_int_equal(vdisk_bus_from_target("nvme0"), VDISK_BUS_NONE);
    assert_int_equal(vdisk_bus_from_target(NULL), VDISK_BUS_NONE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_index_single_letters),
        cmocka_unit_test(test_to_index_multiple_letters_are_bijective_base26),
        cmocka_unit_test(test_to_index_ignores_trailing_partition_digits),
        cmocka_unit_test(test_to_index_refuses_non_disk_names),
        cmocka_unit_test(test_to_index_refuses_index_beyond_int),
        cmocka_unit_test(test_from_index_round_trips),
        cmocka_unit_test(test_from_index_known_names),
        cmocka_unit_test(test_parse_partition_rules),
        cmocka_unit_test(test_bus_from_target_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
