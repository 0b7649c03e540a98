/*
 * qemu_priv.h: translation results and options inside the library
 *
 * A translation produces a list of items, each a property tree and the kind
 * of QEMU object it describes (-object, -blockdev, -device). The argv, the
 * shell line and the QMP commands are all rendered from those same trees.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

#include "vdisk/qemu.h"
#include "qemu/props.h"

typedef enum {
    VD_QEMU_ITEM_OBJECT,   /* -object / object-add */
    VD_QEMU_ITEM_BLOCKDEV, /* -blockdev / blockdev-add */
    VD_QEMU_ITEM_DEVICE,   /* -device / device_add */
} vd_qemu_item_kind;

struct vdisk_qemu_opts {
    char *machine;           /* NULL: the domain's */
    unsigned int first_node; /* first "libvirt-N" number */
};

struct vdisk_qemu_args {
    GPtrArray *kinds; /* GINT_TO_POINTER(vd_qemu_item_kind) */
    GPtrArray *props; /* vd_prop *, owned */
    GPtrArray *argv;  /* char *, owned */
    GPtrArray *qmp;   /* char *, owned */
};

vdisk_qemu_args *vd_qemu_args_new(void);
/* Appends an item; takes ownership of @props. */
void vd_qemu_args_add(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props);
/* Renders argv and QMP strings of every item. */
void vd_qemu_args_render(vdisk_qemu_args *args);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_qemu_args, vdisk_qemu_args_free)
