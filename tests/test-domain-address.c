/*
 * test-domain-address.c: a new domain's virtio disks and disk controllers
 * get the PCI slots libvirt's QEMU driver gives them at define time
 *
 * Expected addresses come from libvirt 9.0 (`virsh define`, then `virsh
 * dumpxml`, QEMU driver, qemu-system-x86_64 7.2); the corpus cases are
 * tests/data/qemu/NNN-name.addressed.xml.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "vdisk/domain.h"
#include "test-placement.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_domain, vdisk_domain_free)

#define DISK(src, dev, bus)                                                                        \
    "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"                             \
    "<source file='/var/lib/vdisk-test/" src "'/><target dev='" dev "' bus='" bus "'/></disk>"

static void
assert_controller_at(vdisk_domain *dom, vdisk_controller_type type, unsigned int bus,
                     unsigned int slot, unsigned int function)
{
    const vdisk_controller *ctrl = vdisk_domain_find_controller(dom, type, 0);
    unsigned int a[4] = {9, 9, 9, 9};

    assert_non_null(ctrl);
    assert_int_equal(vdisk_controller_get_address_pci(ctrl, &a[0], &a[1], &a[2], &a[3]), 0);
    assert_int_equal(a[1], bus);
    assert_int_equal(a[2], slot);
    assert_int_equal(a[3], function);
}

/* 001: the only device of a pc domain takes slot 2, after the PIIX3 on slot 1 */
static void
test_pc_first_virtio_disk_takes_slot_2(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "pc", DISK("a.img", "vda", "virtio") "<memballoon model='none'/>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 0, 2);
}

/* 081: SCSI controllers come before virtio disks; IDE sits on the PIIX3 */
static void
test_pc_scsi_controller_before_virtio_disks(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "pc", DISK("a.img", "vda", "virtio") DISK("b.img", "vdb", "virtio")
                       DISK("c.img", "hdc", "ide") DISK("d.img", "sda", "scsi")
                       "<memballoon model='none'/>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 0, 3);
    placement_assert_disk_at(dom, "vdb", 0, 4);
    assert_controller_at(dom, VDISK_CONTROLLER_SCSI, 0, 2, 0);
    assert_controller_at(dom, VDISK_CONTROLLER_IDE, 0, 1, 1);
}

/* 114: an all-zero PCI address asks for one */
static void
test_pc_zero_address_is_reassigned(void **state)
{
    g_autoptr(vdisk_domain) dom = placement_load("x86_64", 
        "pc", "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
              "<source file='/var/lib/vdisk-test/a.img'/><target dev='vda' bus='virtio'/>"
              "<address type='pci' domain='0x0000' bus='0x00' slot='0x00' function='0x0'/>"
              "</disk><memballoon model='none'/>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 0, 2);
}

/* the other devices count: net first, then controllers, disks, the
 * implicit memballoon, rng (virsh dumpxml: net 2, scsi 3, vda 4) */
static void
test_pc_net_and_scsi_push_the_disk(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "pc", DISK("a.img", "vda", "virtio") "<controller type='scsi' model='virtio-scsi'/>"
                   DISK("b.img", "sda", "scsi")
                   "<interface type='user'><model type='virtio'/></interface>"
                   "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 0, 4);
    assert_controller_at(dom, VDISK_CONTROLLER_SCSI, 0, 3, 0);
}

/* 019: on q35 the xHCI controller takes the first root port, the disk the second */
static void
test_q35_virtio_disk_gets_a_root_port(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "q35", DISK("a.img", "vda", "virtio") "<memballoon model='none'/>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 2, 0);
    assert_controller_at(dom, VDISK_CONTROLLER_USB, 1, 0, 0);
    assert_controller_at(dom, VDISK_CONTROLLER_SATA, 0, 0x1f, 2);
}

/* same devices as the pc case on q35 (virsh dumpxml: net on bus 1, scsi 2,
 * usb 3, vda 4, memballoon 5, rng 6) */
static void
test_q35_devices_fill_root_ports_in_order(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "q35", DISK("a.img", "vda", "virtio") "<controller type='scsi' model='virtio-scsi'/>"
                    DISK("b.img", "sda", "scsi")
                    "<interface type='user'><model type='virtio'/></interface>"
                    "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 4, 0);
    assert_controller_at(dom, VDISK_CONTROLLER_SCSI, 2, 0, 0);
}

/* 096: an explicit root port holding the disk; xHCI goes to the added one */
static void
test_q35_explicit_root_port_is_kept(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "q35", "<controller type='pci' index='1' model='pcie-root-port'/>"
                    "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                    "<source file='/var/lib/vdisk-test/a.img'/><target dev='vda' bus='virtio'/>"
                    "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>"
                    "</disk><memballoon model='none'/>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 1, 0);
    assert_controller_at(dom, VDISK_CONTROLLER_USB, 2, 0, 0);
}

/* 084: a conventional PCI controller on q35 goes behind a pcie-to-pci-bridge */
static void
test_q35_second_ahci_behind_pcie_to_pci_bridge(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "q35", "<controller type='sata' index='1'/>"
                    "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                    "<source file='/var/lib/vdisk-test/a.img'/><target dev='sda' bus='sata'/>"
                    "<address type='drive' controller='1' bus='0' target='0' unit='2'/>"
                    "</disk><memballoon model='none'/>");
    const vdisk_controller *ctrl = vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SATA, 1);
    unsigned int a[4];

    (void)state;
    assert_non_null(ctrl);
    assert_int_equal(vdisk_controller_get_address_pci(ctrl, &a[0], &a[1], &a[2], &a[3]), 0);
    assert_int_equal(a[1], 2);
    assert_int_equal(a[2], 1);
    assert_controller_at(dom, VDISK_CONTROLLER_USB, 3, 0, 0);
}

/* the primary video takes slot 2 on pc, as libvirt gives it; the disk the next one */
static void
test_pc_primary_video_takes_slot_2(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("x86_64", "pc", DISK("a.img", "vda", "virtio") "<video><model type='vga'/></video>"
                   "<memballoon model='none'/>");
    unsigned int a[4];

    (void)state;
    assert_int_equal(
        vdisk_disk_get_address_pci(vdisk_domain_find_disk(dom, "vda"), &a[0], &a[1], &a[2], &a[3]),
        0);
    assert_int_equal(a[1], 0);
    assert_int_equal(a[2], 3);
}

/* a device whose placement is not modelled: a disk that needs an address
 * is refused, naming the device, rather than given another address */
static void
test_unmodelled_device_refuses_unaddressed_disk(void **state)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>vdtest</name><memory unit='MiB'>64</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>%s</devices></domain>",
        DISK("a.img", "vda", "virtio") "<crypto model='virtio' type='qemu'>"
                                       "<backend model='builtin' queues='1'/></crypto>");
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_domain_from_xml(&dom, xml, &err), -1);
    assert_null(dom);
    assert_non_null(strstr(vdisk_error_get_message(err), "'vda'"));
    assert_non_null(strstr(vdisk_error_get_message(err), "<crypto"));
    assert_non_null(strstr(vdisk_error_get_message(err), "dumpxml"));
    vdisk_error_free(err);
}

/* libvirt 9.0 `virsh define` + `dumpxml --inactive`: sdb keeps the port it
 * names, sda gets the next free one of piix3-uhci's two. */
static void
test_usb_disk_takes_first_free_port(void **state)
{
    vdisk_domain *dom = placement_load("x86_64", "pc", "<disk type='file' device='disk'><source file='/tmp/u1'/>"
                                   "<target dev='sda' bus='usb'/></disk>"
                                   "<disk type='file' device='disk'><source file='/tmp/u2'/>"
                                   "<target dev='sdb' bus='usb'/>"
                                   "<address type='usb' bus='0' port='1'/></disk>"
                                   "<memballoon model='none'/>");
    unsigned int bus = 9;
    const char *port = NULL;

    (void)state;
    assert_int_equal(vdisk_disk_get_address_usb(vdisk_domain_find_disk(dom, "sda"), &bus, &port),
                     0);
    assert_int_equal(bus, 0);
    assert_string_equal(port, "2");
    vdisk_domain_free(dom);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pc_first_virtio_disk_takes_slot_2),
        cmocka_unit_test(test_pc_scsi_controller_before_virtio_disks),
        cmocka_unit_test(test_pc_zero_address_is_reassigned),
        cmocka_unit_test(test_pc_net_and_scsi_push_the_disk),
        cmocka_unit_test(test_q35_virtio_disk_gets_a_root_port),
        cmocka_unit_test(test_q35_devices_fill_root_ports_in_order),
        cmocka_unit_test(test_q35_explicit_root_port_is_kept),
        cmocka_unit_test(test_q35_second_ahci_behind_pcie_to_pci_bridge),
        cmocka_unit_test(test_pc_primary_video_takes_slot_2),
        cmocka_unit_test(test_unmodelled_device_refuses_unaddressed_disk),
        cmocka_unit_test(test_usb_disk_takes_first_free_port),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
