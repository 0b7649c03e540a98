/*
 * libvdisk - virtual disks for libvirt/QEMU hosts
 *
 * qemu.h: translating disks into QEMU arguments, as libvirt 9.0's QEMU
 * driver does for QEMU 7.2
 *
 * Translation is a pure function of the disk, its domain context and the
 * options: it reads no file and talks to no daemon, unless the options hold
 * a libvirt connection (see below) or ask for the backing chains on this
 * host (vdisk_qemu_opts_set_probe_chains()). Each disk becomes the
 * same -object/-blockdev/-device arguments libvirt puts on QEMU's command
 * line, and the same objects can be rendered as QMP commands (object-add,
 * blockdev-add, device_add) for hotplug.
 *
 * Secrets and volumes from libvirt: with vdisk_qemu_opts_set_connection()
 * (declared in <vdisk/hotplug.h>, which brings libvirt's headers) the
 * translation reads, through the caller's virConnect, what libvirt reads
 * when it prepares a domain's storage, in the same order (the disks from
 * the last to the first):
 * - each type='volume' source, resolved as virDomainDiskTranslateSourcePool
 *   does: dir, fs, netfs, logical, disk, scsi, zfs and vstorage pools give
 *   the volume's path as a file, block or dir source, iscsi pools in mode
 *   'host' (the default) the LUN's block device; a top-level volume without
 *   a format is 'raw' ('fat' for a directory). A missing pool or volume or
 *   an inactive pool fails as libvirt fails (VDISK_ERR_NOT_FOUND,
 *   VDISK_ERR_UNSUPPORTED), unless the disk has startupPolicy='optional':
 *   then a cdrom or floppy is left empty and another disk is left out, as
 *   libvirt does on a cold boot. libvirt's own refusal stands for rbd,
 *   gluster, sheepdog and mpath pools; iscsi-direct pools and iscsi pools
 *   in mode 'direct' are refused with VDISK_ERR_UNSUPPORTED (not implemented);
 * - each secret of each source: looked up by UUID, or by usage among the
 *   secrets of the usage type the reference needs ('ceph' for rbd auth,
 *   'iscsi' for other protocols' auth, 'volume' for encryption), with
 *   libvirt's checks and messages: no such secret (VDISK_ERR_NOT_FOUND,
 *   "Secret not found: ..."), a secret of another usage type
 *   (VDISK_ERR_UNSUPPORTED, "secret with uuid ... is of type ..."), a secret
 *   without a value (VDISK_ERR_NOT_FOUND). libvirt does not hand out the
 *   values of private secrets (private='yes'): those fail with
 *   VDISK_ERR_UNSUPPORTED unless the caller gave the value.
 * A value given with vdisk_qemu_opts_set_secret() wins over the stored
 * one, but the secret must still exist with the right usage type. Every
 * error names the disk's target and keeps libvirt's code
 * (vdisk_error_get_libvirt_code()).
 *
 * The connection is borrowed: the options do not close it, and it must
 * stay open while they are used. Translations may share one options object
 * from several threads at once (libvirt's connections are thread-safe and
 * its errors per thread); changing the options while a translation runs
 * is not allowed. Nothing read is kept after the call returns; secret
 * values are cleared from memory when freed.
 *
 * Threads: translation reads its arguments only and keeps no state between
 * calls, so any number of translations may run at once, also on one shared
 * domain context, disk or options object, as long as none of them is
 * changed or freed meanwhile (see <vdisk/disk.h> and <vdisk/domain.h>).
 * The results (#vdisk_qemu_args) are separate objects.
 *
 * Ownership: what comes back through an out parameter is the caller's
 * (vdisk_qemu_args_free(), vdisk_free() for strings); `const char *` returns
 * are borrowed from the object they come from.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_QEMU_H
#define VDISK_QEMU_H

#include <vdisk/common.h>
#include <vdisk/disk.h>
#include <vdisk/domain.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Translation options. */
typedef struct vdisk_qemu_opts vdisk_qemu_opts;
/** The result of a translation: an argv fragment and its QMP equivalent. */
typedef struct vdisk_qemu_args vdisk_qemu_args;

/** New options with libvirt's defaults for QEMU 7.2. NULL only when memory
 * is exhausted. Free with vdisk_qemu_opts_free(). */
VDISK_API vdisk_qemu_opts *vdisk_qemu_opts_new(void);
/** Frees @opts; NULL is a no-op. */
VDISK_API void vdisk_qemu_opts_free(vdisk_qemu_opts *opts);
/** Uses @machine ("pc", "q35", "pc-q35-7.2", ...) instead of the domain's
 * machine type; NULL restores the domain's. The string is copied. A type
 * translation does not know (pc, pc-i440fx-*, q35, pc-q35-*, virt, virt-*,
 * vexpress-*, pseries, pseries-*, s390-ccw-virtio, s390-ccw-virtio-*) is
 * refused with VDISK_ERR_INVALID_ARG, the message listing them. */
VDISK_API int vdisk_qemu_opts_set_machine(vdisk_qemu_opts *opts, const char *machine,
                                          vdisk_error **err);
/** The QEMU version to translate for. Only 7.2 and later are accepted (the
 * translation follows QEMU 7.2's capabilities); others fail with
 * VDISK_ERR_UNSUPPORTED. */
VDISK_API int vdisk_qemu_opts_set_qemu_version(vdisk_qemu_opts *opts, unsigned int major,
                                               unsigned int minor, unsigned int micro,
                                               vdisk_error **err);
/** The number libvirt gives the first storage node ("libvirt-N-storage"),
 * 1 by default. A running domain continues counting where it stopped, so a
 * disk hotplugged after N nodes uses N + 1. Must be at least 1. */
VDISK_API int vdisk_qemu_opts_set_first_node_index(vdisk_qemu_opts *opts, unsigned int index,
                                                   vdisk_error **err);

/**
 * vdisk_qemu_opts_set_probe_chains:
 * @opts: the options
 * @enable: non-zero to read the backing chains from the images on this
 *          host, 0 (the default) for the pure translation
 * @err: (out) (optional): the error, when the call fails
 *
 * Host-dependent: with probing, translation reads the image files on this
 * host as libvirt does when it starts the domain or hot-plugs the disk
 * (qemuDomainDetermineDiskChain), and gives QEMU the whole chain. The top
 * image's format is the XML's (libvirt never probes it); below the last
 * source the XML gives (unless it ends the chain with <backingStore/>),
 * each backing file named in a qcow2, qcow, qed or vmdk header is added
 * with the format its parent's header names, a relative name taken
 * relative to the directory of the image naming it. A backing image whose
 * format no header names is probed and accepted only when it has no
 * backing file itself, as libvirt 9.0 does; otherwise the translation
 * fails with libvirt's message ("format of backing image ... was not
 * specified in the image metadata", VDISK_ERR_INVALID). Images that do not
 * exist fail with VDISK_ERR_NOT_FOUND ("Cannot access storage file ...",
 * "Cannot access backing file ... of storage file ..."), loops and chains
 * deeper than 200 levels with libvirt's messages; what libvirt would do but
 * this translation does not implement (network or directory backing
 * files, encrypted images without <encryption> in the XML, host CD-ROM
 * drives, chains below gluster sources) with VDISK_ERR_UNSUPPORTED. A disk
 * with startupPolicy='optional' whose chain fails loses its source (a cdrom
 * or floppy) or is left out, as on libvirt's cold boot.
 *
 * The backing images found are numbered the way libvirt numbers them when
 * it starts a domain: after the nodes of every disk's declared chain, the
 * disks from the last to the first ("libvirt-N-storage"); a lone disk's
 * follow its own nodes.
 */
VDISK_API int vdisk_qemu_opts_set_probe_chains(vdisk_qemu_opts *opts, int enable,
                                               vdisk_error **err);

/**
 * vdisk_qemu_opts_set_secret:
 * @opts: the options
 * @key: the libvirt secret's UUID, or its usage (the ceph name, the iSCSI
 *       target, the volume path of a LUKS image)
 * @value: (nullable): the secret's value, @len bytes, copied; NULL forgets @key
 * @len: the length of @value
 * @err: (out) (optional): the error, when the call fails
 *
 * Gives the value of a secret the disks refer to (<auth><secret>,
 * <encryption><secret>). Without a connection translation reads no secret
 * store: a disk whose secret has no value here fails with
 * VDISK_ERR_NOT_FOUND, as libvirt fails when its secret driver has none.
 * A secret is looked up by UUID first, then by usage. With a connection
 * (vdisk_qemu_opts_set_connection()) a value given here is used instead of
 * the one libvirt stores.
 */
VDISK_API int vdisk_qemu_opts_set_secret(vdisk_qemu_opts *opts, const char *key,
                                         const void *value, size_t len, vdisk_error **err);

/**
 * vdisk_qemu_opts_set_master_key:
 * @opts: the options
 * @key: (nullable): the 32-byte AES-256 key, copied; NULL removes it
 * @len: 32
 * @err: (out) (optional): the error, when the call fails
 *
 * With a master key, secret objects come out as libvirt writes them: the
 * value encrypted with AES-256-CBC under a fresh random IV, with
 * "keyid":"masterKey0" and "iv". The key object itself
 * (-object secret,id=masterKey0,format=raw,file=...) is the caller's, as
 * it is libvirt's per-domain business. Without a master key (the default)
 * the value is passed as plain base64 ("data" and "format" only), which
 * QEMU accepts too but which shows the secret on the command line.
 */
VDISK_API int vdisk_qemu_opts_set_master_key(vdisk_qemu_opts *opts, const void *key, size_t len,
                                             vdisk_error **err);

/**
 * vdisk_qemu_translate_domain:
 * @out: (out): the arguments for every disk of @dom, the caller's
 * @dom: the domain
 * @opts: (optional): options; NULL for the defaults
 * @err: (out) (optional): the error, when the call fails
 *
 * Translates every disk of @dom in libvirt's order: storage nodes numbered
 * the way libvirt numbers them when it starts the domain, arguments in the
 * order of its command line. Disks libvirt attaches only after start
 * (transient disks sharing their backing image) are left out. Anything
 * libvirt refuses for this translation, and anything this translation does
 * not implement, fails with VDISK_ERR_UNSUPPORTED naming the disk; no
 * partial result is returned.
 */
VDISK_API int vdisk_qemu_translate_domain(vdisk_qemu_args **out, const vdisk_domain *dom,
                                          const vdisk_qemu_opts *opts, vdisk_error **err);

/**
 * vdisk_qemu_translate_disk:
 * @out: (out): the arguments of @disk, the caller's
 * @disk: the disk
 * @dom: (optional): its domain context (machine type, controllers); without
 *       it a "pc" machine with libvirt's default controllers is assumed
 * @opts: (optional): options; NULL for the defaults
 * @err: (out) (optional): the error, when the call fails
 *
 * Translates one disk, its storage nodes numbered from the options' first
 * node index. The disk need not belong to @dom.
 */
VDISK_API int vdisk_qemu_translate_disk(vdisk_qemu_args **out, const vdisk_disk *disk,
                                        const vdisk_domain *dom, const vdisk_qemu_opts *opts,
                                        vdisk_error **err);

/** The number of argv elements ("-blockdev", "{...}", "-device", ...). */
VDISK_API size_t vdisk_qemu_args_count(const vdisk_qemu_args *args);
/** argv element @i, borrowed from @args; NULL when out of range. */
VDISK_API const char *vdisk_qemu_args_get(const vdisk_qemu_args *args, size_t i);
/** The argv elements as one line, each quoted for a POSIX shell the way
 * libvirt quotes them, separated by single spaces. The caller's (vdisk_free()). */
VDISK_API char *vdisk_qemu_args_to_shell(const vdisk_qemu_args *args);
/** The number of QMP commands equivalent to the argv. A -global (the
 * boot index of a floppy drive on the pc machine) and a -drive (an SD
 * card) have none: they can only be given on the command line. */
VDISK_API size_t vdisk_qemu_args_qmp_count(const vdisk_qemu_args *args);
/** QMP command @i as one line of JSON ({"execute":"blockdev-add",
 * "arguments":{...}}), borrowed from @args; NULL when out of range. */
VDISK_API const char *vdisk_qemu_args_qmp_get(const vdisk_qemu_args *args, size_t i);
/** Frees @args; NULL is a no-op. */
VDISK_API void vdisk_qemu_args_free(vdisk_qemu_args *args);

#ifdef __cplusplus
}
#endif

#endif /* VDISK_QEMU_H */
