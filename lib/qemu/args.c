/*
 * args.c: translation options and the rendering of translation results
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "qemu/qemu_priv.h"
#include "util/error.h"

/* ---- options ----------------------------------------------------------------- */

vdisk_qemu_opts *
vdisk_qemu_opts_new(void)
{
    vdisk_qemu_opts *opts = g_new0(vdisk_qemu_opts, 1);

    opts->first_node = 1;
    return opts;
}

void
vdisk_qemu_opts_free(vdisk_qemu_opts *opts)
{
    if (!opts)
        return;
    g_free(opts->machine);
    g_clear_pointer(&opts->secrets, g_hash_table_unref);
    if (opts->master_key) {
        /* keys do not linger in freed memory */
        gsize len = 0;
        guint8 *key = g_bytes_unref_to_data(opts->master_key, &len);

        memset(key, 0, len);
        g_free(key);
    }
    g_free(opts);
}

int
vdisk_qemu_opts_set_machine(vdisk_qemu_opts *opts, const char *machine, vdisk_error **err)
{
    VD_API_ENTER();
    if (!opts)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "opts is NULL");
    if (machine && !*machine)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "empty machine type");
    g_free(opts->machine);
    opts->machine = g_strdup(machine);
    return 0;
}

int
vdisk_qemu_opts_set_qemu_version(vdisk_qemu_opts *opts, unsigned int major, unsigned int minor,
                                 unsigned int micro, vdisk_error **err)
{
    VD_API_ENTER();
    if (!opts)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "opts is NULL");
    if (major < 7 || (major == 7 && minor < 2))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "QEMU %u.%u.%u is not supported: translation needs QEMU 7.2 or later",
                       major, minor, micro);
    return 0;
}

int
vdisk_qemu_opts_set_first_node_index(vdisk_qemu_opts *opts, unsigned int index,
                                     vdisk_error **err)
{
    VD_API_ENTER();
    if (!opts)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "opts is NULL");
    if (index == 0)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "node index must be at least 1");
    opts->first_node = index;
    return 0;
}

/* ---- results ----------------------------------------------------------------- */

vdisk_qemu_args *
vd_qemu_args_new(void)
{
    vdisk_qemu_args *args = g_new0(vdisk_qemu_args, 1);

    args->kinds = g_ptr_array_new();
    args->props = g_ptr_array_new_with_free_func((GDestroyNotify)vd_prop_free);
    args->argv = g_ptr_array_new_with_free_func(g_free);
    args->qmp = g_ptr_array_new_with_free_func(g_free);
    return args;
}

void
vd_qemu_args_add(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props)
{
    g_ptr_array_add(args->kinds, GINT_TO_POINTER(kind));
    g_ptr_array_add(args->props, props);
}

static void
vd_qemu_item_names(vd_qemu_item_kind kind, const char **option, const char **command)
{
    switch (kind) {
    case VD_QEMU_ITEM_OBJECT:
        *option = "-object";
        *command = "object-add";
        return;
    case VD_QEMU_ITEM_BLOCKDEV:
        *option = "-blockdev";
        *command = "blockdev-add";
        return;
    case VD_QEMU_ITEM_DEVICE:
        *option = "-device";
        *command = "device_add";
        return;
    }
}

void
vd_qemu_args_render(vdisk_qemu_args *args)
{
    guint i;

    g_ptr_array_set_size(args->argv, 0);
    g_ptr_array_set_size(args->qmp, 0);
    for (i = 0; i < args->props->len; i++) {
        vd_qemu_item_kind kind = GPOINTER_TO_INT(g_ptr_array_index(args->kinds, i));
        const vd_prop *props = g_ptr_array_index(args->props, i);
        const char *option = NULL;
        const char *command = NULL;
        GString *cmd = g_string_new("{\"execute\":");

        vd_qemu_item_names(kind, &option, &command);
        g_ptr_array_add(args->argv, g_strdup(option));
        g_ptr_array_add(args->argv, vd_prop_to_json_string(props));

        vd_json_escape_append(cmd, command);
        g_string_append(cmd, ",\"arguments\":");
        vd_prop_to_json(cmd, props);
        g_string_append_c(cmd, '}');
        g_ptr_array_add(args->qmp, g_string_free(cmd, FALSE));
    }
}

size_t
vdisk_qemu_args_count(const vdisk_qemu_args *args)
{
    return args ? args->argv->len : 0;
}

const char *
vdisk_qemu_args_get(const vdisk_qemu_args *args, size_t i)
{
    if (!args || i >= args->argv->len)
        return NULL;
    return g_ptr_array_index(args->argv, i);
}

char *
vdisk_qemu_args_to_shell(const vdisk_qemu_args *args)
{
    GString *buf = g_string_new(NULL);
    guint i;

    for (i = 0; args && i < args->argv->len; i++) {
        if (i > 0)
            g_string_append_c(buf, ' ');
        vd_shell_quote_append(buf, g_ptr_array_index(args->argv, i));
    }
    return g_string_free(buf, FALSE);
}

size_t
vdisk_qemu_args_qmp_count(const vdisk_qemu_args *args)
{
    return args ? args->qmp->len : 0;
}

const char *
vdisk_qemu_args_qmp_get(const vdisk_qemu_args *args, size_t i)
{
    if (!args || i >= args->qmp->len)
        return NULL;
    return g_ptr_array_index(args->qmp, i);
}

void
vdisk_qemu_args_free(vdisk_qemu_args *args)
{
    if (!args)
        return;
    g_ptr_array_unref(args->kinds);
    g_ptr_array_unref(args->props);
    g_ptr_array_unref(args->argv);
    g_ptr_array_unref(args->qmp);
    g_free(args);
}
