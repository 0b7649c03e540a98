#!/usr/bin/env python3
"""bash completion for vdisk (tools/vdisk.bash-completion).

Sources the completion script in a non-interactive bash, once after
bash-completion's own library (as installed systems load it) and once on its
own, sets COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as bash would for a
command line, calls _vdisk and compares COMPREPLY with the expected
candidates. The subcommand and option lists are checked against the built
program's `vdisk --help` and `vdisk SUBCOMMAND --help`, the enum values
against lib/conf/schema/disk.schema. virsh and `vdisk list` are stand-ins
on PATH that print known domains, pools and targets per connection URI, and
record how they were called.

usage: test_completion.py --vdisk build/tools/vdisk --script tools/vdisk.bash-completion
                          --schema lib/conf/schema/disk.schema
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

results = {"passed": 0, "failed": 0, "skipped": 0}
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
WORDBREAKS = "\"'><=;|&(:"

FAKE_VIRSH = r"""#!/bin/sh
echo "virsh $*" >> "$VDTEST_LOG"
uri=
while [ $# -gt 0 ]; do
    case $1 in
        -c) uri=$2; shift 2 ;;
        -q) shift ;;
        *) break ;;
    esac
done
case "$uri:$1" in
    qemu:///system:list) printf 'web\ndb\nweb-test\n\n' ;;
    qemu:///session:list) printf 'mine\n\n' ;;
    qemu:///system:pool-list) printf 'default\nimages\n\n' ;;
    *) echo "error: failed to connect" >&2; exit 1 ;;
esac
"""

# `vdisk list [--inactive] -c URI -- DOMAIN`: web runs (vda vdb sda), db is
# shut off (only --inactive answers: vdc), anything else is unknown.
FAKE_VDISK = r"""#!/bin/sh
echo "vdisk $*" >> "$VDTEST_LOG"
[ "$1" = list ] || exit 2
shift
inactive=no
while [ $# -gt 0 ]; do
    case $1 in
        --inactive) inactive=yes; shift ;;
        -c) shift 2 ;;
        --) shift ;;
        *) break ;;
    esac
done
echo "TARGET   BUS     DEVICE  FORMAT ALIAS            SOURCE"
case "$1:$inactive" in
    web:no) printf 'vda      virtio  disk    qcow2  virtio-disk0     /a.qcow2\n'
            printf 'vdb      virtio  disk    raw    virtio-disk1     /b.img\n'
            printf 'sda      sata    cdrom   -      sata0-0-0        -\n' ;;
    db:yes) printf 'vdc      virtio  disk    raw    -                /c.img\n' ;;
    *) echo "vdisk: list: no domain '$1'" >&2; exit 3 ;;
esac
"""


def check(cond, msg, detail=""):
    results["passed" if cond else "failed"] += 1
    print(("PASS: " if cond else "FAIL: ") + msg +
          (("\n  " + detail.replace("\n", "\n  ")) if detail and not cond else ""), flush=True)
    return cond


def comp_words(line):
    """COMP_WORDS and COMP_CWORD as bash makes them for `line` (cursor at
    its end): words split at blanks, and at each run of COMP_WORDBREAKS
    characters, which form words of their own."""
    words = []
    for blank_word in re.split(r"[ \t]+", line.lstrip()):
        if blank_word == "":
            continue
        for part in re.findall("[%s]+|[^%s]+" % (re.escape(WORDBREAKS), re.escape(WORDBREAKS)),
                               blank_word):
            words.append(part)
    if line.endswith((" ", "\t")) or not words:
        words.append("")
    return words, len(words) - 1


class Completer:
    def __init__(self, script, bindir, cwd, log, with_library):
        self.script = script
        self.bindir = bindir
        self.cwd = cwd
        self.log = log
        self.with_library = with_library

    def complete(self, line, prog=None):
        words, cword = comp_words(line)
        if prog:
            words[0] = prog
            line = prog + line[len(line.split(" ", 1)[0]):]
        src = []
        if self.with_library:
            src.append(". %s" % shlex.quote(BASH_COMPLETION))
        src += [
            ". %s" % shlex.quote(self.script),
            "COMP_WORDS=(%s)" % " ".join(shlex.quote(w) for w in words),
            "COMP_CWORD=%d" % cword,
            "COMP_LINE=%s" % shlex.quote(line),
            "COMP_POINT=%d" % len(line),
            "COMP_TYPE=9 COMP_KEY=9",
            "COMPREPLY=()",
            "_vdisk %s %s %s" % (shlex.quote(words[0]), shlex.quote(words[cword]),
                                 shlex.quote(words[cword - 1]) if cword else "''"),
            "printf '%s\\n' \"${COMPREPLY[@]}\"",
        ]
        env = dict(os.environ)
        env["PATH"] = self.bindir + os.pathsep + env.get("PATH", "")
        env["VDTEST_LOG"] = self.log
        env.pop("BASH_COMPLETION_VERSINFO", None)
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", "\n".join(src)],
                              capture_output=True, text=True, env=env, cwd=self.cwd, timeout=60)
        if proc.returncode != 0 or proc.stderr.strip():
            raise RuntimeError("bash failed (%d) on %r: %s" % (proc.returncode, line, proc.stderr))
        return [w for w in proc.stdout.split("\n") if w != ""]


def help_subcommands(vdisk):
    out = subprocess.run([vdisk, "--help"], capture_output=True, text=True, check=True).stdout
    block = out.split("Subcommands:\n", 1)[1].split("\n\n", 1)[0]
    return sorted(l.split()[0] for l in block.splitlines() if l.strip())


def help_options(vdisk, sub):
    out = subprocess.run([vdisk, sub, "--help"], capture_output=True, text=True,
                         check=True).stdout
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", out)))


def schema_values(schema, enum):
    values, inside = [], False
    with open(schema) as f:
        for line in f:
            if line.startswith("enum "):
                inside = line.split()[1] == enum
                continue
            if inside:
                if not line.strip():
                    inside = False
                    continue
                fields = line.split()
                if fields[0] != "doc":
                    values.append(fields[1])
    return values


def script_list(script, name):
    with open(script) as f:
        text = f.read()
    m = re.search(r'^%s="([^"]*)"' % re.escape(name), text, re.M)
    return m.group(1).split() if m else []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vdisk", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--schema", required=True)
    args = ap.parse_args()
    script = os.path.abspath(args.script)
    vdisk = os.path.abspath(args.vdisk)

    # The lists in the script against the program and the schema.
    check(sorted(script_list(script, "_vdisk_subcommands")) == help_subcommands(vdisk),
          "the script's subcommands are those of vdisk --help",
          "%r != %r" % (script_list(script, "_vdisk_subcommands"), help_subcommands(vdisk)))
    for var, enum, drop in (("_vdisk_devices", "vdisk_device", {"-"}),
                            ("_vdisk_formats", "vdisk_format", {"none"}),
                            ("_vdisk_caches", "vdisk_cache", set())):
        want = [v for v in schema_values(args.schema, enum) if v not in drop]
        got = script_list(script, var)
        check(sorted(got) == sorted(want), "%s are the schema's %s values" % (var, enum),
              "%r != %r" % (got, want))
    buses = script_list(script, "_vdisk_buses")
    attach_help = subprocess.run([vdisk, "attach", "--help"], capture_output=True,
                                 text=True).stdout
    bus_line = re.search(r"--bus=BUS\s+(.*)", attach_help).group(1)
    check(set(buses) <= set(schema_values(args.schema, "vdisk_bus")) and
          sorted(buses) == sorted(re.findall(r"[a-z]+", bus_line.replace("(default)", ""))),
          "_vdisk_buses are the buses vdisk attach --help names, all in the schema",
          "%r; help: %r" % (buses, bus_line))

    with tempfile.TemporaryDirectory(prefix="vdisk-completion-") as tmp:
        bindir = os.path.join(tmp, "bin")
        cwd = os.path.join(tmp, "cwd")
        os.makedirs(bindir)
        os.makedirs(os.path.join(cwd, "images"))
        for name in ("domain.xml", "disk.XML", "notes.txt", "a.qcow2"):
            open(os.path.join(cwd, name), "w").close()
        fake_vdisk = os.path.join(bindir, "vdisk")
        for path, text in ((os.path.join(bindir, "virsh"), FAKE_VIRSH), (fake_vdisk, FAKE_VDISK)):
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        log = os.path.join(tmp, "calls.log")

        modes = [("plain bash", False)]
        if os.path.exists(BASH_COMPLETION):
            modes.insert(0, ("bash-completion", True))
        else:
            results["skipped"] += 1
            print("SKIP: %s not installed (apt-get install bash-completion)" % BASH_COMPLETION)

        for mode, with_library in modes:
            c = Completer(script, bindir, cwd, log, with_library)

            def expect(line, want, prog=None, exact=True):
                open(log, "w").close()
                got = c.complete(line, prog)
                ok = sorted(got) == sorted(want) if exact else set(want) <= set(got)
                check(ok, "[%s] %r -> %s%r" % (mode, line, "" if exact else "includes ",
                                                sorted(want)), "got %r" % sorted(got))
                return got

            def calls():
                with open(log) as f:
                    return f.read().splitlines()

            expect("vdisk ", help_subcommands(vdisk))
            expect("vdisk at", ["attach"])
            expect("vdisk ch", ["change-media", "check"])
            expect("vdisk --", ["--help", "--version"])
            expect("vdisk --version ", [])
            for sub in help_subcommands(vdisk):
                expect("vdisk %s --" % sub, help_options(vdisk, sub))
            expect("vdisk attach --re", ["--readonly"])
            expect("vdisk set-iotune web vda --total-b", ["--total-bytes-sec",
                   "--total-bytes-sec-max", "--total-bytes-sec-max-length"])

            # enum values, as a separate word and after '='
            expect("vdisk attach web /a.img --bus ", buses)
            expect("vdisk attach web /a.img --bus=sc", ["scsi"])
            expect("vdisk attach web /a.img --bus s", ["sata", "scsi"])
            expect("vdisk attach web /a.img --device c", ["cdrom"])
            expect("vdisk attach web /a.img --cache write", ["writeback", "writethrough"])
            expect("vdisk attach web /a.img --cache=", script_list(script, "_vdisk_caches"))
            expect("vdisk attach web /a.img --format q", ["qcow", "qcow2", "qed"])
            expect("vdisk attach web /a.img --format a", ["auto"])
            expect("vdisk volume-create --format a", [])
            expect("vdisk volume-create --format=qc", ["qcow", "qcow2"])
            expect("vdisk attach web /a.img --target ", ["auto"])
            expect("vdisk next-target web ", buses)
            expect("vdisk next-target web v", ["virtio"])
            expect("vdisk detach web vda --wait ", [])
            expect("vdisk set-iotune web vda --read-iops-sec ", [])

            # domains, pools and targets from the connection
            got = expect("vdisk list ", ["web", "db", "web-test"])
            check("virsh -q -c qemu:///system list --all --name" in calls(),
                  "[%s] domains come from virsh -c qemu:///system list --all --name" % mode,
                  "calls: %r" % calls())
            expect("vdisk attach we", ["web", "web-test"])
            expect("vdisk list -c qemu:///session ", ["mine"])
            check("virsh -q -c qemu:///session list --all --name" in calls(),
                  "[%s] --connect's URI is the one virsh is asked" % mode, "calls: %r" % calls())
            expect("vdisk detach --connect=qemu:///session m", ["mine"])
            expect("vdisk attach -cqemu:///session ", ["mine"])
            expect("vdisk list --connect qemu:///nowhere ", [])
            expect("vdisk list web ", [])
            expect("vdisk volume-create ", ["default", "images"])
            expect("vdisk volume-create default ", [])
            expect("vdisk detach web ", ["vda", "vdb", "sda"], prog=fake_vdisk)
            check(any(l.startswith("vdisk list -c qemu:///system -- web") for l in calls()),
                  "[%s] targets come from vdisk list -c URI DOMAIN" % mode, "calls: %r" % calls())
            expect("vdisk change-media web s", ["sda"], prog=fake_vdisk)
            expect("vdisk set-iotune --json db ", ["vdc"], prog=fake_vdisk)
            expect("vdisk detach --wait 5 web vd", ["vda", "vdb"], prog=fake_vdisk)
            expect("vdisk detach nosuch ", [], prog=fake_vdisk)
            expect("vdisk detach web vda ", [], prog=fake_vdisk)
            # the block job subcommands: a domain, then its targets (snapshot: any number)
            expect("vdisk copy we", ["web", "web-test"])
            for sub in ("resize", "commit", "pull", "copy", "job", "snapshot"):
                expect("vdisk %s web vd" % sub, ["vda", "vdb"], prog=fake_vdisk)
            expect("vdisk snapshot --name s1 web vda s", ["sda"], prog=fake_vdisk)
            expect("vdisk job --wait 5 web vda ", [], prog=fake_vdisk)
            expect("vdisk copy web vda /x --format=qc", ["qcow", "qcow2"])
            expect("vdisk pull web vda --bandwidth ", [])
            expect("vdisk snapshot web --overlay ", [])

            # URIs (bash splits words at ':')
            expect("vdisk list --connect ", script_list(script, "_vdisk_uris"))
            expect("vdisk list --connect qemu:///s", ["///session", "///system"])

            # files: XML documents for the document subcommands, any file to attach
            if with_library:
                expect("vdisk qemu-args ", ["domain.xml", "disk.XML", "images"])
                expect("vdisk xml --no-defaults d", ["domain.xml", "disk.XML"])
                expect("vdisk attach web ", ["a.qcow2", "domain.xml", "disk.XML", "images",
                                             "notes.txt"])
                expect("vdisk attach web a.qcow2 --xml ", ["a.qcow2", "domain.xml", "disk.XML",
                                                           "images", "notes.txt"])
                expect("vdisk copy web vda ", ["a.qcow2", "domain.xml", "disk.XML", "images",
                                               "notes.txt"], prog=fake_vdisk)
                expect("vdisk commit web vda --top a", ["a.qcow2"])
            else:
                expect("vdisk attach web a", ["a.qcow2"])
                expect("vdisk check do", ["domain.xml"])

    print("%d passed, %d failed, %d skipped" % (results["passed"], results["failed"],
                                                results["skipped"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
