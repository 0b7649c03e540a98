/*
 * test-qemu-net.c: network, TLS, encrypted and secret-bearing disks become
 * the -object/-blockdev/-device arguments libvirt 9.0 gives QEMU 7.2
 *
 * The expected arguments are libvirt's own: the golden files of
 * tests/data/qemu (NNN-name.argv, written by scripts/gen-qemu-golden.py
 * from `virsh domxml-to-native qemu-argv` against libvirt 9.0 and QEMU 7.2)
 * are read and compared line by line. The secret values below are the
 * ones that generator stores in libvirt's secret driver; the "data" and
 * "iv" of secret objects are encrypted with a per-run key and compared by
 * presence, everything else exactly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <glib.h>

#include "vdisk/vdisk.h"
#include "qemu/qemu_priv.h"

static const struct {
    const char *key;
    const char *value;
} corpus_secrets[] = {
    {"0a81f5b2-8403-7b23-c8d6-21ccc2f80001", "ceph-key-for-tests"},
    {"vdisk-test-ceph", "ceph-key-for-tests"},
    {"0a81f5b2-8403-7b23-c8d6-21ccc2f80002", "iscsi-chap-password"},
    {"vdisk-test-iscsi", "iscsi-chap-password"},
    {"0a81f5b2-8403-7b23-c8d6-21ccc2f80003", "luks-passphrase"},
    {"/var/lib/vdisk-test/luks.img", "luks-passphrase"},
    {"0a81f5b2-8403-7b23-c8d6-21ccc2f80004", "luks-passphrase-2"},
    {"/var/lib/vdisk-test/luks2.qcow2", "luks-passphrase-2"},
    {"0a81f5b2-8403-7b23-c8d6-21ccc2f80005", "second-ceph-key"},
    {"vdisk-test-ceph2", "second-ceph-key"},
};

static vdisk_domain *
load_domain(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/qemu/%s.addressed.xml", VDISK_TEST_DATA, name);
    g_autofree char *xml = NULL;
    vdisk_domain *dom = NULL;
    vdisk_error *err = NULL;

    if (!g_file_get_contents(path, &xml, NULL, NULL))
        fail_msg("cannot read %s", path);
    if (vdisk_domain_from_xml(&dom, xml, &err) < 0)
        fail_msg("%s: %s", path, vdisk_error_get_message(err));
    return dom;
}

/* A line as compared: on secret objects, "data" and "iv" values by
 * presence only (the golden test's rule). */
static char *
normalize(const char *line)
{
    g_autoptr(GRegex) re = NULL;

    if (!g_str_has_prefix(line, "{\"qom-type\":\"secret\","))
        return g_strdup(line);
    re = g_regex_new("\"(data|iv)\":\"[^\"]*\"", 0, 0, NULL);
    return g_regex_replace(re, line, -1, 0, "\"\\1\":\"<any>\"", 0, NULL);
}

static vdisk_qemu_opts *
corpus_opts(bool master_key)
{
    vdisk_qemu_opts *opts = vdisk_qemu_opts_new();
    guint8 key[32];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(corpus_secrets); i++)
        assert_int_equal(vdisk_qemu_opts_set_secret(opts, corpus_secrets[i].key,
                                                    corpus_secrets[i].value,
                                                    strlen(corpus_secrets[i].value), NULL),
                         0);
    for (i = 0; i < sizeof(key); i++)
        key[i] = (guint8)(i * 7 + 1);
    if (master_key)
        assert_int_equal(vdisk_qemu_opts_set_master_key(opts, key, sizeof(key), NULL), 0);
    return opts;
}

static void
assert_matches_golden(const char *name, const vdisk_qemu_opts *opts)
{
    g_autofree char *path = g_strdup_printf("%s/qemu/%s.argv", VDISK_TEST_DATA, name);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    vdisk_domain *dom = load_domain(name);
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;
    size_t n, i;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        fail_msg("cannot read %s", path);
    g_strchomp(text);
    lines = g_strsplit(text, "\n", -1);
    n = g_strv_length(lines);
    if (vdisk_qemu_translate_domain(&args, dom, opts, &err) < 0)
        fail_msg("%s: %s", name, vdisk_error_get_message(err));
    for (i = 0; i < n; i++) {
        g_autofree char *want = normalize(lines[i]);
        g_autofree char *got = NULL;

        if (!vdisk_qemu_args_get(args, i))
            fail_msg("%s: argument %zu missing, libvirt has %s", name, i, lines[i]);
        got = normalize(vdisk_qemu_args_get(args, i));
        if (strcmp(want, got) != 0)
            fail_msg("%s: argument %zu\n  libvirt: %s\n  vdisk:   %s", name, i, want, got);
    }
    assert_int_equal(vdisk_qemu_args_count(args), n);
    vdisk_qemu_args_free(args);
    vdisk_domain_free(dom);
}

/* nbd (inet, unix, TLS, without export), rbd without auth, gluster,
 * iscsi without auth, https/ftp/ftps (no cookies), ssh, nfs: no secret needed. */
static void
test_network_sources_match_libvirt(void **state)
{
    static const char *const cases[] = {
        "061-nbd-tcp",
        "062-nbd-tcp-tls",
        "063-nbd-unix",
        "064-nbd-no-export",
        "067-rbd-no-auth",
        "068-gluster",
        "070-iscsi-lun0-noauth",
        "072-https-sslverify",
        "073-ftp",
        "074-ftps-sslverify",
        "075-ssh",
        "076-nfs",
        "091-cdrom-nbd",
        "125-nbd-unix-tls",
    };
    size_t i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_matches_golden(cases[i], NULL);
}

/* With the secrets' values and a master key, rbd/iscsi auth, http cookies
 * and LUKS (raw and qcow2) come out in libvirt's form:
 * "keyid":"masterKey0" and an "iv". */
static void
test_secret_objects_with_master_key_match_libvirt(void **state)
{
    static const char *const cases[] = {
        "065-rbd-auth-usage", "066-rbd-auth-uuid", "069-iscsi-chap",
        "077-luks-raw",       "078-luks-qcow2",    "082-many-disks-chains",
        "071-http-cookies",
    };
    vdisk_qemu_opts *opts = corpus_opts(true);
    size_t i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_matches_golden(cases[i], opts);
    vdisk_qemu_opts_free(opts);
}

/* Without a master key the value travels as plain base64, and no keyid
 * or iv is claimed. */
static void
test_secret_without_master_key_is_plain_base64(void **state)
{
    vdisk_domain *dom = load_domain("065-rbd-auth-usage");
    vdisk_qemu_opts *opts = corpus_opts(false);
    vdisk_qemu_args *args = NULL;
    g_autofree char *b64 = g_base64_encode((const guchar *)"ceph-key-for-tests", 18);
    g_autofree char *want = g_strdup_printf(
        "{\"qom-type\":\"secret\",\"id\":\"libvirt-1-storage-auth-secret0\",\"data\":\"%s\","
        "\"format\":\"base64\"}",
        b64);

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&args, dom, opts, NULL), 0);
    assert_string_equal(vdisk_qemu_args_get(args, 0), "-object");
    assert_string_equal(vdisk_qemu_args_get(args, 1), want);
    vdisk_qemu_args_free(args);
    vdisk_qemu_opts_free(opts);
    vdisk_domain_free(dom);
}

/* The same secret value under the same key gives a new IV every time. */
static void
test_secret_iv_is_fresh_each_translation(void **state)
{
    vdisk_domain *dom = load_domain("077-luks-raw");
    vdisk_qemu_opts *opts = corpus_opts(true);
    vdisk_qemu_args *a = NULL, *b = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_translate_domain(&a, dom, opts, NULL), 0);
    assert_int_equal(vdisk_qemu_translate_domain(&b, dom, opts, NULL), 0);
    assert_string_not_equal(vdisk_qemu_args_get(a, 1), vdisk_qemu_args_get(b, 1));
    vdisk_qemu_args_free(a);
    vdisk_qemu_args_free(b);
    vdisk_qemu_opts_free(opts);
    vdisk_domain_free(dom);
}

/* FIPS-197 C.3 and SP 800-38A F.2.5 (first block; the PKCS#7 padding
 * adds a second). */
static void
test_aes256_cbc_known_answers(void **state)
{
    static const guint8 key1[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    static const guint8 zero_iv[16] = {0};
    static const guint8 pt1[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    static const guint8 ct1[16] = {0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
                                   0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89};
    static const guint8 key2[32] = {0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe,
                                    0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
                                    0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7,
                                    0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
    static const guint8 iv2[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const guint8 pt2[16] = {0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
                                   0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a};
    static const guint8 ct2[16] = {0xf5, 0x8c, 0x4c, 0x04, 0xd6, 0xe5, 0xf1, 0xba,
                                   0x77, 0x9e, 0xab, 0xfb, 0x5f, 0x7b, 0xfb, 0xd6};
    g_autoptr(GBytes) c1 = vd_aes256_cbc_encrypt(key1, zero_iv, pt1, sizeof(pt1));
    g_autoptr(GBytes) c2 = vd_aes256_cbc_encrypt(key2, iv2, pt2, sizeof(pt2));
    g_autoptr(GBytes) c3 = vd_aes256_cbc_encrypt(key2, iv2, "abc", 3);
    gsize len = 0;
    const guint8 *d;

    (void)state;
    d = g_bytes_get_data(c1, &len);
    assert_int_equal(len, 32);
    assert_memory_equal(d, ct1, 16);
    d = g_bytes_get_data(c2, &len);
    assert_int_equal(len, 32);
    assert_memory_equal(d, ct2, 16);
    assert_int_equal(g_bytes_get_size(c3), 16);
}

static void
assert_refused(const char *disk_xml, vdisk_error_code code, const char *message,
               const vdisk_qemu_opts *opts)
{
    vdisk_disk *disk = NULL;
    vdisk_qemu_args *args = NULL;
    vdisk_error *err = NULL;

    /* read without libvirt's define-time checks: translation makes its own */
    if (vdisk_disk_from_xml_flags(&disk, disk_xml, VDISK_PARSE_NO_VALIDATE, &err) < 0)
        fail_msg("%s", vdisk_error_get_message(err));
    assert_int_equal(vdisk_qemu_translate_disk(&args, disk, NULL, opts, &err), -1);
    assert_null(args);
    assert_non_null(err);
    assert_int_equal(vdisk_error_get_code(err), code);
    assert_string_equal(vdisk_error_get_message(err), message);
    vdisk_error_free(err);
    vdisk_disk_free(disk);
}

/* libvirt fails when its secret driver has no such secret (golden case
 * 112-refuse-secret-missing: "Secret not found: no secret with matching
 * usage ..."). */
static void
test_missing_secret_is_refused(void **state)
{
    vdisk_qemu_opts *opts = corpus_opts(true);

    (void)state;
    assert_refused("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
                   "<source protocol='rbd' name='pool/x'><host name='mon1.example.org'/>"
                   "<auth username='admin'><secret type='ceph' usage='no-such'/></auth>"
                   "</source><target dev='vda' bus='virtio'/></disk>",
                   VDISK_ERR_NOT_FOUND,
                   "vdisk_qemu_translate_disk: Secret not found: no secret with matching "
                   "usage 'no-such'",
                   opts);
    assert_refused("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                   "<source file='/x.qcow2'><encryption format='luks'>"
                   "<secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f8ffff'/>"
                   "</encryption></source><target dev='vda' bus='virtio'/></disk>",
                   VDISK_ERR_NOT_FOUND,
                   "vdisk_qemu_translate_disk: Secret not found: no secret with matching uuid "
                   "'0a81f5b2-8403-7b23-c8d6-21ccc2f8ffff'",
                   NULL);
    vdisk_qemu_opts_free(opts);
}

/* What libvirt refuses when it starts a domain with these sources. */
static void
test_unsupported_network_sources_are_refused(void **state)
{
    (void)state;
    assert_refused("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
                   "<source protocol='nfs' name='/a.img'><host name='h' port='2049'/></source>"
                   "<target dev='vda' bus='virtio'/></disk>",
                   VDISK_ERR_UNSUPPORTED,
                   "vdisk_qemu_translate_disk: target 'vda': port cannot be specified in 'nfs' "
                   "protocol host",
                   NULL);
    assert_refused("<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
                   "<source protocol='nbd' name='e'><host name='a'/><host name='b'/></source>"
                   "<target dev='vda' bus='virtio'/></disk>",
                   VDISK_ERR_UNSUPPORTED,
                   "vdisk_qemu_translate_disk: target 'vda': protocol 'nbd' accepts only one "
                   "host",
                   NULL);
}

static void
test_luks2_with_qemu_engine_is_refused(void **state)
{
    (void)state;
    assert_refused("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                   "<source file='/x.img'><encryption format='luks2' engine='qemu'>"
                   "<secret type='passphrase' usage='/x.img'/></encryption></source>"
                   "<target dev='vda' bus='virtio'/></disk>",
                   VDISK_ERR_UNSUPPORTED,
                   "vdisk_qemu_translate_disk: target 'vda': luks2 is currently not supported "
                   "by the qemu encryption engine",
                   NULL);
}

static void
test_master_key_must_be_aes256(void **state)
{
    vdisk_qemu_opts *opts = vdisk_qemu_opts_new();
    vdisk_error *err = NULL;

    (void)state;
    assert_int_equal(vdisk_qemu_opts_set_master_key(opts, "short", 5, &err), -1);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_INVALID_ARG);
    assert_string_equal(vdisk_error_get_message(err),
                        "vdisk_qemu_opts_set_master_key: master key of 5 bytes: an AES-256 key "
                        "has 32 bytes");
    vdisk_error_free(err);
    vdisk_qemu_opts_free(opts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network_sources_match_libvirt),
        cmocka_unit_test(test_secret_objects_with_master_key_match_libvirt),
        cmocka_unit_test(test_secret_without_master_key_is_plain_base64),
        cmocka_unit_test(test_secret_iv_is_fresh_each_translation),
        cmocka_unit_test(test_aes256_cbc_known_answers),
        cmocka_unit_test(test_missing_secret_is_refused),
        cmocka_unit_test(test_unsupported_network_sources_are_refused),
        cmocka_unit_test(test_luks2_with_qemu_engine_is_refused),
        cmocka_unit_test(test_master_key_must_be_aes256),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
