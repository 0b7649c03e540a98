/*
 * libvdisk - virtual disks for libvirt/QEMU hosts
 *
 * domain.h: the domain context disk work needs, read from <domain> XML
 *
 * Threads: a domain context, its controllers and the disks borrowed from
 * it (vdisk_domain_get_disk(), vdisk_domain_find_disk()) share one
 * document and are one object: const calls on any of them may run in
 * several threads at once, a change to any of them (or freeing the
 * context) must not overlap any other use of the context or its disks.
 * Different contexts are independent.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_DOMAIN_H
#define VDISK_DOMAIN_H

#include <vdisk/common.h>
#include <vdisk/disk.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vdisk_controller vdisk_controller;

/* vdisk_controller_type (controller@type) is in <vdisk/enums.h>. */

/**
 * vdisk_domain_from_xml:
 * @out: (out): the new domain context, the caller's
 * @xml: a NUL-terminated <domain> document
 *
 * Reads what disk work needs: name, virtualization type, arch and machine,
 * controllers, iothreads and the disks in document order. Disks are parsed,
 * given libvirt's post-parse defaults and checked as libvirt does at define
 * time (flags as for vdisk_disk_from_xml_flags()).
 */
VDISK_API int vdisk_domain_from_xml(vdisk_domain **out, const char *xml, vdisk_error **err);
VDISK_API int vdisk_domain_from_xml_flags(vdisk_domain **out, const char *xml,
                                          unsigned int flags, vdisk_error **err);
/** Formats the whole domain, disks as they are now, everything else as read. */
VDISK_API int vdisk_domain_to_xml(char **out, const vdisk_domain *dom, vdisk_error **err);
VDISK_API void vdisk_domain_free(vdisk_domain *dom);

VDISK_API const char *vdisk_domain_get_name(const vdisk_domain *dom);
/** domain@type: "kvm", "qemu", ... */
VDISK_API const char *vdisk_domain_get_virt_type(const vdisk_domain *dom);
/** os/type@arch, NULL when unset. */
VDISK_API const char *vdisk_domain_get_arch(const vdisk_domain *dom);
/** os/type@machine as written ("pc", "q35", "pc-i440fx-7.2"), NULL when unset. */
VDISK_API const char *vdisk_domain_get_machine(const vdisk_domain *dom);
/** 1 for q35-family machine types, 0 otherwise. */
VDISK_API int vdisk_domain_is_q35(const vdisk_domain *dom);
/** <iothreads> count, 0 when none. */
VDISK_API unsigned int vdisk_domain_get_iothreads(const vdisk_domain *dom);

VDISK_API size_t vdisk_domain_get_disk_count(const vdisk_domain *dom);
/** Disk @i in document order, borrowed from @dom; NULL when out of range. */
VDISK_API vdisk_disk *vdisk_domain_get_disk(vdisk_domain *dom, size_t i);
VDISK_API const vdisk_disk *vdisk_domain_get_disk_const(const vdisk_domain *dom, size_t i);
/** The disk whose target is @target, borrowed; NULL when none. */
VDISK_API vdisk_disk *vdisk_domain_find_disk(vdisk_domain *dom, const char *target);
/** Adds a copy of @disk at the end of the domain's disks (defaults applied,
 * checked against the domain). */
VDISK_API int vdisk_domain_add_disk(vdisk_domain *dom, const vdisk_disk *disk,
                                    vdisk_error **err);
/** Removes the disk whose target is @target. */
VDISK_API int vdisk_domain_remove_disk(vdisk_domain *dom, const char *target,
                                       vdisk_error **err);

VDISK_API size_t vdisk_domain_get_controller_count(const vdisk_domain *dom);
/** Controller @i in document order, borrowed. */
VDISK_API const vdisk_controller *vdisk_domain_get_controller(const vdisk_domain *dom,
                                                              size_t i);
/** The controller of @type with @index, or NULL. */
VDISK_API const vdisk_controller *vdisk_domain_find_controller(const vdisk_domain *dom,
                                                               vdisk_controller_type type,
                                                               unsigned int index);
VDISK_API vdisk_controller_type vdisk_controller_get_type(const vdisk_controller *ctrl);
VDISK_API unsigned int vdisk_controller_get_index(const vdisk_controller *ctrl);
/** controller@model as written ("virtio-scsi", "lsilogic", "ich9-ahci", ...) or NULL. */
VDISK_API const char *vdisk_controller_get_model(const vdisk_controller *ctrl);
/** <alias name=...>, or NULL. */
VDISK_API const char *vdisk_controller_get_alias(const vdisk_controller *ctrl);
/** The controller's PCI address, when it has one: 0, else -1. */
VDISK_API int vdisk_controller_get_address_pci(const vdisk_controller *ctrl,
                                               unsigned int *domain, unsigned int *bus,
                                               unsigned int *slot, unsigned int *function);

#ifdef __cplusplus
}
#endif

#endif /* VDISK_DOMAIN_H */
