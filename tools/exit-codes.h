/*
 * exit-codes.h: the exit statuses every vdisk subcommand uses
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_TOOLS_EXIT_CODES_H
#define VDISK_TOOLS_EXIT_CODES_H

#include <vdisk/common.h>

enum {
    VDISK_EXIT_OK = 0,      /* done */
    VDISK_EXIT_FAILED = 1,  /* tried, and libvirt, QEMU or the system failed */
    VDISK_EXIT_USAGE = 2,   /* bad command line, or a file that cannot be read */
    VDISK_EXIT_REFUSED = 3, /* the input (a disk, a target, a domain state) is refused */
    VDISK_EXIT_PENDING = 4, /* started, not completed in time (a detach the guest holds) */
    VDISK_EXIT_CANCELLED = 130, /* interrupted (SIGINT) or cancelled, and undone */
};

/* The exit status for a library error. */
static inline int
vdisk_exit_for(const vdisk_error *err)
{
    switch (vdisk_error_get_code(err)) {
    case VDISK_ERR_PENDING:
        return VDISK_EXIT_PENDING;
    case VDISK_ERR_CANCELLED:
        return VDISK_EXIT_CANCELLED;
    case VDISK_ERR_INVALID_ARG:
    case VDISK_ERR_XML:
    case VDISK_ERR_INVALID:
    case VDISK_ERR_UNSUPPORTED:
    case VDISK_ERR_NOT_FOUND:
    case VDISK_ERR_EXISTS:
    case VDISK_ERR_TRANSIENT:
        return VDISK_EXIT_REFUSED;
    case VDISK_ERR_OK:
    case VDISK_ERR_INTERNAL:
    case VDISK_ERR_NO_MEMORY:
    case VDISK_ERR_LIBVIRT:
    case VDISK_ERR_SYSTEM:
    case VDISK_ERR_LAST:
        break;
    }
    return VDISK_EXIT_FAILED;
}

#endif /* VDISK_TOOLS_EXIT_CODES_H */
