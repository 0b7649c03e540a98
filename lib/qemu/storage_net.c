/*
 * storage_net.c: network storage nodes (nbd, rbd, gluster, iscsi, curl,
 * ssh, nfs) as libvirt 9.0 describes them to QEMU 7.2
 *
 * The members and their order follow libvirt's per-protocol builders of
 * -blockdev properties. The objects a node refers to (auth secret, cookie
 * secret, TLS credentials) are created by the caller, which passes their
 * ids.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "qemu/qemu_priv.h"

/* The port as libvirt prints it: the number it holds, 0 when unset. */
static const char *
vd_net_port(const vdisk_host *host)
{
    const char *port = vdisk_host_get_port(host);

    return port ? port : "0";
}

static bool
vd_net_host_is_tcp(const vdisk_host *host)
{
    vdisk_transport t = vdisk_host_get_transport(host);

    return t == VDISK_TRANSPORT_DEFAULT || t == VDISK_TRANSPORT_TCP;
}

/* QEMU's SocketAddress: inet with host and port, or unix with a path. */
static int
vd_net_socket_address(vd_prop **out, const vdisk_disk *disk, const vdisk_host *host,
                      vdisk_error **err)
{
    vd_prop *server = NULL;

    switch (vdisk_host_get_transport(host)) {
    case VDISK_TRANSPORT_DEFAULT:
    case VDISK_TRANSPORT_TCP:
        server = vd_prop_object_new();
        vd_prop_add_str(server, "type", "inet");
        vd_prop_add_str(server, "host", vdisk_host_get_name(host));
        vd_prop_add_str(server, "port", vd_net_port(host));
        break;
    case VDISK_TRANSPORT_UNIX:
        server = vd_prop_object_new();
        vd_prop_add_str(server, "type", "unix");
        vd_prop_add_str(server, "path", vdisk_host_get_socket(host));
        break;
    case VDISK_TRANSPORT_RDMA:
    case VDISK_TRANSPORT_LAST:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: transport protocol '%s' is not yet supported", vd_disk_label(disk),
                            "rdma");
    }
    *out = server;
    return 0;
}

/* QEMU's InetSocketAddress: host and port only. */
static int
vd_net_inet_address(vd_prop **out, const vdisk_disk *disk, const vdisk_host *host,
                    vdisk_error **err)
{
    vd_prop *server;

    if (!vd_net_host_is_tcp(host))
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: only TCP protocol can be converted to InetSocketAddress",
                            vd_disk_label(disk));
    server = vd_prop_object_new();
    vd_prop_add_str(server, "host", vdisk_host_get_name(host));
    vd_prop_add_str(server, "port", vd_net_port(host));
    *out = server;
    return 0;
}

static int
vd_net_one_host(const vdisk_disk *disk, const vdisk_source *src, vdisk_error **err)
{
    if (vdisk_source_get_host_count(src) != 1)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: protocol '%s' accepts only one host",
                            vd_disk_label(disk),
                            vd_protocol_to_string(vdisk_source_get_protocol(src)));
    return 0;
}

/* rbd and gluster keep "pool/image" (volume/path) in one name. */
static int
vd_net_split_name(const vdisk_disk *disk, const vdisk_source *src, char **volume, const char **path,
                  vdisk_error **err)
{
    const char *name = vdisk_source_get_name(src);
    const char *slash = name ? strchr(name, '/') : NULL;

    if (!name) {
        *volume = NULL;
        *path = NULL;
        return 0;
    }
    if (!slash || slash == name)
        return vd_fail(err, VDISK_ERR_INVALID,
                            "%s: can't split path '%s' into pool name and image name",
                            vd_disk_label(disk), name);
    *volume = g_strndup(name, (gsize)(slash - name));
    *path = slash + 1;
    return 0;
}

char *
vd_qemu_net_cookie_string(const vdisk_source *src)
{
    GString *buf = g_string_new(NULL);
    size_t i;

    for (i = 0; i < vdisk_source_get_cookie_count(src); i++) {
        const char *name = NULL, *value = NULL;

        if (vdisk_source_get_cookie(src, i, &name, &value) < 0)
            continue;
        if (buf->len)
            g_string_append(buf, "; ");
        g_string_append_printf(buf, "%s=%s", name, value ? value : "");
    }
    return g_string_free(buf, FALSE);
}

bool
vd_qemu_net_uses_tls(const vdisk_source *src)
{
    return vdisk_source_get_type(src) == VDISK_TYPE_NETWORK &&
           vdisk_source_get_protocol(src) == VDISK_PROTOCOL_NBD &&
           vdisk_source_get_tls(src) == VDISK_TRISTATE_ON;
}

/* nfs identity: "+N" or digits are ids; names need the host's user
 * database, which translation does not read. */
static int
vd_net_nfs_id(long long *out, const vdisk_disk *disk, const char *what, const char *value,
              vdisk_error **err)
{
    const char *digits = value[0] == '+' ? value + 1 : value;
    char *end = NULL;
    unsigned long long n;

    if (!*digits || !g_ascii_isdigit(*digits))
        goto fail;
    n = g_ascii_strtoull(digits, &end, 10);
    if (*end || n > G_MAXINT32)
        goto fail;
    *out = (long long)n;
    return 0;

fail:
    return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                        "%s: nfs %s '%s' must be resolved on the host before translation "
                        "(give a numeric id, '+N')",
                        vd_disk_label(disk), what, value);
}

static char *
vd_net_curl_url(const vdisk_source *src)
{
    const vdisk_host *host = vdisk_source_get_host(src, 0);
    const char *name = vdisk_source_get_name(src);
    const char *query = vdisk_source_get_query(src);
    const char *proto = vd_protocol_to_string(vdisk_source_get_protocol(src));
    GString *url = g_string_new(NULL);

    if (vd_net_host_is_tcp(host))
        g_string_append_printf(url, "%s://", proto);
    else
        g_string_append_printf(url, "%s+%s://", proto,
                               vd_transport_to_string(vdisk_host_get_transport(host)));
    g_string_append(url, vdisk_host_get_name(host) ? vdisk_host_get_name(host) : "");
    if (vd_net_host_is_tcp(host) && vdisk_host_get_port(host) &&
        strcmp(vdisk_host_get_port(host), "0") != 0)
        g_string_append_printf(url, ":%s", vdisk_host_get_port(host));
    if (name) {
        if (name[0] != '/')
            g_string_append_c(url, '/');
        g_string_append_uri_escaped(url, name, "/:@!$&'()*+,;=~", FALSE);
    }
    if (query && *query)
        g_string_append_printf(url, "?%s", query);
    return g_string_free(url, FALSE);
}

int
vd_qemu_net_check(const vdisk_disk *disk, const vdisk_source *src, vdisk_error **err)
{
    vdisk_protocol proto = vdisk_source_get_protocol(src);
    const char *label = vd_disk_label(disk);
    bool curl = proto == VDISK_PROTOCOL_HTTP || proto == VDISK_PROTOCOL_HTTPS ||
                proto == VDISK_PROTOCOL_FTP || proto == VDISK_PROTOCOL_FTPS;
    bool http = proto == VDISK_PROTOCOL_HTTP || proto == VDISK_PROTOCOL_HTTPS;

    if (vdisk_source_get_ssl_verify(src) != VDISK_TRISTATE_DEFAULT &&
        proto != VDISK_PROTOCOL_HTTPS && proto != VDISK_PROTOCOL_FTPS)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: ssl verification is supported only with HTTPS/FTPS protocol",
                            label);
    if (vdisk_source_get_cookie_count(src) > 0 && !http)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: http cookies are supported only with HTTP(S) protocol", label);
    if (vdisk_source_get_readahead(src) > 0 && !curl)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: readahead is supported only with HTTP(S)/FTP(s) protocols", label);
    if (vdisk_source_get_timeout(src) > 0 && !curl)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: timeout is supported only with HTTP(S)/FTP(s) protocols", label);
    if (vd_source_get_tls_hostname(src) && proto != VDISK_PROTOCOL_NBD)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                       "%s: 'tlsHostname' field is supported only with NBD disks", label);
    if (vdisk_source_get_query(src) && !http)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: query is supported only with HTTP(S) protocols", label);
    if (vdisk_source_get_tls(src) == VDISK_TRISTATE_ON && proto != VDISK_PROTOCOL_NBD &&
        proto != VDISK_PROTOCOL_VXHS)
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: TLS transport is not supported for disk protocol '%s'", label,
                            vd_protocol_to_string(proto));

    switch (proto) {
    case VDISK_PROTOCOL_TFTP:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: 'tftp' protocol is not supported with this QEMU binary", label);
    case VDISK_PROTOCOL_VXHS:
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: VxHS protocol is not supported with this QEMU binary", label);
    case VDISK_PROTOCOL_SHEEPDOG:
        /* QEMU 7.2 has no sheepdog driver any more */
        return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                            "%s: 'sheepdog' protocol is not supported with this QEMU binary",
                            label);
    case VDISK_PROTOCOL_NFS: {
        const vdisk_host *host = vdisk_source_get_host(src, 0);

        if (vdisk_source_get_host_count(src) != 1)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                                "%s: 'nfs' protocol requires the usage of exactly one host", label);
        if (!vd_net_host_is_tcp(host))
            return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: 'nfs' host must use TCP protocol",
                                label);
        if (vdisk_host_get_port(host) && strcmp(vdisk_host_get_port(host), "0") != 0)
            return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                                "%s: port cannot be specified in 'nfs' protocol host", label);
        break;
    }
    case VDISK_PROTOCOL_NBD:
    case VDISK_PROTOCOL_RBD:
    case VDISK_PROTOCOL_GLUSTER:
    case VDISK_PROTOCOL_ISCSI:
    case VDISK_PROTOCOL_HTTP:
    case VDISK_PROTOCOL_HTTPS:
    case VDISK_PROTOCOL_FTP:
    case VDISK_PROTOCOL_FTPS:
    case VDISK_PROTOCOL_SSH:
        break;
    case VDISK_PROTOCOL_NONE:
    case VDISK_PROTOCOL_LAST:
        return vd_fail(err, VDISK_ERR_INTERNAL, "%s: network source without a protocol",
                            label);
    }
    return 0;
}

int
vd_qemu_net_storage_props(vd_prop *props, const vdisk_disk *disk, const vdisk_source *src,
                          const vd_qemu_net_aliases *aliases, vdisk_error **err)
{
    const char *auth_alias = aliases->auth;
    const char *cookie_alias = aliases->cookie;
    const char *tls_alias = aliases->tls;
    vdisk_protocol proto = vdisk_source_get_protocol(src);
    const char *username = vdisk_source_get_auth_username(src);
    size_t nhosts = vdisk_source_get_host_count(src);
    size_t i;

    switch (proto) {
    case VDISK_PROTOCOL_NBD: {
        vd_prop *server = NULL;

        if (vd_net_one_host(disk, src, err) < 0 ||
            vd_net_socket_address(&server, disk, vdisk_source_get_host(src, 0), err) < 0)
            return -1;
        vd_prop_add_str(props, "driver", "nbd");
        vd_prop_add_prop(props, "server", server);
        vd_prop_add_str_opt(props, "export", vdisk_source_get_name(src));
        vd_prop_add_str_opt(props, "tls-creds", tls_alias);
        vd_prop_add_str_opt(props, "tls-hostname", vd_source_get_tls_hostname(src));
        return 0;
    }
    case VDISK_PROTOCOL_RBD: {
        g_autofree char *pool = NULL;
        const char *image = NULL;
        vd_prop *servers = NULL;

        if (vd_net_split_name(disk, src, &pool, &image, err) < 0)
            return -1;
        if (nhosts > 0) {
            servers = vd_prop_array_new();
            for (i = 0; i < nhosts; i++) {
                vd_prop *server = NULL;

                if (vd_net_inet_address(&server, disk, vdisk_source_get_host(src, i), err) < 0) {
                    vd_prop_free(servers);
                    return -1;
                }
                vd_prop_append(servers, server);
            }
        }
        vd_prop_add_str(props, "driver", "rbd");
        vd_prop_add_str_opt(props, "pool", pool);
        vd_prop_add_str_opt(props, "image", image);
        vd_prop_add_str_opt(props, "snapshot", vdisk_source_get_snapshot_name(src));
        vd_prop_add_str_opt(props, "conf", vdisk_source_get_config_file(src));
        vd_prop_add_prop(props, "server", servers);
        if (aliases->enc) {
            vd_prop *encrypt = vd_prop_object_new();

            vd_prop_add_str(encrypt, "format",
                            vdisk_source_get_encryption_format(src) == VDISK_ENCRYPTION_LUKS2
                                ? "luks2"
                                : "luks");
            vd_prop_add_str(encrypt, "key-secret", aliases->enc);
            vd_prop_add_prop(props, "encrypt", encrypt);
        }
        if (auth_alias) {
            vd_prop *modes = vd_prop_array_new();

            /* the modes libvirt's older command line used */
            vd_prop_append(modes, vd_prop_string_new("cephx"));
            vd_prop_append(modes, vd_prop_string_new("none"));
            vd_prop_add_str_opt(props, "user", username);
            vd_prop_add_prop(props, "auth-client-required", modes);
            vd_prop_add_str(props, "key-secret", auth_alias);
        }
        return 0;
    }
    case VDISK_PROTOCOL_GLUSTER: {
        g_autofree char *volume = NULL;
        const char *path = NULL;
        vd_prop *servers = vd_prop_array_new();

        if (vd_net_split_name(disk, src, &volume, &path, err) < 0) {
            vd_prop_free(servers);
            return -1;
        }
        for (i = 0; i < nhosts; i++) {
            vd_prop *server = NULL;

            if (vd_net_socket_address(&server, disk, vdisk_source_get_host(src, i), err) < 0) {
                vd_prop_free(servers);
                return -1;
            }
            vd_prop_append(servers, server);
        }
        vd_prop_add_str(props, "driver", "gluster");
        vd_prop_add_str_opt(props, "volume", volume);
        vd_prop_add_str_opt(props, "path", path);
        vd_prop_add_prop(props, "server", servers);
        /* gluster_debug_level of qemu.conf, 4 by default */
        vd_prop_add_uint(props, "debug", 4);
        return 0;
    }
    case VDISK_PROTOCOL_ISCSI: {
        const char *name = vdisk_source_get_name(src);
        const vdisk_host *host;
        g_autofree char *target = g_strdup(name ? name : "");
        g_autofree char *portal = NULL;
        char *lun_str = strchr(target, '/');
        unsigned long long lun = 0;

        if (vd_net_one_host(disk, src, err) < 0)
            return -1;
        host = vdisk_source_get_host(src, 0);
        if (lun_str) {
            char *end = NULL;

            *lun_str++ = '\0';
            lun = g_ascii_strtoull(lun_str, &end, 10);
            if (!*lun_str || !g_ascii_isdigit(*lun_str) || *end || lun > G_MAXUINT32)
                return vd_fail(err, VDISK_ERR_UNSUPPORTED,
                                    "%s: cannot parse target for lunStr '%s'", vd_disk_label(disk),
                                    target);
        }
        if (strchr(vdisk_host_get_name(host) ? vdisk_host_get_name(host) : "", ':'))
            portal = g_strdup_printf("[%s]:%s", vdisk_host_get_name(host), vd_net_port(host));
        else
            portal = g_strdup_printf("%s:%s", vdisk_host_get_name(host), vd_net_port(host));
        vd_prop_add_str(props, "driver", "iscsi");
        vd_prop_add_str(props, "portal", portal);
        vd_prop_add_str(props, "target", target);
        vd_prop_add_uint(props, "lun", lun);
        vd_prop_add_str(props, "transport", "tcp");
        if (auth_alias) {
            vd_prop_add_str_opt(props, "user", username);
            vd_prop_add_str(props, "password-secret", auth_alias);
        }
        vd_prop_add_str_opt(props, "initiator-name", vdisk_source_get_initiator(src));
        return 0;
    }
    case VDISK_PROTOCOL_HTTP:
    case VDISK_PROTOCOL_HTTPS:
    case VDISK_PROTOCOL_FTP:
    case VDISK_PROTOCOL_FTPS: {
        g_autofree char *url = NULL;

        if (vd_net_one_host(disk, src, err) < 0)
            return -1;
        url = vd_net_curl_url(src);
        vd_prop_add_str(props, "driver", vd_protocol_to_string(proto));
        vd_prop_add_str(props, "url", url);
        if (auth_alias) {
            vd_prop_add_str_opt(props, "username", username);
            vd_prop_add_str(props, "password-secret", auth_alias);
        }
        vd_prop_add_tristate_bool(props, "sslverify", vdisk_source_get_ssl_verify(src));
        vd_prop_add_str_opt(props, "cookie-secret", cookie_alias);
        vd_prop_add_uint_opt(props, "timeout", vdisk_source_get_timeout(src));
        vd_prop_add_uint_opt(props, "readahead", vdisk_source_get_readahead(src));
        return 0;
    }
    case VDISK_PROTOCOL_SSH: {
        vd_prop *server = NULL;
        /* libvirt 9.0 takes the user from <auth> only */
        const char *user = username;

        if (vd_net_one_host(disk, src, err) < 0 ||
            vd_net_inet_address(&server, disk, vdisk_source_get_host(src, 0), err) < 0)
            return -1;
        vd_prop_add_str(props, "driver", "ssh");
        vd_prop_add_str_opt(props, "path", vdisk_source_get_name(src));
        vd_prop_add_prop(props, "server", server);
        vd_prop_add_str_opt(props, "user", user);
        return 0;
    }
    case VDISK_PROTOCOL_NFS: {
        const char *user = vdisk_source_get_identity_user(src);
        const char *group = vdisk_source_get_identity_group(src);
        long long uid = -1, gid = -1;
        vd_prop *server;

        if (user && vd_net_nfs_id(&uid, disk, "user", user, err) < 0)
            return -1;
        if (group && vd_net_nfs_id(&gid, disk, "group", group, err) < 0)
            return -1;
        server = vd_prop_object_new();
        vd_prop_add_str(server, "host", vdisk_host_get_name(vdisk_source_get_host(src, 0)));
        vd_prop_add_str(server, "type", "inet");
        vd_prop_add_str(props, "driver", "nfs");
        vd_prop_add_prop(props, "server", server);
        vd_prop_add_str_opt(props, "path", vdisk_source_get_name(src));
        if (uid >= 0)
            vd_prop_add_int(props, "user", uid);
        if (gid >= 0)
            vd_prop_add_int(props, "group", gid);
        return 0;
    }
    case VDISK_PROTOCOL_TFTP:
    case VDISK_PROTOCOL_VXHS:
    case VDISK_PROTOCOL_SHEEPDOG:
    case VDISK_PROTOCOL_NONE:
    case VDISK_PROTOCOL_LAST:
        break;
    }
    return vd_fail(err, VDISK_ERR_UNSUPPORTED, "%s: protocol '%s' is not supported",
                        vd_disk_label(disk), vd_protocol_to_string(proto));
}
