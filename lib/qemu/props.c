/*
 * props.c: ordered property trees and their JSON rendering
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "qemu/props.h"

static vd_prop *
vd_prop_new(vd_prop_type type)
{
    vd_prop *p = g_new0(vd_prop, 1);
    p->type = type;
    return p;
}

vd_prop *
vd_prop_object_new(void)
{
    return vd_prop_new(VD_PROP_OBJECT);
}

vd_prop *
vd_prop_array_new(void)
{
    return vd_prop_new(VD_PROP_ARRAY);
}

void
vd_prop_free(vd_prop *prop)
{
    while (prop) {
        vd_prop *next = prop->next;
        vd_prop_free(prop->children);
        g_free(prop->key);
        g_free(prop->str);
        g_free(prop);
        prop = next;
    }
}

static void
vd_prop_link(vd_prop *parent, const char *key, vd_prop *child)
{
    child->key = g_strdup(key);
    child->next = NULL;
    if (parent->last)
        parent->last->next = child;
    else
        parent->children = child;
    parent->last = child;
}

void
vd_prop_add_str(vd_prop *obj, const char *key, const char *value)
{
    vd_prop *p = vd_prop_new(VD_PROP_STRING);
    p->str = g_strdup(value ? value : "");
    vd_prop_link(obj, key, p);
}

void
vd_prop_add_str_opt(vd_prop *obj, const char *key, const char *value)
{
    if (value)
        vd_prop_add_str(obj, key, value);
}

void
vd_prop_add_int(vd_prop *obj, const char *key, long long value)
{
    vd_prop *p = vd_prop_new(VD_PROP_NUMBER);
    p->str = g_strdup_printf("%lld", value);
    vd_prop_link(obj, key, p);
}

void
vd_prop_add_uint(vd_prop *obj, const char *key, unsigned long long value)
{
    vd_prop *p = vd_prop_new(VD_PROP_NUMBER);
    p->str = g_strdup_printf("%llu", value);
    vd_prop_link(obj, key, p);
}

void
vd_prop_add_uint_opt(vd_prop *obj, const char *key, unsigned long long value)
{
    if (value)
        vd_prop_add_uint(obj, key, value);
}

void
vd_prop_add_bool(vd_prop *obj, const char *key, bool value)
{
    vd_prop *p = vd_prop_new(VD_PROP_BOOL);
    p->boolean = value;
    vd_prop_link(obj, key, p);
}

void
vd_prop_add_tristate_bool(vd_prop *obj, const char *key, vdisk_tristate value)
{
    switch (value) {
    case VDISK_TRISTATE_ON:
        vd_prop_add_bool(obj, key, true);
        break;
    case VDISK_TRISTATE_OFF:
        vd_prop_add_bool(obj, key, false);
        break;
    case VDISK_TRISTATE_DEFAULT:
    case VDISK_TRISTATE_LAST:
        break;
    }
}

void
vd_prop_add_tristate_onoff(vd_prop *obj, const char *key, vdisk_tristate value)
{
    switch (value) {
    case VDISK_TRISTATE_ON:
        vd_prop_add_str(obj, key, "on");
        break;
    case VDISK_TRISTATE_OFF:
        vd_prop_add_str(obj, key, "off");
        break;
    case VDISK_TRISTATE_DEFAULT:
    case VDISK_TRISTATE_LAST:
        break;
    }
}

void
vd_prop_add_null(vd_prop *obj, const char *key)
{
    vd_prop_link(obj, key, vd_prop_new(VD_PROP_NULL));
}

void
vd_prop_add_prop(vd_prop *obj, const char *key, vd_prop *child)
{
    if (child)
        vd_prop_link(obj, key, child);
}

void
vd_prop_append(vd_prop *arr, vd_prop *child)
{
    if (child)
        vd_prop_link(arr, NULL, child);
}

const vd_prop *
vd_prop_get(const vd_prop *obj, const char *key)
{
    const vd_prop *p;

    if (!obj || obj->type != VD_PROP_OBJECT)
        return NULL;
    for (p = obj->children; p; p = p->next) {
        if (g_strcmp0(p->key, key) == 0)
            return p;
    }
    return NULL;
}

const char *
vd_prop_get_str(const vd_prop *obj, const char *key)
{
    const vd_prop *p = vd_prop_get(obj, key);
    return p && (p->type == VD_PROP_STRING || p->type == VD_PROP_NUMBER) ? p->str : NULL;
}

void
vd_json_escape_append(GString *buf, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;

    g_string_append_c(buf, '"');
    for (; *p; p++) {
        char esc[7];
        const char *rep = esc;

        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        switch (*p) {
        case '"':
            rep = "\\\"";
            break;
        case '\\':
            rep = "\\\\";
            break;
        case '\b':
            rep = "\\b";
            break;
        case '\f':
            rep = "\\f";
            break;
        case '\n':
            rep = "\\n";
            break;
        case '\r':
            rep = "\\r";
            break;
        case '\t':
            rep = "\\t";
            break;
        default:
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 0xf];
            esc[6] = '\0';
            break;
        }
        g_string_append_len(buf, (const char *)run, (gssize)(p - run));
        g_string_append(buf, rep);
        run = p + 1;
    }
    g_string_append_len(buf, (const char *)run, (gssize)(p - run));
    g_string_append_c(buf, '"');
}

void
vd_prop_to_json(GString *buf, const vd_prop *prop)
{
    const vd_prop *c;

    switch (prop->type) {
    case VD_PROP_OBJECT:
        g_string_append_c(buf, '{');
        for (c = prop->children; c; c = c->next) {
            if (c != prop->children)
                g_string_append_c(buf, ',');
            vd_json_escape_append(buf, c->key);
            g_string_append_c(buf, ':');
            vd_prop_to_json(buf, c);
        }
        g_string_append_c(buf, '}');
        break;
    case VD_PROP_ARRAY:
        g_string_append_c(buf, '[');
        for (c = prop->children; c; c = c->next) {
            if (c != prop->children)
                g_string_append_c(buf, ',');
            vd_prop_to_json(buf, c);
        }
        g_string_append_c(buf, ']');
        break;
    case VD_PROP_STRING:
        vd_json_escape_append(buf, prop->str);
        break;
    case VD_PROP_NUMBER:
        g_string_append(buf, prop->str);
        break;
    case VD_PROP_BOOL:
        g_string_append(buf, prop->boolean ? "true" : "false");
        break;
    case VD_PROP_NULL:
        g_string_append(buf, "null");
        break;
    }
}

char *
vd_prop_to_json_string(const vd_prop *prop)
{
    GString *buf = g_string_sized_new(256);
    vd_prop_to_json(buf, prop);
    return g_string_free(buf, FALSE);
}

void
vd_shell_quote_append(GString *buf, const char *arg)
{
    const char *p;

    if (!*arg) {
        g_string_append(buf, "''");
        return;
    }
    if (!strpbrk(arg, "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~")) {
        g_string_append(buf, arg);
        return;
    }
    g_string_append_c(buf, '\'');
    for (p = arg; *p; p++) {
        if (*p == '\'')
            g_string_append(buf, "'\\'");
        g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '\'');
}
