#!/bin/bash
# The unit tests, the fuzz corpora and the offline CLI tests again, built
# with AddressSanitizer and UndefinedBehaviorSanitizer (any report fails
# the run: UBSan does not recover, ASan aborts, leaks count). Run by
# scripts/run-tests.sh after the main suite; usable on its own.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${VDISK_ASAN_BUILD_DIR:-build-asan}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DVDISK_SANITIZE=ON \
    -DVDISK_BUILD_PYTHON=OFF -DVDISK_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" -j2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$dir" --output-on-failure -L "unit|fuzz|cli" -LE "memcheck|hotplug"
