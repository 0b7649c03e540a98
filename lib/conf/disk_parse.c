/*
 * disk_parse.c: check a <disk> element the way libvirt 9.0's parser does,
 * rewrite its values in libvirt's canonical spelling and order its
 * children and attributes as libvirt formats them. No defaults are added.
 *
 * What the parser does not know is left where it stood.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/schema.h"
#include "conf/disk_parse.h"
#include "conf/parse_util.h"
#include "conf/source_priv.h"
#include "util/error.h"

typedef struct {
    vdisk_disk *disk;
    vd_doc *doc;
    vdisk_error **err;
} vd_pctx;

#define VD_LABEL(c) vd_disk_label((c)->disk)

/* ---- value checks ------------------------------------------------------------------------ */

/* The tables of the disk's enum fields (conf/schema-gen.h), each look-up
 * with its strings: a value that parsing checked is left as the table's
 * own string (the same text), which the getters find by its address
 * (name_from_interned()). */
#define VD_ENUM_PAIR(field, type, last, elem, attr, table, what)                                   \
    {table##_from_string, table##_to_string},
static const struct {
    int (*from)(const char *);
    const char *(*to)(int);
} vd_enum_pairs[] = {VD_SCHEMA_ENUM_ACCESSORS(VD_ENUM_PAIR)};

static void
vd_parse_intern(vd_pctx *c, vd_node *node, const char *attr, int (*from)(const char *), int val)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vd_enum_pairs); i++) {
        if (vd_enum_pairs[i].from == from) {
            vd_node_set_attr_static(c->doc, node, attr, vd_enum_pairs[i].to(val));
            return;
        }
    }
}

/* An enum attribute. Returns the member (0 when absent or when libvirt's
 * string for the unset member was given and dropped), or -1. With @nonzero
 * libvirt refuses the unset member's string. */
static int
vd_parse_enum(vd_pctx *c, vd_node *node, const char *attr, int (*from)(const char *), bool nonzero,
              const char *what)
{
    const char *v = vd_node_attr(node, attr);
    int val;

    if (!v)
        return 0;
    val = from(v);
    if (val < 0 || (val == 0 && nonzero)) {
        vd_error_set(c->err, VDISK_ERR_INVALID, "%s: unknown %s '%s'", VD_LABEL(c), what, v);
        return -1;
    }
    if (val == 0)
        vd_node_set_attr(c->doc, node, attr, NULL);
    else
        vd_parse_intern(c, node, attr, from, val);
    return val;
}

/* A tri-state attribute: on/off (@yesno false) or yes/no; "default" is refused. */
static int
vd_parse_tristate(vd_pctx *c, vd_node *node, const char *attr, bool yesno)
{
    const char *v = vd_node_attr(node, attr);
    int val;

    if (!v)
        return 0;
    val = yesno ? vd_tristate_bool_from_string(v) : vd_tristate_switch_from_string(v);
    if (val <= 0) {
        vd_error_set(c->err, VDISK_ERR_INVALID,
                     "%s: invalid value for attribute '%s' in element '%s': '%s', expected %s",
                     VD_LABEL(c), attr, node->name, v, yesno ? "'yes' or 'no'" : "'on' or 'off'");
        return -1;
    }
    vd_node_set_attr_static(c->doc, node, attr,
                            yesno ? vd_tristate_bool_to_string(val)
                                  : vd_tristate_switch_to_string(val));
    return val;
}

/* Whether @s is written in canonical decimal: digits, no leading zero. */
static bool
vd_is_canonical_decimal(const char *s)
{
    const char *p;

    if (s[0] == '0')
        return !s[1];
    for (p = s; *p >= '0' && *p <= '9'; p++)
        ;
    return p != s && !*p;
}

/* An unsigned attribute, rewritten in canonical decimal. Returns 0 and
 * fills @out (0 when absent), or -1. */
static int
vd_parse_uint_attr(vd_pctx *c, vd_node *node, const char *attr, int base, vd_uint_mode mode,
                   unsigned int *out)
{
    const char *v = vd_node_attr(node, attr);
    unsigned int val;

    *out = 0;
    if (!v) {
        if (mode == VD_UINT_REQUIRED_NONZERO)
            return vd_fail(c->err, VDISK_ERR_INVALID,
                           "%s: missing required attribute '%s' in element '%s'", VD_LABEL(c), attr,
                           node->name);
        return 0;
    }
    if (!vd_parse_uint(v, base, &val))
        return vd_fail(c->err, VDISK_ERR_INVALID,
                       "%s: invalid value for attribute '%s' in element '%s': '%s', expected "
                       "a non-negative integer",
                       VD_LABEL(c), attr, node->name, v);
    if (val == 0 && (mode == VD_UINT_NONZERO || mode == VD_UINT_REQUIRED_NONZERO))
        return vd_fail(c->err, VDISK_ERR_INVALID,
                       "%s: invalid value for attribute '%s' in element '%s': zero is not "
                       "permitted",
                       VD_LABEL(c), attr, node->name);
    if (val == 0 && mode == VD_UINT_DROP_ZERO)
        vd_node_set_attr(c->doc, node, attr, NULL);
    else if (base == 10 && !vd_is_canonical_decimal(v))
        vd_node_set_attr_static(c->doc, node, attr, vd_arena_decimal(c->doc, val));
    *out = val;
    return 0;
}

/* Check @k of @node's element. */
static int
vd_parse_check_one(vd_pctx *c, vd_node *node, const vd_schema_check *k)
{
    unsigned int u;

    switch (k->kind) {
    case VD_CHECK_ENUM:
        return vd_parse_enum(c, node, k->attr, k->from_string, k->nonzero, k->what) < 0 ? -1 : 0;
    case VD_CHECK_ONOFF:
        return vd_parse_tristate(c, node, k->attr, false) < 0 ? -1 : 0;
    case VD_CHECK_YESNO:
        return vd_parse_tristate(c, node, k->attr, true) < 0 ? -1 : 0;
    case VD_CHECK_UINT:
        return vd_parse_uint_attr(c, node, k->attr, 10, k->zero, &u);
    }
    return 0;
}

/* The checks in @cs's order: the first that fails is the one reported. */
static int
vd_parse_checked_in_order(vd_pctx *c, vd_node *node, const vd_schema_checks *cs)
{
    size_t i;

    for (i = 0; i < cs->n; i++) {
        if (vd_parse_check_one(c, node, &cs->checks[i]) < 0)
            return -1;
    }
    return 0;
}

/* The check of attribute @name in @cs, or NULL. */
static const vd_schema_check *
vd_parse_check_of(const vd_schema_checks *cs, const char *name)
{
    size_t i;

    for (i = 0; i < cs->n; i++) {
        const char *attr = cs->checks[i].attr;

        if (attr[0] == name[0] && strcmp(attr, name) == 0)
            return &cs->checks[i];
    }
    return NULL;
}

/* The checks the schema lists for @node's element (conf/schema-gen.c).
 * They run for the attributes @node has, in one walk over them, instead
 * of one look-up per check. Whatever the order, a valid element ends up
 * the same (each check concerns its own attribute); an invalid one is
 * checked again in the schema's order, so that the error is the first
 * failing check's, as before: what the walk rewrote (canonical numbers,
 * dropped defaults) passes its check again unchanged. */
static int
vd_parse_checked(vd_pctx *c, vd_node *node)
{
    const vd_schema_checks *cs = &vd_schema_element_checks[vd_schema_element_tagged(node)];
    vdisk_error **err = c->err;
    vdisk_error *scratch = NULL;
    vd_attr *a;
    vd_attr *next;
    size_t i;
    int rc = 0;

    if (!cs->n)
        return 0;
    c->err = &scratch;
    for (a = node->attrs; a && rc == 0; a = next) {
        const vd_schema_check *k = vd_parse_check_of(cs, a->name);

        next = a->next; /* a check may remove @a */
        if (k)
            rc = vd_parse_check_one(c, node, k);
    }
    c->err = err;
    vdisk_error_free(scratch);
    for (i = 0; i < cs->n && rc == 0; i++) {
        /* a missing attribute can fail only as a required one */
        if (cs->checks[i].kind == VD_CHECK_UINT && cs->checks[i].zero == VD_UINT_REQUIRED_NONZERO &&
            !vd_node_attr(node, cs->checks[i].attr))
            rc = -1;
    }
    return rc < 0 ? vd_parse_checked_in_order(c, node, cs) : 0;
}

static bool
vd_node_is_empty(const vd_node *node)
{
    return !node->attrs && !node->children;
}

static void
vd_drop_if_empty(vd_node *node)
{
    if (node && vd_node_is_empty(node))
        vd_node_unlink(node);
}

/* ---- <disk> attributes ------------------------------------------------------------------- */

static int
vd_parse_disk_attrs(vd_pctx *c)
{
    vd_node *n = c->disk->node;

    if (vd_parse_checked(c, n) < 0)
        return -1;
    /* libvirt's parser reads a missing type as 'file' and a missing device
     * as 'disk' (virXMLPropEnumDefault), and its formatter writes both */
    if (!vd_node_attr(n, "type"))
        vd_node_set_attr_static(c->doc, n, "type", "file");
    else if (!vd_node_child(n, "source") && strcmp(vd_node_attr(n, "type"), "file") != 0)
        /* ... and, without a <source>, resets the type to 'file'
         * (virDomainDiskDefParseSourceXML): an empty network or block
         * cdrom is written back as type='file' */
        vd_node_set_attr_static(c->doc, n, "type", "file");
    if (!vd_node_attr(n, "device"))
        vd_node_set_attr_static(c->doc, n, "device", "disk");
    return 0;
}

/* ---- <driver> ---------------------------------------------------------------------------- */

static int
vd_parse_metadata_cache(vd_pctx *c, vd_node *driver)
{
    vd_node *mc = vd_node_child(driver, "metadata_cache");
    vd_node *ms;
    const char *text;
    const char *unit;
    unsigned long long bytes;
    int rc;

    if (!mc)
        return 0;
    ms = vd_node_child(mc, "max_size");
    if (!ms) {
        vd_drop_if_empty(mc);
        return 0;
    }
    text = vd_node_text(c->doc, ms);
    if (!text || !*text) {
        vd_node_unlink(ms);
        vd_drop_if_empty(mc);
        return 0;
    }
    if (!vd_parse_ull(text, 10, &bytes))
        return vd_fail(c->err, VDISK_ERR_INVALID,
                       "%s: invalid value '%s' for element or attribute "
                       "'./metadata_cache/max_size'",
                       VD_LABEL(c), text);
    unit = vd_node_attr(ms, "unit");
    rc = vd_scale_integer(&bytes, unit, 1, G_MAXUINT64);
    if (rc == -1)
        return vd_fail(c->err, VDISK_ERR_INVALID, "%s: unknown suffix '%s'", VD_LABEL(c), unit);
    if (rc < 0)
        return vd_fail(c->err, VDISK_ERR_INVALID, "%s: value too large: %s%s", VD_LABEL(c), text,
                       unit);
    if (bytes == 0) {
        vd_node_unlink(ms);
        vd_drop_if_empty(mc);
        return 0;
    }
    vd_node_set_text(c->doc, ms, vd_arena_decimal(c->doc, bytes));
    vd_node_set_attr_static(c->doc, ms, "unit", "bytes");
    return 0;
}

static int
vd_parse_driver(vd_pctx *c)
{
    vd_node *d = vd_disk_child_named(c->disk, "driver");

    if (!d)
        return 0;
    if (vd_parse_checked(c, d) < 0)
        return -1;
    if (vd_error_policy_from_string(vd_node_attr(d, "rerror_policy")) ==
        VDISK_ERROR_POLICY_ENOSPACE)
        return vd_fail(c->err, VDISK_ERR_UNSUPPORTED,
                       "%s: invalid disk read error policy: 'enospace'", VD_LABEL(c));
    if (vd_parse_metadata_cache(c, d) < 0)
        return -1;
    vd_schema_sort_attrs(d);
    vd_drop_if_empty(d);
    return 0;
}

/* ---- <target>, <geometry>, <blockio> ------------------------------------------------------ */

static int
vd_parse_target(vd_pctx *c)
{
    vd_node *t = vd_disk_child_named(c->disk, "target");

    if (!t)
        return 0;
    if (vd_parse_checked(c, t) < 0)
        return -1;
    /* closed is libvirt's unset value. A tray on a non-removable device or
     * removable= on a non-USB bus are kept: libvirt refuses them at define
     * time (see disk_validate.c). */
    if (vd_tray_from_string(vd_node_attr(t, "tray")) == VDISK_TRAY_CLOSED)
        vd_node_set_attr(c->doc, t, "tray", NULL);
    vd_schema_sort_attrs(t);
    return 0;
}

static int
vd_parse_geometry(vd_pctx *c)
{
    vd_node *g = vd_node_child(c->disk->node, "geometry");
    unsigned int cyls;
    unsigned int heads;
    unsigned int secs;

    if (!g)
        return 0;
    if (vd_parse_checked(c, g) < 0)
        return -1;
    /* checked above: absent or a canonical decimal */
    if (!vd_parse_uint(vd_node_attr(g, "cyls"), 10, &cyls))
        cyls = 0;
    if (!vd_parse_uint(vd_node_attr(g, "heads"), 10, &heads))
        heads = 0;
    if (!vd_parse_uint(vd_node_attr(g, "secs"), 10, &secs))
        secs = 0;
    if (!cyls || !heads || !secs) {
        /* libvirt keeps a geometry only when all three are set */
        vd_node_set_attr(c->doc, g, "cyls", NULL);
        vd_node_set_attr(c->doc, g, "heads", NULL);
        vd_node_set_attr(c->doc, g, "secs", NULL);
        vd_node_set_attr(c->doc, g, "trans", NULL);
        vd_drop_if_empty(g);
        return 0;
    }
    vd_schema_sort_attrs(g);
    return 0;
}

static int
vd_parse_blockio(vd_pctx *c)
{
    vd_node *b = vd_node_child(c->disk->node, "blockio");

    if (!b)
        return 0;
    if (vd_parse_checked(c, b) < 0)
        return -1;
    vd_schema_sort_attrs(b);
    vd_drop_if_empty(b);
    return 0;
}

/* ---- <iotune> ------------------------------------------------------------------------------ */

static int
vd_parse_iotune(vd_pctx *c)
{
    vd_node *io = vd_node_child(c->disk->node, "iotune");
    int f;

    if (!io)
        return 0;
    /* libvirt reads the first of each <iotune> value and writes only that */
    vd_schema_drop_repeated(c->doc, io);
    for (f = 0; f < VDISK_IOTUNE_LAST; f++) {
        const char *name = vd_iotune_field_to_string(f);
        vd_node *e = vd_node_child(io, name);
        const char *text;
        unsigned long long v;

        if (!e)
            continue;
        text = vd_node_text(c->doc, e);
        if (!text || !*text) {
            vd_node_unlink(e);
            continue;
        }
        if (!vd_parse_ull(text, 10, &v))
            return vd_fail(c->err, VDISK_ERR_INVALID,
                           "%s: disk iotune field '%s' must be an integer, not '%s'", VD_LABEL(c),
                           name, text);
        if (v == 0)
            vd_node_unlink(e);
        else
            vd_node_set_text(c->doc, e, vd_arena_decimal(c->doc, v));
    }
    {
        vd_node *g = vd_node_child(io, "group_name");
        const char *text = vd_node_text(c->doc, g);

        if (g && (!text || !*text))
            vd_node_unlink(g);
    }
    vd_schema_sort_children(io);
    vd_drop_if_empty(io);
    return 0;
}

/* ---- flags, identification ----------------------------------------------------------------- */

static int
vd_parse_misc(vd_pctx *c)
{
    vd_node *n = c->disk->node;
    vd_node *t = vd_node_child(n, "transient");
    vd_node *bd = vd_node_child(n, "backenddomain");
    static const char *const texts[] = {"serial", "wwn", "vendor", "product"};
    size_t i;

    if (t) {
        int share = vd_parse_tristate(c, t, "shareBacking", true);
        if (share < 0)
            return -1;
        if (share == VDISK_TRISTATE_OFF)
            vd_node_set_attr(c->doc, t, "shareBacking", NULL);
    }
    if (bd && !vd_node_attr(bd, "name"))
        vd_drop_if_empty(bd);
    for (i = 0; i < G_N_ELEMENTS(texts); i++) {
        vd_node *e = vd_node_child(n, texts[i]);
        const char *text = vd_node_text(c->doc, e);
        if (e && !vd_node_has_element_children(e) && (!text || !*text))
            vd_node_unlink(e);
    }
    return 0;
}

/* ---- device info: <boot>, <address> -------------------------------------------------------- */

static int
vd_parse_boot(vd_pctx *c)
{
    vd_node *b = vd_node_child(c->disk->node, "boot");
    const char *lp;

    if (!b)
        return 0;
    if (vd_parse_checked(c, b) < 0)
        return -1;
    if ((lp = vd_node_attr(b, "loadparm"))) {
        g_autofree char *up = g_ascii_strup(lp, -1);
        size_t len = strlen(up);
        size_t i;

        if (len < 1 || len > 8)
            return vd_fail(c->err, VDISK_ERR_INVALID,
                           "%s: loadparm value '%s' must be between 1 and 8 characters",
                           VD_LABEL(c), up);
        for (i = 0; i < len; i++) {
            if (!g_ascii_isalnum(up[i]) && up[i] != '.' && up[i] != ' ')
                return vd_fail(c->err, VDISK_ERR_INVALID,
                               "%s: invalid loadparm char '%c', expecting chars in set of "
                               "[a-zA-Z0-9.] and blank spaces",
                               VD_LABEL(c), up[i]);
        }
        vd_node_set_attr(c->doc, b, "loadparm", up);
    }
    vd_schema_sort_attrs(b);
    return 0;
}

/* <acpi index>: a number, not 0 (virXMLPropUInt with VIR_XML_PROP_NONZERO) */
static int
vd_parse_acpi(vd_pctx *c)
{
    vd_node *a = vd_node_child(c->disk->node, "acpi");

    return a ? vd_parse_checked(c, a) : 0;
}

static int
vd_parse_address_pci(vd_pctx *c, vd_node *a)
{
    unsigned int dom;
    unsigned int bus;
    unsigned int slot;
    unsigned int fn;

    if (vd_parse_uint_attr(c, a, "domain", 0, VD_UINT_KEEP_ZERO, &dom) < 0 ||
        vd_parse_uint_attr(c, a, "bus", 0, VD_UINT_KEEP_ZERO, &bus) < 0 ||
        vd_parse_uint_attr(c, a, "slot", 0, VD_UINT_KEEP_ZERO, &slot) < 0 ||
        vd_parse_uint_attr(c, a, "function", 0, VD_UINT_KEEP_ZERO, &fn) < 0 ||
        vd_parse_tristate(c, a, "multifunction", false) < 0)
        return -1;
    if (!dom && !bus && !slot) {
        vd_node_set_attr(c->doc, a, "domain", NULL);
        vd_node_set_attr(c->doc, a, "bus", NULL);
        vd_node_set_attr(c->doc, a, "slot", NULL);
        vd_node_set_attr(c->doc, a, "function", NULL);
        return 0;
    }
    if (bus > 0xFF)
        return vd_fail(c->err, VDISK_ERR_INVALID,
                       "%s: invalid PCI address bus='0x%x', must be <= 0xFF", VD_LABEL(c), bus);
    if (slot > 0x1F)
        return vd_fail(c->err, VDISK_ERR_INVALID,
                       "%s: invalid PCI address slot='0x%x', must be <= 0x1F", VD_LABEL(c), slot);
    if (fn > 7)
        return vd_fail(c->err, VDISK_ERR_INVALID,
                       "%s: invalid PCI address function=0x%x, must be <= 7", VD_LABEL(c), fn);
    vd_node_set_attr_hex(c->doc, a, "domain", dom, 4);
    vd_node_set_attr_hex(c->doc, a, "bus", bus, 2);
    vd_node_set_attr_hex(c->doc, a, "slot", slot, 2);
    vd_node_set_attr_hex(c->doc, a, "function", fn, 1); /* <= 7 */
    return 0;
}

static int
vd_parse_address_usb_port(vd_pctx *c, vd_node *a)
{
    const char *port = vd_node_attr(a, "port");
    g_auto(GStrv) parts = NULL;
    GString *canon;
    size_t i;

    if (!port)
        return 0;
    parts = g_strsplit(port, ".", -1);
    if (g_strv_length(parts) > 4)
        goto bad;
    canon = g_string_new(NULL);
    for (i = 0; parts[i]; i++) {
        unsigned int v;
        if (!vd_parse_uint(parts[i], 10, &v)) {
            g_string_free(canon, TRUE);
            goto bad;
        }
        g_string_append_printf(canon, "%s%u", i ? "." : "", v);
    }
    /* a first port of 0 is libvirt's "no port" */
    if (g_str_has_prefix(canon->str, "0") && (canon->str[1] == '\0' || canon->str[1] == '.'))
        vd_node_set_attr(c->doc, a, "port", NULL);
    else
        vd_node_set_attr(c->doc, a, "port", canon->str);
    g_string_free(canon, TRUE);
    return 0;

bad:
    return vd_fail(c->err, VDISK_ERR_INVALID, "%s: cannot parse <address> 'port' attribute '%s'",
                   VD_LABEL(c), port);
}

static int
vd_parse_address(vd_pctx *c)
{
    vd_node *a = vd_disk_child_named(c->disk, "address");
    const char *type;
    int t;
    unsigned int u1;
    unsigned int u2;
    unsigned int u3;
    unsigned int u4;
    unsigned long long ull;

    if (!a)
        return 0;
    type = vd_node_attr(a, "type");
    if (!type)
        return vd_fail(c->err, VDISK_ERR_INVALID, "%s: no type specified for device address",
                       VD_LABEL(c));
    t = vd_address_type_full_from_string(type);
    if (t <= 0)
        return vd_fail(c->err, VDISK_ERR_UNSUPPORTED, "%s: unknown address type '%s'", VD_LABEL(c),
                       type);
    switch ((vd_address_type_full)t) {
    case VD_ADDR_FULL_PCI:
        if (vd_parse_address_pci(c, a) < 0)
            return -1;
        break;
    case VD_ADDR_FULL_DRIVE:
        if (vd_parse_uint_attr(c, a, "controller", 10, VD_UINT_KEEP_ZERO, &u1) < 0 ||
            vd_parse_uint_attr(c, a, "bus", 10, VD_UINT_KEEP_ZERO, &u2) < 0 ||
            vd_parse_uint_attr(c, a, "target", 10, VD_UINT_KEEP_ZERO, &u3) < 0 ||
            vd_parse_uint_attr(c, a, "unit", 10, VD_UINT_KEEP_ZERO, &u4) < 0)
            return -1;
        vd_node_set_attr_decimal(c->doc, a, "controller", u1);
        vd_node_set_attr_decimal(c->doc, a, "bus", u2);
        vd_node_set_attr_decimal(c->doc, a, "target", u3);
        vd_node_set_attr_decimal(c->doc, a, "unit", u4);
        break;
    case VD_ADDR_FULL_VIRTIO_SERIAL:
        if (vd_parse_uint_attr(c, a, "controller", 10, VD_UINT_KEEP_ZERO, &u1) < 0 ||
            vd_parse_uint_attr(c, a, "bus", 10, VD_UINT_KEEP_ZERO, &u2) < 0 ||
            vd_parse_uint_attr(c, a, "port", 10, VD_UINT_KEEP_ZERO, &u3) < 0)
            return -1;
        vd_node_set_attr_decimal(c->doc, a, "controller", u1);
        vd_node_set_attr_decimal(c->doc, a, "bus", u2);
        vd_node_set_attr_decimal(c->doc, a, "port", u3);
        break;
    case VD_ADDR_FULL_CCID:
        if (vd_parse_uint_attr(c, a, "controller", 10, VD_UINT_KEEP_ZERO, &u1) < 0 ||
            vd_parse_uint_attr(c, a, "slot", 10, VD_UINT_KEEP_ZERO, &u2) < 0)
            return -1;
        vd_node_set_attr_decimal(c->doc, a, "controller", u1);
        vd_node_set_attr_decimal(c->doc, a, "slot", u2);
        break;
    case VD_ADDR_FULL_USB:
        if (vd_parse_address_usb_port(c, a) < 0 ||
            vd_parse_uint_attr(c, a, "bus", 10, VD_UINT_KEEP_ZERO, &u1) < 0)
            return -1;
        vd_node_set_attr_decimal(c->doc, a, "bus", u1);
        break;
    case VD_ADDR_FULL_CCW:
        if (vd_parse_uint_attr(c, a, "cssid", 0, VD_UINT_KEEP_ZERO, &u1) < 0 ||
            vd_parse_uint_attr(c, a, "ssid", 0, VD_UINT_KEEP_ZERO, &u2) < 0 ||
            vd_parse_uint_attr(c, a, "devno", 0, VD_UINT_KEEP_ZERO, &u3) < 0)
            return -1;
        if (u1 > 0xfe || u2 > 3 || u3 > 0xffff)
            return vd_fail(c->err, VDISK_ERR_INVALID,
                           "%s: invalid specification for virtio ccw address: cssid='0x%x' "
                           "ssid='0x%x' devno='0x%04x'",
                           VD_LABEL(c), u1, u2, u3);
        {
            /* libvirt wants all three attributes or none (zero values are fine) */
            int present =
                !!vd_node_attr(a, "cssid") + !!vd_node_attr(a, "ssid") + !!vd_node_attr(a, "devno");

            if (present != 0 && present != 3)
                return vd_fail(c->err, VDISK_ERR_INVALID,
                               "%s: invalid partial specification for virtio ccw address",
                               VD_LABEL(c));
            if (present == 3) {
                vd_node_set_attr_hex(c->doc, a, "cssid", u1, 1);
                vd_node_set_attr_hex(c->doc, a, "ssid", u2, 1);
                vd_node_set_attr_hex(c->doc, a, "devno", u3, 4);
            }
            break;
        }
    case VD_ADDR_FULL_SPAPRVIO:
        if (vd_node_attr(a, "reg")) {
            if (!vd_parse_ull(vd_node_attr(a, "reg"), 16, &ull))
                return vd_fail(c->err, VDISK_ERR_INVALID,
                               "%s: invalid value for attribute 'reg' in element 'address': '%s'",
                               VD_LABEL(c), vd_node_attr(a, "reg"));
            if (ull)
                vd_node_set_attr_hex(c->doc, a, "reg", ull, 8);
            else
                vd_node_set_attr(c->doc, a, "reg", NULL);
        }
        break;
    case VD_ADDR_FULL_ISA:
        if (vd_parse_uint_attr(c, a, "iobase", 16, VD_UINT_DROP_ZERO, &u1) < 0 ||
            vd_parse_uint_attr(c, a, "irq", 16, VD_UINT_DROP_ZERO, &u2) < 0)
            return -1;
        if (u1)
            vd_node_set_attr_hex(c->doc, a, "iobase", u1, 1);
        if (u2)
            vd_node_set_attr_hex(c->doc, a, "irq", u2, 1);
        break;
    case VD_ADDR_FULL_DIMM:
        if (!vd_node_attr(a, "slot"))
            return vd_fail(c->err, VDISK_ERR_INVALID,
                           "%s: missing required attribute 'slot' in element 'address'",
                           VD_LABEL(c));
        if (vd_parse_uint_attr(c, a, "slot", 10, VD_UINT_KEEP_ZERO, &u1) < 0)
            return -1;
        if (vd_node_attr(a, "base")) {
            if (!vd_parse_ull(vd_node_attr(a, "base"), 16, &ull))
                return vd_fail(c->err, VDISK_ERR_INVALID,
                               "%s: invalid value for attribute 'base' in element 'address': "
                               "'%s'",
                               VD_LABEL(c), vd_node_attr(a, "base"));
            if (ull)
                vd_node_set_attr_hex(c->doc, a, "base", ull, 1);
            else
                vd_node_set_attr(c->doc, a, "base", NULL);
        }
        break;
    case VD_ADDR_FULL_NONE:
    case VD_ADDR_FULL_VIRTIO_S390:
    case VD_ADDR_FULL_VIRTIO_MMIO:
    case VD_ADDR_FULL_UNASSIGNED:
    case VD_ADDR_FULL_LAST:
        break;
    }
    if (t == VD_ADDR_FULL_VIRTIO_S390) {
        /* libvirt drops the legacy s390 address on output */
        vd_node_unlink(a);
        return 0;
    }
    vd_schema_sort_attrs(a);
    return 0;
}

/* ---- the whole <disk> ---------------------------------------------------------------------- */

int
vd_disk_parse(vdisk_disk *disk, vdisk_error **err)
{
    vd_pctx ctx = {disk, disk->doc, err};
    vd_pctx *c = &ctx;
    vd_node *n = disk->node;

    if (!n || n->kind != VD_NODE_ELEMENT || strcmp(n->name, "disk") != 0)
        return vd_fail(err, VDISK_ERR_XML, "unexpected root element <%s>, expecting <disk>",
                       n && n->name ? n->name : "");

    /* every known child of <disk> is single-valued */
    vd_schema_drop_repeated(disk->doc, n);

    if (vd_source_parse(disk, n, err) < 0)
        return -1;
    if (vd_parse_disk_attrs(c) < 0 || vd_parse_target(c) < 0 || vd_parse_geometry(c) < 0 ||
        vd_parse_blockio(c) < 0 || vd_parse_driver(c) < 0 || vd_parse_misc(c) < 0 ||
        vd_parse_iotune(c) < 0 || vd_parse_boot(c) < 0 || vd_parse_acpi(c) < 0 ||
        vd_parse_address(c) < 0)
        return -1;

    /* libvirt leaves snapshot='no' out for read-only disks */
    if (vd_snapshot_from_string(vd_node_attr(n, "snapshot")) == VDISK_SNAPSHOT_NO &&
        vd_node_child(n, "readonly"))
        vd_node_set_attr(c->doc, n, "snapshot", NULL);

    vd_schema_sort_attrs(n);
    vd_schema_sort_children(n);
    return 0;
}
