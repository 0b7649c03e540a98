/*
 * disk_api.c: getters and setters of the disk-level fields
 *
 * Every accessor reads or writes the <disk> tree directly. Setters create
 * missing elements where libvirt formats them, drop elements that become
 * empty and keep attributes in libvirt's order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/schema.h"
#include "conf/disk_priv.h"
#include "conf/parse_util.h"
#include "util/error.h"

/* ---- tree helpers ------------------------------------------------------------------------ */

static VD_ALWAYS_INLINE vd_node *
vd_disk_child(const vdisk_disk *disk, const char *name)
{
    return disk ? vd_disk_child_named(disk, name) : NULL;
}

static vd_node *
vd_disk_ensure(vdisk_disk *disk, const char *name)
{
    return vd_schema_ensure_child(disk->doc, disk->node, name);
}

static void
vd_remove_child(vd_node *parent, const char *name)
{
    vd_node *n;

    while ((n = vd_node_child(parent, name)))
        vd_node_unlink(n);
}

static void
vd_drop_if_empty(vd_node *node)
{
    if (node && !node->attrs && !node->children)
        vd_node_unlink(node);
}

/* Sets (or, @value NULL, removes) attribute @attr of the disk's child
 * element @elem (NULL: of <disk> itself). */
static void
vd_disk_set_attr(vdisk_disk *disk, const char *elem, const char *attr, const char *value)
{
    vd_node *n;

    if (!elem) {
        vd_schema_set_attr(disk->doc, disk->node, attr, value);
        return;
    }
    if (!value) {
        n = vd_disk_child(disk, elem);
        if (n) {
            vd_node_set_attr(disk->doc, n, attr, NULL);
            vd_drop_if_empty(n);
        }
        return;
    }
    n = vd_disk_ensure(disk, elem);
    vd_schema_set_attr(disk->doc, n, attr, value);
}

static VD_ALWAYS_INLINE const char *
vd_disk_get_attr(const vdisk_disk *disk, const char *elem, const char *attr)
{
    if (!disk)
        return NULL;
    return vd_node_attr(elem ? vd_disk_child(disk, elem) : disk->node, attr);
}

static VD_ALWAYS_INLINE int
vd_disk_get_enum(const vdisk_disk *disk, const char *elem, const char *attr,
                 int (*from)(const char *))
{
    int v = from(vd_disk_get_attr(disk, elem, attr));
    return v < 0 ? 0 : v;
}

static int
vd_check_disk(const vdisk_disk *disk, vdisk_error **err)
{
    if (!disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    return 0;
}

static int
vd_set_enum(vdisk_disk *disk, const char *elem, const char *attr, int value, int last,
            const char *(*to)(int), const char *what, vdisk_error **err)
{
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (value < 0 || value >= last)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid %s %d", vd_disk_label(disk), what,
                       value);
    vd_disk_set_attr(disk, elem, attr, value == 0 ? NULL : to(value));
    return 0;
}

static int
vd_set_uint(vdisk_disk *disk, const char *elem, const char *attr, unsigned int value,
            vdisk_error **err)
{
    g_autofree char *s = NULL;

    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (value)
        s = g_strdup_printf("%u", value);
    vd_disk_set_attr(disk, elem, attr, s);
    return 0;
}

static VD_ALWAYS_INLINE unsigned int
vd_get_uint(const vdisk_disk *disk, const char *elem, const char *attr, int base)
{
    unsigned int v = 0;

    if (!vd_parse_uint(vd_disk_get_attr(disk, elem, attr), base, &v))
        return 0;
    return v;
}

#define VD_ENUM_ACCESSORS(field, type, last, elem, attr, table, what)                              \
    type vdisk_disk_get_##field(const vdisk_disk *disk)                                            \
    {                                                                                              \
        return (type)vd_disk_get_enum(disk, elem, attr, table##_from_interned);                    \
    }                                                                                              \
    int vdisk_disk_set_##field(vdisk_disk *disk, type value, vdisk_error **err)                    \
    {                                                                                              \
        VD_API_ENTER();                                                                            \
        return vd_set_enum(disk, elem, attr, (int)value, last, table##_to_string, what, err);      \
    }

#define VD_UINT_ACCESSORS(field, elem, attr)                                                       \
    unsigned int vdisk_disk_get_##field(const vdisk_disk *disk)                                    \
    {                                                                                              \
        return vd_get_uint(disk, elem, attr, 10);                                                  \
    }                                                                                              \
    int vdisk_disk_set_##field(vdisk_disk *disk, unsigned int value, vdisk_error **err)            \
    {                                                                                              \
        VD_API_ENTER();                                                                            \
        return vd_set_uint(disk, elem, attr, value, err);                                          \
    }

/* the accessors the schema table generates (VD_SCHEMA_*_ACCESSORS: conf/schema-gen.h) */
VD_SCHEMA_ENUM_ACCESSORS(VD_ENUM_ACCESSORS)
VD_SCHEMA_UINT_ACCESSORS(VD_UINT_ACCESSORS)

/* ---- <disk> attributes -------------------------------------------------------------------- */

/* ---- <driver> ------------------------------------------------------------------------------ */

const char *
vdisk_disk_get_driver_name(const vdisk_disk *disk)
{
    return vd_disk_get_attr(disk, "driver", "name");
}

int
vdisk_disk_set_driver_name(vdisk_disk *disk, const char *name, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    vd_disk_set_attr(disk, "driver", "name", name);
    return 0;
}

vdisk_error_policy
vdisk_disk_get_rerror_policy(const vdisk_disk *disk)
{
    return (vdisk_error_policy)vd_disk_get_enum(disk, "driver", "rerror_policy",
                                                vd_error_policy_from_string);
}

int
vdisk_disk_set_rerror_policy(vdisk_disk *disk, vdisk_error_policy policy, vdisk_error **err)
{
    VD_API_ENTER();
    if (policy == VDISK_ERROR_POLICY_ENOSPACE)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid disk read error policy: 'enospace'",
                       vd_disk_label(disk));
    return vd_set_enum(disk, "driver", "rerror_policy", (int)policy, VDISK_ERROR_POLICY_LAST,
                       vd_error_policy_to_string, "read error policy", err);
}

unsigned long long
vdisk_disk_get_metadata_cache_max_size(const vdisk_disk *disk)
{
    vd_node *ms =
        vd_node_child(vd_node_child(vd_disk_child(disk, "driver"), "metadata_cache"), "max_size");
    unsigned long long v = 0;

    if (!ms || !vd_parse_ull(vd_node_text(disk->doc, ms), 10, &v))
        return 0;
    if (vd_scale_integer(&v, vd_node_attr(ms, "unit"), 1, G_MAXUINT64) < 0)
        return 0;
    return v;
}

int
vdisk_disk_set_metadata_cache_max_size(vdisk_disk *disk, unsigned long long bytes,
                                       vdisk_error **err)
{
    vd_node *drv;
    vd_node *mc;
    vd_node *ms;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (!bytes) {
        drv = vd_disk_child(disk, "driver");
        mc = vd_node_child(drv, "metadata_cache");
        if (mc) {
            vd_remove_child(mc, "max_size");
            vd_drop_if_empty(mc);
        }
        vd_drop_if_empty(drv);
        return 0;
    }
    drv = vd_disk_ensure(disk, "driver");
    mc = vd_schema_ensure_child(disk->doc, drv, "metadata_cache");
    ms = vd_schema_ensure_child(disk->doc, mc, "max_size");
    vd_node_set_attr_static(disk->doc, ms, "unit", "bytes");
    vd_node_set_text(disk->doc, ms, vd_arena_decimal(disk->doc, bytes));
    return 0;
}

/* ---- <target> ------------------------------------------------------------------------------ */

const char *
vdisk_disk_get_target(const vdisk_disk *disk)
{
    return vd_disk_get_attr(disk, "target", "dev");
}

int
vdisk_disk_set_target(vdisk_disk *disk, const char *dev, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (dev && !*dev)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: empty target name", vd_disk_label(disk));
    vd_disk_set_attr(disk, "target", "dev", dev);
    return 0;
}

vdisk_tray
vdisk_disk_get_tray(const vdisk_disk *disk)
{
    return (vdisk_tray)vd_disk_get_enum(disk, "target", "tray", vd_tray_from_string);
}

int
vdisk_disk_set_tray(vdisk_disk *disk, vdisk_tray tray, vdisk_error **err)
{
    VD_API_ENTER();
    /* closed is libvirt's default and is never written */
    if (tray == VDISK_TRAY_CLOSED)
        tray = VDISK_TRAY_DEFAULT;
    return vd_set_enum(disk, "target", "tray", (int)tray, VDISK_TRAY_LAST, vd_tray_to_string,
                       "tray status", err);
}

/* ---- flags and identification -------------------------------------------------------------- */

static int
vd_set_flag(vdisk_disk *disk, const char *elem, int on, vdisk_error **err)
{
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (on)
        vd_disk_ensure(disk, elem);
    else
        vd_remove_child(disk->node, elem);
    return 0;
}

int
vdisk_disk_get_readonly(const vdisk_disk *disk)
{
    return vd_disk_child(disk, "readonly") != NULL;
}

int
vdisk_disk_set_readonly(vdisk_disk *disk, int readonly, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_set_flag(disk, "readonly", readonly, err);
}

int
vdisk_disk_get_shareable(const vdisk_disk *disk)
{
    return vd_disk_child(disk, "shareable") != NULL;
}

int
vdisk_disk_set_shareable(vdisk_disk *disk, int shareable, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_set_flag(disk, "shareable", shareable, err);
}

int
vdisk_disk_get_transient(const vdisk_disk *disk)
{
    return vd_disk_child(disk, "transient") != NULL;
}

int
vdisk_disk_set_transient(vdisk_disk *disk, int transient, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_set_flag(disk, "transient", transient, err);
}

vdisk_tristate
vdisk_disk_get_transient_share_backing(const vdisk_disk *disk)
{
    return (vdisk_tristate)vd_disk_get_enum(disk, "transient", "shareBacking",
                                            vd_tristate_bool_from_string);
}

int
vdisk_disk_set_transient_share_backing(vdisk_disk *disk, vdisk_tristate v, vdisk_error **err)
{
    vd_node *t;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if ((int)v < 0 || v >= VDISK_TRISTATE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid shareBacking value %d",
                       vd_disk_label(disk), (int)v);
    t = vd_disk_child(disk, "transient");
    if (!t) {
        if (v == VDISK_TRISTATE_DEFAULT)
            return 0;
        /* <transient shareBacking='yes'/> is a transient disk, as the XML
         * reads */
        if (vdisk_disk_set_transient(disk, 1, err) < 0 ||
            !(t = vd_disk_child(disk, "transient")))
            return -1;
    }
    /* libvirt writes only shareBacking='yes'; 'no' is its default */
    vd_node_set_attr_static(disk->doc, t, "shareBacking", v == VDISK_TRISTATE_ON ? "yes" : NULL);
    return 0;
}

static const char *
vd_get_text(const vdisk_disk *disk, const char *elem)
{
    vd_node *n = vd_disk_child(disk, elem);
    return n ? vd_node_text(disk->doc, n) : NULL;
}

static int
vd_set_text(vdisk_disk *disk, const char *elem, const char *text, vdisk_error **err)
{
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (!text || !*text) {
        vd_remove_child(disk->node, elem);
        return 0;
    }
    vd_node_set_text(disk->doc, vd_disk_ensure(disk, elem), text);
    return 0;
}

#define VD_TEXT_ACCESSORS(field)                                                                   \
    const char *vdisk_disk_get_##field(const vdisk_disk *disk)                                     \
    {                                                                                              \
        return vd_get_text(disk, #field);                                                          \
    }                                                                                              \
    int vdisk_disk_set_##field(vdisk_disk *disk, const char *value, vdisk_error **err)             \
    {                                                                                              \
        VD_API_ENTER();                                                                            \
        return vd_set_text(disk, #field, value, err);                                              \
    }

VD_SCHEMA_TEXT_ACCESSORS(VD_TEXT_ACCESSORS)

unsigned int
vdisk_disk_get_boot_order(const vdisk_disk *disk)
{
    return vd_get_uint(disk, "boot", "order", 10);
}

int
vdisk_disk_set_boot_order(vdisk_disk *disk, unsigned int order, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (!order) {
        vd_remove_child(disk->node, "boot");
        return 0;
    }
    return vd_set_uint(disk, "boot", "order", order, err);
}

unsigned int
vdisk_disk_get_acpi_index(const vdisk_disk *disk)
{
    return vd_get_uint(disk, "acpi", "index", 10);
}

int
vdisk_disk_set_acpi_index(vdisk_disk *disk, unsigned int index, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (!index) {
        vd_remove_child(disk->node, "acpi");
        return 0;
    }
    return vd_set_uint(disk, "acpi", "index", index, err);
}

static int
vd_set_name_element(vdisk_disk *disk, const char *elem, const char *name, vdisk_error **err)
{
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (!name || !*name) {
        vd_remove_child(disk->node, elem);
        return 0;
    }
    vd_disk_set_attr(disk, elem, "name", name);
    return 0;
}

const char *
vdisk_disk_get_alias(const vdisk_disk *disk)
{
    return vd_disk_get_attr(disk, "alias", "name");
}

int
vdisk_disk_set_alias(vdisk_disk *disk, const char *alias, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_set_name_element(disk, "alias", alias, err);
}

const char *
vdisk_disk_get_backend_domain(const vdisk_disk *disk)
{
    return vd_disk_get_attr(disk, "backenddomain", "name");
}

int
vdisk_disk_set_backend_domain(vdisk_disk *disk, const char *name, vdisk_error **err)
{
    VD_API_ENTER();
    return vd_set_name_element(disk, "backenddomain", name, err);
}

/* ---- <address> ----------------------------------------------------------------------------- */

vdisk_address_type
vdisk_disk_get_address_type(const vdisk_disk *disk)
{
    return (vdisk_address_type)vd_disk_get_enum(disk, "address", "type",
                                                vd_address_type_from_string);
}

vd_address_type_full
vd_disk_address_type_full(const vdisk_disk *disk)
{
    return (vd_address_type_full)vd_disk_get_enum(disk, "address", "type",
                                                  vd_address_type_full_from_string);
}

int
vdisk_disk_clear_address(vdisk_disk *disk, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    vd_remove_child(disk->node, "address");
    return 0;
}

/* A fresh <address type=@type>, in place of the old one. */
static vd_node *
vd_new_address(vdisk_disk *disk, const char *type)
{
    vd_node *old = vd_disk_child(disk, "address");
    vd_node *a = vd_node_new(disk->doc, "address");

    vd_node_set_attr_static(disk->doc, a, "type", type);
    if (old) {
        vd_node_insert_before(disk->node, a, old);
        while (old) {
            vd_node *next = vd_node_next_sibling(old, "address");
            vd_node_unlink(old);
            old = next;
        }
    } else {
        vd_schema_insert_child(disk->node, a);
    }
    return a;
}

static vd_node *
vd_address_of(const vdisk_disk *disk, vdisk_address_type type)
{
    vd_node *a = vd_disk_child(disk, "address");

    if (!a || vd_address_type_from_string(vd_node_attr(a, "type")) != (int)type)
        return NULL;
    return a;
}

static VD_ALWAYS_INLINE unsigned int
vd_attr_uint(const vd_node *n, const char *attr, int base)
{
    unsigned int v = 0;

    if (!vd_parse_uint(vd_node_attr(n, attr), base, &v))
        return 0;
    return v;
}

#define VD_OUT(p, v)                                                                               \
    do {                                                                                           \
        if (p)                                                                                     \
            *(p) = (v);                                                                            \
    } while (0)

int
vdisk_disk_get_address_pci(const vdisk_disk *disk, unsigned int *domain, unsigned int *bus,
                           unsigned int *slot, unsigned int *function)
{
    vd_node *a = vd_address_of(disk, VDISK_ADDRESS_PCI);

    if (!a)
        return -1;
    VD_OUT(domain, vd_attr_uint(a, "domain", 0));
    VD_OUT(bus, vd_attr_uint(a, "bus", 0));
    VD_OUT(slot, vd_attr_uint(a, "slot", 0));
    VD_OUT(function, vd_attr_uint(a, "function", 0));
    return 0;
}

int
vdisk_disk_set_address_pci(vdisk_disk *disk, unsigned int domain, unsigned int bus,
                           unsigned int slot, unsigned int function, vdisk_error **err)
{
    vd_node *a;
    vd_doc *doc;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (bus > 0xFF || slot > 0x1F || function > 7)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: invalid PCI address %04x:%02x:%02x.%x (bus <= 0xFF, slot <= 0x1F, "
                       "function <= 7)",
                       vd_disk_label(disk), domain, bus, slot, function);
    doc = disk->doc;
    a = vd_new_address(disk, "pci");
    if (domain || bus || slot) {
        vd_node_set_attr_static(doc, a, "domain", vd_arena_hex(doc, domain, 4));
        vd_node_set_attr_static(doc, a, "bus", vd_arena_hex(doc, bus, 2));
        vd_node_set_attr_static(doc, a, "slot", vd_arena_hex(doc, slot, 2));
        vd_node_set_attr_static(doc, a, "function", vd_arena_hex(doc, function, 1)); /* <= 7 */
    }
    return 0;
}

int
vdisk_disk_get_address_drive(const vdisk_disk *disk, unsigned int *controller, unsigned int *bus,
                             unsigned int *target, unsigned int *unit)
{
    vd_node *a = vd_address_of(disk, VDISK_ADDRESS_DRIVE);

    if (!a)
        return -1;
    VD_OUT(controller, vd_attr_uint(a, "controller", 10));
    VD_OUT(bus, vd_attr_uint(a, "bus", 10));
    VD_OUT(target, vd_attr_uint(a, "target", 10));
    VD_OUT(unit, vd_attr_uint(a, "unit", 10));
    return 0;
}

int
vdisk_disk_set_address_drive(vdisk_disk *disk, unsigned int controller, unsigned int bus,
                             unsigned int target, unsigned int unit, vdisk_error **err)
{
    vd_node *a;
    vd_doc *doc;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    doc = disk->doc;
    a = vd_new_address(disk, "drive");
    vd_node_set_attr_static(doc, a, "controller", vd_arena_decimal(doc, controller));
    vd_node_set_attr_static(doc, a, "bus", vd_arena_decimal(doc, bus));
    vd_node_set_attr_static(doc, a, "target", vd_arena_decimal(doc, target));
    vd_node_set_attr_static(doc, a, "unit", vd_arena_decimal(doc, unit));
    return 0;
}

int
vdisk_disk_get_address_usb(const vdisk_disk *disk, unsigned int *bus, const char **port)
{
    vd_node *a = vd_address_of(disk, VDISK_ADDRESS_USB);

    if (!a)
        return -1;
    VD_OUT(bus, vd_attr_uint(a, "bus", 10));
    VD_OUT(port, vd_node_attr(a, "port"));
    return 0;
}

static bool
vd_usb_port_valid(const char *port)
{
    g_auto(GStrv) parts = g_strsplit(port, ".", -1);
    size_t n = g_strv_length(parts);
    size_t i;
    unsigned int v;

    if (n < 1 || n > 4)
        return false;
    for (i = 0; i < n; i++) {
        if (!parts[i][0] || !g_ascii_isdigit(parts[i][0]) || !vd_parse_uint(parts[i], 10, &v) ||
            (i == 0 && v == 0))
            return false;
    }
    return true;
}

int
vdisk_disk_set_address_usb(vdisk_disk *disk, unsigned int bus, const char *port, vdisk_error **err)
{
    vd_node *a;
    vd_doc *doc;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (port && !vd_usb_port_valid(port))
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid USB port '%s'", vd_disk_label(disk),
                       port);
    doc = disk->doc;
    a = vd_new_address(disk, "usb");
    vd_node_set_attr_static(doc, a, "bus", vd_arena_decimal(doc, bus));
    if (port)
        vd_node_set_attr(doc, a, "port", port);
    return 0;
}

int
vdisk_disk_get_address_ccw(const vdisk_disk *disk, unsigned int *cssid, unsigned int *ssid,
                           unsigned int *devno)
{
    vd_node *a = vd_address_of(disk, VDISK_ADDRESS_CCW);

    if (!a)
        return -1;
    VD_OUT(cssid, vd_attr_uint(a, "cssid", 0));
    VD_OUT(ssid, vd_attr_uint(a, "ssid", 0));
    VD_OUT(devno, vd_attr_uint(a, "devno", 0));
    return 0;
}

int
vdisk_disk_set_address_ccw(vdisk_disk *disk, unsigned int cssid, unsigned int ssid,
                           unsigned int devno, vdisk_error **err)
{
    vd_node *a;
    vd_doc *doc;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (cssid > 0xfe || ssid > 3 || devno > 0xffff)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: invalid ccw address cssid='0x%x' ssid='0x%x' devno='0x%04x'",
                       vd_disk_label(disk), cssid, ssid, devno);
    doc = disk->doc;
    a = vd_new_address(disk, "ccw");
    vd_node_set_attr_static(doc, a, "cssid", vd_arena_hex(doc, cssid, 1));
    vd_node_set_attr_static(doc, a, "ssid", vd_arena_hex(doc, ssid, 1));
    vd_node_set_attr_static(doc, a, "devno", vd_arena_hex(doc, devno, 4));
    return 0;
}

static vd_node *
vd_disk_pci_address(const vdisk_disk *disk)
{
    vd_node *a = vd_disk_child(disk, "address");

    return a && g_strcmp0(vd_node_attr(a, "type"), "pci") == 0 ? a : NULL;
}

vdisk_tristate
vdisk_disk_get_address_multifunction(const vdisk_disk *disk)
{
    int v = vd_tristate_switch_from_string(vd_node_attr(vd_disk_pci_address(disk), "multifunction"));

    return v < 0 ? VDISK_TRISTATE_DEFAULT : (vdisk_tristate)v;
}

int
vdisk_disk_set_address_multifunction(vdisk_disk *disk, vdisk_tristate value, vdisk_error **err)
{
    vd_node *a;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if ((int)value < 0 || value >= VDISK_TRISTATE_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid multifunction value %d",
                       vd_disk_label(disk), (int)value);
    if (!(a = vd_disk_pci_address(disk))) {
        if (value == VDISK_TRISTATE_DEFAULT)
            return 0;
        return vd_fail(err, VDISK_ERR_INVALID, "%s: multifunction needs a PCI address",
                       vd_disk_label(disk));
    }
    vd_schema_set_attr_static(disk->doc, a, "multifunction",
                              value ? vd_tristate_switch_to_string(value) : NULL);
    return 0;
}

/* ---- <geometry>, <blockio> ------------------------------------------------------------------ */

int
vdisk_disk_get_geometry(const vdisk_disk *disk, unsigned int *cyls, unsigned int *heads,
                        unsigned int *secs, vdisk_trans *trans)
{
    vd_node *g = vd_disk_child(disk, "geometry");
    int t;

    VD_OUT(cyls, vd_attr_uint(g, "cyls", 10));
    VD_OUT(heads, vd_attr_uint(g, "heads", 10));
    VD_OUT(secs, vd_attr_uint(g, "secs", 10));
    t = vd_trans_from_string(vd_node_attr(g, "trans"));
    VD_OUT(trans, (vdisk_trans)(t < 0 ? 0 : t));
    return g ? 0 : -1;
}

int
vdisk_disk_set_geometry(vdisk_disk *disk, unsigned int cyls, unsigned int heads, unsigned int secs,
                        vdisk_trans trans, vdisk_error **err)
{
    vd_node *g;
    vd_doc *doc;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if ((int)trans < 0 || trans >= VDISK_TRANS_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid geometry translation %d",
                       vd_disk_label(disk), (int)trans);
    if (!cyls && !heads && !secs) {
        vd_remove_child(disk->node, "geometry");
        return 0;
    }
    if (!cyls || !heads || !secs)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: geometry needs cylinders, heads and sectors (got %u/%u/%u)",
                       vd_disk_label(disk), cyls, heads, secs);
    doc = disk->doc;
    g = vd_disk_ensure(disk, "geometry");
    vd_node_set_attr_static(doc, g, "cyls", vd_arena_decimal(doc, cyls));
    vd_node_set_attr_static(doc, g, "heads", vd_arena_decimal(doc, heads));
    vd_node_set_attr_static(doc, g, "secs", vd_arena_decimal(doc, secs));
    vd_node_set_attr_static(doc, g, "trans", trans ? vd_trans_to_string(trans) : NULL);
    vd_schema_sort_attrs(g);
    return 0;
}

unsigned int
vdisk_disk_get_logical_block_size(const vdisk_disk *disk)
{
    return vd_get_uint(disk, "blockio", "logical_block_size", 10);
}

unsigned int
vdisk_disk_get_physical_block_size(const vdisk_disk *disk)
{
    return vd_get_uint(disk, "blockio", "physical_block_size", 10);
}

int
vdisk_disk_set_blockio(vdisk_disk *disk, unsigned int logical, unsigned int physical,
                       vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_set_uint(disk, "blockio", "logical_block_size", logical, err) < 0)
        return -1;
    return vd_set_uint(disk, "blockio", "physical_block_size", physical, err);
}

/* ---- <iotune> ------------------------------------------------------------------------------ */

unsigned long long
vdisk_disk_get_iotune(const vdisk_disk *disk, vdisk_iotune_field field)
{
    const char *name = vd_iotune_field_to_string((int)field);
    vd_node *e;
    unsigned long long v = 0;

    if (!name)
        return 0;
    e = vd_node_child(vd_disk_child(disk, "iotune"), name);
    if (!e || !vd_parse_ull(vd_node_text(disk->doc, e), 10, &v))
        return 0;
    return v;
}

static int
vd_set_iotune_text(vdisk_disk *disk, const char *name, const char *text)
{
    vd_node *io;

    if (!text) {
        io = vd_disk_child(disk, "iotune");
        if (io) {
            vd_remove_child(io, name);
            vd_drop_if_empty(io);
        }
        return 0;
    }
    io = vd_disk_ensure(disk, "iotune");
    vd_node_set_text(disk->doc, vd_schema_ensure_child(disk->doc, io, name), text);
    return 0;
}

int
vdisk_disk_set_iotune(vdisk_disk *disk, vdisk_iotune_field field, unsigned long long value,
                      vdisk_error **err)
{
    const char *name = vd_iotune_field_to_string((int)field);
    g_autofree char *text = NULL;

    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    if (!name)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: invalid iotune field %d",
                       vd_disk_label(disk), (int)field);
    if (value)
        text = g_strdup_printf("%llu", value);
    return vd_set_iotune_text(disk, name, text);
}

const char *
vdisk_disk_get_iotune_group(const vdisk_disk *disk)
{
    vd_node *g = vd_node_child(vd_disk_child(disk, "iotune"), "group_name");
    return g ? vd_node_text(disk->doc, g) : NULL;
}

int
vdisk_disk_set_iotune_group(vdisk_disk *disk, const char *group, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_check_disk(disk, err) < 0)
        return -1;
    return vd_set_iotune_text(disk, "group_name", group && *group ? group : NULL);
}
