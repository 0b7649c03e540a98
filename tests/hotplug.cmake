# Hotplug integration tests: real libvirtd on qemu:///system and real QEMU.
# The fixture starts the daemons (scripts/start-libvirt.sh); the cases run
# once polling the live state and once waiting on libvirt's events.

add_executable(test-hotplug ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/test-hotplug.c)
target_link_libraries(test-hotplug PRIVATE vdisk_internal PkgConfig::CMOCKA)
target_compile_options(test-hotplug PRIVATE ${VDISK_WARNINGS})

add_test(NAME hotplug-start-libvirt COMMAND ${PROJECT_SOURCE_DIR}/scripts/start-libvirt.sh)
set_tests_properties(hotplug-start-libvirt PROPERTIES
  LABELS hotplug FIXTURES_SETUP hotplug-libvirtd)

add_test(NAME hotplug COMMAND test-hotplug)
set_tests_properties(hotplug PROPERTIES
  LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 900
  RESOURCE_LOCK libvirtd-images)

add_test(NAME hotplug-events COMMAND test-hotplug)
set_tests_properties(hotplug-events PROPERTIES
  LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 300
  ENVIRONMENT VDTEST_HOTPLUG_EVENTS=1 RESOURCE_LOCK libvirtd-images)

if(TARGET vdisk-cli)
  add_test(NAME hotplug-cli
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/cli-hotplug.sh $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(hotplug-cli PROPERTIES
    LABELS hotplug FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 300
    RESOURCE_LOCK libvirtd-images)
endif()
