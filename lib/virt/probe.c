/*
 * probe.c: image format detection from the header on this host
 *
 * Host-dependent by nature (it reads the file), so it lives beside the other
 * host and daemon work and never runs during translation.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vdisk/hotplug.h"
#include "util/error.h"

/* What a header says. The names are qemu-img's. */
typedef enum {
    VD_PROBE_RAW = 0,
    VD_PROBE_DIR,
    VD_PROBE_QCOW,
    VD_PROBE_QCOW2,
    VD_PROBE_QED,
    VD_PROBE_VMDK,
    VD_PROBE_VDI,
    VD_PROBE_VPC,
    VD_PROBE_VHDX,
    VD_PROBE_LUKS,
    VD_PROBE_ISO,
    VD_PROBE_BOCHS,
    VD_PROBE_DMG,
    VD_PROBE_LAST
} vd_probe_kind;

typedef struct {
    const char *name;
    vdisk_format format; /* VDISK_FORMAT_NONE: libvirt has no name for it */
} vd_probe_info;

/* clang-format off */
static const vd_probe_info vd_probe_table[] = {
    [VD_PROBE_RAW] = {"raw", VDISK_FORMAT_RAW},
    [VD_PROBE_DIR] = {"dir", VDISK_FORMAT_DIR},
    [VD_PROBE_QCOW] = {"qcow", VDISK_FORMAT_QCOW},
    [VD_PROBE_QCOW2] = {"qcow2", VDISK_FORMAT_QCOW2},
    [VD_PROBE_QED] = {"qed", VDISK_FORMAT_QED},
    [VD_PROBE_VMDK] = {"vmdk", VDISK_FORMAT_VMDK},
    [VD_PROBE_VDI] = {"vdi", VDISK_FORMAT_VDI},
    [VD_PROBE_VPC] = {"vpc", VDISK_FORMAT_VPC},
    [VD_PROBE_VHDX] = {"vhdx", VDISK_FORMAT_NONE},
    [VD_PROBE_LUKS] = {"luks", VDISK_FORMAT_NONE},
    [VD_PROBE_ISO] = {"iso", VDISK_FORMAT_ISO},
    [VD_PROBE_BOCHS] = {"bochs", VDISK_FORMAT_BOCHS},
    [VD_PROBE_DMG] = {"dmg", VDISK_FORMAT_DMG},
};
/* clang-format on */
_Static_assert(G_N_ELEMENTS(vd_probe_table) == VD_PROBE_LAST, "probe table incomplete");

/* The ISO 9660 primary volume descriptor's identifier sits at 32769. */
#define VD_ISO_MAGIC_OFFSET 0x8001
#define VD_HEAD_BYTES (VD_ISO_MAGIC_OFFSET + 5)
/* VPC (fixed) and DMG keep their signature in the last 512 bytes. */
#define VD_FOOTER_BYTES 512

typedef struct {
    unsigned char head[VD_HEAD_BYTES];
    size_t head_len;
    unsigned char foot[VD_FOOTER_BYTES];
    size_t foot_len;
} vd_probe_buf;

static bool
vd_has(const unsigned char *buf, size_t len, size_t off, const char *magic, size_t n)
{
    return len >= off + n && memcmp(buf + off, magic, n) == 0;
}

static uint32_t
vd_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t
vd_le32(const unsigned char *p)
{
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

/* Reads up to @len bytes at @off; returns the count read or -1 (errno). */
static ssize_t
vd_read_at(int fd, unsigned char *buf, size_t len, off_t off)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Classifies the header in @b. Returns 0 and sets *@kind (and *@guessed
 * for the raw fallback), or -1 when a magic is there but cut short. */
static int
vd_probe_classify(const vd_probe_buf *b, const char *path, vd_probe_kind *kind, bool *guessed,
                  vdisk_error **err)
{
    const unsigned char *h = b->head;
    size_t n = b->head_len;

    *guessed = false;
    if (vd_has(h, n, 0, "QFI\xfb", 4)) {
        uint32_t version;

        if (n < 8)
            return vd_fail(err, VDISK_ERR_INVALID,
                           "'%s' starts with the qcow magic but its header is cut short "
                           "(%zu bytes)",
                           path, n);
        version = vd_be32(h + 4);
        if (version == 1) {
            *kind = VD_PROBE_QCOW;
        } else if (version == 2 || version == 3) {
            *kind = VD_PROBE_QCOW2;
        } else {
            return vd_fail(err, VDISK_ERR_INVALID, "'%s': unknown qcow version %u", path,
                           (unsigned int)version);
        }
        return 0;
    }
    if (vd_has(h, n, 0, "QED\0", 4)) {
        *kind = VD_PROBE_QED;
        return 0;
    }
    if (vd_has(h, n, 0, "KDMV", 4) || vd_has(h, n, 0, "COWD", 4) ||
        vd_has(h, n, 0, "# Disk DescriptorFile", 21)) {
        *kind = VD_PROBE_VMDK;
        return 0;
    }
    if (vd_has(h, n, 0, "vhdxfile", 8)) {
        *kind = VD_PROBE_VHDX;
        return 0;
    }
    if (vd_has(h, n, 0, "conectix", 8)) {
        *kind = VD_PROBE_VPC;
        return 0;
    }
    if (vd_has(h, n, 0, "LUKS\xba\xbe", 6)) {
        *kind = VD_PROBE_LUKS;
        return 0;
    }
    if (vd_has(h, n, 0, "<<< ", 4) && (n < 68 || vd_le32(h + 64) == 0xbeda107fu)) {
        /* VirtualBox's banner text, then the signature at 64. */
        if (n < 68)
            return vd_fail(err, VDISK_ERR_INVALID,
                           "'%s' starts like a vdi image but its header is cut short "
                           "(%zu bytes)",
                           path, n);
        *kind = VD_PROBE_VDI;
        return 0;
    }
    if (vd_has(h, n, 0, "Bochs Virtual HD Image", 22)) {
        *kind = VD_PROBE_BOCHS;
        return 0;
    }
    if (vd_has(h, n, VD_ISO_MAGIC_OFFSET, "CD001", 5)) {
        *kind = VD_PROBE_ISO;
        return 0;
    }
    if (vd_has(b->foot, b->foot_len, 0, "conectix", 8)) {
        *kind = VD_PROBE_VPC; /* a fixed-size VHD: only the footer */
        return 0;
    }
    if (vd_has(b->foot, b->foot_len, 0, "koly", 4)) {
        *kind = VD_PROBE_DMG;
        return 0;
    }
    *kind = VD_PROBE_RAW;
    *guessed = true;
    return 0;
}

static int
vd_probe(const char *path, vd_probe_kind *kind, bool *guessed, vdisk_error **err)
{
    g_autofree vd_probe_buf *b = g_new0(vd_probe_buf, 1);
    struct stat st;
    ssize_t n;
    off_t size;
    int fd;
    int rc = -1;

    if (!path || !*path)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no image path given");
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        int e = errno;

        return vd_fail(err, e == ENOENT ? VDISK_ERR_NOT_FOUND : VDISK_ERR_SYSTEM,
                       "cannot open image '%s': %s", path, g_strerror(e));
    }
    if (fstat(fd, &st) < 0) {
        vd_error_set(err, VDISK_ERR_SYSTEM, "cannot stat image '%s': %s", path, g_strerror(errno));
        goto cleanup;
    }
    if (S_ISDIR(st.st_mode)) {
        *kind = VD_PROBE_DIR;
        *guessed = false;
        rc = 0;
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        vd_error_set(err, VDISK_ERR_INVALID_ARG,
                     "'%s' is neither a regular file, a block device nor a directory", path);
        goto cleanup;
    }
    if ((n = vd_read_at(fd, b->head, sizeof(b->head), 0)) < 0) {
        vd_error_set(err, VDISK_ERR_SYSTEM, "cannot read image '%s': %s", path, g_strerror(errno));
        goto cleanup;
    }
    b->head_len = (size_t)n;
    size = S_ISREG(st.st_mode) ? st.st_size : lseek(fd, 0, SEEK_END);
    if (size >= VD_FOOTER_BYTES) {
        if ((n = vd_read_at(fd, b->foot, sizeof(b->foot), size - VD_FOOTER_BYTES)) < 0) {
            vd_error_set(err, VDISK_ERR_SYSTEM, "cannot read image '%s': %s", path,
                         g_strerror(errno));
            goto cleanup;
        }
        b->foot_len = (size_t)n;
    }
    rc = vd_probe_classify(b, path, kind, guessed, err);

cleanup:
    close(fd);
    return rc;
}

int
vdisk_image_probe_format(const char *path, vdisk_format *format, unsigned int *flags_out,
                         vdisk_error **err)
{
    vd_probe_kind kind;
    bool guessed;

    VD_API_ENTER();
    if (!format)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no place for the format (format is NULL)");
    if (vd_probe(path, &kind, &guessed, err) < 0)
        return -1;
    if (vd_probe_table[kind].format == VDISK_FORMAT_NONE) {
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       kind == VD_PROBE_LUKS
                           ? "'%s' is a %s image, which libvirt's QEMU driver has no format "
                             "for (use format 'raw' with <encryption format='luks'>)"
                           : "'%s' is a %s image, a format libvirt's QEMU driver does not "
                             "accept",
                       path, vd_probe_table[kind].name);
    }
    *format = vd_probe_table[kind].format;
    if (flags_out)
        *flags_out = guessed ? VDISK_PROBE_GUESSED : 0;
    return 0;
}

int
vdisk_image_probe_format_name(const char *path, char **name, unsigned int *flags_out,
                              vdisk_error **err)
{
    vd_probe_kind kind;
    bool guessed;

    VD_API_ENTER();
    if (!name)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "no place for the name (name is NULL)");
    if (vd_probe(path, &kind, &guessed, err) < 0)
        return -1;
    *name = g_strdup(vd_probe_table[kind].name);
    if (flags_out)
        *flags_out = guessed ? VDISK_PROBE_GUESSED : 0;
    return 0;
}
