#!/usr/bin/env python3
"""An installed libvdisk is usable from outside the tree.

Installs the build tree into a fresh prefix, then builds and runs a small
consumer program twice: with `pkg-config --cflags --libs libvdisk` and with
CMake's find_package(vdisk) + vdisk::vdisk.  Also checks that pkg-config
hands consumers only -L/-lvdisk plus libvirt's own flags (no private
dependency of the library leaks), that the consumer does not end up
linked to glib or libxml2, and that neither the installed library nor the
installed program is linked to libvirt (libvdisk loads it on first use).
"""

import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys

failures = []


def run(cmd, env=None, **kw):
    print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.stdout.write(proc.stderr)
        raise SystemExit("command failed with exit status %d" % proc.returncode)
    return proc.stdout


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg)


def needed(binary):
    out = run(["readelf", "-d", binary])
    return [l.split("[", 1)[1].rstrip("]") for l in out.splitlines() if "(NEEDED)" in l]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--consumer", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()

    work = os.path.abspath(args.work)
    prefix = os.path.join(work, "prefix")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    run([args.cmake, "--install", args.build_dir, "--prefix", prefix])

    pcs = glob.glob(os.path.join(prefix, "**", "pkgconfig", "libvdisk.pc"), recursive=True)
    check(len(pcs) == 1, "exactly one libvdisk.pc installed, found %r" % pcs)
    if not pcs:
        return 1
    libdir = os.path.dirname(os.path.dirname(pcs[0]))
    check(os.path.exists(os.path.join(libdir, "libvdisk.so.0")), "libvdisk.so.0 installed")
    check(os.path.exists(os.path.join(prefix, "include", "vdisk", "vdisk.h")),
          "include/vdisk/vdisk.h installed")
    check(os.path.exists(os.path.join(libdir, "cmake", "vdisk", "vdiskConfig.cmake")),
          "vdiskConfig.cmake installed")

    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = os.path.dirname(pcs[0])
    env.pop("PKG_CONFIG_LIBDIR", None)
    env["LD_LIBRARY_PATH"] = libdir + (":" + env["LD_LIBRARY_PATH"]
                                       if env.get("LD_LIBRARY_PATH") else "")

    # pkg-config: the flags point into the prefix the package was installed to.
    libs = shlex.split(run(["pkg-config", "--libs", "libvdisk"], env=env))
    cflags = shlex.split(run(["pkg-config", "--cflags", "libvdisk"], env=env))
    virt_libs = set(shlex.split(run(["pkg-config", "--libs", "libvirt"], env=env)))
    virt_cflags = set(shlex.split(run(["pkg-config", "--cflags", "libvirt"], env=env)))
    print("pkg-config --libs: %s\npkg-config --cflags: %s" % (libs, cflags))
    check("-lvdisk" in libs, "pkg-config --libs has -lvdisk")
    for flag in libs:
        ok = (flag == "-lvdisk" or flag in virt_libs or
              (flag.startswith("-L") and os.path.realpath(flag[2:]) == os.path.realpath(libdir)))
        check(ok, "pkg-config --libs flag %r is neither -L<libdir>, -lvdisk nor libvirt's" % flag)
    for flag in cflags:
        ok = flag in virt_cflags or (
            flag.startswith("-I") and
            os.path.realpath(flag[2:]) == os.path.realpath(os.path.join(prefix, "include")))
        check(ok, "pkg-config --cflags flag %r is neither -I<prefix>/include nor libvirt's" % flag)
    check(os.path.realpath(run(["pkg-config", "--variable=libdir", "libvdisk"], env=env).strip())
          == os.path.realpath(libdir), "pkg-config libdir variable is the installed libdir")

    src = os.path.join(args.consumer, "consumer.c")
    exe = os.path.join(work, "consumer-pkgconfig")
    run(["cc", "-std=c99", "-Wall", "-Werror", "-o", exe, src] + cflags + libs, env=env)
    out = run([exe], env=env)
    check(out.startswith("libvdisk "), "pkg-config consumer runs: %r" % out[:80])

    # The installed program runs from the prefix on the shared library.
    tool = os.path.join(prefix, "bin", "vdisk")
    if os.path.exists(tool):
        out = run([tool, "--version"], env=env)
        check("libvdisk" in out, "installed vdisk --version runs: %r" % out)
        check(any(d.startswith("libvdisk.so.0") for d in needed(tool)),
              "installed vdisk uses the shared libvdisk.so.0")
        # libvirt is loaded when a connection needs it, not at start-up
        for binary in (tool, os.path.join(libdir, "libvdisk.so.0")):
            deps = needed(binary)
            check(not [d for d in deps if d.startswith("libvirt")],
                  "installed %s has no DT_NEEDED on libvirt: %r" % (os.path.basename(binary), deps))
        ldd = run(["ldd", tool], env=env)
        check("libvirt" not in ldd, "ldd of the installed vdisk shows no libvirt:\n" + ldd)

    # CMake: find_package(vdisk) + vdisk::vdisk.
    bdir = os.path.join(work, "cmake-consumer")
    run([args.cmake, "-S", args.consumer, "-B", bdir, "-DCMAKE_PREFIX_PATH=" + prefix,
         "-DCMAKE_BUILD_TYPE=Debug"], env=env)
    run([args.cmake, "--build", bdir], env=env)
    out = run([os.path.join(bdir, "consumer")], env=env)
    check(out.startswith("libvdisk "), "find_package consumer runs: %r" % out[:80])

    for binary in (exe, os.path.join(bdir, "consumer")):
        deps = needed(binary)
        check(any(d.startswith("libvdisk.so.0") for d in deps),
              "%s needs libvdisk.so.0: %r" % (os.path.basename(binary), deps))
        leaked = [d for d in deps if d.startswith(("libglib", "libxml2"))]
        check(not leaked, "%s is linked to the library's private deps %r"
              % (os.path.basename(binary), leaked))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("installed package works with pkg-config and find_package(vdisk)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
