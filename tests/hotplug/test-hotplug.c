/*
 * test-hotplug.c: disks plugged into and out of real QEMU domains through libvirtd
 *
 * Every case starts its own transient domain (vdtest-hotplug-*: qemu, pc,
 * 64 MiB, no OS) and checks QEMU itself over QMP after each operation, not
 * only libvirt's XML. Needs root, to place images where the qemu user can
 * open them.
 *
 * VDTEST_HOTPLUG_URI names the connection (default qemu:///system, for which
 * the ctest fixture runs scripts/start-libvirt.sh). "qemu:///embed" without
 * a root runs libvirt's embedded QEMU driver in this process, in a root
 * directory the program makes (and removes) itself; no daemon is involved.
 *
 * The connection is opened with vdisk_connect_open(). With
 * VDTEST_HOTPLUG_EVENTS=1, or on qemu:///embed (which cannot run without
 * it), libvirt's event loop runs, so detach waits on the device-removed
 * event; otherwise the connection has no event loop and detach polls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include <vdisk/vdisk.h>
#include <vdisk/hotplug.h>

#include "hotplug-util.h"

#define DEFAULT_URI "qemu:///system"

static char *uri;
static char *embed_root; /* the root this program made for qemu:///embed */
static virConnectPtr conn;
static char *imgdir;
static GPtrArray *domains; /* virDomainPtr created by the running case */
static unsigned int serial;

/* ---- fixtures ----------------------------------------------------------------------- */

static void
ignore_libvirt_errors(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static char *
make_image(const char *name, const char *fmt, const char *size)
{
    char *path = g_build_filename(imgdir, name, NULL);
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    int status = 0;
    const char *argv[] = {"qemu-img", "create", "-q", "-f", fmt, path, size, NULL};

    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                             &errout, &status, NULL));
    if (status != 0)
        fail_msg("qemu-img create %s failed: %s", path, errout);
    return path;
}

#define DOMAIN_TEMPLATE                                                                            \
    "<domain type='qemu'>\n"                                                                       \
    "  <name>%s</name>%s\n"                                                                        \
    "  <memory unit='MiB'>64</memory>\n"                                                           \
    "  <vcpu>1</vcpu>\n"                                                                           \
    "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"                                     \
    "  <features><acpi/></features>\n"                                                             \
    "  <devices>\n"                                                                                \
    "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"                                \
    "    <controller type='usb' index='0' model='%s'/>\n"                                          \
    "    <disk type='file' device='cdrom'>\n"                                                      \
    "      <driver name='qemu' type='raw'/>\n"                                                     \
    "      <target dev='hdc' bus='ide'/>\n"                                                        \
    "      <readonly/>\n"                                                                          \
    "    </disk>\n"                                                                                \
    "    %s\n"                                                                                     \
    "    <memballoon model='none'/>\n"                                                             \
    "  </devices>\n"                                                                               \
    "</domain>\n"

static char *
domain_xml(const char *tag, const char *extra, char **name)
{
    *name = g_strdup_printf("vdtest-hotplug-%s-%d-%u", tag, (int)getpid(), ++serial);
    return g_strdup_printf(DOMAIN_TEMPLATE, *name, "", "piix3-uhci", extra ? extra : "");
}

/* A transient domain started with @flags, destroyed by the case's teardown. */
static virDomainPtr
start_domain_flags(const char *tag, const char *extra, unsigned int flags)
{
    g_autofree char *name = NULL;
    g_autofree char *xml = domain_xml(tag, extra, &name);
    virDomainPtr dom = virDomainCreateXML(conn, xml, flags);

    if (!dom)
        fail_msg("cannot start %s: %s", name, virGetLastErrorMessage());
    g_ptr_array_add(domains, dom);
    return dom;
}

/* A running transient domain, destroyed by the case's teardown. */
static virDomainPtr
start_domain(const char *tag, const char *extra)
{
    return start_domain_flags(tag, extra, 0);
}

/* A defined (persistent) domain, started when @start; undefined by teardown. */
static virDomainPtr
define_domain(const char *tag, const char *extra, bool start)
{
    g_autofree char *name = NULL;
    g_autofree char *xml = domain_xml(tag, extra, &name);
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    if (!dom)
        fail_msg("cannot define %s: %s", name, virGetLastErrorMessage());
    g_ptr_array_add(domains, dom);
    if (start && virDomainCreate(dom) < 0)
        fail_msg("cannot start %s: %s", name, virGetLastErrorMessage());
    return dom;
}

static int
teardown_domains(void **state)
{
    (void)state;
    while (domains->len) {
        virDomainPtr dom = g_ptr_array_steal_index(domains, domains->len - 1);

        if (virDomainIsActive(dom) == 1)
            virDomainDestroy(dom);
        if (virDomainIsPersistent(dom) == 1)
            virDomainUndefine(dom);
        virDomainFree(dom);
    }
    return 0;
}

/* ---- looking at QEMU and libvirt ----------------------------------------------------- */

/* Whether QEMU's query-block lists a device with qdev id @qdev. */
static bool
qemu_has_qdev(virDomainPtr dom, const char *qdev)
{
    g_autofree char *out = qmp(dom, "{\"execute\":\"query-block\"}");
    g_autofree char *a = g_strdup_printf("\"qdev\": \"%s\"", qdev);
    g_autofree char *b = g_strdup_printf("\"qdev\":\"%s\"", qdev);

    return strstr(out, a) || strstr(out, b);
}

static bool
has_disk(virDomainPtr dom, const char *target, unsigned int flags)
{
    vdisk_domain *ctx = list_disks(dom, flags);
    bool there = vdisk_domain_find_disk(ctx, target) != NULL;

    vdisk_domain_free(ctx);
    return there;
}

/* The live alias of @target ("scsi0-0-0-0"), the caller's. */
static char *
live_alias(virDomainPtr dom, const char *target)
{
    vdisk_domain *ctx = list_disks(dom, 0);
    vdisk_disk *disk = vdisk_domain_find_disk(ctx, target);
    char *alias;

    assert_non_null(disk);
    alias = g_strdup(vdisk_disk_get_alias(disk));
    vdisk_domain_free(ctx);
    return alias;
}

static vdisk_disk *
new_disk(const char *path, const char *target, vdisk_bus bus, vdisk_format fmt)
{
    g_autofree char *xml =
        g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='%s'/>"
                        "<source file='%s'/><target dev='%s' bus='%s'/></disk>",
                        vdisk_enum_to_string(VDISK_ENUM_FORMAT, fmt), path, target,
                        vdisk_enum_to_string(VDISK_ENUM_BUS, bus));
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_from_xml(&disk, xml, &err) < 0)
        fail_msg("disk: %s", vdisk_error_get_message(err));
    return disk;
}

static void
attach_ok(virDomainPtr dom, const vdisk_disk *disk, unsigned int flags)
{
    vdisk_error *err = NULL;

    if (vdisk_hotplug_attach(dom, disk, flags, &err) < 0)
        fail_msg("attach: %s", vdisk_error_get_message(err));
}

static long
rss_kib(void)
{
    g_autofree char *status = NULL;
    const char *p;

    assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
    assert_non_null(p = strstr(status, "VmRSS:"));
    return strtol(p + 6, NULL, 10);
}

/* ---- cases ------------------------------------------------------------------------- */

static void
test_virtio_detach_stays_pending_without_guest_os(void **state)
{
    virDomainPtr dom = start_domain("virtio", NULL);
    g_autofree char *img = make_image("virtio.qcow2", "qcow2", "16M");
    vdisk_disk *disk = new_disk(img, "vdb", VDISK_BUS_VIRTIO, VDISK_FORMAT_QCOW2);
    g_autofree char *alias = NULL;
    g_autofree char *blocks = NULL;
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(dom, disk, VDISK_HOTPLUG_LIVE);
    assert_true(has_disk(dom, "vdb", 0));
    assert_int_equal(qemu_nodes_on(dom, img), 2); /* format + file node */
    alias = live_alias(dom, "vdb");
    blocks = qmp(dom, "{\"execute\":\"query-block\"}");
    /* virtio-blk's qdev path is /machine/peripheral/ALIAS/virtio-backend */
    assert_non_null(strstr(blocks, alias));

    /* no OS answers the ACPI unplug request: the removal cannot complete */
    assert_int_equal(vdisk_hotplug_detach(dom, "vdb", VDISK_HOTPLUG_LIVE, 1500, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_PENDING);
    assert_non_null(strstr(vdisk_error_get_message(err), "removal still pending"));
    assert_non_null(strstr(vdisk_error_get_message(err), "vdisk_hotplug_detach: target 'vdb'"));
    vdisk_error_free(err);
    assert_true(has_disk(dom, "vdb", 0));
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    g_free(blocks);
    blocks = qmp(dom, "{\"execute\":\"query-block\"}");
    assert_non_null(strstr(blocks, alias)); /* the device is still in QEMU */
    vdisk_disk_free(disk);
}

static void
test_scsi_detach_completes_and_qemu_drops_nodes(void **state)
{
    virDomainPtr dom = start_domain("scsi", NULL);
    g_autofree char *img = make_image("scsi.qcow2", "qcow2", "16M");
    vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    g_autofree char *alias = NULL;
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(dom, disk, VDISK_HOTPLUG_LIVE);
    alias = live_alias(dom, "sda");
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    assert_true(qemu_has_qdev(dom, alias));

    if (vdisk_hotplug_detach(dom, "sda", VDISK_HOTPLUG_LIVE, 10000, &err) < 0)
        fail_msg("detach: %s", vdisk_error_get_message(err));
    assert_false(has_disk(dom, "sda", 0));
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    assert_false(qemu_has_qdev(dom, alias));
    vdisk_disk_free(disk);
}

static void
test_usb_attach_and_detach_complete(void **state)
{
    virDomainPtr dom = start_domain("usb", NULL);
    g_autofree char *img = make_image("usb.raw", "raw", "8M");
    vdisk_disk *disk = new_disk(img, "sdb", VDISK_BUS_USB, VDISK_FORMAT_RAW);
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(dom, disk, 0); /* current = live on a running domain */
    assert_true(has_disk(dom, "sdb", 0));
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    if (vdisk_hotplug_detach(dom, "sdb", 0, 10000, &err) < 0)
        fail_msg("detach: %s", vdisk_error_get_message(err));
    assert_false(has_disk(dom, "sdb", 0));
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    vdisk_disk_free(disk);
}

static void
test_ide_and_sata_refused_before_libvirt(void **state)
{
    virDomainPtr dom = start_domain("ide", NULL);
    g_autofree char *img = make_image("ide.raw", "raw", "8M");
    vdisk_disk *ide = new_disk(img, "hda", VDISK_BUS_IDE, VDISK_FORMAT_RAW);
    vdisk_disk *sata = new_disk(img, "sdc", VDISK_BUS_SATA, VDISK_FORMAT_RAW);
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_hotplug_attach(dom, ide, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    assert_int_equal(vdisk_error_get_libvirt_code(err), 0);
    assert_non_null(strstr(vdisk_error_get_message(err), "target 'hda'"));
    assert_non_null(strstr(vdisk_error_get_message(err), "bus 'ide'"));
    vdisk_error_free(err);
    err = NULL;
    assert_int_equal(vdisk_hotplug_attach(dom, sata, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    assert_non_null(strstr(vdisk_error_get_message(err), "bus 'sata'"));
    vdisk_error_free(err);
    err = NULL;
    /* the ide cdrom cannot be unplugged either */
    assert_int_equal(vdisk_hotplug_detach(dom, "hdc", VDISK_HOTPLUG_LIVE, 1000, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
    vdisk_error_free(err);

    assert_false(has_disk(dom, "hda", 0));
    assert_false(has_disk(dom, "sdc", 0));
    assert_true(has_disk(dom, "hdc", 0));
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    vdisk_disk_free(ide);
    vdisk_disk_free(sata);
}

static void
test_cdrom_insert_and_eject(void **state)
{
    /* Paused: the firmware never probes (and locks) the drive, so the tray
     * moves exactly when libvirt asks it to. */
    virDomainPtr dom = start_domain_flags("cdrom", NULL, VIR_DOMAIN_START_PAUSED);
    g_autofree char *iso = make_image("media.iso", "raw", "1M");
    vdisk_domain *ctx;
    vdisk_error *err = NULL;
    int tries;

    (void)state;
    /* On a running domain, while the firmware probes the drive, libvirt's
     * idea of the tray can be stale and QEMU then refuses with "Tray of
     * device ... is not open": that error is passed on as it is (tried
     * below, should it still happen). */
    for (tries = 0;; tries++) {
        if (vdisk_hotplug_change_media(dom, "hdc", iso, VDISK_HOTPLUG_LIVE, &err) == 0)
            break;
        assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_LIBVIRT);
        if (tries == 10 || !strstr(vdisk_error_get_message(err), "Tray"))
            fail_msg("insert: %s", vdisk_error_get_message(err));
        assert_non_null(strstr(vdisk_error_get_message(err), "target 'hdc'"));
        vdisk_error_free(err);
        err = NULL;
        g_usleep(300 * G_TIME_SPAN_MILLISECOND);
    }
    ctx = list_disks(dom, 0);
    assert_string_equal(vdisk_disk_get_path(vdisk_domain_find_disk(ctx, "hdc")), iso);
    vdisk_domain_free(ctx);
    assert_int_equal(qemu_nodes_on(dom, iso), 2);

    if (vdisk_hotplug_change_media(dom, "hdc", NULL, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_FORCE,
                                   &err) < 0)
        fail_msg("eject: %s", vdisk_error_get_message(err));
    ctx = list_disks(dom, 0);
    /* libvirt keeps an empty <source index=.../> for the ejected tray */
    assert_null(vdisk_disk_get_path(vdisk_domain_find_disk(ctx, "hdc")));
    vdisk_domain_free(ctx);
    assert_int_equal(qemu_nodes_on(dom, iso), 0);

    /* a hard disk has no medium to change */
    {
        g_autofree char *img = make_image("cd-disk.raw", "raw", "8M");
        vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_RAW);

        attach_ok(dom, disk, VDISK_HOTPLUG_LIVE);
        assert_int_equal(vdisk_hotplug_change_media(dom, "sda", NULL, 0, &err), -1);
        assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_UNSUPPORTED);
        vdisk_error_free(err);
        vdisk_disk_free(disk);
    }
}

static void
test_iotune_reaches_qemu(void **state)
{
    virDomainPtr dom = start_domain("iotune", NULL);
    g_autofree char *img = make_image("iotune.qcow2", "qcow2", "16M");
    vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_disk *limits = vdisk_disk_new();
    g_autofree char *out = NULL;
    vdisk_domain *ctx;
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(dom, disk, VDISK_HOTPLUG_LIVE);
    assert_int_equal(vdisk_disk_set_iotune(limits, VDISK_IOTUNE_TOTAL_IOPS_SEC, 500, NULL), 0);
    assert_int_equal(vdisk_disk_set_iotune(limits, VDISK_IOTUNE_READ_BYTES_SEC, 1048576, NULL), 0);
    if (vdisk_hotplug_set_iotune(dom, "sda", limits, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("iotune: %s", vdisk_error_get_message(err));
    out = qmp(dom, "{\"execute\":\"query-block\"}");
    assert_true(strstr(out, "\"iops\": 500") || strstr(out, "\"iops\":500"));
    assert_true(strstr(out, "\"bps_rd\": 1048576") || strstr(out, "\"bps_rd\":1048576"));
    ctx = list_disks(dom, 0);
    assert_int_equal(
        vdisk_disk_get_iotune(vdisk_domain_find_disk(ctx, "sda"), VDISK_IOTUNE_TOTAL_IOPS_SEC),
        500);
    vdisk_domain_free(ctx);

    /* a missing target keeps libvirt's code */
    assert_int_equal(vdisk_hotplug_set_iotune(dom, "sdz", limits, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_LIBVIRT);
    assert_int_not_equal(vdisk_error_get_libvirt_code(err), 0);
    vdisk_error_free(err);
    vdisk_disk_free(limits);
    vdisk_disk_free(disk);
}

static void
test_next_target_counts_live_and_config(void **state)
{
    g_autofree char *img = make_image("next-a.qcow2", "qcow2", "16M");
    g_autofree char *extra =
        g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                        "<source file='%s'/><target dev='vda' bus='virtio'/></disk>",
                        img);
    virDomainPtr dom = define_domain("next", extra, true);
    g_autofree char *img_b = make_image("next-b.qcow2", "qcow2", "16M");
    g_autofree char *img_c = make_image("next-c.qcow2", "qcow2", "16M");
    vdisk_disk *b = new_disk(img_b, "vdb", VDISK_BUS_VIRTIO, VDISK_FORMAT_QCOW2);
    vdisk_disk *c = new_disk(img_c, "vdc", VDISK_BUS_VIRTIO, VDISK_FORMAT_QCOW2);
    char *name = NULL;
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(dom, b, VDISK_HOTPLUG_LIVE);   /* live only */
    attach_ok(dom, c, VDISK_HOTPLUG_CONFIG); /* persistent only */
    assert_true(has_disk(dom, "vdb", 0));
    assert_false(has_disk(dom, "vdb", VDISK_HOTPLUG_INACTIVE));
    assert_true(has_disk(dom, "vdc", VDISK_HOTPLUG_INACTIVE));
    assert_false(has_disk(dom, "vdc", 0));

    assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_VIRTIO, &err), 0);
    assert_string_equal(name, "vdd");
    vdisk_free(name);
    assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_SCSI, &err), 0);
    assert_string_equal(name, "sda");
    vdisk_free(name);
    assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_IDE, &err), 0);
    assert_string_equal(name, "hda"); /* hdc is the cdrom */
    vdisk_free(name);
    assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_FDC, &err), 0);
    assert_string_equal(name, "fda");
    vdisk_free(name);
    vdisk_disk_free(b);
    vdisk_disk_free(c);
}

static void
test_next_target_full_ide_bus_is_refused(void **state)
{
    g_autofree char *extra = g_strdup(
        "<disk type='file' device='cdrom'><target dev='hda' bus='ide'/><readonly/></disk>"
        "<disk type='file' device='cdrom'><target dev='hdb' bus='ide'/><readonly/></disk>"
        "<disk type='file' device='cdrom'><target dev='hdd' bus='ide'/><readonly/></disk>");
    virDomainPtr dom = start_domain("idefull", extra);
    char *name = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_IDE, &err), -1);
    assert_null(name);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_EXISTS);
    assert_non_null(strstr(vdisk_error_get_message(err), "no free target name on bus 'ide'"));
    vdisk_error_free(err);
}

static void
test_reattach_same_source_is_a_noop(void **state)
{
    virDomainPtr dom = start_domain("noop", NULL);
    g_autofree char *img = make_image("noop.qcow2", "qcow2", "16M");
    vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_domain *ctx;

    (void)state;
    attach_ok(dom, disk, VDISK_HOTPLUG_LIVE);
    attach_ok(dom, disk, VDISK_HOTPLUG_LIVE);
    ctx = list_disks(dom, 0);
    assert_int_equal(vdisk_domain_get_disk_count(ctx), 2); /* hdc + sda */
    vdisk_domain_free(ctx);
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    vdisk_disk_free(disk);
}

static void
test_taken_target_names_its_source(void **state)
{
    virDomainPtr dom = start_domain("taken", NULL);
    g_autofree char *img1 = make_image("taken-1.qcow2", "qcow2", "16M");
    g_autofree char *img2 = make_image("taken-2.qcow2", "qcow2", "16M");
    vdisk_disk *d1 = new_disk(img1, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_disk *d2 = new_disk(img2, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(dom, d1, VDISK_HOTPLUG_LIVE);
    assert_int_equal(vdisk_hotplug_attach(dom, d2, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_EXISTS);
    assert_non_null(strstr(vdisk_error_get_message(err), img1));
    assert_non_null(strstr(vdisk_error_get_message(err), "vdisk_hotplug_attach: target 'sda'"));
    vdisk_error_free(err);
    assert_int_equal(qemu_nodes_on(dom, img1), 2);
    assert_int_equal(qemu_nodes_on(dom, img2), 0);
    vdisk_disk_free(d1);
    vdisk_disk_free(d2);
}

static void
test_image_locked_by_other_domain_is_refused(void **state)
{
    virDomainPtr a = start_domain("lock-a", NULL);
    virDomainPtr b = start_domain("lock-b", NULL);
    g_autofree char *img = make_image("locked.qcow2", "qcow2", "16M");
    vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(a, disk, VDISK_HOTPLUG_LIVE);
    assert_int_equal(vdisk_hotplug_attach(b, disk, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_LIBVIRT);
    assert_int_not_equal(vdisk_error_get_libvirt_code(err), 0);
    assert_non_null(strstr(vdisk_error_get_message(err), "target 'sda'"));
    assert_non_null(strstr(vdisk_error_get_message(err), "lock"));
    vdisk_error_free(err);

    assert_true(has_disk(a, "sda", 0));
    assert_false(has_disk(b, "sda", 0));
    assert_int_equal(qemu_nodes_on(a, img), 2);
    assert_int_equal(qemu_nodes_on(b, img), 0);
    vdisk_disk_free(disk);
}

static void
test_detach_missing_target_is_not_found(void **state)
{
    virDomainPtr dom = start_domain("missing", NULL);
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_hotplug_detach(dom, "sdq", VDISK_HOTPLUG_LIVE, 1000, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_NOT_FOUND);
    assert_non_null(strstr(vdisk_error_get_message(err), "target 'sdq'"));
    vdisk_error_free(err);
}

static void
test_live_change_on_stopped_domain_is_refused(void **state)
{
    virDomainPtr dom = define_domain("stopped", NULL, false);
    g_autofree char *img = make_image("stopped.qcow2", "qcow2", "16M");
    vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(
        vdisk_hotplug_attach(dom, disk, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_non_null(strstr(vdisk_error_get_message(err), "is not running"));
    vdisk_error_free(err);
    err = NULL;
    assert_false(has_disk(dom, "sda", VDISK_HOTPLUG_INACTIVE)); /* nothing half done */
    assert_int_equal(vdisk_hotplug_detach(dom, "sda", VDISK_HOTPLUG_LIVE, 1000, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_non_null(strstr(vdisk_error_get_message(err), "is not running"));
    vdisk_error_free(err);
    err = NULL;

    /* without flags the configuration of a stopped domain is changed */
    attach_ok(dom, disk, 0);
    assert_true(has_disk(dom, "sda", VDISK_HOTPLUG_INACTIVE));
    if (vdisk_hotplug_detach(dom, "sda", 0, 1000, &err) < 0)
        fail_msg("detach: %s", vdisk_error_get_message(err));
    assert_false(has_disk(dom, "sda", VDISK_HOTPLUG_INACTIVE));
    vdisk_disk_free(disk);
}

static void
test_live_and_config_checks_both_before_changing(void **state)
{
    g_autofree char *img1 = make_image("both-1.qcow2", "qcow2", "16M");
    g_autofree char *img2 = make_image("both-2.qcow2", "qcow2", "16M");
    virDomainPtr dom = define_domain("both", NULL, true);
    vdisk_disk *cfg = new_disk(img1, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_disk *other = new_disk(img2, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    vdisk_error *err = NULL;

    (void)state;
    attach_ok(dom, cfg, VDISK_HOTPLUG_CONFIG);
    /* the configuration has sda with another source: the live side stays untouched */
    assert_int_equal(
        vdisk_hotplug_attach(dom, other, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_EXISTS);
    assert_non_null(strstr(vdisk_error_get_message(err), "persistent"));
    vdisk_error_free(err);
    err = NULL;
    assert_false(has_disk(dom, "sda", 0));
    assert_int_equal(qemu_nodes_on(dom, img2), 0);

    /* same source: live is attached, the configuration already has it */
    attach_ok(dom, cfg, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG);
    assert_true(has_disk(dom, "sda", 0));
    assert_int_equal(qemu_nodes_on(dom, img1), 2);

    /* and both go together */
    if (vdisk_hotplug_detach(dom, "sda", VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG, 10000, &err) <
        0)
        fail_msg("detach: %s", vdisk_error_get_message(err));
    assert_false(has_disk(dom, "sda", 0));
    assert_false(has_disk(dom, "sda", VDISK_HOTPLUG_INACTIVE));
    assert_int_equal(qemu_nodes_on(dom, img1), 0);
    vdisk_disk_free(cfg);
    vdisk_disk_free(other);
}

static void
test_config_refusal_leaves_live_untouched(void **state)
{
    virDomainPtr dom = define_domain("rollback", NULL, true);
    g_autofree char *img = make_image("rollback.raw", "raw", "8M");
    vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_USB, VDISK_FORMAT_RAW);
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *uuid_elem = NULL;
    g_autofree char *next = NULL;
    virDomainPtr redefined;
    vdisk_error *err = NULL;

    (void)state;
    /* the next configuration (same name and uuid) has no USB bus; the
     * running domain has one, so only the persistent side refuses the disk */
    assert_int_equal(virDomainGetUUIDString(dom, uuid), 0);
    uuid_elem = g_strdup_printf("<uuid>%s</uuid>", uuid);
    next = g_strdup_printf(DOMAIN_TEMPLATE, virDomainGetName(dom), uuid_elem, "none", "");
    assert_non_null(redefined = virDomainDefineXML(conn, next));
    virDomainFree(redefined);

    assert_int_equal(
        vdisk_hotplug_attach(dom, disk, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_LIBVIRT);
    assert_int_equal(vdisk_error_get_libvirt_code(err), VIR_ERR_CONFIG_UNSUPPORTED);
    /* libvirt checks the persistent side first, in the same call: the live
     * domain is never touched */
    assert_non_null(strstr(vdisk_error_get_message(err), "persistent definition"));
    assert_non_null(strstr(vdisk_error_get_message(err), "nothing was changed"));
    vdisk_error_free(err);
    assert_false(has_disk(dom, "sda", 0));
    assert_false(has_disk(dom, "sda", VDISK_HOTPLUG_INACTIVE));
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    vdisk_disk_free(disk);
}

static void
test_many_scsi_cycles_leave_nothing_behind(void **state)
{
    virDomainPtr dom = start_domain("cycles", NULL);
    g_autofree char *img = make_image("cycles.qcow2", "qcow2", "16M");
    vdisk_disk *disk = new_disk(img, "sda", VDISK_BUS_SCSI, VDISK_FORMAT_QCOW2);
    const char *env = getenv("VDTEST_HOTPLUG_CYCLES");
    int cycles = env ? atoi(env) : 200;
    long before = 0;
    long after;
    int i;

    (void)state;
    for (i = 0; i < cycles; i++) {
        vdisk_error *err = NULL;

        if (i == 10)
            before = rss_kib(); /* after libvirt's and glib's one-time allocations */
        attach_ok(dom, disk, VDISK_HOTPLUG_LIVE);
        if (vdisk_hotplug_detach(dom, "sda", VDISK_HOTPLUG_LIVE, 10000, &err) < 0)
            fail_msg("cycle %d: detach: %s", i, vdisk_error_get_message(err));
    }
    after = rss_kib();
    assert_false(has_disk(dom, "sda", 0));
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    if (cycles > 10 && after - before > 2048)
        fail_msg("RSS grew from %ld KiB to %ld KiB over %d cycles", before, after, cycles);
    vdisk_disk_free(disk);
}

/* ---- main ------------------------------------------------------------------------- */

static bool
is_embed(void)
{
    return g_str_has_prefix(uri, "qemu:///embed");
}

/* The URI to open: VDTEST_HOTPLUG_URI, with a fresh root for qemu:///embed. */
static int
choose_uri(void)
{
    const char *env = getenv("VDTEST_HOTPLUG_URI");
    g_autoptr(GError) gerr = NULL;

    if (!env || !*env)
        env = DEFAULT_URI;
    if (!g_str_has_prefix(env, "qemu:///embed") || strstr(env, "root=")) {
        uri = g_strdup(env);
        return 0;
    }
    if (!(embed_root = g_dir_make_tmp("vdtest-hotplug-embed-XXXXXX", &gerr))) {
        fprintf(stderr, "cannot make the embedded driver's root: %s\n", gerr->message);
        return -1;
    }
    /* the embedded QEMU runs as libvirt's qemu user and must reach the images */
    if (g_chmod(embed_root, 0755) < 0)
        return -1;
    uri = g_strdup_printf("%s%sroot=%s", env, strchr(env, '?') ? "&" : "?", embed_root);
    return 0;
}

static int
group_setup(void **state)
{
    unsigned int flags = VDISK_CONNECT_NO_EVENT_LOOP;
    vdisk_error *err = NULL;

    (void)state;
    if (choose_uri() < 0)
        return -1;
    if (getenv("VDTEST_HOTPLUG_EVENTS") || is_embed())
        flags = VDISK_CONNECT_DEFAULT;
    virSetErrorFunc(NULL, ignore_libvirt_errors);
    if (vdisk_connect_open(&conn, uri, flags, &err) < 0) {
        fprintf(stderr, "cannot open %s: %s\n", uri, vdisk_error_get_message(err));
        vdisk_error_free(err);
        return -1;
    }
    if (embed_root)
        imgdir = g_build_filename(embed_root, "vdtest-hotplug-XXXXXX", NULL);
    else
        imgdir = g_strdup("/var/lib/libvirt/images/vdtest-hotplug-XXXXXX");
    if (!g_mkdtemp_full(imgdir, 0755))
        return -1;
    domains = g_ptr_array_new();
    return 0;
}

static int
group_teardown(void **state)
{
    teardown_domains(state);
    if (imgdir)
        remove_tree(imgdir);
    if (conn)
        virConnectClose(conn);
    if (embed_root)
        remove_tree(embed_root);
    return 0;
}

#define CASE(fn) cmocka_unit_test_teardown(fn, teardown_domains)

int
main(void)
{
    const struct CMUnitTest all[] = {
        CASE(test_virtio_detach_stays_pending_without_guest_os),
        CASE(test_scsi_detach_completes_and_qemu_drops_nodes),
        CASE(test_usb_attach_and_detach_complete),
        CASE(test_ide_and_sata_refused_before_libvirt),
        CASE(test_cdrom_insert_and_eject),
        CASE(test_iotune_reaches_qemu),
        CASE(test_next_target_counts_live_and_config),
        CASE(test_next_target_full_ide_bus_is_refused),
        CASE(test_reattach_same_source_is_a_noop),
        CASE(test_taken_target_names_its_source),
        CASE(test_image_locked_by_other_domain_is_refused),
        CASE(test_detach_missing_target_is_not_found),
        CASE(test_live_change_on_stopped_domain_is_refused),
        CASE(test_live_and_config_checks_both_before_changing),
        CASE(test_config_refusal_leaves_live_untouched),
        CASE(test_many_scsi_cycles_leave_nothing_behind),
    };
    /* with the event loop: the waits that complete, and the one that must not */
    const struct CMUnitTest events[] = {
        CASE(test_virtio_detach_stays_pending_without_guest_os),
        CASE(test_scsi_detach_completes_and_qemu_drops_nodes),
        CASE(test_usb_attach_and_detach_complete),
        CASE(test_live_and_config_checks_both_before_changing),
        CASE(test_config_refusal_leaves_live_untouched),
    };

    const char *env_uri = getenv("VDTEST_HOTPLUG_URI");

    if (getenv("VDTEST_HOTPLUG_EVENTS"))
        return cmocka_run_group_tests_name("hotplug-events", events, group_setup, group_teardown);
    if (env_uri && g_str_has_prefix(env_uri, "qemu:///embed"))
        return cmocka_run_group_tests_name("hotplug-embed", all, group_setup, group_teardown);
    return cmocka_run_group_tests_name("hotplug", all, group_setup, group_teardown);
}
