#!/usr/bin/python3
"""QEMU command-line golden test: `vdisk qemu-args` against real libvirt 9.0.

For each case of tests/data/qemu (see the README there):
  NNN-name.argv  exists: `vdisk qemu-args NNN-name.addressed.xml` must exit 0
                 and print exactly those lines (libvirt's disk-related argv
                 elements, one per line, in libvirt's order); the "data" and
                 "iv" values of secret objects only have to be present;
  NNN-name.error exists: `vdisk qemu-args` of NNN-name.addressed.xml (or of
                 NNN-name.xml when libvirt refused to define it) must exit
                 non-zero, as libvirt refused the domain.
No libvirt is needed: the expected side is committed
(scripts/gen-qemu-golden.py regenerates it).

Usage: test_qemu_golden.py --vdisk PATH [--data DIR] [-k SUBSTRING] [-v]
Prints a unified diff per mismatch, a summary, and last the line
`N passed, N failed`.  Exit status: 0 all passed, 1 a failure.
"""

import argparse
import ast
import difflib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DATA = os.path.join(ROOT, "tests", "data", "qemu")
CASE_RE = re.compile(r"^(\d{3}-[a-z0-9-]+)\.xml$")
TIMEOUT = 60

# A secret object's payload is encrypted with the per-run master key, so its
# "data" and "iv" values differ on every run: only their presence counts.
SECRET_OBJECT_RE = re.compile(r'^\{"qom-type":"secret",')
SECRET_VOLATILE_RE = re.compile(r'"(data|iv)":"[^"]*"')


def normalize(line):
    """The line as compared: volatile secret values replaced by a marker."""
    if SECRET_OBJECT_RE.match(line):
        return SECRET_VOLATILE_RE.sub(r'"\1":"<any>"', line)
    return line


def normalize_text(text):
    return "".join(normalize(line) + "\n" for line in text.splitlines())


def read(path):
    with open(path) as f:
        return f.read()


def cases(data, pattern=None):
    out = []
    for name in sorted(os.listdir(data)):
        m = CASE_RE.match(name)
        if m and (not pattern or pattern in m.group(1)):
            out.append(m.group(1))
    return out


def describe_rc(rc):
    return "killed by signal %d" % -rc if rc < 0 else "exit %d" % rc


def corpus_secrets():
    """The secrets the corpus refers to, as scripts/gen-qemu-golden.py gives
    them to libvirt: (uuid, usage, value) triples."""
    gen = os.path.join(ROOT, "scripts", "gen-qemu-golden.py")
    with open(gen) as f:
        tree = ast.parse(f.read(), gen)
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and
                getattr(node.targets[0], "id", None) == "SECRETS"):
            out = []
            for uuid, _, usage_elem, value in ast.literal_eval(node.value):
                usage = re.sub(r"<[^>]*>", "", usage_elem)
                out.append((uuid, usage, value))
            return out
    raise RuntimeError("no SECRETS in %s" % gen)


def secret_options(tmpdir):
    """--secret and --master-key options: the corpus secrets' values (by
    UUID and by usage) and a fresh master key, as libvirt keeps one per
    domain."""
    opts = []
    for i, (uuid, usage, value) in enumerate(corpus_secrets()):
        path = os.path.join(tmpdir, "secret%d" % i)
        with open(path, "wb") as f:
            f.write(value)
        opts += ["--secret", "%s=%s" % (uuid, path), "--secret", "%s=%s" % (usage, path)]
    key = os.path.join(tmpdir, "master-key.aes")
    with open(key, "wb") as f:
        f.write(os.urandom(32))
    return opts + ["--master-key", key]


SECRET_OPTIONS = []


def run_vdisk(vdisk, path):
    try:
        p = subprocess.run([vdisk, "qemu-args"] + SECRET_OPTIONS + [path],
                           stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %ds" % TIMEOUT
    return p.returncode, p.stdout, p.stderr


def check_case(vdisk, data, case, verbose):
    """Returns None when the case passes, else a description of the failure."""
    stem = os.path.join(data, case)
    addressed = stem + ".addressed.xml"
    if os.path.exists(stem + ".argv"):
        if not os.path.exists(addressed):
            return "golden data incomplete: %s.addressed.xml is missing" % case
        rc, out, err = run_vdisk(vdisk, addressed)
        if rc is None:
            return err
        if rc != 0:
            return "%s (libvirt accepts it); stderr:\n%s" % (describe_rc(rc), err.rstrip())
        want = normalize_text(read(stem + ".argv"))
        got = normalize_text(out)
        if want != got:
            return "argv differs:\n" + "".join(difflib.unified_diff(
                want.splitlines(True), got.splitlines(True),
                case + ".argv (libvirt)", "vdisk qemu-args"))
        return None
    if os.path.exists(stem + ".error"):
        path = addressed if os.path.exists(addressed) else stem + ".xml"
        rc, out, err = run_vdisk(vdisk, path)
        if rc is None:
            return err
        if rc == 0:
            return "exit 0, but libvirt refuses it: %s" % read(stem + ".error").strip()
        if rc < 0:
            return "%s instead of a clean refusal" % describe_rc(rc)
        if verbose:
            print("  %s refused: %s" % (case, err.strip()))
        return None
    return "golden data incomplete: neither %s.argv nor %s.error" % (case, case)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vdisk", required=True, help="the vdisk program")
    ap.add_argument("--data", default=DEFAULT_DATA, help="the golden directory")
    ap.add_argument("-k", metavar="SUBSTRING", help="only the cases whose name contains it")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()

    if not os.access(opts.vdisk, os.X_OK):
        print("test_qemu_golden: %s is not an executable" % opts.vdisk, file=sys.stderr)
        return 1

    names = cases(opts.data, opts.k)
    if not names:
        print("test_qemu_golden: no cases in %s" % opts.data, file=sys.stderr)
        return 1
    tmpdir = tempfile.TemporaryDirectory(prefix="vdisk-golden-")
    SECRET_OPTIONS[:] = secret_options(tmpdir.name)
    failed = []
    for case in names:
        problem = check_case(opts.vdisk, opts.data, case, opts.verbose)
        if problem is None:
            if opts.verbose:
                print("PASS %s" % case)
        else:
            failed.append(case)
            print("FAIL %s: %s" % (case, problem))
    passed = len(names) - len(failed)
    if failed:
        print("\nFailed cases:")
        for case in failed:
            print("  %s" % case)
    tmpdir.cleanup()
    print("%d passed, %d failed" % (passed, len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
