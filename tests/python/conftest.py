"""Shared fixtures of the vdisk Python tests.

Run from ctest (tests/python.cmake sets PYTHONPATH to the built module and
VDISK_CLI to the vdisk program), or by hand:
    PYTHONPATH=build/bindings/python VDISK_CLI=build/tools/vdisk \
        /usr/bin/python3 -m pytest -q tests/python
"""

import os

import pytest

ROOT = os.environ.get("VDISK_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("VDISK_TEST_DATA") or os.path.join(ROOT, "tests", "data")


@pytest.fixture(scope="session")
def data_dir():
    return DATA


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("VDISK_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("VDISK_CLI does not name the vdisk program")
    return path
