/*
 * source_api.c: the public accessors of storage sources
 *
 * A vdisk_source is a view onto a holder element (<disk>, <backingStore> or
 * <mirror>) and its <source> child. Getters read the tree; setters write it
 * at libvirt's canonical positions, drop elements they leave empty and keep
 * the type-specific attributes consistent with the source's type.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <string.h>

#include "conf/schema.h"
#include "conf/parse_util.h"
#include "conf/source_priv.h"
#include "util/error.h"

/* ---- views ------------------------------------------------------------- */

/* Getters that take a const disk hand out views too, so that several
 * threads may read one disk at once: the top view is set up when the disk
 * is made (vd_disk_wrap()) and only read here, and further views are pushed
 * onto the disk's list atomically, never changed once they are on it. */
static vdisk_source *
vd_view_top(vdisk_disk *disk)
{
    return &disk->top;
}

static vdisk_source *
vd_view_for(vdisk_disk *disk, vd_node *holder, unsigned int depth, bool is_mirror)
{
    vdisk_source *head;
    vdisk_source *v;

    if (holder == disk->node)
        return vd_view_top(disk);
    for (;;) {
        head = g_atomic_pointer_get(&disk->views);
        for (v = head; v; v = v->next_view) {
            if (v->holder == holder)
                return v;
        }
        v = g_new0(vdisk_source, 1);
        v->disk = disk;
        v->holder = holder;
        v->depth = depth;
        v->is_mirror = is_mirror;
        v->next_view = head;
        if (g_atomic_pointer_compare_and_exchange(&disk->views, head, v))
            return v;
        g_free(v); /* another thread added a view first: look again */
    }
}

static bool
vd_view_is_top(const vdisk_source *src)
{
    return src->holder == src->disk->node;
}

static vd_doc *
vd_view_doc(const vdisk_source *src)
{
    return src->disk->doc;
}

static vd_node *
vd_view_source(const vdisk_source *src)
{
    if (vd_view_is_top(src))
        return vd_disk_child_named(src->disk, "source");
    return vd_node_child(src->holder, "source");
}

static vd_node *
vd_view_ensure_source(vdisk_source *src)
{
    vd_node *n = vd_view_source(src);

    if (!n) {
        n = vd_node_new(vd_view_doc(src), "source");
        vd_schema_insert_child(src->holder, n);
    }
    return n;
}

/* Unlinks @node when it holds nothing. */
static void
vd_prune(vd_node *node)
{
    if (node && !node->attrs && !node->children)
        vd_node_unlink(node);
}

/* The top <source> goes when emptied (no media); a backing store keeps its
 * <source/>, which libvirt requires. */
static void
vd_view_prune_source(vdisk_source *src)
{
    if (vd_view_is_top(src))
        vd_prune(vd_view_source(src));
}

static void
vd_remove_children(vd_node *parent, const char *name)
{
    vd_node *c;

    if (!parent)
        return;
    c = parent->children;
    while (c) {
        vd_node *next = c->next;
        if (c->kind == VD_NODE_ELEMENT && strcmp(c->name, name) == 0)
            vd_node_unlink(c);
        c = next;
    }
}

/* Sets (value != NULL) or removes an attribute of <source>, creating the
 * element in its place and dropping it when emptied (top source only). */
static void
vd_view_set_source_attr(vdisk_source *src, const char *attr, const char *value)
{
    vd_node *s = vd_view_source(src);

    if (!value) {
        if (s) {
            vd_node_set_attr_static(vd_view_doc(src), s, attr, NULL);
            vd_view_prune_source(src);
        }
        return;
    }
    s = vd_view_ensure_source(src);
    vd_node_set_attr(vd_view_doc(src), s, attr, value);
    vd_schema_sort_attrs(s);
}

#define VD_CHECK_SRC(src, err)                                                                     \
    do {                                                                                           \
        if (!(src))                                                                                \
            return vd_fail((err), VDISK_ERR_INVALID_ARG, "no source given");                       \
    } while (0)

static const char *
vd_type_name(vdisk_type t)
{
    const char *s = vd_type_to_string(t);
    return s ? s : "unknown";
}

static const char *
vd_path_attr(vdisk_type t)
{
    switch (t) {
    case VDISK_TYPE_FILE:
        return "file";
    case VDISK_TYPE_BLOCK:
        return "dev";
    case VDISK_TYPE_DIR:
        return "dir";
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_NETWORK:
    case VDISK_TYPE_VOLUME:
    case VDISK_TYPE_NVME:
    case VDISK_TYPE_VHOSTUSER:
    case VDISK_TYPE_LAST:
        break;
    }
    return NULL;
}

/* The attributes and children of <source> that belong to type @t only. */
static void
vd_strip_type_specific(vd_doc *doc, vd_node *s, vdisk_type t)
{
    static const char *const file_attrs[] = {"file", "fdgroup", NULL};
    static const char *const block_attrs[] = {"dev", NULL};
    static const char *const dir_attrs[] = {"dir", NULL};
    static const char *const net_attrs[] = {"protocol", "name",        "query",
                                            "tls",      "tlsHostname", NULL};
    static const char *const net_children[] = {"host",      "identity", "snapshot", "config",
                                               "initiator", "ssl",      "cookies",  "readahead",
                                               "timeout",   NULL};
    static const char *const vol_attrs[] = {"pool", "volume", "mode", NULL};
    static const char *const nvme_attrs[] = {"type", "managed", "namespace", NULL};
    static const char *const nvme_children[] = {"address", NULL};
    static const char *const vu_attrs[] = {"type", "path", NULL};
    static const char *const vu_children[] = {"reconnect", NULL};
    const char *const *attrs = NULL;
    const char *const *children = NULL;
    size_t i;

    if (!s)
        return;
    switch (t) {
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_FILE:
        attrs = file_attrs;
        break;
    case VDISK_TYPE_BLOCK:
        attrs = block_attrs;
        break;
    case VDISK_TYPE_DIR:
        attrs = dir_attrs;
        break;
    case VDISK_TYPE_NETWORK:
        attrs = net_attrs;
        children = net_children;
        break;
    case VDISK_TYPE_VOLUME:
        attrs = vol_attrs;
        break;
    case VDISK_TYPE_NVME:
        attrs = nvme_attrs;
        children = nvme_children;
        break;
    case VDISK_TYPE_VHOSTUSER:
        attrs = vu_attrs;
        children = vu_children;
        break;
    case VDISK_TYPE_LAST:
        break;
    }
    for (i = 0; attrs && attrs[i]; i++)
        vd_node_set_attr_static(doc, s, attrs[i], NULL);
    for (i = 0; children && children[i]; i++)
        vd_remove_children(s, children[i]);
}

/* ---- disk-level entry points ------------------------------------------- */

vdisk_source *
vdisk_disk_get_source(vdisk_disk *disk)
{
    VD_API_ENTER();
    if (!disk)
        return NULL;
    return vd_view_top(disk);
}

const vdisk_source *
vdisk_disk_get_source_const(const vdisk_disk *disk)
{
    VD_API_ENTER();
    if (!disk)
        return NULL;
    return vd_view_top((vdisk_disk *)disk);
}

const vdisk_source *
vdisk_disk_get_mirror(const vdisk_disk *disk)
{
    vd_node *m;

    VD_API_ENTER();
    if (!disk || !(m = vd_node_child(disk->node, "mirror")))
        return NULL;
    return vd_view_for((vdisk_disk *)disk, m, 0, true);
}

const char *
vdisk_disk_get_mirror_job(const vdisk_disk *disk)
{
    vd_node *m;
    const char *job;

    VD_API_ENTER();
    if (!disk || !(m = vd_node_child(disk->node, "mirror")))
        return NULL;
    job = vd_node_attr(m, "job");
    return job ? job : "copy";
}

const char *
vdisk_disk_get_mirror_ready(const vdisk_disk *disk)
{
    vd_node *m;
    const char *ready;

    VD_API_ENTER();
    if (!disk || !(m = vd_node_child(disk->node, "mirror")))
        return NULL;
    ready = vd_node_attr(m, "ready");
    return ready && strcmp(ready, "none") != 0 ? ready : NULL;
}

vdisk_type
vdisk_disk_get_type(const vdisk_disk *disk)
{
    return disk ? vdisk_source_get_type(vdisk_disk_get_source_const(disk)) : VDISK_TYPE_NONE;
}

vdisk_format
vdisk_disk_get_format(const vdisk_disk *disk)
{
    return disk ? vdisk_source_get_format(vdisk_disk_get_source_const(disk)) : VDISK_FORMAT_NONE;
}

const char *
vdisk_disk_get_path(const vdisk_disk *disk)
{
    return disk ? vdisk_source_get_path(vdisk_disk_get_source_const(disk)) : NULL;
}

/* ---- type, format, path ------------------------------------------------ */

vdisk_type
vdisk_source_get_type(const vdisk_source *src)
{
    if (!src)
        return VDISK_TYPE_NONE;
    return vd_source_holder_type(src->holder);
}

int
vdisk_source_set_type(vdisk_source *src, vdisk_type type, vdisk_error **err)
{
    vdisk_type old;
    vdisk_type eff;
    vd_node *s;
    const char *from;
    const char *to;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if ((int)type < 0 || type >= VDISK_TYPE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid source type %d",
                       vd_disk_label(src->disk), (int)type);
    if (type == VDISK_TYPE_NONE && !vd_view_is_top(src))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: a backing store needs a type (use the <backingStore/> terminator "
                       "to end the chain)",
                       vd_disk_label(src->disk));
    old = vdisk_source_get_type(src);
    eff = type == VDISK_TYPE_NONE ? VDISK_TYPE_FILE : type;
    s = vd_view_source(src);
    from = vd_path_attr(old);
    to = vd_path_attr(eff);
    if (s && old != eff) {
        if (from && to) {
            const char *path = vd_node_attr(s, from);
            vd_attr *a = vd_node_attr_find(s, from);
            if (a && !vd_node_attr_find(s, to)) {
                vd_attr_rename(s, a, vd_arena_strdup(vd_view_doc(src), to)); /* keeps its place */
            } else if (path) {
                vd_node_set_attr_static(vd_view_doc(src), s, from, NULL);
                vd_node_set_attr(vd_view_doc(src), s, to, path);
            }
            if (old == VDISK_TYPE_FILE)
                vd_node_set_attr_static(vd_view_doc(src), s, "fdgroup", NULL);
        } else {
            vd_strip_type_specific(vd_view_doc(src), s, old);
        }
    }
    vd_node_set_attr_static(vd_view_doc(src), src->holder, "type",
                            type == VDISK_TYPE_NONE ? NULL : vd_type_to_string(type));
    {
        /* disk@type and backingStore@type lead the attributes */
        vd_attr **pp = &src->holder->attrs;
        while (*pp && strcmp((*pp)->name, "type") != 0)
            pp = &(*pp)->next;
        if (*pp && pp != &src->holder->attrs) {
            vd_attr *a = *pp;
            *pp = a->next;
            a->next = src->holder->attrs;
            src->holder->attrs = a;
        }
    }
    vd_view_prune_source(src);
    return 0;
}

static vd_node *
vd_view_format_node(const vdisk_source *src)
{
    if (vd_view_is_top(src))
        return vd_disk_child_named(src->disk, "driver");
    return vd_node_child(src->holder, "format");
}

vdisk_format
vdisk_source_get_format(const vdisk_source *src)
{
    const char *f;
    int v;

    if (!src)
        return VDISK_FORMAT_NONE;
    f = vd_node_attr(vd_view_format_node(src), "type");
    if (!f && src->is_mirror && src->depth == 0)
        f = vd_node_attr(src->holder, "format");
    if (!f)
        return VDISK_FORMAT_NONE;
    /* parsing leaves the table's own string, found by its address */
    if ((v = vd_format_from_interned(f)) >= 0)
        return (vdisk_format)v;
    return strcmp(f, "aio") == 0 ? VDISK_FORMAT_RAW : VDISK_FORMAT_NONE;
}

unsigned long long
vd_source_get_metadata_cache_max_size(const vdisk_source *src)
{
    vd_node *ms;
    unsigned long long v = 0;

    if (!src)
        return 0;
    ms = vd_node_child(vd_node_child(vd_view_format_node(src), "metadata_cache"), "max_size");
    if (!ms || !vd_parse_ull(vd_node_text(src->disk->doc, ms), 10, &v))
        return 0;
    if (vd_scale_integer(&v, vd_node_attr(ms, "unit"), 1, G_MAXUINT64) < 0)
        return 0;
    return v;
}

int
vdisk_source_set_format(vdisk_source *src, vdisk_format format, vdisk_error **err)
{
    vd_node *f;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if ((int)format < 0 || format >= VDISK_FORMAT_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid format %d",
                       vd_disk_label(src->disk), (int)format);
    if (format == VDISK_FORMAT_NONE && !vd_view_is_top(src))
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: a backing store needs a format",
                       vd_disk_label(src->disk));
    f = vd_view_format_node(src);
    if (format == VDISK_FORMAT_NONE) {
        if (f) {
            vd_node_set_attr_static(vd_view_doc(src), f, "type", NULL);
            vd_prune(f);
        }
        return 0;
    }
    if (!f) {
        f = vd_node_new(vd_view_doc(src), vd_view_is_top(src) ? "driver" : "format");
        vd_schema_insert_child(src->holder, f);
    }
    vd_node_set_attr_static(vd_view_doc(src), f, "type", vd_format_to_string(format));
    if (src->is_mirror && vd_node_attr(src->holder, "format"))
        vd_node_set_attr_static(vd_view_doc(src), src->holder, "format",
                                vd_format_to_string(format));
    return 0;
}

const char *
vdisk_source_get_path(const vdisk_source *src)
{
    const char *attr;
    const char *p;

    if (!src)
        return NULL;
    if (!(attr = vd_path_attr(vdisk_source_get_type(src))))
        return NULL;
    p = vd_node_attr(vd_view_source(src), attr);
    if (!p && src->is_mirror && src->depth == 0 && vdisk_source_get_type(src) == VDISK_TYPE_FILE)
        p = vd_node_attr(src->holder, "file");
    return p;
}

int
vdisk_source_set_path(vdisk_source *src, const char *path, vdisk_error **err)
{
    vdisk_type t;
    const char *attr;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    t = vdisk_source_get_type(src);
    if (!(attr = vd_path_attr(t)))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: a source of type '%s' has no path; path '%s' not set",
                       vd_disk_label(src->disk), vd_type_name(t), path ? path : "");
    if (path && !*path)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: empty path", vd_disk_label(src->disk));
    if (!path) {
        vd_view_set_source_attr(src, attr, NULL);
        return 0;
    }
    {
        vd_node *s = vd_view_source(src);
        bool fresh = !s || !vd_node_attr_find(s, attr);

        s = vd_view_ensure_source(src);
        vd_node_set_attr(vd_view_doc(src), s, attr, path);
        if (fresh)
            vd_schema_sort_attrs(s);
    }
    if (src->is_mirror && vd_node_attr(src->holder, "file"))
        vd_node_set_attr(vd_view_doc(src), src->holder, "file", path);
    return 0;
}

int
vdisk_source_is_present(const vdisk_source *src)
{
    return src && vd_view_source(src) ? 1 : 0;
}

int
vdisk_source_clear(vdisk_source *src, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    vd_remove_children(src->holder, "source");
    vd_remove_children(src->holder, "backingStore");
    return 0;
}

vdisk_startup_policy
vdisk_source_get_startup_policy(const vdisk_source *src)
{
    int v;

    if (!src)
        return VDISK_STARTUP_POLICY_DEFAULT;
    v = vd_startup_policy_from_string(vd_node_attr(vd_view_source(src), "startupPolicy"));
    return v < 0 ? VDISK_STARTUP_POLICY_DEFAULT : (vdisk_startup_policy)v;
}

int
vdisk_source_set_startup_policy(vdisk_source *src, vdisk_startup_policy policy, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if ((int)policy < 0 || policy >= VDISK_STARTUP_POLICY_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid startup policy %d",
                       vd_disk_label(src->disk), (int)policy);
    if (!vd_view_is_top(src) && policy != VDISK_STARTUP_POLICY_DEFAULT)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: only the top source has a startup policy ('%s' not set)",
                       vd_disk_label(src->disk), vd_startup_policy_to_string(policy));
    vd_view_set_source_attr(src, "startupPolicy",
                            policy ? vd_startup_policy_to_string(policy) : NULL);
    return 0;
}

unsigned int
vdisk_source_get_index(const vdisk_source *src)
{
    const char *v;
    unsigned int u;

    if (!src)
        return 0;
    if (vd_view_is_top(src) || (src->is_mirror && src->depth == 0))
        v = vd_node_attr(vd_view_source(src), "index");
    else
        v = vd_node_attr(src->holder, "index");
    return v && vd_parse_uint(v, 10, &u) ? u : 0;
}

int
vdisk_source_set_index(vdisk_source *src, unsigned int index, vdisk_error **err)
{
    const char *v;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    v = index ? vd_arena_decimal(vd_view_doc(src), index) : NULL;
    if (vd_view_is_top(src) || (src->is_mirror && src->depth == 0)) {
        vd_view_set_source_attr(src, "index", v);
    } else {
        vd_schema_set_attr_static(vd_view_doc(src), src->holder, "index", v);
    }
    return 0;
}

/* ---- network sources --------------------------------------------------- */

static int
vd_require_type(const vdisk_source *src, vdisk_type want, const char *what, vdisk_error **err)
{
    vdisk_type t = vdisk_source_get_type(src);

    if (t != want)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: %s needs a source of type '%s', not '%s'",
                       vd_disk_label(src->disk), what, vd_type_name(want), vd_type_name(t));
    return 0;
}

static vdisk_protocol
vd_view_protocol(const vdisk_source *src)
{
    int v;

    if (vdisk_source_get_type(src) != VDISK_TYPE_NETWORK)
        return VDISK_PROTOCOL_NONE;
    v = vd_protocol_from_string(vd_node_attr(vd_view_source(src), "protocol"));
    return v < 0 ? VDISK_PROTOCOL_NONE : (vdisk_protocol)v;
}

/* A network source whose protocol is one of @protocols (terminated by
 * VDISK_PROTOCOL_NONE); libvirt ignores @what for the others. */
static int
vd_require_protocol(const vdisk_source *src, const vdisk_protocol *protocols, const char *what,
                    vdisk_error **err)
{
    vdisk_protocol p;
    size_t i;

    if (vd_require_type(src, VDISK_TYPE_NETWORK, what, err) < 0)
        return -1;
    p = vd_view_protocol(src);
    for (i = 0; protocols[i] != VDISK_PROTOCOL_NONE; i++) {
        if (protocols[i] == p)
            return 0;
    }
    return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: libvirt does not use %s with protocol '%s'",
                   vd_disk_label(src->disk), what, p ? vd_protocol_to_string(p) : "(none)");
}

static const char *
vd_view_net_attr(const vdisk_source *src, const char *attr)
{
    if (!src || vdisk_source_get_type(src) != VDISK_TYPE_NETWORK)
        return NULL;
    return vd_node_attr(vd_view_source(src), attr);
}

vdisk_protocol
vdisk_source_get_protocol(const vdisk_source *src)
{
    return src ? vd_view_protocol(src) : VDISK_PROTOCOL_NONE;
}

int
vdisk_source_set_protocol(vdisk_source *src, vdisk_protocol protocol, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if ((int)protocol < 0 || protocol >= VDISK_PROTOCOL_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid protocol %d",
                       vd_disk_label(src->disk), (int)protocol);
    if (vd_require_type(src, VDISK_TYPE_NETWORK, "a protocol", err) < 0)
        return -1;
    vd_view_set_source_attr(src, "protocol", protocol ? vd_protocol_to_string(protocol) : NULL);
    return 0;
}

const char *
vdisk_source_get_name(const vdisk_source *src)
{
    return vd_view_net_attr(src, "name");
}

int
vdisk_source_set_name(vdisk_source *src, const char *name, vdisk_error **err)
{
    vdisk_protocol p;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_require_type(src, VDISK_TYPE_NETWORK, "a source name", err) < 0)
        return -1;
    p = vd_view_protocol(src);
    if (name && (p == VDISK_PROTOCOL_RBD || p == VDISK_PROTOCOL_GLUSTER)) {
        const char *slash = strchr(name, '/');
        if (!slash || slash == name)
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: %s name '%s' is not 'pool/image'",
                           vd_disk_label(src->disk), vd_protocol_to_string(p), name);
    }
    vd_view_set_source_attr(src, "name", name);
    return 0;
}

const char *
vdisk_source_get_query(const vdisk_source *src)
{
    return vd_view_net_attr(src, "query");
}

int
vdisk_source_set_query(vdisk_source *src, const char *query, vdisk_error **err)
{
    static const vdisk_protocol http[] = {VDISK_PROTOCOL_HTTP, VDISK_PROTOCOL_HTTPS,
                                          VDISK_PROTOCOL_NONE};

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (query && vd_require_protocol(src, http, "a query string", err) < 0)
        return -1;
    vd_view_set_source_attr(src, "query", query);
    return 0;
}

size_t
vdisk_source_get_host_count(const vdisk_source *src)
{
    if (!src || vdisk_source_get_type(src) != VDISK_TYPE_NETWORK)
        return 0;
    return vd_node_count_children(vd_view_source(src), "host");
}

const vdisk_host *
vdisk_source_get_host(const vdisk_source *src, size_t i)
{
    vd_node *h;

    if (!src || vdisk_source_get_type(src) != VDISK_TYPE_NETWORK)
        return NULL;
    for (h = vd_node_child(vd_view_source(src), "host"); h; h = vd_node_next_sibling(h, "host")) {
        if (i-- == 0)
            return VD_HOST(h);
    }
    return NULL;
}

int
vdisk_source_add_host(vdisk_source *src, const char *name, unsigned int port,
                      vdisk_transport transport, const char *socket, vdisk_error **err)
{
    vd_doc *doc;
    vd_node *s;
    vd_node *h;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_require_type(src, VDISK_TYPE_NETWORK, "a host", err) < 0)
        return -1;
    if ((int)transport < 0 || transport >= VDISK_TRANSPORT_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid host transport %d",
                       vd_disk_label(src->disk), (int)transport);
    if (transport == VDISK_TRANSPORT_UNIX) {
        if (!socket || !*socket)
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "%s: a unix transport host needs a socket path",
                           vd_disk_label(src->disk));
        if (name || port)
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "%s: a unix transport host has no name or port (got '%s', %u)",
                           vd_disk_label(src->disk), name ? name : "", port);
    } else {
        if (socket)
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "%s: transport '%s' does not support socket '%s'",
                           vd_disk_label(src->disk),
                           transport == VDISK_TRANSPORT_RDMA ? "rdma" : "tcp", socket);
        if (!name || !*name)
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: a host needs a name",
                           vd_disk_label(src->disk));
        if (port > 65535)
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: port %u out of range",
                           vd_disk_label(src->disk), port);
    }
    doc = vd_view_doc(src);
    s = vd_view_ensure_source(src);
    h = vd_node_new(doc, "host");
    vd_node_set_attr(doc, h, "name", name);
    if (port)
        vd_node_set_attr_static(doc, h, "port", vd_arena_decimal(doc, port));
    /* tcp is libvirt's unwritten default */
    if (transport != VDISK_TRANSPORT_DEFAULT && transport != VDISK_TRANSPORT_TCP)
        vd_node_set_attr_static(doc, h, "transport", vd_transport_to_string(transport));
    vd_node_set_attr(doc, h, "socket", socket);
    vd_schema_insert_child(s, h);
    return 0;
}

int
vdisk_source_clear_hosts(vdisk_source *src, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    vd_remove_children(vd_view_source(src), "host");
    vd_view_prune_source(src);
    return 0;
}

const char *
vdisk_host_get_name(const vdisk_host *host)
{
    return vd_node_attr(VD_HOST_NODE(host), "name");
}

const char *
vdisk_host_get_port(const vdisk_host *host)
{
    return vd_node_attr(VD_HOST_NODE(host), "port");
}

vdisk_transport
vdisk_host_get_transport(const vdisk_host *host)
{
    int v = vd_transport_from_string(vd_node_attr(VD_HOST_NODE(host), "transport"));
    return v < 0 ? VDISK_TRANSPORT_DEFAULT : (vdisk_transport)v;
}

const char *
vdisk_host_get_socket(const vdisk_host *host)
{
    return vd_node_attr(VD_HOST_NODE(host), "socket");
}

static vdisk_tristate
vd_yesno(const char *s)
{
    int v = vd_tristate_bool_from_string(s);
    return v < 0 ? VDISK_TRISTATE_DEFAULT : (vdisk_tristate)v;
}

static int
vd_check_tristate(const vdisk_source *src, vdisk_tristate v, const char *what, vdisk_error **err)
{
    if ((int)v < 0 || v >= VDISK_TRISTATE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid %s value %d",
                       vd_disk_label(src->disk), what, (int)v);
    return 0;
}

vdisk_tristate
vdisk_source_get_tls(const vdisk_source *src)
{
    return vd_yesno(vd_view_net_attr(src, "tls"));
}

const char *
vd_source_get_tls_hostname(const vdisk_source *src)
{
    return vd_view_net_attr(src, "tlsHostname");
}

int
vdisk_source_set_tls(vdisk_source *src, vdisk_tristate tls, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_check_tristate(src, tls, "tls", err) < 0 ||
        vd_require_type(src, VDISK_TYPE_NETWORK, "tls", err) < 0)
        return -1;
    vd_view_set_source_attr(src, "tls", tls ? vd_tristate_bool_to_string(tls) : NULL);
    return 0;
}

/* The attribute @attr of the <source> child @elem (network sources). */
static const char *
vd_view_child_attr(const vdisk_source *src, const char *elem, const char *attr)
{
    if (!src || vdisk_source_get_type(src) != VDISK_TYPE_NETWORK)
        return NULL;
    return vd_node_attr(vd_node_child(vd_view_source(src), elem), attr);
}

/* Sets <source><@elem @attr=@value/></source>; NULL removes the attribute
 * and the element once it is empty. */
static void
vd_view_set_child_attr(vdisk_source *src, const char *elem, const char *attr, const char *value)
{
    vd_doc *doc = vd_view_doc(src);
    vd_node *s = vd_view_source(src);
    vd_node *c = vd_node_child(s, elem);

    if (!value) {
        if (c) {
            vd_node_set_attr_static(doc, c, attr, NULL);
            vd_prune(c);
            vd_view_prune_source(src);
        }
        return;
    }
    if (!c) {
        s = vd_view_ensure_source(src);
        c = vd_node_new(doc, vd_arena_strdup(doc, elem));
        vd_schema_insert_child(s, c);
    }
    vd_node_set_attr(doc, c, attr, value);
}

vdisk_tristate
vdisk_source_get_ssl_verify(const vdisk_source *src)
{
    return vd_yesno(vd_view_child_attr(src, "ssl", "verify"));
}

int
vdisk_source_set_ssl_verify(vdisk_source *src, vdisk_tristate v, vdisk_error **err)
{
    static const vdisk_protocol tls[] = {VDISK_PROTOCOL_HTTPS, VDISK_PROTOCOL_FTPS,
                                         VDISK_PROTOCOL_NONE};

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_check_tristate(src, v, "ssl verify", err) < 0 ||
        (v && vd_require_protocol(src, tls, "ssl verification", err) < 0))
        return -1;
    vd_view_set_child_attr(src, "ssl", "verify", v ? vd_tristate_bool_to_string(v) : NULL);
    return 0;
}

static vd_node *
vd_view_cookies(const vdisk_source *src)
{
    if (!src || vdisk_source_get_type(src) != VDISK_TYPE_NETWORK)
        return NULL;
    return vd_node_child(vd_view_source(src), "cookies");
}

size_t
vdisk_source_get_cookie_count(const vdisk_source *src)
{
    return vd_node_count_children(vd_view_cookies(src), "cookie");
}

int
vdisk_source_get_cookie(const vdisk_source *src, size_t i, const char **name, const char **value)
{
    vd_node *c;

    for (c = vd_node_child(vd_view_cookies(src), "cookie"); c;
         c = vd_node_next_sibling(c, "cookie")) {
        if (i-- == 0) {
            if (name)
                *name = vd_node_attr(c, "name");
            if (value)
                *value = vd_node_text(vd_view_doc(src), c);
            return 0;
        }
    }
    if (name)
        *name = NULL;
    if (value)
        *value = NULL;
    return -1;
}

int
vdisk_source_add_cookie(vdisk_source *src, const char *name, const char *value, vdisk_error **err)
{
    static const vdisk_protocol http[] = {VDISK_PROTOCOL_HTTP, VDISK_PROTOCOL_HTTPS,
                                          VDISK_PROTOCOL_NONE};
    vd_doc *doc;
    vd_node *cookies;
    vd_node *c;
    const char *why;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_require_protocol(src, http, "cookies", err) < 0)
        return -1;
    if (!vd_cookie_check(name, value, &why))
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: %s: cookie '%s'", vd_disk_label(src->disk),
                       why, name ? name : "");
    for (c = vd_node_child(vd_view_cookies(src), "cookie"); c;
         c = vd_node_next_sibling(c, "cookie")) {
        if (g_strcmp0(vd_node_attr(c, "name"), name) == 0)
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: duplicate cookie '%s'",
                           vd_disk_label(src->disk), name);
    }
    doc = vd_view_doc(src);
    if (!(cookies = vd_view_cookies(src))) {
        cookies = vd_node_new(doc, "cookies");
        vd_schema_insert_child(vd_view_ensure_source(src), cookies);
    }
    c = vd_node_new(doc, "cookie");
    vd_node_set_attr(doc, c, "name", name);
    vd_node_set_text(doc, c, value);
    vd_node_append(cookies, c);
    return 0;
}

int
vdisk_source_clear_cookies(vdisk_source *src, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    vd_remove_children(vd_view_source(src), "cookies");
    vd_view_prune_source(src);
    return 0;
}

static unsigned long long
vd_view_child_ull(const vdisk_source *src, const char *elem, const char *attr)
{
    const char *v = vd_view_child_attr(src, elem, attr);
    unsigned long long u;

    return v && vd_parse_ull(v, 10, &u) ? u : 0;
}

static const vdisk_protocol vd_curl_protocols[] = {VDISK_PROTOCOL_HTTP, VDISK_PROTOCOL_HTTPS,
                                                   VDISK_PROTOCOL_FTP, VDISK_PROTOCOL_FTPS,
                                                   VDISK_PROTOCOL_NONE};

unsigned long long
vdisk_source_get_readahead(const vdisk_source *src)
{
    return vd_view_child_ull(src, "readahead", "size");
}

int
vdisk_source_set_readahead(vdisk_source *src, unsigned long long bytes, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (bytes && vd_require_protocol(src, vd_curl_protocols, "readahead", err) < 0)
        return -1;
    vd_view_set_child_attr(src, "readahead", "size",
                           bytes ? vd_arena_decimal(vd_view_doc(src), bytes) : NULL);
    return 0;
}

unsigned long long
vdisk_source_get_timeout(const vdisk_source *src)
{
    return vd_view_child_ull(src, "timeout", "seconds");
}

int
vdisk_source_set_timeout(vdisk_source *src, unsigned long long seconds, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (seconds && vd_require_protocol(src, vd_curl_protocols, "a timeout", err) < 0)
        return -1;
    vd_view_set_child_attr(src, "timeout", "seconds",
                           seconds ? vd_arena_decimal(vd_view_doc(src), seconds) : NULL);
    return 0;
}

const char *
vdisk_source_get_initiator(const vdisk_source *src)
{
    vd_node *ini;

    if (!src || vdisk_source_get_type(src) != VDISK_TYPE_NETWORK)
        return NULL;
    ini = vd_node_child(vd_view_source(src), "initiator");
    return vd_node_attr(vd_node_child(ini, "iqn"), "name");
}

int
vdisk_source_set_initiator(vdisk_source *src, const char *iqn, vdisk_error **err)
{
    vd_doc *doc;
    vd_node *ini;
    vd_node *n;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (iqn && vd_require_type(src, VDISK_TYPE_NETWORK, "an initiator", err) < 0)
        return -1;
    if (iqn && !*iqn)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: empty initiator IQN",
                       vd_disk_label(src->disk));
    doc = vd_view_doc(src);
    ini = vd_node_child(vd_view_source(src), "initiator");
    if (!iqn) {
        if (ini) {
            vd_remove_children(ini, "iqn");
            vd_prune(ini);
            vd_view_prune_source(src);
        }
        return 0;
    }
    if (!ini) {
        ini = vd_node_new(doc, "initiator");
        vd_schema_insert_child(vd_view_ensure_source(src), ini);
    }
    if (!(n = vd_node_child(ini, "iqn"))) {
        n = vd_node_new(doc, "iqn");
        vd_node_insert_before(ini, n, ini->children);
    }
    vd_node_set_attr(doc, n, "name", iqn);
    return 0;
}

const char *
vdisk_source_get_snapshot_name(const vdisk_source *src)
{
    return vd_view_child_attr(src, "snapshot", "name");
}

int
vdisk_source_set_snapshot_name(vdisk_source *src, const char *name, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (name && vd_require_type(src, VDISK_TYPE_NETWORK, "a snapshot name", err) < 0)
        return -1;
    vd_view_set_child_attr(src, "snapshot", "name", name);
    return 0;
}

const char *
vdisk_source_get_config_file(const vdisk_source *src)
{
    return vd_view_child_attr(src, "config", "file");
}

int
vdisk_source_set_config_file(vdisk_source *src, const char *path, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (path && vd_require_type(src, VDISK_TYPE_NETWORK, "a config file", err) < 0)
        return -1;
    vd_view_set_child_attr(src, "config", "file", path);
    return 0;
}

/* ---- <auth> and <encryption> ------------------------------------------- */

/* <source>/<@name>, or for the top source the legacy <disk>/<@name>. */
static vd_node *
vd_view_secret_holder(const vdisk_source *src, const char *name)
{
    vd_node *n = vd_node_child(vd_view_source(src), name);

    if (!n && vd_view_is_top(src))
        n = vd_node_child(src->holder, name);
    return n;
}

const char *
vdisk_source_get_auth_username(const vdisk_source *src)
{
    return src ? vd_node_attr(vd_view_secret_holder(src, "auth"), "username") : NULL;
}

static const char *
vd_view_auth_secret_attr(const vdisk_source *src, const char *attr)
{
    if (!src)
        return NULL;
    return vd_node_attr(vd_node_child(vd_view_secret_holder(src, "auth"), "secret"), attr);
}

const char *
vdisk_source_get_auth_secret_type(const vdisk_source *src)
{
    return vd_view_auth_secret_attr(src, "type");
}

const char *
vdisk_source_get_auth_secret_uuid(const vdisk_source *src)
{
    return vd_view_auth_secret_attr(src, "uuid");
}

const char *
vdisk_source_get_auth_secret_usage(const vdisk_source *src)
{
    return vd_view_auth_secret_attr(src, "usage");
}

/* Checks a uuid/usage pair; @canon receives the canonical uuid. */
static int
vd_check_secret_ref(const vdisk_source *src, const char *uuid, const char *usage, bool required,
                    char canon[37], vdisk_error **err)
{
    if (uuid && usage)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: give a secret uuid or a usage, not both ('%s', '%s')",
                       vd_disk_label(src->disk), uuid, usage);
    if (required && !uuid && !usage)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: a secret needs a uuid or a usage",
                       vd_disk_label(src->disk));
    if (uuid && !vd_uuid_canonical(uuid, canon))
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid secret uuid '%s'",
                       vd_disk_label(src->disk), uuid);
    if (usage && !*usage)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: empty secret usage",
                       vd_disk_label(src->disk));
    return 0;
}

static void
vd_fill_secret(vd_doc *doc, vd_node *secret, const char *type, const char *uuid, const char *usage)
{
    secret->attrs = NULL;
    vd_node_set_attr(doc, secret, "type", type);
    vd_node_set_attr(doc, secret, "uuid", uuid);
    vd_node_set_attr(doc, secret, "usage", usage);
}

int
vdisk_source_set_auth(vdisk_source *src, const char *username, const char *secret_type,
                      const char *uuid, const char *usage, vdisk_error **err)
{
    vd_doc *doc;
    vd_node *auth;
    vd_node *secret;
    char canon[37];

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    auth = vd_view_secret_holder(src, "auth");
    if (!username) {
        if (auth) {
            vd_node *parent = auth->parent;
            vd_node_unlink(auth);
            if (parent != src->holder)
                vd_view_prune_source(src);
        }
        return 0;
    }
    if (!*username)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: empty auth username",
                       vd_disk_label(src->disk));
    if (secret_type && strcmp(secret_type, "iscsi") != 0 && strcmp(secret_type, "ceph") != 0)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: unknown auth secret type '%s' (expected iscsi or ceph)",
                       vd_disk_label(src->disk), secret_type);
    if (vd_check_secret_ref(src, uuid, usage, true, canon, err) < 0)
        return -1;
    doc = vd_view_doc(src);
    if (!auth) {
        auth = vd_node_new(doc, "auth");
        vd_schema_insert_child(vd_view_ensure_source(src), auth);
    }
    vd_node_set_attr(doc, auth, "username", username);
    if (!(secret = vd_node_child(auth, "secret"))) {
        secret = vd_node_new(doc, "secret");
        vd_node_append(auth, secret);
    }
    vd_fill_secret(doc, secret, secret_type, uuid ? canon : NULL, usage);
    return 0;
}

static vd_node *
vd_view_encryption(const vdisk_source *src)
{
    return src ? vd_view_secret_holder(src, "encryption") : NULL;
}

vdisk_encryption_format
vdisk_source_get_encryption_format(const vdisk_source *src)
{
    int v = vd_encryption_format_from_string(vd_node_attr(vd_view_encryption(src), "format"));
    return v < 0 ? VDISK_ENCRYPTION_DEFAULT : (vdisk_encryption_format)v;
}

vdisk_encryption_engine
vdisk_source_get_encryption_engine(const vdisk_source *src)
{
    int v = vd_encryption_engine_from_string(vd_node_attr(vd_view_encryption(src), "engine"));
    return v < 0 ? VDISK_ENCRYPTION_ENGINE_DEFAULT : (vdisk_encryption_engine)v;
}

const char *
vdisk_source_get_encryption_secret_uuid(const vdisk_source *src)
{
    return vd_node_attr(vd_node_child(vd_view_encryption(src), "secret"), "uuid");
}

const char *
vdisk_source_get_encryption_secret_usage(const vdisk_source *src)
{
    return vd_node_attr(vd_node_child(vd_view_encryption(src), "secret"), "usage");
}

int
vdisk_source_set_encryption(vdisk_source *src, vdisk_encryption_format format,
                            vdisk_encryption_engine engine, const char *uuid, const char *usage,
                            vdisk_error **err)
{
    vd_doc *doc;
    vd_node *enc;
    vd_node *secret;
    char canon[37];

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if ((int)format < 0 || format >= VDISK_ENCRYPTION_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid encryption format %d",
                       vd_disk_label(src->disk), (int)format);
    if ((int)engine < 0 || engine >= VDISK_ENCRYPTION_ENGINE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid encryption engine %d",
                       vd_disk_label(src->disk), (int)engine);
    enc = vd_view_encryption(src);
    if (format == VDISK_ENCRYPTION_DEFAULT) {
        if (enc) {
            vd_node *parent = enc->parent;
            vd_node_unlink(enc);
            if (parent != src->holder)
                vd_view_prune_source(src);
        }
        return 0;
    }
    if (vd_check_secret_ref(src, uuid, usage, false, canon, err) < 0)
        return -1;
    doc = vd_view_doc(src);
    if (!enc) {
        enc = vd_node_new(doc, "encryption");
        vd_schema_insert_child(vd_view_ensure_source(src), enc);
    }
    vd_node_set_attr_static(doc, enc, "format", vd_encryption_format_to_string(format));
    vd_node_set_attr_static(doc, enc, "engine",
                            engine ? vd_encryption_engine_to_string(engine) : NULL);
    vd_remove_children(enc, "secret");
    if (format != VDISK_ENCRYPTION_LUKS) {
        vd_remove_children(enc, "cipher");
        vd_remove_children(enc, "ivgen");
    }
    if (uuid || usage) {
        secret = vd_node_new(doc, "secret");
        vd_fill_secret(doc, secret, "passphrase", uuid ? canon : NULL, usage);
        vd_node_insert_before(enc, secret, enc->children);
    }
    return 0;
}

/* ---- <reservations>, <slices> ------------------------------------------ */

vdisk_tristate
vdisk_source_get_reservations_managed(const vdisk_source *src)
{
    if (!src)
        return VDISK_TRISTATE_DEFAULT;
    return vd_yesno(vd_node_attr(vd_node_child(vd_view_source(src), "reservations"), "managed"));
}

const char *
vdisk_source_get_reservations_path(const vdisk_source *src)
{
    vd_node *pr;

    if (!src)
        return NULL;
    pr = vd_node_child(vd_view_source(src), "reservations");
    return vd_node_attr(vd_node_child(pr, "source"), "path");
}

int
vdisk_source_set_reservations(vdisk_source *src, vdisk_tristate managed, const char *path,
                              const char *mode, vdisk_error **err)
{
    vd_doc *doc;
    vd_node *pr;
    vd_node *ps;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_check_tristate(src, managed, "reservations managed", err) < 0)
        return -1;
    pr = vd_node_child(vd_view_source(src), "reservations");
    if (managed == VDISK_TRISTATE_DEFAULT) {
        if (pr) {
            vd_node_unlink(pr);
            vd_view_prune_source(src);
        }
        return 0;
    }
    if (managed == VDISK_TRISTATE_OFF && !path)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: unmanaged reservations need the path of qemu-pr-helper's socket",
                       vd_disk_label(src->disk));
    if (path && !*path)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: empty reservations path",
                       vd_disk_label(src->disk));
    if (mode && strcmp(mode, "client") != 0)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: unsupported connection mode '%s' for reservations (only 'client')",
                       vd_disk_label(src->disk), mode);
    doc = vd_view_doc(src);
    if (!pr) {
        pr = vd_node_new(doc, "reservations");
        vd_schema_insert_child(vd_view_ensure_source(src), pr);
    }
    vd_node_set_attr_static(doc, pr, "managed", vd_tristate_bool_to_string(managed));
    vd_remove_children(pr, "source");
    if (path) {
        ps = vd_node_new(doc, "source");
        vd_node_set_attr_static(doc, ps, "type", "unix");
        vd_node_set_attr(doc, ps, "path", path);
        vd_node_set_attr_static(doc, ps, "mode", "client");
        vd_node_insert_before(pr, ps, pr->children);
    }
    return 0;
}

static vd_node *
vd_view_storage_slice(const vdisk_source *src)
{
    vd_node *s;

    for (s = vd_node_child(vd_node_child(vd_view_source(src), "slices"), "slice"); s;
         s = vd_node_next_sibling(s, "slice")) {
        if (g_strcmp0(vd_node_attr(s, "type"), "storage") == 0)
            return s;
    }
    return NULL;
}

int
vdisk_source_get_slice(const vdisk_source *src, unsigned long long *offset,
                       unsigned long long *size)
{
    vd_node *s = src ? vd_view_storage_slice(src) : NULL;
    unsigned long long o = 0;
    unsigned long long z = 0;
    const char *v;

    if (s) {
        if ((v = vd_node_attr(s, "offset")) && !vd_parse_ull(v, 10, &o))
            o = 0;
        if ((v = vd_node_attr(s, "size")) && !vd_parse_ull(v, 10, &z))
            z = 0;
    }
    if (offset)
        *offset = o;
    if (size)
        *size = z;
    return s ? 0 : -1;
}

int
vdisk_source_set_slice(vdisk_source *src, unsigned long long offset, unsigned long long size,
                       vdisk_error **err)
{
    vd_doc *doc;
    vd_node *slices;
    vd_node *s;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    doc = vd_view_doc(src);
    s = vd_view_storage_slice(src);
    if (size == 0) {
        if (offset)
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: a slice at offset %llu needs a size",
                           vd_disk_label(src->disk), offset);
        if (s) {
            slices = s->parent;
            vd_node_unlink(s);
            vd_prune(slices);
            vd_view_prune_source(src);
        }
        return 0;
    }
    if (!s) {
        if (!(slices = vd_node_child(vd_view_source(src), "slices"))) {
            slices = vd_node_new(doc, "slices");
            vd_schema_insert_child(vd_view_ensure_source(src), slices);
        }
        s = vd_node_new(doc, "slice");
        vd_node_set_attr_static(doc, s, "type", "storage");
        vd_node_append(slices, s);
    }
    vd_node_set_attr_static(doc, s, "offset", vd_arena_decimal(doc, offset));
    vd_node_set_attr_static(doc, s, "size", vd_arena_decimal(doc, size));
    return 0;
}

/* ---- type='volume' ----------------------------------------------------- */

static const char *
vd_view_typed_attr(const vdisk_source *src, vdisk_type t, const char *attr)
{
    if (!src || vdisk_source_get_type(src) != t)
        return NULL;
    return vd_node_attr(vd_view_source(src), attr);
}

const char *
vdisk_source_get_pool(const vdisk_source *src)
{
    return vd_view_typed_attr(src, VDISK_TYPE_VOLUME, "pool");
}

const char *
vdisk_source_get_volume(const vdisk_source *src)
{
    return vd_view_typed_attr(src, VDISK_TYPE_VOLUME, "volume");
}

vdisk_pool_mode
vdisk_source_get_pool_mode(const vdisk_source *src)
{
    int v = vd_pool_mode_from_string(vd_view_typed_attr(src, VDISK_TYPE_VOLUME, "mode"));
    return v < 0 ? VDISK_POOL_MODE_DEFAULT : (vdisk_pool_mode)v;
}

int
vdisk_source_set_volume(vdisk_source *src, const char *pool, const char *volume,
                        vdisk_pool_mode mode, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_require_type(src, VDISK_TYPE_VOLUME, "a pool and volume", err) < 0)
        return -1;
    if ((int)mode < 0 || mode >= VDISK_POOL_MODE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid pool mode %d",
                       vd_disk_label(src->disk), (int)mode);
    if (!pool != !volume || (pool && (!*pool || !*volume)))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: pool and volume go together (pool '%s', volume '%s')",
                       vd_disk_label(src->disk), pool ? pool : "", volume ? volume : "");
    if (!pool && mode)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: mode '%s' without pool and volume",
                       vd_disk_label(src->disk), vd_pool_mode_to_string(mode));
    if (!pool) {
        vd_view_set_source_attr(src, "mode", NULL);
        vd_view_set_source_attr(src, "pool", NULL);
        vd_view_set_source_attr(src, "volume", NULL);
        return 0;
    }
    vd_view_set_source_attr(src, "pool", pool);
    vd_view_set_source_attr(src, "volume", volume);
    vd_view_set_source_attr(src, "mode", mode ? vd_pool_mode_to_string(mode) : NULL);
    return 0;
}

/* ---- type='nvme' ------------------------------------------------------- */

unsigned int
vdisk_source_get_nvme_namespace(const vdisk_source *src)
{
    const char *v = vd_view_typed_attr(src, VDISK_TYPE_NVME, "namespace");
    unsigned long long u;

    return v && vd_parse_ull(v, 10, &u) && u <= G_MAXUINT ? (unsigned int)u : 0;
}

int
vdisk_source_get_nvme_address(const vdisk_source *src, unsigned int *domain, unsigned int *bus,
                              unsigned int *slot, unsigned int *function)
{
    static const char *const names[] = {"domain", "bus", "slot", "function"};
    unsigned int *outs[] = {domain, bus, slot, function};
    vd_node *addr = NULL;
    size_t i;

    if (src && vdisk_source_get_type(src) == VDISK_TYPE_NVME)
        addr = vd_node_child(vd_view_source(src), "address");
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        const char *v = vd_node_attr(addr, names[i]);
        unsigned int u = 0;

        if (v && !vd_parse_uint(v, 0, &u))
            u = 0;
        if (outs[i])
            *outs[i] = u;
    }
    return addr ? 0 : -1;
}

vdisk_tristate
vdisk_source_get_nvme_managed(const vdisk_source *src)
{
    return vd_yesno(vd_view_typed_attr(src, VDISK_TYPE_NVME, "managed"));
}

int
vdisk_source_set_nvme(vdisk_source *src, unsigned int ns, vdisk_tristate managed,
                      unsigned int domain, unsigned int bus, unsigned int slot,
                      unsigned int function, vdisk_error **err)
{
    vd_doc *doc;
    vd_node *s;
    vd_node *addr;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_require_type(src, VDISK_TYPE_NVME, "an NVMe namespace", err) < 0 ||
        vd_check_tristate(src, managed, "managed", err) < 0)
        return -1;
    if (domain > 0xFFFF || bus > 0xFF || slot > 0x1F || function > 7)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: invalid PCI address %04x:%02x:%02x.%x for the NVMe controller",
                       vd_disk_label(src->disk), domain, bus, slot, function);
    if (!domain && !bus && !slot)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: PCI address 0000:00:00.%x cannot hold an NVMe controller",
                       vd_disk_label(src->disk), function);
    doc = vd_view_doc(src);
    s = vd_view_ensure_source(src);
    vd_node_set_attr_static(doc, s, "type", "pci");
    vd_node_set_attr_static(doc, s, "managed",
                            managed ? vd_tristate_bool_to_string(managed) : NULL);
    vd_node_set_attr_static(doc, s, "namespace", vd_arena_decimal(doc, ns));
    vd_schema_sort_attrs(s);
    if (!(addr = vd_node_child(s, "address"))) {
        addr = vd_node_new(doc, "address");
        vd_schema_insert_child(s, addr);
    }
    addr->attrs = NULL;
    vd_node_set_attr_static(doc, addr, "domain", vd_arena_hex(doc, domain, 4));
    vd_node_set_attr_static(doc, addr, "bus", vd_arena_hex(doc, bus, 2));
    vd_node_set_attr_static(doc, addr, "slot", vd_arena_hex(doc, slot, 2));
    vd_node_set_attr_static(doc, addr, "function", vd_arena_hex(doc, function, 1));
    return 0;
}

/* ---- type='vhostuser' -------------------------------------------------- */

const char *
vdisk_source_get_vhostuser_path(const vdisk_source *src)
{
    return vd_view_typed_attr(src, VDISK_TYPE_VHOSTUSER, "path");
}

int
vdisk_source_set_vhostuser_path(vdisk_source *src, const char *path, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vd_require_type(src, VDISK_TYPE_VHOSTUSER, "a vhost-user socket", err) < 0)
        return -1;
    if (path && !*path)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: empty vhost-user socket path",
                       vd_disk_label(src->disk));
    vd_view_set_source_attr(src, "type", path ? "unix" : NULL);
    vd_view_set_source_attr(src, "path", path);
    return 0;
}

/* <reconnect enabled='yes' timeout='N'/> of a vhost-user source */
vdisk_tristate
vdisk_source_get_reconnect_enabled(const vdisk_source *src)
{
    vd_node *rc = src ? vd_node_child(vd_view_source(src), "reconnect") : NULL;
    int v = vd_tristate_bool_from_string(vd_node_attr(rc, "enabled"));

    return v < 0 ? VDISK_TRISTATE_DEFAULT : (vdisk_tristate)v;
}

unsigned int
vdisk_source_get_reconnect_timeout(const vdisk_source *src)
{
    vd_node *rc = src ? vd_node_child(vd_view_source(src), "reconnect") : NULL;
    unsigned int v = 0;

    return vd_parse_uint(vd_node_attr(rc, "timeout"), 10, &v) ? v : 0;
}

int
vdisk_source_set_reconnect(vdisk_source *src, vdisk_tristate enabled, unsigned int timeout,
                           vdisk_error **err)
{
    vd_node *s;
    vd_node *rc;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if ((int)enabled < 0 || enabled >= VDISK_TRISTATE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid reconnect value %d",
                       vd_disk_label(src->disk), (int)enabled);
    if (vd_require_type(src, VDISK_TYPE_VHOSTUSER, "a vhost-user reconnect", err) < 0)
        return -1;
    if (enabled == VDISK_TRISTATE_ON && !timeout)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: reconnecting needs a timeout in seconds (got 0)",
                       vd_disk_label(src->disk));
    s = vd_view_ensure_source(src);
    while ((rc = vd_node_child(s, "reconnect")))
        vd_node_unlink(rc);
    if (enabled == VDISK_TRISTATE_DEFAULT)
        return 0;
    rc = vd_node_new(vd_view_doc(src), "reconnect");
    vd_schema_set_attr_static(vd_view_doc(src), rc, "enabled", vd_tristate_bool_to_string(enabled));
    if (enabled == VDISK_TRISTATE_ON)
        vd_schema_set_attr_static(vd_view_doc(src), rc, "timeout",
                                  vd_arena_decimal(vd_view_doc(src), timeout));
    vd_schema_insert_child(s, rc);
    return 0;
}

/* ---- <identity user= group=> of an NFS source -------------------------- */

const char *
vdisk_source_get_identity_user(const vdisk_source *src)
{
    return src ? vd_node_attr(vd_node_child(vd_view_source(src), "identity"), "user") : NULL;
}

const char *
vdisk_source_get_identity_group(const vdisk_source *src)
{
    return src ? vd_node_attr(vd_node_child(vd_view_source(src), "identity"), "group") : NULL;
}

int
vdisk_source_set_identity(vdisk_source *src, const char *user, const char *group, vdisk_error **err)
{
    vd_node *s;
    vd_node *id;

    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (vdisk_source_get_protocol(src) != VDISK_PROTOCOL_NFS)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: an identity needs an NFS source",
                       vd_disk_label(src->disk));
    s = vd_view_ensure_source(src);
    while ((id = vd_node_child(s, "identity")))
        vd_node_unlink(id);
    if (!user && !group)
        return 0;
    id = vd_node_new(vd_view_doc(src), "identity");
    if (user)
        vd_schema_set_attr(vd_view_doc(src), id, "user", user);
    if (group)
        vd_schema_set_attr(vd_view_doc(src), id, "group", group);
    vd_schema_insert_child(s, id);
    return 0;
}

/* ---- presence of <auth> and <encryption> -------------------------------- */

int
vdisk_source_has_auth(const vdisk_source *src)
{
    return src && vd_view_secret_holder(src, "auth") != NULL;
}

int
vdisk_source_has_encryption(const vdisk_source *src)
{
    return vd_view_encryption(src) != NULL;
}

/* ---- backing chains ---------------------------------------------------- */

vdisk_source *
vdisk_source_get_backing(const vdisk_source *src)
{
    vd_node *bs;

    if (!src || !(bs = vd_node_child(src->holder, "backingStore")) || !vd_node_attr(bs, "type"))
        return NULL;
    return vd_view_for(src->disk, bs, src->depth + 1, src->is_mirror);
}

int
vdisk_source_get_backing_terminated(const vdisk_source *src)
{
    vd_node *bs;

    if (!src || !(bs = vd_node_child(src->holder, "backingStore")))
        return 0;
    return vd_node_attr(bs, "type") ? 0 : 1;
}

int
vdisk_source_set_backing_terminated(vdisk_source *src, int terminated, vdisk_error **err)
{
    VD_API_ENTER();
    VD_CHECK_SRC(src, err);
    if (!terminated) {
        if (vdisk_source_get_backing_terminated(src))
            vd_remove_children(src->holder, "backingStore");
        return 0;
    }
    vd_remove_children(src->holder, "backingStore");
    vd_schema_insert_child(src->holder, vd_node_new(vd_view_doc(src), "backingStore"));
    return 0;
}

int
vdisk_source_new_backing(vdisk_source **out, vdisk_source *src, vdisk_type type,
                         vdisk_format format, vdisk_error **err)
{
    vd_doc *doc;
    vd_node *bs;
    vd_node *f;

    VD_API_ENTER();
    if (out)
        *out = NULL;
    VD_CHECK_SRC(src, err);
    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no place for the new backing store given");
    if ((int)type <= VDISK_TYPE_NONE || type >= VDISK_TYPE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid backing store type %d",
                       vd_disk_label(src->disk), (int)type);
    if ((int)format <= VDISK_FORMAT_NONE || format >= VDISK_FORMAT_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: a backing store needs a format (got %d)",
                       vd_disk_label(src->disk), (int)format);
    doc = vd_view_doc(src);
    vd_remove_children(src->holder, "backingStore");
    bs = vd_node_new(doc, "backingStore");
    vd_node_set_attr_static(doc, bs, "type", vd_type_to_string(type));
    f = vd_node_new(doc, "format");
    vd_node_set_attr_static(doc, f, "type", vd_format_to_string(format));
    vd_node_append(bs, f);
    vd_node_append(bs, vd_node_new(doc, "source"));
    vd_schema_insert_child(src->holder, bs);
    *out = vd_view_for(src->disk, bs, src->depth + 1, src->is_mirror);
    return 0;
}
