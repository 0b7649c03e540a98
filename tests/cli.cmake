# The vdisk command-line program, run on small inputs (tests/cli/*.xml).
# One ctest case per behaviour; tests/cli/cli_test.py holds the checks.

if(TARGET vdisk-cli)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/cli/cli_test.py VDISK_CLI_CASE_LINES
         REGEX "^def case_")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                 ${CMAKE_CURRENT_SOURCE_DIR}/cli/cli_test.py)
    foreach(line ${VDISK_CLI_CASE_LINES})
      string(REGEX REPLACE "^def case_([a-z0-9_]+).*" "\\1" case "${line}")
      add_test(NAME cli-${case}
        COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/cli_test.py
                $<TARGET_FILE:vdisk-cli> ${CMAKE_CURRENT_SOURCE_DIR}/cli
                ${PROJECT_VERSION} ${case})
      set_tests_properties(cli-${case} PROPERTIES LABELS cli)
    endforeach()
  endif()
endif()

# The output contract of every subcommand with --json (tests/cli/contract_test.py):
# offline, and against a transient clitest- domain of the shared libvirtd.
if(TARGET vdisk-cli AND Python3_FOUND)
  add_test(NAME cli-contract
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/contract_test.py
            $<TARGET_FILE:vdisk-cli> ${CMAKE_CURRENT_SOURCE_DIR}/cli offline)
  set_tests_properties(cli-contract PROPERTIES LABELS cli)
  add_test(NAME cli-contract-live
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/contract_test.py
            $<TARGET_FILE:vdisk-cli> ${CMAKE_CURRENT_SOURCE_DIR}/cli live)
  set_tests_properties(cli-contract-live PROPERTIES LABELS "cli;hotplug" RESOURCE_LOCK libvirtd
                       TIMEOUT 300)
  # resize, snapshot, commit, pull, copy and job on a clitest-bj- domain, SIGINT included
  add_test(NAME cli-contract-blockjob-live
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/contract_test.py
            $<TARGET_FILE:vdisk-cli> ${CMAKE_CURRENT_SOURCE_DIR}/cli live-blockjob)
  set_tests_properties(cli-contract-blockjob-live PROPERTIES LABELS "cli;hotplug"
                       RESOURCE_LOCK libvirtd TIMEOUT 300)
endif()

# The EXAMPLES of the vdisk(1) man page, run as written (tests/cli/man_examples.py):
# those needing no libvirt, and those on a running domain, which boots the
# test guest of tests/guest.cmake so that a detached virtio disk is released.
if(TARGET vdisk-cli AND Python3_FOUND)
  add_test(NAME cli-man-examples
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/man_examples.py
            $<TARGET_FILE:vdisk-cli> ${PROJECT_SOURCE_DIR}/docs/vdisk.1
            ${PROJECT_SOURCE_DIR}/examples offline)
  set_tests_properties(cli-man-examples PROPERTIES LABELS cli)
  add_test(NAME cli-man-examples-live
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/man_examples.py
            $<TARGET_FILE:vdisk-cli> ${PROJECT_SOURCE_DIR}/docs/vdisk.1
            ${PROJECT_SOURCE_DIR}/examples live)
  set_tests_properties(cli-man-examples-live PROPERTIES
    LABELS "cli;hotplug;guest" RESOURCE_LOCK "libvirtd;libvirtd-images" TIMEOUT 300
    SKIP_RETURN_CODE 77 FIXTURES_REQUIRED "hotplug-libvirtd;guest-image"
    ENVIRONMENT VDTEST_GUEST_DIR=${CMAKE_BINARY_DIR}/tests/guest-image)
endif()
