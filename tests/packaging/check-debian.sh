#!/bin/bash
# The Debian packages, built and used as a user would:
#   check-debian.sh SOURCE_DIR [BUILD_TREE_VDISK]
#
# 1. copies the tree (tracked and untracked files git does not ignore: no
#    build directories) into a temporary directory, makes the orig tarball and the source
#    package (dpkg-source -b), and builds the binary packages with
#    `dpkg-buildpackage -us -uc -b` (DEB_BUILD_OPTIONS=nocheck parallel=2:
#    the unit tests run in ctest already);
# 2. runs lintian on the binary and source packages, failing on errors;
# 3. installs the packages (apt-get install ./*.deb), then from a directory
#    outside the tree, with no LD_LIBRARY_PATH/PYTHONPATH/PKG_CONFIG_PATH:
#    vdisk qemu-args examples/domain.xml (as the build tree's vdisk prints
#    it), /usr/bin/python3 -c 'import vdisk', a C program built with
#    `pkg-config --cflags --libs libvdisk`, no RUNPATH in what was
#    installed, and the autopkgtests of debian/tests/control;
# 4. purges the packages, also when a step failed (trap).
# Exit 77 (skipped) when not root or without dpkg-buildpackage.
set -euo pipefail

SRC=$(cd "$1" && pwd)
BUILD_VDISK=${2:-}
PACKAGES=(libvdisk0 libvdisk-dev python3-vdisk vdisk)

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: installs packages: needs root"
    exit 77
fi
if ! command -v dpkg-buildpackage >/dev/null; then
    echo "SKIP: dpkg-buildpackage not found (apt-get install dpkg-dev, or scripts/install-deps.sh)"
    exit 77
fi
for tool in dh lintian apt-get dpkg-source; do
    command -v "$tool" >/dev/null ||
        { echo "FAIL: $tool not found: run scripts/install-deps.sh"; exit 1; }
done

# Debian's tools only: no python3 earlier on PATH, nothing of the caller's
# build environment.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset LD_LIBRARY_PATH PYTHONPATH PYTHONHOME PKG_CONFIG_PATH PKG_CONFIG_LIBDIR CMAKE_PREFIX_PATH \
    VIRTUAL_ENV CFLAGS CPPFLAGS LDFLAGS MAKEFLAGS MFLAGS DESTDIR
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

installed() {
    local p
    for p in "${PACKAGES[@]}"; do
        case $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) in
            "" | not-installed) ;;
            *) echo "$p" ;;
        esac
    done
}

purge() {
    local left
    left=$(installed)
    if [ -n "$left" ]; then
        echo "+ apt-get purge -y" $left
        # shellcheck disable=SC2086
        apt-get purge -y -qq -o Dpkg::Use-Pty=0 $left </dev/null >/dev/null || true
    fi
}

failures=0 passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Left over by an earlier run that was killed (a ctest timeout)?
if [ -n "$(installed)" ]; then
    echo "note: purging packages left installed: $(installed | tr '\n' ' ')"
    purge
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vdisk-debian-XXXXXX")
trap 'purge; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP

version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
upstream=${version%-*}
tree=$WORK/libvdisk-$upstream
mkdir "$tree"
if git -C "$SRC" rev-parse --show-toplevel >/dev/null 2>&1; then
    git -C "$SRC" ls-files -z --cached --others --exclude-standard |
        (cd "$SRC" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$tree"
else
    tar -C "$SRC" --exclude='./build*' --exclude='./obj-*' --exclude=.git -cf - . |
        tar -xf - -C "$tree"
fi
# files git knows but the work tree deleted are not copied: fine.
(cd "$WORK" && tar --exclude="libvdisk-$upstream/debian" -czf "libvdisk_$upstream.orig.tar.gz" \
    "libvdisk-$upstream")

echo "+ dpkg-source -b libvdisk-$upstream"
(cd "$WORK" && dpkg-source -b "libvdisk-$upstream" >source.log 2>&1) ||
    { cat "$WORK/source.log"; fail "dpkg-source -b"; exit 1; }

cd "$tree"
if ! dpkg-checkbuilddeps >/dev/null 2>&1; then
    echo "+ apt-get build-dep -y ."
    apt-get build-dep -y -qq -o Dpkg::Use-Pty=0 . </dev/null >"$WORK/build-dep.log" 2>&1 ||
        { cat "$WORK/build-dep.log"; fail "build dependencies (apt-get build-dep .)"; exit 1; }
fi
echo "+ DEB_BUILD_OPTIONS='nocheck parallel=2' dpkg-buildpackage -us -uc -b"
start=$(date +%s)
if DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1; then
    pass "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s)"
else
    tail -n 60 "$WORK/build.log"
    fail "dpkg-buildpackage -us -uc -b"
    exit 1
fi
cd "$WORK"
changes=$(ls ./*.changes)
for p in "${PACKAGES[@]}"; do
    [ -f "./${p}_${version}_$(dpkg --print-architecture).deb" ] || fail "package $p was not built"
done

echo "+ lintian --fail-on error $changes libvdisk_$version.dsc"
if lintian --fail-on error --display-info "$changes" "libvdisk_$version.dsc" >lintian.log 2>&1; then
    pass "lintian reports no errors"
else
    fail "lintian reports errors"
fi
grep -v "running with root privileges" lintian.log || true

debs=()
for p in "${PACKAGES[@]}"; do
    debs+=("./${p}_${version}_$(dpkg --print-architecture).deb")
done
echo "+ apt-get install -y ${debs[*]}"
if apt-get install -y -qq -o Dpkg::Use-Pty=0 "${debs[@]}" </dev/null >install.log 2>&1; then
    pass "the packages install"
else
    cat install.log
    fail "apt-get install ./*.deb"
    exit 1
fi

mkdir "$WORK/elsewhere"
cd "$WORK/elsewhere"

# the program
if out=$(/usr/bin/vdisk qemu-args "$tree/examples/domain.xml") && [ -n "$out" ]; then
    pass "vdisk qemu-args examples/domain.xml"
    if [ -n "$BUILD_VDISK" ]; then
        if [ "$out" = "$("$BUILD_VDISK" qemu-args "$tree/examples/domain.xml")" ]; then
            pass "the packaged vdisk prints what the build tree's prints"
        else
            fail "the packaged vdisk's qemu-args differ from the build tree's"
        fi
    fi
else
    fail "vdisk qemu-args examples/domain.xml"
fi
# libvirt is loaded when a connection needs it, not at start-up
if grep -q libvirt <<<"$(ldd /usr/bin/vdisk)"; then
    fail "the packaged vdisk is linked to libvirt: $(ldd /usr/bin/vdisk | grep libvirt)"
else
    pass "the packaged vdisk is not linked to libvirt ($(ldd /usr/bin/vdisk | wc -l) objects)"
fi
case $(dpkg-query -W -f='${Recommends}' libvdisk0) in
    *libvirt0*) pass "libvdisk0 recommends libvirt0, which it loads on first use" ;;
    *) fail "libvdisk0 does not recommend libvirt0" ;;
esac
out=$(/usr/bin/vdisk --version)
[ "$out" = "vdisk $upstream (libvdisk $upstream)" ] &&
    pass "vdisk --version: $out" || fail "vdisk --version: $out"

# the module, from Debian's python3's own path
if out=$(/usr/bin/python3 -c 'import vdisk; print(vdisk.__file__); print(vdisk.__version__)'); then
    pass "/usr/bin/python3 -c 'import vdisk'"
    case $out in
        /usr/lib/python3/dist-packages/vdisk/__init__.py*"$upstream") pass "it is the package's" ;;
        *) fail "vdisk imported from elsewhere: $out" ;;
    esac
else
    fail "/usr/bin/python3 -c 'import vdisk'"
fi

# a C program, pkg-config
if cc -std=c99 -Wall -Werror -o consumer "$tree/tests/abi/consumer/consumer.c" \
        $(pkg-config --cflags --libs libvdisk) && out=$(./consumer); then
    pass "a C program built with pkg-config --cflags --libs libvdisk runs: ${out%%$'\n'*}"
    deps=$(ldd ./consumer)
    grep -qE "libvdisk.so.0 => (/usr)?/lib/" <<<"$deps" &&
        pass "it uses /usr/lib's libvdisk.so.0" || fail "consumer: $(grep vdisk <<<"$deps")"
else
    fail "a C program built with pkg-config --cflags --libs libvdisk"
fi

flags=$(pkg-config --cflags --libs libvdisk)
case " $flags " in
    *" -I/usr/include "* | *" -L/usr/lib"*) fail "pkg-config hands out system directories: $flags" ;;
    *) pass "pkg-config --cflags --libs libvdisk: $flags" ;;
esac

# nothing installed has a RUNPATH; the symbols file is installed
for f in /usr/bin/vdisk /usr/lib/python3/dist-packages/vdisk/_vdisk*.so \
         /usr/lib/*/libvdisk.so.0; do
    dyn=$(readelf -d "$f")
    if grep -qE "\((RUNPATH|RPATH)\)" <<<"$dyn"; then
        fail "$f has a RUNPATH: $(grep -E 'RUNPATH|RPATH' <<<"$dyn")"
    else
        pass "$f has no RUNPATH"
    fi
done
ls /var/lib/dpkg/info/libvdisk0:*.symbols >/dev/null 2>&1 &&
    pass "libvdisk0 ships its symbols file" || fail "no symbols file in libvdisk0"

# the autopkgtests, from the source tree as autopkgtest runs them
tests=$(sed -n 's/^Tests:[[:space:]]*//p' "$tree/debian/tests/control")
for t in $tests; do
    mkdir -p "$WORK/autopkgtest/$t"
    if (cd "$tree" && AUTOPKGTEST_TMP="$WORK/autopkgtest/$t" "debian/tests/$t") \
            >"$WORK/autopkgtest-$t.log" 2>&1; then
        pass "autopkgtest $t"
    else
        cat "$WORK/autopkgtest-$t.log"
        fail "autopkgtest $t"
    fi
done

cd "$WORK"
purge
[ -z "$(installed)" ] && pass "the packages are purged" || fail "still installed: $(installed)"

echo "$passes passed, $failures failed"
if [ "$failures" -ne 0 ]; then
    exit 1
fi
echo "the Debian packages build, pass lintian, install, work and purge"
