/*
 * source_priv.h: storage sources inside the library
 *
 * A storage source is described by a "holder" element carrying its type
 * (<disk>, <backingStore> or <mirror>) and the <source> child of that
 * holder. The public vdisk_source objects are views onto those elements
 * (see struct vdisk_source in disk_priv.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/disk_priv.h"

/* source_parse.c: checks and canonicalizes everything about the storage
 * sources of @disk, whose <disk> element is @holder: disk@type, <source>
 * for every type, the top format (driver@type), legacy <auth>/<encryption>
 * directly in <disk>, the <backingStore> chain and <mirror>. Values are
 * refused where libvirt 9.0's parser refuses them; attributes and children
 * are put in libvirt's order; nothing is defaulted. */
int vd_source_parse(vdisk_disk *disk, vd_node *holder, vdisk_error **err);
/* Drops from the <disk> @node what libvirt's parser ignores in a definition
 * (VIR_DOMAIN_DEF_PARSE_INACTIVE): the index of the source and of backing
 * stores, <mirror>, and seclabel labelskip. */
void vd_source_drop_status(vd_doc *doc, vd_node *node);

/* Canonical spelling of a UUID ("8-4-4-4-12", lower case) into @out (37
 * bytes), parsed the way libvirt does. Returns false when @s is no UUID. */
bool vd_uuid_canonical(const char *s, char out[37]);

/* Checks a cookie name/value pair the way libvirt does; on failure fills
 * @why with the reason (static text) and returns false. */
bool vd_cookie_check(const char *name, const char *value, const char **why);


/* The type of the source @holder describes: disk@type (absent: file),
 * backingStore@type, mirror@type (absent: file). */
vdisk_type vd_source_holder_type(const vd_node *holder);

/* The type of the source @holder describes as written: VDISK_TYPE_NONE
 * when @type is absent (where vd_source_holder_type() gives the default). */
vdisk_type vd_source_holder_written_type(const vd_node *holder);

/* source@protocol of the source @holder describes, into *@protocol: false
 * when there is no <source> or it has no protocol, which
 * vdisk_source_get_protocol() does not tell from protocol='none'. */
bool vd_source_holder_protocol(const vd_node *holder, vdisk_protocol *protocol);

/* source@namespace of the NVMe source @holder describes, in full (the
 * public getter gives an unsigned int): false when there is none. */
bool vd_source_holder_nvme_namespace(const vd_node *holder, unsigned long long *ns);

/* libvirt's default port for @protocol (0 when it has none). */
unsigned int vd_source_default_port(vdisk_protocol protocol);

/* Post-parse: gives every tcp <host> without a port libvirt's default port
 * for the protocol, in the top source, the backing chain and the mirror. */
void vd_source_apply_default_ports(vdisk_disk *disk);
