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
#define _GNU_SOURCE /* clock_gettime, mallinfo2 */
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <vdisk/vdisk.h>

#define TARGET_RATIO 1.5

/* ---- a growable string ------------------------------------------------------------ */

typedef struct {
    char *s;
    size_t len;
    size_t cap;
} buf;

static void buf_add(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_add(buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if (b->s && b->len + (size_t)n < b->cap)
            break;
        b->cap = (b->cap + (size_t)n + 1) * 2;
        if (!(b->s = realloc(b->s, b->cap)))
            abort();
    }
    b->len += (size_t)n;
}

/* ---- generator ---------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned int
rnd(unsigned int n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned int)(rng_state % n);
}

static const char *
pick(const char *const *v, size_t n)
{
    return v[rnd((unsigned int)n)];
}
#define PICK(v) pick((v), sizeof(v) / sizeof((v)[0]))

/* libvirt's disk names: vda..vdz, vdaa, ... */
static void
target_name(char *out, size_t size, const char *prefix, unsigned int idx)
{
    char rev[16];
    size_t n = 0;
    size_t plen = strlen(prefix);
    size_t i;

    do {
        rev[n++] = (char)('a' + idx % 26);
        idx = idx / 26;
    } while (idx-- > 0 && n < sizeof(rev));
    if (plen + n + 1 > size)
        abort();
    memcpy(out, prefix, plen);
    for (i = 0; i < n; i++)
        out[plen + i] = rev[n - 1 - i];
    out[plen + n] = '\0';
}

typedef struct {
    unsigned int vd; /* next index per target prefix */
    unsigned int sd;
} target_counter;

static void
add_iotune(buf *b, unsigned int i)
{
    if (rnd(3) != 0)
        return;
    buf_add(b, "  <iotune>\n");
    if (rnd(2)) {
        buf_add(b, "    <total_bytes_sec>%u</total_bytes_sec>\n", 10000000 + i * 1000);
    } else {
        buf_add(b, "    <read_bytes_sec>%u</read_bytes_sec>\n", 20000000 + i * 100);
        buf_add(b, "    <write_bytes_sec>%u</write_bytes_sec>\n", 10000000 + i * 100);
    }
    if (rnd(2)) {
        buf_add(b, "    <total_iops_sec>%u</total_iops_sec>\n", 1000 + i);
        if (rnd(2))
            buf_add(b,
                    "    <total_iops_sec_max>%u</total_iops_sec_max>\n"
                    "    <total_iops_sec_max_length>%u</total_iops_sec_max_length>\n",
                    4000 + i, 1 + rnd(60));
    }
    if (rnd(4) == 0)
        buf_add(b, "    <group_name>tenant-%u</group_name>\n", i);
    buf_add(b, "  </iotune>\n");
}

static void
add_backing_chain(buf *b, unsigned int i, unsigned int depth)
{
    unsigned int d;

    for (d = 0; d < depth; d++) {
        const char *fmt = d + 1 == depth && rnd(2) ? "raw" : "qcow2";

        buf_add(b, "%*s<backingStore type='file'>\n", 2 + 2 * d, "");
        buf_add(b, "%*s<format type='%s'/>\n", 4 + 2 * d, "", fmt);
        buf_add(b, "%*s<source file='/var/lib/libvirt/images/base-%u-%u.%s'/>\n", 4 + 2 * d, "", i,
                d, strcmp(fmt, "raw") == 0 ? "img" : "qcow2");
    }
    if (depth > 0)
        buf_add(b, "%*s<backingStore/>\n", 2 + 2 * depth, "");
    for (d = depth; d-- > 0;)
        buf_add(b, "%*s</backingStore>\n", 2 + 2 * d, "");
}

static void
add_driver(buf *b, const char *format, int cdrom)
{
    static const char *const caches[] = {NULL,           "none",       "writeback",
                                         "writethrough", "directsync", "unsafe"};
    static const char *const policies[] = {NULL, "stop", "report", "ignore", "enospace"};
    const char *cache = PICK(caches);
    const char *policy = cdrom ? NULL : PICK(policies);

    buf_add(b, "  <driver name='qemu' type='%s'", format);
    if (cache)
        buf_add(b, " cache='%s'", cache);
    if (policy)
        buf_add(b, " error_policy='%s'", policy);
    if (!cdrom && cache && (strcmp(cache, "none") == 0 || strcmp(cache, "directsync") == 0) &&
        rnd(2))
        buf_add(b, " io='native'");
    else if (rnd(3) == 0)
        buf_add(b, " io='%s'", rnd(2) ? "threads" : "io_uring");
    if (!cdrom && rnd(2)) {
        if (rnd(2))
            buf_add(b, " discard='unmap' detect_zeroes='unmap'");
        else
            buf_add(b, " discard='ignore' detect_zeroes='%s'", rnd(2) ? "on" : "off");
    }
    buf_add(b, "/>\n");
}

static void
add_target(buf *b, target_counter *tc, const char *bus)
{
    char dev[32];

    if (strcmp(bus, "virtio") == 0)
        target_name(dev, sizeof(dev), "vd", tc->vd++);
    else
        target_name(dev, sizeof(dev), "sd", tc->sd++);
    buf_add(b, "  <target dev='%s' bus='%s'/>\n", dev, bus);
}

/* One distinct, valid disk; @i makes paths, names and serials unique. */
static char *
gen_disk(unsigned int i, target_counter *tc)
{
    static const char *const hosts[] = {"storage1.example.org", "storage2.example.org", "10.0.12.7",
                                        "ceph-mon-a.lab.example.net"};
    static const char *const disk_buses[] = {"virtio", "virtio", "virtio", "scsi", "sata"};
    buf b = {0};
    unsigned int kind = rnd(10);

    switch (kind) {
    case 0: /* cdrom with an ISO, or empty */
        buf_add(&b, "<disk type='file' device='cdrom'>\n");
        add_driver(&b, "raw", 1);
        if (rnd(4))
            buf_add(&b, "  <source file='/srv/iso/install-%u.iso'/>\n", i);
        add_target(&b, tc, rnd(2) ? "sata" : "scsi");
        buf_add(&b, "  <readonly/>\n");
        break;
    case 1: /* block device */
    case 2:
        /* libvirt 9.0 refuses sgio='unfiltered'; 'filtered' is the default. */
        buf_add(&b, "<disk type='block' device='%s'%s>\n", kind == 1 ? "disk" : "lun",
                kind == 2 && rnd(2) ? " sgio='filtered'" : "");
        add_driver(&b, "raw", 0);
        buf_add(&b, "  <source dev='/dev/mapper/vg%u-lv%u'/>\n", i % 7, i);
        add_target(&b, tc, kind == 1 ? PICK(disk_buses) : "scsi");
        break;
    case 3: { /* rbd */
        buf_add(&b, "<disk type='network' device='disk'>\n");
        add_driver(&b, "raw", 0);
        buf_add(&b,
                "  <auth username='tenant%u'>\n"
                "    <secret type='ceph' uuid='3e5a2ab0-7c4e-4d9b-8e1f-%012u'/>\n"
                "  </auth>\n",
                i % 13, i);
        buf_add(&b, "  <source protocol='rbd' name='volumes/volume-%08x'>\n", i * 2654435761u);
        buf_add(&b, "    <host name='%s' port='6789'/>\n", PICK(hosts));
        if (rnd(2))
            buf_add(&b, "    <host name='%s' port='6789'/>\n", PICK(hosts));
        buf_add(&b, "  </source>\n");
        add_target(&b, tc, "virtio");
        break;
    }
    case 4: /* nbd, iscsi, gluster */
        buf_add(&b, "<disk type='network' device='disk'>\n");
        add_driver(&b, rnd(2) ? "raw" : "qcow2", 0);
        switch (rnd(3)) {
        case 0:
            buf_add(&b,
                    "  <source protocol='nbd' name='export-%u'>\n"
                    "    <host name='%s' port='%u'/>\n  </source>\n",
                    i, PICK(hosts), 10809 + i % 5);
            break;
        case 1:
            buf_add(&b,
                    "  <source protocol='iscsi' name='iqn.2013-07.org.example:tgt%u/%u'>\n"
                    "    <host name='%s' port='3260'/>\n  </source>\n",
                    i / 8, i % 8, PICK(hosts));
            break;
        default:
            buf_add(&b,
                    "  <source protocol='gluster' name='gv%u/images/vm-%u.img'>\n"
                    "    <host name='%s' port='24007'/>\n  </source>\n",
                    i % 3, i, PICK(hosts));
            break;
        }
        add_target(&b, tc, PICK(disk_buses));
        break;
    case 5: /* storage pool volume */
        buf_add(&b, "<disk type='volume' device='disk'>\n");
        add_driver(&b, rnd(2) ? "raw" : "qcow2", 0);
        buf_add(&b, "  <source pool='pool-%u' volume='vm-%u-disk%u.qcow2'/>\n", i % 4, i, i % 3);
        add_target(&b, tc, PICK(disk_buses));
        break;
    default: { /* file, qcow2 with a backing chain, or raw */
        int qcow2 = rnd(4) != 0;

        buf_add(&b, "<disk type='file' device='disk'>\n");
        add_driver(&b, qcow2 ? "qcow2" : "raw", 0);
        buf_add(&b, "  <source file='/var/lib/libvirt/images/vm-%u-disk%u.%s'/>\n", i / 3, i % 3,
                qcow2 ? "qcow2" : "img");
        if (qcow2)
            add_backing_chain(&b, i, rnd(4));
        add_target(&b, tc, PICK(disk_buses));
        break;
    }
    }
    add_iotune(&b, i);
    if (kind != 2 && rnd(2)) /* a scsi lun passes the device's own serial through */
        buf_add(&b, "  <serial>SN-%06u-%04X</serial>\n", i, rnd(65536));
    buf_add(&b, "</disk>\n");
    return b.s;
}

/* ---- timing ------------------------------------------------------------------------ */

static double
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

typedef struct {
    double best;
    double median;
} stats;

static stats
summarize(double *v, size_t n)
{
    stats s;

    qsort(v, n, sizeof(*v), cmp_double);
    s.best = v[0];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

/* (a): the same bytes through libxml2 alone. */
static double
run_libxml2(char **docs, size_t n)
{
    double t0 = now_us();
    size_t i;

    for (i = 0; i < n; i++) {
        xmlDocPtr doc = xmlReadMemory(docs[i], (int)strlen(docs[i]), NULL, NULL, XML_PARSE_NONET);

        if (!doc) {
            fprintf(stderr, "libxml2 refused document %zu\n", i);
            exit(1);
        }
        xmlFreeDoc(doc);
    }
    return now_us() - t0;
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
    double t0 = now_us();
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
    return now_us() - t0;
}

static double
run_vdisk_domains(char **docs, size_t n)
{
    double t0 = now_us();
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
    return now_us() - t0;
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
    stats a;
    stats b;
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
    for (r = 0; r < repeat; r++) {
        ta[r] = run_libxml2(docs, n) / (double)units;
        tb[r] = vdisk_run(docs, n) / (double)units;
    }
    a = summarize(ta, repeat);
    b = summarize(tb, repeat);
    measure_heap(docs, n, domains, &heap_vd, &heap_xml);

    printf("\n%s: %zu documents, %zu %ss, %.0f bytes of XML per %s, %u repetitions\n", title, n,
           units, unit, (double)bytes / (double)units, unit, repeat);
    printf("  %-44s %9s %9s\n", "", "best", "median");
    printf("  %-44s %9.2f %9.2f  us/%s\n", "(a) libxml2 xmlReadMemory + xmlFreeDoc", a.best,
           a.median, unit);
    printf("  %-44s %9.2f %9.2f  us/%s\n", "(b) libvdisk from_xml + to_xml + free", b.best,
           b.median, unit);
    printf("  %-44s %9.2f %9.2f  (target <= %.1f)\n", "ratio (b)/(a)", b.best / a.best,
           b.median / a.median, TARGET_RATIO);
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
    buf b = {0};
    size_t i;

    buf_add(&b,
            "<domain type='kvm'>\n  <name>bench-%u</name>\n"
            "  <uuid>5a1c0de0-0000-4000-8000-%012u</uuid>\n"
            "  <memory unit='KiB'>4194304</memory>\n  <vcpu placement='static'>4</vcpu>\n"
            "  <iothreads>2</iothreads>\n"
            "  <os>\n    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n  </os>\n"
            "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n"
            "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n",
            d, d);
    for (i = 0; i < ndisks; i++)
        buf_add(&b, "%s", disks[i]);
    buf_add(&b, "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"
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
        FILE *fp;

        snprintf(path, sizeof(path), "%s/%s-%04zu.xml", dir, what, i);
        if (!(fp = fopen(path, "w"))) {
            perror(path);
            exit(2);
        }
        fputs(docs[i], fp);
        fclose(fp);
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
    target_counter tc = {0};
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
           ratio_disk <= TARGET_RATIO && ratio_dom <= TARGET_RATIO ? "within target"
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
