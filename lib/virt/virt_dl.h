/*
 * virt_dl.h: libvirt, loaded when the first libvirt call needs it (virt_dl.c)
 *
 * libvdisk.so has no DT_NEEDED on libvirt: a program that only parses and
 * translates disks never maps libvirt and its dependencies. lib/virt calls
 * libvirt through a table of function pointers that vd_libvirt_load()
 * fills with dlopen("libvirt.so.0") and dlsym. Each pointer has the type of
 * libvirt's own prototype, so every call is still checked against
 * <libvirt/libvirt.h>. A program that hands us a virConnectPtr or
 * virDomainPtr has libvirt loaded already; dlopen() then returns that same
 * library.
 *
 * Every public entry point of lib/virt calls vd_libvirt_load() before any
 * libvirt function; the names below then resolve to the table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/error.h"

/* The soname loaded. */
#define VD_LIBVIRT_SONAME "libvirt.so.0"

/* Every libvirt function lib/virt calls. A call to one missing here leaves
 * an undefined reference, which the library's link (--no-undefined, no
 * -lvirt) refuses; one listed here but not redirected below likewise. */
#define VD_LIBVIRT_FUNCTIONS(X)                                                                    \
    X(virConnSetErrorFunc)                                                                         \
    X(virConnectClose)                                                                             \
    X(virConnectDomainEventDeregisterAny)                                                          \
    X(virConnectDomainEventRegisterAny)                                                            \
    X(virConnectGetURI)                                                                            \
    X(virConnectListAllDomains)                                                                    \
    X(virConnectOpen)                                                                              \
    X(virConnectOpenReadOnly)                                                                      \
    X(virDomainAttachDeviceFlags)                                                                  \
    X(virDomainBlockCommit)                                                                        \
    X(virDomainBlockCopy)                                                                          \
    X(virDomainBlockJobAbort)                                                                      \
    X(virDomainBlockPull)                                                                          \
    X(virDomainBlockRebase)                                                                        \
    X(virDomainBlockResize)                                                                        \
    X(virDomainDetachDeviceAlias)                                                                  \
    X(virDomainDetachDeviceFlags)                                                                  \
    X(virDomainFree)                                                                               \
    X(virDomainGetBlockInfo)                                                                       \
    X(virDomainGetBlockJobInfo)                                                                    \
    X(virDomainGetConnect)                                                                         \
    X(virDomainGetMetadata)                                                                        \
    X(virDomainGetName)                                                                            \
    X(virDomainGetUUIDString)                                                                      \
    X(virDomainGetXMLDesc)                                                                         \
    X(virDomainIsActive)                                                                           \
    X(virDomainIsPersistent)                                                                       \
    X(virDomainLookupByID)                                                                         \
    X(virDomainLookupByName)                                                                       \
    X(virDomainLookupByUUIDString)                                                                 \
    X(virDomainSetBlockIoTune)                                                                     \
    X(virDomainSetMetadata)                                                                        \
    X(virDomainSnapshotCreateXML)                                                                  \
    X(virDomainSnapshotFree)                                                                       \
    X(virDomainSnapshotGetName)                                                                    \
    X(virDomainUpdateDeviceFlags)                                                                  \
    X(virEventRegisterDefaultImpl)                                                                 \
    X(virEventRunDefaultImpl)                                                                      \
    X(virFreeError)                                                                                \
    X(virGetLastError)                                                                             \
    X(virResetLastError)                                                                           \
    X(virSaveLastError)                                                                            \
    X(virSecretFree)                                                                               \
    X(virSecretGetUUIDString)                                                                      \
    X(virSecretGetUsageType)                                                                       \
    X(virSecretGetValue)                                                                           \
    X(virSecretLookupByUUIDString)                                                                 \
    X(virSecretLookupByUsage)                                                                      \
    X(virSetErrorFunc)                                                                             \
    X(virStoragePoolFree)                                                                          \
    X(virStoragePoolGetXMLDesc)                                                                    \
    X(virStoragePoolIsActive)                                                                      \
    X(virStoragePoolLookupByName)                                                                  \
    X(virStorageVolCreateXML)                                                                      \
    X(virStorageVolDelete)                                                                         \
    X(virStorageVolFree)                                                                           \
    X(virStorageVolGetInfo)                                                                        \
    X(virStorageVolGetPath)                                                                        \
    X(virStorageVolGetXMLDesc)                                                                     \
    X(virStorageVolLookupByName)                                                                   \
    X(virStorageVolLookupByPath)                                                                   \
    X(virStorageVolResize)                                                                         \
    X(virTypedParamsAddString)                                                                     \
    X(virTypedParamsAddULLong)                                                                     \
    X(virTypedParamsFree)

typedef struct {
#define VD_LIBVIRT_MEMBER(fn) __typeof__(fn) *fn;
    VD_LIBVIRT_FUNCTIONS(VD_LIBVIRT_MEMBER)
#undef VD_LIBVIRT_MEMBER
} vd_libvirt_table;

/* Filled once by vd_libvirt_load(), read-only afterwards. */
extern vd_libvirt_table vd_libvirt;

/* Loads libvirt and resolves the table, once per process (thread-safe);
 * later calls return the first one's result. Fails with VDISK_ERR_SYSTEM
 * naming the library and dlerror()'s reason when libvirt cannot be loaded
 * or lacks a function. */
int vd_libvirt_load(vdisk_error **err);

/* virDomainQemuMonitorCommand() of libvirt-qemu.so.0 (loaded on first use,
 * as libvirt.so.0 is): QMP command @cmd to @dom's QEMU, its reply in
 * *@reply (the caller's, g_free()). Fails with VDISK_ERR_SYSTEM when that
 * library cannot be loaded, VDISK_ERR_LIBVIRT when libvirt or QEMU refused.
 * libvirt marks a domain it is used on as tainted (custom-monitor). */
int vd_libvirt_qemu_monitor(virDomainPtr dom, const char *cmd, char **reply, vdisk_error **err);

/* White-box tests: the soname the next (first) vd_libvirt_load() opens. */
void vd_libvirt_set_soname(const char *soname);

#ifndef VD_LIBVIRT_NO_REDIRECT
#define virConnSetErrorFunc (vd_libvirt.virConnSetErrorFunc)
#define virConnectClose (vd_libvirt.virConnectClose)
#define virConnectDomainEventDeregisterAny (vd_libvirt.virConnectDomainEventDeregisterAny)
#define virConnectDomainEventRegisterAny (vd_libvirt.virConnectDomainEventRegisterAny)
#define virConnectGetURI (vd_libvirt.virConnectGetURI)
#define virConnectListAllDomains (vd_libvirt.virConnectListAllDomains)
#define virConnectOpen (vd_libvirt.virConnectOpen)
#define virConnectOpenReadOnly (vd_libvirt.virConnectOpenReadOnly)
#define virDomainAttachDeviceFlags (vd_libvirt.virDomainAttachDeviceFlags)
#define virDomainBlockCommit (vd_libvirt.virDomainBlockCommit)
#define virDomainBlockCopy (vd_libvirt.virDomainBlockCopy)
#define virDomainBlockJobAbort (vd_libvirt.virDomainBlockJobAbort)
#define virDomainBlockPull (vd_libvirt.virDomainBlockPull)
#define virDomainBlockRebase (vd_libvirt.virDomainBlockRebase)
#define virDomainBlockResize (vd_libvirt.virDomainBlockResize)
#define virDomainDetachDeviceAlias (vd_libvirt.virDomainDetachDeviceAlias)
#define virDomainDetachDeviceFlags (vd_libvirt.virDomainDetachDeviceFlags)
#define virDomainFree (vd_libvirt.virDomainFree)
#define virDomainGetBlockInfo (vd_libvirt.virDomainGetBlockInfo)
#define virDomainGetBlockJobInfo (vd_libvirt.virDomainGetBlockJobInfo)
#define virDomainGetConnect (vd_libvirt.virDomainGetConnect)
#define virDomainGetMetadata (vd_libvirt.virDomainGetMetadata)
#define virDomainGetName (vd_libvirt.virDomainGetName)
#define virDomainGetUUIDString (vd_libvirt.virDomainGetUUIDString)
#define virDomainGetXMLDesc (vd_libvirt.virDomainGetXMLDesc)
#define virDomainIsActive (vd_libvirt.virDomainIsActive)
#define virDomainIsPersistent (vd_libvirt.virDomainIsPersistent)
#define virDomainLookupByID (vd_libvirt.virDomainLookupByID)
#define virDomainLookupByName (vd_libvirt.virDomainLookupByName)
#define virDomainLookupByUUIDString (vd_libvirt.virDomainLookupByUUIDString)
#define virDomainSetBlockIoTune (vd_libvirt.virDomainSetBlockIoTune)
#define virDomainSetMetadata (vd_libvirt.virDomainSetMetadata)
#define virDomainSnapshotCreateXML (vd_libvirt.virDomainSnapshotCreateXML)
#define virDomainSnapshotFree (vd_libvirt.virDomainSnapshotFree)
#define virDomainSnapshotGetName (vd_libvirt.virDomainSnapshotGetName)
#define virDomainUpdateDeviceFlags (vd_libvirt.virDomainUpdateDeviceFlags)
#define virEventRegisterDefaultImpl (vd_libvirt.virEventRegisterDefaultImpl)
#define virEventRunDefaultImpl (vd_libvirt.virEventRunDefaultImpl)
#define virFreeError (vd_libvirt.virFreeError)
#define virGetLastError (vd_libvirt.virGetLastError)
#define virResetLastError (vd_libvirt.virResetLastError)
#define virSaveLastError (vd_libvirt.virSaveLastError)
#define virSecretFree (vd_libvirt.virSecretFree)
#define virSecretGetUUIDString (vd_libvirt.virSecretGetUUIDString)
#define virSecretGetUsageType (vd_libvirt.virSecretGetUsageType)
#define virSecretGetValue (vd_libvirt.virSecretGetValue)
#define virSecretLookupByUUIDString (vd_libvirt.virSecretLookupByUUIDString)
#define virSecretLookupByUsage (vd_libvirt.virSecretLookupByUsage)
#define virSetErrorFunc (vd_libvirt.virSetErrorFunc)
#define virStoragePoolFree (vd_libvirt.virStoragePoolFree)
#define virStoragePoolGetXMLDesc (vd_libvirt.virStoragePoolGetXMLDesc)
#define virStoragePoolIsActive (vd_libvirt.virStoragePoolIsActive)
#define virStoragePoolLookupByName (vd_libvirt.virStoragePoolLookupByName)
#define virStorageVolCreateXML (vd_libvirt.virStorageVolCreateXML)
#define virStorageVolDelete (vd_libvirt.virStorageVolDelete)
#define virStorageVolFree (vd_libvirt.virStorageVolFree)
#define virStorageVolGetInfo (vd_libvirt.virStorageVolGetInfo)
#define virStorageVolGetPath (vd_libvirt.virStorageVolGetPath)
#define virStorageVolGetXMLDesc (vd_libvirt.virStorageVolGetXMLDesc)
#define virStorageVolLookupByName (vd_libvirt.virStorageVolLookupByName)
#define virStorageVolLookupByPath (vd_libvirt.virStorageVolLookupByPath)
#define virStorageVolResize (vd_libvirt.virStorageVolResize)
#define virTypedParamsAddString (vd_libvirt.virTypedParamsAddString)
#define virTypedParamsAddULLong (vd_libvirt.virTypedParamsAddULLong)
#define virTypedParamsFree (vd_libvirt.virTypedParamsFree)
#endif
