/*
 * args.c: translation options and the rendering of translation results
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/conf.h"
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

vdisk_qemu_opts *
vd_qemu_opts_copy(const vdisk_qemu_opts *opts)
{
    vdisk_qemu_opts *copy = vdisk_qemu_opts_new();

    if (!opts)
        return copy;
    *copy = *opts;
    copy->machine = g_strdup(opts->machine);
    if (opts->secrets)
        copy->secrets = g_hash_table_ref(opts->secrets);
    if (opts->master_key)
        copy->master_key = g_bytes_new(g_bytes_get_data(opts->master_key, NULL),
                                       g_bytes_get_size(opts->master_key));
    return copy;
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
    if (machine && !vd_machine_known(machine)) {
        g_autofree char *known = vd_machine_known_names();

        return vd_fail(err, VDISK_ERR_INVALID_ARG, "unknown machine type '%s' (known: %s)",
                       machine, known);
    }
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

typedef struct {
    vd_qemu_item_kind kind;
    gsize json; /* offset of the item's JSON */
    gsize qmp;  /* offset of its QMP command, or VD_QEMU_NO_QMP */
} vd_qemu_item;

/* A -global or -drive has no QMP command here: it only exists on the
 * command line. */
#define VD_QEMU_NO_QMP G_MAXSIZE

/* What a disk's items take in vdisk_qemu_args.text (JSON and QMP command)
 * and how many there are, about: enough for most disks, so that the text
 * and the items grow seldom. */
#define VD_QEMU_TEXT_PER_DISK 1536
#define VD_QEMU_ITEMS_PER_DISK 8

vdisk_qemu_args *
vd_qemu_args_new(size_t ndisks)
{
    vdisk_qemu_args *args = g_new0(vdisk_qemu_args, 1);

    ndisks = MIN(MAX(ndisks, 1), 1024);
    args->text = g_string_sized_new(ndisks * VD_QEMU_TEXT_PER_DISK + 1024);
    args->items = g_array_sized_new(FALSE, FALSE, sizeof(vd_qemu_item),
                                    (guint)(ndisks * VD_QEMU_ITEMS_PER_DISK + 4));
    return args;
}

/* The command line option of an item. */
static const char *
vd_qemu_item_option(vd_qemu_item_kind kind)
{
    switch (kind) {
    case VD_QEMU_ITEM_OBJECT:
        return "-object";
    case VD_QEMU_ITEM_BLOCKDEV:
        return "-blockdev";
    case VD_QEMU_ITEM_DEVICE:
        return "-device";
    case VD_QEMU_ITEM_CHARDEV:
        return "-chardev";
    case VD_QEMU_ITEM_GLOBAL:
        return "-global";
    case VD_QEMU_ITEM_DRIVE:
        return "-drive";
    case VD_QEMU_ITEM_COMMAND:
        break;
    }
    return NULL;
}

/* The QMP command adding an item. */
static const char *
vd_qemu_item_command(vd_qemu_item_kind kind)
{
    switch (kind) {
    case VD_QEMU_ITEM_OBJECT:
        return "object-add";
    case VD_QEMU_ITEM_BLOCKDEV:
        return "blockdev-add";
    case VD_QEMU_ITEM_DEVICE:
        return "device_add";
    case VD_QEMU_ITEM_CHARDEV:
        return "chardev-add";
    case VD_QEMU_ITEM_GLOBAL:
    case VD_QEMU_ITEM_DRIVE:
    case VD_QEMU_ITEM_COMMAND:
        break;
    }
    return NULL;
}

void
vd_qemu_args_add(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props)
{
    GString *text = args->text;
    vd_qemu_item item = {kind, text->len, 0};
    gsize len, at;

    vd_prop_to_json(text, props);
    vd_prop_free(props);
    len = text->len - item.json;
    g_string_append_c(text, '\0');

    /* {"execute":"blockdev-add","arguments":JSON}, the JSON copied */
    item.qmp = text->len;
    g_string_append(text, "{\"execute\":\"");
    g_string_append(text, vd_qemu_item_command(kind));
    g_string_append(text, "\",\"arguments\":");
    at = text->len;
    g_string_set_size(text, at + len);
    memcpy(text->str + at, text->str + item.json, len);
    g_string_append_len(text, "}", 2); /* with its NUL */
    g_array_append_val(args->items, item);
}

void
vd_qemu_args_add_split(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props,
                       const char *qmp_json)
{
    GString *text = args->text;
    vd_qemu_item item = {kind, text->len, 0};

    vd_prop_to_json(text, props);
    vd_prop_free(props);
    g_string_append_c(text, '\0');
    item.qmp = text->len;
    g_string_append(text, "{\"execute\":\"");
    g_string_append(text, vd_qemu_item_command(kind));
    g_string_append(text, "\",\"arguments\":");
    g_string_append(text, qmp_json);
    g_string_append_len(text, "}", 2); /* with its NUL */
    g_array_append_val(args->items, item);
}

void
vd_qemu_args_add_chardev(vdisk_qemu_args *args, const char *opts, vd_prop *qmp)
{
    GString *text = args->text;
    vd_qemu_item item = {VD_QEMU_ITEM_CHARDEV, text->len, 0};

    g_string_append_len(text, opts, (gssize)strlen(opts) + 1); /* with its NUL */
    item.qmp = text->len;
    g_string_append(text, "{\"execute\":\"chardev-add\",\"arguments\":");
    vd_prop_to_json(text, qmp);
    vd_prop_free(qmp);
    g_string_append_len(text, "}", 2);
    g_array_append_val(args->items, item);
}

void
vd_qemu_args_add_option(vdisk_qemu_args *args, vd_qemu_item_kind kind, const char *value)
{
    GString *text = args->text;
    vd_qemu_item item = {kind, text->len, VD_QEMU_NO_QMP};

    g_string_append_len(text, value, (gssize)strlen(value) + 1); /* with its NUL */
    g_array_append_val(args->items, item);
}

void
vd_qemu_args_add_command(vdisk_qemu_args *args, const char *execute, vd_prop *arguments)
{
    GString *text = args->text;
    vd_qemu_item item = {VD_QEMU_ITEM_COMMAND, text->len, 0};

    g_string_append_c(text, '\0'); /* no command line form */
    item.qmp = text->len;
    g_string_append(text, "{\"execute\":\"");
    g_string_append(text, execute);
    g_string_append(text, "\",\"arguments\":");
    vd_prop_to_json(text, arguments);
    vd_prop_free(arguments);
    g_string_append_len(text, "}", 2); /* with its NUL */
    g_array_append_val(args->items, item);
}

void
vd_qemu_args_render(vdisk_qemu_args *args)
{
    guint i;

    g_free(args->argv);
    g_free(args->qmp);
    args->argv = g_new(const char *, 2 * args->items->len);
    args->qmp = g_new(const char *, args->items->len);
    args->nqmp = 0;
    args->nargv = 0;
    for (i = 0; i < args->items->len; i++) {
        const vd_qemu_item *item = &g_array_index(args->items, vd_qemu_item, i);

        if (item->kind != VD_QEMU_ITEM_COMMAND) {
            args->argv[args->nargv++] = vd_qemu_item_option(item->kind);
            args->argv[args->nargv++] = args->text->str + item->json;
        }
        if (item->qmp != VD_QEMU_NO_QMP)
            args->qmp[args->nqmp++] = args->text->str + item->qmp;
    }
}

size_t
vdisk_qemu_args_count(const vdisk_qemu_args *args)
{
    return args && args->argv ? args->nargv : 0;
}

const char *
vdisk_qemu_args_get(const vdisk_qemu_args *args, size_t i)
{
    if (i >= vdisk_qemu_args_count(args))
        return NULL;
    return args->argv[i];
}

char *
vdisk_qemu_args_to_shell(const vdisk_qemu_args *args)
{
    GString *buf = g_string_new(NULL);
    size_t n = vdisk_qemu_args_count(args);
    size_t i;

    for (i = 0; i < n; i++) {
        if (i > 0)
            g_string_append_c(buf, ' ');
        vd_shell_quote_append(buf, args->argv[i]);
    }
    return g_string_free(buf, FALSE);
}

size_t
vdisk_qemu_args_qmp_count(const vdisk_qemu_args *args)
{
    return args && args->qmp ? args->nqmp : 0;
}

const char *
vdisk_qemu_args_qmp_get(const vdisk_qemu_args *args, size_t i)
{
    if (i >= vdisk_qemu_args_qmp_count(args))
        return NULL;
    return args->qmp[i];
}

void
vdisk_qemu_args_free(vdisk_qemu_args *args)
{
    if (!args)
        return;
    g_string_free(args->text, TRUE);
    g_array_unref(args->items);
    g_free(args->argv);
    g_free(args->qmp);
    g_free(args);
}
