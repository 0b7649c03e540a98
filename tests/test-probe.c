/*
 * test-probe.c: image formats are recognised from headers qemu-img writes;
 * formats libvirt has no name for, cut headers and missing files are refused
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "vdisk/hotplug.h"
#include "util/error.h"

static char *tmpdir;

static int
setup(void **state)
{
    g_autoptr(GError) gerr = NULL;
    g_autofree char *qemu_img = g_find_program_in_path("qemu-img");

    if (!qemu_img) {
        fprintf(stderr, "qemu-img not found\n");
        return -1;
    }
    tmpdir = g_dir_make_tmp("vdtest-probe-XXXXXX", &gerr);
    return tmpdir ? 0 : -1;
}

static int
teardown(void **state)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

    if (system(cmd) != 0)
        return -1;
    g_free(tmpdir);
    return 0;
}

/* Creates an image with `qemu-img create -f FMT [EXTRA] PATH 1M`. */
static char *
make_image(const char *fmt, const char *extra)
{
    char *path = g_strdup_printf("%s/img.%s", tmpdir, fmt);
    g_autofree char *cmd =
        g_strdup_printf("qemu-img create -q -f %s %s '%s' 1M", fmt, extra ? extra : "", path);

    int tries;

    /* luks measures its key derivation speed, which a loaded host can make
     * fail ("Unable to get accurate CPU usage"): try again */
    for (tries = 0; system(cmd) != 0; tries++) {
        if (tries == 4) {
            g_free(path);
            fail_msg("%s failed", cmd);
        }
        g_usleep(200000);
    }
    return path;
}

static void
assert_probes_as(const char *path, vdisk_format want, const char *want_name, bool guessed)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *name = NULL;
    vdisk_format format = VDISK_FORMAT_LAST;
    unsigned int flags = 42;

    assert_int_equal(vdisk_image_probe_format(path, &format, &flags, &err), 0);
    assert_null(err);
    assert_int_equal(format, want);
    assert_int_equal(flags, guessed ? VDISK_PROBE_GUESSED : 0);
    flags = 42;
    assert_int_equal(vdisk_image_probe_format_name(path, &name, &flags, &err), 0);
    assert_string_equal(name, want_name);
    assert_int_equal(flags, guessed ? VDISK_PROBE_GUESSED : 0);
}

static void
assert_probe_refused(const char *path, vdisk_error_code code, const char *needle)
{
    g_autoptr(vdisk_error) err = NULL;
    vdisk_format format = VDISK_FORMAT_LAST;

    assert_int_equal(vdisk_image_probe_format(path, &format, NULL, &err), -1);
    assert_non_null(err);
    assert_int_equal(vdisk_error_get_code(err), code);
    assert_true(g_str_has_prefix(vdisk_error_get_message(err), "vdisk_image_probe_format: "));
    if (!strstr(vdisk_error_get_message(err), needle))
        fail_msg("message '%s' lacks '%s'", vdisk_error_get_message(err), needle);
    assert_non_null(strstr(vdisk_error_get_message(err), path));
    assert_int_equal(format, VDISK_FORMAT_LAST); /* untouched */
}

static void
test_qcow2_v3_recognised(void **state)
{
    g_autofree char *p = make_image("qcow2", NULL);

    assert_probes_as(p, VDISK_FORMAT_QCOW2, "qcow2", false);
}

static void
test_qcow2_v2_compat_recognised(void **state)
{
    g_autofree char *p = make_image("qcow2", "-o compat=0.10");

    assert_probes_as(p, VDISK_FORMAT_QCOW2, "qcow2", false);
}

static void
test_qcow_v1_is_not_qcow2(void **state)
{
    g_autofree char *p = make_image("qcow", NULL);

    assert_probes_as(p, VDISK_FORMAT_QCOW, "qcow", false);
}

static void
test_qed_recognised(void **state)
{
    g_autofree char *p = make_image("qed", NULL);

    assert_probes_as(p, VDISK_FORMAT_QED, "qed", false);
}

static void
test_vmdk_sparse_recognised(void **state)
{
    g_autofree char *p = make_image("vmdk", NULL);

    assert_probes_as(p, VDISK_FORMAT_VMDK, "vmdk", false);
}

static void
test_vmdk_descriptor_recognised(void **state)
{
    g_autofree char *p = make_image("vmdk", "-o subformat=monolithicFlat");

    /* img.vmdk is the text descriptor; the data lives in img-flat.vmdk */
    assert_probes_as(p, VDISK_FORMAT_VMDK, "vmdk", false);
}

static void
test_vdi_recognised(void **state)
{
    g_autofree char *p = make_image("vdi", NULL);

    assert_probes_as(p, VDISK_FORMAT_VDI, "vdi", false);
}

static void
test_vpc_dynamic_recognised(void **state)
{
    g_autofree char *p = make_image("vpc", NULL);

    assert_probes_as(p, VDISK_FORMAT_VPC, "vpc", false);
}

static void
test_vpc_fixed_recognised_by_footer(void **state)
{
    g_autofree char *p = make_image("vpc", "-o subformat=fixed");

    assert_probes_as(p, VDISK_FORMAT_VPC, "vpc", false);
}

static void
test_vhdx_refused_with_name(void **state)
{
    g_autofree char *p = make_image("vhdx", NULL);
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *name = NULL;

    assert_probe_refused(p, VDISK_ERR_UNSUPPORTED, "is a vhdx image");
    assert_int_equal(vdisk_image_probe_format_name(p, &name, NULL, &err), 0);
    assert_string_equal(name, "vhdx");
}

static void
test_luks_refused_with_name(void **state)
{
    g_autofree char *p = make_image("luks", "--object secret,id=s,data=x -o key-secret=s");
    g_autoptr(vdisk_error) err = NULL;
    g_autofree char *name = NULL;

    assert_probe_refused(p, VDISK_ERR_UNSUPPORTED, "is a luks image");
    assert_probe_refused(p, VDISK_ERR_UNSUPPORTED, "<encryption format='luks'>");
    assert_int_equal(vdisk_image_probe_format_name(p, &name, NULL, &err), 0);
    assert_string_equal(name, "luks");
}

static void
test_raw_is_a_guess(void **state)
{
    g_autofree char *p = make_image("raw", NULL);

    assert_probes_as(p, VDISK_FORMAT_RAW, "raw", true);
}

static void
test_empty_file_is_a_raw_guess(void **state)
{
    g_autofree char *p = g_strdup_printf("%s/empty", tmpdir);

    assert_true(g_file_set_contents(p, "", 0, NULL));
    assert_probes_as(p, VDISK_FORMAT_RAW, "raw", true);
}

static void
test_cut_qcow2_header_refused(void **state)
{
    g_autofree char *p = make_image("qcow2", NULL);
    g_autofree char *cut = g_strdup_printf("%s/cut.qcow2", tmpdir);
    g_autofree char *data = NULL;
    gsize len;

    assert_true(g_file_get_contents(p, &data, &len, NULL));
    assert_true(len > 6);
    assert_true(g_file_set_contents(cut, data, 6, NULL));
    assert_probe_refused(cut, VDISK_ERR_INVALID, "cut short (6 bytes)");
}

static void
test_truncated_qcow2_body_still_qcow2(void **state)
{
    g_autofree char *p = make_image("qcow2", NULL);

    /* A complete header says what the file is meant to be, even when
     * the clusters behind it are gone. */
    assert_int_equal(truncate(p, 512), 0);
    assert_probes_as(p, VDISK_FORMAT_QCOW2, "qcow2", false);
}

static void
test_missing_file_not_found(void **state)
{
    g_autofree char *p = g_strdup_printf("%s/does-not-exist.img", tmpdir);

    assert_probe_refused(p, VDISK_ERR_NOT_FOUND, "No such file");
}

static void
test_directory_is_dir(void **state)
{
    assert_probes_as(tmpdir, VDISK_FORMAT_DIR, "dir", false);
}

static void
test_bad_arguments_refused(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    g_autoptr(vdisk_error) err2 = NULL;
    vdisk_format format;

    assert_int_equal(vdisk_image_probe_format(NULL, &format, NULL, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_int_equal(vdisk_image_probe_format(tmpdir, NULL, NULL, &err2), -1);
    assert_int_equal(vdisk_error_get_code(err2), VDISK_ERR_INVALID_ARG);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qcow2_v3_recognised),
        cmocka_unit_test(test_qcow2_v2_compat_recognised),
        cmocka_unit_test(test_qcow_v1_is_not_qcow2),
        cmocka_unit_test(test_qed_recognised),
        cmocka_unit_test(test_vmdk_sparse_recognised),
        cmocka_unit_test(test_vmdk_descriptor_recognised),
        cmocka_unit_test(test_vdi_recognised),
        cmocka_unit_test(test_vpc_dynamic_recognised),
        cmocka_unit_test(test_vpc_fixed_recognised_by_footer),
        cmocka_unit_test(test_vhdx_refused_with_name),
        cmocka_unit_test(test_luks_refused_with_name),
        cmocka_unit_test(test_raw_is_a_guess),
        cmocka_unit_test(test_empty_file_is_a_raw_guess),
        cmocka_unit_test(test_cut_qcow2_header_refused),
        cmocka_unit_test(test_truncated_qcow2_body_still_qcow2),
        cmocka_unit_test(test_missing_file_not_found),
        cmocka_unit_test(test_directory_is_dir),
        cmocka_unit_test(test_bad_arguments_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
