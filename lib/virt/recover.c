/*
 * recover.c: finishing or undoing the changes intent records say were
 * interrupted (vdisk_hotplug_recover)
 *
 * A record (intent.c) names the change, the target and the disk. What the
 * domain holds now decides what is left to do:
 *
 *   attach  the disk is in one definition and not the other: it is added
 *           where it is missing; if that fails, it is taken out where it is.
 *           In neither: nothing had been changed.
 *   detach  it is taken out where it still is (the live side waits for QEMU).
 *   media   the new medium is put in where the old one still is.
 *
 * QEMU is looked at too: block nodes on the disk's image (and a device
 * holding them) that no disk of libvirt's live definition uses are what an
 * attach interrupted inside libvirtd leaves behind; they are deleted, or a
 * new attach of the image would fail on QEMU's image lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "virt/intent.h"
#include "virt/qmp.h"
#include "virt/removal.h"
#include "virt/virt_priv.h"

#define VD_RECOVER_WAIT_MS 10000

/* ---- QEMU ------------------------------------------------------------------------ */

static char *
vd_qmp_text(virDomainPtr dom, const char *cmd, vdisk_error **err)
{
    char *reply = NULL;

    if (vd_libvirt_qemu_monitor(dom, cmd, &reply, err) < 0)
        return NULL;
    return reply;
}

/* Whether a live disk of @live has alias @alias, or one whose QOM path holds
 * it (virtio: /machine/peripheral/ALIAS/virtio-backend). */
static bool
vd_alias_is_libvirts(const vdisk_domain *live, const char *qdev)
{
    size_t i;

    for (i = 0; live && i < vdisk_domain_get_disk_count(live); i++) {
        const char *a = vdisk_disk_get_alias(vdisk_domain_get_disk_const(live, i));
        g_autofree char *inpath = a ? g_strdup_printf("/%s/", a) : NULL;

        if (a && (strcmp(a, qdev) == 0 || strstr(qdev, inpath)))
            return true;
    }
    return false;
}

/* Whether a source of a live disk of @live has index @index on @path. */
static bool
vd_index_is_libvirts(const vdisk_domain *live, const char *path, unsigned int index)
{
    size_t i;

    for (i = 0; live && i < vdisk_domain_get_disk_count(live); i++) {
        const vdisk_source *src = vdisk_disk_get_source_const(vdisk_domain_get_disk_const(live, i));

        for (; src; src = vdisk_source_get_backing(src)) {
            const char *p = vdisk_source_get_path(src);

            if (p && strcmp(p, path) == 0 && vdisk_source_get_index(src) == index)
                return true;
        }
    }
    return false;
}

/* libvirt's node names are libvirt-N-storage, libvirt-N-format: N, or -1. */
static int
vd_qemu_node_number(const char *name)
{
    char *end;
    long n;

    if (!name || !g_str_has_prefix(name, "libvirt-"))
        return -1;
    n = strtol(name + 8, &end, 10);
    return end != name + 8 && *end == '-' && n > 0 ? (int)n : -1;
}

/* Devices and block nodes QEMU has on @path that no live disk of libvirt's
 * uses: deleted (devices first: device_del, waited for). Adds what it did
 * to @report. */
static int
vd_qemu_drop_orphans(virDomainPtr dom, const vdisk_domain *live, const char *path, GString *report,
                     vdisk_error **err)
{
    g_autofree char *blocks = NULL;
    g_autofree char *nodes = NULL;
    g_autoptr(GPtrArray) devs = NULL;
    g_autoptr(GPtrArray) list = NULL;
    guint i;
    int pass;

    if (!(blocks = vd_qmp_text(dom, "{\"execute\":\"query-block\"}", err)))
        return -1;
    devs = vd_qmp_return_elements(blocks);
    for (i = 0; devs && i < devs->len; i++) {
        g_autofree char *qdev = vd_qmp_member(devs->pdata[i], "qdev");
        g_autofree char *inserted = vd_qmp_member(devs->pdata[i], "inserted");
        g_autofree char *file = inserted ? vd_qmp_member(inserted, "file") : NULL;
        g_autofree char *cmd = NULL;
        g_autofree char *reply = NULL;
        g_autofree char *id = NULL;
        gint64 deadline;

        if (!qdev || !file || strcmp(file, path) != 0 || vd_alias_is_libvirts(live, qdev))
            continue;
        /* virtio's qdev is a QOM path; device_del takes the device's id */
        if (g_str_has_prefix(qdev, "/machine/peripheral/")) {
            const char *s = qdev + strlen("/machine/peripheral/");
            id = g_strndup(s, strcspn(s, "/"));
        } else {
            id = g_strdup(qdev);
        }
        cmd = g_strdup_printf("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"%s\"}}", id);
        if (!(reply = vd_qmp_text(dom, cmd, err)))
            return -1;
        deadline = g_get_monotonic_time() + VD_RECOVER_WAIT_MS * G_TIME_SPAN_MILLISECOND;
        for (;;) {
            g_autofree char *now = vd_qmp_text(dom, "{\"execute\":\"query-block\"}", err);
            g_autofree char *needle = g_strdup_printf("\"qdev\":\"%s\"", qdev);

            if (!now)
                return -1;
            if (!strstr(now, needle))
                break;
            if (g_get_monotonic_time() > deadline)
                return vd_fail(err, VDISK_ERR_PENDING,
                               "QEMU device '%s' on '%s' is no disk of libvirt's, and the "
                               "guest has not released it after device_del",
                               id, path);
            g_usleep(50 * G_TIME_SPAN_MILLISECOND);
        }
        g_string_append_printf(report, "; removed QEMU device '%s' that libvirt did not know of",
                               id);
    }

    /* format nodes before the nodes they sit on */
    if (!(nodes = vd_qmp_text(dom,
                              "{\"execute\":\"query-named-block-nodes\",\"arguments\":"
                              "{\"flat\":true}}",
                              err)))
        return -1;
    list = vd_qmp_return_elements(nodes);
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; list && i < list->len; i++) {
            g_autofree char *name = vd_qmp_member(list->pdata[i], "node-name");
            g_autofree char *file = vd_qmp_member(list->pdata[i], "file");
            g_autofree char *drv = vd_qmp_member(list->pdata[i], "drv");
            g_autofree char *cmd = NULL;
            g_autofree char *reply = NULL;
            bool protocol = drv && (strcmp(drv, "file") == 0 || strcmp(drv, "host_device") == 0);
            int idx = vd_qemu_node_number(name);

            if (idx < 0 || !file || strcmp(file, path) != 0 || protocol != (pass == 1) ||
                vd_index_is_libvirts(live, path, (unsigned int)idx))
                continue;
            cmd = g_strdup_printf("{\"execute\":\"blockdev-del\",\"arguments\":"
                                  "{\"node-name\":\"%s\"}}",
                                  name);
            if (!(reply = vd_qmp_text(dom, cmd, err)))
                return -1;
            g_string_append_printf(report, "; deleted QEMU block node '%s' no disk used", name);
        }
    }
    return 0;
}

/* Whether QEMU has a device for the live disk @disk: 1, 0, -1. */
static int
vd_qemu_has_disk(virDomainPtr dom, const vdisk_disk *disk, vdisk_error **err)
{
    g_autofree char *blocks = NULL;
    g_autoptr(GPtrArray) devs = NULL;
    const char *alias = vdisk_disk_get_alias(disk);
    g_autofree char *inpath = alias ? g_strdup_printf("/%s/", alias) : NULL;
    guint i;

    if (!alias)
        return 0;
    if (!(blocks = vd_qmp_text(dom, "{\"execute\":\"query-block\"}", err)))
        return -1;
    devs = vd_qmp_return_elements(blocks);
    for (i = 0; devs && i < devs->len; i++) {
        g_autofree char *qdev = vd_qmp_member(devs->pdata[i], "qdev");

        if (qdev && (strcmp(qdev, alias) == 0 || strstr(qdev, inpath)))
            return 1;
    }
    return 0;
}

/* ---- the definitions ------------------------------------------------------------------ */

typedef struct {
    virDomainPtr dom;
    const vd_intent *in;
    vdisk_disk *disk;     /* from the record */
    vdisk_domain *live;   /* NULL when the domain does not run */
    vdisk_domain *config; /* NULL when it has no persistent definition */
    GString *report;
} vd_recovery;

static void
vd_recovery_clear(vd_recovery *r)
{
    vdisk_disk_free(r->disk);
    vdisk_domain_free(r->live);
    vdisk_domain_free(r->config);
}

static int
vd_recovery_reload(vd_recovery *r, vdisk_error **err)
{
    int active = virDomainIsActive(r->dom);
    int persistent = virDomainIsPersistent(r->dom);

    g_clear_pointer(&r->live, vdisk_domain_free);
    g_clear_pointer(&r->config, vdisk_domain_free);
    if (active < 0 || persistent < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(r->dom));
        return -1;
    }
    if (active && vd_virt_load_domain(&r->live, r->dom, false, err) < 0)
        return -1;
    if (persistent && vd_virt_load_domain(&r->config, r->dom, true, err) < 0)
        return -1;
    return 0;
}

/* The disk of @ctx with the record's target and source, or NULL. */
static vdisk_disk *
vd_recovery_find(vd_recovery *r, vdisk_domain *ctx)
{
    vdisk_disk *d = ctx ? vdisk_domain_find_disk(ctx, r->in->target) : NULL;
    const char *a;
    const char *b;

    if (!d)
        return NULL;
    a = vdisk_disk_get_path(d);
    b = vdisk_disk_get_path(r->disk);
    if ((a || b) && (!a || !b || strcmp(a, b) != 0))
        return NULL;
    return d;
}

static int
vd_recovery_attach_side(vd_recovery *r, bool live, vdisk_error **err)
{
    g_autofree char *xml = NULL;
    vdisk_error *inner = NULL;

    if (vd_virt_after(vdisk_disk_to_xml(&xml, r->disk, &inner), &inner, err) < 0)
        return -1;
    if (virDomainAttachDeviceFlags(r->dom, xml,
                                   live ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG) < 0) {
        vd_virt_error(err, "target '%s': libvirt refused to attach it to the %s definition",
                      r->in->target, live ? "live" : "persistent");
        return -1;
    }
    g_string_append_printf(r->report, "; attached to the %s definition",
                           live ? "live" : "persistent");
    return 0;
}

/* Takes the record's disk out of the definitions that have it. */
static int
vd_recovery_remove(vd_recovery *r, vdisk_error **err)
{
    vdisk_disk *l = vd_recovery_find(r, r->live);
    vdisk_disk *c = vd_recovery_find(r, r->config);

    if (l) {
        const char *alias = vdisk_disk_get_alias(l);

        if (!alias)
            return vd_fail(err, VDISK_ERR_INTERNAL,
                           "target '%s': libvirt gave the live disk no alias", r->in->target);
        vdisk_error *inner = NULL;
        g_autofree char *alias_copy = g_strdup(alias);

        switch (vd_hotplug_remove_live(r->dom, r->in->target, alias_copy, VD_RECOVER_WAIT_MS,
                                       &inner)) {
        case VD_REMOVAL_DONE:
            g_string_append(r->report, "; detached from the live definition");
            break;
        case VD_REMOVAL_PENDING:
            vdisk_error_free(inner);
            return vd_fail(err, VDISK_ERR_PENDING,
                           "target '%s': the live removal is still pending after %d ms (the "
                           "guest has not released the disk); run recovery again later",
                           r->in->target, VD_RECOVER_WAIT_MS);
        case VD_REMOVAL_FAILED:
            vdisk_error_free(inner);
            return vd_fail(err, VDISK_ERR_LIBVIRT,
                           "target '%s': the guest refused to release the live disk",
                           r->in->target);
        case VD_REMOVAL_ERROR: {
            /* libvirt may have been finishing an earlier removal of it (the
             * device-removed event is handled after the call that asked) */
            vdisk_domain *live = NULL;
            bool gone = vd_virt_load_domain(&live, r->dom, false, NULL) == 0 &&
                        !vdisk_domain_find_disk(live, r->in->target);

            vdisk_domain_free(live);
            if (!gone) {
                vd_error_wrap(err, inner, NULL);
                return -1;
            }
            vdisk_error_free(inner);
            g_string_append(r->report, "; libvirt finished the live removal it had started");
            break;
        }
        }
    }
    if (c) {
        g_autofree char *xml = NULL;
        vdisk_error *inner = NULL;

        if (vd_virt_after(vdisk_disk_to_xml(&xml, c, &inner), &inner, err) < 0)
            return -1;
        if (virDomainDetachDeviceFlags(r->dom, xml, VIR_DOMAIN_AFFECT_CONFIG) < 0) {
            vd_virt_error(err,
                          "target '%s': libvirt refused to remove it from the persistent "
                          "definition",
                          r->in->target);
            return -1;
        }
        g_string_append(r->report, "; removed from the persistent definition");
    }
    return 0;
}

static int
vd_recover_attach(vd_recovery *r, vdisk_error **err)
{
    bool in_live = vd_recovery_find(r, r->live) != NULL;
    bool in_config = vd_recovery_find(r, r->config) != NULL;
    vdisk_error *failed = NULL;

    if (!in_live && !in_config) {
        g_string_append(r->report, ": it had reached neither definition, nothing to undo");
        return 0;
    }
    if (in_live && (in_config || !r->config)) {
        g_string_append(r->report, ": it was complete");
        return 0;
    }
    /* finish it where it is missing ... */
    g_string_append(r->report, ": finishing it");
    if (!in_live && r->live && vd_recovery_attach_side(r, true, &failed) == 0)
        return 0;
    if (in_live && !in_config && vd_recovery_attach_side(r, false, &failed) == 0)
        return 0;
    if (!failed && !r->live)
        return 0; /* stopped meanwhile: the persistent definition has it */
    /* ... or undo it */
    g_string_append_printf(r->report, " failed (%s), undoing it",
                           failed ? vdisk_error_get_message(failed) : "?");
    vdisk_error_free(failed);
    return vd_recovery_remove(r, err);
}

static int
vd_recover_media(vd_recovery *r, vdisk_error **err)
{
    const char *want = vdisk_disk_get_path(r->disk);
    bool done = true;
    int pass;

    for (pass = 0; pass < 2; pass++) {
        vdisk_domain *ctx = pass == 0 ? r->live : r->config;
        vdisk_disk *d = ctx ? vdisk_domain_find_disk(ctx, r->in->target) : NULL;
        const char *have = d ? vdisk_disk_get_path(d) : NULL;

        if (!d || g_strcmp0(have, want) == 0)
            continue;
        done = false;
        if (vdisk_hotplug_change_media(r->dom, r->in->target, want,
                                       (pass == 0 ? VDISK_HOTPLUG_LIVE : VDISK_HOTPLUG_CONFIG) |
                                           VDISK_HOTPLUG_FORCE,
                                       err) < 0)
            return -1;
        g_string_append_printf(r->report, "; %s the %s medium", want ? "inserted" : "ejected",
                               pass == 0 ? "live" : "persistent");
    }
    if (done)
        g_string_append(r->report, ": it was complete");
    return 0;
}

/* A copy or an active commit whose caller died while it waited (blockjob.c
 * records them): a mirror that is ready and was meant to be pivoted is
 * pivoted; any other is aborted, and a destination made for the call that
 * no disk uses is removed. */
static int
vd_recover_job(vd_recovery *r, vdisk_error **err)
{
    const char *target = r->in->target;
    g_autofree char *dest64 = vd_intent_attr(r->in->disk_xml, "dest64");
    g_autofree char *created = vd_intent_attr(r->in->disk_xml, "created");
    g_autofree char *pivot = vd_intent_attr(r->in->disk_xml, "pivot");
    g_autofree char *dest = NULL;
    g_autofree guchar *raw = NULL;
    gsize len = 0;

    if (!dest64) {
        g_string_append(r->report, ": unreadable record, removed");
        return vd_intent_clear(r->dom, r->in, err);
    }
    raw = g_base64_decode(dest64, &len);
    dest = g_strndup((const char *)raw, len);
    if (vd_recovery_reload(r, err) < 0)
        return -1;
    if (r->live) {
        g_autoptr(vdisk_job_status) st = NULL;
        vdisk_disk *d = vdisk_domain_find_disk(r->live, target);
        const char *ready = d ? vdisk_disk_get_mirror_ready(d) : NULL;

        if (d && vdisk_job_get(&st, r->dom, target, err) < 0)
            return -1;
        if (st && g_strcmp0(pivot, "yes") == 0 && g_strcmp0(ready, "yes") == 0) {
            if (vdisk_job_abort(r->dom, target, VDISK_JOB_PIVOT, NULL, err) < 0)
                return -1;
            g_string_append_printf(r->report, ": finished: pivoted onto %s", dest);
        } else if (st) {
            if (vdisk_job_abort(r->dom, target, 0, NULL, err) < 0)
                return -1;
            g_string_append_printf(r->report, ": undone: the %s job was aborted",
                                   vdisk_job_kind_name(vdisk_job_status_get_kind(st)));
        } else {
            g_string_append(r->report, ": no job runs");
        }
        if (vd_recovery_reload(r, err) < 0)
            return -1;
    } else {
        g_string_append(r->report, ": the domain stopped, and the job with it");
    }
    if (g_strcmp0(created, "yes") == 0 && !vd_virt_disk_with_image(r->live, dest, NULL) &&
        !vd_virt_disk_with_image(r->config, dest, NULL) &&
        vd_virt_connection_is_local(virDomainGetConnect(r->dom)) && unlink(dest) == 0)
        g_string_append_printf(r->report, "; removed %s, made for it", dest);
    return vd_intent_clear(r->dom, r->in, err);
}

/* Recovers one record; its report line goes to @r->report. */
static int
vd_recover_one(vd_recovery *r, vdisk_error **err)
{
    vdisk_error *inner = NULL;
    const char *path;
    vdisk_disk *live_disk;

    g_string_append_printf(r->report, "%s of target '%s'", vd_intent_op_name(r->in->op),
                           r->in->target ? r->in->target : "?");
    if (r->in->op == VD_INTENT_LAST || !r->in->target || !r->in->disk_xml) {
        g_string_append(r->report, ": unreadable record, removed");
        return vd_intent_clear(r->dom, r->in, err);
    }
    if (r->in->op == VD_INTENT_JOB)
        return vd_recover_job(r, err);
    if (vd_virt_after(
            vdisk_disk_from_xml_flags(&r->disk, r->in->disk_xml, VDISK_PARSE_NO_VALIDATE, &inner),
            &inner, err) < 0)
        return -1;
    /* libvirtd finishes a call whose client died: a monitor command waits
     * for the domain's job, so what is read after it is not half way */
    if (virDomainIsActive(r->dom) == 1) {
        g_autofree char *status = vd_qmp_text(r->dom, "{\"execute\":\"query-status\"}", err);

        if (!status)
            return -1;
    }
    if (vd_recovery_reload(r, err) < 0)
        return -1;
    path = vdisk_disk_get_path(r->disk);
    /* what an attach interrupted inside libvirtd leaves in QEMU goes first:
     * it would hold the image's lock against the attach that finishes it */
    if (r->live && path && r->in->op != VD_INTENT_MEDIA &&
        vd_qemu_drop_orphans(r->dom, r->live, path, r->report, err) < 0)
        return -1;

    switch (r->in->op) {
    case VD_INTENT_ATTACH:
        if (vd_recover_attach(r, err) < 0)
            return -1;
        break;
    case VD_INTENT_DETACH:
        if (!vd_recovery_find(r, r->live) && !vd_recovery_find(r, r->config))
            g_string_append(r->report, ": it was complete");
        else if (g_string_append(r->report, ": finishing it"), vd_recovery_remove(r, err) < 0)
            return -1;
        break;
    case VD_INTENT_MEDIA:
        if (vd_recover_media(r, err) < 0)
            return -1;
        break;
    case VD_INTENT_JOB:
    case VD_INTENT_LAST:
        break;
    }

    /* the three agree: QEMU has the live disk exactly when libvirt has it */
    if (vd_recovery_reload(r, err) < 0)
        return -1;
    if (r->live && path && r->in->op != VD_INTENT_MEDIA &&
        vd_qemu_drop_orphans(r->dom, r->live, path, r->report, err) < 0)
        return -1;
    if (r->live && (live_disk = vd_recovery_find(r, r->live))) {
        int has = vd_qemu_has_disk(r->dom, live_disk, err);

        if (has < 0)
            return -1;
        if (!has)
            return vd_fail(err, VDISK_ERR_LIBVIRT,
                           "target '%s': libvirt's live definition has the disk (alias '%s') "
                           "but QEMU has no such device",
                           r->in->target, vdisk_disk_get_alias(live_disk));
    }
    return vd_intent_clear(r->dom, r->in, err);
}

int
vdisk_hotplug_recover(virDomainPtr dom, unsigned int flags, char **report, vdisk_error **err)
{
    g_autoptr(GPtrArray) intents = NULL;
    g_autoptr(GString) all = g_string_new(NULL);
    guint i;

    VD_API_ENTER();
    if (report)
        *report = NULL;
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    if (vd_libvirt_load(err) < 0)
        return -1;
    if (flags)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags);
    if (vd_intent_list(&intents, dom, err) < 0)
        return -1;
    for (i = 0; i < intents->len; i++) {
        const vd_intent *in = intents->pdata[i];
        vd_recovery r = {.dom = dom, .in = in, .report = g_string_new(NULL)};
        vdisk_error *inner = NULL;
        bool elsewhere;
        int rc;

        if (vd_intent_owner_alive(in, &elsewhere)) {
            g_string_append_printf(all,
                                   "%s of target '%s': still in progress (process %ld), "
                                   "left alone\n",
                                   vd_intent_op_name(in->op), in->target ? in->target : "?",
                                   in->pid);
            g_string_free(r.report, TRUE);
            continue;
        }
        rc = vd_recover_one(&r, &inner);
        g_string_append(all, r.report->str);
        g_string_free(r.report, TRUE);
        vd_recovery_clear(&r);
        if (rc < 0) {
            vd_error_wrap(err, inner, "domain '%s': %s", vd_dom_name(dom), all->str);
            return -1;
        }
        g_string_append_c(all, '\n');
    }
    if (report && all->len)
        *report = g_strdup(all->str);
    return 0;
}
