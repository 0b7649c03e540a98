# ABI tests: exported symbols == version script == VDISK_API declarations,
# SONAME, and every public header compiling on its own as strict C99 and C++11
# (with libvirt's flags only: the hotplug header may use virConnectPtr).

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME abi-symbols
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/abi/check-symbols.py
            $<TARGET_FILE:vdisk> ${PROJECT_SOURCE_DIR}/lib/libvdisk.syms
            ${PROJECT_SOURCE_DIR}/include)
  set_tests_properties(abi-symbols PROPERTIES LABELS abi)
endif()

find_program(VDISK_GCC gcc)
find_program(VDISK_GXX g++)
file(GLOB VDISK_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/vdisk/*.h)
foreach(hdr ${VDISK_PUBLIC_HEADERS})
  get_filename_component(base ${hdr} NAME_WE)
  set(VDISK_HEADER vdisk/${base}.h)
  set(probe ${CMAKE_CURRENT_BINARY_DIR}/abi/header-${base}.c)
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/abi/header.c.in ${probe} @ONLY)
  if(VDISK_GCC)
    add_test(NAME abi-header-c99-${base}
      COMMAND ${VDISK_GCC} -std=c99 -pedantic -Werror -Wall -Wextra -fsyntax-only
              -I${PROJECT_SOURCE_DIR}/include ${LIBVIRT_CFLAGS} -x c ${probe})
    set_tests_properties(abi-header-c99-${base} PROPERTIES LABELS abi)
  endif()
  if(VDISK_GXX)
    add_test(NAME abi-header-cxx11-${base}
      COMMAND ${VDISK_GXX} -std=c++11 -pedantic -Werror -Wall -Wextra -fsyntax-only
              -I${PROJECT_SOURCE_DIR}/include ${LIBVIRT_CFLAGS} -x c++ ${probe})
    set_tests_properties(abi-header-cxx11-${base} PROPERTIES LABELS abi)
  endif()
endforeach()

# Installed-package consumers: pkg-config and find_package(vdisk).
if(Python3_FOUND)
  add_test(NAME abi-install-consumers
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/abi/check-install.py
            --cmake ${CMAKE_COMMAND} --build-dir ${PROJECT_BINARY_DIR}
            --consumer ${CMAKE_CURRENT_SOURCE_DIR}/abi/consumer
            --work ${CMAKE_CURRENT_BINARY_DIR}/abi/install-test)
  set_tests_properties(abi-install-consumers PROPERTIES LABELS "abi;install" TIMEOUT 300)
endif()
