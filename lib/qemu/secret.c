/*
 * secret.c: the values of libvirt secrets, and -object secret
 *
 * libvirt reads a disk's secrets (ceph keys, iSCSI CHAP passwords, LUKS
 * passphrases) from its secret driver and hands them to QEMU in secret
 * objects encrypted with a per-domain master key, which QEMU loads from a
 * file as the object "masterKey0". Translation reads no secret store: the
 * caller gives the values (vdisk_qemu_opts_set_secret()) and, to get
 * libvirt's encrypted form, the master key (vdisk_qemu_opts_set_master_key());
 * without a master key the value is passed in plain base64, which QEMU
 * accepts as well.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "qemu/qemu_priv.h"

#define VD_AES_KEY_LEN 32
#define VD_AES_IV_LEN 16

int
vdisk_qemu_opts_set_secret(vdisk_qemu_opts *opts, const char *key, const void *value, size_t len,
                           vdisk_error **err)
{
    VD_API_ENTER();
    if (!opts || !key)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "opts and key must not be NULL");
    if (!*key)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "empty secret UUID or usage");
    if (!value && len > 0)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "secret '%s': value is NULL", key);
    if (!opts->secrets)
        opts->secrets =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
    if (!value)
        g_hash_table_remove(opts->secrets, key);
    else
        g_hash_table_replace(opts->secrets, g_strdup(key), g_bytes_new(value, len));
    return 0;
}

int
vdisk_qemu_opts_set_master_key(vdisk_qemu_opts *opts, const void *key, size_t len,
                               vdisk_error **err)
{
    VD_API_ENTER();
    if (!opts)
        return vd_fail(err, VDISK_ERR_INVALID_ARG, "opts is NULL");
    if (key && len != VD_AES_KEY_LEN)
        return vd_fail(err, VDISK_ERR_INVALID_ARG,
                       "master key of %zu bytes: an AES-256 key has %d bytes", len, VD_AES_KEY_LEN);
    g_clear_pointer(&opts->master_key, g_bytes_unref);
    if (key)
        opts->master_key = g_bytes_new(key, len);
    return 0;
}

int
vd_qemu_secret_lookup(GBytes **out, const vdisk_qemu_opts *opts, const char *uuid,
                      const char *usage, vdisk_error **err)
{
    GBytes *value = NULL;

    if (opts && opts->secrets) {
        if (uuid)
            value = g_hash_table_lookup(opts->secrets, uuid);
        if (!value && usage)
            value = g_hash_table_lookup(opts->secrets, usage);
    }
    if (!value) {
        if (uuid)
            return vd_fail(err, VDISK_ERR_NOT_FOUND,
                                "Secret not found: no secret with matching uuid '%s'", uuid);
        return vd_fail(err, VDISK_ERR_NOT_FOUND,
                            "Secret not found: no secret with matching usage '%s'",
                            usage ? usage : "");
    }
    *out = g_bytes_ref(value);
    return 0;
}

int
vd_qemu_secret_object(vd_prop **out, const vdisk_qemu_opts *opts, const char *id, const void *value,
                      size_t len, vdisk_error **err)
{
    g_autoptr(vd_prop) obj = vd_prop_object_new();

    vd_prop_add_str(obj, "qom-type", "secret");
    vd_prop_add_str(obj, "id", id);
    if (opts && opts->master_key) {
        guint8 iv[VD_AES_IV_LEN];
        g_autoptr(GBytes) cipher = NULL;
        g_autofree char *data = NULL;
        g_autofree char *iv64 = NULL;
        gsize clen = 0;
        const guint8 *cdata;
        size_t got = 0;

        while (got < sizeof(iv)) {
            ssize_t n = getrandom(iv + got, sizeof(iv) - got, 0);

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return vd_fail(err, VDISK_ERR_SYSTEM,
                                    "cannot get random bytes for the IV of secret '%s': %s", id,
                                    g_strerror(errno));
            got += (size_t)n;
        }
        cipher = vd_aes256_cbc_encrypt(g_bytes_get_data(opts->master_key, NULL), iv, value, len);
        cdata = g_bytes_get_data(cipher, &clen);
        data = g_base64_encode(cdata, clen);
        iv64 = g_base64_encode(iv, sizeof(iv));
        vd_prop_add_str(obj, "data", data);
        vd_prop_add_str(obj, "keyid", VD_QEMU_MASTER_KEY_ID);
        vd_prop_add_str(obj, "iv", iv64);
    } else {
        g_autofree char *data = g_base64_encode(value, len);

        vd_prop_add_str(obj, "data", data);
    }
    vd_prop_add_str(obj, "format", "base64");
    *out = g_steal_pointer(&obj);
    return 0;
}
