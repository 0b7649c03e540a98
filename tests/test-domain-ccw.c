/*
 * test-domain-ccw.c: a new s390-ccw domain's devices get the CCW addresses
 * libvirt's QEMU driver gives them at define time
 *
 * The expected devnos follow libvirt 9.0's rules (qemuDomainAssignS390Addresses:
 * the addresses the definition names are reserved first, then every CCW
 * device without one takes the next free devno of fe.0, in the order of
 * virDomainDeviceInfoIterate: disks, nets, sounds, hostdevs, videos,
 * controllers, ..., inputs, filesystems, balloon, RNGs, ..., vsock). Each
 * domain here was also defined in libvirtd 9.0 (qemu-system-s390x 7.2,
 * machine s390-ccw-virtio) and its `virsh dumpxml --inactive` showed these
 * addresses, or its refusal.
 *
 * Also here: the SCSI controller model libvirt gives those domains.
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
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_error, vdisk_error_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_qemu_args, vdisk_qemu_args_free)

#define DISK_ADDR(dev, bus, addr)                                                                  \
    "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"                             \
    "<source file='/var/lib/vdisk-test/" dev ".img'/><target dev='" dev "' bus='" bus "'/>" addr   \
    "</disk>"
#define DISK(dev, bus) DISK_ADDR(dev, bus, "")
#define CCW(cssid, ssid, devno)                                                                    \
    "<address type='ccw' cssid='" cssid "' ssid='" ssid "' devno='" devno "'/>"
#define RNG(addr) "<rng model='virtio'><backend model='random'>/dev/urandom</backend>" addr "</rng>"

static char *
domain_xml(const char *machine, const char *devices)
{
    return g_strdup_printf("<domain type='qemu'><name>vdtest</name><memory unit='MiB'>256</memory>"
                           "<os><type arch='s390x' machine='%s'>hvm</type></os><devices>"
                           "<emulator>/usr/bin/qemu-system-s390x</emulator>%s</devices></domain>",
                           machine, devices);
}

/* The domain is refused with @code and a message holding @what. */
static void
assert_refused(const char *devices, vdisk_error_code code, const char *what)
{
    g_autofree char *xml = domain_xml("s390-ccw-virtio", devices);
    vdisk_domain *dom = NULL;
    g_autoptr(vdisk_error) err = NULL;

    assert_int_equal(vdisk_domain_from_xml(&dom, xml, &err), -1);
    assert_null(dom);
    assert_non_null(err);
    assert_int_equal(vdisk_error_get_code(err), code);
    if (!strstr(vdisk_error_get_message(err), what))
        fail_msg("message '%s' does not name '%s'", vdisk_error_get_message(err), what);
}

static void
assert_disk_at(vdisk_domain *dom, const char *target, unsigned int cssid, unsigned int ssid,
               unsigned int devno)
{
    const vdisk_disk *disk = vdisk_domain_find_disk(dom, target);
    unsigned int a[3] = {9, 9, 9};

    assert_non_null(disk);
    assert_int_equal(vdisk_disk_get_address_type(disk), VDISK_ADDRESS_CCW);
    assert_int_equal(vdisk_disk_get_address_ccw(disk, &a[0], &a[1], &a[2]), 0);
    assert_int_equal(a[0], cssid);
    assert_int_equal(a[1], ssid);
    assert_int_equal(a[2], devno);
}

/* The domain's XML holds @text. */
static void
assert_xml_has(const vdisk_domain *dom, const char *text)
{
    g_autofree char *xml = NULL;
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_domain_to_xml(&xml, dom, &err), 0);
    if (!strstr(xml, text))
        fail_msg("no '%s' in:\n%s", text, xml);
}

/* Explicit and automatic addresses among a domain of every kind: the
 * disks take the free devnos first (vdb's named 0001 is skipped, vdc's
 * empty <address type='ccw'/> is filled in), then the net, the video
 * libvirt adds for the graphics, the virtio-serial controller, the
 * implicit virtio-scsi controller, the input, the filesystem, the RNG and
 * the vsock, around the balloon's named 0003. The SCSI disk is not CCW. */
static void
test_mixed_domain(void **state)
{
    /* clang-format off */
    g_autoptr(vdisk_domain) dom = placement_load("s390x", "s390-ccw-virtio", 
        DISK("vda", "virtio")
        DISK_ADDR("vdb", "virtio", CCW("0xfe", "0x0", "0x0001"))
        DISK_ADDR("vdc", "virtio", "<address type='ccw'/>")
        DISK("sda", "scsi")
        "<controller type='virtio-serial' index='0'/>"
        "<interface type='user'><mac address='52:54:00:11:22:33'/></interface>"
        "<filesystem type='mount' accessmode='mapped'><source dir='/tmp'/>"
        "<target dir='share'/></filesystem>"
        "<input type='tablet' bus='virtio'/>"
        "<graphics type='vnc' port='-1'/>"
        "<memballoon model='virtio'>" CCW("0xfe", "0x0", "0x0003") "</memballoon>"
        RNG("")
        "<vsock model='virtio'><cid auto='yes'/></vsock>");
    /* clang-format on */

    (void)state;
    assert_disk_at(dom, "vda", 0xfe, 0, 0x0000);
    assert_disk_at(dom, "vdb", 0xfe, 0, 0x0001);
    assert_disk_at(dom, "vdc", 0xfe, 0, 0x0002);
    assert_int_equal(vdisk_disk_get_address_type(vdisk_domain_find_disk(dom, "sda")),
                     VDISK_ADDRESS_DRIVE);
    /* net 0004, video 0005, then the controller, written in libvirt's form */
    assert_xml_has(dom, "<controller type='virtio-serial' index='0'>\n      <address type='ccw' "
                        "cssid='0xfe' ssid='0x0' devno='0x0006'/>");
    assert_xml_has(dom, "<target dev='vdc' bus='virtio'/>\n      <address type='ccw' "
                        "cssid='0xfe' ssid='0x0' devno='0x0002'/>");
}

/* Addresses other devices name are taken before any disk gets one; one in
 * another channel subsystem (cssid 0) does not take fe.0.0002. The SCSI
 * controller, walked after the disks, gets the next devno. */
static void
test_named_addresses_push_the_disks(void **state)
{
    /* clang-format off */
    g_autoptr(vdisk_domain) dom = placement_load("s390x", "s390-ccw-virtio", 
        DISK("vda", "virtio")
        DISK_ADDR("vdb", "virtio", "<address type='ccw'/>")
        DISK("sda", "scsi")
        "<controller type='scsi' index='0' model='virtio-scsi'/>"
        "<interface type='user'><mac address='52:54:00:11:22:35'/><model type='virtio'/>"
        CCW("0xfe", "0x0", "0x0001") "</interface>"
        "<memballoon model='virtio'>" CCW("0xfe", "0x0", "0x0000") "</memballoon>"
        RNG(CCW("0x0", "0x0", "0x0002")));
    /* clang-format on */

    (void)state;
    assert_disk_at(dom, "vda", 0xfe, 0, 0x0002);
    assert_disk_at(dom, "vdb", 0xfe, 0, 0x0003);
    assert_xml_has(dom, "<controller type='scsi' index='0' model='virtio-scsi'>\n      <address "
                        "type='ccw' cssid='0xfe' ssid='0x0' devno='0x0004'/>");
}

/* The disks are numbered in libvirt's order of targets, not the document's;
 * explicit cssid and ssid are kept as written (libvirt's
 * disk-virtio-ccw-many). */
static void
test_disks_in_target_order(void **state)
{
    /* clang-format off */
    g_autoptr(vdisk_domain) dom = placement_load("s390x", "s390-ccw-virtio", 
        DISK("vdb", "virtio")
        DISK("vda", "virtio")
        DISK_ADDR("vdc", "virtio", CCW("0xfe", "0x0", "0x0001"))
        DISK_ADDR("vdd", "virtio", CCW("254", "2", "0xf00f"))
        DISK_ADDR("vde", "virtio", CCW("0", "0", "7")));
    /* clang-format on */

    (void)state;
    assert_disk_at(dom, "vda", 0xfe, 0, 0x0000);
    assert_disk_at(dom, "vdb", 0xfe, 0, 0x0002);
    assert_disk_at(dom, "vdc", 0xfe, 0, 0x0001);
    assert_disk_at(dom, "vdd", 0xfe, 2, 0xf00f);
    assert_disk_at(dom, "vde", 0, 0, 7);
}

/* The net and the video libvirt adds for the graphics come before the
 * virtio-serial controller; with a net whose model the host's network
 * decides, the controller's devno is not known and is not written (the
 * disk's still is). */
static void
test_controller_after_net_and_video(void **state)
{
    const char *rest = "<controller type='virtio-serial' index='0'/>"
                       "<channel type='unix'><source mode='bind'/><target type='virtio' "
                       "name='org.qemu.guest_agent.0'/></channel>"
                       "<input type='keyboard' bus='virtio'/><graphics type='vnc' port='-1'/>"
                       "<memballoon model='none'/>";
    g_autofree char *user = g_strdup_printf(
        DISK("vda", "virtio") "<interface type='user'><mac address='52:54:00:11:22:36'/>"
                              "</interface>%s",
        rest);
    g_autofree char *network = g_strdup_printf(
        DISK("vda", "virtio") "<interface type='network'><source network='default'/>"
                              "</interface>%s",
        rest);
    g_autoptr(vdisk_domain) dom = placement_load("s390x", "s390-ccw-virtio", user);
    g_autoptr(vdisk_domain) dom2 = placement_load("s390x", "s390-ccw-virtio", network);

    (void)state;
    assert_disk_at(dom, "vda", 0xfe, 0, 0x0000);
    assert_xml_has(dom, "<controller type='virtio-serial' index='0'>\n      <address type='ccw' "
                        "cssid='0xfe' ssid='0x0' devno='0x0003'/>");
    assert_disk_at(dom2, "vda", 0xfe, 0, 0x0000);
    assert_xml_has(dom2, "<controller type='virtio-serial' index='0'/>");
}

/* Addresses libvirt drops take nothing: a USB controller and a balloon of
 * model 'none', a video of model 'none', a serial console when a serial
 * port exists. */
static void
test_dropped_addresses_take_nothing(void **state)
{
    /* clang-format off */
    g_autoptr(vdisk_domain) dom = placement_load("s390x", "s390-ccw-virtio", 
        DISK("vda", "virtio")
        "<controller type='usb' model='none'>" CCW("0xfe", "0x0", "0x0000") "</controller>"
        "<serial type='pty'/>"
        "<console type='pty'>" CCW("0xfe", "0x0", "0x0001") "</console>"
        "<graphics type='vnc'/>"
        "<video><model type='none'/>" CCW("0xfe", "0x0", "0x0002") "</video>"
        "<memballoon model='none'>" CCW("0xfe", "0x0", "0x0003") "</memballoon>"
        DISK("vdb", "virtio"));
    /* clang-format on */

    (void)state;
    assert_disk_at(dom, "vda", 0xfe, 0, 0x0000);
    assert_disk_at(dom, "vdb", 0xfe, 0, 0x0001);
}

/* libvirt's refusals: a devno named twice (by a disk and another device,
 * by two disks, or by an <interface type='hostdev'>, which libvirt walks
 * as a net and again as a host device), a malformed address of another
 * device; and a virtio disk asking for a PCI address, whose zPCI
 * placement is not modelled. */
static void
test_refusals(void **state)
{
    (void)state;
    /* clang-format off */
    assert_refused(DISK_ADDR("vda", "virtio", CCW("0xfe", "0x0", "0x0005"))
                   RNG(CCW("0xfe", "0x0", "0x0005")),
                   VDISK_ERR_INVALID, "the CCW devno 'fe.0.0005' is in use already");
    assert_refused(DISK_ADDR("vda", "virtio", CCW("0", "0", "7"))
                   DISK_ADDR("vdb", "virtio", CCW("0x0", "0x0", "0x0007")),
                   VDISK_ERR_INVALID, "target 'vdb': the CCW devno '0.0.0007' is in use already");
    assert_refused(DISK("vda", "virtio")
                   "<interface type='hostdev'><mac address='52:54:00:11:22:34'/>"
                   "<source><address type='pci' domain='0x0000' bus='0x00' slot='0x07' "
                   "function='0x0'/></source>" CCW("0xfe", "0x0", "0x0007") "</interface>",
                   VDISK_ERR_INVALID, "the CCW devno 'fe.0.0007' is in use already");
    assert_refused(DISK("vda", "virtio") RNG("<address type='ccw' devno='0x0001'/>"),
                   VDISK_ERR_INVALID, "<rng>: invalid partial specification for virtio ccw address");
    assert_refused(DISK_ADDR("vda", "virtio", "<address type='pci'/>"),
                   VDISK_ERR_UNSUPPORTED, "cannot place virtio disk 'vda'");
    /* clang-format on */
}

/* The addresses reach the QEMU arguments (virtio-blk-ccw, devno in QEMU's
 * cssid.ssid.devno form); off s390-ccw machines nothing is assigned. */
static void
test_translation_and_other_machines(void **state)
{
    g_autoptr(vdisk_domain) dom =
        placement_load("s390x", "s390-ccw-virtio", DISK("vda", "virtio") DISK_ADDR("vdb", "virtio", CCW("0x1", "0x2", "0x00ab")));
    g_autoptr(vdisk_qemu_args) args = NULL;
    g_autofree char *xml = domain_xml("s390-virtio", DISK("vda", "virtio"));
    g_autoptr(vdisk_domain) other = NULL;
    unsigned int found = 0;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, NULL), 0);
    for (size_t i = 0; i < vdisk_qemu_args_count(args); i++) {
        const char *a = vdisk_qemu_args_get(args, i);

        if (strstr(a, "\"driver\":\"virtio-blk-ccw\",\"devno\":\"fe.0.0000\"") ||
            strstr(a, "\"driver\":\"virtio-blk-ccw\",\"devno\":\"1.2.00ab\""))
            found++;
    }
    assert_int_equal(found, 2);

    assert_int_equal(vdisk_domain_from_xml(&other, xml, NULL), 0);
    assert_int_equal(vdisk_disk_get_address_type(vdisk_domain_find_disk(other, "vda")),
                     VDISK_ADDRESS_NONE);
}

/* A SCSI controller without a model, written or implicit, is virtio-scsi on
 * s390 (qemuDomainGetSCSIControllerModel): its disks are addressed by
 * channel, scsi-id and lun, as libvirt's domxml-to-native shows. */
static void
test_scsi_controllers_are_virtio_scsi(void **state)
{
    /* clang-format off */
    g_autoptr(vdisk_domain) dom = placement_load("s390x", "s390-ccw-virtio", 
        DISK("sda", "scsi")
        DISK_ADDR("sdb", "scsi", "<address type='drive' controller='1' bus='0' target='0' unit='0'/>")
        "<controller type='scsi' index='0'/><memballoon model='none'/>");
    /* clang-format on */
    g_autoptr(vdisk_qemu_args) args = NULL;
    unsigned int found = 0;

    (void)state;
    assert_string_equal(
        vdisk_controller_get_model(vdisk_domain_find_controller(dom, VDISK_CONTROLLER_SCSI, 1)),
        "virtio-scsi");
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, NULL, NULL), 0);
    for (size_t i = 0; i < vdisk_qemu_args_count(args); i++) {
        const char *a = vdisk_qemu_args_get(args, i);

        if (strstr(a, "\"bus\":\"scsi0.0\",\"channel\":0,\"scsi-id\":0,\"lun\":0,") &&
            strstr(a, "\"id\":\"scsi0-0-0-0\""))
            found++;
        if (strstr(a, "\"bus\":\"scsi1.0\",\"channel\":0,\"scsi-id\":0,\"lun\":0,") &&
            strstr(a, "\"id\":\"scsi1-0-0-0\""))
            found++;
    }
    assert_int_equal(found, 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_domain),
        cmocka_unit_test(test_named_addresses_push_the_disks),
        cmocka_unit_test(test_disks_in_target_order),
        cmocka_unit_test(test_controller_after_net_and_video),
        cmocka_unit_test(test_dropped_addresses_take_nothing),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_translation_and_other_machines),
        cmocka_unit_test(test_scsi_controllers_are_virtio_scsi),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
