#!/usr/bin/env python3
"""A `cmake --install --prefix DIR` tree runs where it is put, without
LD_LIBRARY_PATH.

Installs the build tree into a fresh prefix, then moves the whole prefix
elsewhere (so nothing can rely on the path it was installed to) and checks:

* bin/vdisk and the Python extension carry an $ORIGIN-relative RUNPATH
  (readelf -d), and an install to the system prefix /usr (DESTDIR) none;
* DIR/bin/vdisk runs with LD_LIBRARY_PATH unset and prints what the build
  tree's vdisk prints for `vdisk qemu-args examples/domain.xml`;
* /usr/bin/python3 imports vdisk from DIR's site directory given as
  PYTHONPATH only (from a directory outside the tree), on DIR's libvdisk;
* libvdisk.pc and the CMake package (find_package(vdisk)) point into DIR.
"""

import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys

results = {"passed": 0, "failed": 0}


def check(cond, msg, detail=""):
    results["passed" if cond else "failed"] += 1
    print(("PASS: " if cond else "FAIL: ") + msg +
          (("\n  " + str(detail).replace("\n", "\n  ")) if detail and not cond else ""),
          flush=True)
    return cond


def run(cmd, check_rc=True, **kw):
    print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check_rc and proc.returncode != 0:
        sys.stdout.write(proc.stdout + proc.stderr)
        raise SystemExit("%s failed with exit status %d" % (cmd[0], proc.returncode))
    return proc


def dynamic(binary, tag):
    out = run(["readelf", "-d", binary]).stdout
    return [l.split("[", 1)[1].rstrip("]") for l in out.splitlines() if "(%s)" % tag in l]


def clean_env():
    env = dict(os.environ)
    for var in ("LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "PKG_CONFIG_PATH",
                "PKG_CONFIG_LIBDIR", "CMAKE_PREFIX_PATH"):
        env.pop(var, None)
    return env


def under(path, root):
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root + os.sep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()

    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    installed = os.path.join(work, "installed-here")
    prefix = os.path.join(work, "moved", "there")
    run([args.cmake, "--install", args.build_dir, "--prefix", installed])
    os.makedirs(os.path.dirname(prefix))
    os.rename(installed, prefix)
    print("prefix installed to %s, moved to %s" % (installed, prefix))

    domain = os.path.join(os.path.abspath(args.source_dir), "examples", "domain.xml")
    tool = os.path.join(prefix, "bin", "vdisk")
    libs = glob.glob(os.path.join(prefix, "lib*", "**", "libvdisk.so.0"), recursive=True)
    check(len(libs) == 1, "one libvdisk.so.0 under the prefix", libs)
    libdir = os.path.dirname(libs[0]) if libs else ""
    exts = glob.glob(os.path.join(prefix, "lib*", "**", "vdisk", "_vdisk*.so"), recursive=True)
    check(len(exts) == 1, "one Python extension vdisk/_vdisk*.so under the prefix", exts)

    # RUNPATHs: relative to the binary, resolving to the prefix's libdir.
    for binary in [tool] + exts:
        rp = dynamic(binary, "RUNPATH")
        check(len(rp) == 1 and rp[0].startswith("$ORIGIN/"),
              "%s has an $ORIGIN-relative RUNPATH" % os.path.relpath(binary, prefix), rp)
        check(not dynamic(binary, "RPATH"), "%s has no DT_RPATH" % os.path.basename(binary))
        if rp:
            target = rp[0].replace("$ORIGIN", os.path.dirname(binary))
            check(os.path.realpath(target) == os.path.realpath(libdir),
                  "%s's RUNPATH is the prefix's libdir" % os.path.basename(binary),
                  "%s -> %s" % (rp[0], os.path.realpath(target)))

    env = clean_env()
    outside = os.path.join(work, "elsewhere")
    os.makedirs(outside)

    # The program, with no LD_LIBRARY_PATH, against the build tree's output.
    got = run(["env", "-u", "LD_LIBRARY_PATH", tool, "--version"], env=env, cwd=outside,
              check_rc=False)
    check(got.returncode == 0 and got.stdout.startswith("vdisk "),
          "DIR/bin/vdisk --version runs without LD_LIBRARY_PATH", got.stdout + got.stderr)
    got = run(["env", "-u", "LD_LIBRARY_PATH", tool, "qemu-args", domain], env=env, cwd=outside,
              check_rc=False)
    want = run([os.path.join(args.build_dir, "tools", "vdisk"), "qemu-args", domain])
    check(got.returncode == 0 and got.stdout == want.stdout and got.stdout,
          "DIR/bin/vdisk qemu-args examples/domain.xml prints what the build tree's vdisk does",
          got.stdout + got.stderr)
    maps = run(["env", "-u", "LD_LIBRARY_PATH", "LD_DEBUG=libs", tool, "--version"], env=env,
               check_rc=False).stderr
    loaded = [l.split("calling init: ", 1)[1] for l in maps.splitlines()
              if "calling init:" in l and "libvdisk.so" in l]
    check(loaded and all(under(p, prefix) for p in loaded),
          "DIR/bin/vdisk runs on DIR's libvdisk.so.0", loaded)

    # The Python module from DIR's site directory, PYTHONPATH only.
    if exts:
        site = os.path.dirname(os.path.dirname(exts[0]))
        code = ("import vdisk, sys\n"
                "print(vdisk.__file__)\n"
                "print(vdisk.LIBRARY_VERSION)\n"
                "print([l.split()[-1] for l in open('/proc/self/maps') if 'libvdisk.so' in l][0])\n"
                "d = vdisk.Disk.from_xml(\"<disk type='file'><source file='/a.img'/>"
                "<target dev='vda'/></disk>\")\n"
                "print(d.bus.value)\n")
        penv = dict(env, PYTHONPATH=site, PYTHONDONTWRITEBYTECODE="1")
        got = run(["env", "-u", "LD_LIBRARY_PATH", "/usr/bin/python3", "-c", code], env=penv,
                  cwd=outside, check_rc=False)
        lines = got.stdout.splitlines()
        check(got.returncode == 0 and len(lines) == 4,
              "/usr/bin/python3 imports vdisk with PYTHONPATH=%s only" %
              os.path.relpath(site, prefix), got.stdout + got.stderr)
        if len(lines) == 4:
            check(under(lines[0], prefix), "the module is DIR's", lines[0])
            check(under(lines[2], prefix), "the module runs on DIR's libvdisk.so.0", lines[2])
            check(lines[3] == "virtio", "the module works (libvirt's default bus)", lines[3])

    # pkg-config and the CMake package point into DIR.
    pcs = glob.glob(os.path.join(prefix, "**", "pkgconfig", "libvdisk.pc"), recursive=True)
    if check(len(pcs) == 1, "one libvdisk.pc", pcs):
        penv = dict(env, PKG_CONFIG_PATH=os.path.dirname(pcs[0]))
        for var, want in (("prefix", prefix), ("libdir", libdir),
                          ("includedir", os.path.join(prefix, "include"))):
            got = run(["pkg-config", "--variable=" + var, "libvdisk"], env=penv).stdout.strip()
            check(os.path.realpath(got) == os.path.realpath(want),
                  "libvdisk.pc's %s is in the moved prefix" % var, got)
    probe = os.path.join(work, "cmake-probe")
    os.makedirs(probe)
    with open(os.path.join(probe, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.18)\n"
                "project(probe C)\n"
                "find_package(vdisk 0.1 REQUIRED CONFIG)\n"
                "get_target_property(loc vdisk::vdisk LOCATION)\n"
                "get_target_property(inc vdisk::vdisk INTERFACE_INCLUDE_DIRECTORIES)\n"
                "message(STATUS \"VDISK_DIR=${vdisk_DIR}\")\n"
                "message(STATUS \"VDISK_LOCATION=${loc}\")\n"
                "message(STATUS \"VDISK_INCLUDE=${inc}\")\n")
    out = run([args.cmake, "-S", probe, "-B", os.path.join(probe, "build"),
               "-DCMAKE_PREFIX_PATH=" + prefix], env=env).stdout
    found = dict(l.split("-- ", 1)[1].split("=", 1) for l in out.splitlines()
                 if l.startswith("-- VDISK_"))
    check(under(found.get("VDISK_DIR", "/"), prefix), "find_package(vdisk) finds DIR's package",
          found)
    check(under(found.get("VDISK_LOCATION", "/"), libdir),
          "vdisk::vdisk is DIR's libvdisk", found.get("VDISK_LOCATION"))
    incs = [i for i in found.get("VDISK_INCLUDE", "").split(";") if i]
    check(incs and all(under(i, prefix) for i in incs),
          "vdisk::vdisk's include directories are DIR's", incs)

    # Installed to the system prefix (as the Debian package is): no RUNPATH.
    staged = os.path.join(work, "destdir")
    run([args.cmake, "--install", args.build_dir, "--prefix", "/usr"],
        env=dict(env, DESTDIR=staged))
    for binary in ([os.path.join(staged, "usr", "bin", "vdisk")] +
                   glob.glob(os.path.join(staged, "usr", "lib*", "**", "_vdisk*.so"),
                             recursive=True)):
        check(not dynamic(binary, "RUNPATH") and not dynamic(binary, "RPATH"),
              "installed to /usr, %s has no RUNPATH" % os.path.relpath(binary, staged))
    pcs = glob.glob(os.path.join(staged, "usr", "lib*", "**", "pkgconfig", "libvdisk.pc"),
                    recursive=True)
    with open(pcs[0]) as f:
        first = f.readline().strip()
    check(first == "prefix=/usr",
          "installed to /usr, libvdisk.pc names prefix=/usr (pkg-config then drops the system "
          "-I and -L)", first)

    shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
