/*
 * translate.c: disks to QEMU -blockdev/-device property trees
 *
 * Follows libvirt 9.0's QEMU driver for QEMU 7.2: every storage source of
 * a disk's chain gets a storage (protocol) node and a format node named
 * "libvirt-N-storage"/"libvirt-N-format", the chain is added bottom up,
 * then the guest device. Node numbers are handed out the way libvirt does
 * when it prepares a domain: disks from the last to the first, each chain
 * from its top down.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "qemu/qemu_priv.h"
#include "util/error.h"

/* the id of the domain's managed persistent reservation helper */
#define VD_MANAGED_PR_ALIAS "pr-helper0"

typedef struct {
    const vdisk_domain *dom;     /* may be NULL */
    const vdisk_qemu_opts *opts; /* may be NULL */
    const vd_qemu_host_state *host; /* what the connection gave, or NULL */
    bool q35;
    /* the boot indexes <os><boot dev=...> gives the first disk, cdrom and
     * floppy (0: none) */
    bool os_boot;
    unsigned int boot_cd;
    unsigned int boot_disk;
    unsigned int boot_fd;
    /* the effective boot index of the disk being translated */
    unsigned int bootindex;
} vd_qemu_ctx;

/* ---- helpers ------------------------------------------------------------- */

static bool
vd_machine_is_q35(const char *machine)
{
    return machine && (strcmp(machine, "q35") == 0 || g_str_has_prefix(machine, "pc-q35-"));
}

static bool
vd_source_is_empty(const vdisk_source *src)
{
    vdisk_type t = vdisk_source_get_type(src);

    if (t == VDISK_TYPE_NETWORK)
        return false;
    if (t == VDISK_TYPE_FILE || t == VDISK_TYPE_BLOCK || t == VDISK_TYPE_DIR)
        return !vdisk_source_get_path(src);
    return !vdisk_source_is_present(src);
}

/* cache mode -> (writeback, direct, no-flush), as QEMU documents them */
static void
vd_cache_flags(vdisk_cache cache, bool *writeback, bool *direct, bool *noflush)
{
    *writeback = *direct = *noflush = false;
    switch (cache) {
    case VDISK_CACHE_NONE:
        *writeback = true;
        *direct = true;
        break;
    case VDISK_CACHE_WRITETHROUGH:
        break;
    case VDISK_CACHE_WRITEBACK:
        *writeback = true;
        break;
    case VDISK_CACHE_DIRECTSYNC:
        *direct = true;
        break;
    case VDISK_CACHE_UNSAFE:
        *writeback = true;
        *noflush = true;
        break;
    case VDISK_CACHE_DEFAULT:
    case VDISK_CACHE_LAST:
        break;
    }
}

/* The cache mode libvirt uses: a shareable writable disk defaults to none. */
static vdisk_cache
vd_effective_cache(const vdisk_disk *disk)
{
    vdisk_cache cache = vdisk_disk_get_cache(disk);

    if (cache == VDISK_CACHE_DEFAULT && vdisk_disk_get_shareable(disk) &&
        !vdisk_disk_get_readonly(disk))
        return VDISK_CACHE_NONE;
    return cache;
}

static void
vd_add_cache(vd_prop *props, vdisk_cache cache)
{
    bool wb, direct, noflush;
    vd_prop *obj;

    if (cache == VDISK_CACHE_DEFAULT)
        return;
    vd_cache_flags(cache, &wb, &direct, &noflush);
    obj = vd_prop_object_new();
    vd_prop_add_bool(obj, "direct", direct);
    vd_prop_add_bool(obj, "no-flush", noflush);
    vd_prop_add_prop(props, "cache", obj);
}

/* One storage source of a chain, with what its nodes read of it more than
 * once. */
typedef struct {
    const vdisk_disk *disk;
    const vdisk_source *src;
    unsigned int index;
    unsigned int backing_index; /* the node number of the source below */
    bool top;
    bool readonly;
    vdisk_cache cache;
    vdisk_type type;
    vdisk_format format;
    vdisk_encryption_format encryption;
    vdisk_tristate reservations_managed;
    bool slice; /* a <slice type='storage'> gives offset and size */
    unsigned long long slice_offset;
    unsigned long long slice_size;
} vd_blk_ctx;

/* Whether the source has encryption libvirt hands to QEMU (or librbd). */
static bool
vd_has_encryption(const vd_blk_ctx *n)
{
    return n->encryption != VDISK_ENCRYPTION_DEFAULT;
}

static bool
vd_encryption_engine_is_qemu(const vdisk_source *src)
{
    vdisk_encryption_engine e = vdisk_source_get_encryption_engine(src);

    return e == VDISK_ENCRYPTION_ENGINE_QEMU || e == VDISK_ENCRYPTION_ENGINE_DEFAULT;
}

static int
vd_check_encryption(const vd_blk_ctx *n, vdisk_error **err)
{
    const vdisk_disk *disk = n->disk;
    const vdisk_source *src = n->src;
    vdisk_format fmt = n->format;

    if (!vd_has_encryption(n))
        return 0;
    if (n->encryption == VDISK_ENCRYPTION_QCOW)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: old qcow/qcow2 encryption is not supported",
                       vd_disk_label(disk));
    switch (vdisk_source_get_encryption_engine(src)) {
    case VDISK_ENCRYPTION_ENGINE_DEFAULT:
    case VDISK_ENCRYPTION_ENGINE_QEMU:
        if (n->encryption == VDISK_ENCRYPTION_LUKS2)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: luks2 is currently not supported by the qemu encryption engine",
                           vd_disk_label(disk));
        if (fmt != VDISK_FORMAT_RAW && fmt != VDISK_FORMAT_QCOW2)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: encryption is supported only with 'raw' and 'qcow2' image format",
                           vd_disk_label(disk));
        break;
    case VDISK_ENCRYPTION_ENGINE_LIBRBD:
        if (n->type != VDISK_TYPE_NETWORK || vdisk_source_get_protocol(src) != VDISK_PROTOCOL_RBD)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: librbd encryption is supported only with RBD backed disks",
                           vd_disk_label(disk));
        break;
    case VDISK_ENCRYPTION_ENGINE_LAST:
        break;
    }
    if (!vdisk_source_get_encryption_secret_uuid(src) &&
        !vdisk_source_get_encryption_secret_usage(src))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: missing secret info for '%s' encryption",
                       vd_disk_label(disk), vd_encryption_format_to_string(n->encryption));
    return 0;
}

/* libvirt's check of a storage source against what QEMU can open. */
static int
vd_check_source(const vd_blk_ctx *n, vdisk_error **err)
{
    const vdisk_disk *disk = n->disk;
    const vdisk_source *src = n->src;
    vdisk_type type = n->type;
    vdisk_format fmt = n->format;

    switch (type) {
    case VDISK_TYPE_FILE:
    case VDISK_TYPE_BLOCK:
    case VDISK_TYPE_DIR:
        break;
    case VDISK_TYPE_NVME:
        break;
    case VDISK_TYPE_NETWORK:
        if (vd_qemu_net_check(disk, src, err) < 0)
            return -1;
        break;
    case VDISK_TYPE_VOLUME:
        /* libvirt looks the volume up in its storage pool when the domain
         * starts; callers do that on the host and translate the resulting
         * file, block or network source */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage pool '%s' volume '%s' must be resolved on the host before "
                       "translation",
                       vd_disk_label(disk),
                       vdisk_source_get_pool(src) ? vdisk_source_get_pool(src) : "",
                       vdisk_source_get_volume(src) ? vdisk_source_get_volume(src) : "");
    case VDISK_TYPE_VHOSTUSER:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: translation of '%s' sources is not implemented", vd_disk_label(disk),
                       vd_type_to_string(type));
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_LAST:
        return vd_fail(err, VDISK_ERR_INTERNAL, "%s: source without a type", vd_disk_label(disk));
    }

    if (fmt == VDISK_FORMAT_COW)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: 'cow' storage format is not supported",
                       vd_disk_label(disk));
    if (fmt == VDISK_FORMAT_DIR)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: 'directory' storage format is not directly supported by QEMU, "
                       "use 'dir' disk type instead",
                       vd_disk_label(disk));
    if (fmt == VDISK_FORMAT_ISO)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'iso' is not directly supported by QEMU, "
                       "use 'raw' instead",
                       vd_disk_label(disk));
    if (fmt == VDISK_FORMAT_FAT && type != VDISK_TYPE_DIR)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: storage format 'fat' is supported only with 'dir' storage type",
                       vd_disk_label(disk));
    if (type == VDISK_TYPE_DIR) {
        if (fmt != VDISK_FORMAT_NONE && fmt != VDISK_FORMAT_FAT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: storage type 'dir' requires use of storage format 'fat'",
                           vd_disk_label(disk));
        if (!n->readonly)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: virtual FAT storage can't be accessed in read-write mode",
                           vd_disk_label(disk));
    }
    if (vd_check_encryption(n, err) < 0)
        return -1;
    /* qemuDomainValidateStorageSource, for every source of the chain */
    if (vd_source_get_metadata_cache_max_size(src) > 0 && fmt != VDISK_FORMAT_QCOW2)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: metadata cache max size control is supported only with qcow2 images",
                       vd_disk_label(disk));
    return 0;
}

/* "<head><v[0]><sep><v[1]>...<tail>" as a new string (@sep 0: none;
 * with @dot, a '.' before <v[0]>): the names translation builds for
 * every disk, without printf. */
static char *
vd_join_uints(const char *head, bool dot, const unsigned int *v, size_t n, char sep,
              const char *tail)
{
    size_t hl = strlen(head);
    size_t tl = strlen(tail);
    char *out = g_malloc(hl + 1 + n * 11 + tl + 1);
    char *p = out + hl;
    size_t i;

    memcpy(out, head, hl);
    if (dot)
        *p++ = '.';
    for (i = 0; i < n; i++) {
        char digits[10];
        size_t k = 0;
        unsigned int x = v[i];

        if (i && sep)
            *p++ = sep;
        do {
            digits[k++] = (char)('0' + x % 10);
            x /= 10;
        } while (x);
        while (k)
            *p++ = digits[--k];
    }
    memcpy(p, tail, tl + 1);
    return out;
}

static char *
vd_name_uint(const char *head, unsigned int v, const char *tail)
{
    return vd_join_uints(head, false, &v, 1, 0, tail);
}

/* "<alias>.<v>" */
static char *
vd_bus_of(const char *alias, unsigned int v)
{
    return vd_join_uints(alias, true, &v, 1, 0, "");
}

/* Writes "0x<hex>" of @v at @p; returns the end (not terminated). */
static char *
vd_put_hex(char *p, unsigned int v)
{
    char digits[8];
    size_t k = 0;

    *p++ = '0';
    *p++ = 'x';
    do {
        digits[k++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    while (k)
        *p++ = digits[--k];
    return p;
}

/* ---- storage and format nodes -------------------------------------------- */

/* Room for "libvirt-<index>-<role>" with the longest role, "slice-sto". */
#define VD_NODE_NAME_SIZE 32

/* Writes the node name "libvirt-<index>-<role>" to @buf; returns @buf.
 * Translation names a few nodes per disk, so this skips printf. */
static const char *
vd_blk_node_name(char *buf, unsigned int index, const char *role)
{
    char digits[10];
    size_t n = 0;
    char *p;

    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    p = memcpy(buf, "libvirt-", 8);
    p += 8;
    while (n)
        *p++ = digits[--n];
    *p++ = '-';
    g_strlcpy(p, role, VD_NODE_NAME_SIZE - (size_t)(p - buf));
    return buf;
}

/* The ids of the objects a storage source refers to. */
typedef struct {
    char *pr;     /* pr-manager-helper */
    char *auth;   /* secret: the protocol's password or key */
    char *enc;    /* secret: the image's passphrase */
    char *cookie; /* secret: http cookies */
    char *tls;    /* tls-creds-x509 */
} vd_source_objects;

static void
vd_source_objects_clear(vd_source_objects *o)
{
    g_free(o->pr);
    g_free(o->auth);
    g_free(o->enc);
    g_free(o->cookie);
    g_free(o->tls);
}

static int
vd_storage_props(vd_prop **out, const vd_blk_ctx *n, const vd_source_objects *objs,
                 vdisk_error **err)
{
    g_autoptr(vd_prop) props = vd_prop_object_new();
    vdisk_type type = n->type;
    vdisk_io io = vdisk_disk_get_io(n->disk);
    char name[VD_NODE_NAME_SIZE];

    switch (type) {
    case VDISK_TYPE_DIR:
        vd_prop_add_str(props, "driver", "vvfat");
        vd_prop_add_str(props, "dir", vdisk_source_get_path(n->src));
        vd_prop_add_bool(props, "floppy",
                         vdisk_disk_get_device(n->disk) == VDISK_DEVICE_FLOPPY);
        vd_prop_add_bool(props, "rw", !n->readonly);
        break;
    case VDISK_TYPE_FILE:
    case VDISK_TYPE_BLOCK:
        /* a host CD-ROM drive would be host_cdrom, which needs a look at the
         * host; block devices are host_device here */
        vd_prop_add_str(props, "driver", type == VDISK_TYPE_BLOCK ? "host_device" : "file");
        vd_prop_add_str(props, "filename", vdisk_source_get_path(n->src));
        if (io != VDISK_IO_DEFAULT)
            vd_prop_add_str(props, "aio", vd_io_to_string(io));
        vd_prop_add_str_opt(props, "pr-manager", objs->pr);
        break;
    case VDISK_TYPE_NETWORK: {
        vd_qemu_net_aliases aliases = {objs->auth, NULL, objs->cookie, objs->tls};

        if (vdisk_source_get_encryption_engine(n->src) == VDISK_ENCRYPTION_ENGINE_LIBRBD)
            aliases.enc = objs->enc;
        if (vd_qemu_net_storage_props(props, n->disk, n->src, &aliases, err) < 0)
            return -1;
        break;
    }
    case VDISK_TYPE_NVME: {
        unsigned int dom = 0, bus = 0, slot = 0, fn = 0;
        g_autofree char *addr = NULL;

        vdisk_source_get_nvme_address(n->src, &dom, &bus, &slot, &fn);
        addr = g_strdup_printf("%04x:%02x:%02x.%x", dom, bus, slot, fn);
        vd_prop_add_str(props, "driver", "nvme");
        vd_prop_add_str(props, "device", addr);
        vd_prop_add_uint(props, "namespace", vdisk_source_get_nvme_namespace(n->src));
        break;
    }
    case VDISK_TYPE_VOLUME:
    case VDISK_TYPE_VHOSTUSER:
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_LAST:
        return vd_fail(err, VDISK_ERR_INTERNAL, "%s: no storage node for '%s' sources",
                       vd_disk_label(n->disk), vd_type_to_string(type));
    }
    vd_prop_add_str(props, "node-name", vd_blk_node_name(name, n->index, "storage"));
    vd_add_cache(props, n->cache);
    vd_prop_add_bool(props, "auto-read-only", true);
    vd_prop_add_str(props, "discard", "unmap");
    *out = g_steal_pointer(&props);
    return 0;
}

/* The value of a source's secret: read from the connection before
 * translation when the options have one, else the caller's. */
static int
vd_source_secret(GBytes **out, const vd_qemu_ctx *ctx, const vd_blk_ctx *n,
                 vd_qemu_secret_role role, const char *uuid, const char *usage, vdisk_error **err)
{
    GBytes *value = vd_qemu_host_secret(ctx->host, n->index, role);

    if (value) {
        *out = g_bytes_ref(value);
        return 0;
    }
    return vd_qemu_secret_lookup(out, ctx->opts, uuid, usage, err);
}

/* The objects of a storage source, in libvirt's order: persistent
 * reservation manager, auth secret, encryption secret, cookie secret, TLS
 * credentials. Fills @objs with their ids. */
static int
vd_add_source_objects(vdisk_qemu_args *args, const vd_qemu_ctx *ctx, const vd_blk_ctx *n,
                      vd_source_objects *objs, vdisk_error **err)
{
    const vdisk_source *src = n->src;
    char storage[VD_NODE_NAME_SIZE];
    char format[VD_NODE_NAME_SIZE];

    vd_blk_node_name(storage, n->index, "storage");
    vd_blk_node_name(format, n->index, "format");

    if (n->reservations_managed == VDISK_TRISTATE_ON) {
        /* the domain's one managed helper (vd_add_managed_pr) */
        objs->pr = g_strdup(VD_MANAGED_PR_ALIAS);
    } else if (n->reservations_managed == VDISK_TRISTATE_OFF) {
        vd_prop *pr = vd_prop_object_new();

        objs->pr = g_strconcat("pr-helper-", storage, NULL);
        vd_prop_add_str(pr, "qom-type", "pr-manager-helper");
        vd_prop_add_str(pr, "id", objs->pr);
        vd_prop_add_str(pr, "path", vdisk_source_get_reservations_path(src));
        vd_qemu_args_add(args, VD_QEMU_ITEM_OBJECT, pr);
    }
    if (n->type == VDISK_TYPE_NETWORK && vdisk_source_get_auth_username(src)) {
        g_autoptr(GBytes) value = NULL;
        vd_prop *obj = NULL;
        gsize len = 0;
        const void *data;

        objs->auth = g_strconcat(storage, "-auth-secret0", NULL);
        if (vd_source_secret(&value, ctx, n, VD_QEMU_SECRET_AUTH,
                             vdisk_source_get_auth_secret_uuid(src),
                             vdisk_source_get_auth_secret_usage(src), err) < 0)
            return -1;
        data = g_bytes_get_data(value, &len);
        if (vd_qemu_secret_object(&obj, ctx->opts, objs->auth, data, len, err) < 0)
            return -1;
        vd_qemu_args_add(args, VD_QEMU_ITEM_OBJECT, obj);
    }
    if (vd_has_encryption(n)) {
        g_autoptr(GBytes) value = NULL;
        vd_prop *obj = NULL;
        gsize len = 0;
        const void *data;

        objs->enc = g_strconcat(format, "-encryption-secret0", NULL);
        if (vd_source_secret(&value, ctx, n, VD_QEMU_SECRET_ENC,
                             vdisk_source_get_encryption_secret_uuid(src),
                             vdisk_source_get_encryption_secret_usage(src), err) < 0)
            return -1;
        data = g_bytes_get_data(value, &len);
        if (vd_qemu_secret_object(&obj, ctx->opts, objs->enc, data, len, err) < 0)
            return -1;
        vd_qemu_args_add(args, VD_QEMU_ITEM_OBJECT, obj);
    }
    if (n->type == VDISK_TYPE_NETWORK && vdisk_source_get_cookie_count(src) > 0) {
        g_autofree char *cookies = vd_qemu_net_cookie_string(src);
        vd_prop *obj = NULL;

        objs->cookie = g_strconcat(storage, "-httpcookie-secret0", NULL);
        if (vd_qemu_secret_object(&obj, ctx->opts, objs->cookie, cookies, strlen(cookies),
                                  err) < 0)
            return -1;
        vd_qemu_args_add(args, VD_QEMU_ITEM_OBJECT, obj);
    }
    if (vd_qemu_net_uses_tls(src)) {
        vd_prop *tls = vd_prop_object_new();

        /* nbd_tls_x509_cert_dir of qemu.conf defaults to the common
         * default_tls_x509_cert_dir; a client always verifies its peer */
        objs->tls = g_strconcat("obj", storage, "_tls0", NULL);
        vd_prop_add_str(tls, "qom-type", "tls-creds-x509");
        vd_prop_add_str(tls, "id", objs->tls);
        vd_prop_add_str(tls, "dir", VD_QEMU_TLS_DIR);
        vd_prop_add_str(tls, "endpoint", "client");
        vd_prop_add_bool(tls, "verify-peer", true);
        vd_qemu_args_add(args, VD_QEMU_ITEM_OBJECT, tls);
    }
    return 0;
}

/* Whether the slice needs a raw node of its own between the storage and
 * the format node (qemuBlockStorageSourceNeedsStorageSliceLayer): the
 * format node cannot apply it unless it is a plain raw one. */
static bool
vd_needs_slice_layer(const vd_blk_ctx *n)
{
    if (!n->slice)
        return false;
    if (n->format != VDISK_FORMAT_RAW && n->format != VDISK_FORMAT_NONE)
        return true;
    return n->encryption == VDISK_ENCRYPTION_LUKS;
}

static vd_prop *
vd_slice_props(const vd_blk_ctx *n)
{
    vd_prop *props = vd_prop_object_new();
    char name[VD_NODE_NAME_SIZE];

    vd_prop_add_str(props, "driver", "raw");
    vd_prop_add_str(props, "node-name", vd_blk_node_name(name, n->index, "slice-sto"));
    vd_prop_add_uint(props, "offset", n->slice_offset);
    vd_prop_add_uint(props, "size", n->slice_size);
    vd_prop_add_str(props, "file", vd_blk_node_name(name, n->index, "storage"));
    vd_prop_add_bool(props, "auto-read-only", true);
    vd_prop_add_str(props, "discard", "unmap");
    vd_add_cache(props, n->cache);
    return props;
}

static const char *
vd_format_driver(vdisk_format fmt)
{
    switch (fmt) {
    case VDISK_FORMAT_NONE:
    case VDISK_FORMAT_RAW:
    case VDISK_FORMAT_FAT:
        return "raw";
    case VDISK_FORMAT_PLOOP:
        return "parallels";
    case VDISK_FORMAT_VHD:
        return "vhdx";
    case VDISK_FORMAT_BOCHS:
    case VDISK_FORMAT_CLOOP:
    case VDISK_FORMAT_DMG:
    case VDISK_FORMAT_VDI:
    case VDISK_FORMAT_VPC:
    case VDISK_FORMAT_QED:
    case VDISK_FORMAT_VMDK:
    case VDISK_FORMAT_QCOW:
    case VDISK_FORMAT_QCOW2:
        return vd_format_to_string(fmt);
    case VDISK_FORMAT_DIR:
    case VDISK_FORMAT_ISO:
    case VDISK_FORMAT_COW:
    case VDISK_FORMAT_LAST:
        break;
    }
    return NULL;
}

static int
vd_format_props(vd_prop **out, const vd_blk_ctx *n, const vdisk_source *backing,
                bool terminated, vdisk_error **err)
{
    g_autoptr(vd_prop) props = vd_prop_object_new();
    vdisk_format fmt = n->format;
    vdisk_discard discard = vdisk_disk_get_discard(n->disk);
    vdisk_detect_zeroes dz = n->top ? vdisk_disk_get_detect_zeroes(n->disk)
                                    : VDISK_DETECT_ZEROES_DEFAULT;
    char name[VD_NODE_NAME_SIZE];
    char other[VD_NODE_NAME_SIZE];
    const char *driver = vd_format_driver(fmt);
    bool luks;

    if (!driver)
        return vd_fail(err, VDISK_ERR_INTERNAL, "%s: mishandled storage format '%s'",
                       vd_disk_label(n->disk), vd_format_to_string(fmt));
    if (dz == VDISK_DETECT_ZEROES_UNMAP && discard != VDISK_DISCARD_UNMAP)
        dz = VDISK_DETECT_ZEROES_ON;

    vd_blk_node_name(name, n->index, "format");
    vd_prop_add_str(props, "node-name", name);
    vd_prop_add_bool(props, "read-only", n->readonly);
    if (discard != VDISK_DISCARD_DEFAULT)
        vd_prop_add_str(props, "discard", vd_discard_to_string(discard));
    if (dz != VDISK_DETECT_ZEROES_DEFAULT)
        vd_prop_add_str(props, "detect-zeroes", vd_detect_zeroes_to_string(dz));
    vd_add_cache(props, n->cache);
    luks =
        strcmp(driver, "raw") == 0 && vd_has_encryption(n) && vd_encryption_engine_is_qemu(n->src);
    if (luks) {
        g_autofree char *secret = g_strconcat(name, "-encryption-secret0", NULL);

        vd_prop_add_str(props, "driver", "luks");
        vd_prop_add_str(props, "key-secret", secret);
    } else {
        vd_prop_add_str(props, "driver", driver);
    }
    if (fmt == VDISK_FORMAT_QCOW2 && vd_has_encryption(n) && vd_encryption_engine_is_qemu(n->src)) {
        vd_prop *encrypt = vd_prop_object_new();
        g_autofree char *secret = g_strconcat(name, "-encryption-secret0", NULL);

        vd_prop_add_str(encrypt, "format", "luks");
        vd_prop_add_str(encrypt, "key-secret", secret);
        vd_prop_add_prop(props, "encrypt", encrypt);
    }
    if (strcmp(driver, "raw") == 0 && !luks && n->slice) {
        vd_prop_add_uint(props, "offset", n->slice_offset);
        vd_prop_add_uint(props, "size", n->slice_size);
    }
    /* qemuBlockStorageSourceGetFormatQcow2Props: every qcow2 source of the
     * chain has its own */
    if (fmt == VDISK_FORMAT_QCOW2)
        vd_prop_add_uint_opt(props, "cache-size", vd_source_get_metadata_cache_max_size(n->src));

    vd_prop_add_str(
        props, "file",
        vd_blk_node_name(other, n->index, vd_needs_slice_layer(n) ? "slice-sto" : "storage"));

    if (backing || terminated) {
        if (fmt >= VDISK_FORMAT_COW) {
            if (backing)
                vd_prop_add_str(props, "backing",
                                vd_blk_node_name(other, n->backing_index, "format"));
            else
                vd_prop_add_null(props, "backing");
        } else if (backing) {
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: storage format '%s' does not support backing store",
                           vd_disk_label(n->disk), vd_format_to_string(fmt));
        }
    }
    *out = g_steal_pointer(&props);
    return 0;
}

/* How a chain's nodes are numbered: libvirt numbers the sources the XML
 * gives from the top down as it prepares the disk, and the backing images
 * it finds reading the image headers (qemuDomainDetermineDiskChain) when
 * it gets to them, which at start is after every disk's declared chain. */
typedef struct {
    unsigned int first;    /* the top source's number */
    unsigned int declared; /* the sources numbered from @first */
    unsigned int probed;   /* the number of the first source after those */
} vd_chain_nums;

static unsigned int
vd_chain_index(const vd_chain_nums *nums, unsigned int pos)
{
    return pos < nums->declared ? nums->first + pos : nums->probed + (pos - nums->declared);
}

/* Adds the nodes of the chain starting at @src (position @pos of the
 * disk's chain), bottom up, each source's objects before its nodes. */
static int
vd_add_chain(vdisk_qemu_args *args, const vd_qemu_ctx *ctx, const vdisk_disk *disk,
             const vdisk_source *src, const vd_chain_nums *nums, unsigned int pos, bool top,
             vdisk_error **err)
{
    vd_blk_ctx n = {
        .disk = disk,
        .src = src,
        .index = vd_chain_index(nums, pos),
        .backing_index = vd_chain_index(nums, pos + 1),
        .top = top,
        .readonly = top ? vdisk_disk_get_readonly(disk) != 0 : true,
        .cache = vd_effective_cache(disk),
        .type = vdisk_source_get_type(src),
        .format = vdisk_source_get_format(src),
        .encryption = vdisk_source_get_encryption_format(src),
        .reservations_managed = vdisk_source_get_reservations_managed(src),
    };
    const vdisk_source *backing = vdisk_source_get_backing(src);
    bool terminated = !backing && vdisk_source_get_backing_terminated(src);
    g_autoptr(vd_prop) format = NULL;
    vd_prop *storage = NULL;
    vd_source_objects objs = {0};
    int ret = -1;

    n.slice = vdisk_source_get_slice(src, &n.slice_offset, &n.slice_size) == 0;
    if (vd_check_source(&n, err) < 0)
        return -1;
    if (vd_format_props(&format, &n, backing, terminated, err) < 0)
        return -1;
    if (backing && vd_add_chain(args, ctx, disk, backing, nums, pos + 1, false, err) < 0)
        return -1;
    if (vd_add_source_objects(args, ctx, &n, &objs, err) < 0 ||
        vd_storage_props(&storage, &n, &objs, err) < 0)
        goto cleanup;
    vd_qemu_args_add(args, VD_QEMU_ITEM_BLOCKDEV, storage);
    if (vd_needs_slice_layer(&n))
        vd_qemu_args_add(args, VD_QEMU_ITEM_BLOCKDEV, vd_slice_props(&n));
    vd_qemu_args_add(args, VD_QEMU_ITEM_BLOCKDEV, g_steal_pointer(&format));
    ret = 0;

cleanup:
    vd_source_objects_clear(&objs);
    return ret;
}

/* The number of node indexes the disk's chain uses. */
static unsigned int
vd_chain_length(const vdisk_disk *disk)
{
    const vdisk_source *src = vdisk_disk_get_source_const(disk);
    unsigned int n = 0;

    /* nor do SD cards, which QEMU opens itself */
    if (vdisk_source_get_type(src) == VDISK_TYPE_VHOSTUSER ||
        vdisk_disk_get_bus(disk) == VDISK_BUS_SD)
        return 0;
    for (; src; src = vdisk_source_get_backing(src))
        n++;
    return n;
}

/* ---- device -------------------------------------------------------------- */

static bool
vd_is_user_alias(const char *alias)
{
    return alias && g_str_has_prefix(alias, "ua-");
}

static const vdisk_controller *
vd_find_controller(const vd_qemu_ctx *ctx, vdisk_controller_type type, unsigned int index)
{
    return ctx->dom ? vdisk_domain_find_controller(ctx->dom, type, index) : NULL;
}

/* libvirt's alias for a controller: a user alias when given, else the
 * type and index ("scsi0", "sata1", "usb" for the first USB controller). */
static char *
vd_controller_alias(const vd_qemu_ctx *ctx, vdisk_controller_type type, unsigned int index)
{
    const vdisk_controller *c = vd_find_controller(ctx, type, index);
    const char *alias = c ? vdisk_controller_get_alias(c) : NULL;

    if (vd_is_user_alias(alias))
        return g_strdup(alias);
    if (type == VDISK_CONTROLLER_USB && index == 0)
        return g_strdup("usb");
    return vd_name_uint(vd_controller_type_to_string(type), index, "");
}

typedef enum {
    VD_SCSI_BUS_UNIT,   /* lsilogic and the other single-channel HBAs */
    VD_SCSI_MULTI_LEVEL /* virtio-scsi and the others: channel, scsi-id, lun */
} vd_scsi_addressing;

static const char *
vd_scsi_model(const vd_qemu_ctx *ctx, unsigned int index)
{
    const vdisk_controller *c = vd_find_controller(ctx, VDISK_CONTROLLER_SCSI, index);
    const char *model = c ? vdisk_controller_get_model(c) : NULL;

    return model && strcmp(model, "auto") != 0 ? model : vd_domain_default_scsi_model(ctx->dom);
}

static vd_scsi_addressing
vd_scsi_addressing_of(const char *model)
{
    if (strcmp(model, "lsilogic") == 0 || strcmp(model, "ncr53c90") == 0 ||
        strcmp(model, "dc390") == 0 || strcmp(model, "am53c974") == 0)
        return VD_SCSI_BUS_UNIT;
    return VD_SCSI_MULTI_LEVEL;
}

static char *
vd_disk_alias(const vd_qemu_ctx *ctx, const vdisk_disk *disk, vdisk_bus bus)
{
    const char *alias = vdisk_disk_get_alias(disk);
    const char *prefix = vd_bus_to_string(bus);
    unsigned int a[4];

    if (vd_is_user_alias(alias))
        return g_strdup(alias);
    if (vdisk_disk_get_address_drive(disk, &a[0], &a[1], &a[2], &a[3]) == 0) {
        if (bus != VDISK_BUS_SCSI || strcmp(vd_scsi_model(ctx, a[0]), "lsilogic") == 0) {
            a[2] = a[3]; /* "%s%u-%u-%u" of controller, bus, unit */
            return vd_join_uints(prefix, false, a, 3, '-', "");
        }
        return vd_join_uints(prefix, false, a, 4, '-', "");
    }
    {
        int index = vdisk_target_to_index(vdisk_disk_get_target(disk));
        char head[32]; /* a bus name and "-disk" */

        if (index < 0 || strlen(prefix) > sizeof(head) - sizeof("-disk"))
            return g_strdup_printf("%s-disk%d", prefix, index);
        strcpy(stpcpy(head, prefix), "-disk");
        return vd_name_uint(head, (unsigned int)index, "");
    }
}

/* virQEMUCapsHasPCIMultiBus: whether QEMU names the root PCI bus "pci.0"
 * (else "pci"): x86, ppc, s390 and the ARM and RISC-V virt machines. */
static bool
vd_has_pci_multibus(const vd_qemu_ctx *ctx)
{
    const char *arch = ctx->dom ? vdisk_domain_get_arch(ctx->dom) : NULL;
    const char *machine = ctx->opts && ctx->opts->machine
                              ? ctx->opts->machine
                              : (ctx->dom ? vdisk_domain_get_machine(ctx->dom) : NULL);
    bool virt = machine && (strcmp(machine, "virt") == 0 || g_str_has_prefix(machine, "virt-"));

    if (!arch || strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0 ||
        strcmp(arch, "ppc") == 0 || strcmp(arch, "ppc64") == 0 || strcmp(arch, "ppc64le") == 0 ||
        g_str_has_prefix(arch, "s390"))
        return true;
    if (strcmp(arch, "aarch64") == 0 || strcmp(arch, "armv7l") == 0 ||
        strcmp(arch, "armv6l") == 0 || g_str_has_prefix(arch, "riscv"))
        return virt;
    return false;
}

/* The machine the domain is translated for. */
static vd_machine
vd_ctx_machine(const vd_qemu_ctx *ctx)
{
    const char *arch = ctx->dom ? vdisk_domain_get_arch(ctx->dom) : NULL;
    const char *machine = ctx->opts && ctx->opts->machine
                              ? ctx->opts->machine
                              : (ctx->dom ? vdisk_domain_get_machine(ctx->dom) : NULL);

    return vd_machine_of(arch, machine);
}

static char *
vd_pci_bus_name(const vd_qemu_ctx *ctx, unsigned int bus)
{
    const vdisk_controller *c = vd_find_controller(ctx, VDISK_CONTROLLER_PCI, bus);
    const char *alias = c ? vdisk_controller_get_alias(c) : NULL;
    const char *model = c ? vdisk_controller_get_model(c) : NULL;
    vd_machine machine = vd_ctx_machine(ctx);

    if (machine == VD_MACHINE_PSERIES && (!model || strcmp(model, "pci-root") == 0)) {
        /* the PHBs: the implicit one (index 0) is "pci.0", whatever its
         * alias; another one's bus is its alias (libvirt's "pci.N" for the
         * bus libvirt adds) plus ".0" (qemuBuildDeviceAddressPCIGetBus) */
        if (bus == 0)
            return g_strdup(vd_is_user_alias(alias) ? alias : "pci.0");
        if (vd_is_user_alias(alias))
            return g_strconcat(alias, ".0", NULL);
        return vd_name_uint("pci.", bus, ".0");
    }
    if (bus == 0) {
        /* the root bus is named by QEMU, whatever its controller's alias:
         * "pcie.0" for a pcie-root (q35, the virt machines), "pci.0" for a
         * pci-root, "pci" where the machine has a single PCI bus */
        if (model)
            return g_strdup(strcmp(model, "pcie-root") == 0 ? "pcie.0"
                            : vd_has_pci_multibus(ctx)      ? "pci.0"
                                                            : "pci");
        /* the implicit root: a pcie-root on q35 and the virt machines */
        return g_strdup(ctx->q35 || machine == VD_MACHINE_ARM_VIRT ||
                                machine == VD_MACHINE_RISCV_VIRT
                            ? "pcie.0"
                            : "pci.0");
    }
    if (vd_is_user_alias(alias))
        return g_strdup(alias);
    return vd_name_uint("pci.", bus, "");
}

static int
vd_add_address(vd_prop *props, const vd_qemu_ctx *ctx, const vdisk_disk *disk, vdisk_bus bus,
               vdisk_error **err)
{
    unsigned int a[4];
    const char *port = NULL;

    switch (vdisk_disk_get_address_type(disk)) {
    case VDISK_ADDRESS_NONE: {
        const char *arch = ctx->dom ? vdisk_domain_get_arch(ctx->dom) : NULL;

        /* The domain's defaults give every virtio disk its address (or
         * refuse): PCI on pc and q35, CCW on s390-ccw machines. Elsewhere
         * they are not modelled: PCI on ppc64, and on ARM and RISC-V
         * machines the choice between virtio-mmio and PCI
         * (qemuDomainAssignARMVirtioMMIOAddresses); nor are they for a disk
         * translated without them. A device without one would be placed by
         * QEMU, not where libvirt puts it. */
        if (bus == VDISK_BUS_VIRTIO && arch && strcmp(arch, "x86_64") != 0 &&
            strcmp(arch, "i686") != 0)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: cannot tell which address libvirt 9.0 gives a virtio disk on "
                           "arch '%s'; give it an <address>, or translate libvirt's own "
                           "dumpxml of the domain",
                           vd_disk_label(disk), arch);
        return 0;
    }
    case VDISK_ADDRESS_PCI: {
        g_autofree char *busname = NULL;
        char addr[24]; /* "0x<slot>.0x<function>" */

        vdisk_disk_get_address_pci(disk, &a[0], &a[1], &a[2], &a[3]);
        busname = vd_pci_bus_name(ctx, a[1]);
        {
            char *end = vd_put_hex(addr, a[2]);

            if (a[3]) {
                *end++ = '.';
                end = vd_put_hex(end, a[3]);
            }
            *end = '\0';
        }
        vd_prop_add_str(props, "bus", busname);
        vd_prop_add_tristate_bool(props, "multifunction",
                                  vdisk_disk_get_address_multifunction(disk));
        vd_prop_add_str(props, "addr", addr);
        vd_prop_add_uint_opt(props, "acpi-index", vdisk_disk_get_acpi_index(disk));
        return 0;
    }
    case VDISK_ADDRESS_USB: {
        g_autofree char *alias = NULL;
        g_autofree char *busname = NULL;

        vdisk_disk_get_address_usb(disk, &a[0], &port);
        alias = vd_controller_alias(ctx, VDISK_CONTROLLER_USB, a[0]);
        busname = g_strconcat(alias, ".0", NULL);
        vd_prop_add_str(props, "bus", busname);
        vd_prop_add_str_opt(props, "port", port);
        return 0;
    }
    case VDISK_ADDRESS_DRIVE:
        break;
    case VDISK_ADDRESS_CCW: {
        char devno[16];

        /* QEMU's "cssid.ssid.devno" in hex: "fe.0.0001" */
        vdisk_disk_get_address_ccw(disk, &a[0], &a[1], &a[2]);
        g_snprintf(devno, sizeof(devno), "%x.%x.%04x", a[0], a[1], a[2]);
        vd_prop_add_str(props, "devno", devno);
        return 0;
    }
    case VDISK_ADDRESS_VIRTIO_MMIO:
        /* the device is placed on the next free virtio-mmio transport */
        return 0;
    case VDISK_ADDRESS_LAST:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: translation of '%s' addresses is not implemented",
                       vd_disk_label(disk),
                       vd_address_type_to_string(vdisk_disk_get_address_type(disk)));
    }

    vdisk_disk_get_address_drive(disk, &a[0], &a[1], &a[2], &a[3]);
    switch (bus) {
    case VDISK_BUS_IDE: {
        g_autofree char *busname = NULL;
        g_autofree char *alias = NULL;

        /* the IDE controller of pc machines is built in and named "ide" */
        alias = ctx->q35 ? vd_controller_alias(ctx, VDISK_CONTROLLER_IDE, a[0]) : g_strdup("ide");
        busname = vd_bus_of(alias, a[1]);
        vd_prop_add_str(props, "bus", busname);
        vd_prop_add_uint(props, "unit", a[3]);
        return 0;
    }
    case VDISK_BUS_SATA: {
        g_autofree char *busname = NULL;
        g_autofree char *alias = NULL;

        /* q35's built-in AHCI controller is named "ide" */
        alias = ctx->q35 && a[0] == 0 ? g_strdup("ide")
                                      : vd_controller_alias(ctx, VDISK_CONTROLLER_SATA, a[0]);
        busname = vd_bus_of(alias, a[3]);
        vd_prop_add_str(props, "bus", busname);
        return 0;
    }
    case VDISK_BUS_FDC:
        vd_prop_add_uint(props, "unit", a[3]);
        return 0;
    case VDISK_BUS_SCSI: {
        g_autofree char *alias = vd_controller_alias(ctx, VDISK_CONTROLLER_SCSI, a[0]);
        g_autofree char *busname = NULL;

        switch (vd_scsi_addressing_of(vd_scsi_model(ctx, a[0]))) {
        case VD_SCSI_BUS_UNIT:
            busname = vd_bus_of(alias, a[1]);
            vd_prop_add_str(props, "bus", busname);
            vd_prop_add_uint(props, "scsi-id", a[3]);
            return 0;
        case VD_SCSI_MULTI_LEVEL:
            busname = g_strconcat(alias, ".0", NULL);
            vd_prop_add_str(props, "bus", busname);
            vd_prop_add_uint(props, "channel", a[1]);
            vd_prop_add_uint(props, "scsi-id", a[2]);
            vd_prop_add_uint(props, "lun", a[3]);
            return 0;
        }
        return 0;
    }
    case VDISK_BUS_VIRTIO:
    case VDISK_BUS_USB:
    case VDISK_BUS_XEN:
    case VDISK_BUS_UML:
    case VDISK_BUS_SD:
    case VDISK_BUS_NONE:
    case VDISK_BUS_LAST:
        break;
    }
    return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: address type drive is not supported for bus '%s'",
                   vd_disk_label(disk), vd_bus_to_string(bus));
}

static char *
vd_escape_serial(const char *serial)
{
    GString *buf = g_string_new(NULL);

    for (; *serial; serial++) {
        if (*serial == ' ')
            g_string_append_c(buf, '\\');
        g_string_append_c(buf, *serial);
    }
    return g_string_free(buf, FALSE);
}

static int
vd_device_props(vd_prop **out, const vd_qemu_ctx *ctx, const vdisk_disk *disk, vdisk_bus bus,
                const char *drive, vdisk_error **err)
{
    g_autoptr(vd_prop) props = vd_prop_object_new();
    g_autofree char *alias = vd_disk_alias(ctx, disk, bus);
    g_autofree char *device_id = NULL;
    g_autofree char *serial = NULL;
    g_autofree char *chardev = NULL;
    vdisk_device device = vdisk_disk_get_device(disk);
    vdisk_cache cache = vd_effective_cache(disk);
    vdisk_tristate removable = VDISK_TRISTATE_DEFAULT;
    vdisk_error_policy ep = vdisk_disk_get_error_policy(disk);
    vdisk_error_policy rp = vdisk_disk_get_rerror_policy(disk);
    const char *wpolicy = NULL;
    const char *rpolicy = NULL;
    unsigned int bootindex = 0;
    unsigned int cyls = 0, heads = 0, secs = 0;
    vdisk_trans trans = VDISK_TRANS_DEFAULT;
    const char *wwn = vdisk_disk_get_wwn(disk);

    switch (bus) {
    case VDISK_BUS_IDE:
    case VDISK_BUS_SATA:
        vd_prop_add_str(props, "driver", device == VDISK_DEVICE_CDROM ? "ide-cd" : "ide-hd");
        break;
    case VDISK_BUS_SCSI:
        if (device == VDISK_DEVICE_LUN) {
            vd_prop_add_str(props, "driver", "scsi-block");
        } else {
            const char *s = vdisk_disk_get_serial(disk);

            vd_prop_add_str(props, "driver", device == VDISK_DEVICE_CDROM ? "scsi-cd" : "scsi-hd");
            device_id = s ? g_strdup(s) : g_strconcat("drive-", alias, NULL);
        }
        break;
    case VDISK_BUS_VIRTIO: {
        g_autofree char *iothread = NULL;
        const char *model = "virtio-blk-pci";
        vdisk_address_type addr = vdisk_disk_get_address_type(disk);

        switch (vdisk_disk_get_model(disk)) {
        case VDISK_MODEL_VIRTIO_TRANSITIONAL:
            model = "virtio-blk-pci-transitional";
            break;
        case VDISK_MODEL_VIRTIO_NON_TRANSITIONAL:
            model = "virtio-blk-pci-non-transitional";
            break;
        case VDISK_MODEL_DEFAULT:
        case VDISK_MODEL_VIRTIO:
        case VDISK_MODEL_LAST:
            break;
        }
        /* the bus suffix follows the address (qemuBuildVirtioDevGetConfig);
         * the (non-)transitional models exist only on PCI */
        if (addr == VDISK_ADDRESS_CCW || addr == VDISK_ADDRESS_VIRTIO_MMIO) {
            if (strcmp(model, "virtio-blk-pci") != 0)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                               "%s: virtio (non-)transitional models are not supported for "
                               "address type=%s",
                               vd_disk_label(disk), vd_address_type_to_string(addr));
            model = addr == VDISK_ADDRESS_CCW ? "virtio-blk-ccw" : "virtio-blk-device";
        }
        if (vdisk_source_get_type(vdisk_disk_get_source_const(disk)) == VDISK_TYPE_VHOSTUSER) {
            model = vd_qemu_vhostuser_device_driver(model);
            chardev = vd_qemu_vhostuser_chardev_id(alias);
        }
        if (vdisk_disk_get_iothread(disk) > 0)
            iothread = vd_name_uint("iothread", vdisk_disk_get_iothread(disk), "");
        vd_prop_add_str(props, "driver", model);
        /* the virtio options, right after the driver (qemuBuildVirtioDevProps) */
        vd_prop_add_tristate_bool(props, "iommu_platform", vdisk_disk_get_iommu(disk));
        vd_prop_add_tristate_bool(props, "ats", vdisk_disk_get_ats(disk));
        vd_prop_add_tristate_bool(props, "packed", vdisk_disk_get_packed(disk));
        vd_prop_add_tristate_bool(props, "page-per-vq", vdisk_disk_get_page_per_vq(disk));
        vd_prop_add_str_opt(props, "iothread", iothread);
        vd_prop_add_tristate_bool(props, "ioeventfd", vdisk_disk_get_ioeventfd(disk));
        vd_prop_add_tristate_bool(props, "event_idx", vdisk_disk_get_event_idx(disk));
        /* QEMU 7.2's virtio-blk has a "scsi" property, off by default
         * (QEMU_CAPS_VIRTIO_BLK_SCSI and ..._DEFAULT_DISABLED): libvirt turns
         * it on for a lun (SG_IO passthrough) and leaves it out otherwise;
         * vhost-user devices have no such property */
        if (device == VDISK_DEVICE_LUN && !chardev)
            vd_prop_add_bool(props, "scsi", true);
        vd_prop_add_uint_opt(props, "num-queues", vdisk_disk_get_queues(disk));
        vd_prop_add_uint_opt(props, "queue-size", vdisk_disk_get_queue_size(disk));
        break;
    }
    case VDISK_BUS_USB:
        vd_prop_add_str(props, "driver", "usb-storage");
        removable = vdisk_disk_get_removable(disk);
        if (removable == VDISK_TRISTATE_DEFAULT)
            removable = VDISK_TRISTATE_OFF;
        break;
    case VDISK_BUS_FDC:
        vd_prop_add_str(props, "driver", "floppy");
        break;
    case VDISK_BUS_SD:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: translation of '%s' disks is not implemented", vd_disk_label(disk),
                       vd_bus_to_string(bus));
    case VDISK_BUS_XEN:
    case VDISK_BUS_UML:
    case VDISK_BUS_NONE:
    case VDISK_BUS_LAST:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: unsupported disk bus '%s' with device setup",
                       vd_disk_label(disk), bus == VDISK_BUS_NONE ? "" : vd_bus_to_string(bus));
    }

    if (vd_add_address(props, ctx, disk, bus, err) < 0)
        return -1;

    /* a floppy's boot index is a property of the floppy controller */
    if (device != VDISK_DEVICE_FLOPPY)
        bootindex = ctx->bootindex;

    vdisk_disk_get_geometry(disk, &cyls, &heads, &secs, &trans);
    if (vdisk_disk_get_serial(disk))
        serial = vd_escape_serial(vdisk_disk_get_serial(disk));

    if (ep != VDISK_ERROR_POLICY_DEFAULT)
        wpolicy = vd_error_policy_to_string(ep);
    if (rp != VDISK_ERROR_POLICY_DEFAULT)
        rpolicy = vd_error_policy_to_string(rp);
    if (ep == VDISK_ERROR_POLICY_ENOSPACE)
        wpolicy = "enospc";
    else if (!rpolicy)
        rpolicy = wpolicy;

    vd_prop_add_str_opt(props, "device_id", device_id);
    if (vdisk_disk_get_shareable(disk))
        vd_prop_add_bool(props, "share-rw", true);
    vd_prop_add_str_opt(props, "drive", drive);
    vd_prop_add_str_opt(props, "chardev", chardev);
    vd_prop_add_str(props, "id", alias);
    vd_prop_add_uint_opt(props, "bootindex", bootindex);
    vd_prop_add_uint_opt(props, "logical_block_size", vdisk_disk_get_logical_block_size(disk));
    vd_prop_add_uint_opt(props, "physical_block_size", vdisk_disk_get_physical_block_size(disk));
    if (wwn) {
        char *end = NULL;
        const char *digits = g_str_has_prefix(wwn, "0x") ? wwn + 2 : wwn;
        unsigned long long w = strtoull(digits, &end, 16);

        if (!*digits || !end || *end)
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: failed to parse wwn '%s' as number",
                           vd_disk_label(disk), wwn);
        vd_prop_add_uint(props, "wwn", w);
    }
    vd_prop_add_uint_opt(props, "rotation_rate", vdisk_disk_get_rotation_rate(disk));
    vd_prop_add_str_opt(props, "vendor", vdisk_disk_get_vendor(disk));
    vd_prop_add_str_opt(props, "product", vdisk_disk_get_product(disk));
    vd_prop_add_tristate_bool(props, "removable", removable);
    if (cache != VDISK_CACHE_DEFAULT && device != VDISK_DEVICE_LUN) {
        bool wb, direct, noflush;

        vd_cache_flags(cache, &wb, &direct, &noflush);
        vd_prop_add_str(props, "write-cache", wb ? "on" : "off");
    }
    vd_prop_add_uint_opt(props, "cyls", cyls);
    vd_prop_add_uint_opt(props, "heads", heads);
    vd_prop_add_uint_opt(props, "secs", secs);
    if (trans != VDISK_TRANS_DEFAULT)
        vd_prop_add_str(props, "bios-chs-trans", vd_trans_to_string(trans));
    vd_prop_add_str_opt(props, "serial", serial);
    vd_prop_add_str_opt(props, "werror", wpolicy);
    vd_prop_add_str_opt(props, "rerror", rpolicy);

    *out = g_steal_pointer(&props);
    return 0;
}

/* ---- disks --------------------------------------------------------------- */

/* What libvirt refuses only when it starts the domain. */
static int
vd_check_start(const vd_qemu_ctx *ctx, const vdisk_disk *disk, vdisk_bus bus, vdisk_error **err)
{
    unsigned int a[4];

    if (vdisk_disk_get_device(disk) == VDISK_DEVICE_LUN &&
        vdisk_source_get_format(vdisk_disk_get_source_const(disk)) != VDISK_FORMAT_RAW)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: disk device 'lun' must use 'raw' format",
                       vd_disk_label(disk));
    if (vdisk_disk_get_acpi_index(disk) && vdisk_disk_get_address_type(disk) != VDISK_ADDRESS_PCI &&
        vdisk_disk_get_address_type(disk) != VDISK_ADDRESS_NONE)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: ACPI index is only supported for PCI devices", vd_disk_label(disk));
    if (bus == VDISK_BUS_USB) {
        const vdisk_controller *usb = vd_find_controller(ctx, VDISK_CONTROLLER_USB, 0);
        const char *model = usb ? vdisk_controller_get_model(usb) : NULL;

        if (model && strcmp(model, "none") == 0)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: USB is disabled for this domain, but USB devices are present in "
                           "the domain XML",
                           vd_disk_label(disk));
    }
    if (bus == VDISK_BUS_IDE &&
        vdisk_disk_get_address_drive(disk, &a[0], &a[1], &a[2], &a[3]) == 0 && a[2] != 0)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: target must be 0 for ide controller",
                       vd_disk_label(disk));
    return 0;
}

/* An SD card: libvirt 9.0 still gives it as -drive if=sd, with no block
 * nodes and no device (qemuBuildDriveStr): QEMU opens the image and its
 * backing chain itself. */
static int
vd_sd_drive(char **out, const vdisk_disk *disk, vdisk_error **err)
{
    const vdisk_source *src = vdisk_disk_get_source_const(disk);
    vdisk_type type = vdisk_source_get_type(src);
    vdisk_format fmt = vdisk_source_get_format(src);
    vdisk_cache cache = vdisk_disk_get_cache(disk);
    vdisk_tristate cor = vdisk_disk_get_copy_on_read(disk);
    vdisk_discard discard = vdisk_disk_get_discard(disk);
    vdisk_detect_zeroes dz = vdisk_disk_get_detect_zeroes(disk);
    vdisk_io io = vdisk_disk_get_io(disk);
    g_autoptr(GString) buf = g_string_new("file=");
    const char *p;

    if (type != VDISK_TYPE_FILE && type != VDISK_TYPE_BLOCK && type != VDISK_TYPE_DIR)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: translation of 'sd' disks with '%s' sources is not implemented",
                       vd_disk_label(disk), vd_type_to_string(type));
    if (!vdisk_source_get_path(src))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: translation of 'sd' disks without media is not implemented",
                       vd_disk_label(disk));
    if (vdisk_source_get_encryption_format(src) != VDISK_ENCRYPTION_DEFAULT)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: translation of encrypted 'sd' disks is not implemented",
                       vd_disk_label(disk));
    if (type == VDISK_TYPE_DIR)
        g_string_append(buf, "fat:");
    /* commas doubled, as QEMU's option syntax escapes them */
    for (p = vdisk_source_get_path(src); *p; p++) {
        if (*p == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, ',');
    if (fmt != VDISK_FORMAT_NONE && type != VDISK_TYPE_DIR)
        g_string_append_printf(buf, "format=%s,", vd_format_to_string(fmt));
    g_string_append_printf(buf, "if=sd,index=%d",
                           vdisk_target_to_index(vdisk_disk_get_target(disk)));
    if (vdisk_disk_get_readonly(disk))
        g_string_append(buf, ",readonly=on");
    if (dz == VDISK_DETECT_ZEROES_UNMAP && discard != VDISK_DISCARD_UNMAP)
        dz = VDISK_DETECT_ZEROES_ON;
    if (cache != VDISK_CACHE_DEFAULT)
        g_string_append_printf(buf, ",cache=%s", vd_cache_to_string(cache));
    if (cor != VDISK_TRISTATE_DEFAULT)
        g_string_append_printf(buf, ",copy-on-read=%s", cor == VDISK_TRISTATE_ON ? "on" : "off");
    if (discard != VDISK_DISCARD_DEFAULT)
        g_string_append_printf(buf, ",discard=%s", vd_discard_to_string(discard));
    if (dz != VDISK_DETECT_ZEROES_DEFAULT)
        g_string_append_printf(buf, ",detect-zeroes=%s", vd_detect_zeroes_to_string(dz));
    if (io != VDISK_IO_DEFAULT)
        g_string_append_printf(buf, ",aio=%s", vd_io_to_string(io));
    *out = g_string_free(g_steal_pointer(&buf), FALSE);
    return 0;
}

/* ---- the managed persistent reservation helper ----------------------------- */

static bool
vd_disk_has_managed_pr(const vdisk_disk *disk)
{
    return vdisk_source_get_reservations_managed(vdisk_disk_get_source_const(disk)) ==
           VDISK_TRISTATE_ON;
}

/* The object of the qemu-pr-helper libvirt starts for the disks with
 * <reservations managed='yes'/>, one per domain and before every disk
 * (qemuBuildManagedPRCommandLine). Its socket is in the domain's private
 * directory, named after its id and the first 20 characters of its name
 * (virDomainDefGetShortName): for a domain that does not run, the id is
 * -1, as `virsh domxml-to-native` prints it; the directory is the one of
 * the system daemon (qemu:///system). */
static int
vd_add_managed_pr(vdisk_qemu_args *args, const vd_qemu_ctx *ctx, const vdisk_disk *const *disks,
                  size_t n, vdisk_error **err)
{
    const char *name = ctx->dom ? vdisk_domain_get_name(ctx->dom) : NULL;
    vd_prop *obj;
    size_t i;

    for (i = 0; i < n && !vd_disk_has_managed_pr(disks[i]); i++)
        ;
    if (i == n)
        return 0;
    if (!name)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: the socket of the managed persistent reservation helper is named "
                       "after the domain; translate the disk with its domain",
                       vd_disk_label(disks[i]));
    for (const char *c = name; *c; c++) {
        /* beyond 20 bytes, where libvirt cuts a name of multibyte
         * characters depends on its daemon's locale */
        if ((unsigned char)*c >= 0x80 && strlen(name) > 20)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: the socket of the managed persistent reservation helper is "
                           "named after the domain's first 20 characters, and where libvirt "
                           "cuts the non-ASCII name '%s' depends on its locale",
                           vd_disk_label(disks[i]), name);
    }
    obj = vd_prop_object_new();
    vd_prop_add_str(obj, "qom-type", "pr-manager-helper");
    vd_prop_add_str(obj, "id", VD_MANAGED_PR_ALIAS);
    {
        g_autofree char *path = g_strdup_printf(
            "/var/lib/libvirt/qemu/domain--1-%.20s/" VD_MANAGED_PR_ALIAS ".sock", name);

        vd_prop_add_str(obj, "path", path);
    }
    vd_qemu_args_add(args, VD_QEMU_ITEM_OBJECT, obj);
    return 0;
}

/* Adds the -device of a disk: libvirt applies the domain's <qemu:override>
 * of the device to its command line (qemuBuildDeviceCommandlineHandleOverrides:
 * each property removed, then appended with its new value), not to the
 * device_add of a hotplug. */
static int
vd_add_device(vdisk_qemu_args *args, const vd_qemu_ctx *ctx, vd_prop *dev, vdisk_error **err)
{
    g_autoptr(GArray) ov = NULL;
    g_autofree char *qmp = NULL;

    if (!vd_domain_may_have_overrides(ctx->dom)) {
        vd_qemu_args_add(args, VD_QEMU_ITEM_DEVICE, dev);
        return 0;
    }
    ov = g_array_new(FALSE, FALSE, sizeof(vd_qemu_override));
    if (vd_domain_qemu_device_overrides(ctx->dom, vd_prop_get_str(dev, "id"), ov, err) < 0) {
        vd_prop_free(dev);
        return -1;
    }
    if (ov->len == 0) {
        vd_qemu_args_add(args, VD_QEMU_ITEM_DEVICE, dev);
        return 0;
    }
    qmp = vd_prop_to_json_string(dev);
    for (guint i = 0; i < ov->len; i++) {
        const vd_qemu_override *o = &g_array_index(ov, vd_qemu_override, i);

        vd_prop_remove(dev, o->name);
        switch (o->type) {
        case VD_QEMU_OVERRIDE_STRING:
            vd_prop_add_str(dev, o->name, o->value);
            break;
        case VD_QEMU_OVERRIDE_SIGNED:
            vd_prop_add_int(dev, o->name, strtoll(o->value, NULL, 10));
            break;
        case VD_QEMU_OVERRIDE_UNSIGNED:
            vd_prop_add_uint(dev, o->name, strtoull(o->value, NULL, 10));
            break;
        case VD_QEMU_OVERRIDE_BOOL:
            vd_prop_add_bool(dev, o->name, strcmp(o->value, "true") == 0);
            break;
        case VD_QEMU_OVERRIDE_REMOVE:
        case VD_QEMU_OVERRIDE_NONE:
            continue;
        }
        vd_prop_mark_odd_key(dev);
    }
    vd_qemu_args_add_split(args, VD_QEMU_ITEM_DEVICE, dev, qmp);
    return 0;
}

static int
vd_translate_one(vdisk_qemu_args *args, const vd_qemu_ctx *ctx, const vdisk_disk *disk,
                 const vd_chain_nums *nums, vdisk_error **err)
{
    unsigned int index = nums->first;
    const vdisk_source *src = vdisk_disk_get_source_const(disk);
    vdisk_bus bus = vdisk_disk_get_bus(disk);
    g_autofree char *drive = NULL;
    vd_prop *dev = NULL;

    if (vdisk_source_get_type(src) == VDISK_TYPE_VHOSTUSER) {
        /* no block nodes: the device talks to the backend's socket */
        g_autofree char *alias = vd_disk_alias(ctx, disk, bus);
        g_autofree char *chardev = vd_qemu_vhostuser_chardev_id(alias);

        if (vd_qemu_vhostuser_check(disk, err) < 0 || vd_check_start(ctx, disk, bus, err) < 0 ||
            vd_qemu_vhostuser_add_chardev(args, disk, chardev, err) < 0 ||
            vd_device_props(&dev, ctx, disk, bus, NULL, err) < 0)
            return -1;
        return vd_add_device(args, ctx, dev, err);
    }
    if (bus == VDISK_BUS_SD) {
        g_autofree char *drive_opts = NULL;

        if (vd_check_start(ctx, disk, bus, err) < 0 || vd_sd_drive(&drive_opts, disk, err) < 0)
            return -1;
        vd_qemu_args_add_option(args, VD_QEMU_ITEM_DRIVE, drive_opts);
        return 0;
    }

    if (vd_check_start(ctx, disk, bus, err) < 0)
        return -1;
    if (!vd_source_is_empty(src)) {
        if (vd_add_chain(args, ctx, disk, src, nums, 0, true, err) < 0)
            return -1;
        if (vdisk_disk_get_copy_on_read(disk) == VDISK_TRISTATE_ON) {
            vd_prop *cor = vd_prop_object_new();
            char file[VD_NODE_NAME_SIZE];

            drive = g_strconcat("libvirt-CoR-", vdisk_disk_get_target(disk), NULL);
            vd_prop_add_str(cor, "driver", "copy-on-read");
            vd_prop_add_str(cor, "node-name", drive);
            vd_prop_add_str(cor, "file", vd_blk_node_name(file, index, "format"));
            vd_prop_add_str(cor, "discard", "unmap");
            vd_qemu_args_add(args, VD_QEMU_ITEM_BLOCKDEV, cor);
        } else {
            char file[VD_NODE_NAME_SIZE];

            drive = g_strdup(vd_blk_node_name(file, index, "format"));
        }
    }

    if (vd_device_props(&dev, ctx, disk, bus, drive, err) < 0)
        return -1;
    return vd_add_device(args, ctx, dev, err);
}

static void
vd_ctx_init(vd_qemu_ctx *ctx, const vdisk_domain *dom, const vdisk_qemu_opts *opts)
{
    const char *machine = opts && opts->machine ? opts->machine
                                                : (dom ? vdisk_domain_get_machine(dom) : NULL);
    vd_domain_boot boot;

    memset(ctx, 0, sizeof(*ctx));
    ctx->dom = dom;
    ctx->opts = opts;
    ctx->q35 = vd_machine_is_q35(machine);
    vd_domain_get_boot(dom, &boot);
    if (!boot.os)
        return;
    if (!boot.os_boot) {
        /* libvirt boots from the first disk when neither <os> nor any
         * device names a boot order */
        if (!boot.device_boot) {
            ctx->os_boot = true;
            ctx->boot_disk = 1;
        }
        return;
    }
    ctx->os_boot = true;
    ctx->boot_cd = boot.cdrom;
    ctx->boot_disk = boot.hd;
    ctx->boot_fd = boot.fd;
}

/* The effective boot index of each disk, @order being libvirt's order of
 * the disks (qemuProcessPrepareDeviceBootorder): a disk's own <boot
 * order>, unless <os> lists boot devices; then the first disk, cdrom and
 * floppy get the position of "hd", "cdrom" and "fd" in that list. */
static void
vd_boot_indexes(const vd_qemu_ctx *ctx, const vdisk_domain *dom, const size_t *order, size_t n,
                unsigned int *boot)
{
    unsigned int cd = ctx->boot_cd, hd = ctx->boot_disk, fd = ctx->boot_fd;
    size_t i;

    for (i = 0; i < n; i++) {
        const vdisk_disk *disk = vdisk_domain_get_disk_const(dom, order[i]);

        boot[i] = vdisk_disk_get_boot_order(disk);
        if (!ctx->os_boot)
            continue;
        switch (vdisk_disk_get_device(disk)) {
        case VDISK_DEVICE_CDROM:
            boot[i] = cd;
            cd = 0;
            break;
        case VDISK_DEVICE_FLOPPY:
            boot[i] = fd;
            fd = 0;
            break;
        case VDISK_DEVICE_DEFAULT:
        case VDISK_DEVICE_DISK:
        case VDISK_DEVICE_LUN:
            boot[i] = hd;
            hd = 0;
            break;
        case VDISK_DEVICE_LAST:
            break;
        }
    }
}

/* The floppy controller's boot indexes, before the disks
 * (qemuBuildFloppyCommandLineControllerOptions): drive A is unit 0, B
 * unit 1. The pc machine's built-in controller gets them as -global
 * isa-fdc.bootindexA=N; q35 has no built-in one, so libvirt adds an
 * isa-fdc device, with or without boot indexes. */
static void
vd_add_floppy_controller(vdisk_qemu_args *args, const vd_qemu_ctx *ctx,
                         const vdisk_disk *const *disks, const unsigned int *boot, size_t n)
{
    unsigned int index[2] = {0, 0};
    bool floppy = false;
    char global[64];
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned int a[4] = {0, 0, 0, 0};

        if (!disks[i] || vdisk_disk_get_bus(disks[i]) != VDISK_BUS_FDC)
            continue;
        floppy = true;
        vdisk_disk_get_address_drive(disks[i], &a[0], &a[1], &a[2], &a[3]);
        index[a[3] ? 1 : 0] = boot[i];
    }
    if (!floppy)
        return;
    if (ctx->q35) {
        vd_prop *fdc = vd_prop_object_new();

        vd_prop_add_str(fdc, "driver", "isa-fdc");
        vd_prop_add_uint_opt(fdc, "bootindexA", index[0]);
        vd_prop_add_uint_opt(fdc, "bootindexB", index[1]);
        vd_qemu_args_add(args, VD_QEMU_ITEM_DEVICE, fdc);
        return;
    }
    for (i = 0; i < 2; i++) {
        if (!index[i])
            continue;
        g_snprintf(global, sizeof(global), "isa-fdc.bootindex%c=%u", i ? 'B' : 'A', index[i]);
        vd_qemu_args_add_option(args, VD_QEMU_ITEM_GLOBAL, global);
    }
}

/* libvirt keeps a domain's disks sorted as it parses them: each disk goes
 * before the first disk on its bus with a higher target index, else after
 * the last disk on its bus, else at the end. */
static void
vd_disk_order(const vdisk_domain *dom, size_t *order, size_t n)
{
    g_autofree vd_order_key *keys = g_new0(vd_order_key, n + 1);
    size_t i;

    for (i = 0; i < n; i++) {
        const vdisk_disk *disk = vdisk_domain_get_disk_const(dom, i);

        keys[i].bus = (guint)vdisk_disk_get_bus(disk);
        keys[i].index = vdisk_target_to_index(vdisk_disk_get_target(disk));
        keys[i].targeted = true;
    }
    vd_disk_insert_order(keys, n, order);
}

int
vdisk_qemu_translate_domain(vdisk_qemu_args **out, const vdisk_domain *dom,
                            const vdisk_qemu_opts *opts, vdisk_error **err)
{
    g_autoptr(vdisk_qemu_args) args = NULL;
    g_autofree vd_chain_nums *nums = NULL;
    g_autofree bool *numbered = NULL;
    g_autofree size_t *order = NULL;
    g_autofree const vdisk_disk **disks = NULL;
    g_autofree unsigned int *boot = NULL;
    g_autoptr(vd_qemu_host_state) host = NULL;
    vd_qemu_ctx ctx;
    size_t n, i;
    unsigned int next;

    VD_API_ENTER();
    if (!out || !dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "out and dom must not be NULL");
    *out = NULL;
    vd_ctx_init(&ctx, dom, opts);
    n = vdisk_domain_get_disk_count(dom);
    nums = g_new0(vd_chain_nums, n + 1);
    numbered = g_new0(bool, n + 1);
    order = g_new0(size_t, n + 1);
    vd_disk_order(dom, order, n);
    disks = g_new0(const vdisk_disk *, n + 1);
    for (i = 0; i < n; i++)
        disks[i] = vdisk_domain_get_disk_const(dom, order[i]);

    /* libvirt numbers the nodes preparing the disks from the last one; with
     * a connection, preparing resolves volumes and reads secrets */
    if (opts && (opts->host || opts->probe))
        ctx.host = host = vd_qemu_host_state_new();
    next = opts ? opts->first_node : 1;
    for (i = n; i > 0; i--) {
        numbered[i - 1] = true;
        if (host && vd_qemu_host_prepare_disk(host, opts, disks[i - 1], next, &disks[i - 1],
                                              &numbered[i - 1], err) < 0)
            return -1;
        nums[i - 1].first = next;
        nums[i - 1].declared = G_MAXUINT;
        if (numbered[i - 1])
            next += vd_chain_length(disks[i - 1]);
    }
    /* qemuProcessPrepareHostStorage, after every disk is prepared: the
     * chains the image headers give, the disks from the last one again,
     * the backing images found numbered after all the declared nodes */
    if (opts && opts->probe) {
        for (i = n; i > 0; i--) {
            unsigned int declared, added = 0;

            if (!disks[i - 1] || !numbered[i - 1])
                continue;
            declared = vd_chain_length(disks[i - 1]);
            if (vd_qemu_host_probe_disk(host, opts, &disks[i - 1], &added, err) < 0)
                return -1;
            /* SD cards: QEMU opens the chain itself */
            if (!disks[i - 1] || !vd_chain_length(disks[i - 1]))
                continue;
            nums[i - 1].declared = declared;
            nums[i - 1].probed = next;
            next += added;
        }
    }

    boot = g_new0(unsigned int, n + 1);
    vd_boot_indexes(&ctx, dom, order, n, boot);

    args = vd_qemu_args_new(n);
    if (vd_add_managed_pr(args, &ctx, disks, n, err) < 0)
        return -1;
    vd_add_floppy_controller(args, &ctx, disks, boot, n);
    for (i = 0; i < n; i++) {
        const vdisk_disk *disk = disks[i];

        /* dropped: optional, and its volume or image is missing */
        if (!disk)
            continue;
        /* libvirt attaches these only once the domain runs */
        if (vdisk_disk_get_transient(disk) &&
            vdisk_disk_get_transient_share_backing(disk) == VDISK_TRISTATE_ON)
            continue;
        ctx.bootindex = boot[i];
        if (vd_translate_one(args, &ctx, disk, &nums[i], err) < 0)
            return -1;
    }
    vd_qemu_args_render(args);
    *out = g_steal_pointer(&args);
    return 0;
}

int
vdisk_qemu_translate_disk(vdisk_qemu_args **out, const vdisk_disk *disk,
                          const vdisk_domain *dom, const vdisk_qemu_opts *opts,
                          vdisk_error **err)
{
    g_autoptr(vdisk_qemu_args) args = NULL;
    g_autoptr(vd_qemu_host_state) host = NULL;
    vd_chain_nums nums = {.first = opts ? opts->first_node : 1, .declared = G_MAXUINT};
    vd_qemu_ctx ctx;

    VD_API_ENTER();
    if (!out || !disk)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "out and disk must not be NULL");
    *out = NULL;
    vd_ctx_init(&ctx, dom, opts);
    /* a lone disk is not subject to the domain's <os> boot order */
    ctx.bootindex = vdisk_disk_get_boot_order(disk);
    if (opts && (opts->host || opts->probe)) {
        bool numbered;
        unsigned int declared, added = 0;

        ctx.host = host = vd_qemu_host_state_new();
        if (vd_qemu_host_resolve_disk(host, opts, disk, &disk, &numbered, err) < 0)
            return -1;
        declared = disk ? vd_chain_length(disk) : 0;
        if (numbered && vd_qemu_host_probe_disk(host, opts, &disk, &added, err) < 0)
            return -1;
        if (disk && vd_chain_length(disk)) {
            if (opts->hotplug) {
                /* the backing images found used numbers of their own first */
                nums.first += added;
            } else {
                nums.declared = declared;
                nums.probed = nums.first + declared;
            }
        }
        if (numbered && vd_qemu_host_read_secrets(host, opts, disk, nums.first, err) < 0)
            return -1;
    }
    args = vd_qemu_args_new(1);
    if (vd_add_managed_pr(args, &ctx, &disk, 1, err) < 0)
        return -1;
    vd_add_floppy_controller(args, &ctx, &disk, &ctx.bootindex, 1);
    if (disk && vd_translate_one(args, &ctx, disk, &nums, err) < 0)
        return -1;
    vd_qemu_args_render(args);
    *out = g_steal_pointer(&args);
    return 0;
}
