#!/bin/bash
# The project's one test command: install dependencies, build, start libvirt,
# run the whole test suite. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh &&
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build build -j2 &&
    scripts/start-libvirt.sh &&
    ctest --test-dir build --output-on-failure
