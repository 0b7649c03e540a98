# The libvirt configuration oracle: real libvirt 9.0 judges `vdisk xml` and
# `vdisk check` on the corpus in tests/data/disks and tests/data/refuse.
# It starts libvirtd itself and is skipped (exit 77) where libvirt cannot run.
if(TARGET vdisk-cli)
  add_test(NAME oracle-conf
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/oracle/test_conf_oracle.py
            --vdisk $<TARGET_FILE:vdisk-cli>)
  set_tests_properties(oracle-conf PROPERTIES
    LABELS oracle
    SKIP_RETURN_CODE 77
    TIMEOUT 900)
endif()
