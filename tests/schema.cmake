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
