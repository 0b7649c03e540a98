/*
 * hotplug-util.h: what the test programs that run domains (tests/hotplug,
 * tests/guest, tests/blockjob) share for looking at QEMU (over QMP through
 * libvirt), at libvirt's view of a domain's disks, and for their files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDISK_TEST_HOTPLUG_UTIL_H
#define VDISK_TEST_HOTPLUG_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <glib.h>
#include <stdio.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include <vdisk/hotplug.h>

/* QEMU's reply to the QMP command @cmd, the caller's. */
static inline char *
qmp(virDomainPtr dom, const char *cmd)
{
    char *result = NULL;

    if (virDomainQemuMonitorCommand(dom, cmd, &result, 0) < 0)
        fail_msg("QMP %s failed: %s", cmd, virGetLastErrorMessage());
    return result;
}

static inline unsigned int
count_in(const char *hay, const char *needle)
{
    unsigned int n = 0;
    const char *p = hay;

    while ((p = strstr(p, needle))) {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* How many block nodes QEMU has open on @path. */
static inline unsigned int
qemu_nodes_on(virDomainPtr dom, const char *path)
{
    g_autofree char *out = qmp(dom, "{\"execute\":\"query-named-block-nodes\"}");
    g_autofree char *quoted = g_strdup_printf("\"file\": \"%s\"", path);
    g_autofree char *compact = g_strdup_printf("\"file\":\"%s\"", path);

    return count_in(out, quoted) + count_in(out, compact);
}

/* The disks of @dom as libvirt lists them (vdisk_hotplug_list() @flags). */
static inline vdisk_domain *
list_disks(virDomainPtr dom, unsigned int flags)
{
    vdisk_domain *ctx = NULL;
    vdisk_error *err = NULL;

    if (vdisk_hotplug_list(&ctx, dom, flags, &err) < 0)
        fail_msg("list: %s", vdisk_error_get_message(err));
    return ctx;
}

/* Removes @dir and what it holds, staying on its file system (a mount
 * below it is left, not emptied). */
static inline void
remove_tree(const char *dir)
{
    const char *argv[] = {"rm", "-rf", "--one-file-system", dir, NULL};

    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                 NULL);
}

/* Copies @from_dir/@name (a file of the test guest) to @to_dir/@name, *@out
 * its path (the caller's); -1 when it cannot be read or written. */
static inline int
copy_in(const char *from_dir, const char *name, const char *to_dir, char **out)
{
    g_autofree char *from = g_build_filename(from_dir, name, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(from, &data, &len, NULL)) {
        fprintf(stderr, "no %s: build the guest with scripts/build-test-guest.sh\n", from);
        return -1;
    }
    *out = g_build_filename(to_dir, name, NULL);
    return g_file_set_contents(*out, data, len, NULL) ? 0 : -1;
}

#endif /* VDISK_TEST_HOTPLUG_UTIL_H */
