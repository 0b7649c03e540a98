# Installs:
# - install-relocated: `cmake --install --prefix DIR`, DIR moved, then
#   DIR/bin/vdisk and the Python module run without LD_LIBRARY_PATH
#   ($ORIGIN RUNPATHs) and the .pc/CMake files point into DIR.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND AND TARGET vdisk-cli AND TARGET vdisk-python)
  add_test(NAME install-relocated
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/packaging/check-relocated.py
            --cmake ${CMAKE_COMMAND} --build-dir ${PROJECT_BINARY_DIR}
            --source-dir ${PROJECT_SOURCE_DIR}
            --work ${CMAKE_CURRENT_BINARY_DIR}/packaging/relocated)
  set_tests_properties(install-relocated PROPERTIES LABELS install TIMEOUT 300)
endif()
