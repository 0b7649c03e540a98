/*
 * cli-domain.h: the connection and domain a vdisk subcommand works on
 * (cli-domain.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_TOOLS_CLI_DOMAIN_H
#define VDISK_TOOLS_CLI_DOMAIN_H

#include <vdisk/hotplug.h>

/* The connection of the subcommands that talk to libvirt, unless --connect. */
#define VDISK_CLI_DEFAULT_URI "qemu:///system"

/* Opens @uri and looks up domain @name (by name, UUID or id). Returns -1
 * with *@conn and *@dom set, else the exit status after reporting why not
 * (cli-output.h): a missing domain reads "no domain 'NAME' on URI". */
int vdisk_cli_open_domain(const char *uri, const char *name, virConnectPtr *conn,
                          virDomainPtr *dom);
void vdisk_cli_close_domain(virConnectPtr conn, virDomainPtr dom);

#endif /* VDISK_TOOLS_CLI_DOMAIN_H */
