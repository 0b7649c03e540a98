/*
 * domain_validate.h: libvirt's checks across a domain's disks
 * (domain_validate.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/domain_priv.h"

/* Duplicate targets and drive addresses. */
int vd_domain_validate_disks(const vdisk_domain *dom, vdisk_error **err);
/* The limit of vd_domain_validate_disks() on drive controllers, applied to
 * <disk> element @disk as soon as it is read, before the rest of the
 * domain is: its explicit drive address, or (with @defaults) the one
 * post-parse derives from its target name, naming a controller past the
 * limit refuses the domain with the same error. Only what is certain to
 * be refused is. */
int vd_domain_check_read_disk(const vd_node *disk, bool defaults, vdisk_error **err);
/* Boot orders over every device of the domain. */
int vd_domain_validate_boot_order(const vdisk_domain *dom, vdisk_error **err);
