/*
 * test-trust.c: what a management tool relies on when it plugs disks in
 *
 * Against real QEMU domains (trusttest-*: qemu, pc, 64 MiB, no OS) through
 * libvirtd (qemu:///system) or libvirt's embedded driver (VDTEST_HOTPLUG_URI=
 * qemu:///embed), QEMU checked over QMP after each step:
 *
 *   - attaching a source the domain already has, with an automatic target,
 *     changes nothing and names the target it has; another target is refused
 *   - a disk without a format: raw is attached (said to be a guess), qcow2 is
 *     refused unless the caller asks for the header's format
 *   - automatic targets skip names whose alias or address is taken, and
 *     processes attaching at once to one domain all get distinct targets
 *   - the persistent definition of a transient domain: VDISK_ERR_TRANSIENT
 *   - a machine that cannot hot-plug says what to change; a hot-plugged SCSI
 *     cdrom takes and ejects media (libvirt 9.0 alone fails)
 *   - the client killed with SIGKILL at random points of attach and detach:
 *     vdisk_hotplug_recover() makes live, persistent and QEMU agree
 *
 * With a remote VDTEST_HOTPLUG_URI (qemu+tcp://...) the cases that need no
 * local view of the daemon run through it (the remote-trust test).
 *
 * VDTEST_TRUST_LIBVIRTD_KILLS=N (the hotplug-trust-libvirtd test) instead
 * kills libvirtd itself N times at random points of attach and detach,
 * restarts it with scripts/start-libvirt.sh, recovers and checks again; it
 * must run alone (it takes the daemon away from everyone else).
 *
 * Counts go to stdout ("kill trials: ...") for the record.
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
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include <vdisk/vdisk.h>
#include <vdisk/hotplug.h>

#include "hotplug-util.h"

#define DEFAULT_URI "qemu:///system"

static char *uri;
static char *embed_root;
static virConnectPtr conn;
static char *imgdir;
static GPtrArray *domains;
static unsigned int serial;

/* ---- fixtures ------------------------------------------------------------------------ */

static void
ignore_libvirt_errors(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static bool
is_embed(void)
{
    return g_str_has_prefix(uri, "qemu:///embed");
}

static char *
make_image(const char *name, const char *fmt, const char *size)
{
    char *path = g_build_filename(imgdir, name, NULL);
    g_autofree char *errout = NULL;
    int status = 0;
    const char *argv[] = {"qemu-img", "create", "-q", "-f", fmt, path, size, NULL};

    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                             &errout, &status, NULL));
    if (status != 0)
        fail_msg("qemu-img create %s failed: %s", path, errout);
    return path;
}

/* An image of random bytes: no header any prober recognises. */
static char *
make_random_image(const char *name)
{
    char *path = g_build_filename(imgdir, name, NULL);
    g_autofree guint32 *data = g_new(guint32, 65536);
    size_t i;

    for (i = 0; i < 65536; i++)
        data[i] = g_random_int();
    assert_true(g_file_set_contents(path, (const char *)data, 65536 * 4, NULL));
    return path;
}

#define DOMAIN_TEMPLATE                                                                            \
    "<domain type='qemu'>\n"                                                                       \
    "  <name>%s</name>\n"                                                                          \
    "  <memory unit='MiB'>64</memory>\n"                                                           \
    "  <vcpu>1</vcpu>\n"                                                                           \
    "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"                                     \
    "  %s\n"                                                                                       \
    "  <devices>\n"                                                                                \
    "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"                                \
    "    %s\n"                                                                                     \
    "    <memballoon model='none'/>\n"                                                             \
    "  </devices>\n"                                                                               \
    "</domain>\n"

static char *
domain_xml(const char *tag, const char *features, const char *extra)
{
    g_autofree char *name = g_strdup_printf("trusttest-%s-%d-%u", tag, (int)getpid(), ++serial);

    return g_strdup_printf(DOMAIN_TEMPLATE, name,
                           features ? features : "<features><acpi/></features>",
                           extra ? extra : "");
}

/* A running transient domain, destroyed by the case's teardown. */
static virDomainPtr
start_transient(const char *tag, const char *features)
{
    g_autofree char *xml = domain_xml(tag, features, NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED);

    if (!dom)
        fail_msg("cannot start a %s domain: %s", tag, virGetLastErrorMessage());
    g_ptr_array_add(domains, dom);
    return dom;
}

/* A defined and running domain, destroyed and undefined by the teardown. */
static virDomainPtr
start_persistent(const char *tag)
{
    g_autofree char *xml = domain_xml(tag, NULL, NULL);
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    if (!dom)
        fail_msg("cannot define a %s domain: %s", tag, virGetLastErrorMessage());
    g_ptr_array_add(domains, dom);
    if (virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) < 0)
        fail_msg("cannot start the %s domain: %s", tag, virGetLastErrorMessage());
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
            virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_NVRAM);
        virDomainFree(dom);
    }
    return 0;
}

/* ---- looking at QEMU and libvirt ------------------------------------------------------- */

/* Whether a device QEMU lists in query-block holds @path (as inserted medium). */
static bool
qemu_block_has(virDomainPtr dom, const char *path)
{
    g_autofree char *out = qmp(dom, "{\"execute\":\"query-block\"}");
    g_autofree char *a = g_strdup_printf("\"file\": \"%s\"", path);
    g_autofree char *b = g_strdup_printf("\"file\":\"%s\"", path);

    return strstr(out, a) || strstr(out, b);
}

/* The target of the disk of @dom (@flags as for list) on @path, or NULL. */
static char *
target_of(virDomainPtr dom, const char *path, unsigned int flags)
{
    vdisk_domain *ctx = list_disks(dom, flags);
    char *target = NULL;
    size_t i;

    for (i = 0; i < vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk_const(ctx, i);

        if (g_strcmp0(vdisk_disk_get_path(d), path) == 0)
            target = g_strdup(vdisk_disk_get_target(d));
    }
    vdisk_domain_free(ctx);
    return target;
}

/* A file disk on @path, its target @target (NULL: none, for an automatic
 * one) and format @fmt (NULL: none); NULL on failure (for the children,
 * which must not fail the case: they only exit). */
static vdisk_disk *
make_disk(const char *path, const char *target, vdisk_bus bus, const char *fmt, vdisk_error **err)
{
    vdisk_disk *disk = vdisk_disk_new();
    vdisk_source *src = vdisk_disk_get_source(disk);

    if (vdisk_source_set_type(src, VDISK_TYPE_FILE, err) < 0 ||
        vdisk_source_set_path(src, path, err) < 0 ||
        vdisk_disk_set_driver_name(disk, "qemu", err) < 0 ||
        (fmt &&
         vdisk_source_set_format(src, vdisk_enum_from_string(VDISK_ENUM_FORMAT, fmt), err) < 0) ||
        vdisk_disk_set_bus(disk, bus, err) < 0 ||
        (target && vdisk_disk_set_target(disk, target, err) < 0)) {
        vdisk_disk_free(disk);
        return NULL;
    }
    return disk;
}

static vdisk_disk *
new_disk(const char *path, const char *target, vdisk_bus bus, const char *fmt)
{
    vdisk_error *err = NULL;
    vdisk_disk *disk = make_disk(path, target, bus, fmt, &err);

    if (!disk)
        fail_msg("disk: %s", vdisk_error_get_message(err));
    return disk;
}

static unsigned int
attach_auto_ok(virDomainPtr dom, vdisk_disk *disk, unsigned int flags)
{
    vdisk_error *err = NULL;
    unsigned int result = 0;

    if (vdisk_hotplug_attach_auto(dom, disk, flags, &result, &err) < 0)
        fail_msg("attach: %s", vdisk_error_get_message(err));
    return result;
}

/* ---- 1. a source the domain has ------------------------------------------------------ */

static void
test_same_source_twice_keeps_its_target(void **state)
{
    virDomainPtr dom = start_transient("twice", NULL);
    g_autofree char *img = make_image("twice.raw", "raw", "8M");
    vdisk_disk *a = new_disk(img, NULL, VDISK_BUS_SCSI, "raw");
    vdisk_disk *b = new_disk(img, NULL, VDISK_BUS_SCSI, "raw");
    vdisk_disk *c = new_disk(img, "sdc", VDISK_BUS_SCSI, "raw");
    vdisk_domain *ctx;
    unsigned int res;
    vdisk_error *err = NULL;

    (void)state;
    res = attach_auto_ok(dom, a, VDISK_HOTPLUG_LIVE);
    assert_true(res & VDISK_ATTACH_LIVE_CHANGED);
    assert_string_equal(vdisk_disk_get_target(a), "sda");
    assert_int_equal(qemu_nodes_on(dom, img), 2);

    /* the second time: the same target, nothing changed, QEMU untouched */
    res = attach_auto_ok(dom, b, VDISK_HOTPLUG_LIVE);
    assert_string_equal(vdisk_disk_get_target(b), "sda");
    assert_true(res & VDISK_ATTACH_EXISTING);
    assert_false(res & (VDISK_ATTACH_LIVE_CHANGED | VDISK_ATTACH_CONFIG_CHANGED));
    ctx = list_disks(dom, 0);
    assert_int_equal(vdisk_domain_get_disk_count(ctx), 1);
    vdisk_domain_free(ctx);
    assert_int_equal(qemu_nodes_on(dom, img), 2);

    /* another target for it is refused, naming the one it has */
    assert_int_equal(vdisk_hotplug_attach(dom, c, VDISK_HOTPLUG_LIVE, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_EXISTS);
    assert_non_null(strstr(vdisk_error_get_message(err), "as target 'sda'"));
    vdisk_error_free(err);
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    vdisk_disk_free(a);
    vdisk_disk_free(b);
    vdisk_disk_free(c);
}

static void
test_same_source_is_added_where_it_is_missing(void **state)
{
    virDomainPtr dom = start_persistent("missing-side");
    g_autofree char *img = make_image("side.qcow2", "qcow2", "16M");
    vdisk_disk *a = new_disk(img, NULL, VDISK_BUS_SCSI, "qcow2");
    vdisk_disk *b = new_disk(img, NULL, VDISK_BUS_SCSI, "qcow2");
    g_autofree char *live = NULL;
    g_autofree char *config = NULL;
    unsigned int res;

    (void)state;
    attach_auto_ok(dom, a, VDISK_HOTPLUG_LIVE);
    res = attach_auto_ok(dom, b, VDISK_HOTPLUG_PERSISTENT);
    assert_true(res & VDISK_ATTACH_EXISTING);
    assert_true(res & VDISK_ATTACH_CONFIG_CHANGED);
    assert_false(res & VDISK_ATTACH_LIVE_CHANGED);
    assert_string_equal(vdisk_disk_get_target(b), vdisk_disk_get_target(a));
    live = target_of(dom, img, 0);
    config = target_of(dom, img, VDISK_HOTPLUG_INACTIVE);
    assert_non_null(live);
    assert_non_null(config);
    assert_string_equal(live, config);
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    vdisk_disk_free(a);
    vdisk_disk_free(b);
}

/* ---- 2. formats ------------------------------------------------------------------------- */

static void
test_formats_without_a_format(void **state)
{
    virDomainPtr dom = start_transient("formats", NULL);
    g_autofree char *qcow = make_image("fmt.qcow2", "qcow2", "16M");
    g_autofree char *rnd = make_random_image("fmt.random");
    vdisk_disk *q = new_disk(qcow, NULL, VDISK_BUS_SCSI, NULL);
    vdisk_disk *r = new_disk(rnd, NULL, VDISK_BUS_SCSI, NULL);
    vdisk_error *err = NULL;
    unsigned int res = 0;

    (void)state;
    /* a qcow2 header and no format: refused, naming it and the two ways on */
    assert_int_equal(vdisk_hotplug_attach_auto(dom, q, VDISK_HOTPLUG_LIVE, &res, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_non_null(strstr(vdisk_error_get_message(err), "qcow2 header"));
    assert_non_null(strstr(vdisk_error_get_message(err), "--format qcow2"));
    assert_non_null(strstr(vdisk_error_get_message(err), "--format raw"));
    vdisk_error_free(err);
    err = NULL;
    assert_null(vdisk_disk_get_target(q));
    assert_int_equal(qemu_nodes_on(dom, qcow), 0);

    /* asked for: the header's format, said so */
    res = attach_auto_ok(dom, q, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_PROBE_FORMAT);
    assert_true(res & VDISK_ATTACH_FORMAT_PROBED);
    assert_false(res & VDISK_ATTACH_FORMAT_GUESSED);
    assert_int_equal(vdisk_disk_get_format(q), VDISK_FORMAT_QCOW2);
    assert_int_equal(qemu_nodes_on(dom, qcow), 2);

    /* random bytes: raw, and said to be a guess */
    res = attach_auto_ok(dom, r, VDISK_HOTPLUG_LIVE);
    assert_true(res & VDISK_ATTACH_FORMAT_PROBED);
    assert_true(res & VDISK_ATTACH_FORMAT_GUESSED);
    assert_int_equal(vdisk_disk_get_format(r), VDISK_FORMAT_RAW);
    assert_int_equal(qemu_nodes_on(dom, rnd), 2);
    vdisk_disk_free(q);
    vdisk_disk_free(r);
}

/* ---- 3. targets --------------------------------------------------------------------------- */

static void
test_next_target_skips_taken_aliases(void **state)
{
    virDomainPtr dom = start_transient("alias", NULL);
    g_autofree char *img1 = make_image("alias-1.raw", "raw", "8M");
    g_autofree char *img2 = make_image("alias-2.raw", "raw", "8M");
    vdisk_disk *odd = new_disk(img1, "sdc", VDISK_BUS_VIRTIO, "raw");
    vdisk_disk *next = new_disk(img2, NULL, VDISK_BUS_VIRTIO, "raw");
    vdisk_error *err = NULL;
    vdisk_domain *ctx;
    char *name = NULL;

    (void)state;
    if (vdisk_hotplug_attach(dom, odd, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("attach: %s", vdisk_error_get_message(err));
    ctx = list_disks(dom, 0);
    assert_string_equal(vdisk_disk_get_alias(vdisk_domain_find_disk(ctx, "sdc")), "virtio-disk2");
    vdisk_domain_free(ctx);

    assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_VIRTIO, &err), 0);
    assert_string_equal(name, "vda");
    vdisk_free(name);
    /* vda and vdb taken in turn; vdc would be virtio-disk2 again */
    attach_auto_ok(dom, next, VDISK_HOTPLUG_LIVE);
    assert_string_equal(vdisk_disk_get_target(next), "vda");
    {
        g_autofree char *img3 = make_image("alias-3.raw", "raw", "8M");
        vdisk_disk *third = new_disk(img3, NULL, VDISK_BUS_VIRTIO, "raw");
        g_autofree char *img4 = make_image("alias-4.raw", "raw", "8M");
        vdisk_disk *fourth = new_disk(img4, NULL, VDISK_BUS_VIRTIO, "raw");

        attach_auto_ok(dom, third, VDISK_HOTPLUG_LIVE);
        assert_string_equal(vdisk_disk_get_target(third), "vdb");
        assert_int_equal(vdisk_hotplug_next_target(&name, dom, VDISK_BUS_VIRTIO, &err), 0);
        assert_string_equal(name, "vdd");
        vdisk_free(name);
        attach_auto_ok(dom, fourth, VDISK_HOTPLUG_LIVE);
        assert_string_equal(vdisk_disk_get_target(fourth), "vdd");
        assert_true(qemu_block_has(dom, img4));
        vdisk_disk_free(third);
        vdisk_disk_free(fourth);
    }
    vdisk_disk_free(next);
    vdisk_disk_free(odd);
}

static int
env_int(const char *name, int dflt)
{
    const char *v = getenv(name);

    return v && *v ? atoi(v) : dflt;
}

/* One worker: its own connection, @disks attaches with automatic targets. */
static int
concurrent_worker(const char *dom_name, int worker, int disks, const char *bus_name)
{
    virConnectPtr c = NULL;
    virDomainPtr d = NULL;
    vdisk_error *err = NULL;
    int failures = 0;
    int i;

    if (vdisk_connect_open(&c, uri, VDISK_CONNECT_NO_EVENT_LOOP, &err) < 0 ||
        vdisk_connect_lookup_domain(&d, c, dom_name, &err) < 0) {
        fprintf(stderr, "worker %d: %s\n", worker, vdisk_error_get_message(err));
        return 100;
    }
    virConnSetErrorFunc(c, NULL, ignore_libvirt_errors);
    for (i = 0; i < disks; i++) {
        g_autofree char *path =
            g_strdup_printf("%s/conc-%s-%d-%d.raw", imgdir, bus_name, worker, i);
        vdisk_disk *disk =
            make_disk(path, NULL, vdisk_enum_from_string(VDISK_ENUM_BUS, bus_name), "raw", &err);
        unsigned int res = 0;

        if (!disk || vdisk_hotplug_attach_auto(d, disk, VDISK_HOTPLUG_LIVE, &res, &err) < 0) {
            fprintf(stderr, "worker %d disk %d: %s\n", worker, i, vdisk_error_get_message(err));
            vdisk_error_free(err);
            err = NULL;
            failures++;
        } else if (res & VDISK_ATTACH_TARGET_RETRIED) {
            printf("worker %d disk %d: %s after a retry\n", worker, i, vdisk_disk_get_target(disk));
        }
        vdisk_disk_free(disk);
    }
    virDomainFree(d);
    virConnectClose(c);
    fflush(stdout); /* the child leaves with _exit() */
    return failures;
}

static void
run_concurrent(const char *bus_name, int workers, int disks)
{
    virDomainPtr dom = start_transient(bus_name, NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *name = virDomainGetName(dom);
    pid_t *pids = g_new0(pid_t, workers);
    vdisk_domain *ctx;
    int failures = 0;
    int w, i;

    for (w = 0; w < workers; w++) {
        for (i = 0; i < disks; i++) {
            g_autofree char *img = g_strdup_printf("conc-%s-%d-%d.raw", bus_name, w, i);
            g_free(make_image(img, "raw", "1M"));
        }
    }
    fflush(stdout);
    for (w = 0; w < workers; w++) {
        if ((pids[w] = fork()) == 0)
            _exit(concurrent_worker(name, w, disks, bus_name));
        assert_true(pids[w] > 0);
    }
    for (w = 0; w < workers; w++) {
        int status = 0;

        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        failures += WEXITSTATUS(status);
    }
    g_free(pids);
    printf("concurrency (%s): %d workers x %d disks, %d failures\n", bus_name, workers, disks,
           failures);
    assert_int_equal(failures, 0);

    /* every disk on a target of its own, in libvirt and in QEMU */
    ctx = list_disks(dom, 0);
    assert_int_equal(vdisk_domain_get_disk_count(ctx), workers * disks);
    for (i = 0; i < (int)vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk_const(ctx, i);

        assert_true(g_hash_table_add(seen, g_strdup(vdisk_disk_get_target(d))));
        assert_true(qemu_block_has(dom, vdisk_disk_get_path(d)));
    }
    vdisk_domain_free(ctx);
}

static void
test_concurrent_processes_get_distinct_targets(void **state)
{
    (void)state;
    run_concurrent("scsi", env_int("VDTEST_TRUST_WORKERS", 4), env_int("VDTEST_TRUST_DISKS", 6));
}

static void
test_concurrent_virtio_processes_get_distinct_targets(void **state)
{
    (void)state;
    run_concurrent("virtio", 3, 3);
}

/* ---- 4. transient domains --------------------------------------------------------------- */

static void
test_transient_domain_has_no_persistent_side(void **state)
{
    virDomainPtr dom = start_transient("transient", NULL);
    g_autofree char *img = make_image("transient.raw", "raw", "8M");
    vdisk_disk *disk = new_disk(img, NULL, VDISK_BUS_SCSI, "raw");
    vdisk_domain *ctx = NULL;
    vdisk_error *err = NULL;
    unsigned int res = 0;
    unsigned int sides = 0;

    (void)state;
    assert_int_equal(vdisk_hotplug_list(&ctx, dom, VDISK_HOTPLUG_INACTIVE, &err), -1);
    assert_null(ctx);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_TRANSIENT);
    assert_string_equal(vdisk_error_code_name(vdisk_error_get_code(err)), "transient");
    vdisk_error_free(err);
    err = NULL;

    assert_int_equal(
        vdisk_hotplug_attach_auto(dom, disk, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG, &res, &err),
        -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_TRANSIENT);
    assert_non_null(strstr(vdisk_error_get_message(err), "is transient"));
    vdisk_error_free(err);
    err = NULL;
    assert_int_equal(qemu_nodes_on(dom, img), 0);

    assert_int_equal(vdisk_hotplug_resolve_flags(dom, VDISK_HOTPLUG_PERSISTENT, &sides, &err), 0);
    assert_int_equal(sides, VDISK_HOTPLUG_LIVE);
    res = attach_auto_ok(dom, disk, VDISK_HOTPLUG_PERSISTENT);
    assert_true(res & VDISK_ATTACH_LIVE_ONLY);
    assert_true(res & VDISK_ATTACH_LIVE_CHANGED);
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    if (vdisk_hotplug_detach(dom, vdisk_disk_get_target(disk), VDISK_HOTPLUG_PERSISTENT, 10000,
                             &err) < 0)
        fail_msg("detach: %s", vdisk_error_get_message(err));
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    vdisk_disk_free(disk);
}

static void
test_persistent_flag_changes_both_definitions(void **state)
{
    virDomainPtr dom = start_persistent("both");
    g_autofree char *img = make_image("both.raw", "raw", "8M");
    vdisk_disk *disk = new_disk(img, NULL, VDISK_BUS_SCSI, "raw");
    g_autofree char *live = NULL;
    g_autofree char *config = NULL;
    vdisk_error *err = NULL;
    unsigned int sides = 0;
    unsigned int res;

    (void)state;
    assert_int_equal(vdisk_hotplug_resolve_flags(dom, VDISK_HOTPLUG_PERSISTENT, &sides, &err), 0);
    assert_int_equal(sides, VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG);
    res = attach_auto_ok(dom, disk, VDISK_HOTPLUG_PERSISTENT);
    assert_true(res & VDISK_ATTACH_LIVE_CHANGED);
    assert_true(res & VDISK_ATTACH_CONFIG_CHANGED);
    assert_false(res & VDISK_ATTACH_LIVE_ONLY);
    live = target_of(dom, img, 0);
    config = target_of(dom, img, VDISK_HOTPLUG_INACTIVE);
    assert_non_null(live);
    assert_non_null(config);
    assert_int_equal(qemu_nodes_on(dom, img), 2);
    if (vdisk_hotplug_detach(dom, live, VDISK_HOTPLUG_PERSISTENT, 10000, &err) < 0)
        fail_msg("detach: %s", vdisk_error_get_message(err));
    g_free(live);
    g_free(config);
    live = target_of(dom, img, 0);
    config = target_of(dom, img, VDISK_HOTPLUG_INACTIVE);
    assert_null(live);
    assert_null(config);
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    vdisk_disk_free(disk);
}

/* ---- 5. what QEMU cannot say --------------------------------------------------------------- */

static void
test_pc_without_acpi_says_what_to_change(void **state)
{
    virDomainPtr dom = start_transient("noacpi", "<features/>");
    g_autofree char *img = make_image("noacpi.raw", "raw", "8M");
    vdisk_disk *disk = new_disk(img, NULL, VDISK_BUS_VIRTIO, "raw");
    vdisk_error *err = NULL;
    unsigned int res = 0;

    (void)state;
    assert_int_equal(vdisk_hotplug_attach_auto(dom, disk, VDISK_HOTPLUG_LIVE, &res, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_LIBVIRT);
    /* QEMU's words, and what to change */
    assert_non_null(strstr(vdisk_error_get_message(err), "does not support hotplugging"));
    assert_non_null(strstr(vdisk_error_get_message(err), "<acpi/>"));
    assert_non_null(strstr(vdisk_error_get_message(err), "nothing was changed"));
    vdisk_error_free(err);
    assert_int_equal(qemu_nodes_on(dom, img), 0);
    vdisk_disk_free(disk);
}

static void
test_hotplugged_scsi_cdrom_changes_media(void **state)
{
    virDomainPtr dom = start_transient("cdrom", NULL);
    g_autofree char *iso = make_image("media.iso", "raw", "1M");
    g_autofree char *iso2 = make_image("media2.iso", "raw", "1M");
    g_autofree char *xml = g_strdup_printf("<disk type='file' device='cdrom'>"
                                           "<driver name='qemu' type='raw'/>"
                                           "<source file='%s'/>"
                                           "<target dev='sdb' bus='scsi'/><readonly/></disk>",
                                           iso);
    vdisk_disk *cd = NULL;
    vdisk_error *err = NULL;
    vdisk_domain *ctx;

    (void)state;
    assert_int_equal(vdisk_disk_from_xml(&cd, xml, &err), 0);
    if (vdisk_hotplug_attach(dom, cd, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("attach cdrom: %s", vdisk_error_get_message(err));
    assert_true(qemu_block_has(dom, iso));

    /* libvirt 9.0 alone: "Tray of device 'scsi0-0-0-1' is not open" */
    if (vdisk_hotplug_change_media(dom, "sdb", iso2, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("change: %s", vdisk_error_get_message(err));
    ctx = list_disks(dom, 0);
    assert_string_equal(vdisk_disk_get_path(vdisk_domain_find_disk(ctx, "sdb")), iso2);
    vdisk_domain_free(ctx);
    assert_false(qemu_block_has(dom, iso));
    assert_true(qemu_block_has(dom, iso2));
    assert_int_equal(qemu_nodes_on(dom, iso), 0);

    if (vdisk_hotplug_change_media(dom, "sdb", NULL, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("eject: %s", vdisk_error_get_message(err));
    ctx = list_disks(dom, 0);
    assert_null(vdisk_disk_get_path(vdisk_domain_find_disk(ctx, "sdb")));
    vdisk_domain_free(ctx);
    assert_int_equal(qemu_nodes_on(dom, iso2), 0);

    /* and a medium goes in again, the tray closed behind it */
    if (vdisk_hotplug_change_media(dom, "sdb", iso, VDISK_HOTPLUG_LIVE, &err) < 0)
        fail_msg("insert: %s", vdisk_error_get_message(err));
    assert_true(qemu_block_has(dom, iso));
    {
        g_autofree char *out = qmp(dom, "{\"execute\":\"query-block\"}");

        assert_non_null(strstr(out, "\"tray_open\":false"));
    }
    vdisk_disk_free(cd);
}

/* ---- 6. recovery ----------------------------------------------------------------------- */

/* The disk on @path is in all three of live, persistent and QEMU, or in
 * none; returns whether it is there, fails the case otherwise. */
static bool
assert_agree(virDomainPtr dom, const char *path, const char *when)
{
    g_autofree char *live = target_of(dom, path, 0);
    g_autofree char *config = target_of(dom, path, VDISK_HOTPLUG_INACTIVE);
    unsigned int nodes = qemu_nodes_on(dom, path);
    bool in_qemu = qemu_block_has(dom, path);

    if (!!live != !!config || !!live != in_qemu || (live && strcmp(live, config) != 0) ||
        (live ? nodes != 2 : nodes != 0))
        fail_msg("%s: live %s, persistent %s, QEMU device %s with %u nodes", when,
                 live ? live : "-", config ? config : "-", in_qemu ? "yes" : "no", nodes);
    return live != NULL;
}

static void
test_recover_with_nothing_pending_is_a_noop(void **state)
{
    virDomainPtr dom = start_persistent("noop");
    char *report = (char *)"x";
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_hotplug_recover(dom, 0, &report, &err), 0);
    assert_null(report);
}

/* The child: attach and detach @path live and persistent, forever. */
static void
kill_trial_child(const char *dom_name, const char *path)
{
    virConnectPtr c = NULL;
    virDomainPtr d = NULL;
    vdisk_error *err = NULL;

    if (vdisk_connect_open(&c, uri, VDISK_CONNECT_NO_EVENT_LOOP, &err) < 0 ||
        vdisk_connect_lookup_domain(&d, c, dom_name, &err) < 0)
        _exit(100);
    virConnSetErrorFunc(c, NULL, ignore_libvirt_errors);
    for (;;) {
        vdisk_disk *disk = make_disk(path, NULL, VDISK_BUS_SCSI, "raw", &err);
        unsigned int res = 0;

        if (!disk)
            _exit(101);
        if (vdisk_hotplug_attach_auto(d, disk, VDISK_HOTPLUG_PERSISTENT, &res, &err) == 0)
            vdisk_hotplug_detach(d, vdisk_disk_get_target(disk), VDISK_HOTPLUG_PERSISTENT, 10000,
                                 &err);
        vdisk_error_free(err);
        err = NULL;
        vdisk_disk_free(disk);
    }
}

static void
test_recover_after_the_client_is_killed(void **state)
{
    virDomainPtr dom = start_persistent("kill");
    g_autofree char *img = make_image("kill.raw", "raw", "8M");
    const char *name = virDomainGetName(dom);
    int trials = env_int("VDTEST_TRUST_KILLS", 20);
    int recovered = 0, attached = 0, clean = 0;
    int t;

    (void)state;
    for (t = 0; t < trials; t++) {
        g_autofree char *when = g_strdup_printf("client kill trial %d", t);
        char *report = NULL;
        vdisk_error *err = NULL;
        int status = 0;
        pid_t pid;

        fflush(stdout);
        if ((pid = fork()) == 0)
            kill_trial_child(name, img);
        assert_true(pid > 0);
        /* anywhere in an attach or detach cycle (one takes ~100-400 ms) */
        g_usleep(g_random_int_range(150, 1500) * G_TIME_SPAN_MILLISECOND);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);

        if (vdisk_hotplug_recover(dom, 0, &report, &err) < 0)
            fail_msg("%s: recover: %s", when, vdisk_error_get_message(err));
        if (report) {
            recovered++;
            printf("%s: %s", when, report);
            vdisk_free(report);
        } else {
            clean++;
        }
        if (assert_agree(dom, img, when))
            attached++;
        /* and recovery is then a no-op */
        assert_int_equal(vdisk_hotplug_recover(dom, 0, &report, &err), 0);
        assert_null(report);
    }
    printf("client kill trials: %d, %d left a record that recovery resolved, %d left none; "
           "disk attached afterwards in %d, detached in %d; all agreed\n",
           trials, recovered, clean, attached, trials - attached);
}

/* ---- libvirtd kills ---------------------------------------------------------------------- */

static pid_t
libvirtd_pid(void)
{
    static const char *const files[] = {"/run/libvirtd.pid", "/run/libvirt/libvirtd.pid"};
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *text = NULL;
        long pid;

        if (!g_file_get_contents(files[i], &text, NULL, NULL))
            continue;
        pid = strtol(text, NULL, 10);
        if (pid > 1 && kill((pid_t)pid, 0) == 0)
            return (pid_t)pid;
    }
    return 0;
}

static void
start_libvirtd(void)
{
    const char *argv[] = {VDISK_START_LIBVIRT, NULL};
    g_autofree char *errout = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                      &errout, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL))
        fail_msg("%s failed: %s", VDISK_START_LIBVIRT, errout ? errout : "");
}

static void
reconnect(void)
{
    vdisk_error *err = NULL;

    if (conn)
        virConnectClose(conn);
    conn = NULL;
    if (vdisk_connect_open(&conn, uri, VDISK_CONNECT_NO_EVENT_LOOP, &err) < 0)
        fail_msg("reconnect: %s", vdisk_error_get_message(err));
}

static void
test_recover_after_libvirtd_is_killed(void **state)
{
    virDomainPtr dom = start_persistent("daemon");
    g_autofree char *img = make_image("daemon.raw", "raw", "8M");
    g_autofree char *name = g_strdup(virDomainGetName(dom));
    int trials = env_int("VDTEST_TRUST_LIBVIRTD_KILLS", 10);
    int recovered = 0, attached = 0;
    int t;

    (void)state;
    for (t = 0; t < trials; t++) {
        g_autofree char *when = g_strdup_printf("libvirtd kill trial %d", t);
        char *report = NULL;
        vdisk_error *err = NULL;
        virDomainPtr d = NULL;
        int status = 0;
        pid_t daemon = libvirtd_pid();
        pid_t pid;

        if (!daemon)
            fail_msg("%s: no libvirtd runs", when);
        fflush(stdout);
        if ((pid = fork()) == 0)
            kill_trial_child(name, img);
        g_usleep(g_random_int_range(300, 2000) * G_TIME_SPAN_MILLISECOND);
        assert_int_equal(kill(daemon, SIGKILL), 0);
        while (kill(daemon, 0) == 0)
            g_usleep(20 * G_TIME_SPAN_MILLISECOND);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        start_libvirtd();
        reconnect();
        if (vdisk_connect_lookup_domain(&d, conn, name, &err) < 0)
            fail_msg("%s: the domain is gone: %s", when, vdisk_error_get_message(err));
        /* the teardown's handle belonged to the old connection */
        virDomainFree(g_ptr_array_index(domains, domains->len - 1));
        g_ptr_array_index(domains, domains->len - 1) = d;
        dom = d;
        if (vdisk_hotplug_recover(dom, 0, &report, &err) < 0)
            fail_msg("%s: recover: %s", when, vdisk_error_get_message(err));
        if (report) {
            recovered++;
            printf("%s: %s", when, report);
            vdisk_free(report);
        }
        if (assert_agree(dom, img, when))
            attached++;
    }
    printf("libvirtd kill trials: %d, %d left a record that recovery resolved; disk attached "
           "afterwards in %d, detached in %d; all agreed\n",
           trials, recovered, attached, trials - attached);
}

/* ---- main ------------------------------------------------------------------------------- */

static int
group_setup(void **state)
{
    const char *env = getenv("VDTEST_HOTPLUG_URI");
    g_autoptr(GError) gerr = NULL;
    vdisk_error *err = NULL;

    (void)state;
    if (!env || !*env)
        env = DEFAULT_URI;
    if (g_str_has_prefix(env, "qemu:///embed") && !strstr(env, "root=")) {
        if (!(embed_root = g_dir_make_tmp("trusttest-embed-XXXXXX", &gerr)) ||
            g_chmod(embed_root, 0755) < 0)
            return -1;
        uri = g_strdup_printf("%s%sroot=%s", env, strchr(env, '?') ? "&" : "?", embed_root);
    } else {
        uri = g_strdup(env);
    }
    virSetErrorFunc(NULL, ignore_libvirt_errors);
    if (vdisk_connect_open(&conn, uri, is_embed() ? 0 : VDISK_CONNECT_NO_EVENT_LOOP, &err) < 0) {
        fprintf(stderr, "cannot open %s: %s\n", uri, vdisk_error_get_message(err));
        return -1;
    }
    /* a remote daemon (tests/remote's runs in a mount namespace of its own)
     * reaches the images under /tmp, as the remote tests' do */
    imgdir = embed_root                            ? g_build_filename(embed_root, "trusttest-XXXXXX", NULL)
             : g_str_has_prefix(uri, "qemu+") ? g_strdup("/tmp/trusttest-XXXXXX")
                                                  : g_strdup("/var/lib/libvirt/images/trusttest-XXXXXX");
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
        CASE(test_same_source_twice_keeps_its_target),
        CASE(test_same_source_is_added_where_it_is_missing),
        CASE(test_formats_without_a_format),
        CASE(test_next_target_skips_taken_aliases),
        CASE(test_concurrent_processes_get_distinct_targets),
        CASE(test_concurrent_virtio_processes_get_distinct_targets),
        CASE(test_transient_domain_has_no_persistent_side),
        CASE(test_persistent_flag_changes_both_definitions),
        CASE(test_pc_without_acpi_says_what_to_change),
        CASE(test_hotplugged_scsi_cdrom_changes_media),
        CASE(test_recover_with_nothing_pending_is_a_noop),
        CASE(test_recover_after_the_client_is_killed),
    };
    /* embedded: no other process can reach the driver, so no concurrency
     * or kill trials */
    const struct CMUnitTest embed[] = {
        CASE(test_same_source_twice_keeps_its_target),
        CASE(test_same_source_is_added_where_it_is_missing),
        CASE(test_formats_without_a_format),
        CASE(test_next_target_skips_taken_aliases),
        CASE(test_transient_domain_has_no_persistent_side),
        CASE(test_persistent_flag_changes_both_definitions),
        CASE(test_pc_without_acpi_says_what_to_change),
        CASE(test_hotplugged_scsi_cdrom_changes_media),
        CASE(test_recover_with_nothing_pending_is_a_noop),
    };
    /* a remote URI: the cases that need no local view of the daemon */
    const struct CMUnitTest remote[] = {
        CASE(test_same_source_twice_keeps_its_target),
        CASE(test_next_target_skips_taken_aliases),
        CASE(test_concurrent_processes_get_distinct_targets),
        CASE(test_concurrent_virtio_processes_get_distinct_targets),
        CASE(test_transient_domain_has_no_persistent_side),
        CASE(test_recover_with_nothing_pending_is_a_noop),
        CASE(test_recover_after_the_client_is_killed),
    };
    const struct CMUnitTest daemon[] = {
        CASE(test_recover_after_libvirtd_is_killed),
    };
    const char *env_uri = getenv("VDTEST_HOTPLUG_URI");

    if (getenv("VDTEST_TRUST_LIBVIRTD_KILLS")) {
        if (geteuid() != 0 || !libvirtd_pid())
            return 77;
        /* writes to the killed daemon's socket must fail, not kill us */
        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests_name("hotplug-trust-libvirtd", daemon, group_setup,
                                           group_teardown);
    }
    if (env_uri && g_str_has_prefix(env_uri, "qemu+"))
        return cmocka_run_group_tests_name("hotplug-trust-remote", remote, group_setup,
                                           group_teardown);
    if (env_uri && g_str_has_prefix(env_uri, "qemu:///embed"))
        return cmocka_run_group_tests_name("hotplug-trust-embed", embed, group_setup,
                                           group_teardown);
    return cmocka_run_group_tests_name("hotplug-trust", all, group_setup, group_teardown);
}
