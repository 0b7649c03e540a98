/*
 * cli-input.c: reading the XML a subcommand is given
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-input.h"
#include "cli-output.h"
#include "exit-codes.h"

/* Reads all of @path ("-" is stdin) into a NUL-terminated buffer. On
 * failure prints why, stores the exit status in *@status and returns NULL. */
char *
vdisk_cli_read_input(const char *path, int *status)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;

    if (!fp) {
        *status = vdisk_cli_fail(VDISK_CLI_CODE_USAGE, VDISK_EXIT_USAGE, 0, "cannot open '%s': %s",
                                 name, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t n;

        if (cap - len < 4096) {
            char *grown;

            cap = cap ? cap * 2 : 65536;
            if (!(grown = realloc(buf, cap + 1))) {
                *status = vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY),
                                         VDISK_EXIT_FAILED, 0, "'%s': out of memory", name);
                goto error;
            }
            buf = grown;
        }
        n = fread(buf + len, 1, cap - len, fp);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(fp)) {
        *status = vdisk_cli_fail(VDISK_CLI_CODE_USAGE, VDISK_EXIT_USAGE, 0, "cannot read '%s': %s",
                                 name, strerror(errno));
        goto error;
    }
    if (memchr(buf, '\0', len)) {
        *status = vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_XML), VDISK_EXIT_REFUSED, 0,
                                 "'%s' contains a NUL byte, it is not XML text", name);
        goto error;
    }
    buf[len] = '\0';
    if (fp != stdin)
        fclose(fp);
    return buf;

error:
    free(buf);
    if (fp != stdin)
        fclose(fp);
    return NULL;
}
