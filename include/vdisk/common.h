/*
 * libvdisk - virtual disks for libvirt/QEMU hosts
 *
 * common.h: export macro, error objects, memory helpers
 *
 * Threads: the library keeps no global error state. Each failing call
 * makes a new #vdisk_error for its caller (the name of the public call in
 * its message is tracked per thread), which any thread may read and free.
 * vdisk_version() and vdisk_error_code_name() return static strings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_COMMON_H
#define VDISK_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(VDISK_STATIC)
#define VDISK_API __attribute__((visibility("default")))
#else
#define VDISK_API
#endif

#define VDISK_VERSION_MAJOR 0
#define VDISK_VERSION_MINOR 1
#define VDISK_VERSION_MICRO 0

/**
 * vdisk_error_code:
 *
 * The small set of error classes every fallible call reports. A failing
 * call returns -1 (or NULL) and, when the caller passed a non-NULL
 * @err, stores a new #vdisk_error there.
 *
 * vdisk_error_code_name() gives the name the vdisk program's JSON uses,
 * and the code alone decides the program's exit status (vdisk(1), EXIT
 * STATUS):
 *
 *   code                    name              exit status
 *   VDISK_ERR_INTERNAL      internal          1 (failed)
 *   VDISK_ERR_NO_MEMORY     no-memory         1
 *   VDISK_ERR_LIBVIRT       libvirt           1
 *   VDISK_ERR_SYSTEM        system            1
 *   VDISK_ERR_INVALID_ARG   invalid-argument  3 (refused)
 *   VDISK_ERR_XML           xml               3
 *   VDISK_ERR_INVALID       invalid           3
 *   VDISK_ERR_UNSUPPORTED   unsupported       3
 *   VDISK_ERR_NOT_FOUND     not-found         3
 *   VDISK_ERR_EXISTS        exists            3
 *   VDISK_ERR_TRANSIENT     transient         3
 *   VDISK_ERR_PENDING       pending           4 (pending)
 *   VDISK_ERR_CANCELLED     cancelled         130 (cancelled)
 *
 * (The program's own usage errors are "usage", exit status 2.)
 */
typedef enum {
    VDISK_ERR_OK = 0,
    VDISK_ERR_INTERNAL,    /* a bug in libvdisk */
    VDISK_ERR_NO_MEMORY,   /* allocation failed */
    VDISK_ERR_INVALID_ARG, /* an argument the call cannot use (NULL, out of range) */
    VDISK_ERR_XML,         /* not well-formed XML, or XML features refused (DTD, entities) */
    VDISK_ERR_INVALID,     /* well-formed, but a value libvirt's parser refuses */
    VDISK_ERR_UNSUPPORTED, /* a configuration libvirt refuses at define or start time */
    VDISK_ERR_NOT_FOUND,   /* the disk, target, domain or volume does not exist */
    VDISK_ERR_EXISTS,      /* the target is taken by another disk */
    VDISK_ERR_LIBVIRT,     /* libvirt failed; see vdisk_error_get_libvirt_code() */
    VDISK_ERR_PENDING,     /* the operation was started but has not completed yet */
    VDISK_ERR_SYSTEM,      /* an operating system call failed */
    VDISK_ERR_TRANSIENT,   /* the persistent definition of a transient domain was asked for */
    VDISK_ERR_CANCELLED,   /* the caller cancelled the operation, which was undone */
    VDISK_ERR_LAST
} vdisk_error_code;

/** An error: code, message and, when libvirt failed, libvirt's own code. */
typedef struct vdisk_error vdisk_error;

/** The error's class. */
VDISK_API vdisk_error_code vdisk_error_get_code(const vdisk_error *err);
/** The full message, prefixed by the name of the public call that failed.
 * Borrowed from @err. Never NULL for a non-NULL @err. */
VDISK_API const char *vdisk_error_get_message(const vdisk_error *err);
/** libvirt's virErrorNumber when libvirt reported the failure, else 0. */
VDISK_API int vdisk_error_get_libvirt_code(const vdisk_error *err);
/** For VDISK_ERR_XML: the 1-based line (column) of the fault, else 0. */
VDISK_API int vdisk_error_get_line(const vdisk_error *err);
VDISK_API int vdisk_error_get_column(const vdisk_error *err);
/** Frees @err; NULL is a no-op. */
VDISK_API void vdisk_error_free(vdisk_error *err);
/** A stable lower-case name for @code ("invalid", "unsupported", ...). */
VDISK_API const char *vdisk_error_code_name(vdisk_error_code code);

/** Frees memory the library handed to the caller (strings, arrays). */
VDISK_API void vdisk_free(void *ptr);

/** The library's version as "MAJOR.MINOR.MICRO". Static storage. */
VDISK_API const char *vdisk_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VDISK_COMMON_H */
