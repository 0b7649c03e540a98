# The Python module's test suite (pytest): model round trips, enums against
# libvirt's strings, qemu_args() against the vdisk CLI on the golden corpus,
# errors, memory, and hotplug against real libvirtd + QEMU (those cases skip
# themselves where libvirt cannot run).
if(TARGET vdisk-python)
  set(VDISK_PY_ENV
    PYTHONPATH=${VDISK_PYTHONPATH}
    PYTHONDONTWRITEBYTECODE=1
    VDISK_TEST_DATA=${CMAKE_CURRENT_SOURCE_DIR}/data
    VDISK_SOURCE_DIR=${PROJECT_SOURCE_DIR})
  if(TARGET vdisk-cli)
    list(APPEND VDISK_PY_ENV VDISK_CLI=$<TARGET_FILE:vdisk-cli>)
  endif()
  add_test(NAME python
    COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_SOURCE_DIR}/python)
  set_tests_properties(python PROPERTIES
    LABELS python
    ENVIRONMENT "${VDISK_PY_ENV}"
    TIMEOUT 900
    RESOURCE_LOCK libvirtd-images)
endif()
