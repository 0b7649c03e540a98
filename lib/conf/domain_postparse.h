/*
 * domain_postparse.h: libvirt's defaults for a domain (domain_postparse.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/domain_priv.h"

/* Puts the disks in the order libvirt's parser keeps them. */
void vd_domain_sort_disks(vdisk_domain *dom);
/* Moves the disk just appended to dom->disks where libvirt attaches it. */
void vd_domain_place_new_disk(vdisk_domain *dom);
/* Adds the controllers libvirt adds for the disks' drive addresses. */
void vd_domain_add_implicit_controllers(vdisk_domain *dom);
