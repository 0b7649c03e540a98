# QEMU command-line golden test on the domains as written, before libvirt
# gave them PCI addresses: libvdisk must pick the slots libvirt 9.0 picks.
# By hand: tests/oracle/test_qemu_unaddressed.py --vdisk build/tools/vdisk
if(VDISK_TEST_QEMU_GOLDEN AND TARGET vdisk-cli)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  add_test(NAME qemu-unaddressed
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/oracle/test_qemu_unaddressed.py
            --vdisk $<TARGET_FILE:vdisk-cli>
            --data ${CMAKE_CURRENT_SOURCE_DIR}/data/qemu)
  set_tests_properties(qemu-unaddressed PROPERTIES
    LABELS qemu-golden
    TIMEOUT 600)
endif()
