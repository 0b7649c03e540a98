#!/bin/bash
# The project's one test command: install dependencies, build, start libvirt,
# run the whole test suite, then the unit, fuzz-corpus and offline CLI tests
# again under ASan+UBSan (scripts/run-sanitized-tests.sh). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh &&
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build build -j2 &&
    scripts/start-libvirt.sh &&
    ctest --test-dir build --output-on-failure &&
    scripts/run-sanitized-tests.sh
