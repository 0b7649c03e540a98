/*
 * cmd-storage.c: storage subcommands of the vdisk program
 *
 *   vdisk volume-create POOL NAME SIZE [--format FMT] [--backing PATH]
 *                       [--as-volume] [--connect URI] [--json]
 *
 * Creates a volume in a libvirt storage pool and prints the <disk> that
 * uses it (no target yet), or with --json an object with its pool, name,
 * type, path, format and XML. Exits 1 (failed) or 3 (refused) with the library's message when the
 * volume cannot be created.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vdisk/hotplug.h>
#include <vdisk/vdisk.h>

#include "cli-commands.h"
#include "cli-output.h"
#include "exit-codes.h"

enum {
    ST_EXIT_OK = VDISK_EXIT_OK,
    ST_EXIT_FAILED = VDISK_EXIT_FAILED,
    ST_EXIT_USAGE = VDISK_EXIT_USAGE,
};

static void
st_usage(FILE *fp)
{
    fprintf(fp, "Usage: vdisk volume-create [OPTIONS] POOL NAME SIZE\n\n"
                "Create volume NAME of SIZE bytes (suffixes K, M, G, T: powers of 1024) in the "
                "libvirt storage pool POOL and print the <disk> that uses it.\n\n"
                "Options:\n"
                "      --format=FMT    image format (raw, qcow2, ...; default: the pool's)\n"
                "      --backing=PATH  backing image (qcow2, qed, vmdk, ... only)\n"
                "      --as-volume     print a type='volume' disk instead of its path\n"
                "  -c, --connect=URI   libvirt connection (default qemu:///system)\n"
                "      --json          print a JSON object instead of XML\n"
                "  -h, --help          show this help and exit\n");
}

static int
st_usage_error(const char *msg, const char *arg)
{
    return vdisk_cli_usage("%s%s%s%s", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

/* "10", "512K", "1M", "20G", "1T" (optionally followed by "iB" or "B"). */
static int
st_parse_size(const char *s, unsigned long long *out)
{
    unsigned long long v;
    unsigned int shift = 0;
    char *end;

    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    switch (toupper((unsigned char)*end)) {
    case 'K':
        shift = 10;
        break;
    case 'M':
        shift = 20;
        break;
    case 'G':
        shift = 30;
        break;
    case 'T':
        shift = 40;
        break;
    case '\0':
        break;
    default:
        return -1;
    }
    if (*end) {
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0 || strcmp(end, "b") == 0)
            end += strlen(end);
        if (*end)
            return -1;
    }
    if (shift && v > (~0ULL >> shift))
        return -1;
    *out = v << shift;
    return *out ? 0 : -1;
}

static int
st_report(const char *what, vdisk_error *err)
{
    return vdisk_cli_report(what, err);
}

int
vdisk_cmd_volume_create(int argc, char **argv)
{
    enum { OPT_FORMAT = 0x100, OPT_BACKING, OPT_AS_VOLUME, OPT_JSON };
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"backing", required_argument, NULL, OPT_BACKING},
        {"as-volume", no_argument, NULL, OPT_AS_VOLUME},
        {"connect", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0},
    };
    const char *uri = "qemu:///system";
    const char *backing = NULL;
    vdisk_format format = VDISK_FORMAT_NONE;
    unsigned int flags = 0;
    unsigned long long size;
    int json = 0;
    int c;
    vdisk_error *err = NULL;
    virConnectPtr conn = NULL;
    vdisk_disk *disk = NULL;
    char *xml = NULL;
    int rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, ":hc:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            st_usage(stdout);
            return ST_EXIT_OK;
        case OPT_FORMAT: {
            int f = vdisk_enum_from_string(VDISK_ENUM_FORMAT, optarg);

            if (f <= 0)
                return vdisk_cli_bad_enum("format", optarg, VDISK_ENUM_FORMAT);
            format = (vdisk_format)f;
            break;
        }
        case OPT_BACKING:
            backing = optarg;
            break;
        case OPT_AS_VOLUME:
            flags |= VDISK_VOLUME_AS_VOLUME_SOURCE;
            break;
        case 'c':
            uri = optarg;
            break;
        case OPT_JSON:
            json = 1;
            vdisk_cli_output_set_json(true);
            break;
        default:
            return vdisk_cli_getopt_error(argv, c);
        }
    }
    if (argc - optind != 3)
        return st_usage_error(
            argc - optind < 3 ? "missing POOL, NAME or SIZE" : "too many arguments", NULL);
    if (st_parse_size(argv[optind + 2], &size) < 0)
        return st_usage_error("invalid size", argv[optind + 2]);

    if (vdisk_connect_open(&conn, uri, 0, &err) < 0)
        return st_report(uri, err);
    if (vdisk_volume_create(&disk, conn, argv[optind], argv[optind + 1], size, format, backing,
                            flags, &err) < 0) {
        vdisk_connect_close(conn);
        return st_report(argv[optind + 1], err);
    }
    if (vdisk_disk_to_xml(&xml, disk, &err) < 0) {
        rc = st_report(argv[optind + 1], err);
        goto out;
    }
    if (json) {
        const char *type = vdisk_enum_to_string(VDISK_ENUM_TYPE, vdisk_disk_get_type(disk));
        const char *fmt = vdisk_enum_to_string(VDISK_ENUM_FORMAT, vdisk_disk_get_format(disk));

        vdisk_cli_result_begin();
        vdisk_cli_result_string("pool", argv[optind]);
        vdisk_cli_result_string("name", argv[optind + 1]);
        vdisk_cli_result_number("capacity", size);
        vdisk_cli_result_string("type", type);
        vdisk_cli_result_string("path", vdisk_disk_get_path(disk));
        vdisk_cli_result_string("format", fmt);
        vdisk_cli_result_string("xml", xml);
        vdisk_cli_result_end();
    } else {
        fputs(xml, stdout);
    }
    rc = ST_EXIT_OK;

out:
    vdisk_free(xml);
    vdisk_disk_free(disk);
    vdisk_connect_close(conn);
    return vdisk_cli_finish(rc);
}
