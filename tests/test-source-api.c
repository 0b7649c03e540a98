/*
 * test-source-api.c: every storage source accessor writes XML that parses
 * back to the same value, at libvirt's place, and refuses what libvirt
 * would refuse.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vdisk/disk.h"
#include "util/error.h"

/* read as live XML: the tests read indexes and mirrors a definition drops */
#define RAW_FLAGS (VDISK_PARSE_NO_DEFAULTS | VDISK_PARSE_NO_VALIDATE | VDISK_PARSE_LIVE)

static vdisk_disk *
parse(const char *xml)
{
    vdisk_disk *disk = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_from_xml_flags(&disk, xml, RAW_FLAGS, &err) < 0)
        fail_msg("parse failed: %s\n%s", vdisk_error_get_message(err), xml);
    return disk;
}

static char *
xml_of(const vdisk_disk *disk)
{
    char *out = NULL;
    vdisk_error *err = NULL;

    if (vdisk_disk_to_xml(&out, disk, &err) < 0)
        fail_msg("format failed: %s", vdisk_error_get_message(err));
    return out;
}

/* set -> to_xml -> from_xml: the disk as libvirt would read it back */
static vdisk_disk *
reparse(vdisk_disk *disk)
{
    char *xml = xml_of(disk);
    vdisk_disk *again = parse(xml);

    vdisk_free(xml);
    vdisk_disk_free(disk);
    return again;
}

static void
assert_xml_has(const vdisk_disk *disk, const char *needle)
{
    char *xml = xml_of(disk);

    if (!strstr(xml, needle))
        fail_msg("XML lacks '%s':\n%s", needle, xml);
    vdisk_free(xml);
}

static void
assert_xml_lacks(const vdisk_disk *disk, const char *needle)
{
    char *xml = xml_of(disk);

    if (strstr(xml, needle))
        fail_msg("XML has '%s':\n%s", needle, xml);
    vdisk_free(xml);
}

static void
check_ok(int rc, vdisk_error *err)
{
    if (rc < 0)
        fail_msg("call failed: %s", vdisk_error_get_message(err));
}

static void
check_refused(int rc, vdisk_error *err, const char *needle)
{
    assert_int_equal(rc, -1);
    assert_non_null(err);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    if (!strstr(vdisk_error_get_message(err), needle))
        fail_msg("message '%s' lacks '%s'", vdisk_error_get_message(err), needle);
}

/* the call runs first, then its error is looked at (and released) */
#define assert_ok(call, e)                                                                         \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        check_ok(rc_, e);                                                                          \
    } while (0)
#define assert_refused(call, e, needle)                                                            \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        check_refused(rc_, e, needle);                                                             \
        vdisk_error_free(e);                                                                       \
        (e) = NULL;                                                                                \
    } while (0)

#define EMPTY_DISK(type)                                                                           \
    "<disk type='" type "' device='disk'><target dev='vda' bus='virtio'/></disk>"

/* A disk without <source> reads as type='file' (as libvirt reads it): the
 * other types are set after parsing. */
static vdisk_disk *
empty_disk(vdisk_type type)
{
    vdisk_disk *disk = parse(EMPTY_DISK("file"));
    vdisk_error *err = NULL;

    if (vdisk_source_set_type(vdisk_disk_get_source(disk), type, &err) < 0)
        fail_msg("set_type failed: %s", vdisk_error_get_message(err));
    return disk;
}

static vdisk_source *
top(vdisk_disk *disk)
{
    return vdisk_disk_get_source(disk);
}

static void
test_file_path_format_and_type_switch_moves_path(void **state)
{
    vdisk_disk *disk = parse(EMPTY_DISK("file"));
    vdisk_error *err = NULL;

    assert_false(vdisk_source_is_present(top(disk)));
    assert_ok(vdisk_source_set_path(top(disk), "/var/lib/a.qcow2", &err), err);
    assert_ok(vdisk_source_set_format(top(disk), VDISK_FORMAT_QCOW2, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_disk_get_type(disk), VDISK_TYPE_FILE);
    assert_int_equal(vdisk_disk_get_format(disk), VDISK_FORMAT_QCOW2);
    assert_string_equal(vdisk_disk_get_path(disk), "/var/lib/a.qcow2");
    assert_true(vdisk_source_is_present(top(disk)));
    assert_xml_has(disk, "<driver type='qcow2'/>\n  <source file='/var/lib/a.qcow2'/>\n");

    assert_ok(vdisk_source_set_type(top(disk), VDISK_TYPE_BLOCK, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_disk_get_type(disk), VDISK_TYPE_BLOCK);
    assert_string_equal(vdisk_disk_get_path(disk), "/var/lib/a.qcow2");
    assert_xml_has(disk, "<source dev='/var/lib/a.qcow2'/>");

    assert_ok(vdisk_source_set_type(top(disk), VDISK_TYPE_DIR, &err), err);
    disk = reparse(disk);
    assert_xml_has(disk, "<disk type='dir' device='disk'>");
    assert_string_equal(vdisk_source_get_path(top(disk)), "/var/lib/a.qcow2");

    /* a network source has no path: it goes, and setting one is refused */
    assert_ok(vdisk_source_set_type(top(disk), VDISK_TYPE_NETWORK, &err), err);
    assert_null(vdisk_source_get_path(top(disk)));
    assert_false(vdisk_source_is_present(top(disk)));
    assert_refused(vdisk_source_set_path(top(disk), "/x", &err), err,
                   "vdisk_source_set_path: target 'vda': a source of type 'network' has no "
                   "path; path '/x' not set");

    assert_ok(vdisk_source_set_format(top(disk), VDISK_FORMAT_NONE, &err), err);
    assert_int_equal(vdisk_disk_get_format(disk), VDISK_FORMAT_NONE);
    assert_xml_lacks(disk, "<driver");
    vdisk_disk_free(disk);
}

static void
test_path_removal_drops_empty_source_and_policy_index(void **state)
{
    vdisk_disk *disk = parse(EMPTY_DISK("file"));
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_set_path(top(disk), "/iso", &err), err);
    assert_ok(vdisk_source_set_startup_policy(top(disk), VDISK_STARTUP_POLICY_OPTIONAL, &err), err);
    assert_ok(vdisk_source_set_index(top(disk), 7, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_startup_policy(top(disk)), VDISK_STARTUP_POLICY_OPTIONAL);
    assert_int_equal(vdisk_source_get_index(top(disk)), 7);
    assert_xml_has(disk, "<source file='/iso' startupPolicy='optional' index='7'/>");

    assert_ok(vdisk_source_set_path(top(disk), NULL, &err), err);
    assert_ok(vdisk_source_set_startup_policy(top(disk), VDISK_STARTUP_POLICY_DEFAULT, &err), err);
    assert_ok(vdisk_source_set_index(top(disk), 0, &err), err);
    disk = reparse(disk);
    assert_false(vdisk_source_is_present(top(disk)));
    assert_xml_lacks(disk, "<source");
    assert_refused(vdisk_source_set_path(top(disk), "", &err), err, "empty path");
    assert_refused(vdisk_source_set_type(top(disk), (vdisk_type)42, &err), err,
                   "invalid source type 42");
    vdisk_disk_free(disk);
}

static void
test_nbd_tcp_and_unix_with_tls(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_NETWORK);
    vdisk_error *err = NULL;
    const vdisk_host *h;

    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_NBD, &err), err);
    assert_ok(vdisk_source_set_name(top(disk), "export", &err), err);
    assert_ok(
        vdisk_source_add_host(top(disk), "nbd.example", 10809, VDISK_TRANSPORT_TCP, NULL, &err),
        err);
    assert_ok(vdisk_source_set_tls(top(disk), VDISK_TRISTATE_ON, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_protocol(top(disk)), VDISK_PROTOCOL_NBD);
    assert_string_equal(vdisk_source_get_name(top(disk)), "export");
    assert_int_equal(vdisk_source_get_tls(top(disk)), VDISK_TRISTATE_ON);
    assert_int_equal(vdisk_source_get_host_count(top(disk)), 1);
    h = vdisk_source_get_host(top(disk), 0);
    assert_string_equal(vdisk_host_get_name(h), "nbd.example");
    assert_string_equal(vdisk_host_get_port(h), "10809");
    assert_int_equal(vdisk_host_get_transport(h), VDISK_TRANSPORT_DEFAULT);
    assert_null(vdisk_host_get_socket(h));
    assert_xml_has(disk, "<source protocol='nbd' name='export' tls='yes'>\n"
                         "    <host name='nbd.example' port='10809'/>\n");

    assert_ok(vdisk_source_clear_hosts(top(disk), &err), err);
    assert_ok(
        vdisk_source_add_host(top(disk), NULL, 0, VDISK_TRANSPORT_UNIX, "/run/nbd.sock", &err),
        err);
    disk = reparse(disk);
    h = vdisk_source_get_host(top(disk), 0);
    assert_int_equal(vdisk_host_get_transport(h), VDISK_TRANSPORT_UNIX);
    assert_string_equal(vdisk_host_get_socket(h), "/run/nbd.sock");
    assert_null(vdisk_host_get_name(h));
    assert_null(vdisk_source_get_host(top(disk), 1));

    assert_refused(vdisk_source_add_host(top(disk), NULL, 0, VDISK_TRANSPORT_UNIX, NULL, &err), err,
                   "a unix transport host needs a socket path");
    assert_refused(vdisk_source_add_host(top(disk), "h", 0, VDISK_TRANSPORT_TCP, "/s", &err), err,
                   "transport 'tcp' does not support socket '/s'");
    assert_refused(vdisk_source_add_host(top(disk), "h", 70000, VDISK_TRANSPORT_TCP, NULL, &err),
                   err, "port 70000 out of range");
    assert_refused(vdisk_source_add_host(top(disk), NULL, 1, VDISK_TRANSPORT_RDMA, NULL, &err), err,
                   "a host needs a name");
    vdisk_disk_free(disk);
}

static void
test_rbd_hosts_auth_config_snapshot(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_NETWORK);
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_RBD, &err), err);
    assert_refused(vdisk_source_set_name(top(disk), "image", &err), err,
                   "rbd name 'image' is not 'pool/image'");
    assert_ok(vdisk_source_set_name(top(disk), "rbdpool/image", &err), err);
    assert_ok(vdisk_source_add_host(top(disk), "mon1", 6789, VDISK_TRANSPORT_DEFAULT, NULL, &err),
              err);
    assert_ok(vdisk_source_add_host(top(disk), "mon2", 0, VDISK_TRANSPORT_DEFAULT, NULL, &err),
              err);
    assert_ok(vdisk_source_add_host(top(disk), "mon3", 6790, VDISK_TRANSPORT_DEFAULT, NULL, &err),
              err);
    assert_ok(vdisk_source_set_auth(top(disk), "admin", "ceph",
                                    "C9A4E0F4-1234-5678-9ABC-DEF012345678", NULL, &err),
              err);
    assert_ok(vdisk_source_set_config_file(top(disk), "/etc/ceph/ceph.conf", &err), err);
    assert_ok(vdisk_source_set_snapshot_name(top(disk), "snap1", &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_host_count(top(disk)), 3);
    assert_string_equal(vdisk_host_get_name(vdisk_source_get_host(top(disk), 2)), "mon3");
    assert_null(vdisk_host_get_port(vdisk_source_get_host(top(disk), 1)));
    assert_string_equal(vdisk_source_get_auth_username(top(disk)), "admin");
    assert_string_equal(vdisk_source_get_auth_secret_type(top(disk)), "ceph");
    assert_string_equal(vdisk_source_get_auth_secret_uuid(top(disk)),
                        "c9a4e0f4-1234-5678-9abc-def012345678");
    assert_null(vdisk_source_get_auth_secret_usage(top(disk)));
    assert_string_equal(vdisk_source_get_config_file(top(disk)), "/etc/ceph/ceph.conf");
    assert_string_equal(vdisk_source_get_snapshot_name(top(disk)), "snap1");
    assert_xml_has(disk, "  <source protocol='rbd' name='rbdpool/image'>\n"
                         "    <host name='mon1' port='6789'/>\n"
                         "    <host name='mon2'/>\n"
                         "    <host name='mon3' port='6790'/>\n"
                         "    <snapshot name='snap1'/>\n"
                         "    <config file='/etc/ceph/ceph.conf'/>\n"
                         "    <auth username='admin'>\n"
                         "      <secret type='ceph' uuid='c9a4e0f4-1234-5678-9abc-def012345678'/>\n"
                         "    </auth>\n"
                         "  </source>\n");

    assert_refused(vdisk_source_set_auth(top(disk), "admin", "ceph", "x", NULL, &err), err,
                   "invalid secret uuid 'x'");
    assert_refused(vdisk_source_set_auth(top(disk), "admin", "ceph", NULL, NULL, &err), err,
                   "a secret needs a uuid or a usage");
    assert_refused(vdisk_source_set_auth(top(disk), "admin", "kerberos", NULL, "u", &err), err,
                   "unknown auth secret type 'kerberos'");
    assert_ok(vdisk_source_set_auth(top(disk), NULL, NULL, NULL, NULL, &err), err);
    assert_ok(vdisk_source_set_snapshot_name(top(disk), NULL, &err), err);
    disk = reparse(disk);
    assert_null(vdisk_source_get_auth_username(top(disk)));
    assert_null(vdisk_source_get_snapshot_name(top(disk)));
    assert_xml_lacks(disk, "<auth");
    assert_xml_lacks(disk, "<snapshot");
    vdisk_disk_free(disk);
}

static void
test_gluster_and_ssh_sources(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_NETWORK);
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_GLUSTER, &err), err);
    assert_refused(vdisk_source_set_name(top(disk), "/img", &err), err, "is not 'pool/image'");
    assert_ok(vdisk_source_set_name(top(disk), "vol/dir/img.qcow2", &err), err);
    assert_ok(vdisk_source_add_host(top(disk), "g1", 24007, VDISK_TRANSPORT_RDMA, NULL, &err), err);
    assert_ok(vdisk_source_add_host(top(disk), NULL, 0, VDISK_TRANSPORT_UNIX, "/run/g.sock", &err),
              err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_protocol(top(disk)), VDISK_PROTOCOL_GLUSTER);
    assert_int_equal(vdisk_host_get_transport(vdisk_source_get_host(top(disk), 0)),
                     VDISK_TRANSPORT_RDMA);
    assert_xml_has(disk, "<host name='g1' port='24007' transport='rdma'/>\n"
                         "    <host transport='unix' socket='/run/g.sock'/>");
    vdisk_disk_free(disk);

    disk = empty_disk(VDISK_TYPE_NETWORK);
    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_SSH, &err), err);
    assert_ok(vdisk_source_set_name(top(disk), "/home/u/disk.img", &err), err);
    assert_ok(vdisk_source_add_host(top(disk), "ssh.example", 22, VDISK_TRANSPORT_TCP, NULL, &err),
              err);
    assert_ok(vdisk_source_set_auth(top(disk), "u", NULL, NULL, "ssh-key", &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_protocol(top(disk)), VDISK_PROTOCOL_SSH);
    assert_string_equal(vdisk_source_get_auth_secret_usage(top(disk)), "ssh-key");
    assert_null(vdisk_source_get_auth_secret_type(top(disk)));
    assert_string_equal(vdisk_host_get_port(vdisk_source_get_host(top(disk), 0)), "22");
    vdisk_disk_free(disk);
}

static void
test_iscsi_lun_chap_initiator(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_NETWORK);
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_ISCSI, &err), err);
    assert_ok(vdisk_source_set_name(top(disk), "iqn.2013-07.com.example:iscsi-nopool/2", &err),
              err);
    assert_ok(
        vdisk_source_add_host(top(disk), "example.com", 3260, VDISK_TRANSPORT_DEFAULT, NULL, &err),
        err);
    assert_ok(vdisk_source_set_auth(top(disk), "myuser", "iscsi", NULL, "libvirtiscsi", &err), err);
    assert_ok(vdisk_source_set_initiator(top(disk), "iqn.2013-07.com.example:client", &err), err);
    disk = reparse(disk);
    assert_string_equal(vdisk_source_get_name(top(disk)), "iqn.2013-07.com.example:iscsi-nopool/2");
    assert_string_equal(vdisk_source_get_initiator(top(disk)), "iqn.2013-07.com.example:client");
    assert_string_equal(vdisk_source_get_auth_secret_usage(top(disk)), "libvirtiscsi");
    assert_string_equal(vdisk_source_get_auth_secret_type(top(disk)), "iscsi");
    assert_xml_has(disk, "    <host name='example.com' port='3260'/>\n"
                         "    <initiator>\n"
                         "      <iqn name='iqn.2013-07.com.example:client'/>\n"
                         "    </initiator>\n"
                         "    <auth username='myuser'>\n"
                         "      <secret type='iscsi' usage='libvirtiscsi'/>\n"
                         "    </auth>\n");
    assert_ok(vdisk_source_set_initiator(top(disk), NULL, &err), err);
    disk = reparse(disk);
    assert_null(vdisk_source_get_initiator(top(disk)));
    assert_xml_lacks(disk, "<initiator");
    vdisk_disk_free(disk);
}

static void
test_auth_with_chap_type_is_updated_in_place(void **state)
{
    vdisk_disk *disk = parse("<disk type='network' device='disk'>"
                             "<source protocol='iscsi' name='iqn.x/1'><host name='h'/>"
                             "<auth type='chap' username='old'><secret type='iscsi' usage='a'/>"
                             "</auth></source><target dev='vda' bus='virtio'/></disk>");
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_set_auth(top(disk), "new", "iscsi", NULL, "b", &err), err);
    disk = reparse(disk);
    assert_string_equal(vdisk_source_get_auth_username(top(disk)), "new");
    assert_xml_has(disk, "<auth type='chap' username='new'>\n"
                         "      <secret type='iscsi' usage='b'/>");
    vdisk_disk_free(disk);
}

static void
test_legacy_auth_and_encryption_in_disk_stay_there(void **state)
{
    vdisk_disk *disk = parse("<disk type='network' device='disk'>"
                             "<auth username='a'><secret type='ceph' usage='u'/></auth>"
                             "<source protocol='rbd' name='p/i'><host name='m'/></source>"
                             "<target dev='vda' bus='virtio'/>"
                             "<encryption format='luks'><secret type='passphrase' usage='k'/>"
                             "</encryption></disk>");
    vdisk_error *err = NULL;

    assert_string_equal(vdisk_source_get_auth_username(top(disk)), "a");
    assert_int_equal(vdisk_source_get_encryption_format(top(disk)), VDISK_ENCRYPTION_LUKS);
    assert_ok(vdisk_source_set_auth(top(disk), "b", "ceph", NULL, "v", &err), err);
    assert_ok(vdisk_source_set_encryption(top(disk), VDISK_ENCRYPTION_LUKS,
                                          VDISK_ENCRYPTION_ENGINE_DEFAULT, NULL, "k2", &err),
              err);
    disk = reparse(disk);
    assert_string_equal(vdisk_source_get_auth_username(top(disk)), "b");
    assert_string_equal(vdisk_source_get_encryption_secret_usage(top(disk)), "k2");
    assert_xml_has(disk, "<disk type='network' device='disk'>\n"
                         "  <auth username='b'>\n");
    assert_xml_has(disk, "  <target dev='vda' bus='virtio'/>\n"
                         "  <encryption format='luks'>\n"
                         "    <secret type='passphrase' usage='k2'/>\n"
                         "  </encryption>\n");
    assert_ok(vdisk_source_set_encryption(top(disk), VDISK_ENCRYPTION_DEFAULT,
                                          VDISK_ENCRYPTION_ENGINE_DEFAULT, NULL, NULL, &err),
              err);
    assert_int_equal(vdisk_source_get_encryption_format(top(disk)), VDISK_ENCRYPTION_DEFAULT);
    assert_xml_lacks(disk, "<encryption");
    vdisk_disk_free(disk);
}

static void
test_http_https_cookies_ssl_readahead_timeout(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_NETWORK);
    vdisk_error *err = NULL;
    const char *name;
    const char *value;

    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_HTTP, &err), err);
    assert_ok(vdisk_source_set_name(top(disk), "/images/a.iso", &err), err);
    assert_ok(vdisk_source_set_query(top(disk), "token=1", &err), err);
    assert_refused(vdisk_source_set_ssl_verify(top(disk), VDISK_TRISTATE_OFF, &err), err,
                   "libvirt does not use ssl verification with protocol 'http'");
    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_HTTPS, &err), err);
    assert_ok(vdisk_source_add_host(top(disk), "web", 443, VDISK_TRANSPORT_DEFAULT, NULL, &err),
              err);
    assert_ok(vdisk_source_set_ssl_verify(top(disk), VDISK_TRISTATE_OFF, &err), err);
    assert_ok(vdisk_source_add_cookie(top(disk), "session", "abc", &err), err);
    assert_refused(vdisk_source_add_cookie(top(disk), "quoted", "\"x y\"", &err), err,
                   "cookie value contains invalid characters: cookie 'quoted'");
    assert_ok(vdisk_source_add_cookie(top(disk), "quoted", "\"xy\"", &err), err);
    assert_refused(vdisk_source_add_cookie(top(disk), "session", "again", &err), err,
                   "duplicate cookie 'session'");
    assert_refused(vdisk_source_add_cookie(top(disk), "a=b", "v", &err), err,
                   "cookie name contains invalid characters");
    assert_refused(vdisk_source_add_cookie(top(disk), "c", "x;y", &err), err,
                   "cookie value contains invalid characters");
    assert_ok(vdisk_source_set_readahead(top(disk), 65536, &err), err);
    assert_ok(vdisk_source_set_timeout(top(disk), 30, &err), err);
    disk = reparse(disk);
    assert_string_equal(vdisk_source_get_query(top(disk)), "token=1");
    assert_int_equal(vdisk_source_get_ssl_verify(top(disk)), VDISK_TRISTATE_OFF);
    assert_int_equal(vdisk_source_get_cookie_count(top(disk)), 2);
    assert_int_equal(vdisk_source_get_cookie(top(disk), 1, &name, &value), 0);
    assert_string_equal(name, "quoted");
    assert_string_equal(value, "\"xy\"");
    assert_int_equal(vdisk_source_get_cookie(top(disk), 2, &name, &value), -1);
    assert_int_equal(vdisk_source_get_readahead(top(disk)), 65536);
    assert_int_equal(vdisk_source_get_timeout(top(disk)), 30);
    assert_xml_has(disk, "  <source protocol='https' name='/images/a.iso' query='token=1'>\n"
                         "    <host name='web' port='443'/>\n"
                         "    <ssl verify='no'/>\n"
                         "    <cookies>\n"
                         "      <cookie name='session'>abc</cookie>\n"
                         "      <cookie name='quoted'>&quot;xy&quot;</cookie>\n"
                         "    </cookies>\n"
                         "    <readahead size='65536'/>\n"
                         "    <timeout seconds='30'/>\n"
                         "  </source>\n");

    assert_ok(vdisk_source_clear_cookies(top(disk), &err), err);
    assert_ok(vdisk_source_set_readahead(top(disk), 0, &err), err);
    assert_ok(vdisk_source_set_ssl_verify(top(disk), VDISK_TRISTATE_DEFAULT, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_cookie_count(top(disk)), 0);
    assert_int_equal(vdisk_source_get_readahead(top(disk)), 0);
    assert_xml_lacks(disk, "<cookies");
    assert_xml_lacks(disk, "<ssl");
    assert_xml_lacks(disk, "<readahead");

    assert_ok(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_NBD, &err), err);
    assert_refused(vdisk_source_set_timeout(top(disk), 5, &err), err,
                   "libvirt does not use a timeout with protocol 'nbd'");
    vdisk_disk_free(disk);
}

static void
test_nfs_identity_survives_source_edits(void **state)
{
    vdisk_disk *disk = parse("<disk type='network' device='disk'>"
                             "<source protocol='nfs' name='/export/x.img'>"
                             "<identity user='u' group='g'/><host name='nfs.example'/></source>"
                             "<target dev='vda' bus='virtio'/></disk>");
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_source_get_protocol(top(disk)), VDISK_PROTOCOL_NFS);
    assert_ok(vdisk_source_set_name(top(disk), "/export/y.img", &err), err);
    assert_ok(vdisk_source_add_host(top(disk), "nfs2", 0, VDISK_TRANSPORT_DEFAULT, NULL, &err),
              err);
    disk = reparse(disk);
    assert_xml_has(disk, "  <source protocol='nfs' name='/export/y.img'>\n"
                         "    <host name='nfs.example'/>\n"
                         "    <host name='nfs2'/>\n"
                         "    <identity user='u' group='g'/>\n"
                         "  </source>\n");
    vdisk_disk_free(disk);
}

static void
test_luks_and_qcow_encryption(void **state)
{
    vdisk_disk *disk = parse(EMPTY_DISK("file"));
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_set_path(top(disk), "/a.luks", &err), err);
    assert_ok(vdisk_source_set_encryption(top(disk), VDISK_ENCRYPTION_LUKS,
                                          VDISK_ENCRYPTION_ENGINE_QEMU,
                                          "0A1B2C3D4E5F60718293A4B5C6D7E8F9", NULL, &err),
              err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_encryption_format(top(disk)), VDISK_ENCRYPTION_LUKS);
    assert_int_equal(vdisk_source_get_encryption_engine(top(disk)), VDISK_ENCRYPTION_ENGINE_QEMU);
    assert_string_equal(vdisk_source_get_encryption_secret_uuid(top(disk)),
                        "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
    assert_xml_has(disk, "  <source file='/a.luks'>\n"
                         "    <encryption format='luks' engine='qemu'>\n"
                         "      <secret type='passphrase' "
                         "uuid='0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9'/>\n"
                         "    </encryption>\n"
                         "  </source>\n");

    assert_ok(vdisk_source_set_encryption(top(disk), VDISK_ENCRYPTION_QCOW,
                                          VDISK_ENCRYPTION_ENGINE_DEFAULT, NULL, "qcow-key", &err),
              err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_encryption_format(top(disk)), VDISK_ENCRYPTION_QCOW);
    assert_int_equal(vdisk_source_get_encryption_engine(top(disk)),
                     VDISK_ENCRYPTION_ENGINE_DEFAULT);
    assert_null(vdisk_source_get_encryption_secret_uuid(top(disk)));
    assert_string_equal(vdisk_source_get_encryption_secret_usage(top(disk)), "qcow-key");
    assert_refused(vdisk_source_set_encryption(top(disk), VDISK_ENCRYPTION_LUKS,
                                               VDISK_ENCRYPTION_ENGINE_QEMU, "u", "v", &err),
                   err, "give a secret uuid or a usage, not both");
    assert_refused(vdisk_source_set_encryption(top(disk), (vdisk_encryption_format)9,
                                               VDISK_ENCRYPTION_ENGINE_QEMU, NULL, "v", &err),
                   err, "vdisk_source_set_encryption: target 'vda': invalid encryption format 9");
    vdisk_disk_free(disk);
}

static void
test_reservations_managed_and_unmanaged(void **state)
{
    vdisk_disk *disk = parse("<disk type='block' device='lun'><source dev='/dev/sdc'/>"
                             "<target dev='sda' bus='scsi'/></disk>");
    vdisk_error *err = NULL;

    assert_refused(vdisk_source_set_reservations(top(disk), VDISK_TRISTATE_OFF, NULL, NULL, &err),
                   err, "unmanaged reservations need the path");
    assert_refused(
        vdisk_source_set_reservations(top(disk), VDISK_TRISTATE_OFF, "/p", "server", &err), err,
        "unsupported connection mode 'server'");
    assert_ok(vdisk_source_set_reservations(top(disk), VDISK_TRISTATE_ON, NULL, NULL, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_reservations_managed(top(disk)), VDISK_TRISTATE_ON);
    assert_null(vdisk_source_get_reservations_path(top(disk)));
    assert_xml_has(disk, "<source dev='/dev/sdc'>\n    <reservations managed='yes'/>\n");

    assert_ok(
        vdisk_source_set_reservations(top(disk), VDISK_TRISTATE_OFF, "/run/pr.sock", NULL, &err),
        err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_reservations_managed(top(disk)), VDISK_TRISTATE_OFF);
    assert_string_equal(vdisk_source_get_reservations_path(top(disk)), "/run/pr.sock");
    assert_xml_has(disk, "    <reservations managed='no'>\n"
                         "      <source type='unix' path='/run/pr.sock' mode='client'/>\n"
                         "    </reservations>\n");
    assert_ok(vdisk_source_set_reservations(top(disk), VDISK_TRISTATE_DEFAULT, NULL, NULL, &err),
              err);
    assert_xml_has(disk, "<source dev='/dev/sdc'/>");
    vdisk_disk_free(disk);
}

static void
test_slices(void **state)
{
    vdisk_disk *disk = parse(EMPTY_DISK("file"));
    vdisk_error *err = NULL;
    unsigned long long off = 1;
    unsigned long long size = 1;

    assert_int_equal(vdisk_source_get_slice(top(disk), &off, &size), -1);
    assert_true(off == 0 && size == 0);
    assert_ok(vdisk_source_set_path(top(disk), "/raw", &err), err);
    assert_ok(vdisk_source_set_slice(top(disk), 1048576, 4194304, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_slice(top(disk), &off, &size), 0);
    assert_true(off == 1048576 && size == 4194304);
    assert_xml_has(disk, "    <slices>\n"
                         "      <slice type='storage' offset='1048576' size='4194304'/>\n"
                         "    </slices>\n");
    assert_refused(vdisk_source_set_slice(top(disk), 5, 0, &err), err, "needs a size");
    assert_ok(vdisk_source_set_slice(top(disk), 0, 0, &err), err);
    disk = reparse(disk);
    assert_xml_lacks(disk, "<slices");
    vdisk_disk_free(disk);
}

static void
test_volume_source(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_VOLUME);
    vdisk_error *err = NULL;

    assert_refused(vdisk_source_set_volume(top(disk), "p", NULL, VDISK_POOL_MODE_DEFAULT, &err),
                   err, "pool and volume go together (pool 'p', volume '')");
    assert_ok(vdisk_source_set_volume(top(disk), "pool1", "vol1", VDISK_POOL_MODE_DIRECT, &err),
              err);
    disk = reparse(disk);
    assert_string_equal(vdisk_source_get_pool(top(disk)), "pool1");
    assert_string_equal(vdisk_source_get_volume(top(disk)), "vol1");
    assert_int_equal(vdisk_source_get_pool_mode(top(disk)), VDISK_POOL_MODE_DIRECT);
    assert_null(vdisk_source_get_path(top(disk)));
    assert_xml_has(disk, "<source pool='pool1' volume='vol1' mode='direct'/>");
    assert_ok(vdisk_source_set_type(top(disk), VDISK_TYPE_FILE, &err), err);
    assert_xml_lacks(disk, "pool1");
    assert_refused(vdisk_source_set_volume(top(disk), "p", "v", VDISK_POOL_MODE_DEFAULT, &err), err,
                   "a pool and volume needs a source of type 'volume', not 'file'");
    vdisk_disk_free(disk);
}

static void
test_nvme_source(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_NVME);
    vdisk_error *err = NULL;
    unsigned int d = 9;
    unsigned int b = 9;
    unsigned int s = 9;
    unsigned int f = 9;

    assert_int_equal(vdisk_source_get_nvme_address(top(disk), &d, &b, &s, &f), -1);
    assert_refused(vdisk_source_set_nvme(top(disk), 1, VDISK_TRISTATE_ON, 0, 1, 0x20, 0, &err), err,
                   "invalid PCI address 0000:01:20.0");
    assert_refused(vdisk_source_set_nvme(top(disk), 1, VDISK_TRISTATE_ON, 0, 0, 0, 1, &err), err,
                   "PCI address 0000:00:00.1 cannot hold");
    assert_ok(vdisk_source_set_nvme(top(disk), 2, VDISK_TRISTATE_ON, 0, 1, 0, 0, &err), err);
    disk = reparse(disk);
    assert_int_equal(vdisk_source_get_nvme_namespace(top(disk)), 2);
    assert_int_equal(vdisk_source_get_nvme_managed(top(disk)), VDISK_TRISTATE_ON);
    assert_int_equal(vdisk_source_get_nvme_address(top(disk), &d, &b, &s, &f), 0);
    assert_true(d == 0 && b == 1 && s == 0 && f == 0);
    assert_xml_has(disk, "  <source type='pci' managed='yes' namespace='2'>\n"
                         "    <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
                         "  </source>\n");
    vdisk_disk_free(disk);
}

static void
test_vhostuser_source(void **state)
{
    vdisk_disk *disk = empty_disk(VDISK_TYPE_VHOSTUSER);
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_set_vhostuser_path(top(disk), "/run/vhost.sock", &err), err);
    disk = reparse(disk);
    assert_string_equal(vdisk_source_get_vhostuser_path(top(disk)), "/run/vhost.sock");
    assert_xml_has(disk, "<source type='unix' path='/run/vhost.sock'/>");
    assert_ok(vdisk_source_set_type(top(disk), VDISK_TYPE_BLOCK, &err), err);
    assert_null(vdisk_source_get_vhostuser_path(top(disk)));
    assert_xml_lacks(disk, "vhost.sock");
    assert_refused(vdisk_source_set_vhostuser_path(top(disk), "/x", &err), err,
                   "needs a source of type 'vhostuser', not 'block'");
    vdisk_disk_free(disk);
}

static void
test_backing_chain_three_deep_with_terminator(void **state)
{
    vdisk_disk *disk = parse(EMPTY_DISK("file"));
    vdisk_error *err = NULL;
    vdisk_source *b1 = NULL;
    vdisk_source *b2 = NULL;
    vdisk_source *b3 = NULL;
    vdisk_source *s;
    char *xml;

    assert_ok(vdisk_source_set_path(top(disk), "/top.qcow2", &err), err);
    assert_ok(vdisk_source_set_format(top(disk), VDISK_FORMAT_QCOW2, &err), err);
    assert_ok(vdisk_source_new_backing(&b1, top(disk), VDISK_TYPE_BLOCK, VDISK_FORMAT_QCOW2, &err),
              err);
    assert_ok(vdisk_source_set_path(b1, "/dev/vg/mid", &err), err);
    assert_ok(vdisk_source_set_index(b1, 2, &err), err);
    assert_ok(vdisk_source_new_backing(&b2, b1, VDISK_TYPE_NETWORK, VDISK_FORMAT_QCOW2, &err), err);
    assert_ok(vdisk_source_set_protocol(b2, VDISK_PROTOCOL_NBD, &err), err);
    assert_ok(vdisk_source_add_host(b2, NULL, 0, VDISK_TRANSPORT_UNIX, "/run/b.sock", &err), err);
    assert_ok(vdisk_source_new_backing(&b3, b2, VDISK_TYPE_FILE, VDISK_FORMAT_RAW, &err), err);
    assert_ok(vdisk_source_set_path(b3, "/base.raw", &err), err);
    assert_ok(vdisk_source_set_backing_terminated(b3, 1, &err), err);
    assert_refused(vdisk_source_set_format(b3, VDISK_FORMAT_NONE, &err), err,
                   "a backing store needs a format");
    assert_refused(vdisk_source_set_type(b3, VDISK_TYPE_NONE, &err), err,
                   "a backing store needs a type");
    assert_refused(vdisk_source_set_startup_policy(b3, VDISK_STARTUP_POLICY_OPTIONAL, &err), err,
                   "only the top source has a startup policy");

    disk = reparse(disk);
    xml = xml_of(disk);
    assert_string_equal(xml, "<disk type='file' device='disk'>\n"
                             "  <driver type='qcow2'/>\n"
                             "  <source file='/top.qcow2'/>\n"
                             "  <backingStore type='block' index='2'>\n"
                             "    <format type='qcow2'/>\n"
                             "    <source dev='/dev/vg/mid'/>\n"
                             "    <backingStore type='network'>\n"
                             "      <format type='qcow2'/>\n"
                             "      <source protocol='nbd'>\n"
                             "        <host transport='unix' socket='/run/b.sock'/>\n"
                             "      </source>\n"
                             "      <backingStore type='file'>\n"
                             "        <format type='raw'/>\n"
                             "        <source file='/base.raw'/>\n"
                             "        <backingStore/>\n"
                             "      </backingStore>\n"
                             "    </backingStore>\n"
                             "  </backingStore>\n"
                             "  <target dev='vda' bus='virtio'/>\n"
                             "</disk>\n");
    vdisk_free(xml);

    s = vdisk_source_get_backing(top(disk));
    assert_non_null(s);
    assert_int_equal(vdisk_source_get_type(s), VDISK_TYPE_BLOCK);
    assert_int_equal(vdisk_source_get_format(s), VDISK_FORMAT_QCOW2);
    assert_int_equal(vdisk_source_get_index(s), 2);
    assert_string_equal(vdisk_source_get_path(s), "/dev/vg/mid");
    assert_ptr_equal(vdisk_source_get_backing(top(disk)), s); /* views are cached */
    s = vdisk_source_get_backing(s);
    assert_int_equal(vdisk_source_get_protocol(s), VDISK_PROTOCOL_NBD);
    s = vdisk_source_get_backing(s);
    assert_string_equal(vdisk_source_get_path(s), "/base.raw");
    assert_int_equal(vdisk_source_get_format(s), VDISK_FORMAT_RAW);
    assert_false(vdisk_source_get_backing_terminated(top(disk)));
    assert_true(vdisk_source_get_backing_terminated(s));
    assert_null(vdisk_source_get_backing(s));

    /* switching the middle one to a file keeps the chain below it */
    s = vdisk_source_get_backing(top(disk));
    assert_ok(vdisk_source_set_type(s, VDISK_TYPE_FILE, &err), err);
    disk = reparse(disk);
    assert_xml_has(disk, "<backingStore type='file' index='2'>\n"
                         "    <format type='qcow2'/>\n"
                         "    <source file='/dev/vg/mid'/>\n"
                         "    <backingStore type='network'>");

    assert_ok(vdisk_source_set_backing_terminated(top(disk), 1, &err), err);
    assert_null(vdisk_source_get_backing(top(disk)));
    assert_xml_has(disk, "  <source file='/top.qcow2'/>\n  <backingStore/>\n  <target");
    assert_ok(vdisk_source_set_backing_terminated(top(disk), 0, &err), err);
    assert_xml_lacks(disk, "backingStore");
    vdisk_disk_free(disk);
}

static void
test_clear_ejects_source_and_chain(void **state)
{
    vdisk_disk *disk = parse("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                             "<source file='/a.iso'/><backingStore/>"
                             "<target dev='hdc' bus='ide'/><readonly/></disk>");
    vdisk_error *err = NULL;

    assert_ok(vdisk_source_clear(top(disk), &err), err);
    disk = reparse(disk);
    assert_false(vdisk_source_is_present(top(disk)));
    assert_null(vdisk_disk_get_path(disk));
    assert_xml_lacks(disk, "<source");
    assert_xml_lacks(disk, "backingStore");
    vdisk_disk_free(disk);
}

static void
test_mirror_views(void **state)
{
    vdisk_disk *disk = parse("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                             "<source file='/a.qcow2'/><mirror type='file' file='/m.qcow2' "
                             "format='qcow2' job='copy' ready='yes'><format type='qcow2'/>"
                             "<source file='/m.qcow2' index='4'/><backingStore type='block'>"
                             "<format type='raw'/><source dev='/dev/m'/></backingStore>"
                             "</mirror><target dev='vda' bus='virtio'/></disk>");
    const vdisk_source *m;
    const vdisk_source *mb;
    vdisk_disk *legacy;

    assert_null(vdisk_disk_get_mirror(NULL));
    m = vdisk_disk_get_mirror(disk);
    assert_non_null(m);
    assert_ptr_equal(vdisk_disk_get_mirror(disk), m);
    assert_int_equal(vdisk_source_get_type(m), VDISK_TYPE_FILE);
    assert_int_equal(vdisk_source_get_format(m), VDISK_FORMAT_QCOW2);
    assert_string_equal(vdisk_source_get_path(m), "/m.qcow2");
    assert_int_equal(vdisk_source_get_index(m), 4);
    mb = vdisk_source_get_backing(m);
    assert_non_null(mb);
    assert_string_equal(vdisk_source_get_path(mb), "/dev/m");
    assert_int_equal(vdisk_source_get_format(mb), VDISK_FORMAT_RAW);
    vdisk_disk_free(disk);

    legacy = parse("<disk type='file' device='disk'><source file='/a'/>"
                   "<mirror file='/old.img' format='raw'/><target dev='vda' bus='virtio'/></disk>");
    m = vdisk_disk_get_mirror(legacy);
    assert_int_equal(vdisk_source_get_type(m), VDISK_TYPE_FILE);
    assert_int_equal(vdisk_source_get_format(m), VDISK_FORMAT_RAW);
    assert_string_equal(vdisk_source_get_path(m), "/old.img");
    assert_null(vdisk_disk_get_mirror(NULL));
    vdisk_disk_free(legacy);
}

static void
test_network_only_setters_refuse_other_types(void **state)
{
    vdisk_disk *disk = parse(EMPTY_DISK("file"));
    vdisk_error *err = NULL;

    assert_refused(vdisk_source_set_protocol(top(disk), VDISK_PROTOCOL_NBD, &err), err,
                   "vdisk_source_set_protocol: target 'vda': a protocol needs a source of type "
                   "'network', not 'file'");
    assert_refused(vdisk_source_set_name(top(disk), "x", &err), err, "not 'file'");
    assert_refused(vdisk_source_add_host(top(disk), "h", 0, VDISK_TRANSPORT_TCP, NULL, &err), err,
                   "a host needs a source of type 'network'");
    assert_refused(vdisk_source_set_tls(top(disk), VDISK_TRISTATE_ON, &err), err, "tls needs");
    assert_refused(vdisk_source_set_initiator(top(disk), "iqn", &err), err, "an initiator needs");
    assert_refused(vdisk_source_set_config_file(top(disk), "/c", &err), err, "a config file");
    assert_int_equal(vdisk_source_get_host_count(top(disk)), 0);
    assert_null(vdisk_source_get_host(top(disk), 0));
    assert_int_equal(vdisk_source_get_protocol(top(disk)), VDISK_PROTOCOL_NONE);
    assert_refused(vdisk_source_set_path(NULL, "/x", &err), err, "no source given");
    vdisk_disk_free(disk);
}

static void
test_absent_disk_type_reads_as_file(void **state)
{
    vdisk_disk *disk = parse("<disk device='disk'><source file='/a'/>"
                             "<target dev='vda' bus='virtio'/></disk>");
    vdisk_error *err = NULL;

    assert_int_equal(vdisk_disk_get_type(disk), VDISK_TYPE_FILE);
    assert_string_equal(vdisk_disk_get_path(disk), "/a");
    /* libvirt's parser reads it as 'file', and its formatter writes that */
    assert_xml_has(disk, "<disk type='file' device='disk'>");
    assert_ok(vdisk_source_set_type(top(disk), VDISK_TYPE_BLOCK, &err), err);
    assert_xml_has(disk, "<disk type='block' device='disk'>\n");
    assert_ok(vdisk_source_set_type(top(disk), VDISK_TYPE_NONE, &err), err);
    assert_xml_has(disk, "<disk device='disk'>\n");
    assert_xml_has(disk, "<source file='/a'/>");
    vdisk_disk_free(disk);
}

/* Types and formats read the same whether parsing left them (the top
 * source, a backing store, a mirror with a <format> or a format
 * attribute, Xen's "aio") or a setter wrote them. */
static void
test_types_and_formats_read_after_parse_and_set(void **state)
{
    vdisk_disk *disk = parse(
        "<disk type='block' device='disk'><driver name='qemu' type='aio'/>"
        "<source dev='/dev/a'/>"
        "<backingStore type='network'><format type='qcow2'/>"
        "<source protocol='nbd' name='b'><host name='h'/></source><backingStore/></backingStore>"
        "<target dev='vda'/>"
        "<mirror type='file' job='copy'><format type='vmdk'/><source file='/m'/></mirror></disk>");
    vdisk_disk *old =
        parse("<disk type='file' device='disk'><source file='/a'/>"
              "<mirror file='/m' format='qed' job='copy'/><target dev='vda'/></disk>");
    vdisk_source *top = vdisk_disk_get_source(disk);
    vdisk_source *backing = vdisk_source_get_backing(top);

    (void)state;
    assert_int_equal(vdisk_source_get_type(top), VDISK_TYPE_BLOCK);
    assert_int_equal(vdisk_source_get_format(top), VDISK_FORMAT_RAW);
    assert_int_equal(vdisk_source_get_type(backing), VDISK_TYPE_NETWORK);
    assert_int_equal(vdisk_source_get_format(backing), VDISK_FORMAT_QCOW2);
    assert_int_equal(vdisk_source_get_type(vdisk_disk_get_mirror(disk)), VDISK_TYPE_FILE);
    assert_int_equal(vdisk_source_get_format(vdisk_disk_get_mirror(disk)), VDISK_FORMAT_VMDK);
    assert_int_equal(vdisk_source_get_format(vdisk_disk_get_mirror(old)), VDISK_FORMAT_QED);
    assert_int_equal(vdisk_source_set_type(top, VDISK_TYPE_FILE, NULL), 0);
    assert_int_equal(vdisk_source_set_format(top, VDISK_FORMAT_QCOW2, NULL), 0);
    assert_int_equal(vdisk_source_set_format(backing, VDISK_FORMAT_RAW, NULL), 0);
    assert_int_equal(vdisk_source_get_type(top), VDISK_TYPE_FILE);
    assert_int_equal(vdisk_source_get_format(top), VDISK_FORMAT_QCOW2);
    assert_int_equal(vdisk_source_get_format(backing), VDISK_FORMAT_RAW);
    assert_xml_has(disk, "<driver name='qemu' type='qcow2'/>");
    vdisk_disk_free(disk);
    vdisk_disk_free(old);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_path_format_and_type_switch_moves_path),
        cmocka_unit_test(test_types_and_formats_read_after_parse_and_set),
        cmocka_unit_test(test_path_removal_drops_empty_source_and_policy_index),
        cmocka_unit_test(test_nbd_tcp_and_unix_with_tls),
        cmocka_unit_test(test_rbd_hosts_auth_config_snapshot),
        cmocka_unit_test(test_gluster_and_ssh_sources),
        cmocka_unit_test(test_iscsi_lun_chap_initiator),
        cmocka_unit_test(test_auth_with_chap_type_is_updated_in_place),
        cmocka_unit_test(test_legacy_auth_and_encryption_in_disk_stay_there),
        cmocka_unit_test(test_http_https_cookies_ssl_readahead_timeout),
        cmocka_unit_test(test_nfs_identity_survives_source_edits),
        cmocka_unit_test(test_luks_and_qcow_encryption),
        cmocka_unit_test(test_reservations_managed_and_unmanaged),
        cmocka_unit_test(test_slices),
        cmocka_unit_test(test_volume_source),
        cmocka_unit_test(test_nvme_source),
        cmocka_unit_test(test_vhostuser_source),
        cmocka_unit_test(test_backing_chain_three_deep_with_terminator),
        cmocka_unit_test(test_clear_ejects_source_and_chain),
        cmocka_unit_test(test_mirror_views),
        cmocka_unit_test(test_network_only_setters_refuse_other_types),
        cmocka_unit_test(test_absent_disk_type_reads_as_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
