# Remote connections: tests/remote/ against libvirtd over qemu+tcp://127.0.0.1/system
# (VDISK_REMOTE_URI overrides). scripts/start-libvirt-tcp.sh makes the local
# libvirtd listen there; without it the tests exit 77 (skipped).
# Run with: ctest -L remote
add_executable(remote-test-remote ${CMAKE_CURRENT_SOURCE_DIR}/remote/test-remote.c)
target_link_libraries(remote-test-remote PRIVATE vdisk_internal PkgConfig::CMOCKA)
add_test(NAME remote-connect COMMAND remote-test-remote)
set_tests_properties(remote-connect PROPERTIES LABELS remote SKIP_RETURN_CODE 77 TIMEOUT 300)

if(TARGET vdisk-cli)
  add_test(NAME remote-cli
    COMMAND /bin/bash ${CMAKE_CURRENT_SOURCE_DIR}/remote/remote-cli.sh $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(remote-cli PROPERTIES LABELS remote SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
