/*
 * attach-disk.c: attach an image to a domain on the next free target
 *
 *   attach-disk [--connect URI] DOMAIN SOURCE [--bus virtio|scsi|usb]
 *               [--format FMT] [--cache MODE] [--readonly]
 *
 * SOURCE is an image file or a block device. The format defaults to raw:
 * a management tool states the format rather than letting QEMU guess it.
 * The disk goes to the running domain and to its persistent configuration,
 * whichever of the two the domain has. On success the target the disk got
 * ("vdb", "sdc", ...) is printed on stdout.
 *
 * Exit status: 0 attached, 1 refused (the reason goes to stderr), 2 usage.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include <libvirt/virterror.h>
#include <vdisk/hotplug.h>
#include <vdisk/vdisk.h>

static int
usage(FILE *fp, const char *prog)
{
    fprintf(fp,
            "usage: %s [--connect URI] DOMAIN SOURCE [--bus virtio|scsi|usb] "
            "[--format FMT] [--cache MODE] [--readonly]\n",
            prog);
    return fp == stdout ? 0 : 2;
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"connect", required_argument, NULL, 'c'},
        {"bus", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'},
        {"cache", required_argument, NULL, 'C'},
        {"readonly", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *uri = NULL, *bus = "virtio", *fmt = "raw", *cache = NULL;
    int readonly = 0, ret = 1, c, b, f, m = VDISK_CACHE_DEFAULT;
    unsigned int flags = 0;
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    vdisk_disk *disk = NULL;
    vdisk_source *src;
    vdisk_error *err = NULL;
    char *target = NULL;
    struct stat sb;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            uri = optarg;
            break;
        case 'b':
            bus = optarg;
            break;
        case 'f':
            fmt = optarg;
            break;
        case 'C':
            cache = optarg;
            break;
        case 'r':
            readonly = 1;
            break;
        case 'h':
            return usage(stdout, argv[0]);
        default:
            return usage(stderr, argv[0]);
        }
    }
    if (argc - optind != 2)
        return usage(stderr, argv[0]);
    b = vdisk_enum_from_string(VDISK_ENUM_BUS, bus);
    f = vdisk_enum_from_string(VDISK_ENUM_FORMAT, fmt);
    if (cache)
        m = vdisk_enum_from_string(VDISK_ENUM_CACHE, cache);
    if ((b != VDISK_BUS_VIRTIO && b != VDISK_BUS_SCSI && b != VDISK_BUS_USB) || f < 0 || m < 0) {
        fprintf(stderr, "%s: unknown bus '%s', format '%s' or cache mode '%s'\n", argv[0], bus, fmt,
                cache ? cache : "");
        return 2;
    }

    /* The disk: a file or a block device, by what SOURCE is. */
    if (!(disk = vdisk_disk_new()))
        return 1;
    src = vdisk_disk_get_source(disk);
    if (vdisk_source_set_type(src,
                              stat(argv[optind + 1], &sb) == 0 && S_ISBLK(sb.st_mode)
                                  ? VDISK_TYPE_BLOCK
                                  : VDISK_TYPE_FILE,
                              &err) < 0 ||
        vdisk_source_set_path(src, argv[optind + 1], &err) < 0 ||
        vdisk_source_set_format(src, f, &err) < 0 || vdisk_disk_set_bus(disk, b, &err) < 0 ||
        vdisk_disk_set_cache(disk, m, &err) < 0 ||
        vdisk_disk_set_readonly(disk, readonly, &err) < 0)
        goto cleanup;

    /* The domain: live if it runs, config if it is defined; both when both. */
    if (vdisk_connect_open(&conn, uri, VDISK_CONNECT_DEFAULT, &err) < 0)
        goto cleanup;
    if (!(dom = virDomainLookupByName(conn, argv[optind]))) {
        fprintf(stderr, "%s: %s\n", argv[0], virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainIsActive(dom) == 1)
        flags |= VDISK_HOTPLUG_LIVE;
    if (virDomainIsPersistent(dom) == 1)
        flags |= VDISK_HOTPLUG_CONFIG;

    if (vdisk_hotplug_next_target(&target, dom, b, &err) < 0 ||
        vdisk_disk_set_target(disk, target, &err) < 0 ||
        vdisk_hotplug_attach(dom, disk, flags, &err) < 0)
        goto cleanup;
    printf("%s\n", target);
    ret = 0;

cleanup:
    if (err)
        fprintf(stderr, "%s: %s\n", argv[0], vdisk_error_get_message(err));
    vdisk_error_free(err);
    vdisk_free(target);
    vdisk_disk_free(disk);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return ret;
}
