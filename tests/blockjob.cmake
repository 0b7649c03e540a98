# Block job integration tests (tests/blockjob/test-blockjob.c): resize,
# snapshots, commit, pull and live copy of a disk through <vdisk/blockjob.h>,
# on real QEMU through libvirtd on qemu:///system, with the guest of
# tests/guest.cmake writing to the disk throughout. Once polling, once with
# libvirt's event loop. Labelled hotplug too, so that the checks that leave
# out the tests needing libvirtd leave these out as well.

add_executable(test-blockjob ${CMAKE_CURRENT_SOURCE_DIR}/blockjob/test-blockjob.c)
target_link_libraries(test-blockjob PRIVATE vdisk_internal PkgConfig::LIBVIRT PkgConfig::CMOCKA)
target_compile_options(test-blockjob PRIVATE ${VDISK_WARNINGS})

add_test(NAME blockjob COMMAND test-blockjob)
set_tests_properties(blockjob PROPERTIES
  LABELS "blockjob;hotplug" FIXTURES_REQUIRED "guest-image;hotplug-libvirtd" TIMEOUT 900
  ENVIRONMENT VDTEST_GUEST_DIR=${VDISK_GUEST_DIR}
  RESOURCE_LOCK "libvirtd;libvirtd-images")

add_test(NAME blockjob-events COMMAND test-blockjob)
set_tests_properties(blockjob-events PROPERTIES
  LABELS "blockjob;hotplug" FIXTURES_REQUIRED "guest-image;hotplug-libvirtd" TIMEOUT 900
  ENVIRONMENT "VDTEST_GUEST_DIR=${VDISK_GUEST_DIR};VDTEST_BLOCKJOB_EVENTS=1"
  RESOURCE_LOCK "libvirtd;libvirtd-images")

# libvirt's embedded QEMU driver (qemu:///embed, its root made by the
# program): the cases that run with the event loop, no daemon needed.
add_test(NAME blockjob-embed COMMAND test-blockjob)
set_tests_properties(blockjob-embed PROPERTIES
  LABELS "blockjob;hotplug" FIXTURES_REQUIRED "guest-image" TIMEOUT 900
  ENVIRONMENT "VDTEST_GUEST_DIR=${VDISK_GUEST_DIR};VDTEST_BLOCKJOB_EVENTS=1;VDTEST_BLOCKJOB_URI=qemu:///embed;LIBVIRT_LOG_OUTPUTS=4:stderr"
  RESOURCE_LOCK "libvirtd-images")
