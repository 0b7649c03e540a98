/*
 * test-blockjob.c: the life of a disk on a running domain (<vdisk/blockjob.h>)
 * against real libvirtd, QEMU and a booted Linux guest
 *
 * The main sequence boots the guest of scripts/build-test-guest.sh (a
 * persistent domain vdtest-bj-main-PID-N: qemu (TCG), pc, 160 MiB) whose
 * writer (vdtest.mode=writer vdtest.writer=retry) writes numbered, fsync'd
 * blocks to its virtio disk vda, a qcow2 image over a qcow2 backing file.
 * The disk is small (384 KiB), so the writer fills it and waits; then:
 * resize (+16M: the guest sees the new size and writes on), snapshot,
 * commit of the active layer with pivot, copy with pivot, copy without
 * pivot then abort without pivot, snapshot, pull. After every step the
 * live definition's chain (source + backingStore, no <mirror>), the
 * persistent definition's source, and QEMU's own view (query-block,
 * query-named-block-nodes, query-block-jobs) must be what the call said,
 * no job may be left, and the guest must go on writing. At the end the
 * domain is destroyed and every block the guest reported written
 * ("VDTEST wrote vda N") must be in the final image with its number.
 *
 * The failure cases run on domains with no OS (vdtest-bj-fail-PID-N): a
 * disk vda (qcow2 over qcow2, 32 MiB of data written by qemu-io) and vdb
 * (qcow2, no backing). Each checks the error code and message, that the
 * disk's chain is what it was, and that no job is left. Others there: commit
 * of an image below the top (by path and as "vda[N]"), a pull down to a
 * base, shallow and reused copies, mirrors kept ready and pivoted later by
 * vdisk_job_abort() (and a pivot that times out waiting), a cancelled
 * active commit, a pull and a commit left running and aborted, jobs back
 * to back, snapshots (all or none, reused overlays, libvirt's names, a
 * stopped domain), resize refusals, a live shrink and stopped domains'
 * images.
 *
 * VDTEST_BLOCKJOB_EVENTS=1 opens the connection with libvirt's event loop
 * (vdisk_connect_open() starts it), so the calls see libvirt's block job
 * events; otherwise the connection has none and the calls poll.
 * VDTEST_GUEST_DIR is where build-test-guest.sh put the kernel and initrd.
 * VDTEST_BLOCKJOB_CASES=PATTERN runs only the matching cases;
 * VDTEST_BLOCKJOB_TRACE=1 prints every status the progress callback sees.
 *
 * Needs root (images under /var/lib/libvirt/images for the qemu user, and
 * tmpfs mounts for the read-only and the full destination).
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <vdisk/vdisk.h>
#include <vdisk/blockjob.h>

#include "../hotplug/hotplug-util.h"
#include "virt/qmp.h"

#define DEFAULT_URI "qemu:///system"
#define PREFIX "vdtest-bj-"
/* Deadlines for what must happen; reaching one fails the case. */
#define BOOT_TIMEOUT_MS 120000
#define SEE_TIMEOUT_MS 60000
#define JOB_TIMEOUT_MS 120000

/* The main disk: small, so that the writer fills it before the resize. */
#define MAIN_SIZE (384 * 1024)
#define MAIN_SIZE_TEXT "384K"
#define MAIN_BLOCKS (MAIN_SIZE / 4096)
#define GROW (16 * 1024 * 1024)
/* The failure cases' data, and the full destination, smaller than it. The
 * data is more than QEMU's mirror moves in one burst (its 16 MiB buffer)
 * before its rate limit applies: a copy of less can be ready at once
 * whatever its bandwidth. */
#define DATA_TEXT "32M"
#define BARE_SIZE "48M"
#define FULL_MIB 4
/* At this rate such a copy is not ready for half a minute. */
#define SLOW_BPS (512 * 1024)

static virConnectPtr conn;
static char *uri;        /* VDTEST_BLOCKJOB_URI, or qemu:///system */
static char *embed_root; /* the root made for qemu:///embed */
static bool events;
/* where the run's image directory goes: VDTEST_BLOCKJOB_IMAGES, else
 * /var/lib/libvirt/images (a private libvirtd of the remote tests sees
 * its own /var/lib/libvirt) */
static const char *images = "/var/lib/libvirt/images";
/* the URI has a host: libvirt's files are not this program's (a private
 * libvirtd on loopback does not see the mounts made after its start, and
 * what the library does only on this host is not done) */
static bool remote;
static char *imgdir;  /* this run's images, kernel, initrd, serial logs, mounts */
static char *rodir;   /* a read-only tmpfs */
static char *fulldir; /* a FULL_MIB tmpfs */
static char *kernel;
static char *initrd;
static GPtrArray *domains; /* virDomainPtr started by the running case */
static unsigned int serial;

static void
ignore_libvirt_errors(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

/* ---- files -------------------------------------------------------------------------- */

static char *
path_in(const char *name)
{
    return g_build_filename(imgdir, name, NULL);
}

/* Runs @argv; fails the case when it does not exit 0. Its stdout, the caller's. */
static char *
run(const char *const *argv)
{
    g_autofree char *errout = NULL;
    char *out = NULL;
    int status = 0;

    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                             &errout, &status, NULL));
    if (status != 0)
        fail_msg("%s %s failed: %s", argv[0], argv[1], errout);
    return out;
}

/* A qcow2 image @name of @size over @backing (NULL: none), its path. */
static char *
make_qcow2(const char *name, const char *size, const char *backing)
{
    char *path = path_in(name);
    const char *plain[] = {"qemu-img", "create", "-q", "-f", "qcow2", path, size, NULL};
    const char *over[] = {"qemu-img", "create", "-q",    "-f", "qcow2", "-F",
                          "qcow2",    "-b",     backing, path, size,    NULL};

    g_free(run(backing ? over : plain));
    return path;
}

/* qemu-io: @len bytes of @pattern at @offset into the qcow2 @path. */
static void
fill(const char *path, const char *offset, const char *len, int pattern)
{
    g_autofree char *cmd = g_strdup_printf("write -P %d %s %s", pattern, offset, len);
    const char *argv[] = {"qemu-io", "-f", "qcow2", "-c", cmd, path, NULL};

    g_free(run(argv));
}

static char *
file_hash(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return NULL;
    return g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
}

/* ---- libvirt's view ----------------------------------------------------------------- */

/* The chain of @target in @dom's definition (live, or persistent with
 * VIR_DOMAIN_XML_INACTIVE): the paths of source and backingStore, top first,
 * NULL-terminated, the caller's; *@mirror: the <mirror>'s file, or NULL. */
static char **
xml_chain(virDomainPtr dom, const char *target, unsigned int flags, char **mirror, char **alias)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, flags);
    g_autofree char *expr = g_strdup_printf("//devices/disk[target/@dev='%s']", target);
    GPtrArray *out = g_ptr_array_new();
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr obj;
    xmlNodePtr node;

    if (!xml)
        fail_msg("virDomainGetXMLDesc: %s", virGetLastErrorMessage());
    assert_non_null(doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET));
    ctx = xmlXPathNewContext(doc);
    obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (!obj || !obj->nodesetval || obj->nodesetval->nodeNr != 1)
        fail_msg("no disk %s in:\n%s", target, xml);
    node = obj->nodesetval->nodeTab[0];
    if (mirror)
        *mirror = NULL;
    if (alias)
        *alias = NULL;
    /* disk: source, backingStore > source, backingStore > backingStore ... */
    while (node) {
        xmlNodePtr c;
        xmlNodePtr next = NULL;

        for (c = node->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            if (xmlStrEqual(c->name, (const xmlChar *)"source")) {
                xmlChar *file = xmlGetProp(c, (const xmlChar *)"file");

                if (!file)
                    file = xmlGetProp(c, (const xmlChar *)"dev");
                if (file)
                    g_ptr_array_add(out, g_strdup((const char *)file));
                xmlFree(file);
            } else if (xmlStrEqual(c->name, (const xmlChar *)"backingStore") && c->children) {
                next = c;
            } else if (mirror && xmlStrEqual(c->name, (const xmlChar *)"mirror")) {
                xmlChar *file = xmlGetProp(c, (const xmlChar *)"file");
                xmlNodePtr s;

                for (s = c->children; !file && s; s = s->next) {
                    if (s->type == XML_ELEMENT_NODE &&
                        xmlStrEqual(s->name, (const xmlChar *)"source"))
                        file = xmlGetProp(s, (const xmlChar *)"file");
                }
                *mirror = g_strdup(file ? (const char *)file : "(no file)");
                xmlFree(file);
            } else if (alias && xmlStrEqual(c->name, (const xmlChar *)"alias")) {
                xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");

                *alias = g_strdup((const char *)name);
                xmlFree(name);
            }
        }
        node = next;
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, false);
}

/* ---- QEMU's view -------------------------------------------------------------------- */

/* The query-block entry of the device whose qdev path names @alias, the caller's. */
static char *
qemu_block_entry(virDomainPtr dom, const char *alias)
{
    g_autofree char *out = qmp(dom, "{\"execute\":\"query-block\"}");
    g_autoptr(GPtrArray) all = vd_qmp_return_elements(out);
    g_autofree char *inpath = g_strdup_printf("/%s/", alias);
    guint i;

    assert_non_null(all);
    for (i = 0; i < all->len; i++) {
        g_autofree char *qdev = vd_qmp_member(all->pdata[i], "qdev");

        if (qdev && (strcmp(qdev, alias) == 0 || strstr(qdev, inpath)))
            return g_strdup(all->pdata[i]);
    }
    fail_msg("QEMU's query-block has no device of %s:\n%s", alias, out);
    return NULL;
}

/* QEMU's chain of the device of @alias (query-block: the inserted image's
 * filename and its backing-images'), top first; *@size: its virtual size. */
static char **
qemu_chain(virDomainPtr dom, const char *alias, unsigned long long *size)
{
    g_autofree char *entry = qemu_block_entry(dom, alias);
    g_autofree char *inserted = vd_qmp_member(entry, "inserted");
    char *image;
    GPtrArray *out = g_ptr_array_new();

    if (!inserted)
        fail_msg("QEMU: %s has no medium: %s", alias, entry);
    image = vd_qmp_member(inserted, "image");
    if (size) {
        g_autofree char *vs = image ? vd_qmp_member(image, "virtual-size") : NULL;

        *size = vs ? g_ascii_strtoull(vs, NULL, 10) : 0;
    }
    while (image) {
        char *next = vd_qmp_member(image, "backing-image");

        g_ptr_array_add(out, vd_qmp_member(image, "filename"));
        g_free(image);
        image = next;
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, false);
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct files of QEMU's block nodes (query-named-block-nodes), sorted. */
static char **
qemu_node_files(virDomainPtr dom)
{
    g_autofree char *out = qmp(dom, "{\"execute\":\"query-named-block-nodes\"}");
    g_autoptr(GPtrArray) all = vd_qmp_return_elements(out);
    GPtrArray *files = g_ptr_array_new();
    guint i;

    assert_non_null(all);
    for (i = 0; i < all->len; i++) {
        char *file = vd_qmp_member(all->pdata[i], "file");

        if (file && !g_ptr_array_find_with_equal_func(files, file, g_str_equal, NULL))
            g_ptr_array_add(files, file);
        else
            g_free(file);
    }
    g_ptr_array_sort(files, compare_strings);
    g_ptr_array_add(files, NULL);
    return (char **)g_ptr_array_free(files, false);
}

/* QEMU's block jobs (query-block-jobs), the caller's array of objects. */
static GPtrArray *
qemu_jobs(virDomainPtr dom)
{
    g_autofree char *out = qmp(dom, "{\"execute\":\"query-block-jobs\"}");
    GPtrArray *all = vd_qmp_return_elements(out);

    return all ? all : g_ptr_array_new_with_free_func(g_free);
}

/* ---- the three views agree ---------------------------------------------------------- */

static char *
joined(char **v)
{
    return g_strjoinv(" -> ", v);
}

static void
assert_same_chain(const char *who, char **got, const char *const *want)
{
    g_autofree char *g = joined(got);
    g_autofree char *w = g_strjoinv(" -> ", (char **)want);

    if (strcmp(g, w) != 0)
        fail_msg("%s: chain %s, expected %s", who, g, w);
}

/* No job on @target: libvirt, QEMU and vdisk_job_get() agree. */
static void
assert_no_job(virDomainPtr dom, const char *target)
{
    virDomainBlockJobInfo info;
    vdisk_job_status *st = (vdisk_job_status *)1;
    vdisk_error *err = NULL;
    g_autoptr(GPtrArray) jobs = qemu_jobs(dom);
    int rc = virDomainGetBlockJobInfo(dom, target, &info, 0);

    if (rc != 0)
        fail_msg("libvirt still has a job on %s (rc %d, type %d, %llu/%llu)", target, rc, info.type,
                 info.cur, info.end);
    if (jobs->len)
        fail_msg("QEMU still has a block job: %s", (char *)jobs->pdata[0]);
    if (vdisk_job_get(&st, dom, target, &err) < 0)
        fail_msg("vdisk_job_get %s: %s", target, vdisk_error_get_message(err));
    if (st)
        fail_msg("vdisk_job_get %s: a %s job", target,
                 vdisk_job_kind_name(vdisk_job_status_get_kind(st)));
}

/* @target's chain is @want (top first, NULL-terminated) in the live
 * definition (with no <mirror>), in QEMU's query-block, and QEMU has block
 * nodes on exactly the images of the domain's chains (@others: the chains'
 * files of the domain's other disks, or NULL); the persistent definition,
 * if any, has @want[0] as source; no job runs. */
static void
expect_chain(virDomainPtr dom, const char *target, const char *const *want,
             const char *const *others)
{
    g_autofree char *mirror = NULL;
    g_autofree char *alias = NULL;
    g_auto(GStrv) live = xml_chain(dom, target, 0, &mirror, &alias);
    g_auto(GStrv) qemu = NULL;
    g_auto(GStrv) nodes = qemu_node_files(dom);
    g_autoptr(GPtrArray) expect_nodes = g_ptr_array_new();
    g_autofree char *n = NULL;
    g_autofree char *e = NULL;
    size_t i;

    assert_same_chain("libvirt's live definition", live, want);
    if (mirror)
        fail_msg("the live definition still has a <mirror> on %s", mirror);
    assert_non_null(alias);
    qemu = qemu_chain(dom, alias, NULL);
    assert_same_chain("QEMU's query-block", qemu, want);
    for (i = 0; want[i]; i++)
        g_ptr_array_add(expect_nodes, (char *)want[i]);
    for (i = 0; others && others[i]; i++)
        g_ptr_array_add(expect_nodes, (char *)others[i]);
    g_ptr_array_sort(expect_nodes, compare_strings);
    g_ptr_array_add(expect_nodes, NULL);
    n = g_strjoinv(" ", nodes);
    e = g_strjoinv(" ", (char **)expect_nodes->pdata);
    if (strcmp(n, e) != 0)
        fail_msg("QEMU's block nodes are on %s, expected %s", n, e);
    if (virDomainIsPersistent(dom) == 1) {
        g_auto(GStrv) config = xml_chain(dom, target, VIR_DOMAIN_XML_INACTIVE, NULL, NULL);

        if (!config[0] || strcmp(config[0], want[0]) != 0)
            fail_msg("the persistent definition's source is %s, expected %s",
                     config[0] ? config[0] : "(none)", want[0]);
    }
    assert_no_job(dom, target);
}

/* ---- job options and progress ------------------------------------------------------- */

typedef struct {
    GPtrArray *phases;   /* distinct successive phases seen */
    vdisk_job_kind kind; /* the last kind seen */
    bool other_target;   /* a status named another disk */
    unsigned int calls;
    int cancel_at;     /* > 0: return non-zero on that call */
    gint64 last_us;    /* when the callback was last called */
    gint64 max_gap_us; /* the longest time between two calls */
    const char *target;
    GThread *caller;    /* the thread that made the call */
    bool other_thread;  /* a call came from another one */
    virDomainPtr dom;   /* non-NULL: ask vdisk_job_get() from the callback */
    unsigned int asked; /* ... how often it saw the job */
    GArray *gaps;       /* gint64: microseconds between successive calls */
} progress;

static int
on_progress(const vdisk_job_status *st, void *opaque)
{
    progress *p = opaque;
    const char *phase = vdisk_job_status_get_phase(st);
    gint64 now = g_get_monotonic_time();

    /* the gap: from the end of one call to the start of the next */
    if (p->last_us && now - p->last_us > p->max_gap_us)
        p->max_gap_us = now - p->last_us;
    if (p->last_us) {
        gint64 gap = now - p->last_us;

        g_array_append_val(p->gaps, gap);
    }
    p->calls++;
    if (getenv("VDTEST_BLOCKJOB_TRACE"))
        print_message("  progress %u at %lld ms: %s %s %llu/%llu ready=%d\n", p->calls,
                      (long long)(now / 1000 % 100000),
                      vdisk_job_kind_name(vdisk_job_status_get_kind(st)), phase,
                      vdisk_job_status_get_cur(st), vdisk_job_status_get_end(st),
                      vdisk_job_status_get_ready(st));
    p->kind = vdisk_job_status_get_kind(st);
    if (g_strcmp0(vdisk_job_status_get_target(st), p->target) != 0)
        p->other_target = true;
    if (!p->phases->len || strcmp(g_ptr_array_index(p->phases, p->phases->len - 1), phase))
        g_ptr_array_add(p->phases, g_strdup(phase ? phase : "(null)"));
    if (g_thread_self() != p->caller)
        p->other_thread = true;
    /* no libvdisk lock is held: the callback may call the library */
    if (p->dom && phase && strcmp(phase, "running") == 0) {
        vdisk_job_status *now_st = NULL;
        vdisk_error *err = NULL;

        if (vdisk_job_get(&now_st, p->dom, p->target, &err) < 0)
            fail_msg("vdisk_job_get from the progress callback: %s", vdisk_error_get_message(err));
        if (now_st && vdisk_job_status_get_kind(now_st) == vdisk_job_status_get_kind(st))
            p->asked++;
        vdisk_job_status_free(now_st);
    }
    p->last_us = g_get_monotonic_time();
    return p->cancel_at > 0 && p->calls >= (unsigned int)p->cancel_at;
}

static void
progress_init(progress *p, const char *target)
{
    memset(p, 0, sizeof(*p));
    p->phases = g_ptr_array_new_with_free_func(g_free);
    p->target = target;
    p->caller = g_thread_self();
    p->gaps = g_array_new(false, false, sizeof(gint64));
}

static void
progress_clear(progress *p)
{
    g_ptr_array_free(p->phases, true);
    g_array_free(p->gaps, true);
}

static gint
compare_gint64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a;
    gint64 y = *(const gint64 *)b;

    return x < y ? -1 : x > y;
}

/* The median of the gaps between progress calls so far, in microseconds
 * (the median, so that one late wake-up on a loaded host does not count). */
static gint64
ticks_median(const progress *p)
{
    g_autoptr(GArray) v = g_array_copy(p->gaps);

    assert_true(v->len >= 3);
    g_array_sort(v, compare_gint64);
    return g_array_index(v, gint64, v->len / 2);
}

/* While a job runs unchanged, the callback is called at least every 250 ms
 * (blockjob.h); 25 ms more for scheduling. Checked last in a case, so that
 * the rest is checked whatever it finds. */
static void
check_ticks(const char *what, gint64 median)
{
    print_message("%s: median gap between progress calls %lld ms\n", what,
                  (long long)(median / 1000));
    if (median > 275 * 1000)
        fail_msg("%s: progress calls come every %lld ms (median) while the job runs; "
                 "blockjob.h promises at least every 250 ms",
                 what, (long long)(median / 1000));
}

static char *
progress_phases(const progress *p)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < p->phases->len; i++)
        g_string_append_printf(out, "%s%s", i ? "," : "", (char *)p->phases->pdata[i]);
    return g_string_free(out, false);
}

/* Options with a deadline (a hang fails the case instead of blocking it),
 * reporting to @p. */
static vdisk_job_opts *
job_opts(progress *p, unsigned long long bps)
{
    vdisk_job_opts *opts = vdisk_job_opts_new();

    assert_non_null(opts);
    vdisk_job_opts_set_timeout(opts, JOB_TIMEOUT_MS);
    if (p)
        vdisk_job_opts_set_progress(opts, on_progress, p);
    if (bps)
        vdisk_job_opts_set_bandwidth(opts, bps);
    return opts;
}

/* vdisk_job_opts_get_status(): the state the last call left the job in. */
static void
expect_opts_status(const char *what, const vdisk_job_opts *opts, vdisk_job_kind kind,
                   const char *phase)
{
    const vdisk_job_status *st = vdisk_job_opts_get_status(opts);

    if (!st)
        fail_msg("%s: vdisk_job_opts_get_status is NULL", what);
    if (vdisk_job_status_get_kind(st) != kind || g_strcmp0(vdisk_job_status_get_phase(st), phase))
        fail_msg("%s: vdisk_job_opts_get_status: %s \"%s\", expected %s \"%s\"", what,
                 vdisk_job_kind_name(vdisk_job_status_get_kind(st)), vdisk_job_status_get_phase(st),
                 vdisk_job_kind_name(kind), phase);
}

/* The checks every completed job's progress passes: the callback saw this
 * disk, the kind, the phases in order ending "done", with no gap longer
 * than the contract's 250 ms (and some slack for a loaded host). */
static void
check_progress(const char *what, const progress *p, vdisk_job_kind kind, bool pivot)
{
    g_autofree char *phases = progress_phases(p);

    print_message("%s: %u progress calls, phases %s, longest gap %lld ms\n", what, p->calls, phases,
                  (long long)(p->max_gap_us / 1000));
    if (!p->calls)
        fail_msg("%s: the progress callback was never called", what);
    if (p->other_target)
        fail_msg("%s: a status named another disk than %s", what, p->target);
    if (p->other_thread)
        fail_msg("%s: the progress callback ran in another thread than the call's", what);
    if (p->kind != kind)
        fail_msg("%s: the last status has kind %s, expected %s", what, vdisk_job_kind_name(p->kind),
                 vdisk_job_kind_name(kind));
    if (strcmp(g_ptr_array_index(p->phases, p->phases->len - 1), "done") != 0)
        fail_msg("%s: the last phase is not \"done\": %s", what, phases);
    if (pivot) {
        /* a pivot only once the mirror is ready */
        const char *r = strstr(phases, "ready");
        const char *v = strstr(phases, "pivoting");

        if (!r || !v || r > v)
            fail_msg("%s: phases %s: no \"ready\" before \"pivoting\"", what, phases);
    }
    if (p->max_gap_us > 1000 * 1000)
        fail_msg("%s: %lld ms without a progress call (the contract says 250)", what,
                 (long long)(p->max_gap_us / 1000));
}

/* The call failed with *@errp of @code, whose message names each of the
 * NULL-terminated strings after @code; frees *@errp and clears it. (A
 * pointer, as the call that sets it is an argument of the same call.) */
static void
expect_error(const char *call, int rc, vdisk_error **errp, vdisk_error_code code, ...)
{
    vdisk_error *err = *errp;
    const char *msg;
    const char *name;
    va_list ap;

    if (rc == 0)
        fail_msg("%s succeeded; expected error code %d", call, code);
    assert_non_null(err);
    msg = vdisk_error_get_message(err);
    print_message("%s: code %d (libvirt %d): %s\n", call, vdisk_error_get_code(err),
                  vdisk_error_get_libvirt_code(err), msg);
    if ((int)vdisk_error_get_code(err) != (int)code)
        fail_msg("%s: error code %d, expected %d: %s", call, vdisk_error_get_code(err), code, msg);
    va_start(ap, code);
    while ((name = va_arg(ap, const char *))) {
        if (!strstr(msg, name))
            fail_msg("%s: the message does not name '%s': %s", call, name, msg);
    }
    va_end(ap);
    vdisk_error_free(err);
    *errp = NULL;
}

/* ---- domains ------------------------------------------------------------------------ */

#define DOMAIN_TEMPLATE                                                                            \
    "<domain type='qemu'>\n"                                                                       \
    "  <name>%s</name>\n"                                                                          \
    "  <memory unit='MiB'>%d</memory>\n"                                                           \
    "  <vcpu>1</vcpu>\n"                                                                           \
    "  <os>\n"                                                                                     \
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"                                            \
    "%s"                                                                                           \
    "  </os>\n"                                                                                    \
    "  <features><acpi/></features>\n"                                                             \
    "  <on_reboot>destroy</on_reboot>\n"                                                           \
    "  <devices>\n"                                                                                \
    "%s"                                                                                           \
    "    <memballoon model='none'/>\n"                                                             \
    "  </devices>\n"                                                                               \
    "</domain>\n"

static char *
disk_xml(const char *path, const char *target)
{
    return g_strdup_printf("    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                           "<source file='%s'/><target dev='%s' bus='virtio'/></disk>\n",
                           path, target);
}

static char *
domain_name(const char *tag)
{
    return g_strdup_printf(PREFIX "%s-%d-%u", tag, (int)getpid(), ++serial);
}

/* A domain with no OS and @devices, transient, destroyed by the teardown. */
static virDomainPtr
start_bare(const char *devices)
{
    g_autofree char *name = domain_name("fail");
    g_autofree char *xml = g_strdup_printf(DOMAIN_TEMPLATE, name, 64, "", devices);
    virDomainPtr dom = virDomainCreateXML(conn, xml, 0);

    if (!dom)
        fail_msg("cannot start %s: %s", name, virGetLastErrorMessage());
    g_ptr_array_add(domains, dom);
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
            virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                            VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA);
        virDomainFree(dom);
    }
    return 0;
}

/* ---- the guest's console ------------------------------------------------------------ */

typedef struct {
    virDomainPtr dom;
    char *console;
} guest;

static char **
guest_lines(const guest *g)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) all = NULL;
    GPtrArray *out = g_ptr_array_new();
    size_t i;

    if (!g_file_get_contents(g->console, &text, NULL, NULL))
        text = g_strdup("");
    all = g_strsplit(text, "\n", -1);
    /* whole lines only: QEMU may be in the middle of the last one */
    for (i = 0; all[i] && all[i + 1]; i++) {
        const char *p = strstr(g_strstrip(all[i]), "VDTEST ");

        if (p)
            g_ptr_array_add(out, g_strdup(p + strlen("VDTEST ")));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, false);
}

static bool
guest_said(const guest *g, const char *line)
{
    g_auto(GStrv) lines = guest_lines(g);

    return g_strv_contains((const char *const *)lines, line);
}

static void
guest_fail(const guest *g, const char *why)
{
    g_autofree char *text = NULL;
    g_autofree char *tail = NULL;
    size_t len;

    g_file_get_contents(g->console, &text, NULL, NULL);
    len = text ? strlen(text) : 0;
    tail = g_strdup(text ? text + (len > 3000 ? len - 3000 : 0) : "(nothing)");
    fail_msg("%s; the end of the guest's console:\n%s", why, tail);
}

static void
guest_wait_line(const guest *g, const char *line, unsigned int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    while (!guest_said(g, line)) {
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *why = g_strdup_printf("the guest never said \"VDTEST %s\"", line);

            guest_fail(g, why);
        }
        g_usleep(100 * 1000);
    }
}

/* The highest N of "wrote vda N" so far (-1: none), and whether a
 * "write-failed" came after it. */
static long
guest_last_written(const guest *g, bool *stuck)
{
    g_auto(GStrv) lines = guest_lines(g);
    long last = -1;
    size_t i;

    if (stuck)
        *stuck = false;
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "wrote vda ")) {
            long n = strtol(lines[i] + strlen("wrote vda "), NULL, 10);

            if (n != last + 1) {
                g_autofree char *why =
                    g_strdup_printf("the guest wrote block %ld after %ld", n, last);

                guest_fail(g, why);
            }
            last = n;
            if (stuck)
                *stuck = false;
        } else if (g_str_has_prefix(lines[i], "write-failed vda ") && stuck) {
            *stuck = true;
        }
    }
    return last;
}

/* Waits until the guest wrote @more blocks past @after: the disk works
 * after the step. A writer stuck on a full disk fails the case. */
static long
guest_wait_writes(const guest *g, long after, long more)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)SEE_TIMEOUT_MS * 1000;
    bool stuck = false;
    long now;

    while ((now = guest_last_written(g, &stuck)) < after + more) {
        if (stuck && now + 1 >= (MAIN_SIZE + GROW) / 4096)
            guest_fail(g, "the writer filled the disk again (make GROW larger)");
        if (g_get_monotonic_time() > deadline)
            guest_fail(g, "the writer does not go on");
        g_usleep(100 * 1000);
    }
    return now;
}

/* ---- the main sequence -------------------------------------------------------------- */

static void
test_main_sequence(void **state)
{
    g_autofree char *base = make_qcow2("main-base.qcow2", MAIN_SIZE_TEXT, NULL);
    g_autofree char *top = make_qcow2("main-top.qcow2", MAIN_SIZE_TEXT, base);
    g_autofree char *snap1 = path_in("main-snap1.qcow2");
    g_autofree char *snap2 = path_in("main-snap2.qcow2");
    g_autofree char *copy1 = path_in("main-copy1.qcow2");
    g_autofree char *copy2 = path_in("main-copy2.qcow2");
    g_autofree char *raw = path_in("main-final.raw");
    g_autofree char *name = domain_name("main");
    g_autofree char *log = g_strdup_printf("%s.serial", name);
    g_autofree char *os = NULL;
    g_autofree char *devices = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *alias = NULL;
    g_autofree char *data = NULL;
    g_autofree char *console = NULL;
    guest g = {0};
    vdisk_error *err = NULL;
    vdisk_job_opts *opts;
    progress p;
    unsigned long long new_size = 0;
    unsigned long long qsize = 0;
    long done;
    long i;
    gsize len = 0;

    (void)state;
    /* something of the base's shows through until the writer covers it */
    fill(base, "0", "64k", 0x42);
    g.console = console = path_in(log);
    {
        g_autofree char *d = disk_xml(top, "vda");

        os = g_strdup_printf("    <kernel>%s</kernel>\n    <initrd>%s</initrd>\n"
                             "    <cmdline>console=ttyS0 quiet vdtest.mode=writer vdtest.dev=vda"
                             " vdtest.writer=retry</cmdline>\n",
                             kernel, initrd);
        devices = g_strdup_printf("%s    <serial type='file'><source path='%s'/>"
                                  "<target port='0'/></serial>\n",
                                  d, g.console);
    }
    xml = g_strdup_printf(DOMAIN_TEMPLATE, name, 160, os, devices);
    /* persistent: libvirt must rewrite the persistent definition too */
    if (!(g.dom = virDomainDefineXML(conn, xml)))
        fail_msg("cannot define %s: %s", name, virGetLastErrorMessage());
    g_ptr_array_add(domains, g.dom);
    if (virDomainCreate(g.dom) < 0)
        fail_msg("cannot start %s: %s", name, virGetLastErrorMessage());
    print_message("main sequence on %s, %s\n", name, events ? "with events" : "polling");
    expect_chain(g.dom, "vda", (const char *const[]){top, base, NULL}, NULL);

    /* the writer fills the small disk and keeps trying the next block */
    {
        g_autofree char *full = g_strdup_printf("write-failed vda %d", MAIN_BLOCKS);
        g_autofree char *size = g_strdup_printf("size vda %d", MAIN_SIZE / 512);

        guest_wait_line(&g, "ready mode=writer", BOOT_TIMEOUT_MS);
        assert_true(guest_said(&g, size));
        guest_wait_line(&g, full, BOOT_TIMEOUT_MS);
    }

    /* resize: QEMU and the guest see the new size, the writer goes on */
    if (vdisk_block_resize(g.dom, "vda", "+16M", 0, &new_size, &err) < 0)
        fail_msg("vdisk_block_resize: %s", vdisk_error_get_message(err));
    assert_int_equal(new_size, MAIN_SIZE + GROW);
    alias = NULL;
    {
        g_autofree char *m = NULL;
        g_auto(GStrv) c = xml_chain(g.dom, "vda", 0, &m, &alias);
        g_auto(GStrv) q = qemu_chain(g.dom, alias, &qsize);
        g_autofree char *size = g_strdup_printf("size vda %d", (MAIN_SIZE + GROW) / 512);

        assert_int_equal(qsize, MAIN_SIZE + GROW);
        guest_wait_line(&g, size, SEE_TIMEOUT_MS);
    }
    expect_chain(g.dom, "vda", (const char *const[]){top, base, NULL}, NULL);
    done = guest_wait_writes(&g, MAIN_BLOCKS - 1, 20);

    /* snapshot: the overlay on top, in libvirt and QEMU */
    {
        const char *targets[] = {"vda"};
        g_autofree char *ov = g_strdup_printf("vda=%s", snap1);
        const char *overlays[] = {ov};
        g_autofree char *name_out = NULL;
        g_autofree char *report = NULL;
        g_autofree char *line = g_strdup_printf("vda %s", snap1);
        virDomainSnapshotPtr snap;

        if (vdisk_snapshot_create(g.dom, targets, 1, PREFIX "s1", overlays, 1, 0, &name_out,
                                  &report, &err) < 0)
            fail_msg("vdisk_snapshot_create: %s", vdisk_error_get_message(err));
        assert_string_equal(name_out, PREFIX "s1");
        assert_non_null(report);
        if (!strstr(report, line))
            fail_msg("snapshot report '%s' lacks '%s'", report, line);
        assert_non_null(snap = virDomainSnapshotLookupByName(g.dom, PREFIX "s1", 0));
        virDomainSnapshotFree(snap);
    }
    expect_chain(g.dom, "vda", (const char *const[]){snap1, top, base, NULL}, NULL);
    done = guest_wait_writes(&g, done, 10);

    /* commit of the active layer with pivot: back on top, snap1 left on disk */
    progress_init(&p, "vda");
    opts = job_opts(&p, 0);
    assert_null(vdisk_job_opts_get_status(opts));
    if (vdisk_block_commit(g.dom, "vda", NULL, NULL, 0, opts, &err) < 0)
        fail_msg("vdisk_block_commit: %s", vdisk_error_get_message(err));
    expect_opts_status("active commit", opts, VDISK_JOB_ACTIVE_COMMIT, "done");
    vdisk_job_opts_free(opts);
    check_progress("active commit", &p, VDISK_JOB_ACTIVE_COMMIT, true);
    progress_clear(&p);
    expect_chain(g.dom, "vda", (const char *const[]){top, base, NULL}, NULL);
    assert_true(g_file_test(snap1, G_FILE_TEST_EXISTS));
    done = guest_wait_writes(&g, done, 10);

    /* copy with pivot: on copy1, which has the whole disk (no backing); the
     * callback asks vdisk_job_get() while the copy runs */
    progress_init(&p, "vda");
    p.dom = g.dom;
    opts = job_opts(&p, 0);
    if (vdisk_block_copy(g.dom, "vda", copy1, VDISK_FORMAT_NONE, 0, opts, &err) < 0)
        fail_msg("vdisk_block_copy: %s", vdisk_error_get_message(err));
    expect_opts_status("copy", opts, VDISK_JOB_COPY, "done");
    vdisk_job_opts_free(opts);
    check_progress("copy", &p, VDISK_JOB_COPY, true);
    print_message("copy: vdisk_job_get from the callback saw the job %u times\n", p.asked);
    progress_clear(&p);
    expect_chain(g.dom, "vda", (const char *const[]){copy1, NULL}, NULL);
    done = guest_wait_writes(&g, done, 10);

    /* copy without pivot: the call returns with the mirror ready; an abort
     * without pivot leaves the disk on copy1 */
    opts = job_opts(NULL, 0);
    if (vdisk_block_copy(g.dom, "vda", copy2, VDISK_FORMAT_NONE, VDISK_JOB_NO_PIVOT, opts, &err) <
        0)
        fail_msg("vdisk_block_copy NO_PIVOT: %s", vdisk_error_get_message(err));
    expect_opts_status("copy, no pivot", opts, VDISK_JOB_COPY, "ready");
    {
        vdisk_job_status *st = NULL;
        g_autofree char *m = NULL;
        g_autofree char *a = NULL;
        g_auto(GStrv) c = xml_chain(g.dom, "vda", 0, &m, &a);
        g_autoptr(GPtrArray) jobs = qemu_jobs(g.dom);
        g_autofree char *ready = NULL;

        if (vdisk_job_get(&st, g.dom, "vda", &err) < 0)
            fail_msg("vdisk_job_get: %s", vdisk_error_get_message(err));
        assert_non_null(st);
        assert_int_equal(vdisk_job_status_get_kind(st), VDISK_JOB_COPY);
        assert_true(vdisk_job_status_get_ready(st));
        assert_string_equal(vdisk_job_status_get_phase(st), "ready");
        assert_string_equal(vdisk_job_status_get_target(st), "vda");
        assert_true(vdisk_job_status_get_end(st) > 0);
        vdisk_job_status_free(st);
        /* libvirt: still on copy1, mirroring to copy2; QEMU: one ready mirror */
        assert_string_equal(c[0], copy1);
        assert_null(c[1]);
        if (!m || strcmp(m, copy2) != 0)
            fail_msg("the live <mirror> is on %s, expected %s", m ? m : "(none)", copy2);
        assert_int_equal(jobs->len, 1);
        ready = vd_qmp_member(jobs->pdata[0], "ready");
        assert_string_equal(ready, "true");
    }
    done = guest_wait_writes(&g, done, 10);
    if (vdisk_job_abort(g.dom, "vda", 0, opts, &err) < 0)
        fail_msg("vdisk_job_abort: %s", vdisk_error_get_message(err));
    vdisk_job_opts_free(opts);
    expect_chain(g.dom, "vda", (const char *const[]){copy1, NULL}, NULL);
    done = guest_wait_writes(&g, done, 10);

    /* snapshot again (no metadata), then pull: the overlay alone */
    {
        const char *targets[] = {"vda"};
        g_autofree char *ov = g_strdup_printf("vda=%s", snap2);
        const char *overlays[] = {ov};
        virDomainSnapshotPtr snap;

        if (vdisk_snapshot_create(g.dom, targets, 1, PREFIX "s2", overlays, 1,
                                  VDISK_SNAPSHOT_CREATE_NO_METADATA, NULL, NULL, &err) < 0)
            fail_msg("vdisk_snapshot_create: %s", vdisk_error_get_message(err));
        snap = virDomainSnapshotLookupByName(g.dom, PREFIX "s2", 0);
        if (snap)
            fail_msg("NO_METADATA: libvirt has the snapshot's metadata");
    }
    expect_chain(g.dom, "vda", (const char *const[]){snap2, copy1, NULL}, NULL);
    done = guest_wait_writes(&g, done, 10);
    progress_init(&p, "vda");
    opts = job_opts(&p, 0);
    if (vdisk_block_pull(g.dom, "vda", NULL, 0, opts, &err) < 0)
        fail_msg("vdisk_block_pull: %s", vdisk_error_get_message(err));
    expect_opts_status("pull", opts, VDISK_JOB_PULL, "done");
    vdisk_job_opts_free(opts);
    check_progress("pull", &p, VDISK_JOB_PULL, false);
    progress_clear(&p);
    expect_chain(g.dom, "vda", (const char *const[]){snap2, NULL}, NULL);
    done = guest_wait_writes(&g, done, 20);

    /* the end: every block reported written is in the last image */
    if (virDomainDestroy(g.dom) < 0)
        fail_msg("virDomainDestroy: %s", virGetLastErrorMessage());
    done = guest_last_written(&g, NULL);
    {
        const char *argv[] = {"qemu-img", "convert", "-f", "qcow2", "-O", "raw", snap2, raw, NULL};
        const char *info[] = {"qemu-img", "info", "--output=json", snap2, NULL};
        g_autofree char *out = run(info);

        /* standalone after the pull */
        if (strstr(out, "backing-filename"))
            fail_msg("%s still has a backing file: %s", snap2, out);
        g_free(run(argv));
    }
    assert_true(g_file_get_contents(raw, &data, &len, NULL));
    assert_int_equal(len, MAIN_SIZE + GROW);
    for (i = 0; i <= done; i++) {
        g_autofree char *want = g_strdup_printf("VDTEST-BLOCK %ld\n", i);

        if (memcmp(data + i * 4096, want, strlen(want)) != 0)
            fail_msg("block %ld, reported written, holds '%.16s' in the final image", i,
                     data + i * 4096);
    }
    /* the one after: being written when the domain went, or not at all */
    if ((done + 2) * 4096 <= (long)len) {
        g_autofree char *want = g_strdup_printf("VDTEST-BLOCK %ld\n", done + 1);
        const char *b = data + (done + 1) * 4096;

        if (b[0] && memcmp(b, want, strlen(want)) != 0)
            fail_msg("block %ld holds '%.16s'", done + 1, b);
    }
    print_message("main sequence: %ld blocks written, all in the final image\n", done + 1);
}

/* ---- failure cases ------------------------------------------------------------------ */

typedef struct {
    virDomainPtr dom;
    char *base;
    char *top;
    char *lone; /* vdb: no backing */
} bare;

static bare *
bare_start(const char *tag)
{
    bare *b = g_new0(bare, 1);
    g_autofree char *bn = g_strdup_printf("%s-base.qcow2", tag);
    g_autofree char *tn = g_strdup_printf("%s-top.qcow2", tag);
    g_autofree char *ln = g_strdup_printf("%s-lone.qcow2", tag);
    g_autofree char *d1 = NULL;
    g_autofree char *d2 = NULL;
    g_autofree char *devices = NULL;

    b->base = make_qcow2(bn, BARE_SIZE, NULL);
    fill(b->base, "0", DATA_TEXT, 0x5a);
    b->top = make_qcow2(tn, BARE_SIZE, b->base);
    fill(b->top, "1M", "64k", 0x6b);
    b->lone = make_qcow2(ln, "8M", NULL);
    d1 = disk_xml(b->top, "vda");
    d2 = disk_xml(b->lone, "vdb");
    devices = g_strconcat(d1, d2, NULL);
    b->dom = start_bare(devices);
    return b;
}

static void
bare_free(bare *b)
{
    g_free(b->base);
    g_free(b->top);
    g_free(b->lone);
    g_free(b);
}

/* Both disks as they were, no job on either. */
static void
bare_unchanged(const bare *b)
{
    expect_chain(b->dom, "vda", (const char *const[]){b->top, b->base, NULL},
                 (const char *const[]){b->lone, NULL});
    expect_chain(b->dom, "vdb", (const char *const[]){b->lone, NULL},
                 (const char *const[]){b->top, b->base, NULL});
}

static void
test_missing_target_is_not_found(void **state)
{
    bare *b = bare_start("missing");
    g_autofree char *dest = path_in("missing-copy.qcow2");
    vdisk_job_status *st = NULL;
    vdisk_error *err = NULL;
    const char *targets[] = {"vdz"};

    (void)state;
    expect_error("commit vdz", vdisk_block_commit(b->dom, "vdz", NULL, NULL, 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, "vdz", NULL);
    expect_error("pull vdz", vdisk_block_pull(b->dom, "vdz", NULL, 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, "vdz", NULL);
    expect_error("copy vdz", vdisk_block_copy(b->dom, "vdz", dest, 0, 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, "vdz", NULL);
    expect_error("resize vdz", vdisk_block_resize(b->dom, "vdz", "+1M", 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, "vdz", NULL);
    expect_error(
        "snapshot vdz",
        vdisk_snapshot_create(b->dom, targets, 1, PREFIX "missing", NULL, 0, 0, NULL, NULL, &err),
        &err, VDISK_ERR_NOT_FOUND, "vdz", NULL);
    expect_error("job_get vdz", vdisk_job_get(&st, b->dom, "vdz", &err), &err, VDISK_ERR_NOT_FOUND,
                 "vdz", NULL);
    expect_error("job_abort vdz", vdisk_job_abort(b->dom, "vdz", 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, "vdz", NULL);
    /* a disk that is there but runs no job */
    expect_error("job_abort vda", vdisk_job_abort(b->dom, "vda", 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, "vda", NULL);
    /* an image that is not in the chain */
    expect_error("commit top=elsewhere",
                 vdisk_block_commit(b->dom, "vda", b->lone, NULL, 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, b->lone, NULL);
    expect_error("commit base=elsewhere",
                 vdisk_block_commit(b->dom, "vda", NULL, b->lone, 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, b->lone, NULL);
    expect_error("commit base above top",
                 vdisk_block_commit(b->dom, "vda", b->base, b->top, 0, NULL, &err), &err,
                 VDISK_ERR_NOT_FOUND, b->top, NULL);
    expect_error("pull base=elsewhere", vdisk_block_pull(b->dom, "vda", b->lone, 0, NULL, &err),
                 &err, VDISK_ERR_NOT_FOUND, b->lone, NULL);
    /* arguments the calls cannot use */
    expect_error("copy onto its own image",
                 vdisk_block_copy(b->dom, "vda", b->top, VDISK_FORMAT_NONE, 0, NULL, &err), &err,
                 VDISK_ERR_INVALID_ARG, b->top, NULL);
    expect_error("copy to a relative path",
                 vdisk_block_copy(b->dom, "vda", "copy.qcow2", VDISK_FORMAT_NONE, 0, NULL, &err),
                 &err, VDISK_ERR_INVALID_ARG, "copy.qcow2", NULL);
    expect_error("pull with a pivot flag",
                 vdisk_block_pull(b->dom, "vda", NULL, VDISK_JOB_PIVOT, NULL, &err), &err,
                 VDISK_ERR_INVALID_ARG, NULL);
    expect_error("commit with a reuse flag",
                 vdisk_block_commit(b->dom, "vda", NULL, NULL, VDISK_JOB_REUSE, NULL, &err), &err,
                 VDISK_ERR_INVALID_ARG, NULL);
    assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
    bare_unchanged(b);
    bare_free(b);
}

static void
test_no_backing_is_invalid(void **state)
{
    bare *b = bare_start("lone");
    vdisk_error *err = NULL;

    (void)state;
    expect_error("commit vdb", vdisk_block_commit(b->dom, "vdb", NULL, NULL, 0, NULL, &err), &err,
                 VDISK_ERR_INVALID, "vdb", NULL);
    expect_error("pull vdb", vdisk_block_pull(b->dom, "vdb", NULL, 0, NULL, &err), &err,
                 VDISK_ERR_INVALID, "vdb", NULL);
    bare_unchanged(b);
    bare_free(b);
}

static void
test_existing_destination_is_refused(void **state)
{
    bare *b = bare_start("exists");
    g_autofree char *dest = make_qcow2("exists-dest.qcow2", "8M", NULL);
    g_autofree char *before = file_hash(dest);
    g_autofree char *after = NULL;
    vdisk_error *err = NULL;

    (void)state;
    expect_error("copy onto an existing file",
                 vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, 0, NULL, &err), &err,
                 VDISK_ERR_EXISTS, dest, NULL);
    /* the file is not the call's: left as it was */
    after = file_hash(dest);
    assert_non_null(after);
    assert_string_equal(before, after);
    bare_unchanged(b);
    bare_free(b);
}

/* A destination that cannot be written, or fills up: the copy fails, the
 * disk stays on its source, the destination is gone. */
static void
copy_fails(const char *tag, const char *dir)
{
    bare *b;

    if (remote) {
        print_message("%s: the place is a mount of this host's, not libvirtd's\n", tag);
        skip();
    }
    b = bare_start(tag);
    g_autofree char *dest = g_build_filename(dir, "copy.qcow2", NULL);
    vdisk_error *err = NULL;
    vdisk_job_opts *opts = job_opts(NULL, 0);
    int rc = vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, 0, opts, &err);
    vdisk_error_code code;

    vdisk_job_opts_free(opts);
    if (rc == 0)
        fail_msg("copy to %s succeeded", dest);
    code = vdisk_error_get_code(err);
    print_message("copy to %s: code %d (libvirt %d): %s\n", dest, code,
                  vdisk_error_get_libvirt_code(err), vdisk_error_get_message(err));
    /* refused before libvirt is asked, or libvirt's or the job's failure */
    if (code != VDISK_ERR_INVALID_ARG && code != VDISK_ERR_LIBVIRT && code != VDISK_ERR_SYSTEM)
        fail_msg("copy to %s: error code %d, expected invalid-argument, libvirt or system", dest,
                 code);
    if (!strstr(vdisk_error_get_message(err), dest))
        fail_msg("the message does not name %s: %s", dest, vdisk_error_get_message(err));
    if (!strstr(vdisk_error_get_message(err), "vda"))
        fail_msg("the message does not name vda: %s", vdisk_error_get_message(err));
    vdisk_error_free(err);
    bare_unchanged(b);
    if (g_file_test(dest, G_FILE_TEST_EXISTS))
        fail_msg("the destination %s is still there", dest);
    bare_free(b);
}

static void
test_copy_to_read_only_place_fails(void **state)
{
    (void)state;
    copy_fails("ro", rodir);
}

static void
test_copy_to_full_place_fails(void **state)
{
    (void)state;
    copy_fails("full", fulldir);
}

static void
test_second_job_is_refused(void **state)
{
    bare *b = bare_start("busy");
    g_autofree char *dest = path_in("busy-copy.qcow2");
    g_autofree char *dest2 = path_in("busy-copy2.qcow2");
    g_autofree char *snap = path_in("busy-snap.qcow2");
    g_autofree char *ov = g_strdup_printf("vda=%s", snap);
    const char *targets[] = {"vda"};
    const char *overlays[] = {ov};
    vdisk_job_opts *opts = vdisk_job_opts_new();
    vdisk_job_status *st = NULL;
    vdisk_error *err = NULL;

    (void)state;
    vdisk_job_opts_set_timeout(opts, 0);
    vdisk_job_opts_set_bandwidth(opts, SLOW_BPS);
    expect_error(
        "slow copy, timeout 0",
        vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, VDISK_JOB_NO_PIVOT, opts, &err),
        &err, VDISK_ERR_PENDING, "vda", NULL);
    if (vdisk_job_get(&st, b->dom, "vda", &err) < 0)
        fail_msg("vdisk_job_get: %s", vdisk_error_get_message(err));
    assert_non_null(st);
    assert_int_equal(vdisk_job_status_get_kind(st), VDISK_JOB_COPY);
    assert_false(vdisk_job_status_get_ready(st));
    vdisk_job_status_free(st);

    expect_error("second copy",
                 vdisk_block_copy(b->dom, "vda", dest2, VDISK_FORMAT_NONE, 0, NULL, &err), &err,
                 VDISK_ERR_EXISTS, "vda", "copy", NULL);
    expect_error("commit during a copy",
                 vdisk_block_commit(b->dom, "vda", NULL, NULL, 0, NULL, &err), &err,
                 VDISK_ERR_EXISTS, "vda", "copy", NULL);
    expect_error("pull during a copy", vdisk_block_pull(b->dom, "vda", NULL, 0, NULL, &err), &err,
                 VDISK_ERR_EXISTS, "vda", "copy", NULL);
    expect_error("snapshot during a copy",
                 vdisk_snapshot_create(b->dom, targets, 1, PREFIX "busy", overlays, 1,
                                       VDISK_SNAPSHOT_CREATE_NO_METADATA, NULL, NULL, &err),
                 &err, VDISK_ERR_EXISTS, "vda", NULL);
    assert_false(g_file_test(dest2, G_FILE_TEST_EXISTS));
    {
        /* the first job runs on, unharmed, still mirroring to dest */
        g_autofree char *m = NULL;
        g_auto(GStrv) c = xml_chain(b->dom, "vda", 0, &m, NULL);
        g_autoptr(GPtrArray) jobs = qemu_jobs(b->dom);

        assert_string_equal(c[0], b->top);
        assert_non_null(m);
        assert_string_equal(m, dest);
        assert_int_equal(jobs->len, 1);
    }
    vdisk_job_opts_set_timeout(opts, JOB_TIMEOUT_MS);
    if (vdisk_job_abort(b->dom, "vda", 0, opts, &err) < 0)
        fail_msg("vdisk_job_abort: %s", vdisk_error_get_message(err));
    vdisk_job_opts_free(opts);
    bare_unchanged(b);
    bare_free(b);
}

static gpointer
cancel_later(gpointer opts)
{
    g_usleep(1500 * 1000);
    vdisk_job_opts_cancel(opts);
    return NULL;
}

/* Cancelled during a slow copy (from another thread, or by the progress
 * callback's return): VDISK_ERR_CANCELLED, the disk on its source, no job,
 * the destination libvirt made for the call removed. */
static void
copy_cancelled(const char *tag, bool from_thread)
{
    bare *b = bare_start(tag);
    g_autofree char *dest = g_strdup_printf("%s/%s-copy.qcow2", imgdir, tag);
    progress p;
    vdisk_job_opts *opts;
    GThread *t = NULL;
    vdisk_error *err = NULL;
    gint64 t0;
    gint64 median;
    int rc;

    progress_init(&p, "vda");
    /* about 1.5 s of calls at most every 250 ms */
    if (!from_thread)
        p.cancel_at = 6;
    /* and the callback looks at the job through the library meanwhile */
    p.dom = b->dom;
    opts = job_opts(&p, SLOW_BPS);
    if (from_thread)
        t = g_thread_new("cancel", cancel_later, opts);
    t0 = g_get_monotonic_time();
    rc = vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, 0, opts, &err);
    if (t)
        g_thread_join(t);
    print_message("%s: returned after %lld ms\n", tag,
                  (long long)((g_get_monotonic_time() - t0) / 1000));
    {
        g_autofree char *phases = progress_phases(&p);

        print_message("%s: %u progress calls, phases %s\n", tag, p.calls, phases);
    }
    expect_error(tag, rc, &err, VDISK_ERR_CANCELLED, "vda", NULL);
    expect_opts_status(tag, opts, VDISK_JOB_COPY, "aborting");
    if (p.other_thread)
        fail_msg("%s: the progress callback ran in another thread than the call's", tag);
    if (!p.asked)
        fail_msg("%s: vdisk_job_get from the callback never saw the copy", tag);
    p.dom = NULL;
    bare_unchanged(b);
    /* on a remote connection the library cannot remove libvirt's files */
    if (remote)
        g_unlink(dest);
    else if (g_file_test(dest, G_FILE_TEST_EXISTS))
        fail_msg("the destination %s is still there", dest);
    /* still cancelled: the next call is cancelled before it starts a job */
    rc = vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, 0, opts, &err);
    expect_error("a call with cancelled options", rc, &err, VDISK_ERR_CANCELLED, "vda", NULL);
    bare_unchanged(b);
    if (g_file_test(dest, G_FILE_TEST_EXISTS))
        fail_msg("the destination %s was made for a cancelled call", dest);
    /* the options work again once reset */
    vdisk_job_opts_reset(opts);
    vdisk_job_opts_set_bandwidth(opts, 0);
    p.cancel_at = 0;
    print_message("%s: longest gap between progress calls %lld ms\n", tag,
                  (long long)(p.max_gap_us / 1000));
    median = ticks_median(&p);
    /* no call missed altogether (the 250 ms are checked last) */
    if (p.max_gap_us > 500 * 1000)
        fail_msg("%s: %lld ms without a progress call", tag, (long long)(p.max_gap_us / 1000));
    if (vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, 0, opts, &err) < 0)
        fail_msg("copy after reset: %s", vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){dest, NULL},
                 (const char *const[]){b->lone, NULL});
    vdisk_job_opts_free(opts);
    progress_clear(&p);
    check_ticks(tag, median);
    bare_free(b);
}

static void
test_cancel_from_another_thread(void **state)
{
    (void)state;
    copy_cancelled("cancel-thread", true);
}

static void
test_cancel_from_the_callback(void **state)
{
    (void)state;
    copy_cancelled("cancel-callback", false);
}

/* libvirt's index of @path in @target's live chain ("vda[N]"), -1: none. */
static int
chain_index(virDomainPtr dom, const char *target, const char *path)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
    g_autofree char *expr = g_strdup_printf(
        "string((//devices/disk[target/@dev='%s']/source[@file='%s']/@index |"
        " //devices/disk[target/@dev='%s']//backingStore[source/@file='%s']/@index)[1])",
        target, path, target, path);
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr obj;
    int index = -1;

    assert_non_null(xml);
    assert_non_null(doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET));
    ctx = xmlXPathNewContext(doc);
    obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (obj && obj->stringval && *obj->stringval)
        index = atoi((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return index;
}

static void
snapshot_one(virDomainPtr dom, const char *target, const char *overlay)
{
    const char *targets[] = {target};
    g_autofree char *ov = g_strdup_printf("%s=%s", target, overlay);
    const char *overlays[] = {ov};
    vdisk_error *err = NULL;

    if (vdisk_snapshot_create(dom, targets, 1, NULL, overlays, 1, VDISK_SNAPSHOT_CREATE_NO_METADATA,
                              NULL, NULL, &err) < 0)
        fail_msg("vdisk_snapshot_create %s: %s", overlay, vdisk_error_get_message(err));
}

/* The job on @target is a ready mirror of @kind, as vdisk_job_get() and
 * QEMU say. */
static void
expect_ready_job(virDomainPtr dom, const char *target, vdisk_job_kind kind)
{
    vdisk_job_status *st = NULL;
    vdisk_error *err = NULL;
    g_autoptr(GPtrArray) jobs = qemu_jobs(dom);
    g_autofree char *ready = NULL;

    if (vdisk_job_get(&st, dom, target, &err) < 0)
        fail_msg("vdisk_job_get: %s", vdisk_error_get_message(err));
    assert_non_null(st);
    if (vdisk_job_status_get_kind(st) != kind)
        fail_msg("vdisk_job_get: a %s job, expected %s",
                 vdisk_job_kind_name(vdisk_job_status_get_kind(st)), vdisk_job_kind_name(kind));
    assert_true(vdisk_job_status_get_ready(st));
    assert_string_equal(vdisk_job_status_get_phase(st), "ready");
    vdisk_job_status_free(st);
    assert_int_equal(jobs->len, 1);
    ready = vd_qmp_member(jobs->pdata[0], "ready");
    assert_string_equal(ready, "true");
}

/* Commit of an image below the top (by path and by "vda[N]"), a pull down
 * to a base, and an active commit kept ready and then pivoted by
 * vdisk_job_abort(). */
static void
test_commit_below_top_pull_to_base_and_pivot_later(void **state)
{
    bare *b = bare_start("chain");
    g_autofree char *s1 = path_in("chain-s1.qcow2");
    g_autofree char *s2 = path_in("chain-s2.qcow2");
    g_autofree char *s3 = path_in("chain-s3.qcow2");
    g_autofree char *s4 = path_in("chain-s4.qcow2");
    const char *const lone[] = {NULL, NULL};
    g_autofree char *top_spec = NULL;
    g_autofree char *base_spec = NULL;
    vdisk_job_opts *opts;
    vdisk_error *err = NULL;
    progress p;

    (void)state;
    ((const char **)lone)[0] = b->lone;
    snapshot_one(b->dom, "vda", s1);
    expect_chain(b->dom, "vda", (const char *const[]){s1, b->top, b->base, NULL}, lone);

    /* the middle image, by its path: merged into the base */
    progress_init(&p, "vda");
    opts = job_opts(&p, 0);
    if (vdisk_block_commit(b->dom, "vda", b->top, NULL, 0, opts, &err) < 0)
        fail_msg("commit of %s: %s", b->top, vdisk_error_get_message(err));
    check_progress("commit below the top", &p, VDISK_JOB_COMMIT, false);
    expect_chain(b->dom, "vda", (const char *const[]){s1, b->base, NULL}, lone);

    /* libvirt's vda[N] notation for top and base */
    snapshot_one(b->dom, "vda", s2);
    expect_chain(b->dom, "vda", (const char *const[]){s2, s1, b->base, NULL}, lone);
    top_spec = g_strdup_printf("vda[%d]", chain_index(b->dom, "vda", s1));
    base_spec = g_strdup_printf("vda[%d]", chain_index(b->dom, "vda", b->base));
    print_message("commit %s into %s\n", top_spec, base_spec);
    if (vdisk_block_commit(b->dom, "vda", top_spec, base_spec, 0, opts, &err) < 0)
        fail_msg("commit of %s: %s", top_spec, vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){s2, b->base, NULL}, lone);

    /* a pull that keeps the base */
    snapshot_one(b->dom, "vda", s3);
    expect_chain(b->dom, "vda", (const char *const[]){s3, s2, b->base, NULL}, lone);
    if (vdisk_block_pull(b->dom, "vda", b->base, 0, opts, &err) < 0)
        fail_msg("pull down to %s: %s", b->base, vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){s3, b->base, NULL}, lone);

    /* an active commit kept ready, then pivoted onto the base */
    if (vdisk_block_commit(b->dom, "vda", NULL, NULL, VDISK_JOB_NO_PIVOT, opts, &err) < 0)
        fail_msg("active commit, no pivot: %s", vdisk_error_get_message(err));
    expect_ready_job(b->dom, "vda", VDISK_JOB_ACTIVE_COMMIT);
    if (vdisk_job_abort(b->dom, "vda", VDISK_JOB_PIVOT, opts, &err) < 0)
        fail_msg("vdisk_job_abort PIVOT: %s", vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){b->base, NULL}, lone);

    /* kept ready, then abandoned: the disk stays on its top */
    snapshot_one(b->dom, "vda", s4);
    if (vdisk_block_commit(b->dom, "vda", NULL, NULL, VDISK_JOB_NO_PIVOT, opts, &err) < 0)
        fail_msg("active commit, no pivot: %s", vdisk_error_get_message(err));
    expect_ready_job(b->dom, "vda", VDISK_JOB_ACTIVE_COMMIT);
    if (vdisk_job_abort(b->dom, "vda", 0, opts, &err) < 0)
        fail_msg("vdisk_job_abort: %s", vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){s4, b->base, NULL}, lone);
    vdisk_job_opts_free(opts);
    progress_clear(&p);
    bare_free(b);
}

/* A shallow copy keeps the backing; a copy onto an image made beforehand
 * (REUSE); a copy kept ready and pivoted later by vdisk_job_abort(). */
static void
test_shallow_reuse_and_pivot_later(void **state)
{
    bare *b = bare_start("shallow");
    g_autofree char *sh = path_in("shallow-copy.qcow2");
    g_autofree char *mine = NULL;
    g_autofree char *full = path_in("shallow-full.qcow2");
    const char *const lone[] = {NULL, NULL};
    vdisk_job_opts *opts = job_opts(NULL, 0);
    vdisk_error *err = NULL;

    (void)state;
    ((const char **)lone)[0] = b->lone;
    if (vdisk_block_copy(b->dom, "vda", sh, VDISK_FORMAT_NONE, VDISK_JOB_SHALLOW, opts, &err) < 0)
        fail_msg("shallow copy: %s", vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){sh, b->base, NULL}, lone);

    /* an image of our own, on the same backing: used as it is */
    mine = make_qcow2("shallow-mine.qcow2", BARE_SIZE, b->base);
    if (vdisk_block_copy(b->dom, "vda", mine, VDISK_FORMAT_QCOW2,
                         VDISK_JOB_SHALLOW | VDISK_JOB_REUSE, opts, &err) < 0)
        fail_msg("shallow copy onto an existing image: %s", vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){mine, b->base, NULL}, lone);

    /* kept ready, then pivoted */
    if (vdisk_block_copy(b->dom, "vda", full, VDISK_FORMAT_NONE, VDISK_JOB_NO_PIVOT, opts, &err) <
        0)
        fail_msg("copy, no pivot: %s", vdisk_error_get_message(err));
    expect_ready_job(b->dom, "vda", VDISK_JOB_COPY);
    if (vdisk_job_abort(b->dom, "vda", VDISK_JOB_PIVOT, opts, &err) < 0)
        fail_msg("vdisk_job_abort PIVOT: %s", vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){full, NULL}, lone);
    vdisk_job_opts_free(opts);
    bare_free(b);
}

/* A pivot asked for a mirror that is not ready waits for it within the
 * options' timeout, and then says the job still runs: nothing changed;
 * given the time, it pivots once the mirror is ready. */
static void
test_pivot_of_an_unready_mirror_times_out(void **state)
{
    bare *b = bare_start("unready");
    g_autofree char *dest = path_in("unready-copy.qcow2");
    vdisk_job_opts *opts = job_opts(NULL, SLOW_BPS);
    vdisk_error *err = NULL;
    gint64 t0;
    int rc;

    (void)state;
    vdisk_job_opts_set_timeout(opts, 0);
    rc = vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, VDISK_JOB_NO_PIVOT, opts, &err);
    expect_error("slow copy, timeout 0", rc, &err, VDISK_ERR_PENDING, "vda", NULL);
    vdisk_job_opts_set_timeout(opts, 2000);
    t0 = g_get_monotonic_time();
    rc = vdisk_job_abort(b->dom, "vda", VDISK_JOB_PIVOT, opts, &err);
    print_message("pivot of an unready mirror: after %lld ms\n",
                  (long long)((g_get_monotonic_time() - t0) / 1000));
    expect_error("pivot of an unready mirror", rc, &err, VDISK_ERR_PENDING, "vda", NULL);
    {
        g_autofree char *m = NULL;
        g_auto(GStrv) c = xml_chain(b->dom, "vda", 0, &m, NULL);

        assert_string_equal(c[0], b->top);
        if (!m || strcmp(m, dest) != 0)
            fail_msg("the copy to %s no longer runs", dest);
    }
    vdisk_job_opts_set_timeout(opts, JOB_TIMEOUT_MS);
    if (vdisk_job_abort(b->dom, "vda", 0, opts, &err) < 0)
        fail_msg("vdisk_job_abort: %s", vdisk_error_get_message(err));
    bare_unchanged(b);

    /* given the time, the pivot waits for the mirror to be ready */
    {
        g_autofree char *dest2 = path_in("unready-copy2.qcow2");

        vdisk_job_opts_set_bandwidth(opts, 8 * 1024 * 1024);
        vdisk_job_opts_set_timeout(opts, 0);
        rc = vdisk_block_copy(b->dom, "vda", dest2, VDISK_FORMAT_NONE, VDISK_JOB_NO_PIVOT, opts,
                              &err);
        expect_error("copy at 8 MiB/s, timeout 0", rc, &err, VDISK_ERR_PENDING, "vda", NULL);
        vdisk_job_opts_set_timeout(opts, JOB_TIMEOUT_MS);
        t0 = g_get_monotonic_time();
        if (vdisk_job_abort(b->dom, "vda", VDISK_JOB_PIVOT, opts, &err) < 0)
            fail_msg("pivot once ready: %s", vdisk_error_get_message(err));
        print_message("pivot once ready: after %lld ms\n",
                      (long long)((g_get_monotonic_time() - t0) / 1000));
        expect_chain(b->dom, "vda", (const char *const[]){dest2, NULL},
                     (const char *const[]){b->lone, NULL});
    }
    vdisk_job_opts_free(opts);
    bare_free(b);
}

/* Writes @len of @pattern at 0 into the disk of @alias through QEMU (HMP
 * qemu-io on the device: the active layer of a running domain). */
static void
qemu_write(virDomainPtr dom, const char *alias, const char *len, int pattern)
{
    g_autofree char *cmd =
        g_strdup_printf("qemu-io -d /machine/peripheral/%s/virtio-backend \"write -P %d 0 %s\"",
                        alias, pattern, len);
    char *out = NULL;

    if (virDomainQemuMonitorCommand(dom, cmd, &out, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0)
        fail_msg("HMP %s: %s", cmd, virGetLastErrorMessage());
    if (out && strstr(out, "rror"))
        fail_msg("HMP %s: %s", cmd, out);
    free(out);
}

/* An active commit with data to move, cancelled from its callback: the
 * disk stays on its top image. */
static void
test_cancel_active_commit(void **state)
{
    bare *b = bare_start("cancel-commit");
    g_autofree char *alias = NULL;
    g_auto(GStrv) chain = xml_chain(b->dom, "vda", 0, NULL, &alias);
    progress p;
    vdisk_job_opts *opts;
    vdisk_error *err = NULL;
    g_autofree char *phases = NULL;
    gint64 median;
    int rc;

    (void)state;
    /* more than a burst in the active layer, so that the commit is slow */
    qemu_write(b->dom, alias, DATA_TEXT, 0x7c);
    progress_init(&p, "vda");
    p.cancel_at = 6;
    opts = job_opts(&p, SLOW_BPS);
    rc = vdisk_block_commit(b->dom, "vda", NULL, NULL, 0, opts, &err);
    phases = progress_phases(&p);
    print_message("cancelled active commit: %u progress calls, phases %s\n", p.calls, phases);
    expect_error("cancelled active commit", rc, &err, VDISK_ERR_CANCELLED, "vda", NULL);
    expect_opts_status("cancelled active commit", opts, VDISK_JOB_ACTIVE_COMMIT, "aborting");
    bare_unchanged(b);
    vdisk_job_opts_free(opts);
    median = ticks_median(&p);
    progress_clear(&p);
    bare_free(b);
    check_ticks("cancelled active commit", median);
}

/* Resize refusals on a running domain; a stopped domain's image resized
 * in place, and refused while another running domain uses it. */
static void
test_resize_refusals_and_stopped_domains(void **state)
{
    bare *b = bare_start("resize");
    g_autofree char *img = make_qcow2("resize-stopped.qcow2", "8M", NULL);
    g_autofree char *name = domain_name("stopped");
    g_autofree char *d1 = disk_xml(img, "vda");
    g_autofree char *xml = g_strdup_printf(DOMAIN_TEMPLATE, name, 64, "", d1);
    g_autofree char *xml2 = NULL;
    g_autofree char *name2 = domain_name("stopped");
    g_autofree char *d2 = disk_xml(b->lone, "vda");
    virDomainPtr stopped;
    virDomainPtr other;
    unsigned long long size = 0;
    vdisk_error *err = NULL;
    int rc;

    (void)state;
    rc = vdisk_block_resize(b->dom, "vdb", "4M", 0, NULL, &err);
    expect_error("shrink without the flag", rc, &err, VDISK_ERR_INVALID_ARG, "vdb", NULL);
    rc = vdisk_block_resize(b->dom, "vdb", "8M", 0, NULL, &err);
    expect_error("the same size", rc, &err, VDISK_ERR_INVALID_ARG, "vdb", NULL);
    rc = vdisk_block_resize(b->dom, "vdb", "+1Q", 0, NULL, &err);
    expect_error("not a size", rc, &err, VDISK_ERR_INVALID_ARG, "+1Q", NULL);
    if (vdisk_block_resize(b->dom, "vdb", "12M", 0, &size, &err) < 0)
        fail_msg("resize to 12M: %s", vdisk_error_get_message(err));
    assert_int_equal(size, 12 * 1024 * 1024);
    {
        g_autofree char *alias = NULL;
        g_auto(GStrv) c = xml_chain(b->dom, "vdb", 0, NULL, &alias);
        unsigned long long q = 0;
        g_auto(GStrv) qc = qemu_chain(b->dom, alias, &q);

        assert_int_equal(q, 12 * 1024 * 1024);
    }
    /* libvirt rounds a qcow2 image's size up to 512 bytes */
    if (vdisk_block_resize(b->dom, "vdb", "+1000", 0, &size, &err) < 0)
        fail_msg("resize by 1000 bytes: %s", vdisk_error_get_message(err));
    {
        g_autofree char *alias = NULL;
        g_auto(GStrv) c = xml_chain(b->dom, "vdb", 0, NULL, &alias);
        unsigned long long q = 0;
        g_auto(GStrv) qc = qemu_chain(b->dom, alias, &q);

        print_message("resize by 1000 bytes: the call says %llu, QEMU %llu\n", size, q);
        assert_int_equal(q, 12 * 1024 * 1024 + 1024);
        assert_int_equal(size, q);
    }
    rc = vdisk_block_resize(b->dom, "vdb", "-100M", VDISK_RESIZE_SHRINK, NULL, &err);
    expect_error("shrink below nothing", rc, &err, VDISK_ERR_INVALID_ARG, "vdb", NULL);

    /* stopped: the image itself */
    assert_non_null(stopped = virDomainDefineXML(conn, xml));
    g_ptr_array_add(domains, stopped);
    if (remote) {
        /* a file in no pool of the remote host: refused, left as it is */
        rc = vdisk_block_resize(stopped, "vda", "+1M", 0, &size, &err);
        expect_error("resize of a remote stopped domain's file", rc, &err, VDISK_ERR_UNSUPPORTED,
                     "vda", NULL);
        bare_free(b);
        return;
    }
    if (vdisk_block_resize(stopped, "vda", "+1M", 0, &size, &err) < 0)
        fail_msg("resize of a stopped domain's disk: %s", vdisk_error_get_message(err));
    assert_int_equal(size, 9 * 1024 * 1024);
    {
        const char *argv[] = {"qemu-img", "info", "--output=json", img, NULL};
        g_autofree char *out = run(argv);

        if (!strstr(out, "\"virtual-size\": 9437184"))
            fail_msg("qemu-img info after the resize: %s", out);
    }
    /* a stopped domain whose image the running one uses */
    xml2 = g_strdup_printf(DOMAIN_TEMPLATE, name2, 64, "", d2);
    assert_non_null(other = virDomainDefineXML(conn, xml2));
    g_ptr_array_add(domains, other);
    rc = vdisk_block_resize(other, "vda", "+1M", 0, NULL, &err);
    expect_error("resize of an image a running domain uses", rc, &err, VDISK_ERR_EXISTS,
                 virDomainGetName(b->dom), NULL);
    bare_free(b);
}

/* Snapshots: all or none (an overlay in the way refuses both disks), a
 * reused overlay, libvirt's overlay names for every writable disk, a
 * read-only disk refused; and job calls on a domain that does not run. */
static void
test_snapshot_all_or_none_and_stopped_domains(void **state)
{
    bare *b = bare_start("snap");
    g_autofree char *ova = path_in("snap-a.qcow2");
    g_autofree char *taken = make_qcow2("snap-taken.qcow2", "8M", NULL);
    g_autofree char *reused = NULL;
    g_autofree char *oa = g_strdup_printf("vda=%s", ova);
    g_autofree char *ob = g_strdup_printf("vdb=%s", taken);
    const char *targets[] = {"vda", "vdb"};
    const char *overlays[] = {oa, ob};
    g_autofree char *report = NULL;
    g_autofree char *name_out = NULL;
    g_autofree char *top_named = NULL;
    g_autofree char *lone_named = NULL;
    g_autofree char *ro = make_qcow2("snap-ro.qcow2", "8M", NULL);
    g_autofree char *iso = make_qcow2("snap-cd.img", "1M", NULL);
    g_autofree char *rw = make_qcow2("snap-rw.qcow2", "8M", NULL);
    g_autofree char *ro_disk =
        g_strdup_printf("    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                        "<source file='%s'/><target dev='vdc' bus='virtio'/><readonly/></disk>\n"
                        "    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                        "<source file='%s'/><target dev='hdc' bus='ide'/><readonly/></disk>\n"
                        "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                        "<source file='%s'/><target dev='vdd' bus='virtio'/></disk>\n",
                        ro, iso, rw);
    vdisk_job_status *st = NULL;
    virDomainPtr rodom;
    vdisk_error *err = NULL;
    int rc;

    (void)state;
    /* vdb's overlay exists: neither disk gets one */
    rc = vdisk_snapshot_create(b->dom, targets, 2, NULL, overlays, 2,
                               VDISK_SNAPSHOT_CREATE_NO_METADATA, NULL, NULL, &err);
    expect_error("snapshot onto an existing overlay", rc, &err, VDISK_ERR_EXISTS, "vdb", taken,
                 NULL);
    bare_unchanged(b);
    assert_false(g_file_test(ova, G_FILE_TEST_EXISTS));

    /* REUSE: vdb's overlay made beforehand over its image */
    reused = make_qcow2("snap-reused.qcow2", "8M", b->lone);
    g_free(ob);
    ob = g_strdup_printf("vdb=%s", reused);
    overlays[1] = ob;
    {
        g_autofree char *pre_a = make_qcow2("snap-a.qcow2", BARE_SIZE, b->top);

        if (vdisk_snapshot_create(b->dom, targets, 2, NULL, overlays, 2,
                                  VDISK_SNAPSHOT_CREATE_NO_METADATA | VDISK_SNAPSHOT_CREATE_REUSE,
                                  NULL, NULL, &err) < 0)
            fail_msg("snapshot with reused overlays: %s", vdisk_error_get_message(err));
    }
    expect_chain(b->dom, "vda", (const char *const[]){ova, b->top, b->base, NULL},
                 (const char *const[]){reused, b->lone, NULL});
    expect_chain(b->dom, "vdb", (const char *const[]){reused, b->lone, NULL},
                 (const char *const[]){ova, b->top, b->base, NULL});

    /* every writable disk, libvirt's overlay names: IMAGE-without-suffix.NAME */
    if (vdisk_snapshot_create(b->dom, NULL, 0, PREFIX "all", NULL, 0, 0, &name_out, &report, &err) <
        0)
        fail_msg("snapshot of every disk: %s", vdisk_error_get_message(err));
    assert_string_equal(name_out, PREFIX "all");
    top_named = path_in("snap-a." PREFIX "all");
    lone_named = path_in("snap-reused." PREFIX "all");
    print_message("snapshot of every disk: report '%s'\n", report);
    {
        g_autofree char *la = g_strdup_printf("vda %s", top_named);
        g_autofree char *lb = g_strdup_printf("vdb %s", lone_named);

        if (!report || !strstr(report, la) || !strstr(report, lb))
            fail_msg("the report '%s' lacks '%s' or '%s'", report ? report : "(none)", la, lb);
    }
    expect_chain(b->dom, "vda", (const char *const[]){top_named, ova, b->top, b->base, NULL},
                 (const char *const[]){lone_named, reused, b->lone, NULL});

    /* no name: libvirt's (the time in seconds), in the overlay's name too */
    {
        const char *t[] = {"vdb"};
        g_autofree char *n = NULL;
        g_autofree char *r = NULL;
        g_autofree char *want = NULL;
        g_auto(GStrv) c = NULL;

        if (vdisk_snapshot_create(b->dom, t, 1, NULL, NULL, 0, 0, &n, &r, &err) < 0)
            fail_msg("snapshot without a name: %s", vdisk_error_get_message(err));
        assert_non_null(n);
        if (!*n || strspn(n, "0123456789") != strlen(n))
            fail_msg("libvirt's snapshot name is '%s', not a time in seconds", n);
        want = g_strdup_printf("%s/snap-reused.%s", imgdir, n);
        c = xml_chain(b->dom, "vdb", 0, NULL, NULL);
        assert_string_equal(c[0], want);
        assert_string_equal(c[1], lone_named);
        if (!r || !strstr(r, want))
            fail_msg("the report '%s' lacks %s", r ? r : "(none)", want);
    }

    /* a read-only disk has no overlay; with no targets it is left out */
    rodom = start_bare(ro_disk);
    {
        const char *t[] = {"vdc"};

        rc = vdisk_snapshot_create(rodom, t, 1, NULL, NULL, 0, VDISK_SNAPSHOT_CREATE_NO_METADATA,
                                   NULL, NULL, &err);
        expect_error("snapshot of a read-only disk", rc, &err, VDISK_ERR_INVALID, "vdc", NULL);
        rc = vdisk_block_resize(rodom, "vdc", "+1M", 0, NULL, &err);
        expect_error("resize of a read-only disk", rc, &err, VDISK_ERR_INVALID, "vdc", NULL);
        t[0] = "hdc";
        rc = vdisk_snapshot_create(rodom, t, 1, NULL, NULL, 0, VDISK_SNAPSHOT_CREATE_NO_METADATA,
                                   NULL, NULL, &err);
        expect_error("snapshot of a cdrom", rc, &err, VDISK_ERR_INVALID, "hdc", NULL);
        rc = vdisk_block_resize(rodom, "hdc", "+1M", 0, NULL, &err);
        expect_error("resize of a cdrom", rc, &err, VDISK_ERR_INVALID, "hdc", NULL);
    }
    /* every disk: only the writable one gets an overlay */
    {
        g_autofree char *r = NULL;
        g_autofree char *want = path_in("snap-rw." PREFIX "some");
        g_auto(GStrv) c = NULL;

        if (vdisk_snapshot_create(rodom, NULL, 0, PREFIX "some", NULL, 0,
                                  VDISK_SNAPSHOT_CREATE_NO_METADATA, NULL, &r, &err) < 0)
            fail_msg("snapshot of every disk beside read-only ones: %s",
                     vdisk_error_get_message(err));
        print_message("snapshot of every disk beside read-only ones: '%s'\n", r);
        if (!r || strstr(r, "vdc") || strstr(r, "hdc") || !strstr(r, want))
            fail_msg("the report '%s' is not just vdd's %s", r ? r : "(none)", want);
        c = xml_chain(rodom, "vdd", 0, NULL, NULL);
        assert_string_equal(c[0], want);
        g_strfreev(c);
        c = xml_chain(rodom, "vdc", 0, NULL, NULL);
        assert_string_equal(c[0], ro);
    }

    /* a domain that does not run */
    {
        g_autofree char *img = make_qcow2("snap-stopped.qcow2", "8M", NULL);
        g_autofree char *name = domain_name("stopped");
        g_autofree char *d = disk_xml(img, "vda");
        g_autofree char *xml = g_strdup_printf(DOMAIN_TEMPLATE, name, 64, "", d);
        g_autofree char *dest = path_in("snap-never.qcow2");
        virDomainPtr stopped = virDomainDefineXML(conn, xml);

        assert_non_null(stopped);
        g_ptr_array_add(domains, stopped);
        rc = vdisk_job_get(&st, stopped, "vda", &err);
        expect_error("job_get on a stopped domain", rc, &err, VDISK_ERR_INVALID_ARG, NULL);
        rc = vdisk_block_commit(stopped, "vda", NULL, NULL, 0, NULL, &err);
        expect_error("commit on a stopped domain", rc, &err, VDISK_ERR_INVALID_ARG, NULL);
        rc = vdisk_block_copy(stopped, "vda", dest, 0, 0, NULL, &err);
        expect_error("copy on a stopped domain", rc, &err, VDISK_ERR_INVALID_ARG, NULL);
        rc = vdisk_job_abort(stopped, "vda", 0, NULL, &err);
        expect_error("abort on a stopped domain", rc, &err, VDISK_ERR_INVALID_ARG, NULL);
        assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
    }
    bare_free(b);
}

/* Jobs without a mirror left running (timeout 0) and aborted: a slow pull
 * and a slow commit below the top; a pivot asked of them is refused. */
static void
test_pending_pull_and_commit_aborted(void **state)
{
    bare *b = bare_start("pending");
    g_autofree char *s1 = path_in("pending-s1.qcow2");
    const char *const lone[] = {NULL, NULL};
    vdisk_job_opts *opts = job_opts(NULL, SLOW_BPS);
    vdisk_job_status *st = NULL;
    vdisk_error *err = NULL;
    int rc;

    (void)state;
    ((const char **)lone)[0] = b->lone;
    vdisk_job_opts_set_timeout(opts, 0);
    /* the pull streams the base's 32 MiB into the top, slowly */
    rc = vdisk_block_pull(b->dom, "vda", NULL, 0, opts, &err);
    expect_error("slow pull, timeout 0", rc, &err, VDISK_ERR_PENDING, "vda", NULL);
    expect_opts_status("slow pull, timeout 0", opts, VDISK_JOB_PULL, "running");
    if (vdisk_job_get(&st, b->dom, "vda", &err) < 0)
        fail_msg("vdisk_job_get: %s", vdisk_error_get_message(err));
    assert_non_null(st);
    assert_int_equal(vdisk_job_status_get_kind(st), VDISK_JOB_PULL);
    assert_false(vdisk_job_status_get_ready(st));
    vdisk_job_status_free(st);
    rc = vdisk_job_abort(b->dom, "vda", VDISK_JOB_PIVOT, NULL, &err);
    expect_error("pivot of a pull", rc, &err, VDISK_ERR_INVALID, "vda", NULL);
    if (vdisk_job_abort(b->dom, "vda", 0, NULL, &err) < 0)
        fail_msg("abort of the pull: %s", vdisk_error_get_message(err));
    bare_unchanged(b);

    /* a commit below the top with data to move: the top filled through
     * QEMU, then an overlay put over it */
    {
        g_autofree char *alias = NULL;
        g_auto(GStrv) c = xml_chain(b->dom, "vda", 0, NULL, &alias);

        qemu_write(b->dom, alias, DATA_TEXT, 0x3d);
    }
    snapshot_one(b->dom, "vda", s1);
    rc = vdisk_block_commit(b->dom, "vda", b->top, NULL, 0, opts, &err);
    expect_error("slow commit below the top, timeout 0", rc, &err, VDISK_ERR_PENDING, "vda", NULL);
    if (vdisk_job_get(&st, b->dom, "vda", &err) < 0)
        fail_msg("vdisk_job_get: %s", vdisk_error_get_message(err));
    assert_non_null(st);
    assert_int_equal(vdisk_job_status_get_kind(st), VDISK_JOB_COMMIT);
    vdisk_job_status_free(st);
    if (vdisk_job_abort(b->dom, "vda", 0, NULL, &err) < 0)
        fail_msg("abort of the commit: %s", vdisk_error_get_message(err));
    expect_chain(b->dom, "vda", (const char *const[]){s1, b->top, b->base, NULL}, lone);
    vdisk_job_opts_free(opts);
    bare_free(b);
}

/* Jobs back to back with no pause: each starts while libvirt may still
 * tear the last one down. */
static void
test_jobs_back_to_back(void **state)
{
    bare *b = bare_start("b2b");
    const char *const lone[] = {NULL, NULL};
    vdisk_job_opts *opts = job_opts(NULL, 0);
    vdisk_error *err = NULL;
    int i;

    (void)state;
    ((const char **)lone)[0] = b->lone;
    for (i = 0; i < 4; i++) {
        g_autofree char *keep = g_strdup_printf("%s/b2b-keep-%d.qcow2", imgdir, i);
        g_autofree char *dest = g_strdup_printf("%s/b2b-copy-%d.qcow2", imgdir, i);
        g_autofree char *s1 = g_strdup_printf("%s/b2b-s-%d.qcow2", imgdir, i);
        g_autofree char *s2 = g_strdup_printf("%s/b2b-t-%d.qcow2", imgdir, i);

        if (vdisk_block_copy(b->dom, "vda", keep, VDISK_FORMAT_NONE, VDISK_JOB_NO_PIVOT, opts,
                             &err) < 0)
            fail_msg("round %d: copy, no pivot: %s", i, vdisk_error_get_message(err));
        if (vdisk_job_abort(b->dom, "vda", 0, opts, &err) < 0)
            fail_msg("round %d: abort: %s", i, vdisk_error_get_message(err));
        if (vdisk_block_copy(b->dom, "vda", dest, VDISK_FORMAT_NONE, 0, opts, &err) < 0)
            fail_msg("round %d: copy after an abort: %s", i, vdisk_error_get_message(err));
        snapshot_one(b->dom, "vda", s1);
        if (vdisk_block_commit(b->dom, "vda", NULL, NULL, 0, opts, &err) < 0)
            fail_msg("round %d: active commit after a copy: %s", i, vdisk_error_get_message(err));
        snapshot_one(b->dom, "vda", s2);
        if (vdisk_block_pull(b->dom, "vda", NULL, 0, opts, &err) < 0)
            fail_msg("round %d: pull after a commit: %s", i, vdisk_error_get_message(err));
        expect_chain(b->dom, "vda", (const char *const[]){s2, NULL}, lone);
    }
    vdisk_job_opts_free(opts);
    bare_free(b);
}

/* A stopped domain's snapshot: libvirt makes the overlay, the definition
 * uses it. A live shrink, allowed. */
static void
test_stopped_snapshot_and_live_shrink(void **state)
{
    bare *b = bare_start("shrink");
    g_autofree char *img = make_qcow2("stopsnap.qcow2", "8M", NULL);
    g_autofree char *ov = path_in("stopsnap-s1.qcow2");
    g_autofree char *name = domain_name("stopped");
    g_autofree char *d = disk_xml(img, "vda");
    g_autofree char *xml = g_strdup_printf(DOMAIN_TEMPLATE, name, 64, "", d);
    virDomainPtr stopped = virDomainDefineXML(conn, xml);
    unsigned long long size = 0;
    vdisk_error *err = NULL;

    (void)state;
    assert_non_null(stopped);
    g_ptr_array_add(domains, stopped);
    snapshot_one(stopped, "vda", ov);
    {
        g_auto(GStrv) c = xml_chain(stopped, "vda", VIR_DOMAIN_XML_INACTIVE, NULL, NULL);
        const char *argv[] = {"qemu-img", "info", "--output=json", ov, NULL};
        g_autofree char *out = run(argv);

        assert_string_equal(c[0], ov);
        if (!strstr(out, img))
            fail_msg("the overlay %s does not have %s for backing: %s", ov, img, out);
    }
    /* the live disk vdb (8M) grown and then shrunk back */
    if (vdisk_block_resize(b->dom, "vdb", "+4M", 0, &size, &err) < 0)
        fail_msg("grow: %s", vdisk_error_get_message(err));
    if (vdisk_block_resize(b->dom, "vdb", "-4M", VDISK_RESIZE_SHRINK, &size, &err) < 0)
        fail_msg("shrink: %s", vdisk_error_get_message(err));
    assert_int_equal(size, 8 * 1024 * 1024);
    {
        g_autofree char *alias = NULL;
        g_auto(GStrv) c = xml_chain(b->dom, "vdb", 0, NULL, &alias);
        unsigned long long q = 0;
        g_auto(GStrv) qc = qemu_chain(b->dom, alias, &q);

        assert_int_equal(q, 8 * 1024 * 1024);
    }
    bare_free(b);
}

typedef struct {
    virDomainPtr dom;
    const char *target;
    char *dest;
    unsigned long long bps;
    int rc;
    char *msg;
    progress p;
} copy_thread;

static gpointer
copy_in_thread(gpointer data)
{
    copy_thread *c = data;
    vdisk_job_opts *opts = vdisk_job_opts_new();
    vdisk_error *err = NULL;

    vdisk_job_opts_set_timeout(opts, JOB_TIMEOUT_MS);
    vdisk_job_opts_set_bandwidth(opts, c->bps);
    progress_init(&c->p, c->target);
    vdisk_job_opts_set_progress(opts, on_progress, &c->p);
    c->rc = vdisk_block_copy(c->dom, c->target, c->dest, VDISK_FORMAT_NONE, 0, opts, &err);
    if (c->rc < 0)
        c->msg = g_strdup(vdisk_error_get_message(err));
    vdisk_error_free(err);
    vdisk_job_opts_free(opts);
    return NULL;
}

/* Jobs on two disks of a domain at once, from two threads: a slow copy of
 * vda and quick ones of vdb; the events and states of one do not end the
 * other's wait. */
static void
test_jobs_on_two_disks_at_once(void **state)
{
    bare *b = bare_start("two");
    copy_thread a = {b->dom, "vda", path_in("two-vda.qcow2"), 8 * 1024 * 1024, 0, NULL, {0}};
    GThread *ta;
    int i;

    (void)state;
    ta = g_thread_new("copy-vda", copy_in_thread, &a);
    for (i = 0; i < 3; i++) {
        copy_thread c = {b->dom, "vdb", g_strdup_printf("%s/two-vdb-%d.qcow2", imgdir, i), 0, 0,
                         NULL,   {0}};
        GThread *t = g_thread_new("copy-vdb", copy_in_thread, &c);

        g_thread_join(t);
        if (c.rc < 0)
            fail_msg("copy of vdb %d: %s", i, c.msg);
        if (c.p.other_target)
            fail_msg("copy of vdb %d: the progress named another disk", i);
        {
            g_auto(GStrv) chain = xml_chain(b->dom, "vdb", 0, NULL, NULL);

            assert_string_equal(chain[0], c.dest);
            assert_null(chain[1]);
        }
        progress_clear(&c.p);
        g_free(c.dest);
    }
    g_thread_join(ta);
    if (a.rc < 0)
        fail_msg("copy of vda: %s", a.msg);
    if (a.p.other_target)
        fail_msg("copy of vda: the progress named another disk");
    check_progress("copy of vda beside vdb's", &a.p, VDISK_JOB_COPY, true);
    {
        g_autofree char *vdb = g_strdup_printf("%s/two-vdb-2.qcow2", imgdir);

        expect_chain(b->dom, "vda", (const char *const[]){a.dest, NULL},
                     (const char *const[]){vdb, NULL});
        expect_chain(b->dom, "vdb", (const char *const[]){vdb, NULL},
                     (const char *const[]){a.dest, NULL});
    }
    progress_clear(&a.p);
    g_free(a.dest);
    bare_free(b);
}

/* The domain stops under a waiting copy: the call ends at once with an
 * error naming the domain, not at its timeout. */
static void
test_domain_stopped_during_a_copy(void **state)
{
    bare *b = bare_start("destroyed");
    copy_thread a = {b->dom, "vda", path_in("destroyed-copy.qcow2"), SLOW_BPS, 0, NULL, {0}};
    GThread *t;
    gint64 t0;

    (void)state;
    t = g_thread_new("copy-vda", copy_in_thread, &a);
    g_usleep(1500 * 1000);
    t0 = g_get_monotonic_time();
    if (virDomainDestroy(b->dom) < 0)
        fail_msg("virDomainDestroy: %s", virGetLastErrorMessage());
    g_thread_join(t);
    print_message("copy under a destroyed domain: returned %lld ms after the destroy: %s; the "
                  "destination %s\n",
                  (long long)((g_get_monotonic_time() - t0) / 1000), a.msg ? a.msg : "(success)",
                  g_file_test(a.dest, G_FILE_TEST_EXISTS) ? "is left" : "is gone");
    if (a.rc == 0)
        fail_msg("the copy succeeded on a destroyed domain");
    if (g_get_monotonic_time() - t0 > 10 * G_USEC_PER_SEC)
        fail_msg("the copy noticed the destroyed domain only after %lld ms",
                 (long long)((g_get_monotonic_time() - t0) / 1000));
    if (!strstr(a.msg, virDomainGetName(b->dom)))
        fail_msg("the message does not name the domain: %s", a.msg);
    progress_clear(&a.p);
    g_free(a.msg);
    g_free(a.dest);
    bare_free(b);
}

/* ---- setup -------------------------------------------------------------------------- */

/* The pid in "vdtest-bj-TAG-PID-..." (0: none). */
static long
name_pid(const char *name)
{
    const char *dash;

    if (!g_str_has_prefix(name, PREFIX) || !(dash = strchr(name + strlen(PREFIX), '-')))
        return 0;
    return strtol(dash + 1, NULL, 10);
}

static bool
pid_gone(long pid)
{
    return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Domains, mounts and image directories an earlier run of this program
 * left behind (it was killed before its teardown): their names carry a pid
 * that is gone. */
static void
reap_leftovers(void)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    g_autofree char *mounts = NULL;
    int i;

    for (i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);

        if (name && pid_gone(name_pid(name))) {
            if (virDomainIsActive(doms[i]) == 1)
                virDomainDestroy(doms[i]);
            if (virDomainIsPersistent(doms[i]) == 1)
                virDomainUndefineFlags(doms[i], VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    /* /var/lib/libvirt/images/vdtest-bj-PID-XXXXXX/{ro,full} */
    if (g_file_get_contents("/proc/self/mounts", &mounts, NULL, NULL)) {
        g_auto(GStrv) lines = g_strsplit(mounts, "\n", -1);

        for (i = 0; lines[i]; i++) {
            g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);
            const char *dir = f[0] && f[1] ? f[1] : NULL;
            g_autofree char *parent = NULL;
            g_autofree char *base = NULL;

            g_autofree char *want = g_strdup_printf("%s/" PREFIX, images);

            if (!dir || !g_str_has_prefix(dir, want))
                continue;
            parent = g_path_get_dirname(dir);
            base = g_path_get_basename(parent);
            if (pid_gone(strtol(base + strlen(PREFIX), NULL, 10)))
                umount2(dir, MNT_DETACH);
        }
    }
    /* /var/lib/libvirt/images/vdtest-bj-PID-XXXXXX */
    {
        GDir *d = g_dir_open(images, 0, NULL);
        const char *e;

        while (d && (e = g_dir_read_name(d))) {
            g_autofree char *path = NULL;

            if (!g_str_has_prefix(e, PREFIX) || !pid_gone(strtol(e + strlen(PREFIX), NULL, 10)))
                continue;
            path = g_build_filename(images, e, NULL);
            remove_tree(path);
        }
        if (d)
            g_dir_close(d);
    }
}

static int
group_setup(void **state)
{
    const char *dir = getenv("VDTEST_GUEST_DIR");
    g_autofree char *full_opts = g_strdup_printf("size=%dM,mode=0777", FULL_MIB);
    vdisk_error *err = NULL;

    (void)state;
    if (!dir) {
        fprintf(stderr, "VDTEST_GUEST_DIR is not set (the directory build-test-guest.sh wrote)\n");
        return -1;
    }
    events = getenv("VDTEST_BLOCKJOB_EVENTS") != NULL;
    if (getenv("VDTEST_BLOCKJOB_IMAGES"))
        images = getenv("VDTEST_BLOCKJOB_IMAGES");
    uri = g_strdup(getenv("VDTEST_BLOCKJOB_URI") ? getenv("VDTEST_BLOCKJOB_URI") : DEFAULT_URI);
    /* qemu:///embed without a root: libvirt's QEMU driver in this process,
     * in a root made for the run (it cannot run without an event loop) */
    if (g_str_has_prefix(uri, "qemu:///embed") && !strstr(uri, "root=")) {
        g_autoptr(GError) gerr = NULL;
        char *with_root;

        if (!(embed_root = g_dir_make_tmp("vdtest-bj-embed-XXXXXX", &gerr))) {
            fprintf(stderr, "cannot make the embedded driver's root: %s\n", gerr->message);
            return -1;
        }
        if (g_chmod(embed_root, 0755) < 0)
            return -1;
        with_root = g_strdup_printf("%s%sroot=%s", uri, strchr(uri, '?') ? "&" : "?", embed_root);
        g_free(uri);
        uri = with_root;
        events = true;
    }
    {
        const char *p = strstr(uri, "://");

        remote = p && p[3] != '/';
    }
    virSetErrorFunc(NULL, ignore_libvirt_errors);
    if (vdisk_connect_open(&conn, uri, events ? VDISK_CONNECT_DEFAULT : VDISK_CONNECT_NO_EVENT_LOOP,
                           &err) < 0) {
        fprintf(stderr, "cannot open %s: %s\n", uri, vdisk_error_get_message(err));
        vdisk_error_free(err);
        return -1;
    }
    reap_leftovers();
    if (g_mkdir_with_parents(images, 0755) < 0)
        return -1;
    imgdir = g_strdup_printf("%s/" PREFIX "%d-XXXXXX", images, (int)getpid());
    if (!g_mkdtemp_full(imgdir, 0755)) {
        g_clear_pointer(&imgdir, g_free);
        return -1;
    }
    /* a copy per run: libvirt relabels the kernel and initrd it boots */
    if (copy_in(dir, "vmlinuz", imgdir, &kernel) < 0 || copy_in(dir, "initrd.gz", imgdir, &initrd) < 0)
        return -1;
    /* Mounted before any domain starts: QEMU runs in a mount namespace of
     * its own, which does not see later mounts of a private root. */
    rodir = path_in("ro");
    fulldir = path_in("full");
    if (g_mkdir(rodir, 0755) < 0 || mount("tmpfs", rodir, "tmpfs", MS_RDONLY, "size=1M") < 0 ||
        g_mkdir(fulldir, 0755) < 0 || mount("tmpfs", fulldir, "tmpfs", 0, full_opts) < 0) {
        fprintf(stderr, "cannot mount the tmpfs destinations: %s\n", g_strerror(errno));
        return -1;
    }
    domains = g_ptr_array_new();
    return 0;
}

static int
group_teardown(void **state)
{
    if (domains)
        teardown_domains(state);
    if (rodir)
        umount2(rodir, MNT_DETACH);
    if (fulldir)
        umount2(fulldir, MNT_DETACH);
    if (imgdir)
        remove_tree(imgdir);
    if (conn)
        vdisk_connect_close(conn);
    if (embed_root)
        remove_tree(embed_root);
    g_clear_pointer(&embed_root, g_free);
    g_clear_pointer(&uri, g_free);
    return 0;
}

#define CASE(fn) cmocka_unit_test_teardown(fn, teardown_domains)

int
main(void)
{
    const struct CMUnitTest all[] = {
        CASE(test_main_sequence),
        CASE(test_missing_target_is_not_found),
        CASE(test_no_backing_is_invalid),
        CASE(test_existing_destination_is_refused),
        CASE(test_copy_to_read_only_place_fails),
        CASE(test_copy_to_full_place_fails),
        CASE(test_second_job_is_refused),
        CASE(test_cancel_from_another_thread),
        CASE(test_cancel_from_the_callback),
        CASE(test_commit_below_top_pull_to_base_and_pivot_later),
        CASE(test_shallow_reuse_and_pivot_later),
        CASE(test_pivot_of_an_unready_mirror_times_out),
        CASE(test_cancel_active_commit),
        CASE(test_resize_refusals_and_stopped_domains),
        CASE(test_snapshot_all_or_none_and_stopped_domains),
        CASE(test_pending_pull_and_commit_aborted),
        CASE(test_jobs_back_to_back),
        CASE(test_stopped_snapshot_and_live_shrink),
        CASE(test_jobs_on_two_disks_at_once),
        CASE(test_domain_stopped_during_a_copy),
    };
    /* with the event loop: the sequence and every case that waits on a job */
    const struct CMUnitTest with_events[] = {
        CASE(test_main_sequence),
        CASE(test_second_job_is_refused),
        CASE(test_cancel_from_another_thread),
        CASE(test_cancel_from_the_callback),
        CASE(test_commit_below_top_pull_to_base_and_pivot_later),
        CASE(test_shallow_reuse_and_pivot_later),
        CASE(test_pivot_of_an_unready_mirror_times_out),
        CASE(test_cancel_active_commit),
        CASE(test_pending_pull_and_commit_aborted),
        CASE(test_jobs_back_to_back),
        CASE(test_jobs_on_two_disks_at_once),
        CASE(test_domain_stopped_during_a_copy),
    };

    /* VDTEST_BLOCKJOB_CASES: run only the cases this pattern matches */
    if (getenv("VDTEST_BLOCKJOB_CASES"))
        cmocka_set_test_filter(getenv("VDTEST_BLOCKJOB_CASES"));
    if (getenv("VDTEST_BLOCKJOB_EVENTS"))
        return cmocka_run_group_tests_name("blockjob-events", with_events, group_setup,
                                           group_teardown);
    return cmocka_run_group_tests_name("blockjob", all, group_setup, group_teardown);
}
