/*
 * libvdisk - virtual disks for libvirt/QEMU hosts
 *
 * blockjob.h: the life of a disk on a domain: resize, external snapshots,
 * commit, pull, live copy, and the block job that runs on a disk
 *
 * Like hotplug.h (which it includes) this header needs libvirt's: include it
 * on its own. Every call works on the caller's connection and domain and
 * never frees them.
 *
 * A block job (commit, pull, copy) is started through libvirt and, unless
 * the options say otherwise, waited for until it is over and the domain's
 * live definition shows its result:
 *
 * - Progress: libvirt's VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 events when the
 *   process runs libvirt's event loop (vdisk_connect_open() starts one), and
 *   polling of virDomainGetBlockJobInfo() besides (every 100 ms), so that a
 *   lost event or a connection without events only costs time. The
 *   callback of vdisk_job_opts_set_progress() sees each change and is
 *   called at least every 250 ms while the call waits.
 * - A copy and an active commit are pivoted only once libvirt marks the
 *   mirror ready (the live definition's <mirror ready='yes'>), never on
 *   "cur == end" alone: QEMU reports that before the mirror is ready. A job
 *   whose length reads 0 at its start has not started, not finished.
 * - A job libvirt still tears down when the next one starts
 *   (VIR_ERR_BLOCK_COPY_ACTIVE or "already in active block job" while
 *   virDomainGetBlockJobInfo() reports none) is retried for up to 10 s. A
 *   job that really runs on the disk refuses the new one with
 *   VDISK_ERR_EXISTS naming its kind.
 * - After a pivot, a commit or a pull, the call returns once the live
 *   definition shows the new chain and no <mirror>; libvirt rewrites the
 *   persistent definition of the disk likewise.
 * - Cancelling (vdisk_job_opts_cancel(), or the progress callback's
 *   non-zero return) aborts the job without a pivot, waits until it is
 *   gone, and fails with VDISK_ERR_CANCELLED: the disk keeps the chain it
 *   had. A copy destination the call had libvirt create on this host is
 *   removed again.
 * - A wait that ends (vdisk_job_opts_set_timeout()) with the job still
 *   running fails with VDISK_ERR_PENDING: the job goes on; vdisk_job_get()
 *   and vdisk_job_abort() reach it later.
 *
 * Threads: as hotplug.h says; one job per disk at a time (libvirt's rule),
 * any number on distinct disks. A #vdisk_job_opts is used by one call at a
 * time; vdisk_job_opts_cancel() may be called from any thread and from a
 * signal handler.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_BLOCKJOB_H
#define VDISK_BLOCKJOB_H

#include <vdisk/hotplug.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The kind of a block job, as libvirt names them. */
typedef enum {
    VDISK_JOB_NONE = 0,      /* no job runs on the disk */
    VDISK_JOB_PULL,          /* backing data streamed into the top image */
    VDISK_JOB_COPY,          /* a live copy (mirror) to new storage */
    VDISK_JOB_COMMIT,        /* an image below the top merged into its base */
    VDISK_JOB_ACTIVE_COMMIT, /* the top image merged into its base */
    VDISK_JOB_BACKUP,        /* a backup job (started elsewhere) */
    VDISK_JOB_UNKNOWN,       /* a kind this version does not know */
    VDISK_JOB_LAST
} vdisk_job_kind;

/** "none", "pull", "copy", "commit", "active-commit", "backup", "unknown". */
VDISK_API const char *vdisk_job_kind_name(vdisk_job_kind kind);

/** The state of a block job: what vdisk_job_get() reads and what the
 * progress callback sees. */
typedef struct vdisk_job_status vdisk_job_status;

VDISK_API void vdisk_job_status_free(vdisk_job_status *status);
/** The disk's target ("vda"). */
VDISK_API const char *vdisk_job_status_get_target(const vdisk_job_status *status);
VDISK_API vdisk_job_kind vdisk_job_status_get_kind(const vdisk_job_status *status);
/** Bytes done, and bytes to do in all; @end is 0 while the job has not
 * measured its work yet (at its start), and either may grow while the
 * guest writes. */
VDISK_API unsigned long long vdisk_job_status_get_cur(const vdisk_job_status *status);
VDISK_API unsigned long long vdisk_job_status_get_end(const vdisk_job_status *status);
/** A copy or an active commit whose mirror libvirt marks ready to pivot. */
VDISK_API int vdisk_job_status_get_ready(const vdisk_job_status *status);
/** The step the call is at: "started", "running", "ready", "pivoting",
 * "aborting", "done" (the progress callback's view; vdisk_job_get()
 * reports "running" or "ready", "done" when there is no job). */
VDISK_API const char *vdisk_job_status_get_phase(const vdisk_job_status *status);

/**
 * vdisk_job_progress_fn:
 * @status: the job's state, valid during the call only
 * @opaque: vdisk_job_opts_set_progress()'s @opaque
 *
 * Called from the thread that made the call, with no libvdisk lock held.
 * Return 0 to go on, non-zero to cancel (as vdisk_job_opts_cancel()).
 */
typedef int (*vdisk_job_progress_fn)(const vdisk_job_status *status, void *opaque);

/** How a job call waits, reports and is cancelled. NULL options mean: wait
 * until done, no progress callback. */
typedef struct vdisk_job_opts vdisk_job_opts;

/** NULL only when memory is exhausted. */
VDISK_API vdisk_job_opts *vdisk_job_opts_new(void);
VDISK_API void vdisk_job_opts_free(vdisk_job_opts *opts);
/** @timeout_ms: how long to wait for the job, -1 (the default) until it is
 * over, 0 to start it and return (VDISK_ERR_PENDING while it runs). */
VDISK_API void vdisk_job_opts_set_timeout(vdisk_job_opts *opts, int timeout_ms);
VDISK_API void vdisk_job_opts_set_progress(vdisk_job_opts *opts, vdisk_job_progress_fn fn,
                                           void *opaque);
/** Copy, pull and commit bandwidth in bytes per second, 0 (the default):
 * unlimited. */
VDISK_API void vdisk_job_opts_set_bandwidth(vdisk_job_opts *opts, unsigned long long bytes_per_sec);
/** Asks the call that uses @opts to cancel its job (see above); async-signal
 * safe. A call started after it is cancelled at once. */
VDISK_API void vdisk_job_opts_cancel(vdisk_job_opts *opts);
/** Takes back a cancel request, for the next call. */
VDISK_API void vdisk_job_opts_reset(vdisk_job_opts *opts);
/** The job's state as the last call that used @opts left it: its kind, the
 * bytes done and the phase: "done" when it completed (for a copy or an
 * active commit: pivoted), "ready" for a mirror kept (VDISK_JOB_NO_PIVOT),
 * "running" when the wait ended first, "aborting" when it was cancelled.
 * NULL before a job was started with @opts. Borrowed from @opts, valid
 * until its next use. */
VDISK_API const vdisk_job_status *vdisk_job_opts_get_status(const vdisk_job_opts *opts);

/** Job call flags. */
typedef enum {
    VDISK_JOB_DEFAULT = 0,
    /** Copy and active commit: keep the ready mirror instead of pivoting;
     * the job runs on until vdisk_job_abort() pivots or abandons it. */
    VDISK_JOB_NO_PIVOT = 1 << 0,
    /** Copy: only the top image; the destination's backing is the source's
     * (VIR_DOMAIN_BLOCK_COPY_SHALLOW). */
    VDISK_JOB_SHALLOW = 1 << 1,
    /** Copy: the destination exists and is used as it is
     * (VIR_DOMAIN_BLOCK_COPY_REUSE_EXT). Without it an existing destination
     * is refused. */
    VDISK_JOB_REUSE = 1 << 2,
    /** vdisk_job_abort(): pivot onto the ready mirror instead of abandoning
     * it. */
    VDISK_JOB_PIVOT = 1 << 3,
} vdisk_job_flags;

/**
 * vdisk_job_get:
 * @out: (out): the running job, the caller's (vdisk_job_status_free());
 *       NULL when none runs on the disk
 * @target: the disk's target ("vda")
 *
 * Fails with VDISK_ERR_NOT_FOUND when the domain has no disk @target,
 * VDISK_ERR_INVALID_ARG when it does not run.
 */
VDISK_API int vdisk_job_get(vdisk_job_status **out, virDomainPtr dom, const char *target,
                            vdisk_error **err);

/**
 * vdisk_job_abort:
 * @flags: VDISK_JOB_PIVOT to pivot onto a ready mirror
 *
 * Ends the job on @target and waits until it is gone and the live
 * definition shows the chain it left (the new one after a pivot). A pivot
 * of a mirror that is not ready waits for it (within @opts' timeout).
 * VDISK_ERR_NOT_FOUND when no job runs on the disk.
 */
VDISK_API int vdisk_job_abort(virDomainPtr dom, const char *target, unsigned int flags,
                              vdisk_job_opts *opts, vdisk_error **err);

/**
 * vdisk_block_commit:
 * @target: the disk's target
 * @top: the image to merge down: a path of the disk's chain, or libvirt's
 *       "vda[N]" notation; NULL for the top (active) image
 * @base: the image it is merged into, likewise; NULL for the one directly
 *        below @top
 * @flags: VDISK_JOB_NO_PIVOT
 *
 * Merges @top and every image between it and @base into @base. For the
 * active image the job mirrors the guest's writes until it is ready and is
 * then pivoted onto @base (unless VDISK_JOB_NO_PIVOT). The merged images
 * are left on disk, no longer used. Refused (the disk untouched) with
 * VDISK_ERR_INVALID when the disk has no backing image, VDISK_ERR_NOT_FOUND
 * naming an image that is not in its chain or a base that is not below the
 * top, VDISK_ERR_EXISTS when a job runs on the disk, VDISK_ERR_INVALID_ARG
 * when the domain does not run.
 */
VDISK_API int vdisk_block_commit(virDomainPtr dom, const char *target, const char *top,
                                 const char *base, unsigned int flags, vdisk_job_opts *opts,
                                 vdisk_error **err);

/**
 * vdisk_block_pull:
 * @base: the image that stays the top's backing (a path of the chain or
 *        "vda[N]"); NULL to pull everything: the top image then has no
 *        backing
 *
 * Copies the data of the images above @base into the top image, and drops
 * them from the chain. VDISK_ERR_INVALID when the disk has no backing image.
 */
VDISK_API int vdisk_block_pull(virDomainPtr dom, const char *target, const char *base,
                               unsigned int flags, vdisk_job_opts *opts, vdisk_error **err);

/**
 * vdisk_block_copy:
 * @dest: the destination: a file path, or a block device's path
 * @format: the destination's format (VDISK_FORMAT_NONE: the source's; with
 *          VDISK_JOB_REUSE the existing image's header decides, as libvirt
 *          does)
 * @flags: VDISK_JOB_SHALLOW, VDISK_JOB_REUSE, VDISK_JOB_NO_PIVOT
 *
 * Copies the disk to @dest while the guest runs, and, once the mirror is
 * ready, pivots the disk onto it (libvirt rewrites the persistent definition
 * too) unless VDISK_JOB_NO_PIVOT. The job is a transient one
 * (VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB): a domain saved or migrated while it
 * runs loses it. Refused with VDISK_ERR_EXISTS when @dest exists and
 * VDISK_JOB_REUSE is not given (a device is always reused), or a job runs
 * on the disk. A copy that fails (no space left, a destination that cannot
 * be written) leaves the disk on its source; a destination libvirt created
 * for the call on this host is removed.
 */
VDISK_API int vdisk_block_copy(virDomainPtr dom, const char *target, const char *dest,
                               vdisk_format format, unsigned int flags, vdisk_job_opts *opts,
                               vdisk_error **err);

/** vdisk_block_resize() flags. */
typedef enum {
    VDISK_RESIZE_DEFAULT = 0,
    /** Allow a size below the current one (data past it is lost). */
    VDISK_RESIZE_SHRINK = 1 << 0,
} vdisk_resize_flags;

/**
 * vdisk_size_parse:
 * @text: "10G", "512M", "1073741824", "+512M", "-1G": a number of bytes with
 *        an optional binary unit (K, M, G, T, P, with an optional "iB" or
 *        "B"; case does not matter; E for exbibytes too) and an optional
 *        sign for a change
 * @bytes: (out): the size or the change
 * @sign: (out): 0 for a size, +1 or -1 for a change
 *
 * VDISK_ERR_INVALID_ARG naming @text when it is not a size or overflows.
 */
VDISK_API int vdisk_size_parse(const char *text, unsigned long long *bytes, int *sign,
                               vdisk_error **err);

/**
 * vdisk_block_resize:
 * @size: the new size, or a change of it, as vdisk_size_parse() reads it
 * @flags: VDISK_RESIZE_SHRINK
 * @new_size: (out) (optional): the size the disk has afterwards
 *
 * On a running domain, virDomainBlockResize(): QEMU and the guest see the
 * new size (libvirt rounds a qcow2 image's size up to 512 bytes). On a
 * stopped one, the image itself: a storage volume (type='volume', or a file
 * that is a pool's volume) through its pool, a local file with qemu-img
 * resize; refused with VDISK_ERR_EXISTS naming the domain when another
 * running domain uses the image, VDISK_ERR_UNSUPPORTED for a network disk
 * or a remote host's file outside any pool. A size below the current one
 * without VDISK_RESIZE_SHRINK, or an unchanged size, fails with
 * VDISK_ERR_INVALID_ARG; read-only disks and cdroms with VDISK_ERR_INVALID.
 */
VDISK_API int vdisk_block_resize(virDomainPtr dom, const char *target, const char *size,
                                 unsigned int flags, unsigned long long *new_size,
                                 vdisk_error **err);

/** vdisk_snapshot_create() flags. */
typedef enum {
    VDISK_SNAPSHOT_CREATE_DEFAULT = 0,
    /** Do not keep libvirt's snapshot metadata
     * (VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA): only the overlays. */
    VDISK_SNAPSHOT_CREATE_NO_METADATA = 1 << 0,
    /** The overlays exist already and are used as they are
     * (VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT). */
    VDISK_SNAPSHOT_CREATE_REUSE = 1 << 1,
} vdisk_snapshot_flags;

/**
 * vdisk_snapshot_create:
 * @targets: the disks to snapshot; NULL (or @n_targets 0): every writable
 *           disk with a local or network image (not read-only, not a cdrom
 *           or floppy, not shareable, not a lun, not snapshot='no')
 * @name: the snapshot's name, NULL for libvirt's (the time in seconds)
 * @overlays: NULL, or "TARGET=PATH" strings naming an overlay's path; a
 *            disk not named gets libvirt's: its image's path with the part
 *            after the last '.' replaced by the snapshot's name
 * @flags: VDISK_SNAPSHOT_CREATE_NO_METADATA, VDISK_SNAPSHOT_CREATE_REUSE
 * @name_out: (out) (optional): the snapshot's name, the caller's
 * @report: (out) (optional): "TARGET PATH" of each new overlay, a line
 *          each, the caller's (a path with a newline is refused)
 *
 * An external, disk-only snapshot (qcow2 overlays) of the named disks, all
 * or none: on a running domain libvirt's atomic snapshot
 * (VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC), the guest writing on into the
 * overlays; on a stopped one libvirt creates the overlays and the
 * definition uses them. Refused naming the disk: VDISK_ERR_NOT_FOUND for a
 * target the domain lacks, VDISK_ERR_EXISTS for an overlay that exists
 * (without REUSE) or a disk a job runs on, VDISK_ERR_INVALID for a disk that
 * cannot have an overlay (read-only, cdrom, no source).
 */
VDISK_API int vdisk_snapshot_create(virDomainPtr dom, const char *const *targets,
                                    size_t n_targets, const char *name,
                                    const char *const *overlays, size_t n_overlays,
                                    unsigned int flags, char **name_out, char **report,
                                    vdisk_error **err);

#ifdef __cplusplus
}
#endif

#endif /* VDISK_BLOCKJOB_H */
