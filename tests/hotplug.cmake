# Hotplug integration tests: real QEMU, through libvirtd on qemu:///system
# (the fixture starts the daemons with scripts/start-libvirt.sh) and through
# libvirt's embedded QEMU driver (qemu:///embed, no daemon). The cases run
# once polling the live state, once waiting on libvirt's events and once
# embedded. Every test that talks to the system libvirtd holds the resource
# lock "libvirtd", which the test restarting the daemon takes as well.

add_executable(test-hotplug ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/test-hotplug.c)
target_link_libraries(test-hotplug PRIVATE vdisk_internal PkgConfig::LIBVIRT PkgConfig::CMOCKA)
target_compile_options(test-hotplug PRIVATE ${VDISK_WARNINGS})

add_test(NAME hotplug-start-libvirt COMMAND ${PROJECT_SOURCE_DIR}/scripts/start-libvirt.sh)
set_tests_properties(hotplug-start-libvirt PROPERTIES
  LABELS hotplug FIXTURES_SETUP hotplug-libvirtd RESOURCE_LOCK libvirtd)

add_test(NAME hotplug COMMAND test-hotplug)
set_tests_properties(hotplug PROPERTIES
  LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 900
  RESOURCE_LOCK "libvirtd;libvirtd-images")

add_test(NAME hotplug-events COMMAND test-hotplug)
set_tests_properties(hotplug-events PROPERTIES
  LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 300
  ENVIRONMENT VDTEST_HOTPLUG_EVENTS=1 RESOURCE_LOCK "libvirtd;libvirtd-images")

# No daemon: the program makes the embedded driver's root itself.
add_test(NAME hotplug-embed COMMAND test-hotplug)
set_tests_properties(hotplug-embed PROPERTIES
  LABELS hotplug TIMEOUT 900
  ENVIRONMENT "VDTEST_HOTPLUG_URI=qemu:///embed;LIBVIRT_LOG_OUTPUTS=4:stderr")

# Restarts the system libvirtd under an open connection: alone, and never
# while another test uses the daemon.
add_executable(test-hotplug-restart ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/test-restart.c)
target_link_libraries(test-hotplug-restart PRIVATE vdisk_internal PkgConfig::LIBVIRT PkgConfig::CMOCKA)
target_compile_options(test-hotplug-restart PRIVATE ${VDISK_WARNINGS})
target_compile_definitions(test-hotplug-restart PRIVATE
  VDISK_START_LIBVIRT="${PROJECT_SOURCE_DIR}/scripts/start-libvirt.sh")
add_test(NAME hotplug-libvirtd-restart COMMAND test-hotplug-restart)
set_tests_properties(hotplug-libvirtd-restart PROPERTIES
  LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 300 SKIP_RETURN_CODE 77
  RUN_SERIAL TRUE RESOURCE_LOCK "libvirtd;libvirtd-images")

if(TARGET vdisk-cli)
  add_test(NAME hotplug-cli
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/cli-hotplug.sh $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(hotplug-cli PROPERTIES
    LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 300
    RESOURCE_LOCK "libvirtd;libvirtd-images")
endif()

# What a management tool relies on (tests/hotplug/test-trust.c): ensure-attached
# by source, formats, race-free automatic targets (processes at once),
# transient domains, hot-plug refusals explained, media of hot-plugged cdroms,
# recovery after the client is killed (VDTEST_TRUST_KILLS trials, 20).
add_executable(test-hotplug-trust ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/test-trust.c)
target_link_libraries(test-hotplug-trust PRIVATE vdisk_internal PkgConfig::LIBVIRT PkgConfig::CMOCKA)
target_compile_options(test-hotplug-trust PRIVATE ${VDISK_WARNINGS})
target_compile_definitions(test-hotplug-trust PRIVATE
  VDISK_START_LIBVIRT="${PROJECT_SOURCE_DIR}/scripts/start-libvirt.sh")
add_test(NAME hotplug-trust COMMAND test-hotplug-trust)
set_tests_properties(hotplug-trust PROPERTIES
  LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 600
  RESOURCE_LOCK "libvirtd;libvirtd-images")
add_test(NAME hotplug-trust-embed COMMAND test-hotplug-trust)
set_tests_properties(hotplug-trust-embed PROPERTIES
  LABELS hotplug TIMEOUT 600
  ENVIRONMENT "VDTEST_HOTPLUG_URI=qemu:///embed;LIBVIRT_LOG_OUTPUTS=4:stderr")
# Kills the system libvirtd (SIGKILL) at random points of attach and detach,
# 10 times, restarting it each time: alone, like hotplug-libvirtd-restart.
add_test(NAME hotplug-trust-libvirtd COMMAND test-hotplug-trust)
set_tests_properties(hotplug-trust-libvirtd PROPERTIES
  LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 900 SKIP_RETURN_CODE 77
  ENVIRONMENT VDTEST_TRUST_LIBVIRTD_KILLS=10
  RUN_SERIAL TRUE RESOURCE_LOCK "libvirtd;libvirtd-images")
