# Remote connections: tests/remote/ against a real libvirtd over qemu+tcp://
# on loopback. The fixture starts a private virtlogd/libvirtd pair (its own
# mount namespace and state under the build tree, the system daemons left
# alone) listening on 127.0.0.1:VDISK_REMOTE_TEST_PORT, and stops it after
# the tests, destroying what it still runs. Needs root.
# Run with: ctest -L remote
set(VDISK_REMOTE_TEST_PORT 16609 CACHE STRING
  "Loopback TCP port of the private libvirtd the remote tests start")
set(VDISK_REMOTE_DIR ${CMAKE_CURRENT_BINARY_DIR}/remote-libvirtd)
set(VDISK_REMOTE_URI qemu+tcp://127.0.0.1:${VDISK_REMOTE_TEST_PORT}/system)

add_test(NAME remote-start-libvirtd
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/start-libvirt-tcp.sh
          --port ${VDISK_REMOTE_TEST_PORT} --private ${VDISK_REMOTE_DIR})
set_tests_properties(remote-start-libvirtd PROPERTIES
  LABELS remote FIXTURES_SETUP remote-libvirtd TIMEOUT 180)

add_test(NAME remote-stop-libvirtd
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/start-libvirt-tcp.sh
          --port ${VDISK_REMOTE_TEST_PORT} --stop-private ${VDISK_REMOTE_DIR})
set_tests_properties(remote-stop-libvirtd PROPERTIES
  LABELS remote FIXTURES_CLEANUP remote-libvirtd TIMEOUT 120)

# Exit 77 (nothing answers) is a failure here: the fixture provides the daemon.
add_executable(remote-test-remote ${CMAKE_CURRENT_SOURCE_DIR}/remote/test-remote.c)
target_link_libraries(remote-test-remote PRIVATE vdisk_internal PkgConfig::LIBVIRT PkgConfig::CMOCKA)
add_test(NAME remote-connect COMMAND remote-test-remote)
set_tests_properties(remote-connect PROPERTIES
  LABELS remote FIXTURES_REQUIRED remote-libvirtd TIMEOUT 300
  ENVIRONMENT VDISK_REMOTE_URI=${VDISK_REMOTE_URI} RESOURCE_LOCK remote-libvirtd)

if(TARGET vdisk-cli)
  add_test(NAME remote-cli
    COMMAND /bin/bash ${CMAKE_CURRENT_SOURCE_DIR}/remote/remote-cli.sh $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(remote-cli PROPERTIES
    LABELS remote FIXTURES_REQUIRED remote-libvirtd TIMEOUT 300
    ENVIRONMENT VDISK_REMOTE_URI=${VDISK_REMOTE_URI} RESOURCE_LOCK remote-libvirtd)
endif()

# tests/hotplug/test-trust.c through the remote URI: ensure-attached, aliases,
# processes attaching at once, transient domains, client kill trials.
add_test(NAME remote-trust COMMAND test-hotplug-trust)
set_tests_properties(remote-trust PROPERTIES
  LABELS remote FIXTURES_REQUIRED remote-libvirtd TIMEOUT 600
  ENVIRONMENT VDTEST_HOTPLUG_URI=${VDISK_REMOTE_URI} RESOURCE_LOCK remote-libvirtd)

# The block job cases (tests/blockjob) over qemu+tcp://, with libvirt's
# event loop; the images in a directory the private libvirtd sees too.
if(TARGET test-blockjob)
  add_test(NAME remote-blockjob COMMAND test-blockjob)
  set_tests_properties(remote-blockjob PROPERTIES
    LABELS "remote;blockjob" FIXTURES_REQUIRED "remote-libvirtd;guest-image" TIMEOUT 900
    ENVIRONMENT "VDTEST_GUEST_DIR=${VDISK_GUEST_DIR};VDTEST_BLOCKJOB_EVENTS=1;VDTEST_BLOCKJOB_URI=${VDISK_REMOTE_URI};VDTEST_BLOCKJOB_IMAGES=/var/tmp/vdtest-bj-remote"
    RESOURCE_LOCK remote-libvirtd)
endif()
