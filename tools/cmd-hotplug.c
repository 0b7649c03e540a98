/*
 * cmd-hotplug.c: the subcommands that change the disks of libvirt domains
 *
 *   vdisk list DOMAIN [--inactive] [--json]
 *   vdisk attach DOMAIN SOURCE [--target NAME|auto] [--bus BUS] [--device DEV] ...
 *   vdisk attach DOMAIN --xml FILE [--live] [--config]
 *   vdisk detach DOMAIN TARGET [--wait SECONDS] [--live] [--config]
 *   vdisk change-media DOMAIN TARGET (--eject | --insert SOURCE) [--force]
 *   vdisk next-target DOMAIN BUS
 *   vdisk recover DOMAIN
 *   vdisk set-iotune DOMAIN TARGET [--total-bytes-sec N] ... [--group NAME] [--live] [--config]
 *
 * Every subcommand takes --connect URI (default qemu:///system) and --json.
 * Exit status: 0 done, 1 failed (libvirt or the system), 2 usage, 3 refused
 * (the request cannot be carried out as given), 4 pending (a detach was
 * requested but the guest has not released the disk yet).
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

#include "cli-commands.h"
#include "exit-codes.h"
#include "cli-domain.h"
#include "cli-input.h"
#include "cli-output.h"
#include <vdisk/hotplug.h>

enum {
    HP_EXIT_OK = VDISK_EXIT_OK,
    HP_EXIT_FAILED = VDISK_EXIT_FAILED,
    HP_EXIT_USAGE = VDISK_EXIT_USAGE,
    HP_EXIT_REFUSED = VDISK_EXIT_REFUSED,
    HP_EXIT_PENDING = VDISK_EXIT_PENDING,
};

#define HP_DEFAULT_URI VDISK_CLI_DEFAULT_URI
#define HP_DEFAULT_WAIT_S 10

#define HP_COMMON_HELP                                                                             \
    "  -c, --connect=URI   libvirt connection (default " HP_DEFAULT_URI ")\n"                      \
    "      --json          print the result (or the error) as JSON on stdout\n"                    \
    "  -h, --help          show this help and exit\n\n"                                            \
    "Exit status: 0 done, 1 failed (libvirt or the system), 2 usage error,\n"                      \
    "3 refused (the request cannot be carried out as given), 4 pending (the\n"                     \
    "removal was requested; the guest has not released the disk yet).\n"

enum {
    OPT_JSON = 0x200,
    OPT_INACTIVE,
    OPT_TARGET,
    OPT_BUS,
    OPT_DEVICE,
    OPT_FORMAT,
    OPT_CACHE,
    OPT_READONLY,
    OPT_SHAREABLE,
    OPT_SERIAL,
    OPT_LIVE,
    OPT_CONFIG,
    OPT_XML,
    OPT_WAIT,
    OPT_EJECT,
    OPT_INSERT,
    OPT_FORCE,
    OPT_GROUP,
    OPT_PERSISTENT,
    /* one per vdisk_iotune_field: OPT_IOTUNE + field (not counted in hp_opts.seen) */
    OPT_IOTUNE = 0x300,
};

static const struct option hp_long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"connect", required_argument, NULL, 'c'},
    {"json", no_argument, NULL, OPT_JSON},
    {"inactive", no_argument, NULL, OPT_INACTIVE},
    {"target", required_argument, NULL, OPT_TARGET},
    {"bus", required_argument, NULL, OPT_BUS},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"cache", required_argument, NULL, OPT_CACHE},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"shareable", no_argument, NULL, OPT_SHAREABLE},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"live", no_argument, NULL, OPT_LIVE},
    {"config", no_argument, NULL, OPT_CONFIG},
    {"xml", required_argument, NULL, OPT_XML},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"eject", no_argument, NULL, OPT_EJECT},
    {"insert", required_argument, NULL, OPT_INSERT},
    {"force", no_argument, NULL, OPT_FORCE},
    {"group", required_argument, NULL, OPT_GROUP},
    {"persistent", no_argument, NULL, OPT_PERSISTENT},
    {"total-bytes-sec", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_TOTAL_BYTES_SEC},
    {"read-bytes-sec", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_READ_BYTES_SEC},
    {"write-bytes-sec", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_WRITE_BYTES_SEC},
    {"total-iops-sec", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_TOTAL_IOPS_SEC},
    {"read-iops-sec", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_READ_IOPS_SEC},
    {"write-iops-sec", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_WRITE_IOPS_SEC},
    {"total-bytes-sec-max", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_TOTAL_BYTES_SEC_MAX},
    {"read-bytes-sec-max", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_READ_BYTES_SEC_MAX},
    {"write-bytes-sec-max", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_WRITE_BYTES_SEC_MAX},
    {"total-iops-sec-max", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_TOTAL_IOPS_SEC_MAX},
    {"read-iops-sec-max", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_READ_IOPS_SEC_MAX},
    {"write-iops-sec-max", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_WRITE_IOPS_SEC_MAX},
    {"size-iops-sec", required_argument, NULL, OPT_IOTUNE + VDISK_IOTUNE_SIZE_IOPS_SEC},
    {"total-bytes-sec-max-length", required_argument, NULL,
     OPT_IOTUNE + VDISK_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH},
    {"read-bytes-sec-max-length", required_argument, NULL,
     OPT_IOTUNE + VDISK_IOTUNE_READ_BYTES_SEC_MAX_LENGTH},
    {"write-bytes-sec-max-length", required_argument, NULL,
     OPT_IOTUNE + VDISK_IOTUNE_WRITE_BYTES_SEC_MAX_LENGTH},
    {"total-iops-sec-max-length", required_argument, NULL,
     OPT_IOTUNE + VDISK_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH},
    {"read-iops-sec-max-length", required_argument, NULL,
     OPT_IOTUNE + VDISK_IOTUNE_READ_IOPS_SEC_MAX_LENGTH},
    {"write-iops-sec-max-length", required_argument, NULL,
     OPT_IOTUNE + VDISK_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH},
    {NULL, 0, NULL, 0},
};

/* Everything any of these subcommands may be given; each one refuses the
 * options that are not its own. */
typedef struct {
    const char *cmd;
    const char *uri;
    bool json;
    bool inactive;
    const char *target;
    const char *bus;
    const char *device;
    const char *format;
    const char *cache;
    bool readonly;
    bool shareable;
    const char *serial;
    unsigned int flags; /* VDISK_HOTPLUG_LIVE / CONFIG / PERSISTENT / FORCE / PROBE_FORMAT */
    const char *xml;
    const char *wait;
    bool eject;
    const char *insert;
    const char *group;
    /* by vdisk_iotune_field, as given */
    const char *iotune[VDISK_IOTUNE_LAST];
    unsigned int seen; /* bit per OPT_* - OPT_JSON */
    int nargs;
    char **args;
} hp_opts;

/* ---- output --------------------------------------------------------------------- */

/* Reports @err (cli-output.h), frees it and returns the exit status it calls for. */
static int
report(const hp_opts *o, vdisk_error *err)
{
    (void)o;
    return vdisk_cli_report(NULL, err);
}

#define usage(o, ...) ((void)(o), vdisk_cli_usage(__VA_ARGS__))

/* ---- options and connections ------------------------------------------------------ */

/* Parses argv into @o. @allowed lists the OPT_* values the subcommand takes
 * (0-terminated). Returns -1 to go on, else the exit status. */
static int
parse(hp_opts *o, int argc, char **argv, const int *allowed, const char *help,
      const char *const *names, int min_args, int max_args)
{
    int longindex = 0;
    int c;

    memset(o, 0, sizeof(*o));
    o->cmd = argv[0];
    o->uri = HP_DEFAULT_URI;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":hc:", hp_long_options, &longindex)) != -1) {
        const int *a;
        bool ok = c == 'h' || c == 'c' || c == OPT_JSON;

        for (a = allowed; !ok && *a; a++)
            ok = *a == c ||
                 (*a == OPT_IOTUNE && c >= OPT_IOTUNE && c < OPT_IOTUNE + VDISK_IOTUNE_LAST);
        if (c == '?' || c == ':')
            return vdisk_cli_getopt_error(argv, c);
        if (!ok)
            /* by its name: argv[optind - 1] is its value when it has one */
            return usage(o, "option '--%s' does not apply here", hp_long_options[longindex].name);
        switch (c) {
        case 'h':
            fputs(help, stdout);
            fputs(HP_COMMON_HELP, stdout);
            return HP_EXIT_OK;
        case 'c':
            o->uri = optarg;
            break;
        case OPT_JSON:
            o->json = true;
            vdisk_cli_output_set_json(true);
            break;
        case OPT_INACTIVE:
            o->inactive = true;
            break;
        case OPT_TARGET:
            o->target = optarg;
            break;
        case OPT_BUS:
            o->bus = optarg;
            break;
        case OPT_DEVICE:
            o->device = optarg;
            break;
        case OPT_FORMAT:
            o->format = optarg;
            break;
        case OPT_CACHE:
            o->cache = optarg;
            break;
        case OPT_READONLY:
            o->readonly = true;
            break;
        case OPT_SHAREABLE:
            o->shareable = true;
            break;
        case OPT_SERIAL:
            o->serial = optarg;
            break;
        case OPT_LIVE:
            o->flags |= VDISK_HOTPLUG_LIVE;
            break;
        case OPT_CONFIG:
            o->flags |= VDISK_HOTPLUG_CONFIG;
            break;
        case OPT_XML:
            o->xml = optarg;
            break;
        case OPT_WAIT:
            o->wait = optarg;
            break;
        case OPT_EJECT:
            o->eject = true;
            break;
        case OPT_INSERT:
            o->insert = optarg;
            break;
        case OPT_FORCE:
            o->flags |= VDISK_HOTPLUG_FORCE;
            break;
        case OPT_GROUP:
            o->group = optarg;
            break;
        case OPT_PERSISTENT:
            o->flags |= VDISK_HOTPLUG_PERSISTENT;
            break;
        default:
            /* OPT_IOTUNE + field: the only values left once allowed */
            o->iotune[c - OPT_IOTUNE] = optarg;
            break;
        }
        if (c >= OPT_JSON && c < OPT_IOTUNE)
            o->seen |= 1u << (c - OPT_JSON);
    }
    o->nargs = argc - optind;
    o->args = argv + optind;
    if (o->nargs < min_args)
        return usage(o, "missing %s", names[o->nargs]);
    if (o->nargs > max_args)
        return usage(o, "unexpected argument '%s'", o->args[max_args]);
    return -1;
}

static const char *const names_domain[] = {"DOMAIN", NULL};
static const char *const names_source[] = {"DOMAIN", "SOURCE", NULL};
static const char *const names_target[] = {"DOMAIN", "TARGET", NULL};
static const char *const names_bus[] = {"DOMAIN", "BUS", NULL};

/* Opens the connection and looks up the domain (by name, UUID or id).
 * Returns -1 to go on, else the exit status. */
static int
open_domain(const hp_opts *o, virConnectPtr *conn, virDomainPtr *dom)
{
    return vdisk_cli_open_domain(o->uri, o->args[0], conn, dom);
}

static void
close_domain(virConnectPtr conn, virDomainPtr dom)
{
    vdisk_cli_close_domain(conn, dom);
}

static int
enum_arg(const hp_opts *o, vdisk_enum which, const char *what, const char *value, int *out)
{
    int v = vdisk_enum_from_string(which, value);

    (void)o;
    if (v <= 0)
        return vdisk_cli_bad_enum(what, value, which);
    *out = v;
    return -1;
}

/* The enum options' values, checked before any connection is made.
 * Returns -1 when they are all known, else the exit status. */
static int
check_enum_options(const hp_opts *o)
{
    int v;
    int rc = -1;

    if ((o->device && (rc = enum_arg(o, VDISK_ENUM_DEVICE, "device", o->device, &v)) >= 0) ||
        (o->bus && (rc = enum_arg(o, VDISK_ENUM_BUS, "bus", o->bus, &v)) >= 0) ||
        (o->cache && (rc = enum_arg(o, VDISK_ENUM_CACHE, "cache mode", o->cache, &v)) >= 0) ||
        (o->format && strcmp(o->format, "auto") != 0 &&
         (rc = enum_arg(o, VDISK_ENUM_FORMAT, "format", o->format, &v)) >= 0))
        return rc;
    return -1;
}

/* ---- list --------------------------------------------------------------------------- */

static const char *
str_or(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

/* The widths of the TARGET, BUS, DEVICE, FORMAT and ALIAS columns: their
 * longest value or heading. */
static void
list_widths(const vdisk_domain *ctx, int w[5])
{
    static const char *const heads[] = {"TARGET", "BUS", "DEVICE", "FORMAT", "ALIAS"};
    size_t i;
    int k;

    for (k = 0; k < 5; k++)
        w[k] = (int)strlen(heads[k]);
    for (i = 0; i < vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk_const(ctx, i);
        const char *v[5] = {
            str_or(vdisk_disk_get_target(d), "-"),
            str_or(vdisk_enum_to_string(VDISK_ENUM_BUS, vdisk_disk_get_bus(d)), "-"),
            str_or(vdisk_enum_to_string(VDISK_ENUM_DEVICE, vdisk_disk_get_device(d)), "disk"),
            str_or(vdisk_enum_to_string(VDISK_ENUM_FORMAT, vdisk_disk_get_format(d)), "-"),
            str_or(vdisk_disk_get_alias(d), "-"),
        };

        for (k = 0; k < 5; k++) {
            if ((int)strlen(v[k]) > w[k])
                w[k] = (int)strlen(v[k]);
        }
    }
}

int
vdisk_cmd_list(int argc, char **argv)
{
    static const int allowed[] = {OPT_INACTIVE, 0};
    static const char help[] =
        "Usage: vdisk list [OPTIONS] DOMAIN\n\n"
        "List the disks of DOMAIN: live ones, or with --inactive those of the\n"
        "persistent configuration.\n\nOptions:\n"
        "      --inactive      the persistent configuration\n";
    virConnectPtr conn;
    virDomainPtr dom;
    vdisk_domain *ctx = NULL;
    vdisk_error *err = NULL;
    hp_opts o;
    int w[5];
    size_t i;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_domain, 1, 1)) >= 0)
        return rc;
    if ((rc = open_domain(&o, &conn, &dom)) >= 0)
        return rc;
    if (vdisk_hotplug_list(&ctx, dom, o.inactive ? VDISK_HOTPLUG_INACTIVE : 0, &err) < 0) {
        rc = report(&o, err);
        close_domain(conn, dom);
        return rc;
    }
    if (o.json) {
        vdisk_cli_result_begin();
        vdisk_cli_result_string("domain", vdisk_domain_ptr_get_name(dom));
        vdisk_cli_result_bool("inactive", o.inactive);
        vdisk_cli_result_key("disks");
        printf("[");
    } else {
        list_widths(ctx, w);
        printf("%-*s %-*s %-*s %-*s %-*s %s\n", w[0], "TARGET", w[1], "BUS", w[2], "DEVICE", w[3],
               "FORMAT", w[4], "ALIAS", "SOURCE");
    }
    for (i = 0; i < vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk_const(ctx, i);
        const char *bus = vdisk_enum_to_string(VDISK_ENUM_BUS, vdisk_disk_get_bus(d));
        const char *device = vdisk_enum_to_string(VDISK_ENUM_DEVICE, vdisk_disk_get_device(d));
        const char *format = vdisk_enum_to_string(VDISK_ENUM_FORMAT, vdisk_disk_get_format(d));
        const char *type = vdisk_enum_to_string(VDISK_ENUM_TYPE, vdisk_disk_get_type(d));
        const char *path = vdisk_disk_get_path(d);

        if (o.json) {
            printf("%s{\"target\": ", i ? ", " : "");
            vdisk_cli_json_string(stdout, vdisk_disk_get_target(d));
            printf(", \"bus\": ");
            vdisk_cli_json_string(stdout, bus);
            printf(", \"device\": ");
            vdisk_cli_json_string(stdout, str_or(device, "disk"));
            printf(", \"type\": ");
            vdisk_cli_json_string(stdout, str_or(type, "file"));
            printf(", \"format\": ");
            vdisk_cli_json_string(stdout, format);
            printf(", \"source\": ");
            vdisk_cli_json_string(stdout, path);
            printf(", \"alias\": ");
            vdisk_cli_json_string(stdout, vdisk_disk_get_alias(d));
            printf(", \"readonly\": %s, \"shareable\": %s}",
                   vdisk_disk_get_readonly(d) ? "true" : "false",
                   vdisk_disk_get_shareable(d) ? "true" : "false");
        } else {
            printf("%-*s %-*s %-*s %-*s %-*s %s\n", w[0], str_or(vdisk_disk_get_target(d), "-"),
                   w[1], str_or(bus, "-"), w[2], str_or(device, "disk"), w[3], str_or(format, "-"),
                   w[4], str_or(vdisk_disk_get_alias(d), "-"), str_or(path, "-"));
        }
    }
    if (o.json) {
        printf("]");
        vdisk_cli_result_end();
    }
    vdisk_domain_free(ctx);
    close_domain(conn, dom);
    return vdisk_cli_finish(HP_EXIT_OK);
}

/* ---- attach ------------------------------------------------------------------------- */

/* The disk the options describe, or an exit status through *@rc. */
static vdisk_disk *
disk_from_options(const hp_opts *o, int *rc)
{
    vdisk_disk *disk = vdisk_disk_new();
    vdisk_error *err = NULL;
    const char *source = o->args[1];
    int device = VDISK_DEVICE_DISK;
    int bus = 0;
    int cache = 0;
    int format = 0;
    char *target = NULL;

    *rc = -1;
    if (!disk) {
        *rc = vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY), HP_EXIT_FAILED, 0,
                             "out of memory");
        return NULL;
    }
    if ((o->device && (*rc = enum_arg(o, VDISK_ENUM_DEVICE, "device", o->device, &device)) >= 0) ||
        (o->bus && (*rc = enum_arg(o, VDISK_ENUM_BUS, "bus", o->bus, &bus)) >= 0) ||
        (o->cache && (*rc = enum_arg(o, VDISK_ENUM_CACHE, "cache mode", o->cache, &cache)) >= 0))
        goto error;
    /* auto: the library reads the header and takes what it shows (and says
     * so); no format: it reads the header and takes only raw */
    if (o->format && strcmp(o->format, "auto") != 0 &&
        (*rc = enum_arg(o, VDISK_ENUM_FORMAT, "format", o->format, &format)) >= 0)
        goto error;

    if (!bus) {
        if (o->target && strcmp(o->target, "auto") != 0)
            bus = vdisk_bus_from_target(o->target);
        else if (device == VDISK_DEVICE_CDROM)
            bus = VDISK_BUS_SCSI;
        else if (device == VDISK_DEVICE_FLOPPY)
            bus = VDISK_BUS_FDC;
        else if (device == VDISK_DEVICE_LUN)
            bus = VDISK_BUS_SCSI;
        else
            bus = VDISK_BUS_VIRTIO;
        if (!bus) {
            *rc = usage(o, "cannot tell the bus from target '%s': give --bus", o->target);
            goto error;
        }
    }
    /* auto: left unset, the library picks it (and retries on races) */
    if (o->target && strcmp(o->target, "auto") != 0 && !(target = strdup(o->target))) {
        *rc = vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY), HP_EXIT_FAILED, 0,
                             "out of memory");
        goto error;
    }

    if (vdisk_disk_set_device(disk, (vdisk_device)device, &err) < 0 ||
        vdisk_source_set_type(vdisk_disk_get_source(disk),
                              strncmp(source, "/dev/", 5) == 0 ? VDISK_TYPE_BLOCK : VDISK_TYPE_FILE,
                              &err) < 0 ||
        vdisk_source_set_path(vdisk_disk_get_source(disk), source, &err) < 0 ||
        vdisk_disk_set_driver_name(disk, "qemu", &err) < 0 ||
        (format &&
         vdisk_source_set_format(vdisk_disk_get_source(disk), (vdisk_format)format, &err) < 0) ||
        (cache && vdisk_disk_set_cache(disk, (vdisk_cache)cache, &err) < 0) ||
        (target && vdisk_disk_set_target(disk, target, &err) < 0) ||
        vdisk_disk_set_bus(disk, (vdisk_bus)bus, &err) < 0 ||
        (o->readonly && vdisk_disk_set_readonly(disk, 1, &err) < 0) ||
        (o->shareable && vdisk_disk_set_shareable(disk, 1, &err) < 0) ||
        (o->serial && vdisk_disk_set_serial(disk, o->serial, &err) < 0)) {
        *rc = report(o, err);
        goto error;
    }
    free(target);
    return disk;

error:
    free(target);
    vdisk_disk_free(disk);
    return NULL;
}

/* What an attach did: the target on stdout (or the JSON result), and on
 * stderr what the caller may not expect (nothing changed, a live-only
 * change, a format read from the image). */
static void
print_attached(const hp_opts *o, const vdisk_disk *disk, unsigned int result)
{
    const char *target = vdisk_disk_get_target(disk);
    const char *format = vdisk_enum_to_string(
        VDISK_ENUM_FORMAT, vdisk_source_get_format(vdisk_disk_get_source_const(disk)));
    bool changed = result & (VDISK_ATTACH_LIVE_CHANGED | VDISK_ATTACH_CONFIG_CHANGED);
    const char *path = vdisk_disk_get_path(disk);

    if (!changed)
        fprintf(stderr, "vdisk: %s: %s is already attached as %s; nothing changed\n", o->cmd,
                path ? path : "the disk", target);
    else if (result & VDISK_ATTACH_EXISTING)
        fprintf(stderr, "vdisk: %s: %s was already attached as %s; added to the %s definition\n",
                o->cmd, path ? path : "the disk", target,
                (result & VDISK_ATTACH_LIVE_CHANGED) ? "live" : "persistent");
    if (result & VDISK_ATTACH_LIVE_ONLY)
        fprintf(stderr, "vdisk: %s: the domain is transient: changed live only\n", o->cmd);
    if ((result & VDISK_ATTACH_FORMAT_GUESSED) && changed)
        fprintf(stderr,
                "vdisk: %s: no format recognised in the header of %s: attached as raw (a "
                "guess)\n",
                o->cmd, path ? path : "the image");
    else if ((result & VDISK_ATTACH_FORMAT_PROBED) && changed)
        fprintf(stderr, "vdisk: %s: format %s read from the header of %s\n", o->cmd,
                format ? format : "?", path ? path : "the image");
    if (!o->json) {
        printf("%s\n", target);
        return;
    }
    vdisk_cli_result_begin();
    vdisk_cli_result_string("target", target);
    vdisk_cli_result_bool("changed", changed);
    vdisk_cli_result_bool("live", result & VDISK_ATTACH_LIVE_CHANGED);
    vdisk_cli_result_bool("config", result & VDISK_ATTACH_CONFIG_CHANGED);
    vdisk_cli_result_bool("live_only", result & VDISK_ATTACH_LIVE_ONLY);
    vdisk_cli_result_string("format", format);
    vdisk_cli_result_bool("format_probed", result & VDISK_ATTACH_FORMAT_PROBED);
    vdisk_cli_result_bool("format_guessed", result & VDISK_ATTACH_FORMAT_GUESSED);
    vdisk_cli_result_end();
}

int
vdisk_cmd_attach(int argc, char **argv)
{
    static const int allowed[] = {OPT_TARGET,   OPT_BUS,        OPT_DEVICE, OPT_FORMAT, OPT_CACHE,
                                  OPT_READONLY, OPT_SHAREABLE,  OPT_SERIAL, OPT_LIVE,   OPT_CONFIG,
                                  OPT_XML,      OPT_PERSISTENT, 0};
    static const char help[] =
        "Usage: vdisk attach [OPTIONS] DOMAIN SOURCE\n"
        "       vdisk attach [--live] [--config] DOMAIN --xml FILE\n\n"
        "Attach SOURCE (an image file or a block device) to DOMAIN, or the <disk> of\n"
        "FILE. Nothing is done when the domain already has SOURCE: with an automatic\n"
        "target its target is printed (and 'already attached' said on stderr); a\n"
        "different --target is refused, naming the target SOURCE has.\n\nOptions:\n"
        "      --target=NAME   target name, or 'auto' (default): the first free one\n"
        "                      (another is taken when a concurrent attach gets it first)\n"
        "      --bus=BUS       virtio (default), scsi, usb, sata, ide, fdc\n"
        "      --device=DEV    disk (default), cdrom, lun, floppy\n"
        "      --format=FMT    raw, qcow2, ... or 'auto': take the format the image's\n"
        "                      header shows (never for images a guest could write).\n"
        "                      Without it the header is read and only raw is taken;\n"
        "                      any other format is refused (exit 3), naming it\n"
        "      --cache=MODE    none, writethrough, writeback, directsync, unsafe\n"
        "      --readonly      attach read-only\n"
        "      --shareable     the image may be shared with other domains\n"
        "      --serial=S      the disk's serial number\n"
        "      --live          the running domain\n"
        "      --config        the persistent configuration (both: all or nothing;\n"
        "                      neither: the running domain if it runs, else its\n"
        "                      configuration)\n"
        "      --persistent    the running domain and, when it has one, the persistent\n"
        "                      definition (a transient domain: live only, said on stderr)\n"
        "      --xml=FILE      the disk as libvirt <disk> XML (- for stdin)\n";
    virConnectPtr conn;
    virDomainPtr dom;
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;
    unsigned int result = 0;
    hp_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_source, 1, 2)) >= 0)
        return rc;
    if (o.xml && o.nargs != 1)
        return usage(&o, "%s", "--xml FILE takes the place of SOURCE");
    if (o.xml &&
        (o.seen & ~((1u << (OPT_XML - OPT_JSON)) | (1u << (OPT_LIVE - OPT_JSON)) |
                    (1u << (OPT_CONFIG - OPT_JSON)) | (1u << (OPT_PERSISTENT - OPT_JSON)) | 1u)))
        return usage(&o, "%s", "--xml FILE goes only with --live, --config and --persistent");
    if ((o.flags & VDISK_HOTPLUG_PERSISTENT) &&
        (o.flags & (VDISK_HOTPLUG_LIVE | VDISK_HOTPLUG_CONFIG)))
        return usage(&o, "%s", "--persistent goes with neither --live nor --config");
    if (o.format && strcmp(o.format, "auto") == 0)
        o.flags |= VDISK_HOTPLUG_PROBE_FORMAT;
    if (!o.xml && o.nargs != 2)
        return usage(&o, "%s", "missing SOURCE");

    if (o.xml) {
        char *xml = vdisk_cli_read_input(o.xml, &rc);

        if (!xml)
            return rc;
        rc = vdisk_disk_from_xml(&disk, xml, &err);
        free(xml);
        if (rc < 0)
            return report(&o, err);
    }
    if (!o.xml && (rc = check_enum_options(&o)) >= 0)
        return rc;
    if ((rc = open_domain(&o, &conn, &dom)) >= 0) {
        vdisk_disk_free(disk);
        return rc;
    }
    if (!disk && !(disk = disk_from_options(&o, &rc))) {
        close_domain(conn, dom);
        return rc;
    }
    if (vdisk_hotplug_attach_auto(dom, disk, o.flags, &result, &err) < 0) {
        rc = report(&o, err);
    } else {
        rc = HP_EXIT_OK;
        print_attached(&o, disk, result);
    }
    vdisk_disk_free(disk);
    close_domain(conn, dom);
    return rc;
}

/* ---- detach, change-media, next-target ------------------------------------------------ */

/* Which definitions a detach or media change applied to: JSON, and with
 * --persistent on a transient domain a line on stderr. */
static void
print_sides(const hp_opts *o, unsigned int sides)
{
    if ((o->flags & VDISK_HOTPLUG_PERSISTENT) && !(sides & VDISK_HOTPLUG_CONFIG) &&
        (sides & VDISK_HOTPLUG_LIVE))
        fprintf(stderr, "vdisk: %s: the domain is transient: changed live only\n", o->cmd);
    vdisk_cli_result_begin();
    vdisk_cli_result_bool("live", sides & VDISK_HOTPLUG_LIVE);
    vdisk_cli_result_bool("config", sides & VDISK_HOTPLUG_CONFIG);
    vdisk_cli_result_end();
}

int
vdisk_cmd_detach(int argc, char **argv)
{
    static const int allowed[] = {OPT_WAIT, OPT_LIVE, OPT_CONFIG, OPT_PERSISTENT, 0};
    static const char help[] =
        "Usage: vdisk detach [OPTIONS] DOMAIN TARGET\n\n"
        "Detach disk TARGET from DOMAIN and wait until QEMU has released it.\n\nOptions:\n"
        "      --wait=SECONDS  how long to wait for the guest (default 10); when it\n"
        "                      has not released the disk by then, exit 4\n"
        "      --live          the running domain\n"
        "      --config        the persistent configuration\n"
        "      --persistent    the running domain and, when it has one, the persistent\n"
        "                      definition\n";
    virConnectPtr conn;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    unsigned int sides = 0;
    unsigned long wait_s = HP_DEFAULT_WAIT_S;
    hp_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_target, 2, 2)) >= 0)
        return rc;
    if (o.wait) {
        char *end;

        errno = 0;
        wait_s = strtoul(o.wait, &end, 10);
        if (*end || end == o.wait || errno || wait_s > 86400)
            return usage(&o, "--wait: '%s' is not a number of seconds (0-86400)", o.wait);
    }
    if ((rc = open_domain(&o, &conn, &dom)) >= 0)
        return rc;
    if (vdisk_hotplug_resolve_flags(dom, o.flags, &sides, &err) < 0 ||
        vdisk_hotplug_detach(dom, o.args[1], o.flags, (unsigned int)wait_s * 1000, &err) < 0) {
        rc = report(&o, err);
    } else {
        rc = HP_EXIT_OK;
        print_sides(&o, sides);
    }
    close_domain(conn, dom);
    return rc;
}

int
vdisk_cmd_change_media(int argc, char **argv)
{
    static const int allowed[] = {OPT_EJECT,  OPT_INSERT,     OPT_FORCE, OPT_LIVE,
                                  OPT_CONFIG, OPT_PERSISTENT, 0};
    static const char help[] =
        "Usage: vdisk change-media [OPTIONS] DOMAIN TARGET (--eject | --insert SOURCE)\n\n"
        "Eject the medium of cdrom or floppy TARGET, or insert SOURCE.\n\nOptions:\n"
        "      --eject         remove the medium\n"
        "      --insert=SOURCE insert SOURCE (an image file or a block device)\n"
        "      --force         open the tray even when the guest locked it\n"
        "      --live          the running domain\n"
        "      --config        the persistent configuration\n"
        "      --persistent    the running domain and, when it has one, the persistent\n"
        "                      definition\n";
    virConnectPtr conn;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    unsigned int sides = 0;
    hp_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_target, 2, 2)) >= 0)
        return rc;
    if (o.eject == (o.insert != NULL))
        return usage(&o, "%s", "give exactly one of --eject and --insert SOURCE");
    if ((rc = open_domain(&o, &conn, &dom)) >= 0)
        return rc;
    if (vdisk_hotplug_resolve_flags(dom, o.flags & ~(unsigned int)VDISK_HOTPLUG_FORCE, &sides,
                                    &err) < 0 ||
        vdisk_hotplug_change_media(dom, o.args[1], o.insert, o.flags, &err) < 0) {
        rc = report(&o, err);
    } else {
        rc = HP_EXIT_OK;
        print_sides(&o, sides);
    }
    close_domain(conn, dom);
    return rc;
}

int
vdisk_cmd_next_target(int argc, char **argv)
{
    static const int allowed[] = {0};
    static const char help[] =
        "Usage: vdisk next-target [OPTIONS] DOMAIN BUS\n\n"
        "Print the first target name free on BUS (virtio, scsi, sata, usb, ide, fdc)\n"
        "in both the live state and the persistent configuration of DOMAIN.\n\n"
        "Options:\n";
    virConnectPtr conn;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    char *name = NULL;
    hp_opts o;
    int bus = 0;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_bus, 2, 2)) >= 0)
        return rc;
    if ((rc = enum_arg(&o, VDISK_ENUM_BUS, "bus", o.args[1], &bus)) >= 0)
        return rc;
    if ((rc = open_domain(&o, &conn, &dom)) >= 0)
        return rc;
    if (vdisk_hotplug_next_target(&name, dom, (vdisk_bus)bus, &err) < 0) {
        rc = report(&o, err);
    } else {
        rc = HP_EXIT_OK;
        if (o.json) {
            vdisk_cli_result_begin();
            vdisk_cli_result_string("target", name);
            vdisk_cli_result_end();
        } else {
            printf("%s\n", name);
        }
        vdisk_free(name);
    }
    close_domain(conn, dom);
    return rc;
}

/* ---- recover ------------------------------------------------------------------------ */

int
vdisk_cmd_recover(int argc, char **argv)
{
    static const int allowed[] = {0};
    static const char help[] =
        "Usage: vdisk recover [OPTIONS] DOMAIN\n\n"
        "Finish, or undo, the attaches, detaches and media changes of DOMAIN that were\n"
        "interrupted (the program or libvirtd killed, the connection lost), so that\n"
        "the live definition, the persistent one and QEMU agree. Says what it did;\n"
        "nothing pending: nothing printed, exit 0.\n\nOptions:\n";
    virConnectPtr conn;
    virDomainPtr dom;
    vdisk_error *err = NULL;
    char *what = NULL;
    hp_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_domain, 1, 1)) >= 0)
        return rc;
    if ((rc = open_domain(&o, &conn, &dom)) >= 0)
        return rc;
    if (vdisk_hotplug_recover(dom, 0, &what, &err) < 0) {
        rc = report(&o, err);
    } else {
        rc = HP_EXIT_OK;
        if (o.json) {
            vdisk_cli_result_begin();
            vdisk_cli_result_string("recovered", what);
            vdisk_cli_result_end();
        } else if (what) {
            fputs(what, stdout);
        }
        vdisk_free(what);
    }
    close_domain(conn, dom);
    return rc;
}

/* ---- set-iotune ------------------------------------------------------------------------ */

/* The long option of iotune field @field, without its dashes. */
static const char *
iotune_option_name(int field)
{
    const struct option *opt;

    for (opt = hp_long_options; opt->name; opt++) {
        if (opt->val == OPT_IOTUNE + field)
            return opt->name;
    }
    return "?";
}

/* Reports that @dom has no disk @target (as the library words it) and
 * returns the exit status for it. */
static int
not_found(const hp_opts *o, virDomainPtr dom, const char *target, const char *where)
{
    const char *name = vdisk_domain_ptr_get_name(dom);
    char msg[512];

    snprintf(msg, sizeof(msg), "target '%s': domain '%s' has no such disk%s", target,
             name ? name : o->args[0], where);
    return vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NOT_FOUND), HP_EXIT_REFUSED, 0, "%s",
                          msg);
}

/* Fills the limits (and group) not given on the command line with the
 * disk's current ones, as virsh blkdeviotune keeps them. Returns 1 when
 * the disk is there, 0 when it is not, -1 when the domain cannot be read. */
static int
current_iotune(virDomainPtr dom, const char *target, unsigned int flags, const hp_opts *o,
               unsigned long long values[VDISK_IOTUNE_LAST], char **group)
{
    vdisk_domain *ctx = NULL;
    vdisk_error *err = NULL;
    const vdisk_disk *disk = NULL;
    size_t i;

    if (vdisk_hotplug_list(&ctx, dom, flags, &err) < 0) {
        vdisk_error_free(err);
        return -1;
    }
    for (i = 0; !disk && i < vdisk_domain_get_disk_count(ctx); i++) {
        const vdisk_disk *d = vdisk_domain_get_disk_const(ctx, i);
        const char *t = vdisk_disk_get_target(d);

        if (t && strcmp(t, target) == 0)
            disk = d;
    }
    if (disk) {
        for (i = 0; i < VDISK_IOTUNE_LAST; i++) {
            if (!o->iotune[i])
                values[i] = vdisk_disk_get_iotune(disk, (vdisk_iotune_field)i);
        }
        if (!o->group && vdisk_disk_get_iotune_group(disk))
            *group = strdup(vdisk_disk_get_iotune_group(disk));
    }
    vdisk_domain_free(ctx);
    return disk ? 1 : 0;
}

int
vdisk_cmd_set_iotune(int argc, char **argv)
{
    static const int allowed[] = {OPT_IOTUNE, OPT_GROUP, OPT_LIVE, OPT_CONFIG, 0};
    static const char help[] =
        "Usage: vdisk set-iotune [OPTIONS] DOMAIN TARGET\n\n"
        "Set the I/O limits of disk TARGET of DOMAIN. Limits not given keep their\n"
        "current values, 0 removes a limit; give at least one limit or --group.\n\nOptions:\n"
        "      --total-bytes-sec=N             total throughput, bytes per second\n"
        "      --read-bytes-sec=N              read throughput, bytes per second\n"
        "      --write-bytes-sec=N             write throughput, bytes per second\n"
        "      --total-iops-sec=N              total I/O operations per second\n"
        "      --read-iops-sec=N               read I/O operations per second\n"
        "      --write-iops-sec=N              write I/O operations per second\n"
        "      --total-bytes-sec-max=N         total throughput burst, bytes per second\n"
        "      --read-bytes-sec-max=N          read throughput burst, bytes per second\n"
        "      --write-bytes-sec-max=N         write throughput burst, bytes per second\n"
        "      --total-iops-sec-max=N          total I/O operations burst per second\n"
        "      --read-iops-sec-max=N           read I/O operations burst per second\n"
        "      --write-iops-sec-max=N          write I/O operations burst per second\n"
        "      --size-iops-sec=N               bytes an I/O operation counts as\n"
        "      --total-bytes-sec-max-length=N  seconds the total throughput burst lasts\n"
        "      --read-bytes-sec-max-length=N   seconds the read throughput burst lasts\n"
        "      --write-bytes-sec-max-length=N  seconds the write throughput burst lasts\n"
        "      --total-iops-sec-max-length=N   seconds the total operations burst lasts\n"
        "      --read-iops-sec-max-length=N    seconds the read operations burst lasts\n"
        "      --write-iops-sec-max-length=N   seconds the write operations burst lasts\n"
        "      --group=NAME    share the limits with the disks of throttle group NAME\n"
        "      --live          the running domain\n"
        "      --config        the persistent configuration\n";
    virConnectPtr conn;
    virDomainPtr dom;
    vdisk_disk *limits = NULL;
    vdisk_error *err = NULL;
    unsigned long long values[VDISK_IOTUNE_LAST] = {0};
    char *group = NULL;
    bool any = false;
    hp_opts o;
    int rc;
    int i;

    if ((rc = parse(&o, argc, argv, allowed, help, names_target, 2, 2)) >= 0)
        return rc;
    for (i = 0; i < VDISK_IOTUNE_LAST; i++) {
        const char *v = o.iotune[i];
        char *end;

        if (!v)
            continue;
        errno = 0;
        values[i] = strtoull(v, &end, 10);
        if (*v < '0' || *v > '9' || *end || errno)
            return usage(&o, "--%s: '%s' is not a non-negative integer", iotune_option_name(i), v);
        any = true;
    }
    if (!any && !o.group)
        return usage(&o, "%s", "give at least one limit or --group (0 removes a limit)");

    if ((rc = open_domain(&o, &conn, &dom)) >= 0)
        return rc;
    /* the disk must be on every side being changed; the limits not given
     * are read from the side libvirt reads them from */
    {
        bool config_only = (o.flags & VDISK_HOTPLUG_CONFIG) && !(o.flags & VDISK_HOTPLUG_LIVE);
        unsigned long long unused[VDISK_IOTUNE_LAST];
        char *ignored = NULL;
        int found = current_iotune(dom, o.args[1], config_only ? VDISK_HOTPLUG_INACTIVE : 0, &o,
                                   values, &group);

        if (found == 0) {
            rc = not_found(&o, dom, o.args[1],
                           config_only ? " in its persistent configuration" : "");
            goto done;
        }
        if (found > 0 && (o.flags & VDISK_HOTPLUG_LIVE) && (o.flags & VDISK_HOTPLUG_CONFIG) &&
            current_iotune(dom, o.args[1], VDISK_HOTPLUG_INACTIVE, &o, unused, &ignored) == 0) {
            rc = not_found(&o, dom, o.args[1], " in its persistent configuration");
            free(ignored);
            goto done;
        }
        free(ignored);
    }

    if (!(limits = vdisk_disk_new())) {
        rc = vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY), HP_EXIT_FAILED, 0,
                            "out of memory");
        goto done;
    }
    for (i = 0; i < VDISK_IOTUNE_LAST; i++) {
        if (values[i] && vdisk_disk_set_iotune(limits, (vdisk_iotune_field)i, values[i], &err) < 0)
            break;
    }
    if (err || ((o.group || group) &&
                vdisk_disk_set_iotune_group(limits, o.group ? o.group : group, &err) < 0)) {
        rc = report(&o, err);
    } else if (vdisk_hotplug_set_iotune(dom, o.args[1], limits, o.flags, &err) < 0) {
        rc = report(&o, err);
    } else {
        rc = HP_EXIT_OK;
        vdisk_cli_result_begin();
        vdisk_cli_result_end();
    }

done:
    free(group);
    vdisk_disk_free(limits);
    close_domain(conn, dom);
    return rc;
}
