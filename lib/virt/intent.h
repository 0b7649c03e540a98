/*
 * intent.h: the record of a change in progress, kept in the domain's
 * <metadata> (intent.c), and what recovery needs of the hotplug code
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "util/error.h"

/* Every record's namespace URI starts with this; the record's id follows. */
#define VD_INTENT_NS "https://libvdisk.org/xmlns/intent/1/"
#define VD_INTENT_PREFIX "vdisk"

typedef enum {
    VD_INTENT_ATTACH = 0,
    VD_INTENT_DETACH,
    VD_INTENT_MEDIA,
    VD_INTENT_JOB, /* a copy or active commit waited for, to be pivoted */
    VD_INTENT_LAST
} vd_intent_op;

typedef struct {
    char *id;
    vd_intent_op op;
    char *target;
    bool live;
    bool config;
    /* attach: the disk attached; detach: the disk removed (the persistent
     * side's when it has one); media: the disk with its new medium; job:
     * <job kind='copy|active-commit' dest='PATH' created='yes|no'
     * pivot='yes|no'/> (blockjob.c) */
    char *disk_xml;
    /* media: the disk with the medium it had (NULL otherwise) */
    char *old_xml;
    /* who made the change: host name, process id and its start time (in
     * clock ticks since boot, /proc/PID/stat field 22; 0 when unknown) */
    char *host;
    long pid;
    unsigned long long start;
} vd_intent;

void vd_intent_free(vd_intent *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_intent, vd_intent_free)

const char *vd_intent_op_name(vd_intent_op op);

/* Records the change in the live and persistent definitions of @dom (those
 * it has) before its first step. On success *@out is the record, to be
 * handed to vd_intent_end() after the last step. */
int vd_intent_begin(vd_intent **out, virDomainPtr dom, vd_intent_op op, const char *target,
                    const char *disk_xml, const char *old_xml, vdisk_error **err);

/* The value of attribute @name of the one-element XML @elem (as this file
 * writes it: no entities but the markup ones), NULL when missing. */
char *vd_intent_attr(const char *elem, const char *name);

/* Removes the record from wherever it is and frees it; failures are
 * ignored (recovery finds a record whose change is complete and removes it). */
void vd_intent_end(virDomainPtr dom, vd_intent *in);

/* Removes the record from both definitions; -1 with @err when it stays. */
int vd_intent_clear(virDomainPtr dom, const vd_intent *in, vdisk_error **err);

/* Every record in the live and persistent definitions of @dom, once each:
 * a GPtrArray of vd_intent (freed with it). */
int vd_intent_list(GPtrArray **out, virDomainPtr dom, vdisk_error **err);

/* Whether the process that made @in still runs (on this host, the same pid
 * with the same start time); false when it is gone or ran elsewhere
 * (*@elsewhere set then). */
bool vd_intent_owner_alive(const vd_intent *in, bool *elsewhere);
