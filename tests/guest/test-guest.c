/*
 * test-guest.c: disks plugged into and out of a booted Linux guest through libvirtd
 *
 * Every case boots its own transient domain (guesttest-guest-*: qemu (TCG),
 * pc with ACPI, 1 vCPU, 160 MiB) from the kernel and initramfs that
 * scripts/build-test-guest.sh built into VDTEST_GUEST_DIR, and waits for
 * the guest's "VDTEST ready" line on its serial console (a file). What the
 * guest reports there ("VDTEST blocks ...", "VDTEST media ...") is what the
 * guest sees; QEMU is checked over QMP (query-block, query-pci,
 * query-named-block-nodes) and libvirt through vdisk_hotplug_list(). Disks
 * are changed only through the public API of <vdisk/hotplug.h>, on a
 * connection from vdisk_connect_open() with libvirt's event loop, so that
 * detach waits on the device-removed event.
 *
 * The guest names its disks itself (vda, sda, ...): a case finds the name a
 * hot-plugged disk got as the one new entry in the guest's block list.
 *
 * Needs root (images under /var/lib/libvirt/images for the qemu user).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include <vdisk/vdisk.h>
#include <vdisk/hotplug.h>

#include "../hotplug/hotplug-util.h"

#define URI "qemu:///system"
#define NAME_PREFIX "guesttest-guest-"
/* Deadlines for what must happen; reaching one fails the case. */
#define BOOT_TIMEOUT_MS 120000
#define SEE_TIMEOUT_MS 60000
#define DETACH_TIMEOUT_MS 60000

static virConnectPtr conn;
static char *imgdir; /* this run's images, kernel, initrd and serial logs */
static char *kernel;
static char *initrd;
static GPtrArray *domains; /* virDomainPtr started by the running case */
static unsigned int serial;

typedef struct {
    virDomainPtr dom;
    char *console; /* the serial log's path */
} guest;

/* ---- small helpers ------------------------------------------------------------------ */

static void
ignore_libvirt_errors(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static char *
path_in(const char *name)
{
    return g_build_filename(imgdir, name, NULL);
}

static char *
make_image(const char *name, const char *size)
{
    char *path = path_in(name);
    g_autofree char *errout = NULL;
    int status = 0;
    const char *argv[] = {"qemu-img", "create", "-q", "-f", "raw", path, size, NULL};

    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                             &errout, &status, NULL));
    if (status != 0)
        fail_msg("qemu-img create %s failed: %s", path, errout);
    return path;
}

/* A 1 MiB cdrom image whose first sector starts with @label. */
static char *
make_medium(const char *name, const char *label)
{
    char *path = path_in(name);
    g_autofree char *data = g_malloc0(1024 * 1024);

    memcpy(data, label, strlen(label));
    assert_true(g_file_set_contents(path, data, 1024 * 1024, NULL));
    return path;
}

/* Whether QMP's answer to @cmd has the pair "@key": "@value" (either spacing). */
static bool
qmp_has(virDomainPtr dom, const char *cmd, const char *key, const char *value)
{
    g_autofree char *out = qmp(dom, cmd);
    g_autofree char *a = g_strdup_printf("\"%s\": \"%s\"", key, value);
    g_autofree char *b = g_strdup_printf("\"%s\":\"%s\"", key, value);

    return strstr(out, a) || strstr(out, b);
}

/* Whether query-block has a device of qdev id @alias: the id itself
 * (scsi-hd), or a path through it ("/machine/peripheral/ALIAS/virtio-backend"
 * for virtio-blk, the scsi disk inside a usb-storage device). */
static bool
qemu_has_block_qdev(virDomainPtr dom, const char *alias)
{
    g_autofree char *out = qmp(dom, "{\"execute\":\"query-block\"}");
    g_autofree char *whole = g_strdup_printf("\"%s\"", alias);
    g_autofree char *inpath = g_strdup_printf("/%s/", alias);

    return strstr(out, whole) || strstr(out, inpath);
}

static bool
qemu_has_pci_device(virDomainPtr dom, const char *alias)
{
    return qmp_has(dom, "{\"execute\":\"query-pci\"}", "qdev_id", alias);
}

static bool
qemu_has_node_on(virDomainPtr dom, const char *path)
{
    return qmp_has(dom, "{\"execute\":\"query-named-block-nodes\"}", "file", path);
}

static bool
has_disk(virDomainPtr dom, const char *target)
{
    vdisk_domain *ctx = list_disks(dom, 0);
    bool there = vdisk_domain_find_disk(ctx, target) != NULL;

    vdisk_domain_free(ctx);
    return there;
}

/* The live alias of @target, the caller's. */
static char *
live_alias(virDomainPtr dom, const char *target)
{
    vdisk_domain *ctx = list_disks(dom, 0);
    vdisk_disk *disk = vdisk_domain_find_disk(ctx, target);
    char *alias;

    if (!disk)
        fail_msg("no live disk %s", target);
    alias = g_strdup(vdisk_disk_get_alias(disk));
    vdisk_domain_free(ctx);
    return alias;
}

/* The live source path of @target, the caller's (NULL: no medium). */
static char *
live_path(virDomainPtr dom, const char *target)
{
    vdisk_domain *ctx = list_disks(dom, 0);
    vdisk_disk *disk = vdisk_domain_find_disk(ctx, target);
    char *path;

    assert_non_null(disk);
    path = g_strdup(vdisk_disk_get_path(disk));
    vdisk_domain_free(ctx);
    return path;
}

static vdisk_disk *
new_disk(const char *path, const char *target, const char *bus)
{
    g_autofree char *xml =
        g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                        "<source file='%s'/><target dev='%s' bus='%s'/></disk>",
                        path, target, bus);
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_from_xml(&disk, xml, &err) < 0)
        fail_msg("disk: %s", vdisk_error_get_message(err));
    return disk;
}

/* ---- the guest ---------------------------------------------------------------------- */

#define DOMAIN_TEMPLATE                                                                            \
    "<domain type='qemu'>\n"                                                                       \
    "  <name>%s</name>\n"                                                                          \
    "  <memory unit='MiB'>160</memory>\n"                                                          \
    "  <vcpu>1</vcpu>\n"                                                                           \
    "  <os>\n"                                                                                     \
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"                                            \
    "    <kernel>%s</kernel>\n"                                                                    \
    "    <initrd>%s</initrd>\n"                                                                    \
    "    <cmdline>console=ttyS0 quiet %s</cmdline>\n"                                              \
    "  </os>\n"                                                                                    \
    "  <features><acpi/></features>\n"                                                             \
    "  <on_reboot>destroy</on_reboot>\n"                                                           \
    "  <devices>\n"                                                                                \
    "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"                                \
    "    <controller type='usb' index='0' model='qemu-xhci'/>\n"                                   \
    "    %s\n"                                                                                     \
    "    <serial type='file'><source path='%s'/><target port='0'/></serial>\n"                     \
    "    <memballoon model='none'/>\n"                                                             \
    "  </devices>\n"                                                                               \
    "</domain>\n"

static void
guest_free(guest *g)
{
    g_free(g->console);
    g_free(g);
}

/* Starts a transient guest with kernel arguments @args and extra devices
 * @devices; destroyed by the case's teardown. Does not wait for it. */
static guest *
guest_start(const char *tag, const char *args, const char *devices)
{
    guest *g = g_new0(guest, 1);
    g_autofree char *name = g_strdup_printf(NAME_PREFIX "%s-%d-%u", tag, (int)getpid(), ++serial);
    g_autofree char *log = g_strdup_printf("%s.serial", name);
    g_autofree char *xml = NULL;

    g->console = path_in(log);
    xml = g_strdup_printf(DOMAIN_TEMPLATE, name, kernel, initrd, args ? args : "",
                          devices ? devices : "", g->console);
    if (!(g->dom = virDomainCreateXML(conn, xml, 0)))
        fail_msg("cannot start %s: %s", name, virGetLastErrorMessage());
    g_ptr_array_add(domains, g->dom);
    return g;
}

/* The "VDTEST " lines the guest wrote so far (a NULL-terminated vector):
 * whole lines only, a line QEMU is still writing is not read yet. */
static char **
guest_lines(guest *g)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) all = NULL;
    GPtrArray *out = g_ptr_array_new();
    size_t i;

    if (!g_file_get_contents(g->console, &text, NULL, NULL))
        text = g_strdup("");
    all = g_strsplit(text, "\n", -1);
    /* the last piece is what follows the last newline */
    for (i = 0; all[i] && all[i + 1]; i++) {
        char *line = g_strstrip(all[i]);
        const char *p = strstr(line, "VDTEST ");

        if (p)
            g_ptr_array_add(out, g_strdup(p + strlen("VDTEST ")));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, false);
}

/* What the guest last reported as "VDTEST @what REST": REST (the
 * caller's), or NULL when it has not reported it yet. */
static char *
guest_last(guest *g, const char *what)
{
    g_auto(GStrv) lines = guest_lines(g);
    g_autofree char *prefix = g_strdup_printf("%s ", what);
    char *last = NULL;
    size_t i;

    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], prefix)) {
            g_free(last);
            last = g_strdup(lines[i] + strlen(prefix));
        }
    }
    return last;
}

static bool
guest_said(guest *g, const char *line)
{
    g_auto(GStrv) lines = guest_lines(g);

    return g_strv_contains((const char *const *)lines, line);
}

/* Waits until the guest has said @line; fails the case after @timeout_ms. */
static void
guest_wait_line(guest *g, const char *line, unsigned int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    while (!guest_said(g, line)) {
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *text = NULL;

            g_file_get_contents(g->console, &text, NULL, NULL);
            fail_msg("guest %s never said \"VDTEST %s\"; its console:\n%s",
                     virDomainGetName(g->dom), line, text ? text : "(nothing)");
        }
        g_usleep(100 * 1000);
    }
}

static void
guest_wait_ready(guest *g)
{
    guest_wait_line(g, "ready mode=watch", BOOT_TIMEOUT_MS);
}

/* The guest's block devices as it last reported them. */
static char **
guest_blocks(guest *g)
{
    g_autofree char *last = guest_last(g, "blocks");

    if (!last || strcmp(last, "none") == 0)
        return g_new0(char *, 1);
    return g_strsplit(last, ",", -1);
}

static bool
guest_has_block(guest *g, const char *dev)
{
    g_auto(GStrv) now = guest_blocks(g);

    return g_strv_contains((const char *const *)now, dev);
}

/* Waits until the guest reports a block device not in @before: its name. */
static char *
guest_wait_new_block(guest *g, char **before)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)SEE_TIMEOUT_MS * 1000;

    for (;;) {
        g_auto(GStrv) now = guest_blocks(g);
        size_t i;

        for (i = 0; now[i]; i++) {
            if (!g_strv_contains((const char *const *)before, now[i]))
                return g_strdup(now[i]);
        }
        if (g_get_monotonic_time() > deadline)
            fail_msg("the guest saw no new disk (it has %s)", g_strjoinv(",", now));
        g_usleep(100 * 1000);
    }
}

/* Waits until the guest's block list has (@present) or lacks @dev. */
static void
guest_wait_block(guest *g, const char *dev, bool present)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)SEE_TIMEOUT_MS * 1000;

    while (guest_has_block(g, dev) != present) {
        if (g_get_monotonic_time() > deadline)
            fail_msg("the guest still %s %s", present ? "lacks" : "has", dev);
        g_usleep(100 * 1000);
    }
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

/* ---- cases -------------------------------------------------------------------------- */

typedef struct {
    const char *target;
    const char *bus;
    bool pci; /* a PCI device of its own (virtio-blk), in query-pci */
} bus_case;

/* Attach: the guest sees a new disk, QEMU has the device and its nodes.
 * Detach: returns 0, and by then libvirt and QEMU have dropped the disk;
 * the guest's disk goes away. */
static void
plug_and_unplug(guest *g, const bus_case *c)
{
    g_autofree char *name = g_strdup_printf("%s.raw", c->target);
    g_autofree char *img = make_image(name, "8M");
    g_auto(GStrv) before = guest_blocks(g);
    vdisk_disk *disk = new_disk(img, c->target, c->bus);
    g_autofree char *alias = NULL;
    g_autofree char *seen = NULL;
    vdisk_error *err = NULL;

    if (vdisk_hotplug_attach(g->dom, disk, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("attach %s: %s", c->target, vdisk_error_get_message(err));
    vdisk_disk_free(disk);
    alias = live_alias(g->dom, c->target);
    assert_true(qemu_has_node_on(g->dom, img));
    if (!(c->pci ? qemu_has_pci_device(g->dom, alias) : qemu_has_block_qdev(g->dom, alias)))
        fail_msg("%s: QEMU has no device '%s'", c->target, alias);
    seen = guest_wait_new_block(g, before);

    if (vdisk_hotplug_detach(g->dom, c->target, VDISK_HOTPLUG_LIVE, DETACH_TIMEOUT_MS, &err) < 0)
        fail_msg("detach %s (guest %s): %s", c->target, seen, vdisk_error_get_message(err));
    /* done means done: libvirt and QEMU let go before the call returned */
    assert_false(has_disk(g->dom, c->target));
    assert_false(qemu_has_node_on(g->dom, img));
    assert_false(qemu_has_block_qdev(g->dom, alias));
    assert_false(qemu_has_pci_device(g->dom, alias));
    guest_wait_block(g, seen, false);
}

static void
test_guest_sees_disks_come_and_go(void **state)
{
    static const bus_case cases[] = {
        {"vdb", "virtio", true},
        {"sdb", "scsi", false},
        {"sdc", "usb", false},
    };
    guest *g = guest_start("buses", NULL, NULL);
    size_t i;

    (void)state;
    guest_wait_ready(g);
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        plug_and_unplug(g, &cases[i]);
    /* and the same bus again: the slot and names are free */
    plug_and_unplug(g, &cases[0]);
    guest_free(g);
}

/* A virtio disk asked out before the guest's ACPI hotplug runs, and a scsi
 * disk (which needs no guest) at the same moment. */
static void
test_detach_while_booting(void **state)
{
    g_autofree char *vimg = make_image("boot-vd.raw", "8M");
    g_autofree char *simg = make_image("boot-sd.raw", "8M");
    g_autofree char *devices = g_strdup_printf(
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
        "<target dev='vdb' bus='virtio'/></disk>\n"
        "    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
        "<target dev='sdb' bus='scsi'/></disk>",
        vimg, simg);
    guest *g = guest_start("booting", NULL, devices);
    g_autofree char *valias = live_alias(g->dom, "vdb");
    g_autofree char *salias = live_alias(g->dom, "sdb");
    vdisk_error *err = NULL;
    int rc;

    (void)state;
    assert_false(guest_said(g, "ready mode=watch"));
    /* scsi: QEMU unplugs at once, the guest has no say */
    if (vdisk_hotplug_detach(g->dom, "sdb", VDISK_HOTPLUG_LIVE, DETACH_TIMEOUT_MS, &err) < 0)
        fail_msg("detach sdb: %s", vdisk_error_get_message(err));
    assert_false(has_disk(g->dom, "sdb"));
    assert_false(qemu_has_block_qdev(g->dom, salias));
    assert_false(qemu_has_node_on(g->dom, simg));

    /* virtio: the ACPI request reaches a guest that cannot answer yet */
    rc = vdisk_hotplug_detach(g->dom, "vdb", VDISK_HOTPLUG_LIVE, 1000, &err);
    print_message("virtio detach while booting: %s\n", rc == 0 ? "done" : "pending");
    if (rc == 0) {
        /* success only when it is really gone */
        assert_false(has_disk(g->dom, "vdb"));
        assert_false(qemu_has_pci_device(g->dom, valias));
        assert_false(qemu_has_node_on(g->dom, vimg));
        guest_wait_ready(g);
        assert_false(guest_has_block(g, "vda"));
    } else {
        assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_PENDING);
        assert_non_null(strstr(vdisk_error_get_message(err), "target 'vdb'"));
        vdisk_error_free(err);
        err = NULL;
        /* pending: still listed, still in QEMU */
        assert_true(has_disk(g->dom, "vdb"));
        assert_true(qemu_has_pci_device(g->dom, valias));
        assert_true(qemu_has_node_on(g->dom, vimg));
        guest_wait_ready(g);
        /* The guest booted: the three views agree, whichever way it went. A
         * 6.1 kernel does not act on an ejection requested before its ACPI
         * was up, so in practice the disk stays everywhere. */
        if (has_disk(g->dom, "vdb")) {
            assert_true(qemu_has_pci_device(g->dom, valias));
            assert_true(qemu_has_node_on(g->dom, vimg));
            guest_wait_block(g, "vda", true);
        } else {
            assert_false(qemu_has_pci_device(g->dom, valias));
            assert_false(qemu_has_node_on(g->dom, vimg));
            guest_wait_block(g, "vda", false);
        }
    }
    /* asked again once the guest runs, the removal completes */
    if (has_disk(g->dom, "vdb")) {
        if (vdisk_hotplug_detach(g->dom, "vdb", VDISK_HOTPLUG_LIVE, DETACH_TIMEOUT_MS, &err) < 0)
            fail_msg("detach vdb again: %s", vdisk_error_get_message(err));
        assert_false(has_disk(g->dom, "vdb"));
        assert_false(qemu_has_pci_device(g->dom, valias));
        assert_false(qemu_has_node_on(g->dom, vimg));
        guest_wait_block(g, "vda", false);
    }
    assert_false(guest_has_block(g, "sda"));
    guest_free(g);
}

/* The guest keeps /dev/sr0 open, so its kernel locks the tray. */
static void
test_media_change_on_a_locked_tray(void **state)
{
    g_autofree char *a = make_medium("a.iso", "VDMEDIUM-A");
    g_autofree char *b = make_medium("b.iso", "VDMEDIUM-B");
    g_autofree char *devices =
        g_strdup_printf("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                        "<source file='%s'/><target dev='sda' bus='scsi'/><readonly/></disk>",
                        a);
    guest *g = guest_start("tray", "vdtest.hold=sr0 vdtest.media=sr0", devices);
    g_autofree char *path = NULL;
    g_autofree char *alias = NULL;
    vdisk_error *err = NULL;

    (void)state;
    guest_wait_ready(g);
    assert_true(guest_said(g, "holding sr0"));
    assert_true(guest_said(g, "media sr0 VDMEDIUM-A"));
    alias = live_alias(g->dom, "sda");
    assert_true(qmp_has(g->dom, "{\"execute\":\"query-block\"}", "qdev", alias));
    {
        g_autofree char *blocks = qmp(g->dom, "{\"execute\":\"query-block\"}");

        assert_true(strstr(blocks, "\"locked\": true") || strstr(blocks, "\"locked\":true"));
    }

    /* Without FORCE: the guest does not open its tray, libvirt gives up and
     * says so; nothing changed. */
    assert_int_equal(vdisk_hotplug_change_media(g->dom, "sda", b, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_LIBVIRT);
    assert_int_equal(vdisk_error_get_libvirt_code(err), VIR_ERR_OPERATION_FAILED);
    assert_non_null(strstr(vdisk_error_get_message(err), "target 'sda'"));
    assert_non_null(strstr(vdisk_error_get_message(err), b));
    assert_non_null(strstr(vdisk_error_get_message(err), "tray"));
    vdisk_error_free(err);
    err = NULL;
    path = live_path(g->dom, "sda");
    assert_string_equal(path, a);
    assert_true(qemu_has_node_on(g->dom, a));
    assert_false(qemu_has_node_on(g->dom, b));

    /* FORCE opens the locked tray: the new medium is in and the guest reads it */
    if (vdisk_hotplug_change_media(g->dom, "sda", b, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_FORCE,
                                   &err) < 0)
        fail_msg("forced change: %s", vdisk_error_get_message(err));
    g_free(path);
    path = live_path(g->dom, "sda");
    assert_string_equal(path, b);
    assert_true(qemu_has_node_on(g->dom, b));
    assert_false(qemu_has_node_on(g->dom, a));
    guest_wait_line(g, "media sr0 VDMEDIUM-B", SEE_TIMEOUT_MS);
    guest_free(g);
}

/* The writer hook: numbered, fsync'd blocks on a hot-plugged virtio disk
 * until it is unplugged under it; what was reported written is on the image. */
static void
test_writer_until_unplugged(void **state)
{
    g_autofree char *img = make_image("writer.raw", "8M");
    guest *g = guest_start("writer", "vdtest.mode=writer vdtest.dev=vda", NULL);
    vdisk_disk *disk = new_disk(img, "vdb", "virtio");
    g_autofree char *data = NULL;
    g_autofree char *last = NULL;
    g_autoptr(GString) lost = g_string_new(NULL);
    vdisk_error *err = NULL;
    gsize len = 0;
    long n;
    long i;

    (void)state;
    guest_wait_line(g, "ready mode=writer", BOOT_TIMEOUT_MS);
    if (vdisk_hotplug_attach(g->dom, disk, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("attach: %s", vdisk_error_get_message(err));
    vdisk_disk_free(disk);
    guest_wait_line(g, "wrote vda 3", SEE_TIMEOUT_MS);
    if (vdisk_hotplug_detach(g->dom, "vdb", VDISK_HOTPLUG_LIVE, DETACH_TIMEOUT_MS, &err) < 0)
        fail_msg("detach: %s", vdisk_error_get_message(err));
    assert_false(qemu_has_node_on(g->dom, img));
    guest_wait_block(g, "vda", false);

    /* What reached the image is where the guest put it: every block holds
     * its own number or nothing. Blocks the guest reported fsync'd but that
     * are not on the image are listed: they are seen (one block or a few,
     * written just after the unplug request reached the guest, while later
     * blocks arrived), and the same run without an unplug loses none. */
    last = guest_last(g, "wrote vda");
    assert_non_null(last);
    n = strtol(last, NULL, 10);
    assert_true(n >= 3);
    assert_true(g_file_get_contents(img, &data, &len, NULL));
    assert_true((gsize)(n + 1) * 4096 <= len);
    for (i = 0; i <= n; i++) {
        g_autofree char *want = g_strdup_printf("VDTEST-BLOCK %ld\n", i);
        const char *block = data + i * 4096;

        if (memcmp(block, want, strlen(want)) == 0)
            continue;
        if (block[0] != '\0')
            fail_msg("block %ld holds '%.16s', not its own number", i, block);
        g_string_append_printf(lost, " %ld", i);
    }
    if (lost->len)
        print_message("writer: blocks reported written but not on the image:%s (of 0-%ld)\n",
                      lost->str, n);
    guest_free(g);
}

/* ---- setup -------------------------------------------------------------------------- */

/* Destroys guests an earlier run of this program left behind (it was
 * killed before its teardown): their names carry a pid that is gone. */
static void
reap_leftovers(void)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
    int i;

    for (i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);
        const char *dash;
        long pid = 0;

        /* guesttest-guest-TAG-PID-N */
        if (name && g_str_has_prefix(name, NAME_PREFIX) &&
            (dash = strchr(name + strlen(NAME_PREFIX), '-')))
            pid = strtol(dash + 1, NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
            virDomainDestroy(doms[i]);
        virDomainFree(doms[i]);
    }
    free(doms);
}

static int
group_setup(void **state)
{
    const char *dir = getenv("VDTEST_GUEST_DIR");
    vdisk_error *err = NULL;

    (void)state;
    if (!dir) {
        fprintf(stderr, "VDTEST_GUEST_DIR is not set (the directory build-test-guest.sh wrote)\n");
        return -1;
    }
    virSetErrorFunc(NULL, ignore_libvirt_errors);
    if (vdisk_connect_open(&conn, URI, VDISK_CONNECT_DEFAULT, &err) < 0) {
        fprintf(stderr, "cannot open %s: %s\n", URI, vdisk_error_get_message(err));
        vdisk_error_free(err);
        return -1;
    }
    reap_leftovers();
    imgdir = g_strdup("/var/lib/libvirt/images/guesttest-guest-XXXXXX");
    if (!g_mkdtemp_full(imgdir, 0755)) {
        g_clear_pointer(&imgdir, g_free);
        return -1;
    }
    /* a copy per run: libvirt relabels the kernel and initrd it boots */
    if (copy_in(dir, "vmlinuz", imgdir, &kernel) < 0 || copy_in(dir, "initrd.gz", imgdir, &initrd) < 0)
        return -1;
    domains = g_ptr_array_new();
    return 0;
}

static int
group_teardown(void **state)
{
    if (domains)
        teardown_domains(state);
    if (imgdir)
        remove_tree(imgdir);
    if (conn)
        vdisk_connect_close(conn);
    return 0;
}

#define CASE(fn) cmocka_unit_test_teardown(fn, teardown_domains)

int
main(void)
{
    const struct CMUnitTest all[] = {
        CASE(test_guest_sees_disks_come_and_go),
        CASE(test_detach_while_booting),
        CASE(test_media_change_on_a_locked_tray),
        CASE(test_writer_until_unplugged),
    };

    return cmocka_run_group_tests_name("guest", all, group_setup, group_teardown);
}
