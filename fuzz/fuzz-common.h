/*
 * fuzz-common.h: what every fuzz target checks once the library accepted
 * an input: formatting succeeds, and the formatted XML parses again and
 * formats to the same text (parse -> format is a fixed point; for domains,
 * from the second formatting on, see fuzz-domain-xml.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_FUZZ_COMMON_H
#define VDISK_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vdisk/vdisk.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as the NUL-terminated string the API takes. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static inline void
fuzz_die(const char *what, const char *xml, const vdisk_error *err)
{
    fprintf(stderr, "fuzz: %s\n%s%s\n", what, err ? vdisk_error_get_message(err) : "",
            xml ? xml : "");
    abort();
}

/* Every failing call must leave a message behind. */
static inline void
fuzz_check_error(int rc, const vdisk_error *err)
{
    if (rc < 0 &&
        (!err || !vdisk_error_get_message(err) || vdisk_error_get_code(err) == VDISK_ERR_OK))
        fuzz_die("a failing call left no error", NULL, err);
}

#endif /* VDISK_FUZZ_COMMON_H */
