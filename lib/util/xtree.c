/*
 * xtree.c: a small XML element tree built by libxml2's SAX2 parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "util/xtree.h"

struct vd_arena_chunk {
    vd_arena_chunk *next;
    size_t size;
    size_t used;
    bool big; /* one block of its own, behind the current chunk */
    _Alignas(max_align_t) char data[]; /* nodes and attributes live here */
};

/* The first chunk; each next one doubles, up to VD_ARENA_CHUNK_MAX, so a
 * big document takes few allocations and a small one little memory. */
#define VD_ARENA_CHUNK 4096
#define VD_ARENA_CHUNK_MAX (64 * 1024)

vd_doc *
vd_doc_new(void)
{
    vd_doc *doc = g_new0(vd_doc, 1);
    doc->refs = 1;
    return doc;
}

vd_doc *
vd_doc_ref(vd_doc *doc)
{
    if (doc)
        doc->refs++;
    return doc;
}

void
vd_doc_unref(vd_doc *doc)
{
    vd_arena_chunk *c;

    if (!doc || --doc->refs > 0)
        return;
    c = doc->chunks;
    while (c) {
        vd_arena_chunk *next = c->next;
        g_free(c);
        c = next;
    }
    g_free(doc);
}

/* Uninitialized arena memory. */
static void *
vd_arena_alloc_raw(vd_doc *doc, size_t size)
{
    vd_arena_chunk *c = doc->chunks;
    void *p;

    size = (size + 7) & ~(size_t)7;
    if (G_UNLIKELY(!c || c->size - c->used < size)) {
        size_t regular = VD_ARENA_CHUNK;
        size_t csize;
        vd_arena_chunk *n;

        if (c && !c->big)
            regular = MIN(c->size * 2, VD_ARENA_CHUNK_MAX);
        csize = size > regular / 2 ? size : regular;
        n = g_malloc(sizeof(*n) + csize);
        n->size = csize;
        n->used = 0;
        n->big = csize != regular;
        if (c && n->big) {
            /* a big block goes behind the current chunk, which stays open */
            n->next = c->next;
            c->next = n;
            c = n;
        } else {
            n->next = c;
            doc->chunks = n;
            c = n;
        }
    }
    p = c->data + c->used;
    c->used += size;
    doc->used_bytes += size;
    return p;
}

void *
vd_arena_alloc(vd_doc *doc, size_t size)
{
    void *p = vd_arena_alloc_raw(doc, size);

    memset(p, 0, size);
    return p;
}

const char *
vd_arena_strndup(vd_doc *doc, const char *s, size_t len)
{
    char *p = vd_arena_alloc_raw(doc, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

const char *
vd_arena_strdup(vd_doc *doc, const char *s)
{
    if (!s)
        return NULL;
    return vd_arena_strndup(doc, s, strlen(s));
}

/* Writes @value in decimal right before @end (24 bytes are enough);
 * returns where the digits start. */
static char *
vd_format_decimal(char *end, unsigned long long value)
{
    char *p = end;

    do {
        *--p = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return p;
}

/* The same for "0x" and @value in lower-case hex, at least @digits digits. */
static char *
vd_format_hex(char *end, unsigned long long value, unsigned int digits)
{
    char *p = end;

    if (digits > 16)
        digits = 16;
    do {
        *--p = "0123456789abcdef"[value & 0xf];
        value >>= 4;
    } while (value);
    while ((unsigned int)(end - p) < digits)
        *--p = '0';
    *--p = 'x';
    *--p = '0';
    return p;
}

const char *
vd_arena_decimal(vd_doc *doc, unsigned long long value)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *p = vd_format_decimal(end, value);

    return vd_arena_strndup(doc, p, (size_t)(end - p));
}

const char *
vd_arena_hex(vd_doc *doc, unsigned long long value, unsigned int digits)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *p = vd_format_hex(end, value, digits);

    return vd_arena_strndup(doc, p, (size_t)(end - p));
}

const char *
vd_arena_printf(vd_doc *doc, const char *fmt, ...)
{
    va_list ap;
    char small[64];
    int n;

    va_start(ap, fmt);
    n = g_vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < (int)sizeof(small))
        return vd_arena_strndup(doc, small, (size_t)n);
    {
        g_autofree char *big = NULL;
        va_start(ap, fmt);
        big = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return vd_arena_strdup(doc, big);
    }
}

vd_node *
vd_node_new(vd_doc *doc, const char *name)
{
    vd_node *n = vd_arena_alloc(doc, sizeof(*n));
    n->kind = VD_NODE_ELEMENT;
    n->name = name;
    n->key = vd_name_key(name);
    return n;
}

vd_attr *
vd_attr_new(vd_doc *doc, const char *name, const char *value)
{
    vd_attr *a = vd_arena_alloc(doc, sizeof(*a));

    a->name = name;
    a->key = vd_name_key(name);
    a->value = value;
    return a;
}

void
vd_attr_rename(vd_node *node, vd_attr *a, const char *name)
{
    a->name = name;
    a->key = vd_name_key(name);
    vd_node_note_attr(node, a);
}

/* Records a change of @parent's children and @child's name in its
 * child_mask and, when @child moves to a new parent, resets its tag
 * (before linking it). */
static inline void
vd_node_note_child(vd_node *parent, vd_node *child)
{
    parent->gen++;
    if (child->key)
        parent->child_mask |= vd_name_bit(child->key);
    if (child->parent != parent)
        child->tag = 0;
}

void
vd_node_append(vd_node *parent, vd_node *child)
{
    vd_node_note_child(parent, child);
    child->parent = parent;
    child->next = NULL;
    child->prev = parent->last;
    if (parent->last)
        parent->last->next = child;
    else
        parent->children = child;
    parent->last = child;
}

void
vd_node_insert_before(vd_node *parent, vd_node *child, vd_node *ref)
{
    if (!ref) {
        vd_node_append(parent, child);
        return;
    }
    vd_node_note_child(parent, child);
    child->parent = parent;
    child->next = ref;
    child->prev = ref->prev;
    if (ref->prev)
        ref->prev->next = child;
    else
        parent->children = child;
    ref->prev = child;
}

void
vd_node_unlink(vd_node *node)
{
    vd_node *parent = node->parent;

    if (!parent)
        return;
    parent->gen++;
    if (node->prev)
        node->prev->next = node->next;
    else
        parent->children = node->next;
    if (node->next)
        node->next->prev = node->prev;
    else
        parent->last = node->prev;
    node->parent = node->next = node->prev = NULL;
}

vd_node *
vd_node_copy(vd_doc *doc, const vd_node *src)
{
    vd_node *n = vd_node_new(doc, vd_arena_strdup(doc, src->name));
    const vd_attr *a;
    vd_attr **tail = &n->attrs;
    const vd_node *c;

    n->kind = src->kind;
    n->key = src->key;
    n->text = vd_arena_strdup(doc, src->text);
    n->line = src->line;
    for (a = src->attrs; a; a = a->next) {
        vd_attr *na =
            vd_attr_new(doc, vd_arena_strdup(doc, a->name), vd_arena_strdup(doc, a->value));
        *tail = na;
        tail = &na->next;
        vd_node_note_attr(n, na);
    }
    for (c = src->children; c; c = c->next)
        vd_node_append(n, vd_node_copy(doc, c));
    return n;
}

/* ---- namespace declarations in scope ------------------------------------ */

static bool
vd_is_ns_decl(const char *name)
{
    return strncmp(name, "xmlns", 5) == 0 && (name[5] == '\0' || name[5] == ':');
}

/* Whether an element from @node up to @top (both included) declares
 * @decl ("xmlns:p" or "xmlns"). */
static bool
vd_declared_within(const vd_node *node, const vd_node *top, const char *decl)
{
    for (; node; node = node->parent) {
        if (vd_node_attr_find(node, decl))
            return true;
        if (node == top)
            break;
    }
    return false;
}

/* Adds to @need the declaration "xmlns:p" that qualified name @name
 * (used on @node) calls for, unless made within @top's subtree. */
static void
vd_need_prefix(GHashTable *need, const vd_node *node, const vd_node *top, const char *name)
{
    const char *colon = strchr(name, ':');
    char *decl;

    if (!colon || (colon - name == 3 && strncmp(name, "xml", 3) == 0))
        return;
    decl = g_strdup_printf("xmlns:%.*s", (int)(colon - name), name);
    if (g_hash_table_contains(need, decl) || vd_declared_within(node, top, decl))
        g_free(decl);
    else
        g_hash_table_add(need, decl);
}

static void
vd_collect_ns(GHashTable *need, const vd_node *node, const vd_node *top, vd_known_fn known)
{
    const vd_attr *a;
    const vd_node *c;

    if (node->kind != VD_NODE_ELEMENT)
        return;
    if (strchr(node->name, ':'))
        vd_need_prefix(need, node, top, node->name);
    else if ((!known || !known(node)) && !g_hash_table_contains(need, "xmlns") &&
             !vd_declared_within(node, top, "xmlns"))
        g_hash_table_add(need, g_strdup("xmlns"));
    for (a = node->attrs; a; a = a->next) {
        if (!vd_is_ns_decl(a->name))
            vd_need_prefix(need, node, top, a->name);
    }
    for (c = node->children; c; c = c->next)
        vd_collect_ns(need, c, top, known);
}

GPtrArray *
vd_node_outer_ns(const vd_node *node, vd_known_fn known)
{
    g_autoptr(GHashTable) need = NULL;
    g_autoptr(GHashTable) nearest = NULL;
    g_autoptr(GPtrArray) ancestors = NULL;
    GPtrArray *out = NULL;
    const vd_node *n;
    guint i;

    if (!node || node->kind != VD_NODE_ELEMENT || !node->parent)
        return NULL;
    need = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    vd_collect_ns(need, node, node, known);
    if (!g_hash_table_size(need))
        return NULL;
    /* the declaration in scope is the nearest ancestor's */
    nearest = g_hash_table_new(g_str_hash, g_str_equal);
    ancestors = g_ptr_array_new();
    for (n = node->parent; n; n = n->parent) {
        const vd_attr *a;

        g_ptr_array_add(ancestors, (gpointer)n);
        for (a = n->attrs; a; a = a->next) {
            if (g_hash_table_contains(need, a->name) && !g_hash_table_contains(nearest, a->name))
                g_hash_table_insert(nearest, (gpointer)a->name, (gpointer)a);
        }
    }
    for (i = ancestors->len; i-- > 0;) {
        const vd_attr *a;

        for (a = ((const vd_node *)ancestors->pdata[i])->attrs; a; a = a->next) {
            /* xmlns='' in scope: the elements were in no namespace */
            if (g_hash_table_lookup(nearest, a->name) != a ||
                (strcmp(a->name, "xmlns") == 0 && !*a->value))
                continue;
            if (!out)
                out = g_ptr_array_new();
            g_ptr_array_add(out, (gpointer)a);
        }
    }
    return out;
}

/* The declaration @decl ("xmlns:p" or "xmlns") in scope at @node. */
static const char *
vd_ns_in_scope(const vd_node *node, const char *decl)
{
    for (; node; node = node->parent) {
        const char *v = vd_node_attr(node, decl);

        if (v)
            return v;
    }
    return NULL;
}

vd_node *
vd_node_copy_to(vd_doc *doc, const vd_node *src, const vd_node *dest, vd_known_fn known)
{
    g_autoptr(GPtrArray) outer = vd_node_outer_ns(src, known);
    vd_node *copy = vd_node_copy(doc, src);
    guint i;

    for (i = outer ? outer->len : 0; i-- > 0;) {
        const vd_attr *a = outer->pdata[i];
        vd_attr *na;

        if (g_strcmp0(vd_ns_in_scope(dest, a->name), a->value) == 0)
            continue;
        na = vd_attr_new(doc, vd_arena_strdup(doc, a->name), vd_arena_strdup(doc, a->value));
        na->next = copy->attrs;
        copy->attrs = na;
        vd_node_note_attr(copy, na);
    }
    return copy;
}

vd_attr *
vd_node_attr_find_key(const vd_node *node, const char *name, uint32_t key)
{
    vd_attr *a;

    if (!node)
        return NULL;
    for (a = node->attrs; a; a = a->next) {
        /* the key settles mismatches without a string comparison */
        if (a->key == key && vd_name_eq_key(a->name, name, key))
            return a;
    }
    return NULL;
}

void
vd_node_set_attr_static(vd_doc *doc, vd_node *node, const char *name, const char *value)
{
    vd_attr **pp = &node->attrs;
    uint32_t key = vd_name_key(name);
    vd_attr *a;

    while ((a = *pp)) {
        if (a->key == key && vd_name_eq_key(a->name, name, key)) {
            if (value) {
                a->value = value;
            } else {
                *pp = a->next;
            }
            return;
        }
        pp = &a->next;
    }
    if (!value)
        return;
    *pp = vd_attr_new(doc, vd_arena_strdup(doc, name), value);
    vd_node_note_attr(node, *pp);
}

/* Sets @name to the @len bytes at @text, unless it holds them already. */
static void
vd_node_set_attr_len(vd_doc *doc, vd_node *node, const char *name, const char *text, size_t len)
{
    vd_attr *a = vd_node_attr_find(node, name);

    if (a && strncmp(a->value, text, len) == 0 && !a->value[len])
        return;
    vd_node_set_attr_static(doc, node, name, vd_arena_strndup(doc, text, len));
}

void
vd_node_set_attr_decimal(vd_doc *doc, vd_node *node, const char *name, unsigned long long value)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *p = vd_format_decimal(end, value);

    vd_node_set_attr_len(doc, node, name, p, (size_t)(end - p));
}

void
vd_node_set_attr_hex(vd_doc *doc, vd_node *node, const char *name, unsigned long long value,
                     unsigned int digits)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *p = vd_format_hex(end, value, digits);

    vd_node_set_attr_len(doc, node, name, p, (size_t)(end - p));
}

void
vd_node_set_attr(vd_doc *doc, vd_node *node, const char *name, const char *value)
{
    vd_node_set_attr_static(doc, node, name, value ? vd_arena_strdup(doc, value) : NULL);
}

/* Text nodes have key 0, which no name has: a key match is an element. */
vd_node *
vd_node_child_key(const vd_node *node, const char *name, uint32_t key)
{
    vd_node *c;

    if (!node || !(node->child_mask & vd_name_bit(key)))
        return NULL;
    for (c = node->children; c; c = c->next) {
        if (c->key == key && vd_name_eq_key(c->name, name, key))
            return c;
    }
    return NULL;
}

vd_node *
vd_node_next_sibling_key(const vd_node *node, const char *name, uint32_t key)
{
    vd_node *c;

    if (node->parent && !(node->parent->child_mask & vd_name_bit(key)))
        return NULL;
    for (c = node->next; c; c = c->next) {
        if (c->key == key && vd_name_eq_key(c->name, name, key))
            return c;
    }
    return NULL;
}

size_t
vd_node_count_children(const vd_node *node, const char *name)
{
    size_t n = 0;
    vd_node *c;

    for (c = node ? node->children : NULL; c; c = c->next) {
        if (c->kind == VD_NODE_ELEMENT && (!name || strcmp(c->name, name) == 0))
            n++;
    }
    return n;
}

bool
vd_node_has_element_children(const vd_node *node)
{
    vd_node *c;

    for (c = node->children; c; c = c->next) {
        if (c->kind == VD_NODE_ELEMENT)
            return true;
    }
    return false;
}

const char *
vd_node_text(vd_doc *doc, const vd_node *node)
{
    vd_node *c;
    vd_node *first = NULL;
    GString *s = NULL;
    const char *ret;

    if (!node)
        return NULL;
    for (c = node->children; c; c = c->next) {
        if (c->kind != VD_NODE_TEXT)
            continue;
        if (!first) {
            first = c;
        } else {
            if (!s)
                s = g_string_new(first->text);
            g_string_append(s, c->text);
        }
    }
    if (!first)
        return NULL;
    if (!s)
        return first->text;
    ret = vd_arena_strndup(doc, s->str, s->len);
    g_string_free(s, TRUE);
    return ret;
}

void
vd_node_set_text(vd_doc *doc, vd_node *node, const char *text)
{
    vd_node *c = node->children;
    vd_node *t;

    while (c) {
        vd_node *next = c->next;
        if (c->kind == VD_NODE_TEXT)
            vd_node_unlink(c);
        c = next;
    }
    if (!text)
        return;
    t = vd_node_new(doc, NULL);
    t->kind = VD_NODE_TEXT;
    t->text = vd_arena_strdup(doc, text);
    vd_node_insert_before(node, t, node->children);
}

/* ---- ordering ---------------------------------------------------------- */

typedef struct {
    void *item;
    int rank;
    unsigned int pos;
} vd_sort_item;

static int
vd_sort_cmp(const void *pa, const void *pb)
{
    const vd_sort_item *a = pa;
    const vd_sort_item *b = pb;

    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->pos < b->pos ? -1 : (a->pos > b->pos ? 1 : 0);
}

/* Assigns ranks; unknown items inherit the rank of the item before them,
 * so they travel with it. Returns whether any reordering is needed. */
static bool
vd_sort_rank(vd_sort_item *items, size_t n)
{
    size_t i;
    int prev = -1;
    bool sorted = true;

    for (i = 0; i < n; i++) {
        if (items[i].rank < 0)
            items[i].rank = prev;
        if (items[i].rank < prev)
            sorted = false;
        prev = items[i].rank;
    }
    return !sorted;
}

/* A vd_rank_fn and its node, as a vd_rank_ctx_fn's context. */
typedef struct {
    vd_rank_fn rank;
    const vd_node *node;
} vd_rank_adapter;

static int
vd_rank_adapted(const void *ctx, const char *name)
{
    const vd_rank_adapter *a = ctx;

    return a->rank(a->node, name);
}

void
vd_node_sort_children(vd_node *node, vd_rank_fn rank)
{
    vd_rank_adapter a = {rank, node};

    vd_node_sort_children_ctx(node, vd_rank_adapted, &a);
}

void
vd_node_sort_attrs(vd_node *node, vd_rank_fn rank)
{
    vd_rank_adapter a = {rank, node};

    vd_node_sort_attrs_ctx(node, vd_rank_adapted, &a);
}

void
vd_node_drop_repeated(vd_doc *doc, vd_node *node, vd_rank_fn rank)
{
    vd_rank_adapter a = {rank, node};

    vd_node_drop_repeated_ctx(doc, node, vd_rank_adapted, &a);
}

void
vd_node_sort_children_ctx(vd_node *node, vd_rank_ctx_fn rank, const void *ctx)
{
    vd_sort_item stack[32];
    g_autofree vd_sort_item *heap = NULL;
    vd_sort_item *items = stack;
    size_t n = 0;
    size_t i;
    vd_node *c;

    for (c = node->children; c; c = c->next)
        n++;
    if (n < 2)
        return;
    if (n > G_N_ELEMENTS(stack))
        items = heap = g_new(vd_sort_item, n);
    for (i = 0, c = node->children; c; c = c->next, i++) {
        items[i].item = c;
        items[i].pos = (unsigned int)i;
        items[i].rank = c->kind == VD_NODE_ELEMENT ? rank(ctx, c->name) : -1;
    }
    if (!vd_sort_rank(items, n))
        return;
    qsort(items, n, sizeof(*items), vd_sort_cmp);
    node->children = node->last = NULL;
    for (i = 0; i < n; i++)
        vd_node_append(node, items[i].item);
}

void
vd_node_sort_attrs_ctx(vd_node *node, vd_rank_ctx_fn rank, const void *ctx)
{
    vd_sort_item stack[32];
    g_autofree vd_sort_item *heap = NULL;
    vd_sort_item *items = stack;
    size_t n = 0;
    size_t i;
    vd_attr *a;
    vd_attr **tail;

    for (a = node->attrs; a; a = a->next)
        n++;
    if (n < 2)
        return;
    if (n > G_N_ELEMENTS(stack))
        items = heap = g_new(vd_sort_item, n);
    for (i = 0, a = node->attrs; a; a = a->next, i++) {
        items[i].item = a;
        items[i].pos = (unsigned int)i;
        items[i].rank = rank(ctx, a->name);
    }
    if (!vd_sort_rank(items, n))
        return;
    qsort(items, n, sizeof(*items), vd_sort_cmp);
    tail = &node->attrs;
    for (i = 0; i < n; i++) {
        a = items[i].item;
        *tail = a;
        tail = &a->next;
    }
    *tail = NULL;
}

/* Removes element @c for good and returns the sibling that followed it
 * (after the joined text, if any). The text on either side is then one
 * text, as it reads back: two text nodes in a row would be formatted on
 * two lines, read again as one text holding the line break and the
 * indentation of wherever the element was formatted. */
static vd_node *
vd_node_remove(vd_doc *doc, vd_node *c)
{
    vd_node *prev = c->prev;
    vd_node *next = c->next;

    vd_node_unlink(c);
    if (prev && next && prev->kind == VD_NODE_TEXT && next->kind == VD_NODE_TEXT) {
        prev->text = vd_arena_printf(doc, "%s%s", prev->text, next->text);
        vd_node_unlink(next);
        return prev->next;
    }
    return next;
}

void
vd_node_drop_repeated_ctx(vd_doc *doc, vd_node *node, vd_rank_ctx_fn rank, const void *ctx)
{
    vd_node *c = node->children;

    while (c) {
        vd_node *next = c->next;
        vd_node *p;

        if (c->kind == VD_NODE_ELEMENT && rank(ctx, c->name) >= 0) {
            for (p = node->children; p != c; p = p->next) {
                if (p->key == c->key && vd_name_eq_key(p->name, c->name, c->key)) {
                    next = vd_node_remove(doc, c);
                    break;
                }
            }
        }
        c = next;
    }
}

/* ---- equality ---------------------------------------------------------- */

static size_t
vd_attr_count(const vd_node *n)
{
    size_t c = 0;
    const vd_attr *a;

    for (a = n->attrs; a; a = a->next)
        c++;
    return c;
}

/* Appends to @buf the text of the text nodes in a row from @c; returns the
 * sibling after them. */
static const vd_node *
vd_text_run(GString *buf, const vd_node *c)
{
    for (; c && c->kind == VD_NODE_TEXT; c = c->next)
        g_string_append(buf, c->text);
    return c;
}

/* Children alike; text nodes in a row count as the one text they are
 * formatted as (and read back as). */
static bool
vd_children_equal(const vd_node *a, const vd_node *b)
{
    const vd_node *ca = a->children;
    const vd_node *cb = b->children;

    while (ca && cb) {
        if (ca->kind == VD_NODE_TEXT && cb->kind == VD_NODE_TEXT &&
            ((ca->next && ca->next->kind == VD_NODE_TEXT) ||
             (cb->next && cb->next->kind == VD_NODE_TEXT))) {
            g_autoptr(GString) ta = g_string_new(NULL);
            g_autoptr(GString) tb = g_string_new(NULL);

            ca = vd_text_run(ta, ca);
            cb = vd_text_run(tb, cb);
            if (!g_string_equal(ta, tb))
                return false;
            continue;
        }
        if (!vd_node_equal(ca, cb))
            return false;
        ca = ca->next;
        cb = cb->next;
    }
    return !ca && !cb;
}

bool
vd_node_equal(const vd_node *a, const vd_node *b)
{
    const vd_attr *at;

    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || g_strcmp0(a->name, b->name) != 0 || g_strcmp0(a->text, b->text) != 0)
        return false;
    if (vd_attr_count(a) != vd_attr_count(b))
        return false;
    for (at = a->attrs; at; at = at->next) {
        if (g_strcmp0(vd_node_attr(b, at->name), at->value) != 0)
            return false;
    }
    return vd_children_equal(a, b);
}

/* The value of attribute @name of @node taken alone (@outer: its
 * vd_node_outer_ns()). */
static const char *
vd_attr_alone(const vd_node *node, const GPtrArray *outer, const char *name)
{
    const vd_attr *a = vd_node_attr_find(node, name);
    guint i;

    for (i = 0; !a && outer && i < outer->len; i++) {
        if (strcmp(((const vd_attr *)outer->pdata[i])->name, name) == 0)
            a = outer->pdata[i];
    }
    return a ? a->value : NULL;
}

bool
vd_node_equal_alone(const vd_node *a, const vd_node *b, vd_known_fn known)
{
    g_autoptr(GPtrArray) outer_a = NULL;
    g_autoptr(GPtrArray) outer_b = NULL;
    const vd_attr *at;
    size_t n_a;
    size_t n_b;
    guint i;

    if (!a || !b || a->kind != VD_NODE_ELEMENT || b->kind != VD_NODE_ELEMENT)
        return vd_node_equal(a, b);
    outer_a = vd_node_outer_ns(a, known);
    outer_b = vd_node_outer_ns(b, known);
    n_a = vd_attr_count(a) + (outer_a ? outer_a->len : 0);
    n_b = vd_attr_count(b) + (outer_b ? outer_b->len : 0);
    if (g_strcmp0(a->name, b->name) != 0 || n_a != n_b)
        return false;
    for (at = a->attrs; at; at = at->next) {
        if (g_strcmp0(vd_attr_alone(b, outer_b, at->name), at->value) != 0)
            return false;
    }
    for (i = 0; outer_a && i < outer_a->len; i++) {
        at = outer_a->pdata[i];
        if (g_strcmp0(vd_attr_alone(b, outer_b, at->name), at->value) != 0)
            return false;
    }
    return vd_children_equal(a, b);
}

/* ---- formatting -------------------------------------------------------- */

/* g_string_append_len() without its checks when the bytes fit, as they
 * nearly always do: formatting appends many short pieces. */
static inline void
vd_buf_add(GString *buf, const char *s, size_t n)
{
    if (G_LIKELY(buf->len + n < buf->allocated_len)) {
        memcpy(buf->str + buf->len, s, n);
        buf->len += n;
        buf->str[buf->len] = '\0';
    } else {
        g_string_append_len(buf, s, (gssize)n);
    }
}

static inline void
vd_buf_add_c(GString *buf, char ch)
{
    if (G_LIKELY(buf->len + 1 < buf->allocated_len)) {
        buf->str[buf->len++] = ch;
        buf->str[buf->len] = '\0';
    } else {
        g_string_append_c(buf, ch);
    }
}

#define vd_buf_add_lit(buf, lit) vd_buf_add((buf), (lit), sizeof(lit) - 1)

/* The bytes vd_escape_append() looks at: control bytes (NUL ends the
 * text) and < > & ' ". */
static const bool vd_xml_special[256] = {
    [0x00] = true, [0x01] = true, [0x02] = true, [0x03] = true, [0x04] = true, [0x05] = true,
    [0x06] = true, [0x07] = true, [0x08] = true, [0x09] = true, [0x0a] = true, [0x0b] = true,
    [0x0c] = true, [0x0d] = true, [0x0e] = true, [0x0f] = true, [0x10] = true, [0x11] = true,
    [0x12] = true, [0x13] = true, [0x14] = true, [0x15] = true, [0x16] = true, [0x17] = true,
    [0x18] = true, [0x19] = true, [0x1a] = true, [0x1b] = true, [0x1c] = true, [0x1d] = true,
    [0x1e] = true, [0x1f] = true, ['<'] = true,  ['>'] = true,  ['&'] = true,  ['\''] = true,
    ['"'] = true,
};

void
vd_escape_append(GString *buf, const char *s, bool attr)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;

    for (;; p++) {
        const char *rep;
        unsigned char ch;

        while (!vd_xml_special[*p])
            p++;
        ch = *p;
        if (!ch)
            break;
        switch (ch) {
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '&':
            rep = "&amp;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\t':
            if (!attr)
                continue;
            rep = "&#9;"; /* a raw one would read back as a space */
            break;
        case '\n':
            if (!attr)
                continue;
            rep = "&#10;";
            break;
        case '\r':
            rep = "&#13;"; /* a raw one would read back as a line feed */
            break;
        default:
            rep = ""; /* control characters are not representable: dropped */
            break;
        }
        vd_buf_add(buf, (const char *)run, (size_t)(p - run));
        vd_buf_add(buf, rep, strlen(rep));
        run = p + 1;
    }
    vd_buf_add(buf, (const char *)run, (size_t)(p - run));
}

static void
vd_indent(GString *buf, unsigned int indent)
{
    static const char spaces[] = "                                                                ";
    while (indent > sizeof(spaces) - 1) {
        vd_buf_add(buf, spaces, sizeof(spaces) - 1);
        indent -= sizeof(spaces) - 1;
    }
    vd_buf_add(buf, spaces, indent);
}

/* The length of @name, whose key is @key: the key holds it below 255. */
static inline size_t
vd_name_len(const char *name, uint32_t key)
{
    size_t len = key >> 24;

    return len < 0xff ? len : strlen(name);
}

static void
vd_attr_format(GString *buf, const vd_attr *a)
{
    vd_buf_add_c(buf, ' ');
    vd_buf_add(buf, a->name, vd_name_len(a->name, a->key));
    vd_buf_add_lit(buf, "='");
    vd_escape_append(buf, a->value, true);
    vd_buf_add_c(buf, '\'');
}

static void
vd_node_format_rec(GString *buf, const vd_node *node, unsigned int indent, const GPtrArray *outer)
{
    const vd_attr *a;
    const vd_node *c;
    size_t name_len;
    guint i;

    if (node->kind == VD_NODE_TEXT) {
        vd_escape_append(buf, node->text, false);
        return;
    }
    name_len = vd_name_len(node->name, node->key);
    vd_indent(buf, indent);
    vd_buf_add_c(buf, '<');
    vd_buf_add(buf, node->name, name_len);
    for (i = 0; outer && i < outer->len; i++)
        vd_attr_format(buf, outer->pdata[i]);
    for (a = node->attrs; a; a = a->next)
        vd_attr_format(buf, a);
    if (!node->children) {
        vd_buf_add_lit(buf, "/>\n");
        return;
    }
    vd_buf_add_c(buf, '>');
    if (!vd_node_has_element_children(node)) {
        for (c = node->children; c; c = c->next)
            vd_escape_append(buf, c->text, false);
    } else {
        vd_buf_add_c(buf, '\n');
        for (c = node->children; c;) {
            if (c->kind == VD_NODE_TEXT) {
                /* mixed content: the text, without the white space around
                 * it, on a line of its own (as it reads back); text nodes
                 * in a row (an element between them removed) are one text */
                g_autoptr(GString) run = g_string_new(NULL);

                c = vd_text_run(run, c);
                g_strstrip(run->str);
                if (!*run->str)
                    continue;
                vd_indent(buf, indent + 2);
                vd_escape_append(buf, run->str, false);
                vd_buf_add_c(buf, '\n');
            } else {
                vd_node_format_rec(buf, c, indent + 2, NULL);
                c = c->next;
            }
        }
        vd_indent(buf, indent);
    }
    vd_buf_add_lit(buf, "</");
    vd_buf_add(buf, node->name, name_len);
    vd_buf_add_lit(buf, ">\n");
}

void
vd_node_format_alone(GString *buf, const vd_node *node, unsigned int indent, vd_known_fn known)
{
    g_autoptr(GPtrArray) outer = vd_node_outer_ns(node, known);

    vd_node_format_rec(buf, node, indent, outer);
}

void
vd_node_format(GString *buf, const vd_node *node, unsigned int indent)
{
    vd_node_format_alone(buf, node, indent, NULL);
}

/* ---- parsing ----------------------------------------------------------- */

/* A name the tree holds, by the strings of libxml2's dictionary it was
 * made of: within one parse, the same name comes as the same pointers. */
typedef struct {
    const xmlChar *local;
    const xmlChar *prefix;
    const char *name;
    uint32_t key;
} vd_sax_name;

/* Names remembered per parse; a document with more distinct names than
 * fit has the rest copied each time they appear. */
#define VD_SAX_NAME_BITS 7
#define VD_SAX_NAMES (1u << VD_SAX_NAME_BITS)

/* The bytes not yet handed to the parser. */
typedef struct {
    const char *buf;
    size_t left;
} vd_input;

typedef struct {
    vd_doc *doc;
    vd_node *cur;
    vd_sax_name names[VD_SAX_NAMES];
    vd_input *in;
    xmlParserCtxtPtr ctxt;
    unsigned int depth;
    GString *text; /* pending character data of the current element */
    vdisk_error **err;
    const char *what;
    vd_parse_check_fn check;
    void *check_ctx;
    bool failed;
} vd_sax_state;

static void
vd_sax_fail(vd_sax_state *st, vdisk_error_code code, const char *msg)
{
    int line = 0;
    int col = 0;

    if (st->failed)
        return;
    st->failed = true;
    if (st->ctxt && st->ctxt->input) {
        line = st->ctxt->input->line;
        col = st->ctxt->input->col;
    }
    vd_error_set_pos(st->err, code, line, col, "%s: line %d column %d: %s", st->what, line, col,
                     msg);
    if (st->ctxt)
        xmlStopParser(st->ctxt);
}

static void
vd_sax_flush_text(vd_sax_state *st)
{
    const char *s;
    size_t i;
    bool blank = true;
    vd_node *t;

    if (!st->text->len || !st->cur)
        goto done;
    s = st->text->str;
    for (i = 0; i < st->text->len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
            blank = false;
            break;
        }
    }
    if (blank)
        goto done; /* indentation, as libvirt ignores it */
    t = vd_node_new(st->doc, NULL);
    t->kind = VD_NODE_TEXT;
    t->text = vd_arena_strndup(st->doc, s, st->text->len);
    vd_node_append(st->cur, t);
done:
    g_string_truncate(st->text, 0);
}

static const char *
vd_qname(vd_doc *doc, const xmlChar *prefix, const xmlChar *local)
{
    if (!prefix)
        return vd_arena_strdup(doc, (const char *)local);
    return vd_arena_printf(doc, "%s:%s", (const char *)prefix, (const char *)local);
}

/* The tree's copy of name @prefix:@local and its key, made once per parse. */
static const char *
vd_sax_name_of(vd_sax_state *st, const xmlChar *prefix, const xmlChar *local, uint32_t *key)
{
    uintptr_t h = ((uintptr_t)local ^ ((uintptr_t)prefix << 1)) * (uintptr_t)0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> (sizeof(h) * 8 - VD_SAX_NAME_BITS));
    size_t probes;
    const char *name;

    for (probes = 0; probes < 8; probes++, i = (i + 1) & (VD_SAX_NAMES - 1)) {
        vd_sax_name *e = &st->names[i];

        if (e->local == local && e->prefix == prefix) {
            *key = e->key;
            return e->name;
        }
        if (!e->local) {
            /* only the dictionary's strings stay put for the whole parse */
            if (xmlDictOwns(st->ctxt->dict, local) != 1 ||
                (prefix && xmlDictOwns(st->ctxt->dict, prefix) != 1))
                break;
            e->local = local;
            e->prefix = prefix;
            e->name = vd_qname(st->doc, prefix, local);
            e->key = vd_name_key(e->name);
            *key = e->key;
            return e->name;
        }
    }
    name = vd_qname(st->doc, prefix, local);
    *key = vd_name_key(name);
    return name;
}

/* Once the parser holds the whole input, its buffer loses its read
 * callback and becomes what libxml2 takes for a buffer in memory:
 * otherwise libxml2 2.9 grows the buffer and calls for more input at
 * every look-ahead through the last 250 bytes, which costs a small
 * document a third of its parse. Not while an encoding is converted,
 * which libxml2 does as it reads; the first element comes after the XML
 * declaration, where an encoding is chosen. */
static inline void
vd_sax_input_done(vd_sax_state *st)
{
    xmlParserInputBufferPtr buf;

    if (G_LIKELY(st->in->left))
        return;
    buf = st->ctxt->input ? st->ctxt->input->buf : NULL;
    if (buf && buf->readcallback && !buf->encoder)
        buf->readcallback = NULL;
}

static void
vd_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
             int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
             const xmlChar **attributes)
{
    vd_sax_state *st = ctx;
    vd_node *n;
    vd_attr **tail;
    int i;

    (void)uri;
    (void)nb_defaulted;
    if (st->failed)
        return;
    if (++st->depth > VD_XML_MAX_DEPTH) {
        vd_sax_fail(st, VDISK_ERR_XML, "elements nested too deeply");
        return;
    }
    vd_sax_input_done(st);
    vd_sax_flush_text(st);
    n = vd_node_new(st->doc, NULL);
    n->name = vd_sax_name_of(st, prefix, localname, &n->key);
    n->line = st->ctxt && st->ctxt->input ? st->ctxt->input->line : 0;
    tail = &n->attrs;
    /* Namespace declarations and attribute values both arrive with their
     * references already replaced (replaceEntities, see vd_doc_parse()):
     * the tree holds plain values, and formatting escapes them once. */
    for (i = 0; i < nb_namespaces; i++) {
        const xmlChar *p = namespaces[2 * i];
        vd_attr *a =
            vd_attr_new(st->doc, p ? vd_arena_printf(st->doc, "xmlns:%s", (const char *)p) : "xmlns",
                        vd_arena_strdup(st->doc, (const char *)namespaces[2 * i + 1]));
        *tail = a;
        tail = &a->next;
        vd_node_note_attr(n, a);
    }
    for (i = 0; i < nb_attributes; i++) {
        const xmlChar **at = attributes + 5 * i;
        vd_attr *a = vd_arena_alloc(st->doc, sizeof(*a));

        a->name = vd_sax_name_of(st, at[1], at[0], &a->key);
        a->value = vd_arena_strndup(st->doc, (const char *)at[3], (size_t)(at[4] - at[3]));
        *tail = a;
        tail = &a->next;
        vd_node_note_attr(n, a);
    }
    if (st->cur)
        vd_node_append(st->cur, n);
    else
        st->doc->root = n;
    st->cur = n;
}

/* Text beside child elements is formatted on a line of its own, so it is
 * kept without the white space around it: formatting stays a fixed point. */
static void
vd_sax_trim_mixed(vd_node *node)
{
    vd_node *c = node->children;

    if (!vd_node_has_element_children(node))
        return;
    while (c) {
        vd_node *next = c->next;
        if (c->kind == VD_NODE_TEXT) {
            char *t = (char *)c->text; /* arena memory owned by this tree */
            g_strstrip(t);
            if (!*t)
                vd_node_unlink(c);
        }
        c = next;
    }
}

static void
vd_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    vd_sax_state *st = ctx;

    (void)localname;
    (void)prefix;
    (void)uri;
    if (st->failed)
        return;
    vd_sax_input_done(st);
    vd_sax_flush_text(st);
    if (st->cur) {
        vd_sax_trim_mixed(st->cur);
        if (st->check && st->check(st->check_ctx, st->cur, st->depth, st->err) < 0) {
            /* the check's own error stands */
            st->failed = true;
            xmlStopParser(st->ctxt);
            return;
        }
        st->cur = st->cur->parent;
    }
    st->depth--;
}

static void
vd_sax_chars(void *ctx, const xmlChar *ch, int len)
{
    vd_sax_state *st = ctx;

    if (st->failed || !st->cur)
        return;
    /* mostly the indentation between two elements */
    vd_buf_add(st->text, (const char *)ch, (size_t)len);
}

static void
vd_sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
    (void)name;
    (void)eid;
    (void)sid;
    vd_sax_fail(ctx, VDISK_ERR_XML, "document type declarations are not accepted");
}

static void
vd_sax_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pid, const xmlChar *sid,
                   xmlChar *content)
{
    (void)name;
    (void)type;
    (void)pid;
    (void)sid;
    (void)content;
    vd_sax_fail(ctx, VDISK_ERR_XML, "entity declarations are not accepted");
}

static xmlEntityPtr
vd_sax_get_entity(void *ctx, const xmlChar *name)
{
    vd_sax_state *st = ctx;
    xmlEntityPtr e = xmlGetPredefinedEntity(name);

    if (!e && !st->failed) {
        g_autofree char *msg = g_strdup_printf("undefined entity '&%s;'", (const char *)name);
        vd_sax_fail(st, VDISK_ERR_XML, msg);
    }
    return e;
}

static void
vd_sax_serror(void *ctx, xmlErrorPtr error)
{
    vd_sax_state *st = ctx;
    g_autofree char *msg = NULL;

    if (st->failed || !error || error->level < XML_ERR_ERROR)
        return;
    msg = g_strdup(error->message ? error->message : "malformed XML");
    g_strchomp(msg);
    st->failed = true;
    vd_error_set_pos(st->err, VDISK_ERR_XML, error->line, error->int2, "%s: line %d column %d: %s",
                     st->what, error->line, error->int2, msg);
}

static pthread_once_t vd_xml_once = PTHREAD_ONCE_INIT;

static void
vd_xml_init(void)
{
    xmlInitParser();
}

int
vd_doc_parse(vd_doc **out, const char *buf, size_t len, const char *what, vdisk_error **err)
{
    return vd_doc_parse_checked(out, buf, len, what, NULL, NULL, err);
}

static int
vd_input_read(void *ctx, char *out, int len)
{
    vd_input *in = ctx;
    size_t n = MIN((size_t)len, in->left);

    memcpy(out, in->buf, n);
    in->buf += n;
    in->left -= n;
    return (int)n;
}

/* A parser that reads @in a piece at a time, as it reads a file: libxml2's
 * memory parser would first copy all of it. (Its static buffers cannot
 * stand in: libxml2 2.9 misplaces the read position when it shrinks one.) */
static xmlParserCtxtPtr
vd_parser_in_place(vd_input *in)
{
    return xmlCreateIOParserCtxt(NULL, NULL, vd_input_read, NULL, in, XML_CHAR_ENCODING_NONE);
}

int
vd_doc_parse_checked(vd_doc **out, const char *buf, size_t len, const char *what,
                     vd_parse_check_fn check, void *check_ctx, vdisk_error **err)
{
    xmlSAXHandler sax;
    xmlParserCtxtPtr ctxt;
    vd_sax_state st = {0};
    vd_input in = {buf, len};
    g_autoptr(vd_doc) doc = NULL;
    int ret = -1;

    *out = NULL;
    if (!buf)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "%s: no XML given", what);
    if (len == 0)
        return vd_fail(err, VDISK_ERR_XML, "%s: line 1 column 1: the document is empty", what);
    if (len > VD_XML_MAX_BYTES)
        return vd_fail(err, VDISK_ERR_XML, "%s: %zu bytes is more than the %u accepted", what, len,
                       VD_XML_MAX_BYTES);

    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = vd_sax_start;
    sax.endElementNs = vd_sax_end;
    sax.characters = vd_sax_chars;
    sax.cdataBlock = vd_sax_chars;
    sax.internalSubset = vd_sax_internal_subset;
    sax.externalSubset = vd_sax_internal_subset;
    sax.entityDecl = vd_sax_entity_decl;
    sax.getEntity = vd_sax_get_entity;
    sax.serror = vd_sax_serror;

    /* libxml2 2.9 wants xmlInitParser() called once before threads parse
     * (it is not reentrant); the first parse in the process calls it */
    pthread_once(&vd_xml_once, vd_xml_init);
    doc = vd_doc_new();
    doc->input_bytes = len;
    st.doc = doc;
    st.err = err;
    st.what = what;
    st.check = check;
    st.check_ctx = check_ctx;
    st.in = &in;
    st.text = g_string_sized_new(64);

    ctxt = vd_parser_in_place(&in);
    if (!ctxt) {
        g_string_free(st.text, TRUE);
        return vd_fail(err, VDISK_ERR_NO_MEMORY, "%s: cannot create XML parser", what);
    }
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
    *ctxt->sax = sax;
    ctxt->userData = &st;
    /* References in attribute values and namespace declarations are
     * replaced by the parser itself, so that both reach vd_sax_start()
     * unescaped. Without this, libxml2 2.9 hands an attribute value or a
     * namespace URI holding '&amp;' or '&#38;' over as "&#38;", left for the
     * caller to decode, while newer versions always expand namespace URIs:
     * no decoding done here could be right for both. Only the predefined
     * entities exist (vd_sax_internal_subset() and vd_sax_entity_decl()
     * refuse declarations, vd_sax_get_entity() knows no others), so a
     * reference never stands for more than one character. */
    ctxt->replaceEntities = 1;
    st.ctxt = ctxt;

    xmlParseDocument(ctxt);

    if (!st.failed && (!ctxt->wellFormed || !doc->root))
        vd_sax_fail(&st, VDISK_ERR_XML, doc->root ? "malformed XML" : "no root element");
    if (!st.failed) {
        *out = g_steal_pointer(&doc);
        ret = 0;
    }
    /* libxml2 makes a document of its own in SAX mode when it reads an
     * entity declaration ("for expat compatibility", xmlParseEntityDecl),
     * which the parser context does not free */
    if (ctxt->myDoc) {
        xmlFreeDoc(ctxt->myDoc);
        ctxt->myDoc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    g_string_free(st.text, TRUE);
    return ret;
}
