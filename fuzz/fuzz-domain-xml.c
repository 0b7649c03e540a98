/*
 * fuzz-domain-xml.c: vdisk_domain_from_xml() on arbitrary bytes
 *
 * Formatting a domain is not quite a fixed point, as in libvirt 9.0: the
 * disks are put in order when they are inserted at parse time, comparing
 * the buses as written, before the bus is filled in from the target name.
 * Defining the formatted XML again, where every bus is written, may then
 * reorder the disks once (`virsh define` of <disk> vdb bus='virtio' then
 * vda without a bus dumps vdb, vda; defining that again dumps vda, vdb).
 * So the second formatting may differ from the first only in the order of
 * the <disk> elements of <devices>, and the third must equal the second.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdbool.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz-common.h"

typedef struct {
    char *rest;   /* the document, the disks of <devices> emptied */
    char **disks; /* each disk element, sorted */
    size_t ndisks;
} fuzz_split;

static bool
fuzz_is_element(const xmlNode *n, const char *name)
{
    /* the library finds <devices> and <disk> by qualified name */
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0 &&
           (!n->ns || !n->ns->prefix);
}

static int
fuzz_strptrcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
fuzz_dump(xmlDocPtr doc, xmlNodePtr node)
{
    xmlBufferPtr buf = xmlBufferCreate();
    char *s;

    if (!buf)
        abort();
    if (node) {
        xmlNodeDump(buf, doc, node, 0, 0);
    } else {
        xmlChar *mem = NULL;
        int len = 0;

        xmlDocDumpMemory(doc, &mem, &len);
        xmlBufferAdd(buf, mem, len);
        xmlFree(mem);
    }
    s = strdup((const char *)xmlBufferContent(buf));
    if (!s)
        abort();
    xmlBufferFree(buf);
    return s;
}

/* Splits formatted domain XML into its disks and the rest, where each
 * disk is left as <disk/>. */
static void
fuzz_split_disks(fuzz_split *sp, const char *xml)
{
    xmlDocPtr doc =
        xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                      XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root;
    xmlNodePtr devices = NULL;
    xmlNodePtr n;
    size_t cap = 0;

    memset(sp, 0, sizeof(*sp));
    if (!doc)
        fuzz_die("formatted domain XML is not well-formed", xml, NULL);
    root = xmlDocGetRootElement(doc);
    for (n = root ? root->children : NULL; n && !devices; n = n->next) {
        if (fuzz_is_element(n, "devices"))
            devices = n;
    }
    for (n = devices ? devices->children : NULL; n;) {
        xmlNodePtr next = n->next;

        if (fuzz_is_element(n, "disk")) {
            if (sp->ndisks == cap) {
                cap = cap ? 2 * cap : 8;
                sp->disks = realloc(sp->disks, cap * sizeof(*sp->disks));
                if (!sp->disks)
                    abort();
            }
            sp->disks[sp->ndisks++] = fuzz_dump(doc, n);
            /* an empty <disk/> keeps the place: disks may trade places,
             * not move among the other devices */
            xmlFreeNode(xmlReplaceNode(n, xmlNewDocNode(doc, NULL, BAD_CAST "disk", NULL)));
        }
        n = next;
    }
    if (sp->ndisks)
        qsort(sp->disks, sp->ndisks, sizeof(*sp->disks), fuzz_strptrcmp);
    sp->rest = fuzz_dump(doc, NULL);
    xmlFreeDoc(doc);
}

static void
fuzz_split_clear(fuzz_split *sp)
{
    size_t i;

    for (i = 0; i < sp->ndisks; i++)
        free(sp->disks[i]);
    free(sp->disks);
    free(sp->rest);
}

/* Whether @a and @b differ at most in the order of the disks. */
static bool
fuzz_same_but_disk_order(const char *a, const char *b)
{
    fuzz_split sa;
    fuzz_split sb;
    bool same;
    size_t i;

    fuzz_split_disks(&sa, a);
    fuzz_split_disks(&sb, b);
    same = sa.ndisks == sb.ndisks && strcmp(sa.rest, sb.rest) == 0;
    for (i = 0; same && i < sa.ndisks; i++)
        same = strcmp(sa.disks[i], sb.disks[i]) == 0;
    fuzz_split_clear(&sa);
    fuzz_split_clear(&sb);
    return same;
}

/* Parses the formatted @xml of @prev again and formats the result. */
static char *
fuzz_reformat(const vdisk_domain *prev, const char *xml)
{
    vdisk_domain *again = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;

    if (vdisk_domain_from_xml(&again, xml, &err) < 0)
        fuzz_die("a formatted domain does not parse again", xml, err);
    if (vdisk_domain_get_disk_count(again) != vdisk_domain_get_disk_count(prev))
        fuzz_die("re-parsing changed the number of disks", xml, NULL);
    if (vdisk_domain_to_xml(&out, again, &err) < 0)
        fuzz_die("a re-parsed domain does not format", xml, err);
    vdisk_domain_free(again);
    return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = fuzz_string(data, size);
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;
    char *out = NULL;
    char *out2 = NULL;
    char *out3 = NULL;
    size_t i;
    int rc;

    rc = vdisk_domain_from_xml(&dom, xml, &err);
    fuzz_check_error(rc, err);
    if (rc < 0)
        goto cleanup;
    for (i = 0; i < vdisk_domain_get_disk_count(dom); i++) {
        const vdisk_disk *disk = vdisk_domain_get_disk_const(dom, i);
        vdisk_disk *alone = NULL;
        char *disk_xml = NULL;

        if (vdisk_disk_to_xml(&disk_xml, disk, &err) < 0)
            fuzz_die("a disk of an accepted domain does not format", xml, err);
        /* the disk's XML stands on its own and reads back as the same disk */
        if (vdisk_disk_from_xml_flags(&alone, disk_xml,
                                      VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE, &err) < 0)
            fuzz_die("a formatted disk of a domain does not parse on its own", disk_xml, err);
        if (!vdisk_disk_equal(alone, disk))
            fuzz_die("a formatted disk of a domain reads back as another disk", disk_xml, NULL);
        vdisk_disk_free(alone);
        vdisk_free(disk_xml);
    }
    if (vdisk_domain_to_xml(&out, dom, &err) < 0)
        fuzz_die("an accepted domain does not format", xml, err);
    out2 = fuzz_reformat(dom, out);
    if (strcmp(out, out2) != 0) {
        if (!fuzz_same_but_disk_order(out, out2))
            fuzz_die("formatting again changed more than the order of the disks", out2, NULL);
        out3 = fuzz_reformat(dom, out2);
        if (strcmp(out2, out3) != 0)
            fuzz_die("formatting is not a fixed point from the second formatting on", out3, NULL);
    }

cleanup:
    vdisk_free(out);
    vdisk_free(out2);
    vdisk_free(out3);
    vdisk_domain_free(dom);
    vdisk_error_free(err);
    free(xml);
    return 0;
}
