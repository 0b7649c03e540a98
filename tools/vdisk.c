/*
 * vdisk.c: the vdisk command-line program, built on the public API only
 *
 * vdisk [--help | --version]
 * vdisk SUBCOMMAND [OPTIONS] ARGS...
 *
 * Exit status (every subcommand, see exit-codes.h): 0 done, 1 failed
 * (libvirt, QEMU or the system), 2 usage error or unreadable file,
 * 3 refused (the library's message goes to stderr), 4 pending, 130 cancelled.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vdisk/vdisk.h>

#include "exit-codes.h"
#include "cli-input.h"
#include "cli-output.h"
#include "cli-commands.h"

enum {
    EXIT_OK = VDISK_EXIT_OK,
    EXIT_FAILED = VDISK_EXIT_FAILED,
    EXIT_USAGE = VDISK_EXIT_USAGE,
    EXIT_REFUSED = VDISK_EXIT_REFUSED,
};

static const char *progname = "vdisk";

/* A subcommand: its name, a short line for `vdisk --help`, the summary,
 * argument synopsis and option help for `vdisk NAME --help`, and the
 * function that runs it with argv[0] == NAME. */
typedef struct {
    const char *name;
    const char *brief;
    const char *summary;
    const char *synopsis;
    const char *options;
    int (*run)(int argc, char **argv);
} vdisk_command;

static const vdisk_command *find_command(const char *name);

static void
print_command_help(FILE *fp, const vdisk_command *cmd)
{
    fprintf(fp, "Usage: %s %s %s\n\n%s.\n", progname, cmd->name, cmd->synopsis, cmd->summary);
    if (cmd->options)
        fprintf(fp, "\nOptions:\n%s", cmd->options);
    fprintf(fp, "  -h, --help          show this help and exit\n");
}

/* ---- input ------------------------------------------------------------------------ */

typedef enum {
    ROOT_UNKNOWN,
    ROOT_DISK,
    ROOT_DOMAIN,
} root_kind;

/* The document element's name, found by skipping the XML declaration,
 * processing instructions, comments and a DOCTYPE. Anything it cannot
 * tell is left to the library's parser to judge. */
static root_kind
detect_root(const char *xml)
{
    const char *p = xml;

    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (;;) {
        const char *end;
        size_t n;

        p += strspn(p, " \t\r\n");
        if (strncmp(p, "<?", 2) == 0) {
            end = strstr(p, "?>");
        } else if (strncmp(p, "<!--", 4) == 0) {
            end = strstr(p, "-->");
        } else if (strncmp(p, "<!", 2) == 0) {
            /* DOCTYPE: the library refuses it with a proper message. */
            return ROOT_UNKNOWN;
        } else if (*p == '<') {
            p++;
            n = strcspn(p, " \t\r\n/>");
            if (n == 4 && strncmp(p, "disk", 4) == 0)
                return ROOT_DISK;
            if (n == 6 && strncmp(p, "domain", 6) == 0)
                return ROOT_DOMAIN;
            return ROOT_UNKNOWN;
        } else {
            return ROOT_UNKNOWN;
        }
        if (!end)
            return ROOT_UNKNOWN;
        p = end + 2;
    }
}

/* ---- parsed documents --------------------------------------------------------------- */

/* A <disk> or a <domain>, seen as a list of disks. */
typedef struct {
    vdisk_disk *disk;
    vdisk_domain *dom;
} vdisk_input;

static void
input_clear(vdisk_input *in)
{
    vdisk_disk_free(in->disk);
    vdisk_domain_free(in->dom);
    in->disk = NULL;
    in->dom = NULL;
}

static size_t
input_disk_count(const vdisk_input *in)
{
    return in->dom ? vdisk_domain_get_disk_count(in->dom) : 1;
}

static const vdisk_disk *
input_disk(const vdisk_input *in, size_t i)
{
    return in->dom ? vdisk_domain_get_disk_const(in->dom, i) : in->disk;
}

/* Reads and parses @path. Returns EXIT_OK with @in filled, or the exit
 * status after printing why not. */
static int
load_input(vdisk_input *in, const char *path, unsigned int flags)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    vdisk_error *err = NULL;
    char *xml;
    int rc;

    if (!(xml = vdisk_cli_read_input(path, &rc)))
        return rc;

    switch (detect_root(xml)) {
    case ROOT_DOMAIN:
        rc = vdisk_domain_from_xml_flags(&in->dom, xml, flags, &err);
        break;
    case ROOT_DISK:
    case ROOT_UNKNOWN:
        /* Anything else goes to the disk parser, which names what is wrong. */
        rc = vdisk_disk_from_xml_flags(&in->disk, xml, flags, &err);
        break;
    }
    free(xml);
    if (rc < 0) {
        /* The message already carries the line and column of XML faults. */
        rc = vdisk_cli_report(name, err);
        input_clear(in);
        return rc;
    }
    return EXIT_OK;
}

/* ---- option parsing shared by the document subcommands ------------------------------ */

#define PARSE_OPTIONS_HELP                                                                         \
    "      --no-defaults   do not apply libvirt's post-parse defaults\n"                           \
    "      --no-validate   skip libvirt's define-time checks\n"                                    \
    "      --json          print the result (or the error) as one JSON object\n"

enum {
    OPT_NO_DEFAULTS = 0x100,
    OPT_NO_VALIDATE,
    OPT_JSON,
};

static const struct option parse_long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"no-defaults", no_argument, NULL, OPT_NO_DEFAULTS},
    {"no-validate", no_argument, NULL, OPT_NO_VALIDATE},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

/* Parses the options of a subcommand taking one FILE. Returns -1 when
 * the caller should go on with *@file set, else the exit status. */
static int
parse_file_command(int argc, char **argv, unsigned int *flags, const char **file)
{
    const vdisk_command *cmd = find_command(argv[0]);
    int c;

    *flags = VDISK_PARSE_DEFAULT;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":h", parse_long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            print_command_help(stdout, cmd);
            return EXIT_OK;
        case OPT_NO_DEFAULTS:
            *flags |= VDISK_PARSE_NO_DEFAULTS;
            break;
        case OPT_NO_VALIDATE:
            *flags |= VDISK_PARSE_NO_VALIDATE;
            break;
        case OPT_JSON:
            vdisk_cli_output_set_json(true);
            break;
        default:
            return vdisk_cli_getopt_error(argv, c);
        }
    }
    if (optind >= argc)
        return vdisk_cli_usage("missing FILE");
    if (argc - optind > 1)
        return vdisk_cli_usage("unexpected argument '%s'", argv[optind + 1]);
    *file = argv[optind];
    return -1;
}

/* ---- subcommands -------------------------------------------------------------------- */

static int
cmd_xml(int argc, char **argv)
{
    vdisk_input in = {0};
    unsigned int flags;
    const char *file;
    char **xmls = NULL;
    size_t n;
    int rc;
    size_t i;

    if ((rc = parse_file_command(argc, argv, &flags, &file)) >= 0)
        return rc;
    if ((rc = load_input(&in, file, flags)) != EXIT_OK)
        return rc;

    n = input_disk_count(&in);
    if (!(xmls = calloc(n ? n : 1, sizeof(*xmls)))) {
        input_clear(&in);
        return vdisk_cli_fail("no-memory", EXIT_FAILED, 0, "out of memory");
    }
    for (i = 0; i < n; i++) {
        vdisk_error *err = NULL;

        if (vdisk_disk_to_xml(&xmls[i], input_disk(&in, i), &err) < 0) {
            rc = vdisk_cli_report(file, err);
            break;
        }
    }
    input_clear(&in);
    if (rc == EXIT_OK && vdisk_cli_output_json()) {
        size_t len = 0;
        char *all;

        for (i = 0; i < n; i++)
            len += strlen(xmls[i]);
        if ((all = malloc(len + 1))) {
            len = 0;
            for (i = 0; i < n; i++) {
                memcpy(all + len, xmls[i], strlen(xmls[i]));
                len += strlen(xmls[i]);
            }
            all[len] = '\0';
            vdisk_cli_result_begin();
            vdisk_cli_result_string("xml", all);
            vdisk_cli_result_key("disks");
            printf("[");
            for (i = 0; i < n; i++) {
                printf("%s", i ? ", " : "");
                vdisk_cli_json_string(stdout, xmls[i]);
            }
            printf("]");
            vdisk_cli_result_end();
            free(all);
        } else {
            rc = vdisk_cli_fail("no-memory", EXIT_FAILED, 0, "out of memory");
        }
    } else if (rc == EXIT_OK) {
        for (i = 0; i < n; i++)
            fputs(xmls[i], stdout);
    }
    for (i = 0; i < n; i++)
        vdisk_free(xmls[i]);
    free(xmls);
    return vdisk_cli_finish(rc);
}

static int
cmd_check(int argc, char **argv)
{
    vdisk_input in = {0};
    unsigned int flags;
    const char *file;
    int rc;

    if ((rc = parse_file_command(argc, argv, &flags, &file)) >= 0)
        return rc;
    /* "would libvirt run these disks": its start-time checks too */
    if (!(flags & VDISK_PARSE_NO_VALIDATE))
        flags |= VDISK_PARSE_VALIDATE_START;
    if ((rc = load_input(&in, file, flags)) != EXIT_OK)
        return rc;
    vdisk_cli_result_begin();
    vdisk_cli_result_bool("valid", true);
    vdisk_cli_result_number("disks", input_disk_count(&in));
    vdisk_cli_result_end();
    input_clear(&in);
    return vdisk_cli_finish(EXIT_OK);
}

/* Further subcommands (qemu-args, list, attach, detach, change-media,
 * next-target, volume-create) are added here as the API grows. */
static const vdisk_command commands[] = {
    {
        "xml",
        "print the disks as libvirt XML",
        "Print each disk of FILE (a <domain> or a <disk>; - for stdin) as libvirt\n"
        "XML, after libvirt's post-parse defaults, in document order",
        "[OPTIONS] FILE",
        PARSE_OPTIONS_HELP,
        cmd_xml,
    },
    {
        "check",
        "check the disks as libvirt does at define and start time",
        "Check every disk of FILE (a <domain> or a <disk>; - for stdin) as libvirt\n"
        "does when defining and starting it; print why a disk is refused and exit 3",
        "[OPTIONS] FILE",
        PARSE_OPTIONS_HELP,
        cmd_check,
    },
    {
        "qemu-args",
        "print the QEMU arguments libvirt gives the disks",
        "Print the -blockdev/-device arguments libvirt 9.0 gives the disks of FILE (a <domain> "
        "or a <disk>; - for stdin), one argv element per line",
        "[--shell|--qmp] [--machine=TYPE] [--connect=URI] [--json] FILE",
        "      --shell         print one shell-quoted line\n"
        "      --qmp           print the equivalent QMP commands, one per line\n"
        "      --machine=TYPE  translate for machine TYPE instead of the domain's\n"
        "  -c, --connect=URI   read secrets and storage volumes from that libvirt\n"
        "      --json          print one JSON object\n",
        vdisk_cmd_qemu_args,
    },
    {
        "volume-create",
        "create a storage volume and print the disk using it",
        "Create volume NAME of SIZE bytes (K, M, G, T suffixes) in libvirt storage pool POOL "
        "and print the <disk> that uses it",
        "[--format=FMT] [--backing=PATH] [--as-volume] [--connect=URI] [--json] POOL NAME SIZE",
        "      --format=FMT    image format (default: the pool's)\n"
        "      --backing=PATH  backing image\n"
        "      --as-volume     print a type='volume' disk instead of its path\n"
        "      --connect=URI   libvirt URI\n"
        "      --json          print a JSON object\n",
        vdisk_cmd_volume_create,
    },
    /* hotplug: tools/cmd-hotplug.c prints their help and exit statuses */
    {"list", "list the disks of a domain", "List the disks of DOMAIN", "[--inactive] DOMAIN",
     NULL, vdisk_cmd_list},
    {"attach", "attach a disk to a domain", "Attach SOURCE to DOMAIN", "DOMAIN SOURCE", NULL,
     vdisk_cmd_attach},
    {"detach", "detach a disk and wait until QEMU released it", "Detach TARGET from DOMAIN",
     "DOMAIN TARGET", NULL, vdisk_cmd_detach},
    {"change-media", "eject or insert cdrom/floppy media", "Change the medium of TARGET",
     "DOMAIN TARGET (--eject | --insert SOURCE)", NULL, vdisk_cmd_change_media},
    {"next-target", "print the first free target name on a bus",
     "Print the first free target name on BUS", "DOMAIN BUS", NULL, vdisk_cmd_next_target},
    {"set-iotune", "set the I/O limits of a disk", "Set the I/O limits of TARGET",
     "DOMAIN TARGET [--total-bytes-sec N] ...", NULL, vdisk_cmd_set_iotune},
    {"recover", "finish or undo interrupted disk changes of a domain",
     "Finish or undo the interrupted disk changes of DOMAIN", "DOMAIN", NULL, vdisk_cmd_recover},
    /* block jobs: tools/cmd-blockjob.c prints their help and exit statuses */
    {"resize", "resize a disk of a domain", "Resize TARGET", "DOMAIN TARGET SIZE", NULL,
     vdisk_cmd_resize},
    {"snapshot", "take an external disk-only snapshot", "Give the disks of DOMAIN overlays",
     "DOMAIN [TARGET...]", NULL, vdisk_cmd_snapshot},
    {"commit", "merge a disk's image into its backing image", "Commit the chain of TARGET",
     "DOMAIN TARGET", NULL, vdisk_cmd_commit},
    {"pull", "pull a disk's backing data into its top image", "Pull the chain of TARGET",
     "DOMAIN TARGET", NULL, vdisk_cmd_pull},
    {"copy", "copy a disk to new storage while the guest runs", "Copy TARGET to DEST",
     "DOMAIN TARGET DEST", NULL, vdisk_cmd_copy},
    {"job", "show, abort or pivot the block job of a disk", "The block job of TARGET",
     "DOMAIN TARGET [--abort | --pivot]", NULL, vdisk_cmd_job},
};

static const vdisk_command *
find_command(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static void
print_help(FILE *fp)
{
    size_t i;

    fprintf(fp,
            "Usage: %s [--help | --version]\n"
            "       %s SUBCOMMAND [OPTIONS] ARGS...\n\n"
            "Virtual disks for libvirt/QEMU hosts.\n\nSubcommands:\n",
            progname, progname);
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(fp, "  %-18s %s\n", commands[i].name, commands[i].brief);
    fprintf(fp,
            "\nOptions:\n"
            "  -h, --help          show this help and exit\n"
            "  -V, --version       show the version and exit\n\n"
            "Run '%s SUBCOMMAND --help' for what a subcommand does.\n"
            "Exit status: 0 done, 1 failed (libvirt, QEMU or the system), 2 usage error\n"
            "or unreadable file, 3 refused (the input cannot be used as given),\n"
            "4 pending (a detach the guest has not completed yet, a job still running),\n"
            "130 cancelled (interrupted; the job was aborted and the disk left as it was).\n",
            progname);
}

int
main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const vdisk_command *cmd;
    int c;

    /* every run starts afresh (the fuzz target calls this repeatedly) */
    vdisk_cli_output_reset();
    vdisk_cli_output_set_json(vdisk_cli_argv_wants_json(argc, argv));
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            print_help(stdout);
            return EXIT_OK;
        case 'V':
            printf("%s %d.%d.%d (libvdisk %s)\n", progname, VDISK_VERSION_MAJOR,
                   VDISK_VERSION_MINOR, VDISK_VERSION_MICRO, vdisk_version());
            return EXIT_OK;
        default:
            if (strcmp(argv[optind - 1], "--json") == 0)
                continue; /* the mode was taken from argv above */
            return vdisk_cli_getopt_error(argv, c);
        }
    }
    if (optind >= argc)
        return vdisk_cli_usage("missing subcommand");
    if (!(cmd = find_command(argv[optind])))
        return vdisk_cli_usage("unknown subcommand '%s'", argv[optind]);
    vdisk_cli_output_set_command(cmd->name);
    return cmd->run(argc - optind, argv + optind);
}
