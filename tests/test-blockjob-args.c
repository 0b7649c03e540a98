/*
 * test-blockjob-args.c: the parts of <vdisk/blockjob.h> that need no domain:
 * sizes, options, job status objects, and the refusals made before libvirt
 * is asked (tests/blockjob runs the calls on real domains)
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
#include "vdisk/blockjob.h"

static void
check_size(const char *text, unsigned long long bytes, int sign)
{
    g_autoptr(vdisk_error) err = NULL;
    unsigned long long got = 1;
    int got_sign = 7;

    if (vdisk_size_parse(text, &got, &got_sign, &err) < 0)
        fail_msg("'%s' refused: %s", text, vdisk_error_get_message(err));
    if (got != bytes || got_sign != sign)
        fail_msg("'%s': %llu sign %d, expected %llu sign %d", text, got, got_sign, bytes, sign);
}

static void
check_size_refused(const char *text)
{
    g_autoptr(vdisk_error) err = NULL;
    unsigned long long got = 0;
    int sign = 0;

    assert_int_equal(vdisk_size_parse(text, &got, &sign, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    /* the message quotes the text */
    assert_non_null(strstr(vdisk_error_get_message(err), text));
}

static void
test_sizes(void **state)
{
    (void)state;
    check_size("0", 0, 0);
    check_size("1073741824", 1073741824ULL, 0);
    check_size("10G", 10ULL << 30, 0);
    check_size("10g", 10ULL << 30, 0);
    check_size("10GiB", 10ULL << 30, 0);
    check_size("10GB", 10ULL << 30, 0);
    check_size("+512M", 512ULL << 20, 1);
    check_size("-1G", 1ULL << 30, -1);
    check_size("3K", 3072, 0);
    check_size("2T", 2ULL << 40, 0);
    check_size("1P", 1ULL << 50, 0);
    check_size("15E", 15ULL << 60, 0);
    check_size("18446744073709551615", 18446744073709551615ULL, 0);
}

static void
test_sizes_refused(void **state)
{
    (void)state;
    check_size_refused("");
    check_size_refused("+");
    check_size_refused("G");
    check_size_refused("10X");
    check_size_refused("10 G");
    check_size_refused("1.5G");
    check_size_refused("10Gx");
    check_size_refused("--1G");
    check_size_refused("0x10");
    check_size_refused("16E");
    check_size_refused("18446744073709551616");
    check_size_refused("99999999999999999999999");
}

static void
test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(vdisk_job_kind_name(VDISK_JOB_NONE), "none");
    assert_string_equal(vdisk_job_kind_name(VDISK_JOB_PULL), "pull");
    assert_string_equal(vdisk_job_kind_name(VDISK_JOB_COPY), "copy");
    assert_string_equal(vdisk_job_kind_name(VDISK_JOB_COMMIT), "commit");
    assert_string_equal(vdisk_job_kind_name(VDISK_JOB_ACTIVE_COMMIT), "active-commit");
    assert_string_equal(vdisk_job_kind_name(VDISK_JOB_BACKUP), "backup");
    assert_string_equal(vdisk_job_kind_name(VDISK_JOB_UNKNOWN), "unknown");
    assert_string_equal(vdisk_job_kind_name((vdisk_job_kind)99), "unknown");
    assert_string_equal(vdisk_error_code_name(VDISK_ERR_CANCELLED), "cancelled");
}

static void
test_null_objects(void **state)
{
    (void)state;
    /* getters of no status read as "no job" */
    assert_null(vdisk_job_status_get_target(NULL));
    assert_int_equal(vdisk_job_status_get_kind(NULL), VDISK_JOB_NONE);
    assert_int_equal(vdisk_job_status_get_cur(NULL), 0);
    assert_int_equal(vdisk_job_status_get_end(NULL), 0);
    assert_int_equal(vdisk_job_status_get_ready(NULL), 0);
    assert_null(vdisk_job_status_get_phase(NULL));
    vdisk_job_status_free(NULL);
    /* options: NULL is ignored everywhere */
    vdisk_job_opts_set_timeout(NULL, 5);
    vdisk_job_opts_set_progress(NULL, NULL, NULL);
    vdisk_job_opts_set_bandwidth(NULL, 1);
    vdisk_job_opts_cancel(NULL);
    vdisk_job_opts_reset(NULL);
    vdisk_job_opts_free(NULL);
}

static void
test_opts(void **state)
{
    vdisk_job_opts *opts = vdisk_job_opts_new();

    (void)state;
    assert_non_null(opts);
    vdisk_job_opts_set_timeout(opts, -5);
    vdisk_job_opts_set_bandwidth(opts, 1 << 20);
    vdisk_job_opts_cancel(opts);
    vdisk_job_opts_reset(opts);
    vdisk_job_opts_free(opts);
}

/* Every call refuses a missing domain or target before loading libvirt. */
static void
test_refused_without_domain(void **state)
{
    vdisk_error *err = NULL;
    vdisk_job_status *st = (vdisk_job_status *)1;
    unsigned long long size = 0;

    (void)state;
#define REFUSED(call)                                                                              \
    do {                                                                                           \
        assert_int_equal((call), -1);                                                              \
        assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);                        \
        g_clear_pointer(&err, vdisk_error_free);                                                   \
    } while (0)
    REFUSED(vdisk_job_get(&st, NULL, "vda", &err));
    assert_null(st);
    REFUSED(vdisk_job_get(NULL, NULL, "vda", &err));
    REFUSED(vdisk_job_abort(NULL, "vda", 0, NULL, &err));
    REFUSED(vdisk_block_commit(NULL, "vda", NULL, NULL, 0, NULL, &err));
    REFUSED(vdisk_block_pull(NULL, "vda", NULL, 0, NULL, &err));
    REFUSED(vdisk_block_copy(NULL, "vda", "/tmp/x", VDISK_FORMAT_NONE, 0, NULL, &err));
    REFUSED(vdisk_block_resize(NULL, "vda", "+1G", 0, &size, &err));
    REFUSED(vdisk_snapshot_create(NULL, NULL, 0, NULL, NULL, 0, 0, NULL, NULL, &err));
#undef REFUSED
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),      cmocka_unit_test(test_sizes_refused),
        cmocka_unit_test(test_kind_names), cmocka_unit_test(test_null_objects),
        cmocka_unit_test(test_opts),       cmocka_unit_test(test_refused_without_domain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
