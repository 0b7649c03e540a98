/*
 * vhostuser.c: disks served by a vhost-user-blk backend
 *
 * Such a disk has no block nodes: QEMU connects to the backend's UNIX
 * socket through a chardev ("chr-vu-<disk alias>") and the guest device,
 * vhost-user-blk-pci, names that chardev instead of a drive. libvirt 9.0
 * writes the chardev on the command line in QEMU's key=value form and adds
 * it with chardev-add when it hotplugs the disk.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "qemu/qemu_priv.h"
#include "util/error.h"

/* An iotune group or any limit (virDomainBlockIoTuneInfoHasAny). */
static bool
vd_has_iotune(const vdisk_disk *disk)
{
    int f;

    if (vdisk_disk_get_iotune_group(disk))
        return true;
    for (f = 0; f < VDISK_IOTUNE_LAST; f++) {
        if (vdisk_disk_get_iotune(disk, (vdisk_iotune_field)f))
            return true;
    }
    return false;
}

/* What libvirt refuses for a vhost-user disk, in the order it checks. */
int
vd_qemu_vhostuser_check(const vdisk_disk *disk, vdisk_error **err)
{
    const vdisk_source *src = vdisk_disk_get_source_const(disk);
    unsigned int cyls = 0, heads = 0, secs = 0;
    vdisk_trans trans = VDISK_TRANS_DEFAULT;
    const char *what = NULL;

    vdisk_disk_get_geometry(disk, &cyls, &heads, &secs, &trans);
    if (vdisk_disk_get_bus(disk) != VDISK_BUS_VIRTIO)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: vhostuser disk supports only virtio bus",
                       vd_disk_label(disk));
    if (vdisk_disk_get_snapshot(disk) != VDISK_SNAPSHOT_NO &&
        vdisk_disk_get_snapshot(disk) != VDISK_SNAPSHOT_DEFAULT)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: only snapshot=no is supported with vhostuser disk",
                       vd_disk_label(disk));

    if (vdisk_disk_get_cache(disk) != VDISK_CACHE_DEFAULT)
        what = "cache";
    else if (vdisk_disk_get_error_policy(disk) != VDISK_ERROR_POLICY_DEFAULT ||
             vdisk_disk_get_rerror_policy(disk) != VDISK_ERROR_POLICY_DEFAULT)
        what = "error_policy";
    else if (vdisk_disk_get_io(disk) != VDISK_IO_DEFAULT)
        what = "io";
    else if (vdisk_disk_get_ioeventfd(disk) != VDISK_TRISTATE_DEFAULT)
        what = "ioeventfd";
    else if (vdisk_disk_get_copy_on_read(disk) != VDISK_TRISTATE_DEFAULT)
        what = "copy_on_read";
    else if (vdisk_disk_get_discard(disk) != VDISK_DISCARD_DEFAULT)
        what = "discard";
    else if (vdisk_disk_get_iothread(disk) > 0)
        what = "iothread";
    else if (vdisk_disk_get_detect_zeroes(disk) != VDISK_DETECT_ZEROES_DEFAULT)
        what = "detect_zeroes";
    else if (vdisk_disk_get_metadata_cache_max_size(disk) > 0)
        what = "metadata_cache";
    else if (vd_has_iotune(disk))
        what = "iotune";
    else if (vdisk_source_get_backing(src))
        what = "backingStore";
    else if (vdisk_source_has_encryption(src))
        what = "encryption";
    else if (vdisk_disk_get_readonly(disk))
        what = "readonly";
    else if (vdisk_disk_get_shareable(disk))
        what = "shareable";
    else if (vdisk_disk_get_transient(disk))
        what = "transient";
    else if (vdisk_disk_get_serial(disk))
        what = "serial";
    else if (vdisk_disk_get_wwn(disk))
        what = "wwn";
    else if (vdisk_disk_get_vendor(disk))
        what = "vendor";
    else if (vdisk_disk_get_product(disk))
        what = "product";
    else if (vdisk_source_has_auth(src))
        what = "auth";
    else if (cyls || heads || secs || trans != VDISK_TRANS_DEFAULT)
        what = "geometry";
    else if (vdisk_disk_get_logical_block_size(disk) || vdisk_disk_get_physical_block_size(disk))
        what = "blockio";
    if (what)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: %s is not supported with vhostuser disk",
                       vd_disk_label(disk), what);
    if (!vdisk_source_get_vhostuser_path(src))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: missing 'path' attribute for vhostuser disk source",
                       vd_disk_label(disk));
    return 0;
}

char *
vd_qemu_vhostuser_chardev_id(const char *disk_alias)
{
    return g_strconcat("chr-vu-", disk_alias, NULL);
}

/* QEMU's option syntax: a comma inside a value is doubled. */
static void
vd_append_escaped_comma(GString *buf, const char *value)
{
    for (; *value; value++) {
        if (*value == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *value);
    }
}

/* The reconnect delay in seconds from <reconnect enabled= timeout=>: -1
 * when the element is absent (QEMU's default, no reconnecting), 0 when
 * disabled. */
static int
vd_vhostuser_reconnect(const vdisk_disk *disk, long long *out, vdisk_error **err)
{
    const vdisk_source *src = vdisk_disk_get_source_const(disk);

    (void)err;
    *out = -1;
    switch (vdisk_source_get_reconnect_enabled(src)) {
    case VDISK_TRISTATE_DEFAULT:
    case VDISK_TRISTATE_LAST:
        *out = -1;
        break;
    case VDISK_TRISTATE_OFF:
        *out = 0;
        break;
    case VDISK_TRISTATE_ON:
        *out = (long long)vdisk_source_get_reconnect_timeout(src);
        break;
    }
    return 0;
}

int
vd_qemu_vhostuser_add_chardev(vdisk_qemu_args *args, const vdisk_disk *disk, const char *id,
                              vdisk_error **err)
{
    const char *path = vdisk_source_get_vhostuser_path(vdisk_disk_get_source_const(disk));
    g_autoptr(GString) opts = g_string_new("socket,id=");
    vd_prop *qmp;
    vd_prop *backend;
    vd_prop *data;
    vd_prop *addr;
    vd_prop *unix_data;
    long long reconnect;

    if (!path)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "%s: missing 'path' attribute for vhostuser disk source",
                       vd_disk_label(disk));
    if (vd_vhostuser_reconnect(disk, &reconnect, err) < 0)
        return -1;

    /* socket,id=chr-vu-virtio-disk0,path=/run/vhost.sock[,reconnect=N] */
    g_string_append(opts, id);
    g_string_append(opts, ",path=");
    vd_append_escaped_comma(opts, path);
    if (reconnect >= 0)
        g_string_append_printf(opts, ",reconnect=%lld", reconnect);

    /* {"id":...,"backend":{"type":"socket","data":{"addr":{"type":"unix",
     * "data":{"path":...}},"server":false[,"reconnect":N]}}} */
    unix_data = vd_prop_object_new();
    vd_prop_add_str(unix_data, "path", path);
    addr = vd_prop_object_new();
    vd_prop_add_str(addr, "type", "unix");
    vd_prop_add_prop(addr, "data", unix_data);
    data = vd_prop_object_new();
    vd_prop_add_prop(data, "addr", addr);
    vd_prop_add_bool(data, "server", false);
    if (reconnect >= 0)
        vd_prop_add_int(data, "reconnect", reconnect);
    backend = vd_prop_object_new();
    vd_prop_add_str(backend, "type", "socket");
    vd_prop_add_prop(backend, "data", data);
    qmp = vd_prop_object_new();
    vd_prop_add_str(qmp, "id", id);
    vd_prop_add_prop(qmp, "backend", backend);

    vd_qemu_args_add_chardev(args, opts->str, qmp);
    return 0;
}

const char *
vd_qemu_vhostuser_device_driver(const char *virtio_blk_driver)
{
    static const char *const map[][2] = {
        {"virtio-blk-pci", "vhost-user-blk-pci"},
        {"virtio-blk-pci-transitional", "vhost-user-blk-pci-transitional"},
        {"virtio-blk-pci-non-transitional", "vhost-user-blk-pci-non-transitional"},
        {"virtio-blk-ccw", "vhost-user-blk-ccw"},
        {"virtio-blk-device", "vhost-user-blk-device"},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (strcmp(map[i][0], virtio_blk_driver) == 0)
            return map[i][1];
    }
    return "vhost-user-blk";
}
