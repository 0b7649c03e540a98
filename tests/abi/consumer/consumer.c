/*
 * consumer.c: a program built against an installed libvdisk, the way a
 * user of the package builds one (pkg-config or find_package(vdisk)).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include <vdisk/vdisk.h>

int
main(void)
{
    char expected[32];
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    char *xml = NULL;
    const char *in = "<disk type='file' device='disk'><source file='/var/lib/img/a.qcow2'/>"
                     "<target dev='vdb'/></disk>";

    snprintf(expected, sizeof(expected), "%d.%d.%d", VDISK_VERSION_MAJOR, VDISK_VERSION_MINOR,
             VDISK_VERSION_MICRO);
    if (strcmp(vdisk_version(), expected) != 0) {
        fprintf(stderr, "library version %s, headers %s\n", vdisk_version(), expected);
        return 1;
    }
    if (vdisk_disk_from_xml(&disk, in, &err) < 0 || vdisk_disk_to_xml(&xml, disk, &err) < 0) {
        fprintf(stderr, "%s\n", err ? vdisk_error_get_message(err) : "failed without an error");
        vdisk_error_free(err);
        vdisk_disk_free(disk);
        return 1;
    }
    if (!strstr(xml, "vdb") || !strstr(xml, "/var/lib/img/a.qcow2")) {
        fprintf(stderr, "unexpected XML:\n%s", xml);
        return 1;
    }
    printf("libvdisk %s: %s", vdisk_version(), xml);
    vdisk_free(xml);
    vdisk_disk_free(disk);
    return 0;
}
