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

    p->type = (uint8_t)type;
    p->len = (uint32_t)len;
    p->klen = 0;
    p->boolean = false;
    p->home = container ? VD_PROP_HOME_CONTAINER : VD_PROP_HOME_OWN;
    p->odd_key = false;
    p->key = NULL;
    p->children = p->last = p->next = NULL;
    p->chunks = NULL;
    memcpy(p->str, text, len);
    p->str[len] = '\0';
    return p;
}

/* An object or array, at the start of its first chunk. */
static vd_prop *
vd_prop_container_new(vd_prop_type type)
{
    size_t head = (sizeof(vd_prop) + 1 + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    vd_prop_chunk *chunk = g_malloc(sizeof(vd_prop_chunk) + VD_PROP_CHUNK_SIZE);
    vd_prop *p = (vd_prop *)(void *)chunk->data;

    chunk->next = NULL;
    chunk->used = head;
    chunk->size = VD_PROP_CHUNK_SIZE;
    p->type = (uint8_t)type;
    p->len = 0;
    p->klen = 0;
    p->boolean = false;
    p->home = VD_PROP_HOME_CHUNK;
    p->odd_key = false;
    p->key = NULL;
    p->children = p->last = p->next = NULL;
    p->chunks = chunk;
    p->str[0] = '\0';
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
    return vd_prop_container_new(VD_PROP_OBJECT);
}

vd_prop *
vd_prop_array_new(void)
{
    return vd_prop_container_new(VD_PROP_ARRAY);
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
    vd_prop_chunk *chunk;
    vd_prop_chunk *next_chunk;
    vd_prop *c;
    vd_prop *next;
    bool in_chunk;

    if (!prop)
        return;
    for (c = prop->children; c; c = next) {
        next = c->next;
        if (c->home != VD_PROP_HOME_CONTAINER)
            vd_prop_free(c);
    }
    /* the last chunk may hold @prop itself */
    in_chunk = prop->home == VD_PROP_HOME_CHUNK;
    for (chunk = prop->chunks; chunk; chunk = next_chunk) {
        next_chunk = chunk->next;
        g_free(chunk);
    }
    if (!in_chunk)
        g_free(prop);
}

static void
vd_prop_link(vd_prop *parent, const char *key, size_t klen, vd_prop *child)
{
    child->key = key;
    child->klen = (uint32_t)klen;
    child->next = NULL;
    if (parent->last)
        parent->last->next = child;
    else
        parent->children = child;
    parent->last = child;
}

void
vd_prop_add_str_k(vd_prop *obj, const char *key, size_t klen, const char *value, size_t len)
{
    vd_prop_link(obj, key, klen, vd_prop_new_text(obj, VD_PROP_STRING, value, len));
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
vd_prop_add_number(vd_prop *obj, const char *key, size_t klen, bool negative,
                   unsigned long long magnitude)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *start = vd_format_ull(end, magnitude);

    if (negative)
        *--start = '-';
    vd_prop_link(obj, key, klen,
                 vd_prop_new_text(obj, VD_PROP_NUMBER, start, (size_t)(end - start)));
}

void
vd_prop_add_int_k(vd_prop *obj, const char *key, size_t klen, long long value)
{
    /* the magnitude of LLONG_MIN does not fit a long long */
    if (value < 0)
        vd_prop_add_number(obj, key, klen, true, 0ULL - (unsigned long long)value);
    else
        vd_prop_add_number(obj, key, klen, false, (unsigned long long)value);
}

void
vd_prop_add_uint_k(vd_prop *obj, const char *key, size_t klen, unsigned long long value)
{
    vd_prop_add_number(obj, key, klen, false, value);
}

void
vd_prop_add_bool_k(vd_prop *obj, const char *key, size_t klen, bool value)
{
    vd_prop *p = vd_prop_new(obj, VD_PROP_BOOL);

    p->boolean = value;
    vd_prop_link(obj, key, klen, p);
}

void
vd_prop_add_null_k(vd_prop *obj, const char *key, size_t klen)
{
    vd_prop_link(obj, key, klen, vd_prop_new(obj, VD_PROP_NULL));
}

void
vd_prop_add_prop_k(vd_prop *obj, const char *key, size_t klen, vd_prop *child)
{
    vd_prop_link(obj, key, klen, child);
}

void
vd_prop_append(vd_prop *arr, vd_prop *child)
{
    if (child)
        vd_prop_link(arr, NULL, 0, child);
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
        if (c->home != VD_PROP_HOME_CONTAINER)
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

/* JSON is written straight into the GString's buffer: a writer makes room
 * for the worst case of what comes next (a string may grow six times when
 * escaped), then writes without checks, and hands the length back when it
 * is done. */
typedef struct {
    GString *buf;
    char *p;   /* where the next byte goes */
    char *end; /* the end of the room */
} vd_json_writer;

static void
vd_json_grow(vd_json_writer *w, size_t need)
{
    size_t used = (size_t)(w->p - w->buf->str);

    /* g_string_set_size() makes room and sets the length; the length
     * goes back to what is written */
    g_string_set_size(w->buf, used + need + 256 + w->buf->allocated_len / 2);
    w->buf->len = used;
    w->p = w->buf->str + used;
    w->end = w->buf->str + w->buf->allocated_len - 1;
}

static inline void
vd_json_room(vd_json_writer *w, size_t need)
{
    if ((size_t)(w->end - w->p) < need)
        vd_json_grow(w, need);
}

/* How yajl writes each byte inside a string: 0 as it is, else the
 * character after the backslash ('u' for \u00XX). */
static const char vd_json_escapes[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b',         't',           'n', 'u',
    'f', 'r', 'u', 'u', 'u', 'u', 'u', 'u', 'u',         'u',           'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', ['"'] = '"', ['\\'] = '\\',
};

/* Whether the 8 bytes in @x hold one that JSON escapes: a control byte,
 * '"' or '\\' (exact: a byte is flagged only if one of them is there). */
static inline bool
vd_json_word_needs_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = 0x8080808080808080ULL;
    uint64_t quote = x ^ (ones * '"');
    uint64_t backslash = x ^ (ones * '\\');

    uint64_t control = (x - ones * 0x20) & ~x;

    quote = (quote - ones) & ~quote;
    backslash = (backslash - ones) & ~backslash;
    return ((control | quote | backslash) & highs) != 0;
}

/* Whether @len bytes of @s go into JSON as they are. */
static inline bool
vd_json_plain(const char *s, size_t len)
{
    size_t i = 0;
    uint64_t x;

    for (; i + 8 <= len; i += 8) {
        memcpy(&x, s + i, sizeof(x));
        if (vd_json_word_needs_escape(x))
            return false;
    }
    for (; i < len; i++) {
        if (vd_json_escapes[(unsigned char)s[i]])
            return false;
    }
    return true;
}

/* @len bytes of @s as a JSON string, quotes included; needs room for
 * 6 * @len + 2 bytes. */
static inline char *
vd_json_put_string(char *p, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *in = (const unsigned char *)s;
    const unsigned char *stop = in + len;

    *p++ = '"';
    if (G_LIKELY(vd_json_plain(s, len))) {
        memcpy(p, s, len);
        p += len;
        *p++ = '"';
        return p;
    }
    while (in < stop) {
        unsigned char c = *in++;
        char e = vd_json_escapes[c];

        if (G_LIKELY(!e)) {
            *p++ = (char)c;
            continue;
        }
        *p++ = '\\';
        *p++ = e;
        if (e == 'u') {
            *p++ = '0';
            *p++ = '0';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];
        }
    }
    *p++ = '"';
    return p;
}

static void
vd_json_write(vd_json_writer *w, const vd_prop *prop)
{
    const vd_prop *c;

    switch ((vd_prop_type)prop->type) {
    case VD_PROP_OBJECT:
        vd_json_room(w, 1);
        *w->p++ = '{';
        for (c = prop->children; c; c = c->next) {
            size_t klen = c->klen;

            /* the comma, the key and the colon, and a scalar value, in
             * one piece of room; keys are literal identifiers with nothing
             * to escape, unless marked odd */
            vd_json_room(w, 6 * klen + 4 + 6 * (size_t)c->len + 2);
            if (c != prop->children)
                *w->p++ = ',';
            if (G_UNLIKELY(c->odd_key)) {
                w->p = vd_json_put_string(w->p, c->key, klen);
            } else {
                *w->p++ = '"';
                memcpy(w->p, c->key, klen);
                w->p += klen;
                *w->p++ = '"';
            }
            *w->p++ = ':';
            if (c->type == VD_PROP_STRING)
                w->p = vd_json_put_string(w->p, c->str, c->len);
            else
                vd_json_write(w, c);
        }
        vd_json_room(w, 1);
        *w->p++ = '}';
        break;
    case VD_PROP_ARRAY:
        vd_json_room(w, 1);
        *w->p++ = '[';
        for (c = prop->children; c; c = c->next) {
            vd_json_room(w, 1 + 6 * (size_t)c->len + 2);
            if (c != prop->children)
                *w->p++ = ',';
            vd_json_write(w, c);
        }
        vd_json_room(w, 1);
        *w->p++ = ']';
        break;
    case VD_PROP_STRING:
        vd_json_room(w, 6 * (size_t)prop->len + 2);
        w->p = vd_json_put_string(w->p, prop->str, prop->len);
        break;
    case VD_PROP_NUMBER:
        vd_json_room(w, prop->len);
        memcpy(w->p, prop->str, prop->len);
        w->p += prop->len;
        break;
    case VD_PROP_BOOL:
        vd_json_room(w, 5);
        if (prop->boolean) {
            memcpy(w->p, "true", 4);
            w->p += 4;
        } else {
            memcpy(w->p, "false", 5);
            w->p += 5;
        }
        break;
    case VD_PROP_NULL:
        vd_json_room(w, 4);
        memcpy(w->p, "null", 4);
        w->p += 4;
        break;
    }
}

void
vd_prop_to_json(GString *buf, const vd_prop *prop)
{
    /* the room ends before the NUL's byte */
    vd_json_writer w = {buf, buf->str + buf->len, buf->str + buf->allocated_len - 1};

    vd_json_write(&w, prop);
    buf->len = (gsize)(w.p - buf->str);
    buf->str[buf->len] = '\0';
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
