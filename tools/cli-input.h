/*
 * cli-input.h: reading the XML a subcommand is given
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_TOOLS_CLI_INPUT_H
#define VDISK_TOOLS_CLI_INPUT_H

/* Reads all of @path ("-" is stdin) into a NUL-terminated buffer (free()).
 * On failure reports why (cli-output.h), stores the exit status in *@status
 * (usage: unreadable; refused: a NUL byte, so not XML text) and returns
 * NULL. */
char *vdisk_cli_read_input(const char *path, int *status);

#endif /* VDISK_TOOLS_CLI_INPUT_H */
