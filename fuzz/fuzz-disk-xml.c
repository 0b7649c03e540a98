/*
 * fuzz-disk-xml.c: vdisk_disk_from_xml() on arbitrary bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = fuzz_string(data, size);
    vdisk_disk *disk = NULL;
    vdisk_disk *again = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;
    char *out2 = NULL;
    int rc;

    rc = vdisk_disk_from_xml(&disk, xml, &err);
    fuzz_check_error(rc, err);
    if (rc < 0)
        goto cleanup;
    if (vdisk_disk_to_xml(&out, disk, &err) < 0)
        fuzz_die("an accepted disk does not format", xml, err);
    if (vdisk_disk_from_xml(&again, out, &err) < 0)
        fuzz_die("a formatted disk does not parse again", out, err);
    if (vdisk_disk_to_xml(&out2, again, &err) < 0)
        fuzz_die("a re-parsed disk does not format", out, err);
    if (strcmp(out, out2) != 0)
        fuzz_die("formatting is not a fixed point", out2, NULL);

cleanup:
    vdisk_free(out);
    vdisk_free(out2);
    vdisk_disk_free(disk);
    vdisk_disk_free(again);
    vdisk_error_free(err);
    free(xml);
    return 0;
}
