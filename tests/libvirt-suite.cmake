# libvirt 9.0's own test suite as acceptance corpus: `vdisk qemu-args`,
# `vdisk xml` and `vdisk check` on libvirt's test domains against what the
# real libvirt 9.0 made of them (tests/data/libvirt-suite, committed;
# scripts/gen-libvirt-suite-golden.py regenerates it). Prints the counts per
# architecture and measure; fails only when a case does worse than
# tests/data/libvirt-suite/baseline.json. No libvirt needed.
# By hand: tests/oracle/test_libvirt_suite.py --vdisk build/tools/vdisk
if(TARGET vdisk-cli)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  add_test(NAME libvirt-suite
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/oracle/test_libvirt_suite.py
            --vdisk $<TARGET_FILE:vdisk-cli>
            --data ${CMAKE_CURRENT_SOURCE_DIR}/data/libvirt-suite)
  set_tests_properties(libvirt-suite PROPERTIES
    LABELS "oracle;golden"
    TIMEOUT 600)
endif()
