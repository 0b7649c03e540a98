# What QEMU really receives: `vdisk qemu-args --probe` against the command
# line of the QEMU process libvirtd starts for domains whose qcow2 chains
# no XML names, and `vdisk qemu-args --hotplug/--unplug` against the
# monitor commands libvirtd sends when it hot-plugs and unplugs disks of
# running pc and q35 domains (logged through virt-admin, restored after).
# Real images, real QEMU (TCG); the running domains boot the test guest
# (tests/guest.cmake builds it) so that virtio unplugs complete; root. Skipped (exit 77)
# where libvirt does not answer.
# By hand: tests/oracle/test_qemu_live.py --vdisk build/tools/vdisk [-v]
if(TARGET vdisk-cli)
  add_test(NAME oracle-qemu-live
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/oracle/test_qemu_live.py
            --vdisk $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(oracle-qemu-live PROPERTIES
    LABELS "oracle;hotplug"
    FIXTURES_REQUIRED "hotplug-libvirtd;guest-image"
    ENVIRONMENT VDTEST_GUEST_DIR=${VDISK_GUEST_DIR}
    RESOURCE_LOCK "libvirtd;libvirtd-images"
    SKIP_RETURN_CODE 77
    TIMEOUT 600)
endif()
