#!/usr/bin/python3
"""Regenerate the expected side of the configuration oracle from real libvirt.

For each tests/data/disks/NNN-name.xml: wrap the disk in the test domain,
validate it with virt-xml-validate, define it in libvirtd, and store libvirt's
<disk> element(s) from `virsh dumpxml --inactive --security-info` as NNN-name.libvirt.xml.
When define accepts the disk but the QEMU driver's start-time validation
(`virsh domxml-to-native qemu-argv`) refuses it for a reason other than a
missing secret or pool, the message goes to NNN-name.libvirt-start-error.
For each tests/data/refuse/NNN-name.xml: store libvirt's error message (from
define, or from domxml-to-native when define accepts the domain) as
NNN-name.libvirt-error.

Needs a running libvirtd (scripts/start-libvirt.sh).  Usage:
    scripts/gen-conf-golden.py [--check] [FILE...]
--check compares with the committed files instead of writing them.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "oracle"))
import libvirt_oracle as lo  # noqa: E402


def read(path):
    with open(path) as f:
        return f.read()


def store(path, text, check):
    if check:
        old = read(path) if os.path.exists(path) else None
        if old != text:
            print("DIFFERS: %s" % os.path.relpath(path, lo.ROOT))
            return False
        return True
    with open(path, "w") as f:
        f.write(text)
    return True


def gen_accepted(path, check):
    base = os.path.basename(path)[:-4]
    name = "vdtest-oracle-gen-" + base
    text = read(path)
    dom = lo.wrap(text, name)
    problem = lo.validate(dom) if lo.wants_validation(text) else None
    if problem:
        print("FAIL %s: virt-xml-validate: %s" % (base, problem))
        return False
    try:
        dump = lo.define_and_dump(dom, name)
    except lo.VirshError as e:
        print("FAIL %s: libvirt refuses a corpus disk: %s" % (base, e))
        return False
    disks = lo.dumped_disks(dump)
    want = len(lo.DISK_RE.findall(lo.strip_header(text)))
    if len(disks) != want:
        print("FAIL %s: libvirt printed %d disks, the file holds %d"
              % (base, len(disks), want))
        return False
    ok = store(lo.golden_path(path), "".join(disks), check)

    # Define accepts it; does the QEMU driver's start-time validation too?
    # Failures that only reflect the host (missing secrets or pools) do not count.
    start_error = None
    try:
        lo.to_native(dom)
    except lo.VirshError as e:
        if not lo.HOST_DEPENDENT_RE.match(str(e)):
            start_error = str(e)
    epath = lo.start_error_path(path)
    if start_error is not None:
        ok = store(epath, start_error + "\n", check) and ok
    elif os.path.exists(epath):
        if check:
            print("DIFFERS: %s is no longer refused at start" % base)
            ok = False
        else:
            os.unlink(epath)
    return ok


def gen_refused(path, check):
    base = os.path.basename(path)[:-4]
    name = "vdtest-oracle-gen-" + base
    dom = lo.wrap(read(path), name)
    msg = None
    try:
        lo.define_and_dump(dom, name)
    except lo.VirshError as e:
        msg = str(e)
    if msg is None:
        try:
            lo.to_native(dom)
        except lo.VirshError as e:
            msg = str(e)
    if msg is None:
        print("FAIL %s: libvirt accepts a refusal case" % base)
        return False
    return store(lo.error_path(path), msg + "\n", check)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed files, write nothing")
    ap.add_argument("files", nargs="*", help="corpus files (default: all)")
    args = ap.parse_args()

    reason = lo.libvirt_available()
    if reason:
        sys.exit("gen-conf-golden: libvirt does not answer on %s: %s\n"
                 "run scripts/start-libvirt.sh first" % (lo.URI, reason))

    files = [os.path.abspath(f) for f in args.files] or \
        lo.corpus_files(lo.DISKS_DIR) + lo.corpus_files(lo.REFUSE_DIR)
    ok = bad = 0
    for path in files:
        if os.path.dirname(path) == lo.REFUSE_DIR:
            good = gen_refused(path, args.check)
        else:
            good = gen_accepted(path, args.check)
        ok += good
        bad += not good
    if not args.files:
        # Outputs whose input is gone are stale.
        for directory, outs in ((lo.DISKS_DIR, (lo.golden_path, lo.start_error_path)),
                                (lo.REFUSE_DIR, (lo.error_path,))):
            inputs = {out(p) for p in lo.corpus_files(directory) for out in outs}
            for f in sorted(os.listdir(directory)):
                path = os.path.join(directory, f)
                if path not in inputs and ".libvirt" in f:
                    print("STALE: %s has no input file" % os.path.relpath(path, lo.ROOT))
                    bad += 1
    print("%d ok, %d failed" % (ok, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
