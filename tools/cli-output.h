/*
 * cli-output.h: what every vdisk subcommand prints (cli-output.c)
 *
 * Text mode: results on stdout, one "vdisk: SUBCOMMAND: MESSAGE" line on
 * stderr for a failure. With --json, stdout holds exactly one JSON object
 * (after the progress lines of a block job, cmd-blockjob.c):
 * {"ok": true, ...} on success, {"ok": false, "error": {"code": NAME,
 * "message": MESSAGE, "exit": STATUS, ...}} on any failure, usage errors
 * included; MESSAGE is the text of the stderr line. Strings are valid
 * UTF-8: a byte that is not part of UTF-8 is written as \udcXX (0xXX the
 * byte), as Python's surrogateescape reads it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_TOOLS_CLI_OUTPUT_H
#define VDISK_TOOLS_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <vdisk/common.h>

/* The JSON code of a usage error (exit status 2). */
#define VDISK_CLI_CODE_USAGE "usage"

/* Starts a run of the program: nothing reported yet, text mode. */
void vdisk_cli_output_reset(void);
/* The subcommand named in messages ("vdisk: NAME: ..."), NULL for none. */
void vdisk_cli_output_set_command(const char *name);
/* With @json, results and failures are printed as one JSON object. */
void vdisk_cli_output_set_json(bool json);
bool vdisk_cli_output_json(void);
/* Whether argv (up to "--") holds --json: known before the options are parsed,
 * so that a usage error found while parsing them is JSON too. */
bool vdisk_cli_argv_wants_json(int argc, char **argv);

/* @s as a JSON string (NULL: null), valid UTF-8 whatever its bytes. */
void vdisk_cli_json_string(FILE *fp, const char *s);

/* @json, a JSON text, as it is but for bytes that are not UTF-8 (they can
 * only be inside its strings): those as \udcXX. */
void vdisk_cli_json_raw(FILE *fp, const char *json);

/* A failure: the stderr line and, with --json, the error object.
 * @code is the JSON code, @status the exit status, returned. @libvirt_code
 * (when not 0) is added to the object. Only the first failure of a run is
 * reported. */
int vdisk_cli_fail(const char *code, int status, int libvirt_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A library error (or NULL: "failed without an error message"), the
 * message prefixed by @context when not NULL; frees @err and returns the
 * exit status vdisk_exit_for() gives its code. */
int vdisk_cli_report(const char *context, vdisk_error *err);
/* A usage error: also "Try 'vdisk SUBCOMMAND --help'" on stderr; exit 2. */
int vdisk_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The usage error getopt_long() found (it returned '?' or ':', opterr 0). */
int vdisk_cli_getopt_error(char **argv, int c);
/* An option value that is not one of @valid (NULL-terminated): a usage
 * error naming them. */
int vdisk_cli_bad_value(const char *what, const char *value, const char *const *valid);
/* The same for the names of enum @which (a vdisk_enum). */
int vdisk_cli_bad_enum(const char *what, const char *value, int which);

/* A success object: vdisk_cli_result_begin() prints {"ok": true; each
 * *_field() adds , "KEY": VALUE; vdisk_cli_result_end() closes it. In text
 * mode they print nothing. */
void vdisk_cli_result_begin(void);
void vdisk_cli_result_string(const char *key, const char *value);
void vdisk_cli_result_bool(const char *key, bool value);
void vdisk_cli_result_number(const char *key, unsigned long long value);
/* , "KEY": and nothing else: the caller writes the value. */
void vdisk_cli_result_key(const char *key);
void vdisk_cli_result_end(void);
/* Flushes stdout; a write error is reported (exit 1). Returns @status, or
 * 1 after a write error. */
int vdisk_cli_finish(int status);

#endif /* VDISK_TOOLS_CLI_OUTPUT_H */
