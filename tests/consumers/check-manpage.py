#!/usr/bin/env python3
"""vdisk(1) renders cleanly and documents the program that is built.

Renders docs/vdisk.1 with groff's warnings on (and mandoc -Tlint, man -l when
installed), then asks the built `vdisk --help` for its subcommands and each
`vdisk SUBCOMMAND --help` for its options and exit statuses: every
subcommand must have its own section and a synopsis line in the page, every
long option must appear in its subcommand's section or among the common
options, every exit status must be listed under EXIT STATUS, and the page's
version must be the project's.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

results = {"passed": 0, "failed": 0}


def check(cond, msg, detail=""):
    results["passed" if cond else "failed"] += 1
    print(("PASS: " if cond else "FAIL: ") + msg +
          (("\n  " + detail.replace("\n", "\n  ")) if detail and not cond else ""), flush=True)
    return cond


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def roff_text(s):
    """The roff source with escapes undone, for plain-text searches."""
    s = s.replace("\\-", "-").replace("\\(dq", '"').replace("\\e", "\\").replace("\\&", "")
    return s.replace("\\c", "")


def sections(src):
    """{'NAME': text} for .SH, and {'vdisk xml ...': text} for .SS."""
    sh, ss = {}, {}
    cur_sh = cur_ss = None
    for line in src.splitlines():
        m = re.match(r'^\.SH\s+"?([^"]*)"?\s*$', line)
        if m:
            cur_sh, cur_ss = m.group(1), None
            sh[cur_sh] = ""
            continue
        m = re.match(r'^\.SS\s+"?([^"]*)"?\s*$', line)
        if m:
            cur_ss = m.group(1)
            ss[cur_ss] = ""
            sh[cur_sh] += line + "\n"
            continue
        if cur_sh:
            sh[cur_sh] += line + "\n"
        if cur_ss:
            ss[cur_ss] += line + "\n"
    return sh, ss


def help_subcommands(vdisk):
    proc = run([vdisk, "--help"])
    names, listing = [], False
    for line in proc.stdout.splitlines():
        if line.startswith("Subcommands:"):
            listing = True
            continue
        if listing:
            if not line.strip():
                break
            names.append(line.split()[0])
    return proc.returncode, names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vdisk", required=True)
    ap.add_argument("--man", required=True)
    ap.add_argument("--version", required=True)
    args = ap.parse_args()

    with open(args.man, encoding="utf-8") as f:
        raw = f.read()
    src = roff_text(raw)

    # Rendering: no warning from groff (all warnings on), mandoc or man.
    proc = run(["groff", "-man", "-Tutf8", "-ww", "-z", args.man])
    check(proc.returncode == 0 and not proc.stderr.strip(),
          "groff -man -ww renders vdisk.1 without warnings", proc.stderr)
    if shutil.which("mandoc"):
        proc = run(["mandoc", "-Tlint", "-W", "warning", args.man])
        check(proc.returncode == 0 and not (proc.stdout + proc.stderr).strip(),
              "mandoc -Tlint finds nothing to warn about", proc.stdout + proc.stderr)
    if shutil.which("man"):
        env = dict(os.environ, MANWIDTH="80")
        env.pop("MAN_KEEP_FORMATTING", None)
        proc = run(["man", "-l", args.man], env=env)
        check(proc.returncode == 0 and not proc.stderr.strip() and "EXIT STATUS" in proc.stdout,
              "man -l renders vdisk.1 at 80 columns without warnings", proc.stderr)

    m = re.search(r'^\.TH\s+VDISK\s+1\s+\S+\s+"libvdisk ([^"]+)"', raw, re.M)
    check(m and m.group(1) == args.version, "the page documents libvdisk %s" % args.version,
          ".TH says %r" % (m.group(1) if m else None))

    sh, ss = sections(src)
    for need in ("NAME", "SYNOPSIS", "DESCRIPTION", "SUBCOMMANDS", "OPTIONS", "EXIT STATUS",
                 "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"):
        check(need in sh, "the page has a %s section" % need)

    rc, names = help_subcommands(args.vdisk)
    check(rc == 0 and len(names) >= 3, "vdisk --help lists the subcommands", repr(names))
    common = sh.get("OPTIONS", "")
    exits = sh.get("EXIT STATUS", "")
    for name in names:
        heads = [h for h in ss if h.split()[:2] == ["vdisk", name]]
        if not check(heads, "vdisk %s has its own section" % name, "sections: %r" % list(ss)):
            continue
        check(re.search(r'^\.SY\s+"vdisk %s"' % re.escape(name), src, re.M),
              "vdisk %s is in the SYNOPSIS" % name)
        text = "".join(ss[h] for h in heads) + "\n".join(heads)
        proc = run([args.vdisk, name, "--help"])
        check(proc.returncode == 0, "vdisk %s --help exits 0" % name, proc.stderr)
        options = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", proc.stdout)) - {"--help"})
        missing = [o for o in options
                   if not re.search(re.escape(o) + r"(?![a-z-])", text + common)]
        check(not missing, "every option of vdisk %s is documented" % name,
              "missing: %s" % " ".join(missing))
        m = re.search(r"Exit status:(.*?)(?:\n\n|$)", proc.stdout, re.S)
        if m:
            codes = sorted(set(re.findall(r"(?<![\w-])(\d+) [a-z]", m.group(1))))
            missing = [c for c in codes if not re.search(r"^\.B %s$" % c, exits, re.M)]
            check(not missing, "every exit status of vdisk %s is under EXIT STATUS" % name,
                  "missing: %s" % " ".join(missing))

    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
