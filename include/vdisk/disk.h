/*
 * libvdisk - virtual disks for libvirt/QEMU hosts
 *
 * disk.h: disk descriptor objects, libvirt's <disk> element
 *
 * Conventions:
 *  - Objects are opaque. What comes back through an out parameter (or as
 *    a non-const pointer from *_new) is the caller's to free; a `const char *`
 *    or a borrowed object pointer returned by a getter belongs to its parent
 *    and stays valid until the parent is changed or freed.
 *  - Enum getters return 0 (the *_DEFAULT / *_NONE member) when the XML does
 *    not set the value. Setting 0 removes it from the XML.
 *  - Numeric getters return 0 when unset (libvirt treats 0 as unset for every
 *    numeric disk field); setting 0 removes the value.
 *  - String setters copy their argument; NULL removes the value.
 *  - Every enum's non-zero members map to exactly libvirt 9.0's XML strings;
 *    vdisk_enum_to_string()/vdisk_enum_from_string() convert.
 *
 * Threads: different objects may be used in different threads at once.
 * A disk and everything borrowed from it (its sources, backing stores,
 * hosts) are one object: calls that take it as const (the getters, here
 * and in <vdisk/fields.h>, vdisk_disk_to_xml(), vdisk_disk_validate(),
 * vdisk_disk_copy(), translation) only read it and may run in several
 * threads at once; a call that takes it non-const (setters, the non-const
 * accessors, vdisk_disk_free()) must not overlap any other use of it. A
 * disk that belongs to a domain context is part of that object (see
 * <vdisk/domain.h>); a copy is independent.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_DISK_H
#define VDISK_DISK_H

#include <stdint.h>
#include <vdisk/common.h>
#include <vdisk/enums.h>
#include <vdisk/fields.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vdisk_host vdisk_host;
typedef struct vdisk_domain vdisk_domain;

/* ---- enums: libvirt's XML values ------------------------------------------------ */

/* The enums themselves are in <vdisk/enums.h>, generated from the schema. */

/** libvirt's XML string for @value of enum @which; NULL when @value is out
 * of range or is the unset member. Static storage. */
VDISK_API const char *vdisk_enum_to_string(vdisk_enum which, int value);
/** The member for libvirt string @str, or -1 when libvirt does not know it. */
VDISK_API int vdisk_enum_from_string(vdisk_enum which, const char *str);

/* ---- lifecycle ------------------------------------------------------------------ */

/** Parse flags. */
typedef enum {
    VDISK_PARSE_DEFAULT = 0,
    /** Keep the XML as written: apply none of libvirt's post-parse defaults. */
    VDISK_PARSE_NO_DEFAULTS = 1 << 0,
    /** Skip the checks libvirt makes at define time (values are still checked). */
    VDISK_PARSE_NO_VALIDATE = 1 << 1,
    /** Also make the checks libvirt's QEMU driver makes only when the domain
     * starts (what QEMU 7.2 cannot do: bus 'xen'/'uml', VxHS, gluster over
     * RDMA, ...). `vdisk check` uses this: "would libvirt run these disks". */
    VDISK_PARSE_VALIDATE_START = 1 << 2,
    /** Read the XML as libvirt reads a running domain's (live) XML: keep the
     * status-only data a definition drops (the index of sources and backing
     * stores, <mirror>, seclabel labelskip). Without it the XML is read as
     * libvirt reads one being defined (VIR_DOMAIN_DEF_PARSE_INACTIVE). */
    VDISK_PARSE_LIVE = 1 << 3,
} vdisk_parse_flags;

/** A new, empty disk (type file, device disk, no source, no target).
 * Returns NULL only when memory is exhausted. Free with vdisk_disk_free(). */
VDISK_API vdisk_disk *vdisk_disk_new(void);

/**
 * vdisk_disk_from_xml:
 * @out: (out): the new disk, the caller's
 * @xml: a NUL-terminated <disk> element
 * @err: (out) (optional): the error, when the call fails
 *
 * Parses @xml the way libvirt 9.0 parses a disk device: values are checked,
 * libvirt's post-parse defaults are applied (bus from the target name,
 * drive addresses, ...), and libvirt's define-time disk checks are made.
 * Returns 0, or -1 with @err set.
 */
VDISK_API int vdisk_disk_from_xml(vdisk_disk **out, const char *xml, vdisk_error **err);
/** vdisk_disk_from_xml() with #vdisk_parse_flags. */
VDISK_API int vdisk_disk_from_xml_flags(vdisk_disk **out, const char *xml, unsigned int flags,
                                        vdisk_error **err);

/** Formats @disk as libvirt's <disk> XML (two-space indent, trailing
 * newline) into *@out, the caller's (vdisk_free()). */
VDISK_API int vdisk_disk_to_xml(char **out, const vdisk_disk *disk, vdisk_error **err);

/** A deep copy of @disk into *@out, the caller's. */
VDISK_API int vdisk_disk_copy(vdisk_disk **out, const vdisk_disk *disk, vdisk_error **err);

/** 1 when @a and @b describe the same XML (attribute order aside), else 0. */
VDISK_API int vdisk_disk_equal(const vdisk_disk *a, const vdisk_disk *b);

/** Applies libvirt's post-parse defaults to @disk. @dom (optional) gives the
 * domain context (machine type, controllers); without it the defaults of a
 * lone disk are applied. */
VDISK_API int vdisk_disk_apply_defaults(vdisk_disk *disk, const vdisk_domain *dom,
                                        vdisk_error **err);

/** Makes libvirt 9.0's define-time checks for @disk (in @dom when given).
 * Changes nothing. Returns 0, or -1 with @err naming the disk's target and
 * the offending value. */
VDISK_API int vdisk_disk_validate(const vdisk_disk *disk, const vdisk_domain *dom,
                                  vdisk_error **err);
/** The checks libvirt's QEMU driver makes for @disk when the domain starts
 * (see VDISK_PARSE_VALIDATE_START). Changes nothing. */
VDISK_API int vdisk_disk_validate_start(const vdisk_disk *disk, const vdisk_domain *dom,
                                        vdisk_error **err);

/** Frees @disk; NULL is a no-op. A disk borrowed from a domain must not be
 * freed (it is owned by the domain). */
VDISK_API void vdisk_disk_free(vdisk_disk *disk);

/* ---- target names --------------------------------------------------------------- */

/** libvirt's index of a target name: "vda" -> 0, "sdaa" -> 26, "hdc" -> 2;
 * -1 when @name is not a valid disk name. */
VDISK_API int vdisk_target_to_index(const char *name);
/** The target name for @prefix ("vd", "sd", "hd", "fd", "xvd", "ubd") and
 * @index: ("vd", 27) -> "vdab". Caller frees with vdisk_free(); NULL when
 * @index is negative or @prefix is NULL. */
VDISK_API char *vdisk_target_from_index(const char *prefix, int index);
/** The bus libvirt infers from a target name (hd -> ide, sd -> scsi,
 * vd -> virtio, xvd -> xen, ubd -> uml, fd -> fdc); VDISK_BUS_NONE when none. */
VDISK_API vdisk_bus vdisk_bus_from_target(const char *name);

/* ---- disk-level fields ---------------------------------------------------------- */

/* The scalar fields (disk@device, driver@cache, target@bus, <serial>, ...) have
 * their getters and setters in <vdisk/fields.h>, generated from the schema. */

/* <address> */
VDISK_API vdisk_address_type vdisk_disk_get_address_type(const vdisk_disk *disk);
/** Removes the <address> element. */
VDISK_API int vdisk_disk_clear_address(vdisk_disk *disk, vdisk_error **err);
/** type='pci': returns 0 and fills the fields, -1 when the address is not PCI. */
VDISK_API int vdisk_disk_get_address_pci(const vdisk_disk *disk, unsigned int *domain,
                                         unsigned int *bus, unsigned int *slot,
                                         unsigned int *function);
VDISK_API int vdisk_disk_set_address_pci(vdisk_disk *disk, unsigned int domain, unsigned int bus,
                                         unsigned int slot, unsigned int function,
                                         vdisk_error **err);
/** type='drive'. */
VDISK_API int vdisk_disk_get_address_drive(const vdisk_disk *disk, unsigned int *controller,
                                           unsigned int *bus, unsigned int *target,
                                           unsigned int *unit);
VDISK_API int vdisk_disk_set_address_drive(vdisk_disk *disk, unsigned int controller,
                                           unsigned int bus, unsigned int target, unsigned int unit,
                                           vdisk_error **err);
/** type='usb': @port is libvirt's dotted port string ("1" or "1.2"). */
VDISK_API int vdisk_disk_get_address_usb(const vdisk_disk *disk, unsigned int *bus,
                                         const char **port);
VDISK_API int vdisk_disk_set_address_usb(vdisk_disk *disk, unsigned int bus, const char *port,
                                         vdisk_error **err);
/** type='ccw'. */
VDISK_API int vdisk_disk_get_address_ccw(const vdisk_disk *disk, unsigned int *cssid,
                                         unsigned int *ssid, unsigned int *devno);
VDISK_API int vdisk_disk_set_address_ccw(vdisk_disk *disk, unsigned int cssid, unsigned int ssid,
                                         unsigned int devno, vdisk_error **err);

/* <geometry>, <blockio> */
VDISK_API int vdisk_disk_get_geometry(const vdisk_disk *disk, unsigned int *cyls,
                                      unsigned int *heads, unsigned int *secs, vdisk_trans *trans);
/** All three of @cyls, @heads, @secs zero removes the element. */
VDISK_API int vdisk_disk_set_geometry(vdisk_disk *disk, unsigned int cyls, unsigned int heads,
                                      unsigned int secs, vdisk_trans trans, vdisk_error **err);
VDISK_API unsigned int vdisk_disk_get_logical_block_size(const vdisk_disk *disk);
VDISK_API unsigned int vdisk_disk_get_physical_block_size(const vdisk_disk *disk);
VDISK_API int vdisk_disk_set_blockio(vdisk_disk *disk, unsigned int logical, unsigned int physical,
                                     vdisk_error **err);

/* <iotune> */
VDISK_API unsigned long long vdisk_disk_get_iotune(const vdisk_disk *disk,
                                                   vdisk_iotune_field field);
VDISK_API int vdisk_disk_set_iotune(vdisk_disk *disk, vdisk_iotune_field field,
                                    unsigned long long value, vdisk_error **err);

/* ---- sources: <source>, <backingStore>, <mirror> -------------------------------- */

/** The disk's top source. Borrowed; never NULL. */
VDISK_API vdisk_source *vdisk_disk_get_source(vdisk_disk *disk);
VDISK_API const vdisk_source *vdisk_disk_get_source_const(const vdisk_disk *disk);
/** The <mirror> source of a block job, or NULL. Borrowed. */
VDISK_API const vdisk_source *vdisk_disk_get_mirror(const vdisk_disk *disk);
/** mirror@job: "copy" or "active-commit" as libvirt writes it (NULL when
 * there is no <mirror>; "copy" when the attribute is left out, as libvirt
 * reads it; "" in a live definition read while libvirt sets a copy up). */
VDISK_API const char *vdisk_disk_get_mirror_job(const vdisk_disk *disk);
/** mirror@ready in a live definition: "yes" once the mirror is ready to
 * pivot, "pivot" or "abort" while libvirt ends it; NULL when not ready or
 * there is no <mirror>. */
VDISK_API const char *vdisk_disk_get_mirror_ready(const vdisk_disk *disk);

/* Convenience for the top source. */
VDISK_API vdisk_type vdisk_disk_get_type(const vdisk_disk *disk);
VDISK_API vdisk_format vdisk_disk_get_format(const vdisk_disk *disk);
/** file, dev or dir path of the top source (by type); NULL for others. */
VDISK_API const char *vdisk_disk_get_path(const vdisk_disk *disk);

/* The scalar fields of a source (type, format, path, protocol, name, tls,
 * ...) have their getters and setters in <vdisk/fields.h>. */

/** 1 when the <source> element is present (an empty cdrom has none). */
VDISK_API int vdisk_source_is_present(const vdisk_source *src);
/** Removes <source> and the backing chain (ejects media). */
VDISK_API int vdisk_source_clear(vdisk_source *src, vdisk_error **err);

/* network sources */
VDISK_API size_t vdisk_source_get_host_count(const vdisk_source *src);
/** Host @i, borrowed; NULL when out of range. */
VDISK_API const vdisk_host *vdisk_source_get_host(const vdisk_source *src, size_t i);
/** Appends a <host>. @name is the host name, or NULL for a unix socket;
 * @port 0 leaves it out; @socket is the unix socket path or NULL. */
VDISK_API int vdisk_source_add_host(vdisk_source *src, const char *name, unsigned int port,
                                    vdisk_transport transport, const char *socket,
                                    vdisk_error **err);
VDISK_API int vdisk_source_clear_hosts(vdisk_source *src, vdisk_error **err);
VDISK_API const char *vdisk_host_get_name(const vdisk_host *host);
/** The port as written (libvirt keeps it as a string); NULL when unset. */
VDISK_API const char *vdisk_host_get_port(const vdisk_host *host);
VDISK_API vdisk_transport vdisk_host_get_transport(const vdisk_host *host);
VDISK_API const char *vdisk_host_get_socket(const vdisk_host *host);
VDISK_API size_t vdisk_source_get_cookie_count(const vdisk_source *src);
VDISK_API int vdisk_source_get_cookie(const vdisk_source *src, size_t i, const char **name,
                                      const char **value);
VDISK_API int vdisk_source_add_cookie(vdisk_source *src, const char *name, const char *value,
                                      vdisk_error **err);
VDISK_API int vdisk_source_clear_cookies(vdisk_source *src, vdisk_error **err);

/* <auth> (inside <source>, or legacy directly in <disk>) */
VDISK_API const char *vdisk_source_get_auth_username(const vdisk_source *src);
/** auth/secret@type: "iscsi" or "ceph" (libvirt's secret usage types). */
VDISK_API const char *vdisk_source_get_auth_secret_type(const vdisk_source *src);
VDISK_API const char *vdisk_source_get_auth_secret_uuid(const vdisk_source *src);
VDISK_API const char *vdisk_source_get_auth_secret_usage(const vdisk_source *src);
/** Sets <auth username=...><secret type=... uuid=.../usage=.../></auth>;
 * exactly one of @uuid and @usage. @username NULL removes the auth. */
VDISK_API int vdisk_source_set_auth(vdisk_source *src, const char *username,
                                    const char *secret_type, const char *uuid, const char *usage,
                                    vdisk_error **err);

/** 1 when the source has an <auth> element (in <source> or, for the top
 * source, the legacy place in <disk>). */
VDISK_API int vdisk_source_has_auth(const vdisk_source *src);

/* <encryption> (inside <source>, or legacy directly in <disk>) */
/** 1 when the source has an <encryption> element. */
VDISK_API int vdisk_source_has_encryption(const vdisk_source *src);
VDISK_API vdisk_encryption_format vdisk_source_get_encryption_format(const vdisk_source *src);
VDISK_API vdisk_encryption_engine vdisk_source_get_encryption_engine(const vdisk_source *src);
VDISK_API const char *vdisk_source_get_encryption_secret_uuid(const vdisk_source *src);
VDISK_API const char *vdisk_source_get_encryption_secret_usage(const vdisk_source *src);
/** Sets <encryption format=...><secret type='passphrase' uuid=.../></encryption>.
 * @format VDISK_ENCRYPTION_DEFAULT removes it. */
VDISK_API int vdisk_source_set_encryption(vdisk_source *src, vdisk_encryption_format format,
                                          vdisk_encryption_engine engine, const char *uuid,
                                          const char *usage, vdisk_error **err);

/* <reservations managed=...><source type='unix' path=... mode=.../></reservations> */
VDISK_API vdisk_tristate vdisk_source_get_reservations_managed(const vdisk_source *src);
VDISK_API const char *vdisk_source_get_reservations_path(const vdisk_source *src);
VDISK_API int vdisk_source_set_reservations(vdisk_source *src, vdisk_tristate managed,
                                            const char *path, const char *mode, vdisk_error **err);

/* <slices><slice type='storage' offset=... size=.../></slices> */
VDISK_API int vdisk_source_get_slice(const vdisk_source *src, unsigned long long *offset,
                                     unsigned long long *size);
/** @size 0 removes the slice. */
VDISK_API int vdisk_source_set_slice(vdisk_source *src, unsigned long long offset,
                                     unsigned long long size, vdisk_error **err);

/* type='volume' */
VDISK_API int vdisk_source_set_volume(vdisk_source *src, const char *pool, const char *volume,
                                      vdisk_pool_mode mode, vdisk_error **err);

/* type='nvme' */
VDISK_API unsigned int vdisk_source_get_nvme_namespace(const vdisk_source *src);
VDISK_API int vdisk_source_get_nvme_address(const vdisk_source *src, unsigned int *domain,
                                            unsigned int *bus, unsigned int *slot,
                                            unsigned int *function);
VDISK_API vdisk_tristate vdisk_source_get_nvme_managed(const vdisk_source *src);
VDISK_API int vdisk_source_set_nvme(vdisk_source *src, unsigned int ns, vdisk_tristate managed,
                                    unsigned int domain, unsigned int bus, unsigned int slot,
                                    unsigned int function, vdisk_error **err);

/* type='vhostuser': <source type='unix' path=...><reconnect .../></source> */
/** reconnect@enabled (yes/no); VDISK_TRISTATE_DEFAULT without <reconnect>. */
VDISK_API vdisk_tristate vdisk_source_get_reconnect_enabled(const vdisk_source *src);
/** reconnect@timeout in seconds; 0 when unset. */
VDISK_API unsigned int vdisk_source_get_reconnect_timeout(const vdisk_source *src);
/** Sets <reconnect enabled=... [timeout=...]/>: ON needs a non-zero @timeout,
 * OFF writes enabled='no', DEFAULT removes the element. */
VDISK_API int vdisk_source_set_reconnect(vdisk_source *src, vdisk_tristate enabled,
                                         unsigned int timeout, vdisk_error **err);

/* <identity user=... group=.../> of an NFS source ("+UID"/"+GID" or names) */
VDISK_API const char *vdisk_source_get_identity_user(const vdisk_source *src);
VDISK_API const char *vdisk_source_get_identity_group(const vdisk_source *src);
/** Both NULL removes the element. */
VDISK_API int vdisk_source_set_identity(vdisk_source *src, const char *user, const char *group,
                                        vdisk_error **err);

/* backing chains */
/** The next source down the chain, or NULL when there is none (or when the
 * chain ends in an empty <backingStore/>). Borrowed. */
VDISK_API vdisk_source *vdisk_source_get_backing(const vdisk_source *src);
/** 1 when the chain explicitly ends here with <backingStore/>. */
VDISK_API int vdisk_source_get_backing_terminated(const vdisk_source *src);
/** Sets the explicit <backingStore/> terminator (removing any backing). */
VDISK_API int vdisk_source_set_backing_terminated(vdisk_source *src, int terminated,
                                                  vdisk_error **err);
/** Appends a new backing source below @src (replacing what was there) and
 * returns it, borrowed, through *@out. */
VDISK_API int vdisk_source_new_backing(vdisk_source **out, vdisk_source *src, vdisk_type type,
                                       vdisk_format format, vdisk_error **err);

#ifdef __cplusplus
}
#endif

#endif /* VDISK_DISK_H */
