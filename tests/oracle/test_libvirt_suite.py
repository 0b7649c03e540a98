#!/usr/bin/python3
"""libvirt 9.0's own test suite as acceptance corpus: how close libvdisk is.

The data is tests/data/libvirt-suite (see its README.md): libvirt's test
domains with what the real libvirt 9.0 made of them.  For every case, four
measures:
  addressed   `vdisk qemu-args NAME.addressed.xml` prints NAME.argv (compared
              as tests/oracle/test_qemu_golden.py compares, with the suite's
              secrets and a master key);
  as-written  `vdisk qemu-args NAME.xml` prints NAME.argv (as
              test_qemu_unaddressed.py: libvdisk assigns the addresses);
  xml         each disk of `vdisk xml NAME.xml` equals the corresponding
              <disk> of NAME.addressed.xml, addresses included;
  refusals    `vdisk check NAME.xml` accepts an ok case and refuses, with a
              message, a case libvirt refused because of a disk.
The first three apply to the ok cases, the last to ok and refuse cases.
Each result is pass, refused (vdisk exited with an error: a clear refusal),
different (vdisk printed something else, accepted what libvirt refuses, or
crashed) or skip (the case is skipped in index.json).

The table counts them per architecture and measure.  The test fails when a
case does worse than tests/data/libvirt-suite/baseline.json records (a pass
that is now refused or different, a refused that is now different) and lists
the cases that do better; --update-baseline rewrites the baseline.

No libvirt is needed.  Usage:
  test_libvirt_suite.py --vdisk PATH [--data DIR] [-k SUBSTRING] [-v]
                        [--show MEASURE] [--update-baseline]
Exit status: 0 nothing worse than the baseline, 1 otherwise.
"""

import argparse
import collections
import concurrent.futures
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt_oracle as lo  # noqa: E402
import test_qemu_golden as golden  # noqa: E402

DEFAULT_DATA = os.path.join(lo.ROOT, "tests", "data", "libvirt-suite")
ARCHES = ("x86_64", "i686", "aarch64", "ppc64", "s390x", "riscv64")
MEASURES = ("addressed", "as-written", "xml", "refusals")
OUTCOMES = ("pass", "refused", "different", "skip")
RANK = {"pass": 0, "refused": 1, "different": 2}
TIMEOUT = 60


def read(path):
    with open(path) as f:
        return f.read()


def run(vdisk, args):
    try:
        p = subprocess.run([vdisk] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %ds" % TIMEOUT
    return p.returncode, p.stdout, p.stderr


def crashed(rc):
    return rc is None or rc < 0 or rc >= 126


def first_line(text):
    """The first line of a message, without vdisk's "vdisk: FILE: " prefix."""
    text = text.strip()
    line = text.splitlines()[0] if text else ""
    return re.sub(r"^vdisk: /[^ ]*: ", "", line)


def diff(want, got, a, b):
    return "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), a, b))


def secret_options(data, tmpdir):
    """--secret options for the secrets of secrets.json (by UUID and by usage)
    and a fresh --master-key, as test_qemu_golden.py gives its own."""
    opts = []
    for i, sec in enumerate(json.loads(read(os.path.join(data, "secrets.json")))):
        path = os.path.join(tmpdir, "secret%d" % i)
        with open(path, "wb") as f:
            f.write(sec["value"].encode())
        opts += ["--secret", "%s=%s" % (sec["uuid"], path),
                 "--secret", "%s=%s" % (sec["id"], path)]
    key = os.path.join(tmpdir, "master-key.aes")
    with open(key, "wb") as f:
        f.write(os.urandom(32))
    return opts + ["--master-key", key]


PFLASH_NODE = re.compile(r'"node-name":"libvirt-pflash\d+-(storage|format)"')


def drop_firmware(text):
    """libvirt's argv without the -blockdev nodes of the firmware (<loader>
    and <nvram> of type pflash, "libvirt-pflashN-..."): they are no disk's."""
    lines = text.splitlines()
    out = []
    i = 0
    while i < len(lines):
        if lines[i] == "-blockdev" and i + 1 < len(lines) and PFLASH_NODE.search(lines[i + 1]):
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return "".join(line + "\n" for line in out)


def measure_argv(vdisk, secrets, xml_path, argv_path, label):
    rc, out, err = run(vdisk, ["qemu-args"] + secrets + [xml_path])
    if crashed(rc):
        return "different", "vdisk %s" % (err.strip() if rc is None else
                                          golden.describe_rc(rc))
    if rc != 0:
        return "refused", first_line(err or out)
    want = golden.normalize_text(drop_firmware(read(argv_path)))
    got = golden.normalize_text(out)
    if want == got:
        return "pass", ""
    return "different", diff(want, got, "libvirt", "vdisk qemu-args " + label)


def measure_xml(vdisk, xml_path, addressed_path):
    rc, out, err = run(vdisk, ["xml", xml_path])
    if crashed(rc):
        return "different", "vdisk %s" % (err.strip() if rc is None else
                                          golden.describe_rc(rc))
    if rc != 0:
        return "refused", first_line(err or out)
    want = "".join(lo.dumped_disks(read(addressed_path)))
    got = "".join(lo.dumped_disks(out))
    if want == got:
        return "pass", ""
    return "different", diff(want, got, "libvirt dumpxml", "vdisk xml")


def measure_check(vdisk, xml_path, libvirt_refuses, libvirt_msg):
    rc, out, err = run(vdisk, ["check", xml_path])
    msg = (err + out).strip()
    if crashed(rc):
        return "different", "vdisk check %s" % (err.strip() if rc is None else
                                                golden.describe_rc(rc))
    if libvirt_refuses:
        if rc == 0:
            return "different", "vdisk check accepts it; libvirt: %s" % first_line(libvirt_msg)
        if not msg:
            return "refused", "vdisk check refuses it without a message"
        return "pass", ""
    if rc != 0:
        return "refused", first_line(msg)
    return "pass", ""


def check_case(vdisk, secrets, data, key, rec):
    """{measure: (outcome, detail)} of one case."""
    stem = os.path.join(data, key)
    status = rec["status"]
    if status == "skip":
        reason = rec.get("category", "skip")
        return {m: ("skip", reason) for m in MEASURES}
    if status == "refuse":
        return {"refusals": measure_check(vdisk, stem + ".xml", True, rec.get("message", ""))}
    return {
        "addressed": measure_argv(vdisk, secrets, stem + ".addressed.xml", stem + ".argv",
                                  os.path.basename(key) + ".addressed.xml"),
        "as-written": measure_argv(vdisk, secrets, stem + ".xml", stem + ".argv",
                                   os.path.basename(key) + ".xml"),
        "xml": measure_xml(vdisk, stem + ".xml", stem + ".addressed.xml"),
        "refusals": measure_check(vdisk, stem + ".xml", False, ""),
    }


def table_arch(rec):
    """The table's row of a case: its architecture, or "other" for the
    architectures the generator does not run."""
    return rec["arch"] if rec["arch"] in ARCHES else "other"


def print_table(index, results):
    arches = [a for a in ARCHES + ("other",)
              if any(table_arch(index[k]) == a for k in results)]
    counts = collections.defaultdict(collections.Counter)
    for key, res in results.items():
        for m, (outcome, _) in res.items():
            counts[(table_arch(index[key]), m)][outcome] += 1
            counts[("all", m)][outcome] += 1
    head = "%-10s %-11s" % ("arch", "measure") + "".join("%10s" % o for o in OUTCOMES)
    print(head)
    print("-" * len(head))
    for arch in arches + ["all"]:
        for m in MEASURES:
            c = counts.get((arch, m))
            if not c:
                continue
            print("%-10s %-11s" % (arch, m) + "".join("%10d" % c[o] for o in OUTCOMES))
        print()


def print_skips(index, keys):
    cats = collections.defaultdict(list)
    for key in keys:
        rec = index[key]
        if rec["status"] == "skip":
            cats[rec.get("category", "?")].append(key)
    print("Skipped cases by reason:")
    for cat, ks in sorted(cats.items(), key=lambda kv: -len(kv[1])):
        rec = index[ks[0]]
        what = first_line(rec.get("message", rec.get("reason", "")))
        print("  %-13s %4d  e.g. %s: %s" % (cat, len(ks), ks[0], what[:90]))
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vdisk", required=True, help="the vdisk program")
    ap.add_argument("--data", default=DEFAULT_DATA, help="the libvirt-suite directory")
    ap.add_argument("-k", metavar="SUBSTRING", help="only the cases whose SUBDIR/NAME contains it")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every case's non-passing results")
    ap.add_argument("--show", metavar="MEASURE", choices=MEASURES,
                    help="print the details (diffs, messages) of one measure's failures")
    ap.add_argument("--update-baseline", action="store_true",
                    help="write the current results as the baseline")
    ap.add_argument("-j", type=int, default=2, help="parallel vdisk runs (default 2)")
    opts = ap.parse_args()

    vdisk = os.path.abspath(opts.vdisk)
    if not os.access(vdisk, os.X_OK):
        print("test_libvirt_suite: %s is not an executable" % vdisk, file=sys.stderr)
        return 1
    index = json.loads(read(os.path.join(opts.data, "index.json")))
    keys = sorted(k for k in index if not opts.k or opts.k in k)
    if not keys:
        print("test_libvirt_suite: no cases", file=sys.stderr)
        return 1
    baseline_path = os.path.join(opts.data, "baseline.json")
    baseline = json.loads(read(baseline_path)) if os.path.exists(baseline_path) else {}

    with tempfile.TemporaryDirectory(prefix="vdisk-suite-") as tmpdir:
        secrets = secret_options(opts.data, tmpdir)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.j)) as pool:
            futures = {k: pool.submit(check_case, vdisk, secrets, opts.data, k, index[k])
                       for k in keys}
            results = {k: f.result() for k, f in futures.items()}

    if opts.verbose or opts.show:
        for key in keys:
            for m, (outcome, detail) in results[key].items():
                if outcome in ("pass", "skip") or (opts.show and m != opts.show):
                    continue
                if opts.show:
                    print("%s %s %s:\n    %s" % (outcome.upper(), m, key,
                                                detail.rstrip().replace("\n", "\n    ")))
                else:
                    print("%-9s %-10s %s: %s" % (outcome, m, key, first_line(detail)[:160]))
        print()

    print("libvirt 9.0 test suite (%s): %d cases, %d ok, %d refused by libvirt, %d skipped"
          % (os.path.relpath(opts.data, lo.ROOT), len(keys),
             sum(index[k]["status"] == "ok" for k in keys),
             sum(index[k]["status"] == "refuse" for k in keys),
             sum(index[k]["status"] == "skip" for k in keys)))
    print()
    print_table(index, {k: results[k] for k in keys})
    print_skips(index, keys)

    worse, better = [], []
    for key in keys:
        for m, (outcome, detail) in results[key].items():
            if outcome == "skip":
                continue
            was = baseline.get(m, {}).get(key, "pass")
            if RANK[outcome] > RANK[was]:
                worse.append((m, key, was, outcome, detail))
            elif RANK[outcome] < RANK[was]:
                better.append((m, key, was, outcome))

    if opts.update_baseline:
        new = {m: dict(baseline.get(m, {})) for m in MEASURES}
        for key in keys:
            for m in MEASURES:
                new[m].pop(key, None)
            for m, (outcome, _) in results[key].items():
                if outcome in ("refused", "different"):
                    new[m][key] = outcome
        with open(baseline_path, "w") as f:
            f.write("{\n" + ",\n".join(
                '  %s: {\n%s\n  }' % (json.dumps(m), ",\n".join(
                    "    %s: %s" % (json.dumps(k), json.dumps(v))
                    for k, v in sorted(new[m].items())))
                for m in MEASURES) + "\n}\n")
        print("baseline written: %s (%s)" % (
            os.path.relpath(baseline_path, lo.ROOT),
            ", ".join("%s %d" % (m, len(new[m])) for m in MEASURES)))
        return 0

    if better:
        print("Better than the baseline (tighten it with --update-baseline):")
        for m, key, was, now in better:
            print("  %-10s %s: %s -> %s" % (m, key, was, now))
        print()
    if worse:
        print("WORSE than the baseline:")
        for m, key, was, now, detail in worse:
            print("  %-10s %s: %s -> %s" % (m, key, was, now))
            print("      " + detail.rstrip().replace("\n", "\n      "))
        print()
    print("%d results worse than the baseline, %d better" % (len(worse), len(better)))
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
