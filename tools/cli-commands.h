/*
 * cli-commands.h: the vdisk subcommands, each run with its own argv
 * (argv[0] the subcommand's name); each returns the process's exit status
 * (exit-codes.h). vdisk.c dispatches to them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_TOOLS_CLI_COMMANDS_H
#define VDISK_TOOLS_CLI_COMMANDS_H

/* cmd-qemu-args.c */
int vdisk_cmd_qemu_args(int argc, char **argv);
/* cmd-storage.c */
int vdisk_cmd_volume_create(int argc, char **argv);
/* cmd-hotplug.c */
int vdisk_cmd_list(int argc, char **argv);
int vdisk_cmd_attach(int argc, char **argv);
int vdisk_cmd_detach(int argc, char **argv);
int vdisk_cmd_change_media(int argc, char **argv);
int vdisk_cmd_next_target(int argc, char **argv);
int vdisk_cmd_set_iotune(int argc, char **argv);
int vdisk_cmd_recover(int argc, char **argv);
/* cmd-blockjob.c */
int vdisk_cmd_resize(int argc, char **argv);
int vdisk_cmd_snapshot(int argc, char **argv);
int vdisk_cmd_commit(int argc, char **argv);
int vdisk_cmd_pull(int argc, char **argv);
int vdisk_cmd_copy(int argc, char **argv);
int vdisk_cmd_job(int argc, char **argv);

#endif /* VDISK_TOOLS_CLI_COMMANDS_H */
