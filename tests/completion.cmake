# bash completion (tools/vdisk.bash-completion): sourced in bash, _vdisk
# called on command lines (COMP_WORDS/COMP_CWORD), COMPREPLY checked; its
# lists against `vdisk --help`, `vdisk SUBCOMMAND --help` and the schema.
find_program(VDISK_BASH bash)
if(TARGET vdisk-cli AND VDISK_BASH)
  add_test(NAME completion-bash
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/completion/test_completion.py
            --vdisk $<TARGET_FILE:vdisk-cli>
            --script ${PROJECT_SOURCE_DIR}/tools/vdisk.bash-completion
            --schema ${PROJECT_SOURCE_DIR}/lib/conf/schema/disk.schema)
  set_tests_properties(completion-bash PROPERTIES LABELS completion TIMEOUT 300)
endif()
