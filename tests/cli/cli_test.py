#!/usr/bin/env python3
"""Behaviour of the vdisk command-line program.

Usage: cli_test.py VDISK_BINARY DATA_DIR PROJECT_VERSION CASE

Each CASE is one ctest test (see tests/cli.cmake).  Nothing compares the
program's output with a stored copy: the cases check exit statuses, that
printed XML re-parses and describes the input's disks in order, that
printing is a fixed point, and that refusals name the offending value.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

VDISK, DATA, VERSION = sys.argv[1:4]

EXIT_OK, EXIT_USAGE, EXIT_REFUSED = 0, 2, 3


class Failure(Exception):
    pass


def data(name):
    return os.path.join(DATA, name)


def vdisk(*args, stdin=None):
    proc = subprocess.run([VDISK] + list(args), input=stdin, capture_output=True, text=True,
                          timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def expect(cond, msg, *streams):
    if not cond:
        raise Failure(msg + "".join("\n--- output ---\n" + s for s in streams if s))


def expect_status(res, status, what):
    rc, out, err = res
    expect(rc == status, "%s: exit status %d, expected %d" % (what, rc, status), out, err)


def parse_disks(text):
    """The <disk> elements of concatenated disk XML documents, in order."""
    try:
        root = ET.fromstring("<disks>" + text + "</disks>")
    except ET.ParseError as e:
        raise Failure("output is not well-formed XML: %s\n%s" % (e, text))
    disks = list(root)
    expect(disks, "output holds disks", text)
    expect(all(d.tag == "disk" for d in disks), "output holds only <disk> elements", text)
    return disks


def target_of(disk):
    target = disk.find("target")
    return target.get("dev") if target is not None else None


def input_disks(name):
    root = ET.parse(data(name)).getroot()
    return [root] if root.tag == "disk" else root.findall("./devices/disk")


# ---- cases ---------------------------------------------------------------------------

def case_help_lists_subcommands():
    res = vdisk("--help")
    expect_status(res, EXIT_OK, "vdisk --help")
    for sub in ("xml", "check"):
        expect(sub in res[1], "--help names subcommand %r" % sub, res[1])
    expect_status(vdisk("-h"), EXIT_OK, "vdisk -h")


def case_subcommand_help():
    for sub in ("xml", "check"):
        res = vdisk(sub, "--help")
        expect_status(res, EXIT_OK, "vdisk %s --help" % sub)
        expect(res[1].startswith("Usage:") and (" %s " % sub) in res[1],
               "vdisk %s --help prints its usage" % sub, res[1])
        expect(res[2] == "", "help goes to stdout only", res[2])


def case_version_matches_project():
    res = vdisk("--version")
    expect_status(res, EXIT_OK, "vdisk --version")
    expect(VERSION in res[1], "--version shows %s" % VERSION, res[1])


def case_usage_errors_exit_2():
    for args in ([], ["frobnicate"], ["--frobnicate"], ["xml"], ["check"],
                 ["xml", "--bogus", data("disk-file.xml")],
                 ["check", data("disk-file.xml"), data("disk-file.xml")]):
        res = vdisk(*args)
        expect_status(res, EXIT_USAGE, "vdisk %s" % " ".join(args))
        expect(res[1] == "", "nothing on stdout for a usage error", res[1])
        expect(res[2] != "", "usage error explained on stderr")
    res = vdisk("frobnicate")
    expect("frobnicate" in res[2], "unknown subcommand is named", res[2])


def case_unreadable_file_exit_2():
    missing = data("no-such-file.xml")
    for sub in ("xml", "check"):
        res = vdisk(sub, missing)
        expect_status(res, EXIT_USAGE, "vdisk %s MISSING" % sub)
        expect("no-such-file.xml" in res[2], "missing file is named", res[2])
    res = vdisk("check", DATA)
    expect_status(res, EXIT_USAGE, "vdisk check DIRECTORY")


def case_xml_disk_reparses():
    res = vdisk("xml", data("disk-file.xml"))
    expect_status(res, EXIT_OK, "vdisk xml disk")
    disks = parse_disks(res[1])
    expect(len(disks) == 1, "one disk printed", res[1])
    src = disks[0].find("source")
    expect(src is not None and src.get("file") == "/var/lib/libvirt/images/cli-test.qcow2",
           "source file kept", res[1])
    expect(target_of(disks[0]) == "vdb", "target kept", res[1])
    expect(disks[0].find("driver").get("cache") == "none", "driver cache kept", res[1])


def case_xml_applies_post_parse_defaults():
    # libvirt infers the bus from a vd* target; --no-defaults keeps the XML as written.
    res = vdisk("xml", data("disk-file.xml"))
    expect_status(res, EXIT_OK, "vdisk xml disk")
    expect(parse_disks(res[1])[0].find("target").get("bus") == "virtio",
           "bus='virtio' filled in for target vdb", res[1])
    res = vdisk("xml", "--no-defaults", data("disk-file.xml"))
    expect_status(res, EXIT_OK, "vdisk xml --no-defaults disk")
    expect(parse_disks(res[1])[0].find("target").get("bus") is None,
           "--no-defaults leaves the bus unset", res[1])


def case_xml_is_fixed_point():
    for name in ("disk-file.xml", "domain-three-disks.xml"):
        first = vdisk("xml", data(name))
        expect_status(first, EXIT_OK, "vdisk xml %s" % name)
        printed = split_disks(first[1])
        expect(len(printed) == len(input_disks(name)), "every disk of %s printed" % name,
               first[1])
        for disk_xml in printed:
            again = vdisk("xml", "-", stdin=disk_xml)
            expect_status(again, EXIT_OK, "vdisk xml - (printed disk)")
            expect(again[1] == disk_xml, "printing a printed disk changes nothing",
                   disk_xml, again[1])


def split_disks(text):
    out, cur = [], []
    for line in text.splitlines(keepends=True):
        cur.append(line)
        if line.startswith("</disk>") or (line.startswith("<disk") and line.rstrip().endswith("/>")):
            out.append("".join(cur))
            cur = []
    expect(not "".join(cur).strip(), "output is a sequence of whole <disk> documents", text)
    return out


def case_xml_domain_disks_in_order():
    res = vdisk("xml", data("domain-three-disks.xml"))
    expect_status(res, EXIT_OK, "vdisk xml domain")
    got = [target_of(d) for d in parse_disks(res[1])]
    want = [target_of(d) for d in input_disks("domain-three-disks.xml")]
    expect(got == want, "disks in document order: %r, expected %r" % (got, want), res[1])
    expect(len(split_disks(res[1])) == len(want), "one <disk> document per disk", res[1])


def case_xml_reads_stdin():
    with open(data("domain-three-disks.xml")) as f:
        text = f.read()
    from_file = vdisk("xml", data("domain-three-disks.xml"))
    from_stdin = vdisk("xml", "-", stdin=text)
    expect_status(from_stdin, EXIT_OK, "vdisk xml -")
    expect(len(parse_disks(from_stdin[1])) == len(input_disks("domain-three-disks.xml")),
           "every disk read from stdin printed", from_stdin[1])
    expect(from_stdin[1] == from_file[1], "stdin and file give the same output",
           from_file[1], from_stdin[1])


def case_check_accepts_valid():
    for name in ("disk-file.xml", "domain-three-disks.xml"):
        res = vdisk("check", data(name))
        expect_status(res, EXIT_OK, "vdisk check %s" % name)
        expect(res[2] == "", "nothing on stderr for an accepted file", res[2])


def case_check_refuses_bad_disk_naming_value():
    res = vdisk("check", data("disk-bad-cache.xml"))
    expect_status(res, EXIT_REFUSED, "vdisk check bad cache")
    expect("'fast'" in res[2], "message names the value 'fast'", res[2])
    expect("vda" in res[2], "message names the target vda", res[2])
    expect(res[1] == "", "nothing on stdout", res[1])
    res = vdisk("xml", data("disk-bad-cache.xml"))
    expect_status(res, EXIT_REFUSED, "vdisk xml bad cache")
    expect(res[1] == "" and "'fast'" in res[2], "xml refuses the same disk", res[1], res[2])


def case_check_refuses_bad_disk_in_domain():
    res = vdisk("check", data("domain-bad-io.xml"))
    expect_status(res, EXIT_REFUSED, "vdisk check domain with bad io")
    expect("'slow'" in res[2], "message names the value 'slow'", res[2])
    expect("sdb" in res[2], "message names the target sdb", res[2])


def case_check_refuses_malformed_and_hostile_xml():
    for name in ("not-xml.xml", "entity.xml", "network.xml"):
        res = vdisk("check", data(name))
        expect_status(res, EXIT_REFUSED, "vdisk check %s" % name)
        expect(res[2].strip() != "", "refusal of %s explained" % name)
        expect("root:" not in res[2], "no file content leaks into the message", res[2])
    res = vdisk("check", "-", stdin="<disk type='file'><target dev='vda'/>")
    expect_status(res, EXIT_REFUSED, "vdisk check truncated stdin")
    res = vdisk("check", "-", stdin="")
    expect_status(res, EXIT_REFUSED, "vdisk check empty stdin")
    res = vdisk("check", "-", stdin="<disk type='file'>\0<target dev='vda'/></disk>")
    expect_status(res, EXIT_REFUSED, "vdisk check with a NUL byte")


def case_write_error_is_reported():
    if not os.path.exists("/dev/full"):
        return
    with open("/dev/full", "w") as full:
        proc = subprocess.run([VDISK, "xml", data("domain-three-disks.xml")], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    expect(proc.returncode != 0, "writing to a full device fails", proc.stderr)
    expect(proc.stderr != "", "the write failure is reported")


def main():
    case = sys.argv[4]
    fn = globals().get("case_" + case)
    if fn is None:
        print("unknown case %r" % case)
        return 2
    try:
        fn()
    except Failure as e:
        print("FAIL %s: %s" % (case, e))
        return 1
    print("PASS %s" % case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
