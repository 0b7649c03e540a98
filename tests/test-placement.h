/*
 * test-placement.h: what the placement tests share: a domain read from its
 * devices, and where a disk was placed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_TEST_PLACEMENT_H
#define VDISK_TEST_PLACEMENT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "vdisk/domain.h"

/* A domain of @arch and @machine holding @devices, which must be accepted. */
static inline vdisk_domain *
placement_load(const char *arch, const char *machine, const char *devices)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>vdtest</name><memory unit='MiB'>256</memory>"
        "<os><type arch='%s' machine='%s'>hvm</type></os><devices>%s</devices></domain>",
        arch, machine, devices);
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_domain_from_xml(&dom, xml, &err), 0);
    assert_null(err);
    return dom;
}

/* The disk @target is at PCI 0000:@bus:@slot.0. */
static inline void
placement_assert_disk_at(vdisk_domain *dom, const char *target, unsigned int bus,
                         unsigned int slot)
{
    const vdisk_disk *disk = vdisk_domain_find_disk(dom, target);
    unsigned int a[4] = {9, 9, 9, 9};

    assert_non_null(disk);
    assert_int_equal(vdisk_disk_get_address_pci(disk, &a[0], &a[1], &a[2], &a[3]), 0);
    assert_int_equal(a[0], 0);
    assert_int_equal(a[1], bus);
    assert_int_equal(a[2], slot);
    assert_int_equal(a[3], 0);
}

#endif /* VDISK_TEST_PLACEMENT_H */
