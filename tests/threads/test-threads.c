/*
 * test-threads.c: eight threads translating domains and hot-plugging disks at once
 *
 * Built and run under ThreadSanitizer (tests/threads.cmake): the library is
 * compiled with -fsanitize=thread for this program, so any data race in it
 * fails the test. The threads start together (a barrier) and each:
 *
 *  - opens its own connection with vdisk_connect_open(): the first calls
 *    in the process, so libvirt's lazy loading and the event loop's start
 *    race each other;
 *  - parses and translates a domain of its own, and translates one shared
 *    domain context and one shared set of options (both const), comparing
 *    every result with what the main thread got before the threads started;
 *  - reads the QMP commands of one shared translation result, which nobody
 *    read before: they are written on first use, so the threads race to
 *    write them, and each must see them whole;
 *  - hot-plugs a scsi disk of its own (target sda + thread number) into one
 *    running domain (guesttest-threads-*, no OS, TCG; scsi disks need no
 *    guest to be unplugged, and sdh sits on a second controller), lists it and
 *    detaches it; even threads on their own connection, odd ones on thread
 *    0's;
 *  - fails a detach of a target nobody has, and checks that the message
 *    names its own call and target (the error context is per thread).
 *
 * Results are gathered per thread and checked by the main thread.
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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include <vdisk/vdisk.h>
#include <vdisk/hotplug.h>

#define URI "qemu:///system"
#define THREADS 8
#define ROUNDS 3
#define TRANSLATIONS 4
#define DETACH_TIMEOUT_MS 60000

static pthread_barrier_t start_line;
static pthread_barrier_t opened;
static char *domain_name;
static char *imgdir;
static vdisk_domain *shared_ctx;
static vdisk_qemu_opts *shared_opts;
static char *shared_expect;
static vdisk_qemu_args *shared_args; /* QMP commands not read before the threads */
static char *shared_qmp_expect;      /* they, one per line, from another translation */

typedef struct {
    int index;
    char *xml;    /* its own domain */
    char *expect; /* its translation, made before the threads start */
    char *image;  /* the disk it hot-plugs */
    char target[8];
    virConnectPtr conn;
    char *failure; /* the first thing that went wrong, or NULL */
} worker;

static worker workers[THREADS];

static void
ignore_libvirt_errors(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static void fail_worker(worker *w, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
fail_worker(worker *w, const char *fmt, ...)
{
    va_list ap;

    if (w->failure)
        return;
    va_start(ap, fmt);
    w->failure = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

static char *
domain_xml(int index)
{
    return g_strdup_printf(
        "<domain type='qemu'><name>threads-%d</name><memory>65536</memory>"
        "<os><type arch='x86_64' machine='%s'>hvm</type></os><devices>"
        "<controller type='scsi' index='0' model='virtio-scsi'/>"
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/>"
        "<source file='/var/lib/libvirt/images/t%d-root.qcow2'/>"
        "<target dev='vda' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='/var/lib/libvirt/images/t%d-data.raw'/>"
        "<target dev='sd%c' bus='scsi'/></disk>"
        "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
        "<target dev='sdz' bus='%s'/><readonly/></disk>"
        "</devices></domain>",
        index, index % 2 ? "pc-q35-7.2" : "pc", index, index, 'a' + index,
        index % 2 ? "sata" : "scsi");
}

/* The translation of @xml as one shell line, or NULL with @why set. */
static char *
translate(const char *xml, const vdisk_qemu_opts *opts, char **why)
{
    vdisk_domain *ctx = NULL;
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;
    char *line = NULL;

    if (vdisk_domain_from_xml(&ctx, xml, &err) < 0 ||
        vdisk_qemu_translate_domain(&args, ctx, opts, &err) < 0) {
        *why = g_strdup(vdisk_error_get_message(err));
    } else {
        line = vdisk_qemu_args_to_shell(args);
    }
    vdisk_error_free(err);
    vdisk_qemu_args_free(args);
    vdisk_domain_free(ctx);
    return line;
}

/* The QMP commands of @args, one per line. */
static char *
qmp_lines(const vdisk_qemu_args *args)
{
    GString *out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < vdisk_qemu_args_qmp_count(args); i++) {
        const char *cmd = vdisk_qemu_args_qmp_get(args, i);

        g_string_append(out, cmd ? cmd : "(null)");
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

static void
translations(worker *w)
{
    g_autofree char *qmp = qmp_lines(shared_args);
    int i;

    if (strcmp(qmp, shared_qmp_expect) != 0)
        fail_worker(w, "the shared result's QMP commands differ:\n%s", qmp);

    for (i = 0; i < TRANSLATIONS; i++) {
        g_autofree char *why = NULL;
        g_autofree char *mine = translate(w->xml, shared_opts, &why);
        vdisk_qemu_args *args = NULL;
        vdisk_error *err = NULL;

        if (!mine)
            fail_worker(w, "translating its domain: %s", why);
        else if (strcmp(mine, w->expect) != 0)
            fail_worker(w, "its translation differs:\n%s\nnot\n%s", mine, w->expect);

        /* the shared context, const, translated by every thread at once */
        if (vdisk_qemu_translate_domain(&args, shared_ctx, shared_opts, &err) < 0) {
            fail_worker(w, "translating the shared domain: %s", vdisk_error_get_message(err));
        } else {
            g_autofree char *line = vdisk_qemu_args_to_shell(args);

            if (strcmp(line, shared_expect) != 0)
                fail_worker(w, "the shared translation differs:\n%s", line);
        }
        vdisk_error_free(err);
        vdisk_qemu_args_free(args);
    }
}

static void
hotplug(worker *w, virConnectPtr conn)
{
    g_autofree char *xml =
        g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                        "<source file='%s'/><target dev='%s' bus='scsi'/></disk>",
                        w->image, w->target);
    g_autofree char *missing = g_strdup_printf("sd%c%c", 'a' + w->index, 'z');
    g_autofree char *want = NULL;
    virDomainPtr dom = NULL;
    vdisk_domain *ctx = NULL;
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    if (vdisk_connect_lookup_domain(&dom, conn, domain_name, &err) < 0) {
        fail_worker(w, "lookup: %s", vdisk_error_get_message(err));
        goto cleanup;
    }
    if (vdisk_disk_from_xml(&disk, xml, &err) < 0 ||
        vdisk_hotplug_attach(dom, disk, VDISK_HOTPLUG_LIVE, &err) < 0) {
        fail_worker(w, "attach %s: %s", w->target, vdisk_error_get_message(err));
        goto cleanup;
    }
    if (vdisk_hotplug_list(&ctx, dom, 0, &err) < 0) {
        fail_worker(w, "list: %s", vdisk_error_get_message(err));
        goto cleanup;
    }
    if (!vdisk_domain_find_disk(ctx, w->target))
        fail_worker(w, "%s is not listed after its attach", w->target);
    vdisk_domain_free(ctx);
    ctx = NULL;
    if (vdisk_hotplug_detach(dom, w->target, VDISK_HOTPLUG_LIVE, DETACH_TIMEOUT_MS, &err) < 0) {
        fail_worker(w, "detach %s: %s", w->target, vdisk_error_get_message(err));
        goto cleanup;
    }
    if (vdisk_hotplug_list(&ctx, dom, 0, &err) < 0) {
        fail_worker(w, "list: %s", vdisk_error_get_message(err));
        goto cleanup;
    }
    if (vdisk_domain_find_disk(ctx, w->target))
        fail_worker(w, "%s is still listed after its detach", w->target);

    /* an error of its own, named after its own call and target */
    want = g_strdup_printf("vdisk_hotplug_detach: target '%s': domain '%s' has no such disk",
                           missing, domain_name);
    if (vdisk_hotplug_detach(dom, missing, VDISK_HOTPLUG_LIVE, 1000, &err) == 0)
        fail_worker(w, "detaching %s succeeded", missing);
    else if (vdisk_error_get_code(err) != VDISK_ERR_NOT_FOUND ||
             !g_str_has_prefix(vdisk_error_get_message(err), want))
        fail_worker(w, "detaching %s: %s", missing, vdisk_error_get_message(err));

cleanup:
    vdisk_error_free(err);
    vdisk_domain_free(ctx);
    vdisk_disk_free(disk);
    vdisk_domain_ptr_free(dom);
}

static void *
run_worker(void *opaque)
{
    worker *w = opaque;
    vdisk_error *err = NULL;
    int round;

    pthread_barrier_wait(&start_line);
    if (vdisk_connect_open(&w->conn, URI, VDISK_CONNECT_DEFAULT, &err) < 0)
        fail_worker(w, "open: %s", vdisk_error_get_message(err));
    vdisk_error_free(err);
    pthread_barrier_wait(&opened);
    if (!w->conn || !workers[0].conn)
        return NULL;
    for (round = 0; round < ROUNDS; round++) {
        translations(w);
        hotplug(w, w->index % 2 ? workers[0].conn : w->conn);
    }
    return NULL;
}

/* ---- the case ----------------------------------------------------------------------- */

static void
test_threads_translate_and_hotplug(void **state)
{
    pthread_t threads[THREADS];
    int i;

    (void)state;
    assert_int_equal(pthread_barrier_init(&start_line, NULL, THREADS), 0);
    assert_int_equal(pthread_barrier_init(&opened, NULL, THREADS), 0);
    for (i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, run_worker, &workers[i]), 0);
    for (i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    pthread_barrier_destroy(&start_line);
    pthread_barrier_destroy(&opened);
    for (i = 0; i < THREADS; i++) {
        if (workers[i].failure)
            fail_msg("thread %d: %s", i, workers[i].failure);
    }
}

/* ---- setup -------------------------------------------------------------------------- */

static virConnectPtr admin; /* libvirt's own connection, for the domain itself */
static virDomainPtr test_domain;

static int
group_setup(void **state)
{
    g_autofree char *xml = NULL;
    g_autofree char *why = NULL;
    vdisk_error *err = NULL;
    int i;

    (void)state;
    /* the domain, made with libvirt itself: libvdisk has not loaded
     * libvirt yet when the threads start */
    virSetErrorFunc(NULL, ignore_libvirt_errors);
    if (!(admin = virConnectOpen(URI))) {
        fprintf(stderr, "cannot open %s: %s\n", URI, virGetLastErrorMessage());
        return -1;
    }
    imgdir = g_strdup("/var/lib/libvirt/images/guesttest-threads-XXXXXX");
    if (!g_mkdtemp_full(imgdir, 0755))
        return -1;
    domain_name = g_strdup_printf("guesttest-threads-%d", (int)getpid());
    xml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                          "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                          "<features><acpi/></features><devices>"
                          "<controller type='scsi' index='0' model='virtio-scsi'/>"
                          "<controller type='scsi' index='1' model='virtio-scsi'/>"
                          "<memballoon model='none'/></devices></domain>",
                          domain_name);
    if (!(test_domain = virDomainCreateXML(admin, xml, 0))) {
        fprintf(stderr, "cannot start %s: %s\n", domain_name, virGetLastErrorMessage());
        return -1;
    }

    if (!(shared_opts = vdisk_qemu_opts_new()) ||
        vdisk_qemu_opts_set_first_node_index(shared_opts, 3, &err) < 0) {
        fprintf(stderr, "options: %s\n", vdisk_error_get_message(err));
        return -1;
    }

    for (i = 0; i < THREADS; i++) {
        worker *w = &workers[i];

        w->index = i;
        w->xml = domain_xml(i);
        if (!(w->expect = translate(w->xml, shared_opts, &why))) {
            fprintf(stderr, "thread %d's domain: %s\n", i, why);
            return -1;
        }
        w->image = g_strdup_printf("%s/t%d.raw", imgdir, i);
        if (!g_file_set_contents(w->image, "", 0, NULL) || truncate(w->image, 1 << 20) < 0)
            return -1;
        g_snprintf(w->target, sizeof(w->target), "sd%c", 'a' + i);
    }
    if (vdisk_domain_from_xml(&shared_ctx, workers[1].xml, &err) < 0) {
        fprintf(stderr, "shared domain: %s\n", vdisk_error_get_message(err));
        return -1;
    }
    shared_expect = g_strdup(workers[1].expect);
    {
        vdisk_qemu_args *other = NULL;

        if (vdisk_qemu_translate_domain(&shared_args, shared_ctx, shared_opts, &err) < 0 ||
            vdisk_qemu_translate_domain(&other, shared_ctx, shared_opts, &err) < 0) {
            fprintf(stderr, "shared result: %s\n", vdisk_error_get_message(err));
            return -1;
        }
        shared_qmp_expect = qmp_lines(other);
        vdisk_qemu_args_free(other);
    }
    return 0;
}

static int
group_teardown(void **state)
{
    const char *rm[] = {"rm", "-rf", imgdir, NULL};
    int i;

    (void)state;
    if (test_domain) {
        virDomainDestroy(test_domain);
        virDomainFree(test_domain);
    }
    for (i = 0; i < THREADS; i++) {
        vdisk_connect_close(workers[i].conn);
        g_free(workers[i].xml);
        g_free(workers[i].expect);
        g_free(workers[i].image);
        g_free(workers[i].failure);
    }
    vdisk_qemu_args_free(shared_args);
    g_free(shared_qmp_expect);
    vdisk_domain_free(shared_ctx);
    vdisk_qemu_opts_free(shared_opts);
    g_free(shared_expect);
    if (imgdir)
        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                     NULL);
    g_free(imgdir);
    g_free(domain_name);
    if (admin)
        virConnectClose(admin);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest all[] = {
        cmocka_unit_test(test_threads_translate_and_hotplug),
    };

    return cmocka_run_group_tests_name("threads", all, group_setup, group_teardown);
}
