/*
 * domain_parse.h: reading a <domain> into its context (domain_parse.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/domain_priv.h"

/* A new context for @xml: the domain's identity, iothreads, memory,
 * controllers and its disks, wrapped but not parsed yet. */
/* @flags: the pipeline's (VDISK_PARSE_*), for the limits applied while
 * reading. */
int vd_domain_parse(vdisk_domain **out, const char *xml, unsigned int flags, vdisk_error **err);
