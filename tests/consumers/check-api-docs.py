#!/usr/bin/env python3
"""The API reference builds from the public headers and Doxygen reads their
gtk-doc comments as meant (through docs/gtkdoc-filter.py).

Builds the `docs` target, then fails on every Doxygen warning that means a
comment was misread (unknown command, unknown tag, a \\param naming no
parameter, ...).  Parameters a comment leaves undocumented are listed as
notes: they are gaps in the headers, not misreadings.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

results = {"passed": 0, "failed": 0}


def check(cond, msg, detail=""):
    results["passed" if cond else "failed"] += 1
    print(("PASS: " if cond else "FAIL: ") + msg +
          (("\n  " + detail.replace("\n", "\n  ")) if detail and not cond else ""), flush=True)
    return cond


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--include", required=True)
    args = ap.parse_args()

    out = os.path.join(args.build_dir, "docs", "api")
    proc = subprocess.run([args.cmake, "--build", args.build_dir, "--target", "docs"],
                          capture_output=True, text=True)
    check(proc.returncode == 0, "the docs target builds", proc.stdout + proc.stderr)
    index = os.path.join(out, "html", "index.html")
    check(os.path.exists(index), "docs/api/html/index.html is generated")

    log = os.path.join(out, "warnings.log")
    text = open(log).read() if os.path.exists(log) else ""
    # One warning: a "file:line: warning: ..." line and its indented continuation.
    warnings = re.split(r"\n(?=\S)", text.strip()) if text.strip() else []
    gaps = [w for w in warnings if re.search(r"parameters? of .* (is|are) not documented", w)]
    misread = [w for w in warnings if w not in gaps]
    check(not misread, "Doxygen misreads no header comment", "\n".join(misread))
    for w in gaps:
        print("NOTE: " + w.replace("\n", " "))

    # Every exported function has a documentation entry in the HTML.
    html = "".join(open(p).read() for p in glob.glob(os.path.join(out, "html", "*_8h.html")))
    names = set()
    for hdr in glob.glob(os.path.join(args.include, "vdisk", "*.h")):
        names.update(re.findall(r"VDISK_API[^;(]*?\b(vdisk_\w+)\s*\(", open(hdr).read()))
    missing = sorted(n for n in names if 'id="' not in html or n not in html)
    check(names and not missing, "all %d public functions appear in the reference" % len(names),
          " ".join(missing))
    check("Parameters" in html and "Returns" in html,
          "gtk-doc @param lines and Returns come out as Parameters and Returns")

    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
