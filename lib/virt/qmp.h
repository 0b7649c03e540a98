/*
 * qmp.h: reading QEMU's QMP replies (qmp.c), for the few places that ask
 * QEMU itself through virDomainQemuMonitorCommand()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* The elements of the "return" array of @reply, each the text of one JSON
 * value, in order (a GPtrArray of strings); NULL when @reply has none. */
GPtrArray *vd_qmp_return_elements(const char *reply);

/* The value of member @key of the JSON object @obj (its own members only,
 * not nested ones): a string's contents unescaped, or the text of any other
 * value ("true", "{...}"); NULL when absent. The caller's (g_free()). */
char *vd_qmp_member(const char *obj, const char *key);
