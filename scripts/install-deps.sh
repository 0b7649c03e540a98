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
    busybox-static
)

# The booted test guest (scripts/build-test-guest.sh) runs Debian's amd64
# kernel: the cloud flavour has no USB support at all (CONFIG_USB_SUPPORT is
# off), and the guest tests plug USB disks. Only the package's files are
# needed, so the .deb is unpacked into a cache directory: installing it
# would pull in initramfs-tools (which writes an initrd to /boot), apparmor
# and busybox (which conflicts with busybox-static).
GUEST_KERNEL_META=linux-image-amd64
GUEST_KERNEL_DIR=${VDISK_GUEST_KERNEL_DIR:-/var/cache/vdisk-test-guest/kernel}

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
fi

# Unpacks the kernel package the meta package depends on, once.
fetch_guest_kernel() {
    local pkg tmp
    if compgen -G "$GUEST_KERNEL_DIR/boot/vmlinuz-*" >/dev/null; then
        return 0
    fi
    pkg=$(apt-cache depends "$GUEST_KERNEL_META" | awk '/Depends: linux-image-/ { print $2; exit }')
    if [ -z "$pkg" ]; then
        echo "install-deps: cannot tell which kernel $GUEST_KERNEL_META depends on" >&2
        return 1
    fi
    $SUDO mkdir -p "$(dirname "$GUEST_KERNEL_DIR")"
    tmp=$($SUDO mktemp -d "$GUEST_KERNEL_DIR.XXXXXX")
    $SUDO chmod 0755 "$tmp"
    $SUDO chown _apt "$tmp" 2>/dev/null || true # apt downloads as _apt
    (cd "$tmp" && $SUDO apt-get download -qq "$pkg") &&
        $SUDO dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/root" &&
        $SUDO rm -rf "$GUEST_KERNEL_DIR" &&
        $SUDO mv "$tmp/root" "$GUEST_KERNEL_DIR" &&
        $SUDO rm -rf "$tmp"
}

# Nothing to do when every package is already installed.
missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    fetch_guest_kernel
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
fetch_guest_kernel
