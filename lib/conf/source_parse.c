/*
 * source_parse.c: checks and canonical form of storage sources
 *
 * Covers disk@type, <source> of every type, the top format (driver@type),
 * <auth> and <encryption> (inside <source> or directly in <disk>), the
 * <backingStore> chain and <mirror>. Values are refused where libvirt 9.0's
 * parser refuses them, spelled the way libvirt formats them, and ordered as
 * libvirt's formatter orders them. Nothing the model does not know is
 * dropped: unknown attributes and elements stay after their predecessor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf/schema.h"
#include "conf/parse_util.h"
#include "conf/source_priv.h"
#include "util/error.h"

typedef struct {
    vdisk_disk *disk;
    vd_doc *doc;
    vdisk_error **err;
    char where[64]; /* " (backing store 2)", " (mirror)" or "" */
} vd_src_ctx;

static int vd_src_fail(vd_src_ctx *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
vd_src_fail(vd_src_ctx *c, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vd_error_set(c->err, VDISK_ERR_INVALID, "%s: %s%s", vd_disk_label(c->disk), msg, c->where);
    return -1;
}

static void
vd_sort_attrs(vd_node *node)
{
    vd_schema_sort_attrs(node);
}

/* Makes @holder's type attribute, read as @type, the table's own string
 * (the same text), which vd_source_holder_type() finds by its address:
 * every stage after this one reads it. */
static void
vd_intern_type(vd_doc *doc, vd_node *holder, int type)
{
    vd_node_set_attr_static(doc, holder, "type", vd_type_to_string(type));
}

/* The same for a format, attribute @attr of @node, read as @format, which
 * vdisk_source_get_format() finds by its address. */
static void
vd_intern_format(vd_doc *doc, vd_node *node, const char *attr, int format)
{
    vd_node_set_attr_static(doc, node, attr, vd_format_to_string(format));
}

vdisk_type
vd_source_holder_type(const vd_node *holder)
{
    const char *t = vd_node_attr(holder, "type");
    int v;

    if (!t)
        return strcmp(holder->name, "backingStore") == 0 ? VDISK_TYPE_NONE : VDISK_TYPE_FILE;
    /* parsing leaves the table's own string (vd_intern_type()) */
    v = vd_type_from_interned(t);
    return v < 0 ? VDISK_TYPE_NONE : (vdisk_type)v;
}

vdisk_type
vd_source_holder_written_type(const vd_node *holder)
{
    const char *t = vd_node_attr(holder, "type");

    return t ? vd_source_holder_type(holder) : VDISK_TYPE_NONE;
}

bool
vd_source_holder_protocol(const vd_node *holder, vdisk_protocol *protocol)
{
    const char *p = vd_node_attr(vd_node_child(holder, "source"), "protocol");
    int v;

    if (!p)
        return false;
    v = vd_protocol_from_string(p);
    *protocol = v < 0 ? VDISK_PROTOCOL_NONE : (vdisk_protocol)v;
    return true;
}

bool
vd_source_holder_nvme_namespace(const vd_node *holder, unsigned long long *ns)
{
    const char *v = vd_node_attr(vd_node_child(holder, "source"), "namespace");

    return v && vd_parse_ull(v, 10, ns);
}

/* ---- small value checks ------------------------------------------------ */

bool
vd_uuid_canonical(const char *s, char out[37])
{
    unsigned char raw[16];
    const char *cur = s;
    size_t i = 0;

    if (!s)
        return false;
    while (g_ascii_isspace(*cur))
        cur++;
    while (i < sizeof(raw)) {
        int hi;
        int lo;

        if (*cur == '\0')
            return false;
        if (*cur == '-' || *cur == ' ') {
            cur++;
            continue;
        }
        if ((hi = g_ascii_xdigit_value(cur[0])) < 0 || (lo = g_ascii_xdigit_value(cur[1])) < 0)
            return false;
        raw[i++] = (unsigned char)(hi * 16 + lo);
        cur += 2;
    }
    for (; *cur; cur++) {
        if (!g_ascii_isspace(*cur))
            return false;
    }
    g_snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9],
               raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]);
    return true;
}

static const char vd_cookie_bad_value[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D"
                                          "\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A"
                                          "\x1B\x1C\x1D\x1E\x1F \",;\\";
static const char vd_cookie_bad_name[] = "()<>@:/[]?={}";

bool
vd_cookie_check(const char *name, const char *value, const char **why)
{
    size_t len;
    const char *p;
    const char *end;

    if (!name || !*name) {
        *why = "cookie name must not be empty";
        return false;
    }
    if (strpbrk(name, vd_cookie_bad_value) || strpbrk(name, vd_cookie_bad_name)) {
        *why = "cookie name contains invalid characters";
        return false;
    }
    if (!value || !*value) {
        *why = "cookie has no value";
        return false;
    }
    len = strlen(value);
    p = value;
    end = value + len;
    if (value[0] == '"') {
        if (value[len - 1] != '"') {
            *why = "cookie value contains invalid characters";
            return false;
        }
        p = value + 1;
        end = len > 1 ? value + len - 1 : p;
    }
    for (; p < end; p++) {
        if (*p && strchr(vd_cookie_bad_value, *p)) {
            *why = "cookie value contains invalid characters";
            return false;
        }
    }
    return true;
}

/* yes/no attribute; absent is fine */
static int
vd_src_check_yesno(vd_src_ctx *c, vd_node *node, const char *attr)
{
    const char *v = vd_node_attr(node, attr);

    if (v && vd_tristate_bool_from_string(v) <= 0)
        return vd_src_fail(c, "invalid value '%s' for attribute '%s' of <%s> (expected yes or no)",
                           v, attr, node->name);
    return 0;
}

/* rewrites an unsigned attribute in decimal; -1 when it is no number */
static int
vd_src_canon_uint(vd_src_ctx *c, vd_node *node, const char *attr, bool required, unsigned int *out)
{
    const char *v = vd_node_attr(node, attr);
    unsigned int u;

    if (!v) {
        if (required)
            return vd_src_fail(c, "missing attribute '%s' of <%s>", attr, node->name);
        return 0;
    }
    if (!vd_parse_uint(v, 10, &u))
        return vd_src_fail(c, "invalid value '%s' for attribute '%s' of <%s>", v, attr, node->name);
    vd_node_set_attr_static(c->doc, node, attr, vd_arena_decimal(c->doc, u));
    if (out)
        *out = u;
    return 0;
}

static int
vd_src_canon_ull(vd_src_ctx *c, vd_node *node, const char *attr, const char *msg)
{
    const char *v = vd_node_attr(node, attr);
    unsigned long long u;

    if (!v)
        return 0;
    if (!vd_parse_ull(v, 10, &u))
        return vd_src_fail(c, "%s '%s'", msg, v);
    vd_node_set_attr_static(c->doc, node, attr, vd_arena_decimal(c->doc, u));
    return 0;
}

/* ---- <auth>, <encryption>, <secret> ------------------------------------ */

static int
vd_src_parse_secret_lookup(vd_src_ctx *c, vd_node *secret, const char *what)
{
    const char *uuid = vd_node_attr(secret, "uuid");
    const char *usage = vd_node_attr(secret, "usage");
    char canon[37];

    if (!uuid && !usage)
        return vd_src_fail(c, "%s secret has neither uuid nor usage", what);
    if (uuid && usage)
        return vd_src_fail(c, "%s secret has both uuid '%s' and usage '%s'; give one", what, uuid,
                           usage);
    if (uuid) {
        if (!vd_uuid_canonical(uuid, canon))
            return vd_src_fail(c, "invalid %s secret uuid '%s'", what, uuid);
        vd_node_set_attr(c->doc, secret, "uuid", canon);
    }
    vd_sort_attrs(secret);
    return 0;
}

static int
vd_src_parse_auth(vd_src_ctx *c, vd_node *auth)
{
    const char *type = vd_node_attr(auth, "type");
    vd_node *secret;

    if (!vd_node_attr(auth, "username"))
        return vd_src_fail(c, "missing username for auth");
    if (type && vd_auth_type_from_string(type) < 0)
        return vd_src_fail(c, "unknown auth type '%s'", type);
    if (!(secret = vd_node_child(auth, "secret")))
        return vd_src_fail(c, "missing <secret> element in auth");
    if (vd_src_parse_secret_lookup(c, secret, "auth") < 0)
        return -1;
    vd_sort_attrs(auth);
    return 0;
}

static int
vd_src_parse_encryption(vd_src_ctx *c, vd_node *enc)
{
    const char *format = vd_node_attr(enc, "format");
    const char *engine = vd_node_attr(enc, "engine");
    int fmt;
    vd_node *n;

    if (!format)
        return vd_src_fail(c, "missing encryption format");
    if ((fmt = vd_encryption_format_from_string(format)) < 0)
        return vd_src_fail(c, "unknown encryption format '%s'", format);
    if (engine && vd_encryption_engine_from_string(engine) <= 0)
        return vd_src_fail(c, "unknown encryption engine '%s'", engine);
    for (n = vd_node_child(enc, "secret"); n; n = vd_node_next_sibling(n, "secret")) {
        const char *st = vd_node_attr(n, "type");
        if (!st)
            return vd_src_fail(c, "missing encryption secret type");
        if (strcmp(st, "passphrase") != 0)
            return vd_src_fail(c, "unknown encryption secret type '%s'", st);
        if (vd_src_parse_secret_lookup(c, n, "encryption") < 0)
            return -1;
    }
    if (fmt == VDISK_ENCRYPTION_LUKS) {
        vd_node *cipher = vd_node_child(enc, "cipher");
        vd_node *ivgen = vd_node_child(enc, "ivgen");

        if (cipher) {
            if (!vd_node_attr(cipher, "name"))
                return vd_src_fail(c, "encryption cipher has no 'name' attribute");
            if (vd_src_canon_uint(c, cipher, "size", true, NULL) < 0)
                return -1;
            vd_sort_attrs(cipher);
        }
        if (ivgen) {
            if (!cipher)
                return vd_src_fail(c, "encryption has <ivgen> but no <cipher>");
            if (!vd_node_attr(ivgen, "name"))
                return vd_src_fail(c, "encryption ivgen has no 'name' attribute");
            vd_sort_attrs(ivgen);
        }
    }
    vd_sort_attrs(enc);
    vd_schema_sort_children(enc);
    return 0;
}

/* ---- <reservations>, <slices> ------------------------------------------ */

static int
vd_src_parse_reservations(vd_src_ctx *c, vd_node *pr)
{
    const char *managed = vd_node_attr(pr, "managed");
    vd_node *s = vd_node_child(pr, "source");
    const char *type = vd_node_attr(s, "type");
    const char *path = vd_node_attr(s, "path");
    const char *mode = vd_node_attr(s, "mode");
    int m;

    if (!managed)
        return vd_src_fail(c, "<reservations> has no 'managed' attribute");
    if ((m = vd_tristate_bool_from_string(managed)) <= 0)
        return vd_src_fail(c, "invalid value '%s' for attribute 'managed' of <reservations>",
                           managed);
    if (m == VDISK_TRISTATE_OFF || type || path || mode) {
        if (!type)
            return vd_src_fail(c, "missing connection type for <reservations>");
        if (!path)
            return vd_src_fail(c, "missing path for <reservations>");
        if (!mode)
            return vd_src_fail(c, "missing connection mode for <reservations>");
    }
    if (type && strcmp(type, "unix") != 0)
        return vd_src_fail(c, "unsupported connection type '%s' for <reservations>", type);
    if (mode && strcmp(mode, "client") != 0)
        return vd_src_fail(c, "unsupported connection mode '%s' for <reservations>", mode);
    vd_sort_attrs(pr);
    vd_sort_attrs(s);
    return 0;
}

static int
vd_src_parse_slices(vd_src_ctx *c, vd_node *slices)
{
    vd_node *s;

    for (s = vd_node_child(slices, "slice"); s; s = vd_node_next_sibling(s, "slice")) {
        const char *offset;
        const char *size;
        unsigned long long u;

        if (g_strcmp0(vd_node_attr(s, "type"), "storage") != 0)
            continue;
        offset = vd_node_attr(s, "offset");
        size = vd_node_attr(s, "size");
        if (!offset || !size)
            return vd_src_fail(c, "missing offset or size attribute of slice");
        if (!vd_parse_ull(offset, 10, &u))
            return vd_src_fail(c, "malformed slice offset '%s'", offset);
        vd_node_set_attr_static(c->doc, s, "offset", vd_arena_decimal(c->doc, u));
        if (!vd_parse_ull(size, 10, &u))
            return vd_src_fail(c, "malformed slice size '%s'", size);
        vd_node_set_attr_static(c->doc, s, "size", vd_arena_decimal(c->doc, u));
        vd_sort_attrs(s);
        break;
    }
    return 0;
}

/* ---- <seclabel> -------------------------------------------------------- */

static int
vd_src_parse_seclabels(vd_src_ctx *c, vd_node *src)
{
    vd_node *a;
    vd_node *b;

    for (a = vd_node_child(src, "seclabel"); a; a = vd_node_next_sibling(a, "seclabel")) {
        const char *model = vd_node_attr(a, "model");
        const char *relabel = vd_node_attr(a, "relabel");
        vd_node *label = vd_node_child(a, "label");

        for (b = vd_node_child(src, "seclabel"); model && b != a;
             b = vd_node_next_sibling(b, "seclabel")) {
            if (g_strcmp0(vd_node_attr(b, "model"), model) == 0)
                return vd_src_fail(c, "seclabel for model '%s' is already provided", model);
        }
        if (vd_src_check_yesno(c, a, "relabel") < 0 || vd_src_check_yesno(c, a, "labelskip") < 0)
            return -1;
        if (label && vd_node_text(c->doc, label) && relabel &&
            vd_tristate_bool_from_string(relabel) == VDISK_TRISTATE_OFF)
            return vd_src_fail(c,
                               "cannot specify a label if relabelling is turned off (model '%s')",
                               model ? model : "");
        vd_sort_attrs(a);
    }
    return 0;
}

/* ---- per type ---------------------------------------------------------- */

static int
vd_src_parse_host(vd_src_ctx *c, vd_node *host)
{
    const char *transport = vd_node_attr(host, "transport");
    const char *socket = vd_node_attr(host, "socket");
    const char *port = vd_node_attr(host, "port");
    int t = VDISK_TRANSPORT_TCP;

    if (transport && (t = vd_transport_from_string(transport)) <= 0)
        return vd_src_fail(c, "unknown host transport '%s'", transport);
    if (t == VDISK_TRANSPORT_UNIX && !socket)
        return vd_src_fail(c, "missing socket for unix transport");
    if (t != VDISK_TRANSPORT_UNIX && socket)
        return vd_src_fail(c, "transport '%s' does not support socket attribute",
                           transport ? transport : "tcp");
    if (t != VDISK_TRANSPORT_UNIX) {
        unsigned int p;

        if (!vd_node_attr(host, "name"))
            return vd_src_fail(c, "missing name for host");
        if (port) {
            if (!vd_parse_uint(port, 10, &p))
                return vd_src_fail(c, "invalid port number '%s'", port);
            if (p > 65535)
                return vd_src_fail(c, "port '%s' out of range", port);
            /* libvirt keeps 0 as "no port" and never writes it */
            vd_node_set_attr_static(c->doc, host, "port", p ? vd_arena_decimal(c->doc, p) : NULL);
        }
    }
    /* tcp is libvirt's unwritten default */
    if (t == VDISK_TRANSPORT_TCP)
        vd_node_set_attr_static(c->doc, host, "transport", NULL);
    vd_sort_attrs(host);
    return 0;
}

static int
vd_src_parse_cookies(vd_src_ctx *c, vd_node *cookies)
{
    vd_node *a;
    vd_node *b;

    for (a = vd_node_child(cookies, "cookie"); a; a = vd_node_next_sibling(a, "cookie")) {
        const char *name = vd_node_attr(a, "name");
        const char *value = vd_node_text(c->doc, a);
        const char *why;

        if (!name)
            return vd_src_fail(c, "missing cookie name");
        if (!value || !*value)
            return vd_src_fail(c, "missing value for cookie '%s'", name);
        if (!vd_cookie_check(name, value, &why))
            return vd_src_fail(c, "%s: cookie '%s'", why, name);
        for (b = vd_node_next_sibling(a, "cookie"); b; b = vd_node_next_sibling(b, "cookie")) {
            if (g_strcmp0(vd_node_attr(b, "name"), name) == 0)
                return vd_src_fail(c, "duplicate cookie '%s'", name);
        }
    }
    return 0;
}

static int
vd_src_parse_network(vd_src_ctx *c, vd_node *src)
{
    const char *protocol = vd_node_attr(src, "protocol");
    const char *name = vd_node_attr(src, "name");
    int proto;
    vd_node *n;

    if (!protocol)
        return vd_src_fail(c, "missing protocol for network disk source");
    if ((proto = vd_protocol_from_string(protocol)) < 0)
        return vd_src_fail(c, "unknown network disk protocol '%s'", protocol);
    if (!name && proto != VDISK_PROTOCOL_NBD)
        return vd_src_fail(c, "missing name for %s disk source", protocol);
    if (vd_src_check_yesno(c, src, "tls") < 0)
        return -1;
    if (name && (proto == VDISK_PROTOCOL_GLUSTER || proto == VDISK_PROTOCOL_RBD)) {
        const char *slash = strchr(name, '/');
        if (!slash || slash == name)
            return vd_src_fail(c, "can't split path '%s' into pool name and image name", name);
    }
    for (n = vd_node_child(src, "host"); n; n = vd_node_next_sibling(n, "host")) {
        if (vd_src_parse_host(c, n) < 0)
            return -1;
    }
    if (proto == VDISK_PROTOCOL_NFS)
        vd_sort_attrs(vd_node_child(src, "identity"));
    if ((proto == VDISK_PROTOCOL_HTTPS || proto == VDISK_PROTOCOL_FTPS) &&
        (n = vd_node_child(src, "ssl")) && vd_src_check_yesno(c, n, "verify") < 0)
        return -1;
    if ((proto == VDISK_PROTOCOL_HTTP || proto == VDISK_PROTOCOL_HTTPS) &&
        (n = vd_node_child(src, "cookies")) && vd_src_parse_cookies(c, n) < 0)
        return -1;
    if (proto == VDISK_PROTOCOL_HTTP || proto == VDISK_PROTOCOL_HTTPS ||
        proto == VDISK_PROTOCOL_FTP || proto == VDISK_PROTOCOL_FTPS) {
        if (vd_src_canon_ull(c, vd_node_child(src, "readahead"), "size", "invalid readahead size") <
                0 ||
            vd_src_canon_ull(c, vd_node_child(src, "timeout"), "seconds", "invalid timeout") < 0)
            return -1;
    }
    return 0;
}

static int
vd_src_parse_volume(vd_src_ctx *c, vd_node *src)
{
    const char *pool = vd_node_attr(src, "pool");
    const char *volume = vd_node_attr(src, "volume");
    const char *mode = vd_node_attr(src, "mode");

    if (!pool && !volume)
        return 0;
    if (!pool || !volume)
        return vd_src_fail(c, "'pool' and 'volume' must be given together for a volume source");
    if (mode && vd_pool_mode_from_string(mode) <= 0)
        return vd_src_fail(c, "unknown source mode '%s' for volume type disk", mode);
    return 0;
}

static int
vd_src_parse_pci(vd_src_ctx *c, vd_node *addr)
{
    static const char *const names[] = {"domain", "bus", "slot", "function"};
    unsigned int v[4] = {0, 0, 0, 0};
    const char *multi = vd_node_attr(addr, "multifunction");
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        const char *s = vd_node_attr(addr, names[i]);
        if (s && !vd_parse_uint(s, 0, &v[i]))
            return vd_src_fail(c, "invalid value '%s' for attribute '%s' of NVMe <address>", s,
                               names[i]);
    }
    if (multi && vd_tristate_switch_from_string(multi) <= 0)
        return vd_src_fail(c, "invalid value '%s' for attribute 'multifunction' of <address>",
                           multi);
    if (v[0] || v[1] || v[2]) {
        if (v[1] > 0xFF)
            return vd_src_fail(c, "invalid PCI address bus='0x%x', must be <= 0xFF", v[1]);
        if (v[2] > 0x1F)
            return vd_src_fail(c, "invalid PCI address slot='0x%x', must be <= 0x1F", v[2]);
        if (v[3] > 7)
            return vd_src_fail(c, "invalid PCI address function=0x%x, must be <= 7", v[3]);
    }
    vd_node_set_attr_static(c->doc, addr, "domain", vd_arena_hex(c->doc, v[0], 4));
    vd_node_set_attr_static(c->doc, addr, "bus", vd_arena_hex(c->doc, v[1], 2));
    vd_node_set_attr_static(c->doc, addr, "slot", vd_arena_hex(c->doc, v[2], 2));
    vd_node_set_attr_static(c->doc, addr, "function", vd_arena_hex(c->doc, v[3], 1));
    vd_sort_attrs(addr);
    return 0;
}

static int
vd_src_parse_nvme(vd_src_ctx *c, vd_node *src)
{
    const char *type = vd_node_attr(src, "type");
    const char *ns = vd_node_attr(src, "namespace");
    unsigned long long u;
    vd_node *addr;

    if (!type)
        return vd_src_fail(c, "missing 'type' attribute of NVMe disk source");
    if (strcmp(type, "pci") != 0)
        return vd_src_fail(c, "unsupported NVMe disk source type '%s'", type);
    if (!ns)
        return vd_src_fail(c, "missing 'namespace' attribute of NVMe disk source");
    if (!vd_parse_ull(ns, 10, &u)) {
        /* libvirt reads the namespace with plain strtoull(): "-1" wraps */
        const char *p = ns;
        while (g_ascii_isspace(*p))
            p++;
        if (*p != '-' || !vd_parse_ull(p + 1, 10, &u))
            return vd_src_fail(c, "malformed namespace '%s'", ns);
        u = 0 - u;
    }
    vd_node_set_attr_static(c->doc, src, "namespace", vd_arena_decimal(c->doc, u));
    if (vd_src_check_yesno(c, src, "managed") < 0)
        return -1;
    if (!(addr = vd_node_child(src, "address")))
        return vd_src_fail(c, "NVMe disk source is missing address");
    return vd_src_parse_pci(c, addr);
}

static int
vd_src_parse_vhostuser(vd_src_ctx *c, vd_node *src)
{
    const char *type = vd_node_attr(src, "type");
    vd_node *rc;

    if (!type)
        return vd_src_fail(c, "missing 'type' attribute for vhostuser disk source");
    if (strcmp(type, "unix") != 0)
        return vd_src_fail(c, "invalid 'type' attribute '%s' for vhostuser disk source", type);
    if (!vd_node_attr(src, "path"))
        return vd_src_fail(c, "missing 'path' attribute for vhostuser disk source");
    if ((rc = vd_node_child(src, "reconnect"))) {
        const char *en = vd_node_attr(rc, "enabled");
        if (vd_src_check_yesno(c, rc, "enabled") < 0)
            return -1;
        if (en && vd_tristate_bool_from_string(en) == VDISK_TRISTATE_ON &&
            vd_src_canon_uint(c, rc, "timeout", true, NULL) < 0)
            return -1;
        vd_sort_attrs(rc);
    }
    return 0;
}

static void
vd_src_drop_empty_path(vd_src_ctx *c, vd_node *src, const char *attr)
{
    const char *p = vd_node_attr(src, attr);

    /* an empty path means "no media", as libvirt reads it */
    if (p && !*p)
        vd_node_set_attr_static(c->doc, src, attr, NULL);
}

/* The <source> element @src of a source of type @type. */
static int
vd_src_parse_source(vd_src_ctx *c, vd_node *src, vdisk_type type)
{
    vd_node *n;

    switch (type) {
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_FILE:
        vd_src_drop_empty_path(c, src, "file");
        break;
    case VDISK_TYPE_BLOCK:
        vd_src_drop_empty_path(c, src, "dev");
        break;
    case VDISK_TYPE_DIR:
        vd_src_drop_empty_path(c, src, "dir");
        break;
    case VDISK_TYPE_NETWORK:
        if (vd_src_parse_network(c, src) < 0)
            return -1;
        break;
    case VDISK_TYPE_VOLUME:
        if (vd_src_parse_volume(c, src) < 0)
            return -1;
        break;
    case VDISK_TYPE_NVME:
        if (vd_src_parse_nvme(c, src) < 0)
            return -1;
        break;
    case VDISK_TYPE_VHOSTUSER:
        if (vd_src_parse_vhostuser(c, src) < 0)
            return -1;
        break;
    case VDISK_TYPE_LAST:
        return vd_src_fail(c, "unexpected source type");
    }

    if ((n = vd_node_child(src, "auth")) && vd_src_parse_auth(c, n) < 0)
        return -1;
    if ((n = vd_node_child(src, "encryption")) && vd_src_parse_encryption(c, n) < 0)
        return -1;
    if ((n = vd_node_child(src, "reservations")) && vd_src_parse_reservations(c, n) < 0)
        return -1;
    if ((n = vd_node_child(src, "slices")) && vd_src_parse_slices(c, n) < 0)
        return -1;
    if (vd_src_parse_seclabels(c, src) < 0)
        return -1;

    vd_sort_attrs(src);
    vd_schema_sort_children(src);
    return 0;
}

/* format/metadata_cache/max_size of a backing store or mirror */
static int
vd_src_parse_metadata_cache(vd_src_ctx *c, vd_node *format)
{
    vd_node *mc = vd_node_child(format, "metadata_cache");
    vd_node *ms = vd_node_child(mc, "max_size");
    const char *text;
    g_autofree char *stripped = NULL;
    unsigned long long v;

    if (!ms)
        return 0;
    text = vd_node_text(c->doc, ms);
    stripped = g_strstrip(g_strdup(text ? text : ""));
    if (!vd_parse_ull(stripped, 10, &v))
        return vd_src_fail(c, "invalid metadata cache size '%s'", text ? text : "");
    if (vd_scale_integer(&v, vd_node_attr(ms, "unit"), 1, G_MAXUINT64) < 0 || v < 1)
        return vd_src_fail(c, "invalid metadata cache size '%s'", text);
    vd_node_set_text(c->doc, ms, vd_arena_decimal(c->doc, v));
    vd_node_set_attr_static(c->doc, ms, "unit", "bytes");
    return 0;
}

/* ---- chains ------------------------------------------------------------ */

static int
vd_src_parse_backing(vd_src_ctx *c, vd_node *holder, unsigned int depth)
{
    vd_node *bs = vd_node_child(holder, "backingStore");
    const char *type;
    const char *idx;
    const char *fmt;
    vd_node *format;
    vd_node *src;
    int t;
    int f;
    unsigned int u;
    char saved[sizeof(c->where)];

    if (!bs)
        return 0;
    /* the terminator carries no type and nothing libvirt reads */
    if (!(type = vd_node_attr(bs, "type")))
        return 0;

    memcpy(saved, c->where, sizeof(saved));
    g_snprintf(c->where, sizeof(c->where), " (backing store %u%s)", depth,
               strcmp(holder->name, "mirror") == 0 || strstr(saved, "mirror") ? " of mirror" : "");

    format = vd_node_child(bs, "format");
    fmt = vd_node_attr(format, "type");
    idx = vd_node_attr(bs, "index");
    if (!fmt)
        return vd_src_fail(c, "missing disk backing store format");
    if (!(src = vd_node_child(bs, "source")))
        return vd_src_fail(c, "missing disk backing store source");
    if ((t = vd_type_from_string(type)) <= 0)
        return vd_src_fail(c, "unknown storage source type '%s'", type);
    vd_intern_type(c->doc, bs, t);
    if ((f = vd_format_from_string(fmt)) <= 0)
        return vd_src_fail(c, "unknown storage source format '%s'", fmt);
    vd_intern_format(c->doc, format, "type", f);
    if (idx) {
        if (!vd_parse_uint(idx, 10, &u))
            return vd_src_fail(c, "invalid storage source index '%s'", idx);
        vd_node_set_attr_static(c->doc, bs, "index", vd_arena_decimal(c->doc, u));
    }
    if (vd_src_parse_metadata_cache(c, format) < 0 || vd_src_parse_source(c, src, t) < 0)
        return -1;
    vd_sort_attrs(bs);
    vd_schema_sort_children(bs);
    if (vd_src_parse_backing(c, bs, depth + 1) < 0)
        return -1;
    memcpy(c->where, saved, sizeof(saved));
    return 0;
}

static int
vd_src_parse_mirror(vd_src_ctx *c, vd_node *mirror)
{
    const char *job = vd_node_attr(mirror, "job");
    const char *type = vd_node_attr(mirror, "type");
    const char *ready = vd_node_attr(mirror, "ready");
    const char *fmt;
    const char *idx = NULL;
    vd_node *format = vd_node_child(mirror, "format");
    vd_node *src = vd_node_child(mirror, "source");
    int t = VDISK_TYPE_FILE;
    int f = 0;
    unsigned int u;

    g_strlcpy(c->where, " (mirror)", sizeof(c->where));
    /* a live definition read while libvirt sets a copy up has job='' (the
     * job's type is not assigned yet): what libvirt writes is read */
    if (job && *job && vd_mirror_job_from_string(job) <= 0)
        return vd_src_fail(c, "unknown mirror job type '%s'", job);
    if (type) {
        fmt = vd_node_attr(format, "type");
        idx = vd_node_attr(src, "index");
    } else {
        if (job && *job && strcmp(job, "copy") != 0)
            return vd_src_fail(c, "mirror without type only supported by copy job");
        fmt = vd_node_attr(mirror, "format");
    }
    if (type && (t = vd_type_from_string(type)) <= 0)
        return vd_src_fail(c, "unknown storage source type '%s'", type);
    if (type)
        vd_intern_type(c->doc, mirror, t);
    if (fmt && (f = vd_format_from_string(fmt)) <= 0)
        return vd_src_fail(c, "unknown storage source format '%s'", fmt);
    if (fmt)
        vd_intern_format(c->doc, type ? format : mirror, type ? "type" : "format", f);
    if (idx) {
        if (!vd_parse_uint(idx, 10, &u))
            return vd_src_fail(c, "invalid storage source index '%s'", idx);
        vd_node_set_attr_static(c->doc, src, "index", vd_arena_decimal(c->doc, u));
    }
    if (type) {
        if (!src)
            return vd_src_fail(c, "mirror requires source element");
        if (vd_src_parse_source(c, src, t) < 0 || vd_src_parse_backing(c, mirror, 1) < 0)
            return -1;
        g_strlcpy(c->where, " (mirror)", sizeof(c->where));
    } else if (!vd_node_attr(mirror, "file")) {
        return vd_src_fail(c, "mirror requires file name");
    }
    if (ready && vd_mirror_ready_from_string(ready) < 0)
        return vd_src_fail(c, "unknown mirror ready state '%s'", ready);
    if (format && vd_src_parse_metadata_cache(c, format) < 0)
        return -1;
    vd_sort_attrs(mirror);
    vd_schema_sort_children(mirror);
    c->where[0] = '\0';
    return 0;
}

int
vd_source_parse(vdisk_disk *disk, vd_node *holder, vdisk_error **err)
{
    vd_src_ctx c = {.disk = disk, .doc = disk->doc, .err = err, .where = ""};
    const char *typestr = vd_node_attr(holder, "type");
    int type = VDISK_TYPE_FILE;
    vd_node *src;
    vd_node *driver;
    vd_node *n;

    if (typestr && (type = vd_type_from_string(typestr)) <= 0)
        return vd_src_fail(&c, "unknown disk type '%s'", typestr);
    if (typestr)
        vd_intern_type(c.doc, holder, type);

    if ((src = vd_node_child(holder, "source"))) {
        const char *policy = vd_node_attr(src, "startupPolicy");
        const char *idx = vd_node_attr(src, "index");
        unsigned int u;

        if (vd_src_parse_source(&c, src, type) < 0)
            return -1;
        if (policy && vd_startup_policy_from_string(policy) <= 0)
            return vd_src_fail(&c, "unknown startup policy '%s'", policy);
        if (idx) {
            if (!vd_parse_uint(idx, 10, &u))
                return vd_src_fail(&c, "invalid disk index '%s'", idx);
            vd_node_set_attr_static(c.doc, src, "index", vd_arena_decimal(c.doc, u));
        }
        /* <source file=''/> is libvirt's spelling of "no media" */
        if (!src->attrs && !vd_node_has_element_children(src))
            vd_node_unlink(src);
        src = vd_node_child(holder, "source");
    }

    if ((n = vd_node_child(holder, "auth"))) {
        if (vd_node_child(src, "auth"))
            return vd_src_fail(&c, "an <auth> definition already found for disk source");
        if (vd_src_parse_auth(&c, n) < 0)
            return -1;
    }
    if ((n = vd_node_child(holder, "encryption"))) {
        if (vd_node_child(src, "encryption"))
            return vd_src_fail(&c, "an <encryption> definition already found for disk source");
        if (vd_src_parse_encryption(&c, n) < 0)
            return -1;
    }

    if (vd_src_parse_backing(&c, holder, 1) < 0)
        return -1;

    if ((driver = vd_node_child(holder, "driver"))) {
        const char *fmt = vd_node_attr(driver, "type");

        int f;

        if (fmt && strcmp(fmt, "aio") == 0)
            vd_intern_format(c.doc, driver, "type", VDISK_FORMAT_RAW); /* Xen's old spelling */
        else if (fmt && (f = vd_format_from_string(fmt)) <= 0)
            return vd_src_fail(&c, "unknown driver format value '%s'", fmt);
        else if (fmt)
            vd_intern_format(c.doc, driver, "type", f);
    }

    if ((n = vd_node_child(holder, "mirror")) && vd_src_parse_mirror(&c, n) < 0)
        return -1;
    return 0;
}

/* ---- post-parse: default ports ----------------------------------------- */

unsigned int
vd_source_default_port(vdisk_protocol protocol)
{
    switch (protocol) {
    case VDISK_PROTOCOL_HTTP:
        return 80;
    case VDISK_PROTOCOL_HTTPS:
        return 443;
    case VDISK_PROTOCOL_FTP:
        return 21;
    case VDISK_PROTOCOL_FTPS:
        return 990;
    case VDISK_PROTOCOL_TFTP:
        return 69;
    case VDISK_PROTOCOL_SHEEPDOG:
        return 7000;
    case VDISK_PROTOCOL_NBD:
        return 10809;
    case VDISK_PROTOCOL_SSH:
        return 22;
    case VDISK_PROTOCOL_ISCSI:
        return 3260;
    case VDISK_PROTOCOL_GLUSTER:
        return 24007;
    case VDISK_PROTOCOL_VXHS:
        return 9999;
    case VDISK_PROTOCOL_RBD:
    case VDISK_PROTOCOL_NFS:
    case VDISK_PROTOCOL_NONE:
    case VDISK_PROTOCOL_LAST:
        break;
    }
    return 0;
}

static void
vd_source_default_ports_of(vd_doc *doc, vd_node *holder)
{
    while (holder) {
        vd_node *src = vd_node_child(holder, "source");
        int proto = vd_protocol_from_string(vd_node_attr(src, "protocol"));
        unsigned int port;
        vd_node *h;

        if (vd_source_holder_type(holder) == VDISK_TYPE_NETWORK && proto > 0 &&
            (port = vd_source_default_port((vdisk_protocol)proto))) {
            for (h = vd_node_child(src, "host"); h; h = vd_node_next_sibling(h, "host")) {
                const char *t = vd_node_attr(h, "transport");
                if ((!t || strcmp(t, "tcp") == 0) && !vd_node_attr(h, "port")) {
                    vd_schema_set_attr_static(doc, h, "port", vd_arena_decimal(doc, port));
                }
            }
        }
        holder = vd_node_child(holder, "backingStore");
    }
}

void
vd_source_apply_default_ports(vdisk_disk *disk)
{
    vd_source_default_ports_of(disk->doc, disk->node);
    vd_source_default_ports_of(disk->doc, vd_node_child(disk->node, "mirror"));
}

/* seclabel labelskip of the <source> of @holder */
static void
vd_src_drop_labelskip(vd_doc *doc, vd_node *holder)
{
    vd_node *src = vd_node_child(holder, "source");

    vd_node *next;

    for (vd_node *l = src ? vd_node_child(src, "seclabel") : NULL; l; l = next) {
        next = vd_node_next_sibling(l, "seclabel");
        if (!vd_node_attr(l, "labelskip"))
            continue;
        vd_node_set_attr(doc, l, "labelskip", NULL);
        /* libvirt's inactive formatter skips a seclabel left without a
         * label that relabels (virSecurityDeviceLabelDefFormat) */
        if (!vd_node_child(l, "label") && g_strcmp0(vd_node_attr(l, "relabel"), "no") != 0)
            vd_node_unlink(l);
    }
}

void
vd_source_drop_status(vd_doc *doc, vd_node *node)
{
    vd_node *mirror;
    vd_node *src = vd_node_child(node, "source");

    /* every one: a repeated <mirror> would otherwise take the first's place */
    while ((mirror = vd_node_child(node, "mirror")))
        vd_node_unlink(mirror);
    if (src)
        vd_node_set_attr(doc, src, "index", NULL);
    vd_src_drop_labelskip(doc, node);
    for (vd_node *bs = vd_node_child(node, "backingStore"); bs;
         bs = vd_node_child(bs, "backingStore")) {
        vd_node_set_attr(doc, bs, "index", NULL);
        vd_src_drop_labelskip(doc, bs);
    }
}
