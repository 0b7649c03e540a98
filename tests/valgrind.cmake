# memcheck: every unit test program (tests/test-*) again under valgrind,
# plus the vdisk program on a domain and (fuzz/CMakeLists.txt) the fuzz
# corpus replays. Definite and indirect leaks and any memory error fail the
# test. Runs in the default `ctest`; select or skip with `ctest -L memcheck`
# / `ctest -LE memcheck`.

find_program(VDISK_VALGRIND valgrind)
if(VDISK_VALGRIND AND NOT VDISK_SANITIZE)
  set(VDISK_MEMCHECK_COMMAND ${VDISK_VALGRIND} --tool=memcheck --quiet --leak-check=full
      --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
      --error-exitcode=1 --track-origins=yes --num-callers=30
      --suppressions=${CMAKE_CURRENT_SOURCE_DIR}/valgrind.supp)
  set(VDISK_MEMCHECK_ENV "G_SLICE=always-malloc;G_DEBUG=gc-friendly")
  # fuzz/ (a sibling directory) runs its corpus replays the same way.
  set(VDISK_MEMCHECK_COMMAND ${VDISK_MEMCHECK_COMMAND} PARENT_SCOPE)
  set(VDISK_MEMCHECK_ENV ${VDISK_MEMCHECK_ENV} PARENT_SCOPE)

  foreach(src ${VDISK_UNIT_TESTS})
    get_filename_component(name ${src} NAME_WE)
    add_test(NAME memcheck-${name} COMMAND ${VDISK_MEMCHECK_COMMAND} $<TARGET_FILE:${name}>)
    set_tests_properties(memcheck-${name} PROPERTIES LABELS memcheck TIMEOUT 600
      ENVIRONMENT "${VDISK_MEMCHECK_ENV}")
  endforeach()

  if(TARGET vdisk-cli)
    foreach(sub xml check)
      add_test(NAME memcheck-vdisk-${sub}
        COMMAND ${VDISK_MEMCHECK_COMMAND} $<TARGET_FILE:vdisk-cli> ${sub}
                ${CMAKE_CURRENT_SOURCE_DIR}/cli/domain-three-disks.xml)
      set_tests_properties(memcheck-vdisk-${sub} PROPERTIES LABELS memcheck TIMEOUT 600
        ENVIRONMENT "${VDISK_MEMCHECK_ENV}")
    endforeach()
    # A refusal frees everything too. vdisk exits 1 here, so the test passes
    # on the refusal message and fails on any valgrind report.
    add_test(NAME memcheck-vdisk-check-refused
      COMMAND ${VDISK_MEMCHECK_COMMAND} $<TARGET_FILE:vdisk-cli> check
              ${CMAKE_CURRENT_SOURCE_DIR}/cli/domain-bad-io.xml)
    set_tests_properties(memcheck-vdisk-check-refused PROPERTIES LABELS memcheck TIMEOUT 600
      ENVIRONMENT "${VDISK_MEMCHECK_ENV}"
      PASS_REGULAR_EXPRESSION "'slow'" FAIL_REGULAR_EXPRESSION "==[0-9]+== ")
  endif()
endif()
