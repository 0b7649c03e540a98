#!/bin/bash
# The vdisk program over qemu+tcp://: volume-create prints a disk whose file
# the remote daemon made; next-target, attach, list and detach work on a
# running transient TCG domain of that daemon. VDISK_REMOTE_URI names the
# daemon (default qemu+tcp://127.0.0.1/system; the ctest fixture starts a
# private one with scripts/start-libvirt-tcp.sh --private). Exits 77 when
# nothing answers on the URI.
set -uo pipefail

VDISK=$1
URI=${VDISK_REMOTE_URI:-qemu+tcp://127.0.0.1/system}
NAME=vdtest-storage-cli-$$
FAILED=0

virsh -c "$URI" version >/dev/null 2>&1 || { echo "skipped: nothing answers on $URI"; exit 77; }
DIR=$(mktemp -d /tmp/vdtest-storage-cli-XXXXXX)
chmod 755 "$DIR"

cleanup() {
    virsh -c "$URI" destroy "$NAME" >/dev/null 2>&1
    virsh -c "$URI" pool-destroy "$NAME" >/dev/null 2>&1
    rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    FAILED=1
}

virsh -c "$URI" pool-create-as "$NAME" dir --target "$DIR" >/dev/null || exit 1
cat >"$DIR/dom.xml" <<XML
<domain type='qemu'><name>$NAME</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><video><model type='none'/></video><memballoon model='none'/></devices></domain>
XML
virsh -c "$URI" create "$DIR/dom.xml" >/dev/null || exit 1

# volume-create: XML, then JSON with a backing image
out=$("$VDISK" volume-create --connect "$URI" "$NAME" base.img 16M --format raw) ||
    fail "volume-create raw: exit $?"
grep -q "<source file='$DIR/base.img'/>" <<<"$out" || fail "volume-create raw printed: $out"
[ -f "$DIR/base.img" ] || fail "base.img was not created"

out=$("$VDISK" volume-create --connect "$URI" --json --format qcow2 --backing "$DIR/base.img" \
    "$NAME" top.qcow2 16M) || fail "volume-create qcow2: exit $?"
grep -q '"format": "qcow2"' <<<"$out" || fail "volume-create --json printed: $out"
grep -q "\"path\": \"$DIR/top.qcow2\"" <<<"$out" || fail "volume-create --json printed: $out"
grep -q "backing file format: raw" <<<"$(qemu-img info -U "$DIR/top.qcow2")" ||
    fail "top.qcow2 has no raw backing file"

# refusals exit 3 and name the volume
out=$("$VDISK" volume-create --connect "$URI" "$NAME" base.img 16M --format raw 2>&1)
rc=$?
[ $rc -eq 3 ] || fail "duplicate volume: exit $rc"
grep -q "already has a volume 'base.img'" <<<"$out" || fail "duplicate volume said: $out"
"$VDISK" volume-create --connect "$URI" "$NAME" x.img 12Q >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad size is not a usage error"

# the new volume goes to the first free target of the running domain, is
# listed there, and leaves again
out=$("$VDISK" next-target --connect "$URI" "$NAME" usb 2>&1) || fail "next-target: $out"
[ "$out" = "sda" ] || fail "next-target printed: $out"
out=$("$VDISK" attach --connect "$URI" --live --bus usb --format qcow2 "$NAME" \
    "$DIR/top.qcow2" 2>&1) || fail "attach: $out"
[ "$out" = "sda" ] || fail "attach printed: $out"
out=$("$VDISK" list --connect "$URI" "$NAME" 2>&1) || fail "list: $out"
grep -Eq "^sda +usb +disk +qcow2 .*$DIR/top.qcow2\$" <<<"$out" ||
    fail "list does not show top.qcow2 on sda: $out"
out=$("$VDISK" next-target --connect "$URI" "$NAME" usb 2>&1) || fail "next-target: $out"
[ "$out" = "sdb" ] || fail "next-target after attach printed: $out"
out=$("$VDISK" detach --connect "$URI" --live "$NAME" sda 2>&1) || fail "detach: $out"
out=$("$VDISK" list --connect "$URI" "$NAME" 2>&1) || fail "list after detach: $out"
grep -q "top.qcow2" <<<"$out" && fail "top.qcow2 is still listed after detach: $out"
out=$("$VDISK" next-target --connect "$URI" "$NAME" usb 2>&1) || fail "next-target: $out"
[ "$out" = "sda" ] || fail "next-target after detach printed: $out"
# the remote daemon's QEMU let go of the image
grep -q top.qcow2 <<<"$(virsh -c "$URI" qemu-monitor-command "$NAME" '{"execute":"query-block"}')" &&
    fail "QEMU still has top.qcow2 open after detach"
# a detach of a target that is not there is refused (exit 3)
"$VDISK" detach --connect "$URI" --live "$NAME" sdq >/dev/null 2>&1
rc=$?
[ $rc -eq 3 ] || fail "detach of a missing target: exit $rc"

exit $FAILED
