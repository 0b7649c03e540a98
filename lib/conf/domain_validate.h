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
/* Boot orders over every device of the domain. */
int vd_domain_validate_boot_order(const vdisk_domain *dom, vdisk_error **err);
