#!/usr/bin/python3
"""Run a ThreadSanitizer-built program and fail on the reports that are libvdisk's.

    tsan-check.py SOURCE_LIB_DIR PROGRAM [ARGS...]

glib, libvirt and libtirpc are not instrumented, and glib's GMutex is a bare
futex: ThreadSanitizer does not see the locks that order those libraries'
own accesses, only the memory and pthread calls they make (which it
intercepts), so it reports accesses inside them that are ordered. A report
counts here when one of its accesses is libvdisk's own: the first frame of
that access's stack outside the sanitizer runtime is a source file under
SOURCE_LIB_DIR. Those reports are printed and fail the run; the others are
counted and named in one line each. The program itself must pass as well.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

FRAME = re.compile(r"^\s+#\d+ (\S+) (\S+)")
# the stacks that are accesses (data races) or the first stack of any other report
ACCESS = re.compile(r"^\s+(Previous )?(atomic )?(Read|Write|read|write) of size")


def first_own_frame(lines, i):
    """The first frame after line i outside libtsan: (function, location)."""
    for line in lines[i + 1:]:
        m = FRAME.match(line)
        if not m:
            if line.strip() and not line.startswith("    "):
                break
            continue
        func, where = m.groups()
        if "libtsan" in where or "libsanitizer" in where:
            continue
        return func, where
    return None, None


def is_ours(report, libdir):
    lines = report.splitlines()
    stacks = [i for i, l in enumerate(lines) if ACCESS.match(l)]
    if not stacks:
        stacks = [i for i, l in enumerate(lines) if l.startswith("WARNING:")]
    for i in stacks:
        func, where = first_own_frame(lines, i)
        if where and where.startswith(libdir):
            return True
    return False


def main():
    libdir = os.path.realpath(sys.argv[1]) + "/"
    prog = sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env["TSAN_OPTIONS"] = " ".join([
            env.get("TSAN_OPTIONS", ""), "halt_on_error=0", "exitcode=0",
            "second_deadlock_stack=1", "log_path=" + os.path.join(tmp, "tsan")]).strip()
        rc = subprocess.call(prog, env=env)
        text = ""
        for path in sorted(glob.glob(os.path.join(tmp, "tsan*"))):
            with open(path) as f:
                text += f.read()
    reports = [r.strip() for r in text.split("==================") if "WARNING: ThreadSanitizer" in r]
    ours = [r for r in reports if is_ours(r, libdir)]
    others = [r for r in reports if r not in ours]
    for r in others:
        summary = next((l for l in r.splitlines() if l.startswith("SUMMARY:")), "SUMMARY: ?")
        print("tsan-check: not libvdisk's: " + summary)
    for r in ours:
        print("==================\n" + r + "\n==================")
    print("tsan-check: %d report(s) in libvdisk, %d inside uninstrumented libraries"
          % (len(ours), len(others)))
    if rc != 0:
        print("tsan-check: the program failed (exit status %d)" % rc)
        return 1
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
