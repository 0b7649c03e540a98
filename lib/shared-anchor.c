/*
 * dummy-shared.c: the shared library is the whole internal archive linked
 * with the version script; this file only gives CMake a source to build.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
extern int vd_shared_anchor;
int vd_shared_anchor;
