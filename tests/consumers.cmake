# How C programs and people consume libvdisk: the example programs built out
# of tree against an installed copy (pkg-config and find_package), and the
# vdisk(1) manual page checked against the program it documents.

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME consumers-examples
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/consumers/check-examples.py
            --cmake ${CMAKE_COMMAND} --build-dir ${PROJECT_BINARY_DIR}
            --source-dir ${PROJECT_SOURCE_DIR}
            --work ${CMAKE_CURRENT_BINARY_DIR}/consumers/examples)
  set_tests_properties(consumers-examples PROPERTIES
    LABELS consumers TIMEOUT 600 RESOURCE_LOCK libvirtd-images)
endif()

# vdisk(1) renders without warnings and covers every subcommand, option and
# exit status the built program reports.
find_program(VDISK_GROFF groff)
if(Python3_FOUND AND VDISK_GROFF AND TARGET vdisk-cli)
  add_test(NAME consumers-manpage
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/consumers/check-manpage.py
            --vdisk $<TARGET_FILE:vdisk-cli> --man ${PROJECT_SOURCE_DIR}/docs/vdisk.1
            --version ${PROJECT_VERSION})
  set_tests_properties(consumers-manpage PROPERTIES LABELS consumers)
endif()

# The API reference builds from the public headers (when Doxygen is there)
# and Doxygen misreads none of their comments.
if(Python3_FOUND AND TARGET docs)
  add_test(NAME consumers-api-docs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/consumers/check-api-docs.py
            --cmake ${CMAKE_COMMAND} --build-dir ${PROJECT_BINARY_DIR}
            --include ${PROJECT_SOURCE_DIR}/include)
  set_tests_properties(consumers-api-docs PROPERTIES LABELS consumers TIMEOUT 300)
endif()
