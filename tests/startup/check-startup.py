#!/usr/bin/env python3
"""Commands that never talk to libvirt do not load it.

libvdisk loads libvirt.so.0 only when a connection or a domain first needs
it (lib/virt/virt_dl.c). Checks that:
  - neither libvdisk.so.0 nor the vdisk program (nor the Python module)
    has a DT_NEEDED on libvirt, and ldd of the program shows none;
  - `vdisk xml`, `vdisk check` and `vdisk qemu-args` run without the
    dynamic loader ever opening libvirt (LD_DEBUG=libs);
  - the Python module parses and translates a domain without libvirt in
    the process's /proc/self/maps;
  - a hotplug subcommand does load libvirt, and passes libvirt's reason on
    when the host does not answer (the lazy load works at all).

Usage: check-startup.py --vdisk VDISK --lib LIBVDISK --example DOMAIN.xml
                        [--pythonpath DIR]
"""

import argparse
import glob
import os
import re
import subprocess
import sys

failures = []


def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failures.append(msg)


def needed(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def loaded_by(cmd, env=None):
    """Runs @cmd under LD_DEBUG=libs: (exit status, stderr without the
    loader's lines, the files the loader opened)."""
    env = dict(env or os.environ, LD_DEBUG="libs")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    files = set()
    rest = []
    for line in proc.stderr.splitlines():
        m = re.match(r"\s*\d+:\s+(.*)", line)
        if not m:
            rest.append(line)
            continue
        f = re.search(r"calling init: (\S+)|file=(\S+)\s+\[\d+\];\s+(?:dynamically )?loaded",
                      m.group(1))
        if f:
            files.add(f.group(1) or f.group(2))
    return proc.returncode, "\n".join(rest), files


def libvirt_in(names):
    return sorted(n for n in names if "libvirt" in os.path.basename(n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vdisk", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--example", required=True)
    ap.add_argument("--pythonpath")
    args = ap.parse_args()

    for binary in [args.lib, args.vdisk] + (
            glob.glob(os.path.join(args.pythonpath, "vdisk", "_vdisk*.so"))
            if args.pythonpath else []):
        deps = needed(binary)
        check(not libvirt_in(deps), "%s has no DT_NEEDED on libvirt: %r"
              % (os.path.basename(binary), deps))
    ldd = subprocess.run(["ldd", args.vdisk], capture_output=True, text=True).stdout
    check("libvirt" not in ldd, "ldd vdisk shows no libvirt (%d lines)" % len(ldd.splitlines()))

    for sub in (["xml"], ["check"], ["qemu-args"]):
        rc, err, files = loaded_by([args.vdisk] + sub + [args.example])
        check(rc == 0, "vdisk %s %s exits 0 (%d): %s" % (sub[0], args.example, rc, err.strip()))
        check(files, "vdisk %s: LD_DEBUG=libs reports the objects loaded" % sub[0])
        check(not libvirt_in(files), "vdisk %s loads no libvirt (%d objects loaded): %r"
              % (sub[0], len(files), libvirt_in(files)))

    if args.pythonpath:
        env = dict(os.environ)
        env["PYTHONPATH"] = args.pythonpath + (os.pathsep + env["PYTHONPATH"]
                                               if env.get("PYTHONPATH") else "")
        code = ("import vdisk, sys\n"
                "d = vdisk.Domain.from_xml(open(sys.argv[1]).read())\n"
                "assert d.disks, 'no disks'\n"
                "assert d.qemu_args(), 'no arguments'\n"
                "maps = open('/proc/self/maps').read()\n"
                "sys.exit('libvirt is mapped:\\n' + maps if 'libvirt' in maps else 0)\n")
        proc = subprocess.run([sys.executable, "-c", code, args.example], capture_output=True,
                              text=True, env=env)
        check(proc.returncode == 0, "the Python module reads a domain without mapping libvirt: %s"
              % (proc.stderr.strip()[-600:] or proc.stdout.strip()))

    # A hotplug subcommand loads libvirt when it connects. Nothing listens
    # on port 1, so libvirt refuses at once and its reason is passed on.
    rc, err, files = loaded_by([args.vdisk, "list", "--connect", "qemu+tcp://127.0.0.1:1/system",
                                "nosuchdomain"])
    check(libvirt_in(files), "vdisk list --connect loads libvirt when it connects: %r"
          % libvirt_in(files))
    check(rc != 0 and "127.0.0.1" in err and "not available" not in err,
          "vdisk list against a host that does not answer fails with libvirt's reason "
          "(exit %d): %s" % (rc, err.strip()))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("xml, check and qemu-args start without libvirt; hotplug loads it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
