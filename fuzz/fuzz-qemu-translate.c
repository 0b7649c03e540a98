/*
 * fuzz-qemu-translate.c: translation of arbitrary domains to QEMU
 *
 * The input is a domain document. Once libvdisk accepts it, the domain and
 * each of its disks are translated (with a master key and the secrets the
 * project's corpus refers to, so the secret objects are built too), and
 * every result is checked:
 *   - argv alternates options ("-blockdev", "-device", ...) and values;
 *   - every JSON value and every QMP command is well-formed JSON in valid
 *     UTF-8, and each QMP command is {"execute":"...","arguments":{...}};
 *   - the QMP commands are the argv items that have one (all but -global
 *     and -drive), in the same order;
 *   - the shell line splits, as a POSIX shell splits it, back into argv.
 * A failing translation must leave an error behind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdbool.h>

#include "fuzz-common.h"

/* ---- a strict JSON reader (RFC 8259), enough to check well-formedness ---- */

static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static bool
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *
json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        unsigned char c = (unsigned char)*p;

        if (c == '\0' || c < 0x20)
            return NULL;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (!is_hex(p[i]))
                        return NULL;
                }
                p += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", *p) || !*p)
                return NULL;
        }
        p++;
    }
    return p + 1;
}

static const char *
json_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

static const char *
json_value(const char *p, int depth)
{
    if (depth > 64)
        return NULL;
    p = json_ws(p);
    switch (*p) {
    case '{':
        p = json_ws(p + 1);
        if (*p == '}')
            return p + 1;
        for (;;) {
            if (!(p = json_string(json_ws(p))))
                return NULL;
            p = json_ws(p);
            if (*p++ != ':' || !(p = json_value(p, depth + 1)))
                return NULL;
            p = json_ws(p);
            if (*p == '}')
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    case '[':
        p = json_ws(p + 1);
        if (*p == ']')
            return p + 1;
        for (;;) {
            if (!(p = json_value(p, depth + 1)))
                return NULL;
            p = json_ws(p);
            if (*p == ']')
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    case '"':
        return json_string(p);
    case 't':
        return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        return json_number(p);
    }
}

/* Whether @s is valid UTF-8 (no overlong forms, surrogates or values past
 * U+10FFFF). */
static bool
utf8_valid(const unsigned char *s)
{
    while (*s) {
        unsigned int c = *s, n, min, cp;

        if (c < 0x80) {
            s++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            n = 1, min = 0x80, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            n = 2, min = 0x800, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            n = 3, min = 0x10000, cp = c & 0x07;
        else
            return false;
        for (unsigned int i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        s += n + 1;
    }
    return true;
}

static bool
json_ok(const char *s)
{
    const char *end;

    if (!utf8_valid((const unsigned char *)s))
        return false;
    end = json_value(s, 0);
    return end && *json_ws(end) == '\0';
}

/* ---- the shell line, split as a POSIX shell splits it --------------------- */

/* Splits @line into words (quotes removed) and compares them with @args. */
static bool
shell_matches(const char *line, const vdisk_qemu_args *args)
{
    size_t n = vdisk_qemu_args_count(args);
    size_t len = strlen(line);
    char *word = malloc(len + 1);
    size_t i = 0;
    const char *p = line;
    bool ok = true;

    if (!word)
        abort();
    while (ok && *p) {
        size_t w = 0;

        while (*p == ' ')
            p++;
        if (!*p)
            break;
        while (*p && *p != ' ') {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');

                if (!q) {
                    ok = false;
                    break;
                }
                memcpy(word + w, p + 1, (size_t)(q - p - 1));
                w += (size_t)(q - p - 1);
                p = q + 1;
            } else if (*p == '\\' && p[1]) {
                word[w++] = p[1];
                p += 2;
            } else if (*p == '"' || *p == '\\' || *p == '$' || *p == '`' || *p == '\t' ||
                       *p == '\n') {
                ok = false; /* would be interpreted, not taken literally */
                break;
            } else {
                word[w++] = *p++;
            }
        }
        word[w] = '\0';
        if (ok && (i >= n || strcmp(word, vdisk_qemu_args_get(args, i)) != 0))
            ok = false;
        i++;
    }
    free(word);
    return ok && i == n;
}

/* ---- the checks ----------------------------------------------------------- */

static void
check_args(const vdisk_qemu_args *args, const char *xml)
{
    size_t n = vdisk_qemu_args_count(args);
    size_t nqmp = vdisk_qemu_args_qmp_count(args);
    size_t q = 0;
    char *line;

    if (n % 2 != 0)
        fuzz_die("argv has an odd number of elements", xml, NULL);
    for (size_t i = 0; i < n; i += 2) {
        const char *opt = vdisk_qemu_args_get(args, i);
        const char *val = vdisk_qemu_args_get(args, i + 1);

        if (!opt || !val || opt[0] != '-')
            fuzz_die("argv does not alternate options and values", xml, NULL);
        if (!utf8_valid((const unsigned char *)val))
            fuzz_die("an argv value is not UTF-8", val, NULL);
        if (val[0] == '{' && !json_ok(val))
            fuzz_die("an argv value is not well-formed JSON", val, NULL);
        if (strcmp(opt, "-global") == 0 || strcmp(opt, "-drive") == 0)
            continue;
        if (strcmp(opt, "-chardev") != 0 && val[0] != '{')
            fuzz_die("a JSON option has no JSON value", val, NULL);
        if (q >= nqmp)
            fuzz_die("an argv item has no QMP command", val, NULL);
        {
            const char *cmd = vdisk_qemu_args_qmp_get(args, q++);
            const char *a;

            if (!cmd || !json_ok(cmd) || strncmp(cmd, "{\"execute\":\"", 12) != 0 ||
                !(a = strstr(cmd, "\",\"arguments\":{")))
                fuzz_die("a QMP command is malformed", cmd, NULL);
            /* an item whose argv value is its arguments */
            if (val[0] == '{' && strncmp(a + 14, val, strlen(val)) == 0 &&
                strcmp(a + 14 + strlen(val), "}") == 0)
                continue;
            if (val[0] == '{' && strcmp(opt, "-device") != 0)
                fuzz_die("a QMP command's arguments differ from its argv value", cmd, NULL);
        }
    }
    if (q != nqmp)
        fuzz_die("more QMP commands than argv items", xml, NULL);
    line = vdisk_qemu_args_to_shell(args);
    if (!line || !shell_matches(line, args))
        fuzz_die("the shell line does not split into argv", line, NULL);
    vdisk_free(line);
}

static vdisk_qemu_opts *
make_opts(void)
{
    static const char *const keys[] = {
        "0a81f5b2-8403-7b23-c8d6-21ccc2f80001", "0a81f5b2-8403-7b23-c8d6-21ccc2f80002",
        "0a81f5b2-8403-7b23-c8d6-21ccc2f80003", "0a81f5b2-8403-7b23-c8d6-21ccc2f80004",
        "0a81f5b2-8403-7b23-c8d6-21ccc2f80005", "vdisk-test-ceph",
        "vdisk-test-iscsi",                     "/var/lib/vdisk-test/luks.img",
    };
    static const unsigned char key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    vdisk_qemu_opts *opts = vdisk_qemu_opts_new();

    if (vdisk_qemu_opts_set_master_key(opts, key, sizeof(key), NULL) < 0)
        abort();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (vdisk_qemu_opts_set_secret(opts, keys[i], "fuzz-secret\001\377", 13, NULL) < 0)
            abort();
    }
    return opts;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vdisk_qemu_opts *opts;
    char *xml = fuzz_string(data, size);
    vdisk_domain *dom = NULL;
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;
    int rc;

    if (!opts)
        opts = make_opts();
    rc = vdisk_domain_from_xml(&dom, xml, &err);
    fuzz_check_error(rc, err);
    if (rc < 0)
        goto cleanup;

    rc = vdisk_qemu_translate_domain(&args, dom, opts, &err);
    fuzz_check_error(rc, err);
    if (rc == 0)
        check_args(args, xml);
    vdisk_qemu_args_free(args);
    args = NULL;
    vdisk_error_free(err);
    err = NULL;

    for (size_t i = 0; i < vdisk_domain_get_disk_count(dom); i++) {
        rc = vdisk_qemu_translate_disk(&args, vdisk_domain_get_disk_const(dom, i), dom, opts,
                                       &err);
        fuzz_check_error(rc, err);
        if (rc == 0)
            check_args(args, xml);
        vdisk_qemu_args_free(args);
        args = NULL;
        vdisk_error_free(err);
        err = NULL;
    }

cleanup:
    vdisk_domain_free(dom);
    vdisk_error_free(err);
    free(xml);
    return 0;
}
