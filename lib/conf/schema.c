/*
 * schema.c: ranks and ordered insertion from the schema's order tables
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/schema.h"

/* A node's tag holds its schema element plus one. */
_Static_assert(VD_EL_LAST < 255, "schema elements do not fit a node's tag");

vd_schema_el
vd_schema_element(const vd_node *node)
{
    bool by_attr = false;

    if (node && node->tag)
        return (vd_schema_el)(node->tag - 1);
    return vd_schema_element_resolve(node, &by_attr);
}

vd_schema_el
vd_schema_element_tagged(vd_node *node)
{
    bool by_attr = false;
    vd_schema_el el;

    if (!node)
        return VD_EL_UNKNOWN;
    if (node->tag)
        return (vd_schema_el)(node->tag - 1);
    el = vd_schema_element_resolve(node, &by_attr);
    if (!by_attr)
        node->tag = (uint8_t)(el + 1);
    return el;
}

static int
vd_schema_rank_in(const char *const *names, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        /* the first byte rules out most entries without a call */
        if (names[i][0] == name[0] && vd_name_eq(names[i], name))
            return (int)i;
    }
    return -1;
}

static int
vd_schema_attr_rank_of(const vd_schema_order *o, const char *name)
{
    return vd_schema_rank_in(o->attrs, o->n_attrs, name);
}

static int
vd_schema_child_rank_of(const vd_schema_order *o, const char *name)
{
    int i = vd_schema_rank_in(o->children, o->n_children, name);

    if (i < 0 || !o->child_rank)
        return i;
    return o->child_rank[i];
}

int
vd_schema_rank_attr(const vd_node *node, const char *name)
{
    return vd_schema_attr_rank_of(&vd_schema_orders[vd_schema_element(node)], name);
}

int
vd_schema_rank_child(const vd_node *parent, const char *name)
{
    return vd_schema_child_rank_of(&vd_schema_orders[vd_schema_element(parent)], name);
}

/* The same as vd_rank_ctx_fn, on the order table resolved once per sort. */
static int
vd_schema_attr_rank_cb(const void *order, const char *name)
{
    return vd_schema_attr_rank_of(order, name);
}

static int
vd_schema_child_rank_cb(const void *order, const char *name)
{
    return vd_schema_child_rank_of(order, name);
}

void
vd_schema_sort_attrs(vd_node *node)
{
    if (node)
        vd_node_sort_attrs_ctx(node, vd_schema_attr_rank_cb,
                               &vd_schema_orders[vd_schema_element_tagged(node)]);
}

void
vd_schema_sort_children(vd_node *node)
{
    if (node)
        vd_node_sort_children_ctx(node, vd_schema_child_rank_cb,
                                  &vd_schema_orders[vd_schema_element_tagged(node)]);
}

void
vd_schema_drop_repeated(vd_doc *doc, vd_node *node)
{
    if (node)
        vd_node_drop_repeated_ctx(doc, node, vd_schema_child_rank_cb,
                                  &vd_schema_orders[vd_schema_element_tagged(node)]);
}

/* The attribute that a new attribute of rank @mine follows: the last one
 * whose rank (an unknown one inheriting the rank before it) is <= @mine. */
static vd_attr **
vd_schema_attr_slot(vd_node *node, const vd_schema_order *o, int mine)
{
    vd_attr **slot = &node->attrs;
    vd_attr *a;
    int prev = -1;

    for (a = node->attrs; a; a = a->next) {
        int r = vd_schema_attr_rank_of(o, a->name);

        if (r < 0)
            r = prev;
        if (r > mine)
            break;
        prev = r;
        slot = &a->next;
    }
    return slot;
}

static void
vd_schema_set_attr_impl(vd_doc *doc, vd_node *node, const char *name, const char *value, bool copy)
{
    const vd_schema_order *o;
    vd_attr **slot;
    vd_attr *a;
    int mine;

    if (!value || vd_node_attr_find(node, name)) {
        if (copy)
            vd_node_set_attr(doc, node, name, value);
        else
            vd_node_set_attr_static(doc, node, name, value);
        return;
    }
    o = &vd_schema_orders[vd_schema_element_tagged(node)];
    mine = vd_schema_attr_rank_of(o, name);
    if (mine < 0) {
        /* unknown to the schema: after everything there */
        if (copy)
            vd_node_set_attr(doc, node, name, value);
        else
            vd_node_set_attr_static(doc, node, name, value);
        return;
    }
    slot = vd_schema_attr_slot(node, o, mine);
    a = vd_attr_new(doc, vd_arena_strdup(doc, name), copy ? vd_arena_strdup(doc, value) : value);
    a->next = *slot;
    *slot = a;
    vd_node_note_attr(node, a);
}

void
vd_schema_set_attr(vd_doc *doc, vd_node *node, const char *name, const char *value)
{
    vd_schema_set_attr_impl(doc, node, name, value, true);
}

void
vd_schema_set_attr_static(vd_doc *doc, vd_node *node, const char *name, const char *value)
{
    vd_schema_set_attr_impl(doc, node, name, value, false);
}

void
vd_schema_insert_child(vd_node *parent, vd_node *child)
{
    const vd_schema_order *o = &vd_schema_orders[vd_schema_element_tagged(parent)];
    int mine = vd_schema_child_rank_of(o, child->name);
    int prev = -1;
    vd_node *c;

    for (c = parent->children; c; c = c->next) {
        int r = c->kind == VD_NODE_ELEMENT ? vd_schema_child_rank_of(o, c->name) : -1;

        if (r < 0)
            r = prev;
        if (r > mine)
            break;
        prev = r;
    }
    vd_node_insert_before(parent, child, c);
}

vd_node *
vd_schema_ensure_child(vd_doc *doc, vd_node *parent, const char *name)
{
    vd_node *n = vd_node_child(parent, name);

    if (n)
        return n;
    n = vd_node_new(doc, vd_arena_strdup(doc, name));
    vd_schema_insert_child(parent, n);
    return n;
}
