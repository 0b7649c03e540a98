#!/bin/bash
# Build the tiny Linux guest the guest tests boot (tests/guest/): Debian's
# kernel and an initramfs of busybox-static, the block and bus drivers the
# tests plug disks into, and an /init that reports on the serial console.
#
#   scripts/build-test-guest.sh OUTDIR
#
# writes OUTDIR/vmlinuz and OUTDIR/initrd.gz (a gzip'ed newc cpio), and
# OUTDIR/key, which names the kernel version and the hash of this script
# and of busybox: when it matches, the guest is already built and nothing
# is done. The kernel comes from VDISK_GUEST_KERNEL_DIR (default
# /var/cache/vdisk-test-guest/kernel, where scripts/install-deps.sh unpacks
# Debian's linux-image-amd64 package), or from the host's /boot and
# /lib/modules when a Debian amd64 kernel is installed there.
#
# The guest's /init (below) mounts proc, sys and dev, loads the modules,
# and then writes machine-readable lines to ttyS0, each a single write
# starting "VDTEST " (kernel messages are turned down to emergencies first):
#
#   VDTEST blocks vda,sda,sr0   the block devices in /sys/block (ram and loop
#                               devices left out; "none" when there are
#                               none), at start-up and whenever the set changes
#   VDTEST size vda SECTORS     the size of each block device listed in
#                               "blocks" (/sys/block/DEV/size: 512-byte
#                               sectors), at start-up, for a device that
#                               appears, and whenever it changes (a resize)
#   VDTEST media sr0 LABEL      vdtest.media=DEV: the first printable bytes of
#                               DEV's first 2048-byte sector, "none" when it
#                               cannot be read, whenever they change (the
#                               kernel's cdrom autoclose is turned off, so
#                               that these reads leave an open tray open)
#   VDTEST holding sr0          vdtest.hold=DEV: DEV is opened and kept open
#                               (for a cdrom, the kernel locks the door);
#                               "VDTEST hold-failed DEV" when it cannot be opened
#   VDTEST wrote vdb N          vdtest.mode=writer vdtest.dev=DEV: block N
#                               (4096 bytes at offset 4096*N, "VDTEST-BLOCK N"
#                               padded with NULs: whole pages, so no write
#                               reads back what another one wrote) was
#                               written and fsync'd;
#                               N counts up from 0 until a write fails
#                               ("VDTEST write-failed vdb N"); with
#                               vdtest.writer=retry the writer then tries
#                               block N again every 0.5 s (the failure is
#                               reported once) and goes on once it can be
#                               written, say after the disk was enlarged
#   VDTEST insmod-failed NAME   a module did not load
#   VDTEST ready mode=MODE      once all of the above is set up
#
# vdtest.debug=1 leaves the kernel's messages on the console and prints
# dmesg before "ready". vdtest.mode=watch (the default) only reports; vdtest.mode=writer adds the
# writer, which first waits for DEV to appear (a disk hot-plugged later).
# Boot with "console=ttyS0 quiet" and direct kernel boot; under TCG the
# guest is ready in a few seconds.
set -euo pipefail

die() {
    echo "build-test-guest: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
OUT=$1

# The drivers the tests need; their dependencies are added below.
MODULES=(
    virtio_pci virtio_blk virtio_scsi
    sd_mod sr_mod cdrom
    xhci_pci uhci_hcd ehci_pci usb_storage
)

# ---- the kernel --------------------------------------------------------------------

KROOT=${VDISK_GUEST_KERNEL_DIR:-/var/cache/vdisk-test-guest/kernel}
pick_kernel() {
    local root=$1 v
    for v in $(ls "$root/boot" 2>/dev/null | sed -n 's/^vmlinuz-\(.*-amd64\)$/\1/p' | sort -V -r); do
        if [ -d "$root/lib/modules/$v/kernel" ]; then
            echo "$v"
            return 0
        fi
    done
    return 1
}
if ! KVER=$(pick_kernel "$KROOT"); then
    KROOT=/
    KVER=$(pick_kernel /) ||
        die "no Debian amd64 kernel with its modules in ${VDISK_GUEST_KERNEL_DIR:-/var/cache/vdisk-test-guest/kernel} or /boot (run scripts/install-deps.sh)"
fi
KMOD=$KROOT/lib/modules/$KVER

BUSYBOX=$(command -v busybox 2>/dev/null || true)
[ -n "$BUSYBOX" ] && [ -x /bin/busybox ] && BUSYBOX=/bin/busybox
[ -n "$BUSYBOX" ] || die "busybox not found (install busybox-static)"
if file_out=$(LC_ALL=C readelf -d "$BUSYBOX" 2>/dev/null) && grep -q NEEDED <<<"$file_out"; then
    die "$BUSYBOX is linked dynamically (install busybox-static)"
fi

KEY="kernel=$KVER script=$(sha256sum "$0" | cut -c1-16) busybox=$(sha256sum "$BUSYBOX" | cut -c1-16)"
if [ -f "$OUT/key" ] && [ "$(cat "$OUT/key")" = "$KEY" ] && [ -s "$OUT/vmlinuz" ] &&
    [ -s "$OUT/initrd.gz" ]; then
    exit 0
fi

# ---- modules and their dependencies ----------------------------------------------

declare -A KO    # module name (with _) -> file
while IFS= read -r f; do
    n=${f##*/}
    n=${n%%.ko*}
    KO[${n//-/_}]=$f
done < <(find "$KMOD/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')

declare -A BUILTIN
if [ -f "$KMOD/modules.builtin" ]; then
    while IFS= read -r f; do
        n=${f##*/}
        n=${n%.ko}
        BUILTIN[${n//-/_}]=1
    done <"$KMOD/modules.builtin"
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# A module's file, uncompressed, into the stage; its modinfo on stdout.
unpack_module() {
    local f=${KO[$1]} dst=$STAGE/root/lib/modules/$1.ko
    case $f in
    *.xz) xz -dc "$f" >"$dst" ;;
    *.zst) zstd -qdc "$f" >"$dst" ;;
    *.gz) gzip -dc "$f" >"$dst" ;;
    *) cp "$f" "$dst" ;;
    esac
    tr '\0' '\n' <"$dst" | grep -E '^(depends|softdep)=' || true
}

declare -A DONE
ORDER=()
add_module() {
    local m=${1//-/_} info deps d
    [ -n "${DONE[$m]:-}" ] && return 0
    DONE[$m]=1
    [ -n "${BUILTIN[$m]:-}" ] && return 0
    [ -n "${KO[$m]:-}" ] || die "kernel $KVER has no module $m"
    info=$(unpack_module "$m")
    deps=$(sed -n 's/^depends=//p' <<<"$info" | tr ',' ' ')
    # "softdep=pre: a b post: c": the pre modules, when the kernel has them
    deps+=" $(sed -n 's/^softdep=//p' <<<"$info" | sed 's/post:.*//; s/pre://g')"
    for d in $deps; do
        d=${d//-/_}
        if [ -n "${KO[$d]:-}" ] || [ -n "${BUILTIN[$d]:-}" ]; then
            add_module "$d"
        fi
    done
    ORDER+=("$m")
}

mkdir -p "$STAGE/root"/{bin,dev,proc,sys,etc,lib/modules}
for m in "${MODULES[@]}"; do
    add_module "$m"
done
printf '%s\n' "${ORDER[@]}" >"$STAGE/root/etc/vdtest-modules"
cp "$BUSYBOX" "$STAGE/root/bin/busybox"
ln -s busybox "$STAGE/root/bin/sh"

# ---- /init ---------------------------------------------------------------------------

cat >"$STAGE/root/init" <<'INIT'
#!/bin/sh
# /init of the vdisk test guest (scripts/build-test-guest.sh documents the
# kernel command line and the lines reported)
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

report() {
    echo "VDTEST $*"
}

mode=watch
debug=
dev=
hold=
media=
writer_mode=
for w in $(cat /proc/cmdline); do
    case $w in
    vdtest.mode=*) mode=${w#*=} ;;
    vdtest.dev=*) dev=${w#*=} ;;
    vdtest.hold=*) hold=${w#*=} ;;
    vdtest.media=*) media=${w#*=} ;;
    vdtest.debug=*) debug=${w#*=} ;;
    vdtest.writer=*) writer_mode=${w#*=} ;;
    esac
done
# only emergencies on the console, so that the report lines stay whole
[ -n "$debug" ] || echo 1 >/proc/sys/kernel/printk

for m in $(cat /etc/vdtest-modules); do
    insmod /lib/modules/$m.ko 2>/dev/null || report "insmod-failed $m"
done

blocks() {
    local b out=
    for b in /sys/block/*; do
        b=${b##*/}
        case $b in
        '*' | loop* | ram* | zram*) ;;
        *) out=${out:+$out,}$b ;;
        esac
    done
    echo "${out:-none}"
}

label() {
    local l
    l=$(dd if=/dev/$1 bs=2048 count=1 iflag=direct 2>/dev/null | head -c 32 | tr -cd 'A-Za-z0-9._-')
    echo "${l:-none}"
}

# "DEV=SECTORS ..." of the devices blocks() lists
sizes() {
    local b s out=
    for b in /sys/block/*; do
        b=${b##*/}
        case $b in
        '*' | loop* | ram* | zram*) ;;
        *)
            s=
            read s 2>/dev/null </sys/block/$b/size
            out="$out $b=${s:-0}"
            ;;
        esac
    done
    echo "$out"
}

# reports the sizes in $2 that $1 (an earlier sizes()) did not have
report_sizes() {
    local e
    for e in $2; do
        case " $1 " in
        *" $e "*) ;;
        *) report "size ${e%%=*} ${e#*=}" ;;
        esac
    done
}

# writer: numbered, fsync'd blocks on $dev until a write fails, or with
# vdtest.writer=retry, trying a failed block again every 0.5 s
writer() {
    local i=0 failed=
    while [ ! -b /dev/$dev ]; do
        sleep 0.2
    done
    while :; do
        if printf 'VDTEST-BLOCK %d\n' $i |
            dd of=/dev/$dev bs=4096 seek=$i count=1 conv=notrunc,sync,fsync 2>/dev/null; then
            report "wrote $dev $i"
            failed=
        else
            [ -n "$failed" ] || report "write-failed $dev $i"
            [ "$writer_mode" = retry ] || return
            failed=1
            sleep 0.5
            continue
        fi
        i=$((i + 1))
    done
}

case $mode in
watch) ;;
writer)
    [ -n "$dev" ] || report "error vdtest.mode=writer needs vdtest.dev=DEV"
    [ -n "$dev" ] && writer &
    ;;
*) report "error unknown vdtest.mode=$mode" ;;
esac

last=$(blocks)
report "blocks $last"
lastsizes=$(sizes)
report_sizes "" "$lastsizes"
if [ -n "$hold" ]; then
    # keep it open for good: a cdrom's door stays locked
    if exec 3</dev/$hold; then
        report "holding $hold"
    else
        report "hold-failed $hold"
    fi
fi
if [ -n "$media" ]; then
    # reading an open tray must not close it in the middle of a media change
    echo 0 >/proc/sys/dev/cdrom/autoclose
    lastmedia=$(label $media)
    report "media $media $lastmedia"
fi
[ -z "$debug" ] || dmesg
report "ready mode=$mode"

while :; do
    sleep 0.2
    now=$(blocks)
    if [ "$now" != "$last" ]; then
        last=$now
        report "blocks $now"
    fi
    now=$(sizes)
    if [ "$now" != "$lastsizes" ]; then
        report_sizes "$lastsizes" "$now"
        lastsizes=$now
    fi
    if [ -n "$media" ]; then
        now=$(label $media)
        if [ "$now" != "$lastmedia" ]; then
            lastmedia=$now
            report "media $media $now"
        fi
    fi
done
INIT
chmod 0755 "$STAGE/root/init"

# ---- the archive ---------------------------------------------------------------------

mkdir -p "$OUT"
rm -f "$OUT/key"
(cd "$STAGE/root" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) |
    gzip -9n >"$STAGE/initrd.gz"
cp "$KROOT/boot/vmlinuz-$KVER" "$STAGE/vmlinuz"
mv "$STAGE/initrd.gz" "$STAGE/vmlinuz" "$OUT/"
chmod 0644 "$OUT/initrd.gz" "$OUT/vmlinuz"
echo "$KEY" >"$OUT/key"
