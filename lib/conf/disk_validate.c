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
#include "conf/target_priv.h"
#include "util/error.h"

/* libvirt's limits for SCSI vendor/product strings */
#define VD_VENDOR_LEN 8
#define VD_PRODUCT_LEN 16
/* the largest throttling value QEMU accepts */
#define VD_IOTUNE_MAX 1000000000000000ULL
/* characters QEMU takes in a drive serial */
#define VD_SERIAL_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ .+"

/* What the checks look at, read once from the tree. */
typedef struct {
    const vdisk_disk *disk;
    const char *label;
    const char *dev;
    const char *type;
    const char *device;
    vdisk_bus bus;
    const char *bus_str;
    const vd_node *target;
    const vd_node *driver;
    const vd_node *source;
    const char *address_type;
    bool readonly;
    bool empty;
} vd_check;

static const char *
vd_child_text(const vdisk_disk *disk, const char *name)
{
    const vd_node *n = vd_node_child(disk->node, name);

    return n ? vd_node_text(disk->doc, n) : NULL;
}

static const char *
vd_drv(const vd_check *c, const char *attr)
{
    return vd_node_attr(c->driver, attr);
}

static bool
vd_is(const char *a, const char *b)
{
    return g_strcmp0(a, b) == 0;
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
    if (!c->source)
        return true;
    if (vd_is(c->type, "file") || c->type == NULL)
        return !vd_node_attr(c->source, "file");
    if (vd_is(c->type, "block"))
        return !vd_node_attr(c->source, "dev");
    if (vd_is(c->type, "dir"))
        return !vd_node_attr(c->source, "dir");
    return false;
}

static int
vd_validate_iotune(const vd_check *c, const vdisk_domain *dom, vdisk_error **err)
{
    static const char *const pairs[][3] = {
        {"total_bytes_sec", "read_bytes_sec", "write_bytes_sec"},
        {"total_iops_sec", "read_iops_sec", "write_iops_sec"},
        {"total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max"},
        {"total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max"},
    };
    static const char *const limited[] = {
        "total_bytes_sec",     "read_bytes_sec",     "write_bytes_sec",     "total_iops_sec",
        "read_iops_sec",       "write_iops_sec",     "total_bytes_sec_max", "read_bytes_sec_max",
        "write_bytes_sec_max", "total_iops_sec_max", "read_iops_sec_max",   "write_iops_sec_max",
        "size_iops_sec",
    };
    const vd_node *iotune = vd_node_child(c->disk->node, "iotune");
    vd_doc *doc = c->disk->doc;
    unsigned long long vals[G_N_ELEMENTS(limited)];
    const vd_node *group;
    bool any = false;
    const vd_node *n;
    size_t i;

    if (!iotune)
        return 0;
    for (i = 0; i < G_N_ELEMENTS(pairs); i++) {
        /* libvirt: "total and read/write bytes_sec cannot be set at the same time" */
        if (vd_iotune_in(doc, iotune, pairs[i][0]) &&
            (vd_iotune_in(doc, iotune, pairs[i][1]) || vd_iotune_in(doc, iotune, pairs[i][2])))
            return vd_fail(err, VDISK_ERR_INVALID,
                           "%s: %s and %s/%s cannot be set at the same time", c->label, pairs[i][0],
                           pairs[i][1], pairs[i][2]);
    }
    for (n = iotune->children; n && !any; n = n->next) {
        if (n->kind == VD_NODE_ELEMENT && strcmp(n->name, "group_name") != 0 &&
            vd_iotune_in(doc, iotune, n->name))
            any = true;
    }
    group = vd_node_child(iotune, "group_name");
    /* libvirt: "group_name can be configured only together with settings" */
    if (group && !any)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: iotune group '%s' can be configured only together with settings",
                       c->label, vd_node_text(c->disk->doc, group));
    /* libvirt: "block I/O throttle limit must be no more than %llu using QEMU" */
    for (i = 0; i < G_N_ELEMENTS(limited); i++) {
        unsigned long long v = vd_iotune_in(doc, iotune, limited[i]);

        vals[i] = v;
        if (v > VD_IOTUNE_MAX)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: iotune %s '%llu' is more than the limit %llu", c->label, limited[i],
                           v, VD_IOTUNE_MAX);
    }
    /* libvirt: "different iotunes for disks %s and %s" */
    if (group && dom) {
        const char *name = vd_node_text(c->disk->doc, group);
        guint j;

        for (j = 0; j < dom->disks->len; j++) {
            const vdisk_disk *d = dom->disks->pdata[j];
            const vd_node *other;
            const vd_node *og;
            const char *odev;

            if (d == c->disk || !(other = vd_node_child(d->node, "iotune")) ||
                !(og = vd_node_child(other, "group_name")) ||
                !vd_is(vd_node_text(d->doc, og), name))
                continue;
            odev = vd_node_attr(vd_node_child(d->node, "target"), "dev");
            if (vd_is(odev, c->dev))
                continue;
            for (i = 0; i < G_N_ELEMENTS(limited); i++) {
                if (vd_iotune_in(d->doc, other, limited[i]) != vals[i])
                    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                                   "%s: iotune group '%s' differs from the one of target '%s'",
                                   c->label, name, odev ? odev : "");
            }
        }
    }
    return 0;
}

/* The generic checks (libvirt's domain_validate.c). */
static int
vd_validate_generic(const vd_check *c, vdisk_error **err)
{
    const char *sgio = vd_node_attr(c->disk->node, "sgio");
    const char *rawio = vd_node_attr(c->disk->node, "rawio");
    const char *model = vd_node_attr(c->disk->node, "model");
    const char *tray = vd_node_attr(c->target, "tray");
    const char *removable = vd_node_attr(c->target, "removable");
    const char *vendor = vd_child_text(c->disk, "vendor");
    const char *product = vd_child_text(c->disk, "product");
    const char *wwn = vd_child_text(c->disk, "wwn");
    const char *policy = vd_node_attr(c->source, "startupPolicy");
    bool lun = vd_is(c->device, "lun");
    bool floppy = vd_is(c->device, "floppy");
    bool cdrom = vd_is(c->device, "cdrom");

    /* libvirt: "unfiltered sgio is no longer supported" */
    if (vd_is(sgio, "unfiltered"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: sgio '%s' is no longer supported", c->label,
                       sgio);
    if (lun) {
        /* libvirt: "disk device='lun' is only valid for block type disk source"
         * and "... is not supported for protocol='%s'" */
        if (vd_is(c->type, "network")) {
            const char *proto = vd_node_attr(c->source, "protocol");

            if (!vd_is(proto, "iscsi"))
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: device 'lun' is not supported for protocol '%s'", c->label,
                               proto ? proto : "");
        } else if (!vd_is(c->type, "block") && !vd_is(c->type, "volume")) {
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: device 'lun' is only valid for a block source, not '%s'", c->label,
                           c->type ? c->type : "file");
        }
    } else {
        /* libvirt: "<reservations/> allowed only for lun devices" */
        if (c->source && vd_node_child(c->source, "reservations"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: reservations are allowed only for device 'lun', not '%s'", c->label,
                           c->device ? c->device : "disk");
        /* libvirt: "rawio can be used only with device='lun'" */
        if (rawio)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: rawio '%s' can be used only with device 'lun'", c->label, rawio);
        /* libvirt: "sgio can be used only with device='lun'" */
        if (sgio)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: sgio '%s' can be used only with device 'lun'", c->label, sgio);
    }

    /* libvirt: "Invalid address type '%s' for the disk '%s' with the bus type '%s'" */
    if (c->address_type &&
        (c->bus == VDISK_BUS_IDE || c->bus == VDISK_BUS_FDC || c->bus == VDISK_BUS_SCSI ||
         c->bus == VDISK_BUS_SATA) &&
        !vd_is(c->address_type, "drive"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid address type '%s' for bus '%s'",
                       c->label, c->address_type, c->bus_str);

    if (c->bus != VDISK_BUS_VIRTIO) {
        static const char *const virtio_only[] = {"iommu", "ats", "packed", "page_per_vq"};
        size_t i;

        /* libvirt: "disk model '%s' not supported for bus '%s'" */
        if (model && g_str_has_prefix(model, "virtio"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: model '%s' not supported for bus '%s'",
                           c->label, model, c->bus_str);
        /* libvirt: "queues attribute in disk driver element is only supported by virtio-blk" */
        if (vd_drv(c, "queues"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: queues '%s' are only supported on bus 'virtio', not '%s'", c->label,
                           vd_drv(c, "queues"), c->bus_str);
        /* libvirt: "disk event_idx mode supported only for virtio bus" */
        if (vd_drv(c, "event_idx"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: event_idx '%s' is supported only on bus 'virtio', not '%s'",
                           c->label, vd_drv(c, "event_idx"), c->bus_str);
        /* libvirt: "disk ioeventfd mode supported only for virtio bus" */
        if (vd_drv(c, "ioeventfd"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: ioeventfd '%s' is supported only on bus 'virtio', not '%s'",
                           c->label, vd_drv(c, "ioeventfd"), c->bus_str);
        /* libvirt: "iommu driver option is only supported for virtio devices" */
        for (i = 0; i < G_N_ELEMENTS(virtio_only); i++) {
            if (vd_drv(c, virtio_only[i]))
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: driver option %s '%s' is only supported on bus 'virtio'",
                               c->label, virtio_only[i], vd_drv(c, virtio_only[i]));
        }
    }

    /* libvirt: "NVMe namespace can't be zero" */
    if (vd_is(c->type, "nvme") && c->source) {
        const char *ns = vd_node_attr(c->source, "namespace");
        unsigned int v = 0;

        if (ns && vd_parse_uint(ns, 10, &v) && v == 0)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: NVMe namespace '%s' can't be zero",
                           c->label, ns);
    }

    /* libvirt: "tray is only valid for cdrom and floppy" */
    if (tray && !floppy && !cdrom)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: tray '%s' is only valid for cdrom and floppy", c->label, tray);

    /* libvirt: "disk vendor is not printable string" / "... more than %d characters" */
    if (vendor && !vd_is_printable(vendor))
        return vd_fail(err, VDISK_ERR_INVALID, "%s: vendor '%s' is not a printable string",
                       c->label, vendor);
    if (vendor && strlen(vendor) > VD_VENDOR_LEN)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: vendor '%s' is more than %d characters",
                       c->label, vendor, VD_VENDOR_LEN);
    if (product && !vd_is_printable(product))
        return vd_fail(err, VDISK_ERR_INVALID, "%s: product '%s' is not a printable string",
                       c->label, product);
    if (product && strlen(product) > VD_PRODUCT_LEN)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: product '%s' is more than %d characters",
                       c->label, product, VD_PRODUCT_LEN);

    /* libvirt: "Invalid bus type '%s' for floppy disk" / "... for disk" */
    if (floppy && c->bus != VDISK_BUS_FDC)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid bus '%s' for a floppy", c->label,
                       c->bus_str);
    if (!floppy && c->bus == VDISK_BUS_FDC)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: bus 'fdc' is only valid for a floppy",
                       c->label);

    /* libvirt: "removable is only valid for usb disks" */
    if (removable && c->bus != VDISK_BUS_USB)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "%s: removable '%s' is only valid for bus 'usb', not '%s'", c->label,
                       removable, c->bus_str);

    if (policy) {
        /* libvirt: "disk startupPolicy '%s' is not allowed for disk of '%s' type" */
        if (!vd_is(c->type, "file") && !vd_is(c->type, "block") && !vd_is(c->type, "dir") &&
            !vd_is(c->type, "volume"))
            return vd_fail(err, VDISK_ERR_INVALID,
                           "%s: startupPolicy '%s' is not allowed for type '%s'", c->label, policy,
                           c->type ? c->type : "");
        /* libvirt: "disk startupPolicy 'requisite' is allowed only for cdrom or floppy" */
        if (vd_is(policy, "requisite") && !cdrom && !floppy)
            return vd_fail(err, VDISK_ERR_INVALID,
                           "%s: startupPolicy 'requisite' is allowed only for cdrom or floppy",
                           c->label);
    }

    /* libvirt: "Malformed wwn: %s" */
    if (wwn && !vd_wwn_ok(wwn))
        return vd_fail(err, VDISK_ERR_INVALID, "%s: malformed wwn '%s'", c->label, wwn);

    /* libvirt: "Invalid harddisk device name: %s" / "Invalid floppy device name: %s" */
    if ((!c->device || vd_is(c->device, "disk") || lun) && !g_str_has_prefix(c->dev, "hd") &&
        !g_str_has_prefix(c->dev, "sd") && !g_str_has_prefix(c->dev, "vd") &&
        !g_str_has_prefix(c->dev, "xvd") && !g_str_has_prefix(c->dev, "ubd"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid hard disk name '%s'", c->label,
                       c->dev);
    if (floppy && !g_str_has_prefix(c->dev, "fd"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid floppy name '%s'", c->label,
                       c->dev);

    /* libvirt: VIR_ERR_NO_SOURCE "no source device %s" */
    if (c->empty && (!c->device || vd_is(c->device, "disk")))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: a disk device needs a source", c->label);
    return 0;
}

/* The QEMU driver's checks of one storage source of the chain: @holder is
 * <disk> or a <backingStore>; @format its format string. */
static int
vd_validate_source(const vd_check *c, const vd_node *holder, vdisk_error **err)
{
    bool top = holder == c->disk->node;
    const char *type = vd_node_attr(holder, "type");
    const vd_node *src = vd_node_child(holder, "source");
    const char *format =
        top ? vd_drv(c, "type") : vd_node_attr(vd_node_child(holder, "format"), "type");
    const char *proto = vd_node_attr(src, "protocol");
    bool network = vd_is(type, "network");
    const vd_node *enc = src ? vd_node_child(src, "encryption") : NULL;

    if (!enc && top)
        enc = vd_node_child(holder, "encryption");
    /* libvirt: "'cow' storage format is not supported" */
    if (vd_is(format, "cow"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: storage format '%s' is not supported",
                       c->label, format);
    /* libvirt: "'directory' storage format is not directly supported by QEMU, use 'dir' disk
     * type instead" */
    if (vd_is(format, "dir"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'dir' is not supported by QEMU, use type 'dir'",
                       c->label);
    /* libvirt: "storage format 'iso' is not directly supported by QEMU, use 'raw' instead" */
    if (vd_is(format, "iso"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'iso' is not supported by QEMU, use 'raw'", c->label);
    /* libvirt: "storage format 'fat' is supported only with 'dir' storage type" */
    if (vd_is(format, "fat") && !vd_is(type, "dir") && !vd_is(type, "volume"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'fat' is supported only with type 'dir', not '%s'",
                       c->label, type ? type : "");
    if (vd_is(type, "dir")) {
        /* libvirt: "storage type 'dir' requires use of storage format 'fat'" */
        if (format && !vd_is(format, "fat") && !vd_is(format, "none"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: type 'dir' requires format 'fat', not '%s'", c->label, format);
        /* libvirt: "virtual FAT storage can't be accessed in read-write mode" */
        if (!c->readonly)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: type 'dir' (virtual FAT) can't be accessed read-write", c->label);
    }
    if (src && vd_node_child(src, "ssl") &&
        (!network || (!vd_is(proto, "https") && !vd_is(proto, "ftps"))))
        /* libvirt: "ssl verification is supported only with HTTPS/FTPS protocol" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: ssl verification is supported only with protocol https or ftps",
                       c->label);
    if (src && vd_node_child(src, "cookies") &&
        (!network || (!vd_is(proto, "https") && !vd_is(proto, "http"))))
        /* libvirt: "http cookies are supported only with HTTP(S) protocol" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: cookies are supported only with protocol http or https", c->label);
    if (src && (vd_node_child(src, "readahead") || vd_node_child(src, "timeout")) &&
        (!network || (!vd_is(proto, "https") && !vd_is(proto, "http") && !vd_is(proto, "ftp") &&
                      !vd_is(proto, "ftps"))))
        /* libvirt: "readahead/timeout is supported only with HTTP(S)/FTP(s) protocols" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: %s is supported only with protocols http(s) and ftp(s)", c->label,
                       vd_node_child(src, "readahead") ? "readahead" : "timeout");
    if (src && vd_node_attr(src, "query") &&
        (!network || (!vd_is(proto, "https") && !vd_is(proto, "http"))))
        /* libvirt: "query is supported only with HTTP(S) protocols" */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: query '%s' is supported only with protocol http or https", c->label,
                       vd_node_attr(src, "query"));
    /* libvirt: "'tftp' protocol is not supported with this QEMU binary" */
    if (network && vd_is(proto, "tftp"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: protocol 'tftp' is not supported by QEMU",
                       c->label);
    /* libvirt: "metadata cache max size control is supported only with qcow2 images" */
    if (top && c->driver && vd_node_child(c->driver, "metadata_cache") && !vd_is(format, "qcow2"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: metadata cache size is supported only with format 'qcow2', not '%s'",
                       c->label, format ? format : "none");
    /* libvirt: "old qcow/qcow2 encryption is not supported" */
    if (enc) {
        const char *ef = vd_node_attr(enc, "format");

        if (!ef || vd_is(ef, "default") || vd_is(ef, "qcow"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: encryption format '%s' (old qcow encryption) is not supported",
                           c->label, ef ? ef : "default");
    }
    return 0;
}

/* The QEMU driver's front-end checks (qemu_validate.c). */
static int
vd_validate_qemu(const vd_check *c, const vdisk_domain *dom, vdisk_error **err)
{
    const vd_node *geometry = vd_node_child(c->disk->node, "geometry");
    const char *serial = vd_child_text(c->disk, "serial");
    const char *wwn = vd_child_text(c->disk, "wwn");
    const char *vendor = vd_child_text(c->disk, "vendor");
    const char *product = vd_child_text(c->disk, "product");
    const char *rotation = vd_node_attr(c->target, "rotation_rate");
    const char *cor = vd_drv(c, "copy_on_read");
    const char *io = vd_drv(c, "io");
    const char *cache = vd_drv(c, "cache");
    const char *iothread = vd_drv(c, "iothread");
    const char *name = vd_drv(c, "name");
    const vd_node *transient = vd_node_child(c->disk->node, "transient");
    bool lun = vd_is(c->device, "lun");
    bool cdrom = vd_is(c->device, "cdrom");
    bool floppy = vd_is(c->device, "floppy");
    bool is_disk = !c->device || vd_is(c->device, "disk");
    int idx;
    int partition;

    if (geometry) {
        unsigned int cyls = 0;
        unsigned int heads = 0;
        unsigned int secs = 0;
        const char *trans = vd_node_attr(geometry, "trans");

        vd_parse_uint(vd_node_attr(geometry, "cyls"), 10, &cyls);
        vd_parse_uint(vd_node_attr(geometry, "heads"), 10, &heads);
        vd_parse_uint(vd_node_attr(geometry, "secs"), 10, &secs);
        if (cyls && heads && secs) {
            /* libvirt: "CHS geometry can not be set for '%s' bus" */
            if (c->bus == VDISK_BUS_USB || c->bus == VDISK_BUS_SD)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: CHS geometry can not be set for bus '%s'", c->label,
                               c->bus_str);
            /* libvirt: "CHS translation mode can only be set for 'ide' bus not '%s'" */
            if (trans && !vd_is(trans, "default") && c->bus != VDISK_BUS_IDE)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: CHS translation '%s' can only be set for bus 'ide', not '%s'",
                               c->label, trans, c->bus_str);
        }
    }
    /* libvirt: "Serial property not supported for drive bus '%s'" */
    if (serial && c->bus == VDISK_BUS_SD)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: serial '%s' not supported for bus 'sd'",
                       c->label, serial);
    /* libvirt: "disk type of '%s' does not support ejectable media" */
    if (cdrom && (c->bus == VDISK_BUS_VIRTIO || c->bus == VDISK_BUS_SD))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: bus '%s' does not support ejectable media (cdrom)", c->label,
                       c->bus_str);
    if (vd_is(cor, "on")) {
        /* libvirt: "copy_on_read is not compatible with read-only disk '%s'" */
        if (c->readonly)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: copy_on_read 'on' is not compatible with a read-only disk",
                           c->label);
        /* libvirt: "copy_on_read is not supported with removable disk '%s'" */
        if (cdrom || floppy)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: copy_on_read 'on' is not supported for device '%s'", c->label,
                           c->device);
    }
    /* libvirt: "Only ide and scsi disk support wwn" */
    if (wwn && c->bus != VDISK_BUS_IDE && c->bus != VDISK_BUS_SCSI)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: wwn '%s' is only supported on bus 'ide' and 'scsi', not '%s'", c->label,
                       wwn, c->bus_str);
    /* libvirt: "Only scsi disk supports vendor and product" */
    if ((vendor || product) && c->bus != VDISK_BUS_SCSI)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: vendor and product are only supported on bus 'scsi', not '%s'",
                       c->label, c->bus_str);
    if (lun) {
        /* libvirt: "disk device='lun' is not supported for bus='%s'" */
        if (c->bus != VDISK_BUS_VIRTIO && c->bus != VDISK_BUS_SCSI)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: device 'lun' is not supported for bus '%s'", c->label, c->bus_str);
        /* libvirt: "copy_on_read is not compatible with 'lun' disk '%s'" */
        if (vd_is(cor, "on"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: copy_on_read 'on' is not compatible with device 'lun'", c->label);
        /* libvirt: "Setting wwn is not supported for lun device" */
        if (wwn)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: wwn '%s' is not supported for device 'lun'", c->label, wwn);
        /* libvirt: "Setting vendor or product is not supported for lun device" */
        if (vendor || product)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: vendor and product are not supported for device 'lun'", c->label);
    }
    if (rotation) {
        /* libvirt: "rotation rate is only valid for SCSI/IDE/SATA bus" */
        if (c->bus != VDISK_BUS_SCSI && c->bus != VDISK_BUS_IDE && c->bus != VDISK_BUS_SATA)
            return vd_fail(
                err, VDISK_ERR_UNSUPPORTED,
                "%s: rotation_rate '%s' is only valid on bus scsi, ide or sata, not '%s'", c->label,
                rotation, c->bus_str);
        /* libvirt: "rotation rate is only valid for disk device" */
        if (!is_disk)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: rotation_rate '%s' is only valid for device 'disk'", c->label,
                           rotation);
    }
    /* libvirt: "unexpected address type for usb disk" */
    if (c->bus == VDISK_BUS_USB && c->address_type && !vd_is(c->address_type, "usb"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid address type '%s' for bus 'usb'",
                       c->label, c->address_type);
    /* libvirt: "readonly ide disks are not supported" / "readonly sata disks ..." */
    if (c->readonly && is_disk && (c->bus == VDISK_BUS_IDE || c->bus == VDISK_BUS_SATA))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: read-only %s disks are not supported",
                       c->label, c->bus_str);
    /* libvirt: "io='native' needs either no disk cache or directsync cache mode" */
    if (vd_is(io, "native") && !vd_is(cache, "none") && !vd_is(cache, "directsync"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: io 'native' needs cache 'none' or 'directsync', not '%s'", c->label,
                       cache ? cache : "default");
    /* libvirt: "scsi-block 'lun' devices do not support the serial property" */
    if (serial && lun && c->bus == VDISK_BUS_SCSI)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: serial '%s' is not supported for a scsi 'lun' device", c->label,
                       serial);
    /* libvirt: "driver serial '%s' contains unsafe characters" */
    if (serial && strspn(serial, VD_SERIAL_CHARS) != strlen(serial))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: serial '%s' contains unsafe characters",
                       c->label, serial);
    if (iothread) {
        unsigned int id = 0;

        /* libvirt: "IOThreads not available for bus %s target %s" */
        if (c->bus != VDISK_BUS_VIRTIO)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: iothread '%s' is not available for bus '%s'", c->label, iothread,
                           c->bus_str);
        /* libvirt: "Disk iothread '%u' not defined in iothreadid" */
        if (dom && (!vd_parse_uint(iothread, 10, &id) || !vd_domain_has_iothread(dom, id)))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: iothread '%s' is not defined in the domain", c->label, iothread);
    }

    if (vd_validate_iotune(c, dom, err) < 0)
        return -1;

    if (transient) {
        const char *share = vd_node_attr(transient, "shareBacking");

        /* libvirt: "transient disk '%s' must not be empty" */
        if (c->empty)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: a transient disk must not be empty",
                           c->label);
        /* libvirt: "transient disk '%s' must not be read-only" */
        if (c->readonly)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: a transient disk must not be read-only",
                           c->label);
        /* libvirt: "transient disk supported only with 'file' type (%s)" */
        if (!vd_is(c->type, "file"))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: transient is supported only for type 'file', not '%s'", c->label,
                           c->type ? c->type : "");
        /* libvirt: "transient disk supported only with 'disk' device (%s)" */
        if (!is_disk)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: transient is supported only for device 'disk', not '%s'", c->label,
                           c->device);
        /* libvirt: "disk bus '%s' doesn't support transiend disk backing image sharing" */
        if (vd_is(share, "yes") && c->bus != VDISK_BUS_USB && c->bus != VDISK_BUS_VIRTIO &&
            c->bus != VDISK_BUS_SCSI)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: bus '%s' does not support transient backing image sharing",
                           c->label, c->bus_str);
    }

    /* libvirt: "shared access for disk '%s' requires use of supported storage format" */
    if (vd_node_child(c->disk->node, "shareable") && !c->readonly &&
        !vd_is(vd_drv(c, "type"), "raw"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: a shareable disk needs format 'raw', not '%s'", c->label,
                       vd_drv(c, "type") ? vd_drv(c, "type") : "none");

    /* libvirt: "unsupported driver name '%s' for disk '%s'" */
    if (name && !vd_is(name, "qemu"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: unsupported driver name '%s'", c->label,
                       name);

    /* libvirt: "invalid disk target '%s'" / "..., partitions can't appear in disk targets" */
    if (vd_target_parse(c->dev, &idx, &partition) < 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: invalid disk target '%s'", c->label,
                       c->dev);
    if (partition != 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: invalid disk target '%s', partitions can't appear in disk targets",
                       c->label, c->dev);

    /* every source of the chain down to an empty <backingStore/> */
    {
        const vd_node *holder = c->disk->node;

        while (holder) {
            const vd_node *bs = vd_node_child(holder, "backingStore");

            if ((holder == c->disk->node ? !c->empty : true) &&
                vd_validate_source(c, holder, err) < 0)
                return -1;
            holder = bs && vd_node_attr(bs, "type") ? bs : NULL;
        }
    }

    /* libvirt: "'vhostuser' requires shared memory" */
    if (dom && vd_is(c->type, "vhostuser") && !dom->shared_memory)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: type 'vhostuser' requires shared memory in the domain", c->label);

    /* libvirt: "cannot use CCW address type for device '%s' using machine
     * type '%s'" (CCW addresses exist on s390-ccw machines only) */
    if (dom && g_strcmp0(c->address_type, "ccw") == 0 &&
        !g_str_has_prefix(dom->machine ? dom->machine : "", "s390-ccw"))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: address type 'ccw' cannot be used with machine type '%s'", c->label,
                       dom->machine ? dom->machine : "");

    /* libvirt (controller check): "IDE controllers are unsupported for this
     * QEMU binary or machine type" */
    if (dom && c->bus == VDISK_BUS_IDE && vdisk_domain_is_q35(dom))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: bus 'ide' is not supported by machine type '%s'", c->label,
                       dom->machine);
    return 0;
}

int
vd_disk_validate(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    vd_check c = {0};
    const vd_node *addr;
    int b;

    if (!disk || !disk->node)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    c.disk = disk;
    c.label = vd_disk_label(disk);
    c.target = vd_node_child(disk->node, "target");
    c.dev = vd_node_attr(c.target, "dev");
    c.type = vd_node_attr(disk->node, "type");
    c.device = vd_node_attr(disk->node, "device");
    c.driver = vd_node_child(disk->node, "driver");
    c.source = vd_node_child(disk->node, "source");
    c.readonly = vd_node_child(disk->node, "readonly") != NULL;
    c.empty = vd_source_empty(&c);
    addr = vd_node_child(disk->node, "address");
    c.address_type = addr ? vd_node_attr(addr, "type") : NULL;
    c.bus_str = vd_node_attr(c.target, "bus");
    b = vdisk_enum_from_string(VDISK_ENUM_BUS, c.bus_str);
    c.bus = b < 0 ? VDISK_BUS_NONE : (vdisk_bus)b;
    if (!c.bus_str)
        c.bus_str = "none";

    /* libvirt: VIR_ERR_NO_TARGET "missing target information for device %s" */
    if (!c.dev)
        return vd_fail(err, VDISK_ERR_INVALID, "%s: missing target", c.label);

    if (vd_validate_generic(&c, err) < 0 || vd_validate_qemu(&c, dom, err) < 0)
        return -1;
    return 0;
}

/* A network source anywhere in the chain (top, backing stores, mirror)
 * that QEMU 7.2 cannot open. */
static int
vd_validate_start_source(const vdisk_disk *disk, const vd_node *holder, vdisk_error **err)
{
    const vd_node *src = vd_node_child(holder, "source");
    const char *protocol = vd_node_attr(src, "protocol");
    const vd_node *h;

    if (g_strcmp0(vd_node_attr(holder, "type"), "network") != 0 || !protocol)
        return 0;
    /* libvirt (at start): "VxHS protocol is not supported with this QEMU binary" */
    if (strcmp(protocol, "vxhs") == 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: protocol 'vxhs' is not supported by this QEMU", vd_disk_label(disk));
    /* libvirt (at start): "transport protocol '%s' is not yet supported" */
    for (h = vd_node_child(src, "host"); h; h = vd_node_next_sibling(h, "host")) {
        const char *transport = vd_node_attr(h, "transport");
        if (transport && strcmp(transport, "rdma") == 0)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: host transport '%s' is not supported by this QEMU",
                           vd_disk_label(disk), transport);
    }
    return 0;
}

int
vd_disk_validate_start(const vdisk_disk *disk, const vdisk_domain *dom, vdisk_error **err)
{
    const vd_node *target;
    const char *bus;
    const vd_node *holder;
    const vd_node *mirror;

    (void)dom;
    if (!disk || !disk->node)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no disk given");
    target = vd_node_child(disk->node, "target");
    bus = vd_node_attr(target, "bus");

    /* libvirt (at start): "unsupported disk bus '%s' with device setup" */
    if (bus && (strcmp(bus, "xen") == 0 || strcmp(bus, "uml") == 0))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: bus '%s' is not supported by QEMU",
                       vd_disk_label(disk), bus);

    for (holder = disk->node; holder; holder = vd_node_child(holder, "backingStore")) {
        if (vd_validate_start_source(disk, holder, err) < 0)
            return -1;
    }
    if ((mirror = vd_node_child(disk->node, "mirror")) &&
        vd_validate_start_source(disk, mirror, err) < 0)
        return -1;
    return 0;
}
