/*
 * test-disk-order.c: vd_disk_insert_order() puts disks where libvirt's
 * virDomainDiskInsert() does, one by one, for any mix of buses, target
 * indices (repeated, invalid) and disks without a target
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

#include "conf/conf.h"

/* libvirt's loop, literally: scan the disks inserted so far backwards. */
static void
reference_order(const vd_order_key *keys, size_t n, size_t *order)
{
    size_t len = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        long at = -1;
        long j;

        for (j = (long)len - 1; j >= 0; j--) {
            const vd_order_key *o = &keys[order[j]];

            if (o->bus != keys[i].bus)
                continue;
            if (o->targeted && keys[i].targeted && o->index > keys[i].index)
                at = j;
            else if (at == -1)
                at = j + 1;
        }
        if (at < 0)
            at = (long)len;
        memmove(order + at + 1, order + at, (len - (size_t)at) * sizeof(*order));
        order[at] = i;
        len++;
    }
}

/* vd_disk_insert_order() of @keys, checked against libvirt's loop. */
static void
expect_libvirts_order(const vd_order_key *keys, size_t n, unsigned int round)
{
    g_autofree size_t *want = g_new0(size_t, n + 1);
    g_autofree size_t *got = g_new0(size_t, n + 1);
    size_t i;

    reference_order(keys, n, want);
    vd_disk_insert_order(keys, n, got);
    for (i = 0; i < n; i++) {
        if (want[i] != got[i])
            fail_msg("round %u: position %zu is disk %zu, libvirt's loop says %zu", round, i,
                     got[i], want[i]);
    }
}

static void
test_random_domains_match_libvirts_loop(void **state)
{
    GRand *rnd = g_rand_new_with_seed(20261201);
    unsigned int round;

    for (round = 0; round < 3000; round++) {
        size_t n = (size_t)g_rand_int_range(rnd, 0, 40);
        g_autofree vd_order_key *keys = g_new0(vd_order_key, n + 1);
        size_t i;

        for (i = 0; i < n; i++) {
            keys[i].bus = (guint)g_rand_int_range(rnd, 0, 4);
            keys[i].targeted = g_rand_int_range(rnd, 0, 8) != 0;
            keys[i].index = keys[i].targeted ? g_rand_int_range(rnd, -1, 12) : -1;
        }
        expect_libvirts_order(keys, n, round);
    }
    g_rand_free(rnd);
}

/* Disks that come in index order on their bus until one does not, as
 * when a disk is added to a domain: the order is libvirt's both while the
 * bus keeps its disks in a plain array and once it has made its tree. */
static void
test_in_order_then_not(void **state)
{
    GRand *rnd = g_rand_new_with_seed(20261202);
    unsigned int round;

    for (round = 0; round < 1000; round++) {
        size_t n = (size_t)g_rand_int_range(rnd, 1, 120);
        g_autofree vd_order_key *keys = g_new0(vd_order_key, n);
        int next[3] = {0, 0, 0};
        size_t i;

        for (i = 0; i < n; i++) {
            guint bus = (guint)g_rand_int_range(rnd, 0, 3);

            keys[i].bus = bus;
            keys[i].targeted = true;
            /* mostly the next index (or the same one again), now and then
             * an earlier one */
            if (g_rand_int_range(rnd, 0, 20) == 0)
                keys[i].index = g_rand_int_range(rnd, 0, next[bus] + 1);
            else
                keys[i].index = next[bus] += g_rand_int_range(rnd, 0, 3);
        }
        expect_libvirts_order(keys, n, round);
    }
    g_rand_free(rnd);
}

/* A large sorted and a large reversed domain finish (linear-ish cost). */
static void
test_large_domains(void **state)
{
    size_t n = 200000;
    g_autofree vd_order_key *keys = g_new0(vd_order_key, n);
    g_autofree size_t *order = g_new0(size_t, n);
    size_t i;

    for (i = 0; i < n; i++) {
        keys[i].bus = (guint)(i % 2);
        keys[i].targeted = true;
        keys[i].index = (int)(n - i);
    }
    vd_disk_insert_order(keys, n, order);
    /* each bus ends up in ascending index order: the last disks first */
    assert_int_equal(order[0], n - 2);
    for (i = 0; i < n; i++) {
        keys[i].index = (int)i;
    }
    vd_disk_insert_order(keys, n, order);
    for (i = 0; i < n / 2; i++) {
        assert_int_equal(order[i], 2 * i);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_domains_match_libvirts_loop),
        cmocka_unit_test(test_in_order_then_not),
        cmocka_unit_test(test_large_domains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
