/*
 * chain_probe.c: the backing chains libvirt reads from the image headers
 * when it starts a domain or hot-plugs a disk
 *
 * libvirt's QEMU driver completes each disk's chain before it gives it to
 * QEMU (qemuDomainDetermineDiskChain): it checks that the images the XML
 * names exist, and below the last one the XML gives (unless the XML ends
 * the chain with an empty <backingStore/>) it follows the backing file
 * names in the image headers (virStorageSourceGetMetadata). The rules
 * followed here are libvirt 9.0's (src/storage_file/storage_file_probe.c
 * and storage_source.c):
 *
 * - formats without backing support (raw, iso, vpc, ...) are not read at
 *   all: the image must only exist;
 * - the top image's format is the XML's, never probed (a source without
 *   one is raw); each backing image gets the format its parent's header
 *   names (the qcow2 backing format extension, QED's "no probe" flag);
 * - when the header names none (qcow and vmdk never do), the backing
 *   image's format is probed from its own header, and accepted only when
 *   that image has no backing file of its own: otherwise libvirt refuses
 *   for security ("format of backing image ... was not specified");
 * - a relative backing name is relative to the directory of the image
 *   naming it, joined as written (no canonicalisation);
 * - at most 200 levels below the last declared source ("self-referential
 *   or too deeply nested", which is also how loops end), and 200 layers in
 *   the whole chain;
 * - detected iso images become raw.
 *
 * What libvirt would do but is not modelled here is refused, naming the
 * disk and the image: network backing names (URIs, json:, host:port),
 * directories, encrypted images, host CD-ROM drives, chains below network
 * sources libvirt can traverse (gluster).
 *
 * Host-dependent by nature (it reads the files), so it lives beside the
 * other host work and runs only when the options ask for it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/cdrom.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu_priv.h"
#include "util/error.h"
#include "virt/chain_probe.h"

/* VIR_STORAGE_MAX_HEADER: what libvirt reads of an image */
#define VD_CHAIN_HEADER 0x8200
/* QEMU_DOMAIN_STORAGE_SOURCE_CHAIN_MAX_DEPTH */
#define VD_CHAIN_MAX_DEPTH 200

/* libvirt's format names (virStorageFileFormat), in vdisk_format's order */
static const char *const vd_chain_format_names[] = {
    "none", "raw", "dir",   "bochs", "cloop", "dmg",   "iso", "vpc",  "vdi",
    "fat",  "vhd", "ploop", "cow",   "qcow",  "qcow2", "qed", "vmdk",
};
_Static_assert(G_N_ELEMENTS(vd_chain_format_names) == VDISK_FORMAT_LAST, "format names incomplete");

/* A format as a header names it: a vdisk_format, or one of these. */
enum {
    VD_FMT_AUTO = -1, /* probe the backing image's own header */
};

static int
vd_chain_format_from_name(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vd_chain_format_names); i++) {
        if (strcmp(name, vd_chain_format_names[i]) == 0)
            return (int)i;
    }
    return VD_FMT_AUTO; /* virStorageFileFormatTypeFromString's -1 */
}

static uint64_t
vd_rd_be(const unsigned char *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t
vd_rd_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = n; i > 0; i--)
        v = (v << 8) | p[i - 1];
    return v;
}

/* ---- what a header says -------------------------------------------------------- */

typedef struct {
    char *backing;   /* the backing file name as written, or NULL */
    int backing_fmt; /* its format: a vdisk_format or VD_FMT_AUTO */
    bool encrypted;
} vd_chain_meta;

/* The magic and version checks of libvirt's fileTypeInfo, for probing a
 * backing image whose format no header gave (virStorageFileProbeFormatFromBuf):
 * the first format whose magic and version match, else raw. */
static vdisk_format
vd_chain_probe_format(const unsigned char *b, size_t n)
{
    static const struct {
        vdisk_format fmt;
        size_t off;
        const char *magic;
        size_t mlen;
        int vsize; /* 0: no version to check */
        bool big;  /* the version's byte order */
        size_t voff;
        uint32_t versions[3];
    } tab[] = {
        {VDISK_FORMAT_ISO, 32769, "CD001", 5, 0, false, 0, {0}},
        {VDISK_FORMAT_VPC, 0, "conectix", 8, 4, true, 12, {0x10000}},
        {VDISK_FORMAT_VDI, 64, "\x7f\x10\xda\xbe", 4, 4, false, 68, {0x00010001}},
        {VDISK_FORMAT_PLOOP, 0, "WithouFreSpacExt", 16, 0, false, 0, {0}},
        {VDISK_FORMAT_COW, 0, "OOOM", 4, 4, true, 4, {2}},
        {VDISK_FORMAT_QCOW, 0, "QFI", 3, 4, true, 4, {1}},
        {VDISK_FORMAT_QCOW2, 0, "QFI", 3, 4, true, 4, {2, 3}},
        {VDISK_FORMAT_QED, 0, "QED", 3, 0, false, 0, {0}},
        {VDISK_FORMAT_VMDK, 0, "KDMV", 4, 4, false, 4, {1, 2, 3}},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(tab); i++) {
        uint32_t v;

        if (tab[i].off + tab[i].mlen > n || memcmp(b + tab[i].off, tab[i].magic, tab[i].mlen))
            continue;
        if (!tab[i].vsize)
            return tab[i].fmt;
        if (tab[i].voff + 4 > n)
            continue;
        v = (uint32_t)(tab[i].big ? vd_rd_be(b + tab[i].voff, 4) : vd_rd_le(b + tab[i].voff, 4));
        for (size_t j = 0; j < G_N_ELEMENTS(tab[i].versions) && tab[i].versions[j]; j++) {
            if (v == tab[i].versions[j])
                return tab[i].fmt;
        }
    }
    return VDISK_FORMAT_RAW;
}

/* A string of @len bytes as C reads it: up to its first NUL. */
static char *
vd_chain_cstr(const unsigned char *p, size_t len)
{
    return g_strndup((const char *)p, len);
}

/* qcow and qcow2 (qcowXGetBackingStore, qcow2GetExtensions) */
static void
vd_chain_qcow(const unsigned char *b, size_t n, vd_chain_meta *m)
{
    uint64_t offset;
    uint32_t size;
    uint32_t version;
    size_t start, end, off;

    m->backing_fmt = VD_FMT_AUTO;
    if (n < 20)
        return;
    offset = vd_rd_be(b + 8, 8);
    if (offset > n || offset == 0)
        return;
    size = (uint32_t)vd_rd_be(b + 16, 4);
    if (size == 0 || size > 1023 || offset + size > n)
        return;
    m->backing = vd_chain_cstr(b + offset, size);

    version = (uint32_t)vd_rd_be(b + 4, 4);
    if (version < 2)
        return; /* qcow has no header extensions */
    if (version == 2)
        start = 72;
    else if (n >= 104)
        start = (size_t)vd_rd_be(b + 100, 4);
    else
        return;
    end = (size_t)offset;
    for (off = start; off + 8 < n && off + 8 < end;) {
        uint32_t magic = (uint32_t)vd_rd_be(b + off, 4);
        uint32_t len = (uint32_t)vd_rd_be(b + off + 4, 4);

        off += 8;
        if (off + len > n)
            break;
        if (magic == 0xE2792ACAu) {
            g_autofree char *name = vd_chain_cstr(b + off, len);

            /* a name libvirt does not know, or "none", makes the header
             * invalid for libvirt; the backing name found stays, and the
             * format is what the lookup gave */
            m->backing_fmt = vd_chain_format_from_name(name);
            return;
        }
        if (magic == 0)
            return;
        off += len;
    }
}

/* qedGetBackingStore */
static void
vd_chain_qed(const unsigned char *b, size_t n, vd_chain_meta *m)
{
    uint64_t flags;
    uint32_t offset, size;

    m->backing_fmt = VD_FMT_AUTO;
    if (n < 24)
        return;
    flags = vd_rd_le(b + 16, 8);
    if (!(flags & 0x01))
        return;
    if (n < 64)
        return;
    offset = (uint32_t)vd_rd_le(b + 56, 4);
    size = (uint32_t)vd_rd_le(b + 60, 4);
    if (offset > n || size == 0 || (uint64_t)offset + size > n)
        return;
    m->backing = vd_chain_cstr(b + offset, size);
    m->backing_fmt = (flags & 0x04) ? VDISK_FORMAT_RAW : VD_FMT_AUTO;
}

/* vmdk4GetBackingStore: the parentFileNameHint of the descriptor at 0x200 */
static void
vd_chain_vmdk(const unsigned char *b, size_t n, vd_chain_meta *m)
{
    static const char prefix[] = "parentFileNameHint=\"";
    g_autofree char *desc = NULL;
    const char *start, *end;

    m->backing_fmt = VD_FMT_AUTO;
    if (n <= 0x200)
        return;
    desc = vd_chain_cstr(b + 0x200, n - 0x200);
    if (!(start = strstr(desc, prefix)))
        return;
    start += strlen(prefix);
    if (!(end = strchr(start, '"')) || end == start)
        return;
    m->backing = g_strndup(start, (size_t)(end - start));
}

/* cowGetBackingStore */
static void
vd_chain_cow(const unsigned char *b, size_t n, vd_chain_meta *m)
{
    m->backing_fmt = VD_FMT_AUTO;
    if (n < 4 + 4 + 1024 || b[8] == '\0')
        return;
    m->backing = vd_chain_cstr(b + 8, 1024);
}

/* The encryption libvirt's header check finds (virStorageFileHasEncryptionFormat). */
static bool
vd_chain_encrypted(vdisk_format fmt, const unsigned char *b, size_t n)
{
    switch (fmt) {
    case VDISK_FORMAT_RAW:
        return n >= 8 && memcmp(b, "LUKS\xba\xbe", 6) == 0 && vd_rd_be(b + 6, 2) == 1;
    case VDISK_FORMAT_QCOW:
        return n >= 40 && vd_rd_be(b + 36, 4) == 1;
    case VDISK_FORMAT_QCOW2:
        return n >= 36 && (vd_rd_be(b + 32, 4) == 1 || vd_rd_be(b + 32, 4) == 2);
    case VDISK_FORMAT_NONE:
    case VDISK_FORMAT_DIR:
    case VDISK_FORMAT_BOCHS:
    case VDISK_FORMAT_CLOOP:
    case VDISK_FORMAT_DMG:
    case VDISK_FORMAT_ISO:
    case VDISK_FORMAT_VPC:
    case VDISK_FORMAT_VDI:
    case VDISK_FORMAT_FAT:
    case VDISK_FORMAT_VHD:
    case VDISK_FORMAT_PLOOP:
    case VDISK_FORMAT_COW:
    case VDISK_FORMAT_QED:
    case VDISK_FORMAT_VMDK:
    case VDISK_FORMAT_LAST:
        break;
    }
    return false;
}

/* virStorageFileProbeGetMetadata for an image of format @fmt. */
static void
vd_chain_parse(vdisk_format fmt, const unsigned char *b, size_t n, vd_chain_meta *m)
{
    m->encrypted = vd_chain_encrypted(fmt, b, n);
    switch (fmt) {
    case VDISK_FORMAT_COW:
        vd_chain_cow(b, n, m);
        break;
    case VDISK_FORMAT_QCOW:
    case VDISK_FORMAT_QCOW2:
        vd_chain_qcow(b, n, m);
        break;
    case VDISK_FORMAT_QED:
        vd_chain_qed(b, n, m);
        break;
    case VDISK_FORMAT_VMDK:
        vd_chain_vmdk(b, n, m);
        break;
    case VDISK_FORMAT_NONE:
    case VDISK_FORMAT_RAW:
    case VDISK_FORMAT_DIR:
    case VDISK_FORMAT_BOCHS:
    case VDISK_FORMAT_CLOOP:
    case VDISK_FORMAT_DMG:
    case VDISK_FORMAT_ISO:
    case VDISK_FORMAT_VPC:
    case VDISK_FORMAT_VDI:
    case VDISK_FORMAT_FAT:
    case VDISK_FORMAT_VHD:
    case VDISK_FORMAT_PLOOP:
    case VDISK_FORMAT_LAST:
        break;
    }
}

/* ---- walking the chain --------------------------------------------------------- */

typedef struct {
    const vdisk_disk *disk;
    const char *top_path; /* the last source the XML gives (libvirt's "parent") */
    GPtrArray *found;     /* vd_chain_image, from the top down */
    bool top_encrypted;   /* the header of that source says it is encrypted */
} vd_chain_walk;

typedef struct {
    char *path;
    vdisk_type type;
    vdisk_format format;
} vd_chain_image;

static void
vd_chain_image_free(gpointer p)
{
    vd_chain_image *img = p;

    g_free(img->path);
    g_free(img);
}

static const char *
vd_chain_label(const vdisk_disk *disk)
{
    const char *target = vdisk_disk_get_target(disk);

    return target ? target : "";
}

/* virStorageSourceReportBrokenChain */
static int
vd_chain_broken(const vd_chain_walk *w, int errnum, const char *path, vdisk_error **err)
{
    if (strcmp(path, w->top_path) == 0)
        return vd_fail(err, errnum == ENOENT ? VDISK_ERR_NOT_FOUND : VDISK_ERR_SYSTEM,
                       "disk '%s': Cannot access storage file '%s': %s", vd_chain_label(w->disk),
                       path, g_strerror(errnum));
    return vd_fail(err, errnum == ENOENT ? VDISK_ERR_NOT_FOUND : VDISK_ERR_SYSTEM,
                   "disk '%s': Cannot access backing file '%s' of storage file '%s': %s",
                   vd_chain_label(w->disk), path, w->top_path, g_strerror(errnum));
}

/* Reads the first VD_CHAIN_HEADER bytes of @path. */
static int
vd_chain_read(const vd_chain_walk *w, const char *path, unsigned char *buf, size_t *len,
              vdisk_error **err)
{
    size_t got = 0;
    int fd;

    if (access(path, F_OK) < 0)
        return vd_chain_broken(w, errno, path, err);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
        return vd_fail(err, VDISK_ERR_SYSTEM, "disk '%s': cannot open image '%s': %s",
                       vd_chain_label(w->disk), path, g_strerror(errno));
    while (got < VD_CHAIN_HEADER) {
        ssize_t n = read(fd, buf + got, VD_CHAIN_HEADER - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;

            close(fd);
            return vd_fail(err, VDISK_ERR_SYSTEM, "disk '%s': cannot read header '%s': %s",
                           vd_chain_label(w->disk), path, g_strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    *len = got;
    return 0;
}

/* virStorageSourceNewFromChild: where a backing name points, and what it
 * is on this host. */
static int
vd_chain_locate(const vd_chain_walk *w, const char *parent, const char *name, vd_chain_image *img,
                vdisk_error **err)
{
    const char *colon = strchr(name, ':');
    const char *slash = strchr(name, '/');
    struct stat st;

    /* anything looking like a protocol (nbd:, rbd:, json:, a URI) is a
     * network source to libvirt; so is "fat:" a directory */
    if (colon && (!slash || colon < slash))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "disk '%s': the backing file '%s' of '%s' is not a local path: libvdisk "
                       "does not probe through backing images libvirt reads as network or "
                       "directory sources (declare the chain with <backingStore> elements, "
                       "ending in <backingStore/>)",
                       vd_chain_label(w->disk), name, parent);
    if (g_path_is_absolute(name)) {
        img->path = g_strdup(name);
    } else {
        g_autofree char *dir = g_path_get_dirname(parent);

        img->path = strcmp(dir, "/") != 0 ? g_strdup_printf("%s/%s", dir, name)
                                          : g_strdup_printf("/%s", name);
    }
    img->type = VDISK_TYPE_FILE;
    if (stat(img->path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': the backing file '%s' of '%s' is a directory: not "
                           "implemented",
                           vd_chain_label(w->disk), img->path, parent);
        if (S_ISBLK(st.st_mode))
            img->type = VDISK_TYPE_BLOCK;
    }
    return 0;
}

static int
vd_chain_refuse_encrypted(const vd_chain_walk *w, const char *path, vdisk_error **err)
{
    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                   "disk '%s': the header of '%s' says it is encrypted, which the disk's XML "
                   "does not: the secrets libvirt would need for it are not modelled",
                   vd_chain_label(w->disk), path);
}

/* virStorageSourceGetMetadataRecurse for the image @path of format @fmt
 * (VD_FMT_AUTO: probed), @depth levels below the last declared source.
 * Returns 0, -1 with @err set, or -2: the image's format was probed and it
 * has a backing file (the parent refuses). */
static int
vd_chain_recurse(vd_chain_walk *w, const char *path, int fmt, unsigned int depth,
                 vdisk_format *fmt_out, vdisk_error **err)
{
    g_autofree unsigned char *buf = g_malloc(VD_CHAIN_HEADER);
    vd_chain_meta m = {.backing_fmt = VD_FMT_AUTO};
    g_autofree char *backing = NULL;
    vd_chain_image *img;
    size_t len = 0;
    int rc;

    if (depth > VD_CHAIN_MAX_DEPTH)
        return vd_fail(err, VDISK_ERR_INTERNAL,
                       "disk '%s': backing store for %s is self-referential or too deeply nested",
                       vd_chain_label(w->disk), path);
    if (vd_chain_read(w, path, buf, &len, err) < 0)
        return -1;
    if (fmt == VD_FMT_AUTO)
        *fmt_out = vd_chain_probe_format(buf, len);
    else if (fmt <= VDISK_FORMAT_NONE || fmt >= VDISK_FORMAT_LAST)
        return vd_fail(err, VDISK_ERR_SYSTEM, "disk '%s': unknown storage file meta->format %d: %s",
                       vd_chain_label(w->disk), fmt, g_strerror(EINVAL));
    else
        *fmt_out = (vdisk_format)fmt;
    vd_chain_parse(*fmt_out, buf, len, &m);
    backing = m.backing;
    /* a probed format: nothing below it is followed */
    if (fmt == VD_FMT_AUTO && backing) {
        *fmt_out = VDISK_FORMAT_RAW;
        return -2;
    }
    if (m.encrypted && depth > 1)
        return vd_chain_refuse_encrypted(w, path, err);
    if (depth == 1)
        w->top_encrypted = m.encrypted;
    if (!backing)
        return 0;

    img = g_new0(vd_chain_image, 1);
    g_ptr_array_add(w->found, img);
    if (vd_chain_locate(w, path, backing, img, err) < 0)
        return -1;
    rc = vd_chain_recurse(w, img->path, m.backing_fmt, depth + 1, &img->format, err);
    if (rc == -2)
        return vd_fail(err, VDISK_ERR_INVALID,
                       "disk '%s': format of backing image '%s' of image '%s' was not specified "
                       "in the image metadata (See https://libvirt.org/kbase/backing_chains.html "
                       "for troubleshooting)",
                       vd_chain_label(w->disk), backing, path);
    return rc;
}

static bool
vd_chain_is_local(const vdisk_source *src)
{
    vdisk_type type = vdisk_source_get_type(src);

    return type == VDISK_TYPE_FILE || type == VDISK_TYPE_BLOCK || type == VDISK_TYPE_DIR;
}

/* virFileIsCDROM */
static bool
vd_chain_is_cdrom(const char *path)
{
    struct stat st;
    bool ret = false;
    int fd;

    if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
        return false;
    if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode))
        ret = ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT) >= 0;
    close(fd);
    return ret;
}

/* virStorageSourceIsEmpty */
static bool
vd_chain_is_empty(const vdisk_source *src)
{
    if (!src)
        return true;
    if (vd_chain_is_local(src))
        return !vdisk_source_get_path(src);
    if (vdisk_source_get_type(src) == VDISK_TYPE_NETWORK)
        return vdisk_source_get_protocol(src) == VDISK_PROTOCOL_NONE;
    return vdisk_source_get_type(src) == VDISK_TYPE_NONE;
}

/* qemuDomainDetermineDiskChain */
static int
vd_chain_probe_disk(vdisk_disk *disk, unsigned int *added, vdisk_error **err)
{
    vdisk_source *top = vdisk_disk_get_source(disk);
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(vd_chain_image_free);
    vd_chain_walk w = {.disk = disk, .found = found};
    vdisk_source *src, *last;
    vdisk_format fmt;
    vdisk_error *inner = NULL;
    unsigned int layers = 0;
    int rc;

    *added = 0;
    if (vd_chain_is_empty(top))
        return 0;
    fmt = vdisk_source_get_format(top);
    /* formats without backing files: the image must only be there */
    if (vd_chain_is_local(top) && fmt > VDISK_FORMAT_NONE && fmt < VDISK_FORMAT_COW) {
        const char *path = vdisk_source_get_path(top);

        w.top_path = path;
        if (access(path, F_OK) < 0)
            return vd_chain_broken(&w, errno, path, err);
        if (vdisk_disk_get_device(disk) == VDISK_DEVICE_CDROM && fmt == VDISK_FORMAT_RAW &&
            vdisk_source_get_type(top) == VDISK_TYPE_BLOCK && vd_chain_is_cdrom(path))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': '%s' is a host CD-ROM drive, which libvirt gives QEMU as "
                           "host_cdrom: libvdisk does not translate host CD-ROM drives",
                           vd_chain_label(disk), path);
        return 0;
    }
    /* the sources the XML gives must exist */
    for (last = top; vdisk_source_get_backing(last); last = vdisk_source_get_backing(last)) {
        if (!vd_chain_is_local(last))
            continue;
        w.top_path = vdisk_source_get_path(top);
        if (vdisk_source_get_path(last) && access(vdisk_source_get_path(last), F_OK) < 0)
            return vd_chain_broken(&w, errno, vdisk_source_get_path(last), err);
    }
    for (src = top; src; src = vdisk_source_get_backing(src))
        layers++;
    /* the XML ends the chain: nothing to read */
    if (vdisk_source_get_backing_terminated(last))
        goto depth;
    switch (vdisk_source_get_type(last)) {
    case VDISK_TYPE_FILE:
    case VDISK_TYPE_BLOCK:
        break;
    case VDISK_TYPE_NETWORK:
        /* libvirt reads gluster images itself (with its gluster backend);
         * other protocols it does not traverse */
        if (vdisk_source_get_protocol(last) == VDISK_PROTOCOL_GLUSTER)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                           "disk '%s': the backing chain below gluster volume '%s' is read by "
                           "libvirt's gluster backend, which libvdisk does not do (declare the "
                           "chain with <backingStore> elements, ending in <backingStore/>)",
                           vd_chain_label(disk), vdisk_source_get_path(last));
        goto depth;
    case VDISK_TYPE_DIR:
    case VDISK_TYPE_VOLUME:
    case VDISK_TYPE_NVME:
    case VDISK_TYPE_VHOSTUSER:
    case VDISK_TYPE_NONE:
    case VDISK_TYPE_LAST:
        goto depth;
    }
    w.top_path = vdisk_source_get_path(last);
    if (!w.top_path)
        goto depth;
    fmt = vdisk_source_get_format(last);
    if (fmt == VDISK_FORMAT_NONE)
        fmt = VDISK_FORMAT_RAW;
    {
        vdisk_format got;

        rc = vd_chain_recurse(&w, w.top_path, (int)fmt, 1, &got, err);
        if (rc < 0)
            return -1;
    }
    if (w.top_encrypted && vdisk_source_get_encryption_format(last) == VDISK_ENCRYPTION_DEFAULT)
        return vd_chain_refuse_encrypted(&w, w.top_path, err);
    for (guint i = 0; i < found->len; i++) {
        const vd_chain_image *img = found->pdata[i];
        vdisk_source *b = NULL;
        /* detected iso images are raw to QEMU */
        vdisk_format f = img->format == VDISK_FORMAT_ISO ? VDISK_FORMAT_RAW : img->format;

        if (vdisk_source_new_backing(&b, last, img->type, f, &inner) < 0 ||
            vdisk_source_set_path(b, img->path, &inner) < 0)
            return vd_error_wrap(err, inner, NULL);
        last = b;
        layers++;
    }
    if (vdisk_source_set_backing_terminated(last, 1, &inner) < 0)
        return vd_error_wrap(err, inner, NULL);
    *added = found->len;

depth:
    if (layers > VD_CHAIN_MAX_DEPTH)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "backing chains more than 200 layers deep are not supported for disk '%s'",
                       vd_chain_label(disk));
    return 0;
}

static const vd_qemu_probe_ops vd_chain_probe_ops = {
    .probe_chain = vd_chain_probe_disk,
};

const vd_qemu_probe_ops *
vd_virt_chain_probe_ops(void)
{
    return &vd_chain_probe_ops;
}

int
vdisk_qemu_opts_set_probe_chains(vdisk_qemu_opts *opts, int enable, vdisk_error **err)
{
    VD_API_ENTER();
    if (!opts)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "opts is NULL");
    vd_qemu_opts_set_probe(opts, enable ? &vd_chain_probe_ops : NULL);
    return 0;
}
