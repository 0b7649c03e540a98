/*
 * cmd-blockjob.c: the subcommands for the life of a disk on a domain
 *
 *   vdisk resize DOMAIN TARGET SIZE [--shrink]
 *   vdisk snapshot DOMAIN [TARGET...] [--name NAME] [--overlay TARGET=PATH]...
 *                  [--no-metadata] [--reuse]
 *   vdisk commit DOMAIN TARGET [--top IMG] [--base IMG] [--no-pivot]
 *   vdisk pull DOMAIN TARGET [--base IMG]
 *   vdisk copy DOMAIN TARGET DEST [--format FMT] [--shallow] [--reuse] [--no-pivot]
 *   vdisk job DOMAIN TARGET [--abort | --pivot]
 *
 * Every subcommand takes --connect URI (default qemu:///system) and --json.
 * The job subcommands (commit, pull, copy, job --abort or --pivot) wait for
 * the block job (--wait SECONDS, default until it is over), show its
 * progress (with --json one {"event": "progress", ...} line per change
 * before the result object; on a terminal a bar on stderr), and cancel it
 * on SIGINT or SIGTERM: the library aborts the job, the disk keeps the
 * chain it had, and the exit status is 130.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vdisk/vdisk.h>
#include <vdisk/blockjob.h>

#include "cli-commands.h"
#include "cli-domain.h"
#include "cli-output.h"
#include "exit-codes.h"

#define BJ_MAX_WAIT_S 86400

#define BJ_COMMON_HELP                                                                             \
    "  -c, --connect=URI   libvirt connection (default " VDISK_CLI_DEFAULT_URI ")\n"               \
    "      --json          print the result (or the error) as JSON on stdout\n"                    \
    "  -h, --help          show this help and exit\n\n"                                            \
    "Exit status: 0 done, 1 failed (libvirt, QEMU or the system), 2 usage error,\n"                \
    "3 refused (the request cannot be carried out as given)"
#define BJ_EXIT_HELP ".\n"
#define BJ_JOB_EXIT_HELP                                                                           \
    ", 4 pending (the job\n"                                                                       \
    "still runs when the wait ends), 130 cancelled (interrupted: the job was\n"                    \
    "aborted, the disk keeps the chain it had).\n"

/* The options of the subcommands that wait for a job. */
#define BJ_WAIT_HELP                                                                               \
    "      --wait=SECONDS  how long to wait for the job (default: until it is over);\n"            \
    "                      when it still runs then, it goes on and the exit status\n"              \
    "                      is 4. SIGINT (Ctrl-C) or SIGTERM aborts it: exit 130\n"
#define BJ_BANDWIDTH_HELP                                                                          \
    "      --bandwidth=N   at most N bytes per second (K, M, G suffixes; default\n"                \
    "                      unlimited)\n"
#define BJ_PROGRESS_HELP                                                                           \
    "\nWith --json, one {\"event\": \"progress\", ...} line per change of the job comes\n"         \
    "before the result object; on a terminal a progress bar is drawn on stderr.\n\n"

enum {
    OPT_JSON = 0x200,
    OPT_SHRINK,
    OPT_NAME,
    OPT_OVERLAY,
    OPT_NO_METADATA,
    OPT_REUSE,
    OPT_TOP,
    OPT_BASE,
    OPT_NO_PIVOT,
    OPT_FORMAT,
    OPT_SHALLOW,
    OPT_ABORT,
    OPT_PIVOT,
    OPT_WAIT,
    OPT_BANDWIDTH,
};

static const struct option bj_long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"connect", required_argument, NULL, 'c'},
    {"json", no_argument, NULL, OPT_JSON},
    {"shrink", no_argument, NULL, OPT_SHRINK},
    {"name", required_argument, NULL, OPT_NAME},
    {"overlay", required_argument, NULL, OPT_OVERLAY},
    {"no-metadata", no_argument, NULL, OPT_NO_METADATA},
    {"reuse", no_argument, NULL, OPT_REUSE},
    {"top", required_argument, NULL, OPT_TOP},
    {"base", required_argument, NULL, OPT_BASE},
    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"shallow", no_argument, NULL, OPT_SHALLOW},
    {"abort", no_argument, NULL, OPT_ABORT},
    {"pivot", no_argument, NULL, OPT_PIVOT},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"bandwidth", required_argument, NULL, OPT_BANDWIDTH},
    {NULL, 0, NULL, 0},
};

/* Everything any of these subcommands may be given; each one refuses the
 * options that are not its own. */
typedef struct {
    const char *cmd;
    const char *uri;
    bool json;
    bool shrink;
    const char *name;
    const char **overlays;
    size_t n_overlays;
    bool no_metadata;
    bool reuse;
    const char *top;
    const char *base;
    bool no_pivot;
    const char *format;
    bool shallow;
    bool abort_job;
    bool pivot;
    int timeout_ms; /* --wait, -1 without it */
    unsigned long long bandwidth;
    int nargs;
    char **args;
    char **argv; /* the copy of argv getopt_long() reorders */
    bool *moved; /* by index in argv: a negative size, given to getopt_long() without its '-' */
} bj_opts;

static void
bj_opts_clear(bj_opts *o)
{
    free(o->overlays);
    free(o->argv);
    free(o->moved);
    memset(o, 0, sizeof(*o));
}

/* ---- options ---------------------------------------------------------------------- */

/* --wait SECONDS: 0 to 86400. Returns -1 when it is one, else the exit status. */
static int
parse_wait(bj_opts *o, const char *text)
{
    unsigned long s;
    char *end;

    errno = 0;
    s = strtoul(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || errno || s > BJ_MAX_WAIT_S)
        return vdisk_cli_usage("--wait: '%s' is not a number of seconds (0-%d)", text,
                               BJ_MAX_WAIT_S);
    o->timeout_ms = (int)s * 1000;
    return -1;
}

/* --bandwidth N: bytes per second, as vdisk_size_parse() reads a size. */
static int
parse_bandwidth(bj_opts *o, const char *text)
{
    vdisk_error *err = NULL;
    int sign = 0;

    if (vdisk_size_parse(text, &o->bandwidth, &sign, &err) < 0 || sign != 0) {
        vdisk_error_free(err);
        return vdisk_cli_usage("--bandwidth: '%s' is not a number of bytes per second", text);
    }
    return -1;
}

/* An argument of resize that getopt_long() would take for options: a size
 * change like "-512M". */
static bool
is_negative_size(const char *arg)
{
    return arg[0] == '-' && arg[1] >= '0' && arg[1] <= '9';
}

/* Whether @allowed (0-terminated) holds @opt. */
static bool
allows(const int *allowed, int opt)
{
    for (; *allowed; allowed++) {
        if (*allowed == opt)
            return true;
    }
    return false;
}

/* Parses argv into @o; bj_opts_clear() frees what it holds. @allowed lists
 * the OPT_* values the subcommand takes (0-terminated); with
 * @negative_sizes, "-512M" is an argument, not an option. Returns -1 to go
 * on, else the exit status. */
static int
parse(bj_opts *o, int argc, char **argv, const int *allowed, const char *help,
      const char *const *names, int min_args, int max_args, bool negative_sizes)
{
    int longindex = 0;
    int c;
    int i;

    memset(o, 0, sizeof(*o));
    o->cmd = argv[0];
    o->uri = VDISK_CLI_DEFAULT_URI;
    o->timeout_ms = -1;
    if (!(o->argv = calloc((size_t)argc + 1, sizeof(*o->argv))) ||
        !(o->overlays = calloc((size_t)argc, sizeof(*o->overlays))) ||
        !(o->moved = calloc((size_t)argc, sizeof(*o->moved))))
        return vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY), VDISK_EXIT_FAILED, 0,
                              "out of memory");
    for (i = 0; i < argc; i++) {
        o->argv[i] = argv[i];
        if (!negative_sizes || i == 0)
            continue;
        if (strcmp(argv[i], "--") == 0) {
            negative_sizes = false;
        } else if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--connect") == 0) &&
                   i + 1 < argc) {
            i++; /* a URI, whatever it looks like */
            o->argv[i] = argv[i];
        } else if (is_negative_size(argv[i])) {
            /* "512M" is no option; its '-' is put back below */
            o->moved[i] = true;
            o->argv[i] = argv[i] + 1;
        }
    }

    optind = 0;
    while ((c = getopt_long(argc, o->argv, ":hc:", bj_long_options, &longindex)) != -1) {
        int rc = -1;

        if (c == '?' || c == ':')
            return vdisk_cli_getopt_error(o->argv, c);
        if (c != 'h' && c != 'c' && c != OPT_JSON && !allows(allowed, c))
            return vdisk_cli_usage("option '--%s' does not apply here",
                                   bj_long_options[longindex].name);
        switch (c) {
        case 'h':
            fputs(help, stdout);
            fputs(BJ_COMMON_HELP, stdout);
            fputs(allows(allowed, OPT_WAIT) ? BJ_JOB_EXIT_HELP : BJ_EXIT_HELP, stdout);
            return VDISK_EXIT_OK;
        case 'c':
            o->uri = optarg;
            break;
        case OPT_JSON:
            o->json = true;
            vdisk_cli_output_set_json(true);
            break;
        case OPT_SHRINK:
            o->shrink = true;
            break;
        case OPT_NAME:
            o->name = optarg;
            break;
        case OPT_OVERLAY: {
            const char *eq = strchr(optarg, '=');

            if (!eq || eq == optarg || !eq[1])
                rc = vdisk_cli_usage("--overlay: '%s' is not TARGET=PATH", optarg);
            else
                o->overlays[o->n_overlays++] = optarg;
            break;
        }
        case OPT_NO_METADATA:
            o->no_metadata = true;
            break;
        case OPT_REUSE:
            o->reuse = true;
            break;
        case OPT_TOP:
            o->top = optarg;
            break;
        case OPT_BASE:
            o->base = optarg;
            break;
        case OPT_NO_PIVOT:
            o->no_pivot = true;
            break;
        case OPT_FORMAT:
            o->format = optarg;
            break;
        case OPT_SHALLOW:
            o->shallow = true;
            break;
        case OPT_ABORT:
            o->abort_job = true;
            break;
        case OPT_PIVOT:
            o->pivot = true;
            break;
        case OPT_WAIT:
            rc = parse_wait(o, optarg);
            break;
        case OPT_BANDWIDTH:
            rc = parse_bandwidth(o, optarg);
            break;
        }
        if (rc >= 0)
            return rc;
    }
    o->nargs = argc - optind;
    o->args = o->argv + optind;
    /* the sizes taken for arguments get their '-' back */
    for (i = 0; i < o->nargs; i++) {
        int k;

        for (k = 1; k < argc; k++) {
            if (o->moved[k] && o->args[i] == argv[k] + 1)
                o->args[i] = argv[k];
        }
    }
    if (o->nargs < min_args)
        return vdisk_cli_usage("missing %s", names[o->nargs]);
    if (o->nargs > max_args)
        return vdisk_cli_usage("unexpected argument '%s'", o->args[max_args]);
    return -1;
}

static const char *const names_domain[] = {"DOMAIN", NULL};
static const char *const names_target[] = {"DOMAIN", "TARGET", NULL};
static const char *const names_size[] = {"DOMAIN", "TARGET", "SIZE", NULL};
static const char *const names_dest[] = {"DOMAIN", "TARGET", "DEST", NULL};

/* ---- progress and cancellation ------------------------------------------------------ */

/* What the progress callback last saw, and how it shows it. */
typedef struct {
    bool json;
    bool bar;   /* a progress bar on stderr (a terminal, not --json) */
    bool drawn; /* the bar is on the screen */
    bool seen;
    vdisk_job_kind kind;
    char phase[32];
    unsigned long long cur;
    unsigned long long end;
    bool ready;
} bj_progress;

static unsigned int
percent(unsigned long long cur, unsigned long long end)
{
    if (!end)
        return 0;
    if (cur >= end)
        return 100;
    return (unsigned int)((double)cur * 100.0 / (double)end);
}

/* @bytes in binary units, "12.5 MiB". */
static void
human_size(char *buf, size_t len, unsigned long long bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    size_t u = 0;

    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* "vda copy [#####     ]  50% 32.0 MiB/64.0 MiB running", on one line of
 * the terminal (the bar narrower, or left out, on a narrow one). */
static void
draw_bar(bj_progress *p, const char *target)
{
    enum { WIDTH = 30 };
    unsigned int pc = percent(p->cur, p->end);
    struct winsize ws;
    char bar[WIDTH + 4];
    char cur[32];
    char end[32];
    char text[160];
    int width = WIDTH;
    int len;
    int i;

    human_size(cur, sizeof(cur), p->cur);
    human_size(end, sizeof(end), p->end);
    snprintf(text, sizeof(text), "%3u%% %s/%s %s", pc, cur, end, p->phase);
    /* as long as the text can get ("100% 1023.9 MiB/1023.9 MiB pivoting"),
     * so that the bar keeps its width; the last column stays free: a full
     * line wraps on some terminals */
    len = (int)strlen(target) + (int)strlen(vdisk_job_kind_name(p->kind)) + 2 + 36;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && len + WIDTH + 3 >= ws.ws_col)
        width = ws.ws_col - len - 4;
    if (width >= 5) {
        bar[0] = '[';
        for (i = 0; i < width; i++)
            bar[i + 1] = i < (int)(pc * (unsigned int)width / 100) ? '#' : ' ';
        bar[width + 1] = ']';
        bar[width + 2] = ' ';
        bar[width + 3] = '\0';
    } else {
        bar[0] = '\0';
    }
    fprintf(stderr, "\r%s %s %s%s\033[K", target, vdisk_job_kind_name(p->kind), bar, text);
    fflush(stderr);
    p->drawn = true;
}

static void
clear_bar(bj_progress *p)
{
    if (!p->drawn)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = false;
}

static int
on_progress(const vdisk_job_status *st, void *opaque)
{
    bj_progress *p = opaque;
    const char *target = vdisk_job_status_get_target(st);
    const char *phase = vdisk_job_status_get_phase(st);
    vdisk_job_kind kind = vdisk_job_status_get_kind(st);
    unsigned long long cur = vdisk_job_status_get_cur(st);
    unsigned long long end = vdisk_job_status_get_end(st);
    bool ready = vdisk_job_status_get_ready(st) != 0;

    if (!phase)
        phase = "";
    if (p->seen && kind == p->kind && strcmp(phase, p->phase) == 0 && cur == p->cur &&
        end == p->end && ready == p->ready)
        return 0;
    p->seen = true;
    p->kind = kind;
    snprintf(p->phase, sizeof(p->phase), "%s", phase);
    p->cur = cur;
    p->end = end;
    p->ready = ready;
    if (p->json) {
        printf("{\"event\": \"progress\", \"target\": ");
        vdisk_cli_json_string(stdout, target);
        printf(", \"kind\": ");
        vdisk_cli_json_string(stdout, vdisk_job_kind_name(kind));
        printf(", \"phase\": ");
        vdisk_cli_json_string(stdout, phase);
        printf(", \"cur\": %llu, \"end\": %llu, \"ready\": %s}\n", cur, end,
               ready ? "true" : "false");
        fflush(stdout);
    } else if (p->bar) {
        draw_bar(p, target ? target : "?");
    }
    return 0;
}

/* The options of the call SIGINT and SIGTERM cancel, while it runs, and
 * the signal that came. */
static vdisk_job_opts *volatile bj_signal_opts;
static volatile sig_atomic_t bj_signal;

static void
on_signal(int sig)
{
    vdisk_job_opts *opts = bj_signal_opts;

    bj_signal = sig;
    if (opts)
        vdisk_job_opts_cancel(opts);
}

typedef struct {
    struct sigaction old_int;
    struct sigaction old_term;
} bj_signals;

/* SIGINT and SIGTERM cancel @opts' call from now on; a signal the program
 * was started ignoring stays ignored. */
static void
catch_signals(bj_signals *saved, vdisk_job_opts *opts)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    bj_signal = 0;
    bj_signal_opts = opts;
    sigaction(SIGINT, &sa, &saved->old_int);
    if (saved->old_int.sa_handler == SIG_IGN)
        sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &sa, &saved->old_term);
    if (saved->old_term.sa_handler == SIG_IGN)
        sigaction(SIGTERM, &saved->old_term, NULL);
}

static void
restore_signals(const bj_signals *saved)
{
    sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &saved->old_term, NULL);
    bj_signal_opts = NULL;
}

/* ---- the job subcommands ------------------------------------------------------------ */

typedef enum {
    CALL_COMMIT,
    CALL_PULL,
    CALL_COPY,
    CALL_ABORT,
} bj_call;

/* Runs @call on disk o->args[1] with the wait, progress and cancellation
 * the options ask for, and reports the result. Returns the exit status. */
static int
run_job(const bj_opts *o, bj_call call, int format)
{
    const char *target = o->args[1];
    bj_progress progress = {0};
    vdisk_job_opts *opts = NULL;
    vdisk_error *err = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    bj_signals saved;
    vdisk_job_kind kind = VDISK_JOB_NONE;
    unsigned int flags = 0;
    bool pivoted = false;
    bool running = false;
    int rc;

    if ((rc = vdisk_cli_open_domain(o->uri, o->args[0], &conn, &dom)) >= 0)
        return rc;
    if (!(opts = vdisk_job_opts_new())) {
        vdisk_cli_close_domain(conn, dom);
        return vdisk_cli_fail(vdisk_error_code_name(VDISK_ERR_NO_MEMORY), VDISK_EXIT_FAILED, 0,
                              "out of memory");
    }
    progress.json = o->json;
    progress.bar = !o->json && isatty(STDERR_FILENO);
    vdisk_job_opts_set_timeout(opts, o->timeout_ms);
    vdisk_job_opts_set_bandwidth(opts, o->bandwidth);
    vdisk_job_opts_set_progress(opts, on_progress, &progress);
    if (o->no_pivot)
        flags |= VDISK_JOB_NO_PIVOT;
    if (o->shallow)
        flags |= VDISK_JOB_SHALLOW;
    if (o->reuse)
        flags |= VDISK_JOB_REUSE;
    if (o->pivot)
        flags |= VDISK_JOB_PIVOT;

    catch_signals(&saved, opts);
    switch (call) {
    case CALL_COMMIT:
        rc = vdisk_block_commit(dom, target, o->top, o->base, flags, opts, &err);
        kind = o->top ? VDISK_JOB_COMMIT : VDISK_JOB_ACTIVE_COMMIT;
        break;
    case CALL_PULL:
        rc = vdisk_block_pull(dom, target, o->base, flags, opts, &err);
        kind = VDISK_JOB_PULL;
        break;
    case CALL_COPY:
        rc = vdisk_block_copy(dom, target, o->args[2], (vdisk_format)format, flags, opts, &err);
        kind = VDISK_JOB_COPY;
        break;
    case CALL_ABORT:
        rc = vdisk_job_abort(dom, target, flags, opts, &err);
        break;
    }
    restore_signals(&saved);
    clear_bar(&progress);
    /* the job's own word on its kind, when it had its say */
    if (progress.seen)
        kind = progress.kind;

    if (rc < 0) {
        const char *context = NULL;

        if (bj_signal && vdisk_error_get_code(err) == VDISK_ERR_CANCELLED)
            context = bj_signal == SIGINT ? "interrupted (SIGINT)" : "interrupted (SIGTERM)";
        rc = vdisk_cli_report(context, err);
    } else {
        rc = VDISK_EXIT_OK;
        switch (call) {
        case CALL_COMMIT:
        case CALL_COPY:
            running = o->no_pivot && (kind == VDISK_JOB_COPY || kind == VDISK_JOB_ACTIVE_COMMIT);
            pivoted = !o->no_pivot && (kind == VDISK_JOB_COPY || kind == VDISK_JOB_ACTIVE_COMMIT);
            break;
        case CALL_PULL:
            break;
        case CALL_ABORT:
            pivoted = o->pivot;
            break;
        }
        vdisk_cli_result_begin();
        vdisk_cli_result_string("target", target);
        vdisk_cli_result_string("kind", kind == VDISK_JOB_NONE ? NULL : vdisk_job_kind_name(kind));
        vdisk_cli_result_bool("pivoted", pivoted);
        vdisk_cli_result_bool("running", running);
        vdisk_cli_result_end();
    }
    vdisk_job_opts_free(opts);
    vdisk_cli_close_domain(conn, dom);
    return vdisk_cli_finish(rc);
}

int
vdisk_cmd_commit(int argc, char **argv)
{
    static const int allowed[] = {OPT_TOP, OPT_BASE, OPT_NO_PIVOT, OPT_WAIT, OPT_BANDWIDTH, 0};
    static const char help[] =
        "Usage: vdisk commit [OPTIONS] DOMAIN TARGET\n\n"
        "Merge an image of the backing chain of disk TARGET of running DOMAIN, and\n"
        "the images between it and its base, into the base. For the top (active)\n"
        "image the guest's writes are mirrored until the base has them all, and the\n"
        "disk then continues on the base. The merged images stay on disk, "
        "unused.\n" BJ_PROGRESS_HELP "Options:\n"
        "      --top=IMG       the image to merge: a path of the chain, or TARGET[N]\n"
        "                      (default: the top image)\n"
        "      --base=IMG      the image to merge into (default: the one below the top)\n"
        "      --no-pivot      for the top image: stop once the base has caught up; the\n"
        "                      job goes on mirroring until 'vdisk job' ends it\n" BJ_WAIT_HELP
            BJ_BANDWIDTH_HELP;
    bj_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_target, 2, 2, false)) < 0)
        rc = run_job(&o, CALL_COMMIT, 0);
    bj_opts_clear(&o);
    return rc;
}

int
vdisk_cmd_pull(int argc, char **argv)
{
    static const int allowed[] = {OPT_BASE, OPT_WAIT, OPT_BANDWIDTH, 0};
    static const char help[] =
        "Usage: vdisk pull [OPTIONS] DOMAIN TARGET\n\n"
        "Copy the data of the backing images of disk TARGET of running DOMAIN into\n"
        "its top image, and drop them from its chain.\n" BJ_PROGRESS_HELP "Options:\n"
        "      --base=IMG      keep IMG (a path of the chain, or TARGET[N]) and what is\n"
        "                      below it as the backing; default: pull everything, the\n"
        "                      top image then has no backing\n" BJ_WAIT_HELP BJ_BANDWIDTH_HELP;
    bj_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_target, 2, 2, false)) < 0)
        rc = run_job(&o, CALL_PULL, 0);
    bj_opts_clear(&o);
    return rc;
}

int
vdisk_cmd_copy(int argc, char **argv)
{
    static const int allowed[] = {OPT_FORMAT, OPT_SHALLOW,   OPT_REUSE, OPT_NO_PIVOT,
                                  OPT_WAIT,   OPT_BANDWIDTH, 0};
    static const char help[] =
        "Usage: vdisk copy [OPTIONS] DOMAIN TARGET DEST\n\n"
        "Copy disk TARGET of running DOMAIN to DEST (a file or a block device) while\n"
        "the guest runs, and once the copy has caught up move the disk onto it (the\n"
        "persistent definition too). The job does not survive a save or migration of\n"
        "the domain. A copy that fails or is cancelled leaves the disk on its source,\n"
        "and removes DEST when the copy created it.\n" BJ_PROGRESS_HELP "Options:\n"
        "      --format=FMT    DEST's format (raw, qcow2, ...; default: the source's)\n"
        "      --shallow       copy the top image only; DEST's backing is the source's\n"
        "      --reuse         DEST exists: use it as it is (without it an existing\n"
        "                      file is refused)\n"
        "      --no-pivot      stop once the copy has caught up; the job goes on\n"
        "                      mirroring until 'vdisk job' ends it\n" BJ_WAIT_HELP
            BJ_BANDWIDTH_HELP;
    bj_opts o;
    int format = 0;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_dest, 3, 3, false)) < 0) {
        if (o.format && (format = vdisk_enum_from_string(VDISK_ENUM_FORMAT, o.format)) <= 0)
            rc = vdisk_cli_bad_enum("format", o.format, VDISK_ENUM_FORMAT);
        else
            rc = run_job(&o, CALL_COPY, format);
    }
    bj_opts_clear(&o);
    return rc;
}

/* The job on the disk, as `vdisk job` prints it. */
static int
show_job(const bj_opts *o)
{
    const char *target = o->args[1];
    vdisk_job_status *st = NULL;
    vdisk_error *err = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    int rc;

    if ((rc = vdisk_cli_open_domain(o->uri, o->args[0], &conn, &dom)) >= 0)
        return rc;
    if (vdisk_job_get(&st, dom, target, &err) < 0) {
        rc = vdisk_cli_report(NULL, err);
    } else {
        vdisk_job_kind kind = st ? vdisk_job_status_get_kind(st) : VDISK_JOB_NONE;
        const char *phase = st ? vdisk_job_status_get_phase(st) : "done";
        unsigned long long cur = st ? vdisk_job_status_get_cur(st) : 0;
        unsigned long long end = st ? vdisk_job_status_get_end(st) : 0;
        bool ready = st && vdisk_job_status_get_ready(st);

        rc = VDISK_EXIT_OK;
        if (o->json) {
            vdisk_cli_result_begin();
            vdisk_cli_result_string("target", target);
            vdisk_cli_result_string("kind", vdisk_job_kind_name(kind));
            vdisk_cli_result_string("phase", phase);
            vdisk_cli_result_number("cur", cur);
            vdisk_cli_result_number("end", end);
            vdisk_cli_result_bool("ready", ready);
            vdisk_cli_result_end();
        } else if (!st) {
            printf("no job\n");
        } else {
            printf("%s %llu/%llu %u%% %s\n", vdisk_job_kind_name(kind), cur, end, percent(cur, end),
                   ready ? "ready" : "running");
        }
        vdisk_job_status_free(st);
    }
    vdisk_cli_close_domain(conn, dom);
    return vdisk_cli_finish(rc);
}

int
vdisk_cmd_job(int argc, char **argv)
{
    static const int allowed[] = {OPT_ABORT, OPT_PIVOT, OPT_WAIT, 0};
    static const char help[] =
        "Usage: vdisk job [OPTIONS] DOMAIN TARGET\n\n"
        "Print the block job that runs on disk TARGET of DOMAIN: its kind, the bytes\n"
        "done and to do, the share done and whether its mirror is ready (or 'no\n"
        "job'); or end it, waiting until it is gone.\n" BJ_PROGRESS_HELP "Options:\n"
        "      --abort         end the job; a mirror is abandoned, the disk stays on\n"
        "                      its source\n"
        "      --pivot         move the disk onto the mirror of a copy or active\n"
        "                      commit (waiting until it is ready)\n"
        "      --wait=SECONDS  with --abort or --pivot: how long to wait (default: until\n"
        "                      the job is gone); when it is not gone by then, the exit\n"
        "                      status is 4. SIGINT (Ctrl-C) or SIGTERM: exit 130\n";
    bj_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_target, 2, 2, false)) < 0) {
        if (o.abort_job && o.pivot)
            rc = vdisk_cli_usage("%s", "give one of --abort and --pivot");
        else if (o.abort_job || o.pivot)
            rc = run_job(&o, CALL_ABORT, 0);
        else if (o.timeout_ms >= 0)
            rc = vdisk_cli_usage("%s", "--wait goes with --abort or --pivot");
        else
            rc = show_job(&o);
    }
    bj_opts_clear(&o);
    return rc;
}

/* ---- resize and snapshot ---------------------------------------------------------------- */

int
vdisk_cmd_resize(int argc, char **argv)
{
    static const int allowed[] = {OPT_SHRINK, 0};
    static const char help[] =
        "Usage: vdisk resize [OPTIONS] DOMAIN TARGET SIZE\n\n"
        "Resize disk TARGET of DOMAIN to SIZE bytes, or by SIZE when it has a sign\n"
        "(\"10G\", \"+512M\", \"-1G\"; units K, M, G, T, P: powers of 1024). A running\n"
        "domain's QEMU and guest see the new size; a stopped domain's image is\n"
        "resized (through its storage pool when it is a volume). Prints the new size\n"
        "in bytes.\n\n"
        "Options:\n"
        "      --shrink        allow a size below the current one (the data past it\n"
        "                      is lost)\n";
    unsigned long long new_size = 0;
    unsigned long long bytes;
    vdisk_error *err = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    bj_opts o;
    int sign;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_size, 3, 3, true)) >= 0)
        goto done;
    /* a SIZE that is none is refused before any connection is made */
    if (vdisk_size_parse(o.args[2], &bytes, &sign, &err) < 0) {
        rc = vdisk_cli_report(NULL, err);
        goto done;
    }
    if ((rc = vdisk_cli_open_domain(o.uri, o.args[0], &conn, &dom)) >= 0)
        goto done;
    if (vdisk_block_resize(dom, o.args[1], o.args[2], o.shrink ? VDISK_RESIZE_SHRINK : 0, &new_size,
                           &err) < 0) {
        rc = vdisk_cli_report(NULL, err);
    } else {
        rc = VDISK_EXIT_OK;
        if (o.json) {
            vdisk_cli_result_begin();
            vdisk_cli_result_string("target", o.args[1]);
            vdisk_cli_result_number("size", new_size);
            vdisk_cli_result_end();
        } else {
            printf("%llu\n", new_size);
        }
    }
    vdisk_cli_close_domain(conn, dom);
    rc = vdisk_cli_finish(rc);

done:
    bj_opts_clear(&o);
    return rc;
}

/* The overlays of vdisk_snapshot_create()'s report ("TARGET PATH" lines):
 * as they are, or as a JSON list of {"target", "path"}. */
static void
print_overlays(const bj_opts *o, const char *report)
{
    const char *line = report ? report : "";

    if (!o->json) {
        fputs(line, stdout);
        if (*line && line[strlen(line) - 1] != '\n')
            putchar('\n');
        return;
    }
    vdisk_cli_result_key("overlays");
    printf("[");
    for (bool first = true; *line; first = false) {
        size_t len = strcspn(line, "\n");
        size_t sp = strcspn(line, " ");
        char *target = strndup(line, sp < len ? sp : len);
        char *path = sp < len ? strndup(line + sp + 1, len - sp - 1) : NULL;

        printf("%s{\"target\": ", first ? "" : ", ");
        vdisk_cli_json_string(stdout, target);
        printf(", \"path\": ");
        vdisk_cli_json_string(stdout, path);
        printf("}");
        free(target);
        free(path);
        line += len + (line[len] == '\n');
    }
    printf("]");
}

int
vdisk_cmd_snapshot(int argc, char **argv)
{
    static const int allowed[] = {OPT_NAME, OPT_OVERLAY, OPT_NO_METADATA, OPT_REUSE, 0};
    static const char help[] =
        "Usage: vdisk snapshot [OPTIONS] DOMAIN [TARGET...]\n\n"
        "Take an external, disk-only snapshot of the disks TARGET... of DOMAIN (by\n"
        "default every writable disk with an image): each disk gets a new qcow2\n"
        "overlay backed by its image, all of them or none; a running guest writes\n"
        "on into the overlays. Prints the snapshot's name, then a line per overlay:\n"
        "its disk's target and its path.\n\n"
        "Options:\n"
        "      --name=NAME     the snapshot's name (default: libvirt's, the time)\n"
        "      --overlay=TARGET=PATH\n"
        "                      the overlay of disk TARGET (default: its image's path\n"
        "                      with the snapshot's name for the part after the last\n"
        "                      '.'); may be repeated\n"
        "      --no-metadata   keep no libvirt snapshot metadata, only the overlays\n"
        "      --reuse         the overlays exist already: use them as they are\n";
    vdisk_error *err = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    char *name = NULL;
    char *report = NULL;
    unsigned int flags = 0;
    bj_opts o;
    int rc;

    if ((rc = parse(&o, argc, argv, allowed, help, names_domain, 1, INT_MAX, false)) >= 0)
        goto done;
    if ((rc = vdisk_cli_open_domain(o.uri, o.args[0], &conn, &dom)) >= 0)
        goto done;
    if (o.no_metadata)
        flags |= VDISK_SNAPSHOT_CREATE_NO_METADATA;
    if (o.reuse)
        flags |= VDISK_SNAPSHOT_CREATE_REUSE;
    if (vdisk_snapshot_create(dom, (const char *const *)o.args + 1, (size_t)o.nargs - 1, o.name,
                              o.overlays, o.n_overlays, flags, &name, &report, &err) < 0) {
        rc = vdisk_cli_report(NULL, err);
    } else {
        rc = VDISK_EXIT_OK;
        if (o.json) {
            vdisk_cli_result_begin();
            vdisk_cli_result_string("name", name);
            vdisk_cli_result_bool("metadata", !o.no_metadata);
            print_overlays(&o, report);
            vdisk_cli_result_end();
        } else {
            printf("%s\n", name ? name : "");
            print_overlays(&o, report);
        }
        vdisk_free(name);
        vdisk_free(report);
    }
    vdisk_cli_close_domain(conn, dom);
    rc = vdisk_cli_finish(rc);

done:
    bj_opts_clear(&o);
    return rc;
}
