/*
 * libvdisk - virtual disks for libvirt/QEMU hosts
 *
 * hotplug.h: disks of running and defined domains, through a libvirt connection
 *
 * This is the only libvdisk header that needs libvirt's: include it on its
 * own (vdisk.h does not pull it in). The functions here never close or free
 * what they did not open: connections and domains stay the caller's.
 *
 * When libvirt refuses an operation, the error keeps libvirt's code
 * (vdisk_error_get_libvirt_code()) and message, prefixed with the call's
 * name and the disk's target.
 *
 * libvdisk is not linked to libvirt: the functions here load libvirt.so.0
 * the first time one of them needs it (a program that already has libvirt
 * loaded shares that copy), so programs that only parse and translate disks
 * never load it. When libvirt cannot be loaded they fail with
 * VDISK_ERR_SYSTEM saying so. A program that calls libvirt itself links it
 * as usual (pkg-config libvdisk and vdisk::vdisk hand it libvirt's flags);
 * with vdisk_connect_close(), vdisk_connect_lookup_domain() and
 * vdisk_domain_ptr_free() one that only opens connections, finds domains
 * and passes them here need not.
 *
 * Threads: every call here may be made from any thread, on shared or
 * separate connections and domains (libvirt's objects are thread-safe and
 * its last error is per thread). libvirt is loaded, and the event loop
 * started, once per process whichever thread gets there first; the
 * event loop's thread runs the callbacks of vdisk_hotplug_detach(), each of
 * which waits for its own device only. libvirt runs one change of a domain
 * at a time, but the steps a call makes (read the domain, check, change,
 * wait) are not one transaction: calls that change the same target of the
 * same domain at once, from this process or another, may each find the
 * state the other left half way. Use distinct targets, or take turns.
 *
 * libvirt's error printing: libvirt's default error handler prints every
 * failure on stderr ("libvirt: ... error : ..."). When libvdisk is the one
 * that loads libvirt (the program had not loaded it), it replaces that
 * default once, at load, with virSetErrorFunc() and a handler that prints
 * nothing: failures reach the caller as #vdisk_error objects only. A
 * program that sets its own handler (virSetErrorFunc(), before or after)
 * keeps it: a program that had libvirt loaded before the first call is left
 * alone, and one set later replaces libvdisk's. Connections opened by
 * vdisk_connect_open() also get a quiet per-connection handler (see there).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_HOTPLUG_H
#define VDISK_HOTPLUG_H

#include <libvirt/libvirt.h>
#include <vdisk/common.h>
#include <vdisk/disk.h>
#include <vdisk/domain.h>
#include <vdisk/qemu.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- hotplug -------------------------------------------------------------------- */

/** Where an operation applies. LIVE and CONFIG together are all or nothing.
 * Neither means "the running domain if it runs, else its configuration"
 * (libvirt's VIR_DOMAIN_AFFECT_CURRENT). LIVE on a domain that is not
 * running fails with VDISK_ERR_INVALID_ARG, CONFIG (or INACTIVE) on a
 * transient domain with VDISK_ERR_TRANSIENT, before anything is changed.
 * PERSISTENT asks for every definition the domain has: the live one when it
 * runs, and the persistent one when it has one (a transient domain's change
 * is live only; vdisk_hotplug_resolve_flags() says which). */
typedef enum {
    VDISK_HOTPLUG_CURRENT = 0,
    /** The running domain. */
    VDISK_HOTPLUG_LIVE = 1 << 0,
    /** The persistent configuration. */
    VDISK_HOTPLUG_CONFIG = 1 << 1,
    /** Media change: open a locked tray (VIR_DOMAIN_DEVICE_MODIFY_FORCE). */
    VDISK_HOTPLUG_FORCE = 1 << 2,
    /** List: the persistent configuration instead of the live state. */
    VDISK_HOTPLUG_INACTIVE = 1 << 3,
    /** The running domain, and the persistent definition when there is one. */
    VDISK_HOTPLUG_PERSISTENT = 1 << 4,
    /** Attach: a disk without a format takes whatever format its header shows
     * (vdisk_image_probe_format(); VDISK_ATTACH_FORMAT_GUESSED when nothing
     * was recognised and raw was taken). Without it, only a header that shows
     * no format (or an ISO 9660 image) is attached, as raw. */
    VDISK_HOTPLUG_PROBE_FORMAT = 1 << 5,
} vdisk_hotplug_flags;

/**
 * vdisk_hotplug_list:
 * @out: (out): the domain's disks as a domain context, the caller's
 *       (vdisk_domain_free())
 * @dom: the domain (borrowed)
 * @flags: 0 for the live state of a running domain (the definition of a
 *         stopped one), VDISK_HOTPLUG_INACTIVE for the persistent configuration
 *
 * Returns 0, or -1 with @err set: VDISK_ERR_TRANSIENT for
 * VDISK_HOTPLUG_INACTIVE on a transient domain, which has no persistent
 * configuration.
 */
VDISK_API int vdisk_hotplug_list(vdisk_domain **out, virDomainPtr dom, unsigned int flags,
                                 vdisk_error **err);

/**
 * vdisk_hotplug_next_target:
 * @out: (out): the first free target name for @bus ("vdb", "sdc", ...), the
 *       caller's (vdisk_free())
 * @bus: the bus the disk will sit on; its prefix is vd (virtio), sd (scsi,
 *       sata, usb), hd (ide), fd (fdc)
 *
 * Names used in the live state or in the persistent configuration are both
 * taken, and so is a name whose device alias (libvirt derives "virtio-disk2"
 * from the index of "vdc", "scsi0-0-0-2" from the drive address of "sdc")
 * or drive address another disk already has, whatever that disk's own name
 * ("sdc" on bus virtio is "virtio-disk2" too). Fails with VDISK_ERR_EXISTS
 * when the bus has no free name within libvirt's limits (ide: 4 on i440fx
 * machines, fdc: 2). The name is free when the call reads the domain; a
 * concurrent caller may take it before it is used: vdisk_hotplug_attach_auto()
 * picks the name and retries by itself.
 */
VDISK_API int vdisk_hotplug_next_target(char **out, virDomainPtr dom, vdisk_bus bus,
                                        vdisk_error **err);

/**
 * vdisk_hotplug_attach:
 * @disk: the disk to attach; its target and bus must be set (see
 *        vdisk_hotplug_next_target())
 * @flags: VDISK_HOTPLUG_LIVE and/or VDISK_HOTPLUG_CONFIG (0: current)
 *
 * Makes sure @disk is attached: when a disk with the same target and the same
 * source is already there, nothing is done and 0 is returned; a target taken
 * by another source fails with VDISK_ERR_EXISTS naming that source, and a
 * source the domain already has under another target fails with
 * VDISK_ERR_EXISTS naming that target. The disk is checked against the
 * domain before libvirt is asked; buses QEMU cannot hotplug (ide, sata, fdc)
 * are refused with VDISK_ERR_UNSUPPORTED for a live attach. With LIVE|CONFIG
 * libvirt makes both changes in one call, all or nothing. A disk without a
 * format is handled as vdisk_hotplug_attach_auto() describes (header read,
 * only raw taken without VDISK_HOTPLUG_PROBE_FORMAT). When libvirt or QEMU
 * refuses because the machine cannot hot-plug there (a pc machine without
 * ACPI, a bus without hotplug), the message says what to change.
 */
VDISK_API int vdisk_hotplug_attach(virDomainPtr dom, const vdisk_disk *disk, unsigned int flags,
                                   vdisk_error **err);

/** What vdisk_hotplug_attach_auto() did, as bits of its @result. */
typedef enum {
    /** The disk was attached to the running domain. */
    VDISK_ATTACH_LIVE_CHANGED = 1 << 0,
    /** The disk was added to the persistent configuration. */
    VDISK_ATTACH_CONFIG_CHANGED = 1 << 1,
    /** The source was already attached (nothing or only the missing side was
     * added); the disk's target is the one it already had. */
    VDISK_ATTACH_EXISTING = 1 << 2,
    /** VDISK_HOTPLUG_PERSISTENT on a transient domain: the change was live
     * only, the domain has no persistent definition. */
    VDISK_ATTACH_LIVE_ONLY = 1 << 3,
    /** The format was read from the image's header (none was given). */
    VDISK_ATTACH_FORMAT_PROBED = 1 << 4,
    /** ... and no header was recognised: raw is a guess. */
    VDISK_ATTACH_FORMAT_GUESSED = 1 << 5,
    /** The target first chosen was taken by a concurrent caller before the
     * attach reached libvirt; a later free one was used. */
    VDISK_ATTACH_TARGET_RETRIED = 1 << 6,
} vdisk_attach_result;

/**
 * vdisk_hotplug_attach_auto:
 * @dom: the domain (borrowed)
 * @disk: (inout): the disk to attach. Its target may be unset: the first
 *        free one for its bus is taken (see vdisk_hotplug_next_target()).
 *        On success it holds the target and the format used.
 * @flags: VDISK_HOTPLUG_LIVE, _CONFIG or _PERSISTENT (0: current), and
 *         VDISK_HOTPLUG_PROBE_FORMAT
 * @result: (out) (optional): #vdisk_attach_result bits
 *
 * Makes sure @disk is attached, as vdisk_hotplug_attach() does, and:
 *
 * - With no target, a source the domain already uses (same path, same
 *   pool and volume, same network name; in the live definition, and in the
 *   persistent one when it is changed) is not attached a second time: the
 *   call succeeds with the target it has (VDISK_ATTACH_EXISTING, no
 *   *_CHANGED bit when every side has it). With a target that differs from
 *   the one the source already has, it fails with VDISK_ERR_EXISTS naming
 *   that target (unless both disks are read-only, or both shareable).
 * - With no target, when a concurrent caller (thread, process or host) takes
 *   the chosen target, its alias or its address first, the next free one is
 *   tried (up to 64 times) instead of failing.
 * - With no format, a local file or block device's header is read: one that
 *   shows no format is attached as raw (VDISK_ATTACH_FORMAT_PROBED |
 *   VDISK_ATTACH_FORMAT_GUESSED), an ISO 9660 image as raw; any other
 *   format fails with VDISK_ERR_INVALID_ARG naming it, unless
 *   VDISK_HOTPLUG_PROBE_FORMAT is given. Images of a remote connection's
 *   host cannot be read: without a format they are refused.
 *
 * With LIVE and CONFIG libvirt changes both in one call (the live attach is
 * undone when the configuration cannot be saved). The change is recorded in
 * the domain's metadata first and the record removed after the last step, so
 * that vdisk_hotplug_recover() can finish or undo an interrupted one.
 */
VDISK_API int vdisk_hotplug_attach_auto(virDomainPtr dom, vdisk_disk *disk, unsigned int flags,
                                        unsigned int *result, vdisk_error **err);

/**
 * vdisk_hotplug_resolve_flags:
 * @flags: VDISK_HOTPLUG_LIVE, _CONFIG, _PERSISTENT or 0 (current)
 * @resolved: (out): VDISK_HOTPLUG_LIVE and/or VDISK_HOTPLUG_CONFIG: the
 *            definitions a change with @flags applies to now
 *
 * Fails as the changes would: VDISK_ERR_INVALID_ARG for LIVE on a domain
 * that does not run, VDISK_ERR_TRANSIENT for CONFIG on a transient one.
 */
VDISK_API int vdisk_hotplug_resolve_flags(virDomainPtr dom, unsigned int flags,
                                          unsigned int *resolved, vdisk_error **err);

/**
 * vdisk_hotplug_recover:
 * @dom: the domain (borrowed)
 * @flags: 0
 * @report: (out) (optional): what was done, one line per interrupted change,
 *          the caller's (vdisk_free()); NULL when nothing was pending
 *
 * Finishes (or, when it cannot be finished, undoes) every attach, detach and
 * media change that vdisk_hotplug_attach(), vdisk_hotplug_attach_auto(),
 * vdisk_hotplug_detach() or vdisk_hotplug_change_media() recorded in @dom's
 * metadata and did not complete (the caller or libvirtd was killed, the
 * connection dropped), so that the live definition, the persistent one and
 * QEMU agree: the disk is in all of them or in none. Block nodes QEMU kept
 * for the disk's image that no disk of libvirt's uses are deleted. A record
 * of a change whose process still runs on this host is left alone (and
 * reported). Nothing pending: 0 and *@report NULL.
 *
 * A copy or an active commit (<vdisk/blockjob.h>) is recorded as well while
 * its call waits: when that caller died, a mirror that is ready and was to
 * be pivoted is pivoted, any other is aborted, and a copy destination made
 * for the call that no disk uses is removed.
 */
VDISK_API int vdisk_hotplug_recover(virDomainPtr dom, unsigned int flags, char **report,
                                    vdisk_error **err);

/**
 * vdisk_hotplug_detach:
 * @target: the disk's target name ("vdb")
 * @flags: VDISK_HOTPLUG_LIVE and/or VDISK_HOTPLUG_CONFIG (0: current)
 * @timeout_ms: how long to wait for QEMU to release a live disk
 *
 * Asks for the removal and, for the live domain, waits until QEMU has really
 * released the device (libvirt's device-removed event when the connection
 * has an event loop, otherwise by polling). When the guest has not let go
 * within @timeout_ms the call fails with VDISK_ERR_PENDING: the removal was
 * requested and may still complete later (with CONFIG, the disk has been
 * removed from the persistent configuration by then). A guest asked before
 * its hotplug support runs (early in its boot) ignores the request for good:
 * the disk stays, in libvirt and in QEMU, until the detach is asked again
 * (tests/guest shows it with a Linux guest). With LIVE|CONFIG the
 * disk is removed from whichever side has it; VDISK_ERR_NOT_FOUND when
 * neither has it. Disks on buses QEMU cannot unplug (ide, sata, fdc) are
 * refused with VDISK_ERR_UNSUPPORTED. A detach of both definitions is
 * recorded for vdisk_hotplug_recover() until it is complete (the record
 * stays while the live removal is pending).
 */
VDISK_API int vdisk_hotplug_detach(virDomainPtr dom, const char *target, unsigned int flags,
                                   unsigned int timeout_ms, vdisk_error **err);

/**
 * vdisk_hotplug_change_media:
 * @target: a cdrom or floppy disk's target
 * @source: the new medium's path (file or block device, by what it is), or
 *          NULL to eject
 * @flags: VDISK_HOTPLUG_LIVE/CONFIG/PERSISTENT, VDISK_HOTPLUG_FORCE to open a
 *         locked tray
 *
 * libvirt 9.0 does not open the tray of a cdrom plugged in while the domain
 * runs (it learns of the tray only at start-up), and QEMU then refuses the
 * change with "Tray of device ... is not open". When that happens the tray
 * is opened over QMP (blockdev-open-tray through virDomainQemuMonitorCommand,
 * forced with VDISK_HOTPLUG_FORCE; libvirt follows QEMU's tray event and
 * closes it after the change) and the change is asked for again. libvirt
 * marks the domain tainted (custom-monitor) when that is done. A change of
 * both definitions is recorded for vdisk_hotplug_recover().
 */
VDISK_API int vdisk_hotplug_change_media(virDomainPtr dom, const char *target,
                                         const char *source, unsigned int flags,
                                         vdisk_error **err);

/**
 * vdisk_hotplug_set_iotune:
 * @target: the disk's target
 * @iotune_from: a disk whose <iotune> values (all fields, 0 = unlimited)
 *               and group name are applied
 * @flags: VDISK_HOTPLUG_LIVE and/or VDISK_HOTPLUG_CONFIG (0: current)
 *
 * Sets the disk's I/O limits through virDomainSetBlockIoTune.
 */
VDISK_API int vdisk_hotplug_set_iotune(virDomainPtr dom, const char *target,
                                       const vdisk_disk *iotune_from, unsigned int flags,
                                       vdisk_error **err);

/* ---- connections and storage ---- */

/** vdisk_connect_open() flags. */
typedef enum {
    VDISK_CONNECT_DEFAULT = 0,
    /** Open the connection read-only (virConnectOpenReadOnly). */
    VDISK_CONNECT_READONLY = 1 << 0,
    /** Do not register and run libvirt's default event loop: the caller runs
     * its own (registered before the call). Without an event loop,
     * vdisk_hotplug_detach() falls back to polling and qemu:///embed cannot
     * be opened. */
    VDISK_CONNECT_NO_EVENT_LOOP = 1 << 1,
} vdisk_connect_flags;

/**
 * vdisk_connect_open:
 * @out: (out): the new connection, the caller's: close it with
 *       vdisk_connect_close() (or virConnectClose())
 * @uri: a QEMU driver URI: local ("qemu:///system", "qemu:///session"),
 *       embedded ("qemu:///embed?root=DIR"), or remote ("qemu+tcp://HOST/system",
 *       "qemu+ssh://USER@HOST/system", "qemu+tls://HOST/system", ...); NULL for
 *       libvirt's default URI (LIBVIRT_DEFAULT_URI, then its built-in choice)
 * @flags: #vdisk_connect_flags
 *
 * Unless VDISK_CONNECT_NO_EVENT_LOOP is given, the first call in the process
 * registers libvirt's default event implementation (virEventRegisterDefaultImpl())
 * and starts one background thread that runs virEventRunDefaultImpl() for the
 * rest of the process's life. The event loop lets libvirt deliver domain events
 * (the device-removed event vdisk_hotplug_detach() waits for) and keepalive
 * messages, and qemu:///embed needs it to run at all. A program that runs its
 * own libvirt event loop must register it before the first call and pass
 * VDISK_CONNECT_NO_EVENT_LOOP.
 *
 * Remote URIs authenticate without prompting: ssh keys or an ssh agent,
 * TLS certificates, or a daemon configured with auth "none". The call never
 * asks for a password. Failures on the new connection reach the caller as
 * #vdisk_error objects only: its libvirt error handler (virConnSetErrorFunc())
 * is set to one that prints nothing; set another after the call to see them.
 *
 * Returns 0, or -1 with @err set (VDISK_ERR_LIBVIRT with libvirt's code and
 * message when libvirt refused; VDISK_ERR_INVALID_ARG for a URI that is not
 * the QEMU driver's).
 */
VDISK_API int vdisk_connect_open(virConnectPtr *out, const char *uri, unsigned int flags,
                                 vdisk_error **err);

/**
 * vdisk_connect_open_first:
 * @out: (out): the connection opened, the caller's (vdisk_connect_close())
 * @which: (out) (optional): the index in @uris of the host that answered
 * @uris: @n URIs, tried in order, as for vdisk_connect_open()
 *
 * Opens the first of several hosts that answers (fail-over between hosts
 * that hold the same domains). Working with several hosts at once is left
 * to the caller: open one connection per host with vdisk_connect_open().
 * When none answers, the error lists every URI with libvirt's reason.
 */
VDISK_API int vdisk_connect_open_first(virConnectPtr *out, size_t *which,
                                       const char *const *uris, size_t n, unsigned int flags,
                                       vdisk_error **err);

/**
 * vdisk_connect_close:
 * @conn: (transfer full) (optional): a connection, from vdisk_connect_open()
 *        or libvirt
 *
 * Drops the caller's reference to @conn (virConnectClose()); the connection
 * closes when no domain or other object of it is left either. NULL is
 * ignored.
 *
 * Returns what virConnectClose() returns: the references left (0: closed),
 * or -1 on error.
 */
VDISK_API int vdisk_connect_close(virConnectPtr conn);

/**
 * vdisk_connect_lookup_domain:
 * @out: (out): the domain found, the caller's: free it with
 *       vdisk_domain_ptr_free() (or virDomainFree()) before closing @conn
 * @conn: the connection (borrowed)
 * @domain: the domain's name, UUID or numeric id, tried in that order (as
 *          virsh looks domains up)
 *
 * Returns 0, or -1 with @err set: VDISK_ERR_NOT_FOUND (libvirt code
 * VIR_ERR_NO_DOMAIN) when no domain has that name, UUID or id,
 * VDISK_ERR_LIBVIRT when libvirt could not be asked.
 */
VDISK_API int vdisk_connect_lookup_domain(virDomainPtr *out, virConnectPtr conn, const char *domain,
                                          vdisk_error **err);

/**
 * vdisk_domain_ptr_free:
 * @dom: (transfer full) (optional): a domain from vdisk_connect_lookup_domain()
 *       or libvirt
 *
 * Drops the caller's reference to @dom (virDomainFree()). NULL is ignored.
 * Not to be confused with vdisk_domain_free(), which frees a domain context.
 */
VDISK_API void vdisk_domain_ptr_free(virDomainPtr dom);

/**
 * vdisk_domain_ptr_get_name:
 * @dom: a domain (borrowed)
 *
 * Returns the domain's name (virDomainGetName()), owned by @dom and valid
 * while it is, or NULL.
 */
VDISK_API const char *vdisk_domain_ptr_get_name(virDomainPtr dom);

/** vdisk_volume_create() flags. */
typedef enum {
    VDISK_VOLUME_DEFAULT = 0,
    /** Return a type='volume' disk (<source pool=... volume=...>) instead of
     * a type='file'/'block' disk with the volume's path. */
    VDISK_VOLUME_AS_VOLUME_SOURCE = 1 << 0,
} vdisk_volume_flags;

/**
 * vdisk_volume_create:
 * @out: (out): a disk (no target yet) using the new volume, the caller's
 *       (vdisk_disk_free())
 * @pool: the name of an active storage pool
 * @name: the new volume's name
 * @capacity: its size in bytes (rounded up by the pool as it needs)
 * @format: the image format (VDISK_FORMAT_NONE: the pool's default)
 * @backing_path: (optional): the backing image; its format is taken from the
 *       pool volume holding it, or probed when the connection is local
 * @flags: #vdisk_volume_flags
 *
 * Creates the volume with virStorageVolCreateXML (sparse: no allocation is
 * requested). The disk returned is type 'file' or 'block' (by the volume's
 * type) with the volume's path and driver type @format, or type 'volume'
 * with VDISK_VOLUME_AS_VOLUME_SOURCE.
 */
VDISK_API int vdisk_volume_create(vdisk_disk **out, virConnectPtr conn, const char *pool,
                                  const char *name, unsigned long long capacity,
                                  vdisk_format format, const char *backing_path,
                                  unsigned int flags, vdisk_error **err);

/**
 * vdisk_volume_resolve:
 * @disk: a disk whose source (or a backing source) is type 'volume'
 *
 * Replaces every type='volume' source of @disk's chain with what libvirt
 * uses when the domain starts: the volume's path, as type 'file', 'block'
 * or 'dir' by the volume's type, for the pools libvirt resolves to a path
 * (dir, fs, netfs, logical, disk, scsi, zfs, vstorage; iscsi in host mode).
 * Pools that resolve to network sources (iscsi-direct, rbd, gluster,
 * sheepdog, mpath) fail with VDISK_ERR_UNSUPPORTED. A disk without volume
 * sources is left as it is. On failure @disk is unchanged.
 */
VDISK_API int vdisk_volume_resolve(vdisk_disk *disk, virConnectPtr conn, vdisk_error **err);

/**
 * vdisk_volume_delete:
 * @dom: (optional): a domain that may use the volume
 *
 * Deletes the volume @name of @pool. When @dom is given, the deletion is
 * refused (VDISK_ERR_EXISTS, naming the disk's target) while any disk of
 * @dom, in its live state or its persistent configuration, still uses the
 * volume: by its path anywhere in the backing chain, or as type='volume'.
 * Delete only after a confirmed detach (vdisk_hotplug_detach() returned 0).
 */
VDISK_API int vdisk_volume_delete(virConnectPtr conn, const char *pool, const char *name,
                                  virDomainPtr dom, vdisk_error **err);

/* ---- translation through a connection ------------------------------------------ */

/**
 * vdisk_qemu_opts_set_connection:
 * @opts: translation options (<vdisk/qemu.h>)
 * @conn: (nullable): the connection to read from, borrowed: it must stay
 *        open as long as @opts may be used for a translation; NULL removes it
 * @err: (out) (optional): the error, when the call fails
 *
 * Makes vdisk_qemu_translate_domain() and vdisk_qemu_translate_disk() read
 * from @conn what libvirt reads from its own drivers when it starts the
 * domain (as `virsh domxml-to-native qemu-argv` does): the value and usage
 * type of every secret the disks refer to (<auth><secret>,
 * <encryption><secret>), by UUID or by usage, and the pool and volume of
 * every type='volume' source. See "Secrets and volumes from libvirt" in
 * <vdisk/qemu.h> for what is checked, which value wins and what is refused.
 *
 * Loads libvirt (VDISK_ERR_SYSTEM when it cannot be). Reading secret values
 * needs a read-write connection. Returns 0, or -1 with @err set.
 */
VDISK_API int vdisk_qemu_opts_set_connection(vdisk_qemu_opts *opts, virConnectPtr conn,
                                             vdisk_error **err);

/* ---- what libvirt sends QEMU to hot-plug and unplug ------------------------------ */

/**
 * vdisk_hotplug_attach_commands:
 * @out: (out): the commands, the caller's (vdisk_qemu_args_free()); read
 *       them with vdisk_qemu_args_qmp_count() and vdisk_qemu_args_qmp_get()
 *       (there are no argv elements)
 * @dom: a running domain (borrowed)
 * @disk: the disk to hot-plug, as it would be given to virDomainAttachDevice
 * @opts: (optional): translation options (the QEMU version, secrets are
 *        not used: see below)
 *
 * The object-add, blockdev-add and device_add commands libvirt 9.0 sends
 * QEMU if it hot-plugged @disk into @dom now (qemuDomainAttachDeviceDiskLiveInternal),
 * without their message ids: the disk is parsed against the live
 * definition (the SCSI drive address from the live controllers), given the
 * address libvirt picks (the first free slot of a hot-pluggable PCI bus for
 * virtio, the first free port for usb), its alias, the live controllers'
 * models, and its backing chain read from the image headers on this host
 * as vdisk_qemu_opts_set_probe_chains() reads it (libvirt always does for
 * a hot-plugged disk). Its storage nodes are numbered after the ones the
 * domain has used since it started, the number libvirt keeps in the
 * domain's status XML, read from the daemon's state directory: the
 * connection must be to a local daemon (qemu:///system, qemu:///session,
 * qemu:///embed), and reading /run/libvirt/qemu needs root. Backing images
 * found in the headers take numbers before the chain is numbered again from
 * its top, as libvirt numbers them.
 *
 * Fails with libvirt's message, naming the disk, where libvirt refuses
 * (buses that cannot be hot-plugged: ide, sata, fdc, sd; floppies; a taken
 * target or SCSI address; no free PCI slot) and with VDISK_ERR_UNSUPPORTED
 * where the commands are not modelled: a missing SCSI controller (libvirt
 * would hot-plug one first), a cdrom or floppy target that exists (a media
 * change), USB hubs, <iotune> (block_set_io_throttle follows), secrets
 * (libvirt encrypts them under a random IV), managed persistent
 * reservations, transient disks, machines other than pc and q35. Nothing is
 * changed in the domain.
 */
VDISK_API int vdisk_hotplug_attach_commands(vdisk_qemu_args **out, virDomainPtr dom,
                                            const vdisk_disk *disk, const vdisk_qemu_opts *opts,
                                            vdisk_error **err);

/**
 * vdisk_hotplug_detach_commands:
 * @out: (out): the commands, the caller's (vdisk_qemu_args_free())
 * @dom: a running domain (borrowed)
 * @target: the target of one of its disks ("vdb")
 *
 * The commands libvirt 9.0 sends QEMU to unplug the disk: device_del with
 * its alias, then, once QEMU has released the device, blockdev-del of its
 * copy-on-read node and of each source's format, slice and storage nodes
 * from the top of the chain down (qemuDomainRemoveDiskDevice), the node
 * names from the live XML. VDISK_ERR_NOT_FOUND when the domain has no such
 * disk; libvirt's refusals for buses and devices that cannot be unplugged;
 * VDISK_ERR_UNSUPPORTED for disks whose secret, TLS or pr-manager objects
 * libvirt deletes too, vhost-user and transient disks, and disks without a
 * medium. Nothing is changed in the domain.
 */
VDISK_API int vdisk_hotplug_detach_commands(vdisk_qemu_args **out, virDomainPtr dom,
                                            const char *target, vdisk_error **err);

/** vdisk_image_probe_format() flags reported through @flags_out. */
typedef enum {
    /** No format was recognised: the image was taken as raw. */
    VDISK_PROBE_GUESSED = 1 << 0,
} vdisk_probe_flags;

/**
 * vdisk_image_probe_format:
 * @path: an image file or block device on this host
 * @format: (out): the format found
 * @flags_out: (out) (optional): #vdisk_probe_flags
 *
 * Reads the image's header on the local host (host-dependent: not part of
 * translation) and recognises qcow2, qcow, qed, vmdk, vdi, vpc (dynamic and
 * fixed), iso, bochs, dmg and directories; anything else is raw, with
 * VDISK_PROBE_GUESSED set. Images
 * in formats libvirt's QEMU driver has no format name for (vhdx, luks) fail
 * with VDISK_ERR_UNSUPPORTED naming the format and @path. A header that
 * carries a magic but is cut short fails with VDISK_ERR_INVALID; a missing
 * file with VDISK_ERR_NOT_FOUND.
 *
 * Never probe images a guest could have written and then trust the result
 * for that guest: set the format explicitly instead.
 */
VDISK_API int vdisk_image_probe_format(const char *path, vdisk_format *format,
                                       unsigned int *flags_out, vdisk_error **err);

/**
 * vdisk_image_probe_format_name:
 * @name: (out): the format's name as qemu-img spells it ("qcow2", "vhdx",
 *        "luks", "raw", ...), the caller's (vdisk_free())
 *
 * vdisk_image_probe_format() for every format it recognises, including
 * those libvirt's QEMU driver does not accept.
 */
VDISK_API int vdisk_image_probe_format_name(const char *path, char **name,
                                            unsigned int *flags_out, vdisk_error **err);

#ifdef __cplusplus
}
#endif

#endif /* VDISK_HOTPLUG_H */
