#!/usr/bin/python3
"""PCI addresses libvirt 9.0 gives at define time: `vdisk qemu-args` of the
domains of tests/data/qemu *before* libvirt addressed them.

For each case of tests/data/qemu with an NNN-name.argv, `vdisk qemu-args
NNN-name.xml` (the input as written, without the PCI addresses libvirt's
QEMU driver adds when the domain is defined) must print exactly those lines,
as test_qemu_golden.py checks for NNN-name.addressed.xml: the virtio disks'
"bus"/"addr" values then come from libvirt's slot assignment, which
libvirt-dumpxml recorded in NNN-name.addressed.xml.  A case whose .argv has
no PCI "addr" exercises only that nothing else changes.

Usage: test_qemu_unaddressed.py --vdisk PATH [--data DIR] [-k SUBSTRING] [-v]
Prints a unified diff per mismatch and last the line `N passed, N failed`.
Exit status: 0 all passed, 1 a failure.
"""

import argparse
import difflib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_qemu_golden as golden  # noqa: E402


def check_case(vdisk, data, case):
    stem = os.path.join(data, case)
    rc, out, err = golden.run_vdisk(vdisk, stem + ".xml")
    if rc is None:
        return err
    if rc != 0:
        return "%s (libvirt accepts it); stderr:\n%s" % (golden.describe_rc(rc), err.rstrip())
    want = golden.normalize_text(golden.read(stem + ".argv"))
    got = golden.normalize_text(out)
    if want != got:
        return "argv differs:\n" + "".join(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True),
            case + ".argv (libvirt)", "vdisk qemu-args " + case + ".xml"))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vdisk", required=True, help="the vdisk program")
    ap.add_argument("--data", default=golden.DEFAULT_DATA, help="the golden directory")
    ap.add_argument("-k", metavar="SUBSTRING", help="only the cases whose name contains it")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()

    if not os.access(opts.vdisk, os.X_OK):
        print("test_qemu_unaddressed: %s is not an executable" % opts.vdisk, file=sys.stderr)
        return 1
    names = [c for c in golden.cases(opts.data, opts.k)
             if os.path.exists(os.path.join(opts.data, c + ".argv"))]
    if not names:
        print("test_qemu_unaddressed: no cases in %s" % opts.data, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="vdisk-unaddressed-") as tmpdir:
        golden.SECRET_OPTIONS[:] = golden.secret_options(tmpdir)
        failed = []
        for case in names:
            problem = check_case(opts.vdisk, opts.data, case)
            if problem is None:
                if opts.verbose:
                    print("PASS %s" % case)
            else:
                failed.append(case)
                print("FAIL %s: %s" % (case, problem))
    if failed:
        print("\nFailed cases:")
        for case in failed:
            print("  %s" % case)
    print("%d passed, %d failed" % (len(names) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
