# QEMU command-line golden test: `vdisk qemu-args` on the domains of
# tests/data/qemu must print the disk-related arguments real libvirt 9.0
# produced for them (committed; scripts/gen-qemu-golden.py regenerates them).
# By hand: tests/oracle/test_qemu_golden.py --vdisk build/tools/vdisk
option(VDISK_TEST_QEMU_GOLDEN "Run the QEMU command-line golden test" ON)

if(VDISK_TEST_QEMU_GOLDEN AND TARGET vdisk-cli)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  add_test(NAME qemu-golden
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/oracle/test_qemu_golden.py
            --vdisk $<TARGET_FILE:vdisk-cli>
            --data ${CMAKE_CURRENT_SOURCE_DIR}/data/qemu)
  set_tests_properties(qemu-golden PROPERTIES
    LABELS qemu-golden
    TIMEOUT 600)
endif()
