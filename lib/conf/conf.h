/*
 * conf.h: what the disk model offers the other layers (lib/qemu, lib/virt)
 * beyond the public API
 *
 * Those layers see the model only through the public accessors and this
 * header: never the XML tree, never the objects' structs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "vdisk/disk.h"
#include "vdisk/domain.h"
#include "conf/schema-gen.h"

/* "target 'vda'" (or "disk with source '/x'" when no target is set), for
 * messages. Static thread-local buffer; valid until the next call. */
const char *vd_disk_label(const vdisk_disk *disk);

/* The domain's boot context as libvirt's QEMU driver reads it. */
typedef struct {
    bool os;          /* the domain has <os> */
    bool os_boot;     /* <os> lists <boot dev=.../> elements */
    bool device_boot; /* some device carries its own <boot order=.../> */
    unsigned int hd;  /* 1-based position of <boot dev='hd'/> among them, 0: none */
    unsigned int cdrom;
    unsigned int fd;
    unsigned int network;
} vd_domain_boot;

void vd_domain_get_boot(const vdisk_domain *dom, vd_domain_boot *out);

/* ---- the machine (lib/conf/domain.c) ------------------------------------ */

/* The machines whose device placement libvirt's QEMU driver treats apart. */
typedef enum {
    VD_MACHINE_OTHER,
    VD_MACHINE_PC,         /* x86 i440fx: pci-root, the PIIX3's slots */
    VD_MACHINE_Q35,        /* x86 q35: pcie-root, the ICH9's slots */
    VD_MACHINE_ARM_VIRT,   /* ARM virt: pcie-root (gpex), or virtio-mmio */
    VD_MACHINE_RISCV_VIRT, /* RISC-V virt: the same */
    VD_MACHINE_VEXPRESS,   /* ARM vexpress-*: no PCI, virtio-mmio */
    VD_MACHINE_PSERIES,    /* ppc64 pseries: spapr-pci-host-bridges, spapr-vio */
} vd_machine;

/* The machine of @arch (NULL: x86_64) and @machine (may be NULL). */
vd_machine vd_machine_of(const char *arch, const char *machine);
/* Whether translation knows machine type @machine: pc, pc-i440fx-*, q35,
 * pc-q35-*, virt, virt-*, vexpress-*, pseries, pseries-*, s390-ccw-virtio,
 * s390-ccw-virtio-* (the table in domain.c). */
bool vd_machine_known(const char *machine);
/* Those names as "pc, pc-i440fx-*, ..." (g_free). */
char *vd_machine_known_names(void);
/* The machine of @dom (NULL: VD_MACHINE_OTHER). */
vd_machine vd_domain_machine(const vdisk_domain *dom);
/* The model libvirt gives a SCSI controller without one
 * (qemuDomainGetSCSIControllerModel with QEMU 7.2's devices). */
const char *vd_domain_default_scsi_model(const vdisk_domain *dom);
/* The model of a USB controller without one: qemu-xhci on q35, aarch64 and
 * ppc64 (a new domain's), else piix3-uhci (qemuDomainControllerDefPostParse). */
const char *vd_domain_default_usb_model(const vdisk_domain *dom);

/* ---- the order of a domain's disks (lib/conf/disk_order.c) -------------- */

typedef struct {
    guint bus;     /* small numbers, equal for equal buses */
    int index;     /* the target's index (vdisk_target_to_index()) */
    bool targeted; /* false: the disk has no target and is never "higher" */
} vd_order_key;

/* Fills @order[0..n) with the positions of @keys in the order libvirt's
 * virDomainDiskInsert() leaves the disks when they are inserted one by one
 * in the order of @keys. O(n log n). */
void vd_disk_insert_order(const vd_order_key *keys, size_t n, size_t *order);

/* A frontend property of <qemu:override> (libvirt's QEMU namespace). */
typedef enum {
    VD_QEMU_OVERRIDE_NONE,
    VD_QEMU_OVERRIDE_STRING,
    VD_QEMU_OVERRIDE_SIGNED,
    VD_QEMU_OVERRIDE_UNSIGNED,
    VD_QEMU_OVERRIDE_BOOL,
    VD_QEMU_OVERRIDE_REMOVE,
} vd_qemu_override_type;

typedef struct {
    const char *name;  /* borrowed from the domain */
    vd_qemu_override_type type;
    const char *value; /* borrowed; NULL for REMOVE */
} vd_qemu_override;

/* Whether the domain may have a <qemu:override> (false only when it is
 * known to have none). */
bool vd_domain_may_have_overrides(const vdisk_domain *dom);

/* Checks every <qemu:override>/<qemu:device>/<qemu:frontend>/<qemu:property>
 * of @dom as libvirt's parser does and, with @alias and @out, appends the
 * properties set on the device with id @alias to @out (vd_qemu_override,
 * borrowing from @dom), in the order libvirt applies them. */
int vd_domain_qemu_device_overrides(const vdisk_domain *dom, const char *alias, GArray *out,
                                    vdisk_error **err);

/* The metadata cache size of a storage source in bytes, 0 when unset:
 * driver/metadata_cache/max_size for the top source, format/metadata_cache/
 * max_size for a backing store or the mirror. */
unsigned long long vd_source_get_metadata_cache_max_size(const vdisk_source *src);

/* source@tlsHostname of a network source: the name its TLS certificate is
 * checked against instead of the host's; NULL when unset. */
const char *vd_source_get_tls_hostname(const vdisk_source *src);

/* ---- libvirt's storage XML (lib/conf/storage_xml.c) ---------------------- */

/* The type attribute of a <pool> description ("dir", "logical", ...); a
 * copy for g_free(), or NULL with @err set. @what names the pool. */
char *vd_storage_pool_xml_type(const char *xml, const char *what, vdisk_error **err);

/* The target/format@type of a <volume> description; VDISK_FORMAT_NONE when
 * it has none this library knows. */
int vd_storage_vol_xml_format(const char *xml, const char *what, vdisk_format *format,
                              vdisk_error **err);

/* The <volume> description for virStorageVolCreateXML(). Caller frees. */
char *vd_storage_vol_xml_new(const char *name, unsigned long long capacity, vdisk_format format,
                             const char *backing_path, vdisk_format backing_format);

/* domain_hotplug.c: the running domain @live (its live XML) with @disk
 * added as libvirt's QEMU driver adds a disk it hot-plugs: checked as
 * qemuDomainAttachDeviceDiskLiveInternal checks it (buses that cannot be
 * hot-plugged, floppies, targets taken), its drive address from the live
 * controllers, the PCI slot or USB port libvirt picks. *@placed is the
 * disk as it is now in @live (borrowed). Fails naming the disk when
 * libvirt would refuse it, or do what is not modelled (hot-plug a SCSI
 * controller first, change a medium, place a device behind a USB hub). */
int vd_domain_hotplug_place_disk(vdisk_domain *live, const vdisk_disk *disk, vdisk_disk **placed,
                                 vdisk_error **err);

/* The node name counter of a running domain from its status XML
 * (<domstatus><nodename index='N'/>), which must be the one of the domain
 * whose UUID is @uuid; 0 when there is none (no node named yet). */
int vd_status_xml_nodename_index(const char *xml, const char *uuid, unsigned long long *index,
                                 vdisk_error **err);
