/*
 * bench-qemu.c: cost of turning domain XML into QEMU arguments, against libxml2
 *
 * Generates N distinct disks that libvirt's QEMU driver accepts (file, block
 * and network sources: nbd, rbd, iscsi, http(s); qcow2 backing chains; every
 * bus: virtio, scsi, sata on q35, ide, usb; cache and I/O modes, iotune,
 * serials), packed into <domain> documents of M disks with their controllers
 * and explicit addresses, and times in one run, over several repetitions:
 *   (a) libxml2 alone: xmlReadMemory() + xmlFreeDoc() of the same bytes,
 *   (b) the XML -> argv path: vdisk_domain_from_xml() +
 *       vdisk_qemu_translate_domain() + reading every argv element + frees,
 *   (c) the same, reading the QMP commands instead of the argv,
 * and prints microseconds per disk (best and median) and the ratio (b)/(a).
 * For scale, it then times libvirt itself on a few of the same domains:
 * `virsh -c qemu:///system domxml-to-native qemu-argv FILE`, with the
 * secrets the disks refer to defined as ephemeral libvirt secrets for the
 * duration of the run.
 *
 *   bench-qemu [-n DISKS] [-m DISKS_PER_DOMAIN] [-r REPEAT] [-v VIRSH_DOMAINS]
 *              [-d DUMP_DIR]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* mkdtemp */
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <vdisk/vdisk.h>

#include "bench-common.h"
#include "gen-disks.h"

#define TARGET_RATIO 1.5
/* Documents per slice of a repetition (see main()). */
#define SLICE_DOCS 25
#define VIRSH_URI "qemu:///system"

extern char **environ;

/* ---- the measured paths ------------------------------------------------------------ */

typedef struct {
    char **docs;
    size_t *lens;
    size_t n;
    size_t from, to; /* the documents a run goes through: [from, to) */
    const vdisk_qemu_opts *opts;
    size_t refused;      /* documents that failed in the last run */
    char *first_refusal; /* the first failure's message, kept once */
    size_t first_refused_doc;
    size_t sink; /* what was read, so that reading is not optimized away */
} workload;

/* (a): the same bytes through libxml2 alone. */
static double
run_libxml2(workload *w)
{
    double t0 = bench_now_us();
    size_t i;

    for (i = w->from; i < w->to; i++) {
        xmlDocPtr doc = xmlReadMemory(w->docs[i], (int)w->lens[i], NULL, NULL, XML_PARSE_NONET);

        if (!doc) {
            fprintf(stderr, "libxml2 refused document %zu\n", i);
            exit(1);
        }
        xmlFreeDoc(doc);
    }
    return bench_now_us() - t0;
}

static void
note_refusal(workload *w, size_t i, vdisk_error *err)
{
    if (w->refused++ == 0 && !w->first_refusal) {
        w->first_refusal = strdup(err ? vdisk_error_get_message(err) : "(no error)");
        w->first_refused_doc = i;
    }
}

/* (b) and (c): parse, translate, read every element, free. */
static double
run_translate(workload *w, int qmp)
{
    double t0 = bench_now_us();
    size_t i;

    for (i = w->from; i < w->to; i++) {
        vdisk_domain *dom = NULL;
        vdisk_qemu_args *args = NULL;
        vdisk_error *err = NULL;
        size_t j;
        size_t count;

        if (vdisk_domain_from_xml(&dom, w->docs[i], &err) < 0 ||
            vdisk_qemu_translate_domain(&args, dom, w->opts, &err) < 0) {
            note_refusal(w, i, err);
        } else if (qmp) {
            count = vdisk_qemu_args_qmp_count(args);
            for (j = 0; j < count; j++)
                w->sink += strlen(vdisk_qemu_args_qmp_get(args, j));
        } else {
            count = vdisk_qemu_args_count(args);
            for (j = 0; j < count; j++)
                w->sink += strlen(vdisk_qemu_args_get(args, j));
        }
        vdisk_qemu_args_free(args);
        vdisk_domain_free(dom);
        vdisk_error_free(err);
    }
    return bench_now_us() - t0;
}

static double
run_argv(workload *w)
{
    return run_translate(w, 0);
}

static double
run_qmp(workload *w)
{
    return run_translate(w, 1);
}

/* ---- libvirt for scale ------------------------------------------------------------- */

/* Runs argv with stdout to /dev/null and stderr to @errfile; its exit status. */
static int
spawn_quiet(char *const *argv, const char *errfile)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status;
    int rc;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errfile ? errfile : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static char *
slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    char *s;
    long len;

    if (!fp)
        return strdup("");
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (len < 0 || !(s = calloc(1, (size_t)len + 1)))
        abort();
    if (fread(s, 1, (size_t)len, fp) != (size_t)len)
        s[0] = '\0';
    fclose(fp);
    return s;
}

/* The UUID of libvirt secret @k: the key itself for secrets looked up by UUID. */
static void
secret_uuid(unsigned int k, const char *key, char *uuid, size_t size)
{
    if (strchr(key, '-') && strlen(key) == 36)
        snprintf(uuid, size, "%s", key);
    else
        snprintf(uuid, size, "6b3e8f0a-1d2c-4e5f-9a7b-%012u", 1000 + k);
}

static void
virsh_secrets(const char *dir, int define)
{
    unsigned int k;

    for (k = 0; k < GEN_QEMU_NSECRETS; k++) {
        char key[128];
        char value[128];
        char uuid[64];
        char path[4096];
        char xml[1024];

        gen_qemu_secret(k, key, sizeof(key), value, sizeof(value));
        secret_uuid(k, key, uuid, sizeof(uuid));
        {
            char *undef[] = {"virsh", "-c", VIRSH_URI, "secret-undefine", uuid, NULL};

            spawn_quiet(undef, NULL);
        }
        if (!define)
            continue;
        if (strcmp(uuid, key) == 0)
            snprintf(xml, sizeof(xml),
                     "<secret ephemeral='yes' private='yes'>\n  <uuid>%s</uuid>\n"
                     "  <usage type='ceph'>\n    <name>bench-qemu ceph %u</name>\n  </usage>\n"
                     "</secret>\n",
                     uuid, k);
        else
            snprintf(xml, sizeof(xml),
                     "<secret ephemeral='yes' private='yes'>\n  <uuid>%s</uuid>\n"
                     "  <usage type='iscsi'>\n    <target>%s</target>\n  </usage>\n"
                     "</secret>\n",
                     uuid, key);
        snprintf(path, sizeof(path), "%s/secret-%u.xml", dir, k);
        bench_write_file(path, xml);
        {
            char *def[] = {"virsh", "-c", VIRSH_URI, "secret-define", path, NULL};
            char vpath[4096];
            char *set[] = {"virsh", "-c",      VIRSH_URI, "secret-set-value", uuid, "--file",
                           vpath,   "--plain", NULL};

            snprintf(vpath, sizeof(vpath), "%s/secret-%u.value", dir, k);
            bench_write_file(vpath, value);
            if (spawn_quiet(def, NULL) != 0 || spawn_quiet(set, NULL) != 0)
                fprintf(stderr, "note: could not define libvirt secret %s\n", uuid);
        }
    }
}

static void
time_virsh(char **docs, size_t ndocs, size_t ndisks_per_doc, size_t k)
{
    char *probe[] = {"virsh", "-c", VIRSH_URI, "version", NULL};
    char dir[] = "/tmp/bench-qemu-XXXXXX";
    char errfile[4096];
    double total = 0;
    size_t disks = 0;
    size_t failed = 0;
    size_t i;

    printf("\nlibvirt, for scale: virsh -c %s domxml-to-native qemu-argv FILE\n", VIRSH_URI);
    if (k == 0) {
        printf("  skipped (-v 0)\n");
        return;
    }
    if (spawn_quiet(probe, NULL) != 0) {
        printf("  skipped: virsh is not installed or libvirtd is not running\n");
        return;
    }
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return;
    }
    if (k > ndocs)
        k = ndocs;
    snprintf(errfile, sizeof(errfile), "%s/virsh.err", dir);
    virsh_secrets(dir, 1);
    for (i = 0; i < k; i++) {
        char path[4096];
        char *argv[] = {"virsh", "-c", VIRSH_URI, "domxml-to-native", "qemu-argv", path, NULL};
        double t0;
        int rc;

        snprintf(path, sizeof(path), "%s/domain-%04zu.xml", dir, i);
        bench_write_file(path, docs[i]);
        t0 = bench_now_us();
        rc = spawn_quiet(argv, errfile);
        total += bench_now_us() - t0;
        disks += ndisks_per_doc;
        if (rc != 0 && failed++ < 3) {
            char *msg = slurp(errfile);

            printf("  domain %zu refused by libvirt: %s", i, msg);
            free(msg);
        }
        unlink(path);
    }
    virsh_secrets(dir, 0);
    for (i = 0; i < GEN_QEMU_NSECRETS; i++) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/secret-%zu.xml", dir, i);
        unlink(path);
        snprintf(path, sizeof(path), "%s/secret-%zu.value", dir, i);
        unlink(path);
    }
    unlink(errfile);
    rmdir(dir);

    printf("  %zu domains of %zu disks, %zu refused (each call is a process and a daemon "
           "round trip)\n",
           k, ndisks_per_doc, failed);
    printf("  %.2f ms per domain, %.3f ms per disk\n", total / 1e3 / (double)k,
           total / 1e3 / (double)disks);
}

/* ---- main -------------------------------------------------------------------------- */

static void
usage(FILE *fp)
{
    fprintf(fp,
            "Usage: bench-qemu [-n DISKS] [-m DISKS_PER_DOMAIN] [-r REPEAT] [-v VIRSH_DOMAINS]\n"
            "                  [-d DUMP_DIR]\n"
            "  -n  distinct disks to generate (default 2000)\n"
            "  -m  disks per <domain> document (default 8)\n"
            "  -r  timed repetitions; best and median are reported (default 7)\n"
            "  -v  domains to time through virsh domxml-to-native (default 5, 0 skips)\n"
            "  -d  also write the generated domains to DUMP_DIR\n");
}

static vdisk_qemu_opts *
make_opts(void)
{
    vdisk_qemu_opts *opts = vdisk_qemu_opts_new();
    unsigned int k;

    if (!opts)
        abort();
    for (k = 0; k < GEN_QEMU_NSECRETS; k++) {
        char key[128];
        char value[128];
        vdisk_error *err = NULL;

        gen_qemu_secret(k, key, sizeof(key), value, sizeof(value));
        if (vdisk_qemu_opts_set_secret(opts, key, value, strlen(value), &err) < 0) {
            fprintf(stderr, "vdisk_qemu_opts_set_secret: %s\n", vdisk_error_get_message(err));
            exit(1);
        }
    }
    return opts;
}

int
main(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    size_t n = 2000;
    size_t per_domain = 8;
    unsigned int repeat = 7;
    size_t virsh_domains = 5;
    const char *dump_dir = NULL;
    workload w = {0};
    vdisk_qemu_opts *opts;
    double *ta;
    double *tb;
    double *tc;
    bench_stats a;
    bench_stats b;
    bench_stats c;
    size_t bytes = 0;
    size_t nargs = 0;
    size_t nqmp = 0;
    size_t i;
    unsigned int r;
    int ch;

    while ((ch = getopt_long(argc, argv, "n:m:r:v:d:h", long_opts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            n = strtoul(optarg, NULL, 10);
            break;
        case 'm':
            per_domain = strtoul(optarg, NULL, 10);
            break;
        case 'r':
            repeat = (unsigned int)strtoul(optarg, NULL, 10);
            break;
        case 'v':
            virsh_domains = strtoul(optarg, NULL, 10);
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
    if (n == 0 || repeat == 0 || per_domain == 0 || per_domain > n || per_domain > 200) {
        usage(stderr);
        return 2;
    }

    xmlInitParser();
    w.n = n / per_domain;
    if (!(w.docs = calloc(w.n, sizeof(*w.docs))) || !(w.lens = calloc(w.n, sizeof(*w.lens))))
        abort();
    for (i = 0; i < w.n; i++) {
        w.docs[i] = gen_qemu_domain((unsigned int)i, (unsigned int)(i * per_domain), per_domain);
        w.lens[i] = strlen(w.docs[i]);
        bytes += w.lens[i];
    }
    n = w.n * per_domain;
    if (dump_dir) {
        for (i = 0; i < w.n; i++) {
            char path[4096];

            snprintf(path, sizeof(path), "%s/qemu-domain-%04zu.xml", dump_dir, i);
            bench_write_file(path, w.docs[i]);
        }
    }
    opts = make_opts();
    w.opts = opts;

    /* Every generated domain must translate: count what is refused. */
    for (i = 0; i < w.n; i++) {
        vdisk_domain *dom = NULL;
        vdisk_qemu_args *args = NULL;
        vdisk_error *err = NULL;

        if (vdisk_domain_from_xml(&dom, w.docs[i], &err) < 0 ||
            vdisk_qemu_translate_domain(&args, dom, opts, &err) < 0) {
            note_refusal(&w, i, err);
        } else {
            nargs += vdisk_qemu_args_count(args);
            nqmp += vdisk_qemu_args_qmp_count(args);
        }
        vdisk_qemu_args_free(args);
        vdisk_domain_free(dom);
        vdisk_error_free(err);
    }

    printf("libvdisk %s, libxml2 %s\n", vdisk_version(), xmlParserVersion);
    printf("\n%zu <domain> documents of %zu disks: %zu disks, %.0f bytes of XML per disk, "
           "%.1f argv elements and %.1f QMP commands per disk, %u repetitions\n",
           w.n, per_domain, n, (double)bytes / (double)n, (double)nargs / (double)n,
           (double)nqmp / (double)n, repeat);
    printf("  translation check: %zu of %zu domains refused\n", w.refused, w.n);
    if (w.refused) {
        printf("  first refusal (domain %zu): %s\n", w.first_refused_doc, w.first_refusal);
        printf("  error: the generator produced domains the translation refuses\n");
    }

    if (!(ta = calloc(repeat, sizeof(double))) || !(tb = calloc(repeat, sizeof(double))) ||
        !(tc = calloc(repeat, sizeof(double))))
        abort();
    /* Warm up caches and the allocator once before measuring. */
    w.from = 0;
    w.to = w.n;
    run_libxml2(&w);
    run_argv(&w);
    run_qmp(&w);
    /* Each repetition goes through the documents in slices, each slice
     * through (a), (b) and (c) in turn (in reverse order every other
     * slice): a slow spell of the machine falls on the three alike. */
    for (r = 0; r < repeat; r++) {
        double sa = 0, sb = 0, sc = 0;
        size_t k = 0;

        w.refused = 0;
        for (w.from = 0; w.from < w.n; w.from = w.to, k++) {
            w.to = w.from + SLICE_DOCS < w.n ? w.from + SLICE_DOCS : w.n;
            if (k % 2 == 0) {
                sa += run_libxml2(&w);
                sb += run_argv(&w);
                sc += run_qmp(&w);
            } else {
                sc += run_qmp(&w);
                sb += run_argv(&w);
                sa += run_libxml2(&w);
            }
        }
        ta[r] = sa / (double)n;
        tb[r] = sb / (double)n;
        tc[r] = sc / (double)n;
    }
    a = bench_summarize(ta, repeat);
    b = bench_summarize(tb, repeat);
    c = bench_summarize(tc, repeat);

    printf("  %-56s %9s %9s\n", "", "best", "median");
    printf("  %-56s %9.2f %9.2f  us/disk\n", "(a) libxml2 xmlReadMemory + xmlFreeDoc", a.best,
           a.median);
    printf("  %-56s %9.2f %9.2f  us/disk\n",
           "(b) domain_from_xml + translate_domain + argv + frees", b.best, b.median);
    printf("  %-56s %9.2f %9.2f  us/disk\n", "(c) the same, reading QMP commands", c.best,
           c.median);
    printf("  %-56s %9.2f %9.2f  (target <= %.1f)\n", "ratio (b)/(a)", b.best / a.best,
           b.median / a.median, TARGET_RATIO);
    printf("  %-56s %9.2f %9.2f\n", "ratio (c)/(a)", c.best / a.best, c.median / a.median);
    printf("  median ratio (b)/(a) %.2f: %s\n", b.median / a.median,
           b.median / a.median <= TARGET_RATIO ? "target met" : "ABOVE TARGET");

    time_virsh(w.docs, w.n, per_domain, virsh_domains);

    for (i = 0; i < w.n; i++)
        free(w.docs[i]);
    free(w.docs);
    free(w.lens);
    free(w.first_refusal);
    free(ta);
    free(tb);
    free(tc);
    vdisk_qemu_opts_free(opts);
    xmlCleanupParser();
    return w.refused ? 1 : 0;
}
