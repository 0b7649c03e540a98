/*
 * qemu_host.c: translation's secrets and volumes, read through the caller's
 * connection (vdisk_qemu_opts_set_connection(); the interface is
 * lib/qemu/qemu_host.h)
 *
 * libvirt reads both inside its daemon while it prepares a domain; here
 * they come through the public API, so the checks libvirt makes on the way
 * are made here, with libvirt's messages: the usage type of a secret found
 * by UUID (virSecretGetSecretString), a pool that must be active and the
 * way each pool type's volumes reach QEMU
 * (virDomainStorageSourceTranslateSourcePool). The one thing the public API
 * cannot do is read the value of a private secret.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "conf/conf.h"
#include "qemu/qemu_host.h"
#include "virt/virt_priv.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virSecret, virSecretFree)

/* libvirt's last error as the refusal of @disk: its code and message kept,
 * reported as "not found" for missing secrets, pools and volumes. */
static int
vd_host_fail(vdisk_error **err, const vdisk_disk *disk)
{
    g_autofree char *msg = NULL;
    int code = vd_virt_take_error(&msg);
    vdisk_error_code vcode = VDISK_ERR_LIBVIRT;

    if (code == VIR_ERR_NO_SECRET || code == VIR_ERR_NO_STORAGE_POOL ||
        code == VIR_ERR_NO_STORAGE_VOL)
        vcode = VDISK_ERR_NOT_FOUND;
    vd_error_set_coded(err, vcode, code, "%s: %s", vd_disk_label(disk), msg);
    return -1;
}

/* ---- secrets -------------------------------------------------------------------- */

static int
vd_usage_type(vd_secret_usage usage)
{
    switch (usage) {
    case VD_SECRET_USAGE_VOLUME:
        return VIR_SECRET_USAGE_TYPE_VOLUME;
    case VD_SECRET_USAGE_CEPH:
        return VIR_SECRET_USAGE_TYPE_CEPH;
    case VD_SECRET_USAGE_ISCSI:
        return VIR_SECRET_USAGE_TYPE_ISCSI;
    case VD_SECRET_USAGE_TLS:
        return VIR_SECRET_USAGE_TYPE_TLS;
    case VD_SECRET_USAGE_VTPM:
        return VIR_SECRET_USAGE_TYPE_VTPM;
    case VD_SECRET_USAGE_NONE:
    case VD_SECRET_USAGE_LAST:
        break;
    }
    return VIR_SECRET_USAGE_TYPE_NONE;
}

/* virSecretUsageType's strings, which vd_secret_usage's are */
static const char *
vd_usage_string(int type)
{
    return type >= 0 && type < VD_SECRET_USAGE_LAST ? vd_secret_usage_to_string(type) : "unknown";
}

/* A secret's value from libvirt, cleared before it is freed. */
typedef struct {
    unsigned char *data;
    size_t len;
} vd_secret_buf;

static void
vd_secret_buf_free(gpointer p)
{
    vd_secret_buf *buf = p;
    volatile unsigned char *d = buf->data;
    size_t i;

    for (i = 0; i < buf->len; i++)
        d[i] = 0;
    free(buf->data);
    g_free(buf);
}

static GBytes *
vd_secret_bytes(unsigned char *data, size_t len)
{
    vd_secret_buf *buf = g_new0(vd_secret_buf, 1);

    buf->data = data;
    buf->len = len;
    return g_bytes_new_with_free_func(data, len, vd_secret_buf_free, buf);
}

static int
vd_host_secret_value(void *conn, const vdisk_disk *disk, const char *uuid, const char *usage,
                     vd_secret_usage usage_type, GBytes *given, GBytes **out, vdisk_error **err)
{
    int want = vd_usage_type(usage_type);
    g_autoptr(virSecret) sec = NULL;
    char uuidstr[VIR_UUID_STRING_BUFLEN] = "";
    unsigned char *value;
    size_t len = 0;
    int have;

    if (uuid)
        sec = virSecretLookupByUUIDString(conn, uuid);
    else
        sec = virSecretLookupByUsage(conn, want, usage);
    if (!sec)
        return vd_host_fail(err, disk);
    if (virSecretGetUUIDString(sec, uuidstr) < 0 || (have = virSecretGetUsageType(sec)) < 0)
        return vd_host_fail(err, disk);
    if (have != VIR_SECRET_USAGE_TYPE_NONE && have != want)
        return vd_error_set_coded(err, VDISK_ERR_UNSUPPORTED, VIR_ERR_INVALID_ARG,
                                  "%s: invalid argument: secret with uuid %s is of type '%s' "
                                  "not expected '%s' type",
                                  vd_disk_label(disk), uuidstr, vd_usage_string(have),
                                  vd_usage_string(want)),
               -1;
    if (given) {
        /* the caller's value stands in for the stored one */
        *out = g_bytes_ref(given);
        return 0;
    }
    if (!(value = virSecretGetValue(sec, &len, 0))) {
        g_autofree char *msg = NULL;
        int code = vd_virt_take_error(&msg);

        if (code == VIR_ERR_INVALID_SECRET)
            /* libvirt reads private values inside the daemon only */
            return vd_error_set_coded(err, VDISK_ERR_UNSUPPORTED, code,
                                      "%s: secret %s is private: libvirt does not hand out "
                                      "its value (%s); give the value with "
                                      "vdisk_qemu_opts_set_secret() (vdisk qemu-args --secret)",
                                      vd_disk_label(disk), uuidstr, msg),
                   -1;
        vd_error_set_coded(err, code == VIR_ERR_NO_SECRET ? VDISK_ERR_NOT_FOUND : VDISK_ERR_LIBVIRT,
                           code, "%s: %s", vd_disk_label(disk), msg);
        return -1;
    }
    *out = vd_secret_bytes(value, len);
    return 0;
}

/* ---- volumes -------------------------------------------------------------------- */

/* virStorageVolType's strings */
static const char *
vd_vol_type_string(int type)
{
    static const char *const names[] = {"file", "block", "dir", "network", "netdir", "ploop"};

    return type >= 0 && (size_t)type < G_N_ELEMENTS(names) ? names[type] : "unknown";
}

/* Sets @src to the local @type source at @path. */
static int
vd_set_local(vdisk_source *src, vdisk_type type, const char *path, vdisk_error **err)
{
    vdisk_error *inner = NULL;

    if (vdisk_source_set_type(src, type, &inner) < 0 ||
        vdisk_source_set_path(src, path, &inner) < 0)
        return vd_error_wrap(err, inner, NULL);
    return 0;
}

/* virDomainStorageSourceTranslateSourcePool for one source of @disk. */
static int
vd_host_resolve_one(virConnectPtr conn, const vdisk_disk *disk, vdisk_source *src,
                    vdisk_error **err)
{
    const char *pool_name = vdisk_source_get_pool(src);
    const char *vol_name = vdisk_source_get_volume(src);
    vdisk_pool_mode mode = vdisk_source_get_pool_mode(src);
    g_autoptr(virStoragePool) pool = NULL;
    g_autoptr(virStorageVol) vol = NULL;
    g_autofree char *pool_type = NULL;
    g_autofree char *pool_xml = NULL;
    g_autofree char *what = NULL;
    g_autofree char *path = NULL;
    char *raw;
    virStorageVolInfo info;
    vdisk_type type;

    if (!pool_name || !vol_name)
        return vd_fail(err, VDISK_ERR_INVALID, "%s: a volume source needs a pool and a volume",
                       vd_disk_label(disk));
    if (!(pool = virStoragePoolLookupByName(conn, pool_name)))
        return vd_host_fail(err, disk);
    if (virStoragePoolIsActive(pool) != 1) {
        virResetLastError();
        return vd_error_set_coded(err, VDISK_ERR_UNSUPPORTED, VIR_ERR_CONFIG_UNSUPPORTED,
                                  "%s: unsupported configuration: storage pool '%s' containing "
                                  "volume '%s' is not active",
                                  vd_disk_label(disk), pool_name, vol_name),
               -1;
    }
    if (!(vol = virStorageVolLookupByName(pool, vol_name)) ||
        virStorageVolGetInfo(vol, &info) < 0 || !(raw = virStoragePoolGetXMLDesc(pool, 0)))
        return vd_host_fail(err, disk);
    pool_xml = g_strdup(raw);
    free(raw);
    what = g_strdup_printf("storage pool '%s'", pool_name);
    if (!(pool_type = vd_storage_pool_xml_type(pool_xml, what, err)))
        return -1;
    if (mode != VDISK_POOL_MODE_DEFAULT && strcmp(pool_type, "iscsi") != 0)
        return vd_error_set_coded(err, VDISK_ERR_UNSUPPORTED, VIR_ERR_XML_ERROR,
                                  "%s: XML error: disk source mode is only valid when storage "
                                  "pool is of iscsi type",
                                  vd_disk_label(disk)),
               -1;

    if (vd_pool_kind_of(pool_type) == VD_POOL_PATH) {
        switch ((virStorageVolType)info.type) {
        case VIR_STORAGE_VOL_FILE:
        case VIR_STORAGE_VOL_PLOOP:
            type = VDISK_TYPE_FILE;
            break;
        case VIR_STORAGE_VOL_DIR:
            type = VDISK_TYPE_DIR;
            break;
        case VIR_STORAGE_VOL_BLOCK:
            type = VDISK_TYPE_BLOCK;
            break;
        case VIR_STORAGE_VOL_NETWORK:
        case VIR_STORAGE_VOL_NETDIR:
        default:
            return vd_error_set_coded(err, VDISK_ERR_UNSUPPORTED, VIR_ERR_INTERNAL_ERROR,
                                      "%s: internal error: unexpected storage volume type '%s' "
                                      "for storage pool type '%s'",
                                      vd_disk_label(disk), vd_vol_type_string(info.type),
                                      pool_type),
                   -1;
        }
    } else if (strcmp(pool_type, "iscsi") == 0 && mode != VDISK_POOL_MODE_DIRECT) {
        /* mode 'host', libvirt's default: the LUN's block device */
        type = VDISK_TYPE_BLOCK;
    } else if (strcmp(pool_type, "iscsi") == 0 || strcmp(pool_type, "iscsi-direct") == 0) {
        /* libvirt connects QEMU to the pool's target itself */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: volume '%s' of %s pool '%s'%s is used as an iSCSI network source; "
                       "translating that is not implemented",
                       vd_disk_label(disk), vol_name, pool_type, pool_name,
                       strcmp(pool_type, "iscsi") == 0 ? " in mode 'direct'" : "");
    } else {
        return vd_error_set_coded(err, VDISK_ERR_UNSUPPORTED, VIR_ERR_CONFIG_UNSUPPORTED,
                                  "%s: unsupported configuration: using '%s' pools for backing "
                                  "'volume' disks isn't yet supported",
                                  vd_disk_label(disk), pool_type),
               -1;
    }
    if (!(raw = virStorageVolGetPath(vol)))
        return vd_host_fail(err, disk);
    path = g_strdup(raw);
    free(raw);
    return vd_set_local(src, type, path, err);
}

/* virDomainDiskTranslateSourcePool: every volume source of the chain, top
 * down. */
static int
vd_host_resolve_volumes(void *conn, vdisk_disk *disk, vdisk_error **err)
{
    vdisk_source *src;

    for (src = vdisk_disk_get_source(disk); src; src = vdisk_source_get_backing(src)) {
        if (vdisk_source_get_type(src) != VDISK_TYPE_VOLUME)
            continue;
        if (vd_host_resolve_one(conn, disk, src, err) < 0)
            return -1;
    }
    return 0;
}

static const vd_qemu_host_ops vd_virt_qemu_host = {
    .resolve_volumes = vd_host_resolve_volumes,
    .secret_value = vd_host_secret_value,
};

int
vdisk_qemu_opts_set_connection(vdisk_qemu_opts *opts, virConnectPtr conn, vdisk_error **err)
{
    VD_API_ENTER();
    if (!opts)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "opts is NULL");
    if (!conn) {
        vd_qemu_opts_set_host(opts, NULL, NULL);
        return 0;
    }
    if (vd_libvirt_load(err) < 0)
        return -1;
    vd_qemu_opts_set_host(opts, &vd_virt_qemu_host, conn);
    return 0;
}
