/*
 * domain_priv.h: the domain context inside the library
 *
 * A domain owns the whole <domain> tree; its disks are views onto the
 * <disk> elements of that tree. Controllers are read once; those libvirt
 * adds implicitly for disk addresses are kept here (flagged implicit) and
 * are not written into the XML.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdisk/domain.h"
#include "conf/disk_priv.h"
#include "util/enumtab.h"

struct vdisk_controller {
    vdisk_controller_type type;
    unsigned int index;
    const char *model; /* NULL when unset */
    const char *alias;
    bool has_pci;
    unsigned int pci[4];  /* domain, bus, slot, function */
    bool implicit;        /* added as libvirt would, not in the XML */
    bool has_index;       /* while parsing: index was written */
    int master_startport; /* a USB companion's <master startport>, or -1 */
    vd_node *node;        /* NULL for implicit controllers */
};

/* Whether @ctrl is one of the ICH9 USB2 controllers (EHCI1 and its UHCI
 * companions), which share one index, one bus and one PCI slot. */
bool vd_controller_is_usb2(const vdisk_controller *ctrl);
/* Puts @dom->controllers, read in document order, in the order libvirt's
 * virDomainControllerInsertPreAlloced() gives them when it inserts them
 * one by one: after the controllers of its type with a lower or equal
 * index (a master before its companions), or at the end when it is the
 * first of its type. O(n log n) in the number of controllers. */
void vd_domain_order_controllers(vdisk_domain *dom);

/* A drive address: controller, bus, target, unit. */
typedef struct {
    unsigned int v[4];
} vd_drive_addr;

struct vdisk_domain {
    vd_doc *doc;
    vd_node *devices; /* the <devices> element (created when absent) */
    const char *name;
    const char *virt_type;
    const char *arch;
    const char *machine;
    unsigned int iothreads;
    bool shared_memory;          /* guest memory is shared, as vhost-user needs */
    GArray *iothread_ids;        /* unsigned int */
    GArray *scsi_hostdev_drives; /* vd_drive_addr: drive addresses of SCSI <hostdev>s */
    GPtrArray *disks;            /* vdisk_disk *, owned */
    GPtrArray *controllers;      /* vdisk_controller *, owned */
    /* The controllers by type and index, for vd_domain_controller(): what
     * vd_domain_index_controllers() last made of them, while
     * controllers_indexed (the calls that change the controllers redo or
     * drop it; the const ones only read it). */
    GArray *controller_index; /* vd_controller_key, sorted */
    bool controllers_indexed;
    /* Whether <domain> has a <qemu:override> child, as it was when the
     * root element's generation was overrides_gen (overrides_known): set
     * by vd_domain_note_overrides(), read by the const calls. */
    bool overrides_known;
    bool has_overrides;
    uint32_t overrides_gen;
};

/* Notes whether the domain has a <qemu:override>; called once it is read. */
void vd_domain_note_overrides(vdisk_domain *dom);

/* A controller's place in vdisk_domain.controller_index. */
typedef struct {
    unsigned int type;
    unsigned int index;
    guint pos; /* in dom->controllers */
} vd_controller_key;

/* Indexes dom->controllers by type and index; called whenever they
 * change (O(n log n) in the number of controllers). */
void vd_domain_index_controllers(vdisk_domain *dom);

/* The controller of @type and @index (explicit or implicit), or NULL. */
const vdisk_controller *vd_domain_controller(const vdisk_domain *dom, vdisk_controller_type type,
                                             unsigned int index);
/* Whether @id names one of the domain's iothreads. */
bool vd_domain_has_iothread(const vdisk_domain *dom, unsigned int id);

/* The highest controller index a drive address may name. libvirt adds a
 * controller for every index up to it, each in a PCI slot, and refuses the
 * domain when its PCI allocator runs out (an otherwise empty pc domain
 * takes up to 267); libvdisk refuses past this fixed bound instead, so
 * that hostile input cannot make it add controllers without end. */
#define VD_MAX_DRIVE_CONTROLLER 255u

/* A disk's drive address (controller, bus, target, unit): 0, or -1 when none. */
int vd_disk_drive_address(const vdisk_disk *disk, unsigned int v[4]);
/* target@dev, target@bus as written, and the source path for messages. */
const char *vd_disk_target(const vdisk_disk *disk);
const char *vd_disk_bus(const vdisk_disk *disk);
const char *vd_disk_source_desc(const vdisk_disk *disk);
/* The index of the disk with @target in dom->disks, or -1. */
gint vd_domain_find_index(const vdisk_domain *dom, const char *target);
/* Adds an implicit controller unless one of @type and @index exists. */
void vd_domain_add_controller(vdisk_domain *dom, vdisk_controller_type type, unsigned int index,
                              const char *model);
/* Free functions of the context's arrays. */
void vd_controller_free(gpointer p);
void vd_disk_release(gpointer p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_domain, vdisk_domain_free)
