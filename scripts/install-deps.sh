#!/bin/bash
# Install everything the build and the test suite need on a fresh Debian 12.
set -euo pipefail

PACKAGES=(
    cmake gcc g++ make pkg-config
    libglib2.0-dev libxml2-dev libvirt-dev libcmocka-dev
    libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-block-extra qemu-utils
    libxml2-utils python3 python3-libvirt python3-pytest valgrind
    qemu-system-arm qemu-efi-aarch64 qemu-system-ppc qemu-system-misc
    python3-dev python3-setuptools python3-wheel python3-venv python3-pip bash-completion
    dpkg-dev devscripts debhelper dh-python lintian fakeroot
)

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
fi

# Nothing to do when every package is already installed.
missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

# The foreign-architecture emulators (arm, ppc, misc: aarch64, ppc64, s390x,
# riscv64) let libvirt define and translate the libvirt test-suite domains of
# those architectures (scripts/gen-libvirt-suite-golden.py); dpkg-dev unpacks
# that suite's source package. libvirtd must be restarted after they are
# installed to see them in its capabilities.
# Recommended packages stay in: the QEMU block modules (qemu-block-extra) and
# libvirt's optional drivers change which disks libvirt accepts, and the
# expected test outputs were produced on a machine that has them.
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" </dev/null
