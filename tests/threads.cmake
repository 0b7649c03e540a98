# The thread test: eight threads translating domains and hot-plugging disks
# into one running domain at once (tests/threads/test-threads.c), with the
# library compiled again with ThreadSanitizer for it, so that a data race
# in the library fails the test. libvirt and glib are not instrumented:
# tests/threads/tsan-check.py fails on the reports in which libvdisk's own
# code makes one of the accesses, and lists the others. The library orders
# its own shared state with what ThreadSanitizer sees (pthread_once, C11
# atomics). Talks to the system libvirtd: labels hotplug and threads,
# resource lock "libvirtd".

find_package(Threads REQUIRED)
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS -fsanitize=thread)
set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=thread)
check_c_source_compiles("int main(void) { return 0; }" VDISK_HAVE_TSAN)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)

if(VDISK_HAVE_TSAN AND NOT VDISK_SANITIZE)
  get_target_property(VDISK_TSAN_SOURCES vdisk_internal SOURCES)
  get_target_property(VDISK_TSAN_SOURCE_DIR vdisk_internal SOURCE_DIR)
  list(TRANSFORM VDISK_TSAN_SOURCES PREPEND ${VDISK_TSAN_SOURCE_DIR}/ REGEX "^[^/]")
  add_library(vdisk_tsan STATIC ${VDISK_TSAN_SOURCES})
  target_include_directories(vdisk_tsan PUBLIC ${PROJECT_SOURCE_DIR}/lib
    ${PROJECT_SOURCE_DIR}/include)
  target_compile_options(vdisk_tsan PRIVATE ${VDISK_WARNINGS})
  target_compile_options(vdisk_tsan PUBLIC -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(vdisk_tsan PUBLIC -fsanitize=thread)
  target_link_libraries(vdisk_tsan PUBLIC PkgConfig::GLIB PkgConfig::LIBXML2
    vdisk_libvirt_headers ${CMAKE_DL_LIBS})

  add_executable(test-threads ${CMAKE_CURRENT_SOURCE_DIR}/threads/test-threads.c)
  target_link_libraries(test-threads PRIVATE vdisk_tsan PkgConfig::LIBVIRT PkgConfig::CMOCKA
    Threads::Threads)
  target_compile_options(test-threads PRIVATE ${VDISK_WARNINGS})

  add_test(NAME threads-tsan
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/threads/tsan-check.py ${PROJECT_SOURCE_DIR}/lib
            $<TARGET_FILE:test-threads>)
  set_tests_properties(threads-tsan PROPERTIES
    LABELS "hotplug;threads" FIXTURES_REQUIRED hotplug-libvirtd TIMEOUT 600
    RESOURCE_LOCK "libvirtd;libvirtd-images")
endif()
