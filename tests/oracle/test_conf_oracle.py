#!/usr/bin/python3
"""Configuration oracle: libvirt 9.0 itself judges `vdisk xml` and `vdisk check`.

For each accepted corpus disk (tests/data/disks/NNN-name.xml):
  1. `vdisk xml FILE` formats the disk(s), exactly as libvirt's own view
     (but for the PCI/USB addresses libvirt assigns domain-wide, and for
     files marked libvirt-drops=...: content libvirt 9.0 drops);
  2. formatting is a fixed point: `vdisk xml` of that output gives it back;
  3. the output, wrapped in the test domain, passes virt-xml-validate
     (unless the file is marked validate=no), `virsh define` accepts it, and
     libvirt's view of each disk (dumpxml --inactive) equals the committed
     view of the original (NNN-name.libvirt.xml, from scripts/gen-conf-golden.py);
  4. `vdisk check` accepts the wrapped domain, or refuses it when the QEMU
     driver refuses it at start time (NNN-name.libvirt-start-error).
Libvirt's view of the original file is compared with the committed one too,
so a stale golden file is reported as such rather than as a library fault.

For each refusal (tests/data/refuse/NNN-name.xml) `vdisk check` of the
wrapped domain (exactly what libvirt refused) must exit non-zero and name the
offending value (the file's expect= directive; alternatives separated by |).

Usage: test_conf_oracle.py --vdisk PATH [-k SUBSTRING] [-v]
Exit status: 0 all passed, 1 a failure, 77 libvirt cannot run here.
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt_oracle as lo  # noqa: E402

SKIP = 77
TIMEOUT = 60


def read(path):
    with open(path) as f:
        return f.read()


def run_vdisk(vdisk, *args):
    p = subprocess.run([vdisk] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True,
                       timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def describe_rc(rc):
    return "killed by signal %d" % -rc if rc < 0 else "exit %d" % rc


def diff(want, got, a="expected", b="got"):
    return "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        a, b))


class Case:
    def __init__(self, path, vdisk, tmpdir):
        self.path = path
        self.base = os.path.basename(path)[:-4]
        self.vdisk = vdisk
        self.tmpdir = tmpdir
        self.text = read(path)
        self.problems = []
        self.domname = "vdtest-oracle-%d-%s" % (os.getpid(), self.base)

    def fail(self, what):
        self.problems.append(what)

    def tmpfile(self, name, text):
        path = os.path.join(self.tmpdir, "%s-%s" % (self.base, name))
        with open(path, "w") as f:
            f.write(text)
        return path

    def vdisk_xml(self, path, label):
        rc, out, err = run_vdisk(self.vdisk, "xml", path)
        if rc != 0:
            self.fail("vdisk xml %s: %s: %s" % (label, describe_rc(rc), err.strip()))
            return None
        return out

    def check_accepted(self):
        golden_file = lo.golden_path(self.path)
        if not os.path.exists(golden_file):
            self.fail("no committed libvirt view %s (run scripts/gen-conf-golden.py)"
                      % os.path.basename(golden_file))
            return
        golden = read(golden_file)
        nfile = len(lo.DISK_RE.findall(lo.strip_header(self.text)))

        # The committed view must still be libvirt's view of the original.
        try:
            now = "".join(lo.dumped_disks(
                lo.define_and_dump(lo.wrap(self.text, self.domname), self.domname)))
            if now != golden:
                self.fail("stale golden: libvirt's view of the original changed "
                          "(rerun scripts/gen-conf-golden.py)\n" + diff(golden, now))
        except lo.VirshError as e:
            self.fail("libvirt refuses the corpus file itself: %s" % e)

        ours = self.vdisk_xml(self.path, "of the corpus file")
        if ours is None:
            return
        disks = lo.DISK_RE.findall(ours)
        if len(disks) != nfile:
            self.fail("vdisk xml printed %d <disk> elements, the file holds %d:\n%s"
                      % (len(disks), nfile, ours))
            return

        # Our output is libvirt's own view of the disk, but for the PCI and
        # USB addresses libvirt's QEMU driver assigns across the whole
        # domain, which a disk's post-parse does not, and for content
        # libvirt 9.0 drops (marked libvirt-drops=...).
        if "libvirt-drops" not in lo.directives(self.text):
            expected = golden
            for kind in ("pci", "usb"):
                if "<address type='%s'" % kind not in ours:
                    expected = re.sub(r"(?m)^\s*<address type='%s'[^>]*/>\n" % kind, "",
                                      expected)
            if ours != expected:
                self.fail("our post-parse output differs from libvirt's own view:\n"
                          + diff(expected, ours, "libvirt", "ours"))

        # Formatting is a fixed point.
        if len(disks) == 1:
            again_in = self.tmpfile("ours.xml", ours)
        else:
            again_in = self.tmpfile("ours-domain.xml",
                                    lo.wrap(self.text, self.domname, disks))
        again = self.vdisk_xml(again_in, "of its own output")
        if again is not None and again != ours:
            self.fail("formatting is not a fixed point:\n" + diff(ours, again, "first",
                                                                 "second"))

        # libvirt's view of our output equals its view of the original.
        dom = lo.wrap(self.text, self.domname, disks)
        if lo.wants_validation(self.text):
            problem = lo.validate(dom)
            if problem:
                self.fail("virt-xml-validate refuses our output: %s\n%s" % (problem, ours))
        try:
            view = "".join(lo.dumped_disks(lo.define_and_dump(dom, self.domname)))
            if view != golden:
                self.fail("libvirt's view of our output differs from its view of the "
                          "original:\n" + diff(golden, view, "original", "ours")
                          + "our output was:\n" + ours)
        except lo.VirshError as e:
            self.fail("libvirt refuses our output: %s\nour output was:\n%s" % (e, ours))

        # vdisk check agrees with libvirt: it accepts what libvirt defines and
        # starts, and refuses what the QEMU driver refuses at start time.
        wrapped = self.tmpfile("domain.xml", lo.wrap(self.text, self.domname))
        rc, out, err = run_vdisk(self.vdisk, "check", wrapped)
        start_file = lo.start_error_path(self.path)
        if os.path.exists(start_file):
            if rc == 0:
                self.fail("vdisk check accepts what libvirt refuses at start time "
                          "(libvirt: %s)" % read(start_file).strip())
            elif rc < 0 or rc >= 126:
                self.fail("vdisk check crashed: %s: %s" % (describe_rc(rc), err.strip()))
        elif rc != 0:
            self.fail("vdisk check refuses a domain libvirt accepts: %s: %s"
                      % (describe_rc(rc), (err or out).strip()))

    def check_refused(self):
        expect = lo.directives_quoted(self.text).get("expect")
        if not expect:
            self.fail("refusal file has no <!-- vdisk-test: expect=VALUE --> directive")
            return
        libvirt_msg = ""
        if os.path.exists(lo.error_path(self.path)):
            libvirt_msg = read(lo.error_path(self.path)).strip()
        wrapped = self.tmpfile("domain.xml", lo.wrap(self.text, self.domname))
        rc, out, err = run_vdisk(self.vdisk, "check", wrapped)
        msg = (err + out).strip()
        if rc == 0:
            self.fail("vdisk check accepts what libvirt refuses (libvirt: %s)" % libvirt_msg)
        elif rc < 0 or rc >= 126:
            self.fail("vdisk check crashed: %s: %s" % (describe_rc(rc), msg))
        elif not any(alt.lower() in msg.lower() for alt in expect.split("|")):
            self.fail("vdisk check's message does not name the offending value %r:\n"
                      "  vdisk:   %s\n  libvirt: %s" % (expect, msg, libvirt_msg))


def ensure_libvirt(root):
    """None when libvirt answers (starting the daemons if needed), else a skip
    reason; exits with failure when libvirt is installed but will not start."""
    if lo.libvirt_available() is None:
        return None
    for prog in ("virsh", "libvirtd", "virtlogd", "virt-xml-validate"):
        if shutil.which(prog) is None:
            return "%s is not installed (scripts/install-deps.sh)" % prog
    if os.geteuid() != 0:
        return ("libvirt does not answer on %s (%s) and only root can start the daemons"
                % (lo.URI, lo.libvirt_available()))
    p = subprocess.run([os.path.join(root, "scripts", "start-libvirt.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if p.returncode != 0:
        print(p.stdout.strip())
        print("FAIL: libvirt is installed but does not start")
        print("0 passed, 1 failed")
        sys.exit(1)
    return lo.libvirt_available()


def main():
    ap = argparse.ArgumentParser(description="libvirt configuration oracle")
    ap.add_argument("--vdisk", required=True, help="path of the vdisk program")
    ap.add_argument("-k", dest="select", help="run only files whose name contains this")
    ap.add_argument("-v", dest="verbose", action="store_true", help="list passing cases")
    args = ap.parse_args()

    vdisk = os.path.abspath(args.vdisk)
    if not os.access(vdisk, os.X_OK):
        print("FAIL: vdisk program %s is not executable" % vdisk)
        print("0 passed, 1 failed")
        return 1

    reason = ensure_libvirt(lo.ROOT)
    if reason:
        print("SKIP: libvirt cannot run here: %s" % reason)
        return SKIP

    cases = [(p, "accepted") for p in lo.corpus_files(lo.DISKS_DIR)] + \
            [(p, "refused") for p in lo.corpus_files(lo.REFUSE_DIR)]
    if args.select:
        cases = [c for c in cases if args.select in os.path.basename(c[0])]

    passed = failed = 0
    failures = []
    with tempfile.TemporaryDirectory(prefix="vdisk-oracle-") as tmpdir:
        for path, kind in cases:
            case = Case(path, vdisk, tmpdir)
            try:
                if kind == "accepted":
                    case.check_accepted()
                else:
                    case.check_refused()
            except subprocess.TimeoutExpired as e:
                case.fail("timed out: %s" % " ".join(map(str, e.cmd)))
            finally:
                lo.undefine(case.domname)
            label = "%s/%s" % (os.path.basename(os.path.dirname(path)), case.base)
            if case.problems:
                failed += 1
                failures.append(label)
                print("FAIL %s" % label)
                for problem in case.problems:
                    print("    " + problem.replace("\n", "\n    ").rstrip())
            else:
                passed += 1
                if args.verbose:
                    print("ok   %s" % label)

    print()
    print("libvirt configuration oracle: %d corpus disks, %d refusals"
          % (sum(k == "accepted" for _, k in cases), sum(k == "refused" for _, k in cases)))
    if failures:
        print("failed: " + " ".join(failures))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
