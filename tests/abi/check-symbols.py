#!/usr/bin/env python3
"""The exported ABI is exactly what the headers declare.

Usage: check-symbols.py LIBVDISK_SO SYMS_FILE INCLUDE_DIR

Compares three sets that must be equal:
  - the functions libvdisk.so exports (nm -D --defined-only),
  - the names listed in the version script (lib/libvdisk.syms),
  - the VDISK_API declarations in include/vdisk/*.h,
and checks that every export carries the VDISK_0.1 version and that the
SONAME is libvdisk.so.0.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vdisk_api  # noqa: E402

SONAME = "libvdisk.so.0"
VERSION_NODE = "VDISK_0.1"


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", "--with-symbol-versions", lib],
                         check=True, capture_output=True, text=True).stdout
    names, versions = set(), {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        kind, sym = fields[1], fields[2]
        name, _, version = sym.partition("@")
        version = version.lstrip("@")
        if kind == "A" and (not version or name == version):
            continue  # the version node's own definition
        names.add(name)
        versions[name] = version
    return names, versions


def soname(lib):
    out = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True,
                         text=True).stdout
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return match.group(1) if match else None


def report(title, names):
    if names:
        print("%s (%d):" % (title, len(names)))
        for n in sorted(names):
            print("    " + n)


def main():
    lib, syms, include = sys.argv[1:4]
    so_names, versions = exported(lib)
    syms_names = vdisk_api.syms_functions(syms)
    hdr_names = vdisk_api.header_functions(include)
    failed = False

    if not hdr_names:
        print("no VDISK_API declarations found under %s" % include)
        return 1

    for title, diff in (
            ("declared in the headers but not exported by the library", hdr_names - so_names),
            ("exported by the library but not declared in the headers", so_names - hdr_names),
            ("declared in the headers but missing from %s" % syms, hdr_names - syms_names),
            ("listed in %s but not declared in the headers" % syms, syms_names - hdr_names)):
        if diff:
            failed = True
            report(title, diff)

    wild = {n for n in syms_names if "*" in n or "?" in n}
    if wild:
        failed = True
        report("wildcards in the global: section (list every function)", wild)

    unversioned = {n for n in so_names if versions.get(n) != VERSION_NODE}
    if unversioned:
        failed = True
        report("exports not in version node %s" % VERSION_NODE, unversioned)

    got = soname(lib)
    if got != SONAME:
        failed = True
        print("SONAME is %r, expected %r" % (got, SONAME))

    if failed:
        print("hint: regenerate the version script with tests/abi/gen-syms.py")
        return 1
    print("%d functions: headers, %s and %s agree; SONAME %s" %
          (len(hdr_names), os.path.basename(syms), os.path.basename(lib), got))
    return 0


if __name__ == "__main__":
    sys.exit(main())
