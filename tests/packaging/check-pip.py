#!/usr/bin/env python3
"""`pip install ./bindings/python` builds the module against an installed
libvdisk found through pkg-config.

Installs the build tree into a fresh prefix, copies bindings/python out of
the tree (pip builds in place and leaves build/ and *.egg-info behind),
makes a virtual environment with Debian's python3 (--system-site-packages,
for the system's setuptools and wheel) and runs
`pip install --no-build-isolation --no-index` with PKG_CONFIG_PATH pointing
at the prefix's libvdisk.pc; no network is used. The extension needs the
prefix's libvdisk at run time: setup.py gives it pkg-config's libdir as its
RUNPATH, which this test checks (readelf -d, and /proc/self/maps in the
importing process), importing with LD_LIBRARY_PATH unset.
"""

import argparse
import glob
import os
import re
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


def under(path, root):
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root + os.sep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()

    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    prefix = os.path.join(work, "prefix")
    run([args.cmake, "--install", args.build_dir, "--prefix", prefix])
    pcs = glob.glob(os.path.join(prefix, "**", "pkgconfig", "libvdisk.pc"), recursive=True)
    if not check(len(pcs) == 1, "one libvdisk.pc installed", pcs):
        return 1
    libdir = os.path.dirname(os.path.dirname(pcs[0]))

    pysrc = os.path.join(os.path.abspath(args.source_dir), "bindings", "python")
    with open(os.path.join(pysrc, "pyproject.toml")) as f:
        m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
    check(m and m.group(1) == args.version,
          "pyproject.toml's version is the project's (%s)" % args.version,
          m.group(1) if m else "no version")

    src = os.path.join(work, "src")
    shutil.copytree(pysrc, src, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", "CMakeLists.txt"))
    venv = os.path.join(work, "venv")
    env = dict(os.environ)
    for var in ("LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "PKG_CONFIG_LIBDIR",
                "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "VIRTUAL_ENV"):
        env.pop(var, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv], env=env)
    py = os.path.join(venv, "bin", "python")
    penv = dict(env, PKG_CONFIG_PATH=os.path.dirname(pcs[0]))
    proc = run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "-v", src],
               env=penv, cwd=work, check_rc=False)
    if not check(proc.returncode == 0, "pip install --no-build-isolation --no-index builds vdisk",
                 (proc.stdout + proc.stderr)[-4000:]):
        return 1
    incs = {os.path.realpath(i) for i in re.findall(r"(?<!\S)-I(\S+)", proc.stdout + proc.stderr)}
    check(os.path.realpath(os.path.join(prefix, "include")) in incs,
          "the extension is compiled with the prefix's include directory (pkg-config --cflags)",
          sorted(incs))

    exts = glob.glob(os.path.join(venv, "lib", "python3*", "site-packages", "vdisk",
                                  "_vdisk*.so"))
    if not check(len(exts) == 1, "the extension is installed in the venv's site-packages", exts):
        return 1
    out = run(["readelf", "-d", exts[0]]).stdout
    rp = [l.split("[", 1)[1].rstrip("]") for l in out.splitlines() if "(RUNPATH)" in l]
    check(len(rp) == 1 and os.path.realpath(rp[0]) == os.path.realpath(libdir),
          "the extension's RUNPATH is pkg-config's libdir", rp)
    check(any("libvdisk.so.0" in l for l in out.splitlines() if "(NEEDED)" in l),
          "the extension is linked to libvdisk.so.0")
    check(not any("libvirt" in l for l in out.splitlines() if "(NEEDED)" in l),
          "the extension is not linked to libvirt (libvdisk loads it when needed)",
          [l for l in out.splitlines() if "(NEEDED)" in l])

    outside = os.path.join(work, "elsewhere")
    os.makedirs(outside)
    code = ("import vdisk\n"
            "print(vdisk.__file__)\n"
            "print(vdisk.__version__)\n"
            "print([l.split()[-1] for l in open('/proc/self/maps') if 'libvdisk.so' in l][0])\n"
            "d = vdisk.Disk.from_xml(\"<disk type='file'><source file='/a.img'/>"
            "<target dev='sdb'/></disk>\")\n"
            "print(d.bus.value)\n")
    proc = run(["env", "-u", "LD_LIBRARY_PATH", py, "-c", code], env=env, cwd=outside,
               check_rc=False)
    lines = proc.stdout.splitlines()
    if check(proc.returncode == 0 and len(lines) == 4,
             "the venv's python imports vdisk without LD_LIBRARY_PATH",
             proc.stdout + proc.stderr):
        check(under(lines[0], venv), "the module is the venv's", lines[0])
        check(lines[1] == args.version, "vdisk.__version__ is %s" % args.version, lines[1])
        check(under(lines[2], prefix), "it runs on the prefix's libvdisk.so.0", lines[2])
        check(lines[3] == "scsi", "it works (sdb is on libvirt's default bus scsi)", lines[3])
    proc = run([py, "-m", "pip", "show", "vdisk"], env=env, check_rc=False)
    check("Version: %s" % args.version in proc.stdout, "pip show vdisk: version %s" % args.version,
          proc.stdout + proc.stderr)
    for name in ("__init__.pyi", "py.typed", "_schema.py"):
        check(os.path.exists(os.path.join(os.path.dirname(exts[0]), name)),
              "vdisk/%s is installed" % name)

    shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
