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
endif()
