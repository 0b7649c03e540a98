# Translation through a libvirt connection: `vdisk qemu-args --connect URI`
# against `virsh domxml-to-native qemu-argv` of the same domains, with the
# secrets, pool and volumes the test defines in the running libvirtd (and
# removes again), and libvirt's refusals (wrong usage type, missing secret,
# secret without a value, unknown pool or volume). Skipped (exit 77) where
# libvirt does not answer.
# By hand: tests/oracle/test_qemu_connect.py --vdisk build/tools/vdisk [-v]
if(TARGET vdisk-cli)
  add_test(NAME oracle-qemu-connect
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/oracle/test_qemu_connect.py
            --vdisk $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(oracle-qemu-connect PROPERTIES
    LABELS oracle
    SKIP_RETURN_CODE 77
    TIMEOUT 600)
endif()
