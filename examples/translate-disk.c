/*
 * translate-disk.c: build a disk with the setters and print the QEMU
 * arguments libvirt 9.0 gives it, one argv element per line.
 *
 *   translate-disk [PATH [FORMAT]]
 *
 * PATH defaults to /var/lib/libvirt/images/demo.qcow2, FORMAT to qcow2.
 * The disk is vda on the virtio bus with cache mode none, on a "pc" machine.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include <vdisk/vdisk.h>

int
main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/var/lib/libvirt/images/demo.qcow2";
    const char *fmt = argc > 2 ? argv[2] : "qcow2";
    int format = vdisk_enum_from_string(VDISK_ENUM_FORMAT, fmt);
    vdisk_disk *disk = vdisk_disk_new();
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;
    int ret = 1;
    size_t i;

    if (argc > 3 || format < 0) {
        fprintf(stderr, "usage: %s [PATH [FORMAT]]\n", argv[0]);
        vdisk_disk_free(disk);
        return 2;
    }
    if (!disk)
        return 1;

    if (vdisk_source_set_type(vdisk_disk_get_source(disk), VDISK_TYPE_FILE, &err) < 0 ||
        vdisk_source_set_path(vdisk_disk_get_source(disk), path, &err) < 0 ||
        vdisk_source_set_format(vdisk_disk_get_source(disk), format, &err) < 0 ||
        vdisk_disk_set_target(disk, "vda", &err) < 0 ||
        vdisk_disk_set_bus(disk, VDISK_BUS_VIRTIO, &err) < 0 ||
        vdisk_disk_set_cache(disk, VDISK_CACHE_NONE, &err) < 0 ||
        vdisk_disk_validate(disk, NULL, &err) < 0 ||
        vdisk_qemu_translate_disk(&args, disk, NULL, NULL, &err) < 0) {
        fprintf(stderr, "%s: %s\n", argv[0], vdisk_error_get_message(err));
        goto cleanup;
    }

    for (i = 0; i < vdisk_qemu_args_count(args); i++)
        printf("%s\n", vdisk_qemu_args_get(args, i));
    ret = 0;

cleanup:
    vdisk_qemu_args_free(args);
    vdisk_error_free(err);
    vdisk_disk_free(disk);
    return ret;
}
