#!/bin/bash
# Make libvirtd (as started by scripts/start-libvirt.sh) also listen on TCP at
# 127.0.0.1:16509 without authentication, for the remote tests
# (qemu+tcp://127.0.0.1/system). Loopback only: never use this on a host
# whose loopback other users can reach.
#
# It sets listen_tcp = 1, listen_tls = 0, auth_tcp = "none" and
# listen_addr = "127.0.0.1" in a marked block of libvirtd.conf and, when the
# daemon does not answer on TCP yet, restarts it with --listen (no systemd
# socket activation). Domains keep running across the restart. Safe to run
# when TCP already answers: nothing is touched then.
#
#   start-libvirt-tcp.sh                    reconfigure and restart the system libvirtd
#   start-libvirt-tcp.sh --private DIR      leave the system daemons alone: start a
#                                           second virtlogd/libvirtd pair in a private
#                                           mount namespace, their state under DIR,
#                                           listening on 127.0.0.1 TCP (for hosts
#                                           where others are using the system daemon)
#                                           (a stale state under DIR is wiped first)
#   start-libvirt-tcp.sh --stop-private DIR stop that pair, after destroying the
#                                           domains and pools it still runs
#
# --port N (before the mode) listens on port N instead of libvirt's 16509;
# with --private the port is kept in DIR/port for --stop-private. A private
# start fails when something else already answers on the port.
set -euo pipefail

CONF=${VDISK_LIBVIRTD_CONF:-/etc/libvirt/libvirtd.conf}
PORT=""
if [ "${1:-}" = "--port" ]; then
    PORT=${2:?usage: start-libvirt-tcp.sh --port N ...}
    [[ $PORT =~ ^[0-9]+$ ]] || { echo "start-libvirt-tcp: bad port '$PORT'" >&2; exit 1; }
    shift 2
fi
tcp_uri() {
    echo "qemu+tcp://127.0.0.1${1:+:$1}/system"
}
TCP_URI=${VDISK_LIBVIRT_TCP_URI:-$(tcp_uri "$PORT")}
TIMEOUT=${VDISK_LIBVIRT_TIMEOUT:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
BEGIN="# >>> vdisk remote tests: loopback TCP without auth (scripts/start-libvirt-tcp.sh)"
END="# <<< vdisk remote tests"

die() {
    echo "start-libvirt-tcp: $*" >&2
    exit 1
}

answers_tcp() {
    virsh -c "$TCP_URI" version >/dev/null 2>&1
}

# The settings of our block of libvirtd.conf.
conf_block() {
    printf 'listen_tcp = 1\nlisten_tls = 0\nauth_tcp = "none"\nlisten_addr = "127.0.0.1"\n'
    if [ -n "$PORT" ]; then
        printf 'tcp_port = "%s"\n' "$PORT"
    fi
}

# The live process named by a pid file, or nothing.
pid_of() {
    local f=$1 pid
    [ -s "$f" ] || return 1
    pid=$(cat "$f" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

stop_private() {
    local dir=$1 f pid uri name
    if [ -s "$dir/port" ] && pid_of "$dir/run/libvirtd.pid" >/dev/null; then
        # QEMU outlives libvirtd: end what the private daemon still runs
        uri=$(tcp_uri "$(cat "$dir/port")")
        for name in $(virsh -c "$uri" list --name 2>/dev/null); do
            virsh -c "$uri" destroy "$name" >/dev/null 2>&1 || true
        done
        for name in $(virsh -c "$uri" pool-list --name 2>/dev/null); do
            virsh -c "$uri" pool-destroy "$name" >/dev/null 2>&1 || true
        done
    fi
    for f in "$dir/run/libvirtd.pid" "$dir/run/virtlogd.pid"; do
        [ -s "$f" ] || continue
        pid=$(cat "$f")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        rm -f "$f"
    done
}

start_private() {
    local dir=$1
    # a fresh state: no domains or pools of an earlier run come back
    rm -rf "${dir:?}/run" "${dir:?}/lib" "${dir:?}/cache" "${dir:?}/log" "${dir:?}/etc" \
        "${dir:?}/port"
    mkdir -p "$dir/run" "$dir/lib" "$dir/cache" "$dir/log" "$dir/etc"
    dir=$(cd "$dir" && pwd)
    # QEMU's capabilities, as the system daemon probed them (same binaries):
    # saves probing every emulator again
    if [ -d /var/cache/libvirt/qemu ]; then
        cp -a /var/cache/libvirt/qemu "$dir/cache/"
    fi
    cp /etc/libvirt/*.conf "$dir/etc/"
    if [ -d /etc/libvirt/nwfilter ]; then
        cp -a /etc/libvirt/nwfilter "$dir/etc/"
    fi
    mkdir -p "$dir/etc/qemu" "$dir/etc/storage" "$dir/etc/secrets"
    {
        printf '\n%s\n' "$BEGIN"
        conf_block
        printf '%s\n' "$END"
    } >>"$dir/etc/libvirtd.conf"
    echo "${PORT:-16509}" >"$dir/port"
    # The daemons see DIR's directories in place of the system's; the
    # namespace lives as long as they do.
    # shellcheck disable=SC2016
    unshare -m /bin/bash -euc '
        d=$1
        [ -n "$d" ] && [ -d "$d/run" ] || exit 1
        mount --make-rprivate /
        mount --bind "$d/run" /run/libvirt
        mount --bind "$d/lib" /var/lib/libvirt
        mount --bind "$d/cache" /var/cache/libvirt
        mount --bind "$d/log" /var/log/libvirt
        mount --bind "$d/etc" /etc/libvirt
        virtlogd -d -p /run/libvirt/virtlogd.pid
        libvirtd -d --listen -p /run/libvirt/libvirtd.pid
    ' start-private "$dir"
}

if [ "${1:-}" = "--stop-private" ]; then
    stop_private "${2:?usage: start-libvirt-tcp.sh --stop-private DIR}"
    exit 0
fi

if [ "${1:-}" = "--private" ]; then
    [ "$(id -u)" -eq 0 ] || die "must run as root to start a private libvirtd"
    command -v unshare >/dev/null || die "unshare not found (install util-linux)"
    dir=${2:?usage: start-libvirt-tcp.sh --private DIR}
    if answers_tcp; then
        # ours from an earlier start, or someone else's daemon on the port
        pid_of "$dir/run/libvirtd.pid" >/dev/null && exit 0
        die "something else already answers on $TCP_URI (choose another --port)"
    fi
    stop_private "$dir"
    start_private "$dir"
    for _ in $(seq 1 $((TIMEOUT * 2))); do
        if answers_tcp; then
            exit 0
        fi
        sleep 0.5
    done
    die "the private libvirtd did not answer on $TCP_URI within ${TIMEOUT}s"
fi

if answers_tcp; then
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root to reconfigure the system libvirtd"
command -v libvirtd >/dev/null || die "libvirtd not found (install libvirt-daemon-system)"
[ -f "$CONF" ] || die "$CONF not found"

# The daemons the project's script starts (virtlogd first).
"$HERE/start-libvirt.sh"

# Rewrite our block (only ours) of libvirtd.conf.
tmp=$(mktemp "$CONF.XXXXXX")
awk -v b="$BEGIN" -v e="$END" '
    $0 == b { skip = 1; next }
    $0 == e { skip = 0; next }
    !skip { print }
' "$CONF" >"$tmp"
{
    printf '%s\n' "$BEGIN"
    conf_block
    printf '%s\n' "$END"
} >>"$tmp"
chmod --reference="$CONF" "$tmp"
mv "$tmp" "$CONF"

# Stop the running libvirtd (by its pid file) and start it again listening.
pid=""
for f in /run/libvirtd.pid /run/libvirt/libvirtd.pid; do
    if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
        pid=$(cat "$f")
        break
    fi
done
if [ -n "$pid" ]; then
    kill -TERM "$pid"
    for _ in $(seq 1 $((TIMEOUT * 2))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && die "libvirtd ($pid) did not stop within ${TIMEOUT}s"
fi
rm -f /run/libvirtd.pid
libvirtd -d --listen -f "$CONF" || die "libvirtd --listen failed to start (run 'libvirtd -v --listen')"

for _ in $(seq 1 $((TIMEOUT * 2))); do
    if answers_tcp; then
        exit 0
    fi
    sleep 0.5
done
err=$(virsh -c "$TCP_URI" version 2>&1 || true)
die "libvirtd did not answer on $TCP_URI within ${TIMEOUT}s: $err"
