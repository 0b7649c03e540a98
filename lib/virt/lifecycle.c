/*
 * lifecycle.c: a disk's size and external snapshots, on running and stopped
 * domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "vdisk/blockjob.h"
#include "virt/virt_priv.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainSnapshot, virDomainSnapshotFree)

/* ---- sizes -------------------------------------------------------------------------- */

int
vdisk_size_parse(const char *text, unsigned long long *bytes, int *sign, vdisk_error **err)
{
    static const char units[] = "KMGTPE";
    const char *p = text;
    unsigned long long value = 0;
    int s = 0;
    unsigned int shift = 0;

    VD_API_ENTER();
    if (!text || !bytes || !sign)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no size or output pointer given");
    if (*p == '+' || *p == '-')
        s = *p++ == '+' ? 1 : -1;
    if (!isdigit((unsigned char)*p))
        goto bad;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned int d = (unsigned int)(*p - '0');

        if (value > (G_MAXUINT64 - d) / 10)
            goto overflow;
        value = value * 10 + d;
    }
    if (*p) {
        const char *u = strchr(units, toupper((unsigned char)*p));

        if (!u)
            goto bad;
        shift = 10 * (unsigned int)(u - units + 1);
        p++;
        if ((p[0] == 'i' || p[0] == 'I') && (p[1] == 'b' || p[1] == 'B'))
            p += 2;
        else if (p[0] == 'b' || p[0] == 'B')
            p++;
        if (*p)
            goto bad;
    }
    if (shift && value > (G_MAXUINT64 >> shift))
        goto overflow;
    *bytes = value << shift;
    *sign = s;
    return 0;

bad:
    return vd_fail(err, VDISK_ERR_INVALID_ARG,
                   "size '%s' is not a size: a number of bytes, or of K, M, G, T, P or E "
                   "(powers of 1024), with + or - for a change",
                   text);
overflow:
    return vd_fail(err, VDISK_ERR_INVALID_ARG, "size '%s' is too large", text);
}

/* The size a disk gets: @cur changed as @text says. */
static int
vd_size_target(unsigned long long *out, const char *target, const char *text,
               unsigned long long cur, unsigned int flags, vdisk_error **err)
{
    unsigned long long n;
    int sign;

    if (vdisk_size_parse(text, &n, &sign, err) < 0)
        return -1;
    if (sign > 0) {
        if (n > G_MAXUINT64 - cur)
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': size %llu %s is too large",
                           target, cur, text);
        n = cur + n;
    } else if (sign < 0) {
        if (n >= cur)
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "target '%s': the disk has %llu bytes: it cannot shrink by %s", target,
                           cur, text + 1);
        n = cur - n;
    }
    if (n == 0)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': a disk cannot have size 0",
                       target);
    if (n == cur)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': the disk has %llu bytes already",
                       target, cur);
    if (n < cur && !(flags & VDISK_RESIZE_SHRINK))
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "target '%s': %llu bytes is less than the disk's %llu: shrinking loses "
                       "the data past the new end (allow it with shrink)",
                       target, n, cur);
    *out = n;
    return 0;
}

static int
vd_resize_check_disk(vdisk_disk *disk, const char *target, vdisk_error **err)
{
    vdisk_device dev = vdisk_disk_get_device(disk);

    if (dev == VDISK_DEVICE_CDROM || dev == VDISK_DEVICE_FLOPPY)
        return vd_fail(err, VDISK_ERR_INVALID, "target '%s': a %s is not resized", target,
                       dev == VDISK_DEVICE_CDROM ? "cdrom" : "floppy");
    if (vdisk_disk_get_readonly(disk))
        return vd_fail(err, VDISK_ERR_INVALID, "target '%s': the disk is read-only", target);
    if (!vdisk_source_is_present(vdisk_disk_get_source(disk)))
        return vd_fail(err, VDISK_ERR_INVALID, "target '%s': the disk has no source", target);
    return 0;
}

/* The running domains other than @dom that use @path in a disk's chain:
 * "DOMAIN (TARGET)" of the first, or NULL. */
static int
vd_image_user(char **out, virDomainPtr dom, const char *path, vdisk_error **err)
{
    virConnectPtr conn = virDomainGetConnect(dom);
    virDomainPtr *doms = NULL;
    g_autofree char *real = realpath(path, NULL);
    const char *self = virDomainGetName(dom);
    int n;

    *out = NULL;
    if ((n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE)) < 0) {
        vd_virt_error(err, "cannot list the running domains");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        g_autoptr(vdisk_domain) ctx = NULL;
        vdisk_error *ignore = NULL;
        const char *name = virDomainGetName(doms[i]);
        vdisk_disk *disk;

        if (*out || !name || (self && strcmp(name, self) == 0))
            continue;
        if (vd_virt_load_domain(&ctx, doms[i], false, &ignore) < 0) {
            vdisk_error_free(ignore);
            continue;
        }
        if ((disk = vd_virt_disk_with_image(ctx, path, real)))
            *out = g_strdup_printf("%s (%s)", name, vdisk_disk_get_target(disk));
    }
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return 0;
}

/* qemu-img's answer for @path: its virtual size. */
static int
vd_qemu_img(char **out, const char *const *argv, const char *target, vdisk_error **err)
{
    g_autofree char *sout = NULL;
    g_autofree char *serr = NULL;
    g_autoptr(GError) gerr = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &sout, &serr,
                      &status, &gerr))
        return vd_fail(err, VDISK_ERR_SYSTEM, "target '%s': cannot run qemu-img: %s", target,
                       gerr->message);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_strstrip(serr);
        return vd_fail(err, VDISK_ERR_SYSTEM, "target '%s': qemu-img %s failed: %s", target,
                       argv[1], serr && *serr ? serr : "no reason given");
    }
    if (out)
        *out = g_steal_pointer(&sout);
    return 0;
}

static int
vd_file_virtual_size(unsigned long long *size, const char *path, const char *fmt,
                     const char *target, vdisk_error **err)
{
    const char *argv[] = {
        "qemu-img",        "info", "-U", "--output=json", fmt ? "-f" : path, fmt ? fmt : NULL,
        fmt ? path : NULL, NULL};
    g_autofree char *json = NULL;
    const char *p;

    if (vd_qemu_img(&json, argv, target, err) < 0)
        return -1;
    if (!(p = strstr(json, "\"virtual-size\":")))
        return vd_fail(err, VDISK_ERR_SYSTEM, "target '%s': qemu-img gave no size for %s", target,
                       path);
    *size = g_ascii_strtoull(p + strlen("\"virtual-size\":"), NULL, 10);
    return 0;
}

/* A stopped domain's disk: its image. */
static int
vd_resize_offline(virDomainPtr dom, vdisk_disk *disk, const char *target, const char *size,
                  unsigned int flags, unsigned long long *new_size, vdisk_error **err)
{
    virConnectPtr conn = virDomainGetConnect(dom);
    const vdisk_source *src = vdisk_disk_get_source(disk);
    vdisk_type type = vdisk_source_get_type(src);
    const char *path = vdisk_source_get_path(src);
    g_autoptr(virStorageVol) vol = NULL;
    g_autofree char *user = NULL;
    unsigned long long cur;
    unsigned long long want;

    if (type == VDISK_TYPE_VOLUME) {
        g_autoptr(virStoragePool) pool = NULL;

        if (!(pool = virStoragePoolLookupByName(conn, vdisk_source_get_pool(src))) ||
            !(vol = virStorageVolLookupByName(pool, vdisk_source_get_volume(src)))) {
            vd_virt_error(err, "target '%s': cannot find volume '%s' of pool '%s'", target,
                          vdisk_source_get_volume(src), vdisk_source_get_pool(src));
            return -1;
        }
        {
            char *p = virStorageVolGetPath(vol);

            if (p) {
                user = NULL;
                if (vd_image_user(&user, dom, p, err) < 0) {
                    free(p);
                    return -1;
                }
                free(p);
                if (user)
                    return vd_fail(err, VDISK_ERR_EXISTS,
                                   "target '%s': its volume is in use by running domain %s", target,
                                   user);
            } else {
                virResetLastError();
            }
        }
    } else if (type == VDISK_TYPE_FILE || type == VDISK_TYPE_BLOCK) {
        if (vd_image_user(&user, dom, path, err) < 0)
            return -1;
        if (user)
            return vd_fail(err, VDISK_ERR_EXISTS,
                           "target '%s': image '%s' is in use by running domain %s", target, path,
                           user);
        if (!(vol = virStorageVolLookupByPath(conn, path)))
            virResetLastError();
        if (!vol && type == VDISK_TYPE_BLOCK)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "target '%s': block device '%s' is not resized here (grow the device, "
                           "or its logical volume, itself)",
                           target, path);
        if (!vol && !vd_virt_connection_is_local(conn))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "target '%s': image '%s' is in no storage pool of the remote host: it "
                           "cannot be resized from here",
                           target, path);
    } else {
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "target '%s': a %s disk of a stopped domain is not resized here", target,
                       vdisk_enum_to_string(VDISK_ENUM_TYPE, type));
    }

    if (vol) {
        virStorageVolInfo info;

        if (virStorageVolGetInfo(vol, &info) < 0) {
            vd_virt_error(err, "target '%s': cannot read its volume's size", target);
            return -1;
        }
        cur = info.capacity;
        if (vd_size_target(&want, target, size, cur, flags, err) < 0)
            return -1;
        if (virStorageVolResize(vol, want, want < cur ? VIR_STORAGE_VOL_RESIZE_SHRINK : 0) < 0) {
            vd_virt_error(err, "target '%s': libvirt refused to resize the volume to %llu bytes",
                          target, want);
            return -1;
        }
        if (virStorageVolGetInfo(vol, &info) < 0) {
            vd_virt_error(err, "target '%s': cannot read its volume's size", target);
            return -1;
        }
        if (new_size)
            *new_size = info.capacity;
        return 0;
    }

    {
        vdisk_format format = vdisk_source_get_format(src);
        const char *fmt = format ? vdisk_enum_to_string(VDISK_ENUM_FORMAT, format) : NULL;
        g_autofree char *bytes = NULL;

        if (vd_file_virtual_size(&cur, path, fmt, target, err) < 0)
            return -1;
        if (vd_size_target(&want, target, size, cur, flags, err) < 0)
            return -1;
        bytes = g_strdup_printf("%llu", want);
        {
            const char *argv[8];
            int n = 0;

            argv[n++] = "qemu-img";
            argv[n++] = "resize";
            if (fmt) {
                argv[n++] = "-f";
                argv[n++] = fmt;
            }
            if (want < cur)
                argv[n++] = "--shrink";
            argv[n++] = path;
            argv[n++] = bytes;
            argv[n] = NULL;
            if (vd_qemu_img(NULL, argv, target, err) < 0)
                return -1;
        }
        if (new_size && vd_file_virtual_size(new_size, path, fmt, target, err) < 0)
            return -1;
    }
    return 0;
}

int
vdisk_block_resize(virDomainPtr dom, const char *target, const char *size, unsigned int flags,
                   unsigned long long *new_size, vdisk_error **err)
{
    g_autoptr(vdisk_domain) ctx = NULL;
    vdisk_disk *disk;
    virDomainBlockInfo info;
    unsigned long long want;
    int active;

    VD_API_ENTER();
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    if (!target || !*target)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no target given");
    if (!size)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "target '%s': no size given", target);
    if (flags & ~VDISK_RESIZE_SHRINK)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x",
                       flags & ~VDISK_RESIZE_SHRINK);
    {
        unsigned long long n;
        int sign;

        if (vdisk_size_parse(size, &n, &sign, err) < 0)
            return -1;
    }
    if (vd_libvirt_load(err) < 0)
        return -1;
    if ((active = virDomainIsActive(dom)) < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(dom));
        return -1;
    }
    if (vd_virt_load_domain(&ctx, dom, !active, err) < 0)
        return -1;
    if (!(disk = vdisk_domain_find_disk(ctx, target)))
        return vd_fail(err, VDISK_ERR_NOT_FOUND, "target '%s': domain '%s' has no such disk",
                       target, vd_dom_name(dom));
    if (vd_resize_check_disk(disk, target, err) < 0)
        return -1;
    if (!active)
        return vd_resize_offline(dom, disk, target, size, flags, new_size, err);

    if (virDomainGetBlockInfo(dom, target, &info, 0) < 0) {
        vd_virt_error(err, "target '%s': cannot read the disk's size", target);
        return -1;
    }
    if (vd_size_target(&want, target, size, info.capacity, flags, err) < 0)
        return -1;
    if (virDomainBlockResize(dom, target, want, VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0) {
        vd_virt_error(err, "target '%s': libvirt refused to resize the disk to %llu bytes", target,
                      want);
        return -1;
    }
    if (virDomainGetBlockInfo(dom, target, &info, 0) < 0) {
        vd_virt_error(err, "target '%s': cannot read the disk's size", target);
        return -1;
    }
    if (new_size)
        *new_size = info.capacity;
    return 0;
}

/* ---- snapshots ---------------------------------------------------------------------- */

/* Whether @disk gets an overlay when no target is named. */
static bool
vd_snapshot_default(vdisk_disk *disk)
{
    vdisk_device dev = vdisk_disk_get_device(disk);
    const vdisk_source *src = vdisk_disk_get_source(disk);
    vdisk_type type = vdisk_source_get_type(src);

    return dev != VDISK_DEVICE_CDROM && dev != VDISK_DEVICE_FLOPPY && dev != VDISK_DEVICE_LUN &&
           !vdisk_disk_get_readonly(disk) && !vdisk_disk_get_shareable(disk) &&
           vdisk_disk_get_snapshot(disk) != VDISK_SNAPSHOT_NO && vdisk_source_is_present(src) &&
           (type == VDISK_TYPE_FILE || type == VDISK_TYPE_BLOCK || type == VDISK_TYPE_VOLUME ||
            type == VDISK_TYPE_NETWORK);
}

static int
vd_snapshot_check(vdisk_disk *disk, const char *target, vdisk_error **err)
{
    vdisk_device dev = vdisk_disk_get_device(disk);

    if (dev == VDISK_DEVICE_CDROM || dev == VDISK_DEVICE_FLOPPY)
        return vd_fail(err, VDISK_ERR_INVALID, "target '%s': a %s gets no overlay", target,
                       dev == VDISK_DEVICE_CDROM ? "cdrom" : "floppy");
    if (vdisk_disk_get_readonly(disk))
        return vd_fail(err, VDISK_ERR_INVALID,
                       "target '%s': the disk is read-only: nothing to "
                       "snapshot",
                       target);
    if (!vdisk_source_is_present(vdisk_disk_get_source(disk)))
        return vd_fail(err, VDISK_ERR_INVALID, "target '%s': the disk has no source", target);
    return 0;
}

/* libvirt's name for an overlay of @path: the part after the last '.' of
 * the file name replaced by the snapshot's name. */
static char *
vd_overlay_default(const char *path, const char *name)
{
    g_autofree char *base = g_strdup(path);
    char *dot = strrchr(base, '.');

    if (dot && !strchr(dot, '/'))
        *dot = '\0';
    return g_strdup_printf("%s.%s", base, name);
}

int
vdisk_snapshot_create(virDomainPtr dom, const char *const *targets, size_t n_targets,
                      const char *name, const char *const *overlays, size_t n_overlays,
                      unsigned int flags, char **name_out, char **report, vdisk_error **err)
{
    const unsigned int known = VDISK_SNAPSHOT_CREATE_NO_METADATA | VDISK_SNAPSHOT_CREATE_REUSE;
    g_autoptr(vdisk_domain) ctx = NULL;
    g_autoptr(virDomainSnapshot) snap = NULL;
    g_autoptr(GString) xml = NULL;
    g_autoptr(GString) rep = NULL;
    g_autofree char *gen_name = NULL;
    g_autofree bool *chosen = NULL;
    g_autofree const char **paths = NULL;
    g_autoptr(GPtrArray) used = NULL;
    unsigned int vflags;
    size_t n;
    size_t picked = 0;
    bool local;
    int active;
    int rc = -1;

    VD_API_ENTER();
    if (name_out)
        *name_out = NULL;
    if (report)
        *report = NULL;
    if (!dom)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no domain given");
    if (flags & ~known)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unsupported flags 0x%x", flags & ~known);
    if ((n_targets && !targets) || (n_overlays && !overlays))
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no targets or overlays given with a count");
    if (name && (!*name || strchr(name, '/')))
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "snapshot name '%s' is empty or has a '/'",
                       name);
    if (vd_libvirt_load(err) < 0)
        return -1;
    if ((active = virDomainIsActive(dom)) < 0) {
        vd_virt_error(err, "cannot read the state of domain '%s'", vd_dom_name(dom));
        return -1;
    }
    if (vd_virt_load_domain(&ctx, dom, !active, err) < 0)
        return -1;
    local = vd_virt_connection_is_local(virDomainGetConnect(dom));
    n = vdisk_domain_get_disk_count(ctx);
    chosen = g_new0(bool, n + 1);
    paths = g_new0(const char *, n + 1);
    used = g_ptr_array_new_full(n, g_free);
    g_ptr_array_set_size(used, n);
    if (!name)
        name = gen_name = g_strdup_printf("%lld", (long long)time(NULL));

    for (size_t i = 0; i < n_targets; i++) {
        vdisk_disk *disk;
        size_t d;

        if (!targets[i] || !*targets[i])
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "an empty target was given");
        if (!(disk = vdisk_domain_find_disk(ctx, targets[i])))
            return vd_fail(err, VDISK_ERR_NOT_FOUND, "target '%s': domain '%s' has no such disk",
                           targets[i], vd_dom_name(dom));
        if (vd_snapshot_check(disk, targets[i], err) < 0)
            return -1;
        for (d = 0; d < n && vdisk_domain_get_disk(ctx, d) != disk; d++)
            ;
        chosen[d] = true;
    }
    if (!n_targets)
        for (size_t d = 0; d < n; d++)
            chosen[d] = vd_snapshot_default(vdisk_domain_get_disk(ctx, d));
    for (size_t d = 0; d < n; d++)
        picked += chosen[d];
    if (!picked)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "domain '%s' has no writable disk with an image to snapshot",
                       vd_dom_name(dom));

    for (size_t i = 0; i < n_overlays; i++) {
        const char *eq = overlays[i] ? strchr(overlays[i], '=') : NULL;
        g_autofree char *t = NULL;
        vdisk_disk *disk;
        size_t d;

        if (!eq || eq == overlays[i] || eq[1] != '/')
            return vd_fail(err, VDISK_ERR_INVALID_ARG, "overlay '%s' is not TARGET=/ABSOLUTE/PATH",
                           overlays[i] ? overlays[i] : "(null)");
        t = g_strndup(overlays[i], eq - overlays[i]);
        if (!(disk = vdisk_domain_find_disk(ctx, t)))
            return vd_fail(err, VDISK_ERR_NOT_FOUND, "target '%s': domain '%s' has no such disk", t,
                           vd_dom_name(dom));
        for (d = 0; d < n && vdisk_domain_get_disk(ctx, d) != disk; d++)
            ;
        if (!chosen[d])
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "target '%s': an overlay is given for a disk that is not snapshotted",
                           t);
        paths[d] = eq + 1;
    }

    xml = g_string_new(NULL);
    rep = g_string_new(NULL);
    {
        g_autofree char *en = g_markup_escape_text(name, -1);

        g_string_append_printf(xml, "<domainsnapshot>\n  <name>%s</name>\n  <disks>\n", en);
    }
    for (size_t d = 0; d < n; d++) {
        vdisk_disk *disk = vdisk_domain_get_disk(ctx, d);
        const char *target = vdisk_disk_get_target(disk);
        g_autofree char *et = g_markup_escape_text(target, -1);
        g_autofree char *path = NULL;
        g_autofree char *ep = NULL;

        if (!chosen[d]) {
            g_string_append_printf(xml, "    <disk name='%s' snapshot='no'/>\n", et);
            continue;
        }
        if (paths[d]) {
            path = g_strdup(paths[d]);
        } else {
            const char *src = vdisk_disk_get_path(disk);

            if (!src || vdisk_disk_get_type(disk) == VDISK_TYPE_VOLUME)
                return vd_fail(err, VDISK_ERR_INVALID_ARG,
                               "target '%s': its image has no path to put an overlay next to: "
                               "give the overlay's path (TARGET=PATH)",
                               target);
            path = vd_overlay_default(src, name);
        }
        if (strchr(path, '\n'))
            return vd_fail(err, VDISK_ERR_INVALID_ARG,
                           "target '%s': overlay path '%s' has a newline", target, path);
        for (size_t e = 0; e < d; e++)
            if (used->pdata[e] && strcmp(used->pdata[e], path) == 0)
                return vd_fail(err, VDISK_ERR_INVALID_ARG,
                               "target '%s': overlay '%s' is given to two disks", target, path);
        if (local && !(flags & VDISK_SNAPSHOT_CREATE_REUSE) && access(path, F_OK) == 0)
            return vd_fail(err, VDISK_ERR_EXISTS,
                           "target '%s': overlay '%s' exists (reuse uses it as it is)", target,
                           path);
        if (local && (flags & VDISK_SNAPSHOT_CREATE_REUSE) && access(path, F_OK) < 0)
            return vd_fail(err, VDISK_ERR_NOT_FOUND,
                           "target '%s': overlay '%s' does not exist (reuse needs it)", target,
                           path);
        if (active) {
            virDomainBlockJobInfo info;
            int jr = virDomainGetBlockJobInfo(dom, target, &info, 0);

            if (jr < 0) {
                vd_virt_error(err, "target '%s': cannot read its block job", target);
                return -1;
            }
            if (jr > 0)
                return vd_fail(err, VDISK_ERR_EXISTS,
                               "target '%s': a block job runs on the disk: no snapshot until it "
                               "ends",
                               target);
        }
        ep = g_markup_escape_text(path, -1);
        {
            struct stat sb;
            /* an overlay on a block device is one libvirt is given to reuse */
            bool dev = local ? stat(path, &sb) == 0 && S_ISBLK(sb.st_mode)
                             : g_str_has_prefix(path, "/dev/");

            g_string_append_printf(xml,
                                   "    <disk name='%s' snapshot='external' type='%s'>\n"
                                   "      <driver type='qcow2'/>\n"
                                   "      <source %s='%s'/>\n"
                                   "    </disk>\n",
                                   et, dev ? "block" : "file", dev ? "dev" : "file", ep);
        }
        g_string_append_printf(rep, "%s %s\n", target, path);
        used->pdata[d] = g_strdup(path);
    }
    g_string_append(xml, "  </disks>\n</domainsnapshot>\n");

    vflags =
        VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | (active ? VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC : 0) |
        (flags & VDISK_SNAPSHOT_CREATE_NO_METADATA ? VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA : 0) |
        (flags & VDISK_SNAPSHOT_CREATE_REUSE ? VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT : 0);
    if (!(snap = virDomainSnapshotCreateXML(dom, xml->str, vflags))) {
        char *msg = NULL;
        int code = vd_virt_take_error(&msg);
        g_autofree char *m = msg;

        vd_error_set_coded(
            err, vd_virt_exists_error(code, m) ? VDISK_ERR_EXISTS : VDISK_ERR_LIBVIRT, code,
            "domain '%s': libvirt refused the snapshot '%s' (no disk was changed): %s",
            vd_dom_name(dom), name, m);
        return -1;
    }
    if (name_out) {
        const char *sn = virDomainSnapshotGetName(snap);

        *name_out = g_strdup(sn ? sn : name);
    }
    if (report)
        *report = g_strdup(rep->str);
    rc = 0;
    return rc;
}
