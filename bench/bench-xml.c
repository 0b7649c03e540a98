/*
 * bench-xml.c: cost of parsing and formatting disk XML, against libxml2
 *
 * Generates N distinct, realistic <disk> documents (file/block/network/
 * volume sources, drivers, targets on several buses, iotune, backing
 * chains) and, in one run, times
 *   (a) libxml2 alone: xmlReadMemory() + xmlFreeDoc() of the same bytes,
 *   (b) libvdisk: vdisk_disk_from_xml() + vdisk_disk_to_xml() + free,
 * over several repetitions, and prints microseconds per disk (best and
 * median), the ratio (b)/(a) and the heap a parsed disk keeps (glibc
 * mallinfo2() around keeping all N disks alive). The same is then done
 * for whole <domain> documents holding many of these disks.
 *
 *   bench-xml [-n DISKS] [-r REPEAT] [-m DISKS_PER_DOMAIN] [-d DUMP_DIR]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* mallinfo2 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <vdisk/vdisk.h>

#include "bench-common.h"
#include "gen-disks.h"

/* Targets of the median ratios: a <disk> read, written and freed within
 * 1.2 times libxml2's bare parse of it (the aim is below 1.0), a domain
 * within 1.5 times. */
#define TARGET_RATIO_DISK 1.2
#define TARGET_RATIO_DOMAIN 1.5
/* The XML a slice of a repetition holds, about (see compare()). */
#define SLICE_BYTES (64 * 1024)

/* ---- the measured paths ------------------------------------------------------------ */

/* (a): the same bytes through libxml2 alone. */
static double
run_libxml2(char **docs, size_t n)
{
    double t0 = bench_now_us();
    size_t i;

    for (i = 0; i < n; i++) {
        xmlDocPtr doc = xmlReadMemory(docs[i], (int)strlen(docs[i]), NULL, NULL, XML_PARSE_NONET);

        if (!doc) {
            fprintf(stderr, "libxml2 refused document %zu\n", i);
            exit(1);
        }
        xmlFreeDoc(doc);
    }
    return bench_now_us() - t0;
}

static size_t refused;

static void
note_refusal(size_t i, const char *doc, vdisk_error *err)
{
    if (refused++ < 3)
        fprintf(stderr, "note: generated document %zu refused: %s\n%s", i,
                err ? vdisk_error_get_message(err) : "(no error)", doc);
}

/* (b): parse -> format -> free through libvdisk. */
static double
run_vdisk_disks(char **docs, size_t n)
{
    double t0 = bench_now_us();
    size_t i;

    for (i = 0; i < n; i++) {
        vdisk_disk *disk = NULL;
        vdisk_error *err = NULL;
        char *out = NULL;

        if (vdisk_disk_from_xml(&disk, docs[i], &err) < 0 ||
            vdisk_disk_to_xml(&out, disk, &err) < 0)
            note_refusal(i, docs[i], err);
        vdisk_free(out);
        vdisk_disk_free(disk);
        vdisk_error_free(err);
    }
    return bench_now_us() - t0;
}

static double
run_vdisk_domains(char **docs, size_t n)
{
    double t0 = bench_now_us();
    size_t i;

    for (i = 0; i < n; i++) {
        vdisk_domain *dom = NULL;
        vdisk_error *err = NULL;
        char *out = NULL;

        if (vdisk_domain_from_xml(&dom, docs[i], &err) < 0 ||
            vdisk_domain_to_xml(&out, dom, &err) < 0)
            note_refusal(i, "", err);
        vdisk_free(out);
        vdisk_domain_free(dom);
        vdisk_error_free(err);
    }
    return bench_now_us() - t0;
}

static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}

/* Heap kept by @n parsed documents, all alive at once, per document. */
static void
measure_heap(char **docs, size_t n, int domains, double *vdisk_bytes, double *libxml2_bytes)
{
    void **keep = calloc(n, sizeof(*keep));
    size_t before;
    size_t i;

    if (!keep)
        abort();
    before = heap_in_use();
    for (i = 0; i < n; i++) {
        vdisk_error *err = NULL;

        if (domains)
            vdisk_domain_from_xml((vdisk_domain **)&keep[i], docs[i], &err);
        else
            vdisk_disk_from_xml((vdisk_disk **)&keep[i], docs[i], &err);
        vdisk_error_free(err);
    }
    *vdisk_bytes = (double)(heap_in_use() - before) / (double)n;
    for (i = 0; i < n; i++) {
        if (domains)
            vdisk_domain_free(keep[i]);
        else
            vdisk_disk_free(keep[i]);
    }

    before = heap_in_use();
    for (i = 0; i < n; i++)
        keep[i] = xmlReadMemory(docs[i], (int)strlen(docs[i]), NULL, NULL, XML_PARSE_NONET);
    *libxml2_bytes = (double)(heap_in_use() - before) / (double)n;
    for (i = 0; i < n; i++)
        xmlFreeDoc(keep[i]);
    free(keep);
}

typedef double (*runner)(char **docs, size_t n);

static double
compare(const char *title, char **docs, size_t n, size_t units, const char *unit, runner vdisk_run,
        int domains, unsigned int repeat)
{
    double *ta = calloc(repeat, sizeof(double));
    double *tb = calloc(repeat, sizeof(double));
    double heap_vd;
    double heap_xml;
    size_t bytes = 0;
    bench_stats a;
    bench_stats b;
    unsigned int r;
    size_t i;

    if (!ta || !tb)
        abort();
    for (i = 0; i < n; i++)
        bytes += strlen(docs[i]);

    /* Warm up caches and the allocator once before measuring. */
    run_libxml2(docs, n);
    refused = 0;
    vdisk_run(docs, n);
    /* Each repetition goes through the documents in slices of about
     * SLICE_BYTES, each slice through (a) and (b) in turn (in reverse
     * order every other slice): a slow spell of the machine falls on both
     * alike. */
    for (r = 0; r < repeat; r++) {
        double sa = 0, sb = 0;
        size_t from, to, k = 0;

        for (from = 0; from < n; from = to, k++) {
            size_t size = 0;

            for (to = from; to < n && (to == from || size < SLICE_BYTES); to++)
                size += strlen(docs[to]);
            if (k % 2 == 0) {
                sa += run_libxml2(docs + from, to - from);
                sb += vdisk_run(docs + from, to - from);
            } else {
                sb += vdisk_run(docs + from, to - from);
                sa += run_libxml2(docs + from, to - from);
            }
        }
        ta[r] = sa / (double)units;
        tb[r] = sb / (double)units;
    }
    a = bench_summarize(ta, repeat);
    b = bench_summarize(tb, repeat);
    measure_heap(docs, n, domains, &heap_vd, &heap_xml);

    printf("\n%s: %zu documents, %zu %ss, %.0f bytes of XML per %s, %u repetitions\n", title, n,
           units, unit, (double)bytes / (double)units, unit, repeat);
    printf("  %-44s %9s %9s\n", "", "best", "median");
    printf("  %-44s %9.2f %9.2f  us/%s\n", "(a) libxml2 xmlReadMemory + xmlFreeDoc", a.best,
           a.median, unit);
    printf("  %-44s %9.2f %9.2f  us/%s\n", "(b) libvdisk from_xml + to_xml + free", b.best,
           b.median, unit);
    printf("  %-44s %9.2f %9.2f  (target <= %.1f)\n", "ratio (b)/(a)", b.best / a.best,
           b.median / a.median, domains ? TARGET_RATIO_DOMAIN : TARGET_RATIO_DISK);
    printf("  heap kept per parsed %s: libvdisk %.0f bytes, libxml2 xmlDoc %.0f bytes\n",
           domains ? "domain" : "disk", heap_vd, heap_xml);
    if (domains)
        printf("  heap kept per disk inside domains: %.0f bytes\n",
               heap_vd * (double)n / (double)units);
    if (refused)
        printf("  warning: %zu documents were refused by libvdisk during the runs\n",
               refused / (repeat + 1));
    free(ta);
    free(tb);
    return b.median / a.median;
}

/* ---- domains ------------------------------------------------------------------------ */

static char *
gen_domain(unsigned int d, char **disks, size_t ndisks)
{
    gen_buf b = {0};
    size_t i;

    gen_buf_add(&b,
                "<domain type='kvm'>\n  <name>bench-%u</name>\n"
                "  <uuid>5a1c0de0-0000-4000-8000-%012u</uuid>\n"
                "  <memory unit='KiB'>4194304</memory>\n  <vcpu placement='static'>4</vcpu>\n"
                "  <iothreads>2</iothreads>\n"
                "  <os>\n    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n  </os>\n"
                "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n"
                "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n",
                d, d);
    for (i = 0; i < ndisks; i++)
        gen_buf_add(&b, "%s", disks[i]);
    gen_buf_add(&b, "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"
                    "    <interface type='network'>\n      <source network='default'/>\n"
                    "      <model type='virtio'/>\n    </interface>\n"
                    "    <console type='pty'/>\n  </devices>\n</domain>\n");
    return b.s;
}

static void
dump(const char *dir, const char *what, char **docs, size_t n)
{
    char path[4096];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s-%04zu.xml", dir, what, i);
        bench_write_file(path, docs[i]);
    }
}

static void
usage(FILE *fp)
{
    fprintf(fp, "Usage: bench-xml [-n DISKS] [-r REPEAT] [-m DISKS_PER_DOMAIN] [-d DUMP_DIR]\n"
                "  -n  distinct disks to generate (default 2000)\n"
                "  -r  timed repetitions; best and median are reported (default 7)\n"
                "  -m  disks per <domain> in the domain run (default 100)\n"
                "  -d  also write the generated documents to DUMP_DIR\n");
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    size_t n = 2000;
    size_t per_domain = 100;
    unsigned int repeat = 7;
    const char *dump_dir = NULL;
    gen_target_counter tc = {0};
    char **disks;
    char **domains;
    size_t ndomains;
    double ratio_disk;
    double ratio_dom;
    size_t i;
    int c;

    while ((c = getopt_long(argc, argv, "n:r:m:d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            n = strtoul(optarg, NULL, 10);
            break;
        case 'r':
            repeat = (unsigned int)strtoul(optarg, NULL, 10);
            break;
        case 'm':
            per_domain = strtoul(optarg, NULL, 10);
            break;
        case 'd':
            dump_dir = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (n == 0 || repeat == 0 || per_domain == 0 || per_domain > n) {
        usage(stderr);
        return 2;
    }

    xmlInitParser();
    if (!(disks = calloc(n, sizeof(*disks))))
        abort();
    for (i = 0; i < n; i++) {
        /* Targets restart per domain-sized group, so each group fits one domain. */
        if (i % per_domain == 0)
            memset(&tc, 0, sizeof(tc));
        disks[i] = gen_disk((unsigned int)i, &tc);
    }

    ndomains = n / per_domain;
    if (!(domains = calloc(ndomains, sizeof(*domains))))
        abort();
    for (i = 0; i < ndomains; i++)
        domains[i] = gen_domain((unsigned int)i, disks + i * per_domain, per_domain);
    if (dump_dir) {
        dump(dump_dir, "disk", disks, n);
        dump(dump_dir, "domain", domains, ndomains);
    }

    printf("libvdisk %s, libxml2 %s\n", vdisk_version(), xmlParserVersion);
    ratio_disk =
        compare("single <disk> documents", disks, n, n, "disk", run_vdisk_disks, 0, repeat);
    ratio_dom = compare("<domain> documents", domains, ndomains, ndomains * per_domain, "disk",
                        run_vdisk_domains, 1, repeat);
    printf("\nmedian ratios: disk %.2f, domain %.2f: %s\n", ratio_disk, ratio_dom,
           ratio_disk <= TARGET_RATIO_DISK && ratio_dom <= TARGET_RATIO_DOMAIN ? "within target"
                                                                             : "ABOVE TARGET");

    for (i = 0; i < n; i++)
        free(disks[i]);
    for (i = 0; i < ndomains; i++)
        free(domains[i]);
    free(disks);
    free(domains);
    xmlCleanupParser();
    return 0;
}
