"""Shared fixtures of the vdisk Python tests.

Run from ctest (tests/python.cmake sets PYTHONPATH to the built module and
VDISK_CLI to the vdisk program), or by hand:
    PYTHONPATH=build/bindings/python VDISK_CLI=build/tools/vdisk \
        /usr/bin/python3 -m pytest -q tests/python
"""

import os
import shutil
import subprocess

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


@pytest.fixture(scope="module")
def conn():
    """A connection to the system libvirtd (qemu:///system), started with
    scripts/start-libvirt.sh when it does not run; the test skips where it
    cannot be (not root, no qemu-img, no libvirt-python, no daemon)."""
    libvirt = pytest.importorskip("libvirt")
    if os.geteuid() != 0:
        pytest.skip("needs root for qemu:///system")
    if shutil.which("qemu-img") is None:
        pytest.skip("qemu-img not installed")
    start = os.path.join(ROOT, "scripts", "start-libvirt.sh")
    if os.access(start, os.X_OK):
        if subprocess.run([start], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            pytest.skip("libvirtd could not be started")
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    try:
        c = libvirt.open("qemu:///system")
    except libvirt.libvirtError as e:
        pytest.skip("cannot connect to qemu:///system: %s" % e)
    yield c
    c.close()
