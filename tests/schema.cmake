# The schema table is the only place the <disk> schema is written: the
# files generated from it (include/vdisk/enums.h, lib/conf/schema-gen.[ch])
# must be what scripts/gen-schema.py makes of lib/conf/schema/disk.schema.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME schema-generated
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/gen-schema.py --check
            --root ${PROJECT_SOURCE_DIR})
  set_tests_properties(schema-generated PROPERTIES LABELS "unit;schema")
endif()

# The layering rules a script can check (tests/structure/check_structure.py).
if(Python3_FOUND)
  add_test(NAME structure
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/structure/check_structure.py
            ${PROJECT_SOURCE_DIR})
  set_tests_properties(structure PROPERTIES LABELS "unit;schema")
endif()
