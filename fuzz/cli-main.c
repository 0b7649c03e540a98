/*
 * cli-main.c: the vdisk program with its main() callable, for
 * fuzz-cli-args.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
int vdisk_cli_main(int argc, char **argv);
#define main vdisk_cli_main
#include "../tools/vdisk.c"
