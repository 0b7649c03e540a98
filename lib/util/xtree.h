/*
 * xtree.h: a small XML element tree, built by libxml2's SAX2 parser
 *
 * The disk model keeps the parsed XML as its single source of truth: typed
 * accessors read and write attributes and elements of this tree, so that
 * anything the model does not know survives a parse -> format round trip
 * where it stood. Nodes and strings live in a per-document arena.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "util/error.h"

/* For the small look-up helpers that must fold away when called with a
 * string literal, however many callers they have. */
#define VD_ALWAYS_INLINE inline __attribute__((always_inline))

typedef struct vd_arena_chunk vd_arena_chunk;
typedef struct vd_attr vd_attr;
typedef struct vd_node vd_node;
typedef struct vd_doc vd_doc;

/* A name's look-up key: its length (255 for any longer) and three of its
 * bytes. Names are found by comparing keys first, so a mismatch costs no
 * string comparison; for a string literal the key is computed at compile
 * time (the look-ups below are inline). Never 0 for a non-empty name. */
static inline uint32_t
vd_name_key_len(const char *name, size_t len)
{
    const unsigned char *s = (const unsigned char *)name;

    if (!len)
        return 0;
    return (uint32_t)(len < 0xff ? len : 0xff) << 24 | (uint32_t)s[0] << 16 |
           (uint32_t)s[len / 2] << 8 | s[len - 1];
}

static inline uint32_t
vd_name_key(const char *name)
{
    return name ? vd_name_key_len(name, strlen(name)) : 0;
}

static inline uint64_t
vd_name_load8(const char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t
vd_name_load4(const char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* Whether names @a and @b are equal: names are short, and comparing them
 * here costs less than a call. */
static inline bool
vd_name_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Whether names @a and @b, whose keys are both @key, are equal. Equal keys
 * below 255 mean equal lengths and equal first, middle and last bytes, so
 * a name of up to 3 bytes needs nothing more, and longer ones are compared
 * in words, without a call: the look-ups of names run this on every match.
 * Text nodes have key 0, which no name has. */
static inline bool
vd_name_eq_key(const char *a, const char *b, uint32_t key)
{
    size_t len = key >> 24;
    size_t i;

    if (len == 0xff)
        return strcmp(a, b) == 0;
    if (len <= 3)
        return key != 0; /* no name is empty */
    if (len < 8)
        return vd_name_load4(a) == vd_name_load4(b) &&
               vd_name_load4(a + len - 4) == vd_name_load4(b + len - 4);
    for (i = 0; i + 8 < len; i += 8) {
        if (vd_name_load8(a + i) != vd_name_load8(b + i))
            return false;
    }
    return vd_name_load8(a + len - 8) == vd_name_load8(b + len - 8);
}

/* Whether @s (may be NULL) is the string @lit, compared without a call. */
static VD_ALWAYS_INLINE bool
vd_str_is(const char *s, const char *lit)
{
    return s && vd_name_eq(s, lit);
}

struct vd_attr {
    const char *name;
    const char *value;
    vd_attr *next;
    uint32_t key; /* vd_name_key(name) */
};

typedef enum {
    VD_NODE_ELEMENT,
    VD_NODE_TEXT,
} vd_node_kind;

/* The bit of a name's key in a vd_node's child_mask. */
static inline uint32_t
vd_name_bit(uint32_t key)
{
    return (uint32_t)1 << ((key * 0x9E3779B1u) >> 27);
}

struct vd_node {
    uint8_t kind; /* vd_node_kind */
    /* A small number the tree's user keeps with an element (0: none),
     * reset whenever the element is linked under a new parent: what it
     * knows of the element from its name and its parent's. */
    uint8_t tag;
    uint32_t key;     /* element: vd_name_key(name); text: 0 */
    const char *name; /* element: qualified name ("prefix:local" or "local") */
    const char *text; /* text node: its content */
    vd_attr *attrs;   /* element: attributes in order (namespace declarations too) */
    vd_node *parent;
    vd_node *children;
    vd_node *last;
    vd_node *next;
    vd_node *prev;
    int line;
    /* The vd_name_bit() of every element child's key, OR-ed in whenever a
     * child is linked under this node and never cleared (an unlinked
     * child's bit may stay): a clear bit proves that no child has the
     * name, so most look-ups of an absent child walk no list. */
    uint32_t child_mask;
    /* Changes whenever a child is linked under this node or unlinked from
     * it: what a user of the tree remembers of the children holds while
     * it is unchanged. */
    uint32_t gen;
    /* The vd_name_bit() of every attribute's key, OR-ed in whenever an
     * attribute is linked to this node or renamed (vd_node_note_attr())
     * and never cleared: a clear bit proves that the node has no
     * attribute of the name, so a look-up of an absent one walks no
     * list. Every function that links attributes calls
     * vd_node_note_attr(). */
    uint32_t attr_mask;
};

/* Whether element @node is named @name: the keys are compared first, and
 * for a literal @name its key is known when compiling. False for NULL and
 * for text nodes. */
static VD_ALWAYS_INLINE bool
vd_node_named(const vd_node *node, const char *name)
{
    uint32_t key = vd_name_key(name);

    return node && node->key == key && vd_name_eq_key(node->name, name, key);
}

struct vd_doc {
    vd_arena_chunk *chunks;
    size_t used_bytes;  /* bytes handed out by the arena */
    size_t input_bytes; /* the size of the XML it was parsed from (0: built) */
    vd_node *root;
    int refs;
};

/* Limits that keep hostile input from exhausting memory. */
#define VD_XML_MAX_BYTES (64u * 1024u * 1024u)
#define VD_XML_MAX_DEPTH 64

vd_doc *vd_doc_new(void);
vd_doc *vd_doc_ref(vd_doc *doc);
void vd_doc_unref(vd_doc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_doc, vd_doc_unref)

/* Parses @len bytes. Refuses DTDs, entity declarations and anything that
 * would reach the network; errors carry line and column. @what names the
 * input in messages ("disk XML"). */
int vd_doc_parse(vd_doc **out, const char *buf, size_t len, const char *what,
                 vdisk_error **err);

/* Called when element @node, at @depth (the root is at 1), has been read
 * whole, while the rest of the document is not: 0 goes on, -1 (with *err
 * set) stops the parse there, so that a limit applies before the whole
 * tree is built. */
typedef int (*vd_parse_check_fn)(void *ctx, const vd_node *node, unsigned int depth,
                                 vdisk_error **err);

/* vd_doc_parse() with @check called on every element. */
int vd_doc_parse_checked(vd_doc **out, const char *buf, size_t len, const char *what,
                         vd_parse_check_fn check, void *check_ctx, vdisk_error **err);

void *vd_arena_alloc(vd_doc *doc, size_t size);
const char *vd_arena_strdup(vd_doc *doc, const char *s);
const char *vd_arena_strndup(vd_doc *doc, const char *s, size_t len);
const char *vd_arena_printf(vd_doc *doc, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* @value in decimal, as libvirt writes numbers (no printf: parsing writes
 * numbers back in canonical form all the time). */
const char *vd_arena_decimal(vd_doc *doc, unsigned long long value);
/* "0x" and @value in lower-case hex, zero-padded to at least @digits
 * digits: printf's "0x%0*llx" without printf. */
const char *vd_arena_hex(vd_doc *doc, unsigned long long value, unsigned int digits);

vd_node *vd_node_new(vd_doc *doc, const char *name);
/* A new attribute (unlinked); @name and @value must already live in @doc's
 * arena or in static storage. */
vd_attr *vd_attr_new(vd_doc *doc, const char *name, const char *value);
/* Renames attribute @a of @node; @name as for vd_attr_new(). */
void vd_attr_rename(vd_node *node, vd_attr *a, const char *name);
void vd_node_append(vd_node *parent, vd_node *child);
void vd_node_insert_before(vd_node *parent, vd_node *child, vd_node *ref);
void vd_node_unlink(vd_node *node);
/* Deep copy of @src into @doc (unlinked). */
vd_node *vd_node_copy(vd_doc *doc, const vd_node *src);

/* Records that attribute @a is linked to @node (vd_node.attr_mask). */
static inline void
vd_node_note_attr(vd_node *node, const vd_attr *a)
{
    node->attr_mask |= vd_name_bit(a->key);
}

vd_attr *vd_node_attr_find_key(const vd_node *node, const char *name, uint32_t key);

static inline vd_attr *
vd_node_attr_find(const vd_node *node, const char *name)
{
    uint32_t key = vd_name_key(name);

    if (!node || !(node->attr_mask & vd_name_bit(key)))
        return NULL;
    return vd_node_attr_find_key(node, name, key);
}

static inline const char *
vd_node_attr(const vd_node *node, const char *name)
{
    vd_attr *a = vd_node_attr_find(node, name);
    return a ? a->value : NULL;
}
/* Sets (value != NULL) or removes (value == NULL) an attribute; a new one is
 * appended. @value is copied into the arena. */
void vd_node_set_attr(vd_doc *doc, vd_node *node, const char *name, const char *value);
/* Same, without copying: @value must already live in @doc's arena or in
 * static storage. */
void vd_node_set_attr_static(vd_doc *doc, vd_node *node, const char *name, const char *value);
/* Sets @name to @value in decimal (vd_arena_decimal()) or in hex
 * (vd_arena_hex()); an attribute that reads so already is left as it is,
 * as parsing finds nearly every number it writes back in canonical form. */
void vd_node_set_attr_decimal(vd_doc *doc, vd_node *node, const char *name,
                              unsigned long long value);
void vd_node_set_attr_hex(vd_doc *doc, vd_node *node, const char *name, unsigned long long value,
                          unsigned int digits);

vd_node *vd_node_child_key(const vd_node *node, const char *name, uint32_t key);
vd_node *vd_node_next_sibling_key(const vd_node *node, const char *name, uint32_t key);

static inline vd_node *
vd_node_child(const vd_node *node, const char *name)
{
    uint32_t key = vd_name_key(name);

    if (!node || !(node->child_mask & vd_name_bit(key)))
        return NULL;
    return vd_node_child_key(node, name, key);
}

static inline vd_node *
vd_node_next_sibling(const vd_node *node, const char *name)
{
    return vd_node_next_sibling_key(node, name, vd_name_key(name));
}
size_t vd_node_count_children(const vd_node *node, const char *name);
/* The concatenated text of @node's text children, or NULL when none. */
const char *vd_node_text(vd_doc *doc, const vd_node *node);
void vd_node_set_text(vd_doc *doc, vd_node *node, const char *text);
bool vd_node_has_element_children(const vd_node *node);

/* Sorts children (attributes) stably by @rank; a child whose rank is -1
 * (unknown to the caller) keeps its place right after the child that
 * preceded it in the input. */
typedef int (*vd_rank_fn)(const vd_node *parent, const char *name);
void vd_node_sort_children(vd_node *node, vd_rank_fn rank);
void vd_node_sort_attrs(vd_node *node, vd_rank_fn rank);
/* The same with a rank function of @ctx (resolved once by the caller, not
 * once per name). */
typedef int (*vd_rank_ctx_fn)(const void *ctx, const char *name);
void vd_node_sort_children_ctx(vd_node *node, vd_rank_ctx_fn rank, const void *ctx);
void vd_node_sort_attrs_ctx(vd_node *node, vd_rank_ctx_fn rank, const void *ctx);

/* Removes every element child that repeats the name of an earlier child
 * whose @rank is known (>= 0): libvirt reads the first of a single-valued
 * element and ignores the rest. Text on both sides of a removed element
 * becomes one text. */
void vd_node_drop_repeated(vd_doc *doc, vd_node *node, vd_rank_fn rank);
void vd_node_drop_repeated_ctx(vd_doc *doc, vd_node *node, vd_rank_ctx_fn rank, const void *ctx);

/* Structural equality: names, attributes (in any order), text, children. */
bool vd_node_equal(const vd_node *a, const vd_node *b);

/* Whether the caller knows element @node: known elements are read by their
 * name whatever namespace they are in, so only an unknown unprefixed
 * element keeps a default namespace declared outside its subtree. */
typedef bool (*vd_known_fn)(const vd_node *node);

/* The namespace declarations of @node's ancestors that @node's subtree
 * needs when it stands alone: those of the prefixes its element and
 * attribute names use, and the default namespace of its unknown unprefixed
 * elements (every unprefixed element when @known is NULL), when the
 * subtree does not declare them itself on the way. Each is the declaration
 * in scope (the nearest ancestor's); outermost ancestor first, each
 * ancestor's in attribute order. A GPtrArray of const vd_attr *, NULL when
 * there is none. */
GPtrArray *vd_node_outer_ns(const vd_node *node, vd_known_fn known);

/* Deep copy of @src into @doc (unlinked), to go under @dest (NULL: to be a
 * tree of its own): the declarations vd_node_outer_ns() names that are
 * not in scope alike at @dest go first among the copy's attributes. */
vd_node *vd_node_copy_to(vd_doc *doc, const vd_node *src, const vd_node *dest, vd_known_fn known);

/* vd_node_equal() of @a and @b, each taken as a tree of its own: the
 * declarations vd_node_outer_ns() names count as attributes of the root. */
bool vd_node_equal_alone(const vd_node *a, const vd_node *b, vd_known_fn known);

/* Serializes @node the way libvirt formats XML: two spaces of indentation
 * per level, single-quoted attributes, empty elements as <x/>. A subtree
 * (@node has a parent) is written as a document of its own: the
 * declarations vd_node_outer_ns() names go first on its root element. */
void vd_node_format(GString *buf, const vd_node *node, unsigned int indent);
void vd_node_format_alone(GString *buf, const vd_node *node, unsigned int indent,
                          vd_known_fn known);
void vd_escape_append(GString *buf, const char *s, bool attr);
