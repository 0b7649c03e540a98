/*
 * test-props-memory.c: property trees keep every member however many there
 * are and however long, and translation results read the same as argv and
 * inside QMP commands
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "qemu/props.h"
#include "qemu/qemu_priv.h"

/* Far more members than one chunk of an object holds, and a string longer
 * than a chunk: all of them come out, in order. */
static void
test_many_and_long_members_render_in_order(void **state)
{
    g_autoptr(vd_prop) o = vd_prop_object_new();
    g_autoptr(GString) want = g_string_new("{");
    g_autofree char *json = NULL;
    g_autofree char *longval = g_strnfill(5000, 'x');
    unsigned int i;

    for (i = 0; i < 200; i++) {
        vd_prop_add_uint(o, "n", i);
        vd_prop_add_str(o, "s", "v");
        g_string_append_printf(want, "%s\"n\":%u,\"s\":\"v\"", i ? "," : "", i);
    }
    vd_prop_add_str(o, "long", longval);
    g_string_append_printf(want, ",\"long\":\"%s\"}", longval);
    json = vd_prop_to_json_string(o);
    assert_string_equal(json, want->str);
}

/* Numbers are written in full, the extremes included. */
static void
test_number_extremes(void **state)
{
    g_autoptr(vd_prop) o = vd_prop_object_new();
    g_autofree char *json = NULL;

    vd_prop_add_int(o, "min", INT64_MIN);
    vd_prop_add_int(o, "zero", 0);
    vd_prop_add_uint(o, "max", UINT64_MAX);
    json = vd_prop_to_json_string(o);
    assert_string_equal(json, "{\"min\":-9223372036854775808,\"zero\":0,"
                              "\"max\":18446744073709551615}");
    assert_string_equal(vd_prop_get_str(o, "max"), "18446744073709551615");
}

/* Nested objects and arrays of bare strings are freed with their parent
 * (memcheck runs of this test find any leak). */
static void
test_nested_containers(void **state)
{
    g_autoptr(vd_prop) o = vd_prop_object_new();
    vd_prop *arr = vd_prop_array_new();
    vd_prop *inner = vd_prop_object_new();
    g_autofree char *json = NULL;

    vd_prop_append(arr, vd_prop_string_new("a"));
    vd_prop_append(arr, vd_prop_string_new(NULL));
    vd_prop_add_null(inner, "x");
    vd_prop_append(arr, inner);
    vd_prop_add_prop(o, "arr", arr);
    vd_prop_add_prop(o, "skipped", NULL);
    json = vd_prop_to_json_string(o);
    assert_string_equal(json, "{\"arr\":[\"a\",\"\",{\"x\":null}]}");
}

/* Each item gives an option and its JSON on the command line, and a QMP
 * command wrapping the very same JSON. */
static void
test_args_argv_and_qmp_share_json(void **state)
{
    g_autoptr(vdisk_qemu_args) args = vd_qemu_args_new(1);
    vd_prop *obj = vd_prop_object_new();
    vd_prop *dev = vd_prop_object_new();
    unsigned int i;

    vd_prop_add_str(obj, "qom-type", "secret");
    vd_prop_add_str(obj, "id", "s0");
    vd_qemu_args_add(args, VD_QEMU_ITEM_OBJECT, obj);
    for (i = 0; i < 100; i++) {
        vd_prop *bd = vd_prop_object_new();

        vd_prop_add_str(bd, "driver", "file");
        vd_prop_add_uint(bd, "i", i);
        vd_qemu_args_add(args, VD_QEMU_ITEM_BLOCKDEV, bd);
    }
    vd_prop_add_str(dev, "driver", "virtio-blk-pci");
    vd_qemu_args_add(args, VD_QEMU_ITEM_DEVICE, dev);
    vd_qemu_args_render(args);

    assert_int_equal(vdisk_qemu_args_count(args), 2 * 102);
    assert_int_equal(vdisk_qemu_args_qmp_count(args), 102);
    assert_string_equal(vdisk_qemu_args_get(args, 0), "-object");
    assert_string_equal(vdisk_qemu_args_get(args, 1), "{\"qom-type\":\"secret\",\"id\":\"s0\"}");
    assert_string_equal(vdisk_qemu_args_qmp_get(args, 0),
                        "{\"execute\":\"object-add\",\"arguments\":"
                        "{\"qom-type\":\"secret\",\"id\":\"s0\"}}");
    assert_string_equal(vdisk_qemu_args_get(args, 2 * 100), "-blockdev");
    assert_string_equal(vdisk_qemu_args_get(args, 2 * 100 + 1), "{\"driver\":\"file\",\"i\":99}");
    assert_string_equal(vdisk_qemu_args_qmp_get(args, 100),
                        "{\"execute\":\"blockdev-add\",\"arguments\":"
                        "{\"driver\":\"file\",\"i\":99}}");
    assert_string_equal(vdisk_qemu_args_get(args, 2 * 101), "-device");
    assert_string_equal(vdisk_qemu_args_qmp_get(args, 101),
                        "{\"execute\":\"device_add\",\"arguments\":"
                        "{\"driver\":\"virtio-blk-pci\"}}");
    assert_null(vdisk_qemu_args_get(args, 2 * 102));
    assert_null(vdisk_qemu_args_qmp_get(args, 102));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_and_long_members_render_in_order),
        cmocka_unit_test(test_number_extremes),
        cmocka_unit_test(test_nested_containers),
        cmocka_unit_test(test_args_argv_and_qmp_share_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
