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

/* The model libvirt's QEMU driver gives a SCSI controller written without
 * one (qemuDomainGetSCSIControllerModel): virtio-scsi on s390, else
 * lsilogic. @dom may be NULL. */
const char *vd_domain_default_scsi_model(const vdisk_domain *dom);

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

/* Whether the domain's <qemu:override> (libvirt's QEMU namespace) has a
 * <qemu:device> for the device with id @alias. */
bool vd_domain_has_qemu_device_override(const vdisk_domain *dom, const char *alias);

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
