#!/bin/bash
# The vdisk hotplug subcommands against a real transient domain: their
# output, their JSON and their exit statuses (0 done, 2 usage, 3 refused,
# 4 pending).
# Usage: cli-hotplug.sh VDISK_BINARY
set -uo pipefail

VDISK=$1
URI=qemu:///system
NAME=vdtest-hotplug-cli-$$
DIR=$(mktemp -d /var/lib/libvirt/images/vdtest-hotplug-cli-XXXXXX)
chmod 755 "$DIR"
failures=0

cleanup() {
    virsh -c "$URI" destroy "$NAME" >/dev/null 2>&1
    rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect STATUS CMD...: runs the CMD, keeps its stdout in $out
expect() {
    local want=$1
    shift
    out=$("$@" 2>"$DIR/stderr")
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "'$*' exited $got, expected $want: $(cat "$DIR/stderr")"
    fi
}

qemu-img create -q -f qcow2 "$DIR/a.qcow2" 16M || exit 1
qemu-img create -q -f raw "$DIR/media.iso" 1M || exit 1
cat >"$DIR/dom.xml" <<XML
<domain type='qemu'>
  <name>$NAME</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <controller type='scsi' model='virtio-scsi'/>
    <controller type='usb' model='piix3-uhci'/>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
    <memballoon model='none'/>
  </devices>
</domain>
XML
virsh -c "$URI" create "$DIR/dom.xml" >/dev/null || exit 1

expect 0 "$VDISK" next-target "$NAME" scsi
[ "$out" = sda ] || fail "next-target scsi printed '$out', expected sda"

expect 0 "$VDISK" attach "$NAME" "$DIR/a.qcow2" --bus scsi --format qcow2 --json
[ "$out" = '{"ok": true, "target": "sda", "changed": true, "live": true, "config": false, "live_only": false, "format": "qcow2", "format_probed": false, "format_guessed": false}' ] ||
    fail "attach --json printed '$out'"

# the same disk again: nothing to do
expect 0 "$VDISK" attach "$NAME" "$DIR/a.qcow2" --target sda --format qcow2

expect 0 "$VDISK" list "$NAME" --json
grep -q "\"target\": \"sda\", \"bus\": \"scsi\", \"device\": \"disk\", \"type\": \"file\", \"format\": \"qcow2\", \"source\": \"$DIR/a.qcow2\"" <<<"$out" ||
    fail "list --json lacks sda: $out"
expect 0 "$VDISK" next-target "$NAME" scsi
[ "$out" = sdb ] || fail "next-target after attach printed '$out', expected sdb"

# the target is taken by another source
expect 3 "$VDISK" attach "$NAME" "$DIR/media.iso" --target sda
grep -q "$DIR/a.qcow2" "$DIR/stderr" || fail "taken target: message does not name the source"

# the same source again with an automatic target: its target, nothing changed
expect 0 "$VDISK" attach "$NAME" "$DIR/a.qcow2" --bus scsi --format qcow2 --json
grep -q '"target": "sda", "changed": false' <<<"$out" || fail "attach again: JSON was '$out'"
grep -q "already attached as sda; nothing changed" "$DIR/stderr" ||
    fail "attach again: $(cat "$DIR/stderr")"
# another target for it: refused, naming sda
expect 3 "$VDISK" attach "$NAME" "$DIR/a.qcow2" --target sdk --format qcow2
grep -q "as target 'sda'" "$DIR/stderr" || fail "attach elsewhere: $(cat "$DIR/stderr")"
# no format: a qcow2 header is refused with both ways on; auto says what it found
qemu-img create -q -f qcow2 "$DIR/c.qcow2" 16M || exit 1
expect 3 "$VDISK" attach "$NAME" "$DIR/c.qcow2" --bus scsi
grep -q -- "--format qcow2" "$DIR/stderr" && grep -q -- "--format raw" "$DIR/stderr" ||
    fail "attach without format: $(cat "$DIR/stderr")"
expect 0 "$VDISK" attach "$NAME" "$DIR/c.qcow2" --bus scsi --format auto --json
grep -q '"format": "qcow2", "format_probed": true, "format_guessed": false' <<<"$out" ||
    fail "attach --format auto: JSON was '$out'"
grep -q "format qcow2 read from the header" "$DIR/stderr" ||
    fail "attach --format auto: $(cat "$DIR/stderr")"
expect 0 "$VDISK" detach "$NAME" sdb --wait 10
# a transient domain: no persistent definition, --persistent is live only
expect 3 "$VDISK" list "$NAME" --inactive --json
grep -q '"code": "transient"' <<<"$out" || fail "list --inactive: JSON was '$out'"
expect 3 "$VDISK" attach "$NAME" "$DIR/c.qcow2" --bus scsi --format qcow2 --config
expect 0 "$VDISK" recover "$NAME"
[ -z "$out" ] || fail "recover with nothing pending printed '$out'"

expect 0 "$VDISK" detach "$NAME" sda --wait 10 --persistent --json
[ "$out" = '{"ok": true, "live": true, "config": false}' ] || fail "detach --persistent: '$out'"
grep -q "transient: changed live only" "$DIR/stderr" || fail "detach --persistent: $(cat "$DIR/stderr")"
expect 3 "$VDISK" detach "$NAME" sda --json
grep -q '"code": "not-found"' <<<"$out" || fail "detach of a missing disk: JSON was '$out'"

# virtio-blk on a guest without an OS is never released
expect 0 "$VDISK" attach "$NAME" "$DIR/a.qcow2" --format qcow2
[ "$out" = vda ] || fail "attach printed '$out', expected vda"
expect 4 "$VDISK" detach "$NAME" vda --wait 1
grep -q "removal still pending" "$DIR/stderr" || fail "pending detach: $(cat "$DIR/stderr")"

expect 3 "$VDISK" attach "$NAME" "$DIR/a.qcow2" --bus ide

# a <disk> document, from stdin
qemu-img create -q -f raw "$DIR/b.raw" 8M || exit 1
expect 0 "$VDISK" attach "$NAME" --xml - --live <<XML
<disk type='file' device='disk'>
  <driver name='qemu' type='raw'/>
  <source file='$DIR/b.raw'/>
  <target dev='sdc' bus='scsi'/>
  <serial>vdtest-b</serial>
</disk>
XML
[ "$out" = sdc ] || fail "attach --xml printed '$out', expected sdc"
expect 0 "$VDISK" list "$NAME"
grep -q "^sdc .*$DIR/b.raw\$" <<<"$out" || fail "list after attach --xml: $out"

# I/O limits, as QEMU has them
expect 0 "$VDISK" set-iotune "$NAME" sdc --total-bytes-sec 10485760 --read-iops-sec 400 \
    --write-iops-sec 300 --read-iops-sec-max 800 --read-iops-sec-max-length 5 \
    --group vdtest-g --live --json
[ "$out" = '{"ok": true}' ] || fail "set-iotune --json printed '$out'"
tune=$(virsh -c "$URI" blkdeviotune "$NAME" sdc --live 2>&1)
for want in "total_bytes_sec *: 10485760" "read_bytes_sec *: 0" "read_iops_sec *: 400" \
    "write_iops_sec *: 300" "read_iops_sec_max *: 800" "read_iops_sec_max_length *: 5" \
    "group_name *: vdtest-g"; do
    grep -q "^$want\$" <<<"$tune" || fail "blkdeviotune lacks '$want': $tune"
done
# limits not given keep their values (as with virsh blkdeviotune); 0 removes one
expect 0 "$VDISK" set-iotune "$NAME" sdc --total-bytes-sec 0 --read-bytes-sec 2097152
tune=$(virsh -c "$URI" blkdeviotune "$NAME" sdc --live 2>&1)
for want in "total_bytes_sec *: 0" "read_bytes_sec *: 2097152" "read_iops_sec *: 400" \
    "write_iops_sec *: 300" "group_name *: vdtest-g"; do
    grep -q "^$want\$" <<<"$tune" || fail "blkdeviotune after the update lacks '$want': $tune"
done
# libvirt's refusal keeps its message
expect 1 "$VDISK" set-iotune "$NAME" sdc --total-bytes-sec 1048576 --read-bytes-sec 1048576
grep -q "cannot be set at the same time" "$DIR/stderr" || fail "set-iotune conflict: $(cat "$DIR/stderr")"
expect 2 "$VDISK" set-iotune "$NAME" sdc
expect 2 "$VDISK" set-iotune "$NAME" sdc --total-bytes-sec -5
expect 2 "$VDISK" set-iotune "$NAME" sdc --total-bytes-sec 10M
expect 2 "$VDISK" set-iotune "$NAME" sdc --total-bytes-sec 1 --force
expect 3 "$VDISK" set-iotune "$NAME" sdz --total-bytes-sec 1048576 --json
grep -q '"code": "not-found"' <<<"$out" || fail "set-iotune of a missing disk: JSON was '$out'"
grep -q "target 'sdz'" "$DIR/stderr" || fail "set-iotune of a missing disk: $(cat "$DIR/stderr")"
expect 3 "$VDISK" set-iotune "$NAME" sdc --total-bytes-sec 1048576 --config
expect 2 "$VDISK" attach "$NAME" --xml - --bus scsi </dev/null
expect 0 "$VDISK" change-media "$NAME" hdc --insert "$DIR/media.iso" --force
expect 0 "$VDISK" list "$NAME"
grep -q "^hdc .*$DIR/media.iso\$" <<<"$out" || fail "list after insert: $out"
expect 0 "$VDISK" change-media "$NAME" hdc --eject
expect 2 "$VDISK" change-media "$NAME" hdc
expect 2 "$VDISK" attach "$NAME" "$DIR/a.qcow2" --format bogus
expect 2 "$VDISK" detach "$NAME"
expect 3 "$VDISK" list vdtest-hotplug-no-such-domain

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
