/*
 * disk_parse_priv.h: libvirt's formatting order of <disk>, shared by the
 * parser (which sorts) and the setters (which insert at the right place)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "util/xtree.h"

/* Rank of a child element of <disk>; -1 when unknown. */
int vd_disk_rank_child(const vd_node *parent, const char *name);
/* Rank of an attribute of <disk>, <driver>, <target>, <geometry>, <blockio>,
 * <boot> or <address> (@node is that element); -1 when unknown. */
int vd_disk_rank_attr(const vd_node *node, const char *name);
/* Rank of a child element of <iotune>. */
int vd_iotune_rank_child(const vd_node *parent, const char *name);
