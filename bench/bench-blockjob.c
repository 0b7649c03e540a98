/*
 * bench-blockjob.c: a live copy and an active commit of a large disk
 * through libvdisk, against the bare libvirt calls
 *
 * One transient TCG domain (vdbench-blockjob-PID: pc, 64 MiB, no OS) runs
 * on URI with a virtio qcow2 disk of SIZE MiB, all of it written by qemu-io
 * before the domain starts. Each round times, in both ways, the order
 * alternating from round to round, on the same domain and connection:
 *   copy   (a) vdisk_block_copy() to a new qcow2 file, pivoting;
 *          (b) virDomainBlockCopy(TRANSIENT_JOB), virDomainGetBlockJobInfo()
 *              polled every POLL ms until cur == end, then
 *              virDomainBlockJobAbort(PIVOT) (synchronous; retried while
 *              libvirt says the mirror is not ready yet);
 *   commit (a) vdisk_block_commit() of the active layer, pivoting;
 *          (b) virDomainBlockCommit(ACTIVE), then as (b) above.
 * Before each commit, untimed: an external disk-only snapshot
 * (virDomainSnapshotCreateXML, no metadata) puts an overlay on the disk and
 * HMP qemu-io writes OVERLAY MiB into it, so that the commit has data to
 * merge. Files the disk left are removed as it goes, and sync(2) runs
 * before each timed operation, so that writing back the last one's data
 * does not fall on the next.
 *
 * The process runs libvirt's event loop (vdisk_connect_open()): the
 * program notes when libvirt's block job event says COMPLETED and when
 * QEMU's BLOCK_JOB_COMPLETED arrives, so it prints, for both ways, how
 * long after the job's end the call (or the raw sequence) returned, and
 * how long after libvirt's READY event of the mirror the pivot was over
 * (COMPLETED): what each way loses noticing that it may pivot.
 *
 * Prints medians (and best) of each operation both ways and the ratio
 * (a)/(b) of the medians; no targets: the figures are for reading.
 *
 *   bench-blockjob [-n ROUNDS] [-s SIZE_MIB] [-w OVERLAY_MIB] [-p POLL_MS] [-c URI]
 *
 * Needs root (images under /var/lib/libvirt/images) and about 3 x SIZE of
 * free space there.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include <getopt.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <vdisk/vdisk.h>
#include <vdisk/blockjob.h>

#include "bench-common.h"

#define TARGET "vda"
#define JOB_TIMEOUT_MS 600000

static char *imgdir;
static unsigned int files_made;
static long poll_ms = 20;

/* When (bench_now_us()) the last job's end was seen, 0: not yet. */
static _Atomic long long libvirt_done_us;
static _Atomic long long qemu_done_us;
/* When libvirt's event said the mirror is READY, 0: not yet. */
static _Atomic long long libvirt_ready_us;

/* ---- setup ------------------------------------------------------------------------- */

static void
quiet(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static void
die(const char *what, const char *why)
{
    fprintf(stderr, "bench-blockjob: %s: %s\n", what, why ? why : "unknown error");
    exit(1);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int rc;

    va_start(ap, fmt);
    rc = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (rc < 0)
        die("out of memory", NULL);
    return s;
}

static void
run_or_die(const char *cmd)
{
    if (system(cmd) != 0)
        die("command failed", cmd);
}

/* A new file name in the image directory, the caller's. */
static char *
new_path(const char *what)
{
    return xasprintf("%s/%s-%u.qcow2", imgdir, what, ++files_made);
}

/* The live source of the disk, the caller's. */
static char *
live_source(virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    char *p;
    char *q;
    char *out;

    if (!xml)
        die("virDomainGetXMLDesc", virGetLastErrorMessage());
    if (!(p = strstr(xml, "<source file='")) || !(q = strchr(p + 14, '\'')))
        die("no disk source in the live definition", NULL);
    *q = '\0';
    out = strdup(p + 14);
    free(xml);
    if (!out)
        die("out of memory", NULL);
    return out;
}

/* The disk moved from @old (removed) to a file the domain now uses. */
static void
drop_file(char *old)
{
    unlink(old);
    free(old);
}

static void
on_block_job(virConnectPtr c, virDomainPtr d, const char *disk, int type, int status, void *opaque)
{
    (void)c;
    (void)d;
    (void)disk;
    (void)type;
    (void)opaque;
    if (status == VIR_DOMAIN_BLOCK_JOB_COMPLETED)
        atomic_store(&libvirt_done_us, (long long)bench_now_us());
    else if (status == VIR_DOMAIN_BLOCK_JOB_READY && !atomic_load(&libvirt_ready_us))
        atomic_store(&libvirt_ready_us, (long long)bench_now_us());
}

static void
on_qemu_event(virConnectPtr c, virDomainPtr d, const char *event, long long seconds,
              unsigned int micros, const char *details, void *opaque)
{
    (void)c;
    (void)d;
    (void)seconds;
    (void)micros;
    (void)details;
    (void)opaque;
    if (strcmp(event, "BLOCK_JOB_COMPLETED") == 0)
        atomic_store(&qemu_done_us, (long long)bench_now_us());
}

static void
events_reset(void)
{
    atomic_store(&libvirt_done_us, 0);
    atomic_store(&qemu_done_us, 0);
    atomic_store(&libvirt_ready_us, 0);
}

/* How long before @end the job's end was seen (libvirt's event, QEMU's),
 * and how long after the mirror's READY event its COMPLETED came (the
 * pivot, from the moment it could start). */
static void
events_lag(double end, double *libvirt_lag, double *qemu_lag, double *pivot)
{
    long long l = atomic_load(&libvirt_done_us);
    long long q = atomic_load(&qemu_done_us);
    long long r = atomic_load(&libvirt_ready_us);

    *libvirt_lag = l ? end - (double)l : -1;
    *qemu_lag = q ? end - (double)q : -1;
    *pivot = l && r ? (double)(l - r) : -1;
}

/* ---- the raw way ------------------------------------------------------------------- */

/* Polls until cur == end, then pivots (retrying while not ready). */
static void
raw_wait_and_pivot(virDomainPtr dom)
{
    double deadline = bench_now_us() + JOB_TIMEOUT_MS * 1e3;

    for (;;) {
        virDomainBlockJobInfo info;
        int rc = virDomainGetBlockJobInfo(dom, TARGET, &info, 0);

        if (rc < 0)
            die("virDomainGetBlockJobInfo", virGetLastErrorMessage());
        if (rc == 0)
            die("raw job", "the job went away before the pivot");
        if (info.end > 0 && info.cur == info.end) {
            if (virDomainBlockJobAbort(dom, TARGET, VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) == 0)
                return;
            if (virGetLastErrorCode() != VIR_ERR_BLOCK_COPY_ACTIVE &&
                virGetLastErrorCode() != VIR_ERR_OPERATION_INVALID)
                die("virDomainBlockJobAbort(PIVOT)", virGetLastErrorMessage());
        }
        if (bench_now_us() > deadline)
            die("raw job", "not ready after the deadline");
        usleep((useconds_t)poll_ms * 1000);
    }
}

static double
raw_copy(virDomainPtr dom, const char *dest)
{
    char *xml =
        xasprintf("<disk type='file'><driver type='qcow2'/><source file='%s'/></disk>", dest);
    double t0 = bench_now_us();

    if (virDomainBlockCopy(dom, TARGET, xml, NULL, 0, VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB) < 0)
        die("virDomainBlockCopy", virGetLastErrorMessage());
    raw_wait_and_pivot(dom);
    free(xml);
    return bench_now_us() - t0;
}

static double
raw_commit(virDomainPtr dom)
{
    double t0 = bench_now_us();

    if (virDomainBlockCommit(dom, TARGET, NULL, NULL, 0, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE) < 0)
        die("virDomainBlockCommit", virGetLastErrorMessage());
    raw_wait_and_pivot(dom);
    return bench_now_us() - t0;
}

/* ---- the library's way ------------------------------------------------------------- */

static double
lib_copy(virDomainPtr dom, const char *dest)
{
    vdisk_error *err = NULL;
    double t0 = bench_now_us();

    if (vdisk_block_copy(dom, TARGET, dest, VDISK_FORMAT_QCOW2, 0, NULL, &err) < 0)
        die("vdisk_block_copy", vdisk_error_get_message(err));
    return bench_now_us() - t0;
}

static double
lib_commit(virDomainPtr dom)
{
    vdisk_error *err = NULL;
    double t0 = bench_now_us();

    if (vdisk_block_commit(dom, TARGET, NULL, NULL, 0, NULL, &err) < 0)
        die("vdisk_block_commit", vdisk_error_get_message(err));
    return bench_now_us() - t0;
}

/* ---- rounds ------------------------------------------------------------------------ */

typedef struct {
    double *time;
    double *libvirt_lag; /* return - libvirt's COMPLETED event */
    double *qemu_lag;    /* return - QEMU's BLOCK_JOB_COMPLETED */
    double *pivot;       /* libvirt's COMPLETED event - its READY event */
} series;

static void
series_alloc(series *s, long n)
{
    s->time = calloc(n, sizeof(double));
    s->libvirt_lag = calloc(n, sizeof(double));
    s->qemu_lag = calloc(n, sizeof(double));
    s->pivot = calloc(n, sizeof(double));
    if (!s->time || !s->libvirt_lag || !s->qemu_lag || !s->pivot)
        die("out of memory", NULL);
}

static void
series_free(series *s)
{
    free(s->time);
    free(s->libvirt_lag);
    free(s->qemu_lag);
    free(s->pivot);
}

/* One copy, either way, onto a new file; the old one is removed. */
static void
copy_round(virDomainPtr dom, bool lib, series *s, long i)
{
    char *old = live_source(dom);
    char *dest = new_path(lib ? "lib-copy" : "raw-copy");
    char *now;

    /* the last copy's data on disk first, so that neither way pays for it */
    sync();
    events_reset();
    s->time[i] = lib ? lib_copy(dom, dest) : raw_copy(dom, dest);
    events_lag(bench_now_us(), &s->libvirt_lag[i], &s->qemu_lag[i], &s->pivot[i]);
    now = live_source(dom);
    if (strcmp(now, dest) != 0)
        die("copy: the disk is not on its destination", now);
    free(now);
    free(dest);
    drop_file(old);
}

/* An overlay with @mib MiB of data written into it (untimed). */
static char *
add_overlay(virDomainPtr dom, long mib)
{
    char *overlay = new_path("overlay");
    char *xml = xasprintf("<domainsnapshot><disks><disk name='" TARGET "' snapshot='external'>"
                          "<driver type='qcow2'/><source file='%s'/></disk></disks>"
                          "</domainsnapshot>",
                          overlay);
    virDomainSnapshotPtr snap = virDomainSnapshotCreateXML(
        dom, xml,
        VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA |
            VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC);
    char *cmd;
    char *reply = NULL;

    if (!snap && virGetLastErrorCode() != VIR_ERR_OK)
        die("virDomainSnapshotCreateXML", virGetLastErrorMessage());
    if (snap)
        virDomainSnapshotFree(snap);
    free(xml);
    if (mib > 0) {
        cmd = xasprintf(
            "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0x77 0 %ldM\"",
            mib);
        if (virDomainQemuMonitorCommand(dom, cmd, &reply, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0)
            die("HMP qemu-io", virGetLastErrorMessage());
        if (reply && strstr(reply, "rror"))
            die("HMP qemu-io", reply);
        free(reply);
        free(cmd);
    }
    return overlay;
}

static void
commit_round(virDomainPtr dom, bool lib, long mib, series *s, long i)
{
    char *overlay = add_overlay(dom, mib);
    char *now;

    sync();
    events_reset();
    s->time[i] = lib ? lib_commit(dom) : raw_commit(dom);
    events_lag(bench_now_us(), &s->libvirt_lag[i], &s->qemu_lag[i], &s->pivot[i]);
    now = live_source(dom);
    if (strcmp(now, overlay) == 0)
        die("commit: the disk is still on its overlay", now);
    free(now);
    drop_file(overlay);
}

/* ---- main -------------------------------------------------------------------------- */

static void
usage(FILE *f)
{
    fprintf(f, "usage: bench-blockjob [-n ROUNDS] [-s SIZE_MIB] [-w OVERLAY_MIB] [-p POLL_MS] "
               "[-c URI]\n"
               "  -n ROUNDS       timed copies and commits of each way (default 3)\n"
               "  -s SIZE_MIB     the disk's size, all of it data (default 1024)\n"
               "  -w OVERLAY_MIB  data written into each overlay before a commit (default 256)\n"
               "  -p POLL_MS      the raw way's polling interval (default 20)\n"
               "  -c URI          libvirt connection (default qemu:///system)\n");
}

static void
print_row(const char *what, double *lib, double *raw, size_t n)
{
    bench_stats a = bench_summarize(lib, n);
    bench_stats b = bench_summarize(raw, n);

    printf("  %-8s %10.1f %10.1f   %10.1f %10.1f   %6.3f\n", what, a.median / 1e3, a.best / 1e3,
           b.median / 1e3, b.best / 1e3, a.median / b.median);
}

static void
print_lag(const char *what, series *lib, series *raw, size_t n)
{
    printf("  %-8s %16.1f %16.1f   %16.1f %16.1f\n", what,
           bench_summarize(lib->libvirt_lag, n).median / 1e3,
           bench_summarize(lib->qemu_lag, n).median / 1e3,
           bench_summarize(raw->libvirt_lag, n).median / 1e3,
           bench_summarize(raw->qemu_lag, n).median / 1e3);
}

static void
print_pivot(const char *what, series *lib, series *raw, size_t n)
{
    printf("  %-8s %16.1f %16.1f\n", what, bench_summarize(lib->pivot, n).median / 1e3,
           bench_summarize(raw->pivot, n).median / 1e3);
}

int
main(int argc, char **argv)
{
    const char *uri = "qemu:///system";
    long rounds = 3;
    long size_mib = 1024;
    long overlay_mib = 256;
    char *img;
    char *cmd;
    char *dom_xml;
    char dom_name[64];
    virConnectPtr conn = NULL;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    series lc, rc, lm, rm;
    double t0;
    long i;
    int opt;

    while ((opt = getopt(argc, argv, "n:s:w:p:c:h")) != -1) {
        switch (opt) {
        case 'n':
            rounds = strtol(optarg, NULL, 10);
            break;
        case 's':
            size_mib = strtol(optarg, NULL, 10);
            break;
        case 'w':
            overlay_mib = strtol(optarg, NULL, 10);
            break;
        case 'p':
            poll_ms = strtol(optarg, NULL, 10);
            break;
        case 'c':
            uri = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (rounds < 1 || size_mib < 1 || overlay_mib < 0 || overlay_mib > size_mib || poll_ms < 1) {
        usage(stderr);
        return 2;
    }

    virSetErrorFunc(NULL, quiet);
    if (vdisk_connect_open(&conn, uri, 0, &err) < 0)
        die("cannot connect", vdisk_error_get_message(err));

    imgdir = strdup(access("/var/lib/libvirt/images", W_OK) == 0
                        ? "/var/lib/libvirt/images/vdbench-blockjob-XXXXXX"
                        : "/tmp/vdbench-blockjob-XXXXXX");
    if (!imgdir || !mkdtemp(imgdir) || chmod(imgdir, 0755) < 0)
        die("cannot make the image directory", imgdir);
    img = new_path("disk");
    t0 = bench_now_us();
    cmd = xasprintf("qemu-img create -q -f qcow2 '%s' %ldM && "
                    "qemu-io -f qcow2 -c 'write -P 0x5a 0 %ldM' '%s' >/dev/null",
                    img, size_mib, size_mib, img);
    run_or_die(cmd);
    free(cmd);
    fprintf(stderr, "bench-blockjob: %ld MiB written in %.1f s\n", size_mib,
            (bench_now_us() - t0) / 1e6);

    snprintf(dom_name, sizeof(dom_name), "vdbench-blockjob-%d", (int)getpid());
    dom_xml = xasprintf("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                        "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                        "<devices><disk type='file' device='disk'><driver name='qemu' "
                        "type='qcow2'/><source file='%s'/><target dev='" TARGET "' "
                        "bus='virtio'/></disk>"
                        "<video><model type='none'/></video><memballoon model='none'/>"
                        "</devices></domain>",
                        dom_name, img);
    if (!(dom = virDomainCreateXML(conn, dom_xml, 0)))
        die("cannot start the domain", virGetLastErrorMessage());
    free(dom_xml);
    free(img);
    if (virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_block_job), NULL, NULL) < 0)
        die("virConnectDomainEventRegisterAny", virGetLastErrorMessage());
    if (virConnectDomainQemuMonitorEventRegister(conn, dom, "BLOCK_JOB_COMPLETED", on_qemu_event,
                                                 NULL, NULL, 0) < 0)
        die("virConnectDomainQemuMonitorEventRegister", virGetLastErrorMessage());

    series_alloc(&lc, rounds);
    series_alloc(&rc, rounds);
    series_alloc(&lm, rounds);
    series_alloc(&rm, rounds);
    for (i = 0; i < rounds; i++) {
        /* alternate which way goes first, so neither always follows the other */
        bool lib_first = i % 2 == 0;

        copy_round(dom, lib_first, lib_first ? &lc : &rc, i);
        copy_round(dom, !lib_first, lib_first ? &rc : &lc, i);
        commit_round(dom, lib_first, overlay_mib, lib_first ? &lm : &rm, i);
        commit_round(dom, !lib_first, overlay_mib, lib_first ? &rm : &lm, i);
        fprintf(stderr,
                "bench-blockjob: round %ld: copy lib %.0f raw %.0f ms, commit lib %.0f "
                "raw %.0f ms\n",
                i + 1, lc.time[i] / 1e3, rc.time[i] / 1e3, lm.time[i] / 1e3, rm.time[i] / 1e3);
    }

    printf("bench-blockjob: %s, domain %s (TCG, no OS), virtio qcow2 disk " TARGET
           " of %ld MiB, all data\n",
           uri, dom_name, size_mib);
    printf("  %ld rounds of each way, interleaved (order alternating); the raw way polls every "
           "%ld ms\n",
           rounds, poll_ms);
    printf("  copy:   vdisk_block_copy (pivot) | virDomainBlockCopy(TRANSIENT_JOB) + "
           "virDomainGetBlockJobInfo + virDomainBlockJobAbort(PIVOT)\n");
    printf("  commit: vdisk_block_commit (active, pivot) | virDomainBlockCommit(ACTIVE) + the "
           "same, over an overlay holding %ld MiB\n\n",
           overlay_mib);
    printf("  %-8s %10s %10s   %10s %10s   %6s\n", "ms", "lib med", "lib best", "raw med",
           "raw best", "ratio");
    print_row("copy", lc.time, rc.time, rounds);
    print_row("commit", lm.time, rm.time, rounds);
    printf("\n  from the job's end to the return, ms (medians; -1: the event never came)\n");
    printf("  %-8s %16s %16s   %16s %16s\n", "", "lib: libvirt ev", "lib: QEMU ev",
           "raw: libvirt ev", "raw: QEMU ev");
    print_lag("copy", &lc, &rc, rounds);
    print_lag("commit", &lm, &rm, rounds);
    printf("\n  from libvirt's READY event to its COMPLETED one (the pivot), ms (medians)\n");
    printf("  %-8s %16s %16s\n", "", "lib", "raw");
    print_pivot("copy", &lc, &rc, rounds);
    print_pivot("commit", &lm, &rm, rounds);

    {
        char *last = live_source(dom);

        virDomainDestroy(dom);
        virDomainFree(dom);
        drop_file(last);
    }
    virConnectClose(conn);
    cmd = xasprintf("rm -rf '%s'", imgdir);
    run_or_die(cmd);
    free(cmd);
    free(imgdir);
    series_free(&lc);
    series_free(&rc);
    series_free(&lm);
    series_free(&rm);
    return 0;
}
