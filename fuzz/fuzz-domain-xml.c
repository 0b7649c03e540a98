/*
 * fuzz-domain-xml.c: vdisk_domain_from_xml() on arbitrary bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = fuzz_string(data, size);
    vdisk_domain *dom = NULL;
    vdisk_domain *again = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;
    char *out2 = NULL;
    size_t i;
    int rc;

    rc = vdisk_domain_from_xml(&dom, xml, &err);
    fuzz_check_error(rc, err);
    if (rc < 0)
        goto cleanup;
    for (i = 0; i < vdisk_domain_get_disk_count(dom); i++) {
        char *disk_xml = NULL;

        if (vdisk_disk_to_xml(&disk_xml, vdisk_domain_get_disk_const(dom, i), &err) < 0)
            fuzz_die("a disk of an accepted domain does not format", xml, err);
        vdisk_free(disk_xml);
    }
    if (vdisk_domain_to_xml(&out, dom, &err) < 0)
        fuzz_die("an accepted domain does not format", xml, err);
    if (vdisk_domain_from_xml(&again, out, &err) < 0)
        fuzz_die("a formatted domain does not parse again", out, err);
    if (vdisk_domain_get_disk_count(again) != vdisk_domain_get_disk_count(dom))
        fuzz_die("re-parsing changed the number of disks", out, NULL);
    if (vdisk_domain_to_xml(&out2, again, &err) < 0)
        fuzz_die("a re-parsed domain does not format", out, err);
    if (strcmp(out, out2) != 0)
        fuzz_die("formatting is not a fixed point", out2, NULL);

cleanup:
    vdisk_free(out);
    vdisk_free(out2);
    vdisk_domain_free(dom);
    vdisk_domain_free(again);
    vdisk_error_free(err);
    free(xml);
    return 0;
}
