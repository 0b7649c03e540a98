/*
 * bench-hotplug.c: latency of a live disk attach + detach through libvdisk,
 * against the bare libvirt calls
 *
 * One transient TCG domain (vdbench-hotplug-PID: pc, 64 MiB, virtio-scsi, no
 * OS) runs on URI. A qcow2 disk on scsi (which QEMU releases without a guest's
 * help) is plugged in and out N times in each of two ways, interleaved round
 * by round (the order alternating) on the same domain and connection:
 *   (a) libvdisk: vdisk_hotplug_attach() + vdisk_hotplug_detach(), LIVE;
 *   (b) libvirt:  virDomainAttachDeviceFlags() + virDomainDetachDeviceFlags()
 *       with the same disk XML (vdisk_disk_to_xml() of the same disk), LIVE.
 * vdisk_hotplug_detach() returns only once the disk is gone from the live
 * definition (QEMU released it); virDomainDetachDeviceFlags() may return
 * earlier, so (b) is timed until the same point: the raw detach, then reading
 * the live XML (virDomainGetXMLDesc) until the disk is no longer there.
 * The connection comes from vdisk_connect_open() (libvirt's event loop runs,
 * so the library's detach waits on the device-removed event).
 *
 * Prints the medians (and best) of attach, detach and attach + detach, and
 * the ratio (a)/(b) of the medians; the target is at most 5% overhead.
 *
 *   bench-hotplug [-n ROUNDS] [-w WARMUP] [-c URI]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <vdisk/vdisk.h>
#include <vdisk/hotplug.h>

#include "bench-common.h"

#define TARGET_OVERHEAD 0.05
#define TARGET "sda"
#define DETACH_TIMEOUT_MS 10000

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
    fprintf(stderr, "bench-hotplug: %s: %s\n", what, why ? why : "unknown error");
    exit(1);
}

/* A directory QEMU (libvirt's qemu user) can reach: under libvirt's image
 * directory when it is ours to write, else under /tmp. The caller's (free()). */
static char *
make_image_dir(void)
{
    char *dir = strdup(access("/var/lib/libvirt/images", W_OK) == 0
                           ? "/var/lib/libvirt/images/vdbench-hotplug-XXXXXX"
                           : "/tmp/vdbench-hotplug-XXXXXX");

    if (!dir || !mkdtemp(dir) || chmod(dir, 0755) < 0)
        die("cannot make the image directory", dir);
    return dir;
}

static void
run_or_die(const char *cmd)
{
    if (system(cmd) != 0)
        die("command failed", cmd);
}

/* ---- the two ways ------------------------------------------------------------------ */

static void
lib_round(virDomainPtr dom, const vdisk_disk *disk, double *attach_us, double *detach_us)
{
    vdisk_error *err = NULL;
    double t0 = bench_now_us();
    double t1;

    if (vdisk_hotplug_attach(dom, disk, VDISK_HOTPLUG_LIVE, &err) < 0)
        die("vdisk_hotplug_attach", vdisk_error_get_message(err));
    t1 = bench_now_us();
    if (vdisk_hotplug_detach(dom, TARGET, VDISK_HOTPLUG_LIVE, DETACH_TIMEOUT_MS, &err) < 0)
        die("vdisk_hotplug_detach", vdisk_error_get_message(err));
    *attach_us = t1 - t0;
    *detach_us = bench_now_us() - t1;
}

/* Whether the live definition still holds the disk. */
static bool
raw_still_there(virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    bool there;

    if (!xml)
        die("virDomainGetXMLDesc", virGetLastErrorMessage());
    there = strstr(xml, "<target dev='" TARGET "'") != NULL;
    free(xml);
    return there;
}

static void
raw_round(virDomainPtr dom, const char *xml, double *attach_us, double *detach_us)
{
    double t0 = bench_now_us();
    double t1;
    double deadline;

    if (virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
        die("virDomainAttachDeviceFlags", virGetLastErrorMessage());
    t1 = bench_now_us();
    if (virDomainDetachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
        die("virDomainDetachDeviceFlags", virGetLastErrorMessage());
    deadline = t1 + DETACH_TIMEOUT_MS * 1e3;
    while (raw_still_there(dom)) {
        if (bench_now_us() > deadline)
            die("raw detach", "the disk is still there after 10 s");
        usleep(1000);
    }
    *attach_us = t1 - t0;
    *detach_us = bench_now_us() - t1;
}

/* ---- main -------------------------------------------------------------------------- */

static void
usage(FILE *f)
{
    fprintf(f, "usage: bench-hotplug [-n ROUNDS] [-w WARMUP] [-c URI]\n"
               "  -n ROUNDS  timed attach + detach rounds of each way (default 50)\n"
               "  -w WARMUP  untimed rounds of each way first (default 3)\n"
               "  -c URI     libvirt connection (default qemu:///system)\n");
}

static void
print_row(const char *what, double *lib, double *raw, size_t n)
{
    bench_stats a = bench_summarize(lib, n);
    bench_stats b = bench_summarize(raw, n);

    printf("  %-17s %10.0f %10.0f   %10.0f %10.0f   %6.3f\n", what, a.median, a.best, b.median,
           b.best, a.median / b.median);
}

int
main(int argc, char **argv)
{
    const char *uri = "qemu:///system";
    long rounds = 50;
    long warmup = 3;
    char *imgdir;
    char *img;
    char *cmd;
    char *dom_xml;
    char *disk_xml = NULL;
    char *xml_in;
    char dom_name[64];
    virConnectPtr conn = NULL;
    virDomainPtr dom;
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    double *lib_att, *lib_det, *lib_tot, *raw_att, *raw_det, *raw_tot;
    double ratio;
    long i;
    int opt;

    while ((opt = getopt(argc, argv, "n:w:c:h")) != -1) {
        switch (opt) {
        case 'n':
            rounds = strtol(optarg, NULL, 10);
            break;
        case 'w':
            warmup = strtol(optarg, NULL, 10);
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
    if (rounds < 1 || warmup < 0) {
        usage(stderr);
        return 2;
    }

    virSetErrorFunc(NULL, quiet);
    if (vdisk_connect_open(&conn, uri, 0, &err) < 0)
        die("cannot connect", vdisk_error_get_message(err));

    imgdir = make_image_dir();
    if (asprintf(&img, "%s/disk.qcow2", imgdir) < 0 ||
        asprintf(&cmd, "qemu-img create -q -f qcow2 '%s' 64M", img) < 0)
        die("out of memory", NULL);
    run_or_die(cmd);
    free(cmd);

    snprintf(dom_name, sizeof(dom_name), "vdbench-hotplug-%d", (int)getpid());
    if (asprintf(&dom_xml,
                 "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                 "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                 "<devices><controller type='scsi' index='0' model='virtio-scsi'/>"
                 "<video><model type='none'/></video><memballoon model='none'/>"
                 "</devices></domain>",
                 dom_name) < 0)
        die("out of memory", NULL);
    if (!(dom = virDomainCreateXML(conn, dom_xml, 0)))
        die("cannot start the domain", virGetLastErrorMessage());
    free(dom_xml);

    /* one disk; the raw calls get its XML as the library writes it */
    if (asprintf(&xml_in,
                 "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                 "<source file='%s'/><target dev='" TARGET "' bus='scsi'/></disk>",
                 img) < 0)
        die("out of memory", NULL);
    if (vdisk_disk_from_xml(&disk, xml_in, &err) < 0 ||
        vdisk_disk_to_xml(&disk_xml, disk, &err) < 0)
        die("disk", vdisk_error_get_message(err));
    free(xml_in);

    lib_att = calloc(rounds, sizeof(double));
    lib_det = calloc(rounds, sizeof(double));
    lib_tot = calloc(rounds, sizeof(double));
    raw_att = calloc(rounds, sizeof(double));
    raw_det = calloc(rounds, sizeof(double));
    raw_tot = calloc(rounds, sizeof(double));
    if (!lib_att || !lib_det || !lib_tot || !raw_att || !raw_det || !raw_tot)
        die("out of memory", NULL);

    for (i = 0; i < warmup; i++) {
        double a, d;

        lib_round(dom, disk, &a, &d);
        raw_round(dom, disk_xml, &a, &d);
    }
    for (i = 0; i < rounds; i++) {
        /* alternate which way goes first, so neither always follows the other */
        if (i % 2 == 0) {
            lib_round(dom, disk, &lib_att[i], &lib_det[i]);
            raw_round(dom, disk_xml, &raw_att[i], &raw_det[i]);
        } else {
            raw_round(dom, disk_xml, &raw_att[i], &raw_det[i]);
            lib_round(dom, disk, &lib_att[i], &lib_det[i]);
        }
        lib_tot[i] = lib_att[i] + lib_det[i];
        raw_tot[i] = raw_att[i] + raw_det[i];
    }

    printf("bench-hotplug: %s, domain %s (TCG, no OS), scsi qcow2 disk %s\n", uri, dom_name,
           TARGET);
    printf("  %ld rounds of each way, interleaved (order alternating), after %ld warm-up "
           "rounds\n",
           rounds, warmup);
    printf("  library: vdisk_hotplug_attach + vdisk_hotplug_detach (waits until QEMU released "
           "the disk)\n");
    printf("  raw:     virDomainAttachDeviceFlags + virDomainDetachDeviceFlags, then the live "
           "XML\n"
           "           polled (1 ms) until the disk is gone, so both are timed to the same "
           "point\n\n");
    printf("  %-17s %10s %10s   %10s %10s   %6s\n", "microseconds", "lib med", "lib best",
           "raw med", "raw best", "ratio");
    print_row("attach", lib_att, raw_att, rounds);
    print_row("detach", lib_det, raw_det, rounds);
    /* print_row sorted the arrays: the totals were filled before */
    ratio = bench_summarize(lib_tot, rounds).median / bench_summarize(raw_tot, rounds).median;
    print_row("attach + detach", lib_tot, raw_tot, rounds);
    printf("\n  library overhead (attach + detach, medians): %+.1f%% (target <= %.0f%%): %s\n",
           (ratio - 1) * 100, TARGET_OVERHEAD * 100,
           ratio <= 1 + TARGET_OVERHEAD ? "met" : "NOT met");

    virDomainDestroy(dom);
    virDomainFree(dom);
    virConnectClose(conn);
    unlink(img);
    rmdir(imgdir);
    free(img);
    free(imgdir);
    vdisk_free(disk_xml);
    vdisk_disk_free(disk);
    free(lib_att);
    free(lib_det);
    free(lib_tot);
    free(raw_att);
    free(raw_det);
    free(raw_tot);
    return 0;
}
