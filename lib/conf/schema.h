/*
 * schema.h: libvirt's formatting order of every element under <disk>, from
 * the schema table (lib/conf/schema/disk.schema), and the one rule for
 * putting a new attribute or element in its place.
 *
 * An unknown attribute or element (one the table does not name) keeps its
 * place right after the known sibling before it, whether the siblings are
 * sorted or a new one is inserted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/schema-gen.h"
#include "util/xtree.h"

/* What libvirt does with a zero in an unsigned attribute. */
typedef enum {
    VD_UINT_KEEP_ZERO = 0, /* zero is a value libvirt formats */
    VD_UINT_DROP_ZERO,     /* zero means unset: the attribute is dropped */
    VD_UINT_NONZERO,       /* zero is refused */
    VD_UINT_REQUIRED_NONZERO,
} vd_uint_mode;

/* The parser's check of one attribute, from the schema's fields. */
typedef enum {
    VD_CHECK_ENUM,  /* one of the enum's strings; see @nonzero */
    VD_CHECK_ONOFF, /* on/off */
    VD_CHECK_YESNO, /* yes/no */
    VD_CHECK_UINT,  /* a decimal unsigned int; see @zero */
} vd_schema_check_kind;

typedef struct {
    const char *attr;
    vd_schema_check_kind kind;
    int (*from_string)(const char *str); /* VD_CHECK_ENUM */
    bool nonzero;                        /* the unset member's string is refused */
    vd_uint_mode zero;                   /* VD_CHECK_UINT */
    const char *what;                    /* the value's name in messages */
} vd_schema_check;

typedef struct {
    const vd_schema_check *checks;
    size_t n;
} vd_schema_checks;

/* Per element, the checks in the order the parser makes them. */
extern const vd_schema_checks vd_schema_element_checks[VD_EL_LAST];

typedef struct {
    const char *const *attrs;
    size_t n_attrs;
    const char *const *children;
    size_t n_children;
    const signed char *child_rank; /* NULL: a child's rank is its index */
} vd_schema_order;

extern const vd_schema_order vd_schema_orders[VD_EL_LAST];

/* The schema element @node is (by its name, its parent's and, for
 * <address>, its type). */
vd_schema_el vd_schema_element(const vd_node *node);
/* The same, kept in @node's tag when it does not depend on @node's
 * attributes, so that the next look-up of @node is one load. */
vd_schema_el vd_schema_element_tagged(vd_node *node);
/* The look-up itself (conf/schema-gen.c): sets *@by_attr when the answer
 * depends on @node's attributes. */
vd_schema_el vd_schema_element_resolve(const vd_node *node, bool *by_attr);

/* Rank of attribute @name of @node, or of child element @name of @parent, in
 * libvirt's order; -1 when the schema does not know it. Both fit vd_rank_fn. */
int vd_schema_rank_attr(const vd_node *node, const char *name);
int vd_schema_rank_child(const vd_node *parent, const char *name);

/* Sorts @node's attributes / children into libvirt's order (NULL: no-op). */
void vd_schema_sort_attrs(vd_node *node);
void vd_schema_sort_children(vd_node *node);
/* vd_node_drop_repeated() of @node's children known to the schema. */
void vd_schema_drop_repeated(vd_doc *doc, vd_node *node);

/* Sets attribute @name of @node to @value (copied), in libvirt's place when
 * it is new; @value NULL removes it. */
void vd_schema_set_attr(vd_doc *doc, vd_node *node, const char *name, const char *value);
/* Same, @value in @doc's arena or static storage. */
void vd_schema_set_attr_static(vd_doc *doc, vd_node *node, const char *name, const char *value);

/* Inserts the unlinked element @child into @parent in libvirt's place. */
void vd_schema_insert_child(vd_node *parent, vd_node *child);
/* The first child @name of @parent, created in libvirt's place if missing. */
vd_node *vd_schema_ensure_child(vd_doc *doc, vd_node *parent, const char *name);
