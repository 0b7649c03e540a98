/*
 * test-virt-dl.c: without libvirt, the libvirt layer fails cleanly
 *
 * libvdisk loads libvirt.so.0 on first use (lib/virt/virt_dl.c). Here the
 * library it is told to load does not exist, as on a host without libvirt:
 * every entry point that needs libvirt fails with VDISK_ERR_SYSTEM naming
 * what could not be loaded, touches none of its libvirt arguments, and the
 * rest of the library works on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/error.h"
#include "vdisk/hotplug.h"
#include "vdisk/vdisk.h"

void vd_libvirt_set_soname(const char *soname);

#define MISSING "libvirt-vdisk-test-missing.so.0"

/* Never dereferenced: the calls fail before they look at it. */
#define FAKE_CONN ((virConnectPtr)(uintptr_t)0x10)
#define FAKE_DOM ((virDomainPtr)(uintptr_t)0x20)

static void
assert_not_loaded_(int rc, vdisk_error *err, const char *call)
{
    const char *msg = vdisk_error_get_message(err);

    assert_int_equal(rc, -1);
    assert_non_null(err);
    assert_int_equal(vdisk_error_get_code(err), VDISK_ERR_SYSTEM);
    assert_true(g_str_has_prefix(msg, call));
    assert_non_null(strstr(msg, "libvirt is not available"));
    assert_non_null(strstr(msg, MISSING));
}

/* @call is made before its error is looked at. */
#define assert_not_loaded(call, err, name)                                                         \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        assert_not_loaded_(rc_, (err), (name));                                                    \
    } while (0)

static void
test_entry_points_fail_cleanly(void **state)
{
    const char *uris[] = {"qemu:///system", "qemu+ssh://host/system"};
    virConnectPtr conn = FAKE_CONN;
    virDomainPtr dom = FAKE_DOM;
    vdisk_domain *ctx = NULL;
    vdisk_disk *disk = NULL;
    char *target = NULL;
    vdisk_error *err = NULL;

    (void)state;
    assert_not_loaded(vdisk_connect_open(&conn, "qemu:///system", 0, &err), err,
                      "vdisk_connect_open: ");
    assert_null(conn);
    g_clear_pointer(&err, vdisk_error_free);

    /* every host would fail the same way: the first says why */
    assert_not_loaded(vdisk_connect_open_first(&conn, NULL, uris, 2, 0, &err), err,
                      "vdisk_connect_open_first: ");
    g_clear_pointer(&err, vdisk_error_free);

    assert_not_loaded(vdisk_connect_lookup_domain(&dom, FAKE_CONN, "guest", &err), err,
                      "vdisk_connect_lookup_domain: ");
    assert_null(dom);
    g_clear_pointer(&err, vdisk_error_free);

    assert_not_loaded(vdisk_hotplug_list(&ctx, FAKE_DOM, 0, &err), err, "vdisk_hotplug_list: ");
    assert_null(ctx);
    g_clear_pointer(&err, vdisk_error_free);

    assert_not_loaded(vdisk_hotplug_next_target(&target, FAKE_DOM, VDISK_BUS_VIRTIO, &err), err,
                      "vdisk_hotplug_next_target: ");
    g_clear_pointer(&err, vdisk_error_free);

    assert_not_loaded(vdisk_hotplug_detach(FAKE_DOM, "vdb", 0, 1000, &err), err,
                      "vdisk_hotplug_detach: ");
    g_clear_pointer(&err, vdisk_error_free);

    assert_not_loaded(vdisk_volume_delete(FAKE_CONN, "default", "a.qcow2", NULL, &err), err,
                      "vdisk_volume_delete: ");
    g_clear_pointer(&err, vdisk_error_free);

    /* what the caller owns cannot be libvirt's; nothing to release */
    assert_int_equal(vdisk_connect_close(NULL), 0);
    vdisk_domain_ptr_free(NULL);
    assert_null(vdisk_domain_ptr_get_name(FAKE_DOM));

    /* the model needs no libvirt */
    assert_int_equal(vdisk_disk_from_xml(&disk,
                                         "<disk type='file' device='disk'>"
                                         "<source file='/img/a.qcow2'/><target dev='vdb'/></disk>",
                                         &err),
                     0);
    vdisk_disk_free(disk);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_points_fail_cleanly),
    };

    vd_libvirt_set_soname(MISSING);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
