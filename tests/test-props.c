/*
 * test-props.c: property trees render to the JSON libvirt 9.0 hands QEMU
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

/* Expected strings below are taken from `virsh domxml-to-native qemu-argv`
 * output of libvirt 9.0 for the same values. */
static void
test_blockdev_json_shape(void **state)
{
    g_autoptr(vd_prop) o = vd_prop_object_new();
    vd_prop *cache = vd_prop_object_new();
    g_autofree char *json = NULL;

    vd_prop_add_str(o, "driver", "file");
    vd_prop_add_str(o, "filename", "/tmp/a.qcow2");
    vd_prop_add_str(o, "node-name", "libvirt-3-storage");
    vd_prop_add_bool(cache, "direct", true);
    vd_prop_add_bool(cache, "no-flush", false);
    vd_prop_add_prop(o, "cache", cache);
    vd_prop_add_bool(o, "auto-read-only", true);
    vd_prop_add_str_opt(o, "discard", "unmap");
    vd_prop_add_str_opt(o, "skipped", NULL);
    vd_prop_add_uint_opt(o, "zero", 0);
    json = vd_prop_to_json_string(o);
    assert_string_equal(json, "{\"driver\":\"file\",\"filename\":\"/tmp/a.qcow2\","
                              "\"node-name\":\"libvirt-3-storage\",\"cache\":{\"direct\":true,"
                              "\"no-flush\":false},\"auto-read-only\":true,\"discard\":\"unmap\"}");
}

static void
test_json_escapes_like_yajl(void **state)
{
    g_autoptr(vd_prop) o = vd_prop_object_new();
    g_autofree char *json = NULL;

    vd_prop_add_str(o, "s", "a\"b\\c/d\n\t\x01\x1f\xc3\xa9,e");
    json = vd_prop_to_json_string(o);
    assert_string_equal(json, "{\"s\":\"a\\\"b\\\\c/d\\n\\t\\u0001\\u001F\xc3\xa9,e\"}");
}

/* The escaping yajl does, one byte at a time, to check the renderer's
 * word-at-a-time scan against. */
static void
reference_escape(GString *out, const char *s)
{
    const unsigned char *p;

    g_string_append_c(out, '"');
    for (p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04X", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
}

/* Every byte value, at every position of strings of 1 to 24 bytes (the
 * others plain, or next to bytes that borrow in the word scan), in keys
 * marked odd, string members and array elements. */
static void
test_json_escapes_every_byte_everywhere(void **state)
{
    static const char fillers[] = {'a', ' ', '!', '#', '[', ']', '\x7f', '\x80', '\xff', '\x21'};
    unsigned int c, len, pos, f;

    for (f = 0; f < sizeof(fillers); f++) {
        for (len = 1; len <= 24; len++) {
            for (pos = 0; pos < len; pos++) {
                for (c = 1; c < 256; c++) {
                    char s[32];
                    g_autoptr(vd_prop) o = vd_prop_object_new();
                    vd_prop *arr = vd_prop_array_new();
                    g_autofree char *json = NULL;
                    g_autoptr(GString) want = g_string_new("{");

                    memset(s, fillers[f], len);
                    s[len] = '\0';
                    s[pos] = (char)c;
                    vd_prop_add_str(o, "k", s);
                    vd_prop_add_str(o, s, "v");
                    vd_prop_mark_odd_key(o);
                    vd_prop_append(arr, vd_prop_string_new(s));
                    vd_prop_add_prop(o, "a", arr);
                    json = vd_prop_to_json_string(o);

                    g_string_append(want, "\"k\":");
                    reference_escape(want, s);
                    g_string_append_c(want, ',');
                    reference_escape(want, s);
                    g_string_append(want, ":\"v\",\"a\":[");
                    reference_escape(want, s);
                    g_string_append(want, "]}");
                    if (strcmp(json, want->str) != 0)
                        fail_msg("byte 0x%02x at %u of %u: %s, want %s", c, pos, len, json,
                                 want->str);
                }
            }
        }
    }
}

static void
test_tristate_and_arrays(void **state)
{
    g_autoptr(vd_prop) o = vd_prop_object_new();
    vd_prop *arr = vd_prop_array_new();
    vd_prop *h = vd_prop_object_new();
    g_autofree char *json = NULL;

    vd_prop_add_tristate_onoff(o, "write-cache", VDISK_TRISTATE_ON);
    vd_prop_add_tristate_onoff(o, "absent", VDISK_TRISTATE_DEFAULT);
    vd_prop_add_tristate_bool(o, "b", VDISK_TRISTATE_OFF);
    vd_prop_add_str(h, "host", "h1");
    vd_prop_add_str(h, "port", "6789");
    vd_prop_append(arr, h);
    vd_prop_add_prop(o, "server", arr);
    vd_prop_add_int(o, "n", -1);
    json = vd_prop_to_json_string(o);
    assert_string_equal(json, "{\"write-cache\":\"on\",\"b\":false,"
                              "\"server\":[{\"host\":\"h1\",\"port\":\"6789\"}],\"n\":-1}");
    assert_string_equal(vd_prop_get_str(o, "write-cache"), "on");
    assert_null(vd_prop_get(o, "absent"));
}

static void
test_shell_quoting_like_virsh(void **state)
{
    GString *b = g_string_new(NULL);

    vd_shell_quote_append(b, "-blockdev");
    g_string_append_c(b, ' ');
    vd_shell_quote_append(b, "{\"a\":\"it's\"}");
    g_string_append_c(b, ' ');
    vd_shell_quote_append(b, "");
    assert_string_equal(b->str, "-blockdev '{\"a\":\"it'\\''s\"}' ''");
    g_string_free(b, TRUE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blockdev_json_shape),
        cmocka_unit_test(test_json_escapes_like_yajl),
        cmocka_unit_test(test_json_escapes_every_byte_everywhere),
        cmocka_unit_test(test_tristate_and_arrays),
        cmocka_unit_test(test_shell_quoting_like_virsh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
