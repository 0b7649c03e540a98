/*
 * props.h: ordered property trees for QEMU, and their renderings
 *
 * Translation builds these trees first (one per -blockdev node, -device or
 * -object), then renders them as JSON for the command line, inside QMP
 * commands, or shell-quoted. The JSON matches what libvirt 9.0 passes to
 * QEMU byte for byte: compact, keys in insertion order, strings escaped
 * like yajl does (", \, \b \f \n \r \t, other control bytes as \u00XX
 * with upper-case hex, '/' and non-ASCII bytes unescaped).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "vdisk/disk.h"

typedef enum {
    VD_PROP_OBJECT,
    VD_PROP_ARRAY,
    VD_PROP_STRING,
    VD_PROP_NUMBER, /* kept as its decimal text */
    VD_PROP_BOOL,
    VD_PROP_NULL,
} vd_prop_type;

/* A node is one allocation: its string value or number text is stored
 * inline. The scalar members an adder puts in an object or array (strings,
 * numbers, booleans, nulls) are carved from chunks their container owns,
 * and an object or array sits in the first of its chunks, so a tree costs
 * an allocation per object or array. Member names are not copied: every key
 * passed to the adders is a string literal (a plain identifier, written to
 * JSON as it is). */
typedef struct vd_prop_chunk vd_prop_chunk;
typedef struct vd_prop vd_prop;

typedef enum {
    VD_PROP_HOME_OWN,       /* an allocation of its own */
    VD_PROP_HOME_CONTAINER, /* in its container's chunks */
    VD_PROP_HOME_CHUNK,     /* at the start of the last of its own chunks */
} vd_prop_home;
struct vd_prop {
    uint8_t type; /* vd_prop_type */
    bool boolean;
    uint8_t home;    /* vd_prop_home: where the node's memory is */
    bool odd_key;    /* @key is not a literal identifier: escaped in JSON */
    uint32_t len;    /* strlen(str) */
    uint32_t klen;   /* strlen(key) */
    const char *key; /* member name inside an object, else NULL */
    vd_prop *children;
    vd_prop *last;
    vd_prop *next;
    vd_prop_chunk *chunks; /* objects and arrays: memory of their scalar members */
    char str[];            /* string value or number text; "" for the other types */
};

vd_prop *vd_prop_object_new(void);
vd_prop *vd_prop_array_new(void);
/* A bare string, as an array element. */
vd_prop *vd_prop_string_new(const char *value);
void vd_prop_free(vd_prop *prop);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_prop, vd_prop_free)

/* Adders, with the key's length (and a string's) given: the inline ones
 * below pass them, so that the lengths of literal keys and values are
 * known when compiling. */
void vd_prop_add_str_k(vd_prop *obj, const char *key, size_t klen, const char *value, size_t len);
void vd_prop_add_int_k(vd_prop *obj, const char *key, size_t klen, long long value);
void vd_prop_add_uint_k(vd_prop *obj, const char *key, size_t klen, unsigned long long value);
void vd_prop_add_bool_k(vd_prop *obj, const char *key, size_t klen, bool value);
void vd_prop_add_null_k(vd_prop *obj, const char *key, size_t klen);
void vd_prop_add_prop_k(vd_prop *obj, const char *key, size_t klen, vd_prop *child);

#define VD_PROP_INLINE static inline __attribute__((always_inline))

/* Adders. Those named *_opt skip the member when the value is NULL (or 0
 * for numbers, DEFAULT for tristates), as libvirt's optional members do. */
VD_PROP_INLINE void
vd_prop_add_str(vd_prop *obj, const char *key, const char *value)
{
    if (!value)
        value = "";
    vd_prop_add_str_k(obj, key, strlen(key), value, strlen(value));
}

VD_PROP_INLINE void
vd_prop_add_str_opt(vd_prop *obj, const char *key, const char *value)
{
    if (value)
        vd_prop_add_str_k(obj, key, strlen(key), value, strlen(value));
}

VD_PROP_INLINE void
vd_prop_add_int(vd_prop *obj, const char *key, long long value)
{
    vd_prop_add_int_k(obj, key, strlen(key), value);
}

VD_PROP_INLINE void
vd_prop_add_uint(vd_prop *obj, const char *key, unsigned long long value)
{
    vd_prop_add_uint_k(obj, key, strlen(key), value);
}

VD_PROP_INLINE void
vd_prop_add_uint_opt(vd_prop *obj, const char *key, unsigned long long value)
{
    if (value)
        vd_prop_add_uint_k(obj, key, strlen(key), value);
}

VD_PROP_INLINE void
vd_prop_add_bool(vd_prop *obj, const char *key, bool value)
{
    vd_prop_add_bool_k(obj, key, strlen(key), value);
}

/* Tristate: ON -> true, OFF -> false, DEFAULT -> nothing. */
VD_PROP_INLINE void
vd_prop_add_tristate_bool(vd_prop *obj, const char *key, vdisk_tristate value)
{
    if (value == VDISK_TRISTATE_ON || value == VDISK_TRISTATE_OFF)
        vd_prop_add_bool_k(obj, key, strlen(key), value == VDISK_TRISTATE_ON);
}

/* Tristate as QEMU's "on"/"off" strings. */
VD_PROP_INLINE void
vd_prop_add_tristate_onoff(vd_prop *obj, const char *key, vdisk_tristate value)
{
    if (value == VDISK_TRISTATE_ON)
        vd_prop_add_str_k(obj, key, strlen(key), "on", 2);
    else if (value == VDISK_TRISTATE_OFF)
        vd_prop_add_str_k(obj, key, strlen(key), "off", 3);
}

VD_PROP_INLINE void
vd_prop_add_null(vd_prop *obj, const char *key)
{
    vd_prop_add_null_k(obj, key, strlen(key));
}

/* Takes ownership of @child; NULL is skipped. */
VD_PROP_INLINE void
vd_prop_add_prop(vd_prop *obj, const char *key, vd_prop *child)
{
    if (child)
        vd_prop_add_prop_k(obj, key, strlen(key), child);
}

/* Array element (key NULL); takes ownership. */
void vd_prop_append(vd_prop *arr, vd_prop *child);

const vd_prop *vd_prop_get(const vd_prop *obj, const char *key);
/* Marks the last member of @obj as having a key that needs escaping in
 * JSON (a name that comes from the input, not a literal). */
void vd_prop_mark_odd_key(vd_prop *obj);
/* Removes member @key of object @obj, when it has one. */
void vd_prop_remove(vd_prop *obj, const char *key);
const char *vd_prop_get_str(const vd_prop *obj, const char *key);

void vd_prop_to_json(GString *buf, const vd_prop *prop);
char *vd_prop_to_json_string(const vd_prop *prop);

/* Appends @arg quoted for a POSIX shell the way libvirt prints command
 * lines: unquoted when it holds no shell metacharacter, else in single
 * quotes with ' written as '\''. */
void vd_shell_quote_append(GString *buf, const char *arg);
