# Storage volumes and connections against real libvirt: tests/storage/test-*.c
# are cmocka programs that need libvirtd (qemu:///system) or the embedded QEMU
# driver; each exits 77 (skipped) where libvirt cannot run.
file(GLOB VDISK_STORAGE_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/storage/test-*.c)
foreach(src ${VDISK_STORAGE_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(storage-${name} ${src})
  target_link_libraries(storage-${name} PRIVATE vdisk_internal PkgConfig::LIBVIRT PkgConfig::CMOCKA)
  target_compile_definitions(storage-${name} PRIVATE
    VDISK_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
  add_test(NAME storage-${name} COMMAND storage-${name})
  set_tests_properties(storage-${name} PROPERTIES
    LABELS libvirt
    SKIP_RETURN_CODE 77
    TIMEOUT 300)
endforeach()
