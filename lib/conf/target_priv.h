/*
 * target_priv.h: target name parsing inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

#include "vdisk/disk.h"

/* Splits a target name into its index and partition number, with libvirt's
 * rules: 0 on success, -1 when @name is not a disk name (or its index does
 * not fit an int). @partition may be NULL, in which case trailing digits
 * are accepted and ignored. */
int vd_target_parse(const char *name, int *index, int *partition);

/* The bus a target name implies, as vdisk_bus_from_target(). */
vdisk_bus vd_target_bus(const char *name);
