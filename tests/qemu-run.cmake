# Real QEMU run: the disk arguments `vdisk qemu-args` prints (argv and QMP)
# are given to a paused TCG qemu-system-x86_64, which must accept them and
# report the nodes and devices they describe (tests/qemu-run/), for the test
# domains of qemu_run_test.py and for those of tests/data/qemu. Skipped
# (status 77) when qemu-system-x86_64 or qemu-img is not installed.

if(TARGET vdisk-cli)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    add_test(NAME qemu-run
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/qemu-run/qemu_run_test.py
              $<TARGET_FILE:vdisk-cli> --corpus ${CMAKE_CURRENT_SOURCE_DIR}/data/qemu)
    set_tests_properties(qemu-run PROPERTIES
      LABELS qemu-run
      SKIP_RETURN_CODE 77
      TIMEOUT 180)
  endif()
endif()
