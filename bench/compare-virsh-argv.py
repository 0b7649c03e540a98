#!/usr/bin/python3
"""Compares the disk arguments of `vdisk qemu-args` with libvirt's own.

Generates bench-scale.py's domain of N disks (default 2,000), asks the
running libvirtd for its QEMU command line (`virsh domxml-to-native
qemu-argv FILE`), keeps its disk part (every -blockdev, and every -device
that has a "drive") and compares it, argument by argument, with the same
part of `vdisk qemu-args FILE`. Exit status 0 when they are identical.

Usage: bench/compare-virsh-argv.py --vdisk build-rel/tools/vdisk [-n DISKS]
                                   [-c URI] [--keep FILE]
"""

import argparse
import importlib.util
import json
import os
import shlex
import subprocess
import sys
import tempfile


def scale_module():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-scale.py")
    spec = importlib.util.spec_from_file_location("bench_scale", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def disk_part(argv):
    """The (option, value) pairs of @argv that make up the disks."""
    out = []
    for opt, val in zip(argv, argv[1:]):
        if opt == "-blockdev":
            out.append((opt, val))
        elif opt == "-device" and val.startswith("{") and "drive" in json.loads(val):
            out.append((opt, val))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vdisk", required=True)
    ap.add_argument("-n", "--disks", type=int, default=2000)
    ap.add_argument("-c", "--connect", default="qemu:///system")
    ap.add_argument("--keep", help="also write the generated domain to FILE")
    args = ap.parse_args()

    xml = scale_module().domain_xml(args.disks)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or os.path.join(tmp, "domain.xml")
        with open(path, "w") as f:
            f.write(xml)
        virsh = subprocess.run(["virsh", "-c", args.connect, "domxml-to-native", "qemu-argv",
                                path], capture_output=True, text=True)
        if virsh.returncode != 0:
            sys.exit(f"virsh domxml-to-native failed: {virsh.stderr.strip()}")
        vdisk = subprocess.run([args.vdisk, "qemu-args", path], capture_output=True, text=True)
        if vdisk.returncode != 0:
            sys.exit(f"vdisk qemu-args failed: {vdisk.stderr.strip()}")
    theirs = disk_part(shlex.split(virsh.stdout))
    ours = disk_part(vdisk.stdout.splitlines())
    for i, (a, b) in enumerate(zip(theirs, ours)):
        if a != b:
            print(f"argument pair {i} differs:\n  libvirt: {a[0]} {a[1]}\n  vdisk:   {b[0]} {b[1]}")
            return 1
    if len(theirs) != len(ours):
        print(f"libvirt gives {len(theirs)} disk arguments, vdisk {len(ours)}")
        return 1
    print(f"{args.disks} disks: the {len(ours)} disk arguments (-blockdev, -device) are identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
