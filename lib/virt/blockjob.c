/*
 * blockjob.c: block jobs on a running domain's disks (commit, pull, copy),
 * waited for until libvirt's live definition shows their result
 *
 * One job call is: read the disk's chain from the live definition, check
 * what libvirt would refuse later or word less clearly, start the job
 * (retrying while libvirt still tears a finished one down), then wait:
 * libvirt's block-job events wake the waiter when the connection delivers
 * them, and virDomainGetBlockJobInfo() is polled besides. A mirror (copy,
 * active commit) is pivoted once libvirt itself marks it ready in the live
 * definition; the call returns once the live definition shows the chain the
 * job left.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "vdisk/blockjob.h"
#include "virt/intent.h"
#include "virt/virt_priv.h"

/* How often the job is polled while no event arrives. */
#define VD_JOB_POLL_MS 100
/* The progress callback's longest silence while a call waits is 250 ms: it
 * is called again once this long has passed, which leaves a poll's cost of
 * margin. */
#define VD_JOB_TICK_MS 200
/* How long a start is retried while libvirt tears the last job down. */
#define VD_JOB_BUSY_RETRY_MS 10000
/* How long the live definition may lag behind a job's end. */
#define VD_JOB_SETTLE_MS 30000

struct vdisk_job_status {
    char *target;
    vdisk_job_kind kind;
    unsigned long long cur;
    unsigned long long end;
    int ready;
    const char *phase;
};

struct vdisk_job_opts {
    int timeout_ms;
    vdisk_job_progress_fn progress;
    void *opaque;
    unsigned long long bandwidth;
    volatile sig_atomic_t cancel;
    /* the last call's final state */
    bool has_last;
    vdisk_job_status last;
};

/* ---- status and options ------------------------------------------------------------ */

const char *
vdisk_job_kind_name(vdisk_job_kind kind)
{
    static const char *const names[] = {"none",          "pull",   "copy",   "commit",
                                        "active-commit", "backup", "unknown"};

    if ((unsigned int)kind >= G_N_ELEMENTS(names))
        return "unknown";
    return names[kind];
}

void
vdisk_job_status_free(vdisk_job_status *status)
{
    if (!status)
        return;
    g_free(status->target);
    g_free(status);
}

const char *
vdisk_job_status_get_target(const vdisk_job_status *status)
{
    return status ? status->target : NULL;
}

vdisk_job_kind
vdisk_job_status_get_kind(const vdisk_job_status *status)
{
    return status ? status->kind : VDISK_JOB_NONE;
}

unsigned long long
vdisk_job_status_get_cur(const vdisk_job_status *status)
{
    return status ? status->cur : 0;
}

unsigned long long
vdisk_job_status_get_end(const vdisk_job_status *status)
{
    return status ? status->end : 0;
}

int
vdisk_job_status_get_ready(const vdisk_job_status *status)
{
    return status ? status->ready : 0;
}

const char *
vdisk_job_status_get_phase(const vdisk_job_status *status)
{
    return status ? status->phase : NULL;
}

vdisk_job_opts *
vdisk_job_opts_new(void)
{
    vdisk_job_opts *opts = g_try_new0(vdisk_job_opts, 1);

    if (opts)
        opts->timeout_ms = -1;
    return opts;
}

void
vdisk_job_opts_free(vdisk_job_opts *opts)
{
    if (!opts)
        return;
    g_free(opts->last.target);
    g_free(opts);
}

const vdisk_job_status *
vdisk_job_opts_get_status(const vdisk_job_opts *opts)
{
    return opts && opts->has_last ? &opts->last : NULL;
}

void
vdisk_job_opts_set_timeout(vdisk_job_opts *opts, int timeout_ms)
{
    if (opts)
        opts->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
}

void
vdisk_job_opts_set_progress(vdisk_job_opts *opts, vdisk_job_progress_fn fn, void *opaque)
{
    if (!opts)
        return;
    opts->progress = fn;
    opts->opaque = opaque;
}

void
vdisk_job_opts_set_bandwidth(vdisk_job_opts *opts, unsigned long long bytes_per_sec)
{
    if (opts)
        opts->bandwidth = bytes_per_sec;
}

void
vdisk_job_opts_cancel(vdisk_job_opts *opts)
{
    if (opts)
        opts->cancel = 1;
}

void
vdisk_job_opts_reset(vdisk_job_opts *opts)
{
    if (opts)
        opts->cancel = 0;
}

/* ---- the disk's chain in the live definition ------------------------------------------ */

/* One image of a disk's chain, top first. */
typedef struct {
    char *desc;         /* the path, or what names a network image */
    unsigned int index; /* libvirt's index attribute, 0 when none */
    vdisk_type type;
    vdisk_format format;
} vd_image;

typedef struct {
    vd_image *images;
    size_t n;
    bool mirror;       /* a <mirror> is present */
    bool mirror_ready; /* ... with ready='yes' */
    char *mirror_desc; /* its path */
    char *mirror_job;  /* its job attribute */
} vd_chain;

static void
vd_chain_clear(vd_chain *c)
{
    for (size_t i = 0; i < c->n; i++)
        g_free(c->images[i].desc);
    g_free(c->images);
    g_free(c->mirror_desc);
    g_free(c->mirror_job);
    memset(c, 0, sizeof(*c));
}

static char *
vd_source_desc(const vdisk_source *src)
{
    const char *path = vdisk_source_get_path(src);

    if (path)
        return g_strdup(path);
    if (vdisk_source_get_type(src) == VDISK_TYPE_VOLUME)
        return g_strdup_printf("%s/%s",
                               vdisk_source_get_pool(src) ? vdisk_source_get_pool(src) : "",
                               vdisk_source_get_volume(src) ? vdisk_source_get_volume(src) : "");
    if (vdisk_source_get_type(src) == VDISK_TYPE_NETWORK)
        return g_strdup_printf(
            "%s:%s", vdisk_enum_to_string(VDISK_ENUM_PROTOCOL, vdisk_source_get_protocol(src)),
            vdisk_source_get_name(src) ? vdisk_source_get_name(src) : "");
    return g_strdup("");
}

static void
vd_chain_read(vd_chain *c, vdisk_disk *disk)
{
    const vdisk_source *src = vdisk_disk_get_source(disk);
    const vdisk_source *m;
    GArray *arr = g_array_new(FALSE, TRUE, sizeof(vd_image));

    memset(c, 0, sizeof(*c));
    if (vdisk_source_is_present(src)) {
        for (; src; src = vdisk_source_get_backing(src)) {
            vd_image im = {
                .desc = vd_source_desc(src),
                .index = vdisk_source_get_index(src),
                .type = vdisk_source_get_type(src),
                .format = vdisk_source_get_format(src),
            };
            g_array_append_val(arr, im);
        }
    }
    c->n = arr->len;
    c->images = (vd_image *)g_array_free(arr, FALSE);
    if ((m = vdisk_disk_get_mirror(disk))) {
        const char *ready = vdisk_disk_get_mirror_ready(disk);
        const char *job = vdisk_disk_get_mirror_job(disk);

        c->mirror = true;
        c->mirror_ready = ready && strcmp(ready, "yes") == 0;
        c->mirror_desc = vd_source_desc(m);
        c->mirror_job = g_strdup(*job ? job : "block");
    }
}

/* Reads the live chain of @target: VDISK_ERR_INVALID_ARG when the domain does
 * not run, VDISK_ERR_NOT_FOUND when it has no such disk. @disk_out, when
 * given, receives the parsed domain for further looks (the caller's). */
static int
vd_live_chain(vd_chain *c, virDomainPtr dom, const char *target, const char *what,
              vdisk_domain **ctx_out, vdisk_error **err)
{
    g_autoptr(vdisk_domain) ctx = NULL;
    vdisk_disk *disk;
    int active = virDomainIsActive(dom);

    memset(c, 0, sizeof(*c));
    if (active < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(dom));
        return -1;
    }
    if (!active)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "target '%s': domain '%s' is not running: %s needs a running domain", target,
                       vd_dom_name(dom), what);
    if (vd_virt_load_domain(&ctx, dom, false, err) < 0)
        return -1;
    if (!(disk = vdisk_domain_find_disk(ctx, target)))
        return vd_fail(err, VDISK_ERR_NOT_FOUND, "target '%s': domain '%s' has no such disk",
                       target, vd_dom_name(dom));
    vd_chain_read(c, disk);
    if (ctx_out)
        *ctx_out = g_steal_pointer(&ctx);
    return 0;
}

/* The position of the image @spec (a path of the chain, or "TARGET[N]"
 * with libvirt's index N) in @c, or -1. */
static ssize_t
vd_chain_find(const vd_chain *c, const char *target, const char *spec)
{
    size_t tlen = strlen(target);

    if (strncmp(spec, target, tlen) == 0 && spec[tlen] == '[') {
        char *end;
        unsigned long idx = strtoul(spec + tlen + 1, &end, 10);

        if (end != spec + tlen + 1 && strcmp(end, "]") == 0) {
            for (size_t i = 0; i < c->n; i++)
                if (c->images[i].index == idx)
                    return (ssize_t)i;
        }
        return -1;
    }
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->images[i].desc, spec) == 0)
            return (ssize_t)i;
    return -1;
}

/* What libvirt accepts to name image @i of @c: "vda[N]" when libvirt gave
 * it an index, else its path. */
static char *
vd_chain_name(const vd_chain *c, const char *target, size_t i)
{
    if (c->images[i].index)
        return g_strdup_printf("%s[%u]", target, c->images[i].index);
    return g_strdup(c->images[i].desc);
}

static char *
vd_chain_describe(const vd_chain *c)
{
    GString *s = g_string_new(NULL);

    for (size_t i = 0; i < c->n; i++)
        g_string_append_printf(s, "%s%s", i ? " <- " : "", c->images[i].desc);
    if (!c->n)
        g_string_append(s, "(no image)");
    return g_string_free(s, FALSE);
}

/* ---- the job on a disk -------------------------------------------------------------- */

static vdisk_job_kind
vd_job_kind_of(int type)
{
    switch (type) {
    case VIR_DOMAIN_BLOCK_JOB_TYPE_PULL:
        return VDISK_JOB_PULL;
    case VIR_DOMAIN_BLOCK_JOB_TYPE_COPY:
        return VDISK_JOB_COPY;
    case VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT:
        return VDISK_JOB_COMMIT;
    case VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT:
        return VDISK_JOB_ACTIVE_COMMIT;
    case VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP:
        return VDISK_JOB_BACKUP;
    default:
        return VDISK_JOB_UNKNOWN;
    }
}

/* 1 and @info when a job runs on @target, 0 when none, -1 on error. */
static int
vd_job_info(virDomainPtr dom, const char *target, virDomainBlockJobInfo *info, vdisk_error **err)
{
    int rc;

    memset(info, 0, sizeof(*info));
    rc = virDomainGetBlockJobInfo(dom, target, info, 0);
    if (rc < 0)
        vd_virt_error(err, "target '%s': cannot read the block job of domain '%s'", target,
                      vd_dom_name(dom));
    return rc;
}

/* Refuses a new job while one runs on the disk: one the live definition
 * shows a <mirror> of (@c), or one virDomainGetBlockJobInfo() reports. */
static int
vd_job_refuse_busy(virDomainPtr dom, const char *target, const vd_chain *c, const char *what,
                   vdisk_error **err)
{
    virDomainBlockJobInfo info;
    int rc;

    if (c->mirror)
        return vd_fail(err, VDISK_ERR_EXISTS,
                       "target '%s': a %s job runs on the disk: no %s until it ends", target,
                       c->mirror_job, what);
    if ((rc = vd_job_info(dom, target, &info, err)) < 0)
        return -1;
    if (rc > 0)
        return vd_fail(
            err, VDISK_ERR_EXISTS,
            "target '%s': a %s job runs on the disk of domain '%s' (%llu of %llu bytes): "
            "no %s until it ends (vdisk job --abort ends it)",
            target, vdisk_job_kind_name(vd_job_kind_of(info.type)), vd_dom_name(dom),
            (unsigned long long)info.cur, (unsigned long long)info.end, what);
    return 0;
}

/* libvirt's refusal of a start while a job it is finishing still holds the
 * disk. */
static bool
vd_job_busy_error(int code, const char *msg)
{
    return code == VIR_ERR_BLOCK_COPY_ACTIVE ||
           (code == VIR_ERR_OPERATION_INVALID && msg && strstr(msg, "active block job"));
}

/* Event state shared with libvirt's event thread (reference counted: the
 * registration holds one). */
typedef struct {
    gint refs;
    GMutex lock;
    GCond cond;
    char *target;
    gint ready;
    gint ended;  /* 1 completed, 2 failed, 3 cancelled */
    gint events; /* events seen, for wake-ups */
} vd_job_waiter;

static vd_job_waiter *
vd_job_waiter_new(const char *target)
{
    vd_job_waiter *w = g_new0(vd_job_waiter, 1);

    w->refs = 1;
    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    w->target = g_strdup(target);
    return w;
}

static void
vd_job_waiter_unref(void *opaque)
{
    vd_job_waiter *w = opaque;

    if (!w || !g_atomic_int_dec_and_test(&w->refs))
        return;
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
    g_free(w->target);
    g_free(w);
}

static void
vd_job_event_cb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED, const char *disk,
                int type G_GNUC_UNUSED, int status, void *opaque)
{
    vd_job_waiter *w = opaque;

    if (!disk || strcmp(disk, w->target) != 0)
        return;
    g_mutex_lock(&w->lock);
    switch (status) {
    case VIR_DOMAIN_BLOCK_JOB_READY:
        g_atomic_int_set(&w->ready, 1);
        break;
    case VIR_DOMAIN_BLOCK_JOB_COMPLETED:
        g_atomic_int_set(&w->ended, 1);
        break;
    case VIR_DOMAIN_BLOCK_JOB_FAILED:
        g_atomic_int_set(&w->ended, 2);
        break;
    case VIR_DOMAIN_BLOCK_JOB_CANCELED:
        g_atomic_int_set(&w->ended, 3);
        break;
    default:
        break;
    }
    g_atomic_int_inc(&w->events);
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
}

/* One wait: what it watches and reports. */
typedef struct {
    virDomainPtr dom;
    virConnectPtr conn;
    const char *target;
    vdisk_job_kind kind;
    vdisk_job_opts *opts;
    vd_job_waiter *w;
    int event_id;
    gint64 deadline; /* 0: none */
    gint64 last_tick;
    vdisk_job_status st;
    unsigned long long last_cur, last_end;
    int last_ready;
    const char *last_phase;
} vd_job_wait;

static void
vd_job_wait_begin(vd_job_wait *jw, virDomainPtr dom, const char *target, vdisk_job_kind kind,
                  vdisk_job_opts *opts)
{
    memset(jw, 0, sizeof(*jw));
    jw->dom = dom;
    jw->conn = virDomainGetConnect(dom);
    jw->target = target;
    jw->kind = kind;
    jw->opts = opts;
    jw->w = vd_job_waiter_new(target);
    g_atomic_int_inc(&jw->w->refs);
    jw->event_id = virConnectDomainEventRegisterAny(jw->conn, dom, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                                    VIR_DOMAIN_EVENT_CALLBACK(vd_job_event_cb),
                                                    jw->w, vd_job_waiter_unref);
    if (jw->event_id < 0) {
        vd_job_waiter_unref(jw->w);
        virResetLastError();
    }
    if (opts && opts->timeout_ms >= 0)
        jw->deadline = g_get_monotonic_time() + (gint64)opts->timeout_ms * G_TIME_SPAN_MILLISECOND;
    jw->st.target = (char *)target;
    jw->st.kind = kind;
    jw->st.phase = "started";
}

static void
vd_job_wait_end(vd_job_wait *jw)
{
    if (jw->opts) {
        g_free(jw->opts->last.target);
        jw->opts->last = jw->st;
        jw->opts->last.target = g_strdup(jw->target);
        jw->opts->has_last = true;
    }
    if (jw->event_id >= 0)
        virConnectDomainEventDeregisterAny(jw->conn, jw->event_id);
    vd_job_waiter_unref(jw->w);
    jw->w = NULL;
}

static bool
vd_job_cancelled(const vd_job_wait *jw)
{
    return jw->opts && jw->opts->cancel;
}

/* Tells the caller's callback, on a change or when it has waited a tick;
 * true when it asks to cancel. */
static bool
vd_job_report(vd_job_wait *jw, bool force)
{
    gint64 now = g_get_monotonic_time();
    bool changed = jw->st.cur != jw->last_cur || jw->st.end != jw->last_end ||
                   jw->st.ready != jw->last_ready || jw->st.phase != jw->last_phase;

    if (!jw->opts || !jw->opts->progress)
        return vd_job_cancelled(jw);
    if (!changed && !force && now - jw->last_tick < VD_JOB_TICK_MS * G_TIME_SPAN_MILLISECOND)
        return vd_job_cancelled(jw);
    jw->last_tick = now;
    jw->last_cur = jw->st.cur;
    jw->last_end = jw->st.end;
    jw->last_ready = jw->st.ready;
    jw->last_phase = jw->st.phase;
    if (jw->opts->progress(&jw->st, jw->opts->opaque) != 0)
        jw->opts->cancel = 1;
    return vd_job_cancelled(jw);
}

/* Sleeps until an event, the next poll or the deadline. */
static void
vd_job_sleep(vd_job_wait *jw, int ms)
{
    gint64 until = g_get_monotonic_time() + (gint64)ms * G_TIME_SPAN_MILLISECOND;
    int seen = g_atomic_int_get(&jw->w->events);

    if (jw->deadline && until > jw->deadline)
        until = jw->deadline;
    /* wake for the progress callback's tick */
    if (jw->opts && jw->opts->progress && jw->last_tick &&
        until > jw->last_tick + VD_JOB_TICK_MS * G_TIME_SPAN_MILLISECOND)
        until = jw->last_tick + VD_JOB_TICK_MS * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&jw->w->lock);
    while (g_atomic_int_get(&jw->w->events) == seen && !vd_job_cancelled(jw) &&
           g_get_monotonic_time() < until)
        g_cond_wait_until(&jw->w->cond, &jw->w->lock, MIN(until, g_get_monotonic_time() + 20000));
    g_mutex_unlock(&jw->w->lock);
}

static bool
vd_job_timed_out(const vd_job_wait *jw)
{
    return jw->deadline && g_get_monotonic_time() >= jw->deadline;
}

/* ---- finishing -------------------------------------------------------------------- */

/* What the chain must look like for a job to be over. */
typedef enum {
    VD_SETTLE_NO_MIRROR, /* only: no <mirror> any more */
    VD_SETTLE_TOP,       /* the top image is @want */
    VD_SETTLE_GONE,      /* @want is no longer in the chain */
    VD_SETTLE_BACKING,   /* the top's backing is @want (NULL: none) */
} vd_settle_kind;

static bool
vd_settled(const vd_chain *c, vd_settle_kind kind, const char *want)
{
    if (c->mirror)
        return false;
    switch (kind) {
    case VD_SETTLE_NO_MIRROR:
        return true;
    case VD_SETTLE_TOP:
        return c->n > 0 && strcmp(c->images[0].desc, want) == 0;
    case VD_SETTLE_GONE:
        for (size_t i = 0; i < c->n; i++)
            if (strcmp(c->images[i].desc, want) == 0)
                return false;
        return true;
    case VD_SETTLE_BACKING:
        if (!want)
            return c->n == 1;
        return c->n >= 2 && strcmp(c->images[1].desc, want) == 0;
    }
    return false;
}

/* Waits (VD_JOB_SETTLE_MS at most) until the live chain shows the job's
 * end; 1 when it does, 0 when it shows something else, -1 on error. */
static int
vd_job_settle(vd_job_wait *jw, vd_settle_kind kind, const char *want, vdisk_error **err)
{
    gint64 until = g_get_monotonic_time() + VD_JOB_SETTLE_MS * G_TIME_SPAN_MILLISECOND;

    for (;;) {
        vd_chain c;
        bool ok;

        if (vd_live_chain(&c, jw->dom, jw->target, "the job", NULL, err) < 0)
            return -1;
        ok = vd_settled(&c, kind, want);
        vd_chain_clear(&c);
        if (ok)
            return 1;
        if (g_get_monotonic_time() >= until)
            return 0;
        g_usleep(20 * G_TIME_SPAN_MILLISECOND);
    }
}

/* Aborts the job (no pivot) and waits until it is gone. 1 when it was
 * aborted, 0 when it had ended by itself meanwhile, -1 on error. */
static int
vd_job_abort_wait(vd_job_wait *jw, vdisk_error **err)
{
    virDomainBlockJobInfo info;
    int rc;

    jw->st.phase = "aborting";
    if (jw->opts && jw->opts->progress)
        jw->opts->progress(&jw->st, jw->opts->opaque);
    if (virDomainBlockJobAbort(jw->dom, jw->target, 0) < 0) {
        char *msg = NULL;
        int code = vd_virt_take_error(&msg);
        g_autofree char *m = msg;

        if ((rc = vd_job_info(jw->dom, jw->target, &info, err)) < 0)
            return -1;
        if (rc == 0)
            return 0;
        vd_error_set_libvirt(err, code, "target '%s': libvirt refused to abort the %s job: %s",
                             jw->target, vdisk_job_kind_name(jw->kind), m);
        return -1;
    }
    for (int i = 0; i < VD_JOB_SETTLE_MS / 20; i++) {
        if ((rc = vd_job_info(jw->dom, jw->target, &info, err)) < 0)
            return -1;
        if (rc == 0)
            break;
        g_usleep(20 * G_TIME_SPAN_MILLISECOND);
    }
    if (vd_job_settle(jw, VD_SETTLE_NO_MIRROR, NULL, err) < 0)
        return -1;
    return 1;
}

/* The result of a wait. */
typedef enum {
    VD_WAIT_ENDED,     /* the job is gone by itself (completed or failed) */
    VD_WAIT_READY,     /* a mirror is ready */
    VD_WAIT_CANCELLED, /* aborted at the caller's request */
    VD_WAIT_TIMEOUT,   /* still running at the deadline */
    VD_WAIT_ERROR,
} vd_wait_result;

/* Waits until the job ends, or, for a mirror (@want_ready), until libvirt
 * marks it ready. A cancel request aborts it. */
static vd_wait_result
vd_job_wait_for(vd_job_wait *jw, bool want_ready, vdisk_error **err)
{
    bool seen_job = false;

    for (;;) {
        virDomainBlockJobInfo info;
        int rc;

        if (vd_job_cancelled(jw)) {
            rc = vd_job_abort_wait(jw, err);
            if (rc < 0)
                return VD_WAIT_ERROR;
            return rc ? VD_WAIT_CANCELLED : VD_WAIT_ENDED;
        }
        if ((rc = vd_job_info(jw->dom, jw->target, &info, err)) < 0) {
            if (virDomainIsActive(jw->dom) != 1) {
                g_clear_pointer(err, vdisk_error_free);
                vd_error_set(err, VDISK_ERR_LIBVIRT,
                             "target '%s': domain '%s' stopped (or is gone) while the %s job ran",
                             jw->target, vd_dom_name(jw->dom), vdisk_job_kind_name(jw->kind));
            }
            return VD_WAIT_ERROR;
        }
        if (rc == 0) {
            /* libvirt registers the job before virDomainGetBlockJobInfo()
             * shows it only when QEMU has created it; a job that has never
             * been seen and no end event is a job that ended at once */
            (void)seen_job;
            return VD_WAIT_ENDED;
        }
        seen_job = true;
        jw->st.cur = info.cur;
        jw->st.end = info.end;
        jw->st.phase = jw->st.ready ? "ready" : "running";
        if (want_ready && !jw->st.ready &&
            (g_atomic_int_get(&jw->w->ready) || (info.end > 0 && info.cur == info.end))) {
            vd_chain c;

            /* libvirt's own word: QEMU says cur == end before it is ready */
            if (vd_live_chain(&c, jw->dom, jw->target, "the job", NULL, err) < 0)
                return VD_WAIT_ERROR;
            jw->st.ready = c.mirror && c.mirror_ready;
            vd_chain_clear(&c);
            if (jw->st.ready)
                jw->st.phase = "ready";
        }
        if (vd_job_report(jw, false))
            continue;
        if (want_ready && jw->st.ready)
            return VD_WAIT_READY;
        if (vd_job_timed_out(jw))
            return VD_WAIT_TIMEOUT;
        vd_job_sleep(jw, VD_JOB_POLL_MS);
    }
}

/* Pivots a ready mirror and waits until the live chain's top is @want. */
static int
vd_job_pivot(vd_job_wait *jw, const char *want, vdisk_error **err)
{
    int settled;

    jw->st.phase = "pivoting";
    vd_job_report(jw, true);
    for (int tries = 0;; tries++) {
        if (virDomainBlockJobAbort(jw->dom, jw->target, VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) == 0)
            break;
        {
            char *msg = NULL;
            int code = vd_virt_take_error(&msg);
            g_autofree char *m = msg;

            /* a mirror that fell back behind the guest's writes is not
             * ready again for a moment */
            if (tries < 50 && code == VIR_ERR_BLOCK_COPY_ACTIVE) {
                g_usleep(100 * G_TIME_SPAN_MILLISECOND);
                continue;
            }
            vd_error_set_libvirt(err, code, "target '%s': libvirt refused to pivot onto %s: %s",
                                 jw->target, want, m);
            return -1;
        }
    }
    if ((settled = vd_job_settle(jw, VD_SETTLE_TOP, want, err)) < 0)
        return -1;
    if (!settled)
        return vd_fail(err, VDISK_ERR_LIBVIRT,
                       "target '%s': libvirt pivoted, but the live definition does not show "
                       "%s on top after %d s",
                       jw->target, want, VD_JOB_SETTLE_MS / 1000);
    jw->st.phase = "done";
    vd_job_report(jw, true);
    return 0;
}

/* Starts a job with @start, retrying while libvirt still tears a finished
 * one down. */
typedef int (*vd_job_start_fn)(virDomainPtr dom, const char *target, void *data);

static int
vd_job_start(virDomainPtr dom, const char *target, const char *what, vd_job_start_fn start,
             void *data, vdisk_error **err)
{
    gint64 until = g_get_monotonic_time() + VD_JOB_BUSY_RETRY_MS * G_TIME_SPAN_MILLISECOND;

    for (;;) {
        char *msg = NULL;
        g_autofree char *m = NULL;
        int code;

        if (start(dom, target, data) == 0)
            return 0;
        code = vd_virt_take_error(&msg);
        m = msg;
        if (vd_job_busy_error(code, m) && g_get_monotonic_time() < until) {
            virDomainBlockJobInfo info;
            int rc = vd_job_info(dom, target, &info, err);

            if (rc < 0)
                return -1;
            if (rc > 0)
                return vd_fail(err, VDISK_ERR_EXISTS,
                               "target '%s': a %s job runs on the disk: no %s until it ends",
                               target, vdisk_job_kind_name(vd_job_kind_of(info.type)), what);
            g_usleep(50 * G_TIME_SPAN_MILLISECOND);
            continue;
        }
        /* libvirt's checks of its host's files: a destination that exists
         * (seen only there on a remote connection) */
        if (vd_job_busy_error(code, m) || vd_virt_exists_error(code, m))
            vd_error_set_coded(err, VDISK_ERR_EXISTS, code,
                               "target '%s': libvirt refused the %s: %s", target, what, m);
        else
            vd_error_set_libvirt(err, code, "target '%s': libvirt refused the %s: %s", target, what,
                                 m);
        return -1;
    }
}

/* The common checks of a job call. */
static int
vd_job_args(virDomainPtr dom, const char *target, unsigned int flags, unsigned int known,
            vdisk_error **err)
{
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    if (!target || !*target)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no target given");
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': unsupported flags 0x%x", target,
                       flags & ~known);
    return vd_libvirt_load(err);
}

/* Records a copy or an active commit in the domain's metadata while the call
 * waits for it, so that vdisk_hotplug_recover() ends one whose caller died:
 * pivoting a ready mirror the caller meant to pivot, aborting it otherwise,
 * and removing a copy destination made for the call. */
static int
vd_job_record(vd_intent **out, virDomainPtr dom, const char *target, vdisk_job_kind kind,
              const char *dest, bool created, bool pivot, vdisk_error **err)
{
    g_autofree char *dest64 = g_base64_encode((const guchar *)dest, strlen(dest));
    g_autofree char *xml = g_strdup_printf("<job kind='%s' dest64='%s' created='%s' pivot='%s'/>",
                                           vdisk_job_kind_name(kind), dest64,
                                           created ? "yes" : "no", pivot ? "yes" : "no");

    return vd_intent_begin(out, dom, VD_INTENT_JOB, target, xml, NULL, err);
}

/* A call whose options were cancelled before it started its job. */
static int
vd_job_refuse_cancelled(vd_job_wait *jw, vdisk_error **err)
{
    if (!vd_job_cancelled(jw))
        return 0;
    return vd_fail(err, VDISK_ERR_CANCELLED,
                   "target '%s': cancelled before the %s job started; nothing was changed",
                   jw->target, vdisk_job_kind_name(jw->kind));
}

static int
vd_job_cancelled_error(vd_job_wait *jw, const char *chain, vdisk_error **err)
{
    return vd_fail(err, VDISK_ERR_CANCELLED,
                   "target '%s': the %s job was cancelled and aborted; the disk keeps its "
                   "chain %s",
                   jw->target, vdisk_job_kind_name(jw->kind), chain);
}

static int
vd_job_pending_error(vd_job_wait *jw, vdisk_error **err)
{
    return vd_fail(err, VDISK_ERR_PENDING,
                   "target '%s': the %s job still runs (%llu of %llu bytes%s); "
                   "vdisk job shows it, vdisk job --abort ends it",
                   jw->target, vdisk_job_kind_name(jw->kind), jw->st.cur, jw->st.end,
                   jw->st.ready ? ", ready to pivot" : "");
}

/* The outcome of a job that ended by itself: @settle_kind/@want is what the
 * chain shows when it completed; anything else is a failure. */
static int
vd_job_ended(vd_job_wait *jw, vd_settle_kind settle_kind, const char *want, const char *failed,
             vdisk_error **err)
{
    int ended = g_atomic_int_get(&jw->w->ended);
    int settled;

    if (ended == 2 || ended == 3)
        return vd_fail(err, VDISK_ERR_LIBVIRT, "target '%s': %s (libvirt reports the job %s)",
                       jw->target, failed, ended == 2 ? "failed" : "cancelled");
    if ((settled = vd_job_settle(jw, settle_kind, want, err)) < 0)
        return -1;
    if (!settled)
        return vd_fail(err, VDISK_ERR_LIBVIRT, "target '%s': %s (the job ended without it)",
                       jw->target, failed);
    jw->st.phase = "done";
    jw->st.cur = jw->st.end;
    vd_job_report(jw, true);
    return 0;
}

/* ---- job calls ---------------------------------------------------------------------- */

int
vdisk_job_get(vdisk_job_status **out, virDomainPtr dom, const char *target, vdisk_error **err)
{
    virDomainBlockJobInfo info;
    vd_chain c;
    vdisk_job_status *st;
    int rc;

    VD_API_ENTER();
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no output pointer given");
    *out = NULL;
    if (vd_job_args(dom, target, 0, 0, err) < 0)
        return -1;
    if (vd_live_chain(&c, dom, target, "a block job", NULL, err) < 0)
        return -1;
    if ((rc = vd_job_info(dom, target, &info, err)) < 0) {
        vd_chain_clear(&c);
        return -1;
    }
    if (rc > 0) {
        st = g_new0(vdisk_job_status, 1);
        st->target = g_strdup(target);
        st->kind = vd_job_kind_of(info.type);
        st->cur = info.cur;
        st->end = info.end;
        st->ready = c.mirror && c.mirror_ready;
        st->phase = st->ready ? "ready" : "running";
        *out = st;
    }
    vd_chain_clear(&c);
    return 0;
}

int
vdisk_job_abort(virDomainPtr dom, const char *target, unsigned int flags, vdisk_job_opts *opts,
                vdisk_error **err)
{
    virDomainBlockJobInfo info;
    vd_chain c;
    vd_job_wait jw;
    int rc;

    VD_API_ENTER();
    if (vd_job_args(dom, target, flags, VDISK_JOB_PIVOT, err) < 0)
        return -1;
    if (vd_live_chain(&c, dom, target, "a block job", NULL, err) < 0)
        return -1;
    if ((rc = vd_job_info(dom, target, &info, err)) <= 0) {
        vd_chain_clear(&c);
        if (rc == 0)
            return vd_fail(err, VDISK_ERR_NOT_FOUND,
                           "target '%s': no block job runs on the disk of domain '%s'", target,
                           vd_dom_name(dom));
        return -1;
    }
    vd_job_wait_begin(&jw, dom, target, vd_job_kind_of(info.type), opts);
    jw.st.cur = info.cur;
    jw.st.end = info.end;
    jw.st.ready = c.mirror && c.mirror_ready;
    if (flags & VDISK_JOB_PIVOT) {
        g_autofree char *want = NULL;
        vd_wait_result wr;

        if (!c.mirror) {
            vd_job_wait_end(&jw);
            vd_chain_clear(&c);
            return vd_fail(err, VDISK_ERR_INVALID,
                           "target '%s': the %s job has no mirror to pivot onto", target,
                           vdisk_job_kind_name(vd_job_kind_of(info.type)));
        }
        /* an active commit pivots onto its base: the image below the top
         * that the commit ends in is not named in <mirror>'s path when it
         * is a pool's; the mirror's description is the path either way */
        want = g_strdup(c.mirror_desc);
        wr = vd_job_wait_for(&jw, true, err);
        rc = -1;
        if (wr == VD_WAIT_READY)
            rc = vd_job_pivot(&jw, want, err);
        else if (wr == VD_WAIT_CANCELLED)
            rc = vd_job_cancelled_error(&jw, "it had", err);
        else if (wr == VD_WAIT_TIMEOUT)
            rc = vd_job_pending_error(&jw, err);
        else if (wr == VD_WAIT_ENDED)
            rc = vd_fail(err, VDISK_ERR_LIBVIRT,
                         "target '%s': the job ended before it could be pivoted", target);
    } else {
        rc = vd_job_abort_wait(&jw, err) < 0 ? -1 : 0;
        if (rc == 0) {
            jw.st.phase = "done";
            vd_job_report(&jw, true);
        }
    }
    vd_job_wait_end(&jw);
    vd_chain_clear(&c);
    return rc;
}

/* -- commit -- */

typedef struct {
    const char *base;
    const char *top;
    unsigned long long bandwidth;
    unsigned int flags;
} vd_commit_args;

static int
vd_commit_start(virDomainPtr dom, const char *target, void *data)
{
    vd_commit_args *a = data;

    return virDomainBlockCommit(dom, target, a->base, a->top, a->bandwidth, a->flags);
}

int
vdisk_block_commit(virDomainPtr dom, const char *target, const char *top, const char *base,
                   unsigned int flags, vdisk_job_opts *opts, vdisk_error **err)
{
    vd_chain c;
    ssize_t ti = 0, bi;
    g_autofree char *top_name = NULL;
    g_autofree char *base_name = NULL;
    g_autofree char *base_desc = NULL;
    g_autofree char *top_desc = NULL;
    g_autofree char *chain = NULL;
    vd_commit_args a = {0};
    vd_intent *intent = NULL;
    vd_job_wait jw;
    vd_wait_result wr;
    bool active;
    int rc = -1;

    VD_API_ENTER();
    if (vd_job_args(dom, target, flags, VDISK_JOB_NO_PIVOT, err) < 0)
        return -1;
    if (vd_live_chain(&c, dom, target, "a commit", NULL, err) < 0)
        return -1;
    chain = vd_chain_describe(&c);
    if (c.n < 2) {
        vd_chain_clear(&c);
        return vd_fail(err, VDISK_ERR_INVALID,
                       "target '%s': the disk has no backing image (its chain is %s): nothing "
                       "to commit",
                       target, chain);
    }
    if (top && (ti = vd_chain_find(&c, target, top)) < 0) {
        vd_error_set(err, VDISK_ERR_NOT_FOUND, "target '%s': top image '%s' is not in the chain %s",
                     target, top, chain);
        goto cleanup;
    }
    if (base) {
        if ((bi = vd_chain_find(&c, target, base)) < 0) {
            vd_error_set(err, VDISK_ERR_NOT_FOUND,
                         "target '%s': base image '%s' is not in the chain %s", target, base,
                         chain);
            goto cleanup;
        }
        if (bi <= ti) {
            vd_error_set(err, VDISK_ERR_NOT_FOUND,
                         "target '%s': base image '%s' is not below top image '%s' in the chain %s",
                         target, base, c.images[ti].desc, chain);
            goto cleanup;
        }
    } else if ((size_t)(bi = ti + 1) >= c.n) {
        vd_error_set(err, VDISK_ERR_INVALID,
                     "target '%s': image '%s' has no backing image to commit into (chain %s)",
                     target, c.images[ti].desc, chain);
        goto cleanup;
    }
    if (vd_job_refuse_busy(dom, target, &c, "commit", err) < 0)
        goto cleanup;
    active = ti == 0;
    top_name = vd_chain_name(&c, target, ti);
    base_name = vd_chain_name(&c, target, bi);
    top_desc = g_strdup(c.images[ti].desc);
    base_desc = g_strdup(c.images[bi].desc);
    a.top = active ? NULL : top_name;
    a.base = base_name;
    a.flags = active ? VIR_DOMAIN_BLOCK_COMMIT_ACTIVE : 0;
    if (opts && opts->bandwidth) {
        a.bandwidth = opts->bandwidth;
        a.flags |= VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES;
    }

    vd_job_wait_begin(&jw, dom, target, active ? VDISK_JOB_ACTIVE_COMMIT : VDISK_JOB_COMMIT, opts);
    if (vd_job_refuse_cancelled(&jw, err) < 0)
        goto end_wait;
    if (active && vd_job_record(&intent, dom, target, VDISK_JOB_ACTIVE_COMMIT, base_desc, false,
                                !(flags & VDISK_JOB_NO_PIVOT), err) < 0)
        goto end_wait;
    if (vd_job_start(dom, target, "commit", vd_commit_start, &a, err) < 0)
        goto end_wait;
    vd_job_report(&jw, true);
    wr = vd_job_wait_for(&jw, active, err);
    switch (wr) {
    case VD_WAIT_READY:
        if (flags & VDISK_JOB_NO_PIVOT) {
            rc = 0;
            break;
        }
        rc = vd_job_pivot(&jw, base_desc, err);
        break;
    case VD_WAIT_ENDED:
        if (active)
            rc = vd_fail(err, VDISK_ERR_LIBVIRT,
                         "target '%s': the commit of %s into %s ended before its mirror was "
                         "ready; the disk keeps %s",
                         target, top_desc, base_desc, chain);
        else
            rc = vd_job_ended(&jw, VD_SETTLE_GONE, top_desc, "the commit failed", err);
        break;
    case VD_WAIT_CANCELLED:
        rc = vd_job_cancelled_error(&jw, chain, err);
        break;
    case VD_WAIT_TIMEOUT:
        rc = vd_job_pending_error(&jw, err);
        break;
    case VD_WAIT_ERROR:
        break;
    }
end_wait:
    vd_job_wait_end(&jw);
    vd_intent_end(dom, intent);
cleanup:
    vd_chain_clear(&c);
    return rc;
}

/* -- pull -- */

typedef struct {
    const char *base;
    unsigned long long bandwidth;
} vd_pull_args;

static int
vd_pull_start(virDomainPtr dom, const char *target, void *data)
{
    vd_pull_args *a = data;
    unsigned int flags = a->bandwidth ? VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES : 0;

    if (!a->base)
        return virDomainBlockPull(dom, target, a->bandwidth,
                                  a->bandwidth ? VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES : 0);
    return virDomainBlockRebase(dom, target, a->base, a->bandwidth, flags);
}

int
vdisk_block_pull(virDomainPtr dom, const char *target, const char *base, unsigned int flags,
                 vdisk_job_opts *opts, vdisk_error **err)
{
    vd_chain c;
    ssize_t bi = -1;
    g_autofree char *base_name = NULL;
    g_autofree char *base_desc = NULL;
    g_autofree char *chain = NULL;
    vd_pull_args a = {0};
    vd_job_wait jw;
    int rc = -1;

    VD_API_ENTER();
    if (vd_job_args(dom, target, flags, 0, err) < 0)
        return -1;
    if (vd_live_chain(&c, dom, target, "a pull", NULL, err) < 0)
        return -1;
    chain = vd_chain_describe(&c);
    if (c.n < 2) {
        vd_chain_clear(&c);
        return vd_fail(err, VDISK_ERR_INVALID,
                       "target '%s': the disk has no backing image (its chain is %s): nothing "
                       "to pull",
                       target, chain);
    }
    if (base) {
        if ((bi = vd_chain_find(&c, target, base)) < 1) {
            vd_error_set(err, VDISK_ERR_NOT_FOUND,
                         "target '%s': base image '%s' is not below the top in the chain %s",
                         target, base, chain);
            goto cleanup;
        }
        if (bi == 1) {
            vd_error_set(
                err, VDISK_ERR_INVALID,
                "target '%s': '%s' is the top's backing already: nothing to pull (chain %s)",
                target, base, chain);
            goto cleanup;
        }
        base_name = vd_chain_name(&c, target, bi);
        base_desc = g_strdup(c.images[bi].desc);
    }
    if (vd_job_refuse_busy(dom, target, &c, "pull", err) < 0)
        goto cleanup;
    a.base = base_name;
    a.bandwidth = opts ? opts->bandwidth : 0;

    vd_job_wait_begin(&jw, dom, target, VDISK_JOB_PULL, opts);
    if (vd_job_refuse_cancelled(&jw, err) < 0)
        goto end_wait;
    if (vd_job_start(dom, target, "pull", vd_pull_start, &a, err) < 0)
        goto end_wait;
    vd_job_report(&jw, true);
    switch (vd_job_wait_for(&jw, false, err)) {
    case VD_WAIT_ENDED:
    case VD_WAIT_READY:
        rc = vd_job_ended(&jw, VD_SETTLE_BACKING, base_desc, "the pull failed", err);
        break;
    case VD_WAIT_CANCELLED:
        rc = vd_job_cancelled_error(&jw, chain, err);
        break;
    case VD_WAIT_TIMEOUT:
        rc = vd_job_pending_error(&jw, err);
        break;
    case VD_WAIT_ERROR:
        break;
    }
end_wait:
    vd_job_wait_end(&jw);
cleanup:
    vd_chain_clear(&c);
    return rc;
}

/* -- copy -- */

typedef struct {
    const char *xml;
    unsigned long long bandwidth;
    unsigned int flags;
} vd_copy_args;

static int
vd_copy_start(virDomainPtr dom, const char *target, void *data)
{
    vd_copy_args *a = data;
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0;
    int rc;

    if (a->bandwidth && virTypedParamsAddULLong(&params, &nparams, &maxparams,
                                                VIR_DOMAIN_BLOCK_COPY_BANDWIDTH, a->bandwidth) < 0)
        return -1;
    rc = virDomainBlockCopy(dom, target, a->xml, params, nparams, a->flags);
    virTypedParamsFree(params, nparams);
    return rc;
}

/* Whether libvirt reached a local connection: paths are this host's. */
static bool
vd_local(virDomainPtr dom)
{
    return vd_virt_connection_is_local(virDomainGetConnect(dom));
}

/* A hint for a failed copy: the destination's free space. */
static char *
vd_copy_hint(const char *dest, unsigned long long need)
{
    g_autofree char *dir = g_path_get_dirname(dest);
    struct statvfs sv;
    unsigned long long avail;

    if (statvfs(dir, &sv) < 0)
        return g_strdup("");
    if (sv.f_flag & ST_RDONLY)
        return g_strdup_printf("; %s is on a read-only file system", dir);
    avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
    if (need && avail < need)
        return g_strdup_printf("; %s has %llu bytes free, the disk holds %llu", dir, avail, need);
    return g_strdup("");
}

int
vdisk_block_copy(virDomainPtr dom, const char *target, const char *dest, vdisk_format format,
                 unsigned int flags, vdisk_job_opts *opts, vdisk_error **err)
{
    const unsigned int known = VDISK_JOB_SHALLOW | VDISK_JOB_REUSE | VDISK_JOB_NO_PIVOT;
    vd_chain c;
    g_autofree char *chain = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *top = NULL;
    g_autofree char *esc = NULL;
    vd_copy_args a = {0};
    vd_intent *intent = NULL;
    vd_job_wait jw;
    bool local;
    bool created = false;
    bool is_block = false;
    struct stat sb;
    const char *fmt = NULL;
    int rc = -1;

    VD_API_ENTER();
    if (vd_job_args(dom, target, flags, known, err) < 0)
        return -1;
    if (!dest || !*dest)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': no copy destination given",
                       target);
    if (format < VDISK_FORMAT_NONE || format >= VDISK_FORMAT_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': unknown format %d", target,
                       (int)format);
    if (dest[0] != '/')
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "target '%s': copy destination '%s' is not an absolute path", target, dest);
    if (vd_live_chain(&c, dom, target, "a copy", NULL, err) < 0)
        return -1;
    chain = vd_chain_describe(&c);
    if (!c.n) {
        vd_error_set(err, VDISK_ERR_INVALID, "target '%s': the disk has no source to copy", target);
        goto cleanup;
    }
    top = g_strdup(c.images[0].desc);
    if (strcmp(top, dest) == 0) {
        vd_error_set(err, VDISK_ERR_INVALID_ARG, "target '%s': '%s' is the disk's own image",
                     target, dest);
        goto cleanup;
    }
    if (vd_job_refuse_busy(dom, target, &c, "copy", err) < 0)
        goto cleanup;
    local = vd_local(dom);
    if (local) {
        if (stat(dest, &sb) == 0) {
            is_block = S_ISBLK(sb.st_mode);
            if (!is_block && !(flags & VDISK_JOB_REUSE)) {
                vd_error_set(err, VDISK_ERR_EXISTS,
                             "target '%s': copy destination '%s' exists (reuse uses it as it is)",
                             target, dest);
                goto cleanup;
            }
        } else if (errno != ENOENT) {
            vd_error_set(err, VDISK_ERR_SYSTEM,
                         "target '%s': cannot look at copy destination '%s': %s", target, dest,
                         g_strerror(errno));
            goto cleanup;
        } else if (flags & VDISK_JOB_REUSE) {
            vd_error_set(err, VDISK_ERR_NOT_FOUND,
                         "target '%s': copy destination '%s' does not exist (reuse needs it)",
                         target, dest);
            goto cleanup;
        } else {
            g_autofree char *dir = g_path_get_dirname(dest);

            if (access(dir, W_OK) < 0) {
                vd_error_set(err, VDISK_ERR_INVALID_ARG,
                             "target '%s': copy destination '%s' cannot be created: %s: %s", target,
                             dest, dir, g_strerror(errno));
                goto cleanup;
            }
            {
                struct statvfs sv;

                if (statvfs(dir, &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
                    vd_error_set(err, VDISK_ERR_INVALID_ARG,
                                 "target '%s': copy destination '%s' cannot be created: %s is on a "
                                 "read-only file system",
                                 target, dest, dir);
                    goto cleanup;
                }
            }
            created = true;
        }
    } else {
        is_block = g_str_has_prefix(dest, "/dev/");
    }

    if (format != VDISK_FORMAT_NONE)
        fmt = vdisk_enum_to_string(VDISK_ENUM_FORMAT, format);
    else if (!(flags & VDISK_JOB_REUSE) && !is_block && c.images[0].format != VDISK_FORMAT_NONE)
        fmt = vdisk_enum_to_string(VDISK_ENUM_FORMAT, c.images[0].format);
    esc = g_markup_escape_text(dest, -1);
    xml = g_strdup_printf("<disk type='%s'><source %s='%s'/>%s%s%s</disk>",
                          is_block ? "block" : "file", is_block ? "dev" : "file", esc,
                          fmt ? "<driver type='" : "", fmt ? fmt : "", fmt ? "'/>" : "");
    a.xml = xml;
    a.bandwidth = opts ? opts->bandwidth : 0;
    a.flags = VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB |
              (flags & VDISK_JOB_SHALLOW ? VIR_DOMAIN_BLOCK_COPY_SHALLOW : 0) |
              ((flags & VDISK_JOB_REUSE) || is_block ? VIR_DOMAIN_BLOCK_COPY_REUSE_EXT : 0);

    vd_job_wait_begin(&jw, dom, target, VDISK_JOB_COPY, opts);
    if (vd_job_refuse_cancelled(&jw, err) < 0)
        goto end_wait;
    if (vd_job_record(&intent, dom, target, VDISK_JOB_COPY, dest, created,
                      !(flags & VDISK_JOB_NO_PIVOT), err) < 0) {
        created = false;
        goto end_wait;
    }
    if (vd_job_start(dom, target, "copy", vd_copy_start, &a, err) < 0) {
        /* libvirt removes what it created for a copy it refused */
        created = false;
        goto end_wait;
    }
    vd_job_report(&jw, true);
    switch (vd_job_wait_for(&jw, true, err)) {
    case VD_WAIT_READY:
        if (flags & VDISK_JOB_NO_PIVOT) {
            created = false;
            rc = 0;
            break;
        }
        rc = vd_job_pivot(&jw, dest, err);
        if (rc == 0)
            created = false;
        break;
    case VD_WAIT_ENDED: {
        g_autofree char *hint = local ? vd_copy_hint(dest, jw.st.end) : g_strdup("");

        vd_job_settle(&jw, VD_SETTLE_TOP, top, NULL);
        rc = vd_fail(err, VDISK_ERR_LIBVIRT,
                     "target '%s': the copy to '%s' failed (libvirt reports the job %s)%s; the "
                     "disk stays on %s",
                     target, dest, g_atomic_int_get(&jw.w->ended) == 3 ? "cancelled" : "failed",
                     hint, chain);
        break;
    }
    case VD_WAIT_CANCELLED:
        rc = vd_job_cancelled_error(&jw, chain, err);
        break;
    case VD_WAIT_TIMEOUT:
        created = false;
        rc = vd_job_pending_error(&jw, err);
        break;
    case VD_WAIT_ERROR:
        /* a domain that is gone holds the destination no more */
        created = created && virDomainIsActive(dom) != 1;
        break;
    }
end_wait:
    vd_job_wait_end(&jw);
    if (created && rc < 0)
        (void)unlink(dest);
    vd_intent_end(dom, intent);
cleanup:
    vd_chain_clear(&c);
    return rc;
}
