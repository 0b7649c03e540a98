/*
 * test-error.c: error objects name the outermost public call
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/error.h"
#include "vdisk/vdisk.h"

/* A public-style call that calls another public-style call internally. */
static int
inner_api(vdisk_error **err)
{
    VD_API_ENTER();
    return vd_fail(err, VDISK_ERR_INVALID, "target 'vda': bad value 'x'");
}

static int
outer_api(vdisk_error **err)
{
    VD_API_ENTER();
    return inner_api(err);
}

static void
test_outermost_call_names_the_error(void **state)
{
    g_autoptr(vdisk_error) err = NULL;

    (void)state;
    assert_int_equal(outer_api(&err), -1);
    assert_string_equal(vdisk_error_get_message(err), "outer_api: target 'vda': bad value 'x'");
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID);
    /* after the call returned, no name lingers */
    assert_null(vd_error_get_context());
}

static void
test_domain_error_keeps_domain_call_name(void **state)
{
    g_autoptr(vdisk_error) err = NULL;
    vdisk_domain *dom = NULL;

    (void)state;
    /* the domain parser calls public helpers (target names) internally */
    assert_int_equal(vdisk_domain_from_xml(&dom,
                                           "<domain type='kvm'><name>d</name><memory>1</memory>"
                                           "<devices><disk type='file' device='disk'>"
                                           "<target dev='vdb'/></disk></devices></domain>",
                                           &err),
                     -1);
    assert_null(dom);
    assert_true(g_str_has_prefix(vdisk_error_get_message(err), "vdisk_domain_from_xml: "));
}

static void
test_no_error_object_is_fine(void **state)
{
    (void)state;
    assert_int_equal(outer_api(NULL), -1);
    assert_string_equal(vdisk_error_get_message(NULL), "no error");
    assert_int_equal(vdisk_error_get_code(NULL), VDISK_ERR_OK);
    assert_string_equal(vdisk_error_code_name(VDISK_ERR_UNSUPPORTED), "unsupported");
    assert_string_equal(vdisk_error_code_name(VDISK_ERR_TRANSIENT), "transient");
    assert_string_equal(vdisk_error_code_name(VDISK_ERR_CANCELLED), "cancelled");
    assert_string_equal(vdisk_error_code_name(VDISK_ERR_LAST), "unknown");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outermost_call_names_the_error),
        cmocka_unit_test(test_domain_error_keeps_domain_call_name),
        cmocka_unit_test(test_no_error_object_is_fine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
