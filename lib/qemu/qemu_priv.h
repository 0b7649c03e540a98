/*
 * qemu_priv.h: translation results and options inside the library
 *
 * A translation produces a list of items, each a property tree and the kind
 * of QEMU object it describes (-object, -blockdev, -device). The argv, the
 * shell line and the QMP commands are all rendered from those same trees.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdatomic.h>

#include <stdbool.h>

#include "vdisk/qemu.h"
#include "qemu/props.h"
#include "qemu/qemu_host.h"
#include "util/error.h"

typedef enum {
    VD_QEMU_ITEM_OBJECT,   /* -object / object-add */
    VD_QEMU_ITEM_BLOCKDEV, /* -blockdev / blockdev-add */
    VD_QEMU_ITEM_DEVICE,   /* -device / device_add */
    VD_QEMU_ITEM_CHARDEV,  /* -chardev / chardev-add */
    VD_QEMU_ITEM_GLOBAL,   /* -global, which has no QMP equivalent */
    VD_QEMU_ITEM_DRIVE,    /* -drive (SD cards), none either */
    VD_QEMU_ITEM_COMMAND,  /* a QMP command only (device_del, blockdev-del, ...) */
} vd_qemu_item_kind;

struct vdisk_qemu_opts {
    char *machine;           /* NULL: the domain's */
    unsigned int first_node; /* first "libvirt-N" number */
    GHashTable *secrets;     /* secret UUID or usage -> GBytes value */
    GBytes *master_key;      /* AES-256 key of "masterKey0", or NULL */
    /* the host's secrets and volumes (qemu_host.h), or NULL; @host_conn is
     * the caller's connection, borrowed */
    const vd_qemu_host_ops *host;
    void *host_conn;
    /* the chains from the image headers (qemu_host.h), or NULL */
    const vd_qemu_probe_ops *probe;
    /* number a lone disk's nodes as libvirt does when it hot-plugs it:
     * the backing images found take numbers first, then the whole chain
     * is numbered again from the top (qemuDomainAttachDeviceDiskLiveInternal) */
    bool hotplug;
};

/* Each item is rendered as soon as it is added: its JSON and its QMP
 * command go to one text buffer, NUL-terminated one after the other, and
 * the property tree is freed. */
struct vdisk_qemu_args {
    GString *text;     /* every rendered string */
    GArray *items;     /* vd_qemu_item: where an item's strings start in text */
    const char **argv; /* "-blockdev", JSON, ...: into text or literals */
    size_t nargv;
    /* The QMP commands of the items that have one, into text or into the
     * same allocation as the array: NULL until they are first read
     * (vdisk_qemu_args_qmp_get()), which may happen on several threads. */
    _Atomic(const char **) qmp;
    size_t nqmp;
};

/* A copy of @opts (NULL: the defaults) sharing its secret table and its
 * borrowed connection. */
vdisk_qemu_opts *vd_qemu_opts_copy(const vdisk_qemu_opts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_qemu_opts, vdisk_qemu_opts_free)

/* Results with room for the items of about @ndisks disks. */
vdisk_qemu_args *vd_qemu_args_new(size_t ndisks);
/* Appends an item, rendering it; takes ownership of @props. */
void vd_qemu_args_add(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props);
/* Adds an item whose command line JSON is @props and whose QMP arguments
 * are @qmp_json (JSON text): a device with <qemu:override>, which libvirt
 * applies on the command line only. Takes ownership of @props. */
void vd_qemu_args_add_split(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props,
                            const char *qmp_json);
/* Appends a -chardev item: @opts is its command line value (QEMU's
 * key=value form, as libvirt 9.0 writes -chardev), @qmp the arguments of
 * its chardev-add command; takes ownership of @qmp. */
void vd_qemu_args_add_chardev(vdisk_qemu_args *args, const char *opts, vd_prop *qmp);
/* Appends a -global or -drive item: @value is its command line value
 * ("isa-fdc.bootindexA=1"); it gets no QMP command. */
void vd_qemu_args_add_option(vdisk_qemu_args *args, vd_qemu_item_kind kind, const char *value);
/* Appends a QMP command that has no command line form: {"execute":
 * @execute,"arguments":@arguments}; takes ownership of @arguments. */
void vd_qemu_args_add_command(vdisk_qemu_args *args, const char *execute, vd_prop *arguments);
/* Makes the rendered strings readable; call once, after the last item. */
void vd_qemu_args_render(vdisk_qemu_args *args);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(vdisk_qemu_args, vdisk_qemu_args_free)


/* The id QEMU knows libvirt's per-domain master key by. */
#define VD_QEMU_MASTER_KEY_ID "masterKey0"

/* The default certificate directory of libvirt's qemu.conf. */
#define VD_QEMU_TLS_DIR "/etc/pki/qemu"

/* storage_net.c: the members of a network storage node: "driver" first,
 * then the protocol's own, as libvirt orders them. The aliases name the
 * objects the node refers to (NULL: none): @auth the auth secret, @enc
 * the librbd encryption secret, @cookie the http cookies, @tls the TLS
 * credentials. */
typedef struct {
    const char *auth;
    const char *enc;
    const char *cookie;
    const char *tls;
} vd_qemu_net_aliases;
int vd_qemu_net_storage_props(vd_prop *props, const vdisk_disk *disk, const vdisk_source *src,
                              const vd_qemu_net_aliases *aliases, vdisk_error **err);
/* The checks libvirt makes of a network source when it starts a domain. */
int vd_qemu_net_check(const vdisk_disk *disk, const vdisk_source *src, vdisk_error **err);
/* Whether the source uses TLS (nbd with tls='yes'; libvirt's default,
 * nbd_tls=0 in qemu.conf, is off). */
bool vd_qemu_net_uses_tls(const vdisk_source *src);
/* The "Cookie:" header value of an http(s) source: "a=1; b=2". */
char *vd_qemu_net_cookie_string(const vdisk_source *src);

/* secret.c: a -object secret carrying @value (@len bytes) as libvirt
 * writes it: encrypted with the master key of @opts ("keyid" and "iv")
 * when it has one, else in plain base64. */
int vd_qemu_secret_object(vd_prop **out, const vdisk_qemu_opts *opts, const char *id,
                          const void *value, size_t len, vdisk_error **err);
/* The value the caller gave for a libvirt secret named by @uuid or @usage;
 * fails like libvirt when there is none. */
int vd_qemu_secret_lookup(GBytes **out, const vdisk_qemu_opts *opts, const char *uuid,
                          const char *usage, vdisk_error **err);

/* host.c: with a connection in the options, what libvirt reads from the
 * host as it prepares a domain's storage (qemuProcessPrepareDomainStorage):
 * each disk's type='volume' sources resolved, then the secrets of each
 * source of its chain, the disks from the last to the first. The state
 * keeps the resolved disks and the values read, by node index. */
typedef enum {
    VD_QEMU_SECRET_AUTH, /* <auth><secret>: the protocol's */
    VD_QEMU_SECRET_ENC,  /* <encryption><secret>: the image's */
} vd_qemu_secret_role;
typedef struct vd_qemu_host_state vd_qemu_host_state;
vd_qemu_host_state *vd_qemu_host_state_new(void);
void vd_qemu_host_state_free(vd_qemu_host_state *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_qemu_host_state, vd_qemu_host_state_free)
/* Prepares @disk, its nodes numbered from @first. *@out is the disk to
 * translate: @disk, a resolved copy owned by @st, or NULL when libvirt
 * drops the disk (startupPolicy='optional' and its volume missing).
 * *@numbered is false when libvirt gave up preparing it (dropped, or left
 * empty): it then takes no node numbers. */
int vd_qemu_host_prepare_disk(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                              const vdisk_disk *disk, unsigned int first, const vdisk_disk **out,
                              bool *numbered, vdisk_error **err);
/* The two halves of vd_qemu_host_prepare_disk(), for hotplug, where
 * libvirt probes the chain between them: the volumes (with libvirt's
 * startup policy), then the secrets of the chain numbered from @first. */
int vd_qemu_host_resolve_disk(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                              const vdisk_disk *disk, const vdisk_disk **out, bool *numbered,
                              vdisk_error **err);
int vd_qemu_host_read_secrets(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                              const vdisk_disk *disk, unsigned int first, vdisk_error **err);
/* With probing in the options, replaces *@disk by translation's copy with
 * the chain the image headers give (qemuDomainDetermineDiskChain), *@added
 * the number of backing images found; when that fails for a disk with
 * startupPolicy='optional', *@disk loses its source or becomes NULL (left
 * out), as libvirt's cold boot does. */
int vd_qemu_host_probe_disk(vd_qemu_host_state *st, const vdisk_qemu_opts *opts,
                            const vdisk_disk **disk, unsigned int *added, vdisk_error **err);
/* The value read for node @node's secret @role, borrowed; NULL: none. */
GBytes *vd_qemu_host_secret(const vd_qemu_host_state *st, unsigned int node,
                            vd_qemu_secret_role role);

/* vhostuser.c: disks whose source is a vhost-user-blk backend. What
 * libvirt refuses for them; the id of their chardev ("chr-vu-" and the
 * disk's alias); the -chardev item connecting to the backend's socket. */
int vd_qemu_vhostuser_check(const vdisk_disk *disk, vdisk_error **err);
char *vd_qemu_vhostuser_chardev_id(const char *disk_alias);
/* The vhost-user-blk device standing for virtio-blk device @virtio_blk_driver. */
const char *vd_qemu_vhostuser_device_driver(const char *virtio_blk_driver);
int vd_qemu_vhostuser_add_chardev(vdisk_qemu_args *args, const vdisk_disk *disk, const char *id,
                                  vdisk_error **err);

/* unplug.c: the commands libvirt sends QEMU to unplug @disk, a disk of a
 * running domain as its live XML shows it (alias and node indexes):
 * device_del, then (once QEMU has released the device) blockdev-del of the
 * copy-on-read node and of each source's format, slice and storage nodes
 * from the top down (qemuDomainRemoveDiskDevice). Fails naming the disk
 * for what libvirt would refuse, or what is not modelled (secrets, TLS,
 * persistent reservations, block jobs). */
int vd_qemu_unplug_commands(vdisk_qemu_args **out, const vdisk_disk *disk, vdisk_error **err);

/* aes.c: AES-256-CBC with PKCS#7 padding, as QEMU's secret objects decrypt
 * them. @key is 32 bytes, @iv 16; returns the ciphertext. */
GBytes *vd_aes256_cbc_encrypt(const guint8 *key, const guint8 *iv, const void *data, size_t len);
