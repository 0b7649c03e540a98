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
    gsize json;     /* offset of the item's JSON (or option value) in text */
    gsize json_len; /* its length */
    gsize qmp;      /* offset of its QMP command in text, or one of: */
} vd_qemu_item;

/* A -global or -drive has no QMP command here: it only exists on the
 * command line. */
#define VD_QEMU_NO_QMP G_MAXSIZE
/* The QMP command is {"execute":"COMMAND","arguments":JSON} with the
 * item's own JSON: it is written when the QMP commands are first read,
 * since most callers want either the command line or QMP, not both. */
#define VD_QEMU_QMP_FROM_JSON (G_MAXSIZE - 1)

/* What a disk's items take in vdisk_qemu_args.text and how many there
 * are, about: enough for most disks, so that the text and the items grow
 * seldom. */
#define VD_QEMU_TEXT_PER_DISK 1024
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

static void
vd_qemu_item_push(vdisk_qemu_args *args, const vd_qemu_item *item)
{
    g_array_append_vals(args->items, item, 1);
    if (item->qmp != VD_QEMU_NO_QMP)
        args->nqmp++;
}

/* Renders @props (taken) into text, with its NUL; returns its offset and
 * sets *@len. */
static gsize
vd_qemu_text_add_json(vdisk_qemu_args *args, vd_prop *props, gsize *len)
{
    GString *text = args->text;
    gsize at = text->len;

    vd_prop_to_json(text, props);
    vd_prop_free(props);
    *len = text->len - at;
    g_string_append_c(text, '\0');
    return at;
}

static void
vd_qemu_text_add_command(GString *text, const char *execute)
{
    g_string_append(text, "{\"execute\":\"");
    g_string_append(text, execute);
    g_string_append(text, "\",\"arguments\":");
}

void
vd_qemu_args_add(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props)
{
    vd_qemu_item item = {kind, 0, 0, VD_QEMU_QMP_FROM_JSON};

    item.json = vd_qemu_text_add_json(args, props, &item.json_len);
    vd_qemu_item_push(args, &item);
}

void
vd_qemu_args_add_split(vdisk_qemu_args *args, vd_qemu_item_kind kind, vd_prop *props,
                       const char *qmp_json)
{
    GString *text = args->text;
    vd_qemu_item item = {kind, 0, 0, 0};

    item.json = vd_qemu_text_add_json(args, props, &item.json_len);
    item.qmp = text->len;
    vd_qemu_text_add_command(text, vd_qemu_item_command(kind));
    g_string_append(text, qmp_json);
    g_string_append_len(text, "}", 2); /* with its NUL */
    vd_qemu_item_push(args, &item);
}

void
vd_qemu_args_add_chardev(vdisk_qemu_args *args, const char *opts, vd_prop *qmp)
{
    GString *text = args->text;
    vd_qemu_item item = {VD_QEMU_ITEM_CHARDEV, text->len, strlen(opts), 0};

    g_string_append_len(text, opts, (gssize)item.json_len + 1); /* with its NUL */
    item.qmp = text->len;
    vd_qemu_text_add_command(text, "chardev-add");
    vd_prop_to_json(text, qmp);
    vd_prop_free(qmp);
    g_string_append_len(text, "}", 2);
    vd_qemu_item_push(args, &item);
}

void
vd_qemu_args_add_option(vdisk_qemu_args *args, vd_qemu_item_kind kind, const char *value)
{
    GString *text = args->text;
    vd_qemu_item item = {kind, text->len, strlen(value), VD_QEMU_NO_QMP};

    g_string_append_len(text, value, (gssize)item.json_len + 1); /* with its NUL */
    vd_qemu_item_push(args, &item);
}

void
vd_qemu_args_add_command(vdisk_qemu_args *args, const char *execute, vd_prop *arguments)
{
    GString *text = args->text;
    vd_qemu_item item = {VD_QEMU_ITEM_COMMAND, text->len, 0, 0};

    g_string_append_c(text, '\0'); /* no command line form */
    item.qmp = text->len;
    vd_qemu_text_add_command(text, execute);
    vd_prop_to_json(text, arguments);
    vd_prop_free(arguments);
    g_string_append_len(text, "}", 2); /* with its NUL */
    vd_qemu_item_push(args, &item);
}

static void
vd_qemu_args_drop_qmp(vdisk_qemu_args *args)
{
    g_free((void *)atomic_exchange(&args->qmp, NULL));
}

void
vd_qemu_args_render(vdisk_qemu_args *args)
{
    guint i;

    g_free(args->argv);
    vd_qemu_args_drop_qmp(args);
    args->argv = g_new(const char *, 2 * args->items->len);
    args->nargv = 0;
    for (i = 0; i < args->items->len; i++) {
        const vd_qemu_item *item = &g_array_index(args->items, vd_qemu_item, i);

        if (item->kind != VD_QEMU_ITEM_COMMAND) {
            args->argv[args->nargv++] = vd_qemu_item_option(item->kind);
            args->argv[args->nargv++] = args->text->str + item->json;
        }
    }
}

/* The QMP commands, written when they are first read: those made from an
 * item's JSON go after the array of pointers, in the same allocation; the
 * others are in text already. */
static const char **
vd_qemu_args_build_qmp(const vdisk_qemu_args *args)
{
    const vd_qemu_item *items = (const vd_qemu_item *)(void *)args->items->data;
    guint n = args->items->len;
    static const char head[] = "{\"execute\":\"";
    static const char mid[] = "\",\"arguments\":";
    /* the sizes count the two NULs: room for the closing '}' and the NUL */
    const gsize wrap = sizeof(head) + sizeof(mid);
    gsize size = MAX(args->nqmp, 1) * sizeof(const char *);
    const char **qmp;
    size_t k = 0;
    char *p;
    guint i;

    for (i = 0; i < n; i++) {
        if (items[i].qmp == VD_QEMU_QMP_FROM_JSON)
            size += strlen(vd_qemu_item_command(items[i].kind)) + items[i].json_len + wrap;
    }
    qmp = g_malloc(size);
    p = (char *)(qmp + MAX(args->nqmp, 1));
    for (i = 0; i < n; i++) {
        const vd_qemu_item *item = &items[i];
        const char *command;
        size_t clen;

        if (item->qmp == VD_QEMU_NO_QMP)
            continue;
        if (item->qmp != VD_QEMU_QMP_FROM_JSON) {
            qmp[k++] = args->text->str + item->qmp;
            continue;
        }
        command = vd_qemu_item_command(item->kind);
        clen = strlen(command);
        qmp[k++] = p;
        memcpy(p, head, sizeof(head) - 1);
        p += sizeof(head) - 1;
        memcpy(p, command, clen);
        p += clen;
        memcpy(p, mid, sizeof(mid) - 1);
        p += sizeof(mid) - 1;
        memcpy(p, args->text->str + item->json, item->json_len);
        p += item->json_len;
        *p++ = '}';
        *p++ = '\0';
    }
    return qmp;
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
    return args && args->argv ? args->nqmp : 0;
}

const char *
vdisk_qemu_args_qmp_get(const vdisk_qemu_args *args, size_t i)
{
    const char **qmp;

    if (i >= vdisk_qemu_args_qmp_count(args))
        return NULL;
    /* results may be read from several threads at once: each reader that
     * finds no commands writes them, and the first to publish its copy
     * wins; the others drop theirs */
    qmp = atomic_load_explicit(&args->qmp, memory_order_acquire);
    if (!qmp) {
        const char **mine = vd_qemu_args_build_qmp(args);
        const char **none = NULL;

        if (atomic_compare_exchange_strong(&((vdisk_qemu_args *)args)->qmp, &none, mine)) {
            qmp = mine;
        } else {
            g_free(mine);
            qmp = none;
        }
    }
    return qmp[i];
}

void
vdisk_qemu_args_free(vdisk_qemu_args *args)
{
    if (!args)
        return;
    g_string_free(args->text, TRUE);
    g_array_unref(args->items);
    g_free(args->argv);
    vd_qemu_args_drop_qmp(args);
    g_free(args);
}
