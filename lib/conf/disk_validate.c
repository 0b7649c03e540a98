/*
 * disk_validate.c: libvirt's define-time checks for a disk
 *
 * The refusals libvirt 9.0 makes when the QEMU driver defines a domain (and
 * the ones it makes when the domain starts that depend only on the XML):
 * the generic disk checks, the QEMU driver's front-end checks and, with a
 * domain context, the checks against the domain's iothreads, machine type
 * and other disks. Nothing is changed here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/disk_validate.h"
#include "conf/domain_priv.h"
#include "conf/parse_util.h"
#include "conf/source_priv.h"
#include "conf/target_priv.h"
#include "util/error.h"

/* libvirt's limits for SCSI vendor/product strings */
#define VD_VENDOR_LEN 8
#define VD_PRODUCT_LEN 16
/* the largest throttling value QEMU accepts */
#define VD_IOTUNE_MAX 1000000000000000ULL
/* characters QEMU takes in a drive serial */
#define VD_SERIAL_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ .+"

/* What the checks look at, read once through the typed accessors. */
typedef struct {
    const vdisk_disk *disk;
    const vdisk_source *top;
    const char *dev;
    vdisk_type type; /* disk@type as written: VDISK_TYPE_NONE when absent */
    vdisk_device device;
    vdisk_bus bus;
    const char *bus_str;
    vd_address_type_full address_type;
    bool readonly;
    bool empty;
    const vd_iotune_groups *groups; /* the domain's, or NULL */
} vd_check;

/* The disk in messages, made only when one is written. */
#define VD_CLABEL(c) vd_disk_label((c)->disk)

/* disk@type in a message: "" when absent */
static const char *
vd_type_str(vdisk_type type)
{
    return type == VDISK_TYPE_NONE ? "" : vd_type_to_string(type);
}

/* disk@device in a message: "disk" when absent */
static const char *
vd_device_str(vdisk_device device)
{
    return device == VDISK_DEVICE_DEFAULT ? "disk" : vd_device_to_string(device);
}

/* The value of @iotune's first <@field>, 0 when missing or not a number. */
static unsigned long long
vd_iotune_in(vd_doc *doc, const vd_node *iotune, const char *field)
{
    const vd_node *n = iotune ? vd_node_child(iotune, field) : NULL;
    const char *text = n ? vd_node_text(doc, n) : NULL;
    unsigned long long v = 0;

    if (!text || !vd_parse_ull(text, 10, &v))
        return 0;
    return v;
}

/* Every field of @iotune as vdisk_disk_get_iotune() reads it (the first
 * element of its name; 0 when missing or not a number), in one pass. */
static void
vd_iotune_values(vd_doc *doc, const vd_node *iotune, unsigned long long vals[VDISK_IOTUNE_LAST])
{
    bool seen[VDISK_IOTUNE_LAST] = {false};
    const vd_node *n;

    memset(vals, 0, sizeof(vals[0]) * VDISK_IOTUNE_LAST);
    for (n = iotune ? iotune->children : NULL; n; n = n->next) {
        const char *text;
        int f;

        if (n->kind != VD_NODE_ELEMENT || (f = vd_iotune_field_from_string(n->name)) < 0 || seen[f])
            continue;
        seen[f] = true;
        text = vd_node_text(doc, n);
        if (!text || !vd_parse_ull(text, 10, &vals[f]))
            vals[f] = 0;
    }
}

/* The fields QEMU limits: total_bytes_sec ... size_iops_sec. */
#define VD_IOTUNE_LIMITED (VDISK_IOTUNE_SIZE_IOPS_SEC + 1)

/* Per iotune group name of a domain: whether every disk in it has the
 * same limits (then no disk of the group can differ from another). */
struct vd_iotune_groups {
    GHashTable *uniform; /* group name (borrowed) -> vd_iotune_group */
};

typedef struct {
    bool uniform;
    unsigned long long vals[VD_IOTUNE_LIMITED];
} vd_iotune_group;

vd_iotune_groups *
vd_iotune_groups_new(const vdisk_domain *dom)
{
    vd_iotune_groups *g = g_new0(vd_iotune_groups, 1);
    guint i;

    g->uniform = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    for (i = 0; i < dom->disks->len; i++) {
        const vdisk_disk *d = dom->disks->pdata[i];
        const char *name = vdisk_disk_get_iotune_group(d);
        unsigned long long vals[VDISK_IOTUNE_LAST];
        vd_iotune_group *grp;

        if (!name)
            continue;
        vd_iotune_values(d->doc, vd_node_child(d->node, "iotune"), vals);
        grp = g_hash_table_lookup(g->uniform, name);
        if (!grp) {
            grp = g_new(vd_iotune_group, 1);
            grp->uniform = true;
            memcpy(grp->vals, vals, sizeof(grp->vals));
            g_hash_table_insert(g->uniform, (gpointer)name, grp);
        } else if (memcmp(grp->vals, vals, sizeof(grp->vals)) != 0) {
            grp->uniform = false;
        }
    }
    return g;
}

void
vd_iotune_groups_free(vd_iotune_groups *g)
{
    if (!g)
        return;
    g_hash_table_unref(g->uniform);
    g_free(g);
}

/* Whether the disks of @dom in group @name all have the same limits. */
static bool
vd_iotune_group_uniform(const vd_iotune_groups *g, const char *name)
{
    const vd_iotune_group *grp = g ? g_hash_table_lookup(g->uniform, name) : NULL;

    return grp && grp->uniform;
}

static bool
vd_is_printable(const char *s)
{
    for (; *s; s++) {
        if (!g_ascii_isprint(*s))
            return false;
    }
    return true;
}

static bool
vd_wwn_ok(const char *wwn)
{
    const char *p = g_str_has_prefix(wwn, "0x") ? wwn + 2 : wwn;
    size_t i;

    for (i = 0; p[i]; i++) {
        if (!g_ascii_isxdigit(p[i]))
            return false;
    }
    return i == 16;
}

/* Empty media: no <source>, or a file/block source without a path. */
static bool
vd_source_empty(const vd_check *c)
{
    if (!vdisk_source_is_present(c->top))
        return true;
    switch (c->type) {
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_FILE:
    case VDISK_TYPE_BLOCK:
    case VDISK_TYPE_DIR:
        return !vdisk_source_get_path(c->top);
    case VDISK_TYPE_NETWORK:
    case VDISK_TYPE_VOLUME:
    case VDISK_TYPE_NVME:
    case VDISK_TYPE_VHOSTUSER:
    case VDISK_TYPE_LAST:
        break;
    }
    return false;
}

static int
vd_validate_iotune(const vd_check *c, const vdisk_domain *dom, vdisk_error **err)
{
    static const vdisk_iotune_field pairs[][3] = {
        {VDISK_IOTUNE_TOTAL_BYTES_SEC, VDISK_IOTUNE_READ_BYTES_SEC, VDISK_IOTUNE_WRITE_BYTES_SEC},
        {VDISK_IOTUNE_TOTAL_IOPS_SEC, VDISK_IOTUNE_READ_IOPS_SEC, VDISK_IOTUNE_WRITE_IOPS_SEC},
        {VDISK_IOTUNE_TOTAL_BYTES_SEC_MAX, VDISK_IOTUNE_READ_BYTES_SEC_MAX,
         VDISK_IOTUNE_WRITE_BYTES_SEC_MAX},
        {VDISK_IOTUNE_TOTAL_IOPS_SEC_MAX, VDISK_IOTUNE_READ_IOPS_SEC_MAX,
         VDISK_IOTUNE_WRITE_IOPS_SEC_MAX},
    };
    /* any element but <group_name> counts as a setting, as libvirt's
     * parser would have read it: there is no accessor for unknown ones */
    const vd_node *iotune = vd_node_child(c->disk->node, "iotune");
    const char *group = vdisk_disk_get_iotune_group(c->disk);
    unsigned long long vals[VDISK_IOTUNE_LAST];
    bool any = false;
    const vd_node *n;
    int i;

    if (!iotune)
        return 0;
    vd_iotune_values(c->disk->doc, iotune, vals);
    for (i = 0; i < (int)G_N_ELEMENTS(pairs); i++) {
        /* libvirt: "total and read/write bytes_sec cannot be set at the same time" */
        if (vals[pairs[i][0]] && (vals[pairs[i][1]] || vals[pairs[i][2]]))
            return vd_fail(
                err, VDISK_ERR_INVALID, "%s: %s and %s/%s cannot be set at the same time",
                VD_CLABEL(c), vd_iotune_field_to_string(pairs[i][0]),
                vd_iotune_field_to_string(pairs[i][1]), vd_iotune_field_to_string(pairs[i][2]));
    }
    for (n = iotune->children; n && !any; n = n->next) {
        if (n->kind == VD_NODE_ELEMENT && strcmp(n->name, "group_name") != 0 &&
            vd_iotune_in(c->disk->doc, iotune, n->name))
            any = true;
    }
    /* libvirt: "group_name can be configured only together with settings" */
    if (group && !any)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: iotune group '%s' can be configured only together with settings",
                       VD_CLABEL(c), group);
    /* libvirt: "block I/O throttle limit must be no more than %llu using QEMU" */
    for (i = 0; i < VD_IOTUNE_LIMITED; i++) {
        unsigned long long v = vals[i];

        if (v > VD_IOTUNE_MAX)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: iotune %s '%llu' is more than the limit %llu", VD_CLABEL(c),
                           vd_iotune_field_to_string(i), v, VD_IOTUNE_MAX);
    }
    /* libvirt: "different iotunes for disks %s and %s"; a group whose
     * disks all have the same limits has none (known without comparing
     * this disk with each: the domain's groups were read once) */
    if (group && dom && !vd_iotune_group_uniform(c->groups, group)) {
        guint j;

        for (j = 0; j < dom->disks->len; j++) {
            const vdisk_disk *d = dom->disks->pdata[j];
            unsigned long long other[VDISK_IOTUNE_LAST];
            const char *odev;

            if (d == c->disk || g_strcmp0(vdisk_disk_get_iotune_group(d), group) != 0)
                continue;
            odev = vdisk_disk_get_target(d);
            if (g_strcmp0(odev, c->dev) == 0)
                continue;
            vd_iotune_values(d->doc, vd_node_child(d->node, "iotune"), other);
            for (i = 0; i < VD_IOTUNE_LIMITED; i++) {
                if (other[i] != vals[i])
                    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                                   "%s: iotune group '%s' differs from the one of target '%s'",
                                   VD_CLABEL(c), group, odev ? odev : "");
            }
        }
    }
    return 0;
}

/* The generic checks (libvirt's domain_validate.c). */
static int
vd_validate_generic(const vd_check *c, vdisk_error **err)
{
    static const struct {
        const char *name;
        vdisk_tristate (*get)(const vdisk_disk *disk);
    } virtio_only[] = {
        {"iommu", vdisk_disk_get_iommu},
        {"ats", vdisk_disk_get_ats},
        {"packed", vdisk_disk_get_packed},
        {"page_per_vq", vdisk_disk_get_page_per_vq},
    };
    const vdisk_disk *disk = c->disk;
    vdisk_sgio sgio = vdisk_disk_get_sgio(disk);
    vdisk_tristate rawio = vdisk_disk_get_rawio(disk);
    vdisk_model model = vdisk_disk_get_model(disk);
    vdisk_tray tray = vdisk_disk_get_tray(disk);
    vdisk_tristate removable = vdisk_disk_get_removable(disk);
    const char *vendor = vdisk_disk_get_vendor(disk);
    const char *product = vdisk_disk_get_product(disk);
    const char *wwn = vdisk_disk_get_wwn(disk);
    vdisk_startup_policy policy = vdisk_source_get_startup_policy(c->top);
    bool lun = c->device == VDISK_DEVICE_LUN;
    bool floppy = c->device == VDISK_DEVICE_FLOPPY;
    bool cdrom = c->device == VDISK_DEVICE_CDROM;

    /* libvirt: "unfiltered sgio is no longer supported" */
    if (sgio == VDISK_SGIO_UNFILTERED)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: sgio '%s' is no longer supported",
                       VD_CLABEL(c), vd_sgio_to_string(sgio));
    if (lun) {
        /* libvirt: "disk device='lun' is only valid for block type disk source"
         * and "... is not supported for protocol='%s'" */
        if (c->type == VDISK_TYPE_NETWORK) {
            vdisk_protocol proto = VDISK_PROTOCOL_NONE;
            bool given = vd_source_holder_protocol(disk->node, &proto);

            if (proto != VDISK_PROTOCOL_ISCSI)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: device 'lun' is not supported for protocol '%s'", VD_CLABEL(c),
                               given ? vd_protocol_to_string(proto) : "");
        } else if (c->type != VDISK_TYPE_BLOCK && c->type != VDISK_TYPE_VOLUME) {
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: device 'lun' is only valid for a block source, not '%s'",
                           VD_CLABEL(c),
                           c->type != VDISK_TYPE_NONE ? vd_type_to_string(c->type) : "file");
        }
    } else {
        /* libvirt: "<reservations/> allowed only for lun devices" */
        if (vdisk_source_get_reservations_managed(c->top) != VDISK_TRISTATE_DEFAULT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: reservations are allowed only for device 'lun', not '%s'",
                           VD_CLABEL(c), vd_device_str(c->device));
        /* libvirt: "rawio can be used only with device='lun'" */
        if (rawio != VDISK_TRISTATE_DEFAULT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: rawio '%s' can be used only with device 'lun'", VD_CLABEL(c),
                           vd_tristate_bool_to_string(rawio));
        /* libvirt: "sgio can be used only with device='lun'" */
        if (sgio != VDISK_SGIO_DEFAULT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: sgio '%s' can be used only with device 'lun'", VD_CLABEL(c),
                           vd_sgio_to_string(sgio));
    }

    /* libvirt: "Invalid address type '%s' for the disk '%s' with the bus type '%s'" */
    if (c->address_type != VD_ADDR_FULL_NONE &&
        (c->bus == VDISK_BUS_IDE || c->bus == VDISK_BUS_FDC || c->bus == VDISK_BUS_SCSI ||
         c->bus == VDISK_BUS_SATA) &&
        c->address_type != VD_ADDR_FULL_DRIVE)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid address type '%s' for bus '%s'",
                       VD_CLABEL(c), vd_address_type_full_to_string(c->address_type), c->bus_str);

    if (c->bus != VDISK_BUS_VIRTIO) {
        unsigned int queues = vdisk_disk_get_queues(disk);
        vdisk_tristate event_idx = vdisk_disk_get_event_idx(disk);
        vdisk_tristate ioeventfd = vdisk_disk_get_ioeventfd(disk);
        size_t i;

        /* libvirt: "disk model '%s' not supported for bus '%s'" */
        if (model != VDISK_MODEL_DEFAULT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: model '%s' not supported for bus '%s'",
                           VD_CLABEL(c), vd_model_to_string(model), c->bus_str);
        /* libvirt: "queues attribute in disk driver element is only supported by virtio-blk" */
        if (queues)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: queues '%u' are only supported on bus 'virtio', not '%s'",
                           VD_CLABEL(c), queues, c->bus_str);
        /* libvirt: "disk event_idx mode supported only for virtio bus" */
        if (event_idx != VDISK_TRISTATE_DEFAULT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: event_idx '%s' is supported only on bus 'virtio', not '%s'",
                           VD_CLABEL(c), vd_tristate_switch_to_string(event_idx), c->bus_str);
        /* libvirt: "disk ioeventfd mode supported only for virtio bus" */
        if (ioeventfd != VDISK_TRISTATE_DEFAULT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: ioeventfd '%s' is supported only on bus 'virtio', not '%s'",
                           VD_CLABEL(c), vd_tristate_switch_to_string(ioeventfd), c->bus_str);
        /* libvirt: "iommu driver option is only supported for virtio devices" */
        for (i = 0; i < G_N_ELEMENTS(virtio_only); i++) {
            vdisk_tristate v = virtio_only[i].get(disk);

            if (v != VDISK_TRISTATE_DEFAULT)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: driver option %s '%s' is only supported on bus 'virtio'",
                               VD_CLABEL(c), virtio_only[i].name, vd_tristate_switch_to_string(v));
        }
    }

    /* libvirt: "NVMe namespace can't be zero" */
    if (c->type == VDISK_TYPE_NVME && vdisk_source_is_present(c->top)) {
        unsigned long long ns = 0;

        if (vd_source_holder_nvme_namespace(disk->node, &ns) && ns == 0)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: NVMe namespace '%llu' can't be zero",
                           VD_CLABEL(c), ns);
    }

    /* libvirt: "tray is only valid for cdrom and floppy" */
    if (tray != VDISK_TRAY_DEFAULT && !floppy && !cdrom)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: tray '%s' is only valid for cdrom and floppy", VD_CLABEL(c),
                       vd_tray_to_string(tray));

    /* libvirt: "disk vendor is not printable string" / "... more than %d characters" */
    if (vendor && !vd_is_printable(vendor))
        return vd_fail(err, VDISK_ERR_INVALID, "%s: vendor '%s' is not a printable string",
                       VD_CLABEL(c), vendor);
    if (vendor && strlen(vendor) > VD_VENDOR_LEN)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: vendor '%s' is more than %d characters",
                       VD_CLABEL(c), vendor, VD_VENDOR_LEN);
    if (product && !vd_is_printable(product))
        return vd_fail(err, VDISK_ERR_INVALID, "%s: product '%s' is not a printable string",
                       VD_CLABEL(c), product);
    if (product && strlen(product) > VD_PRODUCT_LEN)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: product '%s' is more than %d characters",
                       VD_CLABEL(c), product, VD_PRODUCT_LEN);

    /* libvirt: "Invalid bus type '%s' for floppy disk" / "... for disk" */
    if (floppy && c->bus != VDISK_BUS_FDC)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid bus '%s' for a floppy",
                       VD_CLABEL(c), c->bus_str);
    if (!floppy && c->bus == VDISK_BUS_FDC)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: bus 'fdc' is only valid for a floppy",
                       VD_CLABEL(c));

    /* libvirt: "removable is only valid for usb disks" */
    if (removable != VDISK_TRISTATE_DEFAULT && c->bus != VDISK_BUS_USB)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "%s: removable '%s' is only valid for bus 'usb', not '%s'", VD_CLABEL(c),
                       vd_tristate_switch_to_string(removable), c->bus_str);

    if (policy != VDISK_STARTUP_POLICY_DEFAULT) {
        /* libvirt: "disk startupPolicy '%s' is not allowed for disk of '%s' type" */
        if (c->type != VDISK_TYPE_FILE && c->type != VDISK_TYPE_BLOCK &&
            c->type != VDISK_TYPE_DIR && c->type != VDISK_TYPE_VOLUME)
            return vd_fail(err, VDISK_ERR_INVALID,
                           "%s: startupPolicy '%s' is not allowed for type '%s'", VD_CLABEL(c),
                           vd_startup_policy_to_string(policy), vd_type_str(c->type));
        /* libvirt: "disk startupPolicy 'requisite' is allowed only for cdrom or floppy" */
        if (policy == VDISK_STARTUP_POLICY_REQUISITE && !cdrom && !floppy)
            return vd_fail(err, VDISK_ERR_INVALID,
                           "%s: startupPolicy 'requisite' is allowed only for cdrom or floppy",
                           VD_CLABEL(c));
    }

    /* libvirt: "Malformed wwn: %s" */
    if (wwn && !vd_wwn_ok(wwn))
        return vd_fail(err, VDISK_ERR_INVALID, "%s: malformed wwn '%s'", VD_CLABEL(c), wwn);

    /* libvirt: "Invalid harddisk device name: %s" / "Invalid floppy device name: %s" */
    if ((c->device == VDISK_DEVICE_DEFAULT || c->device == VDISK_DEVICE_DISK || lun) &&
        !g_str_has_prefix(c->dev, "hd") && !g_str_has_prefix(c->dev, "sd") &&
        !g_str_has_prefix(c->dev, "vd") && !g_str_has_prefix(c->dev, "xvd") &&
        !g_str_has_prefix(c->dev, "ubd"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid hard disk name '%s'", VD_CLABEL(c),
                       c->dev);
    if (floppy && !g_str_has_prefix(c->dev, "fd"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid floppy name '%s'", VD_CLABEL(c),
                       c->dev);

    /* libvirt: VIR_ERR_NO_SOURCE "no source device %s" */
    if (c->empty && (c->device == VDISK_DEVICE_DEFAULT || c->device == VDISK_DEVICE_DISK))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: a disk device needs a source",
                       VD_CLABEL(c));
    return 0;
}

/* libvirt's checks of a network source's <auth> (virDomainDiskDefValidateSourceChainOne). */
static int
vd_validate_auth(const vd_check *c, const vdisk_source *src, vdisk_protocol proto,
                 vdisk_error **err)
{
    const char *type = vdisk_source_get_auth_secret_type(src);
    int usage;

    switch (proto) {
    case VDISK_PROTOCOL_ISCSI:
    case VDISK_PROTOCOL_HTTP:
    case VDISK_PROTOCOL_HTTPS:
    case VDISK_PROTOCOL_FTP:
    case VDISK_PROTOCOL_FTPS:
    case VDISK_PROTOCOL_SSH:
    case VDISK_PROTOCOL_RBD:
        break;
    case VDISK_PROTOCOL_NBD:
    case VDISK_PROTOCOL_SHEEPDOG:
    case VDISK_PROTOCOL_GLUSTER:
    case VDISK_PROTOCOL_TFTP:
    case VDISK_PROTOCOL_VXHS:
    case VDISK_PROTOCOL_NFS:
        /* libvirt: "authentication is not supported for protocol '%s'" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: authentication is not supported for protocol '%s'", VD_CLABEL(c),
                       vd_protocol_to_string(proto));
    case VDISK_PROTOCOL_NONE:
    case VDISK_PROTOCOL_LAST:
        break;
    }
    /* libvirt: "unknown secret type '%s'" */
    if ((usage = vd_secret_usage_from_string(type)) < 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: unknown auth secret type '%s'",
                       VD_CLABEL(c), type ? type : "<null>");
    /* libvirt: "invalid secret type '%s'" */
    if ((proto == VDISK_PROTOCOL_ISCSI && usage != VD_SECRET_USAGE_ISCSI) ||
        (proto == VDISK_PROTOCOL_RBD && usage != VD_SECRET_USAGE_CEPH))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: auth secret type '%s' is invalid for protocol '%s' (it needs '%s')",
                       VD_CLABEL(c), vd_secret_usage_to_string(usage), vd_protocol_to_string(proto),
                       proto == VDISK_PROTOCOL_ISCSI ? "iscsi" : "ceph");
    return 0;
}

/* The QEMU driver's checks of one storage source of the chain: the top
 * one or a backing store. */
static int
vd_validate_source(const vd_check *c, const vdisk_source *src, vdisk_error **err)
{
    bool top = src == c->top;
    vdisk_type type = vd_source_holder_written_type(src->holder);
    vdisk_format format = vdisk_source_get_format(src);
    vdisk_protocol proto = vdisk_source_get_protocol(src);
    bool network = type == VDISK_TYPE_NETWORK;
    bool http = proto == VDISK_PROTOCOL_HTTP || proto == VDISK_PROTOCOL_HTTPS;
    /* the elements below are refused by their presence, whatever the
     * protocol; the accessors read them for the protocols that have them */
    const vd_node *s = vd_node_child(src->holder, "source");

    /* libvirt: "'cow' storage format is not supported" */
    if (format == VDISK_FORMAT_COW)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: storage format '%s' is not supported",
                       VD_CLABEL(c), vd_format_to_string(format));
    /* libvirt: "'directory' storage format is not directly supported by QEMU, use 'dir' disk
     * type instead" */
    if (format == VDISK_FORMAT_DIR)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'dir' is not supported by QEMU, use type 'dir'",
                       VD_CLABEL(c));
    /* libvirt: "storage format 'iso' is not directly supported by QEMU, use 'raw' instead" */
    if (format == VDISK_FORMAT_ISO)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'iso' is not supported by QEMU, use 'raw'",
                       VD_CLABEL(c));
    /* libvirt: "storage format 'fat' is supported only with 'dir' storage type" */
    if (format == VDISK_FORMAT_FAT && type != VDISK_TYPE_DIR && type != VDISK_TYPE_VOLUME)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'fat' is supported only with type 'dir', not '%s'",
                       VD_CLABEL(c), vd_type_str(type));
    if (type == VDISK_TYPE_DIR) {
        /* libvirt: "storage type 'dir' requires use of storage format 'fat'" */
        if (format != VDISK_FORMAT_NONE && format != VDISK_FORMAT_FAT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: type 'dir' requires format 'fat', not '%s'", VD_CLABEL(c),
                           vd_format_to_string(format));
        /* libvirt: "virtual FAT storage can't be accessed in read-write mode" */
        if (!c->readonly)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: type 'dir' (virtual FAT) can't be accessed read-write",
                           VD_CLABEL(c));
    }
    if (s && vd_node_child(s, "ssl") &&
        (!network || (proto != VDISK_PROTOCOL_HTTPS && proto != VDISK_PROTOCOL_FTPS)))
        /* libvirt: "ssl verification is supported only with HTTPS/FTPS protocol" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: ssl verification is supported only with protocol https or ftps",
                       VD_CLABEL(c));
    if (s && vd_node_child(s, "cookies") && (!network || !http))
        /* libvirt: "http cookies are supported only with HTTP(S) protocol" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: cookies are supported only with protocol http or https", VD_CLABEL(c));
    if (s && (vd_node_child(s, "readahead") || vd_node_child(s, "timeout")) &&
        (!network || (!http && proto != VDISK_PROTOCOL_FTP && proto != VDISK_PROTOCOL_FTPS)))
        /* libvirt: "readahead/timeout is supported only with HTTP(S)/FTP(s) protocols" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: %s is supported only with protocols http(s) and ftp(s)", VD_CLABEL(c),
                       vd_node_child(s, "readahead") ? "readahead" : "timeout");
    if (s && vd_node_attr(s, "query") && (!network || !http))
        /* libvirt: "query is supported only with HTTP(S) protocols" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: query '%s' is supported only with protocol http or https", VD_CLABEL(c),
                       vd_node_attr(s, "query"));
    /* libvirt: "'tftp' protocol is not supported with this QEMU binary" */
    if (network && proto == VDISK_PROTOCOL_TFTP)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: protocol 'tftp' is not supported by QEMU",
                       VD_CLABEL(c));
    /* libvirt: "metadata cache max size control is supported only with qcow2 images" */
    if (top && vd_node_child(vd_disk_child_named(c->disk, "driver"), "metadata_cache") &&
        format != VDISK_FORMAT_QCOW2)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: metadata cache size is supported only with format 'qcow2', not '%s'",
                       VD_CLABEL(c), vd_format_to_string(format));
    if (network && vdisk_source_has_auth(src) && vd_validate_auth(c, src, proto, err) < 0)
        return -1;
    if (vdisk_source_has_encryption(src)) {
        vdisk_encryption_format ef = vdisk_source_get_encryption_format(src);
        vdisk_encryption_engine engine = vdisk_source_get_encryption_engine(src);
        const vd_node *enc = vd_node_child(s, "encryption");

        if (!enc && top)
            enc = vd_node_child(c->disk->node, "encryption");
        /* libvirt: "supplying <cipher> for domain disk definition is unnecessary" */
        if (ef == VDISK_ENCRYPTION_LUKS && enc && vd_node_child(enc, "cipher"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: supplying <cipher> for a luks encrypted disk is unnecessary",
                           VD_CLABEL(c));
        /* libvirt: "old qcow/qcow2 encryption is not supported" */
        if (ef == VDISK_ENCRYPTION_DEFAULT || ef == VDISK_ENCRYPTION_QCOW)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: encryption format '%s' (old qcow encryption) is not supported",
                           VD_CLABEL(c), vd_encryption_format_to_string(ef));
        /* the QEMU engine (the default the QEMU driver sets) */
        if (engine != VDISK_ENCRYPTION_ENGINE_LIBRBD) {
            /* libvirt: "luks2 is currently not supported by the qemu encryption engine" */
            if (ef == VDISK_ENCRYPTION_LUKS2)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: encryption format 'luks2' is not supported by the qemu "
                               "encryption engine",
                               VD_CLABEL(c));
            /* libvirt: "encryption is supported only with 'raw' and 'qcow2' image format" */
            if (format != VDISK_FORMAT_RAW && format != VDISK_FORMAT_QCOW2)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: encryption is supported only with formats 'raw' and 'qcow2', "
                               "not '%s'",
                               VD_CLABEL(c), vd_format_to_string(format));
        } else if (!network || proto != VDISK_PROTOCOL_RBD) {
            /* libvirt: "librbd encryption is supported only with RBD backed disks" */
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: librbd encryption is supported only with rbd disks", VD_CLABEL(c));
        }
    }
    return 0;
}

/* The QEMU driver's front-end checks (qemu_validate.c). */
static int
vd_validate_qemu(const vd_check *c, const vdisk_domain *dom, vdisk_error **err)
{
    const vdisk_disk *disk = c->disk;
    unsigned int cyls = 0;
    unsigned int heads = 0;
    unsigned int secs = 0;
    vdisk_trans trans = VDISK_TRANS_DEFAULT;
    bool geometry = vdisk_disk_get_geometry(disk, &cyls, &heads, &secs, &trans) == 0;
    const char *serial = vdisk_disk_get_serial(disk);
    const char *wwn = vdisk_disk_get_wwn(disk);
    const char *vendor = vdisk_disk_get_vendor(disk);
    const char *product = vdisk_disk_get_product(disk);
    unsigned int rotation = vdisk_disk_get_rotation_rate(disk);
    vdisk_tristate cor = vdisk_disk_get_copy_on_read(disk);
    vdisk_io io = vdisk_disk_get_io(disk);
    vdisk_cache cache = vdisk_disk_get_cache(disk);
    unsigned int iothread = vdisk_disk_get_iothread(disk);
    const char *name = vdisk_disk_get_driver_name(disk);
    vdisk_format format = vdisk_disk_get_format(disk);
    bool lun = c->device == VDISK_DEVICE_LUN;
    bool cdrom = c->device == VDISK_DEVICE_CDROM;
    bool floppy = c->device == VDISK_DEVICE_FLOPPY;
    bool is_disk = c->device == VDISK_DEVICE_DEFAULT || c->device == VDISK_DEVICE_DISK;
    const vdisk_source *src;
    int idx;
    int partition;

    if (geometry && cyls && heads && secs) {
        /* libvirt: "CHS geometry can not be set for '%s' bus" */
        if (c->bus == VDISK_BUS_USB || c->bus == VDISK_BUS_SD)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: CHS geometry can not be set for bus '%s'", VD_CLABEL(c),
                           c->bus_str);
        /* libvirt: "CHS translation mode can only be set for 'ide' bus not '%s'" */
        if (trans != VDISK_TRANS_DEFAULT && c->bus != VDISK_BUS_IDE)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: CHS translation '%s' can only be set for bus 'ide', not '%s'",
                           VD_CLABEL(c), vd_trans_to_string(trans), c->bus_str);
    }
    /* libvirt: "Serial property not supported for drive bus '%s'" */
    if (serial && c->bus == VDISK_BUS_SD)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: serial '%s' not supported for bus 'sd'",
                       VD_CLABEL(c), serial);
    /* libvirt: "disk type of '%s' does not support ejectable media" */
    if (cdrom && (c->bus == VDISK_BUS_VIRTIO || c->bus == VDISK_BUS_SD))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: bus '%s' does not support ejectable media (cdrom)", VD_CLABEL(c),
                       c->bus_str);
    if (cor == VDISK_TRISTATE_ON) {
        /* libvirt: "copy_on_read is not compatible with read-only disk '%s'" */
        if (c->readonly)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: copy_on_read 'on' is not compatible with a read-only disk",
                           VD_CLABEL(c));
        /* libvirt: "copy_on_read is not supported with removable disk '%s'" */
        if (cdrom || floppy)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: copy_on_read 'on' is not supported for device '%s'", VD_CLABEL(c),
                           vd_device_to_string(c->device));
    }
    /* libvirt: "Only ide and scsi disk support wwn" */
    if (wwn && c->bus != VDISK_BUS_IDE && c->bus != VDISK_BUS_SCSI)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: wwn '%s' is only supported on bus 'ide' and 'scsi', not '%s'",
                       VD_CLABEL(c), wwn, c->bus_str);
    /* libvirt: "Only scsi disk supports vendor and product" */
    if ((vendor || product) && c->bus != VDISK_BUS_SCSI)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: vendor and product are only supported on bus 'scsi', not '%s'",
                       VD_CLABEL(c), c->bus_str);
    if (lun) {
        /* libvirt: "disk device='lun' is not supported for bus='%s'" */
        if (c->bus != VDISK_BUS_VIRTIO && c->bus != VDISK_BUS_SCSI)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: device 'lun' is not supported for bus '%s'", VD_CLABEL(c),
                           c->bus_str);
        /* libvirt: "copy_on_read is not compatible with 'lun' disk '%s'" */
        if (cor == VDISK_TRISTATE_ON)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: copy_on_read 'on' is not compatible with device 'lun'",
                           VD_CLABEL(c));
        /* libvirt: "Setting wwn is not supported for lun device" */
        if (wwn)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: wwn '%s' is not supported for device 'lun'", VD_CLABEL(c), wwn);
        /* libvirt: "Setting vendor or product is not supported for lun device" */
        if (vendor || product)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: vendor and product are not supported for device 'lun'",
                           VD_CLABEL(c));
    }
    if (rotation) {
        /* libvirt: "rotation rate is only valid for SCSI/IDE/SATA bus" */
        if (c->bus != VDISK_BUS_SCSI && c->bus != VDISK_BUS_IDE && c->bus != VDISK_BUS_SATA)
            return vd_fail(
                err, VDISK_ERR_UNSUPPORTED,
                "%s: rotation_rate '%u' is only valid on bus scsi, ide or sata, not '%s'",
                VD_CLABEL(c), rotation, c->bus_str);
        /* libvirt: "rotation rate is only valid for disk device" */
        if (!is_disk)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: rotation_rate '%u' is only valid for device 'disk'", VD_CLABEL(c),
                           rotation);
    }
    /* libvirt: "unexpected address type for usb disk" */
    if (c->bus == VDISK_BUS_USB && c->address_type != VD_ADDR_FULL_NONE &&
        c->address_type != VD_ADDR_FULL_USB)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid address type '%s' for bus 'usb'",
                       VD_CLABEL(c), vd_address_type_full_to_string(c->address_type));
    /* libvirt: "readonly ide disks are not supported" / "readonly sata disks ..." */
    if (c->readonly && is_disk && (c->bus == VDISK_BUS_IDE || c->bus == VDISK_BUS_SATA))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: read-only %s disks are not supported",
                       VD_CLABEL(c), c->bus_str);
    /* libvirt: "io='native' needs either no disk cache or directsync cache mode" */
    if (io == VDISK_IO_NATIVE && cache != VDISK_CACHE_NONE && cache != VDISK_CACHE_DIRECTSYNC)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: io 'native' needs cache 'none' or 'directsync', not '%s'", VD_CLABEL(c),
                       vd_cache_to_string(cache));
    /* libvirt: "scsi-block 'lun' devices do not support the serial property" */
    if (serial && lun && c->bus == VDISK_BUS_SCSI)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: serial '%s' is not supported for a scsi 'lun' device", VD_CLABEL(c),
                       serial);
    /* libvirt: "driver serial '%s' contains unsafe characters" */
    if (serial && strspn(serial, VD_SERIAL_CHARS) != strlen(serial))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: serial '%s' contains unsafe characters",
                       VD_CLABEL(c), serial);
    if (iothread) {
        /* libvirt: "IOThreads not available for bus %s target %s" */
        if (c->bus != VDISK_BUS_VIRTIO)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: iothread '%u' is not available for bus '%s'", VD_CLABEL(c),
                           iothread, c->bus_str);
        /* libvirt: "Disk iothread '%u' not defined in iothreadid" */
        if (dom && !vd_domain_has_iothread(dom, iothread))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: iothread '%u' is not defined in the domain", VD_CLABEL(c),
                           iothread);
    }

    if (vd_validate_iotune(c, dom, err) < 0)
        return -1;

    if (vdisk_disk_get_transient(disk)) {
        /* libvirt: "transient disk '%s' must not be empty" */
        if (c->empty)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: a transient disk must not be empty",
                           VD_CLABEL(c));
        /* libvirt: "transient disk '%s' must not be read-only" */
        if (c->readonly)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: a transient disk must not be read-only",
                           VD_CLABEL(c));
        /* libvirt: "transient disk supported only with 'file' type (%s)" */
        if (c->type != VDISK_TYPE_FILE)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: transient is supported only for type 'file', not '%s'",
                           VD_CLABEL(c), vd_type_str(c->type));
        /* libvirt: "transient disk supported only with 'disk' device (%s)" */
        if (!is_disk)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: transient is supported only for device 'disk', not '%s'",
                           VD_CLABEL(c), vd_device_to_string(c->device));
        /* libvirt: "disk bus '%s' doesn't support transiend disk backing image sharing" */
        if (vdisk_disk_get_transient_share_backing(disk) == VDISK_TRISTATE_ON &&
            c->bus != VDISK_BUS_USB && c->bus != VDISK_BUS_VIRTIO && c->bus != VDISK_BUS_SCSI)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: bus '%s' does not support transient backing image sharing",
                           VD_CLABEL(c), c->bus_str);
    }

    /* libvirt: "shared access for disk '%s' requires use of supported storage format" */
    if (vdisk_disk_get_shareable(disk) && !c->readonly && format != VDISK_FORMAT_RAW)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: a shareable disk needs format 'raw', not '%s'", VD_CLABEL(c),
                       vd_format_to_string(format));

    /* libvirt: "unsupported driver name '%s' for disk '%s'" (a name, not an enum) */
    if (name && strcmp(name, "qemu") != 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: unsupported driver name '%s'", VD_CLABEL(c),
                       name);

    /* libvirt: "invalid disk target '%s'" / "..., partitions can't appear in disk targets" */
    if (vd_target_parse(c->dev, &idx, &partition) < 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid disk target '%s'", VD_CLABEL(c),
                       c->dev);
    if (partition != 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: invalid disk target '%s', partitions can't appear in disk targets",
                       VD_CLABEL(c), c->dev);

    /* every source of the chain down to an empty <backingStore/> */
    for (src = c->top; src; src = vdisk_source_get_backing(src)) {
        if ((src != c->top || !c->empty) && vd_validate_source(c, src, err) < 0)
            return -1;
    }

    /* libvirt: "'vhostuser' requires shared memory" */
    if (dom && c->type == VDISK_TYPE_VHOSTUSER && !dom->shared_memory)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: type 'vhostuser' requires shared memory in the domain", VD_CLABEL(c));

    /* libvirt: "cannot use CCW address type for device '%s' using machine
     * type '%s'" (CCW addresses exist on s390-ccw machines only) */
    if (dom && c->address_type == VD_ADDR_FULL_CCW &&
        !g_str_has_prefix(dom->machine ? dom->machine : "", "s390-ccw"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: address type 'ccw' cannot be used with machine type '%s'", VD_CLABEL(c),
                       dom->machine ? dom->machine : "");

    /* libvirt (controller check): "IDE controllers are unsupported for this
     * QEMU binary or machine type" */
    if (dom && c->bus == VDISK_BUS_IDE && vdisk_domain_is_q35(dom))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: bus 'ide' is not supported by machine type '%s'", VD_CLABEL(c),
                       dom->machine);
    return 0;
}

int
vd_disk_validate(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    return vd_disk_validate_in(disk, dom, NULL, err);
}

int
vd_disk_validate_in(const vdisk_disk *disk, const vdisk_domain *dom, const vd_iotune_groups *groups,
                    vdisk_error **err)
{
    vd_check c = {0};

    if (!disk || !disk->node)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    c.groups = dom ? groups : NULL;
    c.disk = disk;
    c.top = vdisk_disk_get_source_const(disk);
    c.dev = vdisk_disk_get_target(disk);
    /* libvirt's parser reads a <disk> without type= as type='file' */
    c.type = vd_source_holder_written_type(disk->node);
    if (c.type == VDISK_TYPE_NONE)
        c.type = VDISK_TYPE_FILE;
    c.device = vdisk_disk_get_device(disk);
    c.readonly = vdisk_disk_get_readonly(disk);
    c.empty = vd_source_empty(&c);
    c.address_type = vd_disk_address_type_full(disk);
    c.bus = vdisk_disk_get_bus(disk);
    c.bus_str = vd_bus_to_string(c.bus);

    /* libvirt: VIR_ERR_NO_TARGET "missing target information for device %s" */
    if (!c.dev)
        return vd_fail(err, VDISK_ERR_INVALID, "%s: missing target", VD_CLABEL(&c));

    if (vd_validate_generic(&c, err) < 0 || vd_validate_qemu(&c, dom, err) < 0)
        return -1;
    return 0;
}

/* A network source anywhere in the chain (top, backing stores, mirror)
 * that QEMU 7.2 cannot open; @holder is the element that carries its type. */
static int
vd_validate_start_source(const vdisk_disk *disk, const vd_node *holder, vdisk_error **err)
{
    vdisk_protocol protocol = VDISK_PROTOCOL_NONE;
    const vd_node *h;

    if (vd_source_holder_type(holder) != VDISK_TYPE_NETWORK ||
        !vd_source_holder_protocol(holder, &protocol))
        return 0;
    /* libvirt (at start): "VxHS protocol is not supported with this QEMU binary" */
    if (protocol == VDISK_PROTOCOL_VXHS)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: protocol 'vxhs' is not supported by this QEMU", vd_disk_label(disk));
    /* libvirt (at start): "transport protocol '%s' is not yet supported" */
    for (h = vd_node_child(vd_node_child(holder, "source"), "host"); h;
         h = vd_node_next_sibling(h, "host")) {
        vdisk_transport transport = vdisk_host_get_transport(VD_HOST(h));

        if (transport == VDISK_TRANSPORT_RDMA)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: host transport '%s' is not supported by this QEMU",
                           vd_disk_label(disk), vd_transport_to_string(transport));
    }
    return 0;
}

int
vd_disk_validate_start(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    vdisk_bus bus;
    const vd_node *holder;
    const vd_node *mirror;

    if (!disk || !disk->node)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    bus = vdisk_disk_get_bus(disk);

    /* libvirt (at start): "PowerPC pseries machines do not support floppy device" */
    if (dom && vdisk_disk_get_device(disk) == VDISK_DEVICE_FLOPPY &&
        g_str_has_prefix(vdisk_domain_get_machine(dom) ? vdisk_domain_get_machine(dom) : "",
                         "pseries"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: PowerPC pseries machines do not support floppy devices",
                       vd_disk_label(disk));

    /* libvirt (at start): "unsupported disk bus '%s' with device setup" */
    if (bus == VDISK_BUS_XEN || bus == VDISK_BUS_UML)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: bus '%s' is not supported by QEMU",
                       vd_disk_label(disk), vd_bus_to_string(bus));

    /* the chain as written, on through an empty <backingStore/> (the views
     * of vdisk_source_get_backing() stop there) */
    for (holder = disk->node; holder; holder = vd_node_child(holder, "backingStore")) {
        if (vd_validate_start_source(disk, holder, err) < 0)
            return -1;
    }
    if ((mirror = vd_node_child(disk->node, "mirror")) &&
        vd_validate_start_source(disk, mirror, err) < 0)
        return -1;
    return 0;
}
