/*
 * cmd-qemu-args.c: `vdisk qemu-args FILE [--shell|--qmp] [--connect URI]`
 *
 * Prints the QEMU arguments libvirt 9.0 would give the disks of FILE (a
 * <domain> or a single <disk>; - for stdin): one argv element per line,
 * one shell-quoted line with --shell, or one QMP command per line with
 * --qmp. With --connect, secrets and type='volume' sources are read from
 * that libvirt, as `virsh domxml-to-native` reads them; with --probe, the
 * backing chains are read from the images, as libvirt reads them when it
 * starts the domain. Exits 3 with the
 * library's message when a disk is refused.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vdisk/vdisk.h>
#include <vdisk/hotplug.h>

#include "cli-commands.h"
#include "exit-codes.h"
#include "cli-input.h"
#include "cli-output.h"

enum {
    QA_EXIT_OK = VDISK_EXIT_OK,
    QA_EXIT_FAILED = VDISK_EXIT_FAILED,
    QA_EXIT_USAGE = VDISK_EXIT_USAGE,
};

typedef enum {
    QA_OUTPUT_ARGV,
    QA_OUTPUT_SHELL,
    QA_OUTPUT_QMP,
} qa_output;

static void
qa_usage(FILE *fp)
{
    fprintf(fp, "Usage: vdisk qemu-args [OPTIONS] FILE\n\n"
                "Print the QEMU arguments libvirt gives the disks of FILE (a <domain> or a "
                "<disk>; - for stdin), one argv element per line.\n\n"
                "Options:\n"
                "      --shell         print one shell-quoted command line fragment\n"
                "      --qmp           print the equivalent QMP commands, one per line\n"
                "      --machine=TYPE  translate for machine TYPE instead of the domain's\n"
                "  -c, --connect=URI   read the disks' secrets (values and usage types) and\n"
                "                      storage volumes from the libvirt at URI\n"
                "                      (qemu:///system, ...), as virsh domxml-to-native does\n"
                "      --probe         read the backing chains from the image headers on this\n"
                "                      host, as libvirt does when it starts the domain\n"
                "      --hotplug=DOMAIN  with --connect: the commands libvirt would send\n"
                "                      to hot-plug the <disk> of FILE into the running DOMAIN\n"
                "                      now (its buses, node names, backing chain)\n"
                "      --unplug=TARGET  with --hotplug and no FILE: the commands libvirt\n"
                "                      sends to unplug the disk TARGET of DOMAIN\n"
                "      --secret=KEY=FILE  the value of the secret whose UUID or usage is KEY\n"
                "                      is the content of FILE (repeatable; with --connect,\n"
                "                      it replaces the value libvirt stores)\n"
                "      --master-key=FILE  encrypt secret objects as libvirt does, with the\n"
                "                      32-byte key in FILE (the domain's masterKey0)\n"
                "      --json          print one JSON object: {\"ok\": true, \"argv\": [...]}\n"
                "                      (\"shell\": LINE with --shell, \"qmp\": [...] with --qmp)\n"
                "  -h, --help          show this help and exit\n");
}

/* Reads a whole small binary file (a secret value or a key). */
static char *
qa_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long size;

    if (!fp) {
        vdisk_cli_fail(VDISK_CLI_CODE_USAGE, QA_EXIT_USAGE, 0, "cannot open '%s': %s", path,
                       strerror(errno));
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) < 0 || (size = ftell(fp)) < 0 || size > 1024 * 1024 ||
        fseek(fp, 0, SEEK_SET) < 0) {
        vdisk_cli_fail(VDISK_CLI_CODE_USAGE, QA_EXIT_USAGE, 0,
                       "cannot read '%s': not a small regular file", path);
        fclose(fp);
        return NULL;
    }
    buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, fp) != (size_t)size) {
        vdisk_cli_fail(VDISK_CLI_CODE_USAGE, QA_EXIT_USAGE, 0, "cannot read '%s'", path);
        free(buf);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    *len = (size_t)size;
    return buf;
}

/* --secret KEY=FILE */
static int
qa_add_secret(vdisk_qemu_opts *opts, const char *spec, vdisk_error **err)
{
    const char *eq = strchr(spec, '=');
    char *key;
    char *value;
    size_t len = 0;
    int rc;

    if (!eq || eq == spec || !eq[1]) {
        vdisk_cli_usage("--secret wants KEY=FILE, not '%s'", spec);
        return -1;
    }
    if (!(value = qa_read_file(eq + 1, &len)))
        return -1;
    key = strndup(spec, (size_t)(eq - spec));
    rc = key ? vdisk_qemu_opts_set_secret(opts, key, value, len, err) : -1;
    free(key);
    free(value);
    return rc;
}

/* Whether the document element is <domain> (else it goes to the disk
 * parser, which says what is wrong with it). */
static int
qa_is_domain(const char *xml)
{
    const char *p = xml;

    while ((p = strchr(p, '<'))) {
        if (p[1] == '?' || p[1] == '!') {
            p++;
            continue;
        }
        return strncmp(p + 1, "domain", 6) == 0 && strchr(" \t\r\n>/", p[7]);
    }
    return 0;
}

/* Prints @args as @output asks, or as one JSON object. */
static void
qa_print(const vdisk_qemu_args *args, qa_output output)
{
    bool json = vdisk_cli_output_json();
    size_t i;

    vdisk_cli_result_begin();
    switch (output) {
    case QA_OUTPUT_ARGV:
        vdisk_cli_result_key("argv");
        if (json)
            printf("[");
        for (i = 0; i < vdisk_qemu_args_count(args); i++) {
            if (!json) {
                printf("%s\n", vdisk_qemu_args_get(args, i));
                continue;
            }
            printf("%s", i ? ", " : "");
            vdisk_cli_json_string(stdout, vdisk_qemu_args_get(args, i));
        }
        if (json)
            printf("]");
        break;
    case QA_OUTPUT_SHELL: {
        char *line = vdisk_qemu_args_to_shell(args);

        if (json)
            vdisk_cli_result_string("shell", line);
        else
            printf("%s\n", line);
        vdisk_free(line);
        break;
    }
    case QA_OUTPUT_QMP:
        /* each command is a JSON object already */
        vdisk_cli_result_key("qmp");
        if (json)
            printf("[");
        for (i = 0; i < vdisk_qemu_args_qmp_count(args); i++) {
            if (!json) {
                printf("%s\n", vdisk_qemu_args_qmp_get(args, i));
                continue;
            }
            printf("%s", i ? ", " : "");
            vdisk_cli_json_raw(stdout, vdisk_qemu_args_qmp_get(args, i));
        }
        if (json)
            printf("]");
        break;
    }
    vdisk_cli_result_end();
}

int
vdisk_cmd_qemu_args(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"shell", no_argument, NULL, 's'},
        {"qmp", no_argument, NULL, 'q'},
        {"machine", required_argument, NULL, 'm'},
        {"secret", required_argument, NULL, 'S'},
        {"master-key", required_argument, NULL, 'K'},
        {"connect", required_argument, NULL, 'c'},
        {"probe", no_argument, NULL, 'P'},
        {"hotplug", required_argument, NULL, 'H'},
        {"unplug", required_argument, NULL, 'U'},
        {"json", no_argument, NULL, 'J'},
        {NULL, 0, NULL, 0},
    };
    qa_output output = QA_OUTPUT_ARGV;
    const char *machine = NULL;
    const char *master_key = NULL;
    const char *uri = NULL;
    int probe = 0;
    const char *hotplug = NULL;
    const char *unplug = NULL;
    virConnectPtr conn = NULL;
    virDomainPtr live = NULL;
    char **secrets = NULL;
    size_t nsecrets = 0;
    vdisk_error *err = NULL;
    vdisk_domain *dom = NULL;
    vdisk_disk *disk = NULL;
    vdisk_qemu_opts *opts = NULL;
    vdisk_qemu_args *args = NULL;
    const char *path;
    char *xml;
    int rc = QA_EXIT_FAILED;
    int c;
    size_t i;

    optind = 0;
    while ((c = getopt_long(argc, argv, ":hc:", long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            free(secrets);
            qa_usage(stdout);
            return QA_EXIT_OK;
        case 's':
            output = QA_OUTPUT_SHELL;
            break;
        case 'q':
            output = QA_OUTPUT_QMP;
            break;
        case 'm':
            machine = optarg;
            break;
        case 'S': {
            char **grown = realloc(secrets, (nsecrets + 1) * sizeof(*secrets));

            if (!grown) {
                free(secrets);
                return vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY), QA_EXIT_FAILED,
                                      0, "out of memory");
            }
            secrets = grown;
            secrets[nsecrets++] = optarg;
            break;
        }
        case 'K':
            master_key = optarg;
            break;
        case 'c':
            uri = optarg;
            break;
        case 'P':
            probe = 1;
            break;
        case 'H':
            hotplug = optarg;
            break;
        case 'U':
            unplug = optarg;
            break;
        case 'J':
            vdisk_cli_output_set_json(true);
            break;
        default:
            free(secrets);
            return vdisk_cli_getopt_error(argv, c);
        }
    }
    if ((hotplug || unplug) && (!hotplug || !uri)) {
        free(secrets);
        return vdisk_cli_usage("%s", !hotplug ? "--unplug needs --hotplug DOMAIN"
                                              : "--hotplug needs --connect URI");
    }
    if (argc - optind != (unplug ? 0 : 1)) {
        free(secrets);
        return vdisk_cli_usage("%s", optind >= argc ? "missing FILE" : "too many arguments");
    }
    path = unplug ? unplug : argv[optind];
    if (unplug) {
        xml = strdup("");
    } else if (!(xml = vdisk_cli_read_input(path, &rc))) {
        free(secrets);
        return rc;
    }

    if (!(opts = vdisk_qemu_opts_new()) ||
        (machine && vdisk_qemu_opts_set_machine(opts, machine, &err) < 0))
        goto cleanup;
    for (i = 0; i < nsecrets; i++) {
        if (qa_add_secret(opts, secrets[i], &err) < 0) {
            if (!err) {
                rc = QA_EXIT_USAGE;
                goto done;
            }
            goto cleanup;
        }
    }
    if (master_key) {
        size_t len = 0;
        char *key = qa_read_file(master_key, &len);
        int krc;

        if (!key) {
            rc = QA_EXIT_USAGE;
            goto done;
        }
        krc = vdisk_qemu_opts_set_master_key(opts, key, len, &err);
        free(key);
        if (krc < 0)
            goto cleanup;
    }
    if (probe && vdisk_qemu_opts_set_probe_chains(opts, 1, &err) < 0)
        goto cleanup;
    if (uri && (vdisk_connect_open(&conn, uri, VDISK_CONNECT_NO_EVENT_LOOP, &err) < 0 ||
                vdisk_qemu_opts_set_connection(opts, conn, &err) < 0))
        goto cleanup;
    if (hotplug) {
        /* the commands libvirt would send the running domain now */
        if (vdisk_connect_lookup_domain(&live, conn, hotplug, &err) < 0)
            goto cleanup;
        if (unplug) {
            if (vdisk_hotplug_detach_commands(&args, live, unplug, &err) < 0)
                goto cleanup;
            output = QA_OUTPUT_QMP;
        } else if (vdisk_disk_from_xml(&disk, xml, &err) < 0 ||
                   vdisk_hotplug_attach_commands(&args, live, disk, opts, &err) < 0) {
            goto cleanup;
        }
    } else if (qa_is_domain(xml)) {
        if (vdisk_domain_from_xml(&dom, xml, &err) < 0 ||
            vdisk_qemu_translate_domain(&args, dom, opts, &err) < 0)
            goto cleanup;
    } else {
        if (vdisk_disk_from_xml(&disk, xml, &err) < 0 ||
            vdisk_qemu_translate_disk(&args, disk, NULL, opts, &err) < 0)
            goto cleanup;
    }

    qa_print(args, output);
    rc = QA_EXIT_OK;

cleanup:
    if (rc != QA_EXIT_OK) {
        if (err)
            rc = vdisk_cli_report(strcmp(path, "-") == 0 ? "<stdin>" : path, err);
        else
            rc = vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY), QA_EXIT_FAILED, 0,
                                "%s: out of memory", strcmp(path, "-") == 0 ? "<stdin>" : path);
        err = NULL;
    }
done:
    free(secrets);
    vdisk_error_free(err);
    vdisk_qemu_args_free(args);
    vdisk_qemu_opts_free(opts);
    vdisk_domain_ptr_free(live);
    vdisk_connect_close(conn);
    vdisk_disk_free(disk);
    vdisk_domain_free(dom);
    free(xml);
    return vdisk_cli_finish(rc);
}
