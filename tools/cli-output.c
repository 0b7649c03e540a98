/*
 * cli-output.c: what every vdisk subcommand prints (see cli-output.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vdisk/vdisk.h>

#include "cli-output.h"
#include "exit-codes.h"

static struct {
    const char *command;
    bool json;
    bool reported; /* a failure or a result object was printed */
} out;

void
vdisk_cli_output_reset(void)
{
    memset(&out, 0, sizeof(out));
}

void
vdisk_cli_output_set_command(const char *name)
{
    out.command = name;
}

void
vdisk_cli_output_set_json(bool json)
{
    out.json = json;
}

bool
vdisk_cli_output_json(void)
{
    return out.json;
}

bool
vdisk_cli_argv_wants_json(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--json") == 0)
            return true;
    }
    return false;
}

/* The length of the UTF-8 sequence at @s (1-4), or 0 when it is not one:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t
utf8_length(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    size_t i;
    unsigned long cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void
vdisk_cli_json_string(FILE *fp, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    if (!s) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    while (*s) {
        size_t n = utf8_length(s);

        if (n == 0) {
            /* not UTF-8: the byte as Python's surrogateescape reads it */
            fprintf(fp, "\\udc%02x", *s);
            s++;
            continue;
        }
        if (n > 1) {
            fwrite(s, 1, n, fp);
        } else if (*s == '"' || *s == '\\') {
            fprintf(fp, "\\%c", *s);
        } else if (*s == '\n') {
            fputs("\\n", fp);
        } else if (*s == '\t') {
            fputs("\\t", fp);
        } else if (*s < 0x20 || *s == 0x7F) {
            fprintf(fp, "\\u%04x", *s);
        } else {
            fputc(*s, fp);
        }
        s += n;
    }
    fputc('"', fp);
}

void
vdisk_cli_json_raw(FILE *fp, const char *json)
{
    const unsigned char *s = (const unsigned char *)json;

    while (*s) {
        size_t n = utf8_length(s);

        if (n == 0) {
            fprintf(fp, "\\udc%02x", *s);
            n = 1;
        } else {
            fwrite(s, 1, n, fp);
        }
        s += n;
    }
}

static int
fail_va(const char *code, int status, int libvirt_code, const char *fmt, va_list ap)
{
    char *msg = NULL;

    if (out.reported)
        return status;
    out.reported = true;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    /* one line: libxml2's, for one, run over two */
    for (char *p = msg; p && (p = strchr(p, '\n'));)
        *p = p[1] ? ' ' : '\0';
    fprintf(stderr, "vdisk: %s%s%s\n", out.command ? out.command : "", out.command ? ": " : "",
            msg ? msg : "out of memory");
    if (out.json) {
        printf("{\"ok\": false, \"error\": {\"code\": ");
        vdisk_cli_json_string(stdout, code);
        printf(", \"message\": ");
        vdisk_cli_json_string(stdout, msg ? msg : "out of memory");
        printf(", \"exit\": %d", status);
        if (libvirt_code)
            printf(", \"libvirt_code\": %d", libvirt_code);
        printf("}}\n");
    }
    free(msg);
    return status;
}

int
vdisk_cli_fail(const char *code, int status, int libvirt_code, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = fail_va(code, status, libvirt_code, fmt, ap);
    va_end(ap);
    return rc;
}

int
vdisk_cli_report(const char *context, vdisk_error *err)
{
    int status = vdisk_exit_for(err);

    vdisk_cli_fail(vdisk_error_code_name(err ? vdisk_error_get_code(err) : VDISK_ERR_INTERNAL),
                   status, vdisk_error_get_libvirt_code(err), "%s%s%s", context ? context : "",
                   context ? ": " : "",
                   err ? vdisk_error_get_message(err) : "failed without an error message");
    vdisk_error_free(err);
    return status;
}

int
vdisk_cli_usage(const char *fmt, ...)
{
    bool first = !out.reported;
    va_list ap;

    va_start(ap, fmt);
    fail_va(VDISK_CLI_CODE_USAGE, VDISK_EXIT_USAGE, 0, fmt, ap);
    va_end(ap);
    if (first)
        fprintf(stderr, "Try 'vdisk %s%s--help' for more information.\n",
                out.command ? out.command : "", out.command ? " " : "");
    return VDISK_EXIT_USAGE;
}

int
vdisk_cli_getopt_error(char **argv, int c)
{
    extern int optind, optopt;
    const char *arg = argv[optind - 1];

    if (c == ':')
        return vdisk_cli_usage("option '%s' requires an argument", arg);
    if (strncmp(arg, "--", 2) == 0) {
        if (strchr(arg, '='))
            return vdisk_cli_usage("option '%.*s' takes no argument", (int)strcspn(arg, "="),
                                   arg);
        return vdisk_cli_usage("unrecognized option '%s'", arg);
    }
    return vdisk_cli_usage("invalid option -- '%c'", optopt ? optopt : '?');
}

int
vdisk_cli_bad_value(const char *what, const char *value, const char *const *valid)
{
    char list[1024] = "";
    size_t len = 0;
    size_t i;

    for (i = 0; valid[i] && len < sizeof(list); i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", valid[i]);
    return vdisk_cli_usage("unknown %s '%s' (valid: %s)", what, value, list);
}

int
vdisk_cli_bad_enum(const char *what, const char *value, int which)
{
    const char *names[64];
    size_t n = 0;
    int v;

    /* member 0 is the unset one; the names run until the first without one */
    for (v = 1; n < sizeof(names) / sizeof(names[0]) - 1; v++) {
        const char *name = vdisk_enum_to_string((vdisk_enum)which, v);

        if (!name)
            break;
        names[n++] = name;
    }
    names[n] = NULL;
    return vdisk_cli_bad_value(what, value, names);
}

void
vdisk_cli_result_begin(void)
{
    if (!out.json)
        return;
    out.reported = true;
    printf("{\"ok\": true");
}

void
vdisk_cli_result_key(const char *key)
{
    if (!out.json)
        return;
    printf(", ");
    vdisk_cli_json_string(stdout, key);
    printf(": ");
}

void
vdisk_cli_result_string(const char *key, const char *value)
{
    if (!out.json)
        return;
    vdisk_cli_result_key(key);
    vdisk_cli_json_string(stdout, value);
}

void
vdisk_cli_result_bool(const char *key, bool value)
{
    if (!out.json)
        return;
    vdisk_cli_result_key(key);
    printf("%s", value ? "true" : "false");
}

void
vdisk_cli_result_number(const char *key, unsigned long long value)
{
    if (!out.json)
        return;
    vdisk_cli_result_key(key);
    printf("%llu", value);
}

void
vdisk_cli_result_end(void)
{
    if (!out.json)
        return;
    printf("}\n");
}

int
vdisk_cli_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        /* stdout is gone: the message goes to stderr only */
        fprintf(stderr, "vdisk: %s%scannot write output: %s\n", out.command ? out.command : "",
                out.command ? ": " : "", strerror(errno));
        return VDISK_EXIT_FAILED;
    }
    return status;
}
