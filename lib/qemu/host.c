/*
 * host.c: the host's part of translation, when the options hold a
 * connection (see qemu_host.h)
 *
 * libvirt prepares a domain's storage before it builds the command line
 * (qemuProcessPrepareDomainStorage): from the last disk to the first, it
 * resolves the disk's type='volume' sources through their pools
 * (virDomainDiskTranslateSourcePool; on failure a disk with
 * startupPolicy='optional' loses its source, or the whole disk), gives a
 * top-level volume without a format 'raw' ('fat' for a directory), and
 * reads the secrets of every source of the chain (auth first, then
 * encryption; qemuDomainSecretStorageSourcePrepare). The same happens
 * here, through the operations lib/virt installed; translation then reads
 * the resolved disks and the values from the state, never the host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "qemu/qemu_priv.h"
#include "util/error.h"

struct vd_qemu_host_state {
    GPtrArray *disks;    /* the resolved copies */
    GHashTable *secrets; /* node index * 2 + role -> GBytes */
};

vd_qemu_host_state *
vd_qemu_host_state_new(void)
{
    vd_qemu_host_state *st = g_new0(vd_qemu_host_state, 1);

    st->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vdisk_disk_free);
    st->secrets =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_bytes_unref);
    return st;
}

void
vd_qemu_host_state_free(vd_qemu_host_state *st)
{
    if (!st)
        return;
    g_ptr_array_unref(st->disks);
    g_hash_table_unref(st->secrets);
    g_free(st);
}

void
vd_qemu_opts_set_host(vdisk_qemu_opts *opts, const vd_qemu_host_ops *ops, void *conn)
{
    opts->host = ops;
    opts->host_conn = ops ? conn : NULL;
}

static gpointer
vd_secret_key(unsigned int node, vd_qemu_secret_role role)
{
    return GUINT_TO_POINTER(node * 2u + (role == VD_QEMU_SECRET_ENC ? 1u : 0u));
}

GBytes *
vd_qemu_host_secret(const vd_qemu_host_state *st, unsigned int node, vd_qemu_secret_role role)
{
    return st ? g_hash_table_lookup(st->secrets, vd_secret_key(node, role)) : NULL;
}

static bool
vd_chain_has_volume(const vdisk_disk *disk)
{
    const vdisk_source *src;

    for (src = vdisk_disk_get_source_const(disk); src; src = vdisk_source_get_backing(src)) {
        if (vdisk_source_get_type(src) == VDISK_TYPE_VOLUME)
            return true;
    }
    return false;
}

/* virStorageSourceIsEmpty: a local source without a path, or no source. */
static bool
vd_host_source_is_empty(const vdisk_source *src)
{
    switch (vdisk_source_get_type(src)) {
    case VDISK_TYPE_FILE:
    case VDISK_TYPE_BLOCK:
    case VDISK_TYPE_DIR:
        return !vdisk_source_get_path(src);
    case VDISK_TYPE_NETWORK:
        return vdisk_source_get_protocol(src) == VDISK_PROTOCOL_NONE;
    case VDISK_TYPE_NONE:
        return true;
    case VDISK_TYPE_VOLUME:
    case VDISK_TYPE_NVME:
    case VDISK_TYPE_VHOSTUSER:
    case VDISK_TYPE_LAST:
        break;
    }
    return !vdisk_source_is_present(src);
}

/* The caller's own value for a secret (vdisk_qemu_opts_set_secret()). */
static GBytes *
vd_given_secret(const vdisk_qemu_opts *opts, const char *uuid, const char *usage)
{
    GBytes *value = NULL;

    if (!opts->secrets)
        return NULL;
    if (uuid)
        value = g_hash_table_lookup(opts->secrets, uuid);
    if (!value && usage)
        value = g_hash_table_lookup(opts->secrets, usage);
    return value;
}

static int
vd_read_secret(vd_qemu_host_state *st, const vdisk_qemu_opts *opts, const vdisk_disk *disk,
               unsigned int node, vd_qemu_secret_role role, const char *uuid, const char *usage,
               vd_secret_usage type, vdisk_error **err)
{
    GBytes *value = NULL;

    /* a reference without UUID or usage is translation's to refuse */
    if (!uuid && !usage)
        return 0;
    if (opts->host->secret_value(opts->host_conn, disk, uuid, usage, type,
                                 vd_given_secret(opts, uuid, usage), &value, err) < 0)
        return -1;
    g_hash_table_replace(st->secrets, vd_secret_key(node, role), value);
    return 0;
}

/* The secrets of each source of @disk's chain, numbered from @first. */
static int
vd_read_secrets(vd_qemu_host_state *st, const vdisk_qemu_opts *opts, const vdisk_disk *disk,
                unsigned int first, vdisk_error **err)
{
    const vdisk_source *src = vdisk_disk_get_source_const(disk);
    unsigned int node = first;

    /* a vhost-user disk has no storage nodes and no secrets */
    if (vdisk_source_get_type(src) == VDISK_TYPE_VHOSTUSER)
        return 0;
    for (; src; src = vdisk_source_get_backing(src), node++) {
        if (vd_host_source_is_empty(src))
            continue;
        if (vdisk_source_get_type(src) == VDISK_TYPE_NETWORK &&
            vdisk_source_get_auth_username(src) &&
            vd_read_secret(
                st, opts, disk, node, VD_QEMU_SECRET_AUTH, vdisk_source_get_auth_secret_uuid(src),
                vdisk_source_get_auth_secret_usage(src),
                vdisk_source_get_protocol(src) == VDISK_PROTOCOL_RBD ? VD_SECRET_USAGE_CEPH
                                                                     : VD_SECRET_USAGE_ISCSI,
                err) < 0)
            return -1;
        if (vdisk_source_get_encryption_format(src) != VDISK_ENCRYPTION_DEFAULT &&
            vd_read_secret(st, opts, disk, node, VD_QEMU_SECRET_ENC,
                           vdisk_source_get_encryption_secret_uuid(src),
                           vdisk_source_get_encryption_secret_usage(src), VD_SECRET_USAGE_VOLUME,
                           err) < 0)
            return -1;
    }
    return 0;
}

/* The disk without the source it could not get (qemuDomainCheckDiskStartupPolicy
 * for a cold boot, as domxml-to-native prepares one): an optional cdrom or
 * floppy is left empty, another optional disk is dropped; otherwise the
 * resolution's error stands. */
static int
vd_startup_policy(vdisk_disk *copy, const vdisk_disk **out, vdisk_error *inner, vdisk_error **err)
{
    vdisk_source *src = vdisk_disk_get_source(copy);
    vdisk_device device = vdisk_disk_get_device(copy);
    vdisk_error *e = NULL;

    if (vdisk_source_get_startup_policy(src) != VDISK_STARTUP_POLICY_OPTIONAL)
        return vd_error_wrap(err, inner, NULL);
    vdisk_error_free(inner);
    if (device != VDISK_DEVICE_CDROM && device != VDISK_DEVICE_FLOPPY) {
        *out = NULL;
        return 0;
    }
    if (vdisk_source_set_startup_policy(src, VDISK_STARTUP_POLICY_DEFAULT, &e) < 0 ||
        vdisk_source_clear(src, &e) < 0 || vdisk_source_set_type(src, VDISK_TYPE_FILE, &e) < 0)
        return vd_error_wrap(err, e, NULL);
    *out = copy;
    return 0;
}

int
vd_qemu_host_resolve_disk(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                          const vdisk_disk *disk, const vdisk_disk **out, bool *numbered,
                          vdisk_error **err)
{
    vdisk_disk *copy = NULL;
    vdisk_error *inner = NULL;

    *out = disk;
    *numbered = true;
    if (!opts || !opts->host)
        return 0;
    if (vd_chain_has_volume(disk)) {
        vdisk_source *top;
        bool default_format;

        if (vdisk_disk_copy(&copy, disk, &inner) < 0)
            return vd_error_wrap(err, inner, NULL);
        g_ptr_array_add(st->disks, copy);
        top = vdisk_disk_get_source(copy);
        default_format = vdisk_source_get_type(top) == VDISK_TYPE_VOLUME &&
                         vdisk_source_get_format(top) == VDISK_FORMAT_NONE;
        if (opts->host->resolve_volumes(opts->host_conn, copy, &inner) < 0) {
            /* libvirt prepares nothing more of the disk it dropped or emptied */
            *numbered = false;
            return vd_startup_policy(copy, out, inner, err);
        } else {
            /* qemuDomainPrepareDiskSource: the format of a pool's volume */
            if (default_format &&
                vdisk_source_set_format(top,
                                        vdisk_source_get_type(top) == VDISK_TYPE_DIR
                                            ? VDISK_FORMAT_FAT
                                            : VDISK_FORMAT_RAW,
                                        &inner) < 0)
                return vd_error_wrap(err, inner, NULL);
            *out = copy;
        }
    }
    return 0;
}

int
vd_qemu_host_read_secrets(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                          const vdisk_disk *disk, unsigned int first, vdisk_error **err)
{
    if (!opts || !opts->host || !disk)
        return 0;
    return vd_read_secrets(st, opts, disk, first, err);
}

int
vd_qemu_host_prepare_disk(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                          const vdisk_disk *disk, unsigned int first, const vdisk_disk **out,
                          bool *numbered, vdisk_error **err)
{
    if (vd_qemu_host_resolve_disk(st, opts, disk, out, numbered, err) < 0)
        return -1;
    if (!*numbered)
        return 0;
    return vd_qemu_host_read_secrets(st, opts, *out, first, err);
}

void
vd_qemu_opts_set_probe(vdisk_qemu_opts *opts, const vd_qemu_probe_ops *ops)
{
    opts->probe = ops;
}

int
vd_qemu_host_probe_disk(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                        const vdisk_disk **disk, unsigned int *added, vdisk_error **err)
{
    vdisk_disk *copy = (vdisk_disk *)*disk;
    vdisk_error *inner = NULL;

    *added = 0;
    if (!opts || !opts->probe || !*disk)
        return 0;
    /* translation's own copy: the one volumes were resolved in, or a new one */
    if (!g_ptr_array_find(st->disks, *disk, NULL)) {
        if (vdisk_disk_copy(&copy, *disk, &inner) < 0)
            return vd_error_wrap(err, inner, NULL);
        g_ptr_array_add(st->disks, copy);
    }
    if (opts->probe->probe_chain(copy, added, &inner) < 0) {
        /* qemuDomainCheckDiskStartupPolicy: an optional disk loses its
         * source (a cdrom or floppy) or is left out; its numbers stay used */
        if (opts->hotplug)
            return vd_error_wrap(err, inner, NULL);
        *added = 0;
        return vd_startup_policy(copy, disk, inner, err);
    }
    *disk = copy;
    return 0;
}
