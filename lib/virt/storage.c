/*
 * storage.c: storage volumes: create, resolve type='volume' sources to
 * paths, delete once no disk uses them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <libvirt/virterror.h>

#include "vdisk/hotplug.h"
#include "conf/conf.h"
#include "virt/virt_priv.h"

vd_pool_kind
vd_pool_kind_of(const char *type)
{
    static const char *const path_pools[] = {"dir",  "fs",   "netfs", "logical",
                                             "disk", "scsi", "zfs",   "vstorage"};
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(path_pools); i++) {
        if (strcmp(type, path_pools[i]) == 0)
            return VD_POOL_PATH;
    }
    if (strcmp(type, "iscsi") == 0)
        return VD_POOL_ISCSI;
    return VD_POOL_NETWORK;
}

/* Takes libvirt's XML @xml (a pool or a volume description, malloc'ed);
 * NULL with @err set when libvirt gave none. */
static char *
vd_libvirt_xml(char *xml, const char *what, vdisk_error **err)
{
    if (!xml)
        vd_virt_error(err, "cannot read the XML of %s", what);
    return xml;
}

/* The active pool @name, or NULL with @err set. */
static virStoragePoolPtr
vd_pool_open(virConnectPtr conn, const char *name, vdisk_error **err)
{
    g_autoptr(virStoragePool) pool = NULL;
    int active;

    if (!(pool = virStoragePoolLookupByName(conn, name))) {
        virErrorPtr last = virGetLastError();

        if (last && last->code == VIR_ERR_NO_STORAGE_POOL) {
            vd_error_set(err, VDISK_ERR_NOT_FOUND, "no storage pool '%s'", name);
            return NULL;
        }
        vd_virt_error(err, "cannot look up storage pool '%s'", name);
        return NULL;
    }
    if ((active = virStoragePoolIsActive(pool)) < 0) {
        vd_virt_error(err, "cannot tell whether storage pool '%s' is active", name);
        return NULL;
    }
    if (!active) {
        vd_error_set(err, VDISK_ERR_UNSUPPORTED, "storage pool '%s' is not active", name);
        return NULL;
    }
    return g_steal_pointer(&pool);
}

/* The pool's type attribute ("dir", "logical", ...), a copy. */
static char *
vd_pool_type(virStoragePoolPtr pool, const char *name, vdisk_error **err)
{
    g_autofree char *what = g_strdup_printf("storage pool '%s'", name);
    g_autofree char *xml = NULL;

    if (!(xml = vd_libvirt_xml(virStoragePoolGetXMLDesc(pool, 0), what, err)))
        return NULL;
    return vd_storage_pool_xml_type(xml, what, err);
}

/* The volume @name of @pool, or NULL with @err set. */
static virStorageVolPtr
vd_vol_open(virStoragePoolPtr pool, const char *pool_name, const char *name, vdisk_error **err)
{
    virStorageVolPtr vol;

    if (!(vol = virStorageVolLookupByName(pool, name))) {
        virErrorPtr last = virGetLastError();

        if (last && last->code == VIR_ERR_NO_STORAGE_VOL) {
            vd_error_set(err, VDISK_ERR_NOT_FOUND, "no volume '%s' in storage pool '%s'", name,
                         pool_name);
            return NULL;
        }
        vd_virt_error(err, "cannot look up volume '%s' in storage pool '%s'", name, pool_name);
        return NULL;
    }
    return vol;
}

/* The volume's target/format@type as a vdisk_format; VDISK_FORMAT_NONE when
 * libvirt reports none or one this library has no member for. */
static int
vd_vol_format(virStorageVolPtr vol, const char *what, vdisk_format *format, vdisk_error **err)
{
    g_autofree char *xml = NULL;

    *format = VDISK_FORMAT_NONE;
    if (!(xml = vd_libvirt_xml(virStorageVolGetXMLDesc(vol, 0), what, err)))
        return -1;
    return vd_storage_vol_xml_format(xml, what, format, err);
}

/* The disk type libvirt gives a volume of @type. */
static int
vd_vol_disk_type(int voltype, const char *what, vdisk_type *type, vdisk_error **err)
{
    switch ((virStorageVolType)voltype) {
    case VIR_STORAGE_VOL_FILE:
    case VIR_STORAGE_VOL_PLOOP:
        *type = VDISK_TYPE_FILE;
        return 0;
    case VIR_STORAGE_VOL_BLOCK:
        *type = VDISK_TYPE_BLOCK;
        return 0;
    case VIR_STORAGE_VOL_DIR:
        *type = VDISK_TYPE_DIR;
        return 0;
    case VIR_STORAGE_VOL_NETWORK:
    case VIR_STORAGE_VOL_NETDIR:
        break;
    }
    return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s is a network volume (type %d), not a path", what,
                   voltype);
}

/* The format of @path for a backing store: from the pool volume holding it,
 * else, on a local connection, from its header. */
static int
vd_backing_format(virConnectPtr conn, const char *path, vdisk_format *format, vdisk_error **err)
{
    g_autoptr(virStorageVol) vol = NULL;
    g_autofree char *what = g_strdup_printf("backing volume '%s'", path);
    unsigned int probed = 0;
    vdisk_error *perr = NULL;

    if ((vol = virStorageVolLookupByPath(conn, path))) {
        if (vd_vol_format(vol, what, format, err) < 0)
            return -1;
        if (*format != VDISK_FORMAT_NONE)
            return 0;
    }
    virResetLastError();
    if (!vd_virt_connection_is_local(conn))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "backing image '%s' is in no storage pool of the remote host, so its "
                       "format cannot be found",
                       path);
    /* the probe's code is kept; its message already names the path */
    if (vdisk_image_probe_format(path, format, &probed, &perr) < 0)
        return vd_error_wrap(err, perr, "backing image");
    return 0;
}

/* A new disk for volume @name of @pool_name. */
static int
vd_volume_disk(vdisk_disk **out, virStorageVolPtr vol, const char *pool_name, const char *name,
               vdisk_format format, unsigned int flags, vdisk_error **err)
{
    g_autofree char *what = g_strdup_printf("volume '%s' of storage pool '%s'", name, pool_name);
    g_autofree char *path = NULL;
    vdisk_error *inner = NULL;
    virStorageVolInfo info;
    vdisk_disk *disk;
    vdisk_source *src;
    vdisk_type type = VDISK_TYPE_FILE;
    int rc;

    if (!(flags & VDISK_VOLUME_AS_VOLUME_SOURCE)) {
        if (virStorageVolGetInfo(vol, &info) < 0)
            return vd_virt_error(err, "cannot read %s", what), -1;
        if (vd_vol_disk_type(info.type, what, &type, err) < 0)
            return -1;
        if (!(path = virStorageVolGetPath(vol)))
            return vd_virt_error(err, "cannot read the path of %s", what), -1;
    }
    if (!(disk = vdisk_disk_new()))
        return vd_fail(err, VDISK_ERR_NO_MEMORY, "out of memory");
    src = vdisk_disk_get_source(disk);
    if (flags & VDISK_VOLUME_AS_VOLUME_SOURCE) {
        rc = vdisk_source_set_type(src, VDISK_TYPE_VOLUME, &inner);
        if (rc == 0)
            rc = vdisk_source_set_volume(src, pool_name, name, VDISK_POOL_MODE_DEFAULT, &inner);
    } else {
        rc = vdisk_source_set_type(src, type, &inner);
        if (rc == 0)
            rc = vdisk_source_set_path(src, path, &inner);
    }
    if (rc == 0)
        rc = vdisk_disk_set_driver_name(disk, "qemu", &inner);
    if (rc == 0 && format != VDISK_FORMAT_NONE)
        rc = vdisk_source_set_format(src, format, &inner);
    if (rc < 0) {
        vdisk_disk_free(disk);
        return vd_error_wrap(err, inner, NULL);
    }
    *out = disk;
    return 0;
}

static int
vd_volume_create(vdisk_disk **out, virConnectPtr conn, const char *pool, const char *name,
                 unsigned long long capacity, vdisk_format format, const char *backing_path,
                 unsigned int flags, vdisk_error **err)
{
    g_autoptr(virStoragePool) p = NULL;
    g_autoptr(virStorageVol) vol = NULL;
    g_autofree char *pool_type = NULL;
    g_autofree char *xml = NULL;
    vdisk_format backing_format = VDISK_FORMAT_NONE;
    vdisk_format actual = format;
    vdisk_disk *disk = NULL;

    if (!out)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no place for the disk (out is NULL)");
    *out = NULL;
    if (!conn || !pool || !*pool || !name || !*name)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "a connection, a pool and a name are needed");
    if ((int)format < 0 || format >= VDISK_FORMAT_LAST)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "volume '%s': invalid format %d", name,
                       (int)format);
    if (flags & ~(unsigned int)VDISK_VOLUME_AS_VOLUME_SOURCE)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unknown flags 0x%x",
                       flags & ~(unsigned int)VDISK_VOLUME_AS_VOLUME_SOURCE);
    if (capacity == 0 && !backing_path)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "volume '%s': a capacity is needed without a backing image", name);
    if (backing_path && (format == VDISK_FORMAT_RAW || format == VDISK_FORMAT_NONE))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "volume '%s': format '%s' cannot have a backing image '%s'", name,
                       format == VDISK_FORMAT_RAW ? "raw" : "(pool default)", backing_path);

    if (!(p = vd_pool_open(conn, pool, err)))
        return -1;
    if (!(pool_type = vd_pool_type(p, pool, err)))
        return -1;
    if (!(flags & VDISK_VOLUME_AS_VOLUME_SOURCE) && vd_pool_kind_of(pool_type) == VD_POOL_NETWORK)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "volumes of '%s' pool '%s' have no path; ask for a type='volume' disk "
                       "(VDISK_VOLUME_AS_VOLUME_SOURCE)",
                       pool_type, pool);
    if (backing_path && vd_backing_format(conn, backing_path, &backing_format, err) < 0)
        return -1;

    xml = vd_storage_vol_xml_new(name, capacity, format, backing_path, backing_format);
    if (!(vol = virStorageVolCreateXML(p, xml, 0))) {
        virErrorPtr last = virGetLastError();

        if (last && last->code == VIR_ERR_STORAGE_VOL_EXIST)
            return vd_fail(err, VDISK_ERR_EXISTS, "storage pool '%s' already has a volume '%s'",
                           pool, name);
        vd_virt_error(err, "cannot create volume '%s' in storage pool '%s'", name, pool);
        return -1;
    }
    if (format == VDISK_FORMAT_NONE) {
        g_autofree char *what = g_strdup_printf("volume '%s'", name);

        if (vd_vol_format(vol, what, &actual, err) < 0)
            goto rollback;
    }
    if (vd_volume_disk(&disk, vol, pool, name, actual, flags, err) < 0)
        goto rollback;
    *out = disk;
    return 0;

rollback:
    /* The caller gets no disk, so it must not get a volume either. */
    virStorageVolDelete(vol, 0);
    return -1;
}

/* ---- resolve -------------------------------------------------------------------- */

typedef struct {
    vdisk_source *src;
    vdisk_type type;
    char *path;
} vd_resolution;

static void
vd_resolution_clear(gpointer p)
{
    g_free(((vd_resolution *)p)->path);
}

/* Finds what libvirt would use for the type='volume' source @src. */
static int
vd_resolve_one(virConnectPtr conn, const vdisk_disk *disk, vdisk_source *src, vd_resolution *res,
               vdisk_error **err)
{
    const char *pool_name = vdisk_source_get_pool(src);
    const char *vol_name = vdisk_source_get_volume(src);
    vdisk_pool_mode mode = vdisk_source_get_pool_mode(src);
    g_autoptr(virStoragePool) pool = NULL;
    g_autoptr(virStorageVol) vol = NULL;
    g_autofree char *pool_type = NULL;
    g_autofree char *what = NULL;
    virStorageVolInfo info;

    if (!pool_name || !vol_name)
        return vd_fail(err, VDISK_ERR_INVALID, "%s: a volume source needs a pool and a volume",
                       vd_disk_label(disk));
    what = g_strdup_printf("volume '%s' of storage pool '%s'", vol_name, pool_name);
    if (!(pool = vd_pool_open(conn, pool_name, err)))
        return -1;
    if (!(vol = vd_vol_open(pool, pool_name, vol_name, err)))
        return -1;
    if (virStorageVolGetInfo(vol, &info) < 0)
        return vd_virt_error(err, "cannot read %s", what), -1;
    if (!(pool_type = vd_pool_type(pool, pool_name, err)))
        return -1;
    if (mode != VDISK_POOL_MODE_DEFAULT && strcmp(pool_type, "iscsi") != 0)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "%s: source mode '%s' is only valid for volumes of iscsi pools, pool "
                       "'%s' is '%s'",
                       vd_disk_label(disk), vdisk_enum_to_string(VDISK_ENUM_POOL_MODE, mode),
                       pool_name, pool_type);
    switch (vd_pool_kind_of(pool_type)) {
    case VD_POOL_PATH:
        if (vd_vol_disk_type(info.type, what, &res->type, err) < 0)
            return -1;
        break;
    case VD_POOL_ISCSI:
        if (mode == VDISK_POOL_MODE_DIRECT)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "%s: %s in mode 'direct' resolves to a network source, which "
                           "libvdisk does not build",
                           vd_disk_label(disk), what);
        res->type = VDISK_TYPE_BLOCK;
        break;
    case VD_POOL_NETWORK:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: %s: volumes of '%s' pools have no path libvirt resolves them to",
                       vd_disk_label(disk), what, pool_type);
    }
    if (!(res->path = virStorageVolGetPath(vol)))
        return vd_virt_error(err, "cannot read the path of %s", what), -1;
    res->src = src;
    return 0;
}

static int
vd_volume_resolve(vdisk_disk *disk, virConnectPtr conn, vdisk_error **err)
{
    g_autoptr(GArray) todo = NULL;
    vdisk_source *src;
    size_t i;

    if (!disk || !conn)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "a disk and a connection are needed");

    /* Look everything up first, so that a failure leaves @disk as it was. */
    todo = g_array_new(FALSE, TRUE, sizeof(vd_resolution));
    g_array_set_clear_func(todo, vd_resolution_clear);
    for (src = vdisk_disk_get_source(disk); src; src = vdisk_source_get_backing(src)) {
        vd_resolution res = {0};

        if (vdisk_source_get_type(src) != VDISK_TYPE_VOLUME)
            continue;
        if (vd_resolve_one(conn, disk, src, &res, err) < 0) {
            g_free(res.path);
            return -1;
        }
        g_array_append_val(todo, res);
    }

    for (i = 0; i < todo->len; i++) {
        vd_resolution *res = &g_array_index(todo, vd_resolution, i);
        vdisk_error *inner = NULL;

        if (vdisk_source_set_type(res->src, res->type, &inner) < 0 ||
            vdisk_source_set_path(res->src, res->path, &inner) < 0)
            return vd_error_wrap(err, inner, NULL);
    }
    return 0;
}

/* ---- delete --------------------------------------------------------------------- */

/* Fails when a disk of @dom_xml uses the volume (by @path or as
 * pool/volume). @state names the XML in the message. */
static int
vd_check_unused(const char *dom_xml, const char *dom_name, const char *state, const char *pool,
                const char *name, const char *path, vdisk_error **err)
{
    vdisk_domain *dom = NULL;
    vdisk_error *inner = NULL;
    size_t i;
    int rc = 0;

    if (vdisk_domain_from_xml_flags(&dom, dom_xml,
                                    VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE, &inner) < 0)
        return vd_error_wrap(err, inner, NULL);
    for (i = 0; rc == 0 && i < vdisk_domain_get_disk_count(dom); i++) {
        vdisk_disk *disk = vdisk_domain_get_disk(dom, i);
        vdisk_source *src;

        for (src = vdisk_disk_get_source(disk); src; src = vdisk_source_get_backing(src)) {
            const char *p = vdisk_source_get_path(src);
            bool by_path = p && path && strcmp(p, path) == 0;
            bool by_name = vdisk_source_get_type(src) == VDISK_TYPE_VOLUME &&
                           g_strcmp0(vdisk_source_get_pool(src), pool) == 0 &&
                           g_strcmp0(vdisk_source_get_volume(src), name) == 0;

            if (by_path || by_name) {
                vd_error_set(err, VDISK_ERR_EXISTS,
                             "volume '%s' of storage pool '%s' ('%s') is still used by %s of "
                             "domain '%s' (%s); detach it first",
                             name, pool, path ? path : "", vd_disk_label(disk), dom_name, state);
                rc = -1;
                break;
            }
        }
    }
    vdisk_domain_free(dom);
    return rc;
}

static int
vd_volume_delete(virConnectPtr conn, const char *pool, const char *name, virDomainPtr dom,
                 vdisk_error **err)
{
    g_autoptr(virStoragePool) p = NULL;
    g_autoptr(virStorageVol) vol = NULL;
    g_autofree char *path = NULL;

    if (!conn || !pool || !*pool || !name || !*name)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "a connection, a pool and a name are needed");
    if (!(p = vd_pool_open(conn, pool, err)))
        return -1;
    if (!(vol = vd_vol_open(p, pool, name, err)))
        return -1;
    if (!(path = virStorageVolGetPath(vol)))
        return vd_virt_error(err, "cannot read the path of volume '%s'", name), -1;

    if (dom) {
        const char *dom_name = virDomainGetName(dom);
        int persistent = virDomainIsPersistent(dom);
        int active = virDomainIsActive(dom);

        if (persistent < 0 || active < 0)
            return vd_virt_error(err, "cannot read domain '%s'", dom_name), -1;
        if (active) {
            g_autofree char *live = virDomainGetXMLDesc(dom, 0);

            if (!live)
                return vd_virt_error(err, "cannot read the XML of domain '%s'", dom_name), -1;
            if (vd_check_unused(live, dom_name, "live state", pool, name, path, err) < 0)
                return -1;
        }
        if (persistent || !active) {
            g_autofree char *config = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

            if (!config)
                return vd_virt_error(err, "cannot read the configuration of domain '%s'", dom_name),
                       -1;
            if (vd_check_unused(config, dom_name, "persistent configuration", pool, name, path,
                                err) < 0)
                return -1;
        }
    }

    if (virStorageVolDelete(vol, 0) < 0)
        return vd_virt_error(err, "cannot delete volume '%s' of storage pool '%s'", name, pool), -1;
    return 0;
}

/* ---- entry points --------------------------------------------------------------- */

int
vdisk_volume_create(vdisk_disk **out, virConnectPtr conn, const char *pool, const char *name,
                    unsigned long long capacity, vdisk_format format, const char *backing_path,
                    unsigned int flags, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_libvirt_load(err) < 0)
        return -1;
    return vd_volume_create(out, conn, pool, name, capacity, format, backing_path, flags, err);
}

int
vdisk_volume_resolve(vdisk_disk *disk, virConnectPtr conn, vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_libvirt_load(err) < 0)
        return -1;
    return vd_volume_resolve(disk, conn, err);
}

int
vdisk_volume_delete(virConnectPtr conn, const char *pool, const char *name, virDomainPtr dom,
                    vdisk_error **err)
{
    VD_API_ENTER();
    if (vd_libvirt_load(err) < 0)
        return -1;
    return vd_volume_delete(conn, pool, name, dom, err);
}
