#!/usr/bin/env python3
"""The contract every vdisk subcommand keeps with --json: exactly one JSON
object on stdout ({"ok": true, ...} or {"ok": false, "error": {"code",
"message", "exit"}}), valid UTF-8, the exit status the error code calls for
(docs/vdisk.1, EXIT STATUS), and for a failure one "vdisk: " line on
stderr holding the same message.

The job subcommands (commit, pull, copy, job --abort/--pivot) print one
{"event": "progress", ...} line per change of the job before that object.

Usage: contract_test.py VDISK DATA_DIR CASE   (CASE: offline, live or live-blockjob)
The live cases need libvirtd on qemu:///system; each creates a transient
clitest- domain (live-blockjob: clitest-bj-, with its images in a
clitest-bj- directory) and removes it.
"""
import json
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

VDISK, DATA, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
URI = "qemu:///system"
# error code -> exit status, as docs/vdisk.1 and include/vdisk/common.h say
EXIT_FOR = {"usage": 2, "invalid-argument": 3, "xml": 3, "invalid": 3, "unsupported": 3,
            "not-found": 3, "exists": 3, "transient": 3, "pending": 4, "internal": 1,
            "no-memory": 1, "libvirt": 1, "system": 1, "cancelled": 130}
PROGRESS_KEYS = {"event": str, "target": str, "kind": str, "phase": str, "cur": int, "end": int,
                 "ready": bool}
PHASES = {"started", "running", "ready", "pivoting", "aborting", "done"}
failures = []


def run(args, want_exit, want_code=None, want_in_message=None, progress=None):
    """Runs vdisk ARGS... --json, checks the contract, returns the object.
    With @progress (a list), the progress lines before the object are
    checked and appended to it."""
    args = [os.fsencode(a) for a in args]
    # --json right after the subcommand: an option missing its argument at
    # the end stays one
    res = subprocess.run([VDISK.encode()] + args[:1] + [b"--json"] + args[1:],
                         stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=120)
    return check_result(args, res, want_exit, want_code, want_in_message, progress)


def check_progress(line, target):
    """The problem with one progress line, or None."""
    try:
        ev = json.loads(line)
    except ValueError as e:
        return "progress line %r is not JSON: %s" % (line, e)
    if not isinstance(ev, dict) or set(ev) != set(PROGRESS_KEYS) or \
            any(type(ev[k]) is not t for k, t in PROGRESS_KEYS.items()):
        return "progress line %r lacks a key or has one of the wrong type" % line
    if ev["event"] != "progress" or ev["phase"] not in PHASES or ev["cur"] < 0 or \
            ev["end"] < 0 or (target and ev["target"] != target):
        return "progress line %r: unexpected values" % line
    return None


def check_result(args, res, want_exit, want_code=None, want_in_message=None, progress=None):
    what = b" ".join(args).decode("utf-8", "surrogateescape")

    def fail(msg):
        failures.append("vdisk %s --json: %s\n  stdout: %r\n  stderr: %r" %
                        (what, msg, res.stdout[:2000], res.stderr[:2000]))
        return None

    try:
        text = res.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        return fail("stdout is not UTF-8: %s" % e)
    if progress is not None:
        # progress lines, each an object of its own line, then the result
        lines = text.splitlines(True)
        while len(lines) > 1 and lines[0].startswith('{"event"'):
            problem = check_progress(lines[0], None)
            if problem:
                return fail(problem)
            progress.append(json.loads(lines.pop(0)))
        text = "".join(lines)
        if len(lines) != 1:
            return fail("not progress lines and one result line")
    try:
        obj, end = json.JSONDecoder().raw_decode(text)
    except ValueError as e:
        return fail("stdout is not JSON: %s" % e)
    if text[end:].strip():
        return fail("more than one JSON value on stdout")
    if not isinstance(obj, dict) or not isinstance(obj.get("ok"), bool):
        return fail("not an object with a boolean 'ok'")
    if res.returncode != want_exit:
        return fail("exit status %d, expected %d" % (res.returncode, want_exit))
    if obj["ok"] != (want_exit == 0):
        return fail("'ok' is %s with exit status %d" % (obj["ok"], res.returncode))
    if obj["ok"]:
        return obj
    err = obj.get("error")
    if not isinstance(err, dict) or not {"code", "message", "exit"} <= set(err):
        return fail("error object lacks code, message or exit")
    if err["exit"] != res.returncode or EXIT_FOR.get(err["code"]) != res.returncode:
        return fail("code %r with exit %r: the table says %r" %
                    (err["code"], err["exit"], EXIT_FOR.get(err["code"])))
    if want_code and err["code"] != want_code:
        return fail("code %r, expected %r" % (err["code"], want_code))
    lines = [l for l in res.stderr.decode("utf-8", "surrogateescape").splitlines()
             if l.startswith(("vdisk:", "libvirt:"))]
    if len(lines) != 1 or not lines[0].startswith("vdisk: "):
        return fail("stderr holds %d vdisk:/libvirt: lines, expected one vdisk: line" %
                    len(lines))
    if not lines[0].endswith(err["message"]):
        return fail("stderr says %r, JSON says %r" % (lines[0], err["message"]))
    if want_in_message and want_in_message not in err["message"]:
        return fail("message does not name %r" % want_in_message)
    return obj


def data(name):
    return os.path.join(DATA, name)


def offline():
    disk = data("disk-file.xml")
    # success
    obj = run(["xml", disk], 0)
    if obj and "<disk" not in obj.get("xml", ""):
        failures.append("xml --json: no disk XML in 'xml'")
    obj = run(["check", disk], 0)
    if obj and obj.get("valid") is not True:
        failures.append("check --json: 'valid' is not true")
    obj = run(["qemu-args", disk], 0)
    if obj and not (isinstance(obj.get("argv"), list) and "-blockdev" in obj["argv"]):
        failures.append("qemu-args --json: no -blockdev in 'argv'")
    obj = run(["qemu-args", "--qmp", disk], 0)
    if obj and not (obj.get("qmp") and obj["qmp"][0].get("execute") == "blockdev-add"):
        failures.append("qemu-args --qmp --json: 'qmp' holds no blockdev-add object")
    run(["qemu-args", "--shell", disk], 0)
    # usage errors, for every subcommand and at the top
    run([], 2, "usage")
    run(["frobnicate"], 2, "usage", "frobnicate")
    for sub in ("xml", "check", "qemu-args", "list", "attach", "detach", "change-media",
                "next-target", "set-iotune", "recover", "volume-create"):
        run([sub, "--bogus-option"], 2, "usage", "--bogus-option")
        run([sub], 2, "usage")
    run(["list", "d", "--connect"], 2, "usage", "requires an argument")
    # an option of another subcommand is named, not its value
    run(["list", "--wait", "5", "d"], 2, "usage", "'--wait'")
    run(["next-target", "dom", "virtoi"], 2, "usage", "virtio")
    run(["attach", "--bus", "virtoi", "dom", "/x"], 2, "usage", "virtio")
    run(["attach", "--cache", "fast", "dom", "/x"], 2, "usage", "writeback")
    run(["attach", "--format", "qcow3", "dom", "/x"], 2, "usage", "qcow2")
    run(["volume-create", "--format", "qcow3", "p", "n", "1M"], 2, "usage", "qcow2")
    offline_blockjob()
    # unreadable input, refused input
    run(["xml", data("no-such-file.xml")], 2, "usage", "no-such-file.xml")
    run(["check", DATA], 2, "usage")
    run(["check", data("disk-bad-cache.xml")], 3, "invalid", "fast")
    run(["xml", data("not-xml.xml")], 3, "xml")
    run(["qemu-args", "--machine=bogus", disk], 3, "invalid-argument", "pc-q35-")
    # a libvirt failure: a URI nobody answers, and one that is not QEMU's
    for sub in (["list", "d"], ["recover", "d"], ["next-target", "d", "scsi"]):
        run(sub + ["--connect", "qemu+tcp://127.0.0.1:1/system"], 1, "libvirt")
    run(["list", "--connect", "bogus:///x", "d"], 3, "invalid-argument")
    run(["qemu-args", "--connect", "qemu+tcp://127.0.0.1:1/system", disk], 1, "libvirt")
    # a path that is not UTF-8: in messages and in results
    with tempfile.TemporaryDirectory(prefix="clitest-") as tmp:
        bad = os.path.join(os.fsencode(tmp), b"disk-\xff\xfe.xml")
        obj = run(["check", os.fsdecode(bad)], 2, "usage")
        if obj and "\udcff" not in obj["error"]["message"]:
            failures.append("the byte 0xff is not \\udcff in the message")
        with open(bad, "wb") as f:
            f.write(b"<disk type='file' device='disk'><source file='/img-\xff.raw'/>"
                    b"<target dev='vda' bus='virtio'/></disk>")
        for sub in ("xml", "qemu-args"):
            run([sub, os.fsdecode(bad)], 3)  # not UTF-8 XML: refused, as JSON still
        with open(bad, "wb") as f:
            f.write(b"<disk type='file' device='disk'><source file='/img-\xc3\xa9.raw'/>"
                    b"<target dev='vda' bus='virtio'/></disk>")
        obj = run(["xml", os.fsdecode(bad)], 0)
        if obj and "/img-\u00e9.raw" not in obj["xml"]:
            failures.append("UTF-8 in a path did not come through")


DEAD = "qemu+tcp://127.0.0.1:1/system"  # a URI nobody answers
BLOCKJOB_COMMANDS = {  # subcommand: (its arguments, the options its --help names)
    "resize": (["d", "vda", "+1M"], ["--shrink"]),
    "snapshot": (["d"], ["--name", "--overlay", "--no-metadata", "--reuse"]),
    "commit": (["d", "vda"], ["--top", "--base", "--no-pivot", "--wait", "--bandwidth"]),
    "pull": (["d", "vda"], ["--base", "--wait", "--bandwidth"]),
    "copy": (["d", "vda", "/x.qcow2"], ["--format", "--shallow", "--reuse", "--no-pivot",
                                        "--wait", "--bandwidth"]),
    "job": (["d", "vda"], ["--abort", "--pivot", "--wait"]),
}


def offline_blockjob():
    """resize, snapshot, commit, pull, copy and job without a daemon."""
    for sub, (args, options) in BLOCKJOB_COMMANDS.items():
        res = subprocess.run([VDISK, sub, "--help"], capture_output=True, text=True)
        missing = [o for o in options + ["--connect", "--json", "--help"] if o not in res.stdout]
        if res.returncode != 0 or not res.stdout.startswith("Usage: vdisk %s " % sub) or \
                missing or res.stderr:
            failures.append("vdisk %s --help: exit %d, options not named: %r\n%s%s" %
                            (sub, res.returncode, missing, res.stdout, res.stderr))
        run([sub, "--bogus-option"] + args, 2, "usage", "--bogus-option")
        run([sub], 2, "usage", "DOMAIN")
        # no daemon: libvirt's failure, before anything else is asked
        run([sub, "--connect", DEAD] + args, 1, "libvirt", "127.0.0.1")
        # an option of another subcommand
        run([sub, "--inactive"] + args, 2, "usage", "--inactive")
    # missing arguments, named
    run(["resize", "d", "vda"], 2, "usage", "SIZE")
    run(["copy", "d", "vda"], 2, "usage", "DEST")
    for sub in ("commit", "pull", "job", "resize", "copy"):
        run([sub, "d"], 2, "usage", "TARGET")
    run(["job", "d", "vda", "extra"], 2, "usage", "extra")
    # --wait and --bandwidth
    for sub in ("commit", "pull", "copy"):
        args = BLOCKJOB_COMMANDS[sub][0]
        for bad in ("x", "-1", "86401", "1.5", ""):
            run([sub, "--wait", bad] + args, 2, "usage", "--wait")
        for bad in ("fast", "-1M", "+1M", "1X"):
            run([sub, "--bandwidth=" + bad] + args, 2, "usage", "--bandwidth")
        run([sub] + args + ["--wait"], 2, "usage", "requires an argument")
    run(["job", "--wait", "5", "d", "vda"], 2, "usage", "--abort")
    run(["job", "--abort", "--pivot", "d", "vda"], 2, "usage", "--pivot")
    run(["job", "--bandwidth", "1M", "--abort", "d", "vda"], 2, "usage", "--bandwidth")
    run(["resize", "--wait", "5", "d", "vda", "1G"], 2, "usage", "--wait")
    # SIZE: the library's refusal, before any connection (a dead URI)
    for bad in ("10X", "big", "+", "1.5G", "99999999999P"):
        run(["resize", "--connect", DEAD, "d", "vda", bad], 3, "invalid-argument", bad)
    # a SIZE with a '-' is an argument wherever it stands, and after --
    run(["resize", "--connect", DEAD, "d", "vda", "-1G"], 1, "libvirt")
    run(["resize", "--connect", DEAD, "--shrink", "d", "vda", "--", "-512M"], 1, "libvirt")
    run(["resize", "-c", DEAD, "d", "vda", "-1G", "-2G"], 2, "usage", "unexpected argument '-2G'")
    run(["resize", "--connect", DEAD, "d", "vda", "-1X"], 3, "invalid-argument", "-1X")
    # --format: the names of the formats
    run(["copy", "--format", "qcow3", "d", "vda", "/x"], 2, "usage", "qcow2")
    obj = run(["copy", "--format=vmdk2", "d", "vda", "/x"], 2, "usage")
    if obj and not all(f in obj["error"]["message"] for f in ("raw", "qcow2", "vmdk", "qed")):
        failures.append("copy --format: the formats are not listed: %r" % obj["error"])
    # --overlay TARGET=PATH
    for bad in ("vda", "=/x", "vda="):
        run(["snapshot", "--overlay", bad, "d"], 2, "usage", "TARGET=PATH")


DOMAIN_XML = """<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<controller type='scsi' model='virtio-scsi'/>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
<memballoon model='none'/></devices></domain>"""


def virsh(*args):
    return subprocess.run(["virsh", "-c", URI] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def live():
    name = "clitest-contract-%d" % os.getpid()
    tmp = tempfile.mkdtemp(prefix="clitest-contract-", dir="/var/lib/libvirt/images")
    os.chmod(tmp, 0o755)
    try:
        xml = os.path.join(tmp, "dom.xml")
        with open(xml, "w") as f:
            f.write(DOMAIN_XML % name)
        res = virsh("create", xml)
        if res.returncode != 0:
            failures.append("cannot create the test domain: " + res.stderr)
            return
        img = os.path.join(tmp, "a.raw")
        with open(img, "wb") as f:
            f.truncate(1 << 20)
        os.mkdir(os.path.join(tmp, "adir"))
        missing = os.path.join(tmp, "missing.img")
        adir = os.path.join(tmp, "adir")

        obj = run(["list", name], 0)
        if obj and not (obj.get("domain") == name and isinstance(obj.get("disks"), list)):
            failures.append("list --json: not {'domain': NAME, 'disks': [...]}")
        run(["next-target", name, "scsi"], 0)
        obj = run(["attach", "--target", "sda", "--bus", "scsi", "--format", "raw", name, img], 0)
        run(["set-iotune", "--total-iops-sec", "100", name, "sda"], 0)
        run(["detach", name, "sda"], 0)
        run(["recover", name], 0)
        # pending: a virtio disk the guest (none runs here) never releases
        run(["attach", "--target", "vdb", "--bus", "virtio", "--format", "raw", name, img], 0)
        run(["detach", "--wait=1", name, "vdb"], 4, "pending", "vdb")
        # not found
        run(["list", "clitest-no-such-domain"], 3, "not-found", "clitest-no-such-domain")
        run(["detach", name, "sdz"], 3, "not-found", "sdz")
        run(["set-iotune", "--total-iops-sec", "1", name, "sdz"], 3, "not-found", "sdz")
        # one cause, one status: a missing image, a directory
        for src, code in ((missing, "not-found"), (adir, "invalid-argument")):
            run(["attach", name, src], 3, code, src)
            run(["attach", "--format=auto", name, src], 3, code, src)
            run(["attach", "--format=raw", name, src], 3, code, src)
            run(["change-media", name, "hdc", "--insert", src], 3, code, src)
        # refused: a transient domain has no persistent definition
        run(["attach", "--config", "--format", "raw", name, img], 3, "transient")
        run(["change-media", name, "hdc"], 2, "usage")
    finally:
        virsh("destroy", name)
        subprocess.run(["rm", "-rf", tmp])


BJ_DOMAIN_XML = """<domain type='qemu'><name>%(name)s</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='%(dir)s/top.qcow2'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='raw'/>
<source file='%(dir)s/big.raw'/><target dev='vdb' bus='virtio'/></disk>
<memballoon model='none'/></devices></domain>"""


def live_disk(name, target):
    """The live <disk> of @target: (its source, the sources of its backing chain)."""
    res = virsh("dumpxml", name)
    for disk in ET.fromstring(res.stdout).iter("disk"):
        if disk.find("target").get("dev") == target:
            chain = [s.get("file") for s in disk.iter("backingStore")
                     if s.find("source") is not None for s in [s.find("source")]]
            src = disk.find("source")
            return (src.get("file") if src is not None else None), chain
    return None, []


def live_blockjob():
    """The job subcommands on a running domain without an OS: vda a qcow2
    image on a qcow2 backing file, vdb a raw image of 64 MiB of data."""
    name = "clitest-bj-%d" % os.getpid()
    tmp = tempfile.mkdtemp(prefix="clitest-bj-", dir="/var/lib/libvirt/images")
    os.chmod(tmp, 0o755)
    img = lambda f: os.path.join(tmp, f)

    def check_source(target, want, what):
        got, _ = live_disk(name, target)
        if got != want:
            failures.append("%s: the live source of %s is %r, expected %r" % (what, target, got,
                                                                              want))

    def check_no_job(target, what):
        obj = run(["job", name, target], 0)
        if obj and obj.get("kind") != "none":
            failures.append("%s: a %r job runs on %s" % (what, obj.get("kind"), target))

    def job_run(args, want_exit, want_code=None, want_in_message=None):
        """A job subcommand: its progress lines checked; returns (result, progress)."""
        progress = []
        obj = run(args, want_exit, want_code, want_in_message, progress)
        bad = [p for p in progress if p["target"] != args[args.index(name) + 1]]
        if bad:
            failures.append("vdisk %s: progress of another target: %r" % (" ".join(args), bad))
        return obj, progress

    try:
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img("base.qcow2"), "32M"],
                       check=True)
        subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 7 0 4M", img("base.qcow2")],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", img("base.qcow2"),
                        "-F", "qcow2", img("top.qcow2")], check=True)
        with open(img("big.raw"), "wb") as f:
            for _ in range(64):
                f.write(b"\x01" * (1 << 20))
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img("exists.qcow2"), "32M"],
                       check=True)
        with open(img("dom.xml"), "w") as f:
            f.write(BJ_DOMAIN_XML % {"name": name, "dir": tmp})
        res = virsh("create", img("dom.xml"))
        if res.returncode != 0:
            failures.append("cannot create the test domain: " + res.stderr)
            return

        # no job yet
        obj = run(["job", name, "vda"], 0)
        if obj and obj != {"ok": True, "target": "vda", "kind": "none", "phase": "done",
                           "cur": 0, "end": 0, "ready": False}:
            failures.append("job --json without a job: %r" % obj)
        res = subprocess.run([VDISK, "job", name, "vda"], capture_output=True, text=True)
        if res.returncode != 0 or res.stdout != "no job\n":
            failures.append("job without a job printed %r (exit %d)" % (res.stdout,
                                                                         res.returncode))

        # resize: the size QEMU and libvirt see
        obj = run(["resize", name, "vda", "+1M"], 0)
        info = virsh("domblkinfo", name, "vda").stdout
        cap = [int(l.split()[1]) for l in info.splitlines() if l.startswith("Capacity:")]
        if obj and (obj.get("size") != (33 << 20) or cap != [33 << 20]):
            failures.append("resize +1M: printed %r, domblkinfo says %r, expected %d" %
                            (obj.get("size"), cap, 33 << 20))
        run(["resize", name, "vda", "-1M"], 3, "invalid-argument", "vda")
        res = subprocess.run([VDISK, "resize", "--shrink", name, "vda", "-1M"],
                             capture_output=True, text=True)
        if res.returncode != 0 or res.stdout != "%d\n" % (32 << 20):
            failures.append("resize --shrink -1M printed %r (exit %d): %s" %
                            (res.stdout, res.returncode, res.stderr))

        # snapshot: vda gets an overlay, vdb keeps its image
        obj = run(["snapshot", "--name", "clitest-bj-s1", "--overlay",
                   "vda=" + img("s1.qcow2"), name, "vda"], 0)
        if obj and (obj.get("name") != "clitest-bj-s1" or obj.get("metadata") is not True or
                    obj.get("overlays") != [{"target": "vda", "path": img("s1.qcow2")}]):
            failures.append("snapshot --json: %r" % obj)
        check_source("vda", img("s1.qcow2"), "snapshot")
        check_source("vdb", img("big.raw"), "snapshot of vda")
        run(["snapshot", "--name", "clitest-bj-s2", name, "vdz"], 3, "not-found", "vdz")
        run(["snapshot", "--no-metadata", "--overlay", "vda=" + img("s1.qcow2"), name, "vda"],
            3, "exists", "s1.qcow2")

        # commit of the active image, pivoted onto top.qcow2
        obj, progress = job_run(["commit", name, "vda"], 0)
        if obj and (obj.get("kind") != "active-commit" or obj.get("pivoted") is not True or
                    obj.get("running") is not False):
            failures.append("commit --json: %r" % obj)
        if not progress or progress[-1]["phase"] != "done":
            failures.append("commit --json: no progress ending with 'done': %r" % progress)
        check_source("vda", img("top.qcow2"), "commit")
        check_no_job("vda", "after commit")

        # pull: top.qcow2 takes base.qcow2's data and has no backing any more
        if live_disk(name, "vda")[1] != [img("base.qcow2")]:
            failures.append("before pull: the chain of vda is %r" % (live_disk(name, "vda"),))
        obj, progress = job_run(["pull", name, "vda"], 0)
        if obj and (obj.get("kind") != "pull" or obj.get("pivoted") is not False):
            failures.append("pull --json: %r" % obj)
        src, chain = live_disk(name, "vda")
        if src != img("top.qcow2") or chain:
            failures.append("after pull: vda is %r on %r" % (src, chain))
        run(["pull", name, "vda"], 3, None, "vda")  # no backing image left

        # copy to a new file, pivoted
        obj, progress = job_run(["copy", name, "vda", img("copy1.qcow2")], 0)
        if obj and (obj.get("kind") != "copy" or obj.get("pivoted") is not True):
            failures.append("copy --json: %r" % obj)
        check_source("vda", img("copy1.qcow2"), "copy")
        check_no_job("vda", "after copy")

        # copy --no-pivot: the mirror stays; job shows it; job --abort ends it
        obj, progress = job_run(["copy", "--no-pivot", "--format", "qcow2", name, "vda",
                                 img("mirror.qcow2")], 0)
        if obj and (obj.get("running") is not True or obj.get("pivoted") is not False):
            failures.append("copy --no-pivot --json: %r" % obj)
        obj = run(["job", name, "vda"], 0)
        if obj and (obj.get("kind") != "copy" or obj.get("ready") is not True or
                    obj.get("phase") != "ready"):
            failures.append("job --json on a ready mirror: %r" % obj)
        res = subprocess.run([VDISK, "job", name, "vda"], capture_output=True, text=True)
        if res.returncode != 0 or not res.stdout.startswith("copy ") or \
                not res.stdout.endswith("100% ready\n"):
            failures.append("job on a ready mirror printed %r" % res.stdout)
        run(["copy", name, "vda", img("other.qcow2")], 3, "exists", "copy")
        obj, progress = job_run(["job", "--abort", name, "vda"], 0)
        if obj and obj.get("pivoted") is not False:
            failures.append("job --abort --json: %r" % obj)
        check_source("vda", img("copy1.qcow2"), "job --abort")
        check_no_job("vda", "after job --abort")
        run(["job", "--abort", name, "vda"], 3, "not-found", "vda")

        # copy --no-pivot, then job --pivot: the disk moves onto the mirror
        job_run(["copy", "--no-pivot", name, "vda", img("mirror2.qcow2")], 0)
        obj, progress = job_run(["job", "--pivot", name, "vda"], 0)
        if obj and (obj.get("pivoted") is not True or obj.get("kind") != "copy"):
            failures.append("job --pivot --json: %r" % obj)
        check_source("vda", img("mirror2.qcow2"), "job --pivot")
        check_no_job("vda", "after job --pivot")
        run(["job", "--pivot", name, "vda"], 3, "not-found", "vda")

        # the progress bar: on stderr when it is a terminal, cleared at the end;
        # never with --json or when stderr is not a terminal
        for json_mode, tty in ((False, True), (True, True), (False, False)):
            dest = img("bar-%d-%d.qcow2" % (json_mode, tty))
            args = [VDISK, "copy"] + (["--json"] if json_mode else []) + [name, "vda", dest]
            master, slave = pty.openpty() if tty else (None, None)
            proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                    stderr=slave if tty else subprocess.PIPE)
            err = b""
            if tty:
                os.close(slave)
                while True:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:  # EIO: the other end is closed
                        break
                    if not chunk:
                        break
                    err += chunk
                os.close(master)
            out, err2 = proc.communicate(timeout=120)
            err += err2 or b""
            what = "copy%s with stderr %s" % (" --json" if json_mode else "",
                                              "a terminal" if tty else "a pipe")
            if proc.returncode != 0:
                failures.append("%s: exit %d: %r" % (what, proc.returncode, err))
            elif tty and not json_mode:
                if not (err.startswith(b"\rvda copy [") and err.endswith(b"\r\x1b[K") and
                        b"100%" in err and out == b""):
                    failures.append("%s: no progress bar cleared at the end: %r, stdout %r" %
                                    (what, err[-300:], out))
            elif err.strip() or (out == b"") == json_mode:
                failures.append("%s: stderr %r, stdout %r" % (what, err[-300:], out[-300:]))
            check_source("vda", dest, what)

        # refused: an existing destination without --reuse, a missing target
        src, _ = live_disk(name, "vda")
        run(["copy", name, "vda", img("exists.qcow2")], 3, "exists", "exists.qcow2")
        check_source("vda", src, "copy onto an existing file")
        for sub in (["copy", name, "vdz", img("vdz.qcow2")], ["commit", name, "vdz"],
                    ["pull", name, "vdz"], ["job", name, "vdz"], ["job", "--abort", name, "vdz"],
                    ["resize", name, "vdz", "+1M"]):
            run(sub, 3, "not-found", "vdz")
        if os.path.exists(img("vdz.qcow2")):
            failures.append("copy of a missing target left its destination")
        run(["list", name], 0)

        # --wait 0: started, still running: pending (exit 4); then aborted
        job_run(["copy", "--wait", "0", "--bandwidth", "1M", name, "vdb", img("big-0.raw")],
                4, "pending", "vdb")
        job_run(["job", "--abort", name, "vdb"], 0)
        check_source("vdb", img("big.raw"), "copy --wait 0, then job --abort")

        # SIGINT during a slow copy: exit 130, the disk as it was, no job left
        args = [VDISK, "copy", "--json", "--bandwidth", "1048576", name, "vdb",
                img("big-copy.raw")]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        end = time.monotonic() + 30
        first = proc.stdout.readline()  # the job has started
        while time.monotonic() < end:
            if not os.path.exists(img("big-copy.raw")):
                time.sleep(0.1)
                continue
            time.sleep(1.5)
            break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        res = subprocess.CompletedProcess(args, proc.returncode, first + out, err)
        obj = check_result([a.encode() for a in args[1:]], res, 130, "cancelled", "vdb", [])
        if obj and "SIGINT" not in obj["error"]["message"]:
            failures.append("copy interrupted: the message does not say SIGINT: %r" % obj)
        check_source("vdb", img("big.raw"), "copy interrupted")
        check_no_job("vdb", "copy interrupted")
        if os.path.exists(img("big-copy.raw")):
            failures.append("copy interrupted: the destination it created is still there")
        # SIGTERM likewise
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stdout.readline()
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        res = subprocess.CompletedProcess(args, proc.returncode, first + out, err)
        check_result([a.encode() for a in args[1:]], res, 130, "cancelled", "SIGTERM", [])
        check_source("vdb", img("big.raw"), "copy terminated")
        check_no_job("vdb", "copy terminated")

        # SIGKILL: nothing is undone by the copy itself; recover ends it
        kargs = [VDISK, "copy", "--bandwidth", "1048576", name, "vdb", img("big-kill.raw")]
        proc = subprocess.Popen(kargs, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 30
        while time.monotonic() < end and not os.path.exists(img("big-kill.raw")):
            time.sleep(0.1)
        time.sleep(1.5)
        proc.kill()
        proc.wait()
        obj = run(["job", name, "vdb"], 0)
        if obj and obj.get("kind") != "copy":
            failures.append("copy killed: no copy job left running before recover: %r" % obj)
        obj = run(["recover", name], 0)
        if obj and "undone" not in (obj.get("recovered") or ""):
            failures.append("recover after a killed copy: %r" % obj)
        check_source("vdb", img("big.raw"), "copy killed, recovered")
        check_no_job("vdb", "copy killed, recovered")
        if os.path.exists(img("big-kill.raw")):
            failures.append("copy killed, recovered: the destination made for it is still there")

        # a copy whose caller stops once the mirror is ready, then dies:
        # recover pivots as the caller meant to
        kargs = [VDISK, "copy", "--bandwidth", "33554432", name, "vdb", img("big-ready.raw")]
        proc = subprocess.Popen(kargs, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 30
        while time.monotonic() < end and not os.path.exists(img("big-ready.raw")):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGSTOP)
        obj = run(["recover", name], 0)
        if obj and "left alone" not in (obj.get("recovered") or ""):
            failures.append("recover while the copy's caller is stopped: %r" % obj)
        ready = False
        end = time.monotonic() + 60
        while time.monotonic() < end and not ready:
            obj = run(["job", name, "vdb"], 0)
            ready = bool(obj and obj.get("ready"))
            time.sleep(0.2)
        proc.kill()
        proc.wait()
        if not ready:
            failures.append("copy at 32 MiB/s: the mirror is not ready after 60 s")
        else:
            obj = run(["recover", name], 0)
            if obj and "pivoted onto " + img("big-ready.raw") not in (obj.get("recovered") or ""):
                failures.append("recover after a ready copy's caller died: %r" % obj)
            check_source("vdb", img("big-ready.raw"), "ready copy's caller killed, recovered")
            check_no_job("vdb", "ready copy's caller killed, recovered")
    finally:
        virsh("destroy", name)
        subprocess.run(["rm", "-rf", tmp])


{"offline": offline, "live": live, "live-blockjob": live_blockjob}[CASE]()
for f in failures:
    print("FAIL:", f)
print("%s: %d failure(s)" % (CASE, len(failures)))
sys.exit(1 if failures else 0)
