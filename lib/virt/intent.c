/*
 * intent.c: the record of a change in progress, in the domain's <metadata>
 *
 * A change that touches both the live and the persistent definition is
 * recorded before its first step and the record is removed after its last,
 * so that one interrupted in between (the caller killed, libvirtd restarted,
 * the connection lost) can be finished or undone by vdisk_hotplug_recover().
 *
 * Each record is one element in a namespace of its own, VD_INTENT_NS
 * followed by the record's id, so that concurrent changes of one domain (by
 * threads, processes or hosts) never overwrite each other's record. It is
 * set with virDomainSetMetadata() on both definitions at once:
 *
 *   <vdisk:intent xmlns:vdisk='https://libvdisk.org/xmlns/intent/1/ID'
 *       op='attach' target='sdb' host='h1' pid='4242' start='123456'
 *       disk='BASE64 OF THE <disk> XML' old='...'/>
 *
 * Only attributes this file writes are read back, so a plain scan of the
 * element libvirt hands back is enough; the disks inside are base64 so no
 * XML escaping is involved.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "virt/intent.h"
#include "virt/virt_priv.h"

static const char *const vd_intent_op_names[VD_INTENT_LAST] = {"attach", "detach", "media", "job"};

const char *
vd_intent_op_name(vd_intent_op op)
{
    return op < VD_INTENT_LAST ? vd_intent_op_names[op] : "unknown";
}

void
vd_intent_free(vd_intent *in)
{
    if (!in)
        return;
    g_free(in->id);
    g_free(in->target);
    g_free(in->disk_xml);
    g_free(in->old_xml);
    g_free(in->host);
    g_free(in);
}

/* Field 22 of /proc/PID/stat: the process's start time; 0 when unknown. */
static unsigned long long
vd_proc_start_time(long pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%ld/stat", pid);
    g_autofree char *text = NULL;
    const char *p;
    int field;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    /* the command name (field 2) may hold spaces: count from its ')' */
    if (!(p = strrchr(text, ')')))
        return 0;
    for (field = 2; *p && field < 22; p++) {
        if (*p == ' ')
            field++;
    }
    return g_ascii_strtoull(p, NULL, 10);
}

bool
vd_intent_owner_alive(const vd_intent *in, bool *elsewhere)
{
    *elsewhere = false;
    if (!in->host || strcmp(in->host, g_get_host_name()) != 0) {
        *elsewhere = true;
        return false;
    }
    if (in->pid <= 0)
        return false;
    if (in->pid == (long)getpid())
        return false; /* this process is the one recovering */
    return in->start != 0 && vd_proc_start_time(in->pid) == in->start;
}

static char *
vd_intent_uri(const char *id)
{
    return g_strdup_printf("%s%s", VD_INTENT_NS, id);
}

static char *
vd_b64(const char *s)
{
    return g_base64_encode((const guchar *)s, strlen(s));
}

int
vd_intent_begin(vd_intent **out, virDomainPtr dom, vd_intent_op op, const char *target,
                const char *disk_xml, const char *old_xml, vdisk_error **err)
{
    g_autoptr(vd_intent) in = g_new0(vd_intent, 1);
    g_autofree char *uri = NULL;
    g_autofree char *disk64 = NULL;
    g_autofree char *old64 = NULL;
    g_autofree char *host = NULL;
    g_autofree char *elem = NULL;
    g_autofree char *uuid = g_uuid_string_random();
    unsigned int affect;

    *out = NULL;
    in->id = g_strdup(uuid);
    in->op = op;
    in->target = g_strdup(target);
    in->live = true;
    in->config = true;
    in->disk_xml = g_strdup(disk_xml);
    in->old_xml = g_strdup(old_xml);
    in->host = g_strdup(g_get_host_name());
    in->pid = (long)getpid();
    in->start = vd_proc_start_time(in->pid);

    uri = vd_intent_uri(in->id);
    disk64 = disk_xml ? vd_b64(disk_xml) : NULL;
    old64 = old_xml ? vd_b64(old_xml) : NULL;
    host = g_markup_escape_text(in->host, -1);
    elem = g_strdup_printf("<intent op='%s' target='%s' host='%s' pid='%ld' start='%llu'"
                           "%s%s%s%s%s%s/>",
                           vd_intent_op_name(op), target, host, in->pid, in->start,
                           disk64 ? " disk='" : "", disk64 ? disk64 : "", disk64 ? "'" : "",
                           old64 ? " old='" : "", old64 ? old64 : "", old64 ? "'" : "");
    affect = (virDomainIsActive(dom) == 1 ? VIR_DOMAIN_AFFECT_LIVE : 0) |
             (virDomainIsPersistent(dom) == 1 ? VIR_DOMAIN_AFFECT_CONFIG : 0);
    if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, elem, VD_INTENT_PREFIX, uri,
                             affect) < 0) {
        vd_virt_error(err,
                      "target '%s': cannot record the %s in the metadata of domain '%s' "
                      "(nothing was changed)",
                      target, vd_intent_op_name(op), vd_dom_name(dom));
        return -1;
    }
    *out = g_steal_pointer(&in);
    return 0;
}

/* Removes the record from the definitions given by @affect. */
static int
vd_intent_remove(virDomainPtr dom, const char *id, unsigned int affect)
{
    g_autofree char *uri = vd_intent_uri(id);

    return virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, uri, affect);
}

int
vd_intent_clear(virDomainPtr dom, const vd_intent *in, vdisk_error **err)
{
    int active = virDomainIsActive(dom);
    int persistent = virDomainIsPersistent(dom);
    unsigned int affect = (active == 1 ? VIR_DOMAIN_AFFECT_LIVE : 0) |
                          (persistent == 1 ? VIR_DOMAIN_AFFECT_CONFIG : 0);

    if (active < 0 || persistent < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(dom));
        return -1;
    }
    if (affect == 0)
        return 0; /* the domain is gone, and its record with it */
    /* removing a record that is not there succeeds */
    if (vd_intent_remove(dom, in->id, affect) < 0) {
        vd_virt_error(err, "cannot remove the record of the %s of target '%s' from domain '%s'",
                      vd_intent_op_name(in->op), in->target, vd_dom_name(dom));
        return -1;
    }
    return 0;
}

void
vd_intent_end(virDomainPtr dom, vd_intent *in)
{
    if (!in)
        return;
    if (vd_intent_clear(dom, in, NULL) < 0)
        virResetLastError();
    vd_intent_free(in);
}

char *
vd_intent_attr(const char *elem, const char *name)
{
    g_autofree char *needle = g_strdup_printf(" %s=", name);
    const char *p = strstr(elem, needle);
    const char *end;
    char quote;

    if (!p)
        return NULL;
    p += strlen(needle);
    quote = *p++;
    if ((quote != '\'' && quote != '"') || !(end = strchr(p, quote)))
        return NULL;
    return g_strndup(p, end - p);
}

static char *
vd_unb64(const char *s)
{
    g_autofree guchar *raw = NULL;
    gsize len = 0;

    if (!s)
        return NULL;
    raw = g_base64_decode(s, &len);
    return g_strndup((const char *)raw, len);
}

/* The record @id as the definition (@flags) holds it; NULL when it has none. */
static vd_intent *
vd_intent_read(virDomainPtr dom, const char *id, unsigned int flags)
{
    g_autofree char *uri = vd_intent_uri(id);
    g_autofree char *elem = NULL;
    g_autofree char *op = NULL;
    g_autofree char *pid = NULL;
    g_autofree char *start = NULL;
    g_autofree char *disk = NULL;
    g_autofree char *old = NULL;
    vd_intent *in;
    char *raw;
    int i;

    if (!(raw = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, uri, flags))) {
        virResetLastError();
        return NULL;
    }
    elem = g_strdup(raw);
    free(raw);
    in = g_new0(vd_intent, 1);
    in->id = g_strdup(id);
    in->op = VD_INTENT_LAST;
    if ((op = vd_intent_attr(elem, "op"))) {
        for (i = 0; i < VD_INTENT_LAST; i++) {
            if (strcmp(op, vd_intent_op_names[i]) == 0)
                in->op = (vd_intent_op)i;
        }
    }
    in->target = vd_intent_attr(elem, "target");
    in->live = in->config = true;
    /* host names hold no markup characters: what was written comes back */
    in->host = vd_intent_attr(elem, "host");
    pid = vd_intent_attr(elem, "pid");
    in->pid = pid ? strtol(pid, NULL, 10) : 0;
    start = vd_intent_attr(elem, "start");
    in->start = start ? g_ascii_strtoull(start, NULL, 10) : 0;
    disk = vd_intent_attr(elem, "disk");
    in->disk_xml = vd_unb64(disk);
    old = vd_intent_attr(elem, "old");
    in->old_xml = vd_unb64(old);
    return in;
}

/* Adds the ids of every record in @xml (a domain's XML) to @ids. */
static void
vd_intent_scan(GHashTable *ids, const char *xml)
{
    const char *p = xml;

    while ((p = strstr(p, VD_INTENT_NS))) {
        const char *id = p + strlen(VD_INTENT_NS);
        size_t n = strspn(id, "0123456789abcdefABCDEF-");

        if (n > 0)
            g_hash_table_add(ids, g_strndup(id, n));
        p = id;
    }
}

int
vd_intent_list(GPtrArray **out, virDomainPtr dom, vdisk_error **err)
{
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)vd_intent_free);
    int active = virDomainIsActive(dom);
    int persistent = virDomainIsPersistent(dom);
    GHashTableIter it;
    gpointer key;
    int pass;

    *out = NULL;
    if (active < 0 || persistent < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(dom));
        return -1;
    }
    for (pass = 0; pass < 2; pass++) {
        bool inactive = pass == 1;
        char *raw;

        if ((inactive && !persistent) || (!inactive && !active))
            continue;
        if (!(raw = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0))) {
            vd_virt_error(err, "cannot read the %s definition of domain '%s'",
                          inactive ? "persistent" : "live", vd_dom_name(dom));
            return -1;
        }
        vd_intent_scan(ids, raw);
        free(raw);
    }
    g_hash_table_iter_init(&it, ids);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        vd_intent *in = NULL;

        if (active)
            in = vd_intent_read(dom, key, VIR_DOMAIN_AFFECT_LIVE);
        if (!in && persistent)
            in = vd_intent_read(dom, key, VIR_DOMAIN_AFFECT_CONFIG);
        if (in)
            g_ptr_array_add(list, in);
    }
    *out = g_steal_pointer(&list);
    return 0;
}
