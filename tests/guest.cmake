# Guest tests: real QEMU through libvirtd on qemu:///system, booting the small
# Linux guest scripts/build-test-guest.sh builds (cached in the build tree,
# rebuilt when the kernel or the script changes), so that what the guest sees
# of a hot-plugged disk is checked as well as QEMU and libvirt. Every test
# that talks to the system libvirtd holds the resource lock "libvirtd".

# VDISK_GUEST_DIR: tests/CMakeLists.txt.

add_test(NAME guest-build
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/build-test-guest.sh ${VDISK_GUEST_DIR})
set_tests_properties(guest-build PROPERTIES
  LABELS guest FIXTURES_SETUP guest-image TIMEOUT 300)

add_executable(test-guest ${CMAKE_CURRENT_SOURCE_DIR}/guest/test-guest.c)
target_link_libraries(test-guest PRIVATE vdisk_internal PkgConfig::LIBVIRT PkgConfig::CMOCKA)
target_compile_options(test-guest PRIVATE ${VDISK_WARNINGS})

add_test(NAME guest COMMAND test-guest)
set_tests_properties(guest PROPERTIES
  LABELS guest FIXTURES_REQUIRED "guest-image;hotplug-libvirtd" TIMEOUT 900
  ENVIRONMENT VDTEST_GUEST_DIR=${VDISK_GUEST_DIR}
  RESOURCE_LOCK "libvirtd;libvirtd-images")
