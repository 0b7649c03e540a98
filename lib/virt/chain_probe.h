/*
 * chain_probe.h: the backing chains libvirt reads from the image headers
 * (chain_probe.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu/qemu_host.h"

/* The operations vdisk_qemu_opts_set_probe_chains() installs. */
const vd_qemu_probe_ops *vd_virt_chain_probe_ops(void);
