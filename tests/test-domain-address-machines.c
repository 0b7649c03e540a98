/*
 * test-domain-address-machines.c: the addresses libvirt's QEMU driver gives
 * a new domain's disks on the ARM and RISC-V virt machines (PCI behind
 * pcie-root-ports, or virtio-mmio), ARM vexpress (virtio-mmio) and ppc64
 * pseries (spapr-pci-host-bridges, spapr-vio), and the bus names QEMU sees
 *
 * Expected addresses follow libvirt 9.0's rules (qemuDomainAssignAddresses
 * with QEMU 7.2); each domain here was also defined on libvirt 9.0 and its
 * `virsh dumpxml --inactive` and `domxml-to-native qemu-argv` agree.
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
#include "vdisk/qemu.h"
#include "test-placement.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_domain, vdisk_domain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_qemu_args, vdisk_qemu_args_free)

#define DISK(dev, bus)                                                                             \
    "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"                             \
    "<source file='/var/lib/vdisk-test/" dev ".img'/><target dev='" dev "' bus='" bus "'/></disk>"

/* The -device argument of the disk with @id. */
static void
assert_device(const vdisk_domain *dom, const char *id, const char *expected)
{
    g_autoptr(vdisk_qemu_args) args = NULL;
    g_autofree char *needle = g_strdup_printf("\"id\":\"%s\"", id);
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, &err), 0);
    for (size_t i = 0; i < vdisk_qemu_args_count(args); i++) {
        const char *arg = vdisk_qemu_args_get(args, i);

        if (strstr(arg, needle)) {
            assert_string_equal(arg, expected);
            return;
        }
    }
    fail_msg("no device %s", id);
}

/* virt: every PCIe device gets a pcie-root-port of its own, in libvirt's
 * device order; no default memballoon on ARM */
static void
test_arm_virt_disk_behind_root_port(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("aarch64", "virt",
             DISK("vda", "virtio") "<interface type='user'/>"
                                   "<controller type='usb' model='qemu-xhci'/>");

    (void)state;
    /* net (virtio by default) on bus 1, the xHCI on 2, the disk on 3 */
    placement_assert_disk_at(dom, "vda", 3, 0);
    assert_device(dom, "virtio-disk0",
                  "{\"driver\":\"virtio-blk-pci\",\"bus\":\"pci.3\",\"addr\":\"0x0\","
                  "\"drive\":\"libvirt-1-format\",\"id\":\"virtio-disk0\",\"bootindex\":1}");
}

/* virt: a conventional PCI device (the lsilogic SCSI default) needs a
 * pcie-root-port with a pcie-to-pci-bridge, buses 1 and 2; the next
 * PCIe device takes root port 3 */
static void
test_arm_virt_pci_device_adds_bridge(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("aarch64", "virt", DISK("vda", "virtio") DISK("sda", "scsi"));
    const vdisk_controller *scsi = vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SCSI, 0);
    unsigned int a[4] = {9, 9, 9, 9};

    (void)state;
    placement_assert_disk_at(dom, "vda", 3, 0);
    assert_non_null(scsi);
    assert_int_equal(vdisk_controller_get_address_pci(scsi, &a[0], &a[1], &a[2], &a[3]), 0);
    assert_int_equal(a[1], 2);
    assert_int_equal(a[2], 1);
    assert_device(dom, "scsi0-0-0",
                  "{\"driver\":\"scsi-hd\",\"bus\":\"scsi0.0\",\"scsi-id\":0,"
                  "\"device_id\":\"drive-scsi0-0-0\",\"drive\":\"libvirt-1-format\","
                  "\"id\":\"scsi0-0-0\"}");
}

/* virt: once a device sits on virtio-mmio, the virtio devices without an
 * address go there too; the xHCI stays on PCI */
static void
test_arm_virt_mmio_when_in_use(void **state)
{
    g_autoptr(vdisk_domain) dom = placement_load(
        "aarch64", "virt",
        DISK("vda", "virtio") DISK("vdb", "virtio") "<interface type='user'><model type='virtio'/>"
                                                    "<address type='virtio-mmio'/></interface>"
                                                    "<controller type='usb' model='qemu-xhci'/>");

    (void)state;
    assert_int_equal(vdisk_disk_get_address_type(vdisk_domain_find_disk(dom, "vda")),
                     VDISK_ADDRESS_VIRTIO_MMIO);
    assert_int_equal(vdisk_disk_get_address_type(vdisk_domain_find_disk(dom, "vdb")),
                     VDISK_ADDRESS_VIRTIO_MMIO);
    assert_device(dom, "virtio-disk1",
                  "{\"driver\":\"virtio-blk-device\",\"drive\":\"libvirt-1-format\","
                  "\"id\":\"virtio-disk1\"}");
}

/* vexpress has no PCI: virtio-mmio */
static void
test_arm_vexpress_mmio(void **state)
{
    g_autoptr(vdisk_domain) dom = placement_load("aarch64", "vexpress-a15", DISK("vda", "virtio"));

    (void)state;
    assert_int_equal(vdisk_disk_get_address_type(vdisk_domain_find_disk(dom, "vda")),
                     VDISK_ADDRESS_VIRTIO_MMIO);
}

/* RISC-V virt: as ARM virt, but with the default virtio memballoon; a
 * disk's address on the root bus is on "pcie.0" */
static void
test_riscv_virt(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("riscv64", "virt", DISK("vda", "virtio") "<interface type='user'/>");
    g_autoptr(vdisk_domain) root =
        placement_load("riscv64", "virt",
             "<disk type='file' device='disk'><source file='/var/lib/vdisk-test/a.img'/>"
             "<target dev='vda' bus='virtio'/>"
             "<address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/></disk>"
             "<memballoon model='none'/>");

    (void)state;
    placement_assert_disk_at(dom, "vda", 2, 0);
    assert_device(root, "virtio-disk0",
                  "{\"driver\":\"virtio-blk-pci\",\"bus\":\"pcie.0\",\"addr\":\"0x1\","
                  "\"drive\":\"libvirt-1-format\",\"id\":\"virtio-disk0\",\"bootindex\":1}");
}

/* pseries: slots of the PHB from 1 (the implicit qemu-xhci first); a full
 * PHB makes libvirt add another one, whose bus is "pci.1.0" */
static void
test_pseries_phb_growth(void **state)
{
    GString *devs = g_string_new(NULL);
    g_autofree char *xml = NULL;
    g_autoptr(vdisk_domain) dom = NULL;

    (void)state;
    for (int i = 0; i < 33; i++) {
        g_autofree char *dev =
            i < 26 ? g_strdup_printf("vd%c", 'a' + i) : g_strdup_printf("vda%c", 'a' + (i - 26));

        g_string_append_printf(devs,
                               "<disk type='file' device='disk'><source file='/var/lib/vdisk-test/"
                               "%s.img'/><target dev='%s' bus='virtio'/></disk>",
                               dev, dev);
    }
    xml = g_string_free(devs, FALSE);
    dom = placement_load("ppc64", "pseries", xml);
    placement_assert_disk_at(dom, "vda", 0, 2);
    placement_assert_disk_at(dom, "vdad", 0, 0x1f);
    placement_assert_disk_at(dom, "vdae", 1, 1);
    placement_assert_disk_at(dom, "vdag", 1, 3);
    assert_device(dom, "virtio-disk30",
                  "{\"driver\":\"virtio-blk-pci\",\"bus\":\"pci.1.0\",\"addr\":\"0x1\","
                  "\"drive\":\"libvirt-3-format\",\"id\":\"virtio-disk30\"}");
}

/* pseries: SCSI controllers default to ibmvscsi on spapr-vio, at reg
 * 0x2000 up in libvirt's controller order (the implicit one last); they
 * take no PCI slot */
static void
test_pseries_spapr_vio(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("ppc64", "pseries",
             DISK("sda", "scsi") DISK("sdh", "scsi") "<controller type='scsi' index='1'/>"
                                                     "<interface type='user'>"
                                                     "<model type='spapr-vlan'/></interface>" DISK(
                                                         "vda", "virtio") "<serial type='pty'/>");
    g_autofree char *xml = NULL;

    (void)state;
    placement_assert_disk_at(dom, "vda", 0, 2);
    assert_int_equal(vdisk_domain_to_xml(&xml, dom, NULL), 0);
    assert_non_null(strstr(xml, "<controller type='scsi' index='1'>\n"
                                "      <address type='spapr-vio' reg='0x00002000'/>"));
    assert_device(dom, "scsi1-0-0-0",
                  "{\"driver\":\"scsi-hd\",\"bus\":\"scsi1.0\",\"channel\":0,\"scsi-id\":0,"
                  "\"lun\":0,\"device_id\":\"drive-scsi1-0-0-0\",\"drive\":\"libvirt-2-format\","
                  "\"id\":\"scsi1-0-0-0\"}");
}

/* pseries: a reg the definition names twice is refused, as libvirt does */
static void
test_pseries_spapr_vio_clash(void **state)
{
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(
        vdisk_domain_from_xml(&dom,
                              "<domain type='qemu'><name>vdtest</name><memory>65536</memory>"
                              "<os><type arch='ppc64' machine='pseries'>hvm</type></os><devices>"
                              "<controller type='scsi' index='0'><address type='spapr-vio' "
                              "reg='0x4000'/></controller><controller type='scsi' index='1'>"
                              "<address type='spapr-vio' reg='0x4000'/></controller>"
                              "</devices></domain>",
                              &err),
        -1);
    assert_null(dom);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID);
    assert_non_null(
        strstr(vdisk_error_get_message(err), "spapr-vio address 0x4000 already in use"));
    vdisk_error_free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arm_virt_disk_behind_root_port),
        cmocka_unit_test(test_arm_virt_pci_device_adds_bridge),
        cmocka_unit_test(test_arm_virt_mmio_when_in_use),
        cmocka_unit_test(test_arm_vexpress_mmio),
        cmocka_unit_test(test_riscv_virt),
        cmocka_unit_test(test_pseries_phb_growth),
        cmocka_unit_test(test_pseries_spapr_vio),
        cmocka_unit_test(test_pseries_spapr_vio_clash),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
