/*
 * disk_priv.h: the disk object inside the library
 *
 * A disk is a view onto a <disk> element of an XML tree (util/xtree.h): the
 * tree is the single source of truth, so what the model does not know is
 * kept where it stood. A standalone disk owns its tree; a disk read from a
 * domain shares the domain's tree and is owned by the domain.
 *
 * Stages, one file each, data flowing one way:
 *   disk_parse.c      values checked against libvirt's tables, canonical
 *                     spelling and element/attribute order (no defaults)
 *   disk_postparse.c  libvirt's post-parse defaults
 *   disk_validate.c   libvirt's define-time refusals (const, no side effects)
 *   disk_format.c     XML out
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdisk/disk.h"
#include "vdisk/domain.h"
#include "conf/conf.h"
#include "util/xtree.h"

/* A view of one storage source: the top one (<disk>), a <backingStore>,
 * or a <mirror>. Views are created on demand, cached in the disk and live
 * as long as it does. */
struct vdisk_source {
    vdisk_disk *disk;
    vd_node *holder;    /* element carrying @type: <disk>, <backingStore> or <mirror> */
    unsigned int depth; /* 0 for the top source and the mirror, n for the n-th backing */
    bool is_mirror;
    vdisk_source *next_view; /* the disk's list of views */
};

/* A vdisk_host is never defined: a `vdisk_host *` is the <host> element's
 * `vd_node *` itself, cast (see VD_HOST()/VD_HOST_NODE()). */
#define VD_HOST(node) ((const vdisk_host *)(node))
#define VD_HOST_NODE(host) ((const vd_node *)(host))

/* The children of <disk> that nearly every getter reads. */
typedef enum {
    VD_DISK_KID_DRIVER,
    VD_DISK_KID_SOURCE,
    VD_DISK_KID_TARGET,
    VD_DISK_KID_ADDRESS,
    VD_DISK_KID_LAST
} vd_disk_kid;

struct vdisk_disk {
    vd_doc *doc;          /* a reference is held */
    vd_node *node;        /* the <disk> element */
    vdisk_domain *domain; /* the owning domain, or NULL for a standalone disk */
    vdisk_source top;     /* view of the top source */
    vdisk_source *views;  /* further views (backing stores, mirror) */
    /* The first child of each vd_disk_kid's name (NULL: none) as they were
     * when node->gen was kids_gen, kids_known telling that they were
     * looked up at all: written by the calls that may change the disk
     * (vd_disk_remember_kids()), only read by those that take it const. */
    vd_node *kids[VD_DISK_KID_LAST];
    uint32_t kids_gen;
    bool kids_known;
};

/* Looks up and keeps the children of vd_disk_kid; called when the tree
 * may have changed (a look-up of each). */
void vd_disk_remember_kids(vdisk_disk *disk);

/* The vd_disk_kid named @name, -1 for any other name: folded at compile
 * time for a literal. */
static VD_ALWAYS_INLINE int
vd_disk_kid_of(const char *name)
{
    uint32_t key = vd_name_key(name);

    if (key == vd_name_key("driver") && vd_name_eq_key(name, "driver", key))
        return VD_DISK_KID_DRIVER;
    if (key == vd_name_key("source") && vd_name_eq_key(name, "source", key))
        return VD_DISK_KID_SOURCE;
    if (key == vd_name_key("target") && vd_name_eq_key(name, "target", key))
        return VD_DISK_KID_TARGET;
    if (key == vd_name_key("address") && vd_name_eq_key(name, "address", key))
        return VD_DISK_KID_ADDRESS;
    return -1;
}

/* vd_node_child(disk->node, @name), from what the disk remembers when it
 * still holds. */
static VD_ALWAYS_INLINE vd_node *
vd_disk_child_named(const vdisk_disk *disk, const char *name)
{
    int kid = vd_disk_kid_of(name);

    if (kid >= 0 && disk->kids_known && disk->kids_gen == disk->node->gen)
        return disk->kids[kid];
    return vd_node_child(disk->node, name);
}

/* Wraps @node of @doc (taking a reference on @doc). */
vdisk_disk *vd_disk_wrap(vd_doc *doc, vd_node *node, vdisk_domain *domain);
/* Frees the wrapper (and drops its @doc reference). */
void vd_disk_unwrap(vdisk_disk *disk);

/* address@type, any of libvirt's address types (vdisk_disk_get_address_type()
 * knows only those of a disk); VD_ADDR_FULL_NONE without an <address>. */
vd_address_type_full vd_disk_address_type_full(const vdisk_disk *disk);

/* The flags the parse entry points take. */
#define VD_PARSE_FLAGS_ALL                                                                         \
    ((unsigned int)(VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE |                            \
                    VDISK_PARSE_VALIDATE_START | VDISK_PARSE_LIVE))

/* Whether the disk schema knows element @node (a vd_known_fn). */
bool vd_disk_known_element(const vd_node *node);
