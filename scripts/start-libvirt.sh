#!/bin/bash
# Start virtlogd and libvirtd directly (no systemd needed) and wait until the
# QEMU driver answers on qemu:///system. Safe to run when they already run.
set -euo pipefail

URI=${VDISK_LIBVIRT_URI:-qemu:///system}
TIMEOUT=${VDISK_LIBVIRT_TIMEOUT:-60}

die() {
    echo "start-libvirt: $*" >&2
    exit 1
}

answers() {
    virsh -c "$URI" version >/dev/null 2>&1
}

if answers; then
    exit 0
fi

command -v virsh >/dev/null || die "virsh not found (install libvirt-clients)"
command -v libvirtd >/dev/null || die "libvirtd not found (install libvirt-daemon-system)"
command -v virtlogd >/dev/null || die "virtlogd not found (install libvirt-daemon-system)"
[ "$(id -u)" -eq 0 ] || die "must run as root to start the system daemons for $URI"

mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt

# A daemon counts as running when its pid file names a live process. A
# daemon that crashed stays a zombie until init reaps it (which may be never
# in a container): kill -0 still succeeds on it, so its state is checked too.
running() {
    local pidfile=$1 pid state
    [ -s "$pidfile" ] || return 1
    pid=$(cat "$pidfile" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

if ! running /run/virtlogd.pid && ! running /run/libvirt/virtlogd.pid; then
    rm -f /run/virtlogd.pid
    virtlogd -d || die "virtlogd failed to start"
fi

if ! running /run/libvirtd.pid && ! running /run/libvirt/libvirtd.pid; then
    rm -f /run/libvirtd.pid
    libvirtd -d || die "libvirtd failed to start (see /var/log/libvirt/ or run 'libvirtd -v')"
fi

for _ in $(seq 1 $((TIMEOUT * 2))); do
    if answers; then
        exit 0
    fi
    sleep 0.5
done

err=$(virsh -c "$URI" version 2>&1 || true)
die "libvirtd did not answer on $URI within ${TIMEOUT}s: $err"
