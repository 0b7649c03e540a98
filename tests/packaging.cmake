# Installs and packages:
# - install-relocated: `cmake --install --prefix DIR`, DIR moved, then
#   DIR/bin/vdisk and the Python module run without LD_LIBRARY_PATH
#   ($ORIGIN RUNPATHs) and the .pc/CMake files point into DIR;
# - install-pip: `pip install ./bindings/python` in a fresh venv against a
#   prefix install found through PKG_CONFIG_PATH;
# - packaging-debian: the Debian packages built from a clean copy of HEAD
#   (dpkg-buildpackage), lintian, installed system-wide, used, purged. It
#   replaces nothing of the build tree but puts libvdisk.so.0 in /usr/lib
#   while it runs, so it runs alone (RUN_SERIAL). Skipped (77) when not root
#   or without dpkg-buildpackage.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND AND TARGET vdisk-cli AND TARGET vdisk-python)
  add_test(NAME install-relocated
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/packaging/check-relocated.py
            --cmake ${CMAKE_COMMAND} --build-dir ${PROJECT_BINARY_DIR}
            --source-dir ${PROJECT_SOURCE_DIR}
            --work ${CMAKE_CURRENT_BINARY_DIR}/packaging/relocated)
  set_tests_properties(install-relocated PROPERTIES LABELS install TIMEOUT 300)

  add_test(NAME install-pip
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/packaging/check-pip.py
            --cmake ${CMAKE_COMMAND} --build-dir ${PROJECT_BINARY_DIR}
            --source-dir ${PROJECT_SOURCE_DIR} --version ${PROJECT_VERSION}
            --work ${CMAKE_CURRENT_BINARY_DIR}/packaging/pip)
  set_tests_properties(install-pip PROPERTIES LABELS "install;python" TIMEOUT 300)
endif()

find_program(VDISK_BASH bash)
if(VDISK_BASH AND TARGET vdisk-cli)
  add_test(NAME packaging-debian
    COMMAND ${VDISK_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/packaging/check-debian.sh
            ${PROJECT_SOURCE_DIR} $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(packaging-debian PROPERTIES
    LABELS packaging RUN_SERIAL TRUE SKIP_RETURN_CODE 77 TIMEOUT 1800)
endif()

# debian/libvdisk0.symbols is what debian/gen-symbols makes of lib/libvdisk.syms.
if(EXISTS ${PROJECT_SOURCE_DIR}/debian/gen-symbols)
  add_test(NAME abi-debian-symbols
    COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/debian/gen-symbols --check)
  set_tests_properties(abi-debian-symbols PROPERTIES LABELS "abi;packaging-symbols")
endif()
