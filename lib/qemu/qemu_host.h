/*
 * qemu_host.h: what translation asks of the host, when the caller gave the
 * options a libvirt connection (vdisk_qemu_opts_set_connection())
 *
 * Translation itself calls no libvirt function: lib/virt/qemu_host.c
 * implements these operations on the connection and installs them with
 * vd_qemu_opts_set_host(); lib/qemu/host.c calls them before translating,
 * in the order libvirt prepares a domain's storage.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vdisk/qemu.h"
#include "conf/conf.h"
#include "util/error.h"

/* The usage type a secret must have is a vd_secret_usage (libvirt's
 * virSecretUsageType, conf/schema-gen.h): LUKS passphrases are 'volume'
 * secrets, rbd keys 'ceph', other protocols' passwords 'iscsi'
 * (qemuDomainSecretStorageSourcePrepare). */

typedef struct {
    /* Replaces every type='volume' source of @disk (translation's own copy)
     * with what libvirt's virDomainDiskTranslateSourcePool makes of it, or
     * fails as libvirt fails, naming the disk. A disk without volume
     * sources is left alone. */
    int (*resolve_volumes)(void *conn, vdisk_disk *disk, vdisk_error **err);
    /* The value of the secret @disk refers to: looked up by @uuid when it
     * is set, else by @usage among the secrets of usage @type, and checked
     * as libvirt's virSecretGetSecretString checks it. @given (may be NULL)
     * is the value the caller set for it (vdisk_qemu_opts_set_secret()):
     * it is returned instead of the stored value. */
    int (*secret_value)(void *conn, const vdisk_disk *disk, const char *uuid, const char *usage,
                        vd_secret_usage type, GBytes *given, GBytes **out, vdisk_error **err);
} vd_qemu_host_ops;

/* What translation asks of the host when the options ask for the backing
 * chains libvirt reads from the image headers
 * (vdisk_qemu_opts_set_probe_chains(), lib/virt/chain_probe.c). */
typedef struct {
    /* Completes the chain of @disk (translation's own copy) as libvirt's
     * qemuDomainDetermineDiskChain does: checks that its images exist and
     * appends the backing images their headers name, each with the format
     * the header gives, ending the chain. *@added: the number of sources
     * appended. Fails as libvirt fails, naming the disk. */
    int (*probe_chain)(vdisk_disk *disk, unsigned int *added, vdisk_error **err);
} vd_qemu_probe_ops;

/* Installs @ops in @opts; NULL removes them. */
void vd_qemu_opts_set_probe(vdisk_qemu_opts *opts, const vd_qemu_probe_ops *ops);

/* Installs @ops on @conn (borrowed) in @opts; NULL @ops removes them. */
void vd_qemu_opts_set_host(vdisk_qemu_opts *opts, const vd_qemu_host_ops *ops, void *conn);
