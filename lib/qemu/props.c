/*
 * props.c: ordered property trees and their JSON rendering
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stddef.h>
#include <string.h>

#include "qemu/props.h"

struct vd_prop_chunk {
    vd_prop_chunk *next;
    size_t used;
    size_t size;
    _Alignas(max_align_t) char data[];
};

/* Room for the scalar members of a typical -blockdev or -device; a chunk
 * stays under 1 KiB, the sizes malloc recycles fastest. */
#define VD_PROP_CHUNK_SIZE (1000 - sizeof(vd_prop_chunk))

static void *
vd_prop_chunk_alloc(vd_prop *container, size_t size)
{
    vd_prop_chunk *chunk = container->chunks;
    void *p;

    size = (size + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    if (!chunk || chunk->size - chunk->used < size) {
        size_t room = MAX(size, VD_PROP_CHUNK_SIZE);

        chunk = g_malloc(sizeof(vd_prop_chunk) + room);
        chunk->used = 0;
        chunk->size = room;
        chunk->next = container->chunks;
        container->chunks = chunk;
    }
    p = chunk->data + chunk->used;
    chunk->used += size;
    return p;
}

/* A node holding @len bytes of @text; in @container's chunks when one is
 * given, else allocated on its own. */
static vd_prop *
vd_prop_new_text(vd_prop *container, vd_prop_type type, const char *text, size_t len)
{
    size_t size = sizeof(vd_prop) + len + 1;
    vd_prop *p = container ? vd_prop_chunk_alloc(container, size) : g_malloc(size);

    p->type = type;
    p->boolean = false;
    p->in_chunk = container != NULL;
    p->odd_key = false;
    p->key = NULL;
    p->children = p->last = p->next = NULL;
    p->chunks = NULL;
    memcpy(p->str, text, len);
    p->str[len] = '\0';
    return p;
}

static vd_prop *
vd_prop_new(vd_prop *container, vd_prop_type type)
{
    return vd_prop_new_text(container, type, "", 0);
}

vd_prop *
vd_prop_object_new(void)
{
    return vd_prop_new(NULL, VD_PROP_OBJECT);
}

vd_prop *
vd_prop_array_new(void)
{
    return vd_prop_new(NULL, VD_PROP_ARRAY);
}

vd_prop *
vd_prop_string_new(const char *value)
{
    if (!value)
        value = "";
    return vd_prop_new_text(NULL, VD_PROP_STRING, value, strlen(value));
}

void
vd_prop_free(vd_prop *prop)
{
    vd_prop *c;
    vd_prop *next;

    if (!prop)
        return;
    for (c = prop->children; c; c = next) {
        next = c->next;
        if (!c->in_chunk)
            vd_prop_free(c);
    }
    while (prop->chunks) {
        vd_prop_chunk *chunk = prop->chunks;

        prop->chunks = chunk->next;
        g_free(chunk);
    }
    g_free(prop);
}

static void
vd_prop_link(vd_prop *parent, const char *key, vd_prop *child)
{
    child->key = key;
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
    if (!value)
        value = "";
    vd_prop_link(obj, key, vd_prop_new_text(obj, VD_PROP_STRING, value, strlen(value)));
}

void
vd_prop_add_str_opt(vd_prop *obj, const char *key, const char *value)
{
    if (value)
        vd_prop_add_str(obj, key, value);
}

/* Writes the decimal digits of @value (at most 20) right before @end;
 * returns where they start. */
static char *
vd_format_ull(char *end, unsigned long long value)
{
    do {
        *--end = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return end;
}

static void
vd_prop_add_number(vd_prop *obj, const char *key, bool negative, unsigned long long magnitude)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *start = vd_format_ull(end, magnitude);

    if (negative)
        *--start = '-';
    vd_prop_link(obj, key, vd_prop_new_text(obj, VD_PROP_NUMBER, start, (size_t)(end - start)));
}

void
vd_prop_add_int(vd_prop *obj, const char *key, long long value)
{
    /* the magnitude of LLONG_MIN does not fit a long long */
    if (value < 0)
        vd_prop_add_number(obj, key, true, 0ULL - (unsigned long long)value);
    else
        vd_prop_add_number(obj, key, false, (unsigned long long)value);
}

void
vd_prop_add_uint(vd_prop *obj, const char *key, unsigned long long value)
{
    vd_prop_add_number(obj, key, false, value);
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
    vd_prop *p = vd_prop_new(obj, VD_PROP_BOOL);
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
    vd_prop_link(obj, key, vd_prop_new(obj, VD_PROP_NULL));
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

void
vd_prop_mark_odd_key(vd_prop *obj)
{
    if (obj->last)
        obj->last->odd_key = true;
}

void
vd_prop_remove(vd_prop *obj, const char *key)
{
    vd_prop *prev = NULL;

    for (vd_prop *c = obj->children; c; prev = c, c = c->next) {
        if (!c->key || strcmp(c->key, key) != 0)
            continue;
        if (prev)
            prev->next = c->next;
        else
            obj->children = c->next;
        if (obj->last == c)
            obj->last = prev;
        if (!c->in_chunk)
            vd_prop_free(c);
        return;
    }
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

/* g_string_append_len() without its call when the text fits. */
static inline void
vd_buf_append(GString *buf, const char *s, size_t len)
{
    if (buf->len + len < buf->allocated_len) {
        memcpy(buf->str + buf->len, s, len);
        buf->len += len;
        buf->str[buf->len] = '\0';
    } else {
        g_string_append_len(buf, s, (gssize)len);
    }
}

static inline void
vd_buf_append_str(GString *buf, const char *s)
{
    vd_buf_append(buf, s, strlen(s));
}

/* ,"@key": (without the comma when not @comma) in one append. */
static inline void
vd_json_key_append(GString *buf, const char *key, bool comma)
{
    size_t len = strlen(key);
    char *p;

    if (buf->len + len + 4 >= buf->allocated_len) {
        if (comma)
            g_string_append_c(buf, ',');
        g_string_append_c(buf, '"');
        g_string_append_len(buf, key, (gssize)len);
        g_string_append_len(buf, "\":", 2);
        return;
    }
    p = buf->str + buf->len;
    if (comma)
        *p++ = ',';
    *p++ = '"';
    memcpy(p, key, len);
    p += len;
    *p++ = '"';
    *p++ = ':';
    *p = '\0';
    buf->len = (gsize)(p - buf->str);
}

/* How yajl writes each byte inside a string: 0 as it is, else the
 * character after the backslash ('u' for \u00XX). NUL ends the string. */
static const char vd_json_escapes[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b',         't',           'n', 'u',
    'f', 'r', 'u', 'u', 'u', 'u', 'u', 'u', 'u',         'u',           'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', ['"'] = '"', ['\\'] = '\\',
};

void
vd_json_escape_append(GString *buf, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;

    g_string_append_c(buf, '"');
    for (;;) {
        const unsigned char *run = p;
        char esc[6] = {'\\', 0, '0', '0'};

        while (!vd_json_escapes[*p])
            p++;
        vd_buf_append(buf, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        esc[1] = vd_json_escapes[*p];
        if (esc[1] == 'u') {
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 0xf];
            vd_buf_append(buf, esc, 6);
        } else {
            vd_buf_append(buf, esc, 2);
        }
        p++;
    }
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
            if (c->odd_key) {
                if (c != prop->children)
                    g_string_append_c(buf, ',');
                vd_json_escape_append(buf, c->key);
                g_string_append_c(buf, ':');
                vd_prop_to_json(buf, c);
                continue;
            }
            /* keys are literal identifiers: nothing to escape, and the
             * comma, the quotes and the colon go in with the key */
            vd_json_key_append(buf, c->key, c != prop->children);
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
        vd_buf_append_str(buf, prop->str);
        break;
    case VD_PROP_BOOL:
        vd_buf_append_str(buf, prop->boolean ? "true" : "false");
        break;
    case VD_PROP_NULL:
        vd_buf_append_str(buf, "null");
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
