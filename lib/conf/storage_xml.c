/*
 * storage_xml.c: libvirt's storage pool and volume XML, as far as the volume
 * calls read and write it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
#include "util/error.h"
#include "util/xtree.h"

char *
vd_storage_pool_xml_type(const char *xml, const char *what, vdisk_error **err)
{
    g_autoptr(vd_doc) doc = NULL;
    const char *type;

    if (vd_doc_parse(&doc, xml, strlen(xml), what, err) < 0)
        return NULL;
    if (!(type = vd_node_attr(doc->root, "type"))) {
        vd_error_set(err, VDISK_ERR_INTERNAL, "%s: libvirt's XML has no pool type", what);
        return NULL;
    }
    return g_strdup(type);
}

int
vd_storage_vol_xml_format(const char *xml, const char *what, vdisk_format *format,
                          vdisk_error **err)
{
    g_autoptr(vd_doc) doc = NULL;
    vd_node *target;
    vd_node *fmt;
    const char *type;
    int f;

    *format = VDISK_FORMAT_NONE;
    if (vd_doc_parse(&doc, xml, strlen(xml), what, err) < 0)
        return -1;
    if ((target = vd_node_child(doc->root, "target")) && (fmt = vd_node_child(target, "format")) &&
        (type = vd_node_attr(fmt, "type")) && (f = vd_format_from_string(type)) > 0)
        *format = (vdisk_format)f;
    return 0;
}

char *
vd_storage_vol_xml_new(const char *name, unsigned long long capacity, vdisk_format format,
                       const char *backing_path, vdisk_format backing_format)
{
    GString *buf = g_string_new("<volume>\n  <name>");

    vd_escape_append(buf, name, false);
    g_string_append(buf, "</name>\n");
    if (capacity)
        g_string_append_printf(buf, "  <capacity unit='bytes'>%llu</capacity>\n", capacity);
    g_string_append(buf, "  <allocation unit='bytes'>0</allocation>\n");
    if (format != VDISK_FORMAT_NONE)
        g_string_append_printf(buf, "  <target>\n    <format type='%s'/>\n  </target>\n",
                               vd_format_to_string(format));
    if (backing_path) {
        g_string_append(buf, "  <backingStore>\n    <path>");
        vd_escape_append(buf, backing_path, false);
        g_string_append(buf, "</path>\n");
        if (backing_format != VDISK_FORMAT_NONE)
            g_string_append_printf(buf, "    <format type='%s'/>\n",
                                   vd_format_to_string(backing_format));
        g_string_append(buf, "  </backingStore>\n");
    }
    g_string_append(buf, "</volume>\n");
    return g_string_free(buf, FALSE);
}
