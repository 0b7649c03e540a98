# Start-up costs what the command needs: `vdisk xml`, `check` and
# `qemu-args` (and the Python module parsing a domain) never load libvirt;
# a hotplug subcommand loads it when it connects (tests/startup/).
if(TARGET vdisk-cli)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    set(VDISK_STARTUP_ARGS --vdisk $<TARGET_FILE:vdisk-cli> --lib $<TARGET_FILE:vdisk>
        --example ${PROJECT_SOURCE_DIR}/examples/domain.xml)
    if(TARGET vdisk-python)
      list(APPEND VDISK_STARTUP_ARGS --pythonpath ${VDISK_PYTHONPATH})
    endif()
    add_test(NAME cli-startup-no-libvirt
      COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/startup/check-startup.py
              ${VDISK_STARTUP_ARGS})
    set_tests_properties(cli-startup-no-libvirt PROPERTIES LABELS "cli;startup" TIMEOUT 120)
  endif()
endif()
