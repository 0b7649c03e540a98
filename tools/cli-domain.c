/*
 * cli-domain.c: the connection and domain a vdisk subcommand works on
 * (see cli-domain.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stddef.h>

#include <libvirt/virterror.h>
#include <vdisk/vdisk.h>

#include "cli-domain.h"
#include "cli-output.h"
#include "exit-codes.h"

int
vdisk_cli_open_domain(const char *uri, const char *name, virConnectPtr *conn, virDomainPtr *dom)
{
    vdisk_error *err = NULL;

    *conn = NULL;
    *dom = NULL;
    if (vdisk_connect_open(conn, uri, 0, &err) < 0)
        return vdisk_cli_report(NULL, err);
    if (vdisk_connect_lookup_domain(dom, *conn, name, &err) < 0 &&
        vdisk_error_get_code(err) != VDISK_ERR_NOT_FOUND) {
        vdisk_connect_close(*conn);
        *conn = NULL;
        return vdisk_cli_report(NULL, err);
    }
    if (!*dom) {
        vdisk_error_free(err);
        vdisk_connect_close(*conn);
        *conn = NULL;
        return vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NOT_FOUND), VDISK_EXIT_REFUSED,
                              VIR_ERR_NO_DOMAIN, "no domain '%s' on %s", name, uri);
    }
    return -1;
}

void
vdisk_cli_close_domain(virConnectPtr conn, virDomainPtr dom)
{
    vdisk_domain_ptr_free(dom);
    vdisk_connect_close(conn);
}
